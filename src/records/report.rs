//! The reports over call records, as pure functions: which records a `report calls` filter
//! keeps (newest first), and Get-UMCallSummaryReport's totals per group and interval. The
//! column names are Exchange's.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{CallRecord, CallStore, CallType, DropReason, OfferResult};

/// What `report calls` keeps.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// A sAMAccountName, or a number: the mailbox, the signed-in user, caller or callee.
    pub user: Option<String>,
    pub dial_plan: Option<String>,
    /// Normalised times ([`super::parse_time`]): Date >= since, Date < until.
    pub since: Option<String>,
    pub until: Option<String>,
    pub call_type: Option<CallType>,
}

impl Filter {
    pub fn keeps(&self, r: &CallRecord) -> bool {
        let eq =
            |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(b));
        self.user.as_deref().is_none_or(|u| {
            eq(&r.user_mailbox_name, u)
                || r.calling_number.eq_ignore_ascii_case(u)
                || r.called_number.eq_ignore_ascii_case(u)
                || r.logons.iter().any(|l| match l {
                    super::Logon::SignedIn { user, .. }
                    | super::Logon::WrongPin { user, .. }
                    | super::Logon::NoPin { user }
                    | super::Logon::LockedOut { user } => user.eq_ignore_ascii_case(u),
                    super::Logon::NoSuchExtension { .. } => false,
                })
        }) && self
            .dial_plan
            .as_deref()
            .is_none_or(|d| eq(&r.dial_plan, d))
            && self.since.as_deref().is_none_or(|s| r.date.as_str() >= s)
            && self.until.as_deref().is_none_or(|u| r.date.as_str() < u)
            && self.call_type.is_none_or(|t| r.call_type == Some(t))
    }
}

/// The records `filter` keeps, newest first.
pub fn calls(records: Vec<CallRecord>, filter: &Filter) -> Vec<CallRecord> {
    let mut kept: Vec<CallRecord> = records.into_iter().filter(|r| filter.keeps(r)).collect();
    kept.sort_by(|a, b| b.date.cmp(&a.date));
    kept
}

/// One record as a CSV / table row: Exchange's columns, then umctl's.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallRow {
    pub date: String,
    pub duration: f64,
    pub audio_codec: String,
    pub dial_plan: String,
    pub call_type: String,
    pub calling_number: String,
    pub called_number: String,
    pub gateway: String,
    pub user_mailbox_name: String,
    #[serde(rename = "NMOS")]
    pub nmos: Option<f64>,
    #[serde(rename = "NMOSDegradation")]
    pub nmos_degradation: Option<f64>,
    pub percent_packet_loss: Option<f64>,
    pub jitter: Option<f64>,
    pub round_trip_milliseconds: Option<f64>,
    pub call_identity: String,
    #[serde(rename = "UMServerName")]
    pub um_server_name: String,
    pub component: String,
    pub diverted_from: String,
    pub reason_for_call: String,
    pub offer_result: String,
    pub drop_call_reason: String,
    pub transferred_number: String,
    pub auto_attendant_name: String,
    pub dialed_string: String,
    pub message_id: String,
    pub outcome: String,
}

impl CallRow {
    pub fn of(r: &CallRecord) -> CallRow {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        CallRow {
            date: r.date.clone(),
            duration: r.duration,
            audio_codec: s(&r.audio_codec),
            dial_plan: s(&r.dial_plan),
            call_type: r.call_type.map(CallType::as_str).unwrap_or_default().into(),
            calling_number: r.calling_number.clone(),
            called_number: r.called_number.clone(),
            gateway: s(&r.gateway),
            user_mailbox_name: s(&r.user_mailbox_name),
            nmos: r.nmos,
            nmos_degradation: r.nmos_degradation,
            percent_packet_loss: r.percent_packet_loss,
            jitter: r.jitter,
            round_trip_milliseconds: r.round_trip_milliseconds,
            call_identity: r.call_identity.clone(),
            um_server_name: r.um_server_name.clone(),
            component: r.component.clone(),
            diverted_from: s(&r.diverted_from),
            reason_for_call: s(&r.reason_for_call),
            offer_result: match (r.offer_result, r.reject_status) {
                (Some(OfferResult::Reject), Some(st)) => format!("Reject {st}"),
                (Some(OfferResult::Reject), None) => "Reject".into(),
                (Some(OfferResult::Answer), _) => "Answer".into(),
                (None, _) => String::new(),
            },
            drop_call_reason: r
                .drop_call_reason
                .map(|d| format!("{d:?}"))
                .unwrap_or_default(),
            transferred_number: s(&r.transferred_number),
            auto_attendant_name: s(&r.auto_attendant_name),
            dialed_string: s(&r.dialed_string),
            message_id: s(&r.message_id),
            outcome: r.outcome(),
        }
    }
}

