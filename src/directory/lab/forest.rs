//! The lab's in-memory forest: every entry keyed by its normalized DN, a child index for
//! one-level searches, equality indexes on the attributes umctl looks objects up by, and the
//! contract checks that run on every write.
//!
//! It does no I/O: loading and saving the LDIF file is `store`'s job.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::directory::model::attrs::NT_SECURITY_DESCRIPTOR;
use crate::directory::model::rtc_group::sid_from_value;
use crate::directory::model::schema::check_entry;
use crate::directory::security::{Acl, SecurityDescriptor, Sid};
use crate::directory::{
    Change, ContractViolation, DirectoryError, Dn, Entry, Filter, ModOp, Modification, Result,
    Scope,
};

/// Attributes with an equality index (lowercase). These are the ones Exchange and Skype look
/// objects up by (AD indexes them too), so a lookup is a hash probe, not a scan.
const INDEXED: &[&str] = &[
    "samaccountname",
    "proxyaddresses",
    "msexchumaddresses",
    "msrtcsip-primaryuseraddress",
    "msrtcsip-line",
    "telephonenumber",
    "userprincipalname",
    "mail",
    "dnshostname",
    "cn",
    "msexchumvoicemailpilotnumbers",
    "msexchumautoattendantdialednumbers",
    "legacyexchangedn",
];

fn is_indexed(attr_lower: &str) -> bool {
    INDEXED.contains(&attr_lower)
}

/// Case-folds a value for the index the way the filter compares strings.
fn index_key(value: &[u8]) -> Option<String> {
    std::str::from_utf8(value).ok().map(str::to_lowercase)
}

struct Stored {
    seq: u64,
    entry: Entry,
}

/// The lab forest in memory.
#[derive(Default)]
pub struct Forest {
    entries: HashMap<String, Stored>,
    /// Insertion order, so an export lists parents before children and keeps the file's order.
    order: BTreeMap<u64, String>,
    children: HashMap<String, BTreeSet<String>>,
    /// attribute (lowercase) -> value (case-folded) -> normalized DNs holding it.
    index: HashMap<&'static str, HashMap<String, Vec<String>>>,
    next_seq: u64,
}

impl Forest {
    pub fn new() -> Forest {
        Forest::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in insertion order (parents before children).
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.order
            .values()
            .filter_map(|key| self.entries.get(key).map(|s| &s.entry))
    }

    pub fn get(&self, dn: &Dn) -> Option<&Entry> {
        self.entries.get(dn.norm()).map(|s| &s.entry)
    }

    pub fn contains(&self, dn: &Dn) -> bool {
        self.entries.contains_key(dn.norm())
    }

    /// The domain partitions: entries without a parent in the forest.
    pub fn roots(&self) -> Vec<&Entry> {
        self.iter()
            .filter(|e| e.dn.parent().is_none_or(|p| !self.contains(&p)))
            .collect()
    }

    /// Adds an entry after the contract checks: the DN is new, its parent exists (only a
    /// domain root made of `DC=` components may stand alone), objectClass is present, the
    /// naming attribute matches the RDN, and the classes' required and single-valued
    /// attributes hold.
    pub fn add(&mut self, mut entry: Entry) -> Result<()> {
        if self.contains(&entry.dn) {
            return Err(DirectoryError::AlreadyExists {
                dn: entry.dn.to_string(),
            });
        }
        match entry.dn.parent() {
            None => {
                return Err(ContractViolation::new(
                    "(root)",
                    "dn",
                    "a non-empty DN (the rootDSE cannot be written)",
                )
                .into())
            }
            Some(parent) if parent.is_root() || !self.contains(&parent) => {
                if !is_domain_root(&entry.dn) {
                    return Err(DirectoryError::NoParent {
                        dn: entry.dn.to_string(),
                        parent: if parent.is_root() {
                            "(the forest root; only a domain, DC=..., may stand there)".into()
                        } else {
                            parent.to_string()
                        },
                    });
                }
            }
            Some(_) => {}
        }
        check_naming_attribute(&mut entry)?;
        check_entry(&entry)?;
        check_security_descriptor(&entry)?;
        self.insert(entry);
        Ok(())
    }

