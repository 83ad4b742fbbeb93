//! Whole-process time of `umctl doctor` on the 100,000-user generated forest
//! (benches/support/forest.rs), as an administrator runs it: a fresh process each run, so the
//! figure includes loading the lab. Goal (issue "The whole deployment at once"): under 5 s.
//!
//! Run: cargo bench --bench doctor  (DOCTOR_RUNS sets the number of runs, default 3;
//! DOCTOR_LAB_DIR keeps the generated lab there, for a profiler:
//! `perf record umctl --lab DIR doctor --json`).

#[path = "support/forest.rs"]
mod forest;

use std::process::Command;
use std::time::{Duration, Instant};

use umctl::directory::lab::LabDirectory;

fn umctl() -> &'static str {
    env!("CARGO_BIN_EXE_umctl")
}

fn time_runs(lab: &std::path::Path, runs: usize, expect: i32) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(umctl())
            .arg("--lab")
            .arg(lab)
            .args(["doctor", "--json"])
            .env_remove("UMCTL_LAB")
            .output()
            .expect("run umctl");
        times.push(start.elapsed());
        assert_eq!(
            out.status.code(),
            Some(expect),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let users = doc["totals"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["kind"] == "user"))
            .map(|t| t["checked"].as_u64().unwrap_or(0))
            .unwrap_or(0);
        assert!(users as usize > forest::USERS, "checked only {users} users");
    }
    times.sort();
    times
}

fn report(what: &str, times: &[Duration]) {
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "{what}: {} runs, min {:.2} s, median {:.2} s, max {:.2} s (goal < 5 s)",
        times.len(),
        s(times[0]),
        s(times[times.len() / 2]),
        s(times[times.len() - 1]),
    );
}

fn main() {
    // `cargo test --benches` runs benches with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs: usize = std::env::var("DOCTOR_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = match std::env::var_os("DOCTOR_LAB_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => dir.path().join("lab"),
    };
    LabDirectory::import(&root, forest::generated_forest().as_bytes(), "generated")
        .expect("import");
    report(
        "umctl doctor, 100,000 users, fresh lab",
        &time_runs(&root, runs, 1),
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
    assert!(status.status.success());
    report(
        "umctl doctor, 100,000 users, after the grant",
        &time_runs(&root, runs, 1),
    );
}
