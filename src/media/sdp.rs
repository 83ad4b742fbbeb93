//! SDP (RFC 4566) parsing and rendering, and the offer/answer negotiation (RFC 3264) of one
//! G.711 audio stream with optional RFC 4733 telephone-events.
//!
//! Owns: the session description model (only the lines a voice endpoint needs: v, o, s, c,
//! t, m, a; others are skipped), the choice of codec (PCMU or PCMA in the offerer's order;
//! static payload types 0 and 8 count without an rtpmap), the telephone-event payload type
//! (whatever the offer uses, never a hard-coded 101), the transport profile per the dial
//! plan's [`Encryption`] (RTP/AVP, or SRTP with one `a=crypto` of ours on Secured plans,
//! Lync's `a=encryption` read), and the answer. Does not own the SIP
//! side (which body goes in which message, 488 responses) or sockets; a host name in c= is
//! left to the caller to resolve.
//! Hand-written: the subset is small, and the SDP crates on crates.io (`sdp`, `webrtc-sdp`)
//! carry WebRTC baggage (ICE, DTLS) this endpoint never uses.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use super::g711::Law;
use super::srtp::{CryptoAttribute, CryptoRefusal, MasterKey, SrtpKeys};
use super::MediaError;

/// Media direction attribute (RFC 4566 6, RFC 3264 6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn parse(name: &str) -> Option<Direction> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an answer uses for this offered direction.
    pub fn mirror(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }

    /// Whether the side holding this direction sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the side holding this direction receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
}

/// A c= line: `IN IP4 192.0.2.1` or `IN IP6 2001:db8::1` (a /ttl suffix is kept in
/// `address`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// "IP4" or "IP6".
    pub addr_type: String,
    pub address: String,
}

impl Connection {
    /// The address as an IP address (None for a host name).
    pub fn ip(&self) -> Option<IpAddr> {
        let addr = self.address.split('/').next().unwrap_or_default();
        addr.parse().ok()
    }

    fn for_ip(ip: IpAddr) -> Connection {
        Connection {
            addr_type: if ip.is_ipv4() { "IP4" } else { "IP6" }.to_string(),
            address: ip.to_string(),
        }
    }
}

/// The o= line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    pub session_id: String,
    pub session_version: String,
    pub connection: Connection,
}

/// An a=rtpmap line: `<pt> <encoding>/<clock>[/<channels>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpMap {
    pub payload_type: u8,
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: Option<u32>,
}

/// One m= section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDescription {
    pub media: String,
    pub port: u16,
    pub port_count: Option<u16>,
    pub proto: String,
    pub formats: Vec<String>,
    pub connection: Option<Connection>,
    pub rtpmaps: Vec<RtpMap>,
    /// a=fmtp: (format, parameters).
    pub fmtps: Vec<(String, String)>,
    pub ptime: Option<u32>,
    pub direction: Option<Direction>,
    /// Every other attribute (a=crypto, a=candidate, a=rtcp ...), name and value.
    pub attributes: Vec<(String, Option<String>)>,
}

impl MediaDescription {
    pub fn rtpmap(&self, payload_type: u8) -> Option<&RtpMap> {
        self.rtpmaps.iter().find(|m| m.payload_type == payload_type)
    }

    /// Human name of an offered format, for error messages: "G729/8000 (18)".
    fn describe(&self, format: &str) -> String {
        let Ok(pt) = format.parse::<u8>() else {
            return format.to_string();
        };
        match self.rtpmap(pt) {
            Some(m) => format!("{}/{} ({pt})", m.encoding, m.clock_rate),
            None => match static_name(pt) {
                Some(name) => format!("{name} ({pt})"),
                None => format!("PT {pt}"),
            },
        }
    }
}

/// RFC 3551 static audio payload types, for naming what an offer lists without rtpmap.
fn static_name(pt: u8) -> Option<&'static str> {
    Some(match pt {
        0 => "PCMU/8000",
        3 => "GSM/8000",
        4 => "G723/8000",
        5 => "DVI4/8000",
        6 => "DVI4/16000",
        7 => "LPC/8000",
        8 => "PCMA/8000",
        9 => "G722/8000",
        10 => "L16/44100/2",
        11 => "L16/44100",
        12 => "QCELP/8000",
        13 => "CN/8000",
        14 => "MPA/90000",
        15 => "G728/8000",
        16 => "DVI4/11025",
        17 => "DVI4/22050",
        18 => "G729/8000",
        _ => return None,
    })
}

/// A parsed session description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    pub origin: Origin,
    pub session_name: String,
    pub connection: Option<Connection>,
    pub direction: Option<Direction>,
    /// Other session-level attributes.
    pub attributes: Vec<(String, Option<String>)>,
    pub media: Vec<MediaDescription>,
}

fn sdp_err(line_no: usize, line: &str, expected: &'static str) -> MediaError {
    MediaError::Sdp {
        line_no,
        line: line.to_string(),
        expected,
    }
}

fn parse_connection(value: &str) -> Option<Connection> {
    let mut it = value.split_whitespace();
    let (net, addr_type, address) = (it.next()?, it.next()?, it.next()?);
    if net != "IN" || !matches!(addr_type, "IP4" | "IP6") || it.next().is_some() {
        return None;
    }
    Some(Connection {
        addr_type: addr_type.to_string(),
        address: address.to_string(),
    })
}

