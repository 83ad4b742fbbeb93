//! Where the Front End sends a voice-mail call (domain.md B.1.6, B.4.4): the dial plan (a
//! user's EUM proxy address, else its msExchUMRecipientDialPlanLink; a contact's otherIPPhone),
//! whether the pool's RTC groups can read what it needs (effective access along the DACL
//! chain, [`crate::directory::access`], the same check grant-permissions can verify with), and
//! the Exchange servers linked to the dial plan (a Client Access server first, for Exchange
//! 2013 and later). It does not decide whether Exchange admits the call (`um::admit`).

use serde::Serialize;

use super::target::{Callee, ContactTarget};
use super::FrontendError;
use crate::directory::access::{effective_rights, group_token};
use crate::directory::lookup;
use crate::directory::model::{
    attrs, rtc_group, AutoAttendant, ContactKind, DialPlan, Dn, EumAddress, ExchangeOrg,
    ExchangeServer, OtherIpPhone, RtcGroup, UmUser,
};
use crate::directory::security::AccessMask;
use crate::directory::Directory;

/// How the dial plan was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum DialPlanVia {
    /// The phone context of this EUM proxy address (what ExUM Routing reads).
    Eum(EumAddress),
    /// msExchUMRecipientDialPlanLink (the user has no EUM proxy address).
    RecipientLink(Dn),
    /// The contact's otherIPPhone.
    OtherIpPhone(OtherIpPhone),
}

/// The dial plan a call is routed by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DialPlanChoice {
    pub dial_plan: DialPlan,
    pub via: DialPlanVia,
    /// The user's msExchUMRecipientDialPlanLink, when it names another dial plan.
    pub link_differs: Option<Dn>,
}

/// Why no usable dial plan was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DialPlanProblem {
    /// The user is not UM-enabled (msExchUMEnabledFlags bit 1).
    NotUmEnabled { flags: Option<i64> },
    /// UM-enabled, but neither an EUM proxy nor msExchUMRecipientDialPlanLink names a dial plan.
    NoDialPlan,
    /// The contact's otherIPPhone carries no dial plan.
    ContactWithoutDialPlan,
    /// No dial plan has this phone context.
    UnknownPhoneContext { phone_context: String, from: String },
    /// The dial plan link points at a missing object.
    MissingDialPlan { dn: Dn },
    /// Skype for Business routes only to SIP URI dial plans.
    NotSip { dial_plan: Box<DialPlan> },
}

/// The dial plan for `callee`, or why there is none.
pub fn dial_plan_for<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    callee: &Callee,
) -> Result<Result<DialPlanChoice, DialPlanProblem>, FrontendError> {
    dial_plan_for_in(dir, org, callee, None)
}

/// [`dial_plan_for`] with the organization's dial plans (`lookup::dial_plans`) already read,
/// when the caller has them (`umctl doctor`, for every user): the phone-context lookup is
/// answered from them instead of reading them again.
pub fn dial_plan_for_in<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    callee: &Callee,
    dial_plans: Option<&[DialPlan]>,
) -> Result<Result<DialPlanChoice, DialPlanProblem>, FrontendError> {
    let by_context = |ctx: &str| -> Result<Option<DialPlan>, FrontendError> {
        Ok(match dial_plans {
            Some(all) => all.iter().find(|d| d.has_phone_context(ctx)).cloned(),
            None => lookup::dial_plan_by_context(dir, org, ctx)?,
        })
    };
    let choice = match callee {
        Callee::User(u) => user_dial_plan(dir, u, &by_context)?,
        Callee::Contact(c) => contact_dial_plan(c, &by_context)?,
    };
    Ok(choice.and_then(|c| {
        if c.dial_plan.is_sip() {
            Ok(c)
        } else {
            Err(DialPlanProblem::NotSip {
                dial_plan: Box::new(c.dial_plan),
            })
        }
    }))
}

/// Finds the dial plan with a phone context.
type ByContext<'a> = dyn Fn(&str) -> Result<Option<DialPlan>, FrontendError> + 'a;

