//! The embedded lab directory: a whole `contoso.com` forest kept in a folder, so every umctl
//! command runs on a fresh machine with no Windows and no domain controller.
//!
//! The folder holds `forest.ldif` (the forest as one RFC 2849 file), `hosts` (a loopback
//! address per lab FQDN), `mailboxes/<sAMAccountName>/` (greetings, recorded names, PINs and
//! delivered messages) and `backups/` (a snapshot before every write, see `snapshots`). Only
//! `lab init` (seeded from `fixtures/lab/`, compiled into the binary) and `lab import` create a
//! lab; every other command refuses a folder that holds none. Writers take an advisory lock,
//! reload when another process saved in the meantime, check the contract, keep a snapshot and
//! save atomically; readers never see a half-written file. A forest file that does not match
//! its own header (count, digest) is refused, never read nor overwritten (see `integrity`).

pub mod copy;
pub mod diff;
pub mod disk_index;
pub mod forest;
pub mod hosts;
pub mod indexed;
pub mod integrity;
pub mod positioned;
pub mod seed;
pub mod snapshots;
pub mod store;
pub mod trusted_load;
pub mod view;

use std::cell::Cell;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

pub use forest::Forest;
pub use hosts::{Host, HostsTable};
pub use store::LabPaths;
pub use view::ForestView;

use crate::directory::ldif::{self, LdifWriter, RecordBody};
use crate::directory::model::attrs::NT_SECURITY_DESCRIPTOR;
use crate::directory::security::{Acl, SecurityDescriptor, Sid};
use crate::directory::{
    ApplyError, Change, Directory, DirectoryError, Dn, Entry, Filter, ModOp, Modification,
    NamingContexts, Result, Scope,
};
use store::{read_generation, write_atomically, WriteLock, GENERATION_PREFIX};

/// How often a long-running reader (serve) looks for changes saved by other processes.
const REFRESH_INTERVAL: Duration = Duration::from_millis(500);

struct State {
    forest: ForestView,
    generation: u64,
    checked: Instant,
}

/// The lab directory. Cheap to share: reads take a read lock on the in-memory forest.
pub struct LabDirectory {
    paths: LabPaths,
    /// Whether reads go through the on-disk index (else the whole forest is in memory).
    indexed_reads: bool,
    state: RwLock<State>,
}

/// What `init` did.
#[derive(Debug, serde::Serialize)]
pub struct InitOutcome {
    pub path: PathBuf,
    /// False when the lab already existed and was kept.
    pub created: bool,
    pub objects: usize,
    /// Where the previous forest and mailboxes went (with `--force`).
    pub backup: Option<PathBuf>,
}

/// What `import` did.
#[derive(Debug, serde::Serialize)]
pub struct ImportOutcome {
    pub path: PathBuf,
    pub objects: usize,
    pub backup: Option<PathBuf>,
    pub new_hosts: Vec<Host>,
}

/// What `restore` and `accept_edit` did.
#[derive(Debug, serde::Serialize)]
pub struct RestoreOutcome {
    pub path: PathBuf,
    pub objects: usize,
    /// The snapshot of the forest that was replaced (so the restore can be undone).
    pub backup: Option<String>,
}

/// What `apply_ldif` did.
#[derive(Debug, serde::Serialize)]
pub struct ApplyOutcome {
    pub changes: usize,
    pub new_hosts: Vec<Host>,
}

impl LabDirectory {
    /// Opens the lab at `root` (a folder without a lab is refused: only `init` and `import`
    /// create one). Reads go through the on-disk index and parse only the objects they read:
    /// the quickest start for a command that reads a few objects.
    pub fn open(root: impl Into<PathBuf>) -> Result<LabDirectory> {
        Self::open_with(root, true)
    }

    /// [`LabDirectory::open`] with the whole forest in memory, for a long-running reader
    /// (serve): a slower start, then lookups that are a hash probe instead of reads of the
    /// index file.
    pub fn open_in_memory(root: impl Into<PathBuf>) -> Result<LabDirectory> {
        Self::open_with(root, false)
    }

    fn open_with(root: impl Into<PathBuf>, indexed_reads: bool) -> Result<LabDirectory> {
        let paths = existing(root)?;
        let (forest, generation) = load_for_reads(&paths, indexed_reads)?;
        Ok(LabDirectory {
            paths,
            indexed_reads,
            state: RwLock::new(State {
                forest,
                generation,
                checked: Instant::now(),
            }),
        })
    }

    /// Creates the lab at `root` from the fixtures when it holds none, then opens it (tests
    /// and benchmarks start from the built-in forest this way).
    pub fn init_and_open(root: impl Into<PathBuf>) -> Result<LabDirectory> {
        let root = root.into();
        Self::init(&root, false)?;
        Self::open(root)
    }

    /// Refuses a lab folder umctl cannot write to, before any plan is made.
    pub fn check_writable(&self) -> Result<()> {
        store::check_writable(&self.paths)
    }

