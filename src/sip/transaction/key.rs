//! Which transaction a message belongs to (RFC 3261 17.1.3 and 17.2.3). Owns
//! [`TransactionKey`], the top-Via reading it needs ([`TopVia`]) and the small header readers
//! shared by the transaction layer and the dialog layer (tags, CSeq). Does not own the
//! transactions or the map that holds them (`transaction::TransactionLayer`).
//!
//! * A request whose top Via `branch` starts with the magic cookie `z9hG4bK` is keyed by
//!   (branch, sent-by, method), with ACK keyed as INVITE so it reaches the INVITE server
//!   transaction (17.2.3). A CANCEL has its own key (method CANCEL); [`TransactionKey::
//!   with_method`] gives the INVITE it targets (9.2).
//! * A response is keyed the same way from its top Via and its CSeq method (17.1.3), so a
//!   client transaction is found with the key of the request it sent.
//! * Requests without the cookie (RFC 2543 peers) are keyed by Request-URI, Call-ID, From tag,
//!   CSeq number, top Via and method, plus the To tag for requests other than INVITE/ACK
//!   (17.2.3's list, with one simplification: the To tag is left out for INVITE and ACK,
//!   because the INVITE has none and its ACK carries the tag of our response; Call-ID, From
//!   tag, CSeq and top Via still tell transactions apart).
//!
//! sent-by is compared as lowercased host plus port, the port defaulting to 5060 (5061 for
//! TLS), so `host` and `host:5060` are one sender.

use super::super::headers::NameAddr;
use super::super::message::find_header;
use super::super::normalize::split_list;
use super::TransactionError;

pub use super::super::ids::MAGIC_COOKIE;

/// The identity of one transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransactionKey {
    /// RFC 3261 peers: the top Via branch (with the magic cookie).
    Branch {
        branch: String,
        /// `host:port`, host lowercased.
        sent_by: String,
        /// Uppercase method; ACK is stored as INVITE.
        method: String,
    },
    /// RFC 2543 peers (no magic cookie).
    Legacy {
        method: String,
        request_uri: String,
        call_id: String,
        from_tag: String,
        to_tag: Option<String>,
        cseq: u32,
        top_via: String,
    },
}

impl TransactionKey {
    /// A received request's key, and whether it is an ACK, read from its raw bytes without
    /// parsing the message: only for an RFC 3261 request (top Via branch with the magic
    /// cookie) other than CANCEL whose top Via is on one line; `None` otherwise. Equal to
    /// [`Self::for_request`] of the parsed request (the same [`TopVia::parse`] and method
    /// rule), so the endpoint can find a transaction that already exists (a retransmission,
    /// the ACK of a final non-2xx response) before it parses anything.
    pub fn for_raw_request(bytes: &[u8]) -> Option<(TransactionKey, bool)> {
        let mut lines = bytes
            .split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let method = raw_request_method(lines.next()?)?;
        if method == "CANCEL" {
            return None;
        }
        let via = raw_top_via(lines)?;
        let branch = via
            .branch
            .as_deref()
            .filter(|b| b.starts_with(MAGIC_COOKIE))?;
        let key = TransactionKey::Branch {
            branch: branch.to_string(),
            sent_by: via.sent_by(),
            method: key_method(method),
        };
        Some((key, method == "ACK"))
    }

    /// The server-side key of a received request.
    pub fn for_request(req: &rsip::Request) -> Result<TransactionKey, TransactionError> {
        let via = TopVia::of(&req.headers)?;
        let method = key_method(&req.method.to_string());
        if let Some(branch) = via
            .branch
            .as_deref()
            .filter(|b| b.starts_with(MAGIC_COOKIE))
        {
            return Ok(TransactionKey::Branch {
                branch: branch.to_string(),
                sent_by: via.sent_by(),
                method,
            });
        }
        let (cseq, _) = cseq(&req.headers)?;
        let to_tag = if method == "INVITE" {
            None
        } else {
            tag(&req.headers, "To")
        };
        Ok(TransactionKey::Legacy {
            method,
            request_uri: req.uri.to_string(),
            call_id: call_id(&req.headers)?,
            from_tag: tag(&req.headers, "From").unwrap_or_default(),
            to_tag,
            cseq,
            top_via: via.raw,
        })
    }

