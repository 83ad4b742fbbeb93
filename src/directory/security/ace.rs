//! Access control entries: the access mask with the Active Directory rights, ACE flags, ACE
//! types, the mixed-endian GUID used for object ACEs, and the binary encoding of one ACE.
//! Unknown ACE types are kept as [`RawAce`] bytes so a descriptor round-trips unchanged. It does
//! not own the SDDL text form (`sddl.rs`) or ACL framing (`acl.rs`).

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};
use std::str::FromStr;

use super::bytes::{slice, u32_at};
use super::sid::Sid;
use super::SecurityError;

/// A 32-bit access mask. Constants carry the Active Directory meaning of each bit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct AccessMask(pub u32);

impl AccessMask {
    /// CC: ADS_RIGHT_DS_CREATE_CHILD.
    pub const CREATE_CHILD: AccessMask = AccessMask(0x1);
    /// DC: ADS_RIGHT_DS_DELETE_CHILD.
    pub const DELETE_CHILD: AccessMask = AccessMask(0x2);
    /// LC: ADS_RIGHT_ACTRL_DS_LIST.
    pub const LIST_CHILDREN: AccessMask = AccessMask(0x4);
    /// SW: ADS_RIGHT_DS_SELF (validated write).
    pub const SELF_WRITE: AccessMask = AccessMask(0x8);
    /// RP: ADS_RIGHT_DS_READ_PROP.
    pub const READ_PROPERTY: AccessMask = AccessMask(0x10);
    /// WP: ADS_RIGHT_DS_WRITE_PROP.
    pub const WRITE_PROPERTY: AccessMask = AccessMask(0x20);
    /// DT: ADS_RIGHT_DS_DELETE_TREE.
    pub const DELETE_TREE: AccessMask = AccessMask(0x40);
    /// LO: ADS_RIGHT_DS_LIST_OBJECT.
    pub const LIST_OBJECT: AccessMask = AccessMask(0x80);
    /// CR: ADS_RIGHT_DS_CONTROL_ACCESS (extended rights).
    pub const CONTROL_ACCESS: AccessMask = AccessMask(0x100);
    /// SD: DELETE.
    pub const DELETE: AccessMask = AccessMask(0x1_0000);
    /// RC: READ_CONTROL.
    pub const READ_CONTROL: AccessMask = AccessMask(0x2_0000);
    /// WD: WRITE_DAC.
    pub const WRITE_DAC: AccessMask = AccessMask(0x4_0000);
    /// WO: WRITE_OWNER.
    pub const WRITE_OWNER: AccessMask = AccessMask(0x8_0000);
    pub const SYNCHRONIZE: AccessMask = AccessMask(0x10_0000);
    pub const ACCESS_SYSTEM_SECURITY: AccessMask = AccessMask(0x100_0000);
    /// GA: GENERIC_ALL (mapped to [`Self::DS_GENERIC_ALL`] by the directory).
    pub const GENERIC_ALL: AccessMask = AccessMask(0x1000_0000);
    /// GX: GENERIC_EXECUTE.
    pub const GENERIC_EXECUTE: AccessMask = AccessMask(0x2000_0000);
    /// GW: GENERIC_WRITE.
    pub const GENERIC_WRITE: AccessMask = AccessMask(0x4000_0000);
    /// GR: GENERIC_READ.
    pub const GENERIC_READ: AccessMask = AccessMask(0x8000_0000);
    /// What AD maps GENERIC_READ to (ActiveDirectoryRights.GenericRead): RC|LC|RP|LO.
    pub const DS_GENERIC_READ: AccessMask = AccessMask(0x2_0094);
    /// What AD maps GENERIC_WRITE to: RC|SW|WP.
    pub const DS_GENERIC_WRITE: AccessMask = AccessMask(0x2_0028);
    /// What AD maps GENERIC_EXECUTE to: RC|LC.
    pub const DS_GENERIC_EXECUTE: AccessMask = AccessMask(0x2_0004);
    /// What AD maps GENERIC_ALL to (full control).
    pub const DS_GENERIC_ALL: AccessMask = AccessMask(0xF_01FF);
    /// Every bit: the answer for a descriptor without a DACL.
    pub const ALL: AccessMask = AccessMask(u32::MAX);

    pub const fn bits(self) -> u32 {
        self.0
    }

