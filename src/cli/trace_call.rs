//! `umctl trace-call`: parses the options, opens the directory (with the lab's host table and
//! mailbox folders when it is the lab), runs the offline trace and prints it as a table, a
//! SIP ladder or JSON. Exit 0 when the call reaches its goal, 1 when a hop fails.

use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::args::{GlobalArgs, ScenarioArg, TraceCallArgs};
use crate::cli::output::Output;
use crate::cli::target::{connect_ldap, open_lab};
use crate::cli::UsageError;
use crate::trace::{report, trace_offline, Scenario, Trace, TraceRequest};
use crate::um::UmContext;

/// What --live and --pcap say until the live trace against `umctl serve` exists.
pub const LIVE_UNAVAILABLE: &str =
    "`--live` (a trace against a running umctl serve) is not in this build yet; drop --live and --pcap for the offline trace";

pub fn run(global: &GlobalArgs, args: &TraceCallArgs) -> anyhow::Result<ExitCode> {
    if args.live || args.pcap.is_some() {
        bail!(UsageError(LIVE_UNAVAILABLE.into()));
    }
    let request = request(args)?;
    let out = Output::new(global);
    let trace = if global.ldap.is_some() {
        let dir = connect_ldap(global)?;
        trace_offline(&dir, &request, &UmContext::default())?
    } else {
        let lab = open_lab(global)?;
        let hosts = lab.hosts().context("reading the lab's hosts table")?;
        let mailboxes = lab.paths().mailboxes();
        let ctx = UmContext {
            hosts: Some(&hosts),
            mailboxes: Some(&mailboxes),
        };
        trace_offline(&lab, &request, &ctx)?
    };
    print(&out, args, &trace)?;
    Ok(if trace.reached {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn request(args: &TraceCallArgs) -> anyhow::Result<TraceRequest> {
    if let Some(d) = &args.digits {
        if d.is_empty()
            || !d
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        {
            bail!(UsageError(format!(
                "--digits '{d}': expected DTMF keys 0-9, * and #"
            )));
        }
    }
    if let Some(path) = &args.wave_file {
        let bytes = std::fs::read(path)
            .map_err(|e| UsageError(format!("--wave-file {}: {e}", path.display())))?;
        if let Err(e) = crate::media::wav::parse(&bytes) {
            bail!(UsageError(format!(
                "--wave-file {}: {e} (expected a WAV file)",
                path.display()
            )));
        }
    }
    Ok(TraceRequest {
        to: args.to.clone(),
        from: args.from.clone(),
        scenario: match args.scenario {
            ScenarioArg::NoAnswer => Scenario::NoAnswer,
            ScenarioArg::Busy => Scenario::Busy,
            ScenarioArg::Direct => Scenario::Direct,
        },
        hang_up_before_beep: args.hang_up_before_beep,
        message_seconds: args.message_seconds,
        wave_file: args.wave_file.clone(),
        digits: args.digits.clone(),
    })
}

fn print(out: &Output, args: &TraceCallArgs, trace: &Trace) -> anyhow::Result<()> {
    if out.json {
        out.json(trace)?;
        return Ok(());
    }
    if args.ladder {
        let mut text = report::ladder(trace);
        let verdict = report::table(trace);
        // The verdict lines that follow the table.
        let tail: Vec<&str> = verdict
            .lines()
            .skip_while(|l| !(l.starts_with("FAILED at hop") || l.starts_with("OK: ")))
            .collect();
        text.push('\n');
        text.push_str(&tail.join("\n"));
        out.text(&text)?;
        return Ok(());
    }
    out.text(&report::table(trace))?;
    Ok(())
}
