//! RFC 3261 section 17 transactions, sans-IO: every input carries `now: Instant`, every
//! output is an [`Action`] for the caller, and nothing here touches a socket or a clock, so
//! each timer path is tested with a fake clock in microseconds (see `tests.rs`). Owns the
//! [`TransactionLayer`] (the map of live transactions by [`TransactionKey`], the deadline
//! queue, CANCEL handling per 9.2, the UAS core's 2xx retransmission per 13.3.1.4) and the four
//! state machines, one file each: `server_invite`, `server_non_invite`, `client_invite`,
//! `client_non_invite`. Does not own what responses say (the TU: the endpoint's
//! `CallHandler`), dialogs (`sip::dialog`) or sockets (`sip::transport`).
//!
//! Responses go to the address the request came from, over the transport it came on: with
//! TCP/TLS that is the connection (18.2.2), with UDP it is what RFC 3581 `rport` does and what
//! every NAT needs; the Via sent-by is not resolved.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

mod ack_wait;
pub mod action;
pub mod client_invite;
mod client_non_invite;
mod deadlines;
mod error;
pub mod key;
mod server_invite;
mod server_non_invite;
pub mod timers;

#[cfg(test)]
mod tests;

pub use action::{Action, Outcome, Role, Timer, TransactionRecord, TuEvent};
pub use client_invite::build_ack;
pub use error::TransactionError;
pub use key::{TopVia, TransactionKey, MAGIC_COOKIE};
pub use timers::Timers;

use self::ack_wait::AwaitingAck;
use self::action::Output;
use self::client_invite::ClientInvite;
use self::client_non_invite::ClientNonInvite;
use self::deadlines::{Deadline, Deadlines, Slot};
use self::server_invite::ServerInvite;
use self::server_non_invite::ServerNonInvite;
use super::ids::IdGenerator;
use super::message::{
    request_bytes, response_bytes, response_from_headers, response_headers, response_to,
};
use super::transport::TransportKind;

pub(crate) fn encode_request(req: &rsip::Request) -> Vec<u8> {
    request_bytes(req)
}

/// Who the transaction talks to, and what the log line needs.
#[derive(Clone, Debug)]
struct Meta {
    peer: SocketAddr,
    transport: TransportKind,
    method: String,
    call_id: String,
    started: Instant,
    /// The deadline last pushed to the queue (to avoid pushing it again).
    scheduled: Option<Instant>,
}

enum ServerTx {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

impl ServerTx {
    fn next_timeout(&self) -> Option<Instant> {
        match self {
            ServerTx::Invite(t) => t.next_timeout(),
            ServerTx::NonInvite(t) => t.next_timeout(),
        }
    }

    fn final_status(&self) -> Option<u16> {
        match self {
            ServerTx::Invite(t) => t.final_status(),
            ServerTx::NonInvite(t) => t.final_status(),
        }
    }
}

struct ServerEntry {
    meta: Meta,
    /// The request's headers its responses copy (not the whole request: a copy per live
    /// transaction, and some 100,000 live at 20,000 calls/s).
    headers: rsip::Headers,
    /// The To tag of our responses (so the 487 and the CANCEL's 200 use the same, 9.2).
    to_tag: Option<String>,
    tx: ServerTx,
}

enum ClientTx {
    Invite(Box<ClientInvite>),
    NonInvite(ClientNonInvite),
}

impl ClientTx {
    fn next_timeout(&self) -> Option<Instant> {
        match self {
            ClientTx::Invite(t) => t.next_timeout(),
            ClientTx::NonInvite(t) => t.next_timeout(),
        }
    }

