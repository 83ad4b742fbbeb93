//! `umctl aa set` and `umctl aa greeting set`: plan a change to an auto attendant's hours,
//! holidays, after-hours key mappings, time zone and per-period greeting in umctl's lab form
//! (`directory::model::aa_schedule`), as one `Modify` of the attributes that differ, applied
//! through [`Directory::apply`] (all or nothing). An attribute that holds Exchange's own
//! serialized form is never overwritten: the plan is refused and says why.

use crate::directory::model::aa_schedule::{Holiday, Setting, WeeklyRange};
use crate::directory::model::{attrs, AutoAttendant, KeyMapping, PeriodFeatures};
use crate::directory::{Change, ModOp, Modification};

/// What to change; `None` / empty leaves a part as it is.
#[derive(Clone, Debug, Default)]
pub struct AaUpdate {
    pub time_zone: Option<String>,
    /// Replaces the business-hours schedule.
    pub business_hours: Option<Vec<WeeklyRange>>,
    /// Replaces the after-hours key mappings.
    pub after_hours_keys: Option<Vec<KeyMapping>>,
    /// Added, or replacing the holiday of the same name (its greeting kept).
    pub holidays: Vec<Holiday>,
    pub business_operator: Option<bool>,
    pub after_hours_operator: Option<bool>,
}

/// Which greeting `aa greeting set` sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GreetingFor {
    Business,
    AfterHours,
    Holiday(String),
}

