//! A neutral directory entry: a DN plus attributes with byte values.
//!
//! Owns `Entry` and `Attribute` and the value-level helpers around them (typed getters,
//! replace/add/remove of values, projection to requested attributes). Attribute names compare
//! case-insensitively (ASCII, as LDAP attribute descriptions are ASCII) but keep the case they
//! were first written with. It does not know the schema: which attributes are binary, single-
//! valued or DN-valued is the caller's business; filters live in `filter.rs`.

use crate::directory::model::dn::Dn;

/// One attribute: its name as written and its values (raw bytes; most are UTF-8 text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<Vec<u8>>,
}

/// A DN plus attributes in insertion order.
///
/// Lookup is a linear case-insensitive scan: entries have a few dozen attributes, and a
/// per-entry hash map would cost more memory than it saves time across a 100,000-user forest.
/// Derived equality compares attributes in order and with their written case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub dn: Dn,
    attrs: Vec<Attribute>,
}

/// Value equality used for add/remove: exact bytes, or case-insensitive when both are text.
pub(crate) fn value_eq_ci(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(x), Ok(y)) => str_eq_ci(x, y),
        _ => false,
    }
}

/// Case-insensitive string equality (ASCII fast path, Unicode lowercase otherwise).
pub(crate) fn str_eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Parses a decimal integer, or hexadecimal with a `0x` prefix (read as a 64-bit pattern, so
/// `0xFFFFFFFFFFFFFFFF` is -1).
pub fn parse_i64(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        // Reinterpreting the bit pattern is intended: AD flag words are unsigned.
        return u64::from_str_radix(hex, 16).ok().map(|v| v as i64);
    }
    s.parse().ok()
}

impl Entry {
    pub fn new(dn: Dn) -> Entry {
        Entry {
            dn,
            attrs: Vec::new(),
        }
    }

    /// Builder sugar: adds one text value (see `add_value`).
    pub fn with(mut self, name: &str, value: &str) -> Entry {
        self.add_value(name, value.as_bytes().to_vec());
        self
    }

