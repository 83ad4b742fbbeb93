//! One framed SIP message to `rsip::SipMessage` and back. Owns: the parse entry points
//! (normalise, check the start line ourselves, rsip, Content-Length), the requests rsip 0.4
//! cannot represent ([`ForeignRequest`]), header lookup by name (case-insensitive, compact
//! forms), building responses from a request, and [`validate`] (the checks a UAS makes before
//! acting). Does not own framing (`framing`), the header rewrites (`normalize`), or the typed
//! Diversion/History-Info headers (`headers`).
//!
//! Workarounds for rsip 0.4, by RFC 4475 case:
//! * The start line is checked here before rsip sees it, because rsip's errors all read "failed
//!   to tokenize version" and because rsip accepts `<sip:...>` as a Request-URI [`ltgtruri`],
//!   an IPv6 address without brackets [RFC 5118 `ipv6-bad`], and a 10-digit status code is
//!   only caught by a u16 overflow [`bigcode`].
//! * rsip's URI parser takes `sip:j.user@host` for a host (its user part stops at the first
//!   `.`), splits `[2001:db8::10]` at the first `:`, and fails on `;` in the user part. The
//!   Request-URI of every sip:/sips: request is therefore split by `SipUriParts` and rebuilt as
//!   an `rsip::Uri` [`semiuri`, RFC 5118 `ipv6-good`, `port-*`, `ipv6-*-abnf-*`]. IPv6 hosts
//!   stay a bracketed `Host::Domain` because rsip prints `IpAddr::V6` without brackets. URIs in
//!   To/From/Contact are still rsip's if you call `.typed()` on them: use `headers::NameAddr`.
//! * rsip's `Method` is a closed enum and its `Uri` has no headers or foreign schemes, so a
//!   request with an extension method [`intmeth`, `esc02`, `mismatch02`], a non-SIP
//!   Request-URI [`unkscm`], a Request-URI with headers [`escruri`] or a version other than
//!   SIP/2.0 [`badvers`] comes back as a [`ForeignRequest`]: start line as text, headers parsed
//!   by rsip, and the status the UAS answers with (501, 416, 400, 505).
//! * rsip ignores Content-Length; [`parse_any`] compares it with the body.
//! * rsip prints known status codes with the variant name as reason (`302 MovedTemporarily`),
//!   so [`response_to`] builds `StatusCode::Other(code, reason)` to control the wire text.

use super::framing::parse_content_length;
use super::headers::{NameAddr, SipUriParts};
pub use super::lookup::{find_header, find_headers};
use super::lookup::{name_value_ref, same_name};
use super::normalize::{compact_to_long, find_head_end, is_token_byte, normalize, split_list};
use super::SipError;
use rsip::prelude::{HasHeaders, UntypedHeader};

/// A parsed message: rsip's own, or a request rsip cannot represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Sip(rsip::SipMessage),
    Foreign(ForeignRequest),
}

/// A syntactically valid request whose start line rsip 0.4 cannot represent. The headers are
/// rsip's, so [`response_from_headers`] can answer it with [`ForeignRequest::status`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignRequest {
    pub method: String,
    pub uri: String,
    pub version: String,
    pub headers: rsip::Headers,
    pub body: Vec<u8>,
    /// Why rsip cannot hold it.
    pub why: String,
    /// What a UAS answers: 501 (unknown method), 416 (unknown URI scheme), 505 (version),
    /// 400 (Request-URI with headers or otherwise unusable).
    pub status: u16,
}

impl ForeignRequest {
    /// The error [`parse`] reports for this request.
    pub fn to_error(&self) -> SipError {
        SipError::Unrepresentable {
            method: self.method.clone(),
            uri: self.uri.clone(),
            why: self.why.clone(),
            status: self.status,
        }
    }
}

/// The methods rsip 0.4's `Method` enum has.
const RSIP_METHODS: &[&str] = &[
    "ACK",
    "BYE",
    "CANCEL",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "PUBLISH",
    "REFER",
    "REGISTER",
    "SUBSCRIBE",
    "UPDATE",
];

