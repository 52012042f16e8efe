//! When an activity happens, as plans write it in one cell: a date (`15 de abril de
//! 2026`, `01/02/2026`, `5-feb-25`), a range of days (`22 al 28 de abril de 2026`,
//! `19 y 20 de abril de 2026`, `5 de marzo al 30 de abril de 2026`), a month (`abril de
//! 2026`), a range of months (`febrero a noviembre de 2026`), a semester or quarter
//! (`primer semestre de 2026`), a year (`2026`), or the whole vigencia (`durante la
//! vigencia`, `permanente`). Each is read as a first and a last day.
//!
//! A part without its year takes the plan's (`15 de abril`, `abril`); numeric dates are
//! day/month/year, as Colombia writes them. Anything else is an error that says what was
//! read and what was expected.

use crate::labels::normalize;
use crate::spanish_date::{in_range, read_date};
use chrono::{Datelike, NaiveDate};

/// The first and last day an activity's cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// What the message of a refused cell says was expected.
pub fn expected_span() -> &'static str {
    "se esperaba una fecha (15 de abril de 2026, 15/04/2026, 15-abr-26), un rango (22 al 28 de abril de 2026, 19 y 20 de abril de 2026), un mes (abril de 2026), un semestre (primer semestre de 2026) o «durante la vigencia»"
}

