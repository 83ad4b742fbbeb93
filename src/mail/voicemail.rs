//! Reading voice messages back out of the lab mailbox, for Outlook Voice Access:
//! [`voicemail_audio`] takes the recording (the `audio/wav` attachment that
//! [`VoiceMessage`](super::VoiceMessage) writes, base64) out of a MIME file, and the
//! [`MailStore`] trait is what a dialogue lists, marks read and deletes messages through;
//! [`MaildirStore`] implements it over each [`Mailbox`]'s `Maildir/` (read =
//! renamed from `new/` to `cur/` with the `:2,S` info, as Maildir readers do; a file an IMAP
//! server moved to `cur/` without the S flag is still unread) and extracts
//! each recording once to the mailbox's `playback/<id>.wav` so the media
//! engine can play a plain file. It is a small reader for the messages umctl writes, not a
//! general MIME parser; it does not deliver (`maildir`) nor decide what a caller hears.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;

use super::{MailError, Mailbox};

/// One new voice message, ready to play.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The Maildir unique name (the file name in `new/`, without any `:2,` info).
    pub id: String,
    /// The message file.
    pub path: PathBuf,
    /// The recording as a WAV file of its own.
    pub audio: PathBuf,
    /// Who left it: the From display name (or address) as written.
    pub from: Option<String>,
}

/// A user's voice mail as an OVA dialogue sees it. Shared by all calls (`&self`).
pub trait MailStore: Send + Sync {
    /// The unread voice messages of `user`, oldest first (messages without a recording,
    /// such as missed-call notifications, are left out).
    fn new_messages(&self, user: &str) -> Result<Vec<StoredMessage>, MailError>;
    /// Marks a message read (played).
    fn mark_read(&self, user: &str, id: &str) -> Result<(), MailError>;
    /// Deletes a message, read or not.
    fn delete(&self, user: &str, id: &str) -> Result<(), MailError>;
}

/// The lab's mailboxes: each user's [`Mailbox`] `Maildir/{tmp,new,cur}`.
#[derive(Clone, Debug)]
pub struct MaildirStore {
    mailboxes: PathBuf,
}

impl MaildirStore {
    pub fn new(mailboxes: impl Into<PathBuf>) -> MaildirStore {
        MaildirStore {
            mailboxes: mailboxes.into(),
        }
    }

    /// The Maildir of `user` (a sAMAccountName): [`Mailbox::maildir`].
    pub fn maildir(&self, user: &str) -> Result<PathBuf, MailError> {
        Ok(Mailbox::open(&self.mailboxes, user)?.maildir())
    }

    /// The recording of message `id` extracted for playback.
    fn playback_file(&self, user: &str, id: &str) -> Result<PathBuf, MailError> {
        Ok(Mailbox::open(&self.mailboxes, user)?
            .playback()
            .join(format!("{id}.wav")))
    }

    /// Writes the recording of `path` to the playback folder unless it is there already.
    fn extract(&self, user: &str, id: &str, path: &Path) -> Result<Option<PathBuf>, MailError> {
        let out = self.playback_file(user, id)?;
        if out.is_file() {
            return Ok(Some(out));
        }
        let bytes = fs::read(path).map_err(|e| MailError::io(path, "read", e))?;
        let Ok(audio) = extract_audio(&bytes) else {
            return Ok(None);
        };
        crate::atomic_file::write(&out, &audio)?;
        Ok(Some(out))
    }
}

impl MailStore for MaildirStore {
    fn new_messages(&self, user: &str) -> Result<Vec<StoredMessage>, MailError> {
        let dir = self.maildir(user)?;
        // Unread = in `new/`, or in `cur/` without the S flag (an IMAP server such as Dovecot
        // moves every file it has seen to `cur/NAME:2,` without reading it).
        let mut found: Vec<(String, PathBuf)> = list(&dir.join("new"))?;
        found.extend(
            list(&dir.join("cur"))?
                .into_iter()
                .filter(|(name, _)| !info_flags(name).contains('S')),
        );
        // Unique names start with the delivery time in seconds: name order is arrival order.
        found.sort();
        let mut out = Vec::new();
        for (name, path) in found {
            let id = name.split(':').next().unwrap_or(&name).to_string();
            if let Some(audio) = self.extract(user, &id, &path)? {
                let from = fs::read(&path).ok().and_then(|b| sender(&b));
                out.push(StoredMessage {
                    id,
                    path,
                    audio,
                    from,
                });
            }
        }
        Ok(out)
    }

    fn mark_read(&self, user: &str, id: &str) -> Result<(), MailError> {
        check_name(id, "message id", "a Maildir unique name")?;
        let dir = self.maildir(user)?;
        let cur = dir.join("cur");
        fs::create_dir_all(&cur).map_err(|e| MailError::io(&cur, "create directory", e))?;
        let in_new = dir.join("new").join(id);
        let (from, flags) = match list(&cur)?.into_iter().find(|(n, _)| is_file_of(n, id)) {
            Some((name, path)) if !in_new.exists() => (path, info_flags(&name).to_string()),
            _ => (in_new, String::new()),
        };
        let mut flags: Vec<char> = flags.chars().chain(['S']).collect();
        flags.sort_unstable();
        flags.dedup();
        let to = cur.join(format!("{id}:2,{}", flags.into_iter().collect::<String>()));
        fs::rename(&from, &to).map_err(|e| MailError::io(&from, "rename to cur/", e))
    }