fn user_dial_plan<D: Directory + ?Sized>(
    dir: &D,
    user: &UmUser,
    by_context: &ByContext<'_>,
) -> Result<Result<DialPlanChoice, DialPlanProblem>, FrontendError> {
    if !user.um_enabled {
        return Ok(Err(DialPlanProblem::NotUmEnabled {
            flags: user.um_enabled_flags,
        }));
    }
    // ExUM Routing goes by the EUM proxy address; the SIP one first.
    let eum = user
        .eum_addresses
        .iter()
        .find(|a| a.is_sip())
        .or(user.eum_addresses.first());
    if let Some(eum) = eum {
        let Some(dp) = by_context(&eum.phone_context)? else {
            return Ok(Err(DialPlanProblem::UnknownPhoneContext {
                phone_context: eum.phone_context.clone(),
                from: eum.to_string(),
            }));
        };
        let link_differs = user.dial_plan.clone().filter(|l| *l != dp.dn);
        return Ok(Ok(DialPlanChoice {
            dial_plan: dp,
            via: DialPlanVia::Eum(eum.clone()),
            link_differs,
        }));
    }
    let Some(link) = &user.dial_plan else {
        return Ok(Err(DialPlanProblem::NoDialPlan));
    };
    match lookup::read_as(dir, link, DialPlan::from_entry)? {
        Some(dp) => Ok(Ok(DialPlanChoice {
            dial_plan: dp,
            via: DialPlanVia::RecipientLink(link.clone()),
            link_differs: None,
        })),
        None => Ok(Err(DialPlanProblem::MissingDialPlan { dn: link.clone() })),
    }
}

fn contact_dial_plan(
    contact: &ContactTarget,
    by_context: &ByContext<'_>,
) -> Result<Result<DialPlanChoice, DialPlanProblem>, FrontendError> {
    let Some(oip) = &contact.other_ip_phone else {
        return Ok(Err(DialPlanProblem::ContactWithoutDialPlan));
    };
    match by_context(&oip.phone_context)? {
        Some(dp) => Ok(Ok(DialPlanChoice {
            dial_plan: dp,
            via: DialPlanVia::OtherIpPhone(oip.clone()),
            link_differs: None,
        })),
        None => Ok(Err(DialPlanProblem::UnknownPhoneContext {
            phone_context: oip.phone_context.clone(),
            from: format!("{}: {oip}", attrs::OTHER_IP_PHONE),
        })),
    }
}

/// One object the pool must read, and what the group may do there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectAccess {
    /// What the object is to the Front End (`dial plan LOC801`).
    pub label: String,
    pub dn: Dn,
    #[serde(serialize_with = "ser_mask")]
    pub needed: AccessMask,
    #[serde(serialize_with = "ser_mask")]
    pub granted: AccessMask,
}

fn ser_mask<S: serde::Serializer>(m: &AccessMask, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mask_name(*m))
}

/// `ReadProperty, ListChildren` (the rights umctl checks, in Get-ADPermission's words).
pub fn mask_name(m: AccessMask) -> String {
    let mut names = Vec::new();
    if m.contains(AccessMask::READ_PROPERTY) {
        names.push("ReadProperty");
    }
    if m.contains(AccessMask::LIST_CHILDREN) {
        names.push("ListChildren");
    }
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

impl ObjectAccess {
    pub fn ok(&self) -> bool {
        self.granted.contains(self.needed)
    }
}

/// One RTC group's access to every object the Front End reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupAccess {
    pub group: String,
    /// `S-1-5-21-...`, or `None` when the group does not exist.
    pub sid: Option<String>,
    pub objects: Vec<ObjectAccess>,
}

impl GroupAccess {
    pub fn ok(&self) -> bool {
        self.sid.is_some() && self.objects.iter().all(ObjectAccess::ok)
    }
}

/// The read-permission check of a call's dial plan (and auto attendant, and servers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermissionCheck {
    pub groups: Vec<GroupAccess>,
}

impl PermissionCheck {
    pub fn ok(&self) -> bool {
        self.groups.iter().all(GroupAccess::ok)
    }

