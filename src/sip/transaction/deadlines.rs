//! The transaction layer's timer queue. RFC 3261's timers are a handful of fixed delays (T1,
//! its doublings up to T2, T4, 64*T1), so deadlines pushed with the same delay arrive in the
//! order they fall due: each delay gets a FIFO lane, a push appends to its lane and the
//! earliest deadline is the smallest of the lanes' fronts. Push and pop are O(1) for any number
//! of live transactions, where a binary heap of some 100,000 deadlines (5 s of transactions at
//! 20,000 calls/s) cost a cache-missing sift per pop: 4% of the call router in a profile. A
//! deadline that arrives out of order in its lane (a clock passed in out of order, or more
//! distinct delays than [`MAX_LANES`]) is inserted at its place, so the order is always right.
//!
//! Entries may be stale (the transaction ended or moved its deadline): the layer checks each
//! one it pops.

use std::collections::VecDeque;
use std::time::Instant;

use super::key::TransactionKey;

/// Distinct delays kept apart; a further delay shares the lane of the nearest one.
const MAX_LANES: usize = 32;

/// Which map of the layer a deadline refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Slot {
    Server,
    Client,
    AckWait,
}

/// One queued deadline.
#[derive(Debug)]
pub(super) struct Deadline {
    pub at: Instant,
    pub slot: Slot,
    pub key: TransactionKey,
}

struct Lane {
    /// The delay (whole milliseconds) this lane's deadlines were pushed with.
    delay_ms: u128,
    queue: VecDeque<Deadline>,
}

/// Deadlines, earliest first (see the module doc).
#[derive(Default)]
pub(super) struct Deadlines {
    lanes: Vec<Lane>,
}

impl Deadlines {
    /// Queues `key`'s deadline `at`, pushed at `now`.
    pub fn push(&mut self, now: Instant, at: Instant, slot: Slot, key: TransactionKey) {
        let delay_ms = at.saturating_duration_since(now).as_millis();
        let lane = self.lane_for(delay_ms);
        let deadline = Deadline { at, slot, key };
        match lane.queue.back() {
            Some(last) if last.at > at => {
                let i = lane.queue.partition_point(|d| d.at <= at);
                lane.queue.insert(i, deadline);
            }
            _ => lane.queue.push_back(deadline),
        }
    }

    /// The earliest deadline queued.
    pub fn next(&self) -> Option<Instant> {
        self.lanes
            .iter()
            .filter_map(|l| l.queue.front().map(|d| d.at))
            .min()
    }

    /// Removes and returns the earliest deadline if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Deadline> {
        let lane = self
            .lanes
            .iter_mut()
            .filter(|l| l.queue.front().is_some_and(|d| d.at <= now))
            .min_by_key(|l| l.queue.front().map(|d| d.at))?;
        lane.queue.pop_front()
    }

    /// Deadlines queued, stale ones included.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lanes.iter().map(|l| l.queue.len()).sum()
    }

    fn lane_for(&mut self, delay_ms: u128) -> &mut Lane {
        let found = self.lanes.iter().position(|l| l.delay_ms == delay_ms);
        let i = match found {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane {
                    delay_ms,
                    queue: VecDeque::new(),
                });
                self.lanes.len() - 1
            }
            None => self.nearest_lane(delay_ms),
        };
        // In bounds: `i` is an index of `lanes`, which is never empty here.
        &mut self.lanes[i]
    }

    fn nearest_lane(&self, delay_ms: u128) -> usize {
        self.lanes
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| l.delay_ms.abs_diff(delay_ms))
            .map_or(0, |(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn key(n: u32) -> TransactionKey {
        TransactionKey::Branch {
            branch: format!("z9hG4bK{n}"),
            sent_by: "h:5060".into(),
            method: "INVITE".into(),
        }
    }

    /// Pops everything due at `now`, as each deadline's offset in ms from `t0`.
    fn drain(q: &mut Deadlines, t0: Instant, now: Instant) -> Vec<u128> {
        std::iter::from_fn(|| q.pop_due(now))
            .map(|d| (d.at - t0).as_millis())
            .collect()
    }

    #[test]
    fn deadlines_come_out_in_time_order_across_lanes() {
        let t0 = Instant::now();
        let mut q = Deadlines::default();
        // Three delays (three lanes), pushed at increasing times.
        for (i, (pushed, delay)) in [(0, 500), (1, 5000), (2, 500), (3, 32000), (600, 500)]
            .into_iter()
            .enumerate()
        {
            let now = t0 + ms(pushed);
            q.push(now, now + ms(delay), Slot::Server, key(i as u32));
        }
        assert_eq!(q.next(), Some(t0 + ms(500)));
        assert!(
            q.pop_due(t0 + ms(499)).is_none(),
            "nothing is due before 500 ms"
        );
        assert_eq!(
            drain(&mut q, t0, t0 + ms(40_000)),
            vec![500, 502, 1100, 5001, 32003]
        );
        assert_eq!(q.len(), 0);
        assert_eq!(q.next(), None);
    }

    #[test]
    fn a_deadline_pushed_out_of_order_in_its_lane_keeps_its_place() {
        let t0 = Instant::now();
        let mut q = Deadlines::default();
        q.push(t0 + ms(100), t0 + ms(600), Slot::Server, key(1));
        // The same delay from an earlier clock reading: it falls due first.
        q.push(t0, t0 + ms(500), Slot::Client, key(2));
        q.push(t0 + ms(50), t0 + ms(550), Slot::AckWait, key(3));
        assert_eq!(drain(&mut q, t0, t0 + ms(1000)), vec![500, 550, 600]);
    }

    #[test]
    fn more_delays_than_lanes_still_come_out_in_order() {
        let t0 = Instant::now();
        let mut q = Deadlines::default();
        // 100 distinct delays, pushed at the same moment in a scrambled order.
        let delays: Vec<u64> = (0..100u64).map(|i| (i * 37) % 100 + 1).collect();
        for (i, d) in delays.iter().enumerate() {
            q.push(t0, t0 + ms(*d), Slot::Server, key(i as u32));
        }
        assert!(q.lanes.len() <= MAX_LANES);
        let out = drain(&mut q, t0, t0 + ms(1000));
        assert_eq!(out, (1..=100).collect::<Vec<u128>>());
    }
}
