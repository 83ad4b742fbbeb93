//! The RTP pacing thread of one serve: every call's outgoing packets leave from here, on their
//! absolute deadlines, many calls per wake-up.
//!
//! Each call's media engine registers its RTP socket once ([`Pacing::lane`]) and hands its
//! packets over a little ahead of their deadlines ([`Lane::hand`], one or two packets: the
//! engine's tokio wake-up may be late by a millisecond or more, the thread's is not). One std
//! thread takes what was handed over into its own deadline-ordered heap, parks until the
//! earliest deadline (a futex with a timeout: high-resolution, not tokio's 1 ms wheel; a
//! hand-over of an earlier packet unparks it), and sends every packet due within [`BATCH`] of
//! that wake-up, whichever call it belongs to. It never waits for a lock an engine holds (an
//! engine preempted inside one would stall every call: measured, 31-93 ms under CPU load): the
//! hand-over is taken with `try_lock`, and a lane's counters and figures are atomics. A Secured call's packets are SRTP-protected here, just before they leave, so
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
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use crate::media::srtp::SrtpContext;

/// A wake-up sends every packet due within this much after it (one wake-up for many calls
/// whose deadlines are close, instead of one each).
pub const BATCH: Duration = Duration::from_micros(250);

/// Histogram buckets of 0.1 ms; the last holds everything above 25 ms.
const BUCKETS: usize = 251;

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
    /// What the engines hand over; the thread takes it at each wake-up with `try_lock`, so an
    /// engine preempted while it holds the lock never holds up the real-time thread.
    intake: Mutex<Intake>,
    /// The deadline the thread sleeps towards, in nanoseconds since `epoch`; `u64::MAX` while
    /// it is awake or has nothing queued (then every hand-over wakes it).
    sleeping_until: AtomicU64,
    epoch: Instant,
    /// The pacing thread, for `unpark` (set once it runs).
    thread: OnceLock<std::thread::Thread>,
    stopped: AtomicBool,
}

#[derive(Default)]
struct Intake {
    packets: Vec<Due>,
    /// Ties between equal deadlines go in the order handed over.
    order: u64,
}

impl Shared {
    fn nanos(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX - 1)
    }

    fn wake(&self) {
        if let Some(t) = self.thread.get() {
            t.unpark();
        }
    }
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

/// Nothing here is a lock the engine may hold while the pacing thread waits: counters are
/// atomics, the SRTP context is the thread's alone, and a cancel that meets a send in
/// progress waits for it (a few microseconds) instead of the other way round.
struct LaneInner {
    socket: Arc<UdpSocket>,
    /// Packets handed over under an older generation are not sent.
    generation: AtomicU64,
    /// Handed over, not yet sent nor cancelled.
    queued: AtomicU32,
    /// Set by the thread around one packet's generation check and send.
    sending: AtomicBool,
    /// Locked by the pacing thread only (uncontended).
    srtp: Mutex<Option<SrtpContext>>,
    stats: LaneStats,
}

/// [`SendStats`] as the thread counts them, without a lock.
struct LaneStats {
    packets: AtomicU64,
    buckets: Vec<AtomicU64>,
    max_late_nanos: AtomicU64,
}

impl LaneStats {
    fn new() -> LaneStats {
        LaneStats {
            packets: AtomicU64::new(0),
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_late_nanos: AtomicU64::new(0),
        }
    }

    fn record(&self, late: Duration) {
        let i = ((late.as_micros() / 100) as usize).min(BUCKETS - 1);
        self.buckets[i].fetch_add(1, Relaxed);
        self.packets.fetch_add(1, Relaxed);
        let nanos = u64::try_from(late.as_nanos()).unwrap_or(u64::MAX);
        self.max_late_nanos.fetch_max(nanos, Relaxed);
    }

    fn snapshot(&self) -> SendStats {
        let buckets: Vec<u64> = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        SendStats {
            packets: buckets.iter().sum(),
            dropped: 0,
            buckets: if buckets.iter().any(|n| *n > 0) {
                buckets
            } else {
                Vec::new()
            },
            max_late: Duration::from_nanos(self.max_late_nanos.load(Relaxed)),
        }
    }
}

