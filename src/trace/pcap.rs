//! The live trace's capture file: the SIP messages and RTP packets the caller sent and
//! received, written as a classic libpcap file (LINKTYPE_RAW, 101: each record starts with an
//! IPv4 header) that Wireshark and tshark open. The packets are not sniffed from the wire:
//! the trace records each message's payload, addresses and time as it hands it to (or gets it
//! from) its socket, and this file synthesizes the IPv4 and UDP/TCP headers around it, with
//! valid checksums and, for TCP, sequence numbers that run on per direction. SIP over TLS is
//! written as the plaintext inside the TLS session (what Wireshark shows after decryption),
//! as TCP. The file format itself is the `pcap-file` crate's.
//!
//! It also reads such a file back ([`read`]), for the tests and for anyone checking a capture.
//! It does not open sockets or know SIP.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::DataLink;

/// What a packet travelled over (as written into the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Wire {
    Udp,
    Tcp,
}

const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const IPV4_HEADER: usize = 20;
const UDP_HEADER: usize = 8;
const TCP_HEADER: usize = 20;
/// Payloads above this are cut into several segments (TCP) or refused (UDP).
const MAX_PAYLOAD: usize = 65_535 - IPV4_HEADER - TCP_HEADER;

/// One captured payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captured {
    /// Time since the Unix epoch.
    pub at: Duration,
    pub from: SocketAddrV4,
    pub to: SocketAddrV4,
    pub wire: Wire,
    pub payload: Vec<u8>,
}

/// Why a capture cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{addr} is not an IPv4 address: the capture file holds IPv4 packets only")]
    NotIpv4 { addr: SocketAddr },
    #[error("a UDP payload of {len} bytes does not fit in one IPv4 datagram (at most {max})")]
    TooLarge { len: usize, max: usize },
    #[error("pcap: {0}")]
    Pcap(#[from] pcap_file::PcapError),
    #[error("record {index} of the capture: {why}")]
    BadRecord { index: usize, why: String },
}

/// The packets of one live call, in the order they were seen.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    packets: Vec<Captured>,
    /// SRTP keys of the media, one line per direction, for `--pcap-keys` only.
    srtp_keys: KeyLines,
}

/// Lines that hold SRTP keys: never printed by `Debug`.
#[derive(Clone, Default)]
struct KeyLines(Vec<String>);

impl std::fmt::Debug for KeyLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyLines({} redacted)", self.0.len())
    }
}

fn v4(addr: SocketAddr) -> Result<SocketAddrV4, CaptureError> {
    match addr {
        SocketAddr::V4(a) => Ok(a),
        SocketAddr::V6(_) => Err(CaptureError::NotIpv4 { addr }),
    }
}

impl Capture {
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Records `payload` sent from `from` to `to` now.
    pub fn push(
        &mut self,
        from: SocketAddr,
        to: SocketAddr,
        wire: Wire,
        payload: &[u8],
    ) -> Result<(), CaptureError> {
        if wire == Wire::Udp && payload.len() > 65_535 - IPV4_HEADER - UDP_HEADER {
            return Err(CaptureError::TooLarge {
                len: payload.len(),
                max: 65_535 - IPV4_HEADER - UDP_HEADER,
            });
        }
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.packets.push(Captured {
            at,
            from: v4(from)?,
            to: v4(to)?,
            wire,
            payload: payload.to_vec(),
        });
        Ok(())
    }

    /// Adds the packets of `other` (another stream of the same call), keeping time order.
    pub fn merge(&mut self, other: Capture) {
        self.srtp_keys.0.extend(other.srtp_keys.0);
        self.packets.extend(other.packets);
        self.packets.sort_by_key(|p| p.at);
    }

    /// Notes the SRTP key of the media from `from` to `to` (for `--pcap-keys`).
    pub fn add_srtp_key(&mut self, from: SocketAddr, to: SocketAddr, suite: &str, inline: &str) {
        self.srtp_keys
            .0
            .push(format!("{from} -> {to} {suite} inline:{inline}"));
    }

    /// The `--pcap-keys` file: one line per SRTP direction (empty without SRTP).
    pub fn srtp_key_file(&self) -> Option<String> {
        if self.srtp_keys.0.is_empty() {
            return None;
        }
        let mut text = String::from(
            "# SRTP master keys of the capture (RFC 4568 inline: base64 of the 16-byte key and 14-byte salt).\n\
             # <source> -> <destination> <crypto suite> inline:<key||salt>; SRTCP uses the same key.\n",
        );
        for line in &self.srtp_keys.0 {
            text.push_str(line);
            text.push('\n');
        }
        Some(text)
    }

    pub fn packets(&self) -> &[Captured] {
        &self.packets
    }

