//! What encryption costs `umctl serve` at load (issue 20, item 7): CALLS concurrent calls
//! answered on a Secured dial plan (SIP over mutual TLS, SRTP media) and the same calls on
//! an Unsecured one (SIP over TCP, plain RTP), with serve's CPU time (utime + stime from
//! /proc/PID/stat, so the other work on a shared machine does not count) for each run, and
//! the ratio. SIPp has no SRTP, so this bench is its own load generator, built from umctl's
//! own modules: a SIP endpoint on pool01's address (127.0.10.1, a UM IP gateway of the lab;
//! over TLS it presents a lab-CA certificate for pool01.contoso.com, which serve's mutual TLS
//! admission checks), the INVITE to the call router and its two 302s as a Skype pool sends
//! them, the SDP offer (RTP/SAVP with one AES_CM_128_HMAC_SHA1_80 `a=crypto` on Secured,
//! RTP/AVP otherwise), then per call 50 packets a second each way (the caller's G.711 tone,
//! SRTP-protected on Secured; what the worker sends is received and, on Secured,
//! authenticated and decrypted) for SECONDS, and the BYE. Every call leaves Bob a voice
//! mail (greeting: fixtures/prompts/beep.wav, 0.4 s); the CPU window ends when all are
//! delivered (or after 60 s more).
//!
//! Both runs are the same load: same calls, ramp, duration, greeting and mailbox; only the
//! dial plan's VoIP security differs. Binds only 127.0.0.0/8; serve is stopped by its PID.
//! Run: `CALLS=1000 SECONDS=20 RATE=100 cargo bench --bench srtp_load` (defaults: 200 calls,
//! 15 s, 100 calls/s; CALLS at most 1000, serve's --max-calls ceiling).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::watch;
use umctl::frontend::invite::{build_invite, follow_redirect, InviteSpec};
use umctl::media::rtp::RtpSender;
use umctl::media::sdp::{negotiate, LocalMedia, Negotiated, SessionDescription};
use umctl::media::srtp::{MasterKey, SrtpContext, Suite};
use umctl::media::Law;
use umctl::sip::endpoint::{
    CallHandler, Endpoint, EndpointConfig, EndpointHandle, HandlerResponse, RequestContext,
    TlsListen,
};
use umctl::sip::ids::IdGenerator;
use umctl::sip::message::find_header;
use umctl::sip::transport::certs::LabCa;
use umctl::sip::transport::tls::{client_config, server_config, TlsSettings};
use umctl::sip::transport::TransportKind;

type Error = Box<dyn std::error::Error + Send + Sync>;

const POOL: &str = "pool01.contoso.com";
const POOL_IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 10, 1));
const CAS: &str = "ex-cas01.contoso.com";
const PACKET: Duration = Duration::from_millis(20);

/// The load: how many calls, how fast they are placed, how long each talks.
#[derive(Clone, Copy, Debug)]
struct Load {
    calls: usize,
    rate: f64,
    seconds: u64,
}

impl Load {
    fn from_env() -> Result<Load, Error> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or(default.into());
        let load = Load {
            calls: var("CALLS", "200").parse()?,
            rate: var("RATE", "100").parse()?,
            seconds: var("SECONDS", "15").parse()?,
        };
        if !(1..=1000).contains(&load.calls) || load.rate <= 0.0 || load.seconds == 0 {
            return Err(format!("{load:?}: expected CALLS 1-1000, RATE > 0, SECONDS > 0").into());
        }
        Ok(load)
    }
}

/// What one run measured.
#[derive(Debug, Default)]
struct RunFigures {
    answered: usize,
    failed: Vec<String>,
    sent: u64,
    received: u64,
    rejected: u64,
    delivered: usize,
    /// From serve's media log lines: packets it took in, and those that failed SRTP.
    serve_received: u64,
    serve_srtp_failures: u64,
    cpu_seconds: f64,
    wall_seconds: f64,
}

/// A lab for one run: LOC801 Secured (the lab's default) or Unsecured, Bob's greeting set.
fn make_lab(umctl: &Path, lab: &Path, secured: bool) -> Result<(), Error> {
    let run = |args: &[&str], stdin: Option<&str>| -> Result<(), Error> {
        let mut child = Command::new(umctl)
            .arg("--lab")
            .arg(lab)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            std::io::Write::write_all(&mut pipe, text.as_bytes())?;
        }
        if child.wait()?.success() {
            Ok(())
        } else {
            Err(format!("umctl {args:?} failed").into())
        }
    };
    run(&["lab", "init"], None)?;
    run(&["grant-permissions", "--yes"], None)?;
    let beep = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/prompts/beep.wav");
    run(
        &["lab", "greeting", "set", "bob", &beep.to_string_lossy()],
        None,
    )?;
    if !secured {
        let ldif = "dn: CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,\
                    CN=Services,CN=Configuration,DC=contoso,DC=com\nchangetype: modify\n\
                    replace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n";
        run(&["lab", "apply", "-"], Some(ldif))?;
    }
    Ok(())
}

