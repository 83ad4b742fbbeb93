//! LDAP search filters (RFC 4515): parsing, canonical display and local evaluation.
//!
//! Owns `Filter` and `FilterError`. `Display` produces the canonical escaped text that is sent
//! to a real directory; `matches` evaluates a filter against an `Entry` with Active Directory's
//! semantics, for the lab directory. It does not know the schema (string values compare
//! case-insensitively, non-UTF-8 values byte-exactly) and does not evaluate rules that need
//! the directory itself (LDAP_MATCHING_RULE_IN_CHAIN falls back to plain equality).
//!
//! Hand-written rather than using a crate: the LDAP client's own filter parser is private to
//! it and has no evaluator; the grammar is small.

use std::cmp::Ordering;
use std::fmt;

use crate::directory::entry::{parse_i64, str_eq_ci, value_eq_ci, Entry};
use crate::directory::model::dn::Dn;

/// AD's LDAP_MATCHING_RULE_BIT_AND.
pub const RULE_BIT_AND: &str = "1.2.840.113556.1.4.803";
/// AD's LDAP_MATCHING_RULE_BIT_OR.
pub const RULE_BIT_OR: &str = "1.2.840.113556.1.4.804";
/// caseExactMatch: the only rule that compares text case-sensitively here.
const RULE_CASE_EXACT: &str = "2.5.13.5";

/// Deepest nesting accepted, so a hostile filter cannot overflow the stack.
pub const MAX_DEPTH: usize = 100;

/// A parsed search filter. `Display` round-trips through `parse` for every filter the parser
/// can produce; hand-built degenerate values do not (a `Substring` with no parts prints as a
/// presence test, `Some(empty)` initial/last or empty `any` parts vanish, an `Extensible` with
/// neither attribute nor rule, attribute names with characters outside `[A-Za-z0-9-.;_]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Equal(String, Vec<u8>),
    Present(String),
    Substring {
        attr: String,
        initial: Option<Vec<u8>>,
        any: Vec<Vec<u8>>,
        last: Option<Vec<u8>>,
    },
    GreaterOrEqual(String, Vec<u8>),
    LessOrEqual(String, Vec<u8>),
    Approx(String, Vec<u8>),
    Extensible {
        attr: Option<String>,
        rule: Option<String>,
        dn_attrs: bool,
        value: Vec<u8>,
    },
}

/// Why a filter string could not be parsed. Offsets are byte offsets into `filter`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("empty filter {q}: expected something like '(attr=value)'", q = crate::quote::Quoted(.filter))]
    Empty { filter: String },
    #[error("unbalanced parenthesis at offset {offset} in {q}: {expected}", q = crate::quote::Quoted(.filter))]
    UnbalancedParenthesis {
        filter: String,
        offset: usize,
        expected: String,
    },
    #[error("unexpected {found} at offset {offset} in {q}: expected {expected}", q = crate::quote::Quoted(.filter))]
    Unexpected {
        filter: String,
        offset: usize,
        expected: &'static str,
        found: String,
    },
    #[error("invalid escape at offset {offset} in {q}: expected two hex digits after '\\', found {found}", q = crate::quote::Quoted(.filter))]
    InvalidEscape {
        filter: String,
        offset: usize,
        found: String,
    },
    #[error(
        "filter nested too deeply at offset {offset} in {q}: expected at most {max} levels", q = crate::quote::Quoted(.filter))]
    TooDeep {
        filter: String,
        offset: usize,
        max: usize,
    },
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

/// Characters of an attribute description: name or OID plus `;options`.
fn is_attr_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b';' | b'_')
}

