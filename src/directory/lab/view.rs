//! The forest a lab directory answers from: the whole forest in memory ([`Forest`], what
//! writers change and what a hand-edited file loads into) or, for reads of a file umctl saved,
//! the forest through its on-disk index ([`IndexedForest`], records parsed on first use).
//! It only dispatches; choosing one is `load`'s job (in the lab module).

use super::forest::Forest;
use super::indexed::IndexedForest;
use crate::directory::ldif::LdifWriter;
use crate::directory::security::{SecurityDescriptor, Sid};
use crate::directory::{Dn, Entry, Filter, Result, Scope};

/// The forest behind a lab directory.
pub enum ForestView {
    /// All objects in memory: writable.
    Loaded(Forest),
    /// Read-only, through the on-disk index.
    Indexed(IndexedForest),
}

impl ForestView {
    pub fn len(&self) -> usize {
        match self {
            ForestView::Loaded(f) => f.len(),
            ForestView::Indexed(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the whole forest is in memory (and can be changed).
    pub fn is_loaded(&self) -> bool {
        matches!(self, ForestView::Loaded(_))
    }

    /// Entries in insertion order (parents before children).
    pub fn iter(&self) -> Box<dyn Iterator<Item = &Entry> + '_> {
        match self {
            ForestView::Loaded(f) => Box::new(f.iter()),
            ForestView::Indexed(f) => Box::new(f.iter()),
        }
    }

    pub fn roots(&self) -> Vec<&Entry> {
        match self {
            ForestView::Loaded(f) => f.roots(),
            ForestView::Indexed(f) => f.roots(),
        }
    }

    pub fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        match self {
            ForestView::Loaded(f) => f.search(base, scope, filter, attrs),
            ForestView::Indexed(f) => f.search(base, scope, filter, attrs),
        }
    }

    pub fn security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        match self {
            ForestView::Loaded(f) => f.security(dn),
            ForestView::Indexed(f) => f.security(dn),
        }
    }

    pub fn domain_sid(&self) -> Option<Sid> {
        match self {
            ForestView::Loaded(f) => f.domain_sid(),
            ForestView::Indexed(f) => f.domain_sid(),
        }
    }

    /// Every object as an LDIF content record, in order (an indexed forest copies its
    /// records' text).
    pub fn write_records<W: std::io::Write>(
        &self,
        writer: &mut LdifWriter<W>,
    ) -> std::io::Result<()> {
        match self {
            ForestView::Loaded(f) => f.write_records(writer),
            ForestView::Indexed(f) => {
                for slot in 0..f.len() as u32 {
                    writer.raw_record(&f.record_text(slot))?;
                }
                Ok(())
            }
        }
    }
}
