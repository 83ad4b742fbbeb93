//! A real softphone calls the lab: baresip (peers.md B.2) dials the LOC801 pilot through
//! Kamailio playing the Skype pool (it adds the Diversion header for Bob and follows the
//! call router's and the UM service's 302s), `umctl serve` answers. Everything runs inside
//! `unshare -nm` (tests/baresip/call.sh): baresip binds every interface, so it only ever sees
//! a private loopback. Bob's greeting is short (0.5 s); baresip's 440 Hz tone outlasts it and
//! the beep, and the worker records it and delivers it to Bob's lab Maildir: the test reads the
//! WAV attachment back and checks it is mostly 440 Hz (Goertzel energy against neighbouring
//! frequencies) and as long as the tone after the beep. Skips loudly without baresip, Kamailio
//! or unshare rights, and fails in CI.
//!
//! On the Secured dial plan (issue 20) the pool speaks TLS to Exchange with a lab-CA
//! certificate for pool01.contoso.com: baresip with its srtp module and `mediaenc=srtp-mand`
//! leaves the same voice mail over SRTP, and tshark finds none of the clear G.711 tone in the
//! RTP it captured (the same check finds it in the plain call); without SRTP the worker
//! refuses the call with 488 "Secured dial plan needs SRTP".

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
        crate::support::skip_for_missing_peer(
            test,
            "baresip, kamailio and unshare -nm (apt-get install baresip-core kamailio; run as root)",
        );
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

/// What one call.sh run left: serve's JSON log, baresip's log, the media capture.
struct CallRun {
    log: Vec<serde_json::Value>,
    baresip: String,
    /// The payloads of the RTP the softphone sent, as tshark decodes them from the capture.
    phone_payloads: Vec<Vec<u8>>,
    /// tshark's own output (capture problems).
    tshark: String,
}

/// Runs tests/baresip/call.sh in its own namespaces with `security` (`tcp`, `tls`,
/// `tls-srtp`; for TLS the pool gets a lab-CA certificate for pool01.contoso.com).
fn call(lab: &TempLab, tone_seconds: f64, security: &str) -> CallRun {
    let out = tempfile::tempdir().unwrap();
    if security != "tcp" {
        let ca =
            umctl::sip::transport::certs::LabCa::load_or_create(&lab.path().join("ca")).unwrap();
        let pool = ca
            .issue("pool01.contoso.com", &["127.0.10.1".parse().unwrap()])
            .unwrap();
        std::fs::write(out.path().join("pool.crt"), &pool.chain_pem).unwrap();
        std::fs::write(out.path().join("pool.key"), &pool.key_pem).unwrap();
        std::fs::write(out.path().join("lab-ca.pem"), ca.cert_pem()).unwrap();
    }
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
        .arg(security)
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
    CallRun {
        log,
        baresip: read("baresip.log"),
        phone_payloads: phone_payloads(&out.path().join("media.pcap")),
        tshark: read("tshark.log"),
    }
}

/// The RTP payloads the softphone sent (from its rtp_ports, 16200-16299), read from the capture by tshark (RTP
/// found heuristically; for SRTP the payload tshark shows includes the tag).
fn phone_payloads(pcap: &Path) -> Vec<Vec<u8>> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args([
            "-o",
            "rtp.heuristic_rtp:TRUE",
            "-Y",
            "rtp && udp.srcport >= 16200 && udp.srcport <= 16299",
        ])
        .args(["-T", "fields", "-e", "rtp.payload"])
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
            let hex = l.trim().replace(':', "");
            (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        })
        .filter(|p: &Vec<u8>| !p.is_empty())
        .collect()
}

/// How many of `payloads` hold 32 bytes in a row of the tone in clear G.711 (either law,
/// any alignment).
fn clear_tone_payloads(payloads: &[Vec<u8>], tone_seconds: f64) -> usize {
    use umctl::media::Law;
    const W: usize = 32;
    let samples: Vec<i16> = (0..(8000.0 * tone_seconds) as usize)
        .map(|n| (8000.0 * (2.0 * std::f64::consts::PI * TONE_HZ * n as f64 / 8000.0).sin()) as i16)
        .collect();
    let mut windows = std::collections::HashSet::new();
    for law in [Law::Mu, Law::A] {
        let codes = law.encode(&samples);
        windows.extend(codes.windows(W).map(<[u8]>::to_vec));
    }
    payloads
        .iter()
        .filter(|p| p.windows(W).any(|w| windows.contains(w)))
        .count()
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
    let run = call(&lab, tone_seconds, "tcp");
    assert_tone_voice_mail(&lab, &run, tone_seconds);
    let media = run.log.iter().find_map(|e| e.get("media")).unwrap();
    assert!(
        media.get("srtp_auth_failures").is_none(),
        "plain RTP: {media:#}"
    );
    // The checker of the SRTP test below sees the clear tone in plain RTP.
    let clear = clear_tone_payloads(&run.phone_payloads, tone_seconds);
    assert!(
        run.phone_payloads.len() >= 100 && clear * 10 >= run.phone_payloads.len() * 9,
        "{clear} of {} plain RTP payloads hold the clear tone",
        run.phone_payloads.len()
    );
}

