//! The sans-IO RTP session: [`RtpSender`] (SSRC, sequence and timestamp bookkeeping, marker
//! after silence, telephone-event packets), [`Pacer`] (absolute 20 ms deadlines) and
//! [`RtpReceiver`] (RFC 3550 A.1 sequence tracking with wrap-around, loss, duplicates,
//! reordering, A.8 interarrival jitter).
//!
//! Packets are parsed and built with `rtp-rs` 0.6 (header layout, CSRCs, padding). Nothing here
//! touches a socket or reads a clock: the caller passes `now: Instant` and moves the bytes.
//! Not owned here: RTCP (not sent yet), jitter buffering/playout (the recorder writes packets
//! in sequence order itself), SRTP.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use rtp_rs::{RtpPacketBuilder, RtpReader, Seq};

use super::dtmf::EventPacket;
use super::MediaError;

/// 20 ms: the packetisation time we send (160 G.711 samples).
pub const PACKET_INTERVAL: Duration = Duration::from_millis(20);
/// Samples (timestamp units) per 20 ms packet at 8 kHz.
pub const SAMPLES_PER_PACKET: u32 = 160;

/// splitmix64: spreads a seed into independent-looking values (no `rand` crate needed for
/// three numbers per call).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The sending side of one RTP stream.
#[derive(Clone, Debug)]
pub struct RtpSender {
    payload_type: u8,
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    marker_next: bool,
}

impl RtpSender {
    /// A sender whose SSRC and initial sequence number and timestamp (RFC 3550 5.1: random)
    /// derive from `seed`. Deterministic, for tests and reproducible traces.
    pub fn new(payload_type: u8, seed: u64) -> RtpSender {
        let mut state = seed;
        RtpSender {
            payload_type,
            ssrc: splitmix64(&mut state) as u32,
            seq: splitmix64(&mut state) as u16,
            timestamp: splitmix64(&mut state) as u32,
            marker_next: true,
        }
    }

