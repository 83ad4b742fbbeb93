//! `umctl lab greeting away USER on|off`: turns a lab mailbox's away (out-of-office) greeting
//! on or off (`um::greeting_file::set_away`) and says which greeting callers now hear; and the
//! UM mailbox policy's MaxGreetingDuration check before `lab greeting set` stores a greeting.

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::args::GlobalArgs;
use crate::cli::output::Output;
use crate::cli::target::find_object;
use crate::cli::target::open_lab;
use crate::cli::UsageError;
use crate::directory::model::attrs;
use crate::mail::Mailbox;
use crate::um::greeting_file;
use crate::um::Greeting;

/// Refuses `file` as `sam`'s greeting when it is longer than their policy allows.
pub fn check_policy(
    lab: &crate::directory::lab::LabDirectory,
    sam: &str,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let samples = greeting_file::read_checked(file)?;
    let (max, name) = match crate::um::mailbox_policy::user_policy(lab, sam)? {
        Some(p) => (p.max_greeting_minutes, p.name),
        None => (5, "the default UM mailbox policy".to_string()),
    };
    greeting_file::check_duration(file, samples.len(), max, &name)?;
    Ok(())
}

pub fn away(global: &GlobalArgs, out: &Output, user: &str, on: bool) -> anyhow::Result<ExitCode> {
    let lab = open_lab(global)?;
    let entry = find_object(&lab, user)?;
    let Some(sam) = entry.first(attrs::SAM_ACCOUNT_NAME) else {
        bail!(UsageError(format!(
            "{} has no sAMAccountName; expected a user (a mailbox)",
            entry.dn
        )));
    };
    let mailbox =
        Mailbox::open(&lab.paths().mailboxes(), sam).map_err(|e| UsageError(e.to_string()))?;
    greeting_file::set_away(&mailbox, sam, on)?;
    let display = entry.first(attrs::DISPLAY_NAME).unwrap_or(sam);
    let heard = Greeting::for_mailbox(Some(&mailbox), display);
    if out.json {
        out.json(&serde_json::json!({ "user": sam, "away": on, "greeting": heard }))?;
    } else {
        out.text(&format!(
            "The away greeting of {sam} is {}: callers hear the {}.",
            if on { "on" } else { "off" },
            heard.describe()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
