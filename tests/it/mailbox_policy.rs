//! UM mailbox policies through `umctl lab pin`: Alice's HQ-SIP Default Policy (MinPINLength 8,
//! PINHistoryCount 3, MaxLogonAttempts 5 in the built-in lab) wins over the defaults Bob's
//! LOC801 policy keeps; refusals name the rule and the policy and never the PIN; trace-call
//! names the called user's policy.

use crate::support::TempLab;

fn set(lab: &TempLab, user: &str, pin: &str) -> crate::support::Run {
    lab.run_env(&["lab", "pin", "set", user], &[("UMCTL_PIN", pin)])
}

#[test]
fn lab_pin_set_holds_each_user_to_their_policy() {
    let lab = TempLab::new();
    let run = set(&lab, "alice", "246813").expect_code(2);
    assert!(run.stderr.contains("MinPINLength 8"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("UM mailbox policy HQ-SIP Default Policy of alice"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("246813"), "{}", run.stderr);
    set(&lab, "bob", "246813").ok();
    set(&lab, "alice", "24681357").ok();
    let shown = lab
        .run(&["--json", "lab", "pin", "show", "alice"])
        .ok()
        .json();
    assert_eq!(shown["max_logon_attempts"], 5);
    let shown = lab
        .run(&["--json", "lab", "pin", "show", "bob"])
        .ok()
        .json();
    assert_eq!(shown["max_logon_attempts"], 15);
    set(&lab, "alice", "97531864").ok();
    let run = set(&lab, "alice", "24681357").expect_code(2);
    assert!(run.stderr.contains("PINHistoryCount 3"), "{}", run.stderr);
    let run = set(&lab, "alice", "12345678").expect_code(2);
    assert!(run.stderr.contains("sequential"), "{}", run.stderr);
}

#[test]
fn trace_names_the_called_users_policy() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let doc = lab
        .run(&["trace-call", "--json", "--to", "bob"])
        .ok()
        .json();
    let hop7 = doc["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["number"] == 7)
        .unwrap()
        .to_string();
    assert!(
        hop7.contains("UM mailbox policy LOC801 Default Policy: MinPINLength 6"),
        "{hop7}"
    );
}

#[test]
fn a_greeting_longer_than_the_policy_allows_is_refused() {
    let lab = TempLab::new();
    // 121 s: over HQ-SIP's MaxGreetingDuration (2 min), under LOC801's default (5 min).
    let wav = lab.write(
        "long.wav",
        &umctl::media::wav::encode_pcm16(&vec![0i16; 121 * 8000]),
    );
    let path = wav.to_str().unwrap();
    let run = lab
        .run(&["lab", "greeting", "set", "alice", path])
        .expect_code(2);
    assert!(
        run.stderr.contains(
            "121 s long; expected at most 2 min (MaxGreetingDuration of HQ-SIP Default Policy)"
        ),
        "{}",
        run.stderr
    );
    assert!(!lab.path().join("mailboxes/alice/greeting.wav").exists());
    lab.run(&["lab", "greeting", "set", "alice", "--away", path])
        .expect_code(2);
    lab.run(&["lab", "greeting", "set", "bob", path]).ok();
}
