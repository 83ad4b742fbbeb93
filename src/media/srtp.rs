//! SRTP and SRTCP (RFC 3711) with SDES keys (RFC 4568 `a=crypto`): the two suites Exchange
//! UM and Skype for Business speak, AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32.
//!
//! Owns: the `a=crypto` attribute (parse and render; `inline:` master key and salt, lifetime
//! and MKI), master keys (random, never printed: their `Debug` says "redacted"), the key
//! derivation (4.3, key derivation rate 0), the packet transforms for RTP (3.1: the rollover
//! counter and the index estimate of 3.3.1, a 64-packet replay window per SSRC of 3.3.2) and
//! RTCP (3.4: the E flag and 31-bit SRTCP index, always an 80-bit tag, RFC 4568 6.2), and the
//! counters of what was dropped. Every packet that fails authentication or is replayed is
//! dropped before decryption: the caller never sees its payload. RTCP that arrives in clear
//! on an SRTP session (libre, baresip's stack, sends its closing BYE and its first APP
//! "PING" unprotected: the stream frees its SRTP context before the RTCP session) is dropped
//! too, but counted as `unprotected`, not as an authentication failure: it is told apart
//! exactly, because a plain compound RTCP packet is a multiple of 4 bytes long and an SRTCP
//! one, with its 4-byte index and 10-byte tag, never is.
//!
//! Built on kept primitives: AES-128 in counter mode from RustCrypto's `aes` + `ctr` (the
//! SRTP AES-CM keystream is exactly a 128-bit big-endian counter, RFC 3711 4.1.1) and
//! HMAC-SHA1 from `ring` (already the TLS provider). The packet logic above them is written
//! here because no kept crate fits: `webrtc-srtp` pulls in the webrtc-rs stack (DTLS, ICE,
//! async utilities) for what is ~300 lines of RFC 3711 framing, and libsrtp2 would need an
//! FFI binding plus a C library in every build. The RFC 3711 Appendix B vectors and the
//! libsrtp driver's reference packets are the tests; baresip (libre's SRTP) is the peer.
//! Sans-IO like the rest of `media`: keys come in, bytes go out.

use std::collections::HashMap;
use std::fmt;

use aes::cipher::{InnerIvInit, KeyInit, KeyIvInit, StreamCipher};
use aes::Aes128;
use base64::Engine as _;
use ring::hmac;

type AesCtr = ctr::Ctr128BE<Aes128>;

/// Master key (16 bytes) plus master salt (14 bytes), RFC 4568 6.1.
const KEY_LEN: usize = 16;
const SALT_LEN: usize = 14;
const MASTER_LEN: usize = KEY_LEN + SALT_LEN;
/// HMAC-SHA1 key length (n_a = 160, RFC 3711 4.2.1).
const AUTH_KEY_LEN: usize = 20;
/// SRTCP's tag is 80 bits for both suites (RFC 4568 6.2.1 and 6.2.2).
const SRTCP_TAG_LEN: usize = 10;
/// Replay window (RFC 3711 3.3.2: at least 64).
const WINDOW: u64 = 64;
/// SSRCs one receiving context keeps state for; more are refused (a flood of invented SSRCs
/// must not grow memory).
const MAX_SOURCES: usize = 16;

/// The crypto suites we speak, in our order of preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

impl Suite {
    pub const SUPPORTED: [Suite; 2] = [Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32];

    /// The RFC 4568 name.
    pub fn name(self) -> &'static str {
        match self {
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    pub fn from_name(name: &str) -> Option<Suite> {
        Suite::SUPPORTED
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Bytes of the SRTP authentication tag.
    pub fn rtp_tag_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 => 10,
            Suite::AesCm128HmacSha1_32 => 4,
        }
    }
}

/// Master key and salt. Never printed: `Debug` is redacted and there is no `Display`; the
/// only way out is [`MasterKey::inline`], for the SDP body and `--pcap-keys`.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey([u8; MASTER_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; MASTER_LEN]) -> MasterKey {
        MasterKey(bytes)
    }

    /// A fresh key and salt from the operating system's CSPRNG.
    pub fn random() -> Result<MasterKey, SrtpError> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; MASTER_LEN];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SrtpError::NoRandom)?;
        Ok(MasterKey(bytes))
    }

    /// The base64 of key || salt, as in `inline:` (RFC 4568 6.1).
    pub fn inline(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    fn key(&self) -> &[u8] {
        &self.0[..KEY_LEN]
    }

    fn salt(&self) -> &[u8] {
        &self.0[KEY_LEN..]
    }
}

