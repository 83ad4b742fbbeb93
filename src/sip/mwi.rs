//! The message waiting indicator, sans IO: the RFC 3842 `message-summary` body, the
//! unsolicited NOTIFY that carries it (RFC 3265 / 6665 `Event: message-summary`,
//! `Subscription-State: terminated`, as an unsolicited NOTIFY has no subscription), and the
//! retry schedule for a NOTIFY that failed or got no answer. It does not send anything, read
//! mailboxes or look up gateways: `serve::delivery` does, with these values.

use std::net::SocketAddr;
use std::time::Duration;

use crate::sip::request::{RequestBuilder, Via};
use crate::sip::transport::TransportKind;

/// What a NOTIFY tells the phone: whether messages wait, for which account, and (when the
/// mailbox can be counted) how many voice messages are new and old.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// `Message-Account`, e.g. `sip:bob@contoso.com`.
    pub account: String,
    /// `Messages-Waiting: yes` when there are new messages.
    pub waiting: bool,
    /// `Voice-Message: new/old (0/0)`; `None` when the mailbox is elsewhere (SMTP) and cannot
    /// be counted, in which case the line is left out (RFC 3842 makes it optional).
    pub voice: Option<(usize, usize)>,
}

impl Summary {
    /// The summary for a mailbox with `new` unread and `old` read voice messages.
    pub fn counted(account: impl Into<String>, new: usize, old: usize) -> Summary {
        Summary {
            account: account.into(),
            waiting: new > 0,
            voice: Some((new, old)),
        }
    }

    /// The `application/simple-message-summary` body (RFC 3842 section 5.2), CRLF lines.
    pub fn body(&self) -> String {
        let mut body = format!(
            "Messages-Waiting: {}\r\nMessage-Account: {}\r\n",
            if self.waiting { "yes" } else { "no" },
            self.account
        );
        if let Some((new, old)) = self.voice {
            body.push_str(&format!("Voice-Message: {new}/{old} (0/0)\r\n"));
        }
        body
    }
}

/// `sip:` prefixed, as Message-Account and the Request-URI need it.
pub fn sip_uri(address: &str) -> String {
    let trimmed = address.trim();
    if trimmed.len() >= 4 && trimmed[..4].eq_ignore_ascii_case("sip:") {
        trimmed.to_string()
    } else {
        format!("sip:{trimmed}")
    }
}

/// Who sends the NOTIFY, from where, in which transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyParams {
    /// The sender's URI for From and Contact's user part, e.g. `sip:um@ex-mbx02.contoso.com`.
    pub from: String,
    /// The address the NOTIFY leaves from (Via sent-by and Contact).
    pub local: SocketAddr,
    pub transport: TransportKind,
    pub call_id: String,
    pub from_tag: String,
    /// A `z9hG4bK` branch, new for every attempt.
    pub branch: String,
    /// 1 for the first attempt, one more for each retry (same Call-ID and tag).
    pub cseq: u32,
}

/// The NOTIFY for `summary`, to the user's SIP URI (the gateway routes it on), as a request
/// the endpoint can send.
pub fn notify(params: &NotifyParams, summary: &Summary) -> Result<rsip::Request, MwiError> {
    let uri = sip_uri(&summary.account);
    let local = params.local.to_string();
    let via = Via::new(params.transport, local.as_str(), params.branch.as_str());
    let contact = format!(
        "sip:{local};transport={}",
        params.transport.as_str().to_ascii_lowercase()
    );
    RequestBuilder::new(rsip::Method::Notify, &uri, &via)
        .from(&params.from, &params.from_tag)
        .to(&uri, None)
        .call_id(&params.call_id)
        .cseq(params.cseq)
        .contact(&contact)
        .header("Event", "message-summary")
        .header("Subscription-State", "terminated")
        .body("application/simple-message-summary", summary.body())
        .build()
        .map_err(|e| MwiError::Build {
            account: summary.account.clone(),
            reason: e.to_string(),
        })
}

/// Why a NOTIFY could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MwiError {
    #[error("cannot build the message-summary NOTIFY for {account}: {reason}; expected a SIP address like bob@contoso.com")]
    Build { account: String, reason: String },
}

/// When to try again after a NOTIFY failed: `initial`, doubling up to `max_delay`, and no
/// attempt starts later than `give_up_after` after the first one (Exchange retries MWI for
/// a few minutes, then drops it: the next message sends a fresh one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySchedule {
    pub initial: Duration,
    pub max_delay: Duration,
    pub give_up_after: Duration,
}

