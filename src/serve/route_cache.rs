//! [`RouteCache`]: what the call router and the UM service decided for an INVITE, kept per
//! `umctl serve` process so that the next INVITE with the same inputs is answered without
//! walking the directory again (a load of calls from one gateway for the same pilot and the
//! same diverted user is the common case).
//!
//! The key is everything the 302 depends on ([`RouteKey`]: the component, the peer's address,
//! TLS or not, the Request-URI as received and the raw diversion headers), and the cache
//! belongs to one directory generation ([`Directory::generation`](crate::directory::Directory::generation)):
//! when the lab forest changes (or the lab cannot tell), every entry is dropped. Only
//! [`Routing`] is kept, never the resolution (whose greeting depends on mailbox files).
//!
//! It decides nothing: [`Exchange::route`](super::Exchange::route) fills it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::sip::transport::PeerCertificate;
use crate::um::{Routing, Stage};

/// Headers whose values decide who a call was diverted from (`IncomingCall::diverted`).
pub const DIVERSION_HEADERS: [&str; 3] = ["Diversion", "CC-Diversion", "History-Info"];

/// At most this many keys; a full cache is emptied (a flood of distinct keys, such as calls
/// from many non-gateway addresses, then costs what it costs without the cache).
const CAPACITY: usize = 4096;

/// The inputs of one routing decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RouteKey {
    pub stage: Stage,
    pub peer: IpAddr,
    pub secure: bool,
    pub request_uri: String,
    /// (header name as received, value) of every diversion header, in message order.
    pub diversion: Vec<(String, String)>,
    /// The TLS certificate the peer presented (mutual TLS admission depends on it).
    pub certificate: Option<PeerCertificate>,
}

impl RouteKey {
    /// The key of `request` received from `peer` at `stage`.
    pub fn of(request: &rsip::Request, peer: IpAddr, secure: bool, stage: Stage) -> RouteKey {
        let mut diversion = Vec::new();
        for header in request.headers.iter() {
            if let rsip::Header::Other(name, value) = header {
                if DIVERSION_HEADERS
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(name))
                {
                    diversion.push((name.clone(), value.clone()));
                }
            }
        }
        RouteKey {
            stage,
            peer,
            secure,
            request_uri: request.uri.to_string(),
            diversion,
            certificate: None,
        }
    }

    /// The key with the peer's TLS certificate.
    pub fn with_certificate(mut self, certificate: Option<&PeerCertificate>) -> RouteKey {
        self.certificate = certificate.cloned();
        self
    }
}

#[derive(Default)]
struct Entries {
    generation: u64,
    routes: HashMap<RouteKey, Routing>,
}

/// Routing decisions of one directory generation.
#[derive(Default)]
pub struct RouteCache {
    entries: Mutex<Entries>,
}

impl RouteCache {
    pub fn new() -> RouteCache {
        RouteCache::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        match self.entries.lock() {
            Ok(e) => e,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The routing decided for `key` in `generation`, if any.
    pub fn get(&self, generation: u64, key: &RouteKey) -> Option<Routing> {
        let entries = self.entries();
        if entries.generation != generation {
            return None;
        }
        entries.routes.get(key).cloned()
    }

    /// Keeps `routing` for `key`, decided entirely in `generation`.
    pub fn put(&self, generation: u64, key: RouteKey, routing: Routing) {
        let mut entries = self.entries();
        if entries.generation != generation || entries.routes.len() >= CAPACITY {
            entries.routes.clear();
            entries.generation = generation;
        }
        entries.routes.insert(key, routing);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(diversion: &str) -> rsip::Request {
        let text = format!(
            "INVITE sip:LOC801@ex-cas01.contoso.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.10.1:5070;branch=z9hG4bK1\r\n\
             From: <sip:a@contoso.com>;tag=1\r\nTo: <sip:b@contoso.com>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\
             {diversion}Content-Length: 0\r\n\r\n"
        );
        match crate::sip::parse(text.as_bytes()).unwrap() {
            rsip::SipMessage::Request(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn key_holds_the_diversion_and_a_new_generation_empties_the_cache() {
        let ip: IpAddr = "127.0.10.1".parse().unwrap();
        let bob = RouteKey::of(
            &request("Diversion: <sip:bob@contoso.com>;reason=no-answer\r\n"),
            ip,
            false,
            Stage::CallRouter,
        );
        assert_eq!(bob.diversion.len(), 1, "{bob:?}");
        assert_eq!(bob.request_uri, "sip:LOC801@ex-cas01.contoso.com");
        let carol = RouteKey::of(
            &request("Diversion: <sip:carol@contoso.com>;reason=no-answer\r\n"),
            ip,
            false,
            Stage::CallRouter,
        );
        let none = RouteKey::of(&request(""), ip, false, Stage::CallRouter);
        assert_ne!(bob, carol);
        assert_ne!(bob, none);
        let secure = RouteKey {
            secure: true,
            ..bob.clone()
        };
        assert_ne!(bob, secure);

        let cache = RouteCache::new();
        cache.put(7, bob.clone(), Routing::Answer);
        assert_eq!(cache.get(7, &bob), Some(Routing::Answer));
        assert_eq!(cache.get(7, &carol), None);
        assert_eq!(cache.get(8, &bob), None);
        cache.put(8, carol.clone(), Routing::Answer);
        assert_eq!(
            cache.get(8, &bob),
            None,
            "generation 8 dropped generation 7"
        );
        assert_eq!(cache.get(8, &carol), Some(Routing::Answer));
    }
}
