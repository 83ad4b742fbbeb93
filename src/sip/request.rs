//! The one way umctl builds the SIP requests it sends: [`RequestBuilder`], over rsip's types.
//! Every request umctl originates (the Front End's INVITE, the MWI NOTIFY, the worker's REFER
//! and BYE, the live trace's ACK, NOTIFY and BYE) is built here, in-dialog ones through
//! `sip::dialog::Dialog::request`. The builder keeps the headers in the order given (Via and
//! Max-Forwards first, Content-Length last), checks every value once (`sip::wire::header_value`), parses the Request-URI with rsip, adds
//! Max-Forwards 70 and Content-Length, and types each header as rsip's parser would, so a
//! built request equals the one a peer parses from its bytes (a test holds that). It does not
//! send anything or keep dialog state.

use rsip::prelude::UntypedHeader;

use super::transport::TransportKind;
use super::wire::header_value;
use super::SipError;

/// The Via of a request we send: transport, sent-by (`host[:port]`) and a fresh branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    pub transport: TransportKind,
    pub sent_by: String,
    pub branch: String,
}

impl Via {
    pub fn new(
        transport: TransportKind,
        sent_by: impl Into<String>,
        branch: impl Into<String>,
    ) -> Via {
        Via {
            transport,
            sent_by: sent_by.into(),
            branch: branch.into(),
        }
    }
}

/// A request under construction. The first bad value is kept and reported by [`build`]
/// (so calls chain); nothing is half-built.
///
/// [`build`]: RequestBuilder::build
#[derive(Debug)]
pub struct RequestBuilder {
    method: rsip::Method,
    uri: String,
    headers: Vec<rsip::Header>,
    body: Vec<u8>,
    error: Option<SipError>,
}

impl RequestBuilder {
    /// A `method` request to `uri`, leaving by `via`.
    pub fn new(method: rsip::Method, uri: &str, via: &Via) -> RequestBuilder {
        let builder = RequestBuilder {
            method,
            uri: uri.to_string(),
            headers: Vec::with_capacity(12),
            body: Vec::new(),
            error: None,
        };
        let value = format!(
            "SIP/2.0/{} {};branch={}",
            via.transport.as_str(),
            via.sent_by,
            via.branch
        );
        builder.header("Via", &value).header("Max-Forwards", "70")
    }

    /// From: `party` (a name-addr, or a bare URI that gets `<>`) with `;tag=tag`.
    pub fn from(self, party: &str, tag: &str) -> RequestBuilder {
        let value = format!("{};tag={tag}", name_addr(party));
        self.header("From", &value)
    }

    /// To: `party`, with `;tag=tag` when the request is in a dialog.
    pub fn to(self, party: &str, tag: Option<&str>) -> RequestBuilder {
        let value = match tag {
            Some(t) if !t.is_empty() => format!("{};tag={t}", name_addr(party)),
            _ => name_addr(party),
        };
        self.header("To", &value)
    }

    pub fn call_id(self, call_id: &str) -> RequestBuilder {
        self.header("Call-ID", call_id)
    }

    /// CSeq: `number` and the request's method.
    pub fn cseq(self, number: u32) -> RequestBuilder {
        let value = format!("{number} {}", self.method);
        self.header("CSeq", &value)
    }

    /// Contact: `<uri>`.
    pub fn contact(self, uri: &str) -> RequestBuilder {
        let value = format!("<{uri}>");
        self.header("Contact", &value)
    }

    /// Any other header, after the ones above (`name` must be a token).
    pub fn header(mut self, name: &str, value: &str) -> RequestBuilder {
        if self.error.is_some() {
            return self;
        }
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            self.error = Some(SipError::HeaderLine {
                line_no: self.headers.len() + 2,
                line: format!("{name}: {value}"),
                expected: "a header name made of token characters".into(),
            });
            return self;
        }
        match header_value(name, value) {
            Ok(v) => self.headers.push(typed(name, v.trim())),
            Err(e) => self.error = Some(e),
        }
        self
    }

    /// The body and its Content-Type.
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> RequestBuilder {
        let mut me = self.header("Content-Type", content_type);
        me.body = body.into();
        me
    }

    /// The request, with Content-Length; the first bad value otherwise.
    pub fn build(self) -> Result<rsip::Request, SipError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let uri = rsip::Uri::try_from(self.uri.as_str()).map_err(|e| SipError::StartLine {
            line: format!("{} {} SIP/2.0", self.method, self.uri),
            expected: format!("a SIP or SIPS Request-URI ({e})"),
        })?;
        if self.uri.chars().any(|c| c.is_control() || c == ' ') {
            return Err(SipError::StartLine {
                line: format!("{} {:?} SIP/2.0", self.method, self.uri),
                expected: "a Request-URI without spaces or control characters".into(),
            });
        }
        let mut headers = self.headers;
        headers.push(rsip::Header::ContentLength(
            rsip::headers::ContentLength::new(self.body.len().to_string()),
        ));
        Ok(rsip::Request {
            method: self.method,
            uri,
            version: rsip::Version::V2,
            headers: headers.into(),
            body: self.body,
        })
    }
}

