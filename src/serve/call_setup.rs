//! What an answered call runs: from the worker's [`Decision`], the [`Dialogue`] (call
//! answering for a diverted call, [`Ova`] for the dial plan's Outlook Voice Access number,
//! [`AutoAttendantMenu`] for an auto attendant's pilot) and the [`CallInfo`] its messages
//! need: the called user's name and address ([`crate::um::recipient::callee_address`]) and the
//! caller ([`crate::um::caller::identify_caller`]). For the menus also: where a transfer's
//! `Refer-To` points ([`CallSetup::refer_to`], [`crate::um::caller::transfer_domain`]), the
//! call answering a `LeaveMessageFor` hands over to
//! ([`MessageFor`]), MaxCallDuration, and whether the dialogue may block (PIN checks).
//!
//! It owns no socket and plays nothing (`media_engine`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::decide::Decision;
use super::recording::{unix_ms, CallInfo};
use crate::directory::lookup;
use crate::directory::model::{attrs, AutoAttendant, DialPlan, UmUser};
use crate::directory::Directory;
use crate::mail::MaildirStore;
use crate::um::aa_period::period_at;
use crate::um::auto_attendant::greeting_folder;
use crate::um::caller::{identify_caller, refer_to, transfer_domain};
use crate::um::recipient::callee_address;
use crate::um::{
    greeting_parts, Action, AutoAttendantConfig, AutoAttendantMenu, CallAnsweringDialogue,
    Dialogue, Event, Greeting, LabPinStore, Limits, Ova, OvaConfig, Resolution, UmContext,
};

/// What the Outlook Voice Access calls of one serve share: the lab's `mailboxes` folder, one
/// PIN store and one message store over it; and the clock auto attendants read the period
/// from (`clock`: a fixed instant for tests, else the time of the call).
#[derive(Clone)]
pub struct Menus {
    pub mailboxes: PathBuf,
    pub pins: Arc<LabPinStore>,
    pub mail: Arc<MaildirStore>,
    pub clock: Option<jiff::Timestamp>,
}

impl Menus {
    /// The stores over `mailboxes` with the default mailbox policy.
    pub fn new(mailboxes: PathBuf) -> Menus {
        Menus::with_store(
            mailboxes.clone(),
            LabPinStore::new(mailboxes, crate::um::PinPolicy::default()),
        )
    }

    /// The stores over `mailboxes`, each user held to their UM mailbox policy in `dir`.
    pub fn with_policies(mailboxes: PathBuf, dir: Arc<dyn Directory>) -> Menus {
        let pins = LabPinStore::new(mailboxes.clone(), crate::um::PinPolicy::default())
            .with_policies(crate::um::mailbox_policy::source(dir));
        Menus::with_store(mailboxes, pins)
    }

    fn with_store(mailboxes: PathBuf, pins: LabPinStore) -> Menus {
        Menus {
            pins: Arc::new(pins),
            mail: Arc::new(MaildirStore::new(mailboxes.clone())),
            mailboxes,
            clock: None,
        }
    }
}

/// The call answering a menu hands the call over to (`Action::LeaveMessageFor`): the user is
/// looked up by sAMAccountName in the call's dial plan, the greeting chosen from the mailbox
/// folder as for a diverted call, and the message addressed to them.
#[derive(Clone)]
pub struct MessageFor {
    pub dir: Arc<dyn Directory>,
    pub dial_plan: DialPlan,
    pub mailboxes: Option<PathBuf>,
    /// The call's facts (the caller); the callee is filled in per user.
    pub info: CallInfo,
}

