//! RFC 3261 timer values (17, table 4) and the retransmission backoff they drive. Owns T1, T2,
//! T4 (configurable: a lab on loopback may shrink them, a test may too) and [`Backoff`], the
//! "start at T1, double, cap at T2" schedule shared by Timers A, E, G and the UAS core's 2xx
//! retransmission. Does not own any state machine; each transaction asks for the values it
//! needs. Nothing here reads a clock: callers pass `now`.

use std::time::{Duration, Instant};

/// T1 (RTT estimate), T2 (maximum retransmit interval for non-INVITE requests and INVITE
/// responses), T4 (maximum time a message stays in the network).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timers {
    pub t1: Duration,
    pub t2: Duration,
    pub t4: Duration,
}

impl Default for Timers {
    /// RFC 3261's recommended values: T1 500 ms, T2 4 s, T4 5 s.
    fn default() -> Timers {
        Timers {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl Timers {
    /// 64*T1: Timers B, F, H, J (UDP) and the UAS core's wait for the ACK of a 2xx.
    pub fn t1x64(&self) -> Duration {
        self.t1 * 64
    }

    /// Timer D (client INVITE, Completed): "at least 32 s" on UDP, taken as 64*T1 (32 s with the
    /// default T1, shrinking with T1 in tests), zero on reliable transports.
    pub fn timer_d(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t1x64()
        }
    }

    /// Timer I (server INVITE, Confirmed): T4 on UDP, zero on reliable transports.
    pub fn timer_i(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }

    /// Timer J (server non-INVITE, Completed): 64*T1 on UDP, zero on reliable transports.
    pub fn timer_j(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t1x64()
        }
    }

    /// Timer K (client non-INVITE, Completed): T4 on UDP, zero on reliable transports.
    pub fn timer_k(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }
}

/// A retransmission schedule: first after `T1`, each interval double the last, capped at
/// `cap` when there is one (Timers E and G and the 2xx retransmission cap at T2; Timer A does
/// not cap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    next: Instant,
    interval: Duration,
    cap: Option<Duration>,
}

impl Backoff {
    pub fn start(now: Instant, t1: Duration, cap: Option<Duration>) -> Backoff {
        Backoff {
            next: now + t1,
            interval: t1,
            cap,
        }
    }

    /// When the next retransmission is due.
    pub fn due(&self) -> Instant {
        self.next
    }

    /// Whether a retransmission is due at `now`; if so, schedules the following one.
    pub fn fire(&mut self, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        let doubled = self.interval.saturating_mul(2);
        self.interval = match self.cap {
            Some(cap) => doubled.min(cap),
            None => doubled,
        };
        self.next += self.interval;
        true
    }

    /// Keeps the next due time but makes every later interval `interval` (Timer E in
    /// Proceeding fires every T2, 17.1.2.2).
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
        self.cap = Some(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_backoff_is_500ms_1s_2s_4s_4s() {
        let t = Timers::default();
        let start = Instant::now();
        let mut b = Backoff::start(start, t.t1, Some(t.t2));
        let mut gaps = Vec::new();
        let mut last = start;
        for _ in 0..6 {
            let due = b.due();
            assert!(!b.fire(due - Duration::from_millis(1)));
            assert!(b.fire(due));
            gaps.push((due - last).as_millis());
            last = due;
        }
        assert_eq!(gaps, [500, 1000, 2000, 4000, 4000, 4000]);
    }

    #[test]
    fn uncapped_backoff_keeps_doubling() {
        let start = Instant::now();
        let mut b = Backoff::start(start, Duration::from_millis(500), None);
        let mut dues = Vec::new();
        for _ in 0..7 {
            let due = b.due();
            dues.push((due - start).as_millis());
            assert!(b.fire(due));
        }
        // Timer A: INVITE sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s.
        assert_eq!(dues, [500, 1500, 3500, 7500, 15500, 31500, 63500]);
    }

    #[test]
    fn reliable_transports_zero_the_wait_timers() {
        let t = Timers::default();
        assert_eq!(t.t1x64(), Duration::from_secs(32));
        assert_eq!(t.timer_d(false), Duration::from_secs(32));
        assert_eq!(t.timer_i(false), Duration::from_secs(5));
        assert_eq!(t.timer_j(false), Duration::from_secs(32));
        assert_eq!(t.timer_k(false), Duration::from_secs(5));
        for d in [
            t.timer_d(true),
            t.timer_i(true),
            t.timer_j(true),
            t.timer_k(true),
        ] {
            assert_eq!(d, Duration::ZERO);
        }
    }
}