fn parse_rtpmap(value: &str) -> Option<RtpMap> {
    let (pt, rest) = value.split_once(' ')?;
    let mut parts = rest.trim().split('/');
    let encoding = parts.next()?.to_string();
    let clock_rate = parts.next()?.parse().ok()?;
    let channels = match parts.next() {
        Some(c) => Some(c.parse().ok()?),
        None => None,
    };
    Some(RtpMap {
        payload_type: pt.parse().ok()?,
        encoding,
        clock_rate,
        channels,
    })
}

impl SessionDescription {
    /// Parse an SDP body. Unknown line types (b=, i=, k= ...) are skipped; malformed a=
    /// attributes are kept as plain attributes rather than failing the call.
    pub fn parse(text: &str) -> Result<SessionDescription, MediaError> {
        let mut origin = None;
        let mut session_name = String::new();
        let mut connection = None;
        let mut direction = None;
        let mut attributes = Vec::new();
        let mut media: Vec<MediaDescription> = Vec::new();
        let mut seen_version = false;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim_end();
            if line.is_empty() {
                continue;
            }
            let Some((kind, value)) = line.split_once('=') else {
                return Err(sdp_err(line_no, line, "<type>=<value>"));
            };
            if !seen_version {
                if kind != "v" {
                    return Err(sdp_err(line_no, line, "v=0 as the first line"));
                }
                seen_version = true;
                continue;
            }
            match kind {
                "o" => {
                    let f: Vec<&str> = value.split_whitespace().collect();
                    let conn = (f.len() == 6)
                        .then(|| parse_connection(&f[3..].join(" ")))
                        .flatten()
                        .ok_or_else(|| {
                            sdp_err(line_no, line, "o=<user> <id> <version> IN IP4|IP6 <addr>")
                        })?;
                    origin = Some(Origin {
                        username: f[0].to_string(),
                        session_id: f[1].to_string(),
                        session_version: f[2].to_string(),
                        connection: conn,
                    });
                }
                "s" => session_name = value.to_string(),
                "c" => {
                    let c = parse_connection(value)
                        .ok_or_else(|| sdp_err(line_no, line, "c=IN IP4|IP6 <address>"))?;
                    match media.last_mut() {
                        Some(m) => m.connection = Some(c),
                        None => connection = Some(c),
                    }
                }
                "m" => media.push(parse_media(value).ok_or_else(|| {
                    sdp_err(line_no, line, "m=<media> <port>[/<n>] <proto> <fmt> ...")
                })?),
                "a" => {
                    let (name, val) = match value.split_once(':') {
                        Some((n, v)) => (n, Some(v)),
                        None => (value, None),
                    };
                    match media.last_mut() {
                        Some(m) => add_media_attribute(m, name, val),
                        None => match Direction::parse(name) {
                            Some(d) => direction = Some(d),
                            None => attributes.push((name.to_string(), val.map(str::to_string))),
                        },
                    }
                }
                _ => {} // t=, b=, i=, u=, e=, p=, z=, k=, r=: nothing we act on.
            }
        }
        if !seen_version {
            return Err(sdp_err(0, "", "an SDP body starting with v=0"));
        }
        let origin = origin.ok_or_else(|| sdp_err(0, "", "an o= line (none found)"))?;
        Ok(SessionDescription {
            origin,
            session_name,
            connection,
            direction,
            attributes,
            media,
        })
    }

    /// Effective direction of a media section (media level, else session level, else
    /// sendrecv).
    pub fn direction_of(&self, m: &MediaDescription) -> Direction {
        m.direction
            .or(self.direction)
            .unwrap_or(Direction::SendRecv)
    }

    /// Effective connection of a media section (media level, else session level).
    pub fn connection_of<'a>(&'a self, m: &'a MediaDescription) -> Option<&'a Connection> {
        m.connection.as_ref().or(self.connection.as_ref())
    }
}

fn parse_media(value: &str) -> Option<MediaDescription> {
    let mut it = value.split_whitespace();
    let media = it.next()?.to_string();
    let port_field = it.next()?;
    let (port, port_count) = match port_field.split_once('/') {
        Some((p, n)) => (p.parse().ok()?, Some(n.parse().ok()?)),
        None => (port_field.parse().ok()?, None),
    };
    let proto = it.next()?.to_string();
    let formats: Vec<String> = it.map(str::to_string).collect();
    if formats.is_empty() {
        return None;
    }
    Some(MediaDescription {
        media,
        port,
        port_count,
        proto,
        formats,
        connection: None,
        rtpmaps: Vec::new(),
        fmtps: Vec::new(),
        ptime: None,
        direction: None,
        attributes: Vec::new(),
    })
}

fn add_media_attribute(m: &mut MediaDescription, name: &str, val: Option<&str>) {
    let parsed = match (name, val) {
        ("rtpmap", Some(v)) => parse_rtpmap(v).map(|r| m.rtpmaps.push(r)),
        ("fmtp", Some(v)) => v
            .split_once(' ')
            .map(|(f, p)| m.fmtps.push((f.to_string(), p.trim().to_string()))),
        ("ptime", Some(v)) => v.trim().parse().ok().map(|p| m.ptime = Some(p)),
        (d, None) => Direction::parse(d).map(|d| m.direction = Some(d)),
        _ => None,
    };
    if parsed.is_none() {
        m.attributes
            .push((name.to_string(), val.map(str::to_string)));
    }
}

