//! Text cells that a spreadsheet program would run as formulas when it opens a CSV or TSV
//! file (CSV injection: `=HYPERLINK(…)`, `@SUM(…)`, `+…`, `-…`, and the same after a
//! tab or a line end, which some programs drop first).
//!
//! [`neutralise`] prefixes such a cell with a single quote, as OWASP recommends: the
//! program then shows the text instead of running it. It also prefixes a cell that already
//! starts with a quote, so that [`restore`] can take exactly one quote off every cell that
//! starts with a quote followed by a trigger or by a quote, and give back the original for
//! every string. Cells of a document typed by hand keep an apostrophe of their own (`'90`)
//! unless it is followed by a trigger or another quote, which no real plan text is.
//!
//! The files this guards carry no numbers that can be negative (years, activity numbers,
//! ISO dates), so every cell is guarded alike: a text such as `-3 informes` reads
//! `'-3 informes` in the file and comes back as `-3 informes` on import. XLSX needs none
//! of this: its text cells are strings and never formulas.

use std::borrow::Cow;

/// The first characters that make a spreadsheet program read a cell as a formula.
pub const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

const QUOTE: char = '\'';

fn needs_quote(cell: &str) -> bool {
    cell.starts_with(TRIGGERS) || cell.starts_with(QUOTE)
}

/// The cell as a CSV or TSV file writes it: prefixed with `'` when it starts with a
/// formula trigger or with `'`; otherwise unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("{QUOTE}{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralise`]: one leading `'` taken off when what follows
/// it would have been prefixed; otherwise unchanged.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix(QUOTE) {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Strings that start, often, with triggers and quotes.
    fn cell() -> impl Strategy<Value = String> {
        let head = prop::collection::vec(
            prop::sample::select(vec![
                "=", "+", "-", "@", "\t", "\r", "\n", "'", "''", " ", "a", "1",
            ]),
            0..4,
        )
        .prop_map(|parts| parts.concat());
        (head, any::<String>()).prop_map(|(head, tail)| head + &tail)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn restore_gives_back_what_neutralise_was_given(s in cell()) {
            let n = neutralise(&s);
            prop_assert_eq!(restore(&n), s.as_str());
        }

        #[test]
        fn no_neutralised_cell_starts_with_a_trigger(s in cell()) {
            let n = neutralise(&s);
            prop_assert!(!n.starts_with(TRIGGERS), "{:?} → {:?}", s, n);
        }

        #[test]
        fn neutralise_adds_at_most_one_quote(s in cell()) {
            let n = neutralise(&s);
            let quoted = format!("'{s}");
            prop_assert!(n == s || n == quoted);
        }
    }

    #[test]
    fn examples() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-3"), "'-3");
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(neutralise("'texto"), "''texto");
        assert_eq!(neutralise("Informe"), "Informe");
        assert_eq!(neutralise(""), "");
        assert_eq!(restore("'=1+1"), "=1+1");
        assert_eq!(restore("''texto"), "'texto");
        // A hand-typed apostrophe before ordinary text stays.
        assert_eq!(restore("'90 días"), "'90 días");
        assert_eq!(restore("'"), "'");
    }
}
