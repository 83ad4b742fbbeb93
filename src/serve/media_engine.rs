//! The media engine of one answered call: a tokio task that runs a [`Dialogue`] against the
//! call's RTP socket. This file and `media::rtp`'s sans-IO pieces are the only RTP code: the
//! engine owns the UDP socket the worker opened for the call, the clock and the audio.
//!
//! - **Send**: prompts ([`prompts::render`]) are queued as 8 kHz samples and sent as 20 ms
//!   G.711 packets in the negotiated codec (PCMU/PCMA, the answer's payload type) at absolute
//!   deadlines ([`Pacer`]: packet n at start + n x 20 ms, so a late wake-up never accumulates
//!   into drift; a wake-up later than 100 ms drops the stale packets instead of bursting).
//!   Nothing is sent while no prompt plays; the next talkspurt continues the timestamps and
//!   carries the marker bit. The lateness of every send is kept ([`SendStats`]).
//! - **Receive**: [`RtpReceiver`] statistics; telephone-events (the offer's payload type)
//!   through [`DtmfReceiver`]; audio decoded and fed to the in-band [`DtmfDetector`].
//! - **Record**: while the dialogue records, the received payload bytes go to the crash-safe
//!   spool ([`Recorder`]) in timestamp order (gaps up to one second filled with silence, late
//!   packets dropped), until `#`, RecordingIdleTimeout of silence, the maximum, or BYE.
//! - **Deliver**: through the worker's `Arc<dyn Mailer>` ([`messages`]).
//!
//! The worker sends [`Control`]s (ACK, BYE); the engine asks the worker to send BYE by
//! putting the Call-ID on the hang-up channel. It does no SIP itself.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::messages::{deliver_missed_call, deliver_recording};
use super::prompts;
use super::recording::{CallInfo, Recorder, Spooled};
use crate::mail::Mailer;
use crate::media::rtp::{Pacer, PACKET_INTERVAL, SAMPLES_PER_PACKET};
use crate::media::sdp::Negotiated;
use crate::media::{DtmfDetector, DtmfReceiver, Law, RtpReceiver, RtpSender, RtpStats};
use crate::um::{Action, Dialogue, Event, PromptPart, RecordingEnd};

/// A wake-up later than this drops the stale packets instead of sending them in a burst.
const MAX_CATCH_UP: Duration = Duration::from_millis(100);
/// Timestamp gaps up to this many samples are filled with silence in a recording.
const MAX_GAP_FILL: u32 = 8000;
/// Mean absolute sample value above which a packet counts as voice (about -45 dBm0).
const VOICE_LEVEL: u32 = 120;
/// How long the engine waits for the ACK of its 200 before giving up.
const ACK_WAIT: Duration = Duration::from_secs(32);

/// What the worker tells a call's engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// The 200 was ACKed: media may start.
    Acked,
    /// The caller hung up (BYE, CANCEL) or serve is stopping.
    HungUp,
}

/// Send-side pacing figures: how late each packet left after its deadline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendStats {
    pub packets: u64,
    /// Packets dropped after a stall longer than 100 ms.
    pub dropped: u64,
    /// Lateness histogram, 0.1 ms buckets (the last bucket holds everything above 25 ms).
    buckets: Vec<u64>,
    pub max_late: Duration,
}

impl SendStats {
    fn record(&mut self, late: Duration) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; 251];
        }
        let i = ((late.as_micros() / 100) as usize).min(250);
        self.buckets[i] += 1;
        self.packets += 1;
        self.max_late = self.max_late.max(late);
    }

    /// The p-th percentile (0-100) of the lateness, to 0.1 ms.
    pub fn percentile(&self, p: f64) -> Duration {
        let target = ((self.packets as f64) * p / 100.0).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= target.max(1) {
                return Duration::from_micros(i as u64 * 100);
            }
        }
        Duration::ZERO
    }
}

/// What a finished call's media did.
#[derive(Clone, Debug)]
pub struct CallSummary {
    pub call_id: String,
    pub received: RtpStats,
    pub sent: SendStats,
    /// Samples recorded (8 kHz).
    pub recorded_samples: u64,
    /// Delivery failures, in words (the spool keeps the recording for the next start).
    pub errors: Vec<String>,
}

