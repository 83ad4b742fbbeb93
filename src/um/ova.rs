//! Outlook Voice Access (subscriber access, domain.md B.5.1) as a [`Dialogue`]: the welcome
//! prompt; sign-in with extension + `#` then PIN + `#` (checked through a [`PinStore`], which
//! counts failures across calls and locks the mailbox; LogonFailuresBeforeDisconnect per
//! call); `Ms-Exchange-Command: skip-pin` honoured only from a gateway; once signed in, the
//! new voice messages oldest first through a [`MailStore`] (`#` next, `7` delete, `1` replay,
//! `*` main menu; a message heard or skipped is marked read); and, signed in or not, the
//! directory search by spelling a name on the keypad (last name first, or the display name),
//! ending in a transfer to the match's extension or a message for them
//! ([`Action::LeaveMessageFor`]). Bad keys and silence get a spoken error and the menu again,
//! up to InputFailuresBeforeDisconnect, then a goodbye: the dialogue never drops a call
//! without a prompt. [`dial_plan_users`] reads the directory snapshot the dialogue searches.
//! The stores do the file work; this module does not touch sockets, audio or the clock.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::dialogue::{Action, CallNote, Dialogue, Event, PromptPart};
use super::keypad::{e161_digits, farewell, play, system, transfer, InputFailures, INPUT_TIMEOUT};
use super::pin::{PinCheck, PinStore};
use super::UmError;
use crate::directory::lookup;
use crate::directory::model::{attrs, DialPlan, UmUser};
use crate::directory::Directory;
use crate::mail::{MailStore, Mailbox, StoredMessage};
use crate::records::{DropReason, Logon};

/// The most keys one entry (extension, PIN, name) may have: longer is a bad input.
const MAX_DIGITS: usize = 64;

/// A user of the dial plan, as the directory search and the sign-in see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The mailbox folder name (`mailboxes/<sam>/`), the PIN and mail store key.
    pub sam: String,
    pub display_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The extension in the dial plan; `None`: the person cannot be called (only messaged).
    pub extension: Option<String>,
    /// `mailboxes/<sam>/name.wav` when recorded.
    pub recorded_name: Option<std::path::PathBuf>,
    /// The Lync SIP address without `sip:` (`bob@contoso.com`), to know a caller by From.
    pub sip_address: Option<String>,
}

impl DirectoryUser {
    /// The keys that spell this user: last name first, then the display name.
    fn spellings(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(last) = &self.last_name {
            let first = self.first_name.as_deref().unwrap_or("");
            keys.push(e161_digits(&format!("{last}{first}")));
        }
        keys.push(e161_digits(&self.display_name));
        keys.retain(|k| !k.is_empty());
        keys
    }

    fn name_part(&self) -> PromptPart {
        PromptPart::Name {
            recorded: self.recorded_name.clone(),
            text: self.display_name.clone(),
        }
    }
}

/// The UM-enabled users linked to `dial_plan`, with their extension in it and their
/// recorded name under `mailboxes` (when given). Users without a sAMAccountName are left out
/// (they have no mailbox folder).
pub fn dial_plan_users(
    dir: &dyn Directory,
    dial_plan: &DialPlan,
    mailboxes: Option<&Path>,
) -> Result<Vec<DirectoryUser>, UmError> {
    let entries = lookup::by_attribute(
        dir,
        attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK,
        &dial_plan.dn.to_string(),
    )?;
    let mut users = Vec::new();
    for e in &entries {
        let Ok(user) = UmUser::from_entry(e) else {
            continue;
        };
        let Some(sam) = user.sam.clone().filter(|_| user.um_enabled) else {
            continue;
        };
        let first = |a| e.str_values(a).next().map(str::to_string);
        let recorded_name = mailboxes
            .and_then(|m| Mailbox::open(m, &sam).ok())
            .map(|m| m.recorded_name())
            .filter(|p| p.is_file());
        users.push(DirectoryUser {
            display_name: user.display_name.clone().unwrap_or_else(|| sam.clone()),
            first_name: first(attrs::GIVEN_NAME),
            last_name: first(attrs::SURNAME),
            extension: user
                .extension_in(&dial_plan.phone_context)
                .map(str::to_string),
            recorded_name,
            sip_address: user.sip_user().map(str::to_string),
            sam,
        });
    }
    users.sort_by(|a, b| a.sam.cmp(&b.sam));
    Ok(users)
}

/// What an OVA call needs to know besides its stores.
#[derive(Clone, Debug)]
pub struct OvaConfig {
    /// The dial plan's users ([`dial_plan_users`]).
    pub users: Vec<DirectoryUser>,
    /// LogonFailuresBeforeDisconnect: wrong extensions or PINs in one call.
    pub logon_failures_before_disconnect: u32,
    /// InputFailuresBeforeDisconnect: consecutive bad keys or silences.
    pub input_failures_before_disconnect: u32,
    /// How long to wait for a key after a prompt.
    pub input_timeout: Duration,
    /// The user signed in without a PIN (see [`OvaConfig::honour_skip_pin`]).
    pub skip_pin_for: Option<String>,
}

impl OvaConfig {
    /// The dial plan's limits, Exchange's input timeout, no skip-pin.
    pub fn new(users: Vec<DirectoryUser>, dial_plan: &DialPlan) -> OvaConfig {
        OvaConfig {
            users,
            logon_failures_before_disconnect: dial_plan.logon_failures_before_disconnect,
            input_failures_before_disconnect: dial_plan.input_failures_before_disconnect,
            input_timeout: INPUT_TIMEOUT,
            skip_pin_for: None,
        }
    }

