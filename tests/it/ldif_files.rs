//! LDIF corner cases, DN escaping and filter evaluation, driven through `umctl lab import`,
//! `lab show` and `lab search` on a small hand-written forest.

use crate::support::TempLab;

/// A small forest with a few plain objects (no contract classes), to import.
pub const SMALL_FOREST: &str = "\
version: 1

dn: DC=example,DC=com
objectClass: top
objectClass: domain
dc: example

dn: CN=Configuration,DC=example,DC=com
objectClass: top
objectClass: configuration
cn: Configuration

dn: OU=Lab,DC=example,DC=com
objectClass: top
objectClass: organizationalUnit
ou: Lab
";

fn lab_with(extra: &str) -> TempLab {
    let lab = TempLab::new();
    let path = lab.write(
        "forest-in.ldif",
        format!("{SMALL_FOREST}\n{extra}").as_bytes(),
    );
    lab.run(&["lab", "import", path.to_str().unwrap()]).ok();
    lab
}

fn show_json(lab: &TempLab, object: &str) -> serde_json::Value {
    lab.run(&["lab", "show", object, "--json"]).ok().json()
}

fn values(doc: &serde_json::Value, attr: &str) -> Vec<serde_json::Value> {
    doc["attributes"][attr]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn base64_folding_comments_empty_and_non_ascii_values() {
    let lab = lab_with(concat!(
        "# a comment before the record\n",
        "dn: CN=Eric,OU=Lab,DC=example,DC=com\n",
        "objectClass: top\n",
        "objectClass: contact\n",
        "# a comment between attributes that is\n",
        " folded onto a second line\n",
        "description:: SGVsbG8gV29ybGQ=\n",
        "info: this value is fol\n",
        " ded over two lines\n",
        "displayName:: w4lyaWMgRMO8cmVy\n",
        "department:\n",
        "company::\n",
        "title:  leading space kept by base64 only\n",
        "otherTelephone:: IHNwYWNlcyBhcm91bmQg\n",
    ));
    let doc = show_json(&lab, "CN=Eric,OU=Lab,DC=example,DC=com");
    assert_eq!(values(&doc, "description"), ["Hello World"]);
    assert_eq!(
        values(&doc, "info"),
        ["this value is folded over two lines"]
    );
    assert_eq!(values(&doc, "displayName"), ["Éric Dürer"]);
    assert_eq!(values(&doc, "department"), [""]);
    assert_eq!(values(&doc, "company"), [""]);
    assert_eq!(values(&doc, "otherTelephone"), [" spaces around "]);
    // Non-ASCII and edge spaces must survive an export/import round trip (base64 on export).
    let exported = lab.run(&["lab", "export"]).ok().stdout;
    assert!(
        exported.contains("displayName:: w4lyaWMgRMO8cmVy"),
        "{exported}"
    );
    let again = TempLab::new();
    let path = again.write("x.ldif", exported.as_bytes());
    again.run(&["lab", "import", path.to_str().unwrap()]).ok();
    assert_eq!(again.export(), lab.export());
}

#[test]
fn crlf_line_endings_and_base64_dn() {
    // dn:: Q049SsO2cmcsT1U9TGFiLERDPWV4YW1wbGUsREM9Y29t is "CN=Jörg,OU=Lab,DC=example,DC=com"
    let lab = lab_with(
        "dn:: Q049SsO2cmcsT1U9TGFiLERDPWV4YW1wbGUsREM9Y29t\r\nobjectClass: contact\r\ndescription: crlf\r\n",
    );
    let doc = show_json(&lab, "cn=JÖRG,ou=lab,dc=example,dc=com");
    assert_eq!(doc["dn"], "CN=Jörg,OU=Lab,DC=example,DC=com");
    assert_eq!(values(&doc, "description"), ["crlf"]);
}

#[test]
fn escaped_dns_are_found_by_any_spelling() {
    let lab = lab_with(
        "dn: CN=Smith\\, John,OU=Lab,DC=example,DC=com\nobjectClass: contact\n\n\
         dn: CN=\\#1 \\+ Plus\\=Equals,OU=Lab,DC=example,DC=com\nobjectClass: contact\n",
    );
    for spelling in [
        "CN=Smith\\, John,OU=Lab,DC=example,DC=com",
        "cn=smith\\2c john, ou=LAB, dc=example, dc=com",
        "CN=Smith\\2C John,OU=Lab,DC=example,DC=com",
    ] {
        let doc = show_json(&lab, spelling);
        assert_eq!(values(&doc, "cn"), ["Smith, John"], "spelling {spelling}");
    }
    let doc = show_json(&lab, "CN=\\#1 \\+ Plus\\=Equals,OU=Lab,DC=example,DC=com");
    assert_eq!(values(&doc, "cn"), ["#1 + Plus=Equals"]);
    // By name too: the cn is the unescaped value.
    let doc = show_json(&lab, "Smith, John");
    assert_eq!(doc["dn"], "CN=Smith\\, John,OU=Lab,DC=example,DC=com");
}

#[test]
fn bad_ldif_names_the_line_and_changes_nothing() {
    let lab = lab_with("");
    let before = lab.export();
    let bad = lab.write(
        "bad.ldif",
        format!("{SMALL_FOREST}\ndn: CN=X,OU=Lab,DC=example,DC=com\nobjectClass: contact\ndescription:: !!!notbase64\n").as_bytes(),
    );
    let run = lab
        .run(&["lab", "import", bad.to_str().unwrap()])
        .expect_code(2);
    assert!(
        run.stderr.contains("line 20"),
        "error must name the line: {}",
        run.stderr
    );
    assert_eq!(lab.export(), before, "a bad import must not change the lab");
}

fn search(lab: &TempLab, filter: &str) -> Vec<String> {
    let run = lab.run(&["lab", "search", filter, "cn", "--json"]).ok();
    let mut names: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["cn"][0].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn filters_evaluate_with_ad_semantics() {
    let lab = lab_with(
        "dn: CN=Alice,OU=Lab,DC=example,DC=com\nobjectClass: top\nobjectClass: person\n\
         objectCategory: CN=Person,CN=Schema,CN=Configuration,DC=example,DC=com\n\
         proxyAddresses: SMTP:alice@example.com\nproxyAddresses: eum:1001;phone-context=DP.example.com\n\
         msExchUMEnabledFlags: 831\ntelephoneNumber: +14255550101\ndescription: star * here\n\n\
         dn: CN=Bob,OU=Lab,DC=example,DC=com\nobjectClass: top\nobjectClass: person\n\
         objectCategory: CN=Person,CN=Schema,CN=Configuration,DC=example,DC=com\n\
         proxyAddresses: SMTP:bob@example.com\nmsExchUMEnabledFlags: 830\ntelephoneNumber: +14255550102\n\n\
         dn: CN=Carol (Ops),OU=Lab,DC=example,DC=com\nobjectClass: contact\nmsExchUMEnabledFlags: 16\n",
    );
    assert_eq!(search(&lab, "(cn=ALICE)"), ["Alice"]);
    assert_eq!(search(&lab, "(objectCategory=person)"), ["Alice", "Bob"]);
    assert_eq!(
        search(
            &lab,
            "(proxyAddresses=EUM:1001;phone-context=dp.example.com)"
        ),
        ["Alice"]
    );
    assert_eq!(search(&lab, "(proxyAddresses=eum:*)"), ["Alice"]);
    assert_eq!(
        search(&lab, "(&(objectClass=person)(!(cn=Bob)))"),
        ["Alice"]
    );
    assert_eq!(
        search(&lab, "(|(cn=Bob)(cn=Carol \\28Ops\\29))"),
        ["Bob", "Carol (Ops)"]
    );
    assert_eq!(
        search(&lab, "(msExchUMEnabledFlags:1.2.840.113556.1.4.803:=1)"),
        ["Alice"]
    );
    assert_eq!(
        search(&lab, "(msExchUMEnabledFlags:1.2.840.113556.1.4.803:=17)"),
        ["Alice"]
    );
    assert_eq!(
        search(&lab, "(msExchUMEnabledFlags:1.2.840.113556.1.4.804:=17)"),
        ["Alice", "Bob", "Carol (Ops)"]
    );
    assert_eq!(
        search(&lab, "(msExchUMEnabledFlags:1.2.840.113556.1.4.804:=1)"),
        ["Alice"]
    );
    assert_eq!(search(&lab, "(msExchUMEnabledFlags>=831)"), ["Alice"]);
    assert_eq!(search(&lab, "(msExchUMEnabledFlags<=100)"), ["Carol (Ops)"]);
    assert_eq!(search(&lab, "(telephoneNumber=+1425*55*0101)"), ["Alice"]);
    assert_eq!(search(&lab, "(description=*\\2a*)"), ["Alice"]);
    assert_eq!(
        search(&lab, "(&(cn=*)(!(objectClass=contact))(telephoneNumber=*))"),
        ["Alice", "Bob"]
    );
    let bad = lab.run(&["lab", "search", "(&(cn=a)"]).expect_code(2);
    assert!(
        bad.stderr.contains("(&(cn=a)"),
        "the error names the filter: {}",
        bad.stderr
    );
}

#[test]
fn search_scopes() {
    let lab = lab_with("dn: CN=Kid,OU=Lab,DC=example,DC=com\nobjectClass: contact\n");
    let run = |scope: &str| {
        let out = lab
            .run(&[
                "lab",
                "search",
                "(objectClass=*)",
                "--base",
                "OU=Lab,DC=example,DC=com",
                "--scope",
                scope,
                "--json",
            ])
            .ok()
            .json();
        out.as_array().unwrap().len()
    };
    assert_eq!(run("base"), 1);
    assert_eq!(run("one"), 1);
    assert_eq!(run("sub"), 2);
    let missing = lab
        .run(&[
            "lab",
            "search",
            "(objectClass=*)",
            "--base",
            "OU=Nope,DC=example,DC=com",
        ])
        .expect_code(2);
    assert!(
        missing.stderr.contains("OU=Nope,DC=example,DC=com"),
        "{}",
        missing.stderr
    );
}

#[test]
fn binary_security_descriptors_import_as_sddl_and_bad_sddl_is_refused() {
    use base64::Engine;
    use umctl::directory::security::SecurityDescriptor;
    let sd =
        SecurityDescriptor::from_sddl("O:BAG:BAD:(A;CI;LCRP;;;S-1-5-21-1-2-3-1101)", None).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(sd.to_bytes().unwrap());
    let lab = lab_with(&format!(
        "dn: CN=UM DialPlan Container,OU=Lab,DC=example,DC=com\nobjectClass: container\nnTSecurityDescriptor:: {b64}\n"
    ));
    let doc = show_json(&lab, "CN=UM DialPlan Container,OU=Lab,DC=example,DC=com");
    let text = values(&doc, "nTSecurityDescriptor")[0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("(A;CI;LCRP;;;S-1-5-21-1-2-3-1101)"), "{text}");
    let before = lab.export();
    let run = lab
        .apply("dn: CN=UM DialPlan Container,OU=Lab,DC=example,DC=com\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: D:(A;CI;NOPE;;;S-1-5-11)\n-\n")
        .expect_code(2);
    assert!(
        run.stderr.contains("nTSecurityDescriptor") && run.stderr.contains("SDDL"),
        "{}",
        run.stderr
    );
    assert_eq!(lab.export(), before);
}

#[test]
fn prefix_searches_on_indexed_attributes_find_what_a_scan_finds() {
    let lab = lab_with(
        "dn: CN=L1,OU=Lab,DC=example,DC=com\nobjectClass: contact\nmsRTCSIP-Line: tel:+96265519000;ext=9000\n\n\
         dn: CN=L2,OU=Lab,DC=example,DC=com\nobjectClass: contact\nmsRTCSIP-Line: TEL:+96265519001;ext=9001\n\n\
         dn: CN=L3,OU=Lab,DC=example,DC=com\nobjectClass: contact\nmsRTCSIP-Line: tel:+14255550100\n",
    );
    assert_eq!(search(&lab, "(msRTCSIP-Line=tel:+96265519000;*)"), ["L1"]);
    assert_eq!(
        search(&lab, "(msRTCSIP-Line=tel:+9626551900*)"),
        ["L1", "L2"]
    );
    assert_eq!(
        search(&lab, "(&(objectClass=contact)(msRTCSIP-Line=tel:+1*))"),
        ["L3"]
    );
    assert!(search(&lab, "(msRTCSIP-Line=tel:+44*)").is_empty());
    // After a change the sorted values are rebuilt.
    lab.apply("dn: CN=L3,OU=Lab,DC=example,DC=com\nchangetype: modify\nreplace: msRTCSIP-Line\nmsRTCSIP-Line: tel:+4420\n-\n").ok();
    assert_eq!(search(&lab, "(msRTCSIP-Line=tel:+44*)"), ["L3"]);
}