/// serve on the lab, and where EX-CAS01's call router listens (from the line it prints).
fn start_serve(
    umctl: &Path,
    lab: &Path,
    calls: usize,
    tls: bool,
) -> Result<(Child, SocketAddr), Error> {
    let mut child = Command::new(umctl)
        .arg("--lab")
        .arg(lab)
        .args(["serve", "--ephemeral-ports", "--log-format", "json"])
        .args(["--startup-mode", if tls { "tls" } else { "tcp" }])
        .args(["--max-calls", &calls.to_string()])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(lab.join("serve.log"))?)
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("serve has no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    let report: serde_json::Value = match serde_json::from_str(&line) {
        Ok(r) => r,
        Err(e) => {
            stop(&mut child);
            return Err(format!("serve did not start ({e}): see {}", lab.display()).into());
        }
    };
    let key = if tls { "tls" } else { "tcp" };
    let router = report["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == "EX-CAS01")
        .and_then(|s| s["roles"][0][key].as_str())
        .and_then(|a| a.parse().ok());
    match router {
        Some(r) => Ok((child, r)),
        None => {
            stop(&mut child);
            Err(format!("no EX-CAS01 {key} address in {line}").into())
        }
    }
}

/// SIGTERM to serve by its PID, then SIGKILL if it is still there after 10 s.
fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    for _ in 0..100 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// utime + stime of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name (which may hold spaces) start at state, field 3.
    let rest = stat.rsplit_once(')').ok_or("unreadable /proc stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()?;
    let hz: f64 = String::from_utf8_lossy(&hz.stdout).trim().parse()?;
    Ok(ticks / hz)
}

/// The lab's hosts table (`<ip> <fqdn>`), to follow the 302s' Contact host names.
fn hosts(lab: &Path) -> Result<HashMap<String, IpAddr>, Error> {
    let text = std::fs::read_to_string(lab.join("hosts"))?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('#').next()?.split_whitespace();
            let ip = f.next()?.parse().ok()?;
            Some((f.next()?.to_ascii_lowercase(), ip))
        })
        .collect())
}

/// The caller's handler: every in-dialog request (serve's BYE, if it hangs up first) gets
/// the endpoint's default answer (BYE 200).
struct Pool;

impl CallHandler for Pool {
    fn handle_request(&self, _request: &rsip::Request, _ctx: &RequestContext) -> HandlerResponse {
        HandlerResponse::not_handled()
    }

    fn owns_dialog(&self, _request: &rsip::Request) -> bool {
        true
    }
}

/// The pool's SIP endpoint on 127.0.10.1: TCP, or TLS presenting pool01's certificate.
async fn pool_endpoint(
    lab: &Path,
    tls: bool,
    stop: watch::Receiver<bool>,
) -> Result<Endpoint, Error> {
    let mut config = EndpointConfig {
        bind: None,
        udp: false,
        tcp: false,
        ..EndpointConfig::default()
    };
    if tls {
        let ca = LabCa::load_or_create(&lab.join("ca"))?;
        let cert = ca.issue(POOL, &[POOL_IP])?;
        config.tls = Some(TlsListen {
            bind: SocketAddr::new(POOL_IP, 0),
            server: server_config(&TlsSettings {
                cert_chain_pem: cert.chain_pem.clone(),
                key_pem: cert.key_pem.clone(),
                ..TlsSettings::default()
            })?,
            client: Some(client_config(
                ca.cert_pem(),
                Some((&cert.chain_pem, &cert.key_pem)),
            )?),
        });
    } else {
        config.bind = Some(SocketAddr::new(POOL_IP, 0));
        config.tcp = true;
    }
    Ok(Endpoint::start(config, Arc::new(Pool), stop).await?)
}

