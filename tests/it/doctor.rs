//! `umctl doctor` on the built-in lab: each broken path the lab seeds, grouped by cause with
//! its fix and the same cause and fix as the trace of that object; the findings shrinking as
//! grant-permissions and the contacts fix them; exit 0 on a clean lab; and each failure kind
//! of issue 14 section 2.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::TempLab;

const D: &str = "DC=contoso,DC=com";
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const SERVERS: &str = "CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const USERS: &str = "OU=Contoso Users,DC=contoso,DC=com";

fn doctor(lab: &TempLab, code: i32) -> Value {
    lab.run(&["doctor", "--json"]).expect_code(code).json()
}

fn causes(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn findings<'a>(doc: &'a Value, cause: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cause"] == cause)
        .collect()
}

fn new_contact(lab: &TempLab, what: &[&str], number: &str, sip: &str) {
    let mut args = vec!["new-contact"];
    args.extend_from_slice(what);
    args.extend_from_slice(&[
        "--display-number",
        number,
        "--sip-address",
        sip,
        "--registrar-pool",
        "pool01.contoso.com",
        "--ou",
        "OU=ExUmContacts,DC=contoso,DC=com",
        "--yes",
    ]);
    lab.run(&args).ok();
}

/// grant-permissions and the three contacts the fresh lab lacks.
fn fixed_lab() -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    new_contact(
        &lab,
        &["--dial-plan", "LOC801"],
        "+96265515333",
        "sip:loc801-sa@contoso.com",
    );
    new_contact(
        &lab,
        &["--dial-plan", "HQ-SIP"],
        "+14255550100",
        "sip:hq-sip-sa@contoso.com",
    );
    new_contact(
        &lab,
        &["--auto-attendant", "LOC801-AA"],
        "+96265515444",
        "sip:loc801-aa@contoso.com",
    );
    lab
}