impl GreetingFor {
    /// The file name the greeting is stored under in the AA's greeting folder.
    pub fn file_name(&self) -> String {
        match self {
            GreetingFor::Business => "business.wav".into(),
            GreetingFor::AfterHours => "after-hours.wav".into(),
            GreetingFor::Holiday(name) => {
                let slug: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '-'
                        }
                    })
                    .collect();
                format!("holiday-{slug}.wav")
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AaError {
    #[error("auto attendant '{name}' not found (known auto attendants: {known})")]
    NoSuchAutoAttendant { name: String, known: String },
    #[error("auto attendant {name} has no holiday '{holiday}' (its holidays: {known}); add it first with `umctl aa set {name} --holiday \"{holiday},YYYY-MM-DD\"`")]
    NoSuchHoliday {
        name: String,
        holiday: String,
        known: String,
    },
    #[error("{attr} of auto attendant {name} holds Exchange's serialized form, which umctl does not read; umctl will not overwrite it (change it with Set-UMAutoAttendant, or clear the attribute first)")]
    ExchangeForm { name: String, attr: &'static str },
    #[error("after-hours key {0}: key 0 is the operator's (expected keys 1-9)")]
    KeyZero(String),
}

impl AaError {
    /// Every error here is bad input or a missing object: 2.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// The planned change: the auto attendant as it will read, the attributes changed, the change.
#[derive(Clone, Debug)]
pub struct AaPlan {
    pub after: AutoAttendant,
    pub changed: Vec<&'static str>,
    pub changes: Vec<Change>,
}

/// Finds an auto attendant by name (case-insensitive).
pub fn find<'a>(all: &'a [AutoAttendant], name: &str) -> Result<&'a AutoAttendant, AaError> {
    all.iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| AaError::NoSuchAutoAttendant {
            name: name.to_string(),
            known: all
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Plans `update` on `aa`.
pub fn plan_set(aa: &AutoAttendant, update: &AaUpdate) -> Result<AaPlan, AaError> {
    let mut after = aa.clone();
    if let Some(z) = &update.time_zone {
        after.time_zone = Some(z.clone());
    }
    if let Some(s) = &update.business_hours {
        after.schedule = s.clone();
    }
    if let Some(keys) = &update.after_hours_keys {
        if let Some(k) = keys.iter().find(|k| k.key == 0) {
            return Err(AaError::KeyZero(k.to_string()));
        }
        after.after_hours.key_mappings = keys.clone();
    }
    for h in &update.holidays {
        match after
            .holidays
            .iter_mut()
            .find(|x| x.name.eq_ignore_ascii_case(&h.name))
        {
            Some(x) => {
                let greeting = x.greeting.take();
                *x = Holiday {
                    greeting,
                    ..h.clone()
                };
            }
            None => after.holidays.push(h.clone()),
        }
    }
    if let Some(on) = update.business_operator {
        after.business.operator = on;
    }
    if let Some(on) = update.after_hours_operator {
        after.after_hours.operator = on;
    }
    diff(aa, after)
}

/// Plans storing `file_name` as the greeting of `which`.
pub fn plan_greeting(aa: &AutoAttendant, which: &GreetingFor) -> Result<AaPlan, AaError> {
    let mut after = aa.clone();
    let file = which.file_name();
    match which {
        GreetingFor::Business => after.business.greeting = Some(file),
        GreetingFor::AfterHours => after.after_hours.greeting = Some(file),
        GreetingFor::Holiday(name) => {
            let known = aa
                .holidays
                .iter()
                .map(|h| h.name.as_str())
                .collect::<Vec<_>>();
            let h = after
                .holidays
                .iter_mut()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| AaError::NoSuchHoliday {
                    name: aa.name.clone(),
                    holiday: name.clone(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                })?;
            h.greeting = Some(file);
        }
    }
    diff(aa, after)
}

/// The stored values of each attribute umctl writes, in its lab form.
fn rendered(aa: &AutoAttendant) -> Vec<(&'static str, Vec<String>)> {
    let features = |f: &PeriodFeatures, tz: Option<&String>| {
        let mut v = f.values();
        v.extend(tz.map(|z| Setting::TimeZone(z.clone()).to_string()));
        v
    };
    vec![
        (
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES,
            features(&aa.business, aa.time_zone.as_ref()),
        ),
        (
            attrs::MSEXCH_UM_AUTO_ATTENDANT_AFTER_HOUR_FEATURES,
            features(&aa.after_hours, None),
        ),
        (
            attrs::MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_SCHEDULE,
            aa.schedule.iter().map(ToString::to_string).collect(),
        ),
        (
            attrs::MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE,
            aa.holidays.iter().map(ToString::to_string).collect(),
        ),
    ]
}

fn diff(before: &AutoAttendant, after: AutoAttendant) -> Result<AaPlan, AaError> {
    let mut mods = Vec::new();
    let mut changed = Vec::new();
    for ((attr, old), (_, new)) in rendered(before).into_iter().zip(rendered(&after)) {
        if old == new {
            continue;
        }
        if before.exchange_forms.contains(&attr) {
            return Err(AaError::ExchangeForm {
                name: before.name.clone(),
                attr,
            });
        }
        changed.push(attr);
        mods.push(Modification {
            op: if new.is_empty() {
                ModOp::Delete
            } else {
                ModOp::Replace
            },
            attr: attr.to_string(),
            values: new.into_iter().map(String::into_bytes).collect(),
        });
    }
    let changes = if mods.is_empty() {
        Vec::new()
    } else {
        vec![Change::Modify(before.dn.clone(), mods)]
    };
    Ok(AaPlan {
        after,
        changed,
        changes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;
    use crate::directory::{lookup, Directory};

    fn lab_aa() -> (tempfile::TempDir, LabDirectory, AutoAttendant) {
        let dir = tempfile::tempdir().unwrap();
        let lab = LabDirectory::init_and_open(dir.path().join("lab")).unwrap();
        let org = lookup::organization(&lab).unwrap();
        let aa = lookup::auto_attendant_by_number(&lab, &org, "+96265515444")
            .unwrap()
            .unwrap();
        (dir, lab, aa)
    }

    fn update() -> AaUpdate {
        AaUpdate {
            time_zone: Some("Asia/Amman".into()),
            business_hours: Some(vec![WeeklyRange::parse("Mon-Fri 08:00-17:30").unwrap()]),
            after_hours_keys: Some(vec![KeyMapping::parse("key=1;Emergency, 9100").unwrap()]),
            holidays: vec![Holiday::parse_arg("New Year,2027-01-01").unwrap()],
            business_operator: None,
            after_hours_operator: Some(false),
        }
    }

    #[test]
    fn a_plan_applied_reads_back_and_a_second_plan_is_empty() {
        let (_d, lab, aa) = lab_aa();
        let plan = plan_set(&aa, &update()).unwrap();
        assert_eq!(plan.changed.len(), 4, "{:?}", plan.changed);
        lab.apply(&plan.changes).unwrap();
        let org = lookup::organization(&lab).unwrap();
        let back = lookup::auto_attendant_by_number(&lab, &org, "+96265515444")
            .unwrap()
            .unwrap();
        assert_eq!(back, plan.after);
        assert_eq!(back.business.key_mappings, aa.business.key_mappings, "kept");
        assert!(plan_set(&back, &update()).unwrap().changes.is_empty());

        let g = plan_greeting(&back, &GreetingFor::Holiday("new year".into())).unwrap();
        assert_eq!(
            g.after.holidays[0].greeting.as_deref(),
            Some("holiday-new-year.wav")
        );
        lab.apply(&g.changes).unwrap();
        let again = lookup::auto_attendant_by_number(&lab, &org, "+96265515444")
            .unwrap()
            .unwrap();
        // Setting the holiday's dates again keeps its greeting.
        let kept = plan_set(&again, &update()).unwrap();
        assert!(kept.changes.is_empty(), "{:?}", kept.changes);
    }

    #[test]
    fn refusals_name_the_problem() {
        let (_d, _lab, mut aa) = lab_aa();
        let err = plan_greeting(&aa, &GreetingFor::Holiday("Eid".into())).unwrap_err();
        assert!(
            err.to_string()
                .contains("no holiday 'Eid' (its holidays: none)"),
            "{err}"
        );
        let mut u = update();
        u.after_hours_keys = Some(vec![KeyMapping::parse("key=0;Op, 1").unwrap()]);
        assert!(matches!(
            plan_set(&aa, &u).unwrap_err(),
            AaError::KeyZero(_)
        ));
        aa.exchange_forms = vec![attrs::MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE];
        let err = plan_set(&aa, &update()).unwrap_err();
        assert!(err.to_string().contains("msExchUMAutoAttendantHolidaySchedule of auto attendant LOC801-AA holds Exchange's serialized form"), "{err}");
        assert!(find(&[aa], "nope")
            .unwrap_err()
            .to_string()
            .contains("LOC801-AA"));
    }
}
