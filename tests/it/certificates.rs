//! Certificates (issue 14 §3, issue 20 item 5), driven as an administrator would: `umctl lab
//! cert issue` makes a good or faulty certificate from the lab CA, `umctl serve --tls-cert`
//! runs a server with it, and `umctl trace-call --live` over TLS fails at the hop of the
//! server that offered it, with why and fix. Mutual TLS: the caller's certificate must name a
//! UM IP gateway of the dial plan, else the call router answers 403 naming both. The doctor's
//! TLS check (`trace::certificates::check_server`) runs against a real serve on loopback.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::doctor::findings;
use crate::support::{ServeHarness, TempLab};
use crate::trace_live::{granted_lab, hop};

const QUICK: [&str; 4] = ["--message-seconds", "1", "--delivery-wait", "5"];

/// `lab cert issue --server SERVER FLAGS --json`: the chain and key files.
fn issue(lab: &TempLab, server: &str, flags: &[&str]) -> (PathBuf, PathBuf, Value) {
    let out = lab.file("certs");
    let out = out.to_str().unwrap();
    let mut args = vec![
        "lab", "cert", "issue", "--server", server, "--out", out, "--json",
    ];
    args.extend_from_slice(flags);
    let issued = lab.run(&args).ok().json();
    let path = |k: &str| PathBuf::from(issued[k].as_str().unwrap());
    (path("chain"), path("key"), issued)
}

/// serve (only `server`, else every server) with the certificate `chain` and `key`.
fn serve_with(lab: &TempLab, chain: &Path, key: &Path, server: Option<&str>) -> ServeHarness {
    let mut args = vec![
        "--tls-cert",
        chain.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    if let Some(s) = server {
        args.extend(["--server", s]);
    }
    ServeHarness::start(lab, &args)
}

fn live_trace(lab: &TempLab, serve: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--serve",
        serve,
    ];
    args.extend_from_slice(&QUICK);
    args.extend_from_slice(extra);
    let run = lab.run(&args);
    let code = run.code;
    (code, run.json())
}

