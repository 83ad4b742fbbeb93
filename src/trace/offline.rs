//! The offline trace: the eight hops of a voice-mail, Outlook Voice Access or auto-attendant
//! call, predicted from the directory with the same functions the live endpoint runs
//! (`frontend` for the Skype side, `um::resolve_call` / `um::route_target` for Exchange's).
//! Hop 6's SIP messages are built with rsip and answered by those functions, exactly as
//! `umctl serve` would answer them. The first hop that fails stops the trace; the hops after
//! it are listed as skipped.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use crate::directory::lookup;
use crate::directory::model::{
    attrs, AutoAttendant, ContactKind, DialPlan, Dn, ExUmContact, ExchangeOrg, ExchangeServer,
    HuntGroup, IpGateway, Pool, UmUser,
};
use crate::directory::Directory;
use crate::frontend::routing::{contact_kind_name, GroupAccess, PermissionCheck, ServerChoice};
use crate::frontend::{
    build_invite, dial_plan_for_in, follow_redirect, must_be_unique, read_permission,
    resolve_target, um_servers, Callee, DialPlanProblem, DialPlanVia, Found, FrontendError,
    InviteSpec, NumberOwner, TargetLookup, TargetSpec,
};
use rsip::headers::UntypedHeader;

use crate::sip::response_to;
use crate::um::caller::identify_caller;
use crate::um::recipient::{self, MwiTargets};
use crate::um::router::CALL_ROUTER_PORTS;
use crate::um::{
    admit, resolve_admitted, resolve_call, route_target, Admitted, CallAnswering, Greeting,
    IncomingCall, Rejection, Resolution, Routing, Stage, UmContext,
};

use super::fix::{self, ContactPlace, Fix, RejectContext};
use super::{
    CallPlan, Component, Hop, Outcome, Party, Scenario, SipStep, Trace, TraceError, TraceRequest,
};

/// A caller from outside when `--from` is not given.
pub const OUTSIDE_CALLER: &str = "+14255550199";
/// How long the caller speaks when neither --message-seconds nor --wave-file says.
pub const DEFAULT_MESSAGE_SECONDS: u32 = 10;

/// What the call is meant to reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    VoiceMail,
    SubscriberAccess,
    AutoAttendant,
}

fn template(n: u8, kind: Kind, hang_up: bool) -> (Component, &'static str) {
    match n {
        1 => (Component::SkypeFrontEnd, "find who was called"),
        2 => (Component::SkypeFrontEnd, "hosted voice mail?"),
        3 => (Component::ActiveDirectory, "UM-enabled? which dial plan?"),
        4 => (
            Component::ActiveDirectory,
            "can the pool read the dial plan?",
        ),
        5 => (
            Component::SkypeFrontEnd,
            "pick the UM server; UM IP gateway, hunt group, TLS",
        ),
        6 => (Component::CasCallRouter, "INVITE, redirects and answer"),
        7 => match kind {
            Kind::VoiceMail => (Component::UmWorker, "EUM lookup, mailbox server, greeting"),
            Kind::SubscriberAccess => (Component::UmWorker, "Outlook Voice Access answers"),
            Kind::AutoAttendant => (Component::UmWorker, "the auto attendant answers"),
        },
        _ => match kind {
            Kind::VoiceMail if hang_up => (Component::Transport, "missed-call notification"),
            Kind::VoiceMail => (Component::Transport, "record and deliver the voice message"),
            _ => (Component::UmWorker, "the caller's session"),
        },
    }
}

struct Builder {
    hops: Vec<Hop>,
    kind: Kind,
    hang_up: bool,
}

impl Builder {
    fn hop(&mut self, n: u8, looked_up: Vec<String>, result: impl Into<String>, outcome: Outcome) {
        let (component, action) = template(n, self.kind, self.hang_up);
        self.hops.push(Hop {
            number: n,
            component,
            action: action.to_string(),
            looked_up,
            result: result.into(),
            outcome,
            why: None,
            fix: None,
            cause: None,
        });
    }

    fn ok(&mut self, n: u8, looked_up: Vec<String>, result: impl Into<String>) {
        self.hop(n, looked_up, result, Outcome::Ok);
    }

    /// Hop `n` failed; the rest are not reached.
    fn fail(&mut self, n: u8, looked_up: Vec<String>, result: impl Into<String>, f: Fix) {
        self.hop(n, looked_up, result, Outcome::Failed);
        if let Some(h) = self.hops.last_mut() {
            h.why = Some(f.why);
            h.fix = Some(f.fix);
            h.cause = Some(f.cause);
        }
        self.skip_rest(n + 1, "not reached");
    }

    fn skip_rest(&mut self, from: u8, why: &str) {
        for n in from..=8 {
            self.hop(n, Vec::new(), why, Outcome::Skipped);
        }
    }
}

/// The caller as the INVITE names it.
pub(crate) struct Caller {
    /// The From name-addr.
    from: String,
    /// A short name for reports.
    name: String,
    /// The phone context of the caller's dial plan (extensions are read in it).
    context: Option<String>,
}

/// `DC=contoso,DC=com` -> `contoso.com`.
pub(crate) fn dns_name(dn: &Dn) -> String {
    dn.rdns()
        .iter()
        .filter_map(|r| {
            let ava = r.avas().first()?;
            ava.attr
                .eq_ignore_ascii_case("DC")
                .then(|| ava.value.clone())
        })
        .collect::<Vec<_>>()
        .join(".")
}

pub(crate) fn resolve_caller<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    from: Option<&str>,
    domain: &str,
) -> Result<Caller, TraceError> {
    let outside = |number: &str| Caller {
        from: format!("<sip:{number}@{domain};user=phone>"),
        name: number.to_string(),
        context: None,
    };
    let Some(from) = from else {
        return Ok(outside(OUTSIDE_CALLER));
    };
    let spec = TargetSpec::parse(from).map_err(|_| TraceError::BadInput {
        what: "--from",
        value: from.to_string(),
        expected: "an extension, an E.164 number, a SIP URI or a user name".into(),
    })?;
    match resolve_target(dir, org, &spec, None)? {
        TargetLookup::Found(f) => {
            let name = f.callee.name();
            let uri = f
                .callee
                .sip_address()
                .map(str::to_string)
                .or_else(|| {
                    f.callee
                        .line_uri()
                        .map(|l| format!("sip:{}@{domain};user=phone", l.number))
                })
                .unwrap_or_else(|| format!("sip:{}@{domain}", name.replace(' ', ".")));
            let context = match &f.callee {
                Callee::User(u) => u.eum_addresses.first().map(|e| e.phone_context.clone()),
                Callee::Contact(c) => c.other_ip_phone.as_ref().map(|o| o.phone_context.clone()),
            };
            Ok(Caller {
                from: format!("\"{name}\" <{uri}>"),
                name,
                context,
            })
        }
        TargetLookup::NotFound { .. } => match spec {
            TargetSpec::Number(n) => Ok(outside(&n)),
            _ => Err(TraceError::BadInput {
                what: "--from",
                value: from.to_string(),
                expected:
                    "a user or contact in the directory, or an E.164 number for an outside caller"
                        .into(),
            }),
        },
    }
}

