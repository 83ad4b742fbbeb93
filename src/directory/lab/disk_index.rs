//! The on-disk index beside a lab forest (`forest.idx`): for every record of `forest.ldif`
//! where its text is, its normalized DN, its children, the domain partitions, and
//! sorted tables of the indexed values (the in-memory forest's equality indexes plus
//! objectClass). A read-only command opens the forest through it and reads and parses only the
//! records it needs, instead of scanning all of them (see `indexed`); the index itself is read
//! row by row as lookups need it (see `positioned`).
//!
//! It owns the file format, building it from a trusted forest file, and deciding whether an
//! index file describes a given forest file. It never decides that alone from file metadata:
//! an index is used only for the exact bytes it was built from, i.e. when the forest's header
//! digest is the digest of its records (checked by `trusted_load::trusted` on every open) and
//! the index names that same digest, generation and size. Anything else (missing, stale,
//! another version, damaged) is ignored, and the caller rebuilds it.
//!
//! Format (little-endian): magic `UMCTLIX1`; the forest's content digest (16 ASCII hex
//! digits); generation, file length, offset of the records (u64 each); record count n and
//! index count (u32 each); then per record its text range (u64 start, u64 end), the slots sorted by normalized DN (u32), each record's DN
//! key (u32 offset, u32 length into the string blob), the children in CSR form (n+1 u32
//! starts, then the child slots), the root slots (u32 count, then slots); per index its name
//! (u8 length, bytes) and sorted (key, slot) rows (u32 count, then u32 key offset, u32 key
//! length, u32 slot); last the string blob (u64 length, bytes).

use std::collections::BTreeSet;
use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;

use super::forest::{is_domain_key, parent_key};
use super::positioned::Positioned;
use super::trusted_load::Scanned;

const MAGIC: &[u8; 8] = b"UMCTLIX1";
const NONE: u32 = u32::MAX;

/// What an index file must match: the forest file it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The content digest of the forest's records (the header's, checked against the records).
    pub digest: String,
    pub generation: u64,
    pub file_len: u64,
    pub body_start: u64,
}

/// Builds the index of a trusted forest file from its scanned records (file order, with the
/// objectClass values). `None` when the records do not form a forest (a duplicate DN, an
/// object before its parent): such a file is left to the full load, which names the problem.
pub fn build(stamp: &Stamp, records: &[Scanned]) -> Option<Vec<u8>> {
    let placed: Vec<Placed<'_>> = records
        .iter()
        .map(|(key, _, range, _)| (&**key, range.clone()))
        .collect();
    let rows = records.iter().enumerate().flat_map(|(slot, (.., keys))| {
        keys.iter()
            .map(move |(name, key)| (*name, &**key, slot as u32))
    });
    build_from(stamp, &placed, rows)
}

/// One record of the forest file: its normalized DN and where its text is.
pub type Placed<'a> = (&'a str, Range<usize>);