enum StartLine {
    Request {
        method: String,
        uri: String,
        version: String,
    },
    Response,
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

fn is_version(s: &str) -> bool {
    if !s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SIP/")) {
        return false;
    }
    let Some((major, minor)) = s.get(4..).and_then(|v| v.split_once('.')) else {
        return false;
    };
    [major, minor]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn start_err(line: &str, expected: &str) -> SipError {
    SipError::StartLine {
        line: line.to_string(),
        expected: expected.to_string(),
    }
}

/// RFC 3261 7.1/7.2 start-line grammar (single SPs, no trailing whitespace).
fn check_start_line(raw: &[u8]) -> Result<StartLine, SipError> {
    let line = std::str::from_utf8(raw).map_err(|_| SipError::StartLine {
        line: String::from_utf8_lossy(raw).into_owned(),
        expected: "a UTF-8 start line".into(),
    })?;
    if line.bytes().any(|b| b.is_ascii_control()) {
        return Err(start_err(line, "no control characters or tabs"));
    }
    if line.len() >= 4
        && line
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
    {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (reason may be empty).
        let mut parts = line.splitn(3, ' ');
        let (version, code, reason) = (parts.next(), parts.next(), parts.next());
        let (Some(version), Some(code), Some(_reason)) = (version, code, reason) else {
            return Err(start_err(line, "`SIP/2.0 SP 3DIGIT SP reason-phrase`"));
        };
        if !is_version(version) {
            return Err(start_err(line, "a SIP-Version like SIP/2.0"));
        }
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) || code < "100" {
            return Err(start_err(line, "a 3-digit status code 100..699"));
        }
        return Ok(StartLine::Response);
    }
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, uri, version] = parts.as_slice() else {
        return Err(start_err(
            line,
            "`Method SP Request-URI SP SIP-Version` with single spaces and nothing after the version",
        ));
    };
    if !is_token(method) {
        return Err(start_err(line, "a method made of token characters"));
    }
    if !is_version(version) {
        return Err(start_err(line, "a SIP-Version like SIP/2.0"));
    }
    if uri.starts_with('<') {
        return Err(start_err(
            line,
            "a bare Request-URI, not one enclosed in <>",
        ));
    }
    let scheme = uri.split_once(':').map(|(s, _)| s).unwrap_or_default();
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !scheme_ok {
        return Err(start_err(
            line,
            "an absolute Request-URI (scheme \":\" ...)",
        ));
    }
    if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
        SipUriParts::parse(uri).map_err(|e| start_err(line, &e.to_string()))?;
    }
    Ok(StartLine::Request {
        method: method.to_string(),
        uri: uri.to_string(),
        version: version.to_string(),
    })
}

/// The placeholder start line used to let rsip parse the headers of a [`ForeignRequest`].
const PLACEHOLDER: &[u8] = b"OPTIONS sip:placeholder.invalid SIP/2.0";

/// One framed message normalised, its header section and start line checked: what both
/// paths of [`parse_any`] start from.
struct Prepared {
    normalized: Vec<u8>,
    head_end: usize,
    body_start: usize,
    start_len: usize,
    start: StartLine,
}

impl Prepared {
    fn new(bytes: &[u8]) -> Result<Prepared, SipError> {
        let normalized = normalize(bytes)?;
        let (head_end, body_start) =
            find_head_end(&normalized, 0).ok_or(SipError::UnterminatedHeaders {
                len: normalized.len(),
            })?;
        let head = normalized.get(..head_end).unwrap_or_default();
        let start_len = head
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(head.len());
        let start = check_start_line(head.get(..start_len).unwrap_or_default())?;
        let body_len = normalized.len().saturating_sub(body_start);
        check_content_length(head, body_len)?;
        Ok(Prepared {
            normalized,
            head_end,
            body_start,
            start_len,
            start,
        })
    }

    /// The header section, start line included.
    fn head(&self) -> &[u8] {
        self.normalized.get(..self.head_end).unwrap_or_default()
    }

    fn body(&self) -> &[u8] {
        self.normalized.get(self.body_start..).unwrap_or_default()
    }

    /// The request [`request_from_parts`] builds, if it takes this message.
    fn request_from_parts(&self) -> Option<rsip::Request> {
        let StartLine::Request {
            method,
            uri,
            version,
        } = &self.start
        else {
            return None;
        };
        let fields = self.head().get(self.start_len..).unwrap_or_default();
        request_from_parts(method, uri, version, fields, self.body())
    }
}

/// Normalises and parses one framed message. Valid requests rsip cannot represent come back as
/// [`Parsed::Foreign`]. Errors name the layer (see [`SipError::layer`]).
pub fn parse_any(bytes: &[u8]) -> Result<Parsed, SipError> {
    let prepared = Prepared::new(bytes)?;
    match prepared.request_from_parts() {
        Some(req) => Ok(Parsed::Sip(rsip::SipMessage::Request(req))),
        None => parse_through_rsip(prepared),
    }
}

/// For tests: a message's request as [`request_from_parts`] builds it (`None` when it leaves
/// the message to rsip) beside what the path through rsip gives.
#[cfg(test)]
pub(crate) fn both_request_paths(
    bytes: &[u8],
) -> Option<(rsip::Request, Result<Parsed, SipError>)> {
    let prepared = Prepared::new(bytes).ok()?;
    let fast = prepared.request_from_parts()?;
    Some((fast, parse_through_rsip(prepared)))
}

