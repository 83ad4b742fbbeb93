//! SIP over UDP: one socket, a receive loop that delivers each datagram as [`Inbound`] (the
//! endpoint applies `framing::check_datagram`), and `send` to any peer. Datagrams larger than
//! 65 535 bytes cannot exist; RFC 3261 18.1.1's switch to TCP for large requests is the
//! sender's business, not this module's.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Inbound, InboundSink, TransportError, TransportKind};

/// The receive buffer asked for (bytes).
const RECV_BUFFER: usize = 4 << 20;

/// The UDP socket, shared by the receive loop and senders.
#[derive(Clone, Debug)]
pub struct UdpTransport {
    socket: Arc<UdpSocket>,
    local: SocketAddr,
}

impl UdpTransport {
    /// Binds `addr` (port 0 picks one) and starts the receive loop.
    pub async fn bind(
        addr: SocketAddr,
        inbound: InboundSink,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(UdpTransport, JoinHandle<()>), TransportError> {
        let bind_err = |source| TransportError::Bind {
            kind: TransportKind::Udp,
            addr,
            source,
        };
        let socket = UdpSocket::bind(addr).await.map_err(bind_err)?;
        UdpTransport::start(socket, inbound, shutdown)
    }

    /// Starts the receive loop on a socket bound already (kept as it is: never re-bound).
    pub fn start(
        socket: UdpSocket,
        inbound: InboundSink,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(UdpTransport, JoinHandle<()>), TransportError> {
        let socket = Arc::new(socket);
        let local = socket.local_addr().map_err(|source| TransportError::Bind {
            kind: TransportKind::Udp,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            source,
        })?;
        // A burst of datagrams waits in the kernel while the endpoint is busy: room for a few
        // thousand requests instead of the default ~200 KB (the kernel caps it at rmem_max).
        let _ = socket2::SockRef::from(socket.as_ref()).set_recv_buffer_size(RECV_BUFFER);
        let rx = socket.clone();
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            loop {
                tokio::select! {
                    got = rx.recv_from(&mut buf) => match got {
                        Ok((n, peer)) => {
                            let bytes = buf.get(..n).unwrap_or_default().to_vec();
                            let msg = Inbound { bytes, peer, kind: TransportKind::Udp, local, peer_certificate: None };
                            if inbound.send(msg).await.is_err() {
                                break;
                            }
                        }
                        // ICMP port unreachable surfaces here on some systems: keep going.
                        Err(_) => continue,
                    },
                    _ = shutdown.changed() => break,
                }
            }
        });
        Ok((UdpTransport { socket, local }, task))
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub async fn send(&self, to: SocketAddr, bytes: &[u8]) -> Result<(), TransportError> {
        self.socket
            .send_to(bytes, to)
            .await
            .map(|_| ())
            .map_err(|e| TransportError::Send {
                kind: TransportKind::Udp,
                to,
                len: bytes.len(),
                reason: e.to_string(),
            })
    }
}