    /// Creates the lab at `root` from the fixtures. An existing lab is kept unless `force`,
    /// which moves it to `backups/` first.
    pub fn init(root: impl Into<PathBuf>, force: bool) -> Result<InitOutcome> {
        let paths = LabPaths::new(root);
        let _lock = WriteLock::acquire(&paths)?;
        let exists = read_generation(&paths.forest())?.is_some();
        if exists && !force {
            let (forest, _) = load(&paths)?;
            return Ok(InitOutcome {
                path: paths.root().to_path_buf(),
                created: false,
                objects: forest.len(),
                backup: None,
            });
        }
        let backup = if exists {
            Some(back_up(&paths, true)?)
        } else {
            None
        };
        let objects = seed::write_seed(&paths)?;
        Ok(InitOutcome {
            path: paths.root().to_path_buf(),
            created: true,
            objects,
            backup,
        })
    }

    /// Puts the lab back to the seeded state; the old forest and mailboxes go to `backups/`.
    pub fn reset(root: impl Into<PathBuf>) -> Result<InitOutcome> {
        let paths = existing(root)?;
        Self::init(paths.root(), true)
    }

    /// Replaces the forest with an LDIF file of content records, after checking every record
    /// against the contract and the whole (a domain, the configuration naming context, every
    /// parent; a header's count and digest, for an export). A bad file changes nothing and the
    /// error names its line. The old forest is kept in `backups/`; new FQDNs get lab addresses.
    /// Creates the lab when `root` holds none.
    pub fn import(
        root: impl Into<PathBuf>,
        bytes: &[u8],
        source_name: &str,
    ) -> Result<ImportOutcome> {
        let paths = LabPaths::new(root);
        integrity::check_import_header(bytes, source_name)?;
        let forest = forest_from_ldif(bytes, source_name)?;
        integrity::check_whole(&forest, source_name)?;
        let _lock = WriteLock::acquire(&paths)?;
        let previous = read_generation(&paths.forest())?;
        let mut hosts = read_hosts(&paths)?;
        let new_hosts = assign_hosts(&mut hosts, forest.iter());
        let backup = snapshot_and_save(&paths, None, &forest, previous.unwrap_or(0) + 1)?
            .map(|id| paths.backups().join(id));
        write_hosts(&paths, &hosts)?;
        fs::create_dir_all(paths.mailboxes())
            .map_err(|e| DirectoryError::io(paths.mailboxes(), e))?;
        Ok(ImportOutcome {
            path: paths.root().to_path_buf(),
            objects: forest.len(),
            backup,
            new_hosts,
        })
    }

    /// Replaces the forest with entries read elsewhere (a real AD), through the same checks
    /// and backup as a file import.
    pub fn import_entries(
        root: impl Into<PathBuf>,
        entries: &[Entry],
        source_name: &str,
    ) -> Result<ImportOutcome> {
        let mut bytes = Vec::new();
        {
            let mut writer = LdifWriter::new(&mut bytes)
                .map_err(|e| DirectoryError::io("(memory)", e))?
                .unfolded();
            for entry in entries {
                writer
                    .entry(entry)
                    .map_err(|e| DirectoryError::io("(memory)", e))?;
            }
            writer
                .flush()
                .map_err(|e| DirectoryError::io("(memory)", e))?;
        }
        Self::import(root, &bytes, source_name)
    }

    pub fn paths(&self) -> &LabPaths {
        &self.paths
    }

    /// Checks a hand-edited forest file in full (each object and the whole forest) and stamps
    /// it with its count and digest, so it is read again; a file that already matches its
    /// header is left alone. Works on a lab that refuses to open for that very reason.
    pub fn accept_edit(root: impl Into<PathBuf>) -> Result<RestoreOutcome> {
        let paths = existing(root)?;
        store::check_writable(&paths)?;
        let _lock = WriteLock::acquire(&paths)?;
        let (bytes, generation) = read_forest(&paths)?;
        let name = paths.forest().display().to_string();
        let forest = forest_from_ldif(&bytes, &name)?;
        integrity::check_whole(&forest, &name)?;
        if trusted_load::trusted(&bytes).is_none() {
            save(&paths, &forest, generation + 1)?;
        }
        Ok(RestoreOutcome {
            path: paths.root().to_path_buf(),
            objects: forest.len(),
            backup: None,
        })
    }

    /// Brings back the forest of snapshot `id`; the forest it replaces is kept as a snapshot
    /// first, so a restore can be undone by another.
    pub fn restore(root: impl Into<PathBuf>, id: &str) -> Result<RestoreOutcome> {
        let paths = existing(root)?;
        store::check_writable(&paths)?;
        let _lock = WriteLock::acquire(&paths)?;
        let snapshot = snapshots::find(&paths, id)?;
        let forest = load_snapshot(&snapshot)?;
        let generation = read_generation(&paths.forest())?.unwrap_or(0);
        let backup = snapshot_and_save(&paths, None, &forest, generation + 1)?;
        let mut hosts = read_hosts(&paths)?;
        if !assign_hosts(&mut hosts, forest.iter()).is_empty() {
            write_hosts(&paths, &hosts)?;
        }
        Ok(RestoreOutcome {
            path: paths.root().to_path_buf(),
            objects: forest.len(),
            backup,
        })
    }

    /// Every object of snapshot `id` (or the newest), for a comparison, with its ID.
    pub fn snapshot_entries(&self, id: Option<&str>) -> Result<(String, Vec<Entry>)> {
        let snapshot = match id {
            Some(id) => snapshots::find(&self.paths, id)?,
            None => snapshots::newest(&self.paths)?.ok_or_else(|| DirectoryError::Lab {
                path: self.paths.backups(),
                message: "no snapshots yet (one is kept before every write); give an LDIF file or --ldap to compare with".into(),
            })?,
        };
        let forest = load_snapshot(&snapshot)?;
        Ok((snapshot.id, forest.iter().cloned().collect()))
    }

