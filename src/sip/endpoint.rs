//! The SIP endpoint: the tokio shell around the sans-IO layers. Owns binding the listeners
//! (UDP and TCP on one address, TLS on another; port 0 picks free ports, [`Endpoint::addrs`]
//! says which), the receive pipeline (datagram check or stream framing, `message::parse_any`,
//! `message::validate`), stateless answers to what cannot become a transaction (400/513 for
//! malformed requests, 501/416/505 for [`crate::sip::ForeignRequest`]s), the loops that feed
//! the [`TransactionLayer`]s and sleep until their `poll_timeout`, UAS dialogs (481 for an
//! in-dialog request without one, 500 for CSeq out of order), the default answers (OPTIONS 200
//! for health probes, BYE 200, 501 otherwise), client requests ([`EndpointHandle::request`],
//! for NOTIFY and REFER later), one [`LogRecord`] per finished transaction, and shutdown on a
//! `watch` signal. It does not decide what a call means: that is the [`CallHandler`] (the
//! hickory split: the server knows sockets, the handler knows the business).
//!
//! The work is split into shards ([`EndpointConfig::shards`], by default one per worker
//! thread of the runtime), each a loop with its own transaction layer, dialogs and client
//! transactions: the transports hand every message to the shard of its Call-ID
//! ([`super::shard`]) and [`EndpointHandle`] sends a request from the shard of its Call-ID,
//! so a dialog, its transactions, a CANCEL and the INVITE it cancels all meet on one shard,
//! and the cores of the machine share the calls. The sockets and connections are shared.
//!
//! The handler runs on tokio's blocking pool (it may read a directory), one call per request;
//! its answer comes back to the loop as an event. A panicking handler gets its caller a 500.
//! Past [`Overload::max_pending`] requests waiting (received and not yet taken by a loop, or
//! with the handler; the sum over the shards), a new INVITE gets 503 with Retry-After before
//! it is parsed, statelessly ([`super::overload`] decides).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsip::prelude::UntypedHeader;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::dialog::{DialogKey, Dialogs};
use super::framing::{check_datagram, Datagram};
use super::ids::IdGenerator;
use super::message::{find_header, parse_any, response_bytes, response_from_headers, validate};
use super::normalize::compact_to_long;
use super::overload::{self, Admission, Backlog, Overload};
use super::transaction::{
    key, Action, Outcome, Role, Timer, Timers, TransactionKey, TransactionLayer, TransactionRecord,
    TuEvent,
};
use super::transport::tcp::TcpTransport;
use super::transport::tls::TlsTransport;
use super::transport::udp::UdpTransport;
use super::transport::{
    ConnectionLimits, Connections, Inbound, InboundSink, PeerCertificate, TransportError,
    TransportKind,
};
use super::wire::{phrase, warning};
use super::{Parsed, SipError};

/// The methods the endpoint answers (Allow header).
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER";

/// Where and how to listen.
#[derive(Clone)]
pub struct EndpointConfig {
    /// UDP and TCP listen here (`None`: neither). Port 0 picks a free port (the same one for
    /// both is not guaranteed).
    pub bind: Option<SocketAddr>,
    /// Listen on UDP at `bind`.
    pub udp: bool,
    /// Listen on TCP at `bind`.
    pub tcp: bool,
    /// TLS listener.
    pub tls: Option<TlsListen>,
    pub timers: Timers,
    pub limits: ConnectionLimits,
    /// When new INVITEs are shed with 503.
    pub overload: Overload,
    /// Product token for the Server header of responses the endpoint writes itself.
    pub server: String,
    /// Log each finished transaction (and each stateless rejection) as a `tracing` event;
    /// off for an endpoint whose owner logs its requests itself (MWI, the live trace).
    pub log_transactions: bool,
    /// How many loops (shards) share the endpoint's work, each keeping the transactions and
    /// dialogs of the Call-IDs that hash to it (`sip::shard`); 0: one per worker thread of
    /// the tokio runtime the endpoint starts on.
    pub shards: usize,
}

impl Default for EndpointConfig {
    fn default() -> EndpointConfig {
        EndpointConfig {
            bind: None,
            udp: true,
            tcp: true,
            tls: None,
            timers: Timers::default(),
            limits: ConnectionLimits::default(),
            overload: Overload::default(),
            server: format!("umctl/{}", env!("CARGO_PKG_VERSION")),
            log_transactions: true,
            shards: 0,
        }
    }
}

/// The UDP socket and TCP listener of an endpoint, bound (tokio's, inside the runtime).
#[derive(Debug, Default)]
pub struct Listeners {
    pub udp: Option<tokio::net::UdpSocket>,
    pub tcp: Option<tokio::net::TcpListener>,
}

impl Listeners {
    /// Binds what `config` asks for at `config.bind` (port 0 picks one for each).
    async fn bind(config: &EndpointConfig) -> Result<Listeners, TransportError> {
        let mut out = Listeners::default();
        let Some(addr) = config.bind else {
            return Ok(out);
        };
        let err = |kind| move |source| TransportError::Bind { kind, addr, source };
        if config.udp {
            let udp = tokio::net::UdpSocket::bind(addr).await;
            out.udp = Some(udp.map_err(err(TransportKind::Udp))?);
        }
        if config.tcp {
            let tcp = tokio::net::TcpListener::bind(addr).await;
            out.tcp = Some(tcp.map_err(err(TransportKind::Tcp))?);
        }
        Ok(out)
    }
}

/// The TLS listener's address and rustls configurations (see `transport::tls`).
#[derive(Clone)]
pub struct TlsListen {
    pub bind: SocketAddr,
    pub server: Arc<rustls::ServerConfig>,
    /// For new outbound TLS connections; `None`: only inbound connections are used.
    pub client: Option<Arc<rustls::ClientConfig>>,
}

/// The addresses actually bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoundAddrs {
    pub udp: Option<SocketAddr>,
    pub tcp: Option<SocketAddr>,
    pub tls: Option<SocketAddr>,
}

