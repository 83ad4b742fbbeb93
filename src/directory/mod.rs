//! The directory layer: the Active Directory object model and the two ways umctl reaches a
//! directory (the embedded lab directory and a real AD over LDAP).
//!
//! Everything above this module talks to a [`Directory`]: search, read, add, modify and delete
//! over a neutral [`Entry`]. It owns DNs, filters, LDIF, the typed AD objects (`model`), security
//! descriptors (`security`) and the lab directory (`lab`). It knows nothing of SIP, media or the
//! command line.

pub mod access;
pub mod entry;
pub mod fault;
pub mod filter;
pub mod lab;
pub mod ldap;
pub mod ldif;
pub mod lookup;
pub mod model;
pub mod security;

pub use entry::{Attribute, Entry};
pub use filter::{Filter, FilterError};
pub use ldif::{LdifError, ModOp, Modification};
pub use model::{ContractViolation, Dn, DnError};
pub use security::{Acl, SecurityDescriptor, SecurityError, Sid};

use std::path::PathBuf;

/// How far below the base a search looks (RFC 4511 section 4.5.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The base object only.
    Base,
    /// The immediate children of the base, not the base itself.
    OneLevel,
    /// The base and everything below it.
    Subtree,
}

impl Scope {
    /// Whether a search from `base` with this scope reaches the object `dn`.
    pub fn covers(self, base: &Dn, dn: &Dn) -> bool {
        match self {
            Scope::Base => dn == base,
            Scope::OneLevel => dn.parent().as_ref() == Some(base),
            Scope::Subtree => dn.is_within(base),
        }
    }
}

/// The naming contexts of a forest, as the rootDSE announces them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NamingContexts {
    /// The domain partition, e.g. `DC=contoso,DC=com`.
    pub default: Dn,
    /// The configuration partition, e.g. `CN=Configuration,DC=contoso,DC=com`.
    pub configuration: Dn,
    /// The schema partition, e.g. `CN=Schema,CN=Configuration,DC=contoso,DC=com`.
    pub schema: Dn,
}

impl NamingContexts {
    /// The contexts a forest rooted at `domain` has when it follows AD's layout.
    pub fn for_domain(domain: Dn) -> NamingContexts {
        let configuration = domain.child("CN", "Configuration");
        let schema = configuration.child("CN", "Schema");
        NamingContexts {
            default: domain,
            configuration,
            schema,
        }
    }
}