impl fmt::Display for SessionDescription {
    /// RFC 4566 text with CRLF line ends.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(f, "v=0\r\n")?;
        write!(
            f,
            "o={} {} {} IN {} {}\r\n",
            o.username,
            o.session_id,
            o.session_version,
            o.connection.addr_type,
            o.connection.address
        )?;
        let name = if self.session_name.is_empty() {
            "-"
        } else {
            &self.session_name
        };
        write!(f, "s={name}\r\n")?;
        if let Some(c) = &self.connection {
            write!(f, "c=IN {} {}\r\n", c.addr_type, c.address)?;
        }
        write!(f, "t=0 0\r\n")?;
        if let Some(d) = self.direction {
            write!(f, "a={}\r\n", d.as_str())?;
        }
        write_attributes(f, &self.attributes)?;
        for m in &self.media {
            write!(f, "m={} {}", m.media, m.port)?;
            if let Some(n) = m.port_count {
                write!(f, "/{n}")?;
            }
            write!(f, " {} {}\r\n", m.proto, m.formats.join(" "))?;
            if let Some(c) = &m.connection {
                write!(f, "c=IN {} {}\r\n", c.addr_type, c.address)?;
            }
            for r in &m.rtpmaps {
                write!(
                    f,
                    "a=rtpmap:{} {}/{}",
                    r.payload_type, r.encoding, r.clock_rate
                )?;
                if let Some(ch) = r.channels {
                    write!(f, "/{ch}")?;
                }
                write!(f, "\r\n")?;
            }
            for (fmt_, params) in &m.fmtps {
                write!(f, "a=fmtp:{fmt_} {params}\r\n")?;
            }
            if let Some(p) = m.ptime {
                write!(f, "a=ptime:{p}\r\n")?;
            }
            if let Some(d) = m.direction {
                write!(f, "a={}\r\n", d.as_str())?;
            }
            write_attributes(f, &m.attributes)?;
        }
        Ok(())
    }
}

fn write_attributes(f: &mut fmt::Formatter<'_>, attrs: &[(String, Option<String>)]) -> fmt::Result {
    for (name, val) in attrs {
        match val {
            Some(v) => write!(f, "a={name}:{v}\r\n")?,
            None => write!(f, "a={name}\r\n")?,
        }
    }
    Ok(())
}

/// The audio codecs this endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Pcmu,
    Pcma,
}

impl Codec {
    pub fn law(self) -> Law {
        match self {
            Codec::Pcmu => Law::Mu,
            Codec::Pcma => Law::A,
        }
    }

    pub fn encoding_name(self) -> &'static str {
        self.law().encoding_name()
    }

    fn from_rtpmap(m: &RtpMap) -> Option<Codec> {
        if m.clock_rate != 8000 || m.channels.is_some_and(|c| c != 1) {
            return None;
        }
        match m.encoding.to_ascii_uppercase().as_str() {
            "PCMU" => Some(Codec::Pcmu),
            "PCMA" => Some(Codec::Pcma),
            _ => None,
        }
    }
}

/// Our side of the negotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalMedia {
    /// The address we receive RTP on (goes into o= and c=).
    pub address: IpAddr,
    pub port: u16,
    /// o= session id and version (RFC 4566: numeric; bump the version on re-offers).
    pub session_id: u64,
    pub session_version: u64,
    /// Codecs we accept (all of them by default); the offer's order decides.
    pub codecs: Vec<Codec>,
    /// Whether to accept RFC 4733 telephone-events.
    pub telephone_event: bool,
    /// Plain RTP or SRTP (the dial plan's VoIP security decides).
    pub encryption: Encryption,
}

/// What the media of a call must be, from the dial plan's VoIP security.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// Unsecured and SIPSecured: RTP/AVP. An offer's `a=crypto` lines on RTP/AVP are
    /// ignored (an answer without `a=crypto` means plain RTP, RFC 4568 7.1.1); an offer
    /// that can only be SRTP (RTP/SAVP alone, or Lync's `a=encryption:required`) is refused.
    Plain,
    /// Secured: SRTP with SDES. The answer carries one `a=crypto` with this key of ours;
    /// an offer without a usable `a=crypto` is refused ("Secured dial plan needs SRTP").
    Srtp(MasterKey),
}

impl LocalMedia {
    pub fn new(address: IpAddr, port: u16, session_id: u64) -> LocalMedia {
        LocalMedia {
            address,
            port,
            session_id,
            session_version: session_id,
            codecs: vec![Codec::Pcmu, Codec::Pcma],
            telephone_event: true,
            encryption: Encryption::Plain,
        }
    }

    /// The same, answering (or offering) SRTP with `key`.
    pub fn with_srtp(mut self, key: MasterKey) -> LocalMedia {
        self.encryption = Encryption::Srtp(key);
        self
    }
}

/// The outcome of a successful negotiation: what the RTP session needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Index of the chosen m= line in the offer (and the answer).
    pub media_index: usize,
    pub codec: Codec,
    /// The payload type the offer uses for the codec (0/8, or a dynamic one if so mapped).
    pub payload_type: u8,
    /// The offer's telephone-event payload type, if it offered one.
    pub telephone_event: Option<u8>,
    /// Where to send RTP; None when c= is a hold address (0.0.0.0 / ::) or a host name.
    pub remote: Option<SocketAddr>,
    /// Our direction (the mirror of the offer's).
    pub direction: Direction,
    /// The offerer's a=ptime, if any (we always send 20 ms).
    pub remote_ptime: Option<u32>,
    /// SRTP keys (Secured dial plans); `None`: plain RTP.
    pub srtp: Option<SrtpKeys>,
}

/// Packetisation time we send and announce.
pub const PTIME_MS: u32 = 20;