/// What the handler knows about a request besides the request itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    pub peer: SocketAddr,
    pub transport: TransportKind,
    pub local: SocketAddr,
    /// The To tag to put in responses (the request's own for in-dialog requests, a fresh one
    /// otherwise). The endpoint adds it to a final response that has none.
    pub to_tag: String,
    /// The dialog an in-dialog request belongs to.
    pub dialog: Option<DialogKey>,
    /// Over TLS: the certificate the peer presented on the connection (mutual TLS).
    pub peer_certificate: Option<PeerCertificate>,
}

/// The handler's answer: provisional responses to send first, then the final one. `None` as
/// final means "not mine": the endpoint answers (OPTIONS 200, BYE 200, else 501).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandlerResponse {
    pub provisional: Vec<rsip::Response>,
    pub final_response: Option<rsip::Response>,
}

impl HandlerResponse {
    pub fn not_handled() -> HandlerResponse {
        HandlerResponse::default()
    }

    pub fn respond(response: rsip::Response) -> HandlerResponse {
        HandlerResponse {
            provisional: Vec::new(),
            final_response: Some(response),
        }
    }
}

/// The business side (UM's call router and call handling). Object-safe and synchronous; it
/// runs on the blocking pool.
pub trait CallHandler: Send + Sync + 'static {
    /// Any request but ACK and CANCEL.
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse;

    /// The answer [`CallHandler::handle_request`] would give, when the handler has it at hand
    /// without blocking (a cached decision, a request it does not handle); `None` sends the
    /// request to `handle_request` on the blocking pool. Runs on the endpoint's loop.
    fn answer_now(
        &self,
        _request: &rsip::Request,
        _ctx: &RequestContext,
    ) -> Option<HandlerResponse> {
        None
    }

    /// An ACK for a 2xx in a known dialog (the call is up). Runs on the endpoint's loop: do
    /// not block.
    fn on_ack(&self, _ack: &rsip::Request, _ctx: &RequestContext) {}

    /// A CANCEL ended the INVITE of `call_id` with 487 before the handler answered.
    fn on_cancelled(&self, _call_id: &str) {}

    /// Whether an in-dialog request belongs to a dialog the handler keeps itself (a UAC's
    /// call: the endpoint tracks only UAS dialogs and would answer 481).
    fn owns_dialog(&self, _request: &rsip::Request) -> bool {
        false
    }
}

/// One line of the endpoint's structured log: a finished transaction or a stateless answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub role: Role,
    pub method: String,
    pub call_id: String,
    pub peer: SocketAddr,
    pub transport: TransportKind,
    pub status: Option<u16>,
    /// `completed`, `timed_out`, `transport_error`, or `rejected` (stateless 4xx/5xx).
    pub outcome: String,
    pub duration_ms: u64,
    pub branch: Option<String>,
    /// Why a message was rejected.
    pub detail: Option<String>,
}

impl LogRecord {
    fn from_record(r: &TransactionRecord) -> LogRecord {
        let outcome = match r.outcome {
            Outcome::Completed => "completed",
            Outcome::TimedOut => "timed_out",
            Outcome::TransportError => "transport_error",
        };
        LogRecord {
            role: r.role,
            method: r.method.clone(),
            call_id: r.call_id.clone(),
            peer: r.peer,
            transport: r.transport,
            status: r.status,
            outcome: outcome.to_string(),
            duration_ms: u64::try_from(r.duration().as_millis()).unwrap_or(u64::MAX),
            branch: r.key.branch().map(str::to_string),
            detail: None,
        }
    }

    /// The record as one `tracing` event (INFO, target `umctl::sip::transaction`), its
    /// fields named as in serve's JSON log; the span around it adds server and component.
    pub fn emit(&self) {
        let role = match self.role {
            Role::Server => "server",
            Role::Client => "client",
        };
        tracing::info!(
            target: "umctl::sip::transaction",
            role,
            method = %self.method,
            call_id = %self.call_id,
            peer = %self.peer,
            transport = self.transport.as_str(),
            status = self.status,
            outcome = %self.outcome,
            duration_ms = self.duration_ms,
            branch = self.branch.as_deref(),
            detail = self.detail.as_deref(),
            "SIP transaction"
        );
    }
}

/// The span the handler's work for one request runs in: its Call-ID, method and branch.
fn transaction_span(request: &rsip::Request, key: &TransactionKey) -> tracing::Span {
    tracing::info_span!(
        "transaction",
        call_id = %key::call_id(&request.headers).unwrap_or_default(),
        method = %request.method,
        branch = key.branch(),
    )
}

/// Why a client request got no final response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("no final response before Timer {0:?} (64*T1) ran out")]
    TimedOut(Timer),
    #[error("the transport could not deliver the request")]
    Transport,
    #[error("the request cannot start a transaction: {0}")]
    Rejected(String),
    #[error("the endpoint has shut down")]
    Shutdown,
}

enum Command {
    Request {
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
        reply: oneshot::Sender<Result<rsip::Response, ClientError>>,
        /// Where provisional responses (1xx) go, for a caller that shows them.
        provisional: Option<mpsc::UnboundedSender<rsip::Response>>,
    },
    /// A message outside any transaction (the ACK for a 2xx, RFC 3261 13.2.2.4).
    Send {
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
    },
}

/// Sends requests through a running endpoint (to the shard of the request's Call-ID, where
/// its responses arrive). Cheap to clone.
#[derive(Clone, Debug)]
pub struct EndpointHandle {
    commands: Arc<[mpsc::Sender<Command>]>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Request { request, to, .. } => {
                write!(f, "Request({} to {to})", request.method)
            }
            Command::Send { request, to, .. } => write!(f, "Send({} to {to})", request.method),
        }
    }
}

