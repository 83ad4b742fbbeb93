//! The mailbox server's **UM worker process**: the component that answers. A [`CallHandler`]
//! that takes a new INVITE through [`Exchange::decide`] (the worker re-checks admission like
//! every Exchange component), negotiates the SDP answer (`media::sdp::negotiate`: 488 without
//! a common codec; SRTP with a fresh key on a Secured dial plan, 488 "Secured dial plan needs
//! SRTP" for an offer without usable `a=crypto`), opens a UDP socket for RTP on the server's address, and answers 180 then
//! 200 with the answer. The call stays in the worker's table until BYE, CANCEL, or a 2xx that
//! is never ACKed; `MaxCallsAllowed` (`--max-calls`) bounds the table, and the call beyond it
//! gets 503 with Retry-After.
//!
//! Each answered call gets a media engine (`media_engine::run`, a tokio task on the call's
//! RTP socket) running the call's dialogue (`call_setup`: call answering for a diverted
//! call, Outlook Voice Access, the auto attendant). The worker tells the engine about the ACK
//! and the BYE ([`Control`]); the engine asks for a BYE through the hang-up channel and for a
//! blind transfer (REFER, RFC 3515) through the transfer channel, which `serve::start` drains
//! ([`Worker::hang_up`], [`Worker::transfer`]). Recordings are spooled under the worker's recordings folder and
//! delivered through its one `Arc<dyn Mailer>` (the seam SMTP and MWI plug into). At
//! shutdown, [`Worker::hang_up_all`] sends BYE to every active call through the endpoint.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::media::sdp::{negotiate, Encryption, LocalMedia, SessionDescription};
use crate::media::srtp::MasterKey;
use crate::media::MediaError;
use rsip::prelude::UntypedHeader;

use crate::sip::dialog::Dialog;
use crate::sip::endpoint::{CallHandler, EndpointHandle, HandlerResponse, RequestContext};
use crate::sip::headers::{MsExchangeCommand, NameAddr};
use crate::sip::ids::IdGenerator;
use crate::sip::message::{find_header, response_to};
use crate::sip::request::Via;
use crate::sip::transport::TransportKind;
use crate::sip::SipError;
use crate::um::{Routing, Stage};

use super::call_limit::{ActiveCalls, CallLimit};
use super::call_record::{self, RecordSink};
use super::decide::{error_response, error_status, reject_response, Exchange};
use super::media_engine::{self, CallMedia, Control, TransferRequest};
use crate::mail::Mailer;
use crate::records::CallRecord;
use tokio::sync::mpsc;
use tracing::Instrument;

/// How long a 2xx may wait for its ACK before the call is dropped (64*T1, RFC 3261 13.3.1.4).
pub const ACK_WAIT: Duration = Duration::from_secs(32);
/// The Retry-After of a 503 when the worker is full (seconds).
pub const RETRY_AFTER_SECS: u32 = 30;

/// One answered call.
struct ActiveCall {
    peer: SocketAddr,
    transport: TransportKind,
    local: SocketAddr,
    /// The call's dialog, we are its UAS: where our requests go, the route set, the tags,
    /// our CSeq (REFER, BYE).
    dialog: Dialog,
    answered: Instant,
    acked: bool,
    rtp_port: u16,
    /// Plain RTP, or SRTP with the key of our first answer (a re-INVITE's answer keeps it).
    encryption: Encryption,
    /// The call's media engine; told the caller is gone when the call leaves the table.
    media: mpsc::UnboundedSender<Control>,
}

impl Drop for ActiveCall {
    fn drop(&mut self) {
        let _ = self.media.send(Control::HungUp);
    }
}

/// Where answered calls record and deliver.
#[derive(Clone)]
pub struct MediaSetup {
    /// The spool folder of recordings in progress (`<lab>/recordings`).
    pub recordings: PathBuf,
    /// The one delivery seam: the lab Maildir by default.
    pub mailer: Arc<dyn Mailer>,
    /// Counts each finished call's RTP sending (`--metrics`); its figures go to the log.
    pub metrics: Option<Arc<super::metrics::Metrics>>,
    /// The PIN and message stores of Outlook Voice Access.
    pub menus: super::call_setup::Menus,
    /// Where each call's record goes.
    pub records: Option<RecordSink>,
    /// The serve's RTP pacing thread.
    pub pacing: super::pacer::Pacing,
}

