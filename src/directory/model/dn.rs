//! Distinguished names (RFC 4514): parsing, escaping, display and case-insensitive comparison.
//!
//! Owns `Dn`, `Rdn`, `Ava` and `DnError`. A `Dn` keeps the attribute names and values as they
//! were written (values unescaped) and a normalized key computed once at parse time, which is
//! what equality, hashing and ordering use. It does not know about the schema: attribute types
//! are compared by name only (no OID <-> name mapping) and values are compared case-insensitively
//! whatever their syntax, which is what AD does for naming attributes.
//!
//! Hand-written rather than using a crate: none of the available crates parses RFC 4514 DNs, and
//! this parser runs about a million times when the lab forest is loaded, so it avoids needless
//! allocations (one `String` per attribute name and value, one for the key).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// One attribute-value assertion, e.g. `CN=John Smith`. `value` is unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ava {
    pub attr: String,
    pub value: String,
}

/// One relative distinguished name: one AVA, or several joined by `+`.
#[derive(Clone, Debug)]
pub struct Rdn {
    avas: Vec<Ava>,
    /// Byte length of this RDN's part of the owning DN's normalized key.
    norm_len: usize,
}

/// A distinguished name: RDNs leftmost (most specific) first, plus the normalized key.
#[derive(Clone, Debug)]
pub struct Dn {
    rdns: Vec<Rdn>,
    norm: String,
}

/// Why a DN string could not be parsed. Offsets are byte offsets into `input`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnError {
    #[error("unterminated escape at offset {offset} in DN {q}: expected two hex digits or a special character after '\\'", q = crate::quote::Quoted(.input))]
    UnterminatedEscape { input: String, offset: usize },
    #[error("invalid escape '\\{found}' at offset {offset} in DN {q}: expected two hex digits or one of \" + , ; < > \\ # = space", q = crate::quote::Quoted(.input))]
    InvalidEscape {
        input: String,
        offset: usize,
        found: char,
    },
    #[error("bad hex at offset {offset} in DN {q}: expected a hex digit, found {found}", q = crate::quote::Quoted(.input))]
    BadHex {
        input: String,
        offset: usize,
        found: String,
    },
    #[error("bad '#' hex value at offset {offset} in DN {q}: expected an even number of hex digits", q = crate::quote::Quoted(.input))]
    OddHexValue { input: String, offset: usize },
    #[error("escaped bytes of the value at offset {offset} in DN {q} are not valid UTF-8", q = crate::quote::Quoted(.input))]
    InvalidUtf8 { input: String, offset: usize },
    #[error("missing '=' at offset {offset} in DN {q}: expected '=' after attribute type '{attr}', found {found}", q = crate::quote::Quoted(.input))]
    MissingEquals {
        input: String,
        offset: usize,
        attr: String,
        found: String,
    },
    #[error("empty attribute type at offset {offset} in DN {q}: expected a name such as 'CN' before '='", q = crate::quote::Quoted(.input))]
    EmptyAttributeType { input: String, offset: usize },
    #[error("invalid character '{found}' in attribute type at offset {offset} in DN {q}: expected letters, digits, '-' or '.'", q = crate::quote::Quoted(.input))]
    InvalidAttributeType {
        input: String,
        offset: usize,
        found: char,
    },
    #[error(
        "empty RDN at offset {offset} in DN {q}: expected attribute=value, found {found}", q = crate::quote::Quoted(.input))]
    EmptyRdn {
        input: String,
        offset: usize,
        found: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Escaping and normalization (shared by Display and the normalized key)
// ---------------------------------------------------------------------------------------------

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_hex_escape(out: &mut String, byte: u8) {
    out.push('\\');
    out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(byte & 0x0f)]));
}

/// Appends `value` with canonical RFC 4514 escaping: `"+,;<>\` get a backslash, a leading
/// `#` or space and a trailing space get a backslash, control characters become `\XX`.
/// With `lower`, the value is lowercased (ASCII and Unicode) on the way.
fn push_escaped(out: &mut String, value: &str, lower: bool) {
    let last = value.len().saturating_sub(1);
    for (i, c) in value.char_indices() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_ascii_control() => push_hex_escape(out, c as u8),
            c if lower && c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c if lower => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
}

fn push_ava_norm(out: &mut String, ava: &Ava) {
    for c in ava.attr.chars() {
        out.push(c.to_ascii_lowercase());
    }
    out.push('=');
    push_escaped(out, &ava.value, true);
}

