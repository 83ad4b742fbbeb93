//! `umctl trace-call` on the lab forest: the fresh lab fails at the read-permission hop, the
//! granted lab reaches voice mail, and every classic failure (fixtures/lab/README.md) is
//! reproduced by editing the lab with `umctl lab apply` and checked by hop, why and fix.
//!
//! `grant` applies, as LDIF, exactly what grant-permissions plans on a fresh lab (the 8 ACEs,
//! the gateways and hunt groups of fixtures/lab/README.md).

use serde_json::Value;

use crate::support::{Run, TempLab};

const D: &str = "DC=contoso,DC=com";
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const SID: &str = "S-1-5-21-2718281828-3141592653-1414213562";
const INHERITED: &str = "(A;CIID;GA;;;EA)(A;CIID;GA;;;DA)(A;CIID;GA;;;SY)(A;CIID;GA;;;S-1-5-21-2718281828-3141592653-1414213562-1111)(A;CIID;LCRPLORC;;;S-1-5-21-2718281828-3141592653-1414213562-1112)";

fn pools() -> String {
    format!("CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,{D}")
}

/// The ACE grant-permissions adds for `rid` on a container.
fn lcrp(rid: u32) -> String {
    format!("(A;CI;LCRP;;;{SID}-{rid})")
}

/// The LDIF of the 8 ACEs, optionally leaving out RTCComponentUniversalServices (1102) on
/// the dial plan container.
fn aces_ldif(skip_1102_on_dial_plans: bool) -> String {
    let um_mgmt = format!("(A;CI;GA;;;{SID}-1113)");
    let org_sd = format!(
        "O:EAG:EAD:PAI(A;CI;GA;;;EA)(A;CI;GA;;;DA)(A;CI;GA;;;SY)(A;CI;GA;;;{SID}-1111)(A;CI;LCRPLORC;;;{SID}-1112)(A;;RPLCLORC;;;AU)(A;;LC;;;{SID}-1101)(A;;LC;;;{SID}-1102)"
    );
    let dial_plan_aces = if skip_1102_on_dial_plans {
        lcrp(1101)
    } else {
        format!("{}{}", lcrp(1101), lcrp(1102))
    };
    let container = |cn: &str, aces: &str| {
        format!(
            "dn: CN={cn},{ORG}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: O:EAG:EAD:AI{um_mgmt}{aces}{INHERITED}\n-\n\n"
        )
    };
    let both = format!("{}{}", lcrp(1101), lcrp(1102));
    format!(
        "dn: {ORG}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: {org_sd}\n-\n\n{}{}dn: CN=Administrative Groups,{ORG}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: O:EAG:EAD:AI{both}{INHERITED}\n-\n\n",
        container("UM DialPlan Container", &dial_plan_aces),
        container("UM AutoAttendant Container", &both),
    )
}

/// The gateways and hunt groups grant-permissions creates on a fresh lab.
fn gateways_ldif() -> String {
    let gw = format!("CN=UM IPGateway Container,{ORG}");
    let mut out = String::new();
    for (cn, fqdn, mwi, outcalls) in [
        ("1:1", "pool01.contoso.com", 1, "TRUE"),
        ("1:2", "pool02.contoso.com", 1, "TRUE"),
        ("1:3", "sba01.contoso.com", 0, "FALSE"),
    ] {
        out.push_str(&format!(
            "dn: CN={cn},{gw}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMIPGateway\ncn: {cn}\nmsExchUMIPGatewayAddress: {fqdn}\nmsExchUMIPGatewayPort: 0\nmsExchUMOutcallsAllowed: {outcalls}\nmsExchUMIPGatewayFlags2: {mwi}\nmsExchUMIPGatewayStatus: 0\n\n"
        ));
    }
    out.push_str(&format!(
        "dn: CN=OCS2007-GW,{gw}\nchangetype: modify\nreplace: msExchUMIPGatewayFlags2\nmsExchUMIPGatewayFlags2: 0\n-\n\ndn: CN=US-E164,CN=OCS2007-GW,{gw}\nchangetype: delete\n\n"
    ));
    for g in ["1:1", "1:2", "1:3", "OCS2007-GW"] {
        for dp in ["LOC801", "HQ-SIP"] {
            out.push_str(&format!(
                "dn: CN={dp},CN={g},{gw}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMHuntGroup\ncn: {dp}\nmsExchUMHuntGroupDialPlanLink: CN={dp},CN=UM DialPlan Container,{ORG}\nmsExchUMPilotIdentifier: {dp}\n\n"
            ));
        }
    }
    out
}