    /// Every object of the lab, for a comparison.
    pub fn all_entries(&self) -> Result<Vec<Entry>> {
        self.search(
            &Dn::root(),
            Scope::Subtree,
            &Filter::present("objectClass"),
            &[],
        )
    }

    pub fn object_count(&self) -> usize {
        self.read_state().map_or(0, |s| s.forest.len())
    }

    /// Writes the whole forest as LDIF (what `umctl lab export` prints), with a header that
    /// records its object count and digest, so an import can tell a file cut short.
    pub fn export(&self, out: &mut dyn Write) -> Result<()> {
        let state = self.read_state()?;
        let mut body = Vec::new();
        write_view(&mut body, &state.forest).map_err(|e| DirectoryError::io("(memory)", e))?;
        writeln!(
            out,
            "{}{} objects from {}\n{}{}",
            integrity::EXPORT_COUNT_PREFIX,
            state.forest.len(),
            self.paths.root().display(),
            trusted_load::DIGEST_PREFIX,
            trusted_load::digest(&body)
        )
        .and_then(|()| out.write_all(&body))
        .map_err(|e| DirectoryError::io("(output)", e))
    }

    /// Applies LDIF change records (as `ldapmodify` would) in one atomic save: all of them or
    /// none.
    pub fn apply_ldif(&self, bytes: &[u8], source_name: &str) -> Result<ApplyOutcome> {
        let changes = changes_from_ldif(bytes, source_name)?;
        self.apply(&changes.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>())
            .map_err(|e| {
                let line = changes.get(e.step.saturating_sub(1)).map_or(0, |(l, _)| *l);
                DirectoryError::AtLine {
                    source_name: source_name.to_string(),
                    line,
                    error: e.error,
                }
            })?;
        let new_hosts = self.refresh_hosts()?;
        Ok(ApplyOutcome {
            changes: changes.len(),
            new_hosts,
        })
    }

    /// The hosts table.
    pub fn hosts(&self) -> Result<HostsTable> {
        read_hosts(&self.paths)
    }

    /// Gives lab addresses to FQDNs that appeared since the table was written.
    fn refresh_hosts(&self) -> Result<Vec<Host>> {
        let _lock = WriteLock::acquire(&self.paths)?;
        let mut hosts = read_hosts(&self.paths)?;
        let added = assign_hosts(&mut hosts, self.read_state()?.forest.iter());
        if !added.is_empty() {
            write_hosts(&self.paths, &hosts)?;
        }
        Ok(added)
    }

    /// The in-memory forest, reloaded first when another process saved since we last looked.
    fn read_state(&self) -> Result<RwLockReadGuard<'_, State>> {
        {
            let state = self.state.read().map_err(|_| self.poisoned())?;
            if state.checked.elapsed() < REFRESH_INTERVAL {
                return Ok(state);
            }
        }
        let mut state = self.state.write().map_err(|_| self.poisoned())?;
        let on_disk = read_generation(&self.paths.forest())?;
        if on_disk.is_some_and(|g| g != state.generation) {
            let (forest, generation) = load_for_reads(&self.paths, self.indexed_reads)?;
            state.forest = forest;
            state.generation = generation;
        }
        state.checked = Instant::now();
        drop(state);
        self.state.read().map_err(|_| self.poisoned())
    }

    /// One writer at a time across processes: lock, reload if someone else saved, change,
    /// save atomically. `change` must leave the forest untouched when it fails (the `Forest`
    /// operations do).
    fn write<T>(&self, change: impl FnOnce(&mut Forest) -> Result<T>) -> Result<T> {
        let _lock = WriteLock::acquire(&self.paths)?;
        let mut state = self.state.write().map_err(|_| self.poisoned())?;
        let on_disk =
            read_generation(&self.paths.forest())?.ok_or_else(|| DirectoryError::Lab {
                path: self.paths.root().to_path_buf(),
                message: "forest.ldif disappeared; run `umctl lab init`".into(),
            })?;
        // A forest read through its index is read-only: a writer loads the whole forest.
        if on_disk != state.generation || !state.forest.is_loaded() {
            let (forest, generation) = load(&self.paths)?;
            state.forest = ForestView::Loaded(forest);
            state.generation = generation;
        }
        let next = state.generation + 1;
        let ForestView::Loaded(forest) = &mut state.forest else {
            return Err(DirectoryError::Lab {
                path: self.paths.root().to_path_buf(),
                message: "the forest is not loaded for writing".into(),
            });
        };
        let before = forest.len();
        let value = change(forest)?;
        let saved = snapshot_and_save(&self.paths, Some(before), forest, next);
        if let Err(e) = saved {
            // The disk still has the old forest: go back to it.
            if let Ok((forest, generation)) = load(&self.paths) {
                state.forest = ForestView::Loaded(forest);
                state.generation = generation;
            }
            return Err(e);
        }
        state.generation = next;
        state.checked = Instant::now();
        Ok(value)
    }

    fn poisoned(&self) -> DirectoryError {
        DirectoryError::Lab {
            path: self.paths.root().to_path_buf(),
            message: "an earlier operation panicked while holding the forest".into(),
        }
    }
}

