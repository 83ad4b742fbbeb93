//! `umctl new-contact` and `umctl contact list|show|set|remove`: turn flags (or a CSV file)
//! into `admin::contact` requests, ask for missing values on a terminal, confirm removals,
//! show a progress bar for bulk runs, and print plans, results and reports as tables, LDIF
//! or JSON. The validation and the writes themselves are `admin::contact`'s.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;

use crate::admin::contact::{
    self as admin, AutoAttendantArg, Catalog, ContactUpdate, ContactView, Ledger, ListFilter,
    NewContact, NewOutcome,
};
use crate::admin::contact_bulk::{apply_bulk, plan_bulk, read_csv, BulkReport};
use crate::admin::powershell;
use crate::cli::args::{ContactCommand, GlobalArgs, NewContactArgs, PlanArgs};
use crate::cli::output::{changes_ldif, changes_text, table, Output};
use crate::cli::prompt::interactive;
use crate::cli::target::open_directory_for;
use crate::cli::UsageError;
use crate::directory::model::{ContactKind, DialPlan};
use crate::directory::{Change, Directory};

/// How many contacts a bulk run writes to the lab per apply.
const LAB_BATCH: usize = 100;

fn kind_name(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::SubscriberAccess => "SubscriberAccess",
        ContactKind::AutoAttendant => "AutoAttendant",
    }
}

fn kind_words(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::SubscriberAccess => "subscriber access (Outlook Voice Access)",
        ContactKind::AutoAttendant => "auto-attendant",
    }
}

/// The result document of new-contact, set and remove under `--json`.
#[derive(Serialize)]
struct ContactResult<'a> {
    /// created, exists, updated, unchanged, removed, or planned (--dry-run)
    status: &'a str,
    dry_run: bool,
    contact: ContactView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed: Vec<String>,
    warnings: Vec<String>,
    /// The planned changes, one line each (--dry-run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<String>,
}

fn describe_all(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(crate::directory::describe_change)
        .collect()
}

/// Prints a plan under `--dry-run`: LDIF, JSON or text.
fn print_plan(
    out: &Output,
    plan: PlanArgs,
    result: ContactResult<'_>,
    changes: &[Change],
    powershell: &str,
) -> anyhow::Result<()> {
    if plan.powershell {
        out.text(powershell)?;
    } else if plan.ldif {
        out.text(&changes_ldif([(None, changes)])?)?;
    } else if out.json {
        out.json(&ContactResult {
            changes: describe_all(changes),
            ..result
        })?;
    } else {
        out.text(&format!(
            "Would make {} change(s) (nothing was written):\n{}",
            changes.len(),
            changes_text(changes)
        ))?;
    }
    Ok(())
}

/// The FQDN of the pool a planned contact is homed on (what New-CsExUmContact takes).
fn pool_fqdn(catalog: &Catalog, plan: &admin::NewPlan) -> String {
    catalog
        .pool_by_dn(&plan.contact.home_pool)
        .and_then(|p| p.fqdn.clone())
        .unwrap_or_else(|| plan.contact.home_pool.to_string())
}

fn warn_all(out: &Output, warnings: &[String]) {
    for w in warnings {
        out.note(&format!("warning: {w}"));
    }
}

