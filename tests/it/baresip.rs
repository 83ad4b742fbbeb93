//! A real softphone calls the lab: baresip (peers.md B.2) dials the LOC801 pilot through
//! Kamailio playing the Skype pool (it adds the Diversion header for Bob and follows the
//! call router's and the UM service's 302s), `umctl serve` answers. Everything runs inside
//! `unshare -nm` (tests/baresip/call.sh): baresip binds every interface, so it only ever sees
//! a private loopback. Bob's greeting is short (0.5 s); baresip's 440 Hz tone outlasts it and
//! the beep, and the worker records it and delivers it to Bob's lab Maildir: the test reads the
//! WAV attachment back and checks it is mostly 440 Hz (Goertzel energy against neighbouring
//! frequencies) and as long as the tone after the beep. Skips loudly without baresip, Kamailio
//! or unshare rights, and fails in CI.

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

/// The softphone's tone.
const TONE_HZ: f64 = 440.0;
/// Bob's short greeting (a quiet 600 Hz tone), then the 0.4 s beep.
const GREETING_SECONDS: f64 = 0.5;
const BEEP_SECONDS: f64 = 0.4;

/// An 8 kHz mono 16-bit WAV of a `hz` tone.
fn tone_wav(path: &Path, hz: f64, amplitude: f64, seconds: f64) {
    let samples: Vec<i16> = (0..(8000.0 * seconds) as usize)
        .map(|n| {
            let t = n as f64 / 8000.0;
            (amplitude * (2.0 * std::f64::consts::PI * hz * t).sin()) as i16
        })
        .collect();
    std::fs::write(path, umctl::media::wav::encode_pcm16(&samples)).unwrap();
}

/// Goertzel power at `hz` over a block of samples.
fn power(block: &[i16], hz: f64) -> f64 {
    let mut g = umctl::media::dtmf::Goertzel::new(hz, 8000.0);
    for s in block {
        g.push(f64::from(*s));
    }
    g.power()
}

/// 50 ms blocks: 440 Hz is then a whole number of cycles (22) and the probe frequencies,
/// multiples of 20 Hz, fall on other DFT bins, so a pure tone leaks nothing into them.
const BLOCK: usize = 400;

/// Of the 50 ms blocks of `samples` that are not silent, the share where 440 Hz holds more
/// energy than every other probe frequency by 20 dB; and the number of loud blocks.
fn tone_share(samples: &[i16]) -> (f64, usize) {
    const OTHERS: [f64; 6] = [300.0, 360.0, 600.0, 1000.0, 1400.0, 2000.0];
    let mut loud = 0;
    let mut tonal = 0;
    for block in samples.chunks_exact(BLOCK) {
        let mean = block
            .iter()
            .map(|s| f64::from(s.unsigned_abs()))
            .sum::<f64>()
            / BLOCK as f64;
        if mean < 300.0 {
            continue;
        }
        loud += 1;
        let at = power(block, TONE_HZ);
        if OTHERS.iter().all(|hz| at > 100.0 * power(block, *hz)) {
            tonal += 1;
        }
    }
    (
        if loud == 0 {
            0.0
        } else {
            tonal as f64 / loud as f64
        },
        loud,
    )
}

/// Runs tests/baresip/call.sh in its own namespaces; returns (serve's JSON log, baresip's log).
fn call(lab: &TempLab, tone_seconds: f64) -> (Vec<serde_json::Value>, String) {
    let out = tempfile::tempdir().unwrap();
    let tone = out.path().join("tone8k.wav");
    tone_wav(&tone, TONE_HZ, 8000.0, tone_seconds);
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
fn baresip_call_through_a_record_routing_pool_leaves_its_tone_as_a_voice_mail() {
    if !peers_available(
        "baresip_call_through_a_record_routing_pool_leaves_its_tone_as_a_voice_mail",
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
    let short = lab.file("short.wav");
    tone_wav(&short, 600.0, 2000.0, GREETING_SECONDS);
    lab.run(&["lab", "greeting", "set", "bob", short.to_str().unwrap()])
        .ok();
    let tone_seconds = 6.0;
    let (log, baresip) = call(&lab, tone_seconds);
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
    let r = &crate::call_records::wait_for_records(lab.path(), 1)[0];
    assert_eq!(r["CallType"], "CallAnsweringVoiceMessage", "{r:#}");
    assert_eq!(r["OfferResult"], "Answer", "{r:#}");
    assert!(r["DropCallReason"].is_string(), "{r:#}");
    crate::call_records::assert_quality(r);

    // The tone, recorded after the beep, is a voice mail in Bob's Maildir.
    let new = lab.path().join("mailboxes/bob/Maildir/new");
    let files: Vec<_> = std::fs::read_dir(&new)
        .unwrap_or_else(|e| panic!("{}: {e}\nserve: {log:#?}", new.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains("X-Umctl-Message-Class: IPM.Note.Microsoft.Voicemail.UM.CA"),
        "{text}"
    );
    let wav = umctl::mail::voicemail_audio(&files[0]).unwrap();
    let samples = umctl::media::wav::decode_8k_mono(&wav).unwrap();
    let seconds = samples.len() as f64 / 8000.0;
    let (share, loud) = tone_share(&samples);
    eprintln!(
        "recorded {seconds:.2} s, {loud} loud 50 ms blocks, {:.0}% of them 440 Hz",
        share * 100.0
    );
    assert!(
        share >= 0.9,
        "only {:.0}% of the recording's {loud} loud blocks are the 440 Hz tone",
        share * 100.0
    );
    // The tone is loud for about what is left of it after the greeting and the beep (call
    // setup through Kamailio takes a little of it too).
    let expected = tone_seconds - GREETING_SECONDS - BEEP_SECONDS;
    let toned = loud as f64 * BLOCK as f64 / 8000.0;
    assert!(
        (expected - 1.0..=expected + 0.2).contains(&toned),
        "{toned:.2} s of tone recorded, expected about {expected:.1} s (recording {seconds:.2} s)"
    );
    // The recording is the tone: baresip hangs up when its file ends ("menu: audio error (0,
    // end of file)"), so nothing follows it.
    assert!(
        (expected - 1.0..=expected + 0.5).contains(&seconds),
        "a recording of {seconds:.2} s, expected about {expected:.1} s"
    );
}
