//! The away (out-of-office) greeting, as a user's administrator sets it in the lab: recorded
//! with `lab greeting set bob --away`, turned on and off with `lab greeting away`; trace-call
//! names it and a SIPp caller through serve hears it (the worker sends its 1.0 s before the
//! beep) only while it is on.

use std::time::Duration;

use crate::serve::sipp_available;
use crate::support::{ServeHarness, TempLab};
use crate::voicemail::{lab_with_short_greeting, voicemail_sipp};

fn trace_greeting(lab: &TempLab) -> String {
    let doc = lab
        .run(&["trace-call", "--json", "--to", "bob"])
        .ok()
        .json();
    doc["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["number"] == 7)
        .unwrap()
        .to_string()
}

/// The prompt packets the worker sent in each finished call, in order.
fn sent_per_call(serve: &ServeHarness) -> Vec<u64> {
    serve
        .log()
        .iter()
        .filter(|l| l["component"] == "worker")
        .filter_map(|l| l["media"]["sent_packets"].as_u64())
        .collect()
}

fn call_bob(serve: &ServeHarness, calls: usize) -> Vec<u64> {
    let sipp = voicemail_sipp(serve, "uac_voicemail.xml");
    let out = sipp.run();
    assert!(
        out.status.success(),
        "{}\n{}",
        sipp.errors(),
        serve.stderr()
    );
    assert!(
        serve.wait_for_log(Duration::from_secs(10), |_| sent_per_call(serve).len()
            >= calls),
        "{}",
        serve.stderr()
    );
    sent_per_call(serve)
}

fn record_away(lab: &TempLab) {
    let away = lab.write(
        "away.wav",
        &umctl::media::wav::encode_pcm16(&vec![1000i16; 8000]),
    );
    lab.run(&[
        "lab",
        "greeting",
        "set",
        "bob",
        "--away",
        away.to_str().unwrap(),
    ])
    .ok();
}

#[test]
fn trace_names_the_away_greeting_while_it_is_on() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let run = lab
        .run(&["lab", "greeting", "away", "bob", "on"])
        .expect_code(2);
    assert!(run.stderr.contains("--away FILE.wav"), "{}", run.stderr);
    record_away(&lab);
    assert!(
        trace_greeting(&lab).contains("plays the custom greeting"),
        "recorded, not on"
    );
    let on = lab.run(&["lab", "greeting", "away", "bob", "on"]).ok();
    assert!(
        on.stdout.contains("away (out-of-office) greeting"),
        "{}",
        on.stdout
    );
    let hop = trace_greeting(&lab);
    assert!(
        hop.contains("plays the away (out-of-office) greeting"),
        "{hop}"
    );
    lab.run(&["lab", "greeting", "away", "bob", "off"]).ok();
    assert!(trace_greeting(&lab).contains("plays the custom greeting"));
    lab.run(&["lab", "greeting", "away", "bob", "maybe"])
        .expect_code(2);
}

#[test]
fn serve_plays_the_away_greeting_while_it_is_on() {
    if !sipp_available("serve_plays_the_away_greeting_while_it_is_on") {
        return;
    }
    let lab = lab_with_short_greeting();
    record_away(&lab);
    lab.run(&["lab", "greeting", "away", "bob", "on"]).ok();
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    call_bob(&serve, 1);
    lab.run(&["lab", "greeting", "away", "bob", "off"]).ok();
    let sent = call_bob(&serve, 2);
    // 1.0 s away greeting + 0.4 s beep = 70 packets; 0.2 s greeting + beep = 30.
    assert!(sent[0] >= 65, "away on: {sent:?}");
    assert!(sent[1] <= 40, "away off: {sent:?}");
    crate::call_records::assert_calls_recorded(lab.path(), 2, "CallAnsweringVoiceMessage", true);
}
