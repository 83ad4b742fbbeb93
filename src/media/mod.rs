//! Media for the UM endpoint: G.711 companding, WAV greetings and recordings, RFC 4733
//! telephone-events plus in-band (Goertzel) DTMF, SDP offer/answer (with SDES for SRTP), the
//! sans-IO RTP session (sender, absolute-deadline pacer, receiver statistics) on top of
//! `rtp-rs` with its RTCP reports (`rtcp`), and SRTP/SRTCP (`srtp`).
//!
//! Everything here is plain functions and state machines: no sockets, no clocks, no threads;
//! time is always passed in (`now: Instant`); `rtcp::bind_pair` is the one socket helper. The
//! UDP socket that moves these packets is the
//! worker's media engine (`serve::media_engine`); the SIP dialog that carries the SDP lives in
//! `sip/`. This module imports nothing of ours.

pub mod dtmf;
pub mod g711;
pub mod rtcp;
pub mod rtp;
pub mod sdp;
pub mod srtp;
pub mod wav;

use std::path::PathBuf;

pub use dtmf::{
    digit_to_event, event_to_digit, DtmfDetector, DtmfReceiver, DtmfSender, EventPacket, Goertzel,
    ReceivedDigit, TelephoneEvent,
};
pub use g711::Law;
pub use rtp::{Pacer, PacketKind, ReceivedPacket, RtpReceiver, RtpSender, RtpStats};
pub use sdp::{
    negotiate, Codec, Connection, Direction, Encryption, LocalMedia, MediaDescription, Negotiated,
    Origin, RtpMap, SessionDescription,
};
pub use wav::{WavError, WavFormat, WavInfo};

/// The SIP status a failed offer/answer maps to (RFC 3261 21.4.26, "Not Acceptable Here").
pub const NOT_ACCEPTABLE_HERE: u16 = 488;

/// Errors of the media module. Each names the offending value and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// A WAV byte stream could not be used.
    #[error("WAV: {0}")]
    Wav(#[from] WavError),

    /// A WAV file could not be used; `source` says what is wrong with it.
    #[error("{}: {source}", path.display())]
    WavFile { path: PathBuf, source: WavError },

    /// A WAV file could not be read or written.
    #[error("{}: {source}", path.display())]
    WavIo {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A datagram is not a valid RTP packet.
    #[error("invalid RTP packet ({len} bytes): {reason}; expected an RTP version 2 packet")]
    RtpParse { len: usize, reason: String },

    /// `rtp-rs` refused to build a packet.
    #[error("cannot build RTP packet with payload type {payload_type}: {reason}")]
    RtpBuild { payload_type: u8, reason: String },

    /// A telephone-event payload is too short.
    #[error("telephone-event payload is {len} bytes; expected at least 4 (RFC 4733 2.3)")]
    TelephoneEventTooShort { len: usize },

    /// A character that is not a DTMF digit.
    #[error("{digit:?} is not a DTMF digit; expected 0-9, *, #, A-D")]
    NotADigit { digit: char },

    /// A DTMF duration outside what a telephone-event can carry.
    #[error("DTMF duration {ms} ms is out of range; expected 40..=8000 ms")]
    DigitDuration { ms: u32 },

    /// An SDP line could not be parsed.
    #[error("SDP line {line_no} {line:?}: expected {expected}")]
    Sdp {
        line_no: usize,
        line: String,
        expected: &'static str,
    },

    /// The offer has no usable audio stream.
    #[error("SDP offer has no audio stream (media offered: {offered:?}); expected an m=audio line with a non-zero port")]
    NoAudioStream { offered: Vec<String> },

    /// The audio stream uses a transport profile we do not answer (SRTP on a plan without it).
    #[error("SDP audio stream uses profile {proto:?}; expected RTP/AVP (the dial plan is not Secured: plain RTP)")]
    UnsupportedProfile { proto: String },

    /// A Secured dial plan and an offer without usable SRTP (SDES) crypto.
    #[error("Secured dial plan needs SRTP: the offer has {offered}; expected RTP/SAVP (or Lync's RTP/AVP with a=encryption) with a=crypto AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32 (RFC 4568)")]
    SrtpRequired { offered: String },

    /// A dial plan without SRTP (Unsecured, SIPSecured) and an offer that requires it.
    #[error("the offer requires media encryption (a=encryption:required) but the dial plan is not Secured; expected an offer that allows plain RTP/AVP")]
    EncryptionRequired,

    /// No codec in common: the caller answers 488.
    #[error("no common codec: offer has {offered:?}; expected PCMU (0) or PCMA (8)")]
    NoCommonCodec { offered: Vec<String> },
}

impl MediaError {
    /// The SIP response status this error calls for when it ends an offer/answer exchange:
    /// 400 for an SDP body that does not parse, 488 Not Acceptable Here for an offer we
    /// understand but cannot accept.
    pub fn sip_status(&self) -> Option<u16> {
        match self {
            MediaError::Sdp { .. } => Some(400),
            MediaError::NoAudioStream { .. }
            | MediaError::UnsupportedProfile { .. }
            | MediaError::SrtpRequired { .. }
            | MediaError::EncryptionRequired
            | MediaError::NoCommonCodec { .. } => Some(NOT_ACCEPTABLE_HERE),
            _ => None,
        }
    }

    /// The reason phrase of [`MediaError::sip_status`]'s response.
    pub fn sip_phrase(&self) -> &'static str {
        match self {
            MediaError::Sdp { .. } => "Bad Request",
            MediaError::SrtpRequired { .. } => "Secured dial plan needs SRTP",
            _ => "Not Acceptable Here",
        }
    }
}
