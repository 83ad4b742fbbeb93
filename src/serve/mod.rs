//! `umctl serve`: Exchange's SIP components on the lab's (or a real server's) addresses, each
//! a [`crate::sip::endpoint::Endpoint`]: the CAS **UM Call Router**, the mailbox server's
//! **UM service** and its **UM worker**, deciding with the same `um::` functions trace-call
//! uses.
//!
//! - [`plan`]: which components run on which server and ports (pure).
//! - [`decide`]: one INVITE through `um::` (admission, resolution, the 302 Contact) and the SIP
//!   answer for a rejection.
//! - [`redirect`]: the call router and the UM service (302).
//! - [`route_cache`]: their decisions, kept while the directory does not change.
//! - [`worker`]: the worker (180, 200 with SDP, dialogs until BYE, MaxCallsAllowed).
//! - [`delivery`]: what happens to a message after the call (lab Maildir or SMTP through the
//!   spool, then MWI NOTIFYs, each from the user's own mailbox server); started here on the
//!   first Mailbox server, its mailer is [`Running::mailer`].
//! - [`call_setup`]: the dialogue and message facts of an answered call (call answering, Outlook
//!   Voice Access, auto attendant).
//! - [`media_engine`]: one task per answered call: paced RTP prompts, receive, DTMF,
//!   recording (the only RTP socket code).
//! - [`pacer`]: the one thread every call's RTP packets leave from, on their deadlines.
//! - [`prompts`]: the embedded system prompts, recorded names, espeak-ng, files -> samples.
//! - [`recording`]: the crash-safe recording spool (`<lab>/recordings`).
//! - [`messages`]: voice message / missed call through the one `Arc<dyn Mailer>`; the
//!   recordings a crash left, delivered as interrupted at start.
//! - [`call_limit`]: MaxCallsAllowed across a server's two workers, and the UM service's
//!   choice between them.
//! - [`call_record`]: one call data record per call (`crate::records`), rejected ones too.
//! - [`metrics`]: `--metrics`, the Prometheus page.
//! - [`preview`]: `--preview`, Voice Mail Preview: a mailer in front of delivery that adds
//!   the transcript (cargo feature `preview`).
//! - this file: binding every component ([`start`]), the report of what is bound, and the
//!   orderly shutdown (stop taking calls, BYE the active ones, stop the endpoints).
//!
//! It does not parse the command line or print: `cli::serve` does.

pub mod call_limit;
pub mod call_record;
pub mod call_setup;
pub mod decide;
pub mod delivery;
pub mod media_engine;
pub mod messages;
pub mod metrics;
pub mod pacer;
pub mod plan;
pub mod playout;
pub mod preview;
pub mod prompts;
pub mod recording;
pub mod redirect;
pub mod route_cache;
pub mod worker;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use tracing::Instrument;

use crate::sip::endpoint::{
    CallHandler, Endpoint, EndpointConfig, EndpointHandle, Listeners, TlsListen,
};
use crate::sip::message::response_to;
use crate::sip::overload::Overload;
use crate::sip::transport::certs::LabCa;
use crate::sip::transport::tls::{server_config, TlsSettings};
use crate::sip::transport::{ConnectionLimits, TransportError};
use crate::um::Stage;

pub use decide::Exchange;
pub use delivery::{
    Delivery, DeliveryConfig, DeliveryError, DeliveryEvent, MailOptions, MwiAttempt, MwiConfig,
    MwiTls,
};
pub use plan::{plan, ComponentPlan, Ports, ServerPlan, StartupMode};
pub use redirect::Redirector;
pub use worker::{MediaSetup, Worker};

use crate::mail::Mailer;

use call_limit::{ActiveCalls, CallLimit, WorkerChoice};
use call_record::RecordSink;
use redirect::WorkerPorts;

