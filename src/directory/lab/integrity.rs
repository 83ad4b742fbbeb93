//! Whether a forest file is the one its header describes, and whether a forest is whole.
//!
//! Every file umctl writes (the lab's `forest.ldif`, `lab export`) starts with a header that
//! records its object count and the digest of its records. A file whose records do not match
//! its header was cut short or edited behind umctl's back: the lab refuses it, names both
//! counts and digests, and says the way forward (restore a snapshot, import an export, or
//! `lab accept-edit` for a deliberate edit); it never takes it silently nor overwrites it.
//! An import must also be a whole forest: a domain at its root and the configuration naming
//! context under it (every object's parent is checked as it is added).

use std::path::Path;

use crate::directory::lab::forest::Forest;
use crate::directory::lab::trusted_load::{self, DIGEST_PREFIX};
use crate::directory::{DirectoryError, Dn, Result};

/// The header line of a lab forest file that carries its object count.
pub const LAB_COUNT_PREFIX: &str = "# The lab directory of umctl: ";
/// The first line of `umctl lab export`, which carries its object count.
pub const EXPORT_COUNT_PREFIX: &str = "# umctl lab export: ";

/// What a file's header claims and what its records are.
#[derive(Debug, PartialEq, Eq)]
pub struct HeaderCheck {
    pub claimed_objects: Option<usize>,
    pub claimed_digest: Option<String>,
    pub objects: usize,
    pub digest: String,
}

impl HeaderCheck {
    /// Reads the header (leading `#` lines) of `bytes` and the records after it.
    pub fn of(bytes: &[u8]) -> HeaderCheck {
        let start = header_len(bytes);
        let (head, body) = bytes.split_at(start);
        let head = String::from_utf8_lossy(head);
        let claimed_objects = head.lines().find_map(|l| {
            let rest = l
                .strip_prefix(LAB_COUNT_PREFIX)
                .or_else(|| l.strip_prefix(EXPORT_COUNT_PREFIX))?;
            rest.split_whitespace().next()?.parse().ok()
        });
        let claimed_digest = head
            .lines()
            .find_map(|l| l.strip_prefix(DIGEST_PREFIX).map(|d| d.trim().to_string()));
        HeaderCheck {
            claimed_objects,
            claimed_digest,
            objects: count_records(body),
            digest: trusted_load::digest(body),
        }
    }

    /// True when the header claims nothing the records contradict.
    pub fn matches(&self) -> bool {
        self.claimed_digest
            .as_ref()
            .is_none_or(|d| *d == self.digest)
            && self.claimed_objects.is_none_or(|n| n == self.objects)
    }

    /// "67 objects, digest 1a2b...": what the header claims.
    fn claimed(&self) -> String {
        format!(
            "{} objects, digest {}",
            self.claimed_objects
                .map_or_else(|| "an unstated number of".to_string(), |n| n.to_string()),
            self.claimed_digest.as_deref().unwrap_or("(none)")
        )
    }
}

/// The length of the leading comment lines (the header).
fn header_len(bytes: &[u8]) -> usize {
    let mut offset = 0;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if !line.starts_with(b"#") {
            break;
        }
        offset += line.len();
    }
    offset
}

/// Records in an LDIF body: lines that start a record with `dn:`.
fn count_records(body: &[u8]) -> usize {
    body.split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"dn:"))
        .count()
}

/// The refusal of a lab forest file that does not match its header (or has none).
pub fn lab_file_mismatch(path: &Path, bytes: &[u8]) -> DirectoryError {
    let check = HeaderCheck::of(bytes);
    let what = match check.claimed_digest {
        None => "has no umctl header (object count and content digest): umctl did not save it"
            .to_string(),
        Some(_) => format!(
            "does not match its own header: the header records {}, the file holds {} objects, digest {} (cut short, or edited by hand)",
            check.claimed(),
            check.objects,
            check.digest
        ),
    };
    DirectoryError::Lab {
        path: path.parent().unwrap_or(path).to_path_buf(),
        message: format!(
            "{} {what}. Nothing was read or changed. Bring back a good forest with `umctl lab backups` then `umctl lab restore ID`, or `umctl lab import FILE`; if you edited it on purpose, `umctl lab accept-edit` checks it in full and stamps it",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        ),
    }
}

/// Refuses an import file whose header (an export's) its records contradict: a file cut
/// short or edited after the export.
pub fn check_import_header(bytes: &[u8], source_name: &str) -> Result<()> {
    let check = HeaderCheck::of(bytes);
    if check.matches() {
        return Ok(());
    }
    Err(DirectoryError::Lab {
        path: source_name.into(),
        message: format!(
            "{source_name} does not match its own header: the header records {}, the file holds {} objects, digest {} (cut short, or edited after the export); nothing was changed. Export it again, or remove the header lines to import an edited file",
            check.claimed(),
            check.objects,
            check.digest
        ),
    })
}

/// Refuses a forest that is not whole: it needs a domain (DC=...) at its root and the
/// configuration naming context (CN=Configuration,<domain>); parents are checked on add.
pub fn check_whole(forest: &Forest, source_name: &str) -> Result<()> {
    let refuse = |message: String| DirectoryError::Lab {
        path: source_name.into(),
        message,
    };
    let domain = forest
        .roots()
        .into_iter()
        .map(|e| e.dn.clone())
        .find(is_domain)
        .ok_or_else(|| {
            refuse(format!(
                "{source_name} is not a whole forest: it has {} object(s) and no domain object (DC=...) at its root; expected an export of a whole forest (umctl lab export); nothing was changed",
                forest.len()
            ))
        })?;
    let configuration = Dn::parse(&format!("CN=Configuration,{domain}"))?;
    if !forest.contains(&configuration) {
        return Err(refuse(format!(
            "{source_name} is not a whole forest: the configuration naming context {configuration} is missing; expected an export of a whole forest (umctl lab export); nothing was changed"
        )));
    }
    Ok(())
}

fn is_domain(dn: &Dn) -> bool {
    !dn.rdns().is_empty()
        && dn
            .rdns()
            .iter()
            .all(|r| r.avas().iter().all(|a| a.attr.eq_ignore_ascii_case("dc")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BODY: &str = "version: 1\n\ndn: DC=a\ndc: a\n\ndn: DC=b\ndc: b\n";

    fn stamped(body: &str, objects: usize) -> String {
        format!(
            "# umctl lab export: {objects} objects from x\n{DIGEST_PREFIX}{}\n{body}",
            trusted_load::digest(body.as_bytes())
        )
    }

    #[test]
    fn a_file_that_matches_its_header_passes() {
        assert!(HeaderCheck::of(stamped(BODY, 2).as_bytes()).matches());
        assert!(
            HeaderCheck::of(BODY.as_bytes()).matches(),
            "no header, no claim"
        );
    }

    #[test]
    fn a_file_cut_at_a_record_boundary_does_not() {
        let full = stamped(BODY, 2);
        let cut = &full[..full.find("dn: DC=b").unwrap()];
        let check = HeaderCheck::of(cut.as_bytes());
        assert!(!check.matches());
        assert_eq!((check.claimed_objects, check.objects), (Some(2), 1));
        let error = check_import_header(cut.as_bytes(), "cut.ldif").unwrap_err();
        assert!(error.to_string().contains("2 objects"), "{error}");
    }

    #[test]
    fn a_lab_file_without_a_header_is_named_so() {
        let error = lab_file_mismatch(Path::new("/l/forest.ldif"), BODY.as_bytes()).to_string();
        assert!(error.contains("no umctl header"), "{error}");
        assert!(error.contains("lab accept-edit"), "{error}");
    }
}
