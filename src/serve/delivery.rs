//! What happens to a message after the call: [`Delivery`] hands a voice message or a missed-call
//! notification to the mailbox, then lights the phone's message waiting indicator.
//!
//! - Mailbox: the lab's `mailboxes/<sAMAccountName>/Maildir` (the recipient address is looked
//!   up by `mail` in the directory), or with `--smtp` an SMTP server through the on-disk spool
//!   (`<lab>/spool`): [`crate::mail::SmtpMailer`] writes the spool, a
//!   [`crate::mail::SpoolWorker`] sends it in the background, retrying with backoff, and
//!   picks up what an earlier run left there when it starts.
//! - MWI: after a voice message (not a missed call) reached the mailbox (Maildir: written;
//!   SMTP: the server said 250), an unsolicited NOTIFY (`Event: message-summary`, built by
//!   [`crate::sip::mwi`]) goes to every UM IP gateway that has a hunt group for the user's
//!   dial plan and allows MWI (`msExchUMIPGatewayFlags2`, set by grant-permissions), at the
//!   gateway's address (the lab hosts table resolves FQDNs) and port (5060, 5061 with TLS,
//!   or the gateway's own), over TCP, or TLS when the dial plan is SIP-secured or Secured.
//!   Counts come from the lab Maildir; over SMTP the mailbox is elsewhere, so the NOTIFY says
//!   only `Messages-Waiting: yes`. A failed or unanswered NOTIFY is retried on the
//!   [`RetrySchedule`] (5 minutes by default); each attempt is one line in serve's log.
//!
//! The NOTIFYs come from the user's own mailbox server (msExchHomeServerName), as Exchange's
//! UM service on that server sends them: a client-only endpoint per mailbox server of this
//! serve ([`DeliveryConfig::mwi`] and [`DeliveryConfig::other_mwi`]), bound on its address
//! ([`MwiConfig::local`]); a user homed elsewhere gets them from the first. This file does
//! not record or build messages (the worker does) and does not parse the command line
//! (`cli::serve` does).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::Exchange;
use crate::directory::lookup;
use crate::directory::model::UmUser;

use crate::mail::{
    DeliveryReceipt, MailError, MaildirMailer, Mailer, MessageKind, MissedCall, OutgoingMessage,
    SmtpConfig, SmtpMailer, SpoolEvent, SpoolId, SpoolWorker, VoiceMessage,
};
use crate::sip::endpoint::{
    CallHandler, Endpoint, EndpointConfig, EndpointHandle, HandlerResponse, LogRecord,
    RequestContext, TlsListen,
};
use crate::sip::ids::IdGenerator;
use crate::sip::mwi::{self, NotifyParams, RetrySchedule, Summary};
use crate::sip::transaction::{Role, Timers};
use crate::sip::transport::{TransportError, TransportKind};
use crate::um::{recipient, UmContext};

/// Certificates for NOTIFYs over TLS: a server certificate (the TLS transport needs one) and
/// a client configuration trusting the gateways' CA.
pub type MwiTls = (Arc<rustls::ServerConfig>, Arc<rustls::ClientConfig>);

/// How the message waiting indicator is sent from one mailbox server.
pub struct MwiConfig {
    /// The mailbox server's name (`EX-MBX02`): its users' NOTIFYs leave from it.
    pub server: String,
    /// The mailbox server's address: the NOTIFYs leave from here (an ephemeral port).
    pub local: IpAddr,
    /// From of the NOTIFYs, e.g. `sip:um@ex-mbx02.contoso.com`.
    pub from: String,
    /// Certificates for NOTIFYs over TLS (the server part is unused but the transport needs
    /// it); `None`: a dial plan that needs TLS gets no MWI (logged).
    pub tls: Option<MwiTls>,
    pub schedule: RetrySchedule,
    /// SIP timers of the NOTIFY transactions (an unanswered NOTIFY fails after 64*T1).
    pub timers: Timers,
}

