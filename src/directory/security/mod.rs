//! Windows / Active Directory security primitives: SIDs, access masks, ACEs, ACLs, self-relative
//! security descriptors (binary `nTSecurityDescriptor`) and their SDDL text form, plus the
//! access questions umctl asks (is a grant already present, what ACE to add, can a token read an
//! object given its ancestors). It owns no directory I/O: callers fetch and store descriptors
//! (SD-flags control, base64 import, LDIF) elsewhere.
//!
//! Hand-written rather than using a crate: `windows-sddl` (MIT) only parses binary descriptors,
//! drops the SACL and has no serializer; `sddl` is GPL-3.0.

pub mod access;
pub mod ace;
pub mod acl;
pub mod descriptor;
pub mod sddl;
pub mod sid;

pub use access::{
    ace_for, can_read, dacl_grants, effective_access, effective_access_for_classes, Inheritance,
};
pub use ace::{AccessMask, Ace, AceFlags, AceType, Guid, RawAce};
pub use acl::{Acl, AclEntry};
pub use descriptor::{Control, SecurityDescriptor};
pub use sid::Sid;

/// Everything that can go wrong decoding or encoding security data. Each variant names the
/// offending value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityError {
    #[error("{what} at byte offset {offset} needs {needed} bytes but only {available} remain")]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("{what} is {actual} bytes long: expected exactly {expected} bytes")]
    TrailingBytes {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("SID revision {revision} at byte offset {offset}: expected 1")]
    SidRevision { offset: usize, revision: u8 },
    #[error("SID with {count} sub-authorities: expected at most 15")]
    TooManySubAuthorities { count: usize },
    #[error("SID identifier authority {authority:#x}: expected a value below 2^48")]
    SidAuthority { authority: u64 },
    #[error("invalid SID string {input:?}: expected {expected}")]
    SidString {
        input: String,
        expected: &'static str,
    },
    #[error(
        "unknown SDDL SID {token:?}: expected a two-letter alias (WD, AU, BA, SY, DA, ...) or an S-1-... string"
    )]
    UnknownSidAlias { token: String },
    #[error("SDDL SID alias {token:?} is domain-relative: expected a domain SID (S-1-5-21-...) to resolve it")]
    DomainSidRequired { token: String },
    #[error("invalid GUID {input:?}: expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
    Guid { input: String },
    #[error("ACL revision {revision} at byte offset {offset}: expected 2 or 4")]
    AclRevision { offset: usize, revision: u8 },
    #[error(
        "ACL at byte offset {offset} declares {size} bytes: expected between 8 and {available}"
    )]
    AclSize {
        offset: usize,
        size: usize,
        available: usize,
    },
    #[error("ACE #{index} at byte offset {offset} declares {size} bytes: expected {expected}")]
    AceSize {
        index: usize,
        offset: usize,
        size: usize,
        expected: String,
    },
    #[error(
        "ACL with {count} ACEs encodes to {size} bytes: expected at most 65535 bytes / 65535 ACEs"
    )]
    AclTooLarge { count: usize, size: usize },
    #[error("security descriptor revision {revision}: expected 1")]
    DescriptorRevision { revision: u8 },
    #[error("security descriptor control {control:#06x} lacks SE_SELF_RELATIVE (0x8000): expected a self-relative descriptor")]
    NotSelfRelative { control: u16 },
    #[error("security descriptor {field} offset {offset}: expected 0 or a value in 20..{len}")]
    DescriptorOffset {
        field: &'static str,
        offset: u32,
        len: usize,
    },
    #[error("invalid SDDL at character {offset} (near {near:?}): expected {expected}")]
    Sddl {
        offset: usize,
        near: String,
        expected: String,
    },
    #[error(
        "unknown SDDL access right {token:?}: expected two-letter codes (CC DC LC SW RP WP DT LO CR SD RC WD WO GA GR GW GX) or a 0x hex mask"
    )]
    AccessRight { token: String },
    #[error("{what} {value:#x} cannot be written as SDDL: expected {expected}")]
    NotSddl {
        what: &'static str,
        value: u32,
        expected: &'static str,
    },
}

/// Bounds-checked little cursor helpers shared by the binary decoders.
pub(crate) mod bytes {
    use super::SecurityError;

    /// `buf[offset..offset + len]`, or a `Truncated` error naming `what`.
    pub fn slice<'a>(
        buf: &'a [u8],
        offset: usize,
        len: usize,
        what: &'static str,
    ) -> Result<&'a [u8], SecurityError> {
        let end = offset.checked_add(len);
        match end {
            Some(end) if end <= buf.len() => Ok(&buf[offset..end]),
            _ => Err(SecurityError::Truncated {
                what,
                offset,
                needed: len,
                available: buf.len().saturating_sub(offset),
            }),
        }
    }

    pub fn u8_at(buf: &[u8], offset: usize, what: &'static str) -> Result<u8, SecurityError> {
        Ok(slice(buf, offset, 1, what)?[0])
    }

    pub fn u16_at(buf: &[u8], offset: usize, what: &'static str) -> Result<u16, SecurityError> {
        let s = slice(buf, offset, 2, what)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }

    pub fn u32_at(buf: &[u8], offset: usize, what: &'static str) -> Result<u32, SecurityError> {
        let s = slice(buf, offset, 4, what)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}