/// Builds the index from the records in file order and the (index name, key, record number)
/// rows of their indexed values and objectClass values, in any order: what [`build`] reads
/// from the file, or what the save knows from the forest it just wrote (see
/// `Forest::disk_rows`). `None` as for [`build`].
pub fn build_from<'a>(
    stamp: &Stamp,
    records: &[Placed<'a>],
    rows: impl Iterator<Item = (&'static str, &'a str, u32)>,
) -> Option<Vec<u8>> {
    let n = records.len();
    let mut blob: Vec<u8> = Vec::new();
    let mut ids: HashMap<&str, u32> = HashMap::default();
    ids.reserve(n);
    let mut parents = Vec::with_capacity(n);
    let mut roots: BTreeSet<u32> = BTreeSet::new();
    let mut dn_keys = Vec::with_capacity(n);
    // The same structure `Forest::add_raw` builds: a parent is an object loaded before.
    for (slot, (key, _)) in records.iter().enumerate() {
        let slot = u32::try_from(slot).ok().filter(|s| *s != NONE)?;
        if ids.contains_key(key) {
            return None;
        }
        let parent = parent_key(key)?;
        let parent_slot = ids.get(parent).copied();
        if parent_slot.is_none() && !is_domain_key(key) {
            return None;
        }
        parents.push(parent_slot.unwrap_or(NONE));
        if parent_slot.is_none() {
            roots.insert(slot);
        }
        // A root whose parent this object is stops being a root (as in the forest).
        let adopted: Vec<u32> = roots
            .iter()
            .copied()
            .filter(|r| {
                *r != slot
                    && records
                        .get(*r as usize)
                        .and_then(|(k, ..)| parent_key(k))
                        .is_some_and(|p| p == *key)
            })
            .collect();
        for r in adopted {
            roots.remove(&r);
        }
        ids.insert(key, slot);
        dn_keys.push(push_str(&mut blob, key)?);
    }
    let mut by_dn: Vec<(u128, &str, u32)> = records
        .iter()
        .enumerate()
        .map(|(slot, (key, ..))| (head(key), *key, slot as u32))
        .collect();
    by_dn.sort_unstable();
    let (counts, children) = children_csr(&parents);
    // Per index, its (key, slot) rows sorted; equal keys share their blob bytes.
    let mut tables: HashMap<&'static str, Vec<(u128, &str, u32)>> = HashMap::default();
    for (name, key, slot) in rows {
        tables.entry(name).or_default().push((head(key), key, slot));
    }
    let mut names: Vec<&'static str> = tables.keys().copied().collect();
    names.sort_unstable();

    let mut out = Vec::with_capacity(n * 64 + blob.len());
    out.extend_from_slice(MAGIC);
    let digest = stamp.digest.as_bytes();
    if digest.len() != 16 {
        return None;
    }
    out.extend_from_slice(digest);
    for v in [stamp.generation, stamp.file_len, stamp.body_start] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    put_u32(&mut out, n as u32);
    put_u32(&mut out, names.len() as u32);
    for (_, range) in records {
        out.extend_from_slice(&(range.start as u64).to_le_bytes());
        out.extend_from_slice(&(range.end as u64).to_le_bytes());
    }
    by_dn.iter().for_each(|(_, _, s)| put_u32(&mut out, *s));
    for (off, len) in &dn_keys {
        put_u32(&mut out, *off);
        put_u32(&mut out, *len);
    }
    counts.iter().for_each(|c| put_u32(&mut out, *c));
    children.iter().for_each(|c| put_u32(&mut out, *c));
    put_u32(&mut out, roots.len() as u32);
    roots.iter().for_each(|r| put_u32(&mut out, *r));
    for name in names {
        let mut rows = tables.remove(name).unwrap_or_default();
        rows.sort_unstable();
        out.push(u8::try_from(name.len()).ok()?);
        out.extend_from_slice(name.as_bytes());
        put_u32(&mut out, rows.len() as u32);
        let mut last: Option<(&str, (u32, u32))> = None;
        for (_, key, slot) in rows {
            let place = match last {
                Some((k, place)) if k == key => place,
                _ => push_str(&mut blob, key)?,
            };
            last = Some((key, place));
            put_u32(&mut out, place.0);
            put_u32(&mut out, place.1);
            put_u32(&mut out, slot);
        }
    }
    out.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    out.extend_from_slice(&blob);
    Some(out)
}

/// The children of each slot in CSR form, each list in slot (insertion) order: (offsets,
/// n + 1 of them; the child slots).
fn children_csr(parents: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n = parents.len();
    let mut counts = vec![0u32; n + 1];
    for p in parents.iter().filter(|p| **p != NONE) {
        counts[*p as usize + 1] += 1;
    }
    for i in 1..=n {
        counts[i] += counts[i - 1];
    }
    let mut fill = counts.clone();
    let mut children = vec![0u32; parents.iter().filter(|p| **p != NONE).count()];
    for (slot, p) in parents.iter().enumerate() {
        if *p != NONE {
            children[fill[*p as usize] as usize] = slot as u32;
            fill[*p as usize] += 1;
        }
    }
    (counts, children)
}

