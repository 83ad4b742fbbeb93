//! Self-relative security descriptors (the binary `nTSecurityDescriptor` value): control flags,
//! owner, group, SACL and DACL, decoded with every offset and length bounds-checked and encoded
//! in the layout Windows uses (header, SACL, DACL, owner, group). Also explicit-ACE editing in
//! canonical order. It does not own the SDDL text form (`sddl.rs`) or access evaluation.

use std::ops::BitOr;

use super::ace::Ace;
use super::acl::{Acl, AclEntry};
use super::bytes::{u16_at, u32_at, u8_at};
use super::sid::Sid;
use super::SecurityError;

/// SECURITY_DESCRIPTOR_CONTROL bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Control(pub u16);

impl Control {
    pub const OWNER_DEFAULTED: Control = Control(0x0001);
    pub const GROUP_DEFAULTED: Control = Control(0x0002);
    pub const DACL_PRESENT: Control = Control(0x0004);
    pub const DACL_DEFAULTED: Control = Control(0x0008);
    pub const SACL_PRESENT: Control = Control(0x0010);
    pub const SACL_DEFAULTED: Control = Control(0x0020);
    pub const DACL_TRUSTED: Control = Control(0x0040);
    pub const SERVER_SECURITY: Control = Control(0x0080);
    /// SDDL `AR` on the DACL.
    pub const DACL_AUTO_INHERIT_REQ: Control = Control(0x0100);
    /// SDDL `AR` on the SACL.
    pub const SACL_AUTO_INHERIT_REQ: Control = Control(0x0200);
    /// SDDL `AI` on the DACL.
    pub const DACL_AUTO_INHERITED: Control = Control(0x0400);
    /// SDDL `AI` on the SACL.
    pub const SACL_AUTO_INHERITED: Control = Control(0x0800);
    /// SDDL `P` on the DACL: blocks inheritance from the parent.
    pub const DACL_PROTECTED: Control = Control(0x1000);
    /// SDDL `P` on the SACL.
    pub const SACL_PROTECTED: Control = Control(0x2000);
    pub const RM_CONTROL_VALID: Control = Control(0x4000);
    pub const SELF_RELATIVE: Control = Control(0x8000);

    pub const fn bits(self) -> u16 {
        self.0
    }

    pub const fn contains(self, other: Control) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn set(&mut self, flag: Control, on: bool) {
        if on {
            self.0 |= flag.0;
        } else {
            self.0 &= !flag.0;
        }
    }
}

impl BitOr for Control {
    type Output = Control;
    fn bitor(self, rhs: Control) -> Control {
        Control(self.0 | rhs.0)
    }
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Control({:#06x})", self.0)
    }
}

/// A security descriptor.
///
/// `dacl == None` with `DACL_PRESENT` in `control` is a NULL DACL (SDDL `D:NO_ACCESS_CONTROL`);
/// without the flag there is no DACL part at all. Either way access is not restricted. When
/// writing, `SELF_RELATIVE` is always set and `DACL_PRESENT` / `SACL_PRESENT` are set for a
/// DACL / SACL that is `Some`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecurityDescriptor {
    pub control: Control,
    /// The Sbz1 byte: resource-manager control bits, meaningful with `RM_CONTROL_VALID`.
    pub rm_control: u8,
    pub owner: Option<Sid>,
    pub group: Option<Sid>,
    pub sacl: Option<Acl>,
    pub dacl: Option<Acl>,
}

impl Default for SecurityDescriptor {
    fn default() -> SecurityDescriptor {
        SecurityDescriptor::new()
    }
}

const HEADER_LEN: usize = 20;

impl SecurityDescriptor {
    /// Self-relative, with no owner, group, SACL or DACL.
    pub fn new() -> SecurityDescriptor {
        SecurityDescriptor {
            control: Control::SELF_RELATIVE,
            rm_control: 0,
            owner: None,
            group: None,
            sacl: None,
            dacl: None,
        }
    }

    /// A descriptor with just this DACL (present, not protected).
    pub fn with_dacl(dacl: Acl) -> SecurityDescriptor {
        SecurityDescriptor {
            control: Control::SELF_RELATIVE | Control::DACL_PRESENT,
            dacl: Some(dacl),
            ..SecurityDescriptor::new()
        }
    }

    /// `SE_DACL_PROTECTED`: ACEs of ancestors are not inherited.
    pub fn is_dacl_protected(&self) -> bool {
        self.control.contains(Control::DACL_PROTECTED)
    }

    /// Inserts an explicit ACE in canonical order (explicit denies, explicit allows, inherited):
    /// audit ACEs go to the SACL, the rest to the DACL, creating the ACL when absent (a NULL
    /// DACL becomes a DACL holding just this ACE, as Windows does). False when already present.
    pub fn add_ace(&mut self, ace: Ace) -> bool {
        let (acl, present) = if ace.ace_type.is_audit() {
            (&mut self.sacl, Control::SACL_PRESENT)
        } else {
            (&mut self.dacl, Control::DACL_PRESENT)
        };
        self.control.set(present, true);
        acl.get_or_insert_with(Acl::new).add_ace(ace)
    }