impl MessageFor {
    /// Call answering for `sam` (blocking: a directory search).
    pub fn setup(&self, sam: &str) -> Result<(Box<dyn Dialogue>, CallInfo), String> {
        let entries = lookup::by_attribute(self.dir.as_ref(), attrs::SAM_ACCOUNT_NAME, sam)
            .map_err(|e| format!("looking up {sam}: {e}"))?;
        let user = entries
            .iter()
            .find_map(|e| UmUser::from_entry(e).ok())
            .ok_or_else(|| format!("no user with sAMAccountName {sam} in the directory"))?;
        if !user.um_enabled {
            return Err(format!("{sam} is not UM-enabled"));
        }
        let who = user.display_name.clone().unwrap_or_else(|| sam.to_string());
        let ctx = UmContext {
            hosts: None,
            mailboxes: self.mailboxes.as_deref(),
        };
        let greeting = Greeting::for_mailbox(ctx.mailbox_of(&user).as_ref(), &who);
        let mut info = self.info.clone();
        info.to_name = user.display_name.clone();
        info.to_address = callee_address(&user, sam);
        let parts = greeting_parts(&greeting, user.display_name.as_deref());
        let limits = Limits::of(&self.dial_plan);
        Ok((Box::new(CallAnsweringDialogue::new(parts, limits)), info))
    }
}

/// Everything [`setup`] decides for one answered call.
pub struct CallSetup {
    pub dialogue: Box<dyn Dialogue>,
    pub info: CallInfo,
    /// The dialogue's `on_event` may block (PIN checks, mailbox files): the engine runs it in
    /// the blocking pool.
    pub blocking: bool,
    /// MaxCallDuration enforced by the engine (the menus; call answering keeps its own).
    pub max_call: Option<Duration>,
    /// Where `LeaveMessageFor` leads (the menus).
    pub message_for: Option<MessageFor>,
    /// The host of a transfer target given as an extension: the dial plan's phone context,
    /// else the caller's domain.
    pub transfer_domain: String,
    /// What the serve log should say about this call (the auto attendant's period).
    pub notes: Vec<String>,
}

impl CallSetup {
    /// The `Refer-To` URI of a transfer to `target` (an extension, or a SIP URI as is).
    pub fn refer_to(&self, target: &str) -> String {
        refer_to(target, &self.transfer_domain)
    }
}

/// A dialogue that plays nothing and waits for the caller to hang up: for a call the worker
/// answered although its resolution was a rejection, and as the placeholder while the engine
/// swaps one dialogue for another.
#[derive(Debug, Default)]
pub struct Silence;

impl Dialogue for Silence {
    fn on_event(&mut self, _event: Event, _now: Instant) -> Vec<Action> {
        Vec::new()
    }
}

/// The dialogue and message facts of an answered call; `codec` is `PCMU` or `PCMA`;
/// `skip_pin`: the INVITE carried `Ms-Exchange-Command: skip-pin` (honoured for Outlook Voice
/// Access only, and only because the call was admitted from a UM IP gateway).
pub fn setup(
    dir: &Arc<dyn Directory>,
    decision: &Decision,
    call_id: &str,
    codec: &str,
    menus: &Menus,
    skip_pin: bool,
) -> CallSetup {
    let caller = identify_caller(dir.as_ref(), &decision.call.from);
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
    let admission = decision.resolution.admission();
    let dial_plan = admission.map(|a| a.dial_plan.clone());
    let transfer_domain = transfer_domain(dial_plan.as_ref(), &decision.call.from);
    let max_call = dial_plan
        .as_ref()
        .map(|d| Limits::of(d).max_call)
        .or(Some(Limits::default().max_call));
    let message_for = dial_plan.clone().map(|dial_plan| MessageFor {
        dir: dir.clone(),
        dial_plan,
        mailboxes: Some(menus.mailboxes.clone()),
        info: info.clone(),
    });
    let menu = |dialogue: Box<dyn Dialogue>, info: CallInfo, blocking: bool| CallSetup {
        dialogue,
        info,
        blocking,
        max_call,
        message_for: message_for.clone(),
        transfer_domain: transfer_domain.clone(),
        notes: Vec::new(),
    };
    match &decision.resolution {
        Resolution::CallAnswering(ca) => {
            let user = &ca.user;
            info.to_name = user.display_name.clone();
            info.to_address = callee_address(user, &ca.called_party);
            let parts = greeting_parts(&ca.greeting, user.display_name.as_deref());
            let limits = Limits::of(&ca.admission.dial_plan);
            CallSetup {
                dialogue: Box::new(CallAnsweringDialogue::new(parts, limits)),
                info,
                blocking: false,
                max_call: None,
                message_for: None,
                transfer_domain,
                notes: Vec::new(),
            }
        }
        Resolution::SubscriberAccess(sa) => {
            let dp = &sa.admission.dial_plan;
            info.to_name = Some(format!("Outlook Voice Access ({})", dp.name));
            info.to_address = sa.dialed.clone();
            match OvaConfig::for_dial_plan(dir.as_ref(), dp, Some(&menus.mailboxes)) {
                Ok(mut config) => {
                    let me = config.caller_from(&decision.call.from).map(str::to_string);
                    // Admission found the peer among the UM IP gateways (else no resolution).
                    config.honour_skip_pin(skip_pin, true, me.as_deref());
                    let ova = Ova::new(config, menus.pins.clone(), menus.mail.clone());
                    menu(Box::new(ova), info, true)
                }
                Err(e) => menu(Box::new(Unavailable::new(e.to_string())), info, false),
            }
        }
        Resolution::AutoAttendant(aa) => {
            info.to_name = Some(aa.auto_attendant.name.clone());
            info.to_address = aa.auto_attendant.name.clone();
            let (config, notes) =
                auto_attendant(&aa.auto_attendant, &aa.admission.dial_plan, menus);
            let mut setup = menu(Box::new(AutoAttendantMenu::new(config)), info, false);
            setup.notes = notes;
            setup
        }
        Resolution::Rejected(_) => menu(Box::new(Silence), info, false),
    }
}

