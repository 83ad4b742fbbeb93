//! The *-CsExUmContact family, with the otherIPPhone dial-plan edit folded in (domain.md A.4):
//! plan a new Outlook Voice Access or auto-attendant contact (validate everything, then two
//! changes: add the contact, add its `otherIPPhone`), find contacts by DN, SIP address or
//! number, list them, plan a change (keeping `otherIPPhone` in step) or a removal. Plans are
//! applied through [`Directory::apply`], which is all or nothing. CSV bulk creation is
//! `contact_bulk`; parsing flags, prompts and printing are the CLI's.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::directory::model::line_uri::validate_e164;
use crate::directory::model::{
    attrs, AutoAttendant, ContactKind, ContactSpec, DialPlan, ExUmContact, LineUri, ModelError,
    OtherIpPhone, Pool, ValueError,
};
use crate::directory::{
    ApplyError, Change, Directory, DirectoryError, Dn, DnError, Entry, Filter, ModOp, Modification,
    NamingContexts, Scope,
};

/// What can go wrong planning or applying a contact operation. Every variant names the bad
/// value and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error(
        "SIP address {q}: expected sip:user@domain (starting with sip:, no spaces or ;<>\",)", q = crate::quote::Quoted(.value))]
    BadSipAddress { value: String },
    #[error("SIP address {address} is already used by {holder} (expected an address no user or contact has)")]
    SipAddressInUse { address: String, holder: Holder },
    #[error("display number {0}")]
    BadNumber(ValueError),
    #[error("{what} {q}: expected {expected}", q = crate::quote::Quoted(.value))]
    BadText {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("display number {number} is already the line URI of {holder} (expected a number no user or contact has)")]
    NumberInUse { number: String, holder: Holder },
    #[error("registrar pool '{fqdn}' not found (expected the FQDN of a pool: {known})")]
    NoSuchPool { fqdn: String, known: String },
    #[error("registrar pool {fqdn} is {product} (expected Lync Server 2010 or newer: Exchange UM contacts cannot be homed on older pools)")]
    PoolTooOld { fqdn: String, product: String },
    #[error("OU {q} is not a DN ({error}); expected e.g. OU=ExUmContacts,DC=contoso,DC=com", q = crate::quote::Quoted(.value))]
    BadOu { value: String, error: DnError },
    #[error("OU {dn} does not exist (expected the DN of an existing OU or container)")]
    NoSuchOu { dn: String },
    #[error("--ou {dn} is a {class}, and Active Directory keeps contacts only in an organizationalUnit, container, builtinDomain or domainDNS (expected the DN of one of those)")]
    OuNotAContainer { dn: String, class: String },
    #[error("contact {address} already exists ({dn}) but differs in {differences}; nothing was changed. Change it with `umctl contact set {address} {fix}`, or give another SIP address")]
    ExistsDiffering {
        address: String,
        dn: String,
        differences: String,
        fix: String,
    },
    #[error("dial plan '{name}' not found (known dial plans: {known})")]
    NoSuchDialPlan { name: String, known: String },
    #[error("dial plan {name} is a {uri_type} dial plan (expected a SIP URI dial plan: Skype for Business routes only to those)")]
    NotSipDialPlan { name: String, uri_type: String },
    #[error("{number} is not an Outlook Voice Access number of dial plan {dial_plan} (its numbers: {numbers}); give its OVA number, or --force to create the contact anyway")]
    NotOvaNumber {
        number: String,
        dial_plan: String,
        numbers: String,
    },
    #[error("{number} is not a pilot number of auto attendant {auto_attendant} (its numbers: {numbers}); give its pilot number, or --force to create the contact anyway")]
    NotPilotNumber {
        number: String,
        auto_attendant: String,
        numbers: String,
    },
    #[error("no dial plan has {number} as its Outlook Voice Access number{hint}; name the dial plan with --dial-plan")]
    NoDialPlanForNumber { number: String, hint: String },
    #[error("{number} is the Outlook Voice Access number of several dial plans ({names}); name one with --dial-plan")]
    AmbiguousDialPlan { number: String, names: String },
    #[error("auto attendant '{name}' not found (known auto attendants: {known})")]
    NoSuchAutoAttendant { name: String, known: String },
    #[error("no auto attendant{scope} has {number} as its pilot number (pilots: {known}); name the auto attendant with --auto-attendant NAME")]
    NoAutoAttendantForNumber {
        number: String,
        scope: String,
        known: String,
    },
    #[error("{number} is the pilot number of several auto attendants ({names}); name one with --auto-attendant NAME")]
    AmbiguousAutoAttendant { number: String, names: String },
    #[error(
        "auto attendant {auto_attendant} belongs to dial plan {actual}, not to --dial-plan {given}"
    )]
    AutoAttendantDialPlanMismatch {
        auto_attendant: String,
        actual: String,
        given: String,
    },
    #[error("no Exchange UM contact matches '{id}' (expected a DN, a sip: address or a display number of one)")]
    NoSuchContact { id: String },
    #[error("'{id}' matches {count} Exchange UM contacts ({dns}); name one by its DN")]
    AmbiguousContact {
        id: String,
        count: usize,
        dns: String,
    },
    #[error("{dn} is not an Exchange UM contact (expected a contact with an SA:/AA: otherIPPhone or msRTCSIP-SourceObjectType 0x90000000)")]
    NotAnExUmContact { dn: String },
    #[error("{what} is required (expected {expected})")]
    Missing {
        what: &'static str,
        expected: &'static str,
    },
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

impl ContactError {
    /// The documented exit code: 3 when the directory cannot be reached or refuses access,
    /// else 2 (bad input).
    pub fn exit_code(&self) -> i32 {
        match self {
            ContactError::Directory(e) => e.exit_code(),
            ContactError::Apply(e) => e.exit_code(),
            _ => 2,
        }
    }
}

