//! The write contract the lab directory enforces (domain.md A.6): for the classes the contract
//! names, their required attributes, the attributes AD holds single-valued, and value syntax
//! (integers, booleans, DNs, SIDs). Entries of other classes are accepted as they come. It does
//! not check that parents exist or that names are unique; that is the lab's tree
//! (`directory::lab`).

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use super::{attrs, read, rtc_group, Dn};
use crate::directory::entry::Entry;

/// The syntax a value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Anything (text or binary).
    Any,
    /// Decimal integer (or `0x` hex, as the lab reads it).
    Integer,
    /// `TRUE` / `FALSE`.
    Boolean,
    /// A DN (RFC 4514).
    Dn,
    /// A binary SID or `S-1-...` text.
    Sid,
}

impl Syntax {
    fn expected(self) -> &'static str {
        match self {
            Syntax::Any => "any value",
            Syntax::Integer => "an integer",
            Syntax::Boolean => "TRUE or FALSE",
            Syntax::Dn => "a DN",
            Syntax::Sid => "a SID",
        }
    }

    fn accepts(self, value: &[u8]) -> bool {
        let text = std::str::from_utf8(value);
        match self {
            Syntax::Any => true,
            Syntax::Integer => text.ok().and_then(read::parse_int).is_some(),
            Syntax::Boolean => text.ok().and_then(read::parse_bool).is_some(),
            Syntax::Dn => text.is_ok_and(valid_dn),
            Syntax::Sid => rtc_group::sid_from_value(value).is_ok(),
        }
    }
}

/// DN syntax check with a small memory: a forest links thousands of users to the same few
/// dial plans and pools, so loading 100,000 users parses each link target once, not 100,000
/// times.
fn valid_dn(text: &str) -> bool {
    use std::cell::RefCell;
    use std::collections::HashSet;
    const REMEMBERED: usize = 4096;
    thread_local! {
        static VALID: RefCell<HashSet<Box<str>>> = RefCell::new(HashSet::new());
    }
    if VALID.with(|v| v.borrow().contains(text)) {
        return true;
    }
    let ok = Dn::parse(text).is_ok();
    if ok {
        VALID.with(|v| {
            let mut v = v.borrow_mut();
            if v.len() >= REMEMBERED {
                v.clear();
            }
            v.insert(text.into());
        });
    }
    ok
}

/// What the contract knows about one attribute (AD's schema facts, the same on every class).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttributeRule {
    pub name: &'static str,
    pub single_valued: bool,
    pub syntax: Syntax,
}

const fn single(name: &'static str, syntax: Syntax) -> AttributeRule {
    AttributeRule {
        name,
        single_valued: true,
        syntax,
    }
}

const fn multi(name: &'static str, syntax: Syntax) -> AttributeRule {
    AttributeRule {
        name,
        single_valued: false,
        syntax,
    }
}

use Syntax::{Any, Boolean, Integer, Sid};

