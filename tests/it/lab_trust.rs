//! The lab never loses data: a forest file that does not match its header is refused (and
//! never overwritten), an import must be a whole forest, every write keeps a snapshot that
//! `lab backups` lists and `lab restore` brings back (`lab diff` shows what differs), a folder
//! with no lab is never created by a reader, and a read-only lab folder is named before any
//! plan is shown.

use std::os::unix::process::CommandExt;

use crate::support::{run_on, Run, TempLab};

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

/// A new-contact command for LOC801's OVA number.
const NEW_CONTACT: &[&str] = &[
    "new-contact",
    "--sip-address",
    "sip:ova.loc801@contoso.com",
    "--registrar-pool",
    "pool01.contoso.com",
    "--display-number",
    "+96265515333",
    "--ou",
    "OU=ExUmContacts,DC=contoso,DC=com",
];

fn set_description(lab: &TempLab, text: &str) -> Run {
    lab.apply(&format!(
        "dn: {ORG}\nchangetype: modify\nreplace: description\ndescription: {text}\n-\n"
    ))
}

fn snapshot_ids(lab: &TempLab) -> Vec<String> {
    let doc = lab.run(&["lab", "backups", "--json"]).ok().json();
    doc.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// The first `n` records of an LDIF file, header included: a cut at a record boundary.
fn first_records(text: &str, n: usize) -> String {
    let cut = text
        .match_indices("\ndn: ")
        .nth(n)
        .map(|(i, _)| i + 1)
        .unwrap();
    text[..cut].to_string()
}

#[test]
fn a_forest_cut_at_a_record_boundary_is_refused_and_never_overwritten() {
    let lab = TempLab::new();
    set_description(&lab, "before the damage").ok();
    let path = lab.file("forest.ldif");
    let whole = std::fs::read_to_string(&path).unwrap();
    let cut = first_records(&whole, 40);
    std::fs::write(&path, &cut).unwrap();

    // A reader: refused, naming both counts and the way forward (not "No contacts", exit 0).
    let run = lab.run(&["contact", "list"]).expect_code(2);
    for expected in [
        "does not match its own header",
        "67 objects",
        "40 objects",
        "digest",
        "lab restore",
        "lab import",
        "lab accept-edit",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    // A writer: refused too, and the file is not rewritten.
    set_description(&lab, "over the damage").expect_code(2);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        cut,
        "never overwritten"
    );

    // The way forward: the snapshot taken before the last write.
    let ids = snapshot_ids(&lab);
    let before = ids.last().unwrap().clone();
    lab.run(&["lab", "restore", &before]).ok();
    let shown = lab.run(&["lab", "show", ORG, "--json"]).ok().json();
    assert!(shown["attributes"].get("description").is_none());
    assert_eq!(lab.run(&["contact", "list", "--json"]).code, 0);
}

#[test]
fn an_import_must_be_a_whole_forest_or_changes_nothing() {
    let lab = TempLab::new();
    let export = lab.run(&["lab", "export"]).ok().stdout;
    let before = lab.export();
    let snapshots = snapshot_ids(&lab).len();
    // An export cut in the middle of a value: its header's count and digest tell.
    let cut_at = export.find("CN=HQ-SIP,CN=UM DialPlan Container").unwrap() + "CN=HQ-SIP".len();
    let truncated = lab.write("truncated.ldif", &export.as_bytes()[..cut_at]);
    let run = lab
        .run(&["lab", "import", truncated.to_str().unwrap()])
        .expect_code(2);
    assert!(
        run.stderr.contains("does not match its own header") && run.stderr.contains("67 objects"),
        "{}",
        run.stderr
    );
    // Nothing at all, a forest with no domain, a domain with no configuration context.
    let body = crate::support::strip_comments(&export);
    let no_configuration = first_records(&body, 1);
    let no_domain = "version: 1\n\ndn: OU=Lonely,DC=elsewhere,DC=com\nobjectClass: organizationalUnit\nou: Lonely\n".to_string();
    for (file, bytes, expected) in [
        ("/dev/null".to_string(), None, "no domain object"),
        ("nodomain.ldif".into(), Some(no_domain), "its parent"),
        (
            "noconfig.ldif".into(),
            Some(no_configuration),
            "configuration naming context",
        ),
    ] {
        let path = match bytes {
            Some(b) => lab.write(&file, b.as_bytes()).display().to_string(),
            None => file,
        };
        let run = lab.run(&["lab", "import", &path]).expect_code(2);
        assert!(run.stderr.contains(expected), "{path}: {}", run.stderr);
    }
    assert_eq!(lab.export(), before, "a refused import changes nothing");
    assert_eq!(snapshot_ids(&lab).len(), snapshots, "and keeps no snapshot");
    // The whole export imports.
    let whole = lab.write("whole.ldif", export.as_bytes());
    lab.run(&["lab", "import", whole.to_str().unwrap()]).ok();
}

#[test]
fn every_write_keeps_a_snapshot_that_restore_brings_back_and_diff_explains() {
    let lab = TempLab::new();
    let pristine = lab.export();
    let pristine_file = lab.write(
        "pristine.ldif",
        lab.run(&["lab", "export"]).ok().stdout.as_bytes(),
    );
    set_description(&lab, "first").ok();
    set_description(&lab, "second").ok();
    let list = lab.run(&["lab", "backups", "--json"]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list[1]["command"].as_str().unwrap().contains("lab apply"),
        "{list:?}"
    );
    assert_eq!(list[1]["objects"], 67);
    assert!(list[1]["time"].as_str().unwrap().ends_with("UTC"));
    let text = lab.run(&["lab", "backups"]).ok().stdout;
    assert!(text.contains("lab apply") && text.contains("67"), "{text}");

    // diff against the newest snapshot (the forest before "second").
    let run = lab.run(&["lab", "diff"]).ok();
    assert!(
        run.stdout.contains(&format!("~ dn: {ORG}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  - description: first"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  + description: second"),
        "{}",
        run.stdout
    );
    // ... and against an LDIF file.
    let run = lab
        .run(&["lab", "diff", pristine_file.to_str().unwrap(), "--json"])
        .ok()
        .json();
    let changed = run["diff"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{run}");
    assert_eq!(
        changed[0]["attributes"][0]["other"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // restore the first snapshot (the pristine forest); the restore is itself undoable.
    let first = list[0]["id"].as_str().unwrap();
    let run = lab.run(&["lab", "restore", first]).ok();
    assert_eq!(lab.export(), pristine);
    assert!(run.stderr.contains("lab restore"), "{}", run.stderr);
    let undo = snapshot_ids(&lab).pop().unwrap();
    lab.run(&["lab", "restore", &undo]).ok();
    assert!(lab.export().contains("description: second"));
    lab.run(&["lab", "diff", &undo]).ok();
    lab.run(&["lab", "restore", "20000101T000000.000Z"])
        .expect_code(2);

    // Bounded: --keep prunes now and after every later write.
    lab.run(&["lab", "backups", "--keep", "2"]).ok();
    assert_eq!(snapshot_ids(&lab).len(), 2);
    set_description(&lab, "third").ok();
    let ids = snapshot_ids(&lab);
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&first.to_string()), "the oldest went");
}

#[test]
fn a_folder_with_no_lab_is_never_created_by_a_command_but_lab_init() {
    let scratch = TempLab::empty();
    let missing = scratch.path().join("nolab");
    let dir = missing.to_str().unwrap();
    let change = scratch.write(
        "change.ldif",
        b"dn: DC=contoso,DC=com\nchangetype: modify\nreplace: description\ndescription: x\n-\n",
    );
    let commands: &[&[&str]] = &[
        &["contact", "list"],
        &["trace-call", "--to", "bob"],
        &["lab", "show", "bob"],
        &["lab", "search", "(cn=*)"],
        &["lab", "export"],
        &["lab", "hosts"],
        &["lab", "backups"],
        &["lab", "diff"],
        &["lab", "reset"],
        &["lab", "accept-edit"],
        &["lab", "apply", change.to_str().unwrap()],
        &["grant-permissions", "--yes"],
        NEW_CONTACT,
    ];
    let expected = format!("no lab directory at {dir}; create one with umctl lab init --lab {dir}");
    for args in commands {
        let run = run_on(&missing, args).expect_code(2);
        assert!(run.stderr.contains(&expected), "{args:?}: {}", run.stderr);
        assert!(!missing.exists(), "{args:?} created {dir}");
    }
    // Only lab init creates one.
    run_on(&missing, &["lab", "init"]).ok();
    run_on(&missing, &["contact", "list"]).ok();
    // An existing empty folder stays empty.
    let empty = TempLab::empty();
    empty.run(&["contact", "list"]).expect_code(2);
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// Runs umctl on `lab` unable to write its folder: as nobody when root (permission bits say
/// nothing to root), else after taking the write bit away.
fn run_read_only(lab: &TempLab, args: &[&str]) -> Run {
    use std::os::unix::fs::PermissionsExt;
    let root = unsafe_is_root();
    let mode = if root { 0o755 } else { 0o555 };
    std::fs::set_permissions(lab.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    let mut cmd = lab.command(args);
    if root {
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().unwrap();
    std::fs::set_permissions(lab.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn unsafe_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

#[test]
fn a_read_only_lab_folder_is_named_before_any_plan() {
    let lab = TempLab::new();
    let change = lab.write(
        "change.ldif",
        format!("dn: {ORG}\nchangetype: modify\nreplace: description\ndescription: x\n-\n")
            .as_bytes(),
    );
    let before = lab.export();
    let expected = format!("lab folder {} is read-only", lab.path().display());
    for args in [
        vec!["grant-permissions", "--yes"],
        vec!["lab", "apply", change.to_str().unwrap()],
        [NEW_CONTACT, &["--yes"]].concat(),
    ] {
        let run = run_read_only(&lab, &args).expect_code(3);
        assert!(run.stderr.contains(&expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("step "), "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.is_empty(),
            "no plan before the refusal: {}",
            run.stdout
        );
    }
    // Reading still works.
    run_read_only(&lab, &["lab", "show", "LOC801"]).ok();
    assert_eq!(lab.export(), before);
}
