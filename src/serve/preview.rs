//! Voice Mail Preview in serve (`serve --preview`, cargo feature `preview`): a [`Mailer`]
//! in front of delivery that adds a transcript to each voice message.
//!
//! One model load per serve: one decoder thread owns the pocketsphinx decoder
//! (`pocketsphinx-ffi`, Debian's en-us model) and decodes one message at a time, off the
//! async runtime. A voice message's `voicemail.wav` (8 kHz G.711 decoded to 16-bit) is
//! resampled to 16 kHz (the model is 16 kHz only) and decoded as one utterance (a message
//! over 180 s is not decoded: Exchange's partner limit);
//! [`crate::um::preview::judge`] decides what the message says.
//!
//! Decoding never delays delivery beyond `--preview-wait` (default 0): the message waits at
//! most that long for its preview. A preview ready in time is in the message as delivered
//! (Maildir or SMTP). Otherwise the message is delivered without it; in a Maildir the preview
//! is added when ready by rewriting the file atomically (a new file in the Maildir's `tmp/`,
//! fsynced, renamed over the message, also when a reader has moved it to `cur/`); over SMTP
//! the message has left, so it stays without a preview (set `--preview-wait` for SMTP).
//! Missed-call notifications pass straight through. One log line per preview on stderr.
//!
//! At most [`QUEUE`] messages wait for the decoder (each holds up to 180 s of audio); a
//! message past that is delivered at once without a preview (logged), so a burst of voice
//! mail never grows memory without bound. The late rewrites run on one thread, in the
//! decoder's order.

use std::sync::Arc;
use std::time::Duration;

use crate::mail::Mailer;
use crate::um::preview::{Preview, PreviewPolicy};
#[cfg(feature = "preview")]
use {
    crate::mail::{DeliveryReceipt, MailError, OutgoingMessage},
    std::path::{Path, PathBuf},
};

/// What `serve --preview` asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PreviewOptions {
    /// How long a message waits for its preview before it is delivered without it.
    pub wait: Duration,
    pub policy: PreviewPolicy,
}

/// How many voice messages may wait for the decoder; the next is delivered without a preview.
pub const QUEUE: usize = 32;

/// The sentence a build without the feature answers `--preview` with.
pub const NOT_BUILT: &str = "built without the preview feature";

/// One decoded message: the preview and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub preview: Preview,
    /// Seconds of audio decoded.
    pub audio_seconds: f64,
    /// CPU seconds the decoder spent (as pocketsphinx measures them).
    pub cpu_seconds: f64,
}

#[cfg(feature = "preview")]
impl Outcome {
    /// The log line.
    fn log_line(&self, call: &str) -> String {
        let state = match &self.preview {
            Preview::Shown { confidence, .. } => format!("shown, confidence {confidence:.2}"),
            Preview::Unavailable { confidence } => {
                format!("unavailable, confidence {confidence:.2}")
            }
            Preview::TooLong { .. } => "not transcribed (too long)".into(),
        };
        format!(
            "preview of {call}: {state}, {:.2} s of audio, {:.2} s CPU",
            self.audio_seconds, self.cpu_seconds
        )
    }
}

/// The preview service as the mailer delivery goes through (see the module doc).
#[cfg(feature = "preview")]
pub fn start(options: PreviewOptions, inner: Arc<dyn Mailer>) -> Result<Arc<dyn Mailer>, String> {
    let decoder = engine::Engine::start(options.policy, QUEUE)?;
    Ok(Arc::new(PreviewMailer {
        inner,
        decoder,
        late: late_rewrites()?,
        wait: options.wait,
    }))
}

/// Without the feature there is no recognizer: `--preview` is refused.
#[cfg(not(feature = "preview"))]
pub fn start(_options: PreviewOptions, _inner: Arc<dyn Mailer>) -> Result<Arc<dyn Mailer>, String> {
    Err(NOT_BUILT.to_string())
}

