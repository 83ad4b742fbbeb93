//! Rewrites one received SIP message into the form rsip 0.4 parses, without changing its
//! meaning. Owns: splitting the header section into logical header fields (unfolding
//! continuation lines, lenient LF-only line ends), compact header names, and the whitespace
//! rules of RFC 3261 25.1. Does not own framing (`framing`), the start line (kept byte for byte:
//! RFC 4475 `lwsstart`/`trws` must still fail), or the body (never touched: Content-Length
//! counts its bytes).
//!
//! What rsip 0.4 needs and why each rewrite preserves meaning (RFC 4475 case in brackets):
//! * LF-only line ends become CRLF in the header section (RFC 3261 7.5 allows lenient receipt;
//!   the RFC 5118 archive is LF-only).
//! * Folded lines are joined with one SP: RFC 3261 7.3.1 says the line break and leading
//!   whitespace of a continuation line are a single SP [`wsinv`, `semiuri`, `esc01`].
//! * Whitespace before the colon is removed (HCOLON = *( SP / HTAB ) ":" SWS) [`wsinv`].
//! * Compact names become long names (RFC 3261 7.3.3: they are equivalent) [`wsinv`, `esc01`,
//!   `esc02`, `longreq`, `dblreq`]. rsip would store `v:` as `Header::Other`.
//! * In headers whose grammar is RFC 3261's (Via, To, From, Contact, ...), runs of LWS become one
//!   SP (25.1: "A recipient MAY replace any linear white space with a single SP") and the SWS
//!   around `;` `=` `,` `/` (and `:` in Via) is removed, outside quoted strings (SEMI, EQUAL,
//!   COMMA, SLASH, COLON are defined as SWS x SWS) [`wsinv`: `tag    = 1918181833n`,
//!   `SIP  /   2.0`]. Unknown and free-text headers are only unfolded and trimmed.
//! * Comma-separated Via, Route, Record-Route and Contact values are split into one header field
//!   each (RFC 3261 7.3.1: equivalent), so rsip's typed accessors see the topmost value alone
//!   [`wsinv`'s two-value `v:`]. Commas inside quotes or `<...>` do not split. A list with an
//!   empty element is left whole so validation can name it [`badinv01`].

use std::borrow::Cow;

use super::SipError;

/// IANA "Header Fields" registry compact forms (RFC 3261 7.3.3, 3515, 3841, 3892, 3903, 4028,
/// 4474, 6665, 8224). Hand-written: rsip 0.4 has no table (its PR #51 was never merged).
const COMPACT: &[(u8, &str)] = &[
    (b'a', "Accept-Contact"),
    (b'b', "Referred-By"),
    (b'c', "Content-Type"),
    (b'd', "Request-Disposition"),
    (b'e', "Content-Encoding"),
    (b'f', "From"),
    (b'i', "Call-ID"),
    (b'j', "Reject-Contact"),
    (b'k', "Supported"),
    (b'l', "Content-Length"),
    (b'm', "Contact"),
    (b'n', "Identity-Info"),
    (b'o', "Event"),
    (b'r', "Refer-To"),
    (b's', "Subject"),
    (b't', "To"),
    (b'u', "Allow-Events"),
    (b'v', "Via"),
    (b'x', "Session-Expires"),
    (b'y', "Identity"),
];

/// Long name for a compact header name (`"v"` -> `"Via"`), case-insensitively; `None` for
/// anything that is not a registered one-letter form.
pub fn compact_to_long(name: &str) -> Option<&'static str> {
    let [b] = name.as_bytes() else { return None };
    let lower = b.to_ascii_lowercase();
    COMPACT
        .iter()
        .find(|(c, _)| *c == lower)
        .map(|(_, long)| *long)
}

/// Compact form for a long header name, if one is registered (`"Call-ID"` -> `'i'`).
pub fn long_to_compact(name: &str) -> Option<char> {
    COMPACT
        .iter()
        .find(|(_, long)| long.eq_ignore_ascii_case(name))
        .map(|(c, _)| char::from(*c))
}

/// Headers whose value grammar is built from RFC 3261's SEMI/EQUAL/COMMA/SLASH separators, so
/// removing SWS around them is meaning-preserving.
const STRUCTURED: &[&str] = &[
    "via",
    "to",
    "from",
    "contact",
    "route",
    "record-route",
    "reply-to",
    "content-type",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "accept",
    "accept-encoding",
    "accept-language",
    "allow",
    "supported",
    "require",
    "proxy-require",
    "unsupported",
    "max-forwards",
    "expires",
    "min-expires",
    "cseq",
    "event",
    "allow-events",
    "subscription-state",
    "session-expires",
    "min-se",
    "refer-to",
    "referred-by",
    "diversion",
    "cc-diversion",
    "history-info",
];

