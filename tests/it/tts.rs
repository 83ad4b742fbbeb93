//! The text-to-speech greeting, spoken for real by espeak-ng (a peer .ci/run installs): a user
//! with no recorded name is announced with speech, not silence and not the "no name" prompt.

use umctl::serve::prompts::{render, system};
use umctl::um::resolve::Greeting;
use umctl::um::{greeting_parts, PromptPart};

/// 8 kHz: samples per second, and per 20 ms frame.
const RATE: usize = 8000;
const FRAME: usize = 160;

fn espeak_available() -> bool {
    let found = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::support::skip_for_missing_peer(
            "a_user_without_a_recorded_name_is_announced_by_speech",
            "espeak-ng (apt-get install espeak-ng)",
        );
    }
    found
}

/// The share of 20 ms frames louder than -40 dBFS (RMS).
fn voiced_share(samples: &[i16]) -> f64 {
    let frames: Vec<&[i16]> = samples.chunks(FRAME).collect();
    let loud = frames
        .iter()
        .filter(|f| {
            let power = f.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / f.len() as f64;
            power.sqrt() > 32768.0 * 0.01
        })
        .count();
    loud as f64 / frames.len().max(1) as f64
}

fn seconds(samples: &[i16]) -> f64 {
    samples.len() as f64 / RATE as f64
}

/// A part's samples, its shared clips one after the other.
fn samples(part: &PromptPart) -> Vec<i16> {
    render(part)
        .iter()
        .flat_map(|c| c.iter().copied())
        .collect()
}

#[test]
fn a_user_without_a_recorded_name_is_announced_by_speech() {
    if !espeak_available() {
        return;
    }
    // Bob's mailbox folder holds neither greeting.wav nor name.wav.
    let mailboxes = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(mailboxes.path().join("bob")).unwrap();
    let bob = umctl::mail::Mailbox::open(mailboxes.path(), "bob").unwrap();
    let greeting = Greeting::for_mailbox(Some(&bob), "Bob Haddad");
    assert!(
        matches!(greeting, Greeting::TextToSpeech { .. }),
        "{greeting:?}"
    );
    let parts = greeting_parts(&greeting, Some("Bob Haddad"));
    let PromptPart::Name { recorded: None, .. } = &parts[0] else {
        panic!("the greeting of a user without name.wav starts with a spoken name: {parts:?}");
    };
    let name = samples(&parts[0]);
    assert_ne!(name, system("no-tts-name"), "espeak-ng was not used");
    let s = seconds(&name);
    assert!((0.4..4.0).contains(&s), "\"Bob Haddad\" spoken in {s:.2} s");
    let voiced = voiced_share(&name);
    assert!(
        voiced > 0.4,
        "only {:.0}% of the name is audible",
        voiced * 100.0
    );
    // Longer text, longer speech: the audio follows the words.
    let long = samples(&PromptPart::Name {
        recorded: None,
        text: "Bartholomew Alexander Montgomery Fitzwilliam".into(),
    });
    assert!(
        seconds(&long) > s + 0.5,
        "{:.2} s for the long name, {s:.2} s for Bob Haddad",
        seconds(&long)
    );
    // The whole greeting: the name, then "is not available...".
    let whole: Vec<i16> = parts.iter().flat_map(samples).collect();
    assert!(seconds(&whole) > s + 1.0, "{:.2} s", seconds(&whole));
}