    /// Applies modifications the way AD does: `add` of a value already present and `delete`
    /// of a value that is not there are errors, `replace` with no values removes the
    /// attribute; the result must still satisfy the contract.
    pub fn modify(&mut self, dn: &Dn, mods: &[Modification]) -> Result<()> {
        let current = self
            .get(dn)
            .ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
        let mut updated = current.clone();
        let rdn_attr = dn.rdn_attr().map(str::to_ascii_lowercase);
        for m in mods {
            if rdn_attr.as_deref() == Some(m.attr.to_ascii_lowercase().as_str()) {
                let unchanged = m.op == ModOp::Replace
                    && m.values.len() == 1
                    && dn.rdn_value().map(str::as_bytes) == Some(m.values[0].as_slice());
                if !unchanged {
                    return Err(DirectoryError::NotAllowedOnRdn {
                        dn: dn.to_string(),
                        attr: m.attr.clone(),
                    });
                }
            }
            match m.op {
                ModOp::Add => {
                    for v in &m.values {
                        if contains_value(&updated, &m.attr, v) {
                            return Err(DirectoryError::ValueExists {
                                dn: dn.to_string(),
                                attr: m.attr.clone(),
                                value: String::from_utf8_lossy(v).into_owned(),
                            });
                        }
                        updated.add_value(&m.attr, v.clone());
                    }
                }
                ModOp::Delete if m.values.is_empty() => {
                    if updated.remove(&m.attr).is_none() {
                        return Err(DirectoryError::NoSuchValue {
                            dn: dn.to_string(),
                            attr: m.attr.clone(),
                            value: "(any)".into(),
                        });
                    }
                }
                ModOp::Delete => {
                    for v in &m.values {
                        if !updated.remove_value(&m.attr, v) {
                            return Err(DirectoryError::NoSuchValue {
                                dn: dn.to_string(),
                                attr: m.attr.clone(),
                                value: String::from_utf8_lossy(v).into_owned(),
                            });
                        }
                    }
                }
                ModOp::Replace => updated.set(&m.attr, m.values.clone()),
            }
        }
        if updated.object_classes().next().is_none() {
            return Err(ContractViolation::new(
                &dn.to_string(),
                "objectClass",
                "at least one value (it cannot be removed)",
            )
            .into());
        }
        check_entry(&updated)?;
        check_security_descriptor(&updated)?;
        let seq = self.remove_stored(dn).map(|s| s.seq);
        self.insert_at(updated, seq);
        Ok(())
    }

    /// Deletes a leaf entry.
    pub fn delete(&mut self, dn: &Dn) -> Result<()> {
        if !self.contains(dn) {
            return Err(DirectoryError::NoSuchObject { dn: dn.to_string() });
        }
        let children = self.children.get(dn.norm()).map_or(0, BTreeSet::len);
        if children > 0 {
            return Err(DirectoryError::NotAllowedOnNonLeaf {
                dn: dn.to_string(),
                children,
            });
        }
        self.remove_stored(dn);
        Ok(())
    }

