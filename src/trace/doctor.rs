//! `umctl doctor`: the whole deployment at once, read-only. Every SIP dial plan (its servers,
//! the RTC groups' read access, its OVA numbers), every auto attendant, every Exchange server,
//! UM IP gateway and Skype for Business pool, every Exchange UM contact and every user with a
//! Skype for Business address is checked, and each problem becomes a [`Finding`]: the cause,
//! the object, why and the fix.
//!
//! The per-call checks are the trace's own: each user, contact and unclaimed OVA or
//! auto-attendant number runs the offline trace's hops ([`super::offline`]), so a finding
//! names the cause and fix `umctl trace-call` of that object would; what does not depend on
//! the callee (servers and read access of a dial plan, Exchange's admission of a pool) is
//! worked out once ([`Shared`]), and the directory is read through a [`Snapshot`] (one search
//! for all recipients). The deployment-wide kinds (a server missing from a dial plan, a
//! disabled gateway, two gateways with outcalls, an auto attendant named with spaces, a
//! number claimed twice, EUM addresses that do not fit the dial plan or the line URI) are
//! the functions below, with their wording in [`super::fix`].
//!
//! [`Report::push`] takes findings from anyone (the TLS checks of `doctor --tls` add theirs).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::certificates::Listener;
use super::fix::{self, Fix, RejectContext};
use super::offline::{all_pools, dns_name, resolve_caller, trace_found, Caller, Ctx, Shared};
use super::snapshot::Snapshot;
use super::{Outcome, Trace, TraceError, TraceRequest};
use crate::directory::lookup;
use crate::directory::model::{
    attrs, AutoAttendant, DialPlan, ExUmContact, ExchangeOrg, ExchangeServer, IpGateway, Pool,
    PoolVersion, UmUser,
};
use crate::directory::{Directory, Entry};
use crate::frontend::{
    read_permission, target::number_owner, um_servers, Callee, ContactTarget, Found, TargetSpec,
};
use crate::um::certificate::{CertificateCheck, FindingKind, Severity};
use crate::um::{admit, Stage, UmContext};

/// How many objects of a group the summary names.
pub const FIRST_FEW: usize = 3;

/// One problem: what breaks, on which object, why, and the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The short name of the cause (`rtc-read-denied`), the same a trace's failed hop names.
    pub cause: String,
    /// What kind of object: `user`, `contact`, `number`, `dial plan`, `auto attendant`,
    /// `server`, `gateway`, `pool`, `certificate`.
    pub kind: String,
    /// The object, as an administrator names it (`bob@contoso.com`, `LOC801`).
    pub object: String,
    /// For a call path: the hop of the trace that fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop: Option<u8>,
    pub why: String,
    pub fix: String,
    /// Works today but will not for long (a certificate about to expire): reported, but not
    /// broken (doctor's exit code stays 0 for it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
}

impl Finding {
    pub fn new(kind: &str, object: impl Into<String>, hop: Option<u8>, f: Fix) -> Finding {
        Finding {
            cause: f.cause.to_string(),
            kind: kind.to_string(),
            object: object.into(),
            hop,
            why: f.why,
            fix: f.fix,
            warning: false,
        }
    }
}

/// One object checked, for `--all`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub kind: String,
    pub object: String,
    /// The causes found on it (empty: nothing broken).
    pub causes: Vec<String>,
}

/// The findings of one cause, for the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    pub cause: String,
    pub count: usize,
    /// The first few objects (`FIRST_FEW`).
    pub objects: Vec<String>,
    pub why: String,
    /// The first finding's fix (the others differ only by object, or are in `--json`).
    pub fix: String,
}

/// Everything doctor found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub checked: Vec<Checked>,
}

impl Report {
    /// Adds a finding (and marks its object as checked with that cause).
    pub fn push(&mut self, f: Finding) {
        self.mark(&f.kind, &f.object, Some(&f.cause));
        self.findings.push(f);
    }

