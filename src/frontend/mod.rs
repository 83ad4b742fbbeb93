//! The Skype for Business / Lync Front End's side of a voice-mail call (the ExUM Routing
//! application), as plain functions over a [`Directory`](crate::directory::Directory):
//!
//! - [`target`]: who was called: an extension (in the caller's dial plan), an E.164 number, a
//!   SIP URI or a user name, found as a user or an Exchange UM contact through
//!   msRTCSIP-Line, msRTCSIP-PrimaryUserAddress or sAMAccountName; a number that is an
//!   Outlook Voice Access or auto-attendant number is recognised as such.
//! - [`routing`]: hosted voice mail, the dial plan (EUM proxy, msExchUMRecipientDialPlanLink,
//!   or the contact's otherIPPhone), whether the pool can read it (the RTC groups' effective
//!   access along the DACL chain), and which UM server gets the INVITE.
//! - [`invite`]: the INVITE the pool sends (Request-URI, From, To, Diversion) and the re-INVITE
//!   that follows a 302.
//!
//! Whether Exchange admits the call (gateway, hunt group, TLS) is Exchange's decision and is
//! asked of `um::admit`, not re-implemented here. Nothing here opens a socket or prints.

pub mod invite;
pub mod routing;
pub mod target;

pub use invite::{build_invite, follow_redirect, InviteSpec};
pub use routing::{
    dial_plan_for, dial_plan_for_in, read_permission, um_servers, DialPlanChoice, DialPlanProblem,
    DialPlanVia, GroupAccess, ObjectAccess, PermissionCheck, ServerChoice,
};
pub use target::{
    resolve_target, Callee, ContactTarget, Found, NumberOwner, TargetLookup, TargetSpec,
};

use crate::directory::lookup::LookupError;
use crate::sip::SipError;

/// What the Skype side can fail with (a call that cannot be routed is not an error: the
/// functions return it as data for the trace).
#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("{q} is not a call target: expected {expected}", q = crate::quote::Quoted(.value))]
    BadTarget { value: String, expected: String },
    #[error("{}", ambiguous_message(attr, value, count, names))]
    Ambiguous {
        /// The attribute the objects share the value of.
        attr: String,
        value: String,
        count: usize,
        names: String,
    },
    #[error("building the SIP message: {0}")]
    Sip(#[from] SipError),
}

/// Whether objects sharing a value of `attr` is a fault of the directory (a SIP address or a
/// line URI must be unique), not a target given too loosely.
pub fn must_be_unique(attr: &str) -> bool {
    [
        crate::directory::model::attrs::MSRTCSIP_PRIMARY_USER_ADDRESS,
        crate::directory::model::attrs::MSRTCSIP_LINE,
    ]
    .iter()
    .any(|a| a.eq_ignore_ascii_case(attr))
}

fn ambiguous_message(attr: &str, value: &str, count: &usize, names: &str) -> String {
    if must_be_unique(attr) {
        let value = crate::quote::Quoted(value);
        format!("{value} is the {attr} of {count} objects ({names}); it must belong to one only, so the Front End cannot route the call: give the others their own (Set-CsUser -SipAddress / -LineURI)")
    } else {
        let value = crate::quote::Quoted(value);
        format!("{value} matches {count} objects ({names}); give a SIP address, an E.164 number or --from CALLER to pick the dial plan")
    }
}

impl From<crate::directory::DirectoryError> for FrontendError {
    fn from(e: crate::directory::DirectoryError) -> FrontendError {
        FrontendError::Lookup(e.into())
    }
}

impl From<crate::directory::model::ModelError> for FrontendError {
    fn from(e: crate::directory::model::ModelError) -> FrontendError {
        FrontendError::Lookup(e.into())
    }
}

impl FrontendError {
    pub fn exit_code(&self) -> i32 {
        match self {
            FrontendError::Lookup(e) => e.exit_code(),
            _ => 2,
        }
    }
}
