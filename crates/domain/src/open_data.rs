//! Open data as datos.gov.co expects it: the licence every public file carries, the
//! data dictionary that describes each file's columns, and small-cell suppression of the
//! participation aggregates (a count under [`MIN_PUBLIC_GROUP`] could point at someone,
//! Ley 1581 de 2012, so it is published empty in a file and «<5» on a page).

use crate::participation::MIN_PUBLIC_GROUP;

/// The licence of the open data unless the entity sets another: Creative Commons
/// Atribución-CompartirIgual 4.0 Internacional, the one datos.gov.co's terms of use name
/// for the data published there.
pub const DEFAULT_LICENCE_URL: &str = "https://creativecommons.org/licenses/by-sa/4.0/";
/// Its name as a citizen reads it.
pub const DEFAULT_LICENCE_NAME: &str =
    "Creative Commons Atribución-CompartirIgual 4.0 Internacional (CC BY-SA 4.0)";

/// A count as an open-data file publishes it: the number when it is 0 or at least
/// [`MIN_PUBLIC_GROUP`], nothing (an empty cell) when it is smaller.
pub fn suppressed_cell(n: u64) -> String {
    if is_suppressed(n) {
        String::new()
    } else {
        n.to_string()
    }
}

/// A count as a page shows it: «<5» when it is suppressed.
pub fn suppressed_text(n: u64) -> String {
    if is_suppressed(n) {
        format!("<{MIN_PUBLIC_GROUP}")
    } else {
        n.to_string()
    }
}

/// Whether a count is too small to publish (1 to 4; zero points at nobody).
pub fn is_suppressed(n: u64) -> bool {
    n > 0 && n < MIN_PUBLIC_GROUP as u64
}

/// The type of a column in a data dictionary, as the dictionary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text.
    Text,
    /// A whole number (never negative in these files).
    Integer,
    /// A number with decimals (a point in the standard CSV, a comma in the Excel one).
    Decimal,
    /// An ISO date `AAAA-MM-DD`.
    Date,
}

impl ColumnKind {
    /// The type's name in the dictionary (Spanish, as datos.gov.co lists them).
    pub fn label(self) -> &'static str {
        match self {
            ColumnKind::Text => "texto",
            ColumnKind::Integer => "número entero",
            ColumnKind::Decimal => "número decimal",
            ColumnKind::Date => "fecha (AAAA-MM-DD)",
        }
    }

    /// Whether the column holds numbers (their decimal separator changes per variant).
    pub fn is_number(self) -> bool {
        matches!(self, ColumnKind::Integer | ColumnKind::Decimal)
    }
}

/// One column of a public file, for its data dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    pub description: &'static str,
}

/// A number written for Excel in Spanish (Colombia): the decimal point becomes a comma.
/// Anything that is not a plain number (empty, text) is left as it is.
pub fn decimal_comma(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().filter(|c| *c == '.').count() <= 1
        && value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))
        && value.chars().any(|c| c.is_ascii_digit());
    if plain {
        value.replace('.', ",")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_in_files_and_pages() {
        assert_eq!(suppressed_cell(0), "0");
        for n in 1..5 {
            assert_eq!(suppressed_cell(n), "", "{n}");
            assert_eq!(suppressed_text(n), "<5", "{n}");
        }
        assert_eq!(suppressed_cell(5), "5");
        assert_eq!(suppressed_text(5), "5");
        assert_eq!(suppressed_text(0), "0");
        assert_eq!(suppressed_cell(1_000_000), "1000000");
    }

    #[test]
    fn the_threshold_is_the_public_group_of_the_participation_rules() {
        assert!(is_suppressed(MIN_PUBLIC_GROUP as u64 - 1));
        assert!(!is_suppressed(MIN_PUBLIC_GROUP as u64));
        assert!(!is_suppressed(0));
    }

    #[test]
    fn numbers_get_a_decimal_comma_and_text_is_untouched() {
        assert_eq!(decimal_comma("12.5"), "12,5");
        assert_eq!(decimal_comma("-0.25"), "-0,25");
        assert_eq!(decimal_comma("40"), "40");
        assert_eq!(decimal_comma(""), "");
        assert_eq!(decimal_comma("1.2.3"), "1.2.3");
        assert_eq!(decimal_comma("v1.0"), "v1.0");
        assert_eq!(decimal_comma("."), ".");
        assert_eq!(decimal_comma("2025-04-30"), "2025-04-30");
    }

    #[test]
    fn kinds_name_themselves_for_the_dictionary() {
        assert_eq!(ColumnKind::Date.label(), "fecha (AAAA-MM-DD)");
        assert!(ColumnKind::Decimal.is_number());
        assert!(!ColumnKind::Text.is_number());
    }
}
