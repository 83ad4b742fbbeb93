//! `umctl aa show|set|greeting set`: parses the flags into [`AaUpdate`] / [`GreetingFor`],
//! prints the plan (`--dry-run`, `--ldif`, `--json`) or applies it; `greeting set` checks the
//! WAV before anything is written and stores it in the lab's `autoattendants/<name>/` folder
//! (removed again if the directory refuses the change). The decisions are `admin::aa`'s.

use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use crate::admin::aa::{self, AaPlan, AaUpdate, GreetingFor};
use crate::admin::contact::Catalog;
use crate::cli::args::{AaCommand, AaGreetingCommand, GlobalArgs, PlanArgs};
use crate::cli::output::{changes_ldif, changes_text, Output};
use crate::cli::target::{lab_root, open_directory};
use crate::cli::UsageError;
use crate::directory::model::aa_schedule::{check_time_zone, Holiday, WeeklyRange};
use crate::directory::model::{AutoAttendant, KeyMapping, ValueError};
use crate::directory::Directory;
use crate::um::auto_attendant::greeting_folder;
use crate::um::greeting_file;

#[derive(Serialize)]
struct AaResult<'a> {
    /// updated, unchanged or planned (--dry-run)
    status: &'static str,
    auto_attendant: &'a AutoAttendant,
    changed: &'a [&'static str],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<String>,
}

fn bad(flag: &str, e: ValueError) -> anyhow::Error {
    UsageError(format!("{flag} '{}': expected {}", e.value, e.expected)).into()
}

fn load(dir: &dyn Directory, name: &str) -> anyhow::Result<AutoAttendant> {
    let catalog = Catalog::load(dir)?;
    Ok(aa::find(&catalog.auto_attendants, name)?.clone())
}

