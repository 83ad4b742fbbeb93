//! The non-INVITE server transaction (RFC 3261 17.2.2), sans-IO. Owns absorbing request
//! retransmissions (nothing sent in Trying, the last provisional resent in Proceeding, the
//! final resent in Completed) and Timer J (64*T1 on UDP, zero on reliable transports). Does
//! not own what the response says (the TU) nor CANCEL matching (the layer).
//!
//! ```text
//!                     |Request received
//!                     V
//!               +-----------+  retransmission: absorb
//!               |  Trying   |
//!               +-----------+
//!   1xx from TU: |         | 200-699 from TU: send
//!   send         V         |
//!               +-----------+  retransmission: resend 1xx
//!               |Proceeding | 1xx from TU: send
//!               +-----------+
//!   200-699: send |        |
//!                 V        V
//!               +-----------+  retransmission: resend final
//!               | Completed |
//!               +-----------+
//!                     | Timer J (64*T1 UDP, 0 reliable)
//!                     V
//!                 Terminated
//! ```

use std::time::Instant;

use super::action::{Outcome, Output};
use super::timers::Timers;

pub(crate) struct ServerNonInvite {
    reliable: bool,
    timers: Timers,
    final_status: Option<u16>,
    state: State,
}

enum State {
    Trying(Trying),
    Proceeding(Proceeding),
    Completed(Completed),
    Terminated,
}

/// Awaits the TU's first response; retransmissions are absorbed silently.
struct Trying;

/// Awaits the TU's final response; retransmissions get the last provisional again.
struct Proceeding {
    last_provisional: Vec<u8>,
}

/// Awaits Timer J; retransmissions get the final response again.
struct Completed {
    response: Vec<u8>,
    timer_j: Instant,
}

fn on_final(
    bytes: Vec<u8>,
    now: Instant,
    timers: &Timers,
    reliable: bool,
    out: &mut Vec<Output>,
) -> State {
    out.push(Output::Transmit(bytes.clone()));
    let wait = timers.timer_j(reliable);
    if wait.is_zero() {
        out.push(Output::Terminated(Outcome::Completed));
        return State::Terminated;
    }
    State::Completed(Completed {
        response: bytes,
        timer_j: now + wait,
    })
}

impl Trying {
    fn on_request(self) -> State {
        State::Trying(self)
    }

    fn on_response(
        self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
        timers: &Timers,
        reliable: bool,
        out: &mut Vec<Output>,
    ) -> State {
        if status < 200 {
            out.push(Output::Transmit(bytes.clone()));
            return State::Proceeding(Proceeding {
                last_provisional: bytes,
            });
        }
        on_final(bytes, now, timers, reliable, out)
    }
}

impl Proceeding {
    fn on_request(self, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(self.last_provisional.clone()));
        State::Proceeding(self)
    }

    fn on_response(
        self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
        timers: &Timers,
        reliable: bool,
        out: &mut Vec<Output>,
    ) -> State {
        if status < 200 {
            out.push(Output::Transmit(bytes.clone()));
            return State::Proceeding(Proceeding {
                last_provisional: bytes,
            });
        }
        on_final(bytes, now, timers, reliable, out)
    }
}

impl Completed {
    fn on_request(self, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(self.response.clone()));
        State::Completed(self)
    }

    fn on_timeout(self, now: Instant, out: &mut Vec<Output>) -> State {
        if now >= self.timer_j {
            out.push(Output::Terminated(Outcome::Completed));
            return State::Terminated;
        }
        State::Completed(self)
    }
}

impl ServerNonInvite {
    pub(crate) fn new(reliable: bool, timers: Timers) -> Self {
        ServerNonInvite {
            reliable,
            timers,
            final_status: None,
            state: State::Trying(Trying),
        }
    }

    fn step(&mut self, f: impl FnOnce(State, &mut Vec<Output>) -> State) -> Vec<Output> {
        let mut out = Vec::new();
        let state = std::mem::replace(&mut self.state, State::Terminated);
        self.state = f(state, &mut out);
        out
    }

    /// A retransmission of the request.
    pub(crate) fn on_request(&mut self) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Trying(t) => t.on_request(),
            State::Proceeding(p) => p.on_request(out),
            State::Completed(c) => c.on_request(out),
            State::Terminated => State::Terminated,
        })
    }

    /// The TU's response. `Err(final status)` if a final response was sent already.
    pub(crate) fn respond(
        &mut self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Vec<Output>, u16> {
        if let Some(done) = self.final_status {
            return Err(done);
        }
        if status >= 200 {
            self.final_status = Some(status);
        }
        let (timers, reliable) = (self.timers, self.reliable);
        Ok(self.step(|state, out| match state {
            State::Trying(t) => t.on_response(status, bytes, now, &timers, reliable, out),
            State::Proceeding(p) => p.on_response(status, bytes, now, &timers, reliable, out),
            other => other,
        }))
    }

    pub(crate) fn on_timeout(&mut self, now: Instant) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Completed(c) => c.on_timeout(now, out),
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
            State::Completed(c) => Some(c.timer_j),
            _ => None,
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