/// Every Skype for Business pool (the pools containers found by objectCategory), by cn.
pub(crate) fn all_pools<D: Directory + ?Sized>(dir: &D) -> Result<Vec<Pool>, TraceError> {
    let containers = lookup::by_filter(
        dir,
        &format!("({}={})", attrs::OBJECT_CATEGORY, attrs::OC_MSRTCSIP_POOLS),
    )?;
    let mut pools = Vec::new();
    for c in containers {
        for e in lookup::children(dir, &c.dn, attrs::OC_MSRTCSIP_POOL)? {
            if let Ok(p) = Pool::from_entry(&e) {
                pools.push(p);
            }
        }
    }
    pools.sort_by(|a, b| a.cn.cmp(&b.cn));
    Ok(pools)
}

/// The first Lync 2010+ pool with an FQDN (for fix suggestions).
fn first_pool<D: Directory + ?Sized>(dir: &D) -> Result<Option<String>, TraceError> {
    Ok(all_pools(dir)?
        .into_iter()
        .find(|p| p.fqdn.is_some() && p.is_lync2010_or_newer())
        .and_then(|p| p.fqdn))
}

/// The OU a new Exchange UM contact belongs in: where the directory's existing Exchange UM
/// contacts live (the most common parent), else `None` (the fix then names a placeholder).
fn existing_contacts_ou<D: Directory + ?Sized>(dir: &D) -> Result<Option<String>, TraceError> {
    let base = dir.naming_contexts()?.default;
    let found = dir.search(
        &base,
        crate::directory::Scope::Subtree,
        &ExUmContact::search_filter(),
        &[attrs::OBJECT_CLASS],
    )?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for e in &found {
        let Some(parent) = e.dn.parent() else {
            continue;
        };
        let parent = parent.to_string();
        match counts.iter_mut().find(|(p, _)| *p == parent) {
            Some((_, n)) => *n += 1,
            None => counts.push((parent, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counts.into_iter().next().map(|(p, _)| p))
}

/// Answers that depend on the dial plan and the pool, not on the callee: `umctl doctor`
/// works them out once per run and hands them to every object's hops (a single trace asks
/// the directory each time). Nothing in it outlives one read-only run.
#[derive(Default)]
pub struct Shared {
    routes: RefCell<HashMap<RouteKey, Rc<Route>>>,
    admissions: RefCell<HashMap<AdmitKey, Rc<Result<Admitted, Rejection>>>>,
    gateways: OnceCell<Rc<Vec<IpGateway>>>,
    hunt_groups: RefCell<HashMap<Dn, Rc<Vec<HuntGroup>>>>,
    pools: RefCell<HashMap<Dn, Option<Pool>>>,
    servers: OnceCell<Rc<Vec<ExchangeServer>>>,
    pool: OnceCell<Option<String>>,
    contacts_ou: OnceCell<Option<String>>,
    dial_plans: OnceCell<Rc<Vec<DialPlan>>>,
}

/// The servers of a dial plan and the RTC groups' read access to what a call needs.
type Route = (ServerChoice, PermissionCheck);
/// A dial plan and the auto attendant a call is for.
type RouteKey = (Dn, Option<Dn>);
/// The pool (lowercase), the Request-URI user and whether the INVITE comes over TLS.
type AdmitKey = (String, String, bool);

/// What every hop reads: the directory, the request and the caller, and for `umctl doctor`
/// the [`Shared`] answers.
pub(crate) struct Ctx<'a, D: Directory + ?Sized> {
    pub dir: &'a D,
    pub org: &'a ExchangeOrg,
    pub domain: &'a str,
    pub req: &'a TraceRequest,
    pub um: &'a UmContext<'a>,
    pub caller: &'a Caller,
    /// Hop 6 as the three SIP exchanges with their messages (a trace), or only the call
    /// router's verdict, which the UM service and worker repeat (doctor).
    pub ladder: bool,
    pub shared: Option<&'a Shared>,
}

impl<D: Directory + ?Sized> Ctx<'_, D> {
    fn some_pool(&self) -> Result<Option<String>, TraceError> {
        match self.shared {
            Some(s) => memo_once(&s.pool, || first_pool(self.dir)),
            None => first_pool(self.dir),
        }
    }

    fn contacts_ou(&self) -> Result<Option<String>, TraceError> {
        match self.shared {
            Some(s) => memo_once(&s.contacts_ou, || existing_contacts_ou(self.dir)),
            None => existing_contacts_ou(self.dir),
        }
    }

    // The lists below are shared (`Rc`), not copied, for each object doctor checks.

    fn dial_plans(&self) -> Result<Rc<Vec<DialPlan>>, TraceError> {
        let read = || Ok(Rc::new(lookup::dial_plans(self.dir, self.org)?));
        match self.shared {
            Some(s) => memo_once(&s.dial_plans, read),
            None => read(),
        }
    }

    fn exchange_servers(&self) -> Result<Rc<Vec<ExchangeServer>>, TraceError> {
        let read = || Ok(Rc::new(lookup::exchange_servers(self.dir, self.org)?));
        match self.shared {
            Some(s) => memo_once(&s.servers, read),
            None => read(),
        }
    }

    fn gateways(&self) -> Result<Rc<Vec<IpGateway>>, TraceError> {
        let read = || Ok(Rc::new(lookup::gateways(self.dir, self.org)?));
        match self.shared {
            Some(s) => memo_once(&s.gateways, read),
            None => read(),
        }
    }

    fn hunt_groups(&self, gateway: &Dn) -> Result<Rc<Vec<HuntGroup>>, TraceError> {
        let read =
            || -> Result<_, TraceError> { Ok(Rc::new(lookup::hunt_groups(self.dir, gateway)?)) };
        let Some(s) = self.shared else {
            return read();
        };
        if let Some(found) = s.hunt_groups.borrow().get(gateway) {
            return Ok(Rc::clone(found));
        }
        let found = read()?;
        s.hunt_groups
            .borrow_mut()
            .insert(gateway.clone(), Rc::clone(&found));
        Ok(found)
    }

    /// The pool `dn` names (a callee's home pool).
    fn pool(&self, dn: &Dn) -> Result<Option<Pool>, TraceError> {
        let Some(s) = self.shared else {
            return Ok(lookup::pool(self.dir, dn)?);
        };
        if let Some(found) = s.pools.borrow().get(dn) {
            return Ok(found.clone());
        }
        let found = lookup::pool(self.dir, dn)?;
        s.pools.borrow_mut().insert(dn.clone(), found.clone());
        Ok(found)
    }

    /// The servers of `dp` and whether the pool's RTC groups can read what the call needs.
    fn route(&self, dp: &DialPlan, aa: Option<&AutoAttendant>) -> Result<Rc<Route>, TraceError> {
        let work = || -> Result<_, TraceError> {
            let servers = um_servers(self.dir, self.org, dp)?;
            let perm = read_permission(self.dir, self.org, dp, aa, &servers.linked)?;
            Ok(Rc::new((servers, perm)))
        };
        let Some(s) = self.shared else {
            return work();
        };
        let key = (dp.dn.clone(), aa.map(|a| a.dn.clone()));
        if let Some(found) = s.routes.borrow().get(&key) {
            return Ok(Rc::clone(found));
        }
        let found = work()?;
        s.routes.borrow_mut().insert(key, Rc::clone(&found));
        Ok(found)
    }

    /// Exchange's admission of an INVITE from `pool` for `user` (`um::admit`).
    fn admit(
        &self,
        pool: &str,
        user: &str,
        secure: bool,
    ) -> Result<Rc<Result<Admitted, Rejection>>, TraceError> {
        let work = || -> Result<_, TraceError> {
            Ok(Rc::new(admit(
                self.dir, self.org, pool, user, secure, self.um,
            )?))
        };
        let Some(s) = self.shared else {
            return work();
        };
        let key = (pool.to_ascii_lowercase(), user.to_string(), secure);
        if let Some(found) = s.admissions.borrow().get(&key) {
            return Ok(Rc::clone(found));
        }
        let found = work()?;
        s.admissions.borrow_mut().insert(key, Rc::clone(&found));
        Ok(found)
    }

    /// What Exchange does with `call` (`um::resolve_call`); in a doctor run, with the
    /// admission and the Exchange servers it already has (`um::resolve_admitted`), when the
    /// call is the one [`Self::admit`] admits (from the pool, its certificate naming it).
    fn resolve(&self, call: &IncomingCall) -> Result<Resolution, TraceError> {
        let admitted_as_admit = match &call.peer_names {
            None => !call.secure,
            Some(names) => call.secure && names.len() == 1 && names[0] == call.source,
        };
        if self.shared.is_none() || !admitted_as_admit {
            return Ok(resolve_call(self.dir, call, self.um)?);
        }
        let user = call.request_user.as_deref().unwrap_or_default();
        let admitted = self.admit(&call.source, user, call.secure)?;
        let servers = self.exchange_servers()?;
        Ok(resolve_admitted(
            self.dir, self.org, call, &admitted, &servers, self.um,
        )?)
    }
}

impl<D: Directory + ?Sized> Ctx<'_, D> {
    /// Where `user`'s MWI goes (`um::recipient`); in a doctor run, chosen among the dial plans,
    /// gateways and hunt groups it already has (a list that cannot be read falls back to the
    /// directory, whose error the line then names).
    fn mwi_targets(&self, user: &UmUser) -> Result<MwiTargets, String> {
        let from_directory = || recipient::mwi_targets(self.dir, user);
        if self.shared.is_none() {
            return from_directory();
        }
        let read = || -> Result<_, TraceError> {
            let gateways = self.gateways()?;
            let mut groups = Vec::with_capacity(gateways.len());
            for gw in gateways.iter() {
                groups.push(self.hunt_groups(&gw.dn)?);
            }
            Ok((self.dial_plans()?, gateways, groups))
        };
        let Ok((plans, gateways, groups)) = read() else {
            return from_directory();
        };
        let plan = match &user.dial_plan {
            Some(dn) => match plans.iter().find(|p| p.dn == *dn) {
                Some(p) => Some(p),
                // Not among the organization's dial plans: ask the directory.
                None => return from_directory(),
            },
            None => None,
        };
        let among = gateways.iter().zip(groups.iter().map(|g| g.as_slice()));
        recipient::mwi_targets_among(user, plan, among)
    }
}