/// How `report summary` groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    DialPlan,
    Gateway,
    Server,
}

/// How `report summary` slices time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Day,
    Month,
}

/// The fields a summary reads (the rest of a record is skipped unparsed); the text borrows
/// from the line when it can.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryInput<'a> {
    #[serde(borrow)]
    pub date: Cow<'a, str>,
    pub call_type: Option<CallType>,
    #[serde(borrow, default)]
    pub dial_plan: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub gateway: Option<Cow<'a, str>>,
    #[serde(rename = "UMServerName", borrow, default)]
    pub um_server_name: Cow<'a, str>,
    pub offer_result: Option<OfferResult>,
    #[serde(default)]
    pub drop_call_reason: Option<DropReason>,
    #[serde(rename = "NMOS", default)]
    pub nmos: Option<f64>,
    #[serde(rename = "NMOSDegradation", default)]
    pub nmos_degradation: Option<f64>,
    #[serde(default)]
    pub percent_packet_loss: Option<f64>,
    #[serde(default)]
    pub jitter: Option<f64>,
    #[serde(default)]
    pub round_trip_milliseconds: Option<f64>,
}

/// One row of Get-UMCallSummaryReport.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryRow {
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub date: String,
    /// The dial plan, gateway or server (`(none)` when the record has none).
    pub group: String,
    pub total_calls: u64,
    pub voice_messages: u64,
    pub missed_calls: u64,
    pub subscriber_access: u64,
    pub auto_attendant: u64,
    pub fax: u64,
    pub failed_or_rejected_calls: u64,
    pub other_calls: u64,
    #[serde(rename = "NMOS")]
    pub nmos: Option<f64>,
    #[serde(rename = "NMOSDegradation")]
    pub nmos_degradation: Option<f64>,
    pub percent_packet_loss: Option<f64>,
    pub jitter: Option<f64>,
    pub round_trip_milliseconds: Option<f64>,
    pub total_audio_quality_calls_sampled: u64,
}

#[derive(Default)]
struct Sums {
    row: SummaryRow,
    nmos: f64,
    degradation: f64,
    loss: f64,
    jitter: f64,
    rtt: f64,
    rtt_n: u64,
}

/// Totals per (interval, group), oldest interval first, groups by name.
pub fn summary<'a, I: IntoIterator<Item = SummaryInput<'a>>>(
    records: I,
    group_by: GroupBy,
    interval: Interval,
) -> Vec<SummaryRow> {
    let mut agg = Totals::new(group_by, interval);
    for r in records {
        agg.add(&r);
    }
    agg.rows()
}

/// A line that is not a record: its file and line number.
pub type Skipped = (PathBuf, usize);

/// The summary of every record in `store`: its day files read on all cores, each line parsed
/// only for the summary's fields. Also the lines skipped (torn).
pub fn summarize(
    store: &CallStore,
    group_by: GroupBy,
    interval: Interval,
) -> std::io::Result<(Vec<SummaryRow>, Vec<Skipped>)> {
    let files = store.files()?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = files.len().div_ceil(threads).max(1);
    let parts: Vec<std::io::Result<(Totals, Vec<Skipped>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(per)
            .map(|chunk| s.spawn(move || totals_of(chunk, group_by, interval)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a reader thread panicked")))
            })
            .collect()
    });
    let mut all = Totals::new(group_by, interval);
    let mut skipped = Vec::new();
    for part in parts {
        let (t, s) = part?;
        all.merge(t);
        skipped.extend(s);
    }
    Ok((all.rows(), skipped))
}

