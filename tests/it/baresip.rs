//! A real softphone calls the lab: baresip (peers.md B.2) dials the LOC801 pilot through
//! Kamailio playing the Skype pool (it adds the Diversion header for Bob and follows the
//! call router's and the UM service's 302s), `umctl serve` answers. Everything runs inside
//! `unshare -nm` (tests/baresip/call.sh): baresip binds every interface, so it only ever sees
//! a private loopback. Skips loudly without baresip, Kamailio or unshare rights, and fails in CI.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{umctl_bin, TempLab};

const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

/// Whether baresip, Kamailio and a private network namespace are available.
fn peers_available(test: &str) -> bool {
    let has = |tool: &str, arg: &str| {
        Command::new(tool)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    let netns = Command::new("unshare")
        .args(["-nm", "true"])
        .status()
        .is_ok_and(|s| s.success());
    let found = has("baresip", "-h") && has("kamailio", "-v") && netns;
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "baresip, kamailio and unshare -nm are required in CI (apt-get install baresip-core kamailio; run as root)"
        );
        eprintln!("\n\n*** SKIPPED {test}: needs baresip, kamailio and unshare -nm (root) ***\n");
    }
    found
}

/// An 8 kHz mono 16-bit WAV of a 440 Hz tone.
fn tone_wav(path: &Path, seconds: f64) {
    let samples: Vec<i16> = (0..(8000.0 * seconds) as usize)
        .map(|n| {
            let t = n as f64 / 8000.0;
            (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16
        })
        .collect();
    std::fs::write(path, umctl::media::wav::encode_pcm16(&samples)).unwrap();
}

/// Runs tests/baresip/call.sh in its own namespaces; returns (serve's JSON log, baresip's log).
fn call(lab: &TempLab, tone_seconds: f64) -> (Vec<serde_json::Value>, String) {
    let out = tempfile::tempdir().unwrap();
    let tone = out.path().join("tone8k.wav");
    tone_wav(&tone, tone_seconds);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/baresip/call.sh");
    let mut child = Command::new("unshare")
        .arg("-nm")
        .arg("--")
        .arg("bash")
        .arg(&script)
        .arg(lab.path())
        .arg(umctl_bin())
        .arg(out.path())
        .arg(&tone)
        .arg(format!("{}", tone_seconds.ceil() as u64 + 3))
        .arg("bob")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            // SIGTERM lets call.sh stop serve and Kamailio by their PIDs.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
            panic!("tests/baresip/call.sh did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap_or_default();
    let output = child.wait_with_output().unwrap();
    assert!(
        status.success(),
        "call.sh failed: {}\n{}\nserve:\n{}\nkamailio:\n{}\nbaresip:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        read("serve.log"),
        read("kamailio.log"),
        read("baresip.log"),
    );
    let log = read("serve.log")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (log, read("baresip.log"))
}

fn transactions(log: &[serde_json::Value]) -> Vec<String> {
    log.iter()
        .filter(|e| e["role"] == "server")
        .map(|e| {
            format!(
                "{} {} {}",
                e["component"].as_str().unwrap_or("?"),
                e["method"].as_str().unwrap_or("?"),
                e["status"]
            )
        })
        .collect()
}

#[test]
fn baresip_call_through_a_record_routing_pool_reaches_the_worker_and_hangs_up() {
    if !peers_available(
        "baresip_call_through_a_record_routing_pool_reaches_the_worker_and_hangs_up",
    ) {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    // Kamailio speaks TCP to Exchange; LOC801 is Secured (TLS) in the lab.
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n"
    ))
    .ok();
    let (log, baresip) = call(&lab, 3.0);
    let seen = transactions(&log);
    for hop in [
        "call_router INVITE 302",
        "um_service INVITE 302",
        "worker INVITE 200",
        "worker BYE 200",
    ] {
        assert!(
            seen.iter().any(|t| t == hop),
            "no '{hop}' in serve's log: {seen:?}\nbaresip:\n{baresip}"
        );
    }
    assert!(baresip.contains("Call established"), "{baresip}");
}
