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

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.field, self.message)
    }
}

/// Every problem found in one file. An import with errors imports nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors {
    pub file: String,
    pub errors: Vec<ImportError>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(
            f,
            "{}: no se importó nada; {} {}:",
            self.file,
            n,
            if n == 1 { "error" } else { "errores" }
        )?;
        for e in &self.errors {
            writeln!(f, "  {}: {e}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_reference(0, 0), "A1");
        assert_eq!(cell_reference(11, 2), "C12");
        assert_eq!(cell_reference(0, 25), "Z1");
        assert_eq!(cell_reference(0, 26), "AA1");
        assert_eq!(cell_reference(4, 27), "AB5");
    }
}