/// What `umctl serve` can fail with before it runs.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--preview` could not start (a build without the feature, no model).
    #[error("--preview: {0}")]
    Preview(String),
    #[error("no Exchange server named '{name}'; expected one of: {}", known.join(", "))]
    NoSuchServer { name: String, known: Vec<String> },
    #[error("Exchange server {name} runs no UM component (roles: {roles}); expected a Client Access server (call router) or a Mailbox server with the UM role")]
    NoComponents { name: String, roles: String },
    #[error(
        "the directory has no Exchange server with the Client Access or the Mailbox and UM role"
    )]
    NoServers,
    #[error("Exchange server {name} has no FQDN (networkAddress ncacn_ip_tcp:)")]
    NoFqdn { name: String },
    #[error("{fqdn} has no address: {why}")]
    NoAddress { fqdn: String, why: String },
    #[error("port {port} plus --port-offset {offset} is above 65535")]
    PortOverflow { port: u16, offset: u16 },
    #[error("{component} of {server}: {source}")]
    Bind {
        server: String,
        component: String,
        source: TransportError,
    },
    #[error("--metrics {addr}: cannot listen there: {source}")]
    Metrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS certificate for {fqdn}: {source}")]
    Certificate {
        fqdn: String,
        source: TransportError,
    },
    #[error("message delivery: {0}")]
    Delivery(#[from] DeliveryError),
    #[error("the RTP pacing thread did not start: {0}")]
    Pacer(std::io::Error),
}

impl ServeError {
    /// 3 when a port cannot be bound (in use, no permission), else 2 (bad input).
    pub fn exit_code(&self) -> i32 {
        match self {
            ServeError::Bind { .. } | ServeError::Metrics { .. } => 3,
            ServeError::Delivery(DeliveryError::Bind { .. }) => 3,
            _ => 2,
        }
    }
}

/// Where the TLS listeners' certificates come from, and whose client certificates they accept
/// (mutual TLS: a UM IP gateway of a SIPSecured or Secured dial plan is admitted by a name in
/// its certificate, `um::resolve`).
pub enum TlsSource {
    /// The administrator's certificate chain and key (`--tls-cert`, `--tls-key`), and the CA
    /// of the peers' certificates (`--client-ca`, else the lab CA).
    Files {
        chain_pem: String,
        key_pem: String,
        client_ca_pem: String,
    },
    /// A certificate per server FQDN (and address) from the lab CA; peers' certificates from
    /// `client_ca_pem`, else the lab CA.
    LabCa {
        ca: Box<LabCa>,
        client_ca_pem: Option<String>,
    },
}

impl TlsSource {
    fn server_config(
        &self,
        fqdn: &str,
        address: IpAddr,
    ) -> Result<Arc<rustls::ServerConfig>, ServeError> {
        let cert_err = |source| ServeError::Certificate {
            fqdn: fqdn.to_string(),
            source,
        };
        let (chain, key, client_ca) = match self {
            TlsSource::Files {
                chain_pem,
                key_pem,
                client_ca_pem,
            } => (chain_pem.clone(), key_pem.clone(), client_ca_pem.clone()),
            TlsSource::LabCa { ca, client_ca_pem } => {
                let issued = ca.issue(fqdn, &[address]).map_err(cert_err)?;
                let client_ca = client_ca_pem
                    .clone()
                    .unwrap_or_else(|| ca.cert_pem().to_string());
                (issued.chain_pem, issued.key_pem, client_ca)
            }
        };
        // A client certificate is asked for, not required: the TLS handshake does not know
        // the dial plan yet; admission refuses a secured call without one.
        server_config(&TlsSettings {
            cert_chain_pem: chain,
            key_pem: key,
            client_ca_pem: Some(client_ca),
            require_client_cert: false,
        })
        .map_err(cert_err)
    }
}

impl TlsSource {
    /// Certificates for NOTIFYs over TLS from `fqdn`: its server certificate (the transport
    /// needs one) and a client trusting the lab CA. `None` with --cert/--key: no CA to trust.
    fn mwi_tls(&self, fqdn: &str, address: IpAddr) -> Result<Option<delivery::MwiTls>, ServeError> {
        let TlsSource::LabCa { ca, .. } = self else {
            return Ok(None);
        };
        let server = self.server_config(fqdn, address)?;
        let client =
            crate::sip::transport::tls::client_config(ca.cert_pem(), None).map_err(|source| {
                ServeError::Certificate {
                    fqdn: fqdn.to_string(),
                    source,
                }
            })?;
        Ok(Some((server, client)))
    }
}

