//! The two messages the UM endpoint sends, rendered to RFC 5322 / MIME bytes: a call-answering
//! [`VoiceMessage`] (multipart/mixed: a text/plain summary and the recording as an `audio/wav`
//! attachment `voicemail.wav`, base64 in 76-column lines) and a [`MissedCall`] notification
//! (text/plain only). It does not resolve names or send anything: the caller passes in what
//! the directory said, and a [`Mailer`](super::Mailer) takes the [`OutgoingMessage`].
//!
//! The MIME is written by `mail-builder` (no default features), which handles RFC 2047 for
//! non-ASCII display names and subjects, header folding and line-wrapped base64.
//!
//! Exchange's message class travels in three ways, so that an Exchange-aware reader, a plain
//! reader and our own tests all see it:
//! - `Content-Class: voice-ca` / `missedcall`: MS-OXCMAIL 2.2.3.2.15 maps these Content-Class
//!   values to `IPM.Note.Microsoft.Voicemail.UM.CA` / `IPM.Note.Microsoft.Missed.Voice`
//!   (<https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/d8a438cb-a584-4545-9794-8da75455a950>);
//! - the Unified Messaging headers of MS-OXCMAIL 2.2.3.2.23 (`X-CallingTelephoneNumber`,
//!   `X-VoiceMessageSenderName`, `X-VoiceMessageDuration`, `X-CallID`)
//!   (<https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/9656f3a8-7f73-4b46-a38b-4bb37d1624ed>);
//! - umctl's own `X-Umctl-*` headers (message class, call ID, duration, interrupted).

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::HeaderType;
use mail_builder::mime::MimePart;
use mail_builder::MessageBuilder;

use super::MailError;

/// Message class of a call-answering voice mail (domain B.4.7).
pub const MESSAGE_CLASS_VOICE_CA: &str = "IPM.Note.Microsoft.Voicemail.UM.CA";
/// Message class of a missed-call notification (domain B.4.7).
pub const MESSAGE_CLASS_MISSED_CALL: &str = "IPM.Note.Microsoft.Missed.Voice";
/// Content-Class that MS-OXCMAIL maps to [`MESSAGE_CLASS_VOICE_CA`].
pub const CONTENT_CLASS_VOICE_CA: &str = "voice-ca";
/// Content-Class that MS-OXCMAIL maps to [`MESSAGE_CLASS_MISSED_CALL`].
pub const CONTENT_CLASS_MISSED_CALL: &str = "missedcall";

/// Our headers (see the module doc).
pub const HEADER_MESSAGE_CLASS: &str = "X-Umctl-Message-Class";
pub const HEADER_CALL_ID: &str = "X-Umctl-Call-Id";
pub const HEADER_DURATION: &str = "X-Umctl-Duration-Seconds";
pub const HEADER_INTERRUPTED: &str = "X-Umctl-Interrupted";
pub const HEADER_CALLER: &str = "X-Umctl-Caller";

/// File name of the recording in a voice message.
pub const ATTACHMENT_NAME: &str = "voicemail.wav";

/// Longest display name or header value kept from caller-supplied text (SIP From display
/// names are attacker-controlled); longer values are cut.
const MAX_TEXT: usize = 200;

/// A display name and an address, e.g. the called user `"Alice Adams" <alice@contoso.lab>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAddress {
    pub name: Option<String>,
    pub address: String,
}

impl MailAddress {
    /// An address with a display name.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        MailAddress {
            name: Some(name.into()),
            address: address.into(),
        }
    }

    /// A bare address.
    pub fn bare(address: impl Into<String>) -> Self {
        MailAddress {
            name: None,
            address: address.into(),
        }
    }
}

