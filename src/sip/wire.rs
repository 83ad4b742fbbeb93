//! What umctl writes into SIP header fields, with one rule set: the check every header value
//! we put on the wire passes ([`header_value`]: no CR, LF or other control character but tab,
//! at most [`MAX_HEADER_VALUE`] bytes), the Warning header that carries a reason to the peer
//! ([`warning`]: code 399, one safe quoted string), and the reason phrase of a status
//! ([`phrase`], RFC 3261 21; rsip 0.4 prints its own variant names instead). It does not
//! build messages: `sip::request` and `sip::message::response_to` do.

use super::SipError;

/// The longest header value we write, in bytes (`Limits::max_header_bytes` of the receiving
/// side is larger, so what we send is never refused for size).
pub const MAX_HEADER_VALUE: usize = 2048;

/// The longest text a Warning carries, in characters.
pub const MAX_WARNING_TEXT: usize = 300;

/// `value` when it can stand in header `name` as it is: no CR, LF or other control
/// character (a tab is fine), at most [`MAX_HEADER_VALUE`] bytes. The error names the header
/// and the value, so a bad address or display name is reported, never sent.
pub fn header_value<'a>(name: &str, value: &'a str) -> Result<&'a str, SipError> {
    let bad = |expected: String| SipError::HeaderValue {
        name: name.to_string(),
        value: value.chars().take(80).collect(),
        expected,
    };
    if value.len() > MAX_HEADER_VALUE {
        return Err(bad(format!(
            "at most {MAX_HEADER_VALUE} bytes (it has {})",
            value.len()
        )));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(bad(
            "one line of text without CR, LF or other control characters".into(),
        ));
    }
    Ok(value)
}

/// A Warning header (RFC 3261 20.43, code 399 "miscellaneous") carrying `text` as one safe
/// quoted string: quotes and backslashes become `'`, control characters spaces, at most
/// [`MAX_WARNING_TEXT`] characters.
pub fn warning(text: &str) -> rsip::Header {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(MAX_WARNING_TEXT)
        .collect();
    rsip::Header::Other("Warning".into(), format!("399 umctl \"{clean}\""))
}

/// The reason phrase RFC 3261 21 (and RFC 3262/3515/6665 for the codes umctl sends) gives
/// `status`; `"Unknown"` for a code with none.
pub fn phrase(status: u16) -> &'static str {
    match status {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        302 => "Moved Temporarily",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        416 => "Unsupported URI Scheme",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        603 => "Decline",
        _ => "Unknown",
    }
}

/// `CamelCase` words spaced (`MovedTemporarily` -> `Moved Temporarily`), for a phrase rsip
/// printed as its variant name.
pub fn spaced_words(name: &str) -> String {
    let mut spaced = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if previous_lower && c.is_ascii_uppercase() {
            spaced.push(' ');
        }
        previous_lower = c.is_ascii_lowercase();
        spaced.push(c);
    }
    spaced
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_one_line_and_bounded() {
        assert_eq!(header_value("To", "<sip:a@b>\tx").unwrap(), "<sip:a@b>\tx");
        let err = header_value("From", "\"A\r\nVia: evil\" <sip:a@b>").unwrap_err();
        assert!(err.to_string().contains("\"From\""), "{err}");
        assert!(err.to_string().contains("without CR, LF"), "{err}");
        let long = "a".repeat(MAX_HEADER_VALUE + 1);
        let err = header_value("Subject", &long).unwrap_err();
        assert!(err.to_string().contains("at most 2048 bytes"), "{err}");
        assert!(header_value("Subject", &long[1..]).is_ok());
    }

    #[test]
    fn warning_is_one_safe_quoted_string() {
        let w = warning("bad \"value\"\r\nx\\");
        assert_eq!(w.to_string(), "Warning: 399 umctl \"bad 'value'  x'\"");
        let long = warning(&"é".repeat(400)).to_string();
        assert_eq!(long.chars().filter(|c| *c == 'é').count(), MAX_WARNING_TEXT);
    }

    #[test]
    fn phrases_are_rfc_3261s() {
        assert_eq!(phrase(481), "Call/Transaction Does Not Exist");
        assert_eq!(phrase(513), "Message Too Large");
        assert_eq!(phrase(299), "Unknown");
        assert_eq!(
            spaced_words("UnknownResourcePriority"),
            "Unknown Resource Priority"
        );
    }
}