/// Issue 20's real peer: baresip with its srtp module and `mediaenc=srtp-mand` (RTP/SAVP,
/// SDES) calls LOC801, Secured in the lab, through the pool speaking TLS to Exchange: the
/// worker answers SRTP, and the tone is recorded and delivered as for plain RTP; the capture
/// holds no RTP payload with the clear G.711 tone.
#[test]
fn baresip_srtp_over_tls_leaves_its_tone_as_a_voice_mail_on_the_secured_plan() {
    if !peers_available("baresip_srtp_over_tls_leaves_its_tone_as_a_voice_mail_on_the_secured_plan")
    {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let short = lab.file("short.wav");
    tone_wav(&short, 600.0, 2000.0, GREETING_SECONDS);
    lab.run(&["lab", "greeting", "set", "bob", short.to_str().unwrap()])
        .ok();
    let tone_seconds = 6.0;
    let run = call(&lab, tone_seconds, "tls-srtp");
    // The worker's media line: SRTP, every packet authenticated.
    let media = run
        .log
        .iter()
        .find_map(|e| e.get("media"))
        .unwrap_or_else(|| panic!("no media line in serve's log: {:#?}", run.log));
    assert_eq!(media["srtp_auth_failures"], 0, "{media:#}");
    // No SRTCP report failed authentication; libre's closing RTCP BYE, sent in clear after
    // its SRTP context is gone, is dropped as unprotected, not as a forgery.
    assert_eq!(media["srtcp_dropped"], 0, "{media:#}");
    assert!(
        media["srtcp_unprotected"].as_u64().unwrap() <= 2,
        "{media:#}"
    );
    assert!(
        media["received_packets"].as_u64().unwrap() >= 100,
        "{media:#}"
    );
    assert_tone_voice_mail(&lab, &run, tone_seconds);
    // baresip's SRTCP reports pass authentication: RTCP measured the round trip.
    let r = &crate::call_records::wait_for_records(lab.path(), 1)[0];
    assert!(r["RtcpReceived"].as_u64().unwrap() >= 1, "{r:#}");
    let rtt = r["RoundTripMilliseconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("{r:#}"));
    assert!((0.0..100.0).contains(&rtt), "{r:#}");
    assert!(
        run.phone_payloads.len() >= 100,
        "{} SRTP packets captured; tshark: {}",
        run.phone_payloads.len(),
        run.tshark
    );
    assert_eq!(
        clear_tone_payloads(&run.phone_payloads, tone_seconds),
        0,
        "an SRTP payload holds the clear G.711 tone"
    );
}

/// The same softphone without SRTP on the Secured plan: the worker refuses the call with
/// 488 "Secured dial plan needs SRTP", and no message is left.
#[test]
fn baresip_plain_rtp_on_the_secured_plan_is_refused_with_488() {
    if !peers_available("baresip_plain_rtp_on_the_secured_plan_is_refused_with_488") {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    let run = call(&lab, 2.0, "tls");
    let seen = transactions(&run.log);
    assert!(
        seen.iter().any(|t| t == "worker INVITE 488"),
        "{seen:?}\nbaresip:\n{}",
        run.baresip
    );
    // The reason phrase reaches the softphone through the pool.
    assert!(
        run.baresip.contains("488 Secured dial plan needs SRTP"),
        "{}",
        run.baresip
    );
    assert!(
        !lab.path().join("mailboxes/bob/Maildir/new").exists()
            || std::fs::read_dir(lab.path().join("mailboxes/bob/Maildir/new"))
                .unwrap()
                .next()
                .is_none()
    );
    // The refusal is a call record too: rejected with 488 and its reason.
    let records = crate::call_records::wait_for_records(lab.path(), 1);
    assert!(
        records
            .iter()
            .any(|r| r["OfferResult"] == "Reject" && r["RejectStatus"] == 488),
        "{records:#?}"
    );
}

/// The voice mail of `run` in Bob's Maildir is the softphone's tone (as long as what is left
/// of it after the greeting and the beep).
fn assert_tone_voice_mail(lab: &TempLab, run: &CallRun, tone_seconds: f64) {
    let (log, baresip) = (&run.log, &run.baresip);
    let seen = transactions(log);
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
