//! The lab's write guarantees, driven through the real binary: the contract is checked on every
//! write with an error that names the DN and attribute, a failed batch changes nothing, a crash
//! before the rename leaves the old forest intact, and concurrent writers both land.

use std::process::Stdio;

use crate::ldif_files::SMALL_FOREST;
use crate::support::TempLab;

fn small_lab() -> TempLab {
    let lab = TempLab::new();
    let path = lab.write("forest-in.ldif", format!("{SMALL_FOREST}\ndn: CN=Microsoft Exchange,OU=Lab,DC=example,DC=com\nobjectClass: container\n").as_bytes());
    lab.run(&["lab", "import", path.to_str().unwrap()]).ok();
    lab
}

const DIAL_PLAN_DN: &str = "CN=DP1,CN=Microsoft Exchange,OU=Lab,DC=example,DC=com";

/// Each violation: (LDIF change, text the error must contain).
fn violations() -> Vec<(String, Vec<&'static str>)> {
    vec![
        (
            format!("dn: {DIAL_PLAN_DN}\nchangetype: add\nobjectClass: msExchUMDialPlan\nmsExchUMNumberingPlanDigits: 4\nmsExchUMCountryCode: 962\n"),
            vec![DIAL_PLAN_DN, "msExchUMPhoneContext"],
        ),
        (
            format!("dn: {DIAL_PLAN_DN}\nchangetype: add\nobjectClass: msExchUMDialPlan\nmsExchUMNumberingPlanDigits: four\nmsExchUMCountryCode: 962\nmsExchUMPhoneContext: DP1.example.com\n"),
            vec![DIAL_PLAN_DN, "msExchUMNumberingPlanDigits", "four"],
        ),
        (
            "dn: CN=U1,OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: user\nsAMAccountName: u1\nmsRTCSIP-Line: tel:+1001\nmsRTCSIP-Line: tel:+1002\n".to_string(),
            vec!["CN=U1,OU=Lab,DC=example,DC=com", "msRTCSIP-Line", "single-valued"],
        ),
        (
            "dn: CN=Orphan,OU=Nowhere,DC=example,DC=com\nchangetype: add\nobjectClass: contact\n".to_string(),
            vec!["CN=Orphan,OU=Nowhere,DC=example,DC=com", "OU=Nowhere,DC=example,DC=com"],
        ),
        (
            "dn: CN=Bad\\,\nchangetype: add\nobjectClass: contact\n".to_string(),
            vec!["CN=Bad\\,", "forest root"],
        ),
        (
            "dn: CN=Bad\\ZZ,OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: contact\n".to_string(),
            vec!["CN=Bad\\ZZ,OU=Lab,DC=example,DC=com"],
        ),
        (
            "dn: OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: organizationalUnit\n".to_string(),
            vec!["OU=Lab,DC=example,DC=com", "already exists"],
        ),
        (
            "dn: OU=Lab,DC=example,DC=com\nchangetype: delete\n".to_string(),
            vec!["OU=Lab,DC=example,DC=com", "child"],
        ),
        (
            "dn: CN=G1,OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: group\n".to_string(),
            vec!["CN=G1,OU=Lab,DC=example,DC=com", "sAMAccountName"],
        ),
    ]
}

#[test]
fn each_contract_violation_is_a_clear_error_and_changes_nothing() {
    let lab = small_lab();
    let before = lab.export();
    for (ldif, must_name) in violations() {
        let run = lab.apply(&ldif).expect_code(2);
        for text in must_name {
            assert!(
                run.stderr.contains(text),
                "error for\n{ldif}\nmust name '{text}', got: {}",
                run.stderr
            );
        }
        assert_eq!(
            lab.export(),
            before,
            "a rejected change must not reach the lab:\n{ldif}"
        );
    }
}