/// Who already holds a SIP address or a number: a directory object, or an earlier row of the
/// file being imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Object(Dn),
    Row(u64),
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::Object(dn) => write!(f, "{dn}"),
            Holder::Row(line) => write!(f, "line {line} of the file"),
        }
    }
}

/// `--auto-attendant [NAME]`: absent (a subscriber access contact), present without a name
/// (the auto attendant whose pilot is the display number), or a named auto attendant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AutoAttendantArg {
    #[default]
    No,
    Any,
    Named(String),
}

/// What the administrator asks new-contact for (New-CsExUmContact's parameters, plus the
/// dial plan and a display name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewContact {
    pub sip_address: String,
    /// FQDN of the registrar pool.
    pub registrar_pool: String,
    pub display_number: String,
    /// DN of the OU the contact goes to.
    pub ou: String,
    pub dial_plan: Option<String>,
    pub auto_attendant: AutoAttendantArg,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// The directory facts contact operations check against, read once per command: dial plans,
/// auto attendants and pools (from both naming contexts).
#[derive(Clone, Debug)]
pub struct Catalog {
    pub contexts: NamingContexts,
    pub dial_plans: Vec<DialPlan>,
    pub auto_attendants: Vec<AutoAttendant>,
    pub pools: Vec<Pool>,
    /// Objects that could not be read (each names its DN and attribute); they are ignored.
    pub problems: Vec<String>,
}

impl Catalog {
    pub fn load(dir: &dyn Directory) -> Result<Catalog, ContactError> {
        let contexts = dir.naming_contexts()?;
        let mut problems = Vec::new();
        let bases = [contexts.configuration.clone(), contexts.default.clone()];
        let dial_plans = load_typed(
            dir,
            &bases,
            attrs::OC_MSEXCH_UM_DIAL_PLAN,
            DialPlan::from_entry,
            &mut problems,
        )?;
        let auto_attendants = load_typed(
            dir,
            &bases,
            attrs::OC_MSEXCH_UM_AUTO_ATTENDANT,
            AutoAttendant::from_entry,
            &mut problems,
        )?;
        let pools = load_typed(
            dir,
            &bases,
            attrs::OC_MSRTCSIP_POOL,
            Pool::from_entry,
            &mut problems,
        )?;
        Ok(Catalog {
            contexts,
            dial_plans,
            auto_attendants,
            pools,
            problems,
        })
    }