    fn delete(&self, user: &str, id: &str) -> Result<(), MailError> {
        check_name(id, "message id", "a Maildir unique name")?;
        let dir = self.maildir(user)?;
        let mut candidates = vec![dir.join("new").join(id)];
        if let Ok(rd) = fs::read_dir(dir.join("cur")) {
            candidates.extend(rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| is_file_of(n, id))
            }));
        }
        let mut removed = false;
        for p in candidates {
            match fs::remove_file(&p) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(MailError::io(&p, "delete", e)),
            }
        }
        let _ = fs::remove_file(self.playback_file(user, id)?);
        if removed {
            Ok(())
        } else {
            let missing = dir.join("new").join(id);
            Err(MailError::io(
                &missing,
                "delete",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ))
        }
    }
}

/// The recording of the voice message file at `path`: the decoded `audio/wav` attachment.
pub fn voicemail_audio(path: &Path) -> Result<Vec<u8>, MailError> {
    let bytes = fs::read(path).map_err(|e| MailError::io(path, "read", e))?;
    extract_audio(&bytes).map_err(|reason| MailError::Voicemail {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    })
}

/// Finds the part whose headers say `audio/wav` (or `audio/x-wav`) and decodes its base64
/// body, which runs to the next boundary line (`--...`) or the end of the message.
pub(crate) fn extract_audio(mime: &[u8]) -> Result<Vec<u8>, &'static str> {
    let text = std::str::from_utf8(mime).map_err(|_| "the message is not 7-bit text")?;
    let lines: Vec<&str> = text.lines().collect();
    let is_audio = |l: &str| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-type:")
            && (l.contains("audio/wav") || l.contains("audio/x-wav") || l.contains("audio/wave"))
    };
    let start = lines
        .iter()
        .position(|l| is_audio(l))
        .ok_or("no audio/wav part")?;
    let blank = start
        + lines[start..]
            .iter()
            .position(|l| l.trim().is_empty())
            .ok_or("the audio part has no body")?;
    // The part's headers: back to the boundary line before Content-Type, on to the blank.
    let head_start = lines[..start]
        .iter()
        .rposition(|l| l.starts_with("--") || l.trim().is_empty())
        .map_or(0, |i| i + 1);
    let base64 = lines[head_start..blank].iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-transfer-encoding:") && l.contains("base64")
    });
    if !base64 {
        return Err("the audio part is not base64");
    }
    let body: String = lines[blank + 1..]
        .iter()
        .take_while(|l| !l.starts_with("--"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let audio = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| "the audio part is not valid base64")?;
    if audio.get(..4) != Some(b"RIFF".as_slice()) {
        return Err("the audio part is not a WAV file");
    }
    Ok(audio)
}

/// The display name of the top-level From header (quotes removed), else its address.
fn sender(mime: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(mime);
    let head = text.split("\r\n\r\n").next()?.split("\n\n").next()?;
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let value = unfolded.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case("from").then(|| v.trim().to_string())
    })?;
    let name = match value.find('<') {
        Some(i) => value[..i].trim().trim_matches('"').trim().to_string(),
        None => String::new(),
    };
    if name.is_empty() {
        let addr = value.trim_matches(|c| c == '<' || c == '>' || c == ' ');
        (!addr.is_empty()).then(|| addr.to_string())
    } else {
        Some(name)
    }
}

/// The message files of a Maildir folder: (file name, path); none if it does not exist.
fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>, MailError> {
    match fs::read_dir(dir) {
        Ok(rd) => Ok(rd
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(n, _)| !n.starts_with('.'))
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(MailError::io(dir, "list", e)),
    }
}

/// The flags of a `cur/` file name (`ID:2,FLAGS`), empty without info.
fn info_flags(name: &str) -> &str {
    name.split_once(":2,").map_or("", |(_, f)| f)
}

