//! Auto attendant business hours, after hours and holidays, driven as an administrator does:
//! `umctl aa set` / `aa greeting set` / `aa show` on the lab, then the same call to LOC801-AA
//! at three instants (business hours, after hours, a holiday) through `trace-call --now` and
//! through `umctl serve` with SIPp pressing 1 (serve's clock fixed with the hidden
//! `--test-clock`): key 1 is Sales (9001) in business hours and Emergency (9100) after hours
//! and on the holiday.

use std::path::PathBuf;

use serde_json::Value;

use crate::serve::{sipp_available, Sipp};
use crate::support::{ServeHarness, TempLab};
use crate::voicemail::lab_with_short_greeting;

const AA: &str = "+96265515444";
/// Monday 4 January 2027, 09:00 in Amman (UTC+3).
const BUSINESS: &str = "2027-01-04T06:00:00Z";
/// The same Monday, 18:00 in Amman.
const AFTER_HOURS: &str = "2027-01-04T15:00:00Z";
/// 1 January 2027, 10:00 in Amman: New Year.
const HOLIDAY: &str = "2027-01-01T07:00:00Z";

fn set_hours(lab: &TempLab) {
    lab.run(&[
        "aa",
        "set",
        "LOC801-AA",
        "--time-zone",
        "Asia/Amman",
        "--business-hours",
        "Mon-Fri 08:00-17:30",
        "--after-hours-key",
        "1;Emergency, 9100",
        "--holiday",
        "New Year,2027-01-01",
        "--after-hours-operator",
        "off",
    ])
    .ok();
}

#[test]
fn aa_set_plans_applies_shows_and_refuses_bad_values() {
    let lab = TempLab::new();
    let dry = lab
        .run(&[
            "aa",
            "set",
            "LOC801-AA",
            "--time-zone",
            "Asia/Amman",
            "--dry-run",
            "--ldif",
        ])
        .ok();
    assert!(
        dry.stdout
            .contains("replace: msExchUMAutoAttendantBusinessHourFeatures"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("timezone=Asia/Amman"), "{}", dry.stdout);
    let shown = lab.run(&["--json", "aa", "show", "LOC801-AA"]).ok().json();
    assert_eq!(shown["time_zone"], Value::Null, "the dry run wrote nothing");

    set_hours(&lab);
    let shown = lab.run(&["--json", "aa", "show", "LOC801-AA"]).ok().json();
    assert_eq!(shown["time_zone"], "Asia/Amman");
    assert_eq!(shown["after_hours"]["key_mappings"][0]["extension"], "9100");
    assert_eq!(shown["after_hours"]["operator"], false);
    assert_eq!(shown["holidays"][0]["first"], "2027-01-01");
    let text = lab.run(&["aa", "show", "LOC801-AA"]).ok().stdout;
    assert!(text.contains("Schedule:   Mon-Fri 08:00-17:30"), "{text}");
    let again = lab
        .run(&["aa", "set", "LOC801-AA", "--time-zone", "Asia/Amman"])
        .ok();
    assert!(
        again.stdout.contains("Nothing to change"),
        "{}",
        again.stdout
    );

    let wav = lab.write("ny.wav", &umctl::media::wav::encode_pcm16(&vec![0i16; 800]));
    lab.run(&[
        "aa",
        "greeting",
        "set",
        "LOC801-AA",
        "--holiday",
        "New Year",
        wav.to_str().unwrap(),
    ])
    .ok();
    assert!(lab
        .path()
        .join("autoattendants/LOC801-AA/holiday-new-year.wav")
        .is_file());
    let shown = lab.run(&["--json", "aa", "show", "LOC801-AA"]).ok().json();
    assert_eq!(shown["holidays"][0]["greeting"], "holiday-new-year.wav");

    for (args, needle) in [
        (
            vec!["--time-zone", "Mars/Olympus"],
            "--time-zone 'Mars/Olympus'",
        ),
        (
            vec!["--business-hours", "Mon-Fri 9-5"],
            "--business-hours 'Mon-Fri 9-5'",
        ),
        (
            vec!["--after-hours-key", "1;Emergency"],
            "--after-hours-key 'key=1;Emergency'",
        ),
        (
            vec!["--holiday", "Eid,2027-02-30"],
            "--holiday 'Eid,2027-02-30'",
        ),
    ] {
        let mut all = vec!["aa", "set", "LOC801-AA"];
        all.extend(args);
        let run = lab.run(&all).expect_code(2);
        assert!(run.stderr.contains(needle), "{}", run.stderr);
    }
    let run = lab.run(&["aa", "show", "NoSuchAA"]).expect_code(2);
    assert!(
        run.stderr.contains("known auto attendants: "),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&[
            "aa",
            "greeting",
            "set",
            "LOC801-AA",
            "--holiday",
            "Eid",
            wav.to_str().unwrap(),
        ])
        .expect_code(2);
    assert!(run.stderr.contains("no holiday 'Eid'"), "{}", run.stderr);
}

#[test]
fn trace_names_the_period_and_the_menu_at_three_instants() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab.run(&[
        "new-contact",
        "--auto-attendant",
        "--sip-address",
        "sip:aa.loc801@contoso.com",
        "--registrar-pool",
        "pool01.contoso.com",
        "--display-number",
        AA,
        "--ou",
        "OU=ExUmContacts,DC=contoso,DC=com",
    ])
    .ok();
    set_hours(&lab);
    let trace = |now: &str| -> (String, String) {
        let doc = lab
            .run(&[
                "trace-call",
                "--json",
                "--to",
                AA,
                "--digits",
                "1",
                "--now",
                now,
            ])
            .ok()
            .json();
        let hop = |n: u64| {
            doc["hops"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["number"] == n)
                .unwrap()
                .clone()
        };
        let h7 = hop(7);
        (
            format!("{} {}", h7["result"], h7["looked_up"]),
            hop(8)["looked_up"].to_string(),
        )
    };
    let (b7, b8) = trace(BUSINESS);
    assert!(
        b7.contains("business hours at Mon 2027-01-04 09:00 Asia/Amman"),
        "{b7}"
    );
    assert!(b7.contains("key 0: the operator (9009)"), "{b7}");
    assert!(b8.contains("1: transfer to Sales (9001)"), "{b8}");
    let (a7, a8) = trace(AFTER_HOURS);
    assert!(a7.contains("after hours at Mon 2027-01-04 18:00"), "{a7}");
    assert!(a7.contains("key 0: no transfer to the operator"), "{a7}");
    assert!(a8.contains("1: transfer to Emergency (9100)"), "{a8}");
    let (h7, h8) = trace(HOLIDAY);
    assert!(h7.contains("holiday New Year"), "{h7}");
    assert!(h8.contains("1: transfer to Emergency (9100)"), "{h8}");
    let bad = lab
        .run(&["trace-call", "--to", AA, "--now", "yesterday"])
        .expect_code(2);
    assert!(bad.stderr.contains("yesterday"), "{}", bad.stderr);
}