    pub fn dial_plan(&self, name: &str) -> Option<&DialPlan> {
        let name = name.trim();
        self.dial_plans
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    pub fn dial_plan_by_dn(&self, dn: &Dn) -> Option<&DialPlan> {
        self.dial_plans.iter().find(|d| &d.dn == dn)
    }

    /// The dial plan a contact's `otherIPPhone` phone context names.
    pub fn dial_plan_for_context(&self, ctx: &str) -> Option<&DialPlan> {
        self.dial_plans.iter().find(|d| d.has_phone_context(ctx))
    }

    pub fn auto_attendant(&self, name: &str) -> Option<&AutoAttendant> {
        let name = name.trim();
        self.auto_attendants
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn auto_attendant_by_dn(&self, dn: &Dn) -> Option<&AutoAttendant> {
        self.auto_attendants.iter().find(|a| &a.dn == dn)
    }

    pub fn pool_by_fqdn(&self, fqdn: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.has_fqdn(fqdn.trim()))
    }

    pub fn pool_by_dn(&self, dn: &Dn) -> Option<&Pool> {
        self.pools.iter().find(|p| &p.dn == dn)
    }

    /// The pools a contact may be homed on: Lync 2010 or newer, with an FQDN.
    pub fn contact_pools(&self) -> impl Iterator<Item = &Pool> {
        self.pools
            .iter()
            .filter(|p| p.fqdn.is_some() && p.is_lync2010_or_newer())
    }

    fn dial_plan_names(&self) -> String {
        join_or_none(self.dial_plans.iter().map(|d| d.name.clone()))
    }

    fn auto_attendant_names(&self) -> String {
        join_or_none(self.auto_attendants.iter().map(|a| a.name.clone()))
    }
}

/// Objects of one class below the bases (deduplicated: in the lab the configuration NC lies
/// below the domain), parsed; unreadable ones go to `problems`.
fn load_typed<T>(
    dir: &dyn Directory,
    bases: &[Dn],
    class: &str,
    parse: impl Fn(&Entry) -> Result<T, ModelError>,
    problems: &mut Vec<String>,
) -> Result<Vec<T>, ContactError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for base in bases {
        let found = match dir.search(
            base,
            Scope::Subtree,
            &Filter::eq(attrs::OBJECT_CLASS, class),
            &[],
        ) {
            Ok(found) => found,
            Err(DirectoryError::NoSuchObject { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        for e in found {
            if !seen.insert(e.dn.clone()) {
                continue;
            }
            match parse(&e) {
                Ok(t) => out.push(t),
                Err(err) => problems.push(err.to_string()),
            }
        }
    }
    Ok(out)
}

fn join_or_none(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// What a run has already seen: optionally a snapshot of every SIP address and line number in
/// the directory (for batches: one search instead of two per row), the claims of earlier rows
/// of a file, and the OUs known to exist.
#[derive(Debug, Default)]
pub struct Ledger {
    snapshot: Option<Snapshot>,
    row_sips: HashMap<String, u64>,
    row_numbers: HashMap<String, u64>,
    ous: HashSet<Dn>,
}

#[derive(Debug, Default)]
struct Snapshot {
    sips: HashMap<String, Dn>,
    numbers: HashMap<String, Dn>,
}

const SIP: &str = "sip:";
const TEL: &str = "tel:";

impl Ledger {
    /// Asks the directory for each check (one contact).
    pub fn live() -> Ledger {
        Ledger::default()
    }

    /// Reads every SIP address and line number of the domain once (a batch).
    pub fn snapshot(
        dir: &dyn Directory,
        contexts: &NamingContexts,
    ) -> Result<Ledger, ContactError> {
        let filter = Filter::or(vec![
            Filter::present(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS),
            Filter::present(attrs::MSRTCSIP_LINE),
            Filter::present(attrs::PROXY_ADDRESSES),
        ]);
        let found = dir.search(
            &contexts.default,
            Scope::Subtree,
            &filter,
            &[
                attrs::MSRTCSIP_PRIMARY_USER_ADDRESS,
                attrs::MSRTCSIP_LINE,
                attrs::PROXY_ADDRESSES,
            ],
        )?;
        let mut snap = Snapshot::default();
        for e in found {
            let sips = e.str_values(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS).chain(
                e.str_values(attrs::PROXY_ADDRESSES)
                    .filter(|v| has_prefix(v, SIP)),
            );
            for s in sips {
                snap.sips
                    .entry(s.trim().to_ascii_lowercase())
                    .or_insert_with(|| e.dn.clone());
            }
            for l in e.str_values(attrs::MSRTCSIP_LINE) {
                if let Ok(uri) = LineUri::parse(l) {
                    snap.numbers
                        .entry(uri.number)
                        .or_insert_with(|| e.dn.clone());
                }
            }
        }
        Ok(Ledger {
            snapshot: Some(snap),
            ..Ledger::default()
        })
    }

    /// Records that the row at `line` takes `sip` and `number`.
    pub fn claim(&mut self, line: u64, sip: &str, number: &str) {
        self.row_sips
            .entry(sip.to_ascii_lowercase())
            .or_insert(line);
        self.row_numbers.entry(number.to_string()).or_insert(line);
    }

    /// Who holds the SIP address (as `msRTCSIP-PrimaryUserAddress` or a `sip:` proxy address).
    pub fn sip_holder(
        &self,
        dir: &dyn Directory,
        contexts: &NamingContexts,
        sip: &str,
    ) -> Result<Option<Holder>, ContactError> {
        let key = sip.to_ascii_lowercase();
        if let Some(line) = self.row_sips.get(&key) {
            return Ok(Some(Holder::Row(*line)));
        }
        if let Some(snap) = &self.snapshot {
            return Ok(snap.sips.get(&key).cloned().map(Holder::Object));
        }
        let filter = Filter::or(vec![
            Filter::eq(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, sip),
            Filter::eq(attrs::PROXY_ADDRESSES, sip),
        ]);
        let found = dir.search(&contexts.default, Scope::Subtree, &filter, &[attrs::CN])?;
        Ok(found.into_iter().next().map(|e| Holder::Object(e.dn)))
    }

    /// Who has the number as their line URI (with or without an extension).
    pub fn number_holder(
        &self,
        dir: &dyn Directory,
        contexts: &NamingContexts,
        number: &str,
    ) -> Result<Option<Holder>, ContactError> {
        if let Some(line) = self.row_numbers.get(number) {
            return Ok(Some(Holder::Row(*line)));
        }
        if let Some(snap) = &self.snapshot {
            return Ok(snap.numbers.get(number).cloned().map(Holder::Object));
        }
        let found = dir.search(
            &contexts.default,
            Scope::Subtree,
            &line_filter(number),
            &[attrs::CN],
        )?;
        Ok(found.into_iter().next().map(|e| Holder::Object(e.dn)))
    }

    /// Whether the OU exists and may hold contacts (asked once per OU).
    fn check_ou(&mut self, dir: &dyn Directory, ou: &Dn) -> Result<(), ContactError> {
        if self.ous.contains(ou) {
            return Ok(());
        }
        let Some(entry) = dir.read(ou, &[attrs::OBJECT_CLASS])? else {
            return Err(ContactError::NoSuchOu { dn: ou.to_string() });
        };
        let classes: Vec<&str> = entry.str_values(attrs::OBJECT_CLASS).collect();
        if !classes.iter().any(|c| is_contact_container(c)) {
            return Err(ContactError::OuNotAContainer {
                dn: ou.to_string(),
                class: classes
                    .last()
                    .copied()
                    .unwrap_or("object without objectClass")
                    .into(),
            });
        }
        self.ous.insert(ou.clone());
        Ok(())
    }
}

/// `msRTCSIP-Line` is `tel:<number>` or `tel:<number>;...`.
fn line_filter(number: &str) -> Filter {
    Filter::or(vec![
        Filter::eq(attrs::MSRTCSIP_LINE, &format!("{TEL}{number}")),
        Filter::Substring {
            attr: attrs::MSRTCSIP_LINE.to_string(),
            initial: Some(format!("{TEL}{number};").into_bytes()),
            any: Vec::new(),
            last: None,
        },
    ])
}

fn has_prefix(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Checks a SIP address (`sip:user@host`) and returns it with the scheme in lower case.
pub fn validate_sip_address(value: &str) -> Result<String, ContactError> {
    let bad = || ContactError::BadSipAddress {
        value: value.to_string(),
    };
    let t = value.trim();
    if !has_prefix(t, SIP) {
        return Err(bad());
    }
    let rest = &t[SIP.len()..];
    let (user, host) = rest.split_once('@').ok_or_else(bad)?;
    let user_ok = !user.is_empty()
        && !user
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "@;<>\",:".contains(c));
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if user_ok && host_ok {
        Ok(format!("{SIP}{rest}"))
    } else {
        Err(bad())
    }
}

/// Checks a display number (E.164, first digit not 0); `tel:` is accepted and dropped.
pub fn validate_number(value: &str) -> Result<String, ContactError> {
    let t = value.trim();
    let t = if has_prefix(t, TEL) {
        &t[TEL.len()..]
    } else {
        t
    };
    validate_e164(t).map_err(|mut e| {
        e.value = value.to_string();
        ContactError::BadNumber(e)
    })?;
    Ok(t.to_string())
}

/// Parses an OU DN.
pub fn parse_ou(value: &str) -> Result<Dn, ContactError> {
    Dn::parse(value.trim()).map_err(|error| ContactError::BadOu {
        value: value.to_string(),
        error,
    })
}

/// What a contact routes to: a dial plan's subscriber access, or an auto attendant (and the
/// dial plan it belongs to).
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    SubscriberAccess(&'a DialPlan),
    AutoAttendant(&'a AutoAttendant, &'a DialPlan),
}

/// The outcome of planning a new contact.
#[derive(Clone, Debug)]
pub enum NewOutcome {
    /// Two changes to apply: add the contact, then add its `otherIPPhone`.
    Create(NewPlan),
    /// An identical contact (same SIP address, number, kind, dial plan, pool and OU) exists.
    Exists(ExUmContact),
}

#[derive(Clone, Debug, Serialize)]
pub struct NewPlan {
    /// The contact as it will be once both changes are applied.
    pub contact: ExUmContact,
    #[serde(skip)]
    pub changes: Vec<Change>,
    /// What `--force` let through, and other things worth knowing (a disabled auto attendant).
    pub warnings: Vec<String>,
}

/// Validates a new contact against the directory and plans its two writes. Nothing is
/// written; every failure is an error naming the bad value.
pub fn plan_new(
    dir: &dyn Directory,
    catalog: &Catalog,
    ledger: &mut Ledger,
    req: &NewContact,
    force: bool,
) -> Result<NewOutcome, ContactError> {
    let sip = required(
        &req.sip_address,
        "the SIP address (--sip-address)",
        "sip:user@domain",
    )?;
    let sip = validate_sip_address(sip)?;
    let number = required(
        &req.display_number,
        "the display number (--display-number)",
        "an E.164 number such as +96265515333",
    )?;
    let number = validate_number(number)?;
    let pool_fqdn = required(
        &req.registrar_pool,
        "the registrar pool (--registrar-pool)",
        "a pool FQDN such as pool01.contoso.com",
    )?;
    let ou = required(
        &req.ou,
        "the OU (--ou)",
        "an OU DN such as OU=ExUmContacts,DC=contoso,DC=com",
    )?;
    let ou = parse_ou(ou)?;

    let pool = resolve_pool(catalog, pool_fqdn)?;
    ledger.check_ou(dir, &ou)?;
    let mut warnings = Vec::new();
    let source = resolve_source(catalog, req, &number, force, &mut warnings)?;

    let (kind, source_dn, source_name, dial_plan) = match source {
        Source::SubscriberAccess(dp) => (ContactKind::SubscriberAccess, &dp.dn, &dp.name, dp),
        Source::AutoAttendant(aa, dp) => (ContactKind::AutoAttendant, &aa.dn, &aa.name, dp),
    };
    if let Some(name) = &req.display_name {
        validate_text(name, "display name", DISPLAY_NAME_MAX)?;
    }
    if let Some(text) = &req.description {
        validate_text(text, "description", DESCRIPTION_MAX)?;
    }
    let spec = ContactSpec {
        kind,
        sip_address: sip.clone(),
        display_number: number.clone(),
        registrar_pool: pool.dn.clone(),
        source: source_dn.clone(),
        source_name: source_name.clone(),
        phone_context: dial_plan.phone_context.clone(),
        display_name: non_empty(&req.display_name),
        description: non_empty(&req.description),
    };

    if let Some(holder) = ledger.sip_holder(dir, &catalog.contexts, &sip)? {
        if let Holder::Object(dn) = &holder {
            if let Some(existing) = identical_existing(dir, dn, &spec, &ou)? {
                return Ok(NewOutcome::Exists(existing));
            }
        }
        return Err(ContactError::SipAddressInUse {
            address: sip,
            holder,
        });
    }
    if let Some(holder) = ledger.number_holder(dir, &catalog.contexts, &number)? {
        return Err(ContactError::NumberInUse { number, holder });
    }

    let dn = ou.child("CN", &ExUmContact::new_cn());
    let contact = ExUmContact::from_spec(dn.clone(), &spec)?;
    let mut entry = contact.to_entry(&dn);
    let other_ip_phone = entry
        .remove(attrs::OTHER_IP_PHONE)
        .map(|a| a.values)
        .unwrap_or_default();
    let changes = vec![
        Change::Add(entry),
        Change::Modify(
            dn,
            vec![Modification {
                op: ModOp::Add,
                attr: attrs::OTHER_IP_PHONE.to_string(),
                values: other_ip_phone,
            }],
        ),
    ];
    Ok(NewOutcome::Create(NewPlan {
        contact,
        changes,
        warnings,
    }))
}

fn required<'a>(
    value: &'a str,
    what: &'static str,
    expected: &'static str,
) -> Result<&'a str, ContactError> {
    let t = value.trim();
    if t.is_empty() {
        Err(ContactError::Missing { what, expected })
    } else {
        Ok(t)
    }
}

/// A display name or description as AD takes it: one line of at most `max` characters
/// (displayName: 256, description: 1,024, their rangeUpper in the schema).
pub fn validate_text(value: &str, what: &'static str, max: usize) -> Result<(), ContactError> {
    let bad = |expected: String| ContactError::BadText {
        what,
        value: value.to_string(),
        expected,
    };
    if value.chars().any(char::is_control) {
        return Err(bad(format!(
            "one line without control characters, at most {max} characters"
        )));
    }
    let n = value.chars().count();
    if n > max {
        return Err(bad(format!("at most {max} characters (it has {n})")));
    }
    Ok(())
}

/// The limits of the two free-text properties a command sets.
pub const DISPLAY_NAME_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 1024;

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn resolve_pool<'a>(catalog: &'a Catalog, fqdn: &str) -> Result<&'a Pool, ContactError> {
    let pool = catalog
        .pool_by_fqdn(fqdn)
        .ok_or_else(|| ContactError::NoSuchPool {
            fqdn: fqdn.to_string(),
            known: join_or_none(catalog.contact_pools().filter_map(|p| p.fqdn.clone())),
        })?;
    if !pool.is_lync2010_or_newer() {
        let product = match pool.version {
            None => "of unknown version (no msRTCSIP-PoolVersion)".to_string(),
            Some(v) => v
                .product_name()
                .map_or_else(|| format!("version {}", v.major()), str::to_string),
        };
        return Err(ContactError::PoolTooOld {
            fqdn: fqdn.to_string(),
            product,
        });
    }
    Ok(pool)
}

