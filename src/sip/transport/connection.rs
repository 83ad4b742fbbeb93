//! The stream side shared by TCP and TLS: [`Connections`], the registry of open connections by
//! (transport, peer address) with the limits that keep a flood from exhausting the process
//! (connections per peer IP, total), and [`serve`], the loop that drives one connection:
//! bytes in through `framing::Framer` (one [`Inbound`] per whole message; a double-CRLF
//! keep-alive is answered with a CRLF, RFC 5626 4.4.1), queued bytes out, closed on EOF, on a
//! framing error (the stream is out of sync, RFC 3261 18.3; the write side stays open for a
//! short grace period so answers to the messages before the error still go out), after the idle timeout, or on
//! shutdown. Responses find the connection their request came on through the registry
//! (RFC 3261 18.2.2). Does not own sockets' creation (`tcp`, `tls`) or SIP parsing.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

use super::{Inbound, InboundSink, PeerCertificate, TransportError, TransportKind};
use crate::sip::framing::{Frame, Framer, Limits};

/// A send to `to` that failed on a stream connection (TCP or TLS), with the reason.
pub(crate) fn send_err(
    kind: TransportKind,
    to: SocketAddr,
    len: usize,
    reason: impl ToString,
) -> TransportError {
    TransportError::Send {
        kind,
        to,
        len,
        reason: reason.to_string(),
    }
}

/// How long a connection whose input could not be framed stays open for writing.
const ERROR_GRACE: Duration = Duration::from_secs(2);

/// Limits for stream connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections from/to one IP address (all ports, TCP and TLS together).
    pub per_ip: usize,
    /// Open connections in total.
    pub total: usize,
    /// A connection with no traffic for this long is closed.
    pub idle_timeout: Duration,
    /// Framing limits per message.
    pub framing: Limits,
    /// Messages queued for sending on one connection before sends fail.
    pub write_queue: usize,
    /// TLS handshake and outbound connect deadline.
    pub handshake_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            per_ip: 32,
            total: 1024,
            idle_timeout: Duration::from_secs(300),
            framing: Limits::default(),
            write_queue: 256,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

impl ConnectionLimits {
    /// The defaults with other counts (`--max-connections`, `--max-connections-per-address`);
    /// an error names the bad value when one address may hold more than the total or a count
    /// is 0.
    pub fn with_counts(total: usize, per_ip: usize) -> Result<ConnectionLimits, String> {
        if total == 0 || per_ip == 0 {
            return Err(format!(
                "connection limits {total} in all, {per_ip} per address: expected at least 1"
            ));
        }
        if per_ip > total {
            return Err(format!(
                "{per_ip} connections per address is more than {total} in all; expected at most {total}"
            ));
        }
        Ok(ConnectionLimits {
            per_ip,
            total,
            ..ConnectionLimits::default()
        })
    }
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: mpsc::Sender<Vec<u8>>,
}

#[derive(Debug, Default)]
struct Inner {
    by_peer: HashMap<(TransportKind, SocketAddr), Conn>,
    per_ip: HashMap<IpAddr, usize>,
    total: usize,
    next_id: u64,
}

/// Open stream connections by (transport, peer). Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Connections {
    inner: Arc<Mutex<Inner>>,
    limits: ConnectionLimits,
}

/// A registered connection; dropping it frees the slot.
#[derive(Debug)]
pub struct Registration {
    connections: Connections,
    kind: TransportKind,
    peer: SocketAddr,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut inner = self.connections.lock();
        if inner
            .by_peer
            .get(&(self.kind, self.peer))
            .is_some_and(|c| c.id == self.id)
        {
            inner.by_peer.remove(&(self.kind, self.peer));
        }
        inner.total = inner.total.saturating_sub(1);
        let ip = self.peer.ip();
        if let Some(n) = inner.per_ip.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                inner.per_ip.remove(&ip);
            }
        }
    }
}

/// Why bytes could not be queued on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueError {
    /// No open connection to that peer.
    NotConnected,
    /// The connection's write queue is full (the peer does not read).
    Full,
}

