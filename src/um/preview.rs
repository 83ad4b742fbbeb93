//! Voice Mail Preview, the decisions: what a recognizer's words and confidences become in the
//! message. Pure functions; the recognizer itself (pocketsphinx, behind the `preview` cargo
//! feature) runs in `serve::preview`.
//!
//! Exchange's behaviour, kept: a transcript with a confidence score; below the threshold the
//! preview says it is unavailable rather than showing bad text; words of low confidence are
//! marked. Here the score of a message is the mean posterior of its words (fillers and
//! silences left out): on this machine a mean of 0.6 or more kept 28 of 120 flite messages at
//! 7% word error rate against 74% for the rest, so [`PreviewPolicy::default`] shows a
//! transcript from 0.6 and marks a word below 0.5 as `[word?]`.

/// A word the recognizer returned, as the dictionary spells it, with its posterior (0..=1).
#[derive(Clone, Debug, PartialEq)]
pub struct RecognizedWord {
    pub text: String,
    pub probability: f64,
}

/// When a transcript is shown and which words are marked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PreviewPolicy {
    /// The least mean word confidence for which the transcript is shown.
    pub show_from: f64,
    /// A shown word below this confidence is marked `[word?]`.
    pub mark_below: f64,
}

impl Default for PreviewPolicy {
    fn default() -> Self {
        PreviewPolicy {
            show_from: 0.6,
            mark_below: 0.5,
        }
    }
}

/// What the message says.
#[derive(Clone, Debug, PartialEq)]
pub enum Preview {
    /// The transcript (low-confidence words marked) and its confidence.
    Shown { text: String, confidence: f64 },
    /// No transcript: the confidence was below the threshold (0 when no word was heard).
    Unavailable { confidence: f64 },
    /// Not transcribed: longer than [`MAX_SECONDS`].
    TooLong { seconds: u64 },
}

/// The longest message transcribed: Exchange's VoiceMailPreviewPartnerMaxMessageDuration
/// default, 180 s (domain B.4.7). A longer one is not decoded at all.
pub const MAX_SECONDS: u64 = 180;

/// Whether a message of `seconds` is transcribed; `Some(TooLong)` when it is not.
pub fn too_long(seconds: f64) -> Option<Preview> {
    (seconds > MAX_SECONDS as f64).then(|| Preview::TooLong {
        seconds: seconds.round() as u64,
    })
}

/// The header that carries the preview's state and confidence (`shown; confidence=0.82`).
pub const HEADER_PREVIEW: &str = "X-Umctl-Preview";
/// The header that carries the transcript when it is shown.
pub const HEADER_PREVIEW_TEXT: &str = "X-Umctl-Preview-Text";
/// Exchange's header naming the language of the transcription (domain B.4.7).
pub const HEADER_DIAL_PLAN_LANGUAGE: &str = "X-MS-Exchange-UM-DialPlanLanguage";
/// The one language Debian's model covers.
pub const LANGUAGE: &str = "en-US";

/// A spoken word, not a silence (`<sil>`, `<s>`, `</s>`) or filler (`[NOISE]`, `++UH++`).
fn is_spoken(word: &str) -> bool {
    !(word.is_empty() || word.starts_with('<') || word.starts_with('[') || word.starts_with('+'))
}

/// The word without an alternate pronunciation's suffix: `read(2)` -> `read`.
fn spelling(word: &str) -> &str {
    match word.find('(') {
        Some(i) if word.ends_with(')') => &word[..i],
        _ => word,
    }
}