/// Where messages go and how.
pub struct DeliveryConfig {
    /// The lab's `mailboxes` folder: Maildir delivery without SMTP, and the MWI counts.
    pub mailboxes: PathBuf,
    /// `--smtp`: send through this server, spooling in `spool`.
    pub smtp: Option<SmtpConfig>,
    /// The spool folder (`<lab>/spool`), used with `smtp`.
    pub spool: PathBuf,
    /// The UM sender address (envelope and From when the caller has no mailbox).
    pub sender: String,
    /// MWI from the server delivery runs on (and for users homed on no server of this serve).
    pub mwi: MwiConfig,
    /// MWI from the other mailbox servers this serve runs, for the users homed on them.
    pub other_mwi: Vec<MwiConfig>,
}

/// What the command line says about delivery.
#[derive(Clone, Debug)]
pub struct MailOptions {
    /// The lab's `mailboxes` folder.
    pub mailboxes: PathBuf,
    /// The SMTP spool folder (`<lab>/spool`).
    pub spool: PathBuf,
    /// `--smtp smtp://host:port` (and `--smtp-ca`).
    pub smtp: Option<SmtpConfig>,
}

impl MailOptions {
    /// The lab's folders: `<lab>/mailboxes` and `<lab>/spool`.
    pub fn for_lab(lab: &std::path::Path, smtp: Option<SmtpConfig>) -> MailOptions {
        MailOptions {
            mailboxes: lab.join("mailboxes"),
            spool: lab.join("spool"),
            smtp,
        }
    }
}

impl DeliveryConfig {
    /// The configuration serve uses for the mailbox server `server`: NOTIFYs from its
    /// address, From `sip:um@<fqdn>`, sender `um@<fqdn>`, the default retry schedule and
    /// RFC 3261 timers.
    pub fn for_server(
        server: &super::ServerPlan,
        mail: MailOptions,
        tls: Option<MwiTls>,
    ) -> DeliveryConfig {
        DeliveryConfig {
            mailboxes: mail.mailboxes,
            smtp: mail.smtp,
            spool: mail.spool,
            sender: format!("um@{}", server.fqdn.to_lowercase()),
            mwi: MwiConfig::for_server(server, tls),
            other_mwi: Vec::new(),
        }
    }
}

impl MwiConfig {
    /// NOTIFYs from `server`'s address, From `sip:um@<fqdn>`, the default retry schedule and
    /// RFC 3261 timers.
    pub fn for_server(server: &super::ServerPlan, tls: Option<MwiTls>) -> MwiConfig {
        MwiConfig {
            server: server.name.clone(),
            local: server.address,
            from: format!("sip:um@{}", server.fqdn.to_lowercase()),
            tls,
            schedule: RetrySchedule::default(),
            timers: Timers::default(),
        }
    }
}

/// What [`Delivery`] did, for the metrics and tests (the log has its own lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// The SMTP spool worker's news.
    Smtp(SpoolEvent),
    /// One MWI NOTIFY attempt to one gateway.
    Mwi(MwiAttempt),
}

/// One NOTIFY attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MwiAttempt {
    pub account: String,
    pub gateway: String,
    /// Where it went (`None`: the gateway's address could not be resolved).
    pub to: Option<SocketAddr>,
    pub attempt: u32,
    /// The final status, when one came.
    pub status: Option<u16>,
    /// The body sent.
    pub summary: Summary,
    /// Wait before the next attempt; `None` after a 2xx or when giving up.
    pub retry_in: Option<Duration>,
}

/// Why [`Delivery::start`] failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("cannot bind the MWI sender on {address}: {source}")]
    Bind {
        address: IpAddr,
        source: TransportError,
    },
}

