//! `umctl doctor`: opens the directory (the lab with its hosts table and mailboxes, or
//! `--ldap`), runs [`crate::trace::doctor::run`] with a progress bar on a terminal, and prints
//! the findings grouped by cause (or every object with `--all`, every finding with `--json`,
//! the fixes as PowerShell with `--powershell`). Exit 0 when nothing is broken, 1 when
//! something is.

use std::io::IsTerminal;
use std::net::{IpAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use rustls_pki_types::CertificateDer;
use serde::Serialize;

use crate::admin::grant::{self, GrantOptions};
use crate::admin::powershell::{self, FixLine};
use crate::cli::args::{DoctorArgs, GlobalArgs};
use crate::cli::output::{table, Output};
use crate::cli::target::{connect_ldap, lab_root, open_lab_in_memory};
use crate::cli::trace_call::trust_anchors;
use crate::directory::lab::HostsTable;
use crate::directory::{lookup, Directory};
use crate::sip::transport::certs::LabCa;
use crate::trace::certificates;
use crate::trace::doctor::{self, Checked, Finding, Group, Progress, Report};
use crate::um::UmContext;

pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    if global.ldap.is_some() {
        let dir = connect_ldap(global)?;
        let tls = args.tls.then(|| TlsCheck::dns(global, args)).transpose()?;
        return report(&out, args, &dir, &UmContext::default(), tls.as_ref());
    }
    let lab = open_lab_in_memory(global)?;
    let hosts = lab.hosts().context("reading the lab's hosts table")?;
    let mailboxes = lab.paths().mailboxes();
    let ctx = UmContext {
        hosts: Some(&hosts),
        mailboxes: Some(&mailboxes),
    };
    let tls = args
        .tls
        .then(|| TlsCheck::lab(global, args, &hosts))
        .transpose()?;
    report(&out, args, lab, &ctx, tls.as_ref())
}

/// Checks `dir` (and with `tls`, the servers' TLS listeners) and prints the report as asked.
fn report(
    out: &Output,
    args: &DoctorArgs,
    dir: &dyn Directory,
    ctx: &UmContext<'_>,
    tls: Option<&TlsCheck<'_>>,
) -> anyhow::Result<ExitCode> {
    let mut report = check(out, dir, ctx)?;
    if let Some(tls) = tls {
        tls.run(dir, &mut report)?;
    }
    if out.json {
        out.json(&JsonReport::new(&report, args.all))?;
    } else if args.powershell {
        out.text(&powershell(dir, &report)?)?;
    } else {
        out.text(&text(&report, args.all))?;
    }
    Ok(if report.broken() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// How long one TLS listener has for its handshake.
const TLS_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a server's FQDN points, or why it points nowhere.
type AddressOf<'a> = Box<dyn Fn(&str) -> Result<IpAddr, String> + 'a>;

/// `--tls`: whom to trust, where the servers are and the port offset.
struct TlsCheck<'a> {
    anchors: Vec<CertificateDer<'static>>,
    anchors_name: String,
    address_of: AddressOf<'a>,
    offset: u16,
}

impl<'a> TlsCheck<'a> {
    /// The lab: the addresses of its hosts table, --ca-file else the lab CA.
    fn lab(
        global: &GlobalArgs,
        args: &DoctorArgs,
        hosts: &'a HostsTable,
    ) -> anyhow::Result<TlsCheck<'a>> {
        let ca_dir = lab_root(global)?.join("ca");
        let ca = LabCa::load_or_create(&ca_dir)
            .with_context(|| format!("opening the lab CA in {}", ca_dir.display()))?;
        let (anchors, anchors_name) = trust_anchors(global, Some(&ca))?;
        Ok(TlsCheck {
            anchors,
            anchors_name,
            address_of: Box::new(|fqdn: &str| {
                hosts.lookup(fqdn).map(IpAddr::V4).ok_or_else(|| {
                    format!("{fqdn} is not in the lab's hosts table (see `umctl lab hosts`)")
                })
            }),
            offset: args.port_offset.unwrap_or(0),
        })
    }

    /// A real deployment (--ldap): DNS, and the CAs of --ca-file.
    fn dns(global: &GlobalArgs, args: &DoctorArgs) -> anyhow::Result<TlsCheck<'static>> {
        let (anchors, anchors_name) = trust_anchors(global, None)?;
        Ok(TlsCheck {
            anchors,
            anchors_name,
            address_of: Box::new(|fqdn: &str| {
                (fqdn, 0)
                    .to_socket_addrs()
                    .map_err(|e| format!("{fqdn} does not resolve: {e}"))?
                    .next()
                    .map(|a| a.ip())
                    .ok_or_else(|| format!("{fqdn} resolves to no address"))
            }),
            offset: args.port_offset.unwrap_or(0),
        })
    }

    /// Checks every UM server's TLS listeners and adds the findings to `report`.
    fn run(&self, dir: &dyn Directory, report: &mut Report) -> anyhow::Result<()> {
        let org = lookup::organization(dir)?;
        let servers = lookup::exchange_servers(dir, &org)?;
        let listeners = certificates::listeners(&servers, self.offset, &*self.address_of);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let checks = runtime.block_on(certificates::check_listeners(
            &listeners,
            &self.anchors,
            &self.anchors_name,
            TLS_TIMEOUT,
        ));
        doctor::push_tls(report, &listeners, &checks);
        Ok(())
    }
}

