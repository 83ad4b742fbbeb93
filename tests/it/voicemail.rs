//! Call answering end to end with the real binary and SIPp: a call diverted to Bob follows
//! both 302s to the worker, hears Bob's (short) greeting and the beep, and speaks
//! `g711a.pcap`: a voice mail whose WAV attachment holds exactly the samples SIPp sent lands
//! in `<lab>/mailboxes/bob/Maildir/new`. A caller who hangs up during the greeting leaves a
//! missed-call notification; `#` (dtmf_2833_pound.pcap) ends the recording and the message
//! is there before UM's BYE; after `kill -9` of serve mid-recording, the next start delivers
//! what was recorded, marked as interrupted. The pcaps are read here with a tiny pcap reader
//! (no tshark).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::serve::{granted_lab, sipp_available, unsecure_loc801, Sipp};
use crate::support::{ServeHarness, TempLab};

const G711A_PCAP: &str = "/usr/share/sip-tester/g711a.pcap";

/// The RTP packets of a pcap (Ethernet, IPv4, UDP): (payload type, payload).
fn pcap_rtp(path: &str) -> Vec<(u8, Vec<u8>)> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap");
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= b.len() {
        let incl = u32::from_le_bytes(b[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &b[at + 16..at + 16 + incl];
        at += 16 + incl;
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let rtp = &ip[ihl + 8..];
        let cc = usize::from(rtp[0] & 0x0f);
        out.push((rtp[1] & 0x7f, rtp[12 + 4 * cc..].to_vec()));
    }
    out
}

/// The samples SIPp sends when it plays g711a.pcap (A-law, payload type 8), decoded.
pub(crate) fn sent_samples() -> Vec<i16> {
    let codes: Vec<u8> = pcap_rtp(G711A_PCAP)
        .into_iter()
        .filter(|(pt, _)| *pt == 8)
        .flat_map(|(_, p)| p)
        .collect();
    umctl::media::Law::A.decode(&codes)
}

fn maildir_new(lab: &TempLab) -> PathBuf {
    lab.path().join("mailboxes/bob/Maildir/new")
}

/// The messages in Bob's Maildir/new once there are `n` (waits at most `wait`).
pub(crate) fn wait_for_messages(lab: &TempLab, n: usize, wait: Duration) -> Vec<String> {
    let end = Instant::now() + wait;
    loop {
        let msgs = messages(&maildir_new(lab));
        if msgs.len() >= n || Instant::now() > end {
            return msgs;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn messages(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
        .collect()
}

/// The samples of the message's `voicemail.wav` attachment.
pub(crate) fn attachment_samples(msg: &str) -> Vec<i16> {
    let at = msg
        .find("voicemail.wav")
        .expect("a voicemail.wav attachment");
    let body = &msg[at..];
    let start = body.find("\r\n\r\n").unwrap() + 4;
    let b64: String = body[start..]
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .concat();
    let wav = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .unwrap();
    let (info, data) = umctl::media::wav::parse(&wav).unwrap();
    assert_eq!((info.sample_rate, info.channels), (8000, 1));
    data.chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// A lab where calls to Bob get a 0.2 s custom greeting (set with `umctl lab greeting set`).
pub(crate) fn lab_with_short_greeting() -> TempLab {
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let wav = lab.write(
        "short.wav",
        &umctl::media::wav::encode_pcm16(&vec![0i16; 1600]),
    );
    lab.run(&["lab", "greeting", "set", "bob", wav.to_str().unwrap()])
        .ok();
    lab
}

pub(crate) fn voicemail_sipp(serve: &ServeHarness, scenario: &str) -> Sipp {
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "worker", "udp").ip();
    let mut sipp = Sipp::new(scenario, cas, mbx, "udp");
    // The greeting (0.2 s) and the beep (0.4 s) are over before the caller speaks.
    sipp.set("-d", "1500");
    sipp
}

pub(crate) fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.lines()
        .find(|l| {
            l.len() > name.len()
                && l[..name.len()].eq_ignore_ascii_case(name)
                && l.as_bytes()[name.len()] == b':'
        })
        .map(|l| l[name.len() + 1..].trim())
}

fn assert_no_worker_errors(serve: &ServeHarness) {
    assert!(serve.problems().is_empty(), "{}", serve.stderr());
}

#[test]
fn the_callers_message_lands_in_bobs_maildir_sample_for_sample() {
    if !sipp_available("the_callers_message_lands_in_bobs_maildir_sample_for_sample") {
        return;
    }
    let lab = lab_with_short_greeting();
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let sipp = voicemail_sipp(&serve, "uac_voicemail.xml");
    let out = sipp.run();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}\nserve:\n{}",
        out.status,
        sipp.actions(),
        sipp.errors(),
        serve.stderr()
    );
    let msgs = wait_for_messages(&lab, 1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
    let msg = &msgs[0];
    assert_eq!(header(msg, "Content-Class"), Some("voice-ca"), "{msg}");
    assert_eq!(
        header(msg, "X-Umctl-Message-Class"),
        Some("IPM.Note.Microsoft.Voicemail.UM.CA")
    );
    assert!(header(msg, "X-Umctl-Call-Id").is_some_and(|c| !c.is_empty()));
    let subject = header(msg, "Subject").unwrap();
    assert!(
        subject.starts_with("Voice Mail from ") && subject.ends_with("(7 seconds)"),
        "{subject}"
    );
    assert!(header(msg, "X-Umctl-Interrupted").is_none());

    let sent = sent_samples();
    let got = attachment_samples(msg);
    println!(
        "sent {} samples ({:.3} s), recorded {} ({:.3} s)",
        sent.len(),
        sent.len() as f64 / 8000.0,
        got.len(),
        got.len() as f64 / 8000.0
    );
    assert!(
        (got.len() as i64 - sent.len() as i64).abs() <= 800,
        "recorded {} samples, SIPp sent {}",
        got.len(),
        sent.len()
    );
    assert!(got == sent, "the recording is not the samples SIPp sent");
    assert_no_worker_errors(&serve);
    // The worker logs the call's media figures (JSON log: a "media" object).
    assert!(
        serve.wait_for_log(Duration::from_secs(5), |log| log.iter().any(|l| {
            l["component"] == "worker"
                && l["media"]["received_packets"] == 236
                && l["media"]["recorded_seconds"] == 7.08
                && l["media"]["sent_packets"].as_u64().unwrap_or(0) > 0
        })),
        "{}",
        serve.stderr()
    );
    assert!(
        recordings_in(&lab.path().join("recordings")).is_empty(),
        "the spool is empty once the message is delivered"
    );
    let r = &crate::call_records::wait_for_records(lab.path(), 1)[0];
    assert_eq!(r["CallType"], "CallAnsweringVoiceMessage", "{r:#}");
    assert_eq!(r["OfferResult"], "Answer");
    assert_eq!(r["UserMailboxName"], "bob");
    assert_eq!(r["MessageSeconds"], 7.1);
    assert_eq!(r["PacketsReceived"], 236);
    assert_eq!(r["PacketsLost"], 0);
    crate::call_records::assert_quality(r);
    assert!(r.get("RoundTripMilliseconds").is_none(), "{r:#}");
}

#[test]
fn hanging_up_during_the_greeting_leaves_a_missed_call_notification() {
    if !sipp_available("hanging_up_during_the_greeting_leaves_a_missed_call_notification") {
        return;
    }
    // Bob's own greeting (3.5 s) is still playing when the caller hangs up after 0.3 s.
    let lab = granted_lab();
    unsecure_loc801(&lab);
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX02", "worker", "udp").ip();
    let sipp = Sipp::new("uac_redirects.xml", cas, mbx, "udp");
    let out = sipp.run();
    assert!(
        out.status.success(),
        "{}\n{}",
        sipp.errors(),
        serve.stderr()
    );
    let msgs = wait_for_messages(&lab, 1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
    assert_eq!(header(&msgs[0], "Content-Class"), Some("missedcall"));
    assert_eq!(
        header(&msgs[0], "X-Umctl-Message-Class"),
        Some("IPM.Note.Microsoft.Missed.Voice")
    );
    assert!(
        header(&msgs[0], "Subject").is_some_and(|s| s.starts_with("Missed call from ")),
        "{}",
        msgs[0]
    );
    assert!(!msgs[0].contains("voicemail.wav"));
    assert_no_worker_errors(&serve);
    let records =
        crate::call_records::assert_calls_recorded(lab.path(), 1, "CallAnsweringMissedCall", false);
    assert_eq!(
        records[0]["DropCallReason"], "CallerHungUp",
        "{:#}",
        records[0]
    );
}

#[test]
fn pound_ends_the_recording_and_the_message_is_there_before_ums_bye() {
    if !sipp_available("pound_ends_the_recording_and_the_message_is_there_before_ums_bye") {
        return;
    }
    let lab = lab_with_short_greeting();
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let sipp = voicemail_sipp(&serve, "uac_voicemail_pound.xml");
    let out = sipp.run();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}\nserve:\n{}",
        out.status,
        sipp.actions(),
        sipp.errors(),
        serve.stderr()
    );
    assert!(sipp.actions().contains("bye from UM"), "{}", sipp.actions());
    // No waiting: UM delivered before it played "message sent" and hung up.
    let msgs = messages(&maildir_new(&lab));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
    let got = attachment_samples(&msgs[0]);
    assert!(got == sent_samples(), "recorded {} samples", got.len());
    assert_no_worker_errors(&serve);
    crate::call_records::assert_calls_recorded(lab.path(), 1, "CallAnsweringVoiceMessage", true);
}

#[test]
fn a_recording_cut_by_kill_9_is_delivered_interrupted_at_the_next_start() {
    if !sipp_available("a_recording_cut_by_kill_9_is_delivered_interrupted_at_the_next_start") {
        return;
    }
    let lab = lab_with_short_greeting();
    let mut serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let sipp = voicemail_sipp(&serve, "uac_voicemail.xml");
    let mut caller = sipp.command().spawn().unwrap();
    // Wait until three seconds of the message are spooled, then crash serve.
    let spool = lab.path().join("recordings");
    let part_len = || -> u64 {
        std::fs::read_dir(&spool)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "part"))
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let end = Instant::now() + Duration::from_secs(20);
    while part_len() < 24000 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(part_len() >= 24000, "nothing spooled: {}", serve.stderr());
    serve.kill_9();
    let _ = caller.kill();
    let _ = caller.wait();
    let spooled = part_len();
    assert!(messages(&maildir_new(&lab)).is_empty());

    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let msgs = wait_for_messages(&lab, 1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
    assert_eq!(header(&msgs[0], "X-Umctl-Interrupted"), Some("true"));
    // (stderr is read by another thread than the JSON line: give it a moment)
    let end = Instant::now() + Duration::from_secs(5);
    while !serve.stderr().contains("interrupted recording") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        serve.stderr().contains("interrupted recording"),
        "{}",
        serve.stderr()
    );
    let got = attachment_samples(&msgs[0]);
    let sent = sent_samples();
    // At most the last second is lost; what is there is what the caller said.
    assert!(
        got.len() as u64 + 8000 >= spooled,
        "{} of {spooled}",
        got.len()
    );
    assert!(got.len() >= 16000, "{}", got.len());
    assert!(
        got[..] == sent[..got.len()],
        "the recording is not the start of what SIPp sent"
    );
    assert!(
        recordings_in(&spool).is_empty(),
        "the spool files are removed after delivery"
    );
    // The crashed call's one record comes from the recovery.
    let records = crate::call_records::wait_for_records(lab.path(), 1);
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["DropCallReason"], "SystemError");
    assert_eq!(records[0]["CallType"], "CallAnsweringVoiceMessage");
    assert!(records[0]["MessageId"].is_string(), "{records:#?}");
}

/// The recordings in the spool folder (serve's claim, `serve.lock`, is not one).
fn recordings_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "serve.lock"))
        .collect()
}
