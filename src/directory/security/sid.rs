//! Security identifiers: the `S-1-5-21-...` string form, the binary form stored in `objectSid`
//! and inside security descriptors, and the two-letter SDDL aliases (absolute ones such as `WD`,
//! `AU`, `BA` and domain-relative ones such as `DA`, `EA` that need the domain SID). It does not
//! resolve SIDs to names or look anything up in the directory.

use std::fmt;
use std::str::FromStr;

use super::bytes::{slice, u8_at};
use super::SecurityError;

/// Windows allows at most 15 sub-authorities (SID_MAX_SUB_AUTHORITIES).
pub const MAX_SUB_AUTHORITIES: usize = 15;

/// A security identifier. Revision is always 1; the identifier authority is a 48-bit value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    authority: u64,
    sub_authorities: Vec<u32>,
}

/// Absolute SDDL aliases: (alias, authority, sub-authorities).
const ABSOLUTE_ALIASES: &[(&str, u64, &[u32])] = &[
    ("WD", 1, &[0]),
    ("CO", 3, &[0]),
    ("CG", 3, &[1]),
    ("OW", 3, &[4]),
    ("NU", 5, &[2]),
    ("IU", 5, &[4]),
    ("SU", 5, &[6]),
    ("AN", 5, &[7]),
    ("ED", 5, &[9]),
    ("PS", 5, &[10]),
    ("AU", 5, &[11]),
    ("RC", 5, &[12]),
    ("WR", 5, &[33]),
    ("SY", 5, &[18]),
    ("LS", 5, &[19]),
    ("NS", 5, &[20]),
    ("BA", 5, &[32, 544]),
    ("BU", 5, &[32, 545]),
    ("BG", 5, &[32, 546]),
    ("PU", 5, &[32, 547]),
    ("AO", 5, &[32, 548]),
    ("SO", 5, &[32, 549]),
    ("PO", 5, &[32, 550]),
    ("BO", 5, &[32, 551]),
    ("RE", 5, &[32, 552]),
    ("RU", 5, &[32, 554]),
    ("RD", 5, &[32, 555]),
    ("NO", 5, &[32, 556]),
    ("MU", 5, &[32, 558]),
    ("LU", 5, &[32, 559]),
    ("IS", 5, &[32, 568]),
    ("CY", 5, &[32, 569]),
    ("ER", 5, &[32, 573]),
    ("CD", 5, &[32, 574]),
    ("RA", 5, &[32, 575]),
    ("ES", 5, &[32, 576]),
    ("MS", 5, &[32, 577]),
    ("HA", 5, &[32, 578]),
    ("AA", 5, &[32, 579]),
    ("RM", 5, &[32, 580]),
    ("UD", 5, &[84, 0, 0, 0, 0, 0]),
    ("AC", 15, &[2, 1]),
    ("AS", 18, &[1]),
    ("SS", 18, &[2]),
    ("LW", 16, &[4096]),
    ("ME", 16, &[8192]),
    ("MP", 16, &[8448]),
    ("HI", 16, &[12288]),
    ("SI", 16, &[16384]),
];

/// Domain-relative SDDL aliases: (alias, RID). SA, EA, RO and EK are really relative to the
/// forest root domain; umctl's forests have one domain, so one domain SID serves all.
const DOMAIN_ALIASES: &[(&str, u32)] = &[
    ("RO", 498),
    ("LA", 500),
    ("LG", 501),
    ("DA", 512),
    ("DU", 513),
    ("DG", 514),
    ("DC", 515),
    ("DD", 516),
    ("CA", 517),
    ("SA", 518),
    ("EA", 519),
    ("PA", 520),
    ("CN", 522),
    ("AP", 525),
    ("KA", 526),
    ("EK", 527),
    ("RS", 553),
];

impl Sid {
    /// Builds a SID from its identifier authority (48 bits) and sub-authorities (at most 15).
    pub fn new(authority: u64, sub_authorities: &[u32]) -> Result<Sid, SecurityError> {
        if authority >= 1 << 48 {
            return Err(SecurityError::SidAuthority { authority });
        }
        if sub_authorities.len() > MAX_SUB_AUTHORITIES {
            return Err(SecurityError::TooManySubAuthorities {
                count: sub_authorities.len(),
            });
        }
        Ok(Sid {
            authority,
            sub_authorities: sub_authorities.to_vec(),
        })
    }

