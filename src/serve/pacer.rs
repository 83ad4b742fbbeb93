//! The RTP pacing thread of one serve: every call's outgoing packets leave from here, on their
//! absolute deadlines, many calls per wake-up.
//!
//! Each call's media engine registers its RTP socket once ([`Pacing::lane`]) and hands its
//! packets over a little ahead of their deadlines ([`Lane::hand`], one or two packets: the
//! engine's tokio wake-up may be late by a millisecond or more, the thread's is not). One std
//! thread keeps every lane's packets in one deadline-ordered heap, sleeps on a condition
//! variable until the earliest deadline (a futex with a timeout: high-resolution, not tokio's
//! 1 ms wheel), and sends every packet due within [`BATCH`] of that wake-up, whichever call it
//! belongs to. A Secured call's packets are SRTP-protected here, just before they leave, so
//! protection follows the sequence order and a packet that never leaves never used an SRTP
//! index. How far from its deadline each packet actually left is recorded in the lane's
//! [`SendStats`], the figure the call's record and media log report.
//!
//! Barge-in, a stopped prompt and hang-up call [`Lane::cancel`]: the packets handed over and
//! not yet sent are dropped (a generation mark), and the engine learns how many, so it can
//! give their sequence numbers and timestamps back and the wire looks as if they had never
//! been built.
//!
//! The thread asks for the real-time policy SCHED_FIFO at its lowest priority (1), so that a
//! wake-up is not queued behind ordinary threads on a busy host (the difference between a
//! p99 of a fraction of a millisecond and of 10-30 ms with 1,000 calls on 2 shared cores);
//! without the privilege (not root, no CAP_SYS_NICE or RLIMIT_RTPRIO) it keeps the normal
//! policy and [`Pacing::realtime`] says why. Its work per wake-up is bounded (sends only),
//! and the kernel's RT throttling keeps 5% of every second for other threads regardless.
//! [`Pacing::stop`] (serve's shutdown, or the last handle dropped) ends the thread.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use crate::media::srtp::SrtpContext;

/// A wake-up sends every packet due within this much after it (one wake-up for many calls
/// whose deadlines are close, instead of one each).
pub const BATCH: Duration = Duration::from_micros(250);

/// Send-side pacing figures: how far from its deadline (early or late) each packet left.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendStats {
    pub packets: u64,
    /// Packets dropped after a stall longer than 100 ms.
    pub dropped: u64,
    /// Deviation histogram, 0.1 ms buckets (the last bucket holds everything above 25 ms).
    buckets: Vec<u64>,
    /// The largest deviation from a deadline, early or late.
    pub max_late: Duration,
}

impl SendStats {
    pub(crate) fn record(&mut self, late: Duration) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; 251];
        }
        let i = ((late.as_micros() / 100) as usize).min(250);
        self.buckets[i] += 1;
        self.packets += 1;
        self.max_late = self.max_late.max(late);
    }

    /// (deviation, packets) per 0.1 ms bucket.
    pub fn deviations(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        self.buckets
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (Duration::from_micros(i as u64 * 100), *n))
    }

    /// The p-th percentile (0-100) of the lateness, to 0.1 ms.
    pub fn percentile(&self, p: f64) -> Duration {
        let target = ((self.packets as f64) * p / 100.0).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= target.max(1) {
                return Duration::from_micros(i as u64 * 100);
            }
        }
        Duration::ZERO
    }
}

/// A serve's pacing thread; clones share it. It stops with [`Pacing::stop`] or when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Pacing(Arc<Owner>);

struct Owner {
    shared: Arc<Shared>,
    /// `Err(why)` when the thread runs under the normal policy.
    realtime: Result<(), String>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    queue: BinaryHeap<Reverse<Due>>,
    /// Ties between equal deadlines go in the order handed over.
    order: u64,
    /// The deadline the thread sleeps towards (`None`: until something is handed over).
    sleeping_until: Option<Instant>,
    stopped: bool,
}

/// One packet waiting for its deadline.
struct Due {
    deadline: Instant,
    order: u64,
    lane: Arc<LaneInner>,
    generation: u64,
    packet: Vec<u8>,
    to: SocketAddr,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.order) == (other.deadline, other.order)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.order).cmp(&(other.deadline, other.order))
    }
}

/// One call's way out: its socket, its outbound SRTP context, its statistics.
pub struct Lane {
    shared: Arc<Shared>,
    inner: Arc<LaneInner>,
}