/// The first 16 bytes of `key` as a number (zero-padded): ordering by it first and by the whole
/// key only on a tie gives the keys' own order, with most comparisons on a number instead of
/// on strings scattered over the heap (sorting a million index rows by string took seconds).
fn head(key: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = key.len().min(16);
    bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push_str(blob: &mut Vec<u8>, s: &str) -> Option<(u32, u32)> {
    let off = u32::try_from(blob.len()).ok()?;
    blob.extend_from_slice(s.as_bytes());
    Some((off, u32::try_from(s.len()).ok()?))
}

/// One attribute index of an index file: where its rows are and how many.
#[derive(Debug)]
struct Table {
    name: String,
    rows: u64,
    count: usize,
}

/// An index file, checked against the forest it must describe, read row by row as lookups
/// need it. Every accessor bounds-checks, so a damaged file answers "nothing", never a panic.
pub struct DiskIndex {
    source: Positioned,
    n: usize,
    records: u64,
    by_dn: u64,
    dn_keys: u64,
    child_starts: u64,
    children: u64,
    roots: Vec<u32>,
    tables: Vec<Table>,
    blob: u64,
    blob_len: u64,
}

/// A cursor over the index that fails (None) past the end.
struct Reader<'a> {
    source: &'a Positioned,
    at: u64,
}

impl Reader<'_> {
    fn take(&mut self, len: u64) -> Option<u64> {
        let start = self.at;
        let end = start.checked_add(len)?;
        (end <= self.source.len()).then(|| {
            self.at = end;
            start
        })
    }
    fn u32(&mut self) -> Option<u32> {
        let at = self.take(4)?;
        self.source.u32_at(at)
    }
    fn u64(&mut self) -> Option<u64> {
        let at = self.take(8)?;
        self.source.u64_at(at)
    }
    fn text(&mut self, len: usize) -> Option<String> {
        let at = self.take(len as u64)?;
        String::from_utf8(self.source.read(at, len)?).ok()
    }
}

impl DiskIndex {
    /// The index in `source`, if it is a well-formed index of the forest file `stamp` names.
    /// Reads the header, the roots and the table directory; the rest is read on demand.
    pub fn open(source: Positioned, stamp: &Stamp) -> Option<DiskIndex> {
        let mut r = Reader {
            source: &source,
            at: 0,
        };
        if r.text(8)?.as_bytes() != MAGIC {
            return None;
        }
        let found = Stamp {
            digest: r.text(16)?,
            generation: r.u64()?,
            file_len: r.u64()?,
            body_start: r.u64()?,
        };
        if found != *stamp {
            return None;
        }
        let n = r.u32()? as usize;
        let tables_count = r.u32()? as usize;
        let n64 = n as u64;
        let records = r.take(n64 * 16)?;
        let by_dn = r.take(n64 * 4)?;
        let dn_keys = r.take(n64 * 8)?;
        let child_starts = r.take((n64 + 1) * 4)?;
        let total_children = u64::from(source.u32_at(child_starts + n64 * 4)?);
        let children = r.take(total_children * 4)?;
        let root_count = r.u32()? as usize;
        let mut roots = Vec::with_capacity(root_count.min(n));
        for _ in 0..root_count {
            roots.push(r.u32()?);
        }
        let mut tables = Vec::with_capacity(tables_count.min(64));
        for _ in 0..tables_count {
            let len = r.take(1)?;
            let len = source.read(len, 1)?[0] as usize;
            let name = r.text(len)?;
            let count = r.u32()? as usize;
            let rows = r.take(count as u64 * 12)?;
            tables.push(Table { name, rows, count });
        }
        let blob_len = r.u64()?;
        let blob = r.take(blob_len)?;
        if r.at != source.len() {
            return None;
        }
        Some(DiskIndex {
            source,
            n,
            records,
            by_dn,
            dn_keys,
            child_starts,
            children,
            roots,
            tables,
            blob,
            blob_len,
        })
    }

    fn u32_at(&self, at: u64) -> Option<u32> {
        self.source.u32_at(at)
    }

    fn text(&self, off: u32, len: u32) -> Option<String> {
        if u64::from(off) + u64::from(len) > self.blob_len {
            return None;
        }
        String::from_utf8(self.source.read(self.blob + u64::from(off), len as usize)?).ok()
    }