fn memo_once<T: Clone>(
    cell: &OnceCell<T>,
    work: impl FnOnce() -> Result<T, TraceError>,
) -> Result<T, TraceError> {
    if let Some(v) = cell.get() {
        return Ok(v.clone());
    }
    let v = work()?;
    Ok(cell.get_or_init(|| v).clone())
}

/// Runs the trace on the directory.
pub fn trace_offline<D: Directory + ?Sized>(
    dir: &D,
    req: &TraceRequest,
    ctx: &UmContext<'_>,
) -> Result<Trace, TraceError> {
    let org = lookup::organization(dir)?;
    let domain = dns_name(&dir.naming_contexts()?.default);
    let caller = resolve_caller(dir, &org, req.from.as_deref(), &domain)?;
    let spec = TargetSpec::parse(&req.to)?;
    let cx = Ctx {
        dir,
        org: &org,
        domain: &domain,
        req,
        um: ctx,
        caller: &caller,
        ladder: true,
        shared: None,
    };
    let mut run = Run::new(cx);
    if let Some(found) = run.hop1_find(&spec)? {
        run.after_found(found)?;
    }
    Ok(run.finish())
}

/// The trace of a callee already found (`umctl doctor` lists users and contacts itself):
/// the same hops as [`trace_offline`] from hop 1's checks on.
pub(crate) fn trace_found<D: Directory + ?Sized>(
    cx: Ctx<'_, D>,
    found: Found,
) -> Result<Trace, TraceError> {
    let mut run = Run::new(cx);
    run.after_found(found)?;
    Ok(run.finish())
}

/// The trace of `spec` in the context `cx` (`umctl doctor` traces OVA and auto-attendant
/// numbers with its shared answers).
pub(crate) fn trace_target<D: Directory + ?Sized>(
    cx: Ctx<'_, D>,
    spec: &TargetSpec,
) -> Result<Trace, TraceError> {
    let mut run = Run::new(cx);
    if let Some(found) = run.hop1_find(spec)? {
        run.after_found(found)?;
    }
    Ok(run.finish())
}

/// One trace in progress: the context, the hops so far and the trace being filled.
struct Run<'a, D: Directory + ?Sized> {
    cx: Ctx<'a, D>,
    b: Builder,
    trace: Trace,
}

/// Hop 1's answer: who is called and the pool that serves the call.
struct Homed {
    found: Found,
    who: String,
    sip: String,
    pool_fqdn: String,
    /// The auto attendant whose number the callee (a contact) carries.
    aa: Option<AutoAttendant>,
}

/// Hop 5's answer: the INVITE the Front End sends.
struct Placed {
    spec: InviteSpec,
    secure: bool,
    /// The phone context of the user's linked dial plan (for the fixes).
    linked_context: Option<String>,
    gateway: Option<String>,
}

impl<'a, D: Directory + ?Sized> Run<'a, D> {
    fn new(cx: Ctx<'a, D>) -> Self {
        let req = cx.req;
        let trace = Trace {
            mode: "offline",
            target: req.to.clone(),
            caller: cx.caller.name.clone(),
            scenario: req.scenario,
            goal: format!("voice mail for {}", req.to),
            reached: false,
            first_failure: None,
            hops: Vec::new(),
            parties: vec!["-".into(); 4],
            messages: Vec::new(),
            live: None,
            plan: None,
            target_missing: false,
        };
        let b = Builder {
            hops: Vec::new(),
            kind: Kind::VoiceMail,
            hang_up: req.hang_up_before_beep,
        };
        Run { cx, b, trace }
    }

    fn finish(mut self) -> Trace {
        self.trace.hops = self.b.hops;
        self.trace.first_failure = self.trace.failure().map(|h| h.number);
        self.trace.reached = self.trace.first_failure.is_none();
        self.trace
    }

    /// Hops 2 to 8 after hop 1 found the callee.
    fn after_found(&mut self, found: Found) -> Result<(), TraceError> {
        let Some(h) = self.hop1_callee(found)? else {
            return Ok(());
        };
        if !self.hop2_hosted(&h) {
            return Ok(());
        }
        let Some(dp) = self.hop3_dial_plan(&h)? else {
            return Ok(());
        };
        let Some(route) = self.hop4_read(&h, &dp)? else {
            return Ok(());
        };
        let Some(placed) = self.hop5_admit(&h, &dp, &route.0)? else {
            return Ok(());
        };
        if let Some(resolution) = self.hop6_sip(&h, &placed)? {
            self.hop7_answer(&h, &resolution)?;
        }
        Ok(())
    }

    fn reject_context<'b>(&self, h: &'b Homed, p: &'b Placed) -> RejectContext<'b> {
        RejectContext {
            pool: &h.pool_fqdn,
            user: match &h.found.callee {
                Callee::User(u) => Some(u),
                Callee::Contact(_) => None,
            },
            linked_context: p.linked_context.as_deref(),
            auto_attendant: h.aa.as_ref().map(|a| a.name.as_str()),
            secure: p.secure,
            number: match &h.found.callee {
                Callee::Contact(_) => h.found.callee.line_uri().map(|l| l.number.as_str()),
                Callee::User(_) => None,
            },
            gateway: p.gateway.as_deref(),
        }
    }

