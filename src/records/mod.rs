//! The call data record: one per call that reaches a `umctl serve` component, rejected calls
//! too, written by serve and read by `umctl report`, the metrics and the live trace. The
//! fields follow Exchange's `UMCallDataRecord` (Get-UMCallDataRecord's columns: Date,
//! Duration, AudioCodec, DialPlan, CallType, CallingNumber, CalledNumber, Gateway,
//! UserMailboxName, NMOS, NMOSDegradation, PercentPacketLoss, Jitter, RoundTripMilliseconds)
//! and its CDR (CallIdentity, UMServerName, ReasonForCall, OfferResult, DropCallReason,
//! TransferredNumber, AutoAttendantName, DialedString); umctl's own fields (Component,
//! DivertedFrom, SignedInUser, Outcome, MessageId, ...) sit beside them. The serde names are
//! those column names, so the JSON lines, `--json` and `--csv` all say the same.
//!
//! - [`quality`]: packet loss, jitter and round trip -> NMOS (a simplified ITU-T G.107
//!   E-model for G.711).
//! - [`store`]: append-only JSON lines, one file per UTC day under `calls/`, torn-line safe;
//!   reading, and removing files older than `--keep-days`.
//! - [`report`]: filters and Get-UMCallSummaryReport's totals (pure).
//!
//! It imports nothing of ours: serve fills a record, everything else reads one.

pub mod quality;
pub mod report;
pub mod store;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use quality::AudioQuality;
pub use store::{CallStore, ReadResult};

/// Exchange's call types (and umctl's `Rejected` for a call turned away before it had one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CallType {
    CallAnsweringVoiceMessage,
    CallAnsweringMissedCall,
    SubscriberAccess,
    AutoAttendant,
    UnAuthenticatedPilotNumber,
    VirtualNumberCall,
    /// Turned away (403, 488, 503...) before UM answered: umctl's own.
    Rejected,
}

impl CallType {
    pub const ALL: [CallType; 7] = [
        CallType::CallAnsweringVoiceMessage,
        CallType::CallAnsweringMissedCall,
        CallType::SubscriberAccess,
        CallType::AutoAttendant,
        CallType::UnAuthenticatedPilotNumber,
        CallType::VirtualNumberCall,
        CallType::Rejected,
    ];

    /// The name as Exchange writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CallType::CallAnsweringVoiceMessage => "CallAnsweringVoiceMessage",
            CallType::CallAnsweringMissedCall => "CallAnsweringMissedCall",
            CallType::SubscriberAccess => "SubscriberAccess",
            CallType::AutoAttendant => "AutoAttendant",
            CallType::UnAuthenticatedPilotNumber => "UnAuthenticatedPilotNumber",
            CallType::VirtualNumberCall => "VirtualNumberCall",
            CallType::Rejected => "Rejected",
        }
    }

    /// Case-insensitive name -> type.
    pub fn parse(s: &str) -> Option<CallType> {
        CallType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// Whether UM took the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferResult {
    Answer,
    Reject,
}

/// Why the call ended (Exchange's DropCallReason, in umctl's words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// The caller sent BYE (or CANCEL).
    CallerHungUp,
    /// UM ended the call when the menu was done (goodbye, message sent).
    UmHungUp,
    /// UM ended the call because serve stopped.
    Shutdown,
    /// Something broke (socket, store, delivery).
    SystemError,
    /// UM transferred the call (REFER answered 2xx).
    Transfer,
    /// MaxCallDuration.
    MaxDuration,
    /// InputFailuresBeforeDisconnect.
    InputFailures,
    /// LogonFailuresBeforeDisconnect, or a locked mailbox.
    LogonFailures,
    /// The 200 was never ACKed.
    NoAck,
}

impl DropReason {
    pub fn words(self) -> &'static str {
        match self {
            DropReason::CallerHungUp => "caller hung up",
            DropReason::UmHungUp => "UM hung up",
            DropReason::Shutdown => "UM hung up (shutdown)",
            DropReason::SystemError => "UM hung up: system error",
            DropReason::Transfer => "transferred",
            DropReason::MaxDuration => "UM hung up: maximum call duration",
            DropReason::InputFailures => "UM hung up: input failures",
            DropReason::LogonFailures => "UM hung up: logon failures",
            DropReason::NoAck => "the 200 OK was never acknowledged",
        }
    }
}

