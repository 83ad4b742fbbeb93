//! new-contact and the contact family against a real Active Directory (Samba AD DC with the
//! lab forest): OVA and auto-attendant contacts, validation errors that change nothing, the
//! rollback when the otherIPPhone write fails, list/show/set/remove, and CSV bulk with bad rows.

use serde_json::Value;

use crate::samba_dc::SambaDc;
use crate::support::{Run, TempLab};

const OU: &str = "OU=ExUmContacts,DC=contoso,DC=com";

fn umctl(lab: &TempLab, dc: &SambaDc, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(dc.admin_args());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    lab.run_env(&all, env)
}

fn new_contact(
    lab: &TempLab,
    dc: &SambaDc,
    sip: &str,
    number: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut args = vec![
        "new-contact",
        "--sip-address",
        sip,
        "--registrar-pool",
        "pool01.contoso.com",
        "--display-number",
        number,
        "--ou",
        OU,
    ];
    args.extend_from_slice(extra);
    umctl(lab, dc, &args, env)
}

fn list(lab: &TempLab, dc: &SambaDc, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["contact", "list", "--json"];
    args.extend_from_slice(extra);
    umctl(lab, dc, &args, &[])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn ova_and_auto_attendant_contacts_on_samba() {
    let Some(dc) = SambaDc::start("new_contact_samba::ova_and_auto_attendant_contacts_on_samba")
    else {
        return;
    };
    let lab = TempLab::new();
    new_contact(
        &lab,
        &dc,
        "sip:ova.loc801@contoso.com",
        "+96265515333",
        &[],
        &[],
    )
    .ok();
    new_contact(
        &lab,
        &dc,
        "sip:aa.loc801@contoso.com",
        "+96265515444",
        &["--auto-attendant"],
        &[],
    )
    .ok();
    let shown = umctl(
        &lab,
        &dc,
        &["contact", "show", "+96265515333", "--json"],
        &[],
    )
    .ok()
    .json();
    let text = shown.to_string();
    assert!(
        text.contains("SA:sip:ova.loc801@contoso.com;phone-context=LOC801.contoso.com"),
        "{text}"
    );
    // What Samba stored, read with a second client.
    let out = std::process::Command::new("ldapsearch")
        .args([
            "-LLL",
            "-x",
            "-H",
            &dc.info.ldaps,
            "-D",
            &dc.info.admin_upn,
            "-y",
            &dc.info.password_file,
            "-b",
            OU,
        ])
        .args([
            "(msRTCSIP-PrimaryUserAddress=sip:aa.loc801@contoso.com)",
            "otherIPPhone",
            "msRTCSIP-Line",
            "msRTCSIP-OptionFlags",
            "msRTCSIP-SourceObjectType",
            "msDS-SourceObjectDN",
        ])
        .env("LDAPTLS_CACERT", &dc.info.ca_file)
        .output()
        .unwrap();
    let stored = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "otherIpPhone: AA:sip:aa.loc801@contoso.com;phone-context=LOC801.contoso.com",
        "msRTCSIP-Line: tel:+96265515444",
        "msRTCSIP-OptionFlags: 384",
        "msRTCSIP-SourceObjectType: -1879048192",
        "msDS-SourceObjectDN: CN=LOC801-AA,CN=UM AutoAttendant Container,",
    ] {
        assert!(
            stored.contains(expected),
            "Samba lacks {expected}:\n{stored}"
        );
    }
    assert_eq!(list(&lab, &dc, &["--auto-attendant"]).len(), 1);
    assert_eq!(list(&lab, &dc, &["--subscriber-access"]).len(), 1);
}

