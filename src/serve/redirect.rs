//! The two Exchange components that only redirect: the CAS's **UM Call Router** (302 to the
//! mailbox server's UM service) and the mailbox server's **UM service** (302 to its worker).
//! A [`CallHandler`] over [`Exchange::decide`]: a new INVITE is admitted or turned away
//! (403 for a peer that is no UM IP gateway, 404 for an unknown party, 488 for a transport
//! the dial plan's VoIP security refuses, ...) and otherwise answered 302 with the Contact
//! Exchange builds. The transaction layer sends the 100 Trying (not when the answer is at
//! hand at once) and absorbs the ACK of the 302; OPTIONS (health probes) and everything else get the endpoint's default answers.
//! Decisions come from [`Exchange::route`], which keeps them while the directory does not
//! change; a cached one is answered on the endpoint's loop, without the blocking pool. The
//! UM service's 302 names one of its server's two worker processes (the one with fewer
//! calls, else each in turn: [`WorkerChoice`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use rsip::prelude::UntypedHeader;

use crate::sip::endpoint::{CallHandler, HandlerResponse, RequestContext};
use crate::sip::message::response_to;
use crate::um::router::redirect_contact;
use crate::um::{RedirectTarget, Routing, Stage, Transport, UmError};

use super::call_limit::WorkerChoice;
use super::call_record::{self, RecordSink};

use super::decide::{error_response, error_status, reject_response, Exchange};

/// The call router or the UM service of one server.
pub struct Redirector {
    stage: Stage,
    exchange: Arc<Exchange>,
    draining: AtomicBool,
    /// The UM service's worker processes (empty: the 302 names the port `Exchange::route`
    /// gives, the first worker's).
    workers: WorkerChoice<WorkerPorts>,
    /// The names of the server the workers run on (FQDN, address): only a 302 to it is sent
    /// to the chosen worker.
    worker_hosts: Vec<String>,
    /// Where a rejected INVITE's record goes, and the server's name in it.
    records: Option<(RecordSink, String)>,
}

/// The ports a worker process bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerPorts {
    pub tcp: Option<u16>,
    pub tls: Option<u16>,
}

impl Redirector {
    pub fn new(stage: Stage, exchange: Arc<Exchange>) -> Redirector {
        Redirector {
            stage,
            exchange,
            draining: AtomicBool::new(false),
            workers: WorkerChoice::new(Vec::new()),
            worker_hosts: Vec::new(),
            records: None,
        }
    }

    /// The UM service of the server known as `hosts` (its FQDN and address), with these
    /// worker processes: each 302 to that server names the one [`WorkerChoice`] picks.
    pub fn with_workers(
        mut self,
        workers: WorkerChoice<WorkerPorts>,
        hosts: &[&str],
    ) -> Redirector {
        self.workers = workers;
        self.worker_hosts = hosts.iter().map(|h| h.to_string()).collect();
        self
    }

    /// `target` sent to the worker process the choice picks (unchanged when there is no
    /// choice, or the picked worker does not listen on the target's transport).
    fn to_chosen_worker(
        &self,
        request: &rsip::Request,
        mut target: RedirectTarget,
    ) -> Result<RedirectTarget, UmError> {
        let ours = self
            .worker_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&target.host));
        if self.stage != Stage::UmService || !ours {
            return Ok(target);
        }
        let port = self.workers.pick().and_then(|p| match target.transport {
            Transport::Tcp => p.tcp,
            Transport::Tls => p.tls,
        });
        if let Some(port) = port {
            target.contact = redirect_contact(
                &request.uri.to_string(),
                &target.host,
                port,
                target.transport,
            )?;
            target.port = port;
        }
        Ok(target)
    }

    /// Writes a record for every INVITE this component turns away (as `server`).
    pub fn with_records(mut self, sink: Option<RecordSink>, server: &str) -> Redirector {
        self.records = sink.map(|s| (s, server.to_string()));
        self
    }

    /// The record of a turned-away INVITE (a 302 is not the end of a call).
    fn record(&self, request: &rsip::Request, ctx: &RequestContext, response: &rsip::Response) {
        let Some((sink, server)) = &self.records else {
            return;
        };
        if request.method != rsip::Method::Invite || response.status_code.code() < 300 {
            return;
        }
        if response.status_code.code() == 302 {
            return;
        }
        let component = match self.stage {
            Stage::CallRouter => "call router",
            Stage::UmService => "UM service",
            Stage::Worker => "UM worker",
        };
        let mut base = call_record::base(request, SystemTime::now(), server, component);
        // The decision just made is in the cache: it knows the dial plan, when there is one.
        if let Some(Routing::Reject(r)) = self.exchange.cached_route(
            request,
            ctx.peer,
            ctx.transport,
            self.stage,
            ctx.peer_certificate.as_ref(),
        ) {
            base.dial_plan = r.dial_plan;
        }
        base.gateway = Some(ctx.peer.ip().to_string());
        sink.write(call_record::rejected(base, response));
    }

    /// Stops taking new calls (503) while serve shuts down.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}

impl Redirector {
    /// The answer to a routing decision (or to the error deciding it).
    fn respond(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
        routing: Result<Routing, UmError>,
    ) -> rsip::Response {
        let routing = match routing {
            Ok(Routing::Redirect(t)) => self.to_chosen_worker(request, t).map(Routing::Redirect),
            other => other,
        };
        let routing = match routing {
            Ok(r) => r,
            Err(e) => {
                let (status, phrase) = error_status(&e);
                return error_response(request, status, phrase, &e.to_string(), &ctx.to_tag);
            }
        };
        match routing {
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
        }
    }
}

impl CallHandler for Redirector {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        let answer = self.answer(request, ctx);
        if let Some(r) = &answer.final_response {
            self.record(request, ctx, r);
        }
        answer
    }

    /// Everything but a new INVITE whose routing is not in the cache: those need the
    /// directory, on the blocking pool.
    fn answer_now(&self, request: &rsip::Request, ctx: &RequestContext) -> Option<HandlerResponse> {
        let answer = self.answer_now_inner(request, ctx)?;
        if let Some(r) = &answer.final_response {
            self.record(request, ctx, r);
        }
        Some(answer)
    }
}

impl Redirector {
    fn answer(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        // Draining: a health probe gets 503 too, so a load balancer moves away at once.
        if request.method == rsip::Method::Options
            && ctx.dialog.is_none()
            && self.draining.load(Ordering::SeqCst)
        {
            return HandlerResponse::respond(super::unavailable(request, &ctx.to_tag));
        }
        if request.method != rsip::Method::Invite || ctx.dialog.is_some() {
            return HandlerResponse::not_handled();
        }
        if self.draining.load(Ordering::SeqCst) {
            return HandlerResponse::respond(super::unavailable(request, &ctx.to_tag));
        }
        let routing = self.exchange.route(
            request,
            ctx.peer,
            ctx.transport,
            self.stage,
            ctx.peer_certificate.as_ref(),
        );
        HandlerResponse::respond(self.respond(request, ctx, routing))
    }

    fn answer_now_inner(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
    ) -> Option<HandlerResponse> {
        if request.method != rsip::Method::Invite
            || ctx.dialog.is_some()
            || self.draining.load(Ordering::SeqCst)
        {
            return Some(self.answer(request, ctx));
        }
        let routing = self.exchange.cached_route(
            request,
            ctx.peer,
            ctx.transport,
            self.stage,
            ctx.peer_certificate.as_ref(),
        )?;
        Some(HandlerResponse::respond(self.respond(
            request,
            ctx,
            Ok(routing),
        )))
    }
}
