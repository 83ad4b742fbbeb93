//! A read-only lab forest answered from its on-disk index (`disk_index`) and the open forest
//! file: a lookup finds its objects in the index and reads and parses only their records, so
//! a command that reads 20 objects of 100,000 reads 20 records.
//!
//! Its answers are the in-memory [`Forest`](super::Forest)'s, object for object and in the
//! same order (the tests compare them): the same base check, the same narrowing by indexed
//! equality terms and prefixes, the same scans otherwise, which skip the objects a required
//! objectClass rules out (only the on-disk index keeps objectClass). It cannot change anything: writers load the whole forest.

use std::sync::OnceLock;

use super::disk_index::DiskIndex;
use super::forest::CLASS_INDEX;
use super::forest::{descriptor_of, domain_sid_of, entry_from_record, index_key, indexed};
use super::positioned::Positioned;
use crate::directory::model::attrs::OBJECT_CLASS;
use crate::directory::security::{SecurityDescriptor, Sid};
use crate::directory::{DirectoryError, Dn, Entry, Filter, Result, Scope};

/// A forest file and its index; records read and parsed on first use.
pub struct IndexedForest {
    file: Positioned,
    index: DiskIndex,
    entries: Box<[OnceLock<Entry>]>,
}

impl IndexedForest {
    /// The forest in `file` (a trusted forest file) through `index` (checked against it).
    pub fn new(file: Positioned, index: DiskIndex) -> IndexedForest {
        let entries = (0..index.len()).map(|_| OnceLock::new()).collect();
        IndexedForest {
            file,
            index,
            entries,
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The record text of `slot`, as umctl wrote it (empty if it cannot be read).
    pub fn record_text(&self, slot: u32) -> Vec<u8> {
        self.index
            .record(slot)
            .filter(|r| r.start <= r.end)
            .and_then(|r| {
                self.file
                    .read(r.start, usize::try_from(r.end - r.start).ok()?)
            })
            .unwrap_or_default()
    }

    fn entry(&self, slot: u32) -> Option<&Entry> {
        let cell = self.entries.get(slot as usize)?;
        Some(cell.get_or_init(|| entry_from_record(&self.record_text(slot))))
    }

    /// Every object in file order (parents before children); parses every record.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        (0..self.index.len() as u32).filter_map(|s| self.entry(s))
    }

    fn slot_of(&self, dn: &Dn) -> Option<u32> {
        self.index.find(dn.norm())
    }

    pub fn get(&self, dn: &Dn) -> Option<&Entry> {
        self.slot_of(dn).and_then(|s| self.entry(s))
    }

    pub fn contains(&self, dn: &Dn) -> bool {
        self.slot_of(dn).is_some()
    }

    /// The domain partitions: entries without a parent in the forest.
    pub fn roots(&self) -> Vec<&Entry> {
        self.index
            .roots()
            .iter()
            .filter_map(|s| self.entry(*s))
            .collect()
    }

    pub fn domain_sid(&self) -> Option<Sid> {
        domain_sid_of(self.roots())
    }

    pub fn security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        descriptor_of(dn, self.get(dn), self.domain_sid().as_ref())
    }