fn resolve_source<'a>(
    catalog: &'a Catalog,
    req: &NewContact,
    number: &str,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<Source<'a>, ContactError> {
    let given = match &req.dial_plan {
        Some(name) if !name.trim().is_empty() => Some(catalog.dial_plan(name).ok_or_else(
            || ContactError::NoSuchDialPlan {
                name: name.trim().to_string(),
                known: catalog.dial_plan_names(),
            },
        )?),
        _ => None,
    };
    match &req.auto_attendant {
        AutoAttendantArg::No => {
            let dp = match given {
                Some(dp) => dp,
                None => dial_plan_for_ova(catalog, number)?,
            };
            check_sip(dp)?;
            if !dp.has_ova_number(number) {
                let numbers = join_or_none(dp.ova_numbers.iter().cloned());
                if !force {
                    return Err(ContactError::NotOvaNumber {
                        number: number.to_string(),
                        dial_plan: dp.name.clone(),
                        numbers,
                    });
                }
                warnings.push(format!(
                    "{number} is not an Outlook Voice Access number of dial plan {} (its numbers: {numbers}); created anyway (--force)",
                    dp.name
                ));
            }
            Ok(Source::SubscriberAccess(dp))
        }
        AutoAttendantArg::Named(name) => {
            let aa =
                catalog
                    .auto_attendant(name)
                    .ok_or_else(|| ContactError::NoSuchAutoAttendant {
                        name: name.trim().to_string(),
                        known: catalog.auto_attendant_names(),
                    })?;
            auto_attendant_source(catalog, aa, given, number, force, warnings)
        }
        AutoAttendantArg::Any => {
            let in_scope: Vec<&AutoAttendant> = catalog
                .auto_attendants
                .iter()
                .filter(|a| given.is_none_or(|dp| dp.dn == a.dial_plan))
                .collect();
            let matching: Vec<&AutoAttendant> = in_scope
                .iter()
                .copied()
                .filter(|a| a.has_pilot_number(number))
                .collect();
            let aa = match matching.as_slice() {
                [one] => *one,
                [] => match (force, given, in_scope.as_slice()) {
                    (true, Some(_), [only]) => only,
                    _ => {
                        return Err(ContactError::NoAutoAttendantForNumber {
                            number: number.to_string(),
                            scope: given.map_or_else(String::new, |dp| {
                                format!(" of dial plan {}", dp.name)
                            }),
                            known: join_or_none(
                                in_scope
                                    .iter()
                                    .map(|a| format!("{} {}", a.name, a.pilot_numbers.join(" "))),
                            ),
                        })
                    }
                },
                many => {
                    return Err(ContactError::AmbiguousAutoAttendant {
                        number: number.to_string(),
                        names: many
                            .iter()
                            .map(|a| a.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                }
            };
            auto_attendant_source(catalog, aa, given, number, force, warnings)
        }
    }
}

fn auto_attendant_source<'a>(
    catalog: &'a Catalog,
    aa: &'a AutoAttendant,
    given: Option<&'a DialPlan>,
    number: &str,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<Source<'a>, ContactError> {
    let dp =
        catalog
            .dial_plan_by_dn(&aa.dial_plan)
            .ok_or_else(|| ContactError::NoSuchDialPlan {
                name: aa.dial_plan.to_string(),
                known: catalog.dial_plan_names(),
            })?;
    if let Some(g) = given {
        if g.dn != dp.dn {
            return Err(ContactError::AutoAttendantDialPlanMismatch {
                auto_attendant: aa.name.clone(),
                actual: dp.name.clone(),
                given: g.name.clone(),
            });
        }
    }
    check_sip(dp)?;
    if !aa.has_pilot_number(number) {
        let numbers = join_or_none(aa.pilot_numbers.iter().cloned());
        if !force {
            return Err(ContactError::NotPilotNumber {
                number: number.to_string(),
                auto_attendant: aa.name.clone(),
                numbers,
            });
        }
        warnings.push(format!(
            "{number} is not a pilot number of auto attendant {} (its numbers: {numbers}); created anyway (--force)",
            aa.name
        ));
    }
    if !aa.enabled {
        warnings.push(format!(
            "auto attendant {} is disabled: calls to this contact will be refused until it is enabled (Enable-UMAutoAttendant)",
            aa.name
        ));
    }
    Ok(Source::AutoAttendant(aa, dp))
}

fn dial_plan_for_ova<'a>(catalog: &'a Catalog, number: &str) -> Result<&'a DialPlan, ContactError> {
    let matching: Vec<&DialPlan> = catalog
        .dial_plans
        .iter()
        .filter(|d| d.has_ova_number(number))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => {
            let aa = catalog
                .auto_attendants
                .iter()
                .find(|a| a.has_pilot_number(number));
            let hint = match aa {
                Some(aa) => format!(
                    " (it is the pilot number of auto attendant {}: add --auto-attendant for an auto-attendant contact)",
                    aa.name
                ),
                None => format!(
                    " (OVA numbers: {})",
                    join_or_none(
                        catalog
                            .dial_plans
                            .iter()
                            .filter(|d| !d.ova_numbers.is_empty())
                            .map(|d| format!("{} {}", d.name, d.ova_numbers.join(" ")))
                    )
                ),
            };
            Err(ContactError::NoDialPlanForNumber {
                number: number.to_string(),
                hint,
            })
        }
        many => Err(ContactError::AmbiguousDialPlan {
            number: number.to_string(),
            names: many
                .iter()
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn check_sip(dp: &DialPlan) -> Result<(), ContactError> {
    if dp.is_sip() {
        Ok(())
    } else {
        Err(ContactError::NotSipDialPlan {
            name: dp.name.clone(),
            uri_type: format!("{:?}", dp.uri_type),
        })
    }
}

/// The classes AD allows a contact under (possSuperiors of contact).
fn is_contact_container(class: &str) -> bool {
    [
        "organizationalUnit",
        "container",
        "builtinDomain",
        "domainDNS",
    ]
    .iter()
    .any(|c| c.eq_ignore_ascii_case(class))
}

/// The existing contact at `dn` when it is what `spec` would create in `ou` (so creating it
/// again is a no-op). One that is the same contact but differs in an attribute the command
/// sets (display name, description) is an error naming each difference, never a silent no-op.
fn identical_existing(
    dir: &dyn Directory,
    dn: &Dn,
    spec: &ContactSpec,
    ou: &Dn,
) -> Result<Option<ExUmContact>, ContactError> {
    let Some(entry) = dir.read(dn, &[])? else {
        return Ok(None);
    };
    if !ExUmContact::is_ex_um_contact(&entry) {
        return Ok(None);
    }
    let Ok(c) = ExUmContact::from_entry(&entry) else {
        return Ok(None);
    };
    let same = c.kind == spec.kind
        && c.line_uri == LineUri::new(&spec.display_number)
        && c.phone_context.eq_ignore_ascii_case(&spec.phone_context)
        && c.home_pool == spec.registrar_pool
        && c.source_object.as_ref() == Some(&spec.source)
        && c.dn.parent().as_ref() == Some(ou);
    if !same {
        return Ok(None);
    }
    let wanted_name = spec
        .display_name
        .clone()
        .unwrap_or_else(|| spec.kind.default_display_name(&spec.source_name));
    let mut differences = Vec::new();
    let mut fix = Vec::new();
    if c.display_name.as_deref() != Some(wanted_name.as_str()) {
        differences.push(format!(
            "displayName ('{}' there, '{wanted_name}' asked)",
            c.display_name.as_deref().unwrap_or("")
        ));
        fix.push(format!("--display-name '{wanted_name}'"));
    }
    if let Some(wanted) = &spec.description {
        if c.description.as_deref() != Some(wanted.as_str()) {
            differences.push(format!(
                "description ('{}' there, '{wanted}' asked)",
                c.description.as_deref().unwrap_or("")
            ));
            fix.push(format!("--description '{wanted}'"));
        }
    }
    if differences.is_empty() {
        return Ok(Some(c));
    }
    Err(ContactError::ExistsDiffering {
        address: spec.sip_address.clone(),
        dn: c.dn.to_string(),
        differences: differences.join(", "),
        fix: fix.join(" "),
    })
}

/// A contact as `contact list` and `contact show` present it: the stored facts plus the names
/// they point at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactView {
    pub dn: Dn,
    pub kind: ContactKind,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub sip_address: String,
    /// The number of the line URI, without `tel:`.
    pub display_number: String,
    /// FQDN of the registrar pool, when it is known.
    pub registrar_pool: Option<String>,
    pub home_pool: Dn,
    /// Name of the dial plan whose phone context `otherIPPhone` carries, when it is known.
    pub dial_plan: Option<String>,
    /// Name of the auto attendant (auto-attendant contacts), when it is known.
    pub auto_attendant: Option<String>,
    pub phone_context: String,
    pub enabled: bool,
    pub other_ip_phone: String,
}

impl ContactView {
    pub fn new(catalog: &Catalog, c: &ExUmContact) -> ContactView {
        let auto_attendant = match c.kind {
            ContactKind::AutoAttendant => c
                .source_object
                .as_ref()
                .and_then(|dn| catalog.auto_attendant_by_dn(dn))
                .map(|a| a.name.clone()),
            ContactKind::SubscriberAccess => None,
        };
        ContactView {
            dn: c.dn.clone(),
            kind: c.kind,
            display_name: c.display_name.clone(),
            description: c.description.clone(),
            sip_address: c.sip_address.clone(),
            display_number: c.line_uri.number.clone(),
            registrar_pool: catalog
                .pool_by_dn(&c.home_pool)
                .and_then(|p| p.fqdn.clone()),
            home_pool: c.home_pool.clone(),
            dial_plan: catalog
                .dial_plan_for_context(&c.phone_context)
                .map(|d| d.name.clone()),
            auto_attendant,
            phone_context: c.phone_context.clone(),
            enabled: c.enabled,
            other_ip_phone: c.other_ip_phone_value().to_string(),
        }
    }
}

/// Which contacts `contact list` shows.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub kind: Option<ContactKind>,
    pub dial_plan: Option<String>,
}

