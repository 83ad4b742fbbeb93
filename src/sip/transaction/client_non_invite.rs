//! The non-INVITE client transaction (RFC 3261 17.1.2), sans-IO: NOTIFY (message waiting),
//! REFER, BYE, OPTIONS sent by umctl. Owns Timer E (retransmission on unreliable transports:
//! T1 doubling to T2 in Trying, every T2 in Proceeding), Timer F (64*T1 without a final
//! response) and Timer K (absorb final retransmissions: T4 on UDP, zero on reliable).
//!
//! ```text
//!                    |Request from TU: send, Timer E (UDP), Timer F
//!  Timer E: resend   V
//!              +-----------+ Timer F: timed out, Terminated
//!              |  Trying   |
//!              +-----------+
//!       1xx: deliver |    | 200-699: deliver
//!                    V    |
//!              +-----------+ Timer E: resend (every T2); Timer F: timed out
//!  1xx: deliver|Proceeding |
//!              +-----------+
//!      200-699: deliver |  |
//!                       V  V
//!              +-----------+ responses: absorb
//!              | Completed |
//!              +-----------+
//!                    | Timer K (T4 UDP, 0 reliable)
//!                    V
//!                Terminated
//! ```

use std::time::Instant;

use super::action::{Outcome, Output, Timer};
use super::timers::{Backoff, Timers};

pub(crate) struct ClientNonInvite {
    reliable: bool,
    timers: Timers,
    final_status: Option<u16>,
    state: State,
}

enum State {
    Trying(Waiting),
    Proceeding(Waiting),
    Completed(Completed),
    Terminated,
}

/// Awaits a (final) response, resending on Timer E, giving up on Timer F. Trying and
/// Proceeding differ only in Timer E's interval.
struct Waiting {
    bytes: Vec<u8>,
    timer_e: Option<Backoff>,
    timer_f: Instant,
}

/// Awaits Timer K; response retransmissions are absorbed.
struct Completed {
    timer_k: Instant,
}

impl Waiting {
    fn on_timeout(mut self, now: Instant, out: &mut Vec<Output>) -> Result<Self, ()> {
        if now >= self.timer_f {
            out.push(Output::TimedOut(Timer::F));
            out.push(Output::Terminated(Outcome::TimedOut));
            return Err(());
        }
        if let Some(e) = &mut self.timer_e {
            if e.fire(now) {
                out.push(Output::Transmit(self.bytes.clone()));
            }
        }
        Ok(self)
    }

    fn deadline(&self) -> Instant {
        match &self.timer_e {
            Some(e) => e.due().min(self.timer_f),
            None => self.timer_f,
        }
    }

    fn on_final(
        self,
        now: Instant,
        timers: &Timers,
        reliable: bool,
        out: &mut Vec<Output>,
    ) -> State {
        let wait = timers.timer_k(reliable);
        if wait.is_zero() {
            out.push(Output::Terminated(Outcome::Completed));
            return State::Terminated;
        }
        State::Completed(Completed {
            timer_k: now + wait,
        })
    }
}

impl ClientNonInvite {
    pub(crate) fn new(
        bytes: Vec<u8>,
        reliable: bool,
        timers: Timers,
        now: Instant,
    ) -> (Self, Vec<Output>) {
        let out = vec![Output::Transmit(bytes.clone())];
        let waiting = Waiting {
            bytes,
            timer_e: (!reliable).then(|| Backoff::start(now, timers.t1, Some(timers.t2))),
            timer_f: now + timers.t1x64(),
        };
        let tx = ClientNonInvite {
            reliable,
            timers,
            final_status: None,
            state: State::Trying(waiting),
        };
        (tx, out)
    }

    fn step(&mut self, f: impl FnOnce(State, &mut Vec<Output>) -> State) -> Vec<Output> {
        let mut out = Vec::new();
        let state = std::mem::replace(&mut self.state, State::Terminated);
        self.state = f(state, &mut out);
        out
    }

    pub(crate) fn on_response(&mut self, response: rsip::Response, now: Instant) -> Vec<Output> {
        let status = response.status_code.code();
        let (timers, reliable) = (self.timers, self.reliable);
        if status >= 200 && self.final_status.is_none() {
            self.final_status = Some(status);
        }
        self.step(move |state, out| match state {
            State::Trying(mut w) | State::Proceeding(mut w) if status < 200 => {
                out.push(Output::Deliver(response));
                // 17.1.2.2: in Proceeding, Timer E fires every T2.
                if let Some(e) = &mut w.timer_e {
                    e.set_interval(timers.t2);
                }
                State::Proceeding(w)
            }
            State::Trying(w) | State::Proceeding(w) => {
                out.push(Output::Deliver(response));
                w.on_final(now, &timers, reliable, out)
            }
            other => other,
        })
    }

    pub(crate) fn on_timeout(&mut self, now: Instant) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Trying(w) => w
                .on_timeout(now, out)
                .map_or(State::Terminated, State::Trying),
            State::Proceeding(w) => w
                .on_timeout(now, out)
                .map_or(State::Terminated, State::Proceeding),
            State::Completed(c) if now >= c.timer_k => {
                out.push(Output::Terminated(Outcome::Completed));
                State::Terminated
            }
            other => other,
        })
    }

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
            State::Trying(w) | State::Proceeding(w) => Some(w.deadline()),
            State::Completed(c) => Some(c.timer_k),
            State::Terminated => None,
        }
    }

    pub(crate) fn final_status(&self) -> Option<u16> {
        self.final_status
    }

    pub(crate) fn state_name(&self) -> &'static str {
        match self.state {
            State::Trying(_) => "Trying",
            State::Proceeding(_) => "Proceeding",
            State::Completed(_) => "Completed",
            State::Terminated => "Terminated",
        }
    }
}