    /// Records that an object was checked (with a cause when one was found).
    pub fn mark(&mut self, kind: &str, object: &str, cause: Option<&str>) {
        let found = self
            .checked
            .iter_mut()
            .rev()
            .take(8)
            .find(|c| c.kind == kind && c.object == object);
        let c = match found {
            Some(c) => c,
            None => {
                self.checked.push(Checked {
                    kind: kind.to_string(),
                    object: object.to_string(),
                    causes: Vec::new(),
                });
                let last = self.checked.len() - 1;
                &mut self.checked[last]
            }
        };
        if let Some(cause) = cause {
            if !c.causes.iter().any(|x| x == cause) {
                c.causes.push(cause.to_string());
            }
        }
    }

    /// Whether anything is broken (doctor's exit code 1): a finding that is not a warning.
    pub fn broken(&self) -> bool {
        self.findings.iter().any(|f| !f.warning)
    }

    /// The findings grouped by cause, the largest group first.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for f in &self.findings {
            match groups.iter_mut().find(|g| g.cause == f.cause) {
                Some(g) => {
                    g.count += 1;
                    if g.objects.len() < FIRST_FEW {
                        g.objects.push(f.object.clone());
                    }
                }
                None => groups.push(Group {
                    cause: f.cause.clone(),
                    count: 1,
                    objects: vec![f.object.clone()],
                    why: f.why.clone(),
                    fix: f.fix.clone(),
                }),
            }
        }
        groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cause.cmp(&b.cause)));
        groups
    }

    /// How many objects of each kind were checked, and how many of them are broken.
    pub fn totals(&self) -> BTreeMap<String, (usize, usize)> {
        let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for c in &self.checked {
            let t = out.entry(c.kind.clone()).or_default();
            t.0 += 1;
            if !c.causes.is_empty() {
                t.1 += 1;
            }
        }
        out
    }
}

/// Where a doctor run is: `done` of `total` objects of the current `stage`.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    pub stage: &'a str,
    pub done: usize,
    pub total: usize,
}

/// Everything a check reads.
struct Deployment<'a> {
    dir: &'a Snapshot<'a>,
    org: ExchangeOrg,
    dial_plans: Vec<DialPlan>,
    auto_attendants: Vec<AutoAttendant>,
    servers: Vec<ExchangeServer>,
    gateways: Vec<IpGateway>,
    pools: Vec<Pool>,
}

/// Checks the whole deployment on `dir`, read-only. `progress` is called as objects are
/// checked (often: keep it cheap).
pub fn run(
    dir: &dyn Directory,
    um: &UmContext<'_>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report, TraceError> {
    let snap = Snapshot::read(dir)?;
    let org = lookup::organization(&snap)?;
    let d = Deployment {
        dial_plans: lookup::dial_plans(&snap, &org)?,
        auto_attendants: auto_attendants(&snap, &org)?,
        servers: lookup::exchange_servers(&snap, &org)?,
        gateways: lookup::gateways(&snap, &org)?,
        pools: all_pools(&snap)?,
        dir: &snap,
        org,
    };
    let mut report = Report::default();
    check_dial_plans(&d, &mut report)?;
    check_servers(&d, &mut report);
    check_gateways(&d, &mut report)?;
    check_pools(&d, um, &mut report)?;
    check_auto_attendants(&d, &mut report);
    check_numbers(&d, um, &mut report)?;
    check_recipients(&d, um, &mut report, progress)?;
    Ok(report)
}

fn auto_attendants<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
) -> Result<Vec<AutoAttendant>, TraceError> {
    let mut out = Vec::new();
    for e in lookup::children(
        dir,
        &org.auto_attendant_container(),
        attrs::OC_MSEXCH_UM_AUTO_ATTENDANT,
    )? {
        out.push(AutoAttendant::from_entry(&e).map_err(lookup::LookupError::from)?);
    }
    Ok(out)
}