/// The offer: PCMU and telephone-event, 20 ms; on Secured RTP/SAVP with `key`.
fn offer(rtp: SocketAddr, key: Option<&MasterKey>) -> String {
    let (proto, crypto) = match key {
        Some(k) => (
            "RTP/SAVP",
            format!(
                "a=crypto:1 {} inline:{}\r\n",
                Suite::AesCm128HmacSha1_80.name(),
                k.inline()
            ),
        ),
        None => ("RTP/AVP", String::new()),
    };
    format!(
        "v=0\r\no=pool 1 1 IN IP4 {ip}\r\ns=srtp_load\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} {proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n\
         {crypto}",
        ip = rtp.ip(),
        port = rtp.port()
    )
}

/// The INVITE of `spec` with the SDP `offer` as its body.
fn invite_with(spec: &InviteSpec, offer: &str) -> Result<rsip::Request, Error> {
    let text = build_invite(spec)?.to_string().replace(
        "Content-Length: 0\r\n\r\n",
        &format!(
            "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{offer}",
            offer.len()
        ),
    );
    request(&text)
}

fn request(text: &str) -> Result<rsip::Request, Error> {
    match umctl::sip::parse(text.as_bytes())? {
        rsip::SipMessage::Request(r) => Ok(r),
        rsip::SipMessage::Response(_) => Err("not a request".into()),
    }
}

/// Where the shared parts of every call are.
struct Setup {
    sip: EndpointHandle,
    transport: TransportKind,
    router: SocketAddr,
    hosts: HashMap<String, IpAddr>,
    local: SocketAddr,
    secured: bool,
    seconds: u64,
}

/// What one call did.
#[derive(Debug, Default)]
struct CallFigures {
    sent: u64,
    received: u64,
    /// Secured: packets that failed SRTP authentication (none should).
    rejected: u64,
}

/// The request in the dialog the 200 made (ACK, BYE).
fn in_dialog(
    setup: &Setup,
    spec: &InviteSpec,
    ok: &rsip::Response,
    method: &str,
) -> Result<rsip::Request, Error> {
    let target = find_header(&ok.headers, "Contact")
        .and_then(|c| Some(c.split_once('<')?.1.split_once('>')?.0.to_string()))
        .ok_or("the 200 has no Contact")?;
    let cseq = if method == "ACK" {
        spec.cseq
    } else {
        spec.cseq + 1
    };
    let text = format!(
        "{method} {target} SIP/2.0\r\nVia: SIP/2.0/{} {POOL}:{};branch={}\r\nMax-Forwards: 70\r\n\
         From: {};tag={}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n",
        setup.transport.as_str(),
        setup.local.port(),
        IdGenerator::new().branch(),
        spec.from,
        spec.from_tag,
        find_header(&ok.headers, "To").unwrap_or_default(),
        spec.call_id,
    );
    request(&text)
}

/// The INVITE, both 302s and the worker's 200: the final INVITE's spec, the 200, the worker.
async fn signal(
    setup: &Setup,
    ids: &IdGenerator,
    sdp: &str,
) -> Result<(InviteSpec, rsip::Response, SocketAddr), Error> {
    let secure = setup.secured;
    let mut spec = InviteSpec {
        request_uri: InviteSpec::request_uri_for("LOC801", CAS, setup.router.port(), secure),
        from: "\"Alice Adams\" <sip:alice@contoso.com>".into(),
        from_tag: ids.tag(),
        to: "\"Bob Haddad\" <sip:bob@contoso.com>".into(),
        diversion: Some(InviteSpec::diversion_for(
            "sip:bob@contoso.com",
            Some("Bob Haddad"),
            "no-answer",
        )),
        pool_fqdn: POOL.into(),
        secure,
        call_id: ids.call_id(POOL),
        branch: ids.branch(),
        cseq: 1,
    };
    let mut to = setup.router;
    for _hop in 0..3 {
        let invite = invite_with(&spec, sdp)?;
        let response = setup.sip.request(invite, to, setup.transport).await?;
        match response.status_code.code() {
            200 => return Ok((spec, response, to)),
            302 => {}
            other => return Err(format!("INVITE to {to}: {other}").into()),
        }
        let contact = find_header(&response.headers, "Contact")
            .and_then(|c| Some(c.split_once('<')?.1.split_once('>')?.0.to_string()))
            .ok_or("a 302 without Contact")?;
        to = contact_addr(&contact, &setup.hosts)?;
        spec = follow_redirect(&spec, &contact);
    }
    Err("more than two redirects".into())
}

