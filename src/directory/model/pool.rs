//! Lync / Skype for Business registrar pools (`msRTCSIP-Pool`, domain.md A.1 and B.1.2-1.4):
//! the pool's name, FQDN, version (both encodings) and branch-registrar marker. It does not
//! search for pools or decide what grant-permissions does with them (`admin::grant`).

use std::fmt;

use serde::{Serialize, Serializer};

use super::{attrs, read, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;

/// The `msRTCSIP-PoolData` value that marks a branch registrar (Survivable Branch Appliance).
pub const REMOTE_REGISTRAR_DATA: &str = "ExtendedType=RemoteRegistrar";

/// Values at or above this are the version shifted left by 16 (ExchUCUtil's `0x30000` encoding).
const SHIFTED_MIN: i64 = 0x10000;

/// A pool's product version: 2 LCS 2005 SP1, 3 OCS 2007, 4 OCS 2007 R2, 5 Lync 2010,
/// 6 Lync 2013, 7 Skype for Business 2015.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolVersion(pub u32);

impl PoolVersion {
    pub const OCS_2007: PoolVersion = PoolVersion(3);
    pub const LYNC_2010: PoolVersion = PoolVersion(5);

    /// Decodes `msRTCSIP-PoolVersion`: a value below 0x10000 is the version itself, a value at
    /// or above it is the version shifted left by 16 (domain.md A.1).
    pub fn from_raw(raw: i64) -> Result<PoolVersion, ValueError> {
        let v = if raw >= SHIFTED_MIN { raw >> 16 } else { raw };
        u32::try_from(v).map(PoolVersion).map_err(|_| {
            ValueError::new(
                raw.to_string(),
                "a non-negative version (e.g. 5 or 0x50000 for Lync 2010)",
            )
        })
    }

    pub fn major(self) -> u32 {
        self.0
    }

    /// OCS 2007 (3) or newer: what ExchUCUtil makes a gateway for.
    pub fn is_ocs2007_or_newer(self) -> bool {
        self >= PoolVersion::OCS_2007
    }

    /// Lync 2010 (5) or newer: can receive message-waiting notifications, can home ExUM contacts.
    pub fn is_lync2010_or_newer(self) -> bool {
        self >= PoolVersion::LYNC_2010
    }

    /// The product name, when the version is one we know.
    pub fn product_name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "LCS 2005",
            2 => "LCS 2005 SP1",
            3 => "OCS 2007",
            4 => "OCS 2007 R2",
            5 => "Lync Server 2010",
            6 => "Lync Server 2013",
            7 => "Skype for Business 2015",
            _ => return None,
        })
    }
}

impl fmt::Display for PoolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.product_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "unknown (version {})", self.0),
        }
    }
}

/// Serialized as `{"major": 5, "name": "Lync Server 2010"}`.
impl Serialize for PoolVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("PoolVersion", 2)?;
        st.serialize_field("major", &self.0)?;
        st.serialize_field("name", &self.to_string())?;
        st.end()
    }
}

/// One `msRTCSIP-Pool` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pool {
    pub dn: Dn,
    /// `cn`, e.g. `1:1`; the gateway grant-permissions creates is named after it.
    pub cn: String,
    /// `dNSHostName`; a pool without one is skipped, as ExchUCUtil skips it.
    pub fqdn: Option<String>,
    /// `msRTCSIP-PoolVersion`, decoded; `None` when absent.
    pub version: Option<PoolVersion>,
    /// `msRTCSIP-PoolData` values.
    pub data: Vec<String>,
}

impl Pool {
    /// The standard pools container of the domain `domain` (`CN=Pools,CN=RTC Service,...`).
    /// Discovery should search by objectCategory `msRTCSIP-Pools`; this is the usual answer.
    pub fn default_container(domain: &Dn) -> Dn {
        domain
            .child("CN", "System")
            .child("CN", "Microsoft")
            .child("CN", "RTC Service")
            .child("CN", "Pools")
    }

    pub fn from_entry(e: &Entry) -> Result<Pool, ModelError> {
        const CLASS: &str = attrs::OC_MSRTCSIP_POOL;
        read::expect_class(e, CLASS)?;
        let version = match read::opt_i64(e, attrs::MSRTCSIP_POOL_VERSION)? {
            None => None,
            Some(raw) => Some(
                PoolVersion::from_raw(raw)
                    .map_err(|v| v.at(&e.dn, attrs::MSRTCSIP_POOL_VERSION))?,
            ),
        };
        Ok(Pool {
            dn: e.dn.clone(),
            cn: read::name(e, CLASS)?,
            fqdn: read::opt_str(e, attrs::DNS_HOST_NAME)?,
            version,
            data: read::all_str(e, attrs::MSRTCSIP_POOL_DATA)?,
        })
    }

    /// A branch registrar: `msRTCSIP-PoolData` holds `ExtendedType=RemoteRegistrar` as a whole
    /// value, compared case-insensitively (ExchUCUtil's `-contains`).
    pub fn is_branch_registrar(&self) -> bool {
        self.data
            .iter()
            .any(|d| d.eq_ignore_ascii_case(REMOTE_REGISTRAR_DATA))
    }

    pub fn is_ocs2007_or_newer(&self) -> bool {
        self.version.is_some_and(PoolVersion::is_ocs2007_or_newer)
    }

