//! `umctl grant-permissions` on the lab forest: the plan fixtures/lab/README.md describes, the
//! apply, `--verify` before and after, idempotence, `--dry-run` (and its LDIF through
//! `umctl lab apply`), an injected mid-apply failure, and bad input. Every check goes through
//! the command line and `lab show`/`lab search`/`lab export`, so the same assertions can run
//! against Samba through `--ldap`.

use serde_json::Value;

use crate::support::{Run, TempLab};

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const SID: &str = "S-1-5-21-2718281828-3141592653-1414213562";

fn gw_dn(name: &str) -> String {
    format!("CN={name},CN=UM IPGateway Container,{ORG}")
}

fn grant(lab: &TempLab, args: &[&str]) -> Run {
    let mut all = vec!["grant-permissions"];
    all.extend_from_slice(args);
    lab.run(&all)
}

/// `(change, name)` of every planned item.
fn items(doc: &Value) -> Vec<(String, String)> {
    doc["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["change"].as_str().unwrap().to_string(),
                i["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn item<'a>(doc: &'a Value, change: &str, name: &str) -> &'a Value {
    doc["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["change"] == change && i["name"] == name)
        .unwrap_or_else(|| panic!("no {change} {name} in {:#?}", items(doc)))
}

/// One attribute's values of one object, through `lab show --json`.
fn attr(lab: &TempLab, dn: &str, name: &str) -> Vec<String> {
    let doc = lab.run(&["lab", "show", dn, "--json"]).ok().json();
    doc["attributes"][name]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn hunt_groups(lab: &TempLab) -> Vec<String> {
    let doc = lab
        .run(&[
            "lab",
            "search",
            "(objectClass=msExchUMHuntGroup)",
            "cn",
            "--json",
        ])
        .ok()
        .json();
    let mut dns: Vec<String> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["dn"].as_str().unwrap().to_string())
        .collect();
    dns.sort();
    dns
}

#[test]
fn first_run_plans_exactly_what_the_lab_readme_says() {
    let lab = TempLab::new();
    let doc = grant(&lab, &["--dry-run", "--json"]).ok().json();
    assert_eq!(doc["mode"], "dry_run");
    assert_eq!(doc["changed"], false);
    assert_eq!(
        doc["summary"],
        serde_json::json!({
            "aces_added": 8,
            "gateways_created": 3,
            "gateways_updated": 1,
            "hunt_groups_created": 8,
            "hunt_groups_deleted": 1
        })
    );
    // 2 groups x 4 objects, with the SDDL the contract gives.
    for (rid, group) in [
        (1101, "RTCUniversalServerAdmins"),
        (1102, "RTCComponentUniversalServices"),
    ] {
        let aces: Vec<&Value> = doc["plan"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["change"] == "add_ace" && i["group"] == group)
            .collect();
        let names: Vec<&str> = aces.iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "Contoso",
                "UM DialPlan Container",
                "UM AutoAttendant Container",
                "Administrative Groups"
            ]
        );
        assert_eq!(aces[0]["ace"], format!("(A;;LC;;;{SID}-{rid})"));
        assert_eq!(aces[0]["object"], ORG);
        for a in &aces[1..] {
            assert_eq!(a["ace"], format!("(A;CI;LCRP;;;{SID}-{rid})"));
        }
    }
    // Gateways: created for the three Lync+ pools, the OCS 2007 one reused with MWI off.
    for (name, mwi, outcalls) in [
        ("1:1", true, true),
        ("1:2", true, true),
        ("1:3", false, false),
    ] {
        let g = item(&doc, "create_gateway", name);
        assert_eq!(g["object"], gw_dn(name));
        assert_eq!(g["message_waiting_indicator_allowed"], mwi, "{name}");
        assert_eq!(g["outcalls_allowed"], outcalls, "{name}");
    }
    let ocs = item(&doc, "update_gateway", "OCS2007-GW");
    assert_eq!(ocs["address"], "OCS2007.contoso.com");
    assert_eq!(ocs["was_message_waiting_indicator_allowed"], true);
    assert_eq!(ocs["message_waiting_indicator_allowed"], false);
    assert_eq!(ocs["outcalls_allowed"], true);
    assert!(!items(&doc)
        .iter()
        .any(|(c, n)| c == "create_gateway" && n == "ocs2007"));
    // Hunt groups: LOC801 and HQ-SIP on each of the four, the stale US-E164 one deleted.
    for gw in ["1:1", "1:2", "1:3", "OCS2007-GW"] {
        for dp in ["LOC801", "HQ-SIP"] {
            let h = item(&doc, "create_hunt_group", &format!("{gw}\\{dp}"));
            assert_eq!(h["pilot_identifier"], dp);
            assert_eq!(h["object"], format!("CN={dp},{}", gw_dn(gw)));
        }
    }
    let stale = item(&doc, "delete_hunt_group", "OCS2007-GW\\US-E164");
    assert!(stale["reason"]
        .as_str()
        .unwrap()
        .contains("not a SIP URI dial plan"));
    // Skipped and untouched.
    let pools = doc["plan"]["pools"].as_array().unwrap();
    let skipped = |cn: &str| {
        pools.iter().find(|p| p["pool"] == cn).unwrap()["skipped"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(skipped("lcs2005").contains("older than OCS 2007"));
    assert!(skipped("1:4").contains("dNSHostName"));
    assert!(skipped("1:1").is_empty());
    let text = doc["plan"]["items"].to_string();
    for untouched in ["PBX", "lcs2005", "-1103", "-1104", "1:4"] {
        assert!(!text.contains(untouched), "{untouched} must not be touched");
    }
}

#[test]
fn apply_writes_the_plan_and_a_second_run_plans_nothing() {
    let lab = TempLab::new();
    let pbx_before = lab
        .run(&["lab", "show", &gw_dn("PBX-Gateway"), "--json"])
        .ok()
        .stdout;
    let applied = grant(&lab, &["--yes", "--json"]).ok().json();
    assert_eq!(applied["mode"], "apply");
    assert_eq!(applied["changed"], true);
    assert_eq!(applied["summary"]["aces_added"], 8);

    // The ACEs are in the descriptors, with the organization's DACL still protected.
    let org_sd = attr(&lab, ORG, "nTSecurityDescriptor").join("");
    assert!(
        org_sd.contains(&format!("(A;;LC;;;{SID}-1101)")),
        "{org_sd}"
    );
    assert!(
        org_sd.contains(&format!("(A;;LC;;;{SID}-1102)")),
        "{org_sd}"
    );
    assert!(org_sd.starts_with("O:EAG:EAD:PAI"), "{org_sd}");
    for container in [
        "UM DialPlan Container",
        "UM AutoAttendant Container",
        "Administrative Groups",
    ] {
        let sd = attr(
            &lab,
            &format!("CN={container},{ORG}"),
            "nTSecurityDescriptor",
        )
        .join("");
        for rid in [1101, 1102] {
            assert!(
                sd.contains(&format!("(A;CI;LCRP;;;{SID}-{rid})")),
                "{container}: {sd}"
            );
        }
        assert!(!sd.contains("-1103") && !sd.contains("-1104"), "{sd}");
    }
    // The branch registrar: MWI off (flags2 bit 1 clear) and outcalls off.
    assert_eq!(
        attr(&lab, &gw_dn("1:3"), "msExchUMOutcallsAllowed"),
        ["FALSE"]
    );
    assert_eq!(attr(&lab, &gw_dn("1:3"), "msExchUMIPGatewayFlags2"), ["0"]);
    assert_eq!(
        attr(&lab, &gw_dn("1:3"), "msExchUMIPGatewayAddress"),
        ["sba01.contoso.com"]
    );
    assert_eq!(
        attr(&lab, &gw_dn("1:1"), "msExchUMOutcallsAllowed"),
        ["TRUE"]
    );
    assert_eq!(attr(&lab, &gw_dn("1:1"), "msExchUMIPGatewayFlags2"), ["1"]);
    assert_eq!(
        attr(&lab, &gw_dn("OCS2007-GW"), "msExchUMIPGatewayFlags2"),
        ["0"]
    );
    // No gateway named after the OCS pool, none for LCS 2005.
    lab.run(&["lab", "show", &gw_dn("ocs2007")]).expect_code(2);
    lab.run(&["lab", "show", &gw_dn("lcs2005")]).expect_code(2);
    // Hunt groups: 8 new, US-E164 gone, PBX-EXT still there; the PBX gateway untouched.
    let hgs = hunt_groups(&lab);
    assert_eq!(hgs.len(), 9, "{hgs:#?}");
    assert!(hgs
        .iter()
        .any(|d| d.starts_with("CN=PBX-EXT,CN=PBX-Gateway")));
    assert!(!hgs.iter().any(|d| d.starts_with("CN=US-E164")));
    assert_eq!(
        attr(
            &lab,
            &format!("CN=HQ-SIP,{}", gw_dn("1:3")),
            "msExchUMPilotIdentifier"
        ),
        ["HQ-SIP"]
    );
    assert_eq!(
        lab.run(&["lab", "show", &gw_dn("PBX-Gateway"), "--json"])
            .ok()
            .stdout,
        pbx_before
    );

    // A second run plans nothing and changes nothing.
    let forest = lab.export();
    let again = grant(&lab, &["--dry-run", "--json"]).ok().json();
    assert!(items(&again).is_empty(), "{:#?}", items(&again));
    let run = grant(&lab, &["--yes"]).ok();
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
    let json = grant(&lab, &["--json"]).ok().json();
    assert_eq!(json["changed"], false);
    assert_eq!(lab.export(), forest);
}

#[test]
fn verify_exits_1_before_and_0_after() {
    let lab = TempLab::new();
    let before = grant(&lab, &["--verify"]).expect_code(1);
    for header in [
        "ObjectName",
        "AccessRights",
        "Configured",
        "PoolFqdn",
        "UMIPGateway",
        "DialPlans",
    ] {
        assert!(
            before.stdout.contains(header),
            "{header}: {}",
            before.stdout
        );
    }
    assert!(before
        .stdout
        .contains("Using Global Catalog: GC://DC=contoso,DC=com"));
    assert!(before.stdout.contains("(not found)"));
    assert!(before.stdout.contains("ReadProperty, ListChildren"));
    let doc = grant(&lab, &["--verify", "--json"]).expect_code(1).json();
    assert_eq!(doc["complete"], false);
    assert_eq!(doc["missing"].as_array().unwrap().len(), 21);
    let perms = doc["permissions"].as_array().unwrap();
    assert_eq!(perms.len(), 2);
    assert_eq!(
        perms[0]["identity"],
        "contoso.com\\RTCUniversalServerAdmins"
    );
    assert!(perms.iter().all(|g| g["objects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["configured"] == false)));
    let rows = doc["gateways"].as_array().unwrap();
    let fqdns: Vec<&str> = rows
        .iter()
        .map(|r| r["pool_fqdn"].as_str().unwrap())
        .collect();
    assert_eq!(
        fqdns,
        [
            "pool01.contoso.com",
            "pool02.contoso.com",
            "sba01.contoso.com",
            "ocs2007.contoso.com"
        ]
    );
    assert!(rows[0]["um_ip_gateway"].is_null());
    assert_eq!(rows[3]["um_ip_gateway"], "OCS2007-GW");
    assert_eq!(rows[3]["dial_plans"], serde_json::json!(["US-E164"]));

    grant(&lab, &["--yes"]).ok();
    let after = grant(&lab, &["--verify", "--json"]).ok().json();
    assert_eq!(after["complete"], true);
    assert!(after["missing"].as_array().unwrap().is_empty());
    assert_eq!(after["gateways"][2]["um_ip_gateway"], "1:3");
    assert_eq!(
        after["gateways"][2]["dial_plans"],
        serde_json::json!(["HQ-SIP", "LOC801"])
    );
    let text = grant(&lab, &["--verify"]).ok().stdout;
    assert!(!text.contains("False"), "{text}");
    assert!(text.contains("Verified"), "{text}");
}

#[test]
fn human_output_echoes_exchucutil_lines() {
    let lab = TempLab::new();
    let run = grant(&lab, &["--dry-run"]).ok();
    let out = &run.stdout;
    assert!(
        out.starts_with("Using Global Catalog: GC://DC=contoso,DC=com\n\n"),
        "{out}"
    );
    // The branch registrar's block.
    let sba = out.split("Pool sba01.contoso.com").nth(1).unwrap();
    let block: String = sba.lines().take(6).collect::<Vec<_>>().join("\n");
    for line in [
        "IsBranchRegistrar: True",
        "MessageWaitingIndicatorAllowed: False",
        "OutcallsAllowed: False",
    ] {
        assert!(block.contains(line), "{line} in {block}");
    }
    assert!(out.contains("MessageWaitingIndicatorAllowed: True"));
    assert!(out.contains("skipped, LCS 2005 SP1 is older than OCS 2007"));
    assert!(out.contains("Plan: 21 change(s)"));
    for col in ["Object", "Change", "Detail"] {
        assert!(out.contains(col));
    }
    assert!(run.stderr.contains("Dry run: nothing was changed."));
}

#[test]
fn dry_run_changes_nothing_and_its_ldif_applies_like_apply() {
    let lab = TempLab::new();
    let before = lab.export();
    grant(&lab, &["--dry-run"]).ok();
    grant(&lab, &["--dry-run", "--json"]).ok();
    let ldif = grant(&lab, &["--dry-run", "--ldif"]).ok();
    assert_eq!(lab.export(), before, "--dry-run changed the lab");
    assert!(ldif.stdout.starts_with("version: 1\n"));
    assert!(ldif.stdout.contains("replace: nTSecurityDescriptor"));
    assert!(ldif.stdout.contains("nTSecurityDescriptor:: "));
    assert!(ldif.stdout.contains("changetype: delete"));
    assert!(
        ldif.stderr.contains("1.2.840.113556.1.4.801=MAMCAQQ="),
        "{}",
        ldif.stderr
    );

    // The LDIF, applied with `lab apply`, gives the same forest as the apply itself.
    let via_ldif = TempLab::new();
    via_ldif.apply(&ldif.stdout).ok();
    grant(&lab, &["--yes"]).ok();
    assert_eq!(via_ldif.export(), lab.export());
    grant(&via_ldif, &["--verify"]).ok();
}

#[test]
fn a_failure_mid_apply_leaves_the_lab_as_it_was() {
    let lab = TempLab::new();
    let before = lab.export();
    for step in [1, 12, 21] {
        let run = lab
            .run_env(
                &["grant-permissions", "--yes"],
                &[("UMCTL_FAULT", &format!("apply-fail-at-step:{step}"))],
            )
            .expect_code(2);
        assert!(
            run.stderr.contains(&format!("step {step} of 21")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("fault injected"), "{}", run.stderr);
        assert_eq!(lab.export(), before, "step {step}: the lab changed");
    }
    // Step 13 is the first hunt group of gateway 1:2 (by dial plan name): the error names it.
    let run = lab
        .run_env(
            &["grant-permissions", "--yes"],
            &[("UMCTL_FAULT", "apply-fail-at-step:13")],
        )
        .expect_code(2);
    assert!(
        run.stderr.contains("create hunt group 1:2\\HQ-SIP"),
        "{}",
        run.stderr
    );
    grant(&lab, &["--verify"]).expect_code(1);
}

#[test]
fn no_terminal_and_no_yes_refuses_and_changes_nothing() {
    let lab = TempLab::new();
    let before = lab.export();
    let run = grant(&lab, &[]).expect_code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(
        run.stdout.contains("Plan: 21 change(s)"),
        "the plan is shown first"
    );
    assert_eq!(lab.export(), before);
}

#[test]
fn pool_option_limits_the_gateway_work() {
    let lab = TempLab::new();
    let doc = grant(
        &lab,
        &["--pool", "SBA01.contoso.com", "--dry-run", "--json"],
    )
    .ok()
    .json();
    assert_eq!(doc["summary"]["gateways_created"], 1);
    assert_eq!(doc["summary"]["hunt_groups_created"], 2);
    assert_eq!(doc["summary"]["aces_added"], 8);
    assert_eq!(doc["plan"]["pools"].as_array().unwrap().len(), 1);
    grant(&lab, &["--pool", "sba01.contoso.com", "--yes"]).ok();
    let v = grant(&lab, &["--pool", "sba01.contoso.com", "--verify", "--json"])
        .ok()
        .json();
    assert_eq!(v["gateways"].as_array().unwrap().len(), 1);
    // The other pools still need their gateways.
    grant(&lab, &["--verify"]).expect_code(1);
}

#[test]
fn bad_input_is_a_clear_error_and_changes_nothing() {
    let lab = TempLab::new();
    let before = lab.export();
    let run = grant(&lab, &["--pool", "nope.contoso.com", "--yes"]).expect_code(2);
    assert!(
        run.stderr.contains("nope.contoso.com") && run.stderr.contains("pool01.contoso.com"),
        "{}",
        run.stderr
    );
    let run = grant(&lab, &["--pool", "lcs2005.contoso.com", "--yes"]).expect_code(2);
    assert!(run.stderr.contains("older than OCS 2007"), "{}", run.stderr);
    let run = grant(&lab, &["--forest", "fabrikam.com", "--yes"]).expect_code(2);
    assert!(
        run.stderr.contains("fabrikam.com") && run.stderr.contains("contoso.com"),
        "{}",
        run.stderr
    );
    grant(&lab, &["--forest", "contoso.com", "--dry-run"]).ok();
    grant(&lab, &["--ldif"]).expect_code(2);
    grant(&lab, &["--dry-run", "--ldif", "--json"]).expect_code(2);
    assert_eq!(lab.export(), before);
}

#[test]
fn a_forest_without_rtc_groups_says_what_to_run() {
    let lab = TempLab::new();
    lab.apply(
        "version: 1\n\n\
         dn: CN=RTCUniversalServerAdmins,CN=Users,DC=contoso,DC=com\nchangetype: delete\n\n\
         dn: CN=RTCComponentUniversalServices,CN=Users,DC=contoso,DC=com\nchangetype: delete\n",
    )
    .ok();
    let before = lab.export();
    for args in [&["--yes"][..], &["--verify"], &["--dry-run"]] {
        let run = grant(&lab, args).expect_code(2);
        assert!(
            run.stderr.contains("RTCUniversalServerAdmins not found")
                && run.stderr.contains("Enable-CsAdForest"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(lab.export(), before);
}

#[test]
fn a_forest_without_pools_or_exchange_says_what_to_run() {
    let lab = TempLab::new();
    let pools = "CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";
    let mut ldif = String::from("version: 1\n");
    for cn in ["1:1", "1:2", "1:3", "ocs2007", "lcs2005", "1:4"] {
        ldif.push_str(&format!("\ndn: CN={cn},{pools}\nchangetype: delete\n"));
    }
    lab.apply(&ldif).ok();
    let run = grant(&lab, &["--dry-run"]).expect_code(2);
    assert!(
        run.stderr.contains("holds no pool") && run.stderr.contains("topology"),
        "{}",
        run.stderr
    );

    // A forest with no Exchange organization: an export without it (and without the header
    // that records the whole export's count and digest), imported.
    let other = TempLab::new();
    let export = crate::support::strip_comments(&other.run(&["lab", "export"]).ok().stdout);
    let kept: Vec<&str> = export
        .split("\n\n")
        .filter(|record| {
            !record
                .lines()
                .any(|l| l.strip_prefix("dn: ").is_some_and(|dn| dn.ends_with(ORG)))
        })
        .collect();
    let file = other.write("no-exchange.ldif", kept.join("\n\n").as_bytes());
    other.run(&["lab", "import", file.to_str().unwrap()]).ok();
    let run = grant(&other, &["--verify"]).expect_code(2);
    assert!(
        run.stderr.contains("no Exchange organization") && run.stderr.contains("/PrepareAD"),
        "{}",
        run.stderr
    );
}

/// A hunt group with the right dial plan and pilot but another name is replaced by one named
/// after the dial plan (the contract), in the plan, and --verify says so until it is.
#[test]
fn a_hunt_group_under_another_name_is_replaced_by_the_dial_plans_name() {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let gw = format!("CN=1:1,CN=UM IPGateway Container,{ORG}");
    lab.apply(&format!(
        "dn: CN=LOC801,{gw}\nchangetype: delete\n\n\
         dn: CN=Main Hunt Group,{gw}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMHuntGroup\n\
         cn: Main Hunt Group\nmsExchUMHuntGroupDialPlanLink: CN=LOC801,CN=UM DialPlan Container,{ORG}\n\
         msExchUMPilotIdentifier: LOC801\n"
    ))
    .ok();
    lab.run(&["grant-permissions", "--verify"]).expect_code(1);
    let plan = lab
        .run(&["grant-permissions", "--dry-run", "--json"])
        .ok()
        .json();
    let items = plan["plan"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{plan}"));
    let names: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["what"]["kind"].to_string(),
                i["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(items.len(), 2, "{names:?}");
    let text = plan.to_string();
    assert!(
        text.contains(
            "named 'Main Hunt Group', not after its dial plan: replaced by 1:1\\\\LOC801"
        ),
        "{text}"
    );
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab.run(&["grant-permissions", "--verify"]).ok();
    lab.run(&["lab", "show", &format!("CN=LOC801,{gw}")]).ok();
    lab.run(&["lab", "show", &format!("CN=Main Hunt Group,{gw}")])
        .expect_code(2);
}
