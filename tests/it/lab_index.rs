//! The lab's on-disk index (`forest.idx`), driven through the real binary: every save writes
//! it, a reader rebuilds it when it is missing, and an index that does not describe the forest
//! file as it is now (an older index put back, a hand edit, a hand edit that even fixed the
//! digest line) is never used: every answer comes from the forest file.

use umctl::directory::lab::trusted_load::{digest, DIGEST_PREFIX};

use crate::support::TempLab;

const BOB: &str = "CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com";
const OLD_NUMBER: &str = "+962 6 551 9000";
const NEW_NUMBER: &str = "+962 6 551 9999";

/// The DNs whose telephoneNumber (an indexed attribute) is `number`.
fn holders(lab: &TempLab, number: &str) -> Vec<String> {
    let run = lab
        .run(&[
            "lab",
            "search",
            &format!("(telephoneNumber={number})"),
            "cn",
            "--json",
        ])
        .ok();
    run.json()
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|e| e["dn"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn index(lab: &TempLab) -> Vec<u8> {
    std::fs::read(lab.file("forest.idx")).expect("forest.idx")
}

fn seeded() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["lab", "init"]).ok();
    assert_eq!(holders(&lab, OLD_NUMBER), [BOB]);
    lab
}

#[test]
fn every_save_writes_the_index_and_a_reader_rebuilds_a_missing_one() {
    let lab = seeded();
    let before = index(&lab);
    lab.apply(&format!(
        "dn: {BOB}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: {NEW_NUMBER}\n-\n"
    ))
    .ok();
    let saved = index(&lab);
    assert_ne!(before, saved, "the save rewrote the index");
    std::fs::remove_file(lab.file("forest.idx")).unwrap();
    assert_eq!(holders(&lab, NEW_NUMBER), [BOB]);
    assert_eq!(index(&lab), saved, "the reader rebuilt the same index");
}

#[test]
fn an_older_index_put_back_is_ignored_and_rebuilt() {
    let lab = seeded();
    let old = index(&lab);
    lab.apply(&format!(
        "dn: {BOB}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: {NEW_NUMBER}\n-\n"
    ))
    .ok();
    let current = index(&lab);
    std::fs::write(lab.file("forest.idx"), &old).unwrap();
    assert_eq!(holders(&lab, NEW_NUMBER), [BOB]);
    assert!(holders(&lab, OLD_NUMBER).is_empty());
    assert_eq!(index(&lab), current, "the stale index was replaced");
}

#[test]
fn a_hand_edit_is_seen_whatever_the_index_says() {
    let lab = seeded();
    let old = index(&lab);
    // Same length, same generation: only the content tells the files apart.
    let forest = std::fs::read_to_string(lab.file("forest.ldif")).unwrap();
    let edited = forest.replace(OLD_NUMBER, NEW_NUMBER);
    assert_eq!(edited.len(), forest.len());
    std::fs::write(lab.file("forest.ldif"), &edited).unwrap();
    lab.run(&["lab", "show", "bob"]).expect_code(2);
    lab.run(&["lab", "accept-edit"]).ok();
    assert_eq!(
        holders(&lab, NEW_NUMBER),
        [BOB],
        "a hand edit (digest mismatch), accepted"
    );
    assert!(holders(&lab, OLD_NUMBER).is_empty());

    // The same edit with the digest line fixed up: the file is trusted again, but the index
    // was built for other records.
    let start = edited.find("version:").unwrap();
    let (head, body) = edited.split_at(start);
    let head: String = head
        .lines()
        .map(|l| match l.starts_with(DIGEST_PREFIX) {
            true => format!("{DIGEST_PREFIX}{}\n", digest(body.as_bytes())),
            false => format!("{l}\n"),
        })
        .collect();
    std::fs::write(lab.file("forest.ldif"), format!("{head}{body}")).unwrap();
    std::fs::write(lab.file("forest.idx"), &old).unwrap();
    assert_eq!(holders(&lab, NEW_NUMBER), [BOB], "a re-digested hand edit");
    assert!(holders(&lab, OLD_NUMBER).is_empty());
    assert_ne!(
        index(&lab),
        old,
        "the index was rebuilt for the edited file"
    );
}

#[test]
fn a_damaged_index_is_ignored() {
    let lab = seeded();
    let good = index(&lab);
    for damaged in [
        good[..good.len() / 2].to_vec(),
        vec![0u8; good.len()],
        b"UMCTLIX1".to_vec(),
    ] {
        std::fs::write(lab.file("forest.idx"), &damaged).unwrap();
        assert_eq!(holders(&lab, OLD_NUMBER), [BOB]);
        assert_eq!(index(&lab), good);
    }
    lab.run(&["trace-call", "--to", "bob"]).expect_code(1);
}
