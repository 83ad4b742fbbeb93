//! UM auto attendants (`msExchUMAutoAttendant`, domain.md A.2 and B.3.5): dial plan link, pilot
//! numbers, enabled flag, operator extension and, per period (business hours, after hours),
//! umctl's key mappings (`key=N;Name, extension` values of
//! `msExchUMAutoAttendantBusinessHourFeatures` / `...AfterHourFeatures`) with the settings kept
//! beside them, the schedule and the holidays (`aa_schedule`). Values in Exchange's own
//! serialized form are listed in [`AutoAttendant::exchange_forms`], not read. It does not play
//! menus or transfer calls (`um::auto_attendant`) nor decide the period (`um::aa_period`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::aa_schedule::{is_exchange_form, Holiday, Setting, WeeklyRange};
use super::{attrs, read, Dn, ModelError, ValueError};
use crate::directory::entry::Entry;

/// `msExchUMAutoAttendantFlags` bit 1: the auto attendant is enabled.
pub const AA_ENABLED_FLAG: i64 = 1;

const KEY_PREFIX: &str = "key=";

/// One menu entry: pressing `key` transfers to `extension`, announced as `name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct KeyMapping {
    pub key: u8,
    pub name: String,
    pub extension: String,
}

impl KeyMapping {
    /// Whether a stored value is one of umctl's key mappings (real Exchange stores XML in the
    /// same attribute; those values are not ours to read).
    pub fn is_key_mapping(value: &str) -> bool {
        value
            .trim_start()
            .get(..KEY_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(KEY_PREFIX))
    }

    /// Parses `key=N;Name, extension`: N is 0-9, the name may itself contain commas (the
    /// extension follows the last one), both parts are trimmed and must not be empty.
    pub fn parse(s: &str) -> Result<KeyMapping, ValueError> {
        let fail = || ValueError::new(s, "key=<0-9>;<name>, <extension>");
        let t = s.trim();
        if !KeyMapping::is_key_mapping(t) {
            return Err(fail());
        }
        let (key, rest) = t[KEY_PREFIX.len()..].split_once(';').ok_or_else(fail)?;
        let key: u8 = match key.trim().as_bytes() {
            [d @ b'0'..=b'9'] => d - b'0',
            _ => return Err(fail()),
        };
        let (name, ext) = rest.rsplit_once(',').ok_or_else(fail)?;
        let (name, ext) = (name.trim(), ext.trim());
        if name.is_empty() || ext.is_empty() || ext.contains(char::is_whitespace) {
            return Err(fail());
        }
        Ok(KeyMapping {
            key,
            name: name.to_string(),
            extension: ext.to_string(),
        })
    }
}

impl fmt::Display for KeyMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{KEY_PREFIX}{};{}, {}",
            self.key, self.name, self.extension
        )
    }
}

impl FromStr for KeyMapping {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<KeyMapping, ValueError> {
        KeyMapping::parse(s)
    }
}

/// What callers get in one period (business hours, or after hours and holidays).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PeriodFeatures {
    /// umctl's key mappings, in stored order.
    pub key_mappings: Vec<KeyMapping>,
    /// The welcome greeting file (`greeting=FILE.wav`), else the system welcome.
    pub greeting: Option<String>,
    /// `operator=off` turns transfer to the operator on 0 off (on by default).
    pub operator: bool,
}

