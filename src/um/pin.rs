//! The Outlook Voice Access PIN of a mailbox (domain.md B.5.1, B.3.6): the UM mailbox policy
//! that a new PIN must meet ([`PinPolicy`]: length, no common patterns), the [`PinStore`]
//! trait a dialogue checks a PIN through (counting failures across calls and locking the
//! mailbox after `MaxLogonAttempts`), and [`LabPinStore`], the lab's implementation: one
//! `pin.json` per [`Mailbox`] folder (`<mailboxes>/<sAMAccountName>/pin.json`) holding a salted
//! PBKDF2-HMAC-SHA256 hash, the failure count and the lockout, replaced atomically on every
//! change. A PIN is never stored, logged or put in an error message in clear. This module does
//! not prompt for PINs (`cli::lab`) nor decide what a caller hears (`um::ova`).

use std::fs;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::directory::model::UmMailboxPolicy;
use crate::mail::Mailbox;

/// UM mailbox policy default MinPINLength.
pub const DEFAULT_MIN_PIN_LENGTH: usize = 6;
/// The longest PIN Exchange accepts.
pub const MAX_PIN_LENGTH: usize = 24;
/// UM mailbox policy default MaxLogonAttempts: failures across calls before the lockout.
pub const DEFAULT_MAX_LOGON_ATTEMPTS: u32 = 15;
/// UM mailbox policy default PINHistoryCount.
pub const DEFAULT_PIN_HISTORY: usize = 5;
/// PBKDF2 rounds for new PINs (OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600 000; a PIN
/// has little entropy anyway, the lockout is what protects it, so a call must not wait long).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 100_000;

const ALGORITHM: &str = "pbkdf2-hmac-sha256";
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// What the PIN code can fail with. No variant carries a PIN.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// A new PIN does not meet the UM mailbox policy.
    #[error("the PIN is not accepted: {reason}; expected {expected}")]
    Policy { reason: String, expected: String },
    /// The user name cannot name a mailbox folder.
    #[error(
        "invalid mailbox name {user:?}: expected a sAMAccountName (no path separators, not empty)"
    )]
    User { user: String },
    /// The user has no PIN to reset or check.
    #[error("{user} has no PIN; expected one set with `umctl lab pin set {user}`")]
    NotSet { user: String },
    #[error("{}: {action} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    /// A PIN file this version cannot read.
    #[error("{}: not a umctl PIN file: {reason}; expected JSON with algorithm {ALGORITHM:?}", path.display())]
    Format { path: PathBuf, reason: String },
    /// The system random source failed (no salt).
    #[error("cannot draw a random salt from the system random source")]
    Random,
}

