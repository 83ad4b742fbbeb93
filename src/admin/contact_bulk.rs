//! `new-contact --from-csv`: read the CSV (RFC 4180 through the `csv` crate: quoted fields
//! with commas, doubled quotes, line breaks, CRLF; a header row is required), validate every
//! row against the directory and the rows before it, then create the good rows one contact at
//! a time, each all or nothing. Bad rows are reported by line; nothing is half-written.
//! Single contacts, listing and changes are `contact`; the progress bar is the CLI's.

use serde::Serialize;

use super::contact::{
    apply, plan_new, AutoAttendantArg, Catalog, ContactError, Ledger, NewContact, NewOutcome,
    NewPlan,
};
use crate::directory::model::ExUmContact;
use crate::directory::{Directory, Dn};

/// The CSV columns, in the order the template lists them; they mirror new-contact's flags.
pub const COLUMNS: [&str; 8] = [
    "sip_address",
    "registrar_pool",
    "display_number",
    "ou",
    "dial_plan",
    "auto_attendant",
    "display_name",
    "description",
];
const REQUIRED: [&str; 4] = ["sip_address", "registrar_pool", "display_number", "ou"];

/// Problems with the file as a whole (the header); row problems are [`RowFailure`]s.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{source_name}: the CSV file is empty (expected a header line: {})", COLUMNS.join(","))]
    Empty { source_name: String },
    #[error("{source_name}, line 1: unknown column '{column}' (expected some of: {})", COLUMNS.join(", "))]
    UnknownColumn { source_name: String, column: String },
    #[error("{source_name}, line 1: column '{column}' appears twice")]
    DuplicateColumn { source_name: String, column: String },
    #[error("{source_name}, line 1: the header has no '{column}' column (required: {})", REQUIRED.join(", "))]
    MissingColumn {
        source_name: String,
        column: &'static str,
    },
    #[error("{source_name}: {reason}")]
    Unreadable { source_name: String, reason: String },
}

/// One data row: its line in the file and the contact it asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u64,
    pub request: NewContact,
}

/// A row that was not created, with its line and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowFailure {
    pub line: u64,
    pub error: String,
}

