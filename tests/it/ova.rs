//! `umctl lab pin set|reset|show` (issue #8): the PIN of a lab mailbox comes from a file, the
//! environment or a prompt, never the command line; the UM mailbox policy is enforced with
//! an error naming what is wrong; the PIN file holds a salted hash, never the PIN; a lockout
//! is cleared by `reset`. The dialogue over SIP is tested in `ova_calls.rs`.

use std::fs;
use std::path::PathBuf;

use crate::support::TempLab;

const PIN: &str = "246813";

fn pin_file(lab: &TempLab, user: &str) -> PathBuf {
    lab.path().join("mailboxes").join(user).join("pin.json")
}

#[test]
fn set_from_a_file_or_the_environment_then_show() {
    let lab = TempLab::new();
    let before = lab
        .run(&["lab", "pin", "show", "bob", "--json"])
        .ok()
        .json();
    assert_eq!(before["pin_set"], false);
    assert_eq!(before["locked"], false);

    let file = lab.write("pin.txt", format!("{PIN}\n").as_bytes());
    let set = lab
        .run(&[
            "lab",
            "pin",
            "set",
            "bob",
            "--pin-file",
            file.to_str().unwrap(),
        ])
        .ok();
    assert!(set.stderr.contains("PIN set for bob"), "{}", set.stderr);
    assert!(!set.stdout.contains(PIN) && !set.stderr.contains(PIN));
    let stored = fs::read_to_string(pin_file(&lab, "bob")).unwrap();
    assert!(
        !stored.contains(PIN),
        "the PIN is stored in clear: {stored}"
    );
    assert!(stored.contains("pbkdf2-hmac-sha256"), "{stored}");

    let shown = lab.run(&["lab", "pin", "show", "bob"]).ok().stdout;
    assert!(shown.contains("bob") && shown.contains("yes"), "{shown}");
    assert!(shown.contains("0 of 15"), "{shown}");
    assert!(
        !shown.contains("hash") && !shown.contains("salt"),
        "{shown}"
    );

    // By display name, from the environment; a new PIN gets a new salt.
    lab.run_env(
        &["lab", "pin", "set", "Carol Nasser"],
        &[("UMCTL_PIN", "975310")],
    )
    .ok();
    let carol = lab
        .run(&["lab", "pin", "show", "carol", "--json"])
        .ok()
        .json();
    assert_eq!(carol["pin_set"], true);
    assert_eq!(carol["max_logon_attempts"], 15);
}

#[test]
fn the_policy_is_enforced_with_a_clear_error_and_no_change() {
    let lab = TempLab::new();
    for (pin, why) in [
        ("1357", "it has 4 digits; expected 6 to 24 digits"),
        ("123456", "sequential"),
        ("777777", "repeats one digit"),
        ("24a813", "characters other than 0-9"),
        ("919000", "it is made of the extension"),
    ] {
        let run = lab
            .run_env(&["lab", "pin", "set", "bob"], &[("UMCTL_PIN", pin)])
            .expect_code(2);
        assert!(run.stderr.contains(why), "{pin}: {}", run.stderr);
        assert!(!run.stderr.contains(pin), "the PIN leaked: {}", run.stderr);
        assert!(!pin_file(&lab, "bob").exists(), "{pin}: written anyway");
    }
}

#[test]
fn no_pin_on_the_command_line_and_none_without_a_terminal() {
    let lab = TempLab::new();
    // There is no PIN argument at all.
    lab.run(&["lab", "pin", "set", "bob", PIN]).expect_code(2);
    let out = lab
        .command(&["lab", "pin", "set", "bob"])
        .env_remove("UMCTL_PIN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--pin-file") && err.contains("UMCTL_PIN"),
        "{err}"
    );
    let empty = lab.write("empty.txt", b"\n");
    let run = lab
        .run(&[
            "lab",
            "pin",
            "set",
            "bob",
            "--pin-file",
            empty.to_str().unwrap(),
        ])
        .expect_code(2);
    assert!(run.stderr.contains("is empty"), "{}", run.stderr);
}

#[test]
fn users_that_cannot_have_a_pin() {
    let lab = TempLab::new();
    let erin = lab
        .run_env(&["lab", "pin", "set", "erin"], &[("UMCTL_PIN", PIN)])
        .expect_code(2);
    assert!(erin.stderr.contains("not UM-enabled"), "{}", erin.stderr);
    let nobody = lab
        .run(&["lab", "pin", "show", "nobody-here"])
        .expect_code(2);
    assert!(
        nobody.stderr.contains("no object named"),
        "{}",
        nobody.stderr
    );
    let unset = lab.run(&["lab", "pin", "reset", "bob"]).expect_code(2);
    assert!(unset.stderr.contains("bob has no PIN"), "{}", unset.stderr);
    let server = lab.run(&["lab", "pin", "show", "LOC801"]).expect_code(2);
    assert!(server.stderr.contains("not a user"), "{}", server.stderr);
}

#[test]
fn reset_clears_a_lockout() {
    let lab = TempLab::new();
    lab.run_env(&["lab", "pin", "set", "bob"], &[("UMCTL_PIN", PIN)])
        .ok();
    // Fifteen failed sign-ins, as the OVA dialogue records them.
    let path = pin_file(&lab, "bob");
    let mut record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    record["failures"] = 15.into();
    record["locked"] = true.into();
    fs::write(&path, record.to_string()).unwrap();
    let locked = lab
        .run(&["lab", "pin", "show", "bob", "--json"])
        .ok()
        .json();
    assert_eq!(locked["locked"], true);
    assert_eq!(locked["failures"], 15);

    let reset = lab
        .run(&["lab", "pin", "reset", "bob", "--json"])
        .ok()
        .json();
    assert_eq!(reset["locked"], false);
    assert_eq!(reset["failures"], 0);
    assert_eq!(reset["pin_set"], true, "the PIN stays");
    let after: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(after["hash"], record["hash"]);
}
