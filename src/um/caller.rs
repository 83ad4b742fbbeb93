//! Who is calling and where a transfer goes, decided from the directory: [`identify_caller`]
//! names the caller of a From header (its SIP address as `msRTCSIP-PrimaryUserAddress`, else its
//! number as `msRTCSIP-Line`, else as received), [`transfer_domain`] is the host of a transfer
//! to an extension (the dial plan's phone context when it is a domain name, else the caller's
//! domain) and [`refer_to`] the `Refer-To` of a transfer. `serve` puts them in the messages it
//! delivers and the REFERs it sends. Nothing here opens a socket.

use crate::directory::lookup;
use crate::directory::model::{attrs, DialPlan};
use crate::directory::Directory;
use crate::sip::headers::NameAddr;
use crate::sip::SipUriParts;

/// `sip:EXT@domain` for an extension; a `sip:`/`sips:`/`tel:` URI unchanged.
pub fn refer_to(target: &str, domain: &str) -> String {
    let t = target.trim();
    let lower = t.to_ascii_lowercase();
    if ["sip:", "sips:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        t.to_string()
    } else {
        format!("sip:{t}@{domain}")
    }
}

/// The host of transfers: the dial plan's phone context when it is a domain name
/// (`LOC801.contoso.com`), else the domain of the caller's From.
pub fn transfer_domain(dial_plan: Option<&DialPlan>, from: &str) -> String {
    if let Some(ctx) = dial_plan.map(|d| d.phone_context.trim()) {
        if ctx.contains('.') && !ctx.contains(char::is_whitespace) && !ctx.starts_with('+') {
            return ctx.to_string();
        }
    }
    NameAddr::parse("From", from)
        .ok()
        .and_then(|a| SipUriParts::parse(&a.uri).ok())
        .map(|p| p.host)
        .unwrap_or_else(|| "localhost".into())
}

/// The caller as the directory knows them (or as the From header says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub number: String,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// Resolves the From header of a call.
pub fn identify_caller<D: Directory + ?Sized>(dir: &D, from: &str) -> Caller {
    let Ok(addr) = NameAddr::parse("From", from) else {
        return Caller {
            number: "Anonymous".into(),
            name: None,
            address: None,
        };
    };
    let parts = SipUriParts::parse(&addr.uri).ok();
    let user = parts
        .as_ref()
        .and_then(|p| p.user.clone())
        .filter(|u| !u.is_empty() && !u.eq_ignore_ascii_case("anonymous"));
    let display = addr
        .display
        .clone()
        .filter(|d| !d.trim().is_empty() && !d.eq_ignore_ascii_case("anonymous"));
    let mut found = None;
    if let (Some(p), Some(u)) = (&parts, &user) {
        if p.is_sip() {
            let sip = format!("sip:{u}@{}", p.host).to_lowercase();
            found = lookup::by_attribute(dir, attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, &sip)
                .ok()
                .and_then(|v| v.into_iter().next());
        }
        if found.is_none() {
            let digits: String = u.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 3 && digits.len() + 1 >= u.trim_start_matches('+').len() {
                found = lookup::by_attribute(dir, attrs::MSRTCSIP_LINE, &format!("tel:+{digits}"))
                    .ok()
                    .and_then(|v| v.into_iter().next());
            }
        }
    }
    let name = found
        .as_ref()
        .and_then(|e| e.first(attrs::DISPLAY_NAME).map(str::to_string))
        .or(display);
    let address = found
        .as_ref()
        .and_then(|e| e.first(attrs::MAIL).map(str::to_string));
    Caller {
        number: user.unwrap_or_else(|| "Anonymous".into()),
        name,
        address,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;

    #[test]
    fn a_caller_is_named_from_the_directory_or_the_from_header() {
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir = LabDirectory::open(lab.path()).unwrap();
        let alice = identify_caller(&dir, "\"A\" <sip:alice@contoso.com>;tag=1");
        assert_eq!(alice.number, "alice");
        assert_ne!(alice.name.as_deref(), Some("A"), "{alice:?}");
        assert!(alice.name.is_some());
        let stranger = identify_caller(&dir, "\"Zed\" <sip:+15550001@example.net>;tag=1");
        assert_eq!(
            stranger,
            Caller {
                number: "+15550001".into(),
                name: Some("Zed".into()),
                address: None
            }
        );
        assert_eq!(identify_caller(&dir, "garbage<").number, "Anonymous");
    }

    #[test]
    fn transfers_go_to_the_extension_at_the_phone_context_or_the_callers_domain() {
        assert_eq!(
            refer_to("9001", "LOC801.contoso.com"),
            "sip:9001@LOC801.contoso.com"
        );
        assert_eq!(refer_to("sip:a@b.example", "x"), "sip:a@b.example");
        let lab = tempfile::tempdir().unwrap();
        LabDirectory::init(lab.path(), false).unwrap();
        let dir = LabDirectory::open(lab.path()).unwrap();
        let dp = crate::directory::lookup::dial_plans(&dir, &lookup::organization(&dir).unwrap())
            .unwrap()
            .into_iter()
            .find(|d| d.name == "LOC801")
            .unwrap();
        assert_eq!(
            transfer_domain(Some(&dp), "<sip:x@pool01.contoso.com>"),
            "LOC801.contoso.com"
        );
        let mut e164 = dp.clone();
        e164.phone_context = "+1".into();
        assert_eq!(
            transfer_domain(Some(&e164), "\"P\" <sip:+1555@pool01.contoso.com>;tag=1"),
            "pool01.contoso.com"
        );
    }
}
