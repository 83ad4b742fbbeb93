//! The reports over call records, as pure functions: which records a `report calls` filter
//! keeps (newest first), and Get-UMCallSummaryReport's totals per group and interval. The
//! column names are Exchange's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CallRecord, CallType, DropReason, OfferResult};

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

/// The fields a summary reads (the rest of a record is skipped unparsed).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryInput {
    pub date: String,
    pub call_type: Option<CallType>,
    #[serde(default)]
    pub dial_plan: Option<String>,
    #[serde(default)]
    pub gateway: Option<String>,
    #[serde(rename = "UMServerName", default)]
    pub um_server_name: String,
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
pub fn summary<I: IntoIterator<Item = SummaryInput>>(
    records: I,
    group_by: GroupBy,
    interval: Interval,
) -> Vec<SummaryRow> {
    let mut groups: BTreeMap<(String, String), Sums> = BTreeMap::new();
    for r in records {
        let date = match interval {
            Interval::Day => r.date.get(..10),
            Interval::Month => r.date.get(..7),
        }
        .unwrap_or_default()
        .to_string();
        let group = match group_by {
            GroupBy::DialPlan => r.dial_plan.clone(),
            GroupBy::Gateway => r.gateway.clone(),
            GroupBy::Server => Some(r.um_server_name.clone()).filter(|s| !s.is_empty()),
        }
        .unwrap_or_else(|| "(none)".into());
        let sums = groups.entry((date, group)).or_default();
        add(sums, &r);
    }
    groups
        .into_iter()
        .map(|((date, group), s)| finish(date, group, s))
        .collect()
}

fn add(s: &mut Sums, r: &SummaryInput) {
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
    ) -> SummaryInput {
        SummaryInput {
            date: date.into(),
            call_type: Some(t),
            dial_plan: Some(dp.into()),
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
