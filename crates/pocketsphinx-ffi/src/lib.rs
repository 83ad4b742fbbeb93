//! A small, safe binding of the PocketSphinx 5prealpha decoder as Debian ships it
//! (`libpocketsphinx-dev`, `pocketsphinx-en-us`): load a model once ([`Decoder::new`]),
//! then decode whole utterances of 16 kHz, 16-bit mono samples ([`Decoder::decode`]) into a
//! hypothesis with its posterior probability and one [`Word`] per segment with its own
//! posterior (`ps_seg_prob`). Nothing is downloaded; the model files are paths.
//!
//! The raw declarations are in [`sys`] (by hand, against the bookworm headers, see there).
//! Invariants the safe API keeps:
//! - a [`Decoder`] owns one `ps_decoder_t` and one reference to its `cmd_ln_t`; both are
//!   non-null from construction to `Drop`, which frees the decoder first, then the config;
//! - every string the library returns (`ps_get_hyp`, `ps_seg_word`) is copied into a Rust
//!   `String` before the next library call that could invalidate it;
//! - a segment iterator is always walked to its end (`ps_seg_next` frees it there);
//! - a decoder is used from one thread at a time: `&mut self` for every call, `Send` but not
//!   `Sync`; [`Decoder::new`] holds a process-wide lock because the library's log target is
//!   global state set while parsing the configuration.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod sys;

use std::ffi::{c_int, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::Mutex;

/// Debian's US English model (`pocketsphinx-en-us`): acoustic model folder, language model,
/// dictionary.
pub const DEBIAN_EN_US: ModelPaths<'static> = ModelPaths {
    hmm: "/usr/share/pocketsphinx/model/en-us/en-us",
    lm: "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
    dict: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
};

/// The sample rate the Debian model expects (it is a 16 kHz model).
pub const SAMPLE_RATE: u32 = 16_000;

/// Where a model's three parts are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelPaths<'a> {
    /// The acoustic model folder (`-hmm`).
    pub hmm: &'a str,
    /// The n-gram language model (`-lm`).
    pub lm: &'a str,
    /// The pronunciation dictionary (`-dict`).
    pub dict: &'a str,
}

/// What went wrong.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// A model file or folder is missing (checked before the library sees it: the library
    /// would log and fail without saying which).
    MissingModel(PathBuf),
    /// A path holds a NUL byte.
    BadPath(String),
    /// The library refused the configuration or could not load the model.
    Init,
    /// A decoding call returned an error code.
    Decode(&'static str, i32),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::MissingModel(p) => write!(
                f,
                "the speech model file {} is missing (Debian: apt-get install pocketsphinx-en-us)",
                p.display()
            ),
            Error::BadPath(p) => write!(f, "the model path {p:?} holds a NUL byte"),
            Error::Init => write!(f, "pocketsphinx could not load the speech model"),
            Error::Decode(call, code) => write!(f, "pocketsphinx {call} failed ({code})"),
        }
    }
}

impl std::error::Error for Error {}

/// One segment of the best hypothesis: a word, silence (`<sil>`, `<s>`, `</s>`) or a filler
/// (`[NOISE]`); alternate pronunciations keep their `(2)` suffix.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// As the dictionary spells it.
    pub text: String,
    /// First and last frame (100 frames a second).
    pub frames: (i32, i32),
    /// Posterior probability, 0..=1.
    pub probability: f64,
}

/// One decoded utterance.
#[derive(Clone, Debug, PartialEq)]
pub struct Utterance {
    /// The best hypothesis (words separated by single spaces, no fillers); empty when the
    /// decoder found none.
    pub text: String,
    /// Posterior probability of the whole hypothesis, 0..=1.
    pub probability: f64,
    /// The segments, in order.
    pub words: Vec<Word>,
    /// Seconds of audio, as the library counts them.
    pub speech_seconds: f64,
    /// CPU seconds this thread spent decoding the utterance (`CLOCK_THREAD_CPUTIME_ID`; the
    /// library's own figure is the whole process's).
    pub cpu_seconds: f64,
}

/// A loaded model and its decoder; see the crate doc for the invariants.
pub struct Decoder {
    ps: NonNull<sys::PsDecoder>,
    config: NonNull<sys::CmdLn>,
}

// SAFETY: the decoder and its config are owned exclusively by this value (no other handle
// escapes), and the library keeps no thread-local state for them, so moving the owner to
// another thread is sound. Not `Sync`: every call takes `&mut self`.
unsafe impl Send for Decoder {}

