//! The seed's own format: tab-separated text as office software exports it.

use crate::encoding::decode_text;
use crate::error::{ImportError, Location};
use crate::formula_guard::{neutralise, restore};
use crate::labels::{Column, HeaderLabel};
use crate::limits::{long_cell, much_text, past_columns, past_rows, Limits};
use crate::sheet::{CellValue, Row};
use crate::spanish_date::format_short;
use crate::tags_tsv::TagField;
use csv_core::ReadFieldResult;
use participa_domain::{Activity, Plan};

/// Splits decoded text into rows. Cells quoted by the exporting program (because they
/// hold a tab, a line break or a quote) are unquoted; each row keeps its first line; the
/// quote [`write_tsv`] puts before a formula-like text is taken off again.
///
/// The text is read field by field, and reading stops at the first value past
/// `limits` (rows, columns, characters of a cell, text of the file): a refused file is
/// never held as more than that. Blank cells and lines past the limits are skipped, as
/// spreadsheet programs export the whole used range.
pub fn rows_from_bytes(bytes: &[u8], limits: &Limits) -> Result<Vec<Row>, ImportError> {
    let (text, _) = decode_text(bytes);
    let input = text.as_bytes();
    let mut reader = csv_core::ReaderBuilder::new().delimiter(b'\t').build();
    let mut lines = LineCounter {
        bytes: input,
        counted_to: 0,
        line: 1,
    };
    let too_much = |line: usize, field: String, message: String| ImportError {
        location: Location::Line(line),
        field,
        message,
    };
    // A field's bytes are bounded before its characters are counted.
    let field_bytes = limits.cell_chars.saturating_mul(4);
    let mut rows = Vec::new();
    let mut out = [0u8; 8 * 1024];
    let mut at = 0;
    let mut field = Vec::new();
    let mut cells: Vec<CellValue> = Vec::new();
    let mut column = 0;
    let mut text_bytes = 0usize;
    // Where the reader resumed for the current record, and the line the record starts on.
    let mut record_from: Option<usize> = None;
    let mut record_line: Option<usize> = None;
    let mut previous_end_line = 0;
    loop {
        let from = at;
        let (result, read, written) = reader.read_field(&input[at..], &mut out);
        at += read;
        let resumed = *record_from.get_or_insert(from);
        // The reader skips the empty lines before a record: it starts at the first byte
        // that is not a line end.
        let mut start_line = |lines: &mut LineCounter| {
            *record_line.get_or_insert_with(|| {
                let skipped = input[resumed..]
                    .iter()
                    .take_while(|b| matches!(b, b'\n' | b'\r'))
                    .count();
                lines.line_at(resumed + skipped)
            })
        };
        if field.len() + written > field_bytes {
            return Err(too_much(
                start_line(&mut lines),
                format!("columna {}", column + 1),
                long_cell(limits),
            ));
        }
        field.extend_from_slice(&out[..written]);
        let record_end = match result {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => continue,
            ReadFieldResult::End => break,
            ReadFieldResult::Field { record_end } => record_end,
        };
        let line = start_line(&mut lines);
        let raw = String::from_utf8_lossy(&field);
        let raw = raw.trim_end_matches('\r');
        let value = restore(raw);
        if value.len() > limits.cell_chars && value.chars().count() > limits.cell_chars {
            return Err(too_much(
                line,
                format!("columna {}", column + 1),
                long_cell(limits),
            ));
        }
        let blank = value.trim().is_empty();
        if !blank && line > limits.rows {
            return Err(too_much(line, "Archivo".into(), past_rows(limits, "línea")));
        }
        if column < limits.columns {
            text_bytes += value.len();
            if text_bytes > limits.text_bytes {
                return Err(too_much(
                    line,
                    format!("columna {}", column + 1),
                    much_text(limits),
                ));
            }
            cells.push(CellValue::Text(value.to_string()));
        } else if !blank {
            return Err(too_much(
                line,
                format!("columna {}", column + 1),
                past_columns(limits),
            ));
        }
        field.clear();
        column += 1;
        if record_end {
            if line <= limits.rows {
                // Empty lines still separate blocks (a signer's lines from the next).
                if line > previous_end_line + 1 {
                    rows.push(Row::new(Location::Line(previous_end_line + 1), Vec::new()));
                }
                rows.push(Row::new(Location::Line(line), std::mem::take(&mut cells)));
            }
            cells.clear();
            column = 0;
            record_from = None;
            record_line = None;
            previous_end_line = lines.line_at(at.saturating_sub(1));
        }
    }
    Ok(rows)
}

