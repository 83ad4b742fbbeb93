//! Several serve nodes behind Kamailio's dispatcher (issue 19), as deploy/kamailio/ configures
//! it: `umctl serve --server EX-CAS01` and `--server EX-CAS02` (the two Client Access servers
//! of the lab, each on its own lab address) behind one Kamailio listening on pool01's address
//! (the pool's next hop for UM), and `--server EX-MBX02` (Bob's mailbox server: UM service and
//! workers), all with one `--port-offset`. SIPp leaves voice mails through Kamailio at a
//! bounded rate (5 calls/s), and midway:
//! - EX-CAS01 gets SIGKILL and is restarted 10 s later: the dispatcher marks it down within
//!   the detection window, sends it nothing while down and calls again once it is back; the
//!   failed calls are bounded by the window times the call rate (with failover, none); every
//!   answered call's message is in Bob's Maildir;
//! - EX-MBX02 gets SIGKILL and is restarted 10 s later: every recording in its spool at the
//!   kill is delivered after the restart (interrupted, or a missed-call notification when the
//!   caller had not spoken yet), every completed call has its message;
//! - every node in turn gets SIGTERM (drain) and is restarted: no answered call is cut.
//!
//! The figures are printed. Every process is started here, on loopback, and stopped by its
//! own PID.

use std::fs::File;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::mail_servers::deploy_file;
use crate::serve::{count, sipp_available, Sipp};
use crate::support::ServeHarness;
use crate::voicemail::{lab_with_short_greeting, wait_for_messages};

/// pool01.contoso.com: a UM IP gateway, so the call routers admit what Kamailio relays.
const POOL01: &str = "127.0.10.1";
/// The dispatcher's probe interval and tm's fr_timer in deploy/kamailio/kamailio.cfg (s).
const PING_INTERVAL_S: f64 = 1.0;
const FR_TIMER_S: f64 = 1.0;

