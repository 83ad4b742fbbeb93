//! An auto attendant's hours in umctl's lab form (domain.md B.3.5, README "Auto attendant
//! hours"): business-hours ranges (`msExchUMAutoAttendantBusinessHourSchedule`, one value per
//! range, `Mon-Fri 08:00-17:30`), holidays (`msExchUMAutoAttendantHolidaySchedule`,
//! `Name, greeting.wav, 2027-01-01[, 2027-01-02]`, the greeting may be empty) and the per-period
//! settings kept beside the key mappings in the features attributes (`greeting=FILE.wav`,
//! `operator=on|off`, `timezone=Area/City`). Exchange's own binary schedule and XML features
//! are recognised as such ([`is_exchange_form`]) but not read. Which period applies at an
//! instant is `um::aa_period`'s decision.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use serde::Serialize;

use super::ValueError;

const DAYS: [(&str, Weekday); 7] = [
    ("Mon", Weekday::Monday),
    ("Tue", Weekday::Tuesday),
    ("Wed", Weekday::Wednesday),
    ("Thu", Weekday::Thursday),
    ("Fri", Weekday::Friday),
    ("Sat", Weekday::Saturday),
    ("Sun", Weekday::Sunday),
];

const RANGE_FORM: &str =
    "<days> <HH:MM>-<HH:MM>, days Mon-Fri, Sat or Mon,Wed (e.g. Mon-Fri 08:00-17:30)";
const HOLIDAY_FORM: &str = "<name>, [greeting.wav], <YYYY-MM-DD>[, <YYYY-MM-DD>]";

/// Whether a stored value is Exchange's own serialized form (XML settings or a binary
/// ScheduleInterval array) rather than umctl's text form.
pub fn is_exchange_form(value: &[u8]) -> bool {
    match std::str::from_utf8(value) {
        Ok(s) => s.trim_start().starts_with('<'),
        Err(_) => true,
    }
}

fn day(s: &str) -> Option<Weekday> {
    DAYS.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
        .map(|(_, d)| *d)
}

fn day_name(d: Weekday) -> &'static str {
    DAYS.iter().find(|(_, w)| *w == d).map_or("?", |(n, _)| n)
}

/// Business hours on some weekdays: `days` from `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeeklyRange {
    #[serde(serialize_with = "ser_days")]
    pub days: Vec<Weekday>,
    #[serde(serialize_with = "ser_display")]
    pub start: Time,
    #[serde(serialize_with = "ser_display")]
    pub end: Time,
}

fn ser_days<S: serde::Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(days.iter().map(|d| day_name(*d)))
}

fn ser_display<T: fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl WeeklyRange {
    /// Parses `Mon-Fri 08:00-17:30` (days: a range, a list or one day; times HH:MM, start
    /// before end).
    pub fn parse(s: &str) -> Result<WeeklyRange, ValueError> {
        let fail = || ValueError::new(s, RANGE_FORM);
        let (days, times) = s.trim().split_once(' ').ok_or_else(fail)?;
        let mut out = Vec::new();
        for part in days.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (mut d, last) = (day(a).ok_or_else(fail)?, day(b).ok_or_else(fail)?);
                    out.push(d);
                    while d != last {
                        d = d.next();
                        out.push(d);
                    }
                }
                None => out.push(day(part).ok_or_else(fail)?),
            }
        }
        let (a, b) = times.trim().split_once('-').ok_or_else(fail)?;
        let time = |t: &str| Time::strptime("%H:%M", t.trim()).map_err(|_| fail());
        let (start, end) = (time(a)?, time(b)?);
        if start >= end {
            return Err(fail());
        }
        out.dedup();
        Ok(WeeklyRange {
            days: out,
            start,
            end,
        })
    }

    /// Whether the local weekday and time fall in this range.
    pub fn contains(&self, day: Weekday, time: Time) -> bool {
        self.days.contains(&day) && self.start <= time && time < self.end
    }
}

impl fmt::Display for WeeklyRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<&str> = self.days.iter().map(|d| day_name(*d)).collect();
        let consecutive = self.days.windows(2).all(|w| w[0].next() == w[1]);
        let days = match (consecutive && days.len() > 2, days.first(), days.last()) {
            (true, Some(a), Some(b)) => format!("{a}-{b}"),
            _ => days.join(","),
        };
        write!(
            f,
            "{days} {}-{}",
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M")
        )
    }
}

/// One holiday: from `first` to `last` (inclusive, local dates in the AA's time zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub name: String,
    /// The holiday greeting file, when one is set.
    pub greeting: Option<String>,
    #[serde(serialize_with = "ser_display")]
    pub first: Date,
    #[serde(serialize_with = "ser_display")]
    pub last: Date,
}

impl Holiday {
    /// Parses the stored form `Name, greeting.wav, first[, last]`.
    pub fn parse(s: &str) -> Result<Holiday, ValueError> {
        let fail = || ValueError::new(s, HOLIDAY_FORM);
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let (name, greeting, first, last) = match parts.as_slice() {
            [n, g, f] => (*n, *g, *f, *f),
            [n, g, f, l] => (*n, *g, *f, *l),
            _ => return Err(fail()),
        };
        Holiday::new(
            name,
            (!greeting.is_empty()).then_some(greeting),
            first,
            last,
        )
        .map_err(|_| fail())
    }

