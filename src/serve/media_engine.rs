//! The media engine of one answered call: a tokio task that runs a [`Dialogue`] against the
//! call's RTP socket. This file and `media::rtp`'s sans-IO pieces are the only RTP code: the
//! engine owns the UDP socket the worker opened for the call, the clock and the audio.
//!
//! - **Send**: prompts ([`prompts::render`]) are queued as shared 8 kHz clips ([`Playout`])
//!   and sent as 20 ms G.711 packets in the negotiated codec (PCMU/PCMA, the answer's payload type) at absolute
//!   deadlines ([`Pacer`]: packet n at start + n x 20 ms, so a late wake-up never accumulates
//!   into drift; a wake-up later than 100 ms drops the stale packets instead of bursting).
//!   Nothing is sent while no prompt plays; the next talkspurt continues the timestamps and
//!   carries the marker bit. The lateness of every send is kept ([`SendStats`]).
//! - **Receive**: [`RtpReceiver`] statistics; telephone-events (the offer's payload type)
//!   through [`DtmfReceiver`]; audio decoded and fed to the in-band [`DtmfDetector`] (the
//!   negotiated payload type, or the other static G.711 one, transcoded for the recording).
//! - **Record**: while the dialogue records, the received payload bytes go to the crash-safe
//!   spool ([`Recorder`]) in timestamp order (gaps up to one second filled with silence, late
//!   packets dropped), until `#`, RecordingIdleTimeout of silence, the maximum, or BYE.
//! - **Deliver**: through the worker's `Arc<dyn Mailer>` ([`messages`]).
//! - **Menus** ([`MenuMedia`], Outlook Voice Access and the auto attendant): a dialogue
//!   whose `on_event` may block (PIN checks are PBKDF2, mailbox files) runs in tokio's
//!   blocking pool (`spawn_blocking`, the dialogue moved in and back), never on the async
//!   threads; `LeaveMessageFor` replaces the dialogue with call answering for that user once
//!   the queued prompts have played; `Transfer` asks the worker for a REFER (blind transfer)
//!   while the `transfer` prompt plays, hangs up after it on a 2xx and reports
//!   `TransferFailed` otherwise; MaxCallDuration ends the call with a goodbye.
//!
//! - **SRTP** (Secured dial plans, [`SrtpSession`]): every packet out, audio and
//!   telephone-event alike, is protected with our key; every datagram in is unprotected
//!   with the caller's before anything reads it, and one that fails authentication or is
//!   replayed is dropped and counted ([`CallSummary::srtp`]). RTCP reports go out
//!   through `media::srtp::seal_rtcp` and come in through `media::srtp::open_rtcp`: SRTCP on a
//!   Secured call, plain RTCP otherwise.
//!
//! The worker sends [`Control`]s (ACK, BYE); the engine asks the worker to send BYE by
//! putting the Call-ID on the hang-up channel, and a REFER through the transfer channel. It
//! does no SIP itself.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::call_setup::{MessageFor, Silence};
use super::messages::{deliver_missed_call, deliver_recording};
use super::pacer::{Lane, Pacing};
use super::playout::{Clip, Playout};
use super::prompts;
use super::recording::{CallInfo, Recorder, Spooled};
use crate::mail::Mailer;
use crate::media::rtcp::{self, RtcpSession};
use crate::media::rtp::{Pacer, PACKET_INTERVAL, SAMPLES_PER_PACKET};
use crate::media::sdp::Negotiated;
use crate::media::srtp::{open_rtcp, seal_rtcp, SrtpContext, SrtpKeys, SrtpSession, SrtpStats};
use crate::media::{DtmfDetector, DtmfReceiver, Law, RtpReceiver, RtpSender, RtpStats};
use crate::um::caller::refer_to;
use crate::um::{Action, Dialogue, Event, PromptPart, RecordingEnd};

/// The engine wakes this long before the next packet's deadline: tokio's timer is late by up
/// to a millisecond (more on a loaded host), and the pacing thread needs the packet in hand.
const WAKE_AHEAD: Duration = Duration::from_millis(60);
/// At a wake-up, every packet due within this long is built and handed to the pacing thread
/// (two 20 ms packets in the steady state: one wake-up per 40 ms).
const HAND_AHEAD: Duration = Duration::from_millis(80);
/// After its last deadline, a prompt whose packets have not all left yet is looked at again
/// this much later.
const DRAIN_POLL: Duration = Duration::from_millis(1);
/// A wake-up later than this drops the stale packets instead of sending them in a burst.
const MAX_CATCH_UP: Duration = Duration::from_millis(100);
/// Timestamp gaps up to this many samples are filled with silence in a recording.
const MAX_GAP_FILL: u32 = 8000;
/// Mean absolute sample value above which a packet counts as voice (about -45 dBm0).
const VOICE_LEVEL: u32 = 120;
/// How long the engine waits for the ACK of its 200 before giving up.
const ACK_WAIT: Duration = Duration::from_secs(32);

/// A media engine's request for a blind transfer: the worker sends REFER in the call's
/// dialog and answers on `reply` (`Ok` on a 2xx, else the reason).
pub struct TransferRequest {
    pub call_id: String,
    pub refer_to: String,
    pub reply: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// What the worker tells a call's engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// The 200 was ACKed: media may start.
    Acked,
    /// The caller hung up (BYE, CANCEL).
    HungUp,
    /// Serve is stopping: the worker has sent BYE.
    Shutdown,
}

/// Who or what ended the call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ended {
    /// The caller (BYE or CANCEL).
    #[default]
    Caller,
    /// The dialogue hung up (goodbye, after a transfer, a failure limit).
    Um,
    /// Serve stopped.
    Shutdown,
    /// The 200 was never ACKed.
    NoAck,
    /// MaxCallDuration.
    MaxDuration,
}

/// What a delivered message was.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivered {
    /// A voice message of this many seconds, for this address.
    VoiceMessage { seconds: f64, to: String },
    /// A missed-call notification for this address.
    MissedCall { to: String },
}

/// What the call did, for its record.
#[derive(Clone, Debug, Default)]
pub struct CallEvents {
    pub notes: Vec<crate::um::CallNote>,
    /// Every key the caller pressed, in order.
    pub digits: String,
    /// The REFER asked for (the Refer-To) and its answer.
    pub transfer: Option<(String, Result<(), String>)>,
    pub delivered: Option<Delivered>,
    pub ended: Ended,
}

pub use super::pacer::SendStats;

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
    /// SRTP calls: the packets dropped unread (failed authentication, replayed, malformed).
    pub srtp: Option<SrtpStats>,
    /// SRTCP on SRTP calls: the reports dropped unread.
    pub srtcp: Option<SrtpStats>,
    pub events: CallEvents,
    /// The round trip RTCP measured (RFC 3550 6.4.1); `None` when the peer sent none.
    pub round_trip_ms: Option<f64>,
    /// RTCP reports (sent, received).
    pub rtcp_reports: (u64, u64),
}

/// The call's RTCP (`media::rtcp`): its socket, the session, when the next report is due and
/// where the peer's reports come from (else its RTP port + 1).
struct RtcpLink {
    socket: UdpSocket,
    session: RtcpSession,
    next: Instant,
    peer: Option<SocketAddr>,
    /// SRTCP on a Secured call: contexts of their own, so SRTCP's failures are told apart
    /// from the media's.
    srtcp: Option<SrtpSession>,
}

