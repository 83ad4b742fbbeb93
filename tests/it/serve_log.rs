//! serve's log on stderr through the real binary: the text form (tracing's, with the
//! component span), `-q` (errors only: a call's lines are gone) and trace-call's `-v` (the
//! directory lookups behind the trace, absent without it). The JSON form is what every other
//! serve test reads (`ServeHarness::log`).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::serve::granted_lab;
use crate::support::ServeHarness;

/// Sends one OPTIONS over TCP (its transaction ends at once: no Timer J) and reads the 200.
fn probe(to: SocketAddr) {
    use std::io::{Read, Write};
    let mut conn = TcpStream::connect_timeout(&to, Duration::from_secs(5)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let local = conn.local_addr().unwrap();
    let text = format!(
        "OPTIONS sip:{to} SIP/2.0\r\nVia: SIP/2.0/TCP {local};branch=z9hG4bKlog1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@contoso.com>;tag=p1\r\nTo: <sip:{to}>\r\n\
         Call-ID: log-probe@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    conn.write_all(text.as_bytes()).unwrap();
    let mut buf = vec![0u8; 8192];
    let n = conn.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"SIP/2.0 200"), "{:?}", &buf[..n]);
}

/// Waits (at most 10 s) until serve's stderr holds `needle`.
fn wait_for(serve: &ServeHarness, needle: &str) -> bool {
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < end {
        if serve.stderr().contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn text_log_lines_carry_the_component_span_and_the_transaction_fields() {
    let lab = granted_lab();
    let mut serve = ServeHarness::start_command(
        &lab,
        &["serve", "--ephemeral-ports", "--server", "EX-CAS01"],
    );
    probe(serve.addr("EX-CAS01", "call_router", "tcp"));
    assert!(
        wait_for(&serve, "call_id=log-probe@test"),
        "{}",
        serve.stderr()
    );
    let stderr = serve.stderr();
    let line = stderr
        .lines()
        .find(|l| l.contains("call_id=log-probe@test"))
        .unwrap();
    for part in [
        " INFO component{server=EX-CAS01 component=\"call_router\"}: SIP transaction ",
        "method=OPTIONS",
        "status=200",
        "outcome=completed",
        "role=\"server\"",
    ] {
        assert!(line.contains(part), "{part:?} missing from {line}");
    }
    assert!(serve.terminate(Duration::from_secs(10)).is_some());
    assert!(serve.stderr().contains("INFO stopped; 0 active call(s)"));
}

#[test]
fn quiet_serve_prints_no_transaction_or_status_line() {
    let lab = granted_lab();
    let mut serve = ServeHarness::start(&lab, &["--server", "EX-CAS01", "-q"]);
    let cas = serve.addr("EX-CAS01", "call_router", "tcp");
    probe(cas);
    // Without -q the same probe is logged (the control).
    let loud = ServeHarness::start(&lab, &["--server", "EX-CAS02"]);
    probe(loud.addr("EX-CAS02", "call_router", "tcp"));
    assert!(wait_for(&loud, "log-probe@test"), "{}", loud.stderr());
    let status = serve
        .terminate(Duration::from_secs(10))
        .expect("serve stops");
    assert!(status.success());
    assert_eq!(serve.stderr(), "", "-q printed something");
}

#[test]
fn trace_call_v_shows_the_directory_lookups_and_without_v_nothing() {
    let lab = granted_lab();
    let plain = lab.run(&["trace-call", "--to", "bob"]);
    assert!(!plain.stderr.contains("directory:"), "{}", plain.stderr);
    let verbose = lab.run(&["trace-call", "--to", "bob", "-v"]);
    assert_eq!(verbose.stdout, plain.stdout, "-v changes only stderr");
    let lookup = verbose
        .stderr
        .lines()
        .find(|l| l.contains("directory: recipients by attribute"))
        .unwrap_or_else(|| panic!("no lookup on stderr:\n{}", verbose.stderr));
    assert!(lookup.contains(" DEBUG "), "{lookup}");
    assert!(
        verbose.stderr.contains("value=\"bob\""),
        "{}",
        verbose.stderr
    );
    assert!(
        verbose
            .stderr
            .contains("resolve: admitted dial_plan=LOC801"),
        "{}",
        verbose.stderr
    );
}
