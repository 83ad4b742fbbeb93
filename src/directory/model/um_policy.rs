//! UM mailbox policies (`msExchUMRecipientTemplate` under `CN=UM Mailbox Policies`, domain.md
//! B.3.6 and B.5.1), the object a user's `msExchUMTemplateLink` names: the PIN rules
//! (MinPINLength, PINHistoryCount, MaxLogonAttempts, AllowCommonPatterns,
//! LogonFailuresBeforePINReset) and MaxGreetingDuration, with Exchange's defaults when an
//! attribute is absent. Attribute names are those of Exchange's UMMailboxPolicySchema. Applying
//! the rules is `um::pin`'s.

use serde::Serialize;

use super::{attrs, read, Dn, ModelError};
use crate::directory::entry::Entry;

/// The object class of a UM mailbox policy.
pub const OC_UM_MAILBOX_POLICY: &str = "msExchUMRecipientTemplate";

/// One UM mailbox policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UmMailboxPolicy {
    pub dn: Dn,
    pub name: String,
    pub dial_plan: Option<Dn>,
    /// MinPINLength (4-24, default 6).
    pub min_pin_length: u32,
    /// PINHistoryCount (1-20, default 5): the last N PINs may not be reused.
    pub pin_history: u32,
    /// MaxLogonAttempts (1-999; absent reads as 15, the documented default).
    pub max_logon_attempts: u32,
    /// LogonFailuresBeforePINReset (absent: Unlimited).
    pub logon_failures_before_pin_reset: Option<u32>,
    /// AllowCommonPatterns (stored as 0/1 in msExchUMPinPolicyDisallowCommonPatterns, non-zero
    /// meaning allowed, as Exchange's calculated property reads it; default off).
    pub allow_common_patterns: bool,
    /// MaxGreetingDuration in minutes (1-10, default 5).
    pub max_greeting_minutes: u32,
}

impl UmMailboxPolicy {
    pub fn from_entry(e: &Entry) -> Result<UmMailboxPolicy, ModelError> {
        read::expect_class(e, OC_UM_MAILBOX_POLICY)?;
        let int = |attr, lo, hi, default| {
            read::int_in(e, attr, lo, hi, default).map(|v| u32::try_from(v).unwrap_or(0))
        };
        Ok(UmMailboxPolicy {
            dn: e.dn.clone(),
            name: read::name(e, OC_UM_MAILBOX_POLICY)?,
            dial_plan: read::opt_dn(e, attrs::MSEXCH_UM_MAILBOX_POLICY_DIAL_PLAN_LINK)?,
            min_pin_length: int(attrs::MSEXCH_UM_PIN_POLICY_MIN_PASSWORD_LENGTH, 4, 24, 6)?,
            pin_history: int(attrs::MSEXCH_UM_PIN_POLICY_PREVIOUS_DISALLOWED, 1, 20, 5)?,
            max_logon_attempts: int(
                attrs::MSEXCH_UM_PIN_POLICY_ACCOUNT_LOCKOUT_FAILURES,
                1,
                999,
                15,
            )?,
            logon_failures_before_pin_reset: read::opt_i64(
                e,
                attrs::MSEXCH_UM_LOGON_FAILURES_BEFORE_PIN_RESET,
            )?
            .map(|_| int(attrs::MSEXCH_UM_LOGON_FAILURES_BEFORE_PIN_RESET, 0, 999, 0))
            .transpose()?,
            allow_common_patterns: int(
                attrs::MSEXCH_UM_PIN_POLICY_DISALLOW_COMMON_PATTERNS,
                0,
                1,
                0,
            )? != 0,
            max_greeting_minutes: int(attrs::MSEXCH_UM_MAX_GREETING_DURATION, 1, 10, 5)?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let mut e = Entry::new(Dn::parse("CN=P,CN=UM Mailbox Policies,DC=x").unwrap());
        e.set(
            attrs::OBJECT_CLASS,
            vec![b"top".to_vec(), OC_UM_MAILBOX_POLICY.as_bytes().to_vec()],
        );
        e.set_str(attrs::CN, "P");
        let p = UmMailboxPolicy::from_entry(&e).unwrap();
        assert_eq!(
            (p.min_pin_length, p.pin_history, p.max_logon_attempts),
            (6, 5, 15)
        );
        assert!(!p.allow_common_patterns);
        assert_eq!(p.max_greeting_minutes, 5);
        e.set_str(attrs::MSEXCH_UM_PIN_POLICY_MIN_PASSWORD_LENGTH, "8");
        e.set_str(attrs::MSEXCH_UM_PIN_POLICY_DISALLOW_COMMON_PATTERNS, "1");
        let p = UmMailboxPolicy::from_entry(&e).unwrap();
        assert_eq!(p.min_pin_length, 8);
        assert!(p.allow_common_patterns);
        e.set_str(attrs::MSEXCH_UM_PIN_POLICY_MIN_PASSWORD_LENGTH, "3");
        let err = UmMailboxPolicy::from_entry(&e).unwrap_err().to_string();
        assert!(err.contains("msExchUMPinPolicyMinPasswordLength"), "{err}");
    }
}
