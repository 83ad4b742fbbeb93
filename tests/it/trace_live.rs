//! `umctl trace-call --live` with the real binary: the fresh lab stops at the read-permission
//! hop (as offline) and names `umctl grant-permissions`; after granting, the call placed over
//! TLS from pool01's address gets both 302s and the worker's 200 (in-process serve and
//! against `--serve` of a running `umctl serve`, TLS and TCP); `--pcap` writes a file that
//! reads back (and that tshark dissects as SIP, when tshark is installed: required in CI);
//! `--ladder` draws the real exchange; MaxCallsAllowed reached is a 503 at the worker hop; the
//! offline and live traces agree hop for hop for every UM-enabled lab user, the delivery hop
//! included; the worker records the caller's message and the voice mail it delivers to the
//! user's Maildir (with the call's X-Umctl-Call-Id) is the last hop (exit 0); a caller who
//! hangs up before the beep ends with the missed-call notification; `--digits` are sent as
//! RFC 4733 events. One test tells issue #9's story: a fresh lab fails at the read-permission
//! hop naming `umctl grant-permissions`, and after it the same call succeeds offline and
//! live and leaves the voice mail in Bob's Maildir.

use std::process::Command;

use serde_json::Value;

use crate::support::{ServeHarness, TempLab};

const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
/// pool01.contoso.com in the lab hosts table.
const POOL01: &str = "127.0.10.1";

/// Short calls: one second of message; the trace returns as soon as the message arrives.
const QUICK: [&str; 4] = ["--message-seconds", "1", "--delivery-wait", "20"];

pub(crate) fn granted_lab() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab
}

