//! The why and the fix of each classic failure of a voice-mail call, in plain words and in
//! the terms administrators search for. A fix is the umctl command when umctl can make the
//! change (`umctl grant-permissions`, `umctl new-contact`), else the Exchange or Skype for
//! Business cmdlet an administrator runs. Pure text: no lookups, no I/O.

use crate::directory::model::{DialPlan, EumAddress, UmUser};
use crate::frontend::routing::mask_name;
use crate::frontend::{ContactTarget, GroupAccess, NumberOwner, ObjectAccess};
use crate::um::{RejectReason, Rejection};

/// A failure explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// A short stable name of the cause (`rtc-read-denied`, `no-hunt-group`): what
    /// `umctl doctor` groups its findings by, and the trace's JSON names.
    pub cause: &'static str,
    pub why: String,
    pub fix: String,
}

fn fix(cause: &'static str, why: impl Into<String>, fix: impl Into<String>) -> Fix {
    Fix {
        cause,
        why: why.into(),
        fix: fix.into(),
    }
}

/// The identity cmdlets take for a user: UPN, else mail, else sAMAccountName.
pub fn identity(user: &UmUser) -> String {
    user.upn
        .clone()
        .or_else(|| user.mail.clone())
        .or_else(|| user.sam.clone())
        .unwrap_or_else(|| user.dn.to_string())
}

fn name(user: &UmUser) -> String {
    user.display_name
        .clone()
        .or_else(|| user.sam.clone())
        .unwrap_or_else(|| user.dn.to_string())
}

/// Where umctl would create a contact and with what: the inputs of a `new-contact` line.
pub struct ContactPlace<'a> {
    pub pool: Option<&'a str>,
    /// Where the directory's Exchange UM contacts live; `None` when it has none yet.
    pub ou: Option<&'a str>,
    pub domain: &'a str,
}

/// The `--ou` placeholder when the directory has no Exchange UM contact to learn the OU from.
pub const OU_PLACEHOLDER: &str = "<OU for Exchange UM contacts>";

/// The `umctl new-contact` command that creates the contact for `number`.
pub fn new_contact_command(number: &str, owner: &NumberOwner, place: &ContactPlace<'_>) -> String {
    let pool = place.pool.unwrap_or("<registrar pool FQDN>");
    let (what, sip) = match owner {
        NumberOwner::SubscriberAccess(dp) => (
            format!("--dial-plan {}", dp.name),
            format!("sip:{}-sa@{}", dp.name.to_ascii_lowercase(), place.domain),
        ),
        NumberOwner::AutoAttendant(aa) => (
            format!("--auto-attendant {}", aa.name),
            format!("sip:{}@{}", aa.name.to_ascii_lowercase(), place.domain),
        ),
    };
    format!(
        "umctl new-contact {what} --display-number {number} --sip-address {sip} --registrar-pool {pool} --ou \"{}\"",
        place.ou.unwrap_or(OU_PLACEHOLDER)
    )
}

/// A number nobody carries in msRTCSIP-Line.
pub fn number_without_contact(
    number: &str,
    owner: Option<&NumberOwner>,
    place: &ContactPlace<'_>,
) -> Fix {
    match owner {
        Some(o @ NumberOwner::SubscriberAccess(dp)) => fix(
            "ova-number-without-contact",
            format!(
                "{number} is the Outlook Voice Access number of dial plan {}, but no user or contact has msRTCSIP-Line tel:{number}: Skype for Business does not know the number belongs to Exchange UM and routes the call out to the PSTN",
                dp.name
            ),
            new_contact_command(number, o, place),
        ),
        Some(o @ NumberOwner::AutoAttendant(aa)) => fix(
            "aa-number-without-contact",
            format!(
                "{number} is the number of auto attendant {}, but no user or contact has msRTCSIP-Line tel:{number}: Skype for Business does not know the number belongs to Exchange UM and routes the call out to the PSTN",
                aa.name
            ),
            new_contact_command(number, o, place),
        ),
        None => fix(
            "number-without-owner",
            format!(
                "no user or contact has msRTCSIP-Line tel:{number}, and it is no Outlook Voice Access or auto-attendant number: Skype for Business routes the call out to the PSTN"
            ),
            format!("Set-CsUser -Identity <user> -LineURI \"tel:{number}\" (for a user), or umctl new-contact for an OVA or auto-attendant number"),
        ),
    }
}

