//! The queue of samples a call is about to send: shared clips, not copies.
//!
//! A prompt or greeting is decoded once into an `Arc<[i16]>` ([`prompts`](super::prompts)
//! caches them) and every call that plays it holds a reference and a read position, so 1,000
//! calls hearing the same 20 s greeting hold one 320 kB copy, not 1,000. The media engine takes
//! 20 ms at a time from the front ([`Playout::take`]), drops late packets ([`Playout::skip`])
//! and clears the queue on barge-in ([`Playout::clear`]). It does not pace or send anything.

use std::collections::VecDeque;
use std::sync::Arc;

/// Decoded 8 kHz samples shared between calls.
pub type Clip = Arc<[i16]>;

/// Clips waiting to be sent, the first one read from `pos`.
#[derive(Default)]
pub struct Playout {
    clips: VecDeque<Clip>,
    /// Samples of `clips[0]` already sent.
    pos: usize,
}

impl Playout {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues clips after those already queued (empty ones are skipped).
    pub fn extend(&mut self, clips: impl IntoIterator<Item = Clip>) {
        self.clips
            .extend(clips.into_iter().filter(|c| !c.is_empty()));
    }

    pub fn is_empty(&self) -> bool {
        self.clips.is_empty()
    }

    /// Samples left to send.
    pub fn len(&self) -> usize {
        self.clips.iter().map(|c| c.len()).sum::<usize>() - self.pos
    }

    pub fn clear(&mut self) {
        self.clips.clear();
        self.pos = 0;
    }

    /// Drops the next `n` samples (or all that are left).
    pub fn skip(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.clips.front() else {
                return;
            };
            let step = (front.len() - self.pos).min(n);
            self.advance(step);
            n -= step;
        }
    }

    /// The next `n` samples, fewer when fewer are left.
    pub fn take(&mut self, n: usize) -> Vec<i16> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let Some(front) = self.clips.front() else {
                break;
            };
            let step = (front.len() - self.pos).min(n - out.len());
            out.extend_from_slice(&front[self.pos..self.pos + step]);
            self.advance(step);
        }
        out
    }

    /// Moves `step` samples into the first clip (at most to its end).
    fn advance(&mut self, step: usize) {
        self.pos += step;
        if self.clips.front().is_some_and(|c| self.pos >= c.len()) {
            self.clips.pop_front();
            self.pos = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(range: std::ops::Range<i16>) -> Clip {
        range.collect::<Vec<_>>().into()
    }

    #[test]
    fn takes_across_clips_in_order() {
        let mut q = Playout::new();
        q.extend([clip(0..5), clip(0..0), clip(5..12)]);
        assert_eq!(q.len(), 12);
        assert_eq!(q.take(4), vec![0, 1, 2, 3]);
        assert_eq!(q.take(4), vec![4, 5, 6, 7]);
        assert_eq!(q.len(), 4);
        assert_eq!(q.take(10), vec![8, 9, 10, 11]);
        assert!(q.is_empty());
        assert_eq!(q.take(3), Vec::<i16>::new());
    }

    #[test]
    fn skip_and_clear() {
        let mut q = Playout::new();
        q.extend([clip(0..3), clip(3..10)]);
        q.skip(4);
        assert_eq!(q.take(2), vec![4, 5]);
        q.skip(100);
        assert!(q.is_empty());
        q.extend([clip(0..3)]);
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn calls_share_one_copy() {
        let shared = clip(0..160);
        let mut a = Playout::new();
        let mut b = Playout::new();
        a.extend([shared.clone()]);
        b.extend([shared.clone()]);
        assert_eq!(Arc::strong_count(&shared), 3);
        assert_eq!(a.take(160), b.take(160));
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