impl PeriodFeatures {
    /// Reads one features attribute: key mappings, settings; Exchange's XML is skipped and
    /// reported through `foreign`. Returns the features and the time zone if one is set.
    fn read(
        e: &Entry,
        attr: &'static str,
        foreign: &mut Vec<&'static str>,
    ) -> Result<(PeriodFeatures, Option<String>), ModelError> {
        let mut out = PeriodFeatures {
            operator: true,
            ..PeriodFeatures::default()
        };
        let mut tz = None;
        for raw in e.values(attr) {
            if is_exchange_form(raw) {
                foreign.push(attr);
                continue;
            }
            let v = String::from_utf8_lossy(raw);
            if KeyMapping::is_key_mapping(&v) {
                out.key_mappings
                    .push(KeyMapping::parse(&v).map_err(|err| err.at(&e.dn, attr))?);
                continue;
            }
            let expected =
                "key=N;Name, extension, greeting=FILE.wav, operator=on|off or timezone=Area/City";
            match Setting::parse(&v) {
                None => return Err(ValueError::new(v, expected).at(&e.dn, attr)),
                Some(Err(err)) => return Err(err.at(&e.dn, attr)),
                Some(Ok(Setting::Greeting(g))) => out.greeting = Some(g),
                Some(Ok(Setting::Operator(on))) => out.operator = on,
                Some(Ok(Setting::TimeZone(z))) => tz = Some(z),
            }
        }
        Ok((out, tz))
    }

    /// The stored values, in umctl's form.
    pub fn values(&self) -> Vec<String> {
        let mut out: Vec<String> = self.key_mappings.iter().map(|k| k.to_string()).collect();
        if let Some(g) = &self.greeting {
            out.push(Setting::Greeting(g.clone()).to_string());
        }
        if !self.operator {
            out.push(Setting::Operator(false).to_string());
        }
        out
    }

    /// The mapping for a pressed key.
    pub fn key(&self, key: u8) -> Option<&KeyMapping> {
        self.key_mappings.iter().find(|m| m.key == key)
    }
}

/// Parses every text value of `attr` with `parse`; binary or XML values go to `foreign`.
fn read_list<T>(
    e: &Entry,
    attr: &'static str,
    parse: fn(&str) -> Result<T, ValueError>,
    foreign: &mut Vec<&'static str>,
) -> Result<Vec<T>, ModelError> {
    let mut out = Vec::new();
    for raw in e.values(attr) {
        match std::str::from_utf8(raw) {
            Ok(v) if !is_exchange_form(raw) => {
                out.push(parse(v).map_err(|err| err.at(&e.dn, attr))?)
            }
            _ => foreign.push(attr),
        }
    }
    Ok(out)
}

/// One auto attendant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutoAttendant {
    pub dn: Dn,
    pub name: String,
    /// `msExchUMAutoAttendantDialPlanLink`.
    pub dial_plan: Dn,
    /// `msExchUMAutoAttendantDialedNumbers`: the E.164 pilots callers dial.
    pub pilot_numbers: Vec<String>,
    /// Bit 1 of `msExchUMAutoAttendantFlags`; absent reads as disabled (Exchange's default).
    pub enabled: bool,
    pub operator_extension: Option<String>,
    /// Business-hours features (`msExchUMAutoAttendantBusinessHourFeatures`).
    pub business: PeriodFeatures,
    /// After-hours (and holiday) features (`msExchUMAutoAttendantAfterHourFeatures`).
    pub after_hours: PeriodFeatures,
    /// `timezone=` among the business-hours features; `None` reads as UTC.
    pub time_zone: Option<String>,
    /// Business hours; empty means always open (Exchange's default).
    pub schedule: Vec<WeeklyRange>,
    pub holidays: Vec<Holiday>,
    /// Attributes holding Exchange's own serialized form, which umctl does not read.
    pub exchange_forms: Vec<&'static str>,
}