/// Everything one call's engine needs.
pub struct CallMedia {
    pub socket: std::net::UdpSocket,
    pub negotiated: Negotiated,
    pub dialogue: Box<dyn Dialogue>,
    pub info: CallInfo,
    /// The spool folder (`<lab>/recordings`).
    pub recordings: PathBuf,
    pub mailer: Arc<dyn Mailer>,
    pub control: mpsc::UnboundedReceiver<Control>,
    /// The engine puts the Call-ID here when the dialogue hangs up.
    pub hang_up: mpsc::UnboundedSender<String>,
}

struct Recording {
    recorder: Option<Recorder>,
    max_samples: u64,
    idle: Duration,
    last_voice: Instant,
    /// (SSRC, the timestamp the next packet should carry).
    next: Option<(u32, u32)>,
}

struct Engine {
    call_id: String,
    socket: UdpSocket,
    law: Law,
    audio_pt: u8,
    event_pt: Option<u8>,
    remote: Option<SocketAddr>,
    dialogue: Box<dyn Dialogue>,
    info: CallInfo,
    recordings: PathBuf,
    mailer: Arc<dyn Mailer>,
    hang_up: mpsc::UnboundedSender<String>,

    queue: VecDeque<i16>,
    barge_in: bool,
    pacer: Option<Pacer>,
    /// When the last talkspurt's next packet would have been due (to continue timestamps).
    talkspurt_end: Option<Instant>,
    sender: RtpSender,
    sent: SendStats,
    receiver: RtpReceiver,
    dtmf: DtmfReceiver,
    detector: DtmfDetector,

    pending_record: Option<(Duration, Duration)>,
    recording: Option<Recording>,
    finished: Option<Spooled>,
    recorded_samples: u64,
    timer: Option<Instant>,
    hang_up_after_prompts: bool,
    caller_gone: bool,
    done: bool,
    errors: Vec<String>,
}

/// Runs one call to its end.
pub async fn run(media: CallMedia) -> CallSummary {
    let CallMedia {
        socket,
        negotiated,
        dialogue,
        info,
        recordings,
        mailer,
        mut control,
        hang_up,
    } = media;
    let call_id = info.call_id.clone();
    let socket = match UdpSocket::from_std(socket) {
        Ok(s) => s,
        Err(e) => {
            return CallSummary {
                call_id,
                received: RtpReceiver::new(8000).stats(),
                sent: SendStats::default(),
                recorded_samples: 0,
                errors: vec![format!("RTP socket: {e}")],
            }
        }
    };
    let mut engine = Engine {
        call_id,
        socket,
        law: negotiated.codec.law(),
        audio_pt: negotiated.payload_type,
        event_pt: negotiated.telephone_event,
        remote: negotiated.remote,
        dialogue,
        info,
        recordings,
        mailer,
        hang_up,
        queue: VecDeque::new(),
        barge_in: false,
        pacer: None,
        talkspurt_end: None,
        sender: RtpSender::with_random_seed(negotiated.payload_type),
        sent: SendStats::default(),
        receiver: RtpReceiver::new(8000).with_event_payload_type(negotiated.telephone_event),
        dtmf: DtmfReceiver::new(),
        detector: DtmfDetector::new(),
        pending_record: None,
        recording: None,
        finished: None,
        recorded_samples: 0,
        timer: None,
        hang_up_after_prompts: false,
        caller_gone: false,
        done: false,
        errors: Vec::new(),
    };
    // Media starts with the ACK.
    let acked = tokio::time::timeout(ACK_WAIT, control.recv()).await;
    if matches!(acked, Ok(Some(Control::Acked))) {
        engine.event(Event::Started).await;
        engine.main_loop(&mut control).await;
    }
    CallSummary {
        call_id: engine.call_id,
        received: engine.receiver.stats(),
        sent: engine.sent,
        recorded_samples: engine.recorded_samples,
        errors: engine.errors,
    }
}

