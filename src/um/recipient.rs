//! Who a message is for and whose phones hear of it, decided from the directory: the user a
//! message's address names ([`user_by_mail`]), the address a message to a user is sent to
//! ([`callee_address`]), and where the message waiting indicator goes ([`mwi_targets`]: every
//! enabled UM IP gateway that allows MWI and has a hunt group for the user's dial plan, at its
//! port, over TCP or, for a SIP-secured or Secured dial plan, TLS). The user's folder is
//! [`UmContext::mailbox_of`](super::UmContext::mailbox_of).
//!
//! `serve::delivery` executes these choices (writes the message, resolves the gateway's name,
//! sends the NOTIFYs) and the trace's hop 8 shows the same ones, so they cannot disagree.
//! Nothing here opens a socket or writes a file.

use crate::directory::lookup;
use crate::directory::model::{
    attrs, DialPlan, GatewayStatus, HuntGroup, IpGateway, UmUser, VoipSecurity,
};
use crate::directory::Directory;
use crate::sip::transport::TransportKind;

/// The SIP port of a gateway whose object says 0.
pub const DEFAULT_SIP_PORT: u16 = 5060;
/// The same over TLS.
pub const DEFAULT_SIPS_PORT: u16 = 5061;

/// The directory user whose `mail` is `address`; the error says why there is none.
pub fn user_by_mail<D: Directory + ?Sized>(dir: &D, address: &str) -> Result<UmUser, String> {
    let found = lookup::by_attribute(dir, attrs::MAIL, address)
        .map_err(|e| format!("cannot look it up in the directory: {e}"))?;
    let entry = found
        .into_iter()
        .find(|e| {
            e.object_classes()
                .any(|c| c.eq_ignore_ascii_case(attrs::OC_USER))
        })
        .ok_or_else(|| "no user in the directory has this mail address".to_string())?;
    UmUser::from_entry(&entry).map_err(|e| e.to_string())
}

/// The address a message to `user` is sent to: `mail`, else the UPN, else the SIP address,
/// else `fallback` (the party the call was for).
pub fn callee_address(user: &UmUser, fallback: &str) -> String {
    user.mail
        .clone()
        .or_else(|| user.upn.clone())
        .or_else(|| user.sip_user().map(str::to_string))
        .unwrap_or_else(|| fallback.to_string())
}

/// Where a user's message waiting indicator goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MwiTargets {
    /// The account the NOTIFYs are about (`sip:bob@contoso.com`).
    pub account: String,
    /// The name of the user's dial plan.
    pub dial_plan: String,
    /// TCP, or TLS when the dial plan is SIP-secured or Secured.
    pub transport: TransportKind,
    pub gateways: Vec<MwiGateway>,
}

/// One UM IP gateway to notify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MwiGateway {
    pub name: String,
    /// The gateway's address as the directory has it (an IP or an FQDN).
    pub address: String,
    /// The gateway's port, or 5060 / 5061 (TLS) when it says 0.
    pub port: u16,
}

/// The gateways that take `user`'s MWI, read from `dir` ([`mwi_targets_among`] decides); the
/// error (`no MWI for ...: why`) when there are none.
pub fn mwi_targets<D: Directory + ?Sized>(dir: &D, user: &UmUser) -> Result<MwiTargets, String> {
    let account = mwi_account(user)?;
    let no = |why: String| format!("no MWI for {account}: {why}");
    let Some(plan_dn) = &user.dial_plan else {
        return mwi_targets_among(user, None, []); // says why
    };
    let dial_plan =
        lookup::read_as(dir, plan_dn, DialPlan::from_entry).map_err(|e| no(e.to_string()))?;
    let org = lookup::organization(dir).map_err(|e| no(e.to_string()))?;
    let mut gateways = Vec::new();
    for gw in lookup::gateways(dir, &org).map_err(|e| no(e.to_string()))? {
        if takes_mwi(&gw) {
            let groups = lookup::hunt_groups(dir, &gw.dn).map_err(|e| no(e.to_string()))?;
            gateways.push((gw, groups));
        }
    }
    let gateways = gateways.iter().map(|(g, h)| (g, h.as_slice()));
    mwi_targets_among(user, dial_plan.as_ref(), gateways)
}