/// The message through rsip's parser (responses, and requests [`request_from_parts`] leaves
/// to it), with our Request-URI; a request rsip refuses is retried with a placeholder start
/// line to tell which part it refused.
fn parse_through_rsip(prepared: Prepared) -> Result<Parsed, SipError> {
    let (head, body, start_len) = (prepared.head(), prepared.body(), prepared.start_len);
    let normalized = prepared.normalized.as_slice();
    let start = &prepared.start;
    if let Ok(mut msg) = rsip_parse(start, normalized) {
        // rsip's URI parser takes `sip:j.user@host` for a host; ours splits it right.
        if let (rsip::SipMessage::Request(req), StartLine::Request { uri, .. }) = (&mut msg, start)
        {
            if let Some(ours) = our_rsip_uri(uri) {
                req.uri = ours;
            }
        }
        return Ok(Parsed::Sip(msg));
    }
    // Which part did rsip refuse? Retry with a start line it certainly accepts.
    let mut substituted = PLACEHOLDER.to_vec();
    substituted.extend_from_slice(normalized.get(start_len..).unwrap_or_default());
    let Ok(rsip::SipMessage::Request(placeholder)) =
        rsip::SipMessage::try_from(substituted.as_slice())
    else {
        return Err(find_rsip_header_error(head));
    };
    let StartLine::Request {
        method,
        uri,
        version,
    } = start
    else {
        let line = String::from_utf8_lossy(head.get(..start_len).unwrap_or_default());
        return Err(start_err(&line, "a status line rsip 0.4 accepts (SIP/2.0)"));
    };
    // A SIP Request-URI rsip's parser cannot split (IPv6 reference, ';' in the user part):
    // build rsip's Uri from our own split [RFC 4475 semiuri, RFC 5118 ipv6-good].
    if let Some((method, uri)) = sip2_request_line(method, uri, version) {
        return Ok(Parsed::Sip(rsip::SipMessage::Request(rsip::Request {
            method,
            uri,
            version: rsip::Version::V2,
            headers: placeholder.headers,
            body: body.to_vec(),
        })));
    }
    let (why, status) = if !version.eq_ignore_ascii_case("SIP/2.0") {
        (
            format!("SIP version {version}; only SIP/2.0 is spoken"),
            505,
        )
    } else if !RSIP_METHODS.contains(&method.as_str()) {
        (format!("extension method {method:?}"), 501)
    } else {
        match SipUriParts::parse(uri) {
            Ok(parts) if !parts.is_sip() => (format!("URI scheme {:?}", parts.scheme), 416),
            Ok(parts) if !parts.headers.is_empty() => (
                "a Request-URI may not carry headers (RFC 3261 19.1.1)".to_string(),
                400,
            ),
            Ok(_) => ("rsip 0.4 cannot split this Request-URI".to_string(), 400),
            Err(_) => (format!("URI scheme of {uri:?}"), 416),
        }
    };
    Ok(Parsed::Foreign(ForeignRequest {
        method: method.clone(),
        uri: uri.clone(),
        version: version.clone(),
        headers: placeholder.headers,
        body: body.to_vec(),
        why,
        status,
    }))
}

/// rsip's `Request` for a request whose start line we split and whose header section
/// [`normalize`] wrote (one `Name: value` per line, names of token characters): rsip's own
/// header mapping turns each line into its typed header, and the Request-URI is our split. This
/// is what rsip's request parser followed by our URI gives (or, for a URI rsip cannot split,
/// the placeholder path below), without rsip tokenizing the start line and the URI: their
/// failing alternatives format the rest of the message into error strings, and the
/// tokenizing and its copies were a tenth of the call router's instructions. `None` (the
/// slower paths decide) for a version other than SIP/2.0, a method or URI rsip cannot hold, or
/// a line rsip's header tokenizer would not take.
fn request_from_parts(
    method: &str,
    uri: &str,
    version: &str,
    fields: &[u8],
    body: &[u8],
) -> Option<rsip::Request> {
    let (method, uri) = sip2_request_line(method, uri, version)?;
    let mut headers = Vec::with_capacity(16);
    for line in fields.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        // rsip's header tokenizer: token characters, ':', spaces and tabs, the value.
        let name_len = line.iter().take_while(|b| is_token_byte(**b)).count();
        let (name, rest) = line.split_at(name_len);
        let value = rest.strip_prefix(b":")?;
        let skip = value
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let value = value.get(skip..)?;
        if name.is_empty() || value.contains(&b'\r') {
            return None;
        }
        let token = rsip::headers::header::Tokenizer { name, value };
        headers.push(token.try_into().ok()?);
    }
    Some(rsip::Request {
        method,
        uri,
        version: rsip::Version::V2,
        headers: headers.into(),
        body: body.to_vec(),
    })
}

