//! SIP transports on tokio sockets: UDP ([`udp`]), TCP ([`tcp`]) and TLS ([`tls`], rustls),
//! the stream connection loop they share ([`connection`]: framing with
//! `framing::Framer`, one writer per connection, reuse per peer, limits, idle timeout) and the
//! lab certificates ([`certs`]). Every transport delivers [`Inbound`] (bytes of one message,
//! peer, kind, local address) to an [`InboundSink`] (the queue of the endpoint shard that owns
//! the message's Call-ID) and sends bytes to a peer, reusing the
//! connection a request came on for its responses (RFC 3261 18.2.2). This module owns no SIP
//! parsing beyond framing and no transactions: the endpoint does.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

pub mod certs;
pub mod connection;
pub mod tcp;
pub mod tls;
pub mod udp;

pub use connection::{ConnectionLimits, Connections};

/// The transport a message came on or goes out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TransportKind {
    Udp,
    Tcp,
    Tls,
}

impl TransportKind {
    /// TCP and TLS deliver reliably: no retransmission timers (RFC 3261 17).
    pub fn is_reliable(self) -> bool {
        !matches!(self, TransportKind::Udp)
    }

    /// The Via transport token.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Udp => "UDP",
            TransportKind::Tcp => "TCP",
            TransportKind::Tls => "TLS",
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The DER of the certificate a TLS peer presented (mutual TLS), as received.
pub type PeerCertificate = Arc<[u8]>;

/// One received unit: a whole framed message on TCP/TLS, a raw datagram on UDP (the endpoint
/// applies `framing::check_datagram`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    pub bytes: Vec<u8>,
    pub peer: SocketAddr,
    pub kind: TransportKind,
    pub local: SocketAddr,
    /// Over TLS: the certificate the peer presented, if it presented one.
    pub peer_certificate: Option<PeerCertificate>,
}

/// Where transports deliver what they receive: one queue per endpoint shard, the shard chosen
/// by the message's Call-ID (`sip::shard`), so a call's messages all reach the shard that keeps
/// its transactions and a receive task hands each message over once. Cheap to clone.
#[derive(Clone, Debug)]
pub struct InboundSink {
    shards: Arc<[tokio::sync::mpsc::Sender<Inbound>]>,
}

impl InboundSink {
    /// A sink over the shards' queues (at least one).
    pub fn new(shards: Vec<tokio::sync::mpsc::Sender<Inbound>>) -> InboundSink {
        InboundSink {
            shards: shards.into(),
        }
    }

    /// Queues `msg` for its shard, waiting while that queue is full; `Err` once the endpoint
    /// has stopped.
    pub async fn send(&self, msg: Inbound) -> Result<(), Inbound> {
        let shard = crate::sip::shard::shard_of(&msg.bytes, self.shards.len());
        match self.shards.get(shard) {
            Some(queue) => queue.send(msg).await.map_err(|e| e.0),
            None => Err(msg),
        }
    }
}

impl From<tokio::sync::mpsc::Sender<Inbound>> for InboundSink {
    fn from(queue: tokio::sync::mpsc::Sender<Inbound>) -> InboundSink {
        InboundSink::new(vec![queue])
    }
}

/// Transport failures, naming the address and what was attempted.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot bind {kind} on {addr}: {source}")]
    Bind {
        kind: TransportKind,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot send {len} bytes over {kind} to {to}: {reason}")]
    Send {
        kind: TransportKind,
        to: SocketAddr,
        len: usize,
        reason: String,
    },
    #[error("connection limit reached for {peer}: {limit} ({what})")]
    Limit {
        peer: SocketAddr,
        limit: usize,
        what: &'static str,
    },
    #[error("TLS setup: {0}")]
    Tls(String),
    #[error("certificate file {path}: {reason}")]
    CertFile { path: String, reason: String },
}