/// How to run.
pub struct ServeOptions {
    pub max_calls: usize,
    /// Stream connections each SIP listener admits, in all and per peer address.
    pub connections: ConnectionLimits,
    /// When each SIP listener sheds new INVITEs with 503 (requests waiting for its handler).
    pub overload: Overload,
    pub tls: Option<TlsSource>,
    /// Where messages go (Maildir or SMTP) and the spool.
    pub mail: MailOptions,
    /// Where recordings in progress are spooled (`<lab>/recordings`); without one, a
    /// `umctl-serve/recordings` folder in the system's temporary folder.
    pub recordings: Option<PathBuf>,
    /// Where call records go (none: no records).
    pub records: Option<RecordsOptions>,
    /// `--metrics`: where to serve the Prometheus page.
    pub metrics: Option<SocketAddr>,
    /// A fixed instant auto attendants take as the call's time (tests; none: the clock).
    pub clock: Option<jiff::Timestamp>,
    /// `--preview`: Voice Mail Preview on the delivered voice messages (none: off).
    pub preview: Option<preview::PreviewOptions>,
}

/// The call records of a serve: the `calls/` folder and how long records are kept.
#[derive(Clone)]
pub struct RecordsOptions {
    pub dir: PathBuf,
    pub keep_days: u32,
    /// Called with each record once written (the metrics count it).
    pub on_record: Option<call_record::OnRecord>,
}

impl RecordsOptions {
    /// The sink the components write to; removes the records older than `keep_days` now and
    /// once a day while serve runs.
    fn start(&self) -> RecordSink {
        let store = Arc::new(crate::records::CallStore::new(self.dir.clone()));
        let (pruned, keep) = (store.clone(), self.keep_days);
        tokio::spawn(async move {
            loop {
                let s = pruned.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    if let Err(e) = s.prune(keep, std::time::SystemTime::now()) {
                        tracing::warn!(
                            "call records: removing old days in {}: {e}",
                            s.dir().display()
                        );
                    }
                })
                .await;
                tokio::time::sleep(Duration::from_secs(86_400)).await;
            }
        });
        RecordSink {
            store,
            on_record: self.on_record.clone(),
        }
    }
}

/// Delivers (as interrupted) what a previous run left in the recordings folder; one line per
/// recording for the log.
async fn recover_recordings(
    mailer: Arc<dyn Mailer>,
    dir: &Path,
    records: Option<(&RecordSink, &str)>,
) -> Vec<String> {
    let dir = dir.to_path_buf();
    let work = tokio::task::spawn_blocking(move || messages::recover(mailer.as_ref(), &dir));
    match work.await {
        Ok(Ok(results)) => results
            .into_iter()
            .map(|(s, call, r)| {
                if let (Some((sink, server)), Some((info, samples))) = (records, call) {
                    sink.write(call_record::recovered(&info, samples, server, r.is_ok()));
                }
                (s, r)
            })
            .map(|(s, r)| match r {
                Ok(_) => format!(
                    "delivered the interrupted recording {} (serve stopped during the call)",
                    s.part.display()
                ),
                Err(e) => format!(
                    "could not deliver {}: {e}; kept for the next start",
                    s.part.display()
                ),
            })
            .collect(),
        Ok(Err(e)) => vec![e.to_string()],
        Err(e) => vec![format!("recovering recordings: {e}")],
    }
}

/// What one component bound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentReport {
    pub role: Stage,
    /// The worker process (1 or 2); absent for the call router and the UM service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<u8>,
    pub udp: Option<SocketAddr>,
    pub tcp: Option<SocketAddr>,
    pub tls: Option<SocketAddr>,
}

/// What one server runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerReport {
    pub name: String,
    pub fqdn: String,
    pub roles: Vec<ComponentReport>,
}

