//! RTCP (RFC 3550 section 6), sans-IO: sender and receiver reports with an SDES CNAME, built
//! and parsed, and the per-call [`RtcpSession`] that makes one compound report every
//! [`REPORT_INTERVAL`] and measures the round trip from the peer's report blocks about us
//! (`A - LSR - DLSR`, 6.4.1). A peer that sends no report (or none answering an SR of ours)
//! leaves the round trip unknown, never zero. SRTCP (RFC 3711) wraps the bytes these build
//! and parse; nothing here knows about keys.
//!
//! [`bind_pair`] is this module's one socket helper: an RTP port P (even) with P + 1 free for
//! RTCP, as RFC 3550 11 pairs them when the SDP names no `a=rtcp`.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::rtp::RtpStats;

/// How often each side reports (RFC 3550's minimum interval).
pub const REPORT_INTERVAL: Duration = Duration::from_secs(5);
/// The first report goes out after half an interval.
pub const FIRST_REPORT: Duration = Duration::from_millis(2500);

const PT_SR: u8 = 200;
const PT_RR: u8 = 201;
const PT_SDES: u8 = 202;
/// Seconds from 1900 (NTP) to 1970 (Unix).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// An RTCP packet that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("RTCP packet of {len} bytes: {why}")]
pub struct RtcpError {
    pub len: usize,
    pub why: &'static str,
}

/// The sender info of an SR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderInfo {
    /// NTP timestamp (64-bit fixed point, seconds since 1900).
    pub ntp: u64,
    pub rtp_timestamp: u32,
    pub packets: u32,
    pub octets: u32,
}

/// One report block (RFC 3550 6.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportBlock {
    pub ssrc: u32,
    pub fraction_lost: u8,
    /// 24 bits, signed.
    pub cumulative_lost: i32,
    pub highest_sequence: u32,
    pub jitter: u32,
    /// The middle 32 bits of the NTP time of the last SR from `ssrc` (0: none yet).
    pub last_sr: u32,
    /// Since that SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// A parsed RTCP packet of a compound one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet {
    SenderReport {
        ssrc: u32,
        info: SenderInfo,
        blocks: Vec<ReportBlock>,
    },
    ReceiverReport {
        ssrc: u32,
        blocks: Vec<ReportBlock>,
    },
    /// SDES, BYE, APP, ...: the packet type.
    Other(u8),
}

/// The NTP time of `t`.
pub fn ntp_of(t: SystemTime) -> u64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs() + NTP_UNIX_OFFSET;
    let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

