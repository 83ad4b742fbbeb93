//! Whether the offline and the live trace of one call agree hop for hop: the same hops (number,
//! component, outcome), the same first failure and verdict, and the same SIP exchange between
//! the Front End and Exchange (each INVITE and each final answer to it, by party, method and
//! status) when offline got as far as predicting it. Live-only details do not count: addresses and ports, Call-IDs, provisional
//! responses (100 Trying, 180 Ringing), the ACK and the BYE, RTP, and the wording of results.
//!
//! Pure: it reads two [`Trace`]s and lists the differences in plain words.

use super::{Outcome, Party, SipStep, Trace};

/// One message of the exchange reduced to what both traces must share.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Essential {
    from: Party,
    to: Party,
    /// `INVITE`, or the status code of a final response to it.
    what: String,
}

fn essentials(messages: &[SipStep]) -> Vec<Essential> {
    messages
        .iter()
        .filter_map(|m| {
            let mut words = m.first_line.split_whitespace();
            let first = words.next()?;
            let what = if first.starts_with("SIP/") {
                let status: u16 = words.next()?.parse().ok()?;
                if status < 200 || !cseq_method_is_invite(&m.text) {
                    return None;
                }
                status.to_string()
            } else if first == "INVITE" {
                first.to_string()
            } else {
                return None;
            };
            Some(Essential {
                from: m.from,
                to: m.to,
                what,
            })
        })
        .collect()
}

fn cseq_method_is_invite(text: &str) -> bool {
    text.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("CSeq")
                .then(|| value.split_whitespace().nth(1).map(str::to_string))
                .flatten()
        })
        .is_some_and(|m| m.eq_ignore_ascii_case("INVITE"))
}

fn describe(e: &Essential) -> String {
    format!("{} -> {}: {}", e.from.label(), e.to.label(), e.what)
}

