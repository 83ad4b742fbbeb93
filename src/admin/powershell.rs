//! umctl's plans as the PowerShell the Windows side runs, for change control: the Exchange
//! Management Shell lines of a grant-permissions plan (Add-ADPermission per ACE,
//! New-UMIPGateway / Set-UMIPGateway with -MessageWaitingIndicatorAllowed and
//! -OutcallsAllowed, New-UMHuntGroup, Remove-UMHuntGroup, in apply order, a comment per plan
//! item), the Skype for Business Management Shell and ActiveDirectory-module lines of a
//! contact plan (New-CsExUmContact, Set-CsExUmContact, Remove-CsExUmContact, Set-ADObject for
//! otherIPPhone and the description), and `umctl doctor`'s fixes.
//!
//! Every value is a single-quoted PowerShell string (`'` doubled), so nothing in a value is
//! expanded or executed. Pure text: no I/O.

use super::contact::{NewPlan, SetPlan};
use super::grant::{Plan, What};
use crate::directory::model::{ContactKind, ExUmContact};

/// `value` as a single-quoted PowerShell string.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A PowerShell boolean.
pub fn boolean(v: bool) -> &'static str {
    if v {
        "$true"
    } else {
        "$false"
    }
}

/// One cmdlet call, built parameter by parameter.
pub struct Cmdlet {
    line: String,
}

impl Cmdlet {
    pub fn new(name: &str) -> Cmdlet {
        Cmdlet {
            line: name.to_string(),
        }
    }

    /// `-Name 'value'`.
    pub fn text(mut self, name: &str, value: &str) -> Cmdlet {
        self.line.push_str(&format!(" -{name} {}", quote(value)));
        self
    }

    /// `-Name $true`.
    pub fn flag(mut self, name: &str, value: bool) -> Cmdlet {
        self.line.push_str(&format!(" -{name} {}", boolean(value)));
        self
    }

    /// `-Name Word` for an enumeration value (letters, digits and commas only).
    pub fn word(mut self, name: &str, value: &str) -> Cmdlet {
        let clean: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ',')
            .collect();
        self.line.push_str(&format!(" -{name} {clean}"));
        self
    }

    /// `-Name @{Op='value'}` (Set-ADObject's -Add / -Replace / -Remove).
    pub fn hash(mut self, name: &str, key: &str, value: &str) -> Cmdlet {
        self.line
            .push_str(&format!(" -{name} @{{{}={}}}", quote(key), quote(value)));
        self
    }

    /// `-Identity (Get-CsExUmContact -Identity 'sip:...').DistinguishedName`: the DN of the
    /// contact New-CsExUmContact made (it picks the CN itself).
    pub fn contact_dn(mut self, sip: &str) -> Cmdlet {
        self.line.push_str(&format!(
            " -Identity (Get-CsExUmContact -Identity {}).DistinguishedName",
            quote(sip)
        ));
        self
    }

    /// `-Confirm:$false`.
    pub fn no_confirm(mut self) -> Cmdlet {
        self.line.push_str(" -Confirm:$false");
        self
    }

    pub fn build(self) -> String {
        self.line
    }
}

/// A `#` comment line (newlines folded).
pub fn comment(text: &str) -> String {
    format!("# {}", text.replace(['\r', '\n'], " "))
}

/// The grant-permissions plan as Exchange Management Shell lines, in apply order.
/// `whole`: the plan covers every pool, so it is exactly what ExchUCUtil.ps1 does, and the
/// script says so (an administrator may run that instead).
pub fn grant_script(plan: &Plan, whole: bool) -> String {
    let mut out = vec![comment(&format!(
        "umctl grant-permissions for forest {}: {}",
        plan.forest,
        plan.summary()
    ))];
    if whole && !plan.items.is_empty() {
        out.push(comment(
            "exactly what ExchUCUtil.ps1 does on this forest; instead of the lines below you may run: & $env:ExchangeInstallPath\\Scripts\\ExchUCUtil.ps1",
        ));
    }
    if plan.items.is_empty() {
        out.push(comment("nothing to do"));
    }
    for item in &plan.items {
        out.push(comment(&format!(
            "{}: {} ({})",
            item.what.label(),
            item.name,
            item.detail
        )));
        out.push(grant_line(
            plan,
            &item.object.to_string(),
            &item.name,
            &item.what,
        ));
    }
    out.join("\n") + "\n"
}

