//! What a call's digits ask for, and whether the call's record says it happened. The offline
//! trace works out the expectation from the directory ([`expect_aa`], [`expect_ova`]: an auto
//! attendant key's mapping, an extension with a mailbox); the live trace reads the call's
//! record (`crate::records`) and judges it with [`judge`]. Only what needs the PIN store is
//! left to the live call.

use crate::directory::model::{AutoAttendant, DialPlan};
use crate::records::{CallRecord, DropReason};

/// What the caller's digits should lead to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Expect {
    /// Nothing particular (no digits, or call answering).
    #[default]
    Nothing,
    /// A sign-in to this extension's mailbox (Outlook Voice Access: extension#PIN#).
    SignIn { extension: String },
    /// A transfer to this number (`name`: the menu entry).
    Transfer {
        target: String,
        name: Option<String>,
    },
}

/// The auto attendant's answer to `digits`: the first key with a mapping (or 0 and an
/// operator) is a transfer.
pub fn expect_aa(aa: &AutoAttendant, dp: &DialPlan, digits: Option<&str>) -> Expect {
    for d in digits.unwrap_or_default().chars() {
        match d {
            '0' => {
                return match aa
                    .operator_extension
                    .clone()
                    .or_else(|| dp.operator_extension.clone())
                {
                    Some(target) => Expect::Transfer {
                        target,
                        name: Some("operator".into()),
                    },
                    None => Expect::Nothing,
                }
            }
            '1'..='9' => {
                if let Some(k) = aa.key(d as u8 - b'0') {
                    return Expect::Transfer {
                        target: k.extension.clone(),
                        name: Some(k.name.clone()),
                    };
                }
            }
            _ => {}
        }
    }
    Expect::Nothing
}

/// Outlook Voice Access: `extension#PIN#` asks to sign in.
pub fn expect_ova(digits: Option<&str>) -> Expect {
    let Some(digits) = digits else {
        return Expect::Nothing;
    };
    let mut parts = digits.split('#');
    match (parts.next(), parts.next()) {
        (Some(ext), Some(pin)) if !ext.is_empty() && !pin.is_empty() => Expect::SignIn {
            extension: ext.to_string(),
        },
        _ => Expect::Nothing,
    }
}

/// Whether `record` shows what `expect` asked for; `Err` says what happened instead.
pub fn judge(expect: &Expect, record: &CallRecord) -> Result<(), String> {
    let outcome = record.outcome();
    match expect {
        Expect::SignIn { .. } if !record.signed_in() => {
            return Err(format!("the sign-in did not succeed: {outcome}"));
        }
        Expect::Transfer { target, .. } if record.transferred_number.is_none() => {
            return Err(match &record.transfer_failed {
                Some(why) => format!("the transfer to {target} was refused: {why}"),
                None => format!("the transfer to {target} never came: {outcome}"),
            });
        }
        _ => {}
    }
    match record.drop_call_reason {
        Some(DropReason::Shutdown | DropReason::SystemError | DropReason::NoAck) => Err(format!(
            "UM ended the call before the caller did: {outcome}"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::records::{Logon, OfferResult};

    #[test]
    fn ova_digits_with_a_pin_ask_for_a_sign_in() {
        assert_eq!(
            expect_ova(Some("9000#111999#")),
            Expect::SignIn {
                extension: "9000".into()
            }
        );
        assert_eq!(expect_ova(Some("9000#")), Expect::Nothing);
        assert_eq!(expect_ova(None), Expect::Nothing);
    }

    #[test]
    fn records_are_judged_against_what_the_digits_asked() {
        let mut r = CallRecord {
            offer_result: Some(OfferResult::Answer),
            drop_call_reason: Some(DropReason::CallerHungUp),
            ..CallRecord::default()
        };
        r.logons.push(Logon::WrongPin {
            user: "bob".into(),
            failure: 1,
            of: 3,
        });
        let sign_in = Expect::SignIn {
            extension: "9000".into(),
        };
        let e = judge(&sign_in, &r).unwrap_err();
        assert!(e.contains("wrong PIN (failure 1 of 3)"), "{e}");
        r.logons.push(Logon::SignedIn {
            user: "bob".into(),
            new_messages: 1,
        });
        judge(&sign_in, &r).unwrap();
        let transfer = Expect::Transfer {
            target: "9001".into(),
            name: Some("Sales".into()),
        };
        assert!(judge(&transfer, &r).unwrap_err().contains("never came"));
        r.transferred_number = Some("9001".into());
        judge(&transfer, &r).unwrap();
        r.drop_call_reason = Some(DropReason::Shutdown);
        assert!(judge(&Expect::Nothing, &r)
            .unwrap_err()
            .contains("UM hung up (shutdown)"));
    }
}
