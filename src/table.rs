//! Tables for people (comfy-table), laid out the same way by every command: as wide as
//! `COLUMNS` says (also when piped), else as the terminal, else unbounded (or a caller's
//! fallback); a column is never narrower than its longest word, so a DN, an FQDN or a SIP
//! address is never cut in the middle (only a word wider than the table can hold beside the
//! other columns, such as a base64 value, is broken); colour only on a terminal and never with `NO_COLOR`. A leaf:
//! it imports nothing of ours.

use std::io::IsTerminal;

use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};

/// A table in umctl's style with `headers`; `fallback` is the width when neither `COLUMNS`
/// nor a terminal gives one (`None`: do not wrap).
pub fn new(headers: &[&str], fallback: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_header(headers.iter().copied());
    if !colour() {
        t.force_no_tty();
    }
    match width(fallback) {
        // A terminal that reports no usable width (a pty of 0x0, as `script` makes) would
        // squeeze every column to one character: lay out without wrapping instead.
        Some(w) if w >= 40 => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        _ => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// The table as text, each column at least as wide as its longest word (as far as the width
/// allows).
pub fn render(mut t: Table) -> String {
    if let Some(w) = t.width() {
        let mut need: Vec<usize> = Vec::new();
        let rows = t.header().into_iter().chain(t.row_iter());
        for row in rows {
            for (i, cell) in row.cell_iter().enumerate() {
                let word = cell
                    .content()
                    .split_whitespace()
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0);
                if need.len() <= i {
                    need.resize(i + 1, 0);
                }
                // The constraint counts the cell's padding (one space each side).
                need[i] = need[i].max(word + 2);
            }
        }
        let room = usize::from(w).saturating_sub(need.len() + 1);
        fit(&mut need, room);
        for (i, n) in need.into_iter().enumerate() {
            if let Some(column) = t.column_mut(i) {
                let n = u16::try_from(n).unwrap_or(u16::MAX);
                column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(n)));
            }
        }
    }
    t.to_string()
}

/// Shrinks the widest columns until the minimums fit in `room` (never below 10): only a word
/// too long for the table is broken.
fn fit(need: &mut [usize], room: usize) {
    while need.iter().sum::<usize>() > room {
        let Some(widest) = (0..need.len()).max_by_key(|i| need[*i]) else {
            return;
        };
        let excess = need.iter().sum::<usize>() - room;
        let shrunk = need[widest].saturating_sub(excess).max(10);
        if shrunk == need[widest] {
            return;
        }
        need[widest] = shrunk;
    }
}

/// The width to lay out for: `COLUMNS` (when it is a number), else the terminal's, else
/// `fallback`.
fn width(fallback: Option<u16>) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
    {
        return Some(columns);
    }
    if std::io::stdout().is_terminal() {
        if let Some(w) = Table::new().width() {
            return Some(w);
        }
    }
    fallback
}

/// Colour (and other styling) only on a terminal, and never when `NO_COLOR` is set to
/// anything non-empty (no-color.org).
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(width: u16, rows: &[[&str; 2]]) -> String {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width)
            .set_header(["Name", "Value"]);
        for r in rows {
            t.add_row(r.iter().copied());
        }
        render(t)
    }

    #[test]
    fn a_word_is_never_cut_when_it_fits() {
        let fqdn = "ex-mailbox-server-0001.emea.contoso.com";
        let text = table(
            60,
            &[[
                fqdn,
                "a rather long sentence that can wrap at any space it likes to",
            ]],
        );
        assert!(text.contains(fqdn), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
    }

    #[test]
    fn only_a_word_wider_than_the_table_can_hold_is_broken() {
        let blob = "A".repeat(200);
        let text = table(60, &[["nTSecurityDescriptor", &blob]]);
        assert!(!text.contains(&blob));
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
        assert_eq!(text.matches('A').count(), 200);
    }
}
