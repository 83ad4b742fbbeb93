//! UM IP gateways (`msExchUMIPGateway`, domain.md A.2 and B.3.3): address, port, outcalls,
//! message-waiting indicator and status; read from and rendered to entries, since
//! grant-permissions creates them. It does not decide which gateway a pool needs
//! (`admin::grant`) and does not hold hunt groups (their own objects, `hunt_group.rs`).

use serde::Serialize;

use super::{attrs, read, Dn, ModelError};
use crate::directory::entry::Entry;

/// `msExchUMIPGatewayFlags2` bit 1: MessageWaitingIndicatorAllowed.
pub const MWI_ALLOWED_FLAG: i64 = 1;

/// `msExchUMIPGatewayStatus`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayStatus {
    #[default]
    Enabled,
    Disabled,
    NoNewCalls,
}

impl GatewayStatus {
    pub fn from_raw(v: i64) -> Option<GatewayStatus> {
        Some(match v {
            0 => GatewayStatus::Enabled,
            1 => GatewayStatus::Disabled,
            2 => GatewayStatus::NoNewCalls,
            _ => return None,
        })
    }
    pub fn raw(self) -> i64 {
        self as i64
    }
}

/// One UM IP gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IpGateway {
    pub dn: Dn,
    pub name: String,
    /// `msExchUMIPGatewayAddress`: for a Lync gateway, the pool FQDN.
    pub address: String,
    /// `msExchUMIPGatewayPort`; 0 means the default (5060, or 5061 with TLS).
    pub port: u16,
    /// `msExchUMOutcallsAllowed`; absent reads as true (Exchange's default).
    pub outcalls_allowed: bool,
    /// Bit 1 of `msExchUMIPGatewayFlags2`; absent reads as true (Exchange's default).
    pub mwi_allowed: bool,
    /// The other bits of `msExchUMIPGatewayFlags2`, kept so a rewrite does not lose them.
    #[serde(skip)]
    pub other_flags2: i64,
    pub status: GatewayStatus,
}

impl IpGateway {
    /// A new gateway as grant-permissions creates it (New-UMIPGateway -Name -Address): port 0,
    /// outcalls and MWI allowed, enabled.
    pub fn new(dn: Dn, address: impl Into<String>) -> IpGateway {
        let name = dn.rdn_value().unwrap_or_default().to_string();
        IpGateway {
            dn,
            name,
            address: address.into(),
            port: 0,
            outcalls_allowed: true,
            mwi_allowed: true,
            other_flags2: 0,
            status: GatewayStatus::Enabled,
        }
    }

