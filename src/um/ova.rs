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

use super::dialogue::{Action, Dialogue, Event, PromptPart};
use super::keypad::{e161_digits, farewell, play, system, transfer, InputFailures, INPUT_TIMEOUT};
use super::pin::{PinCheck, PinStore};
use super::UmError;
use crate::directory::lookup;
use crate::directory::model::{attrs, DialPlan, UmUser};
use crate::directory::Directory;
use crate::mail::{MailStore, StoredMessage};

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
            .map(|m| m.join(&sam).join("name.wav"))
            .filter(|p| p.is_file());
        users.push(DirectoryUser {
            display_name: user.display_name.clone().unwrap_or_else(|| sam.clone()),
            first_name: first(attrs::GIVEN_NAME),
            last_name: first(attrs::SURNAME),
            extension: user
                .extension_in(&dial_plan.phone_context)
                .map(str::to_string),
            recorded_name,
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

    /// A wrong extension or PIN: again, or disconnect at LogonFailuresBeforeDisconnect.
    fn logon_failed(&mut self, prompt: &'static str, state: State) -> Vec<Action> {
        self.logon_failures += 1;
        if self.logon_failures >= self.config.logon_failures_before_disconnect.max(1) {
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
                    return self.logon_failed("ova-no-such-extension", State::Welcome);
                };
                match self.pins.is_locked(&self.config.users[user].sam) {
                    Ok(true) => self.end("ova-locked-out"),
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
                    Ok(PinCheck::Accepted) => {
                        self.me = Some(user);
                        self.voice_mail(Vec::new())
                    }
                    Ok(PinCheck::Wrong { .. } | PinCheck::NotSet) => {
                        self.logon_failed("ova-pin-wrong", State::Pin { user })
                    }
                    Ok(PinCheck::LockedOut) => self.end("ova-locked-out"),
                    Err(e) => self.store_error(e),
                }
            }
            _ => self.bad_input("invalid-input"),
        }
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
                vec![Action::CancelTimer, play(message_parts(&current))]
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

/// "Message from <sender>", the recording, the message menu.
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
    parts.push(PromptPart::System("ova-message-menu"));
    parts
}

impl Dialogue for Ova {
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
                        Ok(true) => self.end("ova-locked-out"),
                        Ok(false) => {
                            self.me = Some(user);
                            self.voice_mail(Vec::new())
                        }
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
