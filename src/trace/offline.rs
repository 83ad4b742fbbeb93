//! The offline trace: the eight hops of a voice-mail, Outlook Voice Access or auto-attendant
//! call, predicted from the directory with the same functions the live endpoint runs
//! (`frontend` for the Skype side, `um::resolve_call` / `um::route_target` for Exchange's).
//! Hop 6's SIP messages are built with rsip and answered by those functions, exactly as
//! `umctl serve` would answer them. The first hop that fails stops the trace; the hops after
//! it are listed as skipped.

use std::path::Path;

use crate::directory::lookup;
use crate::directory::model::{
    attrs, AutoAttendant, ContactKind, DialPlan, Dn, ExchangeOrg, Pool, UmUser,
};
use crate::directory::Directory;
use crate::frontend::routing::contact_kind_name;
use crate::frontend::{
    build_invite, dial_plan_for, follow_redirect, read_permission, resolve_target, um_servers,
    Callee, DialPlanProblem, DialPlanVia, Found, InviteSpec, NumberOwner, TargetLookup, TargetSpec,
};
use rsip::headers::UntypedHeader;

use crate::sip::response_to;
use crate::um::router::CALL_ROUTER_PORTS;
use crate::um::{
    admit, resolve_call, route_target, Greeting, IncomingCall, Resolution, Routing, Stage,
    UmContext,
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
struct Caller {
    /// The From name-addr.
    from: String,
    /// A short name for reports.
    name: String,
    /// The phone context of the caller's dial plan (extensions are read in it).
    context: Option<String>,
}

/// `DC=contoso,DC=com` -> `contoso.com`.
fn dns_name(dn: &Dn) -> String {
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

fn resolve_caller<D: Directory + ?Sized>(
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

/// The first Lync 2010+ pool with an FQDN (for fix suggestions).
fn some_pool<D: Directory + ?Sized>(dir: &D) -> Result<Option<String>, TraceError> {
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
    Ok(pools
        .into_iter()
        .find(|p| p.fqdn.is_some() && p.is_lync2010_or_newer())
        .and_then(|p| p.fqdn))
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

    let mut trace = Trace {
        mode: "offline",
        target: req.to.clone(),
        caller: caller.name.clone(),
        scenario: req.scenario,
        goal: format!("voice mail for {}", req.to),
        reached: false,
        first_failure: None,
        hops: Vec::new(),
        parties: vec!["-".into(); 4],
        messages: Vec::new(),
        live: None,
        plan: None,
    };
    let mut b = Builder {
        hops: Vec::new(),
        kind: Kind::VoiceMail,
        hang_up: req.hang_up_before_beep,
    };
    run(
        dir, &org, &domain, req, ctx, &caller, &spec, &mut b, &mut trace,
    )?;
    trace.hops = b.hops;
    trace.first_failure = trace.failure().map(|h| h.number);
    trace.reached = trace.first_failure.is_none();
    Ok(trace)
}

#[allow(clippy::too_many_arguments)]
fn run<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    domain: &str,
    req: &TraceRequest,
    ctx: &UmContext<'_>,
    caller: &Caller,
    spec: &TargetSpec,
    b: &mut Builder,
    trace: &mut Trace,
) -> Result<(), TraceError> {
    let contacts_ou = format!("OU=ExUmContacts,{}", dir.naming_contexts()?.default);

    // Hop 1: who was called.
    let found: Found = match resolve_target(dir, org, spec, caller.context.as_deref())? {
        TargetLookup::Found(f) => *f,
        TargetLookup::NotFound {
            tried,
            number,
            number_owner,
        } => {
            if let Some(owner) = &number_owner {
                b.kind = match owner {
                    NumberOwner::SubscriberAccess(_) => Kind::SubscriberAccess,
                    NumberOwner::AutoAttendant(_) => Kind::AutoAttendant,
                };
                trace.goal = goal_for_owner(owner);
            }
            let f = match &number {
                Some(n) => {
                    let pool = some_pool(dir)?;
                    fix::number_without_contact(
                        n,
                        number_owner.as_ref(),
                        &ContactPlace {
                            pool: pool.as_deref(),
                            ou: &contacts_ou,
                            domain,
                        },
                    )
                }
                None => fix::target_not_found(&req.to, &tried),
            };
            let looked = tried.iter().map(|t| format!("{t}: nothing")).collect();
            b.fail(1, looked, "no user or contact", f);
            return Ok(());
        }
    };
    let callee = &found.callee;
    let who = callee.name();
    let mut looked = vec![format!("{}: {who}", found.matched)];
    let aa_of_contact: Option<AutoAttendant> = match &found.number_owner {
        Some(NumberOwner::AutoAttendant(aa)) => Some((**aa).clone()),
        _ => None,
    };
    match callee {
        Callee::User(_) => {
            if req.scenario == Scenario::Direct {
                b.kind = Kind::SubscriberAccess;
            }
            trace.goal = match req.scenario {
                Scenario::Direct => {
                    format!("Outlook Voice Access, called directly by {}", caller.name)
                }
                _ => format!("voice mail for {who}"),
            };
        }
        Callee::Contact(c) => {
            b.kind = match (&found.number_owner, c.kind) {
                (Some(NumberOwner::AutoAttendant(_)), _)
                | (None, Some(ContactKind::AutoAttendant)) => Kind::AutoAttendant,
                _ => Kind::SubscriberAccess,
            };
            trace.goal = match &found.number_owner {
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
        let pool = some_pool(dir)?;
        let f = match callee {
            Callee::User(u) => fix::not_sip_enabled(u, pool.as_deref()),
            Callee::Contact(c) => fix::contact_disabled(c),
        };
        b.fail(
            1,
            looked,
            format!("{who} is not enabled for Skype for Business"),
            f,
        );
        return Ok(());
    }
    let home = callee.home_pool().cloned();
    let pool = match &home {
        Some(dn) => lookup::pool(dir, dn)?,
        None => None,
    };
    let Some((pool, pool_fqdn)) = pool.and_then(|p| p.fqdn.clone().map(|f| (p, f))) else {
        let suggestion = some_pool(dir)?;
        let id = match callee {
            Callee::User(u) => fix::identity(u),
            Callee::Contact(c) => c.dn.to_string(),
        };
        let f = fix::no_home_pool(
            &id,
            home.as_ref().map(ToString::to_string).as_deref(),
            suggestion.as_deref(),
            matches!(callee, Callee::User(_)),
        );
        b.fail(1, looked, format!("{who} has no usable home pool"), f);
        return Ok(());
    };
    trace.parties[Party::SkypeFrontEnd.index()] = pool_fqdn.clone();
    let pool_version = pool.version.map(|v| format!(", {v}")).unwrap_or_default();
    let sip = callee.sip_address().unwrap_or_default().to_string();
    let what = match callee {
        Callee::User(_) => format!("user {who} ({sip})"),
        Callee::Contact(c) => format!("{} contact {who} ({sip})", contact_kind_name(c.kind)),
    };
    looked.push(format!(
        "{}: {} ({pool_fqdn})",
        attrs::MSRTCSIP_PRIMARY_HOME_SERVER,
        pool.cn
    ));
    b.ok(
        1,
        looked,
        format!("{what}, homed on {pool_fqdn} ({}{pool_version})", pool.cn),
    );

    // Hop 2: hosted voice mail.
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
        let f = fix::hosted_voice_mail(&who, &id, &vm_values, is_user);
        b.fail(
            2,
            looked,
            "would go to hosted voice mail (the hosted voice mail policy's destination, Exchange Online)",
            f,
        );
        return Ok(());
    }
    b.ok(2, looked, "not hosted: on-premises Exchange UM");

    // Hop 3: UM-enabled, which dial plan.
    let user: Option<&UmUser> = match callee {
        Callee::User(u) => Some(u),
        Callee::Contact(_) => None,
    };
    let mut looked = Vec::new();
    if let Some(u) = user {
        looked.push(format!(
            "{}: {}",
            attrs::MSEXCH_UM_ENABLED_FLAGS,
            match u.um_enabled_flags {
                Some(f) if u.um_enabled => format!("{f} (UM-enabled)"),
                Some(f) => format!("{f} (not UM-enabled)"),
                None => "(not set)".into(),
            }
        ));
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
    }
    let choice = match dial_plan_for(dir, org, callee)? {
        Ok(c) => c,
        Err(problem) => {
            let dial_plans = lookup::dial_plans(dir, org)?;
            let ext_len = callee
                .line_uri()
                .and_then(|l| l.ext.as_ref().map(String::len))
                .unwrap_or(0);
            let sip_dp = fix::guess_dial_plan(&dial_plans, ext_len);
            let (result, f) = match (&problem, user) {
                (DialPlanProblem::NotUmEnabled { flags }, Some(u)) => (
                    format!("{who} is not UM-enabled"),
                    fix::not_um_enabled(u, *flags, &sip_dp),
                ),
                (DialPlanProblem::NoDialPlan, Some(u)) => {
                    ("no dial plan".to_string(), fix::no_dial_plan(u, &sip_dp))
                }
                (DialPlanProblem::ContactWithoutDialPlan, _) => {
                    let ctx = match &found.number_owner {
                        Some(NumberOwner::SubscriberAccess(dp)) => Some(dp.phone_context.clone()),
                        Some(NumberOwner::AutoAttendant(aa)) => {
                            lookup::read_as(dir, &aa.dial_plan, DialPlan::from_entry)?
                                .map(|d| d.phone_context)
                        }
                        None => None,
                    };
                    let kind = if b.kind == Kind::AutoAttendant {
                        "AA"
                    } else {
                        "SA"
                    };
                    let Callee::Contact(c) = callee else {
                        return Ok(());
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
                ) => (
                    format!("no dial plan has phone context {phone_context}"),
                    fix::unknown_phone_context(&who, phone_context, from),
                ),
                (DialPlanProblem::MissingDialPlan { dn }, _) => (
                    "the linked dial plan does not exist".to_string(),
                    fix::missing_dial_plan(&who, &dn.to_string()),
                ),
                (DialPlanProblem::NotSip { dial_plan }, _) => (
                    format!("dial plan {} is not a SIP URI dial plan", dial_plan.name),
                    fix::not_sip(
                        &who,
                        user,
                        dial_plan,
                        &fix::guess_dial_plan(&dial_plans, usize::from(dial_plan.digits)),
                    ),
                ),
                // A contact is never "not UM-enabled" or without a link: it has otherIPPhone.
                (DialPlanProblem::NotUmEnabled { .. } | DialPlanProblem::NoDialPlan, None) => (
                    "no dial plan".to_string(),
                    fix::missing_dial_plan(&who, "(none)"),
                ),
            };
            b.fail(3, looked, result, f);
            return Ok(());
        }
    };
    let dp = choice.dial_plan.clone();
    match &choice.via {
        DialPlanVia::Eum(e) => looked.push(format!(
            "dial plan by EUM phone context {}",
            e.phone_context
        )),
        DialPlanVia::RecipientLink(_) => {
            looked.push("dial plan by msExchUMRecipientDialPlanLink (no EUM proxy address)".into())
        }
        DialPlanVia::OtherIpPhone(o) => looked.push(format!(
            "dial plan by otherIPPhone phone context {}",
            o.phone_context
        )),
    }
    if let Some(aa) = &aa_of_contact {
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
    b.ok(3, looked, result);

    // Hop 4: can the pool read it.
    let servers = um_servers(dir, org, &dp)?;
    let perm = read_permission(dir, org, &dp, aa_of_contact.as_ref(), &servers.linked)?;
    let looked: Vec<String> = perm
        .groups
        .iter()
        .map(|g| {
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
        })
        .collect();
    if let Some((group, object)) = perm.first_denied() {
        let f = fix::read_denied(group, object, &dp.name);
        b.fail(
            4,
            looked,
            format!("the pool cannot read dial plan {}", dp.name),
            f,
        );
        return Ok(());
    }
    b.ok(
        4,
        looked,
        format!(
            "the RTC groups can read dial plan {} and its servers",
            dp.name
        ),
    );

    // Hop 5: UM server, gateway, hunt group, TLS.
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
    let Some(target) = servers.target.clone() else {
        let all = lookup::exchange_servers(dir, org)?;
        let cas = all
            .iter()
            .find(|s| s.is_client_access())
            .map(|s| s.name.clone());
        let mbx = all.iter().find(|s| s.is_mailbox()).map(|s| s.name.clone());
        b.fail(
            5,
            looked,
            "no UM server serves the dial plan",
            fix::no_um_server(&dp.name, cas.as_deref(), mbx.as_deref()),
        );
        return Ok(());
    };
    let Some(cas_fqdn) = target.fqdn.clone() else {
        b.fail(
            5,
            looked,
            format!("{} has no FQDN", target.name),
            fix::no_um_server(&dp.name, None, None),
        );
        return Ok(());
    };
    let request_user = match (callee, req.scenario) {
        (Callee::Contact(_), _) => callee
            .line_uri()
            .map(|l| l.number.clone())
            .unwrap_or_default(),
        (Callee::User(_), _) => dp.pilot_identifier().to_string(),
    };
    let gateways = lookup::gateways(dir, org)?;
    match gateways.iter().find(|g| g.has_address(&pool_fqdn)) {
        Some(g) => {
            looked.push(format!(
                "UM IP gateway with address {pool_fqdn}: {}",
                g.name
            ));
            let hgs = lookup::hunt_groups(dir, &g.dn)?;
            match hgs.iter().find(|h| h.dial_plan == dp.dn) {
                Some(h) => looked.push(format!(
                    "hunt group for {} on {}: {} (pilot {})",
                    dp.name,
                    g.name,
                    h.name,
                    h.pilot_identifier.as_deref().unwrap_or("none")
                )),
                None => looked.push(format!("hunt group for {} on {}: none", dp.name, g.name)),
            }
        }
        None => looked.push(format!("UM IP gateway with address {pool_fqdn}: none")),
    }
    let secure = !req.unsecured;
    let cas_port = if secure {
        CALL_ROUTER_PORTS.1
    } else {
        CALL_ROUTER_PORTS.0
    };
    looked.push(if secure {
        format!(
            "VoIP security {:?}; Skype for Business signals over TLS",
            dp.voip_security
        )
    } else {
        format!(
            "VoIP security {:?}; this call comes without TLS (over TCP or UDP)",
            dp.voip_security
        )
    });
    let user_for_fix = user;
    let linked_ctx = user
        .and_then(|u| u.dial_plan.as_ref())
        .and_then(|l| lookup::read_as(dir, l, DialPlan::from_entry).ok().flatten())
        .map(|d| d.phone_context);
    let rc = RejectContext {
        pool: &pool_fqdn,
        user: user_for_fix,
        linked_context: linked_ctx.as_deref(),
        auto_attendant: aa_of_contact.as_ref().map(|a| a.name.as_str()),
    };
    // The INVITE the Front End will send (the live trace sends it even when Exchange is
    // predicted to refuse it).
    let diverted = matches!(b.kind, Kind::VoiceMail);
    let to = format!("\"{who}\" <{sip}>");
    let diversion = match (diverted, req.scenario.diversion_reason(), user) {
        (true, Some(reason), Some(u)) => {
            let uri = if dp.is_sip() {
                sip.clone()
            } else {
                format!(
                    "sip:{}@{domain};user=phone",
                    u.line_uri
                        .as_ref()
                        .map(|l| l.number.clone())
                        .unwrap_or_default()
                )
            };
            Some(InviteSpec::diversion_for(&uri, Some(&who), reason))
        }
        _ => None,
    };
    let mut spec = InviteSpec {
        request_uri: InviteSpec::request_uri_for(&request_user, &cas_fqdn, cas_port, secure),
        from: caller.from.clone(),
        from_tag: "umctl-trace".into(),
        to,
        diversion,
        pool_fqdn: pool_fqdn.clone(),
        secure,
        call_id: format!("trace-{}@{pool_fqdn}", std::process::id()),
        branch: "z9hG4bKumctltrace".into(),
        cseq: 1,
    };
    trace.plan = Some(CallPlan {
        invite: spec.clone(),
        delivers: matches!(b.kind, Kind::VoiceMail),
        mailbox: None,
    });
    let admitted = match admit(dir, org, &pool_fqdn, &request_user, secure, ctx)? {
        Ok(a) => a,
        Err(r) => {
            b.fail(
                5,
                looked,
                format!("Exchange would answer {} {}", r.status, r.phrase),
                fix::rejection(&r, &rc),
            );
            return Ok(());
        }
    };
    trace.parties[Party::CallRouter.index()] = format!("{cas_fqdn}:{cas_port}");
    b.ok(
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

    // Hop 6: the SIP exchange, answered by the same code serve runs.
    let stages = [
        (Stage::CallRouter, Party::CallRouter),
        (Stage::UmService, Party::UmService),
        (Stage::Worker, Party::Worker),
    ];
    let mut looked = Vec::new();
    let mut worker_port = 0;
    let mut final_resolution: Option<Resolution> = None;
    let mut answered = false;
    for (stage, party) in stages {
        let invite = build_invite(&spec)?;
        push_step(
            trace,
            &mut looked,
            Party::SkypeFrontEnd,
            party,
            &invite.to_string(),
        );
        let call = IncomingCall::from_request(&invite, &pool_fqdn, secure)?;
        let resolution = resolve_call(dir, &call, ctx)?;
        let routing = route_target(dir, &resolution, stage, &call)?;
        final_resolution = Some(resolution);
        match routing {
            Routing::Redirect(t) => {
                let mut resp = response_to(&invite, 302, "Moved Temporarily", Some("umctl-ex"));
                resp.headers
                    .push(rsip::Header::Contact(rsip::headers::Contact::new(format!(
                        "<{}>",
                        t.contact
                    ))));
                push_step(
                    trace,
                    &mut looked,
                    party,
                    Party::SkypeFrontEnd,
                    &resp.to_string(),
                );
                let next = match stage {
                    Stage::CallRouter => Party::UmService,
                    _ => Party::Worker,
                };
                trace.parties[next.index()] = format!("{}:{}", t.host, t.port);
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
                push_step(
                    trace,
                    &mut looked,
                    party,
                    Party::SkypeFrontEnd,
                    &resp.to_string(),
                );
                answered = true;
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
                push_step(
                    trace,
                    &mut looked,
                    party,
                    Party::SkypeFrontEnd,
                    &resp.to_string(),
                );
                let lookup_failure = !r.reason.is_admission()
                    && matches!(final_resolution, Some(Resolution::Rejected(_)));
                if !lookup_failure {
                    b.fail(
                        6,
                        looked,
                        format!("{} answered {} {}", party.label(), r.status, r.phrase),
                        fix::rejection(&r, &rc),
                    );
                    return Ok(());
                }
                b.hop(
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
                b.fail(7, Vec::new(), r.detail.clone(), fix::rejection(&r, &rc));
                return Ok(());
            }
        }
    }
    if !answered {
        return Ok(());
    }
    b.ok(
        6,
        looked,
        "302 from the call router, 302 from the UM service, 200 OK from the UM worker",
    );

    // Hop 7: who answers.
    let Some(resolution) = final_resolution else {
        return Ok(());
    };
    match &resolution {
        Resolution::CallAnswering(ca) => {
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
                super::aa_facts::mailbox_policy_line(dir, u.sam.as_deref()),
            ];
            b.ok(
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
            // Hop 8: the message.
            let codec = format!("{:?}", ca.admission.dial_plan.audio_codec).to_uppercase();
            let mail = u.mail.clone().unwrap_or_else(|| fix::identity(u));
            if let (Some(root), Some(sam), Some(plan)) =
                (ctx.mailboxes, u.sam.as_deref(), trace.plan.as_mut())
            {
                plan.mailbox = Some(root.join(sam));
            }
            if req.hang_up_before_beep {
                b.ok(
                    8,
                    vec![format!("missed call notification (IPM.Note.Microsoft.Missed.Voice) to {mail}")],
                    format!(
                        "the caller hangs up before the beep: {} sends {who} a missed-call notification over SMTP",
                        ca.mailbox_server.name
                    ),
                );
            } else {
                let (seconds, source) = message_length(req);
                let max = ca.admission.dial_plan.max_recording_duration_minutes * 60;
                let mut looked = vec![
                    format!("message: {seconds} s ({source}), recorded as {codec}"),
                    format!("message class IPM.Note.Microsoft.Voicemail.UM.CA to {mail}"),
                ];
                if seconds > max {
                    looked.push(format!(
                        "cut at the dial plan's MaxRecordingDuration ({max} s)"
                    ));
                }
                if let (Some(root), Some(sam)) = (ctx.mailboxes, u.sam.as_deref()) {
                    looked.push(format!(
                        "delivered into {} (checked live)",
                        root.join(sam).display()
                    ));
                }
                b.ok(
                    8,
                    looked,
                    format!(
                        "{} records the message and submits it over SMTP to its transport, which delivers it to {who}'s mailbox",
                        ca.mailbox_server.name
                    ),
                );
            }
        }
        Resolution::SubscriberAccess(sa) => {
            let dpn = &sa.admission.dial_plan;
            b.ok(
                7,
                vec![format!("dialed {}: Outlook Voice Access of {}", sa.dialed, dpn.name)],
                format!(
                    "Outlook Voice Access of {} answers: \"Welcome, you are connected to Microsoft Exchange. To access your mailbox, enter your extension...\"",
                    dpn.name
                ),
            );
            let steps = ova_digits(dir, dpn, req.digits.as_deref())?;
            b.hop(
                8,
                steps,
                "no voice message is recorded: the caller talks to Outlook Voice Access",
                Outcome::Info,
            );
        }
        Resolution::AutoAttendant(aa) => {
            let (a, dp) = (&aa.auto_attendant, &aa.admission.dial_plan);
            let (choice, config) = super::aa_facts::aa_config(a, dp, req.now, ctx.mailboxes);
            b.ok(
                7,
                super::aa_facts::aa_heard(a, &choice, &config),
                format!(
                    "auto attendant {} answers with its {} menu",
                    a.name,
                    choice.describe()
                ),
            );
            b.hop(
                8,
                super::aa_facts::aa_digits(&config, req.digits.as_deref()),
                "no voice message is recorded: the caller uses the auto attendant",
                Outcome::Info,
            );
        }
        Resolution::Rejected(_) => {}
    }
    Ok(())
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