/// What `umctl grant-permissions` does to a fresh lab (8 ACEs, gateways, hunt groups).
/// What ExchUCUtil.ps1 does, by the real command.
fn grant(lab: &TempLab) {
    lab.run(&["grant-permissions", "--yes"]).ok();
}

/// Runs the fix a trace printed (`umctl ...`), exactly as written, on this lab.
fn run_fix(lab: &TempLab, fix: &str) {
    let rest = fix
        .strip_prefix("umctl ")
        .unwrap_or_else(|| panic!("not an umctl command: {fix}"));
    let script = format!(
        "'{}' --lab '{}' --yes {rest}",
        crate::support::umctl_bin(),
        lab.path().display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env_remove("UMCTL_FAULT")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the printed fix failed: {script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn granted_lab() -> TempLab {
    let lab = TempLab::new();
    grant(&lab);
    lab
}

/// A subscriber-access or auto-attendant contact as new-contact writes it (domain.md A.4).
fn contact_ldif(
    guid: &str,
    number: &str,
    kind: &str,
    source: &str,
    other_ip_phone: Option<&str>,
) -> String {
    let sip = format!("sip:{}@contoso.com", guid.trim_matches(['{', '}']));
    let mut out = format!(
        "dn: CN={guid},OU=ExUmContacts,{D}\nchangetype: add\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: contact\ncn: {guid}\ndisplayName: {kind} contact\nmsRTCSIP-PrimaryUserAddress: {sip}\nmsRTCSIP-Line: tel:{number}\ntelephoneNumber: {number}\nmsRTCSIP-PrimaryHomeServer: CN=1:1,{}\nmsRTCSIP-UserEnabled: TRUE\nmsRTCSIP-OptionFlags: 384\nmsRTCSIP-SourceObjectType: -1879048192\nmsDS-SourceObjectDN: {source}\n",
        pools()
    );
    if let Some(o) = other_ip_phone {
        out.push_str(&format!("otherIPPhone: {o}\n"));
    }
    out.push('\n');
    out
}

const OVA_GUID: &str = "{6f1b1c1e-0a0b-4c4d-8e8f-000000000001}";
const AA_GUID: &str = "{6f1b1c1e-0a0b-4c4d-8e8f-000000000002}";

fn ova_contact(lab: &TempLab, with_dial_plan: bool) {
    let sip = "6f1b1c1e-0a0b-4c4d-8e8f-000000000001@contoso.com";
    let oip = format!("SA:sip:{sip};phone-context=LOC801.contoso.com");
    lab.apply(&contact_ldif(
        OVA_GUID,
        "+96265515333",
        "SA",
        &format!("CN=LOC801,CN=UM DialPlan Container,{ORG}"),
        with_dial_plan.then_some(oip.as_str()),
    ))
    .ok();
}

fn aa_contact(lab: &TempLab, number: &str, aa: &str, ctx: &str) {
    let sip = "6f1b1c1e-0a0b-4c4d-8e8f-000000000002@contoso.com";
    let oip = format!("AA:sip:{sip};phone-context={ctx}");
    lab.apply(&contact_ldif(
        AA_GUID,
        number,
        "AA",
        &format!("CN={aa},CN=UM AutoAttendant Container,{ORG}"),
        Some(&oip),
    ))
    .ok();
}

/// Runs trace-call --json and returns the run and the document.
fn trace(lab: &TempLab, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["trace-call", "--json"];
    all.extend_from_slice(args);
    let run = lab.run(&all);
    let doc = run.json();
    (run, doc)
}

fn hop(doc: &Value, n: u64) -> &Value {
    doc["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["number"] == n)
        .unwrap_or_else(|| panic!("no hop {n} in {doc:#}"))
}

/// Asserts the trace failed first at `n`, with `why` and `fix` containing the given texts.
#[track_caller]
fn expect_failure(lab: &TempLab, args: &[&str], n: u64, why: &[&str], fix: &[&str]) -> Value {
    let (run, doc) = trace(lab, args);
    let run = run.expect_code(1);
    assert_eq!(doc["first_failure"], n, "{}", run.stdout);
    assert_eq!(doc["reached"], false);
    let h = hop(&doc, n);
    assert_eq!(h["outcome"], "failed", "{h:#}");
    let why_text = h["why"].as_str().unwrap_or_default();
    let fix_text = h["fix"].as_str().unwrap_or_default();
    for w in why {
        assert!(
            why_text.contains(w),
            "why of hop {n} lacks {w:?}: {why_text}"
        );
    }
    for f in fix {
        assert!(
            fix_text.contains(f),
            "fix of hop {n} lacks {f:?}: {fix_text}"
        );
    }
    for later in (n + 1)..=8 {
        assert_eq!(
            hop(&doc, later)["outcome"],
            "skipped",
            "hop {later} after the failure"
        );
    }
    doc
}

#[track_caller]
fn expect_success(lab: &TempLab, args: &[&str]) -> Value {
    let (run, doc) = trace(lab, args);
    let run = run.ok();
    assert_eq!(doc["reached"], true, "{}", run.stdout);
    assert!(doc["first_failure"].is_null());
    for h in doc["hops"].as_array().unwrap() {
        assert!(
            h["outcome"] == "ok" || h["outcome"] == "info",
            "hop {} is {}: {h:#}",
            h["number"],
            h["outcome"]
        );
    }
    doc
}

#[test]
fn fresh_lab_fails_at_read_permission_and_names_grant_permissions() {
    let lab = TempLab::new();
    let doc = expect_failure(
        &lab,
        &["--to", "bob", "--from", "alice"],
        4,
        &[
            "RTCUniversalServerAdmins",
            "UM DialPlan Container",
            "ExchUCUtil",
            "15030",
        ],
        &["umctl grant-permissions"],
    );
    assert_eq!(doc["goal"], "voice mail for Bob Haddad");
    // The human table says the same.
    let run = lab.run(&["trace-call", "--to", "bob"]).expect_code(1);
    assert!(run.stdout.contains("FAILED at hop 4"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Fix: umctl grant-permissions"),
        "{}",
        run.stdout
    );
    // Running the fix the trace names makes the same call reach voice mail.
    run_fix(&lab, hop(&doc, 4)["fix"].as_str().unwrap());
    let doc = expect_success(&lab, &["--to", "bob", "--from", "alice"]);
    assert_eq!(doc["reached"], true);
}

#[test]
fn after_the_grant_the_call_reaches_bobs_voice_mail_end_to_end() {
    let lab = granted_lab();
    let doc = expect_success(&lab, &["--to", "bob", "--from", "alice"]);
    assert!(hop(&doc, 5)["result"]
        .as_str()
        .unwrap()
        .contains("INVITE to EX-CAS01 (ex-cas01.contoso.com:5061, TLS)"));
    let firsts: Vec<&str> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["first_line"].as_str().unwrap())
        .collect();
    assert_eq!(
        firsts,
        vec![
            "INVITE sip:LOC801@ex-cas01.contoso.com:5061;transport=TLS SIP/2.0",
            "SIP/2.0 302 Moved Temporarily",
            "INVITE sip:LOC801@ex-mbx02.contoso.com:5063;transport=TLS SIP/2.0",
            "SIP/2.0 302 Moved Temporarily",
            "INVITE sip:LOC801@ex-mbx02.contoso.com:5066;transport=TLS SIP/2.0",
            "SIP/2.0 200 OK",
        ]
    );
    let invite = doc["messages"][0]["text"].as_str().unwrap();
    assert!(
        invite.contains("Diversion: \"Bob Haddad\" <sip:bob@contoso.com>;reason=no-answer"),
        "{invite}"
    );
    assert!(
        invite.contains("From: \"Alice Adams\" <sip:alice@contoso.com>"),
        "{invite}"
    );
    assert!(doc["messages"][1]["text"]
        .as_str()
        .unwrap()
        .contains("Contact: <sip:LOC801@ex-mbx02.contoso.com:5063;transport=TLS>"));
    let h7 = hop(&doc, 7)["result"].as_str().unwrap();
    assert!(
        h7.contains("mailbox on EX-MBX02") && h7.contains("custom greeting"),
        "{h7}"
    );
    let h8 = hop(&doc, 8);
    assert!(h8["result"]
        .as_str()
        .unwrap()
        .contains("submits it over SMTP"));
    assert!(h8["looked_up"]
        .to_string()
        .contains("IPM.Note.Microsoft.Voicemail.UM.CA"));
}

#[test]
fn greetings_follow_the_mailbox_folder() {
    let lab = granted_lab();
    let alice = expect_success(&lab, &["--to", "sip:alice@contoso.com"]);
    assert!(hop(&alice, 7)["result"]
        .as_str()
        .unwrap()
        .contains("recorded name"));
    assert!(hop(&alice, 6)["looked_up"]
        .to_string()
        .contains("ex-mbx01.contoso.com"));
    let carol = expect_success(&lab, &["--to", "+96265519003", "--scenario", "busy"]);
    assert!(hop(&carol, 7)["result"]
        .as_str()
        .unwrap()
        .contains("text-to-speech"));
    assert!(carol["messages"][0]["text"]
        .as_str()
        .unwrap()
        .contains("reason=user-busy"));
    assert_eq!(carol["parties"][0], "sba01.contoso.com");
}

#[test]
fn extension_and_missed_call_and_message_length() {
    let lab = granted_lab();
    let doc = expect_success(&lab, &["--to", "9000", "--hang-up-before-beep"]);
    assert!(hop(&doc, 8)["result"]
        .as_str()
        .unwrap()
        .contains("missed-call notification"));
    let wav = lab.path().join("mailboxes/bob/greeting.wav");
    let doc = expect_success(&lab, &["--to", "bob", "--wave-file", wav.to_str().unwrap()]);
    assert!(
        hop(&doc, 8)["looked_up"]
            .to_string()
            .contains("message: 4 s"),
        "{doc:#}"
    );
    let doc = expect_success(&lab, &["--to", "bob", "--message-seconds", "1500"]);
    assert!(hop(&doc, 8)["looked_up"]
        .to_string()
        .contains("MaxRecordingDuration (1200 s)"));
}

#[test]
fn ova_number_without_contact_then_with_one() {
    let lab = granted_lab();
    let doc = expect_failure(
        &lab,
        &["--to", "+96265515333"],
        1,
        &[
            "Outlook Voice Access number of dial plan LOC801",
            "msRTCSIP-Line",
        ],
        &[
            "umctl new-contact --dial-plan LOC801 --display-number +96265515333",
            "--registrar-pool pool01.contoso.com",
            // No Exchange UM contact exists yet: no OU to learn, a placeholder to fill in.
            "--ou \"<OU for Exchange UM contacts>\"",
        ],
    );
    assert!(!hop(&doc, 1)["fix"]
        .as_str()
        .unwrap()
        .contains("OU=ExUmContacts"));
    assert_eq!(doc["goal"], "Outlook Voice Access of dial plan LOC801");
    // The fix the trace prints is a real new-contact command line: run it with the OU filled in.
    let fix = hop(&doc, 1)["fix"].as_str().unwrap().replace(
        "<OU for Exchange UM contacts>",
        "OU=ExUmContacts,DC=contoso,DC=com",
    );
    run_fix(&lab, &fix);
    // Now a contact lives in OU=ExUmContacts: the fix for the auto attendant's number names it.
    expect_failure(
        &lab,
        &["--to", "+96265515444"],
        1,
        &["number of auto attendant LOC801-AA"],
        &["--ou \"OU=ExUmContacts,DC=contoso,DC=com\""],
    );
    let doc = expect_success(&lab, &["--to", "+96265515333", "--digits", "9000#"]);
    assert_eq!(doc["goal"], "Outlook Voice Access of dial plan LOC801");
    assert!(hop(&doc, 7)["result"]
        .as_str()
        .unwrap()
        .contains("Outlook Voice Access of LOC801 answers"));
    assert!(hop(&doc, 8)["looked_up"]
        .to_string()
        .contains("extension 9000: mailbox of Bob Haddad"));
    let invite = doc["messages"][0]["text"].as_str().unwrap();
    assert!(
        invite.starts_with("INVITE sip:+96265515333@ex-cas01.contoso.com:5061"),
        "{invite}"
    );
    assert!(
        !invite.contains("Diversion"),
        "OVA calls carry no diversion: {invite}"
    );
}

#[test]
fn contact_without_the_dial_plan() {
    let lab = granted_lab();
    ova_contact(&lab, false);
    expect_failure(
        &lab,
        &["--to", "+96265515333"],
        3,
        &["no UM dial plan in otherIPPhone"],
        &["Set-ADObject", "otherIPPhone='SA:sip:6f1b1c1e-0a0b-4c4d-8e8f-000000000001@contoso.com;phone-context=LOC801.contoso.com'"],
    );
}

#[test]
fn auto_attendant_pilot_before_and_after_its_contact() {
    let lab = granted_lab();
    expect_failure(
        &lab,
        &["--to", "+96265515444"],
        1,
        &["number of auto attendant LOC801-AA"],
        &["umctl new-contact --auto-attendant LOC801-AA --display-number +96265515444"],
    );
    aa_contact(&lab, "+96265515444", "LOC801-AA", "LOC801.contoso.com");
    let doc = expect_success(&lab, &["--to", "+96265515444", "--digits", "1"]);
    assert_eq!(doc["goal"], "auto attendant LOC801-AA");
    let h7 = hop(&doc, 7);
    assert!(h7["result"]
        .as_str()
        .unwrap()
        .contains("auto attendant LOC801-AA answers"));
    assert!(h7["looked_up"].to_string().contains("key 1: Sales (9001)"));
    assert!(hop(&doc, 8)["looked_up"]
        .to_string()
        .contains("1: transfer to Sales (9001)"));
    // The auto attendant by name is its pilot number.
    expect_success(&lab, &["--to", "LOC801-AA"]);
}

#[test]
fn disabled_auto_attendant_is_named() {
    let lab = granted_lab();
    aa_contact(&lab, "+14255550111", "HQ-AA", "HQ-SIP.contoso.com");
    let doc = expect_failure(
        &lab,
        &["--to", "+14255550111"],
        7,
        &["auto attendant HQ-AA is disabled"],
        &["Enable-UMAutoAttendant -Identity HQ-AA"],
    );
    assert_eq!(hop(&doc, 6)["outcome"], "info");
    assert!(hop(&doc, 6)["result"].as_str().unwrap().contains("480"));
}

#[test]
fn hosted_voice_mail_says_where_it_goes_and_stops() {
    let lab = granted_lab();
    let doc = expect_failure(
        &lab,
        &["--to", "dave"],
        2,
        &[
            "hosted voice mail",
            "CsHostedVoiceMail=1",
            "Exchange Online",
        ],
        &["Set-CsUser -Identity dave@contoso.com -HostedVoiceMail $false"],
    );
    assert!(hop(&doc, 2)["result"]
        .as_str()
        .unwrap()
        .contains("would go to hosted voice mail"));
}

#[test]
fn not_um_enabled() {
    expect_failure(
        &granted_lab(),
        &["--to", "erin"],
        3,
        &["not enabled for Unified Messaging", "830"],
        &["Enable-UMMailbox -Identity erin@contoso.com -UMMailboxPolicy \"LOC801 Default Policy\" -Extensions 9005"],
    );
}

#[test]
fn missing_rtc_read_ace() {
    let lab = TempLab::new();
    lab.apply(&format!("{}{}", aces_ldif(true), gateways_ldif()))
        .ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        4,
        &["RTCComponentUniversalServices may not read UM DialPlan Container"],
        &["umctl grant-permissions"],
    );
}

#[test]
fn no_gateway_for_the_pool() {
    let lab = TempLab::new();
    lab.apply(&aces_ldif(false)).ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["pool01.contoso.com is not a UM IP gateway", "403 Forbidden"],
        &["umctl grant-permissions", "New-UMIPGateway"],
    );
}

#[test]
fn no_hunt_group_for_the_dial_plan() {
    let lab = granted_lab();
    lab.apply(&format!(
        "dn: CN=LOC801,CN=1:1,CN=UM IPGateway Container,{ORG}\nchangetype: delete\n\n"
    ))
    .ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["UM IP gateway 1:1 has no hunt group for dial plan LOC801"],
        &[
            "umctl grant-permissions",
            "New-UMHuntGroup -Name LOC801 -PilotIdentifier LOC801",
        ],
    );
}

#[test]
fn dial_plan_not_sip() {
    let lab = granted_lab();
    expect_failure(
        &lab,
        &["--to", "judy"],
        3,
        &["US-E164", "E164", "SIP URI dial plans"],
        &[
            "Disable-UMMailbox -Identity judy@contoso.com",
            "\"HQ-SIP Default Policy\" -Extensions",
        ],
    );
    lab.apply(&format!(
        "dn: CN=LOC801,CN=UM DialPlan Container,{ORG}\nchangetype: modify\nreplace: msExchUMDialPlanURIType\nmsExchUMDialPlanURIType: 0\n-\n"
    ))
    .ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        3,
        &["dial plan LOC801", "TelExtn"],
        &["SIP URI dial plan"],
    );
}