pub(crate) fn hop(trace: &Value, n: u64) -> &Value {
    trace["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["number"] == n)
        .unwrap_or_else(|| panic!("no hop {n} in {trace:#}"))
}

/// The first lines of the ladder's messages.
pub(crate) fn first_lines(trace: &Value) -> Vec<String> {
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
    // The worker recorded the message and delivered it: the last hop names the file.
    let delivery = hop(trace, 8);
    assert_eq!(delivery["outcome"], "ok", "{delivery:#}");
    let file = live["delivered"]
        .as_str()
        .unwrap_or_else(|| panic!("{live:#}"));
    assert!(
        delivery["result"].as_str().unwrap().contains(file),
        "{delivery:#}"
    );
    assert_eq!(trace["reached"], true, "{trace:#}");
    assert_eq!(trace["live"]["disagreements"], serde_json::json!([]));
}

/// The delivered file of a live trace: in `user`'s lab Maildir, with the call's Call-ID and
/// message class; its text.
fn delivered_message(lab: &TempLab, trace: &Value, user: &str, class: &str) -> String {
    let file = std::path::PathBuf::from(trace["live"]["delivered"].as_str().unwrap());
    let maildir_new = lab.path().join("mailboxes").join(user).join("Maildir/new");
    assert_eq!(file.parent().unwrap(), maildir_new, "{trace:#}");
    let text = std::fs::read_to_string(&file).unwrap();
    let call_id = trace["live"]["call_id"].as_str().unwrap();
    assert!(
        text.contains(&format!("X-Umctl-Call-Id: {call_id}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("X-Umctl-Message-Class: {class}")),
        "{text}"
    );
    text
}

/// Whether tshark is here (required in CI, where .ci/run installs it).
pub(crate) fn tshark_available(test: &str) -> bool {
    let found = Command::new("tshark").arg("-v").output().is_ok();
    if !found {
        crate::support::skip_for_missing_peer(
            &format!("the tshark part of {test}"),
            "tshark (apt-get install tshark)",
        );
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
    // The dial plan is right (Secured); the test call's transport is what differs.
    let fix = admission["fix"].as_str().unwrap();
    assert!(
        fix.contains("over TLS") && !fix.contains("Set-UMDialPlan"),
        "{fix}"
    );
    assert_eq!(admission["cause"], "unsecured-test-call");
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
    let mut delivered = Vec::new();
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
        assert_eq!(
            live["live"]["disagreements"],
            serde_json::json!([]),
            "{user}"
        );
        assert_eq!(live["first_failure"], offline["first_failure"], "{user}");
        assert_eq!(live["reached"], offline["reached"], "{user}");
        for (o, l) in offline["hops"]
            .as_array()
            .unwrap()
            .iter()
            .zip(live["hops"].as_array().unwrap())
        {
            assert_eq!(
                (&o["number"], &o["component"], &o["outcome"]),
                (&l["number"], &l["component"], &l["outcome"]),
                "{user}"
            );
            assert_eq!(o["fix"], l["fix"], "{user}: hop {}", o["number"]);
        }
        // A user whose call reaches voice mail has the message in their own Maildir.
        if live["reached"] == true
            && hop(&live, 8)["action"]
                .as_str()
                .unwrap()
                .contains("voice message")
        {
            let file = live["live"]["delivered"]
                .as_str()
                .unwrap_or_else(|| panic!("{user}: {live:#}"));
            assert!(std::path::Path::new(file).is_file(), "{user}: {file}");
            delivered.push(user);
        }
    }
    assert!(delivered.len() >= 2, "only {delivered:?} got a voice mail");
}

/// Issue #9's must-show, as a user would see it.
#[test]
fn fresh_lab_fails_at_read_permission_then_grant_permissions_makes_the_call_reach_bobs_maildir() {
    let lab = TempLab::new();
    // Offline and live, the fresh lab stops at hop 4 and names the fix.
    for live in [false, true] {
        let mut args = vec!["trace-call", "--to", "bob", "--json"];
        if live {
            args.push("--live");
        }
        let trace = lab.run(&args).expect_code(1).json();
        assert_eq!(trace["first_failure"], 4, "{trace:#}");
        let h4 = hop(&trace, 4);
        assert_eq!(h4["outcome"], "failed");
        assert_eq!(h4["fix"], "umctl grant-permissions", "{h4:#}");
        assert!(h4["why"].as_str().unwrap().contains("read"), "{h4:#}");
    }
    // The administrator runs the fix.
    lab.run(&["grant-permissions", "--yes"]).ok();
    let offline = lab
        .run(&["trace-call", "--to", "bob", "--json"])
        .ok()
        .json();
    assert_eq!(offline["reached"], true, "{offline:#}");
    assert!(offline["first_failure"].is_null());
    // Live: the call really goes through and the voice mail lands in Bob's Maildir.
    let run = lab
        .run(&[
            "trace-call",
            "--to",
            "bob",
            "--live",
            "--json",
            "--message-seconds",
            "2",
            "--delivery-wait",
            "20",
        ])
        .ok();
    let trace = run.json();
    assert_signalling_ok(&trace);
    let text = delivered_message(&lab, &trace, "bob", "IPM.Note.Microsoft.Voicemail.UM.CA");
    assert!(text.contains("Voice Mail from"), "{text}");
    let file = trace["live"]["delivered"].as_str().unwrap();
    let wav = umctl::mail::voicemail::voicemail_audio(std::path::Path::new(file)).unwrap();
    let (info, _) = umctl::media::wav::parse(&wav).unwrap();
    // Two seconds spoken; the recording holds them (a little less or more at the edges).
    assert!(
        (1500..=2600).contains(&info.duration_ms()),
        "recording of {} ms for 2 s spoken",
        info.duration_ms()
    );
    // The text output says so too.
    let text = lab
        .run(&[
            "trace-call",
            "--to",
            "bob",
            "--live",
            "--message-seconds",
            "1",
        ])
        .ok()
        .stdout;
    assert!(text.contains("OK: the call reaches voice mail"), "{text}");
    assert!(text.contains("Delivered: "), "{text}");
    assert!(text.contains("mailboxes/bob/Maildir/new/"), "{text}");
}

#[test]
fn hanging_up_before_the_beep_ends_with_the_missed_call_notification() {
    let lab = granted_lab();
    let run = lab
        .run(&[
            "trace-call",
            "--to",
            "bob",
            "--live",
            "--json",
            "--hang-up-before-beep",
            "--delivery-wait",
            "20",
        ])
        .ok();
    let trace = run.json();
    assert_eq!(trace["reached"], true, "{trace:#}");
    let delivery = hop(&trace, 8);
    assert_eq!(delivery["outcome"], "ok", "{delivery:#}");
    assert!(
        delivery["result"]
            .as_str()
            .unwrap()
            .starts_with("the missed-call notification arrived"),
        "{delivery:#}"
    );
    delivered_message(&lab, &trace, "bob", "IPM.Note.Microsoft.Missed.Voice");
    assert_eq!(trace["live"]["disagreements"], serde_json::json!([]));
}

#[test]
fn digits_are_sent_as_rfc4733_events_and_the_call_still_delivers() {
    let lab = granted_lab();
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--digits",
        "12*",
    ];
    args.extend_from_slice(&QUICK);
    let trace = lab.run(&args).ok().json();
    assert_signalling_ok(&trace);
    assert_eq!(trace["live"]["dtmf_sent"], "12*");
    let delivery = hop(&trace, 8);
    assert!(
        delivery["looked_up"].as_array().unwrap().iter().any(|l| l
            .as_str()
            .unwrap()
            .starts_with("DTMF 12* sent as RFC 4733 events")),
        "{delivery:#}"
    );
    delivered_message(&lab, &trace, "bob", "IPM.Note.Microsoft.Voicemail.UM.CA");
}

/// LOC801 is Secured in the lab: the pool offers SRTP, the worker answers it, the message
/// travels encrypted and is still delivered. The keys are in neither the trace nor the pcap
/// (its SDP shows `inline:****`), only in the `--pcap-keys` file; with them the captured
/// media opens, and tshark sees no RTP payload equal to the clear G.711 that was sent.
#[test]
fn secured_plan_live_call_is_srtp_and_its_keys_go_to_the_side_file_only() {
    use umctl::media::srtp::{CryptoAttribute, SrtpContext};
    let lab = granted_lab();
    let pcap = lab.file("secured.pcap");
    let keys = lab.file("secured.keys");
    let (pcap_arg, keys_arg) = (pcap.to_str().unwrap(), keys.to_str().unwrap());
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--pcap",
        pcap_arg,
        "--pcap-keys",
        keys_arg,
    ];
    args.extend_from_slice(&QUICK);
    let run = lab.run(&args);
    let trace = run.json();
    assert_signalling_ok(&trace);
    let offered = hop(&trace, 6)["looked_up"][0].as_str().unwrap().to_string();
    assert!(
        offered.contains("offers SRTP") && offered.contains("RTP/SAVP"),
        "{offered}"
    );
    let answered = hop(&trace, 7)["looked_up"].to_string();
    assert!(
        answered.contains("SRTP AES_CM_128_HMAC_SHA1_80"),
        "{answered}"
    );

    // Two keys, one per direction; in neither the trace nor the capture.
    let key_file = std::fs::read_to_string(&keys).unwrap();
    let lines: Vec<&str> = key_file.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 2, "{key_file}");
    let pcap_bytes = std::fs::read(&pcap).unwrap();
    let mut contexts = Vec::new();
    for line in &lines {
        let (flow, crypto) = line.split_once(" AES_CM").unwrap();
        let inline = crypto.split("inline:").nth(1).unwrap();
        assert!(!run.stdout.contains(inline), "a key is in the trace output");
        assert!(
            !pcap_bytes
                .windows(inline.len())
                .any(|w| w == inline.as_bytes()),
            "a key is in the pcap"
        );
        let attr = CryptoAttribute::parse(&format!("1 AES_CM{crypto}")).unwrap();
        let from = flow.split(" -> ").next().unwrap().to_string();
        contexts.push((from, SrtpContext::new(attr.suite, &attr.key)));
    }
    let packets = umctl::trace::pcap::read(&pcap_bytes).unwrap();
    let invite = String::from_utf8_lossy(&packets[0].payload).into_owned();
    assert!(
        invite.contains("m=audio") && invite.contains(" RTP/SAVP "),
        "{invite}"
    );
    assert!(
        invite.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:****"),
        "{invite}"
    );

    // The caller's media opens with its key: that is the clear G.711 it sent.
    let caller_rtp = packets
        .iter()
        .filter(|p| p.wire == umctl::trace::pcap::Wire::Udp && p.from.ip().to_string() == POOL01);
    let (from, ctx) = contexts
        .iter_mut()
        .find(|(from, _)| from.starts_with(POOL01))
        .unwrap();
    let mut clear_payloads = Vec::new();
    let mut rtp_port = 0;
    for p in caller_rtp {
        assert_eq!(&p.from.to_string(), from);
        rtp_port = p.to.port();
        let clear = ctx.unprotect_rtp(&p.payload).unwrap();
        clear_payloads.push(hex(&clear[12..]));
    }
    assert!(clear_payloads.len() >= 50, "{}", clear_payloads.len());

    if tshark_available("secured_plan_live_call_is_srtp_and_its_keys_go_to_the_side_file_only") {
        let out = Command::new("tshark")
            .args(["-r", pcap_arg, "-d", &format!("udp.port=={rtp_port},rtp")])
            .args(["-Y", "rtp", "-T", "fields", "-e", "rtp.payload"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen = String::from_utf8_lossy(&out.stdout);
        let payloads: Vec<String> = seen.lines().map(|l| l.replace(':', "")).collect();
        assert!(payloads.len() >= clear_payloads.len(), "{seen}");
        for clear in &clear_payloads {
            assert!(
                !payloads.iter().any(|p| p.contains(clear.as_str())),
                "tshark shows a clear G.711 payload: {clear}"
            );
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Secrets stay out of the logs at their most verbose: a Secured (SRTP) call from
/// `trace-call -vv` through `umctl serve -vv`; neither stderr holds either SRTP master key
/// (as the SDP's base64 nor as hex), though both logged the call at DEBUG and beyond.
#[test]
fn srtp_keys_of_a_secured_call_are_in_neither_vv_log() {
    use umctl::media::srtp::CryptoAttribute;
    let lab = granted_lab();
    let serve = ServeHarness::start(&lab, &["-vv"]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let (pcap, keys) = (lab.file("vv.pcap"), lab.file("vv.keys"));
    let mut args = vec![
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "-vv",
        "--serve",
        &tls,
        "--pcap",
        pcap.to_str().unwrap(),
        "--pcap-keys",
        keys.to_str().unwrap(),
    ];
    args.extend_from_slice(&QUICK);
    let run = lab.run(&args);
    assert_signalling_ok(&run.json());
    // serve logged the call: the worker's media line, SRTP counters included.
    assert!(
        serve.wait_for_log(std::time::Duration::from_secs(10), |log| log
            .iter()
            .any(|l| l["media"]["srtp_auth_failures"] == 0)),
        "{}",
        serve.stderr()
    );
    let serve_log = serve.stderr();
    assert!(
        serve.log().iter().any(|l| l["level"] == "DEBUG"),
        "{serve_log}"
    );
    assert!(run.stderr.contains("DEBUG"), "{}", run.stderr);
    let key_file = std::fs::read_to_string(&keys).unwrap();
    let lines: Vec<&str> = key_file.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 2, "{key_file}");
    for line in lines {
        let crypto = line.split_once(" AES_CM").unwrap().1;
        let inline = crypto.split("inline:").nth(1).unwrap().trim();
        let inline = inline.split('|').next().unwrap();
        assert!(CryptoAttribute::parse(&format!("1 AES_CM{crypto}")).is_ok());
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(inline)
            .unwrap();
        // The whole key and salt, and the 16-byte master key alone.
        for secret in [inline.to_string(), hex(&bytes), hex(&bytes[..16])] {
            assert!(!serve_log.contains(&secret), "serve's -vv log holds a key");
            assert!(
                !run.stderr.contains(&secret),
                "trace-call's -vv log holds a key"
            );
        }
    }
}
