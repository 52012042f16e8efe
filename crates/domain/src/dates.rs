//! The dates a person can type — in a form, a query string, a file or the command line —
//! and the one range Participa accepts for them: the years [`FIRST_YEAR`] to
//! [`LAST_YEAR`]. A date outside it is a typing mistake (or an attack): nothing in a
//! participation plan happens in year 262142, and the calendar, the timelines and the
//! deadlines need not be ready for one. Every reader of a typed date calls
//! [`parse_field`] (ISO dates from forms and query strings) or [`check_range`] (dates
//! read some other way, such as the importer's `5-feb-25`), so the rule lives here once.
//!
//! It also holds the one way a date is written for people: [`fecha`] (`30 abr 2025`),
//! used by every page, message, report and export (a moment of the day is written by
//! `participa_app::dates::momento`, which knows Colombia's time zone).

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

/// The months as dates and charts abbreviate them (es-CO, lowercase, no dot).
pub const MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];

/// A date as people read it in Colombia: `30 abr 2025`, `5 feb 2025`.
pub fn fecha(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// The first year a typed date may have.
pub const FIRST_YEAR: i32 = 1900;
/// The last year a typed date may have.
pub const LAST_YEAR: i32 = 2200;

/// A date that is not in [`FIRST_YEAR`]..=[`LAST_YEAR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("la fecha {0} está fuera del rango que admite Participa: escriba una fecha entre los años {FIRST_YEAR} y {LAST_YEAR}")]
pub struct OutOfRange(pub NaiveDate);

/// Accepts `date` when its year is between [`FIRST_YEAR`] and [`LAST_YEAR`].
pub fn check_range(date: NaiveDate) -> Result<NaiveDate, OutOfRange> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(OutOfRange(date))
    }
}

/// Why a typed date was refused. `field` names it as a sentence would («la fecha de la
/// audiencia»), so that the message says which one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("escriba {field}")]
    Missing { field: &'static str },
    #[error("{field} no es una fecha válida («{text}»): escríbala como AAAA-MM-DD, por ejemplo 2025-02-05")]
    Unreadable { field: &'static str, text: String },
    #[error("{field} debe estar entre los años {FIRST_YEAR} y {LAST_YEAR} (se escribió «{text}»)")]
    OutOfRange { field: &'static str, text: String },
}

impl DateError {
    /// The field's name as given to [`parse_field`].
    pub fn field(&self) -> &'static str {
        match self {
            DateError::Missing { field }
            | DateError::Unreadable { field, .. }
            | DateError::OutOfRange { field, .. } => field,
        }
    }
}

/// Reads a date typed as `AAAA-MM-DD` (what `<input type="date">` sends) in the field
/// that `field` names, and checks it is in range.
pub fn parse_field(field: &'static str, text: &str) -> Result<NaiveDate, DateError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DateError::Missing { field });
    }
    // Keep what is echoed back short: the message quotes it.
    let quoted = || t.chars().take(40).collect::<String>();
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| DateError::Unreadable {
        field,
        text: quoted(),
    })?;
    check_range(date).map_err(|_| DateError::OutOfRange {
        field,
        text: quoted(),
    })
}

/// Like [`parse_field`], for an optional value (a query string): empty is `None`.
pub fn parse_optional(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<NaiveDate>, DateError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_field(field, t).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_colombia_reads_them() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(fecha(d(2025, 4, 30)), "30 abr 2025");
        assert_eq!(fecha(d(2025, 2, 5)), "5 feb 2025");
        assert_eq!(fecha(d(2026, 12, 31)), "31 dic 2026");
    }

    #[test]
    fn typed_dates_are_read_and_kept_in_range() {
        assert_eq!(
            parse_field("la fecha", " 2025-02-05 "),
            Ok(NaiveDate::from_ymd_opt(2025, 2, 5).unwrap())
        );
        assert!(parse_field("la fecha", "1900-01-01").is_ok());
        assert!(parse_field("la fecha", "2200-12-31").is_ok());
        for far in [
            "+262142-12-31",
            "1899-12-31",
            "2201-01-01",
            "-0001-01-01",
            "9999-12-31",
        ] {
            let e = parse_field("la fecha de la audiencia", far).unwrap_err();
            assert!(matches!(e, DateError::OutOfRange { .. }), "{far}: {e:?}");
            assert!(e
                .to_string()
                .starts_with("la fecha de la audiencia debe estar entre los años 1900 y 2200"));
        }
        assert_eq!(
            parse_field("la fecha del evento", ""),
            Err(DateError::Missing {
                field: "la fecha del evento"
            })
        );
        let e = parse_field("la fecha", "2025-02-30").unwrap_err();
        assert!(matches!(e, DateError::Unreadable { .. }));
        assert_eq!(e.field(), "la fecha");
        assert_eq!(parse_optional("la fecha", Some(" ")), Ok(None));
        assert_eq!(parse_optional("la fecha", None), Ok(None));
        assert!(parse_optional("la fecha", Some("x")).is_err());
        let long = "9".repeat(200);
        assert!(
            parse_field("la fecha", &long)
                .unwrap_err()
                .to_string()
                .len()
                < 200
        );
        assert!(check_range(NaiveDate::MAX).is_err());
        assert!(check_range(NaiveDate::MIN).is_err());
    }
}
