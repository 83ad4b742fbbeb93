//! Who a call is for, as the Front End finds it: [`TargetSpec`] (what the caller dialed) and
//! [`resolve_target`] (the user or contact that owns it). A number nobody owns is checked
//! against the Outlook Voice Access and auto-attendant numbers, so the trace can say "this is
//! LOC801's OVA number, but no contact carries it". It does not decide where the call goes next
//! (`routing`).

use serde::Serialize;

use super::FrontendError;
use crate::directory::lookup;
use crate::directory::model::{
    attrs, AutoAttendant, ContactKind, DialPlan, Dn, ExUmContact, ExchangeOrg, LineUri,
    OtherIpPhone, UmUser, VoiceMailSettings,
};
use crate::directory::{Directory, Entry};

/// What was dialed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TargetSpec {
    /// Digits only: an extension in the caller's dial plan.
    Extension(String),
    /// `+` and digits (a `tel:` URI is read as its number).
    Number(String),
    /// `sip:user@host` (a bare `user@host` gets `sip:`).
    SipUri(String),
    /// A sAMAccountName, user principal name or mail address, or an auto attendant's name.
    UserName(String),
}

/// The longest call target accepted (msRTCSIP-PrimaryUserAddress holds at most 454 characters).
const MAX_TARGET_LEN: usize = 454;

impl TargetSpec {
    pub fn parse(s: &str) -> Result<TargetSpec, FrontendError> {
        let t = s.trim();
        let bad = || {
            FrontendError::BadTarget {
            value: s.to_string(),
            expected: "an extension (9000), an E.164 number (+ and at most 15 digits: +96265519000), a SIP URI \
                       (sip:bob@contoso.com) or a user name (bob)"
                .into(),
        }
        };
        // No address, number or name in AD is longer (a SIP URI is at most 454 characters).
        if t.is_empty() || t.chars().any(char::is_whitespace) || t.len() > MAX_TARGET_LEN {
            return Err(bad());
        }
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("sip:") {
            let rest = &t[4..];
            if !rest.contains('@') || rest.starts_with('@') || rest.ends_with('@') {
                return Err(bad());
            }
            return Ok(TargetSpec::SipUri(format!("sip:{rest}")));
        }
        if let Some(rest) = lower.strip_prefix("tel:") {
            let number = rest.split(';').next().unwrap_or_default();
            return Self::number(number).ok_or_else(bad);
        }
        if t.starts_with('+') {
            return Self::number(t).ok_or_else(bad);
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(TargetSpec::Extension(t.to_string()));
        }
        if t.contains('@') {
            // user@host: a SIP address unless it turns out to be a UPN (tried as well).
            return Ok(TargetSpec::SipUri(format!("sip:{t}")));
        }
        if t.contains([':', ';', '<', '>', '"', '*', '(', ')', '\\']) {
            return Err(bad());
        }
        Ok(TargetSpec::UserName(t.to_string()))
    }

    fn number(s: &str) -> Option<TargetSpec> {
        let digits = s.strip_prefix('+').unwrap_or(s);
        let cleaned: String = digits.chars().filter(|c| !"-.() ".contains(*c)).collect();
        // E.164: at most 15 digits.
        (!cleaned.is_empty() && cleaned.len() <= 15 && cleaned.bytes().all(|b| b.is_ascii_digit()))
            .then(|| TargetSpec::Number(format!("+{cleaned}")))
    }
}

/// An Exchange UM contact as the Front End reads it; unlike [`ExUmContact`] it also holds a
/// contact whose otherIPPhone names no dial plan (so the trace can say so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactTarget {
    pub dn: Dn,
    pub display_name: Option<String>,
    pub sip_address: Option<String>,
    pub line_uri: Option<LineUri>,
    pub home_pool: Option<Dn>,
    pub enabled: bool,
    /// SA or AA, from otherIPPhone or msDS-SourceObjectDN.
    pub kind: Option<ContactKind>,
    /// The dial plan reference, when otherIPPhone carries one.
    pub other_ip_phone: Option<OtherIpPhone>,
    pub voice_mail_settings: VoiceMailSettings,
    pub source_object: Option<Dn>,
}

