//! `umctl lab ...`: create, reset, export, import and edit the embedded lab directory, list its
//! hosts, show one object, list and restore its snapshots, compare it (`lab diff`) and accept
//! a hand edit (`lab pin` is `cli::lab_pin`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::args::{GlobalArgs, GreetingCommand, LabCommand, SearchScope};
use crate::cli::output::{entry_json, entry_table, table, Output};
use crate::cli::target::{
    connect_ldap, find_object, lab_only, lab_root, open_lab, open_lab_for_writing,
};
use crate::cli::UsageError;
use crate::directory::lab::copy::copy_forest;
use crate::directory::lab::{self, snapshots, LabDirectory};
use crate::directory::ldif::LdifWriter;
use crate::directory::model::attrs;
use crate::directory::{Directory, Dn, Filter, Scope};
use crate::um::greeting_file::{self, GreetingFile};

pub fn run(global: &GlobalArgs, command: &LabCommand) -> anyhow::Result<ExitCode> {
    if !matches!(
        command,
        LabCommand::Import {
            from_ldap: true,
            ..
        } | LabCommand::Diff { .. }
    ) {
        lab_only(global, "lab")?;
    }
    let out = Output::new(global);
    let root = lab_root(global)?;
    match command {
        LabCommand::Init { force } => init(&out, &root, *force)?,
        LabCommand::Reset => reset(&out, &root)?,
        LabCommand::Export { out: file } => {
            if out.json {
                bail!(UsageError("lab export writes LDIF, not JSON; for the forest as JSON run umctl lab search '(objectClass=*)' --json".into()));
            }
            let lab = open_lab(global)?;
            match file {
                Some(path) => {
                    let mut buf = Vec::new();
                    lab.export(&mut buf)?;
                    fs::write(path, buf).with_context(|| format!("writing {}", path.display()))?;
                    out.note(&format!(
                        "Exported {} objects to {}.",
                        lab.object_count(),
                        path.display()
                    ));
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    lab.export(&mut stdout).map_err(anyhow::Error::from)?;
                }
            }
        }
        LabCommand::Import { file, from_ldap } => import(global, &out, &root, file, *from_ldap)?,
        LabCommand::Apply { file } => {
            let lab = open_lab_for_writing(global)?;
            let bytes = read_input(file)?;
            let outcome = lab.apply_ldif(&bytes, &file.display().to_string())?;
            if out.json {
                out.json(&outcome)?;
            } else {
                out.text(&format!("Applied {} change(s).", outcome.changes))?;
                for host in &outcome.new_hosts {
                    out.note(&format!("New lab address: {} {}", host.address, host.fqdn));
                }
            }
        }
        LabCommand::Hosts => {
            let lab = open_lab(global)?;
            let hosts = lab.hosts()?;
            if out.json {
                out.json(&hosts.hosts())?;
            } else {
                out.text(&table(
                    &["Address", "FQDN"],
                    hosts
                        .hosts()
                        .iter()
                        .map(|h| vec![h.address.to_string(), h.fqdn.clone()]),
                ))?;
            }
        }
        LabCommand::Search {
            filter,
            attrs,
            base,
            scope,
        } => search(global, &out, filter, attrs, base, *scope)?,
        LabCommand::Pin { command } => return crate::cli::lab_pin::run(global, command),
        LabCommand::Cert { command } => return crate::cli::lab_cert::run(global, command),
        LabCommand::Greeting { command } => return greeting(global, &out, command),
        LabCommand::AcceptEdit => {
            let outcome = LabDirectory::accept_edit(&root)?;
            if out.json {
                out.json(&outcome)?;
            } else {
                out.text(&format!(
                    "Checked {} objects in full; forest.ldif at {} is stamped and will be read again.",
                    outcome.objects,
                    outcome.path.display()
                ))?;
            }
        }
        LabCommand::Backups { keep } => backups(global, &out, *keep)?,
        LabCommand::Restore { id } => restore(&out, &root, id)?,
        LabCommand::Diff { against } => return diff(global, &out, against.as_deref()),
        LabCommand::Show { object } => {
            let lab = open_lab(global)?;
            let entry = find_object(&lab, object)?;
            if out.json {
                out.json(&entry_json(&entry))?;
            } else {
                out.text(&entry_table(&entry))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `umctl lab init [--force]`.
fn init(out: &Output, root: &Path, force: bool) -> anyhow::Result<()> {
    let outcome = LabDirectory::init(root, force)?;
    if out.json {
        out.json(&outcome)?;
    } else if outcome.created {
        out.text(&format!(
            "Lab directory created at {} ({} objects).",
            outcome.path.display(),
            outcome.objects
        ))?;
        if let Some(backup) = &outcome.backup {
            out.note(&format!(
                "The previous lab was kept in {}.",
                backup.display()
            ));
        }
    } else {
        out.text(&format!(
            "Lab directory already exists at {} ({} objects); kept as is. Use --force to replace it.",
            outcome.path.display(),
            outcome.objects
        ))?;
    }
    Ok(())
}

/// `umctl lab import FILE | --from-ldap`.
fn import(
    global: &GlobalArgs,
    out: &Output,
    root: &Path,
    file: &Option<PathBuf>,
    from_ldap: bool,
) -> anyhow::Result<()> {
    let outcome = if from_ldap {
        let ad = connect_ldap(global)?;
        out.note(&format!(
            "Reading the Exchange UM and Skype objects of {} ...",
            ad.describe()
        ));
        let (entries, report) = copy_forest(&ad)?;
        out.note(&format!(
            "Copied {} objects ({} stand-in parents, {} security descriptors); secrets are never copied.",
            report.copied, report.stand_in_parents, report.descriptors
        ));
        LabDirectory::import_entries(root, &entries, &ad.describe())?
    } else {
        let file = file
            .as_ref()
            .ok_or_else(|| UsageError("give an LDIF file or --from-ldap".into()))?;
        let bytes = read_input(file)?;
        LabDirectory::import(root, &bytes, &file.display().to_string())?
    };
    if out.json {
        out.json(&outcome)?;
    } else {
        out.text(&format!(
            "Imported {} objects into {}.",
            outcome.objects,
            outcome.path.display()
        ))?;
        if let Some(backup) = &outcome.backup {
            out.note(&format!(
                "The previous forest was kept in {}.",
                backup.display()
            ));
        }
        for host in &outcome.new_hosts {
            out.note(&format!("New lab address: {} {}", host.address, host.fqdn));
        }
    }
    Ok(())
}

/// `umctl lab search FILTER [ATTR...] [--base DN] [--scope ...]`: LDIF or JSON.
fn search(
    global: &GlobalArgs,
    out: &Output,
    filter: &str,
    attrs: &[String],
    base: &Option<String>,
    scope: SearchScope,
) -> anyhow::Result<()> {
    let lab = open_lab(global)?;
    let filter = Filter::parse(filter).map_err(|e| UsageError(e.to_string()))?;
    let base = match base {
        Some(b) => Dn::parse(b).map_err(|e| UsageError(e.to_string()))?,
        None => Dn::root(),
    };
    let scope = match scope {
        SearchScope::Base => Scope::Base,
        SearchScope::One => Scope::OneLevel,
        SearchScope::Sub => Scope::Subtree,
    };
    let attrs: Vec<&str> = attrs.iter().map(String::as_str).collect();
    let found = lab.search(&base, scope, &filter, &attrs)?;
    if out.json {
        out.json(&found.iter().map(entry_json).collect::<Vec<_>>())?;
    } else {
        let mut buf = Vec::new();
        let mut writer = LdifWriter::without_version(&mut buf).unfolded();
        for entry in &found {
            writer.search_result(entry)?;
        }
        writer.flush()?;
        out.text(&String::from_utf8_lossy(&buf))?;
        out.note(&format!("{} object(s) found.", found.len()));
    }
    Ok(())
}

/// `umctl lab greeting set|record-name|away`.
fn greeting(
    global: &GlobalArgs,
    out: &Output,
    command: &GreetingCommand,
) -> anyhow::Result<ExitCode> {
    let (user, file, which) = match command {
        GreetingCommand::Set { user, file, away } => {
            let which = if *away {
                GreetingFile::Away
            } else {
                GreetingFile::Custom
            };
            (user, file, which)
        }
        GreetingCommand::RecordName { user, file } => (user, file, GreetingFile::Name),
        GreetingCommand::Away { user, state } => {
            return crate::cli::lab_greeting::away(global, out, user, *state);
        }
    };
    let lab = open_lab_for_writing(global)?;
    let entry = find_object(lab, user)?;
    let Some(sam) = entry.first(attrs::SAM_ACCOUNT_NAME) else {
        bail!(UsageError(format!(
            "{} has no sAMAccountName; expected a user (a mailbox)",
            entry.dn
        )));
    };
    let mailbox = crate::mail::Mailbox::open(&lab.paths().mailboxes(), sam)
        .map_err(|e| UsageError(e.to_string()))?;
    if which != GreetingFile::Name {
        crate::cli::lab_greeting::check_policy(lab, sam, file)?;
    }
    let (path, ms) = greeting_file::store(&mailbox, which, file)?;
    if out.json {
        out.json(&serde_json::json!({
            "user": sam,
            "file": path,
            "milliseconds": ms,
        }))?;
    } else {
        let what = match which {
            GreetingFile::Custom => "greeting",
            GreetingFile::Name => "recorded name",
            GreetingFile::Away => "away greeting",
        };
        out.text(&format!(
            "Stored the {what} of {sam} ({}.{:03} s, 8 kHz mono) in {}.",
            ms / 1000,
            ms % 1000,
            path.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `umctl lab reset`: back to the built-in forest, the old one kept as a backup.
fn reset(out: &Output, root: &Path) -> anyhow::Result<()> {
    let outcome = LabDirectory::reset(root)?;
    if out.json {
        out.json(&outcome)?;
    } else {
        out.text(&format!(
            "Lab directory at {} reset to the built-in forest ({} objects).",
            outcome.path.display(),
            outcome.objects
        ))?;
        if let Some(backup) = &outcome.backup {
            out.note(&format!(
                "The previous forest and mailboxes were kept in {}.",
                backup.display()
            ));
        }
    }
    Ok(())
}

/// `umctl lab restore ID`: a snapshot back; the forest it replaces becomes one.
fn restore(out: &Output, root: &Path, id: &str) -> anyhow::Result<()> {
    let outcome = LabDirectory::restore(root, id)?;
    if out.json {
        out.json(&outcome)?;
    } else {
        out.text(&format!(
            "Restored snapshot {id} ({} objects) into {}.",
            outcome.objects,
            outcome.path.display()
        ))?;
        if let Some(backup) = &outcome.backup {
            out.note(&format!(
                "The forest it replaced is snapshot {backup}: `umctl lab restore {backup}` undoes this."
            ));
        }
    }
    Ok(())
}

/// `umctl lab backups [--keep N]`: the snapshots, oldest first.
fn backups(global: &GlobalArgs, out: &Output, keep: Option<u32>) -> anyhow::Result<()> {
    // The forest is not read: the list is what a lab whose forest is refused needs.
    let paths = lab::existing(lab_root(global)?)?;
    if let Some(keep) = keep {
        lab::store::check_writable(&paths)?;
        let pruned = snapshots::set_keep(&paths, keep as usize)?;
        out.note(&format!(
            "Keeping the {keep} newest snapshots from now on ({pruned} older removed)."
        ));
    }
    let all = snapshots::list(&paths)?;
    if out.json {
        return Ok(out.json(&all)?);
    }
    if all.is_empty() {
        return Ok(out.text("No snapshots yet: one is kept before every write.")?);
    }
    out.text(&table(
        &["ID", "Time", "Objects", "Command"],
        all.iter().map(|s| {
            vec![
                s.id.clone(),
                s.time.clone(),
                s.objects.map_or_else(|| "?".into(), |n| n.to_string()),
                match s.mailboxes {
                    true => format!("{} (with mailboxes)", s.command),
                    false => s.command.clone(),
                },
            ]
        }),
    ))?;
    out.note(&format!(
        "{} snapshot(s), the newest {} kept; `umctl lab restore ID` brings one back.",
        all.len(),
        snapshots::keep(&paths)
    ));
    Ok(())
}

/// `umctl lab diff [ID | FILE | --ldap URL]`: what differs between the lab and the other
/// forest; `-` lines are the other forest's, `+` lines the lab's.
fn diff(global: &GlobalArgs, out: &Output, against: Option<&str>) -> anyhow::Result<ExitCode> {
    let lab = open_lab(global)?;
    let (name, other) = match (&global.ldap, against) {
        (Some(_), Some(x)) => bail!(UsageError(format!(
            "give either --ldap or '{x}' (a snapshot ID or an LDIF file) to compare with, not both"
        ))),
        (Some(_), None) => {
            let ad = connect_ldap(global)?;
            let (entries, _) = copy_forest(&ad)?;
            (ad.describe(), lab::as_lab_keeps(&entries)?)
        }
        (None, Some(x)) if !snapshot_exists(lab, x) && Path::new(x).exists() => {
            let bytes = read_input(Path::new(x))?;
            (x.to_string(), lab::entries_from_ldif(&bytes, x)?)
        }
        (None, x) => {
            let (id, entries) = lab.snapshot_entries(x)?;
            (format!("snapshot {id}"), entries)
        }
    };
    let found = lab::diff::diff(&lab.all_entries()?, &other);
    if out.json {
        out.json(&serde_json::json!({ "other": name, "diff": found }))?;
        return Ok(ExitCode::SUCCESS);
    }
    out.text(&render_diff(&name, &found))?;
    Ok(ExitCode::SUCCESS)
}

fn snapshot_exists(lab: &LabDirectory, id: &str) -> bool {
    snapshots::find(lab.paths(), id).is_ok()
}

/// The differences as text: `-` for the other forest, `+` for the lab.
fn render_diff(name: &str, d: &lab::diff::ForestDiff) -> String {
    if d.is_empty() {
        return format!("No differences between the lab and {name}.");
    }
    let mut lines = vec![format!("--- {name}"), "+++ the lab".to_string()];
    lines.extend(d.only_in_other.iter().map(|dn| format!("- dn: {dn}")));
    lines.extend(d.only_in_lab.iter().map(|dn| format!("+ dn: {dn}")));
    for object in &d.changed {
        lines.push(format!("~ dn: {}", object.dn));
        for a in &object.attributes {
            lines.extend(a.other.iter().map(|v| format!("  - {}: {v}", a.name)));
            lines.extend(a.lab.iter().map(|v| format!("  + {}: {v}", a.name)));
        }
    }
    lines.push(format!(
        "{} object(s) only in {name}, {} only in the lab, {} changed.",
        d.only_in_other.len(),
        d.only_in_lab.len(),
        d.changed.len()
    ));
    lines.join("\n")
}

/// A file's bytes, or standard input for `-`.
fn read_input(file: &Path) -> anyhow::Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        return Ok(buf);
    }
    fs::read(file).map_err(|e| UsageError(format!("cannot read {}: {e}", file.display())).into())
}