/// Serialises configuration parsing (the library's log target is a global).
static INIT: Mutex<()> = Mutex::new(());

fn c_path(p: &str) -> Result<CString, Error> {
    if !Path::new(p).exists() {
        return Err(Error::MissingModel(PathBuf::from(p)));
    }
    CString::new(p).map_err(|_| Error::BadPath(p.to_string()))
}

impl Decoder {
    /// Loads `model` (about 0.25 s and 105 MB for Debian's en-us). The library's log goes to
    /// `/dev/null`.
    pub fn new(model: ModelPaths<'_>) -> Result<Decoder, Error> {
        let (hmm, lm, dict) = (c_path(model.hmm)?, c_path(model.lm)?, c_path(model.dict)?);
        let _guard = INIT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: ps_args returns a static table; every vararg is a valid NUL-terminated C
        // string living across the call (cmd_ln_init copies them), and the list ends with a
        // null pointer as cmd_ln_init requires.
        let config = unsafe {
            sys::cmd_ln_init(
                ptr::null_mut(),
                sys::ps_args(),
                1,
                c"-hmm".as_ptr(),
                hmm.as_ptr(),
                c"-lm".as_ptr(),
                lm.as_ptr(),
                c"-dict".as_ptr(),
                dict.as_ptr(),
                c"-logfn".as_ptr(),
                c"/dev/null".as_ptr(),
                ptr::null::<std::ffi::c_char>(),
            )
        };
        let config = NonNull::new(config).ok_or(Error::Init)?;
        // SAFETY: config is a valid cmd_ln_t; ps_init takes its own reference.
        let ps = unsafe { sys::ps_init(config.as_ptr()) };
        match NonNull::new(ps) {
            Some(ps) => Ok(Decoder { ps, config }),
            None => {
                // SAFETY: our reference to config, released once.
                unsafe { sys::cmd_ln_free_r(config.as_ptr()) };
                Err(Error::Init)
            }
        }
    }

    /// Decodes `samples` (16 kHz, 16-bit mono) as one utterance.
    pub fn decode(&mut self, samples: &[i16]) -> Result<Utterance, Error> {
        let ps = self.ps.as_ptr();
        let cpu_before = thread_cpu();
        // SAFETY: ps is valid (invariant); the sample pointer and length describe the slice.
        unsafe {
            check("ps_start_utt", sys::ps_start_utt(ps))?;
            check(
                "ps_process_raw",
                sys::ps_process_raw(ps, samples.as_ptr(), samples.len(), 0, 1),
            )?;
            check("ps_end_utt", sys::ps_end_utt(ps))?;
        }
        let mut score: c_int = 0;
        // SAFETY: ps valid; the returned string is copied before any other call.
        let text = unsafe { copy_str(sys::ps_get_hyp(ps, &mut score)) };
        // SAFETY: ps valid.
        let prob = unsafe { sys::ps_get_prob(ps) };
        let probability = self.exp(prob);
        let words = self.segments();
        let (mut speech, mut cpu, mut wall) = (0.0, 0.0, 0.0);
        // SAFETY: ps valid, three valid out-pointers.
        unsafe { sys::ps_get_utt_time(ps, &mut speech, &mut cpu, &mut wall) };
        Ok(Utterance {
            text: text.unwrap_or_default(),
            probability,
            words,
            speech_seconds: speech,
            cpu_seconds: thread_cpu() - cpu_before,
        })
    }

    /// Walks the segment iterator of the last utterance to its end.
    fn segments(&mut self) -> Vec<Word> {
        let mut out = Vec::new();
        // SAFETY: ps valid; seg is used only while non-null and until ps_seg_next returns
        // null (which frees it); the word string is copied before ps_seg_next.
        unsafe {
            let mut seg = sys::ps_seg_iter(self.ps.as_ptr());
            while !seg.is_null() {
                let text = copy_str(sys::ps_seg_word(seg)).unwrap_or_default();
                let (mut sf, mut ef) = (0, 0);
                sys::ps_seg_frames(seg, &mut sf, &mut ef);
                let (mut a, mut l, mut b) = (0, 0, 0);
                let prob = sys::ps_seg_prob(seg, &mut a, &mut l, &mut b);
                let probability = self.exp(prob);
                out.push(Word {
                    text,
                    frames: (sf, ef),
                    probability,
                });
                seg = sys::ps_seg_next(seg);
            }
        }
        out
    }

