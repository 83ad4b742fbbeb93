//! `umctl lab pin set|reset|show USER`: the Outlook Voice Access PIN of a lab mailbox. The PIN
//! comes from `--pin-file`, `$UMCTL_PIN` or a hidden prompt (asked twice), never from the
//! command line, and is checked against the UM mailbox policy before anything is written.
//! Output never shows the PIN or its hash. The PIN store itself is `um::pin`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::cli::args::{GlobalArgs, PinCommand};
use crate::cli::output::{table, Output};
use crate::cli::target::find_object;
use crate::cli::target::{open_lab, open_lab_for_writing};
use crate::cli::UsageError;
use crate::directory::lab::LabDirectory;
use crate::directory::model::{DialPlan, UmUser};
use crate::directory::Directory;
use crate::um::pin::{LabPinStore, PinError, PinPolicy, PinStatus};

/// The environment variable `lab pin set` reads the PIN from.
pub const PIN_ENV: &str = "UMCTL_PIN";

pub fn run(global: &GlobalArgs, command: &PinCommand) -> anyhow::Result<ExitCode> {
    let out = Output::new(global);
    let lab = match command {
        PinCommand::Show { .. } => open_lab(global)?,
        PinCommand::Set { .. } | PinCommand::Reset { .. } => open_lab_for_writing(global)?,
    };
    let store = LabPinStore::new(lab.paths().mailboxes(), PinPolicy::default())
        .with_policies(crate::um::mailbox_policy::source(Arc::new(lab)));
    let status = match command {
        PinCommand::Set { user, pin_file } => {
            let (sam, extension) = mailbox_user(lab, user)?;
            let pin = read_pin(pin_file.as_deref(), &sam)?;
            store
                .set(&sam, &pin, extension.as_deref())
                .map_err(|e| usage(e).context(policy_name(lab, &sam)))?;
            out.note(&format!(
                "PIN set for {sam}; failure count and lockout cleared."
            ));
            store.status(&sam).map_err(usage)?
        }
        PinCommand::Reset { user } => {
            let (sam, _) = mailbox_user(lab, user)?;
            let st = store.reset(&sam).map_err(usage)?;
            out.note(&format!("Lockout and failure count of {sam} cleared."));
            st
        }
        PinCommand::Show { user } => {
            let (sam, _) = mailbox_user(lab, user)?;
            store.status(&sam).map_err(usage)?
        }
    };
    print_status(&out, &status)?;
    Ok(ExitCode::SUCCESS)
}

/// "UM mailbox policy NAME of USER", for an error that names a rule.
fn policy_name(lab: &LabDirectory, sam: &str) -> String {
    match crate::um::mailbox_policy::user_policy(lab, sam) {
        Ok(Some(p)) => format!("UM mailbox policy {} of {sam}", p.name),
        _ => format!("the default UM mailbox policy (no msExchUMTemplateLink on {sam})"),
    }
}

fn usage(e: PinError) -> anyhow::Error {
    match e {
        PinError::Io { .. } | PinError::Random => e.into(),
        other => UsageError(other.to_string()).into(),
    }
}

fn print_status(out: &Output, st: &PinStatus) -> anyhow::Result<()> {
    if out.json {
        out.json(st)?;
        return Ok(());
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    out.text(&table(
        &["User", "PIN set", "Locked out", "Failures"],
        [vec![
            st.user.clone(),
            yes_no(st.pin_set),
            yes_no(st.locked),
            format!("{} of {}", st.failures, st.max_logon_attempts),
        ]],
    ))?;
    Ok(())
}

/// The user's sAMAccountName (the mailbox folder) and extension in their dial plan; the user
/// must be UM-enabled.
fn mailbox_user(lab: &LabDirectory, name: &str) -> anyhow::Result<(String, Option<String>)> {
    let entry = find_object(lab, name)?;
    let user = UmUser::from_entry(&entry).map_err(|_| {
        UsageError(format!(
            "{} is not a user; expected a UM-enabled user",
            entry.dn
        ))
    })?;
    let Some(sam) = user.sam.clone() else {
        bail!(UsageError(format!(
            "{} has no sAMAccountName; expected a user with a mailbox",
            entry.dn
        )));
    };
    if !user.um_enabled {
        bail!(UsageError(format!(
            "{sam} is not UM-enabled (msExchUMEnabledFlags bit 1 clear); expected a UM-enabled user"
        )));
    }
    let extension = match &user.dial_plan {
        Some(dn) => match lab.read(dn, &[])? {
            Some(e) => DialPlan::from_entry(&e)
                .ok()
                .and_then(|dp| user.extension_in(&dp.phone_context).map(str::to_string)),
            None => None,
        },
        None => None,
    };
    Ok((sam, extension))
}

/// The new PIN: `--pin-file` (first line), else `$UMCTL_PIN`, else asked twice on a terminal.
fn read_pin(pin_file: Option<&std::path::Path>, sam: &str) -> anyhow::Result<String> {
    if let Some(path) = pin_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read the PIN file {}: {e}", path.display())))?;
        let pin = text.lines().next().unwrap_or("").trim().to_string();
        if pin.is_empty() {
            bail!(UsageError(format!(
                "the PIN file {} is empty; expected the PIN on its first line",
                path.display()
            )));
        }
        return Ok(pin);
    }
    if let Ok(pin) = std::env::var(PIN_ENV) {
        if !pin.is_empty() {
            return Ok(pin.trim().to_string());
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return dialoguer::Password::new()
            .with_prompt(format!("New PIN for {sam}"))
            .with_confirmation("Repeat the PIN", "The two PINs differ")
            .interact()
            .context("reading the PIN");
    }
    bail!(UsageError(format!(
        "no PIN for {sam}: give --pin-file FILE, set {PIN_ENV}, or run on a terminal to be asked"
    )))
}