    /// A sender seeded from std's `RandomState` (per-process random keys from the OS, varied
    /// per call). Unpredictable enough for SSRC collision avoidance; not a cryptographic
    /// source, which plain RTP does not need.
    pub fn with_random_seed(payload_type: u8) -> RtpSender {
        let mut h = RandomState::new().build_hasher();
        h.write_u8(payload_type);
        RtpSender::new(payload_type, h.finish())
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Sequence number the next packet will carry.
    pub fn next_sequence(&self) -> u16 {
        self.seq
    }

    /// RTP timestamp the next audio packet will carry.
    pub fn next_timestamp(&self) -> u32 {
        self.timestamp
    }

    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    fn build(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<Vec<u8>, MediaError> {
        let bytes = RtpPacketBuilder::new()
            .payload_type(payload_type)
            .marked(marker)
            .sequence(Seq::from(self.seq))
            .timestamp(timestamp)
            .ssrc(self.ssrc)
            .payload(payload)
            .build()
            .map_err(|e| MediaError::RtpBuild {
                payload_type,
                reason: format!("{e:?}"),
            })?;
        self.seq = self.seq.wrapping_add(1);
        Ok(bytes)
    }

    /// The next audio packet. For G.711 one payload byte is one sample, so the timestamp
    /// advances by `payload.len()` (160 per 20 ms packet). The first packet of the stream
    /// and the first after [`RtpSender::skip`] carry the marker (start of a talkspurt).
    pub fn next_packet(&mut self, payload: &[u8]) -> Result<Vec<u8>, MediaError> {
        let marker = self.marker_next;
        let bytes = self.build(self.payload_type, marker, self.timestamp, payload)?;
        self.marker_next = false;
        self.timestamp = self.timestamp.wrapping_add(payload.len() as u32);
        Ok(bytes)
    }

    /// Time passes without audio packets (silence suppression, or a DTMF event sent in their
    /// place): advance the timestamp and mark the next audio packet.
    pub fn skip(&mut self, samples: u32) {
        self.timestamp = self.timestamp.wrapping_add(samples);
        self.marker_next = true;
    }

    /// The last `packets` audio packets were built but never sent (a prompt stopped while
    /// they waited for their deadlines): give back their sequence numbers and timestamps and
    /// mark the next audio packet (it starts a talkspurt).
    pub fn rewind(&mut self, packets: u32) {
        self.seq = self.seq.wrapping_sub(packets as u16);
        self.timestamp = self
            .timestamp
            .wrapping_sub(packets.wrapping_mul(SAMPLES_PER_PACKET));
        self.marker_next = true;
    }

    /// One telephone-event packet. All packets of an event carry `event_timestamp` (take it
    /// from [`RtpSender::next_timestamp`] when the event starts, then [`RtpSender::skip`] the
    /// event's duration once it is over). Sequence numbers continue the audio stream's.
    pub fn event_packet(
        &mut self,
        event_timestamp: u32,
        packet: &EventPacket,
    ) -> Result<Vec<u8>, MediaError> {
        self.build(
            packet.payload_type,
            packet.marker,
            event_timestamp,
            &packet.event.to_bytes(),
        )
    }
}

/// Absolute-deadline pacing: packet `n` is due at `start + n * interval`, never "20 ms after
/// the previous send", so wake-up latency does not accumulate into drift.
#[derive(Clone, Copy, Debug)]
pub struct Pacer {
    pub start: Instant,
    interval: Duration,
    next: u64,
}

impl Pacer {
    /// A 20 ms pacer whose packet 0 is due at `start`.
    pub fn new(start: Instant) -> Pacer {
        Pacer::with_interval(start, PACKET_INTERVAL)
    }

    pub fn with_interval(start: Instant, interval: Duration) -> Pacer {
        Pacer {
            start,
            interval,
            next: 0,
        }
    }

    /// When packet `n` is due.
    pub fn deadline(&self, n: u64) -> Instant {
        let nanos = (self.interval.as_nanos() as u64).saturating_mul(n);
        self.start + Duration::from_nanos(nanos)
    }

    /// Index of the next packet to send.
    pub fn next_index(&self) -> u64 {
        self.next
    }

    /// When the next packet is due (sleep until then).
    pub fn next_deadline(&self) -> Instant {
        self.deadline(self.next)
    }

    /// How many packets are due at `now` and not yet sent (0 if early; more than 1 when the
    /// caller woke late and must catch up).
    pub fn due(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.start).as_nanos();
        let interval = self.interval.as_nanos().max(1);
        let due_through = (elapsed / interval) as u64 + 1; // packets 0..due_through are due
        if now < self.start {
            0
        } else {
            due_through.saturating_sub(self.next)
        }
    }

    /// Record that the next packet was sent; returns its index.
    pub fn advance(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// After a stall, drop all but the newest due packet instead of bursting them; returns how
    /// many were dropped (the sender should `skip` that many packets' worth of timestamp).
    pub fn drop_late(&mut self, now: Instant) -> u64 {
        let due = self.due(now);
        let dropped = due.saturating_sub(1);
        self.next += dropped;
        dropped
    }
}

/// RFC 3550 A.1 constants.
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;

/// What a received packet was, relative to the stream so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketKind {
    /// The first packet of a (new) source.
    First,
    /// Newer than everything so far (possibly after a gap: those packets count as lost until
    /// they arrive).
    InOrder,
    /// Older than the newest packet but not seen before: arrived out of order.
    Reordered,
    /// Already received.
    Duplicate,
    /// A large sequence jump, held until the next packet confirms it (RFC 3550 A.1).
    Discarded,
    /// The jump was confirmed: the source restarted its sequence numbers.
    Restarted,
}

impl PacketKind {
    /// Whether the packet should be played or recorded.
    pub fn is_new(self) -> bool {
        matches!(
            self,
            PacketKind::First | PacketKind::InOrder | PacketKind::Reordered | PacketKind::Restarted
        )
    }
}

/// A received packet's header fields and payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedPacket<'a> {
    pub kind: PacketKind,
    pub ssrc: u32,
    pub sequence: u16,
    /// Sequence number extended with the wrap-around count (RFC 3550 A.1).
    pub extended_sequence: u64,
    pub timestamp: u32,
    pub marker: bool,
    pub payload_type: u8,
    pub payload: &'a [u8],
}