/// How a sign-in attempt ended (Outlook Voice Access).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Logon {
    SignedIn {
        user: String,
        new_messages: u32,
    },
    WrongPin {
        user: String,
        failure: u32,
        of: u32,
    },
    NoSuchExtension {
        extension: String,
        failure: u32,
        of: u32,
    },
    NoPin {
        user: String,
    },
    LockedOut {
        user: String,
    },
}

/// One call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallRecord {
    /// When the INVITE arrived, UTC, `2026-12-04T22:10:00.123Z`.
    pub date: String,
    /// Seconds from the INVITE to the end of the call (0 for a rejected one).
    pub duration: f64,
    pub call_type: Option<CallType>,
    pub call_identity: String,
    pub calling_number: String,
    pub called_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverted_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(rename = "UMServerName")]
    pub um_server_name: String,
    /// `call router`, `UM service`, `UM worker`.
    pub component: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_for_call: Option<String>,
    pub offer_result: Option<OfferResult>,
    /// For a rejected call: the SIP status and the reason (the Warning text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_call_reason: Option<DropReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_number: Option<String>,
    /// The transfer target's name (an auto attendant's key mapping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_name: Option<String>,
    /// A REFER that was not accepted, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_failed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_attendant_name: Option<String>,
    /// The keys the caller pressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialed_string: Option<String>,
    /// Outlook Voice Access: every sign-in attempt, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logons: Vec<Logon>,
    /// The mailbox the call was for (call answering) or signed in to (sAMAccountName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_mailbox_name: Option<String>,
    /// The delivered message: its id (`X-Umctl-Call-Id`) and recorded seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
    /// Audio quality (see [`quality`]): empty for a call without media.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "NMOS")]
    pub nmos: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "NMOSDegradation"
    )]
    pub nmos_degradation: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_packet_loss: Option<f64>,
    /// Interarrival jitter, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    /// From RTCP (RFC 3550 6.4.1); empty when the peer sent no report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_milliseconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_received: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_lost: Option<u64>,
    /// RTCP reports sent and received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtcp_sent: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtcp_received: Option<u64>,
    /// What went wrong (store, delivery, socket), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl CallRecord {
    /// The call's outcome in a few words: "signed in as bob, 1 new voice message played",
    /// "wrong PIN (failure 1 of 3)", "transferred to 9001 (Sales) by REFER", "UM hung up
    /// (shutdown)", "voice message delivered (7.1 s)", "403 Forbidden: ...".
    pub fn outcome(&self) -> String {
        if self.offer_result == Some(OfferResult::Reject) {
            return format!(
                "rejected {}: {}",
                self.reject_status.unwrap_or_default(),
                self.reject_reason.as_deref().unwrap_or("no reason given")
            );
        }
        let mut parts: Vec<String> = self.logons.iter().map(logon_words).collect();
        if let Some(n) = &self.transferred_number {
            let name = self
                .transferred_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            parts.push(format!("transferred to {n}{name} by REFER"));
        }
        if let Some(why) = &self.transfer_failed {
            parts.push(format!("transfer failed: {why}"));
        }
        match self.call_type {
            Some(CallType::CallAnsweringVoiceMessage) => parts.push(format!(
                "voice message {} ({:.1} s)",
                if self.message_id.is_some() {
                    "delivered"
                } else {
                    "recorded, not delivered"
                },
                self.message_seconds.unwrap_or_default()
            )),
            Some(CallType::CallAnsweringMissedCall) => {
                parts.push("missed call notification".into())
            }
            _ => {}
        }
        match self.drop_call_reason {
            None | Some(DropReason::Transfer) => {}
            Some(r) if parts.is_empty() || r != DropReason::CallerHungUp => {
                parts.push(r.words().to_string())
            }
            Some(_) => {}
        }
        if parts.is_empty() {
            "answered".into()
        } else {
            parts.join(", ")
        }
    }

    /// Fills the audio quality fields.
    pub fn set_quality(&mut self, q: &AudioQuality) {
        self.nmos = Some(q.nmos);
        self.nmos_degradation = Some(q.nmos_degradation);
        self.percent_packet_loss = Some(q.percent_packet_loss);
        self.jitter = Some(q.jitter_ms);
        self.round_trip_milliseconds = q.round_trip_ms;
        self.packets_received = Some(q.packets_received);
        self.packets_lost = Some(q.packets_lost);
    }

    /// The last sign-in attempt succeeded.
    pub fn signed_in(&self) -> bool {
        matches!(self.logons.last(), Some(Logon::SignedIn { .. }))
    }
}