/// A name, SIP address or extension nobody has.
pub fn target_not_found(target: &str, tried: &[String]) -> Fix {
    fix(
        "target-not-found",
        format!(
            "no user or contact matches {target} (looked up {}): the Front End has no one to ring and nothing to send to voice mail",
            tried.join(", ")
        ),
        "check the target: give the SIP address (sip:bob@contoso.com), the E.164 number, or --from CALLER so an extension is read in the caller's dial plan".to_string(),
    )
}

/// A user not enabled for Skype for Business.
pub fn not_sip_enabled(user: &UmUser, pool: Option<&str>) -> Fix {
    let id = identity(user);
    if user.sip_address.is_none() {
        return fix(
            "not-sip-enabled",
            format!(
                "{} is not enabled for Skype for Business (no msRTCSIP-PrimaryUserAddress): calls through Skype cannot reach this user, so Skype never routes one to voice mail (a PBX user reaches UM through the PBX's own UM IP gateway)",
                name(user)
            ),
            format!(
                "Enable-CsUser -Identity {id} -RegistrarPool {} -SipAddressType EmailAddress",
                pool.unwrap_or("<pool FQDN>")
            ),
        );
    }
    fix(
        "sip-disabled",
        format!(
            "{} is disabled for Skype for Business (msRTCSIP-UserEnabled FALSE): the Front End does not route calls to this user, so none reaches voice mail",
            name(user)
        ),
        format!("Set-CsUser -Identity {id} -Enabled $true"),
    )
}

/// Two or more objects share a SIP address or line URI, which must be unique.
pub fn shared_address(attr: &str, value: &str, names: &str) -> Fix {
    fix(
        "shared-address",
        format!(
            "{value} is the {attr} of more than one object ({names}): the Front End cannot tell whom the call is for, so it routes it to none of them (Skype for Business requires a SIP address and a line URI to be unique in the forest)"
        ),
        if attr.eq_ignore_ascii_case(crate::directory::model::attrs::MSRTCSIP_LINE) {
            format!("keep {value} on one of them and give the others their own: Set-CsUser -Identity <user> -LineURI \"tel:<their number>\"")
        } else {
            format!("keep {value} on one of them and give the others their own: Set-CsUser -Identity <user> -SipAddress \"sip:<their address>\"")
        },
    )
}

/// An Exchange UM contact homed on a pool older than Lync Server 2010.
pub fn contact_pool_too_old(who: &str, pool: &str, newer: Option<&str>) -> Fix {
    fix(
        "contact-pool-too-old",
        format!(
            "contact {who} is homed on {pool}, a pool older than Lync Server 2010: such pools do not run ExUM Routing for Exchange UM contacts, so the number does not reach Exchange UM"
        ),
        format!(
            "Move-CsExUmContact -Identity \"{who}\" -Target {}",
            newer.unwrap_or("<Lync 2010 or newer pool FQDN>")
        ),
    )
}

/// The UM startup mode of the server the INVITE goes to refuses the transport.
pub fn startup_mode(
    server: &str,
    mode: crate::directory::model::UmStartupMode,
    dp: &DialPlan,
    secure: bool,
) -> Fix {
    let (transport, wanted) = if secure {
        ("TLS", "Dual")
    } else {
        ("TCP", "Dual")
    };
    fix(
        "startup-mode-mismatch",
        format!(
            "{server}'s UMStartupMode is {} (msExchUMStartupMode), so its UM services do not listen for {transport}, and dial plan {} is {:?}: every call over {transport} fails to connect",
            mode.label(),
            dp.name,
            dp.voip_security
        ),
        format!(
            "Set-UMCallRouterSettings -Server {server} -UMStartupMode {wanted}; Set-UMService -Identity {server} -UMStartupMode {wanted} (then restart the UM Call Router and UM services)"
        ),
    )
}

