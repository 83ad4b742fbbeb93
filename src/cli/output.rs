//! How results reach the user: tables (comfy-table) or one JSON document on stdout, notes on
//! stderr, and the exit-code rules. A closed stdout pipe (`umctl lab export | head`) is not an
//! error.

use std::io::Write;

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::cli::args::GlobalArgs;
use crate::directory::ldif::LdifWriter;
use crate::directory::{describe_change, Change, Entry};

/// Where and how to print.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Output {
        Output {
            json: global.json,
            quiet: global.quiet,
            verbose: global.verbose,
        }
    }

    /// Writes text to stdout as is.
    pub fn text(&self, text: &str) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// Prints one JSON document (pretty, stable field names).
    pub fn json(&self, value: &impl serde::Serialize) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        self.text(&text)
    }

    /// A progress or status note on stderr, unless --quiet.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// A detail on stderr, with --verbose only.
    pub fn detail(&self, text: &str) {
        if self.verbose > 0 {
            eprintln!("{text}");
        }
    }
}

/// A table in umctl's style (`crate::table`: COLUMNS, whole words, NO_COLOR).
pub fn table<I, R, C>(headers: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = C>,
    C: Into<comfy_table::Cell>,
{
    let mut t = crate::table::new(headers, None);
    for row in rows {
        t.add_row(row);
    }
    crate::table::render(t)
}

/// A value for display: text as is, binary as base64 with a marker.
pub fn display_value(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\t') => s.to_string(),
        _ => format!(
            "(binary, base64) {}",
            base64::engine::general_purpose::STANDARD.encode(value)
        ),
    }
}

/// An entry as JSON: `{"dn": "...", "attributes": {"cn": ["..."], "objectSid": [{"base64": "..."}]}}`.
pub fn entry_json(entry: &Entry) -> Value {
    let mut attrs = Map::new();
    for attr in entry.attributes() {
        let values: Vec<Value> = attr
            .values
            .iter()
            .map(|v| match std::str::from_utf8(v) {
                Ok(s) => Value::String(s.to_string()),
                Err(_) => {
                    json!({ "base64": base64::engine::general_purpose::STANDARD.encode(v) })
                }
            })
            .collect();
        attrs.insert(attr.name.clone(), Value::Array(values));
    }
    json!({ "dn": entry.dn.to_string(), "attributes": attrs })
}

/// An entry as a two-column table, one row per value.
pub fn entry_table(entry: &Entry) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for attr in entry.attributes() {
        for (i, v) in attr.values.iter().enumerate() {
            let name = if i == 0 {
                attr.name.clone()
            } else {
                String::new()
            };
            rows.push(vec![name, display_value(v)]);
        }
    }
    format!("{}\n{}", entry.dn, table(&["Attribute", "Value"], rows))
}

/// True when the error chain says stdout was closed by the reader.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Planned changes as LDIF change records that `ldapmodify` accepts (`--dry-run --ldif`).
/// `comments` go before the records, one `# ...` line each; a DACL change, which LDIF cannot
/// carry as text, becomes a comment.
pub fn changes_ldif<'a>(
    groups: impl IntoIterator<Item = (Option<String>, &'a [Change])>,
) -> std::io::Result<String> {
    let mut w = LdifWriter::new(Vec::new())?.unfolded();
    for (comment, changes) in groups {
        if let Some(c) = comment {
            w.comment(&c)?;
        }
        for change in changes {
            w.change(change, None)?;
        }
    }
    String::from_utf8(w.into_inner()?).map_err(std::io::Error::other)
}

/// Planned changes for people (`--dry-run`): one numbered line per change, then its values.
pub fn changes_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for (i, change) in changes.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, describe_change(change)));
        match change {
            Change::Add(entry) => {
                for a in entry.attributes() {
                    for v in &a.values {
                        out.push_str(&format!("     {}: {}\n", a.name, display_value(v)));
                    }
                }
            }
            Change::Modify(_, mods) => {
                for m in mods {
                    if m.values.is_empty() {
                        out.push_str(&format!("     {} {} (all values)\n", m.op.as_str(), m.attr));
                    }
                    for v in &m.values {
                        out.push_str(&format!(
                            "     {} {}: {}\n",
                            m.op.as_str(),
                            m.attr,
                            display_value(v)
                        ));
                    }
                }
            }
            Change::Delete(_) | Change::SetDacl(..) => {}
        }
    }
    out
}
