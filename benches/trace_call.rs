//! Whole-process time of an offline `umctl trace-call` on the 100,000-user generated forest
//! (benches/support/forest.rs): a fresh process each run, as an administrator runs it, so the
//! figure includes loading the lab. Goal (issue "trace-call"): under 300 ms.
//!
//! Run: cargo bench --bench trace_call  (TRACE_RUNS sets the number of runs; TRACE_LAB_DIR
//! keeps the generated lab there, for hyperfine or a profiler:
//! `hyperfine 'umctl --lab DIR trace-call --to u050000'`).

#[path = "support/forest.rs"]
mod forest;

use std::process::Command;
use std::time::{Duration, Instant};

use umctl::directory::lab::LabDirectory;
use umctl::trace::{trace_offline, TraceRequest};
use umctl::um::UmContext;

fn umctl() -> &'static str {
    env!("CARGO_BIN_EXE_umctl")
}

fn time_runs(lab: &std::path::Path, args: &[&str], runs: usize, expect: i32) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(umctl())
            .arg("--lab")
            .arg(lab)
            .args(args)
            .env_remove("UMCTL_LAB")
            .output()
            .expect("run umctl");
        times.push(start.elapsed());
        assert_eq!(
            out.status.code(),
            Some(expect),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort();
    times
}

fn report(what: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    println!(
        "{what}: {} runs, min {:.1} ms, median {:.1} ms, mean {:.1} ms, max {:.1} ms (goal < 300 ms)",
        times.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        mean,
        ms(times[times.len() - 1]),
    );
}

fn main() {
    // `cargo test --benches` runs benches with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs: usize = std::env::var("TRACE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().expect("temp dir");
    // TRACE_LAB_DIR keeps the generated lab for hyperfine or a profiler.
    let root = match std::env::var_os("TRACE_LAB_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => dir.path().join("lab"),
    };
    let started = Instant::now();
    LabDirectory::import(&root, forest::generated_forest().as_bytes(), "generated")
        .expect("import");
    println!(
        "imported {} users into {} in {:.1} s",
        forest::USERS,
        root.display(),
        started.elapsed().as_secs_f64()
    );

    let fresh = time_runs(&root, &["trace-call", "--to", "u050000"], runs, 1);
    report(
        "trace-call --to u050000, fresh lab (fails at hop 4)",
        &fresh,
    );

    let grant = dir.path().join("grant.ldif");
    std::fs::write(&grant, forest::grant_ldif()).expect("write grant LDIF");
    let status = Command::new(umctl())
        .arg("--lab")
        .arg(&root)
        .args(["lab", "apply"])
        .arg(&grant)
        .output()
        .expect("lab apply");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );

    // The same trace in-process: what the lab load costs and what the trace itself costs.
    let started = Instant::now();
    let lab = LabDirectory::open(&root).expect("open");
    let load = started.elapsed();
    let hosts = lab.hosts().expect("hosts");
    let mailboxes = lab.paths().mailboxes();
    let ctx = UmContext {
        hosts: Some(&hosts),
        mailboxes: Some(&mailboxes),
    };
    let request = TraceRequest {
        to: "u050000".into(),
        ..TraceRequest::default()
    };
    let started = Instant::now();
    let n = 100;
    for _ in 0..n {
        let trace = trace_offline(&lab, &request, &ctx).expect("trace");
        assert!(trace.reached, "{:?}", trace.failure());
    }
    println!(
        "in process: opening the lab {:.1} ms; one trace-call --to u050000 {:.2} ms (mean of {n})",
        load.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    );

    let ok = time_runs(&root, &["trace-call", "--to", "u050000"], runs, 0);
    report(
        "trace-call --to u050000, granted lab (reaches voice mail)",
        &ok,
    );
    let json = time_runs(
        &root,
        &["trace-call", "--json", "--to", "+962651050000"],
        runs,
        0,
    );
    report(
        "trace-call --json --to +962651050000 (line URI lookup)",
        &json,
    );
    let ext = time_runs(
        &root,
        &["trace-call", "--to", "1050000", "--from", "u000001"],
        runs,
        0,
    );
    report("trace-call --to 1050000 --from u000001 (extension)", &ext);
}
