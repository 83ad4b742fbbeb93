//! The INVITE client transaction (RFC 3261 17.1.1), sans-IO. Owns Timer A (INVITE
//! retransmission on unreliable transports: T1, doubling, no cap), Timer B (64*T1 without a
//! response), the ACK for a 300-699 response (17.1.1.3: same Request-URI, Call-ID, From, top
//! Via and CSeq number as the INVITE, the response's To, the INVITE's Route set) and Timer D
//! (absorb final retransmissions, resending the ACK). Does not own the ACK for a 2xx, which
//! the TU sends in the dialog (13.2.2.4).
//!
//! ```text
//!                    |INVITE from TU: send, Timer A (UDP), Timer B
//!   Timer A: resend  V
//!              +-----------+ Timer B: timed out, Terminated
//!              |  Calling  |
//!              +-----------+
//!          1xx: deliver |  \ 2xx: deliver, Terminated
//!                       V   \
//!              +-----------+ \ 300-699: deliver, send ACK
//!  1xx: deliver|Proceeding |--\----------------------+
//!              +-----------+   2xx: deliver, Term.   |
//!                                                    V
//!                                             +-----------+ 300-699: resend ACK
//!                                             | Completed |
//!                                             +-----------+
//!                                                   | Timer D (64*T1 UDP, 0 reliable)
//!                                                   V
//!                                               Terminated
//! ```

use std::time::Instant;

use rsip::prelude::UntypedHeader;

use super::super::message::{find_header, find_headers};
use super::action::{Outcome, Output, Timer};
use super::timers::{Backoff, Timers};

pub(crate) struct ClientInvite {
    reliable: bool,
    timers: Timers,
    invite: rsip::Request,
    final_status: Option<u16>,
    state: State,
}

enum State {
    Calling(Calling),
    Proceeding,
    Completed(Completed),
    Terminated,
}

/// Awaits any response, resending the INVITE on Timer A, giving up on Timer B.
struct Calling {
    bytes: Vec<u8>,
    timer_a: Option<Backoff>,
    timer_b: Instant,
}

/// Awaits the final response after Timer D; final retransmissions get the ACK again.
struct Completed {
    ack: Vec<u8>,
    timer_d: Instant,
}

/// The ACK for a non-2xx final response (17.1.1.3).
pub fn build_ack(invite: &rsip::Request, response: &rsip::Response) -> rsip::Request {
    let mut headers: Vec<rsip::Header> = Vec::new();
    if let Some(via) = find_header(&invite.headers, "Via") {
        let top = super::super::normalize::split_list(via.as_bytes())
            .and_then(|parts| {
                parts
                    .first()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
            })
            .unwrap_or(via);
        headers.push(rsip::Header::Via(rsip::headers::Via::new(top)));
    }
    for route in find_headers(&invite.headers, "Route") {
        headers.push(rsip::Header::Route(rsip::headers::Route::new(route)));
    }
    headers.push(rsip::Header::MaxForwards(rsip::headers::MaxForwards::new(
        "70",
    )));
    if let Some(from) = find_header(&invite.headers, "From") {
        headers.push(rsip::Header::From(rsip::headers::From::new(from)));
    }
    if let Some(to) = find_header(&response.headers, "To") {
        headers.push(rsip::Header::To(rsip::headers::To::new(to)));
    }
    if let Some(call_id) = find_header(&invite.headers, "Call-ID") {
        headers.push(rsip::Header::CallId(rsip::headers::CallId::new(call_id)));
    }
    let number = super::key::cseq(&invite.headers)
        .map(|(n, _)| n)
        .unwrap_or_default();
    headers.push(rsip::Header::CSeq(rsip::headers::CSeq::new(format!(
        "{number} ACK"
    ))));
    headers.push(rsip::Header::ContentLength(
        rsip::headers::ContentLength::new("0"),
    ));
    rsip::Request {
        method: rsip::Method::Ack,
        uri: invite.uri.clone(),
        version: rsip::Version::V2,
        headers: headers.into(),
        body: Vec::new(),
    }
}