    /// Removes every entry equal to `ace` from the DACL (or SACL for audit ACEs).
    pub fn remove_ace(&mut self, ace: &Ace) -> bool {
        let acl = if ace.ace_type.is_audit() {
            &mut self.sacl
        } else {
            &mut self.dacl
        };
        acl.as_mut().is_some_and(|acl| acl.remove_ace(ace))
    }

    /// The control word as written: self-relative, with the present flags matching the ACLs.
    fn effective_control(&self) -> Control {
        let mut c = self.control | Control::SELF_RELATIVE;
        if self.dacl.is_some() {
            c.set(Control::DACL_PRESENT, true);
        }
        if self.sacl.is_some() {
            c.set(Control::SACL_PRESENT, true);
        }
        c
    }

    /// Encoded size of the self-relative form.
    pub fn binary_len(&self) -> usize {
        HEADER_LEN
            + self.sacl.as_ref().map_or(0, Acl::binary_len)
            + self.dacl.as_ref().map_or(0, Acl::binary_len)
            + self.owner.as_ref().map_or(0, Sid::binary_len)
            + self.group.as_ref().map_or(0, Sid::binary_len)
    }

    /// Self-relative binary form: header, SACL, DACL, owner, group (the order Windows uses).
    pub fn to_bytes(&self) -> Result<Vec<u8>, SecurityError> {
        let mut body = Vec::with_capacity(self.binary_len());
        // The descriptor is below 2 * 65535 + 2 * 68 + 20 bytes, so offsets fit in u32.
        let mut offsets = [0u32; 4]; // owner, group, sacl, dacl
        if let Some(sacl) = &self.sacl {
            offsets[2] = (HEADER_LEN + body.len()) as u32;
            sacl.write_to(&mut body)?;
        }
        if let Some(dacl) = &self.dacl {
            offsets[3] = (HEADER_LEN + body.len()) as u32;
            dacl.write_to(&mut body)?;
        }
        if let Some(owner) = &self.owner {
            offsets[0] = (HEADER_LEN + body.len()) as u32;
            owner.write_to(&mut body);
        }
        if let Some(group) = &self.group {
            offsets[1] = (HEADER_LEN + body.len()) as u32;
            group.write_to(&mut body);
        }
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.push(1);
        out.push(self.rm_control);
        out.extend_from_slice(&self.effective_control().0.to_le_bytes());
        for off in offsets {
            out.extend_from_slice(&off.to_le_bytes());
        }
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Parses a self-relative descriptor. Hostile input gives an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<SecurityDescriptor, SecurityError> {
        let revision = u8_at(bytes, 0, "security descriptor header")?;
        if bytes.len() < HEADER_LEN {
            return Err(SecurityError::Truncated {
                what: "security descriptor header",
                offset: 0,
                needed: HEADER_LEN,
                available: bytes.len(),
            });
        }
        if revision != 1 {
            return Err(SecurityError::DescriptorRevision { revision });
        }
        let rm_control = u8_at(bytes, 1, "security descriptor header")?;
        let control = Control(u16_at(bytes, 2, "security descriptor control")?);
        if !control.contains(Control::SELF_RELATIVE) {
            return Err(SecurityError::NotSelfRelative { control: control.0 });
        }
        let offset = |at: usize, field: &'static str| -> Result<Option<usize>, SecurityError> {
            let off = u32_at(bytes, at, "security descriptor offsets")?;
            let as_usize = usize::try_from(off).ok();
            match as_usize {
                Some(0) => Ok(None),
                Some(o) if (HEADER_LEN..bytes.len()).contains(&o) => Ok(Some(o)),
                _ => Err(SecurityError::DescriptorOffset {
                    field,
                    offset: off,
                    len: bytes.len(),
                }),
            }
        };
        let owner_off = offset(4, "owner")?;
        let group_off = offset(8, "group")?;
        let sacl_off = offset(12, "SACL")?;
        let dacl_off = offset(16, "DACL")?;
        let owner = owner_off.map(|o| Sid::read(bytes, o)).transpose()?;
        let group = group_off.map(|o| Sid::read(bytes, o)).transpose()?;
        // An ACL offset without its PRESENT flag is ignored, as Windows does.
        let sacl = match sacl_off {
            Some(o) if control.contains(Control::SACL_PRESENT) => Some(Acl::read(bytes, o)?),
            _ => None,
        };
        let dacl = match dacl_off {
            Some(o) if control.contains(Control::DACL_PRESENT) => Some(Acl::read(bytes, o)?),
            _ => None,
        };
        Ok(SecurityDescriptor {
            control,
            rm_control,
            owner,
            group,
            sacl,
            dacl,
        })
    }

