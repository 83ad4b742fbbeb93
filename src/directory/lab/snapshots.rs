//! Snapshots of the lab forest in `backups/`: one before every write, so no change is ever
//! lost. Each is a folder named by its time (`20261204T221242.689Z`) holding the forest file as
//! it was, the hosts table, and `about.json` (the command that was about to write, the object
//! count). Only the newest N are kept (`backups/keep`, default 20).
//!
//! The forest file is kept as a hard link (a copy where the file system has none): free, where
//! a copy of a 100,000-user forest is 107 MB per write. It is safe because every write then
//! replaces `forest.ldif` by renaming a new file over it, so the snapshot is the only name
//! left on the old content, and a later hand edit in place (`head > forest.ldif`, an editor)
//! changes the new file, never a snapshot. Where the two would stay one file, a save that
//! fails after the snapshot, [`unshare`] separates them (the writers call it); after a crash
//! between the snapshot and the rename, the next write does (until then, an edit in place
//! would change that newest snapshot too).

use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::directory::lab::store::{self, LabPaths};
use crate::directory::{DirectoryError, Result};

/// How many snapshots a lab keeps when `backups/keep` does not say.
pub const DEFAULT_KEEP: usize = 20;

const ABOUT: &str = "about.json";
const KEEP_FILE: &str = "keep";

/// One snapshot, as `lab backups` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub id: String,
    /// `2026-12-04 22:12:42 UTC`.
    pub time: String,
    /// The command that was about to write (or "lab reset", "lab init --force").
    pub command: String,
    pub objects: Option<usize>,
    /// True when the snapshot holds the mailboxes too (reset and init --force move them).
    pub mailboxes: bool,
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct About {
    command: String,
    objects: Option<usize>,
}

/// The command line of this process, for the snapshot list (umctl never takes a secret on its
/// command line); shortened to a readable length.
pub fn this_command() -> String {
    let words: Vec<String> = std::iter::once("umctl".to_string())
        .chain(std::env::args().skip(1))
        .collect();
    let line = words.join(" ");
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

/// Keeps the current forest (and hosts table) as a new snapshot, then prunes the oldest
/// beyond the lab's limit. `None` when there is no forest yet. The caller holds the lock.
pub fn take(paths: &LabPaths, command: &str, objects: Option<usize>) -> Result<Option<String>> {
    let forest = paths.forest();
    if !forest.exists() {
        return Ok(None);
    }
    // A writer that crashed between its snapshot and its rename left the two as one file.
    if let Some(last) = newest(paths)? {
        unshare(paths, &last.id)?;
    }
    let (id, dir) = new_dir(paths)?;
    let target = dir.join("forest.ldif");
    if fs::hard_link(&forest, &target).is_err() {
        fs::copy(&forest, &target).map_err(|e| DirectoryError::io(&forest, e))?;
    }
    let hosts = paths.hosts();
    if hosts.exists() {
        fs::copy(&hosts, dir.join("hosts")).map_err(|e| DirectoryError::io(&hosts, e))?;
    }
    write_about(&dir, command, objects)?;
    prune(paths, keep(paths))?;
    Ok(Some(id))
}

/// Makes snapshot `id`'s forest a file of its own when it is still the lab's `forest.ldif`
/// (a save failed after [`take`] linked it), so an edit in place cannot change the snapshot.
pub fn unshare(paths: &LabPaths, id: &str) -> Result<()> {
    let kept = paths.backups().join(id).join("forest.ldif");
    if !same_file(&kept, &paths.forest()) {
        return Ok(());
    }
    let mut shared = fs::File::open(&kept).map_err(|e| DirectoryError::io(&kept, e))?;
    store::write_atomically(&kept, |out| std::io::copy(&mut shared, out).map(drop))
}

/// Whether two paths name the same file (one inode).
#[cfg(unix)]
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &std::path::Path, _b: &std::path::Path) -> bool {
    false
}

/// A new, empty snapshot folder named by the current time.
pub fn new_dir(paths: &LabPaths) -> Result<(String, PathBuf)> {
    let stamp = store::backup_stamp();
    let mut id = stamp.clone();
    let mut n = 1;
    while paths.backups().join(&id).exists() {
        n += 1;
        id = format!("{stamp}-{n}");
    }
    let dir = paths.backups().join(&id);
    fs::create_dir_all(&dir).map_err(|e| DirectoryError::io(&dir, e))?;
    Ok((id, dir))
}

/// Records what a snapshot is.
pub fn write_about(dir: &std::path::Path, command: &str, objects: Option<usize>) -> Result<()> {
    let about = About {
        command: command.to_string(),
        objects,
    };
    let path = dir.join(ABOUT);
    let text = serde_json::to_string(&about).unwrap_or_default();
    fs::write(&path, text).map_err(|e| DirectoryError::io(&path, e))
}

/// Every snapshot, oldest first.
pub fn list(paths: &LabPaths) -> Result<Vec<Snapshot>> {
    let root = paths.backups();
    let read = match fs::read_dir(&root) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(DirectoryError::io(&root, e)),
    };
    let mut all: Vec<Snapshot> = read
        .flatten()
        .filter(|e| e.path().join("forest.ldif").exists())
        .map(|e| describe(e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all)
}

fn describe(id: String, dir: PathBuf) -> Snapshot {
    let about: Option<About> = fs::read(dir.join(ABOUT))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let objects = about.as_ref().and_then(|a| a.objects).or_else(|| {
        let head = read_head(&dir.join("forest.ldif"));
        super::integrity::HeaderCheck::of(&head).claimed_objects
    });
    Snapshot {
        time: time_of(&id),
        command: about.map_or_else(|| "(before umctl recorded commands)".into(), |a| a.command),
        objects,
        mailboxes: dir.join("mailboxes").is_dir(),
        id,
        dir,
    }
}