impl AutoAttendant {
    pub fn from_entry(e: &Entry) -> Result<AutoAttendant, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_UM_AUTO_ATTENDANT;
        read::expect_class(e, CLASS)?;
        let mut foreign = Vec::new();
        let (business, time_zone) = PeriodFeatures::read(
            e,
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES,
            &mut foreign,
        )?;
        let (after_hours, _) = PeriodFeatures::read(
            e,
            attrs::MSEXCH_UM_AUTO_ATTENDANT_AFTER_HOUR_FEATURES,
            &mut foreign,
        )?;
        let schedule = read_list(
            e,
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_SCHEDULE,
            WeeklyRange::parse,
            &mut foreign,
        )?;
        let holidays = read_list(
            e,
            attrs::MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE,
            Holiday::parse,
            &mut foreign,
        )?;
        foreign.dedup();
        Ok(AutoAttendant {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
            dial_plan: read::req_dn(e, attrs::MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK, CLASS)?,
            pilot_numbers: read::all_str(e, attrs::MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS)?,
            enabled: read::opt_i64(e, attrs::MSEXCH_UM_AUTO_ATTENDANT_FLAGS)?
                .is_some_and(|f| f & AA_ENABLED_FLAG != 0),
            operator_extension: read::opt_str(e, attrs::MSEXCH_UM_OPERATOR_EXTENSION)?,
            business,
            after_hours,
            time_zone,
            schedule,
            holidays,
            exchange_forms: foreign,
        })
    }

    /// The business-hours mapping for a pressed key.
    pub fn key(&self, key: u8) -> Option<&KeyMapping> {
        self.business.key(key)
    }

    /// Why umctl cannot tell what callers hear, when part of the AA is in Exchange's form.
    pub fn exchange_form_note(&self) -> Option<String> {
        (!self.exchange_forms.is_empty()).then(|| {
            format!(
                "auto attendant {} keeps {} in Exchange's serialized form, which umctl does not read: its menus, hours or holidays may differ from what umctl shows (set them with `umctl aa set` to use umctl's form)",
                self.name,
                self.exchange_forms.join(", ")
            )
        })
    }

    /// Whether `number` is one of the pilot numbers (exact text).
    pub fn has_pilot_number(&self, number: &str) -> bool {
        self.pilot_numbers.iter().any(|n| n == number)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DN: &str = "CN=MainAA,CN=UM AutoAttendant Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    const DP: &str = "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn main_aa() -> Entry {
        let mut e = Entry::new(Dn::parse(DN).unwrap());
        e.set(
            attrs::OBJECT_CLASS,
            vec![b"top".to_vec(), b"msExchUMAutoAttendant".to_vec()],
        );
        e.set_str(attrs::CN, "MainAA");
        e.set_str(attrs::MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK, DP);
        e.set_str(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS,
            "+96265519100",
        );
        e.set_str(attrs::MSEXCH_UM_AUTO_ATTENDANT_FLAGS, "1");
        e.set_str(attrs::MSEXCH_UM_OPERATOR_EXTENSION, "9999");
        e.set(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES,
            vec![
                b"key=1;Sales, 9001".to_vec(),
                b"<AutoAttendantSettings xmlns=\"x\"/>".to_vec(),
                b"KEY=2;Service, Parts, 9002".to_vec(),
            ],
        );
        e
    }

    #[test]
    fn reads_an_auto_attendant() {
        let aa = AutoAttendant::from_entry(&main_aa()).unwrap();
        assert_eq!(aa.name, "MainAA");
        assert_eq!(aa.dial_plan.rdn_value(), Some("LOC801"));
        assert!(aa.enabled);
        assert!(aa.has_pilot_number("+96265519100"));
        assert_eq!(
            aa.business.key_mappings.len(),
            2,
            "the XML value is not ours"
        );
        assert_eq!(
            aa.exchange_forms,
            [attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES]
        );
        assert!(aa.exchange_form_note().unwrap().contains("MainAA keeps"));
        assert!(aa.business.operator);
        assert!(aa.schedule.is_empty() && aa.holidays.is_empty());
        assert_eq!(aa.key(1).unwrap().extension, "9001");
        assert_eq!(aa.key(2).unwrap().name, "Service, Parts");
        assert_eq!(aa.key(3), None);
    }

    #[test]
    fn disabled_when_flag_bit_clear_or_absent() {
        let mut e = main_aa();
        e.set_str(attrs::MSEXCH_UM_AUTO_ATTENDANT_FLAGS, "6");
        assert!(!AutoAttendant::from_entry(&e).unwrap().enabled);
        e.remove(attrs::MSEXCH_UM_AUTO_ATTENDANT_FLAGS);
        assert!(!AutoAttendant::from_entry(&e).unwrap().enabled);
    }

    #[test]
    fn key_mapping_round_trip_and_errors() {
        let m = KeyMapping::parse(" key=0; Operator ,0 ").unwrap();
        assert_eq!(
            m,
            KeyMapping {
                key: 0,
                name: "Operator".into(),
                extension: "0".into()
            }
        );
        assert_eq!(m.to_string(), "key=0;Operator, 0");
        assert_eq!(KeyMapping::parse(&m.to_string()).unwrap(), m);
        for bad in [
            "Sales, 9001",
            "key=10;Sales, 9001",
            "key=a;Sales, 9001",
            "key=1 Sales, 9001",
            "key=1;Sales 9001",
            "key=1;, 9001",
            "key=1;Sales,",
            "key=1;Sales, 90 01",
        ] {
            assert_eq!(KeyMapping::parse(bad).unwrap_err().value, bad);
        }
    }

    proptest::proptest! {
        #[test]
        fn key_mapping_round_trip(key in 0u8..=9, name in "[A-Za-z][A-Za-z ,]{0,15}[A-Za-z]", ext in "[0-9]{1,6}") {
            let m = KeyMapping { key, name, extension: ext };
            proptest::prop_assert_eq!(KeyMapping::parse(&m.to_string()).unwrap(), m);
        }

        #[test]
        fn key_mapping_parse_never_panics(s in "\\PC{0,30}") {
            let _ = KeyMapping::parse(&s);
        }
    }

    #[test]
    fn reads_hours_holidays_and_after_hours_features() {
        let mut e = main_aa();
        e.set(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES,
            vec![
                b"key=1;Sales, 9001".to_vec(),
                b"timezone=Asia/Amman".to_vec(),
            ],
        );
        e.set(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_AFTER_HOUR_FEATURES,
            vec![
                b"key=1;Emergency, 9100".to_vec(),
                b"greeting=closed.wav".to_vec(),
                b"operator=off".to_vec(),
            ],
        );
        e.set_str(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_SCHEDULE,
            "Sun-Thu 08:00-16:00",
        );
        e.set(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE,
            vec![b"New Year, , 2027-01-01".to_vec(), vec![0x00, 0x9f]],
        );
        let aa = AutoAttendant::from_entry(&e).unwrap();
        assert_eq!(aa.time_zone.as_deref(), Some("Asia/Amman"));
        assert_eq!(aa.after_hours.key(1).unwrap().extension, "9100");
        assert_eq!(aa.after_hours.greeting.as_deref(), Some("closed.wav"));
        assert!(!aa.after_hours.operator && aa.business.operator);
        assert_eq!(aa.schedule[0].to_string(), "Sun-Thu 08:00-16:00");
        assert_eq!(aa.holidays[0].name, "New Year");
        assert_eq!(
            aa.exchange_forms,
            [attrs::MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE]
        );
        assert_eq!(
            aa.after_hours.values(),
            [
                "key=1;Emergency, 9100",
                "greeting=closed.wav",
                "operator=off"
            ]
        );
        e.set_str(attrs::MSEXCH_UM_AUTO_ATTENDANT_AFTER_HOUR_FEATURES, "hello");
        let msg = AutoAttendant::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msExchUMAutoAttendantAfterHourFeatures has value 'hello'"),
            "{msg}"
        );
    }

    #[test]
    fn errors_name_dn_and_attribute() {
        let mut e = main_aa();
        e.remove(attrs::MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK);
        assert_eq!(
            AutoAttendant::from_entry(&e).unwrap_err().to_string(),
            format!("{DN}: msExchUMAutoAttendantDialPlanLink is required on msExchUMAutoAttendant (missing)")
        );
        let mut e = main_aa();
        e.add_value(
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES,
            b"key=x;Bad".to_vec(),
        );
        let msg = AutoAttendant::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msExchUMAutoAttendantBusinessHourFeatures has value 'key=x;Bad'"),
            "{msg}"
        );
    }
}
