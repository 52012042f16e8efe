//! The seed layout as a spreadsheet: read with calamine (dates as real date cells or as
//! text, merged title rows), written with rust_xlsxwriter as the planning office prints it.

use crate::error::{ImportError, Location};
use crate::labels::Column;
use crate::sheet::{CellValue, Row};
use crate::tags_tsv::TagField;
use crate::tsv::{activity_cell, layout_rows, responsible_cell, OutRow};
use calamine::{Data, Reader, Xlsx};
use participa_domain::Plan;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::io::Cursor;

/// Whether the bytes are a zip container (XLSX) rather than text.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first worksheet into rows.
pub fn rows_from_xlsx(bytes: &[u8]) -> Result<Vec<Row>, ImportError> {
    let fail = |message: String| ImportError {
        location: Location::Document,
        field: "Archivo".into(),
        message,
    };
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| fail(format!("no es un libro XLSX legible: {e}")))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| fail("el libro no tiene hojas".into()))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| fail(format!("no se pudo leer la hoja «{sheet}»: {e}")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let values = cells.iter().map(cell_value).collect();
            Row::new(
                Location::Cell {
                    sheet: sheet.clone(),
                    row: first_row + i as u32,
                    col: first_col,
                },
                values,
            )
        })
        .collect();
    Ok(rows)
}

fn cell_value(d: &Data) -> CellValue {
    match d {
        Data::Empty => CellValue::Text(String::new()),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Float(f) => CellValue::Number(*f),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Bool(b) => CellValue::Text(if *b { "VERDADERO" } else { "FALSO" }.into()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => CellValue::Date(t.date()),
            None => CellValue::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => {
            match chrono::NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d") {
                Ok(d) => CellValue::Date(d),
                Err(_) => CellValue::Text(s.clone()),
            }
        }
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Text(format!("#{e:?}")),
    }
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

/// Writes the plan as a printable workbook in the seed's layout: merged title, header
/// block, activities with real date cells, bold header row frozen and repeated on each
/// printed page, sized and wrapped columns, landscape, one page wide.
pub fn write_xlsx(plan: &Plan) -> Result<Vec<u8>, XlsxError> {
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
        .set_num_format("[$-240A]d-mmm-yy;@")
        .set_align(FormatAlign::Center);
    let bold = Format::new().set_bold();

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
            OutRow::TableHeader(tagged) => {
                if tagged {
                    for (i, f) in TagField::ALL.iter().enumerate() {
                        let c = (Column::ALL.len() + i) as u16;
                        sheet.set_column_width(c, TAG_WIDTH)?;
                        sheet.write_string_with_format(r, c, f.title(), &header)?;
                    }
                }
                for (c, column) in Column::ALL.iter().enumerate() {
                    sheet.write_string_with_format(r, c as u16, column.title(), &header)?;
                }
                header_row = Some(r);
            }
            OutRow::Activity(a, tagged) => {
                if tagged {
                    for (i, f) in TagField::ALL.iter().enumerate() {
                        let c = (Column::ALL.len() + i) as u16;
                        sheet.write_string_with_format(r, c, f.cell(&a.tags), &bordered)?;
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
