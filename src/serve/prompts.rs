//! Turns a dialogue's [`PromptPart`]s into 8 kHz samples for the media engine.
//!
//! - System prompts (`fixtures/prompts/<id>.wav`) are embedded in the binary at build time
//!   (`build.rs` writes the table), so an installed `umctl` needs no source tree; each is
//!   decoded once, on first use, and shared by every call.
//! - A name is the recorded `name.wav` when there is one, else espeak-ng text to speech
//!   (`espeak-ng --stdout`, resampled to 8 kHz; cached per text), else the `no-tts-name`
//!   prompt.
//! - A file (a custom greeting) is read on each call (the user may have changed it) and
//!   converted from any supported WAV (8/16 kHz, mono/stereo, PCM or G.711).
//!
//! It does not send anything: `media_engine` paces the samples out as RTP.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use crate::media::wav;
use crate::um::PromptPart;

mod table {
    include!(concat!(env!("OUT_DIR"), "/prompts_table.rs"));
}

/// The raw WAV bytes of an embedded system prompt.
pub fn system_prompt_wav(id: &str) -> Option<&'static [u8]> {
    table::PROMPTS
        .binary_search_by(|(k, _)| (*k).cmp(id))
        .ok()
        .map(|i| table::PROMPTS[i].1)
}

/// The ids of every embedded prompt.
pub fn system_prompt_ids() -> impl Iterator<Item = &'static str> {
    table::PROMPTS.iter().map(|(id, _)| *id)
}

/// Each prompt is decoded on first use (not all at once: a call must not wait for the
/// whole table) and kept for the process.
fn decoded() -> &'static [OnceLock<Vec<i16>>] {
    static CACHE: OnceLock<Vec<OnceLock<Vec<i16>>>> = OnceLock::new();
    CACHE.get_or_init(|| table::PROMPTS.iter().map(|_| OnceLock::new()).collect())
}

/// The samples of a system prompt (empty when the id is unknown: a missing prompt must not
/// end a call).
pub fn system(id: &str) -> &'static [i16] {
    let Ok(i) = table::PROMPTS.binary_search_by(|(k, _)| (*k).cmp(id)) else {
        return &[];
    };
    let Some(slot) = decoded().get(i) else {
        return &[];
    };
    slot.get_or_init(|| wav::decode_8k_mono(table::PROMPTS[i].1).unwrap_or_default())
}

/// Text to speech with espeak-ng, cached per text; `None` when espeak-ng is not installed or
/// fails.
pub fn text_to_speech(text: &str) -> Option<Vec<i16>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Vec<i16>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock() {
        if let Some(hit) = c.get(text) {
            return hit.clone();
        }
    }
    let spoken = Command::new("espeak-ng")
        .args(["-v", "en-us", "--stdout", "--", text])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| wav::decode_8k_mono(&o.stdout).ok());
    if let Ok(mut c) = cache.lock() {
        if c.len() > 1000 {
            c.clear();
        }
        c.insert(text.to_string(), spoken.clone());
    }
    spoken
}

fn file(path: &Path) -> Option<Vec<i16>> {
    wav::read_file(path).ok()
}

/// The samples of one prompt part. Blocking (file reads, espeak-ng): call it off the async
/// threads.
pub fn render(part: &PromptPart) -> Vec<i16> {
    match part {
        PromptPart::System(id) => system(id).to_vec(),
        PromptPart::Beep => system("beep").to_vec(),
        PromptPart::Digits(digits) => digits
            .chars()
            .filter(char::is_ascii_digit)
            .flat_map(|d| system(&format!("digit-{d}")).iter().copied())
            .collect(),
        PromptPart::Number(n) => match n {
            0..=9 => system(&format!("digit-{n}")).to_vec(),
            10..=20 => system(&format!("number-{n}")).to_vec(),
            _ => system("number-more").to_vec(),
        },
        PromptPart::Name { recorded, text } => recorded
            .as_deref()
            .and_then(file)
            .or_else(|| {
                if text.trim().is_empty() {
                    None
                } else {
                    text_to_speech(text)
                }
            })
            .unwrap_or_else(|| system("no-tts-name").to_vec()),
        PromptPart::File(path) => file(path).unwrap_or_default(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_of_prompts_txt_is_embedded_and_decodes() {
        let listed = include_str!("../../fixtures/prompts/prompts.txt");
        let mut n = 0;
        for line in listed
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let id = line.split('|').next().unwrap_or_default();
            assert!(system_prompt_wav(id).is_some(), "{id} not embedded");
            assert!(!system(id).is_empty(), "{id} decodes to nothing");
            n += 1;
        }
        assert!(n > 40);
        assert!(!system("beep").is_empty());
        assert!(system("no-such-prompt").is_empty());
    }

    #[test]
    fn digits_and_numbers_use_the_digit_prompts() {
        let d = render(&PromptPart::Digits("12".into()));
        assert_eq!(d.len(), system("digit-1").len() + system("digit-2").len());
        assert_eq!(render(&PromptPart::Number(15)), system("number-15"));
        assert_eq!(render(&PromptPart::Number(99)), system("number-more"));
    }

    #[test]
    fn a_name_is_the_recording_else_speech_else_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let name = dir.path().join("name.wav");
        std::fs::write(&name, wav::encode_pcm16(&[100i16; 800])).unwrap();
        let part = PromptPart::Name {
            recorded: Some(name),
            text: "Bob".into(),
        };
        assert_eq!(render(&part), vec![100i16; 800]);
        let empty = PromptPart::Name {
            recorded: None,
            text: " ".into(),
        };
        assert_eq!(render(&empty), system("no-tts-name"));
        // Speech itself is tested with espeak-ng for real: tests/it/tts.rs.
    }
}