/// Each SIP dial plan: linked servers, and whether the RTC groups can read it.
fn check_dial_plans(d: &Deployment<'_>, report: &mut Report) -> Result<(), TraceError> {
    for dp in d.dial_plans.iter().filter(|dp| dp.is_sip()) {
        report.mark("dial plan", &dp.name, None);
        let servers = um_servers(d.dir, &d.org, dp)?;
        if servers.target.is_none() {
            let cas = d.servers.iter().find(|s| s.is_client_access());
            let mbx = d.servers.iter().find(|s| s.is_mailbox());
            report.push(Finding::new(
                "dial plan",
                &dp.name,
                Some(5),
                fix::no_um_server(
                    &dp.name,
                    cas.map(|s| s.name.as_str()),
                    mbx.map(|s| s.name.as_str()),
                ),
            ));
        }
        let perm = read_permission(d.dir, &d.org, dp, None, &servers.linked)?;
        if let Some((group, object)) = perm.first_denied() {
            report.push(Finding::new(
                "dial plan",
                &dp.name,
                Some(4),
                fix::read_denied(group, object, &dp.name),
            ));
        }
    }
    Ok(())
}

/// Each server that serves UM: linked to every SIP dial plan, with a startup mode that fits.
fn check_servers(d: &Deployment<'_>, report: &mut Report) {
    for s in &d.servers {
        if !(s.is_client_access() || s.is_unified_messaging()) {
            continue;
        }
        report.mark("server", &s.name, None);
        for dp in d.dial_plans.iter().filter(|dp| dp.is_sip()) {
            if !s.serves_dial_plan(&dp.dn) {
                report.push(Finding::new(
                    "server",
                    &s.name,
                    None,
                    fix::server_not_in_dial_plan(&s.name, s.is_client_access(), &dp.name),
                ));
                continue;
            }
            let Some(mode) = s.startup_mode else {
                continue;
            };
            let secure = dp.voip_security.uses_tls();
            let accepts = if secure {
                mode.accepts_tls()
            } else {
                mode.accepts_tcp()
            };
            if !accepts {
                report.push(Finding::new(
                    "server",
                    &s.name,
                    None,
                    fix::startup_mode(&s.name, mode, dp, secure),
                ));
            }
        }
    }
}

/// Disabled gateways, and more than one gateway with outcalls for a pool and dial plan.
fn check_gateways(d: &Deployment<'_>, report: &mut Report) -> Result<(), TraceError> {
    let mut outcalls: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for g in &d.gateways {
        report.mark("gateway", &g.name, None);
        if g.status != crate::directory::model::GatewayStatus::Enabled {
            report.push(Finding::new(
                "gateway",
                &g.name,
                Some(5),
                fix::gateway_disabled(&g.name, &g.address),
            ));
        }
        if !g.outcalls_allowed {
            continue;
        }
        for hg in lookup::hunt_groups(d.dir, &g.dn)? {
            let Some(dp) = d.dial_plans.iter().find(|dp| dp.dn == hg.dial_plan) else {
                continue;
            };
            let list = outcalls
                .entry((g.address.to_ascii_lowercase(), dp.name.clone()))
                .or_default();
            if !list.contains(&g.name) {
                list.push(g.name.clone());
            }
        }
    }
    for ((address, dial_plan), names) in outcalls {
        if names.len() > 1 {
            report.push(Finding::new(
                "gateway",
                names.join(", "),
                None,
                fix::several_outcall_gateways(&address, &dial_plan, &names),
            ));
        }
    }
    Ok(())
}

