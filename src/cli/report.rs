//! `umctl report calls|summary`: the call data records serve wrote (`<lab>/calls`, or
//! `--data-dir`), filtered and printed newest first, or Get-UMCallSummaryReport's totals; as
//! a table, `--json` or `--csv` with Exchange's column names. A torn line (a crash while
//! writing) is skipped and reported on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::args::{
    GlobalArgs, GroupByArg, IntervalArg, ReportArgs, ReportCallsArgs, ReportCommand, ReportSource,
    ReportSummaryArgs,
};
use crate::cli::output::{table, Output};
use crate::cli::target::lab_root;
use crate::cli::UsageError;
use crate::records::report::{self, CallRow, Filter, GroupBy, Interval};
use crate::records::{parse_time, CallRecord, CallStore, CallType};

/// The calls folder: `<data-dir>/calls`, else the platform data folder's with --ldap, else
/// `<lab>/calls`.
pub fn calls_dir(global: &GlobalArgs, data_dir: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(d) = data_dir {
        return Ok(d.join("calls"));
    }
    if global.ldap.is_some() {
        let dirs = directories::ProjectDirs::from("", "", "umctl")
            .context("no home folder for the call records; give one with --data-dir DIR")?;
        return Ok(dirs.data_dir().join("calls"));
    }
    Ok(lab_root(global)?.join("calls"))
}

pub fn run(global: &GlobalArgs, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        ReportCommand::Calls(a) => calls(global, a),
        ReportCommand::Summary(a) => summary(global, a),
    }
}

fn store(global: &GlobalArgs, source: &ReportSource) -> anyhow::Result<CallStore> {
    Ok(CallStore::new(calls_dir(global, source.data_dir.as_ref())?))
}

fn time_arg(flag: &str, value: Option<&String>) -> anyhow::Result<Option<String>> {
    value
        .map(|v| {
            parse_time(v).ok_or_else(|| {
                anyhow::Error::new(UsageError(format!(
                    "{flag} '{v}': expected a date (2026-12-04) or an RFC 3339 time (2026-12-04T10:00:00Z)"
                )))
            })
        })
        .transpose()
}

fn report_skipped(out: &Output, skipped: &[(PathBuf, usize)]) {
    for (file, line) in skipped {
        out.note(&format!(
            "skipped {}:{line}: not a whole record (a write cut short by a crash)",
            file.display()
        ));
    }
}

fn calls(global: &GlobalArgs, args: &ReportCallsArgs) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let call_type = args
        .call_type
        .as_deref()
        .map(|t| {
            CallType::parse(t).ok_or_else(|| {
                let names: Vec<&str> = CallType::ALL.iter().map(|t| t.as_str()).collect();
                UsageError(format!(
                    "--type '{t}': expected one of {}",
                    names.join(", ")
                ))
            })
        })
        .transpose()?;
    let filter = Filter {
        user: args.user.clone(),
        dial_plan: args.dial_plan.clone(),
        since: time_arg("--since", args.since.as_ref())?,
        until: time_arg("--until", args.until.as_ref())?,
        call_type,
    };
    let store = store(global, &args.source)?;
    let read = store
        .read::<CallRecord>(filter.since.as_deref(), filter.until.as_deref())
        .with_context(|| format!("reading the call records in {}", store.dir().display()))?;
    report_skipped(&out, &read.skipped);
    let records = report::calls(read.records, &filter);
    if out.json {
        out.json(&records)?;
    } else if args.source.csv {
        write_csv(records.iter().map(CallRow::of))?;
    } else if records.is_empty() {
        out.text(&format!("no call records in {}", store.dir().display()))?;
    } else {
        let rows = records.iter().map(|r| {
            vec![
                r.date.clone(),
                format!("{:.1}", r.duration),
                r.call_type
                    .map(CallType::as_str)
                    .unwrap_or_default()
                    .to_string(),
                r.calling_number.clone(),
                r.called_number.clone(),
                r.dial_plan.clone().unwrap_or_default(),
                r.nmos.map(|n| format!("{n:.2}")).unwrap_or_default(),
                r.outcome(),
            ]
        });
        out.text(&table(
            &[
                "Date",
                "Duration",
                "CallType",
                "CallingNumber",
                "CalledNumber",
                "DialPlan",
                "NMOS",
                "Outcome",
            ],
            rows,
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(global: &GlobalArgs, args: &ReportSummaryArgs) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let store = store(global, &args.source)?;
    let group_by = match args.group_by {
        GroupByArg::DialPlan => GroupBy::DialPlan,
        GroupByArg::Gateway => GroupBy::Gateway,
        GroupByArg::Server => GroupBy::Server,
    };
    let interval = match args.interval {
        IntervalArg::Day => Interval::Day,
        IntervalArg::Month => Interval::Month,
    };
    let (rows, skipped) = report::summarize(&store, group_by, interval)
        .with_context(|| format!("reading the call records in {}", store.dir().display()))?;
    report_skipped(&out, &skipped);
    if out.json {
        out.json(&rows)?;
    } else if args.source.csv {
        write_csv(rows.iter())?;
    } else if rows.is_empty() {
        out.text(&format!("no call records in {}", store.dir().display()))?;
    } else {
        let f = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_default();
        let table_rows = rows.iter().map(|r| {
            vec![
                r.date.clone(),
                r.group.clone(),
                r.total_calls.to_string(),
                r.voice_messages.to_string(),
                r.missed_calls.to_string(),
                r.subscriber_access.to_string(),
                r.auto_attendant.to_string(),
                r.fax.to_string(),
                r.failed_or_rejected_calls.to_string(),
                r.other_calls.to_string(),
                f(r.nmos),
                f(r.percent_packet_loss),
                f(r.jitter),
                f(r.round_trip_milliseconds),
            ]
        });
        out.text(&table(
            &[
                "Date",
                "Group",
                "TotalCalls",
                "VoiceMessages",
                "MissedCalls",
                "SubscriberAccess",
                "AutoAttendant",
                "Fax",
                "FailedOrRejectedCalls",
                "OtherCalls",
                "NMOS",
                "PercentPacketLoss",
                "Jitter",
                "RoundTripMilliseconds",
            ],
            table_rows,
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Rows as CSV on stdout (a header row of the serde names).
fn write_csv<T: serde::Serialize>(rows: impl Iterator<Item = T>) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    for row in rows {
        match w.serialize(row) {
            Err(e) if is_broken_pipe(&e) => return Ok(()),
            other => other?,
        }
    }
    match w.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn is_broken_pipe(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}