#[cfg(feature = "preview")]
struct PreviewMailer {
    inner: Arc<dyn Mailer>,
    decoder: engine::Engine,
    /// Messages delivered before their preview: rewritten when it arrives.
    late: std::sync::Mutex<std::sync::mpsc::Sender<LateRewrite>>,
    wait: Duration,
}

/// A delivered message whose preview is still being decoded.
#[cfg(feature = "preview")]
struct LateRewrite {
    call: String,
    reply: std::sync::mpsc::Receiver<Outcome>,
    paths: Vec<PathBuf>,
}

/// The one thread that adds late previews, in the order the decoder answers them.
#[cfg(feature = "preview")]
fn late_rewrites() -> Result<std::sync::Mutex<std::sync::mpsc::Sender<LateRewrite>>, String> {
    let (tx, rx) = std::sync::mpsc::channel::<LateRewrite>();
    std::thread::Builder::new()
        .name("umctl-preview-rewrite".into())
        .spawn(move || {
            for late in rx {
                let Ok(outcome) = late.reply.recv() else {
                    continue;
                };
                tracing::info!("{}", outcome.log_line(&late.call));
                for p in &late.paths {
                    if let Err(e) = rewrite(p, &outcome.preview) {
                        tracing::warn!("preview of {}: {e}", late.call);
                    }
                }
            }
        })
        .map_err(|e| format!("voice mail preview: starting its thread: {e}"))?;
    Ok(std::sync::Mutex::new(tx))
}

#[cfg(feature = "preview")]
impl Mailer for PreviewMailer {
    fn deliver(&self, mut msg: OutgoingMessage) -> Result<DeliveryReceipt, MailError> {
        if !super::delivery::is_voice_message(&msg) {
            return self.inner.deliver(msg);
        }
        let call = call_id(&msg.bytes);
        let samples = match crate::mail::voicemail::extract_audio(&msg.bytes)
            .map_err(str::to_string)
            .and_then(|wav| crate::media::wav::decode_8k_mono(&wav).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("preview of {call}: no audio ({e}); delivered without");
                return self.inner.deliver(msg);
            }
        };
        let Some(reply) = self.decoder.submit(samples) else {
            tracing::warn!(
                "preview of {call}: {QUEUE} messages already wait for the decoder; delivered without"
            );
            return self.inner.deliver(msg);
        };
        if let Ok(outcome) = reply.recv_timeout(self.wait) {
            tracing::info!("{}", outcome.log_line(&call));
            if let Ok(bytes) = with_preview(&msg.bytes, &outcome.preview) {
                msg.bytes = bytes;
            }
            return self.inner.deliver(msg);
        }
        let receipt = self.inner.deliver(msg)?;
        match &receipt {
            DeliveryReceipt::Delivered { paths } => {
                let late = LateRewrite {
                    call,
                    reply,
                    paths: paths.clone(),
                };
                let _ = self
                    .late
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .send(late);
            }
            DeliveryReceipt::Spooled { .. } => {
                tracing::info!("preview of {call}: not ready within --preview-wait; sent without")
            }
        }
        Ok(receipt)
    }
}

#[cfg(feature = "preview")]
/// The message's `X-Umctl-Call-Id` (for the log), or `a voice message`.
fn call_id(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(crate::mail::message::HEADER_CALL_ID)
                .then(|| format!("call {}", v.trim()))
        })
        .unwrap_or_else(|| "a voice message".into())
}

#[cfg(feature = "preview")]
/// `bytes` with the preview's headers and text.
fn with_preview(bytes: &[u8], preview: &Preview) -> Result<Vec<u8>, String> {
    crate::mail::preview::add_preview(bytes, &preview.headers(), &preview.body())
        .map_err(str::to_string)
}

