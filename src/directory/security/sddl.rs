//! SDDL text (Security Descriptor Definition Language): parsing and writing of whole
//! descriptors (`O:` `G:` `D:` `S:` parts, ACL flags `P` `AI` `AR`, `NO_ACCESS_CONTROL`), ACE
//! strings `(type;flags;rights;object_guid;inherit_object_guid;sid)` with types A, D, AU, OA,
//! OD, OU, access rights as two-letter codes or a hex mask, and SIDs as aliases or `S-1-...`.
//! Writing prefers codes and aliases as Windows does. Conditional and resource-attribute ACEs
//! are not supported. Binary encoding lives in `descriptor.rs` / `acl.rs` / `ace.rs`.

use super::ace::{AccessMask, Ace, AceFlags, AceType, Guid};
use super::acl::{Acl, AclEntry};
use super::descriptor::{Control, SecurityDescriptor};
use super::sid::Sid;
use super::SecurityError;

/// Rights codes in the order they are written (ascending bit value, generic bits last).
const RIGHTS: &[(&str, u32)] = &[
    ("CC", 0x1),
    ("DC", 0x2),
    ("LC", 0x4),
    ("SW", 0x8),
    ("RP", 0x10),
    ("WP", 0x20),
    ("DT", 0x40),
    ("LO", 0x80),
    ("CR", 0x100),
    ("SD", 0x1_0000),
    ("RC", 0x2_0000),
    ("WD", 0x4_0000),
    ("WO", 0x8_0000),
    ("GA", 0x1000_0000),
    ("GX", 0x2000_0000),
    ("GW", 0x4000_0000),
    ("GR", 0x8000_0000),
];

/// File and registry composites: accepted when reading, never written.
const READ_ONLY_RIGHTS: &[(&str, u32)] = &[
    ("FA", 0x1F_01FF),
    ("FR", 0x12_0089),
    ("FW", 0x12_0116),
    ("FX", 0x12_00A0),
    ("KA", 0xF_003F),
    ("KR", 0x2_0019),
    ("KW", 0x2_0006),
    ("KX", 0x2_0019),
];

const ACE_FLAGS: &[(&str, u8)] = &[
    ("OI", 0x1),
    ("CI", 0x2),
    ("NP", 0x4),
    ("IO", 0x8),
    ("ID", 0x10),
    ("SA", 0x40),
    ("FA", 0x80),
];

const ACE_TYPES: &[(&str, AceType)] = &[
    ("A", AceType::Allowed),
    ("D", AceType::Denied),
    ("AU", AceType::SystemAudit),
    ("OA", AceType::AllowedObject),
    ("OD", AceType::DeniedObject),
    ("OU", AceType::SystemAuditObject),
];

/// Splits `s` into two-character ASCII codes, or None when it cannot be.
fn pairs(s: &str) -> Option<Vec<String>> {
    if !s.is_ascii() || !s.len().is_multiple_of(2) {
        return None;
    }
    Some(
        s.as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).to_ascii_uppercase())
            .collect(),
    )
}

impl AccessMask {
    /// Parses SDDL rights: concatenated codes (`LCRP`), `0x` hex, or decimal. Empty means 0.
    pub fn from_sddl(s: &str) -> Result<AccessMask, SecurityError> {
        let t = s.trim();
        let bad = || SecurityError::AccessRight {
            token: s.to_string(),
        };
        if t.is_empty() {
            return Ok(AccessMask(0));
        }
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u32::from_str_radix(hex, 16)
                .ok()
                .filter(|_| !hex.starts_with('+'))
                .map(AccessMask)
                .ok_or_else(bad);
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse::<u32>().map(AccessMask).map_err(|_| bad());
        }
        let mut mask = 0;
        for code in pairs(t).ok_or_else(bad)? {
            let (_, bits) = RIGHTS
                .iter()
                .chain(READ_ONLY_RIGHTS)
                .find(|(c, _)| *c == code)
                .ok_or_else(|| SecurityError::AccessRight {
                    token: code.clone(),
                })?;
            mask |= bits;
        }
        Ok(AccessMask(mask))
    }

    /// Writes SDDL rights: codes when every set bit has one, otherwise `0x` lowercase hex of
    /// the whole mask, as Windows does; 0 is written `0x0`.
    pub fn to_sddl(self) -> String {
        let known = RIGHTS.iter().fold(0, |acc, (_, b)| acc | b);
        if self.0 == 0 || self.0 & !known != 0 {
            return format!("{:#x}", self.0);
        }
        RIGHTS
            .iter()
            .filter(|(_, b)| self.0 & b != 0)
            .map(|(c, _)| *c)
            .collect()
    }
}