fn why(trace: &Value, n: u64) -> String {
    hop(trace, n)["why"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn each_faulty_certificate_fails_the_live_trace_at_the_call_router_hop() {
    let lab = granted_lab();
    let cases: [(&[&str], &str, &str); 6] = [
        (&["--wildcard"], "wildcard", "wildcard *.contoso.com"),
        (
            &["--name", "ex-mbx02.contoso.com"],
            "name_mismatch",
            "is for ex-mbx02.contoso.com, not for ex-cas01.contoso.com",
        ),
        (&["--expired"], "expired", "expired on"),
        (&["--not-yet-valid"], "not_yet_valid", "not valid before"),
        (
            &["--untrusted"],
            "untrusted",
            "does not chain to a trusted CA (the lab CA)",
        ),
        (
            &["--no-server-auth"],
            "no_server_auth",
            "not for server authentication",
        ),
    ];
    for (flags, kind, text) in cases {
        let (chain, key, issued) = issue(&lab, "EX-CAS01", flags);
        assert_eq!(issued["check"]["findings"][0]["kind"], kind, "{issued:#}");
        let serve = serve_with(&lab, &chain, &key, Some("EX-CAS01"));
        let at = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
        let (code, trace) = live_trace(&lab, &at, &[]);
        assert_eq!(code, 1, "{kind}: {trace:#}");
        assert_eq!(trace["first_failure"], 6, "{kind}: {trace:#}");
        assert!(why(&trace, 6).contains(text), "{kind}: {}", why(&trace, 6));
        let fix = hop(&trace, 6)["fix"].as_str().unwrap();
        assert!(!fix.is_empty());
        let cert = &trace["live"]["certificates"][0];
        assert_eq!(cert["party"], "call_router");
        assert_eq!(cert["dialled"], "ex-cas01.contoso.com");
        assert_eq!(cert["findings"][0]["kind"], kind, "{cert:#}");
        assert!(cert["offered"]["subject"]
            .as_str()
            .unwrap()
            .starts_with("CN="));
        let lines = hop(&trace, 6)["looked_up"].to_string();
        assert!(
            lines.contains("TLS certificate of the CAS call router"),
            "{lines}"
        );
        // serve said so when it started (all but trust: it cannot know whom peers trust).
        let warned = serve
            .stderr()
            .contains("warning: --tls-cert for EX-CAS01 (ex-cas01.contoso.com)");
        assert_eq!(warned, kind != "untrusted", "{kind}: {}", serve.stderr());
        // The call never got past the TLS handshake: serve logged no INVITE.
        assert!(
            !serve.stderr().contains("\"INVITE\""),
            "{kind}: {}",
            serve.stderr()
        );
    }
}

#[test]
fn ca_file_trusts_another_ca_and_an_expiring_certificate_only_warns() {
    let lab = granted_lab();
    // Signed by the untrusted CA: with --ca-file naming that CA, the call router's
    // certificate passes; the expiry within 30 days is a warning on the hop.
    let (chain, key, _) = issue(&lab, "EX-CAS01", &["--untrusted", "--expires-in-days", "5"]);
    let serve = serve_with(&lab, &chain, &key, Some("EX-CAS01"));
    let at = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let untrusted_ca = lab.path().join("ca/untrusted/lab-ca.pem");
    let (_, trace) = live_trace(&lab, &at, &["--ca-file", untrusted_ca.to_str().unwrap()]);
    let cert = &trace["live"]["certificates"][0];
    assert_eq!(cert["party"], "call_router", "{trace:#}");
    let findings = cert["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{cert:#}");
    assert_eq!(findings[0]["kind"], "expires_soon");
    assert_eq!(findings[0]["severity"], "warn");
    // The call router answered (302): serve saw the INVITE.
    assert!(
        serve.wait_for_log(Duration::from_secs(5), |log| log
            .iter()
            .any(|l| l["method"] == "INVITE" && l["status"] == 302)),
        "{}",
        serve.stderr()
    );
    let lines = hop(&trace, 6)["looked_up"].to_string();
    assert!(
        lines.contains("WARNING: The certificate offered by ex-cas01.contoso.com expires on"),
        "{lines}"
    );
}

#[test]
fn a_good_certificate_on_every_server_but_one_fails_at_the_um_service() {
    // One certificate for ex-cas01 on every server (no --server): the call router's passes,
    // the UM service on ex-mbx02 offers a certificate for another name: hop 6, dialled
    // ex-mbx02.contoso.com.
    let lab = granted_lab();
    let (chain, key, _) = issue(&lab, "EX-CAS01", &[]);
    let serve = serve_with(&lab, &chain, &key, None);
    let at = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let (code, trace) = live_trace(&lab, &at, &[]);
    assert_eq!(code, 1);
    assert_eq!(trace["first_failure"], 6, "{trace:#}");
    let certs = trace["live"]["certificates"].as_array().unwrap();
    assert_eq!(certs[0]["party"], "call_router");
    assert!(certs[0]["findings"].as_array().unwrap().is_empty());
    assert_eq!(certs[1]["party"], "um_service");
    assert_eq!(certs[1]["dialled"], "ex-mbx02.contoso.com");
    assert_eq!(certs[1]["findings"][0]["kind"], "name_mismatch");
    assert!(
        why(&trace, 6)
            .contains("is for ex-cas01.contoso.com, 127.0.20.1, not for ex-mbx02.contoso.com"),
        "{}",
        why(&trace, 6)
    );
}

#[test]
fn mutual_tls_admits_the_pool_by_its_certificate_name_and_refuses_another_with_403() {
    let lab = granted_lab();
    // The in-process serve (lab CA); the caller presents a lab certificate for another name.
    let (chain, key, _) = issue(&lab, "pool01.contoso.com", &["--name", "rogue.contoso.com"]);
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--tls-cert",
        chain.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).expect_code(1).json();
    assert_eq!(trace["first_failure"], 6, "{trace:#}");
    let result = hop(&trace, 6)["result"].as_str().unwrap();
    assert!(result.contains("403"), "{result}");
    let why = why(&trace, 6);
    assert!(
        why.contains("names rogue.contoso.com")
            && why.contains("not the address of a UM IP gateway of dial plan LOC801")
            && why.contains("pool01.contoso.com"),
        "{why}"
    );
    let fix = hop(&trace, 6)["fix"].as_str().unwrap();
    assert!(fix.contains("Set-UMIPGateway"), "{fix}");
    // Its own pool certificate (the default) is admitted.
    let mut args = vec!["trace-call", "--to", "bob", "--live", "--json"];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).json();
    assert_eq!(hop(&trace, 6)["outcome"], "ok", "{trace:#}");
}

