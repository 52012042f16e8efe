//! The follow-up report as a workbook: a header block, one row per activity (expected,
//! reported and verified progress, status, narrative, figures, evidence with SHA-256,
//! internal control's review), and a sheet of progress by office.
//!
//! Every number is a number cell, every percentage a number with a `%` format (37,5 %
//! is stored as 0.375) and every date an Excel date shown `dd/mm/yyyy`, so the sheet
//! sorts, filters and adds up in Excel; only words are text.

use crate::{FollowupReport, ReportError};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

/// Dates as Colombia writes them by hand; the cell keeps a real date.
pub const DATE_FORMAT: &str = "dd/mm/yyyy";
/// A percentage with at most one decimal (`37,5 %` in a Spanish Excel).
pub const PERCENT_FORMAT: &str = "0.0%";

/// A percentage from 0 to 100 as a percent cell; empty (no value) stays a dash of text.
fn percent(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, col, v / 100.0, format)?,
        None => sheet.write_string_with_format(row, col, "—", format)?,
    };
    Ok(())
}

/// A date cell, or the text as written when there is no date.
fn date(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<chrono::NaiveDate>,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(d) => sheet.write_date_with_format(row, col, d, format)?,
        None => sheet.write_string_with_format(row, col, text, format)?,
    };
    Ok(())
}

pub fn followup_xlsx(r: &FollowupReport) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDDDDD");
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let cell_date = cell.clone().set_num_format(DATE_FORMAT);
    let cell_percent = cell.clone().set_num_format(PERCENT_FORMAT);
    let plain = Format::new();
    let plain_date = Format::new()
        .set_num_format(DATE_FORMAT)
        .set_align(rust_xlsxwriter::FormatAlign::Left);
    let plain_percent = Format::new()
        .set_num_format(PERCENT_FORMAT)
        .set_align(rust_xlsxwriter::FormatAlign::Left);
    let sheet = book.add_worksheet();
    sheet.set_name("Seguimiento")?;
    let v = &r.values;
    let labels = [
        "Entidad",
        "Plan",
        "Periodo",
        "Fecha de corte",
        "Estado al",
        "Periodo cerrado",
        "Avance esperado del plan",
        "Avance del plan",
    ];
    for (i, k) in labels.iter().enumerate() {
        sheet.write_string_with_format(i as u32, 0, *k, &bold)?;
    }
    sheet.write_string_with_format(0, 1, &r.entity, &plain)?;
    sheet.write_string_with_format(1, 1, &r.title, &plain)?;
    sheet.write_string_with_format(2, 1, &r.period_name, &plain)?;
    date(sheet, 3, 1, v.cut_off, &r.cut_off, &plain_date)?;
    date(sheet, 4, 1, v.as_of, &r.as_of, &plain_date)?;
    sheet.write_string_with_format(5, 1, &r.closed, &plain)?;
    percent(sheet, 6, 1, v.plan_expected, &plain_percent)?;
    percent(sheet, 7, 1, v.plan_progress, &plain_percent)?;
    let columns = [
        ("N.º", 6.0),
        ("Actividad", 45.0),
        ("Responsable", 14.0),
        ("Fecha inicial", 12.0),
        ("Fecha final", 12.0),
        ("Esperado", 10.0),
        ("Reportado", 10.0),
        ("Verificado", 10.0),
        ("Estado", 12.0),
        ("Avance del periodo", 45.0),
        ("Dificultades", 30.0),
        ("Cifras", 30.0),
        ("Evidencias (SHA-256)", 50.0),
        ("Evidencia suficiente", 12.0),
        ("Observaciones de control interno", 40.0),
        ("Recomendaciones", 30.0),
        ("Historial de reportes y revisiones", 60.0),
    ];
    let top = labels.len() as u32 + 1;
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *name, &head)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    for (i, row) in r.rows.iter().enumerate() {
        let y = top + 1 + i as u32;
        let rv = &row.values;
        sheet.write_number_with_format(y, 0, f64::from(row.number), &cell)?;
        sheet.write_string_with_format(y, 1, &row.description, &cell)?;
        sheet.write_string_with_format(y, 2, &row.offices, &cell)?;
        date(sheet, y, 3, rv.start, &row.start, &cell_date)?;
        date(sheet, y, 4, rv.end, &row.end, &cell_date)?;
        percent(sheet, y, 5, rv.expected, &cell_percent)?;
        percent(sheet, y, 6, rv.reported, &cell_percent)?;
        percent(sheet, y, 7, rv.verified, &cell_percent)?;
        let evidence = row
            .evidence
            .iter()
            .map(|e| format!("{} ({})", e.name, e.sha256))
            .collect::<Vec<_>>()
            .join("\n");
        let texts = [
            row.status.as_str(),
            row.narrative.as_str(),
            row.difficulties.as_str(),
            &row.figures.join("\n"),
            &evidence,
            row.sufficiency.as_str(),
            row.observations.as_str(),
            row.recommendations.as_str(),
            &row.history.join("\n"),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string_with_format(y, c as u16 + 8, *t, &cell)?;
        }
    }
    sheet.set_freeze_panes(top + 1, 2)?;
    sheet.autofilter(top, 0, top + r.rows.len() as u32, columns.len() as u16 - 1)?;
    let offices = book.add_worksheet();
    offices.set_name("Por dependencia")?;
    for (c, name) in ["Código", "Dependencia", "Esperado", "Avance"]
        .iter()
        .enumerate()
    {
        offices.write_string_with_format(0, c as u16, *name, &head)?;
    }
    offices.set_column_width(1, 45.0)?;
    let percent_only = Format::new().set_num_format(PERCENT_FORMAT);
    for (i, o) in r.by_office.iter().enumerate() {
        let y = 1 + i as u32;
        offices.write_string(y, 0, &o.code)?;
        offices.write_string(y, 1, &o.name)?;
        let rounded = |p: f64| (p * 10.0).round() / 10.0;
        percent(
            offices,
            y,
            2,
            Some(rounded(o.expected_value)),
            &percent_only,
        )?;
        percent(
            offices,
            y,
            3,
            Some(rounded(o.progress_value)),
            &percent_only,
        )?;
    }
    Ok(book.save_to_buffer()?)
}