/// Receive-side statistics (RFC 3550 6.4.1 / A.3 / A.8).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RtpStats {
    pub ssrc: Option<u32>,
    /// Distinct packets received (duplicates not counted).
    pub received: u64,
    /// Packets expected from the first to the highest sequence number.
    pub expected: u64,
    /// expected - received (packets never seen).
    pub lost: u64,
    pub duplicates: u64,
    pub reordered: u64,
    pub discarded: u64,
    /// Datagrams that were not valid RTP.
    pub invalid: u64,
    pub ssrc_changes: u64,
    pub restarts: u64,
    /// Interarrival jitter in timestamp units.
    pub jitter: f64,
    /// Interarrival jitter in milliseconds.
    pub jitter_ms: f64,
    /// The extended highest sequence number received (RFC 3550 6.4.1), of the current source.
    pub highest_sequence: u32,
}

impl RtpStats {
    /// Fraction of expected packets lost (0.0 - 1.0).
    pub fn loss_fraction(&self) -> f64 {
        if self.expected == 0 {
            0.0
        } else {
            self.lost as f64 / self.expected as f64
        }
    }
}

#[derive(Clone, Debug)]
struct Source {
    ssrc: u32,
    max_seq: u16,
    cycles: u64,
    base_ext: u64,
    bad_seq: Option<u16>,
    received: u64,
    /// Bit i set: extended sequence (max - i) was received.
    seen: u128,
    /// (arrival in timestamp units, RTP timestamp) of the previous packet used for jitter.
    last_transit: Option<(f64, u32)>,
}

impl Source {
    fn new(ssrc: u32, seq: u16) -> Source {
        Source {
            ssrc,
            max_seq: seq,
            cycles: 0,
            base_ext: u64::from(seq),
            bad_seq: None,
            received: 1,
            seen: 1,
            last_transit: None,
        }
    }

    fn max_ext(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    fn expected(&self) -> u64 {
        self.max_ext() + 1 - self.base_ext
    }
}

/// The receiving side of one RTP stream.
#[derive(Clone, Debug)]
pub struct RtpReceiver {
    clock_rate: u32,
    event_payload_type: Option<u8>,
    epoch: Option<Instant>,
    source: Option<Source>,
    /// Expected/received of earlier sources and sequence restarts.
    prior_expected: u64,
    prior_received: u64,
    stats: RtpStats,
    jitter: f64,
}

impl RtpReceiver {
    /// `clock_rate` is the payload's RTP clock (8000 for G.711).
    pub fn new(clock_rate: u32) -> RtpReceiver {
        RtpReceiver {
            clock_rate: clock_rate.max(1),
            event_payload_type: None,
            epoch: None,
            source: None,
            prior_expected: 0,
            prior_received: 0,
            stats: RtpStats {
                ssrc: None,
                received: 0,
                expected: 0,
                lost: 0,
                duplicates: 0,
                reordered: 0,
                discarded: 0,
                invalid: 0,
                ssrc_changes: 0,
                restarts: 0,
                jitter: 0.0,
                jitter_ms: 0.0,
                highest_sequence: 0,
            },
            jitter: 0.0,
        }
    }

    /// Leave telephone-event packets out of the jitter estimate: all packets of an event
    /// carry the same timestamp while arriving 50 ms apart, which is not network jitter.
    pub fn with_event_payload_type(mut self, payload_type: Option<u8>) -> RtpReceiver {
        self.event_payload_type = payload_type;
        self
    }

