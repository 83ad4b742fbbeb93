//! The two Exchange components that only redirect: the CAS's **UM Call Router** (302 to the
//! mailbox server's UM service) and the mailbox server's **UM service** (302 to its worker).
//! A [`CallHandler`] over [`Exchange::decide`]: a new INVITE is admitted or turned away
//! (403 for a peer that is no UM IP gateway, 404 for an unknown party, 488 for a transport
//! the dial plan's VoIP security refuses, ...) and otherwise answered 302 with the Contact
//! Exchange builds. The transaction layer sends the 100 Trying and absorbs the ACK of the
//! 302; OPTIONS (health probes) and everything else get the endpoint's default answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rsip::prelude::UntypedHeader;

use crate::sip::endpoint::{CallHandler, HandlerResponse, RequestContext};
use crate::sip::message::response_to;
use crate::um::{Routing, Stage};

use super::decide::{error_response, error_status, reject_response, Exchange};

/// The call router or the UM service of one server.
pub struct Redirector {
    stage: Stage,
    exchange: Arc<Exchange>,
    draining: AtomicBool,
}

impl Redirector {
    pub fn new(stage: Stage, exchange: Arc<Exchange>) -> Redirector {
        Redirector {
            stage,
            exchange,
            draining: AtomicBool::new(false),
        }
    }

    /// Stops taking new calls (503) while serve shuts down.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}

impl CallHandler for Redirector {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        if request.method != rsip::Method::Invite || ctx.dialog.is_some() {
            return HandlerResponse::not_handled();
        }
        if self.draining.load(Ordering::SeqCst) {
            return HandlerResponse::respond(super::unavailable(request, &ctx.to_tag));
        }
        let decision = match self
            .exchange
            .decide(request, ctx.peer, ctx.transport, self.stage)
        {
            Ok(d) => d,
            Err(e) => {
                let (status, phrase) = error_status(&e);
                return HandlerResponse::respond(error_response(
                    request,
                    status,
                    phrase,
                    &e.to_string(),
                    &ctx.to_tag,
                ));
            }
        };
        let response = match decision.routing {
            Routing::Redirect(target) => {
                let mut resp = response_to(request, 302, "Moved Temporarily", Some(&ctx.to_tag));
                resp.headers
                    .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                        "<{}>",
                        target.contact
                    ))));
                resp
            }
            Routing::Reject(r) => reject_response(request, &r, &ctx.to_tag),
            Routing::Answer => error_response(
                request,
                500,
                "Server Internal Error",
                "the call router and the UM service redirect; only the worker answers",
                &ctx.to_tag,
            ),
        };
        HandlerResponse::respond(response)
    }
}