impl Engine {
    async fn main_loop(&mut self, control: &mut mpsc::UnboundedReceiver<Control>) {
        let mut buf = vec![0u8; 2048];
        let mut control_open = true;
        while !self.done {
            let wake = self.next_wake();
            tokio::select! {
                biased;
                c = control.recv(), if control_open => match c {
                    Some(Control::HungUp) => self.caller_hung_up().await,
                    Some(Control::Acked) => {}
                    None => {
                        control_open = false;
                        self.caller_hung_up().await;
                    }
                },
                _ = sleep_until(wake) => self.on_wake().await,
                r = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        let now = Instant::now();
                        self.on_datagram(&buf[..n], from, now).await;
                    }
                }
            }
        }
        if let Some(r) = self.recording.take() {
            // The loop ended while recording (cannot normally happen): keep the spool.
            if let Some(rec) = r.recorder {
                let _ = rec.finish(Instant::now());
            }
        }
    }

    /// The earliest of: the next packet, the dialogue's timer, the recording's limits, the
    /// spool's next fsync. `None`: nothing timed is pending.
    fn next_wake(&self) -> Option<Instant> {
        let mut wake: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                wake = Some(wake.map_or(t, |w| w.min(t)));
            }
        };
        if !self.queue.is_empty() {
            consider(self.pacer.map(|p| p.next_deadline()));
        }
        consider(self.timer);
        if let Some(r) = &self.recording {
            consider(Some(r.last_voice + r.idle));
            consider(Some(Instant::now() + super::recording::SYNC_EVERY));
        }
        wake
    }

    async fn on_wake(&mut self) {
        let now = Instant::now();
        self.send_due(now);
        if let Some(r) = &mut self.recording {
            if let Some(rec) = &mut r.recorder {
                if let Err(e) = rec.tick(now) {
                    self.errors.push(e.to_string());
                }
            }
            if now >= r.last_voice + r.idle {
                self.stop_recording(RecordingEnd::Silence).await;
            }
        }
        if self.timer.is_some_and(|t| now >= t) {
            self.timer = None;
            self.event(Event::Timer).await;
        }
        if self.queue.is_empty() && self.pacer.is_some() {
            self.playback_finished().await;
        }
    }

    /// Sends every packet due at `now` (at most 100 ms of catch-up).
    fn send_due(&mut self, now: Instant) {
        let Some(mut pacer) = self.pacer else {
            return;
        };
        if now.saturating_duration_since(pacer.next_deadline()) > MAX_CATCH_UP {
            let dropped = pacer.drop_late(now);
            self.sent.dropped += dropped;
            let samples = (dropped as usize * SAMPLES_PER_PACKET as usize).min(self.queue.len());
            self.queue.drain(..samples);
            self.sender.skip(dropped as u32 * SAMPLES_PER_PACKET);
        }
        while pacer.due(now) > 0 && !self.queue.is_empty() {
            let take = (SAMPLES_PER_PACKET as usize).min(self.queue.len());
            let mut samples: Vec<i16> = self.queue.drain(..take).collect();
            samples.resize(SAMPLES_PER_PACKET as usize, 0);
            let codes = self.law.encode(&samples);
            let deadline = pacer.next_deadline();
            pacer.advance();
            if let (Ok(packet), Some(remote)) = (self.sender.next_packet(&codes), self.remote) {
                let _ = self.socket.try_send_to(&packet, remote);
            }
            self.sent
                .record(Instant::now().saturating_duration_since(deadline));
        }
        self.talkspurt_end = Some(pacer.next_deadline());
        self.pacer = Some(pacer);
    }

    /// Starts paced sending if it is not running.
    fn start_pacing(&mut self, now: Instant) {
        if self.pacer.is_some() {
            return;
        }
        if let Some(end) = self.talkspurt_end {
            // Continue the RTP clock across the pause (the marker bit flags the new spurt).
            let gap = now.saturating_duration_since(end);
            let samples = (gap.as_micros() * 8 / 1000) as u32;
            self.sender.skip(samples);
        }
        self.pacer = Some(Pacer::new(now));
    }

    async fn playback_finished(&mut self) {
        self.pacer = None;
        if self.hang_up_after_prompts {
            self.end_call();
            return;
        }
        if let Some((max, idle)) = self.pending_record.take() {
            self.start_recording(max, idle, Instant::now());
        }
        self.event(Event::PlayDone).await;
    }

    async fn on_datagram(&mut self, datagram: &[u8], from: SocketAddr, now: Instant) {
        if self.remote.is_none() {
            self.remote = Some(from);
        }
        let Ok(packet) = self.receiver.receive(now, datagram) else {
            return;
        };
        if !packet.kind.is_new() {
            return;
        }
        let mut digits = Vec::new();
        if Some(packet.payload_type) == self.event_pt {
            if let Ok(d) = self
                .dtmf
                .push(packet.timestamp, packet.marker, packet.payload)
            {
                digits.extend(d.iter().map(|d| d.digit));
            }
        } else if packet.payload_type == self.audio_pt {
            if let Some(d) = self.dtmf.on_audio(packet.timestamp) {
                digits.push(d.digit);
            }
            let samples = self.law.decode(packet.payload);
            digits.extend(self.detector.process(&samples));
            let voice = samples
                .iter()
                .map(|s| u32::from(s.unsigned_abs()))
                .sum::<u32>()
                / (samples.len().max(1) as u32)
                > VOICE_LEVEL;
            if let Some(r) = &mut self.recording {
                if let Err(e) = record_packet(
                    r,
                    packet.ssrc,
                    packet.timestamp,
                    packet.payload,
                    voice,
                    self.law,
                    now,
                ) {
                    self.errors.push(e.to_string());
                }
                let samples = r.recorder.as_ref().map_or(0, Recorder::samples);
                if samples >= r.max_samples {
                    self.stop_recording(RecordingEnd::MaxDuration).await;
                }
            }
        }
        for d in digits {
            self.on_digit(d).await;
        }
    }

    async fn on_digit(&mut self, digit: char) {
        if self.recording.is_some() && digit == '#' {
            self.stop_recording(RecordingEnd::Pound).await;
            return;
        }
        if self.barge_in && !self.queue.is_empty() {
            self.queue.clear();
            self.pacer = None;
            self.pending_record = None;
        }
        self.event(Event::Digit(digit)).await;
    }

    fn start_recording(&mut self, max: Duration, idle: Duration, now: Instant) {
        let recorder = match Recorder::create(&self.recordings, &self.info, now) {
            Ok(r) => Some(r),
            Err(e) => {
                self.errors.push(e.to_string());
                None
            }
        };
        self.recording = Some(Recording {
            recorder,
            max_samples: (max.as_millis() as u64) * 8,
            idle,
            last_voice: now,
            next: None,
        });
    }

    async fn stop_recording(&mut self, end: RecordingEnd) {
        let Some(r) = self.recording.take() else {
            return;
        };
        let mut samples = 0;
        if let Some(rec) = r.recorder {
            samples = rec.samples();
            match rec.finish(Instant::now()) {
                Ok(s) => self.finished = Some(s),
                Err(e) => self.errors.push(e.to_string()),
            }
        }
        self.recorded_samples = samples;
        self.event(Event::RecordingStopped {
            end,
            audio: Duration::from_millis(samples / 8),
        })
        .await;
    }

    async fn caller_hung_up(&mut self) {
        if self.caller_gone {
            return;
        }
        self.caller_gone = true;
        self.queue.clear();
        self.pacer = None;
        self.pending_record = None;
        self.stop_recording(RecordingEnd::HungUp).await;
        self.event(Event::HungUp).await;
        self.done = true;
    }

    fn end_call(&mut self) {
        if !self.caller_gone {
            let _ = self.hang_up.send(self.call_id.clone());
        }
        self.done = true;
    }

    /// Feeds `first` to the dialogue and acts on its answers (which may raise more events).
    async fn event(&mut self, first: Event) {
        let mut events = VecDeque::from([first]);
        while let Some(ev) = events.pop_front() {
            let actions = self.dialogue.on_event(ev, Instant::now());
            let mut played = false;
            for action in actions {
                played |= matches!(action, Action::Play { .. });
                self.act(action, &mut events).await;
            }
            // Prompts that rendered to nothing have played at once.
            let gone = self.caller_gone || self.done;
            if played && !gone && self.queue.is_empty() && self.pacer.is_none() {
                if let Some((max, idle)) = self.pending_record.take() {
                    self.start_recording(max, idle, Instant::now());
                }
                events.push_back(Event::PlayDone);
            }
        }
    }

    async fn act(&mut self, action: Action, events: &mut VecDeque<Event>) {
        let gone = self.caller_gone || self.done;
        match action {
            Action::Play { parts, barge_in } if !gone => {
                let samples = render(parts).await;
                self.queue.extend(samples);
                self.barge_in = barge_in;
                if !self.queue.is_empty() {
                    self.start_pacing(Instant::now());
                }
            }
            Action::StopPlaying => {
                self.queue.clear();
                self.pacer = None;
            }
            Action::Record { max, idle } if !gone => {
                if self.queue.is_empty() {
                    self.start_recording(max, idle, Instant::now());
                } else {
                    self.pending_record = Some((max, idle));
                }
            }
            Action::DeliverRecording => {
                if let Some(spooled) = self.finished.take() {
                    let mailer = self.mailer.clone();
                    let r = tokio::task::spawn_blocking(move || {
                        deliver_recording(mailer.as_ref(), &spooled, false)
                    })
                    .await;
                    match r {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => self.errors.push(e.to_string()),
                        Err(e) => self.errors.push(e.to_string()),
                    }
                }
            }
            Action::NotifyMissedCall => {
                // A recording without audio is not a message.
                if let Some(s) = self.finished.take() {
                    let _ = s.remove();
                }
                let mailer = self.mailer.clone();
                let info = self.info.clone();
                let r = tokio::task::spawn_blocking(move || {
                    deliver_missed_call(mailer.as_ref(), &info)
                })
                .await;
                match r {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => self.errors.push(e.to_string()),
                    Err(e) => self.errors.push(e.to_string()),
                }
            }
            Action::StartTimer(d) => self.timer = Some(Instant::now() + d),
            Action::CancelTimer => self.timer = None,
            Action::Transfer { target } if !gone => {
                events.push_back(Event::TransferFailed(format!(
                    "this UM worker cannot transfer calls yet (to {target})"
                )));
            }
            Action::HangUp { after_prompts } => {
                if after_prompts && !self.queue.is_empty() && !gone {
                    self.hang_up_after_prompts = true;
                } else {
                    self.end_call();
                }
            }
            // Play, Record, Transfer after the caller hung up.
            _ => {}
        }
    }
}