fn is_rule_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.')
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    /// End of the meaningful input (trailing whitespace trimmed).
    end: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            Some(self.b[self.pos])
        } else {
            None
        }
    }

    fn found(&self) -> String {
        match self
            .s
            .get(self.pos..self.end)
            .and_then(|r| r.chars().next())
        {
            Some(c) => format!("'{c}'"),
            None => "end of filter".to_owned(),
        }
    }

    fn unexpected(&self, expected: &'static str) -> FilterError {
        FilterError::Unexpected {
            filter: self.s.to_owned(),
            offset: self.pos,
            expected,
            found: self.found(),
        }
    }

    fn unbalanced(&self, expected: String) -> FilterError {
        FilterError::UnbalancedParenthesis {
            filter: self.s.to_owned(),
            offset: self.pos,
            expected,
        }
    }

    /// `"(" filtercomp ")"`
    fn filter(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth > MAX_DEPTH {
            return Err(FilterError::TooDeep {
                filter: self.s.to_owned(),
                offset: self.pos,
                max: MAX_DEPTH,
            });
        }
        let open = self.pos;
        if self.peek() != Some(b'(') {
            return Err(self.unexpected("'('"));
        }
        self.pos += 1;
        let f = self.comp(depth)?;
        match self.peek() {
            Some(b')') => {
                self.pos += 1;
                Ok(f)
            }
            None => Err(self.unbalanced(format!("expected ')' to close '(' at offset {open}"))),
            Some(_) => Err(self.unexpected("')'")),
        }
    }

    /// `and / or / not / item`
    fn comp(&mut self, depth: usize) -> Result<Filter, FilterError> {
        match self.peek() {
            Some(b'&') => {
                self.pos += 1;
                Ok(Filter::And(self.list(depth)?))
            }
            Some(b'|') => {
                self.pos += 1;
                Ok(Filter::Or(self.list(depth)?))
            }
            Some(b'!') => {
                self.pos += 1;
                if self.peek() != Some(b'(') {
                    return Err(self.unexpected("'(' after '!'"));
                }
                Ok(Filter::Not(Box::new(self.filter(depth + 1)?)))
            }
            _ => self.item(),
        }
    }

    /// `*filter` (an empty list is RFC 4526's absolute true/false).
    fn list(&mut self, depth: usize) -> Result<Vec<Filter>, FilterError> {
        let mut out = Vec::new();
        while self.peek() == Some(b'(') {
            out.push(self.filter(depth + 1)?);
        }
        Ok(out)
    }

    fn item(&mut self) -> Result<Filter, FilterError> {
        let start = self.pos;
        while self.peek().is_some_and(is_attr_byte) {
            self.pos += 1;
        }
        let attr = self.s[start..self.pos].to_owned();
        let next = self.peek();
        if attr.is_empty() && next != Some(b':') {
            return Err(self.unexpected("an attribute description"));
        }
        match (next, self.b.get(self.pos + 1).copied()) {
            (Some(b'='), _) => {
                self.pos += 1;
                self.equality_or_substring(attr)
            }
            (Some(b'~'), Some(b'=')) => {
                self.pos += 2;
                Ok(Filter::Approx(attr, self.plain_value()?))
            }
            (Some(b'>'), Some(b'=')) => {
                self.pos += 2;
                Ok(Filter::GreaterOrEqual(attr, self.plain_value()?))
            }
            (Some(b'<'), Some(b'=')) => {
                self.pos += 2;
                Ok(Filter::LessOrEqual(attr, self.plain_value()?))
            }
            (Some(b':'), _) => self.extensible(attr),
            (Some(b'~' | b'>' | b'<'), _) => {
                self.pos += 1;
                Err(self.unexpected("'='"))
            }
            _ => Err(self.unexpected("'=', '~=', '>=', '<=' or ':' after the attribute")),
        }
    }

    /// After `attr:`: `[dn:][rule:]=value`.
    fn extensible(&mut self, attr: String) -> Result<Filter, FilterError> {
        let mut dn_attrs = false;
        let mut rule: Option<String> = None;
        loop {
            // At ':'.
            self.pos += 1;
            if self.peek() == Some(b'=') {
                self.pos += 1;
                break;
            }
            let start = self.pos;
            while self.peek().is_some_and(is_rule_byte) {
                self.pos += 1;
            }
            let token = &self.s[start..self.pos];
            if token.is_empty() {
                return Err(self.unexpected("'dn', a matching rule or '=' after ':'"));
            }
            if token.eq_ignore_ascii_case("dn") && !dn_attrs && rule.is_none() {
                dn_attrs = true;
            } else if rule.is_none() {
                rule = Some(token.to_owned());
            } else {
                self.pos = start;
                return Err(self.unexpected("'=' after the matching rule"));
            }
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':'"));
            }
        }
        if attr.is_empty() && rule.is_none() {
            return Err(FilterError::Unexpected {
                filter: self.s.to_owned(),
                offset: self.pos - 2,
                expected: "a matching rule when the extensible match names no attribute",
                found: "':='".to_owned(),
            });
        }
        Ok(Filter::Extensible {
            attr: (!attr.is_empty()).then_some(attr),
            rule,
            dn_attrs,
            value: self.plain_value()?,
        })
    }

    /// Value bytes up to ')' or the end, decoding `\XX` (and, leniently, RFC 2254's `\*`,
    /// `\(`, `\)`, `\\`). With `split`, unescaped '*' separates parts; otherwise it is an error.
    fn value_parts(&mut self, split: bool) -> Result<Vec<Vec<u8>>, FilterError> {
        let mut parts = Vec::new();
        let mut cur = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b')' => break,
                b'(' => return Err(self.unexpected("a value character (write '(' as \\28)")),
                b'*' if split => {
                    parts.push(std::mem::take(&mut cur));
                    self.pos += 1;
                }
                b'*' => {
                    return Err(self.unexpected("a value character (write '*' as \\2a)"));
                }
                b'\\' => {
                    let esc = self.pos;
                    let h = self.b.get(esc + 1).copied().filter(|_| esc + 1 < self.end);
                    let l = self.b.get(esc + 2).copied().filter(|_| esc + 2 < self.end);
                    match (h.and_then(hex_val), l.and_then(hex_val)) {
                        (Some(hi), Some(lo)) => {
                            cur.push((hi << 4) | lo);
                            self.pos += 3;
                        }
                        _ if h.is_some_and(|c| matches!(c, b'*' | b'(' | b')' | b'\\')) => {
                            cur.push(h.unwrap_or(b'\\'));
                            self.pos += 2;
                        }
                        _ => {
                            self.pos = esc + 1;
                            let found = self.found();
                            self.pos = esc;
                            return Err(FilterError::InvalidEscape {
                                filter: self.s.to_owned(),
                                offset: esc,
                                found,
                            });
                        }
                    }
                }
                b => {
                    cur.push(b);
                    self.pos += 1;
                }
            }
        }
        parts.push(cur);
        Ok(parts)
    }

    fn plain_value(&mut self) -> Result<Vec<u8>, FilterError> {
        let mut parts = self.value_parts(false)?;
        Ok(parts.pop().unwrap_or_default())
    }

    fn equality_or_substring(&mut self, attr: String) -> Result<Filter, FilterError> {
        let mut parts = self.value_parts(true)?;
        if parts.len() == 1 {
            return Ok(Filter::Equal(attr, parts.pop().unwrap_or_default()));
        }
        if parts.len() == 2 && parts.iter().all(Vec::is_empty) {
            return Ok(Filter::Present(attr));
        }
        let last = parts.pop().filter(|p| !p.is_empty());
        let mut rest = parts.into_iter();
        let initial = rest.next().filter(|p| !p.is_empty());
        // "a**b" is tolerated: empty middle parts constrain nothing.
        let any: Vec<Vec<u8>> = rest.filter(|p| !p.is_empty()).collect();
        // "(cn=**)" constrains nothing at all: it is a presence test, and prints as one.
        if initial.is_none() && any.is_empty() && last.is_none() {
            return Ok(Filter::Present(attr));
        }
        Ok(Filter::Substring {
            attr,
            initial,
            any,
            last,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------------------------

/// Writes a value with RFC 4515 escaping: `*()\` and NUL always, other control characters and
/// (for non-UTF-8 values) every non-ASCII byte as `\xx`.
fn write_value(f: &mut fmt::Formatter<'_>, v: &[u8]) -> fmt::Result {
    fn escape(c: char) -> bool {
        matches!(c, '*' | '(' | ')' | '\\') || c.is_ascii_control()
    }
    match std::str::from_utf8(v) {
        Ok(s) => {
            let mut rest = s;
            while let Some(i) = rest.find(escape) {
                f.write_str(&rest[..i])?;
                write!(f, "\\{:02x}", rest.as_bytes()[i])?;
                rest = &rest[i + 1..];
            }
            f.write_str(rest)
        }
        Err(_) => {
            for &b in v {
                if b.is_ascii() && !escape(char::from(b)) {
                    write!(f, "{}", char::from(b))?;
                } else {
                    write!(f, "\\{b:02x}")?;
                }
            }
            Ok(())
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::And(list) | Filter::Or(list) => {
                f.write_str(if matches!(self, Filter::And(_)) {
                    "(&"
                } else {
                    "(|"
                })?;
                for item in list {
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Filter::Not(inner) => write!(f, "(!{inner})"),
            Filter::Equal(a, v) => simple(f, a, "=", v),
            Filter::GreaterOrEqual(a, v) => simple(f, a, ">=", v),
            Filter::LessOrEqual(a, v) => simple(f, a, "<=", v),
            Filter::Approx(a, v) => simple(f, a, "~=", v),
            Filter::Present(a) => write!(f, "({a}=*)"),
            Filter::Substring {
                attr,
                initial,
                any,
                last,
            } => {
                write!(f, "({attr}=")?;
                if let Some(i) = initial {
                    write_value(f, i)?;
                }
                f.write_str("*")?;
                for part in any {
                    write_value(f, part)?;
                    f.write_str("*")?;
                }
                if let Some(l) = last {
                    write_value(f, l)?;
                }
                f.write_str(")")
            }
            Filter::Extensible {
                attr,
                rule,
                dn_attrs,
                value,
            } => {
                f.write_str("(")?;
                if let Some(a) = attr {
                    f.write_str(a)?;
                }
                if *dn_attrs {
                    f.write_str(":dn")?;
                }
                if let Some(r) = rule {
                    write!(f, ":{r}")?;
                }
                f.write_str(":=")?;
                write_value(f, value)?;
                f.write_str(")")
            }
        }
    }
}

fn simple(f: &mut fmt::Formatter<'_>, attr: &str, op: &str, v: &[u8]) -> fmt::Result {
    write!(f, "({attr}{op}")?;
    write_value(f, v)?;
    f.write_str(")")
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// Orders an entry value against an assertion: as integers when both parse as i64, else as
/// case-folded text, else as bytes.
fn compare_values(value: &[u8], assertion: &[u8]) -> Ordering {
    match (std::str::from_utf8(value), std::str::from_utf8(assertion)) {
        (Ok(v), Ok(a)) => match (v.trim().parse::<i64>(), a.trim().parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => v
                .chars()
                .flat_map(char::to_lowercase)
                .cmp(a.chars().flat_map(char::to_lowercase)),
        },
        _ => value.cmp(assertion),
    }
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn substring_bytes(
    value: &[u8],
    initial: Option<&[u8]>,
    any: &[&[u8]],
    last: Option<&[u8]>,
) -> bool {
    let mut rest = value;
    if let Some(i) = initial {
        match rest.strip_prefix(i) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    for part in any {
        match find_bytes(rest, part) {
            Some(p) => rest = &rest[p + part.len()..],
            None => return false,
        }
    }
    last.is_none_or(|l| rest.ends_with(l))
}

/// Lowercases text (callers check it is UTF-8; anything else is returned unchanged).
fn fold(v: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(v) {
        Ok(s) => s.to_lowercase().into_bytes(),
        Err(_) => v.to_vec(),
    }
}

fn substring_match(
    value: &[u8],
    initial: Option<&Vec<u8>>,
    any: &[Vec<u8>],
    last: Option<&Vec<u8>>,
) -> bool {
    let all_text = std::str::from_utf8(value).is_ok()
        && initial.is_none_or(|i| std::str::from_utf8(i).is_ok())
        && any.iter().all(|p| std::str::from_utf8(p).is_ok())
        && last.is_none_or(|l| std::str::from_utf8(l).is_ok());
    if !all_text {
        // Something is binary: compare raw bytes.
        let any: Vec<&[u8]> = any.iter().map(Vec::as_slice).collect();
        return substring_bytes(
            value,
            initial.map(Vec::as_slice),
            &any,
            last.map(Vec::as_slice),
        );
    }
    // Text compares case-folded (UTF-8 stays self-synchronizing, so byte search is safe).
    let v = fold(value);
    let i = initial.map(|i| fold(i));
    let a: Vec<Vec<u8>> = any.iter().map(|p| fold(p)).collect();
    let l = last.map(|l| fold(l));
    let a: Vec<&[u8]> = a.iter().map(Vec::as_slice).collect();
    substring_bytes(&v, i.as_deref(), &a, l.as_deref())
}

/// Value of the first AVA of a DN-valued attribute value (or the value itself if it is not a
/// DN); cheap path for the common unescaped case.
fn first_rdn_value(v: &str) -> Option<String> {
    let Some(eq) = v.find('=') else {
        return Some(v.trim().to_owned());
    };
    let rest = &v[eq + 1..];
    if !rest.contains('\\') {
        let end = rest.find([',', '+', ';']).unwrap_or(rest.len());
        return Some(rest[..end].trim().to_owned());
    }
    Dn::parse(v).ok()?.rdn_value().map(str::to_owned)
}

fn is_object_category(attr: &str) -> bool {
    attr.eq_ignore_ascii_case("objectCategory")
}

/// objectCategory short names ("person") are not DNs; AD translates them.
fn is_short_category(value: &[u8]) -> bool {
    !value.contains(&b'=')
}

fn int_of(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v).ok().and_then(parse_i64)
}

impl Filter {
    /// Parses RFC 4515 text. A bare item or composite without the outer parentheses
    /// (`cn=foo`, `&(a=b)(c=d)`) is accepted; leading/trailing whitespace is ignored.
    pub fn parse(s: &str) -> Result<Filter, FilterError> {
        let b = s.as_bytes();
        let start = b.iter().position(|c| !c.is_ascii_whitespace());
        let Some(start) = start else {
            return Err(FilterError::Empty {
                filter: s.to_owned(),
            });
        };
        let end = b
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(start, |e| e + 1);
        let mut p = Parser {
            s,
            b,
            pos: start,
            end,
        };
        let f = if b[start] == b'(' {
            p.filter(0)?
        } else {
            p.comp(0)?
        };
        match p.peek() {
            None => Ok(f),
            Some(b')') => Err(p.unbalanced("unexpected ')' with no matching '('".to_owned())),
            Some(_) => Err(p.unexpected("end of filter")),
        }
    }

    /// `(attr=value)` with a text value.
    pub fn eq(attr: &str, value: &str) -> Filter {
        Filter::Equal(attr.to_owned(), value.as_bytes().to_vec())
    }

    /// `(attr=value)` with a binary value.
    pub fn eq_bytes(attr: &str, value: &[u8]) -> Filter {
        Filter::Equal(attr.to_owned(), value.to_vec())
    }

    pub fn and(items: Vec<Filter>) -> Filter {
        Filter::And(items)
    }

    pub fn or(items: Vec<Filter>) -> Filter {
        Filter::Or(items)
    }

    // The spec names this constructor `not`; `!filter` via `std::ops::Not` works too.
    #[allow(clippy::should_implement_trait)]
    pub fn not(inner: Filter) -> Filter {
        Filter::Not(Box::new(inner))
    }

    pub fn present(attr: &str) -> Filter {
        Filter::Present(attr.to_owned())
    }

    /// `(attr:1.2.840.113556.1.4.803:=mask)`: all bits of `mask` set.
    pub fn bits_all(attr: &str, mask: i64) -> Filter {
        Filter::Extensible {
            attr: Some(attr.to_owned()),
            rule: Some(RULE_BIT_AND.to_owned()),
            dn_attrs: false,
            value: mask.to_string().into_bytes(),
        }
    }

    /// `(attr:1.2.840.113556.1.4.804:=mask)`: any bit of `mask` set.
    pub fn bits_any(attr: &str, mask: i64) -> Filter {
        Filter::Extensible {
            attr: Some(attr.to_owned()),
            rule: Some(RULE_BIT_OR.to_owned()),
            dn_attrs: false,
            value: mask.to_string().into_bytes(),
        }
    }

    /// Local evaluation with AD semantics (see the spec): attribute names case-insensitive,
    /// text values case-insensitive, binary values byte-exact, multi-valued attributes match
    /// when any value does. An absent attribute makes an item false (so `!` of it is true).
    pub fn matches(&self, entry: &Entry) -> bool {
        match self {
            Filter::And(list) => list.iter().all(|f| f.matches(entry)),
            Filter::Or(list) => list.iter().any(|f| f.matches(entry)),
            Filter::Not(inner) => !inner.matches(entry),
            Filter::Present(attr) => {
                // Every AD object has an objectClass: `(objectClass=*)` is AD's "match all".
                entry.has(attr) || attr.eq_ignore_ascii_case("objectClass")
            }
            Filter::Equal(attr, v) => {
                if is_object_category(attr) && is_short_category(v) {
                    return Self::category_matches(entry, v);
                }
                entry.values(attr).iter().any(|x| value_eq_ci(x, v))
            }
            Filter::Approx(attr, v) => entry.values(attr).iter().any(|x| value_eq_ci(x, v)),
            Filter::GreaterOrEqual(attr, v) => entry
                .values(attr)
                .iter()
                .any(|x| compare_values(x, v) != Ordering::Less),
            Filter::LessOrEqual(attr, v) => entry
                .values(attr)
                .iter()
                .any(|x| compare_values(x, v) != Ordering::Greater),
            Filter::Substring {
                attr,
                initial,
                any,
                last,
            } => entry
                .values(attr)
                .iter()
                .any(|x| substring_match(x, initial.as_ref(), any, last.as_ref())),
            Filter::Extensible {
                attr,
                rule,
                dn_attrs,
                value,
            } => {
                Self::extensible_matches(entry, attr.as_deref(), rule.as_deref(), *dn_attrs, value)
            }
        }
    }

    /// AD's short-name translation for `objectCategory=x` when x is not a DN.
    fn category_matches(entry: &Entry, short: &[u8]) -> bool {
        let Ok(short) = std::str::from_utf8(short) else {
            return false;
        };
        let short = short.trim();
        entry
            .str_values("objectCategory")
            .any(|c| first_rdn_value(c).is_some_and(|rv| str_eq_ci(&rv, short)))
            || entry.has_object_class(short)
    }

    fn extensible_matches(
        entry: &Entry,
        attr: Option<&str>,
        rule: Option<&str>,
        dn_attrs: bool,
        value: &[u8],
    ) -> bool {
        let value_matches = |x: &[u8]| -> bool {
            match rule {
                Some(RULE_BIT_AND) => match (int_of(x), int_of(value)) {
                    (Some(v), Some(mask)) => v & mask == mask,
                    _ => false,
                },
                Some(RULE_BIT_OR) => match (int_of(x), int_of(value)) {
                    (Some(v), Some(mask)) => v & mask != 0,
                    _ => false,
                },
                Some(RULE_CASE_EXACT) => x == value,
                // Plain / caseIgnore equality; also the fallback for rules needing the
                // directory (e.g. 1.2.840.113556.1.4.1941, in-chain).
                _ => value_eq_ci(x, value),
            }
        };
        let in_attrs = match attr {
            Some(a) => entry.values(a).iter().any(|x| value_matches(x)),
            None => entry
                .attributes()
                .flat_map(|a| a.values.iter())
                .any(|x| value_matches(x)),
        };
        if in_attrs {
            return true;
        }
        dn_attrs
            && entry.dn.rdns().iter().flat_map(|r| r.avas()).any(|ava| {
                attr.is_none_or(|a| ava.attr.eq_ignore_ascii_case(a))
                    && value_matches(ava.value.as_bytes())
            })
    }

    /// Equality terms that must hold for any match: a top-level `Equal`, or `Equal`s inside a
    /// top-level `And` (recursively through nested `And`s). Lets the lab use an index keyed by
    /// lowercase attribute name and case-folded value (raw bytes for non-UTF-8 values).
    /// `objectCategory` short names are left out: they are not plain value equality.
    pub fn indexable_equalities(&self) -> Vec<(&str, &[u8])> {
        let mut out = Vec::new();
        self.collect_equalities(&mut out);
        out
    }

    /// The initial parts of substring terms that must hold for a match (top level or inside a
    /// top-level And): `(msRTCSIP-Line=tel:+96265519000;*)` gives `tel:+96265519000;`. Lets
    /// the lab answer prefix searches from a sorted index, as AD does.
    pub fn indexable_prefixes(&self) -> Vec<(&str, &[u8])> {
        let mut out = Vec::new();
        self.collect_prefixes(&mut out);
        out
    }

    fn collect_prefixes<'a>(&'a self, out: &mut Vec<(&'a str, &'a [u8])>) {
        match self {
            Filter::Substring {
                attr,
                initial: Some(initial),
                ..
            } if !initial.is_empty() => out.push((attr.as_str(), initial.as_slice())),
            Filter::And(list) => list.iter().for_each(|f| f.collect_prefixes(out)),
            _ => {}
        }
    }

    fn collect_equalities<'a>(&'a self, out: &mut Vec<(&'a str, &'a [u8])>) {
        match self {
            Filter::Equal(attr, v) if !(is_object_category(attr) && is_short_category(v)) => {
                out.push((attr.as_str(), v.as_slice()));
            }
            Filter::And(list) => list.iter().for_each(|f| f.collect_equalities(out)),
            _ => {}
        }
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        Filter::Not(Box::new(self))
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Filter, FilterError> {
        Filter::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Filter {
        Filter::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn eq(a: &str, v: &str) -> Filter {
        Filter::eq(a, v)
    }

    fn user() -> Entry {
        Entry::new(Dn::parse("CN=Ann Lee,OU=Users,DC=contoso,DC=com").unwrap())
            .with("objectClass", "top")
            .with("objectClass", "person")
            .with("objectClass", "organizationalPerson")
            .with("objectClass", "user")
            .with(
                "objectCategory",
                "CN=Person,CN=Schema,CN=Configuration,DC=contoso,DC=com",
            )
            .with("cn", "Ann Lee")
            .with("sAMAccountName", "ann")
            .with("displayName", "Ännä Lee (Sales)")
            .with("userAccountControl", "66048") // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
            .with("groupType", "-2147483646")
            .with("msExchUMExtension", "1001")
            .with("proxyAddresses", "SMTP:ann@contoso.com")
            .with("proxyAddresses", "eum:1001;phone-context=DP1.contoso.com")
            .with("whenCreated", "20240105120000.0Z")
            .with_bytes("objectGUID", &[0x00, 0x2a, 0xff, 0x28, 0x5c])
    }

    #[test]
    fn parse_every_item_kind() {
        assert_eq!(p("(cn=Ann)"), eq("cn", "Ann"));
        assert_eq!(p("(cn=*)"), Filter::present("cn"));
        assert_eq!(p("(cn~=ann)"), Filter::Approx("cn".into(), b"ann".to_vec()));
        assert_eq!(
            p("(n>=5)"),
            Filter::GreaterOrEqual("n".into(), b"5".to_vec())
        );
        assert_eq!(p("(n<=5)"), Filter::LessOrEqual("n".into(), b"5".to_vec()));
        assert_eq!(
            p("(cn=a*b*c*d)"),
            Filter::Substring {
                attr: "cn".into(),
                initial: Some(b"a".to_vec()),
                any: vec![b"b".to_vec(), b"c".to_vec()],
                last: Some(b"d".to_vec()),
            }
        );
        assert_eq!(
            p("(cn=*x*)"),
            Filter::Substring {
                attr: "cn".into(),
                initial: None,
                any: vec![b"x".to_vec()],
                last: None,
            }
        );
        assert_eq!(
            p("(cn=a*)"),
            Filter::Substring {
                attr: "cn".into(),
                initial: Some(b"a".to_vec()),
                any: vec![],
                last: None,
            }
        );
        assert_eq!(
            p("(cn=*z)"),
            Filter::Substring {
                attr: "cn".into(),
                initial: None,
                any: vec![],
                last: Some(b"z".to_vec()),
            }
        );
        assert_eq!(p("(cn=)"), eq("cn", ""));
        assert_eq!(
            p("(userAccountControl:1.2.840.113556.1.4.803:=2)"),
            Filter::bits_all("userAccountControl", 2)
        );
        assert_eq!(
            p("(cn:dn:2.5.13.5:=John)"),
            Filter::Extensible {
                attr: Some("cn".into()),
                rule: Some("2.5.13.5".into()),
                dn_attrs: true,
                value: b"John".to_vec(),
            }
        );
        assert_eq!(
            p("(:dn:2.4.6.8.10:=Dino)"),
            Filter::Extensible {
                attr: None,
                rule: Some("2.4.6.8.10".into()),
                dn_attrs: true,
                value: b"Dino".to_vec(),
            }
        );
        assert_eq!(
            p("(o:dn:=Ace Industry)"),
            Filter::Extensible {
                attr: Some("o".into()),
                rule: None,
                dn_attrs: true,
                value: b"Ace Industry".to_vec(),
            }
        );
        assert_eq!(
            p("(cn:=x)"),
            Filter::Extensible {
                attr: Some("cn".into()),
                rule: None,
                dn_attrs: false,
                value: b"x".to_vec(),
            }
        );
        assert_eq!(p("(member;binary=x)"), eq("member;binary", "x"));
        assert_eq!(p("(2.5.4.3=x)"), eq("2.5.4.3", "x"));
    }

    #[test]
    fn parse_composites_and_bare_items() {
        let f = p("(&(objectClass=user)(|(cn=a)(!(cn=b)))(sn=c))");
        assert_eq!(
            f,
            Filter::and(vec![
                eq("objectClass", "user"),
                Filter::or(vec![eq("cn", "a"), Filter::not(eq("cn", "b"))]),
                eq("sn", "c"),
            ])
        );
        assert_eq!(p("cn=foo"), eq("cn", "foo"));
        assert_eq!(p("  cn=foo bar  "), eq("cn", "foo bar"));
        assert_eq!(p(" (cn=x) "), eq("cn", "x"));
        assert_eq!(
            p("&(a=1)(b=2)"),
            Filter::and(vec![eq("a", "1"), eq("b", "2")])
        );
        assert_eq!(p("!(a=1)"), Filter::not(eq("a", "1")));
        assert_eq!(p("!(a=1)"), !eq("a", "1"));
        assert_eq!(p("(&)"), Filter::and(vec![]));
        assert_eq!(p("(|)"), Filter::or(vec![]));
        assert_eq!(p("cn=*"), Filter::present("cn"));
        // Spaces inside a value are part of it.
        assert_eq!(p("(cn= a )"), eq("cn", " a "));
        assert_eq!("(cn=x)".parse::<Filter>().unwrap(), eq("cn", "x"));
    }

    #[test]
    fn escapes() {
        assert_eq!(
            p(r"(cn=\2a\28\29\5c\00)"),
            Filter::eq_bytes("cn", b"*()\\\0")
        );
        assert_eq!(p(r"(cn=\2A)"), eq("cn", "*"));
        // Found by the ldap_filter fuzz target: only stars is a presence test (and prints
        // as one, so the printed filter reads back the same).
        assert_eq!(p("(cn=**)"), Filter::Present("cn".into()));
        assert_eq!(p("(cn=**)").to_string(), "(cn=*)");
        assert_eq!(p(r"(cn=Ren\c3\a9)"), eq("cn", "René"));
        assert_eq!(p("(cn=René)"), eq("cn", "René"));
        assert_eq!(
            p(r"(objectGUID=\00\2a\ff)"),
            Filter::eq_bytes("objectGUID", &[0, 0x2a, 0xff])
        );
        // Lenient RFC 2254 style.
        assert_eq!(p(r"(cn=a\*b\(\)\\)"), eq("cn", r"a*b()\"));
        // Escaped star is not a wildcard.
        assert_eq!(
            p(r"(cn=a\2a*)"),
            Filter::Substring {
                attr: "cn".into(),
                initial: Some(b"a*".to_vec()),
                any: vec![],
                last: None,
            }
        );
        assert_eq!(eq("cn", "*()\\\0").to_string(), r"(cn=\2a\28\29\5c\00)");
        assert_eq!(
            Filter::eq_bytes("g", &[0, 0x41, 0xff, 0x28]).to_string(),
            r"(g=\00A\ff\28)"
        );
        assert_eq!(eq("cn", "René\n").to_string(), "(cn=René\\0a)");
    }

    #[test]
    fn display_is_canonical() {
        for s in [
            "(&(objectClass=user)(|(cn=a)(!(cn=b)))(sn=c))",
            "(cn=a*b*c*d)",
            "(cn=*x*)",
            "(cn=*)",
            "(n>=5)",
            "(n<=5)",
            "(cn~=x)",
            "(userAccountControl:1.2.840.113556.1.4.803:=2)",
            "(cn:dn:2.5.13.5:=John)",
            "(:dn:2.4.6.8.10:=Dino)",
            "(&)",
            "(|)",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("cn=x").to_string(), "(cn=x)");
        assert_eq!(p(r"(cn=\2A\41)").to_string(), r"(cn=\2aA)");
        assert_eq!(p("(cn=a**b)").to_string(), "(cn=a*b)");
    }

    fn perr(s: &str) -> FilterError {
        Filter::parse(s).unwrap_err()
    }

    #[test]
    fn errors_name_text_offset_and_expectation() {
        let e = perr("(&(a=b)");
        assert!(
            matches!(e, FilterError::UnbalancedParenthesis { offset: 7, .. }),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "unbalanced parenthesis at offset 7 in '(&(a=b)': expected ')' to close '(' at offset 0"
        );
        let e = perr("(a=b))");
        assert!(
            matches!(e, FilterError::UnbalancedParenthesis { offset: 5, .. }),
            "{e:?}"
        );
        assert!(matches!(
            perr("(a=b"),
            FilterError::UnbalancedParenthesis { offset: 4, .. }
        ));
        assert!(matches!(
            perr("(a=b)(c=d)"),
            FilterError::Unexpected { offset: 5, .. }
        ));

        let e = perr(r"(cn=a\4)");
        assert!(
            matches!(e, FilterError::InvalidEscape { offset: 5, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("expected two hex digits"), "{e}");
        assert!(matches!(
            perr(r"(cn=a\"),
            FilterError::InvalidEscape { offset: 5, .. }
        ));
        assert!(matches!(
            perr(r"cn=a\"),
            FilterError::InvalidEscape { offset: 4, .. }
        ));
        assert!(matches!(
            perr(r"(cn=\zz)"),
            FilterError::InvalidEscape { offset: 4, .. }
        ));

        let e = perr("(=x)");
        assert!(
            matches!(e, FilterError::Unexpected { offset: 1, .. }),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("expected an attribute description"),
            "{e}"
        );
        let e = perr("(cn)");
        assert_eq!(
            e.to_string(),
            "unexpected ')' at offset 3 in '(cn)': expected '=', '~=', '>=', '<=' or ':' after the attribute"
        );
        assert!(matches!(
            perr("(c n=x)"),
            FilterError::Unexpected { offset: 2, .. }
        ));
        assert!(matches!(
            perr("(n>5)"),
            FilterError::Unexpected { offset: 3, .. }
        ));
        assert!(matches!(
            perr("(n>=a*)"),
            FilterError::Unexpected { offset: 5, .. }
        ));
        assert!(matches!(
            perr("(cn=a(b)"),
            FilterError::Unexpected { offset: 5, .. }
        ));
        assert!(matches!(
            perr("(!cn=x)"),
            FilterError::Unexpected { offset: 2, .. }
        ));
        assert!(matches!(
            perr("(&(a=b)x)"),
            FilterError::Unexpected { offset: 7, .. }
        ));
        assert!(matches!(perr("(:=x)"), FilterError::Unexpected { .. }));
        assert!(matches!(
            perr("(cn:1.2:3.4:=x)"),
            FilterError::Unexpected { offset: 8, .. }
        ));
        assert!(matches!(
            perr("(cn:=x*)"),
            FilterError::Unexpected { offset: 6, .. }
        ));
        assert!(matches!(perr(""), FilterError::Empty { .. }));
        assert!(matches!(perr("   "), FilterError::Empty { .. }));
        assert!(matches!(
            perr("()"),
            FilterError::Unexpected { offset: 1, .. }
        ));
        let deep = format!("{}(a=b){}", "(!".repeat(200), ")".repeat(200));
        assert!(matches!(
            perr(&deep),
            FilterError::TooDeep { max: MAX_DEPTH, .. }
        ));
    }

    #[test]
    fn match_equality_presence_and_case() {
        let e = user();
        assert!(p("(cn=ann lee)").matches(&e));
        assert!(p("(CN=ANN LEE)").matches(&e));
        assert!(p("(displayName=ännä lee \\28sales\\29)").matches(&e));
        assert!(!p("(cn=ann)").matches(&e));
        assert!(p("(objectClass=USER)").matches(&e));
        assert!(p("(objectClass=person)").matches(&e));
        assert!(!p("(objectClass=contact)").matches(&e));
        assert!(p("(mail=*)").matches(&e) == e.has("mail"));
        assert!(p("(proxyAddresses=*)").matches(&e));
        assert!(p("(objectClass=*)").matches(&Entry::new(Dn::root())));
        assert!(p("(!(mail=x))").matches(&e));
        assert!(p("(cn~=ANN LEE)").matches(&e));
        // Binary values are byte-exact.
        assert!(p(r"(objectGUID=\00\2a\ff\28\5c)").matches(&e));
        assert!(!p(r"(objectGUID=\00\2A\FF\28)").matches(&e));
        assert!(p("(&(objectClass=user)(|(cn=x)(sAMAccountName=ANN)))").matches(&e));
        assert!(p("(&)").matches(&e));
        assert!(!p("(|)").matches(&e));
    }

    #[test]
    fn object_category_short_names() {
        let e = user();
        assert!(p("(objectCategory=person)").matches(&e));
        assert!(p("(objectCategory=Person)").matches(&e));
        // Via objectClass, as the spec's translation rule says.
        assert!(p("(objectCategory=user)").matches(&e));
        assert!(!p("(objectCategory=group)").matches(&e));
        assert!(
            p("(objectCategory=CN=Person,CN=Schema,CN=Configuration,DC=contoso,DC=com)")
                .matches(&e)
        );
        assert!(
            !p("(objectCategory=CN=Group,CN=Schema,CN=Configuration,DC=contoso,DC=com)")
                .matches(&e)
        );
        let odd =
            Entry::new(Dn::root()).with("objectCategory", r"CN=ms-Exch-UM\2C Dial Plan,CN=Schema");
        // Escaped first RDN value goes through the full DN parser.
        assert!(p("(objectCategory=ms-Exch-UM, Dial Plan)").matches(&odd));
        let dp = Entry::new(Dn::root())
            .with("objectClass", "msExchUMDialPlan")
            .with(
                "objectCategory",
                "CN=ms-Exch-UM-Dial-Plan,CN=Schema,CN=Configuration,DC=x",
            );
        assert!(p("(objectCategory=ms-Exch-UM-Dial-Plan)").matches(&dp));
        assert!(p("(objectCategory=msExchUMDialPlan)").matches(&dp));
        assert!(!p("(objectCategory=person)").matches(&dp));
    }

    #[test]
    fn bitwise_rules() {
        let e = user(); // userAccountControl 66048 = 0x10200
        assert!(p("(userAccountControl:1.2.840.113556.1.4.803:=512)").matches(&e));
        assert!(p("(userAccountControl:1.2.840.113556.1.4.803:=66048)").matches(&e));
        assert!(!p("(userAccountControl:1.2.840.113556.1.4.803:=2)").matches(&e));
        assert!(!p("(userAccountControl:1.2.840.113556.1.4.803:=514)").matches(&e));
        assert!(p("(userAccountControl:1.2.840.113556.1.4.804:=514)").matches(&e));
        assert!(!p("(userAccountControl:1.2.840.113556.1.4.804:=3)").matches(&e));
        assert!(p("(!(userAccountControl:1.2.840.113556.1.4.803:=2))").matches(&e));
        // Negative groupType: security-enabled (0x80000000) global group (2).
        assert!(p("(groupType:1.2.840.113556.1.4.803:=2147483648)").matches(&e));
        assert!(p("(groupType:1.2.840.113556.1.4.803:=2)").matches(&e));
        assert!(Filter::bits_any("groupType", 4 | 2).matches(&e));
        // Non-integer operands never match.
        assert!(!p("(cn:1.2.840.113556.1.4.803:=1)").matches(&e));
        assert!(!p("(userAccountControl:1.2.840.113556.1.4.803:=x)").matches(&e));
        assert!(!p("(absent:1.2.840.113556.1.4.804:=1)").matches(&e));
    }

    #[test]
    fn extensible_equality() {
        let e = user();
        assert!(p("(cn:=ANN LEE)").matches(&e));
        assert!(p("(cn:2.5.13.2:=ANN LEE)").matches(&e));
        assert!(!p("(cn:2.5.13.5:=ANN LEE)").matches(&e));
        assert!(p("(cn:2.5.13.5:=Ann Lee)").matches(&e));
        assert!(p("(ou:dn:=users)").matches(&e));
        assert!(!p("(ou:=users)").matches(&e));
        assert!(p("(:dn:2.5.13.2:=CONTOSO)").matches(&e));
        assert!(p("(:2.5.13.2:=ann)").matches(&e));
        assert!(!p("(:2.5.13.2:=nobody)").matches(&e));
    }

    #[test]
    fn integer_ordering() {
        let e = user(); // msExchUMExtension 1001
        assert!(p("(msExchUMExtension>=1000)").matches(&e));
        assert!(p("(msExchUMExtension>=1001)").matches(&e));
        assert!(!p("(msExchUMExtension>=1002)").matches(&e));
        assert!(p("(msExchUMExtension<=1001)").matches(&e));
        assert!(!p("(msExchUMExtension<=999)").matches(&e));
        // As strings "1001" < "999", so this proves integer comparison.
        assert!(p("(msExchUMExtension>=999)").matches(&e));
        assert!(p("(groupType<=-2)").matches(&e));
        // Strings compare case-folded.
        assert!(p("(cn>=ANN)").matches(&e));
        assert!(p("(cn<=ANNZ)").matches(&e));
        assert!(!p("(cn>=b)").matches(&e));
        assert!(p("(whenCreated>=20240101000000.0Z)").matches(&e));
        assert!(!p("(whenCreated<=20231231000000.0Z)").matches(&e));
        assert!(!p("(absent>=0)").matches(&e));
    }

    #[test]
    fn substrings() {
        let e = user();
        assert!(p("(cn=ann*)").matches(&e));
        assert!(p("(cn=*LEE)").matches(&e));
        assert!(p("(cn=*n l*)").matches(&e));
        assert!(p("(cn=a*n*l*e)").matches(&e));
        assert!(p("(proxyAddresses=eum:*;phone-context=*)").matches(&e));
        assert!(p("(proxyAddresses=EUM:1001*DP1*)").matches(&e));
        assert!(p("(displayName=*ÄNNÄ*\\28sales\\29)").matches(&e));
        // any parts must appear in order and not overlap.
        assert!(!p("(cn=*lee*ann*)").matches(&e));
        assert!(!p("(cn=ann*nn l*)").matches(&e));
        assert!(!p("(cn=a*e*e*e)").matches(&e));
        assert!(!p("(cn=ann lee*lee)").matches(&e));
        assert!(!p("(cn=*x*)").matches(&e));
        // Binary substring is byte-exact.
        assert!(p(r"(objectGUID=\00*\5c)").matches(&e));
        assert!(!p(r"(objectGUID=\01*)").matches(&e));
        assert!(p(r"(objectGUID=*\ff*)").matches(&e));
    }

    #[test]
    fn indexable_equalities() {
        let f = p("(&(objectClass=user)(sAMAccountName=ann)(|(cn=a)(cn=b))(&(mail=x))(!(sn=y))(objectCategory=person))");
        assert_eq!(
            f.indexable_equalities(),
            vec![
                ("objectClass", &b"user"[..]),
                ("sAMAccountName", &b"ann"[..]),
                ("mail", &b"x"[..]),
            ]
        );
        assert_eq!(p("(cn=a)").indexable_equalities(), vec![("cn", &b"a"[..])]);
        assert!(p("(|(cn=a)(cn=b))").indexable_equalities().is_empty());
        assert!(p("(cn=a*)").indexable_equalities().is_empty());
        assert_eq!(
            p("(objectCategory=CN=Person,CN=Schema)").indexable_equalities(),
            vec![("objectCategory", &b"CN=Person,CN=Schema"[..])]
        );
    }

    fn attr_strategy() -> impl Strategy<Value = String> {
        "[A-Za-z][A-Za-z0-9-]{0,6}(;binary)?"
    }

    fn value_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            "[ -~]{0,8}".prop_map(String::into_bytes),
            "[*()\\\\\\x00aZé ]{0,6}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..6),
        ]
    }

    fn nonempty_value() -> impl Strategy<Value = Vec<u8>> {
        value_strategy().prop_filter("non-empty", |v| !v.is_empty())
    }

    fn leaf() -> impl Strategy<Value = Filter> {
        prop_oneof![
            (attr_strategy(), value_strategy()).prop_map(|(a, v)| Filter::Equal(a, v)),
            attr_strategy().prop_map(Filter::Present),
            (attr_strategy(), value_strategy()).prop_map(|(a, v)| Filter::GreaterOrEqual(a, v)),
            (attr_strategy(), value_strategy()).prop_map(|(a, v)| Filter::LessOrEqual(a, v)),
            (attr_strategy(), value_strategy()).prop_map(|(a, v)| Filter::Approx(a, v)),
            (
                attr_strategy(),
                prop::option::of(nonempty_value()),
                prop::collection::vec(nonempty_value(), 0..3),
                prop::option::of(nonempty_value()),
            )
                .prop_filter("not a presence test", |(_, i, a, l)| {
                    i.is_some() || !a.is_empty() || l.is_some()
                })
                .prop_map(|(attr, initial, any, last)| Filter::Substring {
                    attr,
                    initial,
                    any,
                    last
                }),
            (
                prop::option::of(attr_strategy()),
                prop::option::of("[0-9]{1,3}(\\.[0-9]{1,4}){0,4}|[a-z][a-zA-Z]{0,8}Match"),
                any::<bool>(),
                value_strategy(),
            )
                .prop_filter("attr or rule", |(a, r, _, _)| a.is_some() || r.is_some())
                .prop_filter("rule named dn", |(_, r, _, _)| {
                    !r.as_deref().is_some_and(|r| r.eq_ignore_ascii_case("dn"))
                })
                .prop_map(|(attr, rule, dn_attrs, value)| Filter::Extensible {
                    attr,
                    rule,
                    dn_attrs,
                    value
                }),
        ]
    }

    fn filter_strategy() -> impl Strategy<Value = Filter> {
        leaf().prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::And),
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::Or),
                inner.prop_map(|f| Filter::Not(Box::new(f))),
            ]
        })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(f in filter_strategy()) {
            let text = f.to_string();
            let back = Filter::parse(&text);
            prop_assert_eq!(back.as_ref(), Ok(&f), "text: {}", text);
        }

        #[test]
        fn parse_never_panics(s in "[()&|!=*~<>:a-z0-9\\\\ .]{0,24}") {
            let _ = Filter::parse(&s);
        }

        #[test]
        fn parse_arbitrary_never_panics(s in any::<String>()) {
            let _ = Filter::parse(&s);
        }
    }
}