/// One `a=crypto` attribute (RFC 4568 9.1), for the suites above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptoAttribute {
    pub tag: u32,
    pub suite: Suite,
    pub key: MasterKey,
}

/// Why an `a=crypto` line is not usable. Never carries key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoRefusal {
    #[error("crypto suite {0:?} is not supported; expected AES_CM_128_HMAC_SHA1_80 or _32")]
    Suite(String),
    #[error("a=crypto is malformed; expected \"<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:len]\"")]
    Malformed,
    #[error("a=crypto key is not 30 bytes of base64 (16-byte key, 14-byte salt)")]
    KeyLength,
    #[error("a=crypto uses more than one key or an MKI; expected one inline key")]
    Mki,
    #[error("a=crypto session parameter {0:?} is not supported")]
    SessionParameter(String),
}

impl CryptoAttribute {
    /// Parses the value of an `a=crypto:` attribute.
    pub fn parse(value: &str) -> Result<CryptoAttribute, CryptoRefusal> {
        let mut fields = value.split_whitespace();
        let (Some(tag), Some(suite), Some(keys)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(CryptoRefusal::Malformed);
        };
        let tag: u32 = tag.parse().map_err(|_| CryptoRefusal::Malformed)?;
        let suite =
            Suite::from_name(suite).ok_or_else(|| CryptoRefusal::Suite(suite.to_string()))?;
        if let Some(param) = fields.next() {
            // UNENCRYPTED_SRTP, KDR=n, FEC_ORDER ...: none is something we would honour.
            let name = param.split('=').next().unwrap_or(param);
            return Err(CryptoRefusal::SessionParameter(name.to_string()));
        }
        if keys.contains(';') {
            return Err(CryptoRefusal::Mki);
        }
        let inline = keys
            .strip_prefix("inline:")
            .ok_or(CryptoRefusal::Malformed)?;
        let mut parts = inline.split('|');
        let b64 = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        // A lifetime alone is fine (we rekey never, calls are short); an MKI is not.
        if rest.iter().any(|p| p.contains(':')) || rest.len() > 1 {
            return Err(CryptoRefusal::Mki);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| CryptoRefusal::KeyLength)?;
        let bytes: [u8; MASTER_LEN] = bytes.try_into().map_err(|_| CryptoRefusal::KeyLength)?;
        Ok(CryptoAttribute {
            tag,
            suite,
            key: MasterKey(bytes),
        })
    }

    /// The attribute value: `1 AES_CM_128_HMAC_SHA1_80 inline:...`. Goes into SDP only.
    pub fn sdp_value(&self) -> String {
        format!(
            "{} {} inline:{}",
            self.tag,
            self.suite.name(),
            self.key.inline()
        )
    }
}

/// `bytes` (a SIP message) with the key material of every `inline:` replaced by `*` of the
/// same length (so Content-Length stays true): for traces and captures that show SDP.
pub fn redact_inline_keys(bytes: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"inline:";
    let mut out = bytes.to_vec();
    let mut i = 0;
    while let Some(pos) = out[i..].windows(TAG.len()).position(|w| w == TAG) {
        let mut j = i + pos + TAG.len();
        while j < out.len()
            && (out[j].is_ascii_alphanumeric() || matches!(out[j], b'+' | b'/' | b'='))
        {
            out[j] = b'*';
            j += 1;
        }
        i = j;
    }
    out
}

/// Why a packet was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SrtpError {
    #[error("SRTP packet of {len} bytes is too short for its header and tag")]
    TooShort { len: usize },
    #[error("SRTP authentication failed")]
    AuthFailed,
    #[error("RTCP arrived unprotected on an SRTP session")]
    Unprotected,
    #[error("SRTP packet index {index} was replayed or is older than the replay window")]
    Replayed { index: u64 },
    #[error("SRTP: more than {MAX_SOURCES} SSRCs in one session")]
    TooManySources,
    #[error("no random source for an SRTP key")]
    NoRandom,
}

/// What a receiving context dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SrtpStats {
    pub auth_failures: u64,
    pub replayed: u64,
    pub malformed: u64,
    /// SRTCP only: plain RTCP (a whole compound packet in clear), dropped unread.
    pub unprotected: u64,
}

/// The session keys of one direction, for RTP or for RTCP (RFC 3711 4.3).
struct SessionKeys {
    cipher: Aes128,
    auth: hmac::Key,
    salt: [u8; SALT_LEN],
}

