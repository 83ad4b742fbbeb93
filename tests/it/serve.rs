//! `umctl serve` with the real binary: the JSON line, OPTIONS on every component (UDP and TLS
//! with the lab CA), admission (403 naming a source that is no UM IP gateway, 488 for a
//! transport the dial plan's VoIP security refuses), SIPp following the call router's 302 and
//! the UM service's 302 to the worker over UDP and TCP, 488 without a common codec,
//! MaxCallsAllowed (call 101 of 101 concurrent calls gets 503, counted across both worker
//! processes), the UM service's 302s alternating between the server's two worker processes,
//! and SIGTERM (BYE to the active call, exit 0; with --drain-timeout, 503 to OPTIONS and new
//! INVITEs while the active call goes on, BYE at the timeout), --max-connections and
//! --max-connections-per-address (the connection past either is closed; per address above the
//! total is a usage error), --max-pending-requests (a burst past it: 503 with Retry-After to
//! the new INVITEs shed, the usual 302 to every admitted one). SIPp tests skip loudly without
//! `sipp`, and fail in CI.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::{ServeHarness, TempLab};

const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
/// pool01.contoso.com in the lab hosts table: the Skype for Business pool that places calls.
const POOL01: &str = "127.0.10.1";

/// A lab where the pools are UM IP gateways (grant-permissions).
pub(crate) fn granted_lab() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab
}

/// Makes LOC801 Unsecured, so calls over UDP and TCP (SIPp has no TLS) are admitted.
pub(crate) fn unsecure_loc801(lab: &TempLab) {
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n"
    ))
    .ok();
}