impl Directory for LabDirectory {
    fn describe(&self) -> String {
        format!("lab directory at {}", self.paths.root().display())
    }

    fn naming_contexts(&self) -> Result<NamingContexts> {
        let state = self.read_state()?;
        let domain = state
            .forest
            .roots()
            .into_iter()
            .map(|e| e.dn.clone())
            .find(|dn| {
                dn.rdns()
                    .iter()
                    .all(|r| r.avas().iter().all(|a| a.attr.eq_ignore_ascii_case("dc")))
            })
            .ok_or_else(|| DirectoryError::Lab {
                path: self.paths.root().to_path_buf(),
                message: "the forest has no domain object (DC=...) at its root".into(),
            })?;
        Ok(NamingContexts::for_domain(domain))
    }

    fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        self.read_state()?.forest.search(base, scope, filter, attrs)
    }

    /// The generation of the in-memory forest, while it was checked against the disk less
    /// than the refresh interval ago and no writer holds it; else `None` (the next read
    /// refreshes).
    fn generation(&self) -> Option<u64> {
        let state = self.state.try_read().ok()?;
        (state.checked.elapsed() < REFRESH_INTERVAL).then_some(state.generation)
    }

    fn add(&self, entry: Entry) -> Result<()> {
        self.write(|f| f.add(entry))
    }

    fn modify(&self, dn: &Dn, mods: &[Modification]) -> Result<()> {
        self.write(|f| f.modify(dn, mods))
    }

    fn delete(&self, dn: &Dn) -> Result<()> {
        self.write(|f| f.delete(dn))
    }

    fn read_security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        self.read_state()?.forest.security(dn)
    }

    fn write_dacl(&self, dn: &Dn, dacl: &Acl) -> Result<()> {
        self.write(|f| f.set_dacl(dn, dacl))
    }

    fn domain_sid(&self) -> Result<Option<Sid>> {
        Ok(self.read_state()?.forest.domain_sid())
    }

    /// The whole batch is checked in memory and saved once: on failure nothing reaches the
    /// disk and the forest is as it was. Honours `UMCTL_FAULT=apply-fail-at-step:N`.
    fn apply_with_progress(
        &self,
        changes: &[Change],
        progress: &mut dyn FnMut(usize),
    ) -> std::result::Result<(), ApplyError> {
        let failed = Cell::new(None);
        let fail_at = crate::directory::fault::requested_step();
        self.write(|f| {
            f.apply_failing_at(changes, fail_at).map_err(|(i, e)| {
                failed.set(Some(i));
                e
            })
        })
        .map_err(|error| {
            let step = failed.get();
            ApplyError {
                step: step.map_or(changes.len(), |i| i + 1),
                total: changes.len(),
                what: step.and_then(|i| changes.get(i)).map_or_else(
                    || "save the lab forest".to_string(),
                    crate::directory::describe_change,
                ),
                error: Box::new(error),
                rollback: Vec::new(),
            }
        })?;
        progress(changes.len());
        Ok(())
    }
}

/// The forest of a snapshot, refused (as a lab's forest would be) when it does not match its
/// header.
fn load_snapshot(snapshot: &snapshots::Snapshot) -> Result<Forest> {
    let from = snapshot.dir.join("forest.ldif");
    let bytes: std::sync::Arc<[u8]> = fs::read(&from)
        .map_err(|e| DirectoryError::io(&from, e))?
        .into();
    let Some((start, _)) = trusted_load::trusted(&bytes) else {
        return Err(integrity::lab_file_mismatch(&from, &bytes));
    };
    trusted_load::load_trusted(bytes, start)
}

/// The lab at `root`, refused when the folder holds none (its forest is not read: this works
/// on a lab whose forest file is refused, to list and restore its snapshots).
pub fn existing(root: impl Into<PathBuf>) -> Result<LabPaths> {
    let paths = LabPaths::new(root);
    match read_generation(&paths.forest())? {
        Some(_) => Ok(paths),
        None => Err(DirectoryError::NoLab {
            path: paths.root().to_path_buf(),
        }),
    }
}

/// Reads the forest file into memory (what a writer changes). Only a file umctl saved (its
/// header's digest matches its records) is read; anything else is refused with the way
/// forward (see `integrity`).
fn load(paths: &LabPaths) -> Result<(Forest, u64)> {
    let (bytes, generation) = read_forest(paths)?;
    let forest = match trusted_load::trusted(&bytes) {
        Some((start, _)) => trusted_load::load_trusted(bytes.clone(), start)?,
        None => return Err(integrity::lab_file_mismatch(&paths.forest(), &bytes)),
    };
    Ok((forest, generation))
}