/// Negotiate an answer to `offer`.
///
/// Answers the first audio stream with a non-zero port and RTP/AVP; every other m= line is
/// rejected with port 0 (the answer has as many m= lines as the offer, RFC 3264 6). The codec
/// is the first of the offer's formats that is PCMU or PCMA (static 0/8, or an rtpmap naming
/// them at 8000 Hz). Errors map to 488 (see `MediaError::sip_status`).
pub fn negotiate(
    offer: &SessionDescription,
    local: &LocalMedia,
) -> Result<(Negotiated, SessionDescription), MediaError> {
    let (index, m, crypto) = choose_stream(offer, &local.encryption)?;
    let (codec, payload_type, telephone_event) = choose_codec(m, local)?;
    let remote = offer
        .connection_of(m)
        .and_then(Connection::ip)
        .filter(|ip| !ip.is_unspecified())
        .map(|ip| SocketAddr::new(ip, m.port));
    let direction = offer.direction_of(m).mirror();

    // Ours: the offer's tag and suite, our own key (RFC 4568 7.1.2).
    let answer_crypto = match (&crypto, &local.encryption) {
        (Some(theirs), Encryption::Srtp(key)) => Some(CryptoAttribute {
            tag: theirs.tag,
            suite: theirs.suite,
            key: key.clone(),
        }),
        _ => None,
    };
    let srtp = answer_crypto
        .as_ref()
        .zip(crypto.as_ref())
        .map(|(ours, theirs)| SrtpKeys {
            suite: ours.suite,
            local: ours.key.clone(),
            remote: theirs.key.clone(),
        });
    let answered = AnsweredStream {
        payload_type,
        codec,
        telephone_event,
        direction,
        proto: if crypto.is_some() {
            m.proto.clone()
        } else {
            "RTP/AVP".to_string()
        },
        crypto: answer_crypto,
    };
    let media = offer
        .media
        .iter()
        .enumerate()
        .map(|(i, om)| {
            if i == index {
                answered.media(local.port)
            } else {
                rejected_media(om)
            }
        })
        .collect();
    let negotiated = Negotiated {
        media_index: index,
        codec,
        payload_type,
        telephone_event,
        remote,
        direction,
        remote_ptime: m.ptime,
        srtp,
    };
    Ok((negotiated, answer_session(local, media)))
}

/// The codec of the stream (the first of its formats we accept, with its payload type) and
/// its telephone-event payload type, when both sides do RFC 4733.
fn choose_codec(
    m: &MediaDescription,
    local: &LocalMedia,
) -> Result<(Codec, u8, Option<u8>), MediaError> {
    let mut chosen = None;
    let mut telephone_event = None;
    for format in &m.formats {
        let Ok(pt) = format.parse::<u8>() else {
            continue;
        };
        let codec = match m.rtpmap(pt) {
            Some(map) => {
                if map.encoding.eq_ignore_ascii_case("telephone-event") && map.clock_rate == 8000 {
                    telephone_event = telephone_event.or(Some(pt));
                }
                Codec::from_rtpmap(map)
            }
            None => match pt {
                0 => Some(Codec::Pcmu),
                8 => Some(Codec::Pcma),
                _ => None,
            },
        };
        if let Some(c) = codec.filter(|c| local.codecs.contains(c)) {
            chosen = chosen.or(Some((c, pt)));
        }
    }
    let Some((codec, payload_type)) = chosen else {
        return Err(MediaError::NoCommonCodec {
            offered: m.formats.iter().map(|f| m.describe(f)).collect(),
        });
    };
    let telephone_event = telephone_event.filter(|_| local.telephone_event);
    Ok((codec, payload_type, telephone_event))
}

/// What the answer says about the stream it takes.
struct AnsweredStream {
    payload_type: u8,
    codec: Codec,
    telephone_event: Option<u8>,
    direction: Direction,
    proto: String,
    crypto: Option<CryptoAttribute>,
}

impl AnsweredStream {
    /// The answer's m= line for the stream, on our `port`.
    fn media(&self, port: u16) -> MediaDescription {
        let pt = self.payload_type;
        let mut formats = vec![pt.to_string()];
        let mut rtpmaps = vec![RtpMap {
            payload_type: pt,
            encoding: self.codec.encoding_name().to_string(),
            clock_rate: 8000,
            channels: None,
        }];
        let mut fmtps = Vec::new();
        if let Some(te) = self.telephone_event {
            formats.push(te.to_string());
            rtpmaps.push(RtpMap {
                payload_type: te,
                encoding: "telephone-event".to_string(),
                clock_rate: 8000,
                channels: None,
            });
            fmtps.push((te.to_string(), "0-15".to_string()));
        }
        MediaDescription {
            media: "audio".to_string(),
            port,
            port_count: None,
            proto: self.proto.clone(),
            formats,
            connection: None,
            rtpmaps,
            fmtps,
            ptime: Some(PTIME_MS),
            direction: Some(self.direction),
            attributes: self
                .crypto
                .iter()
                .map(|c| ("crypto".to_string(), Some(c.sdp_value())))
                .collect(),
        }
    }
}

/// The answer's m= line for a stream it does not take: port 0 (RFC 3264 6).
fn rejected_media(om: &MediaDescription) -> MediaDescription {
    MediaDescription {
        media: om.media.clone(),
        port: 0,
        port_count: None,
        proto: om.proto.clone(),
        formats: om.formats.iter().take(1).cloned().collect(),
        connection: None,
        rtpmaps: Vec::new(),
        fmtps: Vec::new(),
        ptime: None,
        direction: None,
        attributes: Vec::new(),
    }
}