    /// Applies a batch all or nothing: on failure the forest is left exactly as it was.
    pub fn apply(
        &mut self,
        changes: &[Change],
    ) -> std::result::Result<(), (usize, DirectoryError)> {
        let mut undo: Vec<Change> = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            let result = match change {
                Change::Add(entry) => self
                    .add(entry.clone())
                    .map(|()| Change::Delete(entry.dn.clone())),
                Change::Modify(dn, mods) => {
                    let before = self.get(dn).cloned();
                    self.modify(dn, mods).map(|()| match before {
                        Some(old) => Change::Add(old),
                        None => Change::Delete(dn.clone()),
                    })
                }
                Change::Delete(dn) => {
                    let before = self.get(dn).cloned();
                    self.delete(dn).map(|()| match before {
                        Some(old) => Change::Add(old),
                        None => Change::Delete(dn.clone()),
                    })
                }
                Change::SetDacl(dn, dacl) => {
                    let before = self.get(dn).cloned();
                    self.set_dacl(dn, dacl).map(|()| match before {
                        Some(old) => Change::Add(old),
                        None => Change::Delete(dn.clone()),
                    })
                }
            };
            match result {
                Ok(inverse) => undo.push(inverse),
                Err(e) => {
                    for inverse in undo.into_iter().rev() {
                        self.restore(inverse);
                    }
                    return Err((i, e));
                }
            }
        }
        Ok(())
    }

    /// Puts back what a batch step changed, without contract checks (the old state passed them).
    fn restore(&mut self, inverse: Change) {
        match inverse {
            Change::Delete(dn) => {
                self.remove_stored(&dn);
            }
            Change::Add(old) => {
                let seq = self.remove_stored(&old.dn).map(|s| s.seq);
                self.insert_at(old, seq);
            }
            Change::Modify(..) | Change::SetDacl(..) => {}
        }
    }

    /// The root domain's SID (what SDDL aliases such as DA and EA stand relative to).
    pub fn domain_sid(&self) -> Option<Sid> {
        self.roots()
            .into_iter()
            .find(|e| is_domain_root(&e.dn))
            .and_then(|e| e.first_bytes("objectSid"))
            .and_then(|v| sid_from_value(v).ok())
    }

    /// The object's security descriptor, parsed from the SDDL text the lab keeps.
    pub fn security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        let entry = self
            .get(dn)
            .ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
        let Some(text) = entry.first(NT_SECURITY_DESCRIPTOR) else {
            return Ok(None);
        };
        SecurityDescriptor::from_sddl(text, self.domain_sid().as_ref())
            .map(Some)
            .map_err(|error| DirectoryError::SecurityDescriptor {
                dn: dn.to_string(),
                error,
            })
    }

    /// Replaces the DACL of the object's descriptor, keeping owner, group, SACL and the
    /// control flags (a protected DACL stays protected).
    pub fn set_dacl(&mut self, dn: &Dn, dacl: &Acl) -> Result<()> {
        let mut sd = self.security(dn)?.unwrap_or_default();
        sd.dacl = Some(dacl.clone());
        let text = sd.to_sddl(self.domain_sid().as_ref()).map_err(|error| {
            DirectoryError::SecurityDescriptor {
                dn: dn.to_string(),
                error,
            }
        })?;
        self.modify(
            dn,
            &[Modification {
                op: ModOp::Replace,
                attr: NT_SECURITY_DESCRIPTOR.to_string(),
                values: vec![text.into_bytes()],
            }],
        )
    }

    /// Inserts without checks (used by `add` after checking, and by the loader, which checks
    /// the whole file first).
    pub(crate) fn insert(&mut self, entry: Entry) {
        self.insert_at(entry, None);
    }

    fn insert_at(&mut self, entry: Entry, seq: Option<u64>) {
        let key = entry.dn.norm().to_string();
        let seq = seq.unwrap_or_else(|| {
            self.next_seq += 1;
            self.next_seq
        });
        if let Some(parent) = entry.dn.parent() {
            self.children
                .entry(parent.norm().to_string())
                .or_default()
                .insert(key.clone());
        }
        for attr in entry.attributes() {
            let lower = attr.name.to_ascii_lowercase();
            if let Some(name) = INDEXED.iter().find(|n| **n == lower) {
                let postings = self.index.entry(name).or_default();
                for v in &attr.values {
                    if let Some(k) = index_key(v) {
                        postings.entry(k).or_default().push(key.clone());
                    }
                }
            }
        }
        self.order.insert(seq, key.clone());
        self.entries.insert(key, Stored { seq, entry });
    }

    fn remove_stored(&mut self, dn: &Dn) -> Option<Stored> {
        let key = dn.norm();
        let stored = self.entries.remove(key)?;
        self.order.remove(&stored.seq);
        if let Some(parent) = dn.parent() {
            if let Some(set) = self.children.get_mut(parent.norm()) {
                set.remove(key);
                if set.is_empty() {
                    self.children.remove(parent.norm());
                }
            }
        }
        for attr in stored.entry.attributes() {
            let lower = attr.name.to_ascii_lowercase();
            if !is_indexed(&lower) {
                continue;
            }
            if let Some(postings) = self.index.get_mut(lower.as_str()) {
                for v in &attr.values {
                    if let Some(k) = index_key(v) {
                        if let Some(list) = postings.get_mut(&k) {
                            list.retain(|d| d != key);
                            if list.is_empty() {
                                postings.remove(&k);
                            }
                        }
                    }
                }
            }
        }
        Some(stored)
    }

    /// LDAP search semantics over the forest. A base that does not exist is `NoSuchObject`,
    /// as on a real directory. Equality terms on indexed attributes narrow the candidates
    /// through the index; everything else scans the scope.
    pub fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        if !base.is_root() && !self.contains(base) {
            return Err(DirectoryError::NoSuchObject {
                dn: base.to_string(),
            });
        }
        let in_scope = |e: &Entry| match scope {
            Scope::Base => e.dn == *base,
            Scope::OneLevel => e.dn.parent().as_ref() == Some(base),
            Scope::Subtree => e.dn.is_within(base),
        };
        let project = |e: &Entry| {
            if attrs.is_empty() {
                e.clone()
            } else {
                e.project(attrs)
            }
        };
        let mut out = Vec::new();
        if let Some(candidates) = self.candidates(filter) {
            for key in candidates {
                if let Some(s) = self.entries.get(key) {
                    if in_scope(&s.entry) && filter.matches(&s.entry) {
                        out.push(project(&s.entry));
                    }
                }
            }
            return Ok(out);
        }
        match scope {
            Scope::Base => {
                if let Some(e) = self.get(base) {
                    if filter.matches(e) {
                        out.push(project(e));
                    }
                }
            }
            Scope::OneLevel => {
                if let Some(kids) = self.children.get(base.norm()) {
                    for key in kids {
                        if let Some(s) = self.entries.get(key) {
                            if filter.matches(&s.entry) {
                                out.push(project(&s.entry));
                            }
                        }
                    }
                }
            }
            Scope::Subtree => {
                for e in self.iter() {
                    if e.dn.is_within(base) && filter.matches(e) {
                        out.push(project(e));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The smallest posting list among the filter's required equality terms on indexed
    /// attributes, or `None` when no such term exists.
    fn candidates(&self, filter: &Filter) -> Option<Vec<&String>> {
        let mut best: Option<&Vec<String>> = None;
        for (attr, value) in filter.indexable_equalities() {
            let lower = attr.to_ascii_lowercase();
            if !is_indexed(&lower) {
                continue;
            }
            let Some(key) = index_key(value) else {
                continue;
            };
            match self.index.get(lower.as_str()).and_then(|p| p.get(&key)) {
                // A required value nobody has: nothing can match.
                None => return Some(Vec::new()),
                Some(list) => {
                    if best.is_none_or(|b| list.len() < b.len()) {
                        best = Some(list);
                    }
                }
            }
        }
        best.map(|list| {
            let mut seen = BTreeSet::new();
            list.iter().filter(|k| seen.insert(k.as_str())).collect()
        })
    }
}

/// `DC=contoso,DC=com`: a domain root may be the first entry of its tree.
fn is_domain_root(dn: &Dn) -> bool {
    dn.rdns()
        .iter()
        .all(|r| r.avas().iter().all(|a| a.attr.eq_ignore_ascii_case("dc")))
}

/// AD fills in the naming attribute from the RDN; a different value is a naming violation.
fn check_naming_attribute(entry: &mut Entry) -> Result<()> {
    let (Some(attr), Some(value)) = (entry.dn.rdn_attr(), entry.dn.rdn_value()) else {
        return Ok(());
    };
    // AD names the attribute as the schema spells it (cn, ou, dc), whatever the DN's case.
    let (attr, value) = (attr.to_ascii_lowercase(), value.to_string());
    if entry.object_classes().next().is_none() {
        return Err(ContractViolation::new(
            &entry.dn.to_string(),
            "objectClass",
            "at least one value (every object has a class)",
        )
        .into());
    }
    match entry.first(&attr) {
        None => entry.set_str(&attr, &value),
        Some(v) if v.eq_ignore_ascii_case(&value) => {}
        Some(v) => {
            return Err(ContractViolation::new(
                &entry.dn.to_string(),
                &attr,
                &format!("the RDN value '{value}' (naming attribute), got '{v}'"),
            )
            .into())
        }
    }
    Ok(())
}

/// The lab keeps `nTSecurityDescriptor` as SDDL text (domain.md A.5); anything else would
/// break every later access check, so it is refused on write.
fn check_security_descriptor(entry: &Entry) -> Result<()> {
    let values = entry.values(NT_SECURITY_DESCRIPTOR);
    if values.len() > 1 {
        return Err(ContractViolation::new(
            &entry.dn.to_string(),
            NT_SECURITY_DESCRIPTOR,
            "one value (it is single-valued)",
        )
        .into());
    }
    let Some(value) = values.first() else {
        return Ok(());
    };
    // Aliases such as DA need a domain SID; any one will do for a syntax check.
    let placeholder = "S-1-5-21-0-0-0".parse::<Sid>().ok();
    let parsed = std::str::from_utf8(value)
        .map_err(|_| "binary data".to_string())
        .and_then(|text| {
            SecurityDescriptor::from_sddl(text, placeholder.as_ref()).map_err(|e| e.to_string())
        });
    match parsed {
        Ok(_) => Ok(()),
        Err(why) => Err(ContractViolation::new(
            &entry.dn.to_string(),
            NT_SECURITY_DESCRIPTOR,
            &format!("SDDL text such as 'D:(A;CI;LCRP;;;S-1-5-...)' ({why})"),
        )
        .into()),
    }
}

fn contains_value(entry: &Entry, attr: &str, value: &[u8]) -> bool {
    entry.values(attr).iter().any(|v| {
        v.as_slice() == value
            || match (std::str::from_utf8(v), std::str::from_utf8(value)) {
                (Ok(a), Ok(b)) => a.to_lowercase() == b.to_lowercase(),
                _ => false,
            }
    })
}
