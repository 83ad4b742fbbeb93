//! The lab mailbox: [`MaildirMailer`] delivers each recipient's copy into
//! `<root>/<address>/Maildir/new/`, the folder named after the recipient's address in lower
//! case. Delivery follows the Maildir protocol: write the file in `tmp/` under a unique name
//! (`<secs>.M<usec>P<pid>Q<seq>.<host>`), fsync it, then rename it into `new/` (and fsync the
//! directory), so a reader never sees a partial message and a crash leaves at most a stray
//! file in `tmp/`. [`MaildirMailer::count`] reports new and old (`cur/`) messages for MWI.
//! It does not read, parse or expire messages.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::message::check_address;
use super::{local_hostname, DeliveryReceipt, MailError, Mailer, OutgoingMessage};
use crate::atomic_file;

/// Delivers into per-user Maildirs under `root`.
#[derive(Debug)]
pub struct MaildirMailer {
    root: PathBuf,
    host: String,
    seq: AtomicU64,
}

impl MaildirMailer {
    /// A mailer for the mailboxes under `root` (created on first delivery).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MaildirMailer {
            root: root.into(),
            host: local_hostname(),
            seq: AtomicU64::new(0),
        }
    }

    /// The folder under `root`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/<address>/Maildir` for a user (the address is checked and lower-cased).
    pub fn maildir(&self, address: &str) -> Result<PathBuf, MailError> {
        check_address(address)?;
        Ok(self.root.join(address.to_lowercase()).join("Maildir"))
    }

    /// (new, old) message counts of a user's Maildir: files in `new/` and in `cur/`. A
    /// mailbox that does not exist yet has (0, 0).
    pub fn count(&self, address: &str) -> Result<(usize, usize), MailError> {
        Self::count_in(&self.maildir(address)?)
    }

    /// (new, old) message counts of the Maildir at `dir`; (0, 0) when it does not exist.
    pub fn count_in(dir: &Path) -> Result<(usize, usize), MailError> {
        Ok((
            count_files(&dir.join("new"))?,
            count_files(&dir.join("cur"))?,
        ))
    }

    fn unique_name(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        format!(
            "{}.M{}P{}Q{}.{}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed),
            self.host
        )
    }

    fn deliver_one(&self, address: &str, bytes: &[u8]) -> Result<PathBuf, MailError> {
        let dir = self.maildir(address)?;
        self.deliver_into(&dir, bytes)
    }

    /// Deliver `bytes` into the Maildir at `dir` (its `tmp/`, `new/` and `cur/` are created
    /// when missing), for callers that name mailboxes otherwise than by address, e.g. the
    /// lab's `mailboxes/<sAMAccountName>/Maildir`. Returns the file in `new/`.
    pub fn deliver_into(&self, dir: &Path, bytes: &[u8]) -> Result<PathBuf, MailError> {
        for sub in ["tmp", "new", "cur"] {
            let d = dir.join(sub);
            fs::create_dir_all(&d).map_err(|e| MailError::io(&d, "create directory", e))?;
        }
        let name = self.unique_name();
        let tmp = dir.join("tmp").join(&name);
        let new = dir.join("new").join(&name);
        atomic_file::move_in(&tmp, &new, bytes)?;
        Ok(new)
    }
}