/// A disabled contact.
pub fn contact_disabled(contact: &ContactTarget) -> Fix {
    fix(
        "contact-disabled",
        format!(
            "contact {} is disabled (msRTCSIP-UserEnabled FALSE): the Front End does not route calls to it",
            contact.name()
        ),
        format!("Set-CsExUmContact -Identity \"{}\" -Enabled $true", contact.dn),
    )
}

/// A callee whose home pool is missing or unknown.
pub fn no_home_pool(who: &str, home: Option<&str>, pool: Option<&str>, is_user: bool) -> Fix {
    let why = match home {
        None => format!("{who} has no home pool (msRTCSIP-PrimaryHomeServer): no Front End serves the call"),
        Some(dn) => format!("{who}'s home pool {dn} (msRTCSIP-PrimaryHomeServer) is no Skype for Business pool, or it has no FQDN"),
    };
    let cmdlet = if is_user {
        "Move-CsUser"
    } else {
        "Move-CsExUmContact"
    };
    fix(
        "no-home-pool",
        why,
        format!(
            "{cmdlet} -Identity \"{who}\" -Target {}",
            pool.unwrap_or("<pool FQDN>")
        ),
    )
}

/// Hosted voice mail: where the call goes instead.
pub fn hosted_voice_mail(who: &str, identity: &str, values: &[String], is_user: bool) -> Fix {
    fix(
        "hosted-voice-mail",
        format!(
            "{who} uses hosted voice mail (msExchUCVoiceMailSettings {}): ExUM Routing sends the call to the hosted voice mail policy's destination (Exchange Online, through the Edge), never to on-premises Exchange UM; this trace stops here",
            values.join(", ")
        ),
        if is_user {
            format!("if the mailbox is on premises and should use Exchange UM: Set-CsUser -Identity {identity} -HostedVoiceMail $false (and Enable-UMMailbox on premises)")
        } else {
            format!("Set-ADObject -Identity \"{identity}\" -Remove @{{msExchUCVoiceMailSettings='CsHostedVoiceMail=1'}}")
        },
    )
}

/// The SIP dial plan an extension of `len` digits most likely belongs to.
pub fn guess_dial_plan(dial_plans: &[DialPlan], len: usize) -> String {
    dial_plans
        .iter()
        .find(|d| d.is_sip() && usize::from(d.digits) == len)
        .or_else(|| dial_plans.iter().find(|d| d.is_sip()))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| "<SIP dial plan>".into())
}

fn enable_um(user: &UmUser, dial_plan: &str) -> String {
    let id = identity(user);
    let ext = user
        .line_uri
        .as_ref()
        .and_then(|l| l.ext.clone())
        .or_else(|| {
            user.eum_addresses
                .iter()
                .find(|a| a.is_extension())
                .map(|a| a.address.clone())
        });
    let mut cmd =
        format!("Enable-UMMailbox -Identity {id} -UMMailboxPolicy \"{dial_plan} Default Policy\"");
    if let Some(ext) = ext {
        cmd.push_str(&format!(" -Extensions {ext}"));
    }
    if let Some(sip) = user.sip_user() {
        cmd.push_str(&format!(" -SIPResourceIdentifier {sip}"));
    }
    cmd
}

/// Not UM-enabled.
pub fn not_um_enabled(user: &UmUser, flags: Option<i64>, dial_plan: &str) -> Fix {
    fix(
        "not-um-enabled",
        format!(
            "{} is not enabled for Unified Messaging (msExchUMEnabledFlags {}, bit 1 clear): Skype for Business has no Exchange UM dial plan to send the call to, so there is no voice mail",
            name(user),
            flags.map(|f| f.to_string()).unwrap_or_else(|| "absent".into())
        ),
        enable_um(user, dial_plan),
    )
}