/// The first bytes of a file (its header).
fn read_head(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::new();
    if let Ok(file) = fs::File::open(path) {
        let _ = file.take(1024).read_to_end(&mut head);
    }
    head
}

/// `20261204T221242.689Z` -> `2026-12-04 22:12:42 UTC`.
fn time_of(id: &str) -> String {
    let b = id.as_bytes();
    if b.len() < 15 || b[8] != b'T' {
        return id.to_string();
    }
    format!(
        "{}-{}-{} {}:{}:{} UTC",
        &id[0..4],
        &id[4..6],
        &id[6..8],
        &id[9..11],
        &id[11..13],
        &id[13..15]
    )
}

/// The snapshot `id`, or an error that says how to list them.
pub fn find(paths: &LabPaths, id: &str) -> Result<Snapshot> {
    list(paths)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| DirectoryError::Lab {
            path: paths.backups(),
            message: format!(
                "no snapshot '{id}'; `umctl lab backups` lists them (expected an ID such as 20261204T221242.689Z)"
            ),
        })
}

/// The newest snapshot, if any.
pub fn newest(paths: &LabPaths) -> Result<Option<Snapshot>> {
    Ok(list(paths)?.pop())
}

/// How many snapshots the lab keeps.
pub fn keep(paths: &LabPaths) -> usize {
    fs::read_to_string(paths.backups().join(KEEP_FILE))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_KEEP)
}

/// Sets how many snapshots the lab keeps (at least 1) and prunes now; returns how many went.
pub fn set_keep(paths: &LabPaths, keep: usize) -> Result<usize> {
    let dir = paths.backups();
    fs::create_dir_all(&dir).map_err(|e| DirectoryError::io(&dir, e))?;
    let path = dir.join(KEEP_FILE);
    fs::write(&path, format!("{keep}\n")).map_err(|e| DirectoryError::io(&path, e))?;
    prune(paths, keep)
}

/// Removes the oldest snapshots beyond `keep`; returns how many went.
pub fn prune(paths: &LabPaths, keep: usize) -> Result<usize> {
    let all = list(paths)?;
    let excess = all.len().saturating_sub(keep.max(1));
    for old in &all[..excess] {
        fs::remove_dir_all(&old.dir).map_err(|e| DirectoryError::io(&old.dir, e))?;
    }
    Ok(excess)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_kept_up_to_the_limit_oldest_first_out() {
        let dir = tempfile::tempdir().unwrap();
        let paths = LabPaths::new(dir.path());
        assert_eq!(
            take(&paths, "x", None).unwrap(),
            None,
            "no forest, no snapshot"
        );
        set_keep(&paths, 3).unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            // As every writer replaces the forest: a new file renamed over it.
            let text = format!("forest {i}");
            store::write_atomically(&paths.forest(), |w| w.write_all(text.as_bytes())).unwrap();
            ids.push(
                take(&paths, &format!("write {i}"), Some(i))
                    .unwrap()
                    .unwrap(),
            );
        }
        let left = list(&paths).unwrap();
        assert_eq!(
            left.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            ids[2..].to_vec()
        );
        assert_eq!(left[0].command, "write 2");
        assert_eq!(left[0].objects, Some(2));
        let kept = fs::read_to_string(left[0].dir.join("forest.ldif")).unwrap();
        assert_eq!(kept, "forest 2", "a snapshot keeps the forest as it was");
        assert!(find(&paths, "nope")
            .unwrap_err()
            .to_string()
            .contains("lab backups"));
    }

    /// A snapshot shares no content with the forest once the write renamed a new file over
    /// it; after a failed save, `unshare` separates them; either way an edit in place of
    /// `forest.ldif` leaves the snapshot as it was.
    #[test]
    fn an_edit_in_place_never_changes_a_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let paths = LabPaths::new(dir.path());
        fs::write(paths.forest(), "old").unwrap();
        let saved = take(&paths, "write", None).unwrap().unwrap();
        store::write_atomically(&paths.forest(), |w| w.write_all(b"new")).unwrap();
        fs::write(paths.forest(), "edited in place").unwrap();
        let kept = paths.backups().join(&saved).join("forest.ldif");
        assert_eq!(fs::read_to_string(&kept).unwrap(), "old");

        let failed = take(&paths, "write that fails", None).unwrap().unwrap();
        let kept = paths.backups().join(&failed).join("forest.ldif");
        assert!(same_file(&kept, &paths.forest()));
        unshare(&paths, &failed).unwrap();
        assert!(!same_file(&kept, &paths.forest()));
        // A crash after the snapshot: the next snapshot separates the one left linked.
        let crashed = take(&paths, "write that crashes", None).unwrap().unwrap();
        let crashed = paths.backups().join(&crashed).join("forest.ldif");
        take(&paths, "next write", None).unwrap().unwrap();
        assert!(!same_file(&crashed, &paths.forest()));
        fs::write(paths.forest(), "edited again").unwrap();
        assert_eq!(fs::read_to_string(&kept).unwrap(), "edited in place");
    }

    #[test]
    fn times_read_from_ids() {
        assert_eq!(time_of("20261204T221242.689Z"), "2026-12-04 22:12:42 UTC");
        assert_eq!(time_of("odd"), "odd");
    }
}
