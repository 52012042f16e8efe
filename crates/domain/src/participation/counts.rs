//! Counts a person types — attendees of an event, people who answered its satisfaction
//! question, a channel's monthly figure — kept within sane bounds, and totals added
//! without overflowing. `9223372036854775807` attendees was once accepted; the next
//! event added to it wrapped the activity's total around.

use thiserror::Error;

/// The most people one event (or one figure of a period) may count: more than any
/// venue or stream of an entity, far from what a 64-bit total can hold.
pub const MAX_PEOPLE: i64 = 10_000_000;

/// The largest figure a file or a form may carry: a service channel's monthly figure
/// (interactions, visits, followers), an indicator's figure of a period or its target.
pub const MAX_FIGURE: f64 = 1_000_000_000.0;

/// Why a typed count was refused; `field` names it as a sentence would («cuántas
/// personas asistieron»).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CountError {
    #[error("escriba {field}")]
    Missing { field: &'static str },
    #[error("{field}: escriba un número entero entre {min} y {} (se escribió «{text}»)", thousands(*max))]
    OutOfRange {
        field: &'static str,
        text: String,
        min: i64,
        max: i64,
    },
}

/// `10000000` as people read it: `10 000 000` (see [`crate::numbers::grouped`]).
pub fn thousands(n: i64) -> String {
    crate::numbers::grouped_signed(n)
}

/// Reads a whole number of people between `min` and [`MAX_PEOPLE`]; `.` and spaces as
/// thousands separators are accepted (`1.200`).
pub fn parse_people(field: &'static str, text: &str, min: i64) -> Result<i64, CountError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(CountError::Missing { field });
    }
    let out_of_range = || CountError::OutOfRange {
        field,
        text: t.chars().take(30).collect(),
        min,
        max: MAX_PEOPLE,
    };
    let compact: String = t.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if compact.is_empty() || !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(out_of_range());
    }
    match compact.parse::<i64>() {
        Ok(n) if (min..=MAX_PEOPLE).contains(&n) => Ok(n),
        _ => Err(out_of_range()),
    }
}

/// Adds counts without overflowing: a total past `i64::MAX` stays there.
pub fn total(counts: impl IntoIterator<Item = i64>) -> i64 {
    counts.into_iter().fold(0i64, i64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_counts_are_bounded() {
        let f = "cuántas personas asistieron";
        assert_eq!(parse_people(f, " 40 ", 0), Ok(40));
        assert_eq!(parse_people(f, "1.200", 0), Ok(1200));
        assert_eq!(parse_people(f, "0", 0), Ok(0));
        assert_eq!(parse_people(f, "10000000", 0), Ok(MAX_PEOPLE));
        for bad in [
            "9223372036854775807",
            "10000001",
            "-1",
            "1e6",
            "diez",
            "99999999999999999999999",
        ] {
            let e = parse_people(f, bad, 0).unwrap_err();
            assert!(
                e.to_string().starts_with(
                    "cuántas personas asistieron: escriba un número entero entre 0 y 10\u{a0}000\u{a0}000"
                ),
                "{bad}: {e}"
            );
        }
        assert!(parse_people(f, "0", 1).is_err());
        assert_eq!(
            parse_people(f, "", 0),
            Err(CountError::Missing { field: f })
        );
        assert_eq!(thousands(1_000_000_000), "1\u{a0}000\u{a0}000\u{a0}000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1234), "-1\u{a0}234");
        assert_eq!(thousands(0), "0");
    }

    #[test]
    fn totals_saturate_instead_of_wrapping() {
        assert_eq!(total([1, 2, 3]), 6);
        assert_eq!(total([i64::MAX, 1]), i64::MAX);
        assert_eq!(total(Vec::new()), 0);
    }
}
