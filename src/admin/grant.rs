//! `grant-permissions`: what ExchUCUtil.ps1 does (domain.md A.3, B.1), as discovery, a plan,
//! an all-or-nothing apply and a verification.
//!
//! Discovery reads the two RTC groups (by sAMAccountName), the Exchange organization and the
//! security descriptors of the four objects ExchUCUtil grants on, the pools (container found by
//! objectCategory), the SIP dial plans, and the UM IP gateways with their hunt groups. [`plan`]
//! turns that into [`Plan`] items, each carrying the [`Change`]s that realise it: a DACL write
//! per missing ACE, an add per new gateway or hunt group, a modify per gateway whose MWI or
//! outcalls flag is wrong, a delete per hunt group that is not one of the SIP dial plans. An
//! empty plan means the directory is already configured, so a second run does nothing.
//! [`verify`] gives ExchUCUtil's two verification tables from the current state, and
//! [`read_access_state`] the permission half of it (trace-call uses it to explain a Front End
//! that cannot read the dial plans).
//!
//! It does not print, prompt or parse options (`cli::grant_permissions`), and it reaches the
//! directory only through the [`Directory`] trait.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;

use crate::directory::ldif::LdifWriter;
use crate::directory::model::pool::PoolVersion;
use crate::directory::model::{
    attrs, organization, rtc_group, DialPlan, ExchangeOrg, HuntGroup, IpGateway, ModelError, Pool,
    RtcGroup,
};
use crate::directory::security::{
    ace_for, dacl_grants, AccessMask, Acl, Control, Inheritance, SecurityDescriptor, Sid,
};
use crate::directory::{
    ApplyError, Change, Directory, DirectoryError, Dn, Filter, ModOp, Modification, Scope,
};

/// The SD-flags control value (DACL only) `ldapmodify` needs to apply the plan's LDIF:
/// `-e '!1.2.840.113556.1.4.801=MAMCAQQ='` (BER `30 03 02 01 04`, base64).
pub const LDAPMODIFY_SD_FLAGS_OPTION: &str = "-e '!1.2.840.113556.1.4.801=MAMCAQQ='";

/// What grant-permissions can fail with. Each variant names the value at fault and what to do.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("--forest {given}: this directory's forest is {actual} (expected the FQDN of the forest root domain that hosts Skype for Business)")]
    ForestMismatch { given: String, actual: String },
    #[error("group {name} not found (searched (&(objectCategory=group)(sAMAccountName={name})) below {base}): the Skype for Business forest preparation has not run; run Enable-CsAdForest (Skype for Business deployment wizard: Prepare Active Directory) first")]
    MissingGroup { name: String, base: Dn },
    #[error("no Exchange organization below {base} (expected one msExchOrganizationContainer): Exchange has not prepared this forest; run Exchange setup /PrepareAD first")]
    NoExchangeOrg { base: Dn },
    #[error("more than one Exchange organization below {base}: {found} (expected exactly one)")]
    SeveralExchangeOrgs { base: Dn, found: String },
    #[error("{what} not found at {dn}: the Exchange organization is incomplete; run Exchange setup /PrepareAD again")]
    MissingContainer { what: String, dn: Dn },
    #[error("cannot read the DACL of {dn}: no security descriptor came back (expected one with a DACL); the account may not read it: bind as a member of Organization Management (or Domain Admins)")]
    NoDacl { dn: Dn },
    #[error("no pools container (objectCategory=msRTCSIP-Pools) in {searched}: the Skype for Business forest preparation has not run; run Enable-CsAdForest and publish the topology first")]
    NoPoolsContainer { searched: String },
    #[error("the pools container {container} holds no pool (msRTCSIP-Pool): publish the Skype for Business topology first")]
    NoPools { container: Dn },
    #[error("--pool {given}: no pool has that FQDN (expected one of: {known})")]
    UnknownPool { given: String, known: String },
    #[error("--pool {given}: {reason}, so ExchUCUtil gives it no UM IP gateway")]
    PoolNotEligible { given: String, reason: String },
    #[error("cannot create UM IP gateway {dn} for pool {fqdn}: a gateway of that name already exists with address {address} (expected a free name; rename or remove that gateway)")]
    GatewayNameTaken {
        dn: Dn,
        fqdn: String,
        address: String,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("{item}: {error}")]
    Apply { item: String, error: ApplyError },
}

impl GrantError {
    /// The documented exit code: 3 when the directory is unreachable or refused access, else 2.
    pub fn exit_code(&self) -> i32 {
        match self {
            GrantError::Directory(e) => e.exit_code(),
            // Real directories return no descriptor to an account that may not read it.
            GrantError::NoDacl { .. } => 3,
            GrantError::Apply { error, .. } => error.exit_code(),
            _ => 2,
        }
    }
}

/// The command's options that shape discovery and the plan.
#[derive(Clone, Debug, Default)]
pub struct GrantOptions {
    /// `--forest`: the FQDN of the forest that hosts Skype for Business.
    pub forest: Option<String>,
    /// `--pool`: limit the gateway work to the pool with this FQDN.
    pub pool: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------------------------

/// An RTC group with ExchUCUtil's identity for it (`contoso.com\RTCUniversalServerAdmins`).
#[derive(Clone, Debug, Serialize)]
pub struct FoundGroup {
    #[serde(flatten)]
    pub group: RtcGroup,
    pub identity: String,
}

/// One of the four objects ExchUCUtil grants on, with the rights it grants there.
#[derive(Clone, Debug)]
pub struct Target {
    /// As ExchUCUtil's verify table names it: the organization's name, or the container's.
    pub name: String,
    pub dn: Dn,
    pub rights: AccessMask,
    pub inheritance: Inheritance,
    pub security: SecurityDescriptor,
}

impl Target {
    fn dacl(&self) -> &Acl {
        // Discovery only keeps targets with a DACL.
        static EMPTY: std::sync::OnceLock<Acl> = std::sync::OnceLock::new();
        self.security
            .dacl
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(Acl::new))
    }
}

/// What the permission half of grant-permissions reads.
#[derive(Clone, Debug)]
pub struct AccessDiscovery {
    pub forest: String,
    pub root_domain: Dn,
    pub groups: Vec<FoundGroup>,
    pub org: ExchangeOrg,
    pub targets: Vec<Target>,
}

/// Everything grant-permissions reads before it plans.
#[derive(Clone, Debug)]
pub struct Discovery {
    pub access: AccessDiscovery,
    pub pools_container: Dn,
    pub pools: Vec<Pool>,
    pub dial_plans: Vec<DialPlan>,
    pub gateways: Vec<IpGateway>,
    pub hunt_groups: Vec<HuntGroup>,
}

