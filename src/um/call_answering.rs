//! Call answering as a [`Dialogue`] (domain.md B.4.6): the greeting in Exchange's order (the
//! user's custom greeting; else the recorded name and `ca-not-available`; else the name by
//! text to speech and `ca-not-available`; the fallback `ca-person-not-available`), the beep,
//! then a recording bounded by the dial plan's maximum recording time, RecordingIdleTimeout
//! and `#`; then `ca-message-sent` and hang up. MaxCallDuration bounds the whole call. A
//! caller who hangs up before the recording starts leaves a missed-call notification.
//!
//! It only decides: the media engine (`serve`) plays, records, delivers and hangs up.

use std::time::{Duration, Instant};

use super::dialogue::{Action, Dialogue, Event, PromptPart, RecordingEnd};
use super::resolve::Greeting;
use crate::directory::model::DialPlan;

/// The time limits of a call-answering call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// MaxCallDuration of the dial plan (Exchange's default: 30 minutes).
    pub max_call: Duration,
    /// MaxRecordingDuration (Exchange's default: 20 minutes).
    pub max_recording: Duration,
    /// RecordingIdleTimeout (Exchange's default: 5 seconds).
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_call: Duration::from_secs(u64::from(DialPlan::DEFAULT_MAX_CALL_MINUTES) * 60),
            max_recording: Duration::from_secs(
                u64::from(DialPlan::DEFAULT_MAX_RECORDING_MINUTES) * 60,
            ),
            idle: Duration::from_secs(u64::from(DialPlan::DEFAULT_RECORDING_IDLE_SECONDS)),
        }
    }
}

impl Limits {
    /// The dial plan's limits; a zero value means the default.
    pub fn of(plan: &DialPlan) -> Limits {
        let d = Limits::default();
        let minutes = |m: u32, default: Duration| {
            if m == 0 {
                default
            } else {
                Duration::from_secs(u64::from(m) * 60)
            }
        };
        Limits {
            max_call: minutes(plan.max_call_duration_minutes, d.max_call),
            max_recording: minutes(plan.max_recording_duration_minutes, d.max_recording),
            idle: if plan.recording_idle_timeout_seconds == 0 {
                d.idle
            } else {
                Duration::from_secs(u64::from(plan.recording_idle_timeout_seconds))
            },
        }
    }
}