fn totals_of(
    files: &[PathBuf],
    group_by: GroupBy,
    interval: Interval,
) -> std::io::Result<(Totals, Vec<Skipped>)> {
    let mut t = Totals::new(group_by, interval);
    let mut skipped = Vec::new();
    for path in files {
        let bytes = std::fs::read(path)?;
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<SummaryInput<'_>>(line) {
                Ok(r) => t.add(&r),
                Err(_) => skipped.push((path.clone(), i + 1)),
            }
        }
    }
    Ok((t, skipped))
}

/// Running totals per interval, then per group.
struct Totals {
    group_by: GroupBy,
    interval: Interval,
    map: BTreeMap<String, BTreeMap<String, Sums>>,
}

impl Totals {
    fn new(group_by: GroupBy, interval: Interval) -> Totals {
        Totals {
            group_by,
            interval,
            map: BTreeMap::new(),
        }
    }

    fn add(&mut self, r: &SummaryInput<'_>) {
        let date = match self.interval {
            Interval::Day => r.date.get(..10),
            Interval::Month => r.date.get(..7),
        }
        .unwrap_or_default();
        let group = match self.group_by {
            GroupBy::DialPlan => r.dial_plan.as_deref(),
            GroupBy::Gateway => r.gateway.as_deref(),
            GroupBy::Server => Some(r.um_server_name.as_ref()).filter(|s| !s.is_empty()),
        }
        .unwrap_or("(none)");
        if !self.map.contains_key(date) {
            self.map.insert(date.to_string(), BTreeMap::new());
        }
        let Some(groups) = self.map.get_mut(date) else {
            return;
        };
        if !groups.contains_key(group) {
            groups.insert(group.to_string(), Sums::default());
        }
        if let Some(sums) = groups.get_mut(group) {
            add(sums, r);
        }
    }

    fn merge(&mut self, other: Totals) {
        for (date, groups) in other.map {
            let mine = self.map.entry(date).or_default();
            for (group, s) in groups {
                let m = mine.entry(group).or_default();
                m.row.total_calls += s.row.total_calls;
                m.row.voice_messages += s.row.voice_messages;
                m.row.missed_calls += s.row.missed_calls;
                m.row.subscriber_access += s.row.subscriber_access;
                m.row.auto_attendant += s.row.auto_attendant;
                m.row.failed_or_rejected_calls += s.row.failed_or_rejected_calls;
                m.row.other_calls += s.row.other_calls;
                m.row.total_audio_quality_calls_sampled += s.row.total_audio_quality_calls_sampled;
                m.nmos += s.nmos;
                m.degradation += s.degradation;
                m.loss += s.loss;
                m.jitter += s.jitter;
                m.rtt += s.rtt;
                m.rtt_n += s.rtt_n;
            }
        }
    }

    fn rows(self) -> Vec<SummaryRow> {
        self.map
            .into_iter()
            .flat_map(|(date, groups)| {
                groups
                    .into_iter()
                    .map(move |(group, s)| finish(date.clone(), group, s))
            })
            .collect()
    }
}

fn add(s: &mut Sums, r: &SummaryInput<'_>) {
    let row = &mut s.row;
    row.total_calls += 1;
    let failed = r.offer_result == Some(OfferResult::Reject)
        || r.drop_call_reason == Some(DropReason::SystemError);
    if failed {
        row.failed_or_rejected_calls += 1;
    } else {
        match r.call_type {
            Some(CallType::CallAnsweringVoiceMessage) => row.voice_messages += 1,
            Some(CallType::CallAnsweringMissedCall) => row.missed_calls += 1,
            Some(CallType::SubscriberAccess) => row.subscriber_access += 1,
            Some(CallType::AutoAttendant) => row.auto_attendant += 1,
            _ => row.other_calls += 1,
        }
    }
    if let (Some(n), Some(l), Some(j)) = (r.nmos, r.percent_packet_loss, r.jitter) {
        row.total_audio_quality_calls_sampled += 1;
        s.nmos += n;
        s.degradation += r.nmos_degradation.unwrap_or_default();
        s.loss += l;
        s.jitter += j;
        if let Some(rtt) = r.round_trip_milliseconds {
            s.rtt += rtt;
            s.rtt_n += 1;
        }
    }
}