/// Attributes the contract checks. `description` is multi-valued in AD's schema (single only
/// for SAM objects); the contract keeps it simple and treats it as multi-valued.
/// `msExchUMAudioCodec2` is checked only for cardinality: umctl reads the number or the name.
pub static ATTRIBUTES: &[AttributeRule] = &[
    single(attrs::CN, Any),
    single(attrs::DISPLAY_NAME, Any),
    single(attrs::SAM_ACCOUNT_NAME, Any),
    single(attrs::USER_PRINCIPAL_NAME, Any),
    single(attrs::MAIL, Any),
    single(attrs::TELEPHONE_NUMBER, Any),
    single(attrs::DNS_HOST_NAME, Any),
    single(attrs::OBJECT_SID, Sid),
    single(attrs::OBJECT_GUID, Any),
    single(attrs::OBJECT_CATEGORY, Syntax::Dn),
    single(attrs::NT_SECURITY_DESCRIPTOR, Any),
    single(attrs::LEGACY_EXCHANGE_DN, Any),
    single(attrs::MS_DS_SOURCE_OBJECT_DN, Syntax::Dn),
    single(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, Any),
    single(attrs::MSRTCSIP_LINE, Any),
    single(attrs::MSRTCSIP_PRIMARY_HOME_SERVER, Syntax::Dn),
    single(attrs::MSRTCSIP_USER_ENABLED, Boolean),
    single(attrs::MSRTCSIP_POOL_VERSION, Integer),
    single(attrs::MSRTCSIP_OPTION_FLAGS, Integer),
    single(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, Integer),
    single(attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK, Syntax::Dn),
    single(attrs::MSEXCH_UM_TEMPLATE_LINK, Syntax::Dn),
    single(attrs::MSEXCH_HOME_SERVER_NAME, Any),
    single(attrs::MSEXCH_UM_ENABLED_FLAGS, Integer),
    single(attrs::MSEXCH_CURRENT_SERVER_ROLES, Integer),
    single(attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, Integer),
    single(attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, Integer),
    single(attrs::MSEXCH_UM_PHONE_CONTEXT, Any),
    single(attrs::MSEXCH_UM_COUNTRY_CODE, Any),
    single(attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY, Integer),
    single(attrs::MSEXCH_UM_AUDIO_CODEC2, Any),
    single(attrs::MSEXCH_UM_OPERATOR_EXTENSION, Any),
    single(attrs::MSEXCH_UM_LOGON_FAILURES_BEFORE_DISCONNECT, Integer),
    single(attrs::MSEXCH_UM_CALL_FAILURES_TO_DISCONNECT, Integer),
    single(attrs::MSEXCH_UM_MAX_CALL_DURATION, Integer),
    single(attrs::MSEXCH_UM_MAX_RECORDING_DURATION, Integer),
    single(attrs::MSEXCH_UM_RECORDING_IDLE_TIMEOUT, Integer),
    single(attrs::MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK, Syntax::Dn),
    single(attrs::MSEXCH_UM_AUTO_ATTENDANT_FLAGS, Integer),
    single(attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS, Any),
    single(attrs::MSEXCH_UM_IP_GATEWAY_PORT, Integer),
    single(attrs::MSEXCH_UM_OUTCALLS_ALLOWED, Boolean),
    single(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS, Integer),
    single(attrs::MSEXCH_UM_IP_GATEWAY_FLAGS2, Integer),
    single(attrs::MSEXCH_UM_IP_GATEWAY_STATUS, Integer),
    single(attrs::MSEXCH_UM_HUNT_GROUP_DIAL_PLAN_LINK, Syntax::Dn),
    single(attrs::MSEXCH_UM_PILOT_IDENTIFIER, Any),
    multi(attrs::OBJECT_CLASS, Any),
    multi(attrs::DESCRIPTION, Any),
    multi(attrs::PROXY_ADDRESSES, Any),
    multi(attrs::OTHER_IP_PHONE, Any),
    multi(attrs::OTHER_TELEPHONE, Any),
    multi(attrs::MEMBER, Syntax::Dn),
    multi(attrs::NETWORK_ADDRESS, Any),
    multi(attrs::MSRTCSIP_POOL_DATA, Any),
    multi(attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS, Any),
    multi(attrs::MSEXCH_UM_ADDRESSES, Any),
    multi(attrs::MSEXCH_UM_SERVER_DIAL_PLAN_LINK, Syntax::Dn),
    multi(attrs::MSEXCH_UM_VOICE_MAIL_PILOT_NUMBERS, Any),
    multi(attrs::MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS, Any),
    multi(attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES, Any),
];

/// A contract class and the attributes Exchange / Lync require on creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassRule {
    pub class: &'static str,
    pub required: &'static [&'static str],
}