/// Decides the preview of one message from the recognizer's segments.
pub fn judge(words: &[RecognizedWord], policy: PreviewPolicy) -> Preview {
    let spoken: Vec<&RecognizedWord> = words.iter().filter(|w| is_spoken(&w.text)).collect();
    if spoken.is_empty() {
        return Preview::Unavailable { confidence: 0.0 };
    }
    let confidence = spoken.iter().map(|w| w.probability).sum::<f64>() / spoken.len() as f64;
    if confidence < policy.show_from {
        return Preview::Unavailable { confidence };
    }
    let text = spoken
        .iter()
        .map(|w| {
            let s = spelling(&w.text);
            if w.probability < policy.mark_below {
                format!("[{s}?]")
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    Preview::Shown { text, confidence }
}

/// A confidence as a whole percentage.
fn percent(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 100.0).round() as u32
}

impl Preview {
    /// The headers the message carries: name, value (ASCII; the transcript is one line, the
    /// writer folds it).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![(HEADER_DIAL_PLAN_LANGUAGE, LANGUAGE.to_string())];
        match self {
            Preview::Shown { text, confidence } => {
                h.push((HEADER_PREVIEW, format!("shown; confidence={confidence:.2}")));
                h.push((HEADER_PREVIEW_TEXT, text.clone()));
            }
            Preview::Unavailable { confidence } => {
                h.push((
                    HEADER_PREVIEW,
                    format!("unavailable; confidence={confidence:.2}"),
                ));
            }
            Preview::TooLong { seconds } => {
                h.push((HEADER_PREVIEW, format!("unavailable; too-long={seconds}s")));
            }
        }
        h
    }

    /// The lines that open the message body (CRLF line ends, wrapped at 72 columns, ending
    /// with an empty line).
    pub fn body(&self) -> String {
        let text = match self {
            Preview::Shown { text, confidence } => format!(
                "Voice Mail Preview (confidence {}%; [word?] = unsure):\r\n{}",
                percent(*confidence),
                wrap(text, 72)
            ),
            Preview::Unavailable { confidence } => format!(
                "Voice Mail Preview: not available (confidence {}%).",
                percent(*confidence)
            ),
            Preview::TooLong { .. } => format!(
                "Voice Mail Preview: not available (messages longer than {MAX_SECONDS} seconds \
                 are not transcribed)."
            ),
        };
        format!("{text}\r\n\r\n")
    }

    /// Shown or not, for logs.
    pub fn shown(&self) -> bool {
        matches!(self, Preview::Shown { .. })
    }
}

/// Words joined into CRLF lines of at most `width` columns (a longer word stands alone).
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, p: f64) -> RecognizedWord {
        RecognizedWord {
            text: text.into(),
            probability: p,
        }
    }

    #[test]
    fn a_confident_transcript_is_shown_with_unsure_words_marked() {
        let words = [
            w("<s>", 1.0),
            w("call", 0.9),
            w("me", 0.95),
            w("<sil>", 0.2),
            w("back(2)", 0.4),
            w("[NOISE]", 0.1),
            w("today", 0.9),
            w("</s>", 1.0),
        ];
        let p = judge(&words, PreviewPolicy::default());
        assert_eq!(
            p,
            Preview::Shown {
                text: "call me [back?] today".into(),
                confidence: (0.9 + 0.95 + 0.4 + 0.9) / 4.0
            }
        );
        assert_eq!(
            p.headers(),
            vec![
                ("X-MS-Exchange-UM-DialPlanLanguage", "en-US".to_string()),
                ("X-Umctl-Preview", "shown; confidence=0.79".to_string()),
                ("X-Umctl-Preview-Text", "call me [back?] today".to_string()),
            ]
        );
        assert_eq!(
            p.body(),
            "Voice Mail Preview (confidence 79%; [word?] = unsure):\r\n\
             call me [back?] today\r\n\r\n"
        );
    }

    #[test]
    fn below_the_threshold_the_preview_is_unavailable() {
        let p = judge(
            &[w("hello", 0.7), w("there", 0.4)],
            PreviewPolicy::default(),
        );
        assert_eq!(p, Preview::Unavailable { confidence: 0.55 });
        assert!(!p.shown());
        assert_eq!(p.headers()[1].1, "unavailable; confidence=0.55");
        assert_eq!(
            p.body(),
            "Voice Mail Preview: not available (confidence 55%).\r\n\r\n"
        );
        // Exactly at the threshold it is shown.
        let p = judge(&[w("hello", 0.6)], PreviewPolicy::default());
        assert!(p.shown());
    }

    #[test]
    fn silence_only_is_unavailable_with_zero_confidence() {
        let p = judge(
            &[w("<s>", 1.0), w("<sil>", 1.0), w("</s>", 1.0)],
            PreviewPolicy::default(),
        );
        assert_eq!(p, Preview::Unavailable { confidence: 0.0 });
        assert_eq!(
            judge(&[], PreviewPolicy::default()),
            Preview::Unavailable { confidence: 0.0 }
        );
    }

    #[test]
    fn messages_over_three_minutes_are_not_transcribed() {
        assert_eq!(too_long(180.0), None);
        let p = too_long(180.6).expect("too long");
        assert_eq!(p, Preview::TooLong { seconds: 181 });
        assert_eq!(p.headers()[1].1, "unavailable; too-long=181s");
        assert_eq!(
            p.body(),
            "Voice Mail Preview: not available (messages longer than 180 seconds are not \
             transcribed).\r\n\r\n"
        );
    }

    #[test]
    fn long_transcripts_wrap_at_72_columns() {
        let text = "word ".repeat(40);
        let wrapped = wrap(&text, 72);
        assert!(wrapped.split("\r\n").all(|l| l.len() <= 72));
        assert_eq!(wrapped.split_whitespace().count(), 40);
        assert_eq!(wrap("", 72), "");
    }
}