    fn final_status(&self) -> Option<u16> {
        match self {
            ClientTx::Invite(t) => t.final_status(),
            ClientTx::NonInvite(t) => t.final_status(),
        }
    }
}

struct ClientEntry {
    meta: Meta,
    tx: ClientTx,
}

struct AckEntry {
    meta: Meta,
    wait: AwaitingAck,
}

/// Many transactions, keyed by [`TransactionKey`], driven by received messages, the TU's
/// responses and requests, and timeouts. See the module doc.
pub struct TransactionLayer {
    timers: Timers,
    ids: IdGenerator,
    /// Boxed: a table slot is the key and a pointer, not the whole entry (inserts and growth
    /// move slots).
    server: HashMap<TransactionKey, Box<ServerEntry>>,
    client: HashMap<TransactionKey, ClientEntry>,
    /// 2xx responses awaiting their ACK, by the INVITE's key.
    ack_waits: HashMap<TransactionKey, AckEntry>,
    /// (Call-ID, CSeq number) of each 2xx awaiting ACK -> the INVITE's key.
    ack_index: HashMap<(String, u32), TransactionKey>,
    /// Deadlines, earliest first; entries may be stale (checked when popped).
    deadlines: Deadlines,
}

impl TransactionLayer {
    pub fn new(timers: Timers) -> TransactionLayer {
        TransactionLayer {
            timers,
            ids: IdGenerator::new(),
            server: HashMap::new(),
            client: HashMap::new(),
            ack_waits: HashMap::new(),
            ack_index: HashMap::new(),
            deadlines: Deadlines::default(),
        }
    }

    pub fn timers(&self) -> Timers {
        self.timers
    }

    /// Live server transactions, client transactions and 2xx awaiting ACK.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.server.len(), self.client.len(), self.ack_waits.len())
    }

