//! The certificates of a live TLS trace: [`CertificateWatch`] is the caller's TLS client
//! check. Before each INVITE the trace says which party it dials at which FQDN
//! ([`CertificateWatch::dialling`]); every chain a server then offers is judged by
//! `um::certificate::judge` against the trust anchors (`--ca-file`, else the lab CA), kept for
//! the hop, and a failing one refuses the TLS connection, as Lync does. [`hop_lines`] turns
//! what was seen into the hop's lines (the certificate, warnings with their fix).
//!
//! [`check_server`] is the same judgement for one listener without a call (`doctor --tls`):
//! connect, take the chain offered, close, judge. It sends nothing over the connection.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};

use super::{HopCertificate, Party};
use crate::directory::model::ExchangeServer;
use crate::serve::plan::stages_of;
use crate::sip::transport::tls::{fetch_chain, ChainInspector};
use crate::um::certificate::{judge, CertificateCheck, FindingKind, Severity};
use crate::um::{ExchangePorts, Stage};

/// The caller's view of the servers' certificates during one live call.
pub struct CertificateWatch {
    anchors: Vec<CertificateDer<'static>>,
    anchors_name: String,
    dialling: Mutex<Option<(Party, String)>>,
    seen: Mutex<Vec<HopCertificate>>,
}

impl CertificateWatch {
    /// Judges against `anchors`, called `anchors_name` in reports.
    pub fn new(anchors: Vec<CertificateDer<'static>>, anchors_name: &str) -> Arc<Self> {
        Arc::new(CertificateWatch {
            anchors,
            anchors_name: anchors_name.to_string(),
            dialling: Mutex::new(None),
            seen: Mutex::new(Vec::new()),
        })
    }

    /// The next TLS connection is to `party`, dialled as `fqdn`.
    pub fn dialling(&self, party: Party, fqdn: &str) {
        if let Ok(mut d) = self.dialling.lock() {
            *d = Some((party, fqdn.to_string()));
        }
    }

