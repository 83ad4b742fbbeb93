//! `umctl new-contact` and `umctl contact ...` on the lab forest: the OVA and auto-attendant
//! contacts of domain.md A.4, every validation error (with no change to the forest), the
//! rollback when the otherIPPhone write fails, dry runs, list/show/set/remove, and CSV bulk
//! creation with bad rows.

use serde_json::Value;

use crate::support::{Run, TempLab};

const OU: &str = "OU=ExUmContacts,DC=contoso,DC=com";
const POOL: &str = "pool01.contoso.com";
const POOL_DN: &str = "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const OVA_SIP: &str = "sip:ova.loc801@contoso.com";
const OVA_NUMBER: &str = "+96265515333";
const AA_SIP: &str = "sip:aa.loc801@contoso.com";
const AA_NUMBER: &str = "+96265515444";

/// new-contact with the four required values plus `extra`.
fn new_contact(lab: &TempLab, sip: &str, number: &str, extra: &[&str]) -> Run {
    new_contact_in(lab, OU, sip, number, extra)
}

/// [`new_contact`] with the contact in `ou`.
fn new_contact_in(lab: &TempLab, ou: &str, sip: &str, number: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "new-contact",
        "--sip-address",
        sip,
        "--registrar-pool",
        POOL,
        "--display-number",
        number,
        "--ou",
        ou,
    ];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// The stored entry of the object whose attribute `attr` is `value`, as `lab search` prints it.
fn stored(lab: &TempLab, attr: &str, value: &str) -> Vec<Value> {
    let run = lab
        .run(&["lab", "search", &format!("({attr}={value})"), "--json"])
        .ok();
    run.json().as_array().unwrap().clone()
}