    /// True when every bit of `other` is set in `self`.
    pub const fn contains(self, other: AccessMask) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn intersects(self, other: AccessMask) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Replaces the four generic bits by the rights AD's generic mapping gives them.
    pub const fn map_generic(self) -> AccessMask {
        let mut out = self.0 & 0x0FFF_FFFF;
        if self.0 & Self::GENERIC_READ.0 != 0 {
            out |= Self::DS_GENERIC_READ.0;
        }
        if self.0 & Self::GENERIC_WRITE.0 != 0 {
            out |= Self::DS_GENERIC_WRITE.0;
        }
        if self.0 & Self::GENERIC_EXECUTE.0 != 0 {
            out |= Self::DS_GENERIC_EXECUTE.0;
        }
        if self.0 & Self::GENERIC_ALL.0 != 0 {
            out |= Self::DS_GENERIC_ALL.0;
        }
        AccessMask(out)
    }

    /// Names from System.DirectoryServices.ActiveDirectoryRights, as the ExchUCUtil verify table
    /// shows them: composite names (GenericRead, GenericAll, ...) are used when all their bits
    /// are present, picked and listed from the highest value down, so 0x14 renders as
    /// "ReadProperty, ListChildren". Bits without a name are appended in hex; 0 renders as "0".
    pub fn names(self) -> String {
        const NAMES: &[(&str, u32)] = &[
            ("AccessSystemSecurity", 0x100_0000),
            ("Synchronize", 0x10_0000),
            ("GenericAll", 0xF_01FF),
            ("WriteOwner", 0x8_0000),
            ("WriteDacl", 0x4_0000),
            ("GenericRead", 0x2_0094),
            ("GenericWrite", 0x2_0028),
            ("GenericExecute", 0x2_0004),
            ("ReadControl", 0x2_0000),
            ("Delete", 0x1_0000),
            ("ExtendedRight", 0x100),
            ("ListObject", 0x80),
            ("DeleteTree", 0x40),
            ("WriteProperty", 0x20),
            ("ReadProperty", 0x10),
            ("Self", 0x8),
            ("ListChildren", 0x4),
            ("DeleteChild", 0x2),
            ("CreateChild", 0x1),
        ];
        if self.0 == 0 {
            return "0".to_string();
        }
        let mut rest = self.0;
        let mut parts: Vec<String> = Vec::new();
        for (name, value) in NAMES {
            if rest & value == *value {
                rest &= !value;
                parts.push((*name).to_string());
            }
        }
        if rest != 0 {
            parts.push(format!("{rest:#x}"));
        }
        parts.join(", ")
    }
}

impl BitOr for AccessMask {
    type Output = AccessMask;
    fn bitor(self, rhs: AccessMask) -> AccessMask {
        AccessMask(self.0 | rhs.0)
    }
}

impl BitOrAssign for AccessMask {
    fn bitor_assign(&mut self, rhs: AccessMask) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for AccessMask {
    type Output = AccessMask;
    fn bitand(self, rhs: AccessMask) -> AccessMask {
        AccessMask(self.0 & rhs.0)
    }
}

impl Not for AccessMask {
    type Output = AccessMask;
    fn not(self) -> AccessMask {
        AccessMask(!self.0)
    }
}

impl fmt::Debug for AccessMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessMask({:#x})", self.0)
    }
}

impl fmt::Display for AccessMask {
    /// The ActiveDirectoryRights names (see [`AccessMask::names`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names())
    }
}

/// ACE header flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AceFlags(pub u8);

impl AceFlags {
    /// OI
    pub const OBJECT_INHERIT: AceFlags = AceFlags(0x1);
    /// CI
    pub const CONTAINER_INHERIT: AceFlags = AceFlags(0x2);
    /// NP
    pub const NO_PROPAGATE_INHERIT: AceFlags = AceFlags(0x4);
    /// IO
    pub const INHERIT_ONLY: AceFlags = AceFlags(0x8);
    /// ID
    pub const INHERITED: AceFlags = AceFlags(0x10);
    /// SA
    pub const SUCCESSFUL_ACCESS: AceFlags = AceFlags(0x40);
    /// FA
    pub const FAILED_ACCESS: AceFlags = AceFlags(0x80);

    pub const fn bits(self) -> u8 {
        self.0
    }

    pub const fn contains(self, other: AceFlags) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn intersects(self, other: AceFlags) -> bool {
        self.0 & other.0 != 0
    }
}