/// Each pool ExchUCUtil makes a gateway for (OCS 2007 and later, with an FQDN): would
/// Exchange admit its INVITE for every SIP dial plan (gateway, hunt group)? The trace's hop 5
/// asks the same `um::admit`.
fn check_pools(
    d: &Deployment<'_>,
    um: &UmContext<'_>,
    report: &mut Report,
) -> Result<(), TraceError> {
    for pool in &d.pools {
        let Some(fqdn) = &pool.fqdn else {
            continue;
        };
        if pool.version.is_none_or(|v| v < PoolVersion::OCS_2007) {
            continue;
        }
        for dp in d.dial_plans.iter().filter(|dp| dp.is_sip()) {
            let object = format!("{fqdn} ({})", dp.name);
            report.mark("pool", &object, None);
            let secure = dp.voip_security.uses_tls();
            if let Err(r) = admit(d.dir, &d.org, fqdn, dp.pilot_identifier(), secure, um)? {
                let rc = RejectContext {
                    pool: fqdn,
                    secure,
                    ..RejectContext::default()
                };
                report.push(Finding::new(
                    "pool",
                    object,
                    Some(5),
                    fix::rejection(&r, &rc),
                ));
            }
        }
    }
    Ok(())
}

/// Auto attendants named with spaces.
fn check_auto_attendants(d: &Deployment<'_>, report: &mut Report) {
    for aa in &d.auto_attendants {
        report.mark("auto attendant", &aa.name, None);
        if aa.name.contains(' ') {
            report.push(Finding::new(
                "auto attendant",
                &aa.name,
                None,
                fix::auto_attendant_name_has_spaces(&aa.name),
            ));
        }
    }
}

/// The OVA and auto-attendant numbers: claimed by one object each, and carried by a contact
/// (a number no contact carries is traced: the trace's hop 1 names the new-contact to run).
fn check_numbers(
    d: &Deployment<'_>,
    um: &UmContext<'_>,
    report: &mut Report,
) -> Result<(), TraceError> {
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dp in &d.dial_plans {
        for n in &dp.ova_numbers {
            owners
                .entry(n.clone())
                .or_default()
                .push(format!("dial plan {}", dp.name));
        }
    }
    for aa in &d.auto_attendants {
        for n in &aa.pilot_numbers {
            owners
                .entry(n.clone())
                .or_default()
                .push(format!("auto attendant {}", aa.name));
        }
    }
    for (number, who) in &owners {
        if who.len() > 1 {
            report.push(Finding::new(
                "number",
                number,
                None,
                fix::number_claimed_twice(number, who),
            ));
        }
    }
    let sip_plans: Vec<&DialPlan> = d.dial_plans.iter().filter(|dp| dp.is_sip()).collect();
    let run = PerRun::new(d)?;
    for (number, who) in &owners {
        // Only the numbers of SIP dial plans and enabled auto attendants are meant to be
        // reached from Skype for Business.
        let wanted = sip_plans.iter().any(|dp| dp.ova_numbers.contains(number))
            || d.auto_attendants.iter().any(|aa| {
                aa.enabled
                    && aa.pilot_numbers.contains(number)
                    && sip_plans.iter().any(|dp| dp.dn == aa.dial_plan)
            });
        if !wanted {
            continue;
        }
        let line = format!("tel:{number}");
        if !d
            .dir
            .search(
                &crate::directory::Dn::root(),
                crate::directory::Scope::Subtree,
                &crate::directory::Filter::eq(attrs::MSRTCSIP_LINE, &line),
                &[],
            )?
            .is_empty()
        {
            continue; // the contact's own check follows
        }
        let req = TraceRequest {
            to: number.clone(),
            scenario: super::Scenario::Direct,
            ..TraceRequest::default()
        };
        let cx = run.context(d, um, &req);
        let trace = super::offline::trace_target(cx, &TargetSpec::Number(number.clone()))?;
        let object = format!("{number} ({})", who.join(", "));
        add_trace(report, "number", &object, &trace);
    }
    Ok(())
}

/// What the traces of one run (or one part of it) share: the domain, the outside caller and
/// the [`Shared`] answers.
struct PerRun {
    domain: String,
    caller: Caller,
    shared: Shared,
}

impl PerRun {
    fn new(d: &Deployment<'_>) -> Result<PerRun, TraceError> {
        let domain = dns_name(&d.dir.naming_contexts()?.default);
        let caller = resolve_caller(d.dir, &d.org, None, &domain)?;
        Ok(PerRun {
            domain,
            caller,
            shared: Shared::default(),
        })
    }

