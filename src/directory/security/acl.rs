//! Access control lists: the ACL header (revision, size, count) and the sequence of entries,
//! with bounds-checked decoding and encoding, plus canonical-order insertion of explicit ACEs.
//! It does not evaluate access (`access.rs`) or know about descriptors (`descriptor.rs`).

use super::ace::{Ace, AceFlags, AceType, RawAce};
use super::bytes::{slice, u16_at, u8_at};
use super::SecurityError;

/// ACL_REVISION: ACLs without object ACEs.
pub const ACL_REVISION: u8 = 2;
/// ACL_REVISION_DS: ACLs that contain object ACEs.
pub const ACL_REVISION_DS: u8 = 4;

/// One entry of an ACL: a known ACE or an uninterpreted one kept as bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AclEntry {
    Ace(Ace),
    Raw(RawAce),
}

impl AclEntry {
    pub fn as_ace(&self) -> Option<&Ace> {
        match self {
            AclEntry::Ace(ace) => Some(ace),
            AclEntry::Raw(_) => None,
        }
    }

    pub fn flags(&self) -> AceFlags {
        match self {
            AclEntry::Ace(ace) => ace.flags,
            AclEntry::Raw(raw) => raw.flags,
        }
    }

    pub fn binary_len(&self) -> usize {
        match self {
            AclEntry::Ace(ace) => ace.binary_len(),
            AclEntry::Raw(raw) => raw.binary_len(),
        }
    }

    fn is_explicit_deny(&self) -> bool {
        matches!(self, AclEntry::Ace(a) if a.ace_type.is_deny() && !a.is_inherited())
    }
}

/// An access control list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Acl {
    /// 2 (ACL_REVISION) or 4 (ACL_REVISION_DS, needed when object ACEs are present).
    pub revision: u8,
    pub entries: Vec<AclEntry>,
}

impl Default for Acl {
    fn default() -> Acl {
        Acl::new()
    }
}

impl Acl {
    /// An empty revision-2 ACL (an empty DACL grants nothing).
    pub fn new() -> Acl {
        Acl {
            revision: ACL_REVISION,
            entries: Vec::new(),
        }
    }

    /// An ACL holding `aces` in the given order, with the revision they need.
    pub fn from_aces(aces: impl IntoIterator<Item = Ace>) -> Acl {
        let entries: Vec<AclEntry> = aces.into_iter().map(AclEntry::Ace).collect();
        let mut acl = Acl {
            revision: ACL_REVISION,
            entries,
        };
        acl.revision = acl.required_revision();
        acl
    }