impl RtcpLink {
    fn open(
        socket: Option<std::net::UdpSocket>,
        ssrc: u32,
        cname: &str,
        keys: Option<&SrtpKeys>,
    ) -> Option<RtcpLink> {
        Some(RtcpLink {
            socket: UdpSocket::from_std(socket?).ok()?,
            session: RtcpSession::new(ssrc, cname),
            next: Instant::now() + rtcp::FIRST_REPORT,
            peer: None,
            srtcp: keys.map(SrtpKeys::session),
        })
    }

    /// Sends the report that is due: an SR when we sent RTP, else an RR.
    fn report(
        &mut self,
        now: Instant,
        sent: &SendStats,
        sender: &RtpSender,
        rx: &RtpStats,
        remote: Option<SocketAddr>,
    ) {
        self.next = now + rtcp::REPORT_INTERVAL;
        let info = (sent.packets > 0).then(|| rtcp::SenderInfo {
            ntp: 0,
            rtp_timestamp: sender.next_timestamp(),
            packets: sent.packets as u32,
            octets: (sent.packets * u64::from(SAMPLES_PER_PACKET)) as u32,
        });
        let bytes = self
            .session
            .report(now, rtcp::ntp_of(SystemTime::now()), info, rx);
        let to = self
            .peer
            .or_else(|| remote.map(|r| SocketAddr::new(r.ip(), r.port().wrapping_add(1))));
        // SRTCP on a Secured call.
        if let (Some(to), Some(bytes)) = (to, seal_rtcp(self.srtcp.as_mut(), bytes)) {
            let _ = self.socket.try_send_to(&bytes, to);
        }
    }

    /// A report from the peer; on a Secured call only one that passes SRTCP authentication
    /// counts (and only then does its source become where our reports go).
    fn received(&mut self, datagram: &[u8], from: SocketAddr) {
        let Some(report) = open_rtcp(self.srtcp.as_mut(), datagram) else {
            return;
        };
        self.peer = Some(from);
        let _ = self
            .session
            .receive(&report, Instant::now(), rtcp::ntp_of(SystemTime::now()));
    }
}

/// A datagram on the RTCP socket (never, without one).
async fn recv_rtcp(link: &Option<RtcpLink>, buf: &mut [u8]) -> Option<(usize, SocketAddr)> {
    match link {
        Some(l) => l.socket.recv_from(buf).await.ok(),
        None => std::future::pending().await,
    }
}

/// One line of figures for the log.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MediaFigures {
    pub call_id: String,
    pub sent_packets: u64,
    pub send_deviation_p99_ms: f64,
    pub send_deviation_max_ms: f64,
    pub send_dropped: u64,
    pub received_packets: u64,
    pub lost_packets: u64,
    pub jitter_ms: f64,
    pub recorded_seconds: f64,
    /// SRTP: packets that failed authentication (dropped, never decoded); absent for RTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_auth_failures: Option<u64>,
    /// SRTP: packets replayed or older than the replay window (dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_replayed: Option<u64>,
    /// SRTCP: reports that failed authentication or were replayed (dropped, never read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtcp_dropped: Option<u64>,
    /// SRTCP: plain RTCP that came in clear on the Secured call (dropped, never read; libre
    /// sends its closing BYE so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtcp_unprotected: Option<u64>,
}

impl CallSummary {
    pub fn figures(&self) -> MediaFigures {
        MediaFigures {
            call_id: self.call_id.clone(),
            sent_packets: self.sent.packets,
            send_deviation_p99_ms: self.sent.percentile(99.0).as_secs_f64() * 1000.0,
            send_deviation_max_ms: self.sent.max_late.as_secs_f64() * 1000.0,
            send_dropped: self.sent.dropped,
            received_packets: self.received.received,
            lost_packets: self.received.lost,
            jitter_ms: (self.received.jitter_ms * 100.0).round() / 100.0,
            recorded_seconds: self.recorded_samples as f64 / 8000.0,
            srtp_auth_failures: self.srtp.map(|s| s.auth_failures),
            srtp_replayed: self.srtp.map(|s| s.replayed),
            srtcp_dropped: self.srtcp.map(|s| s.auth_failures + s.replayed),
            srtcp_unprotected: self.srtcp.map(|s| s.unprotected),
        }
    }

    /// `call-id=... sent=N dev_p99=..ms ...` for the text log.
    pub fn to_text(&self) -> String {
        let f = self.figures();
        format!(
            "call-id={} sent={} deviation-p99={:.1}ms deviation-max={:.1}ms dropped={} received={} lost={} jitter={:.2}ms recorded={:.2}s",
            f.call_id,
            f.sent_packets,
            f.send_deviation_p99_ms,
            f.send_deviation_max_ms,
            f.send_dropped,
            f.received_packets,
            f.lost_packets,
            f.jitter_ms,
            f.recorded_seconds
        ) + &self
            .srtp
            .map(|s| format!(" srtp auth-failures={} replayed={}", s.auth_failures, s.replayed))
            .unwrap_or_default()
            + &f.srtcp_dropped
                .map(|n| format!(" srtcp-dropped={n}"))
                .unwrap_or_default()
            + &f.srtcp_unprotected
                .map(|n| format!(" srtcp-unprotected={n}"))
                .unwrap_or_default()
    }
}

/// Everything one call's engine needs.
pub struct CallMedia {
    pub socket: std::net::UdpSocket,
    /// The serve's pacing thread: every RTP packet leaves through it.
    pub pacing: Pacing,
    /// The RTCP socket (the RTP port + 1), when one was bound.
    pub rtcp: Option<std::net::UdpSocket>,
    pub negotiated: Negotiated,
    pub dialogue: Box<dyn Dialogue>,
    pub info: CallInfo,
    /// The spool folder (`<lab>/recordings`).
    pub recordings: PathBuf,
    pub mailer: Arc<dyn Mailer>,
    pub control: mpsc::UnboundedReceiver<Control>,
    /// The engine puts the Call-ID here when the dialogue hangs up.
    pub hang_up: mpsc::UnboundedSender<String>,
    /// What the menus need (`None`: call answering alone).
    pub menu: Option<MenuMedia>,
}

/// The menus' side of the engine: blocking dialogues, hand-over to call answering,
/// transfers, MaxCallDuration.
pub struct MenuMedia {
    /// The dialogue's `on_event` may block: run it in the blocking pool.
    pub blocking: bool,
    /// MaxCallDuration, from `Started`.
    pub max_call: Option<Duration>,
    /// Where `LeaveMessageFor` leads.
    pub message_for: Option<MessageFor>,
    /// The host of a transfer to an extension.
    pub transfer_domain: String,
    /// The worker's REFER channel.
    pub transfers: mpsc::UnboundedSender<TransferRequest>,
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
    socket: Arc<UdpSocket>,
    /// The way out through the pacing thread (which protects on a Secured call).
    lane: Lane,
    law: Law,
    audio_pt: u8,
    event_pt: Option<u8>,
    remote: Option<SocketAddr>,
    /// Secured dial plans: every packet in is unprotected (the lane protects those out).
    srtp: Option<SrtpContext>,
    dialogue: Box<dyn Dialogue>,
    info: CallInfo,
    recordings: PathBuf,
    mailer: Arc<dyn Mailer>,
    hang_up: mpsc::UnboundedSender<String>,

    queue: Playout,
    barge_in: bool,
    pacer: Option<Pacer>,
    /// When the last talkspurt's next packet would have been due (to continue timestamps).
    talkspurt_end: Option<Instant>,
    sender: RtpSender,
    /// Packets dropped after a stall (the lane counts those sent).
    dropped: u64,
    /// The deadline of the last packet handed to the lane.
    last_handed: Option<Instant>,
    receiver: RtpReceiver,
    dtmf: DtmfReceiver,
    detector: DtmfDetector,

