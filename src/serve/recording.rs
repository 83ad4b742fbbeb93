//! The crash-safe recording spool: while a caller speaks, the G.711 payload is appended to
//! `<dir>/<call>.part` as it arrives and flushed + fsynced at least every second, next to a
//! small JSON sidecar `<call>.json` (who called whom, when, the codec) written atomically
//! before the first byte of audio. A `kill -9` loses at most the last second.
//!
//! On a normal end [`Recorder::finish`] gives the audio back (the caller delivers it, then
//! calls [`Spooled::remove`]: the files go only after the Mailer accepted the message).
//! [`leftovers`] lists what a crashed serve left behind, for delivery as interrupted. It does
//! not build or send messages (`messages.rs` does).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::atomic_file;
use crate::media::Law;

/// How often appended audio is flushed to the disk.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);

/// Problems with the spool; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("{}: {action} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    #[error("{}: not a recording sidecar: {reason}; expected the JSON umctl serve writes", path.display())]
    Sidecar { path: PathBuf, reason: String },
}

impl From<atomic_file::Error> for RecordingError {
    fn from(e: atomic_file::Error) -> Self {
        io(&e.path, e.action)(e.source)
    }
}

fn io<'a>(
    path: &'a Path,
    action: &'static str,
) -> impl FnOnce(std::io::Error) -> RecordingError + 'a {
    move |source| RecordingError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Who called whom: what a voice message or missed-call notification needs besides audio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallInfo {
    pub call_id: String,
    /// The caller's number or SIP user as received (`Anonymous` when there is none).
    pub from_number: String,
    pub from_name: Option<String>,
    /// The caller's own mailbox, when the directory knows the caller.
    pub from_address: Option<String>,
    pub to_name: Option<String>,
    /// The called user's primary SMTP address.
    pub to_address: String,
    /// Milliseconds since the Unix epoch when the call was answered.
    pub received_unix_ms: u64,
    /// `PCMU` or `PCMA`: how the `.part` bytes are encoded.
    pub codec: String,
}

impl CallInfo {
    pub fn received_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.received_unix_ms)
    }

    pub fn law(&self) -> Law {
        if self.codec.eq_ignore_ascii_case("PCMA") {
            Law::A
        } else {
            Law::Mu
        }
    }
}

/// Milliseconds since the epoch of `t`.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A file-name stem from a Call-ID: `[A-Za-z0-9._-]` kept, the rest `_`, at most 80 chars,
/// plus a random suffix (two calls may share a sanitised stem).
fn stem(call_id: &str) -> String {
    let clean: String = call_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{clean}-{}", &suffix[..8])
}

/// The claim a running serve holds on its recordings folder (an advisory lock on
/// `<dir>/serve.lock`, released when dropped or when the process dies): only the holder
/// recovers leftovers, so a second serve on the same lab never delivers a running serve's
/// recordings in progress as "interrupted".
#[derive(Debug)]
pub struct FolderClaim {
    _lock: fs::File,
}

/// Claims `dir` (created if missing); `Ok(None)` when another process holds it.
pub fn claim(dir: &Path) -> Result<Option<FolderClaim>, RecordingError> {
    fs::create_dir_all(dir).map_err(io(dir, "create"))?;
    let path = dir.join("serve.lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path, "open"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(FolderClaim { _lock: file })),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(io(&path, "lock")(e)),
    }
}

/// The two files of one recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spooled {
    pub part: PathBuf,
    pub sidecar: PathBuf,
}

impl Spooled {
    /// Removes both files (after the message was accepted).
    pub fn remove(&self) -> Result<(), RecordingError> {
        for p in [&self.part, &self.sidecar] {
            match fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(p, "remove")(e)),
            }
        }
        Ok(())
    }

    /// Reads back the sidecar and the audio bytes.
    pub fn read(&self) -> Result<(CallInfo, Vec<u8>), RecordingError> {
        let text = fs::read(&self.sidecar).map_err(io(&self.sidecar, "read"))?;
        let info: CallInfo =
            serde_json::from_slice(&text).map_err(|e| RecordingError::Sidecar {
                path: self.sidecar.clone(),
                reason: e.to_string(),
            })?;
        let audio = match fs::read(&self.part) {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&self.part, "read")(e)),
        };
        Ok((info, audio))
    }
}

/// An open recording.
#[derive(Debug)]
pub struct Recorder {
    files: Spooled,
    file: File,
    bytes: u64,
    last_sync: Instant,
    dirty: bool,
}

