//! Dates as Colombia reads them: today's date, the date of a moment, and `5 feb 2025`.
//!
//! Colombia keeps UTC−5 all year (no daylight saving time), so one fixed offset is the
//! whole time zone; [`in_colombia`] is the only place that knows it.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// A moment in Colombian time (UTC−5 all year).
pub fn in_colombia(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let bogota = FixedOffset::west_opt(5 * 3600).expect("valid offset");
    at.with_timezone(&bogota)
}

/// The date of a moment in Colombia.
pub fn colombia_date(at: DateTime<Utc>) -> NaiveDate {
    in_colombia(at).date_naive()
}

/// Today's date in Colombia.
pub fn today() -> NaiveDate {
    colombia_date(Utc::now())
}

/// The months as dates and charts abbreviate them.
pub const MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];

/// `5 feb 2025`.
pub fn fecha(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_evening_in_bogota_is_still_the_day_before_in_utc_terms() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T01:46:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            colombia_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        );
        assert_eq!(in_colombia(at).format("%H:%M").to_string(), "20:46");
        assert_eq!(fecha(colombia_date(at)), "26 nov 2026");
    }
}
