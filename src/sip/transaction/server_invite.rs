//! The INVITE server transaction (RFC 3261 17.2.1), sans-IO: it is fed the INVITE
//! retransmissions, ACKs, the TU's responses and `now`, and answers with [`Output`]s (bytes to
//! send to the peer, timeouts, termination). It owns the 100 Trying, the resending of the last
//! response when the INVITE is retransmitted, Timer G (final non-2xx retransmission on
//! unreliable transports), Timer H (wait for ACK) and Timer I (absorb ACK retransmissions). It
//! does not own the 2xx retransmission, which is the UAS core's (13.3.1.4, see `ack_wait`),
//! nor the CANCEL logic (the layer).
//!
//! The 100 Trying goes out only if the TU has not answered within 200 ms ([`TRYING_AFTER`],
//! 17.2.1: a server that knows the TU answers within 200 ms need not send it) or when the
//! INVITE is retransmitted first. A redirect answered from a cached decision thus sends one
//! datagram, the 302. Timer G runs only after a provisional response went out (or for the 487
//! of a CANCEL): until one reaches it, the client stays in Calling and retransmits the INVITE
//! on Timer A (17.1.1.2), and each retransmission gets the final response again, so a lost
//! final response is recovered without a resend per T1 from us (the way a stateless server,
//! 8.2.7, never resends). Past capacity those resends were a third of what the call router
//! sent: each unacknowledged 302 went out up to ten more times while the ACKs waited in full
//! queues.
//!
//! ```text
//!                      |INVITE: Timer Trying (200 ms)
//!                      V
//!   INVITE: send 100 +-----------+  1xx from TU: send
//!   or the last 1xx  |Proceeding | -----+  Timer Trying (no answer yet): send 100
//!                    +-----------+ <----+
//!          2xx from TU: |   | 300-699 from TU: send, start H, and G (UDP, after a 1xx)
//!   send, Terminated    |   V
//!                       | +-----------+ Timer G: resend (T1, doubling, cap T2)
//!                       | | Completed | INVITE: resend
//!                       | +-----------+ Timer H (64*T1): Terminated, timed out
//!                       |       | ACK: start Timer I (T4 UDP, 0 reliable)
//!                       |       V
//!                       | +-----------+
//!                       | | Confirmed | ACK: absorb
//!                       | +-----------+
//!                       |       | Timer I
//!                       V       V
//!                     Terminated
//! ```
//!
//! Each state is a struct named for the state the RFC gives and documented with what it
//! awaits; a transition consumes the old state.

use std::time::{Duration, Instant};

use super::action::{Outcome, Output, Timer};
use super::timers::{Backoff, Timers};
use crate::sip::message::untagged_response_bytes;

/// How long the TU may take before the 100 Trying goes out (17.2.1's 200 ms).
pub(crate) const TRYING_AFTER: Duration = Duration::from_millis(200);

pub(crate) struct ServerInvite {
    reliable: bool,
    timers: Timers,
    final_status: Option<u16>,
    state: State,
}

enum State {
    Proceeding(Proceeding),
    Completed(Completed),
    Confirmed(Confirmed),
    Terminated,
}

/// Awaits the TU's final response. Holds the TU's last provisional (`None`: the 100 Trying),
/// sent when the INVITE is retransmitted, and when the 100 is due unless one was sent.
struct Proceeding {
    last_provisional: Option<Vec<u8>>,
    trying_due: Option<Instant>,
}

/// Awaits the ACK for a 300-699 response, resending it on Timer G, giving up on Timer H.
struct Completed {
    response: Vec<u8>,
    timer_g: Option<Backoff>,
    timer_h: Instant,
}

/// Awaits nothing but Timer I; ACK retransmissions are absorbed.
struct Confirmed {
    timer_i: Instant,
}

impl Proceeding {
    /// Whether a provisional response went out (the client may have stopped Timer A).
    fn provisional_sent(&self) -> bool {
        self.trying_due.is_none()
    }

    /// Sends the last provisional, the 100 Trying (written from `kept`, the request's headers
    /// a response copies) if the TU sent none.
    fn send_last_provisional(&mut self, kept: &rsip::Headers, out: &mut Vec<Output>) {
        let bytes = match &self.last_provisional {
            Some(bytes) => bytes.clone(),
            None => untagged_response_bytes(kept, 100, "Trying"),
        };
        out.push(Output::Transmit(bytes));
        self.trying_due = None;
    }

    fn on_invite(mut self, kept: &rsip::Headers, out: &mut Vec<Output>) -> State {
        self.send_last_provisional(kept, out);
        State::Proceeding(self)
    }

    fn on_timeout(mut self, now: Instant, kept: &rsip::Headers, out: &mut Vec<Output>) -> State {
        if self.trying_due.is_some_and(|due| now >= due) {
            self.send_last_provisional(kept, out);
        }
        State::Proceeding(self)
    }

    fn on_provisional(self, bytes: Vec<u8>, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(bytes.clone()));
        State::Proceeding(Proceeding {
            last_provisional: Some(bytes),
            trying_due: None,
        })
    }

    fn on_success(self, bytes: Vec<u8>, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(bytes));
        out.push(Output::Terminated(Outcome::Completed));
        State::Terminated
    }

    /// A 300-699 response; `cancelled`: the 487 for a CANCEL, resent on Timer G even before
    /// any provisional (the RFC has a client wait for one before it cancels, 9.1, and keep
    /// retransmitting its INVITE meanwhile; one that does not may stop once it sent the CANCEL).
    fn on_failure(
        self,
        bytes: Vec<u8>,
        now: Instant,
        timers: &Timers,
        reliable: bool,
        cancelled: bool,
        out: &mut Vec<Output>,
    ) -> State {
        out.push(Output::Transmit(bytes.clone()));
        let resend = !reliable && (self.provisional_sent() || cancelled);
        State::Completed(Completed {
            response: bytes,
            timer_g: resend.then(|| Backoff::start(now, timers.t1, Some(timers.t2))),
            timer_h: now + timers.t1x64(),
        })
    }
}