impl PinError {
    fn io(path: &Path, action: &'static str, source: std::io::Error) -> PinError {
        PinError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

/// The UM mailbox policy rules a PIN is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinPolicy {
    /// MinPINLength (4-24, default 6).
    pub min_length: usize,
    /// MaxLogonAttempts (default 15): failures, across calls, that lock the mailbox.
    pub max_logon_attempts: u32,
    /// AllowCommonPatterns (default false): repeated or sequential digits, the extension.
    pub allow_common_patterns: bool,
    /// PINHistoryCount (default 5): the last N PINs (the current one included) may not be
    /// set again.
    pub history: usize,
}

impl Default for PinPolicy {
    fn default() -> PinPolicy {
        PinPolicy {
            min_length: DEFAULT_MIN_PIN_LENGTH,
            max_logon_attempts: DEFAULT_MAX_LOGON_ATTEMPTS,
            allow_common_patterns: false,
            history: DEFAULT_PIN_HISTORY,
        }
    }
}

impl From<&UmMailboxPolicy> for PinPolicy {
    fn from(p: &UmMailboxPolicy) -> PinPolicy {
        PinPolicy {
            min_length: p.min_pin_length as usize,
            max_logon_attempts: p.max_logon_attempts,
            allow_common_patterns: p.allow_common_patterns,
            history: p.pin_history as usize,
        }
    }
}

/// Where a store finds the policy of a user (`None`: the store's default policy).
pub type PolicySource = Arc<dyn Fn(&str) -> Option<PinPolicy> + Send + Sync>;

impl PinPolicy {
    /// Whether `pin` may be set for a user with `extension`. The error says what is wrong,
    /// never what the PIN is.
    pub fn check(&self, pin: &str, extension: Option<&str>) -> Result<(), PinError> {
        let fail = |reason: String, expected: String| Err(PinError::Policy { reason, expected });
        let digits = format!(
            "{} to {MAX_PIN_LENGTH} digits (MinPINLength {})",
            self.min_length, self.min_length
        );
        if pin.is_empty() {
            return fail("it is empty".into(), digits);
        }
        if !pin.bytes().all(|b| b.is_ascii_digit()) {
            return fail("it contains characters other than 0-9".into(), digits);
        }
        if pin.len() < self.min_length || pin.len() > MAX_PIN_LENGTH {
            return fail(format!("it has {} digits", pin.len()), digits);
        }
        if self.allow_common_patterns {
            return Ok(());
        }
        let no_pattern = "no common pattern (AllowCommonPatterns is off)".to_string();
        let b = pin.as_bytes();
        if b.iter().all(|&d| d == b[0]) {
            return fail("it repeats one digit".into(), no_pattern);
        }
        let steps: Vec<i16> = b.windows(2).map(|w| w[1] as i16 - w[0] as i16).collect();
        if steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1) {
            return fail("its digits are sequential".into(), no_pattern);
        }
        if let Some(ext) = extension.filter(|e| !e.is_empty()) {
            if ext.ends_with(pin) || pin.contains(ext) {
                return fail("it is made of the extension".into(), no_pattern);
            }
        }
        Ok(())
    }
}

/// The outcome of a sign-in attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinCheck {
    /// The PIN is right; the failure count is back to 0.
    Accepted,
    /// The PIN is wrong; `failures` so far across calls (the mailbox is not locked yet).
    Wrong { failures: u32 },
    /// The mailbox is locked (it was, or this failure reached MaxLogonAttempts).
    LockedOut,
    /// The user has no PIN: nobody can sign in as them.
    NotSet,
}

/// Where an OVA dialogue checks PINs. Shared by all calls (`&self`, `Send + Sync`): an
/// implementation keeps the failure count across calls and serialises its updates.
pub trait PinStore: Send + Sync {
    /// Whether `user`'s mailbox is locked out.
    fn is_locked(&self, user: &str) -> Result<bool, PinError>;
    /// Checks `pin`, counting a failure (and locking at the policy's limit) when it is wrong.
    fn check(&self, user: &str, pin: &str) -> Result<PinCheck, PinError>;
}

/// What `umctl lab pin show` prints: never the hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinStatus {
    pub user: String,
    pub pin_set: bool,
    pub locked: bool,
    pub failures: u32,
    pub max_logon_attempts: u32,
}

/// `pin.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PinRecord {
    algorithm: String,
    iterations: u32,
    salt: String,
    hash: String,
    failures: u32,
    locked: bool,
    /// The PINs set before this one, newest first (PINHistoryCount), as salted hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    history: Vec<OldPin>,
}

/// A former PIN's hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct OldPin {
    iterations: u32,
    salt: String,
    hash: String,
}

impl OldPin {
    fn of(r: &PinRecord) -> OldPin {
        OldPin {
            iterations: r.iterations,
            salt: r.salt.clone(),
            hash: r.hash.clone(),
        }
    }

    fn record(&self) -> PinRecord {
        PinRecord {
            algorithm: ALGORITHM.to_string(),
            iterations: self.iterations,
            salt: self.salt.clone(),
            hash: self.hash.clone(),
            failures: 0,
            locked: false,
            history: Vec::new(),
        }
    }
}

/// The lab's PINs: `<mailboxes>/<user>/pin.json`.
pub struct LabPinStore {
    mailboxes: PathBuf,
    policy: PinPolicy,
    /// Each user's UM mailbox policy, when the store knows the directory.
    policies: Option<PolicySource>,
    iterations: NonZeroU32,
    /// Serialises read-modify-write of the PIN files between calls in this process.
    lock: Mutex<()>,
}