struct LaneInner {
    socket: Arc<UdpSocket>,
    state: Mutex<LaneState>,
}

struct LaneState {
    /// Packets handed over under an older generation are not sent.
    generation: u64,
    /// Handed over, not yet sent nor cancelled.
    queued: u32,
    srtp: Option<SrtpContext>,
    stats: SendStats,
}

/// A lock that outlives a panic elsewhere (the data is plain counters and queues).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pacing {
    /// Starts the pacing thread.
    pub fn start() -> std::io::Result<Pacing> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("umctl-rtp-pacer".into())
            .spawn(move || {
                let _ = tx.send(realtime());
                run(&s)
            })?;
        let realtime = rx
            .recv()
            .unwrap_or_else(|_| Err("the thread ended at once".into()));
        Ok(Pacing(Arc::new(Owner {
            shared,
            realtime,
            thread: Mutex::new(Some(thread)),
        })))
    }

    /// A lane for one call's RTP socket; `srtp`: the call's outbound context (Secured plans).
    pub fn lane(&self, socket: Arc<UdpSocket>, srtp: Option<SrtpContext>) -> Lane {
        Lane {
            shared: self.0.shared.clone(),
            inner: Arc::new(LaneInner {
                socket,
                state: Mutex::new(LaneState {
                    generation: 0,
                    queued: 0,
                    srtp,
                    stats: SendStats::default(),
                }),
            }),
        }
    }

    /// Whether the thread got SCHED_FIFO, else why not.
    pub fn realtime(&self) -> Result<(), String> {
        self.0.realtime.clone()
    }

    /// Stops the thread (packets still queued are not sent) and waits for it.
    pub fn stop(&self) {
        self.0.stop();
    }
}