const MONTHS: [(&str, u32); 12] = [
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w == "setiembre" || w == "sept" || w == "set" {
        return Some(9);
    }
    MONTHS
        .iter()
        .find(|(name, _)| *name == w || (w.len() == 3 && name.starts_with(w)))
        .map(|(_, n)| *n)
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

fn whole_year(year: i32) -> Option<DateSpan> {
    Some(DateSpan {
        start: NaiveDate::from_ymd_opt(year, 1, 1)?,
        end: NaiveDate::from_ymd_opt(year, 12, 31)?,
    })
}

fn year_word(w: &str) -> Option<i32> {
    (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

/// The words of a cell, folded, without the joining words that carry no date.
fn words(text: &str) -> Vec<String> {
    normalize(text)
        .replace([',', '(', ')'], " ")
        .split_whitespace()
        .filter(|w| !matches!(*w, "de" | "del" | "el" | "la" | "los" | "las" | "mes"))
        .map(str::to_string)
        .collect()
}

/// One side of a range, perhaps missing its month or year: (day, month, year).
#[derive(Debug, Clone, Copy, Default)]
struct Partial {
    day: Option<u32>,
    month: Option<u32>,
    year: Option<i32>,
}

/// `22`, `22 abril`, `22 abril 2026`, `abril`, `abril 2026`, `22/04/2026`, `22-abr-26`.
fn partial(words: &[String]) -> Option<Partial> {
    if words.len() == 1 {
        let w = &words[0];
        if w.contains(['/', '-']) || w.contains('.') && w.chars().any(|c| c.is_ascii_digit()) {
            let d = read_date(w).ok()?;
            return Some(Partial {
                day: Some(d.day()),
                month: Some(d.month()),
                year: Some(d.year()),
            });
        }
    }
    let mut p = Partial::default();
    for w in words {
        if let Some(m) = month_of(w) {
            if p.month.replace(m).is_some() {
                return None;
            }
        } else if let Some(y) = year_word(w) {
            if p.year.replace(y).is_some() {
                return None;
            }
        } else if w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit()) && p.month.is_none() {
            if p.day.replace(w.parse().ok()?).is_some() {
                return None;
            }
        } else {
            return None;
        }
    }
    (p.day.is_some() || p.month.is_some() || p.year.is_some()).then_some(p)
}

fn ordinal(w: &str) -> Option<u32> {
    Some(match w {
        "primer" | "primero" | "1er" | "1" | "i" => 1,
        "segundo" | "2do" | "2" | "ii" => 2,
        "tercer" | "tercero" | "3er" | "3" | "iii" => 3,
        "cuarto" | "4to" | "4" | "iv" => 4,
        _ => return None,
    })
}

/// Reads a cell as a span of days. `plan_year` is the year of a part written without
/// it; None when the plan's year is not known (such a part is then an error).
pub fn parse_span(text: &str, plan_year: Option<i32>) -> Result<DateSpan, String> {
    let original = text.trim();
    if original.is_empty() {
        return Err(format!("falta la fecha; {}", expected_span()));
    }
    let no_year = || {
        format!("«{original}» no dice el año y no se sabe el del plan; escriba el año (por ejemplo «… de 2026») o añada la fila «Vigencia»")
    };
    let span = read_span(original, plan_year).ok_or_else(|| {
        format!(
            "«{original}» no se reconoce como fecha ni como periodo; {}",
            expected_span()
        )
    })?;
    let span = span.map_err(|p| match p {
        Problem::NoYear => no_year(),
        Problem::NoSuchDay => format!("«{original}» nombra un día que el mes no tiene"),
    })?;
    if span.end < span.start {
        return Err(format!(
            "«{original}» termina antes de empezar ({} y {}); revise el orden de las fechas",
            span.start.format("%d/%m/%Y"),
            span.end.format("%d/%m/%Y")
        ));
    }
    in_range(span.start)?;
    in_range(span.end)?;
    Ok(span)
}

/// Why a text that looks like a date or period is not one.
enum Problem {
    /// A part needs the plan's year, which is not known.
    NoYear,
    /// `31 de abril`.
    NoSuchDay,
}

/// None when the text is not a date or period at all.
fn read_span(original: &str, plan_year: Option<i32>) -> Option<Result<DateSpan, Problem>> {
    // A whole date as office software writes it: the single-date reader knows them all.
    if let Ok(d) = read_date(original) {
        return Some(Ok(DateSpan { start: d, end: d }));
    }
    let w = words(original);
    let joined = w.join(" ");
    let year_or = |y: Option<i32>| y.or(plan_year).ok_or(Problem::NoYear);

    // The whole vigencia, or a year.
    let whole = [
        "durante vigencia",
        "toda vigencia",
        "vigencia",
        "permanente",
        "todo ano",
        "anual",
        "continuo",
        "continua",
    ];
    let trailing_year = w.last().and_then(|l| year_word(l));
    let without_year = if trailing_year.is_some() {
        w[..w.len() - 1].join(" ")
    } else {
        joined.clone()
    };
    if whole.contains(&without_year.as_str()) || (w.len() == 1 && trailing_year.is_some()) {
        return Some(year_or(trailing_year).map(|y| whole_year(y).expect("a valid year")));
    }

    // A semester or a quarter.
    if w.len() >= 2 && (w[1] == "semestre" || w[1] == "trimestre") && w.len() <= 3 {
        let n = ordinal(&w[0])?;
        let months = if w[1] == "semestre" { 6 } else { 3 };
        if n * months > 12 {
            return None;
        }
        if w.len() == 3 && trailing_year.is_none() {
            return None;
        }
        return Some(year_or(trailing_year).map(|y| {
            let first = (n - 1) * months + 1;
            DateSpan {
                start: NaiveDate::from_ymd_opt(y, first, 1).expect("a month's first day"),
                end: last_day(y, first + months - 1).expect("a month's last day"),
            }
        }));
    }

    // A range: `22 al 28 abril 2026`, `5 marzo a 30 abril 2026`, `19 y 20 abril 2026`,
    // `desde … hasta …`, `5, 6 y 7 mayo`.
    let mut w = w;
    if w.first().is_some_and(|f| f == "desde") {
        w.remove(0);
    }
    let separators = ["al", "a", "hasta", "-", "y", "e"];
    if let Some(cut) = w.iter().position(|x| separators.contains(&x.as_str())) {
        let (left, right) = (&w[..cut], &w[cut + 1..]);
        let right = partial(right)?;
        // `5, 6 y 7 mayo`: days before the list's last are single days.
        let left = if left.len() > 1
            && left
                .iter()
                .all(|x| x.len() <= 2 && x.chars().all(|c| c.is_ascii_digit()))
        {
            partial(&left[..1])?
        } else {
            partial(left)?
        };
        return Some(range(left, right, plan_year));
    }
    // A single day or month written in words: `15 abril 2026`, `abril`, `15 abril`.
    let p = partial(&w)?;
    Some(range(p, p, plan_year))
}

/// The first day of `left` to the last day of `right`; a part missing month or year
/// takes the other's, then the plan's year.
fn range(left: Partial, right: Partial, plan_year: Option<i32>) -> Result<DateSpan, Problem> {
    let year_right = right
        .year
        .or(left.year)
        .or(plan_year)
        .ok_or(Problem::NoYear)?;
    let month_right = right.month.or(left.month);
    let year_left = left.year.unwrap_or(year_right);
    let month_left = left.month.or(right.month);
    let start = match (left.day, month_left) {
        (Some(d), Some(m)) => NaiveDate::from_ymd_opt(year_left, m, d),
        (None, Some(m)) => NaiveDate::from_ymd_opt(year_left, m, 1),
        (_, None) => NaiveDate::from_ymd_opt(year_left, 1, 1),
    };
    let end = match (right.day, month_right) {
        (Some(d), Some(m)) => NaiveDate::from_ymd_opt(year_right, m, d),
        (None, Some(m)) => last_day(year_right, m),
        (_, None) => NaiveDate::from_ymd_opt(year_right, 12, 31),
    };
    match (start, end) {
        (Some(start), Some(end)) => Ok(DateSpan { start, end }),
        _ => Err(Problem::NoSuchDay),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn span(text: &str) -> (NaiveDate, NaiveDate) {
        let s = parse_span(text, Some(2026)).unwrap_or_else(|e| panic!("{text}: {e}"));
        (s.start, s.end)
    }

    #[test]
    fn single_dates_in_numbers_and_words() {
        assert_eq!(
            span("15 de abril de 2026"),
            (d(2026, 4, 15), d(2026, 4, 15))
        );
        assert_eq!(span("15 abril de 2026"), (d(2026, 4, 15), d(2026, 4, 15)));
        assert_eq!(span("15 Abril 2026"), (d(2026, 4, 15), d(2026, 4, 15)));
        assert_eq!(span("01/02/2026"), (d(2026, 2, 1), d(2026, 2, 1)));
        assert_eq!(span("5-feb-26"), (d(2026, 2, 5), d(2026, 2, 5)));
        assert_eq!(span("2026-03-09"), (d(2026, 3, 9), d(2026, 3, 9)));
        assert_eq!(span("15 de abril"), (d(2026, 4, 15), d(2026, 4, 15)));
    }

    #[test]
    fn ranges_of_days_and_months() {
        assert_eq!(
            span("22 al 28 de abril de 2026"),
            (d(2026, 4, 22), d(2026, 4, 28))
        );
        assert_eq!(
            span("19 y 20 de abril de 2026"),
            (d(2026, 4, 19), d(2026, 4, 20))
        );
        assert_eq!(span("5, 6 y 7 de mayo"), (d(2026, 5, 5), d(2026, 5, 7)));
        assert_eq!(
            span("5 de marzo al 30 de abril de 2026"),
            (d(2026, 3, 5), d(2026, 4, 30))
        );
        assert_eq!(
            span("Desde el 2 de febrero hasta el 30 de noviembre de 2026"),
            (d(2026, 2, 2), d(2026, 11, 30))
        );
        assert_eq!(
            span("febrero a noviembre de 2026"),
            (d(2026, 2, 1), d(2026, 11, 30))
        );
        assert_eq!(
            span("01/02/2026 - 15/03/2026"),
            (d(2026, 2, 1), d(2026, 3, 15))
        );
        assert_eq!(
            span("15 de diciembre de 2025 al 15 de enero de 2026"),
            (d(2025, 12, 15), d(2026, 1, 15))
        );
    }

    #[test]
    fn months_semesters_years_and_the_vigencia() {
        assert_eq!(span("abril de 2026"), (d(2026, 4, 1), d(2026, 4, 30)));
        assert_eq!(span("Febrero"), (d(2026, 2, 1), d(2026, 2, 28)));
        assert_eq!(
            span("primer semestre de 2026"),
            (d(2026, 1, 1), d(2026, 6, 30))
        );
        assert_eq!(span("Segundo semestre"), (d(2026, 7, 1), d(2026, 12, 31)));
        assert_eq!(span("cuarto trimestre"), (d(2026, 10, 1), d(2026, 12, 31)));
        assert_eq!(span("2026"), (d(2026, 1, 1), d(2026, 12, 31)));
        assert_eq!(
            span("Durante la vigencia"),
            (d(2026, 1, 1), d(2026, 12, 31))
        );
        assert_eq!(span("Permanente"), (d(2026, 1, 1), d(2026, 12, 31)));
        assert_eq!(span("vigencia 2027"), (d(2027, 1, 1), d(2027, 12, 31)));
    }

    #[test]
    fn what_cannot_be_read_says_what_was_read() {
        let e = parse_span("cuando se pueda", Some(2026)).unwrap_err();
        assert!(e.contains("«cuando se pueda» no se reconoce"), "{e}");
        assert!(e.contains("durante la vigencia"), "{e}");
        let e = parse_span("28 al 22 de abril de 2026", Some(2026)).unwrap_err();
        assert!(e.contains("termina antes de empezar"), "{e}");
        let e = parse_span("abril", None).unwrap_err();
        assert!(e.contains("no dice el año"), "{e}");
        let e = parse_span("31 de abril de 2026", Some(2026)).unwrap_err();
        assert!(e.contains("un día que el mes no tiene"), "{e}");
        assert!(parse_span("quinto semestre", Some(2026)).is_err());
        assert!(parse_span("", Some(2026))
            .unwrap_err()
            .contains("falta la fecha"));
        // Month/day/year is not how Colombia writes dates: 02/15 has no month 15.
        assert!(parse_span("02/15/2026", Some(2026)).is_err());
    }
}