/// UM-enabled without a dial plan.
pub fn no_dial_plan(user: &UmUser, dial_plan: &str) -> Fix {
    fix(
        "no-dial-plan",
        format!(
            "{} is UM-enabled but has neither an EUM proxy address nor msExchUMRecipientDialPlanLink: the Front End cannot tell which dial plan (and so which UM servers) to use",
            name(user)
        ),
        format!("Disable-UMMailbox -Identity {}; {}", identity(user), enable_um(user, dial_plan)),
    )
}

/// The contact has no dial plan in otherIPPhone.
pub fn contact_without_dial_plan(contact: &ContactTarget, ctx: Option<&str>, kind: &str) -> Fix {
    let address = contact
        .sip_address
        .as_deref()
        .unwrap_or("sip:<contact address>")
        .to_string();
    let address = address
        .strip_prefix("sip:")
        .map(str::to_string)
        .unwrap_or(address);
    fix(
        "contact-without-dial-plan",
        format!(
            "contact {} carries no UM dial plan in otherIPPhone: the Front End finds the contact but not the dial plan, so it cannot route the call to Exchange UM",
            contact.name()
        ),
        format!(
            "Set-ADObject -Identity \"{}\" -Add @{{otherIPPhone='{kind}:sip:{address};phone-context={}'}} (umctl new-contact writes it when it creates the contact)",
            contact.dn,
            ctx.unwrap_or("<dial plan phone context>")
        ),
    )
}

/// An EUM or otherIPPhone phone context that names no dial plan.
pub fn unknown_phone_context(who: &str, ctx: &str, from: &str) -> Fix {
    fix(
        "unknown-phone-context",
        format!(
            "{who}'s {from} names the phone context {ctx}, but no dial plan has msExchUMPhoneContext {ctx}: the Front End cannot find the dial plan"
        ),
        format!("correct the address to the dial plan's phone context (Get-UMDialPlan | ft Name,PhoneContext), e.g. Set-Mailbox -Identity <user> -EmailAddresses @{{Remove=\"{from}\"; Add=\"<corrected address>\"}}"),
    )
}

/// The dial plan link names a missing object.
pub fn missing_dial_plan(who: &str, dn: &str) -> Fix {
    fix(
        "missing-dial-plan",
        format!("{who}'s msExchUMRecipientDialPlanLink names {dn}, which does not exist"),
        "Disable-UMMailbox and Enable-UMMailbox the user in an existing SIP URI dial plan"
            .to_string(),
    )
}

/// A dial plan that is not SIP URI.
pub fn not_sip(who: &str, user: Option<&UmUser>, dp: &DialPlan, sip_dial_plan: &str) -> Fix {
    let why = format!(
        "dial plan {} of {who} is a {:?} dial plan (msExchUMDialPlanURIType {}): Skype for Business routes voice mail only to SIP URI dial plans, and Exchange 2013 and later servers cannot be linked to any other kind",
        dp.name,
        dp.uri_type,
        dp.uri_type.raw()
    );
    let fix_text = match user {
        Some(u) => format!(
            "move the mailbox to a SIP URI dial plan: Disable-UMMailbox -Identity {}; {}",
            identity(u),
            enable_um(u, sip_dial_plan)
        ),
        None => format!("point the contact at a SIP URI dial plan (otherIPPhone phone-context), e.g. {sip_dial_plan}"),
    };
    fix("not-sip-dial-plan", why, fix_text)
}

/// An RTC group cannot read what the Front End needs.
pub fn read_denied(group: &GroupAccess, object: Option<&ObjectAccess>, dial_plan: &str) -> Fix {
    let Some(obj) = object else {
        return fix(
            "rtc-group-missing",
            format!("the group {} does not exist: Skype for Business forest preparation has not run", group.group),
            "Enable-CsAdForest (Skype for Business Deployment Wizard: Prepare Forest), then umctl grant-permissions".to_string(),
        );
    };
    fix(
        "rtc-read-denied",
        format!(
            "{} may not read {} (effective rights: {}; needs {}): no ACE gives the RTC groups read access to the Exchange UM containers (ExchUCUtil.ps1 was never run, or not since the last change), so the Front End cannot read dial plan {dial_plan} and ExUM Routing fails the call (ms-diagnostics 15030 \"Failed to route to Exchange Server\")",
            group.group,
            obj.label,
            mask_name(obj.granted),
            mask_name(obj.needed)
        ),
        "umctl grant-permissions".to_string(),
    )
}

