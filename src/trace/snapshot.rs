//! A read-only view of a directory for `umctl doctor`: every recipient the call path looks up
//! (users and contacts with a SIP address, a line URI or an EUM address) is read once with one
//! search (paged on a real AD), and the per-call lookups by those attributes
//! (`proxyAddresses=eum:...`, `msRTCSIP-Line`, `msRTCSIP-PrimaryUserAddress`,
//! `msExchUMAddresses`) are answered from it; every other search and security descriptor is
//! asked once and remembered. So checking 100,000 users costs a handful of searches, never one
//! per user. Writes are refused: doctor changes nothing.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::directory::model::attrs;
use crate::directory::{
    Acl, Directory, DirectoryError, Dn, Entry, Filter, Modification, NamingContexts, Scope,
    SecurityDescriptor,
};

type Result<T, E = DirectoryError> = std::result::Result<T, E>;

/// The attributes whose lookups the snapshot answers, and whether only `eum:` values of it
/// are covered (proxyAddresses also holds SMTP, SIP and X500 addresses nobody looks up here).
const COVERED: [(&str, bool); 4] = [
    (attrs::PROXY_ADDRESSES, true),
    (attrs::MSEXCH_UM_ADDRESSES, false),
    (attrs::MSRTCSIP_LINE, false),
    (attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, false),
];

/// The directory as doctor reads it.
pub struct Snapshot<'a> {
    inner: &'a dyn Directory,
    contexts: NamingContexts,
    recipients: Vec<Entry>,
    /// (lowercase attribute, lowercase value) -> positions in `recipients`.
    index: HashMap<(String, String), Vec<usize>>,
    searches: Mutex<HashMap<String, Vec<Entry>>>,
    descriptors: Mutex<HashMap<Dn, Option<SecurityDescriptor>>>,
}

/// The one search that reads every recipient of the call path.
pub fn recipients_filter() -> Filter {
    Filter::and(vec![
        Filter::or(vec![
            Filter::eq(attrs::OBJECT_CLASS, attrs::OC_USER),
            Filter::eq(attrs::OBJECT_CLASS, attrs::OC_CONTACT),
        ]),
        Filter::or(vec![
            Filter::present(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS),
            Filter::present(attrs::MSRTCSIP_LINE),
            Filter::present(attrs::MSEXCH_UM_ADDRESSES),
            Filter::Substring {
                attr: attrs::PROXY_ADDRESSES.to_string(),
                initial: Some(b"eum:".to_vec()),
                any: Vec::new(),
                last: None,
            },
        ]),
    ])
}

impl<'a> Snapshot<'a> {
    /// Reads the recipients of `inner` (one search).
    pub fn read(inner: &'a dyn Directory) -> Result<Snapshot<'a>> {
        let contexts = inner.naming_contexts()?;
        let recipients =
            inner.search(&contexts.default, Scope::Subtree, &recipients_filter(), &[])?;
        let mut index: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, e) in recipients.iter().enumerate() {
            for (attr, eum_only) in COVERED {
                for v in e.str_values(attr) {
                    let v = v.to_ascii_lowercase();
                    if eum_only && !v.starts_with("eum:") {
                        continue;
                    }
                    index
                        .entry((attr.to_ascii_lowercase(), v))
                        .or_default()
                        .push(i);
                }
            }
        }
        Ok(Snapshot {
            inner,
            contexts,
            recipients,
            index,
            searches: Mutex::new(HashMap::new()),
            descriptors: Mutex::new(HashMap::new()),
        })
    }

    /// Every recipient read.
    pub fn recipients(&self) -> &[Entry] {
        &self.recipients
    }

    /// The answer from the recipients, when the search is one the snapshot covers.
    fn answer_from_recipients(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
    ) -> Option<Vec<Entry>> {
        let whole_domain = base.is_root() || *base == self.contexts.default;
        if !whole_domain || scope != Scope::Subtree {
            return None;
        }
        let covered = |attr: &str, value: &[u8]| {
            COVERED.iter().any(|(a, eum_only)| {
                a.eq_ignore_ascii_case(attr)
                    && (!eum_only || value.len() >= 4 && value[..4].eq_ignore_ascii_case(b"eum:"))
            })
        };
        let matching = |e: &&Entry| filter.matches(e);
        if let Some((attr, value)) = filter
            .indexable_equalities()
            .into_iter()
            .find(|(a, v)| covered(a, v))
        {
            let key = (
                attr.to_ascii_lowercase(),
                String::from_utf8_lossy(value).to_ascii_lowercase(),
            );
            let hits = self.index.get(&key).map(Vec::as_slice).unwrap_or_default();
            return Some(
                hits.iter()
                    .map(|&i| &self.recipients[i])
                    .filter(matching)
                    .cloned()
                    .collect(),
            );
        }
        if filter
            .indexable_prefixes()
            .iter()
            .any(|(a, v)| covered(a, v))
        {
            return Some(self.recipients.iter().filter(matching).cloned().collect());
        }
        None
    }
}

fn refused(dn: &Dn) -> DirectoryError {
    DirectoryError::Refused {
        dn: dn.to_string(),
        code: 53,
        what: "umctl doctor only reads (unwillingToPerform)",
        diagnostic: String::new(),
    }
}

impl Directory for Snapshot<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn naming_contexts(&self) -> Result<NamingContexts> {
        Ok(self.contexts.clone())
    }

    fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        if let Some(found) = self.answer_from_recipients(base, scope, filter) {
            return Ok(found);
        }
        let key = format!("{base}\n{scope:?}\n{filter}\n{}", attrs.join(","));
        // Held while the directory is asked, so threads that miss together ask it once.
        let mut searches = self
            .searches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = searches.get(&key) {
            return Ok(found.clone());
        }
        let found = match self.inner.search(base, scope, filter, attrs) {
            Err(DirectoryError::NoSuchObject { .. }) => Vec::new(),
            other => other?,
        };
        searches.insert(key, found.clone());
        Ok(found)
    }

    fn read(&self, dn: &Dn, attrs: &[&str]) -> Result<Option<Entry>> {
        let found = self.search(
            dn,
            Scope::Base,
            &Filter::Present("objectClass".into()),
            attrs,
        )?;
        Ok(found.into_iter().next())
    }

    fn read_security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        let mut descriptors = self
            .descriptors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = descriptors.get(dn) {
            return Ok(found.clone());
        }
        let found = self.inner.read_security(dn)?;
        descriptors.insert(dn.clone(), found.clone());
        Ok(found)
    }

    fn domain_sid(&self) -> Result<Option<crate::directory::Sid>> {
        self.inner.domain_sid()
    }

    fn add(&self, entry: Entry) -> Result<()> {
        Err(refused(&entry.dn))
    }

    fn modify(&self, dn: &Dn, _mods: &[Modification]) -> Result<()> {
        Err(refused(dn))
    }

    fn delete(&self, dn: &Dn) -> Result<()> {
        Err(refused(dn))
    }

    fn write_dacl(&self, dn: &Dn, _dacl: &Acl) -> Result<()> {
        Err(refused(dn))
    }
}