    /// The first object some group cannot read: (group, object).
    pub fn first_denied(&self) -> Option<(&GroupAccess, Option<&ObjectAccess>)> {
        self.groups.iter().find(|g| !g.ok()).map(|g| {
            let obj = g.objects.iter().find(|o| !o.ok());
            (g, obj)
        })
    }
}

/// Can the RTC groups (each with Everyone and Authenticated Users) read the dial plan, the
/// auto attendant and the servers linked to the dial plan? Needed: ListChildren on the
/// organization and the containers on the way, ReadProperty on the objects themselves.
pub fn read_permission<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    dial_plan: &DialPlan,
    auto_attendant: Option<&AutoAttendant>,
    servers: &[ExchangeServer],
) -> Result<PermissionCheck, FrontendError> {
    let list = AccessMask::LIST_CHILDREN;
    let read = AccessMask::READ_PROPERTY;
    let mut objects: Vec<(String, Dn, AccessMask)> = vec![
        ("Exchange organization".into(), org.dn.clone(), list),
        (
            "UM DialPlan Container".into(),
            org.dial_plan_container(),
            list,
        ),
        (
            format!("dial plan {}", dial_plan.name),
            dial_plan.dn.clone(),
            read,
        ),
    ];
    if let Some(aa) = auto_attendant {
        objects.push((
            "UM AutoAttendant Container".into(),
            org.auto_attendant_container(),
            list,
        ));
        objects.push((format!("auto attendant {}", aa.name), aa.dn.clone(), read));
    }
    if !servers.is_empty() {
        objects.push((
            "Administrative Groups".into(),
            org.administrative_groups(),
            list,
        ));
    }
    for s in servers {
        objects.push((format!("Exchange server {}", s.name), s.dn.clone(), read));
    }

    let mut groups = Vec::new();
    for name in rtc_group::RTC_GROUP_NAMES {
        let entries = lookup::by_attribute(dir, attrs::SAM_ACCOUNT_NAME, name)?;
        let group = entries
            .iter()
            .find(|e| e.has_object_class(attrs::OC_GROUP))
            .map(RtcGroup::from_entry)
            .transpose()?;
        let Some(group) = group else {
            groups.push(GroupAccess {
                group: name.to_string(),
                sid: None,
                objects: Vec::new(),
            });
            continue;
        };
        let token = group_token(&group.sid);
        let mut checked = Vec::new();
        for (label, dn, needed) in &objects {
            let granted = effective_rights(dir, dn, &token)?;
            checked.push(ObjectAccess {
                label: label.clone(),
                dn: dn.clone(),
                needed: *needed,
                granted: AccessMask(granted.bits() & (list | read).bits()),
            });
        }
        groups.push(GroupAccess {
            group: group.sam,
            sid: Some(group.sid.to_string()),
            objects: checked,
        });
    }
    Ok(PermissionCheck { groups })
}

/// The Exchange servers linked to a dial plan, and the one the INVITE goes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerChoice {
    /// Every server whose msExchUMServerDialPlanLink names the dial plan, by name.
    pub linked: Vec<ExchangeServer>,
    /// The first Client Access server among them (Exchange 2013+: the UM call router), else
    /// the first UM server (Exchange 2010, which answers on the same ports).
    pub target: Option<ExchangeServer>,
}

/// Which servers serve `dial_plan`, and which one gets the INVITE.
pub fn um_servers<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    dial_plan: &DialPlan,
) -> Result<ServerChoice, FrontendError> {
    let linked: Vec<ExchangeServer> = lookup::exchange_servers(dir, org)?
        .into_iter()
        .filter(|s| s.serves_dial_plan(&dial_plan.dn))
        .collect();
    let target = linked
        .iter()
        .find(|s| s.is_client_access())
        .or_else(|| linked.iter().find(|s| s.is_unified_messaging()))
        .cloned();
    Ok(ServerChoice { linked, target })
}

/// The contact's kind as the trace names it.
pub fn contact_kind_name(kind: Option<ContactKind>) -> &'static str {
    match kind {
        Some(ContactKind::SubscriberAccess) => "subscriber access (Outlook Voice Access)",
        Some(ContactKind::AutoAttendant) => "auto attendant",
        None => "Exchange UM",
    }
}
