//! UAS dialogs (RFC 3261 12): the [`DialogKey`] (Call-ID, local tag, remote tag), creation
//! from an INVITE and our 2xx (12.1.1), matching an in-dialog request (BYE, ACK, re-INVITE,
//! INFO, ...) to its dialog, and the remote CSeq order check (12.2.2: lower or equal is 500,
//! except ACK and CANCEL, which repeat the INVITE's number). Owns [`Dialogs`], the map, and
//! the requests we send inside a dialog ([`Dialog::request`], 12.2.1.1: Request-URI = remote
//! target, Route = route set, From/To with the tags, Call-ID, our CSeq), for both sides: the
//! UM worker is the UAS of its calls ([`Dialog::uas`]), the live trace the UAC of its call
//! ([`Dialog::uac`]). Only loose routers are supported (every route has `;lr`, as Lync,
//! Exchange and Kamailio's `record_route` put). Does not own transactions
//! (`sip::transaction`), media, or what a dialog means to UM.
//!
//! To tags come from [`crate::sip::ids::IdGenerator::tag`]: 64 bits hashed by std's
//! `RandomState` from a counter and the clock (RFC 3261 19.3 asks for 32 random bits).

use std::collections::HashMap;

use super::headers::NameAddr;
use super::message::{find_header, find_headers};
use super::request::{RequestBuilder, Via};
use super::transaction::key::{call_id, cseq, tag};

/// RFC 3261 12: a dialog is identified by Call-ID, local tag and remote tag. For a UAS the
/// local tag is the To tag of its responses and the remote tag is the From tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogKey {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

impl DialogKey {
    /// The key of a request received inside a dialog we are the UAS of: `None` when the
    /// request has no To tag (it is not in a dialog).
    pub fn for_uas_request(req: &rsip::Request) -> Option<DialogKey> {
        Some(DialogKey {
            call_id: call_id(&req.headers).ok()?,
            local_tag: tag(&req.headers, "To")?,
            remote_tag: tag(&req.headers, "From").unwrap_or_default(),
        })
    }
}

/// Early after a provisional with a tag, Confirmed after the 2xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogState {
    Early,
    Confirmed,
}

/// One dialog's state (12.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    pub key: DialogKey,
    pub state: DialogState,
    /// The highest CSeq number received from the peer.
    pub remote_cseq: u32,
    /// Our CSeq for requests we send in the dialog (empty until we send one: 0).
    pub local_cseq: u32,
    /// The peer's Contact URI (where in-dialog requests go).
    pub remote_target: Option<String>,
    /// Record-Route of the INVITE, in order (the UAS keeps the order, 12.1.1).
    pub route_set: Vec<String>,
    /// Our URI (the INVITE's To) and the peer's (From).
    pub local_uri: String,
    pub remote_uri: String,
    /// The INVITE's Request-URI was sips: and came over TLS.
    pub secure: bool,
}

impl Dialog {
    /// The dialog we are the UAS of, made by `invite` and our `response` (12.1.1): a 101-199
    /// with a To tag makes an early dialog, a 2xx a confirmed one.
    pub fn uas(
        invite: &rsip::Request,
        response: &rsip::Response,
        secure: bool,
    ) -> Result<Dialog, DialogError> {
        let key = DialogKey {
            call_id: call_id(&invite.headers)
                .map_err(|_| DialogError::Missing { what: "Call-ID" })?,
            local_tag: tag(&response.headers, "To").ok_or(DialogError::Missing {
                what: "the To tag of our response",
            })?,
            remote_tag: tag(&invite.headers, "From").unwrap_or_default(),
        };
        let (remote_cseq, _) =
            cseq(&invite.headers).map_err(|_| DialogError::Missing { what: "CSeq" })?;
        Ok(Dialog {
            key,
            state: state_after(response),
            remote_cseq,
            local_cseq: 0,
            remote_target: contact_uri(&invite.headers),
            route_set: find_headers(&invite.headers, "Record-Route"),
            local_uri: uri_of(&invite.headers, "To"),
            remote_uri: uri_of(&invite.headers, "From"),
            secure,
        })
    }