/// The differences between `offline` and `live` (empty: they agree).
pub fn disagreements(offline: &Trace, live: &Trace) -> Vec<String> {
    let mut out = Vec::new();
    if offline.hops.len() != live.hops.len() {
        out.push(format!(
            "offline has {} hops, live has {}",
            offline.hops.len(),
            live.hops.len()
        ));
    }
    for (o, l) in offline.hops.iter().zip(&live.hops) {
        if o.number != l.number || o.component != l.component {
            out.push(format!(
                "hop {}: offline is {} ({}), live is hop {} {} ({})",
                o.number,
                o.component.label(),
                o.action,
                l.number,
                l.component.label(),
                l.action
            ));
        } else if o.outcome != l.outcome
            && !(o.outcome == Outcome::Info && l.outcome == Outcome::Ok)
        {
            // (An informational prediction the live call confirmed is agreement.)
            out.push(format!(
                "hop {} ({}): offline {}, live {}{}",
                o.number,
                o.action,
                o.outcome.label(),
                l.outcome.label(),
                l.why
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default()
            ));
        }
    }
    if offline.first_failure != live.first_failure {
        out.push(format!(
            "first failure: offline {}, live {}",
            offline
                .first_failure
                .map_or_else(|| "none".to_string(), |n| format!("hop {n}")),
            live.first_failure
                .map_or_else(|| "none".to_string(), |n| format!("hop {n}"))
        ));
    }
    if offline.goal != live.goal {
        out.push(format!(
            "goal: offline '{}', live '{}'",
            offline.goal, live.goal
        ));
    }
    // Offline predicts messages from hop 6 on; a call stopped before it has none to compare
    // (live may still have sent its INVITE to hear Exchange's refusal).
    let predicted = offline.first_failure.is_none_or(|n| n >= 6);
    let (o, l) = (essentials(&offline.messages), essentials(&live.messages));
    if predicted && o != l {
        let show = |v: &[Essential]| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.iter().map(describe).collect::<Vec<_>>().join(", ")
            }
        };
        out.push(format!(
            "SIP exchange: offline {}; live {}",
            show(&o),
            show(&l)
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::trace::{Component, Hop, Outcome, Scenario};

    fn step(from: Party, to: Party, text: &str) -> SipStep {
        SipStep {
            from,
            to,
            first_line: text.lines().next().unwrap().to_string(),
            text: text.to_string(),
        }
    }

    fn trace(mode: &'static str, outcome8: Outcome, messages: Vec<SipStep>) -> Trace {
        let hop = |n: u8, outcome| Hop {
            number: n,
            component: Component::UmWorker,
            action: format!("hop {n}"),
            looked_up: Vec::new(),
            result: format!("{mode} result"),
            outcome,
            why: None,
            fix: None,
            cause: None,
        };
        let hops = vec![hop(7, Outcome::Ok), hop(8, outcome8)];
        let first_failure = hops
            .iter()
            .find(|h| h.outcome == Outcome::Failed)
            .map(|h| h.number);
        Trace {
            mode,
            target: "bob".into(),
            caller: "x".into(),
            scenario: Scenario::NoAnswer,
            goal: "voice mail for Bob Haddad".into(),
            reached: first_failure.is_none(),
            first_failure,
            hops,
            parties: Vec::new(),
            messages,
            live: None,
            plan: None,
            target_missing: false,
        }
    }

    const INVITE: &str = "INVITE sip:a@b:5061 SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n";
    const LIVE_INVITE: &str = "INVITE sip:a@b:41234 SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n";
    const TRYING: &str = "SIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\n\r\n";
    const OK: &str = "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n";
    const BYE_OK: &str = "SIP/2.0 200 OK\r\nCSeq: 2 BYE\r\n\r\n";
    const FULL: &str = "SIP/2.0 503 Service Unavailable\r\nCSeq: 1 INVITE\r\n\r\n";

    #[test]
    fn live_only_details_do_not_count() {
        let offline = trace(
            "offline",
            Outcome::Ok,
            vec![
                step(Party::SkypeFrontEnd, Party::Worker, INVITE),
                step(Party::Worker, Party::SkypeFrontEnd, OK),
            ],
        );
        let live = trace(
            "live",
            Outcome::Ok,
            vec![
                step(Party::SkypeFrontEnd, Party::Worker, LIVE_INVITE),
                step(Party::Worker, Party::SkypeFrontEnd, TRYING),
                step(Party::Worker, Party::SkypeFrontEnd, OK),
                step(
                    Party::SkypeFrontEnd,
                    Party::Worker,
                    "ACK sip:a@b SIP/2.0\r\n\r\n",
                ),
                step(
                    Party::SkypeFrontEnd,
                    Party::Worker,
                    "BYE sip:a@b SIP/2.0\r\n\r\n",
                ),
                step(Party::Worker, Party::SkypeFrontEnd, BYE_OK),
            ],
        );
        assert_eq!(disagreements(&offline, &live), Vec::<String>::new());
    }

    #[test]
    fn a_different_answer_and_outcome_are_named() {
        let offline = trace(
            "offline",
            Outcome::Ok,
            vec![
                step(Party::SkypeFrontEnd, Party::Worker, INVITE),
                step(Party::Worker, Party::SkypeFrontEnd, OK),
            ],
        );
        let mut live = trace(
            "live",
            Outcome::Failed,
            vec![
                step(Party::SkypeFrontEnd, Party::Worker, LIVE_INVITE),
                step(Party::Worker, Party::SkypeFrontEnd, FULL),
            ],
        );
        live.hops[1].why = Some("the worker is full".into());
        let d = disagreements(&offline, &live);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(
            d[0],
            "hop 8 (hop 8): offline ok, live FAILED (the worker is full)"
        );
        assert_eq!(d[1], "first failure: offline none, live hop 8");
        assert!(
            d[2].contains("live Skype FE -> UM worker: INVITE, UM worker -> Skype FE: 503"),
            "{}",
            d[2]
        );
    }
}