    pending_record: Option<(Duration, Duration)>,
    recording: Option<Recording>,
    finished: Option<Spooled>,
    recorded_samples: u64,
    timer: Option<Instant>,
    hang_up_after_prompts: bool,
    menu: Option<MenuMedia>,
    /// A `LeaveMessageFor` waiting for the queued prompts.
    pending_handover: Option<String>,
    /// The worker's answer to our REFER.
    transfer_reply: Option<oneshot::Receiver<Result<(), String>>>,
    /// MaxCallDuration's deadline.
    call_deadline: Option<Instant>,
    /// Saying goodbye at MaxCallDuration: the dialogue hears nothing more.
    closing: bool,
    caller_gone: bool,
    done: bool,
    errors: Vec<String>,
    events: CallEvents,
    rtcp: Option<RtcpLink>,
}

/// Runs one call to its end.
pub async fn run(media: CallMedia) -> CallSummary {
    let CallMedia {
        socket,
        rtcp,
        negotiated,
        dialogue,
        info,
        recordings,
        mailer,
        mut control,
        hang_up,
        menu,
        pacing,
    } = media;
    let call_id = info.call_id.clone();
    let socket = match UdpSocket::from_std(socket) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            return CallSummary {
                call_id,
                received: RtpReceiver::new(8000).stats(),
                sent: SendStats::default(),
                recorded_samples: 0,
                errors: vec![format!("RTP socket: {e}")],
                srtp: None,
                srtcp: None,
                events: CallEvents::default(),
                round_trip_ms: None,
                rtcp_reports: (0, 0),
            }
        }
    };
    let sender = RtpSender::with_random_seed(negotiated.payload_type);
    let rtcp = RtcpLink::open(
        rtcp,
        sender.ssrc(),
        &format!("umctl@{}", info.to_address),
        negotiated.srtp.as_ref(),
    );
    let (srtp_out, srtp_in) = match negotiated.srtp.as_ref().map(SrtpKeys::session) {
        Some(SrtpSession { outbound, inbound }) => (Some(outbound), Some(inbound)),
        None => (None, None),
    };
    let mut engine = Engine {
        call_id,
        lane: pacing.lane(socket.clone(), srtp_out),
        socket,
        law: negotiated.codec.law(),
        audio_pt: negotiated.payload_type,
        event_pt: negotiated.telephone_event,
        remote: negotiated.remote,
        srtp: srtp_in,
        dialogue,
        info,
        recordings,
        mailer,
        hang_up,
        queue: Playout::new(),
        barge_in: false,
        pacer: None,
        talkspurt_end: None,
        sender,
        dropped: 0,
        last_handed: None,
        receiver: RtpReceiver::new(8000).with_event_payload_type(negotiated.telephone_event),
        dtmf: DtmfReceiver::new(),
        detector: DtmfDetector::new(),
        pending_record: None,
        recording: None,
        finished: None,
        recorded_samples: 0,
        timer: None,
        hang_up_after_prompts: false,
        menu,
        pending_handover: None,
        transfer_reply: None,
        call_deadline: None,
        closing: false,
        caller_gone: false,
        done: false,
        errors: Vec::new(),
        events: CallEvents::default(),
        rtcp,
    };
    // Media starts with the ACK.
    let acked = tokio::time::timeout(ACK_WAIT, control.recv()).await;
    if matches!(acked, Ok(Some(Control::Acked))) {
        engine.call_deadline = engine
            .menu
            .as_ref()
            .and_then(|m| m.max_call)
            .map(|d| Instant::now() + d);
        engine.event(Event::Started).await;
        engine.main_loop(&mut control).await;
    } else {
        engine.events.ended = match acked {
            Ok(Some(Control::Shutdown)) => Ended::Shutdown,
            Err(_) => Ended::NoAck,
            _ => Ended::Caller,
        };
    }
    let sent = engine.sent_stats();
    CallSummary {
        call_id: engine.call_id,
        received: engine.receiver.stats(),
        sent,
        recorded_samples: engine.recorded_samples,
        srtp: engine.srtp.as_ref().map(SrtpContext::stats),
        srtcp: engine
            .rtcp
            .as_ref()
            .and_then(|l| l.srtcp.as_ref())
            .map(|s| s.inbound.stats()),
        errors: engine.errors,
        events: engine.events,
        round_trip_ms: engine
            .rtcp
            .as_ref()
            .and_then(|l| l.session.round_trip())
            .map(|d| d.as_secs_f64() * 1000.0),
        rtcp_reports: engine
            .rtcp
            .as_ref()
            .map_or((0, 0), |l| (l.session.sent, l.session.received)),
    }
}

