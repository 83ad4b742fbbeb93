//! trace-call: one call followed hop by hop, from the Skype for Business Front End through
//! Active Directory to the Exchange UM call router, UM service, worker and transport, with the
//! first broken hop, why it breaks in plain words, and the fix.
//!
//! - [`offline`]: runs the Skype side (`frontend`) and the Exchange side (`um`) on the
//!   directory, the way `umctl serve` runs them on real INVITEs: the SIP messages of hop 6 are
//!   the real messages those functions produce, built with rsip.
//! - [`fix`]: the why and the fix of each classic failure, in the words administrators search
//!   for (ExUM Routing, EUM proxy address, hunt group pilot, Event 1109, ...).
//! - [`report`]: the table, the JSON document and the SIP ladder.
//!
//! - [`live`]: the same call placed for real against `umctl serve`: the Front End's directory
//!   hops as offline, then the real INVITE, redirects, answer, RTP, BYE and the delivered file.
//! - [`compare`]: whether an offline and a live trace of one call agree hop for hop.
//! - [`pcap`]: the live exchange as a pcap file.
//! - [`certificates`]: the certificates the servers offer a live TLS trace, judged per hop.
//! - [`doctor`]: the whole deployment at once (every user, contact, number, dial plan,
//!   server, gateway and pool), with the trace's own per-call checks; [`snapshot`] is the
//!   read-only, read-once view of the directory it runs on.
//!
//! Nothing here parses command lines or prints.

pub mod aa_facts;
pub mod certificates;
pub mod compare;
pub mod doctor;
pub mod fix;
pub mod live;
pub mod offline;
pub mod outcome;
pub mod pcap;
pub mod report;
pub mod snapshot;

use std::path::PathBuf;

use serde::Serialize;

use crate::frontend::InviteSpec;

pub use offline::trace_offline;

use crate::directory::lookup::LookupError;
use crate::frontend::FrontendError;
use crate::um::UmError;

/// Why the call goes to Exchange UM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// The callee did not answer: Diversion reason `no-answer`.
    #[default]
    NoAnswer,
    /// The callee was busy: Diversion reason `user-busy`.
    Busy,
    /// A call straight to UM, no diversion (Outlook Voice Access, auto attendant).
    Direct,
}

impl Scenario {
    /// The RFC 5806 reason, for a diverted call.
    pub fn diversion_reason(self) -> Option<&'static str> {
        match self {
            Scenario::NoAnswer => Some("no-answer"),
            Scenario::Busy => Some("user-busy"),
            Scenario::Direct => None,
        }
    }
}

/// What to trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TraceRequest {
    /// An extension, an E.164 number, a SIP URI or a user name.
    pub to: String,
    /// The caller (same forms); an outside caller when absent.
    pub from: Option<String>,
    pub scenario: Scenario,
    /// The caller hangs up before the beep: a missed-call notification, no message.
    pub hang_up_before_beep: bool,
    /// How long the caller speaks.
    pub message_seconds: Option<u32>,
    /// The audio the caller plays (its length is used offline).
    pub wave_file: Option<PathBuf>,
    /// DTMF the caller presses (auto-attendant menu keys, OVA extension).
    pub digits: Option<String>,
    /// The Front End signals without TLS (TCP or UDP): a live trace to a serve's TCP or UDP
    /// listener. Skype for Business itself always uses TLS (false).
    pub unsecured: bool,
    /// The call's time for an auto attendant's hours (none: now).
    pub now: Option<jiff::Timestamp>,
}

/// Which component acts at a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    SkypeFrontEnd,
    ActiveDirectory,
    CasCallRouter,
    MailboxUmService,
    UmWorker,
    Transport,
    Mailbox,
}

impl Component {
    pub fn label(self) -> &'static str {
        match self {
            Component::SkypeFrontEnd => "Skype front end",
            Component::ActiveDirectory => "Active Directory",
            Component::CasCallRouter => "CAS call router",
            Component::MailboxUmService => "mailbox UM service",
            Component::UmWorker => "UM worker",
            Component::Transport => "transport",
            Component::Mailbox => "mailbox",
        }
    }
}

/// How a hop went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    /// Not reached: an earlier hop failed, or the call does not take this hop.
    Skipped,
    /// Informational: the hop happened, its verdict is in another hop.
    Info,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "skipped",
            Outcome::Info => "info",
        }
    }
}

/// One hop of the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub number: u8,
    pub component: Component,
    /// What the component does here.
    pub action: String,
    /// What it looked up (`msRTCSIP-Line=tel:+96265519000`) or sent (SIP first lines).
    pub looked_up: Vec<String>,
    /// What it found or decided.
    pub result: String,
    pub outcome: Outcome,
    /// For a failed hop: why, in plain words.
    pub why: Option<String>,
    /// For a failed hop: the command that fixes it.
    pub fix: Option<String>,
    /// For a failed hop: the short name of the cause (`rtc-read-denied`), what `umctl doctor`
    /// groups findings by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
}

/// A party of the SIP ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    SkypeFrontEnd,
    CallRouter,
    UmService,
    Worker,
}

