//! `umctl serve`: opens the directory (the lab with its hosts table and mailbox folders, or a
//! real AD with `--ldap` and `--server`), plans the components, starts them (`crate::serve`),
//! prints the one JSON line naming every listener on stdout (the log on stderr is `tracing`'s,
//! set up by `cli::log`: one line per SIP transaction, call, SMTP outcome, MWI attempt),
//! delivers messages to the lab Maildir or `--smtp`, and on Ctrl-C / SIGTERM stops taking
//! calls, sends BYE to the active ones and exits 0.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::args::{GlobalArgs, ServeArgs, StartupModeArg};
use crate::cli::target::{connect_ldap, lab_root, open_lab_in_memory};
use crate::cli::UsageError;
use crate::directory::lab::HostsTable;
use crate::directory::lookup;
use crate::directory::Directory;
use crate::mail::SmtpConfig;
use crate::serve::{
    self, Exchange, MailOptions, Ports, ServeError, ServeOptions, ServerPlan, StartupMode,
    TlsSource,
};
use crate::sip::overload::Overload;
use crate::sip::transport::certs::LabCa;
use crate::sip::transport::ConnectionLimits;
use crate::um::certificate::judge_own;
use crate::um::BoundPorts;

/// How long the BYEs of the active calls may take at shutdown.
const BYE_WAIT: Duration = Duration::from_secs(3);

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if global.ldap.is_some() && args.server.is_none() {
        bail!(UsageError(
            "--ldap needs --server NAME: serve runs the components of the one Exchange server this machine stands in for, on the address its FQDN resolves to".into()
        ));
    }
    let smtp = smtp_config(args)?;
    let mode = match args.startup_mode {
        StartupModeArg::Tcp => StartupMode::Tcp,
        StartupModeArg::Tls => StartupMode::Tls,
        StartupModeArg::Dual => StartupMode::Dual,
    };
    let ports = if args.ephemeral_ports {
        Ports::Ephemeral
    } else {
        Ports::Offset(args.port_offset.unwrap_or(0))
    };

    let (dir, hosts, mailboxes, recordings) = open_directory(global)?;
    let org = lookup::organization(dir.as_ref())?;
    let servers = lookup::exchange_servers(dir.as_ref(), &org)?;
    let address_of = |fqdn: &str| -> Result<IpAddr, ServeError> {
        match &hosts {
            Some(table) => {
                table
                    .lookup(fqdn)
                    .map(IpAddr::V4)
                    .ok_or_else(|| ServeError::NoAddress {
                        fqdn: fqdn.to_string(),
                        why: "it is not in the lab's hosts table (see `umctl lab hosts`)".into(),
                    })
            }
            None => resolve(fqdn),
        }
    };
    let plans = serve::plan(&servers, args.server.as_deref(), mode, ports, &address_of)?;

    let tls = if mode.tls() {
        Some(tls_source(global, args)?)
    } else {
        None
    };
    if let Some(serve::TlsSource::Files { chain_pem, .. }) = &tls {
        warn_own_certificate(chain_pem, &plans);
    }
    let exchange = Arc::new(Exchange::new(
        dir,
        hosts,
        mailboxes,
        Arc::new(match ports {
            Ports::Offset(n) => BoundPorts::with_offset(n),
            Ports::Ephemeral => BoundPorts::new(),
        }),
    ));
    let options = ServeOptions {
        max_calls: usize::from(args.max_calls),
        connections: connection_limits(args)?,
        overload: Overload {
            max_pending: args.max_pending_requests as usize,
            ..Overload::default()
        },
        tls,
        mail: MailOptions::for_lab(&lab_root(global)?, smtp),
        recordings,
        records: Some(serve::RecordsOptions {
            dir: crate::cli::report::calls_dir(global, args.data_dir.as_ref())?,
            keep_days: args.keep_days,
            on_record: None,
        }),
        metrics: metrics_addr(args)?,
        clock: args.test_clock,
        preview: preview_options(args)?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_until_stopped(
        &plans,
        exchange,
        options,
        args.drain_timeout,
    ))?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(ExitCode::SUCCESS)
}

/// The directory serve answers from, with the lab's hosts table, mailboxes and recordings
/// folder (none of them over `--ldap`).
type Opened = (
    Arc<dyn Directory>,
    Option<HostsTable>,
    Option<PathBuf>,
    Option<PathBuf>,
);

fn open_directory(global: &GlobalArgs) -> anyhow::Result<Opened> {
    if global.ldap.is_some() {
        return Ok((Arc::new(connect_ldap(global)?), None, None, None));
    }
    // serve answers calls for hours: the whole forest in memory makes each lookup a hash
    // probe (the on-disk index is for commands that read a few objects and exit).
    let lab = open_lab_in_memory(global)?;
    let hosts = lab.hosts().context("reading the lab's hosts table")?;
    let mailboxes = lab.paths().mailboxes();
    let recordings = lab.paths().root().join("recordings");
    Ok((
        Arc::new(lab),
        Some(hosts),
        Some(mailboxes),
        Some(recordings),
    ))
}

/// `--metrics`: where the Prometheus page listens.
fn metrics_addr(args: &ServeArgs) -> anyhow::Result<Option<SocketAddr>> {
    let Some(m) = args.metrics.as_deref() else {
        return Ok(None);
    };
    match serve::metrics::parse_addr(m) {
        Some(addr) => Ok(Some(addr)),
        None => bail!(UsageError(format!(
            "--metrics '{m}': expected PORT (for 127.0.0.1:PORT) or HOST:PORT, e.g. 9464 or 127.0.0.1:9464"
        ))),
    }
}

