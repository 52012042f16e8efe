//! Dates as Colombian office documents write them: `5-feb-25` above all, also
//! `05/02/2025`, `2025-02-05` and `5 de febrero de 2025`.

use chrono::{Datelike, NaiveDate};

const MONTHS: [(&str, u32); 30] = [
    ("ene", 1),
    ("enero", 1),
    ("jan", 1),
    ("feb", 2),
    ("febrero", 2),
    ("mar", 3),
    ("marzo", 3),
    ("abr", 4),
    ("abril", 4),
    ("apr", 4),
    ("may", 5),
    ("mayo", 5),
    ("jun", 6),
    ("junio", 6),
    ("jul", 7),
    ("julio", 7),
    ("ago", 8),
    ("agosto", 8),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("set", 9),
    ("septiembre", 9),
    ("oct", 10),
    ("octubre", 10),
    ("nov", 11),
    ("noviembre", 11),
    ("dic", 12),
    ("diciembre", 12),
    ("dec", 12),
];

const SHORT: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];

/// Why a date could not be read; the message says what was expected.
pub fn expected_format() -> &'static str {
    "se esperaba una fecha como 5-feb-25 (día-mes-año, con el mes ene, feb, mar, abr, may, jun, jul, ago, sep, oct, nov o dic), 05/02/2025 o 2025-02-05"
}

fn month_number(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == name).map(|(_, n)| *n)
}

fn year_of(text: &str) -> Option<i32> {
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match text.len() {
        2 => text.parse::<i32>().ok().map(|y| 2000 + y),
        4 => text.parse().ok(),
        _ => None,
    }
}

fn build(y: i32, m: u32, d: u32, original: &str) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        format!("«{original}» no es una fecha del calendario (día {d} del mes {m} de {y})")
    })
}

/// Reads a date written by a person or by office software, in the years Participa
/// accepts ([`participa_domain::dates::check_range`]).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    read_date(text).and_then(in_range)
}

/// A date read from a file, refused when outside the years Participa accepts.
pub fn in_range(date: NaiveDate) -> Result<NaiveDate, String> {
    participa_domain::dates::check_range(date).map_err(|e| e.to_string())
}

/// A date as the entity's document writes it (ISO, "5 de febrero de 2025", "5-feb-25"…),
/// without the range check of [`parse_date`].
pub fn read_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("falta la fecha; {}", expected_format()));
    }
    // ISO 8601.
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    // "5 de febrero de 2025".
    let lower = t.to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| *w != "de" && *w != "del")
        .collect();
    let parts: Vec<&str> = if words.len() == 3 {
        words
    } else {
        t.split(['-', '/', '.', ' '])
            .filter(|p| !p.is_empty())
            .collect()
    };
    if parts.len() != 3 {
        return Err(format!("«{t}» no es una fecha; {}", expected_format()));
    }
    let day: u32 = parts[0].parse().map_err(|_| {
        format!(
            "«{t}»: el día «{}» no es un número; {}",
            parts[0],
            expected_format()
        )
    })?;
    let month = if parts[1].chars().all(|c| c.is_ascii_digit()) {
        parts[1].parse::<u32>().ok()
    } else {
        match month_number(parts[1]) {
            Some(m) => Some(m),
            None => {
                return Err(format!(
                    "mes desconocido «{}» en «{t}»; {}",
                    parts[1],
                    expected_format()
                ))
            }
        }
    };
    let Some(month) = month else {
        return Err(format!("«{t}» no es una fecha; {}", expected_format()));
    };
    let year = year_of(parts[2]).ok_or_else(|| {
        format!(
            "«{t}»: el año «{}» debe tener 2 o 4 cifras; {}",
            parts[2],
            expected_format()
        )
    })?;
    build(year, month, day, t)
}

/// Writes a date as the seed document does: `5-feb-25` (four-digit year outside 2000–2099,
/// where two digits would be read back wrong).
pub fn format_short(date: NaiveDate) -> String {
    let month = SHORT[date.month0() as usize];
    if (2000..=2099).contains(&date.year()) {
        format!("{}-{month}-{:02}", date.day(), date.year() - 2000)
    } else {
        format!("{}-{month}-{}", date.day(), date.year())
    }
}

/// A spreadsheet serial day number (days since 1899-12-30) as a date.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reads_the_seed_dates_in_any_case() {
        assert_eq!(parse_date("5-feb-25").unwrap(), d(2025, 2, 5));
        assert_eq!(parse_date("14-MAR-25").unwrap(), d(2025, 3, 14));
        assert_eq!(parse_date("11-Dic-25").unwrap(), d(2025, 12, 11));
        assert_eq!(parse_date("1-sept-25").unwrap(), d(2025, 9, 1));
        assert_eq!(parse_date("1-sep-2025").unwrap(), d(2025, 9, 1));
        assert_eq!(parse_date("30-ago-25").unwrap(), d(2025, 8, 30));
    }

    #[test]
    fn reads_other_common_forms() {
        assert_eq!(parse_date("2023-11-27").unwrap(), d(2023, 11, 27));
        assert_eq!(parse_date("05/02/2025").unwrap(), d(2025, 2, 5));
        assert_eq!(parse_date("5 de febrero de 2025").unwrap(), d(2025, 2, 5));
    }

    #[test]
    fn explains_what_is_wrong() {
        let e = parse_date("5-fbr-25").unwrap_err();
        assert!(e.contains("mes desconocido «fbr»"), "{e}");
        assert!(e.contains("ene, feb"), "{e}");
        assert!(parse_date("31-feb-25")
            .unwrap_err()
            .contains("no es una fecha del calendario"));
        assert!(parse_date("").unwrap_err().contains("falta la fecha"));
        assert!(parse_date("mañana").is_err());
        assert!(parse_date("5-feb-205")
            .unwrap_err()
            .contains("2 o 4 cifras"));
    }

    #[test]
    fn writes_the_seed_form_and_reads_it_back() {
        for date in [
            d(2025, 2, 5),
            d(2025, 12, 11),
            d(2030, 9, 30),
            d(2001, 1, 1),
        ] {
            assert_eq!(parse_date(&format_short(date)).unwrap(), date);
        }
        assert_eq!(format_short(d(2025, 2, 5)), "5-feb-25");
        assert_eq!(format_short(d(2105, 2, 5)), "5-feb-2105");
        assert_eq!(parse_date("5-feb-2105").unwrap(), d(2105, 2, 5));
        // Typed dates stay in the years Participa accepts.
        for far in ["+262142-12-31", "9999-12-31", "1-ene-1899", "31/12/2201"] {
            let e = parse_date(far).unwrap_err();
            assert!(e.contains("entre los años 1900 y 2200"), "{far}: {e}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(45693.0), Some(d(2025, 2, 5)));
        assert_eq!(from_excel_serial(-1.0), None);
    }
}