    /// The RFC state name of a server transaction, if it is live (for tests and diagnostics).
    pub fn server_state(&self, key: &TransactionKey) -> Option<&'static str> {
        self.server.get(key).map(|e| match &e.tx {
            ServerTx::Invite(t) => t.state_name(),
            ServerTx::NonInvite(t) => t.state_name(),
        })
    }

    /// The RFC state name of a client transaction, if it is live.
    pub fn client_state(&self, key: &TransactionKey) -> Option<&'static str> {
        self.client.get(key).map(|e| match &e.tx {
            ClientTx::Invite(t) => t.state_name(),
            ClientTx::NonInvite(t) => t.state_name(),
        })
    }

    /// A parsed, validated message from the transport.
    pub fn handle_incoming(
        &mut self,
        msg: rsip::SipMessage,
        from: SocketAddr,
        transport: TransportKind,
        now: Instant,
    ) -> Vec<Action> {
        match msg {
            rsip::SipMessage::Request(req) => self.on_request(req, from, transport, now),
            rsip::SipMessage::Response(resp) => self.on_response(resp, from, now),
        }
    }

    fn on_request(
        &mut self,
        req: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
        now: Instant,
    ) -> Vec<Action> {
        // `message::validate` has checked Via, CSeq and Call-ID; a request that still cannot
        // be keyed cannot be answered either.
        let Ok(key) = TransactionKey::for_request(&req) else {
            return Vec::new();
        };
        match req.method {
            rsip::Method::Ack => return self.on_ack(key, req, from, transport, now),
            rsip::Method::Cancel => return self.on_cancel(key, req, from, transport, now),
            _ => {}
        }
        if let Some(actions) = self.retransmitted(&key, now) {
            return actions;
        }
        let meta = Meta {
            peer: from,
            transport,
            method: req.method.to_string(),
            call_id: key::call_id(&req.headers).unwrap_or_default(),
            started: now,
            scheduled: None,
        };
        let reliable = transport.is_reliable();
        let tx = if req.method == rsip::Method::Invite {
            ServerTx::Invite(ServerInvite::new(reliable, self.timers, now))
        } else {
            ServerTx::NonInvite(ServerNonInvite::new(reliable, self.timers))
        };
        self.server.insert(
            key.clone(),
            Box::new(ServerEntry {
                meta,
                headers: response_headers(&req),
                to_tag: None,
                tx,
            }),
        );
        let mut actions = self.apply_server(&key, Vec::new(), now);
        actions.push(Action::DeliverToTu(TuEvent::Request {
            key,
            request: req,
            from,
            transport,
        }));
        actions
    }

    /// A request that an existing transaction already has, known by its key alone
    /// ([`TransactionKey::for_raw_request`]: the endpoint asks before parsing): a retransmission
    /// (`ack` false) or the ACK of a final non-2xx response. The actions are the ones
    /// [`Self::handle_incoming`] gives the parsed request; `None` when no transaction takes it
    /// this way (parse it and hand it over).
    pub fn absorb(&mut self, key: &TransactionKey, ack: bool, now: Instant) -> Option<Vec<Action>> {
        if !ack {
            return self.retransmitted(key, now);
        }
        let entry = self.server.get_mut(key)?;
        let ServerTx::Invite(tx) = &mut entry.tx else {
            return None;
        };
        if tx.final_status().is_none_or(|s| s < 300) {
            return None;
        }
        let out = tx.on_ack(now);
        Some(self.apply_server(key, out, now))
    }

    /// The answer to a retransmitted request of a live server transaction, or of an INVITE
    /// whose 2xx awaits its ACK; `None` when `key` has neither.
    fn retransmitted(&mut self, key: &TransactionKey, now: Instant) -> Option<Vec<Action>> {
        if let Some(entry) = self.server.get_mut(key) {
            let out = match &mut entry.tx {
                ServerTx::Invite(tx) => tx.on_invite(&entry.headers),
                ServerTx::NonInvite(tx) => tx.on_request(),
            };
            return Some(self.apply_server(key, out, now));
        }
        let entry = self.ack_waits.get(key)?;
        let mut out = Vec::new();
        entry.wait.on_invite(&mut out);
        let (peer, transport) = (entry.meta.peer, entry.meta.transport);
        Some(
            out.into_iter()
                .filter_map(|o| match o {
                    Output::Transmit(bytes) => Some(Action::Transmit {
                        bytes,
                        to: peer,
                        transport,
                        key: None,
                    }),
                    _ => None,
                })
                .collect(),
        )
    }

    fn on_ack(
        &mut self,
        key: TransactionKey,
        req: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
        now: Instant,
    ) -> Vec<Action> {
        if let Some(actions) = self.absorb(&key, true, now) {
            return actions;
        }
        // The ACK of a 2xx: a new transaction of its own (17.1.1.3), matched end to end.
        let call_id = key::call_id(&req.headers).unwrap_or_default();
        let cseq = key::cseq(&req.headers).map(|(n, _)| n).unwrap_or_default();
        let acknowledged = match self.ack_index.remove(&(call_id, cseq)) {
            Some(invite_key) => self.ack_waits.remove(&invite_key).is_some(),
            None => false,
        };
        vec![Action::DeliverToTu(TuEvent::Ack {
            request: req,
            from,
            transport,
            acknowledged,
        })]
    }

    fn on_cancel(
        &mut self,
        key: TransactionKey,
        req: rsip::Request,
        from: SocketAddr,
        transport: TransportKind,
        now: Instant,
    ) -> Vec<Action> {
        if let Some(entry) = self.server.get_mut(&key) {
            let out = match &mut entry.tx {
                ServerTx::Invite(tx) => tx.on_invite(&entry.headers),
                ServerTx::NonInvite(tx) => tx.on_request(),
            };
            return self.apply_server(&key, out, now);
        }
        let invite_key = key.with_method("INVITE");
        let fresh_tag = self.ids.tag();
        let mut cancelled = Vec::new();
        let (status, reason, tag) = match self.server.get_mut(&invite_key) {
            Some(entry) => {
                let tag = entry.to_tag.get_or_insert(fresh_tag).clone();
                if let ServerTx::Invite(tx) = &mut entry.tx {
                    if tx.is_proceeding() {
                        let resp = response_from_headers(
                            &entry.headers,
                            487,
                            "Request Terminated",
                            Some(&tag),
                        );
                        if let Ok(out) = tx.respond_cancelled(response_bytes(&resp), now) {
                            cancelled = out;
                        }
                    }
                }
                (200, "OK", Some(tag))
            }
            // The INVITE was answered with a 2xx: the CANCEL has no effect, but matched.
            None if self.ack_waits.contains_key(&invite_key) => (200, "OK", None),
            None => (481, "Call/Transaction Does Not Exist", None),
        };
        let meta = Meta {
            peer: from,
            transport,
            method: "CANCEL".to_string(),
            call_id: key::call_id(&req.headers).unwrap_or_default(),
            started: now,
            scheduled: None,
        };
        let response = response_to(
            &req,
            status,
            reason,
            tag.as_deref().or(Some(&self.ids.tag())),
        );
        let mut tx = ServerNonInvite::new(transport.is_reliable(), self.timers);
        let out = tx
            .respond(status, response_bytes(&response), now)
            .unwrap_or_default();
        self.server.insert(
            key.clone(),
            Box::new(ServerEntry {
                meta,
                headers: response_headers(&req),
                to_tag: tag,
                tx: ServerTx::NonInvite(tx),
            }),
        );
        // 9.2: the CANCEL is answered first, then the INVITE gets its 487.
        let mut actions = self.apply_server(&key, out, now);
        if !cancelled.is_empty() {
            actions.extend(self.apply_server(&invite_key, cancelled, now));
            actions.push(Action::DeliverToTu(TuEvent::Cancelled {
                invite: invite_key,
            }));
        }
        actions
    }

    fn on_response(&mut self, resp: rsip::Response, from: SocketAddr, now: Instant) -> Vec<Action> {
        let key = TransactionKey::for_response(&resp).ok();
        let Some((key, entry)) = key.and_then(|k| self.client.get_mut(&k).map(|e| (k, e))) else {
            return vec![Action::DeliverToTu(TuEvent::StrayResponse {
                response: resp,
                from,
            })];
        };
        let out = match &mut entry.tx {
            ClientTx::Invite(tx) => tx.on_response(resp, now),
            ClientTx::NonInvite(tx) => tx.on_response(resp, now),
        };
        self.apply_client(&key, out, now)
    }

    /// The TU answers the request of server transaction `key`. A 2xx to INVITE ends the
    /// transaction and starts the 2xx retransmission until the ACK (13.3.1.4).
    pub fn send_response(
        &mut self,
        key: &TransactionKey,
        response: rsip::Response,
        now: Instant,
    ) -> Result<Vec<Action>, TransactionError> {
        let status = response.status_code.code();
        if !(100..=699).contains(&status) {
            return Err(TransactionError::BadStatus { status });
        }
        let entry =
            self.server
                .get_mut(key)
                .ok_or_else(|| TransactionError::NoSuchTransaction {
                    key: Box::new(key.clone()),
                })?;
        let bytes = response_bytes(&response);
        let out = match &mut entry.tx {
            ServerTx::Invite(tx) => tx.respond(status, bytes.clone(), now),
            ServerTx::NonInvite(tx) => tx.respond(status, bytes.clone(), now),
        }
        .map_err(|done| TransactionError::FinalAlreadySent {
            key: Box::new(key.clone()),
            status: done,
            attempted: status,
        })?;
        if entry.to_tag.is_none() {
            entry.to_tag = key::tag(&response.headers, "To");
        }
        if matches!(entry.tx, ServerTx::Invite(_)) && (200..300).contains(&status) {
            let cseq = key::cseq(&entry.headers)
                .map(|(n, _)| n)
                .unwrap_or_default();
            let meta = Meta {
                scheduled: None,
                ..entry.meta.clone()
            };
            let wait = AwaitingAck::new(bytes, meta.call_id.clone(), cseq, &self.timers, now);
            self.ack_index
                .insert((wait.call_id.clone(), wait.cseq), key.clone());
            let due = wait.next_timeout();
            self.ack_waits.insert(key.clone(), AckEntry { meta, wait });
            self.deadlines.push(now, due, Slot::AckWait, key.clone());
        }
        Ok(self.apply_server(key, out, now))
    }

    /// Starts a client transaction for `request` (its top Via must carry a branch with the
    /// magic cookie, see `IdGenerator::branch`), sent to `to` over `transport`.
    pub fn send_request(
        &mut self,
        request: rsip::Request,
        to: SocketAddr,
        transport: TransportKind,
        now: Instant,
    ) -> Result<(TransactionKey, Vec<Action>), TransactionError> {
        if request.method == rsip::Method::Ack {
            return Err(TransactionError::NotATransactionMethod {
                method: "ACK".into(),
            });
        }
        let via = TopVia::of(&request.headers)?;
        let branch = via
            .branch
            .clone()
            .filter(|b| b.starts_with(MAGIC_COOKIE))
            .ok_or_else(|| TransactionError::NoBranch {
                via: via.raw.clone(),
            })?;
        let key = TransactionKey::Branch {
            branch,
            sent_by: via.sent_by(),
            method: request.method.to_string().to_ascii_uppercase(),
        };
        if self.client.contains_key(&key) {
            return Err(TransactionError::DuplicateClientTransaction { key: Box::new(key) });
        }
        let meta = Meta {
            peer: to,
            transport,
            method: request.method.to_string(),
            call_id: key::call_id(&request.headers)?,
            started: now,
            scheduled: None,
        };
        let bytes = request_bytes(&request);
        let reliable = transport.is_reliable();
        let (tx, out) = if request.method == rsip::Method::Invite {
            let (tx, out) = ClientInvite::new(request, bytes, reliable, self.timers, now);
            (ClientTx::Invite(Box::new(tx)), out)
        } else {
            let (tx, out) = ClientNonInvite::new(bytes, reliable, self.timers, now);
            (ClientTx::NonInvite(tx), out)
        };
        self.client.insert(key.clone(), ClientEntry { meta, tx });
        let actions = self.apply_client(&key, out, now);
        Ok((key, actions))
    }

    /// The transport could not deliver for transaction `key` (17.1.4, 17.2.4): it ends.
    pub fn transport_error(&mut self, key: &TransactionKey, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(entry) = self.server.get_mut(key) {
            let out = match &mut entry.tx {
                ServerTx::Invite(tx) => tx.on_transport_error(),
                ServerTx::NonInvite(tx) => tx.on_transport_error(),
            };
            actions.extend(self.apply_server(key, out, now));
        }
        if let Some(entry) = self.client.get_mut(key) {
            let out = match &mut entry.tx {
                ClientTx::Invite(tx) => tx.on_transport_error(),
                ClientTx::NonInvite(tx) => tx.on_transport_error(),
            };
            actions.extend(self.apply_client(key, out, now));
        }
        actions
    }

    /// When [`TransactionLayer::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Action> {
        // Everything due first: a timer that fires may queue another one due at once.
        let due: Vec<Deadline> = std::iter::from_fn(|| self.deadlines.pop_due(now)).collect();
        let mut actions = Vec::new();
        for Deadline { at, slot, key } in due {
            match slot {
                Slot::Server => {
                    let Some(entry) = self.server.get_mut(&key) else {
                        continue;
                    };
                    if entry.meta.scheduled != Some(at) {
                        continue; // stale: the transaction moved its deadline since
                    }
                    entry.meta.scheduled = None;
                    if entry.tx.next_timeout().is_some_and(|t| t <= now) {
                        let out = match &mut entry.tx {
                            ServerTx::Invite(tx) => tx.on_timeout(now, &entry.headers),
                            ServerTx::NonInvite(tx) => tx.on_timeout(now),
                        };
                        actions.extend(self.apply_server(&key, out, now));
                    } else {
                        actions.extend(self.apply_server(&key, Vec::new(), now));
                    }
                }
                Slot::Client => {
                    let Some(entry) = self.client.get_mut(&key) else {
                        continue;
                    };
                    if entry.meta.scheduled != Some(at) {
                        continue; // stale
                    }
                    entry.meta.scheduled = None;
                    let out = if entry.tx.next_timeout().is_some_and(|t| t <= now) {
                        match &mut entry.tx {
                            ClientTx::Invite(tx) => tx.on_timeout(now),
                            ClientTx::NonInvite(tx) => tx.on_timeout(now),
                        }
                    } else {
                        Vec::new()
                    };
                    actions.extend(self.apply_client(&key, out, now));
                }
                Slot::AckWait => actions.extend(self.ack_wait_timeout(&key, now)),
            }
        }
        actions
    }

    fn ack_wait_timeout(&mut self, key: &TransactionKey, now: Instant) -> Vec<Action> {
        let Some(entry) = self.ack_waits.get_mut(key) else {
            return Vec::new();
        };
        if entry.wait.next_timeout() > now {
            let due = entry.wait.next_timeout();
            self.deadlines.push(now, due, Slot::AckWait, key.clone());
            return Vec::new();
        }
        let mut out = Vec::new();
        let done = entry.wait.on_timeout(now, &mut out);
        let (peer, transport) = (entry.meta.peer, entry.meta.transport);
        let next = entry.wait.next_timeout();
        let mut actions = Vec::new();
        for o in out {
            match o {
                Output::Transmit(bytes) => actions.push(Action::Transmit {
                    bytes,
                    to: peer,
                    transport,
                    key: None,
                }),
                Output::TimedOut(timer) => actions.push(Action::TimedOut {
                    key: key.clone(),
                    timer,
                }),
                Output::Deliver(_) | Output::Terminated(_) => {}
            }
        }
        if done {
            if let Some(entry) = self.ack_waits.remove(key) {
                self.ack_index
                    .remove(&(entry.wait.call_id.clone(), entry.wait.cseq));
            }
        } else {
            self.deadlines.push(now, next, Slot::AckWait, key.clone());
        }
        actions
    }

    /// Turns a server transaction's outputs into actions, reschedules it, removes it when it
    /// ended. (Requests reach the TU from `handle_incoming`, so `Deliver` is not passed on.)
    fn apply_server(
        &mut self,
        key: &TransactionKey,
        out: Vec<Output>,
        now: Instant,
    ) -> Vec<Action> {
        let Some(entry) = self.server.get_mut(key) else {
            return Vec::new();
        };
        let (mut actions, ended) = outputs_to_actions(key, &entry.meta, out, false);
        match ended {
            Some(outcome) => {
                if let Some(entry) = self.server.remove(key) {
                    let status = entry.tx.final_status();
                    actions.push(Action::TransactionTerminated(record(
                        key,
                        Role::Server,
                        &entry.meta,
                        status,
                        outcome,
                        now,
                    )));
                }
            }
            None => {
                let next = entry.tx.next_timeout();
                reschedule(
                    &mut self.deadlines,
                    Slot::Server,
                    key,
                    &mut entry.meta,
                    next,
                    now,
                );
            }
        }
        actions
    }

    /// The same for a client transaction, whose responses go up to the TU.
    fn apply_client(
        &mut self,
        key: &TransactionKey,
        out: Vec<Output>,
        now: Instant,
    ) -> Vec<Action> {
        let Some(entry) = self.client.get_mut(key) else {
            return Vec::new();
        };
        let (mut actions, ended) = outputs_to_actions(key, &entry.meta, out, true);
        match ended {
            Some(outcome) => {
                if let Some(entry) = self.client.remove(key) {
                    let status = entry.tx.final_status();
                    actions.push(Action::TransactionTerminated(record(
                        key,
                        Role::Client,
                        &entry.meta,
                        status,
                        outcome,
                        now,
                    )));
                }
            }
            None => {
                let next = entry.tx.next_timeout();
                reschedule(
                    &mut self.deadlines,
                    Slot::Client,
                    key,
                    &mut entry.meta,
                    next,
                    now,
                );
            }
        }
        actions
    }
}