/// The method and our Request-URI as rsip holds them, for a SIP/2.0 request line whose
/// method rsip knows and whose URI rsip can hold from our split.
fn sip2_request_line(method: &str, uri: &str, version: &str) -> Option<(rsip::Method, rsip::Uri)> {
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        return None;
    }
    Some((method.parse::<rsip::Method>().ok()?, our_rsip_uri(uri)?))
}

/// rsip's `Uri` from our split of `uri` (`None` when [`to_rsip_uri`] cannot hold it).
fn our_rsip_uri(uri: &str) -> Option<rsip::Uri> {
    SipUriParts::parse(uri).ok().and_then(|p| to_rsip_uri(&p))
}

/// rsip's parse of a message whose start line we read already: a request goes straight to
/// rsip's request parser (its `SipMessage` parser tries a response first, and that failure
/// formats the whole message into an error string: 2% of the call router's instructions).
fn rsip_parse(start: &StartLine, message: &[u8]) -> Result<rsip::SipMessage, rsip::Error> {
    match start {
        StartLine::Request { .. } => {
            rsip::Request::try_from(message).map(rsip::SipMessage::Request)
        }
        StartLine::Response => rsip::Response::try_from(message).map(rsip::SipMessage::Response),
    }
}

/// rsip's `Uri` for a sip:/sips: URI without headers, from our split. IPv6 references stay a
/// bracketed `Host::Domain`, because rsip prints `Host::IpAddr(V6)` without brackets.
fn to_rsip_uri(parts: &SipUriParts) -> Option<rsip::Uri> {
    if !parts.is_sip() || !parts.headers.is_empty() {
        return None;
    }
    let scheme = if parts.scheme == "sips" {
        rsip::Scheme::Sips
    } else {
        rsip::Scheme::Sip
    };
    let auth = parts.user.as_ref().map(|u| match u.split_once(':') {
        Some((user, password)) => rsip::Auth {
            user: user.to_string(),
            password: Some(password.to_string()),
        },
        None => rsip::Auth {
            user: u.clone(),
            password: None,
        },
    });
    let host = match parts.host.parse::<std::net::Ipv4Addr>() {
        Ok(v4) => rsip::Host::IpAddr(std::net::IpAddr::V4(v4)),
        Err(_) => rsip::Host::Domain(parts.host.clone().into()),
    };
    let params = parts
        .params
        .iter()
        .map(|(name, value)| {
            rsip::Param::try_from((name.as_str(), value.as_deref())).unwrap_or_else(|_| {
                rsip::Param::Other(
                    rsip::param::OtherParam::new(name),
                    value.as_ref().map(rsip::param::OtherParamValue::new),
                )
            })
        })
        .collect();
    Some(rsip::Uri {
        scheme: Some(scheme),
        auth,
        host_with_port: rsip::HostWithPort {
            host,
            port: parts.port.map(rsip::Port::from),
        },
        params,
        headers: Vec::new(),
    })
}

/// Names the first header line rsip refuses (error path only, so the quadratic retry is fine).
fn find_rsip_header_error(head: &[u8]) -> SipError {
    for (i, line) in head.split(|&b| b == b'\n').enumerate().skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut probe = PLACEHOLDER.to_vec();
        probe.extend_from_slice(b"\r\n");
        probe.extend_from_slice(line);
        probe.extend_from_slice(b"\r\n\r\n");
        if let Err(e) = rsip::SipMessage::try_from(probe.as_slice()) {
            return SipError::HeaderLine {
                line_no: i + 1,
                line: String::from_utf8_lossy(line).into_owned(),
                expected: format!("a header line rsip 0.4 accepts ({e})"),
            };
        }
    }
    SipError::HeaderLine {
        line_no: 0,
        line: String::new(),
        expected: "a header section rsip 0.4 accepts".into(),
    }
}

/// The body must be exactly Content-Length bytes (frame the message first).
fn check_content_length(head: &[u8], body_len: usize) -> Result<(), SipError> {
    let mut declared: Option<(usize, String)> = None;
    for (i, line) in head.split(|&b| b == b'\n').enumerate().skip(1) {
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.eq_ignore_ascii_case("Content-Length") {
            continue;
        }
        let value = value.trim().to_string();
        let n = parse_content_length(&value).ok_or_else(|| SipError::InvalidContentLength {
            value: value.clone(),
            line: i + 1,
        })?;
        match &declared {
            Some((first, text)) if *first != n => {
                return Err(SipError::ConflictingContentLength {
                    first: text.clone(),
                    second: value,
                })
            }
            Some(_) => {}
            None => declared = Some((n, value)),
        }
    }
    match declared {
        Some((n, _)) if n > body_len => Err(SipError::BodyTruncated {
            declared: n,
            available: body_len,
        }),
        Some((n, _)) if n < body_len => Err(SipError::TrailingBytes {
            declared: n,
            extra: body_len - n,
        }),
        _ => Ok(()),
    }
}

