//! [`resolve_call`]: what Exchange UM does with an INVITE, decided from the directory.
//!
//! 1. Admission: the peer must be a UM IP gateway (its address, case-insensitive), enabled;
//!    the Request-URI user names a hunt group pilot on that gateway, or an Outlook Voice
//!    Access number / auto-attendant number whose dial plan has a hunt group on it; the
//!    transport must match the dial plan's VoIP security (TLS for SIPSecured and Secured), and
//!    over mutual TLS a name in the peer's certificate must be the address of a UM IP gateway
//!    of the dial plan (Exchange identifies the gateway by its certificate, not its address).
//! 2. Who answers: a diverted call to a hunt group pilot is call answering: the diverted party
//!    is looked up as an EUM proxy address in the dial plan (`eum:<party>;phone-context=<ctx>`),
//!    the recipient must be UM-enabled in that dial plan and its mailbox server
//!    (`msExchHomeServerName`) must exist. A call without diversion is Outlook Voice Access;
//!    a call to an auto-attendant number is that auto attendant, if enabled.
//!
//! The greeting kind comes from the mailbox folder when there is one (the lab). The rules
//! that have no published source are umctl's and are documented in docs/trace-call.md.

use std::path::PathBuf;

use serde::Serialize;

use super::{IncomingCall, UmContext, UmError};
use crate::directory::lookup;
use crate::directory::model::{
    attrs, AutoAttendant, DialPlan, EumAddress, ExchangeOrg, ExchangeServer, HuntGroup, IpGateway,
    UmUser,
};
use crate::directory::Directory;
use crate::mail::Mailbox;

/// The gateway, hunt group and dial plan that admitted a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Admission {
    pub gateway: IpGateway,
    pub hunt_group: HuntGroup,
    pub dial_plan: DialPlan,
}

/// Which greeting the worker plays (domain.md B.4.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Greeting {
    /// The user's away (out-of-office) greeting (`away.wav`), turned on (`away.on`).
    Away { file: PathBuf },
    /// The user's own recording (`greeting.wav` in the mailbox).
    Custom { file: PathBuf },
    /// A system prompt around the user's recorded name (`name.wav`).
    RecordedName { file: PathBuf },
    /// Text to speech of the display name.
    TextToSpeech { text: String },
    /// The mailbox is in Exchange, out of reach (a real AD).
    Unknown,
}

impl Greeting {
    /// The greeting of `mailbox` (`None`: contents unknown, a real AD): the away greeting
    /// while it is on, else the custom one, else the recorded name, else TTS.
    pub fn for_mailbox(mailbox: Option<&Mailbox>, display: &str) -> Greeting {
        let Some(mailbox) = mailbox else {
            return Greeting::Unknown;
        };
        let away = mailbox.away_greeting();
        if mailbox.away_on().is_file() && away.is_file() {
            return Greeting::Away { file: away };
        }
        let custom = mailbox.greeting();
        if custom.is_file() {
            return Greeting::Custom { file: custom };
        }
        let name = mailbox.recorded_name();
        if name.is_file() {
            return Greeting::RecordedName { file: name };
        }
        Greeting::TextToSpeech {
            text: format!(
                "Please leave a message for {display}. After recording, you can hang up, or press the pound key for more options."
            ),
        }
    }

    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Greeting::Away { file } => {
                format!("away (out-of-office) greeting ({})", file.display())
            }
            Greeting::Custom { file } => format!("custom greeting ({})", file.display()),
            Greeting::RecordedName { file } => {
                format!(
                    "system greeting with the recorded name ({})",
                    file.display()
                )
            }
            Greeting::TextToSpeech { .. } => {
                "text-to-speech greeting (no greeting.wav or name.wav in the mailbox)".into()
            }
            Greeting::Unknown => "unknown (mailbox contents are in Exchange)".into(),
        }
    }
}

