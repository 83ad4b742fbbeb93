//! DTMF both ways it reaches an Outlook Voice Access menu: RFC 4733 telephone-events (payload
//! parse/build, a receiver that reports each key press exactly once, a sender that produces
//! the packet train for one digit) and in-band tones in the audio (a Goertzel detector for
//! gateways that leave DTMF in the G.711 stream).
//!
//! This file does not build RTP headers or pick the payload type: the caller passes the
//! telephone-event payload type negotiated in SDP (Microsoft peers default to 101, others do
//! not, so it is never hard-coded) and wraps [`EventPacket`]s with `RtpSender::event_packet`.
//! Hand-written: the payload is 4 bytes and the detector ~150 lines; `audio-codec`'s
//! `telephone_event` module has no receiver state machine or in-band detector.

use std::collections::VecDeque;
use std::time::Duration;

use super::MediaError;

/// RFC 4733 event code for hook flash (ignored by the receiver: not a digit).
pub const EVENT_FLASH: u8 = 16;

/// Map an RFC 4733 event code (0-15) to its DTMF digit.
pub fn event_to_digit(event: u8) -> Option<char> {
    const DIGITS: &[u8; 16] = b"0123456789*#ABCD";
    DIGITS.get(usize::from(event)).map(|&b| char::from(b))
}

/// Map a DTMF digit (0-9, *, #, A-D; a-d accepted) to its RFC 4733 event code.
pub fn digit_to_event(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// One RFC 4733 section 2.3 payload: event, end bit, volume (-dBm0, 0-63), duration (in RTP
/// timestamp units since the event's start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelephoneEvent {
    pub event: u8,
    pub end: bool,
    pub volume: u8,
    pub duration: u16,
}

impl TelephoneEvent {
    /// Parse the first 4-byte event block of a payload (the R bit is ignored, as required).
    pub fn parse(payload: &[u8]) -> Result<TelephoneEvent, MediaError> {
        match payload {
            [event, flags, d0, d1, ..] => Ok(TelephoneEvent {
                event: *event,
                end: flags & 0x80 != 0,
                volume: flags & 0x3F,
                duration: u16::from_be_bytes([*d0, *d1]),
            }),
            _ => Err(MediaError::TelephoneEventTooShort { len: payload.len() }),
        }
    }

    /// The 4 payload bytes.
    pub fn to_bytes(&self) -> [u8; 4] {
        let flags = if self.end { 0x80 } else { 0 } | (self.volume & 0x3F);
        let [d0, d1] = self.duration.to_be_bytes();
        [self.event, flags, d0, d1]
    }

    /// The DTMF digit, if the event is one (0-15).
    pub fn digit(&self) -> Option<char> {
        event_to_digit(self.event)
    }
}

/// A key press reported by [`DtmfReceiver`] or [`DtmfDetector`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedDigit {
    pub digit: char,
    /// RTP timestamp of the event's start (all its packets carry it).
    pub timestamp: u32,
    /// Longest duration seen, in 8 kHz timestamp units.
    pub duration: u32,
    /// False when no end packet arrived and the event was closed by a later one or by audio.
    pub ended: bool,
}

impl ReceivedDigit {
    /// Duration in milliseconds (8 kHz clock).
    pub fn duration_ms(&self) -> u32 {
        self.duration / 8
    }
}

#[derive(Clone, Copy, Debug)]
struct Current {
    timestamp: u32,
    event: u8,
    duration: u32,
}

/// Audio this far (in timestamp units) past an unfinished event's last known end closes it.
const AUDIO_CLOSES_AFTER: u32 = 1600;

/// Turns telephone-event packets into digits, each exactly once.
///
/// An event is identified by its RTP timestamp (RFC 4733 2.5.1.2). The digit is reported on
/// the first end packet; the usual two retransmitted end packets, duplicated updates and late
/// packets of finished events are ignored. A lost start packet does not matter (any packet
/// opens the event). If every end packet is lost, the event is reported when the next event
/// starts, when audio resumes ([`DtmfReceiver::on_audio`]) or at [`DtmfReceiver::finish`].
/// Non-digit events (16 = flash and above) are ignored.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    current: Option<Current>,
    /// Timestamps of recently finished events (for retransmitted end packets).
    finished: VecDeque<u32>,
    /// Newest event timestamp seen, to drop stale packets of older events.
    newest: Option<u32>,
}

