//! Exchange servers (`msExchExchangeServer`, domain.md A.2): name, FQDN, legacyExchangeDN, role
//! flags and the SIP dial plans a server serves. It does not pick the server a call goes to
//! (`frontend`, `um::router`).

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::{attrs, read, Dn, ModelError};
use crate::directory::entry::Entry;

/// The `networkAddress` protocol prefix whose value is the server's FQDN.
const TCP_PREFIX: &str = "ncacn_ip_tcp:";

/// `msExchCurrentServerRoles` flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerRoles(pub i64);

impl ServerRoles {
    pub const MAILBOX: i64 = 2;
    pub const CLIENT_ACCESS: i64 = 4;
    pub const UNIFIED_MESSAGING: i64 = 16;
    pub const HUB_TRANSPORT: i64 = 32;

    const NAMES: [(i64, &'static str); 4] = [
        (Self::MAILBOX, "mailbox"),
        (Self::CLIENT_ACCESS, "client_access"),
        (Self::UNIFIED_MESSAGING, "unified_messaging"),
        (Self::HUB_TRANSPORT, "hub_transport"),
    ];

    pub fn is_mailbox(self) -> bool {
        self.0 & Self::MAILBOX != 0
    }
    pub fn is_client_access(self) -> bool {
        self.0 & Self::CLIENT_ACCESS != 0
    }
    pub fn is_unified_messaging(self) -> bool {
        self.0 & Self::UNIFIED_MESSAGING != 0
    }
    pub fn is_hub_transport(self) -> bool {
        self.0 & Self::HUB_TRANSPORT != 0
    }

    /// The names of the known roles set, e.g. `["mailbox", "client_access"]`.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, n)| *n)
            .collect()
    }
}

/// Serialized as the list of role names.
impl Serialize for ServerRoles {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names = self.names();
        let mut seq = s.serialize_seq(Some(names.len()))?;
        for n in names {
            seq.serialize_element(n)?;
        }
        seq.end()
    }
}

/// One Exchange server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeServer {
    pub dn: Dn,
    pub name: String,
    /// From the `ncacn_ip_tcp:` `networkAddress` value, else `dNSHostName`.
    pub fqdn: Option<String>,
    pub legacy_exchange_dn: Option<String>,
    /// `msExchCurrentServerRoles`; absent reads as no roles.
    pub roles: ServerRoles,
    /// `msExchUMServerDialPlanLink`: the SIP dial plans this server serves.
    pub dial_plans: Vec<Dn>,
    /// `msExchUMStartupMode`, when the object carries it (Exchange reads an absent value as
    /// TCP; umctl, whose lab servers carry none, only judges a value that is there).
    pub startup_mode: Option<UmStartupMode>,
}

/// UMStartupMode (`msExchUMStartupMode`): the transports the UM call router and UM service
/// listen on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UmStartupMode {
    Tcp,
    Tls,
    Dual,
}

impl UmStartupMode {
    /// The mode of a stored value (0, 1, 2), `None` for any other.
    pub fn from_value(v: i64) -> Option<UmStartupMode> {
        match v {
            0 => Some(UmStartupMode::Tcp),
            1 => Some(UmStartupMode::Tls),
            2 => Some(UmStartupMode::Dual),
            _ => None,
        }
    }

    /// Whether the services accept TLS (TLS or Dual).
    pub fn accepts_tls(self) -> bool {
        self != UmStartupMode::Tcp
    }

    /// Whether the services accept TCP (TCP or Dual).
    pub fn accepts_tcp(self) -> bool {
        self != UmStartupMode::Tls
    }

    pub fn label(self) -> &'static str {
        match self {
            UmStartupMode::Tcp => "TCP",
            UmStartupMode::Tls => "TLS",
            UmStartupMode::Dual => "Dual",
        }
    }
}