impl EndpointHandle {
    /// Queues `cmd` for the shard that owns the Call-ID of its request.
    async fn send(&self, cmd: Command) -> Result<(), ClientError> {
        let request = match &cmd {
            Command::Request { request, .. } | Command::Send { request, .. } => request,
        };
        let call_id = key::call_id(&request.headers).unwrap_or_default();
        let shard = super::shard::shard_of_call_id(&call_id, self.commands.len());
        let queue = self.commands.get(shard).ok_or(ClientError::Shutdown)?;
        queue.send(cmd).await.map_err(|_| ClientError::Shutdown)
    }

    /// Sends `request` (its top Via needs a `z9hG4bK` branch: see `IdGenerator::branch`) in a
    /// client transaction and waits for the final response. For INVITE a 2xx must be ACKed
    /// by the caller.
    pub async fn request(
        &self,
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
    ) -> Result<rsip::Response, ClientError> {
        self.request_with(request, to, transport, None).await
    }

    /// [`EndpointHandle::request`], with the provisional responses (180 Ringing, ...) sent to
    /// `provisional` as they arrive (a UAC that shows the whole exchange, like trace-call).
    pub async fn request_with(
        &self,
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
        provisional: Option<mpsc::UnboundedSender<rsip::Response>>,
    ) -> Result<rsip::Response, ClientError> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::Request {
            request,
            to,
            transport,
            reply,
            provisional,
        })
        .await?;
        rx.await.map_err(|_| ClientError::Shutdown)?
    }

    /// Sends `request` once, outside any transaction: the ACK for a 2xx (RFC 3261 13.2.2.4),
    /// which the UAC core sends itself. Over TCP/TLS it goes on the open connection with `to`.
    pub async fn send_stateless(
        &self,
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
    ) -> Result<(), ClientError> {
        self.send(Command::Send {
            request,
            to,
            transport,
        })
        .await
    }
}

