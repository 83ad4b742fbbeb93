//! The lab folder on disk: where each file lives, the advisory lock that serializes writers,
//! and the atomic write (temp file, fsync, rename, fsync of the folder) that makes a crash or a
//! concurrent umctl process unable to corrupt or lose a change.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::atomic_file;
use crate::directory::{DirectoryError, Result};

/// The crash point of the crash test (see `directory::fault`): abort after the new forest is
/// written and synced, before it replaces the old one.
const CRASH_BEFORE_RENAME: &str = "lab-crash-before-rename";

/// The files of a lab folder.
#[derive(Clone, Debug)]
pub struct LabPaths {
    root: PathBuf,
}

impl LabPaths {
    pub fn new(root: impl Into<PathBuf>) -> LabPaths {
        LabPaths { root: root.into() }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The whole forest as one LDIF file.
    pub fn forest(&self) -> PathBuf {
        self.root.join("forest.ldif")
    }
    /// The on-disk index of the forest (see `disk_index`); rebuilt whenever it is stale.
    pub fn index(&self) -> PathBuf {
        self.root.join("forest.idx")
    }
    /// FQDN to loopback address table, /etc/hosts format.
    pub fn hosts(&self) -> PathBuf {
        self.root.join("hosts")
    }
    /// Per-user mailbox folders: `mailboxes/<sAMAccountName>/`.
    pub fn mailboxes(&self) -> PathBuf {
        self.root.join("mailboxes")
    }
    /// Earlier forests kept by import and reset.
    pub fn backups(&self) -> PathBuf {
        self.root.join("backups")
    }
    fn lock(&self) -> PathBuf {
        self.root.join("lab.lock")
    }
}

/// The first line of every forest file umctl writes: `# umctl lab forest, generation N`.
/// Each save increments N, so a writer that holds the lock and finds a generation other than
/// the one it loaded knows another process changed the forest and reloads before changing it.
/// (File metadata is not enough: inodes are reused and mtimes are coarse.)
pub const GENERATION_PREFIX: &str = "# umctl lab forest, generation ";

/// The generation recorded in a forest file's first line; `None` when the file does not exist,
/// 0 when the file has no generation line (hand-written or imported).
pub fn read_generation(path: &Path) -> Result<Option<u64>> {
    use std::io::Read;
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DirectoryError::io(path, e)),
    };
    let mut head = [0u8; 80];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => return Err(DirectoryError::io(path, e)),
        }
    }
    Ok(Some(parse_generation(&head[..filled]).unwrap_or(0)))
}

/// The generation in the first line of `head`, if it is a generation line.
pub fn parse_generation(head: &[u8]) -> Option<u64> {
    let line = head.split(|b| *b == b'\n').next()?;
    let rest = line.strip_prefix(GENERATION_PREFIX.as_bytes())?;
    std::str::from_utf8(rest).ok()?.trim().parse().ok()
}

/// An exclusive advisory lock on the lab folder, held while a writer reads, changes and saves
/// the forest. Dropped (and released) at the end of the write.
pub struct WriteLock {
    _file: File,
}

impl WriteLock {
    pub fn acquire(paths: &LabPaths) -> Result<WriteLock> {
        fs::create_dir_all(paths.root()).map_err(|e| DirectoryError::io(paths.root(), e))?;
        let path = paths.lock();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| read_only_or_io(paths, &path, e))?;
        file.lock().map_err(|e| DirectoryError::io(&path, e))?;
        remove_stale_temp_files(paths.root());
        Ok(WriteLock { _file: file })
    }
}

/// Refuses a lab folder umctl cannot write to (by trying: permission bits say nothing to
/// root, a read-only mount says nothing to them).
pub fn check_writable(paths: &LabPaths) -> Result<()> {
    let probe = paths
        .root()
        .join(format!(".write-probe-{}", std::process::id()));
    match OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(read_only_or_io(paths, &probe, e)),
    }
}

/// A failed write in the lab folder: "read-only" when permissions or the mount say so.
fn read_only_or_io(paths: &LabPaths, path: &Path, e: std::io::Error) -> DirectoryError {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            DirectoryError::ReadOnlyLab {
                path: paths.root().to_path_buf(),
            }
        }
        _ => DirectoryError::io(path, e),
    }
}

/// Temp files left by a writer that crashed before its rename. Only called under the lock, so
/// no live writer owns them.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        if entry.file_name().to_string_lossy().contains(".tmp-") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `path` atomically ([`crate::atomic_file`]): a temp file beside it, synced, then
/// renamed over `path`, and the folder synced so the rename itself survives a crash.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let io = |e: atomic_file::Error| DirectoryError::io(e.path, e.source);
    let staged = atomic_file::stage(path, write).map_err(io)?;
    if crate::directory::fault::crash_requested(CRASH_BEFORE_RENAME) {
        tracing::error!(
            "fault injection: aborting before renaming {}",
            staged.temp_path().display()
        );
        std::process::abort();
    }
    staged.commit().map_err(io)
}

/// A timestamp for backup names, sortable: `20261126T225322.123Z`.
pub fn backup_stamp() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm; a date crate for one
/// file name would be overkill).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_783), (2026, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        fs::write(&path, "old").unwrap();
        write_atomically(&path, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file may remain");
    }

    #[test]
    fn generation_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forest.ldif");
        assert_eq!(read_generation(&path).unwrap(), None);
        fs::write(&path, format!("{GENERATION_PREFIX}41\nversion: 1\n")).unwrap();
        assert_eq!(read_generation(&path).unwrap(), Some(41));
        fs::write(&path, "version: 1\n").unwrap();
        assert_eq!(read_generation(&path).unwrap(), Some(0));
    }
}
