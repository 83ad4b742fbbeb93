//! What an answered call runs: from the worker's [`Decision`], the [`Dialogue`] (call
//! answering for a diverted call; the menus of Outlook Voice Access and the auto attendant
//! plug in here) and the [`CallInfo`] its messages need: the called user's name and address,
//! and the caller resolved in the directory when possible (the From's SIP address as
//! `msRTCSIP-PrimaryUserAddress`, else its number as `msRTCSIP-Line`), else as received.
//!
//! It owns no socket and plays nothing (`media_engine`).

use std::time::{Instant, SystemTime};

use super::decide::Decision;
use super::recording::{unix_ms, CallInfo};
use crate::directory::lookup;
use crate::directory::model::attrs;
use crate::directory::Directory;
use crate::sip::headers::NameAddr;
use crate::sip::SipUriParts;
use crate::um::{
    greeting_parts, Action, CallAnsweringDialogue, Dialogue, Event, Limits, Resolution,
};

/// The caller as the directory knows them (or as the From header says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub number: String,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// Resolves the From header of a call.
pub fn resolve_caller(dir: &dyn Directory, from: &str) -> Caller {
    let Ok(addr) = NameAddr::parse("From", from) else {
        return Caller {
            number: "Anonymous".into(),
            name: None,
            address: None,
        };
    };
    let parts = SipUriParts::parse(&addr.uri).ok();
    let user = parts
        .as_ref()
        .and_then(|p| p.user.clone())
        .filter(|u| !u.is_empty() && !u.eq_ignore_ascii_case("anonymous"));
    let display = addr
        .display
        .clone()
        .filter(|d| !d.trim().is_empty() && !d.eq_ignore_ascii_case("anonymous"));
    let mut found = None;
    if let (Some(p), Some(u)) = (&parts, &user) {
        if p.is_sip() {
            let sip = format!("sip:{u}@{}", p.host).to_lowercase();
            found = lookup::by_attribute(dir, attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, &sip)
                .ok()
                .and_then(|v| v.into_iter().next());
        }
        if found.is_none() {
            let digits: String = u.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 3 && digits.len() + 1 >= u.trim_start_matches('+').len() {
                found = lookup::by_attribute(dir, attrs::MSRTCSIP_LINE, &format!("tel:+{digits}"))
                    .ok()
                    .and_then(|v| v.into_iter().next());
            }
        }
    }
    let name = found
        .as_ref()
        .and_then(|e| e.first(attrs::DISPLAY_NAME).map(str::to_string))
        .or(display);
    let address = found
        .as_ref()
        .and_then(|e| e.first(attrs::MAIL).map(str::to_string));
    Caller {
        number: user.unwrap_or_else(|| "Anonymous".into()),
        name,
        address,
    }
}

/// A dialogue that plays nothing and waits for the caller to hang up (the calls this worker
/// has no menu for yet).
#[derive(Debug, Default)]
pub struct Silence;

impl Dialogue for Silence {
    fn on_event(&mut self, _event: Event, _now: Instant) -> Vec<Action> {
        Vec::new()
    }
}

/// The dialogue and message facts of an answered call; `codec` is `PCMU` or `PCMA`.
pub fn setup(
    dir: &dyn Directory,
    decision: &Decision,
    call_id: &str,
    codec: &str,
) -> (Box<dyn Dialogue>, CallInfo) {
    let caller = resolve_caller(dir, &decision.call.from);
    let mut info = CallInfo {
        call_id: call_id.to_string(),
        from_number: caller.number,
        from_name: caller.name,
        from_address: caller.address,
        to_name: None,
        to_address: String::new(),
        received_unix_ms: unix_ms(SystemTime::now()),
        codec: codec.to_string(),
    };
    match &decision.resolution {
        Resolution::CallAnswering(ca) => {
            let user = &ca.user;
            info.to_name = user.display_name.clone();
            info.to_address = user
                .mail
                .clone()
                .or_else(|| user.upn.clone())
                .or_else(|| user.sip_user().map(str::to_string))
                .unwrap_or_else(|| ca.called_party.clone());
            let parts = greeting_parts(&ca.greeting, user.display_name.as_deref());
            let limits = Limits::of(&ca.admission.dial_plan);
            (Box::new(CallAnsweringDialogue::new(parts, limits)), info)
        }
        _ => (Box::new(Silence), info),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;

    #[test]
    fn a_caller_is_named_from_the_directory_or_the_from_header() {
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir = LabDirectory::open(lab.path()).unwrap();
        let alice = resolve_caller(&dir, "\"A\" <sip:alice@contoso.com>;tag=1");
        assert_eq!(alice.number, "alice");
        assert_ne!(alice.name.as_deref(), Some("A"), "{alice:?}");
        assert!(alice.name.is_some());
        let stranger = resolve_caller(&dir, "\"Zed\" <sip:+15550001@example.net>;tag=1");
        assert_eq!(
            stranger,
            Caller {
                number: "+15550001".into(),
                name: Some("Zed".into()),
                address: None
            }
        );
        assert_eq!(resolve_caller(&dir, "garbage<").number, "Anonymous");
    }
}