/// The choice itself, from what was read: `dial_plan` is the user's (None: it does not
/// exist), `gateways` the organization's with their hunt groups. Every enabled gateway that
/// allows MWI and has a hunt group for the dial plan is notified.
pub fn mwi_targets_among<'a>(
    user: &UmUser,
    dial_plan: Option<&DialPlan>,
    gateways: impl IntoIterator<Item = (&'a IpGateway, &'a [HuntGroup])>,
) -> Result<MwiTargets, String> {
    let account = mwi_account(user)?;
    let no = |why: String| format!("no MWI for {account}: {why}");
    let plan_dn = user
        .dial_plan
        .as_ref()
        .ok_or_else(|| no(format!("{} has no UM dial plan", user.dn)))?;
    let dial_plan = dial_plan.ok_or_else(|| no(format!("dial plan {plan_dn} does not exist")))?;
    let transport = match dial_plan.voip_security {
        VoipSecurity::Unsecured => TransportKind::Tcp,
        VoipSecurity::SipSecured | VoipSecurity::Secured => TransportKind::Tls,
    };
    let mut chosen = Vec::new();
    for (gw, groups) in gateways {
        if !takes_mwi(gw) || !groups.iter().any(|h| h.dial_plan == dial_plan.dn) {
            continue;
        }
        let port = match (gw.port, transport) {
            (0, TransportKind::Tls) => DEFAULT_SIPS_PORT,
            (0, _) => DEFAULT_SIP_PORT,
            (p, _) => p,
        };
        chosen.push(MwiGateway {
            name: gw.name.clone(),
            address: gw.address.clone(),
            port,
        });
    }
    if chosen.is_empty() {
        return Err(no(format!(
            "no UM IP gateway of dial plan {} allows MWI",
            dial_plan.name
        )));
    }
    Ok(MwiTargets {
        account,
        dial_plan: dial_plan.name.clone(),
        transport,
        gateways: chosen,
    })
}

/// A gateway that may be sent MWI at all: enabled and allowing it.
fn takes_mwi(gw: &IpGateway) -> bool {
    gw.mwi_allowed && gw.status != GatewayStatus::Disabled
}

/// The account MWI is about: the user's SIP address as a URI.
fn mwi_account(user: &UmUser) -> Result<String, String> {
    user.sip_address
        .as_deref()
        .map(crate::sip::mwi::sip_uri)
        .ok_or_else(|| {
            let who = user.mail.clone().unwrap_or_else(|| user.dn.to_string());
            format!("no MWI for {who}: {} has no SIP address", user.dn)
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;

    #[test]
    fn a_message_address_names_its_user_and_the_granted_gateways_get_mwi() {
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir = LabDirectory::open(lab.path()).unwrap();
        let bob = user_by_mail(&dir, "bob@contoso.com").unwrap();
        assert_eq!(bob.sam.as_deref(), Some("bob"));
        assert_eq!(callee_address(&bob, "9000"), "bob@contoso.com");
        let err = user_by_mail(&dir, "nobody@contoso.com").unwrap_err();
        assert!(err.contains("no user"), "{err}");
        // The seed's gateways do not allow MWI until grant-permissions says so.
        let err = mwi_targets(&dir, &bob).unwrap_err();
        assert!(
            err.starts_with("no MWI for sip:bob@contoso.com") && err.contains("allows MWI"),
            "{err}"
        );
    }

    #[test]
    fn after_the_grant_mwi_goes_to_the_pools_gateway_of_the_users_dial_plan() {
        use crate::admin::grant::{apply, discover, plan, GrantOptions};
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir = LabDirectory::open(lab.path()).unwrap();
        let opts = GrantOptions::default();
        let granted = plan(&discover(&dir, &opts).unwrap(), &opts).unwrap();
        apply(&dir, &granted, &mut |_| {}).unwrap();
        let bob = user_by_mail(&dir, "bob@contoso.com").unwrap();
        let t = mwi_targets(&dir, &bob).unwrap();
        assert_eq!(t.account, "sip:bob@contoso.com");
        assert!(!t.gateways.is_empty());
        // The same choice from lists read beforehand (doctor's way), and none without the
        // hunt groups that tie a gateway to the dial plan.
        let org = lookup::organization(&dir).unwrap();
        let gateways = lookup::gateways(&dir, &org).unwrap();
        let groups: Vec<_> = gateways
            .iter()
            .map(|g| lookup::hunt_groups(&dir, &g.dn).unwrap())
            .collect();
        let plan_dn = bob.dial_plan.clone().unwrap();
        let plan = lookup::read_as(&dir, &plan_dn, DialPlan::from_entry).unwrap();
        let among = gateways.iter().zip(groups.iter().map(Vec::as_slice));
        assert_eq!(mwi_targets_among(&bob, plan.as_ref(), among).unwrap(), t);
        let none = gateways.iter().map(|g| (g, &[][..]));
        let err = mwi_targets_among(&bob, plan.as_ref(), none).unwrap_err();
        assert!(err.contains("allows MWI"), "{err}");
        let err = mwi_targets_among(&bob, None, []).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
    }
}