/// Opens the forest file for reading: through its on-disk index when umctl wrote the file (its
/// digest matches, checked by reading the file through once) and the index describes exactly
/// this file; a missing or stale index is rebuilt first. A file that does not match its
/// header is refused, as a writer refuses it.
fn load_view(paths: &LabPaths) -> Result<(ForestView, u64)> {
    let path = paths.forest();
    let mut file = fs::File::open(&path).map_err(|e| DirectoryError::io(&path, e))?;
    let Some(checked) =
        trusted_load::check_file(&mut file).map_err(|e| DirectoryError::io(&path, e))?
    else {
        let (forest, generation) = load(paths)?;
        return Ok((ForestView::Loaded(forest), generation));
    };
    let stamp = disk_index::Stamp {
        digest: checked.digest,
        generation: checked.generation,
        file_len: checked.len,
        body_start: checked.start as u64,
    };
    let on_disk = fs::File::open(paths.index()).ok().and_then(|index| {
        let len = index.metadata().ok()?.len();
        disk_index::DiskIndex::open(positioned::Positioned::File { file: index, len }, &stamp)
    });
    let index = match on_disk {
        Some(index) => index,
        None => {
            // Read the very file that was checked (not the path: it may have been replaced).
            let mut bytes = Vec::with_capacity(usize::try_from(checked.len).unwrap_or(0));
            std::io::Seek::rewind(&mut file)
                .and_then(|()| std::io::Read::read_to_end(&mut file, &mut bytes))
                .map_err(|e| DirectoryError::io(&path, e))?;
            let bytes: std::sync::Arc<[u8]> = bytes.into();
            let same = trusted_load::trusted(&bytes).is_some_and(|(start, digest)| {
                start as u64 == stamp.body_start && digest == stamp.digest
            });
            let built = match same {
                true => build_index(&bytes[checked.start..], &stamp)?,
                false => None,
            };
            let Some(built) = built else {
                // Changed under us, or records that do not form a forest: the full load
                // reads the file again and names any problem.
                let (forest, generation) = load(paths)?;
                return Ok((ForestView::Loaded(forest), generation));
            };
            // Best effort: a lab folder umctl cannot write to is still readable.
            let _ = write_atomically(&paths.index(), |out| out.write_all(&built));
            match disk_index::DiskIndex::open(positioned::Positioned::Memory(built), &stamp) {
                Some(index) => index,
                None => {
                    let (forest, generation) = load(paths)?;
                    return Ok((ForestView::Loaded(forest), generation));
                }
            }
        }
    };
    let forest = positioned::Positioned::File {
        file,
        len: checked.len,
    };
    Ok((
        ForestView::Indexed(indexed::IndexedForest::new(forest, index)),
        stamp.generation,
    ))
}

/// The forest for reading: through the index ([`load_view`]) or all in memory ([`load`]).
fn load_for_reads(paths: &LabPaths, indexed: bool) -> Result<(ForestView, u64)> {
    if indexed {
        return load_view(paths);
    }
    let (forest, generation) = load(paths)?;
    Ok((ForestView::Loaded(forest), generation))
}

/// The forest file's bytes and generation.
fn read_forest(paths: &LabPaths) -> Result<(std::sync::Arc<[u8]>, u64)> {
    let path = paths.forest();
    let bytes: std::sync::Arc<[u8]> = fs::read(&path)
        .map_err(|e| DirectoryError::io(&path, e))?
        .into();
    let generation = store::parse_generation(&bytes).unwrap_or(0);
    Ok((bytes, generation))
}

/// The on-disk index of the records `body` of a forest file `stamp` describes.
fn build_index(body: &[u8], stamp: &disk_index::Stamp) -> Result<Option<Vec<u8>>> {
    let start = usize::try_from(stamp.body_start).unwrap_or(usize::MAX);
    let records = trusted_load::scan_all(body, start, true)?;
    Ok(disk_index::build(stamp, &records))
}

/// Builds a forest from LDIF content records, checking each one; errors name the line.
///
/// A large file is parsed and checked on every core, in pieces split at record boundaries;
/// the entries then go into the forest in file order (parents must come first).
pub fn forest_from_ldif(bytes: &[u8], source_name: &str) -> Result<Forest> {
    let pieces = split_for_cores(bytes);
    let prepared = on_every_core(&pieces, source_name, |(piece, offset)| {
        prepare_piece(piece, *offset, source_name)
    });
    let count = prepared
        .iter()
        .map(|p| p.as_ref().map_or(0, Vec::len))
        .sum();
    let mut forest = Forest::with_capacity(count);
    for piece in prepared {
        for (line, entry) in piece? {
            forest
                .add_prepared(entry)
                .map_err(|error| DirectoryError::AtLine {
                    source_name: source_name.to_string(),
                    line,
                    error: Box::new(error),
                })?;
        }
    }
    Ok(forest)
}

/// A forest file cut at record boundaries into a piece per core (one piece when it is small),
/// each with the number of lines before it.
pub(crate) fn split_for_cores(bytes: &[u8]) -> Vec<(&[u8], usize)> {
    const PIECE_SIZE: usize = 4 << 20;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    ldif::split_records(bytes, (bytes.len() / PIECE_SIZE).clamp(1, cores))
}

/// Runs `work` on every piece of a forest file, one thread per piece (so a large file is
/// parsed on every core), and returns the results in file order.
pub(crate) fn on_every_core<P: Sync, T: Send>(
    pieces: &[P],
    source_name: &str,
    work: impl Fn(&P) -> Result<T> + Sync,
) -> Vec<Result<T>> {
    if pieces.len() == 1 {
        return pieces.iter().map(&work).collect();
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = pieces
            .iter()
            .map(|piece| {
                let work = &work;
                scope.spawn(move || work(piece))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(DirectoryError::Lab {
                        path: PathBuf::from(source_name),
                        message: "a loader thread panicked".into(),
                    })
                })
            })
            .collect()
    })
}