impl DtmfReceiver {
    pub fn new() -> DtmfReceiver {
        DtmfReceiver::default()
    }

    /// Feed one telephone-event packet (its RTP timestamp, marker bit and payload).
    /// Returns the digits this packet completes (usually none or one).
    pub fn push(
        &mut self,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<Vec<ReceivedDigit>, MediaError> {
        let ev = TelephoneEvent::parse(payload)?;
        let mut out = Vec::new();
        if ev.digit().is_none() || self.finished.contains(&timestamp) {
            return Ok(out);
        }
        if let Some(newest) = self.newest {
            // Wrap-aware "older than the newest event": a stale packet, drop it.
            if (timestamp.wrapping_sub(newest) as i32) < 0 {
                return Ok(out);
            }
        }
        self.newest = Some(timestamp);
        match &mut self.current {
            Some(c) if c.timestamp == timestamp && c.event == ev.event => {
                c.duration = c.duration.max(u32::from(ev.duration));
            }
            _ => {
                // A new event (the marker is informative only: the start packet may be lost).
                let _ = marker;
                if let Some(prev) = self.close(false) {
                    out.push(prev);
                }
                self.current = Some(Current {
                    timestamp,
                    event: ev.event,
                    duration: u32::from(ev.duration),
                });
            }
        }
        if ev.end {
            if let Some(done) = self.close(true) {
                out.push(done);
            }
        }
        Ok(out)
    }

    /// Tell the receiver an audio packet arrived: closes an event whose end packets were all
    /// lost once the audio is clearly past it.
    pub fn on_audio(&mut self, timestamp: u32) -> Option<ReceivedDigit> {
        let c = self.current?;
        let past = timestamp.wrapping_sub(c.timestamp.wrapping_add(c.duration)) as i32;
        if past > AUDIO_CLOSES_AFTER as i32 {
            self.close(false)
        } else {
            None
        }
    }

    /// End of the stream: report an event still open.
    pub fn finish(&mut self) -> Option<ReceivedDigit> {
        self.close(false)
    }

    fn close(&mut self, ended: bool) -> Option<ReceivedDigit> {
        let c = self.current.take()?;
        if self.finished.len() == 8 {
            self.finished.pop_front();
        }
        self.finished.push_back(c.timestamp);
        Some(ReceivedDigit {
            digit: event_to_digit(c.event)?,
            timestamp: c.timestamp,
            duration: c.duration,
            ended,
        })
    }
}

/// One telephone-event packet to send, relative to the event's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventPacket {
    /// When to send it, in 8 kHz timestamp units after the event starts.
    pub offset: u32,
    pub marker: bool,
    pub payload_type: u8,
    pub event: TelephoneEvent,
}

impl EventPacket {
    /// When to send it, after the event starts.
    pub fn send_after(&self) -> Duration {
        Duration::from_micros(u64::from(self.offset) * 125)
    }
}

/// Produces the RFC 4733 packet train for one digit, on the negotiated payload type.
#[derive(Clone, Copy, Debug)]
pub struct DtmfSender {
    payload_type: u8,
    volume: u8,
}

/// Updates every 50 ms (RFC 4733 2.5.1.2 suggests 50 ms).
const UPDATE_INTERVAL: u32 = 400;
/// End packets are retransmitted 20 ms apart.
const END_SPACING: u32 = 160;

impl DtmfSender {
    /// `payload_type` is the telephone-event PT from the SDP negotiation. Volume defaults to
    /// 10 (-10 dBm0).
    pub fn new(payload_type: u8) -> DtmfSender {
        DtmfSender {
            payload_type,
            volume: 10,
        }
    }