    /// The check for the TLS client configuration.
    pub fn inspector(self: &Arc<Self>) -> Arc<ChainInspector> {
        let watch = self.clone();
        Arc::new(move |chain: &[CertificateDer<'_>]| watch.inspect(chain))
    }

    fn inspect(&self, chain: &[CertificateDer<'_>]) -> Result<(), String> {
        let Some((party, fqdn)) = self.dialling.lock().ok().and_then(|d| d.clone()) else {
            return Err("a TLS connection nobody dialled".into());
        };
        let check = judge(
            chain,
            &fqdn,
            &self.anchors,
            &self.anchors_name,
            UnixTime::now(),
        );
        let refused = check.failure().map(|f| f.why.clone());
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(HopCertificate { party, check });
        }
        refused.map_or(Ok(()), Err)
    }

    /// Every certificate judged so far, in order.
    pub fn seen(&self) -> Vec<HopCertificate> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The failing check of `party`'s certificate, if its connection was refused for it.
    pub fn failure_of(&self, party: Party) -> Option<HopCertificate> {
        self.seen()
            .into_iter()
            .find(|c| c.party == party && c.check.failure().is_some())
    }
}

/// The trace hop of a party's certificate: the call router's and the UM service's are hop 6
/// (signalling), the worker's hop 7 (who answers).
pub fn hop_of(party: Party) -> u8 {
    if party == Party::Worker {
        7
    } else {
        6
    }
}

/// The lines a hop shows for one certificate: what was offered, then each warning and its fix.
pub fn hop_lines(c: &HopCertificate) -> Vec<String> {
    let mut lines = vec![match &c.check.offered {
        Some(info) => format!(
            "TLS certificate of the {} ({}): {}",
            c.party.label(),
            c.check.dialled,
            info.summary()
        ),
        None => format!(
            "TLS certificate of the {} ({}): none readable",
            c.party.label(),
            c.check.dialled
        ),
    }];
    for w in c.check.warnings() {
        lines.push(format!("WARNING: {} Fix: {}", w.why, w.fix));
    }
    lines
}

/// Connects to the TLS listener at `addr` as a client dialling `fqdn` (read-only: the
/// handshake, then the connection is closed) and judges the chain it offers against
/// `anchors`. A listener that cannot be reached is a failing finding naming the address.
pub async fn check_server(
    fqdn: &str,
    addr: SocketAddr,
    anchors: &[CertificateDer<'static>],
    anchors_name: &str,
    timeout: Duration,
) -> CertificateCheck {
    match fetch_chain(addr, fqdn, timeout).await {
        Ok(chain) => judge(&chain, fqdn, anchors, anchors_name, UnixTime::now()),
        Err(e) => unreachable(
            fqdn,
            format!("No TLS handshake with {fqdn} at {addr}: {e}."),
            format!(
                "Check that the UM service listens for TLS on {addr} (UMStartupMode TLS or Dual: Set-UMService / Set-UMCallRouterSettings -UMStartupMode Dual, then restart it)"
            ),
        ),
    }
}

fn unreachable(fqdn: &str, why: String, fix: String) -> CertificateCheck {
    CertificateCheck {
        dialled: fqdn.to_string(),
        offered: None,
        findings: vec![crate::um::certificate::Finding {
            kind: FindingKind::Unreachable,
            severity: Severity::Fail,
            why,
            fix,
        }],
    }
}

/// One TLS listener `doctor --tls` checks: a server's call router or UM service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The Exchange server's name (`EX-CAS01`).
    pub server: String,
    pub stage: Stage,
    /// The FQDN dialled (what the certificate must name).
    pub fqdn: String,
    /// Where it listens, or why that is not known (no FQDN, no address).
    pub addr: Result<SocketAddr, String>,
}

impl Listener {
    /// The listener as the report names it: `EX-CAS01 UM call router at 127.0.0.11:5061`.
    pub fn name(&self) -> String {
        let what = match self.stage {
            Stage::CallRouter => "UM call router",
            Stage::UmService => "UM service",
            Stage::Worker => "UM worker",
        };
        match &self.addr {
            Ok(a) => format!("{} {what} at {a}", self.server),
            Err(_) => format!("{} {what}", self.server),
        }
    }
}

/// The TLS listeners of the Exchange servers: each Client Access server's UM call router
/// (5061) and each UM mailbox server's UM service (5063), both plus `offset` (as `serve
/// --port-offset`), at the address `address_of` gives the server's FQDN (the lab's hosts
/// table, or DNS). A server whose UMStartupMode is TCP has none (doctor's startup-mode check
/// names that).
pub fn listeners(
    servers: &[ExchangeServer],
    offset: u16,
    address_of: &dyn Fn(&str) -> Result<IpAddr, String>,
) -> Vec<Listener> {
    let mut out = Vec::new();
    for s in servers {
        if s.startup_mode.is_some_and(|m| !m.accepts_tls()) {
            continue;
        }
        for stage in stages_of(s) {
            if stage == Stage::Worker {
                continue;
            }
            let port = ExchangePorts::of(stage).1.saturating_add(offset);
            let (fqdn, addr) = match &s.fqdn {
                Some(fqdn) => (
                    fqdn.to_ascii_lowercase(),
                    address_of(fqdn).map(|ip| SocketAddr::new(ip, port)),
                ),
                None => (
                    s.name.clone(),
                    Err(format!("{} has no FQDN (dNSHostName)", s.name)),
                ),
            };
            out.push(Listener {
                server: s.name.clone(),
                stage,
                fqdn,
                addr,
            });
        }
    }
    out
}

/// [`check_server`] for every listener at once (each a task of the current runtime), in the
/// listeners' order.
pub async fn check_listeners(
    listeners: &[Listener],
    anchors: &[CertificateDer<'static>],
    anchors_name: &str,
    timeout: Duration,
) -> Vec<CertificateCheck> {
    let anchors: Arc<[CertificateDer<'static>]> = anchors.into();
    let tasks: Vec<_> = listeners
        .iter()
        .map(|l| {
            let (l, anchors, name) = (l.clone(), anchors.clone(), anchors_name.to_string());
            tokio::spawn(async move {
                match &l.addr {
                    Ok(addr) => check_server(&l.fqdn, *addr, &anchors, &name, timeout).await,
                    Err(why) => unreachable(
                        &l.fqdn,
                        format!("No TLS handshake with {}: {why}.", l.fqdn),
                        format!(
                            "Give {} an FQDN that resolves to its address (DNS, or `umctl lab hosts` in the lab)",
                            l.server
                        ),
                    ),
                }
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for (task, l) in tasks.into_iter().zip(listeners) {
        out.push(task.await.unwrap_or_else(|e| {
            unreachable(
                &l.fqdn,
                format!("The TLS check of {} stopped: {e}.", l.name()),
                "Run umctl doctor --tls again".into(),
            )
        }));
    }
    out
}
