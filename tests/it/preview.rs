//! Voice Mail Preview through serve: a default build refuses `serve --preview` with "built
//! without the preview feature"; a `--features preview` build transcribes a spoken message.
//! The caller is SIPp playing flite's `rms` voice (made into an A-law RTP pcap by
//! benches/preview_pcap.py) after Bob's greeting; the message in Bob's Maildir gets its
//! transcript (headers and body) once the decoder is done, without delaying delivery.

use crate::support::TempLab;

#[cfg(not(feature = "preview"))]
#[test]
fn a_default_build_refuses_preview_with_the_sentence() {
    let lab = TempLab::new();
    let run = lab.run(&["serve", "--ephemeral-ports", "--preview"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("built without the preview feature")
            && run.stderr.contains("--features preview"),
        "{}",
        run.stderr
    );
    // Nothing was started: no bound-ports line.
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn preview_wait_needs_preview_and_a_bounded_number() {
    let lab = TempLab::new();
    let run = lab.run(&["serve", "--preview-wait", "1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--preview"), "{}", run.stderr);
    let run = lab.run(&["serve", "--preview", "--preview-wait", "9999"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("'9999': expected seconds from 0 to 600"),
        "{}",
        run.stderr
    );
}

#[cfg(feature = "preview")]
mod with_the_feature {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    use crate::serve::sipp_available;
    use crate::support::{skip_for_missing_peer, ServeHarness, TempLab};
    use crate::voicemail::{header, lab_with_short_greeting, voicemail_sipp};

    const SPOKEN: &str =
        "Hi Bob, this is Alice. Please call me back about the budget meeting tomorrow morning.";

    fn flite_available(test: &str) -> bool {
        let found = Command::new("flite").arg("--version").output().is_ok()
            && Path::new(pocketsphinx_ffi::DEBIAN_EN_US.lm).exists();
        if !found {
            skip_for_missing_peer(test, "flite and pocketsphinx-en-us");
        }
        found
    }

    /// The pcap of `text` in flite's `voice`, and its length.
    fn spoken_pcap(dir: &Path, voice: &str, text: &str) -> (PathBuf, Duration) {
        let wav = dir.join("spoken.wav");
        let ok = Command::new("flite")
            .args(["-voice", voice, "-t", text, "-o"])
            .arg(&wav)
            .status()
            .expect("run flite");
        assert!(ok.success());
        let seconds = umctl::media::wav::read_file(&wav)
            .expect("flite's WAV")
            .len() as f64
            / 8000.0;
        let pcap = dir.join("spoken.pcap");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/preview_pcap.py");
        let ok = Command::new("python3")
            .arg(script)
            .arg(&wav)
            .arg(&pcap)
            .status()
            .expect("run python3");
        assert!(ok.success());
        (pcap, Duration::from_secs_f64(seconds))
    }

    /// uac_voicemail.xml speaking `pcap` (and waiting its length) instead of g711a.pcap.
    fn scenario_speaking(dir: &Path, pcap: &Path, length: Duration) -> PathBuf {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/uac_voicemail.xml");
        let xml = std::fs::read_to_string(base).expect("uac_voicemail.xml");
        let pause = format!("<pause milliseconds=\"{}\"/>", length.as_millis() + 600);
        let xml = xml
            .replace(
                "/usr/share/sip-tester/g711a.pcap",
                &pcap.display().to_string(),
            )
            .replace("<pause milliseconds=\"7600\"/>", &pause);
        assert!(xml.contains(&pause));
        let path = dir.join("uac_voicemail_spoken.xml");
        std::fs::write(&path, xml).expect("write the scenario");
        path
    }

    /// serve (with `serve_args`) on a lab where Bob has a short greeting; SIPp leaves Bob a
    /// message speaking `text` in flite's `rms` voice.
    fn bob_hears(text: &str, serve_args: &[&str]) -> (TempLab, ServeHarness) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let (pcap, length) = spoken_pcap(tmp.path(), "rms", text);
        let lab = lab_with_short_greeting();
        let mut args = vec!["--startup-mode", "tcp"];
        args.extend_from_slice(serve_args);
        let serve = ServeHarness::start(&lab, &args);
        let mut sipp = voicemail_sipp(&serve, "uac_voicemail.xml");
        let scenario = scenario_speaking(tmp.path(), &pcap, length);
        sipp.set("-sf", scenario.to_str().unwrap_or_default());
        let out = sipp.run();
        assert!(
            out.status.success(),
            "{}\n{}",
            sipp.errors(),
            serve.stderr()
        );
        (lab, serve)
    }

    /// Bob's one message once it has a preview header (at most `wait`).
    fn previewed_message(lab: &TempLab, wait: Duration) -> Option<String> {
        let end = Instant::now() + wait;
        while Instant::now() < end {
            let msgs = crate::voicemail::wait_for_messages(lab, 1, Duration::from_millis(100));
            if let Some(m) = msgs
                .into_iter()
                .find(|m| header(m, "X-Umctl-Preview").is_some())
            {
                return Some(m);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        None
    }

    /// The preview text of a message, headers unfolded.
    fn unfolded_head(msg: &str) -> String {
        msg[..msg.find("\r\n\r\n").unwrap_or(msg.len())].replace("\r\n ", " ")
    }

    #[test]
    fn a_spoken_message_gets_its_transcript_after_delivery() {
        let test = "a_spoken_message_gets_its_transcript_after_delivery";
        if !sipp_available(test) || !flite_available(test) {
            return;
        }
        let (lab, serve) = bob_hears(SPOKEN, &["--preview"]);

        let msg = previewed_message(&lab, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("no preview came\n{}", serve.stderr()));
        let head = unfolded_head(&msg);
        println!("{head}");
        let state = header(&head, "X-Umctl-Preview").unwrap_or_default();
        assert!(state.starts_with("shown; confidence=0."), "{state}\n{head}");
        assert_eq!(
            header(&head, "X-MS-Exchange-UM-DialPlanLanguage"),
            Some("en-US")
        );
        let text = header(&head, "X-Umctl-Preview-Text")
            .unwrap_or_default()
            .to_string();
        let words: Vec<&str> = text
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '[' || c == ']' || c == '?'))
            .collect();
        for w in ["call", "back", "budget", "meeting", "tomorrow"] {
            assert!(words.contains(&w), "{w} missing from the preview {text:?}");
        }
        // The body opens with the preview; the recording is still the attachment.
        assert!(msg.contains("Voice Mail Preview (confidence "), "{msg}");
        assert!(msg.contains("voicemail.wav"));
        // One line in serve's log, with the CPU it cost.
        let log = serve.stderr();
        assert!(
            log.lines().any(|l| l.contains("preview of call ")
                && l.contains(": shown, confidence")
                && l.contains("s of audio")
                && l.contains("s CPU")),
            "{log}"
        );
        // Delivered once: the preview rewrote the message in place, no second copy.
        let new = lab.path().join("mailboxes/bob/Maildir/new");
        assert_eq!(std::fs::read_dir(&new).map(Iterator::count).unwrap_or(0), 1);
        let tmpdir = lab.path().join("mailboxes/bob/Maildir/tmp");
        assert_eq!(
            std::fs::read_dir(&tmpdir).map(Iterator::count).unwrap_or(0),
            0
        );
    }

    #[test]
    fn with_a_preview_wait_the_message_is_delivered_with_its_preview() {
        let test = "with_a_preview_wait_the_message_is_delivered_with_its_preview";
        if !sipp_available(test) || !flite_available(test) {
            return;
        }
        let (lab, serve) = bob_hears(
            "Please call me back.",
            &["--preview", "--preview-wait", "60"],
        );
        // The first time the message is seen, it already has its preview.
        let msgs = crate::voicemail::wait_for_messages(&lab, 1, Duration::from_secs(60));
        assert_eq!(msgs.len(), 1, "{}", serve.stderr());
        assert!(
            header(&msgs[0], "X-Umctl-Preview").is_some(),
            "{}\n{}",
            msgs[0],
            serve.stderr()
        );
    }

    /// The live trace's hop 8 says what serve --preview put in the message it finds (shown or
    /// not available, with its confidence).
    #[test]
    fn the_live_trace_reports_the_preview_of_the_message_it_left() {
        let lab = lab_with_short_greeting();
        let serve = ServeHarness::start(&lab, &["--preview", "--preview-wait", "60"]);
        // LOC801 is Unsecured in this lab: the pool calls over TCP.
        let tcp = serve.addr("EX-CAS01", "call_router", "tcp").to_string();
        let doc = lab
            .run(&[
                "trace-call",
                "--to",
                "bob",
                "--live",
                "--json",
                "--serve",
                &tcp,
                "--delivery-wait",
                "90",
            ])
            .ok()
            .json();
        let looked = crate::trace_live::hop(&doc, 8)["looked_up"].to_string();
        assert!(
            looked.contains("Voice Mail Preview: "),
            "{looked}\n{}",
            serve.stderr()
        );
    }
}