/// What the server's call limit and the UM service's worker choice count.
impl ActiveCalls for Worker {
    fn active_calls(&self) -> usize {
        Worker::active_calls(self)
    }
}

/// The call's media figures as one log line: `media`, an object in the JSON log.
fn log_media(summary: &media_engine::CallSummary) {
    match serde_json::to_value(summary.figures()) {
        Ok(media) => tracing::info!(media = %media, "call media"),
        Err(_) => tracing::info!("call media: {}", summary.to_text()),
    }
}

/// How long a REFER may wait for its final answer.
pub const REFER_WAIT: Duration = Duration::from_secs(10);

/// The worker of one mailbox server.
pub struct Worker {
    exchange: Arc<Exchange>,
    fqdn: String,
    address: IpAddr,
    limit: Arc<CallLimit>,
    calls: Mutex<HashMap<String, ActiveCall>>,
    draining: AtomicBool,
    runtime: tokio::runtime::Handle,
    ids: IdGenerator,
    media: MediaSetup,
    hang_ups: mpsc::UnboundedSender<String>,
    hang_up_rx: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
    transfers: mpsc::UnboundedSender<TransferRequest>,
    transfer_rx: Mutex<Option<mpsc::UnboundedReceiver<TransferRequest>>>,
    /// Media engines still running (shutdown waits for their deliveries).
    engines: Arc<AtomicUsize>,
}

impl Worker {
    /// A worker for the server `fqdn` on `address`, its calls counted against the server's
    /// `limit` (join it to the limit once in an `Arc`); must be created inside the tokio
    /// runtime.
    pub fn new(
        exchange: Arc<Exchange>,
        fqdn: &str,
        address: IpAddr,
        limit: Arc<CallLimit>,
        runtime: tokio::runtime::Handle,
        media: MediaSetup,
    ) -> Worker {
        let (hang_ups, rx) = mpsc::unbounded_channel();
        let (transfers, transfer_rx) = mpsc::unbounded_channel();
        Worker {
            exchange,
            fqdn: fqdn.to_string(),
            address,
            limit,
            calls: Mutex::new(HashMap::new()),
            draining: AtomicBool::new(false),
            runtime,
            ids: IdGenerator::new(),
            media,
            hang_ups,
            hang_up_rx: Mutex::new(Some(rx)),
            transfers,
            transfer_rx: Mutex::new(Some(transfer_rx)),
            engines: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The Call-IDs the media engines want hung up (taken once, by `serve::start`).
    pub fn take_hang_up_requests(&self) -> Option<mpsc::UnboundedReceiver<String>> {
        match self.hang_up_rx.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        }
    }

    /// The media engines' transfer requests (taken once, by `serve::start`).
    pub fn take_transfer_requests(&self) -> Option<mpsc::UnboundedReceiver<TransferRequest>> {
        match self.transfer_rx.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        }
    }

    /// A blind transfer (RFC 3515): REFER in the call's dialog with `Refer-To: <refer_to>` and
    /// `Referred-By` (the number the caller dialed, our side of the dialog); `Ok` on 2xx
    /// (202 Accepted), else the status or the failure in words. The call stays up: the engine
    /// hangs up after its prompt.
    pub async fn transfer(
        &self,
        endpoint: &EndpointHandle,
        call_id: &str,
        refer_to: &str,
    ) -> Result<(), String> {
        let (refer, peer, transport) = {
            let mut calls = self.calls();
            let Some(call) = calls.get_mut(call_id) else {
                return Err("the call has ended".into());
            };
            let refer = self
                .refer(call, refer_to)
                .map_err(|e| format!("cannot build a REFER to {refer_to}: {e}"))?;
            (refer, call.peer, call.transport)
        };
        match tokio::time::timeout(REFER_WAIT, endpoint.request(refer, peer, transport)).await {
            Ok(Ok(r)) if (200..300).contains(&r.status_code.code()) => Ok(()),
            Ok(Ok(r)) => Err(format!(
                "the REFER to {refer_to} was answered {}",
                r.status_code
            )),
            Ok(Err(e)) => Err(format!("the REFER to {refer_to} failed: {e}")),
            Err(_) => Err(format!(
                "no answer to the REFER to {refer_to} in {} s",
                REFER_WAIT.as_secs()
            )),
        }
    }