    /// The client-side key of a received response: top Via branch and sent-by, CSeq method.
    /// Responses to RFC 2543-style requests are not matched (we always send the cookie).
    pub fn for_response(resp: &rsip::Response) -> Result<TransactionKey, TransactionError> {
        let via = TopVia::of(&resp.headers)?;
        let (_, method) = cseq(&resp.headers)?;
        let branch = via
            .branch
            .clone()
            .filter(|b| b.starts_with(MAGIC_COOKIE))
            .ok_or_else(|| TransactionError::NoBranch {
                via: via.raw.clone(),
            })?;
        Ok(TransactionKey::Branch {
            branch,
            sent_by: via.sent_by(),
            method: key_method(&method),
        })
    }

    /// The same transaction identity with another method: the INVITE a CANCEL targets.
    pub fn with_method(&self, method: &str) -> TransactionKey {
        let mut key = self.clone();
        match &mut key {
            TransactionKey::Branch { method: m, .. } | TransactionKey::Legacy { method: m, .. } => {
                *m = key_method(method);
            }
        }
        if let TransactionKey::Legacy { to_tag, method, .. } = &mut key {
            if method == "INVITE" {
                *to_tag = None;
            }
        }
        key
    }

    /// The method the key was made for (ACK shows as INVITE).
    pub fn method(&self) -> &str {
        match self {
            TransactionKey::Branch { method, .. } | TransactionKey::Legacy { method, .. } => method,
        }
    }

    /// The branch, for RFC 3261 keys.
    pub fn branch(&self) -> Option<&str> {
        match self {
            TransactionKey::Branch { branch, .. } => Some(branch),
            TransactionKey::Legacy { .. } => None,
        }
    }
}

/// The method of a request line (`INVITE sip:x SIP/2.0`); `None` for a status line or
/// anything else.
fn raw_request_method(line: &[u8]) -> Option<&str> {
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let (method, _uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    let token = !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric());
    (token && parts.next().is_none() && version.eq_ignore_ascii_case("SIP/2.0")).then_some(method)
}

/// The first Via header (`Via` or `v`, any case) of the header lines, when its value is on
/// one line.
fn raw_top_via<'a>(mut lines: impl Iterator<Item = &'a [u8]>) -> Option<TopVia> {
    while let Some(line) = lines.next() {
        if line.is_empty() {
            return None; // the end of the headers
        }
        if line.first().is_some_and(|b| matches!(b, b' ' | b'\t')) {
            continue; // the folded rest of another header
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        if !(name.eq_ignore_ascii_case(b"via") || name.eq_ignore_ascii_case(b"v")) {
            continue;
        }
        let folded = lines
            .next()?
            .first()
            .is_some_and(|b| matches!(b, b' ' | b'\t'));
        let value = std::str::from_utf8(&line[colon + 1..]).ok()?;
        return if folded {
            None
        } else {
            TopVia::parse(value.trim()).ok()
        };
    }
    None
}

fn key_method(method: &str) -> String {
    let upper = method.trim().to_ascii_uppercase();
    if upper == "ACK" {
        "INVITE".to_string()
    } else {
        upper
    }
}

/// The topmost Via value, split into what transactions and responses need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopVia {
    /// The value as written (first element of a comma list).
    pub raw: String,
    /// Uppercase transport (`UDP`, `TCP`, `TLS`, ...).
    pub transport: String,
    /// Host, lowercased (IPv6 keeps its brackets).
    pub host: String,
    pub port: Option<u16>,
    pub branch: Option<String>,
}

impl TopVia {
    pub fn of(headers: &rsip::Headers) -> Result<TopVia, TransactionError> {
        let value =
            find_header(headers, "Via").ok_or(TransactionError::MissingHeader { name: "Via" })?;
        TopVia::parse(&value)
    }