#[test]
fn doctor_tls_check_reads_a_real_serve_listener() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &["--server", "EX-CAS01"]);
    let addr = serve.addr("EX-CAS01", "call_router", "tls");
    let ca_pem = std::fs::read_to_string(lab.path().join("ca/lab-ca.pem")).unwrap();
    use rustls::pki_types::pem::PemObject;
    let anchors: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes())
        .map(Result::unwrap)
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let check = |fqdn: &str, addr| {
        rt.block_on(umctl::trace::certificates::check_server(
            fqdn,
            addr,
            &anchors,
            "the lab CA",
            Duration::from_secs(5),
        ))
    };
    let good = check("ex-cas01.contoso.com", addr);
    assert!(good.findings.is_empty(), "{good:#?}");
    assert_eq!(
        good.offered.unwrap().dns_names,
        ["ex-cas01.contoso.com".to_string()]
    );
    // Dialled under another server's name: the name does not match.
    let wrong = check("ex-cas02.contoso.com", addr);
    assert_eq!(
        wrong.findings[0].kind,
        umctl::um::certificate::FindingKind::NameMismatch
    );
    // Nothing listening: unreachable, naming the address.
    drop(serve);
    let gone = check("ex-cas01.contoso.com", addr);
    assert_eq!(
        gone.findings[0].kind,
        umctl::um::certificate::FindingKind::Unreachable
    );
    assert!(gone.findings[0].why.contains(&addr.to_string()));
}

/// An INVITE for LOC801 (Secured) over TLS from pool01's address, with or without a client
/// certificate: the answer up to the first final response, or why the connection failed.
async fn invite_over_tls(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    identity: Option<(&str, &str)>,
) -> Result<String, String> {
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use umctl::sip::transport::tls::client_config;

    let connector = tokio_rustls::TlsConnector::from(client_config(ca_pem, identity).unwrap());
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.10.1:0".parse().unwrap()).unwrap();
    let tcp = socket.connect(addr).await.unwrap();
    let local = tcp.local_addr().unwrap();
    let name = ServerName::try_from("ex-cas01.contoso.com").unwrap();
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let text = format!(
        "INVITE sip:LOC801@ex-cas01.contoso.com:{port};transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS {local};branch=z9hG4bKmtls1\r\nMax-Forwards: 70\r\n\
         From: <sip:+14255550199@contoso.com;user=phone>;tag=m1\r\n\
         To: <sip:LOC801@ex-cas01.contoso.com>\r\nCall-ID: mtls-{port}@pool01\r\n\
         CSeq: 1 INVITE\r\nContact: <sip:{local};transport=tls>\r\nContent-Length: 0\r\n\r\n",
        port = addr.port()
    );
    tls.write_all(text.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut all = String::new();
    let mut buf = vec![0u8; 8192];
    while !all.contains("SIP/2.0 4") && !all.contains("SIP/2.0 3") {
        let n = tokio::time::timeout(Duration::from_secs(10), tls.read(&mut buf))
            .await
            .map_err(|_| format!("no final answer: {all}"))?
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("connection closed: {all}"));
        }
        all.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    Ok(all)
}

fn read_pair(chain: &Path, key: &Path) -> (String, String) {
    (
        std::fs::read_to_string(chain).unwrap(),
        std::fs::read_to_string(key).unwrap(),
    )
}

