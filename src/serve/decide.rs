//! One INVITE through Exchange's decision code, as every `umctl serve` component runs it:
//! [`IncomingCall::from_request`], [`resolve_call`] (admission: the peer must be a UM IP
//! gateway) and [`route_target_with`] (the 302 Contact, with the ports serve really bound).
//! This is the path `trace-call` predicts (ARCHITECTURE.md, "One resolution path").
//!
//! It also turns a [`Rejection`] into the SIP response Exchange sends: the status, a reason
//! phrase that says why in a few words (`403 Forbidden (127.0.0.1 is not a UM IP gateway)`)
//! and the whole sentence in a Warning header. It owns no socket.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::route_cache::{RouteCache, RouteKey};
use crate::directory::lab::HostsTable;
use crate::directory::Directory;
use crate::sip::message::response_to;
use crate::sip::transport::{PeerCertificate, TransportKind};
use crate::sip::wire::warning;
use crate::um::{
    resolve_call, route_target_with, BoundPorts, IncomingCall, Rejection, Resolution, Routing,
    Stage, UmContext, UmError,
};

/// What the components share: the directory, the lab's host table and mailbox folders, the
/// ports every component bound, and the routing decisions of the current directory
/// generation.
pub struct Exchange {
    pub dir: Arc<dyn Directory>,
    pub hosts: Option<HostsTable>,
    pub mailboxes: Option<PathBuf>,
    pub ports: Arc<BoundPorts>,
    routes: RouteCache,
}

/// What a component decided for one INVITE.
pub struct Decision {
    pub call: IncomingCall,
    pub resolution: Resolution,
    pub routing: Routing,
}

impl Exchange {
    pub fn new(
        dir: Arc<dyn Directory>,
        hosts: Option<HostsTable>,
        mailboxes: Option<PathBuf>,
        ports: Arc<BoundPorts>,
    ) -> Exchange {
        Exchange {
            dir,
            hosts,
            mailboxes,
            ports,
            routes: RouteCache::new(),
        }
    }

    /// The routing [`Exchange::decide`] would give, if it is known for the directory's
    /// current generation: no directory read, no parsing beyond the cache key. `None` when
    /// it has to be decided (or the directory cannot tell whether it changed).
    pub fn cached_route(
        &self,
        request: &rsip::Request,
        peer: SocketAddr,
        transport: TransportKind,
        stage: Stage,
        certificate: Option<&PeerCertificate>,
    ) -> Option<Routing> {
        let generation = self.dir.generation()?;
        let key = RouteKey::of(request, peer.ip(), transport == TransportKind::Tls, stage)
            .with_certificate(certificate);
        self.routes.get(generation, &key)
    }

    /// What the component at `stage` does with `request`: [`Exchange::decide`]'s routing,
    /// kept for the next INVITE with the same inputs while the directory does not change.
    pub fn route(
        &self,
        request: &rsip::Request,
        peer: SocketAddr,
        transport: TransportKind,
        stage: Stage,
        certificate: Option<&PeerCertificate>,
    ) -> Result<Routing, UmError> {
        let before = self.dir.generation();
        let key = RouteKey::of(request, peer.ip(), transport == TransportKind::Tls, stage)
            .with_certificate(certificate);
        if let Some(routing) = before.and_then(|g| self.routes.get(g, &key)) {
            return Ok(routing);
        }
        let routing = self
            .decide(request, peer, transport, stage, certificate)?
            .routing;
        // Kept only when the whole decision read one generation.
        if let (Some(b), Some(a)) = (before, self.dir.generation()) {
            if a == b {
                self.routes.put(a, key, routing.clone());
            }
        }
        Ok(routing)
    }

    /// Reads `request` (from `peer` over `transport`, with the TLS `certificate` it presented)
    /// and decides what the component at `stage` does with it.
    pub fn decide(
        &self,
        request: &rsip::Request,
        peer: SocketAddr,
        transport: TransportKind,
        stage: Stage,
        certificate: Option<&PeerCertificate>,
    ) -> Result<Decision, UmError> {
        let source = peer.ip().to_string();
        let call = IncomingCall::from_request(request, &source, transport == TransportKind::Tls)?
            .with_peer_certificate(certificate.map(|c| &c[..]));
        let ctx = UmContext {
            hosts: self.hosts.as_ref(),
            mailboxes: self.mailboxes.as_deref(),
        };
        let resolution = resolve_call(self.dir.as_ref(), &call, &ctx)?;
        let routing = route_target_with(
            self.dir.as_ref(),
            &resolution,
            stage,
            &call,
            self.ports.as_ref(),
        )?;
        Ok(Decision {
            call,
            resolution,
            routing,
        })
    }
}

/// The reason phrase for a rejection: Exchange's phrase and, in parentheses, the detail up to
/// its first parenthesis (`Forbidden (127.0.0.1 is not a UM IP gateway)`).
pub fn reason_phrase(r: &Rejection) -> String {
    let short = r.detail.split(" (").next().unwrap_or_default();
    let short = short.split(", so ").next().unwrap_or_default().trim();
    let short: String = short
        .chars()
        .filter(|c| !c.is_control())
        .take(160)
        .collect();
    if short.is_empty() {
        r.phrase.to_string()
    } else {
        format!("{} ({short})", r.phrase)
    }
}

/// The response to an INVITE Exchange turns away.
pub fn reject_response(request: &rsip::Request, r: &Rejection, to_tag: &str) -> rsip::Response {
    let mut resp = response_to(request, r.status, &reason_phrase(r), Some(to_tag));
    resp.headers.push(warning(&r.detail));
    resp
}

/// A response with a reason and a Warning naming what went wrong (for errors that are not
/// Exchange rejections: an unreadable INVITE, a directory failure).
pub fn error_response(
    request: &rsip::Request,
    status: u16,
    phrase: &str,
    detail: &str,
    to_tag: &str,
) -> rsip::Response {
    let mut resp = response_to(request, status, phrase, Some(to_tag));
    resp.headers.push(warning(detail));
    resp
}

/// The status for an error while deciding: 400 for an INVITE that cannot be read, else 500.
pub fn error_status(e: &UmError) -> (u16, &'static str) {
    match e {
        UmError::Sip(_) | UmError::RequestUri { .. } => (400, "Bad Request"),
        UmError::Lookup(_) => (500, "Server Internal Error"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::um::{rejection, RejectReason};

    #[test]
    fn reason_phrase_is_short_and_names_the_source() {
        let r = rejection(
            RejectReason::UnknownGateway,
            None,
            "127.0.0.1 is not a UM IP gateway (no msExchUMIPGatewayAddress equals it), so Exchange refuses its INVITE".into(),
        );
        assert_eq!(
            reason_phrase(&r),
            "Forbidden (127.0.0.1 is not a UM IP gateway)"
        );
        let r = rejection(
            RejectReason::SecurityMismatch,
            None,
            "Incompatible security setting: the call comes over TCP, dial plan LOC801 expects TLS (it is SIPSecured or Secured)".into(),
        );
        assert_eq!(
            reason_phrase(&r),
            "Not Acceptable Here (Incompatible security setting: the call comes over TCP, dial plan LOC801 expects TLS)"
        );
        assert_eq!(
            warning("a \"b\"\r\n").to_string(),
            "Warning: 399 umctl \"a 'b'  \""
        );
    }
}