    pub fn len(&self) -> usize {
        self.packets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// The capture as a pcap file.
    pub fn to_pcap(&self) -> Result<Vec<u8>, CaptureError> {
        let header = PcapHeader {
            datalink: DataLink::RAW,
            ..PcapHeader::default()
        };
        let mut writer = PcapWriter::with_header(Vec::new(), header)?;
        // The next sequence number of each TCP direction.
        let mut seq: HashMap<(SocketAddrV4, SocketAddrV4), u32> = HashMap::new();
        for p in &self.packets {
            match p.wire {
                Wire::Udp => {
                    let data = ipv4(p.from, p.to, PROTO_UDP, &udp(p.from, p.to, &p.payload));
                    write(&mut writer, p.at, &data)?;
                }
                Wire::Tcp => {
                    for chunk in p.payload.chunks(MAX_PAYLOAD) {
                        let mine = *seq.entry((p.from, p.to)).or_insert(1);
                        let theirs = *seq.entry((p.to, p.from)).or_insert(1);
                        let segment = tcp(p.from, p.to, mine, theirs, chunk);
                        seq.insert((p.from, p.to), mine.wrapping_add(chunk.len() as u32));
                        let data = ipv4(p.from, p.to, PROTO_TCP, &segment);
                        write(&mut writer, p.at, &data)?;
                    }
                }
            }
        }
        Ok(writer.into_writer())
    }
}

fn write(writer: &mut PcapWriter<Vec<u8>>, at: Duration, data: &[u8]) -> Result<(), CaptureError> {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    writer.write_packet(&PcapPacket::new(at, len, data))?;
    Ok(())
}

/// The Internet checksum (RFC 1071) of `parts` laid end to end.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum = sum.wrapping_add(u32::from(u16::from_be_bytes([hi, b]))),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum = sum.wrapping_add(u32::from(u16::from_be_bytes([hi, 0])));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn pseudo_header(from: SocketAddrV4, to: SocketAddrV4, proto: u8, len: usize) -> [u8; 12] {
    let mut h = [0u8; 12];
    h[0..4].copy_from_slice(&from.ip().octets());
    h[4..8].copy_from_slice(&to.ip().octets());
    h[9] = proto;
    h[10..12].copy_from_slice(&(len as u16).to_be_bytes());
    h
}

fn ipv4(from: SocketAddrV4, to: SocketAddrV4, proto: u8, body: &[u8]) -> Vec<u8> {
    let total = (IPV4_HEADER + body.len()) as u16;
    let mut h = vec![0u8; IPV4_HEADER];
    h[0] = 0x45; // version 4, 5 words
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h[6] = 0x40; // don't fragment
    h[8] = 64; // TTL
    h[9] = proto;
    h[12..16].copy_from_slice(&from.ip().octets());
    h[16..20].copy_from_slice(&to.ip().octets());
    let sum = checksum(&[&h]);
    h[10..12].copy_from_slice(&sum.to_be_bytes());
    h.extend_from_slice(body);
    h
}

