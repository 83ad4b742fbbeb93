//! Which directory a command works on: the lab folder (`--lab`, `$UMCTL_LAB`, or the platform
//! data folder) or a real AD (`--ldap`, with the password from `--password-file`,
//! `$UMCTL_LDAP_PASSWORD` or a hidden prompt; never from the command line), and which object
//! in it a name given on the command line means ([`find_object`]).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::cli::args::GlobalArgs;
use crate::cli::UsageError;
use crate::directory::lab::{self, LabDirectory};
use crate::directory::ldap::{LdapDirectory, LdapTarget, Secret};
use crate::directory::model::attrs;
use crate::directory::{Directory, Dn, Entry, Filter, Scope};

/// The environment variable a bind password may come from.
pub const PASSWORD_ENV: &str = "UMCTL_LDAP_PASSWORD";

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
        bail!(UsageError(format!(
            "`umctl {command}` works on the lab directory only, but --ldap {url} was given; drop --ldap"
        )));
    }
    Ok(())
}

/// Opens the lab directory for reading: the one function every reading command calls. A
/// folder that holds no lab is refused ("no lab directory at X; create one with umctl lab
/// init --lab X", exit 2): only `lab init` and `lab import` create one.
///
/// The lab lives until the process ends: it is leaked on purpose, because tearing down a
/// forest of 100,000 objects object by object costs more time than the command itself.
pub fn open_lab(global: &GlobalArgs) -> anyhow::Result<&'static LabDirectory> {
    let root = lab_root(global)?;
    let lab = LabDirectory::open(&root)?;
    Ok(Box::leak(Box::new(lab)))
}

/// [`open_lab`] for a command that will write: a folder umctl cannot write to is refused
/// now, before any plan is shown.
pub fn open_lab_for_writing(global: &GlobalArgs) -> anyhow::Result<&'static LabDirectory> {
    let lab = open_lab(global)?;
    lab.check_writable()?;
    Ok(lab)
}

/// [`open_lab`] with the whole forest in memory, for a long-running command (serve).
pub fn open_lab_in_memory(global: &GlobalArgs) -> anyhow::Result<&'static LabDirectory> {
    let root = lab_root(global)?;
    let lab = LabDirectory::open_in_memory(&root)?;
    Ok(Box::leak(Box::new(lab)))
}

/// The directory the options name: the real AD with `--ldap`, else the lab.
pub fn open_directory(global: &GlobalArgs) -> anyhow::Result<Box<dyn Directory>> {
    open_directory_for(global, false)
}

/// [`open_directory`]; when `write`, a lab folder umctl cannot write to is refused first.
pub fn open_directory_for(global: &GlobalArgs, write: bool) -> anyhow::Result<Box<dyn Directory>> {
    match (&global.ldap, write) {
        (Some(_), _) => Ok(Box::new(connect_ldap(global)?)),
        (None, false) => Ok(Box::new(open_lab(global)?)),
        (None, true) => Ok(Box::new(open_lab_for_writing(global)?)),
    }
}

/// Connects and binds to the AD named by `--ldap`.
pub fn connect_ldap(global: &GlobalArgs) -> anyhow::Result<LdapDirectory> {
    let Some(url) = &global.ldap else {
        bail!(UsageError("this needs --ldap URL".into()));
    };
    let password = match &global.bind_dn {
        Some(dn) => Some(bind_password(global, dn)?),
        None => None,
    };
    let target = LdapTarget {
        url: url.clone(),
        bind_dn: global.bind_dn.clone(),
        password,
        ca_file: global.ca_file.clone(),
        insecure_plain_bind: global.insecure_plain_bind,
        sasl_gssapi: global.sasl_gssapi,
        start_tls: global.start_tls,
    };
    Ok(LdapDirectory::connect(&target)?)
}

/// The bind password: `--password-file`, else `$UMCTL_LDAP_PASSWORD`, else a hidden prompt
/// on a terminal.
fn bind_password(global: &GlobalArgs, bind_dn: &str) -> anyhow::Result<Secret> {
    if let Some(path) = &global.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UsageError(format!(
                "cannot read the password file {}: {e}",
                path.display()
            ))
        })?;
        let password = text.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            bail!(UsageError(format!(
                "the password file {} is empty",
                path.display()
            )));
        }
        return Ok(Secret::new(password));
    }
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        if !password.is_empty() {
            return Ok(Secret::new(password));
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let password = dialoguer::Password::new()
            .with_prompt(format!("Password for {bind_dn}"))
            .interact()
            .context("reading the password")?;
        return Ok(Secret::new(password));
    }
    bail!(UsageError(format!(
        "no password for {bind_dn}: give --password-file FILE, set {PASSWORD_ENV}, or run on a terminal to be asked"
    )))
}

/// Finds one object by DN, or by a name it is commonly known by.
pub fn find_object(dir: &dyn Directory, object: &str) -> anyhow::Result<Entry> {
    if object.contains('=') {
        if let Ok(dn) = Dn::parse(object) {
            return dir
                .read(&dn, &[])?
                .ok_or_else(|| UsageError(format!("no object with the DN {dn}")).into());
        }
    }
    let sip = if object.to_ascii_lowercase().starts_with("sip:") {
        object.to_string()
    } else {
        format!("sip:{object}")
    };
    let filter = Filter::Or(
        [
            "cn",
            "name",
            "sAMAccountName",
            "displayName",
            "dNSHostName",
            "userPrincipalName",
            "mail",
        ]
        .iter()
        .map(|attr| Filter::eq(attr, object))
        .chain([
            Filter::eq("msRTCSIP-PrimaryUserAddress", &sip),
            // An Exchange server's FQDN (what `lab hosts` lists for it).
            Filter::eq("networkAddress", &format!("ncacn_ip_tcp:{object}")),
            Filter::eq("msExchUMIPGatewayAddress", object),
        ])
        .collect(),
    );
    let mut found = dir.search(&Dn::root(), Scope::Subtree, &filter, &[])?;
    match found.len() {
        0 => bail!(UsageError(format!(
            "no object named '{object}' (looked at cn, sAMAccountName, displayName, the FQDN of servers, pools and gateways, userPrincipalName, mail and the SIP address); give a DN instead"
        ))),
        1 => Ok(found.remove(0)),
        n => {
            // Each with its most specific class, so the user can tell which is which.
            let dns: Vec<String> = found
                .iter()
                .map(|e| {
                    let class = e.str_values(attrs::OBJECT_CLASS).last().unwrap_or("?");
                    format!("{} ({class})", e.dn)
                })
                .collect();
            bail!(UsageError(format!(
                "'{object}' names {n} objects; give one of these DNs instead:\n  {}",
                dns.join("\n  ")
            )))
        }
    }
}
