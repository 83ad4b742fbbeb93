//! How a [`Trace`] is shown: a table of the hops with the first failure's why and fix under
//! it, and the SIP ladder of hop 6 as a sequence diagram with one column per party (Skype
//! front end, CAS call router, mailbox UM service, UM worker). JSON is the [`Trace`] itself
//! (serde). A live trace adds a few lines: the Call-ID, where serve ran, RTP, the delivered
//! file, the pcap file, and whether the offline prediction agrees. Returns strings; printing
//! is the command line's job.

use comfy_table::{Cell, Color};

use super::{Outcome, Party, Trace};

/// The table width when stdout is not a terminal and COLUMNS is not set.
pub const WIDTH: u16 = 140;

/// The hop table, followed by the verdict, the why and the fix.
pub fn table(trace: &Trace) -> String {
    let mut t = crate::table::new(
        &[
            "#",
            "Component",
            "Action",
            "Looked up / sent",
            "Result",
            "Outcome",
        ],
        Some(WIDTH),
    );
    for h in &trace.hops {
        let outcome = Cell::new(h.outcome.label());
        let outcome = match h.outcome {
            Outcome::Failed => outcome.fg(Color::Red),
            Outcome::Ok => outcome.fg(Color::Green),
            _ => outcome,
        };
        t.add_row(vec![
            Cell::new(h.number),
            Cell::new(h.component.label()),
            Cell::new(&h.action),
            Cell::new(h.looked_up.join("\n")),
            Cell::new(&h.result),
            outcome,
        ]);
    }
    let mut out = format!(
        "Trace ({}) of a call from {} to {}: {}\n{}\n",
        trace.mode,
        trace.caller,
        trace.target,
        trace.goal,
        crate::table::render(t)
    );
    match trace.failure() {
        Some(h) => {
            out.push_str(&format!(
                "FAILED at hop {} ({}: {}).\n",
                h.number,
                h.component.label(),
                h.action
            ));
            if let Some(why) = &h.why {
                out.push_str(&format!("Why: {why}\n"));
            }
            if let Some(fix) = &h.fix {
                out.push_str(&format!("Fix: {fix}\n"));
            }
        }
        None => out.push_str(&format!("OK: the call reaches {}.\n", trace.goal)),
    }
    out
}

const COLUMN: usize = 26;

/// The SIP exchange as a sequence diagram: a header of the four parties and their hosts, one
/// labelled arrow per message.
pub fn ladder(trace: &Trace) -> String {
    let mut out = String::new();
    let header: String = Party::ALL
        .iter()
        .map(|p| format!("{:<COLUMN$}", p.label()))
        .collect();
    out.push_str(header.trim_end());
    out.push('\n');
    let hosts: String = trace
        .parties
        .iter()
        .map(|h| format!("{:<COLUMN$}", clip(h, COLUMN - 1)))
        .collect();
    out.push_str(hosts.trim_end());
    out.push('\n');
    out.push_str(&lifelines());
    for m in &trace.messages {
        let (a, b) = (m.from.index(), m.to.index());
        let left = a.min(b);
        let right = a.max(b);
        // The label, starting just right of the left lifeline.
        let mut label = lifeline_prefix(left);
        label.push_str("  ");
        label.push_str(&m.first_line);
        out.push_str(&label);
        out.push('\n');
        // The arrow.
        let mut line: Vec<char> = lifelines().trim_end_matches('\n').chars().collect();
        let start = left * COLUMN + 1;
        let end = right * COLUMN;
        for c in line.iter_mut().take(end).skip(start) {
            *c = '-';
        }
        if b > a {
            line[end - 1] = '>';
        } else {
            line[start] = '<';
        }
        out.push_str(line.iter().collect::<String>().trim_end());
        out.push('\n');
    }
    if trace.messages.is_empty() {
        out.push_str("(no SIP messages: the call stops before the Front End sends the INVITE)\n");
    }
    out
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect()
    }
}

/// `|` under each party, padded.
fn lifelines() -> String {
    let mut s: String = (0..Party::ALL.len())
        .map(|_| format!("{:<COLUMN$}", "|"))
        .collect();
    s = s.trim_end().to_string();
    s.push('\n');
    s
}

/// Lifelines up to and including column `upto`.
fn lifeline_prefix(upto: usize) -> String {
    let mut s: String = (0..upto).map(|_| format!("{:<COLUMN$}", "|")).collect();
    s.push('|');
    s
}

/// The live-only lines (empty for an offline trace).
pub fn live_summary(trace: &Trace) -> String {
    let Some(l) = &trace.live else {
        return String::new();
    };
    let mut out = String::new();
    if l.call_id.is_empty() {
        out.push_str(&format!(
            "Live: no call placed (the Front End stops before the INVITE); serve: {}\n",
            l.serve
        ));
    } else {
        out.push_str(&format!(
            "Live: Call-ID {} from {} over {} to serve {}; RTP {} packet(s) sent, {} received{}\n",
            l.call_id,
            l.caller,
            l.transport,
            l.serve,
            l.rtp_sent_packets,
            l.rtp_received_packets,
            l.dtmf_sent
                .as_ref()
                .map(|d| format!(", DTMF {d}"))
                .unwrap_or_default()
        ));
    }
    if let Some(f) = &l.delivered {
        out.push_str(&format!("Delivered: {}\n", f.display()));
    }
    if let Some(p) = &l.pcap {
        out.push_str(&format!("Capture: {}\n", p.display()));
    }
    if l.disagreements.is_empty() {
        out.push_str("The offline trace predicted this call hop for hop.\n");
    } else {
        out.push_str("Where the offline trace predicted otherwise:\n");
        for d in &l.disagreements {
            out.push_str(&format!("  - {d}\n"));
        }
    }
    out
}