    /// The REFER of a blind transfer, our next request in the call's dialog.
    fn refer(&self, call: &mut ActiveCall, refer_to: &str) -> Result<rsip::Request, SipError> {
        let referred_by = crate::sip::headers::ReferredBy {
            addr: NameAddr {
                display: None,
                uri: call.dialog.local_uri.clone(),
                params: Default::default(),
            },
        };
        let contact = self.contact(call.local.port(), call.transport, "");
        let via = self.via(call);
        call.dialog
            .request(rsip::Method::Refer, &via)
            .contact(&contact)
            .header("Refer-To", &format!("<{refer_to}>"))
            .header("Referred-By", &referred_by.to_string())
            .build()
    }

    /// The Via of our request in `call`'s dialog (a fresh branch).
    fn via(&self, call: &ActiveCall) -> Via {
        Via::new(call.transport, call.local.to_string(), self.ids.branch())
    }

    /// Our Contact URI on the connection's local `port` (`user@` when given).
    fn contact(&self, port: u16, transport: TransportKind, user: &str) -> String {
        let transport = match transport {
            TransportKind::Tls => "TLS",
            _ => "TCP",
        };
        format!("sip:{user}{}:{port};transport={transport}", self.fqdn)
    }

    /// Media engines still running.
    pub fn running_engines(&self) -> usize {
        self.engines.load(Ordering::SeqCst)
    }

    /// Ends one call from our side: removes it and sends BYE (waiting at most `wait`).
    pub async fn hang_up(&self, endpoint: &EndpointHandle, call_id: &str, wait: Duration) {
        let Some(mut call) = self.calls().remove(call_id) else {
            return;
        };
        let Some(bye) = self.bye(&mut call) else {
            return;
        };
        let _ = tokio::time::timeout(wait, endpoint.request(bye, call.peer, call.transport)).await;
    }

    fn calls(&self) -> MutexGuard<'_, HashMap<String, ActiveCall>> {
        match self.calls.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The number of answered calls.
    pub fn active_calls(&self) -> usize {
        self.calls().len()
    }

    /// Stops taking new calls (503) while serve shuts down.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Drops answered calls whose ACK never came (the endpoint has dropped their dialogs).
    pub fn sweep(&self, now: Instant) {
        self.calls()
            .retain(|_, c| c.acked || now.duration_since(c.answered) < ACK_WAIT);
    }

    /// Sends BYE to every active call through `endpoint` and waits (at most `wait`) for the
    /// answers. Returns how many calls got a 2xx to their BYE.
    pub async fn hang_up_all(&self, endpoint: &EndpointHandle, wait: Duration) -> usize {
        let calls: Vec<(String, ActiveCall)> = self.calls().drain().collect();
        let mut pending = Vec::new();
        for (_, mut call) in calls {
            let _ = call.media.send(Control::Shutdown);
            let Some(bye) = self.bye(&mut call) else {
                continue;
            };
            let endpoint = endpoint.clone();
            let (peer, transport) = (call.peer, call.transport);
            pending.push(tokio::spawn(async move {
                let answer =
                    tokio::time::timeout(wait, endpoint.request(bye, peer, transport)).await;
                drop(call);
                matches!(answer, Ok(Ok(r)) if (200..300).contains(&r.status_code.code()))
            }));
        }
        let mut ok = 0;
        for task in pending {
            if matches!(task.await, Ok(true)) {
                ok += 1;
            }
        }
        ok
    }

    /// The BYE for `call`, our next request in its dialog (CSeq 1 unless a REFER went first).
    fn bye(&self, call: &mut ActiveCall) -> Option<rsip::Request> {
        let why = if self.draining.load(Ordering::SeqCst) {
            "the UM worker is shutting down"
        } else {
            "the call is complete"
        };
        let via = self.via(call);
        call.dialog
            .request(rsip::Method::Bye, &via)
            .header("Reason", &format!("Q.850;cause=16;text=\"{why}\""))
            .build()
            .ok()
    }