/// The greeting's prompts, in Exchange's order.
pub fn greeting_parts(greeting: &Greeting, display_name: Option<&str>) -> Vec<PromptPart> {
    let name = display_name.map(str::trim).filter(|n| !n.is_empty());
    match (greeting, name) {
        (Greeting::Away { file } | Greeting::Custom { file }, _) => {
            vec![PromptPart::File(file.clone())]
        }
        (Greeting::RecordedName { file }, _) => vec![
            PromptPart::Name {
                recorded: Some(file.clone()),
                text: name.unwrap_or_default().to_string(),
            },
            PromptPart::System("ca-not-available"),
        ],
        (Greeting::TextToSpeech { .. }, Some(n)) => vec![
            PromptPart::Name {
                recorded: None,
                text: n.to_string(),
            },
            PromptPart::System("ca-not-available"),
        ],
        _ => vec![PromptPart::System("ca-person-not-available")],
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for [`Event::Started`].
    Idle,
    /// Greeting and beep playing.
    Greeting,
    Recording,
    /// `ca-message-sent` playing, or the call is over.
    Done,
}

/// The call-answering dialogue of one call.
#[derive(Debug)]
pub struct CallAnsweringDialogue {
    greeting: Vec<PromptPart>,
    limits: Limits,
    state: State,
    started: Option<Instant>,
}

impl CallAnsweringDialogue {
    pub fn new(greeting: Vec<PromptPart>, limits: Limits) -> CallAnsweringDialogue {
        CallAnsweringDialogue {
            greeting,
            limits,
            state: State::Idle,
            started: None,
        }
    }

    fn finish(&mut self, actions: Vec<Action>) -> Vec<Action> {
        self.state = State::Done;
        actions
    }
}

impl Dialogue for CallAnsweringDialogue {
    fn on_event(&mut self, event: Event, now: Instant) -> Vec<Action> {
        match (self.state, event) {
            (State::Idle, Event::Started) => {
                self.state = State::Greeting;
                self.started = Some(now);
                vec![
                    Action::StartTimer(self.limits.max_call),
                    Action::Play {
                        parts: self.greeting.clone(),
                        barge_in: false,
                    },
                    Action::Play {
                        parts: vec![PromptPart::Beep],
                        barge_in: false,
                    },
                ]
            }
            (State::Greeting, Event::PlayDone) => {
                self.state = State::Recording;
                let elapsed = self
                    .started
                    .map_or(Duration::ZERO, |s| now.saturating_duration_since(s));
                let left = self.limits.max_call.saturating_sub(elapsed);
                vec![
                    Action::CancelTimer,
                    Action::Record {
                        max: self.limits.max_recording.min(left),
                        idle: self.limits.idle,
                    },
                ]
            }
            (State::Idle | State::Greeting, Event::HungUp) => {
                self.finish(vec![Action::NotifyMissedCall])
            }
            (State::Greeting, Event::Timer) => self.finish(vec![
                Action::NotifyMissedCall,
                Action::HangUp {
                    after_prompts: false,
                },
            ]),
            (State::Recording, Event::RecordingStopped { end, audio }) => {
                if end == RecordingEnd::HungUp {
                    if audio.is_zero() {
                        return self.finish(vec![Action::NotifyMissedCall]);
                    }
                    return self.finish(vec![Action::DeliverRecording]);
                }
                self.finish(vec![
                    Action::DeliverRecording,
                    Action::Play {
                        parts: vec![PromptPart::System("ca-message-sent")],
                        barge_in: false,
                    },
                    Action::HangUp {
                        after_prompts: true,
                    },
                ])
            }
            // A BYE while recording comes as RecordingStopped { HungUp } first.
            (State::Recording, Event::HungUp) => self.finish(Vec::new()),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn limits() -> Limits {
        Limits {
            max_call: Duration::from_secs(60),
            max_recording: Duration::from_secs(40),
            idle: Duration::from_secs(5),
        }
    }

    #[test]
    fn greeting_order_follows_exchange() {
        let custom = Greeting::Custom {
            file: PathBuf::from("/m/bob/greeting.wav"),
        };
        assert_eq!(
            greeting_parts(&custom, Some("Bob")),
            vec![PromptPart::File(PathBuf::from("/m/bob/greeting.wav"))]
        );
        let named = Greeting::RecordedName {
            file: PathBuf::from("/m/bob/name.wav"),
        };
        assert_eq!(
            greeting_parts(&named, Some("Bob Haddad")),
            vec![
                PromptPart::Name {
                    recorded: Some(PathBuf::from("/m/bob/name.wav")),
                    text: "Bob Haddad".into()
                },
                PromptPart::System("ca-not-available")
            ]
        );
        let tts = Greeting::TextToSpeech {
            text: "Please leave a message for Bob Haddad".into(),
        };
        assert_eq!(
            greeting_parts(&tts, Some("Bob Haddad")),
            vec![
                PromptPart::Name {
                    recorded: None,
                    text: "Bob Haddad".into()
                },
                PromptPart::System("ca-not-available")
            ]
        );
        assert_eq!(
            greeting_parts(&tts, Some("  ")),
            vec![PromptPart::System("ca-person-not-available")]
        );
        assert_eq!(
            greeting_parts(&Greeting::Unknown, Some("Bob")),
            vec![PromptPart::System("ca-person-not-available")]
        );
    }

    #[test]
    fn greeting_beep_record_then_message_sent() {
        let t0 = Instant::now();
        let mut d = CallAnsweringDialogue::new(
            vec![PromptPart::System("ca-person-not-available")],
            limits(),
        );
        let a = d.on_event(Event::Started, t0);
        assert_eq!(a[0], Action::StartTimer(Duration::from_secs(60)));
        assert!(
            matches!(&a[1], Action::Play { parts, .. } if parts[0] == PromptPart::System("ca-person-not-available"))
        );
        assert!(matches!(&a[2], Action::Play { parts, .. } if parts == &[PromptPart::Beep]));
        // Digits during the greeting are ignored.
        assert!(d.on_event(Event::Digit('#'), t0).is_empty());
        // The greeting took 25 s: 35 s of the call are left, less than the 40 s maximum.
        let a = d.on_event(Event::PlayDone, t0 + Duration::from_secs(25));
        assert_eq!(
            a,
            vec![
                Action::CancelTimer,
                Action::Record {
                    max: Duration::from_secs(35),
                    idle: Duration::from_secs(5)
                }
            ]
        );
        let a = d.on_event(
            Event::RecordingStopped {
                end: RecordingEnd::Pound,
                audio: Duration::from_secs(3),
            },
            t0 + Duration::from_secs(28),
        );
        assert_eq!(a[0], Action::DeliverRecording);
        assert!(
            matches!(&a[1], Action::Play { parts, .. } if parts == &[PromptPart::System("ca-message-sent")])
        );
        assert_eq!(
            a[2],
            Action::HangUp {
                after_prompts: true
            }
        );
        assert!(d.on_event(Event::HungUp, t0).is_empty());
    }

    #[test]
    fn hanging_up_before_the_beep_is_a_missed_call() {
        let t0 = Instant::now();
        let mut d = CallAnsweringDialogue::new(vec![], limits());
        d.on_event(Event::Started, t0);
        assert_eq!(
            d.on_event(Event::HungUp, t0),
            vec![Action::NotifyMissedCall]
        );
        assert!(d.on_event(Event::PlayDone, t0).is_empty());
    }

    #[test]
    fn hanging_up_while_recording_delivers_what_was_said() {
        let t0 = Instant::now();
        let mut d = CallAnsweringDialogue::new(vec![], limits());
        d.on_event(Event::Started, t0);
        d.on_event(Event::PlayDone, t0);
        let stopped = |audio| Event::RecordingStopped {
            end: RecordingEnd::HungUp,
            audio,
        };
        assert_eq!(
            d.on_event(stopped(Duration::from_millis(1500)), t0),
            vec![Action::DeliverRecording]
        );
        let mut silent = CallAnsweringDialogue::new(vec![], limits());
        silent.on_event(Event::Started, t0);
        silent.on_event(Event::PlayDone, t0);
        assert_eq!(
            silent.on_event(stopped(Duration::ZERO), t0),
            vec![Action::NotifyMissedCall]
        );
    }

    #[test]
    fn max_call_duration_during_the_greeting_hangs_up() {
        let t0 = Instant::now();
        let mut d = CallAnsweringDialogue::new(vec![], limits());
        d.on_event(Event::Started, t0);
        let a = d.on_event(Event::Timer, t0 + Duration::from_secs(60));
        assert_eq!(
            a,
            vec![
                Action::NotifyMissedCall,
                Action::HangUp {
                    after_prompts: false
                }
            ]
        );
    }

    #[test]
    fn dial_plan_limits_replace_the_defaults() {
        assert_eq!(Limits::default().max_call, Duration::from_secs(1800));
        assert_eq!(Limits::default().max_recording, Duration::from_secs(1200));
        assert_eq!(Limits::default().idle, Duration::from_secs(5));
    }
}
