//! Call records, reports and the live trace's truth (issue 13), with the real binary: the
//! three stories end truthfully (an auto attendant's key 1 ends in a REFER the trace answers
//! 202 and "transferred to 9001 (Sales)"; a wrong PIN fails the last hop with the failure
//! count, exit 1; a serve stopped mid-call shows "UM hung up (shutdown)"), each leaving its
//! record in `<lab>/calls`; `report calls --csv` has Exchange's column names, `report
//! summary` totals a known mix of calls and a torn line is skipped and reported; `serve
//! --metrics` passes `promtool check metrics` during a SIPp load and counts what the records
//! say; serve removes days older than `--keep-days`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{ServeHarness, TempLab};
use crate::trace_live::first_lines;

/// The auto attendant and Outlook Voice Access numbers of LOC801.
const AA_NUMBER: &str = "+96265515444";
const OVA_NUMBER: &str = "+96265515333";

/// Every record in `<lab>/calls`, in file order.
pub(crate) fn call_records(lab: &Path) -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(lab.join("calls"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect::<Vec<Value>>()
        })
        .collect()
}

/// The record of `call_id`, waiting up to 10 s for serve to write it.
pub(crate) fn record_of(lab: &Path, call_id: &str) -> Value {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(r) = call_records(lab)
            .into_iter()
            .find(|r| r["CallIdentity"] == call_id)
        {
            return r;
        }
        assert!(
            Instant::now() < end,
            "no record of {call_id} in {:#?}",
            call_records(lab)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The records in `<lab>/calls` once there are at least `n` (waiting up to 15 s).
pub(crate) fn wait_for_records(lab: &Path, n: usize) -> Vec<Value> {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let all = call_records(lab);
        if all.len() >= n || Instant::now() >= end {
            assert!(
                all.len() >= n,
                "{} record(s), expected {n}: {all:#?}",
                all.len()
            );
            return all;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Every call a test placed left exactly one record: `n` of them, each answered and ended for
/// a reason; `kind` is the call type of at least one. With `quality`, each has the audio
/// quality fields too.
pub(crate) fn assert_calls_recorded(lab: &Path, n: usize, kind: &str, quality: bool) -> Vec<Value> {
    let records = wait_for_records(lab, n);
    assert_eq!(records.len(), n, "{records:#?}");
    for r in &records {
        assert_eq!(r["OfferResult"], "Answer", "{r:#}");
        assert!(r["DropCallReason"].is_string(), "{r:#}");
        if quality {
            assert_quality(r);
        }
    }
    assert!(
        records.iter().any(|r| r["CallType"] == kind),
        "no {kind} record: {records:#?}"
    );
    records
}

/// An answered call's record has the quality fields.
pub(crate) fn assert_quality(record: &Value) {
    for field in [
        "NMOS",
        "NMOSDegradation",
        "PercentPacketLoss",
        "Jitter",
        "PacketsReceived",
    ] {
        assert!(record[field].is_number(), "{field} in {record:#}");
    }
}

/// A granted lab with the LOC801 auto attendant and Outlook Voice Access contacts, and Bob's
/// PIN 246813.
fn menu_lab() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let contacts = [
        (
            "--auto-attendant",
            "LOC801-AA",
            AA_NUMBER,
            "sip:loc801-aa@contoso.com",
        ),
        (
            "--dial-plan",
            "LOC801",
            OVA_NUMBER,
            "sip:loc801-sa@contoso.com",
        ),
    ];
    for (kind, name, number, sip) in contacts {
        lab.run(&[
            "new-contact",
            kind,
            name,
            "--display-number",
            number,
            "--sip-address",
            sip,
            "--registrar-pool",
            "pool01.contoso.com",
            "--ou",
            "OU=ExUmContacts,DC=contoso,DC=com",
            "--yes",
        ])
        .ok();
    }
    lab.run_env(&["lab", "pin", "set", "bob"], &[("UMCTL_PIN", "246813")])
        .ok();
    lab
}

fn hop8(trace: &Value) -> &Value {
    crate::trace_live::hop(trace, 8)
}

#[test]
fn auto_attendant_key_1_is_a_refer_the_trace_accepts_and_its_record_says_transferred() {
    let lab = menu_lab();
    let trace = lab
        .run(&[
            "trace-call",
            "--to",
            AA_NUMBER,
            "--digits",
            "1",
            "--live",
            "--json",
        ])
        .ok()
        .json();
    let lines = first_lines(&trace);
    let refer = lines
        .iter()
        .position(|l| l.starts_with("REFER "))
        .expect("REFER on the ladder");
    assert_eq!(lines[refer + 1], "SIP/2.0 202 Accepted", "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("NOTIFY ")), "{lines:#?}");
    let bye = lines.iter().rposition(|l| l.starts_with("BYE ")).unwrap();
    assert_eq!(lines[bye + 1], "SIP/2.0 200 OK", "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains(" 481 ")), "{lines:#?}");
    let h = hop8(&trace);
    assert_eq!(h["outcome"], "ok", "{h:#}");
    assert_eq!(h["result"], "transferred to 9001 (Sales) by REFER", "{h:#}");
    let call_id = trace["live"]["call_id"].as_str().unwrap();
    let r = record_of(lab.path(), call_id);
    assert_eq!(r["CallType"], "AutoAttendant");
    assert_eq!(r["OfferResult"], "Answer");
    assert_eq!(r["DropCallReason"], "Transfer");
    assert_eq!(r["TransferredNumber"], "9001");
    assert_eq!(r["DialedString"], "1");
    assert_eq!(r["AutoAttendantName"], "LOC801-AA");
    assert_quality(&r);
    // The trace answers the worker's sender reports: RTCP measured the round trip.
    assert!(r["RtcpSent"].as_u64().unwrap() >= 2, "{r:#}");
    assert!(r["RtcpReceived"].as_u64().unwrap() >= 1, "{r:#}");
    let rtt = r["RoundTripMilliseconds"].as_f64().unwrap();
    assert!((0.0..100.0).contains(&rtt), "{r:#}");
    assert_eq!(trace["live"]["record"], r);
}

#[test]
fn a_wrong_pin_fails_the_last_hop_with_the_failure_count_and_the_right_one_signs_in() {
    let lab = menu_lab();
    let run = lab
        .run(&[
            "trace-call",
            "--to",
            OVA_NUMBER,
            "--digits",
            "9000#111999#",
            "--live",
            "--json",
        ])
        .expect_code(1);
    let trace = run.json();
    assert_eq!(trace["first_failure"], 8, "{trace:#}");
    let h = hop8(&trace);
    assert_eq!(h["result"], "wrong PIN (failure 1 of 3)", "{h:#}");
    assert!(
        h["why"]
            .as_str()
            .unwrap()
            .contains("sign-in did not succeed"),
        "{h:#}"
    );
    assert!(
        h["fix"]
            .as_str()
            .unwrap()
            .contains("umctl lab pin show bob"),
        "{h:#}"
    );
    let r = record_of(lab.path(), trace["live"]["call_id"].as_str().unwrap());
    assert_eq!(r["CallType"], "SubscriberAccess");
    assert_eq!(r["DropCallReason"], "CallerHungUp");
    assert_eq!(r["Logons"][0]["WrongPin"]["failure"], 1);
    assert_quality(&r);

    let trace = lab
        .run(&[
            "trace-call",
            "--to",
            OVA_NUMBER,
            "--digits",
            "9000#246813#",
            "--live",
            "--json",
        ])
        .ok()
        .json();
    let h = hop8(&trace);
    assert_eq!(h["outcome"], "ok", "{h:#}");
    assert!(
        h["result"]
            .as_str()
            .unwrap()
            .starts_with("signed in as bob"),
        "{h:#}"
    );
    let r = record_of(lab.path(), trace["live"]["call_id"].as_str().unwrap());
    assert_eq!(r["UserMailboxName"], "bob");
}

#[test]
fn serve_stopped_mid_call_ends_the_trace_with_um_hung_up_shutdown() {
    let lab = menu_lab();
    let mut serve = ServeHarness::start(&lab, &["--drain-timeout", "0"]);
    let tls = format!("sips:{}", serve.addr("EX-CAS01", "call_router", "tls"));
    let trace = lab
        .command(&[
            "trace-call",
            "--to",
            "bob",
            "--live",
            "--json",
            "--serve",
            &tls,
            "--message-seconds",
            "30",
            "--delivery-wait",
            "20",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the trace");
    let answered = serve.wait_for_log(Duration::from_secs(30), |log| {
        log.iter()
            .any(|l| l["method"] == "INVITE" && l["status"] == 200)
    });
    // Let the caller speak for a moment, then stop serve (SIGTERM by PID).
    std::thread::sleep(Duration::from_secs(if answered { 4 } else { 0 }));
    serve.terminate(Duration::from_secs(20));
    let out = trace.wait_with_output().expect("the trace ends");
    assert!(answered, "the worker never answered:\n{}", serve.stderr());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: Value = serde_json::from_slice(&out.stdout).unwrap();
    let h = hop8(&trace);
    assert_eq!(h["outcome"], "failed", "{h:#}");
    assert!(
        h["result"]
            .as_str()
            .unwrap()
            .contains("UM hung up (shutdown)"),
        "{h:#}"
    );
    let lines = first_lines(&trace);
    let bye = lines.iter().rposition(|l| l.starts_with("BYE ")).unwrap();
    assert_eq!(lines[bye + 1], "SIP/2.0 200 OK", "{lines:#?}");
    let r = record_of(lab.path(), trace["live"]["call_id"].as_str().unwrap());
    assert_eq!(r["DropCallReason"], "Shutdown");
    assert_eq!(r["OfferResult"], "Answer");
    assert_quality(&r);
}

#[test]
fn reports_list_the_records_with_exchange_s_columns_and_summary_totals_match_a_known_mix() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let quick = ["--message-seconds", "1", "--delivery-wait", "20"];
    // A voice message, a missed call, and (without TLS to a Secured dial plan) a 488.
    let mut args = vec!["trace-call", "--to", "bob", "--live", "--json"];
    args.extend_from_slice(&quick);
    lab.run(&args).ok();
    lab.run(&[
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
    args.extend_from_slice(&quick);
    lab.run(&args).expect_code(1);
    drop(serve);

    let records = call_records(lab.path());
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["CallType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "CallAnsweringVoiceMessage",
            "CallAnsweringMissedCall",
            "Rejected"
        ],
        "{records:#?}"
    );
    assert_eq!(records[2]["RejectStatus"], 488);
    assert_eq!(records[2]["Component"], "call router");

    let csv = lab.run(&["report", "calls", "--csv"]).ok().stdout;
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("Date,Duration,AudioCodec,DialPlan,CallType,CallingNumber,CalledNumber,Gateway,UserMailboxName,NMOS,NMOSDegradation,PercentPacketLoss,Jitter,RoundTripMilliseconds"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // Newest first.
    assert!(csv.lines().nth(1).unwrap().contains(",Rejected,"), "{csv}");
    let voice = lab
        .run(&[
            "report",
            "calls",
            "--json",
            "--type",
            "callansweringvoicemessage",
            "--user",
            "bob",
        ])
        .ok()
        .json();
    assert_eq!(voice.as_array().unwrap().len(), 1, "{voice:#}");

    let summary = lab.run(&["report", "summary", "--json"]).ok().json();
    let rows = summary.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{summary:#}");
    let row = &rows[0];
    assert_eq!(row["Group"], "LOC801");
    assert_eq!(row["TotalCalls"], 3);
    assert_eq!(row["VoiceMessages"], 1);
    assert_eq!(row["MissedCalls"], 1);
    assert_eq!(row["FailedOrRejectedCalls"], 1);
    assert_eq!(row["Fax"], 0);
    assert_eq!(row["TotalAudioQualityCallsSampled"], 2);
    assert!(row["NMOS"].as_f64().unwrap() > 4.0, "{row:#}");

    // A write a crash cut short: skipped and reported, the whole records still read.
    let day = std::fs::read_dir(lab.path().join("calls"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut f = std::fs::OpenOptions::new().append(true).open(&day).unwrap();
    std::io::Write::write_all(&mut f, b"{\"Date\":\"2026-").unwrap();
    drop(f);
    let torn = lab.run(&["report", "calls", "--json"]).ok();
    assert_eq!(torn.json().as_array().unwrap().len(), 3);
    assert!(
        torn.stderr.contains("not a whole record"),
        "{}",
        torn.stderr
    );

    let bad = lab
        .run(&["report", "calls", "--since", "yesterday"])
        .expect_code(2);
    assert!(bad.stderr.contains("--since 'yesterday'"));
}

/// GET http://`addr`/metrics.
fn scrape(addr: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect to --metrics");
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").expect("an HTTP reply");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    body.to_string()
}

/// `promtool check metrics` on `page` (exit 0: it parses and lints clean).
fn promtool_check(page: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {:?} {}\n{page}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of the sample whose line starts with `prefix` (0 when there is none).
fn sample(page: &str, prefix: &str) -> f64 {
    page.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn metrics_pass_promtool_during_a_sipp_load_and_count_what_the_records_say() {
    use crate::serve::{granted_lab, sipp_available, unsecure_loc801, Sipp};
    let test = "metrics_pass_promtool_during_a_sipp_load_and_count_what_the_records_say";
    if !sipp_available(test) {
        return;
    }
    if std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "promtool is missing (Debian: prometheus)"
        );
        eprintln!("skipping {test}: promtool is not installed (Debian: prometheus)");
        return;
    }
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(
        &lab,
        &[
            "--startup-mode",
            "tcp",
            "--max-calls",
            "10",
            "--metrics",
            "127.0.0.1:0",
        ],
    );
    let metrics = serve.report["metrics"]
        .as_str()
        .expect("the metrics address")
        .to_string();
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "um_service", "udp").ip();
    let mut sipp = Sipp::new("uac_redirects.xml", cas, mbx, "udp");
    // 20 calls at 50/s, each held 3 s: 10 answered (MaxCallsAllowed), 10 turned away (503).
    sipp.set("-m", "20")
        .set("-l", "20")
        .set("-r", "50")
        .set("-d", "3000");
    let caller = sipp.command().spawn().unwrap();
    let busy = serve.wait_for_log(Duration::from_secs(15), |log| {
        crate::serve::count(log, "worker", "INVITE", 200) >= 10
    });
    let during = scrape(&metrics);
    let out = caller.wait_with_output().unwrap();
    assert!(busy, "{}", serve.stderr());
    assert!(
        out.status.success(),
        "{}\n{}",
        sipp.errors(),
        serve.stderr()
    );
    promtool_check(&during);
    assert_eq!(sample(&during, "umctl_active_calls{"), 10.0, "{during}");

    let records = wait_for_records(lab.path(), 20);
    let answered = records
        .iter()
        .filter(|r| r["OfferResult"] == "Answer")
        .count();
    let refused = records.iter().filter(|r| r["RejectStatus"] == 503).count();
    assert_eq!((answered, refused), (10, 10), "{records:#?}");
    std::thread::sleep(Duration::from_millis(500));
    let after = scrape(&metrics);
    promtool_check(&after);
    assert_eq!(
        sample(
            &after,
            r#"umctl_calls_total{component="UM worker",call_type="CallAnsweringMissedCall",result="Answer"}"#
        ) + sample(
            &after,
            r#"umctl_calls_total{component="UM worker",call_type="CallAnsweringVoiceMessage",result="Answer"}"#
        ),
        answered as f64,
        "{after}"
    );
    assert_eq!(
        sample(&after, "umctl_calls_total{"),
        records.len() as f64,
        "{after}"
    );
    assert_eq!(
        sample(&after, "umctl_service_unavailable_total "),
        refused as f64,
        "{after}"
    );
    assert_eq!(
        sample(
            &after,
            r#"umctl_rejections_total{component="UM worker",status="503"}"#
        ),
        refused as f64
    );
    assert_eq!(sample(&after, "umctl_active_calls{"), 0.0, "{after}");
    assert!(
        sample(&after, "umctl_rtp_send_deviation_seconds_count ") > 0.0,
        "{after}"
    );
}

#[test]
fn serve_removes_day_files_older_than_keep_days() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let calls = lab.path().join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    let old = calls.join("2020-01-01.jsonl");
    std::fs::write(&old, "{}\n").unwrap();
    let yesterday =
        umctl::records::utc_timestamp(std::time::SystemTime::now() - Duration::from_secs(86_400));
    let kept = calls.join(format!("{}.jsonl", &yesterday[..10]));
    std::fs::write(&kept, "{}\n").unwrap();
    let _serve = ServeHarness::start(&lab, &["--keep-days", "1"]);
    let end = Instant::now() + Duration::from_secs(10);
    while old.exists() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !old.exists(),
        "{} is older than --keep-days 1",
        old.display()
    );
    assert!(kept.exists(), "{} is within --keep-days 1", kept.display());
    let bad = lab.run(&["serve", "--keep-days", "0"]).expect_code(2);
    assert!(bad.stderr.contains("--keep-days"), "{}", bad.stderr);
}
