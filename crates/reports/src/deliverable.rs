//! The deliverable reports (suggestions campaign, consultation or forum results, events,
//! channel figures) share one shape: a header block and sections, each an optional SVG
//! chart over a table. The same values give the PDF (`templates/entregable.typ`) and the
//! workbook, where every cell keeps its type: counts and averages are number cells,
//! dates are Excel dates shown `dd/mm/yyyy`, and only words (and a suppressed
//! «menos de 5») are text.

use crate::xlsx::DATE_FORMAT;
use crate::ReportError;
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Serialize, Serializer};

/// One cell: what it shows, and its value for the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number { value: f64, text: String },
    Date { value: NaiveDate, text: String },
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A whole count, written as is.
    pub fn count(n: usize) -> Cell {
        Cell::Number {
            value: n as f64,
            text: n.to_string(),
        }
    }

    /// A number with the text it is written with (`4,2`).
    pub fn number(value: f64, text: impl Into<String>) -> Cell {
        Cell::Number {
            value,
            text: text.into(),
        }
    }

    pub fn date(value: NaiveDate, text: impl Into<String>) -> Cell {
        Cell::Date {
            value,
            text: text.into(),
        }
    }

    /// What the PDF prints.
    pub fn shown(&self) -> &str {
        match self {
            Cell::Text(t) | Cell::Number { text: t, .. } | Cell::Date { text: t, .. } => t,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.shown())
    }
}

/// A horizontal bar of a section's chart: its label and value (None: suppressed or
/// missing, no bar and the text beside it).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// One part of a deliverable report.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub heading: String,
    /// A sentence under the heading (may be empty).
    pub intro: String,
    /// The workbook sheet's name (at most 31 characters; cut if longer).
    #[serde(skip)]
    pub sheet: String,
    /// The chart as SVG (empty: no chart) and its text alternative.
    pub chart_svg: String,
    pub chart_alt: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Section {
    pub fn new(heading: &str, sheet: &str, columns: &[&str]) -> Section {
        Section {
            heading: heading.into(),
            intro: String::new(),
            sheet: sheet.into(),
            chart_svg: String::new(),
            chart_alt: String::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: vec![],
        }
    }

    /// Adds a bar chart of `bars`, titled `title`.
    pub fn with_chart(mut self, title: &str, bars: &[Bar]) -> Section {
        if !bars.is_empty() {
            self.chart_svg = crate::chart::bar_chart(title, bars);
            self.chart_alt = format!("{title}; los valores están en la tabla siguiente.");
        }
        self
    }
}

/// A deliverable report, every text already in Spanish.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverableReport {
    pub entity: String,
    /// `Informe de la campaña de sugerencias`.
    pub title: String,
    pub subtitle: String,
    pub header: Vec<(String, Cell)>,
    pub sections: Vec<Section>,
    /// A closing note (how small counts and personal data are treated).
    pub note: String,
    pub generated: String,
}

impl DeliverableReport {
    /// The text of the header line labelled `label` (empty when there is none).
    pub fn header_text(&self, label: &str) -> String {
        self.header
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, c)| c.shown().to_string())
            .unwrap_or_default()
    }
}

/// The report as PDF.
pub fn deliverable_pdf(report: &DeliverableReport) -> Result<Vec<u8>, ReportError> {
    crate::render("entregable.typ", report)
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    text: &Format,
    date: &Format,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(t) => sheet.write_string_with_format(row, col, t, text)?,
        Cell::Number { value, .. } => sheet.write_number_with_format(row, col, *value, text)?,
        Cell::Date { value, .. } => sheet.write_date_with_format(row, col, *value, date)?,
    };
    Ok(())
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique in the book.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let base: String = clean.trim().chars().take(28).collect();
    let base = if base.is_empty() { "Hoja".into() } else { base };
    let mut name = base.clone();
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == name.to_lowercase())
    {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The report as a workbook: a «Resumen» sheet with the header, then one sheet per
/// section with typed cells.
pub fn deliverable_xlsx(r: &DeliverableReport) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDDDDD");
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let cell_date = cell.clone().set_num_format(DATE_FORMAT);
    let plain = Format::new().set_align(rust_xlsxwriter::FormatAlign::Left);
    let plain_date = plain.clone().set_num_format(DATE_FORMAT);
    let mut taken = vec![];
    let summary = book.add_worksheet();
    summary.set_name(sheet_name("Resumen", &mut taken))?;
    summary.write_string_with_format(0, 0, "Entidad", &bold)?;
    summary.write_string(0, 1, &r.entity)?;
    summary.write_string_with_format(1, 0, "Informe", &bold)?;
    summary.write_string(1, 1, &r.title)?;
    summary.write_string_with_format(2, 0, "Alcance", &bold)?;
    summary.write_string(2, 1, &r.subtitle)?;
    for (i, (label, value)) in r.header.iter().enumerate() {
        let y = 3 + i as u32;
        summary.write_string_with_format(y, 0, label, &bold)?;
        write_cell(summary, y, 1, value, &plain, &plain_date)?;
    }
    let y = 4 + r.header.len() as u32;
    summary.write_string(y, 0, &r.note)?;
    summary.write_string(
        y + 1,
        0,
        format!("Generado por Participa el {}", r.generated),
    )?;
    summary.set_column_width(0, 40.0)?;
    summary.set_column_width(1, 50.0)?;
    for s in &r.sections {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&s.sheet, &mut taken))?;
        for (c, name) in s.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, name, &head)?;
            sheet.set_column_width(c as u16, if c == 0 { 40.0 } else { 16.0 })?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                write_cell(sheet, 1 + i as u32, c as u16, value, &cell, &cell_date)?;
            }
        }
        if !s.columns.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, s.rows.len() as u32, s.columns.len() as u16 - 1)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_cleaned_cut_and_unique() {
        let mut taken = vec![];
        assert_eq!(sheet_name("Por tema", &mut taken), "Por tema");
        assert_eq!(sheet_name("por TEMA", &mut taken), "por TEMA 2");
        assert_eq!(sheet_name("a/b?", &mut taken), "a b");
        assert!(sheet_name(&"x".repeat(40), &mut taken).chars().count() <= 31);
    }
}