#[test]
fn validation_errors_and_a_failed_second_write_change_nothing_on_samba() {
    let Some(dc) = SambaDc::start(
        "new_contact_samba::validation_errors_and_a_failed_second_write_change_nothing_on_samba",
    ) else {
        return;
    };
    let lab = TempLab::new();
    new_contact(
        &lab,
        &dc,
        "sip:ova.loc801@contoso.com",
        "+96265515333",
        &[],
        &[],
    )
    .ok();
    let before = list(&lab, &dc, &[]);
    for (sip, number, needle) in [
        ("ova.bad@contoso.com", "+96265515333", "sip:"),
        (
            "sip:ova.loc801@contoso.com",
            "+14255550100",
            "sip:ova.loc801@contoso.com",
        ),
        ("sip:bob@contoso.com", "+14255550100", "sip:bob@contoso.com"),
        ("sip:ova.x@contoso.com", "0096265515333", "0096265515333"),
        ("sip:ova.y@contoso.com", "+06265515333", "+06265515333"),
    ] {
        let run = new_contact(&lab, &dc, sip, number, &[], &[]).expect_code(2);
        assert!(
            run.stderr.contains(needle),
            "{sip} {number}: {}",
            run.stderr
        );
    }
    let run = umctl(
        &lab,
        &dc,
        &[
            "new-contact",
            "--sip-address",
            "sip:ova.hq@contoso.com",
            "--registrar-pool",
            "ocs2007.contoso.com",
            "--display-number",
            "+14255550100",
            "--ou",
            OU,
        ],
        &[],
    )
    .expect_code(2);
    assert!(run.stderr.contains("ocs2007.contoso.com"), "{}", run.stderr);
    // The second write (otherIPPhone) fails: the contact is removed again.
    let run = new_contact(
        &lab,
        &dc,
        "sip:ova.hq@contoso.com",
        "+14255550100",
        &[],
        &[("UMCTL_FAULT", "apply-fail-at-step:2")],
    )
    .expect_code(2);
    assert!(run.stderr.contains("step 2 of 2"), "{}", run.stderr);
    assert_eq!(list(&lab, &dc, &[]), before, "nothing may be left behind");
    new_contact(
        &lab,
        &dc,
        "sip:ova.hq@contoso.com",
        "+14255550100",
        &[],
        &[],
    )
    .ok();
    assert_eq!(list(&lab, &dc, &[]).len(), 2);
}

#[test]
fn list_show_set_remove_and_csv_bulk_on_samba() {
    let Some(dc) = SambaDc::start("new_contact_samba::list_show_set_remove_and_csv_bulk_on_samba")
    else {
        return;
    };
    let lab = TempLab::new();
    let csv = format!(
        "sip_address,registrar_pool,display_number,ou,dial_plan,auto_attendant,display_name,description\r\n\
         sip:ova.loc801@contoso.com,pool01.contoso.com,+96265515333,\"{OU}\",,,,\r\n\
         sip:bad.number@contoso.com,pool01.contoso.com,96265515000,\"{OU}\",LOC801,,,\r\n\
         sip:ova.hq@contoso.com,pool01.contoso.com,+14255550100,\"{OU}\",HQ-SIP,,HQ OVA,\r\n"
    );
    let path = lab.write("contacts.csv", csv.as_bytes());
    let run = umctl(
        &lab,
        &dc,
        &[
            "new-contact",
            "--from-csv",
            path.to_str().unwrap(),
            "--json",
        ],
        &[],
    )
    .expect_code(2);
    let out = run.json();
    assert_eq!(out["counts"]["created"], 2, "{}", run.stdout);
    assert_eq!(out["counts"]["failed"], 1);
    assert_eq!(out["failed"][0]["line"], 3, "{}", run.stdout);
    assert_eq!(list(&lab, &dc, &[]).len(), 2);

    umctl(
        &lab,
        &dc,
        &[
            "contact",
            "set",
            "sip:ova.hq@contoso.com",
            "--sip-address",
            "sip:voice.hq@contoso.com",
            "--enabled",
            "false",
        ],
        &[],
    )
    .ok();
    let shown = umctl(
        &lab,
        &dc,
        &["contact", "show", "+14255550100", "--json"],
        &[],
    )
    .ok()
    .json()
    .to_string();
    assert!(
        shown.contains("SA:sip:voice.hq@contoso.com;phone-context=HQ-SIP.contoso.com"),
        "otherIPPhone follows the SIP address: {shown}"
    );
    umctl(
        &lab,
        &dc,
        &["contact", "remove", "sip:voice.hq@contoso.com", "--yes"],
        &[],
    )
    .ok();
    assert_eq!(list(&lab, &dc, &[]).len(), 1);
    umctl(
        &lab,
        &dc,
        &["contact", "show", "sip:voice.hq@contoso.com"],
        &[],
    )
    .expect_code(2);
}