pub fn run_new(global: &GlobalArgs, args: &NewContactArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.from_csv {
        return run_bulk(global, args, path);
    }
    let out = Output::new(global);
    let dir = open_directory_for(global, !args.plan.dry_run)?;
    let catalog = Catalog::load(dir.as_ref())?;
    for p in &catalog.problems {
        out.detail(&format!("ignored unreadable object: {p}"));
    }
    let mut req = NewContact {
        sip_address: args.sip_address.clone().unwrap_or_default(),
        registrar_pool: args.registrar_pool.clone().unwrap_or_default(),
        display_number: args.display_number.clone().unwrap_or_default(),
        ou: args.ou.clone().unwrap_or_default(),
        dial_plan: args.dial_plan.clone(),
        auto_attendant: match &args.auto_attendant {
            None => AutoAttendantArg::No,
            Some(None) => AutoAttendantArg::Any,
            Some(Some(name)) => AutoAttendantArg::Named(name.clone()),
        },
        display_name: args.display_name.clone(),
        description: args.description.clone(),
    };
    if interactive() && !global.yes {
        ask_missing(&catalog, &mut req)?;
    }
    let outcome = admin::plan_new(
        dir.as_ref(),
        &catalog,
        &mut Ledger::live(),
        &req,
        args.force,
    )?;
    match outcome {
        NewOutcome::Exists(existing) => {
            let view = ContactView::new(&catalog, &existing);
            if out.json {
                out.json(&ContactResult {
                    status: "exists",
                    dry_run: args.plan.dry_run,
                    contact: view,
                    changed: Vec::new(),
                    warnings: Vec::new(),
                    changes: Vec::new(),
                })?;
            } else {
                out.text(&format!(
                    "An identical contact already exists: {} ({}, {}); nothing to do.",
                    existing.dn, existing.sip_address, existing.line_uri.number
                ))?;
            }
        }
        NewOutcome::Create(plan) => {
            warn_all(&out, &plan.warnings);
            let view = ContactView::new(&catalog, &plan.contact);
            let result = ContactResult {
                status: if args.plan.dry_run {
                    "planned"
                } else {
                    "created"
                },
                dry_run: args.plan.dry_run,
                contact: view,
                changed: Vec::new(),
                warnings: plan.warnings.clone(),
                changes: Vec::new(),
            };
            if args.plan.dry_run {
                let ps = powershell::new_contact_script(&plan, &pool_fqdn(&catalog, &plan));
                print_plan(&out, args.plan, result, &plan.changes, &ps)?;
                return Ok(ExitCode::SUCCESS);
            }
            admin::apply(dir.as_ref(), &plan.changes)?;
            if out.json {
                out.json(&result)?;
            } else {
                let v = &result.contact;
                out.text(&format!(
                    "Created {} contact {}\n  DN:            {}\n  SIP address:   {}\n  number:        {}\n  dial plan:     {}\n  otherIPPhone:  {}",
                    kind_words(v.kind),
                    v.display_name.as_deref().unwrap_or(""),
                    v.dn,
                    v.sip_address,
                    v.display_number,
                    v.dial_plan.as_deref().unwrap_or(&v.phone_context),
                    v.other_ip_phone,
                ))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks for the values New-CsExUmContact requires and the command line left out.
fn ask_missing(catalog: &Catalog, req: &mut NewContact) -> anyhow::Result<()> {
    use dialoguer::{Input, Select};
    if req.sip_address.trim().is_empty() {
        req.sip_address = Input::<String>::new()
            .with_prompt("SIP address (sip:user@domain)")
            .validate_with(|s: &String| {
                admin::validate_sip_address(s)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .interact_text()
            .context("reading the SIP address")?;
    }
    if req.registrar_pool.trim().is_empty() {
        req.registrar_pool = choose_pool(catalog)?;
    }
    if req.display_number.trim().is_empty() {
        let default_number = match &req.auto_attendant {
            AutoAttendantArg::No => {
                let dp = match req.dial_plan.as_deref().and_then(|n| catalog.dial_plan(n)) {
                    Some(dp) => dp,
                    None => {
                        let dp = choose_sip_dial_plan(catalog)?;
                        req.dial_plan = Some(dp.name.clone());
                        dp
                    }
                };
                dp.ova_numbers.first().cloned()
            }
            AutoAttendantArg::Named(name) => catalog
                .auto_attendant(name)
                .and_then(|a| a.pilot_numbers.first().cloned()),
            AutoAttendantArg::Any => {
                let aas = &catalog.auto_attendants;
                if aas.is_empty() {
                    bail!(UsageError("no auto attendant exists".into()));
                }
                let labels: Vec<String> = aas
                    .iter()
                    .map(|a| format!("{} (pilot {})", a.name, a.pilot_numbers.join(", ")))
                    .collect();
                let i = Select::new()
                    .with_prompt("Auto attendant")
                    .items(&labels)
                    .default(0)
                    .interact()
                    .context("choosing the auto attendant")?;
                req.auto_attendant = AutoAttendantArg::Named(aas[i].name.clone());
                aas[i].pilot_numbers.first().cloned()
            }
        };
        let mut input = Input::<String>::new()
            .with_prompt("Display number (E.164)")
            .validate_with(|s: &String| {
                admin::validate_number(s)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        if let Some(n) = default_number {
            input = input.default(n);
        }
        req.display_number = input
            .interact_text()
            .context("reading the display number")?;
    }
    if req.ou.trim().is_empty() {
        req.ou = Input::<String>::new()
            .with_prompt("OU for the contact")
            .default(format!("OU=ExUmContacts,{}", catalog.contexts.default))
            .interact_text()
            .context("reading the OU")?;
    }
    Ok(())
}

/// Asks which pool homes the contact (Lync Server 2010 or newer, with an FQDN).
fn choose_pool(catalog: &Catalog) -> anyhow::Result<String> {
    let pools: Vec<(String, String)> = catalog
        .contact_pools()
        .filter_map(|p| {
            let fqdn = p.fqdn.clone()?;
            let product = p
                .version
                .and_then(|v| v.product_name())
                .unwrap_or("unknown version");
            Some((fqdn.clone(), format!("{fqdn} ({product})")))
        })
        .collect();
    if pools.is_empty() {
        bail!(UsageError(
            "no Lync Server 2010 or newer pool with an FQDN was found to home the contact".into()
        ));
    }
    let labels: Vec<&str> = pools.iter().map(|(_, l)| l.as_str()).collect();
    let i = dialoguer::Select::new()
        .with_prompt("Registrar pool")
        .items(&labels)
        .default(0)
        .interact()
        .context("choosing the registrar pool")?;
    Ok(pools[i].0.clone())
}

/// Asks which SIP URI dial plan the contact belongs to (each shown with its OVA numbers).
fn choose_sip_dial_plan(catalog: &Catalog) -> anyhow::Result<&DialPlan> {
    let sip: Vec<&DialPlan> = catalog.dial_plans.iter().filter(|d| d.is_sip()).collect();
    if sip.is_empty() {
        bail!(UsageError("no SIP URI dial plan exists".into()));
    }
    let labels: Vec<String> = sip
        .iter()
        .map(|d| {
            let ova = if d.ova_numbers.is_empty() {
                "none".to_string()
            } else {
                d.ova_numbers.join(", ")
            };
            format!("{} (OVA {ova})", d.name)
        })
        .collect();
    let i = dialoguer::Select::new()
        .with_prompt("Dial plan")
        .items(&labels)
        .default(0)
        .interact()
        .context("choosing the dial plan")?;
    Ok(sip[i])
}

#[derive(Serialize)]
struct BulkCounts {
    created: usize,
    skipped: usize,
    failed: usize,
}

#[derive(Serialize)]
struct BulkResult<'a> {
    dry_run: bool,
    counts: BulkCounts,
    #[serde(flatten)]
    report: &'a BulkReport,
}

/// The CSV's bytes and the name errors call it by: `-` is standard input.
fn read_csv_input(path: &Path) -> anyhow::Result<(Vec<u8>, String)> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading the CSV from standard input")?;
        return Ok((buf, "standard input".to_string()));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    Ok((bytes, path.display().to_string()))
}

/// A progress bar on stderr for `len` contacts, only on a terminal and not with -q or --json.
fn progress_bar(out: &Output, len: usize) -> Option<indicatif::ProgressBar> {
    (std::io::stderr().is_terminal() && !out.quiet && !out.json).then(|| {
        let bar = indicatif::ProgressBar::new(len as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} contacts, {per_sec}, {eta} left",
        ) {
            bar.set_style(style);
        }
        bar
    })
}

fn run_bulk(global: &GlobalArgs, args: &NewContactArgs, path: &Path) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let (bytes, name) = read_csv_input(path)?;
    let (rows, read_failures) = read_csv(&bytes, &name)?;
    let dir = open_directory_for(global, !args.plan.dry_run)?;
    let catalog = Catalog::load(dir.as_ref())?;
    let started = Instant::now();
    let plan = plan_bulk(dir.as_ref(), &catalog, &rows, read_failures, args.force)?;
    let report = if args.plan.dry_run {
        if args.plan.ldif {
            let groups = plan.create.iter().map(|(line, p)| {
                (
                    Some(format!("{name}, line {line}: {}", p.contact.sip_address)),
                    p.changes.as_slice(),
                )
            });
            out.text(&changes_ldif(groups)?)?;
        } else if args.plan.powershell {
            let script: String = plan
                .create
                .iter()
                .map(|(_, p)| powershell::new_contact_script(p, &pool_fqdn(&catalog, p)))
                .collect();
            out.text(&script)?;
        }
        BulkReport::planned(&plan)
    } else {
        let bar = progress_bar(&out, plan.create.len());
        // The lab saves its whole file once per apply, so it takes the rows in batches (each
        // contact still all or nothing); on a real AD every contact is its own apply.
        let batch = if global.ldap.is_some() { 1 } else { LAB_BATCH };
        let report = apply_bulk(dir.as_ref(), &plan, batch, &mut |n| {
            if let Some(b) = &bar {
                b.inc(n as u64);
            }
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        report
    };
    let elapsed = started.elapsed().as_secs_f64();
    let counts = BulkCounts {
        created: report.created.len(),
        skipped: report.skipped.len(),
        failed: report.failed.len(),
    };
    if args.plan.ldif || args.plan.powershell {
        // The LDIF or PowerShell went to stdout; the summary goes to stderr.
        for f in &report.failed {
            out.note(&format!("{name}, line {}: {}", f.line, f.error));
        }
        out.note(&format!(
            "Would create {}, skip {} (already exist), fail {}.",
            counts.created, counts.skipped, counts.failed
        ));
    } else if out.json {
        out.json(&BulkResult {
            dry_run: args.plan.dry_run,
            counts,
            report: &report,
        })?;
    } else {
        for r in report
            .created
            .iter()
            .flat_map(|r| r.warnings.iter().map(move |w| (r.line, w)))
        {
            out.note(&format!("{name}, line {}: warning: {}", r.0, r.1));
        }
        let mut text = String::new();
        if !report.failed.is_empty() {
            text.push_str(&table(
                &["Line", "Error"],
                report
                    .failed
                    .iter()
                    .map(|f| vec![f.line.to_string(), f.error.clone()]),
            ));
            text.push('\n');
        }
        let verb = if args.plan.dry_run {
            "Would create"
        } else {
            "Created"
        };
        text.push_str(&format!(
            "{verb} {}, skipped {} (already exist), failed {}.",
            counts.created, counts.skipped, counts.failed
        ));
        out.text(&text)?;
        if !args.plan.dry_run && counts.created > 0 {
            out.detail(&format!(
                "{} contacts in {elapsed:.2} s ({:.0} contacts/s)",
                counts.created,
                counts.created as f64 / elapsed.max(1e-9)
            ));
        }
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `contact list`: the contacts, filtered by kind and dial plan, as a table or JSON.
fn list(
    out: &Output,
    dir: &dyn Directory,
    catalog: &Catalog,
    auto_attendant: bool,
    subscriber_access: bool,
    dial_plan: &Option<String>,
) -> anyhow::Result<()> {
    let filter = ListFilter {
        kind: if auto_attendant {
            Some(ContactKind::AutoAttendant)
        } else if subscriber_access {
            Some(ContactKind::SubscriberAccess)
        } else {
            None
        },
        dial_plan: dial_plan.clone(),
    };
    let (views, problems) = admin::list(dir, catalog, &filter)?;
    for p in &problems {
        out.note(&format!("warning: skipped an unreadable contact: {p}"));
    }
    if out.json {
        out.json(&views)?;
    } else if views.is_empty() {
        out.text("No Exchange UM contacts.")?;
    } else {
        out.text(&table(
            &[
                "DisplayName",
                "SipAddress",
                "DisplayNumber",
                "Kind",
                "DialPlan",
                "Enabled",
            ],
            views.iter().map(|v| {
                vec![
                    v.display_name.clone().unwrap_or_default(),
                    v.sip_address.clone(),
                    v.display_number.clone(),
                    kind_name(v.kind).to_string(),
                    v.dial_plan
                        .clone()
                        .unwrap_or_else(|| v.phone_context.clone()),
                    if v.enabled { "True" } else { "False" }.to_string(),
                ]
            }),
        ))?;
    }

    Ok(())
}

pub fn run(global: &GlobalArgs, command: &ContactCommand) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let writes = match command {
        ContactCommand::Set { plan, .. } | ContactCommand::Remove { plan, .. } => !plan.dry_run,
        _ => false,
    };
    let dir = open_directory_for(global, writes)?;
    let catalog = Catalog::load(dir.as_ref())?;
    match command {
        ContactCommand::List {
            auto_attendant,
            subscriber_access,
            dial_plan,
        } => list(
            &out,
            dir.as_ref(),
            &catalog,
            *auto_attendant,
            *subscriber_access,
            dial_plan,
        )?,
        ContactCommand::Show { id } => {
            let c = admin::find(dir.as_ref(), &catalog.contexts, id)?;
            let v = ContactView::new(&catalog, &c);
            if out.json {
                out.json(&v)?;
            } else {
                out.text(&view_table(&v))?;
            }
        }
        ContactCommand::Set {
            id,
            display_number,
            sip_address,
            description,
            display_name,
            enabled,
            force,
            plan,
        } => {
            let c = admin::find(dir.as_ref(), &catalog.contexts, id)?;
            let update = ContactUpdate {
                display_number: display_number.clone(),
                sip_address: sip_address.clone(),
                description: description.clone(),
                display_name: display_name.clone(),
                enabled: *enabled,
            };
            let set = admin::plan_set(dir.as_ref(), &catalog, &c, &update, *force)?;
            warn_all(&out, &set.warnings);
            let status = if set.changes.is_empty() {
                "unchanged"
            } else if plan.dry_run {
                "planned"
            } else {
                "updated"
            };
            let result = ContactResult {
                status,
                dry_run: plan.dry_run,
                contact: ContactView::new(&catalog, &set.after),
                changed: set.changed.clone(),
                warnings: set.warnings.clone(),
                changes: Vec::new(),
            };
            if plan.dry_run && !set.changes.is_empty() {
                let ps = powershell::set_contact_script(&set);
                print_plan(&out, *plan, result, &set.changes, &ps)?;
                return Ok(ExitCode::SUCCESS);
            }
            admin::apply(dir.as_ref(), &set.changes)?;
            if out.json {
                out.json(&result)?;
            } else if set.changes.is_empty() {
                out.text(&format!("Nothing to change on {}.", c.dn))?;
            } else {
                out.text(&format!("Updated {} ({}).", c.dn, set.changed.join(", ")))?;
            }
        }
        ContactCommand::Remove { id, plan } => {
            let c = admin::find(dir.as_ref(), &catalog.contexts, id)?;
            let changes = admin::plan_remove(&c);
            let result = ContactResult {
                status: if plan.dry_run { "planned" } else { "removed" },
                dry_run: plan.dry_run,
                contact: ContactView::new(&catalog, &c),
                changed: Vec::new(),
                warnings: Vec::new(),
                changes: Vec::new(),
            };
            if plan.dry_run {
                let ps = powershell::remove_contact_script(&c);
                print_plan(&out, *plan, result, &changes, &ps)?;
                return Ok(ExitCode::SUCCESS);
            }
            if !global.yes {
                if !interactive() {
                    bail!(UsageError(format!(
                        "removing {} needs a confirmation: run on a terminal, or pass --yes",
                        c.dn
                    )));
                }
                crate::cli::prompt::confirm(&format!(
                    "Remove the {} contact {} ({}, {})?",
                    kind_words(c.kind),
                    c.display_name.as_deref().unwrap_or(""),
                    c.sip_address,
                    c.line_uri.number
                ))?;
            }
            admin::apply(dir.as_ref(), &changes)?;
            if out.json {
                out.json(&result)?;
            } else {
                out.text(&format!("Removed {}.", c.dn))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn view_table(v: &ContactView) -> String {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let rows = vec![
        vec!["DN".to_string(), v.dn.to_string()],
        vec!["DisplayName".into(), opt(&v.display_name)],
        vec!["Description".into(), opt(&v.description)],
        vec!["SipAddress".into(), v.sip_address.clone()],
        vec!["DisplayNumber".into(), v.display_number.clone()],
        vec!["Kind".into(), kind_name(v.kind).into()],
        vec!["DialPlan".into(), opt(&v.dial_plan)],
        vec!["AutoAttendant".into(), opt(&v.auto_attendant)],
        vec![
            "RegistrarPool".into(),
            v.registrar_pool
                .clone()
                .unwrap_or_else(|| v.home_pool.to_string()),
        ],
        vec!["PhoneContext".into(), v.phone_context.clone()],
        vec!["OtherIpPhone".into(), v.other_ip_phone.clone()],
        vec![
            "Enabled".into(),
            if v.enabled { "True" } else { "False" }.into(),
        ],
    ];
    table(&["Property", "Value"], rows)
}