impl Engine {
    async fn main_loop(&mut self, control: &mut mpsc::UnboundedReceiver<Control>) {
        let mut buf = vec![0u8; 2048];
        let mut rtcp_buf = vec![0u8; 1500];
        let mut control_open = true;
        while !self.done {
            if !self.playing() && !self.caller_gone {
                if let Some(user) = self.pending_handover.take() {
                    self.hand_over(user).await;
                    continue;
                }
            }
            let wake = self.next_wake();
            tokio::select! {
                biased;
                c = control.recv(), if control_open => match c {
                    Some(Control::HungUp) => self.caller_hung_up().await,
                    Some(Control::Shutdown) => {
                        if !self.done {
                            self.events.ended = Ended::Shutdown;
                        }
                        self.caller_hung_up().await;
                    }
                    Some(Control::Acked) => {}
                    None => {
                        control_open = false;
                        self.caller_hung_up().await;
                    }
                },
                _ = sleep_until(wake) => self.on_wake().await,
                r = transfer_answer(&mut self.transfer_reply) => {
                    self.transfer_reply = None;
                    self.transfer_answered(r).await;
                }
                r = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        let now = Instant::now();
                        self.on_datagram(&buf[..n], from, now).await;
                    }
                }
                Some((n, from)) = recv_rtcp(&self.rtcp, &mut rtcp_buf) => {
                    if let Some(l) = self.rtcp.as_mut() {
                        l.received(&rtcp_buf[..n], from);
                    }
                }
            }
        }
        if let Some(r) = self.recording.take() {
            // The loop ended while recording (cannot normally happen): keep the spool.
            if let Some(rec) = r.recorder {
                let _ = tokio::task::spawn_blocking(move || rec.finish(Instant::now())).await;
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
            consider(self.pacer.map(|p| {
                let d = p.next_deadline();
                d.checked_sub(WAKE_AHEAD).unwrap_or(d)
            }));
        } else if self.pacer.is_some() {
            // The prompt is over once its last packet has left.
            let now = Instant::now();
            consider(Some(
                self.last_handed.map_or(now, |t| t.max(now + DRAIN_POLL)),
            ));
        }
        consider(self.timer);
        consider(self.call_deadline);
        consider(self.rtcp.as_ref().map(|l| l.next));
        if let Some(r) = &self.recording {
            consider(Some(r.last_voice + r.idle));
            consider(Some(Instant::now() + super::recording::SYNC_EVERY));
        }
        wake
    }

    async fn on_wake(&mut self) {
        let now = Instant::now();
        self.send_due(now);
        // The lane's figures only when a report is due (they are shared with the pacing thread).
        let sent = match &self.rtcp {
            Some(l) if now >= l.next => self.sent_stats(),
            _ => SendStats::default(),
        };
        if let Some(l) = self.rtcp.as_mut().filter(|l| now >= l.next) {
            l.report(
                now,
                &sent,
                &self.sender,
                &self.receiver.stats(),
                self.remote,
            );
        }
        self.sync_recording(now);
        if let Some(r) = &mut self.recording {
            if now >= r.last_voice + r.idle {
                self.stop_recording(RecordingEnd::Silence).await;
            }
        }
        if self.timer.is_some_and(|t| now >= t) {
            self.timer = None;
            self.event(Event::Timer).await;
        }
        if self.call_deadline.is_some_and(|t| now >= t) {
            self.call_deadline = None;
            self.max_call_reached().await;
        }
        if self.queue.is_empty() && self.pacer.is_some() && self.lane.pending() == 0 {
            self.playback_finished().await;
        }
    }

    /// Hands the pacing thread every packet due within [`HAND_AHEAD`] of `now` (a wake-up
    /// more than 100 ms late drops the stale packets instead).
    fn send_due(&mut self, now: Instant) {
        let Some(mut pacer) = self.pacer else {
            return;
        };
        if now.saturating_duration_since(pacer.next_deadline()) > MAX_CATCH_UP {
            let dropped = pacer.drop_late(now);
            self.dropped += dropped;
            self.queue
                .skip(dropped as usize * SAMPLES_PER_PACKET as usize);
            self.sender.skip(dropped as u32 * SAMPLES_PER_PACKET);
        }
        while pacer.due(now + HAND_AHEAD) > 0 && !self.queue.is_empty() {
            let mut samples = self.queue.take(SAMPLES_PER_PACKET as usize);
            samples.resize(SAMPLES_PER_PACKET as usize, 0);
            let codes = self.law.encode(&samples);
            let deadline = pacer.next_deadline();
            pacer.advance();
            if let (Ok(packet), Some(remote)) = (self.sender.next_packet(&codes), self.remote) {
                self.lane.hand(packet, remote, deadline);
            }
            self.last_handed = Some(deadline);
        }
        self.talkspurt_end = Some(pacer.next_deadline());
        self.pacer = Some(pacer);
    }

    /// Stops the prompt: the queue is dropped and so are the packets handed over and not
    /// sent; their sequence numbers and timestamps are given back, so the wire shows only
    /// what left (the next talkspurt carries the marker, as after any pause).
    fn stop_playing(&mut self) {
        self.queue.clear();
        self.pacer = None;
        let unsent = self.lane.cancel();
        if unsent > 0 {
            self.sender.rewind(unsent);
            self.talkspurt_end = self
                .talkspurt_end
                .and_then(|t| t.checked_sub(PACKET_INTERVAL * unsent));
        }
    }

    /// A prompt is queued or its last packets have not all left yet.
    fn playing(&self) -> bool {
        !self.queue.is_empty() || self.pacer.is_some()
    }

    /// What the lane sent, with the packets dropped here after a stall.
    fn sent_stats(&self) -> SendStats {
        let mut stats = self.lane.stats();
        stats.dropped = self.dropped;
        stats
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
        if self.pending_handover.is_some() {
            return; // the main loop hands the call over
        }
        if let Some((max, idle)) = self.pending_record.take() {
            self.start_recording(max, idle, Instant::now()).await;
        }
        self.event(Event::PlayDone).await;
    }

    async fn on_datagram(&mut self, datagram: &[u8], from: SocketAddr, now: Instant) {
        // SRTP: a packet that fails authentication or is replayed is counted and dropped
        // before anything reads it (not even the RTP statistics).
        let clear;
        let datagram = match &mut self.srtp {
            Some(srtp) => match srtp.unprotect_rtp(datagram) {
                Ok(p) => {
                    clear = p;
                    clear.as_slice()
                }
                Err(_) => return,
            },
            None => datagram,
        };
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
        } else if let Some(law_in) = self.audio_law(packet.payload_type) {
            if let Some(d) = self.dtmf.on_audio(packet.timestamp) {
                digits.push(d.digit);
            }
            let samples = law_in.decode(packet.payload);
            // The spool holds the negotiated law; a peer that sends the other one anyway
            // (static PT 0 or 8) is transcoded.
            let transcoded;
            let codes = if law_in == self.law {
                packet.payload
            } else {
                transcoded = self.law.encode(&samples);
                transcoded.as_slice()
            };
            digits.extend(self.detector.process(&samples));
            let voice = samples
                .iter()
                .map(|s| u32::from(s.unsigned_abs()))
                .sum::<u32>()
                / (samples.len().max(1) as u32)
                > VOICE_LEVEL;
            if let Some(r) = &mut self.recording {
                let result = record_packet(
                    r,
                    packet.ssrc,
                    packet.timestamp,
                    codes,
                    voice,
                    self.law,
                    now,
                );
                if let Err(e) = result {
                    self.errors.push(e.to_string());
                }
                let samples = r.recorder.as_ref().map_or(0, Recorder::samples);
                let full = samples >= r.max_samples;
                self.sync_recording(now);
                if full {
                    self.stop_recording(RecordingEnd::MaxDuration).await;
                }
            }
        }
        for d in digits {
            self.on_digit(d).await;
        }
    }

    /// The G.711 law of an audio payload type: the negotiated one, or the other static one
    /// (0 PCMU, 8 PCMA) that some gateways send regardless of the answer.
    fn audio_law(&self, payload_type: u8) -> Option<Law> {
        match payload_type {
            pt if pt == self.audio_pt => Some(self.law),
            0 => Some(Law::Mu),
            8 => Some(Law::A),
            _ => None,
        }
    }

    async fn on_digit(&mut self, digit: char) {
        self.events.digits.push(digit);
        if self.closing || self.pending_handover.is_some() {
            return;
        }
        if self.recording.is_some() && digit == '#' {
            self.stop_recording(RecordingEnd::Pound).await;
            return;
        }
        if self.barge_in && self.playing() {
            self.stop_playing();
            self.pending_record = None;
        }
        self.event(Event::Digit(digit)).await;
    }

    /// Fsyncs the spool in the blocking pool when a sync is due.
    fn sync_recording(&mut self, now: Instant) {
        let Some(rec) = self.recording.as_mut().and_then(|r| r.recorder.as_mut()) else {
            return;
        };
        match rec.sync_due(now) {
            Ok(Some(f)) => {
                tokio::task::spawn_blocking(move || f.sync_data());
            }
            Ok(None) => {}
            Err(e) => self.errors.push(e.to_string()),
        }
    }

    async fn start_recording(&mut self, max: Duration, idle: Duration, now: Instant) {
        let (dir, info) = (self.recordings.clone(), self.info.clone());
        let created =
            tokio::task::spawn_blocking(move || Recorder::create(&dir, &info, Instant::now()))
                .await;
        let recorder = match created {
            Ok(Ok(r)) => Some(r),
            Ok(Err(e)) => {
                self.errors.push(e.to_string());
                None
            }
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
            match tokio::task::spawn_blocking(move || rec.finish(Instant::now())).await {
                Ok(Ok(s)) => self.finished = Some(s),
                Ok(Err(e)) => self.errors.push(e.to_string()),
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
        self.stop_playing();
        self.pending_record = None;
        self.stop_recording(RecordingEnd::HungUp).await;
        self.event(Event::HungUp).await;
        self.done = true;
    }

    fn end_call(&mut self) {
        if !self.caller_gone {
            if self.events.ended == Ended::Caller {
                self.events.ended = Ended::Um;
            }
            let _ = self.hang_up.send(self.call_id.clone());
        }
        self.done = true;
    }

    /// MaxCallDuration: the queue is dropped, a goodbye played, then BYE.
    async fn max_call_reached(&mut self) {
        if self.caller_gone || self.done {
            return;
        }
        self.events.ended = Ended::MaxDuration;
        self.closing = true;
        self.pending_handover = None;
        self.stop_playing();
        self.timer = None;
        let mut none = VecDeque::new();
        self.act(
            Action::Play {
                parts: vec![PromptPart::System("goodbye")],
                barge_in: false,
            },
            &mut none,
        )
        .await;
        self.act(
            Action::HangUp {
                after_prompts: true,
            },
            &mut none,
        )
        .await;
    }

    /// `LeaveMessageFor`: call answering for `user` replaces the dialogue on this call.
    async fn hand_over(&mut self, user: String) {
        let Some(message_for) = self.menu.as_ref().and_then(|m| m.message_for.clone()) else {
            self.errors.push(format!(
                "no call answering to hand the call to {user} over to"
            ));
            self.say_goodbye().await;
            return;
        };
        let setup = tokio::task::spawn_blocking(move || message_for.setup(&user)).await;
        match setup {
            Ok(Ok((dialogue, info))) => {
                self.dialogue = dialogue;
                self.info = info;
                self.timer = None;
                if let Some(m) = self.menu.as_mut() {
                    m.blocking = false;
                    // Call answering keeps its own MaxCallDuration from here on.
                    m.max_call = None;
                }
                self.call_deadline = None;
                self.event(Event::Started).await;
            }
            Ok(Err(e)) => {
                self.errors.push(e);
                self.say_goodbye().await;
            }
            Err(e) => {
                self.errors.push(e.to_string());
                self.say_goodbye().await;
            }
        }
    }

    /// A goodbye and BYE when the dialogue cannot go on.
    async fn say_goodbye(&mut self) {
        self.dialogue = Box::new(Silence);
        let mut none = VecDeque::new();
        for a in crate::um::keypad::farewell("goodbye") {
            self.act(a, &mut none).await;
        }
    }

    /// The worker's answer to our REFER.
    async fn transfer_answered(&mut self, answer: Result<(), String>) {
        if let Some((_, result)) = &mut self.events.transfer {
            *result = answer.clone();
        }
        match answer {
            Ok(()) => {
                if !self.playing() {
                    self.end_call();
                } else {
                    self.hang_up_after_prompts = true;
                }
            }
            Err(reason) => self.event(Event::TransferFailed(reason)).await,
        }
    }

    /// Runs the dialogue on one event: in the blocking pool when it may block.
    async fn dialogue_on(&mut self, ev: Event) -> Vec<Action> {
        let now = Instant::now();
        if !self.menu.as_ref().is_some_and(|m| m.blocking) {
            let actions = self.dialogue.on_event(ev, now);
            self.errors.extend(self.dialogue.take_errors());
            self.events.notes.extend(self.dialogue.take_notes());
            return actions;
        }
        let mut dialogue = std::mem::replace(&mut self.dialogue, Box::new(Silence));
        match tokio::task::spawn_blocking(move || {
            let actions = dialogue.on_event(ev, now);
            (dialogue, actions)
        })
        .await
        {
            Ok((mut d, actions)) => {
                self.errors.extend(d.take_errors());
                self.events.notes.extend(d.take_notes());
                self.dialogue = d;
                actions
            }
            Err(e) => {
                self.errors.push(format!("the dialogue failed: {e}"));
                crate::um::keypad::farewell("goodbye")
            }
        }
    }

    /// Feeds `first` to the dialogue and acts on its answers (which may raise more events).
    async fn event(&mut self, first: Event) {
        let mut events = VecDeque::from([first]);
        while let Some(ev) = events.pop_front() {
            if self.closing && ev != Event::HungUp {
                continue;
            }
            let actions = self.dialogue_on(ev).await;
            let mut played = false;
            for action in actions {
                played |= matches!(action, Action::Play { .. });
                self.act(action, &mut events).await;
            }
            // Prompts that rendered to nothing have played at once.
            let gone = self.caller_gone || self.done;
            if played && !gone && self.queue.is_empty() && self.pacer.is_none() {
                if let Some((max, idle)) = self.pending_record.take() {
                    self.start_recording(max, idle, Instant::now()).await;
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
            Action::StopPlaying => self.stop_playing(),
            Action::Record { max, idle } if !gone => {
                if !self.playing() {
                    self.start_recording(max, idle, Instant::now()).await;
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
                        Ok(Ok(_)) => {
                            self.events.delivered = Some(if self.recorded_samples == 0 {
                                Delivered::MissedCall {
                                    to: self.info.to_address.clone(),
                                }
                            } else {
                                Delivered::VoiceMessage {
                                    seconds: self.recorded_samples as f64 / 8000.0,
                                    to: self.info.to_address.clone(),
                                }
                            });
                        }
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
                    Ok(Ok(_)) => {
                        self.events.delivered = Some(Delivered::MissedCall {
                            to: self.info.to_address.clone(),
                        });
                    }
                    Ok(Err(e)) => self.errors.push(e.to_string()),
                    Err(e) => self.errors.push(e.to_string()),
                }
            }
            Action::StartTimer(d) => self.timer = Some(Instant::now() + d),
            Action::CancelTimer => self.timer = None,
            Action::Transfer { target } if !gone => match &self.menu {
                Some(m) => {
                    let (reply, rx) = oneshot::channel();
                    let request = TransferRequest {
                        call_id: self.call_id.clone(),
                        refer_to: refer_to(&target, &m.transfer_domain),
                        reply,
                    };
                    self.events.transfer = Some((
                        target.clone(),
                        Err("no answer to the REFER before the call ended".into()),
                    ));
                    if m.transfers.send(request).is_ok() {
                        self.transfer_reply = Some(rx);
                    } else {
                        events.push_back(Event::TransferFailed(
                            "the UM worker is stopping".to_string(),
                        ));
                    }
                }
                None => events.push_back(Event::TransferFailed(format!(
                    "this call cannot be transferred (to {target})"
                ))),
            },
            // The main loop hands over once the queued prompts have played.
            Action::LeaveMessageFor { user } if !gone => self.pending_handover = Some(user),
            Action::HangUp { after_prompts } => {
                if after_prompts && self.playing() && !gone {
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
                rec.append(&vec![law.silence(); ahead as usize])?;
            }
        }
        _ => {}
    }
    rec.append(payload)?;
    r.next = Some((ssrc, timestamp.wrapping_add(payload.len() as u32)));
    Ok(())
}

async fn render(parts: Vec<PromptPart>) -> Vec<Clip> {
    tokio::task::spawn_blocking(move || parts.iter().flat_map(prompts::render).collect())
        .await
        .unwrap_or_default()
}

/// The answer to a pending REFER (never, when none is pending).
async fn transfer_answer(
    reply: &mut Option<oneshot::Receiver<Result<(), String>>>,
) -> Result<(), String> {
    match reply {
        Some(rx) => rx
            .await
            .unwrap_or_else(|_| Err("the UM worker dropped the transfer".to_string())),
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

/// The packet interval (for tests and benches).
pub const INTERVAL: Duration = PACKET_INTERVAL;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mail::{DeliveryReceipt, MailError, OutgoingMessage};
    use crate::media::sdp::{Codec, Direction};
    use crate::media::DtmfSender;
    use crate::um::{CallAnsweringDialogue, Limits};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Capture(Mutex<Vec<OutgoingMessage>>);

    impl Mailer for Capture {
        fn deliver(&self, msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError> {
            self.0.lock().unwrap().push(msg);
            Ok(DeliveryReceipt::Delivered { paths: vec![] })
        }
    }

    impl Capture {
        fn texts(&self) -> Vec<String> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .map(|m| String::from_utf8_lossy(&m.bytes).into_owned())
                .collect()
        }
    }

    /// A dialogue that plays one prompt and hangs up after it.
    struct PlayOnce(&'static str);

    impl Dialogue for PlayOnce {
        fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
            match event {
                Event::Started => vec![
                    Action::Play {
                        parts: vec![PromptPart::System(self.0)],
                        barge_in: false,
                    },
                    Action::HangUp {
                        after_prompts: true,
                    },
                ],
                _ => vec![],
            }
        }
    }

    struct Call {
        peer: std::net::UdpSocket,
        engine_addr: SocketAddr,
        control: mpsc::UnboundedSender<Control>,
        hang_ups: mpsc::UnboundedReceiver<String>,
        task: tokio::task::JoinHandle<CallSummary>,
        mailer: Arc<Capture>,
        _spool: tempfile::TempDir,
    }

    fn info() -> CallInfo {
        CallInfo {
            call_id: "engine-test@127.0.0.1".into(),
            from_number: "alice".into(),
            from_name: Some("Alice Adams".into()),
            from_address: None,
            to_name: Some("Bob Haddad".into()),
            to_address: "bob@contoso.com".into(),
            received_unix_ms: 1_700_000_000_000,
            codec: "PCMA".into(),
        }
    }

    fn start(dialogue: Box<dyn Dialogue>) -> Call {
        start_with(dialogue, None)
    }

    fn start_with(dialogue: Box<dyn Dialogue>, menu: Option<MenuMedia>) -> Call {
        start_secured(dialogue, menu, None)
    }

    fn start_secured(
        dialogue: Box<dyn Dialogue>,
        menu: Option<MenuMedia>,
        srtp: Option<SrtpKeys>,
    ) -> Call {
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let engine_addr = socket.local_addr().unwrap();
        let negotiated = Negotiated {
            media_index: 0,
            codec: Codec::Pcma,
            payload_type: 8,
            telephone_event: Some(101),
            remote: Some(peer.local_addr().unwrap()),
            direction: Direction::SendRecv,
            remote_ptime: None,
            srtp,
        };
        let (control, control_rx) = mpsc::unbounded_channel();
        let (hang_up, hang_ups) = mpsc::unbounded_channel();
        let mailer = Arc::new(Capture::default());
        let spool = tempfile::tempdir().unwrap();
        let media = CallMedia {
            pacing: Pacing::start().unwrap(),
            rtcp: None,
            socket,
            negotiated,
            dialogue,
            info: info(),
            recordings: spool.path().to_path_buf(),
            mailer: mailer.clone(),
            control: control_rx,
            hang_up,
            menu,
        };
        let task = tokio::spawn(run(media));
        Call {
            peer,
            engine_addr,
            control,
            hang_ups,
            task,
            mailer,
            _spool: spool,
        }
    }

    /// Receives RTP on the caller's socket until `quiet` passes without a packet.
    /// (The first packet may take up to 5 s: a loaded machine, a debug build.)
    fn receive_all(peer: &std::net::UdpSocket, quiet: Duration) -> Vec<(Instant, Vec<u8>)> {
        peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 2048];
        while let Ok(n) = peer.recv(&mut buf) {
            out.push((Instant::now(), buf[..n].to_vec()));
            peer.set_read_timeout(Some(quiet)).unwrap();
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn prompts_leave_every_20_ms_in_the_negotiated_codec() {
        let mut call = start(Box::new(PlayOnce("ca-message-sent")));
        // The receiving thread is waiting in recv() before media starts, so no packet waits
        // in the socket buffer and every arrival time is real.
        let peer = call.peer.try_clone().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let receiver = std::thread::spawn(move || {
            ready_tx.send(()).unwrap();
            receive_all(&peer, Duration::from_millis(500))
        });
        ready_rx.recv().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        call.control.send(Control::Acked).unwrap();
        let packets = tokio::task::spawn_blocking(move || receiver.join().unwrap())
            .await
            .unwrap();
        let expected = prompts::system("ca-message-sent").len().div_ceil(160);
        assert_eq!(packets.len(), expected);
        // Header: version 2, payload type 8 (PCMA), consecutive sequence numbers and
        // timestamps 160 apart; the payload is the prompt in A-law.
        let first = &packets[0].1;
        assert_eq!(first[0] >> 6, 2);
        assert_eq!(first[1] & 0x7f, 8);
        assert_eq!(first[1] & 0x80, 0x80, "the first packet carries the marker");
        let samples = prompts::system("ca-message-sent");
        assert_eq!(&first[12..], Law::A.encode(&samples[..160]).as_slice());
        for w in packets.windows(2) {
            let (a, b) = (&w[0].1, &w[1].1);
            let seq = |p: &[u8]| u16::from_be_bytes([p[2], p[3]]);
            let ts = |p: &[u8]| u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
            assert_eq!(seq(b), seq(a).wrapping_add(1));
            assert_eq!(ts(b), ts(a).wrapping_add(160));
        }
        // Arrival times against the 20 ms grid that fits best (the median offset).
        let t0 = packets[0].0;
        let offsets: Vec<f64> = packets
            .iter()
            .enumerate()
            .map(|(i, (t, _))| {
                t.duration_since(t0).as_secs_f64() - INTERVAL.as_secs_f64() * i as f64
            })
            .collect();
        let mut sorted = offsets.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let mut deviations: Vec<Duration> = offsets
            .iter()
            .map(|o| Duration::from_secs_f64((o - median).abs()))
            .collect();
        deviations.sort();
        let p99 = deviations[(deviations.len() * 99 / 100).min(deviations.len() - 1)];
        println!(
            "RTP arrival deviation from the 20 ms grid over {} packets: p99 {:?}, max {:?}",
            packets.len(),
            p99,
            deviations.last().unwrap()
        );
        // Loose on purpose: this machine is shared (load 6-7 on 2 cores was seen, with a p99
        // of 48 ms in one run), so the figure that matters is printed here and measured in
        // benches/voicemail_load.sh. What must hold on any machine: half the packets leave
        // within 3 ms of the grid, and the stream does not drift (absolute deadlines): the
        // last packet is within one interval of where the grid puts it.
        let median_dev = deviations[deviations.len() / 2];
        assert!(
            median_dev < Duration::from_millis(3),
            "median {median_dev:?}"
        );
        let drift = (offsets[offsets.len() - 1] - median).abs();
        assert!(drift < INTERVAL.as_secs_f64(), "drift {drift} s");
        // The dialogue hung up after the prompt.
        assert_eq!(call.hang_ups.recv().await.unwrap(), "engine-test@127.0.0.1");
        let summary = call.task.await.unwrap();
        assert_eq!(summary.sent.packets, expected as u64);
        println!(
            "send deviation from the deadlines: p99 {:?}, max {:?}",
            summary.sent.percentile(99.0),
            summary.sent.max_late
        );
    }

    fn audio_packet(seq: u16, ts: u32, codes: &[u8]) -> Vec<u8> {
        pt_packet(8, seq, ts, codes)
    }

    fn pt_packet(pt: u8, seq: u16, ts: u32, codes: &[u8]) -> Vec<u8> {
        let mut p = vec![0x80, pt, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p[4..8].copy_from_slice(&ts.to_be_bytes());
        p.extend_from_slice(codes);
        p
    }

    fn limits() -> Limits {
        Limits {
            max_call: Duration::from_secs(60),
            max_recording: Duration::from_secs(30),
            idle: Duration::from_secs(5),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pound_ends_the_recording_and_the_message_is_delivered_before_bye() {
        let dialogue = CallAnsweringDialogue::new(vec![], limits());
        let mut call = start(Box::new(dialogue));
        call.control.send(Control::Acked).unwrap();
        // Wait for the beep to be over (the engine stops sending).
        let peer = call.peer.try_clone().unwrap();
        let beep =
            tokio::task::spawn_blocking(move || receive_all(&peer, Duration::from_millis(300)))
                .await
                .unwrap();
        assert_eq!(beep.len(), prompts::system("beep").len().div_ceil(160));
        // One second of a voice-like signal, then '#'.
        let codes: Vec<u8> = (0..8000)
            .map(|i| Law::A.encode_sample(((i as f64 * 0.3).sin() * 8000.0) as i16))
            .collect();
        for (n, chunk) in codes.chunks(160).enumerate() {
            let p = audio_packet(n as u16, 1000 + n as u32 * 160, chunk);
            call.peer.send_to(&p, call.engine_addr).unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let sender = DtmfSender::new(101);
        let mut rtp = RtpSender::new(101, 7);
        let events = sender.packets('#', 100).unwrap();
        let event_count = events.len() as u64;
        for ev in events {
            let p = rtp.event_packet(1000 + 8000, &ev).unwrap();
            call.peer.send_to(&p, call.engine_addr).unwrap();
        }
        // ca-message-sent plays, then the engine asks for BYE.
        let hung_up = tokio::time::timeout(Duration::from_secs(10), call.hang_ups.recv())
            .await
            .unwrap();
        assert_eq!(hung_up.as_deref(), Some("engine-test@127.0.0.1"));
        let texts = call.mailer.texts();
        assert_eq!(texts.len(), 1);
        assert!(
            texts[0].contains("Voice Mail from Alice Adams (1 second)"),
            "{}",
            texts[0]
        );
        let summary = call.task.await.unwrap();
        assert_eq!(summary.recorded_samples, 8000);
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        assert_eq!(summary.received.received, 50 + event_count);
        let msg = call.mailer.0.lock().unwrap()[0].bytes.clone();
        assert!(!msg.is_empty());
    }

    /// A Secured call: the beep leaves as SRTP under our key, the caller's SRTP voice and
    /// telephone-event are recorded and heard, and what fails authentication (a tampered
    /// packet, plain RTP) is counted and never recorded.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_secured_call_sends_and_records_srtp_and_drops_what_fails_authentication() {
        use crate::media::srtp::{MasterKey, SrtpContext, Suite};
        let keys = SrtpKeys {
            suite: Suite::AesCm128HmacSha1_80,
            local: MasterKey::random().unwrap(),
            remote: MasterKey::random().unwrap(),
        };
        let mut from_engine = SrtpContext::new(keys.suite, &keys.local);
        let mut to_engine = SrtpContext::new(keys.suite, &keys.remote);
        let dialogue = CallAnsweringDialogue::new(vec![], limits());
        let mut call = start_secured(Box::new(dialogue), None, Some(keys));
        call.control.send(Control::Acked).unwrap();
        let peer = call.peer.try_clone().unwrap();
        let beep =
            tokio::task::spawn_blocking(move || receive_all(&peer, Duration::from_millis(300)))
                .await
                .unwrap();
        let samples = prompts::system("beep");
        assert_eq!(beep.len(), samples.len().div_ceil(160));
        let clear_beep = Law::A.encode(&samples[..160]);
        let first = &beep[0].1;
        assert_eq!(
            first.len(),
            12 + 160 + 10,
            "an 80-bit tag follows the payload"
        );
        assert_ne!(
            &first[12..172],
            clear_beep.as_slice(),
            "the beep left in clear"
        );
        let opened = from_engine.unprotect_rtp(first).unwrap();
        assert_eq!(&opened[12..], clear_beep.as_slice());

        let codes: Vec<u8> = (0..8000)
            .map(|i| Law::A.encode_sample(((i as f64 * 0.3).sin() * 8000.0) as i16))
            .collect();
        for (n, chunk) in codes.chunks(160).enumerate() {
            let plain = audio_packet(n as u16, 1000 + n as u32 * 160, chunk);
            let mut p = plain.clone();
            to_engine.protect_rtp(&mut p).unwrap();
            if n == 10 {
                let mut bad = p.clone();
                bad[40] ^= 0x55;
                call.peer.send_to(&bad, call.engine_addr).unwrap();
            }
            if n == 20 {
                // Plain RTP on a Secured call: dropped, never recorded.
                call.peer.send_to(&plain, call.engine_addr).unwrap();
            }
            call.peer.send_to(&p, call.engine_addr).unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let mut rtp = RtpSender::new(101, 7);
        for ev in DtmfSender::new(101).packets('#', 100).unwrap() {
            let mut p = rtp.event_packet(1000 + 8000, &ev).unwrap();
            to_engine.protect_rtp(&mut p).unwrap();
            call.peer.send_to(&p, call.engine_addr).unwrap();
        }
        let hung_up = tokio::time::timeout(Duration::from_secs(10), call.hang_ups.recv())
            .await
            .unwrap();
        assert_eq!(hung_up.as_deref(), Some("engine-test@127.0.0.1"));
        let texts = call.mailer.texts();
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains("(1 second)"), "{}", texts[0]);
        let summary = call.task.await.unwrap();
        assert_eq!(summary.recorded_samples, 8000);
        let srtp = summary.srtp.unwrap();
        assert_eq!((srtp.auth_failures, srtp.replayed), (2, 0));
        assert!(summary.to_text().contains("srtp auth-failures=2"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hanging_up_during_the_greeting_sends_a_missed_call() {
        let dialogue = CallAnsweringDialogue::new(
            vec![PromptPart::System("ca-person-not-available")],
            limits(),
        );
        let call = start(Box::new(dialogue));
        call.control.send(Control::Acked).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        call.control.send(Control::HungUp).unwrap();
        let summary = tokio::time::timeout(Duration::from_secs(5), call.task)
            .await
            .unwrap()
            .unwrap();
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        let texts = call.mailer.texts();
        assert_eq!(texts.len(), 1);
        assert!(
            texts[0].contains("Missed call from Alice Adams"),
            "{}",
            texts[0]
        );
        assert!(texts[0].contains("missedcall"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silence_ends_the_recording_after_the_idle_timeout() {
        let dialogue = CallAnsweringDialogue::new(
            vec![],
            Limits {
                idle: Duration::from_millis(400),
                ..limits()
            },
        );
        let mut call = start(Box::new(dialogue));
        call.control.send(Control::Acked).unwrap();
        let peer = call.peer.try_clone().unwrap();
        tokio::task::spawn_blocking(move || receive_all(&peer, Duration::from_millis(200)))
            .await
            .unwrap();
        // Silence only (A-law 0xD5).
        for n in 0..10u16 {
            let p = audio_packet(n, u32::from(n) * 160, &[0xD5; 160]);
            call.peer.send_to(&p, call.engine_addr).unwrap();
        }
        let hung_up = tokio::time::timeout(Duration::from_secs(10), call.hang_ups.recv())
            .await
            .unwrap();
        assert!(hung_up.is_some());
        let summary = call.task.await.unwrap();
        assert_eq!(summary.recorded_samples, 1600);
        assert_eq!(call.mailer.texts().len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pcmu_from_a_peer_that_negotiated_pcma_is_recorded_transcoded() {
        let dialogue = CallAnsweringDialogue::new(vec![], limits());
        let call = start(Box::new(dialogue));
        call.control.send(Control::Acked).unwrap();
        let peer = call.peer.try_clone().unwrap();
        tokio::task::spawn_blocking(move || receive_all(&peer, Duration::from_millis(300)))
            .await
            .unwrap();
        let samples: Vec<i16> = (0..1600)
            .map(|i| ((i as f64 * 0.3).sin() * 8000.0) as i16)
            .collect();
        let codes = Law::Mu.encode(&samples);
        for (n, chunk) in codes.chunks(160).enumerate() {
            let p = pt_packet(0, n as u16, n as u32 * 160, chunk);
            call.peer.send_to(&p, call.engine_addr).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        call.control.send(Control::HungUp).unwrap();
        let summary = tokio::time::timeout(Duration::from_secs(5), call.task)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(summary.recorded_samples, 1600);
        let texts = call.mailer.texts();
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains("Voice Mail from"), "{}", texts[0]);
    }

    /// Plays a long prompt that a key stops, then a beep, then hangs up.
    struct BargeIn;

    impl Dialogue for BargeIn {
        fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
            match event {
                Event::Started => vec![Action::Play {
                    parts: vec![PromptPart::System("ca-person-not-available")],
                    barge_in: true,
                }],
                Event::Digit(_) => vec![
                    Action::Play {
                        parts: vec![PromptPart::System("beep")],
                        barge_in: false,
                    },
                    Action::HangUp {
                        after_prompts: true,
                    },
                ],
                _ => vec![],
            }
        }
    }

    /// A key stops the prompt at once: the packets already handed to the pacing thread do not
    /// leave, and the wire shows no gap for them (sequence numbers continue, the beep starts a
    /// talkspurt with the marker); the call counts exactly the packets that left.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn barge_in_stops_the_prompt_and_leaves_no_sequence_gap() {
        let mut call = start(Box::new(BargeIn));
        let peer = call.peer.try_clone().unwrap();
        let receiver = std::thread::spawn(move || receive_all(&peer, Duration::from_millis(600)));
        call.control.send(Control::Acked).unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let mut rtp = RtpSender::new(101, 7);
        for ev in DtmfSender::new(101).packets('1', 100).unwrap() {
            let p = rtp.event_packet(1000, &ev).unwrap();
            call.peer.send_to(&p, call.engine_addr).unwrap();
        }
        let hung_up = tokio::time::timeout(Duration::from_secs(10), call.hang_ups.recv())
            .await
            .unwrap();
        assert!(hung_up.is_some());
        let packets = tokio::task::spawn_blocking(move || receiver.join().unwrap())
            .await
            .unwrap();
        let summary = call.task.await.unwrap();
        assert_eq!(summary.sent.packets, packets.len() as u64);
        let prompt = prompts::system("ca-person-not-available")
            .len()
            .div_ceil(160);
        let beep = prompts::system("beep").len().div_ceil(160);
        assert!(packets.len() < prompt + beep, "the prompt was not stopped");
        let seq = |p: &[u8]| u16::from_be_bytes([p[2], p[3]]);
        let ts = |p: &[u8]| u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
        let marked: Vec<usize> = (0..packets.len())
            .filter(|&i| packets[i].1[1] & 0x80 != 0)
            .collect();
        assert_eq!(marked.len(), 2, "two talkspurts: {marked:?}");
        assert_eq!(packets.len() - marked[1], beep, "the whole beep left");
        for (i, w) in packets.windows(2).enumerate() {
            let (a, b) = (&w[0].1, &w[1].1);
            assert_eq!(
                seq(b),
                seq(a).wrapping_add(1),
                "a sequence gap after packet {i}"
            );
            let step = ts(b).wrapping_sub(ts(a));
            if i + 1 == marked[1] {
                // The timestamps follow the clock across the pause.
                assert!(step >= 160, "{step}");
            } else {
                assert_eq!(step, 160);
            }
        }
    }

    /// A menu that transfers to 9001 at once and records what happened to the transfer.
    struct Transfers(Arc<Mutex<Vec<Event>>>, bool);

    impl Dialogue for Transfers {
        fn on_event(&mut self, event: Event, _now: Instant) -> Vec<Action> {
            if self.1 {
                // Blocking, as a PIN check is: the engine must run this off the async thread.
                std::thread::sleep(Duration::from_millis(300));
            }
            self.0.lock().unwrap().push(event.clone());
            match event {
                Event::Started => crate::um::keypad::transfer("9001"),
                Event::TransferFailed(_) => crate::um::keypad::farewell("transfer-failed"),
                _ => vec![],
            }
        }
    }

    fn menu(
        blocking: bool,
        max_call: Option<Duration>,
    ) -> (MenuMedia, mpsc::UnboundedReceiver<TransferRequest>) {
        let (transfers, rx) = mpsc::unbounded_channel();
        (
            MenuMedia {
                blocking,
                max_call,
                message_for: None,
                transfer_domain: "LOC801.contoso.com".into(),
                transfers,
            },
            rx,
        )
    }

    #[tokio::test]
    async fn an_accepted_transfer_hangs_up_after_the_prompt_a_refused_one_is_told_to_the_dialogue()
    {
        for accepted in [true, false] {
            let events = Arc::new(Mutex::new(Vec::new()));
            let (m, mut requests) = menu(true, None);
            let mut call = start_with(Box::new(Transfers(events.clone(), true)), Some(m));
            // The reactor keeps running while the dialogue blocks in on_event.
            let ticks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let t = ticks.clone();
            let ticker = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    t.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
            call.control.send(Control::Acked).unwrap();
            let request = tokio::time::timeout(Duration::from_secs(10), requests.recv())
                .await
                .unwrap()
                .unwrap();
            assert!(ticks.load(std::sync::atomic::Ordering::SeqCst) >= 5);
            ticker.abort();
            assert_eq!(request.refer_to, "sip:9001@LOC801.contoso.com");
            assert_eq!(request.call_id, info().call_id);
            let reply = if accepted {
                Ok(())
            } else {
                Err("603 Decline".to_string())
            };
            request.reply.send(reply).unwrap();
            // BYE (through the worker) after the "transfer" prompt, or after the goodbye.
            let hung_up = tokio::time::timeout(Duration::from_secs(20), call.hang_ups.recv())
                .await
                .unwrap();
            assert_eq!(hung_up.as_deref(), Some(info().call_id.as_str()));
            let summary = call.task.await.unwrap();
            assert!(summary.sent.packets > 50, "the prompt was played");
            let failed = events
                .lock()
                .unwrap()
                .iter()
                .any(|e| matches!(e, Event::TransferFailed(r) if r.contains("603")));
            assert_eq!(failed, !accepted);
        }
    }

    /// Plays nothing and never hangs up.
    struct Idle;

    impl Dialogue for Idle {
        fn on_event(&mut self, _event: Event, _now: Instant) -> Vec<Action> {
            vec![]
        }
    }

    #[tokio::test]
    async fn max_call_duration_ends_a_menu_call_with_a_goodbye() {
        let (m, _requests) = menu(false, Some(Duration::from_millis(300)));
        let mut call = start_with(Box::new(Idle), Some(m));
        call.control.send(Control::Acked).unwrap();
        let hung_up = tokio::time::timeout(Duration::from_secs(20), call.hang_ups.recv())
            .await
            .unwrap();
        assert!(hung_up.is_some());
        let summary = call.task.await.unwrap();
        // "Thank you for calling. Goodbye." is about two seconds of 20 ms packets.
        assert!(summary.sent.packets > 50, "{}", summary.sent.packets);
    }
}
