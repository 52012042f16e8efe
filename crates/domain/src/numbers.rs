//! Numbers as people read them on a page or in a message.

/// A whole number with its thousands set apart by a no-break space, as the SI and
/// Colombia's NTC 1000 write them: `2 345`, `150 000`, `10 000 000`. The one place
/// where Participa groups digits, so every page and message shows them alike.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(d);
    }
    out
}

/// Like [`grouped`], for a number that may be negative.
pub fn grouped_signed(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", grouped(n.unsigned_abs()))
}

/// A count with its noun in the right number, as Spanish says it: `1 actividad`,
/// `2 actividades`, `0 actividades`, `1\u{a0}500 respuestas` (digits [`grouped`]). The
/// one place pages and messages pluralise, so none writes «actividad(es)».
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_their_noun_in_singular_or_plural() {
        assert_eq!(count(1, "actividad", "actividades"), "1 actividad");
        assert_eq!(count(2, "actividad", "actividades"), "2 actividades");
        assert_eq!(count(0, "hallazgo", "hallazgos"), "0 hallazgos");
        assert_eq!(
            count(1500, "respuesta", "respuestas"),
            "1\u{a0}500 respuestas"
        );
    }

    #[test]
    fn thousands_are_set_apart_with_a_no_break_space() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1\u{a0}000");
        assert_eq!(grouped(10_000_000), "10\u{a0}000\u{a0}000");
        assert_eq!(grouped_signed(-1234), "-1\u{a0}234");
        assert_eq!(
            grouped_signed(i64::MIN),
            "-9\u{a0}223\u{a0}372\u{a0}036\u{a0}854\u{a0}775\u{a0}808"
        );
    }
}