fn logon_words(l: &Logon) -> String {
    match l {
        Logon::SignedIn { user, new_messages } => format!(
            "signed in as {user}, {new_messages} new voice message{}",
            if *new_messages == 1 { "" } else { "s" }
        ),
        Logon::WrongPin { failure, of, .. } => format!("wrong PIN (failure {failure} of {of})"),
        Logon::NoSuchExtension {
            extension,
            failure,
            of,
        } => format!("no such extension {extension} (failure {failure} of {of})"),
        Logon::NoPin { user } => format!("{user} has no PIN"),
        Logon::LockedOut { user } => format!("locked out ({user})"),
    }
}

/// `2026-12-04T22:10:00.123Z` for `t` (UTC, milliseconds): sorts as text in time order.
pub fn utc_timestamp(t: SystemTime) -> String {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis();
    let secs = (ms / 1000) as i64;
    let dt =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        ms % 1000
    )
}

/// `YYYY-MM-DD` or an RFC 3339 time -> the same form as [`utc_timestamp`], for comparisons.
pub fn parse_time(s: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(dt) = time::OffsetDateTime::parse(s, &Rfc3339) {
        let unix = dt.unix_timestamp_nanos();
        let t = UNIX_EPOCH + Duration::from_nanos(u64::try_from(unix).ok()?);
        return Some(utc_timestamp(t));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s, &fmt).ok()?;
    Some(format!("{date}T00:00:00.000Z"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_milliseconds_and_parse_back() {
        let t = UNIX_EPOCH + Duration::from_millis(1_796_422_200_123);
        assert_eq!(utc_timestamp(t), "2026-12-04T22:10:00.123Z");
        assert_eq!(
            parse_time("2026-12-04").unwrap(),
            "2026-12-04T00:00:00.000Z"
        );
        assert_eq!(
            parse_time("2026-12-04T23:10:00.123+01:00").unwrap(),
            "2026-12-04T22:10:00.123Z"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn outcomes_read_as_the_trace_shows_them() {
        let mut r = CallRecord {
            offer_result: Some(OfferResult::Answer),
            call_type: Some(CallType::SubscriberAccess),
            ..CallRecord::default()
        };
        r.logons.push(Logon::WrongPin {
            user: "bob".into(),
            failure: 1,
            of: 3,
        });
        r.drop_call_reason = Some(DropReason::CallerHungUp);
        assert_eq!(r.outcome(), "wrong PIN (failure 1 of 3)");
        assert!(!r.signed_in());
        r.transferred_number = Some("9001".into());
        r.transferred_name = Some("Sales".into());
        r.drop_call_reason = Some(DropReason::Transfer);
        r.logons.clear();
        assert_eq!(r.outcome(), "transferred to 9001 (Sales) by REFER");
        r.transferred_number = None;
        r.drop_call_reason = Some(DropReason::Shutdown);
        assert_eq!(r.outcome(), "UM hung up (shutdown)");
        let rejected = CallRecord {
            offer_result: Some(OfferResult::Reject),
            reject_status: Some(403),
            reject_reason: Some("127.0.0.9 is not a UM IP gateway".into()),
            ..CallRecord::default()
        };
        assert_eq!(
            rejected.outcome(),
            "rejected 403: 127.0.0.9 is not a UM IP gateway"
        );
    }

    #[test]
    fn json_uses_exchange_s_column_names() {
        let r = CallRecord {
            call_type: Some(CallType::AutoAttendant),
            um_server_name: "ex-mbx01".into(),
            ..CallRecord::default()
        };
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.contains("\"CallType\":\"AutoAttendant\""), "{j}");
        assert!(j.contains("\"UMServerName\":\"ex-mbx01\""), "{j}");
        let back: CallRecord = serde_json::from_str(&j).unwrap();
        assert_eq!(back, r);
    }
}