impl ContactTarget {
    pub fn from_entry(e: &Entry) -> ContactTarget {
        let full = ExUmContact::from_entry(e).ok();
        let other_ip_phone = e
            .str_values(attrs::OTHER_IP_PHONE)
            .filter_map(|v| OtherIpPhone::parse(v).ok())
            .max_by_key(|o| o.kind.is_some());
        let voice_mail_settings =
            VoiceMailSettings::parse(e.str_values(attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS))
                .unwrap_or_default();
        ContactTarget {
            dn: e.dn.clone(),
            display_name: e.first(attrs::DISPLAY_NAME).map(str::to_string),
            sip_address: e
                .first(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS)
                .map(str::to_string),
            line_uri: e
                .first(attrs::MSRTCSIP_LINE)
                .and_then(|l| LineUri::parse(l).ok()),
            home_pool: e
                .first(attrs::MSRTCSIP_PRIMARY_HOME_SERVER)
                .and_then(|d| Dn::parse(d).ok()),
            enabled: e.first_bool(attrs::MSRTCSIP_USER_ENABLED).unwrap_or(false),
            kind: full
                .as_ref()
                .map(|c| c.kind)
                .or_else(|| other_ip_phone.as_ref().and_then(|o| o.kind)),
            other_ip_phone,
            voice_mail_settings,
            source_object: e
                .first(attrs::MS_DS_SOURCE_OBJECT_DN)
                .and_then(|d| Dn::parse(d).ok()),
        }
    }

    pub fn name(&self) -> String {
        self.display_name
            .clone()
            .unwrap_or_else(|| self.dn.rdn_value().unwrap_or_default().to_string())
    }
}

/// The object a call is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Callee {
    User(Box<UmUser>),
    Contact(Box<ContactTarget>),
}

impl Callee {
    pub fn name(&self) -> String {
        match self {
            Callee::User(u) => u
                .display_name
                .clone()
                .or_else(|| u.sam.clone())
                .unwrap_or_else(|| u.dn.to_string()),
            Callee::Contact(c) => c.name(),
        }
    }

    pub fn dn(&self) -> &Dn {
        match self {
            Callee::User(u) => &u.dn,
            Callee::Contact(c) => &c.dn,
        }
    }

    pub fn sip_address(&self) -> Option<&str> {
        match self {
            Callee::User(u) => u.sip_address.as_deref(),
            Callee::Contact(c) => c.sip_address.as_deref(),
        }
    }

    pub fn line_uri(&self) -> Option<&LineUri> {
        match self {
            Callee::User(u) => u.line_uri.as_ref(),
            Callee::Contact(c) => c.line_uri.as_ref(),
        }
    }

    pub fn home_pool(&self) -> Option<&Dn> {
        match self {
            Callee::User(u) => u.home_pool.as_ref(),
            Callee::Contact(c) => c.home_pool.as_ref(),
        }
    }

    pub fn sip_enabled(&self) -> bool {
        match self {
            Callee::User(u) => u.sip_enabled,
            Callee::Contact(c) => c.enabled,
        }
    }

    pub fn voice_mail_settings(&self) -> &VoiceMailSettings {
        match self {
            Callee::User(u) => &u.voice_mail_settings,
            Callee::Contact(c) => &c.voice_mail_settings,
        }
    }
}

/// What an otherwise unowned number is in Exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumberOwner {
    /// An Outlook Voice Access (subscriber access) number of this dial plan.
    SubscriberAccess(Box<DialPlan>),
    /// A pilot number of this auto attendant.
    AutoAttendant(Box<AutoAttendant>),
}

/// A found callee and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    pub callee: Callee,
    /// The lookup that found it, e.g. `msRTCSIP-Line=tel:+96265519000;ext=9000`.
    pub matched: String,
    /// What the dialed number is in Exchange, when it is an OVA or auto-attendant number.
    pub number_owner: Option<NumberOwner>,
}

