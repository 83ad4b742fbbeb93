//! The Exchange organization (`msExchOrganizationContainer`, domain.md A.2 and B.3.1) and the
//! well-known container DNs under it. It does not read or change their security descriptors
//! (`directory::security`, `admin::grant`).

use serde::Serialize;

use super::{attrs, read, Dn, ModelError};
use crate::directory::entry::Entry;

pub const DIAL_PLAN_CONTAINER: &str = "UM DialPlan Container";
pub const AUTO_ATTENDANT_CONTAINER: &str = "UM AutoAttendant Container";
pub const IP_GATEWAY_CONTAINER: &str = "UM IPGateway Container";
pub const MAILBOX_POLICIES_CONTAINER: &str = "UM Mailbox Policies";
pub const ADMINISTRATIVE_GROUPS: &str = "Administrative Groups";
/// The administrative group every Exchange 2007+ server lives in.
pub const DEFAULT_ADMIN_GROUP: &str = "Exchange Administrative Group (FYDIBOHF23SPDLT)";
pub const SERVERS_CONTAINER: &str = "Servers";

/// The organization object, `CN=<Org>,CN=Microsoft Exchange,CN=Services,<configuration NC>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeOrg {
    pub dn: Dn,
    pub name: String,
}

impl ExchangeOrg {
    /// The organization named `name` in the configuration NC `config`.
    pub fn new(config: &Dn, name: &str) -> ExchangeOrg {
        ExchangeOrg {
            dn: Self::exchange_container(config).child("CN", name),
            name: name.to_string(),
        }
    }

    /// `CN=Microsoft Exchange,CN=Services,<config>`: where organizations are searched for.
    pub fn exchange_container(config: &Dn) -> Dn {
        config
            .child("CN", "Services")
            .child("CN", "Microsoft Exchange")
    }

    pub fn from_entry(e: &Entry) -> Result<ExchangeOrg, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_ORGANIZATION_CONTAINER;
        read::expect_class(e, CLASS)?;
        Ok(ExchangeOrg {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
        })
    }

    pub fn dial_plan_container(&self) -> Dn {
        self.dn.child("CN", DIAL_PLAN_CONTAINER)
    }
    pub fn auto_attendant_container(&self) -> Dn {
        self.dn.child("CN", AUTO_ATTENDANT_CONTAINER)
    }
    pub fn gateway_container(&self) -> Dn {
        self.dn.child("CN", IP_GATEWAY_CONTAINER)
    }
    pub fn mailbox_policies_container(&self) -> Dn {
        self.dn.child("CN", MAILBOX_POLICIES_CONTAINER)
    }
    pub fn administrative_groups(&self) -> Dn {
        self.dn.child("CN", ADMINISTRATIVE_GROUPS)
    }
    /// `CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,<ORG>`.
    pub fn servers_container(&self) -> Dn {
        self.administrative_groups()
            .child("CN", DEFAULT_ADMIN_GROUP)
            .child("CN", SERVERS_CONTAINER)
    }

    pub fn dial_plan_dn(&self, name: &str) -> Dn {
        self.dial_plan_container().child("CN", name)
    }
    pub fn auto_attendant_dn(&self, name: &str) -> Dn {
        self.auto_attendant_container().child("CN", name)
    }
    pub fn gateway_dn(&self, name: &str) -> Dn {
        self.gateway_container().child("CN", name)
    }
    pub fn server_dn(&self, name: &str) -> Dn {
        self.servers_container().child("CN", name)
    }

    /// The containers grant-permissions gives read rights on, in ExchUCUtil's order, with
    /// whether the rights are for the object only (`true`, the organization) or inherited.
    pub fn grant_targets(&self) -> [(Dn, bool); 4] {
        [
            (self.dn.clone(), true),
            (self.dial_plan_container(), false),
            (self.auto_attendant_container(), false),
            (self.administrative_groups(), false),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    #[test]
    fn builds_the_org_from_the_configuration_nc() {
        let config = Dn::parse("CN=Configuration,DC=contoso,DC=com").unwrap();
        let org = ExchangeOrg::new(&config, "Contoso");
        assert_eq!(org.dn.to_string(), ORG);
        assert_eq!(org.name, "Contoso");
    }

    #[test]
    fn well_known_containers() {
        let mut e = Entry::new(Dn::parse(ORG).unwrap());
        e.set_str(attrs::OBJECT_CLASS, "msExchOrganizationContainer");
        let org = ExchangeOrg::from_entry(&e).unwrap();
        assert_eq!(org.name, "Contoso");
        assert_eq!(
            org.dial_plan_container().to_string(),
            format!("CN=UM DialPlan Container,{ORG}")
        );
        assert_eq!(
            org.auto_attendant_container().to_string(),
            format!("CN=UM AutoAttendant Container,{ORG}")
        );
        assert_eq!(
            org.gateway_dn("1:1").to_string(),
            format!("CN=1:1,CN=UM IPGateway Container,{ORG}")
        );
        assert_eq!(
            org.mailbox_policies_container().to_string(),
            format!("CN=UM Mailbox Policies,{ORG}")
        );
        assert_eq!(
            org.server_dn("EX01").to_string(),
            format!("CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}")
        );
        assert_eq!(
            org.dial_plan_dn("LOC801").parent().unwrap(),
            org.dial_plan_container()
        );
        let targets = org.grant_targets();
        assert_eq!(targets[0], (org.dn.clone(), true));
        assert_eq!(targets[3].0, org.administrative_groups());
    }

    #[test]
    fn wrong_class_is_named() {
        let mut e = Entry::new(Dn::parse(ORG).unwrap());
        e.set_str(attrs::OBJECT_CLASS, "container");
        let msg = ExchangeOrg::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msExchOrganizationContainer") && msg.contains("container"),
            "{msg}"
        );
    }
}
