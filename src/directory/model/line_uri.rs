//! Lync line URIs (`msRTCSIP-Line`: `tel:+96265519000;ext=9000`, `tel:+14255550123`) and the
//! E.164 rule new-contact applies to display numbers. It does not decide uniqueness among
//! users and contacts; that needs the directory (`admin::contact`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::ValueError;

const TEL: &str = "tel:";
const EXT: &str = "ext=";

/// A `tel:` URI: the number (E.164 with `+`, or a private number of digits), an optional
/// extension, and any other `;name=value` parameters, kept in order so rendering round-trips.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct LineUri {
    pub number: String,
    pub ext: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
}

/// `+` then 1 to 15 digits, the first not 0 (ITU-T E.164 as New-CsExUmContact checks it).
pub fn is_e164(s: &str) -> bool {
    let Some(d) = s.strip_prefix('+') else {
        return false;
    };
    (1..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
}

/// [`is_e164`] as a result naming the value.
pub fn validate_e164(s: &str) -> Result<(), ValueError> {
    if is_e164(s) {
        Ok(())
    } else {
        Err(ValueError::new(
            s,
            "an E.164 number: '+' then 1 to 15 digits, the first not 0",
        ))
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl LineUri {
    /// `tel:<number>` with no extension.
    pub fn new(number: impl Into<String>) -> LineUri {
        LineUri {
            number: number.into(),
            ext: None,
            params: Vec::new(),
        }
    }

    /// `tel:<number>;ext=<ext>`.
    pub fn with_ext(number: impl Into<String>, ext: impl Into<String>) -> LineUri {
        LineUri {
            ext: Some(ext.into()),
            ..LineUri::new(number)
        }
    }

    /// Parses `tel:<number>[;ext=<digits>][;other=params]`; `tel:` and `ext=` in any case.
    /// The number is `+` and digits or digits only.
    pub fn parse(s: &str) -> Result<LineUri, ValueError> {
        const EXPECTED: &str = "tel:<+digits>[;ext=<digits>]";
        let t = s.trim();
        let rest = match t.get(..TEL.len()) {
            Some(p) if p.eq_ignore_ascii_case(TEL) => &t[TEL.len()..],
            _ => return Err(ValueError::new(s, EXPECTED)),
        };
        let mut parts = rest.split(';');
        let number = parts.next().unwrap_or_default();
        if !is_digits(number.strip_prefix('+').unwrap_or(number)) {
            return Err(ValueError::new(s, EXPECTED));
        }
        let mut uri = LineUri::new(number);
        for p in parts {
            match p.get(..EXT.len()) {
                Some(k) if k.eq_ignore_ascii_case(EXT) => {
                    let ext = &p[EXT.len()..];
                    if !is_digits(ext) || uri.ext.is_some() {
                        return Err(ValueError::new(s, EXPECTED));
                    }
                    uri.ext = Some(ext.to_string());
                }
                _ if p.is_empty() => return Err(ValueError::new(s, EXPECTED)),
                _ => uri.params.push(p.to_string()),
            }
        }
        Ok(uri)
    }

    /// Whether the number (without the extension) is E.164.
    pub fn is_e164(&self) -> bool {
        is_e164(&self.number)
    }

    /// The number's digits without the leading `+`.
    pub fn digits(&self) -> &str {
        self.number.strip_prefix('+').unwrap_or(&self.number)
    }

    /// Whether `dialed` (with or without `tel:` and `+`) names this line's number.
    pub fn matches_number(&self, dialed: &str) -> bool {
        let d = dialed.trim();
        let d = match d.get(..TEL.len()) {
            Some(p) if p.eq_ignore_ascii_case(TEL) => &d[TEL.len()..],
            _ => d,
        };
        let d = d.split(';').next().unwrap_or_default();
        !d.is_empty() && d.strip_prefix('+').unwrap_or(d) == self.digits()
    }
}

impl fmt::Display for LineUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TEL}{}", self.number)?;
        if let Some(ext) = &self.ext {
            write!(f, ";{EXT}{ext}")?;
        }
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

impl FromStr for LineUri {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<LineUri, ValueError> {
        LineUri::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_number_and_extension() {
        let u = LineUri::parse("tel:+96265519000;ext=9000").unwrap();
        assert_eq!(u, LineUri::with_ext("+96265519000", "9000"));
        assert!(u.is_e164());
        assert_eq!(u.digits(), "96265519000");
        assert_eq!(u.to_string(), "tel:+96265519000;ext=9000");

        let u = LineUri::parse("TEL:+14255550123").unwrap();
        assert_eq!(u, LineUri::new("+14255550123"));
        assert_eq!(u.to_string(), "tel:+14255550123");
    }

    #[test]
    fn keeps_unknown_parameters() {
        let u = LineUri::parse("tel:+14255550123;EXT=123;phone-context=x").unwrap();
        assert_eq!(u.ext.as_deref(), Some("123"));
        assert_eq!(u.params, vec!["phone-context=x".to_string()]);
        assert_eq!(u.to_string(), "tel:+14255550123;ext=123;phone-context=x");
    }

    #[test]
    fn private_numbers_parse_but_are_not_e164() {
        let u = LineUri::parse("tel:5551234").unwrap();
        assert!(!u.is_e164());
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "+14255550123",
            "sip:bob@contoso.com",
            "tel:",
            "tel:+",
            "tel:+1425 555",
            "tel:+1425;ext=",
            "tel:+1425;ext=12a",
            "tel:+1425;ext=1;ext=2",
            "tel:+1425;;x",
        ] {
            let err = LineUri::parse(bad).unwrap_err();
            assert_eq!(err.value, bad);
        }
    }

    #[test]
    fn e164_rule() {
        assert!(is_e164("+14255550123"));
        assert!(is_e164("+1"));
        assert!(is_e164("+123456789012345"));
        assert!(!is_e164("+1234567890123456"), "16 digits");
        assert!(!is_e164("14255550123"), "no +");
        assert!(!is_e164("+04255550123"), "leading 0");
        assert!(!is_e164("+"));
        assert!(!is_e164("+1-425"));
        let err = validate_e164("0800").unwrap_err();
        assert!(err.to_string().contains("'0800'"), "{err}");
    }

    #[test]
    fn matches_dialed_numbers() {
        let u = LineUri::parse("tel:+14255550123;ext=123").unwrap();
        assert!(u.matches_number("+14255550123"));
        assert!(u.matches_number("14255550123"));
        assert!(u.matches_number("tel:+14255550123"));
        assert!(!u.matches_number("+14255550124"));
        assert!(!u.matches_number(""));
    }

    proptest! {
        #[test]
        fn round_trip(num in "\\+?[1-9][0-9]{0,14}", ext in proptest::option::of("[0-9]{1,6}")) {
            let u = LineUri { number: num, ext, params: Vec::new() };
            prop_assert_eq!(LineUri::parse(&u.to_string()).unwrap(), u);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = LineUri::parse(&s);
        }
    }
}
