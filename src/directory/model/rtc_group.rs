//! The two Lync groups grant-permissions gives read rights to (`RTCUniversalServerAdmins`,
//! `RTCComponentUniversalServices`, domain.md A.1/A.3): name, DN and SID, with the SID read
//! from AD's binary `objectSid` or the lab's `S-1-5-...` text. It does not build ACEs
//! (`directory::security`) or search for the groups (`admin::grant`).

use serde::Serialize;

use super::{attrs, read, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;
use crate::directory::security::Sid;

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
    /// The group's SID (serialized as `S-1-5-21-...`).
    pub sid: Sid,
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
pub fn sid_from_value(raw: &[u8]) -> Result<Sid, ValueError> {
    let parsed = match std::str::from_utf8(raw) {
        Ok(text) if text.len() >= 2 && text[..2].eq_ignore_ascii_case("S-") => {
            text.trim().parse::<Sid>()
        }
        _ => Sid::from_bytes(raw),
    };
    parsed.map_err(|e| {
        let shown = match std::str::from_utf8(raw) {
            Ok(text) if !text.chars().any(char::is_control) => text.to_string(),
            _ => raw.iter().map(|b| format!("{b:02x}")).collect(),
        };
        ValueError::new(
            shown,
            format!("a SID: S-1-<authority>-<sub-authority>... or its binary form ({e})"),
        )
    })
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
    fn sids_read_from_binary_or_text() {
        assert_eq!(sid_from_value(&BINARY).unwrap().to_string(), TEXT);
        assert_eq!(
            sid_from_value(b"s-1-5-32-544").unwrap().to_string(),
            "S-1-5-32-544"
        );
        assert!(sid_from_value(&BINARY[..27]).is_err(), "truncated");
        let err = sid_from_value(&[1, 1, 0]).unwrap_err();
        assert_eq!(err.value, "010100");
        for bad in ["S-1", "S-1-5-x", "S-1-5-4294967296"] {
            assert!(sid_from_value(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn group_reads_binary_or_text_sid() {
        let g = RtcGroup::from_entry(&group(Some(&BINARY))).unwrap();
        assert_eq!(g.sid.to_string(), TEXT);
        assert_eq!(g.sam, "RTCUniversalServerAdmins");
        let g = RtcGroup::from_entry(&group(Some(TEXT.as_bytes()))).unwrap();
        assert_eq!(g.sid.to_string(), TEXT);
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