fn mid32(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

fn header(out: &mut Vec<u8>, count: u8, pt: u8, words: usize) {
    out.push(0x80 | (count & 0x1f));
    out.push(pt);
    out.extend_from_slice(&((words - 1) as u16).to_be_bytes());
}

fn block_bytes(out: &mut Vec<u8>, b: &ReportBlock) {
    out.extend_from_slice(&b.ssrc.to_be_bytes());
    let lost = (b.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32) & 0x00ff_ffff;
    out.extend_from_slice(&((u32::from(b.fraction_lost) << 24) | lost).to_be_bytes());
    out.extend_from_slice(&b.highest_sequence.to_be_bytes());
    out.extend_from_slice(&b.jitter.to_be_bytes());
    out.extend_from_slice(&b.last_sr.to_be_bytes());
    out.extend_from_slice(&b.delay_since_last_sr.to_be_bytes());
}

/// A compound packet: an SR (with `info`) or an RR, then SDES with `cname`.
pub fn build(ssrc: u32, info: Option<&SenderInfo>, blocks: &[ReportBlock], cname: &str) -> Vec<u8> {
    let blocks = &blocks[..blocks.len().min(31)];
    let mut out = Vec::with_capacity(64 + cname.len());
    match info {
        Some(i) => {
            header(&mut out, blocks.len() as u8, PT_SR, 7 + 6 * blocks.len());
            out.extend_from_slice(&ssrc.to_be_bytes());
            out.extend_from_slice(&i.ntp.to_be_bytes());
            out.extend_from_slice(&i.rtp_timestamp.to_be_bytes());
            out.extend_from_slice(&i.packets.to_be_bytes());
            out.extend_from_slice(&i.octets.to_be_bytes());
        }
        None => {
            header(&mut out, blocks.len() as u8, PT_RR, 2 + 6 * blocks.len());
            out.extend_from_slice(&ssrc.to_be_bytes());
        }
    }
    for b in blocks {
        block_bytes(&mut out, b);
    }
    let name = &cname.as_bytes()[..cname.len().min(255)];
    // SSRC, CNAME item (type, length, text), END, padded to 32 bits.
    let chunk = 4 + 2 + name.len() + 1;
    let padded = chunk.div_ceil(4) * 4;
    header(&mut out, 1, PT_SDES, 1 + padded / 4);
    out.extend_from_slice(&ssrc.to_be_bytes());
    out.push(1);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.resize(out.len() + padded - chunk + 1, 0);
    out
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_blocks(body: &[u8], count: usize) -> Vec<ReportBlock> {
    body.chunks_exact(24)
        .take(count)
        .map(|b| {
            let lost = be32(b, 4);
            let cumulative = (lost & 0x00ff_ffff) as i32;
            ReportBlock {
                ssrc: be32(b, 0),
                fraction_lost: (lost >> 24) as u8,
                cumulative_lost: if cumulative & 0x80_0000 != 0 {
                    cumulative - 0x100_0000
                } else {
                    cumulative
                },
                highest_sequence: be32(b, 8),
                jitter: be32(b, 12),
                last_sr: be32(b, 16),
                delay_since_last_sr: be32(b, 20),
            }
        })
        .collect()
}

/// The packets of a compound RTCP datagram.
pub fn parse(datagram: &[u8]) -> Result<Vec<Packet>, RtcpError> {
    let err = |why| RtcpError {
        len: datagram.len(),
        why,
    };
    let mut out = Vec::new();
    let mut rest = datagram;
    while !rest.is_empty() {
        if rest.len() < 4 || rest[0] >> 6 != 2 {
            return Err(err("not RTCP version 2"));
        }
        let count = usize::from(rest[0] & 0x1f);
        let pt = rest[1];
        let len = (usize::from(u16::from_be_bytes([rest[2], rest[3]])) + 1) * 4;
        if len > rest.len() {
            return Err(err("a length beyond the datagram"));
        }
        let p = &rest[..len];
        out.push(match pt {
            PT_SR if len >= 28 + 24 * count => Packet::SenderReport {
                ssrc: be32(p, 4),
                info: SenderInfo {
                    ntp: (u64::from(be32(p, 8)) << 32) | u64::from(be32(p, 12)),
                    rtp_timestamp: be32(p, 16),
                    packets: be32(p, 20),
                    octets: be32(p, 24),
                },
                blocks: read_blocks(&p[28..], count),
            },
            PT_RR if len >= 8 + 24 * count => Packet::ReceiverReport {
                ssrc: be32(p, 4),
                blocks: read_blocks(&p[8..], count),
            },
            PT_SR | PT_RR => return Err(err("a report shorter than its report count")),
            other => Packet::Other(other),
        });
        rest = &rest[len..];
    }
    if out.is_empty() {
        return Err(err("empty"));
    }
    Ok(out)
}

/// One call's RTCP: what to report and what the peer's reports say.
#[derive(Clone, Debug)]
pub struct RtcpSession {
    ssrc: u32,
    cname: String,
    /// The peer's last SR: its middle NTP bits and when it arrived.
    last_sr: Option<(u32, Instant)>,
    /// (expected, received) at our previous report, for the fraction lost.
    prior: (u64, u64),
    round_trips: Vec<Duration>,
    pub sent: u64,
    pub received: u64,
}

impl RtcpSession {
    pub fn new(ssrc: u32, cname: impl Into<String>) -> RtcpSession {
        RtcpSession {
            ssrc,
            cname: cname.into(),
            last_sr: None,
            prior: (0, 0),
            round_trips: Vec::new(),
            sent: 0,
            received: 0,
        }
    }

    /// The report to send at `now` (`ntp`: the wall clock then): an SR when `sender` is
    /// given (we sent RTP), else an RR; a report block about the stream `rx` describes.
    pub fn report(
        &mut self,
        now: Instant,
        ntp: u64,
        sender: Option<SenderInfo>,
        rx: &RtpStats,
    ) -> Vec<u8> {
        let mut blocks = Vec::new();
        if let Some(peer) = rx.ssrc {
            let expected = rx.expected.saturating_sub(self.prior.0);
            let received = rx.received.saturating_sub(self.prior.1);
            let lost = expected.saturating_sub(received);
            self.prior = (rx.expected, rx.received);
            let (last_sr, delay) = match self.last_sr {
                Some((mid, at)) => {
                    let d = now.saturating_duration_since(at).as_secs_f64() * 65536.0;
                    (mid, d as u32)
                }
                None => (0, 0),
            };
            blocks.push(ReportBlock {
                ssrc: peer,
                fraction_lost: (lost * 256)
                    .checked_div(expected)
                    .map_or(0, |f| f.min(255) as u8),
                cumulative_lost: i32::try_from(rx.lost).unwrap_or(i32::MAX),
                highest_sequence: rx.highest_sequence,
                jitter: rx.jitter as u32,
                last_sr,
                delay_since_last_sr: delay,
            });
        }
        let info = sender.map(|s| SenderInfo { ntp, ..s });
        self.sent += 1;
        build(self.ssrc, info.as_ref(), &blocks, &self.cname)
    }

    /// A datagram from the peer's RTCP port, arrived at `now` (`ntp` then).
    pub fn receive(&mut self, datagram: &[u8], now: Instant, ntp: u64) -> Result<(), RtcpError> {
        let packets = parse(datagram)?;
        self.received += 1;
        for p in packets {
            let blocks = match p {
                Packet::SenderReport { info, blocks, .. } => {
                    self.last_sr = Some((mid32(info.ntp), now));
                    blocks
                }
                Packet::ReceiverReport { blocks, .. } => blocks,
                Packet::Other(_) => continue,
            };
            for b in blocks
                .iter()
                .filter(|b| b.ssrc == self.ssrc && b.last_sr != 0)
            {
                let rtt = mid32(ntp)
                    .wrapping_sub(b.last_sr)
                    .wrapping_sub(b.delay_since_last_sr);
                // Anything over a minute is a clock step, not a round trip.
                if rtt < 60 * 65536 {
                    self.round_trips
                        .push(Duration::from_secs_f64(f64::from(rtt) / 65536.0));
                }
            }
        }
        Ok(())
    }

    /// The mean round trip measured, `None` when the peer's reports never answered an SR.
    pub fn round_trip(&self) -> Option<Duration> {
        let n = self.round_trips.len() as u32;
        (n > 0).then(|| self.round_trips.iter().sum::<Duration>() / n)
    }
}

/// Binds an RTP socket on an even port of `ip` and its RTCP socket on the next port.
pub fn bind_pair(ip: IpAddr) -> std::io::Result<(UdpSocket, UdpSocket)> {
    let mut last = None;
    for _ in 0..64 {
        let rtp = UdpSocket::bind(SocketAddr::new(ip, 0))?;
        let port = rtp.local_addr()?.port();
        if port % 2 == 1 || port == u16::MAX {
            continue;
        }
        match UdpSocket::bind(SocketAddr::new(ip, port + 1)) {
            Ok(rtcp) => return Ok((rtp, rtcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no even port with a free neighbour")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sr_and_rr_round_trip_through_bytes() {
        let block = ReportBlock {
            ssrc: 0x0102_0304,
            fraction_lost: 25,
            cumulative_lost: -3,
            highest_sequence: 70_000,
            jitter: 42,
            last_sr: 0xAABB_CCDD,
            delay_since_last_sr: 65536,
        };
        let info = SenderInfo {
            ntp: 0x1122_3344_5566_7788,
            rtp_timestamp: 160,
            packets: 50,
            octets: 8000,
        };
        let sr = build(7, Some(&info), &[block], "umctl@ex-mbx01");
        assert_eq!(sr.len() % 4, 0);
        let parsed = parse(&sr).unwrap();
        assert_eq!(
            parsed[0],
            Packet::SenderReport {
                ssrc: 7,
                info,
                blocks: vec![block]
            }
        );
        assert_eq!(parsed[1], Packet::Other(PT_SDES));
        let rr = build(9, None, &[], "x");
        assert_eq!(
            parse(&rr).unwrap()[0],
            Packet::ReceiverReport {
                ssrc: 9,
                blocks: vec![]
            }
        );
        assert!(parse(&[0x80, 200, 0, 9]).is_err());
        assert!(parse(b"\x00\x00\x00\x00").is_err());
    }

    #[test]
    fn the_round_trip_is_a_minus_lsr_minus_dlsr_and_empty_without_reports() {
        let t0 = Instant::now();
        let mut us = RtcpSession::new(1, "us");
        let mut peer = RtcpSession::new(2, "peer");
        assert_eq!(us.round_trip(), None);
        let rx_of = |ssrc| RtpStats {
            ssrc: Some(ssrc),
            received: 100,
            expected: 100,
            lost: 0,
            duplicates: 0,
            reordered: 0,
            discarded: 0,
            invalid: 0,
            ssrc_changes: 0,
            restarts: 0,
            jitter: 8.0,
            jitter_ms: 1.0,
            highest_sequence: 100,
        };
        let ntp0 = ntp_of(SystemTime::now());
        let sr = us.report(t0, ntp0, Some(SenderInfo::default()), &rx_of(2));
        // 30 ms on the way out; the peer holds it 200 ms; 30 ms back.
        let ms = |n: u64| (n << 32) / 1000;
        peer.receive(&sr, t0 + Duration::from_millis(30), ntp0 + ms(30))
            .unwrap();
        let rr = peer.report(
            t0 + Duration::from_millis(230),
            ntp0 + ms(230),
            None,
            &rx_of(1),
        );
        us.receive(&rr, t0 + Duration::from_millis(260), ntp0 + ms(260))
            .unwrap();
        let rtt = us.round_trip().unwrap().as_secs_f64() * 1000.0;
        assert!((rtt - 60.0).abs() < 1.0, "{rtt}");
        // A report that answers no SR of ours leaves it as it was.
        assert_eq!(peer.round_trip(), None);
        assert_eq!((us.sent, us.received), (1, 1));
    }

    #[test]
    fn pairs_are_an_even_port_and_the_next() {
        let (rtp, rtcp) = bind_pair("127.0.0.1".parse().unwrap()).unwrap();
        let p = rtp.local_addr().unwrap().port();
        assert_eq!(p % 2, 0);
        assert_eq!(rtcp.local_addr().unwrap().port(), p + 1);
    }
}