fn grant_line(plan: &Plan, object: &str, name: &str, what: &What) -> String {
    match what {
        What::AddAce {
            group,
            access_rights,
            inheritance,
            ..
        } => {
            let user = plan
                .permissions
                .iter()
                .find(|g| g.group == *group)
                .map(|g| g.identity.clone())
                .unwrap_or_else(|| group.clone());
            Cmdlet::new("Add-ADPermission")
                .text("Identity", object)
                .text("User", &user)
                .word("AccessRights", &access_rights.replace(' ', ""))
                .word("InheritanceType", inheritance)
                .build()
        }
        What::CreateGateway {
            address,
            message_waiting_indicator_allowed,
            outcalls_allowed,
            ..
        } => Cmdlet::new("New-UMIPGateway")
            .text("Name", name)
            .text("Address", address)
            .flag(
                "MessageWaitingIndicatorAllowed",
                *message_waiting_indicator_allowed,
            )
            .flag("OutcallsAllowed", *outcalls_allowed)
            .build(),
        What::UpdateGateway {
            message_waiting_indicator_allowed,
            outcalls_allowed,
            ..
        } => Cmdlet::new("Set-UMIPGateway")
            .text("Identity", name)
            .flag(
                "MessageWaitingIndicatorAllowed",
                *message_waiting_indicator_allowed,
            )
            .flag("OutcallsAllowed", *outcalls_allowed)
            .build(),
        What::CreateHuntGroup {
            gateway,
            dial_plan,
            pilot_identifier,
        } => Cmdlet::new("New-UMHuntGroup")
            .text("Name", dial_plan)
            .text("PilotIdentifier", pilot_identifier)
            .text("UMDialPlan", dial_plan)
            .text("UMIPGateway", gateway)
            .build(),
        What::DeleteHuntGroup { .. } => Cmdlet::new("Remove-UMHuntGroup")
            .text("Identity", name)
            .no_confirm()
            .build(),
    }
}

/// new-contact's plan: New-CsExUmContact, then the dial plan in otherIPPhone (and the
/// description) with Set-ADObject, as the two writes umctl makes.
pub fn new_contact_script(plan: &NewPlan, pool_fqdn: &str) -> String {
    let c = &plan.contact;
    let ou = c.dn.parent().map(|p| p.to_string()).unwrap_or_default();
    let mut new = Cmdlet::new("New-CsExUmContact")
        .text("SipAddress", &c.sip_address)
        .text("RegistrarPool", pool_fqdn)
        .text("OU", &ou)
        .text("DisplayNumber", &c.line_uri.number);
    if let Some(name) = &c.display_name {
        new = new.text("DisplayName", name);
    }
    if c.kind == ContactKind::AutoAttendant {
        new = new.flag("AutoAttendant", true);
    }
    let mut lines = vec![
        comment(&format!(
            "umctl new-contact: {} contact {} for {}",
            kind_name(c.kind),
            c.sip_address,
            source_name(c)
        )),
        new.build(),
        comment("its dial plan in otherIPPhone (what OcsUmUtil writes)"),
    ];
    let mut set = Cmdlet::new("Set-ADObject").contact_dn(&c.sip_address).hash(
        "Add",
        "otherIPPhone",
        &c.other_ip_phone_value().to_string(),
    );
    if let Some(d) = &c.description {
        set = set.text("Description", d);
    }
    lines.push(set.build());
    lines.join("\n") + "\n"
}

/// contact set's plan: Set-CsExUmContact for what it manages, Set-ADObject for otherIPPhone
/// and the description.
pub fn set_contact_script(plan: &SetPlan) -> String {
    let (b, a) = (&plan.before, &plan.after);
    let mut lines = vec![comment(&format!(
        "umctl contact set {}: {}",
        b.sip_address,
        plan.changed.join(", ")
    ))];
    let mut set = Cmdlet::new("Set-CsExUmContact").text("Identity", &b.sip_address);
    let mut any = false;
    if a.sip_address != b.sip_address {
        set = set.text("SipAddress", &a.sip_address);
        any = true;
    }
    if a.line_uri.number != b.line_uri.number {
        set = set.text("DisplayNumber", &a.line_uri.number);
        any = true;
    }
    if a.display_name != b.display_name {
        set = set.text("DisplayName", a.display_name.as_deref().unwrap_or_default());
        any = true;
    }
    if a.enabled != b.enabled {
        set = set.flag("Enabled", a.enabled);
        any = true;
    }
    if any {
        lines.push(set.build());
    }
    let oip_before = b.other_ip_phone_value().to_string();
    let oip_after = a.other_ip_phone_value().to_string();
    if oip_before != oip_after || a.description != b.description {
        let mut ad = Cmdlet::new("Set-ADObject").contact_dn(&a.sip_address);
        if oip_before != oip_after {
            ad = ad.hash("Replace", "otherIPPhone", &oip_after);
        }
        if a.description != b.description {
            ad = ad.text("Description", a.description.as_deref().unwrap_or_default());
        }
        lines.push(ad.build());
    }
    lines.join("\n") + "\n"
}

