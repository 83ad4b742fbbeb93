//! `umctl lab diff`: the object and attribute differences between the lab and another forest
//! (a snapshot, an LDIF file, a real AD). Pure: two lists of entries in, differences out.
//! Attribute names compare case-insensitively, values as sets of bytes (AD keeps no order).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::directory::Entry;

/// Everything that differs, objects in DN order.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ForestDiff {
    /// DNs in the lab only.
    pub only_in_lab: Vec<String>,
    /// DNs in the other forest only.
    pub only_in_other: Vec<String>,
    /// Objects in both whose attributes differ.
    pub changed: Vec<ObjectDiff>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ObjectDiff {
    pub dn: String,
    pub attributes: Vec<AttributeDiff>,
}

/// One attribute's values on each side (empty: the attribute is absent there).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct AttributeDiff {
    pub name: String,
    pub lab: Vec<String>,
    pub other: Vec<String>,
}

impl ForestDiff {
    pub fn is_empty(&self) -> bool {
        self.only_in_lab.is_empty() && self.only_in_other.is_empty() && self.changed.is_empty()
    }
}

/// Compares the lab's entries with another forest's.
pub fn diff(lab: &[Entry], other: &[Entry]) -> ForestDiff {
    let by_dn = |entries: &[Entry]| -> BTreeMap<String, usize> {
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.dn.norm().to_string(), i))
            .collect()
    };
    let (left, right) = (by_dn(lab), by_dn(other));
    let mut out = ForestDiff::default();
    for (key, &i) in &left {
        match right.get(key) {
            None => out.only_in_lab.push(lab[i].dn.to_string()),
            Some(&j) => {
                let attributes = attribute_diffs(&lab[i], &other[j]);
                if !attributes.is_empty() {
                    out.changed.push(ObjectDiff {
                        dn: lab[i].dn.to_string(),
                        attributes,
                    });
                }
            }
        }
    }
    out.only_in_other = right
        .iter()
        .filter(|(k, _)| !left.contains_key(*k))
        .map(|(_, &j)| other[j].dn.to_string())
        .collect();
    out
}

fn attribute_diffs(lab: &Entry, other: &Entry) -> Vec<AttributeDiff> {
    let values = |e: &Entry| -> BTreeMap<String, (String, BTreeSet<Vec<u8>>)> {
        e.attributes()
            .map(|a| {
                (
                    a.name.to_ascii_lowercase(),
                    (a.name.clone(), a.values.iter().cloned().collect()),
                )
            })
            .collect()
    };
    let (l, r) = (values(lab), values(other));
    let names: BTreeSet<&String> = l.keys().chain(r.keys()).collect();
    let text = |set: Option<&(String, BTreeSet<Vec<u8>>)>| -> Vec<String> {
        set.map(|(_, vals)| vals.iter().map(|v| shown(v)).collect())
            .unwrap_or_default()
    };
    names
        .into_iter()
        .filter(|n| l.get(*n).map(|x| &x.1) != r.get(*n).map(|x| &x.1))
        .map(|n| AttributeDiff {
            name: l
                .get(n)
                .or_else(|| r.get(n))
                .map_or_else(|| n.clone(), |x| x.0.clone()),
            lab: text(l.get(n)),
            other: text(r.get(n)),
        })
        .collect()
}

/// A value as text; binary values in base64, as LDIF shows them.
fn shown(value: &[u8]) -> String {
    use base64::Engine;
    match std::str::from_utf8(value) {
        Ok(t) if !t.chars().any(char::is_control) => t.to_string(),
        _ => format!(
            "(base64) {}",
            base64::engine::general_purpose::STANDARD.encode(value)
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::Dn;

    fn entry(dn: &str, attrs: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(Dn::parse(dn).unwrap());
        for (a, v) in attrs {
            e.add_value(a, v.as_bytes().to_vec());
        }
        e
    }

    #[test]
    fn objects_and_attributes_that_differ_are_named() {
        let lab = [
            entry("CN=A,DC=x", &[("cn", "A"), ("description", "new")]),
            entry("CN=B,DC=x", &[("cn", "B")]),
        ];
        let other = [
            entry("cn=a,dc=x", &[("CN", "A"), ("description", "old")]),
            entry("CN=C,DC=x", &[("cn", "C")]),
        ];
        let d = diff(&lab, &other);
        assert_eq!(d.only_in_lab, ["CN=B,DC=x"]);
        assert_eq!(d.only_in_other, ["CN=C,DC=x"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            d.changed[0].attributes,
            [AttributeDiff {
                name: "description".into(),
                lab: vec!["new".into()],
                other: vec!["old".into()],
            }]
        );
        assert!(diff(&lab, &lab).is_empty());
    }
}
