//! Typed lookups the call path makes, shared by the Skype side (`frontend`), the Exchange side
//! (`um`) and the admin commands: the Exchange organization, dial plans, auto attendants,
//! Exchange servers, UM IP gateways and their hunt groups, pools, and recipients found by an
//! indexed attribute. Each one reads through [`Directory`] and parses with the `model` types.
//!
//! Searches stay cheap on a large forest: containers are read one level deep (the lab has a
//! child index) and recipients are found by equality on attributes AD and the lab index
//! (proxyAddresses, msRTCSIP-Line, msRTCSIP-PrimaryUserAddress, sAMAccountName, ...). It
//! decides nothing about a call; that is `frontend` and `um`. Each search and read is a
//! DEBUG event (what was asked, how many were found): `trace-call -v` shows them.

use super::model::{
    attrs, AutoAttendant, DialPlan, Dn, ExchangeOrg, ExchangeServer, HuntGroup, IpGateway,
    ModelError, Pool,
};
use super::{Directory, DirectoryError, Entry, Filter, Scope};

/// A lookup failed: the directory refused or an object did not parse as its class.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("no Exchange organization under {searched} (expected one msExchOrganizationContainer object)")]
    NoOrganization { searched: String },
}

impl LookupError {
    /// The documented exit code: the directory's own, 2 for a malformed object.
    pub fn exit_code(&self) -> i32 {
        match self {
            LookupError::Directory(e) => e.exit_code(),
            _ => 2,
        }
    }
}

pub type Result<T, E = LookupError> = std::result::Result<T, E>;

/// Objects of `class` one level below `base` (none when `base` does not exist).
pub fn children<D: Directory + ?Sized>(dir: &D, base: &Dn, class: &str) -> Result<Vec<Entry>> {
    let found = match dir.search(
        base,
        Scope::OneLevel,
        &Filter::eq(attrs::OBJECT_CLASS, class),
        &[],
    ) {
        Ok(found) => found,
        Err(DirectoryError::NoSuchObject { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    tracing::debug!(base = %base, class, found = found.len(), "directory: children");
    Ok(found)
}

/// Recipients (entries in the domain partition) whose `attr` equals `value`
/// (case-insensitive), with all attributes.
pub fn by_attribute<D: Directory + ?Sized>(dir: &D, attr: &str, value: &str) -> Result<Vec<Entry>> {
    let base = dir.naming_contexts()?.default;
    let filter = Filter::eq(attr, value);
    let found = dir.search(&base, Scope::Subtree, &filter, &[])?;
    tracing::debug!(
        attr,
        value,
        found = found.len(),
        "directory: recipients by attribute"
    );
    Ok(found)
}

/// Recipients matching the RFC 4515 `filter` text (for substring searches such as
/// `(msRTCSIP-Line=tel:+1425*)`; these scan on the lab, so keep them off the hot path).
pub fn by_filter<D: Directory + ?Sized>(dir: &D, filter: &str) -> Result<Vec<Entry>> {
    let base = dir.naming_contexts()?.default;
    let parsed = Filter::parse(filter).map_err(DirectoryError::from)?;
    let found = dir.search(&base, Scope::Subtree, &parsed, &[])?;
    tracing::debug!(
        filter,
        found = found.len(),
        "directory: recipients by filter"
    );
    Ok(found)
}

/// The Exchange organization (the first one under `CN=Microsoft Exchange,CN=Services`).
pub fn organization<D: Directory + ?Sized>(dir: &D) -> Result<ExchangeOrg> {
    let config = dir.naming_contexts()?.configuration;
    let base = ExchangeOrg::exchange_container(&config);
    let found = children(dir, &base, attrs::OC_MSEXCH_ORGANIZATION_CONTAINER)?;
    match found.first() {
        Some(e) => Ok(ExchangeOrg::from_entry(e)?),
        None => Err(LookupError::NoOrganization {
            searched: base.to_string(),
        }),
    }
}

/// One object by DN, parsed; `None` when it does not exist.
pub fn read_as<D, T>(
    dir: &D,
    dn: &Dn,
    parse: impl Fn(&Entry) -> Result<T, ModelError>,
) -> Result<Option<T>>
where
    D: Directory + ?Sized,
{
    let entry = dir.read(dn, &[])?;
    tracing::debug!(dn = %dn, found = entry.is_some(), "directory: read");
    match entry {
        Some(e) => Ok(Some(parse(&e)?)),
        None => Ok(None),
    }
}

/// Every dial plan of the organization.
pub fn dial_plans<D: Directory + ?Sized>(dir: &D, org: &ExchangeOrg) -> Result<Vec<DialPlan>> {
    children(
        dir,
        &org.dial_plan_container(),
        attrs::OC_MSEXCH_UM_DIAL_PLAN,
    )?
    .iter()
    .map(|e| DialPlan::from_entry(e).map_err(LookupError::from))
    .collect()
}

/// The dial plan whose phone context is `ctx` (case-insensitive).
pub fn dial_plan_by_context<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    ctx: &str,
) -> Result<Option<DialPlan>> {
    Ok(dial_plans(dir, org)?
        .into_iter()
        .find(|d| d.has_phone_context(ctx)))
}

/// The dial plan whose Outlook Voice Access numbers include `number`.
pub fn dial_plan_by_ova_number<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    number: &str,
) -> Result<Option<DialPlan>> {
    let found = dir.search(
        &org.dial_plan_container(),
        Scope::OneLevel,
        &Filter::eq(attrs::MSEXCH_UM_VOICE_MAIL_PILOT_NUMBERS, number),
        &[],
    );
    first_parsed(found, DialPlan::from_entry)
}

/// The auto attendant whose dialed numbers include `number`.
pub fn auto_attendant_by_number<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    number: &str,
) -> Result<Option<AutoAttendant>> {
    let found = dir.search(
        &org.auto_attendant_container(),
        Scope::OneLevel,
        &Filter::eq(attrs::MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS, number),
        &[],
    );
    first_parsed(found, AutoAttendant::from_entry)
}