/// The answer's session around its m= lines.
fn answer_session(local: &LocalMedia, media: Vec<MediaDescription>) -> SessionDescription {
    let ours = Connection::for_ip(local.address);
    SessionDescription {
        origin: Origin {
            username: "umctl".to_string(),
            session_id: local.session_id.to_string(),
            session_version: local.session_version.to_string(),
            connection: ours.clone(),
        },
        session_name: "umctl".to_string(),
        connection: Some(ours),
        direction: None,
        attributes: Vec::new(),
        media,
    }
}

/// Lync's `a=encryption:optional|required|rejected` (media level, else session level).
fn lync_encryption<'a>(offer: &'a SessionDescription, m: &'a MediaDescription) -> Option<&'a str> {
    m.attributes
        .iter()
        .chain(&offer.attributes)
        .find(|(n, _)| n.eq_ignore_ascii_case("encryption"))
        .and_then(|(_, v)| v.as_deref())
        .map(str::trim)
}

/// The offer's `a=crypto` lines of one stream, parsed (the first usable one wins).
fn crypto_lines(m: &MediaDescription) -> Vec<Result<CryptoAttribute, CryptoRefusal>> {
    m.attributes
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("crypto"))
        .map(|(_, v)| CryptoAttribute::parse(v.as_deref().unwrap_or_default()))
        .collect()
}