/// Headers whose comma-separated values are split into one field each.
const SPLIT_LISTS: &[&str] = &["via", "route", "record-route", "contact"];

/// One logical header field, borrowed from the datagram unless it was folded (then unfolded
/// into its own buffer). Name and value are read through [`Field::name`] and [`Field::value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// 1-based line number of the field's first physical line (the start line is line 1).
    pub line_no: usize,
    line: Cow<'a, [u8]>,
    colon: usize,
}

impl Field<'_> {
    /// The name as written (compact not yet expanded), checked to be token bytes.
    pub fn name(&self) -> &str {
        let name = trim_ws(self.line.get(..self.colon).unwrap_or_default());
        std::str::from_utf8(name).unwrap_or_default()
    }

    /// The value, trimmed, checked to be UTF-8.
    pub fn value(&self) -> &[u8] {
        trim_ws(self.line.get(self.colon + 1..).unwrap_or_default())
    }
}

/// Where the header section of `buf` ends: `(head_end, body_start)`, where `head_end` is the
/// offset of the blank line and `body_start` the first byte after it. Accepts CRLF and bare LF.
/// Leading CRLFs (keep-alives, RFC 3261 7.5) must have been skipped by the caller.
pub(crate) fn find_head_end(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut line_start = from.min(buf.len());
    while let Some(nl) = buf.get(line_start..)?.iter().position(|&b| b == b'\n') {
        let nl = line_start + nl;
        let line = buf.get(line_start..nl)?;
        if (line.is_empty() || line == b"\r") && line_start > 0 {
            return Some((line_start, nl + 1));
        }
        line_start = nl + 1;
    }
    None
}

/// Where [`find_head_end`] can resume without missing a blank line: the start of the last,
/// still unterminated, line.
pub(crate) fn resume_offset(buf: &[u8]) -> usize {
    buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

fn trim_ws(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 3261's `token` characters (rsip's header tokenizer takes the same).
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Splits a header section (start line included, blank line excluded) into the start line and
/// logical header fields. Physical lines end in CRLF or LF. Nothing is copied but folded
/// fields.
pub(crate) fn split_head(head: &[u8]) -> Result<(&[u8], Vec<Field<'_>>), SipError> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    // A trailing "\n" yields one empty piece; it is not a line.
    let start = lines.next().map(|(_, l)| l).unwrap_or_default();
    let mut fields: Vec<Field<'_>> = Vec::with_capacity(16);
    let mut pending: Option<(usize, Cow<'_, [u8]>)> = None;
    for (line_no, line) in lines {
        if line.is_empty() {
            continue;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            match pending.as_mut() {
                Some((_, acc)) => {
                    // RFC 3261 7.3.1: the line break plus leading whitespace is one SP.
                    let acc = acc.to_mut();
                    while matches!(acc.last(), Some(b' ' | b'\t')) {
                        acc.pop();
                    }
                    acc.push(b' ');
                    acc.extend_from_slice(trim_ws(line));
                }
                None => {
                    return Err(SipError::HeaderLine {
                        line_no,
                        line: lossy(line),
                        expected:
                            "a header field, not a continuation line right after the start line"
                                .into(),
                    })
                }
            }
            continue;
        }
        flush(pending.take(), &mut fields)?;
        pending = Some((line_no, Cow::Borrowed(line)));
    }
    flush(pending, &mut fields)?;
    Ok((start, fields))
}

/// The pending field (if any) checked and added to `fields`.
fn flush<'a>(
    pending: Option<(usize, Cow<'a, [u8]>)>,
    fields: &mut Vec<Field<'a>>,
) -> Result<(), SipError> {
    if let Some((line_no, line)) = pending {
        fields.push(parse_field(line_no, line)?);
    }
    Ok(())
}

fn parse_field(line_no: usize, line: Cow<'_, [u8]>) -> Result<Field<'_>, SipError> {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err(SipError::HeaderLine {
            line_no,
            line: lossy(&line),
            expected: "`name: value` (no colon found)".into(),
        });
    };
    let name = trim_ws(line.get(..colon).unwrap_or_default());
    if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
        return Err(SipError::HeaderLine {
            line_no,
            line: lossy(&line),
            expected: "a header name made of token characters before the colon".into(),
        });
    }
    let value = trim_ws(line.get(colon + 1..).unwrap_or_default());
    if std::str::from_utf8(value).is_err() {
        return Err(SipError::HeaderLine {
            line_no,
            line: lossy(&line),
            expected: "a UTF-8 header value (RFC 3261 TEXT-UTF8)".into(),
        });
    }
    Ok(Field {
        line_no,
        line,
        colon,
    })
}

/// Appends `value` to `out` with LWS runs collapsed to one SP and SWS around the separators in
/// `seps` removed, outside quoted strings (RFC 3261 25.1). `out` must be empty.
fn tidy_structured(out: &mut Vec<u8>, value: &[u8], seps: &Separators) {
    let mut in_quote = false;
    let mut escaped = false;
    let mut pending_space = false;
    for &b in value {
        if in_quote {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_quote = false;
            }
            continue;
        }
        match b {
            b' ' | b'\t' => {
                // Whitespace right after a separator is dropped.
                if !out.last().is_some_and(|l| seps.has(*l)) {
                    pending_space = true;
                }
            }
            _ => {
                if pending_space && !seps.has(b) {
                    out.push(b' ');
                }
                pending_space = false;
                out.push(b);
                if b == b'"' {
                    in_quote = true;
                }
            }
        }
    }
}