/// A call-answering voice message: who called whom, when, for how long, and the recording.
#[derive(Debug, Clone)]
pub struct VoiceMessage {
    /// The caller's number as received (e.g. `+96265519000`), or `Anonymous`.
    pub from_number: String,
    /// The caller's name when the directory resolved the number.
    pub from_name: Option<String>,
    /// The caller's own mailbox when the directory resolved it (becomes the From address, so
    /// "reply" reaches the caller); otherwise the UM sender address is used.
    pub from_address: Option<String>,
    /// The called user (display name + primary SMTP address).
    pub to_user: MailAddress,
    /// Length of the recording.
    pub duration: Duration,
    /// The SIP Call-ID of the call.
    pub call_id: String,
    /// When the call was received.
    pub received_at: SystemTime,
    /// The recording: a complete WAV file.
    pub audio: Vec<u8>,
    /// The recording was cut short (the endpoint crashed or was stopped mid-call).
    pub interrupted: bool,
}

/// A missed-call notification: the caller hung up before the beep.
#[derive(Debug, Clone)]
pub struct MissedCall {
    pub from_number: String,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub to_user: MailAddress,
    pub call_id: String,
    pub received_at: SystemTime,
}

/// What a message is: a voice message (call answering; it lights the message waiting lamp) or
/// a missed-call notification. Known when the message is built and carried with it; read back
/// from the message class header only for a message file loaded from disk ([`Self::of_rendered`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    VoiceMessage,
    MissedCall,
}

impl MessageKind {
    /// Exchange's message class (`X-Umctl-Message-Class`).
    pub fn message_class(self) -> &'static str {
        match self {
            MessageKind::VoiceMessage => MESSAGE_CLASS_VOICE_CA,
            MessageKind::MissedCall => MESSAGE_CLASS_MISSED_CALL,
        }
    }

    /// The kind a rendered message's header block says (its `X-Umctl-Message-Class`), for a
    /// message read back from a file; `None` when it names neither.
    pub fn of_rendered(bytes: &[u8]) -> Option<MessageKind> {
        let text = String::from_utf8_lossy(bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        let class = head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(HEADER_MESSAGE_CLASS)
                .then(|| v.trim().to_string())
        })?;
        [MessageKind::VoiceMessage, MessageKind::MissedCall]
            .into_iter()
            .find(|k| class.eq_ignore_ascii_case(k.message_class()))
    }
}

/// A rendered message and its envelope: what a [`Mailer`](super::Mailer) delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The Message-ID without angle brackets.
    pub message_id: String,
    /// SMTP MAIL FROM (the UM sender address).
    pub envelope_from: String,
    /// SMTP RCPT TO; for Maildir, the mailboxes to deliver to.
    pub recipients: Vec<String>,
    /// The RFC 5322 message, CRLF line ends.
    pub bytes: Vec<u8>,
    /// Voice message or missed-call notification (`None`: neither, e.g. a test message).
    pub kind: Option<MessageKind>,
}

impl VoiceMessage {
    /// `Voice Mail from Alice Adams (12 seconds)`; the number when there is no name.
    pub fn subject(&self) -> String {
        format!(
            "Voice Mail from {} ({})",
            caller_label(&self.from_number, self.from_name.as_deref()),
            seconds_text(self.duration_seconds())
        )
    }

    /// Whole seconds, rounded to nearest.
    pub fn duration_seconds(&self) -> u64 {
        (self.duration.as_millis() as u64).saturating_add(500) / 1000
    }