    /// The context of one object's trace (doctor's: no SIP ladder, shared answers).
    fn context<'a>(
        &'a self,
        d: &'a Deployment<'a>,
        um: &'a UmContext<'a>,
        req: &'a TraceRequest,
    ) -> Ctx<'a, Snapshot<'a>> {
        Ctx {
            dir: d.dir,
            org: &d.org,
            domain: &self.domain,
            req,
            um,
            caller: &self.caller,
            ladder: false,
            shared: Some(&self.shared),
        }
    }
}

/// A trace's failure as a finding (or the object marked as checked).
fn add_trace(report: &mut Report, kind: &str, object: &str, trace: &Trace) {
    let failed = trace.hops.iter().find(|h| h.outcome == Outcome::Failed);
    match failed {
        Some(h) => report.push(Finding {
            cause: h.cause.unwrap_or("call-fails").to_string(),
            kind: kind.to_string(),
            object: object.to_string(),
            hop: Some(h.number),
            why: h.why.clone().unwrap_or_else(|| h.result.clone()),
            fix: h.fix.clone().unwrap_or_default(),
            warning: false,
        }),
        None => report.mark(kind, object, None),
    }
}

/// Every user with a Skype for Business address and every Exchange UM contact: the trace of
/// a call to it, and the EUM checks that a working call does not show. The recipients are
/// split between the machine's cores (each part with its own [`Shared`] answers); the parts'
/// findings are joined in the order of the recipients.
fn check_recipients(
    d: &Deployment<'_>,
    um: &UmContext<'_>,
    report: &mut Report,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<(), TraceError> {
    let all = d.dir.recipients();
    let total = all.len();
    let holders = sip_address_holders(all);
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .clamp(1, 8);
    let size = total.div_ceil(threads).max(1);
    let done = AtomicUsize::new(0);
    let parts = std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .chunks(size)
            .map(|part| {
                let (holders, done) = (&holders, &done);
                scope.spawn(move || check_part(d, um, part, holders, done))
            })
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            progress(Progress {
                stage: "users and contacts",
                done: done.load(Ordering::Relaxed),
                total,
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect::<Vec<_>>()
    });
    for part in parts {
        let part = part?;
        report.findings.extend(part.findings);
        report.checked.extend(part.checked);
    }
    progress(Progress {
        stage: "users and contacts",
        done: total,
        total,
    });
    Ok(())
}

/// [`check_recipients`] for one part of the recipients.
fn check_part(
    d: &Deployment<'_>,
    um: &UmContext<'_>,
    part: &[Entry],
    sip_holders: &HashMap<String, Vec<String>>,
    done: &AtomicUsize,
) -> Result<Report, TraceError> {
    let mut report = Report::default();
    let report = &mut report;
    let run = PerRun::new(d)?;
    for (i, e) in part.iter().enumerate() {
        if i % 256 == 255 {
            done.fetch_add(256, Ordering::Relaxed);
        }
        let Some(sip) = e.first(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS) else {
            continue;
        };
        let is_user = e.has_object_class(attrs::OC_USER);
        if !is_user && !ExUmContact::is_ex_um_contact(e) {
            continue;
        }
        let kind = if is_user { "user" } else { "contact" };
        let object = recipient_name(e, sip);
        if let Some(names) = sip_holders
            .get(&sip.to_ascii_lowercase())
            .filter(|n| n.len() > 1)
        {
            let f =
                fix::shared_address(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, sip, &names.join(", "));
            report.push(Finding::new(kind, &object, Some(1), f));
            continue;
        }
        let req = TraceRequest {
            to: sip.to_string(),
            ..TraceRequest::default()
        };
        let cx = run.context(d, um, &req);
        let trace = if is_user {
            let user = UmUser::from_entry(e).map_err(lookup::LookupError::from)?;
            let eum_checks = user_eum_checks(&user, &d.dial_plans);
            let found = Found {
                callee: Callee::User(Box::new(user)),
                matched: format!("{}={sip}", attrs::MSRTCSIP_PRIMARY_USER_ADDRESS),
                number_owner: None,
            };
            let trace = trace_found(cx, found)?;
            add_trace(report, kind, &object, &trace);
            for f in eum_checks {
                report.push(Finding::new(kind, &object, None, f));
            }
            continue;
        } else {
            let contact = ContactTarget::from_entry(e);
            let owner = match Callee::Contact(Box::new(contact.clone())).line_uri() {
                Some(l) => number_owner(d.dir, &d.org, &l.number)?,
                None => None,
            };
            let found = Found {
                callee: Callee::Contact(Box::new(contact)),
                matched: format!("{}={sip}", attrs::MSRTCSIP_PRIMARY_USER_ADDRESS),
                number_owner: owner,
            };
            trace_found(cx, found)?
        };
        add_trace(report, kind, &object, &trace);
    }
    Ok(std::mem::take(report))
}

/// Who holds each SIP address (lowercase), by name.
fn sip_address_holders(recipients: &[Entry]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for e in recipients {
        if let Some(sip) = e.first(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS) {
            out.entry(sip.to_ascii_lowercase())
                .or_default()
                .push(e.first(attrs::DISPLAY_NAME).unwrap_or(sip).to_string());
        }
    }
    out
}

/// A user by UPN (what the cmdlets take), a contact by its SIP address.
fn recipient_name(e: &Entry, sip: &str) -> String {
    match e.first(attrs::USER_PRINCIPAL_NAME) {
        Some(upn) if e.has_object_class(attrs::OC_USER) => upn.to_string(),
        _ => sip.to_string(),
    }
}

/// The findings of `doctor --tls`: each listener is a checked `certificate`, each problem
/// of the certificate it offered (or no handshake at all, naming the address) a finding
/// with the check's why and fix; expiry within 30 days is a warning.
pub fn push_tls(report: &mut Report, listeners: &[Listener], checks: &[CertificateCheck]) {
    for (l, check) in listeners.iter().zip(checks) {
        let object = l.name();
        report.mark("certificate", &object, None);
        for f in &check.findings {
            let fx = if f.kind == FindingKind::Unreachable {
                fix::tls_unreachable(&l.server, l.stage == Stage::CallRouter, f.why.clone())
            } else {
                Fix {
                    cause: f.kind.cause(),
                    why: f.why.clone(),
                    fix: f.fix.clone(),
                }
            };
            report.push(Finding {
                warning: f.severity == Severity::Warn,
                ..Finding::new("certificate", &object, None, fx)
            });
        }
    }
}

/// The EUM checks of a UM-enabled user in its linked dial plan: the address forms fit the
/// dial plan's URI type, and the line URI's extension is an EUM extension.
pub fn user_eum_checks(user: &UmUser, dial_plans: &[DialPlan]) -> Vec<Fix> {
    let mut out = Vec::new();
    if !user.um_enabled || user.eum_addresses.is_empty() {
        return out;
    }
    let Some(dp) = user
        .dial_plan
        .as_ref()
        .and_then(|l| dial_plans.iter().find(|d| d.dn == *l))
    else {
        return out;
    };
    let mine: Vec<_> = user
        .eum_addresses
        .iter()
        .filter(|a| a.in_context(&dp.phone_context))
        .collect();
    if mine.is_empty() {
        return out; // in another dial plan: the trace names that
    }
    let fits = if dp.is_sip() {
        mine.iter().any(|a| a.is_sip())
    } else {
        !mine.iter().any(|a| a.is_sip())
    };
    if !fits {
        out.push(fix::eum_form_mismatch(user, dp));
    }
    if let Some(ext) = user.line_uri.as_ref().and_then(|l| l.ext.as_deref()) {
        if !mine.iter().any(|a| a.is_extension() && a.address == ext) {
            out.push(fix::line_eum_mismatch(user, ext, dp));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn finding(cause: &str, object: &str) -> Finding {
        Finding {
            cause: cause.into(),
            kind: "user".into(),
            object: object.into(),
            hop: Some(4),
            why: format!("why {object}"),
            fix: format!("fix {object}"),
            warning: false,
        }
    }

    #[test]
    fn groups_count_name_the_first_few_and_sort_largest_first() {
        let mut r = Report::default();
        for o in ["a", "b", "c", "d"] {
            r.push(finding("rtc-read-denied", o));
        }
        r.push(finding("sip-disabled", "k"));
        r.mark("user", "ok-user", None);
        let g = r.groups();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].cause, "rtc-read-denied");
        assert_eq!(g[0].count, 4);
        assert_eq!(g[0].objects, ["a", "b", "c"]);
        assert_eq!(g[0].fix, "fix a");
        assert_eq!(r.totals()["user"], (6, 5));
        assert!(r.broken());
        assert!(!Report::default().broken());
    }

    #[test]
    fn tls_findings_name_the_listener_and_an_expiring_certificate_only_warns() {
        let listener = |server: &str, stage| Listener {
            server: server.into(),
            stage,
            fqdn: format!("{}.contoso.com", server.to_ascii_lowercase()),
            addr: Ok("127.0.20.1:5061".parse().unwrap()),
        };
        let check = |kind, severity| CertificateCheck {
            dialled: "ex-cas01.contoso.com".into(),
            offered: None,
            findings: vec![crate::um::certificate::Finding {
                kind,
                severity,
                why: "why".into(),
                fix: "fix".into(),
            }],
        };
        let mut r = Report::default();
        push_tls(
            &mut r,
            &[listener("EX-CAS01", Stage::CallRouter)],
            &[check(FindingKind::ExpiresSoon, Severity::Warn)],
        );
        assert_eq!(r.findings[0].cause, "certificate-expires-soon");
        assert_eq!(
            r.findings[0].object,
            "EX-CAS01 UM call router at 127.0.20.1:5061"
        );
        assert!(r.findings[0].warning);
        assert!(!r.broken());
        push_tls(
            &mut r,
            &[listener("EX-MBX01", Stage::UmService)],
            &[check(FindingKind::Unreachable, Severity::Fail)],
        );
        assert!(r.broken());
        assert_eq!(r.findings[1].cause, "tls-unreachable");
        assert!(r.findings[1]
            .fix
            .contains("Set-UMService -Identity EX-MBX01 -UMStartupMode Dual"));
    }

    /// The directory under test, counting what doctor asks it.
    struct Counting<'a> {
        inner: &'a dyn Directory,
        asked: AtomicUsize,
    }

    impl Directory for Counting<'_> {
        fn describe(&self) -> String {
            self.inner.describe()
        }
        fn naming_contexts(&self) -> crate::directory::Result<crate::directory::NamingContexts> {
            self.inner.naming_contexts()
        }
        fn search(
            &self,
            base: &crate::directory::Dn,
            scope: crate::directory::Scope,
            filter: &crate::directory::Filter,
            attrs: &[&str],
        ) -> crate::directory::Result<Vec<Entry>> {
            self.asked.fetch_add(1, Ordering::Relaxed);
            self.inner.search(base, scope, filter, attrs)
        }
        fn read_security(
            &self,
            dn: &crate::directory::Dn,
        ) -> crate::directory::Result<Option<crate::directory::SecurityDescriptor>> {
            self.asked.fetch_add(1, Ordering::Relaxed);
            self.inner.read_security(dn)
        }
        fn add(&self, entry: Entry) -> crate::directory::Result<()> {
            self.inner.add(entry)
        }
        fn modify(
            &self,
            dn: &crate::directory::Dn,
            mods: &[crate::directory::Modification],
        ) -> crate::directory::Result<()> {
            self.inner.modify(dn, mods)
        }
        fn delete(&self, dn: &crate::directory::Dn) -> crate::directory::Result<()> {
            self.inner.delete(dn)
        }
        fn write_dacl(
            &self,
            dn: &crate::directory::Dn,
            dacl: &crate::directory::Acl,
        ) -> crate::directory::Result<()> {
            self.inner.write_dacl(dn, dacl)
        }
    }

    /// The built-in forest plus `n` UM-enabled Skype users in LOC801, like the bench's.
    fn forest_with_users(n: usize) -> String {
        let ou = "OU=Many,DC=contoso,DC=com";
        let mut ldif = crate::directory::lab::seed::FOREST.to_string();
        ldif.push_str(&format!(
            "\ndn: {ou}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Many\n"
        ));
        for i in 0..n {
            ldif.push_str(&format!(
                "\ndn: CN=U{i},{ou}\nobjectClass: top\nobjectClass: person\n\
                 objectClass: organizationalPerson\nobjectClass: user\ncn: U{i}\n\
                 sAMAccountName: u{i}\nmail: u{i}@contoso.com\n\
                 objectSid: S-1-5-21-1-2-3-{rid}\n\
                 proxyAddresses: eum:{ext};phone-context=LOC801.contoso.com\n\
                 proxyAddresses: eum:u{i}@contoso.com;phone-context=LOC801.contoso.com\n\
                 msRTCSIP-PrimaryUserAddress: sip:u{i}@contoso.com\nmsRTCSIP-UserEnabled: TRUE\n\
                 msRTCSIP-Line: tel:+96265{ext};ext={ext}\n\
                 msRTCSIP-PrimaryHomeServer: CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com\n\
                 msExchUMEnabledFlags: 831\n\
                 msExchUMRecipientDialPlanLink: CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com\n\
                 msExchUMTemplateLink: CN=LOC801 Default Policy,CN=UM Mailbox Policies,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com\n\
                 msExchHomeServerName: /o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EX-MBX01\n",
                rid = 200_000 + i,
                ext = 1_000_000 + i,
            ));
        }
        ldif
    }

    /// How many times doctor asks the directory, with `n` extra users, and how many of them
    /// it checked (each without a finding when `granted`).
    fn asked_with(n: usize, granted: bool) -> (usize, usize) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("lab");
        crate::directory::lab::LabDirectory::import(&root, forest_with_users(n).as_bytes(), "t")
            .unwrap();
        let lab = crate::directory::lab::LabDirectory::open(&root).unwrap();
        // After the grant every user's call goes through all eight hops; before it, each
        // fails at the read-permission hop, with its fix.
        if granted {
            use crate::admin::grant::{apply, discover, plan, GrantOptions};
            let opts = GrantOptions::default();
            let grant = plan(&discover(&lab, &opts).unwrap(), &opts).unwrap();
            apply(&lab, &grant, &mut |_| {}).unwrap();
        }
        let dir = Counting {
            inner: &lab,
            asked: AtomicUsize::new(0),
        };
        let um = UmContext {
            hosts: None,
            mailboxes: None,
        };
        let report = run(&dir, &um, &mut |_| {}).unwrap();
        let users = report.checked.iter().filter(|c| c.kind == "user");
        let many = users
            .filter(|c| c.object.starts_with("sip:u"))
            .collect::<Vec<_>>();
        assert!(
            many.iter().all(|c| c.causes.is_empty() == granted),
            "{many:?}"
        );
        (dir.asked.load(Ordering::Relaxed), many.len())
    }

    #[test]
    fn doctor_asks_the_directory_as_often_for_200_users_as_for_20() {
        for granted in [true, false] {
            let (few, few_users) = asked_with(20, granted);
            let (many, many_users) = asked_with(200, granted);
            assert_eq!((few_users, many_users), (20, 200));
            assert_eq!(
                many, few,
                "searches and descriptor reads grew with the users (granted: {granted})"
            );
        }
    }
}