/// What a directory operation can fail with. Every variant names the object, the attribute or
/// the server involved, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no such object: {dn}")]
    NoSuchObject { dn: String },
    #[error("{dn} already exists")]
    AlreadyExists { dn: String },
    #[error("cannot add {dn}: its parent {parent} does not exist")]
    NoParent { dn: String, parent: String },
    #[error("cannot delete {dn}: it has {children} child object(s); delete them first")]
    NotAllowedOnNonLeaf { dn: String, children: usize },
    #[error("{dn}: {attr} already has the value {q}", q = crate::quote::Quoted(.value))]
    ValueExists {
        dn: String,
        attr: String,
        value: String,
    },
    #[error("{dn}: {attr} has no value {q} to delete", q = crate::quote::Quoted(.value))]
    NoSuchValue {
        dn: String,
        attr: String,
        value: String,
    },
    #[error("{dn}: the naming attribute {attr} cannot be changed by a modify (expected a rename)")]
    NotAllowedOnRdn { dn: String, attr: String },
    #[error("{dn} has no readable security descriptor (expected one with a DACL)")]
    NoSecurityDescriptor { dn: String },
    #[error("{dn}: nTSecurityDescriptor: {error}")]
    SecurityDescriptor { dn: String, error: SecurityError },
    #[error(transparent)]
    Contract(#[from] ContractViolation),
    #[error(transparent)]
    Dn(#[from] DnError),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error("{source_name}: {error}")]
    Ldif {
        source_name: String,
        error: LdifError,
    },
    #[error("{source_name}, line {line}: {error}")]
    AtLine {
        source_name: String,
        line: usize,
        error: Box<DirectoryError>,
    },
    #[error("{server}: the bind was refused (invalid credentials): {diagnostic}")]
    InvalidCredentials { server: String, diagnostic: String },
    #[error("{server}: access to {dn} was denied (insufficient access rights): {diagnostic}")]
    InsufficientAccess {
        dn: String,
        server: String,
        diagnostic: String,
    },
    #[error("{server}: the domain controller requires signing or encryption for a simple bind (strongerAuthRequired: {diagnostic}); connect with ldaps:// or ldap:// with StartTLS (the default), not --insecure-plain-bind")]
    StrongerAuthRequired { server: String, diagnostic: String },
    /// A Kerberos (SASL GSSAPI) bind failed; `fix` is one sentence naming the remedy.
    #[error("{server}: the Kerberos bind failed: {problem}; {fix}")]
    Kerberos {
        server: String,
        problem: String,
        fix: String,
    },
    /// An LDAP URL or option combination that cannot work; `fix` names the one that does.
    #[error("{url}: {problem}; {fix}")]
    BadTarget {
        url: String,
        problem: String,
        fix: String,
    },
    #[error("{dn}: {what} (LDAP result {code}){}", if .diagnostic.is_empty() { String::new() } else { format!(": {}", .diagnostic) })]
    Refused {
        dn: String,
        code: u32,
        what: &'static str,
        diagnostic: String,
    },
    #[error("cannot reach {server}: {reason}")]
    Unreachable { server: String, reason: String },
    #[error("TLS with {server} failed: {reason}")]
    Tls { server: String, reason: String },
    #[error("'{url}' is not a directory URL (expected {expected})")]
    BadUrl { url: String, expected: String },
    #[error("{what} needs a umctl built with the `{feature}` cargo feature (cargo build --features {feature}); this one was built without the {feature} feature")]
    NotBuiltIn { what: String, feature: String },
    #[error("CA file {path}: {reason} (expected PEM certificates)")]
    BadCaFile { path: PathBuf, reason: String },
    #[error("lab directory {path}: {message}")]
    Lab { path: PathBuf, message: String },
    #[error("no lab directory at {}; create one with umctl lab init --lab {}", .path.display(), .path.display())]
    NoLab { path: PathBuf },
    #[error("lab folder {} is read-only; nothing was changed (make it writable, or give another folder with --lab DIR)", .path.display())]
    ReadOnlyLab { path: PathBuf },
    #[error("step {step} failed on purpose: fault injected for a test ({setting})")]
    FaultInjected { step: usize, setting: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The exit code of an I/O failure: 3 when a peer or a network cannot be reached or refuses, or
/// access is denied; 2 for a path that is not what was expected (missing, a file where a
/// folder belongs, unreadable content), which is bad input.
pub fn io_exit_code(kind: std::io::ErrorKind) -> i32 {
    use std::io::ErrorKind as K;
    match kind {
        K::ConnectionRefused
        | K::ConnectionReset
        | K::ConnectionAborted
        | K::NotConnected
        | K::AddrInUse
        | K::AddrNotAvailable
        | K::BrokenPipe
        | K::TimedOut
        | K::HostUnreachable
        | K::NetworkUnreachable
        | K::NetworkDown
        | K::PermissionDenied
        | K::ReadOnlyFilesystem
        | K::StorageFull
        | K::WouldBlock => 3,
        _ => 2,
    }
}

impl DirectoryError {
    /// The documented exit code for this failure: 2 for bad input, 3 when the directory cannot
    /// be reached or refuses access.
    pub fn exit_code(&self) -> i32 {
        match self {
            DirectoryError::Io { source, .. } => io_exit_code(source.kind()),
            DirectoryError::Unreachable { .. }
            | DirectoryError::Tls { .. }
            | DirectoryError::InvalidCredentials { .. }
            | DirectoryError::InsufficientAccess { .. }
            | DirectoryError::StrongerAuthRequired { .. }
            | DirectoryError::Kerberos { .. }
            | DirectoryError::ReadOnlyLab { .. } => 3,
            DirectoryError::AtLine { error, .. } => error.exit_code(),
            _ => 2,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DirectoryError {
        DirectoryError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = DirectoryError> = std::result::Result<T, E>;

/// One change of a multi-step directory update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Add(Entry),
    Modify(Dn, Vec<Modification>),
    Delete(Dn),
    /// Replace the DACL of an object's security descriptor (owner, group, SACL untouched).
    SetDacl(Dn, Acl),
}

impl Change {
    /// The object this change touches.
    pub fn dn(&self) -> &Dn {
        match self {
            Change::Add(entry) => &entry.dn,
            Change::Modify(dn, _) | Change::Delete(dn) | Change::SetDacl(dn, _) => dn,
        }
    }
}

/// A directory umctl can read and change: the lab directory or a real AD.
///
/// Methods take `&self` so one directory can be shared by the tasks of `serve`; backends keep
/// their own locking.
pub trait Directory: Send + Sync {
    /// A one-line description for messages: `lab directory at /home/x/.local/share/umctl/lab`.
    fn describe(&self) -> String;

    /// The forest's naming contexts (from the rootDSE on a real AD).
    fn naming_contexts(&self) -> Result<NamingContexts>;

    /// Entries at or below `base` (per `scope`) that match `filter`, with only the attributes
    /// named in `attrs` (all of them when `attrs` is empty).
    fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>>;

    /// One object, or `None` when it does not exist.
    fn read(&self, dn: &Dn, attrs: &[&str]) -> Result<Option<Entry>> {
        match self.search(
            dn,
            Scope::Base,
            &Filter::Present("objectClass".into()),
            attrs,
        ) {
            Ok(mut found) => Ok(found.pop()),
            Err(DirectoryError::NoSuchObject { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A number that changes whenever what reads return may have changed, when the backend
    /// can tell without blocking: the lab's forest generation while its last look for saves by
    /// other processes is recent. `None` (the default, and a real AD) means "cannot tell": a
    /// caller must then not reuse anything it derived from earlier reads.
    fn generation(&self) -> Option<u64> {
        None
    }

    fn add(&self, entry: Entry) -> Result<()>;

    fn modify(&self, dn: &Dn, mods: &[Modification]) -> Result<()>;

    fn delete(&self, dn: &Dn) -> Result<()>;

    /// The object's security descriptor (at least its DACL); `None` when it has none.
    fn read_security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>>;

    /// Replaces the DACL of the object's security descriptor; owner, group and SACL stay.
    fn write_dacl(&self, dn: &Dn, dacl: &Acl) -> Result<()>;

    /// The forest root domain's SID, which SDDL aliases such as DA and EA are relative to.
    fn domain_sid(&self) -> Result<Option<Sid>> {
        let domain = self.naming_contexts()?.default;
        let Some(entry) = self.read(&domain, &["objectSid"])? else {
            return Ok(None);
        };
        Ok(entry
            .first_bytes("objectSid")
            .and_then(|v| model::rtc_group::sid_from_value(v).ok()))
    }

    /// Applies `changes` in order, all or nothing: when change `i` fails, the changes before
    /// it are undone and the error names step `i`.
    fn apply(&self, changes: &[Change]) -> Result<(), ApplyError> {
        self.apply_with_progress(changes, &mut |_| {})
    }

    /// [`Directory::apply`], calling `progress(n)` after the first `n` changes are done (for a
    /// progress bar). Backends that can do better than [`apply_with_rollback_progress`] (the lab
    /// writes the whole batch in one atomic save) override this one.
    fn apply_with_progress(
        &self,
        changes: &[Change],
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), ApplyError> {
        apply_with_rollback_progress(self, changes, progress)
    }
}

/// A shared reference to a directory is a directory: the command line keeps the lab for the
/// whole process and hands out `&'static` references to it. Every method forwards, so a
/// backend's own `apply` (the lab's atomic one) is kept.
impl<D: Directory + ?Sized> Directory for &D {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn naming_contexts(&self) -> Result<NamingContexts> {
        (**self).naming_contexts()
    }
    fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        (**self).search(base, scope, filter, attrs)
    }
    fn read(&self, dn: &Dn, attrs: &[&str]) -> Result<Option<Entry>> {
        (**self).read(dn, attrs)
    }
    fn generation(&self) -> Option<u64> {
        (**self).generation()
    }
    fn add(&self, entry: Entry) -> Result<()> {
        (**self).add(entry)
    }
    fn modify(&self, dn: &Dn, mods: &[Modification]) -> Result<()> {
        (**self).modify(dn, mods)
    }
    fn delete(&self, dn: &Dn) -> Result<()> {
        (**self).delete(dn)
    }
    fn read_security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        (**self).read_security(dn)
    }
    fn write_dacl(&self, dn: &Dn, dacl: &Acl) -> Result<()> {
        (**self).write_dacl(dn, dacl)
    }
    fn domain_sid(&self) -> Result<Option<Sid>> {
        (**self).domain_sid()
    }
    fn apply(&self, changes: &[Change]) -> Result<(), ApplyError> {
        (**self).apply(changes)
    }
    fn apply_with_progress(
        &self,
        changes: &[Change],
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), ApplyError> {
        (**self).apply_with_progress(changes, progress)
    }
}

/// A failed multi-step change: which step failed, why, and whether undoing the earlier steps
/// worked.
#[derive(Debug, thiserror::Error)]
#[error("step {step} of {total} ({what}) failed: {error}{}", rollback_note(.rollback))]
pub struct ApplyError {
    // Boxed: ApplyError travels through many Result types and DirectoryError is large.
    /// 1-based index of the failed step.
    pub step: usize,
    pub total: usize,
    /// What the step was doing, e.g. `add CN=...`.
    pub what: String,
    pub error: Box<DirectoryError>,
    /// Errors met while undoing the earlier steps (empty when the rollback was clean).
    pub rollback: Vec<String>,
}

fn rollback_note(rollback: &[String]) -> String {
    if rollback.is_empty() {
        "; the earlier steps were undone".to_string()
    } else {
        format!(
            "; undoing the earlier steps also failed: {}",
            rollback.join("; ")
        )
    }
}

impl ApplyError {
    pub fn exit_code(&self) -> i32 {
        self.error.exit_code()
    }
}

/// A short description of a change for progress lines and errors.
pub fn describe_change(change: &Change) -> String {
    match change {
        Change::Add(entry) => format!("add {}", entry.dn),
        Change::Modify(dn, mods) => {
            let attrs: Vec<&str> = mods.iter().map(|m| m.attr.as_str()).collect();
            format!("modify {} ({})", dn, attrs.join(", "))
        }
        Change::Delete(dn) => format!("delete {dn}"),
        Change::SetDacl(dn, _) => format!("write the DACL of {dn}"),
    }
}

/// The generic all-or-nothing apply: before each step it records how to undo it (the old
/// entry or the old values), and on failure undoes the finished steps in reverse order.
pub fn apply_with_rollback<D: Directory + ?Sized>(
    dir: &D,
    changes: &[Change],
) -> Result<(), ApplyError> {
    apply_with_rollback_progress(dir, changes, &mut |_| {})
}

/// [`apply_with_rollback`] with a progress callback (`progress(n)`: n steps done). Honours
/// the test fault of [`fault`] (`UMCTL_FAULT=apply-fail-at-step:N`).
pub fn apply_with_rollback_progress<D: Directory + ?Sized>(
    dir: &D,
    changes: &[Change],
    progress: &mut dyn FnMut(usize),
) -> Result<(), ApplyError> {
    run_with_rollback(dir, changes, progress, fault::requested_step())
}

fn run_with_rollback<D: Directory + ?Sized>(
    dir: &D,
    changes: &[Change],
    progress: &mut dyn FnMut(usize),
    fail_at: Option<usize>,
) -> Result<(), ApplyError> {
    let mut undo: Vec<Change> = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let step = || -> Result<Change> {
            let inverse = inverse_of(dir, change)?;
            if fail_at == Some(i + 1) {
                return Err(fault::injected(i + 1));
            }
            run_change(dir, change)?;
            Ok(inverse)
        };
        match step() {
            Ok(inverse) => {
                undo.push(inverse);
                progress(i + 1);
            }
            Err(error) => {
                let mut rollback = Vec::new();
                for inverse in undo.iter().rev() {
                    if let Err(e) = run_change(dir, inverse) {
                        rollback.push(format!("{}: {e}", describe_change(inverse)));
                    }
                }
                return Err(ApplyError {
                    step: i + 1,
                    total: changes.len(),
                    what: describe_change(change),
                    error: Box::new(error),
                    rollback,
                });
            }
        }
    }
    Ok(())
}

fn run_change<D: Directory + ?Sized>(dir: &D, change: &Change) -> Result<()> {
    match change {
        Change::Add(entry) => dir.add(entry.clone()),
        Change::Modify(dn, mods) => dir.modify(dn, mods),
        Change::Delete(dn) => dir.delete(dn),
        Change::SetDacl(dn, dacl) => dir.write_dacl(dn, dacl),
    }
}

/// The change that undoes `change`, computed from the directory's state before it runs.
fn inverse_of<D: Directory + ?Sized>(dir: &D, change: &Change) -> Result<Change> {
    Ok(match change {
        Change::Add(entry) => Change::Delete(entry.dn.clone()),
        Change::Delete(dn) => {
            let mut old = dir
                .read(dn, &[])?
                .ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
            // A real AD refuses these on add: it sets them itself.
            for attr in model::attrs::SYSTEM_OWNED {
                old.remove(attr);
            }
            Change::Add(old)
        }
        Change::Modify(dn, mods) => {
            let old = dir
                .read(dn, &[])?
                .ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
            let mut seen: Vec<String> = Vec::new();
            let mut restore = Vec::new();
            for m in mods {
                let key = m.attr.to_ascii_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                restore.push(Modification {
                    op: ModOp::Replace,
                    attr: m.attr.clone(),
                    values: old.values(&m.attr).to_vec(),
                });
            }
            Change::Modify(dn.clone(), restore)
        }
        Change::SetDacl(dn, _) => {
            let old = dir
                .read_security(dn)?
                .and_then(|sd| sd.dacl)
                .ok_or_else(|| DirectoryError::NoSecurityDescriptor { dn: dn.to_string() })?;
            Change::SetDacl(dn.clone(), old)
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn generic_rollback_undoes_the_finished_steps() {
        let dir = tempfile::tempdir().unwrap();
        let lab = lab::LabDirectory::init_and_open(dir.path()).unwrap();
        let ous = Dn::parse("OU=ExUmContacts,DC=contoso,DC=com").unwrap();
        let before = lab.read(&ous, &[]).unwrap().unwrap();
        let add = |name: &str| {
            let mut e = Entry::new(ous.child("OU", name));
            e.set_str("objectClass", "organizationalUnit");
            Change::Add(e)
        };
        let changes = vec![
            add("A"),
            Change::Modify(
                ous.clone(),
                vec![Modification {
                    op: ModOp::Replace,
                    attr: "description".into(),
                    values: vec![b"changed".to_vec()],
                }],
            ),
            add("B"),
        ];
        let mut seen = Vec::new();
        let err = run_with_rollback(&lab, &changes, &mut |n| seen.push(n), Some(3)).unwrap_err();
        assert_eq!((err.step, err.total), (3, 3));
        assert!(err.rollback.is_empty(), "{err}");
        assert!(err.to_string().contains("fault injected"), "{err}");
        assert_eq!(seen, vec![1, 2]);
        assert!(lab.read(&ous.child("OU", "A"), &[]).unwrap().is_none());
        assert_eq!(lab.read(&ous, &[]).unwrap().unwrap(), before);
        // Without a fault, all three land.
        run_with_rollback(&lab, &changes, &mut |_| {}, None).unwrap();
        assert!(lab.read(&ous.child("OU", "B"), &[]).unwrap().is_some());
    }
}