    /// Built-in constructor for the constant tables (inputs are known valid).
    fn known(authority: u64, sub_authorities: &[u32]) -> Sid {
        Sid {
            authority,
            sub_authorities: sub_authorities.to_vec(),
        }
    }

    /// Everyone, S-1-1-0.
    pub fn everyone() -> Sid {
        Sid::known(1, &[0])
    }

    /// Authenticated Users, S-1-5-11.
    pub fn authenticated_users() -> Sid {
        Sid::known(5, &[11])
    }

    /// Local System, S-1-5-18.
    pub fn local_system() -> Sid {
        Sid::known(5, &[18])
    }

    pub fn authority(&self) -> u64 {
        self.authority
    }

    pub fn sub_authorities(&self) -> &[u32] {
        &self.sub_authorities
    }

    /// The last sub-authority (the RID of an account SID).
    pub fn rid(&self) -> Option<u32> {
        self.sub_authorities.last().copied()
    }

    /// This SID without its last sub-authority (the domain SID of an account SID).
    pub fn parent(&self) -> Option<Sid> {
        let (_, rest) = self.sub_authorities.split_last()?;
        Some(Sid::known(self.authority, rest))
    }

    /// This SID with `rid` appended (for example a domain SID plus 512 = Domain Admins).
    pub fn with_rid(&self, rid: u32) -> Result<Sid, SecurityError> {
        let mut subs = self.sub_authorities.clone();
        subs.push(rid);
        Sid::new(self.authority, &subs)
    }

    /// Size of the binary form: 8 + 4 per sub-authority.
    pub fn binary_len(&self) -> usize {
        8 + 4 * self.sub_authorities.len()
    }

    /// Binary form: revision 1, count, 6-byte big-endian authority, little-endian u32s.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.binary_len());
        self.write_to(&mut out);
        out
    }

    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        out.push(1);
        // At most 15 sub-authorities by construction.
        out.push(self.sub_authorities.len() as u8);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for sub in &self.sub_authorities {
            out.extend_from_slice(&sub.to_le_bytes());
        }
    }

    /// Parses a binary SID that fills `bytes` exactly (an `objectSid` value).
    pub fn from_bytes(bytes: &[u8]) -> Result<Sid, SecurityError> {
        let sid = Sid::read(bytes, 0)?;
        if sid.binary_len() != bytes.len() {
            return Err(SecurityError::TrailingBytes {
                what: "binary SID",
                expected: sid.binary_len(),
                actual: bytes.len(),
            });
        }
        Ok(sid)
    }

    /// Parses a binary SID starting at `offset`; trailing bytes are the caller's business.
    pub(crate) fn read(buf: &[u8], offset: usize) -> Result<Sid, SecurityError> {
        let revision = u8_at(buf, offset, "SID revision")?;
        if revision != 1 {
            return Err(SecurityError::SidRevision { offset, revision });
        }
        let count = usize::from(u8_at(buf, offset + 1, "SID sub-authority count")?);
        if count > MAX_SUB_AUTHORITIES {
            return Err(SecurityError::TooManySubAuthorities { count });
        }
        let body = slice(buf, offset, 8 + 4 * count, "SID")?;
        let mut auth = [0u8; 8];
        auth[2..].copy_from_slice(&body[2..8]);
        let sub_authorities = body[8..]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Sid {
            authority: u64::from_be_bytes(auth),
            sub_authorities,
        })
    }

    /// Parses an SDDL SID token: an alias (`BA`, `AU`, `DA`, ...) or an `S-1-...` string.
    /// Domain-relative aliases need `domain`.
    pub fn from_sddl(token: &str, domain: Option<&Sid>) -> Result<Sid, SecurityError> {
        let token = token.trim();
        if token.len() > 2 && token.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("S-")) {
            return token.parse();
        }
        let upper = token.to_ascii_uppercase();
        if let Some((_, auth, subs)) = ABSOLUTE_ALIASES.iter().find(|(a, _, _)| *a == upper) {
            return Ok(Sid::known(*auth, subs));
        }
        if let Some((_, rid)) = DOMAIN_ALIASES.iter().find(|(a, _)| *a == upper) {
            return match domain {
                Some(d) => d.with_rid(*rid),
                None => Err(SecurityError::DomainSidRequired {
                    token: token.to_string(),
                }),
            };
        }
        Err(SecurityError::UnknownSidAlias {
            token: token.to_string(),
        })
    }

    /// The SDDL token Windows would write: an alias when one exists (domain-relative aliases only
    /// when `domain` is given and matches), else the `S-1-...` string.
    pub fn to_sddl_token(&self, domain: Option<&Sid>) -> String {
        if let Some((alias, _, _)) = ABSOLUTE_ALIASES.iter().find(|(_, auth, subs)| {
            *auth == self.authority && *subs == self.sub_authorities.as_slice()
        }) {
            return (*alias).to_string();
        }
        if let (Some(domain), Some(parent), Some(rid)) = (domain, self.parent(), self.rid()) {
            if &parent == domain {
                if let Some((alias, _)) = DOMAIN_ALIASES.iter().find(|(_, r)| *r == rid) {
                    return (*alias).to_string();
                }
            }
        }
        self.to_string()
    }
}