/// Appends the normalized form of an RDN; multi-valued RDNs are sorted so that
/// `cn=a+sn=b` and `sn=b+cn=a` have the same key.
fn push_rdn_norm(out: &mut String, avas: &[Ava]) {
    if let [only] = avas {
        push_ava_norm(out, only);
        return;
    }
    let mut parts: Vec<String> = avas
        .iter()
        .map(|a| {
            let mut s = String::with_capacity(a.attr.len() + a.value.len() + 1);
            push_ava_norm(&mut s, a);
            s
        })
        .collect();
    parts.sort_unstable();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('+');
        }
        out.push_str(p);
    }
}

/// RFC 4514 escaping of one attribute value (original case), e.g. for building DN strings.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_escaped(&mut out, value, false);
    out
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_attr_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// RDN separators: ',' (RFC 4514) and ';' (RFC 1779, still accepted by AD).
fn is_rdn_sep(b: u8) -> bool {
    b == b',' || b == b';'
}

fn describe_at(s: &str, pos: usize) -> String {
    match s.get(pos..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("'{c}'"),
        None => "end of input".to_owned(),
    }
}

/// Decodes a BER-encoded string value (`#04...`). Returns None when it is not a string type
/// we can represent as text; the caller then keeps the `#hex` text itself as the value.
fn decode_ber_string(bytes: &[u8]) -> Option<String> {
    // OCTET STRING, UTF8String, PrintableString, T61String, IA5String.
    let (&tag, rest) = bytes.split_first()?;
    if !matches!(tag, 0x04 | 0x0C | 0x13 | 0x14 | 0x16) {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, content) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if content.len() != len {
        return None;
    }
    String::from_utf8(content.to_vec()).ok()
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn skip_spaces(&mut self) {
        while self.b.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn input(&self) -> String {
        self.s.to_owned()
    }

    fn ava(&mut self) -> Result<Ava, DnError> {
        self.skip_spaces();
        let start = self.pos;
        while self.peek().is_some_and(is_attr_byte) {
            self.pos += 1;
        }
        let attr_end = self.pos;
        if attr_end == start {
            return Err(match self.peek() {
                Some(b'=') => DnError::EmptyAttributeType {
                    input: self.input(),
                    offset: self.pos,
                },
                None | Some(b',' | b';' | b'+') => DnError::EmptyRdn {
                    input: self.input(),
                    offset: self.pos,
                    found: describe_at(self.s, self.pos),
                },
                Some(_) => DnError::InvalidAttributeType {
                    input: self.input(),
                    offset: self.pos,
                    found: self.s[self.pos..].chars().next().unwrap_or(' '),
                },
            });
        }
        self.skip_spaces();
        match self.peek() {
            Some(b'=') => self.pos += 1,
            Some(b) if b != b' ' && !is_rdn_sep(b) && b != b'+' && self.pos == attr_end => {
                return Err(DnError::InvalidAttributeType {
                    input: self.input(),
                    offset: self.pos,
                    found: self.s[self.pos..].chars().next().unwrap_or(' '),
                })
            }
            _ => {
                return Err(DnError::MissingEquals {
                    input: self.input(),
                    offset: self.pos,
                    attr: self.s[start..attr_end].to_owned(),
                    found: describe_at(self.s, self.pos),
                })
            }
        }
        let attr = self.s[start..attr_end].to_owned();
        self.skip_spaces();
        let value = if self.peek() == Some(b'#') {
            self.hex_value()?
        } else {
            self.string_value()?
        };
        Ok(Ava { attr, value })
    }

    /// `#` followed by hex digits: a BER encoding (RFC 4514 section 2.4).
    fn hex_value(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        self.pos += 1;
        let digits_start = self.pos;
        while let Some(b) = self.peek() {
            if b == b' ' || b == b'+' || is_rdn_sep(b) {
                break;
            }
            if hex_val(b).is_none() {
                return Err(DnError::BadHex {
                    input: self.input(),
                    offset: self.pos,
                    found: describe_at(self.s, self.pos),
                });
            }
            self.pos += 1;
        }
        let digits = &self.b[digits_start..self.pos];
        self.skip_spaces();
        if let Some(b) = self.peek() {
            if b != b'+' && !is_rdn_sep(b) {
                return Err(DnError::BadHex {
                    input: self.input(),
                    offset: self.pos,
                    found: describe_at(self.s, self.pos),
                });
            }
        }
        if digits.is_empty() || !digits.len().is_multiple_of(2) {
            return Err(DnError::OddHexValue {
                input: self.input(),
                offset: start,
            });
        }
        let bytes: Vec<u8> = digits
            .chunks_exact(2)
            .map(|p| (hex_val(p[0]).unwrap_or(0) << 4) | hex_val(p[1]).unwrap_or(0))
            .collect();
        Ok(decode_ber_string(&bytes)
            .unwrap_or_else(|| self.s[start..digits_start + digits.len()].to_owned()))
    }

    fn string_value(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        // Fast path: no escapes, copy the slice minus trailing (unescaped) spaces.
        while let Some(b) = self.peek() {
            match b {
                b'\\' => return self.escaped_value(start),
                b'+' => break,
                b if is_rdn_sep(b) => break,
                _ => self.pos += 1,
            }
        }
        Ok(self.s[start..self.pos].trim_end_matches(' ').to_owned())
    }

    fn escaped_value(&mut self, start: usize) -> Result<String, DnError> {
        let mut buf: Vec<u8> = Vec::with_capacity(self.pos - start + 16);
        buf.extend_from_slice(&self.b[start..self.pos]);
        // Length of buf up to the last character that is not an unescaped space.
        let mut keep = buf.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        while let Some(b) = self.peek() {
            match b {
                b'+' => break,
                b if is_rdn_sep(b) => break,
                b'\\' => {
                    let esc = self.pos;
                    let Some(c) = self.b.get(esc + 1).copied() else {
                        return Err(DnError::UnterminatedEscape {
                            input: self.input(),
                            offset: esc,
                        });
                    };
                    if let Some(hi) = hex_val(c) {
                        let Some(&c2) = self.b.get(esc + 2) else {
                            return Err(DnError::UnterminatedEscape {
                                input: self.input(),
                                offset: esc,
                            });
                        };
                        let Some(lo) = hex_val(c2) else {
                            return Err(DnError::BadHex {
                                input: self.input(),
                                offset: esc + 2,
                                found: describe_at(self.s, esc + 2),
                            });
                        };
                        buf.push((hi << 4) | lo);
                        self.pos += 3;
                    } else if c.is_ascii_punctuation() || c == b' ' {
                        // RFC 4514 specials plus any other ASCII punctuation (lenient).
                        buf.push(c);
                        self.pos += 2;
                    } else {
                        return Err(DnError::InvalidEscape {
                            input: self.input(),
                            offset: esc,
                            found: self.s[esc + 1..].chars().next().unwrap_or(' '),
                        });
                    }
                    keep = buf.len();
                }
                b => {
                    buf.push(b);
                    self.pos += 1;
                    if b != b' ' {
                        keep = buf.len();
                    }
                }
            }
        }
        buf.truncate(keep);
        String::from_utf8(buf).map_err(|_| DnError::InvalidUtf8 {
            input: self.input(),
            offset: start,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Dn
// ---------------------------------------------------------------------------------------------

impl Dn {
    /// Parses an RFC 4514 DN. Spaces around `=`, `,`, `+` are tolerated (as AD does), `;` is
    /// accepted as an RDN separator, `""` is the root DN.
    pub fn parse(s: &str) -> Result<Dn, DnError> {
        let mut p = Parser {
            s,
            b: s.as_bytes(),
            pos: 0,
        };
        p.skip_spaces();
        if p.pos == s.len() {
            return Ok(Dn::root());
        }
        let estimate = s.bytes().filter(|&b| b == b',').count() + 1;
        let mut rdns = Vec::with_capacity(estimate);
        let mut norm = String::with_capacity(s.len());
        loop {
            let mut avas = Vec::with_capacity(1);
            loop {
                avas.push(p.ava()?);
                if p.peek() == Some(b'+') {
                    p.pos += 1;
                } else {
                    break;
                }
            }
            if !rdns.is_empty() {
                norm.push(',');
            }
            let before = norm.len();
            push_rdn_norm(&mut norm, &avas);
            rdns.push(Rdn {
                avas,
                norm_len: norm.len() - before,
            });
            match p.peek() {
                None => break,
                // The parser only stops a value at a separator, '+' (handled above) or the end.
                Some(_) => p.pos += 1,
            }
        }
        Ok(Dn { rdns, norm })
    }

    /// The empty DN (root DSE).
    pub fn root() -> Dn {
        Dn {
            rdns: Vec::new(),
            norm: String::new(),
        }
    }

    /// Builds a DN from RDNs, leftmost (most specific) first.
    pub fn from_rdns(rdns: Vec<Rdn>) -> Dn {
        let mut norm = String::new();
        let mut out = Vec::with_capacity(rdns.len());
        for (i, rdn) in rdns.into_iter().enumerate() {
            if i > 0 {
                norm.push(',');
            }
            let before = norm.len();
            push_rdn_norm(&mut norm, &rdn.avas);
            out.push(Rdn {
                avas: rdn.avas,
                norm_len: norm.len() - before,
            });
        }
        Dn { rdns: out, norm }
    }

    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }

    pub fn rdns(&self) -> &[Rdn] {
        &self.rdns
    }

    /// The leftmost RDN, None for the root.
    pub fn rdn(&self) -> Option<&Rdn> {
        self.rdns.first()
    }

    /// Number of RDNs.
    pub fn len(&self) -> usize {
        self.rdns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// Byte offset in `norm` where the suffix made of `rdns[skip..]` starts.
    fn suffix_offset(&self, skip: usize) -> usize {
        if skip >= self.rdns.len() {
            return self.norm.len();
        }
        self.rdns[..skip].iter().map(|r| r.norm_len + 1).sum()
    }

    /// Byte length in `norm` of the prefix made of `rdns[..keep]` (without the trailing comma).
    fn prefix_len(&self, keep: usize) -> usize {
        if keep == 0 {
            return 0;
        }
        self.rdns[..keep].iter().map(|r| r.norm_len).sum::<usize>() + keep - 1
    }

    /// The DN one level up; None for the root.
    pub fn parent(&self) -> Option<Dn> {
        if self.rdns.is_empty() {
            return None;
        }
        Some(Dn {
            rdns: self.rdns[1..].to_vec(),
            norm: self.norm[self.suffix_offset(1)..].to_owned(),
        })
    }

    /// The normalized key of the parent, without building the parent (`None` for the root).
    pub fn parent_norm(&self) -> Option<&str> {
        if self.rdns.is_empty() {
            return None;
        }
        Some(&self.norm[self.suffix_offset(1)..])
    }

    /// Iterates over the proper ancestors, nearest first, ending with the root.
    pub fn ancestors(&self) -> impl Iterator<Item = Dn> + '_ {
        std::iter::successors(self.parent(), |d| d.parent())
    }

    /// Prepends one RDN. `value` is raw (unescaped); `attr` must be a valid attribute type.
    pub fn child(&self, attr: &str, value: &str) -> Dn {
        self.child_rdn(Rdn::new(attr, value))
    }

    /// Prepends one (possibly multi-valued) RDN.
    pub fn child_rdn(&self, rdn: Rdn) -> Dn {
        let mut norm = String::with_capacity(rdn.norm_len + 1 + self.norm.len());
        push_rdn_norm(&mut norm, &rdn.avas);
        let norm_len = norm.len();
        if !self.is_root() {
            norm.push(',');
            norm.push_str(&self.norm);
        }
        let mut rdns = Vec::with_capacity(self.rdns.len() + 1);
        rdns.push(Rdn {
            avas: rdn.avas,
            norm_len,
        });
        rdns.extend_from_slice(&self.rdns);
        Dn { rdns, norm }
    }

    /// Attribute type of the first AVA of the leftmost RDN (e.g. "CN").
    pub fn rdn_attr(&self) -> Option<&str> {
        self.rdns
            .first()
            .and_then(|r| r.avas.first())
            .map(|a| a.attr.as_str())
    }

    /// Unescaped value of the first AVA of the leftmost RDN (e.g. the "cn" value).
    pub fn rdn_value(&self) -> Option<&str> {
        self.rdns
            .first()
            .and_then(|r| r.avas.first())
            .map(|a| a.value.as_str())
    }

    /// True when `self` equals `base` or lies below it (case-insensitive).
    pub fn is_within(&self, base: &Dn) -> bool {
        base.rdns.len() <= self.rdns.len()
            && self.norm[self.suffix_offset(self.rdns.len() - base.rdns.len())..] == base.norm
    }

    /// True when `self` lies strictly below `ancestor`.
    pub fn is_descendant_of(&self, ancestor: &Dn) -> bool {
        self.rdns.len() > ancestor.rdns.len() && self.is_within(ancestor)
    }

    /// Replaces the suffix `old_base` by `new_base`; None when `self` is not within `old_base`.
    pub fn rebase(&self, old_base: &Dn, new_base: &Dn) -> Option<Dn> {
        if !self.is_within(old_base) {
            return None;
        }
        let keep = self.rdns.len() - old_base.rdns.len();
        let prefix = &self.norm[..self.prefix_len(keep)];
        let mut norm = String::with_capacity(prefix.len() + 1 + new_base.norm.len());
        norm.push_str(prefix);
        if !prefix.is_empty() && !new_base.norm.is_empty() {
            norm.push(',');
        }
        norm.push_str(&new_base.norm);
        let mut rdns = Vec::with_capacity(keep + new_base.rdns.len());
        rdns.extend_from_slice(&self.rdns[..keep]);
        rdns.extend_from_slice(&new_base.rdns);
        Some(Dn { rdns, norm })
    }

    /// Normalized key: attribute names and values lowercased, canonical escaping, no spaces
    /// around separators, AVAs of multi-valued RDNs sorted.
    pub fn norm(&self) -> &str {
        &self.norm
    }
}

impl Default for Dn {
    fn default() -> Self {
        Dn::root()
    }
}

impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{rdn}")?;
        }
        Ok(())
    }
}

impl FromStr for Dn {
    type Err = DnError;
    fn from_str(s: &str) -> Result<Dn, DnError> {
        Dn::parse(s)
    }
}

impl PartialEq for Dn {
    fn eq(&self, other: &Dn) -> bool {
        self.norm == other.norm
    }
}

impl Eq for Dn {}

impl Hash for Dn {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.norm.hash(state);
    }
}