    /// Set the volume field (-dBm0, clamped to 0-63).
    pub fn with_volume(mut self, volume: u8) -> DtmfSender {
        self.volume = volume.min(63);
        self
    }

    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    /// Packets for one key press of `duration_ms` (40-8000 ms): a start packet with the
    /// marker, an update every 50 ms with the cumulative duration, then three end packets
    /// 20 ms apart carrying the final duration. All share the event's RTP timestamp.
    pub fn packets(&self, digit: char, duration_ms: u32) -> Result<Vec<EventPacket>, MediaError> {
        let event = digit_to_event(digit).ok_or(MediaError::NotADigit { digit })?;
        if !(40..=8000).contains(&duration_ms) {
            return Err(MediaError::DigitDuration { ms: duration_ms });
        }
        let total = duration_ms * 8;
        let packet = |offset: u32, duration: u32, end: bool| EventPacket {
            offset,
            marker: offset == 0,
            payload_type: self.payload_type,
            event: TelephoneEvent {
                event,
                end,
                volume: self.volume,
                // total <= 64000, so it fits.
                duration: duration.min(u32::from(u16::MAX)) as u16,
            },
        };
        // The start packet covers the first 20 ms frame.
        let mut out = vec![packet(0, END_SPACING.min(total), false)];
        let mut offset = UPDATE_INTERVAL;
        while offset < total {
            out.push(packet(offset, offset, false));
            offset += UPDATE_INTERVAL;
        }
        for i in 0..3 {
            out.push(packet(total + i * END_SPACING, total, true));
        }
        Ok(out)
    }
}

/// A single-frequency Goertzel filter over 8 kHz samples.
#[derive(Clone, Copy, Debug)]
pub struct Goertzel {
    coeff: f64,
    s1: f64,
    s2: f64,
}

impl Goertzel {
    /// A filter tuned exactly to `freq` (not rounded to a DFT bin).
    pub fn new(freq: f64, sample_rate: f64) -> Goertzel {
        Goertzel {
            coeff: 2.0 * (2.0 * std::f64::consts::PI * freq / sample_rate).cos(),
            s1: 0.0,
            s2: 0.0,
        }
    }

    pub fn push(&mut self, x: f64) {
        let s = x + self.coeff * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s;
    }

    /// Squared magnitude of the DFT term so far (about (A*N/2)^2 for a sine of amplitude A).
    pub fn power(&self) -> f64 {
        self.s1 * self.s1 + self.s2 * self.s2 - self.coeff * self.s1 * self.s2
    }

    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }
}

const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYPAD: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
/// 102 samples (12.75 ms): the block size spandsp and Asterisk use; the DTMF frequencies
/// then fall close enough to bin centres and the rows stay separable.
const BLOCK: usize = 102;
/// Mean square of a sine at 0 dBm0 (peak about 22 600 in 16-bit G.711 terms).
const MS_0DBM0: f64 = 22_600.0 * 22_600.0 / 2.0;

fn db(ratio: f64) -> f64 {
    10f64.powf(ratio / 10.0)
}

/// In-band DTMF detector (Goertzel) for 8 kHz i16 audio in frames of any length.
///
/// Per 102-sample block: the strongest row and column tone must each be at least -30 dBm0,
/// within 8 dB of each other (twist, either direction), at least 6.3 dB above the other
/// tones of their group, and together hold at least 60% of the block's energy (speech and
/// noise spread their energy); every quarter of the block must carry at least 40% of the
/// block's mean power, so a block the tone only partly covers does not count. A digit is
/// reported once two consecutive blocks agree, with levels within 3 dB of each other: a tone
/// of >= 40 ms (320 samples) always covers two whole blocks, a 20 ms burst (160 samples)
/// never does. It must then be absent for three blocks before the same key counts again: a
/// 40 ms pause always spoils three blocks, a 10 ms dropout at most two.
#[derive(Clone, Debug)]
pub struct DtmfDetector {
    rows: [Goertzel; 4],
    cols: [Goertzel; 4],
    energy: f64,
    /// Energy per quarter block: the tone must fill the whole block, not just part of it.
    quarters: [f64; 4],
    filled: usize,
    /// Last block's hit: digit and (row, col) mean squares.
    last_hit: Option<(char, f64, f64)>,
    run: u32,
    active: Option<char>,
    misses: u32,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        DtmfDetector::new()
    }
}

impl DtmfDetector {
    pub fn new() -> DtmfDetector {
        DtmfDetector {
            rows: ROWS.map(|f| Goertzel::new(f, 8000.0)),
            cols: COLS.map(|f| Goertzel::new(f, 8000.0)),
            energy: 0.0,
            quarters: [0.0; 4],
            filled: 0,
            last_hit: None,
            run: 0,
            active: None,
            misses: 0,
        }
    }

    /// Feed audio; returns the digits that became valid in it.
    pub fn process(&mut self, samples: &[i16]) -> Vec<char> {
        let mut out = Vec::new();
        for &s in samples {
            let x = f64::from(s);
            for g in self.rows.iter_mut().chain(self.cols.iter_mut()) {
                g.push(x);
            }
            self.energy += x * x;
            self.quarters[self.filled * 4 / BLOCK] += x * x;
            self.filled += 1;
            if self.filled == BLOCK {
                if let Some(d) = self.end_block() {
                    out.push(d);
                }
            }
        }
        out
    }