impl Calling {
    fn on_timeout(mut self, now: Instant, out: &mut Vec<Output>) -> State {
        if now >= self.timer_b {
            out.push(Output::TimedOut(Timer::B));
            out.push(Output::Terminated(Outcome::TimedOut));
            return State::Terminated;
        }
        if let Some(a) = &mut self.timer_a {
            if a.fire(now) {
                out.push(Output::Transmit(self.bytes.clone()));
            }
        }
        State::Calling(self)
    }

    fn deadline(&self) -> Instant {
        match &self.timer_a {
            Some(a) => a.due().min(self.timer_b),
            None => self.timer_b,
        }
    }
}

impl Completed {
    fn on_final(self, out: &mut Vec<Output>) -> State {
        out.push(Output::Transmit(self.ack.clone()));
        State::Completed(self)
    }

    fn on_timeout(self, now: Instant, out: &mut Vec<Output>) -> State {
        if now >= self.timer_d {
            out.push(Output::Terminated(Outcome::Completed));
            return State::Terminated;
        }
        State::Completed(self)
    }
}

impl ClientInvite {
    /// Starts the transaction: the INVITE is sent at once.
    pub(crate) fn new(
        invite: rsip::Request,
        bytes: Vec<u8>,
        reliable: bool,
        timers: Timers,
        now: Instant,
    ) -> (Self, Vec<Output>) {
        let out = vec![Output::Transmit(bytes.clone())];
        let calling = Calling {
            bytes,
            timer_a: (!reliable).then(|| Backoff::start(now, timers.t1, None)),
            timer_b: now + timers.t1x64(),
        };
        let tx = ClientInvite {
            reliable,
            timers,
            invite,
            final_status: None,
            state: State::Calling(calling),
        };
        (tx, out)
    }

    fn step(&mut self, f: impl FnOnce(State, &mut Vec<Output>) -> State) -> Vec<Output> {
        let mut out = Vec::new();
        let state = std::mem::replace(&mut self.state, State::Terminated);
        self.state = f(state, &mut out);
        out
    }

    /// A response matched to this transaction.
    pub(crate) fn on_response(&mut self, response: rsip::Response, now: Instant) -> Vec<Output> {
        let status = response.status_code.code();
        let (timers, reliable) = (self.timers, self.reliable);
        let ack =
            (status >= 300).then(|| super::encode_request(&build_ack(&self.invite, &response)));
        if status >= 200 && self.final_status.is_none() {
            self.final_status = Some(status);
        }
        self.step(move |state, out| match (state, ack) {
            (State::Calling(_) | State::Proceeding, _) if status < 200 => {
                out.push(Output::Deliver(response));
                State::Proceeding
            }
            (State::Calling(_) | State::Proceeding, None) => {
                out.push(Output::Deliver(response));
                out.push(Output::Terminated(Outcome::Completed));
                State::Terminated
            }
            (State::Calling(_) | State::Proceeding, Some(ack)) => {
                out.push(Output::Transmit(ack.clone()));
                out.push(Output::Deliver(response));
                let wait = timers.timer_d(reliable);
                if wait.is_zero() {
                    out.push(Output::Terminated(Outcome::Completed));
                    return State::Terminated;
                }
                State::Completed(Completed {
                    ack,
                    timer_d: now + wait,
                })
            }
            (State::Completed(c), Some(_)) => c.on_final(out),
            (other, _) => other,
        })
    }

    pub(crate) fn on_timeout(&mut self, now: Instant) -> Vec<Output> {
        self.step(|state, out| match state {
            State::Calling(c) => c.on_timeout(now, out),
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
            State::Calling(c) => Some(c.deadline()),
            State::Completed(c) => Some(c.timer_d),
            _ => None,
        }
    }

    pub(crate) fn final_status(&self) -> Option<u16> {
        self.final_status
    }

    pub(crate) fn state_name(&self) -> &'static str {
        match self.state {
            State::Calling(_) => "Calling",
            State::Proceeding => "Proceeding",
            State::Completed(_) => "Completed",
            State::Terminated => "Terminated",
        }
    }
}
