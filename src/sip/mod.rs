//! SIP on top of rsip 0.4: the message layer. This module owns turning bytes into
//! `rsip::SipMessage`s and back (stream framing, datagram checks, the normalisation rsip needs,
//! Content-Length checks), small helpers the endpoint needs (case-insensitive header lookup that
//! knows compact forms, building responses from requests), and the headers rsip has no type for
//! (Diversion, CC-Diversion, History-Info, Ms-Exchange-Command, Referred-By). It does not own
//! sockets, transactions, dialogs or the endpoint, and knows nothing of AD or UM: the Exchange
//! rules in `headers` are phrased as plain functions over header values.
//!
//! Pipeline for received bytes:
//! `framing::Framer` (TCP/TLS) or `framing::check_datagram` (UDP) cuts out one message ->
//! `message::parse_any` (= `normalize::normalize` + rsip + Content-Length check) -> either an
//! `rsip::SipMessage` or, for the few valid requests rsip 0.4 cannot represent (extension
//! methods, non-SIP Request-URIs), a `message::ForeignRequest` that still carries rsip headers
//! so the endpoint can answer 501/416. `message::validate` then applies the checks a UAS makes
//! before acting (required headers, CSeq/method match, scalar ranges).

pub mod dialog;
pub mod endpoint;
pub mod framing;
pub mod headers;
pub mod ids;
pub mod lookup;
pub mod message;
pub mod mwi;
pub mod normalize;
pub mod overload;
pub mod request;
pub mod shard;
pub mod transaction;
pub mod transport;
pub mod wire;

#[cfg(test)]
mod corpus_tests;

pub use framing::{check_datagram, Datagram, Frame, Framer, Limits};
pub use headers::{
    diverted_user, CcDiversion, Diversion, DiversionEntry, ExchangeDiversionReason, HistoryInfo,
    HistoryInfoEntry, MsExchangeCommand, NameAddr, ReferredBy, SipUriParts,
};
pub use message::{
    find_header, find_headers, parse, parse_any, response_from_headers, response_to, validate,
    ForeignRequest, Parsed,
};
pub use normalize::{compact_to_long, long_to_compact, normalize};

/// Which layer of the receive pipeline objected; RFC 4475 classifies its torture messages the
/// same way, and the endpoint reacts differently (close the connection / 400 / 501 / 416).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The bytes cannot be cut into messages (Content-Length, limits, missing blank line).
    /// On a stream this is fatal for the connection.
    Framing,
    /// The request or status line is malformed.
    StartLine,
    /// A header line is malformed (no colon, bad field name, bad encoding).
    HeaderSyntax,
    /// A header's value is malformed for that header's grammar.
    HeaderValue,
    /// Well-formed, but not a message the UAS may act on (missing headers, mismatches).
    Validation,
    /// Valid SIP that rsip 0.4 cannot represent (extension method, foreign URI scheme).
    Unrepresentable,
}

/// Everything that can go wrong in the SIP message layer. Each variant names the offending
/// value (header, line, offset) and what was expected.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SipError {
    #[error("message of {size} bytes exceeds the limit of {limit} bytes (max_message_size)")]
    MessageTooLarge { size: usize, limit: usize },
    #[error("header section of at least {size} bytes exceeds the limit of {limit} bytes (max_header_bytes)")]
    HeaderSectionTooLarge { size: usize, limit: usize },
    #[error("{count} header fields exceed the limit of {limit} (max_headers)")]
    TooManyHeaders { count: usize, limit: usize },
    #[error("no blank line ends the header section ({len} bytes seen); expected CRLF CRLF")]
    UnterminatedHeaders { len: usize },
    #[error("Content-Length {value:?} on line {line} is not a non-negative decimal number")]
    InvalidContentLength { value: String, line: usize },
    #[error("Content-Length given twice with different values ({first:?} and {second:?}); expected exactly one")]
    ConflictingContentLength { first: String, second: String },
    #[error("no Content-Length header; it is required on stream transports (RFC 3261 18.3)")]
    MissingContentLength,
    #[error("Content-Length {declared} is larger than the {available} body bytes present")]
    BodyTruncated { declared: usize, available: usize },
    #[error("{extra} bytes follow the {declared}-byte body that Content-Length declares; expected one message (frame it first)")]
    TrailingBytes { declared: usize, extra: usize },
    #[error("stream closed with {buffered} bytes of an incomplete message buffered")]
    TruncatedStream { buffered: usize },
    #[error("start line {line:?} is malformed: expected {expected}")]
    StartLine { line: String, expected: String },
    #[error("header line {line_no} ({line:?}) is malformed: expected {expected}")]
    HeaderLine {
        line_no: usize,
        line: String,
        expected: String,
    },
    #[error("header {name:?} value {value:?} is malformed: expected {expected}")]
    HeaderValue {
        name: String,
        value: String,
        expected: String,
    },
    #[error("header {name:?} is missing; expected it in every {context}")]
    MissingHeader { name: String, context: String },
    #[error("message is well-formed but invalid: {reason} (found {found:?})")]
    Invalid { reason: String, found: String },
    #[error("request {method} {uri} is valid SIP that rsip 0.4 cannot represent ({why}); answer {status}")]
    Unrepresentable {
        method: String,
        uri: String,
        why: String,
        status: u16,
    },
}

impl SipError {
    /// The layer that objected (see [`Layer`]).
    pub fn layer(&self) -> Layer {
        use SipError::*;
        match self {
            MessageTooLarge { .. }
            | HeaderSectionTooLarge { .. }
            | TooManyHeaders { .. }
            | UnterminatedHeaders { .. }
            | InvalidContentLength { .. }
            | ConflictingContentLength { .. }
            | MissingContentLength
            | BodyTruncated { .. }
            | TrailingBytes { .. }
            | TruncatedStream { .. } => Layer::Framing,
            StartLine { .. } => Layer::StartLine,
            HeaderLine { .. } => Layer::HeaderSyntax,
            HeaderValue { .. } => Layer::HeaderValue,
            MissingHeader { .. } | Invalid { .. } => Layer::Validation,
            Unrepresentable { .. } => Layer::Unrepresentable,
        }
    }

    /// True for errors that leave a stream connection out of sync (close it).
    pub fn is_framing(&self) -> bool {
        self.layer() == Layer::Framing
    }

    /// The status a UAS answers with when it can still answer (it has the request's headers).
    pub fn status(&self) -> u16 {
        match self {
            SipError::Unrepresentable { status, .. } => *status,
            SipError::MessageTooLarge { .. }
            | SipError::HeaderSectionTooLarge { .. }
            | SipError::TooManyHeaders { .. } => 513,
            _ => 400,
        }
    }
}
