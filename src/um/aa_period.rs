//! Which of an auto attendant's periods applies at an instant (domain.md B.5.2): a holiday
//! (its dates in the AA's time zone) wins, then business hours (the weekly ranges; none means
//! always open, Exchange's default), else after hours. Holidays use the after-hours menu with
//! the holiday's greeting, as Exchange does. Pure: serve passes the call's time, trace-call
//! `--now`.

use jiff::tz::TimeZone;
use jiff::{civil, Timestamp};
use serde::Serialize;

use crate::directory::model::aa_schedule::Holiday;
use crate::directory::model::{AutoAttendant, PeriodFeatures};

/// The period a call falls in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "period", content = "holiday")]
pub enum Period {
    BusinessHours,
    AfterHours,
    Holiday(Holiday),
}

/// The period and the local time it was decided from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodChoice {
    pub period: Period,
    /// The call's local time in the AA's time zone, `Mon 2027-01-04 09:00`.
    pub local: String,
    pub time_zone: String,
}

impl PeriodChoice {
    /// The features callers get in this period.
    pub fn features<'a>(&self, aa: &'a AutoAttendant) -> &'a PeriodFeatures {
        match self.period {
            Period::BusinessHours => &aa.business,
            _ => &aa.after_hours,
        }
    }

    /// The greeting file for this period: the holiday's, else the period's.
    pub fn greeting<'a>(&'a self, aa: &'a AutoAttendant) -> Option<&'a str> {
        match &self.period {
            Period::Holiday(h) if h.greeting.is_some() => h.greeting.as_deref(),
            _ => self.features(aa).greeting.as_deref(),
        }
    }

    /// "after hours (Sat 2027-01-02 10:00 Asia/Amman)".
    pub fn describe(&self) -> String {
        let what = match &self.period {
            Period::BusinessHours => "business hours".to_string(),
            Period::AfterHours => "after hours".to_string(),
            Period::Holiday(h) => format!("holiday {} (after-hours menu)", h.name),
        };
        format!("{what} at {} {}", self.local, self.time_zone)
    }
}

/// The AA's time zone (UTC when none is set or the name is unknown to the bundled database).
fn zone(aa: &AutoAttendant) -> (TimeZone, String) {
    aa.time_zone
        .as_deref()
        .and_then(|n| TimeZone::get(n).ok().map(|z| (z, n.to_string())))
        .unwrap_or_else(|| (TimeZone::UTC, "UTC".into()))
}

/// The period of `aa` at `at`.
pub fn period_at(aa: &AutoAttendant, at: Timestamp) -> PeriodChoice {
    let (tz, time_zone) = zone(aa);
    let local: civil::DateTime = at.to_zoned(tz).datetime();
    let (date, time, day) = (local.date(), local.time(), local.weekday());
    let period = if let Some(h) = aa.holidays.iter().find(|h| h.contains(date)) {
        Period::Holiday(h.clone())
    } else if aa.schedule.is_empty() || aa.schedule.iter().any(|r| r.contains(day, time)) {
        Period::BusinessHours
    } else {
        Period::AfterHours
    };
    PeriodChoice {
        period,
        local: local.strftime("%a %Y-%m-%d %H:%M").to_string(),
        time_zone,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::model::aa_schedule::WeeklyRange;
    use crate::directory::model::Dn;

    fn aa() -> AutoAttendant {
        AutoAttendant {
            dn: Dn::parse("CN=AA,CN=UM AutoAttendant Container,DC=x").unwrap(),
            name: "AA".into(),
            dial_plan: Dn::parse("CN=DP,DC=x").unwrap(),
            pilot_numbers: vec![],
            enabled: true,
            operator_extension: None,
            business: PeriodFeatures::default(),
            after_hours: PeriodFeatures {
                greeting: Some("closed.wav".into()),
                ..PeriodFeatures::default()
            },
            time_zone: Some("Asia/Amman".into()),
            schedule: vec![WeeklyRange::parse("Mon-Fri 08:00-17:30").unwrap()],
            holidays: vec![Holiday::parse("New Year, ny.wav, 2027-01-01").unwrap()],
            exchange_forms: vec![],
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_same_aa_at_three_instants() {
        let aa = aa();
        // Amman is UTC+3: 06:00Z on Monday 4 January 2027 is 09:00 local.
        let b = period_at(&aa, at("2027-01-04T06:00:00Z"));
        assert_eq!(b.period, Period::BusinessHours);
        assert_eq!(
            b.describe(),
            "business hours at Mon 2027-01-04 09:00 Asia/Amman"
        );
        assert_eq!(b.greeting(&aa), None);
        // 15:00Z is 18:00 local: closed.
        let a = period_at(&aa, at("2027-01-04T15:00:00Z"));
        assert_eq!(a.period, Period::AfterHours);
        assert_eq!(a.greeting(&aa), Some("closed.wav"));
        // 31 December 22:00Z is already New Year's Day in Amman.
        let h = period_at(&aa, at("2026-12-31T22:00:00Z"));
        assert!(matches!(&h.period, Period::Holiday(x) if x.name == "New Year"));
        assert_eq!(h.greeting(&aa), Some("ny.wav"));
        assert!(std::ptr::eq(h.features(&aa), &aa.after_hours));
    }

    #[test]
    fn no_schedule_is_always_open_and_no_zone_is_utc() {
        let mut aa = aa();
        aa.schedule.clear();
        aa.time_zone = None;
        let c = period_at(&aa, at("2027-01-03T03:00:00Z"));
        assert_eq!(c.period, Period::BusinessHours);
        assert_eq!(c.time_zone, "UTC");
        assert_eq!(c.local, "Sun 2027-01-03 03:00");
    }
}
