//! The auto attendant (domain.md A.2, B.5.2) as a [`Dialogue`]: the greeting of the period the
//! call falls in (`aa_period`: business hours, after hours or a holiday; the auto attendant's
//! own WAV when it has one, else `aa-welcome`), then the menu built from that period's key
//! mappings ("For Sales, press 1"), `0` for the operator when the period allows it (the auto
//! attendant's OperatorExtension, else the dial plan's) and dial-by-extension when allowed; a mapped key,
//! `0` or an extension + `#` ends in a transfer. A bad key or a silence replays the menu after
//! a spoken error, up to the dial plan's InputFailuresBeforeDisconnect, then a goodbye. An
//! extension may not start with a mapped key (the key wins at once). Dial-by-name is not
//! modelled.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::aa_period::PeriodChoice;
use super::dialogue::{Action, CallNote, Dialogue, Event, PromptPart};
use super::keypad::{farewell, play, system, transfer, InputFailures, INPUT_TIMEOUT};
use crate::directory::model::{AutoAttendant, DialPlan, KeyMapping};
use crate::records::DropReason;

/// What the menu is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoAttendantConfig {
    pub name: String,
    /// The business-hours welcome greeting file, when the auto attendant has one.
    pub greeting: Option<PathBuf>,
    /// Keys 1-9 (key 0 is the operator's).
    pub key_mappings: Vec<KeyMapping>,
    pub operator_extension: Option<String>,
    /// AllowExtensions (default true for an auto attendant).
    pub allow_extensions: bool,
    /// NumberOfDigitsInExtension of the dial plan: a dialed extension must be this long.
    pub extension_digits: Option<u8>,
    pub input_failures_before_disconnect: u32,
    pub input_timeout: Duration,
}

impl AutoAttendantConfig {
    /// From the directory objects, for the period `choice`: that period's key mappings sorted
    /// by key (0 dropped), its greeting when the file is in `greetings` (the AA's greeting
    /// folder), the operator of the auto attendant or else of the dial plan unless the period
    /// turns it off, extensions allowed.
    pub fn new(
        aa: &AutoAttendant,
        dial_plan: &DialPlan,
        choice: &PeriodChoice,
        greetings: Option<&Path>,
    ) -> AutoAttendantConfig {
        let features = choice.features(aa);
        let greeting = choice
            .greeting(aa)
            .zip(greetings)
            .map(|(file, dir)| dir.join(file))
            .filter(|p| p.is_file());
        let mut key_mappings: Vec<KeyMapping> = features
            .key_mappings
            .iter()
            .filter(|m| m.key != 0)
            .cloned()
            .collect();
        key_mappings.sort_by_key(|m| m.key);
        key_mappings.dedup_by_key(|m| m.key);
        AutoAttendantConfig {
            name: aa.name.clone(),
            greeting,
            key_mappings,
            operator_extension: aa
                .operator_extension
                .clone()
                .or_else(|| dial_plan.operator_extension.clone())
                .filter(|_| features.operator),
            allow_extensions: true,
            extension_digits: Some(dial_plan.digits),
            input_failures_before_disconnect: dial_plan.input_failures_before_disconnect,
            input_timeout: INPUT_TIMEOUT,
        }
    }
}

/// Where an auto attendant's greeting files live: `autoattendants/<name>/` beside the lab's
/// `mailboxes/` folder.
pub fn greeting_folder(mailboxes: &Path, aa_name: &str) -> PathBuf {
    mailboxes
        .parent()
        .unwrap_or(mailboxes)
        .join("autoattendants")
        .join(aa_name)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Menu,
    Transferring,
    Done,
}

/// One auto attendant call.
pub struct AutoAttendantMenu {
    config: AutoAttendantConfig,
    state: State,
    digits: String,
    input: InputFailures,
    errors: Vec<String>,
    notes: Vec<CallNote>,
}