/// `--max-connections` and `--max-connections-per-address`.
fn connection_limits(args: &ServeArgs) -> anyhow::Result<ConnectionLimits> {
    ConnectionLimits::with_counts(
        args.max_connections as usize,
        args.max_connections_per_address as usize,
    )
    .map_err(|e| {
        UsageError(format!(
            "--max-connections-per-address {}: {e}",
            args.max_connections_per_address
        ))
        .into()
    })
}

/// Starts every component, prints the JSON line, then runs until Ctrl-C / SIGTERM: drain for
/// up to `drain_timeout` seconds (a second signal stops at once), then BYE to what is left.
async fn run_until_stopped(
    plans: &[ServerPlan],
    exchange: Arc<Exchange>,
    options: ServeOptions,
    drain_timeout: u64,
) -> anyhow::Result<()> {
    let running = serve::start(plans, exchange, options).await?;
    for line in &running.recovered {
        tracing::info!("{line}");
    }
    let line = serde_json::to_string(&running.report)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    wait_for_stop().await?;
    let drain = Duration::from_secs(drain_timeout);
    if drain > Duration::ZERO {
        tracing::info!(
            "draining: 503 to new calls, {} active call(s) may finish within {}s (signal again to stop now)",
            running.active_calls(),
            drain_timeout
        );
    }
    tokio::select! {
        () = running.drain(drain) => {}
        r = wait_for_stop() => r?,
    }
    let active = running.active_calls();
    let hung_up = running.shutdown(BYE_WAIT).await;
    tracing::info!("stopped; {active} active call(s), {hung_up} ended with BYE");
    Ok(())
}

/// `--smtp` (checked before anything starts) and `--smtp-ca`.
fn smtp_config(args: &ServeArgs) -> anyhow::Result<Option<SmtpConfig>> {
    let Some(url) = &args.smtp else {
        return Ok(None);
    };
    let mut config = SmtpConfig::from_url(url).map_err(|e| UsageError(e.to_string()))?;
    if let Some(ca) = &args.smtp_ca {
        let pem = std::fs::read(ca).map_err(|e| {
            UsageError(format!(
                "cannot read the --smtp-ca file {}: {e}; expected a PEM CA certificate",
                ca.display()
            ))
        })?;
        config.extra_roots_pem.push(pem);
    }
    Ok(Some(config))
}

/// The certificates for the TLS listeners: --tls-cert/--tls-key, else the lab CA in
/// `<lab>/ca`; the peers' certificates are checked against --client-ca, else the lab CA.
fn tls_source(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<TlsSource> {
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read the {what} {}: {e}", path.display())))
    };
    let client_ca_pem = args
        .client_ca
        .as_deref()
        .map(|p| read(p, "--client-ca file"))
        .transpose()?;
    let dir = lab_root(global)?.join("ca");
    let ca = LabCa::load_or_create(&dir)
        .with_context(|| format!("opening the lab CA in {}", dir.display()))?;
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        return Ok(TlsSource::Files {
            chain_pem: read(cert, "--tls-cert file")?,
            key_pem: read(key, "--tls-key file")?,
            client_ca_pem: client_ca_pem.unwrap_or_else(|| ca.cert_pem().to_string()),
        });
    }
    Ok(TlsSource::LabCa {
        ca: Box::new(ca),
        client_ca_pem,
    })
}

/// One warning per problem of the --tls-cert certificate for each server run (name,
/// validity, EKU: what its peers will refuse); serve starts anyway, so a faulty certificate
/// can be tried against the live trace.
fn warn_own_certificate(chain_pem: &str, plans: &[ServerPlan]) {
    use rustls::pki_types::pem::PemObject;
    let chain: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .filter_map(Result::ok)
        .collect();
    for plan in plans {
        let check = judge_own(&chain, &plan.fqdn, rustls::pki_types::UnixTime::now());
        for f in &check.findings {
            tracing::warn!(
                "warning: --tls-cert for {} ({}): {} Fix: {}",
                plan.name,
                plan.fqdn,
                f.why,
                f.fix
            );
        }
    }
}

/// The address the system resolver gives `fqdn` (IPv4 first).
fn resolve(fqdn: &str) -> Result<IpAddr, ServeError> {
    let addrs: Vec<IpAddr> = (fqdn, 0)
        .to_socket_addrs()
        .map_err(|e| ServeError::NoAddress {
            fqdn: fqdn.to_string(),
            why: format!("the system resolver says: {e}"),
        })?
        .map(|a| a.ip())
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| ServeError::NoAddress {
            fqdn: fqdn.to_string(),
            why: "the system resolver returned no address".into(),
        })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}

/// `--preview` and `--preview-wait`; a build without the feature refuses `--preview`.
fn preview_options(args: &ServeArgs) -> Result<Option<serve::preview::PreviewOptions>, UsageError> {
    if !args.preview {
        return Ok(None);
    }
    if !cfg!(feature = "preview") {
        return Err(UsageError(format!(
            "--preview: umctl was {}; build it with `cargo build --features preview` \
             (needs Debian's libpocketsphinx-dev and pocketsphinx-en-us)",
            serve::preview::NOT_BUILT
        )));
    }
    Ok(Some(serve::preview::PreviewOptions {
        wait: Duration::from_secs_f64(args.preview_wait),
        policy: crate::um::preview::PreviewPolicy {
            show_from: args.preview_threshold,
            ..crate::um::preview::PreviewPolicy::default()
        },
    }))
}