#[test]
fn no_um_server_linked_to_the_dial_plan() {
    let lab = granted_lab();
    let servers = format!("CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}");
    let mut ldif = String::new();
    for s in ["EX-CAS01", "EX-CAS02", "EX-MBX01", "EX-MBX02"] {
        ldif.push_str(&format!(
            "dn: CN={s},{servers}\nchangetype: modify\ndelete: msExchUMServerDialPlanLink\nmsExchUMServerDialPlanLink: CN=LOC801,CN=UM DialPlan Container,{ORG}\n-\n\n"
        ));
    }
    lab.apply(&ldif).ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["no Exchange server is linked to dial plan LOC801"],
        &[
            "Set-UMCallRouterSettings -Server EX-CAS01 -DialPlans @{Add=\"LOC801\"}",
            "Set-UMService -Identity EX-MBX01",
        ],
    );
}

#[test]
fn eum_missing() {
    expect_failure(
        &granted_lab(),
        &["--to", "frank"],
        7,
        &["eum:frank@contoso.com;phone-context=LOC801.contoso.com", "Event 1109"],
        &["Set-Mailbox -Identity frank@contoso.com -EmailAddresses @{Add=\"eum:9006;phone-context=LOC801.contoso.com\",\"eum:frank@contoso.com;phone-context=LOC801.contoso.com\"}"],
    );
}