#[cfg(feature = "preview")]
/// Where a delivered Maildir message is now: its path in `new/`, or in `cur/` with the flags a
/// reader added (`<name>:2,S`); `None` once it was deleted.
fn current_path(delivered: &Path) -> Option<PathBuf> {
    if delivered.exists() {
        return Some(delivered.to_path_buf());
    }
    let name = delivered.file_name()?.to_str()?;
    let cur = delivered.parent()?.parent()?.join("cur");
    std::fs::read_dir(cur).ok()?.find_map(|e| {
        let e = e.ok()?;
        let n = e.file_name();
        let n = n.to_str()?;
        (n == name || n.starts_with(&format!("{name}:"))).then(|| e.path())
    })
}

#[cfg(feature = "preview")]
/// Adds the preview to a message in a Maildir (`atomic_file::move_in`): written to `tmp/`,
/// fsynced, renamed over the message (a reader sees the old file or the new one, never a
/// part), the folder fsynced.
fn rewrite(delivered: &Path, preview: &Preview) -> Result<(), String> {
    let Some(path) = current_path(delivered) else {
        return Ok(()); // deleted before its preview was ready: nothing to add it to
    };
    let old = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let new = with_preview(&old, preview)?;
    let maildir = path
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{} is not in a Maildir", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = maildir.join("tmp").join(format!(
        "{}.preview",
        name.unwrap_or_default().replace(':', "_")
    ));
    // A leftover of a rewrite a crash interrupted is replaced (move_in wants a new file).
    let _ = std::fs::remove_file(&tmp);
    crate::atomic_file::move_in(&tmp, &path, &new)
        .map_err(|e| format!("adding the preview to {}: {e}", path.display()))
}

#[cfg(feature = "preview")]
mod engine {
    //! The decoder thread: one model, jobs in a queue, each answered on its own channel.

    use std::sync::mpsc;
    use std::sync::Mutex;

    use pocketsphinx_ffi::{Decoder, DEBIAN_EN_US, SAMPLE_RATE};

    use super::Outcome;
    use crate::media::wav::resample;
    use crate::um::preview::{judge, too_long, PreviewPolicy, RecognizedWord};

    type Job = (Vec<i16>, mpsc::Sender<Outcome>);

    pub(super) struct Engine {
        jobs: Mutex<mpsc::SyncSender<Job>>,
    }

    impl Engine {
        /// Loads the model on the decoder thread (an error, no model, is returned here);
        /// at most `queue` jobs wait while one is decoded.
        pub(super) fn start(policy: PreviewPolicy, queue: usize) -> Result<Engine, String> {
            let (jobs, queue) = mpsc::sync_channel::<Job>(queue);
            let (ready, loaded) = mpsc::channel();
            std::thread::Builder::new()
                .name("umctl-preview".into())
                .spawn(move || {
                    let mut decoder = match Decoder::new(DEBIAN_EN_US) {
                        Ok(d) => {
                            let _ = ready.send(Ok(()));
                            d
                        }
                        Err(e) => {
                            let _ = ready.send(Err(format!("voice mail preview: {e}")));
                            return;
                        }
                    };
                    for (samples, reply) in queue {
                        let _ = reply.send(decode(&mut decoder, &samples, policy));
                    }
                })
                .map_err(|e| format!("voice mail preview: starting its thread: {e}"))?;
            loaded
                .recv()
                .map_err(|_| "voice mail preview: the decoder thread stopped".to_string())??;
            Ok(Engine {
                jobs: Mutex::new(jobs),
            })
        }

        /// Queues 8 kHz samples; the outcome arrives on the returned channel. `None`: the
        /// queue is full (or the decoder thread is gone), nothing was queued.
        pub(super) fn submit(&self, samples: Vec<i16>) -> Option<mpsc::Receiver<Outcome>> {
            let (tx, rx) = mpsc::channel();
            let jobs = self
                .jobs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            jobs.try_send((samples, tx)).ok().map(|()| rx)
        }
    }