    /// The dialog we are the UAC of, made by our `invite` and its `response` (12.1.2): the
    /// route set is the response's Record-Route in reverse, our CSeq goes on from the
    /// INVITE's (the ACK repeats it).
    pub fn uac(invite: &rsip::Request, response: &rsip::Response) -> Result<Dialog, DialogError> {
        let key = DialogKey {
            call_id: call_id(&invite.headers)
                .map_err(|_| DialogError::Missing { what: "Call-ID" })?,
            local_tag: tag(&invite.headers, "From").ok_or(DialogError::Missing {
                what: "the From tag of our INVITE",
            })?,
            remote_tag: tag(&response.headers, "To").unwrap_or_default(),
        };
        let (local_cseq, _) =
            cseq(&invite.headers).map_err(|_| DialogError::Missing { what: "CSeq" })?;
        let mut route_set = find_headers(&response.headers, "Record-Route");
        route_set.reverse();
        Ok(Dialog {
            key,
            state: state_after(response),
            remote_cseq: 0,
            local_cseq,
            remote_target: contact_uri(&response.headers),
            route_set,
            local_uri: uri_of(&invite.headers, "From"),
            remote_uri: uri_of(&invite.headers, "To"),
            secure: invite.uri.scheme == Some(rsip::Scheme::Sips),
        })
    }

    /// The CSeq number for our next in-dialog request.
    pub fn next_local_cseq(&mut self) -> u32 {
        self.local_cseq = self.local_cseq.wrapping_add(1).max(1);
        self.local_cseq
    }

    /// Our next request in this dialog (12.2.1.1), leaving by `via`: to the remote target
    /// (the peer's URI when it sent no Contact), through the route set, From us with our tag,
    /// To the peer with its tag, our next CSeq (an ACK or CANCEL repeats the current one).
    /// The caller adds what the method needs (Contact, Refer-To, a body) and builds it.
    pub fn request(&mut self, method: rsip::Method, via: &Via) -> RequestBuilder {
        let number = match method {
            rsip::Method::Ack | rsip::Method::Cancel => self.local_cseq,
            _ => self.next_local_cseq(),
        };
        let target = self.remote_target.as_deref().unwrap_or(&self.remote_uri);
        let mut builder = RequestBuilder::new(method, target, via);
        for route in &self.route_set {
            builder = builder.header("Route", route);
        }
        builder
            .from(&self.local_uri, &self.key.local_tag)
            .to(&self.remote_uri, Some(&self.key.remote_tag))
            .call_id(&self.key.call_id)
            .cseq(number)
    }
}

/// Early after a provisional response, Confirmed after a 2xx.
fn state_after(response: &rsip::Response) -> DialogState {
    if (200..300).contains(&response.status_code.code()) {
        DialogState::Confirmed
    } else {
        DialogState::Early
    }
}

/// The URI of a message's Contact.
fn contact_uri(headers: &rsip::Headers) -> Option<String> {
    find_header(headers, "Contact")
        .and_then(|c| NameAddr::parse("Contact", &c).ok())
        .map(|a| a.uri)
}

/// Why an in-dialog request cannot be taken, with the status the UAS answers.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DialogError {
    #[error("no dialog for Call-ID {call_id:?}, local tag {local_tag:?}, remote tag {remote_tag:?}; answer 481")]
    NoDialog {
        call_id: String,
        local_tag: String,
        remote_tag: String,
    },
    #[error("CSeq {got} is not above the dialog's last remote CSeq {last}; answer 500")]
    CSeqOutOfOrder { got: u32, last: u32 },
    #[error("{what} is missing or malformed; expected it to create a dialog")]
    Missing { what: &'static str },
}

impl DialogError {
    /// The status a UAS answers with.
    pub fn status(&self) -> u16 {
        match self {
            DialogError::NoDialog { .. } => 481,
            DialogError::CSeqOutOfOrder { .. } => 500,
            DialogError::Missing { .. } => 400,
        }
    }
}

/// The dialogs of one UAS.
#[derive(Debug, Default)]
pub struct Dialogs {
    map: HashMap<DialogKey, Dialog>,
}