/// `sip:user@host:port;...` to an address, the host through the lab's hosts table.
fn contact_addr(uri: &str, hosts: &HashMap<String, IpAddr>) -> Result<SocketAddr, Error> {
    let host_port = uri
        .split_once('@')
        .map_or(uri, |(_, h)| h)
        .split(';')
        .next()
        .unwrap_or_default();
    let (host, port) = host_port.rsplit_once(':').ok_or("a Contact without port")?;
    let ip = match host.parse() {
        Ok(ip) => ip,
        Err(_) => *hosts
            .get(&host.to_ascii_lowercase())
            .ok_or_else(|| format!("{host} is not in the lab's hosts"))?,
    };
    Ok(SocketAddr::new(ip, port.parse()?))
}

/// One call: signalling, SECONDS of media both ways, BYE.
async fn call(setup: Arc<Setup>) -> Result<CallFigures, Error> {
    let ids = IdGenerator::new();
    let (rtp, _rtcp) = umctl::media::rtcp::bind_pair(POOL_IP)?;
    rtp.set_nonblocking(true)?;
    let rtp = UdpSocket::from_std(rtp)?;
    let local_rtp = rtp.local_addr()?;
    let key = setup.secured.then(MasterKey::random).transpose()?;
    let (spec, ok, worker) = signal(&setup, &ids, &offer(local_rtp, key.as_ref())).await?;
    let ack = in_dialog(&setup, &spec, &ok, "ACK")?;
    setup
        .sip
        .send_stateless(ack, worker, setup.transport)
        .await?;
    let mut ours = LocalMedia::new(local_rtp.ip(), local_rtp.port(), 1);
    if let Some(k) = &key {
        ours = ours.with_srtp(k.clone());
    }
    let answer = SessionDescription::parse(&String::from_utf8_lossy(&ok.body))?;
    let (negotiated, _) = negotiate(&answer, &ours)?;
    let figures = media(&setup, &rtp, &negotiated).await?;
    let bye = in_dialog(&setup, &spec, &ok, "BYE")?;
    setup.sip.request(bye, worker, setup.transport).await?;
    Ok(figures)
}

/// SECONDS of the caller's tone out (every 20 ms) and of the worker's packets in.
async fn media(setup: &Setup, rtp: &UdpSocket, n: &Negotiated) -> Result<CallFigures, Error> {
    let remote = n.remote.ok_or("the answer has no RTP address")?;
    let (mut out, mut inbound) = match &n.srtp {
        Some(k) => (
            Some(SrtpContext::new(k.suite, &k.local)),
            Some(SrtpContext::new(k.suite, &k.remote)),
        ),
        None => (None, None),
    };
    let tone: Vec<i16> = (0..160)
        .map(|i| ((f64::from(i) * 0.343).sin() * 6000.0) as i16)
        .collect();
    let payload = Law::Mu.encode(&tone);
    let mut sender = RtpSender::with_random_seed(n.payload_type);
    let mut tick = tokio::time::interval(PACKET);
    // Late ticks are caught up: every call sends the same packets, SECONDS x 50, in both runs.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let packets = setup.seconds * 1000 / PACKET.as_millis() as u64;
    let mut figures = CallFigures::default();
    let mut buf = [0u8; 2048];
    while figures.sent < packets {
        tokio::select! {
            _ = tick.tick() => {
                let mut packet = sender.next_packet(&payload)?;
                if let Some(ctx) = &mut out {
                    ctx.protect_rtp(&mut packet)?;
                }
                rtp.send_to(&packet, remote).await?;
                figures.sent += 1;
            }
            got = rtp.recv_from(&mut buf) => {
                let (len, _) = got?;
                let opened = inbound.as_mut().is_none_or(|c| c.unprotect_rtp(&buf[..len]).is_ok());
                if opened {
                    figures.received += 1;
                } else {
                    figures.rejected += 1;
                }
            }
        }
    }
    Ok(figures)
}

/// Places the calls at RATE a second and waits for them all.
async fn place_calls(setup: Arc<Setup>, load: Load) -> RunFigures {
    let mut tasks = Vec::with_capacity(load.calls);
    let start = tokio::time::Instant::now();
    for i in 0..load.calls {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / load.rate)).await;
        tasks.push(tokio::spawn(call(setup.clone())));
    }
    let mut run = RunFigures::default();
    for task in tasks {
        match task.await {
            Ok(Ok(f)) => {
                run.answered += 1;
                run.sent += f.sent;
                run.received += f.received;
                run.rejected += f.rejected;
            }
            Ok(Err(e)) => run.failed.push(e.to_string()),
            Err(e) => run.failed.push(e.to_string()),
        }
    }
    run
}