    /// A log probability in the decoder's base as 0..=1.
    fn exp(&mut self, logp: c_int) -> f64 {
        // SAFETY: ps valid; the logmath object is owned by the decoder and lives as long.
        let p = unsafe { sys::logmath_exp(sys::ps_get_logmath(self.ps.as_ptr()), logp) };
        p.clamp(0.0, 1.0)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: both pointers are valid and released exactly once, the decoder (which
        // holds its own config reference) first.
        unsafe {
            sys::ps_free(self.ps.as_ptr());
            sys::cmd_ln_free_r(self.config.as_ptr());
        }
    }
}

/// CPU seconds the calling thread has used.
fn thread_cpu() -> f64 {
    let mut t = sys::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer; the clock id is Linux's thread CPU clock.
    let rc = unsafe { sys::clock_gettime(sys::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if rc == 0 {
        t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
    } else {
        0.0
    }
}

fn check(call: &'static str, code: c_int) -> Result<(), Error> {
    if code < 0 {
        Err(Error::Decode(call, code))
    } else {
        Ok(())
    }
}

/// Copies a C string the library owns; `None` for NULL.
///
/// # Safety
/// `p` is null or a valid NUL-terminated string for the duration of the call.
unsafe fn copy_str(p: *const std::ffi::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recording shipped by pocketsphinx-testdata: "go forward ten meters", 16 kHz raw.
    const GOFORWARD: &str = "/usr/share/pocketsphinx/test/data/goforward.raw";

    fn raw(path: &str) -> Option<Vec<i16>> {
        let bytes = std::fs::read(path).ok()?;
        Some(
            bytes
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )
    }

    #[test]
    fn a_missing_model_file_is_named() {
        let model = ModelPaths {
            hmm: "/nonexistent/hmm",
            ..DEBIAN_EN_US
        };
        match Decoder::new(model) {
            Err(e) => {
                assert_eq!(e, Error::MissingModel("/nonexistent/hmm".into()));
                assert!(e.to_string().contains("/nonexistent/hmm"));
            }
            Ok(_) => panic!("a missing model loaded"),
        }
    }

    #[test]
    fn decodes_the_testdata_recording_with_confidences() {
        let Some(samples) = raw(GOFORWARD) else {
            eprintln!("*** SKIPPED: {GOFORWARD} missing (apt-get install pocketsphinx-testdata)");
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs pocketsphinx-testdata"
            );
            return;
        };
        let mut d = Decoder::new(DEBIAN_EN_US).expect("the Debian model loads");
        let u = d.decode(&samples).expect("decodes");
        assert_eq!(u.text, "go forward ten meters");
        assert!((0.0..=1.0).contains(&u.probability));
        let words: Vec<&str> = u.words.iter().map(|w| w.text.as_str()).collect();
        for w in ["go", "forward", "ten", "meters"] {
            assert!(words.contains(&w), "{w} in {words:?}");
        }
        assert!(u.words.iter().all(|w| (0.0..=1.0).contains(&w.probability)));
        assert!(u.words.iter().any(|w| w.probability > 0.5), "{:?}", u.words);
        assert!(u.words.windows(2).all(|p| p[0].frames.1 < p[1].frames.0));
        assert!(u.speech_seconds > 1.0, "{}", u.speech_seconds);
        assert!(
            u.cpu_seconds > 0.0 && u.cpu_seconds < 60.0,
            "{}",
            u.cpu_seconds
        );
        // The same decoder decodes a second utterance the same way (state is reset).
        let again = d.decode(&samples).expect("decodes again");
        assert_eq!(again.text, u.text);
    }

    #[test]
    fn silence_and_empty_input_give_no_words_and_no_error() {
        let mut d = Decoder::new(DEBIAN_EN_US).expect("the Debian model loads");
        let u = d.decode(&[]).expect("empty input decodes");
        assert!(u
            .words
            .iter()
            .all(|w| w.text.starts_with('<') || w.text.starts_with('[')));
        let u = d.decode(&vec![0i16; 16_000]).expect("silence decodes");
        assert!(u.text.split_whitespace().count() <= 1, "{:?}", u.text);
    }

    #[test]
    fn decoders_load_and_drop_on_several_threads() {
        let threads: Vec<_> = (0..2)
            .map(|_| std::thread::spawn(|| Decoder::new(DEBIAN_EN_US).map(drop)))
            .collect();
        for t in threads {
            assert_eq!(t.join().expect("no panic"), Ok(()));
        }
    }
}
