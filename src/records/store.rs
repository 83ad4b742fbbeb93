//! Where call records live: `<folder>/YYYY-MM-DD.jsonl`, one JSON object per line, one file
//! per UTC day (the day of the call's Date). Appends are one `write` of a whole line on a
//! file opened for appending, then `fsync`; a crash can still cut the last line short, so an
//! append first ends a torn last line with a newline (the torn line stays unreadable and
//! every line after it is whole), and a reader skips and reports lines it cannot parse.
//! Files whose day is older than `keep_days` are removed ([`CallStore::prune`]).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;

use super::{utc_timestamp, CallRecord};

/// Exchange keeps call data records for 90 days.
pub const DEFAULT_KEEP_DAYS: u32 = 90;

/// The records folder of one serve (or one reader).
pub struct CallStore {
    dir: PathBuf,
    /// Serialises this process's appends (each is one write; the lock keeps the torn-line
    /// check and the write together).
    append: Mutex<()>,
}

/// What a read found.
#[derive(Debug)]
pub struct ReadResult<T> {
    pub records: Vec<T>,
    /// Lines that are not a record (a torn last line after a crash): file and line number.
    pub skipped: Vec<(PathBuf, usize)>,
}

impl CallStore {
    pub fn new(dir: impl Into<PathBuf>) -> CallStore {
        CallStore {
            dir: dir.into(),
            append: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of the day `date` (a record's Date) falls on.
    fn file_for(&self, date: &str) -> PathBuf {
        let day = date.get(..10).unwrap_or("unknown-day");
        self.dir.join(format!("{day}.jsonl"))
    }

    /// Appends `record` to its day's file, durably.
    pub fn append(&self, record: &CallRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let path = self.file_for(&record.date);
        let _guard = match self.append.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        std::fs::create_dir_all(&self.dir)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)?;
        if ends_torn(&mut file)? {
            line.insert(0, b'\n');
        }
        file.write_all(&line)?;
        file.sync_data()
    }

    /// The day files, oldest first.
    pub fn files(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| day_of(p).is_some())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        files.sort();
        Ok(files)
    }

    /// Every record (as `T`: [`CallRecord`], or a leaner row) of the days from `since` to
    /// `until` (`YYYY-MM-DD...` prefixes; `None`: open), in file order.
    pub fn read<T: DeserializeOwned>(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> std::io::Result<ReadResult<T>> {
        let mut records = Vec::new();
        let skipped = self.for_each(since, until, |r| records.push(r))?;
        Ok(ReadResult { records, skipped })
    }

    /// Hands every record of the days from `since` to `until` to `f` without keeping them;
    /// the lines skipped.
    pub fn for_each<T: DeserializeOwned>(
        &self,
        since: Option<&str>,
        until: Option<&str>,
        mut f: impl FnMut(T),
    ) -> std::io::Result<Vec<(PathBuf, usize)>> {
        let mut skipped = Vec::new();
        for path in self.files()? {
            let day = day_of(&path).unwrap_or_default();
            if since.is_some_and(|s| day < s.get(..10).unwrap_or(s))
                || until.is_some_and(|u| day > u.get(..10).unwrap_or(u))
            {
                continue;
            }
            read_file(&path, &mut f, &mut skipped)?;
        }
        Ok(skipped)
    }

    /// The record of `call_id`, newest file first (the live trace's look-up).
    pub fn find(&self, call_id: &str) -> std::io::Result<Option<CallRecord>> {
        for path in self.files()?.iter().rev() {
            let mut found = None;
            read_file(
                path,
                &mut |r: CallRecord| {
                    if r.call_identity == call_id {
                        found = Some(r);
                    }
                },
                &mut Vec::new(),
            )?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Removes the day files older than `keep_days` before `now`; the files removed.
    pub fn prune(&self, keep_days: u32, now: SystemTime) -> std::io::Result<Vec<PathBuf>> {
        let cutoff = now
            .checked_sub(Duration::from_secs(u64::from(keep_days) * 86_400))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let first_kept = utc_timestamp(cutoff);
        let first_kept = first_kept.get(..10).unwrap_or_default();
        let mut removed = Vec::new();
        for path in self.files()? {
            if day_of(&path).is_some_and(|d| d < first_kept) {
                std::fs::remove_file(&path)?;
                removed.push(path);
            }
        }
        Ok(removed)
    }
}

/// Whether a non-empty file's last byte is not a newline.
fn ends_torn(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// `YYYY-MM-DD` of a day file's name.
fn day_of(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let day = name.strip_suffix(".jsonl")?;
    (day.len() == 10 && day.as_bytes()[4] == b'-').then_some(day)
}

fn read_file<T: DeserializeOwned>(
    path: &Path,
    f: &mut impl FnMut(T),
    skipped: &mut Vec<(PathBuf, usize)>,
) -> std::io::Result<()> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(1024);
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.is_empty() {
            continue;
        }
        match serde_json::from_slice(text) {
            Ok(r) => f(r),
            Err(_) => skipped.push((path.to_path_buf(), number)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn record(date: &str, id: &str) -> CallRecord {
        CallRecord {
            date: date.into(),
            call_identity: id.into(),
            ..CallRecord::default()
        }
    }

    #[test]
    fn records_go_to_their_day_and_a_torn_line_is_skipped_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = CallStore::new(dir.path().join("calls"));
        store
            .append(&record("2026-12-03T23:59:59.000Z", "a"))
            .unwrap();
        store
            .append(&record("2026-12-04T00:00:01.000Z", "b"))
            .unwrap();
        // A crash in the middle of a line.
        let day = dir.path().join("calls").join("2026-12-04.jsonl");
        let mut f = OpenOptions::new().append(true).open(&day).unwrap();
        f.write_all(b"{\"Date\":\"2026-12-04T0").unwrap();
        drop(f);
        store
            .append(&record("2026-12-04T00:00:02.000Z", "c"))
            .unwrap();
        let all: ReadResult<CallRecord> = store.read(None, None).unwrap();
        let ids: Vec<&str> = all
            .records
            .iter()
            .map(|r| r.call_identity.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(all.skipped, vec![(day.clone(), 2)]);
        let one: ReadResult<CallRecord> = store.read(Some("2026-12-04"), None).unwrap();
        assert_eq!(one.records.len(), 2);
        assert_eq!(store.find("c").unwrap().unwrap().call_identity, "c");
        assert!(store.find("zzz").unwrap().is_none());
    }

    #[test]
    fn prune_removes_days_older_than_keep_days() {
        let dir = tempfile::tempdir().unwrap();
        let store = CallStore::new(dir.path());
        store
            .append(&record("2026-09-01T10:00:00.000Z", "old"))
            .unwrap();
        store
            .append(&record("2026-09-06T10:00:00.000Z", "kept"))
            .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a day file").unwrap();
        // 2026-12-04 less 90 days is 2026-09-05.
        let now = UNIX_EPOCH + Duration::from_secs(1_796_422_200);
        let removed = store.prune(90, now).unwrap();
        assert_eq!(removed, vec![dir.path().join("2026-09-01.jsonl")]);
        assert_eq!(store.files().unwrap().len(), 1);
        assert!(dir.path().join("notes.txt").exists());
    }
}