/// The actions one transaction's outputs ask for, and its outcome when it ended. Responses
/// (`Deliver`) go up to the TU only when `deliver` is set (client transactions).
fn outputs_to_actions(
    key: &TransactionKey,
    meta: &Meta,
    out: Vec<Output>,
    deliver: bool,
) -> (Vec<Action>, Option<Outcome>) {
    let mut actions = Vec::new();
    let mut ended = None;
    for o in out {
        match o {
            Output::Transmit(bytes) => actions.push(Action::Transmit {
                bytes,
                to: meta.peer,
                transport: meta.transport,
                key: Some(key.clone()),
            }),
            Output::Deliver(response) if deliver => {
                actions.push(Action::DeliverToTu(TuEvent::Response {
                    key: key.clone(),
                    response,
                }))
            }
            Output::Deliver(_) => {}
            Output::TimedOut(timer) => actions.push(Action::TimedOut {
                key: key.clone(),
                timer,
            }),
            Output::Terminated(outcome) => ended = Some(outcome),
        }
    }
    (actions, ended)
}

/// Queues a transaction's next deadline, unless that one is queued already.
fn reschedule(
    deadlines: &mut Deadlines,
    slot: Slot,
    key: &TransactionKey,
    meta: &mut Meta,
    next: Option<Instant>,
    now: Instant,
) {
    if next.is_some() && next != meta.scheduled {
        meta.scheduled = next;
        if let Some(at) = next {
            deadlines.push(now, at, slot, key.clone());
        }
    }
}

fn record(
    key: &TransactionKey,
    role: Role,
    meta: &Meta,
    status: Option<u16>,
    outcome: Outcome,
    now: Instant,
) -> TransactionRecord {
    TransactionRecord {
        key: key.clone(),
        role,
        method: meta.method.clone(),
        call_id: meta.call_id.clone(),
        peer: meta.peer,
        transport: meta.transport,
        status,
        outcome,
        started: meta.started,
        ended: now,
    }
}
