//! SMTP delivery with a spool in front, so nothing is lost while the server is down.
//!
//! [`SmtpMailer::deliver`] only writes the message into the [`Spool`] (atomically, fsynced)
//! and wakes the [`SpoolWorker`]; the worker, a tokio task, sends waiting messages with
//! `lettre` (plain SMTP, STARTTLS when the server offers it, or required with
//! [`TlsMode::Required`]; rustls with ring and the system roots plus any extra CA). Outcomes:
//! - accepted: the spool file is removed;
//! - temporary failure (connection refused, timeout, TLS trouble, 4xx): the file stays and is
//!   retried with exponential backoff ([`Backoff`], 1 s doubling to 5 min by default);
//! - permanent refusal (5xx): the file moves to `failed/` with a `.reason` file.
//!
//! The worker scans the spool when it starts (so messages survive a restart), after every
//! enqueue, when a retry is due, and once a minute; it stops when the `watch` shutdown channel
//! says `true` (or its sender is dropped), after finishing the send in progress. Delivery is
//! at least once: a crash between the server's "250" and the removal resends the message.
//! Run one worker per spool directory (two would send the same files twice).
//! This is the only socket code in `mail/`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::spool::{Spool, SpoolId};
use super::{local_hostname, DeliveryReceipt, MailError, Mailer, OutgoingMessage};

/// The port of `smtp://host` without one.
pub const DEFAULT_SMTP_PORT: u16 = 25;

/// How often the worker rescans the spool when it has nothing scheduled.
const IDLE_RESCAN: Duration = Duration::from_secs(60);

/// Whether to use STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Use STARTTLS when the server offers it, plain SMTP otherwise (the default).
    #[default]
    Opportunistic,
    /// Refuse to send unless STARTTLS succeeds.
    Required,
    /// Never use TLS (a lab server with a broken certificate).
    Plain,
}

/// Retry schedule after temporary failures: `initial`, doubling, capped at `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th consecutive temporary failure (1-based).
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1u32 << failures.saturating_sub(1).min(20);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Extra trusted CA certificates (PEM), e.g. the lab CA; the system roots are always used.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// Name for EHLO; this machine's host name by default.
    pub hello_name: Option<String>,
    /// Per-command network timeout.
    pub timeout: Duration,
    pub backoff: Backoff,
}

impl SmtpConfig {
    /// Parse `smtp://host[:port]` (IPv6 in brackets). No credentials, path or query.
    pub fn from_url(value: &str) -> Result<Self, MailError> {
        let bad = |reason: &str| MailError::SmtpUrl {
            value: value.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = value.split_once("://").ok_or_else(|| bad("no scheme"))?;
        if !scheme.eq_ignore_ascii_case("smtp") {
            return Err(bad(&format!(
                "scheme {scheme:?} is not supported (STARTTLS is used when offered)"
            )));
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains('@') {
            return Err(bad("credentials are not supported"));
        }
        if authority.contains(['/', '?', '#']) {
            return Err(bad("a path, query or fragment is not allowed"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None if after.is_empty() => (host, None),
                None => return Err(bad("junk after ]")),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            None => DEFAULT_SMTP_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(&format!("port {p:?} is not 1-65535")))?,
        };
        Ok(SmtpConfig {
            host: host.to_string(),
            port,
            tls: TlsMode::default(),
            extra_roots_pem: Vec::new(),
            hello_name: None,
            timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
        })
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let tls_error = |reason: String| MailError::Tls {
            server: self.server(),
            reason,
        };
        let tls = if self.tls == TlsMode::Plain {
            Tls::None
        } else {
            let mut params = TlsParameters::builder(self.host.clone());
            for pem in &self.extra_roots_pem {
                let found = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| tls_error(format!("extra CA is not valid PEM: {e}")))?;
                if found.is_empty() {
                    return Err(tls_error(
                        "extra CA holds no certificate; expected PEM \"BEGIN CERTIFICATE\" blocks"
                            .to_string(),
                    ));
                }
                let cert = Certificate::from_pem(pem).map_err(|e| tls_error(e.to_string()))?;
                params = params.add_root_certificate(cert);
            }
            let params = params
                .build_rustls()
                .map_err(|e| tls_error(e.to_string()))?;
            match self.tls {
                TlsMode::Required => Tls::Required(params),
                _ => Tls::Opportunistic(params),
            }
        };
        let hello = self.hello_name.clone().unwrap_or_else(local_hostname);
        Ok(
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.clone())
                .port(self.port)
                .tls(tls)
                .hello_name(ClientId::Domain(hello))
                .timeout(Some(self.timeout))
                .build(),
        )
    }
}

/// The [`Mailer`] for SMTP: spools and wakes the worker. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    spool: Arc<Spool>,
    wake: Arc<Notify>,
}

impl SmtpMailer {
    /// The spool this mailer writes to.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }
}