    /// LDAP search semantics, as [`Forest::search`](super::Forest::search).
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
        let keep = |slots: &mut dyn Iterator<Item = u32>, check_scope: bool| {
            slots
                .filter_map(|s| self.entry(s))
                .filter(|e| (!check_scope || in_scope(e)) && filter.matches(e))
                .map(project)
                .collect::<Vec<_>>()
        };
        if let Some(candidates) = self.candidates(filter) {
            return Ok(keep(&mut candidates.into_iter(), true));
        }
        // No candidates: the forest scans the scope. A required objectClass only skips objects
        // that could not match anyway, so the answer (and its order) stays the scan's.
        let classes = self.class_members(filter);
        let allowed = |s: &u32| classes.as_ref().is_none_or(|c| c.binary_search(s).is_ok());
        Ok(match scope {
            Scope::Base => keep(&mut self.slot_of(base).into_iter().filter(allowed), false),
            Scope::OneLevel => {
                let mut out = match self.slot_of(base) {
                    Some(slot) => keep(
                        &mut self.index.children(slot).into_iter().filter(allowed),
                        false,
                    ),
                    None => Vec::new(),
                };
                if base.is_root() {
                    out.extend(keep(
                        &mut self.index.roots().iter().copied().filter(allowed),
                        false,
                    ));
                }
                out
            }
            Scope::Subtree => match classes {
                Some(members) => keep(&mut members.into_iter(), true),
                None => keep(&mut (0..self.index.len() as u32), true),
            },
        })
    }

    /// The objects of the filter's required objectClass with the fewest members (ascending),
    /// or `None` when it requires none (or the index has no objectClass table).
    fn class_members(&self, filter: &Filter) -> Option<Vec<u32>> {
        if !self.index.has_table(CLASS_INDEX) {
            return None;
        }
        filter
            .indexable_equalities()
            .into_iter()
            .filter(|(attr, _)| attr.eq_ignore_ascii_case(OBJECT_CLASS))
            .filter_map(|(_, value)| index_key(value))
            .map(|key| self.index.equal(CLASS_INDEX, &key))
            .min_by_key(Vec::len)
    }

    /// As [`Forest`](super::Forest)'s: the smallest set of objects the filter's required
    /// equality terms on indexed attributes allow, or those of its first indexed prefix;
    /// `None` when the filter has neither.
    fn candidates(&self, filter: &Filter) -> Option<Vec<u32>> {
        let mut best: Option<Vec<u32>> = None;
        for (attr, value) in filter.indexable_equalities() {
            let Some(name) = indexed(attr) else {
                continue;
            };
            let Some(key) = index_key(value) else {
                continue;
            };
            let slots = self.index.equal(name, &key);
            if slots.is_empty() {
                // A required value nobody has: nothing can match.
                return Some(slots);
            }
            if best.as_ref().is_none_or(|b| slots.len() < b.len()) {
                best = Some(slots);
            }
        }
        if best.is_some() {
            return best;
        }
        for (attr, prefix) in filter.indexable_prefixes() {
            let (Some(name), Some(prefix)) = (indexed(attr), index_key(prefix)) else {
                continue;
            };
            return Some(self.index.prefixed(name, &prefix));
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::disk_index::{self, Stamp};
    use crate::directory::lab::{forest_from_ldif, seed, trusted_load, Forest};
    use crate::directory::ldif::LdifWriter;

    /// The seed forest saved as umctl saves it, loaded both ways.
    fn both() -> (Forest, IndexedForest) {
        let seeded = forest_from_ldif(seed::FOREST.as_bytes(), "seed").unwrap();
        let mut body = Vec::new();
        let mut writer = LdifWriter::new(&mut body).unwrap().unfolded();
        seeded.write_records(&mut writer).unwrap();
        writer.flush().unwrap();
        drop(writer);
        let digest = trusted_load::digest(&body);
        let header = format!(
            "# umctl lab forest, generation 7\n{}{digest}\n",
            trusted_load::DIGEST_PREFIX
        );
        let mut file = header.clone().into_bytes();
        file.extend_from_slice(&body);
        let file: std::sync::Arc<[u8]> = file.into();
        let (start, _) = trusted_load::trusted(&file).unwrap();
        assert_eq!(start, header.len());
        let stamp = Stamp {
            digest,
            generation: 7,
            file_len: file.len() as u64,
            body_start: start as u64,
        };
        let records = trusted_load::scan_all(&file[start..], start, true).unwrap();
        let bytes = disk_index::build(&stamp, &records).unwrap();
        let index = DiskIndex::open(Positioned::Memory(bytes.clone()), &stamp).unwrap();
        let stale = Stamp {
            generation: 8,
            ..stamp.clone()
        };
        assert!(DiskIndex::open(Positioned::Memory(bytes.clone()), &stale).is_none());
        let cut = bytes[..bytes.len() - 1].to_vec();
        assert!(DiskIndex::open(Positioned::Memory(cut), &stamp).is_none());
        let loaded = trusted_load::load_trusted(file.clone(), start).unwrap();
        (
            loaded,
            IndexedForest::new(Positioned::Memory(file.to_vec()), index),
        )
    }

    fn dns(found: Result<Vec<Entry>>) -> std::result::Result<Vec<String>, String> {
        found
            .map(|v| v.iter().map(|e| e.dn.to_string()).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn answers_as_the_loaded_forest_does() {
        let (loaded, indexed) = both();
        assert_eq!(loaded.len(), indexed.len());
        let all: Vec<Dn> = loaded.iter().map(|e| e.dn.clone()).collect();
        assert!(all.len() > 50);
        assert_eq!(
            all,
            indexed.iter().map(|e| e.dn.clone()).collect::<Vec<_>>()
        );
        let roots = |r: Vec<&Entry>| r.iter().map(|e| e.dn.to_string()).collect::<Vec<_>>();
        assert_eq!(roots(loaded.roots()), roots(indexed.roots()));
        assert_eq!(loaded.domain_sid(), indexed.domain_sid());
        let filters = [
            "(objectClass=*)",
            "(objectClass=user)",
            "(objectClass=msExchUMDialPlan)",
            "(objectClass=domainDNS)",
            "(&(objectClass=domain)(objectClass=top))",
            "(&(objectClass=domainDNS)(dc=contoso))",
            "(objectclass=MSEXCHUMDIALPLAN)",
            "(objectClass=nosuchclass)",
            "(&(objectClass=user)(sAMAccountName=alice))",
            "(sAMAccountName=BOB)",
            "(|(sAMAccountName=bob)(cn=alice))",
            "(msRTCSIP-Line=tel:*)",
            "(msRTCSIP-Line=tel:+9626*)",
            "(proxyAddresses=eum:*)",
            "(&(objectClass=contact)(telephoneNumber=*))",
            "(objectCategory=person)",
            "(!(objectClass=user))",
            "(cn=LOC801)",
        ];
        let root = Dn::root();
        let mut bases = vec![root.clone()];
        bases.extend(all.iter().cloned());
        bases.push(Dn::parse("CN=nobody,DC=contoso,DC=com").unwrap());
        for text in filters {
            let filter = Filter::parse(text).unwrap();
            for base in &bases {
                for scope in [Scope::Base, Scope::OneLevel, Scope::Subtree] {
                    assert_eq!(
                        dns(loaded.search(base, scope, &filter, &[])),
                        dns(indexed.search(base, scope, &filter, &[])),
                        "{text} under {base} ({scope:?})"
                    );
                }
            }
        }
        for dn in &all {
            assert_eq!(
                loaded.security(dn).map_err(|e| e.to_string()),
                indexed.security(dn).map_err(|e| e.to_string()),
                "{dn}"
            );
        }
    }
}