impl std::fmt::Debug for LabPinStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabPinStore")
            .field("mailboxes", &self.mailboxes)
            .field("policy", &self.policy)
            .field("policies", &self.policies.is_some())
            .finish()
    }
}

impl LabPinStore {
    /// The store for the mailbox folders under `mailboxes` (the lab's `mailboxes/`).
    pub fn new(mailboxes: impl Into<PathBuf>, policy: PinPolicy) -> LabPinStore {
        LabPinStore {
            mailboxes: mailboxes.into(),
            policy,
            policies: None,
            iterations: NonZeroU32::new(DEFAULT_PBKDF2_ITERATIONS).unwrap_or(NonZeroU32::MIN),
            lock: Mutex::new(()),
        }
    }

    /// Hash new PINs with `iterations` rounds (tests use few; stored PINs keep their own).
    pub fn with_iterations(mut self, iterations: NonZeroU32) -> LabPinStore {
        self.iterations = iterations;
        self
    }

    pub fn policy(&self) -> &PinPolicy {
        &self.policy
    }

    /// Read each user's policy from `source` (the directory: `um::mailbox_policy`).
    pub fn with_policies(mut self, source: PolicySource) -> LabPinStore {
        self.policies = Some(source);
        self
    }

    /// The policy `user` is held to.
    pub fn policy_for(&self, user: &str) -> PinPolicy {
        self.policies
            .as_ref()
            .and_then(|f| f(user))
            .unwrap_or(self.policy)
    }

    /// `user`'s [`Mailbox::pin`] file (`<mailboxes>/<user>/pin.json`).
    pub fn path(&self, user: &str) -> Result<PathBuf, PinError> {
        Mailbox::open(&self.mailboxes, user)
            .map(|m| m.pin())
            .map_err(|_| PinError::User {
                user: user.to_string(),
            })
    }

    /// Sets `user`'s PIN (checked against the policy, `extension` for the pattern rule) with
    /// a fresh salt; the failure count and lockout are cleared.
    pub fn set(&self, user: &str, pin: &str, extension: Option<&str>) -> Result<(), PinError> {
        let policy = self.policy_for(user);
        policy.check(pin, extension)?;
        let path = self.path(user)?;
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let old = read_record(&path)?;
        let mut history: Vec<OldPin> = match &old {
            Some(r) => std::iter::once(OldPin::of(r))
                .chain(r.history.iter().cloned())
                .collect(),
            None => Vec::new(),
        };
        history.truncate(policy.history);
        for former in &history {
            if verify(&path, &former.record(), pin)? {
                return Err(PinError::Policy {
                    reason: format!("it is one of the last {} PINs", policy.history),
                    expected: format!(
                        "a PIN not used recently (PINHistoryCount {})",
                        policy.history
                    ),
                });
            }
        }
        history.truncate(policy.history.saturating_sub(1));
        let mut salt = [0u8; SALT_LEN];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| PinError::Random)?;
        let mut hash = [0u8; HASH_LEN];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            self.iterations,
            &salt,
            pin.as_bytes(),
            &mut hash,
        );
        let b64 = base64::engine::general_purpose::STANDARD;
        let record = PinRecord {
            algorithm: ALGORITHM.to_string(),
            iterations: self.iterations.get(),
            salt: b64.encode(salt),
            hash: b64.encode(hash),
            failures: 0,
            locked: false,
            history,
        };
        write_record(&path, &record)
    }

    /// Clears `user`'s lockout and failure count (the PIN stays).
    pub fn reset(&self, user: &str) -> Result<PinStatus, PinError> {
        let path = self.path(user)?;
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut record = read_record(&path)?.ok_or_else(|| PinError::NotSet {
            user: user.to_string(),
        })?;
        record.failures = 0;
        record.locked = false;
        write_record(&path, &record)?;
        Ok(self.status_of(user, Some(&record)))
    }

    /// Whether `user` has a PIN, is locked, and how many failures are counted.
    pub fn status(&self, user: &str) -> Result<PinStatus, PinError> {
        let record = read_record(&self.path(user)?)?;
        Ok(self.status_of(user, record.as_ref()))
    }

    fn status_of(&self, user: &str, record: Option<&PinRecord>) -> PinStatus {
        PinStatus {
            user: user.to_string(),
            pin_set: record.is_some(),
            locked: record.is_some_and(|r| r.locked),
            failures: record.map_or(0, |r| r.failures),
            max_logon_attempts: self.policy_for(user).max_logon_attempts,
        }
    }
}

