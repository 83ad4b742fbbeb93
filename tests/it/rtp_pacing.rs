//! The worker's RTP pacing seen on the wire (issue #7: "tshark confirms the greeting's RTP
//! packets leave every 20 ms"): tshark captures on loopback what EX-MBX02's worker sends to
//! pool01 while `umctl trace-call --live` takes a call with an 8-second greeting; the
//! greeting's packets (consecutive sequence numbers, 160 timestamp units apart) are read back
//! with their capture times, and the intervals' deviation from 20 ms is printed (p50, p99,
//! max) and bounded loosely enough for a loaded 2-core box: a mean interval within 0.5 ms of
//! 20 ms and a median deviation under 2 ms on every call, and a p99 under 10 ms on the best
//! of up to three calls (other processes' stalls land on single packets). Skips loudly
//! without tshark outside CI (CI installs it).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::TempLab;
use crate::trace_live::tshark_available;

/// pool01.contoso.com (the live trace's caller) and ex-mbx02.contoso.com (Bob's worker).
const POOL01: &str = "127.0.10.1";
const EX_MBX02: &str = "127.0.20.12";
const GREETING_SECONDS: f64 = 8.0;

/// Starts tshark writing the capture of `filter` on lo to `file`; returns once it says
/// "Capturing on".
fn start_capture(filter: &str, file: &Path) -> Child {
    let mut child = Command::new("tshark")
        .args(["-i", "lo", "-f", filter, "-w"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    // Keeps reading stderr to the end, so tshark never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line.contains("Capturing on") => return child,
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("tshark did not start capturing: {seen:#?}");
            }
        }
    }
}

/// Stops tshark as a user would (SIGINT, by its PID), so it finishes the file.
fn stop_capture(mut child: Child) {
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

/// (capture time, sequence number, RTP timestamp) of the RTP packets to UDP port `port`.
fn rtp_packets(file: &Path, port: u16) -> Vec<(f64, u16, u32)> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args([
            "-d",
            &format!("udp.port=={port},rtp"),
            "-Y",
            &format!("rtp && udp.dstport=={port}"),
            "-T",
            "fields",
            "-E",
            "separator=,",
            "-e",
            "frame.time_epoch",
            "-e",
            "rtp.seq",
            "-e",
            "rtp.timestamp",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

/// The p-th percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p / 100.0).round() as usize]
}

/// What one captured call says about the greeting's packets.
struct Pacing {
    intervals: usize,
    mean: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

impl std::fmt::Display for Pacing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} greeting RTP intervals, mean {:.3} ms; deviation from 20 ms: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            self.intervals, self.mean, self.p50, self.p99, self.max
        )
    }
}

/// One live call to Bob under tshark; the pacing of the greeting's packets.
fn capture_one_call(lab: &TempLab, attempt: usize) -> Pacing {
    let capture = lab.file(&format!("worker-{attempt}.pcapng"));
    let tshark = start_capture(
        &format!("udp and src host {EX_MBX02} and dst host {POOL01}"),
        &capture,
    );
    let run = lab.run(&[
        "trace-call",
        "--to",
        "bob",
        "--live",
        "--json",
        "--message-seconds",
        "1",
        "--delivery-wait",
        "20",
    ]);
    stop_capture(tshark);
    let trace = run.expect_code(0).json();
    // The caller's RTP port: "RTP from the UM worker: N packet(s) received on ADDR".
    let looked = trace["hops"][7]["looked_up"].as_array().unwrap();
    let port: u16 = looked
        .iter()
        .find_map(|l| {
            l.as_str()?
                .strip_prefix("RTP from the UM worker: ")?
                .rsplit(':')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no caller RTP port in {looked:#?}"));

    let packets = rtp_packets(&capture, port);
    // The greeting and the beep: the first packets of the stream.
    let greeting_packets = ((GREETING_SECONDS + 0.4) / 0.02) as usize;
    assert!(
        packets.len() >= greeting_packets,
        "tshark saw {} RTP packets from the worker, expected at least {greeting_packets}",
        packets.len()
    );
    let mut intervals = Vec::new();
    for w in packets[..greeting_packets].windows(2) {
        let ((t0, s0, ts0), (t1, s1, ts1)) = (w[0], w[1]);
        if s1 == s0.wrapping_add(1) && ts1 == ts0.wrapping_add(160) {
            intervals.push((t1 - t0) * 1000.0);
        }
    }
    assert!(
        intervals.len() >= greeting_packets * 9 / 10,
        "only {} of {greeting_packets} greeting packets follow each other",
        intervals.len()
    );
    let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
    let mut deviation: Vec<f64> = intervals.iter().map(|i| (i - 20.0).abs()).collect();
    deviation.sort_by(f64::total_cmp);
    Pacing {
        intervals: intervals.len(),
        mean,
        p50: pct(&deviation, 50.0),
        p99: pct(&deviation, 99.0),
        max: deviation[deviation.len() - 1],
    }
}

/// The p99 bound; a call on this shared box can meet a few stalls of other processes (a
/// stall of 15 ms makes one interval long and the catch-up one short), so the p99 is taken
/// as the best of up to three calls. The mean and the median must hold on every call: a
/// pacer that drifts or bursts fails them every time.
const P99_BOUND_MS: f64 = 10.0;
const ATTEMPTS: usize = 3;

#[test]
fn tshark_sees_the_greetings_rtp_leave_every_20_ms() {
    if !tshark_available("tshark_sees_the_greetings_rtp_leave_every_20_ms") {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let tone: Vec<i16> = (0..(8000.0 * GREETING_SECONDS) as usize)
        .map(|n| (6000.0 * (2.0 * std::f64::consts::PI * 440.0 * n as f64 / 8000.0).sin()) as i16)
        .collect();
    let greeting = lab.write("greeting.wav", &umctl::media::wav::encode_pcm16(&tone));
    lab.run(&["lab", "greeting", "set", "bob", greeting.to_str().unwrap()])
        .ok();

    let mut seen = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let p = capture_one_call(&lab, attempt);
        eprintln!("tshark, call {attempt}: {p}");
        assert!((p.mean - 20.0).abs() < 0.5, "mean interval: {p}");
        assert!(p.p50 < 2.0, "median deviation: {p}");
        let met = p.p99 < P99_BOUND_MS;
        seen.push(p.to_string());
        if met {
            return;
        }
    }
    panic!("p99 deviation at or above {P99_BOUND_MS} ms on each of {ATTEMPTS} calls: {seen:#?}");
}