/// The outcome of a target lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetLookup {
    Found(Box<Found>),
    NotFound {
        /// The lookups made, as `attribute=value`.
        tried: Vec<String>,
        /// The dialed number, when the target was one (or became one: an auto attendant's name).
        number: Option<String>,
        number_owner: Option<NumberOwner>,
    },
}

fn callee_of(e: &Entry) -> Result<Option<Callee>, FrontendError> {
    if e.has_object_class(attrs::OC_USER) {
        return Ok(Some(Callee::User(Box::new(UmUser::from_entry(e)?))));
    }
    if e.has_object_class(attrs::OC_CONTACT) {
        return Ok(Some(Callee::Contact(Box::new(ContactTarget::from_entry(
            e,
        )))));
    }
    Ok(None)
}

/// The users and contacts among `entries` (found by `attr`), at most one expected.
fn single(attr: &str, value: &str, entries: &[Entry]) -> Result<Option<Callee>, FrontendError> {
    let mut found = Vec::new();
    for e in entries {
        if let Some(c) = callee_of(e)? {
            found.push(c);
        }
    }
    if found.len() > 1 {
        return Err(FrontendError::Ambiguous {
            attr: attr.to_string(),
            value: value.to_string(),
            count: found.len(),
            names: found
                .iter()
                .map(Callee::name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(found.pop())
}

/// What `number` is in Exchange: an auto attendant's pilot or an OVA number.
pub fn number_owner<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    number: &str,
) -> Result<Option<NumberOwner>, FrontendError> {
    if let Some(aa) = lookup::auto_attendant_by_number(dir, org, number)? {
        return Ok(Some(NumberOwner::AutoAttendant(Box::new(aa))));
    }
    if let Some(dp) = lookup::dial_plan_by_ova_number(dir, org, number)? {
        return Ok(Some(NumberOwner::SubscriberAccess(Box::new(dp))));
    }
    Ok(None)
}

/// Finds the user or contact `spec` names. `caller_context` is the phone context of the
/// caller's dial plan, which an extension is read in.
pub fn resolve_target<D: Directory + ?Sized>(
    dir: &D,
    org: &ExchangeOrg,
    spec: &TargetSpec,
    caller_context: Option<&str>,
) -> Result<TargetLookup, FrontendError> {
    let mut tried = Vec::new();
    let mut by = |attr: &str, value: &str| -> Result<Option<(Callee, String)>, FrontendError> {
        let q = format!("{attr}={value}");
        tried.push(q.clone());
        let entries = lookup::by_attribute(dir, attr, value)?;
        Ok(single(attr, value, &entries)?.map(|c| (c, q)))
    };
    let found = |callee: Callee, matched: String, owner: Option<NumberOwner>| {
        Ok(TargetLookup::Found(Box::new(Found {
            callee,
            matched,
            number_owner: owner,
        })))
    };
    match spec {
        TargetSpec::SipUri(uri) => {
            if let Some((c, q)) = by(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, uri)? {
                return found(c, q, None);
            }
            let bare = &uri[4..];
            if let Some((c, q)) = by(attrs::USER_PRINCIPAL_NAME, bare)? {
                return found(c, q, None);
            }
            Ok(TargetLookup::NotFound {
                tried,
                number: None,
                number_owner: None,
            })
        }
        TargetSpec::UserName(name) => {
            for attr in [
                attrs::SAM_ACCOUNT_NAME,
                attrs::USER_PRINCIPAL_NAME,
                attrs::MAIL,
            ] {
                if let Some((c, q)) = by(attr, name)? {
                    return found(c, q, None);
                }
            }
            // An auto attendant by name: call its first pilot number.
            if let Some(aa) = lookup::auto_attendant_by_name(dir, org, name)? {
                if let Some(n) = aa.pilot_numbers.first() {
                    let mut look = resolve_target(dir, org, &TargetSpec::Number(n.clone()), None)?;
                    if let TargetLookup::NotFound { tried: t, .. } = &mut look {
                        let mut all = tried.clone();
                        all.append(t);
                        *t = all;
                    }
                    return Ok(look);
                }
            }
            Ok(TargetLookup::NotFound {
                tried,
                number: None,
                number_owner: None,
            })
        }
        TargetSpec::Number(number) => {
            let owner = number_owner(dir, org, number)?;
            let line = format!("tel:{number}");
            if let Some((c, q)) = by(attrs::MSRTCSIP_LINE, &line)? {
                return found(c, q, owner);
            }
            // A line with an extension: tel:+96265519000;ext=9000 (a substring search).
            let filter = format!("({}={line};*)", attrs::MSRTCSIP_LINE);
            let shown = format!("{}={line};*", attrs::MSRTCSIP_LINE);
            let same = |l: &LineUri| l.number == *number;
            if let Some((c, q)) = by_line(dir, &mut tried, &filter, shown, number, same)? {
                return found(c, q, owner);
            }
            Ok(TargetLookup::NotFound {
                tried,
                number: Some(number.clone()),
                number_owner: owner,
            })
        }
        TargetSpec::Extension(ext) => {
            if let Some(ctx) = caller_context {
                let eum = format!("eum:{ext};phone-context={ctx}");
                if let Some((c, q)) = by(attrs::PROXY_ADDRESSES, &eum)? {
                    return found(c, q, None);
                }
            }
            let filter = format!("({}=tel:*;ext={ext}*)", attrs::MSRTCSIP_LINE);
            let shown = format!("{}=tel:*;ext={ext}", attrs::MSRTCSIP_LINE);
            let same = |l: &LineUri| l.ext.as_deref() == Some(ext.as_str());
            if let Some((c, q)) = by_line(dir, &mut tried, &filter, shown, ext, same)? {
                return found(c, q, None);
            }
            Ok(TargetLookup::NotFound {
                tried,
                number: None,
                number_owner: None,
            })
        }
    }
}

/// The one user whose msRTCSIP-Line matches the directory `filter` (noted in `tried` as
/// `shown`) and passes `same` (the substring search finds more), with the line it matched.
fn by_line<D: Directory + ?Sized>(
    dir: &D,
    tried: &mut Vec<String>,
    filter: &str,
    shown: String,
    key: &str,
    same: impl Fn(&LineUri) -> bool,
) -> Result<Option<(Callee, String)>, FrontendError> {
    tried.push(shown);
    let entries: Vec<Entry> = lookup::by_filter(dir, filter)?
        .into_iter()
        .filter(|e| {
            e.first(attrs::MSRTCSIP_LINE)
                .and_then(|l| LineUri::parse(l).ok())
                .is_some_and(|l| same(&l))
        })
        .collect();
    Ok(single(attrs::MSRTCSIP_LINE, key, &entries)?.map(|c| {
        let line = c.line_uri().map(ToString::to_string).unwrap_or_default();
        let q = format!("{}={line}", attrs::MSRTCSIP_LINE);
        (c, q)
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_target() {
        let p = |s| TargetSpec::parse(s).unwrap();
        assert_eq!(p("9000"), TargetSpec::Extension("9000".into()));
        assert_eq!(p("+96265519000"), TargetSpec::Number("+96265519000".into()));
        assert_eq!(
            p("tel:+1-425-555-0123;ext=1"),
            TargetSpec::Number("+14255550123".into())
        );
        assert_eq!(
            p("SIP:bob@contoso.com"),
            TargetSpec::SipUri("sip:bob@contoso.com".into())
        );
        assert_eq!(
            p("bob@contoso.com"),
            TargetSpec::SipUri("sip:bob@contoso.com".into())
        );
        assert_eq!(p("bob"), TargetSpec::UserName("bob".into()));
        for bad in ["", "a b", "sip:bob", "+", "+12x", "bob;x", "sip:@x"] {
            let err = TargetSpec::parse(bad).unwrap_err().to_string();
            assert!(err.contains("expected an extension"), "{bad}: {err}");
        }
    }
}
