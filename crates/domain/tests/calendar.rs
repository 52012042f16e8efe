//! The calendar against a list of 2015–2035 holidays built independently of this code
//! (tests/data/festivos-2015-2035.txt says how), and its properties.

use chrono::{Datelike, NaiveDate};
use participa_domain::Calendar;
use proptest::prelude::*;
use std::collections::BTreeSet;

const LIST: &str = include_str!("data/festivos-2015-2035.txt");

fn expected() -> BTreeSet<NaiveDate> {
    LIST.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| NaiveDate::parse_from_str(l.trim(), "%Y-%m-%d").unwrap())
        .collect()
}

#[test]
fn every_holiday_2015_to_2035_matches_the_independent_list() {
    let want = expected();
    let c = Calendar::default();
    let got: BTreeSet<NaiveDate> = (2015..=2035)
        .flat_map(|y| c.holidays(y).into_iter().map(|h| h.date))
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(got.len(), 385);
    // is_holiday agrees with the list on every day of the 21 years.
    let start = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
    for d in start.iter_days().take_while(|d| d.year() <= 2035) {
        assert_eq!(c.is_holiday(d), want.contains(&d), "{d}");
    }
}

#[test]
fn moved_holidays_fall_on_mondays_and_easter_ones_keep_their_weekday() {
    let c = Calendar::default();
    for y in 2015..=2035 {
        for h in c.holidays(y) {
            let wd = h.date.weekday();
            if h.name.starts_with("Jueves Santo") {
                assert_eq!(wd, chrono::Weekday::Thu, "{h:?}");
            } else if h.name.starts_with("Viernes Santo") {
                assert_eq!(wd, chrono::Weekday::Fri, "{h:?}");
            } else if [
                "Ascensión",
                "Corpus",
                "Sagrado",
                "San José",
                "Reyes",
                "Raza",
                "Todos",
                "Cartagena",
                "Asunción",
                "San Pedro",
                "Chiquinquirá",
            ]
            .iter()
            .any(|n| h.name.contains(n))
            {
                assert_eq!(wd, chrono::Weekday::Mon, "{h:?}");
            }
        }
    }
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(21 * 366))
        .prop_map(|n| NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Duration::days(n))
}

proptest! {
    #[test]
    fn adding_n_business_days_lands_on_a_business_day_and_n_plus_1_after_it(start in any_date(), n in 1u32..400) {
        let c = Calendar::default();
        let end = c.add_business_days(start, n);
        prop_assert!(c.is_business_day(end));
        prop_assert!(end > start);
        prop_assert!(c.add_business_days(start, n + 1) > end);
        prop_assert_eq!(c.business_days_between(start, end), i64::from(n));
    }
}