    /// The digit whose tone pair this block holds, with its row and column mean squares.
    fn classify(&self) -> Option<(char, f64, f64)> {
        let n = BLOCK as f64;
        // Mean square of each tone: power = (A*N/2)^2, mean square = A^2/2.
        let ms = |g: &Goertzel| 2.0 * g.power() / (n * n);
        let row_ms = self.rows.map(|g| ms(&g));
        let col_ms = self.cols.map(|g| ms(&g));
        let best = |v: &[f64; 4]| (0..4).fold(0, |b, i| if v[i] > v[b] { i } else { b });
        let (r, c) = (best(&row_ms), best(&col_ms));
        let (rm, cm) = (row_ms[r], col_ms[c]);
        let min_level = MS_0DBM0 * db(-30.0);
        let twist = db(8.0);
        let peak = db(6.3);
        let total_ms = self.energy / n;
        // Quarters hold 26, 25, 26, 25 samples.
        let filled = self
            .quarters
            .iter()
            .zip([26.0, 25.0, 26.0, 25.0])
            .all(|(e, len)| e / len >= 0.4 * total_ms);
        let ok = rm >= min_level
            && cm >= min_level
            && cm * twist >= rm
            && rm * twist >= cm
            && (0..4).all(|i| i == r || row_ms[i] * peak <= rm)
            && (0..4).all(|i| i == c || col_ms[i] * peak <= cm)
            && rm + cm >= 0.6 * total_ms
            && filled;
        ok.then_some((KEYPAD[r][c], rm, cm))
    }

