//! Import errors: each names the file, the place (line, or sheet and cell), the field,
//! and what was expected. A file's errors are reported together.

use std::fmt;

/// Where in a file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (a part that is missing altogether).
    Document,
    /// A line of a text file, 1-based.
    Line(usize),
    /// A cell of a spreadsheet; `row` and `col` are 0-based.
    Cell { sheet: String, row: u32, col: u32 },
}

impl Location {
    /// The place of the `col`-th cell of a row that starts here (0 is this cell);
    /// unchanged for text lines, whose errors name the field instead of a column.
    pub fn cell_of_row(&self, col: usize) -> Location {
        match self {
            Location::Cell { col: first, .. } => self.at_column(first + col as u32),
            other => other.clone(),
        }
    }

    /// The same place in another column of a spreadsheet; unchanged for text lines.
    pub fn at_column(&self, col: u32) -> Location {
        match self {
            Location::Cell { sheet, row, .. } => Location::Cell {
                sheet: sheet.clone(),
                row: *row,
                col,
            },
            other => other.clone(),
        }
    }
}

/// `A1`-style reference of a 0-based cell.
pub fn cell_reference(row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("documento"),
            Location::Line(n) => write!(f, "línea {n}"),
            Location::Cell { sheet, row, col } => {
                write!(f, "hoja «{sheet}», celda {}", cell_reference(*row, *col))
            }
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub location: Location,
    /// The field as the document names it (`Fecha inicial`, `Responsable`…).
    pub field: String,
    /// What is wrong and what was expected, in Spanish.
    pub message: String,
}

impl ImportError {
    /// At most [`MESSAGE_CHARS`] characters of message and field: a message that quotes
    /// a long cell is cut, so that a hundred of them stay a short page.
    pub fn shortened(mut self) -> Self {
        for text in [&mut self.message, &mut self.field] {
            if let Some((end, _)) = text.char_indices().nth(MESSAGE_CHARS) {
                text.truncate(end);
                text.push('…');
            }
        }
        self
    }
}

/// The longest message an error keeps (see [`ImportError::shortened`]).
pub const MESSAGE_CHARS: usize = 600;

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.field, self.message)
    }
}

/// How many errors a refused file lists; the rest are counted. A file with thousands of
/// bad rows is usually one mistake repeated (a shifted column, the wrong sheet), and a
/// page listing each of them would be megabytes long.
pub const LISTED_ERRORS: usize = 100;

/// Every problem found in one file, or the first [`LISTED_ERRORS`] of them in file order
/// and how many more there were. An import with errors imports nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors {
    pub file: String,
    pub errors: Vec<ImportError>,
    /// Errors found but not listed.
    pub omitted: usize,
}

impl ImportErrors {
    /// The errors of `file`, in the order given; only the first [`LISTED_ERRORS`] kept.
    pub fn new(file: impl Into<String>, mut errors: Vec<ImportError>) -> Self {
        let omitted = errors.len().saturating_sub(LISTED_ERRORS);
        errors.truncate(LISTED_ERRORS);
        ImportErrors {
            file: file.into(),
            errors: errors.into_iter().map(ImportError::shortened).collect(),
            omitted,
        }
    }

    /// The errors a reader collected.
    pub fn from_list(file: impl Into<String>, list: ErrorList) -> Self {
        let (errors, omitted) = list.into_sorted();
        ImportErrors {
            file: file.into(),
            errors,
            omitted,
        }
    }

    /// Listed and omitted errors together.
    pub fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }

    /// `1 error`, `4 000 errores`: listed and omitted together.
    pub fn counted(&self) -> String {
        match self.total() {
            1 => "1 error".to_string(),
            n => format!("{} errores", crate::limits::grouped(n as u64)),
        }
    }

    /// `y 2 345 errores más`, when some were not listed.
    pub fn more(&self) -> Option<String> {
        match self.omitted {
            0 => None,
            1 => Some("y 1 error más".to_string()),
            n => Some(format!(
                "y {} errores más",
                crate::limits::grouped(n as u64)
            )),
        }
    }
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: no se importó nada; {}:", self.file, self.counted())?;
        for e in &self.errors {
            writeln!(f, "  {}: {e}", self.file)?;
        }
        if let Some(more) = self.more() {
            writeln!(f, "  {more}")?;
        }
        Ok(())
    }
}

/// The errors a reader finds, kept bounded: the first [`LISTED_ERRORS`] in file order
/// (the document as a whole first, then by line or row and column; errors at one place in
/// the order they were found), and a count of the others.
#[derive(Debug, Default)]
pub struct ErrorList {
    kept: Vec<(OrderKey, usize, ImportError)>,
    found: usize,
}