#[test]
fn eum_in_the_wrong_dial_plan() {
    let doc = expect_failure(
        &granted_lab(),
        &["--to", "grace"],
        7,
        &[
            "in dial plan HQ-SIP",
            "msExchUMRecipientDialPlanLink says LOC801",
        ],
        &[
            "Remove=\"eum:9007;phone-context=HQ-SIP.contoso.com\"",
            "Add=\"eum:9007;phone-context=LOC801.contoso.com\"",
        ],
    );
    assert_eq!(hop(&doc, 6)["outcome"], "info");
    assert!(hop(&doc, 3)["result"]
        .as_str()
        .unwrap()
        .contains("msExchUMRecipientDialPlanLink says LOC801"));
}

#[test]
fn mailbox_server_unknown() {
    expect_failure(
        &granted_lab(),
        &["--to", "heidi"],
        7,
        &["EX2010-MBX", "no Exchange mailbox server"],
        &["New-MoveRequest -Identity heidi@contoso.com"],
    );
}

#[test]
fn security_mismatch() {
    let lab = granted_lab();
    lab.apply(&format!(
        "dn: CN=LOC801,CN=UM DialPlan Container,{ORG}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n"
    ))
    .ok();
    expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["Incompatible security setting", "488"],
        &["Set-UMDialPlan -Identity LOC801 -VoIPSecurity Secured"],
    );
}

