//! The INVITE the Front End sends to Exchange UM, and the re-INVITE after a 302.
//!
//! The Request-URI is `sip:<user>@<UM server>:<port>;transport=tls`, where user is the hunt
//! group pilot of the dial plan (the first label of its phone context, which is what
//! ExchUCUtil puts in the hunt group) for a diverted call, or the dialed Outlook Voice Access /
//! auto-attendant number. A call diverted on no-answer or busy carries a Diversion header
//! (RFC 5806) naming the user as the dial plan knows it: the SIP address for a SIP URI dial
//! plan, the number otherwise. These are umctl's choices where Microsoft published none
//! (domain.md B.7 item 4). Messages are built with `sip::request::RequestBuilder`, so they
//! are real rsip messages, exactly as a peer would receive them.

use serde::Serialize;

use super::FrontendError;
use crate::sip::request::{RequestBuilder, Via};
use crate::sip::transport::TransportKind;
use crate::sip::DiversionEntry;

/// Everything the INVITE is made of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InviteSpec {
    pub request_uri: String,
    /// From as a name-addr, without the tag.
    pub from: String,
    pub from_tag: String,
    /// To as a name-addr.
    pub to: String,
    /// The Diversion value, for a diverted call.
    pub diversion: Option<String>,
    /// The sending pool's FQDN (Via and Contact).
    pub pool_fqdn: String,
    pub secure: bool,
    pub call_id: String,
    pub branch: String,
    pub cseq: u32,
}

impl InviteSpec {
    /// The Request-URI of the first INVITE.
    pub fn request_uri_for(user: &str, host: &str, port: u16, secure: bool) -> String {
        let transport = if secure { "TLS" } else { "TCP" };
        format!("sip:{user}@{host}:{port};transport={transport}")
    }

    /// The Diversion value for `uri` (`sip:bob@contoso.com`) diverted for `reason`.
    pub fn diversion_for(uri: &str, display: Option<&str>, reason: &str) -> String {
        let mut d = DiversionEntry::new(uri, reason);
        d.addr.display = display.map(str::to_string);
        d.counter = Some(1);
        d.privacy = Some("off".into());
        d.to_string()
    }
}

/// The INVITE for `spec`, as an rsip request.
pub fn build_invite(spec: &InviteSpec) -> Result<rsip::Request, FrontendError> {
    let (transport, port) = if spec.secure {
        (TransportKind::Tls, 5061)
    } else {
        (TransportKind::Tcp, 5060)
    };
    let sent_by = format!("{}:{port}", spec.pool_fqdn);
    let via = Via::new(transport, sent_by.as_str(), spec.branch.as_str());
    let contact = format!(
        "sip:{sent_by};transport={}",
        transport.as_str().to_ascii_lowercase()
    );
    let mut invite = RequestBuilder::new(rsip::Method::Invite, &spec.request_uri, &via)
        .from(&spec.from, &spec.from_tag)
        .to(&spec.to, None)
        .call_id(&spec.call_id)
        .cseq(spec.cseq)
        .contact(&contact);
    if let Some(d) = &spec.diversion {
        invite = invite.header("Diversion", d);
    }
    Ok(invite
        .header(
            "User-Agent",
            "umctl trace-call (Skype for Business ExUM Routing)",
        )
        .build()?)
}

/// The spec of the INVITE that follows a 302 to `contact`: new Request-URI, new branch,
/// next CSeq (RFC 3261 8.1.3.4), same dialog identifiers.
pub fn follow_redirect(spec: &InviteSpec, contact: &str) -> InviteSpec {
    InviteSpec {
        request_uri: contact.to_string(),
        branch: format!("{}.{}", spec.branch, spec.cseq + 1),
        cseq: spec.cseq + 1,
        ..spec.clone()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn spec() -> InviteSpec {
        InviteSpec {
            request_uri: InviteSpec::request_uri_for("LOC801", "ex-cas01.contoso.com", 5061, true),
            from: "\"Alice Adams\" <sip:alice@contoso.com>".into(),
            from_tag: "a1".into(),
            to: "\"Bob Haddad\" <sip:bob@contoso.com>".into(),
            diversion: Some(InviteSpec::diversion_for(
                "sip:bob@contoso.com",
                Some("Bob Haddad"),
                "no-answer",
            )),
            pool_fqdn: "pool01.contoso.com".into(),
            secure: true,
            call_id: "c1".into(),
            branch: "z9hG4bKtrace".into(),
            cseq: 1,
        }
    }

    #[test]
    fn invite_round_trips_through_rsip_and_um_reads_it() {
        let req = build_invite(&spec()).unwrap();
        let text = req.to_string();
        assert!(
            text.starts_with(
                "INVITE sip:LOC801@ex-cas01.contoso.com:5061;transport=TLS SIP/2.0\r\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "Diversion: \"Bob Haddad\" <sip:bob@contoso.com>;reason=no-answer;counter=1;privacy=off\r\n"
        ));
        let call = crate::um::IncomingCall::from_request(&req, "pool01.contoso.com", true).unwrap();
        assert_eq!(call.request_user.as_deref(), Some("LOC801"));
        assert_eq!(call.diverted, vec!["bob@contoso.com", "bob"]);
    }

    #[test]
    fn redirect_changes_uri_branch_and_cseq() {
        let next = follow_redirect(
            &spec(),
            "sip:LOC801@ex-mbx02.contoso.com:5063;transport=TLS",
        );
        let req = build_invite(&next).unwrap();
        assert!(req
            .to_string()
            .starts_with("INVITE sip:LOC801@ex-mbx02.contoso.com:5063;transport=TLS SIP/2.0"));
        assert_eq!(next.cseq, 2);
        assert_ne!(next.branch, spec().branch);
    }
}