impl Mailer for SmtpMailer {
    fn deliver(&self, msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError> {
        let id = self.spool.enqueue(&msg)?;
        self.wake.notify_one();
        Ok(DeliveryReceipt::Spooled {
            path: self.spool.path(&id),
            id,
        })
    }
}

/// What the worker did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpoolEvent {
    /// The server accepted the message; the spool file is gone.
    Delivered { id: SpoolId, message_id: String },
    /// A temporary failure; the message is retried after `retry_in`.
    Deferred {
        id: SpoolId,
        failures: u32,
        retry_in: Duration,
        reason: String,
    },
    /// A permanent refusal; the message is in `failed/`.
    Failed { id: SpoolId, reason: String },
    /// The spool itself could not be read or updated.
    SpoolTrouble { reason: String },
}

impl SpoolEvent {
    /// The outcome as one word for logs: `delivered`, `deferred`, `failed`, `spool_trouble`.
    pub fn kind(&self) -> &'static str {
        match self {
            SpoolEvent::Delivered { .. } => "delivered",
            SpoolEvent::Deferred { .. } => "deferred",
            SpoolEvent::Failed { .. } => "failed",
            SpoolEvent::SpoolTrouble { .. } => "spool_trouble",
        }
    }

    /// The spooled message it is about (none for spool trouble).
    pub fn id(&self) -> Option<&SpoolId> {
        match self {
            SpoolEvent::Delivered { id, .. }
            | SpoolEvent::Deferred { id, .. }
            | SpoolEvent::Failed { id, .. } => Some(id),
            SpoolEvent::SpoolTrouble { .. } => None,
        }
    }
}

/// The outcome as a sentence for logs.
impl std::fmt::Display for SpoolEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpoolEvent::Delivered { id, message_id } => {
                write!(f, "delivered {id} message-id={message_id}")
            }
            SpoolEvent::Deferred {
                id,
                failures,
                retry_in,
                reason,
            } => write!(
                f,
                "deferred {id} attempt {failures}, retry in {}ms: {reason}",
                retry_in.as_millis()
            ),
            SpoolEvent::Failed { id, reason } => {
                write!(f, "failed {id} (moved to failed/): {reason}")
            }
            SpoolEvent::SpoolTrouble { reason } => write!(f, "spool trouble: {reason}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Retry {
    failures: u32,
    next_at: Instant,
}

/// The background sender; see the module doc.
pub struct SpoolWorker {
    spool: Arc<Spool>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
    backoff: Backoff,
    wake: Arc<Notify>,
    events: Option<mpsc::UnboundedSender<SpoolEvent>>,
    retries: HashMap<SpoolId, Retry>,
}

impl SpoolWorker {
    /// Open the spool at `spool_dir` and build the mailer and its worker (not yet running).
    pub fn new(
        config: &SmtpConfig,
        spool_dir: impl Into<PathBuf>,
    ) -> Result<(SmtpMailer, SpoolWorker), MailError> {
        let spool = Arc::new(Spool::open(spool_dir)?);
        let wake = Arc::new(Notify::new());
        let worker = SpoolWorker {
            spool: spool.clone(),
            transport: config.transport()?,
            server: config.server(),
            backoff: config.backoff,
            wake: wake.clone(),
            events: None,
            retries: HashMap::new(),
        };
        Ok((SmtpMailer { spool, wake }, worker))
    }

    /// Report every outcome on `events`.
    pub fn with_events(mut self, events: mpsc::UnboundedSender<SpoolEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// Run on the current tokio runtime until `shutdown` is `true` or its sender is dropped.
    pub fn spawn(self, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(self.run(shutdown))
    }

    /// The worker loop (see the module doc).
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let pending = match self.spool.pending() {
                Ok(p) => p,
                Err(e) => {
                    self.emit(SpoolEvent::SpoolTrouble {
                        reason: e.to_string(),
                    });
                    Vec::new()
                }
            };
            self.retries.retain(|id, _| pending.contains(id));
            for id in &pending {
                if *shutdown.borrow() {
                    return;
                }
                let due = self
                    .retries
                    .get(id)
                    .is_none_or(|r| r.next_at <= Instant::now());
                if due {
                    self.attempt(id).await;
                }
            }
            let next = self
                .retries
                .values()
                .map(|r| r.next_at)
                .min()
                .unwrap_or_else(|| Instant::now() + IDLE_RESCAN);
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = self.wake.notified() => {}
                () = tokio::time::sleep_until(next) => {}
            }
        }
    }

    async fn attempt(&mut self, id: &SpoolId) {
        let msg = match self.spool.load(id) {
            Ok(msg) => msg,
            Err(e @ MailError::SpoolFormat { .. }) => {
                self.give_up(id, e.to_string());
                return;
            }
            Err(MailError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return;
            }
            Err(e) => {
                self.defer(id, e.to_string());
                return;
            }
        };
        let envelope = match envelope(&msg) {
            Ok(env) => env,
            Err(reason) => {
                self.give_up(id, reason);
                return;
            }
        };
        match self.transport.send_raw(&envelope, &msg.bytes).await {
            Ok(_) => {
                if let Err(e) = self.spool.remove(id) {
                    self.emit(SpoolEvent::SpoolTrouble {
                        reason: e.to_string(),
                    });
                }
                self.retries.remove(id);
                self.emit(SpoolEvent::Delivered {
                    id: id.clone(),
                    message_id: msg.message_id,
                });
            }
            Err(e) => {
                let err = MailError::Smtp {
                    server: self.server.clone(),
                    reason: e.to_string(),
                    permanent: e.is_permanent(),
                };
                if e.is_permanent() {
                    self.give_up(id, err.to_string());
                } else {
                    self.defer(id, err.to_string());
                }
            }
        }
    }

    fn defer(&mut self, id: &SpoolId, reason: String) {
        let failures = self.retries.get(id).map_or(0, |r| r.failures) + 1;
        let retry_in = self.backoff.delay(failures);
        self.retries.insert(
            id.clone(),
            Retry {
                failures,
                next_at: Instant::now() + retry_in,
            },
        );
        self.emit(SpoolEvent::Deferred {
            id: id.clone(),
            failures,
            retry_in,
            reason,
        });
    }

    fn give_up(&mut self, id: &SpoolId, reason: String) {
        self.retries.remove(id);
        match self.spool.fail(id, &reason) {
            Ok(_) => self.emit(SpoolEvent::Failed {
                id: id.clone(),
                reason,
            }),
            Err(e) => {
                self.emit(SpoolEvent::SpoolTrouble {
                    reason: e.to_string(),
                });
                // Keep it from being retried in a tight loop.
                self.defer(id, reason);
            }
        }
    }

    fn emit(&self, event: SpoolEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }
}

