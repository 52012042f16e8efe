//! The seed layout as a spreadsheet: read with calamine (dates as real date cells or as
//! text, merged title rows), written with rust_xlsxwriter as the planning office prints it.

use crate::error::{ImportError, Location};
use crate::labels::Column;
use crate::limits::{long_cell, much_text, past_columns, past_rows, Limits};
use crate::sheet::{CellValue, Row};
use crate::tags_tsv::{GroupNames, TagField};
use crate::tsv::{activity_cell, layout_rows, responsible_cell, OutRow};
use calamine::{DataRef, Reader, Xlsx};
use participa_domain::Plan;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::io::Cursor;

/// Whether the bytes are a zip container (XLSX) rather than text.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first worksheet into rows, within `limits`.
///
/// The package is checked first ([`crate::xlsx_package::check`]: parts, their unzipped
/// sizes, what calamine would multiply). Then the sheet is read cell by cell, and reading
/// stops at the first value past the rows, columns, characters of a cell or text of the
/// file; empty cells anywhere are skipped.
pub fn rows_from_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Row>, ImportError> {
    let fail = |message: String| ImportError {
        location: Location::Document,
        field: "Archivo".into(),
        message,
    };
    crate::xlsx_package::check(bytes, limits).map_err(fail)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| fail(format!("no es un libro XLSX legible: {e}")))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| fail("el libro no tiene hojas".into()))?;
    let mut reader = match book.worksheet_cells_reader(&sheet) {
        Ok(r) => r,
        // A chart sheet: no cells, as calamine's own range reader treats it.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(fail(format!("no se pudo leer la hoja «{sheet}»: {e}"))),
    };
    let mut cells: Vec<(u32, u32, CellValue)> = Vec::new();
    let mut text_bytes = 0usize;
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| fail(format!("no se pudo leer la hoja «{sheet}»: {e}")))?
    {
        let (row, col) = cell.get_position();
        let at = || Location::Cell {
            sheet: sheet.clone(),
            row,
            col,
        };
        let refuse = |message: String| ImportError {
            location: at(),
            field: "Archivo".into(),
            message,
        };
        let value = cell.get_value();
        if let Some(text) = cell_text(value) {
            if text.len() > limits.cell_chars && text.chars().count() > limits.cell_chars {
                return Err(refuse(long_cell(limits)));
            }
        }
        let Some(value) = cell_value(value) else {
            continue;
        };
        let inside = (row as usize) < limits.rows && (col as usize) < limits.columns;
        if !inside {
            if value.is_blank() {
                continue;
            }
            return Err(refuse(if (row as usize) < limits.rows {
                past_columns(limits)
            } else {
                past_rows(limits, "fila")
            }));
        }
        if let CellValue::Text(t) = &value {
            text_bytes += t.len();
            if text_bytes > limits.text_bytes {
                return Err(refuse(much_text(limits)));
            }
        }
        cells.push((row, col, value));
    }
    Ok(grid(&sheet, cells))
}

/// The rows from the first to the last with a value, each from the first column with a
/// value anywhere: what calamine's range of the sheet holds.
fn grid(sheet: &str, cells: Vec<(u32, u32, CellValue)>) -> Vec<Row> {
    let (Some(first_row), Some(last_row), Some(first_col)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.0).max(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Vec::new();
    };
    let mut grid: Vec<Vec<CellValue>> = vec![Vec::new(); (last_row - first_row + 1) as usize];
    for (row, col, value) in cells {
        let line = &mut grid[(row - first_row) as usize];
        let c = (col - first_col) as usize;
        if line.len() <= c {
            line.resize(c + 1, CellValue::Text(String::new()));
        }
        line[c] = value;
    }
    grid.into_iter()
        .enumerate()
        .map(|(i, values)| {
            Row::new(
                Location::Cell {
                    sheet: sheet.to_string(),
                    row: first_row + i as u32,
                    col: first_col,
                },
                values,
            )
        })
        .collect()
}

/// The text of a text cell, before it is copied.
fn cell_text<'a>(d: &'a DataRef<'_>) -> Option<&'a str> {
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some(s),
        DataRef::SharedString(s) => Some(s),
        _ => None,
    }
}

/// A cell as the layout reader sees it; `None` for an empty cell.
fn cell_value(d: &DataRef<'_>) -> Option<CellValue> {
    Some(match d {
        DataRef::Empty => return None,
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Float(f) => CellValue::Number(*f),
        DataRef::Int(i) => CellValue::Number(*i as f64),
        DataRef::Bool(b) => CellValue::Text(if *b { "VERDADERO" } else { "FALSO" }.into()),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) => CellValue::Date(t.date()),
            None => CellValue::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => {
            match chrono::NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d") {
                Ok(d) => CellValue::Date(d),
                Err(_) => CellValue::Text(s.clone()),
            }
        }
        DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Text(format!("#{e:?}")),
    })
}

/// Column widths in characters: activity, start, end, responsible, deliverable.
const WIDTHS: [f64; 5] = [58.0, 12.0, 12.0, 38.0, 44.0];
/// Width of each MIPG/MURC/FURAG tag column, when the plan has tags.
const TAG_WIDTH: f64 = 22.0;