type OrderKey = (u8, u64, u64);

fn order_key(l: &Location) -> OrderKey {
    match l {
        Location::Document => (0, 0, 0),
        Location::Line(n) => (1, *n as u64, 0),
        Location::Cell { row, col, .. } => (1, *row as u64, *col as u64),
    }
}

impl ErrorList {
    pub fn push(&mut self, error: ImportError) {
        let error = error.shortened();
        let key = (order_key(&error.location), self.found);
        self.found += 1;
        if self.kept.len() < LISTED_ERRORS {
            self.kept.push((key.0, key.1, error));
            return;
        }
        // Full: the new error replaces the last kept one if it comes before it.
        let (last, _) = self
            .kept
            .iter()
            .enumerate()
            .max_by_key(|(_, (k, i, _))| (*k, *i))
            .expect("the list is full, so not empty");
        let (k, i, _) = &self.kept[last];
        if key < (*k, *i) {
            self.kept[last] = (key.0, key.1, error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.found == 0
    }

    /// How many errors were found, listed or not.
    pub fn len(&self) -> usize {
        self.found
    }

    /// The kept errors in file order, and how many were not kept.
    pub fn into_sorted(mut self) -> (Vec<ImportError>, usize) {
        self.kept.sort_by_key(|(k, i, _)| (*k, *i));
        let omitted = self.found - self.kept.len();
        (self.kept.into_iter().map(|(_, _, e)| e).collect(), omitted)
    }
}

/// A cell's text as an error message quotes it: the first 80 characters, on one line.
pub fn excerpt(text: &str) -> String {
    const SHOWN: usize = 80;
    let one_line = |s: &str| s.replace(['\n', '\r', '\t'], " ");
    match text.char_indices().nth(SHOWN) {
        None => one_line(text),
        Some((end, _)) => format!("{}…", one_line(&text[..end])),
    }
}

impl std::error::Error for ImportErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize) -> ImportError {
        ImportError {
            location: Location::Line(line),
            field: "Campo".into(),
            message: format!("error en {line}"),
        }
    }

    #[test]
    fn a_long_list_keeps_the_first_errors_in_file_order_and_counts_the_rest() {
        let mut list = ErrorList::default();
        // Found out of order, as the layout reader finds header errors at the end.
        for line in (1..=300).rev() {
            list.push(at(line));
        }
        list.push(ImportError {
            location: Location::Document,
            ..at(0)
        });
        assert_eq!(list.len(), 301);
        let e = ImportErrors::from_list("f.txt", list);
        assert_eq!(e.errors.len(), LISTED_ERRORS);
        assert_eq!(e.omitted, 201);
        assert_eq!(e.total(), 301);
        assert_eq!(e.errors[0].location, Location::Document);
        assert_eq!(e.errors[1].location, Location::Line(1));
        assert_eq!(e.errors[99].location, Location::Line(99));
        let shown = e.to_string();
        assert!(
            shown.starts_with("f.txt: no se importó nada; 301 errores:"),
            "{shown}"
        );
        assert!(shown.ends_with("  y 201 errores más\n"), "{shown}");
        assert_eq!(
            ImportErrors::new("f", (1..=2_445).map(at).collect())
                .more()
                .unwrap(),
            "y 2\u{a0}345 errores más"
        );
        assert_eq!(ImportErrors::new("f", vec![at(1)]).more(), None);
    }

    #[test]
    fn errors_at_one_place_keep_the_order_they_were_found_in() {
        let mut list = ErrorList::default();
        for i in 0..150 {
            list.push(ImportError {
                message: format!("{i}"),
                ..at(7)
            });
        }
        let (kept, omitted) = list.into_sorted();
        assert_eq!(omitted, 50);
        let messages: Vec<String> = kept.into_iter().map(|e| e.message).collect();
        assert_eq!(
            messages,
            (0..100).map(|i| i.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn long_messages_are_cut() {
        let e = ImportError {
            message: "x".repeat(10_000),
            ..at(1)
        }
        .shortened();
        assert_eq!(e.message.chars().count(), MESSAGE_CHARS + 1);
        assert!(e.message.ends_with('…'));
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt("corto\tcon tab"), "corto con tab");
        let long = "á".repeat(200);
        assert_eq!(excerpt(&long), format!("{}…", "á".repeat(80)));
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_reference(0, 0), "A1");
        assert_eq!(cell_reference(11, 2), "C12");
        assert_eq!(cell_reference(0, 25), "Z1");
        assert_eq!(cell_reference(0, 26), "AA1");
        assert_eq!(cell_reference(4, 27), "AB5");
    }
}