impl Completed {
    fn on_invite(self, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(self.response.clone()));
        State::Completed(self)
    }

    fn on_ack(self, now: Instant, timers: &Timers, reliable: bool, out: &mut Vec<Output>) -> State {
        let wait = timers.timer_i(reliable);
        if wait.is_zero() {
            out.push(Output::Terminated(Outcome::Completed));
            return State::Terminated;
        }
        State::Confirmed(Confirmed {
            timer_i: now + wait,
        })
    }

    fn on_timeout(mut self, now: Instant, out: &mut Vec<Output>) -> State {
        if now >= self.timer_h {
            out.push(Output::TimedOut(Timer::H));
            out.push(Output::Terminated(Outcome::TimedOut));
            return State::Terminated;
        }
        if let Some(g) = &mut self.timer_g {
            if g.fire(now) {
                out.push(Output::Transmit(self.response.clone()));
            }
        }
        State::Completed(self)
    }

    fn deadline(&self) -> Instant {
        match &self.timer_g {
            Some(g) => g.due().min(self.timer_h),
            None => self.timer_h,
        }
    }
}

impl Confirmed {
    fn on_timeout(self, now: Instant, out: &mut Vec<Output>) -> State {
        if now >= self.timer_i {
            out.push(Output::Terminated(Outcome::Completed));
            return State::Terminated;
        }
        State::Confirmed(self)
    }
}

impl ServerInvite {
    /// A new transaction for an INVITE received at `now`: its 100 Trying goes out if the TU
    /// has not answered within [`TRYING_AFTER`] (a directory lookup, say).
    pub(crate) fn new(reliable: bool, timers: Timers, now: Instant) -> Self {
        ServerInvite {
            reliable,
            timers,
            final_status: None,
            state: State::Proceeding(Proceeding {
                last_provisional: None,
                trying_due: Some(now + TRYING_AFTER),
            }),
        }
    }

    fn step(&mut self, f: impl FnOnce(State, &mut Vec<Output>) -> State) -> Vec<Output> {
        let mut out = Vec::new();
        let state = std::mem::replace(&mut self.state, State::Terminated);
        self.state = f(state, &mut out);
        out
    }

    /// A retransmission of the INVITE: resend the last response (`kept`: the request's headers
    /// a response copies, for a 100 Trying).
    pub(crate) fn on_invite(&mut self, kept: &rsip::Headers) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Proceeding(p) => p.on_invite(kept, out),
            State::Completed(c) => c.on_invite(out),
            other => other,
        })
    }

    /// An ACK matched to this transaction (the ACK of a non-2xx final response).
    pub(crate) fn on_ack(&mut self, now: Instant) -> Vec<Output> {
        let (timers, reliable) = (self.timers, self.reliable);
        self.step(|state, out| match state {
            State::Completed(c) => c.on_ack(now, &timers, reliable, out),
            other => other,
        })
    }

    /// The TU's response. `Err(final status)` if a final response was sent already.
    pub(crate) fn respond(
        &mut self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Vec<Output>, u16> {
        self.respond_final(status, bytes, now, false)
    }

    /// The 487 after a CANCEL (its bytes), as [`Self::respond`].
    pub(crate) fn respond_cancelled(
        &mut self,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Vec<Output>, u16> {
        self.respond_final(487, bytes, now, true)
    }

    fn respond_final(
        &mut self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
        cancelled: bool,
    ) -> Result<Vec<Output>, u16> {
        if let Some(done) = self.final_status {
            return Err(done);
        }
        if status >= 200 {
            self.final_status = Some(status);
        }
        let (timers, reliable) = (self.timers, self.reliable);
        Ok(self.step(|state, out| match state {
            State::Proceeding(p) if status < 200 => p.on_provisional(bytes, out),
            State::Proceeding(p) if status < 300 => p.on_success(bytes, out),
            State::Proceeding(p) => p.on_failure(bytes, now, &timers, reliable, cancelled, out),
            other => other,
        }))
    }

    /// The deadline passed (`kept` as for [`Self::on_invite`]).
    pub(crate) fn on_timeout(&mut self, now: Instant, kept: &rsip::Headers) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Proceeding(p) => p.on_timeout(now, kept, out),
            State::Completed(c) => c.on_timeout(now, out),
            State::Confirmed(c) => c.on_timeout(now, out),
            other => other,
        })
    }

    /// The transport could not send (17.2.4): the transaction ends.
    pub(crate) fn on_transport_error(&mut self) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Terminated => State::Terminated,
            _ => {
                out.push(Output::Terminated(Outcome::TransportError));
                State::Terminated
            }
        })
    }

    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Proceeding(p) => p.trying_due,
            State::Completed(c) => Some(c.deadline()),
            State::Confirmed(c) => Some(c.timer_i),
            _ => None,
        }
    }

    /// Still waiting for the TU's final response (a CANCEL can still end it with 487).
    pub(crate) fn is_proceeding(&self) -> bool {
        matches!(self.state, State::Proceeding(_))
    }

    pub(crate) fn final_status(&self) -> Option<u16> {
        self.final_status
    }

    /// The state's RFC name, for logs and tests.
    pub(crate) fn state_name(&self) -> &'static str {
        match self.state {
            State::Proceeding(_) => "Proceeding",
            State::Completed(_) => "Completed",
            State::Confirmed(_) => "Confirmed",
            State::Terminated => "Terminated",
        }
    }
}