    /// The number of objects.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Where the record of `slot` is in the forest file.
    pub fn record(&self, slot: u32) -> Option<Range<u64>> {
        if slot as usize >= self.n {
            return None;
        }
        let at = self.records + u64::from(slot) * 16;
        Some(self.source.u64_at(at)?..self.source.u64_at(at + 8)?)
    }

    /// The normalized DN of `slot`.
    pub fn key(&self, slot: u32) -> Option<String> {
        if slot as usize >= self.n {
            return None;
        }
        let at = self.dn_keys + u64::from(slot) * 8;
        self.text(self.u32_at(at)?, self.u32_at(at + 4)?)
    }

    /// The slot of the object whose normalized DN is `key`.
    pub fn find(&self, key: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u64, self.n as u64);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let slot = self.u32_at(self.by_dn + mid * 4)?;
            match self.key(slot)?.as_str().cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(slot),
            }
        }
        None
    }

    /// The children of `slot`, in file order.
    pub fn children(&self, slot: u32) -> Vec<u32> {
        if slot as usize >= self.n {
            return Vec::new();
        }
        let s = u64::from(slot);
        let (Some(start), Some(end)) = (
            self.u32_at(self.child_starts + s * 4),
            self.u32_at(self.child_starts + (s + 1) * 4),
        ) else {
            return Vec::new();
        };
        if start > end {
            return Vec::new();
        }
        let Some(bytes) = self.source.read(
            self.children + u64::from(start) * 4,
            (end - start) as usize * 4,
        ) else {
            return Vec::new();
        };
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    /// The objects without a parent in the forest (the domain partitions), in file order.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// Whether the index file has a table for the index `name`.
    pub fn has_table(&self, name: &str) -> bool {
        self.tables.iter().any(|t| t.name == name)
    }

    /// Row `i` of a table: (key, slot).
    fn row(&self, table: &Table, i: usize) -> Option<(String, u32)> {
        let mut row = [0u8; 12];
        self.source
            .read_into(table.rows + i as u64 * 12, &mut row)?;
        let word = |k: usize| u32::from_le_bytes([row[k], row[k + 1], row[k + 2], row[k + 3]]);
        Some((self.text(word(0), word(4))?, word(8)))
    }

    /// The rows of index `name` whose key satisfies `wanted`, given `before` (true for keys
    /// sorting before every wanted one): the slots, ascending and without repeats.
    fn matching(
        &self,
        name: &str,
        before: impl Fn(&str) -> bool,
        wanted: impl Fn(&str) -> bool,
    ) -> Vec<u32> {
        let Some(table) = self.tables.iter().find(|t| t.name == name) else {
            return Vec::new();
        };
        let (mut lo, mut hi) = (0usize, table.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.row(table, mid) {
                Some((k, _)) if before(&k) => lo = mid + 1,
                _ => hi = mid,
            }
        }
        let mut slots: Vec<u32> = (lo..table.count)
            .map_while(|i| self.row(table, i).filter(|(k, _)| wanted(k)))
            .map(|(_, s)| s)
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// The objects whose index `name` holds the case-folded value `key`, ascending.
    pub fn equal(&self, name: &str, key: &str) -> Vec<u32> {
        self.matching(name, |k| k < key, |k| k == key)
    }

    /// The objects with a value of index `name` starting with `prefix`, ascending.
    pub fn prefixed(&self, name: &str, prefix: &str) -> Vec<u32> {
        self.matching(name, |k| k < prefix, |k| k.starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_by_head_first_is_the_keys_order() {
        let mut keys = vec![
            "ab",
            "ab\u{0}",
            "a\u{1}",
            "abcdefghijklmnopq",
            "abcdefghijklmnopa",
            "abcdefghijklmnop",
            "",
            "b",
            "é",
            "eum:1050000;phone-context=loc801.contoso.com",
            "eum:1050000;phone-context=loc800.contoso.com",
        ];
        let mut by_head: Vec<(u128, &str)> = keys.iter().map(|k| (head(k), *k)).collect();
        by_head.sort_unstable();
        keys.sort_unstable();
        assert_eq!(
            by_head.into_iter().map(|(_, k)| k).collect::<Vec<_>>(),
            keys
        );
    }
}
