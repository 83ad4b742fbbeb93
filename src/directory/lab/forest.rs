//! The lab's in-memory forest: every entry in a slot (slots keep insertion order, so an export
//! lists parents before children), a map from normalized DN to slot, a child index for
//! one-level searches, equality indexes on the attributes umctl looks objects up by, and the
//! contract checks that run on every write.
//!
//! It does no I/O: loading and saving the LDIF file is `store`'s job.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

// The lab's own maps hash DNs and values it wrote itself: FxHash is several times faster
// than SipHash here, and flooding resistance buys nothing for a local file.
use rustc_hash::FxHashMap as HashMap;

use crate::directory::model::attrs::{NT_SECURITY_DESCRIPTOR, OBJECT_CLASS};
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

/// The objectClass index. Only the on-disk index (`disk_index`) keeps it: in memory every
/// object's classes would cost more than the scans it saves; on disk it lets a read-only
/// command find the few objects of a UM class without reading the others.
pub(crate) const CLASS_INDEX: &str = "objectclass";

/// The index an attribute name belongs to, if any.
pub(crate) fn indexed(name: &str) -> Option<&'static str> {
    INDEXED
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(name))
}

/// Case-folds a value for the index the way the filter compares strings.
pub(crate) fn index_key(value: &[u8]) -> Option<Box<str>> {
    let text = std::str::from_utf8(value).ok()?;
    Some(if text.is_ascii() {
        text.to_ascii_lowercase().into_boxed_str()
    } else {
        text.to_lowercase().into_boxed_str()
    })
}

type Slot = u32;

/// One index's values in order, with the object each belongs to.
type SortedValues = Arc<Vec<(Box<str>, Slot)>>;

/// The objects holding one indexed value. Most values (an EUM address, a line URI) belong to
/// one object: keeping that one inline saves an allocation per value.
#[derive(Clone, Debug)]
enum Postings {
    One(Slot),
    Many(Vec<Slot>),
}

impl Postings {
    fn slots(&self) -> &[Slot] {
        match self {
            Postings::One(s) => std::slice::from_ref(s),
            Postings::Many(v) => v,
        }
    }

    fn push(&mut self, slot: Slot) {
        match self {
            Postings::One(s) if *s == slot => {}
            Postings::One(s) => *self = Postings::Many(vec![*s, slot]),
            Postings::Many(v) => {
                if v.last() != Some(&slot) {
                    v.push(slot);
                }
            }
        }
    }

    /// Removes `slot`; false when nothing is left.
    fn remove(&mut self, slot: Slot) -> bool {
        match self {
            Postings::One(s) => *s != slot,
            Postings::Many(v) => {
                v.retain(|s| *s != slot);
                !v.is_empty()
            }
        }
    }
}

/// How to undo one step of a batch: put this slot back as it was.
struct Undo {
    slot: Slot,
    before: Option<Entry>,
}

/// The text of one record of a forest file umctl wrote itself, parsed on first use.
pub struct RawRecord {
    pub text: Arc<[u8]>,
    pub range: Range<usize>,
}

/// One stored object: parsed, or (after a trusted load, see `trusted_load`) its record text,
/// parsed the first time something reads it. A trace of one call reads a few dozen objects
/// of a forest of 100,000; only those are ever parsed.
struct Stored {
    /// The normalized DN (the key of `ids`).
    key: Box<str>,
    /// The DN, parsed when first needed (a trusted load reads only the normalized key).
    dn: OnceLock<Dn>,
    raw: Option<RawRecord>,
    entry: OnceLock<Entry>,
}

impl Stored {
    fn parsed(entry: Entry) -> Stored {
        Stored {
            key: entry.dn.norm().into(),
            dn: OnceLock::new(),
            raw: None,
            entry: OnceLock::from(entry),
        }
    }

    fn entry(&self) -> &Entry {
        self.entry.get_or_init(|| match &self.raw {
            Some(raw) => parse_raw(self.dn(), raw),
            None => Entry::new(self.dn().clone()),
        })
    }

    fn dn(&self) -> &Dn {
        if let Some(entry) = self.entry.get() {
            return &entry.dn;
        }
        self.dn.get_or_init(|| {
            record_dn(
                self.raw
                    .as_ref()
                    .and_then(|raw| raw.text.get(raw.range.clone()))
                    .unwrap_or_default(),
            )
        })
    }
}