/// SIPp presses 1 on LOC801-AA with serve's clock at `now`; returns the Refer-To logged.
fn key_one_at(lab: &TempLab, now: &str) -> (String, String) {
    let serve = ServeHarness::start(lab, &["--startup-mode", "tcp", "--test-clock", now]);
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/uac_aa_key1.xml");
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX01", "worker", "udp").ip();
    let mut sipp = Sipp::new(scenario.to_str().unwrap(), cas, mbx, "udp");
    sipp.set("-s", AA);
    sipp.set("-timeout", "90s");
    let out = sipp.run();
    let actions = sipp.actions();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}\nserve:\n{}",
        out.status,
        actions,
        sipp.errors(),
        serve.stderr()
    );
    (actions, serve.stderr())
}

#[test]
fn serve_plays_the_menu_of_the_period_at_the_call_s_time() {
    if !sipp_available("serve_plays_the_menu_of_the_period_at_the_call_s_time") {
        return;
    }
    let lab = lab_with_short_greeting();
    set_hours(&lab);
    let (business, log) = key_one_at(&lab, BUSINESS);
    assert!(
        business.contains("refer-to sip:9001@LOC801.contoso.com"),
        "{business}"
    );
    assert!(
        log.contains("auto attendant LOC801-AA: business hours at Mon 2027-01-04 09:00 Asia/Amman"),
        "{log}"
    );
    let (after, log) = key_one_at(&lab, AFTER_HOURS);
    assert!(
        after.contains("refer-to sip:9100@LOC801.contoso.com"),
        "{after}"
    );
    assert!(log.contains("after hours at Mon 2027-01-04 18:00"), "{log}");
    let (holiday, log) = key_one_at(&lab, HOLIDAY);
    assert!(
        holiday.contains("refer-to sip:9100@LOC801.contoso.com"),
        "{holiday}"
    );
    assert!(log.contains("holiday New Year"), "{log}");
    let records = crate::call_records::assert_calls_recorded(lab.path(), 3, "AutoAttendant", true);
    let mut transferred: Vec<&str> = records
        .iter()
        .map(|r| r["TransferredNumber"].as_str().unwrap_or_default())
        .collect();
    transferred.sort_unstable();
    assert_eq!(transferred, ["9001", "9100", "9100"], "{records:#?}");
}