    /// Parses the first element of a Via value: `SIP/2.0/UDP host[:port];params`.
    pub fn parse(value: &str) -> Result<TopVia, TransactionError> {
        let bad = || TransactionError::MalformedVia {
            value: value.to_string(),
        };
        // The first element of a comma list (most Via values hold one: no list built).
        let first = if value.contains(',') {
            split_list(value.as_bytes())
                .and_then(|parts| parts.first().map(|p| String::from_utf8_lossy(p)))
                .ok_or_else(bad)?
        } else {
            std::borrow::Cow::Borrowed(value.trim_matches([' ', '\t']))
        };
        if first.is_empty() {
            return Err(bad());
        }
        let mut pieces = first.split(';');
        let sent = pieces.next().unwrap_or_default().trim();
        let (protocol, sent_by) = sent.split_once(char::is_whitespace).ok_or_else(bad)?;
        let transport = protocol
            .rsplit('/')
            .next()
            .map(|t| t.trim().to_ascii_uppercase())
            .filter(|t| !t.is_empty() && protocol.split('/').count() == 3)
            .ok_or_else(bad)?;
        let sent_by = sent_by.trim();
        let (host, port) = split_host_port(sent_by).ok_or_else(bad)?;
        let branch = pieces.find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("branch")
                .then(|| value.trim().to_string())
        });
        let host = host.to_ascii_lowercase();
        Ok(TopVia {
            raw: first.into_owned(),
            transport,
            host,
            port,
            branch,
        })
    }

    /// `host:port` with the transport's default port filled in.
    pub fn sent_by(&self) -> String {
        let default = if self.transport == "TLS" { 5061 } else { 5060 };
        format!("{}:{}", self.host, self.port.unwrap_or(default))
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    if s.is_empty() {
        return None;
    }
    if s.starts_with('[') {
        let end = s.find(']')?;
        let host = s.get(..=end)?;
        let rest = s.get(end + 1..)?;
        return match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        Some(_) => None,
        None => Some((s, None)),
    }
}

/// The `tag` parameter of the To or From header, if any.
pub fn tag(headers: &rsip::Headers, name: &str) -> Option<String> {
    let value = find_header(headers, name)?;
    NameAddr::param_of(name, &value, "tag")
}

/// The Call-ID value.
pub fn call_id(headers: &rsip::Headers) -> Result<String, TransactionError> {
    find_header(headers, "Call-ID")
        .map(|v| v.trim().to_string())
        .ok_or(TransactionError::MissingHeader { name: "Call-ID" })
}