/// `party` as a name-addr: as it is when it has `<`, else `<party>`.
fn name_addr(party: &str) -> String {
    let party = party.trim();
    if party.contains('<') {
        party.to_string()
    } else {
        format!("<{party}>")
    }
}

/// RFC 3261 25.1 token characters.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// The header as rsip's parser types it (the names umctl sends; others stay `Other`).
fn typed(name: &str, value: &str) -> rsip::Header {
    use rsip::headers as h;
    use rsip::Header as H;
    let v = value.to_string();
    match name.to_ascii_lowercase().as_str() {
        "via" => H::Via(h::Via::new(v)),
        "max-forwards" => H::MaxForwards(h::MaxForwards::new(v)),
        "from" => H::From(h::From::new(v)),
        "to" => H::To(h::To::new(v)),
        "call-id" => H::CallId(h::CallId::new(v)),
        "cseq" => H::CSeq(h::CSeq::new(v)),
        "contact" => H::Contact(h::Contact::new(v)),
        "route" => H::Route(h::Route::new(v)),
        "content-type" => H::ContentType(h::ContentType::new(v)),
        "event" => H::Event(h::Event::new(v)),
        "user-agent" => H::UserAgent(h::UserAgent::new(v)),
        _ => H::Other(name.to_string(), v),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sip::message::{parse, request_bytes};

    fn notify() -> RequestBuilder {
        RequestBuilder::new(
            rsip::Method::Notify,
            "sip:bob@contoso.com",
            &Via::new(TransportKind::Tcp, "127.0.0.1:5065", "z9hG4bKn1"),
        )
        .from("sip:um@mbx", "f1")
        .to("\"Bob\" <sip:bob@contoso.com>", None)
        .call_id("c1")
        .cseq(3)
        .contact("sip:127.0.0.1:5065;transport=tcp")
        .header("Event", "message-summary")
        .header("Subscription-State", "terminated")
        .header("Diversion", "<sip:x@y>;reason=no-answer")
        .header("Route", "<sip:p1.contoso.com;lr>")
        .header("User-Agent", "umctl")
    }

    #[test]
    fn a_built_request_is_the_request_a_peer_parses() {
        let req = notify()
            .body(
                "application/simple-message-summary",
                "Messages-Waiting: yes\r\n",
            )
            .build()
            .unwrap();
        let bytes = request_bytes(&req);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.starts_with(
                "NOTIFY sip:bob@contoso.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5065;branch=z9hG4bKn1\r\nMax-Forwards: 70\r\nFrom: <sip:um@mbx>;tag=f1\r\nTo: \"Bob\" <sip:bob@contoso.com>\r\n"
            ),
            "{text}"
        );
        assert!(text.contains("CSeq: 3 NOTIFY\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 23\r\n\r\nMessages-Waiting: yes\r\n"));
        match parse(&bytes).unwrap() {
            rsip::SipMessage::Request(parsed) => assert_eq!(parsed, req),
            rsip::SipMessage::Response(_) => panic!("a request"),
        }
    }

    #[test]
    fn bad_values_are_named_and_nothing_is_built() {
        let err = notify()
            .header("Reason", "Q.850;cause=16\r\nVia: SIP/2.0/UDP evil")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("\"Reason\""), "{err}");
        let err = notify().header("Bad Name", "x").build().unwrap_err();
        assert!(err.to_string().contains("token"), "{err}");
        let via = Via::new(TransportKind::Udp, "h", "z9hG4bK1");
        let err = RequestBuilder::new(rsip::Method::Bye, "not a uri", &via)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("not a uri"), "{err}");
        // The first error wins; later good values do not hide it.
        let err = notify()
            .to("<sip:a@b>\nX: y", None)
            .call_id("fine")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("\"To\""), "{err}");
    }
}
