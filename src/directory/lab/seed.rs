//! The built-in lab forest: `fixtures/lab/` compiled into the binary, so a fresh lab needs no
//! files next to the executable.

use std::fs;

use crate::directory::lab::store::{write_atomically, LabPaths};
use crate::directory::{DirectoryError, Result};

/// The forest, as shipped in `fixtures/lab/forest.ldif`.
pub const FOREST: &str = include_str!("../../../fixtures/lab/forest.ldif");

/// The hosts table, as shipped in `fixtures/lab/hosts`.
pub const HOSTS: &str = include_str!("../../../fixtures/lab/hosts");

/// Mailbox files: (path below `mailboxes/`, contents). A test checks this list against the
/// fixture folder, so a new fixture file cannot be forgotten here.
pub const MAILBOX_FILES: &[(&str, &[u8])] = &[
    (
        "bob/greeting.wav",
        include_bytes!("../../../fixtures/lab/mailboxes/bob/greeting.wav"),
    ),
    (
        "alice/name.wav",
        include_bytes!("../../../fixtures/lab/mailboxes/alice/name.wav"),
    ),
];

/// Writes a fresh lab into `paths` (the caller holds the write lock) and returns the number
/// of objects. The forest goes through the same checks and writer as any save.
pub fn write_seed(paths: &LabPaths) -> Result<usize> {
    let forest = super::forest_from_ldif(FOREST.as_bytes(), "fixtures/lab/forest.ldif")?;
    let generation = super::store::read_generation(&paths.forest())?.unwrap_or(0) + 1;
    super::save(paths, &forest, generation)?;
    write_atomically(&paths.hosts(), |out| out.write_all(HOSTS.as_bytes()))?;
    for (name, bytes) in MAILBOX_FILES {
        let path = paths.mailboxes().join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| DirectoryError::io(dir, e))?;
        }
        fs::write(&path, bytes).map_err(|e| DirectoryError::io(&path, e))?;
    }
    fs::create_dir_all(paths.mailboxes()).map_err(|e| DirectoryError::io(paths.mailboxes(), e))?;
    Ok(forest.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_mailbox_fixture_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lab/mailboxes");
        let mut on_disk = Vec::new();
        for user in fs::read_dir(&root).unwrap() {
            let user = user.unwrap();
            for file in fs::read_dir(user.path()).unwrap() {
                on_disk.push(format!(
                    "{}/{}",
                    user.file_name().to_string_lossy(),
                    file.unwrap().file_name().to_string_lossy()
                ));
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = MAILBOX_FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "list new fixture files in MAILBOX_FILES");
    }

    #[test]
    fn the_fixture_forest_passes_the_contract() {
        let forest = super::super::forest_from_ldif(FOREST.as_bytes(), "fixture").unwrap();
        assert!(forest.len() > 50);
    }
}