/// Normalised header name: lower case without `_`, `-` or spaces (`SipAddress`, `sip-address`
/// and `sip_address` are the same column).
fn norm(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads the CSV: good rows, and rows that could not even be read (wrong field count,
/// invalid UTF-8) with their line.
pub fn read_csv(
    bytes: &[u8],
    source_name: &str,
) -> Result<(Vec<CsvRow>, Vec<RowFailure>), CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return Err(CsvError::Empty {
                source_name: source_name.to_string(),
            })
        }
        Some(Err(e)) => {
            return Err(CsvError::Unreadable {
                source_name: source_name.to_string(),
                reason: e.to_string(),
            })
        }
        Some(Ok(h)) => h,
    };
    let mut columns: Vec<usize> = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let text = String::from_utf8_lossy(raw);
        // A UTF-8 byte order mark (Excel writes one) is not part of the first name.
        let text = if i == 0 {
            text.trim_start_matches('\u{feff}').to_string()
        } else {
            text.to_string()
        };
        let Some(idx) = COLUMNS.iter().position(|c| norm(c) == norm(&text)) else {
            return Err(CsvError::UnknownColumn {
                source_name: source_name.to_string(),
                column: text,
            });
        };
        if columns.contains(&idx) {
            return Err(CsvError::DuplicateColumn {
                source_name: source_name.to_string(),
                column: text,
            });
        }
        columns.push(idx);
    }
    if let Some(missing) = REQUIRED
        .iter()
        .find(|r| !columns.iter().any(|&i| COLUMNS[i] == **r))
    {
        return Err(CsvError::MissingColumn {
            source_name: source_name.to_string(),
            column: missing,
        });
    }

    // The csv crate's own line numbers lag behind; the byte offsets are right, so lines are
    // counted from those.
    let mut lines = LineCounter::new(bytes);
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                failures.push(RowFailure {
                    line,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.iter().all(<[u8]>::is_empty) {
            continue;
        }
        if record.len() != columns.len() {
            failures.push(RowFailure {
                line,
                error: format!(
                    "{} fields, expected {} (one per header column)",
                    record.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let mut req = NewContact::default();
        let mut bad = None;
        for (raw, &idx) in record.iter().zip(&columns) {
            let Ok(value) = std::str::from_utf8(raw) else {
                bad = Some(format!("column {} is not valid UTF-8", COLUMNS[idx]));
                break;
            };
            let value = value.to_string();
            match COLUMNS[idx] {
                "sip_address" => req.sip_address = value,
                "registrar_pool" => req.registrar_pool = value,
                "display_number" => req.display_number = value,
                "ou" => req.ou = value,
                "dial_plan" => req.dial_plan = Some(value).filter(|v| !v.is_empty()),
                "auto_attendant" => req.auto_attendant = auto_attendant_cell(&value),
                "display_name" => req.display_name = Some(value).filter(|v| !v.is_empty()),
                _ => req.description = Some(value).filter(|v| !v.is_empty()),
            }
        }
        match bad {
            Some(error) => failures.push(RowFailure { line, error }),
            None => rows.push(CsvRow { line, request: req }),
        }
    }
    Ok((rows, failures))
}

/// 1-based line numbers of byte offsets, asked in increasing order.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that starts at `byte`. The crate may point at the end of the
    /// previous line's terminator (the `\n` of a CRLF), so line breaks there are skipped.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while self
            .bytes
            .get(target)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            target += 1;
        }
        if target < self.offset {
            *self = LineCounter::new(self.bytes);
        }
        let newlines = self.bytes[self.offset..target]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u64;
        self.offset = target;
        self.line
    }
}

/// The `auto_attendant` cell: empty/false/no/0 for a subscriber access contact, true/yes/1
/// for the auto attendant whose pilot is the number, anything else names the auto attendant.
fn auto_attendant_cell(value: &str) -> AutoAttendantArg {
    let v = value.trim();
    let is = |words: &[&str]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
    if is(&["", "false", "no", "0"]) {
        AutoAttendantArg::No
    } else if is(&["true", "yes", "1"]) {
        AutoAttendantArg::Any
    } else {
        AutoAttendantArg::Named(v.to_string())
    }
}

/// What validation decided for each row.
#[derive(Debug, Default)]
pub struct BulkPlan {
    /// Rows to create, in file order.
    pub create: Vec<(u64, NewPlan)>,
    /// Rows whose identical contact already exists.
    pub skip: Vec<(u64, ExUmContact)>,
    pub failed: Vec<RowFailure>,
}

/// Validates every row against the directory (read once) and the rows before it. A directory
/// that cannot be read is an error for the whole batch; a bad row is a [`RowFailure`].
pub fn plan_bulk(
    dir: &dyn Directory,
    catalog: &Catalog,
    rows: &[CsvRow],
    read_failures: Vec<RowFailure>,
    force: bool,
) -> Result<BulkPlan, ContactError> {
    let mut ledger = Ledger::snapshot(dir, &catalog.contexts)?;
    let mut plan = BulkPlan {
        failed: read_failures,
        ..BulkPlan::default()
    };
    for row in rows {
        match plan_new(dir, catalog, &mut ledger, &row.request, force) {
            Ok(NewOutcome::Create(p)) => {
                ledger.claim(row.line, &p.contact.sip_address, &p.contact.line_uri.number);
                plan.create.push((row.line, p));
            }
            Ok(NewOutcome::Exists(c)) => {
                ledger.claim(row.line, &c.sip_address, &c.line_uri.number);
                plan.skip.push((row.line, c));
            }
            Err(e @ (ContactError::Directory(_) | ContactError::Apply(_))) => return Err(e),
            Err(e) => plan.failed.push(RowFailure {
                line: row.line,
                error: e.to_string(),
            }),
        }
    }
    plan.failed.sort_by_key(|f| f.line);
    Ok(plan)
}

/// One created or skipped row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BulkRow {
    pub line: u64,
    pub dn: Dn,
    pub sip_address: String,
    pub display_number: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What a bulk run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BulkReport {
    pub created: Vec<BulkRow>,
    pub skipped: Vec<BulkRow>,
    pub failed: Vec<RowFailure>,
}

impl BulkReport {
    /// The rows as they would be reported without writing anything (`--dry-run`).
    pub fn planned(plan: &BulkPlan) -> BulkReport {
        BulkReport {
            created: plan
                .create
                .iter()
                .map(|(line, p)| row(*line, &p.contact, &p.warnings))
                .collect(),
            skipped: skipped(plan),
            failed: plan.failed.clone(),
        }
    }
}

fn row(line: u64, c: &ExUmContact, warnings: &[String]) -> BulkRow {
    BulkRow {
        line,
        dn: c.dn.clone(),
        sip_address: c.sip_address.clone(),
        display_number: c.line_uri.number.clone(),
        warnings: warnings.to_vec(),
    }
}

fn skipped(plan: &BulkPlan) -> Vec<BulkRow> {
    plan.skip
        .iter()
        .map(|(line, c)| row(*line, c, &[]))
        .collect()
}

/// Creates the planned rows. Each contact is all or nothing; with `batch` > 1 up to that many
/// contacts go in one apply (the lab saves its file once per apply, so this is what makes a
/// large import fast there), and when a batch fails its rows are retried one by one, so a bad
/// row fails alone. `progress` is called with the number of rows just finished.
pub fn apply_bulk(
    dir: &dyn Directory,
    plan: &BulkPlan,
    batch: usize,
    progress: &mut dyn FnMut(usize),
) -> BulkReport {
    let mut report = BulkReport {
        skipped: skipped(plan),
        failed: plan.failed.clone(),
        ..BulkReport::default()
    };
    for chunk in plan.create.chunks(batch.max(1)) {
        let together = chunk.len() > 1 && {
            let changes: Vec<_> = chunk
                .iter()
                .flat_map(|(_, p)| p.changes.iter().cloned())
                .collect();
            apply(dir, &changes).is_ok()
        };
        for (line, p) in chunk {
            let result = if together {
                Ok(())
            } else {
                apply(dir, &p.changes)
            };
            match result {
                Ok(()) => report.created.push(row(*line, &p.contact, &p.warnings)),
                Err(e) => report.failed.push(RowFailure {
                    line: *line,
                    error: e.to_string(),
                }),
            }
        }
        progress(chunk.len());
    }
    report.failed.sort_by_key(|f| f.line);
    report
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_crlf_and_lines() {
        let text = "\u{feff}SipAddress,registrar_pool,display_number,ou,description\r\n\
                    sip:a@contoso.com,pool01.contoso.com,+1,\"OU=X,DC=contoso,DC=com\",\"say \"\"hi\"\", twice\"\r\n\
                    \r\n\
                    sip:b@contoso.com,pool01.contoso.com,+2,\"OU=Y,\r\nDC=contoso\",d\r\n\
                    sip:c@contoso.com,pool01.contoso.com\r\n\
                    sip:d@contoso.com,pool01.contoso.com,+4,OU=Z,\r\n";
        let (rows, failures) = read_csv(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].request.ou, "OU=X,DC=contoso,DC=com");
        assert_eq!(
            rows[0].request.description.as_deref(),
            Some("say \"hi\", twice")
        );
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].request.ou, "OU=Y,\r\nDC=contoso");
        assert_eq!(rows[2].line, 7);
        assert_eq!(rows[2].request.description, None);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].line, 6);
        assert!(
            failures[0].error.contains("2 fields, expected 5"),
            "{failures:?}"
        );
    }

    #[test]
    fn header_errors() {
        let e = read_csv(b"", "t.csv").unwrap_err();
        assert!(matches!(e, CsvError::Empty { .. }));
        let e = read_csv(b"sip_address,pool\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("unknown column 'pool'"), "{e}");
        let e = read_csv(b"sip_address,registrar_pool,ou\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("no 'display_number' column"), "{e}");
        let e = read_csv(b"ou,OU\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
    }

    #[test]
    fn auto_attendant_cells() {
        assert_eq!(auto_attendant_cell(""), AutoAttendantArg::No);
        assert_eq!(auto_attendant_cell("FALSE"), AutoAttendantArg::No);
        assert_eq!(auto_attendant_cell("yes"), AutoAttendantArg::Any);
        assert_eq!(
            auto_attendant_cell("LOC801-AA"),
            AutoAttendantArg::Named("LOC801-AA".into())
        );
    }

    #[test]
    fn a_batch_with_a_failing_row_creates_the_others_one_by_one() {
        use crate::directory::lab::LabDirectory;
        use crate::directory::{Change, Entry};
        let tmp = tempfile::tempdir().unwrap();
        let lab = LabDirectory::init_and_open(tmp.path().join("lab")).unwrap();
        let doomed = Dn::parse("OU=Doomed,DC=contoso,DC=com").unwrap();
        lab.apply(&[Change::Add(
            Entry::new(doomed.clone())
                .with("objectClass", "organizationalUnit")
                .with("ou", "Doomed"),
        )])
        .unwrap();
        let mut csv = String::from("sip_address,registrar_pool,display_number,ou,dial_plan\n");
        for i in 0..6 {
            let ou = if i == 3 {
                doomed.to_string()
            } else {
                "OU=ExUmContacts,DC=contoso,DC=com".into()
            };
            csv.push_str(&format!(
                "sip:b{i}@contoso.com,pool01.contoso.com,+9626552000{i},\"{ou}\",LOC801\n"
            ));
        }
        let (rows, failed) = read_csv(csv.as_bytes(), "t.csv").unwrap();
        let catalog = Catalog::load(&lab).unwrap();
        let plan = plan_bulk(&lab, &catalog, &rows, failed, true).unwrap();
        assert_eq!(plan.create.len(), 6);
        // The OU disappears between validation and the writes.
        lab.apply(&[Change::Delete(doomed)]).unwrap();
        let mut done = 0;
        let report = apply_bulk(&lab, &plan, 4, &mut |n| done += n);
        assert_eq!(done, 6);
        assert_eq!(report.created.len(), 5);
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.failed[0].line, 5);
        assert!(
            report.failed[0].error.contains("OU=Doomed"),
            "{:?}",
            report.failed
        );
        let (listed, _) = super::super::contact::list(&lab, &catalog, &Default::default()).unwrap();
        assert_eq!(listed.len(), 5);
    }
}