    /// Parses the command-line form `Name,first[,last]` (no greeting: `aa greeting set`).
    pub fn parse_arg(s: &str) -> Result<Holiday, ValueError> {
        let fail = || ValueError::new(s, "<name>,<YYYY-MM-DD>[,<YYYY-MM-DD>]");
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [n, f] => Holiday::new(n, None, f, f),
            [n, f, l] => Holiday::new(n, None, f, l),
            _ => return Err(fail()),
        }
        .map_err(|_| fail())
    }

    fn new(name: &str, greeting: Option<&str>, first: &str, last: &str) -> Result<Holiday, ()> {
        let date = |d: &str| d.parse::<Date>().map_err(|_| ());
        let (first, last) = (date(first)?, date(last)?);
        if name.is_empty() || first > last || greeting.is_some_and(|g| g.contains(',')) {
            return Err(());
        }
        Ok(Holiday {
            name: name.to_string(),
            greeting: greeting.map(str::to_string),
            first,
            last,
        })
    }

    pub fn contains(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }
}

impl fmt::Display for Holiday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = self.greeting.as_deref().unwrap_or("");
        write!(f, "{}, {g}, {}, {}", self.name, self.first, self.last)
    }
}

/// A `name=value` setting kept among the key mappings of a features attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Greeting(String),
    Operator(bool),
    TimeZone(String),
}

impl Setting {
    pub const GREETING: &'static str = "greeting=";
    pub const OPERATOR: &'static str = "operator=";
    pub const TIME_ZONE: &'static str = "timezone=";

    /// `None` when the value is not a setting (a key mapping or Exchange's XML).
    pub fn parse(s: &str) -> Option<Result<Setting, ValueError>> {
        let t = s.trim();
        let value = |p: &str| {
            t.get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| t[p.len()..].trim())
        };
        if let Some(v) = value(Setting::GREETING) {
            return Some(if v.is_empty() || v.contains(['/', '\\']) {
                Err(ValueError::new(s, "greeting=<file name>.wav"))
            } else {
                Ok(Setting::Greeting(v.to_string()))
            });
        }
        if let Some(v) = value(Setting::OPERATOR) {
            return Some(match v.to_ascii_lowercase().as_str() {
                "on" => Ok(Setting::Operator(true)),
                "off" => Ok(Setting::Operator(false)),
                _ => Err(ValueError::new(s, "operator=on or operator=off")),
            });
        }
        value(Setting::TIME_ZONE).map(|v| check_time_zone(v).map(Setting::TimeZone))
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Greeting(g) => write!(f, "{}{g}", Setting::GREETING),
            Setting::Operator(on) => {
                write!(f, "{}{}", Setting::OPERATOR, if *on { "on" } else { "off" })
            }
            Setting::TimeZone(z) => write!(f, "{}{z}", Setting::TIME_ZONE),
        }
    }
}

/// An IANA time zone name known to the bundled database.
pub fn check_time_zone(name: &str) -> Result<String, ValueError> {
    jiff::tz::TimeZone::get(name)
        .map(|_| name.to_string())
        .map_err(|_| {
            ValueError::new(
                name,
                "an IANA time zone name such as Europe/Amsterdam or UTC",
            )
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weekly_ranges() {
        let r = WeeklyRange::parse("Mon-Fri 08:00-17:30").unwrap();
        assert_eq!(r.days.len(), 5);
        assert_eq!(r.to_string(), "Mon-Fri 08:00-17:30");
        assert!(r.contains(Weekday::Friday, Time::constant(17, 29, 59, 0)));
        assert!(!r.contains(Weekday::Friday, Time::constant(17, 30, 0, 0)));
        assert!(!r.contains(Weekday::Saturday, Time::constant(9, 0, 0, 0)));
        let w = WeeklyRange::parse("sat,Sun 10:00-12:00").unwrap();
        assert_eq!(w.to_string(), "Sat,Sun 10:00-12:00");
        let wrap = WeeklyRange::parse("Fri-Mon 10:00-12:00").unwrap();
        assert_eq!(wrap.days.len(), 4);
        for bad in [
            "Mon-Fri",
            "Xyz 08:00-09:00",
            "Mon 09:00-08:00",
            "Mon 8-9",
            "Mon 08:00-25:00",
        ] {
            assert_eq!(WeeklyRange::parse(bad).unwrap_err().value, bad);
        }
    }

    #[test]
    fn holidays() {
        let h = Holiday::parse("New Year, newyear.wav, 2027-01-01").unwrap();
        assert_eq!(h.greeting.as_deref(), Some("newyear.wav"));
        assert_eq!(
            h.to_string(),
            "New Year, newyear.wav, 2027-01-01, 2027-01-01"
        );
        assert_eq!(Holiday::parse(&h.to_string()).unwrap(), h);
        let a = Holiday::parse_arg("Christmas,2026-12-24,2026-12-26").unwrap();
        assert!(a.contains("2026-12-25".parse().unwrap()));
        assert!(!a.contains("2026-12-27".parse().unwrap()));
        assert_eq!(Holiday::parse(&a.to_string()).unwrap(), a);
        for bad in [
            "New Year",
            "X,2027-13-01",
            ",2027-01-01",
            "X,2027-01-02,2027-01-01",
        ] {
            assert!(Holiday::parse_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_and_exchange_forms() {
        assert_eq!(
            Setting::parse("timezone=Europe/Amsterdam")
                .unwrap()
                .unwrap(),
            Setting::TimeZone("Europe/Amsterdam".into())
        );
        assert!(Setting::parse("timezone=Mars/Olympus").unwrap().is_err());
        assert_eq!(
            Setting::parse("Operator=OFF").unwrap().unwrap().to_string(),
            "operator=off"
        );
        assert!(Setting::parse("greeting=../x.wav").unwrap().is_err());
        assert!(Setting::parse("key=1;Sales, 9001").is_none());
        assert!(is_exchange_form(b"<AutoAttendantSettings/>"));
        assert!(is_exchange_form(&[0x01, 0xff, 0x00]));
        assert!(!is_exchange_form(b"Mon-Fri 08:00-17:30"));
    }
}
