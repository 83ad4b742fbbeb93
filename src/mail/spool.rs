//! The on-disk SMTP spool: a message is safe once [`Spool::enqueue`] returns, and stays until
//! it is delivered ([`Spool::remove`]) or refused for good ([`Spool::fail`], which moves it to
//! `failed/` next to a `.reason` file). Layout:
//!
//! ```text
//! <spool>/tmp/            files being written (never read; stale ones are cleaned at open)
//! <spool>/<id>.msg        waiting messages
//! <spool>/failed/<id>.msg + <id>.reason
//! ```
//!
//! A spool file is a small envelope, a blank line, then the message bytes:
//! `umctl-spool 1\nfrom <addr>\nto <addr>\n...\n\n<RFC 5322 message>`. Ids sort by creation
//! time. Writes go to `tmp/`, are fsynced and renamed into place. This file does no network
//! I/O and keeps no retry state: the worker in `smtp.rs` does.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::message::check_address;
use super::message::MessageKind;
use super::{MailError, OutgoingMessage};
use crate::atomic_file::{self, sync_dir};

const MAGIC: &str = "umctl-spool 1";
const SUFFIX: &str = ".msg";

/// Age after which a file in `tmp/` is a crash leftover.
pub const STALE_TMP: Duration = Duration::from_secs(3600);

/// The name of a spooled message (file stem), e.g. `1751364000123456-4242-0-3f2a...`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpoolId(String);

impl SpoolId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SpoolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A spool directory.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    seq: AtomicU64,
}

impl Spool {
    /// Open (creating if needed) the spool at `dir`, and remove leftovers in `tmp/` older than
    /// [`STALE_TMP`] (a crash mid-write: that message was never acknowledged, so nothing is
    /// lost; younger files may belong to another process writing right now).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, MailError> {
        let dir = dir.into();
        for d in [dir.clone(), dir.join("tmp"), dir.join("failed")] {
            fs::create_dir_all(&d).map_err(|e| MailError::io(&d, "create directory", e))?;
        }
        let tmp = dir.join("tmp");
        for entry in fs::read_dir(&tmp).map_err(|e| MailError::io(&tmp, "list", e))? {
            let entry = entry.map_err(|e| MailError::io(&tmp, "list", e))?;
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_TMP);
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(Spool {
            dir,
            seq: AtomicU64::new(0),
        })
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a waiting message lives.
    pub fn path(&self, id: &SpoolId) -> PathBuf {
        self.dir.join(format!("{}{SUFFIX}", id.0))
    }

    /// `failed/`.
    pub fn failed_dir(&self) -> PathBuf {
        self.dir.join("failed")
    }