/// Everything bound (the JSON line serve prints).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub servers: Vec<ServerReport>,
    /// Where `--metrics` serves the Prometheus page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<SocketAddr>,
}

/// The running components.
pub struct Running {
    pub report: Report,
    /// What happened to the recordings a previous run left (one line each).
    pub recovered: Vec<String>,
    endpoints: Vec<Endpoint>,
    redirectors: Vec<Arc<Redirector>>,
    workers: Vec<(Arc<Worker>, EndpointHandle)>,
    delivery: Option<Delivery>,
    shutdown: watch::Sender<bool>,
    sweeper: tokio::task::JoinHandle<()>,
    hang_up_tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Held while running: this serve owns the recordings folder.
    recordings_claim: Option<recording::FolderClaim>,
    /// The RTP pacing thread, stopped at shutdown.
    pacing: Option<pacer::Pacing>,
}

/// The metrics of this serve and its page at `addr` (stops with `stop`); the bound address.
async fn start_metrics(
    addr: SocketAddr,
    options: &ServeOptions,
    stop: watch::Receiver<bool>,
) -> Result<(Arc<metrics::Metrics>, SocketAddr), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Metrics { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Metrics { addr, source })?;
    let m = Arc::new(metrics::Metrics::new(Some(options.mail.spool.clone())));
    tokio::spawn(metrics::serve_http(listener, m.clone(), stop));
    Ok((m, bound))
}

/// The answer while shutting down: 503, try again later (elsewhere).
pub(crate) fn unavailable(request: &rsip::Request, to_tag: &str) -> rsip::Response {
    let mut resp = response_to(
        request,
        503,
        "Service Unavailable (shutting down)",
        Some(to_tag),
    );
    crate::sip::message::push_retry_after(&mut resp, worker::RETRY_AFTER_SECS);
    resp
}

/// Binds every component of every server in `servers` (in order: workers first, so the
/// ports the redirects name are known before a call router takes a call) and starts them.
/// A server's two workers share its MaxCallsAllowed; its UM service redirects to either.
/// Each component runs in a `component` span (`server`, `component`) that its log lines carry.
pub async fn start(
    servers: &[ServerPlan],
    exchange: Arc<Exchange>,
    options: ServeOptions,
) -> Result<Running, ServeError> {
    let (shutdown, watch_rx) = watch::channel(false);
    let metrics = match options.metrics {
        Some(addr) => Some(start_metrics(addr, &options, watch_rx.clone()).await?),
        None => None,
    };
    let counter = metrics.as_ref().map(|(m, _)| m.clone());
    let records = options
        .records
        .as_ref()
        .map(|r| records_counted(r, counter.as_ref()));
    let mut running = Running::new(shutdown);
    let media = start_delivery(
        servers,
        &exchange,
        &options,
        counter.as_ref(),
        records.as_ref(),
        &mut running,
    )
    .await?;
    let mut starting = Starting {
        exchange: &exchange,
        records,
        media,
        metrics: counter,
        limits: servers
            .iter()
            .map(|_| CallLimit::new(options.max_calls))
            .collect(),
        max_calls: options.max_calls,
        workers_of: vec![Vec::new(); servers.len()],
        reports: vec![Vec::new(); servers.len()],
        connections: options.connections,
        overload: options.overload,
    };
    for stage in [Stage::Worker, Stage::UmService, Stage::CallRouter] {
        for (i, server) in servers.iter().enumerate() {
            for component in server.components.iter().filter(|c| c.stage == stage) {
                let tls = options.tls.as_ref();
                let started = starting
                    .component(i, server, component, tls, &watch_rx, &mut running)
                    .await;
                if let Err(e) = started {
                    running.stop_endpoints().await;
                    return Err(e);
                }
            }
        }
    }
    running.report.metrics = metrics.map(|(_, addr)| addr);
    running.finish(servers, starting.reports);
    Ok(running)
}

