//! The follow-up report as a workbook: a header block, one row per activity (expected,
//! reported and verified progress, status, narrative, figures, evidence with SHA-256,
//! internal control's review), and a sheet of progress by office.

use crate::{FollowupReport, ReportError};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

pub fn followup_xlsx(r: &FollowupReport) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDDDDD");
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name("Seguimiento")?;
    let header = [
        ("Entidad", r.entity.as_str()),
        ("Plan", r.title.as_str()),
        ("Periodo", r.period_name.as_str()),
        ("Fecha de corte", r.cut_off.as_str()),
        ("Estado al", r.as_of.as_str()),
        ("Periodo cerrado", r.closed.as_str()),
        ("Avance esperado del plan (%)", r.plan_expected.as_str()),
        ("Avance del plan (%)", r.plan_progress.as_str()),
    ];
    for (i, (k, v)) in header.iter().enumerate() {
        sheet.write_string_with_format(i as u32, 0, *k, &bold)?;
        sheet.write_string(i as u32, 1, *v)?;
    }
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
    let top = header.len() as u32 + 1;
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *name, &head)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    for (i, row) in r.rows.iter().enumerate() {
        let y = top + 1 + i as u32;
        sheet.write_number_with_format(y, 0, f64::from(row.number), &cell)?;
        let evidence = row
            .evidence
            .iter()
            .map(|e| format!("{} ({})", e.name, e.sha256))
            .collect::<Vec<_>>()
            .join("\n");
        let texts = [
            row.description.as_str(),
            row.offices.as_str(),
            row.start.as_str(),
            row.end.as_str(),
            row.expected.as_str(),
            row.reported.as_str(),
            row.verified.as_str(),
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
            sheet.write_string_with_format(y, c as u16 + 1, *t, &cell)?;
        }
    }
    sheet.set_freeze_panes(top + 1, 2)?;
    sheet.autofilter(top, 0, top + r.rows.len() as u32, columns.len() as u16 - 1)?;
    let offices = book.add_worksheet();
    offices.set_name("Por dependencia")?;
    for (c, name) in ["Código", "Dependencia", "Esperado (%)", "Avance (%)"]
        .iter()
        .enumerate()
    {
        offices.write_string_with_format(0, c as u16, *name, &head)?;
    }
    offices.set_column_width(1, 45.0)?;
    for (i, o) in r.by_office.iter().enumerate() {
        let y = 1 + i as u32;
        offices.write_string(y, 0, &o.code)?;
        offices.write_string(y, 1, &o.name)?;
        offices.write_number(y, 2, (o.expected_value * 10.0).round() / 10.0)?;
        offices.write_number(y, 3, (o.progress_value * 10.0).round() / 10.0)?;
    }
    Ok(book.save_to_buffer()?)
}