    /// [`dial_plan_users`] of the admitted call's dial plan, and its limits.
    pub fn for_dial_plan(
        dir: &dyn Directory,
        dial_plan: &DialPlan,
        mailboxes: Option<&Path>,
    ) -> Result<OvaConfig, UmError> {
        Ok(OvaConfig::new(
            dial_plan_users(dir, dial_plan, mailboxes)?,
            dial_plan,
        ))
    }

    /// The user a From URI names (`sip:bob@contoso.com;...`, `<sip:9000@...>`, `tel:9000`):
    /// by SIP address, else by extension. For skip-pin.
    pub fn caller_from(&self, from: &str) -> Option<&str> {
        let uri = from
            .split_once('<')
            .map_or(from, |(_, rest)| rest.split('>').next().unwrap_or(rest))
            .trim();
        let bare = uri.split([';', '?']).next().unwrap_or(uri);
        let bare = ["sip:", "sips:", "tel:"]
            .iter()
            .find_map(|p| {
                bare.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &bare[p.len()..])
            })
            .unwrap_or(bare);
        let number = bare.split('@').next().unwrap_or(bare);
        self.users
            .iter()
            .find(|u| {
                u.sip_address
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(bare))
            })
            .or_else(|| {
                self.users
                    .iter()
                    .find(|u| u.extension.as_deref() == Some(number))
            })
            .map(|u| u.sam.as_str())
    }

    /// `Ms-Exchange-Command: skip-pin` (`header`): Lync vouches that the caller is `caller`
    /// (the sAMAccountName the From resolved to). Honoured only when the INVITE came from a
    /// UM IP gateway (`from_gateway`) and names a user of this dial plan; otherwise the caller
    /// signs in as usual. Returns whether it was honoured.
    pub fn honour_skip_pin(
        &mut self,
        header: bool,
        from_gateway: bool,
        caller: Option<&str>,
    ) -> bool {
        let user =
            caller.filter(|c| header && from_gateway && self.users.iter().any(|u| u.sam == *c));
        self.skip_pin_for = user.map(str::to_string);
        self.skip_pin_for.is_some()
    }
}

#[derive(Debug)]
enum State {
    /// The welcome menu: collecting an extension (`*` first: directory search).
    Welcome,
    /// Collecting the PIN of `users[user]`.
    Pin {
        user: usize,
    },
    /// Playing `list[index]`; `heard`: already marked read.
    Messages {
        list: Vec<StoredMessage>,
        index: usize,
        heard: bool,
    },
    MainMenu,
    /// Collecting keypad letters.
    Spell,
    /// Offering `users[user]`.
    Found {
        user: usize,
    },
    /// A transfer to `users[user]` is under way.
    Transferring {
        user: usize,
    },
    /// Nothing more to do (goodbye said, transferred, handed over, or hung up).
    Done,
}

/// One Outlook Voice Access call.
pub struct Ova {
    config: OvaConfig,
    pins: Arc<dyn PinStore>,
    mail: Arc<dyn MailStore>,
    state: State,
    /// Digits of the extension, PIN or name being entered.
    digits: String,
    /// The signed-in user (index into `config.users`).
    me: Option<usize>,
    input: InputFailures,
    logon_failures: u32,
    errors: Vec<String>,
    notes: Vec<CallNote>,
}

