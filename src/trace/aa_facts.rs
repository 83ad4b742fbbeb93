//! What a trace says about an auto attendant call: which period applies at the call's time
//! (`--now`), what the caller hears in it (greeting, menu, operator) and what `--digits` does,
//! all from the same [`AutoAttendantConfig`] serve builds, so the two cannot disagree; and a
//! warning when part of the auto attendant is in Exchange's serialized form umctl cannot read;
//! and the called user's UM mailbox policy. Small functions the offline trace (and doctor)
//! call.

use std::path::Path;

use jiff::Timestamp;

use crate::directory::model::{AutoAttendant, DialPlan};
use crate::um::aa_period::{period_at, PeriodChoice};
use crate::um::auto_attendant::greeting_folder;
use crate::um::AutoAttendantConfig;

/// The period at `now` (none: the current time) and the menu serve would play in it.
pub fn aa_config(
    aa: &AutoAttendant,
    dp: &DialPlan,
    now: Option<Timestamp>,
    mailboxes: Option<&Path>,
) -> (PeriodChoice, AutoAttendantConfig) {
    let choice = period_at(aa, now.unwrap_or_else(Timestamp::now));
    let folder = mailboxes.map(|m| greeting_folder(m, &aa.name));
    let config = AutoAttendantConfig::new(aa, dp, &choice, folder.as_deref());
    (choice, config)
}

/// The hours the auto attendant keeps, one line.
pub fn aa_hours(aa: &AutoAttendant) -> String {
    let hours = if aa.schedule.is_empty() {
        "always open (no schedule)".to_string()
    } else {
        aa.schedule
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let holidays: Vec<String> = aa
        .holidays
        .iter()
        .map(|h| format!("{} {}..{}", h.name, h.first, h.last))
        .collect();
    format!(
        "business hours {hours} ({}); holidays: {}",
        aa.time_zone.as_deref().unwrap_or("UTC"),
        if holidays.is_empty() {
            "none".into()
        } else {
            holidays.join(", ")
        }
    )
}

/// What the caller hears: the period, the greeting, the menu and the operator.
pub fn aa_heard(
    aa: &AutoAttendant,
    choice: &PeriodChoice,
    config: &AutoAttendantConfig,
) -> Vec<String> {
    let mut out = vec![aa_hours(aa), format!("period: {}", choice.describe())];
    out.push(match (&config.greeting, choice.greeting(aa)) {
        (Some(file), _) => format!("greeting: {}", file.display()),
        (None, Some(missing)) => format!(
            "greeting: {missing} is not in the auto attendant's greeting folder: the system welcome plays instead"
        ),
        (None, None) => "greeting: the system welcome".into(),
    });
    out.extend(
        config
            .key_mappings
            .iter()
            .map(|k| format!("key {}: {} ({})", k.key, k.name, k.extension)),
    );
    out.push(match &config.operator_extension {
        Some(op) => format!("key 0: the operator ({op})"),
        None => "key 0: no transfer to the operator in this period".into(),
    });
    out.extend(aa.exchange_form_note());
    out
}

/// What --digits does in the menu of the period.
pub fn aa_digits(config: &AutoAttendantConfig, digits: Option<&str>) -> Vec<String> {
    let Some(digits) = digits else {
        return vec!["no --digits: the caller listens to the menu".into()];
    };
    let mut out = Vec::new();
    for d in digits.chars() {
        match d {
            '0' => {
                out.push(match &config.operator_extension {
                    Some(ext) => format!("0: transfer to the operator ({ext})"),
                    None => "0: no operator in this period: the menu repeats".into(),
                });
                break;
            }
            '1'..='9' => {
                let key = d as u8 - b'0';
                match config.key_mappings.iter().find(|k| k.key == key) {
                    Some(k) => {
                        out.push(format!("{d}: transfer to {} ({})", k.name, k.extension));
                        break;
                    }
                    None => out.push(format!(
                        "{d}: not in the menu: \"Sorry, that is not a valid choice\""
                    )),
                }
            }
            '*' | '#' => out.push(format!("{d}: back to the main menu")),
            other => out.push(format!("{other}: not a DTMF key, ignored")),
        }
    }
    out
}

/// The UM mailbox policy the called user is held to, one line (for the call-answering hop).
pub fn mailbox_policy_line<D: crate::directory::Directory + ?Sized>(
    dir: &D,
    user: &crate::directory::model::UmUser,
) -> String {
    let link = user.mailbox_policy.as_deref();
    match crate::um::mailbox_policy::linked_policy(dir, link) {
        Ok(Some(p)) => format!(
            "UM mailbox policy {}: MinPINLength {}, PINHistoryCount {}, MaxLogonAttempts {}, AllowCommonPatterns {}, MaxGreetingDuration {} min",
            p.name,
            p.min_pin_length,
            p.pin_history,
            p.max_logon_attempts,
            p.allow_common_patterns,
            p.max_greeting_minutes
        ),
        Err(e) => format!("UM mailbox policy: cannot be read ({e}); the defaults apply"),
        Ok(None) => "UM mailbox policy: none linked (msExchUMTemplateLink); the defaults apply".into(),
    }
}