/// The filter that finds Exchange UM contacts (refined by [`ExUmContact::is_ex_um_contact`]).
fn ex_um_filter() -> Filter {
    ExUmContact::search_filter()
}

/// Every Exchange UM contact of the domain that passes `filter`, sorted by display name;
/// contacts that cannot be read are returned as problems (DN and attribute named).
pub fn list(
    dir: &dyn Directory,
    catalog: &Catalog,
    filter: &ListFilter,
) -> Result<(Vec<ContactView>, Vec<String>), ContactError> {
    let wanted_dp = match &filter.dial_plan {
        Some(name) => {
            Some(
                catalog
                    .dial_plan(name)
                    .ok_or_else(|| ContactError::NoSuchDialPlan {
                        name: name.clone(),
                        known: catalog.dial_plan_names(),
                    })?,
            )
        }
        None => None,
    };
    let found = dir.search(
        &catalog.contexts.default,
        Scope::Subtree,
        &ex_um_filter(),
        &[],
    )?;
    let mut views = Vec::new();
    let mut problems = Vec::new();
    for e in found.iter().filter(|e| ExUmContact::is_ex_um_contact(e)) {
        match ExUmContact::from_entry(e) {
            Ok(c) => {
                if filter.kind.is_some_and(|k| k != c.kind) {
                    continue;
                }
                if wanted_dp.is_some_and(|dp| !dp.has_phone_context(&c.phone_context)) {
                    continue;
                }
                views.push(ContactView::new(catalog, &c));
            }
            Err(err) => problems.push(err.to_string()),
        }
    }
    views.sort_by(|a, b| {
        (a.display_name.as_deref().unwrap_or(""), &a.sip_address)
            .cmp(&(b.display_name.as_deref().unwrap_or(""), &b.sip_address))
    });
    Ok((views, problems))
}