/// The call records sink, each record also counted by the metrics when they run.
fn records_counted(
    options: &RecordsOptions,
    metrics: Option<&Arc<metrics::Metrics>>,
) -> RecordSink {
    let mut r = options.clone();
    if let Some(m) = metrics {
        let (m, before) = (m.clone(), r.on_record.take());
        r.on_record = Some(Arc::new(move |rec: &crate::records::CallRecord| {
            m.record(rec);
            if let Some(f) = &before {
                f(rec);
            }
        }));
    }
    r.start()
}

/// Starts delivery (when a server has a worker) and returns what the workers record and
/// deliver with.
async fn start_delivery(
    servers: &[ServerPlan],
    exchange: &Arc<Exchange>,
    options: &ServeOptions,
    metrics: Option<&Arc<metrics::Metrics>>,
    records: Option<&RecordSink>,
    running: &mut Running,
) -> Result<Option<MediaSetup>, ServeError> {
    // Delivery runs on the first mailbox server with a worker, before the workers exist so
    // they can be handed its mailer; MWI leaves from each user's own mailbox server. Then
    // what a crashed run left is delivered.
    let with_worker: Vec<&ServerPlan> = servers
        .iter()
        .filter(|s| s.components.iter().any(|c| c.stage == Stage::Worker))
        .collect();
    if let Some((server, others)) = with_worker.split_first() {
        let mwi_tls = |s: &ServerPlan| match &options.tls {
            Some(source) => source.mwi_tls(&s.fqdn, s.address),
            None => Ok(None),
        };
        let mut config = DeliveryConfig::for_server(server, options.mail.clone(), mwi_tls(server)?);
        for other in others {
            config
                .other_mwi
                .push(MwiConfig::for_server(other, mwi_tls(other)?));
        }
        let delivery = Delivery::start(exchange.clone(), config).await?;
        let mut mailer = delivery.mailer();
        if let Some(p) = options.preview {
            mailer = preview::start(p, mailer).map_err(ServeError::Preview)?;
        }
        if let Some(m) = metrics {
            let (m, mut events) = (m.clone(), delivery.subscribe());
            tokio::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(e) => m.delivery(&e),
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    }
                }
            });
        }
        running.delivery = Some(delivery);
        let recordings = options
            .recordings
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("umctl-serve").join("recordings"));
        match recording::claim(&recordings) {
            Ok(Some(claim)) => {
                running.recordings_claim = Some(claim);
                let sink = records.map(|r| (r, server.fqdn.as_str()));
                running.recovered = recover_recordings(mailer.clone(), &recordings, sink).await;
            }
            Ok(None) => running.recovered.push(format!(
                "another umctl serve uses {}; its recordings are left to it",
                recordings.display()
            )),
            Err(e) => running.recovered.push(e.to_string()),
        }
        // One PIN store and one message store per serve, over the lab's mailboxes.
        let mailboxes = exchange
            .mailboxes
            .clone()
            .unwrap_or_else(|| options.mail.mailboxes.clone());
        let pacing = pacer::Pacing::start().map_err(ServeError::Pacer)?;
        match pacing.realtime() {
            Ok(()) => tracing::info!("the RTP pacing thread runs under SCHED_FIFO"),
            Err(why) => tracing::warn!("the RTP pacing thread: {why}"),
        }
        running.pacing = Some(pacing.clone());
        return Ok(Some(MediaSetup {
            pacing,
            recordings,
            mailer,
            metrics: metrics.cloned(),
            menus: call_setup::Menus {
                clock: options.clock,
                ..call_setup::Menus::with_policies(mailboxes, exchange.dir.clone())
            },
            records: records.cloned(),
        }));
    }
    Ok(None)
}

/// A component's call handler, and the worker when it is one.
type Handler = (Arc<dyn CallHandler>, Option<Arc<Worker>>);