/// Spreadsheet programs do not grow a row to fit wrapped text written by another
/// program, so the height is set from the longest cell: 15 points a line.
fn row_height(cells: &[(&str, f64)]) -> f64 {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            // Proportional text fits a little more than `width` characters of `0` a line.
            let per_line = (width * 1.1).max(1.0);
            (text.chars().count() as f64 / per_line).ceil().max(1.0)
        })
        .fold(1.0, f64::max);
    15.0 * lines
}

/// The number format of every date cell Participa writes: Excel keeps a real date and
/// shows it as Colombia writes it by hand, `30/04/2025`.
pub const DATE_FORMAT: &str = "dd/mm/yyyy";

/// The first column of the details an import kept: after the table's and the tags'.
fn detail_column(tagged: bool) -> u16 {
    (Column::ALL.len() + if tagged { TagField::ALL.len() } else { 0 }) as u16
}

/// Writes the plan as a printable workbook in the seed's layout: merged title, header
/// block, activities with real date cells (`dd/mm/yyyy`) and their number as a number
/// cell, tag columns by their labels (groups of value named from `groups`), bold header
/// row frozen and repeated on each printed page, sized and wrapped columns, landscape,
/// one page wide.
pub fn write_xlsx(plan: &Plan, groups: &GroupNames) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Plan")?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bordered = wrap.clone().set_border(FormatBorder::Thin);
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let label = wrap.clone().set_bold().set_border(FormatBorder::Thin);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#D9D9D9")
        .set_border(FormatBorder::Thin);
    let date = bordered
        .clone()
        .set_num_format(DATE_FORMAT)
        .set_align(FormatAlign::Center);
    let bold = Format::new().set_bold();
    let plain_date = Format::new()
        .set_num_format(DATE_FORMAT)
        .set_align(FormatAlign::Left);

    for (col, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let last_col = 4u16;
    let mut header_row = None;
    for (r, row) in layout_rows(plan).into_iter().enumerate() {
        let r = r as u32;
        match row {
            OutRow::Blank => {}
            OutRow::Heading(t) => {
                sheet.merge_range(r, 0, r, last_col, &t, &title)?;
            }
            OutRow::Label(l, value) => {
                sheet.write_string_with_format(r, 0, l, &label)?;
                sheet.merge_range(r, 1, r, last_col, &value, &bordered)?;
                let merged_width = WIDTHS[1..].iter().sum();
                sheet.set_row_height(r, row_height(&[(&value, merged_width)]))?;
            }
            OutRow::TableHeader(tagged, details) => {
                let first_detail = detail_column(tagged);
                if tagged {
                    for (i, f) in TagField::ALL.iter().enumerate() {
                        let c = (Column::ALL.len() + i) as u16;
                        sheet.set_column_width(c, TAG_WIDTH)?;
                        sheet.write_string_with_format(r, c, f.title(), &header)?;
                    }
                }
                for (i, t) in details.iter().enumerate() {
                    let c = first_detail + i as u16;
                    sheet.set_column_width(c, TAG_WIDTH)?;
                    sheet.write_string_with_format(r, c, t, &header)?;
                }
                for (c, column) in Column::ALL.iter().enumerate() {
                    sheet.write_string_with_format(r, c as u16, column.title(), &header)?;
                }
                header_row = Some(r);
            }
            OutRow::Activity(a, tagged, details) => {
                let first_detail = detail_column(tagged);
                for (i, v) in details.iter().enumerate() {
                    sheet.write_string_with_format(r, first_detail + i as u16, v, &bordered)?;
                }
                if tagged {
                    for (i, f) in TagField::ALL.iter().enumerate() {
                        let c = (Column::ALL.len() + i) as u16;
                        sheet.write_string_with_format(
                            r,
                            c,
                            f.label_cell(&a.tags, groups),
                            &bordered,
                        )?;
                    }
                }
                sheet.write_string_with_format(r, 0, activity_cell(a), &bordered)?;
                sheet.write_date_with_format(r, 1, a.start, &date)?;
                sheet.write_date_with_format(r, 2, a.end, &date)?;
                sheet.write_string_with_format(r, 3, responsible_cell(a), &bordered)?;
                sheet.write_string_with_format(r, 4, &a.deliverable, &bordered)?;
                let (description, responsible) = (activity_cell(a), responsible_cell(a));
                sheet.set_row_height(
                    r,
                    row_height(&[
                        (&description, WIDTHS[0]),
                        (&responsible, WIDTHS[3]),
                        (&a.deliverable, WIDTHS[4]),
                    ]),
                )?;
            }
            OutRow::Version(number, day) => {
                sheet.write_string_with_format(r, 0, format!("Versión {number}:"), &bold)?;
                sheet.write_date_with_format(r, 1, day, &plain_date)?;
            }
            OutRow::Text(t) => {
                let is_label = crate::labels::signature_label(&t).is_some();
                if is_label {
                    sheet.write_string_with_format(r, 0, &t, &bold)?;
                } else {
                    sheet.write_string(r, 0, &t)?;
                }
            }
        }
    }
    if let Some(h) = header_row {
        sheet.set_freeze_panes(h + 1, 0)?;
        sheet.set_repeat_rows(h, h)?;
    }
    sheet.set_landscape();
    sheet.set_paper_size(1); // Letter (carta), the usual paper in Colombian offices
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_header("&C&\"-,Bold\"Plan de Participación Ciudadana");
    sheet.set_footer("&CPágina &P de &N");
    book.save_to_buffer()
}