impl BitOr for AceFlags {
    type Output = AceFlags;
    fn bitor(self, rhs: AceFlags) -> AceFlags {
        AceFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for AceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AceFlags({:#x})", self.0)
    }
}

/// The ACE types umctl understands; anything else is a [`RawAce`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AceType {
    /// 0x00, SDDL `A`.
    Allowed,
    /// 0x01, SDDL `D`.
    Denied,
    /// 0x02, SDDL `AU`.
    SystemAudit,
    /// 0x05, SDDL `OA`.
    AllowedObject,
    /// 0x06, SDDL `OD`.
    DeniedObject,
    /// 0x07, SDDL `OU`.
    SystemAuditObject,
}

impl AceType {
    pub const fn code(self) -> u8 {
        match self {
            AceType::Allowed => 0x00,
            AceType::Denied => 0x01,
            AceType::SystemAudit => 0x02,
            AceType::AllowedObject => 0x05,
            AceType::DeniedObject => 0x06,
            AceType::SystemAuditObject => 0x07,
        }
    }

    pub const fn from_code(code: u8) -> Option<AceType> {
        match code {
            0x00 => Some(AceType::Allowed),
            0x01 => Some(AceType::Denied),
            0x02 => Some(AceType::SystemAudit),
            0x05 => Some(AceType::AllowedObject),
            0x06 => Some(AceType::DeniedObject),
            0x07 => Some(AceType::SystemAuditObject),
            _ => None,
        }
    }

    /// Object ACEs carry optional object-type / inherited-object-type GUIDs.
    pub const fn is_object(self) -> bool {
        matches!(
            self,
            AceType::AllowedObject | AceType::DeniedObject | AceType::SystemAuditObject
        )
    }

    pub const fn is_allow(self) -> bool {
        matches!(self, AceType::Allowed | AceType::AllowedObject)
    }

    pub const fn is_deny(self) -> bool {
        matches!(self, AceType::Denied | AceType::DeniedObject)
    }

    /// Audit ACEs belong in the SACL.
    pub const fn is_audit(self) -> bool {
        matches!(self, AceType::SystemAudit | AceType::SystemAuditObject)
    }
}

/// A GUID, stored in the canonical (string) byte order. Windows stores GUIDs mixed-endian: the
/// first three fields little-endian, the last eight bytes as they are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// From the 16 bytes as Windows stores them (objectGUID, schemaIDGUID, object ACEs).
    pub fn from_windows_bytes(b: [u8; 16]) -> Guid {
        Guid([
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ])
    }

    /// The 16 bytes as Windows stores them.
    pub fn to_windows_bytes(self) -> [u8; 16] {
        let c = self.0;
        [
            c[3], c[2], c[1], c[0], c[5], c[4], c[7], c[6], c[8], c[9], c[10], c[11], c[12], c[13],
            c[14], c[15],
        ]
    }
}

impl fmt::Display for Guid {
    /// Canonical lowercase `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = SecurityError;

    /// Accepts `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in either case, optionally in braces.
    fn from_str(s: &str) -> Result<Guid, SecurityError> {
        let bad = || SecurityError::Guid {
            input: s.to_string(),
        };
        let inner = s
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .unwrap_or(s);
        let b = inner.as_bytes();
        if b.len() != 36 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b[i] != b'-' {
                    return Err(bad());
                }
                i += 1;
                continue;
            }
            let hi = hex_val(b[i]).ok_or_else(bad)?;
            let lo = hex_val(b[i + 1]).ok_or_else(bad)?;
            out[n] = hi << 4 | lo;
            n += 1;
            i += 2;
        }
        Ok(Guid(out))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Guid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Guid, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One ACE of a known type.
///
/// `object_type` / `inherited_object_type` are only encoded for object ACE types; on the
/// non-object types they are ignored when writing and never set when reading.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ace {
    pub ace_type: AceType,
    pub flags: AceFlags,
    pub mask: AccessMask,
    pub object_type: Option<Guid>,
    pub inherited_object_type: Option<Guid>,
    pub sid: Sid,
}

/// ACE_OBJECT_TYPE_PRESENT / ACE_INHERITED_OBJECT_TYPE_PRESENT in object ACEs.
const OBJECT_TYPE_PRESENT: u32 = 0x1;
const INHERITED_OBJECT_TYPE_PRESENT: u32 = 0x2;

