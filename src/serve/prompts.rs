//! Turns a dialogue's [`PromptPart`]s into 8 kHz samples for the media engine.
//!
//! - System prompts (`fixtures/prompts/<id>.wav`) are embedded in the binary at build time
//!   (`build.rs` writes the table), so an installed `umctl` needs no source tree; each is
//!   decoded once, on first use, and shared by every call.
//! - A name is the recorded `name.wav` when there is one, else espeak-ng text to speech
//!   (`espeak-ng --stdout`, resampled to 8 kHz; cached per text), else the `no-tts-name`
//!   prompt.
//! - A file (a custom greeting, a recorded name) is converted from any supported WAV (8/16 kHz,
//!   mono/stereo, PCM or G.711) and kept in a bounded cache keyed by its path, size,
//!   modification time and inode, so calls share one decoded copy and a changed greeting
//!   (written anew, `lab greeting set`) takes effect at the next call.
//!
//! Every part renders to shared [`Clip`]s (no copy per call). It does not send anything:
//! `media_engine` paces the samples out as RTP.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use super::playout::Clip;
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
fn decoded() -> &'static [OnceLock<Clip>] {
    static CACHE: OnceLock<Vec<OnceLock<Clip>>> = OnceLock::new();
    CACHE.get_or_init(|| table::PROMPTS.iter().map(|_| OnceLock::new()).collect())
}

/// The samples of a system prompt (empty when the id is unknown: a missing prompt must not
/// end a call).
pub fn system(id: &str) -> &'static [i16] {
    system_clip(id).map_or(&[], |c| &**c)
}

/// The shared samples of a system prompt (`None` when the id is unknown).
fn system_clip(id: &str) -> Option<&'static Clip> {
    let i = table::PROMPTS
        .binary_search_by(|(k, _)| (*k).cmp(id))
        .ok()?;
    let slot = decoded().get(i)?;
    Some(slot.get_or_init(|| {
        wav::decode_8k_mono(table::PROMPTS[i].1)
            .unwrap_or_default()
            .into()
    }))
}

/// A system prompt as a clip to queue (none when the id is unknown).
fn system_part(id: &str) -> Vec<Clip> {
    system_clip(id).into_iter().cloned().collect()
}

/// Text to speech with espeak-ng, cached per text; `None` when espeak-ng is not installed or
/// fails.
pub fn text_to_speech(text: &str) -> Option<Clip> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Clip>>>> = OnceLock::new();
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
        .and_then(|o| wav::decode_8k_mono(&o.stdout).ok())
        .map(Clip::from);
    if let Ok(mut c) = cache.lock() {
        if c.len() > 1000 {
            c.clear();
        }
        c.insert(text.to_string(), spoken.clone());
    }
    spoken
}

/// What identifies one version of a file: a greeting replaced (new inode, size or time) is
/// decoded again.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Version {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Version {
    fn of(path: &Path) -> Option<Version> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Version {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
        })
    }
}

/// Decoded samples the file cache keeps at most (64 MB: about 70 minutes of greetings).
const FILE_CACHE_SAMPLES: usize = 32 << 20;

/// Decoded files by path, each with the version it was decoded from.
#[derive(Default)]
struct FileCache {
    entries: HashMap<PathBuf, (Version, Clip)>,
    samples: usize,
}

impl FileCache {
    fn get(&self, path: &Path, version: Version) -> Option<Clip> {
        self.entries
            .get(path)
            .filter(|(v, _)| *v == version)
            .map(|(_, c)| c.clone())
    }

    /// Keeps `clip` for `path` (replacing an older version); when over the bound, forgets
    /// the others first (calls playing them keep their reference).
    fn put(&mut self, path: &Path, version: Version, clip: Clip) {
        if let Some((_, old)) = self.entries.remove(path) {
            self.samples -= old.len();
        }
        if clip.len() > FILE_CACHE_SAMPLES {
            return;
        }
        if self.samples + clip.len() > FILE_CACHE_SAMPLES {
            self.entries.clear();
            self.samples = 0;
        }
        self.samples += clip.len();
        self.entries.insert(path.to_path_buf(), (version, clip));
    }
}