/// contact remove's plan.
pub fn remove_contact_script(contact: &ExUmContact) -> String {
    [
        comment(&format!(
            "umctl contact remove: {} contact {} ({})",
            kind_name(contact.kind),
            contact.sip_address,
            contact.line_uri.number
        )),
        Cmdlet::new("Remove-CsExUmContact")
            .text("Identity", &contact.sip_address)
            .no_confirm()
            .build(),
    ]
    .join("\n")
        + "\n"
}

fn kind_name(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::SubscriberAccess => "Outlook Voice Access",
        ContactKind::AutoAttendant => "auto-attendant",
    }
}

fn source_name(c: &ExUmContact) -> String {
    c.source_object
        .as_ref()
        .and_then(|d| d.rdn_value().map(str::to_string))
        .unwrap_or_else(|| c.phone_context.clone())
}

/// Whether `text` is one cmdlet call umctl can print as it is: it starts with a
/// `Verb-Noun` name, holds no placeholder (`<...>`) and no prose in parentheses.
pub fn is_cmdlet_line(text: &str) -> bool {
    let Some(name) = text.split(' ').next() else {
        return false;
    };
    let verb_noun = name.split_once('-').is_some_and(|(v, n)| {
        v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && v.chars().all(|c| c.is_ascii_alphabetic())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_alphanumeric())
    });
    verb_noun && !text.contains('<') && !text.contains(" (") && !text.contains(": ")
}

/// `umctl doctor`'s fixes as a script: per finding a comment (cause, object), then the fix's
/// cmdlet lines; a fix that is a umctl command or needs a value filled in stays a comment.
pub fn doctor_script(findings: &[FixLine]) -> String {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in findings {
        out.push(comment(&format!("{}: {}", f.cause, f.object)));
        for part in statements(&f.fix) {
            let part = part.trim();
            if is_cmdlet_line(part) && seen.insert(part.to_string()) {
                out.push(part.to_string());
            } else if !is_cmdlet_line(part) {
                out.push(comment(part));
            }
        }
    }
    if out.is_empty() {
        out.push(comment("nothing to fix"));
    }
    out.join("\n") + "\n"
}

/// `text` split at the `; ` that separate statements (not those inside `@{...}` or quotes).
fn statements(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'{') => depth += 1,
            (None, b'}') => depth -= 1,
            (None, b';') if depth == 0 && bytes.get(i + 1) == Some(&b' ') => {
                out.push(&text[start..i]);
                start = i + 2;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// What [`doctor_script`] reads of a finding.
pub struct FixLine {
    pub cause: String,
    pub object: String,
    pub fix: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_are_single_quoted_with_quotes_doubled() {
        assert_eq!(quote("it's $x"), "'it''s $x'");
        let line = Cmdlet::new("Set-ADObject")
            .contact_dn("sip:o'a@x")
            .hash("Add", "otherIPPhone", "SA:sip:o'a@x;phone-context=c")
            .text("Description", "a\"b")
            .build();
        assert_eq!(
            line,
            "Set-ADObject -Identity (Get-CsExUmContact -Identity 'sip:o''a@x').DistinguishedName -Add @{'otherIPPhone'='SA:sip:o''a@x;phone-context=c'} -Description 'a\"b'"
        );
    }

    #[test]
    fn doctor_fixes_split_at_statements_not_inside_hashtables() {
        let f = FixLine {
            cause: "c".into(),
            object: "o".into(),
            fix: "Set-Mailbox -Identity g -EmailAddresses @{Remove=\"a\"; Add=\"b\"}; Disable-UMMailbox -Identity g; umctl grant-permissions (or New-UMIPGateway -Name <pool>)".into(),
        };
        let script = doctor_script(&[f]);
        assert_eq!(
            script,
            "# c: o\nSet-Mailbox -Identity g -EmailAddresses @{Remove=\"a\"; Add=\"b\"}\nDisable-UMMailbox -Identity g\n# umctl grant-permissions (or New-UMIPGateway -Name <pool>)\n"
        );
        assert!(!is_cmdlet_line("Set-UMDialPlan -Identity <dial plan>"));
        assert!(!is_cmdlet_line("keep it: Set-X -A b"));
    }
}
