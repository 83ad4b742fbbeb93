//! Echoing what the user gave back in a message: one helper every error calls, so an input is
//! always quoted the same way, with control characters escaped (a terminal never receives a
//! raw escape sequence from a file or an argument) and shortened when it is long (a 120 KB
//! filter is not printed back whole). A leaf module: it imports nothing of ours, so every layer
//! may use it.

use std::fmt;

/// How many characters of an input a message shows before it is cut.
pub const SHOWN_CHARS: usize = 60;

/// `input` in single quotes, control characters escaped (`\n`, `\x1b`), cut after
/// [`SHOWN_CHARS`] characters with `...` and the input's whole length in bytes.
///
/// ```
/// assert_eq!(umctl::quote::quote("ldap://"), "'ldap://'");
/// assert_eq!(umctl::quote::quote("a\nb\x1b"), "'a\\nb\\x1b'");
/// assert!(umctl::quote::quote(&"x".repeat(1000)).ends_with("...' (1000 bytes)"));
/// ```
pub fn quote(input: &str) -> String {
    Quoted(input).to_string()
}

/// `line` with its control characters escaped, not quoted and not cut: for a whole message.
pub fn escape_controls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        // Writing into a String cannot fail.
        let _ = write_escaped(&mut out, c);
    }
    out
}

/// The inside of [`quote_bytes`] for a message that puts its own quotes around it: escaped,
/// cut after [`SHOWN_CHARS`] characters with `...`.
pub fn excerpt_bytes(input: &[u8]) -> String {
    let quoted = quote_bytes(input);
    let inner = quoted.strip_prefix('\'').unwrap_or(&quoted);
    match inner.rsplit_once("...' (") {
        Some((cut, _)) => format!("{cut}..."),
        None => inner.strip_suffix('\'').unwrap_or(inner).to_string(),
    }
}

/// Bytes that may not be UTF-8 (a WAV chunk id, a header name): invalid bytes escaped as `\xNN`.
pub fn quote_bytes(input: &[u8]) -> String {
    let units = input.utf8_chunks().flat_map(|chunk| {
        chunk
            .valid()
            .chars()
            .map(Unit::Char)
            .chain(chunk.invalid().iter().map(|b| Unit::Byte(*b)))
    });
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_quoted(&mut out, units, input.len());
    out
}

/// [`quote`] as a Display value, for `format!("... {}", Quoted(s))`.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, self.0.chars().map(Unit::Char), self.0.len())
    }
}

/// A character, or a byte that is no part of a UTF-8 character.
enum Unit {
    Char(char),
    Byte(u8),
}

fn write_quoted(
    f: &mut impl fmt::Write,
    units: impl Iterator<Item = Unit>,
    bytes: usize,
) -> fmt::Result {
    f.write_char('\'')?;
    for (shown, unit) in units.enumerate() {
        if shown == SHOWN_CHARS {
            return write!(f, "...' ({bytes} bytes)");
        }
        match unit {
            Unit::Char(c) => write_escaped(f, c)?,
            Unit::Byte(b) => write!(f, "\\x{b:02x}")?,
        }
    }
    f.write_char('\'')
}

fn write_escaped(f: &mut impl fmt::Write, c: char) -> fmt::Result {
    match c {
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c if (c as u32) < 0x100 && c.is_control() => write!(f, "\\x{:02x}", c as u32),
        c if c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}') => {
            write!(f, "\\u{{{:x}}}", c as u32)
        }
        c => f.write_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_inputs_are_quoted_whole() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("bob"), "'bob'");
        assert_eq!(quote("O'Brien"), "'O'Brien'");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let q = quote("\x1b[31mred\x07\u{7f}\u{85}\u{202e}");
        assert_eq!(q, "'\\x1b[31mred\\x07\\x7f\\x85\\u{202e}'");
        assert!(!q.chars().any(char::is_control));
    }

    #[test]
    fn long_inputs_are_cut_with_their_length() {
        let long = format!("(cn={})", "a".repeat(120_000));
        let q = quote(&long);
        assert!(q.starts_with("'(cn=aaaa"), "{q}");
        assert!(q.ends_with("...' (120005 bytes)"), "{q}");
        assert!(q.len() < 100);
        // Exactly SHOWN_CHARS characters are shown whole.
        assert_eq!(
            quote(&"é".repeat(SHOWN_CHARS)).chars().count(),
            SHOWN_CHARS + 2
        );
    }

    #[test]
    fn excerpts_have_no_quotes_of_their_own() {
        assert_eq!(excerpt_bytes(b"ab\x1bc"), "ab\\x1bc");
        assert_eq!(
            excerpt_bytes(&[b'x'; 100]),
            format!("{}...", "x".repeat(SHOWN_CHARS))
        );
    }

    #[test]
    fn bytes_show_invalid_utf8_as_hex() {
        assert_eq!(quote_bytes(b"RI\x01\xffF"), "'RI\\x01\\xffF'");
    }
}