    pub fn from_entry(e: &Entry) -> Result<IpGateway, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_UM_IP_GATEWAY;
        read::expect_class(e, CLASS)?;
        let port = read::int_in(e, attrs::MSEXCH_UM_IP_GATEWAY_PORT, 0, 65535, 0)?;
        let flags2 = read::opt_i64(e, attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2)?;
        let status = match read::opt_i64(e, attrs::MSEXCH_UM_IP_GATEWAY_STATUS)? {
            None => GatewayStatus::default(),
            Some(v) => GatewayStatus::from_raw(v).ok_or_else(|| ModelError::BadValue {
                dn: e.dn.clone(),
                attr: attrs::MSEXCH_UM_IP_GATEWAY_STATUS,
                value: v.to_string(),
                expected: "0 (Enabled), 1 (Disabled) or 2 (NoNewCalls)".into(),
            })?,
        };
        Ok(IpGateway {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
            address: read::req_str(e, attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS, CLASS)?,
            port: u16::try_from(port).unwrap_or_default(),
            outcalls_allowed: read::opt_bool(e, attrs::MSEXCH_UM_OUTCALLS_ALLOWED)?.unwrap_or(true),
            mwi_allowed: flags2.is_none_or(|f| f & MWI_ALLOWED_FLAG != 0),
            other_flags2: flags2.unwrap_or(0) & !MWI_ALLOWED_FLAG,
            status,
        })
    }

    /// The entry to add for this gateway at `dn` (cn from the DN's RDN value).
    pub fn to_entry(&self, dn: &Dn) -> Entry {
        let mut e = Entry::new(dn.clone());
        e.set(
            attrs::OBJECT_CLASS,
            vec![
                attrs::OC_TOP.as_bytes().to_vec(),
                attrs::OC_MSEXCH_UM_IP_GATEWAY.as_bytes().to_vec(),
            ],
        );
        e.set_str(attrs::CN, dn.rdn_value().unwrap_or(&self.name));
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS, &self.address);
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_PORT, &self.port.to_string());
        e.set_str(
            attrs::MSEXCH_UM_OUTCALLS_ALLOWED,
            read::render_bool(self.outcalls_allowed),
        );
        e.set_str(
            attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2,
            &self.flags2().to_string(),
        );
        e.set_str(
            attrs::MSEXCH_UM_IP_GATEWAY_STATUS,
            &self.status.raw().to_string(),
        );
        e
    }

    /// `msExchUMIPGatewayFlags2` as it should be stored.
    pub fn flags2(&self) -> i64 {
        (self.other_flags2 & !MWI_ALLOWED_FLAG) | i64::from(self.mwi_allowed)
    }

    /// Whether this gateway's address is `fqdn` (DNS names compare case-insensitively).
    pub fn has_address(&self, fqdn: &str) -> bool {
        self.address.eq_ignore_ascii_case(fqdn)
    }

    /// The port to send to: the stored one, else 5060 (TCP) or 5061 (TLS).
    pub fn effective_port(&self, tls: bool) -> u16 {
        match (self.port, tls) {
            (0, false) => 5060,
            (0, true) => 5061,
            (p, _) => p,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DN: &str = "CN=1:1,CN=UM IPGateway Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    #[test]
    fn new_gateway_round_trips_through_an_entry() {
        let dn = Dn::parse(DN).unwrap();
        let mut g = IpGateway::new(dn.clone(), "pool01.contoso.com");
        assert_eq!(g.name, "1:1");
        g.mwi_allowed = false;
        let e = g.to_entry(&dn);
        assert_eq!(e.first(attrs::CN), Some("1:1"));
        assert_eq!(e.first(attrs::MSEXCH_UM_OUTCALLS_ALLOWED), Some("TRUE"));
        assert_eq!(e.first(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2), Some("0"));
        assert_eq!(e.first(attrs::MSEXCH_UM_IP_GATEWAY_STATUS), Some("0"));
        assert_eq!(e.first(attrs::MSEXCH_UM_IP_GATEWAY_PORT), Some("0"));
        assert!(e.has_object_class("msExchUMIPGateway"));
        assert_eq!(IpGateway::from_entry(&e).unwrap(), g);
        assert!(crate::directory::model::check_entry(&e).is_ok());
    }

    #[test]
    fn reads_flags_and_keeps_other_bits() {
        let dn = Dn::parse(DN).unwrap();
        let mut e = IpGateway::new(dn.clone(), "sba01.contoso.com").to_entry(&dn);
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2, "6");
        e.set_str(attrs::MSEXCH_UM_OUTCALLS_ALLOWED, "false");
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_STATUS, "2");
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_PORT, "5065");
        let mut g = IpGateway::from_entry(&e).unwrap();
        assert!(!g.mwi_allowed && !g.outcalls_allowed);
        assert_eq!(g.status, GatewayStatus::NoNewCalls);
        assert_eq!(g.effective_port(true), 5065);
        g.mwi_allowed = true;
        assert_eq!(g.flags2(), 7);
        assert_eq!(
            g.to_entry(&dn).first(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2),
            Some("7")
        );
        assert!(g.has_address("SBA01.contoso.com"));
    }

    #[test]
    fn defaults_for_absent_optional_attributes() {
        let mut e = Entry::new(Dn::parse(DN).unwrap());
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS, "10.0.0.5");
        let g = IpGateway::from_entry(&e).unwrap();
        assert!(g.mwi_allowed && g.outcalls_allowed);
        assert_eq!(
            (g.effective_port(false), g.effective_port(true)),
            (5060, 5061)
        );
        assert_eq!(g.status, GatewayStatus::Enabled);
    }

    #[test]
    fn errors_name_dn_attribute_value() {
        let mut e = Entry::new(Dn::parse(DN).unwrap());
        assert_eq!(
            IpGateway::from_entry(&e).unwrap_err().to_string(),
            format!("{DN}: msExchUMIPGatewayAddress is required on msExchUMIPGateway (missing)")
        );
        e.set_str(attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS, "p.contoso.com");
        for (attr, v) in [
            (attrs::MSEXCH_UM_IP_GATEWAY_PORT, "70000"),
            (attrs::MSEXCH_UM_OUTCALLS_ALLOWED, "yes"),
            (attrs::MSEXCH_UM_IP_GATEWAY_STATUS, "9"),
            (attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2, "x"),
        ] {
            let mut e = e.clone();
            e.set_str(attr, v);
            let msg = IpGateway::from_entry(&e).unwrap_err().to_string();
            assert!(msg.contains(&format!("{attr} has value '{v}'")), "{msg}");
        }
    }
}
