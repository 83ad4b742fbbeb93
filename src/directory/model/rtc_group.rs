//! The two Lync groups grant-permissions gives read rights to (`RTCUniversalServerAdmins`,
//! `RTCComponentUniversalServices`, domain.md A.1/A.3): name, DN and SID, with the SID read
//! from AD's binary `objectSid` or the lab's `S-1-5-...` text. It does not build ACEs
//! (`directory::security`) or search for the groups (`admin::grant`).

use serde::Serialize;

use super::{attrs, read, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;

pub const RTC_UNIVERSAL_SERVER_ADMINS: &str = "RTCUniversalServerAdmins";
pub const RTC_COMPONENT_UNIVERSAL_SERVICES: &str = "RTCComponentUniversalServices";

/// The groups in the order ExchUCUtil configures them (admin group first).
pub const RTC_GROUP_NAMES: [&str; 2] = [
    RTC_UNIVERSAL_SERVER_ADMINS,
    RTC_COMPONENT_UNIVERSAL_SERVICES,
];

/// A group found by `sAMAccountName`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RtcGroup {
    pub dn: Dn,
    pub sam: String,
    /// The SID in string form, `S-1-5-21-...`.
    pub sid: String,
}

impl RtcGroup {
    pub fn from_entry(e: &Entry) -> Result<RtcGroup, ModelError> {
        const CLASS: &str = attrs::OC_GROUP;
        read::expect_class(e, CLASS)?;
        let sam = read::req_str(e, attrs::SAM_ACCOUNT_NAME, CLASS)?;
        let raw = e
            .first_bytes(attrs::OBJECT_SID)
            .ok_or_else(|| read::missing(e, attrs::OBJECT_SID, CLASS))?;
        let sid = sid_from_value(raw).map_err(|v| v.at(&e.dn, attrs::OBJECT_SID))?;
        Ok(RtcGroup {
            dn: e.dn.clone(),
            sam,
            sid,
        })
    }
}

/// Reads an `objectSid` value: `S-1-...` text (the lab), else the binary layout (AD).
pub fn sid_from_value(raw: &[u8]) -> Result<String, ValueError> {
    match std::str::from_utf8(raw) {
        Ok(text) if text.len() >= 2 && text[..2].eq_ignore_ascii_case("S-") => sid_from_text(text),
        _ => sid_from_binary(raw),
    }
}

/// Decodes the binary SID layout: revision (1 byte, = 1), sub-authority count (1 byte, <= 15),
/// identifier authority (6 bytes big-endian), sub-authorities (4 bytes little-endian each).
/// Hand-written: a dozen lines, and the security module's full Sid type is not ours to import.
pub fn sid_from_binary(raw: &[u8]) -> Result<String, ValueError> {
    let fail = || {
        ValueError::new(
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "a binary SID (revision 1, count <= 15, 8 + 4 * count bytes) or S-1-... text",
        )
    };
    if raw.len() < 8 {
        return Err(fail());
    }
    let (rev, count, rest) = (raw[0], raw[1], &raw[2..]);
    if rev != 1 || count > 15 || rest.len() != 6 + 4 * usize::from(count) {
        return Err(fail());
    }
    let authority = rest[..6].iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    let mut s = if authority >= 1 << 32 {
        format!("S-1-{authority:#014x}")
    } else {
        format!("S-1-{authority}")
    };
    for chunk in rest[6..].chunks_exact(4) {
        let sub = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        s.push_str(&format!("-{sub}"));
    }
    Ok(s)
}