impl AceFlags {
    /// Parses concatenated ACE flag codes (`CIIOID`).
    pub fn from_sddl(s: &str) -> Result<AceFlags, SecurityError> {
        let t = s.trim();
        let bad = |near: &str| SecurityError::Sddl {
            offset: 0,
            near: near.to_string(),
            expected: "ACE flags made of OI, CI, NP, IO, ID, SA, FA".to_string(),
        };
        let mut flags = 0;
        for code in pairs(t).ok_or_else(|| bad(s))? {
            let (_, bit) = ACE_FLAGS
                .iter()
                .find(|(c, _)| *c == code)
                .ok_or_else(|| bad(&code))?;
            flags |= bit;
        }
        Ok(AceFlags(flags))
    }

    /// Writes ACE flags in Windows order (OI CI NP IO ID SA FA); other bits have no SDDL code.
    pub fn to_sddl(self) -> Result<String, SecurityError> {
        let known = ACE_FLAGS.iter().fold(0, |acc, (_, b)| acc | b);
        if self.0 & !known != 0 {
            return Err(SecurityError::NotSddl {
                what: "ACE flags",
                value: u32::from(self.0),
                expected: "only OI, CI, NP, IO, ID, SA, FA bits (0x1 0x2 0x4 0x8 0x10 0x40 0x80)",
            });
        }
        Ok(ACE_FLAGS
            .iter()
            .filter(|(_, b)| self.0 & b != 0)
            .map(|(c, _)| *c)
            .collect())
    }
}

impl Ace {
    /// Parses one ACE string, with or without its parentheses.
    pub fn from_sddl(s: &str, domain: Option<&Sid>) -> Result<Ace, SecurityError> {
        let t = s.trim();
        let inner = t
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(t);
        parse_ace(inner, 0, domain)
    }

    /// Writes `(type;flags;rights;object_guid;inherit_object_guid;sid)`.
    pub fn to_sddl(&self, domain: Option<&Sid>) -> Result<String, SecurityError> {
        let ty = ACE_TYPES
            .iter()
            .find(|(_, t)| *t == self.ace_type)
            .map_or("A", |(c, _)| *c);
        let guid = |g: Option<Guid>| match g {
            Some(g) if self.ace_type.is_object() => g.to_string(),
            _ => String::new(),
        };
        Ok(format!(
            "({};{};{};{};{};{})",
            ty,
            self.flags.to_sddl()?,
            self.mask.to_sddl(),
            guid(self.object_type),
            guid(self.inherited_object_type),
            self.sid.to_sddl_token(domain)
        ))
    }
}

