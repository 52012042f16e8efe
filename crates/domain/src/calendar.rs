//! The Colombian business-day calendar: Monday to Friday minus national holidays.
//!
//! The holiday rules are data ([`NATIONAL_HOLIDAYS`]), each with the norm it comes
//! from and the year it applies from; a [`Calendar`] adds the overrides an admin
//! records (a holiday decreed for one date, or a date that stops being one), so that a
//! new law does not wait for a release. Terms are counted as the right of petition
//! counts them: from the business day after the start date.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// How a holiday's date is found in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayRule {
    /// On its date, whatever the weekday.
    Fixed { month: u32, day: u32 },
    /// On its date if that is a Monday, else the next Monday (Ley 51 de 1983).
    NextMonday { month: u32, day: u32 },
    /// `offset` days after Easter Sunday; moved to the next Monday when `monday`.
    Easter { offset: i64, monday: bool },
}

/// A national holiday as the law defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayDefinition {
    pub name: &'static str,
    pub rule: HolidayRule,
    /// The first year it applies.
    pub from_year: i32,
    pub source: &'static str,
}

const LEY_51: &str = "Ley 51 de 1983";

/// Colombia's national holidays.
pub const NATIONAL_HOLIDAYS: &[HolidayDefinition] = &[
    HolidayDefinition {
        name: "Año Nuevo",
        rule: HolidayRule::Fixed { month: 1, day: 1 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día de los Reyes Magos",
        rule: HolidayRule::NextMonday { month: 1, day: 6 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día de San José",
        rule: HolidayRule::NextMonday { month: 3, day: 19 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Jueves Santo",
        rule: HolidayRule::Easter {
            offset: -3,
            monday: false,
        },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Viernes Santo",
        rule: HolidayRule::Easter {
            offset: -2,
            monday: false,
        },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día del Trabajo",
        rule: HolidayRule::Fixed { month: 5, day: 1 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Ascensión del Señor",
        rule: HolidayRule::Easter {
            offset: 39,
            monday: true,
        },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Corpus Christi",
        rule: HolidayRule::Easter {
            offset: 60,
            monday: true,
        },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Sagrado Corazón de Jesús",
        rule: HolidayRule::Easter {
            offset: 68,
            monday: true,
        },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "San Pedro y San Pablo",
        rule: HolidayRule::NextMonday { month: 6, day: 29 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día de Nuestra Señora del Rosario de Chiquinquirá",
        rule: HolidayRule::NextMonday { month: 7, day: 9 },
        from_year: 2026,
        source: "Ley 2578 de 2026",
    },
    HolidayDefinition {
        name: "Día de la Independencia",
        rule: HolidayRule::Fixed { month: 7, day: 20 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Batalla de Boyacá",
        rule: HolidayRule::Fixed { month: 8, day: 7 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "La Asunción de la Virgen",
        rule: HolidayRule::NextMonday { month: 8, day: 15 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día de la Raza",
        rule: HolidayRule::NextMonday { month: 10, day: 12 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Día de Todos los Santos",
        rule: HolidayRule::NextMonday { month: 11, day: 1 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Independencia de Cartagena",
        rule: HolidayRule::NextMonday { month: 11, day: 11 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Inmaculada Concepción",
        rule: HolidayRule::Fixed { month: 12, day: 8 },
        from_year: 1984,
        source: LEY_51,
    },
    HolidayDefinition {
        name: "Navidad",
        rule: HolidayRule::Fixed { month: 12, day: 25 },
        from_year: 1984,
        source: LEY_51,
    },
];

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous computus).
///
/// # Panics
/// For a year outside chrono's range (beyond ±262 000); [`easter_opt`] does not.
pub fn easter(year: i32) -> NaiveDate {
    easter_opt(year).expect("Easter is a valid date")
}

/// Easter Sunday of `year`, or `None` for a year chrono cannot represent.
pub fn easter_opt(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

fn next_monday(d: NaiveDate) -> Option<NaiveDate> {
    let ahead = (7 - d.weekday().num_days_from_monday()) % 7;
    d.checked_add_signed(Duration::days(i64::from(ahead)))
}

impl HolidayDefinition {
    /// The day off in `year`, if the holiday applies that year.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        if year < self.from_year {
            return None;
        }
        Some(match self.rule {
            HolidayRule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day)?,
            HolidayRule::NextMonday { month, day } => {
                next_monday(NaiveDate::from_ymd_opt(year, month, day)?)?
            }
            HolidayRule::Easter { offset, monday } => {
                let d = easter_opt(year)?.checked_add_signed(Duration::days(offset))?;
                if monday {
                    next_monday(d)?
                } else {
                    d
                }
            }
        })
    }
}

/// A holiday on a date: the names of what falls on it (two can share a Monday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// A change an admin made to the legal calendar for one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// A holiday the rules do not know (a new law, a día cívico).
    Add { date: NaiveDate, name: String },
    /// A date the rules make a holiday that is not one.
    Remove { date: NaiveDate },
}

/// The months' names in Spanish, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// The business-day calendar: the national holidays plus the overrides.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    added: BTreeMap<NaiveDate, String>,
    removed: BTreeSet<NaiveDate>,
    /// Every holiday of the years in [`FAST_YEARS`], sorted, worked out on first use so
    /// that counting business days is a subtraction and two binary searches.
    table: std::sync::OnceLock<HolidayTable>,
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.added == other.added && self.removed == other.removed
    }
}

impl Eq for Calendar {}

/// The years the precomputed table covers; other dates take the rules one by one.
const FAST_YEARS: std::ops::RangeInclusive<i32> = 1950..=2150;

#[derive(Debug, Clone, Default)]
struct HolidayTable {
    /// All holidays, sorted.
    all: Vec<NaiveDate>,
    /// Those falling Monday to Friday, sorted.
    weekdays: Vec<NaiveDate>,
}

/// Monday 2 January 1950: weekdays are counted from here.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1950, 1, 2).expect("valid date")
}

/// The last day the table covers.
fn table_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(*FAST_YEARS.end(), 12, 31).expect("valid date")
}

/// Weekdays in `[epoch, d]` for `d` on or after the epoch, and the matching prefix
/// count before it (so that `weekdays_through(b) - weekdays_through(a)` is the number of
/// weekdays in `(a, b]` for any two dates): a computation, never a loop over days.
fn weekdays_through(d: NaiveDate) -> i64 {
    let n = (d - epoch()).num_days() + 1;
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn in_table(d: NaiveDate) -> bool {
    FAST_YEARS.contains(&d.year()) && d >= epoch()
}

impl Calendar {
    /// The national holidays with `overrides` applied in order (a later one for the same
    /// date replaces an earlier one).
    pub fn new(overrides: impl IntoIterator<Item = Override>) -> Calendar {
        let mut c = Calendar::default();
        for o in overrides {
            match o {
                Override::Add { date, name } => {
                    c.removed.remove(&date);
                    c.added.insert(date, name);
                }
                Override::Remove { date } => {
                    c.added.remove(&date);
                    c.removed.insert(date);
                }
            }
        }
        c
    }

    /// The year's holidays in date order, one per date.
    pub fn holidays(&self, year: i32) -> Vec<Holiday> {
        let mut by_date: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
        for def in NATIONAL_HOLIDAYS {
            if let Some(d) = def.date_in(year) {
                by_date.entry(d).or_default().push(def.name.to_string());
            }
        }
        if let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            for (d, name) in self.added.range(first..=last) {
                by_date.entry(*d).or_default().push(name.clone());
            }
        }
        by_date
            .into_iter()
            .filter(|(d, _)| !self.removed.contains(d))
            .map(|(date, names)| Holiday {
                date,
                name: names.join(" y "),
            })
            .collect()
    }

    fn table(&self) -> &HolidayTable {
        self.table.get_or_init(|| {
            let all: Vec<NaiveDate> = FAST_YEARS
                .flat_map(|y| self.holidays(y).into_iter().map(|h| h.date))
                .collect();
            let weekdays = all
                .iter()
                .copied()
                .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
                .collect();
            HolidayTable { all, weekdays }
        })
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        if in_table(date) {
            return self.table().all.binary_search(&date).is_ok();
        }
        if self.removed.contains(&date) {
            return false;
        }
        self.added.contains_key(&date)
            || NATIONAL_HOLIDAYS
                .iter()
                .any(|h| h.date_in(date.year()) == Some(date))
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// The `n`-th business day after `start` (`start` itself for 0): a term of `n`
    /// business days counted from the day after `start` ends on this date.
    pub fn add_business_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            // The last date chrono knows ends the count (typed dates never get near it).
            let Some(next) = d.succ_opt() else { break };
            d = next;
            if self.is_business_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Business days `d` with `from < d <= to`; negative when `to` is before `from`.
    /// So `business_days_between(a, add_business_days(a, n)) == n`.
    ///
    /// Weekdays are computed, holidays inside the table found by binary search; outside
    /// it the rules are applied once per year of the range, never once per day, so that
    /// even a range of thousands of years costs milliseconds.
    pub fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.business_days_between(to, from);
        }
        let weekdays = weekdays_through(to) - weekdays_through(from);
        weekdays - self.weekday_holidays_between(from, to)
    }

    /// Holidays falling Monday to Friday in `(from, to]` (`from <= to`).
    fn weekday_holidays_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        // The table covers (day before epoch, table_end]; split the range around it.
        let (lo, hi) = (epoch().pred_opt().expect("valid date"), table_end());
        let mut n = 0;
        if from < lo {
            n += self.weekday_holidays_by_year(from, to.min(lo));
        }
        let (a, b) = (from.max(lo), to.min(hi));
        if a < b {
            let t = &self.table().weekdays;
            n += (t.partition_point(|d| *d <= b) - t.partition_point(|d| *d <= a)) as i64;
        }
        if to > hi {
            n += self.weekday_holidays_by_year(from.max(hi), to);
        }
        n
    }

    /// Holidays falling Monday to Friday in `(from, to]`, by the rules year by year.
    fn weekday_holidays_by_year(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        use std::ops::Bound::{Excluded, Included};
        if to <= from {
            return 0;
        }
        let in_range = |d: &NaiveDate| *d > from && *d <= to && is_weekday(*d);
        let mut n = self
            .added
            .range((Excluded(from), Included(to)))
            .filter(|(d, _)| is_weekday(**d))
            .count() as i64;
        let first_rule_year = NATIONAL_HOLIDAYS
            .iter()
            .map(|h| h.from_year)
            .min()
            .unwrap_or(i32::MAX);
        let mut days = Vec::with_capacity(NATIONAL_HOLIDAYS.len());
        for year in from.year().max(first_rule_year)..=to.year() {
            days.clear();
            days.extend(NATIONAL_HOLIDAYS.iter().filter_map(|h| h.date_in(year)));
            days.sort_unstable();
            days.dedup();
            n += days
                .iter()
                .filter(|d| in_range(d))
                .filter(|d| !self.removed.contains(d) && !self.added.contains_key(d))
                .count() as i64;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-day-at-a-time count the table replaces.
    fn slow_count(c: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .filter(|d| {
                let holiday = !c.removed.contains(d)
                    && (c.added.contains_key(d)
                        || NATIONAL_HOLIDAYS
                            .iter()
                            .any(|h| h.date_in(d.year()) == Some(*d)));
                !holiday
            })
            .count() as i64
    }

    #[test]
    fn the_table_counts_as_the_rules_do() {
        let c = Calendar::new([
            Override::Add {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                name: "Nochebuena".into(),
            },
            Override::Remove {
                date: NaiveDate::from_ymd_opt(2026, 1, 12).unwrap(),
            },
        ]);
        let start = NaiveDate::from_ymd_opt(2024, 11, 3).unwrap();
        for offset in (0..900).step_by(7) {
            let from = start + chrono::Duration::days(offset);
            for len in [0, 1, 4, 30, 200, 400] {
                let to = from + chrono::Duration::days(len);
                assert_eq!(
                    c.business_days_between(from, to),
                    slow_count(&c, from, to),
                    "{from} → {to}"
                );
            }
        }
        assert!(c.is_holiday(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
        assert!(!c.is_holiday(NaiveDate::from_ymd_opt(2026, 1, 12).unwrap()));
        // Outside the table the rules still answer.
        let old = NaiveDate::from_ymd_opt(2200, 12, 25).unwrap();
        assert!(c.is_holiday(old));
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn counts_outside_the_table_match_the_rules_across_its_edges() {
        let c = Calendar::new([
            Override::Add {
                date: date("1947-03-04"),
                name: "Día cívico antiguo".into(),
            },
            Override::Add {
                date: date("2152-06-06"),
                name: "Día cívico futuro".into(),
            },
            Override::Remove {
                date: date("2153-12-08"),
            },
        ]);
        for (from, to) in [
            ("1945-01-01", "1952-02-01"),
            ("1949-12-30", "1950-01-03"),
            ("2148-05-01", "2156-02-01"),
            ("2150-12-30", "2151-01-02"),
            ("2151-01-01", "2158-12-31"),
            ("1940-01-01", "1949-12-31"),
        ] {
            let (from, to) = (date(from), date(to));
            assert_eq!(
                c.business_days_between(from, to),
                slow_count(&c, from, to),
                "{from} → {to}"
            );
            assert_eq!(c.business_days_between(to, from), -slow_count(&c, from, to));
        }
    }

    #[test]
    fn a_range_of_millennia_is_computed_not_walked() {
        // An activity ending 9999-12-31 cost seconds per page when this walked the
        // days; the whole of chrono's range must stay cheap and must not panic.
        // Its speed is not asserted here: a wall-clock limit fails on a busy machine.
        let c = Calendar::default();
        let n = c.business_days_between(date("2025-01-01"), date("9999-12-31"));
        assert!(n > 0);
        let all = c.business_days_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(all > n);
        // The end of chrono's range ends a count instead of panicking.
        assert_eq!(c.add_business_days(NaiveDate::MAX, 5), NaiveDate::MAX);
        assert!(c.holidays(NaiveDate::MAX.year()).len() > 10);
        assert!(!c.is_holiday(NaiveDate::MIN));
    }

    #[test]
    fn easter_sundays_from_the_tables() {
        let known = [
            "2015-04-05",
            "2016-03-27",
            "2017-04-16",
            "2018-04-01",
            "2019-04-21",
            "2020-04-12",
            "2021-04-04",
            "2022-04-17",
            "2023-04-09",
            "2024-03-31",
            "2025-04-20",
            "2026-04-05",
            "2027-03-28",
            "2028-04-16",
            "2029-04-01",
            "2030-04-21",
            "2031-04-13",
            "2032-03-28",
            "2033-04-17",
            "2034-04-09",
            "2035-03-25",
        ];
        for (i, k) in known.iter().enumerate() {
            assert_eq!(easter(2015 + i as i32), date(k));
        }
    }

    #[test]
    fn the_2025_list_with_two_holidays_on_one_monday() {
        let c = Calendar::default();
        let list = c.holidays(2025);
        assert_eq!(list.len(), 17);
        let june30 = list.iter().find(|h| h.date == date("2025-06-30")).unwrap();
        assert_eq!(
            june30.name,
            "Sagrado Corazón de Jesús y San Pedro y San Pablo"
        );
        assert!(
            !list
                .iter()
                .any(|h| h.date.month() == 7 && h.date.day() < 20),
            "no 9 July before 2026"
        );
    }

    #[test]
    fn ley_2578_adds_9_july_moved_to_monday_from_2026() {
        let c = Calendar::default();
        assert!(c.is_holiday(date("2026-07-13")));
        assert!(c.is_holiday(date("2027-07-12")));
        assert!(c.is_holiday(date("2030-07-15")));
        assert!(!c.is_holiday(date("2025-07-14")));
    }

    #[test]
    fn overrides_add_and_remove_dates() {
        let c = Calendar::new([
            Override::Add {
                date: date("2025-09-15"),
                name: "Día cívico".into(),
            },
            Override::Remove {
                date: date("2025-12-08"),
            },
        ]);
        assert!(c.is_holiday(date("2025-09-15")));
        assert!(!c.is_business_day(date("2025-09-15")));
        assert!(!c.is_holiday(date("2025-12-08")));
        assert!(c.is_business_day(date("2025-12-08")));
        let list = c.holidays(2025);
        assert!(list.iter().any(|h| h.name == "Día cívico"));
        assert!(!list.iter().any(|h| h.date == date("2025-12-08")));
    }

    #[test]
    fn counts_across_easter_year_ends_and_monday_moves() {
        let c = Calendar::default();
        // Holy week 2025: Thursday 17 and Friday 18 April are off.
        assert_eq!(
            c.add_business_days(date("2025-04-16"), 1),
            date("2025-04-21")
        );
        // From Monday 14 to Monday 21 April: 15, 16 and 21.
        assert_eq!(
            c.business_days_between(date("2025-04-14"), date("2025-04-21")),
            3
        );
        // A petition received on Friday 19 December 2025 (15 business days): Christmas
        // and New Year are off, 6 January moves to Monday 12 January 2026.
        assert_eq!(
            c.add_business_days(date("2025-12-19"), 15),
            date("2026-01-14")
        );
        // San José 2026 (Thursday 19 March) is off on Monday 23 March.
        assert!(c.is_business_day(date("2026-03-19")));
        assert!(!c.is_business_day(date("2026-03-23")));
        assert_eq!(
            c.add_business_days(date("2026-03-20"), 1),
            date("2026-03-24")
        );
        // Zero days is the start; going back counts negative.
        assert_eq!(
            c.add_business_days(date("2025-04-18"), 0),
            date("2025-04-18")
        );
        assert_eq!(
            c.business_days_between(date("2026-01-14"), date("2025-12-19")),
            -15
        );
        // A whole year: 2025 has 365 days, 104 weekend days and 16 holidays on weekdays
        // (20 July is a Sunday and 30 June holds two).
        assert_eq!(
            c.business_days_between(date("2024-12-31"), date("2025-12-31")),
            245
        );
    }
}