/// The fixes as PowerShell; when a fix is `umctl grant-permissions`, its plan's lines too.
fn powershell(dir: &dyn Directory, report: &Report) -> anyhow::Result<String> {
    let lines: Vec<FixLine> = report
        .findings
        .iter()
        .map(|f| FixLine {
            cause: f.cause.clone(),
            object: f.object.clone(),
            fix: f.fix.clone(),
        })
        .collect();
    let mut script = powershell::doctor_script(&lines);
    if report
        .findings
        .iter()
        .any(|f| f.fix.starts_with("umctl grant-permissions"))
    {
        let plan = grant::plan_for(dir, &GrantOptions::default())?;
        script.push_str(&powershell::grant_script(&plan, true));
    }
    Ok(script)
}

/// Runs the checks with a progress bar on stderr when it is a terminal and the run is long
/// (more than [`PROGRESS_THRESHOLD`] objects).
fn check(out: &Output, dir: &dyn Directory, ctx: &UmContext<'_>) -> anyhow::Result<Report> {
    let wanted = std::io::stderr().is_terminal() && !out.quiet && !out.json;
    let mut bar: Option<indicatif::ProgressBar> = None;
    let report = doctor::run(dir, ctx, &mut |p: Progress<'_>| {
        if !wanted || p.total <= PROGRESS_THRESHOLD {
            return;
        }
        let bar = bar.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new(p.total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}, {eta} left")
            {
                bar.set_style(style);
            }
            bar
        });
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(p.stage.to_string());
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(report?)
}

/// How many objects make a run long enough for a progress bar.
const PROGRESS_THRESHOLD: usize = 1000;

/// The `--json` document: the verdict, the groups, the totals and every finding (and with
/// `--all`, every object checked).
#[derive(Serialize)]
struct JsonReport<'a> {
    broken: bool,
    groups: Vec<Group>,
    totals: Vec<Total>,
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    checked: Option<&'a [Checked]>,
}

#[derive(Serialize)]
struct Total {
    kind: String,
    checked: usize,
    broken: usize,
}

impl<'a> JsonReport<'a> {
    fn new(report: &'a Report, all: bool) -> JsonReport<'a> {
        JsonReport {
            broken: report.broken(),
            groups: report.groups(),
            totals: totals(report),
            findings: &report.findings,
            checked: all.then_some(report.checked.as_slice()),
        }
    }
}

fn totals(report: &Report) -> Vec<Total> {
    report
        .totals()
        .into_iter()
        .map(|(kind, (checked, broken))| Total {
            kind,
            checked,
            broken,
        })
        .collect()
}

/// The summary: one row per cause, then the totals (and with `--all`, every object).
fn text(report: &Report, all: bool) -> String {
    let mut s = String::new();
    if all {
        let rows = report.checked.iter().map(|c| {
            vec![
                c.kind.clone(),
                c.object.clone(),
                if c.causes.is_empty() {
                    "ok".to_string()
                } else {
                    c.causes.join(", ")
                },
            ]
        });
        s.push_str(&table(&["kind", "object", "status"], rows));
        s.push('\n');
    }
    let groups = report.groups();
    if groups.is_empty() {
        s.push_str("Nothing is broken.\n");
    } else {
        let rows = groups.iter().map(|g| {
            let mut objects = g.objects.join(", ");
            if g.count > g.objects.len() {
                objects.push_str(&format!(" and {} more", g.count - g.objects.len()));
            }
            vec![g.cause.clone(), g.count.to_string(), objects, g.fix.clone()]
        });
        s.push_str(&table(&["cause", "count", "objects", "fix"], rows));
        s.push('\n');
    }
    let totals: Vec<String> = totals(report)
        .iter()
        .map(|t| {
            format!(
                "{} {} ({} broken)",
                t.checked,
                plural(&t.kind, t.checked),
                t.broken
            )
        })
        .collect();
    s.push_str(&format!(
        "Checked {}. {} finding(s) in {} cause(s){}.\n",
        totals.join(", "),
        report.findings.len(),
        groups.len(),
        if report.broken() {
            "; umctl doctor --json lists each with why and fix"
        } else {
            ""
        }
    ));
    s
}

fn plural(kind: &str, n: usize) -> String {
    match (n, kind) {
        (1, k) => k.to_string(),
        (_, "auto attendant") => "auto attendants".into(),
        (_, "dial plan") => "dial plans".into(),
        (_, k) => format!("{k}s"),
    }
}