impl Party {
    pub const ALL: [Party; 4] = [
        Party::SkypeFrontEnd,
        Party::CallRouter,
        Party::UmService,
        Party::Worker,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Party::SkypeFrontEnd => "Skype FE",
            Party::CallRouter => "CAS call router",
            Party::UmService => "UM service",
            Party::Worker => "UM worker",
        }
    }
}

/// One SIP message of hop 6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SipStep {
    pub from: Party,
    pub to: Party,
    pub first_line: String,
    /// The whole message as sent.
    pub text: String,
}

/// The whole trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `offline` (predicted from the directory) or `live`.
    pub mode: &'static str,
    pub target: String,
    pub caller: String,
    pub scenario: Scenario,
    /// What the call should reach: `voice mail of Bob Haddad`, `Outlook Voice Access of LOC801`.
    pub goal: String,
    /// True when every hop worked.
    pub reached: bool,
    /// The number of the first failed hop.
    pub first_failure: Option<u8>,
    pub hops: Vec<Hop>,
    /// The hosts of the ladder's four columns (`pool01.contoso.com`, `ex-cas01.contoso.com:5061`).
    pub parties: Vec<String>,
    pub messages: Vec<SipStep>,
    /// What only a live trace has (the Call-ID, the addresses, RTP, the delivered file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveDetails>,
    /// What the offline trace worked out for placing the call (the live trace's input).
    #[serde(skip)]
    pub plan: Option<CallPlan>,
    /// The called party is no object at all (a name or SIP address nothing matches): bad
    /// input rather than a broken call.
    #[serde(skip)]
    pub target_missing: bool,
}

/// What the offline trace worked out that the live trace needs to place the same call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallPlan {
    /// The first INVITE, exactly as the Front End sends it.
    pub invite: InviteSpec,
    /// Call answering: a voice message (or, when the caller hangs up before the beep, a
    /// missed-call notification) is delivered to the mailbox.
    pub delivers: bool,
    /// `<lab>/mailboxes/<sam>`: where the voice message is delivered (lab only).
    pub mailbox: Option<crate::mail::Mailbox>,
    /// The dial plan is Secured: the pool offers SRTP (SDES), as Skype for Business does.
    pub srtp: bool,
    /// What the digits ask for (the live trace checks the call's record against it).
    pub expect: outcome::Expect,
}

/// The live-only part of a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LiveDetails {
    /// `in-process` (serve started by trace-call) or the `--serve` address.
    pub serve: String,
    pub call_id: String,
    /// The caller's signalling address (the pool's address in the lab hosts table).
    pub caller: String,
    pub transport: String,
    pub rtp_sent_packets: u64,
    pub rtp_received_packets: u64,
    pub dtmf_sent: Option<String>,
    /// The file that arrived in the mailbox.
    pub delivered: Option<PathBuf>,
    /// The call's record as serve wrote it (`None`: not visible from here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
    /// Where the offline trace and this one disagree (empty: they agree hop for hop).
    pub disagreements: Vec<String>,
    /// The pcap file written, if any.
    pub pcap: Option<PathBuf>,
    /// The TLS certificate each server offered, judged (empty over TCP and UDP).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<HopCertificate>,
}

/// The certificate a party offered the caller, and its judgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HopCertificate {
    pub party: Party,
    #[serde(flatten)]
    pub check: crate::um::certificate::CertificateCheck,
}

impl Trace {
    /// The first failed hop.
    pub fn failure(&self) -> Option<&Hop> {
        self.hops.iter().find(|h| h.outcome == Outcome::Failed)
    }

    /// The exit code of `umctl trace-call`: 0 the call reaches its goal, 2 the called party
    /// does not exist, 1 a hop fails.
    pub fn exit_code(&self) -> u8 {
        match (self.reached, self.target_missing) {
            (true, _) => 0,
            (false, true) => 2,
            (false, false) => 1,
        }
    }
}

/// What stops a trace from being made at all (a broken call is a [`Trace`] with a failed hop,
/// not an error).
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error(transparent)]
    Frontend(#[from] FrontendError),
    #[error(transparent)]
    Um(#[from] UmError),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("{what} {q}: expected {expected}", q = crate::quote::Quoted(.value))]
    BadInput {
        what: &'static str,
        value: String,
        expected: String,
    },
    /// The live call cannot be placed at all (no address for the pool, a socket that cannot
    /// be bound); a call that is placed and fails is a failed hop, not this.
    #[error("live trace: {what}: {why}")]
    Live { what: String, why: String },
}

impl From<crate::directory::DirectoryError> for TraceError {
    fn from(e: crate::directory::DirectoryError) -> TraceError {
        TraceError::Lookup(e.into())
    }
}

impl TraceError {
    /// The documented exit code: 2 for bad input, 3 when the directory cannot be reached.
    pub fn exit_code(&self) -> i32 {
        match self {
            TraceError::Frontend(e) => e.exit_code(),
            TraceError::Um(e) => e.exit_code(),
            TraceError::Lookup(e) => e.exit_code(),
            TraceError::BadInput { .. } => 2,
            TraceError::Live { .. } => 3,
        }
    }
}