impl Ova {
    pub fn new(config: OvaConfig, pins: Arc<dyn PinStore>, mail: Arc<dyn MailStore>) -> Ova {
        let input = InputFailures::new(config.input_failures_before_disconnect);
        Ova {
            config,
            pins,
            mail,
            state: State::Welcome,
            digits: String::new(),
            me: None,
            input,
            logon_failures: 0,
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The signed-in user's sAMAccountName.
    pub fn signed_in(&self) -> Option<&str> {
        self.me.map(|i| self.config.users[i].sam.as_str())
    }

    /// Store errors met since the last call (for the engine's log; the caller heard a
    /// goodbye or the menu again). Never contains a PIN.
    pub fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }

    /// The prompt that asks for input in the current state.
    fn menu(&self) -> Vec<PromptPart> {
        match &self.state {
            State::Welcome => system(&["ova-welcome"]),
            State::Pin { .. } => system(&["ova-enter-pin"]),
            State::Messages { .. } => system(&["ova-message-menu"]),
            State::MainMenu => system(&["ova-main-menu"]),
            State::Spell => system(&["ova-spell-name"]),
            State::Found { .. } => system(&["ova-found-menu"]),
            State::Transferring { .. } | State::Done => Vec::new(),
        }
    }

    /// Goes to `state` and plays `before` then its menu.
    fn enter(&mut self, state: State, before: Vec<PromptPart>) -> Vec<Action> {
        self.state = state;
        self.digits.clear();
        let mut parts = before;
        parts.extend(self.menu());
        vec![Action::CancelTimer, play(parts)]
    }

    /// A bad key or a silence: `prompt` and the menu again, or goodbye at the limit.
    fn bad_input(&mut self, prompt: &'static str) -> Vec<Action> {
        self.digits.clear();
        if self.input.fail() {
            self.notes
                .push(CallNote::Disconnect(DropReason::InputFailures));
            return self.end("goodbye");
        }
        let mut parts = system(&[prompt]);
        parts.extend(self.menu());
        vec![Action::CancelTimer, play(parts)]
    }

    fn end(&mut self, prompt: &'static str) -> Vec<Action> {
        self.state = State::Done;
        farewell(prompt)
    }

    fn store_error(&mut self, e: impl std::fmt::Display) -> Vec<Action> {
        self.errors.push(e.to_string());
        self.end("goodbye")
    }

    /// A wrong extension or PIN (`note` makes the record's entry from the failure's number
    /// and the limit): again, or disconnect at LogonFailuresBeforeDisconnect.
    fn logon_failed(
        &mut self,
        prompt: &'static str,
        state: State,
        note: impl FnOnce(u32, u32) -> Logon,
    ) -> Vec<Action> {
        self.logon_failures += 1;
        let of = self.config.logon_failures_before_disconnect.max(1);
        self.notes
            .push(CallNote::Logon(note(self.logon_failures, of)));
        if self.logon_failures >= of {
            self.notes
                .push(CallNote::Disconnect(DropReason::LogonFailures));
            return self.end("ova-too-many-failures");
        }
        self.enter(state, system(&[prompt]))
    }

    fn home(&self) -> State {
        if self.me.is_some() {
            State::MainMenu
        } else {
            State::Welcome
        }
    }

    fn on_digit(&mut self, d: char) -> Vec<Action> {
        match self.state {
            State::Welcome => self.welcome_digit(d),
            State::Pin { user } => self.pin_digit(user, d),
            State::Messages { .. } => self.message_digit(d),
            State::MainMenu => match d {
                '1' => {
                    self.input.clear();
                    self.voice_mail(Vec::new())
                }
                '2' => {
                    self.input.clear();
                    self.enter(State::Spell, Vec::new())
                }
                '*' => self.end("goodbye"),
                _ => self.bad_input("invalid-input"),
            },
            State::Spell => self.spell_digit(d),
            State::Found { user } => self.found_digit(user, d),
            State::Transferring { .. } | State::Done => Vec::new(),
        }
    }

    fn collect(&mut self, d: char) -> Vec<Action> {
        if self.digits.len() >= MAX_DIGITS {
            return self.bad_input("invalid-input");
        }
        self.digits.push(d);
        vec![Action::StartTimer(self.config.input_timeout)]
    }

    fn welcome_digit(&mut self, d: char) -> Vec<Action> {
        match d {
            '*' => {
                self.input.clear();
                self.enter(State::Spell, Vec::new())
            }
            '0'..='9' => self.collect(d),
            '#' if self.digits.is_empty() => self.bad_input("invalid-input"),
            '#' => {
                self.input.clear();
                let ext = std::mem::take(&mut self.digits);
                let found = self
                    .config
                    .users
                    .iter()
                    .position(|u| u.extension.as_deref() == Some(ext.as_str()));
                let Some(user) = found else {
                    return self.logon_failed("ova-no-such-extension", State::Welcome, |f, of| {
                        Logon::NoSuchExtension {
                            extension: ext,
                            failure: f,
                            of,
                        }
                    });
                };
                match self.pins.is_locked(&self.config.users[user].sam) {
                    Ok(true) => self.locked_out(user),
                    Ok(false) => self.enter(State::Pin { user }, Vec::new()),
                    Err(e) => self.store_error(e),
                }
            }
            _ => self.bad_input("invalid-input"),
        }
    }

    fn pin_digit(&mut self, user: usize, d: char) -> Vec<Action> {
        match d {
            '0'..='9' => self.collect(d),
            '#' if self.digits.is_empty() => self.bad_input("invalid-input"),
            '#' => {
                self.input.clear();
                let pin = std::mem::take(&mut self.digits);
                let sam = self.config.users[user].sam.clone();
                match self.pins.check(&sam, &pin) {
                    Ok(PinCheck::Accepted) => self.sign_in(user),
                    Ok(PinCheck::Wrong { .. }) => {
                        self.logon_failed("ova-pin-wrong", State::Pin { user }, |f, of| {
                            Logon::WrongPin {
                                user: sam,
                                failure: f,
                                of,
                            }
                        })
                    }
                    Ok(PinCheck::NotSet) => {
                        self.logon_failed("ova-pin-wrong", State::Pin { user }, |_, _| {
                            Logon::NoPin { user: sam }
                        })
                    }
                    Ok(PinCheck::LockedOut) => self.locked_out(user),
                    Err(e) => self.store_error(e),
                }
            }
            _ => self.bad_input("invalid-input"),
        }
    }

    /// `users[user]` is signed in: the voice mail, and the record's note.
    fn sign_in(&mut self, user: usize) -> Vec<Action> {
        self.me = Some(user);
        let actions = self.voice_mail(Vec::new());
        let new_messages = match &self.state {
            State::Messages { list, .. } => u32::try_from(list.len()).unwrap_or(u32::MAX),
            _ => 0,
        };
        self.notes.push(CallNote::Logon(Logon::SignedIn {
            user: self.config.users[user].sam.clone(),
            new_messages,
        }));
        actions
    }

    /// The mailbox of `users[user]` is locked: goodbye.
    fn locked_out(&mut self, user: usize) -> Vec<Action> {
        self.notes.push(CallNote::Logon(Logon::LockedOut {
            user: self.config.users[user].sam.clone(),
        }));
        self.notes
            .push(CallNote::Disconnect(DropReason::LogonFailures));
        self.end("ova-locked-out")
    }

    /// Announces the new messages and plays the first, or says there are none.
    fn voice_mail(&mut self, before: Vec<PromptPart>) -> Vec<Action> {
        let Some(me) = self.me else {
            return self.enter(State::Welcome, before);
        };
        let list = match self.mail.new_messages(&self.config.users[me].sam) {
            Ok(l) => l,
            Err(e) => return self.store_error(e),
        };
        let mut parts = before;
        if list.is_empty() {
            parts.push(PromptPart::System("ova-no-new-messages"));
            return self.enter(State::MainMenu, parts);
        }
        parts.push(PromptPart::System("ova-you-have"));
        parts.push(PromptPart::Number(
            list.len().try_into().unwrap_or(u32::MAX),
        ));
        parts.push(PromptPart::System(if list.len() == 1 {
            "ova-new-message"
        } else {
            "ova-new-messages"
        }));
        parts.extend(message_parts(&list[0]));
        self.enter(
            State::Messages {
                list,
                index: 0,
                heard: false,
            },
            parts,
        )
    }

    /// Marks the current message read once.
    fn mark_heard(&mut self) -> Result<(), String> {
        let Some(me) = self.me else { return Ok(()) };
        if let State::Messages { list, index, heard } = &mut self.state {
            if !*heard {
                *heard = true;
                let sam = &self.config.users[me].sam;
                self.mail
                    .mark_read(sam, &list[*index].id)
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    /// Plays the message after the current one, or says there are no more.
    fn next_message(&mut self, before: Vec<PromptPart>) -> Vec<Action> {
        let State::Messages { list, index, .. } = std::mem::replace(&mut self.state, State::Done)
        else {
            return Vec::new();
        };
        let next = index + 1;
        let mut parts = before;
        if next >= list.len() {
            parts.push(PromptPart::System("ova-no-more-messages"));
            return self.enter(State::MainMenu, parts);
        }
        parts.extend(message_parts(&list[next]));
        self.enter(
            State::Messages {
                list,
                index: next,
                heard: false,
            },
            parts,
        )
    }

    fn message_digit(&mut self, d: char) -> Vec<Action> {
        let (Some(me), State::Messages { list, index, .. }) = (self.me, &self.state) else {
            return Vec::new();
        };
        let current = list[*index].clone();
        match d {
            '#' => {
                self.input.clear();
                if let Err(e) = self.mark_heard() {
                    return self.store_error(e);
                }
                self.next_message(Vec::new())
            }
            '7' => {
                self.input.clear();
                if let Err(e) = self.mail.delete(&self.config.users[me].sam, &current.id) {
                    return self.store_error(e);
                }
                self.next_message(system(&["ova-message-deleted"]))
            }
            '1' => {
                self.input.clear();
                let mut parts = message_parts(&current);
                parts.extend(self.menu());
                vec![Action::CancelTimer, play(parts)]
            }
            '*' => {
                self.input.clear();
                if let Err(e) = self.mark_heard() {
                    return self.store_error(e);
                }
                self.enter(State::MainMenu, Vec::new())
            }
            _ => self.bad_input("invalid-input"),
        }
    }

    fn spell_digit(&mut self, d: char) -> Vec<Action> {
        match d {
            '0'..='9' => self.collect(d),
            '*' => {
                self.input.clear();
                let home = self.home();
                self.enter(home, Vec::new())
            }
            '#' if self.digits.is_empty() => self.bad_input("invalid-input"),
            '#' => {
                let typed = std::mem::take(&mut self.digits);
                let matches: Vec<usize> = (0..self.config.users.len())
                    .filter(|&i| {
                        self.config.users[i]
                            .spellings()
                            .iter()
                            .any(|k| k.starts_with(&typed))
                    })
                    .collect();
                let exact: Vec<usize> = matches
                    .iter()
                    .copied()
                    .filter(|&i| self.config.users[i].spellings().contains(&typed))
                    .collect();
                let one = match (matches.as_slice(), exact.as_slice()) {
                    ([one], _) | (_, [one]) => Some(*one),
                    _ => None,
                };
                match one {
                    Some(user) => {
                        self.input.clear();
                        let before = vec![
                            PromptPart::System("ova-found"),
                            self.config.users[user].name_part(),
                        ];
                        self.enter(State::Found { user }, before)
                    }
                    None if matches.is_empty() => self.bad_input("ova-no-match"),
                    None => {
                        self.input.clear();
                        vec![Action::CancelTimer, play(system(&["ova-many-matches"]))]
                    }
                }
            }
            _ => self.bad_input("invalid-input"),
        }
    }

    fn found_digit(&mut self, user: usize, d: char) -> Vec<Action> {
        match d {
            '1' => {
                self.input.clear();
                match self.config.users[user].extension.clone() {
                    Some(ext) => {
                        self.state = State::Transferring { user };
                        self.notes.push(CallNote::Chose {
                            target: ext.clone(),
                            name: Some(self.config.users[user].display_name.clone()),
                        });
                        transfer(&ext)
                    }
                    None => {
                        let mut parts = system(&["ova-no-phone"]);
                        parts.extend(self.menu());
                        vec![Action::CancelTimer, play(parts)]
                    }
                }
            }
            '2' => {
                self.state = State::Done;
                vec![
                    Action::CancelTimer,
                    Action::LeaveMessageFor {
                        user: self.config.users[user].sam.clone(),
                    },
                ]
            }
            '*' => {
                self.input.clear();
                self.enter(State::Spell, Vec::new())
            }
            _ => self.bad_input("invalid-input"),
        }
    }

    fn on_timer(&mut self) -> Vec<Action> {
        match self.state {
            State::Transferring { .. } | State::Done => Vec::new(),
            _ => self.bad_input("no-input"),
        }
    }
}

/// "Message from <sender>" and the recording (the message menu follows from [`Ova::enter`]).
fn message_parts(m: &StoredMessage) -> Vec<PromptPart> {
    let mut parts = Vec::new();
    if let Some(from) = &m.from {
        parts.push(PromptPart::System("ova-message-from"));
        parts.push(PromptPart::Name {
            recorded: None,
            text: from.clone(),
        });
    }
    parts.push(PromptPart::File(m.audio.clone()));
    parts
}

impl Dialogue for Ova {
    fn take_errors(&mut self) -> Vec<String> {
        Ova::take_errors(self)
    }

    fn take_notes(&mut self) -> Vec<CallNote> {
        std::mem::take(&mut self.notes)
    }

    fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
        match event {
            Event::Started => {
                let skip = self
                    .config
                    .skip_pin_for
                    .clone()
                    .and_then(|sam| self.config.users.iter().position(|u| u.sam == sam));
                match skip {
                    Some(user) => match self.pins.is_locked(&self.config.users[user].sam) {
                        Ok(true) => self.locked_out(user),
                        Ok(false) => self.sign_in(user),
                        Err(e) => self.store_error(e),
                    },
                    None => self.enter(State::Welcome, Vec::new()),
                }
            }
            Event::PlayDone => match self.state {
                State::Transferring { .. } | State::Done => Vec::new(),
                State::Messages { .. } => {
                    // The message played to its end: it has been heard.
                    if let Err(e) = self.mark_heard() {
                        return self.store_error(e);
                    }
                    vec![Action::StartTimer(self.config.input_timeout)]
                }
                _ => vec![Action::StartTimer(self.config.input_timeout)],
            },
            Event::Digit(d) => self.on_digit(d),
            Event::Timer => self.on_timer(),
            Event::TransferFailed(reason) => match self.state {
                State::Transferring { user } => {
                    self.errors.push(format!("transfer failed: {reason}"));
                    self.enter(State::Found { user }, system(&["transfer-failed"]))
                }
                _ => Vec::new(),
            },
            Event::HungUp => {
                self.state = State::Done;
                Vec::new()
            }
            Event::RecordingStopped { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fs;
    use std::num::NonZeroU32;
    use std::path::PathBuf;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::mail::{MailAddress, MaildirStore, VoiceMessage};
    use crate::um::pin::{LabPinStore, PinPolicy};

    const PIN: &str = "246813";

    fn user(sam: &str, first: &str, last: &str, ext: Option<&str>) -> DirectoryUser {
        DirectoryUser {
            sam: sam.into(),
            display_name: format!("{first} {last}"),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            extension: ext.map(str::to_string),
            recorded_name: None,
            sip_address: Some(format!("{sam}@contoso.com")),
        }
    }

    fn users() -> Vec<DirectoryUser> {
        vec![
            user("alice", "Alice", "Adams", Some("21001")),
            user("bob", "Bob", "Brown", Some("9000")),
            user("carol", "Carol", "Cole", None),
            user("cara", "Cara", "Colt", Some("9011")),
        ]
    }

    struct Call {
        ova: Ova,
        pins: Arc<LabPinStore>,
        root: PathBuf,
        now: Instant,
    }

    fn config() -> OvaConfig {
        OvaConfig {
            users: users(),
            logon_failures_before_disconnect: 3,
            input_failures_before_disconnect: 3,
            input_timeout: INPUT_TIMEOUT,
            skip_pin_for: None,
        }
    }

    fn pins(root: &Path) -> Arc<LabPinStore> {
        Arc::new(
            LabPinStore::new(root, PinPolicy::default())
                .with_iterations(NonZeroU32::new(10).unwrap()),
        )
    }

    impl Call {
        fn new(root: &Path) -> Call {
            Call::with(root, config())
        }

        fn with(root: &Path, config: OvaConfig) -> Call {
            let pins = pins(root);
            let mail = Arc::new(MaildirStore::new(root));
            Call {
                ova: Ova::new(config, pins.clone(), mail),
                pins,
                root: root.to_path_buf(),
                now: Instant::now(),
            }
        }

        fn send(&mut self, e: Event) -> Vec<Action> {
            self.now += Duration::from_millis(100);
            self.ova.on_event(e, self.now)
        }

        /// Presses each key; the actions of the last one.
        fn press(&mut self, keys: &str) -> Vec<Action> {
            let mut last = Vec::new();
            for k in keys.chars() {
                last = self.send(Event::Digit(k));
            }
            last
        }

        fn sign_in(&mut self, ext: &str, pin: &str) -> Vec<Action> {
            self.send(Event::Started);
            self.press(&format!("{ext}#"));
            self.press(&format!("{pin}#"))
        }
    }

    /// The ids of the system prompts played, in order.
    fn said(actions: &[Action]) -> Vec<&'static str> {
        parts(actions)
            .into_iter()
            .filter_map(|p| match p {
                PromptPart::System(id) => Some(id),
                _ => None,
            })
            .collect()
    }

    fn parts(actions: &[Action]) -> Vec<PromptPart> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Play { parts, .. } => Some(parts.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The call ends politely: a prompt played to its end, then the hang-up.
    #[track_caller]
    fn assert_polite_hangup(actions: &[Action], prompt: &str) {
        let n = actions.len();
        assert!(n >= 2, "{actions:?}");
        assert_eq!(
            actions[n - 2],
            Action::Play {
                parts: vec![PromptPart::System(match prompt {
                    "goodbye" => "goodbye",
                    "ova-too-many-failures" => "ova-too-many-failures",
                    "ova-locked-out" => "ova-locked-out",
                    other => panic!("unexpected {other}"),
                })],
                barge_in: false
            }
        );
        assert_eq!(
            actions[n - 1],
            Action::HangUp {
                after_prompts: true
            }
        );
    }

    fn wav(seed: i16) -> Vec<u8> {
        let samples: Vec<i16> = (0..400).map(|i| (i % 50) as i16 * seed).collect();
        crate::media::wav::encode_pcm16(&samples)
    }

    /// Leaves `sam` a voice message from `from` (delivered as serve does, in the lab layout).
    fn leave(root: &Path, sam: &str, secs: u64, from: &str, audio: &[u8]) -> PathBuf {
        let msg = VoiceMessage {
            from_number: "+96265519000".into(),
            from_name: Some(from.into()),
            from_address: None,
            to_user: MailAddress::new(sam, format!("{sam}@contoso.com")),
            duration: Duration::from_secs(1),
            call_id: format!("{secs}@lab"),
            received_at: UNIX_EPOCH + Duration::from_secs(secs),
            audio: audio.to_vec(),
            interrupted: false,
        };
        let new = root.join(sam).join("Maildir/new");
        fs::create_dir_all(&new).unwrap();
        let path = new.join(format!("{secs}.M1P1Q1.lab"));
        fs::write(&path, msg.render("um@contoso.com").unwrap().bytes).unwrap();
        path
    }

    fn files(dir: &Path) -> usize {
        fs::read_dir(dir).map_or(0, |rd| rd.count())
    }

    #[test]
    fn welcome_then_sign_in_plays_new_messages_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (a, b) = (wav(3), wav(5));
        leave(root, "bob", 100, "Alice Adams", &a);
        leave(root, "bob", 200, "Carol Cole", &b);
        let mut c = Call::new(root);
        c.pins.set("bob", PIN, Some("9000")).unwrap();

        let start = c.send(Event::Started);
        assert_eq!(said(&start), ["ova-welcome"]);
        assert!(matches!(
            &start[..],
            [Action::CancelTimer, Action::Play { barge_in: true, .. }]
        ));
        assert_eq!(c.send(Event::PlayDone), [Action::StartTimer(INPUT_TIMEOUT)]);
        assert_eq!(
            c.press("9"),
            [Action::StartTimer(INPUT_TIMEOUT)],
            "inter-digit timer"
        );
        assert_eq!(said(&c.press("000#")), ["ova-enter-pin"]);
        let signed = c.press(&format!("{PIN}#"));
        assert_eq!(c.ova.signed_in(), Some("bob"));
        let p = parts(&signed);
        assert_eq!(
            p[..3],
            [
                PromptPart::System("ova-you-have"),
                PromptPart::Number(2),
                PromptPart::System("ova-new-messages"),
            ]
        );
        assert_eq!(p[3], PromptPart::System("ova-message-from"));
        assert!(matches!(&p[4], PromptPart::Name { text, .. } if text.contains("Alice Adams")));
        let PromptPart::File(first) = &p[5] else {
            panic!("{p:?}")
        };
        assert_eq!(fs::read(first).unwrap(), a, "the WAV out of the MIME file");
        assert_eq!(p[6], PromptPart::System("ova-message-menu"));

        // Played to the end: read (new/ -> cur/ with :2,S).
        assert_eq!(c.send(Event::PlayDone), [Action::StartTimer(INPUT_TIMEOUT)]);
        let cur = root.join("bob/Maildir/cur/100.M1P1Q1.lab:2,S");
        assert!(cur.is_file());
        assert_eq!(files(&root.join("bob/Maildir/new")), 1);

        // `#`: the next one.
        let next = parts(&c.press("#"));
        assert!(matches!(&next[1], PromptPart::Name { text, .. } if text.contains("Carol Cole")));
        let PromptPart::File(second) = &next[2] else {
            panic!("{next:?}")
        };
        assert_eq!(fs::read(second).unwrap(), b);

        // `1`: again; `7`: deleted, no more, main menu.
        assert_eq!(parts(&c.press("1")), next);
        let del = c.press("7");
        assert_eq!(
            said(&del),
            [
                "ova-message-deleted",
                "ova-no-more-messages",
                "ova-main-menu"
            ]
        );
        assert_eq!(files(&root.join("bob/Maildir/new")), 0);
        assert_eq!(
            files(&root.join("bob/Maildir/cur")),
            1,
            "the first one stays, read"
        );

        // Main menu: 1 = voice mail (none new now), * = goodbye.
        assert_eq!(
            said(&c.press("1")),
            ["ova-no-new-messages", "ova-main-menu"]
        );
        assert_polite_hangup(&c.press("*"), "goodbye");
        assert!(
            c.send(Event::Digit('1')).is_empty(),
            "nothing after goodbye"
        );
    }

    #[test]
    fn star_in_a_message_marks_it_read_and_goes_to_the_main_menu() {
        let dir = tempfile::tempdir().unwrap();
        leave(dir.path(), "bob", 100, "Alice Adams", &wav(2));
        let mut c = Call::new(dir.path());
        c.pins.set("bob", PIN, None).unwrap();
        let signed = c.sign_in("9000", PIN);
        assert!(
            said(&signed).contains(&"ova-new-message"),
            "singular: {signed:?}"
        );
        // The caller barges in before the end.
        assert_eq!(said(&c.press("*")), ["ova-main-menu"]);
        assert!(dir
            .path()
            .join("bob/Maildir/cur/100.M1P1Q1.lab:2,S")
            .is_file());
        assert_eq!(said(&c.press("2")), ["ova-spell-name"]);
    }

    #[test]
    fn a_wrong_pin_three_times_says_goodbye_and_hangs_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.pins.set("bob", PIN, None).unwrap();
        c.send(Event::Started);
        c.press("9000#");
        assert_eq!(
            said(&c.press("111112#")),
            ["ova-pin-wrong", "ova-enter-pin"]
        );
        assert_eq!(
            said(&c.press("111113#")),
            ["ova-pin-wrong", "ova-enter-pin"]
        );
        assert_polite_hangup(&c.press("111114#"), "ova-too-many-failures");
        assert_eq!(c.ova.signed_in(), None);
        assert_eq!(c.pins.status("bob").unwrap().failures, 3);
        assert!(!c.pins.status("bob").unwrap().locked);
    }

    #[test]
    fn unknown_extensions_count_as_logon_failures() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert_eq!(
            said(&c.press("1234#")),
            ["ova-no-such-extension", "ova-welcome"]
        );
        c.press("1235#");
        assert_polite_hangup(&c.press("1236#"), "ova-too-many-failures");
    }

    #[test]
    fn a_user_without_a_pin_cannot_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        assert_eq!(
            said(&c.sign_in("9000", PIN)),
            ["ova-pin-wrong", "ova-enter-pin"]
        );
        assert_eq!(c.ova.signed_in(), None);
    }

    #[test]
    fn fifteen_failures_across_calls_lock_the_mailbox_until_reset() {
        let dir = tempfile::tempdir().unwrap();
        pins(dir.path()).set("bob", PIN, None).unwrap();
        for call in 0..5 {
            let mut c = Call::new(dir.path());
            c.send(Event::Started);
            c.press("9000#");
            c.press("000001#");
            c.press("000002#");
            let last = c.press("000003#");
            if call < 4 {
                assert_polite_hangup(&last, "ova-too-many-failures");
            } else {
                assert_polite_hangup(&last, "ova-locked-out");
            }
        }
        let st = pins(dir.path()).status("bob").unwrap();
        assert!(st.locked && st.failures == 15, "{st:?}");
        // The next call hears the lockout right after the extension, even with the right PIN.
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert_polite_hangup(&c.press("9000#"), "ova-locked-out");
        pins(dir.path()).reset("bob").unwrap();
        let mut c = Call::new(dir.path());
        c.sign_in("9000", PIN);
        assert_eq!(c.ova.signed_in(), Some("bob"));
    }

    #[test]
    fn directory_search_by_keypad_ends_in_a_transfer() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert_eq!(said(&c.press("*")), ["ova-spell-name"]);
        // B-R-O-W-N, last name first.
        let found = c.press("27696#");
        let p = parts(&found);
        assert_eq!(p[0], PromptPart::System("ova-found"));
        assert_eq!(
            p[1],
            PromptPart::Name {
                recorded: None,
                text: "Bob Brown".into()
            }
        );
        assert_eq!(p[2], PromptPart::System("ova-found-menu"));
        let t = c.press("1");
        assert_eq!(said(&t), ["transfer"]);
        assert_eq!(
            t.last(),
            Some(&Action::Transfer {
                target: "9000".into()
            })
        );
        assert!(
            c.send(Event::Timer).is_empty(),
            "no menu while transferring"
        );
        // A failed transfer: said so, and the menu again.
        assert_eq!(
            said(&c.send(Event::TransferFailed("486 Busy".into()))),
            ["transfer-failed", "ova-found-menu"]
        );
        assert_eq!(c.ova.take_errors(), ["transfer failed: 486 Busy"]);
    }

    #[test]
    fn display_name_spelling_and_ambiguous_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        c.press("*");
        // A-L-I-C-E, display name order.
        assert_eq!(said(&c.press("25423#"))[0], "ova-found");
        c.press("*");
        // C-O: Cole and Colt.
        assert_eq!(said(&c.press("26#")), ["ova-many-matches"]);
        // C-O-L-T.
        let found = parts(&c.press("2658#"));
        assert!(matches!(&found[1], PromptPart::Name { text, .. } if text == "Cara Colt"));
        c.press("*");
        assert_eq!(said(&c.press("999#")), ["ova-no-match", "ova-spell-name"]);
        // `*` while spelling: back to the welcome menu (not signed in).
        assert_eq!(said(&c.press("*")), ["ova-welcome"]);
    }