    /// A new INVITE; `record` gets what the decision knows (the engine writes the answered
    /// call's record when it ends, the caller of this the rejected one's).
    fn answer_invite(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
        record: &mut CallRecord,
    ) -> rsip::Response {
        let tag = ctx.to_tag.as_str();
        let decision = match self.admit(request, ctx) {
            Ok(d) => d,
            Err(refusal) => return refusal,
        };
        *record = call_record::with_decision(std::mem::take(record), &decision);
        let offer = match parse_offer(request) {
            Ok(o) => o,
            Err(e) => return media_refusal(request, &e, tag),
        };
        let call_id = find_header(&request.headers, "Call-ID").unwrap_or_default();
        // The server's limit counts both workers: held until this call is in the table.
        let _admission = self.limit.admission();
        let others = self.limit.calls_besides(self);
        let mut calls = self.calls();
        if calls.len() + others >= self.limit.max() {
            return self.full(request, calls.len() + others, tag);
        }
        let opened = match self.open_media(&decision, &offer, calls.len()) {
            Ok(o) => o,
            Err(OpenError::Media(e)) => return media_refusal(request, &e, tag),
            Err(OpenError::Other(e)) => {
                return error_response(request, 500, "Server Internal Error", &e, tag)
            }
        };
        let ok = self.ok_with_sdp(request, ctx, &opened.answer);
        let dialog = match Dialog::uas(request, &ok, ctx.transport == TransportKind::Tls) {
            Ok(d) => d,
            Err(e) => return error_response(request, 400, "Bad Request", &e.to_string(), tag),
        };
        let (rtp_port, encryption) = (opened.rtp_port, opened.encryption.clone());
        let control = self.start_engine(request, ctx, &decision, &call_id, record, opened);
        calls.insert(
            call_id,
            ActiveCall {
                peer: ctx.peer,
                transport: ctx.transport,
                local: ctx.local,
                dialog,
                answered: Instant::now(),
                acked: false,
                rtp_port,
                encryption,
                media: control,
            },
        );
        ok
    }

    /// Exchange's decision on a new INVITE, or the response that turns it away (503 while
    /// draining, the rejection, 500 for a redirect the worker cannot follow).
    fn admit(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
    ) -> Result<super::decide::Decision, rsip::Response> {
        let tag = ctx.to_tag.as_str();
        if self.draining.load(Ordering::SeqCst) {
            return Err(super::unavailable(request, tag));
        }
        let decision = self
            .exchange
            .decide(
                request,
                ctx.peer,
                ctx.transport,
                Stage::Worker,
                ctx.peer_certificate.as_ref(),
            )
            .map_err(|e| {
                let (status, phrase) = error_status(&e);
                error_response(request, status, phrase, &e.to_string(), tag)
            })?;
        match &decision.routing {
            Routing::Answer => Ok(decision),
            Routing::Reject(r) => Err(reject_response(request, r, tag)),
            Routing::Redirect(t) => Err(error_response(
                request,
                500,
                "Server Internal Error",
                &format!(
                    "the worker answers calls, but routing said redirect to {}",
                    t.contact
                ),
                tag,
            )),
        }
    }

    /// 503 with Retry-After: the server has `active` calls, its MaxCallsAllowed.
    fn full(&self, request: &rsip::Request, active: usize, tag: &str) -> rsip::Response {
        let mut resp = error_response(
            request,
            503,
            "Service Unavailable",
            &format!(
                "the UM workers on {} have {active} active calls, the server's MaxCallsAllowed",
                self.fqdn
            ),
            tag,
        );
        crate::sip::message::push_retry_after(&mut resp, RETRY_AFTER_SECS);
        resp
    }

    /// The call's RTP and RTCP sockets (bound once, kept by the engine), its encryption and
    /// the SDP answer to `offer`; `active` calls make the session id unique.
    fn open_media(
        &self,
        decision: &super::decide::Decision,
        offer: &SessionDescription,
        active: usize,
    ) -> Result<OpenedMedia, OpenError> {
        let (socket, rtcp) = crate::media::rtcp::bind_pair(self.address)
            .and_then(|(rtp, rtcp)| {
                rtp.set_nonblocking(true)?;
                rtcp.set_nonblocking(true)?;
                Ok((rtp, rtcp))
            })
            .map_err(|e| {
                OpenError::Other(format!(
                    "cannot open an RTP socket on {}: {e}",
                    self.address
                ))
            })?;
        let rtp_port = socket.local_addr().map_or(0, |a| a.port());
        let session_id = u64::from(rtp_port) << 16 | (active as u64 & 0xffff);
        let encryption = media_encryption(decision).map_err(OpenError::Other)?;
        let mut local = LocalMedia::new(self.address, rtp_port, session_id);
        local.encryption = encryption.clone();
        let (negotiated, answer) = negotiate(offer, &local).map_err(OpenError::Media)?;
        Ok(OpenedMedia {
            socket,
            rtcp,
            rtp_port,
            encryption,
            negotiated,
            answer,
        })
    }