/// Parses the inside of `( ... )`; `base` is its offset in the whole string for errors.
fn parse_ace(inner: &str, base: usize, domain: Option<&Sid>) -> Result<Ace, SecurityError> {
    let fields: Vec<&str> = inner.split(';').collect();
    let err = |expected: &str| SecurityError::Sddl {
        offset: base,
        near: near(inner, 0),
        expected: expected.to_string(),
    };
    let [ty, flags, rights, object, inherited, sid] = fields.as_slice() else {
        return Err(err(
            "an ACE with 6 fields: type;flags;rights;object_guid;inherit_object_guid;sid",
        ));
    };
    let ty_upper = ty.trim().to_ascii_uppercase();
    let ace_type = ACE_TYPES
        .iter()
        .find(|(c, _)| *c == ty_upper)
        .map(|(_, t)| *t)
        .ok_or_else(|| err("ACE type A, D, AU, OA, OD or OU"))?;
    let flags = AceFlags::from_sddl(flags)
        .map_err(|_| err("ACE flags made of OI, CI, NP, IO, ID, SA, FA"))?;
    let mask = AccessMask::from_sddl(rights)?;
    let guid = |g: &str| -> Result<Option<Guid>, SecurityError> {
        let g = g.trim();
        if g.is_empty() {
            return Ok(None);
        }
        if !ace_type.is_object() {
            return Err(err(
                "empty GUID fields for A, D and AU ACEs (GUIDs need OA, OD or OU)",
            ));
        }
        g.parse().map(Some)
    };
    let object_type = guid(object)?;
    let inherited_object_type = guid(inherited)?;
    let sid = Sid::from_sddl(sid, domain)?;
    Ok(Ace {
        ace_type,
        flags,
        mask,
        object_type,
        inherited_object_type,
        sid,
    })
}

/// Up to 24 characters of `s` from byte `pos`, for error messages.
fn near(s: &str, pos: usize) -> String {
    s.get(pos..).unwrap_or("").chars().take(24).collect()
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    domain: Option<&'a Sid>,
}

impl<'a> Parser<'a> {
    fn err(&self, expected: &str) -> SecurityError {
        SecurityError::Sddl {
            offset: self.pos,
            near: near(self.s, self.pos),
            expected: expected.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat_ci(&mut self, word: &str) -> bool {
        let end = self.pos + word.len();
        let matched = self
            .s
            .as_bytes()
            .get(self.pos..end)
            .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()));
        if matched {
            self.pos = end;
        }
        matched
    }

    /// A SID token runs to just before the next part letter (the byte before the next ':').
    fn sid_token(&mut self) -> Result<Sid, SecurityError> {
        let rest = &self.s.as_bytes()[self.pos..];
        let end = match rest.iter().position(|&b| b == b':') {
            Some(0) => return Err(self.err("a SID alias or S-1-... string")),
            Some(colon) => self.pos + colon - 1,
            None => self.s.len(),
        };
        // `get` rather than indexing: a non-ASCII byte before the colon is not a char boundary.
        let token = self.s.get(self.pos..end).unwrap_or("").trim();
        if token.is_empty() {
            return Err(self.err("a SID alias or S-1-... string"));
        }
        let sid = Sid::from_sddl(token, self.domain)?;
        self.pos = end;
        Ok(sid)
    }

    /// ACL flags, then `( ... )` ACEs. Returns (protected, auto_inherited, auto_inherit_req,
    /// null, acl).
    fn acl(&mut self) -> Result<(bool, bool, bool, Option<Acl>), SecurityError> {
        let (mut p, mut ai, mut ar, mut null) = (false, false, false, false);
        loop {
            if self.eat_ci("NO_ACCESS_CONTROL") {
                null = true;
            } else if self.eat_ci("AI") {
                ai = true;
            } else if self.eat_ci("AR") {
                ar = true;
            } else if self.eat_ci("P") {
                p = true;
            } else {
                break;
            }
        }
        let mut aces = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() != Some(b'(') {
                break;
            }
            if null {
                return Err(self.err("no ACEs after NO_ACCESS_CONTROL"));
            }
            let start = self.pos + 1;
            let close = self.s.as_bytes()[start..]
                .iter()
                .position(|&b| b == b')')
                .map(|i| start + i)
                .ok_or_else(|| self.err("')' closing the ACE"))?;
            let inner = self.s.get(start..close).unwrap_or("");
            aces.push(parse_ace(inner, start, self.domain)?);
            self.pos = close + 1;
        }
        let acl = if null {
            None
        } else {
            Some(Acl::from_aces(aces))
        };
        Ok((p, ai, ar, acl))
    }
}

