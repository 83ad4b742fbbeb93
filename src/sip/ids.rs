//! Random identifiers SIP needs to be unique, not secret: To/From tags (RFC 3261 19.3: at
//! least 32 bits of randomness), Via branches (8.1.1.7, with the magic cookie) and Call-IDs.
//! Owns [`IdGenerator`]. No dependency on a random crate: each value is a hash, by std's
//! `RandomState` (SipHash keyed from the OS's randomness once per process, then incremented per
//! `RandomState`), of a per-generator counter and the current time; two generators never share
//! a key. 64 bits of output per value, printed in base 36. Not for anything that must resist
//! an attacker who sees earlier values (digest nonces, tokens).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// RFC 3261 8.1.1.7: branches of RFC 3261 elements start with this.
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// Produces tags, branches and Call-IDs. Cheap to share (`&self` methods).
#[derive(Debug, Default)]
pub struct IdGenerator {
    keys: RandomState,
    counter: AtomicU64,
}

impl IdGenerator {
    pub fn new() -> IdGenerator {
        IdGenerator::default()
    }

    fn next_u64(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut h = self.keys.build_hasher();
        h.write_u64(n);
        h.write_u128(nanos);
        h.finish()
    }

    /// A To/From tag: 64 random bits in base 36 (up to 13 characters).
    pub fn tag(&self) -> String {
        base36(self.next_u64())
    }

    /// The To tag a stateless answer gives `request_id` (bytes that name one request, e.g. its
    /// Via branch and Call-ID): the same for every retransmission of the request, as RFC 3261
    /// 8.2.7 asks of a stateless UAS, unguessable without this generator's key.
    pub fn stateless_tag(&self, request_id: &[u8]) -> String {
        let mut h = self.keys.build_hasher();
        h.write(request_id);
        base36(h.finish())
    }

    /// A Via branch: the magic cookie plus 128 random bits.
    pub fn branch(&self) -> String {
        format!(
            "{MAGIC_COOKIE}{}{}",
            base36(self.next_u64()),
            base36(self.next_u64())
        )
    }

    /// A Call-ID `random@host`.
    pub fn call_id(&self, host: &str) -> String {
        format!(
            "{}{}@{host}",
            base36(self.next_u64()),
            base36(self.next_u64())
        )
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_stateless_tag_is_the_same_for_the_same_request_only() {
        let ids = IdGenerator::new();
        let a = ids.stateless_tag(b"SIP/2.0/UDP h;branch=z9hG4bK1c1@h");
        assert_eq!(a, ids.stateless_tag(b"SIP/2.0/UDP h;branch=z9hG4bK1c1@h"));
        assert_ne!(a, ids.stateless_tag(b"SIP/2.0/UDP h;branch=z9hG4bK2c1@h"));
        // Another generator (another process) has another key.
        assert_ne!(
            a,
            IdGenerator::new().stateless_tag(b"SIP/2.0/UDP h;branch=z9hG4bK1c1@h")
        );
        assert!(!a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn ids_are_distinct_and_well_formed() {
        let g = IdGenerator::new();
        let tags: HashSet<String> = (0..10_000).map(|_| g.tag()).collect();
        assert_eq!(tags.len(), 10_000);
        assert!(tags.iter().all(|t| !t.is_empty() && t.len() <= 13));
        assert!(tags
            .iter()
            .all(|t| t.bytes().all(|b| b.is_ascii_alphanumeric())));
        let other = IdGenerator::new();
        assert!(!tags.contains(&other.tag()));
        assert!(g.branch().starts_with("z9hG4bK"));
        assert!(g.call_id("um.lab").ends_with("@um.lab"));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }
}
