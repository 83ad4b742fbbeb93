//! How umctl replaces a file so a reader or a crash sees the old contents or the new, never
//! half of either: the bytes go to a temp file in the same folder (`tempfile`, named
//! `.<name>.tmp-<random>`, removed if anything fails), the file is fsynced, renamed over the
//! target (`persist`), and the folder is fsynced so the rename itself survives a crash. Where a
//! folder cannot be opened for fsync (Windows) that last step is skipped, not an error.
//! [`move_in`] is the Maildir form of the same steps: a new file written under a name of the
//! caller's in another folder (`tmp/`) and renamed into place (`new/`).
//!
//! A leaf: std, `tempfile` and `thiserror` only. Callers map [`Error`] to their own errors.

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A step of an atomic write that failed, with the path it failed on.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {source}", path.display())]
pub struct Error {
    pub path: PathBuf,
    /// What was being done: "create directory", "create a temp file in", "write", "fsync",
    /// "rename over", "fsync directory".
    pub action: &'static str,
    #[source]
    pub source: io::Error,
}

fn fail(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error {
        path,
        action,
        source,
    }
}

/// Replaces `path` with `bytes` atomically (creating its folder when missing).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_with(path, |out| out.write_all(bytes))
}

/// Replaces `path` atomically with what `fill` writes (buffered).
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    stage(path, fill)?.commit()
}

/// A new version of a file, written and fsynced beside it, not yet in place: [`commit`]
/// renames it over the target; dropping it removes the temp file.
///
/// [`commit`]: Staged::commit
pub struct Staged {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
}

/// The first half of [`write_with`]: the temp file written and fsynced.
pub fn stage(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Staged, Error> {
    let dir = folder_of(path);
    fs::create_dir_all(dir).map_err(fail(dir, "create directory"))?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temp = temp_builder(&format!(".{name}.tmp-"))
        .tempfile_in(dir)
        .map_err(fail(dir, "create a temp file in"))?;
    let mut out = BufWriter::with_capacity(64 * 1024, temp);
    fill(&mut out).map_err(fail(path, "write"))?;
    let temp = out
        .into_inner()
        .map_err(|e| fail(path, "write")(e.into_error()))?;
    temp.as_file()
        .sync_all()
        .map_err(fail(temp.path(), "fsync"))?;
    Ok(Staged {
        temp,
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// The temp file (for a message about a crash before the rename).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Renames the temp file over the target and fsyncs the folder.
    pub fn commit(self) -> Result<(), Error> {
        let Staged { temp, path } = self;
        // On failure the PersistError holds the temp file, whose drop removes it.
        temp.persist(&path)
            .map_err(|e| fail(&path, "rename over")(e.error))?;
        sync_dir(folder_of(&path))
    }
}

/// Writes `bytes` into `temp` (which must not exist), fsyncs it, renames it to `dest` and
/// fsyncs `dest`'s folder: Maildir delivery (`tmp/` -> `new/`) and the SMTP spool. `temp` is
/// removed if any step fails.
pub fn move_in(temp: &Path, dest: &Path, bytes: &[u8]) -> Result<(), Error> {
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(fail(temp, "create"))
        .and_then(|mut f| {
            f.write_all(bytes).map_err(fail(temp, "write"))?;
            f.sync_all().map_err(fail(temp, "fsync"))
        })
        .and_then(|()| fs::rename(temp, dest).map_err(fail(dest, "rename over")));
    if let Err(e) = written {
        if e.action != "create" {
            let _ = fs::remove_file(temp);
        }
        return Err(e);
    }
    sync_dir(folder_of(dest))
}

/// Makes the creation, rename or removal of a file in `dir` durable. A no-op where a folder
/// cannot be opened for fsync (Windows).
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(fail(dir, "fsync directory"))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Whether `name` is one of the temp files [`write`] makes (`.<name>.tmp-<random>`): what a
/// crash between creating it and the rename leaves behind, for a folder's owner to remove.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Temp files get the mode `File::create` gives (0666 less the umask), not tempfile's 0600,
/// so replacing a file does not change who may read it.
fn temp_builder(prefix: &str) -> tempfile::Builder<'_, '_> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs::File;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("pin.json");
        write(&path, b"old").unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(names(&dir.path().join("sub")), ["pin.json"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forest.ldif");
        write(&path, b"old").unwrap();
        let err = write_with(&path, |out| {
            out.write_all(b"half of the new")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.action, "write");
        assert_eq!(err.path, path);
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["forest.ldif"]);
    }

    #[test]
    fn a_failed_rename_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: the rename cannot replace it.
        let path = dir.path().join("greeting.wav");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"kept").unwrap();
        let err = write(&path, b"new").unwrap_err();
        assert_eq!(err.action, "rename over");
        assert_eq!(fs::read(path.join("inside")).unwrap(), b"kept");
        assert_eq!(names(dir.path()), ["greeting.wav"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_new_file_is_readable_as_one_file_create_would_make() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts");
        write(&path, b"127.0.0.1 x\n").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        let made = dir.path().join("made");
        File::create(&made).unwrap();
        assert_eq!(mode, fs::metadata(&made).unwrap().permissions().mode());
    }

    #[test]
    fn a_temp_file_is_named_as_is_temp_name_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc.json");
        let staged = stage(&path, |out| out.write_all(b"{}")).unwrap();
        let name = staged.temp_path().file_name().unwrap().to_string_lossy();
        assert!(is_temp_name(&name), "{name}");
        assert!(!is_temp_name("abc.json") && !is_temp_name("forest.ldif"));
        drop(staged);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn move_in_renames_into_the_other_folder() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["tmp", "new"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let temp = dir.path().join("tmp").join("1.M1P1Q1.lab");
        let dest = dir.path().join("new").join("1.M1P1Q1.lab");
        move_in(&temp, &dest, b"message").unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"message");
        assert!(names(&dir.path().join("tmp")).is_empty());
    }

    #[test]
    fn move_in_refuses_an_existing_temp_and_a_failed_rename_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("taken");
        fs::write(&temp, b"someone else's").unwrap();
        let err = move_in(&temp, &dir.path().join("dest"), b"x").unwrap_err();
        assert_eq!(err.action, "create");
        assert_eq!(fs::read(&temp).unwrap(), b"someone else's");

        let temp = dir.path().join("mine");
        let err = move_in(&temp, &dir.path().join("no-such-folder").join("dest"), b"x");
        assert_eq!(err.unwrap_err().action, "rename over");
        assert!(!temp.exists());
    }
}
