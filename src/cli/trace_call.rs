//! `umctl trace-call`: parses the options, opens the directory (with the lab's host table and
//! mailbox folders when it is the lab), runs the offline trace, or with `--live` places the
//! call (starting `umctl serve` in-process on free loopback ports, or against `--serve ADDR`),
//! writes the `--pcap` file, and prints the trace as a table, a SIP ladder or JSON. Exit 0
//! when the call reaches its goal, 1 when a hop fails.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::args::{GlobalArgs, ScenarioArg, TraceCallArgs};
use crate::cli::output::Output;
use crate::cli::target::lab_root;
use crate::cli::target::{connect_ldap, open_lab};
use crate::cli::UsageError;
use crate::directory::lookup;
use crate::directory::Directory;
use crate::serve::{self, Exchange, MailOptions, Ports, ServeOptions, StartupMode, TlsSource};
use crate::sip::transport::certs::LabCa;
use crate::sip::transport::tls::{server_config, TlsSettings};
use crate::sip::transport::TransportKind;
use crate::trace::live::{trace_live, LiveSetup, TlsListenParts};
use crate::trace::{report, trace_offline, Scenario, Trace, TraceRequest};
use crate::um::{BoundPorts, Stage, UmContext};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// How long the caller listens to the worker's prompts at most before speaking.
const PROMPT_WAIT: Duration = Duration::from_secs(60);

pub fn run(global: &GlobalArgs, args: &TraceCallArgs) -> anyhow::Result<ExitCode> {
    let request = request(args)?;
    let out = Output::new(global);
    let trace = if args.live {
        live(global, args, &request)?
    } else if global.ldap.is_some() {
        let dir = connect_ldap(global)?;
        trace_offline(&dir, &request, &UmContext::default())?
    } else {
        let lab = open_lab(global)?;
        let hosts = lab.hosts().context("reading the lab's hosts table")?;
        let mailboxes = lab.paths().mailboxes();
        let ctx = UmContext {
            hosts: Some(&hosts),
            mailboxes: Some(&mailboxes),
        };
        trace_offline(&lab, &request, &ctx)?
    };
    print(&out, args, &trace)?;
    Ok(ExitCode::from(trace.exit_code()))
}

fn request(args: &TraceCallArgs) -> anyhow::Result<TraceRequest> {
    if let Some(d) = &args.digits {
        if d.is_empty()
            || !d
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        {
            bail!(UsageError(format!(
                "--digits '{d}': expected DTMF keys 0-9, * and #"
            )));
        }
    }
    if let Some(path) = &args.wave_file {
        let bytes = std::fs::read(path)
            .map_err(|e| UsageError(format!("--wave-file {}: {e}", path.display())))?;
        if let Err(e) = crate::media::wav::parse(&bytes) {
            bail!(UsageError(format!(
                "--wave-file {}: {e} (expected a WAV file)",
                path.display()
            )));
        }
    }
    Ok(TraceRequest {
        to: args.to.clone(),
        from: args.from.clone(),
        scenario: match args.scenario {
            ScenarioArg::NoAnswer => Scenario::NoAnswer,
            ScenarioArg::Busy => Scenario::Busy,
            ScenarioArg::Direct => Scenario::Direct,
        },
        hang_up_before_beep: args.hang_up_before_beep,
        message_seconds: args.message_seconds,
        wave_file: args.wave_file.clone(),
        digits: args.digits.clone(),
        unsecured: false,
        now: args.now,
    })
}

fn print(out: &Output, args: &TraceCallArgs, trace: &Trace) -> anyhow::Result<()> {
    if out.json {
        out.json(trace)?;
        return Ok(());
    }
    if args.ladder {
        let mut text = report::ladder(trace);
        let verdict = report::table(trace);
        // The verdict lines that follow the table.
        let tail: Vec<&str> = verdict
            .lines()
            .skip_while(|l| !(l.starts_with("FAILED at hop") || l.starts_with("OK: ")))
            .collect();
        text.push('\n');
        text.push_str(&tail.join("\n"));
        text.push('\n');
        text.push_str(&report::live_summary(trace));
        out.text(text.trim_end())?;
        return Ok(());
    }
    let mut text = report::table(trace);
    text.push_str(&report::live_summary(trace));
    out.text(text.trim_end())?;
    Ok(())
}