impl SecurityDescriptor {
    /// Parses SDDL text. Domain-relative aliases (DA, EA, ...) need `domain`. Parts may come in
    /// any order, each at most once; whitespace between parts and ACEs is ignored.
    pub fn from_sddl(s: &str, domain: Option<&Sid>) -> Result<SecurityDescriptor, SecurityError> {
        let mut p = Parser { s, pos: 0, domain };
        let mut sd = SecurityDescriptor::new();
        let mut seen = [false; 4];
        loop {
            p.skip_ws();
            let Some(letter) = p.peek() else { break };
            let idx = match letter.to_ascii_uppercase() {
                b'O' => 0,
                b'G' => 1,
                b'D' => 2,
                b'S' => 3,
                _ => return Err(p.err("a part O:, G:, D: or S:")),
            };
            if p.s.as_bytes().get(p.pos + 1) != Some(&b':') {
                return Err(p.err("a part O:, G:, D: or S:"));
            }
            if seen[idx] {
                return Err(p.err("each of O:, G:, D:, S: at most once"));
            }
            seen[idx] = true;
            p.pos += 2;
            match idx {
                0 => sd.owner = Some(p.sid_token()?),
                1 => sd.group = Some(p.sid_token()?),
                _ => {
                    let (prot, ai, ar, acl) = p.acl()?;
                    let (present, fp, fai, far) = if idx == 2 {
                        (
                            Control::DACL_PRESENT,
                            Control::DACL_PROTECTED,
                            Control::DACL_AUTO_INHERITED,
                            Control::DACL_AUTO_INHERIT_REQ,
                        )
                    } else {
                        (
                            Control::SACL_PRESENT,
                            Control::SACL_PROTECTED,
                            Control::SACL_AUTO_INHERITED,
                            Control::SACL_AUTO_INHERIT_REQ,
                        )
                    };
                    sd.control.set(present, true);
                    sd.control.set(fp, prot);
                    sd.control.set(fai, ai);
                    sd.control.set(far, ar);
                    if idx == 2 {
                        sd.dacl = acl;
                    } else {
                        sd.sacl = acl;
                    }
                }
            }
        }
        Ok(sd)
    }

    /// Writes SDDL in Windows order `O:G:D:S:`, with aliases (domain-relative ones when
    /// `domain` matches) and rights codes. Fails only for what SDDL cannot express: ACE types
    /// other than A, D, AU, OA, OD, OU and ACE flag bits without a code. Control bits other than
    /// the present / P / AI / AR flags are not representable and are dropped.
    pub fn to_sddl(&self, domain: Option<&Sid>) -> Result<String, SecurityError> {
        let mut out = String::new();
        if let Some(owner) = &self.owner {
            out.push_str("O:");
            out.push_str(&owner.to_sddl_token(domain));
        }
        if let Some(group) = &self.group {
            out.push_str("G:");
            out.push_str(&group.to_sddl_token(domain));
        }
        let c = self.control;
        if self.dacl.is_some() || c.contains(Control::DACL_PRESENT) {
            out.push_str("D:");
            write_acl(
                &mut out,
                self.dacl.as_ref(),
                [
                    c.contains(Control::DACL_PROTECTED),
                    c.contains(Control::DACL_AUTO_INHERIT_REQ),
                    c.contains(Control::DACL_AUTO_INHERITED),
                ],
                domain,
            )?;
        }
        if self.sacl.is_some() || c.contains(Control::SACL_PRESENT) {
            out.push_str("S:");
            write_acl(
                &mut out,
                self.sacl.as_ref(),
                [
                    c.contains(Control::SACL_PROTECTED),
                    c.contains(Control::SACL_AUTO_INHERIT_REQ),
                    c.contains(Control::SACL_AUTO_INHERITED),
                ],
                domain,
            )?;
        }
        Ok(out)
    }
}