    /// 8 kHz samples -> 16 kHz -> one utterance -> the preview.
    fn decode(decoder: &mut Decoder, samples: &[i16], policy: PreviewPolicy) -> Outcome {
        let audio_seconds = samples.len() as f64 / 8000.0;
        if let Some(preview) = too_long(audio_seconds) {
            return Outcome {
                preview,
                audio_seconds,
                cpu_seconds: 0.0,
            };
        }
        let wide: Vec<f32> = samples.iter().map(|&s| f32::from(s)).collect();
        let up: Vec<i16> = resample(&wide, 8000, SAMPLE_RATE)
            .into_iter()
            .map(|s| s.round().clamp(-32768.0, 32767.0) as i16)
            .collect();
        let (words, cpu) = match decoder.decode(&up) {
            Ok(u) => (
                u.words
                    .into_iter()
                    .map(|w| RecognizedWord {
                        text: w.text,
                        probability: w.probability,
                    })
                    .collect(),
                u.cpu_seconds,
            ),
            Err(e) => {
                tracing::error!("voice mail preview: {e}");
                (Vec::new(), 0.0)
            }
        };
        Outcome {
            preview: judge(&words, policy),
            audio_seconds,
            cpu_seconds: cpu,
        }
    }
}

#[cfg(all(test, feature = "preview"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mail::{MailAddress, VoiceMessage};
    use std::time::UNIX_EPOCH;

    fn maildir_message(root: &Path) -> PathBuf {
        let bytes = VoiceMessage {
            from_number: "+14255550100".into(),
            from_name: None,
            from_address: None,
            to_user: MailAddress::new("Bob Haddad", "bob@contoso.lab"),
            duration: Duration::from_secs(2),
            call_id: "c9@contoso.lab".into(),
            received_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            audio: vec![0; 8],
            interrupted: false,
        }
        .render("um@contoso.lab")
        .unwrap()
        .bytes;
        for d in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let path = root.join("new/1700000000.M1P1.host");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn shown() -> Preview {
        Preview::Shown {
            text: "call me back".into(),
            confidence: 0.9,
        }
    }

    #[test]
    fn past_the_queue_a_message_is_not_queued_and_the_queued_ones_are_decoded() {
        let engine = engine::Engine::start(PreviewPolicy::default(), 2).unwrap();
        // Ten seconds of silence each: the decoder is busy with the first while the others
        // are offered at once, so at most 1 + 2 are taken.
        let taken: Vec<_> = (0..6)
            .filter_map(|_| engine.submit(vec![0i16; 80_000]))
            .collect();
        assert!((2..=3).contains(&taken.len()), "{} taken", taken.len());
        for reply in taken {
            let outcome = reply.recv_timeout(Duration::from_secs(60)).unwrap();
            assert!((outcome.audio_seconds - 10.0).abs() < 1e-9);
        }
    }

    #[test]
    fn a_late_preview_rewrites_the_message_in_new_or_cur() {
        let dir = tempfile::tempdir().unwrap();
        let path = maildir_message(dir.path());
        assert_eq!(
            call_id(&std::fs::read(&path).unwrap()),
            "call c9@contoso.lab"
        );
        rewrite(&path, &shown()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\r\nX-Umctl-Preview-Text: call me back\r\n"),
            "{text}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );

        // A reader moved the next one to cur/ with flags: that file gets the preview.
        let path = maildir_message(dir.path());
        let read = dir.path().join("cur/1700000000.M1P1.host:2,S");
        std::fs::rename(&path, &read).unwrap();
        rewrite(&path, &shown()).unwrap();
        assert!(std::fs::read_to_string(&read)
            .unwrap()
            .contains("X-Umctl-Preview: shown"));
        assert!(!path.exists(), "no second copy in new/");

        // Deleted before the preview was ready: nothing is written.
        std::fs::remove_file(&read).unwrap();
        rewrite(&path, &shown()).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("cur")).unwrap().count(),
            0
        );
        assert!(!path.exists());
    }
}