impl AutoAttendantMenu {
    pub fn new(config: AutoAttendantConfig) -> AutoAttendantMenu {
        let input = InputFailures::new(config.input_failures_before_disconnect);
        AutoAttendantMenu {
            config,
            state: State::Menu,
            digits: String::new(),
            input,
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Failed transfers since the last call (for the engine's log).
    pub fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }

    /// "For Sales, press 1. ... To reach the operator, press zero. If you know the
    /// extension ..."
    fn menu(&self) -> Vec<PromptPart> {
        let mut parts = Vec::new();
        for m in &self.config.key_mappings {
            parts.extend([
                PromptPart::System("aa-for"),
                PromptPart::Name {
                    recorded: None,
                    text: m.name.clone(),
                },
                PromptPart::System("aa-press"),
                PromptPart::Digits(m.key.to_string()),
            ]);
        }
        if self.config.operator_extension.is_some() {
            parts.push(PromptPart::System("aa-operator"));
        }
        if self.config.allow_extensions {
            parts.push(PromptPart::System("aa-dial-extension"));
        }
        parts
    }

    fn replay(&mut self, before: &[&'static str]) -> Vec<Action> {
        self.state = State::Menu;
        self.digits.clear();
        let mut parts = system(before);
        parts.extend(self.menu());
        vec![Action::CancelTimer, play(parts)]
    }

    fn bad_input(&mut self, prompt: &'static str) -> Vec<Action> {
        self.digits.clear();
        if self.input.fail() {
            self.state = State::Done;
            self.notes
                .push(CallNote::Disconnect(DropReason::InputFailures));
            return farewell("goodbye");
        }
        self.replay(&[prompt])
    }

    fn transfer_to(&mut self, target: String, name: Option<String>) -> Vec<Action> {
        self.notes.push(CallNote::Chose {
            target: target.clone(),
            name,
        });
        self.input.clear();
        self.digits.clear();
        self.state = State::Transferring;
        transfer(&target)
    }

    /// The extension typed so far, if it can be dialed.
    fn dial_extension(&mut self) -> Vec<Action> {
        let ext = std::mem::take(&mut self.digits);
        let len_ok = self
            .config
            .extension_digits
            .is_none_or(|n| ext.len() == usize::from(n));
        if ext.is_empty() || !len_ok {
            return self.bad_input("invalid-input");
        }
        self.transfer_to(ext, None)
    }

    fn on_digit(&mut self, d: char) -> Vec<Action> {
        if self.state != State::Menu {
            return Vec::new();
        }
        if !self.digits.is_empty() {
            return match d {
                '0'..='9' => {
                    self.digits.push(d);
                    vec![Action::StartTimer(self.config.input_timeout)]
                }
                '#' => self.dial_extension(),
                _ => self.bad_input("invalid-input"),
            };
        }
        let key = d.to_digit(10).and_then(|k| u8::try_from(k).ok());
        if let Some(m) = key.and_then(|k| self.config.key_mappings.iter().find(|m| m.key == k)) {
            let (target, name) = (m.extension.clone(), m.name.clone());
            return self.transfer_to(target, Some(name));
        }
        if d == '0' {
            if let Some(op) = self.config.operator_extension.clone() {
                return self.transfer_to(op, Some("operator".into()));
            }
        }
        if key.is_some() && self.config.allow_extensions {
            self.digits.push(d);
            return vec![Action::StartTimer(self.config.input_timeout)];
        }
        self.bad_input("invalid-input")
    }
}

impl Dialogue for AutoAttendantMenu {
    fn take_errors(&mut self) -> Vec<String> {
        AutoAttendantMenu::take_errors(self)
    }

    fn take_notes(&mut self) -> Vec<CallNote> {
        std::mem::take(&mut self.notes)
    }

    fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
        match event {
            Event::Started => {
                let greeting = match &self.config.greeting {
                    Some(file) => PromptPart::File(file.clone()),
                    None => PromptPart::System("aa-welcome"),
                };
                let mut parts = vec![greeting];
                parts.extend(self.menu());
                vec![play(parts)]
            }
            Event::PlayDone if self.state == State::Menu => {
                vec![Action::StartTimer(self.config.input_timeout)]
            }
            Event::Digit(d) => self.on_digit(d),
            // A pause after some digits ends the extension, as `#` does.
            Event::Timer if self.state == State::Menu && !self.digits.is_empty() => {
                self.dial_extension()
            }
            Event::Timer if self.state == State::Menu => self.bad_input("no-input"),
            Event::TransferFailed(reason) if self.state == State::Transferring => {
                self.errors.push(format!("transfer failed: {reason}"));
                self.replay(&["transfer-failed"])
            }
            Event::HungUp => {
                self.state = State::Done;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lookup;
    use crate::directory::model::aa_schedule::{Holiday, WeeklyRange};
    use crate::um::aa_period::period_at;

    fn mapping(key: u8, name: &str, extension: &str) -> KeyMapping {
        KeyMapping {
            key,
            name: name.into(),
            extension: extension.into(),
        }
    }

    fn config() -> AutoAttendantConfig {
        AutoAttendantConfig {
            name: "LOC801-AA".into(),
            greeting: None,
            key_mappings: vec![mapping(1, "Sales", "9001"), mapping(2, "Support", "9002")],
            operator_extension: Some("9009".into()),
            allow_extensions: true,
            extension_digits: Some(4),
            input_failures_before_disconnect: 3,
            input_timeout: INPUT_TIMEOUT,
        }
    }

    fn send(aa: &mut AutoAttendantMenu, e: Event) -> Vec<Action> {
        aa.on_event(e, Instant::now())
    }

    fn press(aa: &mut AutoAttendantMenu, keys: &str) -> Vec<Action> {
        let mut last = Vec::new();
        for k in keys.chars() {
            last = send(aa, Event::Digit(k));
        }
        last
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

    fn menu() -> Vec<PromptPart> {
        let name = |t: &str| PromptPart::Name {
            recorded: None,
            text: t.into(),
        };
        vec![
            PromptPart::System("aa-for"),
            name("Sales"),
            PromptPart::System("aa-press"),
            PromptPart::Digits("1".into()),
            PromptPart::System("aa-for"),
            name("Support"),
            PromptPart::System("aa-press"),
            PromptPart::Digits("2".into()),
            PromptPart::System("aa-operator"),
            PromptPart::System("aa-dial-extension"),
        ]
    }

    #[track_caller]
    fn assert_transfer(actions: &[Action], target: &str) {
        assert_eq!(
            actions,
            [
                Action::CancelTimer,
                Action::Play {
                    parts: vec![PromptPart::System("transfer")],
                    barge_in: false
                },
                Action::Transfer {
                    target: target.into()
                }
            ]
        );
    }

    #[track_caller]
    fn assert_goodbye(actions: &[Action]) {
        assert_eq!(
            actions,
            [
                Action::CancelTimer,
                Action::Play {
                    parts: vec![PromptPart::System("goodbye")],
                    barge_in: false
                },
                Action::HangUp {
                    after_prompts: true
                }
            ]
        );
    }

    #[test]
    fn greets_and_announces_the_key_mappings() {
        let mut aa = AutoAttendantMenu::new(config());
        let start = send(&mut aa, Event::Started);
        let mut expected = vec![PromptPart::System("aa-welcome")];
        expected.extend(menu());
        assert_eq!(
            start,
            [Action::Play {
                parts: expected,
                barge_in: true
            }]
        );
        assert_eq!(
            send(&mut aa, Event::PlayDone),
            [Action::StartTimer(INPUT_TIMEOUT)]
        );
    }

    #[test]
    fn a_custom_greeting_replaces_the_system_one() {
        let mut cfg = config();
        cfg.greeting = Some("/lab/aa/welcome.wav".into());
        cfg.operator_extension = None;
        cfg.allow_extensions = false;
        let mut aa = AutoAttendantMenu::new(cfg);
        let p = parts(&send(&mut aa, Event::Started));
        assert_eq!(p[0], PromptPart::File("/lab/aa/welcome.wav".into()));
        assert!(!p.contains(&PromptPart::System("aa-operator")));
        assert!(!p.contains(&PromptPart::System("aa-dial-extension")));
    }

    #[test]
    fn a_mapped_key_transfers_at_once() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        assert_transfer(&press(&mut aa, "2"), "9002");
        assert!(
            press(&mut aa, "1").is_empty(),
            "keys are ignored while transferring"
        );
        assert!(send(&mut aa, Event::Timer).is_empty());
    }

    #[test]
    fn zero_reaches_the_operator() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        assert_transfer(&press(&mut aa, "0"), "9009");
    }

    #[test]
    fn dial_by_extension_with_pound_or_a_pause() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        assert_eq!(press(&mut aa, "9"), [Action::StartTimer(INPUT_TIMEOUT)]);
        assert_transfer(&press(&mut aa, "003#"), "9003");

        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        press(&mut aa, "9010");
        assert_transfer(&send(&mut aa, Event::Timer), "9010");

        // Too short for the dial plan: a spoken error and the menu again.
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        let short = press(&mut aa, "90#");
        let mut expected = vec![PromptPart::System("invalid-input")];
        expected.extend(menu());
        assert_eq!(parts(&short), expected);
    }

    #[test]
    fn without_extensions_or_operator_unmapped_keys_are_invalid() {
        let mut cfg = config();
        cfg.allow_extensions = false;
        cfg.operator_extension = None;
        let mut aa = AutoAttendantMenu::new(cfg);
        send(&mut aa, Event::Started);
        assert_eq!(
            parts(&press(&mut aa, "0"))[0],
            PromptPart::System("invalid-input")
        );
    }

    #[test]
    fn invalid_input_replays_the_menu_then_disconnects_politely() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        let mut expected = vec![PromptPart::System("invalid-input")];
        expected.extend(menu());
        assert_eq!(parts(&press(&mut aa, "*")), expected);
        assert_eq!(parts(&press(&mut aa, "#")), expected);
        assert_goodbye(&press(&mut aa, "*"));
        assert!(press(&mut aa, "1").is_empty());
    }

    #[test]
    fn silence_says_no_input_then_goodbye() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        assert_eq!(
            parts(&send(&mut aa, Event::Timer))[0],
            PromptPart::System("no-input")
        );
        assert_eq!(
            parts(&send(&mut aa, Event::Timer))[0],
            PromptPart::System("no-input")
        );
        assert_goodbye(&send(&mut aa, Event::Timer));
    }

    #[test]
    fn a_failed_transfer_is_said_and_the_menu_comes_back() {
        let mut aa = AutoAttendantMenu::new(config());
        send(&mut aa, Event::Started);
        press(&mut aa, "1");
        let back = send(&mut aa, Event::TransferFailed("404".into()));
        assert_eq!(parts(&back)[0], PromptPart::System("transfer-failed"));
        assert_eq!(aa.take_errors(), ["transfer failed: 404"]);
        assert_transfer(&press(&mut aa, "1"), "9001");
    }

    /// The lab's LOC801-AA and its dial plan (the folder must outlive them).
    fn lab_aa() -> (tempfile::TempDir, AutoAttendant, DialPlan) {
        let dir = tempfile::tempdir().unwrap();
        let lab =
            crate::directory::lab::LabDirectory::init_and_open(dir.path().join("lab")).unwrap();
        let org = lookup::organization(&lab).unwrap();
        let aa = lookup::auto_attendant_by_number(&lab, &org, "+96265515444")
            .unwrap()
            .unwrap();
        let dp = lookup::dial_plans(&lab, &org)
            .unwrap()
            .into_iter()
            .find(|d| d.dn == aa.dial_plan)
            .unwrap();
        (dir, aa, dp)
    }

    #[test]
    fn the_lab_auto_attendant() {
        let (_dir, aa, dp) = lab_aa();
        let now = "2027-01-02T03:00:00Z".parse().unwrap();
        let cfg = AutoAttendantConfig::new(&aa, &dp, &period_at(&aa, now), None);
        assert_eq!(cfg, config());
        let mut menu = AutoAttendantMenu::new(cfg);
        send(&mut menu, Event::Started);
        assert_transfer(&press(&mut menu, "1"), "9001");
    }

    #[test]
    fn key_zero_mappings_are_the_operator_s_and_keys_are_sorted() {
        let (_dir, mut aa, dp) = lab_aa();
        aa.business.key_mappings = vec![
            mapping(3, "C", "3"),
            mapping(0, "Op", "0"),
            mapping(1, "A", "1"),
        ];
        aa.operator_extension = None;
        let now = "2027-01-02T03:00:00Z".parse().unwrap();
        let cfg = AutoAttendantConfig::new(&aa, &dp, &period_at(&aa, now), None);
        let keys: Vec<u8> = cfg.key_mappings.iter().map(|m| m.key).collect();
        assert_eq!(keys, [1, 3]);
        assert_eq!(
            cfg.operator_extension.as_deref(),
            Some("9009"),
            "the dial plan's"
        );
    }

    #[test]
    fn after_hours_and_holidays_use_their_own_menu_greeting_and_operator() {
        let (_dir, mut aa, dp) = lab_aa();
        aa.schedule = vec![WeeklyRange::parse("Mon-Fri 08:00-17:30").unwrap()];
        aa.holidays = vec![Holiday::parse("New Year, ny.wav, 2027-01-01").unwrap()];
        aa.after_hours.key_mappings = vec![mapping(1, "Emergency", "9100")];
        aa.after_hours.operator = false;
        aa.after_hours.greeting = Some("closed.wav".into());
        let greetings = tempfile::tempdir().unwrap();
        std::fs::write(greetings.path().join("ny.wav"), b"RIFF").unwrap();
        let at = |s: &str| period_at(&aa, s.parse().unwrap());
        let cfg = |s: &str| AutoAttendantConfig::new(&aa, &dp, &at(s), Some(greetings.path()));

        let business = cfg("2027-01-04T09:00:00Z");
        assert_eq!(business.key_mappings[0].extension, "9001");
        assert_eq!(business.operator_extension.as_deref(), Some("9009"));
        let after = cfg("2027-01-04T18:00:00Z");
        assert_eq!(after.key_mappings, [mapping(1, "Emergency", "9100")]);
        assert_eq!(after.operator_extension, None, "operator=off after hours");
        assert_eq!(after.greeting, None, "closed.wav is not in the folder");
        let holiday = cfg("2027-01-01T12:00:00Z");
        assert_eq!(holiday.greeting, Some(greetings.path().join("ny.wav")));
        assert_eq!(holiday.key_mappings, after.key_mappings);
        let mut menu = AutoAttendantMenu::new(after);
        send(&mut menu, Event::Started);
        assert_transfer(&press(&mut menu, "1"), "9100");
    }
}
