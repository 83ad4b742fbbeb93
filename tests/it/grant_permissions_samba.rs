//! grant-permissions against a real Active Directory (Samba AD DC with the lab forest): the
//! same plan as on the lab, apply, verify, idempotence, dry-run, rollback of a failure
//! injected mid-apply, and a bind that may not write DACLs.

use serde_json::Value;

use crate::samba_dc::SambaDc;
use crate::support::{Run, TempLab};

fn grant(lab: &TempLab, dc: &SambaDc, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["grant-permissions".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    all.extend(dc.admin_args());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    lab.run_env(&all, env)
}

fn plan_items(doc: &Value) -> Vec<(String, String, String)> {
    doc["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["change"].as_str().unwrap().to_string(),
                i["name"].as_str().unwrap().to_string(),
                i["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_plan_on_samba_is_the_plan_on_the_lab() {
    let Some(dc) =
        SambaDc::start("grant_permissions_samba::the_plan_on_samba_is_the_plan_on_the_lab")
    else {
        return;
    };
    let lab = TempLab::new();
    let on_lab = lab
        .run(&["grant-permissions", "--dry-run", "--json"])
        .ok()
        .json();
    let on_ad = grant(&lab, &dc, &["--dry-run", "--json"], &[]).ok().json();
    assert_eq!(plan_items(&on_ad), plan_items(&on_lab));
    assert_eq!(plan_items(&on_ad).len(), 21);
}

#[test]
fn apply_verify_idempotence_and_dry_run_on_samba() {
    let Some(dc) =
        SambaDc::start("grant_permissions_samba::apply_verify_idempotence_and_dry_run_on_samba")
    else {
        return;
    };
    let lab = TempLab::new();
    grant(&lab, &dc, &["--verify"], &[]).expect_code(1);
    grant(&lab, &dc, &["--dry-run"], &[]).ok();
    let still = grant(&lab, &dc, &["--verify", "--json"], &[])
        .expect_code(1)
        .json();
    assert_eq!(
        still["missing"].as_array().unwrap().len(),
        21,
        "--dry-run changed nothing"
    );
    let applied = grant(&lab, &dc, &["--yes", "--json"], &[]).ok().json();
    assert!(applied.to_string().contains("1:3"), "{applied}");
    let verified = grant(&lab, &dc, &["--verify", "--json"], &[]).ok().json();
    assert_eq!(verified["complete"], true);
    let again = grant(&lab, &dc, &["--dry-run", "--json"], &[]).ok().json();
    assert!(
        plan_items(&again).is_empty(),
        "a second run plans nothing: {again}"
    );
    // The branch registrar's gateway: MWI and outcalls off, as the contract says.
    let out = std::process::Command::new("ldapsearch")
        .args(["-LLL", "-x", "-H", &dc.info.ldaps, "-D", &dc.info.admin_upn, "-y", &dc.info.password_file])
        .args(["-b", "CN=UM IPGateway Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com"])
        .args(["(msExchUMIPGatewayAddress=sba01.contoso.com)", "msExchUMOutcallsAllowed", "msExchUMIPGatewayFlags2"])
        .env("LDAPTLS_CACERT", &dc.info.ca_file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("msExchUMOutcallsAllowed: FALSE"), "{text}");
    let flags: i64 = text
        .lines()
        .find_map(|l| l.strip_prefix("msExchUMIPGatewayFlags2: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1);
    assert_eq!(flags & 1, 0, "MWI off on the branch registrar: {text}");
}

#[test]
fn a_failure_mid_apply_on_samba_leaves_the_directory_as_it_was() {
    let Some(dc) = SambaDc::start(
        "grant_permissions_samba::a_failure_mid_apply_on_samba_leaves_the_directory_as_it_was",
    ) else {
        return;
    };
    let lab = TempLab::new();
    let before = grant(&lab, &dc, &["--verify", "--json"], &[])
        .expect_code(1)
        .json();
    let run = grant(
        &lab,
        &dc,
        &["--yes"],
        &[("UMCTL_FAULT", "apply-fail-at-step:13")],
    )
    .expect_code(2);
    assert!(run.stderr.contains("step 13 of 21"), "{}", run.stderr);
    assert!(run.stderr.contains("undone"), "{}", run.stderr);
    let after = grant(&lab, &dc, &["--verify", "--json"], &[])
        .expect_code(1)
        .json();
    assert_eq!(
        after, before,
        "the rollback must leave the directory as it was"
    );
    let plan = grant(&lab, &dc, &["--dry-run", "--json"], &[]).ok().json();
    assert_eq!(plan_items(&plan).len(), 21);
}

#[test]
fn an_account_that_may_not_write_dacls_changes_nothing() {
    let Some(dc) = SambaDc::start(
        "grant_permissions_samba::an_account_that_may_not_write_dacls_changes_nothing",
    ) else {
        return;
    };
    dc.add_user("operator7", "Operator-Passw0rd-7", None);
    let lab = TempLab::new();
    let before = grant(&lab, &dc, &["--verify", "--json"], &[])
        .expect_code(1)
        .json();
    let pw_file = lab.write("operator.pass", b"Operator-Passw0rd-7");
    let run = lab.run(&[
        "grant-permissions",
        "--yes",
        "--ldap",
        &dc.info.ldaps,
        "--bind-dn",
        "operator7@contoso.com",
        "--password-file",
        pw_file.to_str().unwrap(),
        "--ca-file",
        &dc.info.ca_file,
    ]);
    assert_eq!(run.code, 3, "access denied is exit 3: {}", run.stderr);
    assert!(!run.stderr.contains("Operator-Passw0rd-7"));
    let after = grant(&lab, &dc, &["--verify", "--json"], &[])
        .expect_code(1)
        .json();
    assert_eq!(after, before, "nothing may change");
}
