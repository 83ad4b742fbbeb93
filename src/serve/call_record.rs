//! The call data record of each call, filled from what serve saw: the INVITE, the component's
//! decision, and (for an answered call) what the media engine did ([`CallEvents`], the RTP
//! and RTCP figures). A rejected INVITE (403, 488, 503, ...) gets its record from the request
//! and the answer; an answered one when its engine ends. Written to the [`CallStore`] on the
//! blocking pool; a write that fails is logged, never fatal to the call.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use super::decide::Decision;
use super::media_engine::{CallSummary, Delivered, Ended};
use super::recording::CallInfo;
use crate::records::{
    utc_timestamp, AudioQuality, CallRecord, CallStore, CallType, DropReason, OfferResult,
};
use crate::sip::message::find_header;
use crate::sip::{NameAddr, SipUriParts};
use crate::um::{CallNote, Resolution};

/// Called with each record once written (the metrics count it).
pub type OnRecord = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// Where one serve's records go.
#[derive(Clone)]
pub struct RecordSink {
    pub store: Arc<CallStore>,
    /// Called with each record once written (the metrics count it).
    pub on_record: Option<OnRecord>,
}

impl RecordSink {
    /// Writes `record` (on the blocking pool when inside tokio).
    pub fn write(&self, record: CallRecord) {
        let sink = self.clone();
        let work = move || {
            if let Err(e) = sink.store.append(&record) {
                tracing::error!(
                    "call record of {}: cannot write to {}: {e}",
                    record.call_identity,
                    sink.store.dir().display()
                );
            }
            if let Some(f) = &sink.on_record {
                f(&record);
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn_blocking(work);
            }
            Err(_) => work(),
        }
    }
}

/// The user part of a From/To header value, else the value.
fn number_of(header: &str) -> String {
    NameAddr::parse("From", header)
        .ok()
        .and_then(|n| SipUriParts::parse(&n.uri).ok())
        .and_then(|p| p.user)
        .unwrap_or_else(|| header.to_string())
}

/// The record every INVITE starts with: who called whom, when, where.
pub fn base(
    request: &rsip::Request,
    started: SystemTime,
    server: &str,
    component: &str,
) -> CallRecord {
    let header = |n: &str| find_header(&request.headers, n).unwrap_or_default();
    let called = request
        .uri
        .auth
        .as_ref()
        .map(|a| a.user.clone())
        .unwrap_or_else(|| number_of(&header("To")));
    CallRecord {
        date: utc_timestamp(started),
        call_identity: header("Call-ID"),
        calling_number: number_of(&header("From")),
        called_number: called,
        um_server_name: server.to_string(),
        component: component.to_string(),
        ..CallRecord::default()
    }
}

/// Fills what the decision knows: type, dial plan, gateway, diversion, mailbox.
pub fn with_decision(mut r: CallRecord, d: &Decision) -> CallRecord {
    r.diverted_from = d.call.diverted.first().cloned();
    r.reason_for_call = d.call.diversion_reason.clone();
    if let Some(a) = d.resolution.admission() {
        r.dial_plan = Some(a.dial_plan.name.clone());
        r.gateway = Some(a.gateway.name.clone());
    }
    match &d.resolution {
        Resolution::CallAnswering(ca) => {
            r.call_type = Some(CallType::CallAnsweringMissedCall);
            r.user_mailbox_name = ca.user.sam.clone();
        }
        Resolution::SubscriberAccess(_) => r.call_type = Some(CallType::SubscriberAccess),
        Resolution::AutoAttendant(aa) => {
            r.call_type = Some(CallType::AutoAttendant);
            r.auto_attendant_name = Some(aa.auto_attendant.name.clone());
        }
        Resolution::Rejected(rej) => {
            r.call_type = Some(CallType::Rejected);
            r.dial_plan = r.dial_plan.or_else(|| rej.dial_plan.clone());
        }
    }
    r
}

/// A rejected INVITE: the answer's status and reason (its Warning text, else its phrase).
pub fn rejected(mut r: CallRecord, response: &rsip::Response) -> CallRecord {
    let warning = find_header(&response.headers, "Warning").and_then(|w| {
        let (start, end) = (w.find('"')?, w.rfind('"')?);
        (end > start).then(|| w[start + 1..end].to_string())
    });
    // A call turned away before its type was known is umctl's `Rejected`; one turned away
    // later (503 at the worker) keeps the type it would have had.
    r.call_type = r.call_type.or(Some(CallType::Rejected));
    r.offer_result = Some(OfferResult::Reject);
    r.reject_status = Some(response.status_code.code());
    r.reject_reason = Some(warning.unwrap_or_else(|| response.status_code.to_string()));
    r
}