/// Turns byte offsets, visited in order, into 1-based line numbers.
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.clamp(self.counted_to, self.bytes.len());
        self.line += self.bytes[self.counted_to..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.counted_to = offset;
        self.line
    }
}

/// The rows of the seed layout for a plan; shared by the TSV and XLSX writers.
pub(crate) enum OutRow<'a> {
    Blank,
    Heading(String),
    Label(&'static str, String),
    /// The activities table's titles; with the tag columns when the plan has tags, and
    /// then the titles of the details its activities carry ([`detail_titles`]).
    TableHeader(bool, Vec<String>),
    /// An activity, with its detail cells under those titles.
    Activity(&'a Activity, bool, Vec<String>),
    Text(String),
    /// `Versión 1: 2023-11-27` (a text line here; a label and a date cell in a workbook).
    Version(u32, chrono::NaiveDate),
}

/// The titles of the detail columns the plan's activities carry, in a fixed order and
/// then the entity's own columns as first met: what an import kept, given back.
pub(crate) fn detail_titles(plan: &Plan) -> Vec<String> {
    let mut titles = Vec::new();
    let any = |f: fn(&Activity) -> bool| plan.activities.iter().any(f);
    for (title, used) in [
        (
            EXTERNAL_ID_TITLE,
            any(|a| !a.details.external_id.is_empty()),
        ),
        (LABEL_TITLE, any(|a| !a.details.label.is_empty())),
        (SCHEDULE_TITLE, any(|a| !a.details.schedule.is_empty())),
        ("Meta", any(|a| !a.details.goal.is_empty())),
        ("Indicador", any(|a| !a.details.indicator.is_empty())),
        ("Componente", any(|a| !a.details.component.is_empty())),
    ] {
        if used {
            titles.push(title.to_string());
        }
    }
    for a in &plan.activities {
        for (t, _) in &a.details.extra {
            if !titles.contains(t) {
                titles.push(t.clone());
            }
        }
    }
    titles
}

/// The title under which an export gives back the entity's identifier of an activity.
pub const EXTERNAL_ID_TITLE: &str = "Id externo";
/// The title under which an export gives back an activity's own numbering.
pub const LABEL_TITLE: &str = "Numeración";
/// The title under which an export gives back the dates as the entity wrote them.
pub const SCHEDULE_TITLE: &str = "Fechas como se escribieron";

/// An activity's cells under [`detail_titles`].
pub(crate) fn detail_cells(a: &Activity, titles: &[String]) -> Vec<String> {
    let d = &a.details;
    titles
        .iter()
        .map(|t| match t.as_str() {
            EXTERNAL_ID_TITLE => d.external_id.clone(),
            LABEL_TITLE => d.label.clone(),
            SCHEDULE_TITLE => d.schedule.clone(),
            "Meta" => d.goal.clone(),
            "Indicador" => d.indicator.clone(),
            "Componente" => d.component.clone(),
            other => d
                .extra
                .iter()
                .find(|(title, _)| title == other)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        })
        .collect()
}

pub(crate) fn layout_rows(plan: &Plan) -> Vec<OutRow<'_>> {
    let mut out = vec![
        OutRow::Heading(format!("Formulación {}", plan.title)),
        OutRow::Blank,
        OutRow::Label(HeaderLabel::Entity.text(), plan.entity.clone()),
        OutRow::Label(
            HeaderLabel::Formulation.text(),
            format!("Formulación {}", plan.title),
        ),
    ];
    // The reader takes the year from the title; say it apart only when the title does not.
    if crate::layout_read::year_in_title(&plan.title) != Some(plan.year.get()) {
        out.push(OutRow::Label(
            HeaderLabel::Year.text(),
            plan.year.to_string(),
        ));
    }
    let a = &plan.alignment;
    out.push(OutRow::Label(HeaderLabel::Policy.text(), a.policy.clone()));
    out.push(OutRow::Label(
        HeaderLabel::StrategicObjective.text(),
        a.strategic_objective.to_string(),
    ));
    out.push(OutRow::Label(
        HeaderLabel::OfficeObjective.text(),
        a.office_objective.to_string(),
    ));
    out.push(OutRow::Label(
        HeaderLabel::StrategicInitiative.text(),
        a.strategic_initiative.to_string(),
    ));
    for (i, objective) in plan.objectives.iter().enumerate() {
        let label = if i == 0 {
            HeaderLabel::Objectives.text()
        } else {
            ""
        };
        out.push(OutRow::Label(label, objective.clone()));
    }
    out.push(OutRow::Label(
        HeaderLabel::LegalFramework.text(),
        plan.legal_framework.text.clone(),
    ));
    out.push(OutRow::Label(
        HeaderLabel::Offices.text(),
        plan.offices_text.clone(),
    ));
    out.push(OutRow::Blank);
    let tagged = plan.activities.iter().any(|a| !a.tags.is_empty());
    let titles = detail_titles(plan);
    out.push(OutRow::TableHeader(tagged, titles.clone()));
    out.extend(
        plan.activities
            .iter()
            .map(|a| OutRow::Activity(a, tagged, detail_cells(a, &titles))),
    );
    for s in &plan.signatures {
        out.push(OutRow::Blank);
        out.push(OutRow::Text(format!("{}:", s.role.label())));
        out.push(OutRow::Text(s.name.clone()));
        if !s.position.is_empty() {
            out.push(OutRow::Text(s.position.clone()));
        }
    }
    if let Some(v) = &plan.version {
        out.push(OutRow::Blank);
        out.push(OutRow::Version(v.number, v.date));
    }
    out
}