/// What `start` carries from one component to the next.
struct Starting<'a> {
    exchange: &'a Arc<Exchange>,
    records: Option<RecordSink>,
    /// Present when delivery runs: a plan with a worker always has it.
    media: Option<MediaSetup>,
    metrics: Option<Arc<metrics::Metrics>>,
    /// Per server: the MaxCallsAllowed its workers share.
    limits: Vec<Arc<CallLimit>>,
    max_calls: usize,
    /// Per server: its workers, with their (TCP, TLS) ports, for its UM service's 302.
    workers_of: Vec<Vec<(Arc<dyn ActiveCalls>, WorkerPorts)>>,
    reports: Vec<Vec<ComponentReport>>,
    /// `--max-connections*` and `--max-pending-requests`, for every listener.
    connections: ConnectionLimits,
    overload: Overload,
}

impl Starting<'_> {
    /// Binds and starts one component of server `i`.
    #[allow(clippy::too_many_arguments)]
    async fn component(
        &mut self,
        i: usize,
        server: &ServerPlan,
        component: &ComponentPlan,
        tls: Option<&TlsSource>,
        watch_rx: &watch::Receiver<bool>,
        running: &mut Running,
    ) -> Result<(), ServeError> {
        let stage = component.stage;
        let tls = match (component.tls, tls) {
            (Some(port), Some(source)) => Some(TlsListen {
                bind: SocketAddr::new(server.address, port),
                server: source.server_config(&server.fqdn, server.address)?,
                client: None,
            }),
            _ => None,
        };
        let Some((handler, worker)) = self.handler(i, server, stage, running) else {
            return Ok(());
        };
        let guards = (self.connections, self.overload);
        let endpoint = bind(server, component, tls, handler, watch_rx.clone(), guards)
            .instrument(component_span(&server.name, stage))
            .await?;
        let addrs = endpoint.addrs();
        let ports = WorkerPorts {
            tcp: addrs.tcp.map(|a| a.port()),
            tls: addrs.tls.map(|a| a.port()),
        };
        if let Some(w) = worker {
            self.run_worker(i, server, component, w, &endpoint, ports, running);
        }
        // A stage's first component is where Exchange's fixed ports point (the first
        // worker process: what trace-call names); the UM service picks among both.
        if component.process.unwrap_or(1) == 1 {
            self.exchange.ports.insert(
                &[&server.fqdn, &server.address.to_string()],
                stage,
                ports.tcp,
                ports.tls,
            );
        }
        if let Some(reports) = self.reports.get_mut(i) {
            reports.push(ComponentReport {
                role: stage,
                process: component.process,
                udp: addrs.udp,
                tcp: addrs.tcp,
                tls: addrs.tls,
            });
        }
        running.endpoints.push(endpoint);
        Ok(())
    }

    /// The call handler of a `stage` component of server `i` (and the worker, for one);
    /// `None` for a worker without delivery (a plan with a worker always has it).
    fn handler(
        &mut self,
        i: usize,
        server: &ServerPlan,
        stage: Stage,
        running: &mut Running,
    ) -> Option<Handler> {
        let exchange = self.exchange.clone();
        let redirector = match stage {
            Stage::Worker => {
                let media = self.media.as_ref()?;
                let limit = self
                    .limits
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| CallLimit::new(self.max_calls));
                let w = Arc::new(Worker::new(
                    exchange,
                    &server.fqdn,
                    server.address,
                    limit.clone(),
                    tokio::runtime::Handle::current(),
                    media.clone(),
                ));
                limit.join(&w);
                return Some((w.clone(), Some(w)));
            }
            Stage::UmService => {
                let choice = WorkerChoice::new(
                    self.workers_of
                        .get_mut(i)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                );
                let hosts = [server.fqdn.as_str(), &server.address.to_string()];
                Redirector::new(stage, exchange).with_workers(choice, &hosts)
            }
            Stage::CallRouter => Redirector::new(stage, exchange),
        };
        let r = Arc::new(redirector.with_records(self.records.clone(), &server.fqdn));
        running.redirectors.push(r.clone());
        Some((r, None))
    }

    /// Starts what a worker needs beside its endpoint: the tasks that send its hang-ups and
    /// transfers, its metrics, its place in the UM service's choice.
    #[allow(clippy::too_many_arguments)]
    fn run_worker(
        &mut self,
        i: usize,
        server: &ServerPlan,
        component: &ComponentPlan,
        w: Arc<Worker>,
        endpoint: &Endpoint,
        ports: WorkerPorts,
        running: &mut Running,
    ) {
        if let Some(mut requests) = w.take_hang_up_requests() {
            let (w, handle) = (w.clone(), endpoint.handle());
            running.hang_up_tasks.push(tokio::spawn(async move {
                while let Some(call_id) = requests.recv().await {
                    let (w, handle) = (w.clone(), handle.clone());
                    tokio::spawn(async move {
                        w.hang_up(&handle, &call_id, Duration::from_secs(32)).await;
                    });
                }
            }));
        }
        if let Some(mut requests) = w.take_transfer_requests() {
            let (w, handle) = (w.clone(), endpoint.handle());
            running.hang_up_tasks.push(tokio::spawn(async move {
                while let Some(t) = requests.recv().await {
                    let (w, handle) = (w.clone(), handle.clone());
                    tokio::spawn(async move {
                        let r = w.transfer(&handle, &t.call_id, &t.refer_to).await;
                        let _ = t.reply.send(r);
                    });
                }
            }));
        }
        if let Some(m) = &self.metrics {
            m.watch(
                &server.fqdn,
                component.process.unwrap_or(1).into(),
                w.clone(),
            );
        }
        running.workers.push((w.clone(), endpoint.handle()));
        if let Some(list) = self.workers_of.get_mut(i) {
            list.push((w, ports));
        }
    }
}