impl SessionKeys {
    /// Labels 0, 1, 2 for SRTP; 3, 4, 5 for SRTCP. Key derivation rate 0: r = 0.
    fn derive(master: &MasterKey, first_label: u8) -> SessionKeys {
        let prf = |label: u8, out: &mut [u8]| {
            let mut iv = [0u8; 16];
            iv[..SALT_LEN].copy_from_slice(master.salt());
            iv[7] ^= label;
            out.fill(0);
            AesCtr::new(master.key().into(), &iv.into()).apply_keystream(out);
        };
        let mut key = [0u8; KEY_LEN];
        let mut auth = [0u8; AUTH_KEY_LEN];
        let mut salt = [0u8; SALT_LEN];
        prf(first_label, &mut key);
        prf(first_label + 1, &mut auth);
        prf(first_label + 2, &mut salt);
        SessionKeys {
            cipher: Aes128::new(&key.into()),
            auth: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &auth),
            salt,
        }
    }

    /// XORs the AES-CM keystream for (SSRC, index) into `data` (RFC 3711 4.1.1).
    fn crypt(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        let mut iv = [0u8; 16];
        iv[..SALT_LEN].copy_from_slice(&self.salt);
        for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *b ^= s;
        }
        for (b, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *b ^= s;
        }
        let core = ctr::CtrCore::inner_iv_init(self.cipher.clone(), &iv.into());
        AesCtr::from_core(core).apply_keystream(data);
    }

    fn tag(&self, parts: &[&[u8]], len: usize) -> [u8; SRTCP_TAG_LEN] {
        let mut ctx = hmac::Context::with_key(&self.auth);
        for p in parts {
            ctx.update(p);
        }
        let full = ctx.sign();
        let mut tag = [0u8; SRTCP_TAG_LEN];
        tag[..len].copy_from_slice(&full.as_ref()[..len]);
        tag
    }

    fn verify(&self, parts: &[&[u8]], received: &[u8]) -> bool {
        let ours = self.tag(parts, received.len());
        // Constant time: every byte is compared whatever the first difference.
        ours.iter()
            .zip(received)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// RFC 3711 3.3.2 replay state of one source: the highest index seen and a bitmap of the 64
/// before it.
#[derive(Clone, Copy, Debug, Default)]
struct ReplayWindow {
    highest: Option<u64>,
    bits: u64,
}

impl ReplayWindow {
    fn check(&self, index: u64) -> Result<(), SrtpError> {
        let Some(top) = self.highest else {
            return Ok(());
        };
        if index > top {
            return Ok(());
        }
        let age = top - index;
        if age >= WINDOW || self.bits & (1 << age) != 0 {
            return Err(SrtpError::Replayed { index });
        }
        Ok(())
    }

    fn accept(&mut self, index: u64) {
        match self.highest {
            Some(top) if index <= top => self.bits |= 1 << (top - index),
            Some(top) => {
                let shift = index - top;
                self.bits = if shift >= WINDOW {
                    0
                } else {
                    self.bits << shift
                };
                self.bits |= 1;
                self.highest = Some(index);
            }
            None => {
                self.bits = 1;
                self.highest = Some(index);
            }
        }
    }
}

/// Sending state of one SSRC: the rollover counter and the last sequence number.
#[derive(Clone, Copy, Debug)]
struct SendIndex {
    roc: u32,
    last: u16,
}

/// One direction's cryptographic context: protects what we send with our key, or
/// unprotects what the peer sends with theirs.
pub struct SrtpContext {
    suite: Suite,
    rtp: SessionKeys,
    rtcp: SessionKeys,
    send: HashMap<u32, SendIndex>,
    srtcp_index: u32,
    /// Receiving: per SSRC, the replay window of SRTP indexes and of SRTCP indexes.
    recv: HashMap<u32, ReplayWindow>,
    recv_rtcp: HashMap<u32, ReplayWindow>,
    stats: SrtpStats,
}

impl fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Length of the RTP header (fixed part, CSRCs, extension), if the packet holds one.
fn rtp_header_len(packet: &[u8]) -> Option<usize> {
    if packet.len() < 12 || packet[0] >> 6 != 2 {
        return None;
    }
    let mut len = 12 + 4 * usize::from(packet[0] & 0x0f);
    if packet[0] & 0x10 != 0 {
        let ext = packet.get(len + 2..len + 4)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    (len <= packet.len()).then_some(len)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

impl SrtpContext {
    pub fn new(suite: Suite, key: &MasterKey) -> SrtpContext {
        SrtpContext {
            suite,
            rtp: SessionKeys::derive(key, 0),
            rtcp: SessionKeys::derive(key, 3),
            send: HashMap::new(),
            srtcp_index: 0,
            recv: HashMap::new(),
            recv_rtcp: HashMap::new(),
            stats: SrtpStats::default(),
        }
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    pub fn stats(&self) -> SrtpStats {
        self.stats
    }

    /// Encrypts and authenticates an RTP packet in place (RFC 3711 3.3).
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let header = rtp_header_len(packet).ok_or(SrtpError::TooShort { len: packet.len() })?;
        let seq = u16::from_be_bytes([packet[2], packet[3]]);
        let ssrc = be32(&packet[8..12]);
        let state = self
            .send
            .entry(ssrc)
            .or_insert(SendIndex { roc: 0, last: seq });
        if seq < state.last && state.last - seq > 0x8000 {
            state.roc = state.roc.wrapping_add(1);
        }
        if seq > state.last || state.last - seq > 0x8000 {
            state.last = seq;
        }
        let roc = state.roc;
        let index = u64::from(roc) << 16 | u64::from(seq);
        self.rtp.crypt(ssrc, index, &mut packet[header..]);
        let tag_len = self.suite.rtp_tag_len();
        let tag = self.rtp.tag(&[packet, &roc.to_be_bytes()], tag_len);
        packet.extend_from_slice(&tag[..tag_len]);
        Ok(())
    }

    /// Checks and decrypts an SRTP packet (RFC 3711 3.3): the RTP packet, or why it was
    /// dropped (counted in [`SrtpContext::stats`]).
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let result = self.unprotect_rtp_inner(packet);
        self.count(result.as_ref().err());
        result
    }

    fn unprotect_rtp_inner(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        let too_short = SrtpError::TooShort { len: packet.len() };
        let body_len = packet.len().checked_sub(tag_len).ok_or(too_short)?;
        let (body, tag) = packet.split_at(body_len);
        let header = rtp_header_len(body).ok_or(too_short)?;
        let seq = u16::from_be_bytes([body[2], body[3]]);
        let ssrc = be32(&body[8..12]);
        let window = window_of(&self.recv, ssrc)?;
        let index = estimate_index(window.highest, seq);
        window.check(index)?;
        let roc = (index >> 16) as u32;
        if !self.rtp.verify(&[body, &roc.to_be_bytes()], tag) {
            return Err(SrtpError::AuthFailed);
        }
        let mut out = body.to_vec();
        self.rtp.crypt(ssrc, index, &mut out[header..]);
        self.recv.entry(ssrc).or_default().accept(index);
        Ok(out)
    }

    /// Encrypts and authenticates a compound RTCP packet (RFC 3711 3.4): E flag set, the
    /// next SRTCP index, an 80-bit tag.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        if packet.len() < 8 {
            return Err(SrtpError::TooShort { len: packet.len() });
        }
        let ssrc = be32(&packet[4..8]);
        // As libsrtp does, the index is counted up before use: the first packet carries 1.
        self.srtcp_index = (self.srtcp_index + 1) & 0x7fff_ffff;
        let index = self.srtcp_index;
        self.rtcp.crypt(ssrc, u64::from(index), &mut packet[8..]);
        packet.extend_from_slice(&(index | 0x8000_0000).to_be_bytes());
        let tag = self.rtcp.tag(&[packet], SRTCP_TAG_LEN);
        packet.extend_from_slice(&tag);
        Ok(())
    }

    /// Checks and decrypts an SRTCP packet: the compound RTCP packet, or why it was dropped.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let result = self.unprotect_rtcp_inner(packet);
        self.count(result.as_ref().err());
        result
    }

    fn unprotect_rtcp_inner(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        if is_plain_rtcp(packet) {
            return Err(SrtpError::Unprotected);
        }
        if packet.len() < 8 + 4 + SRTCP_TAG_LEN {
            return Err(SrtpError::TooShort { len: packet.len() });
        }
        let (authed, tag) = packet.split_at(packet.len() - SRTCP_TAG_LEN);
        let (body, e_index) = authed.split_at(authed.len() - 4);
        let e_index = be32(e_index);
        let index = u64::from(e_index & 0x7fff_ffff);
        let ssrc = be32(&body[4..8]);
        let window = window_of(&self.recv_rtcp, ssrc)?;
        window.check(index)?;
        if !self.rtcp.verify(&[authed], tag) {
            return Err(SrtpError::AuthFailed);
        }
        let mut out = body.to_vec();
        if e_index & 0x8000_0000 != 0 {
            self.rtcp.crypt(ssrc, index, &mut out[8..]);
        }
        self.recv_rtcp.entry(ssrc).or_default().accept(index);
        Ok(out)
    }

    fn count(&mut self, error: Option<&SrtpError>) {
        match error {
            Some(SrtpError::AuthFailed) => self.stats.auth_failures += 1,
            Some(SrtpError::Replayed { .. }) => self.stats.replayed += 1,
            Some(SrtpError::Unprotected) => self.stats.unprotected += 1,
            Some(_) => self.stats.malformed += 1,
            None => {}
        }
    }
}

