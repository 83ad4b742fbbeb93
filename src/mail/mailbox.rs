//! [`Mailbox`]: one user's lab mailbox folder, `<mailboxes>/<sAMAccountName>/`, and every file
//! in it: the Maildir the voice messages go to, the custom, away and recorded-name greetings,
//! the Outlook Voice Access PIN (`pin.json`) and the recordings extracted for playback
//! (`playback/`). Delivery, OVA, greetings, PINs and the trace all name the folder through
//! [`Mailbox::open`], so they agree on it. It only names paths: it reads no file (other than
//! listing `<mailboxes>` to find the folder) and writes none.
//!
//! The folder name rule: the sAMAccountName as AD stores it (`JSmith` -> `mailboxes/JSmith/`),
//! compared case-insensitively, as AD compares it. When a folder whose name differs only in
//! case already exists (`mailboxes/jsmith/`, written by an older umctl that lower-cased the
//! name, or by hand), that folder is the mailbox and is used as it is: there is never a second
//! folder for the same user. A folder with exactly the stored spelling wins over others.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::voicemail::check_name;
use super::MailError;

/// One user's mailbox folder; see the module doc for the folder name rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Mailbox {
    dir: PathBuf,
}

impl Mailbox {
    /// The Maildir (`tmp/`, `new/`, `cur/`) voice messages are delivered into.
    pub const MAILDIR: &'static str = "Maildir";
    /// The custom greeting.
    pub const GREETING_FILE: &'static str = "greeting.wav";
    /// The away (out-of-office) greeting, played while [`Self::AWAY_ON_FILE`] exists.
    pub const AWAY_FILE: &'static str = "away.wav";
    /// Present while the away greeting is on (`umctl lab greeting away USER on`).
    pub const AWAY_ON_FILE: &'static str = "away.on";
    /// The recorded name.
    pub const NAME_FILE: &'static str = "name.wav";
    /// The Outlook Voice Access PIN, salted and hashed, with its failures and history.
    pub const PIN_FILE: &'static str = "pin.json";
    /// The recordings taken out of messages so the media engine can play a plain file.
    pub const PLAYBACK_DIR: &'static str = "playback";

    /// The mailbox of the user `sam` (the sAMAccountName as AD stores it) under `mailboxes`.
    /// Fails, naming the value, when `sam` cannot be a folder name (empty, starting with a dot,
    /// a path separator, a NUL or control character). The folder need not exist.
    pub fn open(mailboxes: &Path, sam: &str) -> Result<Mailbox, MailError> {
        check_name(sam, "mailbox name", "a sAMAccountName")?;
        Ok(Mailbox {
            dir: mailboxes.join(folder_name(mailboxes, sam)),
        })
    }

    /// `<mailboxes>/<folder>`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// `<mailbox>/Maildir`.
    pub fn maildir(&self) -> PathBuf {
        self.dir.join(Self::MAILDIR)
    }
    /// `<mailbox>/greeting.wav`.
    pub fn greeting(&self) -> PathBuf {
        self.dir.join(Self::GREETING_FILE)
    }
    /// `<mailbox>/away.wav`.
    pub fn away_greeting(&self) -> PathBuf {
        self.dir.join(Self::AWAY_FILE)
    }
    /// `<mailbox>/away.on`.
    pub fn away_on(&self) -> PathBuf {
        self.dir.join(Self::AWAY_ON_FILE)
    }
    /// `<mailbox>/name.wav`.
    pub fn recorded_name(&self) -> PathBuf {
        self.dir.join(Self::NAME_FILE)
    }
    /// `<mailbox>/pin.json`.
    pub fn pin(&self) -> PathBuf {
        self.dir.join(Self::PIN_FILE)
    }
    /// `<mailbox>/playback`.
    pub fn playback(&self) -> PathBuf {
        self.dir.join(Self::PLAYBACK_DIR)
    }
}

/// The folder of `sam` under `mailboxes`: `sam` itself when that folder exists or no folder
/// matches; else the existing folder whose name equals it ignoring case (the first in name
/// order when there are several).
fn folder_name(mailboxes: &Path, sam: &str) -> String {
    if mailboxes.join(sam).is_dir() {
        return sam.to_string();
    }
    let want = sam.to_lowercase();
    let Ok(entries) = fs::read_dir(mailboxes) else {
        return sam.to_string();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.to_lowercase() == want)
        .min()
        .unwrap_or_else(|| sam.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_the_name_as_stored_unless_another_case_exists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let fresh = Mailbox::open(root, "JSmith").unwrap();
        assert_eq!(fresh.dir(), root.join("JSmith"));
        assert_eq!(fresh.maildir(), root.join("JSmith").join("Maildir"));
        assert_eq!(fresh.pin(), root.join("JSmith").join("pin.json"));
        fs::create_dir_all(root.join("jsmith")).unwrap();
        for spelling in ["JSmith", "JSMITH", "jsmith"] {
            let found = Mailbox::open(root, spelling).unwrap();
            assert!(
                found.dir().ends_with("jsmith") || found.dir().is_dir(),
                "{spelling}: {found:?}"
            );
            assert_eq!(
                fs::canonicalize(found.dir()).unwrap(),
                fs::canonicalize(root.join("jsmith")).unwrap()
            );
        }
    }

    #[test]
    fn names_that_are_no_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["", ".", "..", ".hidden", "a/b", "a\\b", "a\0b", "a\nb"] {
            let err = Mailbox::open(dir.path(), bad).unwrap_err().to_string();
            assert!(err.contains("sAMAccountName"), "{bad:?}: {err}");
        }
    }
}