impl fmt::Display for Sid {
    /// `S-1-<authority>-<sub>...`; authorities of 2^32 and above in hex as Windows writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.authority >= 1 << 32 {
            write!(f, "S-1-0x{:012X}", self.authority)?;
        } else {
            write!(f, "S-1-{}", self.authority)?;
        }
        for sub in &self.sub_authorities {
            write!(f, "-{sub}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sid({self})")
    }
}

impl FromStr for Sid {
    type Err = SecurityError;

    /// Parses `S-1-<authority>-<sub>...` (case-insensitive `S`; authority decimal or `0x` hex).
    fn from_str(s: &str) -> Result<Sid, SecurityError> {
        let bad = |expected| SecurityError::SidString {
            input: s.to_string(),
            expected,
        };
        let mut parts = s.split('-');
        match parts.next() {
            Some(p) if p.eq_ignore_ascii_case("S") => {}
            _ => return Err(bad("the prefix \"S-\"")),
        }
        if parts.next() != Some("1") {
            return Err(bad("revision 1 (\"S-1-\")"));
        }
        let auth_text = parts
            .next()
            .ok_or_else(|| bad("an identifier authority after \"S-1-\""))?;
        let authority = if let Some(hex) = auth_text
            .strip_prefix("0x")
            .or_else(|| auth_text.strip_prefix("0X"))
        {
            u64::from_str_radix(hex, 16).ok()
        } else if !auth_text.is_empty() && auth_text.bytes().all(|b| b.is_ascii_digit()) {
            auth_text.parse::<u64>().ok()
        } else {
            None
        }
        .filter(|a| *a < 1 << 48)
        .ok_or_else(|| bad("a decimal or 0x-hex identifier authority below 2^48"))?;
        let mut subs = Vec::new();
        for part in parts {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("decimal sub-authorities separated by '-'"));
            }
            let sub = part
                .parse::<u32>()
                .map_err(|_| bad("sub-authorities that fit in 32 bits"))?;
            subs.push(sub);
        }
        if subs.len() > MAX_SUB_AUTHORITIES {
            return Err(bad("at most 15 sub-authorities"));
        }
        Ok(Sid {
            authority,
            sub_authorities: subs,
        })
    }
}

