//! Typed reads of single attributes from an [`Entry`] with errors that name the DN, the
//! attribute and the bad value: the shared plumbing of every `from_entry` in this module.
//! It does not know any object class's meaning; the typed objects do.

use super::{attrs, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;

/// Integer syntax as [`Entry::first_i64`] reads it: decimal with an optional sign, or `0x` hex
/// taken as a 64-bit pattern.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        // Reinterpreting the bit pattern matches Entry::first_i64 (AD flag words are unsigned).
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|v| v as i64),
        None => t.parse().ok(),
    }
}

/// Boolean syntax: `TRUE` / `FALSE`, trimmed and case-insensitive as [`Entry::first_bool`]
/// reads it.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("TRUE") {
        Some(true)
    } else if s.eq_ignore_ascii_case("FALSE") {
        Some(false)
    } else {
        None
    }
}

pub(crate) fn render_bool(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// The first value shown for an error message (binary values lossily).
fn shown(e: &Entry, attr: &str) -> String {
    e.first_bytes(attr)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn bad(e: &Entry, attr: &'static str, expected: &str) -> ModelError {
    ModelError::BadValue {
        dn: e.dn.clone(),
        attr,
        value: shown(e, attr),
        expected: expected.to_string(),
    }
}

/// Fails unless the entry is of `class`. An entry read without its objectClass (a projected
/// search result) is taken at its word.
pub(crate) fn expect_class(e: &Entry, class: &'static str) -> Result<(), ModelError> {
    if !e.has(attrs::OBJECT_CLASS) || e.has_object_class(class) {
        return Ok(());
    }
    Err(ModelError::WrongClass {
        dn: e.dn.clone(),
        class,
        found: e.object_classes().collect::<Vec<_>>().join(","),
    })
}

/// The first value as text, if present (a non-UTF-8 value is an error).
pub(crate) fn opt_str(e: &Entry, attr: &'static str) -> Result<Option<String>, ModelError> {
    match e.first_bytes(attr) {
        None => Ok(None),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => Ok(Some(s.to_string())),
            Err(_) => Err(bad(e, attr, "UTF-8 text")),
        },
    }
}

pub(crate) fn req_str(
    e: &Entry,
    attr: &'static str,
    class: &'static str,
) -> Result<String, ModelError> {
    opt_str(e, attr)?.ok_or_else(|| missing(e, attr, class))
}

pub(crate) fn missing(e: &Entry, attr: &'static str, class: &'static str) -> ModelError {
    ModelError::Missing {
        dn: e.dn.clone(),
        class,
        attr,
    }
}

/// All values as text (a non-UTF-8 value is an error).
pub(crate) fn all_str(e: &Entry, attr: &'static str) -> Result<Vec<String>, ModelError> {
    e.values(attr)
        .iter()
        .map(|b| {
            std::str::from_utf8(b).map(str::to_string).map_err(|_| {
                ValueError::new(String::from_utf8_lossy(b), "UTF-8 text").at(&e.dn, attr)
            })
        })
        .collect()
}

pub(crate) fn opt_i64(e: &Entry, attr: &'static str) -> Result<Option<i64>, ModelError> {
    match e.first_i64(attr) {
        Some(v) => Ok(Some(v)),
        None if e.has(attr) => Err(bad(e, attr, "an integer")),
        None => Ok(None),
    }
}

pub(crate) fn opt_bool(e: &Entry, attr: &'static str) -> Result<Option<bool>, ModelError> {
    match e.first_bool(attr) {
        Some(v) => Ok(Some(v)),
        None if e.has(attr) => Err(bad(e, attr, "TRUE or FALSE")),
        None => Ok(None),
    }
}

/// An integer within `lo..=hi`, or `default` when absent.
pub(crate) fn int_in(
    e: &Entry,
    attr: &'static str,
    lo: i64,
    hi: i64,
    default: i64,
) -> Result<i64, ModelError> {
    match opt_i64(e, attr)? {
        None => Ok(default),
        Some(v) if (lo..=hi).contains(&v) => Ok(v),
        Some(_) => Err(bad(e, attr, &format!("an integer from {lo} to {hi}"))),
    }
}

pub(crate) fn opt_dn(e: &Entry, attr: &'static str) -> Result<Option<Dn>, ModelError> {
    match opt_str(e, attr)? {
        None => Ok(None),
        Some(s) => Dn::parse(&s)
            .map(Some)
            .map_err(|err| ValueError::new(s, format!("a DN ({err})")).at(&e.dn, attr)),
    }
}

pub(crate) fn req_dn(e: &Entry, attr: &'static str, class: &'static str) -> Result<Dn, ModelError> {
    opt_dn(e, attr)?.ok_or_else(|| missing(e, attr, class))
}

pub(crate) fn all_dn(e: &Entry, attr: &'static str) -> Result<Vec<Dn>, ModelError> {
    all_str(e, attr)?
        .into_iter()
        .map(|s| {
            Dn::parse(&s)
                .map_err(|err| ValueError::new(s.clone(), format!("a DN ({err})")).at(&e.dn, attr))
        })
        .collect()
}

/// The object's name: its `cn`, else the value of a `CN=` RDN (AD derives `cn` from the RDN, so
/// a search result without `cn` still names the object).
pub(crate) fn name(e: &Entry, class: &'static str) -> Result<String, ModelError> {
    if let Some(cn) = opt_str(e, attrs::CN)? {
        return Ok(cn);
    }
    match (e.dn.rdn_attr(), e.dn.rdn_value()) {
        (Some(a), Some(v)) if a.eq_ignore_ascii_case(attrs::CN) => Ok(v.to_string()),
        _ => Err(missing(e, attrs::CN, class)),
    }
}