/// Whether `datagram` is a whole compound RTCP packet in clear (RFC 3550 6.1: version 2,
/// packet types 192-223, lengths that add up to the datagram). An SRTCP packet never is: its
/// 14-byte trailer (E|index and the 80-bit tag) leaves its length 2 past a multiple of 4.
fn is_plain_rtcp(datagram: &[u8]) -> bool {
    let mut at = 0;
    while at < datagram.len() {
        let Some(header) = datagram.get(at..at + 4) else {
            return false;
        };
        if header[0] >> 6 != 2 || !(192..=223).contains(&header[1]) {
            return false;
        }
        at += 4 + 4 * usize::from(u16::from_be_bytes([header[2], header[3]]));
    }
    at == datagram.len() && at > 0
}

/// The replay window of `ssrc` (a new one for a new source, while there is room for it).
fn window_of(windows: &HashMap<u32, ReplayWindow>, ssrc: u32) -> Result<ReplayWindow, SrtpError> {
    match windows.get(&ssrc) {
        Some(w) => Ok(*w),
        None if windows.len() >= MAX_SOURCES => Err(SrtpError::TooManySources),
        None => Ok(ReplayWindow::default()),
    }
}

/// RFC 3711 3.3.1 (and Appendix A): the packet index for sequence number `seq`, given the
/// highest index received so far.
fn estimate_index(highest: Option<u64>, seq: u16) -> u64 {
    let Some(top) = highest else {
        return u64::from(seq);
    };
    let roc = top >> 16;
    let s_l = (top & 0xffff) as u16;
    let seq64 = u64::from(seq);
    let v = if s_l < 0x8000 {
        if seq > s_l && seq - s_l > 0x8000 {
            roc.wrapping_sub(1) & 0xffff_ffff
        } else {
            roc
        }
    } else if u32::from(s_l) - 0x8000 > u32::from(seq) {
        (roc + 1) & 0xffff_ffff
    } else {
        roc
    };
    v << 16 | seq64
}