/// The auto attendant's menu for the period at the call's time, and the log lines saying
/// which period applies and what umctl cannot read.
fn auto_attendant(
    aa: &AutoAttendant,
    dial_plan: &DialPlan,
    menus: &Menus,
) -> (AutoAttendantConfig, Vec<String>) {
    let now = menus.clock.unwrap_or_else(jiff::Timestamp::now);
    let choice = period_at(aa, now);
    let folder = greeting_folder(&menus.mailboxes, &aa.name);
    let config = AutoAttendantConfig::new(aa, dial_plan, &choice, Some(&folder));
    let mut notes = vec![format!("auto attendant {}: {}", aa.name, choice.describe())];
    notes.extend(aa.exchange_form_note());
    (config, notes)
}

/// A menu that could not be built (the directory failed): a goodbye, never silence.
#[derive(Debug)]
pub struct Unavailable {
    pub reason: String,
}

impl Unavailable {
    fn new(reason: String) -> Unavailable {
        Unavailable { reason }
    }
}

impl Dialogue for Unavailable {
    fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
        match event {
            Event::Started => crate::um::keypad::farewell("goodbye"),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;

    #[test]
    fn leaving_a_message_finds_the_user_and_addresses_the_message_to_them() {
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir: Arc<dyn Directory> = Arc::new(LabDirectory::open(lab.path()).unwrap());
        let dp = crate::directory::lookup::dial_plans(
            dir.as_ref(),
            &lookup::organization(dir.as_ref()).unwrap(),
        )
        .unwrap()
        .into_iter()
        .find(|d| d.name == "LOC801")
        .unwrap();
        let info = CallInfo {
            call_id: "c1".into(),
            from_number: "+15550001".into(),
            from_name: None,
            from_address: None,
            to_name: None,
            to_address: String::new(),
            received_unix_ms: 0,
            codec: "PCMU".into(),
        };
        let m = MessageFor {
            dir,
            dial_plan: dp,
            mailboxes: Some(lab.path().join("mailboxes")),
            info,
        };
        let (_, info) = m.setup("carol").unwrap();
        assert_eq!(info.to_name.as_deref(), Some("Carol Nasser"));
        assert!(info.to_address.contains("carol"), "{}", info.to_address);
        assert!(m.setup("nobody").err().unwrap().contains("nobody"));
    }
}