impl PartialOrd for Dn {
    fn partial_cmp(&self, other: &Dn) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dn {
    fn cmp(&self, other: &Dn) -> Ordering {
        self.norm.cmp(&other.norm)
    }
}

impl serde::Serialize for Dn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Dn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Dn, D::Error> {
        let s = String::deserialize(deserializer)?;
        Dn::parse(&s).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Rdn / Ava
// ---------------------------------------------------------------------------------------------

impl Rdn {
    /// A single-valued RDN; `value` is raw (unescaped).
    pub fn new(attr: &str, value: &str) -> Rdn {
        Rdn::from_avas(vec![Ava::new(attr, value)])
    }

    /// A (multi-valued) RDN from AVAs. An empty list gives an RDN that displays as "".
    pub fn from_avas(avas: Vec<Ava>) -> Rdn {
        let mut norm = String::new();
        push_rdn_norm(&mut norm, &avas);
        Rdn {
            avas,
            norm_len: norm.len(),
        }
    }

    pub fn avas(&self) -> &[Ava] {
        &self.avas
    }

    /// Normalized form of this RDN alone (see `Dn::norm`).
    pub fn norm(&self) -> String {
        let mut s = String::with_capacity(self.norm_len);
        push_rdn_norm(&mut s, &self.avas);
        s
    }
}

impl PartialEq for Rdn {
    fn eq(&self, other: &Rdn) -> bool {
        self.norm_len == other.norm_len && self.norm() == other.norm()
    }
}

impl Eq for Rdn {}

impl fmt::Display for Rdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ava) in self.avas.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            write!(f, "{ava}")?;
        }
        Ok(())
    }
}