/// No Exchange server linked to the dial plan.
pub fn no_um_server(dial_plan: &str, cas: Option<&str>, mailbox: Option<&str>) -> Fix {
    fix(
        "no-um-server",
        format!(
            "no Exchange server is linked to dial plan {dial_plan} (msExchUMServerDialPlanLink): the Front End has no UM server to send the INVITE to"
        ),
        format!(
            "Set-UMCallRouterSettings -Server {} -DialPlans @{{Add=\"{dial_plan}\"}}; Set-UMService -Identity {} -DialPlans @{{Add=\"{dial_plan}\"}}",
            cas.unwrap_or("<CAS server>"),
            mailbox.unwrap_or("<mailbox server>")
        ),
    )
}

/// What the explanation of a rejection may name.
#[derive(Clone, Copy, Debug, Default)]
pub struct RejectContext<'a> {
    /// The pool that sends the INVITE.
    pub pool: &'a str,
    /// The user the call is for.
    pub user: Option<&'a UmUser>,
    /// The phone context of the user's linked dial plan.
    pub linked_context: Option<&'a str>,
    /// The auto attendant the call is for.
    pub auto_attendant: Option<&'a str>,
    /// Whether the call comes over TLS (false: a TCP test call, `--unsecured`).
    pub secure: bool,
    /// The number a contact carries (the Request-URI user of its call).
    pub number: Option<&'a str>,
    /// The UM IP gateway of the pool, when there is one.
    pub gateway: Option<&'a str>,
}

/// The cause name of a rejection.
pub fn rejection_cause(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::UnknownGateway => "no-um-ip-gateway",
        RejectReason::GatewayDisabled => "um-ip-gateway-disabled",
        RejectReason::UnknownPilot => "unknown-pilot",
        RejectReason::NoHuntGroup => "no-hunt-group",
        RejectReason::SecurityMismatch => "voip-security-mismatch",
        RejectReason::CalledPartyNotFound => "no-eum-address",
        RejectReason::WrongDialPlan => "eum-in-other-dial-plan",
        RejectReason::NotUmEnabled => "eum-owner-not-um-enabled",
        RejectReason::MailboxServerUnknown => "mailbox-server-unknown",
        RejectReason::AutoAttendantDisabled => "auto-attendant-disabled",
        RejectReason::GatewayCertificate => "gateway-certificate-name",
    }
}