    fn end_block(&mut self) -> Option<char> {
        let hit = self.classify();
        for g in self.rows.iter_mut().chain(self.cols.iter_mut()) {
            g.reset();
        }
        self.energy = 0.0;
        self.quarters = [0.0; 4];
        self.filled = 0;
        let mut report = None;
        match hit {
            Some((d, rm, cm)) => {
                let steady = |a: f64, b: f64| a <= b * db(3.0) && b <= a * db(3.0);
                self.run = match self.last_hit {
                    Some((ld, lr, lc)) if ld == d && steady(lr, rm) && steady(lc, cm) => {
                        self.run + 1
                    }
                    _ => 1,
                };
                if self.active == Some(d) {
                    self.misses = 0;
                } else if self.run >= 2 {
                    self.active = Some(d);
                    self.misses = 0;
                    report = Some(d);
                }
            }
            None => self.run = 0,
        }
        if hit.map(|h| h.0) != self.active {
            self.misses += 1;
            // Three blocks: a 40 ms pause always spoils three, a 10 ms dropout at most two.
            if self.misses >= 3 {
                self.active = None;
            }
        }
        self.last_hit = hit;
        report
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::media::g711::Law;

    #[test]
    fn digit_mapping() {
        let all: String = (0..16).map(|e| event_to_digit(e).unwrap()).collect();
        assert_eq!(all, "0123456789*#ABCD");
        for (i, d) in all.chars().enumerate() {
            assert_eq!(digit_to_event(d), Some(i as u8));
        }
        assert_eq!(digit_to_event('b'), Some(13));
        assert_eq!(event_to_digit(EVENT_FLASH), None);
        assert_eq!(digit_to_event('E'), None);
    }

    #[test]
    fn payload_parse_and_build() {
        // RFC 4733 figure 1 layout: event 5, E=1, R=1 (ignored), volume 10, duration 1600.
        let bytes = [0x05, 0xCA, 0x06, 0x40];
        let ev = TelephoneEvent::parse(&bytes).unwrap();
        assert_eq!(
            ev,
            TelephoneEvent {
                event: 5,
                end: true,
                volume: 10,
                duration: 1600
            }
        );
        assert_eq!(ev.to_bytes(), [0x05, 0x8A, 0x06, 0x40]);
        assert_eq!(ev.digit(), Some('5'));
        assert!(matches!(
            TelephoneEvent::parse(&[1, 2, 3]),
            Err(MediaError::TelephoneEventTooShort { len: 3 })
        ));
    }

    proptest::proptest! {
        #[test]
        fn payload_round_trips(event: u8, end: bool, volume in 0u8..64, duration: u16) {
            let ev = TelephoneEvent { event, end, volume, duration };
            proptest::prop_assert_eq!(TelephoneEvent::parse(&ev.to_bytes()).unwrap(), ev);
        }
    }

    fn pkt(event: u8, end: bool, duration: u16) -> [u8; 4] {
        TelephoneEvent {
            event,
            end,
            volume: 10,
            duration,
        }
        .to_bytes()
    }

    /// Feed (timestamp, marker, payload) triples; collect digits.
    fn run(rx: &mut DtmfReceiver, packets: &[(u32, bool, [u8; 4])]) -> String {
        let mut s = String::new();
        for (ts, m, p) in packets {
            for d in rx.push(*ts, *m, p).unwrap() {
                s.push(d.digit);
            }
        }
        s
    }

    #[test]
    fn receiver_reports_once_with_retransmitted_ends() {
        let mut rx = DtmfReceiver::new();
        let ts = 123_456;
        let seq = [
            (ts, true, pkt(1, false, 160)),
            (ts, false, pkt(1, false, 400)),
            (ts, false, pkt(1, false, 800)),
            (ts, false, pkt(1, true, 960)),
            (ts, false, pkt(1, true, 960)),
            (ts, false, pkt(1, true, 960)),
        ];
        let mut got = Vec::new();
        for (t, m, p) in seq {
            got.extend(rx.push(t, m, &p).unwrap());
        }
        assert_eq!(
            got,
            vec![ReceivedDigit {
                digit: '1',
                timestamp: ts,
                duration: 960,
                ended: true
            }]
        );
        assert_eq!(got[0].duration_ms(), 120);
        assert_eq!(rx.finish(), None);
    }

    #[test]
    fn receiver_handles_duplicates_lost_start_and_new_events() {
        let mut rx = DtmfReceiver::new();
        let s = run(
            &mut rx,
            &[
                // '5' with duplicated updates and lost start packet.
                (1000, false, pkt(5, false, 400)),
                (1000, false, pkt(5, false, 400)),
                (1000, false, pkt(5, true, 800)),
                (1000, false, pkt(5, true, 800)),
                // Same key again: a new event has a new timestamp.
                (3000, true, pkt(5, false, 160)),
                (3000, false, pkt(5, true, 640)),
                (3000, false, pkt(5, true, 640)),
                (3000, false, pkt(5, true, 640)),
                // Flash is not a digit.
                (5000, true, pkt(EVENT_FLASH, false, 160)),
                (5000, false, pkt(EVENT_FLASH, true, 800)),
                // Only end packets of '#'.
                (7000, false, pkt(11, true, 800)),
            ],
        );
        assert_eq!(s, "55#");
    }

    #[test]
    fn receiver_closes_events_whose_end_packets_were_lost() {
        let mut rx = DtmfReceiver::new();
        // '2' loses all end packets; '3' starts with a new timestamp and closes it.
        let s = run(
            &mut rx,
            &[
                (8000, true, pkt(2, false, 160)),
                (8000, false, pkt(2, false, 400)),
                (9600, true, pkt(3, false, 160)),
            ],
        );
        assert_eq!(s, "2");
        // A late end packet of '2' is ignored.
        assert!(rx.push(8000, false, &pkt(2, true, 800)).unwrap().is_empty());
        // Audio shortly after does not close '3'; audio well past it does.
        assert_eq!(rx.on_audio(9600 + 800), None);
        let d = rx.on_audio(9600 + 160 + 1601).unwrap();
        assert_eq!((d.digit, d.ended), ('3', false));
        // '4' open at end of call.
        rx.push(20_000, true, &pkt(4, false, 160)).unwrap();
        assert_eq!(rx.finish().map(|d| d.digit), Some('4'));
        assert_eq!(rx.finish(), None);
    }

    #[test]
    fn receiver_timestamp_wraparound_and_stale_packets() {
        let mut rx = DtmfReceiver::new();
        let s = run(
            &mut rx,
            &[
                (u32::MAX - 100, true, pkt(7, false, 160)),
                (u32::MAX - 100, false, pkt(7, true, 800)),
                (700, true, pkt(8, false, 160)),
                // A stale update of the older event arrives late: ignored.
                (u32::MAX - 100, false, pkt(7, false, 400)),
                (700, false, pkt(8, true, 800)),
            ],
        );
        assert_eq!(s, "78");
    }

    #[test]
    fn sender_packet_train() {
        let tx = DtmfSender::new(96);
        let p = tx.packets('#', 100).unwrap();
        let summary: Vec<(u32, bool, bool, u16)> = p
            .iter()
            .map(|p| (p.offset, p.marker, p.event.end, p.event.duration))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, true, false, 160),
                (400, false, false, 400),
                (800, false, true, 800),
                (960, false, true, 800),
                (1120, false, true, 800),
            ]
        );
        assert!(p
            .iter()
            .all(|p| p.payload_type == 96 && p.event.event == 11));
        assert_eq!(p[2].send_after(), Duration::from_millis(100));
        assert!(matches!(
            tx.packets('x', 100),
            Err(MediaError::NotADigit { digit: 'x' })
        ));
        assert!(matches!(
            tx.packets('1', 10),
            Err(MediaError::DigitDuration { ms: 10 })
        ));
        // What the sender sends, the receiver reports exactly once.
        let mut rx = DtmfReceiver::new();
        let mut got = Vec::new();
        for (i, d) in "159#".chars().enumerate() {
            for p in tx.packets(d, 120).unwrap() {
                let ts = 50_000 + i as u32 * 4000;
                got.extend(rx.push(ts, p.marker, &p.event.to_bytes()).unwrap());
            }
        }
        let s: String = got.iter().map(|d| d.digit).collect();
        assert_eq!(s, "159#");
        assert!(got.iter().all(|d| d.ended && d.duration == 960));
    }

    // ---- in-band ----

    /// Deterministic noise: xorshift, sum of 4 uniforms (roughly Gaussian), unit variance.
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> f64 {
            let mut s = 0.0;
            for _ in 0..4 {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                s += (self.0 >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            }
            s * 3f64.sqrt()
        }
    }

    fn amp(dbm0: f64) -> f64 {
        22_600.0 * 10f64.powf(dbm0 / 20.0)
    }

    fn tone_pair(digit: char, row_dbm0: f64, col_dbm0: f64, ms: usize, phase0: usize) -> Vec<f64> {
        let pos = KEYPAD
            .iter()
            .enumerate()
            .find_map(|(r, row)| row.iter().position(|&d| d == digit).map(|c| (r, c)))
            .unwrap();
        (0..ms * 8)
            .map(|i| {
                let t = (i + phase0) as f64 / 8000.0;
                let w = 2.0 * std::f64::consts::PI * t;
                amp(row_dbm0) * (w * ROWS[pos.0]).sin() + amp(col_dbm0) * (w * COLS[pos.1]).sin()
            })
            .collect()
    }

    fn silence(ms: usize) -> Vec<f64> {
        vec![0.0; ms * 8]
    }

    /// Add noise at `noise_dbm0` (mean power), quantize, feed in 20 ms frames.
    fn detect(signal: &[f64], noise_dbm0: Option<f64>) -> String {
        let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
        let rms = noise_dbm0.map(|d| amp(d) / 2f64.sqrt()).unwrap_or(0.0);
        let pcm: Vec<i16> = signal
            .iter()
            .map(|&s| (s + rms * noise.next()).round() as i16)
            .collect();
        let mut det = DtmfDetector::new();
        let mut out = String::new();
        for frame in pcm.chunks(160) {
            out.extend(det.process(frame));
        }
        out
    }

    #[test]
    fn detects_all_digits_at_minus_20_dbm0_with_noise() {
        let digits = "0123456789*#ABCD";
        let mut sig = silence(30);
        for d in digits.chars() {
            sig.extend(tone_pair(d, -20.0, -20.0, 60, 0));
            sig.extend(silence(60));
        }
        // Noise 15 dB below each tone.
        assert_eq!(detect(&sig, Some(-35.0)), digits);
        assert_eq!(detect(&sig, None), digits);
    }

    #[test]
    fn detects_with_twist_both_ways_and_through_g711() {
        for (row, col) in [(-20.0, -26.0), (-26.0, -20.0)] {
            let mut sig = Vec::new();
            for d in "19#D".chars() {
                sig.extend(tone_pair(d, row, col, 50, 0));
                sig.extend(silence(50));
            }
            assert_eq!(detect(&sig, Some(-40.0)), "19#D", "twist {row}/{col}");
        }
        for law in [Law::Mu, Law::A] {
            let sig = tone_pair('5', -20.0, -22.0, 80, 0);
            let pcm: Vec<i16> = sig.iter().map(|&s| s as i16).collect();
            let decoded = law.decode(&law.encode(&pcm));
            assert_eq!(DtmfDetector::new().process(&decoded), vec!['5'], "{law:?}");
        }
    }

    #[test]
    fn long_press_is_one_digit_and_repeats_need_a_gap() {
        let mut sig = tone_pair('7', -15.0, -15.0, 1000, 0);
        sig.extend(silence(40));
        sig.extend(tone_pair('7', -15.0, -15.0, 45, 0));
        assert_eq!(detect(&sig, Some(-40.0)), "77");
        // A 10 ms dropout inside a press does not split it.
        let mut sig = tone_pair('3', -15.0, -15.0, 200, 0);
        sig.extend(silence(10));
        sig.extend(tone_pair('3', -15.0, -15.0, 200, 0));
        assert_eq!(detect(&sig, None), "3");
    }

    #[test]
    fn minimum_duration_at_every_alignment() {
        for offset in 0..BLOCK {
            let mut sig = vec![0.0; offset];
            sig.extend(tone_pair('8', -20.0, -20.0, 40, 0));
            sig.extend(silence(60));
            assert_eq!(detect(&sig, None), "8", "40 ms at offset {offset}");
            let mut sig = vec![0.0; offset];
            sig.extend(tone_pair('8', -20.0, -20.0, 20, 0));
            sig.extend(silence(60));
            assert_eq!(detect(&sig, None), "", "20 ms burst at offset {offset}");
            // Two presses 40 ms apart are two digits; a 10 ms dropout is not a pause.
            let mut sig = vec![0.0; offset];
            sig.extend(tone_pair('8', -20.0, -20.0, 50, 0));
            sig.extend(silence(40));
            sig.extend(tone_pair('8', -20.0, -20.0, 50, 0));
            sig.extend(silence(10));
            sig.extend(tone_pair('8', -20.0, -20.0, 50, 0));
            assert_eq!(detect(&sig, None), "88", "gaps at offset {offset}");
        }
    }

    #[test]
    fn rejects_single_tones_noise_and_dial_tone() {
        let single: Vec<f64> = tone_pair('1', -10.0, -80.0, 500, 0);
        assert_eq!(detect(&single, None), "", "697 Hz alone");
        let a440: Vec<f64> = (0..4000)
            .map(|i| amp(-10.0) * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / 8000.0).sin())
            .collect();
        assert_eq!(detect(&a440, None), "", "440 Hz");
        assert_eq!(detect(&silence(2000), Some(-10.0)), "", "white noise");
        assert_eq!(detect(&silence(2000), Some(-25.0)), "", "quiet white noise");
        // Too quiet to count.
        assert_eq!(detect(&tone_pair('2', -40.0, -40.0, 200, 0), None), "");
    }

    #[test]
    fn rejects_speech_like_harmonic_signals() {
        // Voiced-speech stand-in: a glottal pulse train (f0 gliding 90-260 Hz) with harmonics
        // up to 3.4 kHz shaped by two moving formants, at a loud -10 dBm0.
        let mut sig = Vec::new();
        let mut phase = 0.0f64;
        for i in 0..(8000 * 6) {
            let t = i as f64 / 8000.0;
            let f0 = 175.0 + 85.0 * (2.0 * std::f64::consts::PI * 0.7 * t).sin();
            phase += 2.0 * std::f64::consts::PI * f0 / 8000.0;
            let f1 = 500.0 + 300.0 * (2.0 * std::f64::consts::PI * 1.3 * t).sin();
            let f2 = 1500.0 + 600.0 * (2.0 * std::f64::consts::PI * 0.9 * t).cos();
            let mut s = 0.0;
            let mut k = 1.0;
            while k * f0 < 3400.0 {
                let f = k * f0;
                let gain = 1.0 / (1.0 + ((f - f1) / 120.0).powi(2))
                    + 0.7 / (1.0 + ((f - f2) / 150.0).powi(2))
                    + 0.05;
                s += gain * (k * phase).sin();
                k += 1.0;
            }
            sig.push(s);
        }
        let peak = sig.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
        let sig: Vec<f64> = sig.iter().map(|v| v / peak * amp(-10.0) * 1.4).collect();
        assert_eq!(detect(&sig, Some(-40.0)), "");
    }
}