    /// Builder sugar: adds one binary value (see `add_value`).
    pub fn with_bytes(mut self, name: &str, value: &[u8]) -> Entry {
        self.add_value(name, value.to_vec());
        self
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.attrs
            .iter()
            .position(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Attributes in insertion order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.attrs.iter()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    /// True when the entry has no attributes.
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Case-insensitive lookup.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.index(name).map(|i| &self.attrs[i])
    }

    /// Present with at least one value.
    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| !a.values.is_empty())
    }

    /// All values; empty slice if absent.
    pub fn values(&self, name: &str) -> &[Vec<u8>] {
        self.attribute(name).map_or(&[], |a| a.values.as_slice())
    }

    /// The values that are valid UTF-8.
    pub fn str_values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.values(name)
            .iter()
            .filter_map(|v| std::str::from_utf8(v).ok())
    }

    /// First value as UTF-8 (None if absent or not UTF-8).
    pub fn first(&self, name: &str) -> Option<&str> {
        self.first_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    pub fn first_bytes(&self, name: &str) -> Option<&[u8]> {
        self.values(name).first().map(Vec::as_slice)
    }

    /// First value as an integer: decimal, or hex with `0x`.
    pub fn first_i64(&self, name: &str) -> Option<i64> {
        self.first(name).and_then(parse_i64)
    }

    /// First value as an LDAP Boolean: "TRUE"/"FALSE", case-insensitive.
    pub fn first_bool(&self, name: &str) -> Option<bool> {
        let v = self.first(name)?.trim();
        if v.eq_ignore_ascii_case("TRUE") {
            Some(true)
        } else if v.eq_ignore_ascii_case("FALSE") {
            Some(false)
        } else {
            None
        }
    }

    /// Replaces all values (keeping the attribute's position and written name); an empty
    /// `values` removes the attribute.
    pub fn set(&mut self, name: &str, values: Vec<Vec<u8>>) {
        match (self.index(name), values.is_empty()) {
            (Some(i), true) => {
                self.attrs.remove(i);
            }
            (Some(i), false) => self.attrs[i].values = values,
            (None, true) => {}
            (None, false) => self.attrs.push(Attribute {
                name: name.to_owned(),
                values,
            }),
        }
    }

    /// Appends an attribute the caller knows is not there yet (the LDIF loader): no lookup, no
    /// copy of the name. Use `set` or `add_value` otherwise.
    pub fn push_new_attribute(&mut self, name: String, values: Vec<Vec<u8>>) {
        debug_assert!(self.index(&name).is_none(), "{name} is already present");
        if !values.is_empty() {
            self.attrs.push(Attribute { name, values });
        }
    }

    /// Replaces all values with one text value.
    pub fn set_str(&mut self, name: &str, value: &str) {
        self.set(name, vec![value.as_bytes().to_vec()]);
    }

    /// Appends a value unless an equal one exists (exact bytes, or case-insensitive for text,
    /// as AD rejects such duplicates for string syntaxes).
    pub fn add_value(&mut self, name: &str, value: Vec<u8>) {
        match self.index(name) {
            Some(i) => {
                let values = &mut self.attrs[i].values;
                if !values.iter().any(|v| value_eq_ci(v, &value)) {
                    values.push(value);
                }
            }
            None => self.attrs.push(Attribute {
                name: name.to_owned(),
                values: vec![value],
            }),
        }
    }

    /// Removes one value (exact bytes first, else case-insensitively for text); drops the
    /// attribute when no value is left. Returns whether a value was removed.
    pub fn remove_value(&mut self, name: &str, value: &[u8]) -> bool {
        let Some(i) = self.index(name) else {
            return false;
        };
        let values = &mut self.attrs[i].values;
        let pos = values
            .iter()
            .position(|v| v == value)
            .or_else(|| values.iter().position(|v| value_eq_ci(v, value)));
        let Some(pos) = pos else {
            return false;
        };
        values.remove(pos);
        if values.is_empty() {
            self.attrs.remove(i);
        }
        true
    }

    /// Removes the whole attribute.
    pub fn remove(&mut self, name: &str) -> Option<Attribute> {
        self.index(name).map(|i| self.attrs.remove(i))
    }

    pub fn object_classes(&self) -> impl Iterator<Item = &str> {
        self.str_values("objectClass")
    }

    /// Case-insensitive objectClass test.
    pub fn has_object_class(&self, class: &str) -> bool {
        self.object_classes().any(|c| str_eq_ci(c, class))
    }

    /// A copy with only the requested attributes, in the entry's order. `"*"` or an empty list
    /// means all; `"1.1"` alone means none (RFC 4511); `"+"` (operational) is ignored.
    pub fn project(&self, attrs: &[&str]) -> Entry {
        if attrs.is_empty() || attrs.contains(&"*") {
            return self.clone();
        }
        Entry {
            dn: self.dn.clone(),
            attrs: self
                .attrs
                .iter()
                .filter(|a| attrs.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn user() -> Entry {
        Entry::new(Dn::parse("CN=Ann,OU=Users,DC=x").unwrap())
            .with("objectClass", "top")
            .with("objectClass", "person")
            .with("objectClass", "user")
            .with("cn", "Ann")
            .with("userAccountControl", "512")
            .with("msRTCSIP-UserEnabled", "TRUE")
            .with_bytes("objectSid", &[1, 5, 0, 0, 0xff])
    }

    #[test]
    fn lookup_is_case_insensitive_and_keeps_case() {
        let e = user();
        assert_eq!(e.attribute("CN").unwrap().name, "cn");
        assert_eq!(e.attribute("OBJECTCLASS").unwrap().name, "objectClass");
        assert!(e.has("objectsid"));
        assert!(!e.has("mail"));
        assert_eq!(e.values("mail"), &[] as &[Vec<u8>]);
        assert_eq!(e.len(), 5);
        let names: Vec<&str> = e.attributes().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "objectClass",
                "cn",
                "userAccountControl",
                "msRTCSIP-UserEnabled",
                "objectSid"
            ]
        );
    }

    #[test]
    fn typed_getters() {
        let mut e = user();
        assert_eq!(e.first("cn"), Some("Ann"));
        assert_eq!(e.first("objectSid"), None);
        assert_eq!(e.first_bytes("objectSid"), Some(&[1u8, 5, 0, 0, 0xff][..]));
        assert_eq!(e.first_i64("userAccountControl"), Some(512));
        assert_eq!(e.first_i64("cn"), None);
        assert_eq!(e.first_bool("msRTCSIP-UserEnabled"), Some(true));
        assert_eq!(e.first_bool("cn"), None);
        e.set_str("flag", "false");
        assert_eq!(e.first_bool("flag"), Some(false));
        e.set_str("n", "0x10");
        assert_eq!(e.first_i64("n"), Some(16));
        e.set_str("n", "-2147483646");
        assert_eq!(e.first_i64("n"), Some(-2_147_483_646));
        e.set_str("n", "0xFFFFFFFFFFFFFFFF");
        assert_eq!(e.first_i64("n"), Some(-1));
        assert_eq!(e.str_values("objectClass").count(), 3);
        e.add_value("mixed", vec![0xff]);
        e.add_value("mixed", b"text".to_vec());
        assert_eq!(e.str_values("mixed").collect::<Vec<_>>(), ["text"]);
    }

    #[test]
    fn set_add_remove() {
        let mut e = user();
        e.set("CN", vec![b"Bob".to_vec()]);
        assert_eq!(e.attribute("cn").unwrap().name, "cn");
        assert_eq!(e.first("cn"), Some("Bob"));
        e.set("cn", vec![]);
        assert!(!e.has("cn"));
        assert!(e.attribute("cn").is_none());
        e.set("nothing", vec![]);
        assert!(e.attribute("nothing").is_none());

        e.add_value("proxyAddresses", b"SMTP:a@x".to_vec());
        e.add_value("proxyaddresses", b"smtp:A@X".to_vec());
        assert_eq!(e.values("proxyAddresses").len(), 1);
        e.add_value("proxyAddresses", b"eum:100;phone-context=dp".to_vec());
        assert_eq!(e.values("proxyAddresses").len(), 2);
        e.add_value("bin", vec![1, 2]);
        e.add_value("bin", vec![1, 2]);
        e.add_value("bin", vec![1, 3]);
        assert_eq!(e.values("bin").len(), 2);

        assert!(e.remove_value("PROXYADDRESSES", b"EUM:100;PHONE-CONTEXT=DP"));
        assert!(!e.remove_value("proxyAddresses", b"nope"));
        assert!(!e.remove_value("absent", b"x"));
        assert!(e.remove_value("proxyAddresses", b"SMTP:a@x"));
        assert!(e.attribute("proxyAddresses").is_none());
        assert!(!e.remove_value("bin", &[1]));
        assert!(e.remove_value("bin", &[1, 3]));
        assert_eq!(e.values("bin"), &[vec![1u8, 2]]);

        let removed = e.remove("OBJECTSID").unwrap();
        assert_eq!(removed.name, "objectSid");
        assert_eq!(e.remove("objectSid"), None);
    }

    #[test]
    fn remove_value_prefers_exact_match() {
        let mut e = Entry::new(Dn::root());
        e.set("x", vec![b"ABC".to_vec(), b"abc-other".to_vec()]);
        e.attrs[0].values.push(b"abc".to_vec()); // bypass add_value's duplicate check
        assert!(e.remove_value("x", b"abc"));
        assert_eq!(e.values("x"), &[b"ABC".to_vec(), b"abc-other".to_vec()]);
    }

    #[test]
    fn object_classes() {
        let e = user();
        assert_eq!(
            e.object_classes().collect::<Vec<_>>(),
            ["top", "person", "user"]
        );
        assert!(e.has_object_class("USER"));
        assert!(!e.has_object_class("contact"));
    }

    #[test]
    fn projection() {
        let e = user();
        assert_eq!(e.project(&[]), e);
        assert_eq!(e.project(&["*"]), e);
        let p = e.project(&["CN", "objectsid", "missing"]);
        assert_eq!(p.dn, e.dn);
        let names: Vec<&str> = p.attributes().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["cn", "objectSid"]);
        assert!(e.project(&["1.1"]).is_empty());
        assert_eq!(e.project(&["cn", "*"]), e);
    }

    #[test]
    fn unicode_case_insensitive_values() {
        let mut e = Entry::new(Dn::root());
        e.add_value("displayName", "Ärger".as_bytes().to_vec());
        e.add_value("displayName", "äRGER".as_bytes().to_vec());
        assert_eq!(e.values("displayName").len(), 1);
        assert!(str_eq_ci("ÉCOLE", "école"));
        assert!(!str_eq_ci("école", "ecole"));
    }
}