/// A Kamailio in the foreground (`-DD`: the PID held is the main process), logging to a file.
struct Kamailio {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Kamailio {
    fn start(destinations: &[SocketAddr]) -> Kamailio {
        let dir = tempfile::Builder::new().prefix("kam-").tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("run")).unwrap();
        let port = UdpSocket::bind((POOL01, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("{POOL01}:{port}").parse().unwrap();
        let list = deploy_file("kamailio/dispatcher.list")
            .replace("@CAS01@", &destinations[0].to_string())
            .replace("@CAS02@", &destinations[1].to_string());
        std::fs::write(d.join("dispatcher.list"), list).unwrap();
        let cfg = deploy_file("kamailio/kamailio.cfg")
            .replace("@LISTEN@", &format!("udp:{addr}"))
            .replace("@RUN@", d.join("run").to_str().unwrap())
            .replace("@LIST@", d.join("dispatcher.list").to_str().unwrap());
        std::fs::write(d.join("kamailio.cfg"), cfg).unwrap();
        let log = File::create(d.join("kamailio.log")).unwrap();
        let run = d.join("run");
        let child = Command::new("kamailio")
            .arg("-f")
            .arg(d.join("kamailio.cfg"))
            .args(["-DD", "-E", "-m", "32", "-M", "4", "-Y"])
            .arg(&run)
            .arg("-P")
            .arg(run.join("kamailio.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn kamailio");
        let kamailio = Kamailio { child, addr, dir };
        let end = Instant::now() + Duration::from_secs(10);
        while kamailio.active().len() < destinations.len() {
            assert!(
                Instant::now() < end,
                "the dispatcher never saw every node up:\n{}\n{}",
                kamailio.list(),
                kamailio.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        kamailio
    }

    /// `kamcmd dispatcher.list` through the private ctl socket.
    fn list(&self) -> String {
        let sock = format!(
            "unix:{}",
            self.dir.path().join("run/kamailio_ctl").display()
        );
        Command::new("kamcmd")
            .args(["-s", &sock, "dispatcher.list"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The destinations whose flags start with A (active).
    fn active(&self) -> Vec<String> {
        flagged(&self.list(), 'A')
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kamailio.log")).unwrap_or_default()
    }
}

/// The URIs in a `dispatcher.list` answer whose FLAGS start with `first`.
fn flagged(list: &str, first: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut uri = None;
    for line in list.lines().map(str::trim) {
        if let Some(u) = line.strip_prefix("URI: ") {
            uri = Some(u.to_string());
        } else if let Some(f) = line.strip_prefix("FLAGS: ") {
            if f.starts_with(first) {
                out.extend(uri.take());
            }
        }
    }
    out
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        // SIGTERM to the main process stops its children too (SIGKILL would leave them).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port offset for this test's serve nodes (5060 + N ... 5068 + N on the lab addresses):
/// one per pool of this process, none shared with another process's.
fn port_offset() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 3;
    20000 + (std::process::id() % 1000) as u16 * 30 + n * 10
}

/// One pool at a time: each is a bounded load of its own on a shared machine.
static ONE_POOL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn start_node(lab: &crate::support::TempLab, server: &str, offset: u16) -> ServeHarness {
    ServeHarness::start_with(
        lab,
        &[
            "--server",
            server,
            "--port-offset",
            &offset.to_string(),
            "--startup-mode",
            "tcp",
            "--max-calls",
            "400",
        ],
    )
}

/// SIPp leaving voice mails for Bob through Kamailio: `rate` calls/s for `seconds`.
struct Load {
    sipp: Sipp,
    caller: Child,
    stat: PathBuf,
    _dir: tempfile::TempDir,
}

impl Load {
    fn start(kamailio: &Kamailio, rate: u64, seconds: u64) -> Load {
        let dir = tempfile::tempdir().unwrap();
        let stat = dir.path().join("stat.csv");
        // Bob's mailbox server, EX-MBX02 (the lab address the UM service's 302 names).
        let mut sipp = Sipp::new(
            "uac_voicemail.xml",
            kamailio.addr,
            "127.0.20.12".parse().unwrap(),
            "udp",
        );
        sipp.set("-d", "1500")
            .set("-r", &rate.to_string())
            .set("-m", &(rate * seconds).to_string())
            .set("-l", "400")
            .set("-timeout", "150s")
            .set("-stf", stat.to_str().unwrap())
            .set("-fd", "1");
        let mut cmd = sipp.command();
        cmd.arg("-trace_stat")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let caller = cmd.spawn().unwrap();
        Load {
            sipp,
            caller,
            stat,
            _dir: dir,
        }
    }

    /// Waits (at most 150 s, then SIGKILL by PID) for SIPp: its status, successful and
    /// failed calls.
    fn finish(&mut self) -> (std::process::ExitStatus, u64, u64) {
        let end = Instant::now() + Duration::from_secs(150);
        let status = loop {
            if let Some(status) = self.caller.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > end {
                let _ = self.caller.kill();
                break self.caller.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let (ok, failed) = sipp_totals(&self.stat);
        (status, ok, failed)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        if matches!(self.caller.try_wait(), Ok(None)) {
            let _ = self.caller.kill();
            let _ = self.caller.wait();
        }
    }
}

/// SIPp's last `-trace_stat` line: (successful, failed) calls.
fn sipp_totals(stat: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or_default().split(';').collect();
    let last: Vec<&str> = lines.last().unwrap_or_default().split(';').collect();
    let col = |name: &str| -> u64 {
        head.iter()
            .position(|h| *h == name)
            .and_then(|i| last.get(i))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {}", stat.display()))
    };
    (col("SuccessfulCall(C)"), col("FailedCall(C)"))
}

/// The pool every test here runs: one lab, `serve --server` EX-MBX02, EX-CAS01 and EX-CAS02
/// on one port offset, and Kamailio in front of the two call routers (both active).
struct Pool {
    _one: std::sync::MutexGuard<'static, ()>,
    lab: crate::support::TempLab,
    offset: u16,
    mbx: ServeHarness,
    cas01: ServeHarness,
    cas02: ServeHarness,
    cas01_addr: SocketAddr,
    cas02_addr: SocketAddr,
    kamailio: Kamailio,
}

/// The pool, or `None` (skipped loudly; a failure in CI) without SIPp or Kamailio.
fn pool(test: &str) -> Option<Pool> {
    if !sipp_available(test) || !Path::new("/usr/sbin/kamailio").is_file() {
        crate::support::skip_for_missing_peer(test, "kamailio");
        return None;
    }
    let one = ONE_POOL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let lab = lab_with_short_greeting();
    let offset = port_offset();
    let mbx = start_node(&lab, "EX-MBX02", offset);
    let cas01 = start_node(&lab, "EX-CAS01", offset);
    let cas02 = start_node(&lab, "EX-CAS02", offset);
    let cas01_addr = cas01.addr("EX-CAS01", "call_router", "udp");
    let cas02_addr = cas02.addr("EX-CAS02", "call_router", "udp");
    let kamailio = Kamailio::start(&[cas01_addr, cas02_addr]);
    Some(Pool {
        _one: one,
        lab,
        offset,
        mbx,
        cas01,
        cas02,
        cas01_addr,
        cas02_addr,
        kamailio,
    })
}

#[test]
fn a_call_router_killed_under_load_is_failed_over_and_no_message_is_lost() {
    let Some(Pool {
        _one,
        lab,
        offset,
        mbx,
        mut cas01,
        cas02,
        cas01_addr,
        cas02_addr,
        kamailio,
    }) = pool("a_call_router_killed_under_load_is_failed_over_and_no_message_is_lost")
    else {
        return;
    };
    const RATE: u64 = 5;
    const SECONDS: u64 = 30;

    let mut load = Load::start(&kamailio, RATE, SECONDS);
    let started = Instant::now();

    std::thread::sleep(Duration::from_secs(SECONDS / 3));
    cas01.kill_9();
    let killed = Instant::now();
    let cas01_uri = format!("sip:{cas01_addr}");
    while !flagged(&kamailio.list(), 'I').contains(&cas01_uri) {
        assert!(
            killed.elapsed() < Duration::from_secs(10),
            "{}",
            kamailio.list()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let detected = killed.elapsed();
    std::thread::sleep(Duration::from_secs(10).saturating_sub(killed.elapsed()));
    let cas01_again = start_node(&lab, "EX-CAS01", offset);
    let restarted = Instant::now();
    while !kamailio.active().contains(&cas01_uri) {
        assert!(
            restarted.elapsed() < Duration::from_secs(10),
            "{}",
            kamailio.list()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let back_up = restarted.elapsed();

    let (status, succeeded, failed) = load.finish();
    let placed = RATE * SECONDS;

    // The dispatcher's view, from its log: INVITEs per node, and none to CAS01 while down.
    let log = kamailio.log();
    let dispatched_to = |addr: SocketAddr| {
        log.lines()
            .filter(|l| l.contains("DISPATCH INVITE") && l.ends_with(&format!("-> sip:{addr}")))
            .count()
    };
    let (to01, to02) = (dispatched_to(cas01_addr), dispatched_to(cas02_addr));
    let failovers = log.lines().filter(|l| l.contains("retrying via")).count();
    let down_at = log.find("DISPATCHER DOWN").expect("a DOWN event");
    let up_at = log[down_at..].find("DISPATCHER UP").expect("an UP event") + down_at;
    let while_down = log[down_at..up_at]
        .lines()
        .filter(|l| l.contains("DISPATCH INVITE") && l.ends_with(&format!("-> sip:{cas01_addr}")))
        .count();
    let after_up = log[up_at..]
        .lines()
        .filter(|l| l.contains("DISPATCH INVITE") && l.ends_with(&format!("-> sip:{cas01_addr}")))
        .count();

    let msgs = wait_for_messages(&lab, succeeded as usize, Duration::from_secs(30));
    let answered = count(&mbx.log(), "worker", "INVITE", 200);
    let window = PING_INTERVAL_S + FR_TIMER_S;
    let bound = (window * RATE as f64).ceil() as u64;
    crate::support::show_figures(&format!(
        "dispatcher failover: {placed} calls placed at {RATE}/s over {SECONDS} s, {succeeded} \
         succeeded, {failed} failed (bound {bound} = ({PING_INTERVAL_S} s probe + {FR_TIMER_S} s \
         fr_timer) x {RATE}/s); EX-CAS01 killed at {:.1} s, marked down after {:.2} s, \
         restarted 10 s later and up again after {:.2} s; INVITEs dispatched: EX-CAS01 {to01} \
         ({while_down} while down, {after_up} after it was back), EX-CAS02 {to02}; {failovers} \
         failed over; calls answered {answered}, messages delivered {}, lost {}",
        killed.duration_since(started).as_secs_f64(),
        detected.as_secs_f64(),
        back_up.as_secs_f64(),
        msgs.len(),
        answered.saturating_sub(msgs.len())
    ));
    assert!(
        status.success() || failed > 0,
        "sipp: {status:?}\n{}",
        load.sipp.errors()
    );
    assert_eq!(succeeded + failed, placed, "{}", load.sipp.errors());
    assert!(
        failed <= bound,
        "{failed} failed > {bound}\n--- caller\n{}\n--- EX-CAS02\n{}\n--- EX-MBX02\n{}",
        load.sipp
            .actions()
            .lines()
            .take(10)
            .collect::<Vec<_>>()
            .join("\n"),
        cas02
            .stderr()
            .lines()
            .take(10)
            .collect::<Vec<_>>()
            .join("\n"),
        mbx.stderr().lines().take(10).collect::<Vec<_>>().join("\n"),
    );
    assert!(
        detected.as_secs_f64() <= window + 1.0,
        "detected after {detected:?}"
    );
    assert_eq!(
        while_down, 0,
        "the dispatcher sent calls to a node it marked down"
    );
    assert!(after_up > 0 && to02 > 0, "{to01} {to02} {after_up}");
    assert_eq!(answered, msgs.len(), "answered calls without a message");
    assert_eq!(msgs.len() as u64, succeeded, "{}", mbx.stderr());
    drop(cas01_again);
}

/// SIGTERM to `node` (it drains: 503 to new calls and probes, the active calls finish), waits
/// for its exit (at most `wait`), then starts `server` again; returns the old node's stderr.
fn drain_and_restart(
    lab: &crate::support::TempLab,
    node: &mut ServeHarness,
    server: &str,
    offset: u16,
    wait: Duration,
) -> String {
    let status = node
        .terminate(wait)
        .unwrap_or_else(|| panic!("{server} still draining after {wait:?}"));
    assert!(status.success(), "{server}: {status:?}\n{}", node.stderr());
    let stderr = node.stderr();
    *node = start_node(lab, server, offset);
    stderr
}

#[test]
fn a_rolling_restart_behind_the_dispatcher_loses_no_answered_call() {
    let Some(Pool {
        _one,
        lab,
        offset,
        mut mbx,
        mut cas01,
        mut cas02,
        cas01_addr,
        cas02_addr,
        kamailio,
    }) = pool("a_rolling_restart_behind_the_dispatcher_loses_no_answered_call")
    else {
        return;
    };
    const RATE: u64 = 5;
    const SECONDS: u64 = 30;
    let mut load = Load::start(&kamailio, RATE, SECONDS);

    // One node after the other, each back in the pool before the next one goes.
    let mut answered = 0;
    std::thread::sleep(Duration::from_secs(4));
    for (node, server, addr) in [
        (&mut cas01, "EX-CAS01", cas01_addr),
        (&mut cas02, "EX-CAS02", cas02_addr),
    ] {
        let old = drain_and_restart(&lab, node, server, offset, Duration::from_secs(10));
        assert!(old.contains("draining"), "{old}");
        let uri = format!("sip:{addr}");
        let back = Instant::now();
        while !kamailio.active().contains(&uri) {
            assert!(
                back.elapsed() < Duration::from_secs(10),
                "{}",
                kamailio.list()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_secs(3));
    }
    // Bob's mailbox server last: its active calls (each ~9 s) finish before it stops.
    let drain_started = Instant::now();
    let old = drain_and_restart(&lab, &mut mbx, "EX-MBX02", offset, Duration::from_secs(30));
    let drained_in = drain_started.elapsed();
    let old_log: Vec<serde_json::Value> = old
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    answered += count(&old_log, "worker", "INVITE", 200);
    assert!(
        old.contains("stopped; 0 active call(s), 0 ended with BYE"),
        "calls were cut by the drain:\n{}",
        old.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );

    let (_status, succeeded, failed) = load.finish();
    answered += count(&mbx.log(), "worker", "INVITE", 200);
    let placed = RATE * SECONDS;
    let msgs = wait_for_messages(&lab, answered, Duration::from_secs(30));
    let interrupted = msgs
        .iter()
        .filter(|m| crate::voicemail::header(m, "X-Umctl-Interrupted").is_some())
        .count();
    let log = kamailio.log();
    let failovers = log.lines().filter(|l| l.contains("retrying via")).count();
    crate::support::show_figures(&format!(
        "rolling restart: {placed} calls placed at {RATE}/s over {SECONDS} s; EX-CAS01, \
         EX-CAS02 and EX-MBX02 drained (SIGTERM) and restarted one after the other; \
         EX-MBX02 drained in {:.1} s; {succeeded} succeeded, {failed} failed (not answered: \
         placed while Bob's mailbox server was draining or restarting); {failovers} INVITEs \
         failed over from a call router that was stopping; calls answered \
         {answered}, messages delivered {}, interrupted {interrupted}, lost {}",
        drained_in.as_secs_f64(),
        msgs.len(),
        answered.saturating_sub(msgs.len())
    ));
    assert_eq!(succeeded + failed, placed);
    assert_eq!(
        succeeded as usize,
        answered,
        "an answered call failed\n{}",
        load.sipp.errors().chars().take(2000).collect::<String>()
    );
    assert_eq!(msgs.len(), answered, "answered calls without a message");
    assert_eq!(interrupted, 0, "a drained call was cut");
}

/// The recordings in a spool folder: one `.json` sidecar each.
fn spooled(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_mailbox_server_killed_under_load_delivers_its_spool_interrupted_after_restart() {
    let Some(Pool {
        _one,
        lab,
        offset,
        mut mbx,
        kamailio,
        // Bound, so the call routers run until the end of the test.
        cas01: _cas01,
        cas02: _cas02,
        ..
    }) = pool("a_mailbox_server_killed_under_load_delivers_its_spool_interrupted_after_restart")
    else {
        return;
    };
    const RATE: u64 = 5;
    const SECONDS: u64 = 20;
    let mut load = Load::start(&kamailio, RATE, SECONDS);
    std::thread::sleep(Duration::from_secs(12));
    mbx.kill_9();
    let killed = Instant::now();
    let spool = lab.path().join("recordings");
    let at_kill = spooled(&spool);
    std::thread::sleep(Duration::from_secs(10).saturating_sub(killed.elapsed()));
    let mbx = start_node(&lab, "EX-MBX02", offset);
    let (_status, succeeded, failed) = load.finish();

    let expected = succeeded as usize + at_kill;
    let msgs = wait_for_messages(&lab, expected, Duration::from_secs(30));
    let header = crate::voicemail::header;
    let of_kind = |interrupted: bool, audio: bool| {
        msgs.iter()
            .filter(|m| header(m, "X-Umctl-Interrupted").is_some() == interrupted)
            .filter(|m| m.contains("voicemail.wav") == audio)
            .count()
    };
    let complete = of_kind(false, true);
    let interrupted = of_kind(true, true);
    // A recording with no audio yet (the caller was still hearing the greeting or the beep)
    // becomes a missed-call notification.
    let missed = msgs
        .iter()
        .filter(|m| header(m, "Content-Class") == Some("missedcall"))
        .count();
    crate::support::show_figures(&format!(
        "mailbox server killed: {} calls placed at {RATE}/s, {succeeded} succeeded, {failed} \
         failed (cut by the kill, or placed while EX-MBX02 was down); {at_kill} recordings \
         in the spool at the kill: {interrupted} delivered as interrupted voice mail and \
         {missed} as missed-call notifications (no audio yet) after the restart; {complete} \
         complete voice mails; {} messages in all; lost {}",
        RATE * SECONDS,
        msgs.len(),
        expected.saturating_sub(msgs.len())
    ));
    assert!(interrupted > 0, "nothing was being recorded at the kill");
    assert_eq!(interrupted + missed, at_kill, "{}", mbx.stderr());
    assert_eq!(
        complete as u64, succeeded,
        "a completed call has no message"
    );
    assert_eq!(msgs.len(), expected);
    assert_eq!(spooled(&spool), 0, "the spool is empty once delivered");
    assert!(
        mbx.stderr().contains("interrupted recording"),
        "{}",
        mbx.stderr()
    );
}