#[tokio::test]
async fn serve_answers_403_to_a_secured_call_without_a_client_certificate() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &["--server", "EX-CAS01"]);
    let addr = serve.addr("EX-CAS01", "call_router", "tls");
    let ca = std::fs::read_to_string(lab.path().join("ca/lab-ca.pem")).unwrap();
    let answer = invite_over_tls(addr, &ca, None).await.unwrap();
    assert!(answer.contains("SIP/2.0 403"), "{answer}");
    assert!(
        answer.contains("presented no TLS certificate")
            && answer.contains("UM IP gateway 1:1 (pool01.contoso.com)"),
        "{answer}"
    );
    // With pool01's certificate from the lab CA: admitted, redirected.
    let (chain, key, _) = issue(&lab, "pool01.contoso.com", &[]);
    let (chain, key) = read_pair(&chain, &key);
    let answer = invite_over_tls(addr, &ca, Some((&chain, &key)))
        .await
        .unwrap();
    assert!(answer.contains("SIP/2.0 302"), "{answer}");
}

#[tokio::test]
async fn serve_client_ca_decides_whose_certificates_are_accepted() {
    let lab = granted_lab();
    // pool01's certificate from another CA, and serve told to trust that CA.
    let (other_chain, other_key, _) = issue(&lab, "pool01.contoso.com", &["--untrusted"]);
    let other_ca = lab.path().join("ca/untrusted/lab-ca.pem");
    let serve = ServeHarness::start(
        &lab,
        &[
            "--server",
            "EX-CAS01",
            "--client-ca",
            other_ca.to_str().unwrap(),
        ],
    );
    let addr = serve.addr("EX-CAS01", "call_router", "tls");
    let ca = std::fs::read_to_string(lab.path().join("ca/lab-ca.pem")).unwrap();
    let (chain, key) = read_pair(&other_chain, &other_key);
    let answer = invite_over_tls(addr, &ca, Some((&chain, &key)))
        .await
        .unwrap();
    assert!(answer.contains("SIP/2.0 302"), "{answer}");
    // The lab CA's certificate for pool01 is no longer accepted: the handshake fails.
    let (lab_chain, lab_key, _) = issue(&lab, "pool01.contoso.com", &[]);
    let (chain, key) = read_pair(&lab_chain, &lab_key);
    let refused = invite_over_tls(addr, &ca, Some((&chain, &key))).await;
    let why = refused.expect_err("the lab CA certificate was accepted");
    assert!(why.contains("UnknownCA"), "{why}");
}

// `umctl doctor --tls` against a real serve on fixed loopback ports (a port offset no other
// listener of this machine holds): the certificate findings in the doctor report.

/// The lab's server addresses (its hosts table).
const LAB_SERVERS: [&str; 4] = ["127.0.20.1", "127.0.20.2", "127.0.20.11", "127.0.20.12"];

/// A port offset whose serve ports (5060 + N ... 5068 + N) are free on every lab address,
/// one per call of this process.
fn free_port_offset() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    for _ in 0..200 {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let offset =
            25000 + ((std::process::id() as u16 % 500).wrapping_mul(7) + n * 13) % 2500 * 10;
        let free = LAB_SERVERS.iter().all(|ip| {
            (5060..=5068).all(|p| std::net::TcpListener::bind((*ip, p + offset)).is_ok())
        });
        if free {
            return offset;
        }
    }
    panic!("no free port offset for serve on the lab addresses");
}

/// serve on `offset` with `extra` arguments.
fn serve_at(lab: &TempLab, offset: u16, extra: &[&str]) -> ServeHarness {
    let offset = offset.to_string();
    let mut args = vec!["--port-offset", offset.as_str()];
    args.extend_from_slice(extra);
    ServeHarness::start_with(lab, &args)
}

/// `doctor --tls --port-offset N` with `extra` arguments, expecting exit `code`.
fn doctor_tls(lab: &TempLab, offset: u16, extra: &[&str], code: i32) -> crate::support::Run {
    let offset = offset.to_string();
    let mut args = vec!["doctor", "--tls", "--port-offset", offset.as_str()];
    args.extend_from_slice(extra);
    lab.run(&args).expect_code(code)
}

