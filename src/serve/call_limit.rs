//! [`CallLimit`]: a mailbox server's `MaxCallsAllowed` (domain.md B.6: concurrent calls on the
//! server's UM service, default 100), shared by its two worker processes, and
//! [`WorkerChoice`]: which worker the UM service's 302 names.
//!
//! The limit counts the calls of every worker of the server: a worker admits a new call only
//! while holding the limit's admission lock, so two workers cannot both take the last place.
//! Lock order: admission, then the list of workers, then one worker's call table at a time
//! (nothing that holds a call table asks for the admission lock).
//!
//! It answers no SIP: the worker sends the 503, the UM service the 302.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The calls one mailbox server may have up at once, across its workers.
pub struct CallLimit {
    max: usize,
    admission: Mutex<()>,
    workers: Mutex<Vec<Weak<dyn ActiveCalls>>>,
}

impl CallLimit {
    pub fn new(max: usize) -> Arc<CallLimit> {
        Arc::new(CallLimit {
            max,
            admission: Mutex::new(()),
            workers: Mutex::new(Vec::new()),
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Counts `worker`'s calls against the limit from now on.
    pub fn join<W: ActiveCalls + 'static>(&self, worker: &Arc<W>) {
        let worker: Weak<W> = Arc::downgrade(worker);
        lock(&self.workers).push(worker);
    }

    /// Held while a worker decides whether it may take one more call.
    pub fn admission(&self) -> MutexGuard<'_, ()> {
        lock(&self.admission)
    }

    /// The active calls of the server's workers other than `me`.
    pub fn calls_besides(&self, me: &dyn ActiveCalls) -> usize {
        let workers: Vec<Arc<dyn ActiveCalls>> = lock(&self.workers)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        workers
            .iter()
            .filter(|w| !std::ptr::addr_eq(Arc::as_ptr(w), me))
            .map(|w| w.active_calls())
            .sum()
    }
}

/// What the choice looks at: a worker's answered calls.
pub trait ActiveCalls: Send + Sync {
    fn active_calls(&self) -> usize;
}

/// The UM service's choice among its server's worker processes: the one with the fewest
/// active calls; among equals, the one after the last chosen (round robin).
///
/// Why: Exchange hands a call to a worker process that is not busier than the other (and
/// keeps the second one so either can recycle). Fewest calls keeps long calls from piling up
/// on one process, which plain round robin would do; the round-robin tie-break spreads
/// calls that are short (or not yet answered) instead of sending all of them to the first.
pub struct WorkerChoice<T> {
    workers: Vec<(Arc<dyn ActiveCalls>, T)>,
    next: AtomicUsize,
}

impl<T> WorkerChoice<T> {
    /// The workers, each with what the caller needs of it (its ports).
    pub fn new(workers: Vec<(Arc<dyn ActiveCalls>, T)>) -> WorkerChoice<T> {
        WorkerChoice {
            workers,
            next: AtomicUsize::new(0),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    /// The chosen worker's `T`.
    pub fn pick(&self) -> Option<&T> {
        let n = self.workers.len();
        if n == 0 {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        // min_by_key keeps the first of equals: the first one from `start` on.
        let chosen = (0..n).map(|i| (start + i) % n).min_by_key(|&i| {
            self.workers
                .get(i)
                .map_or(usize::MAX, |(w, _)| w.active_calls())
        })?;
        self.next.store(chosen + 1, Ordering::Relaxed);
        self.workers.get(chosen).map(|(_, t)| t)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Busy(AtomicUsize);
    impl ActiveCalls for Busy {
        fn active_calls(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn fewest_calls_wins_and_equals_take_turns() {
        let a = Arc::new(Busy(AtomicUsize::new(0)));
        let b = Arc::new(Busy(AtomicUsize::new(0)));
        let choice = WorkerChoice::new(vec![
            (a.clone() as Arc<dyn ActiveCalls>, 5065),
            (b.clone() as Arc<dyn ActiveCalls>, 5067),
        ]);
        let picks: Vec<u16> = (0..4).map(|_| *choice.pick().unwrap()).collect();
        assert_eq!(picks, [5065, 5067, 5065, 5067]);
        a.0.store(3, Ordering::SeqCst);
        b.0.store(1, Ordering::SeqCst);
        assert_eq!(*choice.pick().unwrap(), 5067);
        assert_eq!(*choice.pick().unwrap(), 5067);
        b.0.store(3, Ordering::SeqCst);
        let picks: Vec<u16> = (0..2).map(|_| *choice.pick().unwrap()).collect();
        assert_eq!(picks, [5065, 5067]);
        assert!(WorkerChoice::<u16>::new(Vec::new()).pick().is_none());
    }
}