/// The normalized key of a DN's parent, from the DN's own normalized key: everything after
/// its first unescaped comma (`""` for a top-level DN, `None` for the root).
pub(crate) fn parent_key(key: &str) -> Option<&str> {
    if key.is_empty() {
        return None;
    }
    let bytes = key.as_bytes();
    let mut escaped = false;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\\' if !escaped => escaped = true,
            b',' if !escaped => return Some(&key[i + 1..]),
            _ => escaped = false,
        }
    }
    Some("")
}

/// The DN on the first line of a record umctl wrote (the root DN when there is none).
fn record_dn(text: &[u8]) -> Dn {
    let first_line = text
        .split(|b| *b == b'\n')
        .next()
        .and_then(|line| line.strip_prefix(b"dn: "))
        .and_then(|dn| std::str::from_utf8(dn).ok());
    first_line
        .and_then(|t| Dn::parse(t).ok())
        .unwrap_or_else(Dn::root)
}

/// Parses a record umctl wrote. The file's digest matched, so the record is what umctl
/// wrote after checking it; should it still not parse, the object keeps its DN only.
fn parse_raw(dn: &Dn, raw: &RawRecord) -> Entry {
    parse_record(raw.text.get(raw.range.clone()).unwrap_or_default())
        .unwrap_or_else(|| Entry::new(dn.clone()))
}

/// The entry of one record of a trusted forest file (see [`parse_raw`]).
pub(crate) fn entry_from_record(text: &[u8]) -> Entry {
    parse_record(text).unwrap_or_else(|| Entry::new(record_dn(text)))
}

fn parse_record(text: &[u8]) -> Option<Entry> {
    match crate::directory::ldif::parse(text).map(|mut r| r.pop()) {
        Ok(Some(crate::directory::ldif::LdifRecord {
            dn: record_dn,
            body: crate::directory::ldif::RecordBody::Content(attrs),
            ..
        })) => super::entry_from_attrs(&record_dn, attrs).ok(),
        _ => None,
    }
}

/// What [`Forest::disk_rows`] found: (index, value, object number) rows of the equality
/// indexes, and (value, object number) rows of objectClass.
pub(crate) struct DiskRows<'a> {
    pub indexed: Vec<(&'static str, &'a str, u32)>,
    pub classes: Vec<(Box<str>, u32)>,
}

impl DiskRows<'_> {
    /// Every row, with its index name.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &str, u32)> {
        self.indexed.iter().copied().chain(
            self.classes
                .iter()
                .map(|(value, n)| (CLASS_INDEX, &**value, *n)),
        )
    }
}

/// The lab forest in memory.
#[derive(Default)]
pub struct Forest {
    /// Objects in insertion order; `None` where one was deleted.
    slots: Vec<Option<Stored>>,
    /// Normalized DN -> slot.
    ids: HashMap<Box<str>, Slot>,
    /// Parent slot -> child slots.
    children: HashMap<Slot, Vec<Slot>>,
    /// attribute (lowercase) -> value (case-folded) -> slots holding it.
    index: HashMap<&'static str, HashMap<Box<str>, Postings>>,
    /// Slots of the entries whose parent is not in the forest (the domain partitions), so
    /// `roots` (asked by every naming-context and security-descriptor read) costs no scan.
    root_slots: BTreeSet<Slot>,
    /// Per indexed attribute, its values sorted, for prefix searches; built on the first
    /// prefix search and dropped on every change (prefix searches are rare, changes rarer
    /// than lookups).
    sorted: std::sync::Mutex<HashMap<&'static str, SortedValues>>,
    live: usize,
}

impl Forest {
    pub fn new() -> Forest {
        Forest::default()
    }

    /// A forest sized for `entries` objects (the loader knows the count up front).
    pub fn with_capacity(entries: usize) -> Forest {
        let mut forest = Forest::default();
        forest.slots.reserve(entries);
        forest.ids.reserve(entries);
        forest
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Entries in insertion order (parents before children).
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().flatten().map(Stored::entry)
    }

    /// Writes every object as an LDIF content record, in order. Objects still in their
    /// original record text are copied as they are, without parsing them.
    pub fn write_records<W: std::io::Write>(
        &self,
        writer: &mut crate::directory::ldif::LdifWriter<W>,
    ) -> std::io::Result<()> {
        self.write_records_then(writer, |_| {})
    }