    /// Hop 1, the lookup: who the target is. `None` when nobody is (the hop failed).
    fn hop1_find(&mut self, spec: &TargetSpec) -> Result<Option<Found>, TraceError> {
        let cx = &self.cx;
        let lookup = match resolve_target(cx.dir, cx.org, spec, cx.caller.context.as_deref()) {
            Ok(l) => l,
            Err(FrontendError::Ambiguous {
                attr,
                value,
                count,
                names,
            }) if must_be_unique(&attr) => {
                let f = fix::shared_address(&attr, &value, &names);
                self.b.fail(
                    1,
                    vec![format!("{attr}={value}: {count} objects ({names})")],
                    format!("{count} objects share {value}"),
                    f,
                );
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let (tried, number, number_owner) = match lookup {
            TargetLookup::Found(f) => return Ok(Some(*f)),
            TargetLookup::NotFound {
                tried,
                number,
                number_owner,
            } => (tried, number, number_owner),
        };
        if let Some(owner) = &number_owner {
            self.b.kind = match owner {
                NumberOwner::SubscriberAccess(_) => Kind::SubscriberAccess,
                NumberOwner::AutoAttendant(_) => Kind::AutoAttendant,
            };
            self.trace.goal = goal_for_owner(owner);
        }
        let f = match &number {
            Some(n) => {
                let pool = self.cx.some_pool()?;
                let ou = self.cx.contacts_ou()?;
                fix::number_without_contact(
                    n,
                    number_owner.as_ref(),
                    &ContactPlace {
                        pool: pool.as_deref(),
                        ou: ou.as_deref(),
                        domain: self.cx.domain,
                    },
                )
            }
            None => {
                self.trace.target_missing = true;
                fix::target_not_found(&self.cx.req.to, &tried)
            }
        };
        let looked = tried.iter().map(|t| format!("{t}: nothing")).collect();
        self.b.fail(1, looked, "no user or contact", f);
        Ok(None)
    }

    /// Hop 1, the checks: enabled for Skype, homed on a usable pool.
    fn hop1_callee(&mut self, found: Found) -> Result<Option<Homed>, TraceError> {
        let req = self.cx.req;
        let callee = &found.callee;
        let who = callee.name();
        let mut looked = vec![format!("{}: {who}", found.matched)];
        let aa: Option<AutoAttendant> = match &found.number_owner {
            Some(NumberOwner::AutoAttendant(aa)) => Some((**aa).clone()),
            _ => None,
        };
        match callee {
            Callee::User(_) => {
                if req.scenario == Scenario::Direct {
                    self.b.kind = Kind::SubscriberAccess;
                }
                self.trace.goal = match req.scenario {
                    Scenario::Direct => {
                        format!(
                            "Outlook Voice Access, called directly by {}",
                            self.cx.caller.name
                        )
                    }
                    _ => format!("voice mail for {who}"),
                };
            }
            Callee::Contact(c) => {
                self.b.kind = match (&found.number_owner, c.kind) {
                    (Some(NumberOwner::AutoAttendant(_)), _)
                    | (None, Some(ContactKind::AutoAttendant)) => Kind::AutoAttendant,
                    _ => Kind::SubscriberAccess,
                };
                self.trace.goal = match &found.number_owner {
                    Some(o) => goal_for_owner(o),
                    None => format!("{} contact {who}", contact_kind_name(c.kind)),
                };
                looked.push(match &c.other_ip_phone {
                    Some(o) => format!("{}: {o}", attrs::OTHER_IP_PHONE),
                    None => format!("{}: (none)", attrs::OTHER_IP_PHONE),
                });
            }
        }
        if let Some(line) = callee.line_uri() {
            looked.push(format!("{}: {line}", attrs::MSRTCSIP_LINE));
        }
        if !callee.sip_enabled() || callee.sip_address().is_none() {
            let pool = self.cx.some_pool()?;
            let f = match callee {
                Callee::User(u) => fix::not_sip_enabled(u, pool.as_deref()),
                Callee::Contact(c) => fix::contact_disabled(c),
            };
            self.b.fail(
                1,
                looked,
                format!("{who} is not enabled for Skype for Business"),
                f,
            );
            return Ok(None);
        }
        let home = callee.home_pool().cloned();
        let pool = match &home {
            Some(dn) => self.cx.pool(dn)?,
            None => None,
        };
        let id = match callee {
            Callee::User(u) => fix::identity(u),
            Callee::Contact(c) => c.dn.to_string(),
        };
        let Some((pool, pool_fqdn)) = pool.and_then(|p| p.fqdn.clone().map(|f| (p, f))) else {
            let suggestion = self.cx.some_pool()?;
            let f = fix::no_home_pool(
                &id,
                home.as_ref().map(ToString::to_string).as_deref(),
                suggestion.as_deref(),
                matches!(callee, Callee::User(_)),
            );
            self.b
                .fail(1, looked, format!("{who} has no usable home pool"), f);
            return Ok(None);
        };
        looked.push(format!(
            "{}: {} ({pool_fqdn})",
            attrs::MSRTCSIP_PRIMARY_HOME_SERVER,
            pool.cn
        ));
        if matches!(callee, Callee::Contact(_)) && !pool.is_lync2010_or_newer() {
            let suggestion = self.cx.some_pool()?;
            let f = fix::contact_pool_too_old(&id, &pool_fqdn, suggestion.as_deref());
            self.b.fail(
                1,
                looked,
                format!("{who} is homed on {pool_fqdn}, older than Lync Server 2010"),
                f,
            );
            return Ok(None);
        }
        self.trace.parties[Party::SkypeFrontEnd.index()] = pool_fqdn.clone();
        let pool_version = pool.version.map(|v| format!(", {v}")).unwrap_or_default();
        let sip = callee.sip_address().unwrap_or_default().to_string();
        let what = match callee {
            Callee::User(_) => format!("user {who} ({sip})"),
            Callee::Contact(c) => format!("{} contact {who} ({sip})", contact_kind_name(c.kind)),
        };
        self.b.ok(
            1,
            looked,
            format!("{what}, homed on {pool_fqdn} ({}{pool_version})", pool.cn),
        );
        Ok(Some(Homed {
            found,
            who,
            sip,
            pool_fqdn,
            aa,
        }))
    }

    /// Hop 2: hosted voice mail. False when the call goes there (the hop failed).
    fn hop2_hosted(&mut self, h: &Homed) -> bool {
        let callee = &h.found.callee;
        let vm = callee.voice_mail_settings();
        let vm_values = vm.to_values();
        let looked = vec![format!(
            "{}: {}",
            attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS,
            if vm_values.is_empty() {
                "(not set)".to_string()
            } else {
                vm_values.join(", ")
            }
        )];
        if vm.is_hosted() {
            let (id, is_user) = match callee {
                Callee::User(u) => (fix::identity(u), true),
                Callee::Contact(c) => (c.dn.to_string(), false),
            };
            let f = fix::hosted_voice_mail(&h.who, &id, &vm_values, is_user);
            self.b.fail(
                2,
                looked,
                "would go to hosted voice mail (the hosted voice mail policy's destination, Exchange Online)",
                f,
            );
            return false;
        }
        self.b.ok(2, looked, "not hosted: on-premises Exchange UM");
        true
    }

    /// Hop 3: UM-enabled, and which dial plan.
    fn hop3_dial_plan(&mut self, h: &Homed) -> Result<Option<DialPlan>, TraceError> {
        let callee = &h.found.callee;
        let user = match callee {
            Callee::User(u) => Some(u.as_ref()),
            Callee::Contact(_) => None,
        };
        let mut looked = user.map(user_looked_up).unwrap_or_default();
        let known = match self.cx.shared {
            Some(_) => Some(self.cx.dial_plans()?),
            None => None,
        };
        let choice = match dial_plan_for_in(
            self.cx.dir,
            self.cx.org,
            callee,
            known.as_deref().map(Vec::as_slice),
        )? {
            Ok(c) => c,
            Err(problem) => {
                let (result, f) = self.dial_plan_problem(h, &problem)?;
                self.b.fail(3, looked, result, f);
                return Ok(None);
            }
        };
        let dp = choice.dial_plan.clone();
        looked.push(match &choice.via {
            DialPlanVia::Eum(e) => format!("dial plan by EUM phone context {}", e.phone_context),
            DialPlanVia::RecipientLink(_) => {
                "dial plan by msExchUMRecipientDialPlanLink (no EUM proxy address)".into()
            }
            DialPlanVia::OtherIpPhone(o) => {
                format!(
                    "dial plan by otherIPPhone phone context {}",
                    o.phone_context
                )
            }
        });
        if let Some(aa) = &h.aa {
            looked.push(format!(
                "{}={}: auto attendant {} ({})",
                attrs::MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS,
                callee
                    .line_uri()
                    .map(|l| l.number.clone())
                    .unwrap_or_default(),
                aa.name,
                if aa.enabled { "enabled" } else { "disabled" }
            ));
        }
        let mut result = format!(
            "dial plan {} (SIP URI, {}-digit extensions, phone context {}, {:?})",
            dp.name, dp.digits, dp.phone_context, dp.voip_security
        );
        if let Some(link) = &choice.link_differs {
            result.push_str(&format!(
                "; note: msExchUMRecipientDialPlanLink says {}",
                link.rdn_value().unwrap_or_default()
            ));
        }
        self.b.ok(3, looked, result);
        Ok(Some(dp))
    }

    /// Hop 3's failure: the result line and the fix.
    fn dial_plan_problem(
        &self,
        h: &Homed,
        problem: &DialPlanProblem,
    ) -> Result<(String, Fix), TraceError> {
        let callee = &h.found.callee;
        let who = &h.who;
        let user = match callee {
            Callee::User(u) => Some(u.as_ref()),
            Callee::Contact(_) => None,
        };
        let dial_plans = self.cx.dial_plans()?;
        let ext_len = callee
            .line_uri()
            .and_then(|l| l.ext.as_ref().map(String::len))
            .unwrap_or(0);
        let sip_dp = fix::guess_dial_plan(&dial_plans, ext_len);
        Ok(match (problem, user, callee) {
            (DialPlanProblem::NotUmEnabled { flags }, Some(u), _) => (
                format!("{who} is not UM-enabled"),
                fix::not_um_enabled(u, *flags, &sip_dp),
            ),
            (DialPlanProblem::NoDialPlan, Some(u), _) => {
                ("no dial plan".to_string(), fix::no_dial_plan(u, &sip_dp))
            }
            (DialPlanProblem::ContactWithoutDialPlan, _, Callee::Contact(c)) => {
                let ctx = match &h.found.number_owner {
                    Some(NumberOwner::SubscriberAccess(dp)) => Some(dp.phone_context.clone()),
                    Some(NumberOwner::AutoAttendant(aa)) => {
                        lookup::read_as(self.cx.dir, &aa.dial_plan, DialPlan::from_entry)?
                            .map(|d| d.phone_context)
                    }
                    None => None,
                };
                let kind = if self.b.kind == Kind::AutoAttendant {
                    "AA"
                } else {
                    "SA"
                };
                (
                    "the contact names no dial plan".to_string(),
                    fix::contact_without_dial_plan(c, ctx.as_deref(), kind),
                )
            }
            (
                DialPlanProblem::UnknownPhoneContext {
                    phone_context,
                    from,
                },
                _,
                _,
            ) => (
                format!("no dial plan has phone context {phone_context}"),
                fix::unknown_phone_context(who, phone_context, from),
            ),
            (DialPlanProblem::MissingDialPlan { dn }, _, _) => (
                "the linked dial plan does not exist".to_string(),
                fix::missing_dial_plan(who, &dn.to_string()),
            ),
            (DialPlanProblem::NotSip { dial_plan }, _, _) => (
                format!("dial plan {} is not a SIP URI dial plan", dial_plan.name),
                fix::not_sip(
                    who,
                    user,
                    dial_plan,
                    &fix::guess_dial_plan(&dial_plans, usize::from(dial_plan.digits)),
                ),
            ),
            // A contact is never "not UM-enabled" or without a link: it has otherIPPhone.
            _ => (
                "no dial plan".to_string(),
                fix::missing_dial_plan(who, "(none)"),
            ),
        })
    }

    /// Hop 4: can the pool read the dial plan (and its servers, auto attendant).
    fn hop4_read(&mut self, h: &Homed, dp: &DialPlan) -> Result<Option<Rc<Route>>, TraceError> {
        let route = self.cx.route(dp, h.aa.as_ref())?;
        let perm = &route.1;
        let looked: Vec<String> = perm.groups.iter().map(group_looked_up).collect();
        if let Some((group, object)) = perm.first_denied() {
            let f = fix::read_denied(group, object, &dp.name);
            self.b.fail(
                4,
                looked,
                format!("the pool cannot read dial plan {}", dp.name),
                f,
            );
            return Ok(None);
        }
        self.b.ok(
            4,
            looked,
            format!(
                "the RTC groups can read dial plan {} and its servers",
                dp.name
            ),
        );
        Ok(Some(Rc::clone(&route)))
    }

    /// Hop 5: the UM server, the gateway and hunt group, the transport; Exchange's admission.
    fn hop5_admit(
        &mut self,
        h: &Homed,
        dp: &DialPlan,
        servers: &ServerChoice,
    ) -> Result<Option<Placed>, TraceError> {
        let linked: Vec<String> = servers.linked.iter().map(|s| s.name.clone()).collect();
        let mut looked = vec![format!(
            "{}={}: {}",
            attrs::MSEXCH_UM_SERVER_DIAL_PLAN_LINK,
            dp.name,
            if linked.is_empty() {
                "no server".into()
            } else {
                linked.join(", ")
            }
        )];
        let Some((target, cas_fqdn)) = self.hop5_server(dp, servers, &mut looked)? else {
            return Ok(None);
        };
        let request_user = match &h.found.callee {
            c @ Callee::Contact(_) => c.line_uri().map(|l| l.number.clone()).unwrap_or_default(),
            Callee::User(_) => dp.pilot_identifier().to_string(),
        };
        let pool_fqdn = &h.pool_fqdn;
        let gateway = self.hop5_gateway(pool_fqdn, dp, &mut looked)?;
        let secure = !self.cx.req.unsecured;
        let cas_port = if secure {
            CALL_ROUTER_PORTS.1
        } else {
            CALL_ROUTER_PORTS.0
        };
        looked.push(security_line(dp, secure));
        let spec = self.invite(h, dp, &request_user, &cas_fqdn, cas_port, secure);
        self.trace.plan = Some(CallPlan {
            invite: spec.clone(),
            delivers: matches!(self.b.kind, Kind::VoiceMail),
            mailbox: None,
            srtp: dp.voip_security.uses_srtp(),
            expect: super::outcome::Expect::Nothing,
        });
        let placed = Placed {
            spec,
            secure,
            linked_context: self.linked_context(&h.found.callee, dp)?,
            gateway,
        };
        if !self.hop5_startup_mode(&target, dp, secure, &mut looked) {
            return Ok(None);
        }
        let admission = self.cx.admit(pool_fqdn, &request_user, secure)?;
        let admitted = match admission.as_ref() {
            Ok(a) => a,
            Err(r) => {
                let f = fix::rejection(r, &self.reject_context(h, &placed));
                self.b.fail(
                    5,
                    looked,
                    format!("Exchange would answer {} {}", r.status, r.phrase),
                    f,
                );
                return Ok(None);
            }
        };
        self.trace.parties[Party::CallRouter.index()] = format!("{cas_fqdn}:{cas_port}");
        self.b.ok(
            5,
            looked,
            format!(
                "INVITE to {} ({cas_fqdn}:{cas_port}, {}); Exchange admits {pool_fqdn} through gateway {}, hunt group {}",
                target.name,
                if secure { "TLS" } else { "TCP" },
                admitted.admission.gateway.name,
                admitted.admission.hunt_group.name
            ),
        );
        Ok(Some(placed))
    }

    /// Hop 5's UM server (the call router that gets the INVITE) and its FQDN; `None` when
    /// there is none (the hop failed).
    fn hop5_server(
        &mut self,
        dp: &DialPlan,
        servers: &ServerChoice,
        looked: &mut Vec<String>,
    ) -> Result<Option<(ExchangeServer, String)>, TraceError> {
        let Some(target) = servers.target.clone() else {
            let all = self.cx.exchange_servers()?;
            let cas = all
                .iter()
                .find(|s| s.is_client_access())
                .map(|s| s.name.clone());
            let mbx = all.iter().find(|s| s.is_mailbox()).map(|s| s.name.clone());
            self.b.fail(
                5,
                std::mem::take(looked),
                "no UM server serves the dial plan",
                fix::no_um_server(&dp.name, cas.as_deref(), mbx.as_deref()),
            );
            return Ok(None);
        };
        let Some(cas_fqdn) = target.fqdn.clone() else {
            self.b.fail(
                5,
                std::mem::take(looked),
                format!("{} has no FQDN", target.name),
                fix::no_um_server(&dp.name, None, None),
            );
            return Ok(None);
        };
        Ok(Some((target, cas_fqdn)))
    }

    /// The name of the UM IP gateway whose address is the pool's, and its hunt group for `dp`
    /// (lines). Only the name is kept: doctor runs this for every user, over the shared list.
    fn hop5_gateway(
        &self,
        pool_fqdn: &str,
        dp: &DialPlan,
        looked: &mut Vec<String>,
    ) -> Result<Option<String>, TraceError> {
        let gateways = self.cx.gateways()?;
        let Some(g) = gateways.iter().find(|g| g.has_address(pool_fqdn)) else {
            looked.push(format!("UM IP gateway with address {pool_fqdn}: none"));
            return Ok(None);
        };
        looked.push(format!(
            "UM IP gateway with address {pool_fqdn}: {}",
            g.name
        ));
        let hgs = self.cx.hunt_groups(&g.dn)?;
        looked.push(match hgs.iter().find(|h| h.dial_plan == dp.dn) {
            Some(h) => format!(
                "hunt group for {} on {}: {} (pilot {})",
                dp.name,
                g.name,
                h.name,
                h.pilot_identifier.as_deref().unwrap_or("none")
            ),
            None => format!("hunt group for {} on {}: none", dp.name, g.name),
        });
        Ok(Some(g.name.clone()))
    }

    /// The phone context of the callee's linked dial plan (for the fixes).
    fn linked_context(&self, callee: &Callee, dp: &DialPlan) -> Result<Option<String>, TraceError> {
        let user = match callee {
            Callee::User(u) => Some(u.as_ref()),
            Callee::Contact(_) => None,
        };
        Ok(match user.and_then(|u| u.dial_plan.as_ref()) {
            Some(l) if *l == dp.dn => Some(dp.phone_context.clone()),
            Some(l) => self
                .cx
                .dial_plans()?
                .iter()
                .find(|d| d.dn == *l)
                .map(|d| d.phone_context.clone()),
            None => None,
        })
    }

    /// Whether the UM server listens on the call's transport (msExchUMStartupMode); false
    /// when it does not (the hop failed).
    fn hop5_startup_mode(
        &mut self,
        target: &ExchangeServer,
        dp: &DialPlan,
        secure: bool,
        looked: &mut Vec<String>,
    ) -> bool {
        let Some(mode) = target.startup_mode else {
            return true;
        };
        looked.push(format!(
            "{} of {}: {}",
            attrs::MSEXCH_UM_STARTUP_MODE,
            target.name,
            mode.label()
        ));
        let accepts = if secure {
            mode.accepts_tls()
        } else {
            mode.accepts_tcp()
        };
        if !accepts {
            self.b.fail(
                5,
                std::mem::take(looked),
                format!("{} listens on {} only", target.name, mode.label()),
                fix::startup_mode(&target.name, mode, dp, secure),
            );
        }
        accepts
    }

    /// The INVITE the Front End sends (the live trace sends it even when Exchange is
    /// predicted to refuse it).
    fn invite(
        &self,
        h: &Homed,
        dp: &DialPlan,
        request_user: &str,
        cas_fqdn: &str,
        cas_port: u16,
        secure: bool,
    ) -> InviteSpec {
        let (who, sip, pool_fqdn) = (&h.who, &h.sip, &h.pool_fqdn);
        let diverted = matches!(self.b.kind, Kind::VoiceMail);
        let diversion = match (
            diverted,
            self.cx.req.scenario.diversion_reason(),
            &h.found.callee,
        ) {
            (true, Some(reason), Callee::User(u)) => {
                let uri = if dp.is_sip() {
                    sip.clone()
                } else {
                    format!(
                        "sip:{}@{};user=phone",
                        u.line_uri
                            .as_ref()
                            .map(|l| l.number.clone())
                            .unwrap_or_default(),
                        self.cx.domain
                    )
                };
                Some(InviteSpec::diversion_for(&uri, Some(who), reason))
            }
            _ => None,
        };
        InviteSpec {
            request_uri: InviteSpec::request_uri_for(request_user, cas_fqdn, cas_port, secure),
            from: self.cx.caller.from.clone(),
            from_tag: "umctl-trace".into(),
            to: format!("\"{who}\" <{sip}>"),
            diversion,
            pool_fqdn: pool_fqdn.clone(),
            secure,
            call_id: format!("trace-{}@{pool_fqdn}", std::process::id()),
            branch: "z9hG4bKumctltrace".into(),
            cseq: 1,
        }
    }

    /// Hop 6: the SIP exchange, answered by the same code serve runs. The resolution of
    /// the call when the worker answers (or when a lookup, hop 7, turned it away: then hop 7
    /// is already written).
    fn hop6_sip(&mut self, h: &Homed, p: &Placed) -> Result<Option<Resolution>, TraceError> {
        let stages = [
            (Stage::CallRouter, Party::CallRouter),
            (Stage::UmService, Party::UmService),
            (Stage::Worker, Party::Worker),
        ];
        let stages = if self.cx.ladder {
            &stages[..]
        } else {
            &stages[..1]
        };
        let pool_fqdn = &h.pool_fqdn;
        let secure = p.secure;
        let mut spec = p.spec.clone();
        let mut looked = Vec::new();
        let mut worker_port = 0;
        let mut final_resolution: Option<Resolution> = None;
        for &(stage, party) in stages {
            let invite = build_invite(&spec)?;
            let call = IncomingCall::from_request(&invite, pool_fqdn, secure)?;
            let resolution = self.cx.resolve(&call)?;
            let routing = route_target(self.cx.dir, &resolution, stage, &call)?;
            final_resolution = Some(resolution);
            if !self.cx.ladder {
                if let Routing::Reject(r) = routing {
                    return self.hop6_rejected(h, p, party, looked, r, &final_resolution);
                }
                break;
            }
            self.push_step(
                &mut looked,
                Party::SkypeFrontEnd,
                party,
                &invite.to_string(),
            );
            match routing {
                Routing::Redirect(t) => {
                    let mut resp = response_to(&invite, 302, "Moved Temporarily", Some("umctl-ex"));
                    resp.headers
                        .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                            "<{}>",
                            t.contact
                        ))));
                    self.push_step(&mut looked, party, Party::SkypeFrontEnd, &resp.to_string());
                    let next = match stage {
                        Stage::CallRouter => Party::UmService,
                        _ => Party::Worker,
                    };
                    self.trace.parties[next.index()] = format!("{}:{}", t.host, t.port);
                    worker_port = t.port;
                    spec = follow_redirect(&spec, &t.contact);
                }
                Routing::Answer => {
                    let mut resp = response_to(&invite, 200, "OK", Some("umctl-ex"));
                    resp.headers
                        .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                            "<sip:{}:{worker_port};transport={}>",
                            call.request_host,
                            if secure { "TLS" } else { "TCP" }
                        ))));
                    self.push_step(&mut looked, party, Party::SkypeFrontEnd, &resp.to_string());
                    break;
                }
                Routing::Reject(r) => {
                    let mut resp = response_to(&invite, r.status, r.phrase, Some("umctl-ex"));
                    resp.headers.push(rsip::Header::Other(
                        "Warning".into(),
                        format!(
                            "399 {} \"{}\"",
                            call.request_host,
                            r.detail.replace('"', "'")
                        ),
                    ));
                    self.push_step(&mut looked, party, Party::SkypeFrontEnd, &resp.to_string());
                    return self.hop6_rejected(h, p, party, looked, r, &final_resolution);
                }
            }
        }
        self.b.ok(
            6,
            looked,
            "302 from the call router, 302 from the UM service, 200 OK from the UM worker",
        );
        Ok(final_resolution)
    }

    /// A rejection in hop 6: an admission failure fails hop 6, a lookup failure hop 7.
    fn hop6_rejected(
        &mut self,
        h: &Homed,
        p: &Placed,
        party: Party,
        looked: Vec<String>,
        r: Rejection,
        resolution: &Option<Resolution>,
    ) -> Result<Option<Resolution>, TraceError> {
        let f = fix::rejection(&r, &self.reject_context(h, p));
        let lookup_failure =
            !r.reason.is_admission() && matches!(resolution, Some(Resolution::Rejected(_)));
        if !lookup_failure {
            self.b.fail(
                6,
                looked,
                format!("{} answered {} {}", party.label(), r.status, r.phrase),
                f,
            );
            return Ok(None);
        }
        self.b.hop(
            6,
            looked,
            format!(
                "{} answered {} {} (why: hop 7)",
                party.label(),
                r.status,
                r.phrase
            ),
            Outcome::Info,
        );
        self.b.fail(7, Vec::new(), r.detail.clone(), f);
        Ok(None)
    }

    fn push_step(&mut self, looked: &mut Vec<String>, from: Party, to: Party, text: &str) {
        push_step(&mut self.trace, looked, from, to, text);
    }

    /// Hops 7 and 8: who answers, and what the caller gets.
    fn hop7_answer(&mut self, h: &Homed, resolution: &Resolution) -> Result<(), TraceError> {
        match resolution {
            Resolution::CallAnswering(ca) => self.hop7_call_answering(h, ca),
            Resolution::SubscriberAccess(sa) => {
                let dpn = &sa.admission.dial_plan;
                self.b.ok(
                    7,
                    vec![format!("dialed {}: Outlook Voice Access of {}", sa.dialed, dpn.name)],
                    format!(
                        "Outlook Voice Access of {} answers: \"Welcome, you are connected to Microsoft Exchange. To access your mailbox, enter your extension...\"",
                        dpn.name
                    ),
                );
                let steps = ova_digits(self.cx.dir, dpn, self.cx.req.digits.as_deref())?;
                if let Some(p) = self.trace.plan.as_mut() {
                    p.expect = super::outcome::expect_ova(self.cx.req.digits.as_deref());
                }
                self.b.hop(
                    8,
                    steps,
                    "no voice message is recorded: the caller talks to Outlook Voice Access",
                    Outcome::Info,
                );
            }
            Resolution::AutoAttendant(aa) => {
                let (a, dp) = (&aa.auto_attendant, &aa.admission.dial_plan);
                let (choice, config) =
                    super::aa_facts::aa_config(a, dp, self.cx.req.now, self.cx.um.mailboxes);
                self.b.ok(
                    7,
                    super::aa_facts::aa_heard(a, &choice, &config),
                    format!(
                        "auto attendant {} answers with its {} menu",
                        a.name,
                        choice.describe()
                    ),
                );
                if let Some(p) = self.trace.plan.as_mut() {
                    p.expect = super::outcome::expect_aa(a, dp, self.cx.req.digits.as_deref());
                }
                self.b.hop(
                    8,
                    super::aa_facts::aa_digits(&config, self.cx.req.digits.as_deref()),
                    "no voice message is recorded: the caller uses the auto attendant",
                    Outcome::Info,
                );
            }
            Resolution::Rejected(_) => {}
        }
        Ok(())
    }

    fn hop7_call_answering(&mut self, h: &Homed, ca: &CallAnswering) {
        let u = &ca.user;
        let looked = vec![
            format!(
                "{}={}: {}",
                attrs::PROXY_ADDRESSES,
                ca.eum,
                u.display_name.as_deref().unwrap_or_default()
            ),
            format!(
                "{}: {}",
                attrs::MSEXCH_HOME_SERVER_NAME,
                u.home_server.as_deref().unwrap_or_default()
            ),
            format!("greeting: {}", greeting_detail(&ca.greeting)),
            super::aa_facts::mailbox_policy_line(self.cx.dir, u),
        ];
        self.b.ok(
            7,
            looked,
            format!(
                "{} ({}), mailbox on {}; plays the {}",
                u.display_name.as_deref().unwrap_or_default(),
                fix::identity(u),
                ca.mailbox_server.name,
                short_greeting(&ca.greeting)
            ),
        );
        self.hop8_message(h, ca);
    }

    /// Hop 8: the message, to the address, the mailbox folder and the MWI gateways serve's
    /// delivery uses (`um::recipient`, the resolution's mailbox), from the caller as the UM
    /// worker names it (`um::caller`).
    fn hop8_message(&mut self, h: &Homed, ca: &CallAnswering) {
        let (req, who, u) = (self.cx.req, &h.who, &ca.user);
        let codec = format!("{:?}", ca.admission.dial_plan.audio_codec).to_uppercase();
        let mail = recipient::callee_address(u, &ca.called_party);
        let caller = identify_caller(self.cx.dir, &self.cx.caller.from);
        let from = caller.name.unwrap_or(caller.number);
        if let (Some(mailbox), Some(plan)) = (&ca.mailbox, self.trace.plan.as_mut()) {
            plan.mailbox = Some(mailbox.clone());
        }
        if req.hang_up_before_beep {
            self.b.ok(
                8,
                vec![format!("missed call notification (IPM.Note.Microsoft.Missed.Voice) to {mail}, from {from}")],
                format!(
                    "the caller hangs up before the beep: {} sends {who} a missed-call notification over SMTP",
                    ca.mailbox_server.name
                ),
            );
            return;
        }
        let (seconds, source) = message_length(req);
        let max = ca.admission.dial_plan.max_recording_duration_minutes * 60;
        let mut looked = vec![
            format!("message: {seconds} s ({source}), recorded as {codec}"),
            format!("message class IPM.Note.Microsoft.Voicemail.UM.CA to {mail}, from {from}"),
        ];
        if seconds > max {
            looked.push(format!(
                "cut at the dial plan's MaxRecordingDuration ({max} s)"
            ));
        }
        if let Some(mailbox) = &ca.mailbox {
            looked.push(format!(
                "delivered into {} (checked live)",
                mailbox.dir().display()
            ));
        }
        looked.push(mwi_line(self.cx.mwi_targets(u)));
        self.b.ok(
            8,
            looked,
            format!(
                "{} records the message and submits it over SMTP to its transport, which delivers it to {who}'s mailbox",
                ca.mailbox_server.name
            ),
        );
    }
}