/// Exchange's admission or lookup refused the call.
pub fn rejection(r: &Rejection, rc: &RejectContext<'_>) -> Fix {
    let (pool, user, linked_context) = (rc.pool, rc.user, rc.linked_context);
    let dp = r.dial_plan.clone().unwrap_or_else(|| "<dial plan>".into());
    let status = format!("Exchange answers {} {}", r.status, r.phrase);
    let text = match r.reason {
        RejectReason::UnknownGateway => (
            format!("{}: {status}. Every Skype for Business pool must be a UM IP gateway (ExchUCUtil.ps1 creates one per pool)", r.detail),
            format!("umctl grant-permissions (or New-UMIPGateway -Name <pool> -Address {pool})"),
        ),
        RejectReason::GatewayDisabled => (
            format!("{}: {status} (umctl serve answers 403 for it too)", r.detail),
            format!("Enable-UMIPGateway -Identity \"{}\"", rc.gateway.unwrap_or("<gateway>")),
        ),
        RejectReason::UnknownPilot if rc.number.is_some() => {
            let number = rc.number.unwrap_or_default();
            (
                format!("{}: {status}. The contact's number {number} is no Outlook Voice Access number of a dial plan and no auto attendant's number, so no permission or hunt group can make Exchange answer it (a contact made with --force on a number that is no pilot)", r.detail),
                format!("add the number where it belongs: Set-UMDialPlan -Identity <dial plan> -PilotIdentifierList @{{Add=\"{number}\"}} (Outlook Voice Access) or Set-UMAutoAttendant -Identity <auto attendant> -PilotIdentifierList @{{Add=\"{number}\"}}; or remove the contact: umctl contact remove {number}"),
            )
        }
        RejectReason::SecurityMismatch if !rc.secure => (
            format!("{}: this test call comes over TCP, but the dial plan rightly expects TLS, which Skype for Business always uses; the dial plan is not what is wrong", r.detail),
            "place the call over TLS as the Front End does (trace-call without --unsecured; umctl serve --startup-mode dual or tls)".to_string(),
        ),
        RejectReason::NoHuntGroup | RejectReason::UnknownPilot => (
            format!("{}: {status}. The hunt group links the pool's gateway to the dial plan, with the dial plan name as pilot identifier", r.detail),
            format!("umctl grant-permissions (or New-UMHuntGroup -Name {dp} -PilotIdentifier {dp} -UMDialPlan {dp} -UMIPGateway <gateway of {pool}>)"),
        ),
        RejectReason::SecurityMismatch => (
            format!("{}: Skype for Business always signals over TLS (5061) and {status}", r.detail),
            format!("Set-UMDialPlan -Identity {dp} -VoIPSecurity Secured (SIPSecured when Skype media encryption is optional), then restart the UM and UM Call Router services"),
        ),
        RejectReason::GatewayCertificate => (
            format!("{}: {status}. Over mutual TLS Exchange identifies a UM IP gateway by the name in its certificate, which must be the gateway's address (the pool FQDN)", r.detail),
            format!("Give {pool} a certificate whose subject or SAN is its FQDN from a CA Exchange trusts (in the lab: umctl lab cert issue --server {pool}), or make the UM IP gateway's address that name: Set-UMIPGateway -Identity <gateway> -Address <name in the certificate>"),
        ),
        RejectReason::CalledPartyNotFound => (
            format!("{}: UM cannot tell whose mailbox the call is for and {status}", r.detail),
            match user {
                Some(u) => {
                    let ctx = linked_context.unwrap_or("<dial plan phone context>");
                    let mut adds = Vec::new();
                    if let Some(ext) = u.line_uri.as_ref().and_then(|l| l.ext.clone()) {
                        adds.push(format!("\"{}\"", EumAddress::new(ext, ctx)));
                    }
                    if let Some(sip) = u.sip_user() {
                        adds.push(format!("\"{}\"", EumAddress::new(sip, ctx)));
                    }
                    format!("Set-Mailbox -Identity {} -EmailAddresses @{{Add={}}}", identity(u), adds.join(","))
                }
                None => "add the user's EUM proxy addresses in the dial plan (Set-Mailbox -EmailAddresses @{Add=\"eum:<ext>;phone-context=<ctx>\"})".to_string(),
            },
        ),
        RejectReason::WrongDialPlan => (
            format!("{}: UM will not answer for a mailbox of another dial plan and {status}", r.detail),
            match (user, linked_context) {
                (Some(u), Some(ctx)) => {
                    let wrong: Vec<String> = u
                        .eum_addresses
                        .iter()
                        .filter(|a| !a.in_context(ctx))
                        .map(|a| format!("\"{a}\""))
                        .collect();
                    let right: Vec<String> = u
                        .eum_addresses
                        .iter()
                        .filter(|a| !a.in_context(ctx))
                        .map(|a| format!("\"{}\"", EumAddress::new(a.address.clone(), ctx)))
                        .collect();
                    format!(
                        "Set-Mailbox -Identity {} -EmailAddresses @{{Remove={}; Add={}}}",
                        identity(u),
                        wrong.join(","),
                        right.join(",")
                    )
                }
                _ => "make the EUM proxy addresses and msExchUMRecipientDialPlanLink name the same dial plan (Disable-UMMailbox, then Enable-UMMailbox in the right dial plan)".to_string(),
            },
        ),
        RejectReason::NotUmEnabled => (
            format!("{}: {status}", r.detail),
            match user {
                Some(u) => enable_um(u, &dp),
                None => "Enable-UMMailbox".to_string(),
            },
        ),
        RejectReason::MailboxServerUnknown => (
            format!("{}: the call router cannot redirect the call and {status}", r.detail),
            match user {
                Some(u) => format!(
                    "New-MoveRequest -Identity {} -TargetDatabase \"<a database on a mailbox server of {dp}>\" (or correct msExchHomeServerName)",
                    identity(u)
                ),
                None => format!("Set-UMService -Identity <mailbox server> -DialPlans @{{Add=\"{dp}\"}}"),
            },
        ),
        RejectReason::AutoAttendantDisabled => (
            format!("{}: {status}", r.detail),
            format!(
                "Enable-UMAutoAttendant -Identity {}",
                rc.auto_attendant.unwrap_or("<auto attendant>")
            ),
        ),
    };
    let cause = match r.reason {
        RejectReason::UnknownPilot if rc.number.is_some() => "contact-number-not-a-pilot",
        RejectReason::SecurityMismatch if !rc.secure => "unsecured-test-call",
        reason => rejection_cause(reason),
    };
    fix(cause, text.0, text.1)
}