/// The delivery service; see the module doc. Dropping it stops the spool worker, the MWI
/// retries and the NOTIFY endpoint (waiting messages stay in the spool for the next start).
pub struct Delivery {
    inner: Arc<Inner>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

enum Store {
    Maildir(MaildirMailer),
    Smtp(SmtpMailer),
}

/// Spooled messages not yet accepted: whom a voice message is for, to send MWI after the 250.
type Pending = HashMap<SpoolId, Vec<String>>;

struct Inner {
    exchange: Arc<Exchange>,
    store: Store,
    mailboxes: PathBuf,
    sender: String,
    pending: Mutex<Pending>,
    /// One per mailbox server; the first is the default.
    mwi: Vec<MwiSender>,
    events: broadcast::Sender<DeliveryEvent>,
    runtime: tokio::runtime::Handle,
    mwi_tasks: Mutex<Vec<JoinHandle<()>>>,
}

struct MwiSender {
    /// The mailbox server it sends from.
    server: String,
    endpoint: EndpointHandle,
    tcp: Option<SocketAddr>,
    tls: Option<SocketAddr>,
    from: String,
    schedule: RetrySchedule,
    /// The span its log lines go out in: its server, component `worker` (where the MWI of a
    /// mailbox server comes from in Exchange).
    span: tracing::Span,
    ids: IdGenerator,
}

/// One log line per SMTP outcome (delivered INFO, deferred and spool trouble WARN, failed
/// ERROR), with the names serve's JSON log had: `smtp`, `id`, `detail`.
fn log_spool_event(event: &SpoolEvent) {
    let (smtp, id, detail) = (event.kind(), event.id().map(ToString::to_string), event);
    let id = id.as_deref();
    match event {
        SpoolEvent::Delivered { .. } => tracing::info!(smtp, id, detail = %detail, "SMTP"),
        SpoolEvent::Failed { .. } => tracing::error!(smtp, id, detail = %detail, "SMTP"),
        _ => tracing::warn!(smtp, id, detail = %detail, "SMTP"),
    }
}

/// The NOTIFY endpoint takes no requests.
struct ClientOnly;

impl CallHandler for ClientOnly {
    fn handle_request(&self, _request: &rsip::Request, _ctx: &RequestContext) -> HandlerResponse {
        HandlerResponse::not_handled()
    }
}

impl Delivery {
    /// Opens the spool and starts its worker (with `smtp`), and binds the NOTIFY endpoint.
    /// Call inside the tokio runtime.
    pub async fn start(
        exchange: Arc<Exchange>,
        config: DeliveryConfig,
    ) -> Result<Delivery, DeliveryError> {
        let (shutdown, stopped) = watch::channel(false);
        let (events, _) = broadcast::channel(1024);
        let mut tasks = Vec::new();

        let server = config.mwi.server.clone();
        let mut mwi = Vec::new();
        for c in std::iter::once(config.mwi).chain(config.other_mwi) {
            let (sender, endpoint) = MwiSender::start(c, stopped.clone()).await?;
            mwi.push(sender);
            tasks.push(tokio::spawn(async move { endpoint.wait().await }));
        }

        let mut worker = None;
        let store = match &config.smtp {
            None => Store::Maildir(MaildirMailer::new(&config.mailboxes)),
            Some(smtp) => {
                let (mailer, w) = SpoolWorker::new(smtp, &config.spool)?;
                worker = Some(w);
                Store::Smtp(mailer)
            }
        };
        let inner = Arc::new(Inner {
            exchange,
            store,
            mailboxes: config.mailboxes,
            sender: config.sender,
            pending: Mutex::new(HashMap::new()),
            mwi,
            events,
            runtime: tokio::runtime::Handle::current(),
            mwi_tasks: Mutex::new(Vec::new()),
        });
        if let (Some(worker), Store::Smtp(mailer)) = (worker, &inner.store) {
            // Messages an earlier run left: remember whom the voice messages are for.
            let spool = mailer.spool();
            let mut pending = lock(&inner.pending);
            for id in spool.pending()? {
                if let Ok(msg) = spool.load(&id) {
                    if is_voice_message(&msg) {
                        pending.insert(id, msg.recipients);
                    }
                }
            }
            drop(pending);
            let (tx, mut rx) = mpsc::unbounded_channel();
            tasks.push(worker.with_events(tx).spawn(stopped.clone()));
            let inner2 = inner.clone();
            let span = tracing::info_span!("component", server = %server, component = "delivery");
            tasks.push(tokio::spawn(
                async move {
                    while let Some(event) = rx.recv().await {
                        inner2.on_spool_event(&event);
                        log_spool_event(&event);
                        let _ = inner2.events.send(DeliveryEvent::Smtp(event));
                    }
                }
                .instrument(span),
            ));
        }
        Ok(Delivery {
            inner,
            shutdown,
            tasks,
        })
    }

    /// The service as the [`Mailer`] the worker delivers through.
    pub fn mailer(&self) -> Arc<dyn Mailer> {
        self.inner.clone()
    }

    /// Events from now on (SMTP outcomes, MWI attempts).
    pub fn subscribe(&self) -> broadcast::Receiver<DeliveryEvent> {
        self.inner.events.subscribe()
    }