/// Whether the file name `name` is message `id` (with or without info).
fn is_file_of(name: &str, id: &str) -> bool {
    name.strip_prefix(id)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

/// Refuses a name that cannot name one file or folder: empty, starting with a dot, holding a
/// path separator, a NUL or a control character.
pub(super) fn check_name(
    value: &str,
    what: &'static str,
    expected: &'static str,
) -> Result<(), MailError> {
    let bad = value.is_empty()
        || value.starts_with('.')
        || value.contains(['/', '\\', '\0'])
        || value.chars().any(char::is_control);
    if bad {
        return Err(MailError::Name {
            what,
            value: value.to_string(),
            expected,
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::mail::{MailAddress, MissedCall, VoiceMessage};

    fn wav(seed: i16) -> Vec<u8> {
        let samples: Vec<i16> = (0..800).map(|i| (i % 100) as i16 * seed).collect();
        crate::media::wav::encode_pcm16(&samples)
    }

    fn message(from: &str, audio: Vec<u8>, secs: u64) -> VoiceMessage {
        VoiceMessage {
            from_number: "+96265519000".into(),
            from_name: Some(from.into()),
            from_address: None,
            to_user: MailAddress::new("Bob", "bob@contoso.com"),
            duration: Duration::from_secs(2),
            call_id: format!("{secs}@lab"),
            received_at: UNIX_EPOCH + Duration::from_secs(secs),
            audio,
            interrupted: false,
        }
    }

    /// Writes a rendered message into `<root>/bob/Maildir/new/<n>.M0P0Q0.lab` (the lab's
    /// layout: the folder is the sAMAccountName).
    fn put(root: &Path, n: u64, bytes: &[u8]) -> PathBuf {
        let new = root.join("bob/Maildir/new");
        fs::create_dir_all(&new).unwrap();
        let path = new.join(format!("{n}.M0P0Q0.lab"));
        fs::write(&path, bytes).unwrap();
        path
    }

    fn deliver(root: &Path, msg: &VoiceMessage) -> PathBuf {
        let secs = msg
            .received_at
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        put(root, secs, &msg.render("um@contoso.com").unwrap().bytes)
    }

    #[test]
    fn extracts_the_recording_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let audio = wav(7);
        let path = deliver(dir.path(), &message("Alice Adams", audio.clone(), 10));
        assert_eq!(voicemail_audio(&path).unwrap(), audio);
        assert_eq!(
            sender(&fs::read(&path).unwrap()).as_deref(),
            Some("+96265519000 (Alice Adams)")
        );
    }

    #[test]
    fn a_message_without_audio_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        fs::write(&path, "From: x@y\r\nSubject: hi\r\n\r\nno audio\r\n").unwrap();
        let msg = voicemail_audio(&path).unwrap_err().to_string();
        assert!(msg.contains("no audio/wav part"), "{msg}");
    }

    #[test]
    fn a_file_an_imap_server_moved_to_cur_unread_is_still_new_and_keeps_its_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = deliver(dir.path(), &message("First", wav(3), 10));
        let cur = dir.path().join("bob/Maildir/cur");
        fs::create_dir_all(&cur).unwrap();
        // What Dovecot does on SELECT: new/NAME -> cur/NAME:2, (no flags); then \Flagged.
        fs::rename(&path, cur.join("10.M0P0Q0.lab:2,F")).unwrap();
        let store = MaildirStore::new(dir.path());
        let listed = store.new_messages("bob").unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, "10.M0P0Q0.lab");
        store.mark_read("bob", "10.M0P0Q0.lab").unwrap();
        assert!(cur.join("10.M0P0Q0.lab:2,FS").is_file());
        assert!(store.new_messages("bob").unwrap().is_empty());
        store.delete("bob", "10.M0P0Q0.lab").unwrap();
        assert_eq!(fs::read_dir(&cur).unwrap().count(), 0);
    }

    #[test]
    fn store_lists_in_order_marks_read_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (wav(3), wav(5));
        deliver(dir.path(), &message("First", a.clone(), 10));
        deliver(dir.path(), &message("Second", b.clone(), 20));
        let missed = MissedCall {
            from_number: "+1".into(),
            from_name: None,
            from_address: None,
            to_user: MailAddress::new("Bob", "bob@contoso.com"),
            call_id: "m@lab".into(),
            received_at: UNIX_EPOCH,
        };
        put(
            dir.path(),
            15,
            &missed.render("um@contoso.com").unwrap().bytes,
        );
        let store = MaildirStore::new(dir.path());
        let msgs = store.new_messages("bob").unwrap();
        assert_eq!(msgs.len(), 2, "the missed-call notice is no voice message");
        assert_eq!(fs::read(&msgs[0].audio).unwrap(), a);
        assert_eq!(fs::read(&msgs[1].audio).unwrap(), b);
        assert!(msgs[0].from.as_deref().unwrap().contains("First"));

        store.mark_read("bob", &msgs[0].id).unwrap();
        let cur = dir
            .path()
            .join("bob/Maildir/cur")
            .join(format!("{}:2,S", msgs[0].id));
        assert!(cur.is_file());
        assert!(!msgs[0].path.exists());
        assert_eq!(store.new_messages("bob").unwrap().len(), 1);

        store.delete("bob", &msgs[0].id).unwrap();
        assert!(!cur.exists());
        assert!(!msgs[0].audio.exists());
        store.delete("bob", &msgs[1].id).unwrap();
        assert!(store.new_messages("bob").unwrap().is_empty());
        assert!(store.delete("bob", &msgs[1].id).is_err());
        assert!(store.new_messages("../x").is_err());
        assert!(store.mark_read("bob", "../../etc").is_err());
        assert!(store.new_messages("nobody").unwrap().is_empty());
    }
}