fn udp_from(ip: &str) -> UdpSocket {
    let sock = UdpSocket::bind((ip.parse::<IpAddr>().unwrap(), 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    sock
}

/// Sends `text` (retransmitting every 500 ms) until a final response comes; returns it.
fn final_response(sock: &UdpSocket, to: SocketAddr, text: &str) -> String {
    let mut buf = vec![0u8; 8192];
    for _ in 0..8 {
        sock.send_to(text.as_bytes(), to).unwrap();
        while let Ok((n, _)) = sock.recv_from(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            if !msg.starts_with("SIP/2.0 1") {
                return msg;
            }
        }
    }
    panic!("no final response from {to}")
}

fn options(sock: &UdpSocket, to: SocketAddr, n: usize) -> String {
    let local = sock.local_addr().unwrap();
    format!(
        "OPTIONS sip:{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKopt{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@contoso.com>;tag=p{n}\r\nTo: <sip:{to}>\r\n\
         Call-ID: options-{n}@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    )
}

fn invite(sock: &UdpSocket, to: SocketAddr, user: &str, call_id: &str) -> String {
    let local = sock.local_addr().unwrap();
    format!(
        "INVITE sip:{user}@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:alice@contoso.com>;tag=a1\r\nTo: <sip:bob@contoso.com>\r\n\
         Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@{local}>\r\n\
         Diversion: <sip:bob@contoso.com>;reason=no-answer;counter=1\r\nContent-Length: 0\r\n\r\n"
    )
}

fn status_line(msg: &str) -> &str {
    msg.lines().next().unwrap_or_default()
}

#[test]
fn serve_prints_every_listener_and_every_component_answers_options() {
    let lab = TempLab::new();
    let serve = ServeHarness::start(&lab, &[]);
    let names: Vec<&str> = serve.report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["EX-CAS01", "EX-CAS02", "EX-MBX01", "EX-MBX02"]);
    let expected = [
        ("EX-CAS01", "call_router", "127.0.20.1"),
        ("EX-CAS02", "call_router", "127.0.20.2"),
        ("EX-MBX01", "um_service", "127.0.20.11"),
        ("EX-MBX01", "worker", "127.0.20.11"),
        ("EX-MBX02", "um_service", "127.0.20.12"),
        ("EX-MBX02", "worker", "127.0.20.12"),
    ];
    let probe = udp_from("127.0.0.1");
    for (i, (server, role, ip)) in expected.iter().enumerate() {
        let udp = serve.addr(server, role, "udp");
        // UDP listens on the TCP port, as on Exchange's fixed ports.
        assert_eq!(udp, serve.addr(server, role, "tcp"));
        assert_eq!(udp.ip().to_string(), *ip);
        assert_eq!(serve.addr(server, role, "tls").ip().to_string(), *ip);
        let resp = final_response(&probe, udp, &options(&probe, udp, i));
        assert!(
            status_line(&resp).starts_with("SIP/2.0 200"),
            "{server} {role}: {resp}"
        );
    }
    // The CAS runs no worker, the mailbox servers no call router.
    let cas = &serve.report["servers"][0]["roles"];
    assert_eq!(cas.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_listener_has_a_lab_ca_certificate_for_the_server_fqdn() {
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use umctl::sip::transport::tls::client_config;

    let lab = TempLab::new();
    let serve = ServeHarness::start(&lab, &["--server", "EX-CAS01", "--startup-mode", "tls"]);
    let roles = &serve.report["servers"][0]["roles"][0];
    assert!(roles["tcp"].is_null() && roles["udp"].is_null(), "{roles}");
    let addr = serve.addr("EX-CAS01", "call_router", "tls");
    let ca = std::fs::read_to_string(lab.path().join("ca").join("lab-ca.pem")).unwrap();
    let connector = tokio_rustls::TlsConnector::from(client_config(&ca, None).unwrap());
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("ex-cas01.contoso.com").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let text =
        "OPTIONS sip:ex-cas01.contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKtls1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@contoso.com>;tag=t\r\nTo: <sip:ex-cas01.contoso.com>\r\n\
         Call-ID: tls-options\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    tls.write_all(text.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let resp = String::from_utf8_lossy(&buf[..n]);
    assert!(resp.starts_with("SIP/2.0 200"), "{resp}");
}

#[test]
fn call_router_refuses_a_non_gateway_and_a_transport_the_dial_plan_forbids() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &["--server", "EX-CAS01"]);
    let cas = serve.addr("EX-CAS01", "call_router", "udp");

    let stranger = udp_from("127.0.0.1");
    let resp = final_response(
        &stranger,
        cas,
        &invite(&stranger, cas, "LOC801", "stranger"),
    );
    assert_eq!(
        status_line(&resp),
        "SIP/2.0 403 Forbidden (127.0.0.1 is not a UM IP gateway)",
        "{resp}"
    );
    assert!(resp.contains("Warning: 399 umctl"), "{resp}");

    // pool01 is a gateway now, but LOC801 is Secured: a call over UDP/TCP is refused.
    let pool = udp_from(POOL01);
    let resp = final_response(&pool, cas, &invite(&pool, cas, "LOC801", "insecure"));
    assert!(
        status_line(&resp)
            .starts_with("SIP/2.0 488 Not Acceptable Here (Incompatible security setting"),
        "{resp}"
    );
    // A pilot the gateway has no hunt group for.
    let resp = final_response(&pool, cas, &invite(&pool, cas, "NOPE", "nopilot"));
    assert!(status_line(&resp).starts_with("SIP/2.0 404"), "{resp}");
}

/// The Contact URI of a 302.
fn contact_of(resp: &str) -> String {
    resp.lines()
        .find_map(|l| l.strip_prefix("Contact: "))
        .unwrap_or_else(|| panic!("no Contact in {resp}"))
        .trim_matches(|c| c == '<' || c == '>')
        .to_string()
}

#[test]
fn um_service_redirects_two_calls_in_a_row_to_its_two_worker_processes() {
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(&lab, &["--server", "EX-MBX02", "--startup-mode", "tcp"]);
    // The JSON line names both worker processes, each on its own port.
    let roles = serve.report["servers"][0]["roles"].as_array().unwrap();
    let workers: Vec<(u64, SocketAddr)> = roles
        .iter()
        .filter(|r| r["role"] == "worker")
        .map(|r| {
            (
                r["process"].as_u64().unwrap(),
                r["tcp"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        workers.iter().map(|w| w.0).collect::<Vec<_>>(),
        [1, 2],
        "{}",
        serve.report
    );
    assert_ne!(workers[0].1, workers[1].1);
    assert!(
        roles
            .iter()
            .all(|r| r["role"] == "worker" || r.get("process").is_none()),
        "{}",
        serve.report
    );
    let probe = udp_from("127.0.0.1");
    for (i, (_, addr)) in workers.iter().enumerate() {
        let resp = final_response(&probe, *addr, &options(&probe, *addr, 10 + i));
        assert!(status_line(&resp).starts_with("SIP/2.0 200"), "{resp}");
    }

    // Two calls in a row from the gateway: the first worker, then the second (both idle: each
    // in turn; a busier one would be skipped), each Contact on a port a worker bound.
    let um_service = serve.addr("EX-MBX02", "um_service", "udp");
    let mut ports = Vec::new();
    for call in ["twice-1", "twice-2", "twice-3"] {
        // A socket per call: the unacknowledged 302s of earlier calls keep coming back.
        let pool = udp_from(POOL01);
        let resp = final_response(
            &pool,
            um_service,
            &invite(&pool, um_service, "LOC801", call),
        );
        assert!(status_line(&resp).starts_with("SIP/2.0 302"), "{resp}");
        let contact = contact_of(&resp);
        let port: u16 = contact
            .split(';')
            .next()
            .and_then(|hp| hp.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {contact}"));
        assert!(contact.ends_with(";transport=TCP"), "{contact}");
        ports.push(port);
    }
    let bound: Vec<u16> = workers.iter().map(|w| w.1.port()).collect();
    assert_eq!(ports, [bound[0], bound[1], bound[0]], "bound {bound:?}");
}

#[test]
fn a_kept_decision_gives_way_when_the_lab_changes_under_a_running_serve() {
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(&lab, &["--server", "EX-CAS01"]);
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    // A socket per call (the 302s, never acknowledged here, are retransmitted); the decision
    // is kept per peer address, not port.
    let call = |id: &str| {
        let pool = udp_from(POOL01);
        final_response(&pool, cas, &invite(&pool, cas, "LOC801", id))
    };
    // The same call twice: decided, then answered from what was kept.
    for id in ["kept-1", "kept-2"] {
        let resp = call(id);
        assert!(status_line(&resp).starts_with("SIP/2.0 302"), "{resp}");
    }
    // Another command makes LOC801 Secured again: serve sees the new forest generation (it
    // looks every 0.5 s) and decides again, so the same call over UDP is refused.
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 2\n-\n"
    ))
    .ok();
    let mut last = String::new();
    for i in 0..20 {
        std::thread::sleep(Duration::from_millis(250));
        last = call(&format!("changed-{i}"));
        if status_line(&last).starts_with("SIP/2.0 488") {
            break;
        }
    }
    assert!(
        status_line(&last).starts_with("SIP/2.0 488 Not Acceptable Here"),
        "still the kept answer 5 s after the change: {last}"
    );
    // And from then on (what was kept for the old forest is gone, not just bypassed once).
    for i in 0..3 {
        let resp = call(&format!("after-{i}"));
        assert!(status_line(&resp).starts_with("SIP/2.0 488"), "{resp}");
    }
}

#[test]
fn bad_server_name_and_ldap_without_server_are_usage_errors() {
    let lab = TempLab::new();
    let run = lab.run(&["serve", "--server", "EX-NOPE"]).expect_code(2);
    assert!(
        run.stderr.contains("no Exchange server named 'EX-NOPE'")
            && run.stderr.contains("EX-CAS01"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&["serve", "--ldap", "ldap://127.0.0.1:1"])
        .expect_code(2);
    assert!(
        run.stderr.contains("--ldap needs --server"),
        "{}",
        run.stderr
    );
    let run = lab.run(&["serve", "--max-calls", "1001"]).expect_code(2);
    assert!(
        run.stderr.contains("1001") && run.stderr.contains("0..=1000"),
        "{}",
        run.stderr
    );
}

/// A TCP connection from `ip` to `to` and whether serve kept it: an OPTIONS over it gets a
/// 200 (kept) or the connection is closed without an answer (refused at the limit).
fn tcp_kept(ip: &str, to: SocketAddr, n: usize) -> (std::net::TcpStream, bool) {
    use std::io::{Read, Write};
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.bind(&SocketAddr::new(ip.parse().unwrap(), 0).into())
        .unwrap();
    sock.connect(&to.into()).unwrap();
    let mut stream: std::net::TcpStream = sock.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let local = stream.local_addr().unwrap();
    let req = format!(
        "OPTIONS sip:{to};transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP {local};branch=z9hG4bKtcp{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@contoso.com>;tag=t{n}\r\nTo: <sip:{to}>\r\n\
         Call-ID: tcp-{n}@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    // A refused connection may already be reset when we write.
    let _ = stream.write_all(req.as_bytes());
    let mut buf = [0u8; 2048];
    let kept = matches!(stream.read(&mut buf), Ok(n) if n > 0 && buf.starts_with(b"SIP/2.0 200"));
    (stream, kept)
}

#[test]
fn max_connections_options_bound_stream_connections_per_address_and_in_all() {
    let lab = TempLab::new();
    let serve = ServeHarness::start(
        &lab,
        &[
            "--server",
            "EX-CAS01",
            "--startup-mode",
            "tcp",
            "--max-connections",
            "3",
            "--max-connections-per-address",
            "2",
        ],
    );
    let to = serve.addr("EX-CAS01", "call_router", "tcp");
    let mut held = Vec::new();
    for (n, (ip, expected)) in [
        ("127.0.0.1", true),
        ("127.0.0.1", true),
        ("127.0.0.1", false), // a third from one address
        ("127.0.0.2", true),
        ("127.0.0.3", false), // a fourth in all
    ]
    .into_iter()
    .enumerate()
    {
        let (stream, kept) = tcp_kept(ip, to, n);
        assert_eq!(kept, expected, "connection {n} from {ip}");
        held.push(stream);
    }
    // A closed connection frees its slot.
    held.truncate(1);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        tcp_kept("127.0.0.3", to, 9).1,
        "a slot freed by a closed connection"
    );

    let run = lab
        .run(&[
            "serve",
            "--max-connections",
            "10",
            "--max-connections-per-address",
            "20",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("--max-connections-per-address 20")
            && run.stderr.contains("expected at most 10"),
        "{}",
        run.stderr
    );
}

#[test]
fn past_max_pending_requests_new_invites_get_503_with_retry_after_and_the_rest_their_302() {
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(
        &lab,
        &["--server", "EX-CAS01", "--max-pending-requests", "1"],
    );
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let pool = udp_from(POOL01);
    // A burst: the call router looks each up in the directory, one at a time.
    let calls: Vec<String> = (0..40)
        .map(|n| invite(&pool, cas, "LOC801", &format!("burst{n}")))
        .collect();
    let mut answers: std::collections::HashMap<String, String> = Default::default();
    let mut buf = vec![0u8; 8192];
    for _ in 0..8 {
        for (n, text) in calls.iter().enumerate() {
            if !answers.contains_key(&format!("burst{n}")) {
                pool.send_to(text.as_bytes(), cas).unwrap();
            }
        }
        while let Ok((len, _)) = pool.recv_from(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..len]).into_owned();
            let call_id = msg
                .lines()
                .find_map(|l| l.strip_prefix("Call-ID: "))
                .unwrap_or_default()
                .to_string();
            if !msg.starts_with("SIP/2.0 1") {
                answers.entry(call_id).or_insert(msg);
            }
        }
        if answers.len() == calls.len() {
            break;
        }
    }
    assert_eq!(
        answers.len(),
        calls.len(),
        "every INVITE gets a final answer"
    );
    let (mut shed, mut redirected) = (0, 0);
    for (call_id, msg) in &answers {
        let status = status_line(msg);
        if status.starts_with("SIP/2.0 503") {
            assert!(msg.contains("\r\nRetry-After: 5\r\n"), "{call_id}: {msg}");
            assert!(msg.contains("overloaded"), "{call_id}: {msg}");
            shed += 1;
        } else {
            // An admitted call is not failed: the usual 302 to the UM service.
            assert!(status.starts_with("SIP/2.0 302"), "{call_id}: {msg}");
            assert!(contact_of(msg).starts_with("sip:"), "{call_id}: {msg}");
            redirected += 1;
        }
    }
    assert!(
        shed > 0 && redirected > 0,
        "{shed} shed, {redirected} redirected"
    );
    // Past the burst, a new call is admitted again.
    let resp = final_response(&pool, cas, &invite(&pool, cas, "LOC801", "after"));
    assert!(status_line(&resp).starts_with("SIP/2.0 302"), "{resp}");
}

// ---- SIPp ----------------------------------------------------------------------------------

pub(crate) fn sipp_available(test: &str) -> bool {
    let found = Command::new("sipp").arg("-v").output().is_ok();
    if !found {
        crate::support::skip_for_missing_peer(test, "sipp (apt-get install sip-tester)");
    }
    found
}

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name)
        .display()
        .to_string()
}

fn free_port(ip: &str) -> u16 {
    UdpSocket::bind((ip.parse::<IpAddr>().unwrap(), 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One SIPp UAC run of `scenario` against the call router, from pool01.
pub(crate) struct Sipp {
    args: Vec<String>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sipp {
    pub(crate) fn new(
        scenario_file: &str,
        target: SocketAddr,
        mbx_ip: IpAddr,
        transport: &str,
    ) -> Sipp {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("actions.log");
        let mut args: Vec<String> = [
            target.to_string().as_str(),
            "-sf",
            &scenario(scenario_file),
            "-s",
            "LOC801",
            "-key",
            "divert",
            "bob",
            "-key",
            "mbx_ip",
            &mbx_ip.to_string(),
            "-key",
            "codecs",
            "8 0 101",
            "-t",
            if transport == "udp" { "u1" } else { "tn" },
            "-max_socket",
            "1000",
            "-i",
            POOL01,
            "-p",
            &free_port(POOL01).to_string(),
            "-mi",
            POOL01,
            "-mp",
            &free_port(POOL01).to_string(),
            "-ci",
            POOL01,
            "-cp",
            &free_port(POOL01).to_string(),
            "-timeout",
            "30s",
            "-timeout_error",
            "-nostdin",
            "-trace_logs",
            "-log_file",
            log.to_str().unwrap(),
            "-trace_err",
            "-error_file",
            dir.path().join("errors.log").to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(["-m", "1", "-d", "300"].map(String::from));
        Sipp {
            args,
            log,
            _dir: dir,
        }
    }

    pub(crate) fn set(&mut self, flag: &str, value: &str) -> &mut Sipp {
        if let Some(i) = self.args.iter().position(|a| a == flag) {
            self.args[i + 1] = value.to_string();
        } else {
            self.args.push(flag.to_string());
            self.args.push(value.to_string());
        }
        self
    }

    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new("sipp");
        cmd.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub(crate) fn run(&self) -> Output {
        self.command().output().unwrap()
    }

    /// The value given for `flag` (`-p`: the local SIP port).
    pub(crate) fn arg(&self, flag: &str) -> Option<&str> {
        let i = self.args.iter().position(|a| a == flag)?;
        self.args.get(i + 1).map(String::as_str)
    }

    pub(crate) fn actions(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn errors(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("errors.log")).unwrap_or_default()
    }
}

pub(crate) fn count(
    log: &[serde_json::Value],
    component: &str,
    method: &str,
    status: u16,
) -> usize {
    log.iter()
        .filter(|l| l["component"] == component && l["method"] == method && l["status"] == status)
        .count()
}

#[test]
fn sipp_follows_both_redirects_to_the_worker_over_udp_and_tcp() {
    if !sipp_available("sipp_follows_both_redirects_to_the_worker_over_udp_and_tcp") {
        return;
    }
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let um_service = serve.addr("EX-MBX02", "um_service", "tcp");
    // The server's two worker processes (the report lists process 1, then 2).
    let workers: Vec<u16> = serve.report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "EX-MBX02")
        .unwrap()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "worker")
        .map(|r| {
            r["tcp"]
                .as_str()
                .unwrap()
                .parse::<SocketAddr>()
                .unwrap()
                .port()
        })
        .collect();
    assert_eq!(workers.len(), 2, "{}", serve.report);
    let mut reached = Vec::new();
    for transport in ["udp", "tcp"] {
        let cas = serve.addr("EX-CAS01", "call_router", transport);
        let sipp = Sipp::new("uac_redirects.xml", cas, um_service.ip(), transport);
        let out = sipp.run();
        let actions = sipp.actions();
        assert!(
            out.status.success(),
            "sipp over {transport}: {:?}\n{}\nactions:\n{actions}\nerrors:\n{}\nserve:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            sipp.errors(),
            serve.stderr()
        );
        // Bob's mailbox is on EX-MBX02: the CAS names its UM service, which names its worker,
        // each with the port serve really bound and Exchange's transport parameter.
        assert!(
            actions.contains(&format!(
                "redirect1 sip:LOC801@ex-mbx02.contoso.com:{};transport=TCP",
                um_service.port()
            )),
            "{actions}"
        );
        let worker = workers
            .iter()
            .find(|port| {
                actions.contains(&format!(
                    "redirect2 sip:LOC801@ex-mbx02.contoso.com:{port};transport=TCP"
                ))
            })
            .unwrap_or_else(|| panic!("no worker port {workers:?} in {actions}"));
        reached.push(*worker);
        assert!(actions.contains("answered rtp "), "{actions}");
    }
    // One call after the other: the UM service sent them to different worker processes.
    assert_eq!(reached, workers, "calls went to {reached:?}");
    // Each call left one record, written by the worker that answered it.
    let records = crate::call_records::wait_for_records(lab.path(), 2);
    assert_eq!(records.len(), 2, "{records:#?}");
    for r in &records {
        assert_eq!(r["OfferResult"], "Answer", "{r:#}");
        assert_eq!(r["Component"], "UM worker", "{r:#}");
        assert_eq!(r["DialPlan"], "LOC801", "{r:#}");
        assert!(r["DropCallReason"].is_string(), "{r:#}");
        crate::call_records::assert_quality(r);
    }
    // Over TCP every transaction is logged at once (UDP waits for its timers).
    assert!(
        serve.wait_for_log(Duration::from_secs(5), |log| {
            count(log, "call_router", "INVITE", 302) >= 1
                && count(log, "um_service", "INVITE", 302) >= 1
                && count(log, "worker", "INVITE", 200) == 2
                && count(log, "worker", "BYE", 200) >= 1
        }),
        "{}",
        serve.stderr()
    );

    // No common codec (G.729 only): the worker answers 488.
    let cas = serve.addr("EX-CAS01", "call_router", "tcp");
    let mut sipp = Sipp::new("uac_redirects.xml", cas, um_service.ip(), "tcp");
    let i = sipp.args.iter().position(|a| a == "8 0 101").unwrap();
    sipp.args[i] = "18 101".into();
    let out = sipp.run();
    assert!(out.status.success(), "{}", sipp.errors());
    assert!(sipp.actions().contains("worker 488"), "{}", sipp.actions());
}

#[test]
fn call_beyond_max_calls_gets_503() {
    if !sipp_available("call_beyond_max_calls_gets_503") {
        return;
    }
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp", "--max-calls", "100"]);
    // UDP: SIPp over TCP opens a connection per call, and the endpoint allows 32 per address.
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "um_service", "udp").ip();
    let mut sipp = Sipp::new("uac_redirects.xml", cas, mbx, "udp");
    // 101 calls at 200/s, each held 4 s: all 101 are up at once.
    sipp.set("-m", "101")
        .set("-l", "101")
        .set("-r", "200")
        .set("-d", "4000");
    let out = sipp.run();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}",
        out.status,
        sipp.errors(),
        serve.stderr()
    );
    let refused = sipp.actions().matches("worker 503").count();
    let answered = sipp.actions().matches("answered rtp").count();
    assert_eq!((answered, refused), (100, 1), "{}", sipp.actions());
    // The 503's transaction ends after Timer I (T4 = 5 s after the ACK) over UDP.
    assert!(
        serve.wait_for_log(Duration::from_secs(12), |log| {
            count(log, "worker", "INVITE", 503) == 1 && count(log, "worker", "INVITE", 200) == 100
        }),
        "{}",
        serve.stderr()
    );
    // One record per call: 100 answered, the one turned away as a 503 at the worker.
    let records = crate::call_records::wait_for_records(lab.path(), 101);
    let rejected: Vec<_> = records
        .iter()
        .filter(|r| r["OfferResult"] == "Reject")
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    assert_eq!(rejected[0]["RejectStatus"], 503);
    assert_eq!(rejected[0]["Component"], "UM worker");
    assert_eq!(records.len(), 101);
}

#[test]
fn sigterm_sends_bye_to_the_active_call_and_exits_0() {
    if !sipp_available("sigterm_sends_bye_to_the_active_call_and_exits_0") {
        return;
    }
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let mut serve = ServeHarness::start(&lab, &["--startup-mode", "tcp", "--drain-timeout", "0"]);
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "worker", "udp").ip();
    let sipp = Sipp::new("uac_redirects_um_hangs_up.xml", cas, mbx, "udp");
    let caller = sipp.command().spawn().unwrap();
    assert!(
        serve.wait_for_log(Duration::from_secs(10), |log| count(
            log, "worker", "INVITE", 200
        ) == 1),
        "{}",
        serve.stderr()
    );
    std::thread::sleep(Duration::from_millis(300)); // the ACK
    let status = serve
        .terminate(Duration::from_secs(6))
        .expect("serve exits within 6 s of SIGTERM");
    assert!(status.success(), "{status:?}\n{}", serve.stderr());
    let out = caller.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the caller got no BYE: {}\n{}",
        sipp.errors(),
        serve.stderr()
    );
    assert!(sipp.actions().contains("bye from UM"), "{}", sipp.actions());
    assert!(
        serve
            .stderr()
            .contains("1 active call(s), 1 ended with BYE"),
        "{}",
        serve.stderr()
    );
    let records = crate::call_records::wait_for_records(lab.path(), 1);
    assert_eq!(records[0]["DropCallReason"], "Shutdown", "{records:#?}");
    assert_eq!(records[0]["OfferResult"], "Answer");
}