pub static CLASSES: &[ClassRule] = &[
    ClassRule {
        class: attrs::OC_MSRTCSIP_POOL,
        required: &[attrs::CN],
    },
    ClassRule {
        class: attrs::OC_GROUP,
        required: &[attrs::SAM_ACCOUNT_NAME],
    },
    ClassRule {
        class: attrs::OC_USER,
        required: &[],
    },
    ClassRule {
        class: attrs::OC_CONTACT,
        required: &[],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_UM_DIAL_PLAN,
        required: &[
            attrs::CN,
            attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS,
            attrs::MSEXCH_UM_COUNTRY_CODE,
            attrs::MSEXCH_UM_PHONE_CONTEXT,
        ],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_UM_AUTO_ATTENDANT,
        required: &[attrs::MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_UM_IP_GATEWAY,
        required: &[attrs::MSEXCH_UM_IP_GATEWAY_ADDRESS],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_UM_HUNT_GROUP,
        required: &[attrs::MSEXCH_UM_HUNT_GROUP_DIAL_PLAN_LINK],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_EXCHANGE_SERVER,
        required: &[],
    },
    ClassRule {
        class: attrs::OC_MSEXCH_ORGANIZATION_CONTAINER,
        required: &[],
    },
];

/// The contract's facts about an attribute (name compared case-insensitively).
pub fn attribute_rule(name: &str) -> Option<&'static AttributeRule> {
    // Every write checks every attribute: buckets by (length, first letter) keep it to one or
    // two comparisons, with no allocation for the case-folding.
    type Buckets = HashMap<(usize, u8), Vec<&'static AttributeRule>>;
    static BY_SHAPE: LazyLock<Buckets> = LazyLock::new(|| {
        let mut map: Buckets = HashMap::default();
        for rule in ATTRIBUTES {
            let first = rule
                .name
                .as_bytes()
                .first()
                .map_or(0, u8::to_ascii_lowercase);
            map.entry((rule.name.len(), first)).or_default().push(rule);
        }
        map
    });
    let first = name.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
    BY_SHAPE
        .get(&(name.len(), first))?
        .iter()
        .copied()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

/// Whether AD holds `name` single-valued (false for attributes the contract does not know).
pub fn is_single_valued(name: &str) -> bool {
    attribute_rule(name).is_some_and(|r| r.single_valued)
}

/// The contract classes an entry belongs to.
pub fn contract_classes(entry: &Entry) -> impl Iterator<Item = &'static ClassRule> + '_ {
    CLASSES.iter().filter(|c| entry.has_object_class(c.class))
}

/// One way an entry breaks the contract: names the DN, the attribute and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractViolation {
    #[error("{dn}: {attr} is required on {class} (missing)")]
    Missing {
        dn: Dn,
        class: &'static str,
        attr: &'static str,
    },
    #[error("{dn}: {attr} is single-valued but has {count} values")]
    MultipleValues {
        dn: Dn,
        attr: &'static str,
        count: usize,
    },
    #[error("{dn}: {attr} must be {expected}, got {q}", q = crate::quote::Quoted(.value))]
    BadSyntax {
        dn: Dn,
        attr: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A structural rule of the directory (naming attribute, objectClass, rootDSE).
    #[error("{dn}: {attr} must be {expected}")]
    Rule {
        dn: String,
        attr: String,
        expected: String,
    },
}

impl ContractViolation {
    /// A structural rule violation naming the object, the attribute and what was expected.
    pub fn new(dn: &str, attr: &str, expected: &str) -> ContractViolation {
        ContractViolation::Rule {
            dn: dn.to_string(),
            attr: attr.to_string(),
            expected: expected.to_string(),
        }
    }
}

/// Whether a required attribute is there. `cn` also counts when the RDN is `CN=...`: AD fills
/// it in from the RDN.
fn has_required(entry: &Entry, attr: &str) -> bool {
    entry.has(attr)
        || (attr.eq_ignore_ascii_case(attrs::CN)
            && entry
                .dn
                .rdn_attr()
                .is_some_and(|a| a.eq_ignore_ascii_case(attrs::CN)))
}

/// Every way `entry` breaks the contract, in a stable order: missing required attributes
/// (class by class), then per attribute in entry order, cardinality then syntax.
pub fn violations(entry: &Entry) -> Vec<ContractViolation> {
    let mut out = Vec::new();
    let classes: Vec<&ClassRule> = contract_classes(entry).collect();
    if classes.is_empty() {
        return out;
    }
    for class in &classes {
        for &attr in class.required {
            if !has_required(entry, attr) {
                out.push(ContractViolation::Missing {
                    dn: entry.dn.clone(),
                    class: class.class,
                    attr,
                });
            }
        }
    }
    for a in entry.attributes() {
        let Some(rule) = attribute_rule(&a.name) else {
            continue;
        };
        if rule.single_valued && a.values.len() > 1 {
            out.push(ContractViolation::MultipleValues {
                dn: entry.dn.clone(),
                attr: rule.name,
                count: a.values.len(),
            });
        }
        if let Some(v) = a.values.iter().find(|v| !rule.syntax.accepts(v)) {
            out.push(ContractViolation::BadSyntax {
                dn: entry.dn.clone(),
                attr: rule.name,
                value: String::from_utf8_lossy(v).into_owned(),
                expected: rule.syntax.expected(),
            });
        }
    }
    out
}

/// Checks one entry as the lab does on every write: the first violation, if any.
pub fn check_entry(entry: &Entry) -> Result<(), ContractViolation> {
    match violations(entry).into_iter().next() {
        Some(v) => Err(v),
        None => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DP: &str = "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn entry(dn: &str, attrs_: &[(&str, &[&str])]) -> Entry {
        let mut e = Entry::new(Dn::parse(dn).unwrap());
        for (k, vs) in attrs_ {
            e.set(k, vs.iter().map(|v| v.as_bytes().to_vec()).collect());
        }
        e
    }

    fn dial_plan() -> Entry {
        entry(
            DP,
            &[
                ("objectClass", &["top", "msExchUMDialPlan"]),
                ("cn", &["LOC801"]),
                ("msExchUMNumberingPlanDigits", &["4"]),
                ("msExchUMCountryCode", &["962"]),
                ("msExchUMPhoneContext", &["LOC801.contoso.com"]),
                ("msExchUMDialPlanURIType", &["2"]),
                (
                    "msExchUMVoiceMailPilotNumbers",
                    &["+96265519999", "+96265518888"],
                ),
            ],
        )
    }

    #[test]
    fn a_valid_dial_plan_passes() {
        assert_eq!(check_entry(&dial_plan()), Ok(()));
    }

    #[test]
    fn missing_required_attribute_names_dn_attribute_and_class() {
        let mut e = dial_plan();
        e.remove("msExchUMPhoneContext");
        assert_eq!(
            check_entry(&e).unwrap_err().to_string(),
            format!("{DP}: msExchUMPhoneContext is required on msExchUMDialPlan (missing)")
        );
    }

    #[test]
    fn cn_is_satisfied_by_a_cn_rdn() {
        let mut e = dial_plan();
        e.remove("cn");
        assert_eq!(check_entry(&e), Ok(()));
        let e = entry(
            "OU=Pools,DC=contoso,DC=com",
            &[("objectClass", &["msRTCSIP-Pool"])],
        );
        assert_eq!(
            check_entry(&e).unwrap_err().to_string(),
            "OU=Pools,DC=contoso,DC=com: cn is required on msRTCSIP-Pool (missing)"
        );
    }

    #[test]
    fn single_valued_attribute_with_two_values() {
        let e = entry(
            "CN=Bob,CN=Users,DC=contoso,DC=com",
            &[
                (
                    "objectClass",
                    &["top", "person", "organizationalPerson", "user"],
                ),
                ("msRTCSIP-Line", &["tel:+14255550123", "tel:+14255550124"]),
            ],
        );
        assert_eq!(
            check_entry(&e).unwrap_err().to_string(),
            "CN=Bob,CN=Users,DC=contoso,DC=com: msRTCSIP-Line is single-valued but has 2 values"
        );
    }

    #[test]
    fn attribute_names_compare_case_insensitively() {
        let e = entry(
            "CN=Bob,CN=Users,DC=contoso,DC=com",
            &[
                ("objectclass", &["USER"]),
                ("MSRTCSIP-LINE", &["tel:+1", "tel:+2"]),
            ],
        );
        let v = check_entry(&e).unwrap_err();
        assert!(matches!(
            v,
            ContractViolation::MultipleValues {
                attr: "msRTCSIP-Line",
                count: 2,
                ..
            }
        ));
    }

    #[test]
    fn syntax_violations() {
        let cases: [(&str, &str, &str); 6] = [
            (
                "msExchUMNumberingPlanDigits",
                "four",
                "must be an integer, got 'four'",
            ),
            (
                "msExchUMOutcallsAllowed",
                "yes",
                "must be TRUE or FALSE, got 'yes'",
            ),
            (
                "msExchUMServerDialPlanLink",
                "nonsense",
                "must be a DN, got 'nonsense'",
            ),
            ("objectSid", "S-1-x", "must be a SID, got 'S-1-x'"),
            (
                "msRTCSIP-PoolVersion",
                "5.0",
                "must be an integer, got '5.0'",
            ),
            ("msExchUMIPGatewayPort", "", "must be an integer, got ''"),
        ];
        for (attr, value, expected) in cases {
            let mut e = dial_plan();
            e.set(attr, vec![value.as_bytes().to_vec()]);
            let msg = check_entry(&e).unwrap_err().to_string();
            assert_eq!(msg, format!("{DP}: {attr} {expected}"));
        }
    }

    #[test]
    fn valid_syntaxes_pass() {
        let mut e = dial_plan();
        e.set_str("msExchUMIPGatewayPort", "0x13c4");
        e.set_str("msExchUMOutcallsAllowed", "FALSE");
        e.set_str("msRTCSIP-SourceObjectType", "-1879048192");
        e.set_str("objectSid", "S-1-5-21-1-2-3-1105");
        e.set_str("msExchUMServerDialPlanLink", DP);
        assert_eq!(check_entry(&e), Ok(()));
        e.set("objectSid", vec![vec![1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]]);
        assert_eq!(check_entry(&e), Ok(()));
    }

    #[test]
    fn other_classes_are_accepted_as_they_come() {
        let e = entry(
            "CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com",
            &[
                ("objectClass", &["top", "msExchContainer"]),
                ("cn", &["a", "b"]),
                ("msExchUMNumberingPlanDigits", &["four"]),
            ],
        );
        assert_eq!(check_entry(&e), Ok(()));
        assert!(violations(&e).is_empty());
    }

    #[test]
    fn every_contract_class_is_checked() {
        for rule in CLASSES {
            let e = entry(
                "CN=x,DC=contoso,DC=com",
                &[("objectClass", &[rule.class]), ("displayName", &["a", "b"])],
            );
            let v = violations(&e);
            assert!(
                v.iter().any(|v| matches!(
                    v,
                    ContractViolation::MultipleValues {
                        attr: "displayName",
                        ..
                    }
                )),
                "{}: {v:?}",
                rule.class
            );
        }
    }

    #[test]
    fn violations_lists_them_all() {
        let e = entry(
            "CN=gw,DC=contoso,DC=com",
            &[
                ("objectClass", &["msExchUMIPGateway"]),
                ("msExchUMIPGatewayPort", &["1", "x"]),
            ],
        );
        let v = violations(&e);
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(matches!(
            v[0],
            ContractViolation::Missing {
                attr: "msExchUMIPGatewayAddress",
                ..
            }
        ));
        assert!(matches!(v[1], ContractViolation::MultipleValues { .. }));
        assert!(matches!(v[2], ContractViolation::BadSyntax { .. }));
    }

    #[test]
    fn rule_lookup() {
        assert!(is_single_valued("MSRTCSIP-LINE"));
        assert!(!is_single_valued("proxyAddresses"));
        assert!(!is_single_valued("description"));
        assert!(!is_single_valued("unknownAttribute"));
        assert_eq!(attribute_rule("member").unwrap().syntax, Syntax::Dn);
        let mut names: Vec<String> = ATTRIBUTES.iter().map(|r| r.name.to_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ATTRIBUTES.len(), "no attribute listed twice");
    }
}