/// `DC=contoso,DC=com` -> `contoso.com`.
pub fn dns_name(dn: &Dn) -> String {
    dn.rdns()
        .iter()
        .flat_map(|r| r.avas())
        .filter(|a| a.attr.eq_ignore_ascii_case("dc"))
        .map(|a| a.value.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// `Using Global Catalog: GC://DC=contoso,DC=com`, as Get-UCPool.ps1 prints it.
pub fn global_catalog_line(root_domain: &Dn) -> String {
    format!("Using Global Catalog: GC://{root_domain}")
}

fn check_forest(opts: &GrantOptions, actual: &str) -> Result<(), GrantError> {
    if let Some(given) = &opts.forest {
        let given_norm = given.trim().trim_end_matches('.');
        if !given_norm.eq_ignore_ascii_case(actual) {
            return Err(GrantError::ForestMismatch {
                given: given.clone(),
                actual: actual.to_string(),
            });
        }
    }
    Ok(())
}

/// The groups, the organization and the descriptors of the four grant targets.
pub fn discover_access(
    dir: &dyn Directory,
    opts: &GrantOptions,
) -> Result<AccessDiscovery, GrantError> {
    let nc = dir.naming_contexts()?;
    let forest = dns_name(&nc.default);
    check_forest(opts, &forest)?;

    let mut groups = Vec::new();
    for name in rtc_group::RTC_GROUP_NAMES {
        let filter = Filter::and(vec![
            Filter::eq(attrs::OBJECT_CATEGORY, attrs::OC_GROUP),
            Filter::eq(attrs::SAM_ACCOUNT_NAME, name),
        ]);
        let found = dir.search(
            &nc.default,
            Scope::Subtree,
            &filter,
            &[
                attrs::OBJECT_CLASS,
                attrs::SAM_ACCOUNT_NAME,
                attrs::OBJECT_SID,
            ],
        )?;
        let Some(entry) = found.first() else {
            return Err(GrantError::MissingGroup {
                name: name.to_string(),
                base: nc.default.clone(),
            });
        };
        let group = RtcGroup::from_entry(entry)?;
        let domain: Dn = Dn::from_rdns(
            group
                .dn
                .rdns()
                .iter()
                .skip_while(|r| !r.avas().iter().all(|a| a.attr.eq_ignore_ascii_case("dc")))
                .cloned()
                .collect(),
        );
        let identity = format!("{}\\{}", dns_name(&domain), group.sam);
        groups.push(FoundGroup { group, identity });
    }

    let exchange = ExchangeOrg::exchange_container(&nc.configuration);
    let orgs = match dir.search(
        &exchange,
        Scope::OneLevel,
        &Filter::eq(attrs::OBJECT_CLASS, attrs::OC_MSEXCH_ORGANIZATION_CONTAINER),
        &[attrs::OBJECT_CLASS, attrs::CN],
    ) {
        Ok(found) => found,
        Err(DirectoryError::NoSuchObject { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let org = match orgs.as_slice() {
        [] => return Err(GrantError::NoExchangeOrg { base: exchange }),
        [one] => ExchangeOrg::from_entry(one)?,
        many => {
            return Err(GrantError::SeveralExchangeOrgs {
                base: exchange,
                found: many
                    .iter()
                    .map(|e| e.dn.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        }
    };

    let mut targets = Vec::new();
    for (dn, this_object_only) in org.grant_targets() {
        let name = if dn == org.dn {
            org.name.clone()
        } else {
            dn.rdn_value().unwrap_or_default().to_string()
        };
        let security = match dir.read_security(&dn) {
            Ok(Some(sd)) if sd.dacl.is_some() => sd,
            Ok(_) => return Err(GrantError::NoDacl { dn }),
            Err(DirectoryError::NoSuchObject { .. }) => {
                return Err(GrantError::MissingContainer { what: name, dn })
            }
            Err(e) => return Err(e.into()),
        };
        let (rights, inheritance) = if this_object_only {
            (AccessMask::LIST_CHILDREN, Inheritance::ThisObjectOnly)
        } else {
            (
                AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY,
                Inheritance::ContainerInherit,
            )
        };
        targets.push(Target {
            name,
            dn,
            rights,
            inheritance,
            security,
        });
    }

    Ok(AccessDiscovery {
        forest,
        root_domain: nc.default,
        groups,
        org,
        targets,
    })
}

/// Entries below `base` (one level or the subtree) of `class`; a missing base is `None`.
fn children_of_class(
    dir: &dyn Directory,
    base: &Dn,
    scope: Scope,
    class: &str,
) -> Result<Option<Vec<crate::directory::Entry>>, GrantError> {
    match dir.search(base, scope, &Filter::eq(attrs::OBJECT_CLASS, class), &[]) {
        Ok(found) => Ok(Some(found)),
        Err(DirectoryError::NoSuchObject { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Everything grant-permissions needs to plan.
pub fn discover(dir: &dyn Directory, opts: &GrantOptions) -> Result<Discovery, GrantError> {
    let access = discover_access(dir, opts)?;
    let nc = dir.naming_contexts()?;

    // The pools container: by objectCategory, in the domain, then in the configuration NC
    // (where Lync 2010+ can keep the RTC Service).
    let filter = Filter::eq(attrs::OBJECT_CATEGORY, attrs::OC_MSRTCSIP_POOLS);
    let mut pools_container = None;
    for base in [&nc.default, &nc.configuration] {
        let found = match dir.search(base, Scope::Subtree, &filter, &[attrs::OBJECT_CLASS]) {
            Ok(found) => found,
            Err(DirectoryError::NoSuchObject { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        if let Some(first) = found.into_iter().next() {
            pools_container = Some(first.dn);
            break;
        }
    }
    let Some(pools_container) = pools_container else {
        return Err(GrantError::NoPoolsContainer {
            searched: format!("{} and {}", nc.default, nc.configuration),
        });
    };
    let pools = children_of_class(
        dir,
        &pools_container,
        Scope::OneLevel,
        attrs::OC_MSRTCSIP_POOL,
    )?
    .unwrap_or_default()
    .iter()
    .map(Pool::from_entry)
    .collect::<Result<Vec<_>, _>>()?;
    if pools.is_empty() {
        return Err(GrantError::NoPools {
            container: pools_container,
        });
    }

    let org = &access.org;
    let dial_plans = children_of_class(
        dir,
        &org.dial_plan_container(),
        Scope::OneLevel,
        attrs::OC_MSEXCH_UM_DIAL_PLAN,
    )?
    .ok_or_else(|| GrantError::MissingContainer {
        what: organization::DIAL_PLAN_CONTAINER.to_string(),
        dn: org.dial_plan_container(),
    })?
    .iter()
    .map(DialPlan::from_entry)
    .collect::<Result<Vec<_>, _>>()?;

    let gateway_container = org.gateway_container();
    let missing_gateways = || GrantError::MissingContainer {
        what: organization::IP_GATEWAY_CONTAINER.to_string(),
        dn: gateway_container.clone(),
    };
    let gateways = children_of_class(
        dir,
        &gateway_container,
        Scope::OneLevel,
        attrs::OC_MSEXCH_UM_IP_GATEWAY,
    )?
    .ok_or_else(missing_gateways)?
    .iter()
    .map(IpGateway::from_entry)
    .collect::<Result<Vec<_>, _>>()?;
    let hunt_groups = children_of_class(
        dir,
        &gateway_container,
        Scope::Subtree,
        attrs::OC_MSEXCH_UM_HUNT_GROUP,
    )?
    .ok_or_else(missing_gateways)?
    .iter()
    .map(HuntGroup::from_entry)
    .collect::<Result<Vec<_>, _>>()?;

    Ok(Discovery {
        access,
        pools_container,
        pools,
        dial_plans,
        gateways,
        hunt_groups,
    })
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

/// What one planned item does (serialized as `"change": "add_ace"` and its facts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum What {
    AddAce {
        group: String,
        sid: Sid,
        access_rights: String,
        inheritance: &'static str,
        /// The ACE in SDDL, e.g. `(A;CI;LCRP;;;S-1-5-21-...)`.
        ace: String,
    },
    CreateGateway {
        pool: String,
        address: String,
        message_waiting_indicator_allowed: bool,
        outcalls_allowed: bool,
    },
    UpdateGateway {
        pool: String,
        address: String,
        message_waiting_indicator_allowed: bool,
        outcalls_allowed: bool,
        was_message_waiting_indicator_allowed: bool,
        was_outcalls_allowed: bool,
    },
    CreateHuntGroup {
        gateway: String,
        dial_plan: String,
        pilot_identifier: String,
    },
    DeleteHuntGroup {
        gateway: String,
        dial_plan: String,
        reason: String,
    },
}

impl What {
    /// The table's "Change" column.
    pub fn label(&self) -> &'static str {
        match self {
            What::AddAce { .. } => "add ACE",
            What::CreateGateway { .. } => "create UM IP gateway",
            What::UpdateGateway { .. } => "update UM IP gateway",
            What::CreateHuntGroup { .. } => "create hunt group",
            What::DeleteHuntGroup { .. } => "delete hunt group",
        }
    }
}

/// One line of the plan: the object, what changes, and the directory changes that do it.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedItem {
    pub object: Dn,
    /// A short name for tables: the container's or organization's name, a gateway's name, or a
    /// hunt group's Exchange identity (`1:1\LOC801`).
    pub name: String,
    #[serde(flatten)]
    pub what: What,
    /// One human line: what is added, created, updated or deleted, and why.
    pub detail: String,
    #[serde(skip)]
    pub changes: Vec<Change>,
    /// For a DACL write rendered as LDIF: the descriptor's control flags (protected, ...).
    #[serde(skip)]
    dacl_control: Option<Control>,
}

/// One pool as ExchUCUtil sees it: configured (with its gateway) or skipped (with why).
#[derive(Clone, Debug, Serialize)]
pub struct PoolDecision {
    pub pool: String,
    pub dn: Dn,
    pub fqdn: Option<String>,
    pub version: Option<PoolVersion>,
    /// Why no gateway is made for it; `None` for a pool that gets one.
    pub skipped: Option<String>,
    pub is_branch_registrar: bool,
    pub gateway: Option<GatewayDecision>,
}

/// The gateway a pool gets.
#[derive(Clone, Debug, Serialize)]
pub struct GatewayDecision {
    pub name: String,
    pub dn: Dn,
    /// True when an existing gateway (matched by address) is reused.
    pub exists: bool,
    pub message_waiting_indicator_allowed: bool,
    pub outcalls_allowed: bool,
    /// The hunt groups it ends up with: one per SIP dial plan.
    pub dial_plans: Vec<String>,
}

/// The permission state of one group on the four objects.
#[derive(Clone, Debug, Serialize)]
pub struct GroupAccess {
    pub group: String,
    pub identity: String,
    pub sid: Sid,
    pub objects: Vec<ObjectAccess>,
}

/// One row of ExchUCUtil's `ObjectName | AccessRights | Configured` table.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectAccess {
    pub object_name: String,
    pub dn: Dn,
    pub access_rights: String,
    /// `None` (this object only) or `All` (container inherit), as Add-ADPermission names them.
    pub inheritance: &'static str,
    pub configured: bool,
}

/// The plan: what is there, and the ordered items that bring the directory to the desired
/// state. Empty `items` means nothing to do.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub forest: String,
    pub global_catalog: String,
    pub organization: Dn,
    pub permissions: Vec<GroupAccess>,
    pub pools: Vec<PoolDecision>,
    pub items: Vec<PlannedItem>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every directory change, in order.
    pub fn changes(&self) -> Vec<Change> {
        self.items
            .iter()
            .flat_map(|i| i.changes.iter().cloned())
            .collect()
    }

    /// How many items of each kind: `8 ACEs to add, 3 gateways to create, ...`.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for item in &self.items {
            match item.what {
                What::AddAce { .. } => s.aces_added += 1,
                What::CreateGateway { .. } => s.gateways_created += 1,
                What::UpdateGateway { .. } => s.gateways_updated += 1,
                What::CreateHuntGroup { .. } => s.hunt_groups_created += 1,
                What::DeleteHuntGroup { .. } => s.hunt_groups_deleted += 1,
            }
        }
        s
    }
}

/// Counts per kind of item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub aces_added: usize,
    pub gateways_created: usize,
    pub gateways_updated: usize,
    pub hunt_groups_created: usize,
    pub hunt_groups_deleted: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            (self.aces_added, "ACE", "ACEs", "added"),
            (
                self.gateways_created,
                "UM IP gateway",
                "UM IP gateways",
                "created",
            ),
            (
                self.gateways_updated,
                "UM IP gateway",
                "UM IP gateways",
                "updated",
            ),
            (
                self.hunt_groups_created,
                "hunt group",
                "hunt groups",
                "created",
            ),
            (
                self.hunt_groups_deleted,
                "hunt group",
                "hunt groups",
                "deleted",
            ),
        ]
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many, verb)| format!("{n} {} {verb}", if *n == 1 { one } else { many }))
        .collect();
        if parts.is_empty() {
            f.write_str("nothing")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

fn inheritance_name(i: Inheritance) -> &'static str {
    match i {
        Inheritance::ThisObjectOnly => "None",
        Inheritance::ContainerInherit => "All",
    }
}

/// The permission state of each group on each target, from the descriptors read.
pub fn access_state(access: &AccessDiscovery) -> Vec<GroupAccess> {
    access
        .groups
        .iter()
        .map(|g| GroupAccess {
            group: g.group.sam.clone(),
            identity: g.identity.clone(),
            sid: g.group.sid.clone(),
            objects: access
                .targets
                .iter()
                .map(|t| ObjectAccess {
                    object_name: t.name.clone(),
                    dn: t.dn.clone(),
                    access_rights: t.rights.names(),
                    inheritance: inheritance_name(t.inheritance),
                    configured: dacl_grants(t.dacl(), &g.group.sid, t.rights, t.inheritance),
                })
                .collect(),
        })
        .collect()
}

/// Why ExchUCUtil makes no gateway for `pool`, or `None` when it makes one.
fn skip_reason(pool: &Pool) -> Option<String> {
    if pool.fqdn.as_deref().is_none_or(|f| f.trim().is_empty()) {
        return Some("it has no dNSHostName".to_string());
    }
    match pool.version {
        None => Some("it has no msRTCSIP-PoolVersion".to_string()),
        Some(v) if !v.is_ocs2007_or_newer() => Some(format!("{v} is older than OCS 2007")),
        Some(_) => None,
    }
}

/// The Exchange identity of a hunt group: `<gateway name>\<hunt group name>`.
fn hunt_group_identity(gateway: &str, name: &str) -> String {
    format!("{gateway}\\{name}")
}

fn bool_word(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The desired state from `d`, as an ordered plan: ACEs (admin group first, ExchUCUtil's
/// object order), then per pool the gateway, its stale hunt groups (deleted first) and the
/// missing ones.
pub fn plan(d: &Discovery, opts: &GrantOptions) -> Result<Plan, GrantError> {
    let access = &d.access;
    let mut items = ace_items(access);
    let pools = pools_to_plan(d, opts)?;
    let mut sip_plans: Vec<&DialPlan> = d.dial_plans.iter().filter(|dp| dp.is_sip()).collect();
    sip_plans.sort_by_key(|dp| dp.name.to_lowercase());
    let mut decisions = Vec::new();
    for pool in pools {
        let mut decision = PoolDecision {
            pool: pool.cn.clone(),
            dn: pool.dn.clone(),
            fqdn: pool.fqdn.clone(),
            version: pool.version,
            skipped: skip_reason(pool),
            is_branch_registrar: pool.is_branch_registrar(),
            gateway: None,
        };
        let (Some(fqdn), None) = (&pool.fqdn, &decision.skipped) else {
            decisions.push(decision);
            continue;
        };
        let branch = pool.is_branch_registrar();
        let mwi = pool.is_lync2010_or_newer() && !branch;
        let outcalls = !branch;

        let existing = d.gateways.iter().find(|g| g.has_address(fqdn));
        let (gw_dn, gw_name) = match existing {
            Some(gw) => {
                items.extend(update_gateway_item(gw, fqdn, mwi, outcalls));
                (gw.dn.clone(), gw.name.clone())
            }
            None => {
                let (item, dn, name) = create_gateway_item(d, pool, fqdn, mwi, outcalls)?;
                items.push(item);
                (dn, name)
            }
        };
        items.extend(hunt_group_items(d, &sip_plans, &gw_dn, &gw_name));
        decision.gateway = Some(GatewayDecision {
            name: gw_name,
            dn: gw_dn,
            exists: existing.is_some(),
            message_waiting_indicator_allowed: mwi,
            outcalls_allowed: outcalls,
            dial_plans: sip_plans.iter().map(|dp| dp.name.clone()).collect(),
        });
        decisions.push(decision);
    }

    Ok(Plan {
        forest: access.forest.clone(),
        global_catalog: global_catalog_line(&access.root_domain),
        organization: access.org.dn.clone(),
        permissions: access_state(access),
        pools: decisions,
        items,
    })
}

/// The ACEs to add. Each item writes the DACL as it is after this ACE (and the earlier ones on
/// the same object), so the steps are independent DACL writes that undo cleanly.
fn ace_items(access: &AccessDiscovery) -> Vec<PlannedItem> {
    let mut items = Vec::new();
    let mut working: Vec<Acl> = access.targets.iter().map(|t| t.dacl().clone()).collect();
    for g in &access.groups {
        for (t, dacl) in access.targets.iter().zip(working.iter_mut()) {
            if dacl_grants(t.dacl(), &g.group.sid, t.rights, t.inheritance) {
                continue;
            }
            let ace = ace_for(&g.group.sid, t.rights, t.inheritance);
            dacl.add_ace(ace.clone());
            let sddl = ace.to_sddl(None).unwrap_or_default();
            let scope = match t.inheritance {
                Inheritance::ThisObjectOnly => "this object",
                Inheritance::ContainerInherit => "inherited",
            };
            items.push(PlannedItem {
                object: t.dn.clone(),
                name: t.name.clone(),
                detail: format!("{}: {} ({scope})", g.group.sam, t.rights.names()),
                what: What::AddAce {
                    group: g.group.sam.clone(),
                    sid: g.group.sid.clone(),
                    access_rights: t.rights.names(),
                    inheritance: inheritance_name(t.inheritance),
                    ace: sddl,
                },
                changes: vec![Change::SetDacl(t.dn.clone(), dacl.clone())],
                dacl_control: Some(t.security.control),
            });
        }
    }
    items
}

/// The pools to plan for: deduplicated by FQDN (ExchUCUtil keys them by FQDN), in name order
/// (a directory returns them in any order; the plan is the same on every backend), or just
/// `--pool`.
fn pools_to_plan<'a>(d: &'a Discovery, opts: &GrantOptions) -> Result<Vec<&'a Pool>, GrantError> {
    let mut seen = HashSet::new();
    let mut sorted: Vec<&Pool> = d.pools.iter().collect();
    sorted.sort_by_key(|p| p.cn.to_lowercase());
    let mut pools: Vec<&Pool> = Vec::new();
    for p in sorted {
        match &p.fqdn {
            Some(f) if !seen.insert(f.to_ascii_lowercase()) => {}
            _ => pools.push(p),
        }
    }
    if let Some(want) = &opts.pool {
        let Some(p) = pools.iter().find(|p| p.has_fqdn(want.trim())) else {
            return Err(GrantError::UnknownPool {
                given: want.clone(),
                known: pools
                    .iter()
                    .filter_map(|p| p.fqdn.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if let Some(reason) = skip_reason(p) {
            return Err(GrantError::PoolNotEligible {
                given: want.clone(),
                reason: format!("pool {}: {reason}", p.cn),
            });
        }
        pools = vec![*p];
    }
    Ok(pools)
}

/// The update of an existing gateway whose flags differ from what the pool needs, if any.
fn update_gateway_item(
    gw: &IpGateway,
    fqdn: &str,
    mwi: bool,
    outcalls: bool,
) -> Option<PlannedItem> {
    if gw.mwi_allowed != mwi || gw.outcalls_allowed != outcalls {
        let updated = IpGateway {
            mwi_allowed: mwi,
            outcalls_allowed: outcalls,
            ..gw.clone()
        };
        let entry = updated.to_entry(&gw.dn);
        let mut mods = Vec::new();
        let mut changed = Vec::new();
        if gw.mwi_allowed != mwi {
            mods.push(Modification {
                op: ModOp::Replace,
                attr: attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2.to_string(),
                values: entry.values(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2).to_vec(),
            });
            changed.push(format!(
                "MessageWaitingIndicatorAllowed {} -> {}",
                bool_word(gw.mwi_allowed),
                bool_word(mwi)
            ));
        }
        if gw.outcalls_allowed != outcalls {
            mods.push(Modification {
                op: ModOp::Replace,
                attr: attrs::MSEXCH_UM_OUTCALLS_ALLOWED.to_string(),
                values: entry.values(attrs::MSEXCH_UM_OUTCALLS_ALLOWED).to_vec(),
            });
            changed.push(format!(
                "OutcallsAllowed {} -> {}",
                bool_word(gw.outcalls_allowed),
                bool_word(outcalls)
            ));
        }
        return Some(PlannedItem {
            object: gw.dn.clone(),
            name: gw.name.clone(),
            detail: format!("for {fqdn}: {}", changed.join(", ")),
            what: What::UpdateGateway {
                pool: fqdn.to_string(),
                address: gw.address.clone(),
                message_waiting_indicator_allowed: mwi,
                outcalls_allowed: outcalls,
                was_message_waiting_indicator_allowed: gw.mwi_allowed,
                was_outcalls_allowed: gw.outcalls_allowed,
            },
            changes: vec![Change::Modify(gw.dn.clone(), mods)],
            dacl_control: None,
        });
    }
    None
}

/// A new gateway for the pool, named after its `cn`: the item, its DN and its name.
fn create_gateway_item(
    d: &Discovery,
    pool: &Pool,
    fqdn: &str,
    mwi: bool,
    outcalls: bool,
) -> Result<(PlannedItem, Dn, String), GrantError> {
    let dn = d.access.org.gateway_dn(&pool.cn);
    if let Some(taken) = d.gateways.iter().find(|g| g.dn == dn) {
        return Err(GrantError::GatewayNameTaken {
            dn,
            fqdn: fqdn.to_string(),
            address: taken.address.clone(),
        });
    }
    let mut gw = IpGateway::new(dn.clone(), fqdn.to_string());
    gw.mwi_allowed = mwi;
    gw.outcalls_allowed = outcalls;
    let item = PlannedItem {
        object: dn.clone(),
        name: gw.name.clone(),
        detail: format!(
            "for {fqdn}: MessageWaitingIndicatorAllowed {}, OutcallsAllowed {}",
            bool_word(mwi),
            bool_word(outcalls)
        ),
        what: What::CreateGateway {
            pool: fqdn.to_string(),
            address: fqdn.to_string(),
            message_waiting_indicator_allowed: mwi,
            outcalls_allowed: outcalls,
        },
        changes: vec![Change::Add(gw.to_entry(&dn))],
        dacl_control: None,
    };
    Ok((item, dn, gw.name))
}

/// Hunt groups on the gateway: exactly one per SIP dial plan. The ones to delete come first.
fn hunt_group_items(
    d: &Discovery,
    sip_plans: &[&DialPlan],
    gw_dn: &Dn,
    gw_name: &str,
) -> Vec<PlannedItem> {
    let mut items = Vec::new();
    let desired: Vec<HuntGroup> = sip_plans
        .iter()
        .map(|dp| HuntGroup::for_dial_plan(gw_dn, dp))
        .collect();
    let current: Vec<&HuntGroup> = d
        .hunt_groups
        .iter()
        .filter(|h| h.gateway == *gw_dn)
        .collect();
    let satisfies = |have: &HuntGroup, want: &HuntGroup| {
        have.dial_plan == want.dial_plan
            && match (&have.pilot_identifier, &want.pilot_identifier) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (a, b) => a == b,
            }
    };
    let mut kept = vec![false; current.len()];
    let mut met = vec![false; desired.len()];
    // First the hunt groups already named as they should be...
    for (wi, want) in desired.iter().enumerate() {
        if let Some(hi) = current
            .iter()
            .position(|h| h.dn == want.dn && satisfies(h, want))
        {
            kept[hi] = true;
            met[wi] = true;
        }
    }
    // Any other is replaced: the contract (domain.md A.3, ExchUCUtil.ps1) names each
    // hunt group after its dial plan, so one with the right pilot under another name is
    // deleted and created again under the dial plan's name (the lab has no rename).
    for (hi, h) in current.iter().enumerate() {
        if kept[hi] {
            continue;
        }
        let dp = d.dial_plans.iter().find(|dp| dp.dn == h.dial_plan);
        let dp_name = dp.map_or_else(
            || h.dial_plan.rdn_value().unwrap_or_default().to_string(),
            |dp| dp.name.clone(),
        );
        let reason = match dp {
            None => format!("its dial plan {} does not exist", h.dial_plan),
            Some(dp) if !dp.is_sip() => {
                format!("{} is not a SIP URI dial plan", dp.name)
            }
            Some(dp) => {
                let want = dp.pilot_identifier();
                let proper_kept = current
                    .iter()
                    .zip(&kept)
                    .any(|(k, kept)| *kept && k.dial_plan == h.dial_plan);
                if !h
                    .pilot_identifier
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case(want))
                {
                    format!(
                        "pilot identifier {} should be {want}",
                        h.pilot_identifier.as_deref().unwrap_or("(none)")
                    )
                } else if proper_kept {
                    format!("a second hunt group for {}", dp.name)
                } else {
                    format!(
                        "named '{}', not after its dial plan: replaced by {}",
                        h.name,
                        hunt_group_identity(gw_name, &dp.name)
                    )
                }
            }
        };
        items.push(PlannedItem {
            object: h.dn.clone(),
            name: hunt_group_identity(gw_name, &h.name),
            detail: format!("dial plan {dp_name}: {reason}"),
            what: What::DeleteHuntGroup {
                gateway: gw_name.to_string(),
                dial_plan: dp_name,
                reason,
            },
            changes: vec![Change::Delete(h.dn.clone())],
            dacl_control: None,
        });
    }
    for (wi, want) in desired.iter().enumerate() {
        if met[wi] {
            continue;
        }
        let pilot = want.pilot_identifier.clone().unwrap_or_default();
        items.push(PlannedItem {
            object: want.dn.clone(),
            name: hunt_group_identity(gw_name, &want.name),
            detail: format!("dial plan {}, pilot {pilot}", want.name),
            what: What::CreateHuntGroup {
                gateway: gw_name.to_string(),
                dial_plan: want.name.clone(),
                pilot_identifier: pilot,
            },
            changes: vec![Change::Add(want.to_entry(&want.dn))],
            dacl_control: None,
        });
    }
    items
}

/// Discovers and plans.
pub fn plan_for(dir: &dyn Directory, opts: &GrantOptions) -> Result<Plan, GrantError> {
    plan(&discover(dir, opts)?, opts)
}

/// What an apply did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub applied: usize,
    pub summary: Summary,
    pub items: Vec<PlannedItem>,
}

/// Applies the plan all or nothing; `progress(n)` after n directory changes. On failure the
/// error names the plan item and the step, and the directory is as it was.
pub fn apply(
    dir: &dyn Directory,
    plan: &Plan,
    progress: &mut dyn FnMut(usize),
) -> Result<Outcome, GrantError> {
    let changes = plan.changes();
    dir.apply_with_progress(&changes, progress)
        .map_err(|error| {
            // Which item holds the failed step.
            let mut seen = 0;
            let item = plan
                .items
                .iter()
                .find(|i| {
                    seen += i.changes.len();
                    seen >= error.step
                })
                .map_or_else(
                    || "apply".to_string(),
                    |i| format!("{} {} ({})", i.what.label(), i.name, i.object),
                );
            GrantError::Apply { item, error }
        })?;
    Ok(Outcome {
        applied: plan.items.len(),
        summary: plan.summary(),
        items: plan.items.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/// One row of ExchUCUtil's `PoolFqdn | UMIPGateway | DialPlans` table.
#[derive(Clone, Debug, Serialize)]
pub struct GatewayRow {
    pub pool_fqdn: String,
    /// `None` prints as `(not found)`.
    pub um_ip_gateway: Option<String>,
    /// The dial plans of the gateway's hunt groups (empty prints as `(not found)`).
    pub dial_plans: Vec<String>,
}

/// ExchUCUtil's verification, from the current state: complete when the plan is empty.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub forest: String,
    pub global_catalog: String,
    pub complete: bool,
    pub permissions: Vec<GroupAccess>,
    pub gateways: Vec<GatewayRow>,
    /// What a run would change (empty when complete).
    pub missing: Vec<PlannedItem>,
}

/// Reads the current state and says what is missing; changes nothing.
pub fn verify(dir: &dyn Directory, opts: &GrantOptions) -> Result<Verification, GrantError> {
    let d = discover(dir, opts)?;
    let plan = plan(&d, opts)?;
    let gateways = plan
        .pools
        .iter()
        .filter(|p| p.skipped.is_none())
        .filter_map(|p| {
            let fqdn = p.fqdn.clone()?;
            let gw = d.gateways.iter().find(|g| g.has_address(&fqdn));
            let mut dial_plans: Vec<String> = gw
                .map(|gw| {
                    d.hunt_groups
                        .iter()
                        .filter(|h| h.gateway == gw.dn)
                        .map(|h| {
                            d.dial_plans
                                .iter()
                                .find(|dp| dp.dn == h.dial_plan)
                                .map_or_else(
                                    || h.dial_plan.rdn_value().unwrap_or_default().to_string(),
                                    |dp| dp.name.clone(),
                                )
                        })
                        .collect()
                })
                .unwrap_or_default();
            dial_plans.sort_by_key(|n| n.to_lowercase());
            Some(GatewayRow {
                pool_fqdn: fqdn,
                um_ip_gateway: gw.map(|g| g.name.clone()),
                dial_plans,
            })
        })
        .collect();
    Ok(Verification {
        forest: plan.forest,
        global_catalog: plan.global_catalog,
        complete: plan.items.is_empty(),
        permissions: plan.permissions,
        gateways,
        missing: plan.items,
    })
}

/// Whether each RTC group has ExchUCUtil's rights on each of the four objects, read now. The
/// same test grant-permissions and `--verify` use ([`dacl_grants`] with A.3's inheritance).
pub fn read_access_state(dir: &dyn Directory) -> Result<Vec<GroupAccess>, GrantError> {
    Ok(access_state(&discover_access(
        dir,
        &GrantOptions::default(),
    )?))
}

// ---------------------------------------------------------------------------------------------
// LDIF
// ---------------------------------------------------------------------------------------------

/// Writes the plan as LDIF change records that `ldapmodify` (and `umctl lab apply`) accept.
///
/// A DACL write becomes `replace: nTSecurityDescriptor` with a binary descriptor that holds
/// only the DACL (and the DACL's control flags). AD takes that as a DACL-only write only with
/// the SD-flags control, so `ldapmodify` needs [`LDAPMODIFY_SD_FLAGS_OPTION`]; without it AD
/// would try to replace owner and group too and refuse.
pub fn write_ldif(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let mut w = LdifWriter::new(out)?.unfolded();
    w.comment(&format!(
        "umctl grant-permissions plan for {} ({} change(s): {})\nApply with: ldapmodify -H ldaps://<dc> -D <admin> -W {LDAPMODIFY_SD_FLAGS_OPTION} -f <this file>\nor on the lab: umctl lab apply <this file>",
        plan.forest,
        plan.items.len(),
        plan.summary()
    ))?;
    for item in &plan.items {
        w.comment(&format!(
            "{}: {} ({})",
            item.what.label(),
            item.name,
            item.detail
        ))?;
        for change in &item.changes {
            w.change(change, item.dacl_control)?;
        }
    }
    w.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::Entry;

    const D: &str = "DC=contoso,DC=com";
    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    const DOMAIN_SID: &str = "S-1-5-21-1-2-3";

    fn dn(s: &str) -> Dn {
        Dn::parse(s).unwrap()
    }

    fn org() -> ExchangeOrg {
        ExchangeOrg {
            dn: dn(ORG),
            name: "Contoso".into(),
        }
    }

    fn group(sam: &str, rid: u32) -> FoundGroup {
        FoundGroup {
            group: RtcGroup {
                dn: dn(&format!("CN={sam},CN=Users,{D}")),
                sam: sam.into(),
                sid: format!("{DOMAIN_SID}-{rid}").parse().unwrap(),
            },
            identity: format!("contoso.com\\{sam}"),
        }
    }

    fn targets(sddl: &str) -> Vec<Target> {
        org()
            .grant_targets()
            .into_iter()
            .map(|(t, only)| Target {
                name: if only {
                    "Contoso".into()
                } else {
                    t.rdn_value().unwrap().to_string()
                },
                rights: if only {
                    AccessMask::LIST_CHILDREN
                } else {
                    AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY
                },
                inheritance: if only {
                    Inheritance::ThisObjectOnly
                } else {
                    Inheritance::ContainerInherit
                },
                security: SecurityDescriptor::from_sddl(sddl, Some(&DOMAIN_SID.parse().unwrap()))
                    .unwrap(),
                dn: t,
            })
            .collect()
    }

    fn pool(cn: &str, fqdn: Option<&str>, version: &str, data: &[&str]) -> Pool {
        let mut e = Entry::new(dn(&format!(
            "CN={cn},CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,{D}"
        )));
        e.set_str(attrs::CN, cn);
        if let Some(f) = fqdn {
            e.set_str(attrs::DNS_HOST_NAME, f);
        }
        e.set_str(attrs::MSRTCSIP_POOL_VERSION, version);
        for v in data {
            e.add_value(attrs::MSRTCSIP_POOL_DATA, v.as_bytes().to_vec());
        }
        Pool::from_entry(&e).unwrap()
    }

    fn dial_plan(name: &str, uri_type: &str) -> DialPlan {
        let mut e = Entry::new(org().dial_plan_dn(name));
        e.set_str(attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, "4");
        e.set_str(attrs::MSEXCH_UM_COUNTRY_CODE, "1");
        e.set_str(
            attrs::MSEXCH_UM_PHONE_CONTEXT,
            &format!("{name}.contoso.com"),
        );
        e.set_str(attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, uri_type);
        DialPlan::from_entry(&e).unwrap()
    }

    fn gateway(name: &str, address: &str, mwi: bool, outcalls: bool) -> IpGateway {
        let mut g = IpGateway::new(org().gateway_dn(name), address);
        g.mwi_allowed = mwi;
        g.outcalls_allowed = outcalls;
        g
    }

    fn hunt(gw: &str, dp: &DialPlan, name: &str, pilot: &str) -> HuntGroup {
        let gateway = org().gateway_dn(gw);
        HuntGroup {
            dn: gateway.child("CN", name),
            name: name.into(),
            gateway,
            dial_plan: dp.dn.clone(),
            pilot_identifier: Some(pilot.into()),
        }
    }

    fn discovery() -> Discovery {
        let us = dial_plan("US-E164", "1");
        Discovery {
            access: AccessDiscovery {
                forest: "contoso.com".into(),
                root_domain: dn(D),
                groups: vec![
                    group("RTCUniversalServerAdmins", 1101),
                    group("RTCComponentUniversalServices", 1102),
                ],
                org: org(),
                targets: targets("O:DAG:DAD:P(A;CI;GA;;;DA)"),
            },
            pools_container: dn(&format!(
                "CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,{D}"
            )),
            pools: vec![
                pool("1:1", Some("pool01.contoso.com"), "7", &[]),
                pool(
                    "1:3",
                    Some("sba01.contoso.com"),
                    "5",
                    &["ExtendedType=RemoteRegistrar"],
                ),
                pool("ocs2007", Some("ocs2007.contoso.com"), "196608", &[]),
                pool("lcs2005", Some("lcs2005.contoso.com"), "131072", &[]),
                pool("1:4", None, "6", &[]),
            ],
            dial_plans: vec![
                dial_plan("LOC801", "2"),
                dial_plan("HQ-SIP", "2"),
                us.clone(),
            ],
            gateways: vec![
                gateway("OCS2007-GW", "OCS2007.contoso.com", true, true),
                gateway("PBX-Gateway", "pbx01.contoso.com", true, true),
            ],
            hunt_groups: vec![
                hunt("OCS2007-GW", &us, "US-E164", "US-E164"),
                hunt("PBX-Gateway", &dial_plan("PBX-EXT", "0"), "PBX-EXT", "7000"),
            ],
        }
    }

    fn kinds(p: &Plan) -> Vec<(&'static str, String)> {
        p.items
            .iter()
            .map(|i| (i.what.label(), i.name.clone()))
            .collect()
    }

    #[test]
    fn fresh_forest_plans_exchucutil_work() {
        let p = plan(&discovery(), &GrantOptions::default()).unwrap();
        let s = p.summary();
        assert_eq!(
            s,
            Summary {
                aces_added: 8,
                gateways_created: 2,
                gateways_updated: 1,
                hunt_groups_created: 6,
                hunt_groups_deleted: 1,
            }
        );
        assert_eq!(
            s.to_string(),
            "8 ACEs added, 2 UM IP gateways created, 1 UM IP gateway updated, 6 hunt groups created, 1 hunt group deleted"
        );
        // ACEs first, admin group first, in ExchUCUtil's object order.
        let first: Vec<_> = p.items[..4].iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            first,
            [
                "Contoso",
                "UM DialPlan Container",
                "UM AutoAttendant Container",
                "Administrative Groups"
            ]
        );
        let What::AddAce { ace, group, .. } = &p.items[0].what else {
            panic!()
        };
        assert_eq!(group, "RTCUniversalServerAdmins");
        assert_eq!(ace, "(A;;LC;;;S-1-5-21-1-2-3-1101)");
        let What::AddAce { ace, .. } = &p.items[5].what else {
            panic!()
        };
        assert_eq!(ace, "(A;CI;LCRP;;;S-1-5-21-1-2-3-1102)");
        // The second write on an object carries both groups' ACEs and keeps the old one.
        let Change::SetDacl(_, dacl) = &p.items[4].changes[0] else {
            panic!()
        };
        assert_eq!(dacl.len(), 3);
        // Pools: branch gets MWI and outcalls off; OCS 2007 MWI off; old and FQDN-less skipped.
        let by = |cn: &str| p.pools.iter().find(|d| d.pool == cn).unwrap();
        let sba = by("1:3").gateway.as_ref().unwrap();
        assert!(!sba.message_waiting_indicator_allowed && !sba.outcalls_allowed);
        assert!(by("1:3").is_branch_registrar);
        let ocs = by("ocs2007").gateway.as_ref().unwrap();
        assert!(ocs.exists && ocs.name == "OCS2007-GW");
        assert!(!ocs.message_waiting_indicator_allowed && ocs.outcalls_allowed);
        assert!(by("lcs2005")
            .skipped
            .as_ref()
            .unwrap()
            .contains("older than OCS 2007"));
        assert!(by("1:4").skipped.as_ref().unwrap().contains("dNSHostName"));
        let k = kinds(&p);
        assert!(k.contains(&("delete hunt group", "OCS2007-GW\\US-E164".into())));
        assert!(k.contains(&("create hunt group", "1:3\\HQ-SIP".into())));
        assert!(!k
            .iter()
            .any(|(_, n)| n.contains("PBX") || n.contains("lcs")));
        // The stale hunt group goes before the new ones on the same gateway.
        let del = k.iter().position(|x| x.0 == "delete hunt group").unwrap();
        let add = k
            .iter()
            .position(|x| x == &("create hunt group", "OCS2007-GW\\LOC801".to_string()))
            .unwrap();
        assert!(del < add);
    }

    /// The discovery after the plan is applied, as a directory would read it back.
    fn applied(d: &Discovery, p: &Plan) -> Discovery {
        let mut d = d.clone();
        for item in &p.items {
            for c in &item.changes {
                match c {
                    Change::SetDacl(dn, acl) => {
                        let t = d.access.targets.iter_mut().find(|t| &t.dn == dn).unwrap();
                        t.security.dacl = Some(acl.clone());
                    }
                    Change::Add(e) if e.has_object_class(attrs::OC_MSEXCH_UM_IP_GATEWAY) => {
                        d.gateways.push(IpGateway::from_entry(e).unwrap())
                    }
                    Change::Add(e) => d.hunt_groups.push(HuntGroup::from_entry(e).unwrap()),
                    Change::Modify(dn, mods) => {
                        let g = d.gateways.iter_mut().find(|g| &g.dn == dn).unwrap();
                        let mut e = g.to_entry(dn);
                        for m in mods {
                            e.set(&m.attr, m.values.clone());
                        }
                        *g = IpGateway::from_entry(&e).unwrap();
                    }
                    Change::Delete(dn) => d.hunt_groups.retain(|h| &h.dn != dn),
                }
            }
        }
        d
    }

    #[test]
    fn applied_plan_leaves_nothing_to_do() {
        let d = discovery();
        let p = plan(&d, &GrantOptions::default()).unwrap();
        let again = plan(&applied(&d, &p), &GrantOptions::default()).unwrap();
        assert!(again.is_empty(), "{:?}", kinds(&again));
        assert!(again
            .permissions
            .iter()
            .all(|g| g.objects.iter().all(|o| o.configured)));
    }

    #[test]
    fn existing_grants_count_with_more_rights_or_generic_rights() {
        let mut d = discovery();
        // GA with CI covers LCRP with CI; an inherited ACE counts too. IO does not.
        d.access.targets = targets(
            "O:DAG:DAD:(A;CI;GA;;;S-1-5-21-1-2-3-1101)(A;CIID;LCRPRC;;;S-1-5-21-1-2-3-1102)",
        );
        let p = plan(&d, &GrantOptions::default()).unwrap();
        assert_eq!(p.summary().aces_added, 0, "{:?}", kinds(&p));
        d.access.targets =
            targets("O:DAG:DAD:(A;CIIO;GA;;;S-1-5-21-1-2-3-1101)(A;;LCRP;;;S-1-5-21-1-2-3-1102)");
        let p = plan(&d, &GrantOptions::default()).unwrap();
        // Admin group: IO applies to nothing here -> 4 ACEs. Server group: the org's LC is
        // there, but the containers need CI -> 3 ACEs.
        assert_eq!(p.summary().aces_added, 7, "{:?}", kinds(&p));
    }

    #[test]
    fn hunt_groups_under_another_name_are_replaced_by_the_dial_plans_name() {
        let mut d = discovery();
        let loc = d.dial_plans[0].clone();
        let hq = d.dial_plans[1].clone();
        d.gateways
            .push(gateway("1:1", "POOL01.contoso.com", true, true));
        d.hunt_groups
            .push(hunt("1:1", &loc, "Default Hunt Group", "LOC801"));
        // Right name, wrong pilot: replaced.
        d.hunt_groups.push(hunt("1:1", &hq, "HQ-SIP", "7000"));
        let p = plan(&d, &GrantOptions::default()).unwrap();
        let k: Vec<_> = kinds(&p)
            .into_iter()
            .filter(|(_, n)| n.starts_with("1:1\\"))
            .collect();
        let mut sorted = k.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec![
                ("create hunt group", "1:1\\HQ-SIP".to_string()),
                ("create hunt group", "1:1\\LOC801".to_string()),
                ("delete hunt group", "1:1\\Default Hunt Group".to_string()),
                ("delete hunt group", "1:1\\HQ-SIP".to_string()),
            ]
        );
        let renamed = p
            .items
            .iter()
            .find(|i| i.name == "1:1\\Default Hunt Group")
            .unwrap();
        assert!(
            renamed.detail.contains(
                "named 'Default Hunt Group', not after its dial plan: replaced by 1:1\\LOC801"
            ),
            "{}",
            renamed.detail
        );
        let why = p
            .items
            .iter()
            .find(|i| i.what.label() == "delete hunt group" && i.name == "1:1\\HQ-SIP")
            .unwrap();
        assert!(
            why.detail
                .contains("pilot identifier 7000 should be HQ-SIP"),
            "{}",
            why.detail
        );
    }

    #[test]
    fn pool_option_limits_gateway_work_and_names_bad_values() {
        let opts = GrantOptions {
            pool: Some("SBA01.contoso.com".into()),
            ..GrantOptions::default()
        };
        let p = plan(&discovery(), &opts).unwrap();
        assert_eq!(p.pools.len(), 1);
        assert_eq!(p.summary().gateways_created, 1);
        assert_eq!(p.summary().aces_added, 8, "ACEs are planned regardless");
        let bad = GrantOptions {
            pool: Some("nope.contoso.com".into()),
            ..GrantOptions::default()
        };
        let err = plan(&discovery(), &bad).unwrap_err().to_string();
        assert!(
            err.contains("nope.contoso.com") && err.contains("pool01.contoso.com"),
            "{err}"
        );
        let old = GrantOptions {
            pool: Some("lcs2005.contoso.com".into()),
            ..GrantOptions::default()
        };
        let err = plan(&discovery(), &old).unwrap_err().to_string();
        assert!(err.contains("older than OCS 2007"), "{err}");
    }

    #[test]
    fn gateway_name_clash_is_an_error() {
        let mut d = discovery();
        d.gateways
            .push(gateway("1:1", "elsewhere.contoso.com", true, true));
        let err = plan(&d, &GrantOptions::default()).unwrap_err().to_string();
        assert!(
            err.contains("elsewhere.contoso.com") && err.contains("pool01"),
            "{err}"
        );
    }

    #[test]
    fn forest_names_and_check() {
        assert_eq!(dns_name(&dn(D)), "contoso.com");
        assert_eq!(
            global_catalog_line(&dn(D)),
            "Using Global Catalog: GC://DC=contoso,DC=com"
        );
        let ok = GrantOptions {
            forest: Some("Contoso.com.".into()),
            ..GrantOptions::default()
        };
        assert!(check_forest(&ok, "contoso.com").is_ok());
        let bad = GrantOptions {
            forest: Some("fabrikam.com".into()),
            ..GrantOptions::default()
        };
        let err = check_forest(&bad, "contoso.com").unwrap_err().to_string();
        assert!(
            err.contains("fabrikam.com") && err.contains("contoso.com"),
            "{err}"
        );
    }

    #[test]
    fn ldif_keeps_the_protected_flag_and_parses_back() {
        let p = plan(&discovery(), &GrantOptions::default()).unwrap();
        let mut out = Vec::new();
        write_ldif(&p, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("1.2.840.113556.1.4.801=MAMCAQQ="), "{text}");
        let records = crate::directory::ldif::parse(&out).unwrap();
        assert_eq!(records.len(), p.changes().len());
        let crate::directory::ldif::RecordBody::Modify(mods) = &records[0].body else {
            panic!("{:?}", records[0].body)
        };
        let sd = SecurityDescriptor::from_bytes(&mods[0].values[0]).unwrap();
        assert!(sd.is_dacl_protected(), "the org's DACL stays protected");
        assert!(sd.owner.is_none() && sd.group.is_none());
        assert_eq!(sd.dacl.unwrap().len(), 2);
    }
}
