//! SIP over TCP: the listener (accept loop, each connection registered in [`Connections`] and
//! driven by `connection::serve`) and sending to a peer over its open connection, connecting
//! first when there is none (RFC 3261 18.2.2: a response whose connection is gone goes to the
//! same address on a new connection; 18.1.1 for requests).

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::connection::{send_err, serve, Connections, StreamShared};
use super::{InboundSink, TransportError, TransportKind};

/// The TCP listener's handle for sending.
#[derive(Clone, Debug)]
pub struct TcpTransport {
    shared: StreamShared,
}

/// Connects to `to` from the listener's own address (port chosen by the system), so the peer
/// sees the address this endpoint stands for (a UM IP gateway is recognised by it), not
/// whatever source the routing table would pick; from any address when the listener is bound
/// to the unspecified one.
pub(crate) async fn connect_from(local: SocketAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    if local.ip().is_unspecified() || local.is_ipv4() != to.is_ipv4() {
        return TcpStream::connect(to).await;
    }
    let socket = if local.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.bind(SocketAddr::new(local.ip(), 0))?;
    socket.connect(to).await
}

impl TcpTransport {
    /// Binds `addr` (port 0 picks one) and starts accepting.
    pub async fn bind(
        addr: SocketAddr,
        connections: Connections,
        inbound: InboundSink,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(TcpTransport, JoinHandle<()>), TransportError> {
        let bind_err = |source| TransportError::Bind {
            kind: TransportKind::Tcp,
            addr,
            source,
        };
        let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
        TcpTransport::start(listener, connections, inbound, shutdown)
    }

    /// Starts accepting on a listener bound already (kept as it is: never re-bound).
    pub fn start(
        listener: TcpListener,
        connections: Connections,
        inbound: InboundSink,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(TcpTransport, JoinHandle<()>), TransportError> {
        let local = listener
            .local_addr()
            .map_err(|source| TransportError::Bind {
                kind: TransportKind::Tcp,
                addr: SocketAddr::from(([0, 0, 0, 0], 0)),
                source,
            })?;
        let transport = TcpTransport {
            shared: StreamShared {
                kind: TransportKind::Tcp,
                local,
                connections,
                inbound,
                shutdown,
            },
        };
        let acceptor = transport.clone();
        let task = tokio::spawn(async move { acceptor.accept_loop(listener).await });
        Ok((transport, task))
    }

    async fn accept_loop(self, listener: TcpListener) {
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    // Over the limit: the stream is dropped (closed) at once.
                    if let Ok((registration, outgoing)) = self.shared.connections.register(TransportKind::Tcp, peer) {
                        let _ = stream.set_nodelay(true);
                        let ctx = self.shared.context(registration, outgoing, peer);
                        tokio::spawn(serve(stream, ctx));
                    }
                }
                _ = shutdown.changed() => break,
            }
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Queues `bytes` on the connection with `to`, without connecting. `Err(bytes)` when
    /// there is none (call [`TcpTransport::send`]).
    pub fn try_send(
        &self,
        to: SocketAddr,
        bytes: Vec<u8>,
    ) -> Result<Result<(), TransportError>, Vec<u8>> {
        self.shared.try_send(to, bytes)
    }

    /// Sends over the open connection with `to`, connecting first if needed.
    pub async fn send(&self, to: SocketAddr, bytes: Vec<u8>) -> Result<(), TransportError> {
        let bytes = match self.try_send(to, bytes) {
            Ok(result) => return result,
            Err(bytes) => bytes,
        };
        let len = bytes.len();
        let limits = self.shared.connections.limits();
        let (registration, outgoing) = self.shared.connections.register(TransportKind::Tcp, to)?;
        let stream = tokio::time::timeout(
            limits.handshake_timeout,
            connect_from(self.shared.local, to),
        )
        .await
        .map_err(|_| send_err(TransportKind::Tcp, to, len, "connect timed out"))?
        .map_err(|e| send_err(TransportKind::Tcp, to, len, e))?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(
            stream,
            self.shared.context(registration, outgoing, to),
        ));
        self.shared.queue_on_new(to, bytes, len)
    }
}
