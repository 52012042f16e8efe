//! The seed's own format: tab-separated text as office software exports it.

use crate::encoding::decode_text;
use crate::error::{ImportError, Location};
use crate::labels::{Column, HeaderLabel};
use crate::sheet::{CellValue, Row};
use crate::spanish_date::format_short;
use crate::tags_tsv::TagField;
use participa_domain::{Activity, Plan};

/// Splits decoded text into rows. Cells quoted by the exporting program (because they
/// hold a tab, a line break or a quote) are unquoted; each row keeps its first line.
pub fn rows_from_bytes(bytes: &[u8]) -> Result<Vec<Row>, ImportError> {
    let (text, _) = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The reader's own line count skips empty lines, so lines are counted from byte offsets.
    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        counted_to: 0,
        line: 1,
    };
    let mut previous_end_line = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The record's position is where the reader resumed, before the empty lines
                // it skipped: the record itself starts at the first byte that is not a line end.
                let resumed = record.position().map_or(0, |p| p.byte() as usize);
                let skipped = text.as_bytes()[resumed..]
                    .iter()
                    .take_while(|b| matches!(b, b'\n' | b'\r'))
                    .count();
                let start = lines.line_at(resumed + skipped);
                // Empty lines still separate blocks (a signer's lines from the next).
                if start > previous_end_line + 1 {
                    rows.push(Row::new(Location::Line(previous_end_line + 1), Vec::new()));
                }
                let cells = record
                    .iter()
                    .map(|c| CellValue::Text(c.trim_end_matches('\r').to_string()))
                    .collect();
                rows.push(Row::new(Location::Line(start), cells));
                let end = reader.position().byte() as usize;
                previous_end_line = lines.line_at(end.saturating_sub(1));
            }
            Err(e) => {
                let at = e.position().map_or(lines.counted_to, |p| p.byte() as usize);
                return Err(ImportError {
                    location: Location::Line(lines.line_at(at)),
                    field: "Archivo".into(),
                    message: format!("no se pudo leer como texto separado por tabulaciones: {e}"),
                });
            }
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
    /// The activities table's titles; with the tag columns when the plan has tags.
    TableHeader(bool),
    Activity(&'a Activity, bool),
    Text(String),
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
    out.push(OutRow::TableHeader(tagged));
    out.extend(plan.activities.iter().map(|a| OutRow::Activity(a, tagged)));
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
        out.push(OutRow::Text(format!("Versión {}: {}", v.number, v.date)));
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
/// hold a tab, a line break or a leading quote are quoted as spreadsheet programs do.
pub fn write_tsv(plan: &Plan) -> Vec<u8> {
    let mut out = Vec::new();
    let mut write = |fields: &[&str]| {
        if !fields.is_empty() {
            // One small writer per line: an empty record would otherwise come out as `""`
            // where the seed has a blank line.
            let mut w = csv::WriterBuilder::new()
                .delimiter(b'\t')
                .buffer_capacity(1024)
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut out);
            w.write_record(fields)
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
            OutRow::Label(label, value) => write(&[label, &value]),
            OutRow::TableHeader(tagged) => {
                let mut titles: Vec<&str> = Column::ALL.iter().map(|c| c.title()).collect();
                if tagged {
                    titles.extend(TagField::ALL.iter().map(|f| f.title()));
                }
                write(&titles)
            }
            OutRow::Activity(a, tagged) => {
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
        let rows = rows_from_bytes(b"a\tb\n\nc\r\n\n\n\"d\nd2\"\te\nf").unwrap();
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