pub(crate) fn activity_cell(a: &Activity) -> String {
    format!("{}. {}", a.number, a.description)
}

pub(crate) fn responsible_cell(a: &Activity) -> String {
    let codes: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
    if a.responsible_text.is_empty() {
        codes.join("-")
    } else {
        format!("{} {}", codes.join("-"), a.responsible_text)
    }
}

/// Writes the plan in the seed's tab-separated layout (UTF-8, LF line ends). Cells that
/// hold a tab, a line break or a leading quote are quoted as spreadsheet programs do; a
/// cell a spreadsheet would run as a formula is prefixed with `'`
/// ([`crate::formula_guard`]), which [`rows_from_bytes`] takes off again.
pub fn write_tsv(plan: &Plan) -> Vec<u8> {
    let mut out = Vec::new();
    let mut write = |fields: &[&str]| {
        if !fields.is_empty() {
            let fields: Vec<_> = fields.iter().map(|f| neutralise(f)).collect();
            // One small writer per line: an empty record would otherwise come out as `""`
            // where the seed has a blank line.
            let mut w = csv::WriterBuilder::new()
                .delimiter(b'\t')
                .buffer_capacity(1024)
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut out);
            w.write_record(fields.iter().map(|f| f.as_bytes()))
                .expect("writing to memory cannot fail");
            w.flush().expect("writing to memory cannot fail");
        } else {
            out.push(b'\n');
        }
    };
    for row in layout_rows(plan) {
        match row {
            OutRow::Blank => write(&[]),
            OutRow::Heading(t) | OutRow::Text(t) => write(&[&t]),
            OutRow::Version(number, date) => write(&[&format!("Versión {number}: {date}")]),
            OutRow::Label(label, value) => write(&[label, &value]),
            OutRow::TableHeader(tagged, details) => {
                let mut titles: Vec<&str> = Column::ALL.iter().map(|c| c.title()).collect();
                if tagged {
                    titles.extend(TagField::ALL.iter().map(|f| f.title()));
                }
                titles.extend(details.iter().map(String::as_str));
                write(&titles)
            }
            OutRow::Activity(a, tagged, details) => {
                let mut cells = vec![
                    activity_cell(a),
                    format_short(a.start),
                    format_short(a.end),
                    responsible_cell(a),
                    a.deliverable.clone(),
                ];
                if tagged {
                    cells.extend(TagField::ALL.iter().map(|f| f.cell(&a.tags)));
                }
                cells.extend(details);
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                write(&refs)
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_real_line_numbers_and_blank_separators() {
        let rows = rows_from_bytes(b"a\tb\n\nc\r\n\n\n\"d\nd2\"\te\nf", &Limits::STANDARD).unwrap();
        let got: Vec<(Location, Vec<String>)> = rows
            .iter()
            .map(|r| {
                (
                    r.location.clone(),
                    r.cells.iter().map(|c| c.text()).collect(),
                )
            })
            .collect();
        let line = |n, cells: &[&str]| {
            (
                Location::Line(n),
                cells.iter().map(|c| c.to_string()).collect(),
            )
        };
        assert_eq!(
            got,
            vec![
                line(1, &["a", "b"]),
                line(2, &[]),
                line(3, &["c"]),
                line(4, &[]),
                line(6, &["d\nd2", "e"]),
                line(8, &["f"]),
            ]
        );
    }
}
