//! Dates as Colombia reads them: today's date, the date of a moment, `30 abr 2025` for a
//! date ([`fecha`], from the domain) and `30 abr 2025, 17:47` for a moment ([`momento`],
//! in Colombian time). Every page, message, report and export writes them through these
//! two functions, so they read alike everywhere.
//!
//! Colombia keeps UTC−5 all year (no daylight saving time), so one fixed offset is the
//! whole time zone; `bogota` is the only place that knows it.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

fn bogota() -> FixedOffset {
    FixedOffset::west_opt(5 * 3600).expect("valid offset")
}

/// A moment in Colombian time (UTC−5 all year).
pub fn in_colombia(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&bogota())
}

/// `hour` o'clock (0–23; a later hour is midnight) on `day` in Colombia, as a moment.
pub fn colombia_hour(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0)
        .unwrap_or_default()
        .and_local_timezone(bogota())
        .single()
        .expect("a fixed offset maps every local time once")
        .to_utc()
}

/// The date of a moment in Colombia.
pub fn colombia_date(at: DateTime<Utc>) -> NaiveDate {
    in_colombia(at).date_naive()
}

/// Today's date in Colombia.
pub fn today() -> NaiveDate {
    colombia_date(Utc::now())
}

pub use participa_domain::dates::{fecha, MONTHS};

/// A moment as people read it in Colombia, in Colombian time: `30 abr 2025, 17:47`.
pub fn momento(at: DateTime<Utc>) -> String {
    let local = in_colombia(at);
    format!("{}, {}", fecha(local.date_naive()), local.format("%H:%M"))
}

/// The date of a moment in Colombia, written as [`fecha`] writes it: `30 abr 2025`.
pub fn fecha_de(at: DateTime<Utc>) -> String {
    fecha(colombia_date(at))
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
        assert_eq!(fecha_de(at), "26 nov 2026");
        assert_eq!(momento(at), "26 nov 2026, 20:46");
        let afternoon = DateTime::parse_from_rfc3339("2025-04-30T22:47:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(momento(afternoon), "30 abr 2025, 17:47");
        assert_eq!(
            colombia_hour(NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(), 17),
            DateTime::parse_from_rfc3339("2025-04-30T22:00:00Z").unwrap()
        );
    }
}
