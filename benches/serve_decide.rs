//! What `umctl serve`'s UM Call Router spends deciding one INVITE, in process, on the lab
//! forest (pool01 a UM IP gateway, LOC801 Unsecured, an INVITE for pilot LOC801 diverted from
//! bob), without sockets or the transaction layer (benches/sip_load.sh measures those):
//!
//! - `parse`: the INVITE's bytes to an `rsip::Request` (normalising layer + rsip);
//! - `decide`: `Exchange::decide` (IncomingCall, admission, call answering, the 302 Contact),
//!   what every INVITE cost before the route cache;
//! - `route_cached`: `Exchange::route` when the decision is cached (the steady state of a
//!   load from one gateway);
//! - `respond_302`: building the 302 and its bytes.
//!
//! Run: cargo bench --bench serve_decide. Deterministic instruction counts:
//! `valgrind --tool=callgrind target/release/deps/serve_decide-* --bench --profile-time 2 decide`.

use std::hint::black_box;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use rsip::prelude::UntypedHeader;
use umctl::directory::lab::LabDirectory;
use umctl::serve::Exchange;
use umctl::sip::message::{response_bytes, response_to};
use umctl::sip::transport::TransportKind;
use umctl::um::{BoundPorts, Routing, Stage};

const UNSECURE_LOC801: &str = "dn: CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com
changetype: modify
replace: msExchUMDialPlanVoipSecurity
msExchUMDialPlanVoipSecurity: 0
-
";

const INVITE: &str = "INVITE sip:LOC801@127.0.20.1:25060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.10.1:30000;branch=z9hG4bK-1-0\r\n\
From: \"Alice Adams\" <sip:alice@contoso.com>;tag=1SIPpTag001\r\n\
To: \"Bob Haddad\" <sip:bob@contoso.com>\r\n\
Call-ID: 1-4242@127.0.10.1\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:alice@127.0.10.1:30000;transport=UDP>\r\n\
Diversion: <sip:bob@contoso.com>;reason=no-answer;counter=1;privacy=off\r\n\
Max-Forwards: 70\r\n\
Content-Length: 0\r\n\r\n";

fn umctl(lab: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_umctl"))
        .arg("--lab")
        .arg(lab)
        .args(args)
        .env_remove("UMCTL_LAB")
        .output()
        .expect("run umctl");
    assert!(
        out.status.success(),
        "umctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("lab");
    umctl(&root, &["lab", "init"]);
    umctl(&root, &["grant-permissions", "--yes"]);
    let ldif = dir.path().join("unsecured.ldif");
    std::fs::write(&ldif, UNSECURE_LOC801).expect("write LDIF");
    umctl(&root, &["lab", "apply", ldif.to_str().expect("utf-8 path")]);

    let lab = LabDirectory::open(&root).expect("open");
    let hosts = lab.hosts().expect("hosts");
    let mailboxes = lab.paths().mailboxes();
    let exchange = Exchange::new(
        Arc::new(lab),
        Some(hosts),
        Some(mailboxes),
        Arc::new(BoundPorts::new()),
    );
    let peer: SocketAddr = "127.0.10.1:30000".parse().expect("addr");
    let request = match umctl::sip::parse(INVITE.as_bytes()).expect("parse") {
        rsip::SipMessage::Request(r) => r,
        other => panic!("not a request: {other:?}"),
    };
    let routing = exchange
        .decide(&request, peer, TransportKind::Udp, Stage::CallRouter, None)
        .expect("decide")
        .routing;
    let Routing::Redirect(target) = &routing else {
        panic!("expected a redirect, got {routing:?}");
    };
    assert!(target.contact.contains("ex-mbx02"), "{}", target.contact);

    let mut group = c.benchmark_group("serve_call_router");
    group.bench_function("parse", |b| {
        b.iter(|| umctl::sip::parse(black_box(INVITE.as_bytes())).expect("parse"))
    });
    group.bench_function("decide", |b| {
        b.iter(|| {
            exchange
                .decide(
                    black_box(&request),
                    peer,
                    TransportKind::Udp,
                    Stage::CallRouter,
                    None,
                )
                .expect("decide")
        })
    });
    group.bench_function("route_cached", |b| {
        b.iter(|| {
            exchange
                .route(
                    black_box(&request),
                    peer,
                    TransportKind::Udp,
                    Stage::CallRouter,
                    None,
                )
                .expect("route")
        })
    });
    group.bench_function("respond_302", |b| {
        b.iter(|| {
            let mut resp = response_to(black_box(&request), 302, "Moved Temporarily", Some("t1"));
            resp.headers
                .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                    "<{}>",
                    target.contact
                ))));
            response_bytes(&resp)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