/// A running endpoint.
pub struct Endpoint {
    addrs: BoundAddrs,
    handle: EndpointHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl Endpoint {
    /// Binds the listeners and starts the loop; it stops when `shutdown` becomes true (or its
    /// sender is dropped).
    pub async fn start(
        config: EndpointConfig,
        handler: Arc<dyn CallHandler>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Endpoint, TransportError> {
        Endpoint::start_on(config, None, handler, shutdown).await
    }

    /// [`Endpoint::start`] on UDP and TCP `listeners` bound already (`None`: bind
    /// `config.bind`); they are kept, never released and bound again.
    pub async fn start_on(
        config: EndpointConfig,
        listeners: Option<Listeners>,
        handler: Arc<dyn CallHandler>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Endpoint, TransportError> {
        let shards = shard_count(config.shards);
        let (inbound_txs, inbound_rxs): (Vec<_>, Vec<_>) =
            (0..shards).map(|_| mpsc::channel::<Inbound>(1024)).unzip();
        let inbound_tx = InboundSink::new(inbound_txs);
        let connections = Connections::new(config.limits);
        let mut tasks = Vec::new();
        let mut addrs = BoundAddrs::default();
        let mut transports = Transports::default();
        let listeners = match listeners {
            Some(l) => l,
            None => Listeners::bind(&config).await?,
        };
        if let Some(socket) = listeners.udp {
            let (udp, task) = UdpTransport::start(socket, inbound_tx.clone(), shutdown.clone())?;
            addrs.udp = Some(udp.local_addr());
            transports.udp = Some(udp);
            tasks.push(task);
        }
        if let Some(listener) = listeners.tcp {
            let (tcp, task) = TcpTransport::start(
                listener,
                connections.clone(),
                inbound_tx.clone(),
                shutdown.clone(),
            )?;
            addrs.tcp = Some(tcp.local_addr());
            transports.tcp = Some(tcp);
            tasks.push(task);
        }
        if let Some(tls) = &config.tls {
            let (t, task) = TlsTransport::bind(
                tls.bind,
                tls.server.clone(),
                tls.client.clone(),
                connections.clone(),
                inbound_tx.clone(),
                shutdown.clone(),
            )
            .await?;
            addrs.tls = Some(t.local_addr());
            transports.tls = Some(t);
            tasks.push(task);
        }
        drop(inbound_tx);
        let transports = Arc::new(transports);
        let backlog = Backlog::new(shards);
        let mut commands = Vec::with_capacity(shards);
        for (shard, inbound) in inbound_rxs.into_iter().enumerate() {
            let (commands_tx, commands_rx) = mpsc::channel(256);
            let (events_tx, events_rx) = mpsc::channel(1024);
            let core = Core {
                layer: TransactionLayer::new(config.timers),
                dialogs: Dialogs::new(),
                ids: IdGenerator::new(),
                handler: handler.clone(),
                log_transactions: config.log_transactions,
                transports: transports.clone(),
                framing: config.limits.framing,
                server: config.server.clone(),
                overload: config.overload,
                shard,
                backlog: backlog.clone(),
                queued: 0,
                events: events_tx,
                pending: HashMap::new(),
                awaiting_ack: HashMap::new(),
                clients: HashMap::new(),
                watchers: HashMap::new(),
                inbound_certificate: None,
            };
            let shutdown = shutdown.clone();
            tasks.push(tokio::spawn(
                core.run(inbound, events_rx, commands_rx, shutdown)
                    .in_current_span(),
            ));
            commands.push(commands_tx);
        }
        Ok(Endpoint {
            addrs,
            handle: EndpointHandle {
                commands: commands.into(),
            },
            tasks,
        })
    }

    pub fn addrs(&self) -> BoundAddrs {
        self.addrs
    }

    pub fn handle(&self) -> EndpointHandle {
        self.handle.clone()
    }

    /// Waits until every task has stopped (after the shutdown signal).
    pub async fn wait(self) {
        drop(self.handle);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The number of shards for [`EndpointConfig::shards`] (0: the runtime's worker threads).
fn shard_count(configured: usize) -> usize {
    match configured {
        0 => tokio::runtime::Handle::current()
            .metrics()
            .num_workers()
            .max(1),
        n => n,
    }
}

#[derive(Default)]
struct Transports {
    udp: Option<UdpTransport>,
    tcp: Option<TcpTransport>,
    tls: Option<TlsTransport>,
}

/// The handler's answer to one request, back on the loop.
struct Handled {
    key: TransactionKey,
    request: rsip::Request,
    ctx: RequestContext,
    /// `None`: the handler panicked.
    answer: Option<HandlerResponse>,
}

/// Events the loop receives from tasks it spawned.
enum Event {
    Handled(Box<Handled>),
    SendFailed { key: TransactionKey },
}

struct Core {
    layer: TransactionLayer,
    dialogs: Dialogs,
    ids: IdGenerator,
    handler: Arc<dyn CallHandler>,
    /// Whether finished transactions are logged (see [`EndpointConfig::log_transactions`]).
    log_transactions: bool,
    transports: Arc<Transports>,
    framing: super::framing::Limits,
    server: String,
    overload: Overload,
    /// This loop's slot in the endpoint's [`Backlog`].
    shard: usize,
    /// The requests waiting at every shard of the endpoint (admission compares the sum).
    backlog: Backlog,
    /// Messages received and still waiting for this loop (when the current one was taken).
    queued: usize,
    events: mpsc::Sender<Event>,
    /// Requests with the handler: key -> Call-ID.
    pending: HashMap<TransactionKey, String>,
    /// INVITE answered 2xx, waiting for the ACK: INVITE key -> dialog.
    awaiting_ack: HashMap<TransactionKey, DialogKey>,
    /// Client transactions waiting for their final response.
    clients: HashMap<TransactionKey, oneshot::Sender<Result<rsip::Response, ClientError>>>,
    /// Client transactions whose provisional responses someone watches.
    watchers: HashMap<TransactionKey, mpsc::UnboundedSender<rsip::Response>>,
    /// The peer certificate of the message being handled (set for one `on_inbound`).
    inbound_certificate: Option<PeerCertificate>,
}

/// A far-future instant for "no timer".
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(3600)
}

/// Whether a message's header section ends with CRLF CRLF and holds no folded line (every
/// line after the start line begins with a header name), so reading it line by line sees
/// each field whole.
fn plain_header_lines(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = bytes.get(..end).unwrap_or_default();
    // Every LF ends a CRLF, and the line after it does not start with SP or HT.
    head.first() != Some(&b'\n')
        && head.windows(2).all(|w| match w {
            [a, b'\n'] => *a == b'\r',
            [b'\n', b] => !matches!(b, b' ' | b'\t'),
            _ => true,
        })
}

/// The headers a response needs (Via, From, To, Call-ID, CSeq), read line by line from a
/// request the parser refused, so it can still get its 400 (RFC 3261 18.3 / RFC 4475).
/// `None` for responses, ACKs, or when one of the five is missing.
fn salvage(bytes: &[u8]) -> Option<rsip::Headers> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let start = lines.next()?;
    let method = start.split(' ').next()?;
    if method.is_empty() || method.starts_with("SIP/") || method.eq_ignore_ascii_case("ACK") {
        return None;
    }
    let mut headers: Vec<rsip::Header> = Vec::new();
    let mut seen = [false; 5];
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        let long = compact_to_long(name).unwrap_or(name).to_ascii_lowercase();
        let value = value.trim().to_string();
        let (i, header) = match long.as_str() {
            "via" => (0, rsip::Header::Via(rsip::headers::Via::new(value))),
            "from" => (1, rsip::Header::From(rsip::headers::From::new(value))),
            "to" => (2, rsip::Header::To(rsip::headers::To::new(value))),
            "call-id" => (3, rsip::Header::CallId(rsip::headers::CallId::new(value))),
            "cseq" => (4, rsip::Header::CSeq(rsip::headers::CSeq::new(value))),
            _ => continue,
        };
        if let Some(s) = seen.get_mut(i) {
            *s = true;
        }
        headers.push(header);
    }
    seen.iter().all(|s| *s).then(|| headers.into())
}

/// The most queued messages a shard loop takes in one go (see `Core::take_inbound`): a few
/// hundred microseconds of work at most, so timers are late by no more than that.
const INBOUND_BATCH: usize = 32;

impl Core {
    async fn run(
        mut self,
        mut inbound: mpsc::Receiver<Inbound>,
        mut events: mpsc::Receiver<Event>,
        mut commands: mpsc::Receiver<Command>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let wake = self
                .layer
                .poll_timeout()
                .map_or_else(far_future, tokio::time::Instant::from_std);
            tokio::select! {
                msg = inbound.recv() => match msg {
                    Some(msg) => self.take_inbound(msg, &mut inbound).await,
                    None => break,
                },
                Some(event) = events.recv() => self.on_event(event).await,
                Some(cmd) = commands.recv() => self.on_command(cmd).await,
                () = tokio::time::sleep_until(wake) => {
                    let actions = self.layer.handle_timeout(Instant::now());
                    self.execute(actions).await;
                }
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        for (_, reply) in self.clients.drain() {
            let _ = reply.send(Err(ClientError::Shutdown));
        }
    }

    /// Handles `first` and then what else waits in the queue, up to [`INBOUND_BATCH`]
    /// messages, before the loop looks at its timers and other queues again: under load one
    /// wake-up (and one timer registration) serves many datagrams.
    async fn take_inbound(&mut self, first: Inbound, inbound: &mut mpsc::Receiver<Inbound>) {
        let mut msg = first;
        for taken in 1..=INBOUND_BATCH {
            self.queued = inbound.len();
            self.publish_backlog();
            self.on_inbound(msg).await;
            if taken == INBOUND_BATCH {
                break;
            }
            match inbound.try_recv() {
                Ok(next) => msg = next,
                Err(_) => break,
            }
        }
        self.queued = inbound.len();
        self.publish_backlog();
    }

    async fn on_inbound(&mut self, msg: Inbound) {
        let Inbound {
            bytes,
            peer,
            kind,
            local,
            peer_certificate,
        } = msg;
        self.inbound_certificate = peer_certificate;
        // The message within the datagram, borrowed (no copy per datagram).
        let bytes: &[u8] = if kind == TransportKind::Udp {
            match check_datagram(&bytes, &self.framing) {
                Ok(Datagram::KeepAlive) => return,
                Ok(Datagram::Message(m)) => m,
                Err(e) => return self.reject(&bytes, &e, peer, kind).await,
            }
        } else {
            &bytes
        };
        // A retransmission or the ACK of a final non-2xx: its transaction answers it by key,
        // before any parsing (under load most datagrams are these).
        let raw_key = TransactionKey::for_raw_request(bytes);
        let absorbed = raw_key
            .as_ref()
            .and_then(|(key, ack)| self.layer.absorb(key, *ack, Instant::now()));
        if let Some(actions) = absorbed {
            self.inbound_certificate = None;
            return self.execute_with_local(actions, local).await;
        }
        // Past capacity, a new INVITE is shed before it is parsed (see `shed_unparsed`): only
        // one whose raw key was read, so that a retransmission of an admitted call cannot
        // miss its transaction here (an RFC 2543 Via, a folded one: the parse finds it).
        let raw_invite = raw_key.is_some_and(|(key, ack)| !ack && key.method() == "INVITE");
        if raw_invite && self.shed_unparsed(bytes, peer, kind).await {
            self.inbound_certificate = None;
            return;
        }
        let parsed = match parse_any(bytes) {
            Ok(p) => p,
            Err(e) => return self.reject(bytes, &e, peer, kind).await,
        };
        let msg = match parsed {
            Parsed::Foreign(foreign) => {
                if foreign.method.eq_ignore_ascii_case("ACK") {
                    return;
                }
                let mut resp = response_from_headers(
                    &foreign.headers,
                    foreign.status,
                    phrase(foreign.status),
                    Some(&self.ids.tag()),
                );
                if foreign.status == 501 {
                    resp.headers
                        .push(rsip::Header::Allow(rsip::headers::Allow::new(ALLOW)));
                }
                resp.headers.push(warning(&foreign.why));
                return self
                    .stateless(
                        resp,
                        &foreign.method,
                        &foreign.headers,
                        peer,
                        kind,
                        &foreign.why,
                    )
                    .await;
            }
            Parsed::Sip(m) => m,
        };
        if let Err(e) = validate(&msg) {
            if let rsip::SipMessage::Request(req) = &msg {
                if req.method != rsip::Method::Ack {
                    let mut resp = response_from_headers(
                        &req.headers,
                        e.status(),
                        phrase(e.status()),
                        Some(&self.ids.tag()),
                    );
                    resp.headers.push(warning(&e.to_string()));
                    let method = req.method.to_string();
                    self.stateless(resp, &method, &req.headers, peer, kind, &e.to_string())
                        .await;
                }
            }
            return;
        }
        let actions = self.layer.handle_incoming(msg, peer, kind, Instant::now());
        self.execute_with_local(actions, local).await;
        self.inbound_certificate = None;
    }

    /// A message the parser refused: answer a request if its headers can be salvaged.
    async fn reject(
        &mut self,
        bytes: &[u8],
        err: &SipError,
        peer: SocketAddr,
        kind: TransportKind,
    ) {
        let Some(headers) = salvage(bytes) else {
            return;
        };
        let status = err.status();
        let mut resp =
            response_from_headers(&headers, status, phrase(status), Some(&self.ids.tag()));
        resp.headers.push(warning(&err.to_string()));
        let method = String::from_utf8_lossy(bytes)
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        self.stateless(resp, &method, &headers, peer, kind, &err.to_string())
            .await;
    }

    async fn stateless(
        &mut self,
        resp: rsip::Response,
        method: &str,
        headers: &rsip::Headers,
        peer: SocketAddr,
        kind: TransportKind,
        detail: &str,
    ) {
        let status = resp.status_code.code();
        let _ = self.transmit(response_bytes(&resp), peer, kind, None).await;
        if !self.log_transactions {
            return;
        }
        LogRecord {
            role: Role::Server,
            method: method.to_string(),
            call_id: find_header(headers, "Call-ID").unwrap_or_default(),
            peer,
            transport: kind,
            status: Some(status),
            outcome: "rejected".into(),
            duration_ms: 0,
            branch: None,
            detail: Some(detail.to_string()),
        }
        .emit();
    }

    async fn transmit(
        &mut self,
        bytes: Vec<u8>,
        to: SocketAddr,
        kind: TransportKind,
        key: Option<TransactionKey>,
    ) -> Vec<Action> {
        let failed = match kind {
            TransportKind::Udp => match &self.transports.udp {
                Some(udp) => udp.send(to, &bytes).await.is_err(),
                None => true,
            },
            TransportKind::Tcp | TransportKind::Tls => {
                let queued = match (kind, &self.transports.tcp, &self.transports.tls) {
                    (TransportKind::Tcp, Some(t), _) => t.try_send(to, bytes),
                    (TransportKind::Tls, _, Some(t)) => t.try_send(to, bytes),
                    _ => Ok(Err(TransportError::Tls("no listener".into()))),
                };
                match queued {
                    Ok(result) => result.is_err(),
                    // No connection: connect in the background, report failure as an event.
                    Err(bytes) => {
                        let transports = self.transports.clone();
                        let events = self.events.clone();
                        let key = key.clone();
                        tokio::spawn(async move {
                            let result = match kind {
                                TransportKind::Tls => match &transports.tls {
                                    Some(t) => t.send(to, bytes).await,
                                    None => Err(TransportError::Tls("no listener".into())),
                                },
                                _ => match &transports.tcp {
                                    Some(t) => t.send(to, bytes).await,
                                    None => Err(TransportError::Tls("no listener".into())),
                                },
                            };
                            if let (Err(_), Some(key)) = (result, key) {
                                let _ = events.send(Event::SendFailed { key }).await;
                            }
                        });
                        false
                    }
                }
            }
        };
        match (failed, key) {
            (true, Some(key)) => self.layer.transport_error(&key, Instant::now()),
            _ => Vec::new(),
        }
    }

    async fn execute(&mut self, actions: Vec<Action>) {
        let local = self
            .transports
            .udp
            .as_ref()
            .map(UdpTransport::local_addr)
            .or_else(|| self.transports.tcp.as_ref().map(TcpTransport::local_addr))
            .or_else(|| self.transports.tls.as_ref().map(TlsTransport::local_addr))
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        self.execute_with_local(actions, local).await;
    }

    /// Runs actions, and the actions they lead to, in order (a work queue, not recursion).
    async fn execute_with_local(&mut self, actions: Vec<Action>, local: SocketAddr) {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Transmit {
                    bytes,
                    to,
                    transport,
                    key,
                } => queue.extend(self.transmit(bytes, to, transport, key).await),
                Action::DeliverToTu(event) => queue.extend(self.deliver(event, local)),
                Action::TransactionTerminated(record) => {
                    // Only client transactions have someone waiting (and a server one's
                    // key is never in these maps: no lookup per call for nothing).
                    let waiting = match record.role {
                        Role::Client => {
                            self.watchers.remove(&record.key);
                            self.clients.remove(&record.key)
                        }
                        Role::Server => None,
                    };
                    if let Some(reply) = waiting {
                        let err = match record.outcome {
                            Outcome::TransportError => ClientError::Transport,
                            _ => ClientError::TimedOut(Timer::F),
                        };
                        let _ = reply.send(Err(err));
                    }
                    if self.log_transactions {
                        LogRecord::from_record(&record).emit();
                    }
                }
                Action::TimedOut { key, timer } => match timer {
                    Timer::AckFor2xx => {
                        // 13.3.1.4 says the UAS should now send BYE; the dialog is dropped.
                        if let Some(dialog) = self.awaiting_ack.remove(&key) {
                            self.dialogs.remove(&dialog);
                        }
                    }
                    Timer::B | Timer::F => {
                        if let Some(reply) = self.clients.remove(&key) {
                            let _ = reply.send(Err(ClientError::TimedOut(timer)));
                        }
                    }
                    Timer::H => {}
                },
            }
        }
    }

    fn deliver(&mut self, event: TuEvent, local: SocketAddr) -> Vec<Action> {
        match event {
            TuEvent::Request {
                key,
                request,
                from,
                transport,
            } => return self.dispatch(key, request, from, transport, local),
            TuEvent::Ack {
                request,
                from,
                transport,
                ..
            } => {
                let Some(dialog) = DialogKey::for_uas_request(&request) else {
                    return Vec::new();
                };
                self.awaiting_ack.retain(|_, d| *d != dialog);
                if self.dialogs.on_request(&request).is_ok() {
                    let ctx = RequestContext {
                        peer: from,
                        transport,
                        local,
                        to_tag: dialog.local_tag.clone(),
                        dialog: Some(dialog),
                        peer_certificate: self.inbound_certificate.clone(),
                    };
                    self.handler.on_ack(&request, &ctx);
                }
            }
            TuEvent::Cancelled { invite } => {
                if let Some(call_id) = self.pending.get(&invite) {
                    self.handler.on_cancelled(call_id);
                }
            }
            TuEvent::Response { key, response } => {
                if response.status_code.code() < 200 {
                    if let Some(watcher) = self.watchers.get(&key) {
                        let _ = watcher.send(response);
                    }
                } else {
                    self.watchers.remove(&key);
                    if let Some(reply) = self.clients.remove(&key) {
                        let _ = reply.send(Ok(response));
                    }
                }
            }
            TuEvent::StrayResponse { .. } => {}
        }
        Vec::new()
    }

    fn dispatch(
        &mut self,
        key: TransactionKey,
        request: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
        local: SocketAddr,
    ) -> Vec<Action> {
        let dialog = DialogKey::for_uas_request(&request);
        let initial_invite = request.method == rsip::Method::Invite && dialog.is_none();
        if let Admission::Shed { retry_after_secs } =
            overload::admit(initial_invite, self.backlog(), self.overload)
        {
            let resp = self.shed(&request.headers, &self.ids.tag(), retry_after_secs);
            return self.answer(&key, resp);
        }
        if dialog.is_some() && !self.handler.owns_dialog(&request) {
            if let Err(e) = self.dialogs.on_request(&request) {
                let mut resp =
                    super::message::response_to(&request, e.status(), phrase(e.status()), None);
                resp.headers.push(warning(&e.to_string()));
                return self.answer(&key, resp);
            }
        }
        let to_tag = dialog
            .as_ref()
            .map_or_else(|| self.ids.tag(), |d| d.local_tag.clone());
        let ctx = RequestContext {
            peer: from,
            transport,
            local,
            to_tag,
            dialog,
            peer_certificate: self.inbound_certificate.clone(),
        };
        if let Some(answer) = self.handler.answer_now(&request, &ctx) {
            return self.handled(key, &request, &ctx, Some(answer));
        }
        self.pending.insert(
            key.clone(),
            key::call_id(&request.headers).unwrap_or_default(),
        );
        let handler = self.handler.clone();
        let events = self.events.clone();
        let span = transaction_span(&request, &key);
        tokio::spawn(
            async move {
                let (req, c, inside) = (request.clone(), ctx.clone(), tracing::Span::current());
                let answer = tokio::task::spawn_blocking(move || {
                    inside.in_scope(|| handler.handle_request(&req, &c))
                })
                .await
                .ok();
                let _ = events
                    .send(Event::Handled(Box::new(Handled {
                        key,
                        request,
                        ctx,
                        answer,
                    })))
                    .await;
            }
            .instrument(span),
        );
        Vec::new()
    }

    /// Requests waiting at every shard: received and not yet taken by a loop, or with the
    /// handler.
    fn backlog(&self) -> usize {
        self.publish_backlog();
        self.backlog.total()
    }

    /// Writes this shard's waiting requests into its slot of the shared backlog.
    fn publish_backlog(&self) {
        self.backlog
            .set(self.shard, self.queued + self.pending.len());
    }

    /// Sheds `bytes`, an INVITE, if it is a new one (no To tag) whose response headers can be
    /// read line by line: its 503 + Retry-After goes out statelessly, without parsing the message
    /// or keeping a transaction (past capacity, parsing calls only to refuse them took the
    /// time the admitted ones needed). A retransmission gets the same answer again, with the
    /// same To tag (RFC 3261 8.2.7); its ACK finds no transaction and is dropped. `false`:
    /// not such a request, the normal path decides.
    async fn shed_unparsed(&mut self, bytes: &[u8], peer: SocketAddr, kind: TransportKind) -> bool {
        let Admission::Shed { retry_after_secs } =
            overload::admit(true, self.backlog(), self.overload)
        else {
            return false;
        };
        // Line by line needs plain lines: CRLF line ends and no folded field (a To tag on a
        // continuation line would be missed and an in-dialog request shed); others are parsed.
        let headers = match plain_header_lines(bytes).then(|| salvage(bytes)).flatten() {
            Some(h) if key::tag(&h, "To").is_none() => h,
            _ => return false,
        };
        let request_id = [
            find_header(&headers, "Via").unwrap_or_default(),
            find_header(&headers, "Call-ID").unwrap_or_default(),
        ]
        .concat();
        let tag = self.ids.stateless_tag(request_id.as_bytes());
        let resp = self.shed(&headers, &tag, retry_after_secs);
        let detail = "overloaded: shed before parsing";
        self.stateless(resp, "INVITE", &headers, peer, kind, detail)
            .await;
        true
    }

    /// The 503 of a shed INVITE, from the request's headers.
    fn shed(&self, headers: &rsip::Headers, tag: &str, retry_after_secs: u32) -> rsip::Response {
        let mut resp = response_from_headers(headers, 503, phrase(503), Some(tag));
        super::message::push_retry_after(&mut resp, retry_after_secs);
        resp.headers.push(warning(&format!(
            "overloaded: {} requests are waiting",
            self.backlog()
        )));
        resp
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Handled(handled) => {
                let Handled {
                    key,
                    request,
                    ctx,
                    answer,
                } = *handled;
                self.pending.remove(&key);
                self.publish_backlog();
                let actions = self.handled(key, &request, &ctx, answer);
                self.execute(actions).await;
            }
            Event::SendFailed { key } => {
                let actions = self.layer.transport_error(&key, Instant::now());
                self.execute(actions).await;
            }
        }
    }

    /// Sends the handler's answer (`None`: it panicked, 500) through the transaction, and
    /// keeps the dialog a 2xx to INVITE creates (or drops the one a 2xx to BYE ends).
    fn handled(
        &mut self,
        key: TransactionKey,
        request: &rsip::Request,
        ctx: &RequestContext,
        answer: Option<HandlerResponse>,
    ) -> Vec<Action> {
        let answer = answer.unwrap_or_else(|| {
            let mut resp =
                super::message::response_to(request, 500, phrase(500), Some(&ctx.to_tag));
            resp.headers.push(warning("the call handler failed"));
            HandlerResponse::respond(resp)
        });
        let mut actions = Vec::new();
        for provisional in answer.provisional {
            let provisional = with_record_route(with_tag(provisional, &ctx.to_tag), request);
            actions.extend(self.answer(&key, provisional));
        }
        let response = match answer.final_response {
            Some(r) => with_record_route(with_tag(r, &ctx.to_tag), request),
            None => self.default_response(request, ctx),
        };
        let status = response.status_code.code();
        if request.method == rsip::Method::Invite && (200..300).contains(&status) {
            let secure = ctx.transport == TransportKind::Tls;
            if let Ok(dialog) = self.dialogs.create_uas(request, &response, secure) {
                self.awaiting_ack.insert(key.clone(), dialog);
            }
        }
        if request.method == rsip::Method::Bye && (200..300).contains(&status) {
            if let Some(dialog) = &ctx.dialog {
                self.dialogs.remove(dialog);
            }
        }
        actions.extend(self.answer(&key, response));
        actions
    }

    async fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Request {
                request,
                to,
                transport,
                reply,
                provisional,
            } => match self
                .layer
                .send_request(request, to, transport, Instant::now())
            {
                Ok((key, actions)) => {
                    if let Some(watcher) = provisional {
                        self.watchers.insert(key.clone(), watcher);
                    }
                    self.clients.insert(key, reply);
                    self.execute(actions).await;
                }
                Err(e) => {
                    let _ = reply.send(Err(ClientError::Rejected(e.to_string())));
                }
            },
            Command::Send {
                request,
                to,
                transport,
            } => {
                let bytes = super::message::request_bytes(&request);
                let _ = self.transmit(bytes, to, transport, None).await;
            }
        }
    }

    /// OPTIONS 200 (health probes: Lync marks UM down without it), BYE 200, else 501.
    fn default_response(&self, request: &rsip::Request, ctx: &RequestContext) -> rsip::Response {
        let status = match request.method {
            rsip::Method::Options | rsip::Method::Bye => 200,
            _ => 501,
        };
        let mut resp =
            super::message::response_to(request, status, phrase(status), Some(&ctx.to_tag));
        resp.headers
            .push(rsip::Header::Allow(rsip::headers::Allow::new(ALLOW)));
        if request.method == rsip::Method::Options {
            resp.headers
                .push(rsip::Header::Accept(rsip::headers::Accept::new(
                    "application/sdp",
                )));
        }
        resp.headers
            .push(rsip::Header::Server(rsip::headers::Server::new(
                self.server.clone(),
            )));
        resp
    }

    fn answer(&mut self, key: &TransactionKey, response: rsip::Response) -> Vec<Action> {
        // A CANCEL may have ended the INVITE first (FinalAlreadySent): nothing to send.
        self.layer
            .send_response(key, response, Instant::now())
            .unwrap_or_default()
    }
}

