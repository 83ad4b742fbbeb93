//! [`IncomingCall`]: the facts of one INVITE that Exchange UM decides on, read from an
//! `rsip::Request` with the typed headers of `sip::headers` (which implement Exchange's
//! called-party rules, domain.md B.4.3). It does not look anything up in the directory.

use serde::Serialize;

use super::UmError;
use crate::sip::{find_header, CcDiversion, Diversion, HistoryInfo, SipUriParts};

/// One INVITE as Exchange UM sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncomingCall {
    /// The Request-URI as received (the 302 Contact is built from it).
    pub request_uri: String,
    /// Its user part: a hunt-group pilot, an Outlook Voice Access or auto-attendant number.
    pub request_user: Option<String>,
    /// Its host: the server the INVITE was sent to.
    pub request_host: String,
    pub to: String,
    pub from: String,
    /// The diverted-from party per Exchange's rules: Diversion, else CC-Diversion, else
    /// History-Info. Each candidate in the order UM tries it (`user@host` before `user` for a
    /// SIP URI), duplicates removed. Empty for a call that was not diverted.
    pub diverted: Vec<String>,
    /// The diversion reason as written (`no-answer`, `user-busy`, a History-Info cause).
    pub diversion_reason: Option<String>,
    /// The peer: its FQDN, or the address it connected from.
    pub source: String,
    /// Whether the INVITE came over TLS.
    pub secure: bool,
    /// Over TLS: the names in the certificate the peer presented (mutual TLS; CN, DNS and IP
    /// SANs), `None` when it presented none. [`IncomingCall::from_request`] assumes a Front End
    /// presenting its pool certificate (the names are `source`); serve replaces them with the
    /// connection's ([`IncomingCall::with_peer_certificate`]).
    pub peer_names: Option<Vec<String>>,
}

impl IncomingCall {
    /// Reads `request`, received from `source` over TLS (`secure`) or TCP.
    pub fn from_request(
        request: &rsip::Request,
        source: &str,
        secure: bool,
    ) -> Result<IncomingCall, UmError> {
        let request_uri = request.uri.to_string();
        let parts = SipUriParts::parse(&request_uri)?;
        if !parts.is_sip() {
            return Err(UmError::RequestUri {
                uri: request_uri,
                expected: "a sip: or sips: URI".into(),
            });
        }
        let headers = &request.headers;
        let mut diverted = Vec::new();
        let mut diversion_reason = None;
        let diversion = match Diversion::from_headers(headers)? {
            Some(d) => Some(d),
            None => CcDiversion::from_headers(headers)?.map(|c| c.0),
        };
        if let Some(d) = diversion {
            for entry in &d.entries {
                push_candidates(&mut diverted, &entry.addr.uri, entry.called_party());
            }
            diversion_reason = d.entries.first().and_then(|e| e.reason.clone());
        } else if let Some(h) = HistoryInfo::from_headers(headers)? {
            if let Some(entry) = h.diverted_from() {
                push_candidates(&mut diverted, &entry.addr.uri, h.called_party());
                diversion_reason = entry.reason();
            }
        }
        Ok(IncomingCall {
            request_user: parts.user.clone(),
            request_host: parts.host.clone(),
            request_uri,
            to: find_header(headers, "To").unwrap_or_default(),
            from: find_header(headers, "From").unwrap_or_default(),
            diverted,
            diversion_reason,
            source: source.to_string(),
            secure,
            peer_names: secure.then(|| vec![source.to_string()]),
        })
    }

    /// The call with the names of the certificate the peer really presented (DER), or none.
    pub fn with_peer_certificate(mut self, der: Option<&[u8]>) -> IncomingCall {
        self.peer_names = if self.secure {
            der.map(super::certificate::certificate_names)
        } else {
            None
        };
        self
    }

    /// Whether the call was diverted to voice mail (call answering) rather than dialed.
    pub fn is_diverted(&self) -> bool {
        !self.diverted.is_empty()
    }
}

/// Adds `user@host` (for a SIP URI with a host) and then Exchange's called party.
fn push_candidates(out: &mut Vec<String>, uri: &str, called: Option<String>) {
    let mut add = |c: String| {
        if !c.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&c)) {
            out.push(c);
        }
    };
    if let Ok(p) = SipUriParts::parse(uri) {
        if p.is_sip() && !p.host.is_empty() {
            if let Some(user) = &p.user {
                let user = crate::sip::headers::percent_decode(user);
                let user = user.split(';').next().unwrap_or_default();
                let is_phone = p
                    .params
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case("user") && v.as_deref() == Some("phone"));
                if !is_phone {
                    add(format!("{user}@{}", p.host));
                }
            }
        }
    }
    if let Some(c) = called {
        add(c);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn invite(extra: &str) -> rsip::Request {
        let text = format!(
            "INVITE sip:LOC801@ex-cas01.contoso.com:5061;transport=tls SIP/2.0\r\n\
             Via: SIP/2.0/TLS pool01.contoso.com:5061;branch=z9hG4bK1\r\n\
             From: <sip:alice@contoso.com>;tag=1\r\n\
             To: <sip:bob@contoso.com>\r\n\
             Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n"
        );
        match crate::sip::parse(text.as_bytes()).unwrap() {
            rsip::SipMessage::Request(r) => r,
            rsip::SipMessage::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn diversion_gives_user_at_host_then_user() {
        let call = IncomingCall::from_request(
            &invite("Diversion: <sip:bob@contoso.com>;reason=no-answer;counter=1\r\n"),
            "pool01.contoso.com",
            true,
        )
        .unwrap();
        assert_eq!(call.request_user.as_deref(), Some("LOC801"));
        assert_eq!(call.request_host, "ex-cas01.contoso.com");
        assert_eq!(call.diverted, vec!["bob@contoso.com", "bob"]);
        assert_eq!(call.diversion_reason.as_deref(), Some("no-answer"));
        assert!(call.is_diverted());
    }

    #[test]
    fn phone_numbers_and_history_info() {
        let call = IncomingCall::from_request(
            &invite("History-Info: <sip:9000@contoso.com;user=phone?Reason=SIP%3Bcause%3D486>;index=1, <sip:LOC801@ex-cas01.contoso.com>;index=1.1\r\n"),
            "pool01.contoso.com",
            true,
        )
        .unwrap();
        assert_eq!(call.diverted, vec!["9000"]);
        assert_eq!(call.diversion_reason.as_deref(), Some("SIP;cause=486"));
    }

    #[test]
    fn no_diversion_is_a_direct_call() {
        let call = IncomingCall::from_request(&invite(""), "10.0.0.1", false).unwrap();
        assert!(!call.is_diverted());
        assert!(!call.secure);
    }
}