    /// All entries of the DACL (empty for a missing or NULL DACL).
    pub fn dacl_entries(&self) -> &[AclEntry] {
        self.dacl.as_ref().map_or(&[], |d| d.entries.as_slice())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::ace::{AccessMask, AceFlags, AceType};
    use super::*;

    fn sample() -> SecurityDescriptor {
        let da: Sid = "S-1-5-21-1-2-3-512".parse().unwrap();
        let mut sd = SecurityDescriptor::with_dacl(Acl::from_aces([
            Ace::new(
                AceType::Allowed,
                AceFlags(0),
                AccessMask(0xF01FF),
                da.clone(),
            ),
            Ace::new(
                AceType::Allowed,
                AceFlags::CONTAINER_INHERIT,
                AccessMask(0x14),
                Sid::authenticated_users(),
            ),
        ]));
        sd.owner = Some(da.clone());
        sd.group = Some(da);
        sd.add_ace(Ace::new(
            AceType::SystemAudit,
            AceFlags::FAILED_ACCESS,
            AccessMask(0x20),
            Sid::everyone(),
        ));
        sd
    }

    #[test]
    fn layout_and_round_trip() {
        let sd = sample();
        let b = sd.to_bytes().unwrap();
        assert_eq!(b.len(), sd.binary_len());
        assert_eq!(b[0], 1);
        let control = u16::from_le_bytes([b[2], b[3]]);
        assert_eq!(control, 0x8000 | 0x4 | 0x10);
        let off = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        // SACL, DACL, owner, group.
        assert_eq!(off(12), 20);
        assert!(off(16) > off(12) && off(4) > off(16) && off(8) > off(4));
        assert_eq!(SecurityDescriptor::from_bytes(&b).unwrap(), sd);
    }

    #[test]
    fn byte_exact_small_descriptor() {
        // O:BA D:(A;;LC;;;WD), encoded by hand.
        let mut sd = SecurityDescriptor::with_dacl(Acl::from_aces([Ace::new(
            AceType::Allowed,
            AceFlags(0),
            AccessMask::LIST_CHILDREN,
            Sid::everyone(),
        )]));
        sd.owner = Some("S-1-5-32-544".parse().unwrap());
        #[rustfmt::skip]
        let expected: Vec<u8> = vec![
            1, 0, 0x04, 0x80, 48, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, // header
            2, 0, 28, 0, 1, 0, 0, 0,                                             // ACL header
            0, 0, 20, 0, 4, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,         // (A;;LC;;;WD)
            1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0,               // S-1-5-32-544
        ];
        assert_eq!(sd.to_bytes().unwrap(), expected);
        assert_eq!(SecurityDescriptor::from_bytes(&expected).unwrap(), sd);
    }

    #[test]
    fn null_and_absent_dacl() {
        let mut sd = SecurityDescriptor::new();
        sd.control = Control::SELF_RELATIVE | Control::DACL_PRESENT;
        let b = sd.to_bytes().unwrap();
        assert_eq!(&b[16..20], &[0, 0, 0, 0]);
        let back = SecurityDescriptor::from_bytes(&b).unwrap();
        assert_eq!(back, sd);
        assert!(back.dacl.is_none());
        let empty = SecurityDescriptor::new();
        assert_eq!(
            SecurityDescriptor::from_bytes(&empty.to_bytes().unwrap()).unwrap(),
            empty
        );
    }

    #[test]
    fn hostile_headers() {
        let b = sample().to_bytes().unwrap();
        assert!(SecurityDescriptor::from_bytes(&[]).is_err());
        assert!(SecurityDescriptor::from_bytes(&b[..19]).is_err());
        let mut rev = b.clone();
        rev[0] = 2;
        assert!(matches!(
            SecurityDescriptor::from_bytes(&rev),
            Err(SecurityError::DescriptorRevision { revision: 2 })
        ));
        let mut abs = b.clone();
        abs[3] = 0;
        assert!(matches!(
            SecurityDescriptor::from_bytes(&abs),
            Err(SecurityError::NotSelfRelative { .. })
        ));
        let mut inside = b.clone();
        inside[4] = 3;
        assert!(matches!(
            SecurityDescriptor::from_bytes(&inside),
            Err(SecurityError::DescriptorOffset { field: "owner", .. })
        ));
        let mut beyond = b.clone();
        beyond[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            SecurityDescriptor::from_bytes(&beyond),
            Err(SecurityError::DescriptorOffset { field: "DACL", .. })
        ));
        // Owner SID running off the end.
        let mut tail = b.clone();
        let len = tail.len() as u32;
        tail[4..8].copy_from_slice(&(len - 4).to_le_bytes());
        assert!(SecurityDescriptor::from_bytes(&tail).is_err());
        // Truncating anywhere never panics.
        for n in 0..b.len() {
            let _ = SecurityDescriptor::from_bytes(&b[..n]);
        }
    }

    #[test]
    fn edit_aces() {
        let mut sd = SecurityDescriptor::new();
        let ace = Ace::new(
            AceType::Allowed,
            AceFlags(0),
            AccessMask::LIST_CHILDREN,
            Sid::everyone(),
        );
        assert!(sd.add_ace(ace.clone()));
        assert!(sd.control.contains(Control::DACL_PRESENT));
        assert!(!sd.add_ace(ace.clone()));
        assert!(sd.remove_ace(&ace));
        assert_eq!(sd.dacl, Some(Acl::new()));
        assert!(!sd.remove_ace(&ace));
    }
}