/// The samples of a WAV file, decoded once per version of the file.
fn file(path: &Path) -> Option<Clip> {
    static CACHE: OnceLock<Mutex<FileCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let version = Version::of(path)?;
    if let Some(hit) = cache.lock().ok()?.get(path, version) {
        return Some(hit);
    }
    let clip = Clip::from(wav::read_file(path).ok()?);
    // A file replaced while it was read is decoded again next time.
    if Version::of(path) == Some(version) {
        cache.lock().ok()?.put(path, version, clip.clone());
    }
    Some(clip)
}

/// The samples of one prompt part, as shared clips. Blocking (file reads, espeak-ng): call
/// it off the async threads.
pub fn render(part: &PromptPart) -> Vec<Clip> {
    match part {
        PromptPart::System(id) => system_part(id),
        PromptPart::Beep => system_part("beep"),
        PromptPart::Digits(digits) => digits
            .chars()
            .filter(char::is_ascii_digit)
            .flat_map(|d| system_part(&format!("digit-{d}")))
            .collect(),
        PromptPart::Number(n) => match n {
            0..=9 => system_part(&format!("digit-{n}")),
            10..=20 => system_part(&format!("number-{n}")),
            _ => system_part("number-more"),
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
            .map_or_else(|| system_part("no-tts-name"), |c| vec![c]),
        PromptPart::File(path) => file(path).into_iter().collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn samples(part: &PromptPart) -> Vec<i16> {
        render(part)
            .iter()
            .flat_map(|c| c.iter().copied())
            .collect()
    }

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
        let d = samples(&PromptPart::Digits("12".into()));
        assert_eq!(d.len(), system("digit-1").len() + system("digit-2").len());
        assert_eq!(samples(&PromptPart::Number(15)), system("number-15"));
        assert_eq!(samples(&PromptPart::Number(99)), system("number-more"));
        assert!(render(&PromptPart::System("no-such-prompt")).is_empty());
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
        assert_eq!(samples(&part), vec![100i16; 800]);
        let empty = PromptPart::Name {
            recorded: None,
            text: " ".into(),
        };
        assert_eq!(samples(&empty), system("no-tts-name"));
        // Speech itself is tested with espeak-ng for real: tests/it/tts.rs.
    }

    #[test]
    fn a_greeting_is_decoded_once_and_again_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("greeting.wav");
        std::fs::write(&path, wav::encode_pcm16(&[7i16; 1600])).unwrap();
        let part = PromptPart::File(path.clone());
        let (a, b) = (render(&part), render(&part));
        assert!(
            Arc::ptr_eq(&a[0], &b[0]),
            "two calls share one decoded copy"
        );
        assert_eq!(&*a[0], &[7i16; 1600][..]);
        // Replaced the way `lab greeting set` does it: a new file renamed over the old one.
        let next = dir.path().join("greeting.tmp");
        std::fs::write(&next, wav::encode_pcm16(&[9i16; 1600])).unwrap();
        std::fs::rename(&next, &path).unwrap();
        assert_eq!(samples(&part), vec![9i16; 1600]);
        std::fs::remove_file(&path).unwrap();
        assert!(render(&part).is_empty());
    }

    #[test]
    fn the_file_cache_is_bounded() {
        let mut cache = FileCache::default();
        let v = Version {
            len: 1,
            modified: None,
            inode: 1,
        };
        let big = Clip::from(vec![0i16; FILE_CACHE_SAMPLES / 2 + 1]);
        cache.put(Path::new("a"), v, big.clone());
        cache.put(Path::new("b"), v, big.clone());
        assert!(cache.samples <= FILE_CACHE_SAMPLES);
        assert!(cache.get(Path::new("a"), v).is_none());
        assert!(cache.get(Path::new("b"), v).is_some());
        cache.put(Path::new("b"), v, Clip::from(vec![0i16; 10]));
        assert_eq!(cache.samples, 10);
        let other = Version { inode: 2, ..v };
        assert!(cache.get(Path::new("b"), other).is_none());
    }
}