impl Connections {
    pub fn new(limits: ConnectionLimits) -> Connections {
        Connections {
            inner: Arc::new(Mutex::new(Inner::default())),
            limits,
        }
    }

    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a slot for a connection with `peer`, or refuses it with the limit it hits.
    pub fn register(
        &self,
        kind: TransportKind,
        peer: SocketAddr,
    ) -> Result<(Registration, mpsc::Receiver<Vec<u8>>), TransportError> {
        let mut inner = self.lock();
        if inner.total >= self.limits.total {
            return Err(TransportError::Limit {
                peer,
                limit: self.limits.total,
                what: "connections in total",
            });
        }
        let ip_count = inner.per_ip.get(&peer.ip()).copied().unwrap_or(0);
        if ip_count >= self.limits.per_ip {
            return Err(TransportError::Limit {
                peer,
                limit: self.limits.per_ip,
                what: "connections per peer IP address",
            });
        }
        inner.total += 1;
        *inner.per_ip.entry(peer.ip()).or_insert(0) += 1;
        inner.next_id += 1;
        let id = inner.next_id;
        let (tx, rx) = mpsc::channel(self.limits.write_queue.max(1));
        inner.by_peer.insert((kind, peer), Conn { id, tx });
        drop(inner);
        Ok((
            Registration {
                connections: self.clone(),
                kind,
                peer,
                id,
            },
            rx,
        ))
    }

    /// Queues `bytes` on the open connection with `peer`; on failure the bytes come back.
    pub fn queue(
        &self,
        kind: TransportKind,
        peer: SocketAddr,
        bytes: Vec<u8>,
    ) -> Result<(), (QueueError, Vec<u8>)> {
        let inner = self.lock();
        let Some(conn) = inner.by_peer.get(&(kind, peer)) else {
            return Err((QueueError::NotConnected, bytes));
        };
        conn.tx.try_send(bytes).map_err(|e| match e {
            mpsc::error::TrySendError::Full(b) => (QueueError::Full, b),
            mpsc::error::TrySendError::Closed(b) => (QueueError::NotConnected, b),
        })
    }

    /// Queues `bytes` on the open connection with `to`, for a transport's `try_send`:
    /// `Ok(Err(..))` when the write queue is full, `Err(bytes)` when there is no connection
    /// (the caller connects first).
    pub fn try_send(
        &self,
        kind: TransportKind,
        to: SocketAddr,
        bytes: Vec<u8>,
    ) -> Result<Result<(), TransportError>, Vec<u8>> {
        let len = bytes.len();
        match self.queue(kind, to, bytes) {
            Ok(()) => Ok(Ok(())),
            Err((QueueError::Full, _)) => Ok(Err(send_err(kind, to, len, "write queue full"))),
            Err((QueueError::NotConnected, bytes)) => Err(bytes),
        }
    }

    /// Open connections (all kinds).
    pub fn count(&self) -> usize {
        self.lock().total
    }

    /// Whether a connection with `peer` is open.
    pub fn is_connected(&self, kind: TransportKind, peer: SocketAddr) -> bool {
        self.lock().by_peer.contains_key(&(kind, peer))
    }
}

/// Everything [`serve`] needs besides the stream.
pub struct ConnectionContext {
    pub registration: Registration,
    pub outgoing: mpsc::Receiver<Vec<u8>>,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub kind: TransportKind,
    pub inbound: InboundSink,
    pub limits: ConnectionLimits,
    pub shutdown: watch::Receiver<bool>,
    /// Over TLS: the peer's certificate, handed up with every message.
    pub peer_certificate: Option<PeerCertificate>,
}

/// What a stream transport (TCP or TLS) shares between its accept loop and its senders: the
/// address it stands for, the connection table, where framed messages go, the shutdown signal.
#[derive(Clone, Debug)]
pub struct StreamShared {
    pub kind: TransportKind,
    pub local: SocketAddr,
    pub connections: Connections,
    pub inbound: InboundSink,
    pub shutdown: watch::Receiver<bool>,
}

impl StreamShared {
    /// The context `serve` drives a newly registered connection with.
    pub fn context(
        &self,
        registration: Registration,
        outgoing: mpsc::Receiver<Vec<u8>>,
        peer: SocketAddr,
    ) -> ConnectionContext {
        ConnectionContext {
            registration,
            outgoing,
            peer,
            local: self.local,
            kind: self.kind,
            inbound: self.inbound.clone(),
            limits: self.connections.limits(),
            shutdown: self.shutdown.clone(),
            peer_certificate: None,
        }
    }

    /// Queues `bytes` on the open connection with `to`; `Err(bytes)` when there is none.
    pub fn try_send(
        &self,
        to: SocketAddr,
        bytes: Vec<u8>,
    ) -> Result<Result<(), TransportError>, Vec<u8>> {
        self.connections.try_send(self.kind, to, bytes)
    }

    /// Queues `bytes` (`len` of them) on the connection with `to` just opened by a sender.
    pub fn queue_on_new(
        &self,
        to: SocketAddr,
        bytes: Vec<u8>,
        len: usize,
    ) -> Result<(), TransportError> {
        self.connections
            .queue(self.kind, to, bytes)
            .map_err(|(e, _)| send_err(self.kind, to, len, format!("{e:?}")))
    }
}