/// Splits a list value at commas outside quotes and angle brackets. `None` if an element is
/// empty (malformed; left for validation to report).
pub(crate) fn split_list(value: &[u8]) -> Option<Vec<&[u8]>> {
    let mut parts = Vec::new();
    let (mut in_quote, mut escaped, mut depth, mut start) = (false, false, 0usize, 0usize);
    for (i, &b) in value.iter().enumerate() {
        if in_quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_quote = false;
            }
            continue;
        }
        match b {
            b'"' => in_quote = true,
            b'<' => depth += 1,
            b'>' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(trim_ws(value.get(start..i)?));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(trim_ws(value.get(start..)?));
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(parts)
}

/// The canonical spelling used for a header name after normalisation: compact forms expanded,
/// other names kept as written (rsip matches names case-insensitively).
fn canonical_name(name: &str) -> &str {
    compact_to_long(name).unwrap_or(name)
}

/// A set of separator bytes, one lookup per byte of a value (a table, not a scan of the set:
/// `tidy_structured` asks for every byte).
struct Separators([bool; 256]);

impl Separators {
    const fn of(bytes: &[u8]) -> Separators {
        let mut table = [false; 256];
        let mut i = 0;
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        Separators(table)
    }

    fn has(&self, b: u8) -> bool {
        self.0[usize::from(b)]
    }
}

/// RFC 3261's SEMI, EQUAL, COMMA and SLASH; Via adds COLON (its `sent-by` port).
static SEPARATORS: Separators = Separators::of(b";=,/");
static VIA_SEPARATORS: Separators = Separators::of(b";=,/:");

/// The separators whose surrounding whitespace goes in a structured header (`None`: the
/// header is free text, only unfolded and trimmed).
fn structured_separators(name: &str) -> Option<&'static Separators> {
    if name.eq_ignore_ascii_case("via") {
        return Some(&VIA_SEPARATORS);
    }
    STRUCTURED
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
        .then_some(&SEPARATORS)
}