// The failure kinds `umctl doctor` finds on the deployment rather than on one call.

/// An Exchange server that serves UM but is not linked to a SIP dial plan.
pub fn server_not_in_dial_plan(server: &str, is_cas: bool, dial_plan: &str) -> Fix {
    fix(
        "server-not-in-dial-plan",
        format!(
            "{server} serves Unified Messaging but is not linked to SIP dial plan {dial_plan} (msExchUMServerDialPlanLink): with Exchange 2013 and later every Client Access and Mailbox server must be in every SIP dial plan, or calls the Front End sends to it (or that Exchange redirects to it) land where the dial plan is unknown"
        ),
        if is_cas {
            format!("Set-UMCallRouterSettings -Server {server} -DialPlans @{{Add=\"{dial_plan}\"}}")
        } else {
            format!("Set-UMService -Identity {server} -DialPlans @{{Add=\"{dial_plan}\"}}")
        },
    )
}

/// A UM IP gateway that is disabled.
pub fn gateway_disabled(gateway: &str, address: &str) -> Fix {
    fix(
        "um-ip-gateway-disabled",
        format!(
            "UM IP gateway {gateway} ({address}) is disabled (msExchUMIPGatewayStatus): Exchange answers every INVITE from {address} with 403 Forbidden (umctl serve answers 403 for it too)"
        ),
        format!("Enable-UMIPGateway -Identity \"{gateway}\""),
    )
}

/// More than one UM IP gateway with outcalls allowed for one pool and dial plan.
pub fn several_outcall_gateways(pool: &str, dial_plan: &str, gateways: &[String]) -> Fix {
    let keep = gateways.first().map(String::as_str).unwrap_or_default();
    let others: Vec<String> = gateways
        .iter()
        .skip(1)
        .map(|g| format!("Set-UMIPGateway -Identity \"{g}\" -OutcallsAllowed $false"))
        .collect();
    fix(
        "several-outcall-gateways",
        format!(
            "{} UM IP gateways for {pool} allow outcalls in dial plan {dial_plan} ({}): Exchange picks one at random for each outgoing call (play on phone, transfers, MWI), so some of them take a path the administrator did not mean",
            gateways.len(),
            gateways.join(", ")
        ),
        format!("keep {keep} and turn outcalls off on the others: {}", others.join("; ")),
    )
}

/// An auto attendant whose name contains spaces.
pub fn auto_attendant_name_has_spaces(name: &str) -> Fix {
    fix(
        "auto-attendant-name-has-spaces",
        format!(
            "auto attendant '{name}' has spaces in its name: OcsUmUtil refuses such auto attendants, so no Exchange UM contact can be made for it the Microsoft way"
        ),
        format!(
            "New-UMAutoAttendant with a name without spaces (e.g. {}) and the same pilot numbers, then Remove-UMAutoAttendant -Identity \"{name}\"",
            name.replace(' ', "-")
        ),
    )
}