/// Finds one contact by DN, `sip:` address, or display number (with or without `tel:`).
pub fn find(
    dir: &dyn Directory,
    contexts: &NamingContexts,
    id: &str,
) -> Result<ExUmContact, ContactError> {
    let t = id.trim();
    let not_found = || ContactError::NoSuchContact { id: id.to_string() };
    if t.contains('=') {
        if let Ok(dn) = Dn::parse(t) {
            let entry = dir.read(&dn, &[])?.ok_or_else(not_found)?;
            if !ExUmContact::is_ex_um_contact(&entry) {
                return Err(ContactError::NotAnExUmContact { dn: dn.to_string() });
            }
            return Ok(ExUmContact::from_entry(&entry)?);
        }
    }
    let by = if has_prefix(t, SIP) {
        Filter::eq(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, t)
    } else {
        let n = if has_prefix(t, TEL) {
            &t[TEL.len()..]
        } else {
            t
        };
        let digits = n.strip_prefix('+').unwrap_or(n);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_found());
        }
        let plus = format!("+{digits}");
        Filter::or(vec![
            line_filter(&plus),
            line_filter(digits),
            Filter::eq(attrs::TELEPHONE_NUMBER, &plus),
        ])
    };
    let found = dir.search(
        &contexts.default,
        Scope::Subtree,
        &Filter::and(vec![ex_um_filter(), by]),
        &[],
    )?;
    let mut matches: Vec<&Entry> = found
        .iter()
        .filter(|e| ExUmContact::is_ex_um_contact(e))
        .collect();
    matches.dedup_by(|a, b| a.dn == b.dn);
    match matches.as_slice() {
        [one] => Ok(ExUmContact::from_entry(one)?),
        [] => Err(not_found()),
        many => Err(ContactError::AmbiguousContact {
            id: id.to_string(),
            count: many.len(),
            dns: many
                .iter()
                .map(|e| e.dn.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// What `contact set` changes; `None` leaves a property as it is. An empty description or
/// display name removes it.
#[derive(Clone, Debug, Default)]
pub struct ContactUpdate {
    pub display_number: Option<String>,
    pub sip_address: Option<String>,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub enabled: Option<bool>,
}

/// A planned `contact set`: one modify, so all or nothing.
#[derive(Clone, Debug, Serialize)]
pub struct SetPlan {
    pub before: ExUmContact,
    pub after: ExUmContact,
    /// The attributes that change.
    pub changed: Vec<String>,
    #[serde(skip)]
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

/// Plans a change to `contact` as Set-CsExUmContact makes it: a new SIP address is also
/// written into `otherIPPhone`, a new display number into the line URI and telephoneNumber.
pub fn plan_set(
    dir: &dyn Directory,
    catalog: &Catalog,
    contact: &ExUmContact,
    update: &ContactUpdate,
    force: bool,
) -> Result<SetPlan, ContactError> {
    let ledger = Ledger::live();
    let mut entry = dir
        .read(&contact.dn, &[])?
        .ok_or_else(|| ContactError::NoSuchContact {
            id: contact.dn.to_string(),
        })?;
    let mut mods: Vec<Modification> = Vec::new();
    let mut warnings = Vec::new();
    let replace = |attr: &str, values: Vec<String>| Modification {
        op: ModOp::Replace,
        attr: attr.to_string(),
        values: values.into_iter().map(String::into_bytes).collect(),
    };

    if let Some(n) = &update.display_number {
        let number = validate_number(n)?;
        if number != contact.line_uri.number || contact.line_uri.ext.is_some() {
            if let Some(holder) = ledger.number_holder(dir, &catalog.contexts, &number)? {
                if holder != Holder::Object(contact.dn.clone()) {
                    return Err(ContactError::NumberInUse { number, holder });
                }
            }
            check_number_for(catalog, contact, &number, force, &mut warnings)?;
            mods.push(replace(
                attrs::MSRTCSIP_LINE,
                vec![format!("{TEL}{number}")],
            ));
            mods.push(replace(attrs::TELEPHONE_NUMBER, vec![number]));
        }
    }
    if let Some(s) = &update.sip_address {
        let sip = validate_sip_address(s)?;
        if !sip.eq_ignore_ascii_case(&contact.sip_address) {
            if let Some(holder) = ledger.sip_holder(dir, &catalog.contexts, &sip)? {
                if holder != Holder::Object(contact.dn.clone()) {
                    return Err(ContactError::SipAddressInUse {
                        address: sip,
                        holder,
                    });
                }
            }
            mods.extend(new_sip_address(&entry, &sip).map(|(a, v)| replace(a, v)));
        }
    }
    for (value, attr, current, what, max) in [
        (
            &update.description,
            attrs::DESCRIPTION,
            &contact.description,
            "description",
            DESCRIPTION_MAX,
        ),
        (
            &update.display_name,
            attrs::DISPLAY_NAME,
            &contact.display_name,
            "display name",
            DISPLAY_NAME_MAX,
        ),
    ] {
        if let Some(v) = value {
            validate_text(v, what, max)?;
            let v = v.trim();
            if current.as_deref().unwrap_or("") != v {
                let values = if v.is_empty() {
                    Vec::new()
                } else {
                    vec![v.to_string()]
                };
                mods.push(replace(attr, values));
            }
        }
    }
    if let Some(enabled) = update.enabled {
        if enabled != contact.enabled {
            let v = if enabled { "TRUE" } else { "FALSE" };
            mods.push(replace(attrs::MSRTCSIP_USER_ENABLED, vec![v.to_string()]));
        }
    }

    for m in &mods {
        if m.values.is_empty() {
            entry.remove(&m.attr);
        } else {
            entry.set(&m.attr, m.values.clone());
        }
    }
    let after = ExUmContact::from_entry(&entry)?;
    let changed = mods.iter().map(|m| m.attr.clone()).collect();
    let changes = if mods.is_empty() {
        Vec::new()
    } else {
        vec![Change::Modify(contact.dn.clone(), mods)]
    };
    Ok(SetPlan {
        before: contact.clone(),
        after,
        changed,
        changes,
        warnings,
    })
}

/// The attributes a new SIP address rewrites (Set-CsExUmContact's way): the primary user
/// address, and the SIP address inside each `otherIPPhone` value that has one.
fn new_sip_address(entry: &Entry, sip: &str) -> [(&'static str, Vec<String>); 2] {
    let other: Vec<String> = entry
        .str_values(attrs::OTHER_IP_PHONE)
        .map(|v| match OtherIpPhone::parse(v) {
            Ok(mut o) if o.sip_address.is_some() => {
                o.sip_address = Some(sip[SIP.len()..].to_string());
                o.to_string()
            }
            _ => v.to_string(),
        })
        .collect();
    [
        (attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, vec![sip.to_string()]),
        (attrs::OTHER_IP_PHONE, other),
    ]
}

/// A new number must still be the dial plan's OVA number (or the auto attendant's pilot),
/// unless `force`.
fn check_number_for(
    catalog: &Catalog,
    contact: &ExUmContact,
    number: &str,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<(), ContactError> {
    let err = match contact.kind {
        ContactKind::SubscriberAccess => {
            let Some(dp) = catalog.dial_plan_for_context(&contact.phone_context) else {
                warnings.push(format!(
                    "no dial plan has phone context {}; the number was not checked",
                    contact.phone_context
                ));
                return Ok(());
            };
            if dp.has_ova_number(number) {
                return Ok(());
            }
            ContactError::NotOvaNumber {
                number: number.to_string(),
                dial_plan: dp.name.clone(),
                numbers: join_or_none(dp.ova_numbers.iter().cloned()),
            }
        }
        ContactKind::AutoAttendant => {
            let Some(aa) = contact
                .source_object
                .as_ref()
                .and_then(|dn| catalog.auto_attendant_by_dn(dn))
            else {
                warnings.push(
                    "the contact's auto attendant (msDS-SourceObjectDN) is unknown; the number was not checked"
                        .to_string(),
                );
                return Ok(());
            };
            if aa.has_pilot_number(number) {
                return Ok(());
            }
            ContactError::NotPilotNumber {
                number: number.to_string(),
                auto_attendant: aa.name.clone(),
                numbers: join_or_none(aa.pilot_numbers.iter().cloned()),
            }
        }
    };
    if force {
        warnings.push(format!("{err}; changed anyway (--force)"));
        Ok(())
    } else {
        Err(err)
    }
}

/// The change that removes a contact.
pub fn plan_remove(contact: &ExUmContact) -> Vec<Change> {
    vec![Change::Delete(contact.dn.clone())]
}

/// Applies planned changes, all or nothing.
pub fn apply(dir: &dyn Directory, changes: &[Change]) -> Result<(), ContactError> {
    if changes.is_empty() {
        return Ok(());
    }
    dir.apply(changes).map_err(ContactError::Apply)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sip_address_syntax() {
        assert_eq!(
            validate_sip_address(" SIP:ova.loc801@contoso.com ").unwrap(),
            "sip:ova.loc801@contoso.com"
        );
        for bad in [
            "ova@contoso.com",
            "sip:",
            "sip:@contoso.com",
            "sip:ova",
            "sip:ova@",
            "sip:o va@contoso.com",
            "sip:ova@contoso..com",
            "sip:ova@-contoso.com",
            "sip:ova;x@contoso.com",
            "sip:<ova>@contoso.com",
            "sip:ova@contoso.com;transport=tls",
        ] {
            assert!(
                matches!(
                    validate_sip_address(bad),
                    Err(ContactError::BadSipAddress { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn number_syntax() {
        assert_eq!(validate_number("+96265515333").unwrap(), "+96265515333");
        assert_eq!(validate_number("tel:+96265515333").unwrap(), "+96265515333");
        for bad in [
            "96265515333",
            "+06265515333",
            "+",
            "+1234567890123456",
            "+96 265",
        ] {
            let err = validate_number(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn holder_names_the_row() {
        assert_eq!(Holder::Row(4).to_string(), "line 4 of the file");
    }
}