impl Dialogs {
    pub fn new() -> Dialogs {
        Dialogs::default()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Creates (or confirms) the dialog for `invite` answered by our `response` (a 101-199
    /// with a To tag makes an early dialog, a 2xx a confirmed one).
    pub fn create_uas(
        &mut self,
        invite: &rsip::Request,
        response: &rsip::Response,
        secure: bool,
    ) -> Result<DialogKey, DialogError> {
        let dialog = Dialog::uas(invite, response, secure)?;
        let key = dialog.key.clone();
        if let Some(existing) = self.map.get_mut(&key) {
            if dialog.state == DialogState::Confirmed {
                existing.state = dialog.state;
            }
            return Ok(key);
        }
        self.map.insert(key.clone(), dialog);
        Ok(key)
    }

    pub fn get(&self, key: &DialogKey) -> Option<&Dialog> {
        self.map.get(key)
    }

    /// Ends a dialog (BYE answered, 2xx never acknowledged, INVITE failed after an early one).
    pub fn remove(&mut self, key: &DialogKey) -> Option<Dialog> {
        self.map.remove(key)
    }

    /// Matches an in-dialog request (one with a To tag) and applies 12.2.2: the CSeq must grow
    /// (ACK and CANCEL repeat the INVITE's), a re-INVITE's Contact becomes the remote target.
    pub fn on_request(&mut self, req: &rsip::Request) -> Result<&Dialog, DialogError> {
        let Some(key) = DialogKey::for_uas_request(req) else {
            return Err(DialogError::Missing { what: "the To tag" });
        };
        let Some(dialog) = self.map.get_mut(&key) else {
            return Err(DialogError::NoDialog {
                call_id: key.call_id,
                local_tag: key.local_tag,
                remote_tag: key.remote_tag,
            });
        };
        let (number, _) = cseq(&req.headers).map_err(|_| DialogError::Missing { what: "CSeq" })?;
        match req.method {
            rsip::Method::Ack | rsip::Method::Cancel => {}
            _ if number <= dialog.remote_cseq => {
                return Err(DialogError::CSeqOutOfOrder {
                    got: number,
                    last: dialog.remote_cseq,
                })
            }
            _ => dialog.remote_cseq = number,
        }
        if req.method == rsip::Method::Invite {
            if let Some(contact) = contact_uri(&req.headers) {
                dialog.remote_target = Some(contact);
            }
        }
        Ok(dialog)
    }
}

fn uri_of(headers: &rsip::Headers, name: &str) -> String {
    find_header(headers, name)
        .and_then(|v| NameAddr::parse(name, &v).ok())
        .map(|a| a.uri)
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sip::message::{parse, response_to};
    use crate::sip::transport::TransportKind;
    use rsip::prelude::UntypedHeader;

    fn req(method: &str, cseq: u32, to_tag: &str) -> rsip::Request {
        let text = format!(
            "{method} sip:um@lab SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK{cseq}{method}\r\n\
             From: <sip:alice@lab>;tag=a1\r\nTo: <sip:um@lab>{to_tag}\r\nCall-ID: d1\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:alice@127.0.0.1:5070>\r\n\
             Record-Route: <sip:p1;lr>\r\nRecord-Route: <sip:p2;lr>\r\nContent-Length: 0\r\n\r\n"
        );
        match parse(text.as_bytes()).unwrap() {
            rsip::SipMessage::Request(r) => r,
            rsip::SipMessage::Response(_) => panic!("request"),
        }
    }

    #[test]
    fn uas_dialog_from_invite_and_2xx_matches_bye_and_ack() {
        let mut dialogs = Dialogs::new();
        let invite = req("INVITE", 1, "");
        let ok = response_to(&invite, 200, "OK", Some("um9"));
        let key = dialogs.create_uas(&invite, &ok, false).unwrap();
        assert_eq!(
            key,
            DialogKey {
                call_id: "d1".into(),
                local_tag: "um9".into(),
                remote_tag: "a1".into()
            }
        );
        let d = dialogs.get(&key).unwrap();
        assert_eq!(d.state, DialogState::Confirmed);
        assert_eq!(d.remote_target.as_deref(), Some("sip:alice@127.0.0.1:5070"));
        assert_eq!(d.route_set, ["<sip:p1;lr>", "<sip:p2;lr>"]);
        assert_eq!(d.local_uri, "sip:um@lab");
        // The ACK repeats CSeq 1; the BYE goes up.
        dialogs.on_request(&req("ACK", 1, ";tag=um9")).unwrap();
        dialogs.on_request(&req("BYE", 2, ";tag=um9")).unwrap();
        assert_eq!(dialogs.get(&key).unwrap().remote_cseq, 2);
        // Out of order: 500.
        let err = dialogs.on_request(&req("INFO", 2, ";tag=um9")).unwrap_err();
        assert_eq!(err, DialogError::CSeqOutOfOrder { got: 2, last: 2 });
        assert_eq!(err.status(), 500);
        // Another tag: 481.
        let err = dialogs
            .on_request(&req("BYE", 3, ";tag=other"))
            .unwrap_err();
        assert_eq!(err.status(), 481);
        assert!(dialogs.remove(&key).is_some());
        assert!(dialogs.is_empty());
    }

    #[test]
    fn early_dialog_is_confirmed_by_the_2xx() {
        let mut dialogs = Dialogs::new();
        let invite = req("INVITE", 5, "");
        let ringing = response_to(&invite, 180, "Ringing", Some("t1"));
        let key = dialogs.create_uas(&invite, &ringing, false).unwrap();
        assert_eq!(dialogs.get(&key).unwrap().state, DialogState::Early);
        let ok = response_to(&invite, 200, "OK", Some("t1"));
        assert_eq!(dialogs.create_uas(&invite, &ok, false).unwrap(), key);
        assert_eq!(dialogs.get(&key).unwrap().state, DialogState::Confirmed);
        assert_eq!(dialogs.len(), 1);
        let mut d = dialogs.remove(&key).unwrap();
        assert_eq!((d.next_local_cseq(), d.next_local_cseq()), (1, 2));
        // A response without a To tag cannot make a dialog.
        let untagged = response_to(&invite, 200, "OK", None);
        assert!(dialogs.create_uas(&invite, &untagged, false).is_err());
    }

    fn headers_of(req: &rsip::Request, name: &str) -> Vec<String> {
        find_headers(&req.headers, name)
    }

    #[test]
    fn uas_requests_go_to_the_contact_through_the_route_set() {
        let invite = req("INVITE", 1, "");
        let ok = response_to(&invite, 200, "OK", Some("um9"));
        let mut d = Dialog::uas(&invite, &ok, false).unwrap();
        let via = Via::new(TransportKind::Tcp, "127.0.0.1:5065", "z9hG4bKx");
        let refer = d.request(rsip::Method::Refer, &via).build().unwrap();
        assert_eq!(refer.uri.to_string(), "sip:alice@127.0.0.1:5070");
        assert_eq!(headers_of(&refer, "Route"), ["<sip:p1;lr>", "<sip:p2;lr>"]);
        assert_eq!(headers_of(&refer, "From"), ["<sip:um@lab>;tag=um9"]);
        assert_eq!(headers_of(&refer, "To"), ["<sip:alice@lab>;tag=a1"]);
        assert_eq!(headers_of(&refer, "CSeq"), ["1 REFER"]);
        let bye = d.request(rsip::Method::Bye, &via).build().unwrap();
        assert_eq!(headers_of(&bye, "CSeq"), ["2 BYE"]);
        assert_eq!(headers_of(&bye, "Call-ID"), ["d1"]);
        // To the peer (the UAS of nothing here) our BYE's To tag is its own tag.
        assert_eq!(
            DialogKey::for_uas_request(&bye).map(|k| k.local_tag),
            Some("a1".to_string())
        );
    }

    #[test]
    fn uac_ack_repeats_the_invite_cseq_and_the_route_set_is_reversed() {
        let invite = req("INVITE", 7, "");
        let mut ok = response_to(&invite, 200, "OK", Some("u1"));
        ok.headers
            .push(rsip::Header::Contact(rsip::headers::Contact::new(
                "<sip:um@127.0.0.9:5065>",
            )));
        for rr in ["<sip:p2;lr>", "<sip:p1;lr>"] {
            ok.headers
                .push(rsip::Header::RecordRoute(rsip::headers::RecordRoute::new(
                    rr,
                )));
        }
        let mut d = Dialog::uac(&invite, &ok).unwrap();
        let via = Via::new(TransportKind::Tls, "pool:5061", "z9hG4bKy");
        let ack = d.request(rsip::Method::Ack, &via).build().unwrap();
        assert_eq!(ack.uri.to_string(), "sip:um@127.0.0.9:5065");
        assert_eq!(headers_of(&ack, "CSeq"), ["7 ACK"]);
        assert_eq!(headers_of(&ack, "Route"), ["<sip:p1;lr>", "<sip:p2;lr>"]);
        assert_eq!(headers_of(&ack, "From"), ["<sip:alice@lab>;tag=a1"]);
        assert_eq!(headers_of(&ack, "To"), ["<sip:um@lab>;tag=u1"]);
        let bye = d.request(rsip::Method::Bye, &via).build().unwrap();
        assert_eq!(headers_of(&bye, "CSeq"), ["8 BYE"]);
    }
}