/// An answered call once its engine ended.
pub fn answered(
    mut r: CallRecord,
    summary: &CallSummary,
    codec: &str,
    duration: f64,
    round_trip_ms: Option<f64>,
    peer: SocketAddr,
) -> CallRecord {
    let ev = &summary.events;
    r.offer_result = Some(OfferResult::Answer);
    r.duration = (duration * 10.0).round() / 10.0;
    r.audio_codec = Some(codec.to_string());
    r.dialed_string = Some(ev.digits.clone()).filter(|d| !d.is_empty());
    if r.gateway.is_none() {
        r.gateway = Some(peer.ip().to_string());
    }
    let rx = &summary.received;
    r.set_quality(&AudioQuality::measure(
        rx.received,
        rx.expected,
        rx.jitter_ms,
        round_trip_ms,
    ));
    let mut disconnect = None;
    for note in &ev.notes {
        match note {
            CallNote::Logon(l) => {
                if let crate::records::Logon::SignedIn { user, .. } = l {
                    r.user_mailbox_name = Some(user.clone());
                }
                r.logons.push(l.clone());
            }
            CallNote::Chose { target, name } => {
                r.transferred_name = name.clone();
                r.transferred_number = Some(target.clone());
            }
            CallNote::Disconnect(reason) => disconnect = Some(*reason),
        }
    }
    let mut transferred = false;
    match &ev.transfer {
        Some((target, Ok(()))) => {
            r.transferred_number = Some(target.clone());
            transferred = true;
        }
        Some((target, Err(why))) => {
            r.transferred_number = None;
            r.transfer_failed = Some(format!("to {target}: {why}"));
        }
        None => {
            // A choice never turned into a REFER (the caller hung up first).
            r.transferred_number = None;
        }
    }
    match &ev.delivered {
        Some(Delivered::VoiceMessage { seconds, to }) => {
            r.call_type = Some(CallType::CallAnsweringVoiceMessage);
            r.message_id = Some(summary.call_id.clone());
            r.message_seconds = Some((seconds * 10.0).round() / 10.0);
            r.user_mailbox_name = r.user_mailbox_name.take().or_else(|| Some(to.clone()));
        }
        Some(Delivered::MissedCall { to }) => {
            r.call_type = Some(CallType::CallAnsweringMissedCall);
            r.message_id = Some(summary.call_id.clone());
            r.user_mailbox_name = r.user_mailbox_name.take().or_else(|| Some(to.clone()));
        }
        None => {}
    }
    r.rtcp_sent = Some(summary.rtcp_reports.0);
    r.rtcp_received = Some(summary.rtcp_reports.1);
    r.errors = summary.errors.clone();
    r.drop_call_reason = Some(drop_reason(
        ev.ended,
        transferred,
        disconnect,
        !r.errors.is_empty(),
    ));
    r
}

/// The record of a call whose recording a crash left behind, delivered (`delivered`) as
/// interrupted at the next start: the engine never wrote one.
pub fn recovered(info: &CallInfo, samples: usize, server: &str, delivered: bool) -> CallRecord {
    let seconds = samples as f64 / 8000.0;
    CallRecord {
        date: utc_timestamp(info.received_at()),
        call_type: Some(if samples == 0 {
            CallType::CallAnsweringMissedCall
        } else {
            CallType::CallAnsweringVoiceMessage
        }),
        call_identity: info.call_id.clone(),
        calling_number: info.from_number.clone(),
        called_number: info.to_address.clone(),
        um_server_name: server.to_string(),
        component: "UM worker".into(),
        offer_result: Some(OfferResult::Answer),
        drop_call_reason: Some(DropReason::SystemError),
        user_mailbox_name: Some(info.to_address.clone()),
        message_id: delivered.then(|| info.call_id.clone()),
        message_seconds: Some((seconds * 10.0).round() / 10.0),
        duration: (seconds * 10.0).round() / 10.0,
        audio_codec: Some(info.codec.clone()),
        errors: vec![format!(
            "serve stopped during the call; the recording was {} at the next start",
            if delivered {
                "delivered as interrupted"
            } else {
                "kept (its delivery failed)"
            }
        )],
        ..CallRecord::default()
    }
}

/// Why the call ended: who hung up, and why UM did.
pub fn drop_reason(
    ended: Ended,
    transferred: bool,
    disconnect: Option<DropReason>,
    errors: bool,
) -> DropReason {
    match ended {
        Ended::Caller => DropReason::CallerHungUp,
        Ended::Shutdown => DropReason::Shutdown,
        Ended::NoAck => DropReason::NoAck,
        Ended::MaxDuration => DropReason::MaxDuration,
        Ended::Um if transferred => DropReason::Transfer,
        Ended::Um => match disconnect {
            Some(d) => d,
            None if errors => DropReason::SystemError,
            None => DropReason::UmHungUp,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_ended_the_call_decides_the_drop_reason() {
        assert_eq!(
            drop_reason(Ended::Caller, false, None, false),
            DropReason::CallerHungUp
        );
        assert_eq!(
            drop_reason(Ended::Um, true, None, false),
            DropReason::Transfer
        );
        assert_eq!(
            drop_reason(Ended::Um, false, Some(DropReason::InputFailures), false),
            DropReason::InputFailures
        );
        assert_eq!(
            drop_reason(Ended::Um, false, None, true),
            DropReason::SystemError
        );
        assert_eq!(
            drop_reason(Ended::Um, false, None, false),
            DropReason::UmHungUp
        );
        assert_eq!(
            drop_reason(Ended::Shutdown, false, None, false),
            DropReason::Shutdown
        );
    }

    #[test]
    fn numbers_are_the_user_parts() {
        assert_eq!(
            number_of("\"Bob\" <sip:+14255550100@contoso.com>;tag=1"),
            "+14255550100"
        );
        assert_eq!(number_of("<sip:bob@contoso.com>"), "bob");
    }
}