/// An OVA or auto-attendant number that two objects claim.
pub fn number_claimed_twice(number: &str, owners: &[String]) -> Fix {
    fix(
        "number-claimed-twice",
        format!(
            "{number} is claimed by {} objects ({}): Exchange answers it as the first it finds, so callers reach one of them at random",
            owners.len(),
            owners.join(", ")
        ),
        format!(
            "keep the number on one of them: Set-UMDialPlan -Identity <dial plan> -PilotIdentifierList @{{Remove=\"{number}\"}} or Set-UMAutoAttendant -Identity <auto attendant> -PilotIdentifierList @{{Remove=\"{number}\"}}"
        ),
    )
}

/// An EUM address whose form does not fit the dial plan's URI type.
pub fn eum_form_mismatch(user: &UmUser, dp: &DialPlan) -> Fix {
    let id = identity(user);
    if dp.is_sip() {
        let sip = user.sip_user().unwrap_or("<user@domain>");
        return fix(
            "eum-form-mismatch",
            format!(
                "{} is in SIP URI dial plan {} but has no EUM address in SIP form (eum:user@domain): a call diverted by SIP address finds no mailbox (Event 1109 InvalidExtensionInCall)",
                name(user),
                dp.name
            ),
            format!(
                "Set-Mailbox -Identity {id} -EmailAddresses @{{Add=\"{}\"}}",
                EumAddress::new(sip, &dp.phone_context)
            ),
        );
    }
    let wrong: Vec<String> = user
        .eum_addresses
        .iter()
        .filter(|a| a.is_sip() && a.in_context(&dp.phone_context))
        .map(|a| format!("\"{a}\""))
        .collect();
    fix(
        "eum-form-mismatch",
        format!(
            "{} is in {:?} dial plan {} but has an EUM address in SIP form ({}): such a dial plan matches callers by number, so that address is never used and hides a missing extension",
            name(user),
            dp.uri_type,
            dp.name,
            wrong.join(", ")
        ),
        format!("Set-Mailbox -Identity {id} -EmailAddresses @{{Remove={}}}", wrong.join(",")),
    )
}

/// A user whose msRTCSIP-Line extension is not among the EUM extensions.
pub fn line_eum_mismatch(user: &UmUser, line_ext: &str, dp: &DialPlan) -> Fix {
    let exts: Vec<String> = user
        .eum_addresses
        .iter()
        .filter(|a| a.is_extension())
        .map(|a| a.address.clone())
        .collect();
    fix(
        "line-eum-mismatch",
        format!(
            "{}'s line URI has extension {line_ext} (msRTCSIP-Line) but the EUM extension is {} in dial plan {}: callers who dial {line_ext} in Outlook Voice Access or an auto attendant do not reach this mailbox, and the Front End and Exchange disagree about the user's number",
            name(user),
            if exts.is_empty() { "missing".to_string() } else { exts.join(", ") },
            dp.name
        ),
        format!(
            "Set-UMMailbox -Identity {} -Extensions {line_ext} (or Set-CsUser -Identity {} -LineURI with the EUM extension)",
            identity(user),
            identity(user)
        ),
    )
}

/// A UM TLS listener `umctl doctor --tls` got no handshake from (`why` names the address):
/// the service is stopped, or its UMStartupMode leaves TLS out.
pub fn tls_unreachable(server: &str, call_router: bool, why: String) -> Fix {
    let (service, set) = if call_router {
        (
            "MSExchangeUMCR",
            format!("Set-UMCallRouterSettings -Server {server} -UMStartupMode Dual"),
        )
    } else {
        (
            "MSExchangeUM",
            format!("Set-UMService -Identity {server} -UMStartupMode Dual"),
        )
    };
    fix(
        "tls-unreachable",
        why,
        format!(
            "Check that the service runs on {server} and listens for TLS (UMStartupMode TLS or Dual); {set}; Restart-Service {service} (on {server})"
        ),
    )
}
