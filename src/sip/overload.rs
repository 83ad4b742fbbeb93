//! When an endpoint past its capacity sheds a new call: the admission decision, a pure
//! function of the request's kind and the endpoint's backlog (messages received and not yet
//! taken by its loop, plus requests its handler has not answered yet).
//!
//! A new INVITE (no To tag) taken while `max_pending` requests wait (in the receive queue or
//! for the handler: the directory lookup, the worker's call set-up) is answered at once with
//! `503 Service Unavailable` and `Retry-After` (Exchange's answer when it is full), before the
//! handler sees it, so the queue stays bounded and the caller gets a final answer before its
//! first retransmission instead of piling retransmissions on a full server. The endpoint sheds
//! such an INVITE before parsing it, statelessly, from its raw header lines (a retransmission
//! gets the same 503, RFC 3261 8.2.7); one it cannot read that way is shed after the parse. Requests in a dialog
//! (ACK, BYE, re-INVITE, REFER) and OPTIONS probes are always admitted: they end or keep calls
//! already admitted. Retransmissions never reach this point: the transaction layer absorbs
//! them. The endpoint (`sip::endpoint`) applies the decision.
//!
//! An endpoint split into shards (one loop per core, calls spread by Call-ID) has one backlog:
//! each shard publishes its own count in a [`Backlog`] slot and admission compares the SUM with
//! `max_pending`, so `--max-pending-requests` means the same whatever the number of shards.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The default of [`Overload::max_pending`] (`serve --max-pending-requests`): half the
/// receive queue of one endpoint shard (1,024 messages each).
pub const DEFAULT_MAX_PENDING: u32 = 512;

/// How many requests an endpoint lets wait, and what it tells the ones it sheds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overload {
    /// Requests waiting (received and not yet taken, or with the handler), beyond which new
    /// INVITEs are shed.
    pub max_pending: usize,
    /// Retry-After of the 503 (seconds).
    pub retry_after_secs: u32,
}

impl Default for Overload {
    fn default() -> Overload {
        Overload {
            max_pending: DEFAULT_MAX_PENDING as usize,
            retry_after_secs: 5,
        }
    }
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Hand it to the handler.
    Admit,
    /// Answer 503 with this Retry-After (seconds) now.
    Shed { retry_after_secs: u32 },
}

/// The decision for a request: `initial_invite` is an INVITE outside any dialog (no To tag);
/// `pending` the requests waiting.
pub fn admit(initial_invite: bool, pending: usize, policy: Overload) -> Admission {
    if initial_invite && pending >= policy.max_pending {
        Admission::Shed {
            retry_after_secs: policy.retry_after_secs,
        }
    } else {
        Admission::Admit
    }
}

/// The requests waiting at an endpoint's shards: one slot per shard, written by its shard only,
/// read (summed) by all. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Backlog {
    slots: Arc<[AtomicUsize]>,
}

impl Backlog {
    /// A backlog of `shards` slots (at least one), all zero.
    pub fn new(shards: usize) -> Backlog {
        Backlog {
            slots: (0..shards.max(1)).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    /// Shard `shard` has `waiting` requests (a shard past the slots counts on the last one).
    pub fn set(&self, shard: usize, waiting: usize) {
        let last = self.slots.len() - 1;
        if let Some(slot) = self.slots.get(shard.min(last)) {
            slot.store(waiting, Ordering::Relaxed);
        }
    }

    /// The requests waiting at every shard together.
    pub fn total(&self) -> usize {
        self.slots.iter().map(|s| s.load(Ordering::Relaxed)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_is_the_sum_of_the_shards() {
        let b = Backlog::new(3);
        assert_eq!(b.total(), 0);
        b.set(0, 4);
        b.set(2, 5);
        assert_eq!(b.total(), 9);
        b.set(0, 1);
        assert_eq!(b.total(), 6);
        let one = Backlog::new(0);
        one.set(7, 2);
        assert_eq!(one.total(), 2);
        // Shards share the slots: a clone sees what another shard wrote.
        let other = b.clone();
        other.set(1, 10);
        assert_eq!(b.total(), 16);
        assert_eq!(
            admit(
                true,
                b.total(),
                Overload {
                    max_pending: 16,
                    retry_after_secs: 1
                }
            ),
            Admission::Shed {
                retry_after_secs: 1
            }
        );
    }

    #[test]
    fn new_invites_are_shed_only_past_capacity() {
        let p = Overload {
            max_pending: 3,
            retry_after_secs: 7,
        };
        assert_eq!(admit(true, 0, p), Admission::Admit);
        assert_eq!(admit(true, 2, p), Admission::Admit);
        let shed = Admission::Shed {
            retry_after_secs: 7,
        };
        assert_eq!(admit(true, 3, p), shed);
        assert_eq!(admit(true, 1000, p), shed);
    }

    #[test]
    fn requests_of_admitted_calls_are_never_shed() {
        let p = Overload {
            max_pending: 1,
            ..Overload::default()
        };
        assert_eq!(admit(false, 1000, p), Admission::Admit);
    }
}
