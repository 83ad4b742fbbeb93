//! `umctl trace-call --live` with the real binary: the fresh lab stops at the read-permission
//! hop (as offline) and names `umctl grant-permissions`; after granting, the call placed over
//! TLS from pool01's address gets both 302s and the worker's 200 (in-process serve and
//! against `--serve` of a running `umctl serve`, TLS and TCP); `--pcap` writes a file that
//! reads back (and that tshark dissects as SIP, when tshark is installed: required in CI);
//! `--ladder` draws the real exchange; MaxCallsAllowed reached is a 503 at the worker hop; the
//! offline and live traces agree hop for hop for every UM-enabled lab user; and a message that
//! arrives in the Maildir with the call's X-Umctl-Call-Id is the last hop (exit 0).
//!
//! Until the worker records and delivers (the media part of serve), the delivery hop (8) of a
//! voice-mail call fails honestly ("no voice message arrived"); the tests that place such a
//! call accept that one hop either way and say so where they do.

use std::process::Command;

use serde_json::Value;

use crate::support::{ServeHarness, TempLab};

const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
/// pool01.contoso.com in the lab hosts table.
const POOL01: &str = "127.0.10.1";

/// Short calls: one second of message, no wait for a delivery that cannot come yet.
const QUICK: [&str; 4] = ["--message-seconds", "1", "--delivery-wait", "0"];

fn granted_lab() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab
}

fn hop(trace: &Value, n: u64) -> &Value {
    trace["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["number"] == n)
        .unwrap_or_else(|| panic!("no hop {n} in {trace:#}"))
}

/// The first lines of the ladder's messages.
fn first_lines(trace: &Value) -> Vec<String> {
    trace["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["first_line"].as_str().unwrap().to_string())
        .collect()
}

/// Hops 1-7 worked, the three INVITEs got 302, 302, 200, the call was ACKed and hung up.
fn assert_signalling_ok(trace: &Value) {
    assert_eq!(trace["mode"], "live", "{trace:#}");
    for n in 1..=7 {
        assert_eq!(hop(trace, n)["outcome"], "ok", "hop {n}: {trace:#}");
    }
    let lines = first_lines(trace);
    let finals: Vec<&str> = lines
        .iter()
        .filter(|l| {
            l.starts_with("SIP/2.0 302")
                || l.starts_with("SIP/2.0 200")
                || l.starts_with("SIP/2.0 4")
        })
        .map(String::as_str)
        .collect();
    assert_eq!(
        finals,
        [
            "SIP/2.0 302 Moved Temporarily",
            "SIP/2.0 302 Moved Temporarily",
            "SIP/2.0 200 OK",
            "SIP/2.0 200 OK"
        ],
        "{lines:#?}"
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("INVITE ")).count(), 3);
    assert!(
        lines.iter().any(|l| l.starts_with("SIP/2.0 180 Ringing")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("ACK ")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("BYE ")), "{lines:#?}");
    let live = &trace["live"];
    assert!(
        live["caller"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{POOL01}:")),
        "{live:#}"
    );
    assert!(live["rtp_sent_packets"].as_u64().unwrap() >= 50, "{live:#}");
    // Pending the worker's media part: the delivery hop may fail (nothing recorded) or pass.
    // Once serve records and delivers, this should become `== "ok"`.
    let delivery = hop(trace, 8);
    if delivery["outcome"] == "failed" {
        let why = delivery["why"].as_str().unwrap();
        assert!(why.contains("X-Umctl-Call-Id"), "{why}");
        assert!(why.contains(live["call_id"].as_str().unwrap()), "{why}");
    } else {
        assert_eq!(delivery["outcome"], "ok", "{delivery:#}");
        assert!(live["delivered"].is_string(), "{live:#}");
    }
}

/// Whether tshark is here (required in CI, where .ci/run installs it).
fn tshark_available(test: &str) -> bool {
    let found = Command::new("tshark").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "tshark is required in CI (apt-get install tshark)"
        );
        eprintln!("\n\n*** SKIPPED the tshark part of {test}: tshark is not installed ***\n");
    }
    found
}