/// The audio stream to answer and, on a Secured plan, the offer's `a=crypto` we take.
fn choose_stream<'a>(
    offer: &'a SessionDescription,
    encryption: &Encryption,
) -> Result<(usize, &'a MediaDescription, Option<CryptoAttribute>), MediaError> {
    let audio: Vec<(usize, &MediaDescription)> = offer
        .media
        .iter()
        .enumerate()
        .filter(|(_, m)| m.media.eq_ignore_ascii_case("audio") && m.port != 0)
        .collect();
    let Some(&(_, first)) = audio.first() else {
        return Err(MediaError::NoAudioStream {
            offered: offer
                .media
                .iter()
                .map(|m| format!("{} {} {}", m.media, m.port, m.proto))
                .collect(),
        });
    };
    match encryption {
        Encryption::Plain => {
            let plain = |m: &MediaDescription| {
                m.proto.eq_ignore_ascii_case("RTP/AVP")
                    && lync_encryption(offer, m) != Some("required")
            };
            if let Some(&(i, m)) = audio.iter().find(|(_, m)| plain(m)) {
                return Ok((i, m, None));
            }
            Err(if first.proto.eq_ignore_ascii_case("RTP/AVP") {
                MediaError::EncryptionRequired
            } else {
                MediaError::UnsupportedProfile {
                    proto: first.proto.clone(),
                }
            })
        }
        Encryption::Srtp(_) => {
            let mut why = Vec::new();
            for &(i, m) in &audio {
                let savp = m.proto.eq_ignore_ascii_case("RTP/SAVP");
                // Lync offers SDES on RTP/AVP, marked a=encryption:optional|required.
                let lync = m.proto.eq_ignore_ascii_case("RTP/AVP")
                    && lync_encryption(offer, m) != Some("rejected");
                if !savp && !lync {
                    why.push(format!("{} without SRTP", m.proto));
                    continue;
                }
                let lines = crypto_lines(m);
                if lines.is_empty() {
                    why.push(format!("{} without a=crypto", m.proto));
                }
                for line in lines {
                    match line {
                        Ok(c) => return Ok((i, m, Some(c))),
                        Err(e) => why.push(e.to_string()),
                    }
                }
            }
            Err(MediaError::SrtpRequired {
                offered: why.join("; "),
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::media::srtp::Suite;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn local() -> LocalMedia {
        LocalMedia::new(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 20)),
            40000,
            1_700_000_000,
        )
    }

    fn answer_for(offer: &str) -> (Negotiated, String) {
        let offer = SessionDescription::parse(offer).unwrap();
        let (n, a) = negotiate(&offer, &local()).unwrap();
        let text = a.to_string();
        // The answer we send parses back to itself.
        assert_eq!(SessionDescription::parse(&text).unwrap(), a);
        (n, text)
    }

    /// SIPp's built-in uac scenario body (with its keywords filled in).
    const SIPP_UAC: &str = "v=0\r\n\
        o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n\
        s=-\r\n\
        c=IN IP4 127.0.0.1\r\n\
        t=0 0\r\n\
        m=audio 6000 RTP/AVP 0\r\n\
        a=rtpmap:0 PCMU/8000\r\n";

    #[test]
    fn sipp_default_offer() {
        let (n, text) = answer_for(SIPP_UAC);
        assert_eq!(
            n,
            Negotiated {
                media_index: 0,
                codec: Codec::Pcmu,
                payload_type: 0,
                telephone_event: None,
                remote: Some("127.0.0.1:6000".parse().unwrap()),
                direction: Direction::SendRecv,
                remote_ptime: None,
                srtp: None,
            }
        );
        assert_eq!(
            text,
            "v=0\r\n\
             o=umctl 1700000000 1700000000 IN IP4 127.0.0.20\r\n\
             s=umctl\r\n\
             c=IN IP4 127.0.0.20\r\n\
             t=0 0\r\n\
             m=audio 40000 RTP/AVP 0\r\n\
             a=rtpmap:0 PCMU/8000\r\n\
             a=ptime:20\r\n\
             a=sendrecv\r\n"
        );
    }

    /// The offer in shared/peers.md (SIPp scenario for the UM tests), LF line ends.
    const PEERS_OFFER: &str = "v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
";

    #[test]
    fn peers_offer_prefers_pcma_and_keeps_event_pt() {
        let (n, text) = answer_for(PEERS_OFFER);
        assert_eq!((n.codec, n.payload_type), (Codec::Pcma, 8));
        assert_eq!(n.telephone_event, Some(101));
        assert!(text.contains(
            "m=audio 40000 RTP/AVP 8 101\r\n\
             a=rtpmap:8 PCMA/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\n\
             a=fmtp:101 0-15\r\n\
             a=ptime:20\r\n\
             a=sendrecv\r\n"
        ));
        // Our own preference does not override the offerer's order, but a codec we disable
        // is skipped.
        let offer = SessionDescription::parse(PEERS_OFFER).unwrap();
        let mut only_mu = local();
        only_mu.codecs = vec![Codec::Pcmu];
        let (n, _) = negotiate(&offer, &only_mu).unwrap();
        assert_eq!((n.codec, n.payload_type), (Codec::Pcmu, 0));
    }

    /// A Lync 2013 / Skype for Business style offer: many codecs, ICE candidates, SDES
    /// crypto lines (optional encryption on RTP/AVP), and a video stream.
    const LYNC_OFFER: &str = "v=0\r\n\
        o=- 0 0 IN IP4 10.0.0.15\r\n\
        s=session\r\n\
        c=IN IP4 10.0.0.15\r\n\
        b=CT:99980\r\n\
        t=0 0\r\n\
        m=audio 54278 RTP/AVP 117 104 114 9 112 111 0 8 116 115 97 13 118 101\r\n\
        a=x-ssrc-range:3196651776-3196651776\r\n\
        a=rtcp-fb:* x-message app send:dsh recv:dsh\r\n\
        a=rtcp-rsize\r\n\
        a=label:main-audio\r\n\
        a=x-source:main-audio\r\n\
        a=ice-ufrag:AJqZ\r\n\
        a=ice-pwd:dFk1XBCHjH0M6Qt3k6ZkXUZh\r\n\
        a=candidate:1 1 UDP 2130706431 10.0.0.15 54278 typ host \r\n\
        a=candidate:1 2 UDP 2130705918 10.0.0.15 54279 typ host \r\n\
        a=x-candidate-ipv6:2 1 UDP 2130705919 2001:db8::15 54280 typ host \r\n\
        a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:VmeJfi7OUKKBnMiHbOH3v+MF0PNgi1KnM3HZwe0Q|2^31|1:1\r\n\
        a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:7hYHWKdyHcH3MPXsFXGZQ+yhW4eFhWB0kbtEW2B+|2^31\r\n\
        a=maxptime:200\r\n\
        a=rtcp:54279\r\n\
        a=rtpmap:117 G722/8000/2\r\n\
        a=rtpmap:104 SILK/16000\r\n\
        a=fmtp:104 useinbandfec=1; usedtx=0\r\n\
        a=rtpmap:114 x-msrta/16000\r\n\
        a=fmtp:114 bitrate=29000\r\n\
        a=rtpmap:9 G722/8000\r\n\
        a=rtpmap:112 G7221/16000\r\n\
        a=fmtp:112 bitrate=24000\r\n\
        a=rtpmap:111 SIREN/16000\r\n\
        a=fmtp:111 bitrate=16000\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:116 AAL2-G726-32/8000\r\n\
        a=rtpmap:115 x-msrta/8000\r\n\
        a=fmtp:115 bitrate=11800\r\n\
        a=rtpmap:97 RED/8000\r\n\
        a=rtpmap:13 CN/8000\r\n\
        a=rtpmap:118 CN/16000\r\n\
        a=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\n\
        a=ptime:20\r\n\
        m=video 50340 RTP/AVP 122 121 123\r\n\
        a=rtpmap:122 X-H264UC/90000\r\n\
        a=rtpmap:121 x-rtvc1/90000\r\n\
        a=rtpmap:123 x-ulpfecuc/90000\r\n\
        a=sendrecv\r\n";

    #[test]
    fn lync_offer_with_many_codecs_ice_crypto_and_video() {
        let offer = SessionDescription::parse(LYNC_OFFER).unwrap();
        assert_eq!(offer.media.len(), 2);
        assert_eq!(offer.media[0].rtpmaps.len(), 14);
        assert!(offer.media[0].attributes.iter().any(|(n, _)| n == "crypto"));
        let (n, text) = answer_for(LYNC_OFFER);
        assert_eq!((n.codec, n.payload_type), (Codec::Pcmu, 0));
        assert_eq!(n.telephone_event, Some(101));
        assert_eq!(n.remote, Some("10.0.0.15:54278".parse().unwrap()));
        assert_eq!(n.remote_ptime, Some(20));
        assert!(text.contains("m=audio 40000 RTP/AVP 0 101\r\n"));
        assert!(text.ends_with("m=video 0 RTP/AVP 122\r\n"), "{text}");
        assert!(!text.contains("crypto") && !text.contains("candidate"));
    }

    #[test]
    fn g729_only_offer_has_no_common_codec() {
        let offer = SessionDescription::parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\n\
             m=audio 16384 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n\
             a=rtpmap:101 telephone-event/8000\r\n",
        )
        .unwrap();
        let err = negotiate(&offer, &local()).unwrap_err();
        assert_eq!(err.sip_status(), Some(488));
        match &err {
            MediaError::NoCommonCodec { offered } => {
                assert_eq!(offered, &["G729/8000 (18)", "telephone-event/8000 (101)"])
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "no common codec: offer has [\"G729/8000 (18)\", \"telephone-event/8000 (101)\"]; \
             expected PCMU (0) or PCMA (8)"
        );
    }

    #[test]
    fn ipv6_connection_and_answer() {
        let offer = SessionDescription::parse(
            "v=0\r\no=alice 2890844526 2890844526 IN IP6 2001:db8::1\r\ns=-\r\n\
             c=IN IP6 2001:db8::1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\n",
        )
        .unwrap();
        let mut l = local();
        l.address = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20));
        let (n, a) = negotiate(&offer, &l).unwrap();
        assert_eq!(n.remote, Some("[2001:db8::1]:49170".parse().unwrap()));
        assert_eq!(n.codec, Codec::Pcmu); // static PT without rtpmap
        let text = a.to_string();
        assert!(text.contains("o=umctl 1700000000 1700000000 IN IP6 2001:db8::20\r\n"));
        assert!(text.contains("c=IN IP6 2001:db8::20\r\n"));
    }

    #[test]
    fn static_types_without_rtpmap_and_dynamic_event_pt() {
        let (n, text) = answer_for(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n\
             m=audio 7078 RTP/AVP 18 8 0 96\na=rtpmap:96 telephone-event/8000\n",
        );
        assert_eq!(
            (n.codec, n.payload_type, n.telephone_event),
            (Codec::Pcma, 8, Some(96))
        );
        assert!(text.contains("m=audio 40000 RTP/AVP 8 96\r\n"));
        assert!(text.contains("a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"));
        // A PCMU mapped to a dynamic type keeps that type.
        let (n, _) = answer_for(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n\
             m=audio 7078 RTP/AVP 98\na=rtpmap:98 pcmu/8000\n",
        );
        assert_eq!((n.codec, n.payload_type), (Codec::Pcmu, 98));
        // telephone-event at 16 kHz only is not ours.
        let (n, _) = answer_for(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n\
             m=audio 7078 RTP/AVP 0 100\na=rtpmap:100 telephone-event/16000\n",
        );
        assert_eq!(n.telephone_event, None);
    }

    #[test]
    fn directions_are_mirrored_and_hold_has_no_remote() {
        let base = "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n";
        for (attr, ours) in [
            ("a=sendonly\n", Direction::RecvOnly),
            ("a=recvonly\n", Direction::SendOnly),
            ("a=inactive\n", Direction::Inactive),
            ("", Direction::SendRecv),
        ] {
            let (n, text) = answer_for(&format!("{base}m=audio 7078 RTP/AVP 0\n{attr}"));
            assert_eq!(n.direction, ours);
            assert!(text.contains(&format!("a={}\r\n", ours.as_str())));
        }
        // Session-level direction applies to the stream; old-style hold (c=0.0.0.0).
        let (n, _) = answer_for(
            "v=0\no=- 1 2 IN IP4 192.0.2.9\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\na=sendonly\n\
             m=audio 7078 RTP/AVP 0\n",
        );
        assert_eq!((n.direction, n.remote), (Direction::RecvOnly, None));
        assert!(Direction::SendRecv.sends() && !Direction::RecvOnly.sends());
        assert!(Direction::RecvOnly.receives() && !Direction::Inactive.receives());
    }

    #[test]
    fn only_the_first_usable_audio_stream_is_answered() {
        let (n, text) = answer_for(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nt=0 0\n\
             m=audio 0 RTP/AVP 0\n\
             m=audio 7000 RTP/SAVP 0\nc=IN IP4 192.0.2.10\n\
             m=audio 7002 RTP/AVP 8\nc=IN IP4 192.0.2.11\n\
             m=audio 7004 RTP/AVP 0\n",
        );
        assert_eq!(n.media_index, 2);
        assert_eq!(n.remote, Some("192.0.2.11:7002".parse().unwrap()));
        let m_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("m=")).collect();
        assert_eq!(
            m_lines,
            [
                "m=audio 0 RTP/AVP 0",
                "m=audio 0 RTP/SAVP 0",
                "m=audio 40000 RTP/AVP 8",
                "m=audio 0 RTP/AVP 0"
            ]
        );
    }

    #[test]
    fn unusable_offers() {
        let srtp = SessionDescription::parse(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n\
             m=audio 7000 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\n",
        )
        .unwrap();
        let err = negotiate(&srtp, &local()).unwrap_err();
        assert!(matches!(&err, MediaError::UnsupportedProfile { proto } if proto == "RTP/SAVP"));
        assert_eq!(err.sip_status(), Some(488));
        let video = SessionDescription::parse(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n\
             m=video 7000 RTP/AVP 31\n",
        )
        .unwrap();
        assert!(matches!(
            negotiate(&video, &local()),
            Err(MediaError::NoAudioStream { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "(v=0\n)?([a-z]=[ -~]{0,40}\n){0,12}") {
            if let Ok(sdp) = SessionDescription::parse(&text) {
                let _ = negotiate(&sdp, &local());
                let _ = SessionDescription::parse(&sdp.to_string());
            }
        }
    }

    #[test]
    fn parse_errors_name_the_line() {
        let err =
            SessionDescription::parse("v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nm=audio x RTP/AVP 0\n")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "SDP line 4 \"m=audio x RTP/AVP 0\": expected m=<media> <port>[/<n>] <proto> <fmt> ..."
        );
        assert_eq!(err.sip_status(), Some(400));
        let err = SessionDescription::parse("o=- 1 1 IN IP4 192.0.2.9\n").unwrap_err();
        assert!(err.to_string().contains("v=0 as the first line"));
        let err =
            SessionDescription::parse("v=0\no=- 1 1 IN IP4 192.0.2.9\nc=IN IPX foo\n").unwrap_err();
        assert!(matches!(err, MediaError::Sdp { line_no: 3, .. }));
        let err = SessionDescription::parse("v=0\nthis is not sdp\n").unwrap_err();
        assert!(matches!(err, MediaError::Sdp { line_no: 2, .. }));
        assert!(SessionDescription::parse("").is_err());
    }

    const KEY_A: &str = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    fn srtp_offer(proto: &str, extra: &str) -> String {
        format!(
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio 6000 {proto} 0 101\r\na=rtpmap:101 telephone-event/8000\r\n{extra}"
        )
    }

    fn secured() -> (LocalMedia, MasterKey) {
        let key = MasterKey::random().unwrap();
        (local().with_srtp(key.clone()), key)
    }

    #[test]
    fn secured_answers_savp_with_one_crypto_of_the_first_supported_suite_and_its_own_key() {
        let offer = srtp_offer(
            "RTP/SAVP",
            &format!(
                "a=crypto:1 AES_CM_256_HMAC_SHA1_80 inline:{KEY_A}{KEY_A}\r\n\
                 a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{KEY_A}\r\n\
                 a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}\r\n"
            ),
        );
        let (local, key) = secured();
        let (n, answer) = negotiate(&SessionDescription::parse(&offer).unwrap(), &local).unwrap();
        let keys = n.srtp.unwrap();
        assert_eq!(keys.suite, Suite::AesCm128HmacSha1_32);
        assert_eq!(keys.local, key);
        assert_eq!(keys.remote.inline(), KEY_A);
        let text = answer.to_string();
        assert!(text.contains("m=audio 40000 RTP/SAVP 0 101\r\n"), "{text}");
        let cryptos: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("a=crypto:"))
            .collect();
        assert_eq!(
            cryptos,
            [format!(
                "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{}",
                key.inline()
            )]
        );
        assert!(
            !text.contains(KEY_A),
            "the answer must carry our key, not theirs"
        );
        // The answer parses back to itself.
        assert_eq!(SessionDescription::parse(&text).unwrap(), answer);
    }

    #[test]
    fn secured_refuses_offers_without_usable_crypto_with_488() {
        let (local, _) = secured();
        for (offer, names) in [
            (srtp_offer("RTP/AVP", ""), "RTP/AVP without a=crypto"),
            (srtp_offer("RTP/SAVP", ""), "RTP/SAVP without a=crypto"),
            (
                srtp_offer(
                    "RTP/SAVP",
                    &format!("a=crypto:1 F8_128_HMAC_SHA1_80 inline:{KEY_A}\r\n"),
                ),
                "F8_128_HMAC_SHA1_80",
            ),
            (
                srtp_offer(
                    "RTP/AVP",
                    &format!(
                        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}\r\na=encryption:rejected\r\n"
                    ),
                ),
                "RTP/AVP without SRTP",
            ),
        ] {
            let e = negotiate(&SessionDescription::parse(&offer).unwrap(), &local).unwrap_err();
            assert_eq!(e.sip_status(), Some(488));
            assert_eq!(e.sip_phrase(), "Secured dial plan needs SRTP");
            let text = e.to_string();
            assert!(text.contains(names), "{text}");
            assert!(!text.contains(KEY_A), "{text}");
        }
    }

    #[test]
    fn secured_takes_lyncs_sdes_on_rtp_avp() {
        for marker in ["optional", "required"] {
            let offer = srtp_offer(
                "RTP/AVP",
                &format!(
                    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}|2^31\r\na=encryption:{marker}\r\n"
                ),
            );
            let (local, _) = secured();
            let (n, answer) =
                negotiate(&SessionDescription::parse(&offer).unwrap(), &local).unwrap();
            assert_eq!(n.srtp.unwrap().suite, Suite::AesCm128HmacSha1_80);
            let text = answer.to_string();
            assert!(text.contains("m=audio 40000 RTP/AVP 0 101\r\n"), "{text}");
            assert!(
                text.contains("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_plans_ignore_crypto_on_avp_and_refuse_offers_that_need_srtp() {
        // Lync's optional encryption: answered without a=crypto, which means plain RTP.
        let offer = srtp_offer(
            "RTP/AVP",
            &format!(
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}\r\na=encryption:optional\r\n"
            ),
        );
        let (n, answer) = negotiate(&SessionDescription::parse(&offer).unwrap(), &local()).unwrap();
        assert_eq!(n.srtp, None);
        let text = answer.to_string();
        assert!(text.contains("m=audio 40000 RTP/AVP 0 101\r\n"));
        assert!(!text.contains("a=crypto"), "{text}");
        // Required encryption, or SAVP only: 488.
        let required = srtp_offer(
            "RTP/AVP",
            &format!(
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}\r\na=encryption:required\r\n"
            ),
        );
        let e = negotiate(&SessionDescription::parse(&required).unwrap(), &local()).unwrap_err();
        assert!(matches!(e, MediaError::EncryptionRequired), "{e}");
        assert_eq!(e.sip_status(), Some(488));
        let savp = srtp_offer(
            "RTP/SAVP",
            &format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}\r\n"),
        );
        let e = negotiate(&SessionDescription::parse(&savp).unwrap(), &local()).unwrap_err();
        assert!(e.to_string().contains("\"RTP/SAVP\""), "{e}");
        assert_eq!(e.sip_status(), Some(488));
    }
}