/// Normalise + rsip parse + Content-Length check. A valid request rsip cannot represent is
/// reported as [`SipError::Unrepresentable`]; use [`parse_any`] to still answer it.
pub fn parse(bytes: &[u8]) -> Result<rsip::SipMessage, SipError> {
    match parse_any(bytes)? {
        Parsed::Sip(msg) => Ok(msg),
        Parsed::Foreign(foreign) => Err(foreign.to_error()),
    }
}

/// The wire bytes of a request: start line, headers, blank line, then the body byte for byte
/// (rsip's `Display` passes the body through `from_utf8_lossy`).
pub fn request_bytes(req: &rsip::Request) -> Vec<u8> {
    let start = format_args!("{} {} {}", req.method, req.uri, req.version);
    message_bytes(start, req.headers.iter(), &req.body)
}

/// The wire bytes of a response (see [`request_bytes`]).
pub fn response_bytes(resp: &rsip::Response) -> Vec<u8> {
    let start = format_args!("{} {}", resp.version, resp.status_code);
    message_bytes(start, resp.headers.iter(), &resp.body)
}

/// Start line, each header on its line, blank line, body: written into one buffer sized for a
/// typical message (rsip's `Display` of the headers prints each into its own string, collects
/// them and joins them, and a `format!` of it all grows its string several times).
fn message_bytes<'h>(
    start: std::fmt::Arguments<'_>,
    headers: impl IntoIterator<Item = &'h rsip::Header>,
    body: &[u8],
) -> Vec<u8> {
    use std::fmt::Write;
    let mut text = String::with_capacity(768);
    // Writing into a String cannot fail.
    let _ = write!(text, "{start}\r\n");
    for header in headers {
        let _ = write!(text, "{header}\r\n");
    }
    text.push_str("\r\n");
    let mut out = text.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Adds `Retry-After: secs` (RFC 3261 20.33): when a caller refused with 503 may try again.
pub fn push_retry_after(resp: &mut rsip::Response, secs: u32) {
    resp.headers
        .push(rsip::Header::Other("Retry-After".into(), secs.to_string()));
}

/// A response to `request`: Via (all, in order), From, To (plus `;tag=to_tag` unless it has a
/// tag already), Call-ID and CSeq copied (RFC 3261 8.2.6.2), `Content-Length: 0`.
pub fn response_to(
    request: &rsip::Request,
    status: u16,
    reason: &str,
    to_tag: Option<&str>,
) -> rsip::Response {
    response_from_headers(&request.headers, status, reason, to_tag)
}

/// [`response_to`] for any request's headers (also a [`ForeignRequest`]'s).
pub fn response_from_headers(
    headers: &rsip::Headers,
    status: u16,
    reason: &str,
    to_tag: Option<&str>,
) -> rsip::Response {
    let mut out: Vec<rsip::Header> = Vec::with_capacity(8);
    for header in headers.iter() {
        let (name, value) = name_value_ref(header);
        if !is_copied_into_responses(&name) {
            continue;
        }
        if !same_name(&name, "To") {
            out.push(header.clone());
        } else {
            match to_tag {
                Some(tag) if !has_tag(&value) => out.push(rsip::Header::To(
                    rsip::headers::To::new(format!("{value};tag={tag}")),
                )),
                _ => out.push(header.clone()),
            }
        }
    }
    out.push(rsip::Header::ContentLength(
        rsip::headers::ContentLength::new("0"),
    ));
    rsip::Response {
        status_code: rsip::StatusCode::Other(status, reason.to_string()),
        version: rsip::Version::V2,
        headers: out.into(),
        body: Vec::new(),
    }
}

/// The bytes of [`response_from_headers`] without a To tag (a 100 Trying), for a request's
/// headers or the ones its transaction kept ([`response_headers`]), written straight into
/// one buffer without building an `rsip::Response` first.
pub fn untagged_response_bytes(headers: &rsip::Headers, status: u16, reason: &str) -> Vec<u8> {
    let length = rsip::Header::ContentLength(rsip::headers::ContentLength::new("0"));
    let start = format_args!("{} {status} {reason}", rsip::Version::V2);
    message_bytes(start, copied_into_responses(headers).chain([&length]), &[])
}

/// The headers of a request its responses copy (RFC 3261 8.2.6.2): what a transaction keeps
/// of its request to answer it later (a 100 Trying after 200 ms, a 487 after CANCEL), instead
/// of the whole request.
pub fn response_headers(request: &rsip::Request) -> rsip::Headers {
    let kept: Vec<rsip::Header> = copied_into_responses(&request.headers).cloned().collect();
    kept.into()
}

/// The headers responses copy, in order.
fn copied_into_responses(headers: &rsip::Headers) -> impl Iterator<Item = &rsip::Header> {
    headers
        .iter()
        .filter(|h| is_copied_into_responses(&name_value_ref(h).0))
}

fn is_copied_into_responses(name: &str) -> bool {
    ["Via", "From", "To", "Call-ID", "CSeq"]
        .iter()
        .any(|n| same_name(name, n))
}

/// Whether a To/From value carries a `tag` parameter (outside the URI).
fn has_tag(value: &str) -> bool {
    match NameAddr::parse("To", value) {
        Ok(addr) => addr.param("tag").is_some(),
        Err(_) => value.to_ascii_lowercase().contains(";tag="),
    }
}

const SINGLE_VALUED: &[&str] = &[
    "To",
    "From",
    "Call-ID",
    "CSeq",
    "Max-Forwards",
    "Content-Length",
    "Content-Type",
];

fn header_value_err(name: &str, value: &str, expected: &str) -> SipError {
    SipError::HeaderValue {
        name: name.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

fn check_u32(name: &str, value: &str) -> Result<(), SipError> {
    if value.is_empty()
        || !value.bytes().all(|b| b.is_ascii_digit())
        || value.parse::<u32>().is_err()
    {
        return Err(header_value_err(name, value, "a decimal number below 2^32"));
    }
    Ok(())
}

/// The checks a UAS makes before acting on a message (RFC 3261 8.2, 20): the five required
/// headers present, single-valued headers not repeated, CSeq number < 2^31 and its method equal
/// to the request's, Max-Forwards 0..255, Expires < 2^32, To/From/Contact/Route/Referred-By
/// well-formed name-addrs, no empty Via elements or parameters, Date in GMT. rsip's typed
/// parsers are not used here: they are lenient (RFC 4475 `badinv01`) and strict where the RFC
/// is not (`j.user@` becomes a host).
pub fn validate(msg: &rsip::SipMessage) -> Result<(), SipError> {
    let context = if msg.is_request() {
        "request"
    } else {
        "response"
    };
    // Each header's name and value, read once (rsip prints the headers it types itself).
    let fields: Vec<_> = msg.headers().iter().map(name_value_ref).collect();
    let named = |name: &'static str| fields.iter().filter(move |(n, _)| same_name(n, name));
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        if named(name).next().is_none() {
            return Err(SipError::MissingHeader {
                name: name.to_string(),
                context: context.to_string(),
            });
        }
    }
    for name in SINGLE_VALUED {
        if named(name).nth(1).is_some() {
            let values: Vec<&str> = named(name).map(|(_, v)| v.as_ref()).collect();
            return Err(SipError::Invalid {
                reason: format!("{name} must appear once"),
                found: values.join(" | "),
            });
        }
    }
    for (name, value) in &fields {
        let value: &str = value;
        let long = compact_to_long(name).unwrap_or(name);
        let checked = CHECKED
            .iter()
            .find(|c| c.eq_ignore_ascii_case(long))
            .copied()
            .unwrap_or_default();
        match checked {
            "cseq" => {
                let (num, method) = value.split_once(' ').unwrap_or((value, ""));
                let ok_num = !num.is_empty()
                    && num.bytes().all(|b| b.is_ascii_digit())
                    && num.parse::<u32>().is_ok_and(|n| n < 1 << 31);
                if !ok_num || !is_token(method.trim()) {
                    return Err(header_value_err(
                        "CSeq",
                        value,
                        "a sequence number below 2^31 and a method",
                    ));
                }
                if let rsip::SipMessage::Request(req) = msg {
                    if method.trim() != req.method.to_string() {
                        return Err(SipError::Invalid {
                            reason: format!(
                                "CSeq method must match the request method {}",
                                req.method
                            ),
                            found: value.to_string(),
                        });
                    }
                }
            }
            "max-forwards"
                if value.is_empty()
                    || !value.bytes().all(|b| b.is_ascii_digit())
                    || value.parse::<u8>().is_err() =>
            {
                return Err(header_value_err("Max-Forwards", value, "a number 0..255"));
            }
            "expires" | "min-expires" => check_u32(long, value)?,
            "to" | "from" => {
                let addr = NameAddr::parse(long, value)?;
                check_expires_param(long, &addr)?;
            }
            "contact" if value.trim() != "*" => {
                for addr in NameAddr::parse_list(long, value)? {
                    check_expires_param(long, &addr)?;
                }
            }
            "route" | "record-route" | "reply-to" | "referred-by" => {
                NameAddr::parse_list(long, value)?;
            }
            "via" => check_via(value)?,
            "date" if !value.trim_end().ends_with(" GMT") => {
                return Err(header_value_err("Date", value, "an RFC 1123 date in GMT"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The headers [`validate`] checks the value of (lowercase long names).
const CHECKED: &[&str] = &[
    "cseq",
    "max-forwards",
    "expires",
    "min-expires",
    "to",
    "from",
    "contact",
    "route",
    "record-route",
    "reply-to",
    "referred-by",
    "via",
    "date",
];

fn check_expires_param(name: &str, addr: &NameAddr) -> Result<(), SipError> {
    match addr.param("expires") {
        Some(v) => check_u32(name, &v),
        None => Ok(()),
    }
}

fn check_via(value: &str) -> Result<(), SipError> {
    let expected = "`SIP/2.0/transport host[:port]` with non-empty `;name[=value]` parameters";
    let Some(parts) = split_list(value.as_bytes()) else {
        return Err(header_value_err("Via", value, expected));
    };
    for part in parts {
        let part = String::from_utf8_lossy(part);
        let mut pieces = part.split(';');
        let sent = pieces.next().unwrap_or_default();
        let Some((protocol, _sent_by)) = sent.split_once(' ') else {
            return Err(header_value_err("Via", value, expected));
        };
        if protocol.split('/').count() != 3 {
            return Err(header_value_err("Via", value, expected));
        }
        for param in pieces {
            let name = param.split('=').next().unwrap_or_default();
            if !is_token(name.trim()) {
                return Err(header_value_err("Via", value, expected));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rsip::prelude::*;

    const INVITE: &str = "INVITE sip:alice@example.com SIP/2.0\r\n\
v: SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/TCP h2;branch=z9hG4bK2\r\n\
f: <sip:bob@example.com>;tag=a\r\n\
t: <sip:alice@example.com>\r\n\
i: call-1\r\n\
CSeq: 1 INVITE\r\n\
Max-Forwards: 70\r\n\
Diversion: <tel:+14255550123>;reason=no-answer\r\n\
l: 0\r\n\r\n";

    #[test]
    fn compact_message_parses_with_typed_accessors() {
        let msg = parse(INVITE.as_bytes()).unwrap();
        let via = msg.via_header().unwrap().typed().unwrap();
        assert_eq!(via.branch().unwrap().to_string(), "z9hG4bK1");
        assert_eq!(msg.call_id_header().unwrap().value(), "call-1");
        assert_eq!(find_headers(msg.headers(), "v").len(), 2);
        assert_eq!(
            find_header(msg.headers(), "DIVERSION").unwrap(),
            "<tel:+14255550123>;reason=no-answer"
        );
        validate(&msg).unwrap();
    }

    #[test]
    fn untagged_response_bytes_are_the_bytes_of_the_response() {
        let req = match parse(
            b"INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1\r\n\
              Via: SIP/2.0/UDP g;branch=z9hG4bK0\r\nMax-Forwards: 70\r\n\
              From: <sip:a@b>;tag=1\r\nTo: \"Bob\" <sip:bob@b>\r\nCall-ID: c1\r\n\
              CSeq: 1 INVITE\r\nSubject: x\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap()
        {
            rsip::SipMessage::Request(r) => r,
            rsip::SipMessage::Response(_) => panic!("a request"),
        };
        let expected =
            String::from_utf8(response_bytes(&response_to(&req, 100, "Trying", None))).unwrap();
        assert_eq!(
            String::from_utf8(untagged_response_bytes(&req.headers, 100, "Trying")).unwrap(),
            expected
        );
        // The same from what a transaction keeps of the request.
        assert_eq!(
            String::from_utf8(untagged_response_bytes(
                &response_headers(&req),
                100,
                "Trying"
            ))
            .unwrap(),
            expected
        );
    }

    #[test]
    fn response_copies_dialog_headers_and_adds_to_tag() {
        let rsip::SipMessage::Request(req) = parse(INVITE.as_bytes()).unwrap() else {
            panic!("request expected")
        };
        let resp = response_to(&req, 302, "Moved Temporarily", Some("um1"));
        let text = resp.to_string();
        assert!(
            text.starts_with("SIP/2.0 302 Moved Temporarily\r\n"),
            "{text}"
        );
        assert_eq!(find_headers(&resp.headers, "Via").len(), 2);
        assert_eq!(
            find_header(&resp.headers, "To").unwrap(),
            "<sip:alice@example.com>;tag=um1"
        );
        assert!(find_header(&resp.headers, "Diversion").is_none());
        // Our own output parses back.
        let again = parse(text.as_bytes()).unwrap();
        validate(&again).unwrap();
        // An existing tag is kept.
        let resp2 = response_to(&req, 200, "OK", None);
        assert_eq!(
            find_header(&resp2.headers, "To").unwrap(),
            "<sip:alice@example.com>"
        );
    }

    #[test]
    fn request_uri_is_split_by_us() {
        let text = INVITE.replace(
            "sip:alice@example.com SIP",
            "sip:j.user@example.com:5062;transport=tcp SIP",
        );
        let rsip::SipMessage::Request(req) = parse(text.as_bytes()).unwrap() else {
            panic!("request expected")
        };
        assert_eq!(req.uri.user(), Some("j.user"));
        // rsip prints the typed transport param in upper case (values compare case-insensitively).
        assert_eq!(
            req.uri.to_string(),
            "sip:j.user@example.com:5062;transport=TCP"
        );
        assert_eq!(req.uri.transport(), Some(&rsip::Transport::Tcp));
        let text = INVITE.replace("sip:alice@example.com SIP", "sip:[2001:db8::10]:5070 SIP");
        let rsip::SipMessage::Request(req) = parse(text.as_bytes()).unwrap() else {
            panic!("request expected")
        };
        assert_eq!(req.uri.to_string(), "sip:[2001:db8::10]:5070");
        assert!(req
            .to_string()
            .starts_with("INVITE sip:[2001:db8::10]:5070 SIP/2.0\r\n"));
    }

    #[test]
    fn extension_method_is_foreign_and_answerable() {
        let text = INVITE
            .replace("INVITE sip:", "FOO sip:")
            .replace("1 INVITE", "1 FOO");
        let Parsed::Foreign(foreign) = parse_any(text.as_bytes()).unwrap() else {
            panic!("foreign expected")
        };
        assert_eq!(foreign.status, 501);
        assert_eq!(parse(text.as_bytes()).unwrap_err().status(), 501);
        let resp = response_from_headers(&foreign.headers, 501, "Not Implemented", Some("x"));
        assert_eq!(find_headers(&resp.headers, "Via").len(), 2);
    }

    #[test]
    fn start_line_errors_say_what_was_expected() {
        for bad in [
            "INVITE  sip:a@b SIP/2.0",
            "INVITE sip:a@b SIP/2.0 ",
            "INVITE <sip:a@b> SIP/2.0",
            "INVITE sip:2001:db8::10 SIP/2.0",
            "SIP/2.0 4294967301 OK",
            "SIP/2.0 200",
        ] {
            let msg = format!("{bad}\r\nl: 0\r\n\r\n");
            let err = parse(msg.as_bytes()).unwrap_err();
            assert_eq!(err.layer(), super::super::Layer::StartLine, "{bad}: {err}");
        }
    }

    #[test]
    fn content_length_is_checked() {
        let msg = INVITE.replace("l: 0", "l: 4");
        assert!(matches!(
            parse(msg.as_bytes()).unwrap_err(),
            SipError::BodyTruncated { declared: 4, .. }
        ));
        let msg = format!("{INVITE}xx");
        assert!(matches!(
            parse(msg.as_bytes()).unwrap_err(),
            SipError::TrailingBytes { extra: 2, .. }
        ));
    }

    #[test]
    fn validate_names_the_header() {
        let cases = [
            ("CSeq: 1 INVITE", "CSeq: 4294967296 INVITE", "CSeq"),
            ("Max-Forwards: 70", "Max-Forwards: 300", "Max-Forwards"),
            ("t: <sip:alice@example.com>", "t: \"Alice <sip:a@b>", "To"),
        ];
        for (from, to, name) in cases {
            let msg = parse(INVITE.replace(from, to).as_bytes()).unwrap();
            match validate(&msg).unwrap_err() {
                SipError::HeaderValue { name: n, .. } => assert_eq!(n, name),
                other => panic!("{name}: {other}"),
            }
        }
        let msg = parse(INVITE.replace("i: call-1\r\n", "").as_bytes()).unwrap();
        assert!(matches!(
            validate(&msg).unwrap_err(),
            SipError::MissingHeader { .. }
        ));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_any(&data);
            let _ = normalize(&data);
        }

        #[test]
        fn mutated_messages_never_panic(pos in 0usize..300, byte in any::<u8>(), cut in 0usize..300) {
            let mut data = INVITE.as_bytes().to_vec();
            let pos = pos % data.len();
            data[pos] = byte;
            data.truncate(cut.max(pos + 1));
            if let Ok(Parsed::Sip(msg)) = parse_any(&data) {
                let _ = validate(&msg);
            }
        }
    }
}