    #[test]
    fn no_extension_offers_a_message_instead() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        c.press("*");
        c.press("2653#"); // C-O-L-E
        assert_eq!(said(&c.press("1")), ["ova-no-phone", "ova-found-menu"]);
        assert_eq!(
            c.press("2"),
            [
                Action::CancelTimer,
                Action::LeaveMessageFor {
                    user: "carol".into()
                }
            ]
        );
        assert!(c.press("1").is_empty(), "handed over to call answering");
    }

    #[test]
    fn invalid_input_replays_the_menu_then_disconnects_politely() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        c.press("*");
        c.press("27696#");
        assert_eq!(said(&c.press("5")), ["invalid-input", "ova-found-menu"]);
        assert_eq!(said(&c.press("A")), ["invalid-input", "ova-found-menu"]);
        assert_polite_hangup(&c.press("9"), "goodbye");
    }

    #[test]
    fn a_good_key_clears_the_failure_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert_eq!(said(&c.press("#")), ["invalid-input", "ova-welcome"]);
        assert_eq!(said(&c.press("#")), ["invalid-input", "ova-welcome"]);
        c.press("*");
        assert_eq!(said(&c.press("#")), ["invalid-input", "ova-spell-name"]);
        assert_eq!(said(&c.press("#")), ["invalid-input", "ova-spell-name"]);
    }

    #[test]
    fn silence_says_no_input_then_goodbye() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.pins.set("bob", PIN, None).unwrap();
        c.send(Event::Started);
        c.press("9000#");
        assert_eq!(c.send(Event::PlayDone), [Action::StartTimer(INPUT_TIMEOUT)]);
        // A PIN entry timeout: spoken, and the PIN prompt again.
        c.press("24");
        assert_eq!(said(&c.send(Event::Timer)), ["no-input", "ova-enter-pin"]);
        assert_eq!(said(&c.send(Event::Timer)), ["no-input", "ova-enter-pin"]);
        assert_polite_hangup(&c.send(Event::Timer), "goodbye");
    }

    #[test]
    fn skip_pin_only_from_a_gateway_and_only_for_a_known_user() {
        let dir = tempfile::tempdir().unwrap();
        leave(dir.path(), "bob", 100, "Alice Adams", &wav(2));
        let mut cfg = config();
        assert!(
            !cfg.honour_skip_pin(true, false, Some("bob")),
            "not from a gateway"
        );
        assert!(!cfg.honour_skip_pin(true, true, Some("mallory")));
        assert!(!cfg.honour_skip_pin(false, true, Some("bob")), "no header");
        let mut c = Call::with(dir.path(), cfg.clone());
        assert_eq!(said(&c.send(Event::Started)), ["ova-welcome"]);

        assert!(cfg.honour_skip_pin(true, true, Some("bob")));
        let mut c = Call::with(dir.path(), cfg.clone());
        assert_eq!(said(&c.send(Event::Started))[0], "ova-you-have");
        assert_eq!(c.ova.signed_in(), Some("bob"));

        // A locked mailbox stays locked, skip-pin or not.
        let p = pins(dir.path());
        p.set("bob", PIN, None).unwrap();
        for _ in 0..15 {
            p.check("bob", "000000").unwrap();
        }
        let mut c = Call::with(dir.path(), cfg);
        assert_polite_hangup(&c.send(Event::Started), "ova-locked-out");
    }

    #[test]
    fn the_caller_is_known_by_sip_address_or_extension() {
        let cfg = config();
        assert_eq!(cfg.caller_from("<sip:Bob@contoso.com>;tag=1"), Some("bob"));
        assert_eq!(
            cfg.caller_from("\"Bob\" <sip:bob@contoso.com;transport=tls>"),
            Some("bob")
        );
        assert_eq!(
            cfg.caller_from("<sip:21001@pool.contoso.com;user=phone>"),
            Some("alice")
        );
        assert_eq!(cfg.caller_from("tel:9011"), Some("cara"));
        assert_eq!(cfg.caller_from("<sip:mallory@evil.example>"), None);
    }

    #[test]
    fn a_broken_store_ends_the_call_with_a_goodbye() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        fs::create_dir_all(c.root.join("bob")).unwrap();
        fs::write(c.root.join("bob/pin.json"), "not json").unwrap();
        c.send(Event::Started);
        assert_polite_hangup(&c.press("9000#"), "goodbye");
        let errors = c.ova.take_errors();
        assert!(errors[0].contains("pin.json"), "{errors:?}");
    }

    #[test]
    fn an_endless_entry_is_a_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert_eq!(
            said(&c.press(&"9".repeat(65))),
            ["invalid-input", "ova-welcome"]
        );
    }

    #[test]
    fn nothing_after_the_caller_hangs_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Call::new(dir.path());
        c.send(Event::Started);
        assert!(c.send(Event::HungUp).is_empty());
        assert!(c.send(Event::Timer).is_empty());
        assert!(c.press("1").is_empty());
    }

    #[test]
    fn reads_the_dial_plan_users_of_the_lab() {
        let dir = tempfile::tempdir().unwrap();
        let lab =
            crate::directory::lab::LabDirectory::init_and_open(dir.path().join("lab")).unwrap();
        let org = lookup::organization(&lab).unwrap();
        let dp = lookup::dial_plans(&lab, &org)
            .unwrap()
            .into_iter()
            .find(|d| d.name == "LOC801")
            .unwrap();
        let mailboxes = lab.paths().mailboxes();
        let users = dial_plan_users(&lab, &dp, Some(&mailboxes)).unwrap();
        let bob = users.iter().find(|u| u.sam == "bob").unwrap();
        assert_eq!(bob.extension.as_deref(), Some("9000"));
        assert!(bob.last_name.is_some(), "{bob:?}");
        assert!(users.iter().all(|u| u.sam != "alice"), "alice is in HQ-SIP");
        assert_eq!(bob.sip_address.as_deref(), Some("bob@contoso.com"));
        let cfg = OvaConfig::for_dial_plan(&lab, &dp, Some(&mailboxes)).unwrap();
        assert_eq!(cfg.users, users);
        assert_eq!(cfg.caller_from("<sip:bob@contoso.com>"), Some("bob"));
        assert_eq!(cfg.logon_failures_before_disconnect, 3);
        assert_eq!(cfg.input_failures_before_disconnect, 3);
    }
}
