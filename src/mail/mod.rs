//! Delivery of what the UM endpoint produces: a voice message (call answering) or a missed-call
//! notification, rendered as an RFC 5322 / MIME message and handed to a [`Mailer`].
//!
//! - [`message`]: [`VoiceMessage`] and [`MissedCall`] -> MIME bytes ([`OutgoingMessage`]), with
//!   Exchange's message class carried in headers (`Content-Class`, `X-Umctl-Message-Class`).
//! - [`mailbox`]: [`Mailbox`], one user's lab mailbox folder `<mailboxes>/<sAMAccountName>/` and
//!   the files in it, with the one rule for the folder name.
//! - [`maildir`]: [`MaildirMailer`], the lab mailbox: one Maildir per user, written to `tmp/`
//!   and renamed into `new/` so a reader never sees a partial message.
//! - [`spool`]: [`Spool`], the on-disk queue in front of SMTP (atomic writes, `failed/`).
//! - [`smtp`]: [`SmtpMailer`] (spools, returns at once) and the [`SpoolWorker`] tokio task that
//!   sends the spool over SMTP with STARTTLS when offered, retrying with exponential backoff.
//!
//! - [`voicemail`]: reading voice messages back for Outlook Voice Access: [`voicemail_audio`]
//!   (the WAV attachment of a message file) and the [`MailStore`] trait with [`MaildirStore`]
//!   (list new messages oldest first, mark read `new/` -> `cur/`, delete).
//!
//! - [`preview`]: [`preview::add_preview`], a Voice Mail Preview's headers and text placed
//!   into a rendered voice message.
//!
//! This module knows nothing of SIP or AD: the caller resolves names and addresses and passes
//! them in. The audio is opaque WAV bytes. `smtp.rs` is the only socket code here.

pub mod mailbox;
pub mod maildir;
pub mod message;
pub mod preview;
pub mod smtp;
pub mod spool;
pub mod voicemail;

use std::path::PathBuf;

pub use mailbox::Mailbox;
pub use maildir::MaildirMailer;
pub use message::{
    MailAddress, MessageKind, MissedCall, OutgoingMessage, VoiceMessage, CONTENT_CLASS_MISSED_CALL,
    CONTENT_CLASS_VOICE_CA, MESSAGE_CLASS_MISSED_CALL, MESSAGE_CLASS_VOICE_CA,
};
pub use smtp::{
    Backoff, SmtpConfig, SmtpMailer, SpoolEvent, SpoolWorker, TlsMode, DEFAULT_SMTP_PORT,
};
pub use spool::{Spool, SpoolId};
pub use voicemail::{voicemail_audio, MailStore, MaildirStore, StoredMessage};

/// What a [`Mailer`] did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryReceipt {
    /// Delivered into a mailbox: the file in `new/`, one per recipient.
    Delivered { paths: Vec<PathBuf> },
    /// Safely on disk in the SMTP spool; the [`SpoolWorker`] sends it in the background.
    Spooled { id: SpoolId, path: PathBuf },
}

/// Something that takes a finished message and makes sure it reaches the mailbox.
///
/// `deliver` is synchronous file I/O (a Maildir write or a spool write, each fsynced), so it
/// can be called from async code without holding anything across an await; network delivery,
/// when there is any, happens in the background. Object-safe: use `Arc<dyn Mailer>`.
pub trait Mailer: Send + Sync {
    /// Deliver (or durably queue) `msg`. When this returns `Ok`, the message is on disk.
    fn deliver(&self, msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError>;
}

/// Errors of the mail module. Each names the offending path, server or value and what was
/// expected.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A file or directory could not be read, written, synced or renamed.
    #[error("{}: {action} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },

    /// An e-mail address is not usable (empty, no `@`, control characters, path separators).
    #[error("invalid e-mail address {address:?}: {reason}; expected local@domain")]
    Address { address: String, reason: String },

    /// A message has nobody to go to.
    #[error("message {message_id} has no recipients; expected at least one")]
    NoRecipients { message_id: String },

    /// The MIME writer failed (it writes to memory, so this is not expected to happen).
    #[error("cannot render message {message_id}: {source}")]
    Render {
        message_id: String,
        source: std::io::Error,
    },

    /// A message file holds no usable recording.
    #[error("{}: not a voice message: {reason}; expected a MIME message with a base64 audio/wav attachment", path.display())]
    Voicemail { path: PathBuf, reason: String },

    /// A mailbox or message name that cannot name a file.
    #[error("invalid {what} {value:?}: expected {expected} (no path separators, not starting with a dot)")]
    Name {
        what: &'static str,
        value: String,
        expected: &'static str,
    },

    /// A spool file is not in the format this version writes.
    #[error("{}: not a umctl spool file: {reason}; expected a \"umctl-spool 1\" envelope, a blank line, then the message", path.display())]
    SpoolFormat { path: PathBuf, reason: String },

    /// The `--smtp` value is not usable.
    #[error("invalid SMTP server {value:?}: {reason}; expected smtp://host[:port]")]
    SmtpUrl { value: String, reason: String },

    /// TLS parameters for the SMTP server could not be built (bad CA file, bad name).
    #[error("SMTP server {server}: cannot set up TLS: {reason}")]
    Tls { server: String, reason: String },

    /// The SMTP server refused or failed the transaction.
    #[error("SMTP server {server}: {reason} ({})", if *permanent { "permanent, not retried" } else { "temporary, will retry" })]
    Smtp {
        server: String,
        reason: String,
        permanent: bool,
    },
}

impl From<crate::atomic_file::Error> for MailError {
    fn from(e: crate::atomic_file::Error) -> Self {
        MailError::io(e.path, e.action, e.source)
    }
}

impl MailError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        MailError::Io {
            path: path.into(),
            action,
            source,
        }
    }
}

/// This machine's name for Maildir file names, Message-IDs and the SMTP greeting; `localhost`
/// when it cannot be found. Only `[A-Za-z0-9.-]` survive (Maildir and EHLO need no escapes).
pub(crate) fn local_hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    if clean.is_empty() {
        "localhost".to_string()
    } else {
        clean
    }
}