impl Running {
    /// Nothing started yet; `shutdown` stops what will be.
    fn new(shutdown: watch::Sender<bool>) -> Running {
        Running {
            report: Report {
                servers: Vec::new(),
                metrics: None,
            },
            endpoints: Vec::new(),
            redirectors: Vec::new(),
            workers: Vec::new(),
            delivery: None,
            shutdown,
            sweeper: tokio::spawn(async {}),
            hang_up_tasks: Vec::new(),
            recordings_claim: None,
            recovered: Vec::new(),
            pacing: None,
        }
    }

    /// The report of every server's components, and the sweeper of unacknowledged calls.
    fn finish(&mut self, servers: &[ServerPlan], reports: Vec<Vec<ComponentReport>>) {
        for (server, mut roles) in servers.iter().zip(reports) {
            roles.sort_by_key(|r| (stage_rank(r.role), r.process));
            self.report.servers.push(ServerReport {
                name: server.name.clone(),
                fqdn: server.fqdn.clone(),
                roles,
            });
        }
        let workers: Vec<Arc<Worker>> = self.workers.iter().map(|(w, _)| w.clone()).collect();
        self.sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                for w in &workers {
                    w.sweep(std::time::Instant::now());
                }
            }
        });
    }
}

/// Binds one component: UDP and TCP on the same port (an ephemeral one is picked free on
/// both, and the sockets that found it are the ones the endpoint keeps), TLS on its own.
async fn bind(
    server: &ServerPlan,
    component: &ComponentPlan,
    tls: Option<TlsListen>,
    handler: Arc<dyn CallHandler>,
    shutdown: watch::Receiver<bool>,
    guards: (ConnectionLimits, Overload),
) -> Result<Endpoint, ServeError> {
    let bind_err = |source| ServeError::Bind {
        server: server.name.clone(),
        component: component_name(component.stage).to_string(),
        source,
    };
    let listeners = match component.tcp {
        Some(0) => Some(udp_and_tcp_on_one_port(server.address).map_err(|e| {
            bind_err(TransportError::Bind {
                kind: crate::sip::transport::TransportKind::Tcp,
                addr: SocketAddr::new(server.address, 0),
                source: e,
            })
        })?),
        _ => None,
    };
    let config = EndpointConfig {
        bind: component.tcp.map(|p| SocketAddr::new(server.address, p)),
        udp: component.tcp.is_some(),
        tcp: component.tcp.is_some(),
        tls,
        limits: guards.0,
        overload: guards.1,
        ..EndpointConfig::default()
    };
    Endpoint::start_on(config, listeners, handler, shutdown)
        .await
        .map_err(bind_err)
}