/// CSeq number and method.
pub fn cseq(headers: &rsip::Headers) -> Result<(u32, String), TransactionError> {
    let value =
        find_header(headers, "CSeq").ok_or(TransactionError::MissingHeader { name: "CSeq" })?;
    let mut parts = value.split_whitespace();
    let number = parts.next().and_then(|n| n.parse::<u32>().ok());
    let method = parts.next();
    match (number, method) {
        (Some(n), Some(m)) => Ok((n, m.to_ascii_uppercase())),
        _ => Err(TransactionError::MalformedCSeq { value }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sip::message::parse;

    fn request(text: &str) -> rsip::Request {
        match parse(text.as_bytes()).unwrap() {
            rsip::SipMessage::Request(r) => r,
            rsip::SipMessage::Response(_) => panic!("request expected"),
        }
    }

    fn msg(method: &str, via: &str, extra: &str) -> String {
        format!(
            "{method} sip:um@example.com SIP/2.0\r\nVia: {via}\r\nFrom: <sip:a@b>;tag=f1\r\n\
             To: <sip:um@example.com>{extra}\r\nCall-ID: c1\r\nCSeq: 1 {method}\r\n\
             Content-Length: 0\r\n\r\n"
        )
    }

    #[test]
    fn the_raw_key_is_the_parsed_key_or_none() {
        let same = [
            msg("INVITE", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc", ""),
            msg(
                "INVITE",
                "SIP/2.0/UDP Host.Example.COM;branch=z9hG4bKabc;rport",
                "",
            ),
            msg("BYE", "SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK1", ";tag=t"),
            msg(
                "OPTIONS",
                "SIP/2.0/TCP h:5070 ; branch = z9hG4bKx , SIP/2.0/UDP o",
                "",
            ),
            msg("INVITE", "SIP/2.0/UDP h;branch=z9hG4bKa", "").replacen("Via:", "v :", 1),
            msg("INVITE", "SIP/2.0/UDP h;branch=z9hG4bKa", "").replacen("Via:", "VIA:", 1),
            // A folded header before the Via whose continuation looks like a compact Via.
            msg("INVITE", "SIP/2.0/UDP h;branch=z9hG4bKa", "").replacen(
                "Via:",
                "Subject: x\r\n v: SIP/2.0/UDP evil;branch=z9hG4bKe\r\nVia:",
                1,
            ),
        ];
        for text in same {
            let parsed = TransactionKey::for_request(&request(&text)).unwrap();
            let (raw, ack) = TransactionKey::for_raw_request(text.as_bytes()).unwrap();
            assert_eq!(raw, parsed, "{text}");
            assert!(!ack);
        }
        let ack = msg("ACK", "SIP/2.0/UDP h;branch=z9hG4bKa", ";tag=t");
        let (key, is_ack) = TransactionKey::for_raw_request(ack.as_bytes()).unwrap();
        assert!(is_ack);
        assert_eq!(key, TransactionKey::for_request(&request(&ack)).unwrap());
        let parse_instead = [
            msg("CANCEL", "SIP/2.0/UDP h;branch=z9hG4bKa", ""),
            msg("INVITE", "SIP/2.0/UDP h;branch=1234", ""), // RFC 2543: no cookie
            msg("INVITE", "SIP/2.0/UDP h;branch=z9hG4bKa", "").replacen(
                ";branch",
                "\r\n ;branch",
                1,
            ),
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n\r\n".to_string(),
            "INVITE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
                .to_string(),
        ];
        for text in parse_instead {
            assert_eq!(
                TransactionKey::for_raw_request(text.as_bytes()),
                None,
                "{text}"
            );
        }
    }

    #[test]
    fn ack_and_retransmission_match_the_invite_and_cancel_does_not() {
        let via = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc";
        let invite = TransactionKey::for_request(&request(&msg("INVITE", via, ""))).unwrap();
        let ack = TransactionKey::for_request(&request(&msg("ACK", via, ";tag=um1"))).unwrap();
        let cancel = TransactionKey::for_request(&request(&msg("CANCEL", via, ""))).unwrap();
        assert_eq!(invite, ack);
        assert_ne!(invite, cancel);
        assert_eq!(cancel.with_method("INVITE"), invite);
        assert_eq!(invite.branch(), Some("z9hG4bKabc"));
        // The default port is the same sender; a different host is not.
        let default_port = "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKabc";
        assert_eq!(
            TransactionKey::for_request(&request(&msg("INVITE", default_port, ""))).unwrap(),
            invite
        );
        let other = "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKabc";
        assert_ne!(
            TransactionKey::for_request(&request(&msg("INVITE", other, ""))).unwrap(),
            invite
        );
    }

    #[test]
    fn combined_via_uses_only_the_top_value() {
        // rsipstack #125: the key was computed from the whole combined value.
        let combined = "SIP/2.0/TCP H1:5070;branch=z9hG4bK1, SIP/2.0/UDP h2;branch=z9hG4bK2";
        let key = TransactionKey::for_request(&request(&msg("OPTIONS", combined, ""))).unwrap();
        assert_eq!(
            key,
            TransactionKey::Branch {
                branch: "z9hG4bK1".into(),
                sent_by: "h1:5070".into(),
                method: "OPTIONS".into()
            }
        );
        let v = TopVia::parse("SIP/2.0/TLS [2001:db8::1];branch=z9hG4bKx;rport").unwrap();
        assert_eq!(v.sent_by(), "[2001:db8::1]:5061");
    }

    #[test]
    fn rfc2543_requests_fall_back_to_the_header_tuple() {
        let via = "SIP/2.0/UDP 10.0.0.1;branch=1";
        let invite = TransactionKey::for_request(&request(&msg("INVITE", via, ""))).unwrap();
        let ack = TransactionKey::for_request(&request(&msg("ACK", via, ";tag=um1"))).unwrap();
        assert!(matches!(invite, TransactionKey::Legacy { .. }));
        assert_eq!(invite, ack);
        let bye1 = TransactionKey::for_request(&request(&msg("BYE", via, ";tag=x"))).unwrap();
        let bye2 = TransactionKey::for_request(&request(&msg("BYE", via, ";tag=y"))).unwrap();
        assert_ne!(bye1, bye2);
        let no_branch = "SIP/2.0/UDP 10.0.0.1";
        assert!(matches!(
            TransactionKey::for_request(&request(&msg("INVITE", no_branch, ""))).unwrap(),
            TransactionKey::Legacy { .. }
        ));
    }

    #[test]
    fn response_key_matches_the_request_key() {
        let via = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc";
        let req = request(&msg("NOTIFY", via, ""));
        let resp = crate::sip::message::response_to(&req, 200, "OK", Some("t"));
        assert_eq!(
            TransactionKey::for_response(&resp).unwrap(),
            TransactionKey::for_request(&req).unwrap()
        );
    }

    #[test]
    fn malformed_via_is_named() {
        for bad in ["", "SIP/2.0/UDP", "UDP host", "SIP/2.0/UDP host:notaport"] {
            assert!(TopVia::parse(bad).is_err(), "{bad:?}");
        }
    }
}