/// Call answering: a diverted call for a UM-enabled user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallAnswering {
    pub admission: Admission,
    /// The diverted party that matched (`bob@contoso.com`, `9000`).
    pub called_party: String,
    pub eum: EumAddress,
    pub user: UmUser,
    pub mailbox_server: ExchangeServer,
    /// The user's lab mailbox folder (`None` on a real AD, or without a usable
    /// sAMAccountName): where the message goes, the greetings and the PIN are.
    pub mailbox: Option<Mailbox>,
    pub greeting: Greeting,
    pub reason: Option<String>,
}

/// Outlook Voice Access (subscriber access) of a dial plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubscriberAccess {
    pub admission: Admission,
    /// The number or pilot the caller dialed.
    pub dialed: String,
}

/// An auto attendant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutoAttendantCall {
    pub admission: Admission,
    pub auto_attendant: AutoAttendant,
}

/// Why Exchange turns a call away. Admission reasons stop the INVITE at the first server;
/// lookup reasons are found when UM looks for who answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The peer is no UM IP gateway.
    UnknownGateway,
    /// The gateway is disabled.
    GatewayDisabled,
    /// The Request-URI names no hunt group pilot, OVA or auto-attendant number.
    UnknownPilot,
    /// The gateway has no hunt group for the dial plan.
    NoHuntGroup,
    /// TLS versus the dial plan's VoIP security.
    SecurityMismatch,
    /// Mutual TLS: no certificate, or none of its names is a gateway of the dial plan.
    GatewayCertificate,
    /// No EUM proxy for the diverted party in the dial plan.
    CalledPartyNotFound,
    /// The recipient is UM-enabled in another dial plan than the EUM address says.
    WrongDialPlan,
    /// The recipient has the EUM address but is not UM-enabled.
    NotUmEnabled,
    /// The recipient's mailbox server is not a known Exchange mailbox server.
    MailboxServerUnknown,
    /// The auto attendant is disabled.
    AutoAttendantDisabled,
}

impl RejectReason {
    /// Whether the reason is found while admitting the INVITE (gateway, hunt group,
    /// security), as opposed to while looking up who answers.
    pub fn is_admission(self) -> bool {
        matches!(
            self,
            RejectReason::UnknownGateway
                | RejectReason::GatewayDisabled
                | RejectReason::UnknownPilot
                | RejectReason::NoHuntGroup
                | RejectReason::SecurityMismatch
                | RejectReason::GatewayCertificate
        )
    }
}

/// A rejected call: the reason, the SIP status UM answers with, and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub reason: RejectReason,
    pub status: u16,
    pub phrase: &'static str,
    pub detail: String,
    /// The dial plan, when it was known before the call was turned away.
    pub dial_plan: Option<String>,
}

/// What UM does with the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    CallAnswering(Box<CallAnswering>),
    SubscriberAccess(Box<SubscriberAccess>),
    AutoAttendant(Box<AutoAttendantCall>),
    Rejected(Rejection),
}

impl Resolution {
    pub fn admission(&self) -> Option<&Admission> {
        match self {
            Resolution::CallAnswering(c) => Some(&c.admission),
            Resolution::SubscriberAccess(s) => Some(&s.admission),
            Resolution::AutoAttendant(a) => Some(&a.admission),
            Resolution::Rejected(_) => None,
        }
    }

    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Resolution::Rejected(r) => Some(r),
            _ => None,
        }
    }
}

fn reject(reason: RejectReason, dial_plan: Option<&DialPlan>, detail: String) -> Resolution {
    Resolution::Rejected(rejection(reason, dial_plan, detail))
}