impl ExchangeServer {
    pub fn from_entry(e: &Entry) -> Result<ExchangeServer, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_EXCHANGE_SERVER;
        read::expect_class(e, CLASS)?;
        let from_network = read::all_str(e, attrs::NETWORK_ADDRESS)?
            .into_iter()
            .find_map(|v| match v.get(..TCP_PREFIX.len()) {
                Some(p) if p.eq_ignore_ascii_case(TCP_PREFIX) && v.len() > TCP_PREFIX.len() => {
                    Some(v[TCP_PREFIX.len()..].trim().to_string())
                }
                _ => None,
            });
        let fqdn = match from_network {
            Some(f) => Some(f),
            None => read::opt_str(e, attrs::DNS_HOST_NAME)?,
        };
        Ok(ExchangeServer {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
            fqdn,
            legacy_exchange_dn: read::opt_str(e, attrs::LEGACY_EXCHANGE_DN)?,
            roles: ServerRoles(read::opt_i64(e, attrs::MSEXCH_CURRENT_SERVER_ROLES)?.unwrap_or(0)),
            dial_plans: read::all_dn(e, attrs::MSEXCH_UM_SERVER_DIAL_PLAN_LINK)?,
            startup_mode: read::opt_i64(e, attrs::MSEXCH_UM_STARTUP_MODE)?
                .and_then(UmStartupMode::from_value),
        })
    }

    pub fn is_mailbox(&self) -> bool {
        self.roles.is_mailbox()
    }
    pub fn is_client_access(&self) -> bool {
        self.roles.is_client_access()
    }
    pub fn is_unified_messaging(&self) -> bool {
        self.roles.is_unified_messaging()
    }

    /// Whether this server is linked to the dial plan `dial_plan`.
    pub fn serves_dial_plan(&self, dial_plan: &Dn) -> bool {
        self.dial_plans.contains(dial_plan)
    }

    /// Whether `legacy_dn` (a user's `msExchHomeServerName`) names this server
    /// (legacyExchangeDN compares case-insensitively).
    pub fn has_legacy_dn(&self, legacy_dn: &str) -> bool {
        self.legacy_exchange_dn
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case(legacy_dn))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    const LEGACY: &str =
        "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EX01";

    fn ex01() -> Entry {
        let dn = Dn::parse(&format!(
            "CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}"
        ))
        .unwrap();
        let mut e = Entry::new(dn);
        e.set(
            attrs::OBJECT_CLASS,
            vec![
                b"top".to_vec(),
                b"server".to_vec(),
                b"msExchExchangeServer".to_vec(),
            ],
        );
        e.set_str(attrs::CN, "EX01");
        e.set(
            attrs::NETWORK_ADDRESS,
            vec![
                b"ncacn_vns_spp:EX01".to_vec(),
                b"netbios:EX01".to_vec(),
                b"NCACN_IP_TCP:ex01.contoso.com".to_vec(),
            ],
        );
        e.set_str(attrs::LEGACY_EXCHANGE_DN, LEGACY);
        e.set_str(attrs::MSEXCH_CURRENT_SERVER_ROLES, "54");
        e.set_str(
            attrs::MSEXCH_UM_SERVER_DIAL_PLAN_LINK,
            &format!("CN=LOC801,CN=UM DialPlan Container,{ORG}"),
        );
        e
    }

    #[test]
    fn reads_a_multi_role_server() {
        let s = ExchangeServer::from_entry(&ex01()).unwrap();
        assert_eq!(s.name, "EX01");
        assert_eq!(s.fqdn.as_deref(), Some("ex01.contoso.com"));
        assert!(s.is_mailbox() && s.is_client_access() && s.is_unified_messaging());
        assert!(s.roles.is_hub_transport());
        assert!(s.has_legacy_dn(&LEGACY.to_uppercase()));
        let dp = Dn::parse(&format!("cn=loc801,cn=um dialplan container,{ORG}")).unwrap();
        assert!(s.serves_dial_plan(&dp));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json["roles"],
            serde_json::json!([
                "mailbox",
                "client_access",
                "unified_messaging",
                "hub_transport"
            ])
        );
    }

    #[test]
    fn fqdn_falls_back_to_dns_host_name() {
        let mut e = ex01();
        e.set(attrs::NETWORK_ADDRESS, vec![b"netbios:EX01".to_vec()]);
        assert_eq!(ExchangeServer::from_entry(&e).unwrap().fqdn, None);
        e.set_str(attrs::DNS_HOST_NAME, "ex01.contoso.com");
        assert_eq!(
            ExchangeServer::from_entry(&e).unwrap().fqdn.as_deref(),
            Some("ex01.contoso.com")
        );
    }

    #[test]
    fn roles_subset_and_errors() {
        let mut e = ex01();
        e.set_str(attrs::MSEXCH_CURRENT_SERVER_ROLES, "4");
        let s = ExchangeServer::from_entry(&e).unwrap();
        assert!(s.is_client_access() && !s.is_mailbox() && !s.is_unified_messaging());
        e.set_str(attrs::MSEXCH_CURRENT_SERVER_ROLES, "mailbox");
        let msg = ExchangeServer::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msExchCurrentServerRoles has value 'mailbox'"),
            "{msg}"
        );
        let mut e = ex01();
        e.add_value(attrs::MSEXCH_UM_SERVER_DIAL_PLAN_LINK, b"garbage".to_vec());
        let msg = ExchangeServer::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msExchUMServerDialPlanLink has value 'garbage'"),
            "{msg}"
        );
    }
}