    /// [`Forest::write_records`], calling `written` with each object's normalized DN right
    /// after its record (the save notes where each record ends, for the on-disk index).
    pub(crate) fn write_records_then<'a, W: std::io::Write>(
        &'a self,
        writer: &mut crate::directory::ldif::LdifWriter<W>,
        mut written: impl FnMut(&'a str),
    ) -> std::io::Result<()> {
        for stored in self.slots.iter().flatten() {
            // A slot still holding record text was never changed (a change replaces the slot).
            match &stored.raw {
                Some(raw) => {
                    writer.raw_record(raw.text.get(raw.range.clone()).unwrap_or_default())?
                }
                None => writer.entry(stored.entry())?,
            }
            written(&stored.key);
        }
        Ok(())
    }

    /// The rows of the on-disk index (see `disk_index::build_from`) for the forest as
    /// [`Forest::write_records`] writes it, objects numbered in that order: every indexed value
    /// from the in-memory indexes, and every objectClass value from the entries (or, for an
    /// object never parsed, from its record text). Nothing is rescanned but objectClass lines.
    pub(crate) fn disk_rows(&self) -> Result<DiskRows<'_>> {
        let mut numbers = vec![u32::MAX; self.slots.len()];
        let mut classes = Vec::with_capacity(self.live * 4);
        for (n, (slot, stored)) in self
            .slots
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .enumerate()
        {
            numbers[slot] = n as u32;
            let n = n as u32;
            match (stored.entry.get(), &stored.raw) {
                (Some(entry), _) => classes.extend(
                    entry
                        .values(OBJECT_CLASS)
                        .iter()
                        .filter_map(|v| index_key(v).map(|k| (k, n))),
                ),
                (None, Some(raw)) => {
                    let text = raw.text.get(raw.range.clone()).unwrap_or_default();
                    let found = super::trusted_load::record_classes(text)?;
                    classes.extend(found.into_iter().map(|k| (k, n)));
                }
                (None, None) => {}
            }
        }
        let mut indexed = Vec::new();
        for (name, values) in &self.index {
            for (value, postings) in values {
                indexed.extend(
                    postings
                        .slots()
                        .iter()
                        .map(|s| (*name, &**value, numbers[*s as usize])),
                );
            }
        }
        Ok(DiskRows { indexed, classes })
    }

    fn slot_of(&self, dn: &Dn) -> Option<Slot> {
        self.ids.get(dn.norm()).copied()
    }

    fn entry(&self, slot: Slot) -> Option<&Entry> {
        self.slots
            .get(slot as usize)
            .and_then(Option::as_ref)
            .map(Stored::entry)
    }

    fn key_of(&self, slot: Slot) -> Option<&str> {
        self.slots
            .get(slot as usize)
            .and_then(Option::as_ref)
            .map(|s| &*s.key)
    }

    pub fn get(&self, dn: &Dn) -> Option<&Entry> {
        self.slot_of(dn).and_then(|s| self.entry(s))
    }

    pub fn contains(&self, dn: &Dn) -> bool {
        self.ids.contains_key(dn.norm())
    }

    /// The domain partitions: entries without a parent in the forest.
    pub fn roots(&self) -> Vec<&Entry> {
        self.root_slots
            .iter()
            .filter_map(|s| self.entry(*s))
            .collect()
    }

    /// Adds an entry after the contract checks: the DN is new, its parent exists (only a
    /// domain root made of `DC=` components may stand alone), objectClass is present, the
    /// naming attribute matches the RDN, and the classes' required and single-valued
    /// attributes hold.
    pub fn add(&mut self, entry: Entry) -> Result<()> {
        let entry = prepare(entry)?;
        self.add_prepared(entry)
    }

    /// The structural half of `add`, for an entry that went through [`prepare`] already (the
    /// loader prepares entries on several cores): a new DN under an existing parent.
    pub fn add_prepared(&mut self, prepared: Prepared) -> Result<()> {
        let Prepared { entry, keys } = prepared;
        self.check_place(&entry.dn)?;
        self.insert_keyed(entry, Some(keys));
        Ok(())
    }

    /// Adds an object from the record text of a trusted forest file, with its index keys;
    /// only the structure is checked (the contract was checked when umctl wrote it).
    pub(crate) fn add_raw(
        &mut self,
        key: Box<str>,
        dn: Option<Dn>,
        raw: RawRecord,
        keys: IndexKeys,
    ) -> Result<()> {
        let placed =
            self.ids.contains_key(&*key).then_some(false).or_else(|| {
                parent_key(&key).map(|p| self.ids.contains_key(p) || is_domain_key(&key))
            });
        let stored = Stored {
            key,
            dn: dn.map(OnceLock::from).unwrap_or_default(),
            raw: Some(raw),
            entry: OnceLock::new(),
        };
        if placed != Some(true) {
            // Not where it may go: let the full check name the problem.
            self.check_place(stored.dn())?;
        }
        let slot = self.slots.len() as Slot;
        self.slots.push(None);
        self.replace_stored(slot, Some(stored), Some(keys));
        Ok(())
    }

    /// Where a new object may go: a new DN under an existing parent (or a domain root).
    fn check_place(&self, dn: &Dn) -> Result<()> {
        if self.contains(dn) {
            return Err(DirectoryError::AlreadyExists { dn: dn.to_string() });
        }
        match dn.parent_norm() {
            None => {
                return Err(ContractViolation::new(
                    "(root)",
                    "dn",
                    "a non-empty DN (the rootDSE cannot be written)",
                )
                .into())
            }
            Some(parent) if parent.is_empty() || !self.ids.contains_key(parent) => {
                if !is_domain_root(dn) {
                    return Err(DirectoryError::NoParent {
                        dn: dn.to_string(),
                        parent: match dn.parent() {
                            Some(p) if !p.is_root() => p.to_string(),
                            _ => "(the forest root; only a domain, DC=..., may stand there)".into(),
                        },
                    });
                }
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Checks and adds; the undo record puts the slot back to empty.
    fn add_logged(&mut self, entry: Entry) -> Result<Undo> {
        self.add(entry)?;
        Ok(Undo {
            slot: (self.slots.len() - 1) as Slot,
            before: None,
        })
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
        if let Some(slot) = self.slot_of(dn) {
            self.replace_slot(slot, Some(updated));
        }
        Ok(())
    }

    /// Deletes a leaf entry.
    pub fn delete(&mut self, dn: &Dn) -> Result<()> {
        if !self.contains(dn) {
            return Err(DirectoryError::NoSuchObject { dn: dn.to_string() });
        }
        let slot = self.slot_of(dn).unwrap_or_default();
        let children = self.children.get(&slot).map_or(0, Vec::len);
        if children > 0 {
            return Err(DirectoryError::NotAllowedOnNonLeaf {
                dn: dn.to_string(),
                children,
            });
        }
        self.replace_slot(slot, None);
        Ok(())
    }

    /// Applies a batch all or nothing: on failure the forest is left exactly as it was.
    pub fn apply(
        &mut self,
        changes: &[Change],
    ) -> std::result::Result<(), (usize, DirectoryError)> {
        self.apply_failing_at(changes, None)
    }

    /// [`Forest::apply`], with step `fail_at` (1-based) failing on purpose: the test hook of
    /// `UMCTL_FAULT=apply-fail-at-step:N` (see `directory::fault`).
    pub fn apply_failing_at(
        &mut self,
        changes: &[Change],
        fail_at: Option<usize>,
    ) -> std::result::Result<(), (usize, DirectoryError)> {
        let mut undo: Vec<Undo> = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            let result = match change {
                _ if fail_at == Some(i + 1) => Err(crate::directory::fault::injected(i + 1)),
                Change::Add(entry) => self.add_logged(entry.clone()),
                Change::Modify(dn, mods) => self.logged(dn, |f| f.modify(dn, mods)),
                Change::Delete(dn) => self.logged(dn, |f| f.delete(dn)),
                Change::SetDacl(dn, dacl) => self.logged(dn, |f| f.set_dacl(dn, dacl)),
            };
            match result {
                Ok(u) => undo.push(u),
                Err(e) => {
                    for u in undo.into_iter().rev() {
                        self.replace_slot(u.slot, u.before);
                    }
                    return Err((i, e));
                }
            }
        }
        Ok(())
    }

    /// Runs a change to an existing object, recording its slot's previous state.
    fn logged(&mut self, dn: &Dn, change: impl FnOnce(&mut Forest) -> Result<()>) -> Result<Undo> {
        let slot = self
            .slot_of(dn)
            .ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
        let before = self.entry(slot).cloned();
        change(self)?;
        Ok(Undo { slot, before })
    }

    /// The root domain's SID (what SDDL aliases such as DA and EA stand relative to).
    pub fn domain_sid(&self) -> Option<Sid> {
        domain_sid_of(self.roots())
    }

    /// The object's security descriptor, parsed from the SDDL text the lab keeps.
    pub fn security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        descriptor_of(dn, self.get(dn), self.domain_sid().as_ref())
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

    /// Appends a new slot without checks (used by `add` after checking).
    fn insert_keyed(&mut self, entry: Entry, keys: Option<IndexKeys>) {
        let slot = self.slots.len() as Slot;
        self.slots.push(None);
        self.replace_slot_keyed(slot, Some(entry), keys);
    }

    /// Puts `entry` (or nothing) into `slot`, keeping the DN map, the child index and the
    /// equality indexes in step. The one place those structures change.
    fn replace_slot(&mut self, slot: Slot, entry: Option<Entry>) {
        self.replace_slot_keyed(slot, entry, None);
    }

    /// `replace_slot` with the entry's index keys computed beforehand (by the loader, on
    /// several cores).
    fn replace_slot_keyed(&mut self, slot: Slot, entry: Option<Entry>, keys: Option<IndexKeys>) {
        self.replace_stored(slot, entry.map(Stored::parsed), keys);
    }

    fn replace_stored(&mut self, slot: Slot, stored: Option<Stored>, keys: Option<IndexKeys>) {
        if let Ok(sorted) = self.sorted.get_mut() {
            sorted.clear();
        }
        if let Some(old) = self.slots.get_mut(slot as usize).and_then(Option::take) {
            self.live -= 1;
            self.root_slots.remove(&slot);
            self.ids.remove(&old.key);
            if let Some(parent) = parent_key(&old.key).and_then(|p| self.ids.get(p)).copied() {
                if let Some(kids) = self.children.get_mut(&parent) {
                    kids.retain(|k| *k != slot);
                    if kids.is_empty() {
                        self.children.remove(&parent);
                    }
                }
            }
            for attr in old.entry().attributes() {
                let Some(name) = indexed(&attr.name) else {
                    continue;
                };
                let Some(postings) = self.index.get_mut(name) else {
                    continue;
                };
                for v in &attr.values {
                    if let Some(k) = index_key(v) {
                        if let Some(list) = postings.get_mut(&k) {
                            if !list.remove(slot) {
                                postings.remove(&k);
                            }
                        }
                    }
                }
            }
        }
        let Some(stored) = stored else {
            return;
        };
        self.live += 1;
        self.ids.insert(stored.key.clone(), slot);
        if let Some(parent) = parent_key(&stored.key)
            .and_then(|p| self.ids.get(p))
            .copied()
        {
            self.children.entry(parent).or_default().push(slot);
        } else {
            self.root_slots.insert(slot);
        }
        // A root whose parent this entry is stops being a root (roots are few).
        let norm = &*stored.key;
        let adopted: Vec<Slot> = self
            .root_slots
            .iter()
            .copied()
            .filter(|r| {
                *r != slot
                    && self
                        .key_of(*r)
                        .and_then(parent_key)
                        .is_some_and(|p| p == norm)
            })
            .collect();
        for r in adopted {
            self.root_slots.remove(&r);
        }
        for (name, key) in keys.unwrap_or_else(|| index_keys(stored.entry())) {
            self.index
                .entry(name)
                .or_default()
                .entry(key)
                .and_modify(|p| p.push(slot))
                .or_insert(Postings::One(slot));
        }
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = Some(stored);
        }
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
        let in_scope = |e: &Entry| scope.covers(base, &e.dn);
        let project = |e: &Entry| e.project(attrs);
        let mut out = Vec::new();
        if let Some(candidates) = self.candidates(filter) {
            for slot in candidates {
                if let Some(e) = self.entry(slot) {
                    if in_scope(e) && filter.matches(e) {
                        out.push(project(e));
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
                let kids = self.slot_of(base).and_then(|s| self.children.get(&s));
                for slot in kids.into_iter().flatten() {
                    if let Some(e) = self.entry(*slot) {
                        if filter.matches(e) {
                            out.push(project(e));
                        }
                    }
                }
                if base.is_root() {
                    for e in self.roots() {
                        if filter.matches(e) {
                            out.push(project(e));
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
    fn candidates(&self, filter: &Filter) -> Option<Vec<Slot>> {
        let mut best: Option<&[Slot]> = None;
        for (attr, value) in filter.indexable_equalities() {
            let Some(name) = indexed(attr) else {
                continue;
            };
            let Some(key) = index_key(value) else {
                continue;
            };
            match self
                .index
                .get(name)
                .and_then(|p| p.get(&key))
                .map(Postings::slots)
            {
                // A required value nobody has: nothing can match.
                None => return Some(Vec::new()),
                Some(list) => {
                    if best.is_none_or(|b| list.len() < b.len()) {
                        best = Some(list);
                    }
                }
            }
        }
        if let Some(list) = best {
            let mut seen = BTreeSet::new();
            return Some(list.iter().copied().filter(|s| seen.insert(*s)).collect());
        }
        // No equality to look up: a required prefix on an indexed attribute narrows the
        // candidates through the sorted values.
        for (attr, prefix) in filter.indexable_prefixes() {
            let (Some(name), Some(prefix)) = (indexed(attr), index_key(prefix)) else {
                continue;
            };
            let sorted = self.sorted_values(name);
            let start = sorted.partition_point(|(k, _)| **k < *prefix);
            let mut slots: Vec<Slot> = sorted[start..]
                .iter()
                .take_while(|(k, _)| k.starts_with(&*prefix))
                .map(|(_, s)| *s)
                .collect();
            slots.sort_unstable();
            slots.dedup();
            return Some(slots);
        }
        None
    }

    /// The values of one index, sorted (built once, until the next change).
    fn sorted_values(&self, name: &'static str) -> SortedValues {
        let mut cache = match self.sorted.lock() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        };
        cache
            .entry(name)
            .or_insert_with(|| {
                let mut all: Vec<(Box<str>, Slot)> = self
                    .index
                    .get(name)
                    .into_iter()
                    .flatten()
                    .flat_map(|(k, p)| p.slots().iter().map(move |s| (k.clone(), *s)))
                    .collect();
                all.sort_unstable();
                Arc::new(all)
            })
            .clone()
    }
}

/// The root domain's SID among the domain partitions `roots`.
pub(crate) fn domain_sid_of<'a>(roots: impl IntoIterator<Item = &'a Entry>) -> Option<Sid> {
    roots
        .into_iter()
        .find(|e| is_domain_root(&e.dn))
        .and_then(|e| e.first_bytes("objectSid"))
        .and_then(|v| sid_from_value(v).ok())
}

/// The security descriptor of `entry` (the object at `dn`, `None` when there is none), parsed
/// from the SDDL text the lab keeps.
pub(crate) fn descriptor_of(
    dn: &Dn,
    entry: Option<&Entry>,
    domain: Option<&Sid>,
) -> Result<Option<SecurityDescriptor>> {
    let entry = entry.ok_or_else(|| DirectoryError::NoSuchObject { dn: dn.to_string() })?;
    let Some(text) = entry.first(NT_SECURITY_DESCRIPTOR) else {
        return Ok(None);
    };
    SecurityDescriptor::from_sddl(text, domain)
        .map(Some)
        .map_err(|error| DirectoryError::SecurityDescriptor {
            dn: dn.to_string(),
            error,
        })
}

/// The checks of one entry that need no other entry: objectClass, the naming attribute (filled
/// in from the RDN as AD does), the contract, and the security descriptor's syntax.
pub fn prepare(mut entry: Entry) -> Result<Prepared> {
    check_naming_attribute(&mut entry)?;
    check_entry(&entry)?;
    check_security_descriptor(&entry)?;
    let keys = index_keys(&entry);
    Ok(Prepared { entry, keys })
}

/// An entry that passed the per-entry checks, with its index keys.
pub struct Prepared {
    entry: Entry,
    keys: IndexKeys,
}

impl Prepared {
    /// The entry as the forest keeps it (naming attribute filled in).
    pub fn into_entry(self) -> Entry {
        self.entry
    }
}

/// (index, case-folded value) for every indexed value of an entry.
pub(crate) type IndexKeys = Vec<(&'static str, Box<str>)>;

fn index_keys(entry: &Entry) -> IndexKeys {
    let mut keys = Vec::new();
    for attr in entry.attributes() {
        let Some(name) = indexed(&attr.name) else {
            continue;
        };
        keys.extend(
            attr.values
                .iter()
                .filter_map(|v| index_key(v).map(|k| (name, k))),
        );
    }
    keys
}

/// `dc=contoso,dc=com` (a normalized key): a domain root.
pub(crate) fn is_domain_key(key: &str) -> bool {
    let mut rest = Some(key);
    while let Some(k) = rest.filter(|k| !k.is_empty()) {
        let rdn = match parent_key(k) {
            Some(p) if !p.is_empty() => &k[..k.len() - p.len() - 1],
            _ => k,
        };
        if !rdn.starts_with("dc=") || rdn.contains('+') {
            return false;
        }
        rest = parent_key(k);
    }
    true
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(dn: &str, class: &str) -> Entry {
        Entry::new(Dn::parse(dn).unwrap()).with("objectClass", class)
    }

    #[test]
    fn prefix_candidates_follow_changes() {
        let mut f = Forest::new();
        f.add(entry("DC=contoso,DC=com", "domainDNS")).unwrap();
        let c = |n: &str| Dn::parse(&format!("CN={n},DC=contoso,DC=com")).unwrap();
        f.add(entry("CN=a,DC=contoso,DC=com", "contact").with("telephoneNumber", "+9621"))
            .unwrap();
        let prefix = Filter::parse("(telephoneNumber=+962*)").unwrap();
        let names = |f: &Forest| -> Vec<String> {
            let mut v: Vec<String> = f
                .search(&Dn::root(), Scope::Subtree, &prefix, &[])
                .unwrap()
                .iter()
                .map(|e| e.dn.rdn_value().unwrap_or_default().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&f), ["a"]);
        f.add(entry("CN=b,DC=contoso,DC=com", "contact").with("telephoneNumber", "+9622"))
            .unwrap();
        assert_eq!(names(&f), ["a", "b"], "an add rebuilds the sorted values");
        f.modify(
            &c("a"),
            &[Modification {
                op: ModOp::Replace,
                attr: "telephoneNumber".into(),
                values: vec![b"+441".to_vec()],
            }],
        )
        .unwrap();
        assert_eq!(names(&f), ["b"], "a modify too");
    }

    #[test]
    fn roots_are_kept_without_a_scan() {
        let mut f = Forest::new();
        f.add(entry("DC=contoso,DC=com", "domainDNS")).unwrap();
        f.add(entry("OU=Staff,DC=contoso,DC=com", "organizationalUnit"))
            .unwrap();
        f.add(entry("DC=fabrikam,DC=com", "domainDNS")).unwrap();
        let names = |f: &Forest| {
            let mut r: Vec<String> = f.roots().iter().map(|e| e.dn.to_string()).collect();
            r.sort();
            r
        };
        assert_eq!(names(&f), vec!["DC=contoso,DC=com", "DC=fabrikam,DC=com"]);
        // A parent added after its child adopts it.
        f.add(entry("DC=com", "domainDNS")).unwrap();
        assert_eq!(names(&f), vec!["DC=com"]);
        // Modifying a root keeps it a root; deleting a leaf root removes it.
        let mut g = Forest::new();
        g.add(entry("DC=a,DC=com", "domainDNS")).unwrap();
        g.add(entry("DC=b,DC=com", "domainDNS")).unwrap();
        g.modify(
            &Dn::parse("DC=a,DC=com").unwrap(),
            &[Modification {
                op: ModOp::Replace,
                attr: "description".into(),
                values: vec![b"x".to_vec()],
            }],
        )
        .unwrap();
        assert_eq!(names(&g), vec!["DC=a,DC=com", "DC=b,DC=com"]);
        g.delete(&Dn::parse("DC=b,DC=com").unwrap()).unwrap();
        assert_eq!(names(&g), vec!["DC=a,DC=com"]);
    }
}
