//! Header lookup in an rsip message: [`find_headers`] / [`find_header`] by name, compact and
//! long forms alike (`v` is `Via`), values as rsip prints them. A leaf of `sip`: `message`
//! (which re-exports the two lookups) and `headers` (the typed headers read from a message)
//! both use it. It does not parse header values.

use std::borrow::Cow;

use rsip::prelude::UntypedHeader;

use super::normalize::compact_to_long;

/// A header's name and value as rsip prints them (`Name: value`, both trimmed). The headers
/// every message has (and the ones rsip does not know) are read in place; the others are
/// printed and split.
pub(super) fn name_value_ref(header: &rsip::Header) -> (Cow<'_, str>, Cow<'_, str>) {
    use rsip::Header as H;
    let (name, value) = match header {
        H::Via(h) => ("Via", h.value()),
        H::From(h) => ("From", h.value()),
        H::To(h) => ("To", h.value()),
        H::CallId(h) => ("Call-ID", h.value()),
        H::CSeq(h) => ("CSeq", h.value()),
        H::Contact(h) => ("Contact", h.value()),
        H::MaxForwards(h) => ("Max-Forwards", h.value()),
        H::ContentLength(h) => ("Content-Length", h.value()),
        H::ContentType(h) => ("Content-Type", h.value()),
        H::Other(n, v) => (n.as_str(), v.as_str()),
        _ => {
            let text = header.to_string();
            return match text.split_once(':') {
                Some((n, v)) => (
                    Cow::Owned(n.trim().to_string()),
                    Cow::Owned(v.trim().to_string()),
                ),
                None => (Cow::Owned(text), Cow::Owned(String::new())),
            };
        }
    };
    (Cow::Borrowed(name.trim()), Cow::Borrowed(value.trim()))
}

pub(super) fn same_name(a: &str, b: &str) -> bool {
    let a = compact_to_long(a).unwrap_or(a);
    let b = compact_to_long(b).unwrap_or(b);
    a.eq_ignore_ascii_case(b)
}

/// Values of every header named `name` (case-insensitive; `"v"` and `"Via"` are the same), in
/// message order. Values with commas are returned as written (one per header line).
pub fn find_headers(headers: &rsip::Headers, name: &str) -> Vec<String> {
    headers
        .iter()
        .map(name_value_ref)
        .filter(|(n, _)| same_name(n, name))
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// Value of the first header named `name` (see [`find_headers`]).
pub fn find_header(headers: &rsip::Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .map(name_value_ref)
        .find(|(n, _)| same_name(n, name))
        .map(|(_, v)| v.into_owned())
}