impl Mailer for MaildirMailer {
    fn deliver(&self, msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError> {
        if msg.recipients.is_empty() {
            return Err(MailError::NoRecipients {
                message_id: msg.message_id,
            });
        }
        // Check every address before writing anything: all copies or none.
        for r in &msg.recipients {
            check_address(r)?;
        }
        let mut paths = Vec::with_capacity(msg.recipients.len());
        for r in &msg.recipients {
            paths.push(self.deliver_one(r, &msg.bytes)?);
        }
        Ok(DeliveryReceipt::Delivered { paths })
    }
}

fn count_files(dir: &Path) -> Result<usize, MailError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(MailError::io(dir, "list", e)),
    };
    let mut n = 0;
    for entry in entries {
        let entry = entry.map_err(|e| MailError::io(dir, "list", e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(to: &[&str], bytes: &[u8]) -> OutgoingMessage {
        OutgoingMessage {
            message_id: "m1@contoso.lab".into(),
            envelope_from: "um@contoso.lab".into(),
            recipients: to.iter().map(|s| s.to_string()).collect(),
            bytes: bytes.to_vec(),
            kind: None,
        }
    }

    #[test]
    fn delivers_into_new_with_the_maildir_name_and_leaves_tmp_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = MaildirMailer::new(dir.path());
        let receipt = mailer
            .deliver(message(
                &["Bob@Contoso.lab"],
                b"Subject: hi\r\n\r\nbody\r\n",
            ))
            .unwrap();
        let DeliveryReceipt::Delivered { paths } = receipt else {
            panic!("expected Delivered");
        };
        assert_eq!(paths.len(), 1);
        let maildir = dir.path().join("bob@contoso.lab").join("Maildir");
        assert_eq!(paths[0].parent().unwrap(), maildir.join("new"));
        assert_eq!(
            fs::read(&paths[0]).unwrap(),
            b"Subject: hi\r\n\r\nbody\r\n".to_vec()
        );
        let name = paths[0].file_name().unwrap().to_string_lossy().to_string();
        let parts: Vec<&str> = name.splitn(3, '.').collect();
        assert!(parts[0].chars().all(|c| c.is_ascii_digit()), "{name}");
        assert!(
            parts[1].starts_with('M') && parts[1].contains('P') && parts[1].contains('Q'),
            "{name}"
        );
        assert_eq!(fs::read_dir(maildir.join("tmp")).unwrap().count(), 0);
        assert!(maildir.join("cur").is_dir());
        assert_eq!(mailer.count("bob@contoso.lab").unwrap(), (1, 0));
    }

    #[test]
    fn names_are_unique_and_counts_see_new_and_cur() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = MaildirMailer::new(dir.path());
        let mut names = std::collections::HashSet::new();
        for _ in 0..50 {
            let DeliveryReceipt::Delivered { paths } =
                mailer.deliver(message(&["bob@contoso.lab"], b"x")).unwrap()
            else {
                panic!("expected Delivered");
            };
            assert!(names.insert(paths[0].file_name().unwrap().to_owned()));
        }
        let maildir = mailer.maildir("bob@contoso.lab").unwrap();
        let first = fs::read_dir(maildir.join("new"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        fs::rename(
            first.path(),
            maildir
                .join("cur")
                .join(format!("{}:2,S", first.file_name().to_string_lossy())),
        )
        .unwrap();
        assert_eq!(mailer.count("bob@contoso.lab").unwrap(), (49, 1));
        assert_eq!(mailer.count("nobody@contoso.lab").unwrap(), (0, 0));
    }

    #[test]
    fn a_reader_polling_new_never_sees_a_partial_file() {
        // Deliver large messages while another thread reads whatever appears in new/: every
        // file it sees must be complete (the rename is the only way into new/).
        let dir = tempfile::tempdir().unwrap();
        let mailer = std::sync::Arc::new(MaildirMailer::new(dir.path()));
        let body = vec![b'a'; 512 * 1024];
        let new = mailer.maildir("bob@contoso.lab").unwrap().join("new");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (new, stop, len) = (new.clone(), stop.clone(), body.len());
            std::thread::spawn(move || {
                let mut seen = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(entries) = fs::read_dir(&new) {
                        for e in entries {
                            let data = fs::read(e.unwrap().path()).unwrap();
                            assert_eq!(data.len(), len, "partial file in new/");
                            seen += 1;
                        }
                    }
                }
                seen
            })
        };
        for _ in 0..20 {
            mailer
                .deliver(message(&["bob@contoso.lab"], &body))
                .unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
        assert_eq!(mailer.count("bob@contoso.lab").unwrap(), (20, 0));
    }

    #[test]
    fn a_bad_recipient_delivers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = MaildirMailer::new(dir.path());
        let err = mailer
            .deliver(message(&["bob@contoso.lab", "../evil"], b"x"))
            .unwrap_err();
        assert!(err.to_string().contains("../evil"), "{err}");
        assert_eq!(mailer.count("bob@contoso.lab").unwrap(), (0, 0));
        let err = mailer.deliver(message(&[], b"x")).unwrap_err();
        assert!(matches!(err, MailError::NoRecipients { .. }));
    }

    #[test]
    fn an_unwritable_root_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        fs::write(&file, b"").unwrap();
        let mailer = MaildirMailer::new(&file);
        let err = mailer
            .deliver(message(&["bob@contoso.lab"], b"x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not-a-dir"), "{err}");
    }
}