impl Owner {
    fn stop(&self) {
        lock(&self.shared.state).stopped = true;
        self.shared.wake.notify_all();
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Lane {
    /// Hands over `packet` (plain RTP; protected here on a Secured call) to leave for `to` at
    /// `deadline`. Returns false when the thread has stopped (the packet is dropped).
    pub fn hand(&self, packet: Vec<u8>, to: SocketAddr, deadline: Instant) -> bool {
        let generation = {
            let mut l = lock(&self.inner.state);
            l.queued += 1;
            l.generation
        };
        let mut s = lock(&self.shared.state);
        if s.stopped {
            drop(s);
            lock(&self.inner.state).queued -= 1;
            return false;
        }
        s.order += 1;
        let order = s.order;
        s.queue.push(Reverse(Due {
            deadline,
            order,
            lane: self.inner.clone(),
            generation,
            packet,
            to,
        }));
        // Wake the thread only when this packet is due before what it sleeps towards.
        if s.sleeping_until.is_none_or(|t| deadline < t) {
            s.sleeping_until = Some(deadline);
            self.shared.wake.notify_one();
        }
        true
    }

    /// Drops every packet handed over and not sent yet; returns how many.
    pub fn cancel(&self) -> u32 {
        let mut l = lock(&self.inner.state);
        l.generation += 1;
        std::mem::take(&mut l.queued)
    }

    /// Packets handed over and not sent yet (0 once the thread has stopped).
    pub fn pending(&self) -> u32 {
        if lock(&self.shared.state).stopped {
            return 0;
        }
        lock(&self.inner.state).queued
    }

    /// The sending figures so far.
    pub fn stats(&self) -> SendStats {
        lock(&self.inner.state).stats.clone()
    }
}

/// Puts the calling thread under SCHED_FIFO, priority 1.
fn realtime() -> Result<(), String> {
    use thread_priority::{
        set_thread_priority_and_policy, thread_native_id, RealtimeThreadSchedulePolicy,
        ThreadPriority, ThreadSchedulePolicy,
    };
    set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
    )
    .map_err(|e| format!("SCHED_FIFO refused ({e:?}); the normal policy"))
}

/// The thread: sleep to the earliest deadline, send what is due, until stopped.
fn run(shared: &Shared) {
    let mut due = Vec::new();
    loop {
        {
            let mut s = lock(&shared.state);
            loop {
                if s.stopped {
                    return;
                }
                let now = Instant::now();
                let Some(first) = s.queue.peek().map(|d| d.0.deadline) else {
                    s.sleeping_until = None;
                    s = shared.wake.wait(s).unwrap_or_else(PoisonError::into_inner);
                    continue;
                };
                if first > now {
                    s.sleeping_until = Some(first);
                    s = shared
                        .wake
                        .wait_timeout(s, first - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    continue;
                }
                take_due(&mut s.queue, now + BATCH, &mut due);
                s.sleeping_until = s.queue.peek().map(|d| d.0.deadline);
                break;
            }
        }
        for d in due.drain(..) {
            send(d);
        }
    }
}

/// Moves every packet due by `until` from the heap to `out`, earliest first.
fn take_due(queue: &mut BinaryHeap<Reverse<Due>>, until: Instant, out: &mut Vec<Due>) {
    while queue.peek().is_some_and(|d| d.0.deadline <= until) {
        if let Some(Reverse(d)) = queue.pop() {
            out.push(d);
        }
    }
}

/// Sends one packet unless its lane cancelled it, and records how far from its deadline it
/// left (under the lane's lock, so a cancel never races a send).
fn send(mut d: Due) {
    let mut l = lock(&d.lane.state);
    if l.generation != d.generation {
        return;
    }
    l.queued = l.queued.saturating_sub(1);
    if let Some(srtp) = l.srtp.as_mut() {
        if srtp.protect_rtp(&mut d.packet).is_err() {
            return;
        }
    }
    let _ = socket2::SockRef::from(d.lane.socket.as_ref()).send_to(&d.packet, &d.to.into());
    let now = Instant::now();
    l.stats.record(if now > d.deadline {
        now - d.deadline
    } else {
        d.deadline - now
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lateness_percentiles() {
        let mut s = SendStats::default();
        for i in 0..100 {
            s.record(Duration::from_micros(if i < 99 { 50 } else { 3000 }));
        }
        assert_eq!(s.percentile(99.0), Duration::ZERO);
        assert_eq!(s.percentile(100.0), Duration::from_micros(3000));
        assert_eq!(s.max_late, Duration::from_micros(3000));
    }

    async fn pair() -> (Arc<UdpSocket>, std::net::UdpSocket) {
        let ours = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        (ours, peer)
    }

    /// Two calls' packets, handed over out of order, leave in deadline order, each near its
    /// deadline, and the lanes count them.
    #[tokio::test]
    async fn packets_of_several_lanes_leave_in_deadline_order() {
        let pacing = Pacing::start().unwrap();
        let (a, peer) = pair().await;
        let (b, _) = pair().await;
        let to = peer.local_addr().unwrap();
        let (la, lb) = (pacing.lane(a, None), pacing.lane(b, None));
        let start = Instant::now() + Duration::from_millis(30);
        for (lane, i) in [(&la, 3u8), (&lb, 2), (&la, 1), (&lb, 0)] {
            let at = start + Duration::from_millis(20) * u32::from(i);
            assert!(lane.hand(vec![i], to, at));
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        for _ in 0..4 {
            let n = peer.recv(&mut buf).unwrap();
            got.push((buf[0], Instant::now()));
            assert_eq!(n, 1);
        }
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(got[0].1 + Duration::from_millis(1) >= start);
        assert_eq!((la.stats().packets, lb.stats().packets), (2, 2));
        assert_eq!((la.pending(), lb.pending()), (0, 0));
        pacing.stop();
        assert!(!la.hand(vec![9], to, Instant::now()), "stopped");
    }

    /// A cancel drops what was handed over and not sent, and says how many; the other lane's
    /// packets still leave.
    #[tokio::test]
    async fn cancel_drops_the_unsent_packets_of_its_lane_only() {
        let pacing = Pacing::start().unwrap();
        let (a, peer) = pair().await;
        let (b, _) = pair().await;
        let to = peer.local_addr().unwrap();
        let (la, lb) = (pacing.lane(a, None), pacing.lane(b, None));
        let later = Instant::now() + Duration::from_millis(50);
        la.hand(vec![1], to, later);
        la.hand(vec![2], to, later + Duration::from_millis(20));
        lb.hand(vec![3], to, later + Duration::from_millis(10));
        assert_eq!(la.pending(), 2);
        assert_eq!(la.cancel(), 2);
        assert_eq!(la.pending(), 0);
        let mut buf = [0u8; 16];
        peer.recv(&mut buf).unwrap();
        assert_eq!(buf[0], 3);
        peer.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        assert!(peer.recv(&mut buf).is_err(), "a cancelled packet left");
        assert_eq!((la.stats().packets, lb.stats().packets), (0, 1));
    }
}
