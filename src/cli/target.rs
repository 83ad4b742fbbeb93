//! Which directory a command works on: the lab folder (`--lab`, `$UMCTL_LAB`, or the platform
//! data folder) or a real AD (`--ldap`).

use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::cli::args::GlobalArgs;
use crate::directory::lab::{self, LabDirectory};

/// The lab folder the options name.
pub fn lab_root(global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &global.lab {
        return Ok(dir.clone());
    }
    lab::default_root().context(
        "no home folder to keep the lab directory in; give one with --lab DIR or $UMCTL_LAB",
    )
}

/// Refuses `--ldap` for commands that only make sense on the lab.
pub fn lab_only(global: &GlobalArgs, command: &str) -> anyhow::Result<()> {
    if let Some(url) = &global.ldap {
        bail!(crate::cli::UsageError(format!(
            "`umctl {command}` works on the lab directory only, but --ldap {url} was given; drop --ldap"
        )));
    }
    Ok(())
}

/// Opens the lab directory (creating it from the built-in forest on first use).
pub fn open_lab(global: &GlobalArgs) -> anyhow::Result<LabDirectory> {
    let root = lab_root(global)?;
    LabDirectory::open(&root)
        .with_context(|| format!("opening the lab directory at {}", root.display()))
}