#[test]
fn fresh_lab_live_stops_at_the_read_permission_hop_and_names_grant_permissions() {
    let lab = TempLab::new();
    let run = lab
        .run(&["trace-call", "--to", "bob", "--live", "--json"])
        .expect_code(1);
    let trace = run.json();
    assert_eq!(trace["mode"], "live");
    assert_eq!(trace["first_failure"], 4);
    assert_eq!(hop(&trace, 4)["fix"], "umctl grant-permissions");
    // The Front End stops before the INVITE: nothing is sent, and offline said the same.
    assert_eq!(trace["messages"].as_array().unwrap().len(), 0);
    assert_eq!(trace["live"]["call_id"], "");
    assert_eq!(trace["live"]["disagreements"], serde_json::json!([]));
    let text = lab
        .run(&["trace-call", "--to", "bob", "--live"])
        .expect_code(1);
    assert!(
        text.stdout.contains("Fix: umctl grant-permissions"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Live: no call placed"),
        "{}",
        text.stdout
    );
}

#[test]
fn granted_lab_live_call_passes_the_signalling_hops_and_writes_a_pcap() {
    let lab = granted_lab();
    let pcap = lab.file("call.pcap");
    let pcap_arg = pcap.to_str().unwrap();
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--pcap",
        pcap_arg,
    ];
    args.extend_from_slice(&QUICK);
    let run = lab.run(&args);
    let trace = run.json();
    assert_signalling_ok(&trace);
    assert_eq!(trace["live"]["serve"], "in-process");
    assert_eq!(trace["live"]["transport"], "TLS");
    assert_eq!(trace["live"]["pcap"], pcap_arg);
    assert_eq!(run.code, if trace["reached"] == true { 0 } else { 1 });

    // The capture reads back: the SIP exchange as TCP (the plaintext of the TLS session) from
    // pool01, the RTP as UDP.
    let packets = umctl::trace::pcap::read(&std::fs::read(&pcap).unwrap()).unwrap();
    let sip: Vec<String> = packets
        .iter()
        .filter(|p| p.wire == umctl::trace::pcap::Wire::Tcp)
        .map(|p| {
            String::from_utf8_lossy(&p.payload)
                .lines()
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        sip,
        first_lines(&trace),
        "the capture holds the ladder's messages"
    );
    assert_eq!(packets[0].from.ip().to_string(), POOL01);
    // The caller's RTP (the message) and the worker's (greeting, beep) are both captured.
    let (sent, received): (Vec<_>, Vec<_>) = packets
        .iter()
        .filter(|p| p.wire == umctl::trace::pcap::Wire::Udp)
        .partition(|p| p.from.ip().to_string() == POOL01);
    assert_eq!(
        sent.len() as u64,
        trace["live"]["rtp_sent_packets"].as_u64().unwrap()
    );
    assert!(
        !received.is_empty(),
        "no RTP from the worker in the capture"
    );

    if tshark_available("granted_lab_live_call_passes_the_signalling_hops_and_writes_a_pcap") {
        let out = Command::new("tshark")
            .args([
                "-r",
                pcap_arg,
                "-Y",
                "sip",
                "-T",
                "fields",
                "-e",
                "sip.Method",
                "-e",
                "sip.Status-Code",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let fields = String::from_utf8_lossy(&out.stdout);
        let rows: Vec<&str> = fields.lines().map(str::trim).collect();
        assert_eq!(
            rows.iter().filter(|r| **r == "INVITE").count(),
            3,
            "{fields}"
        );
        assert_eq!(rows.iter().filter(|r| **r == "302").count(), 2, "{fields}");
        assert!(rows.contains(&"ACK") && rows.contains(&"BYE"), "{fields}");
    }
}

#[test]
fn ladder_draws_the_real_exchange() {
    let lab = granted_lab();
    let mut args = vec!["trace-call", "--to", "bob", "--live", "--ladder"];
    args.extend_from_slice(&QUICK);
    let run = lab.run(&args);
    let out = &run.stdout;
    assert!(out.starts_with("Skype FE"), "{out}");
    for line in [
        "SIP/2.0 180 Ringing",
        "  ACK sip:LOC801@ex-mbx02.contoso.com:",
        "  BYE sip:",
    ] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    assert!(out.contains("Live: Call-ID "), "{out}");
    // Arrows to the worker (fourth column) and back.
    assert!(out.contains("---------------------------->|"), "{out}");
    assert!(out.contains("|<-----------------------------"), "{out}");
}

#[test]
fn live_against_a_running_serve_over_tls_and_tcp() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &[]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--serve",
        &tls,
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).json();
    assert_signalling_ok(&trace);
    assert_eq!(trace["live"]["serve"], tls.as_str());
    assert!(
        serve.wait_for_log(std::time::Duration::from_secs(5), |log| {
            log.iter().any(|l| {
                l["method"] == "INVITE"
                    && l["status"] == 302
                    && l["component"] == "call_router"
                    && l["peer"].as_str().unwrap_or_default().starts_with(POOL01)
            })
        }),
        "serve saw no INVITE from {POOL01}:\n{}",
        serve.stderr()
    );

    // Over TCP, LOC801 (Secured) is refused at admission (hop 5), as offline predicts for a
    // call without TLS; the live trace places the call anyway and shows the real 488.
    let tcp = serve.addr("EX-CAS01", "call_router", "tcp").to_string();
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--serve",
        &tcp,
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).expect_code(1).json();
    assert_eq!(trace["first_failure"], 5, "{trace:#}");
    let admission = hop(&trace, 5);
    let result = admission["result"].as_str().unwrap();
    assert!(
        result.contains("488") && result.ends_with("(live)"),
        "{result}"
    );
    assert!(admission["why"]
        .as_str()
        .unwrap()
        .contains("Incompatible security setting"));
    assert_eq!(
        first_lines(&trace).last().unwrap().split(' ').nth(1),
        Some("488")
    );
    assert_eq!(trace["live"]["disagreements"], serde_json::json!([]));

    // With LOC801 Unsecured (and serve started on that forest), TCP is admitted.
    drop(serve);
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n"
    ))
    .ok();
    let serve = ServeHarness::start(&lab, &[]);
    let tcp = serve.addr("EX-CAS01", "call_router", "tcp").to_string();
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--serve",
        &tcp,
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).json();
    assert_signalling_ok(&trace);
    assert_eq!(trace["live"]["transport"], "TCP");
}