/// Appends one `name: value` line.
fn push_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// Rewrites one complete message (header section + body) into the form rsip 0.4 parses. The
/// start line and the body are kept byte for byte; see the module doc for the header rewrites.
/// Errors name the header line that cannot be split into `name: value`. Allocates the output,
/// one scratch buffer and, per folded field or split list, one more.
pub fn normalize(raw: &[u8]) -> Result<Vec<u8>, SipError> {
    // RFC 3261 7.5: ignore CRLFs before the start line.
    let lead = raw
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let raw = raw.get(lead..).unwrap_or_default();
    let Some((head_end, body_start)) = find_head_end(raw, 0) else {
        return Err(SipError::UnterminatedHeaders { len: raw.len() });
    };
    let head = raw.get(..head_end).unwrap_or_default();
    let body = raw.get(body_start..).unwrap_or_default();
    let (start, fields) = split_head(head)?;
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut tidied = Vec::with_capacity(256);
    out.extend_from_slice(start);
    out.extend_from_slice(b"\r\n");
    for field in &fields {
        let name = canonical_name(field.name());
        let value = match structured_separators(name) {
            Some(seps) => {
                tidied.clear();
                tidy_structured(&mut tidied, field.value(), seps);
                tidied.as_slice()
            }
            None => field.value(),
        };
        // Most values hold no comma: nothing to split, no list allocated.
        let parts = (value.contains(&b',')
            && SPLIT_LISTS.iter().any(|l| l.eq_ignore_ascii_case(name)))
        .then(|| split_list(value))
        .flatten();
        match parts {
            Some(parts) => parts.iter().for_each(|p| push_field(&mut out, name, p)),
            None => push_field(&mut out, name, value),
        }
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        String::from_utf8(normalize(s.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn compact_names_round_trip() {
        assert_eq!(compact_to_long("v"), Some("Via"));
        assert_eq!(compact_to_long("I"), Some("Call-ID"));
        assert_eq!(compact_to_long("q"), None);
        assert_eq!(compact_to_long("via"), None);
        assert_eq!(long_to_compact("content-length"), Some('l'));
        for (c, long) in COMPACT {
            assert_eq!(long_to_compact(long), Some(char::from(*c)));
        }
    }

    #[test]
    fn unfolds_and_removes_space_before_colon() {
        let out =
            norm("OPTIONS sip:a@b SIP/2.0\r\nSubject :\r\n  hello\r\n\tworld\r\nl: 0\r\n\r\n");
        assert_eq!(
            out,
            "OPTIONS sip:a@b SIP/2.0\r\nSubject: hello world\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn lf_only_becomes_crlf_but_body_is_untouched() {
        let out = norm("OPTIONS sip:a@b SIP/2.0\nl: 3\n\na\nb");
        assert_eq!(
            out,
            "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\na\nb"
        );
    }

    #[test]
    fn structured_whitespace_and_list_split() {
        let out = norm(
            "INVITE sip:a@b SIP/2.0\r\nv: SIP / 2.0 / UDP  h1 ; branch = z9 , SIP/2.0/TCP h2:5060\r\nTo : \"A  ;= B\" <sip:a@b> ; tag = 1\r\n\r\n",
        );
        assert_eq!(
            out,
            "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h1;branch=z9\r\nVia: SIP/2.0/TCP h2:5060\r\nTo: \"A  ;= B\" <sip:a@b>;tag=1\r\n\r\n"
        );
    }

    #[test]
    fn quoted_commas_and_bracketed_commas_do_not_split() {
        let out = norm(
            "INVITE sip:a@b SIP/2.0\r\nContact: \"Bell, A\" <sip:a@b;x=1,2>, <sip:c@d>\r\n\r\n",
        );
        assert_eq!(
            out,
            "INVITE sip:a@b SIP/2.0\r\nContact: \"Bell, A\" <sip:a@b;x=1,2>\r\nContact: <sip:c@d>\r\n\r\n"
        );
    }

    #[test]
    fn empty_list_element_is_left_whole() {
        let out = norm("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;;,;,,\r\n\r\n");
        assert!(out.contains("Via: SIP/2.0/UDP h;;,;,,\r\n"), "{out}");
    }

    #[test]
    fn start_line_is_kept_verbatim() {
        let out = norm("OPTIONS  sip:a@b SIP/2.0 \r\n\r\n");
        assert!(out.starts_with("OPTIONS  sip:a@b SIP/2.0 \r\n"));
    }

    #[test]
    fn errors_name_the_line() {
        let err = normalize(b"OPTIONS sip:a@b SIP/2.0\r\nno colon here\r\n\r\n").unwrap_err();
        assert!(
            matches!(err, SipError::HeaderLine { line_no: 2, .. }),
            "{err}"
        );
        let err = normalize(b"OPTIONS sip:a@b SIP/2.0\r\n folded\r\n\r\n").unwrap_err();
        assert!(
            matches!(err, SipError::HeaderLine { line_no: 2, .. }),
            "{err}"
        );
        let err = normalize(b"OPTIONS sip:a@b SIP/2.0\r\nTo: a\r\n").unwrap_err();
        assert!(matches!(err, SipError::UnterminatedHeaders { .. }), "{err}");
        let err = normalize(b"OPTIONS sip:a@b SIP/2.0\r\nX: \xff\r\n\r\n").unwrap_err();
        assert!(matches!(err, SipError::HeaderLine { .. }), "{err}");
    }

    #[test]
    fn head_end_handles_crlf_and_lf() {
        assert_eq!(find_head_end(b"A\r\nB: c\r\n\r\nbody", 0), Some((9, 11)));
        assert_eq!(find_head_end(b"A\nB: c\n\nbody", 0), Some((7, 8)));
        assert_eq!(find_head_end(b"A\r\nB: c\r\n", 0), None);
    }
}