/// A rejection with the SIP status UM answers for `reason`.
pub fn rejection(reason: RejectReason, dial_plan: Option<&DialPlan>, detail: String) -> Rejection {
    let (status, phrase) = match reason {
        RejectReason::UnknownGateway
        | RejectReason::GatewayDisabled
        | RejectReason::NoHuntGroup
        | RejectReason::GatewayCertificate => (403, "Forbidden"),
        RejectReason::UnknownPilot | RejectReason::CalledPartyNotFound => (404, "Not Found"),
        RejectReason::SecurityMismatch => (488, "Not Acceptable Here"),
        RejectReason::WrongDialPlan | RejectReason::NotUmEnabled => (404, "Not Found"),
        RejectReason::MailboxServerUnknown => (503, "Service Unavailable"),
        RejectReason::AutoAttendantDisabled => (480, "Temporarily Unavailable"),
    };
    Rejection {
        reason,
        status,
        phrase,
        detail,
        dial_plan: dial_plan.map(|d| d.name.clone()),
    }
}

/// The gateway the peer `source` is, matched by address (an FQDN, or an IP the lab's host
/// table names).
fn gateway_for(gateways: &[IpGateway], source: &str, ctx: &UmContext<'_>) -> Option<IpGateway> {
    let mut names = vec![source.to_string()];
    if let (Some(hosts), Ok(ip)) = (ctx.hosts, source.parse()) {
        if let Some(name) = hosts.name_of(ip) {
            names.push(name.to_string());
        }
    }
    gateways
        .iter()
        .find(|g| names.iter().any(|n| g.has_address(n)))
        .cloned()
}

/// What the Request-URI named, once admitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dialed {
    /// A hunt group pilot (the dial plan's name for a Skype for Business gateway).
    Pilot,
    /// An Outlook Voice Access number of the dial plan.
    SubscriberAccess,
    /// An auto attendant's number.
    AutoAttendant(Box<AutoAttendant>),
}

/// An admitted call: the gateway, hunt group and dial plan, and what the Request-URI named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Admitted {
    pub admission: Admission,
    pub dialed: Dialed,
}

/// Who sent an INVITE: its address (or FQDN), whether over TLS, and over TLS the names in
/// the certificate it presented (`None`: none).
#[derive(Clone, Copy, Debug)]
pub struct Peer<'a> {
    pub source: &'a str,
    pub secure: bool,
    pub certificate_names: Option<&'a [String]>,
}

/// Admission (step 1 of [`resolve_call`]): would Exchange take an INVITE from `source` for
/// `request_user` over TLS (`secure`, presenting the certificate of the pool `source`) or
/// TCP? The Skype side's trace asks the same question with the same function before the
/// INVITE is sent.
pub fn admit<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    source: &str,
    request_user: &str,
    secure: bool,
    ctx: &UmContext<'_>,
) -> Result<Result<Admitted, Rejection>, UmError> {
    let names = [source.to_string()];
    let peer = Peer {
        source,
        secure,
        certificate_names: secure.then_some(&names[..]),
    };
    admit_peer(dir, org, &peer, request_user, ctx)
}