#[test]
fn max_calls_reached_is_a_503_at_the_worker_hop() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &["--max-calls", "0"]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--serve",
        &tls,
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).expect_code(1).json();
    assert_eq!(trace["first_failure"], 7, "{trace:#}");
    assert_eq!(hop(&trace, 6)["outcome"], "info");
    let worker = hop(&trace, 7);
    assert_eq!(worker["component"], "um_worker");
    assert!(
        worker["result"].as_str().unwrap().starts_with("503 "),
        "{worker:#}"
    );
    assert!(
        worker["why"].as_str().unwrap().contains("MaxCallsAllowed"),
        "{worker:#}"
    );
    assert!(
        worker["fix"].as_str().unwrap().contains("--max-calls"),
        "{worker:#}"
    );
    assert_eq!(hop(&trace, 8)["outcome"], "skipped");
    let lines = first_lines(&trace);
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("SIP/2.0 503 Service Unavailable"),
        "{lines:#?}"
    );
}

/// Every user of fixtures/lab/README.md with msExchUMEnabledFlags 831.
const UM_ENABLED: [&str; 12] = [
    "bob", "alice", "carol", "frank", "grace", "heidi", "sales", "support", "operator", "karim",
    "ivan", "judy",
];

#[test]
fn offline_and_live_traces_agree_hop_for_hop_for_every_um_enabled_user() {
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &[]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    for user in UM_ENABLED {
        let mut args = vec![
            "trace-call",
            "--to",
            user,
            "--live",
            "--json",
            "--serve",
            &tls,
        ];
        args.extend_from_slice(&QUICK);
        let live = lab.run(&args).json();
        let offline = lab.run(&["trace-call", "--to", user, "--json"]).json();
        assert_eq!(live["hops"].as_array().unwrap().len(), 8, "{user}");
        // TOLERATED UNTIL THE WORKER RECORDS (media part of serve): the delivery hop (8) and
        // the first-failure line it causes. Remove this filter when delivery lands.
        let pending_delivery = |d: &&Value| {
            let d = d.as_str().unwrap();
            !(d.starts_with("hop 8 ") || d == "first failure: offline none, live hop 8")
        };
        let disagreements: Vec<&Value> = live["live"]["disagreements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(pending_delivery)
            .collect();
        assert!(disagreements.is_empty(), "{user}: {disagreements:#?}");
        for (o, l) in offline["hops"]
            .as_array()
            .unwrap()
            .iter()
            .zip(live["hops"].as_array().unwrap())
            .filter(|(o, _)| o["number"] != 8)
        {
            assert_eq!(
                (&o["number"], &o["component"], &o["outcome"]),
                (&l["number"], &l["component"], &l["outcome"]),
                "{user}"
            );
        }
    }
}

#[test]
fn a_delivered_message_with_the_calls_id_is_the_last_hop_and_the_goal_is_reached() {
    // Stands in for the worker's delivery (the media part of serve) by dropping a message
    // with the call's X-Umctl-Call-Id into Bob's Maildir while the trace waits for it.
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &[]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let child = lab
        .command(&[
            "trace-call",
            "--to",
            "bob",
            "--live",
            "--json",
            "--serve",
            &tls,
            "--message-seconds",
            "1",
            "--delivery-wait",
            "20",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut call_id = String::new();
    assert!(
        serve.wait_for_log(std::time::Duration::from_secs(15), |log| {
            log.iter()
                .any(|l| l["component"] == "call_router" && l["method"] == "INVITE")
        }),
        "the call router saw no INVITE:\n{}",
        serve.stderr()
    );
    for l in serve.log() {
        if l["component"] == "call_router" && l["method"] == "INVITE" {
            call_id = l["call_id"].as_str().unwrap().to_string();
        }
    }
    let new = lab.path().join("mailboxes/bob/Maildir/new");
    std::fs::create_dir_all(&new).unwrap();
    let file = new.join("1700000000.live-test.umctl");
    std::fs::write(
        &file,
        format!(
            "From: x\r\nX-Umctl-Message-Class: IPM.Note.Microsoft.Voicemail.UM.CA\r\nX-Umctl-Call-Id: {call_id}\r\n\r\nvoice"
        ),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let trace: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(0), "{trace:#}");
    assert_eq!(trace["reached"], true);
    let delivery = hop(&trace, 8);
    assert_eq!(delivery["outcome"], "ok", "{delivery:#}");
    assert!(
        delivery["result"]
            .as_str()
            .unwrap()
            .contains("1700000000.live-test.umctl"),
        "{delivery:#}"
    );
    assert_eq!(trace["live"]["delivered"], file.to_str().unwrap());
    assert_eq!(trace["live"]["disagreements"], serde_json::json!([]));
}