    /// Render to MIME. `sender` is the UM sender address: the envelope sender always, and the
    /// From address when the caller has no mailbox of their own.
    pub fn render(&self, sender: &str) -> Result<OutgoingMessage, MailError> {
        check_address(sender)?;
        check_address(&self.to_user.address)?;
        let message_id = new_message_id(sender);
        let seconds = self.duration_seconds();
        let caller = caller_label(&self.from_number, self.from_name.as_deref());
        let when = Date::new(unix_seconds(self.received_at)).to_rfc822();
        let mut body = format!(
            "You received a voice message from {caller}.\r\n\r\n\
             Caller: {}\r\n\
             Called: {}\r\n\
             Received: {when}\r\n\
             Duration: {}\r\n",
            from_display(&self.from_number, self.from_name.as_deref()),
            to_display(&self.to_user),
            seconds_text(seconds),
        );
        if self.interrupted {
            body.push_str(
                "\r\nThe recording was interrupted before the caller finished; \
                 the attachment holds what was recorded.\r\n",
            );
        }
        let mut builder = common_headers(
            &message_id,
            self.from_address.as_deref().unwrap_or(sender),
            &self.from_number,
            self.from_name.as_deref(),
            &self.to_user,
            self.received_at,
            &self.subject(),
            CONTENT_CLASS_VOICE_CA,
            MESSAGE_CLASS_VOICE_CA,
            &self.call_id,
        )
        .header("X-VoiceMessageDuration", Raw::new(seconds.to_string()))
        .header(HEADER_DURATION, Raw::new(seconds.to_string()));
        if self.interrupted {
            builder = builder.header(HEADER_INTERRUPTED, Raw::new("true"));
        }
        let builder = builder.body(MimePart::new(
            "multipart/mixed",
            vec![
                MimePart::new("text/plain", body),
                MimePart::new("audio/wav", self.audio.as_slice()).attachment(ATTACHMENT_NAME),
            ],
        ));
        finish(
            builder,
            message_id,
            sender,
            &self.to_user,
            MessageKind::VoiceMessage,
        )
    }
}

impl MissedCall {
    /// `Missed call from Alice Adams`; the number when there is no name.
    pub fn subject(&self) -> String {
        format!(
            "Missed call from {}",
            caller_label(&self.from_number, self.from_name.as_deref())
        )
    }

    /// Render to MIME; `sender` as for [`VoiceMessage::render`].
    pub fn render(&self, sender: &str) -> Result<OutgoingMessage, MailError> {
        check_address(sender)?;
        check_address(&self.to_user.address)?;
        let message_id = new_message_id(sender);
        let when = Date::new(unix_seconds(self.received_at)).to_rfc822();
        let body = format!(
            "You missed a call from {}.\r\n\r\n\
             Caller: {}\r\n\
             Called: {}\r\n\
             Received: {when}\r\n\r\n\
             The caller hung up without leaving a message.\r\n",
            caller_label(&self.from_number, self.from_name.as_deref()),
            from_display(&self.from_number, self.from_name.as_deref()),
            to_display(&self.to_user),
        );
        let builder = common_headers(
            &message_id,
            self.from_address.as_deref().unwrap_or(sender),
            &self.from_number,
            self.from_name.as_deref(),
            &self.to_user,
            self.received_at,
            &self.subject(),
            CONTENT_CLASS_MISSED_CALL,
            MESSAGE_CLASS_MISSED_CALL,
            &self.call_id,
        )
        .body(MimePart::new("text/plain", body));
        finish(
            builder,
            message_id,
            sender,
            &self.to_user,
            MessageKind::MissedCall,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn common_headers<'x>(
    message_id: &str,
    from_address: &'x str,
    from_number: &str,
    from_name: Option<&str>,
    to: &'x MailAddress,
    received_at: SystemTime,
    subject: &str,
    content_class: &'static str,
    message_class: &'static str,
    call_id: &str,
) -> MessageBuilder<'x> {
    let number = clean(from_number);
    let mut builder = MessageBuilder::new()
        .from(Address::new_address(
            Some(from_display(from_number, from_name)),
            Cow::Borrowed(from_address),
        ))
        .to(Address::new_address(
            to.name.as_deref().map(clean),
            Cow::Borrowed(to.address.as_str()),
        ))
        .subject(subject.to_string())
        .date(Date::new(unix_seconds(received_at)))
        .message_id(message_id.to_string())
        .header("Content-Class", Raw::new(content_class))
        .header(HEADER_MESSAGE_CLASS, Raw::new(message_class))
        .header(HEADER_CALLER, Raw::new(header_value(&number)))
        .header(HEADER_CALL_ID, Raw::new(header_value(call_id)))
        .header("X-CallingTelephoneNumber", Raw::new(header_value(&number)))
        .header("X-CallID", Raw::new(header_value(call_id)));
    if let Some(name) = from_name {
        builder = builder.header(
            "X-VoiceMessageSenderName",
            HeaderType::Text(clean(name).into()),
        );
    }
    builder
}

fn finish(
    builder: MessageBuilder<'_>,
    message_id: String,
    sender: &str,
    to: &MailAddress,
    kind: MessageKind,
) -> Result<OutgoingMessage, MailError> {
    let bytes = builder.write_to_vec().map_err(|source| MailError::Render {
        message_id: message_id.clone(),
        source,
    })?;
    Ok(OutgoingMessage {
        message_id,
        envelope_from: sender.to_string(),
        recipients: vec![to.address.clone()],
        bytes,
        kind: Some(kind),
    })
}

/// The caller as a person would say it: the name if known, else the number.
fn caller_label(number: &str, name: Option<&str>) -> String {
    match name.map(clean).filter(|n| !n.is_empty()) {
        Some(name) => name,
        None => clean(number),
    }
}

/// `+962 6 551 9000 (Alice Adams)` or just the number: Exchange's From display name.
fn from_display(number: &str, name: Option<&str>) -> String {
    match name.map(clean).filter(|n| !n.is_empty()) {
        Some(name) => format!("{} ({name})", clean(number)),
        None => clean(number),
    }
}

fn to_display(to: &MailAddress) -> String {
    match to.name.as_deref().map(clean).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} <{}>", to.address),
        None => to.address.clone(),
    }
}