/// Parses one piece of an LDIF file and runs the per-entry checks.
fn prepare_piece(
    piece: &[u8],
    lines_before: usize,
    source_name: &str,
) -> Result<Vec<(usize, forest::Prepared)>> {
    let records = ldif::parse(piece).map_err(|error| DirectoryError::Ldif {
        source_name: source_name.to_string(),
        error: error.shifted(lines_before),
    })?;
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let line = record.line + lines_before;
        let at_line = |error: DirectoryError| DirectoryError::AtLine {
            source_name: source_name.to_string(),
            line,
            error: Box::new(error),
        };
        let RecordBody::Content(attrs) = record.body else {
            return Err(at_line(DirectoryError::Lab {
                path: PathBuf::from(source_name),
                message: "expected a content record (import takes an export); apply change records with `umctl lab apply`".into(),
            }));
        };
        let entry = entry_from_attrs(&record.dn, attrs).map_err(at_line)?;
        out.push((line, forest::prepare(entry).map_err(at_line)?));
    }
    Ok(out)
}

/// The objects of an LDIF file of content records, as the lab would keep them (security
/// descriptors as SDDL), without the contract checks: for a comparison only.
pub fn entries_from_ldif(bytes: &[u8], source_name: &str) -> Result<Vec<Entry>> {
    let records = ldif::parse(bytes).map_err(|error| DirectoryError::Ldif {
        source_name: source_name.to_string(),
        error,
    })?;
    records
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Content(attrs) | RecordBody::Add(attrs) => Some((r.dn, attrs)),
            _ => None,
        })
        .map(|(dn, attrs)| entry_from_attrs(&dn, attrs))
        .collect()
}

/// Entries read elsewhere (a real AD) as the lab would keep them (security descriptors as
/// SDDL, the naming attribute filled in from the RDN), for a comparison.
pub fn as_lab_keeps(entries: &[Entry]) -> Result<Vec<Entry>> {
    entries
        .iter()
        .map(|e| {
            let attrs = e
                .attributes()
                .flat_map(|a| a.values.iter().map(|v| (a.name.clone(), v.clone())))
                .collect();
            let entry = entry_from_attrs(&e.dn.to_string(), attrs)?;
            // An object the contract refuses is compared as it is.
            Ok(forest::prepare(entry.clone()).map_or(entry, forest::Prepared::into_entry))
        })
        .collect()
}

pub(crate) fn entry_from_attrs(dn: &str, attrs: Vec<(String, Vec<u8>)>) -> Result<Entry> {
    let mut entry = Entry::new(Dn::parse(dn)?);
    // Values of one attribute usually come one after another: collect each run and set it in
    // one go (the load of a large forest spends its time here); a name seen again later goes
    // through add_value, which drops duplicates.
    let mut run: Option<(String, Vec<Vec<u8>>)> = None;
    let flush = |entry: &mut Entry, run: Option<(String, Vec<Vec<u8>>)>| {
        if let Some((name, values)) = run {
            if entry.has(&name) || values.len() > 1 {
                // add_value drops duplicate values, as a directory would refuse them.
                for v in values {
                    entry.add_value(&name, v);
                }
            } else {
                entry.push_new_attribute(name, values);
            }
        }
    };
    for (name, value) in attrs {
        let value = if name.eq_ignore_ascii_case(NT_SECURITY_DESCRIPTOR) {
            sddl_text(value)
        } else {
            value
        };
        match &mut run {
            Some((current, values)) if current.eq_ignore_ascii_case(&name) => values.push(value),
            _ => {
                flush(&mut entry, run.take());
                run = Some((name, vec![value]));
            }
        }
    }
    flush(&mut entry, run);
    Ok(entry)
}

/// A security descriptor from a real AD export arrives as binary; the lab keeps SDDL text.
/// Values that are neither are left for the contract check to reject.
fn sddl_text(value: Vec<u8>) -> Vec<u8> {
    if std::str::from_utf8(&value).is_ok_and(|t| t.trim_start().starts_with(['O', 'G', 'D', 'S'])) {
        return value;
    }
    match SecurityDescriptor::from_bytes(&value).and_then(|sd| sd.to_sddl(None)) {
        Ok(text) => text.into_bytes(),
        Err(_) => value,
    }
}

/// A modify record as the lab applies it. A binary `nTSecurityDescriptor` becomes SDDL text,
/// as on import. A descriptor that holds only a DACL (what `ldapmodify` writes with the SD-flags
/// control set to DACL only, e.g. `umctl grant-permissions --dry-run --ldif`) replaces just the
/// DACL, as AD does with that control: owner, group and SACL stay.
fn security_change(dn: Dn, mods: Vec<Modification>) -> Change {
    if let [m] = mods.as_slice() {
        if m.op == ModOp::Replace && m.attr.eq_ignore_ascii_case(NT_SECURITY_DESCRIPTOR) {
            if let [value] = m.values.as_slice() {
                if let Ok(sd) = SecurityDescriptor::from_bytes(value) {
                    if let (None, None, None, Some(dacl)) =
                        (&sd.owner, &sd.group, &sd.sacl, sd.dacl)
                    {
                        return Change::SetDacl(dn, dacl);
                    }
                }
            }
        }
    }
    let mods = mods
        .into_iter()
        .map(|mut m| {
            if m.attr.eq_ignore_ascii_case(NT_SECURITY_DESCRIPTOR) {
                m.values = m.values.into_iter().map(sddl_text).collect();
            }
            m
        })
        .collect();
    Change::Modify(dn, mods)
}