fn finish(date: String, group: String, s: Sums) -> SummaryRow {
    let n = s.row.total_audio_quality_calls_sampled;
    let avg = |sum: f64, n: u64| (n > 0).then(|| (sum / n as f64 * 100.0).round() / 100.0);
    SummaryRow {
        date,
        group,
        nmos: avg(s.nmos, n),
        nmos_degradation: avg(s.degradation, n),
        percent_packet_loss: avg(s.loss, n),
        jitter: avg(s.jitter, n),
        round_trip_milliseconds: avg(s.rtt, s.rtt_n),
        ..s.row
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input(
        date: &str,
        dp: &str,
        t: CallType,
        offer: OfferResult,
        nmos: Option<f64>,
    ) -> SummaryInput<'static> {
        SummaryInput {
            date: date.to_string().into(),
            call_type: Some(t),
            dial_plan: Some(dp.to_string().into()),
            gateway: None,
            um_server_name: "ex-mbx01".into(),
            offer_result: Some(offer),
            drop_call_reason: None,
            nmos,
            nmos_degradation: nmos.map(|n| 4.4 - n),
            percent_packet_loss: nmos.map(|_| 1.0),
            jitter: nmos.map(|_| 2.0),
            round_trip_milliseconds: None,
        }
    }

    #[test]
    fn summary_counts_each_kind_per_group_and_day() {
        use CallType::*;
        let rows = summary(
            vec![
                input(
                    "2026-12-04T01:00:00.000Z",
                    "LOC801",
                    CallAnsweringVoiceMessage,
                    OfferResult::Answer,
                    Some(4.4),
                ),
                input(
                    "2026-12-04T02:00:00.000Z",
                    "LOC801",
                    CallAnsweringMissedCall,
                    OfferResult::Answer,
                    Some(4.0),
                ),
                input(
                    "2026-12-04T03:00:00.000Z",
                    "LOC801",
                    Rejected,
                    OfferResult::Reject,
                    None,
                ),
                input(
                    "2026-12-04T04:00:00.000Z",
                    "LOC802",
                    AutoAttendant,
                    OfferResult::Answer,
                    None,
                ),
                input(
                    "2026-12-05T04:00:00.000Z",
                    "LOC801",
                    SubscriberAccess,
                    OfferResult::Answer,
                    None,
                ),
            ],
            GroupBy::DialPlan,
            Interval::Day,
        );
        assert_eq!(rows.len(), 3);
        let first = &rows[0];
        assert_eq!(
            (first.date.as_str(), first.group.as_str()),
            ("2026-12-04", "LOC801")
        );
        assert_eq!(
            (
                first.total_calls,
                first.voice_messages,
                first.missed_calls,
                first.failed_or_rejected_calls
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(first.nmos, Some(4.2));
        assert_eq!(first.round_trip_milliseconds, None);
        assert_eq!(rows[1].auto_attendant, 1);
        assert_eq!(rows[2].subscriber_access, 1);
        let months = summary(
            vec![input(
                "2026-12-04T01:00:00.000Z",
                "X",
                AutoAttendant,
                OfferResult::Answer,
                None,
            )],
            GroupBy::Server,
            Interval::Month,
        );
        assert_eq!(
            (months[0].date.as_str(), months[0].group.as_str()),
            ("2026-12", "ex-mbx01")
        );
    }

    #[test]
    fn calls_filter_and_sort_newest_first() {
        let r = |d: &str, t: CallType, user: &str| CallRecord {
            date: d.into(),
            call_type: Some(t),
            user_mailbox_name: Some(user.into()),
            dial_plan: Some("LOC801".into()),
            ..CallRecord::default()
        };
        let all = vec![
            r("2026-12-01T00:00:00.000Z", CallType::AutoAttendant, "x"),
            r(
                "2026-12-03T00:00:00.000Z",
                CallType::SubscriberAccess,
                "bob",
            ),
            r(
                "2026-12-02T00:00:00.000Z",
                CallType::SubscriberAccess,
                "bob",
            ),
        ];
        let f = Filter {
            user: Some("BOB".into()),
            since: Some("2026-12-02T00:00:00.000Z".into()),
            ..Filter::default()
        };
        let kept = calls(all.clone(), &f);
        assert_eq!(kept.len(), 2);
        assert!(kept[0].date > kept[1].date);
        let f = Filter {
            call_type: Some(CallType::AutoAttendant),
            dial_plan: Some("loc801".into()),
            ..Filter::default()
        };
        assert_eq!(calls(all, &f).len(), 1);
    }
}