impl serde::Serialize for Sid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Sid, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn domain() -> Sid {
        "S-1-5-21-1004336348-1177238915-682003330".parse().unwrap()
    }

    #[test]
    fn string_round_trip() {
        for s in [
            "S-1-1-0",
            "S-1-5-32-544",
            "S-1-5-21-1-2-3-1105",
            "S-1-5",
            "S-1-0x123456789ABC-7",
        ] {
            let sid: Sid = s.parse().unwrap();
            assert_eq!(sid.to_string(), s);
        }
        assert_eq!("s-1-5-18".parse::<Sid>().unwrap(), Sid::local_system());
    }

    #[test]
    fn string_errors() {
        for s in [
            "",
            "S",
            "S-2-5",
            "S-1-",
            "S-1-x",
            "S-1-5-",
            "S-1-5--1",
            "S-1-5-4294967296",
            "S-1-281474976710656",
            "X-1-5",
            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
            "S-1-5-+1",
        ] {
            assert!(s.parse::<Sid>().is_err(), "{s} should not parse");
        }
    }

    #[test]
    fn binary_layout() {
        let sid: Sid = "S-1-5-21-1-2-3-512".parse().unwrap();
        let b = sid.to_bytes();
        assert_eq!(
            b,
            [1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0]
        );
        assert_eq!(Sid::from_bytes(&b).unwrap(), sid);
        assert!(Sid::from_bytes(&b[..b.len() - 1]).is_err());
        let mut longer = b.clone();
        longer.push(0);
        assert!(Sid::from_bytes(&longer).is_err());
        let mut bad_rev = b;
        bad_rev[0] = 2;
        assert!(matches!(
            Sid::from_bytes(&bad_rev),
            Err(SecurityError::SidRevision { revision: 2, .. })
        ));
    }

    #[test]
    fn aliases() {
        let d = domain();
        let cases = [
            ("WD", "S-1-1-0"),
            ("CO", "S-1-3-0"),
            ("AU", "S-1-5-11"),
            ("SY", "S-1-5-18"),
            ("BA", "S-1-5-32-544"),
            ("BU", "S-1-5-32-545"),
            ("PS", "S-1-5-10"),
            ("ED", "S-1-5-9"),
            ("RU", "S-1-5-32-554"),
        ];
        for (alias, s) in cases {
            let sid = Sid::from_sddl(alias, None).unwrap();
            assert_eq!(sid.to_string(), s);
            assert_eq!(sid.to_sddl_token(None), alias);
            assert_eq!(sid.to_sddl_token(Some(&d)), alias);
        }
        for (alias, rid) in [
            ("DA", 512),
            ("DU", 513),
            ("DC", 515),
            ("EA", 519),
            ("SA", 518),
            ("CA", 517),
            ("RO", 498),
        ] {
            let sid = Sid::from_sddl(alias, Some(&d)).unwrap();
            assert_eq!(sid, d.with_rid(rid).unwrap());
            assert_eq!(sid.to_sddl_token(Some(&d)), alias);
            assert_eq!(sid.to_sddl_token(None), sid.to_string());
            assert!(matches!(
                Sid::from_sddl(alias, None),
                Err(SecurityError::DomainSidRequired { .. })
            ));
        }
        let other: Sid = "S-1-5-21-9-9-9-512".parse().unwrap();
        assert_eq!(other.to_sddl_token(Some(&d)), "S-1-5-21-9-9-9-512");
        assert!(matches!(
            Sid::from_sddl("ZZ", None),
            Err(SecurityError::UnknownSidAlias { .. })
        ));
        assert_eq!(
            Sid::from_sddl("S-1-5-11", None).unwrap(),
            Sid::authenticated_users()
        );
    }

    #[test]
    fn serde_as_string() {
        // serde_json is not a dependency here; check the Display path serde uses.
        let sid = domain().with_rid(1105).unwrap();
        assert_eq!(
            format!("{sid}"),
            "S-1-5-21-1004336348-1177238915-682003330-1105"
        );
        assert_eq!(
            format!("{sid:?}"),
            "Sid(S-1-5-21-1004336348-1177238915-682003330-1105)"
        );
    }

    proptest! {
        #[test]
        fn any_sid_round_trips(auth in 0u64..(1 << 48), subs in proptest::collection::vec(any::<u32>(), 0..=15)) {
            let sid = Sid::new(auth, &subs).unwrap();
            prop_assert_eq!(Sid::from_bytes(&sid.to_bytes()).unwrap(), sid.clone());
            prop_assert_eq!(sid.to_string().parse::<Sid>().unwrap(), sid.clone());
            let d = domain();
            prop_assert_eq!(Sid::from_sddl(&sid.to_sddl_token(Some(&d)), Some(&d)).unwrap(), sid);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = Sid::from_bytes(&bytes);
        }

        #[test]
        fn random_text_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Sid>();
            let _ = Sid::from_sddl(&s, None);
        }
    }
}