/// `--serve ADDR`: where the call router is and how to reach it.
fn parse_serve(value: &str) -> anyhow::Result<(String, u16, TransportKind)> {
    let bad = || {
        UsageError(format!(
            "--serve '{value}': expected HOST:PORT (TCP), sips:HOST:PORT (TLS) or sip:HOST:PORT;transport=tcp|tls|udp"
        ))
    };
    let (rest, mut transport) = if let Some(r) = value.strip_prefix("sips:") {
        (r, TransportKind::Tls)
    } else if let Some(r) = value.strip_prefix("sip:") {
        (r, TransportKind::Tcp)
    } else {
        (value, TransportKind::Tcp)
    };
    let mut parts = rest.split(';');
    let hostport = parts.next().unwrap_or_default();
    for param in parts {
        match param.to_ascii_lowercase().as_str() {
            "transport=tcp" => transport = TransportKind::Tcp,
            "transport=tls" => transport = TransportKind::Tls,
            "transport=udp" => transport = TransportKind::Udp,
            _ => bail!(bad()),
        }
    }
    let (host, port) = hostport.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || port == 0 {
        bail!(bad());
    }
    Ok((host.to_string(), port, transport))
}

/// `--live`: the lab's directory, hosts and CA; serve in-process or at --serve; the call.
fn live(
    global: &GlobalArgs,
    args: &TraceCallArgs,
    request: &TraceRequest,
) -> anyhow::Result<Trace> {
    if global.ldap.is_some() {
        bail!(UsageError(
            "--live places the call from the lab's loopback addresses: drop --ldap (a live trace against a real Exchange is not supported)".into()
        ));
    }
    let serve_at = args.serve.as_deref().map(parse_serve).transpose()?;
    let lab = open_lab(global)?;
    let hosts = lab.hosts().context("reading the lab's hosts table")?;
    let mailboxes = lab.paths().mailboxes();
    let ca_dir = lab_root(global)?.join("ca");
    let calls = crate::cli::report::calls_dir(global, None)?;
    let ca = LabCa::load_or_create(&ca_dir)
        .with_context(|| format!("opening the lab CA in {}", ca_dir.display()))?;
    let resolve = |fqdn: &str| -> Option<IpAddr> {
        fqdn.parse::<IpAddr>()
            .ok()
            .or_else(|| hosts.lookup(fqdn).map(IpAddr::V4))
    };
    let (anchors, anchors_name) = trust_anchors(global, Some(&ca))?;
    let caller_identity = caller_identity(args)?;
    let tls = |fqdn: &str, ip: IpAddr| -> Result<TlsListenParts, String> {
        let issued = ca.issue(fqdn, &[ip]).map_err(|e| e.to_string())?;
        let identity = caller_identity
            .clone()
            .unwrap_or((issued.chain_pem.clone(), issued.key_pem.clone()));
        let server = server_config(&TlsSettings {
            cert_chain_pem: issued.chain_pem,
            key_pem: issued.key_pem,
            ..TlsSettings::default()
        })
        .map_err(|e| e.to_string())?;
        Ok(TlsListenParts {
            server,
            identity,
            anchors: anchors.clone(),
            anchors_name: anchors_name.clone(),
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let ctx = UmContext {
        hosts: Some(&hosts),
        mailboxes: Some(&mailboxes),
    };
    let (trace, capture) = runtime.block_on(async {
        match &serve_at {
            Some((host, port, transport)) => {
                let ip = resolve(host).ok_or_else(|| {
                    UsageError(format!(
                        "--serve: {host} has no address in the lab's hosts table"
                    ))
                })?;
                let at = SocketAddr::new(ip, *port);
                let locate = |_: &str| -> Result<SocketAddr, String> { Ok(at) };
                let request = TraceRequest {
                    unsecured: *transport != TransportKind::Tls,
                    ..request.clone()
                };
                let setup = LiveSetup {
                    serve: args.serve.clone().unwrap_or_default(),
                    call_router: &locate,
                    transport: *transport,
                    resolve: &resolve,
                    tls: Some(&tls),
                    delivery_wait: Duration::from_secs(args.delivery_wait),
                    prompt_wait: PROMPT_WAIT,
                    // A serve on this lab writes there; one elsewhere does not.
                    records: Some(calls.clone()),
                    records_certain: false,
                };
                anyhow::Ok(trace_live(lab, &request, &ctx, &setup).await?)
            }
            None => {
                let dir: Arc<dyn Directory> = Arc::new(lab);
                let here = (&hosts, &mailboxes, ca_dir.as_path(), &calls);
                let (running, _recordings) = serve_in_process(global, args, dir, here).await?;
                let report = running.report.clone();
                let locate = |cas: &str| -> Result<SocketAddr, String> {
                    report
                        .servers
                        .iter()
                        .filter(|s| s.fqdn.eq_ignore_ascii_case(cas))
                        .flat_map(|s| &s.roles)
                        .find(|r| r.role == Stage::CallRouter)
                        .and_then(|r| r.tls)
                        .ok_or_else(|| format!("the in-process serve runs no call router on {cas}"))
                };
                let setup = LiveSetup {
                    serve: "in-process".into(),
                    call_router: &locate,
                    transport: TransportKind::Tls,
                    resolve: &resolve,
                    tls: Some(&tls),
                    delivery_wait: Duration::from_secs(args.delivery_wait),
                    prompt_wait: PROMPT_WAIT,
                    records: Some(calls.clone()),
                    records_certain: true,
                };
                let result = trace_live(lab, request, &ctx, &setup).await;
                running.shutdown(Duration::from_secs(1)).await;
                anyhow::Ok(result?)
            }
        }
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    let mut trace = trace;
    write_capture(args, &mut trace, &capture)?;
    Ok(trace)
}

/// The lab's servers served in-process for a live trace: ephemeral ports, TLS from the lab
/// CA (`here`: the hosts table, the mailboxes, the CA folder and the calls folder), records
/// in the lab's calls folder, recordings in a private folder (kept while it runs).
async fn serve_in_process(
    global: &GlobalArgs,
    args: &TraceCallArgs,
    dir: Arc<dyn Directory>,
    (hosts, mailboxes, ca_dir, calls): (
        &crate::directory::lab::HostsTable,
        &std::path::PathBuf,
        &std::path::Path,
        &std::path::PathBuf,
    ),
) -> anyhow::Result<(serve::Running, PrivateFolder)> {
    let org = lookup::organization(dir.as_ref())?;
    let servers = lookup::exchange_servers(dir.as_ref(), &org)?;
    let address_of = |fqdn: &str| -> Result<IpAddr, serve::ServeError> {
        hosts
            .lookup(fqdn)
            .map(IpAddr::V4)
            .ok_or_else(|| serve::ServeError::NoAddress {
                fqdn: fqdn.to_string(),
                why: "it is not in the lab's hosts table (see `umctl lab hosts`)".into(),
            })
    };
    let plans = serve::plan(
        &servers,
        None,
        StartupMode::Dual,
        Ports::Ephemeral,
        &address_of,
    )?;
    let recordings = PrivateFolder::new("umctl-trace-recordings");
    let exchange = Arc::new(Exchange::new(
        dir,
        Some(hosts.clone()),
        Some(mailboxes.clone()),
        Arc::new(BoundPorts::new()),
    ));
    let options = ServeOptions {
        max_calls: 100,
        connections: crate::sip::transport::ConnectionLimits::default(),
        overload: crate::sip::overload::Overload::default(),
        tls: Some(TlsSource::LabCa {
            ca: Box::new(
                LabCa::load_or_create(ca_dir)
                    .with_context(|| format!("opening the lab CA in {}", ca_dir.display()))?,
            ),
            client_ca_pem: None,
        }),
        mail: MailOptions::for_lab(&lab_root(global)?, None),
        // Its own folder: the lab's belongs to a `umctl serve` that may be running.
        recordings: Some(recordings.0.clone()),
        // The lab's records: the trace reads its call's outcome there.
        records: Some(serve::RecordsOptions {
            dir: calls.clone(),
            keep_days: crate::records::store::DEFAULT_KEEP_DAYS,
            on_record: None,
        }),
        metrics: None,
        clock: args.now,
        preview: None,
    };
    let running = serve::start(&plans, exchange, options).await?;
    Ok((running, recordings))
}

/// `--pcap` and `--pcap-keys`: the call's capture and its SRTP keys, written.
fn write_capture(
    args: &TraceCallArgs,
    trace: &mut Trace,
    capture: &crate::trace::pcap::Capture,
) -> anyhow::Result<()> {
    if let Some(path) = &args.pcap {
        let bytes = capture.to_pcap().context("writing the capture")?;
        std::fs::write(path, bytes)
            .with_context(|| format!("writing the pcap file {}", path.display()))?;
        if let Some(d) = trace.live.as_mut() {
            d.pcap = Some(path.clone());
        }
    }
    if let Some(path) = &args.pcap_keys {
        let text = capture.srtp_key_file().unwrap_or_else(|| {
            "# No SRTP in this capture: the dial plan is not Secured (plain RTP).\n".to_string()
        });
        write_private(path, &text)
            .with_context(|| format!("writing the SRTP key file {}", path.display()))?;
    }
    Ok(())
}

/// A folder of this process under the system's temporary folder, removed when dropped.
struct PrivateFolder(std::path::PathBuf);

impl PrivateFolder {
    fn new(prefix: &str) -> PrivateFolder {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        PrivateFolder(std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id())))
    }
}

impl Drop for PrivateFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The CAs the live trace (and doctor --tls) trusts for the servers' certificates:
/// --ca-file, else the lab CA (when there is one); with the name reports give them.
pub(crate) fn trust_anchors(
    global: &GlobalArgs,
    ca: Option<&LabCa>,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, String)> {
    let (pem, name) = match (&global.ca_file, ca) {
        (Some(path), _) => (
            std::fs::read_to_string(path).map_err(|e| {
                UsageError(format!(
                    "cannot read the --ca-file {}: {e}; expected PEM CA certificates",
                    path.display()
                ))
            })?,
            format!("--ca-file {}", path.display()),
        ),
        (None, Some(ca)) => (ca.cert_pem().to_string(), "the lab CA".to_string()),
        (None, None) => bail!(UsageError(
            "no CA to trust the servers' certificates with: give --ca-file FILE (PEM CA certificates)".into()
        )),
    };
    let anchors: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| UsageError(format!("{name}: {e}; expected PEM CA certificates")))?;
    if anchors.is_empty() {
        bail!(UsageError(format!(
            "{name} holds no PEM CERTIFICATE block; expected PEM CA certificates"
        )));
    }
    Ok((anchors, name))
}

/// --tls-cert/--tls-key: the certificate the caller presents instead of the pool's.
fn caller_identity(args: &TraceCallArgs) -> anyhow::Result<Option<(String, String)>> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read the {what} {}: {e}", path.display())))
    };
    Ok(Some((
        read(cert, "--tls-cert file")?,
        read(key, "--tls-key file")?,
    )))
}

/// Writes `text` to a file only its owner can read (it holds keys).
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serve_addresses_name_their_transport() {
        assert_eq!(
            parse_serve("127.0.10.11:5060").unwrap(),
            ("127.0.10.11".into(), 5060, TransportKind::Tcp)
        );
        assert_eq!(
            parse_serve("sips:ex-cas01.contoso.com:5061").unwrap(),
            ("ex-cas01.contoso.com".into(), 5061, TransportKind::Tls)
        );
        assert_eq!(
            parse_serve("sip:127.0.10.11:5060;transport=udp").unwrap(),
            ("127.0.10.11".into(), 5060, TransportKind::Udp)
        );
        for bad in ["127.0.10.11", "x:0", "sip:h:1;foo=bar", ":5060", "h:port"] {
            let e = parse_serve(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("--serve '{bad}'")), "{e}");
        }
    }
}