impl Ace {
    /// An ACE without object GUIDs.
    pub fn new(ace_type: AceType, flags: AceFlags, mask: AccessMask, sid: Sid) -> Ace {
        Ace {
            ace_type,
            flags,
            mask,
            object_type: None,
            inherited_object_type: None,
            sid,
        }
    }

    /// Has the ID flag (inherited from a parent).
    pub fn is_inherited(&self) -> bool {
        self.flags.contains(AceFlags::INHERITED)
    }

    /// Encoded size including the 4-byte header.
    pub fn binary_len(&self) -> usize {
        let mut len = 8 + self.sid.binary_len();
        if self.ace_type.is_object() {
            len += 4;
            len += 16 * usize::from(self.object_type.is_some());
            len += 16 * usize::from(self.inherited_object_type.is_some());
        }
        len
    }

    /// Binary form: type, flags, u16 size, mask, [object flags, GUIDs], SID.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.binary_len());
        self.write_to(&mut out);
        out
    }

    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        out.push(self.ace_type.code());
        out.push(self.flags.0);
        // A known ACE is at most 8 + 4 + 32 + 68 = 112 bytes.
        out.extend_from_slice(&(self.binary_len() as u16).to_le_bytes());
        out.extend_from_slice(&self.mask.0.to_le_bytes());
        if self.ace_type.is_object() {
            let mut present = 0;
            if self.object_type.is_some() {
                present |= OBJECT_TYPE_PRESENT;
            }
            if self.inherited_object_type.is_some() {
                present |= INHERITED_OBJECT_TYPE_PRESENT;
            }
            out.extend_from_slice(&present.to_le_bytes());
            for guid in [self.object_type, self.inherited_object_type]
                .into_iter()
                .flatten()
            {
                out.extend_from_slice(&guid.to_windows_bytes());
            }
        }
        self.sid.write_to(out);
    }

    /// Decodes a known ACE from `ace` (the whole ACE, header included, exactly its declared
    /// size). `offset` is where it starts in the enclosing buffer, for error messages.
    /// Bytes after the SID (padding) are accepted and dropped.
    pub(crate) fn decode(
        ace_type: AceType,
        flags: AceFlags,
        ace: &[u8],
        offset: usize,
        index: usize,
    ) -> Result<Ace, SecurityError> {
        let size_err = |expected: &str| SecurityError::AceSize {
            index,
            offset,
            size: ace.len(),
            expected: expected.to_string(),
        };
        let mask = AccessMask(
            u32_at(ace, 4, "ACE access mask").map_err(|_| size_err("at least 8 bytes"))?,
        );
        let mut pos = 8;
        let (mut object_type, mut inherited_object_type) = (None, None);
        if ace_type.is_object() {
            let present = u32_at(ace, pos, "object ACE flags")
                .map_err(|_| size_err("at least 12 bytes for an object ACE"))?;
            pos += 4;
            if present & OBJECT_TYPE_PRESENT != 0 {
                object_type = Some(
                    read_guid(ace, pos).map_err(|_| size_err("room for the object type GUID"))?,
                );
                pos += 16;
            }
            if present & INHERITED_OBJECT_TYPE_PRESENT != 0 {
                inherited_object_type = Some(
                    read_guid(ace, pos)
                        .map_err(|_| size_err("room for the inherited object type GUID"))?,
                );
                pos += 16;
            }
        }
        let sid = match Sid::read(ace, pos) {
            Ok(sid) => sid,
            Err(SecurityError::Truncated { .. }) => {
                return Err(size_err("room for the trustee SID"))
            }
            Err(SecurityError::SidRevision { revision, .. }) => {
                return Err(SecurityError::SidRevision {
                    offset: offset + pos,
                    revision,
                })
            }
            Err(e) => return Err(e),
        };
        Ok(Ace {
            ace_type,
            flags,
            mask,
            object_type,
            inherited_object_type,
            sid,
        })
    }
}

fn read_guid(buf: &[u8], offset: usize) -> Result<Guid, SecurityError> {
    let s = slice(buf, offset, 16, "GUID")?;
    let mut b = [0u8; 16];
    b.copy_from_slice(s);
    Ok(Guid::from_windows_bytes(b))
}