/// Appends one audio packet to the recording, in timestamp order.
fn record_packet(
    r: &mut Recording,
    ssrc: u32,
    timestamp: u32,
    payload: &[u8],
    voice: bool,
    law: Law,
    now: Instant,
) -> Result<(), super::recording::RecordingError> {
    if voice {
        r.last_voice = now;
    }
    let Some(rec) = r.recorder.as_mut() else {
        return Ok(());
    };
    match r.next {
        Some((s, expected)) if s == ssrc => {
            let ahead = timestamp.wrapping_sub(expected) as i32;
            if ahead < 0 {
                return Ok(()); // late: its place in the recording has passed
            }
            if ahead > 0 && ahead as u32 <= MAX_GAP_FILL {
                rec.append(&vec![law.silence(); ahead as usize], now)?;
            }
        }
        _ => {}
    }
    rec.append(payload, now)?;
    r.next = Some((ssrc, timestamp.wrapping_add(payload.len() as u32)));
    Ok(())
}

async fn render(parts: Vec<PromptPart>) -> Vec<i16> {
    tokio::task::spawn_blocking(move || parts.iter().flat_map(prompts::render).collect())
        .await
        .unwrap_or_default()
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

/// The packet interval (for tests and benches).
pub const INTERVAL: Duration = PACKET_INTERVAL;