    /// Sets up the call's dialogue and starts its media engine; returns the engine's control.
    fn start_engine(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
        decision: &super::decide::Decision,
        call_id: &str,
        record: &CallRecord,
        opened: OpenedMedia,
    ) -> mpsc::UnboundedSender<Control> {
        let skip_pin = MsExchangeCommand::from_headers(&request.headers)
            .ok()
            .flatten()
            .is_some_and(|c| c.skip_pin);
        let setup = super::call_setup::setup(
            &self.exchange.dir,
            decision,
            call_id,
            opened.negotiated.codec.encoding_name(),
            &self.media.menus,
            skip_pin,
        );
        for note in &setup.notes {
            tracing::info!("{note}");
        }
        let (control, control_rx) = mpsc::unbounded_channel();
        let media = CallMedia {
            socket: opened.socket,
            pacing: self.media.pacing.clone(),
            rtcp: Some(opened.rtcp),
            negotiated: opened.negotiated,
            dialogue: setup.dialogue,
            info: setup.info,
            recordings: self.media.recordings.clone(),
            mailer: self.media.mailer.clone(),
            control: control_rx,
            hang_up: self.hang_ups.clone(),
            menu: Some(media_engine::MenuMedia {
                blocking: setup.blocking,
                max_call: setup.max_call,
                message_for: setup.message_for,
                transfer_domain: setup.transfer_domain,
                transfers: self.transfers.clone(),
            }),
        };
        self.spawn_engine(media, record.clone(), ctx.peer);
        control
    }

    /// Runs `media` on the runtime; when it ends, writes the call's record and media log.
    fn spawn_engine(&self, media: CallMedia, record: CallRecord, peer: SocketAddr) {
        let engines = self.engines.clone();
        engines.fetch_add(1, Ordering::SeqCst);
        let metrics = self.media.metrics.clone();
        let span = tracing::info_span!("call", call_id = %media.info.call_id);
        let sink = self.media.records.clone();
        let (codec, started) = (media.negotiated.codec.encoding_name(), Instant::now());
        self.runtime.spawn(
            async move {
                let summary = media_engine::run(media).await;
                if let Some(sink) = sink {
                    let duration = started.elapsed().as_secs_f64();
                    let rtt = summary.round_trip_ms;
                    sink.write(call_record::answered(
                        record, &summary, codec, duration, rtt, peer,
                    ));
                }
                for e in &summary.errors {
                    tracing::warn!(error = %e, "media engine error");
                }
                if let Some(m) = metrics {
                    m.sent(&summary.sent);
                }
                log_media(&summary);
                engines.fetch_sub(1, Ordering::SeqCst);
            }
            .instrument(span),
        );
    }

    /// 200 OK with our Contact and the SDP answer.
    fn ok_with_sdp(
        &self,
        request: &rsip::Request,
        ctx: &RequestContext,
        answer: &SessionDescription,
    ) -> rsip::Response {
        let mut resp = response_to(request, 200, "OK", Some(&ctx.to_tag));
        let user = request
            .uri
            .auth
            .as_ref()
            .map(|a| format!("{}@", a.user))
            .unwrap_or_default();
        let contact = self.contact(ctx.local.port(), ctx.transport, &user);
        resp.headers
            .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                "<{contact}>"
            ))));
        set_body(&mut resp, answer.to_string().into_bytes());
        resp
    }

    /// A re-INVITE in an answered call: the same RTP port, a new answer.
    fn answer_reinvite(&self, request: &rsip::Request, ctx: &RequestContext) -> rsip::Response {
        let call_id = find_header(&request.headers, "Call-ID").unwrap_or_default();
        let Some((port, encryption)) = self
            .calls()
            .get(&call_id)
            .map(|c| (c.rtp_port, c.encryption.clone()))
        else {
            return error_response(
                request,
                481,
                "Call/Transaction Does Not Exist",
                "the worker has no call with this Call-ID",
                &ctx.to_tag,
            );
        };
        let offer = match parse_offer(request) {
            Ok(o) => o,
            Err(e) => return media_refusal(request, &e, &ctx.to_tag),
        };
        // The engine keeps the keys of the first offer/answer: a re-INVITE is answered with
        // the same key of ours (a peer that changes its own key is not followed).
        let mut local = LocalMedia::new(self.address, port, u64::from(port) << 16);
        local.session_version += 1;
        local.encryption = encryption;
        match negotiate(&offer, &local) {
            Ok((_, answer)) => self.ok_with_sdp(request, ctx, &answer),
            Err(e) => media_refusal(request, &e, &ctx.to_tag),
        }
    }
}