/// Both directions of one call: what we send (our key, from our SDP) and what the peer
/// sends (its key, from its SDP).
#[derive(Debug)]
pub struct SrtpSession {
    pub outbound: SrtpContext,
    pub inbound: SrtpContext,
}

impl SrtpSession {
    /// `local`: the key we announced; `remote`: the key the peer announced.
    pub fn new(suite: Suite, local: &MasterKey, remote: &MasterKey) -> SrtpSession {
        SrtpSession {
            outbound: SrtpContext::new(suite, local),
            inbound: SrtpContext::new(suite, remote),
        }
    }
}

/// The RTCP hook: a compound RTCP packet we send, as it goes on the wire (SRTCP on a
/// Secured call, `srtp` the call's session; unchanged without). `None`: it cannot be sent.
pub fn seal_rtcp(srtp: Option<&mut SrtpSession>, mut packet: Vec<u8>) -> Option<Vec<u8>> {
    match srtp {
        Some(s) => s.outbound.protect_rtcp(&mut packet).ok().map(|()| packet),
        None => Some(packet),
    }
}

/// The RTCP hook for what arrives: the compound RTCP packet of a datagram, or `None` when it
/// fails SRTCP authentication or is replayed (counted in the inbound context's stats).
pub fn open_rtcp(srtp: Option<&mut SrtpSession>, datagram: &[u8]) -> Option<Vec<u8>> {
    match srtp {
        Some(s) => s.inbound.unprotect_rtcp(datagram).ok(),
        None => Some(datagram.to_vec()),
    }
}

/// The keys of one negotiated SRTP stream, as the offer/answer left them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrtpKeys {
    pub suite: Suite,
    /// The key in our SDP: what we send with.
    pub local: MasterKey,
    /// The key in the peer's SDP: what it sends with.
    pub remote: MasterKey,
}

