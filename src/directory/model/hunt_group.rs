//! UM hunt groups (`msExchUMHuntGroup`, domain.md A.2 and B.3.4): children of their gateway that
//! link it to a dial plan under a pilot identifier; read from and rendered to entries, since
//! grant-permissions creates them. It does not decide which hunt groups a gateway needs
//! (`admin::grant`).

use serde::Serialize;

use super::{attrs, read, DialPlan, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;

/// One hunt group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HuntGroup {
    pub dn: Dn,
    pub name: String,
    /// The gateway this hunt group belongs to: the parent of its DN.
    pub gateway: Dn,
    /// `msExchUMHuntGroupDialPlanLink`.
    pub dial_plan: Dn,
    /// `msExchUMPilotIdentifier`.
    pub pilot_identifier: Option<String>,
}

impl HuntGroup {
    /// The hunt group ExchUCUtil gives gateway `gateway` for `dial_plan`: named after the dial
    /// plan, pilot = the first label of its phone context (domain.md A.3 step 3).
    pub fn for_dial_plan(gateway: &Dn, dial_plan: &DialPlan) -> HuntGroup {
        HuntGroup {
            dn: gateway.child("CN", &dial_plan.name),
            name: dial_plan.name.clone(),
            gateway: gateway.clone(),
            dial_plan: dial_plan.dn.clone(),
            pilot_identifier: Some(dial_plan.pilot_identifier().to_string()),
        }
    }

    pub fn from_entry(e: &Entry) -> Result<HuntGroup, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_UM_HUNT_GROUP;
        read::expect_class(e, CLASS)?;
        let gateway = match e.dn.parent() {
            Some(p) if !p.is_root() => p,
            _ => {
                return Err(ValueError::new(
                    e.dn.to_string(),
                    "a hunt group DN below its UM IP gateway",
                )
                .at(&e.dn, attrs::CN))
            }
        };
        Ok(HuntGroup {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
            gateway,
            dial_plan: read::req_dn(e, attrs::MSEXCH_UM_HUNT_GROUP_DIAL_PLAN_LINK, CLASS)?,
            pilot_identifier: read::opt_str(e, attrs::MSEXCH_UM_PILOT_IDENTIFIER)?,
        })
    }

    /// The entry to add for this hunt group at `dn` (cn from the DN's RDN value).
    pub fn to_entry(&self, dn: &Dn) -> Entry {
        let mut e = Entry::new(dn.clone());
        e.set(
            attrs::OBJECT_CLASS,
            vec![
                attrs::OC_TOP.as_bytes().to_vec(),
                attrs::OC_MSEXCH_UM_HUNT_GROUP.as_bytes().to_vec(),
            ],
        );
        e.set_str(attrs::CN, dn.rdn_value().unwrap_or(&self.name));
        e.set_str(
            attrs::MSEXCH_UM_HUNT_GROUP_DIAL_PLAN_LINK,
            &self.dial_plan.to_string(),
        );
        if let Some(p) = &self.pilot_identifier {
            e.set_str(attrs::MSEXCH_UM_PILOT_IDENTIFIER, p);
        }
        e
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn dial_plan() -> DialPlan {
        let mut e =
            Entry::new(Dn::parse(&format!("CN=LOC801,CN=UM DialPlan Container,{ORG}")).unwrap());
        e.set_str(attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, "4");
        e.set_str(attrs::MSEXCH_UM_COUNTRY_CODE, "962");
        e.set_str(attrs::MSEXCH_UM_PHONE_CONTEXT, "LOC801.contoso.com");
        e.set_str(attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, "2");
        DialPlan::from_entry(&e).unwrap()
    }

    #[test]
    fn for_dial_plan_round_trips() {
        let gw = Dn::parse(&format!("CN=1:1,CN=UM IPGateway Container,{ORG}")).unwrap();
        let hg = HuntGroup::for_dial_plan(&gw, &dial_plan());
        assert_eq!(
            hg.dn.to_string(),
            format!("CN=LOC801,CN=1:1,CN=UM IPGateway Container,{ORG}")
        );
        assert_eq!(hg.pilot_identifier.as_deref(), Some("LOC801"));
        let e = hg.to_entry(&hg.dn);
        assert_eq!(e.first(attrs::CN), Some("LOC801"));
        assert!(crate::directory::model::check_entry(&e).is_ok());
        let back = HuntGroup::from_entry(&e).unwrap();
        assert_eq!(back, hg);
        assert_eq!(back.gateway, gw);
    }

    #[test]
    fn missing_dial_plan_link_is_named() {
        let dn = Dn::parse(&format!("CN=LOC801,CN=1:1,CN=UM IPGateway Container,{ORG}")).unwrap();
        let e = Entry::new(dn.clone());
        assert_eq!(
            HuntGroup::from_entry(&e).unwrap_err().to_string(),
            format!(
                "{dn}: msExchUMHuntGroupDialPlanLink is required on msExchUMHuntGroup (missing)"
            )
        );
    }
}
