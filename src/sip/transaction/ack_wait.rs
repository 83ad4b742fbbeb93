//! The UAS core's retransmission of a 2xx to INVITE until the ACK arrives (RFC 3261
//! 13.3.1.4), sans-IO. The INVITE server transaction ends when the 2xx is sent (17.2.1), so
//! the 2xx's reliability is end to end: it is resent on every transport starting at T1,
//! doubling up to T2, until an ACK with the same Call-ID and CSeq number arrives; after 64*T1
//! without one the wait times out and the TU should end the dialog with BYE. An INVITE
//! retransmitted after the 2xx gets the 2xx again. Kept next to the transactions so one timer
//! loop drives everything; the TU still sees the ACK.

use std::time::Instant;

use super::action::{Outcome, Output, Timer};
use super::timers::{Backoff, Timers};

/// Awaits the ACK for one 2xx.
pub(crate) struct AwaitingAck {
    response: Vec<u8>,
    resend: Backoff,
    give_up: Instant,
    pub(crate) call_id: String,
    pub(crate) cseq: u32,
}

impl AwaitingAck {
    pub(crate) fn new(
        response: Vec<u8>,
        call_id: String,
        cseq: u32,
        timers: &Timers,
        now: Instant,
    ) -> Self {
        AwaitingAck {
            response,
            resend: Backoff::start(now, timers.t1, Some(timers.t2)),
            give_up: now + timers.t1x64(),
            call_id,
            cseq,
        }
    }

    /// Resends or gives up; returns true when the wait is over.
    pub(crate) fn on_timeout(&mut self, now: Instant, out: &mut Vec<Output>) -> bool {
        if now >= self.give_up {
            out.push(Output::TimedOut(Timer::AckFor2xx));
            out.push(Output::Terminated(Outcome::TimedOut));
            return true;
        }
        if self.resend.fire(now) {
            out.push(Output::Transmit(self.response.clone()));
        }
        false
    }

    /// The INVITE came again: the 2xx is resent.
    pub(crate) fn on_invite(&self, out: &mut Vec<Output>) {
        out.push(Output::Transmit(self.response.clone()));
    }

    pub(crate) fn next_timeout(&self) -> Instant {
        self.resend.due().min(self.give_up)
    }
}