    pub fn is_lync2010_or_newer(&self) -> bool {
        self.version.is_some_and(PoolVersion::is_lync2010_or_newer)
    }

    /// Whether the pool's FQDN is `fqdn` (DNS names compare case-insensitively).
    pub fn has_fqdn(&self, fqdn: &str) -> bool {
        self.fqdn
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case(fqdn))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pool_entry(cn: &str, fqdn: Option<&str>, version: Option<&str>, data: &[&str]) -> Entry {
        let dn = Dn::parse(&format!(
            "CN={cn},CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com"
        ))
        .unwrap();
        let mut e = Entry::new(dn);
        e.set(
            attrs::OBJECT_CLASS,
            vec![b"top".to_vec(), b"msRTCSIP-Pool".to_vec()],
        );
        e.set_str(attrs::CN, cn);
        if let Some(f) = fqdn {
            e.set_str(attrs::DNS_HOST_NAME, f);
        }
        if let Some(v) = version {
            e.set_str(attrs::MSRTCSIP_POOL_VERSION, v);
        }
        for d in data {
            e.add_value(attrs::MSRTCSIP_POOL_DATA, d.as_bytes().to_vec());
        }
        e
    }

    #[test]
    fn version_accepts_both_encodings() {
        for (raw, major) in [
            (2, 2),
            (3, 3),
            (5, 5),
            (7, 7),
            (0x30000, 3),
            (0x40000, 4),
            (0x50000, 5),
            (0x70000, 7),
            (0x50001, 5),
            (0, 0),
        ] {
            assert_eq!(
                PoolVersion::from_raw(raw).unwrap().major(),
                major,
                "{raw:#x}"
            );
        }
        assert!(PoolVersion::from_raw(-1).is_err());
    }

    #[test]
    fn version_thresholds_and_names() {
        let v = |r| PoolVersion::from_raw(r).unwrap();
        assert!(!v(2).is_ocs2007_or_newer());
        assert!(v(3).is_ocs2007_or_newer() && !v(3).is_lync2010_or_newer());
        assert!(v(0x40000).is_ocs2007_or_newer() && !v(0x40000).is_lync2010_or_newer());
        assert!(v(5).is_lync2010_or_newer() && v(0x60000).is_lync2010_or_newer());
        assert_eq!(v(7).to_string(), "Skype for Business 2015");
        assert_eq!(v(0x20000).to_string(), "LCS 2005 SP1");
        assert_eq!(v(1).to_string(), "LCS 2005");
        assert_eq!(v(9).to_string(), "unknown (version 9)");
    }

    #[test]
    fn reads_a_lync_pool() {
        let p = Pool::from_entry(&pool_entry(
            "1:1",
            Some("pool01.contoso.com"),
            Some("327680"),
            &[],
        ))
        .unwrap();
        assert_eq!(p.cn, "1:1");
        assert!(p.has_fqdn("POOL01.contoso.com"));
        assert!(p.is_lync2010_or_newer());
        assert!(!p.is_branch_registrar());
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["version"]["major"], 5);
        assert_eq!(json["version"]["name"], "Lync Server 2010");
        assert_eq!(
            json["dn"],
            "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com"
        );
    }

    #[test]
    fn detects_branch_registrar_case_insensitively_as_a_whole_value() {
        let p = Pool::from_entry(&pool_entry(
            "2:1",
            Some("sba01.contoso.com"),
            Some("6"),
            &["Something=Else", "extendedtype=remoteregistrar"],
        ))
        .unwrap();
        assert!(p.is_branch_registrar());
        let p = Pool::from_entry(&pool_entry(
            "2:2",
            Some("sba02.contoso.com"),
            Some("6"),
            &[
                "ExtendedType=RemoteRegistrar;x=y",
                " ExtendedType=RemoteRegistrar",
            ],
        ))
        .unwrap();
        assert!(!p.is_branch_registrar(), "substring is not the whole value");
    }

    #[test]
    fn pool_without_fqdn_or_version_is_kept() {
        let p = Pool::from_entry(&pool_entry("OCSPOOL", None, None, &[])).unwrap();
        assert_eq!(p.fqdn, None);
        assert_eq!(p.version, None);
        assert!(!p.is_ocs2007_or_newer());
    }

    #[test]
    fn bad_version_names_dn_attribute_and_value() {
        let err = Pool::from_entry(&pool_entry("1:1", Some("p.contoso.com"), Some("five"), &[]))
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("CN=1:1,CN=Pools"), "{msg}");
        assert!(msg.contains("msRTCSIP-PoolVersion"), "{msg}");
        assert!(msg.contains("'five'"), "{msg}");
        let err = Pool::from_entry(&pool_entry("1:1", None, Some("-3"), &[])).unwrap_err();
        assert!(err.to_string().contains("'-3'"), "{err}");
    }

    #[test]
    fn wrong_class_is_an_error() {
        let mut e = pool_entry("1:1", None, None, &[]);
        e.set(attrs::OBJECT_CLASS, vec![b"container".to_vec()]);
        assert!(matches!(
            Pool::from_entry(&e),
            Err(ModelError::WrongClass { .. })
        ));
    }

    #[test]
    fn default_container() {
        let d = Dn::parse("DC=contoso,DC=com").unwrap();
        assert_eq!(
            Pool::default_container(&d).to_string(),
            "CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com"
        );
    }
}