    /// The known ACEs, in order (raw entries skipped).
    pub fn aces(&self) -> impl Iterator<Item = &Ace> {
        self.entries.iter().filter_map(AclEntry::as_ace)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// 4 when any object ACE is present, else 2 (what SDDL conversion produces).
    pub fn required_revision(&self) -> u8 {
        if self.aces().any(|a| a.ace_type.is_object()) {
            ACL_REVISION_DS
        } else {
            ACL_REVISION
        }
    }

    /// Inserts an explicit ACE where canonical order puts it (explicit denies, explicit allows,
    /// then inherited ACEs); an ACE carrying the ID flag goes to the end. Returns false, changing
    /// nothing, when an identical ACE is already present.
    pub fn add_ace(&mut self, ace: Ace) -> bool {
        if self.aces().any(|a| *a == ace) {
            return false;
        }
        let at = if ace.is_inherited() {
            self.entries.len()
        } else if ace.ace_type.is_deny() {
            self.entries
                .iter()
                .position(|e| !e.is_explicit_deny())
                .unwrap_or(self.entries.len())
        } else {
            self.entries
                .iter()
                .position(|e| e.flags().contains(AceFlags::INHERITED))
                .unwrap_or(self.entries.len())
        };
        if ace.ace_type.is_object() {
            self.revision = self.revision.max(ACL_REVISION_DS);
        }
        self.entries.insert(at, AclEntry::Ace(ace));
        true
    }

    /// Removes every entry equal to `ace`; returns whether any was removed.
    pub fn remove_ace(&mut self, ace: &Ace) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.as_ace() != Some(ace));
        self.entries.len() != before
    }

    /// Encoded size: 8-byte header plus the entries.
    pub fn binary_len(&self) -> usize {
        8 + self.entries.iter().map(AclEntry::binary_len).sum::<usize>()
    }

    /// Binary form; fails when the ACL does not fit the 16-bit size and count fields.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SecurityError> {
        let mut out = Vec::with_capacity(self.binary_len());
        self.write_to(&mut out)?;
        Ok(out)
    }

    pub(crate) fn write_to(&self, out: &mut Vec<u8>) -> Result<(), SecurityError> {
        let size = self.binary_len();
        let too_large = || SecurityError::AclTooLarge {
            count: self.entries.len(),
            size,
        };
        let size16 = u16::try_from(size).map_err(|_| too_large())?;
        let count16 = u16::try_from(self.entries.len()).map_err(|_| too_large())?;
        out.push(self.revision);
        out.push(0);
        out.extend_from_slice(&size16.to_le_bytes());
        out.extend_from_slice(&count16.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        for entry in &self.entries {
            match entry {
                AclEntry::Ace(ace) => ace.write_to(out),
                AclEntry::Raw(raw) => {
                    // size <= 65535 was checked for the whole ACL, so each entry fits too.
                    out.push(raw.ace_type);
                    out.push(raw.flags.0);
                    out.extend_from_slice(&(raw.binary_len() as u16).to_le_bytes());
                    out.extend_from_slice(&raw.body);
                }
            }
        }
        Ok(())
    }

    /// Parses an ACL that fills `bytes` (its declared size may be smaller; slack is dropped).
    pub fn from_bytes(bytes: &[u8]) -> Result<Acl, SecurityError> {
        Acl::read(bytes, 0)
    }

    /// Parses the ACL at `offset` in `buf`, checking every length against both the declared
    /// ACL size and the buffer.
    pub(crate) fn read(buf: &[u8], offset: usize) -> Result<Acl, SecurityError> {
        let revision = u8_at(buf, offset, "ACL revision")?;
        if !(ACL_REVISION..=ACL_REVISION_DS).contains(&revision) {
            return Err(SecurityError::AclRevision { offset, revision });
        }
        let size = usize::from(u16_at(buf, offset + 2, "ACL size")?);
        let count = usize::from(u16_at(buf, offset + 4, "ACL count")?);
        let available = buf.len().saturating_sub(offset);
        if size < 8 || size > available {
            return Err(SecurityError::AclSize {
                offset,
                size,
                available,
            });
        }
        let acl = slice(buf, offset, size, "ACL")?;
        // Each ACE takes at least 4 bytes, so a count beyond size/4 is a lie; do not trust it
        // for the allocation.
        let mut entries = Vec::with_capacity(count.min(size / 4));
        let mut pos = 8;
        for index in 0..count {
            let at = offset + pos;
            let ace_type = u8_at(acl, pos, "ACE header")?;
            let flags = AceFlags(u8_at(acl, pos + 1, "ACE header")?);
            let ace_size = usize::from(u16_at(acl, pos + 2, "ACE header")?);
            if ace_size < 4 || pos + ace_size > size {
                return Err(SecurityError::AceSize {
                    index,
                    offset: at,
                    size: ace_size,
                    expected: format!("between 4 and the {} bytes left in the ACL", size - pos),
                });
            }
            let ace = &acl[pos..pos + ace_size];
            let entry = match AceType::from_code(ace_type) {
                Some(t) => AclEntry::Ace(Ace::decode(t, flags, ace, at, index)?),
                None => AclEntry::Raw(RawAce {
                    ace_type,
                    flags,
                    body: ace[4..].to_vec(),
                }),
            };
            entries.push(entry);
            pos += ace_size;
        }
        Ok(Acl { revision, entries })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::ace::{AccessMask, Guid};
    use super::super::sid::Sid;
    use super::*;

    fn allow(sid: &str, mask: u32) -> Ace {
        Ace::new(
            AceType::Allowed,
            AceFlags(0),
            AccessMask(mask),
            sid.parse().unwrap(),
        )
    }

    #[test]
    fn round_trip_with_raw_entry() {
        let mut acl = Acl::from_aces([allow("S-1-5-11", 0x14)]);
        acl.entries.push(AclEntry::Raw(RawAce {
            ace_type: 0x11,
            flags: AceFlags(0),
            body: vec![1, 2, 3, 4, 5, 6, 7, 8],
        }));
        let b = acl.to_bytes().unwrap();
        assert_eq!(b.len(), acl.binary_len());
        assert_eq!(&b[..8], &[2, 0, (b.len()) as u8, 0, 2, 0, 0, 0]);
        assert_eq!(Acl::from_bytes(&b).unwrap(), acl);
    }

    #[test]
    fn hostile_sizes_are_errors() {
        let acl = Acl::from_aces([allow("S-1-5-11", 0x14)]);
        let b = acl.to_bytes().unwrap();
        // Declared ACL size larger than the buffer.
        let mut big = b.clone();
        big[2] = 200;
        assert!(matches!(
            Acl::from_bytes(&big),
            Err(SecurityError::AclSize { .. })
        ));
        // ACE size running past the ACL.
        let mut ace_big = b.clone();
        ace_big[10] = 100;
        assert!(matches!(
            Acl::from_bytes(&ace_big),
            Err(SecurityError::AceSize { .. })
        ));
        // ACE size zero would loop forever in a naive parser.
        let mut zero = b.clone();
        zero[10] = 0;
        assert!(matches!(
            Acl::from_bytes(&zero),
            Err(SecurityError::AceSize { .. })
        ));
        // Count larger than what is there.
        let mut count = b.clone();
        count[4] = 0xff;
        count[5] = 0xff;
        assert!(Acl::from_bytes(&count).is_err());
        // ACE too short for its SID.
        let mut short = b;
        short[10] = 12;
        assert!(matches!(
            Acl::from_bytes(&short),
            Err(SecurityError::AceSize { .. })
        ));
        let mut rev = Acl::new().to_bytes().unwrap();
        rev[0] = 9;
        assert!(matches!(
            Acl::from_bytes(&rev),
            Err(SecurityError::AclRevision { revision: 9, .. })
        ));
    }

    #[test]
    fn canonical_insertion() {
        let deny = Ace::new(
            AceType::Denied,
            AceFlags(0),
            AccessMask(0x20),
            "S-1-5-7".parse().unwrap(),
        );
        let mut inherited = allow("S-1-5-18", 0xF01FF);
        inherited.flags = AceFlags::INHERITED | AceFlags::CONTAINER_INHERIT;
        let mut acl = Acl::from_aces([allow("S-1-5-11", 0x20094), inherited.clone()]);
        assert!(acl.add_ace(deny.clone()));
        assert!(acl.add_ace(allow("S-1-5-9", 0x4)));
        let mut obj = Ace::new(
            AceType::DeniedObject,
            AceFlags(0),
            AccessMask(0x100),
            Sid::everyone(),
        );
        obj.object_type = Some(Guid([7; 16]));
        assert!(acl.add_ace(obj.clone()));
        assert!(!acl.add_ace(deny.clone()));
        let order: Vec<&Ace> = acl.aces().collect();
        assert_eq!(
            order,
            [
                &deny,
                &obj,
                &allow("S-1-5-11", 0x20094),
                &allow("S-1-5-9", 0x4),
                &inherited
            ]
        );
        assert_eq!(acl.revision, ACL_REVISION_DS);
        assert!(acl.remove_ace(&deny));
        assert!(!acl.remove_ace(&deny));
        assert_eq!(acl.len(), 4);
    }
}