fn envelope(msg: &OutgoingMessage) -> Result<Envelope, String> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| format!("address {a:?} is not usable for SMTP: {e}"))
    };
    let from = parse(&msg.envelope_from)?;
    let to = msg
        .recipients
        .iter()
        .map(|r| parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), to).map_err(|e| format!("bad envelope: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=11).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(300));
    }

    #[test]
    fn smtp_urls() {
        let c = SmtpConfig::from_url("smtp://mail.contoso.lab:2525").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("mail.contoso.lab", 2525));
        assert_eq!(c.tls, TlsMode::Opportunistic);
        let c = SmtpConfig::from_url("SMTP://127.0.0.1/").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 25));
        let c = SmtpConfig::from_url("smtp://[::1]:587").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.server()),
            ("::1", 587, "[::1]:587".into())
        );
        for (bad, says) in [
            ("mail.contoso.lab", "no scheme"),
            ("smtps://h:465", "\"smtps\""),
            ("smtp://u:p@h", "credentials"),
            ("smtp://h:0", "1-65535"),
            ("smtp://h:99999", "1-65535"),
            ("smtp://:25", "no host"),
            ("smtp://h/x", "path"),
        ] {
            let err = SmtpConfig::from_url(bad).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn a_bad_ca_file_is_refused_naming_the_server() {
        let mut c = SmtpConfig::from_url("smtp://127.0.0.1:2525").unwrap();
        c.extra_roots_pem = vec![b"not a certificate".to_vec()];
        let dir = tempfile::tempdir().unwrap();
        let err = SpoolWorker::new(&c, dir.path()).err().unwrap().to_string();
        assert!(err.contains("127.0.0.1:2525"), "{err}");
    }

    #[tokio::test]
    async fn a_refused_connection_defers_and_keeps_the_message() {
        // Nothing listens on a port we just released: connection refused, a temporary failure.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut c = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        c.backoff = Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(40),
        };
        let dir = tempfile::tempdir().unwrap();
        let (mailer, worker) = SpoolWorker::new(&c, dir.path()).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(false);
        let task = worker.with_events(tx).spawn(stopped);
        let receipt = mailer
            .deliver(OutgoingMessage {
                message_id: "m@contoso.lab".into(),
                envelope_from: "um@contoso.lab".into(),
                recipients: vec!["bob@contoso.lab".into()],
                bytes: b"Subject: x\r\n\r\nx\r\n".to_vec(),
                kind: None,
            })
            .unwrap();
        let DeliveryReceipt::Spooled { id, path } = receipt else {
            panic!("expected Spooled");
        };
        let mut failures = Vec::new();
        while failures.len() < 3 {
            match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
                Ok(Some(SpoolEvent::Deferred {
                    id: got,
                    failures: n,
                    retry_in,
                    reason,
                })) => {
                    assert_eq!(got, id);
                    assert!(reason.contains(&format!("127.0.0.1:{port}")), "{reason}");
                    failures.push((n, retry_in));
                }
                other => panic!("expected Deferred, got {other:?}"),
            }
        }
        assert_eq!(
            failures,
            vec![
                (1, Duration::from_millis(20)),
                (2, Duration::from_millis(40)),
                (3, Duration::from_millis(40))
            ]
        );
        assert!(path.is_file());
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
        assert!(path.is_file());
    }
}