#[test]
fn a_failing_batch_applies_nothing() {
    let lab = small_lab();
    let before = lab.export();
    let run = lab
        .apply(
            "dn: CN=First,OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: contact\n\n\
             dn: OU=Lab,DC=example,DC=com\nchangetype: modify\nadd: description\ndescription: changed\n-\n\n\
             dn: CN=Orphan,OU=Nowhere,DC=example,DC=com\nchangetype: add\nobjectClass: contact\n",
        )
        .expect_code(2);
    assert!(
        run.stderr.contains("line 11"),
        "the error names the failing record's line: {}",
        run.stderr
    );
    assert_eq!(lab.export(), before);
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_forest() {
    let lab = small_lab();
    let before = lab.export();
    let path = lab.write(
        "change.ldif",
        b"dn: CN=Crash,OU=Lab,DC=example,DC=com\nchangetype: add\nobjectClass: contact\n",
    );
    let run = lab.run_env(
        &["lab", "apply", path.to_str().unwrap()],
        &[("UMCTL_FAULT", "lab-crash-before-rename")],
    );
    assert_ne!(
        run.code, 0,
        "the injected crash must kill the process: {}",
        run.stderr
    );
    assert!(run.stderr.contains("fault injection"), "{}", run.stderr);
    assert_eq!(
        lab.export(),
        before,
        "the old forest must be intact after the crash"
    );
    // The next writer cleans up the orphaned temp file and works.
    lab.run(&["lab", "apply", path.to_str().unwrap()]).ok();
    assert!(lab.export().contains("CN=Crash,OU=Lab,DC=example,DC=com"));
    let leftovers: Vec<String> = std::fs::read_dir(lab.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn two_concurrent_writers_both_land() {
    const PER_WRITER: usize = 12;
    let lab = small_lab();
    let mut children = Vec::new();
    for writer in ["a", "b"] {
        // Each writer is a shell loop of separate umctl processes adding values to the same
        // attribute of the same object: a lost update would drop values.
        let mut script = String::new();
        for i in 0..PER_WRITER {
            let file = lab.write(
                &format!("w-{writer}-{i}.ldif"),
                format!("dn: OU=Lab,DC=example,DC=com\nchangetype: modify\nadd: description\ndescription: writer-{writer}-{i}\n-\n").as_bytes(),
            );
            script.push_str(&format!(
                "'{}' --lab '{}' -q lab apply '{}' || exit 1\n",
                crate::support::umctl_bin(),
                lab.path().display(),
                file.display()
            ));
        }
        children.push(
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .env_remove("UMCTL_FAULT")
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }
    let doc = lab
        .run(&["lab", "show", "OU=Lab,DC=example,DC=com", "--json"])
        .ok()
        .json();
    let values = doc["attributes"]["description"].as_array().unwrap();
    assert_eq!(
        values.len(),
        2 * PER_WRITER,
        "every change must land: {values:?}"
    );
}

#[test]
fn a_hand_edit_is_refused_until_accepted_and_then_checked_in_full() {
    let lab = TempLab::new();
    let path = lab.path().join("forest.ldif");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(
        "msExchUMPhoneContext: LOC801.contoso.com",
        "msExchUMPhoneContext: LOC801.contoso.com\ndescription: edited by hand",
        1,
    );
    std::fs::write(&path, &edited).unwrap();
    // The content no longer matches the header: refused, with the way forward.
    let run = lab.run(&["lab", "show", "LOC801"]).expect_code(2);
    for expected in [
        "does not match its own header",
        "lab accept-edit",
        "lab restore",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    // A deliberate edit is accepted: checked in full, stamped, read again.
    lab.run(&["lab", "accept-edit"]).ok();
    let shown = lab.run(&["lab", "show", "LOC801", "--json"]).ok().json();
    assert_eq!(shown["attributes"]["description"][0], "edited by hand");
    // An edit that breaks the contract is refused by accept-edit with the line it is on,
    // and the file stays as it is.
    let stamped = std::fs::read_to_string(&path).unwrap();
    let broken = stamped.replacen("msExchUMPhoneContext: LOC801.contoso.com\n", "", 1);
    std::fs::write(&path, &broken).unwrap();
    let run = lab.run(&["lab", "accept-edit"]).expect_code(2);
    assert!(
        run.stderr.contains("msExchUMPhoneContext") && run.stderr.contains("line "),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}