/// [`admit`] for a peer with the certificate it really presented.
pub fn admit_peer<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    peer: &Peer<'_>,
    request_user: &str,
    ctx: &UmContext<'_>,
) -> Result<Result<Admitted, Rejection>, UmError> {
    let (source, secure) = (peer.source, peer.secure);
    let rejected = |r: Rejection| Ok(Err(r));
    let gateways = lookup::gateways(dir, org)?;
    let Some(gateway) = gateway_for(&gateways, source, ctx) else {
        return rejected(rejection(
            RejectReason::UnknownGateway,
            None,
            format!(
                "{source} is not a UM IP gateway (no msExchUMIPGatewayAddress equals it), so Exchange refuses its INVITE"
            ),
        ));
    };
    if gateway.status != crate::directory::model::GatewayStatus::Enabled {
        return rejected(rejection(
            RejectReason::GatewayDisabled,
            None,
            format!("UM IP gateway {} is {:?}", gateway.name, gateway.status),
        ));
    }
    let hunt_groups = lookup::hunt_groups(dir, &gateway.dn)?;
    let user = request_user;

    // The Request-URI names a hunt group pilot, an auto-attendant number or an OVA number.
    let by_pilot = hunt_groups.iter().find(|h| {
        h.pilot_identifier
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(user))
    });
    let (dial_plan_dn, dialed) = if let Some(h) = by_pilot {
        (h.dial_plan.clone(), Dialed::Pilot)
    } else if let Some(aa) = number_lookup(user, |n| lookup::auto_attendant_by_number(dir, org, n))?
    {
        (aa.dial_plan.clone(), Dialed::AutoAttendant(Box::new(aa)))
    } else if let Some(dp) = number_lookup(user, |n| lookup::dial_plan_by_ova_number(dir, org, n))?
    {
        (dp.dn.clone(), Dialed::SubscriberAccess)
    } else if let Some(dp) = lookup::dial_plans(dir, org)?
        .into_iter()
        .find(|d| d.pilot_identifier().eq_ignore_ascii_case(user))
    {
        // The pilot a hunt group for this dial plan would have, but the gateway has none.
        return rejected(rejection(
            RejectReason::NoHuntGroup,
            Some(&dp),
            format!(
                "UM IP gateway {} has no hunt group for dial plan {} (pilot identifier {user}), so Exchange does not accept calls for it from {source}",
                gateway.name, dp.name
            ),
        ));
    } else {
        return rejected(rejection(
            RejectReason::UnknownPilot,
            None,
            format!(
                "'{user}' is no hunt group pilot of gateway {}, no Outlook Voice Access number and no auto-attendant number",
                gateway.name
            ),
        ));
    };
    let Some(dial_plan) = lookup::read_as(dir, &dial_plan_dn, DialPlan::from_entry)? else {
        return rejected(rejection(
            RejectReason::NoHuntGroup,
            None,
            format!("the dial plan {dial_plan_dn} does not exist"),
        ));
    };
    let hunt_group = match by_pilot {
        Some(h) => Some(h.clone()),
        None => hunt_groups
            .iter()
            .find(|h| h.dial_plan == dial_plan.dn)
            .cloned(),
    };
    let Some(hunt_group) = hunt_group else {
        return rejected(rejection(
            RejectReason::NoHuntGroup,
            Some(&dial_plan),
            format!(
                "UM IP gateway {} has no hunt group for dial plan {}, so Exchange does not accept calls for it from {source}",
                gateway.name, dial_plan.name
            ),
        ));
    };
    let tls_needed = dial_plan.voip_security.uses_tls();
    if tls_needed != secure {
        let (got, want) = if secure {
            ("TLS", "TCP (it is Unsecured)")
        } else {
            ("TCP", "TLS (it is SIPSecured or Secured)")
        };
        return rejected(rejection(
            RejectReason::SecurityMismatch,
            Some(&dial_plan),
            format!(
                "Incompatible security setting: the call comes over {got}, dial plan {} expects {want}",
                dial_plan.name
            ),
        ));
    }
    if tls_needed {
        if let Some(r) = certificate_rejection(dir, &gateways, &gateway, &dial_plan, peer, ctx)? {
            return rejected(r);
        }
    }
    Ok(Ok(Admitted {
        admission: Admission {
            gateway,
            hunt_group,
            dial_plan,
        },
        dialed,
    }))
}