/// The totals of serve's media log lines (one JSON object per call with a `media` key).
fn serve_media(lab: &Path, figures: &mut RunFigures) -> Result<(), Error> {
    let log = std::fs::read_to_string(lab.join("serve.log"))?;
    for line in log.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let media = &entry["media"];
        figures.serve_received += media["received_packets"].as_u64().unwrap_or(0);
        figures.serve_srtp_failures += media["srtp_auth_failures"].as_u64().unwrap_or(0);
    }
    Ok(())
}

/// Voice mails in Bob's Maildir.
fn delivered(lab: &Path) -> usize {
    std::fs::read_dir(lab.join("mailboxes/bob/Maildir/new")).map_or(0, |d| d.count())
}

/// One run: a fresh lab and serve, the calls, the deliveries, serve's CPU over all of it.
fn run(umctl: &Path, load: Load, secured: bool) -> Result<RunFigures, Error> {
    let dir = tempfile::tempdir()?;
    let lab = dir.path().join("lab");
    make_lab(umctl, &lab, secured)?;
    let (mut serve, router) = start_serve(umctl, &lab, load.calls, secured)?;
    let mut result = measure(&lab, &serve, router, load, secured);
    stop(&mut serve);
    if let Ok(figures) = &mut result {
        serve_media(&lab, figures)?;
    }
    if result.is_err() {
        let log = std::fs::read_to_string(lab.join("serve.log")).unwrap_or_default();
        eprintln!("serve's log (last lines):");
        for line in log
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            eprintln!("  {line}");
        }
    }
    result
}

fn measure(
    lab: &Path,
    serve: &Child,
    router: SocketAddr,
    load: Load,
    secured: bool,
) -> Result<RunFigures, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (cpu0, t0) = (cpu_seconds(serve.id())?, Instant::now());
    let mut figures = runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        let endpoint = pool_endpoint(lab, secured, stop_rx).await?;
        let addrs = endpoint.addrs();
        let setup = Arc::new(Setup {
            sip: endpoint.handle(),
            transport: if secured {
                TransportKind::Tls
            } else {
                TransportKind::Tcp
            },
            router,
            hosts: hosts(lab)?,
            local: addrs
                .tls
                .or(addrs.tcp)
                .ok_or("the pool endpoint bound nothing")?,
            secured,
            seconds: load.seconds,
        });
        let figures = place_calls(setup, load).await;
        let _ = stop_tx.send(true);
        endpoint.wait().await;
        Ok::<_, Error>(figures)
    })?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while delivered(lab) < figures.answered && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    figures.delivered = delivered(lab);
    figures.cpu_seconds = cpu_seconds(serve.id())? - cpu0;
    figures.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(figures)
}

fn report(name: &str, load: Load, f: &RunFigures) {
    println!(
        "{name:<9} answered {}/{} delivered {} | caller sent {} received {} rejected {} | \
         serve received {} (SRTP failures {}) | \
         serve CPU {:.2} s over {:.1} s wall ({:.0}% of one core)",
        f.answered,
        load.calls,
        f.delivered,
        f.sent,
        f.received,
        f.rejected,
        f.serve_received,
        f.serve_srtp_failures,
        f.cpu_seconds,
        f.wall_seconds,
        100.0 * f.cpu_seconds / f.wall_seconds,
    );
    for e in f.failed.iter().take(5) {
        println!("  failed: {e}");
    }
}

fn main() -> Result<(), Error> {
    // `cargo bench` passes --bench; a filter argument that is not ours means "not me".
    if std::env::args().skip(1).any(|a| !a.starts_with("--")) {
        return Ok(());
    }
    let load = Load::from_env()?;
    let umctl = PathBuf::from(env!("CARGO_BIN_EXE_umctl"));
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "srtp_load: {} calls, {} calls/s, {} s each; load average before: {}",
        load.calls,
        load.rate,
        load.seconds,
        load_avg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let plain = run(&umctl, load, false)?;
    report("Unsecured", load, &plain);
    let secured = run(&umctl, load, true)?;
    report("Secured", load, &secured);
    let complete =
        |f: &RunFigures| f.answered == load.calls && f.rejected == 0 && f.serve_srtp_failures == 0;
    println!(
        "Secured / Unsecured serve CPU: {:.2} ({:+.0}%)",
        secured.cpu_seconds / plain.cpu_seconds,
        100.0 * (secured.cpu_seconds / plain.cpu_seconds - 1.0)
    );
    if !complete(&plain) || !complete(&secured) {
        return Err(
            "not every call was answered with clean media: the figures are not comparable".into(),
        );
    }
    Ok(())
}
