//! What the caller hears and does once the UM worker has answered: call answering (greeting,
//! beep, record), Outlook Voice Access and the auto attendant are each a [`Dialogue`], a
//! sans-IO state machine fed [`Event`]s (with the time passed in) that answers with
//! [`Action`]s. The worker's media engine (`serve`) owns the sockets, the clock, the audio and
//! the mailbox files; a dialogue owns only the decisions, so every menu is tested without a
//! socket or a sleep.
//!
//! The contract between the two:
//! - the engine sends [`Event::Started`] once media flows, then one event per thing that
//!   happened; a dialogue never blocks and never reads the clock;
//! - [`Action::Play`] queues prompts (played in order, [`Event::PlayDone`] when the queue is
//!   empty); a digit pressed while a prompt plays is delivered at once as [`Event::Digit`] and
//!   stops the queue when the play was `barge_in` (the dialogue usually wants that);
//! - at most one timer is pending: [`Action::StartTimer`] replaces it, [`Event::Timer`] fires
//!   it once, [`Action::CancelTimer`] drops it;
//! - [`Action::HangUp`] is the last action the engine acts on: it sends BYE (the engine plays
//!   whatever is queued first when `after_prompts` is set).

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One piece of audio a dialogue asks for. The engine turns it into samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptPart {
    /// A shipped system prompt, `fixtures/prompts/<id>.wav` (ids in `prompts.txt`).
    System(&'static str),
    /// The 1 kHz tone before recording (`beep.wav`).
    Beep,
    /// Digits spoken one by one (`digit-N` prompts): an extension.
    Digits(String),
    /// A count spoken as a number (`digit-N`, `number-N`, `number-more` prompts).
    Number(u32),
    /// A person or menu entry: the recorded name when there is one, else text to speech of
    /// `text` (espeak-ng when installed), else the `no-tts-name` prompt.
    Name {
        recorded: Option<PathBuf>,
        text: String,
    },
    /// A WAV file as it is: a user's custom greeting, or a voice message's audio.
    File(PathBuf),
}

/// Why a recording stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordingEnd {
    /// The caller pressed `#`.
    Pound,
    /// `idle` passed with nothing but silence (RecordingIdleTimeout).
    Silence,
    /// The maximum recording time was reached.
    MaxDuration,
    /// The caller hung up (BYE) while recording.
    HungUp,
}

/// Something that happened on the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The call is answered and media flows.
    Started,
    /// The prompt queue ran empty (not sent when a barge-in digit stopped it).
    PlayDone,
    /// A DTMF digit (`0`-`9`, `*`, `#`, `A`-`D`), from RFC 4733 events or in-band tones.
    Digit(char),
    /// The pending timer fired.
    Timer,
    /// A recording the dialogue started has stopped; `audio` is how much was kept.
    RecordingStopped { end: RecordingEnd, audio: Duration },
    /// The caller hung up (BYE or CANCEL). The dialogue may still ask to deliver or notify;
    /// the engine ignores any Play, Record or Transfer after this.
    HungUp,
    /// A transfer the dialogue asked for failed (the reason in words).
    TransferFailed(String),
}

/// What the dialogue wants done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Queue prompts. `barge_in`: a digit stops them.
    Play {
        parts: Vec<PromptPart>,
        barge_in: bool,
    },
    /// Drop whatever is queued or playing.
    StopPlaying,
    /// Record the caller once the queued prompts have played; stops on `#`, after `idle` of
    /// silence, after `max`, or when the caller hangs up ([`Event::RecordingStopped`]).
    Record {
        max: Duration,
        idle: Duration,
    },
    /// Deliver the recording as a voice mail message (call answering).
    DeliverRecording,
    /// Send the called user a missed-call notification (the caller hung up before the beep).
    NotifyMissedCall,
    /// Fire [`Event::Timer`] after this long (replaces a pending timer).
    StartTimer(Duration),
    CancelTimer,
    /// Transfer the caller (a REFER or a 302, as domain.md B.5 describes) to a SIP URI or an
    /// extension in the dial plan.
    Transfer {
        target: String,
    },
    /// End the call (BYE), after the queued prompts when `after_prompts`.
    HangUp {
        after_prompts: bool,
    },
    /// Outlook Voice Access: the caller chose to leave `user` (a sAMAccountName) a message.
    /// The engine plays the queued prompts, then replaces this dialogue with call answering
    /// for that user on the same call (greeting, beep, record, deliver).
    LeaveMessageFor {
        user: String,
    },
}

/// What a menu did that the call's record keeps (Exchange's UMCallDataRecord fields): the
/// engine takes them after each event ([`Dialogue::take_notes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallNote {
    /// A sign-in attempt and how it ended (Outlook Voice Access).
    Logon(crate::records::Logon),
    /// The caller chose to be transferred to `target` (`name`: the menu entry or person).
    Chose {
        target: String,
        name: Option<String>,
    },
    /// UM says goodbye and hangs up for this reason (input or logon failures).
    Disconnect(crate::records::DropReason),
}

/// A caller-facing state machine: call answering, Outlook Voice Access, auto attendant.
pub trait Dialogue: Send {
    /// Reacts to `event`, which happened at `now`.
    fn on_event(&mut self, event: Event, now: Instant) -> Vec<Action>;

    /// What went wrong since the last call (a store failure, a failed transfer), for the
    /// engine's log; the caller has heard a prompt about it. Never holds a PIN.
    fn take_errors(&mut self) -> Vec<String> {
        Vec::new()
    }

    /// What happened since the last call, for the call's record.
    fn take_notes(&mut self) -> Vec<CallNote> {
        Vec::new()
    }
}