    /// Renders and delivers a voice message; MWI follows once it is in the mailbox.
    pub fn deliver_voice_message(&self, msg: &VoiceMessage) -> Result<DeliveryReceipt, MailError> {
        self.inner.deliver(msg.render(&self.inner.sender)?)
    }

    /// Renders and delivers a missed-call notification (no MWI).
    pub fn deliver_missed_call(&self, msg: &MissedCall) -> Result<DeliveryReceipt, MailError> {
        self.inner.deliver(msg.render(&self.inner.sender)?)
    }

    /// Stops the spool worker (after the send in progress), the MWI retries and the NOTIFY
    /// endpoint, and waits for them (at most `wait`).
    pub async fn shutdown(mut self, wait: Duration) {
        let _ = self.shutdown.send(true);
        for t in lock(&self.inner.mwi_tasks).drain(..) {
            t.abort();
        }
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(wait, t).await;
        }
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for t in lock(&self.inner.mwi_tasks).drain(..) {
            t.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A voice message (call answering) rather than a missed-call notification: the kind it was
/// built as (a spooled message loaded from disk: the kind its header says).
pub(crate) fn is_voice_message(msg: &OutgoingMessage) -> bool {
    msg.kind == Some(MessageKind::VoiceMessage)
}

impl Mailer for Inner {
    fn deliver(&self, msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError> {
        let voice = is_voice_message(&msg);
        let recipients = msg.recipients.clone();
        match &self.store {
            Store::Maildir(maildir) => {
                if recipients.is_empty() {
                    return Err(MailError::NoRecipients {
                        message_id: msg.message_id,
                    });
                }
                // Find every mailbox before writing anything: all copies or none.
                let mut dirs = Vec::new();
                for r in &recipients {
                    let user = self.user_by_mail(r)?;
                    dirs.push(self.maildir_of(r, &user)?);
                }
                let mut paths = Vec::new();
                for dir in &dirs {
                    paths.push(maildir.deliver_into(dir, &msg.bytes)?);
                }
                if voice {
                    self.start_mwi(&recipients);
                }
                Ok(DeliveryReceipt::Delivered { paths })
            }
            Store::Smtp(smtp) => {
                // Hold the lock across the enqueue: the worker may report the 250 before
                // `deliver` returns.
                let mut pending = lock(&self.pending);
                let receipt = smtp.deliver(msg)?;
                if let (true, DeliveryReceipt::Spooled { id, .. }) = (voice, &receipt) {
                    pending.insert(id.clone(), recipients);
                }
                Ok(receipt)
            }
        }
    }
}

impl Inner {
    fn on_spool_event(&self, event: &SpoolEvent) {
        let recipients = match event {
            SpoolEvent::Delivered { id, .. } => lock(&self.pending).remove(id),
            SpoolEvent::Failed { id, .. } => {
                lock(&self.pending).remove(id);
                None
            }
            _ => None,
        };
        if let Some(r) = recipients {
            self.start_mwi(&r);
        }
    }

    /// The directory user whose `mail` is `address` ([`recipient::user_by_mail`]).
    fn user_by_mail(&self, address: &str) -> Result<UmUser, MailError> {
        recipient::user_by_mail(self.exchange.dir.as_ref(), address).map_err(|reason| {
            MailError::Address {
                address: address.to_string(),
                reason,
            }
        })
    }

    /// The Maildir of the user's mailbox ([`UmContext::mailbox_of`]).
    fn maildir_of(&self, address: &str, user: &UmUser) -> Result<PathBuf, MailError> {
        let ctx = UmContext {
            hosts: None,
            mailboxes: Some(&self.mailboxes),
        };
        let mailbox = ctx.mailbox_of(user).ok_or_else(|| MailError::Address {
            address: address.to_string(),
            reason: format!(
                "user {} has no usable sAMAccountName for its lab mailbox folder",
                user.dn
            ),
        })?;
        Ok(mailbox.maildir())
    }

    fn start_mwi(self: &Inner, recipients: &[String]) {
        let Some(default) = self.mwi.first() else {
            return;
        };
        // Work out the targets now (directory reads are quick), send in the background.
        let mut jobs = Vec::new();
        for r in recipients {
            match self.mwi_targets(r) {
                Ok(j) => jobs.extend(j),
                Err(why) => default.log_line(None, TransportKind::Tcp, "-", &why),
            }
        }
        let mut tasks = lock(&self.mwi_tasks);
        tasks.retain(|t| !t.is_finished());
        for job in jobs {
            let sender = self.mwi.get(job.sender).unwrap_or(default).clone_parts();
            let events = self.events.clone();
            tasks.push(self.runtime.spawn(async move {
                sender.run(job, events).await;
            }));
        }
    }

    /// One job per gateway that takes MWI for the user's dial plan
    /// ([`recipient::mwi_targets`]), with the counts of the user's Maildir.
    fn mwi_targets(&self, address: &str) -> Result<Vec<MwiJob>, String> {
        let dir = self.exchange.dir.as_ref();
        let user = self.user_by_mail(address).map_err(|e| e.to_string())?;
        let targets = recipient::mwi_targets(dir, &user)?;
        let account = targets.account.clone();
        let summary = match &self.store {
            Store::Maildir(_) => {
                let dir = self.maildir_of(address, &user).map_err(|e| e.to_string())?;
                let (new, old) = MaildirMailer::count_in(&dir).map_err(|e| e.to_string())?;
                Summary::counted(account.clone(), new, old)
            }
            Store::Smtp(_) => Summary {
                account: account.clone(),
                waiting: true,
                voice: None,
            },
        };
        let org = lookup::organization(dir).map_err(|e| format!("no MWI for {account}: {e}"))?;
        let sender = self.sender_for(&user, &org);
        Ok(targets
            .gateways
            .into_iter()
            .map(|gw| MwiJob {
                sender,
                to: self
                    .resolve(&gw.address)
                    .map(|ip| SocketAddr::new(ip, gw.port)),
                gateway: gw.name,
                transport: targets.transport,
                summary: summary.clone(),
            })
            .collect())
    }

    /// Which of the MWI senders is the user's mailbox server (msExchHomeServerName); the
    /// first when it is none of them.
    fn sender_for(&self, user: &UmUser, org: &crate::directory::model::ExchangeOrg) -> usize {
        let Some(legacy) = user.home_server.as_deref() else {
            return 0;
        };
        let Ok(servers) = lookup::exchange_servers(self.exchange.dir.as_ref(), org) else {
            return 0;
        };
        servers
            .iter()
            .find(|s| s.has_legacy_dn(legacy))
            .and_then(|home| {
                self.mwi
                    .iter()
                    .position(|m| m.server.eq_ignore_ascii_case(&home.name))
            })
            .unwrap_or(0)
    }

    /// A gateway address: an IP, a lab hosts-table FQDN, or what the system resolver says.
    fn resolve(&self, address: &str) -> Result<IpAddr, String> {
        if let Ok(ip) = address.parse::<IpAddr>() {
            return Ok(ip);
        }
        if let Some(table) = &self.exchange.hosts {
            return table
                .lookup(address)
                .map(IpAddr::V4)
                .ok_or_else(|| format!("{address} is not in the lab's hosts table"));
        }
        (address, 0)
            .to_socket_addrs()
            .map_err(|e| format!("{address}: {e}"))?
            .map(|a| a.ip())
            .next()
            .ok_or_else(|| format!("{address} has no address"))
    }
}

/// One gateway to notify.
struct MwiJob {
    /// The index of the MWI sender (the user's mailbox server).
    sender: usize,
    gateway: String,
    to: Result<SocketAddr, String>,
    transport: TransportKind,
    summary: Summary,
}

impl MwiSender {
    /// Binds the client-only NOTIFY endpoint on the server's address.
    async fn start(
        config: MwiConfig,
        stopped: watch::Receiver<bool>,
    ) -> Result<(MwiSender, Endpoint), DeliveryError> {
        let tls = config.tls.map(|(server, client)| TlsListen {
            bind: SocketAddr::new(config.local, 0),
            server,
            client: Some(client),
        });
        let endpoint = Endpoint::start(
            EndpointConfig {
                bind: Some(SocketAddr::new(config.local, 0)),
                udp: false,
                tcp: true,
                tls,
                timers: config.timers,
                // One line per attempt, with what it was for, comes from the sender.
                log_transactions: false,
                ..EndpointConfig::default()
            },
            Arc::new(ClientOnly),
            stopped,
        )
        .await
        .map_err(|source| DeliveryError::Bind {
            address: config.local,
            source,
        })?;
        let addrs = endpoint.addrs();
        let span = tracing::info_span!("component", server = %config.server, component = "worker");
        let sender = MwiSender {
            server: config.server,
            endpoint: endpoint.handle(),
            tcp: addrs.tcp,
            tls: addrs.tls,
            from: config.from,
            schedule: config.schedule,
            span,
            ids: IdGenerator::new(),
        };
        Ok((sender, endpoint))
    }

    fn clone_parts(&self) -> MwiSender {
        MwiSender {
            server: self.server.clone(),
            endpoint: self.endpoint.clone(),
            tcp: self.tcp,
            tls: self.tls,
            from: self.from.clone(),
            schedule: self.schedule,
            span: self.span.clone(),
            ids: IdGenerator::new(),
        }
    }

    /// One line in serve's log format (an outgoing NOTIFY).
    fn log_line(&self, to: Option<SocketAddr>, transport: TransportKind, call_id: &str, d: &str) {
        self.log_record(LogRecord {
            role: Role::Client,
            method: "NOTIFY".into(),
            call_id: call_id.to_string(),
            peer: to.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
            transport,
            status: None,
            outcome: "not_sent".into(),
            duration_ms: 0,
            branch: None,
            detail: Some(d.to_string()),
        });
    }

    fn log_record(&self, record: LogRecord) {
        self.span.in_scope(|| record.emit());
    }

    /// Sends the NOTIFY to one gateway until a 2xx or the schedule gives up.
    async fn run(self, job: MwiJob, events: broadcast::Sender<DeliveryEvent>) {
        let local = match job.transport {
            TransportKind::Tls => self.tls,
            _ => self.tcp,
        };
        let call_id = self
            .ids
            .call_id(&local.map(|a| a.ip().to_string()).unwrap_or_default());
        let from_tag = self.ids.tag();
        let first = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let (to, status, outcome, why) = match (&job.to, local) {
                (Err(e), _) => (None, None, "not_sent", e.clone()),
                (Ok(to), None) => (
                    Some(*to),
                    None,
                    "not_sent",
                    "no TLS certificate for MWI over TLS".to_string(),
                ),
                (Ok(to), Some(local)) => {
                    let params = NotifyParams {
                        from: self.from.clone(),
                        local,
                        transport: job.transport,
                        call_id: call_id.clone(),
                        from_tag: from_tag.clone(),
                        branch: self.ids.branch(),
                        cseq: attempt,
                    };
                    match mwi::notify(&params, &job.summary) {
                        Err(e) => (Some(*to), None, "not_sent", e.to_string()),
                        Ok(req) => match self.endpoint.request(req, *to, job.transport).await {
                            Ok(resp) => {
                                let code = resp.status_code.code();
                                (Some(*to), Some(code), "completed", String::new())
                            }
                            Err(e) => (Some(*to), None, "failed", e.to_string()),
                        },
                    }
                }
            };
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            let retry_in = if ok {
                None
            } else {
                self.schedule.next_delay(attempt, first.elapsed())
            };
            let counts = match job.summary.voice {
                Some((n, o)) => format!("{n}/{o}"),
                None => "uncounted".into(),
            };
            let mut detail = format!(
                "MWI {} via gateway {} attempt {attempt}, new/old {counts}",
                job.summary.account, job.gateway
            );
            if !why.is_empty() {
                detail.push_str(&format!(": {why}"));
            }
            if !ok {
                match retry_in {
                    Some(d) => detail.push_str(&format!("; retry in {}ms", d.as_millis())),
                    None => detail.push_str("; giving up"),
                }
            }
            self.log_record(LogRecord {
                role: Role::Client,
                method: "NOTIFY".into(),
                call_id: call_id.clone(),
                peer: to.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
                transport: job.transport,
                status,
                outcome: outcome.into(),
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                branch: None,
                detail: Some(detail),
            });
            let _ = events.send(DeliveryEvent::Mwi(MwiAttempt {
                account: job.summary.account.clone(),
                gateway: job.gateway.clone(),
                to,
                attempt,
                status,
                summary: job.summary.clone(),
                retry_in,
            }));
            match retry_in {
                Some(d) => tokio::time::sleep(d).await,
                None => return,
            }
        }
    }
}