impl Default for RetrySchedule {
    /// 5 s doubling to 60 s, for 5 minutes.
    fn default() -> Self {
        RetrySchedule {
            initial: Duration::from_secs(5),
            max_delay: Duration::from_secs(60),
            give_up_after: Duration::from_secs(300),
        }
    }
}

impl RetrySchedule {
    /// The wait before the next attempt after `failures` failed attempts (1-based), when the
    /// first attempt started `elapsed` ago; `None`: give up.
    pub fn next_delay(&self, failures: u32, elapsed: Duration) -> Option<Duration> {
        let factor = 1u32 << failures.saturating_sub(1).min(20);
        let delay = self.initial.saturating_mul(factor).min(self.max_delay);
        (elapsed.saturating_add(delay) <= self.give_up_after).then_some(delay)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn params() -> NotifyParams {
        NotifyParams {
            from: "sip:um@ex-mbx02.contoso.com".into(),
            local: "127.0.20.12:40000".parse().unwrap(),
            transport: TransportKind::Tcp,
            call_id: "mwi-1@ex-mbx02.contoso.com".into(),
            from_tag: "t1".into(),
            branch: "z9hG4bKmwi1".into(),
            cseq: 2,
        }
    }

    #[test]
    fn body_follows_rfc_3842() {
        let s = Summary::counted("sip:bob@contoso.com", 2, 5);
        assert_eq!(
            s.body(),
            "Messages-Waiting: yes\r\nMessage-Account: sip:bob@contoso.com\r\nVoice-Message: 2/5 (0/0)\r\n"
        );
        let none = Summary::counted("sip:bob@contoso.com", 0, 3);
        assert!(none.body().starts_with("Messages-Waiting: no\r\n"));
        let uncounted = Summary {
            account: "sip:bob@contoso.com".into(),
            waiting: true,
            voice: None,
        };
        assert!(!uncounted.body().contains("Voice-Message"));
    }

    #[test]
    fn sip_uri_adds_the_scheme_once() {
        assert_eq!(sip_uri("bob@contoso.com"), "sip:bob@contoso.com");
        assert_eq!(sip_uri("SIP:bob@contoso.com"), "SIP:bob@contoso.com");
    }

    #[test]
    fn notify_parses_with_the_headers_rfc_3842_needs() {
        let s = Summary::counted("bob@contoso.com", 1, 0);
        let req = notify(&params(), &s).unwrap();
        assert_eq!(req.method, rsip::Method::Notify);
        assert_eq!(req.uri.to_string(), "sip:bob@contoso.com");
        let h = &req.headers;
        assert_eq!(
            crate::sip::find_header(h, "Event").as_deref(),
            Some("message-summary")
        );
        assert_eq!(
            crate::sip::find_header(h, "Subscription-State").as_deref(),
            Some("terminated")
        );
        assert_eq!(
            crate::sip::find_header(h, "Content-Type").as_deref(),
            Some("application/simple-message-summary")
        );
        assert_eq!(
            crate::sip::find_header(h, "CSeq").as_deref(),
            Some("2 NOTIFY")
        );
        let body = String::from_utf8(req.body.clone()).unwrap();
        assert_eq!(body, s.body());
        let text = String::from_utf8(crate::sip::message::request_bytes(&req)).unwrap();
        assert!(text.contains("Via: SIP/2.0/TCP 127.0.20.12:40000;branch=z9hG4bKmwi1\r\n"));
    }

    #[test]
    fn a_bad_account_is_an_error_naming_it() {
        let s = Summary::counted("bob @contoso.com\r\nX: y", 1, 0);
        let err = notify(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("bob @contoso.com"), "{err}");
    }

    #[test]
    fn retries_double_to_the_cap_and_stop_after_five_minutes() {
        let r = RetrySchedule::default();
        let s = Duration::from_secs;
        assert_eq!(r.next_delay(1, s(0)), Some(s(5)));
        assert_eq!(r.next_delay(2, s(5)), Some(s(10)));
        assert_eq!(r.next_delay(3, s(15)), Some(s(20)));
        assert_eq!(r.next_delay(4, s(35)), Some(s(40)));
        assert_eq!(r.next_delay(5, s(75)), Some(s(60)));
        assert_eq!(r.next_delay(9, s(240)), Some(s(60)));
        assert_eq!(r.next_delay(10, s(241)), None);
        assert_eq!(r.next_delay(40, s(0)), Some(s(60)));
    }
}