/// Validates and canonicalises `S-1-<authority>-<sub>...` (authority decimal or `0x` hex,
/// up to 15 sub-authorities that fit in 32 bits).
pub fn sid_from_text(text: &str) -> Result<String, ValueError> {
    let fail = || ValueError::new(text, "a SID: S-1-<authority>-<sub-authority>...");
    let t = text.trim();
    let mut parts = t.split('-');
    let (Some(s), Some("1"), Some(auth)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(fail());
    };
    if !s.eq_ignore_ascii_case("S") {
        return Err(fail());
    }
    let authority = match auth.strip_prefix("0x").or_else(|| auth.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).map_err(|_| fail())?,
        None if auth.bytes().all(|b| b.is_ascii_digit()) => auth.parse().map_err(|_| fail())?,
        None => return Err(fail()),
    };
    if authority >= 1 << 48 {
        return Err(fail());
    }
    let mut out = if authority >= 1 << 32 {
        format!("S-1-{authority:#014x}")
    } else {
        format!("S-1-{authority}")
    };
    let mut count = 0;
    for sub in parts {
        if sub.is_empty() || !sub.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail());
        }
        let v: u32 = sub.parse().map_err(|_| fail())?;
        out.push_str(&format!("-{v}"));
        count += 1;
    }
    if count > 15 {
        return Err(fail());
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// S-1-5-21-1004336348-1177238915-682003330-1105 in AD's binary layout.
    const BINARY: [u8; 28] = [
        1, 5, 0, 0, 0, 0, 0, 5, // rev 1, 5 subs, authority 5
        21, 0, 0, 0, // 21
        0xdc, 0xf4, 0xdc, 0x3b, // 1004336348
        0x83, 0x3d, 0x2b, 0x46, // 1177238915
        0x82, 0x8b, 0xa6, 0x28, // 682003330
        0x51, 0x04, 0, 0, // 1105
    ];
    const TEXT: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";

    fn group(sid: Option<&[u8]>) -> Entry {
        let mut e = Entry::new(
            Dn::parse("CN=RTCUniversalServerAdmins,CN=Users,DC=contoso,DC=com").unwrap(),
        );
        e.set(
            attrs::OBJECT_CLASS,
            vec![b"top".to_vec(), b"group".to_vec()],
        );
        e.set_str(attrs::SAM_ACCOUNT_NAME, RTC_UNIVERSAL_SERVER_ADMINS);
        if let Some(s) = sid {
            e.set(attrs::OBJECT_SID, vec![s.to_vec()]);
        }
        e
    }

    #[test]
    fn binary_sid_decodes() {
        assert_eq!(sid_from_binary(&BINARY).unwrap(), TEXT);
        assert_eq!(
            sid_from_binary(&[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]).unwrap(),
            "S-1-5-18"
        );
        assert_eq!(sid_from_binary(&[1, 0, 0, 0, 0, 0, 0, 0]).unwrap(), "S-1-0");
    }

    #[test]
    fn malformed_binary_sids_are_rejected() {
        assert!(sid_from_binary(&[]).is_err());
        assert!(sid_from_binary(&[1]).is_err());
        assert!(sid_from_binary(&BINARY[..27]).is_err(), "truncated");
        let mut bad = BINARY;
        bad[0] = 2;
        assert!(sid_from_binary(&bad).is_err(), "revision 2");
        let mut bad = BINARY;
        bad[1] = 16;
        assert!(sid_from_binary(&bad).is_err(), "count 16");
        let err = sid_from_binary(&[1, 1, 0]).unwrap_err();
        assert_eq!(err.value, "010100");
    }

    #[test]
    fn text_sids_validate_and_canonicalise() {
        assert_eq!(sid_from_text("s-1-5-32-544").unwrap(), "S-1-5-32-544");
        assert_eq!(sid_from_text(TEXT).unwrap(), TEXT);
        assert_eq!(
            sid_from_text("S-1-0x1234567890AB-1").unwrap(),
            "S-1-0x1234567890ab-1"
        );
        for bad in [
            "S-2-5-18",
            "S-1",
            "S-1-5-",
            "S-1-5-x",
            "S-1-5-4294967296",
            "X-1-5-18",
            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
        ] {
            assert!(sid_from_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn group_reads_binary_or_text_sid() {
        let g = RtcGroup::from_entry(&group(Some(&BINARY))).unwrap();
        assert_eq!(g.sid, TEXT);
        assert_eq!(g.sam, "RTCUniversalServerAdmins");
        let g = RtcGroup::from_entry(&group(Some(TEXT.as_bytes()))).unwrap();
        assert_eq!(g.sid, TEXT);
    }

    #[test]
    fn group_errors_name_dn_and_attribute() {
        let err = RtcGroup::from_entry(&group(None)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CN=RTCUniversalServerAdmins,CN=Users,DC=contoso,DC=com: objectSid is required on group (missing)"
        );
        let err = RtcGroup::from_entry(&group(Some(b"S-1-five"))).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("objectSid") && msg.contains("'S-1-five'"),
            "{msg}"
        );
    }
}