#[test]
fn sigterm_drains_503_to_probes_and_new_calls_then_byes_the_call_left_at_the_timeout() {
    if !sipp_available(
        "sigterm_drains_503_to_probes_and_new_calls_then_byes_the_call_left_at_the_timeout",
    ) {
        return;
    }
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let mut serve = ServeHarness::start(&lab, &["--startup-mode", "tcp", "--drain-timeout", "3"]);
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "worker", "udp").ip();
    let sipp = Sipp::new("uac_redirects_um_hangs_up.xml", cas, mbx, "udp");
    let caller = sipp.command().spawn().unwrap();
    assert!(
        serve.wait_for_log(Duration::from_secs(10), |log| count(
            log, "worker", "INVITE", 200
        ) == 1),
        "{}",
        serve.stderr()
    );
    std::thread::sleep(Duration::from_millis(300)); // the ACK
    let sent = std::time::Instant::now();
    assert!(
        serve.terminate(Duration::ZERO).is_none(),
        "serve exited at once"
    );
    std::thread::sleep(Duration::from_millis(300));
    let sock = udp_from(POOL01);
    let probe = final_response(&sock, cas, &options(&sock, cas, 1));
    assert!(status_line(&probe).starts_with("SIP/2.0 503"), "{probe}");
    assert!(probe.contains("Retry-After"), "{probe}");
    let call = final_response(&sock, cas, &invite(&sock, cas, "LOC801", "drain-1"));
    assert!(status_line(&call).starts_with("SIP/2.0 503"), "{call}");
    // The active call goes on until the drain timeout, then gets BYE.
    let status = serve
        .wait_exit(Duration::from_secs(8))
        .expect("serve exits after the drain timeout");
    let took = sent.elapsed();
    assert!(status.success(), "{status:?}\n{}", serve.stderr());
    assert!(took >= Duration::from_millis(2900), "exited after {took:?}");
    let out = caller.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", sipp.errors());
    assert!(sipp.actions().contains("bye from UM"), "{}", sipp.actions());
    let stderr = serve.stderr();
    assert!(
        stderr.contains("draining: 503 to new calls, 1 active call(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 active call(s), 1 ended with BYE"),
        "{stderr}"
    );
    // The call UM ended at the drain timeout is recorded as ended by the shutdown.
    let records = crate::call_records::wait_for_records(lab.path(), 1);
    assert!(
        records.iter().any(|r| r["DropCallReason"] == "Shutdown"),
        "{records:#?}"
    );
}