    /// Write `msg` durably into the spool and return its id.
    pub fn enqueue(&self, msg: &OutgoingMessage) -> Result<SpoolId, MailError> {
        if msg.recipients.is_empty() {
            return Err(MailError::NoRecipients {
                message_id: msg.message_id.clone(),
            });
        }
        check_address(&msg.envelope_from)?;
        for r in &msg.recipients {
            check_address(r)?;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let id = SpoolId(format!(
            "{:020}-{}-{}-{}",
            now.as_micros(),
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4().simple()
        ));
        let mut data = format!("{MAGIC}\nfrom {}\n", msg.envelope_from);
        for r in &msg.recipients {
            data.push_str(&format!("to {r}\n"));
        }
        data.push('\n');
        let mut bytes = data.into_bytes();
        bytes.extend_from_slice(&msg.bytes);

        let tmp = self.dir.join("tmp").join(format!("{}{SUFFIX}", id.0));
        atomic_file::move_in(&tmp, &self.path(&id), &bytes)?;
        Ok(id)
    }

    /// Waiting messages, oldest first.
    pub fn pending(&self) -> Result<Vec<SpoolId>, MailError> {
        let mut ids = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| MailError::io(&self.dir, "list", e))? {
            let entry = entry.map_err(|e| MailError::io(&self.dir, "list", e))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(SUFFIX) {
                if !stem.starts_with('.') && entry.path().is_file() {
                    ids.push(SpoolId(stem.to_string()));
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Messages moved to `failed/`.
    pub fn failed(&self) -> Result<Vec<SpoolId>, MailError> {
        let dir = self.failed_dir();
        let mut ids = Vec::new();
        for entry in fs::read_dir(&dir).map_err(|e| MailError::io(&dir, "list", e))? {
            let entry = entry.map_err(|e| MailError::io(&dir, "list", e))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(SUFFIX) {
                ids.push(SpoolId(stem.to_string()));
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Read a waiting message back.
    pub fn load(&self, id: &SpoolId) -> Result<OutgoingMessage, MailError> {
        let path = self.path(id);
        let data = fs::read(&path).map_err(|e| MailError::io(&path, "read", e))?;
        parse(&path, &data)
    }

    /// Forget a delivered message.
    pub fn remove(&self, id: &SpoolId) -> Result<(), MailError> {
        let path = self.path(id);
        fs::remove_file(&path).map_err(|e| MailError::io(&path, "remove", e))?;
        Ok(sync_dir(&self.dir)?)
    }

    /// Move a message the server refused for good to `failed/`, with `reason` next to it.
    pub fn fail(&self, id: &SpoolId, reason: &str) -> Result<PathBuf, MailError> {
        let failed = self.failed_dir();
        let reason_path = failed.join(format!("{}.reason", id.0));
        atomic_file::write(&reason_path, format!("{}\n", reason.trim_end()).as_bytes())?;
        let to = failed.join(format!("{}{SUFFIX}", id.0));
        let from = self.path(id);
        fs::rename(&from, &to).map_err(|e| MailError::io(&from, "move to failed/", e))?;
        sync_dir(&failed)?;
        sync_dir(&self.dir)?;
        Ok(to)
    }
}

fn parse(path: &Path, data: &[u8]) -> Result<OutgoingMessage, MailError> {
    let bad = |reason: &str| MailError::SpoolFormat {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or_else(|| bad("no blank line after the envelope"))?;
    let head = std::str::from_utf8(&data[..split]).map_err(|_| bad("envelope is not UTF-8"))?;
    let mut lines = head.lines();
    if lines.next() != Some(MAGIC) {
        return Err(bad("first line is not \"umctl-spool 1\""));
    }
    let mut from = None;
    let mut recipients = Vec::new();
    for line in lines {
        match line.split_once(' ') {
            Some(("from", a)) => from = Some(a.to_string()),
            Some(("to", a)) => recipients.push(a.to_string()),
            _ => return Err(bad(&format!("unexpected envelope line {line:?}"))),
        }
    }
    let envelope_from = from.ok_or_else(|| bad("no \"from\" line"))?;
    if recipients.is_empty() {
        return Err(bad("no \"to\" line"));
    }
    let bytes = data[split + 2..].to_vec();
    Ok(OutgoingMessage {
        message_id: message_id_of(&bytes).unwrap_or_default(),
        envelope_from,
        recipients,
        kind: MessageKind::of_rendered(&bytes),
        bytes,
    })
}

/// The Message-ID header of a message (without brackets), for logs.
fn message_id_of(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next()?;
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case("Message-ID")
            .then(|| v.trim().trim_matches(['<', '>']).to_string())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message() -> OutgoingMessage {
        OutgoingMessage {
            message_id: "m1@contoso.lab".into(),
            envelope_from: "um@contoso.lab".into(),
            recipients: vec!["bob@contoso.lab".into(), "carol@contoso.lab".into()],
            bytes: b"Message-ID: <m1@contoso.lab>\r\nSubject: x\r\n\r\nbody\n\nmore\r\n".to_vec(),
            kind: None,
        }
    }

    #[test]
    fn enqueue_load_remove_round_trip_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let a = spool.enqueue(&message()).unwrap();
        let b = spool.enqueue(&message()).unwrap();
        assert_eq!(spool.pending().unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!(spool.load(&a).unwrap(), message());
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        spool.remove(&a).unwrap();
        assert_eq!(spool.pending().unwrap(), vec![b]);
    }

    #[test]
    fn reopening_keeps_waiting_messages_and_drops_half_written_ones() {
        let dir = tempfile::tempdir().unwrap();
        let id = Spool::open(dir.path())
            .unwrap()
            .enqueue(&message())
            .unwrap();
        let old = dir.path().join("tmp").join("partial.msg");
        fs::write(&old, b"umctl-spool 1\nfr").unwrap();
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(SystemTime::now() - STALE_TMP - Duration::from_secs(1))
            .unwrap();
        let young = dir.path().join("tmp").join("writing.msg");
        fs::write(&young, b"umctl-spool 1\nfr").unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        assert_eq!(spool.pending().unwrap(), vec![id]);
        assert!(!old.exists(), "stale tmp file kept");
        assert!(young.exists(), "another writer's tmp file removed");
    }

    #[test]
    fn fail_moves_the_message_and_writes_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let id = spool.enqueue(&message()).unwrap();
        let to = spool.fail(&id, "550 5.1.1 no such user").unwrap();
        assert!(to.is_file());
        assert!(spool.pending().unwrap().is_empty());
        assert_eq!(spool.failed().unwrap(), vec![id.clone()]);
        let reason = fs::read_to_string(spool.failed_dir().join(format!("{id}.reason"))).unwrap();
        assert_eq!(reason, "550 5.1.1 no such user\n");
    }

    #[test]
    fn a_foreign_file_is_a_format_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        fs::write(dir.path().join("junk.msg"), b"hello\n\nworld").unwrap();
        let ids = spool.pending().unwrap();
        let err = spool.load(&ids[0]).unwrap_err().to_string();
        assert!(
            err.contains("junk.msg") && err.contains("umctl-spool 1"),
            "{err}"
        );
    }

    #[test]
    fn enqueue_refuses_bad_envelopes() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let mut m = message();
        m.recipients = vec!["bob@contoso.lab\nto evil@x".into()];
        assert!(spool.enqueue(&m).is_err());
        m.recipients.clear();
        assert!(spool.enqueue(&m).is_err());
        assert!(spool.pending().unwrap().is_empty());
    }
}