fn seconds_text(seconds: u64) -> String {
    if seconds == 1 {
        "1 second".to_string()
    } else {
        format!("{seconds} seconds")
    }
}

/// Caller-supplied text made safe for a header: control characters become spaces, runs of
/// whitespace collapse, and the result is cut to [`MAX_TEXT`] characters.
fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_TEXT)
        .collect()
}

/// A raw (unencoded) header value: [`clean`], and ASCII only (others become `?`).
fn header_value(text: &str) -> String {
    clean(text)
        .chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect()
}

/// Checks an address enough that it can go into a header, an SMTP command and a file name.
pub(crate) fn check_address(address: &str) -> Result<(), MailError> {
    let bad = |reason: &str| {
        Err(MailError::Address {
            address: address.to_string(),
            reason: reason.to_string(),
        })
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return bad("no @");
    };
    if local.is_empty() || domain.is_empty() {
        return bad("empty local part or domain");
    }
    if address
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '/' | '\\'))
    {
        return bad("contains whitespace, a control character, <, >, / or \\");
    }
    if address.starts_with('.') || address.contains("..") {
        return bad("starts with a dot or contains \"..\"");
    }
    Ok(())
}

fn new_message_id(sender: &str) -> String {
    let domain = sender.rsplit_once('@').map_or("localhost", |(_, d)| d);
    format!("{}@{domain}", uuid::Uuid::new_v4().simple())
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::Engine;

    fn wav() -> Vec<u8> {
        let samples: Vec<i16> = (0..8000).map(|i| ((i * 37) % 2000 - 1000) as i16).collect();
        crate::media::wav::encode_pcm16(&samples)
    }

    fn alice_message() -> VoiceMessage {
        VoiceMessage {
            from_number: "+962 6 551 9000".into(),
            from_name: Some("Alice Adams".into()),
            from_address: None,
            to_user: MailAddress::new("Bob Brown", "bob@contoso.lab"),
            duration: Duration::from_millis(12_400),
            call_id: "a84b4c76e66710@pc33.contoso.lab".into(),
            received_at: UNIX_EPOCH + Duration::from_secs(1_751_364_000),
            audio: wav(),
            interrupted: false,
        }
    }

    #[test]
    fn a_voice_message_carries_its_kind_and_its_header_says_the_same() {
        let msg = alice_message().render("um@contoso.lab").unwrap();
        assert_eq!(msg.kind, Some(MessageKind::VoiceMessage));
        assert_eq!(
            MessageKind::of_rendered(&msg.bytes),
            Some(MessageKind::VoiceMessage)
        );
        let head =
            |class: &str| format!("Subject: s\r\n{HEADER_MESSAGE_CLASS}: {class}\r\n\r\nbody\r\n");
        assert_eq!(
            MessageKind::of_rendered(head(MESSAGE_CLASS_MISSED_CALL).as_bytes()),
            Some(MessageKind::MissedCall)
        );
        // A header-like line in the body does not count.
        let mut bytes = head("x").into_bytes();
        bytes.extend_from_slice(
            format!("{HEADER_MESSAGE_CLASS}: {MESSAGE_CLASS_VOICE_CA}\r\n").as_bytes(),
        );
        assert_eq!(MessageKind::of_rendered(&bytes), None);
    }

    fn text(msg: &OutgoingMessage) -> String {
        String::from_utf8(msg.bytes.clone()).unwrap()
    }

    /// The unfolded value of the first header `name` in the top-level header block.
    fn header(msg: &str, name: &str) -> Option<String> {
        let head = msg.split("\r\n\r\n").next().unwrap();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The base64 body of the part whose headers mention `filename="voicemail.wav"`.
    fn attachment(msg: &str) -> (String, Vec<u8>) {
        let start = msg.find("filename=\"voicemail.wav\"").unwrap();
        let part_start = msg[..start].rfind("\r\n--").unwrap();
        let rest = &msg[part_start + 2..];
        let (headers, body) = rest.split_once("\r\n\r\n").unwrap();
        let body = &body[..body.find("\r\n--").unwrap()];
        for line in body.split("\r\n") {
            assert!(
                line.len() <= 76,
                "base64 line longer than 76: {}",
                line.len()
            );
        }
        let b64: String = body.split("\r\n").collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        (headers.to_string(), bytes)
    }

    #[test]
    fn voice_message_headers_carry_class_caller_duration_and_call_id() {
        let msg = alice_message().render("um@contoso.lab").unwrap();
        let t = text(&msg);
        assert_eq!(
            header(&t, "Subject").unwrap(),
            "Voice Mail from Alice Adams (12 seconds)"
        );
        assert_eq!(
            header(&t, "From").unwrap(),
            "\"+962 6 551 9000 (Alice Adams)\" <um@contoso.lab>"
        );
        assert_eq!(header(&t, "To").unwrap(), "\"Bob Brown\" <bob@contoso.lab>");
        assert_eq!(
            header(&t, "Date").unwrap(),
            "Tue, 1 Jul 2025 10:00:00 +0000"
        );
        assert_eq!(
            header(&t, "Message-ID").unwrap(),
            format!("<{}>", msg.message_id)
        );
        assert!(msg.message_id.ends_with("@contoso.lab"));
        assert_eq!(header(&t, "Content-Class").unwrap(), "voice-ca");
        assert_eq!(
            header(&t, "X-Umctl-Message-Class").unwrap(),
            "IPM.Note.Microsoft.Voicemail.UM.CA"
        );
        assert_eq!(
            header(&t, "X-Umctl-Call-Id").unwrap(),
            "a84b4c76e66710@pc33.contoso.lab"
        );
        assert_eq!(header(&t, "X-Umctl-Duration-Seconds").unwrap(), "12");
        assert_eq!(header(&t, "X-VoiceMessageDuration").unwrap(), "12");
        assert_eq!(
            header(&t, "X-CallingTelephoneNumber").unwrap(),
            "+962 6 551 9000"
        );
        assert_eq!(header(&t, "X-Umctl-Interrupted"), None);
        assert!(header(&t, "Content-Type")
            .unwrap()
            .starts_with("multipart/mixed"));
        assert_eq!(msg.envelope_from, "um@contoso.lab");
        assert_eq!(msg.recipients, vec!["bob@contoso.lab".to_string()]);
        assert!(t.contains("You received a voice message from Alice Adams."));
        assert!(t.contains("Duration: 12 seconds"));
    }

    #[test]
    fn voice_message_attachment_round_trips_byte_for_byte() {
        let vm = alice_message();
        let msg = vm.render("um@contoso.lab").unwrap();
        let (headers, bytes) = attachment(&text(&msg));
        assert!(headers.contains("audio/wav"), "{headers}");
        assert!(headers.contains("base64"), "{headers}");
        assert!(headers.contains("attachment"), "{headers}");
        assert_eq!(bytes, vm.audio);
    }

    #[test]
    fn unknown_caller_uses_the_number_and_a_resolved_caller_their_own_address() {
        let mut vm = alice_message();
        vm.from_name = None;
        vm.duration = Duration::from_millis(600);
        let t = text(&vm.render("um@contoso.lab").unwrap());
        assert_eq!(
            header(&t, "Subject").unwrap(),
            "Voice Mail from +962 6 551 9000 (1 second)"
        );
        assert_eq!(header(&t, "X-VoiceMessageSenderName"), None);

        let mut vm = alice_message();
        vm.from_address = Some("alice@contoso.lab".into());
        let msg = vm.render("um@contoso.lab").unwrap();
        let t = text(&msg);
        assert!(header(&t, "From").unwrap().ends_with("<alice@contoso.lab>"));
        assert_eq!(msg.envelope_from, "um@contoso.lab");
    }

    #[test]
    fn interrupted_recording_is_marked() {
        let mut vm = alice_message();
        vm.interrupted = true;
        let t = text(&vm.render("um@contoso.lab").unwrap());
        assert_eq!(header(&t, "X-Umctl-Interrupted").unwrap(), "true");
        assert!(t.contains("The recording was interrupted"));
    }

    #[test]
    fn hostile_caller_text_cannot_inject_headers() {
        let mut vm = alice_message();
        vm.from_name = Some("Eve\r\nBcc: victim@example.com".into());
        vm.call_id = "x\r\nX-Evil: 1".into();
        let t = text(&vm.render("um@contoso.lab").unwrap());
        let head = t.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|l| l.starts_with("Bcc:")), "{head}");
        assert!(!head.lines().any(|l| l.starts_with("X-Evil:")), "{head}");
        assert_eq!(header(&t, "X-Umctl-Call-Id").unwrap(), "x X-Evil: 1");
    }

    #[test]
    fn non_ascii_names_are_encoded_words() {
        let mut vm = alice_message();
        vm.from_name = Some("Zoë Øster".into());
        let t = text(&vm.render("um@contoso.lab").unwrap());
        assert!(t.is_ascii() || !t.split("\r\n\r\n").next().unwrap().contains('ë'));
        assert!(header(&t, "Subject").unwrap().starts_with("=?utf-8?"));
    }

    #[test]
    fn missed_call_has_its_own_class_and_no_attachment() {
        let mc = MissedCall {
            from_number: "+962 6 551 9000".into(),
            from_name: Some("Alice Adams".into()),
            from_address: None,
            to_user: MailAddress::new("Bob Brown", "bob@contoso.lab"),
            call_id: "c1@contoso.lab".into(),
            received_at: UNIX_EPOCH + Duration::from_secs(1_751_364_000),
        };
        let msg = mc.render("um@contoso.lab").unwrap();
        assert_eq!(msg.kind, Some(MessageKind::MissedCall));
        let t = text(&msg);
        assert_eq!(
            header(&t, "Subject").unwrap(),
            "Missed call from Alice Adams"
        );
        assert_eq!(header(&t, "Content-Class").unwrap(), "missedcall");
        assert_eq!(
            header(&t, "X-Umctl-Message-Class").unwrap(),
            "IPM.Note.Microsoft.Missed.Voice"
        );
        assert_eq!(header(&t, "X-Umctl-Call-Id").unwrap(), "c1@contoso.lab");
        assert!(header(&t, "Content-Type")
            .unwrap()
            .starts_with("text/plain"));
        assert!(!t.contains("voicemail.wav"));
        assert!(t.contains("hung up without leaving a message"));
    }

    #[test]
    fn bad_addresses_are_refused_by_name() {
        let mut vm = alice_message();
        vm.to_user.address = "../../etc/passwd".into();
        let err = vm.render("um@contoso.lab").unwrap_err().to_string();
        assert!(err.contains("../../etc/passwd"), "{err}");
        let err = alice_message().render("nobody").unwrap_err().to_string();
        assert!(
            err.contains("\"nobody\"") && err.contains("local@domain"),
            "{err}"
        );
    }
}