/// Parses LDIF change records (content records count as adds), keeping each one's line.
fn changes_from_ldif(bytes: &[u8], source_name: &str) -> Result<Vec<(usize, Change)>> {
    let records = ldif::parse(bytes).map_err(|error| DirectoryError::Ldif {
        source_name: source_name.to_string(),
        error,
    })?;
    let mut changes = Vec::with_capacity(records.len());
    for record in records {
        let line = record.line;
        let at_line = |error: DirectoryError| DirectoryError::AtLine {
            source_name: source_name.to_string(),
            line,
            error: Box::new(error),
        };
        let change = match record.body {
            RecordBody::Content(attrs) | RecordBody::Add(attrs) => {
                Change::Add(entry_from_attrs(&record.dn, attrs).map_err(at_line)?)
            }
            RecordBody::Delete => Change::Delete(Dn::parse(&record.dn).map_err(|e| at_line(e.into()))?),
            RecordBody::Modify(mods) => {
                let dn = Dn::parse(&record.dn).map_err(|e| at_line(e.into()))?;
                security_change(dn, mods)
            }
            RecordBody::ModDn { .. } => {
                return Err(at_line(DirectoryError::Lab {
                    path: PathBuf::from(source_name),
                    message: "renames (changetype: moddn/modrdn) are not supported by the lab; delete and add instead".into(),
                }))
            }
        };
        changes.push((line, change));
    }
    Ok(changes)
}

/// Keeps the current forest as a snapshot (see `snapshots`), then saves `forest`; returns the
/// snapshot's ID. A failed save leaves the old forest in place: its snapshot is then made a
/// file of its own, so it stays what it is whatever happens to `forest.ldif` next.
fn snapshot_and_save(
    paths: &LabPaths,
    objects: Option<usize>,
    forest: &Forest,
    generation: u64,
) -> Result<Option<String>> {
    let id = snapshots::take(paths, &snapshots::this_command(), objects)?;
    let saved = save(paths, forest, generation);
    if let (Err(_), Some(id)) = (&saved, &id) {
        let _ = snapshots::unshare(paths, id);
    }
    saved.map(|()| id)
}

/// Saves the forest atomically with the given generation, then its on-disk index.
fn save(paths: &LabPaths, forest: &Forest, generation: u64) -> Result<()> {
    // The records first, to put their digest in the header (see trusted_load).
    let mut body = Vec::with_capacity(1 << 20);
    let ends = write_forest_noting_ends(&mut body, forest)
        .map_err(|e| DirectoryError::io(paths.forest(), e))?;
    let digest = trusted_load::digest(&body);
    let header = format!(
        "{GENERATION_PREFIX}{generation}\n{}{digest}\n\
         {}{} objects. Edit it with umctl (lab apply, lab import); after a hand edit\n\
         # (while no umctl process writes), run `umctl lab accept-edit` to check and stamp it.\n",
        trusted_load::DIGEST_PREFIX,
        integrity::LAB_COUNT_PREFIX,
        forest.len()
    );
    write_atomically(&paths.forest(), |out| {
        out.write_all(header.as_bytes())?;
        out.write_all(&body)
    })?;
    // The index names the digest, generation and size of the file just written, so until it
    // is replaced no reader takes it for another file. Failing to write it costs only speed:
    // the next reader rebuilds it.
    let stamp = disk_index::Stamp {
        digest,
        generation,
        file_len: (header.len() + body.len()) as u64,
        body_start: header.len() as u64,
    };
    // Built from the forest in memory and the record ends noted while writing: no rescan.
    let start = header.len();
    let placed: Vec<disk_index::Placed<'_>> = ends
        .iter()
        .scan(FIRST_RECORD, |from, (key, end)| {
            // Each record follows its blank separator line.
            let range = start + *from + 1..start + *end;
            *from = *end;
            Some((*key, range))
        })
        .collect();
    let rows = forest.disk_rows()?;
    if let Some(index) = disk_index::build_from(&stamp, &placed, rows.all()) {
        let _ = write_atomically(&paths.index(), |out| out.write_all(&index));
    }
    Ok(())
}

/// Where the first record's separator starts in the records: after `version: 1\n`.
const FIRST_RECORD: usize = "version: 1\n".len();

/// The records of the forest into `body`: `version: 1`, then one content record per object,
/// unfolded; with each record's normalized DN and the byte of `body` where the record ends.
fn write_forest_noting_ends<'f>(
    body: &mut Vec<u8>,
    forest: &'f Forest,
) -> std::io::Result<Vec<(&'f str, usize)>> {
    let mut ends = Vec::with_capacity(forest.len());
    let at = std::cell::Cell::new(0);
    let mut writer = LdifWriter::new(Counting { out: body, at: &at })?.unfolded();
    forest.write_records_then(&mut writer, |key| ends.push((key, at.get())))?;
    writer.flush()?;
    Ok(ends)
}

