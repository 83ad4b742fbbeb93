//! Adds a Voice Mail Preview to a voice message that is already rendered (and perhaps already
//! delivered): the preview's headers go at the end of the message's header block (a long
//! value folded at spaces, RFC 5322 2.2.3) and its text opens the first `text/plain` part,
//! in that part's transfer encoding (7bit or quoted-printable as is, since the preview is
//! ASCII without `=`; base64 decoded, prepended and encoded again). Everything else is kept
//! byte for byte. The preview's wording is `um::preview`'s; this file only places it.

use base64::Engine as _;

/// Longest header line written (RFC 5322 2.1.1 recommends 78).
const FOLD_AT: usize = 78;

/// `msg` (CRLF line ends) with `headers` and `body` (CRLF lines, ASCII) added.
pub fn add_preview(
    msg: &[u8],
    headers: &[(&str, String)],
    body: &str,
) -> Result<Vec<u8>, &'static str> {
    if !body.is_ascii() || headers.iter().any(|(n, v)| !n.is_ascii() || !v.is_ascii()) {
        return Err("the preview is not ASCII");
    }
    let text = std::str::from_utf8(msg).map_err(|_| "the message is not 7-bit text")?;
    let head_end = text
        .find("\r\n\r\n")
        .ok_or("the message has no header block")?;
    let (part_head, part_body) = text_part(text, head_end + 4)?;
    let mut out = String::with_capacity(msg.len() + 512);
    out.push_str(&text[..head_end + 2]);
    for (name, value) in headers {
        out.push_str(&fold(name, value));
    }
    out.push_str(&text[head_end + 2..part_body]);
    let encoding = transfer_encoding(&text[part_head..part_body]);
    if encoding == "base64" {
        let end = text[part_body..]
            .find("\r\n--")
            .map_or(text.len(), |i| part_body + i);
        let b64: String = text[part_body..end].split_whitespace().collect();
        let engine = base64::engine::general_purpose::STANDARD;
        let old = engine
            .decode(b64)
            .map_err(|_| "the text part is not base64")?;
        let mut new = body.as_bytes().to_vec();
        new.extend_from_slice(&old);
        let encoded = engine.encode(new);
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        out.push_str(&lines.join("\r\n"));
        out.push_str(&text[end..]);
    } else {
        out.push_str(body);
        out.push_str(&text[part_body..]);
    }
    Ok(out.into_bytes())
}

/// The first `text/plain` part at or after `from`: where its headers start and where its
/// body starts.
fn text_part(text: &str, from: usize) -> Result<(usize, usize), &'static str> {
    let mut at = from;
    for line in text[from..].split_inclusive("\r\n") {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("content-type:") && lower.contains("text/plain") {
            let body = text[at..]
                .find("\r\n\r\n")
                .ok_or("the text part has no body")?;
            return Ok((at, at + body + 4));
        }
        at += line.len();
    }
    Err("the message has no text/plain part")
}

/// A part's Content-Transfer-Encoding, lowercase (`7bit` when absent).
fn transfer_encoding(part_head: &str) -> String {
    part_head
        .split("\r\n")
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("content-transfer-encoding")
                .then(|| v.trim().to_ascii_lowercase())
        })
        .unwrap_or_else(|| "7bit".into())
}

/// `Name: value` folded at spaces into lines of at most [`FOLD_AT`] columns, CRLF-terminated.
fn fold(name: &str, value: &str) -> String {
    let mut out = format!("{name}:");
    let mut line_len = out.len();
    for word in value.split_whitespace() {
        if line_len + 1 + word.len() > FOLD_AT && line_len > name.len() + 1 {
            out.push_str("\r\n");
            line_len = 0;
        }
        out.push(' ');
        out.push_str(word);
        line_len += 1 + word.len();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mail::{MailAddress, VoiceMessage};
    use std::time::{Duration, UNIX_EPOCH};

    fn rendered(name: &str) -> Vec<u8> {
        VoiceMessage {
            from_number: "+14255550100".into(),
            from_name: Some(name.into()),
            from_address: None,
            to_user: MailAddress::new("Bob Haddad", "bob@contoso.lab"),
            duration: Duration::from_secs(3),
            call_id: "c1@contoso.lab".into(),
            received_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            audio: vec![1, 2, 3, 4],
            interrupted: false,
        }
        .render("um@contoso.lab")
        .unwrap()
        .bytes
    }

    fn headers() -> Vec<(&'static str, String)> {
        vec![
            ("X-Umctl-Preview", "shown; confidence=0.80".into()),
            ("X-Umctl-Preview-Text", "call me back ".repeat(12)),
        ]
    }

    /// The decoded text/plain part of a message, via mail-parser-free means: our own split.
    fn text_of(msg: &[u8]) -> String {
        let t = std::str::from_utf8(msg).unwrap();
        let (h, b) = text_part(t, t.find("\r\n\r\n").unwrap() + 4).unwrap();
        let end = t[b..].find("\r\n--").map_or(t.len(), |i| b + i);
        if transfer_encoding(&t[h..b]) == "base64" {
            let b64: String = t[b..end].split_whitespace().collect();
            let engine = base64::engine::general_purpose::STANDARD;
            String::from_utf8(engine.decode(b64).unwrap()).unwrap()
        } else {
            t[b..end].to_string()
        }
    }

    #[test]
    fn the_preview_opens_the_text_and_the_headers_are_folded() {
        for name in ["Alice Adams", "Zoë Ωmega Ünïcode ✓✓✓✓✓✓✓✓✓✓✓✓✓"]
        {
            let msg = rendered(name);
            let before = text_of(&msg);
            let out = add_preview(&msg, &headers(), "Preview:\r\ncall me\r\n\r\n").unwrap();
            let after = text_of(&out);
            assert_eq!(
                after,
                format!("Preview:\r\ncall me\r\n\r\n{before}"),
                "{name}"
            );
            let t = String::from_utf8(out.clone()).unwrap();
            let head = &t[..t.find("\r\n\r\n").unwrap()];
            assert!(head.contains("\r\nX-Umctl-Preview: shown; confidence=0.80\r\n"));
            assert!(head.split("\r\n").all(|l| l.len() <= 998));
            let unfolded = head.replace("\r\n ", " ");
            assert!(unfolded.contains(&format!(
                "X-Umctl-Preview-Text: {}",
                "call me back ".repeat(12).trim()
            )));
            assert!(head
                .split("\r\n")
                .filter(|l| l.starts_with("X-Umctl-Preview-Text") || l.starts_with(' '))
                .all(|l| l.len() <= FOLD_AT));
            // The attachment is untouched.
            let tail = |m: &[u8]| {
                let s = String::from_utf8(m.to_vec()).unwrap();
                s[s.find("voicemail.wav").unwrap()..].to_string()
            };
            assert_eq!(tail(&out), tail(&msg));
        }
    }

    #[test]
    fn a_message_without_a_text_part_is_refused_unchanged() {
        let msg = b"Subject: x\r\nContent-Type: audio/wav\r\n\r\nAAAA\r\n";
        assert_eq!(
            add_preview(msg, &headers(), "x\r\n"),
            Err("the message has no text/plain part")
        );
        assert_eq!(
            add_preview(b"no header block", &headers(), "x\r\n"),
            Err("the message has no header block")
        );
        assert_eq!(
            add_preview(msg, &headers(), "caf\u{e9}\r\n"),
            Err("the preview is not ASCII")
        );
    }
}