/// `[P][AR][AI]` then the ACEs, or NO_ACCESS_CONTROL for a NULL ACL.
fn write_acl(
    out: &mut String,
    acl: Option<&Acl>,
    [p, ar, ai]: [bool; 3],
    domain: Option<&Sid>,
) -> Result<(), SecurityError> {
    for (on, code) in [(p, "P"), (ar, "AR"), (ai, "AI")] {
        if on {
            out.push_str(code);
        }
    }
    let Some(acl) = acl else {
        out.push_str("NO_ACCESS_CONTROL");
        return Ok(());
    };
    for entry in &acl.entries {
        match entry {
            AclEntry::Ace(ace) => out.push_str(&ace.to_sddl(domain)?),
            AclEntry::Raw(raw) => {
                return Err(SecurityError::NotSddl {
                    what: "ACE type",
                    value: u32::from(raw.ace_type),
                    expected: "an ACE type with an SDDL code (A, D, AU, OA, OD, OU)",
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::ace::RawAce;
    use super::super::acl::ACL_REVISION_DS;
    use super::*;
    use proptest::prelude::*;

    fn domain() -> Sid {
        "S-1-5-21-3623811015-3361044348-30300820".parse().unwrap()
    }

    #[test]
    fn rights_codes() {
        assert_eq!(AccessMask::from_sddl("LCRP").unwrap(), AccessMask(0x14));
        assert_eq!(AccessMask::from_sddl("rplc").unwrap(), AccessMask(0x14));
        assert_eq!(AccessMask(0x14).to_sddl(), "LCRP");
        assert_eq!(AccessMask(0x4).to_sddl(), "LC");
        assert_eq!(AccessMask(0xF01FF).to_sddl(), "CCDCLCSWRPWPDTLOCRSDRCWDWO");
        assert_eq!(AccessMask(0x10000000).to_sddl(), "GA");
        assert_eq!(AccessMask(0x1F01FF).to_sddl(), "0x1f01ff");
        assert_eq!(AccessMask(0).to_sddl(), "0x0");
        assert_eq!(
            AccessMask::from_sddl("0x1F01FF").unwrap(),
            AccessMask(0x1F01FF)
        );
        assert_eq!(AccessMask::from_sddl("FA").unwrap(), AccessMask(0x1F01FF));
        assert_eq!(
            AccessMask::from_sddl("983551").unwrap(),
            AccessMask(0xF01FF)
        );
        assert_eq!(AccessMask::from_sddl("").unwrap(), AccessMask(0));
        for bad in ["L", "LCX", "ZZ", "0xZZ", "0x1ffffffff", "0x+1", "é"] {
            assert!(AccessMask::from_sddl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exchucutil_aces() {
        let d = domain();
        let g = d.with_rid(1120).unwrap();
        let s = format!("(A;CI;LCRP;;;{g})");
        let ace = Ace::from_sddl(&s, Some(&d)).unwrap();
        assert_eq!(ace.flags, AceFlags::CONTAINER_INHERIT);
        assert_eq!(ace.mask, AccessMask(0x14));
        assert_eq!(ace.to_sddl(Some(&d)).unwrap(), s);
    }

    #[test]
    fn realistic_descriptor() {
        let d = domain();
        let text = "O:DAG:DAD:PAI(D;;WP;;;S-1-5-21-3623811015-3361044348-30300820-1130)\
                    (A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(A;CI;LCRP;;;S-1-5-21-3623811015-3361044348-30300820-1120)\
                    (OA;CIIO;RP;4828cc14-1437-45bc-9b07-ad6f015e5f28;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
                    (A;CIID;GA;;;EA)(A;;RPLCLORC;;;AU)S:AI(OU;CIIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)";
        let sd = SecurityDescriptor::from_sddl(text, Some(&d)).unwrap();
        assert_eq!(sd.owner, Some(d.with_rid(512).unwrap()));
        assert!(sd.is_dacl_protected());
        assert!(sd.control.contains(Control::DACL_AUTO_INHERITED));
        assert!(sd.control.contains(Control::SACL_AUTO_INHERITED));
        let dacl = sd.dacl.as_ref().unwrap();
        assert_eq!(dacl.len(), 6);
        assert_eq!(dacl.revision, ACL_REVISION_DS);
        let oa = dacl.aces().nth(3).unwrap();
        assert_eq!(oa.ace_type, AceType::AllowedObject);
        assert_eq!(
            oa.object_type.unwrap().to_string(),
            "4828cc14-1437-45bc-9b07-ad6f015e5f28"
        );
        assert_eq!(
            oa.flags,
            AceFlags::CONTAINER_INHERIT | AceFlags::INHERIT_ONLY
        );
        // Writing prefers codes and aliases; rights come back in canonical code order.
        let written = sd.to_sddl(Some(&d)).unwrap();
        assert_eq!(written, text.replace("RPLCLORC", "LCRPLORC"));
        // Through binary and back.
        let bin = sd.to_bytes().unwrap();
        let back = SecurityDescriptor::from_bytes(&bin).unwrap();
        assert_eq!(back, sd);
        assert_eq!(back.to_sddl(Some(&d)).unwrap(), written);
        // Without the domain, domain-relative SIDs are written as S- strings.
        let plain = sd.to_sddl(None).unwrap();
        assert!(plain.starts_with("O:S-1-5-21-3623811015-3361044348-30300820-512G:"));
        assert_eq!(SecurityDescriptor::from_sddl(&plain, None).unwrap(), sd);
    }

    #[test]
    fn null_dacl_whitespace_and_order() {
        let sd = SecurityDescriptor::from_sddl(" D:NO_ACCESS_CONTROL  O:SY ", None).unwrap();
        assert!(sd.dacl.is_none());
        assert!(sd.control.contains(Control::DACL_PRESENT));
        assert_eq!(sd.to_sddl(None).unwrap(), "O:SYD:NO_ACCESS_CONTROL");
        let empty = SecurityDescriptor::from_sddl("D:", None).unwrap();
        assert_eq!(empty.dacl, Some(Acl::new()));
        assert_eq!(empty.to_sddl(None).unwrap(), "D:");
        let spaced = SecurityDescriptor::from_sddl("D:P (A;;LC;;;AU) (A;;RP;;;WD)", None).unwrap();
        assert_eq!(spaced.to_sddl(None).unwrap(), "D:P(A;;LC;;;AU)(A;;RP;;;WD)");
        assert_eq!(
            SecurityDescriptor::from_sddl("", None).unwrap(),
            SecurityDescriptor::new()
        );
        let flags = SecurityDescriptor::from_sddl("D:ARAIP", None).unwrap();
        assert_eq!(flags.to_sddl(None).unwrap(), "D:PARAI");
    }

    #[test]
    fn sddl_errors() {
        let d = domain();
        let cases = [
            "X:BA",
            "O",
            "O:",
            "O:G:BA",
            "O:ZZ",
            "O:DA",
            "O:BAO:BA",
            "D:(A;;LC;;AU)",
            "D:(A;;LC;;;AU",
            "D:(X;;LC;;;AU)",
            "D:(A;XX;LC;;;AU)",
            "D:(A;;QQ;;;AU)",
            "D:(A;;LC;bf967aba-0de6-11d0-a285-00aa003049e2;;AU)",
            "D:(OA;;LC;not-a-guid;;AU)",
            "D:NO_ACCESS_CONTROL(A;;LC;;;AU)",
            "D:(A;;LC;;;AU)junk",
            "D:(A;;LC;;;S-1-5-x)",
        ];
        for c in cases {
            let r = SecurityDescriptor::from_sddl(c, None);
            assert!(r.is_err(), "{c} parsed as {r:?}");
        }
        assert!(matches!(
            SecurityDescriptor::from_sddl("O:DA", None),
            Err(SecurityError::DomainSidRequired { .. })
        ));
        assert!(SecurityDescriptor::from_sddl("O:DA", Some(&d)).is_ok());
        let e = SecurityDescriptor::from_sddl("D:(A;;LC;;;AU)junk", None).unwrap_err();
        assert!(e.to_string().contains("junk"), "{e}");
    }

    #[test]
    fn unrepresentable_is_an_error() {
        let mut sd = SecurityDescriptor::with_dacl(Acl::new());
        sd.dacl
            .as_mut()
            .unwrap()
            .entries
            .push(AclEntry::Raw(RawAce {
                ace_type: 0x11,
                flags: AceFlags(0),
                body: vec![0; 8],
            }));
        assert!(matches!(
            sd.to_sddl(None),
            Err(SecurityError::NotSddl { value: 0x11, .. })
        ));
        let ace = Ace::new(
            AceType::Allowed,
            AceFlags(0x20),
            AccessMask(4),
            Sid::everyone(),
        );
        assert!(ace.to_sddl(None).is_err());
    }

    // ---- property tests ----

    fn arb_sid() -> impl Strategy<Value = Sid> {
        let d = domain();
        prop_oneof![
            prop::sample::select(vec![
                "WD", "CO", "AU", "SY", "BA", "BU", "PS", "ED", "RU", "AN", "NS"
            ])
            .prop_map(|a| Sid::from_sddl(a, None).unwrap()),
            prop::sample::select(vec![498u32, 512, 513, 515, 517, 518, 519, 1105, 1120])
                .prop_map(move |rid| d.with_rid(rid).unwrap()),
            (0u64..(1 << 48), prop::collection::vec(any::<u32>(), 0..=15))
                .prop_map(|(a, s)| Sid::new(a, &s).unwrap()),
        ]
    }

    fn arb_ace() -> impl Strategy<Value = Ace> {
        let ty = prop::sample::select(vec![
            AceType::Allowed,
            AceType::Denied,
            AceType::SystemAudit,
            AceType::AllowedObject,
            AceType::DeniedObject,
            AceType::SystemAuditObject,
        ]);
        let mask = prop_oneof![
            any::<u32>(),
            any::<u32>().prop_map(|m| m & 0xF01FF),
            Just(0x14u32)
        ];
        (
            ty,
            any::<u8>(),
            mask,
            prop::option::of(any::<[u8; 16]>()),
            prop::option::of(any::<[u8; 16]>()),
            arb_sid(),
        )
            .prop_map(|(ace_type, flags, mask, o, i, sid)| Ace {
                ace_type,
                flags: AceFlags(flags & 0xDF),
                mask: AccessMask(mask),
                object_type: o.filter(|_| ace_type.is_object()).map(Guid),
                inherited_object_type: i.filter(|_| ace_type.is_object()).map(Guid),
                sid,
            })
    }

    fn arb_acl() -> impl Strategy<Value = Acl> {
        prop::collection::vec(arb_ace(), 0..6).prop_map(Acl::from_aces)
    }

    /// Descriptors SDDL can express exactly.
    fn arb_sd() -> impl Strategy<Value = SecurityDescriptor> {
        (
            prop::option::of(arb_sid()),
            prop::option::of(arb_sid()),
            prop::option::of(arb_acl()),
            prop::option::of(arb_acl()),
            any::<u16>(),
        )
            .prop_map(|(owner, group, dacl, sacl, bits)| {
                let mut control = Control(bits & 0x3F14) | Control::SELF_RELATIVE;
                let dacl_part = dacl.is_some() || control.contains(Control::DACL_PRESENT);
                let sacl_part = sacl.is_some() || control.contains(Control::SACL_PRESENT);
                if dacl.is_some() {
                    control.set(Control::DACL_PRESENT, true);
                }
                if sacl.is_some() {
                    control.set(Control::SACL_PRESENT, true);
                }
                if !dacl_part {
                    control.0 &= !0x1500;
                }
                if !sacl_part {
                    control.0 &= !0x2A00;
                }
                SecurityDescriptor {
                    control,
                    rm_control: 0,
                    owner,
                    group,
                    sacl,
                    dacl,
                }
            })
    }

    proptest! {
        #[test]
        fn binary_round_trip(sd in arb_sd()) {
            let bin = sd.to_bytes().unwrap();
            prop_assert_eq!(bin.len(), sd.binary_len());
            prop_assert_eq!(SecurityDescriptor::from_bytes(&bin).unwrap(), sd);
        }

        #[test]
        fn binary_sddl_binary(sd in arb_sd(), with_domain in any::<bool>()) {
            let d = domain();
            let dom = with_domain.then_some(&d);
            let bin = sd.to_bytes().unwrap();
            let parsed = SecurityDescriptor::from_bytes(&bin).unwrap();
            let text = parsed.to_sddl(dom).unwrap();
            let again = SecurityDescriptor::from_sddl(&text, dom).unwrap();
            prop_assert_eq!(again.to_bytes().unwrap(), bin, "via {}", text);
        }

        #[test]
        fn sddl_binary_sddl(sd in arb_sd()) {
            let d = domain();
            let text = sd.to_sddl(Some(&d)).unwrap();
            let parsed = SecurityDescriptor::from_sddl(&text, Some(&d)).unwrap();
            let bin = parsed.to_bytes().unwrap();
            let back = SecurityDescriptor::from_bytes(&bin).unwrap();
            prop_assert_eq!(back.to_sddl(Some(&d)).unwrap(), text);
        }

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(sd) = SecurityDescriptor::from_bytes(&bytes) {
                let bin = sd.to_bytes().unwrap();
                prop_assert_eq!(SecurityDescriptor::from_bytes(&bin).unwrap(), sd);
            }
        }

        #[test]
        fn plausible_headers_never_panic(
            control in any::<u16>(),
            offsets in prop::collection::vec(0u32..120, 4),
            body in prop::collection::vec(any::<u8>(), 0..120),
        ) {
            let mut bytes = vec![1u8, 0];
            bytes.extend_from_slice(&(control | 0x8000).to_le_bytes());
            for o in offsets {
                bytes.extend_from_slice(&o.to_le_bytes());
            }
            bytes.extend_from_slice(&body);
            if let Ok(sd) = SecurityDescriptor::from_bytes(&bytes) {
                let bin = sd.to_bytes().unwrap();
                prop_assert_eq!(SecurityDescriptor::from_bytes(&bin).unwrap(), sd);
            }
        }

        #[test]
        fn mutated_descriptors_never_panic(
            sd in arb_sd(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        ) {
            let mut bin = sd.to_bytes().unwrap();
            for (i, b) in edits {
                let at = i.index(bin.len());
                bin[at] = b;
            }
            if let Ok(sd) = SecurityDescriptor::from_bytes(&bin) {
                let bin2 = sd.to_bytes().unwrap();
                prop_assert_eq!(SecurityDescriptor::from_bytes(&bin2).unwrap(), sd);
            }
        }

        #[test]
        fn random_text_never_panics(s in "\\PC{0,60}") {
            let _ = SecurityDescriptor::from_sddl(&s, None);
        }

        #[test]
        fn sddl_alphabet_never_panics(s in "[OGDSAPIRCLNWXU0-9a-f:;()x\\- _]{0,80}") {
            let d = domain();
            if let Ok(sd) = SecurityDescriptor::from_sddl(&s, Some(&d)) {
                let text = sd.to_sddl(Some(&d)).unwrap();
                prop_assert_eq!(SecurityDescriptor::from_sddl(&text, Some(&d)).unwrap(), sd);
            }
        }
    }
}