#[test]
fn skype_disabled_and_pbx_only_users_stop_at_the_first_hop() {
    let lab = granted_lab();
    expect_failure(
        &lab,
        &["--to", "karim"],
        1,
        &["msRTCSIP-UserEnabled FALSE"],
        &["Set-CsUser -Identity karim@contoso.com -Enabled $true"],
    );
    expect_failure(
        &lab,
        &["--to", "ivan"],
        1,
        &["not enabled for Skype for Business"],
        &["Enable-CsUser -Identity ivan@contoso.com"],
    );
    // A target nothing matches is bad input (exit 2): messages.rs.
}

#[test]
fn json_document_has_every_hop() {
    let lab = granted_lab();
    let (_, doc) = trace(&lab, &["--to", "bob"]);
    for key in [
        "mode",
        "target",
        "caller",
        "scenario",
        "goal",
        "reached",
        "first_failure",
        "hops",
        "parties",
        "messages",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}: {doc:#}");
    }
    assert_eq!(doc["mode"], "offline");
    assert_eq!(doc["scenario"], "no-answer");
    let hops = doc["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 8);
    let components: Vec<&str> = hops
        .iter()
        .map(|h| h["component"].as_str().unwrap())
        .collect();
    assert_eq!(
        components,
        vec![
            "skype_front_end",
            "skype_front_end",
            "active_directory",
            "active_directory",
            "skype_front_end",
            "cas_call_router",
            "um_worker",
            "transport"
        ]
    );
    for (i, h) in hops.iter().enumerate() {
        assert_eq!(h["number"], i as u64 + 1);
        for key in ["action", "looked_up", "result", "outcome", "why", "fix"] {
            assert!(h.get(key).is_some(), "hop {} lacks {key}", i + 1);
        }
    }
    assert_eq!(doc["messages"].as_array().unwrap().len(), 6);
    assert_eq!(doc["messages"][0]["from"], "skype_front_end");
    assert_eq!(doc["messages"][0]["to"], "call_router");
}

#[test]
fn ladder_draws_four_columns_and_the_redirects() {
    let lab = granted_lab();
    let run = lab.run(&["trace-call", "--to", "bob", "--ladder"]).ok();
    let out = &run.stdout;
    for column in ["Skype FE", "CAS call router", "UM service", "UM worker"] {
        assert!(out.lines().next().unwrap().contains(column), "{out}");
    }
    assert!(
        out.contains("pool01.contoso.com") && out.contains("ex-cas01.contoso.com:5061"),
        "{out}"
    );
    assert!(
        out.contains("ex-mbx02.contoso.com:5063") && out.contains("ex-mbx02.contoso.com:5066"),
        "{out}"
    );
    assert_eq!(
        out.matches("SIP/2.0 302 Moved Temporarily").count(),
        2,
        "{out}"
    );
    assert!(out.contains("SIP/2.0 200 OK"), "{out}");
    assert!(
        out.contains("INVITE sip:LOC801@ex-cas01.contoso.com:5061;transport=TLS SIP/2.0"),
        "{out}"
    );
    assert!(out.contains("------>|"), "an arrow to the right: {out}");
    assert!(out.contains("|<------"), "an arrow to the left: {out}");
    assert!(
        out.contains("OK: the call reaches voice mail for Bob Haddad"),
        "{out}"
    );
    // On a fresh lab the ladder is empty and the verdict names the fix.
    let fresh = TempLab::new();
    let run = fresh
        .run(&["trace-call", "--to", "bob", "--ladder"])
        .expect_code(1);
    assert!(run.stdout.contains("no SIP messages"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Fix: umctl grant-permissions"),
        "{}",
        run.stdout
    );
}

#[test]
fn live_only_options_and_bad_input_are_refused_with_exit_2() {
    let lab = TempLab::new();
    for (args, says) in [
        (
            vec!["trace-call", "--to", "bob", "--pcap", "x.pcap"],
            "--live",
        ),
        (
            vec!["trace-call", "--to", "bob", "--serve", "127.0.0.1:5060"],
            "--live",
        ),
        (
            vec!["trace-call", "--to", "bob", "--live", "--serve", "nowhere"],
            "--serve 'nowhere': expected HOST:PORT",
        ),
        (
            vec![
                "trace-call",
                "--to",
                "bob",
                "--live",
                "--ldap",
                "ldap://127.0.0.1:1",
            ],
            "--live places the call from the lab's loopback addresses",
        ),
    ] {
        let run = lab.run(&args).expect_code(2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let run = lab
        .run(&["trace-call", "--to", "bob", "--digits", "12a"])
        .expect_code(2);
    assert!(
        run.stderr.contains("--digits '12a': expected DTMF keys"),
        "{}",
        run.stderr
    );
    let run = lab.run(&["trace-call", "--to", "a b"]).expect_code(2);
    assert!(
        run.stderr.contains("'a b' is not a call target"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&["trace-call", "--to", "bob", "--from", "nobody"])
        .expect_code(2);
    assert!(run.stderr.contains("--from 'nobody'"), "{}", run.stderr);
    let run = lab
        .run(&[
            "trace-call",
            "--to",
            "bob",
            "--wave-file",
            "/nonexistent.wav",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("--wave-file /nonexistent.wav"),
        "{}",
        run.stderr
    );
}

// Issue 15 item 10: fixes that name the real cause.

#[test]
fn two_users_sharing_a_sip_address_is_named_as_such() {
    let lab = granted_lab();
    lab.apply(&format!(
        "dn: CN=Karim Aziz,OU=Contoso Users,{D}\nchangetype: modify\nreplace: msRTCSIP-PrimaryUserAddress\nmsRTCSIP-PrimaryUserAddress: sip:bob@contoso.com\n-\n"
    ))
    .ok();
    let doc = expect_failure(
        &lab,
        &["--to", "sip:bob@contoso.com"],
        1,
        &["more than one object", "Bob Haddad", "Karim Aziz"],
        &["-SipAddress"],
    );
    let h = hop(&doc, 1);
    assert_eq!(h["cause"], "shared-address");
    assert!(!h["fix"].as_str().unwrap().contains("give the SIP address"));
}

#[test]
fn forced_contact_on_a_number_that_is_no_pilot_is_not_sent_to_grant_permissions() {
    let lab = granted_lab();
    lab.run(&[
        "new-contact",
        "--dial-plan",
        "LOC801",
        "--display-number",
        "+96265515999",
        "--sip-address",
        "sip:loc801-forced@contoso.com",
        "--registrar-pool",
        "pool01.contoso.com",
        "--ou",
        "OU=ExUmContacts,DC=contoso,DC=com",
        "--force",
        "--yes",
    ])
    .ok();
    lab.run(&["grant-permissions", "--verify"]).ok();
    let doc = expect_failure(
        &lab,
        &["--to", "+96265515999"],
        5,
        &["+96265515999 is no Outlook Voice Access number"],
        &["-PilotIdentifierList", "umctl contact remove +96265515999"],
    );
    let h = hop(&doc, 5);
    assert_eq!(h["cause"], "contact-number-not-a-pilot");
    assert!(!h["fix"].as_str().unwrap().contains("grant-permissions"));
}

// Issue 14 section 2: the failure kinds that concern one call.

#[test]
fn disabled_gateway_is_named_with_its_name() {
    let lab = granted_lab();
    lab.apply(&format!(
        "dn: CN=1:1,CN=UM IPGateway Container,{ORG}\nchangetype: modify\nreplace: msExchUMIPGatewayStatus\nmsExchUMIPGatewayStatus: 1\n-\n"
    ))
    .ok();
    let doc = expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["403", "serve answers 403"],
        &["Enable-UMIPGateway -Identity \"1:1\""],
    );
    assert_eq!(hop(&doc, 5)["cause"], "um-ip-gateway-disabled");
}

#[test]
fn tcp_only_call_router_fails_a_secured_dial_plan() {
    let lab = granted_lab();
    lab.apply(&format!(
        "dn: CN=EX-CAS01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}\nchangetype: modify\nreplace: msExchUMStartupMode\nmsExchUMStartupMode: 0\n-\n"
    ))
    .ok();
    let doc = expect_failure(
        &lab,
        &["--to", "bob"],
        5,
        &["UMStartupMode is TCP", "Secured"],
        &["Set-UMCallRouterSettings -Server EX-CAS01 -UMStartupMode Dual"],
    );
    assert_eq!(hop(&doc, 5)["cause"], "startup-mode-mismatch");
    // Dual accepts TLS: the call goes through.
    lab.apply(&format!(
        "dn: CN=EX-CAS01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}\nchangetype: modify\nreplace: msExchUMStartupMode\nmsExchUMStartupMode: 2\n-\n"
    ))
    .ok();
    expect_success(&lab, &["--to", "bob"]);
}

#[test]
fn contact_homed_on_a_pool_older_than_lync_2010() {
    let lab = granted_lab();
    ova_contact(&lab, true);
    lab.apply(&format!(
        "dn: CN={OVA_GUID},OU=ExUmContacts,{D}\nchangetype: modify\nreplace: msRTCSIP-PrimaryHomeServer\nmsRTCSIP-PrimaryHomeServer: CN=ocs2007,{}\n-\n",
        pools()
    ))
    .ok();
    let doc = expect_failure(
        &lab,
        &["--to", "+96265515333"],
        1,
        &["older than Lync Server 2010"],
        &["Move-CsExUmContact", "-Target pool01.contoso.com"],
    );
    assert_eq!(hop(&doc, 1)["cause"], "contact-pool-too-old");
}