/// Mutual TLS (SIPSecured and Secured): the peer's certificate must name a UM IP gateway of
/// the dial plan (one with a hunt group for it), `gateway` (the one its address matched) first.
fn certificate_rejection<D: Directory + ?Sized>(
    dir: &D,
    gateways: &[IpGateway],
    gateway: &IpGateway,
    dial_plan: &DialPlan,
    peer: &Peer<'_>,
    ctx: &UmContext<'_>,
) -> Result<Option<Rejection>, UmError> {
    let security = format!("{:?}", dial_plan.voip_security);
    // `pool01.contoso.com at 127.0.10.1` when the lab's hosts table names the address.
    let who = match (ctx.hosts, peer.source.parse()) {
        (Some(hosts), Ok(ip)) => hosts.name_of(ip).map_or_else(
            || peer.source.to_string(),
            |n| format!("{n} at {}", peer.source),
        ),
        _ => peer.source.to_string(),
    };
    let Some(names) = peer.certificate_names else {
        return Ok(Some(rejection(
            RejectReason::GatewayCertificate,
            Some(dial_plan),
            format!(
                "{who} presented no TLS certificate, so Exchange cannot identify it as UM IP gateway {} ({}): dial plan {} is {security} and needs mutual TLS",
                gateway.name, gateway.address, dial_plan.name
            ),
        )));
    };
    let named = |g: &IpGateway| names.iter().any(|n| g.has_address(n));
    if named(gateway) {
        return Ok(None);
    }
    let mut of_plan = Vec::new();
    for g in gateways {
        let serves_plan = lookup::hunt_groups(dir, &g.dn)?
            .iter()
            .any(|h| h.dial_plan == dial_plan.dn);
        if serves_plan {
            if named(g) {
                return Ok(None);
            }
            of_plan.push(format!("{} ({})", g.name, g.address));
        }
    }
    Ok(Some(rejection(
        RejectReason::GatewayCertificate,
        Some(dial_plan),
        format!(
            "the TLS certificate of {who} names {}, which is not the address of a UM IP gateway of dial plan {} (its gateways: {}), so Exchange refuses the call",
            if names.is_empty() { "nothing".into() } else { names.join(", ") },
            dial_plan.name,
            of_plan.join(", ")
        ),
    )))
}

/// Decides what Exchange UM does with `call`.
pub fn resolve_call<D: Directory + ?Sized>(
    dir: &D,
    call: &IncomingCall,
    ctx: &UmContext<'_>,
) -> Result<Resolution, UmError> {
    let org = lookup::organization(dir)?;
    let user = call.request_user.clone().unwrap_or_default();
    let peer = Peer {
        source: &call.source,
        secure: call.secure,
        certificate_names: call.peer_names.as_deref(),
    };
    tracing::debug!(
        source = %call.source,
        request_user = %user,
        secure = call.secure,
        "resolve: the INVITE Exchange UM would receive"
    );
    let admitted = admit_peer(dir, &org, &peer, &user, ctx)?;
    answer(dir, &org, call, admitted, None, ctx)
}

/// [`resolve_call`] for a caller that already has Exchange's admission of `call` (what
/// [`admit`] answers for its source, Request-URI user and transport) and the organization's
/// Exchange servers, so only the lookups of this call remain: `umctl doctor` admits once per
/// pool and dial plan, then resolves each user's call with it.
pub fn resolve_admitted<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    call: &IncomingCall,
    admitted: &Result<Admitted, Rejection>,
    servers: &[ExchangeServer],
    ctx: &UmContext<'_>,
) -> Result<Resolution, UmError> {
    answer(dir, org, call, admitted.clone(), Some(servers), ctx)
}

/// Who answers an admitted call (`servers`: the organization's Exchange servers, when the
/// caller has them; else they are read when needed).
fn answer<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    call: &IncomingCall,
    admitted: Result<Admitted, Rejection>,
    servers: Option<&[ExchangeServer]>,
    ctx: &UmContext<'_>,
) -> Result<Resolution, UmError> {
    let user = call.request_user.clone().unwrap_or_default();
    let admitted = match admitted {
        Ok(a) => a,
        Err(r) => {
            tracing::debug!(reason = ?r.reason, detail = %r.detail, "resolve: refused");
            return Ok(Resolution::Rejected(r));
        }
    };
    tracing::debug!(
        dial_plan = %admitted.admission.dial_plan.name,
        "resolve: admitted"
    );
    let admission = admitted.admission;
    match admitted.dialed {
        Dialed::AutoAttendant(aa) => {
            if !aa.enabled {
                return Ok(reject(
                    RejectReason::AutoAttendantDisabled,
                    Some(&admission.dial_plan),
                    format!(
                        "auto attendant {} is disabled (msExchUMAutoAttendantFlags), so UM does not answer {user}",
                        aa.name
                    ),
                ));
            }
            Ok(Resolution::AutoAttendant(Box::new(AutoAttendantCall {
                admission,
                auto_attendant: *aa,
            })))
        }
        Dialed::SubscriberAccess => Ok(Resolution::SubscriberAccess(Box::new(SubscriberAccess {
            admission,
            dialed: user,
        }))),
        Dialed::Pilot if !call.is_diverted() => {
            Ok(Resolution::SubscriberAccess(Box::new(SubscriberAccess {
                admission,
                dialed: user,
            })))
        }
        Dialed::Pilot => call_answering(dir, org, call, admission, servers, ctx),
    }
}