impl SrtpKeys {
    pub fn session(&self) -> SrtpSession {
        SrtpSession::new(self.suite, &self.local, &self.remote)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn master(key: &str, salt: &str) -> MasterKey {
        let mut b = hex(key);
        b.extend(hex(salt));
        MasterKey(b.try_into().unwrap())
    }

    /// RFC 3711 B.2: the AES-CM keystream for SSRC 0, index 0.
    #[test]
    fn rfc3711_b2_aes_cm_keystream() {
        let keys = SessionKeys {
            cipher: Aes128::new_from_slice(&hex("2B7E151628AED2A6ABF7158809CF4F3C")).unwrap(),
            auth: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &[0; 20]),
            salt: hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD").try_into().unwrap(),
        };
        let mut data = vec![0u8; 48];
        keys.crypt(0, 0, &mut data);
        assert_eq!(
            data,
            hex(
                "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB \
                 41E95B3BB0A2E8DD477901E4FCA894C0"
            )
        );
    }

    /// RFC 3711 B.3: the session keys derived from a master key (label 0, 1, 2).
    #[test]
    fn rfc3711_b3_key_derivation() {
        let m = master(
            "E1F97A0D3E018BE0D64FA32C06DE4139",
            "0EC675AD498AFEEBB6960B3AABE6",
        );
        let prf = |label: u8, len: usize| {
            let mut iv = [0u8; 16];
            iv[..SALT_LEN].copy_from_slice(m.salt());
            iv[7] ^= label;
            let mut out = vec![0u8; len];
            AesCtr::new(m.key().into(), &iv.into()).apply_keystream(&mut out);
            out
        };
        assert_eq!(prf(0, 16), hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assert_eq!(prf(2, 14), hex("30CBBC08863D8C85D49DB34A9AE1"));
        assert_eq!(prf(1, 20), hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
        // SessionKeys::derive uses the same labels: its keystream matches the derived key.
        let keys = SessionKeys::derive(&m, 0);
        assert_eq!(keys.salt.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
    }

    fn reference_key() -> MasterKey {
        master(
            "E1F97A0D3E018BE0D64FA32C06DE4139",
            "0EC675AD498AFEEBB6960B3AABE6",
        )
    }

    /// libsrtp's srtp_driver reference packet (AES_CM_128_HMAC_SHA1_80).
    const RTP_PLAIN: &str = "800f1234decafbadcafebabe abababababababababababababababab";
    const RTP_CIPHER: &str =
        "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb";

    #[test]
    fn libsrtp_reference_rtp_packet() {
        let mut ctx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &reference_key());
        let mut packet = hex(RTP_PLAIN);
        ctx.protect_rtp(&mut packet).unwrap();
        assert_eq!(packet, hex(RTP_CIPHER));
        let mut rx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &reference_key());
        assert_eq!(rx.unprotect_rtp(&packet).unwrap(), hex(RTP_PLAIN));
    }

    const RTCP_PLAIN: &str = "81c8000bcafebabe abababababababababababababababab";
    const RTCP_CIPHER: &str = "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 \
                               993e08cd54d6c1230798";

    #[test]
    fn libsrtp_reference_rtcp_packet() {
        let mut ctx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &reference_key());
        let mut packet = hex(RTCP_PLAIN);
        ctx.protect_rtcp(&mut packet).unwrap();
        assert_eq!(packet, hex(RTCP_CIPHER));
        let mut rx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &reference_key());
        assert_eq!(rx.unprotect_rtcp(&packet).unwrap(), hex(RTCP_PLAIN));
        // The same packet again is a replay, dropped and counted.
        assert_eq!(
            rx.unprotect_rtcp(&packet),
            Err(SrtpError::Replayed { index: 1 })
        );
        assert_eq!(rx.stats().replayed, 1);
    }

    /// Reference packets from libre 1.1.0 (Debian's baresip 1.0.0, srtp module,
    /// AES_CM_128_HMAC_SHA1_80), captured in tests/it/baresip.rs's Secured call with the key
    /// baresip announced for that one call: its SRTCP APP "PING"/"PONG" (index 1) and sender
    /// report (index 2) open; its closing BYE+SDES and its first APP came in clear.
    const LIBRE_KEY: &str = "VKry7C7GEABZC/iLKPCKpBuFQzZat9mZEpvGQQPN";
    const LIBRE_APP: &str = "80cc0003e857a06b52c0407d3762876880000001 63ac1a6612c92beb45ae";
    const LIBRE_SR: &str = "81c8000ce857a06b54d561d1fb174530942e70a7cc28846f4dbb95a2b7157fcf\
        993e8351ff81610257143f5a60c23312cba14cc7f7306d9305294f4657cec3cc64a3c53ee93207de0a94\
        3ad39564b14db3758c188000000291fe92b095cfbc2ea281";
    const LIBRE_CLEAR_BYE: &str = "81cb0003e857a06b0441646a6f00000081ca0007e857a06b0115736970\
        3a616c696365403132372e302e31302e323100";
    const LIBRE_CLEAR_APP: &str = "80cc0003e857a06b50494e47504f4e47";

    #[test]
    fn libre_srtcp_packets_open_and_its_clear_rtcp_is_dropped_as_unprotected() {
        let key = CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{LIBRE_KEY}"))
            .unwrap()
            .key;
        let mut rx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &key);
        let app = rx.unprotect_rtcp(&hex(LIBRE_APP)).unwrap();
        assert_eq!(
            app,
            hex("80cc0003e857a06b 50494e47 504f4e47"),
            "APP PING PONG"
        );
        let sr = rx.unprotect_rtcp(&hex(LIBRE_SR)).unwrap();
        // A sender report (200) with one report block, then an SDES (202) with its CNAME.
        assert_eq!((sr[1], sr.len()), (200, 84));
        assert_eq!(&sr[52..54], &[0x81, 202]);
        assert!(is_plain_rtcp(&sr));
        for clear in [LIBRE_CLEAR_BYE, LIBRE_CLEAR_APP] {
            assert_eq!(rx.unprotect_rtcp(&hex(clear)), Err(SrtpError::Unprotected));
        }
        assert_eq!(
            rx.stats(),
            SrtpStats {
                unprotected: 2,
                ..SrtpStats::default()
            }
        );
        // The report again under a new index is a forgery (the tag covers the index), not
        // clear RTCP.
        let mut forged = hex(LIBRE_SR);
        let at = forged.len() - 14 + 3;
        forged[at] = 3;
        assert_eq!(rx.unprotect_rtcp(&forged), Err(SrtpError::AuthFailed));
        assert!(!is_plain_rtcp(&hex(LIBRE_SR)) && !is_plain_rtcp(&hex(LIBRE_APP)));
    }

    #[test]
    fn rtcp_hooks_seal_and_open_srtcp_only_on_a_secured_call() {
        let keys = SrtpKeys {
            suite: Suite::AesCm128HmacSha1_32,
            local: MasterKey::random().unwrap(),
            remote: MasterKey::random().unwrap(),
        };
        let (mut us, mut them) = (
            keys.session(),
            SrtpSession::new(keys.suite, &keys.remote, &keys.local),
        );
        // A whole receiver report (RTCP_PLAIN's length field says more than it holds).
        let report = hex("81c90005cafebabe abababababababababababababababab");
        let sealed = seal_rtcp(Some(&mut us), report.clone()).unwrap();
        assert_eq!(
            sealed.len(),
            report.len() + 4 + 10,
            "E|index and an 80-bit tag"
        );
        assert_eq!(open_rtcp(Some(&mut them), &sealed).unwrap(), report);
        // Plain RTCP on a Secured call is dropped and counted; without SRTP it passes.
        assert_eq!(open_rtcp(Some(&mut us), &report), None);
        assert_eq!(us.inbound.stats().unprotected, 1);
        assert_eq!(seal_rtcp(None, report.clone()).unwrap(), report);
        assert_eq!(open_rtcp(None, &report).unwrap(), report);
    }

    fn rtp(seq: u16, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn both_suites_round_trip_across_the_sequence_rollover() {
        for suite in Suite::SUPPORTED {
            let key = MasterKey::random().unwrap();
            let (mut tx, mut rx) = (SrtpContext::new(suite, &key), SrtpContext::new(suite, &key));
            for i in 0..300u32 {
                let seq = 65400u16.wrapping_add(i as u16);
                let plain = rtp(seq, &[i as u8; 160]);
                let mut p = plain.clone();
                tx.protect_rtp(&mut p).unwrap();
                assert_eq!(p.len(), plain.len() + suite.rtp_tag_len());
                assert_ne!(&p[12..172], &plain[12..], "payload sent in clear");
                assert_eq!(rx.unprotect_rtp(&p).unwrap(), plain, "{suite:?} seq {seq}");
            }
            // The rollover counter went to 1 on both sides.
            assert_eq!(tx.send[&0x1122_3344].roc, 1);
            assert_eq!(rx.recv[&0x1122_3344].highest, Some(1 << 16 | 163));
            assert_eq!(rx.stats(), SrtpStats::default());
        }
    }

    #[test]
    fn tampered_replayed_and_too_old_packets_are_dropped_and_counted() {
        let key = MasterKey::random().unwrap();
        let suite = Suite::AesCm128HmacSha1_32;
        let (mut tx, mut rx) = (SrtpContext::new(suite, &key), SrtpContext::new(suite, &key));
        let packets: Vec<Vec<u8>> = (0..100u16)
            .map(|s| {
                let mut p = rtp(s, &[0xd5; 160]);
                tx.protect_rtp(&mut p).unwrap();
                p
            })
            .collect();
        let mut bad = packets[0].clone();
        bad[20] ^= 1;
        assert_eq!(rx.unprotect_rtp(&bad), Err(SrtpError::AuthFailed));
        // Out of order inside the window is fine; the same index twice is not.
        rx.unprotect_rtp(&packets[99]).unwrap();
        rx.unprotect_rtp(&packets[50]).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&packets[50]),
            Err(SrtpError::Replayed { index: 50 })
        );
        // 99 - 0 >= 64: older than the window.
        assert_eq!(
            rx.unprotect_rtp(&packets[0]),
            Err(SrtpError::Replayed { index: 0 })
        );
        // Another key: authentication fails, nothing is decrypted.
        let mut other = SrtpContext::new(suite, &MasterKey::random().unwrap());
        assert_eq!(other.unprotect_rtp(&packets[1]), Err(SrtpError::AuthFailed));
        assert_eq!(
            rx.stats(),
            SrtpStats {
                auth_failures: 1,
                replayed: 2,
                malformed: 0,
                unprotected: 0
            }
        );
        assert_eq!(
            rx.unprotect_rtp(&[0x80, 0, 0]),
            Err(SrtpError::TooShort { len: 3 })
        );
    }

    #[test]
    fn new_ssrcs_past_the_limit_are_refused() {
        let key = MasterKey::random().unwrap();
        let suite = Suite::AesCm128HmacSha1_80;
        let (mut tx, mut rx) = (SrtpContext::new(suite, &key), SrtpContext::new(suite, &key));
        for n in 0..=MAX_SOURCES as u32 {
            let mut p = rtp(1, &[0xd5; 160]);
            p[8..12].copy_from_slice(&n.to_be_bytes());
            tx.protect_rtp(&mut p).unwrap();
            let opened = rx.unprotect_rtp(&p);
            if n < MAX_SOURCES as u32 {
                assert!(opened.is_ok(), "source {n}");
            } else {
                assert_eq!(opened, Err(SrtpError::TooManySources));
            }
        }
        assert_eq!(rx.stats().malformed, 1);
    }

    #[test]
    fn index_estimate_follows_rfc3711_appendix_a() {
        assert_eq!(estimate_index(None, 7), 7);
        // Just after a wrap: a late packet from before it belongs to the previous ROC.
        assert_eq!(estimate_index(Some(1 << 16 | 5), 65530), 65530);
        // Near the top: a small sequence number is the next ROC.
        assert_eq!(estimate_index(Some(65530), 3), 1 << 16 | 3);
        assert_eq!(estimate_index(Some(40000), 40100), 40100);
    }

    #[test]
    fn inline_keys_are_redacted_to_the_same_length() {
        let sdp = b"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:ab+/9=|2^20\r\na=x\r\n";
        let out = redact_inline_keys(sdp);
        assert_eq!(out.len(), sdp.len());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:******|2^20\r\na=x\r\n"
        );
    }

    #[test]
    fn crypto_attribute_parses_renders_and_never_prints_the_key() {
        let key = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
        let a = CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{key}|2^20"))
            .unwrap();
        assert_eq!((a.tag, a.suite), (1, Suite::AesCm128HmacSha1_80));
        assert_eq!(
            a.sdp_value(),
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{key}")
        );
        assert!(!format!("{a:?}").contains(key));
        assert!(!format!("{a:?}").contains("WVNf"));
        let refusal = |v: &str| CryptoAttribute::parse(v).unwrap_err();
        assert_eq!(
            refusal(&format!("1 AES_CM_256_HMAC_SHA1_80 inline:{key}")),
            CryptoRefusal::Suite("AES_CM_256_HMAC_SHA1_80".into())
        );
        assert_eq!(
            refusal(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{key}|2^20|1:4")),
            CryptoRefusal::Mki
        );
        assert_eq!(
            refusal("1 AES_CM_128_HMAC_SHA1_32 inline:c2hvcnQ="),
            CryptoRefusal::KeyLength
        );
        assert_eq!(
            refusal(&format!(
                "1 AES_CM_128_HMAC_SHA1_32 inline:{key} UNENCRYPTED_SRTP"
            )),
            CryptoRefusal::SessionParameter("UNENCRYPTED_SRTP".into())
        );
        assert_eq!(
            refusal("x AES_CM_128_HMAC_SHA1_32"),
            CryptoRefusal::Malformed
        );
        // No refusal message holds key material.
        let mki = refusal(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{key}|2^20|1:4"));
        assert!(!mki.to_string().contains(key));
    }
}