impl CallHandler for Worker {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        match (&request.method, ctx.dialog.is_some()) {
            (rsip::Method::Invite, false) => {
                let mut record =
                    call_record::base(request, SystemTime::now(), &self.fqdn, "UM worker");
                let answer = self.answer_invite(request, ctx, &mut record);
                if answer.status_code.code() >= 300 {
                    if let Some(sink) = &self.media.records {
                        sink.write(call_record::rejected(record, &answer));
                    }
                }
                HandlerResponse {
                    provisional: vec![response_to(request, 180, "Ringing", Some(&ctx.to_tag))],
                    final_response: Some(answer),
                }
            }
            (rsip::Method::Invite, true) => {
                HandlerResponse::respond(self.answer_reinvite(request, ctx))
            }
            (rsip::Method::Bye, true) => {
                let call_id = find_header(&request.headers, "Call-ID").unwrap_or_default();
                self.calls().remove(&call_id);
                HandlerResponse::not_handled()
            }
            // DTMF over INFO is accepted (and ignored); the NOTIFYs of a REFER's implicit
            // subscription (RFC 3515) are taken note of.
            (rsip::Method::Info | rsip::Method::Notify, true) => {
                HandlerResponse::respond(response_to(request, 200, "OK", Some(&ctx.to_tag)))
            }
            _ => HandlerResponse::not_handled(),
        }
    }

    fn on_ack(&self, ack: &rsip::Request, _ctx: &RequestContext) {
        let call_id = find_header(&ack.headers, "Call-ID").unwrap_or_default();
        if let Some(call) = self.calls().get_mut(&call_id) {
            if !call.acked {
                let _ = call.media.send(Control::Acked);
            }
            call.acked = true;
        }
    }

    fn on_cancelled(&self, call_id: &str) {
        self.calls().remove(call_id);
    }
}

/// What [`Worker::open_media`] opened for a call.
struct OpenedMedia {
    socket: std::net::UdpSocket,
    rtcp: std::net::UdpSocket,
    rtp_port: u16,
    encryption: Encryption,
    negotiated: crate::media::sdp::Negotiated,
    answer: SessionDescription,
}

/// Why the media of a call could not be opened: an offer we cannot take (400/488), or a
/// fault of ours (500).
enum OpenError {
    Media(MediaError),
    Other(String),
}

/// The SDP offer of an INVITE.
fn parse_offer(request: &rsip::Request) -> Result<SessionDescription, MediaError> {
    if request.body.is_empty() {
        return Err(MediaError::NoAudioStream {
            offered: vec!["(no SDP offer in the INVITE)".into()],
        });
    }
    let text = String::from_utf8_lossy(&request.body);
    SessionDescription::parse(&text)
}

/// The response to an offer we cannot take: 400 or 488, the error's phrase ("Secured dial
/// plan needs SRTP" for plain RTP on a Secured plan) and the error in a Warning.
fn media_refusal(request: &rsip::Request, e: &MediaError, tag: &str) -> rsip::Response {
    let status = e.sip_status().unwrap_or(488);
    error_response(request, status, e.sip_phrase(), &e.to_string(), tag)
}

/// The media the admitted call's dial plan asks for: SRTP with a fresh key of ours on a
/// Secured dial plan (`VoipSecurity::uses_srtp`), plain RTP otherwise.
fn media_encryption(decision: &super::decide::Decision) -> Result<Encryption, String> {
    let secured = decision
        .resolution
        .admission()
        .is_some_and(|a| a.dial_plan.voip_security.uses_srtp());
    if !secured {
        return Ok(Encryption::Plain);
    }
    MasterKey::random()
        .map(Encryption::Srtp)
        .map_err(|e| e.to_string())
}

/// Puts `body` (SDP) in `resp` with its Content-Type and Content-Length.
fn set_body(resp: &mut rsip::Response, body: Vec<u8>) {
    resp.headers
        .retain(|h| !matches!(h, rsip::Header::ContentLength(_)));
    resp.headers
        .push(rsip::Header::ContentType(rsip::headers::ContentType::new(
            "application/sdp",
        )));
    resp.headers.push(rsip::Header::ContentLength(
        rsip::headers::ContentLength::new(body.len().to_string()),
    ));
    resp.body = body;
}