    /// Account for one datagram that arrived at `now`.
    pub fn receive<'a>(
        &mut self,
        now: Instant,
        datagram: &'a [u8],
    ) -> Result<ReceivedPacket<'a>, MediaError> {
        let reader = match RtpReader::new(datagram) {
            Ok(r) => r,
            Err(e) => {
                self.stats.invalid += 1;
                return Err(MediaError::RtpParse {
                    len: datagram.len(),
                    reason: format!("{e:?}"),
                });
            }
        };
        let ssrc = reader.ssrc();
        let seq = u16::from(reader.sequence_number());
        let timestamp = reader.timestamp();
        let payload_type = reader.payload_type();
        let epoch = *self.epoch.get_or_insert(now);
        let arrival =
            now.saturating_duration_since(epoch).as_secs_f64() * f64::from(self.clock_rate);

        let (kind, ext) = match self.source.as_mut() {
            Some(src) if src.ssrc == ssrc => update_seq(src, seq, &mut self.stats),
            _ => {
                if self.source.is_some() {
                    self.stats.ssrc_changes += 1;
                }
                self.retire_source();
                self.source = Some(Source::new(ssrc, seq));
                (PacketKind::First, u64::from(seq))
            }
        };
        if kind == PacketKind::Restarted {
            self.retire_source();
            self.source = Some(Source::new(ssrc, seq));
        }

        let counts_for_jitter = kind.is_new() && Some(payload_type) != self.event_payload_type;
        if let (true, Some(src)) = (counts_for_jitter, self.source.as_mut()) {
            if let Some((last_arrival, last_ts)) = src.last_transit {
                // RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16.
                let ts_delta = f64::from(timestamp.wrapping_sub(last_ts) as i32);
                let d = (arrival - last_arrival) - ts_delta;
                self.jitter += (d.abs() - self.jitter) / 16.0;
            }
            src.last_transit = Some((arrival, timestamp));
        }
        self.refresh_stats();
        Ok(ReceivedPacket {
            kind,
            ssrc,
            sequence: seq,
            extended_sequence: ext,
            timestamp,
            marker: reader.mark(),
            payload_type,
            payload: reader.payload(),
        })
    }

    fn retire_source(&mut self) {
        if let Some(old) = self.source.take() {
            self.prior_expected += old.expected();
            self.prior_received += old.received;
        }
    }

    fn refresh_stats(&mut self) {
        let (expected, received) = match &self.source {
            Some(s) => (s.expected(), s.received),
            None => (0, 0),
        };
        self.stats.ssrc = self.source.as_ref().map(|s| s.ssrc);
        self.stats.expected = self.prior_expected + expected;
        self.stats.received = self.prior_received + received;
        self.stats.lost = self.stats.expected.saturating_sub(self.stats.received);
        self.stats.jitter = self.jitter;
        self.stats.jitter_ms = self.jitter * 1000.0 / f64::from(self.clock_rate);
        self.stats.highest_sequence = self.source.as_ref().map_or(0, |s| s.max_ext() as u32);
    }

    pub fn stats(&self) -> RtpStats {
        self.stats
    }
}