/// Looks `user` up as a number (E.164 with `+`, or digits tried with and without `+`).
fn number_lookup<T>(
    user: &str,
    find: impl Fn(&str) -> lookup::Result<Option<T>>,
) -> lookup::Result<Option<T>> {
    let digits = user.strip_prefix('+').unwrap_or(user);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    if let Some(found) = find(user)? {
        return Ok(Some(found));
    }
    if !user.starts_with('+') {
        return find(&format!("+{user}"));
    }
    Ok(None)
}

/// Finds the recipient whose EUM address in the dial plan is one of the diverted parties.
fn call_answering<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    call: &IncomingCall,
    admission: Admission,
    servers: Option<&[ExchangeServer]>,
    ctx: &UmContext<'_>,
) -> Result<Resolution, UmError> {
    let dp = &admission.dial_plan;
    let mut found = None;
    'outer: for party in &call.diverted {
        let eum = EumAddress::new(party.clone(), dp.phone_context.clone());
        for attr in [attrs::PROXY_ADDRESSES, attrs::MSEXCH_UM_ADDRESSES] {
            let entries = lookup::by_attribute(dir, attr, &eum.to_string())?;
            if let Some(e) = entries.iter().find(|e| e.has_object_class(attrs::OC_USER)) {
                found = Some((party.clone(), eum, UmUser::from_entry(e)?));
                break 'outer;
            }
        }
    }
    let Some((called_party, eum, user)) = found else {
        let tried = call
            .diverted
            .iter()
            .map(|p| format!("eum:{p};phone-context={}", dp.phone_context))
            .collect::<Vec<_>>()
            .join(", ");
        let elsewhere = elsewhere(dir, &call.diverted)?;
        return Ok(reject(
            RejectReason::CalledPartyNotFound,
            Some(dp),
            format!(
                "no recipient has the EUM proxy address {tried} (Event 1109 InvalidExtensionInCall){elsewhere}"
            ),
        ));
    };
    let who = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.dn.to_string());
    if !user.um_enabled {
        return Ok(reject(
            RejectReason::NotUmEnabled,
            Some(dp),
            format!("{who} has the EUM address {eum} but is not UM-enabled (msExchUMEnabledFlags)"),
        ));
    }
    if user.dial_plan.as_ref() != Some(&dp.dn) {
        let linked = user
            .dial_plan
            .as_ref()
            .and_then(|d| d.rdn_value())
            .unwrap_or("no dial plan")
            .to_string();
        return Ok(reject(
            RejectReason::WrongDialPlan,
            Some(dp),
            format!(
                "{who}'s EUM address {eum} is in dial plan {}, but msExchUMRecipientDialPlanLink says {linked}",
                dp.name
            ),
        ));
    }
    let read;
    let servers = match servers {
        Some(s) => s,
        None => {
            read = lookup::exchange_servers(dir, org)?;
            &read
        }
    };
    let server = user.home_server.as_deref().and_then(|legacy| {
        servers
            .iter()
            .find(|s| s.has_legacy_dn(legacy) && s.is_mailbox())
    });
    let Some(server) = server.cloned() else {
        return Ok(reject(
            RejectReason::MailboxServerUnknown,
            Some(dp),
            format!(
                "{who}'s mailbox server {} (msExchHomeServerName) is no Exchange mailbox server of the organization",
                user.home_server.as_deref().unwrap_or("(none)")
            ),
        ));
    };
    let mailbox = ctx.mailbox_of(&user);
    let greeting = Greeting::for_mailbox(mailbox.as_ref(), &who);
    Ok(Resolution::CallAnswering(Box::new(CallAnswering {
        admission,
        called_party,
        eum,
        user,
        mailbox_server: server,
        mailbox,
        greeting,
        reason: call.diversion_reason.clone(),
    })))
}