fn values(entry: &Value, attr: &str) -> Vec<String> {
    let attrs = entry["attributes"].as_object().unwrap();
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(attr))
        .map(|(_, v)| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn one(entry: &Value, attr: &str) -> String {
    let v = values(entry, attr);
    assert_eq!(v.len(), 1, "{attr}: {v:?}");
    v[0].clone()
}

fn contacts(lab: &TempLab, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["contact", "list", "--json"];
    args.extend_from_slice(extra);
    lab.run(&args).ok().json().as_array().unwrap().clone()
}

#[test]
fn ova_contact_gets_every_a4_attribute_and_the_dial_plan_from_its_number() {
    let lab = TempLab::new();
    let run = new_contact(
        &lab,
        OVA_SIP,
        OVA_NUMBER,
        &["--description", "OVA, Amman", "--json"],
    )
    .ok();
    let out = run.json();
    assert_eq!(out["status"], "created");
    assert_eq!(out["contact"]["kind"], "subscriber_access");
    assert_eq!(out["contact"]["dial_plan"], "LOC801");

    let found = stored(&lab, "msRTCSIP-PrimaryUserAddress", OVA_SIP);
    assert_eq!(found.len(), 1);
    let e = &found[0];
    let dn = e["dn"].as_str().unwrap();
    assert_eq!(dn, out["contact"]["dn"].as_str().unwrap());
    // CN={<uuid>} in the OU given.
    let cn = dn.strip_prefix("CN={").unwrap();
    let (guid, rest) = cn.split_once("},").unwrap();
    assert_eq!(guid.len(), 36);
    assert_eq!(rest, OU);
    assert!(values(e, "objectClass").contains(&"contact".to_string()));
    assert_eq!(one(e, "displayName"), "LOC801 Subscriber Access");
    assert_eq!(one(e, "description"), "OVA, Amman");
    assert_eq!(one(e, "msRTCSIP-Line"), "tel:+96265515333");
    assert_eq!(one(e, "telephoneNumber"), OVA_NUMBER);
    assert_eq!(one(e, "msRTCSIP-PrimaryHomeServer"), POOL_DN);
    assert_eq!(one(e, "msRTCSIP-UserEnabled"), "TRUE");
    assert_eq!(one(e, "msRTCSIP-OptionFlags"), "384");
    assert_eq!(one(e, "msRTCSIP-SourceObjectType"), "-1879048192");
    assert_eq!(
        one(e, "msDS-SourceObjectDN"),
        format!("CN=LOC801,CN=UM DialPlan Container,{ORG}")
    );
    assert_eq!(
        one(e, "otherIPPhone"),
        "SA:sip:ova.loc801@contoso.com;phone-context=LOC801.contoso.com"
    );
}

#[test]
fn auto_attendant_contact_by_pilot_and_by_name() {
    let lab = TempLab::new();
    let out = new_contact(&lab, AA_SIP, AA_NUMBER, &["--auto-attendant", "--json"])
        .ok()
        .json();
    assert_eq!(out["contact"]["kind"], "auto_attendant");
    assert_eq!(out["contact"]["auto_attendant"], "LOC801-AA");
    assert_eq!(out["contact"]["display_name"], "LOC801-AA Auto Attendant");
    let e = &stored(&lab, "msRTCSIP-PrimaryUserAddress", AA_SIP)[0];
    assert_eq!(
        one(e, "otherIPPhone"),
        "AA:sip:aa.loc801@contoso.com;phone-context=LOC801.contoso.com"
    );
    assert_eq!(
        one(e, "msDS-SourceObjectDN"),
        format!("CN=LOC801-AA,CN=UM AutoAttendant Container,{ORG}")
    );

    // Named, in another dial plan, and disabled: created with a warning.
    let run = new_contact(
        &lab,
        "sip:aa.hq@contoso.com",
        "+14255550111",
        &[
            "--auto-attendant",
            "HQ-AA",
            "--display-name",
            "HQ main line",
        ],
    )
    .ok();
    assert!(run.stderr.contains("HQ-AA is disabled"), "{}", run.stderr);
    let e = &stored(&lab, "msRTCSIP-PrimaryUserAddress", "sip:aa.hq@contoso.com")[0];
    assert_eq!(one(e, "displayName"), "HQ main line");
    assert_eq!(
        one(e, "otherIPPhone"),
        "AA:sip:aa.hq@contoso.com;phone-context=HQ-SIP.contoso.com"
    );
}

#[test]
fn every_validation_error_names_the_value_and_changes_nothing() {
    let lab = TempLab::new();
    // A contact to collide with.
    new_contact(&lab, OVA_SIP, OVA_NUMBER, &[]).ok();
    let before = lab.export();
    let cases: &[(&str, &str, &[&str], &str)] = &[
        ("ova.x@contoso.com", "+96265515999", &[], "SIP address 'ova.x@contoso.com': expected sip:user@domain"),
        ("sip:ova x@contoso.com", "+96265515999", &[], "expected sip:user@domain"),
        ("sip:bob@contoso.com", "+96265515999", &["--dial-plan", "LOC801", "--force"], "SIP address sip:bob@contoso.com is already used by CN=Bob Haddad"),
        (OVA_SIP, "+96265515999", &["--dial-plan", "LOC801", "--force"], "SIP address sip:ova.loc801@contoso.com is already used by CN={"),
        ("sip:x@contoso.com", "96265515333", &[], "display number '96265515333': expected an E.164 number"),
        ("sip:x@contoso.com", "+06265515333", &[], "'+06265515333': expected an E.164 number: '+' then 1 to 15 digits, the first not 0"),
        ("sip:x@contoso.com", "+96265519000", &["--dial-plan", "LOC801", "--force"], "+96265519000 is already the line URI of CN=Bob Haddad"),
        ("sip:x@contoso.com", OVA_NUMBER, &[], "+96265515333 is already the line URI of CN={"),
        ("sip:x@contoso.com", "+96265515999", &["--dial-plan", "NOPE"], "dial plan 'NOPE' not found (known dial plans: "),
        ("sip:x@contoso.com", "+14255550200", &["--dial-plan", "US-E164"], "dial plan US-E164 is a E164 dial plan (expected a SIP URI dial plan"),
        ("sip:x@contoso.com", "+14255550200", &[], "dial plan US-E164 is a E164 dial plan"),
        ("sip:x@contoso.com", "+96265515999", &["--dial-plan", "LOC801"], "+96265515999 is not an Outlook Voice Access number of dial plan LOC801 (its numbers: +96265515333)"),
        ("sip:x@contoso.com", "+96265515999", &[], "no dial plan has +96265515999 as its Outlook Voice Access number"),
        ("sip:x@contoso.com", AA_NUMBER, &[], "it is the pilot number of auto attendant LOC801-AA: add --auto-attendant"),
        ("sip:x@contoso.com", "+96265515999", &["--auto-attendant", "LOC801-AA"], "+96265515999 is not a pilot number of auto attendant LOC801-AA"),
        ("sip:x@contoso.com", "+96265515999", &["--auto-attendant"], "no auto attendant has +96265515999 as its pilot number"),
        ("sip:x@contoso.com", AA_NUMBER, &["--auto-attendant", "NOPE-AA"], "auto attendant 'NOPE-AA' not found"),
        ("sip:x@contoso.com", AA_NUMBER, &["--auto-attendant", "LOC801-AA", "--dial-plan", "HQ-SIP"], "auto attendant LOC801-AA belongs to dial plan LOC801, not to --dial-plan HQ-SIP"),
    ];
    for (sip, number, extra, expected) in cases {
        let run = new_contact(&lab, sip, number, extra).expect_code(2);
        assert!(
            run.stderr.contains(expected),
            "{sip} {number} {extra:?}: expected '{expected}' in:\n{}",
            run.stderr
        );
    }

    // Pool and OU problems, and missing values without a terminal.
    let base = [
        "new-contact",
        "--sip-address",
        "sip:x@contoso.com",
        "--display-number",
        OVA_NUMBER,
    ];
    let more: &[(&[&str], &str)] = &[
        (&["--registrar-pool", "nosuch.contoso.com", "--ou", OU], "registrar pool 'nosuch.contoso.com' not found (expected the FQDN of a pool: pool01.contoso.com"),
        (&["--registrar-pool", "ocs2007.contoso.com", "--ou", OU], "registrar pool ocs2007.contoso.com is OCS 2007 (expected Lync Server 2010 or newer"),
        (&["--registrar-pool", "lcs2005.contoso.com", "--ou", OU], "registrar pool lcs2005.contoso.com is LCS 2005 SP1"),
        (&["--registrar-pool", POOL, "--ou", "OU=Nope,DC=contoso,DC=com"], "OU OU=Nope,DC=contoso,DC=com does not exist"),
        (&["--registrar-pool", POOL, "--ou", "ExUmContacts"], "OU 'ExUmContacts' is not a DN"),
        (&["--registrar-pool", POOL], "the OU (--ou) is required"),
        (&["--ou", OU], "the registrar pool (--registrar-pool) is required"),
    ];
    for (extra, expected) in more {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let run = lab.run(&args).expect_code(2);
        assert!(
            run.stderr.contains(expected),
            "{extra:?}: expected '{expected}' in:\n{}",
            run.stderr
        );
    }
    let run = lab
        .run(&[
            "new-contact",
            "--registrar-pool",
            POOL,
            "--display-number",
            OVA_NUMBER,
            "--ou",
            OU,
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("the SIP address (--sip-address) is required"),
        "{}",
        run.stderr
    );

    assert_eq!(
        lab.export(),
        before,
        "a failed new-contact changed the forest"
    );
    assert_eq!(contacts(&lab, &[]).len(), 1);
}

#[test]
fn force_accepts_a_number_that_is_not_the_ova_number() {
    let lab = TempLab::new();
    let run = new_contact(
        &lab,
        "sip:spare@contoso.com",
        "+96265515999",
        &["--dial-plan", "LOC801", "--force"],
    )
    .ok();
    assert!(
        run.stderr.contains(
            "warning: +96265515999 is not an Outlook Voice Access number of dial plan LOC801"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(contacts(&lab, &["--dial-plan", "LOC801"]).len(), 1);
}

#[test]
fn a_failed_second_write_removes_the_contact_again() {
    let lab = TempLab::new();
    let before = lab.export();
    for step in ["1", "2"] {
        let fault = format!("apply-fail-at-step:{step}");
        let mut args = vec![
            "new-contact",
            "--sip-address",
            OVA_SIP,
            "--registrar-pool",
            POOL,
            "--display-number",
            OVA_NUMBER,
            "--ou",
            OU,
        ];
        args.push("--json");
        let run = lab.run_env(&args, &[("UMCTL_FAULT", &fault)]);
        assert_ne!(run.code, 0, "step {step}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("step {step} of 2")),
            "step {step}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("the earlier steps were undone"),
            "{}",
            run.stderr
        );
        assert_eq!(lab.export(), before, "step {step} left a change behind");
        assert!(stored(&lab, "msRTCSIP-PrimaryUserAddress", OVA_SIP).is_empty());
    }
    // Without the fault the same command works.
    new_contact(&lab, OVA_SIP, OVA_NUMBER, &[]).ok();
    assert_eq!(contacts(&lab, &[]).len(), 1);
}

#[test]
fn dry_run_writes_nothing_and_its_ldif_applies() {
    let lab = TempLab::new();
    let before = lab.export();
    let text = new_contact(&lab, OVA_SIP, OVA_NUMBER, &["--dry-run"]).ok();
    assert!(
        text.stdout.contains("Would make 2 change(s)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "add otherIPPhone: SA:sip:ova.loc801@contoso.com;phone-context=LOC801.contoso.com"
        ),
        "{}",
        text.stdout
    );
    let json = new_contact(&lab, OVA_SIP, OVA_NUMBER, &["--dry-run", "--json"])
        .ok()
        .json();
    assert_eq!(json["status"], "planned");
    assert_eq!(json["changes"].as_array().unwrap().len(), 2);
    let ldif = new_contact(&lab, OVA_SIP, OVA_NUMBER, &["--dry-run", "--ldif"])
        .ok()
        .stdout;
    assert!(ldif.contains("changetype: add"), "{ldif}");
    assert!(
        ldif.contains("changetype: modify\nadd: otherIPPhone\notherIPPhone: SA:sip:"),
        "{ldif}"
    );
    assert!(
        !ldif.contains(
            "otherIPPhone: SA:sip:ova.loc801@contoso.com;phone-context=LOC801.contoso.com\n\ndn"
        ),
        "{ldif}"
    );
    assert_eq!(lab.export(), before, "--dry-run changed the forest");
    // What the dry run printed is what new-contact would have written.
    lab.apply(&ldif).ok();
    let listed = contacts(&lab, &[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["sip_address"], OVA_SIP);
    assert_eq!(listed[0]["dial_plan"], "LOC801");
}

#[test]
fn running_twice_is_a_no_op() {
    let lab = TempLab::new();
    new_contact(&lab, OVA_SIP, OVA_NUMBER, &[]).ok();
    let after_first = lab.export();
    let out = new_contact(&lab, OVA_SIP, OVA_NUMBER, &["--json"])
        .ok()
        .json();
    assert_eq!(out["status"], "exists");
    assert_eq!(lab.export(), after_first);
}

#[test]
fn list_show_set_remove() {
    let lab = TempLab::new();
    new_contact(&lab, OVA_SIP, OVA_NUMBER, &[]).ok();
    new_contact(&lab, AA_SIP, AA_NUMBER, &["--auto-attendant"]).ok();
    new_contact(&lab, "sip:ova.hq@contoso.com", "+14255550100", &[]).ok();

    // list and its filters
    assert_eq!(contacts(&lab, &[]).len(), 3);
    let aa = contacts(&lab, &["--auto-attendant"]);
    assert_eq!(aa.len(), 1);
    assert_eq!(aa[0]["sip_address"], AA_SIP);
    assert_eq!(contacts(&lab, &["--subscriber-access"]).len(), 2);
    assert_eq!(contacts(&lab, &["--dial-plan", "LOC801"]).len(), 2);
    assert_eq!(
        contacts(&lab, &["--dial-plan", "hq-sip", "--subscriber-access"]).len(),
        1
    );
    let table = lab.run(&["contact", "list"]).ok().stdout;
    for h in [
        "DisplayName",
        "SipAddress",
        "DisplayNumber",
        "Kind",
        "DialPlan",
        "Enabled",
        "SubscriberAccess",
        "AutoAttendant",
        "HQ-SIP",
    ] {
        assert!(table.contains(h), "{h} missing:\n{table}");
    }
    assert!(lab
        .run(&["contact", "list", "--dial-plan", "NOPE"])
        .expect_code(2)
        .stderr
        .contains("dial plan 'NOPE' not found"));

    // show by SIP address, number, tel: number and DN
    let by_sip = lab.run(&["contact", "show", OVA_SIP, "--json"]).ok().json();
    let dn = by_sip["dn"].as_str().unwrap().to_string();
    for id in [
        OVA_NUMBER,
        "tel:+96265515333",
        dn.as_str(),
        "SIP:OVA.LOC801@contoso.com",
    ] {
        let v = lab.run(&["contact", "show", id, "--json"]).ok().json();
        assert_eq!(v["dn"].as_str(), Some(dn.as_str()), "{id}");
    }
    let text = lab.run(&["contact", "show", AA_NUMBER]).ok().stdout;
    assert!(
        text.contains("LOC801-AA") && text.contains("AA:sip:aa.loc801@contoso.com"),
        "{text}"
    );
    for id in [
        "sip:nobody@contoso.com",
        "+19999999999",
        "OU=ExUmContacts,CN=Nope,DC=contoso,DC=com",
    ] {
        let run = lab.run(&["contact", "show", id]).expect_code(2);
        assert!(
            run.stderr
                .contains(&format!("no Exchange UM contact matches '{id}'")),
            "{}",
            run.stderr
        );
    }
    let run = lab
        .run(&[
            "contact",
            "show",
            "CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("is not an Exchange UM contact"),
        "{}",
        run.stderr
    );

    // set: SIP address (otherIPPhone in step), description, enabled
    let out = lab
        .run(&[
            "contact",
            "set",
            OVA_NUMBER,
            "--sip-address",
            "sip:ova2.loc801@contoso.com",
            "--description",
            "Amman OVA",
            "--enabled",
            "false",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["status"], "updated");
    let e = &stored(
        &lab,
        "msRTCSIP-PrimaryUserAddress",
        "sip:ova2.loc801@contoso.com",
    )[0];
    assert_eq!(
        one(e, "otherIPPhone"),
        "SA:sip:ova2.loc801@contoso.com;phone-context=LOC801.contoso.com"
    );
    assert_eq!(one(e, "msRTCSIP-UserEnabled"), "FALSE");
    assert_eq!(one(e, "description"), "Amman OVA");
    assert!(stored(&lab, "msRTCSIP-PrimaryUserAddress", OVA_SIP).is_empty());
    let table = lab
        .run(&[
            "contact",
            "list",
            "--subscriber-access",
            "--dial-plan",
            "LOC801",
        ])
        .ok()
        .stdout;
    assert!(table.contains("False"), "{table}");

    // set: the number must stay the OVA number unless --force; it moves line and telephoneNumber
    let run = lab
        .run(&[
            "contact",
            "set",
            "sip:ova2.loc801@contoso.com",
            "--display-number",
            "+96265515998",
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("not an Outlook Voice Access number of dial plan LOC801"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&[
            "contact",
            "set",
            "sip:ova2.loc801@contoso.com",
            "--display-number",
            "+14255550100",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("already the line URI of CN={"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&[
            "contact",
            "set",
            "sip:ova2.loc801@contoso.com",
            "--sip-address",
            "sip:bob@contoso.com",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("already used by CN=Bob Haddad"),
        "{}",
        run.stderr
    );
    lab.run(&[
        "contact",
        "set",
        "sip:ova2.loc801@contoso.com",
        "--display-number",
        "+96265515998",
        "--force",
    ])
    .ok();
    let e = &stored(
        &lab,
        "msRTCSIP-PrimaryUserAddress",
        "sip:ova2.loc801@contoso.com",
    )[0];
    assert_eq!(one(e, "msRTCSIP-Line"), "tel:+96265515998");
    assert_eq!(one(e, "telephoneNumber"), "+96265515998");
    let unchanged = lab
        .run(&[
            "contact",
            "set",
            "+96265515998",
            "--enabled",
            "false",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(unchanged["status"], "unchanged");
    let before_dry = lab.export();
    let dry = lab
        .run(&[
            "contact",
            "set",
            "+96265515998",
            "--enabled",
            "true",
            "--dry-run",
            "--ldif",
        ])
        .ok()
        .stdout;
    assert!(
        dry.contains("replace: msRTCSIP-UserEnabled\nmsRTCSIP-UserEnabled: TRUE"),
        "{dry}"
    );
    assert_eq!(lab.export(), before_dry);

    // remove: asks first, so without a terminal it needs --yes
    let run = lab.run(&["contact", "remove", AA_SIP]).expect_code(2);
    assert!(
        run.stderr.contains("needs a confirmation") && run.stderr.contains("--yes"),
        "{}",
        run.stderr
    );
    assert_eq!(contacts(&lab, &[]).len(), 3);
    lab.run(&["contact", "remove", AA_SIP, "--dry-run"]).ok();
    assert_eq!(contacts(&lab, &[]).len(), 3);
    lab.run(&["contact", "remove", AA_SIP, "--yes"]).ok();
    assert_eq!(contacts(&lab, &[]).len(), 2);
    assert!(contacts(&lab, &["--auto-attendant"]).is_empty());
}

#[test]
fn an_id_that_matches_two_contacts_is_an_error() {
    let lab = TempLab::new();
    new_contact(&lab, OVA_SIP, OVA_NUMBER, &[]).ok();
    // A second contact with the same number, made by hand (as a broken forest may have it).
    lab.apply(&format!(
        "dn: CN=Stray,{OU}\nchangetype: add\nobjectClass: contact\ncn: Stray\nmsRTCSIP-PrimaryUserAddress: sip:stray@contoso.com\nmsRTCSIP-Line: tel:{OVA_NUMBER}\nmsRTCSIP-PrimaryHomeServer: {POOL_DN}\notherIPPhone: SA:sip:stray@contoso.com;phone-context=LOC801.contoso.com\n"
    ))
    .ok();
    let run = lab.run(&["contact", "show", OVA_NUMBER]).expect_code(2);
    assert!(
        run.stderr.contains("matches 2 Exchange UM contacts"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("CN=Stray,OU=ExUmContacts"),
        "{}",
        run.stderr
    );
}

const CSV_HEADER: &str = "sip_address,registrar_pool,display_number,ou,dial_plan,auto_attendant,display_name,description\r\n";

#[test]
fn csv_bulk_creates_good_rows_and_names_bad_lines() {
    let lab = TempLab::new();
    let ou = format!("\"{OU}\"");
    let csv = format!(
        "{CSV_HEADER}\
         sip:ova.loc801@contoso.com,pool01.contoso.com,+96265515333,{ou},,,,\"OVA, \"\"Amman\"\"\"\r\n\
         sip:aa.loc801@contoso.com,pool01.contoso.com,+96265515444,{ou},,true,,\r\n\
         sip:bad.number@contoso.com,pool01.contoso.com,96265515000,{ou},LOC801,,,\r\n\
         sip:ova.hq@contoso.com,pool01.contoso.com,+14255550100,{ou},HQ-SIP,,HQ OVA,\r\n\
         sip:ova.loc801@contoso.com,pool01.contoso.com,+96265515001,{ou},LOC801,,,\r\n\
         sip:short.row@contoso.com,pool01.contoso.com\r\n\
         sip:old.pool@contoso.com,ocs2007.contoso.com,+96265515002,{ou},LOC801,,,\r\n"
    );
    let path = lab.write("contacts.csv", csv.as_bytes());
    let path = path.to_str().unwrap();

    let before = lab.export();
    let dry = lab
        .run(&[
            "new-contact",
            "--from-csv",
            path,
            "--dry-run",
            "--json",
            "--force",
        ])
        .expect_code(2)
        .json();
    assert_eq!(dry["counts"]["created"], 3);
    assert_eq!(lab.export(), before, "--dry-run changed the forest");

    let run = lab
        .run(&["new-contact", "--from-csv", path, "--json", "--force"])
        .expect_code(2);
    let out = run.json();
    assert_eq!(out["counts"]["created"], 3, "{}", run.stdout);
    assert_eq!(out["counts"]["skipped"], 0);
    assert_eq!(out["counts"]["failed"], 4);
    let failed: Vec<(u64, String)> = out["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lines: Vec<u64> = failed.iter().map(|f| f.0).collect();
    assert_eq!(lines, vec![4, 6, 7, 8], "{failed:?}");
    assert!(
        failed[0].1.contains("display number '96265515000'"),
        "{failed:?}"
    );
    assert!(
        failed[1].1.contains("already used by line 2 of the file"),
        "{failed:?}"
    );
    assert!(failed[2].1.contains("2 fields, expected 8"), "{failed:?}");
    assert!(failed[3].1.contains("OCS 2007"), "{failed:?}");

    let listed = contacts(&lab, &[]);
    assert_eq!(listed.len(), 3);
    let ova = listed.iter().find(|c| c["sip_address"] == OVA_SIP).unwrap();
    assert_eq!(ova["description"], "OVA, \"Amman\"");
    assert_eq!(ova["display_number"], OVA_NUMBER);
    let aa = listed.iter().find(|c| c["sip_address"] == AA_SIP).unwrap();
    assert_eq!(aa["kind"], "auto_attendant");
    // No half-written contact for any failed row.
    for sip in [
        "sip:bad.number@contoso.com",
        "sip:short.row@contoso.com",
        "sip:old.pool@contoso.com",
    ] {
        assert!(
            stored(&lab, "msRTCSIP-PrimaryUserAddress", sip).is_empty(),
            "{sip}"
        );
    }
    assert!(stored(&lab, "msRTCSIP-Line", "tel:+96265515001").is_empty());

    // The same file again: the created rows are skipped, the bad ones fail again.
    let text = lab
        .run(&["new-contact", "--from-csv", path, "--force"])
        .expect_code(2)
        .stdout;
    assert!(
        text.contains("Created 0, skipped 3 (already exist), failed 4."),
        "{text}"
    );
    assert!(text.contains("Line") && text.contains("OCS 2007"), "{text}");
    assert_eq!(contacts(&lab, &[]).len(), 3);
}

#[test]
fn csv_bulk_all_good_exits_zero_and_header_errors_exit_two() {
    let lab = TempLab::new();
    let mut csv = String::from("SipAddress,RegistrarPool,DisplayNumber,OU,DialPlan\n");
    for i in 0..20 {
        csv.push_str(&format!(
            "sip:bulk{i}@contoso.com,{POOL},+9626551{:04},\"{OU}\",LOC801\n",
            6000 + i
        ));
    }
    let path = lab.write("ok.csv", csv.as_bytes());
    let out = lab
        .run(&[
            "new-contact",
            "--from-csv",
            path.to_str().unwrap(),
            "--force",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["counts"]["created"], 20);
    assert_eq!(contacts(&lab, &["--dial-plan", "LOC801"]).len(), 20);

    let before = lab.export();
    let bad = lab.write(
        "bad.csv",
        b"sip_address,pool,display_number,ou\nsip:a@contoso.com,x,+1,OU=X\n",
    );
    let run = lab
        .run(&["new-contact", "--from-csv", bad.to_str().unwrap()])
        .expect_code(2);
    assert!(
        run.stderr.contains("line 1: unknown column 'pool'"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&["new-contact", "--from-csv", "/nonexistent/x.csv"])
        .expect_code(2);
    assert!(run.stderr.contains("/nonexistent/x.csv"), "{}", run.stderr);
    let run = lab.run(&[
        "new-contact",
        "--from-csv",
        bad.to_str().unwrap(),
        "--sip-address",
        "sip:a@contoso.com",
    ]);
    assert_eq!(
        run.code, 2,
        "--from-csv with single-contact flags is a usage error"
    );
    assert_eq!(lab.export(), before);
}

#[test]
fn csv_bulk_with_failing_second_writes_leaves_no_contact() {
    let lab = TempLab::new();
    let mut csv = String::from(CSV_HEADER);
    for i in 0..5 {
        csv.push_str(&format!(
            "sip:f{i}@contoso.com,{POOL},+9626553000{i},\"{OU}\",LOC801,,,\r\n"
        ));
    }
    let path = lab.write("fault.csv", csv.as_bytes());
    let before = lab.export();
    let run = lab.run_env(
        &[
            "new-contact",
            "--from-csv",
            path.to_str().unwrap(),
            "--force",
            "--json",
        ],
        &[("UMCTL_FAULT", "apply-fail-at-step:2")],
    );
    let out = run.expect_code(2).json();
    assert_eq!(out["counts"]["created"], 0);
    assert_eq!(out["counts"]["failed"], 5);
    assert!(
        out["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("step 2 of 2"),
        "{out}"
    );
    assert_eq!(
        lab.export(),
        before,
        "a failed bulk run left a change behind"
    );
}

#[test]
fn the_ou_must_be_a_class_ad_keeps_contacts_in() {
    let lab = TempLab::new();
    let before = lab.export();
    let user = "CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com";
    let dial_plan = format!("CN=LOC801,CN=UM DialPlan Container,{ORG}");
    for (parent, class) in [(user, "user"), (dial_plan.as_str(), "msExchUMDialPlan")] {
        for dry in [&[][..], &["--dry-run", "--ldif"][..]] {
            let run = new_contact_in(&lab, parent, OVA_SIP, OVA_NUMBER, dry).expect_code(2);
            assert!(
                run.stderr.contains(&format!("is a {class}"))
                    && run
                        .stderr
                        .contains("organizationalUnit, container, builtinDomain or domainDNS"),
                "{parent} {dry:?}: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "no plan: {}", run.stdout);
        }
    }
    assert_eq!(lab.export(), before);
    // A container and the domain itself are places AD accepts.
    for parent in ["CN=Users,DC=contoso,DC=com", "DC=contoso,DC=com"] {
        new_contact_in(&lab, parent, OVA_SIP, OVA_NUMBER, &["--dry-run"]).ok();
    }
}

#[test]
fn a_contact_that_exists_but_differs_is_an_error_naming_the_attribute() {
    let lab = TempLab::new();
    let named = |name: &str, extra: &[&str]| {
        let mut args = vec!["--display-name", name];
        args.extend_from_slice(extra);
        new_contact(&lab, OVA_SIP, OVA_NUMBER, &args)
    };
    named("OVA Amman", &["--description", "first"]).ok();
    // The very same contact: nothing to do.
    let run = named("OVA Amman", &["--description", "first"]).ok();
    assert!(run.stdout.contains("already exists") || run.stderr.contains("already exists"));
    let before = lab.export();
    let run = named("OVA Irbid", &[]).expect_code(2);
    assert!(
        run.stderr
            .contains("differs in displayName ('OVA Amman' there, 'OVA Irbid' asked)")
            && run.stderr.contains(
                "umctl contact set sip:ova.loc801@contoso.com --display-name 'OVA Irbid'"
            ),
        "{}",
        run.stderr
    );
    let run = named("OVA Amman", &["--description", "second"]).expect_code(2);
    assert!(
        run.stderr
            .contains("description ('first' there, 'second' asked)"),
        "{}",
        run.stderr
    );
    assert_eq!(lab.export(), before, "nothing changed");
    // A CSV row likewise.
    let csv = format!("{CSV_HEADER}{OVA_SIP},{POOL},{OVA_NUMBER},\"{OU}\",,,OVA Amman,third\r\n");
    let path = lab.write("same.csv", csv.as_bytes());
    let run = lab
        .run(&[
            "new-contact",
            "--from-csv",
            path.to_str().unwrap(),
            "--json",
        ])
        .expect_code(2);
    assert!(
        run.stdout
            .contains("description ('first' there, 'third' asked)"),
        "{}",
        run.stdout
    );
    assert_eq!(lab.export(), before);
}