/// A lock that outlives a panic elsewhere (the data is plain counters and queues).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pacing {
    /// Starts the pacing thread.
    pub fn start() -> std::io::Result<Pacing> {
        let shared = Arc::new(Shared {
            intake: Mutex::new(Intake::default()),
            sleeping_until: AtomicU64::new(u64::MAX),
            epoch: Instant::now(),
            thread: OnceLock::new(),
            stopped: AtomicBool::new(false),
        });
        let s = shared.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("umctl-rtp-pacer".into())
            .spawn(move || {
                let _ = s.thread.set(std::thread::current());
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
                generation: AtomicU64::new(0),
                queued: AtomicU32::new(0),
                sending: AtomicBool::new(false),
                srtp: Mutex::new(srtp),
                stats: LaneStats::new(),
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
        self.shared.stopped.store(true, SeqCst);
        self.shared.wake();
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
        if self.shared.stopped.load(SeqCst) {
            return false;
        }
        // The engine's task hands over and cancels, never both at once.
        self.inner.queued.fetch_add(1, SeqCst);
        let generation = self.inner.generation.load(SeqCst);
        {
            let mut intake = lock(&self.shared.intake);
            intake.order += 1;
            let order = intake.order;
            intake.packets.push(Due {
                deadline,
                order,
                lane: self.inner.clone(),
                generation,
                packet,
                to,
            });
        }
        // Wake the thread only when this packet is due before what it sleeps towards.
        if self.shared.nanos(deadline) < self.shared.sleeping_until.load(SeqCst) {
            self.shared.wake();
        }
        true
    }

    /// Drops every packet handed over and not sent yet; returns how many.
    pub fn cancel(&self) -> u32 {
        let lane = &self.inner;
        lane.generation.fetch_add(1, SeqCst);
        // A packet whose check saw the old generation is being sent: it counts as sent.
        while lane.sending.load(SeqCst) {
            std::hint::spin_loop();
        }
        lane.queued.swap(0, SeqCst)
    }

    /// Packets handed over and not sent yet (0 once the thread has stopped).
    pub fn pending(&self) -> u32 {
        if self.shared.stopped.load(SeqCst) {
            return 0;
        }
        self.inner.queued.load(SeqCst)
    }

    /// The sending figures so far.
    pub fn stats(&self) -> SendStats {
        self.inner.stats.snapshot()
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

/// The thread: take what was handed over, send what is due, sleep to the earliest deadline
/// (parked: `Lane::hand` unparks it for an earlier packet), until stopped. It keeps its own
/// heap and never waits for a lock an engine holds.
fn run(shared: &Shared) {
    let mut queue = BinaryHeap::new();
    let mut taken = Vec::new();
    let mut due = Vec::new();
    loop {
        // Awake: a packet handed over from now on wakes the next park at once.
        shared.sleeping_until.store(u64::MAX, SeqCst);
        if shared.stopped.load(SeqCst) {
            return;
        }
        take_intake(shared, &mut taken);
        queue.extend(taken.drain(..).map(Reverse));
        let now = Instant::now();
        match queue.peek().map(|d| d.0.deadline) {
            Some(first) if first <= now => {
                take_due(&mut queue, now + BATCH, &mut due);
                for d in due.drain(..) {
                    send(d);
                }
            }
            Some(first) => {
                shared.sleeping_until.store(shared.nanos(first), SeqCst);
                std::thread::park_timeout(first - now);
            }
            None => std::thread::park(),
        }
    }
}

/// Moves what the engines handed over into `out`, unless an engine holds the intake right
/// now (its packets are taken at the next wake-up: they are handed over well ahead).
fn take_intake(shared: &Shared, out: &mut Vec<Due>) {
    let mut intake = match shared.intake.try_lock() {
        Ok(i) => i,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => return,
    };
    std::mem::swap(&mut intake.packets, out);
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
/// left. `sending` brackets the generation check and the send, so a cancel that comes between
/// them waits for this packet and does not count it as unsent.
fn send(mut d: Due) {
    let lane = &d.lane;
    lane.sending.store(true, SeqCst);
    if lane.generation.load(SeqCst) == d.generation {
        let protected = match lock(&lane.srtp).as_mut() {
            Some(srtp) => srtp.protect_rtp(&mut d.packet).is_ok(),
            None => true,
        };
        if protected {
            let _ = socket2::SockRef::from(lane.socket.as_ref()).send_to(&d.packet, &d.to.into());
            let now = Instant::now();
            lane.stats.record(if now > d.deadline {
                now - d.deadline
            } else {
                d.deadline - now
            });
        }
        lane.queued.fetch_sub(1, SeqCst);
    }
    lane.sending.store(false, SeqCst);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lateness_percentiles() {
        let lane = LaneStats::new();
        for i in 0..100 {
            lane.record(Duration::from_micros(if i < 99 { 50 } else { 3000 }));
        }
        let s = lane.snapshot();
        assert_eq!(s.packets, 100);
        assert_eq!(s.percentile(99.0), Duration::ZERO);
        assert_eq!(s.percentile(100.0), Duration::from_micros(3000));
        assert_eq!(s.max_late, Duration::from_micros(3000));
        assert_eq!(LaneStats::new().snapshot(), SendStats::default());
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