/// A UDP socket and a TCP listener bound to the same ephemeral port on `address`, kept.
fn udp_and_tcp_on_one_port(address: IpAddr) -> std::io::Result<Listeners> {
    let mut last = None;
    for _ in 0..50 {
        let udp = std::net::UdpSocket::bind(SocketAddr::new(address, 0))?;
        let port = udp.local_addr()?.port();
        match std::net::TcpListener::bind(SocketAddr::new(address, port)) {
            Ok(tcp) => {
                udp.set_nonblocking(true)?;
                tcp.set_nonblocking(true)?;
                return Ok(Listeners {
                    udp: Some(tokio::net::UdpSocket::from_std(udp)?),
                    tcp: Some(tokio::net::TcpListener::from_std(tcp)?),
                });
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for both UDP and TCP")))
}

/// Call router, UM service, worker: the order of a server's roles in the report.
fn stage_rank(stage: Stage) -> u8 {
    match stage {
        Stage::CallRouter => 0,
        Stage::UmService => 1,
        Stage::Worker => 2,
    }
}

/// The span a component's log lines carry: `server` (its name) and `component`
/// (`call_router`, `um_service`, `worker`, as in the JSON log).
pub fn component_span(server: &str, stage: Stage) -> tracing::Span {
    // The name Stage serializes to, as everywhere in JSON.
    let name = serde_json::to_value(stage).ok();
    let component = name.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
    tracing::info_span!("component", server = %server, component)
}

/// The component's name in messages.
pub fn component_name(stage: Stage) -> &'static str {
    match stage {
        Stage::CallRouter => "UM Call Router",
        Stage::UmService => "UM service",
        Stage::Worker => "UM worker",
    }
}

impl Running {
    /// The mailer the workers deliver through (`None` when no worker runs here).
    pub fn mailer(&self) -> Option<Arc<dyn crate::mail::Mailer>> {
        self.delivery.as_ref().map(Delivery::mailer)
    }

    /// Active calls across all workers.
    pub fn active_calls(&self) -> usize {
        self.workers.iter().map(|(w, _)| w.active_calls()).sum()
    }

    /// Stops taking calls (503 to new INVITEs, and to OPTIONS probes at the call router and
    /// the UM service, so a load balancer moves away) and waits at most `timeout` for the
    /// active calls to end by themselves (Exchange's worker recycle).
    pub async fn drain(&self, timeout: Duration) {
        for r in &self.redirectors {
            r.drain();
        }
        for (w, _) in &self.workers {
            w.drain();
        }
        let deadline = tokio::time::Instant::now() + timeout;
        while self.active_calls() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops taking calls (503), sends BYE to every active call (waiting at most `wait` for
    /// the answers), then stops every endpoint. Returns how many BYEs were answered 2xx.
    pub async fn shutdown(mut self, wait: Duration) -> usize {
        for r in &self.redirectors {
            r.drain();
        }
        for (w, _) in &self.workers {
            w.drain();
        }
        let mut hung_up = 0;
        for (w, handle) in &self.workers {
            hung_up += w.hang_up_all(handle, wait).await;
        }
        // Let the media engines deliver what the hung-up calls recorded.
        let deadline = tokio::time::Instant::now() + wait;
        while self.workers.iter().any(|(w, _)| w.running_engines() > 0)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.stop_endpoints().await;
        if let Some(p) = self.pacing.take() {
            p.stop();
        }
        if let Some(d) = self.delivery.take() {
            d.shutdown(Duration::from_secs(2)).await;
        }
        hung_up
    }

    async fn stop_endpoints(&mut self) {
        self.sweeper.abort();
        for t in self.hang_up_tasks.drain(..) {
            t.abort();
        }
        let _ = self.shutdown.send(true);
        for e in self.endpoints.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), e.wait()).await;
        }
    }
}
