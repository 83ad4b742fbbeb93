//! The Exchange side of a call: what the CAS call router, the mailbox server's UM service and
//! the UM worker decide about an incoming INVITE, as pure functions over a
//! [`Directory`](crate::directory::Directory) and plain data.
//!
//! - [`call`]: [`IncomingCall`], the facts of an INVITE Exchange acts on (Request-URI, To,
//!   From, the diverted party from Diversion / CC-Diversion / History-Info, the peer, TLS).
//! - [`caller`]: who is calling (the From resolved in the directory) and where a transfer
//!   goes (the `Refer-To` host: the dial plan's phone context or the caller's domain).
//! - [`resolve`]: [`resolve_call`], which admits or rejects the call (UM IP gateway for the
//!   peer, hunt group, VoIP security) and says what answers it: call answering for a user
//!   found by EUM proxy (with the mailbox server and the greeting kind), Outlook Voice Access,
//!   or an auto attendant.
//! - [`recipient`]: after the call: the user a message's address names, the address a message
//!   is sent to, and the UM IP gateways that get the message waiting indicator.
//! - [`router`]: [`route_target`], the Contact of the 302 the call router and the UM service
//!   send (domain.md B.4.1/B.4.2 ports).
//! - [`ports`]: [`PortMap`], Exchange's fixed ports or the ones `umctl serve` bound.
//! - [`dialogue`]: [`Dialogue`], the caller-facing state machines (call answering, OVA, auto
//!   attendant) as events in, actions out; `serve` plays them over RTP.
//! - [`call_answering`]: [`CallAnsweringDialogue`], greeting, beep, record, deliver.
//! - [`greeting_file`]: a user's greeting.wav / name.wav checked, converted, stored.
//! - [`certificate`]: the TLS certificate Lync and Exchange UM accept from each other, judged
//!   (name, wildcard, validity, chain, EKU) for the live trace, `doctor --tls` and serve.
//!
//! - [`ova`]: [`Ova`], the Outlook Voice Access dialogue (sign-in, voice mail, directory
//!   search); [`mailbox_policy`]: a user's UM mailbox policy; [`pin`]: the PIN policy and [`PinStore`] (lab: [`LabPinStore`]);
//!   [`auto_attendant`]: [`AutoAttendantMenu`]; [`aa_period`]: which period (business hours,
//!   after hours, holiday) applies at an instant; [`keypad`]: what the DTMF menus share;
//!   [`preview`]: Voice Mail Preview, a transcript shown, marked or said unavailable.
//!
//! `umctl serve` answers real INVITEs with exactly these functions and `umctl trace-call`
//! predicts the answers with them, so the two cannot disagree. Nothing here owns a socket,
//! plays audio or prints (the sockets of `umctl serve` are `crate::serve`'s); the Skype side
//! (hosted voice mail, choosing a UM server, building the INVITE) is `frontend`.

pub mod aa_period;
pub mod auto_attendant;
pub mod call;
pub mod call_answering;
pub mod caller;
pub mod certificate;
pub mod dialogue;
pub mod greeting_file;
pub mod keypad;
pub mod mailbox_policy;
pub mod ova;
pub mod pin;
pub mod ports;
pub mod preview;
pub mod recipient;
pub mod resolve;
pub mod router;

use std::path::Path;

pub use auto_attendant::{AutoAttendantConfig, AutoAttendantMenu};
pub use call::IncomingCall;
pub use call_answering::{greeting_parts, CallAnsweringDialogue, Limits};
pub use dialogue::{Action, CallNote, Dialogue, Event, PromptPart, RecordingEnd};
pub use ova::{dial_plan_users, DirectoryUser, Ova, OvaConfig};
pub use pin::{LabPinStore, PinCheck, PinError, PinPolicy, PinStatus, PinStore};
pub use ports::{BoundPorts, ExchangePorts, PortMap};
pub use resolve::{
    admit, admit_peer, rejection, resolve_admitted, resolve_call, Admission, Admitted,
    AutoAttendantCall, CallAnswering, Dialed, Greeting, Peer, RejectReason, Rejection, Resolution,
    SubscriberAccess,
};
pub use router::{route_target, route_target_with, RedirectTarget, Routing, Stage, Transport};

use crate::directory::lab::HostsTable;
use crate::directory::lookup::LookupError;
use crate::directory::model::UmUser;
use crate::mail::Mailbox;
use crate::sip::SipError;

/// Data the Exchange side needs besides the directory: the lab's host table (to name a peer
/// that connects from a loopback address) and the mailbox folders (to tell which greeting a
/// mailbox has). Both are absent on a real AD: the peer is then matched by the address it
/// connects from and greetings are in Exchange's mailboxes, out of reach.
#[derive(Clone, Copy, Debug, Default)]
pub struct UmContext<'a> {
    pub hosts: Option<&'a HostsTable>,
    /// The folder holding `mailboxes/<sAMAccountName>/` (the lab's `mailboxes`).
    pub mailboxes: Option<&'a Path>,
}

impl UmContext<'_> {
    /// The lab mailbox of `user` ([`Mailbox::open`] of its sAMAccountName); `None` on a real
    /// AD (no `mailboxes`) or when the user has no sAMAccountName that can name a folder.
    pub fn mailbox_of(&self, user: &UmUser) -> Option<Mailbox> {
        Mailbox::open(self.mailboxes?, user.sam.as_deref()?).ok()
    }
}

/// What the Exchange side can fail with (a call it rejects is not an error: that is
/// [`Resolution::Rejected`]).
#[derive(Debug, thiserror::Error)]
pub enum UmError {
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("the INVITE cannot be read: {0}")]
    Sip(#[from] SipError),
    #[error("Request-URI '{uri}' is not usable: expected {expected}")]
    RequestUri { uri: String, expected: String },
}

impl From<crate::directory::DirectoryError> for UmError {
    fn from(e: crate::directory::DirectoryError) -> UmError {
        UmError::Lookup(e.into())
    }
}

impl From<crate::directory::model::ModelError> for UmError {
    fn from(e: crate::directory::model::ModelError) -> UmError {
        UmError::Lookup(e.into())
    }
}

impl UmError {
    pub fn exit_code(&self) -> i32 {
        match self {
            UmError::Lookup(e) => e.exit_code(),
            _ => 2,
        }
    }
}