/// RFC 3550 A.1 `update_seq`, without the probation period (the first packet is trusted:
/// the SDP exchange already told us who sends), plus duplicate detection over the last 128
/// sequence numbers.
fn update_seq(src: &mut Source, seq: u16, stats: &mut RtpStats) -> (PacketKind, u64) {
    let udelta = seq.wrapping_sub(src.max_seq);
    if udelta == 0 {
        stats.duplicates += 1;
        return (PacketKind::Duplicate, src.max_ext());
    }
    if udelta < MAX_DROPOUT {
        if seq < src.max_seq {
            src.cycles += 1 << 16; // wrapped
        }
        src.max_seq = seq;
        src.seen = if udelta >= 128 {
            1
        } else {
            (src.seen << udelta) | 1
        };
        src.received += 1;
        src.bad_seq = None;
        return (PacketKind::InOrder, src.max_ext());
    }
    if udelta <= u16::MAX - MAX_MISORDER {
        // A very large jump: restart if the next packet follows it, else drop this one.
        if src.bad_seq == Some(seq) {
            stats.restarts += 1;
            return (PacketKind::Restarted, u64::from(seq));
        }
        src.bad_seq = Some(seq.wrapping_add(1));
        stats.discarded += 1;
        return (PacketKind::Discarded, src.max_ext());
    }
    // Up to MAX_MISORDER behind the newest: a late or duplicated packet.
    let back = src.max_seq.wrapping_sub(seq);
    let ext = src.max_ext().saturating_sub(u64::from(back));
    if ext < src.base_ext {
        // Older than the first packet we saw: count it, extending the range backwards.
        src.base_ext = ext;
        src.received += 1;
        src.seen |= 1u128 << back;
        stats.reordered += 1;
        return (PacketKind::Reordered, ext);
    }
    let bit = 1u128 << back;
    if src.seen & bit != 0 {
        stats.duplicates += 1;
        (PacketKind::Duplicate, ext)
    } else {
        src.seen |= bit;
        src.received += 1;
        stats.reordered += 1;
        (PacketKind::Reordered, ext)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::media::dtmf::DtmfSender;
    use proptest::prelude::*;

    fn packet(ssrc: u32, seq: u16, ts: u32, pt: u8) -> Vec<u8> {
        RtpPacketBuilder::new()
            .payload_type(pt)
            .sequence(Seq::from(seq))
            .timestamp(ts)
            .ssrc(ssrc)
            .payload(&[0xFF; 160])
            .build()
            .unwrap()
    }

    #[test]
    fn sender_fields_marker_and_wraparound() {
        let mut tx = RtpSender::new(0, 42);
        assert_eq!(tx.ssrc(), RtpSender::new(0, 42).ssrc());
        assert_ne!(tx.ssrc(), RtpSender::new(0, 43).ssrc());
        let (seq0, ts0) = (tx.next_sequence(), tx.next_timestamp());
        let frame = [0xFFu8; 160];
        let p0 = tx.next_packet(&frame).unwrap();
        let p1 = tx.next_packet(&frame).unwrap();
        assert_eq!(p0.len(), 12 + 160);
        let (r0, r1) = (RtpReader::new(&p0).unwrap(), RtpReader::new(&p1).unwrap());
        assert_eq!(
            (r0.version(), r0.payload_type(), r0.ssrc()),
            (2, 0, tx.ssrc())
        );
        assert!(r0.mark() && !r1.mark());
        assert_eq!(u16::from(r0.sequence_number()), seq0);
        assert_eq!(u16::from(r1.sequence_number()), seq0.wrapping_add(1));
        assert_eq!(r0.timestamp(), ts0);
        assert_eq!(r1.timestamp(), ts0.wrapping_add(160));
        assert_eq!(r1.payload(), &frame[..]);
        // Silence of 3 packets: timestamp jumps by 4 * 160, marker set again.
        tx.skip(3 * 160);
        let p2 = tx.next_packet(&frame).unwrap();
        let r2 = RtpReader::new(&p2).unwrap();
        assert!(r2.mark());
        assert_eq!(r2.timestamp(), ts0.wrapping_add(3 * 160 + 2 * 160));
        // Sequence numbers wrap.
        let mut tx = RtpSender::new(8, 7);
        tx.seq = 65535;
        tx.timestamp = u32::MAX - 100;
        let a = tx.next_packet(&frame).unwrap();
        let b = tx.next_packet(&frame).unwrap();
        let (ra, rb) = (RtpReader::new(&a).unwrap(), RtpReader::new(&b).unwrap());
        assert_eq!(u16::from(ra.sequence_number()), 65535);
        assert_eq!(u16::from(rb.sequence_number()), 0);
        assert_eq!(rb.timestamp(), 59);
        // A random sender differs from call to call (keys from RandomState).
        let ssrcs: std::collections::HashSet<u32> = (0..8)
            .map(|_| RtpSender::with_random_seed(0).ssrc())
            .collect();
        assert!(ssrcs.len() > 1);
    }

    #[test]
    fn dtmf_event_packets_share_the_timestamp() {
        let mut tx = RtpSender::new(0, 1);
        tx.next_packet(&[0xFF; 160]).unwrap();
        let event_ts = tx.next_timestamp();
        let seq = tx.next_sequence();
        let train = DtmfSender::new(101).packets('5', 100).unwrap();
        let pkts: Vec<Vec<u8>> = train
            .iter()
            .map(|p| tx.event_packet(event_ts, p).unwrap())
            .collect();
        for (i, p) in pkts.iter().enumerate() {
            let r = RtpReader::new(p).unwrap();
            assert_eq!(r.payload_type(), 101);
            assert_eq!(r.timestamp(), event_ts);
            assert_eq!(u16::from(r.sequence_number()), seq.wrapping_add(i as u16));
            assert_eq!(r.mark(), i == 0);
            assert_eq!(r.payload().len(), 4);
        }
        tx.skip(800);
        let after = tx.next_packet(&[0xFF; 160]).unwrap();
        let r = RtpReader::new(&after).unwrap();
        assert_eq!(r.timestamp(), event_ts.wrapping_add(800));
        assert!(r.mark());
    }

    #[test]
    fn pacer_has_no_drift_over_twenty_minutes() {
        let start = Instant::now();
        let pacer = Pacer::new(start);
        assert_eq!(pacer.deadline(60_000) - start, Duration::from_secs(1200));
        assert_eq!(pacer.deadline(1) - start, Duration::from_millis(20));

        // Simulate a sender loop that always wakes up late by 0-7 ms (a loaded host): every
        // packet still goes out within 7 ms of its own deadline and nothing accumulates.
        let mut pacer = Pacer::new(start);
        let mut rng = 0x1234_5678u64;
        let mut worst = Duration::ZERO;
        while pacer.next_index() < 60_000 {
            let late = Duration::from_micros(splitmix64(&mut rng) % 7000);
            let now = pacer.next_deadline() + late;
            let due = pacer.due(now);
            assert!(due >= 1);
            for _ in 0..due {
                let n = pacer.advance();
                worst = worst.max(now - pacer.deadline(n));
            }
        }
        assert!(worst < Duration::from_millis(7), "{worst:?}");
        assert_eq!(pacer.next_deadline() - start, Duration::from_secs(1200));
    }

    #[test]
    fn rewind_gives_back_unsent_packets_and_marks_the_next() {
        let mut s = RtpSender::new(8, 1);
        let (seq, ts) = (s.next_sequence(), s.next_timestamp());
        for _ in 0..3 {
            s.next_packet(&[0; 160]).unwrap();
        }
        s.rewind(2);
        assert_eq!(s.next_sequence(), seq.wrapping_add(1));
        assert_eq!(s.next_timestamp(), ts.wrapping_add(160));
        let p = s.next_packet(&[0; 160]).unwrap();
        assert_eq!(p[1] & 0x80, 0x80, "marker");
    }

    #[test]
    fn pacer_due_and_drop_late() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        assert_eq!(p.due(start), 1);
        assert_eq!(p.due(start + Duration::from_millis(19)), 1);
        assert_eq!(p.due(start + Duration::from_millis(20)), 2);
        p.advance();
        assert_eq!(p.due(start + Duration::from_millis(19)), 0);
        // Stalled for a second: 50 packets due; keep only the newest.
        let now = start + Duration::from_millis(1000);
        assert_eq!(p.due(now), 50);
        assert_eq!(p.drop_late(now), 49);
        assert_eq!(p.due(now), 1);
        assert_eq!(p.next_index(), 50);
    }

    /// Feed packets with given sequence numbers, 20 ms apart, timestamps in step.
    fn feed(rx: &mut RtpReceiver, start: Instant, seqs: &[u16], base_seq: u16) -> Vec<PacketKind> {
        seqs.iter()
            .enumerate()
            .map(|(i, &s)| {
                let n = u32::from(s.wrapping_sub(base_seq));
                let now = start + PACKET_INTERVAL * i as u32;
                rx.receive(now, &packet(0xABCD, s, 1000 + n * 160, 0))
                    .unwrap()
                    .kind
            })
            .collect()
    }

    #[test]
    fn receiver_in_order_across_wrap_has_no_loss_and_no_jitter() {
        let mut rx = RtpReceiver::new(8000);
        let seqs: Vec<u16> = (0..200u16).map(|i| 65500u16.wrapping_add(i)).collect();
        let kinds = feed(&mut rx, Instant::now(), &seqs, 65500);
        assert_eq!(kinds[0], PacketKind::First);
        assert!(kinds[1..].iter().all(|k| *k == PacketKind::InOrder));
        let s = rx.stats();
        assert_eq!((s.received, s.expected, s.lost), (200, 200, 0));
        assert_eq!(s.ssrc, Some(0xABCD));
        assert!(s.jitter.abs() < 1e-6, "{}", s.jitter);
        let bytes = packet(0xABCD, 65500u16.wrapping_add(200), 0, 0);
        let last = rx.receive(Instant::now(), &bytes).unwrap();
        assert_eq!(last.extended_sequence, 65536 + 164);
    }

    #[test]
    fn receiver_counts_loss_duplicates_and_reordering() {
        let mut rx = RtpReceiver::new(8000);
        // 10..=30 with 13 and 14 lost, 20 and 21 swapped, 25 duplicated, 17 very late.
        let seqs = [
            10, 11, 12, 15, 16, 18, 19, 21, 20, 22, 23, 24, 25, 25, 26, 27, 17, 28, 29, 30,
        ];
        let kinds = feed(&mut rx, Instant::now(), &seqs, 10);
        assert_eq!(kinds[8], PacketKind::Reordered);
        assert_eq!(kinds[13], PacketKind::Duplicate);
        assert_eq!(kinds[16], PacketKind::Reordered);
        let s = rx.stats();
        assert_eq!(s.expected, 21);
        assert_eq!(s.received, 19);
        assert_eq!(s.lost, 2);
        assert_eq!(s.duplicates, 1);
        assert_eq!(s.reordered, 2);
        assert!((s.loss_fraction() - 2.0 / 21.0).abs() < 1e-9);
    }

    #[test]
    fn receiver_jitter_matches_rfc3550_estimate() {
        // Arrivals alternate 0 / +5 ms around the 20 ms grid: |D| is always 5 ms = 40 units,
        // so J converges to 40 units (5 ms).
        let mut rx = RtpReceiver::new(8000);
        let start = Instant::now();
        for i in 0..500u32 {
            let offset = if i % 2 == 1 {
                Duration::from_millis(5)
            } else {
                Duration::ZERO
            };
            let now = start + PACKET_INTERVAL * i + offset;
            rx.receive(now, &packet(1, i as u16, i * 160, 0)).unwrap();
        }
        let s = rx.stats();
        assert!((s.jitter - 40.0).abs() < 0.01, "{}", s.jitter);
        assert!((s.jitter_ms - 5.0).abs() < 0.01);
        // The first step by hand: J1 = 40/16 = 2.5 units.
        let mut rx = RtpReceiver::new(8000);
        rx.receive(start, &packet(1, 0, 0, 0)).unwrap();
        rx.receive(start + Duration::from_millis(25), &packet(1, 1, 160, 0))
            .unwrap();
        assert!((rx.stats().jitter - 2.5).abs() < 1e-9);
    }

    #[test]
    fn receiver_ignores_event_packets_for_jitter() {
        let mut rx = RtpReceiver::new(8000).with_event_payload_type(Some(101));
        let start = Instant::now();
        let mut tx = RtpSender::new(0, 9);
        let mut t = start;
        for _ in 0..10 {
            rx.receive(t, &tx.next_packet(&[0xFF; 160]).unwrap())
                .unwrap();
            t += PACKET_INTERVAL;
        }
        let ets = tx.next_timestamp();
        for p in DtmfSender::new(101).packets('1', 200).unwrap() {
            let now = start + Duration::from_millis(200) + p.send_after();
            rx.receive(now, &tx.event_packet(ets, &p).unwrap()).unwrap();
        }
        assert!(rx.stats().jitter.abs() < 1e-6);
        assert_eq!(rx.stats().lost, 0);
    }

    #[test]
    fn receiver_large_jumps_restarts_and_ssrc_changes() {
        let mut rx = RtpReceiver::new(8000);
        let t = Instant::now();
        for s in 100..110 {
            rx.receive(t, &packet(7, s, 0, 0)).unwrap();
        }
        // One stray packet far ahead is discarded ...
        assert_eq!(
            rx.receive(t, &packet(7, 30000, 0, 0)).unwrap().kind,
            PacketKind::Discarded
        );
        assert_eq!(
            rx.receive(t, &packet(7, 110, 0, 0)).unwrap().kind,
            PacketKind::InOrder
        );
        // ... two in a row mean the source restarted its numbering.
        assert_eq!(
            rx.receive(t, &packet(7, 40000, 0, 0)).unwrap().kind,
            PacketKind::Discarded
        );
        assert_eq!(
            rx.receive(t, &packet(7, 40001, 0, 0)).unwrap().kind,
            PacketKind::Restarted
        );
        assert_eq!(
            rx.receive(t, &packet(7, 40002, 0, 0)).unwrap().kind,
            PacketKind::InOrder
        );
        let s = rx.stats();
        assert_eq!((s.restarts, s.discarded, s.lost), (1, 2, 0));
        assert_eq!(s.received, 11 + 2);
        // A new SSRC (gateway transfer) starts a new source; totals carry over.
        assert_eq!(
            rx.receive(t, &packet(8, 5, 0, 0)).unwrap().kind,
            PacketKind::First
        );
        rx.receive(t, &packet(8, 7, 0, 0)).unwrap();
        let s = rx.stats();
        assert_eq!(
            (s.ssrc, s.ssrc_changes, s.lost, s.received),
            (Some(8), 1, 1, 15)
        );
        // Garbage is counted and reported.
        let err = rx.receive(t, &[0x80, 0, 1]).unwrap_err();
        assert!(err.to_string().contains("3 bytes"), "{err}");
        assert!(rx.receive(t, &[0x40; 20]).is_err()); // version 1
        assert_eq!(rx.stats().invalid, 2);
    }

    proptest! {
        #[test]
        fn loss_counts_exactly_what_was_dropped(
            start in any::<u16>(),
            len in 3usize..400,
            drops in proptest::collection::vec(any::<bool>(), 400),
            swaps in proptest::collection::vec(any::<bool>(), 400),
            dups in proptest::collection::vec(any::<bool>(), 400),
        ) {
            // Keep the first and last so "expected" spans the whole range.
            let mut seqs: Vec<u16> = (0..len)
                .filter(|&i| i == 0 || i == len - 1 || !drops[i])
                .map(|i| start.wrapping_add(i as u16))
                .collect();
            let dropped = len - seqs.len();
            let n = seqs.len();
            for (i, &swap) in swaps.iter().enumerate().take(n.saturating_sub(2)).skip(1) {
                if swap {
                    seqs.swap(i, i + 1);
                }
            }
            let mut with_dups = Vec::new();
            let mut ndups = 0;
            for (i, &s) in seqs.iter().enumerate() {
                with_dups.push(s);
                if dups[i] && i > 0 {
                    with_dups.push(s);
                    ndups += 1;
                }
            }
            let mut rx = RtpReceiver::new(8000);
            let t = Instant::now();
            for &s in &with_dups {
                rx.receive(t, &packet(3, s, 0, 0)).unwrap();
            }
            let st = rx.stats();
            prop_assert_eq!(st.expected, len as u64);
            prop_assert_eq!(st.lost, dropped as u64);
            prop_assert_eq!(st.duplicates, ndups as u64);
        }
    }
}