#[test]
fn fresh_lab_lists_each_seeded_broken_path_grouped_with_fixes() {
    let lab = TempLab::new();
    let doc = doctor(&lab, 1);
    assert_eq!(doc["broken"], true);
    let found = causes(&doc);
    for cause in [
        "rtc-read-denied",
        "no-um-ip-gateway",
        "no-hunt-group",
        "ova-number-without-contact",
        "aa-number-without-contact",
        "server-not-in-dial-plan",
        "hosted-voice-mail",
        "not-um-enabled",
        "sip-disabled",
        "not-sip-dial-plan",
    ] {
        assert!(found.contains(cause), "no {cause} in {found:?}");
    }
    // Grouped: one group per cause, counts adding up to the findings.
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), found.len());
    let total: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, doc["findings"].as_array().unwrap().len());
    let read = groups
        .iter()
        .find(|g| g["cause"] == "rtc-read-denied")
        .unwrap();
    assert_eq!(read["fix"], "umctl grant-permissions");
    let servers: Vec<_> = findings(&doc, "server-not-in-dial-plan")
        .iter()
        .map(|f| f["object"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(servers, ["EX-CAS02", "EX-MBX02"]);
    assert!(findings(&doc, "server-not-in-dial-plan")[0]["fix"]
        .as_str()
        .unwrap()
        .contains("Set-UMCallRouterSettings -Server EX-CAS02 -DialPlans @{Add=\"HQ-SIP\"}"));

    // The text summary: a table by cause with the fix, then the totals.
    let text = lab.run(&["doctor"]).expect_code(1).stdout;
    for s in [
        "cause",
        "count",
        "rtc-read-denied",
        "umctl grant-permissions",
        "Checked",
    ] {
        assert!(text.contains(s), "{s} missing:\n{text}");
    }
}

#[test]
fn a_finding_names_the_cause_and_fix_the_trace_of_that_object_names() {
    let lab = fixed_lab();
    let doc = doctor(&lab, 1);
    let users: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "user" && f["hop"].is_u64())
        .collect();
    assert!(users.len() >= 5, "{doc:#}");
    for f in users {
        let object = f["object"].as_str().unwrap();
        let trace = lab
            .run(&["trace-call", "--json", "--to", object])
            .expect_code(1)
            .json();
        let hop = trace["hops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["outcome"] == "failed")
            .unwrap();
        assert_eq!(hop["number"], f["hop"], "{object}");
        assert_eq!(hop["cause"], f["cause"], "{object}");
        assert_eq!(hop["why"], f["why"], "{object}");
        assert_eq!(hop["fix"], f["fix"], "{object}");
    }
}

#[test]
fn findings_shrink_after_grant_permissions_and_the_contacts() {
    let fresh = doctor(&TempLab::new(), 1);
    let lab = fixed_lab();
    let doc = doctor(&lab, 1);
    let after = causes(&doc);
    for gone in [
        "rtc-read-denied",
        "no-um-ip-gateway",
        "no-hunt-group",
        "ova-number-without-contact",
        "aa-number-without-contact",
    ] {
        assert!(!after.contains(gone), "{gone} still in {after:?}");
    }
    // What remains is what the lab breaks on purpose in its users and servers.
    for left in [
        "no-eum-address",
        "eum-in-other-dial-plan",
        "mailbox-server-unknown",
        "server-not-in-dial-plan",
        "sip-disabled",
    ] {
        assert!(after.contains(left), "no {left} in {after:?}");
    }
    assert!(
        doc["findings"].as_array().unwrap().len() < fresh["findings"].as_array().unwrap().len()
    );
}

/// The fixed lab with the deliberately broken users removed and every server in HQ-SIP.
pub(crate) fn clean_lab() -> TempLab {
    let lab = fixed_lab();
    let mut ldif = String::new();
    for cn in [
        "Dave Mansour",
        "Erin Khoury",
        "Frank Saleh",
        "Grace Odeh",
        "Heidi Qasem",
        "Karim Aziz",
        "Judy Chen",
    ] {
        ldif.push_str(&format!("dn: CN={cn},{USERS}\nchangetype: delete\n\n"));
    }
    for server in ["EX-CAS02", "EX-MBX02"] {
        ldif.push_str(&format!(
            "dn: CN={server},{SERVERS}\nchangetype: modify\nadd: msExchUMServerDialPlanLink\nmsExchUMServerDialPlanLink: CN=HQ-SIP,CN=UM DialPlan Container,{ORG}\n-\n\n"
        ));
    }
    lab.apply(&ldif).ok();
    lab
}

#[test]
fn clean_lab_exits_0_and_all_lists_every_object() {
    let lab = clean_lab();
    let doc = doctor(&lab, 0);
    assert_eq!(doc["broken"], false, "{doc:#}");
    assert_eq!(doc["findings"], serde_json::json!([]));
    let text = lab.run(&["doctor"]).ok().stdout;
    assert!(text.contains("Nothing is broken."), "{text}");
    let all = lab.run(&["doctor", "--all"]).ok().stdout;
    for object in [
        "bob@contoso.com",
        "LOC801",
        "EX-CAS01",
        "LOC801-AA",
        "sip:loc801-sa@contoso.com",
    ] {
        assert!(all.contains(object), "{object} missing:\n{all}");
    }
    let doc = lab.run(&["doctor", "--all", "--json"]).ok().json();
    let checked = doc["checked"].as_array().unwrap();
    assert!(checked.iter().all(|c| c["causes"] == serde_json::json!([])));
    assert!(checked.iter().any(|c| c["kind"] == "contact"));
}

// Issue 14 section 2: each failure kind on the lab, with its why and fix.

#[track_caller]
fn expect_kind(lab: &TempLab, cause: &str, object: &str, why: &str, fix: &str) {
    let doc = doctor(lab, 1);
    let all = findings(&doc, cause);
    let f = all
        .iter()
        .find(|f| f["object"].as_str().unwrap().contains(object))
        .unwrap_or_else(|| panic!("no {cause} on {object}: {doc:#}"));
    assert!(f["why"].as_str().unwrap().contains(why), "{f:#}");
    assert!(f["fix"].as_str().unwrap().contains(fix), "{f:#}");
}

#[test]
fn tcp_only_server_in_a_secured_dial_plan() {
    let lab = clean_lab();
    lab.apply(&format!(
        "dn: CN=EX-MBX01,{SERVERS}\nchangetype: modify\nreplace: msExchUMStartupMode\nmsExchUMStartupMode: 0\n-\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "startup-mode-mismatch",
        "EX-MBX01",
        "UMStartupMode is TCP",
        "-UMStartupMode Dual",
    );
}

#[test]
fn two_gateways_with_outcalls_for_one_pool_and_dial_plan() {
    let lab = clean_lab();
    lab.apply(&format!(
        "dn: CN=pool01-second,CN=UM IPGateway Container,{ORG}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMIPGateway\ncn: pool01-second\nmsExchUMIPGatewayAddress: pool01.contoso.com\nmsExchUMIPGatewayPort: 0\n\n\
         dn: CN=LOC801,CN=pool01-second,CN=UM IPGateway Container,{ORG}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMHuntGroup\ncn: LOC801\nmsExchUMHuntGroupDialPlanLink: CN=LOC801,CN=UM DialPlan Container,{ORG}\nmsExchUMPilotIdentifier: LOC801\n\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "several-outcall-gateways",
        "pool01-second",
        "2 UM IP gateways for pool01.contoso.com allow outcalls in dial plan LOC801",
        "Set-UMIPGateway -Identity \"pool01-second\" -OutcallsAllowed $false",
    );
}

#[test]
fn contact_on_a_pool_older_than_lync_2010() {
    let lab = clean_lab();
    let contacts = lab.run(&["contact", "list", "--json"]).ok().json();
    let dn = contacts
        .as_array()
        .or_else(|| contacts["contacts"].as_array())
        .unwrap()
        .iter()
        .find(|c| c["sip_address"] == "sip:loc801-sa@contoso.com")
        .map(|c| c["dn"].as_str().unwrap().to_string())
        .unwrap();
    lab.apply(&format!(
        "dn: {dn}\nchangetype: modify\nreplace: msRTCSIP-PrimaryHomeServer\nmsRTCSIP-PrimaryHomeServer: CN=lcs2005,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,{D}\n-\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "contact-pool-too-old",
        "sip:loc801-sa@contoso.com",
        "older than Lync Server 2010",
        "Move-CsExUmContact",
    );
}

#[test]
fn auto_attendant_with_spaces_and_a_number_two_objects_claim() {
    let lab = clean_lab();
    lab.apply(&format!(
        "dn: CN=Main Menu,CN=UM AutoAttendant Container,{ORG}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMAutoAttendant\ncn: Main Menu\nmsExchUMAutoAttendantDialPlanLink: CN=LOC801,CN=UM DialPlan Container,{ORG}\nmsExchUMAutoAttendantDialedNumbers: +96265515333\nmsExchUMAutoAttendantFlags: 0\n\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "auto-attendant-name-has-spaces",
        "Main Menu",
        "OcsUmUtil refuses",
        "New-UMAutoAttendant",
    );
    expect_kind(
        &lab,
        "number-claimed-twice",
        "+96265515333",
        "dial plan LOC801, auto attendant Main Menu",
        "-PilotIdentifierList @{Remove=\"+96265515333\"}",
    );
}

#[test]
fn eum_address_form_and_line_extension_that_do_not_fit() {
    let lab = clean_lab();
    lab.apply(&format!(
        "dn: CN=Bob Haddad,{USERS}\nchangetype: modify\ndelete: proxyAddresses\nproxyAddresses: eum:bob@contoso.com;phone-context=LOC801.contoso.com\n-\n\n\
         dn: CN=Carol Nasser,{USERS}\nchangetype: modify\nreplace: msRTCSIP-Line\nmsRTCSIP-Line: tel:+96265519033;ext=9033\n-\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "eum-form-mismatch",
        "bob@contoso.com",
        "no EUM address in SIP form",
        "Set-Mailbox -Identity bob@contoso.com -EmailAddresses @{Add=\"eum:bob@contoso.com;phone-context=LOC801.contoso.com\"}",
    );
    expect_kind(
        &lab,
        "line-eum-mismatch",
        "carol@contoso.com",
        "extension 9033 (msRTCSIP-Line) but the EUM extension is 9003",
        "Set-UMMailbox -Identity carol@contoso.com -Extensions 9033",
    );
}

#[test]
fn disabled_gateway_is_found_on_the_gateway_and_on_its_calls() {
    let lab = clean_lab();
    lab.apply(&format!(
        "dn: CN=1:1,CN=UM IPGateway Container,{ORG}\nchangetype: modify\nreplace: msExchUMIPGatewayStatus\nmsExchUMIPGatewayStatus: 1\n-\n"
    ))
    .ok();
    expect_kind(
        &lab,
        "um-ip-gateway-disabled",
        "1:1",
        "403 Forbidden",
        "Enable-UMIPGateway -Identity \"1:1\"",
    );
    expect_kind(
        &lab,
        "um-ip-gateway-disabled",
        "bob@contoso.com",
        "403",
        "Enable-UMIPGateway -Identity \"1:1\"",
    );
}

#[test]
fn doctor_reads_only() {
    let lab = TempLab::new();
    let before = lab.export();
    doctor(&lab, 1);
    lab.run(&["doctor", "--powershell"]).expect_code(1);
    assert_eq!(lab.export(), before);
}

/// The findings as (cause, kind, object), sorted.
fn shape(doc: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["cause"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn doctor_over_ldap_finds_what_it_finds_on_the_lab() {
    let Some(dc) =
        crate::samba_dc::SambaDc::start("doctor::doctor_over_ldap_finds_what_it_finds_on_the_lab")
    else {
        return;
    };
    let lab = TempLab::new();
    let on_lab = doctor(&lab, 1);
    let mut args: Vec<String> = vec!["doctor".into(), "--json".into()];
    args.extend(dc.admin_args());
    let run = lab.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let on_ad = run.expect_code(1).json();
    assert_eq!(shape(&on_ad), shape(&on_lab));
}