/// Adds `;tag=` to the To of a response that has none (8.2.6.2), except 100 Trying.
/// A response that can create a dialog (101-299 to an INVITE outside one) carries the
/// request's Record-Route, in order (RFC 3261 12.1.1), so a proxy that record-routed (a PBX,
/// a Skype front end) stays on the path of the ACK and the BYE.
fn with_record_route(mut response: rsip::Response, request: &rsip::Request) -> rsip::Response {
    let code = response.status_code.code();
    let creates_dialog = request.method == rsip::Method::Invite
        && (101..300).contains(&code)
        && key::tag(&request.headers, "To").is_none();
    if !creates_dialog || super::message::find_header(&response.headers, "Record-Route").is_some() {
        return response;
    }
    for value in super::message::find_headers(&request.headers, "Record-Route") {
        response
            .headers
            .push(rsip::Header::RecordRoute(rsip::headers::RecordRoute::new(
                value,
            )));
    }
    response
}

fn with_tag(mut response: rsip::Response, tag: &str) -> rsip::Response {
    if response.status_code.code() == 100 || key::tag(&response.headers, "To").is_some() {
        return response;
    }
    for header in response.headers.iter_mut() {
        if let rsip::Header::To(to) = header {
            *to = rsip::headers::To::new(format!("{};tag={tag}", to.value()));
            break;
        }
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dialog_creating_responses_carry_the_record_route_in_order() {
        let raw = b"INVITE sip:LOC801@cas SIP/2.0\r\nVia: SIP/2.0/TCP p;branch=z9hG4bK1\r\n\
From: <sip:a@b>;tag=1\r\nTo: <sip:LOC801@cas>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\
Record-Route: <sip:p1;lr>\r\nRecord-Route: <sip:p2;lr>\r\nContent-Length: 0\r\n\r\n";
        let Ok(rsip::SipMessage::Request(invite)) = crate::sip::parse(raw) else {
            panic!("test INVITE does not parse");
        };
        let route =
            |r: &rsip::Response| super::super::message::find_headers(&r.headers, "Record-Route");
        let ok = with_record_route(
            super::super::message::response_to(&invite, 200, "OK", Some("t")),
            &invite,
        );
        assert_eq!(route(&ok), vec!["<sip:p1;lr>", "<sip:p2;lr>"]);
        let busy = with_record_route(
            super::super::message::response_to(&invite, 486, "Busy Here", Some("t")),
            &invite,
        );
        assert!(route(&busy).is_empty());
    }

    #[test]
    fn plain_header_lines_are_crlf_lines_without_folding() {
        let plain = b"INVITE sip:b@h SIP/2.0\r\nTo: <sip:b@h>;tag=1\r\nCall-ID: x\r\n\r\nbody\n";
        assert!(plain_header_lines(plain));
        let folded = b"INVITE sip:b@h SIP/2.0\r\nTo: <sip:b@h>\r\n ;tag=abc\r\nCall-ID: x\r\n\r\n";
        assert!(!plain_header_lines(folded));
        let tab = b"INVITE sip:b@h SIP/2.0\r\nTo: <sip:b@h>\r\n\t;tag=abc\r\n\r\n";
        assert!(!plain_header_lines(tab));
        let lf_only = b"INVITE sip:b@h SIP/2.0\nTo: <sip:b@h>\nCall-ID: x\n\n";
        assert!(!plain_header_lines(lf_only));
        let mixed = b"INVITE sip:b@h SIP/2.0\r\nTo: <sip:b@h>\nCall-ID: x\r\n\r\n";
        assert!(!plain_header_lines(mixed));
    }

    #[test]
    fn salvage_finds_the_five_headers_of_a_broken_request() {
        let raw =
            b"INVITE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:x@y>;tag=1\r\n\
t: <sip:a@b>\r\ni: c\r\nCSeq: 1 INVITE\r\nContent-Length: 99\r\n\r\nshort";
        let headers = salvage(raw).unwrap();
        let resp = response_from_headers(&headers, 400, "Bad Request", Some("t"));
        let text = String::from_utf8(response_bytes(&resp)).unwrap();
        assert!(text.starts_with("SIP/2.0 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("Call-ID: c"), "{text}");
        assert!(salvage(b"ACK sip:a@b SIP/2.0\r\nVia: x\r\n\r\n").is_none());
        assert!(salvage(b"SIP/2.0 200 OK\r\n\r\n").is_none());
        assert!(salvage(b"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n").is_none());
    }

    #[test]
    fn log_record_event_carries_the_json_log_names() {
        let rec = LogRecord {
            role: Role::Server,
            method: "INVITE".into(),
            call_id: "c1".into(),
            peer: "127.0.0.1:5070".parse().unwrap(),
            transport: TransportKind::Udp,
            status: Some(302),
            outcome: "completed".into(),
            duration_ms: 12,
            branch: Some("z9hG4bK1".into()),
            detail: None,
        };
        let lines = crate::cli::log::capture_json(|| rec.emit());
        let json = &lines[0];
        assert_eq!(json["transport"], "UDP", "{json}");
        assert_eq!(json["role"], "server");
        assert_eq!(json["status"], 302);
        assert_eq!(json["method"], "INVITE");
        assert_eq!(json["call_id"], "c1");
        assert_eq!(json["peer"], "127.0.0.1:5070");
        assert_eq!(json["outcome"], "completed");
        assert_eq!(json["duration_ms"], 12);
        assert_eq!(json["branch"], "z9hG4bK1");
        assert!(json.get("detail").is_none(), "{json}");
        assert_eq!(json["target"], "umctl::sip::transaction");
    }
}