/// The auto attendant named `name` (its cn), case-insensitive.
pub fn auto_attendant_by_name<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    name: &str,
) -> Result<Option<AutoAttendant>> {
    Ok(children(
        dir,
        &org.auto_attendant_container(),
        attrs::OC_MSEXCH_UM_AUTO_ATTENDANT,
    )?
    .iter()
    .map(AutoAttendant::from_entry)
    .collect::<Result<Vec<_>, _>>()?
    .into_iter()
    .find(|a| a.name.eq_ignore_ascii_case(name)))
}

fn first_parsed<T>(
    found: std::result::Result<Vec<Entry>, DirectoryError>,
    parse: impl Fn(&Entry) -> Result<T, ModelError>,
) -> Result<Option<T>> {
    match found {
        Ok(list) => match list.first() {
            Some(e) => Ok(Some(parse(e)?)),
            None => Ok(None),
        },
        Err(DirectoryError::NoSuchObject { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Every Exchange server of the organization's default administrative group, by name.
pub fn exchange_servers<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
) -> Result<Vec<ExchangeServer>> {
    let mut servers = children(
        dir,
        &org.servers_container(),
        attrs::OC_MSEXCH_EXCHANGE_SERVER,
    )?
    .iter()
    .map(ExchangeServer::from_entry)
    .collect::<Result<Vec<_>, _>>()?;
    servers.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
    });
    Ok(servers)
}

/// Every UM IP gateway of the organization.
pub fn gateways<D: Directory + ?Sized>(dir: &D, org: &ExchangeOrg) -> Result<Vec<IpGateway>> {
    children(
        dir,
        &org.gateway_container(),
        attrs::OC_MSEXCH_UM_IP_GATEWAY,
    )?
    .iter()
    .map(|e| IpGateway::from_entry(e).map_err(LookupError::from))
    .collect()
}

/// The hunt groups of one gateway (its children).
pub fn hunt_groups<D: Directory + ?Sized>(dir: &D, gateway: &Dn) -> Result<Vec<HuntGroup>> {
    children(dir, gateway, attrs::OC_MSEXCH_UM_HUNT_GROUP)?
        .iter()
        .map(|e| HuntGroup::from_entry(e).map_err(LookupError::from))
        .collect()
}

/// A pool by DN (a user's or contact's `msRTCSIP-PrimaryHomeServer`).
pub fn pool<D: Directory + ?Sized>(dir: &D, dn: &Dn) -> Result<Option<Pool>> {
    read_as(dir, dn, Pool::from_entry)
}