/// A writer into a buffer that tells how many bytes it holds (the LDIF writer owns it).
struct Counting<'a> {
    out: &'a mut Vec<u8>,
    at: &'a std::cell::Cell<usize>,
}

impl Write for Counting<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.out.extend_from_slice(bytes);
        self.at.set(self.out.len());
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The records of the forest a directory answers from (as the save writes them).
fn write_view(out: &mut dyn Write, forest: &ForestView) -> std::io::Result<()> {
    let mut writer = LdifWriter::new(out)?.unfolded();
    forest.write_records(&mut writer)?;
    writer.flush()
}

/// Keeps the current forest (and, on reset, the mailboxes) as a snapshot in `backups/`.
fn back_up(paths: &LabPaths, with_mailboxes: bool) -> Result<PathBuf> {
    let (_, dir) = snapshots::new_dir(paths)?;
    snapshots::write_about(&dir, &snapshots::this_command(), None)?;
    for (from, name) in [(paths.forest(), "forest.ldif"), (paths.hosts(), "hosts")] {
        if from.exists() {
            fs::copy(&from, dir.join(name)).map_err(|e| DirectoryError::io(&from, e))?;
        }
    }
    if with_mailboxes && paths.mailboxes().exists() {
        fs::rename(paths.mailboxes(), dir.join("mailboxes"))
            .map_err(|e| DirectoryError::io(paths.mailboxes(), e))?;
    }
    snapshots::prune(paths, snapshots::keep(paths))?;
    Ok(dir)
}

fn read_hosts(paths: &LabPaths) -> Result<HostsTable> {
    let path = paths.hosts();
    match fs::read_to_string(&path) {
        Ok(text) => HostsTable::parse(&text).map_err(|message| DirectoryError::Lab {
            path: path.clone(),
            message,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HostsTable::default()),
        Err(e) => Err(DirectoryError::io(&path, e)),
    }
}

fn write_hosts(paths: &LabPaths, hosts: &HostsTable) -> Result<()> {
    write_atomically(&paths.hosts(), |out| {
        out.write_all(hosts.render().as_bytes())
    })
}

fn assign_hosts<'a>(hosts: &mut HostsTable, entries: impl Iterator<Item = &'a Entry>) -> Vec<Host> {
    let fqdns: Vec<String> = entries.flat_map(hosts::fqdns_of).collect();
    hosts.assign(fqdns.iter().map(String::as_str))
}

/// The platform's data folder for the lab when neither `--lab` nor `$UMCTL_LAB` names one.
pub fn default_root() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "umctl").map(|d| d.data_dir().join("lab"))
}

/// True when `root` holds a lab forest.
pub fn exists(root: &Path) -> bool {
    LabPaths::new(root).forest().exists()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::{ModOp, Modification};

    /// The index of the file as it is now, built by rescanning it (what a reader that finds no
    /// index does).
    fn rescanned(paths: &LabPaths) -> Vec<u8> {
        let bytes = fs::read(paths.forest()).unwrap();
        let (start, digest) = trusted_load::trusted(&bytes).unwrap();
        let stamp = disk_index::Stamp {
            digest,
            generation: store::parse_generation(&bytes).unwrap(),
            file_len: bytes.len() as u64,
            body_start: start as u64,
        };
        build_index(&bytes[start..], &stamp).unwrap().unwrap()
    }

    /// The index a save builds from the forest in memory is, byte for byte, the index a rescan
    /// of the written file builds: for objects still held as record text (a trusted load),
    /// parsed and changed ones, a new one with a base64 value, after a delete.
    #[test]
    fn saved_index_is_the_rescanned_index() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lab");
        LabDirectory::init(&root, false).unwrap();
        let paths = LabPaths::new(&root);
        let lab = LabDirectory::open_in_memory(&root).unwrap();
        let contacts = "OU=ExUmContacts,DC=contoso,DC=com";
        let contact = Dn::parse(&format!("CN=Index Contact,{contacts}")).unwrap();
        lab.add(
            Entry::new(contact.clone())
                .with("objectClass", "top")
                .with("objectClass", "person")
                .with("objectClass", "organizationalPerson")
                .with("objectClass", "Contact")
                .with("displayName", "Index Contact \u{e9}t\u{e9}")
                .with("mail", "Index.Contact@Contoso.com")
                .with("proxyAddresses", "SMTP:Index.Contact@contoso.com")
                .with(
                    "proxyAddresses",
                    "eum:1234;phone-context=LOC801.contoso.com",
                ),
        )
        .unwrap();
        assert_eq!(fs::read(paths.index()).unwrap(), rescanned(&paths));
        lab.modify(
            &contact,
            &[Modification {
                op: ModOp::Replace,
                attr: "mail".into(),
                values: vec!["Other@contoso.com".into()],
            }],
        )
        .unwrap();
        assert_eq!(fs::read(paths.index()).unwrap(), rescanned(&paths));
        // A fresh writer: every other object is still its record text.
        let lab = LabDirectory::open_in_memory(&root).unwrap();
        lab.delete(&contact).unwrap();
        let written = fs::read(paths.index()).unwrap();
        assert_eq!(written, rescanned(&paths));
        assert!(written.windows(b"contact".len()).any(|w| w == b"contact"));
    }
}
