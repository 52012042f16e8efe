//! A neutral grid of rows and cells: what both the TSV and the XLSX readers produce and
//! the seed-layout reader consumes.

use crate::error::Location;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Text(String),
    /// A real date cell of a spreadsheet.
    Date(NaiveDate),
    Number(f64),
}

impl CellValue {
    /// The cell as text (a date as ISO, a whole number without decimals).
    pub fn text(&self) -> String {
        match self {
            CellValue::Text(t) => t.trim().to_string(),
            CellValue::Date(d) => d.to_string(),
            CellValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            CellValue::Number(n) => n.to_string(),
        }
    }

    pub fn is_blank(&self) -> bool {
        matches!(self, CellValue::Text(t) if t.trim().is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where the row starts; for spreadsheets the column is the first one.
    pub location: Location,
    pub cells: Vec<CellValue>,
}

impl Row {
    pub fn new(location: Location, mut cells: Vec<CellValue>) -> Self {
        while cells.last().is_some_and(CellValue::is_blank) {
            cells.pop();
        }
        Row { location, cells }
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(CellValue::is_blank)
    }

    pub fn text(&self, col: usize) -> String {
        self.cells.get(col).map(CellValue::text).unwrap_or_default()
    }

    pub fn cell(&self, col: usize) -> Option<&CellValue> {
        self.cells.get(col)
    }

    /// The place of one cell of the row.
    pub fn location_of(&self, col: usize) -> Location {
        self.location.cell_of_row(col)
    }

    /// Non-blank cells after the first, joined by a space: the value of a label row.
    pub fn value_after_label(&self) -> String {
        self.cells
            .iter()
            .skip(1)
            .map(CellValue::text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
