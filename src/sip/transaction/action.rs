//! What the transaction layer asks of its caller ([`Action`]), what it tells the TU
//! ([`TuEvent`]), and the record of a finished transaction ([`TransactionRecord`], one log line
//! per transaction). Also the crate-internal [`Output`] each transaction state machine returns,
//! before the layer adds the peer address.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::TransactionKey;
use crate::sip::transport::TransportKind;

/// Something the caller of [`super::TransactionLayer`] must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send these bytes (one whole message) to `to` over `transport`; for TCP/TLS, over the
    /// connection the request came on if it is still open (RFC 3261 18.2.2).
    Transmit {
        bytes: Vec<u8>,
        to: SocketAddr,
        transport: TransportKind,
        /// The transaction the bytes belong to (report send failures with
        /// `TransactionLayer::transport_error`).
        key: Option<TransactionKey>,
    },
    /// Hand this to the transaction user.
    DeliverToTu(TuEvent),
    /// A transaction ended; log it.
    TransactionTerminated(TransactionRecord),
    /// A timer ran out: Timer B/F (no response to our request), Timer H (no ACK for our
    /// non-2xx), or the 2xx wait (no ACK for our 2xx; the TU should send BYE).
    TimedOut { key: TransactionKey, timer: Timer },
}

/// What the transaction user receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TuEvent {
    /// A new request (not ACK, not CANCEL): answer it with `TransactionLayer::send_response`.
    Request {
        key: TransactionKey,
        request: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
    },
    /// An ACK that no INVITE server transaction absorbed: the ACK for a 2xx (end to end,
    /// `acknowledged` true when it ended our 2xx retransmission) or a stray one.
    Ack {
        request: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
        acknowledged: bool,
    },
    /// A CANCEL ended the INVITE `invite` with 487; its final response is no longer needed.
    Cancelled { invite: TransactionKey },
    /// A response to one of our client transactions.
    Response {
        key: TransactionKey,
        response: rsip::Response,
    },
    /// A response no client transaction matched (e.g. a retransmitted 2xx to our INVITE).
    StrayResponse {
        response: rsip::Response,
        from: SocketAddr,
    },
}

/// The timers that end a transaction unsuccessfully.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Timer {
    /// INVITE client: no response.
    B,
    /// Non-INVITE client: no final response.
    F,
    /// INVITE server: no ACK for a non-2xx final.
    H,
    /// UAS core: no ACK for a 2xx (RFC 3261 13.3.1.4).
    AckFor2xx,
}

/// How a transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    TimedOut,
    TransportError,
}

/// Server or client side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Server,
    Client,
}

/// One finished transaction, for the structured log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionRecord {
    pub key: TransactionKey,
    pub role: Role,
    pub method: String,
    pub call_id: String,
    pub peer: SocketAddr,
    pub transport: TransportKind,
    /// The final response sent (server) or received (client), if any.
    pub status: Option<u16>,
    pub outcome: Outcome,
    pub started: Instant,
    pub ended: Instant,
}

impl TransactionRecord {
    pub fn duration(&self) -> Duration {
        self.ended.saturating_duration_since(self.started)
    }
}

/// What one state machine step produced (the layer adds addresses and keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Transmit(Vec<u8>),
    Deliver(rsip::Response),
    TimedOut(Timer),
    Terminated(Outcome),
}