/// Drives one connection until EOF, error, idle timeout or shutdown; then frees its slot.
pub async fn serve<S>(stream: S, ctx: ConnectionContext)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let ConnectionContext {
        registration,
        mut outgoing,
        peer,
        local,
        kind,
        inbound,
        limits,
        mut shutdown,
        peer_certificate,
    } = ctx;
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut framer = Framer::new(limits.framing);
    let mut buf = vec![0u8; 16 * 1024];
    let idle = tokio::time::sleep(limits.idle_timeout);
    tokio::pin!(idle);
    let mut reading = true;
    'conn: loop {
        tokio::select! {
            read = rd.read(&mut buf), if reading => {
                let n = match read {
                    Ok(0) | Err(_) => break 'conn,
                    Ok(n) => n,
                };
                idle.as_mut().reset(tokio::time::Instant::now() + limits.idle_timeout);
                framer.push(buf.get(..n).unwrap_or_default());
                loop {
                    match framer.next_frame() {
                        Ok(Some(Frame::Message(bytes))) => {
                            let msg = Inbound { bytes, peer, kind, local, peer_certificate: peer_certificate.clone() };
                            if inbound.send(msg).await.is_err() {
                                break 'conn;
                            }
                        }
                        Ok(Some(Frame::Ping)) => {
                            if wr.write_all(b"\r\n").await.is_err() {
                                break 'conn;
                            }
                        }
                        Ok(Some(Frame::Pong)) => {}
                        Ok(None) => break,
                        // Out of sync: nothing after this can be framed (RFC 3261 18.3).
                        // Stop reading; keep writing a little longer so the answers to the
                        // messages framed before the error still go out.
                        Err(_) => {
                            reading = false;
                            let grace = limits.idle_timeout.min(ERROR_GRACE);
                            idle.as_mut().reset(tokio::time::Instant::now() + grace);
                            break;
                        }
                    }
                }
            }
            out = outgoing.recv() => {
                let Some(bytes) = out else { break 'conn };
                if reading {
                    idle.as_mut().reset(tokio::time::Instant::now() + limits.idle_timeout);
                }
                if wr.write_all(&bytes).await.is_err() {
                    break 'conn;
                }
            }
            () = &mut idle => break 'conn,
            _ = shutdown.changed() => break 'conn,
        }
    }
    let _ = wr.shutdown().await;
    drop(registration);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn connection_counts_are_checked() {
        let l = ConnectionLimits::with_counts(10_000, 64).unwrap();
        assert_eq!((l.total, l.per_ip), (10_000, 64));
        assert_eq!(l.idle_timeout, ConnectionLimits::default().idle_timeout);
        let e = ConnectionLimits::with_counts(10, 20).unwrap_err();
        assert!(e.contains("20") && e.contains("expected at most 10"), "{e}");
        assert!(ConnectionLimits::with_counts(0, 0).is_err());
    }

    #[test]
    fn limits_per_ip_and_total_are_enforced_and_freed() {
        let c = Connections::new(ConnectionLimits {
            per_ip: 2,
            total: 3,
            ..ConnectionLimits::default()
        });
        let a1: SocketAddr = "127.0.0.1:1000".parse().unwrap();
        let a2: SocketAddr = "127.0.0.1:1001".parse().unwrap();
        let a3: SocketAddr = "127.0.0.1:1002".parse().unwrap();
        let b1: SocketAddr = "127.0.0.2:1000".parse().unwrap();
        let c1: SocketAddr = "127.0.0.3:1000".parse().unwrap();
        let r1 = c.register(TransportKind::Tcp, a1).unwrap();
        let _r2 = c.register(TransportKind::Tls, a2).unwrap();
        let err = c.register(TransportKind::Tcp, a3).unwrap_err();
        assert!(err.to_string().contains("per peer IP"), "{err}");
        let _r3 = c.register(TransportKind::Tcp, b1).unwrap();
        let err = c.register(TransportKind::Tcp, c1).unwrap_err();
        assert!(err.to_string().contains("in total"), "{err}");
        assert_eq!(c.count(), 3);
        assert!(c.is_connected(TransportKind::Tcp, a1));
        assert_eq!(c.queue(TransportKind::Tcp, a1, b"x".to_vec()), Ok(()));
        assert_eq!(
            c.queue(TransportKind::Tls, a1, b"x".to_vec()),
            Err((QueueError::NotConnected, b"x".to_vec()))
        );
        drop(r1);
        assert_eq!(c.count(), 2);
        assert!(!c.is_connected(TransportKind::Tcp, a1));
        c.register(TransportKind::Tcp, a3).unwrap();
    }
}
