//! EUM proxy addresses (`eum:<address>;phone-context=<dial plan phone context>`, domain.md
//! B.3.7): parse, render and classify (extension, E.164, SIP). It does not know which user
//! carries them (`um_user.rs`) nor which dial plan a phone context names (`dial_plan.rs`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::ValueError;

const PREFIX: &str = "eum:";
const PHONE_CONTEXT: &str = ";phone-context=";

/// One EUM address: what a caller dials (extension, E.164 number or SIP address without
/// `sip:`) within the dial plan whose phone context is `phone_context`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EumAddress {
    pub address: String,
    pub phone_context: String,
}

/// Byte offset of the last case-insensitive occurrence of ASCII `needle` in `hay`.
fn rfind_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len())
        .rev()
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Splits `<left>;phone-context=<ctx>` at the last `;phone-context=` (case-insensitive), as
/// Exchange does. Shared with the contact's otherIPPhone format.
pub(crate) fn split_phone_context(s: &str) -> Option<(&str, &str)> {
    let i = rfind_ascii_ci(s, PHONE_CONTEXT)?;
    Some((&s[..i], &s[i + PHONE_CONTEXT.len()..]))
}

/// Whether `s` starts with the `eum:` prefix (any case): the proxy addresses worth parsing.
pub fn has_eum_prefix(s: &str) -> bool {
    s.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

impl EumAddress {
    pub fn new(address: impl Into<String>, phone_context: impl Into<String>) -> EumAddress {
        EumAddress {
            address: address.into(),
            phone_context: phone_context.into(),
        }
    }

    /// Parses `eum:<address>;phone-context=<ctx>`; prefix and parameter name in any case,
    /// split at the last `;phone-context=`; surrounding whitespace ignored.
    pub fn parse(s: &str) -> Result<EumAddress, ValueError> {
        const EXPECTED: &str = "eum:<address>;phone-context=<phone context>";
        let t = s.trim();
        if !has_eum_prefix(t) {
            return Err(ValueError::new(s, EXPECTED));
        }
        let rest = &t[PREFIX.len()..];
        let Some((address, ctx)) = split_phone_context(rest) else {
            return Err(ValueError::new(s, EXPECTED));
        };
        if address.is_empty() || ctx.is_empty() {
            return Err(ValueError::new(s, EXPECTED));
        }
        Ok(EumAddress::new(address, ctx))
    }

    /// An extension: digits only (no `+`, no `@`).
    pub fn is_extension(&self) -> bool {
        self.address.bytes().all(|b| b.is_ascii_digit())
    }

    /// An E.164 number: `+` then digits.
    pub fn is_e164(&self) -> bool {
        self.address
            .strip_prefix('+')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    }

    /// A SIP address (`user@host`, stored without `sip:`).
    pub fn is_sip(&self) -> bool {
        self.address.contains('@')
    }

    /// Whether this address belongs to the dial plan with phone context `ctx` (DNS names
    /// compare case-insensitively).
    pub fn in_context(&self, ctx: &str) -> bool {
        self.phone_context.eq_ignore_ascii_case(ctx)
    }
}

impl fmt::Display for EumAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}{}{PHONE_CONTEXT}{}",
            self.address, self.phone_context
        )
    }
}

impl FromStr for EumAddress {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<EumAddress, ValueError> {
        EumAddress::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_documented_kinds() {
        let ext = EumAddress::parse("eum:22222;phone-context=MyDialPlan.contoso.com").unwrap();
        assert_eq!(ext.address, "22222");
        assert_eq!(ext.phone_context, "MyDialPlan.contoso.com");
        assert!(ext.is_extension() && !ext.is_sip() && !ext.is_e164());

        let sip =
            EumAddress::parse("eum:tsmith@contoso.com;phone-context=MySIPDialPlan.contoso.com")
                .unwrap();
        assert_eq!(sip.address, "tsmith@contoso.com");
        assert!(sip.is_sip() && !sip.is_extension());

        let e164 = EumAddress::parse("eum:+14255550123;phone-context=MyE.164DialPlan.contoso.com")
            .unwrap();
        assert!(e164.is_e164() && !e164.is_extension());
        assert_eq!(e164.phone_context, "MyE.164DialPlan.contoso.com");
    }

    #[test]
    fn prefix_and_parameter_are_case_insensitive() {
        let a = EumAddress::parse("EUM:9000;Phone-Context=LOC801.contoso.com").unwrap();
        assert_eq!(a, EumAddress::new("9000", "LOC801.contoso.com"));
        assert!(a.in_context("loc801.CONTOSO.com"));
        assert_eq!(a.to_string(), "eum:9000;phone-context=LOC801.contoso.com");
    }

    #[test]
    fn splits_at_the_last_phone_context() {
        let a =
            EumAddress::parse("eum:odd;phone-context=x;phone-context=LOC801.contoso.com").unwrap();
        assert_eq!(a.address, "odd;phone-context=x");
        assert_eq!(a.phone_context, "LOC801.contoso.com");
        assert_eq!(
            a.to_string().parse::<EumAddress>().unwrap(),
            a,
            "round trip keeps the embedded parameter in the address"
        );
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let a = EumAddress::parse("  eum:9000;phone-context=LOC801.contoso.com \n").unwrap();
        assert_eq!(a.phone_context, "LOC801.contoso.com");
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in [
            "",
            "eum:",
            "sip:bob@contoso.com",
            "SMTP:bob@contoso.com",
            "eum:9000",
            "eum:;phone-context=LOC801.contoso.com",
            "eum:9000;phone-context=",
            "eu:9000;phone-context=x",
            "eum:9000;phone_context=x",
        ] {
            let err = EumAddress::parse(bad).unwrap_err();
            assert_eq!(err.value, bad);
            assert!(err.to_string().contains("phone-context"), "{err}");
        }
    }

    #[test]
    fn non_ascii_does_not_confuse_the_search() {
        let a = EumAddress::parse("eum:jörg@contoso.com;phone-context=Zürich.contoso.com").unwrap();
        assert_eq!(a.address, "jörg@contoso.com");
        assert_eq!(a.phone_context, "Zürich.contoso.com");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(addr in "[a-z0-9+@.;=-]{1,20}", ctx in "[A-Za-z0-9.-]{1,20}") {
            let a = EumAddress::new(addr, ctx);
            prop_assert_eq!(EumAddress::parse(&a.to_string()).unwrap(), a);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = EumAddress::parse(&s);
        }
    }
}