/// An ACE of a type umctl does not interpret (callback ACEs, mandatory labels, ...), kept
/// byte for byte. `body` is everything after the 4-byte header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RawAce {
    pub ace_type: u8,
    pub flags: AceFlags,
    pub body: Vec<u8>,
}

impl RawAce {
    pub fn binary_len(&self) -> usize {
        4 + self.body.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_match_active_directory_rights() {
        assert_eq!(AccessMask(0x14).names(), "ReadProperty, ListChildren");
        assert_eq!(AccessMask::LIST_CHILDREN.names(), "ListChildren");
        assert_eq!(AccessMask(0x2_0094).names(), "GenericRead");
        assert_eq!(AccessMask(0xF_01FF).names(), "GenericAll");
        assert_eq!(AccessMask(0x2_0014).names(), "GenericExecute, ReadProperty");
        assert_eq!(
            AccessMask(0x130).names(),
            "ExtendedRight, WriteProperty, ReadProperty"
        );
        assert_eq!(AccessMask(0).names(), "0");
        assert_eq!(AccessMask(0x1000_0004).names(), "ListChildren, 0x10000000");
        assert_eq!(AccessMask(0x14).to_string(), "ReadProperty, ListChildren");
    }

    #[test]
    fn mask_ops() {
        let lcrp = AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY;
        assert_eq!(lcrp, AccessMask(0x14));
        assert!(AccessMask::DS_GENERIC_READ.contains(lcrp));
        assert!(!AccessMask::LIST_CHILDREN.contains(lcrp));
        assert_eq!(
            AccessMask::GENERIC_READ.map_generic(),
            AccessMask::DS_GENERIC_READ
        );
        assert_eq!(
            AccessMask::GENERIC_ALL.map_generic(),
            AccessMask::DS_GENERIC_ALL
        );
        assert_eq!(
            (AccessMask::GENERIC_WRITE | AccessMask::GENERIC_EXECUTE).map_generic(),
            AccessMask(0x2_002C)
        );
    }

    #[test]
    fn guid_layout() {
        // bf967aba-0de6-11d0-a285-00aa003049e2 is the user class schemaIDGUID.
        let g: Guid = "BF967ABA-0DE6-11D0-A285-00AA003049E2".parse().unwrap();
        assert_eq!(g.to_string(), "bf967aba-0de6-11d0-a285-00aa003049e2");
        let w = g.to_windows_bytes();
        assert_eq!(&w[..8], &[0xba, 0x7a, 0x96, 0xbf, 0xe6, 0x0d, 0xd0, 0x11]);
        assert_eq!(&w[8..], &[0xa2, 0x85, 0x00, 0xaa, 0x00, 0x30, 0x49, 0xe2]);
        assert_eq!(Guid::from_windows_bytes(w), g);
        assert_eq!(
            "{bf967aba-0de6-11d0-a285-00aa003049e2}"
                .parse::<Guid>()
                .unwrap(),
            g
        );
        for bad in [
            "",
            "bf967aba0de611d0a28500aa003049e2",
            "bf967aba-0de6-11d0-a285-00aa003049eg",
            "bf967aba-0de6-11d0-a285_00aa003049e2",
            "ééééééééééééééééé-0de6-11d0-a28",
        ] {
            assert!(bad.parse::<Guid>().is_err(), "{bad}");
        }
    }

    #[test]
    fn object_ace_binary() {
        let sid: Sid = "S-1-5-11".parse().unwrap();
        let mut ace = Ace::new(
            AceType::AllowedObject,
            AceFlags::CONTAINER_INHERIT,
            AccessMask::CONTROL_ACCESS,
            sid,
        );
        ace.object_type = Some("00299570-246d-11d0-a768-00aa006e0529".parse().unwrap());
        let b = ace.to_bytes();
        assert_eq!(b.len(), ace.binary_len());
        assert_eq!(b.len(), 4 + 4 + 4 + 16 + 12);
        assert_eq!(&b[..4], &[0x05, 0x02, 40, 0]);
        assert_eq!(&b[8..12], &[1, 0, 0, 0]);
        let back = Ace::decode(
            AceType::AllowedObject,
            AceFlags::CONTAINER_INHERIT,
            &b,
            0,
            0,
        )
        .unwrap();
        assert_eq!(back, ace);
        assert!(Ace::decode(AceType::AllowedObject, AceFlags(0), &b[..20], 0, 0).is_err());
    }
}