/// Hop 5's line on the dial plan's VoIP security and the call's transport.
fn security_line(dp: &DialPlan, secure: bool) -> String {
    if secure {
        format!(
            "VoIP security {:?}; Skype for Business signals over TLS",
            dp.voip_security
        )
    } else {
        format!(
            "VoIP security {:?}; this call comes without TLS (over TCP or UDP)",
            dp.voip_security
        )
    }
}

/// The message waiting indicator after a voice message, as serve's delivery sends it.
fn mwi_line(targets: Result<MwiTargets, String>) -> String {
    match targets {
        Ok(t) => format!(
            "MWI: NOTIFY (message-summary) for {} over {} to {}",
            t.account,
            t.transport,
            t.gateways
                .iter()
                .map(|g| format!("UM IP gateway {} ({}:{})", g.name, g.address, g.port))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(why) => format!("MWI: {why}"),
    }
}

/// What hop 3 looked up for a user.
fn user_looked_up(u: &UmUser) -> Vec<String> {
    let mut looked = vec![format!(
        "{}: {}",
        attrs::MSEXCH_UM_ENABLED_FLAGS,
        match u.um_enabled_flags {
            Some(f) if u.um_enabled => format!("{f} (UM-enabled)"),
            Some(f) => format!("{f} (not UM-enabled)"),
            None => "(not set)".into(),
        }
    )];
    for e in &u.eum_addresses {
        looked.push(format!("EUM proxy: {e}"));
    }
    if u.eum_addresses.is_empty() {
        looked.push("EUM proxy: none".into());
    }
    looked.push(format!(
        "{}: {}",
        attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK,
        u.dial_plan
            .as_ref()
            .and_then(|d| d.rdn_value().map(str::to_string))
            .unwrap_or_else(|| "(not set)".into())
    ));
    looked
}

/// What hop 4 says of one RTC group.
fn group_looked_up(g: &GroupAccess) -> String {
    let denied: Vec<&str> = g
        .objects
        .iter()
        .filter(|o| !o.ok())
        .map(|o| o.label.as_str())
        .collect();
    let servers = denied
        .iter()
        .filter(|l| l.starts_with("Exchange server "))
        .count();
    let mut named: Vec<String> = denied
        .iter()
        .filter(|l| !l.starts_with("Exchange server "))
        .map(|l| l.to_string())
        .collect();
    if servers > 0 {
        named.push(format!("{servers} Exchange server object(s)"));
    }
    match (&g.sid, denied.is_empty()) {
        (None, _) => format!("{}: group not found", g.group),
        (Some(_), true) => format!("{}: can read all {} objects", g.group, g.objects.len()),
        (Some(_), false) => format!("{}: cannot read {}", g.group, named.join(", ")),
    }
}

fn push_step(trace: &mut Trace, looked: &mut Vec<String>, from: Party, to: Party, text: &str) {
    let first_line = text.lines().next().unwrap_or_default().to_string();
    looked.push(format!("{} -> {}: {first_line}", from.label(), to.label()));
    trace.messages.push(SipStep {
        from,
        to,
        first_line,
        text: text.to_string(),
    });
}

fn goal_for_owner(owner: &NumberOwner) -> String {
    match owner {
        NumberOwner::SubscriberAccess(dp) => {
            format!("Outlook Voice Access of dial plan {}", dp.name)
        }
        NumberOwner::AutoAttendant(aa) => format!("auto attendant {}", aa.name),
    }
}

fn short_greeting(g: &Greeting) -> String {
    match g {
        Greeting::Away { .. } => "away (out-of-office) greeting".into(),
        Greeting::Custom { .. } => "custom greeting".into(),
        Greeting::RecordedName { .. } => "system greeting with the recorded name".into(),
        Greeting::TextToSpeech { .. } => "text-to-speech greeting".into(),
        Greeting::Unknown => "greeting stored in the mailbox (unknown offline)".into(),
    }
}

fn greeting_detail(g: &Greeting) -> String {
    let seconds = |p: &Path| {
        std::fs::read(p)
            .ok()
            .and_then(|bytes| {
                crate::media::wav::parse(&bytes)
                    .ok()
                    .map(|(i, _)| i.duration_ms())
            })
            .map(|ms| format!(", {:.1} s", ms as f64 / 1000.0))
            .unwrap_or_default()
    };
    match g {
        Greeting::Away { file } | Greeting::Custom { file } | Greeting::RecordedName { file } => {
            format!("{}{}", g.describe(), seconds(file))
        }
        _ => g.describe(),
    }
}

/// How long the message is and where that figure comes from.
fn message_length(req: &TraceRequest) -> (u32, String) {
    if let Some(path) = &req.wave_file {
        if let Some(ms) = std::fs::read(path).ok().and_then(|b| {
            crate::media::wav::parse(&b)
                .ok()
                .map(|(i, _)| i.duration_ms())
        }) {
            return (
                u32::try_from(ms.div_ceil(1000)).unwrap_or(u32::MAX),
                format!("the length of {}", path.display()),
            );
        }
    }
    match req.message_seconds {
        Some(s) => (s, "--message-seconds".into()),
        None => (DEFAULT_MESSAGE_SECONDS, "default".into()),
    }
}

/// What --digits does at the Outlook Voice Access prompt: the extension, then the PIN (live).
fn ova_digits<D: Directory + ?Sized>(
    dir: &D,
    dp: &DialPlan,
    digits: Option<&str>,
) -> Result<Vec<String>, TraceError> {
    let Some(digits) = digits else {
        return Ok(vec![
            "no --digits: the caller hears the welcome prompt".into()
        ]);
    };
    let ext: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
    if ext.is_empty() {
        return Ok(vec![format!("{digits}: no extension entered")]);
    }
    let eum = format!("eum:{ext};phone-context={}", dp.phone_context);
    let owner = lookup::by_attribute(dir, attrs::PROXY_ADDRESSES, &eum)?
        .iter()
        .find_map(|e| UmUser::from_entry(e).ok());
    Ok(vec![
        match owner {
            Some(u) => format!(
                "extension {ext}: mailbox of {}",
                u.display_name.as_deref().unwrap_or_default()
            ),
            None => format!("extension {ext}: no mailbox has {eum}"),
        },
        "the PIN is checked live only (umctl trace-call --live)".into(),
    ])
}