fn udp(from: SocketAddrV4, to: SocketAddrV4, payload: &[u8]) -> Vec<u8> {
    let len = UDP_HEADER + payload.len();
    let mut h = vec![0u8; UDP_HEADER];
    h[0..2].copy_from_slice(&from.port().to_be_bytes());
    h[2..4].copy_from_slice(&to.port().to_be_bytes());
    h[4..6].copy_from_slice(&(len as u16).to_be_bytes());
    let sum = checksum(&[&pseudo_header(from, to, PROTO_UDP, len), &h, payload]);
    // 0 means "no checksum" in UDP over IPv4; a computed 0 is sent as all ones.
    let sum = if sum == 0 { 0xffff } else { sum };
    h[6..8].copy_from_slice(&sum.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

fn tcp(from: SocketAddrV4, to: SocketAddrV4, seq: u32, ack: u32, payload: &[u8]) -> Vec<u8> {
    let len = TCP_HEADER + payload.len();
    let mut h = vec![0u8; TCP_HEADER];
    h[0..2].copy_from_slice(&from.port().to_be_bytes());
    h[2..4].copy_from_slice(&to.port().to_be_bytes());
    h[4..8].copy_from_slice(&seq.to_be_bytes());
    h[8..12].copy_from_slice(&ack.to_be_bytes());
    h[12] = 5 << 4; // 5 words, no options
    h[13] = 0x18; // PSH, ACK
    h[14..16].copy_from_slice(&65_535u16.to_be_bytes());
    let sum = checksum(&[&pseudo_header(from, to, PROTO_TCP, len), &h, payload]);
    h[16..18].copy_from_slice(&sum.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

/// Reads a capture written by [`Capture::to_pcap`] (or any LINKTYPE_RAW IPv4 file with UDP
/// and TCP): each record's addresses, transport and payload. Checks the IPv4 header
/// checksum and lengths.
pub fn read(bytes: &[u8]) -> Result<Vec<Captured>, CaptureError> {
    let mut reader = PcapReader::new(bytes)?;
    if reader.header().datalink != DataLink::RAW {
        return Err(CaptureError::BadRecord {
            index: 0,
            why: format!(
                "link type {:?}, expected RAW (101)",
                reader.header().datalink
            ),
        });
    }
    let mut out = Vec::new();
    let mut index = 0;
    while let Some(packet) = reader.next_packet() {
        let packet = packet?;
        let bad = |why: &str| CaptureError::BadRecord {
            index,
            why: why.to_string(),
        };
        let d = &packet.data;
        if d.len() < IPV4_HEADER || d[0] != 0x45 {
            return Err(bad("not an IPv4 header of 20 bytes"));
        }
        if checksum(&[&d[..IPV4_HEADER]]) != 0 {
            return Err(bad("wrong IPv4 header checksum"));
        }
        let total = usize::from(u16::from_be_bytes([d[2], d[3]]));
        if total != d.len() {
            return Err(bad("IPv4 total length differs from the record's length"));
        }
        let ip = |at: usize| Ipv4Addr::new(d[at], d[at + 1], d[at + 2], d[at + 3]);
        let (src, dst) = (ip(12), ip(16));
        let body = &d[IPV4_HEADER..];
        let port = |at: usize| u16::from_be_bytes([body[at], body[at + 1]]);
        let (wire, header) = match d[9] {
            PROTO_UDP if body.len() >= UDP_HEADER => (Wire::Udp, UDP_HEADER),
            PROTO_TCP if body.len() >= TCP_HEADER => (Wire::Tcp, usize::from(body[12] >> 4) * 4),
            _ => return Err(bad("neither UDP nor TCP")),
        };
        if body.len() < header {
            return Err(bad("transport header cut short"));
        }
        out.push(Captured {
            at: packet.timestamp,
            from: SocketAddrV4::new(src, port(0)),
            to: SocketAddrV4::new(dst, port(2)),
            wire,
            payload: body[header..].to_vec(),
        });
        index += 1;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn sip_over_tcp_and_rtp_over_udp_round_trip() {
        let mut c = Capture::new();
        let invite = b"INVITE sip:LOC801@ex-cas01.contoso.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
        let ok = b"SIP/2.0 302 Moved Temporarily\r\nContent-Length: 0\r\n\r\n";
        c.push(
            a("127.0.10.1:40000"),
            a("127.0.10.11:5061"),
            Wire::Tcp,
            invite,
        )
        .unwrap();
        c.push(a("127.0.10.11:5061"), a("127.0.10.1:40000"), Wire::Tcp, ok)
            .unwrap();
        c.push(
            a("127.0.10.1:40000"),
            a("127.0.10.11:5061"),
            Wire::Tcp,
            invite,
        )
        .unwrap();
        c.push(
            a("127.0.10.1:30000"),
            a("127.0.10.13:31000"),
            Wire::Udp,
            &[0x80; 172],
        )
        .unwrap();
        let bytes = c.to_pcap().unwrap();
        // Classic pcap magic (big endian, microseconds) and link type 101.
        assert_eq!(&bytes[0..4], &[0xa1, 0xb2, 0xc3, 0xd4]);
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 101);
        let back = read(&bytes).unwrap();
        assert_eq!(back.len(), 4);
        for (x, y) in back.iter().zip(c.packets()) {
            assert_eq!(
                (x.from, x.to, x.wire, &x.payload),
                (y.from, y.to, y.wire, &y.payload)
            );
        }
    }

    #[test]
    fn tcp_sequence_numbers_run_on_per_direction_and_checksums_verify() {
        let mut c = Capture::new();
        c.push(a("10.0.0.1:1000"), a("10.0.0.2:2000"), Wire::Tcp, b"abc")
            .unwrap();
        c.push(a("10.0.0.1:1000"), a("10.0.0.2:2000"), Wire::Tcp, b"defg")
            .unwrap();
        let bytes = c.to_pcap().unwrap();
        let mut reader = PcapReader::new(&bytes[..]).unwrap();
        let first = reader.next_packet().unwrap().unwrap().data.into_owned();
        let second = reader.next_packet().unwrap().unwrap().data.into_owned();
        let seq = |d: &[u8]| u32::from_be_bytes(d[24..28].try_into().unwrap());
        assert_eq!(seq(&first), 1);
        assert_eq!(seq(&second), 4);
        // A segment with its pseudo-header sums to zero when the checksum is right.
        let from: SocketAddrV4 = "10.0.0.1:1000".parse().unwrap();
        let to: SocketAddrV4 = "10.0.0.2:2000".parse().unwrap();
        let segment = &second[IPV4_HEADER..];
        let pseudo = pseudo_header(from, to, PROTO_TCP, segment.len());
        assert_eq!(checksum(&[&pseudo, segment]), 0);
    }

    #[test]
    fn ipv6_is_refused_with_the_address() {
        let mut c = Capture::new();
        let e = c
            .push(a("[::1]:5060"), a("127.0.0.1:5060"), Wire::Udp, b"x")
            .unwrap_err();
        assert!(e.to_string().contains("[::1]:5060"), "{e}");
    }
}