impl PinStore for LabPinStore {
    fn is_locked(&self, user: &str) -> Result<bool, PinError> {
        Ok(read_record(&self.path(user)?)?.is_some_and(|r| r.locked))
    }

    fn check(&self, user: &str, pin: &str) -> Result<PinCheck, PinError> {
        let path = self.path(user)?;
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mut record) = read_record(&path)? else {
            return Ok(PinCheck::NotSet);
        };
        if record.locked {
            return Ok(PinCheck::LockedOut);
        }
        if verify(&path, &record, pin)? {
            if record.failures != 0 {
                record.failures = 0;
                write_record(&path, &record)?;
            }
            return Ok(PinCheck::Accepted);
        }
        record.failures = record.failures.saturating_add(1);
        record.locked = record.failures >= self.policy_for(user).max_logon_attempts;
        write_record(&path, &record)?;
        Ok(if record.locked {
            PinCheck::LockedOut
        } else {
            PinCheck::Wrong {
                failures: record.failures,
            }
        })
    }
}

fn verify(path: &Path, record: &PinRecord, pin: &str) -> Result<bool, PinError> {
    let format = |reason: &str| PinError::Format {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if record.algorithm != ALGORITHM {
        return Err(format("unknown algorithm"));
    }
    let iterations = NonZeroU32::new(record.iterations).ok_or_else(|| format("0 iterations"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let salt = b64
        .decode(&record.salt)
        .map_err(|_| format("salt is not base64"))?;
    let hash = b64
        .decode(&record.hash)
        .map_err(|_| format("hash is not base64"))?;
    if hash.len() != HASH_LEN {
        return Err(format("hash has the wrong length"));
    }
    Ok(ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        &salt,
        pin.as_bytes(),
        &hash,
    )
    .is_ok())
}

fn read_record(path: &Path) -> Result<Option<PinRecord>, PinError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PinError::io(path, "read", e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| PinError::Format {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Replaces `pin.json` atomically ([`crate::atomic_file`]: temp file, fsync, rename, fsync the folder):
/// a reader sees the old record or the new one, never half of one.
fn write_record(path: &Path, record: &PinRecord) -> Result<(), PinError> {
    let bytes = serde_json::to_vec_pretty(record).map_err(|e| PinError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    crate::atomic_file::write(path, &bytes).map_err(|e| PinError::io(&e.path, e.action, e.source))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> LabPinStore {
        LabPinStore::new(dir, PinPolicy::default()).with_iterations(NonZeroU32::new(10).unwrap())
    }

    #[test]
    fn policy_rejects_short_patterned_and_non_digit_pins_without_naming_them() {
        let p = PinPolicy::default();
        p.check("246813", Some("9000")).unwrap();
        for (pin, why) in [
            ("", "empty"),
            ("24681", "5 digits"),
            ("24681a", "other than 0-9"),
            ("1234567890123456789012345", "25 digits"),
            ("111111", "repeats"),
            ("123456", "sequential"),
            ("987654", "sequential"),
            ("909000", "extension"),
        ] {
            let msg = p.check(pin, Some("9000")).unwrap_err().to_string();
            assert!(msg.contains(why), "{pin}: {msg}");
            if !pin.is_empty() {
                assert!(!msg.contains(pin), "the PIN leaked: {msg}");
            }
        }
        let lax = PinPolicy {
            min_length: 4,
            allow_common_patterns: true,
            ..PinPolicy::default()
        };
        lax.check("1111", Some("1111")).unwrap();
    }

    #[test]
    fn the_last_pins_may_not_be_set_again() {
        let dir = tempfile::tempdir().unwrap();
        let policy = PinPolicy {
            history: 3,
            ..PinPolicy::default()
        };
        let s = store(dir.path()).with_policies(Arc::new(move |_: &str| Some(policy)));
        for pin in ["246813", "135792", "975318"] {
            s.set("bob", pin, None).unwrap();
        }
        for old in ["246813", "135792", "975318"] {
            let msg = s.set("bob", old, None).unwrap_err().to_string();
            assert!(msg.contains("one of the last 3 PINs"), "{msg}");
            assert!(
                msg.contains("PINHistoryCount 3") && !msg.contains(old),
                "{msg}"
            );
        }
        s.set("bob", "864213", None).unwrap();
        // Four PINs later the first one is free again.
        s.set("bob", "246813", None).unwrap();
        assert_eq!(s.check("bob", "246813").unwrap(), PinCheck::Accepted);
        let text = fs::read_to_string(s.path("bob").unwrap()).unwrap();
        assert!(!text.contains("246813") && !text.contains("864213"));
    }

    #[test]
    fn set_check_and_the_file_holds_no_pin() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        assert_eq!(s.check("bob", "246813").unwrap(), PinCheck::NotSet);
        s.set("bob", "246813", Some("9000")).unwrap();
        let text = fs::read_to_string(dir.path().join("bob/pin.json")).unwrap();
        assert!(!text.contains("246813"), "{text}");
        assert!(text.contains(ALGORITHM));
        assert_eq!(s.check("bob", "246813").unwrap(), PinCheck::Accepted);
        assert_eq!(
            s.check("bob", "246814").unwrap(),
            PinCheck::Wrong { failures: 1 }
        );
        assert_eq!(s.status("bob").unwrap().failures, 1);
        assert_eq!(s.check("bob", "246813").unwrap(), PinCheck::Accepted);
        assert_eq!(s.status("bob").unwrap().failures, 0, "success clears");
        let names: Vec<String> = fs::read_dir(dir.path().join("bob"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["pin.json"], "no temp file is left");
    }

    #[test]
    fn same_pin_gets_different_salts() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        s.set("a", "246813", None).unwrap();
        s.set("b", "246813", None).unwrap();
        let a = fs::read_to_string(dir.path().join("a/pin.json")).unwrap();
        let b = fs::read_to_string(dir.path().join("b/pin.json")).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn locks_after_max_attempts_until_reset() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        s.set("bob", "246813", None).unwrap();
        for n in 1..15 {
            assert_eq!(
                s.check("bob", "000001").unwrap(),
                PinCheck::Wrong { failures: n }
            );
        }
        assert_eq!(s.check("bob", "000001").unwrap(), PinCheck::LockedOut);
        assert!(s.is_locked("bob").unwrap());
        assert_eq!(
            s.check("bob", "246813").unwrap(),
            PinCheck::LockedOut,
            "the right PIN does not unlock"
        );
        // A second store over the same folder (another process) sees the lockout.
        assert!(store(dir.path()).is_locked("bob").unwrap());
        let st = s.reset("bob").unwrap();
        assert!(!st.locked && st.failures == 0 && st.pin_set);
        assert_eq!(s.check("bob", "246813").unwrap(), PinCheck::Accepted);
    }

    #[test]
    fn bad_user_names_and_unset_reset() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        for bad in ["", "..", "a/b", "a\\b"] {
            assert!(matches!(
                s.set(bad, "246813", None),
                Err(PinError::User { .. })
            ));
        }
        assert!(matches!(s.reset("nobody"), Err(PinError::NotSet { .. })));
        let st = s.status("nobody").unwrap();
        assert!(!st.pin_set && !st.locked);
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_pass() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        fs::create_dir_all(dir.path().join("bob")).unwrap();
        fs::write(dir.path().join("bob/pin.json"), "{}").unwrap();
        assert!(matches!(
            s.check("bob", "246813"),
            Err(PinError::Format { .. })
        ));
    }
}