impl Ava {
    pub fn new(attr: &str, value: &str) -> Ava {
        Ava {
            attr: attr.to_owned(),
            value: value.to_owned(),
        }
    }
}

impl fmt::Display for Ava {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(self.attr.len() + self.value.len() + 3);
        s.push_str(&self.attr);
        s.push('=');
        push_escaped(&mut s, &self.value, false);
        f.write_str(&s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn dn(s: &str) -> Dn {
        Dn::parse(s).unwrap()
    }

    fn values(d: &Dn) -> Vec<(String, String)> {
        d.rdns()
            .iter()
            .flat_map(|r| r.avas().iter().map(|a| (a.attr.clone(), a.value.clone())))
            .collect()
    }

    #[test]
    fn simple_dn() {
        let d = dn("CN=John Smith,OU=Users,DC=contoso,DC=com");
        assert_eq!(d.len(), 4);
        assert_eq!(d.rdn_attr(), Some("CN"));
        assert_eq!(d.rdn_value(), Some("John Smith"));
        assert_eq!(d.norm(), "cn=john smith,ou=users,dc=contoso,dc=com");
        assert_eq!(d.to_string(), "CN=John Smith,OU=Users,DC=contoso,DC=com");
    }

    #[test]
    fn root_dn() {
        for s in ["", "   "] {
            let d = dn(s);
            assert!(d.is_root());
            assert!(d.is_empty());
            assert_eq!(d.len(), 0);
            assert_eq!(d.parent(), None);
            assert_eq!(d.rdn_value(), None);
            assert_eq!(d.to_string(), "");
        }
        assert_eq!(Dn::root(), dn(""));
        assert_eq!(Dn::default(), Dn::root());
    }

    #[test]
    fn special_character_escapes() {
        let d = dn(r#"CN=a\,b\+c\"d\\e\<f\>g\;h\=i,DC=x"#);
        assert_eq!(d.rdn_value(), Some(r#"a,b+c"d\e<f>g;h=i"#));
        assert_eq!(d.len(), 2);
        assert_eq!(d.to_string(), r#"CN=a\,b\+c\"d\\e\<f\>g\;h=i,DC=x"#);
        assert_eq!(dn(&d.to_string()), d);
    }

    #[test]
    fn leading_hash_and_spaces() {
        let d = dn(r"CN=\#hash,DC=x");
        assert_eq!(d.rdn_value(), Some("#hash"));
        assert_eq!(d.to_string(), r"CN=\#hash,DC=x");
        let d = dn(r"CN=\ lead and trail\ ,DC=x");
        assert_eq!(d.rdn_value(), Some(" lead and trail "));
        assert_eq!(d.to_string(), r"CN=\ lead and trail\ ,DC=x");
        // Trailing escaped space followed by unescaped ones: only the escaped one is kept.
        let d = dn(r"CN=a\   ,DC=x");
        assert_eq!(d.rdn_value(), Some("a "));
        // '#' in the middle needs no escape.
        assert_eq!(dn("CN=a#b").to_string(), "CN=a#b");
        // A value that is a single space.
        let d = dn(r"CN=\ ");
        assert_eq!(d.rdn_value(), Some(" "));
        assert_eq!(d.to_string(), r"CN=\ ");
    }

    #[test]
    fn hex_escapes_including_multibyte_utf8() {
        let d = dn(r"CN=Ren\C3\A9 \c3\a9,DC=x");
        assert_eq!(d.rdn_value(), Some("René é"));
        assert_eq!(d.to_string(), "CN=René é,DC=x");
        assert_eq!(dn(r"CN=\2C").rdn_value(), Some(","));
        assert_eq!(dn(r"CN=a\0Ab").rdn_value(), Some("a\nb"));
        // Control characters are displayed hex-escaped.
        assert_eq!(dn("CN=a\nb").to_string(), r"CN=a\0Ab");
        assert_eq!(dn(r"CN=a\00b").rdn_value(), Some("a\0b"));
        assert_eq!(dn("CN=a\0b").to_string(), r"CN=a\00b");
    }

    #[test]
    fn ad_deleted_object_name() {
        let d = dn(r"CN=Bob\0ADEL:4f2c2f5e-2b1a-4bd0-9d61-5d0c3d2f1a10,CN=Deleted Objects,DC=x");
        assert_eq!(
            d.rdn_value(),
            Some("Bob\nDEL:4f2c2f5e-2b1a-4bd0-9d61-5d0c3d2f1a10")
        );
        assert_eq!(dn(&d.to_string()), d);
    }

    #[test]
    fn hex_ber_values() {
        // OCTET STRING "Hi"
        let d = dn("CN=#04024869,DC=x");
        assert_eq!(d.rdn_value(), Some("Hi"));
        assert_eq!(d, dn("cn=hi,dc=x"));
        // UTF8String "é" with multi-byte content
        assert_eq!(dn("CN=#0C02C3A9").rdn_value(), Some("é"));
        // Long-form length
        let long = format!("CN=#048181{}", "41".repeat(0x81));
        assert_eq!(dn(&long).rdn_value(), Some("A".repeat(0x81).as_str()));
        // A non-string BER type keeps the hex text as the value.
        let d = dn("CN=#020105,DC=x");
        assert_eq!(d.rdn_value(), Some("#020105"));
        assert_eq!(d.to_string(), r"CN=\#020105,DC=x");
        assert_eq!(dn(&d.to_string()), d);
        // Spaces after a hex value are allowed.
        assert_eq!(dn("CN=#04024869 , DC=x").rdn_value(), Some("Hi"));
    }

    #[test]
    fn multi_valued_rdn() {
        let d = dn("CN=John+employeeNumber=42,OU=Users,DC=x");
        assert_eq!(d.len(), 3);
        let avas = d.rdns()[0].avas();
        assert_eq!(avas.len(), 2);
        assert_eq!(avas[1], Ava::new("employeeNumber", "42"));
        assert_eq!(d.rdn_attr(), Some("CN"));
        assert_eq!(d.to_string(), "CN=John+employeeNumber=42,OU=Users,DC=x");
        // Order of AVAs inside an RDN does not matter for equality.
        assert_eq!(d, dn("employeeNumber=42 + cn=JOHN,ou=users,dc=X"));
        assert_eq!(d.rdns()[0], dn("employeenumber=42+cn=john").rdns()[0]);
        assert_eq!(d.parent(), Some(dn("OU=Users,DC=x")));
    }

    #[test]
    fn whitespace_around_separators() {
        let d = dn("  CN = John Smith ,  OU=Users ;DC = x  ");
        assert_eq!(values(&d)[0], ("CN".into(), "John Smith".into()));
        assert_eq!(d, dn("CN=John Smith,OU=Users,DC=x"));
        assert_eq!(d.to_string(), "CN=John Smith,OU=Users,DC=x");
    }

    #[test]
    fn non_ascii_values_compare_case_insensitively() {
        let a = dn("CN=Ünïcödé Ñame,OU=Ærø,DC=x");
        let b = dn("cn=ünïcödé ñame,ou=ærø,dc=X");
        assert_eq!(a, b);
        assert_eq!(a.norm(), "cn=ünïcödé ñame,ou=ærø,dc=x");
        assert_eq!(a.to_string(), "CN=Ünïcödé Ñame,OU=Ærø,DC=x");
        assert_eq!(dn("CN=日本語").rdn_value(), Some("日本語"));
    }

    #[test]
    fn equality_hash_and_order_are_case_insensitive() {
        let a = dn("CN=Foo,DC=Contoso,DC=COM");
        let b = dn("cn=foo, dc=contoso, dc=com");
        let c = dn(r"cn=\46oo,dc=contoso,dc=com");
        assert_eq!(a, b);
        assert_eq!(a, c);
        let set: HashSet<Dn> = [a.clone(), b, c].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_eq!(a.cmp(&dn("cn=FOO,dc=contoso,dc=com")), Ordering::Equal);
        assert!(dn("cn=a,dc=x") < dn("cn=b,dc=x"));
        assert_ne!(a, dn("CN=Foo2,DC=Contoso,DC=COM"));
        // The original case is kept for display.
        assert_eq!(a.to_string(), "CN=Foo,DC=Contoso,DC=COM");
    }

    #[test]
    fn parent_child_rebase_within() {
        let base = dn("DC=contoso,DC=com");
        let users = base.child("OU", "Users");
        assert_eq!(users, dn("ou=users,dc=contoso,dc=com"));
        let john = users.child("CN", "Smith, John");
        assert_eq!(
            john.to_string(),
            r"CN=Smith\, John,OU=Users,DC=contoso,DC=com"
        );
        assert_eq!(john.rdn_value(), Some("Smith, John"));
        assert_eq!(john.norm(), r"cn=smith\, john,ou=users,dc=contoso,dc=com");
        assert_eq!(john.parent(), Some(users.clone()));
        assert_eq!(john.parent().unwrap().norm(), users.norm());
        assert_eq!(Dn::root().child("DC", "com").norm(), "dc=com");

        assert!(john.is_within(&base));
        assert!(john.is_within(&john));
        assert!(john.is_within(&Dn::root()));
        assert!(john.is_descendant_of(&base));
        assert!(!john.is_descendant_of(&john));
        assert!(!base.is_within(&john));
        assert!(!john.is_within(&dn("DC=fabrikam,DC=com")));
        // Suffix match must be on an RDN boundary, not a string suffix.
        assert!(!dn("CN=a,DC=xcontoso,DC=com").is_within(&base));
        assert!(!dn(r"CN=x\,DC=contoso,DC=com").is_within(&base));
        assert!(dn(r"CN=x\,DC=contoso,DC=com").is_within(&dn("dc=com")));

        let newbase = dn("DC=lab,DC=local");
        let moved = john.rebase(&base, &newbase).unwrap();
        assert_eq!(
            moved.to_string(),
            r"CN=Smith\, John,OU=Users,DC=lab,DC=local"
        );
        assert_eq!(moved, dn(r"cn=smith\, john,ou=users,dc=lab,dc=local"));
        assert_eq!(john.rebase(&newbase, &base), None);
        assert_eq!(base.rebase(&base, &newbase), Some(newbase.clone()));
        assert_eq!(
            john.rebase(&base, &Dn::root()),
            Some(dn(r"CN=Smith\, John,OU=Users"))
        );
        assert_eq!(john.rebase(&Dn::root(), &dn("DC=top")).unwrap().len(), 5);

        let anc: Vec<String> = john.ancestors().map(|d| d.to_string()).collect();
        assert_eq!(
            anc,
            [
                "OU=Users,DC=contoso,DC=com",
                "DC=contoso,DC=com",
                "DC=com",
                ""
            ]
        );
    }

    #[test]
    fn from_rdns_and_child_rdn() {
        let d = Dn::from_rdns(vec![Rdn::new("CN", "A"), Rdn::new("DC", "x")]);
        assert_eq!(d, dn("cn=a,dc=x"));
        let m = dn("DC=x").child_rdn(Rdn::from_avas(vec![
            Ava::new("CN", "b"),
            Ava::new("SN", "c"),
        ]));
        assert_eq!(m, dn("sn=c+cn=b,dc=x"));
        assert_eq!(m.parent().unwrap().norm(), "dc=x");
    }

    #[test]
    fn escape_value_helper() {
        assert_eq!(escape_value(" #a,b "), r"\ #a\,b\ ");
        assert_eq!(escape_value("#x"), r"\#x");
    }

    #[test]
    fn serde_as_display_string() {
        let d = dn(r"CN=a\,b,DC=x");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#""CN=a\\,b,DC=x""#);
        let back: Dn = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<Dn>(r#""CN""#).is_err());
    }

    fn err(s: &str) -> DnError {
        Dn::parse(s).unwrap_err()
    }

    #[test]
    fn errors_name_input_and_offset() {
        let e = err(r"CN=abc\");
        assert!(
            matches!(e, DnError::UnterminatedEscape { offset: 6, .. }),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains(r"'CN=abc\'") && msg.contains("offset 6"),
            "{msg}"
        );

        let e = err(r"CN=ab\4");
        assert!(
            matches!(e, DnError::UnterminatedEscape { offset: 5, .. }),
            "{e:?}"
        );

        let e = err("CN=a,DCx,DC=y");
        assert!(
            matches!(e, DnError::MissingEquals { offset: 8, .. }),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("missing '='") && msg.contains("'DCx'") && msg.contains("'CN=a,DCx,DC=y'"),
            "{msg}"
        );
        assert!(matches!(
            err("CN"),
            DnError::MissingEquals { offset: 2, .. }
        ));
        assert!(matches!(
            err("common name=x"),
            DnError::MissingEquals { offset: 7, .. }
        ));

        let e = err("=value,DC=x");
        assert!(
            matches!(e, DnError::EmptyAttributeType { offset: 0, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("empty attribute type at offset 0"));
        assert!(matches!(
            err("CN=a, =b"),
            DnError::EmptyAttributeType { offset: 6, .. }
        ));

        let e = err(r"CN=a\4G");
        assert!(matches!(e, DnError::BadHex { offset: 6, .. }), "{e:?}");
        assert!(e.to_string().contains("'G'"));
        assert!(matches!(err("CN=#04zz"), DnError::BadHex { offset: 6, .. }));
        assert!(matches!(
            err("CN=#040"),
            DnError::OddHexValue { offset: 3, .. }
        ));
        assert!(matches!(err("CN=#"), DnError::OddHexValue { .. }));
        assert!(matches!(
            err(r"CN=\q"),
            DnError::InvalidEscape {
                offset: 3,
                found: 'q',
                ..
            }
        ));
        assert!(matches!(
            err(r"CN=\C3"),
            DnError::InvalidUtf8 { offset: 3, .. }
        ));
        assert!(matches!(
            err("CN=a,,DC=x"),
            DnError::EmptyRdn { offset: 5, .. }
        ));
        assert!(matches!(err("CN=a,"), DnError::EmptyRdn { offset: 5, .. }));
        assert!(matches!(err(",CN=a"), DnError::EmptyRdn { offset: 0, .. }));
        assert!(matches!(err("CN=a+"), DnError::EmptyRdn { offset: 5, .. }));
        assert!(matches!(
            err("C@N=a"),
            DnError::InvalidAttributeType {
                offset: 1,
                found: '@',
                ..
            }
        ));
        assert!(matches!(
            err("(CN=a)"),
            DnError::InvalidAttributeType { offset: 0, .. }
        ));
    }

    #[test]
    fn lenient_inputs() {
        // '=' and '"' unescaped inside a value, as some tools write them.
        assert_eq!(dn("CN=a=b").rdn_value(), Some("a=b"));
        assert_eq!(dn("CN=say \"hi\"").rdn_value(), Some("say \"hi\""));
        assert_eq!(dn("CN=").rdn_value(), Some(""));
        assert_eq!(dn("2.5.4.3=x").rdn_attr(), Some("2.5.4.3"));
        assert_eq!(dn(r"CN=a\*b").rdn_value(), Some("a*b"));
    }

    fn attr_strategy() -> impl Strategy<Value = String> {
        "[A-Za-z][A-Za-z0-9-]{0,8}"
    }

    fn value_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,12}",
            "[ #,+\"\\\\<>;=a-zA-Zé日\\x00\\n]{0,10}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(
            rdns in prop::collection::vec(
                prop::collection::vec((attr_strategy(), value_strategy()), 1..3),
                0..5,
            )
        ) {
            let original = Dn::from_rdns(
                rdns.iter()
                    .map(|avas| Rdn::from_avas(avas.iter().map(|(a, v)| Ava::new(a, v)).collect()))
                    .collect(),
            );
            let text = original.to_string();
            let parsed = Dn::parse(&text).unwrap();
            prop_assert_eq!(&parsed, &original);
            prop_assert_eq!(parsed.norm(), original.norm());
            prop_assert_eq!(values(&parsed), values(&original));
            prop_assert_eq!(parsed.to_string(), text);
            // The normalized key is itself a parseable DN with the same key.
            let renorm = Dn::parse(original.norm()).unwrap();
            prop_assert_eq!(renorm.norm(), original.norm());
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Dn::parse(&s);
        }
    }

    #[test]
    #[ignore = "timing; run with --release -- --ignored"]
    fn parse_speed() {
        let s = "CN=John Smith,OU=Users,OU=Contoso Accounts,DC=contoso,DC=com";
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..1_000_000 {
            n += Dn::parse(s).unwrap().len();
        }
        eprintln!("1M parses: {:?} ({n})", t.elapsed());
    }
}
