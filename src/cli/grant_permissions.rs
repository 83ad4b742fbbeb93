//! `umctl grant-permissions`: parses the options, prints the plan (tables with ExchUCUtil's
//! literal lines, JSON or LDIF), confirms on a terminal, shows progress, prints the outcome or
//! the verification tables. The work itself is `admin::grant`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;

use crate::admin::grant::{
    self, GrantOptions, GroupAccess, Outcome, Plan, Summary, Verification,
    LDAPMODIFY_SD_FLAGS_OPTION,
};
use crate::admin::powershell;
use crate::cli::args::{GlobalArgs, GrantPermissionsArgs};
use crate::cli::output::{table, Output};
use crate::cli::target::open_directory_for;
use crate::cli::UsageError;
use crate::directory::Directory;

/// More directory changes than this get a progress bar (on a terminal).
const PROGRESS_THRESHOLD: usize = 20;

/// The JSON document of a plan or an apply.
#[derive(Serialize)]
struct PlanDocument<'a> {
    /// `dry_run` or `apply`.
    mode: &'static str,
    /// Whether the directory was changed.
    changed: bool,
    summary: Summary,
    plan: &'a Plan,
}

pub fn run(global: &GlobalArgs, args: &GrantPermissionsArgs) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    if args.ldif && global.json {
        bail!(UsageError(
            "--ldif and --json both choose the output format; give one of them".into()
        ));
    }
    let opts = GrantOptions {
        forest: args.forest.clone(),
        pool: args.pool.clone(),
    };
    let dir = open_directory_for(global, !args.verify && !args.dry_run)?;
    let dir: &dyn Directory = dir.as_ref();

    if args.verify {
        let v = grant::verify(dir, &opts)?;
        if out.json {
            out.json(&v)?;
        } else {
            out.text(&render_verification(&v))?;
        }
        return Ok(if v.complete {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }

    let plan = grant::plan_for(dir, &opts)?;

    if args.dry_run {
        if args.powershell {
            out.text(&powershell::grant_script(&plan, opts.pool.is_none()))?;
            return Ok(ExitCode::SUCCESS);
        }
        if args.ldif {
            let mut stdout = std::io::stdout().lock();
            grant::write_ldif(&plan, &mut stdout)?;
            out.note(&format!(
                "To apply this LDIF to a real AD: ldapmodify -H ldaps://<dc> -D <admin> -W {LDAPMODIFY_SD_FLAGS_OPTION} -f FILE\n(the SD-flags control makes the nTSecurityDescriptor writes DACL-only); to the lab: umctl lab apply FILE"
            ));
        } else if out.json {
            out.json(&PlanDocument {
                mode: "dry_run",
                changed: false,
                summary: plan.summary(),
                plan: &plan,
            })?;
        } else {
            out.text(&render_plan(&plan))?;
            out.note("Dry run: nothing was changed.");
        }
        return Ok(ExitCode::SUCCESS);
    }

    if !out.json {
        out.text(&render_plan(&plan))?;
    }
    if plan.is_empty() {
        if out.json {
            out.json(&PlanDocument {
                mode: "apply",
                changed: false,
                summary: plan.summary(),
                plan: &plan,
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !global.yes {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        if !interactive {
            bail!(UsageError(format!(
                "not changing {} without confirmation: not on a terminal; rerun with --yes to apply the {} change(s), or with --dry-run to only see them",
                dir.describe(),
                plan.items.len()
            )));
        }
        crate::cli::prompt::confirm(&format!(
            "Apply these {} change(s) to {}?",
            plan.items.len(),
            dir.describe()
        ))?;
    }

    let outcome = apply_with_progress(dir, &plan, &out)?;
    if out.json {
        out.json(&PlanDocument {
            mode: "apply",
            changed: true,
            summary: outcome.summary,
            plan: &plan,
        })?;
    } else {
        out.text(&format!(
            "Done: {} ({} change(s)) on {}.\nRestart the Front-End service (RTCSRV) on the Skype for Business pools so they pick up Unified Messaging; check with `umctl grant-permissions --verify`.",
            outcome.summary,
            outcome.applied,
            dir.describe()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Applies the plan, with a progress bar on a terminal when there is more than a screenful.
fn apply_with_progress(dir: &dyn Directory, plan: &Plan, out: &Output) -> anyhow::Result<Outcome> {
    let steps = plan.changes().len();
    let bar =
        (std::io::stderr().is_terminal() && !out.quiet && steps > PROGRESS_THRESHOLD).then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} changes {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
    let result = grant::apply(dir, plan, &mut |done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(result?)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The plan as ExchUCUtil's console would narrate it, then the change table.
pub fn render_plan(plan: &Plan) -> String {
    let mut s = String::new();
    s.push_str(&plan.global_catalog);
    s.push_str("\n\n");
    for g in &plan.permissions {
        s.push_str(&format!("Permissions for {}:\n", g.identity));
        for o in &g.objects {
            let state = if o.configured {
                "already configured"
            } else {
                "to be added"
            };
            s.push_str(&format!(
                "  {}: {} ({})\n",
                o.object_name, o.access_rights, state
            ));
        }
        s.push('\n');
    }
    s.push_str("UM IP gateways for the pools:\n");
    for p in &plan.pools {
        let fqdn = p.fqdn.as_deref().unwrap_or_default();
        let version = p
            .version
            .map_or_else(|| "no version".to_string(), |v| v.to_string());
        match (&p.skipped, &p.gateway) {
            (Some(reason), _) if fqdn.is_empty() => {
                s.push_str(&format!("Pool {} ({version}): skipped, {reason}\n", p.pool));
            }
            (Some(reason), _) => {
                s.push_str(&format!(
                    "Pool {fqdn} ({}, {version}): skipped, {reason}\n",
                    p.pool
                ));
            }
            (None, Some(gw)) => {
                s.push_str(&format!("Pool {fqdn} ({}, {version})\n", p.pool));
                let state = if gw.exists { "exists" } else { "to be created" };
                s.push_str(&format!("  UM IP gateway {}: {state}\n", gw.name));
                s.push_str(&format!(
                    "  IsBranchRegistrar: {}\n  MessageWaitingIndicatorAllowed: {}\n  OutcallsAllowed: {}\n",
                    yes_no(p.is_branch_registrar),
                    yes_no(gw.message_waiting_indicator_allowed),
                    yes_no(gw.outcalls_allowed)
                ));
                let dps = if gw.dial_plans.is_empty() {
                    "(not found)".to_string()
                } else {
                    gw.dial_plans.join(", ")
                };
                s.push_str(&format!("  Hunt groups (SIP dial plans): {dps}\n"));
            }
            (None, None) => {}
        }
    }
    s.push('\n');
    if plan.is_empty() {
        s.push_str("Nothing to do: the permissions, gateways and hunt groups are all in place.");
        return s;
    }
    s.push_str(&format!(
        "Plan: {} change(s): {}\n",
        plan.items.len(),
        plan.summary()
    ));
    s.push_str(&table(
        &["#", "Object", "Change", "Detail"],
        plan.items.iter().enumerate().map(|(i, item)| {
            vec![
                (i + 1).to_string(),
                item.name.clone(),
                item.what.label().to_string(),
                item.detail.clone(),
            ]
        }),
    ));
    s
}

fn permission_table(g: &GroupAccess) -> String {
    table(
        &["ObjectName", "AccessRights", "Configured"],
        g.objects.iter().map(|o| {
            vec![
                o.object_name.clone(),
                o.access_rights.clone(),
                yes_no(o.configured).to_string(),
            ]
        }),
    )
}

/// ExchUCUtil's two verification tables, then what is missing.
pub fn render_verification(v: &Verification) -> String {
    let mut s = String::new();
    s.push_str(&v.global_catalog);
    s.push_str("\n\n");
    for g in &v.permissions {
        s.push_str(&format!("Permissions for {}:\n", g.identity));
        s.push_str(&permission_table(g));
        s.push_str("\n\n");
    }
    s.push_str(&table(
        &["PoolFqdn", "UMIPGateway", "DialPlans"],
        v.gateways.iter().map(|r| {
            vec![
                r.pool_fqdn.clone(),
                r.um_ip_gateway
                    .clone()
                    .unwrap_or_else(|| "(not found)".into()),
                if r.dial_plans.is_empty() {
                    "(not found)".into()
                } else {
                    r.dial_plans.join(", ")
                },
            ]
        }),
    ));
    s.push_str("\n\n");
    if v.complete {
        s.push_str("Verified: the permissions, gateways and hunt groups are all in place.");
    } else {
        s.push_str(&format!(
            "Not configured: {} change(s) missing; `umctl grant-permissions` would make them:\n",
            v.missing.len()
        ));
        s.push_str(&table(
            &["Object", "Change", "Detail"],
            v.missing.iter().map(|item| {
                vec![
                    item.name.clone(),
                    item.what.label().to_string(),
                    item.detail.clone(),
                ]
            }),
        ));
    }
    s
}