impl Recorder {
    /// Writes the sidecar (atomically: temp file, fsync, rename, fsync the folder) and
    /// creates the empty `.part`.
    pub fn create(dir: &Path, info: &CallInfo, now: Instant) -> Result<Recorder, RecordingError> {
        fs::create_dir_all(dir).map_err(io(dir, "create directory"))?;
        let stem = stem(&info.call_id);
        let sidecar = dir.join(format!("{stem}.json"));
        let part = dir.join(format!("{stem}.part"));
        let json = serde_json::to_vec_pretty(info).map_err(|e| RecordingError::Sidecar {
            path: sidecar.clone(),
            reason: e.to_string(),
        })?;
        atomic_file::write(&sidecar, &json)?;
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&part)
            .map_err(io(&part, "create"))?;
        atomic_file::sync_dir(dir)?;
        Ok(Recorder {
            files: Spooled { part, sidecar },
            file,
            bytes: 0,
            last_sync: now,
            dirty: false,
        })
    }

    /// Appends G.711 bytes (written at once, so a crash of the process loses nothing; the
    /// fsync that guards against a crash of the machine is [`Recorder::tick`]'s).
    pub fn append(&mut self, codes: &[u8]) -> Result<(), RecordingError> {
        if !codes.is_empty() {
            self.file
                .write_all(codes)
                .map_err(io(&self.files.part, "write"))?;
            self.bytes += codes.len() as u64;
            self.dirty = true;
        }
        Ok(())
    }

    /// Fsyncs if the last sync is [`SYNC_EVERY`] old (call it on a timer too).
    pub fn tick(&mut self, now: Instant) -> Result<(), RecordingError> {
        if let Some(f) = self.sync_due(now)? {
            f.sync_data().map_err(io(&self.files.part, "fsync"))?;
        }
        Ok(())
    }

    /// When a sync is due: a second handle on the file to fsync elsewhere (off the async
    /// threads), and the sync counted as done.
    pub fn sync_due(&mut self, now: Instant) -> Result<Option<File>, RecordingError> {
        if !self.dirty || now.saturating_duration_since(self.last_sync) < SYNC_EVERY {
            return Ok(None);
        }
        let f = self
            .file
            .try_clone()
            .map_err(io(&self.files.part, "duplicate the handle of"))?;
        self.last_sync = now;
        self.dirty = false;
        Ok(Some(f))
    }

    fn sync(&mut self, now: Instant) -> Result<(), RecordingError> {
        self.file
            .sync_data()
            .map_err(io(&self.files.part, "fsync"))?;
        self.last_sync = now;
        self.dirty = false;
        Ok(())
    }

    /// Samples recorded so far (one byte per G.711 sample).
    pub fn samples(&self) -> u64 {
        self.bytes
    }

    /// Syncs and closes; the files stay until [`Spooled::remove`].
    pub fn finish(mut self, now: Instant) -> Result<Spooled, RecordingError> {
        self.sync(now)?;
        Ok(self.files)
    }

    pub fn files(&self) -> &Spooled {
        &self.files
    }
}

/// Every recording under `dir` a previous run left (a sidecar; the `.part` may be missing if
/// the crash came between the two). Sorted by name.
pub fn leftovers(dir: &Path) -> Result<Vec<Spooled>, RecordingError> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir, "read directory")(e)),
    };
    let paths: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    // A sidecar whose rename never happened: no audio was recorded after it (`.tmp`: the
    // name versions before atomic_file used).
    let temp = |p: &&PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy())
            .is_some_and(|n| atomic_file::is_temp_name(&n) || n.ends_with(".tmp"))
    };
    for p in paths.iter().filter(temp) {
        let _ = fs::remove_file(p);
    }
    let mut out: Vec<Spooled> = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|sidecar| Spooled {
            part: sidecar.with_extension("part"),
            sidecar,
        })
        .collect();
    out.sort_by(|a, b| a.sidecar.cmp(&b.sidecar));
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn info() -> CallInfo {
        CallInfo {
            call_id: "abc@127.0.0.1/x".into(),
            from_number: "alice".into(),
            from_name: Some("Alice Adams".into()),
            from_address: None,
            to_name: Some("Bob Haddad".into()),
            to_address: "bob@contoso.com".into(),
            received_unix_ms: 1_700_000_000_000,
            codec: "PCMA".into(),
        }
    }

    #[test]
    fn audio_is_on_disk_as_it_arrives_and_survives_an_abandoned_recorder() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Instant::now();
        let mut r = Recorder::create(dir.path(), &info(), t0).unwrap();
        r.append(&[1u8; 160]).unwrap();
        r.tick(t0).unwrap();
        r.append(&[2u8; 160]).unwrap();
        assert!(r.sync_due(t0).unwrap().is_none());
        assert!(r.sync_due(t0 + SYNC_EVERY).unwrap().is_some());
        assert!(
            r.sync_due(t0 + SYNC_EVERY).unwrap().is_none(),
            "counted as done"
        );
        assert_eq!(r.samples(), 320);
        let name = r
            .files()
            .part
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("abc_127.0.0.1_x-"), "{name}");
        drop(r); // a crash: nothing finished
        let left = leftovers(dir.path()).unwrap();
        assert_eq!(left.len(), 1);
        let (i, audio) = left[0].read().unwrap();
        assert_eq!(i, info());
        assert_eq!(i.law(), Law::A);
        assert_eq!(audio.len(), 320);
        left[0].remove().unwrap();
        assert!(leftovers(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn finish_keeps_the_files_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Instant::now();
        let mut r = Recorder::create(dir.path(), &info(), t0).unwrap();
        r.append(&[7u8; 10]).unwrap();
        let spooled = r.finish(t0).unwrap();
        assert_eq!(spooled.read().unwrap().1, vec![7u8; 10]);
        spooled.remove().unwrap();
        assert!(!spooled.part.exists() && !spooled.sidecar.exists());
        assert!(leftovers(&dir.path().join("missing")).unwrap().is_empty());
    }

    #[test]
    fn a_sidecar_whose_rename_never_happened_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        // What a crash inside atomic_file::write leaves, and what older versions left.
        let temps = [".x_1-2.json.tmp-Ab12Cd", "y_3-4.json.tmp"];
        for name in temps {
            std::fs::write(dir.path().join(name), b"{").unwrap();
        }
        assert!(leftovers(dir.path()).unwrap().is_empty());
        for name in temps {
            assert!(!dir.path().join(name).exists(), "{name}");
        }
    }

    #[test]
    fn a_bad_sidecar_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.json"), b"{").unwrap();
        let left = leftovers(dir.path()).unwrap();
        let err = left[0].read().unwrap_err().to_string();
        assert!(
            err.contains("x.json") && err.contains("not a recording sidecar"),
            "{err}"
        );
    }
}