/// serve, only EX-CAS01, on a free port offset, with a lab certificate issued with `flags`.
fn serve_cas01_with(lab: &TempLab, flags: &[&str]) -> (ServeHarness, u16) {
    let (chain, key, _) = issue(lab, "EX-CAS01", flags);
    let offset = free_port_offset();
    let (chain, key) = (chain.to_str().unwrap(), key.to_str().unwrap());
    let serve = serve_at(
        lab,
        offset,
        &[
            "--server",
            "EX-CAS01",
            "--tls-cert",
            chain,
            "--tls-key",
            key,
        ],
    );
    (serve, offset)
}

#[test]
fn doctor_tls_finds_a_wildcard_certificate_and_names_each_unreachable_listener() {
    let lab = granted_lab();
    let (_serve, offset) = serve_cas01_with(&lab, &["--wildcard"]);
    let doc = doctor_tls(&lab, offset, &["--json"], 1).json();
    let router = format!("EX-CAS01 UM call router at 127.0.20.1:{}", 5061 + offset);
    let wildcard = findings(&doc, "certificate-wildcard");
    assert_eq!(wildcard.len(), 1, "{doc:#}");
    assert_eq!(wildcard[0]["object"], router.as_str());
    assert_eq!(wildcard[0]["kind"], "certificate");
    let why = wildcard[0]["why"].as_str().unwrap();
    assert!(
        why.contains("only through the wildcard *.contoso.com"),
        "{why}"
    );
    assert!(wildcard[0]["fix"]
        .as_str()
        .unwrap()
        .contains("umctl lab cert issue --server"));
    // EX-CAS02's router and both UM services are not running: one finding each, naming
    // the address dialled.
    let unreachable = findings(&doc, "tls-unreachable");
    assert_eq!(unreachable.len(), 3, "{doc:#}");
    let mbx01 = format!("127.0.20.11:{}", 5063 + offset);
    let f = unreachable
        .iter()
        .find(|f| f["object"] == format!("EX-MBX01 UM service at {mbx01}").as_str())
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert!(f["why"].as_str().unwrap().contains(&mbx01), "{f:#}");
    // The table groups them by cause; --powershell carries the cmdlet fix.
    let text = doctor_tls(&lab, offset, &[], 1).stdout;
    assert!(text.contains("certificate-wildcard"), "{text}");
    assert!(text.contains("tls-unreachable"), "{text}");
    let script = doctor_tls(&lab, offset, &["--powershell"], 1).stdout;
    assert!(
        script.contains("\nSet-UMService -Identity EX-MBX01 -UMStartupMode Dual\n"),
        "{script}"
    );
    assert!(
        script.contains(&format!("# certificate-wildcard: {router}")),
        "{script}"
    );
}

#[test]
fn doctor_tls_finds_an_expired_certificate() {
    let lab = granted_lab();
    let (_serve, offset) = serve_cas01_with(&lab, &["--expired"]);
    let doc = doctor_tls(&lab, offset, &["--json"], 1).json();
    let expired = findings(&doc, "certificate-expired");
    assert_eq!(expired.len(), 1, "{doc:#}");
    assert_eq!(
        expired[0]["object"],
        format!("EX-CAS01 UM call router at 127.0.20.1:{}", 5061 + offset).as_str()
    );
    assert!(
        expired[0]["why"]
            .as_str()
            .unwrap()
            .contains("The certificate offered by ex-cas01.contoso.com expired on"),
        "{doc:#}"
    );
    assert!(findings(&doc, "certificate-wildcard").is_empty());
}

#[test]
fn doctor_tls_on_good_certificates_adds_no_finding() {
    // The clean lab (doctor exits 0) with every server running on the lab CA's certificates.
    let lab = crate::doctor::clean_lab();
    let offset = free_port_offset();
    let _serve = serve_at(&lab, offset, &[]);
    let doc = doctor_tls(&lab, offset, &["--json", "--all"], 0).json();
    assert_eq!(doc["findings"], serde_json::json!([]), "{doc:#}");
    let certs: Vec<&Value> = doc["checked"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "certificate")
        .collect();
    assert_eq!(certs.len(), 4, "{doc:#}");
    assert!(certs
        .iter()
        .any(|c| c["object"]
            == format!("EX-MBX02 UM service at 127.0.20.12:{}", 5063 + offset).as_str()));
}