pub fn run(global: &GlobalArgs, command: &AaCommand) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let dir = open_directory(global)?;
    match command {
        AaCommand::Show { name } => {
            let a = load(dir.as_ref(), name)?;
            if out.json {
                out.json(&a)?;
            } else {
                out.text(&show_text(&a))?;
            }
            if let Some(note) = a.exchange_form_note() {
                out.note(&format!("warning: {note}"));
            }
        }
        AaCommand::Set {
            name,
            time_zone,
            business_hours,
            after_hours_key,
            holiday,
            business_operator,
            after_hours_operator,
            plan,
        } => {
            let update = AaUpdate {
                time_zone: time_zone
                    .as_deref()
                    .map(check_time_zone)
                    .transpose()
                    .map_err(|e| bad("--time-zone", e))?,
                business_hours: (!business_hours.is_empty())
                    .then(|| {
                        business_hours
                            .iter()
                            .map(|r| WeeklyRange::parse(r))
                            .collect()
                    })
                    .transpose()
                    .map_err(|e| bad("--business-hours", e))?,
                after_hours_keys: (!after_hours_key.is_empty())
                    .then(|| {
                        after_hours_key
                            .iter()
                            .map(|k| KeyMapping::parse(&format!("key={}", k.trim())))
                            .collect()
                    })
                    .transpose()
                    .map_err(|e| bad("--after-hours-key", e))?,
                holidays: holiday
                    .iter()
                    .map(|h| Holiday::parse_arg(h))
                    .collect::<Result<_, _>>()
                    .map_err(|e| bad("--holiday", e))?,
                business_operator: *business_operator,
                after_hours_operator: *after_hours_operator,
            };
            let a = load(dir.as_ref(), name)?;
            let p = aa::plan_set(&a, &update)?;
            finish(&out, dir.as_ref(), *plan, &p, &a, || Ok(()))?;
        }
        AaCommand::Greeting {
            command:
                AaGreetingCommand::Set {
                    name,
                    business,
                    after_hours,
                    holiday,
                    file,
                    plan,
                },
        } => {
            let which = match (business, after_hours, holiday) {
                (true, _, _) => GreetingFor::Business,
                (_, true, _) => GreetingFor::AfterHours,
                (_, _, Some(h)) => GreetingFor::Holiday(h.clone()),
                _ => anyhow::bail!(UsageError(
                    "expected one of --business, --after-hours or --holiday NAME".into()
                )),
            };
            greeting_file::read_checked(file)?;
            let a = load(dir.as_ref(), name)?;
            let p = aa::plan_greeting(&a, &which)?;
            let folder = greeting_folder(&lab_root(global)?.join("mailboxes"), &a.name);
            let file_name = which.file_name();
            finish(&out, dir.as_ref(), *plan, &p, &a, || {
                let (path, ms) = greeting_file::store_as(&folder, &file_name, file)?;
                out.note(&format!(
                    "Stored {} ({}.{:03} s, 8 kHz mono).",
                    path.display(),
                    ms / 1000,
                    ms % 1000
                ));
                Ok(())
            })
            .inspect_err(|_| {
                let _ = std::fs::remove_file(folder.join(&file_name));
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the dry run, or runs `before_apply` (storing a file) and applies the plan.
fn finish(
    out: &Output,
    dir: &dyn Directory,
    plan: PlanArgs,
    p: &AaPlan,
    before: &AutoAttendant,
    before_apply: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let status = if plan.dry_run {
        "planned"
    } else if p.changes.is_empty() {
        "unchanged"
    } else {
        "updated"
    };
    let result = AaResult {
        status,
        auto_attendant: &p.after,
        changed: &p.changed,
        changes: Vec::new(),
    };
    if plan.dry_run {
        if plan.ldif {
            out.text(&changes_ldif([(None, p.changes.as_slice())])?)?;
        } else if out.json {
            out.json(&AaResult {
                changes: p
                    .changes
                    .iter()
                    .map(crate::directory::describe_change)
                    .collect(),
                ..result
            })?;
        } else {
            out.text(&format!(
                "Would make {} change(s) (nothing was written):\n{}",
                p.changes.len(),
                changes_text(&p.changes)
            ))?;
        }
        return Ok(());
    }
    before_apply()?;
    if !p.changes.is_empty() {
        dir.apply(&p.changes)
            .with_context(|| format!("changing auto attendant {}", before.name))?;
    }
    if out.json {
        out.json(&result)?;
    } else if p.changes.is_empty() {
        out.text(&format!("Nothing to change on {}.", before.dn))?;
    } else {
        out.text(&format!(
            "Updated {} ({}).",
            before.dn,
            p.changed.join(", ")
        ))?;
    }
    Ok(())
}

fn show_text(a: &AutoAttendant) -> String {
    let period = |title: &str, f: &crate::directory::model::PeriodFeatures| {
        let mut s = format!(
            "{title}:\n  greeting:  {}\n  operator:  {}\n",
            f.greeting.as_deref().unwrap_or("(system welcome)"),
            if f.operator { "on 0" } else { "off" }
        );
        for k in &f.key_mappings {
            s.push_str(&format!(
                "  key {}:     {} ({})\n",
                k.key, k.name, k.extension
            ));
        }
        s
    };
    let mut s = format!(
        "Name:       {}\nDN:         {}\nEnabled:    {}\nPilots:     {}\nOperator:   {}\nTime zone:  {}\nSchedule:   {}\n",
        a.name,
        a.dn,
        a.enabled,
        a.pilot_numbers.join(", "),
        a.operator_extension.as_deref().unwrap_or("(the dial plan's)"),
        a.time_zone.as_deref().unwrap_or("UTC (not set)"),
        if a.schedule.is_empty() {
            "always open".to_string()
        } else {
            a.schedule.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        }
    );
    for h in &a.holidays {
        s.push_str(&format!(
            "Holiday:    {} {}..{} greeting {}\n",
            h.name,
            h.first,
            h.last,
            h.greeting.as_deref().unwrap_or("(after-hours)")
        ));
    }
    s.push_str(&period("Business hours", &a.business));
    s.push_str(&period("After hours", &a.after_hours));
    s.trim_end().to_string()
}