/// ", but eum:... exists in <other context>" when a diverted party has an EUM address in
/// another dial plan (a substring search: only on this failure path).
fn elsewhere<D: Directory + ?Sized>(dir: &D, parties: &[String]) -> Result<String, UmError> {
    for party in parties {
        let escaped: String = party
            .chars()
            .flat_map(|c| match c {
                '*' => "\\2a".chars().collect::<Vec<_>>(),
                '(' => "\\28".chars().collect(),
                ')' => "\\29".chars().collect(),
                '\\' => "\\5c".chars().collect(),
                c => vec![c],
            })
            .collect();
        let filter = format!("({}=eum:{escaped};phone-context=*)", attrs::PROXY_ADDRESSES);
        for e in lookup::by_filter(dir, &filter)? {
            if let Ok(user) = UmUser::from_entry(&e) {
                if let Some(a) = user
                    .eum_addresses
                    .iter()
                    .find(|a| a.address.eq_ignore_ascii_case(party))
                {
                    return Ok(format!(
                        "; {} has {a}, in another dial plan",
                        user.display_name.as_deref().unwrap_or("a recipient")
                    ));
                }
            }
        }
    }
    Ok(String::new())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn greeting_kind_follows_the_mailbox_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("bob")).unwrap();
        std::fs::write(root.join("bob").join(Mailbox::GREETING_FILE), b"x").unwrap();
        std::fs::write(root.join("bob").join(Mailbox::NAME_FILE), b"x").unwrap();
        std::fs::create_dir_all(root.join("alice")).unwrap();
        std::fs::write(root.join("alice").join(Mailbox::NAME_FILE), b"x").unwrap();
        let mailbox = |sam| Mailbox::open(root, sam).unwrap();
        assert!(matches!(
            Greeting::for_mailbox(Some(&mailbox("Bob")), "Bob"),
            Greeting::Custom { .. }
        ));
        assert!(matches!(
            Greeting::for_mailbox(Some(&mailbox("alice")), "Alice"),
            Greeting::RecordedName { .. }
        ));
        match Greeting::for_mailbox(Some(&mailbox("carol")), "Carol Nasser") {
            Greeting::TextToSpeech { text } => assert!(text.contains("Carol Nasser")),
            other => panic!("{other:?}"),
        }
        let unknown = Greeting::for_mailbox(None, "Bob");
        assert_eq!(unknown, Greeting::Unknown);
        assert_eq!(
            unknown.describe(),
            "unknown (mailbox contents are in Exchange)"
        );
    }

    #[test]
    fn numbers_are_tried_with_and_without_plus() {
        let seen = std::cell::RefCell::new(Vec::new());
        let found = number_lookup("96265515333", |n| {
            seen.borrow_mut().push(n.to_string());
            Ok((n == "+96265515333").then_some(1))
        })
        .unwrap();
        assert_eq!(found, Some(1));
        assert_eq!(*seen.borrow(), vec!["96265515333", "+96265515333"]);
        assert_eq!(number_lookup("LOC801", |_| Ok(Some(1))).unwrap(), None);
    }

    #[test]
    fn admission_reasons_are_told_apart_from_lookup_reasons() {
        assert!(RejectReason::NoHuntGroup.is_admission());
        assert!(RejectReason::SecurityMismatch.is_admission());
        assert!(!RejectReason::CalledPartyNotFound.is_admission());
        let r = rejection(RejectReason::SecurityMismatch, None, "x".into());
        assert_eq!((r.status, r.phrase), (488, "Not Acceptable Here"));
    }
}
