//! Reads the seed's layout from a grid of rows, whichever file it came from: the header
//! block (label, value), the activities table (its title row possibly repeated after
//! page breaks), the free-form signature block and the version line.
//!
//! Every problem is collected with its place; nothing is returned unless all is right.

use crate::date_span::parse_span;
use crate::error::{excerpt, ErrorList, ImportError, Location};
use crate::labels::{normalize, signature_label, Column, HeaderLabel};
use crate::limits::Limits;
use crate::offices_text::{parse_offices_text, NamedOffice};
use crate::responsible::offices_named_in;
use crate::sheet::{CellValue, Row};
use crate::spanish_date::{from_excel_serial, in_range, parse_date};
use crate::table_columns::{title_row, Mapping, Meaning, TableColumn};
use crate::tags_tsv::{parse_tag_cells, GroupNames, TagField};
use chrono::NaiveDate;
use participa_domain::plan::{ActivityField, PlanField};
use participa_domain::{
    Activity, ActivityDetails, ActivityNumber, Alignment, CodedText, DocumentVersion,
    LegalFramework, Office, OfficeCode, Plan, PlanDraft, PlanYear, Signature, SignatureRole,
};
use std::collections::HashMap;

/// What a file cannot say for itself, and how much of it is read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The entity, when the file has no `Entidad` row (the seed has none).
    pub entity: String,
    pub limits: Limits,
    /// The groups of value by name, to read a tag column that names them.
    pub value_groups: GroupNames,
    /// The meaning a person gave the table's columns, over what their names say.
    pub mapping: Mapping,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            entity: "Caja Honor".to_string(),
            limits: Limits::STANDARD,
            value_groups: GroupNames::default(),
            mapping: Mapping::default(),
        }
    }
}

struct HeaderValue {
    text: String,
    location: Location,
    continuation: Vec<String>,
}

struct ParsedActivity {
    activity: Activity,
    /// Where its row starts: enough to point at any of its cells.
    location: Location,
    numbering: Numbering,
}

/// How a row gave its activity's number.
enum Numbering {
    /// A plain number (`12`, `12. Realizar…`).
    Given,
    /// Its own numbering (`2.3`), kept in the details: activities are numbered in order.
    Labelled,
    /// None: fine when no row has one (numbered in order), an error otherwise.
    Missing(String),
}

/// The activities table, from its title row.
struct Table {
    /// The column of each of the five fields every plan has; a single «when» column
    /// stands for both dates.
    columns: HashMap<Column, usize>,
    number: Option<usize>,
    /// Start and end read from one column.
    when: bool,
    goal: Option<usize>,
    indicator: Option<usize>,
    component: Option<usize>,
    label: Option<usize>,
    schedule: Option<usize>,
    external_id: Option<usize>,
    tags: HashMap<TagField, usize>,
    /// Columns with no field: (index, title).
    extras: Vec<(usize, String)>,
    /// Every column's title as the file writes it, for errors.
    titles: HashMap<usize, String>,
}

struct SignatureGroup {
    role: SignatureRole,
    column: usize,
    location: Location,
    lines: Vec<String>,
}

struct Reader<'a> {
    options: &'a ReadOptions,
    errors: ErrorList,
    heading: Option<(String, Location)>,
    header: HashMap<HeaderLabel, HeaderValue>,
    last_label: Option<HeaderLabel>,
    table: Option<Table>,
    /// The offices the header names, read at the first activity to resolve a
    /// responsible cell that names offices without their codes.
    named_offices: Option<Vec<NamedOffice>>,
    /// Header errors of rows that look like a table's (see `header_row`).
    table_like: Vec<ImportError>,
    activities: Vec<ParsedActivity>,
    groups: Vec<SignatureGroup>,
    open_groups: Vec<usize>,
    version: Option<DocumentVersion>,
}

#[derive(PartialEq)]
enum Zone {
    Header,
    Table,
    Signatures,
}

/// What a file without the activities table's title row is told.
pub const NO_TITLE_ROW: &str = "no se encontró la fila de títulos de la tabla de actividades: una fila con la actividad, sus fechas (inicial y final, o una sola de fecha o periodo), el responsable y el producto o entregable, por ejemplo «Actividades | Fecha inicial | Fecha Final | Responsable | Producto o entregable»";

/// The activities table's columns as `options` read them: those of its first title row
/// (true), or, when no row reads as one, those of the first row with four cells or more,
/// the likeliest to be it, for a person to say what each holds (false).
pub fn table_columns(rows: &[Row], options: &ReadOptions) -> Option<(Vec<TableColumn>, bool)> {
    let texts = |row: &Row| -> Vec<String> { row.cells.iter().map(CellValue::text).collect() };
    if let Some(found) = rows
        .iter()
        .find_map(|row| title_row(&texts(row), &options.mapping))
    {
        return Some((found, true));
    }
    let likely = rows
        .iter()
        .find(|r| r.cells.iter().filter(|c| !c.text().is_empty()).count() >= 4)?;
    let columns = texts(likely)
        .into_iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(index, title)| TableColumn {
            index,
            meaning: match options.mapping.get(&title) {
                Some(m) => m,
                None => Meaning::recognise(&title),
            },
            title,
        })
        .collect();
    Some((columns, false))
}

/// Reads a plan from the rows of a file in the seed's layout; the errors are kept bounded
/// ([`ErrorList`]).
pub fn read_plan(rows: &[Row], options: &ReadOptions) -> Result<Plan, ErrorList> {
    let mut r = Reader {
        options,
        errors: ErrorList::default(),
        heading: None,
        header: HashMap::new(),
        last_label: None,
        table: None,
        named_offices: None,
        table_like: Vec::new(),
        activities: Vec::new(),
        groups: Vec::new(),
        open_groups: Vec::new(),
        version: None,
    };
    let mut zone = Zone::Header;
    for row in rows {
        if row.is_blank() {
            // A blank line ends a signer's block: name and position lines stay together.
            r.open_groups.clear();
            continue;
        }
        if let Some(table) = table_of(row, &options.mapping) {
            match table {
                Ok(t) => {
                    if r.table.is_none() {
                        r.table = Some(t);
                    }
                }
                Err(e) => r.errors.push(e),
            }
            zone = Zone::Table;
            continue;
        }
        let first = row.text(0);
        if starts_with_word(&first, "version") {
            r.version_line(row);
            zone = Zone::Signatures;
            continue;
        }
        if r.signature_labels(row) {
            zone = Zone::Signatures;
            continue;
        }
        match zone {
            Zone::Header => r.header_row(row),
            Zone::Table => r.activity_row(row),
            Zone::Signatures => r.signature_line(row),
        }
    }
    r.finish()
}

/// The title without the stage word the document puts before it
/// (`Formulación Plan de Participación Ciudadana 2025`).
fn without_stage(value: &str) -> String {
    value
        .strip_prefix("Formulación ")
        .or_else(|| value.strip_prefix("Formulacion "))
        .unwrap_or(value)
        .trim()
        .to_string()
}

/// The last four-digit number of a title: its vigencia when no `Vigencia` row says it.
pub(crate) fn year_in_title(title: &str) -> Option<i32> {
    title
        .split(|c: char| !c.is_ascii_digit())
        .rev()
        .find(|w| w.len() == 4)
        .and_then(|w| w.parse().ok())
}

/// Whether a cell starts with a label word, ignoring case and accents. Only the cell's
/// first characters are folded: activity rows hold long texts, and this runs on every row.
fn starts_with_word(cell: &str, word: &str) -> bool {
    let head: String = cell
        .trim_start()
        .chars()
        .take(word.chars().count() + 1)
        .collect();
    normalize(&head).starts_with(word)
}

fn err(location: Location, field: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        location,
        field: field.to_string(),
        message: message.into(),
    }
}

/// The activities table's title row, wherever it is and whatever its columns' order or
/// names ([`crate::table_columns`]); an error when it lacks a column every plan needs.
fn table_of(row: &Row, mapping: &Mapping) -> Option<Result<Table, ImportError>> {
    let titles: Vec<String> = row.cells.iter().map(CellValue::text).collect();
    let found: Vec<TableColumn> = title_row(&titles, mapping)?;
    let first = |m: Meaning| found.iter().find(|c| c.meaning == Some(m)).map(|c| c.index);
    let mut columns = HashMap::new();
    let mut missing = Vec::new();
    for (column, meaning) in [
        (Column::Activity, Meaning::Activity),
        (Column::Responsible, Meaning::Responsible),
        (Column::Deliverable, Meaning::Deliverable),
    ] {
        match first(meaning) {
            Some(i) => {
                columns.insert(column, i);
            }
            None => missing.push(meaning.label()),
        }
    }
    let when = first(Meaning::When);
    let (start, end) = (first(Meaning::Start), first(Meaning::End));
    let one_column = match (start, end, when) {
        (Some(s), Some(e), _) => {
            columns.insert(Column::Start, s);
            columns.insert(Column::End, e);
            false
        }
        (None, None, Some(w)) => {
            columns.insert(Column::Start, w);
            columns.insert(Column::End, w);
            true
        }
        (Some(_), None, _) => {
            missing.push(Meaning::End.label());
            false
        }
        _ => {
            missing.push(Meaning::Start.label());
            false
        }
    };
    if !missing.is_empty() {
        return Some(Err(err(
            row.location.clone(),
            "Títulos de la tabla",
            format!(
                "faltan las columnas {}; la tabla de actividades necesita la actividad, sus fechas (inicial y final, o una sola columna de fecha o periodo), el responsable y el producto o entregable",
                missing.join(", ")
            ),
        )));
    }
    let mut tags = HashMap::new();
    let mut extras = Vec::new();
    let used: Vec<usize> = columns.values().copied().collect();
    for c in &found {
        match c.meaning {
            Some(Meaning::Tag(f)) => {
                tags.entry(f).or_insert(c.index);
            }
            None => extras.push((c.index, c.title.clone())),
            // A second column of a meaning already taken is kept as it is.
            Some(m) if first(m) != Some(c.index) && !used.contains(&c.index) => {
                extras.push((c.index, c.title.clone()))
            }
            _ => {}
        }
    }
    Some(Ok(Table {
        columns,
        number: first(Meaning::Number),
        when: one_column,
        goal: first(Meaning::Goal),
        indicator: first(Meaning::Indicator),
        component: first(Meaning::Component),
        label: first(Meaning::Label),
        schedule: first(Meaning::Schedule),
        external_id: first(Meaning::ExternalId),
        tags,
        extras,
        titles: found.iter().map(|c| (c.index, c.title.clone())).collect(),
    }))
}

/// `Versión1: 2023-11-27`, `Versión 2: 15-ene-25`, or `Versión 2` | `15-ene-25` in two cells.
fn parse_version(row: &Row) -> Result<DocumentVersion, String> {
    let joined = row
        .cells
        .iter()
        .map(CellValue::text)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let expected = "se esperaba «Versión N: fecha», por ejemplo «Versión 1: 2023-11-27»";
    let after_word = joined
        .char_indices()
        .nth("versión".chars().count())
        .map_or("", |(i, _)| &joined[i..]);
    let digits: String = after_word
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let number: u32 = digits.parse().map_err(|_| {
        format!(
            "falta el número de versión en «{}»; {expected}",
            excerpt(&joined)
        )
    })?;
    let rest = after_word.trim_start()[digits.len()..]
        .trim_start_matches([':', '-', '.', ' '])
        .trim();
    let rest = rest.strip_prefix("de ").unwrap_or(rest);
    let date = match row.cells.iter().find_map(|c| match c {
        CellValue::Date(d) => Some(*d),
        _ => None,
    }) {
        Some(d) => in_range(d).map_err(|e| format!("fecha de la versión: {e}"))?,
        None => parse_date(rest).map_err(|e| format!("fecha de la versión: {e}"))?,
    };
    Ok(DocumentVersion { number, date })
}

/// Splits `12. Desarrollar ferias…` into number and description.
fn split_numbered(text: &str) -> Result<(ActivityNumber, String), String> {
    let t = text.trim();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = &t[digits.len()..];
    let separated = rest.starts_with(['.', ')', '-', ' ', '\t']);
    if digits.is_empty() || !separated {
        return Err(format!(
            "se esperaba el número de la actividad al comienzo, como «1. Alistamiento para rendición de cuentas»; se encontró «{}»",
            excerpt(t)
        ));
    }
    let number = ActivityNumber::parse(&digits).map_err(|e| e.to_string())?;
    let description = rest.trim_start_matches(['.', ')', '-']).trim().to_string();
    Ok((number, description))
}

/// Splits `OAPLA-ARCOM Oficina Asesora…` into codes and the names that follow.
fn split_responsible(text: &str) -> Result<(Vec<OfficeCode>, String), String> {
    let t = text.trim();
    let (head, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let codes: Result<Vec<OfficeCode>, _> = head.split('-').map(OfficeCode::parse).collect();
    match codes {
        Ok(codes) if !codes.is_empty() => Ok((codes, rest.trim().to_string())),
        _ => Err(format!(
            "se esperaba el código de la dependencia al comienzo, como «OAPLA Oficina Asesora de Planeación» o «OAPLA-ARCOM …»; se encontró «{}»",
            excerpt(t)
        )),
    }
}

/// The first and last day a cell names, and the text as written when it was not a
/// plain date (`22 al 28 de abril de 2026`, `durante la vigencia`).
fn cell_span(
    cell: Option<&CellValue>,
    year: Option<i32>,
) -> Result<(NaiveDate, NaiveDate, Option<String>), String> {
    let single = |d: NaiveDate| (d, d, None);
    match cell {
        Some(CellValue::Date(d)) => in_range(*d).map(single),
        Some(CellValue::Number(n)) => from_excel_serial(*n)
            .ok_or_else(|| format!("el número {n} no es una fecha de hoja de cálculo"))
            .and_then(in_range)
            .map(single),
        Some(CellValue::Text(t)) => match parse_date(t) {
            Ok(d) => Ok(single(d)),
            Err(plain) => match parse_span(t, year) {
                Ok(span) => Ok((span.start, span.end, Some(t.trim().to_string()))),
                // A cell that reads as a date but is wrong (31-feb-25) says why.
                Err(_) if looks_like_one_date(t) => Err(plain),
                Err(e) => Err(e),
            },
        },
        None => parse_date("").map(single),
    }
}

/// `31-feb-25`, `05/13/2025`: a single date in numbers, not a phrase.
fn looks_like_one_date(t: &str) -> bool {
    let t = t.trim();
    !t.contains(' ') && t.chars().filter(|c| c.is_ascii_digit()).count() >= 3
}

/// The activity's text without the number a numbered column repeats (`3. Realizar…`).
fn without_number(text: &str, n: u32) -> String {
    match split_numbered(text) {
        Ok((m, rest)) if m.get() == n => rest,
        _ => text.trim().to_string(),
    }
}

impl Reader<'_> {
    fn header_row(&mut self, row: &Row) {
        let first = row.text(0);
        if let Some(label) = HeaderLabel::recognise(&first) {
            let value = row.value_after_label();
            if self.header.contains_key(&label) && label != HeaderLabel::Objectives {
                self.errors.push(err(
                    row.location.clone(),
                    label.text().trim_end_matches(':'),
                    "la fila está repetida; cada dato del encabezado va una sola vez",
                ));
                return;
            }
            self.header
                .entry(label)
                .and_modify(|h| h.continuation.push(value.clone()))
                .or_insert(HeaderValue {
                    text: value,
                    location: row.location.clone(),
                    continuation: Vec::new(),
                });
            self.last_label = Some(label);
            return;
        }
        let values: Vec<String> = row
            .cells
            .iter()
            .map(CellValue::text)
            .filter(|t| !t.is_empty())
            .collect();
        match (self.last_label, first.is_empty()) {
            // A title line above the header block.
            (None, false) if values.len() == 1 && self.heading.is_none() => {
                self.heading = Some((first, row.location.clone()));
            }
            // The value of the label above goes on (an empty label cell).
            (Some(label), true) => {
                if let Some(h) = self.header.get_mut(&label) {
                    h.continuation.push(values.join(" "));
                }
            }
            _ => {
                let e = err(
                    row.location.clone(),
                    "Encabezado",
                    format!(
                        "fila no reconocida «{}»; se esperaba una de: Formulación, Política de Gestión y Desempeño Institucional, Objetivo estratégico, Objetivo dependencia, Iniciativa estratégica, Objetivos del plan, Marco legal, Dependencias responsables, o la tabla de Actividades",
                        excerpt(&values.join(" | "))
                    ),
                );
                // A row of four cells or more is likelier a row of a table whose titles
                // were not recognised: told only if a table turns up after all.
                if values.len() >= 4 {
                    self.table_like.push(e);
                } else {
                    self.errors.push(e);
                }
            }
        }
    }

    /// The plan's year as the header says it so far: the `Vigencia` row, or the last
    /// four-digit number of the title. For dates written without their year.
    fn year_hint(&self) -> Option<i32> {
        if let Some(v) = self.header.get(&HeaderLabel::Year) {
            return v.text.trim().parse().ok();
        }
        [HeaderLabel::Title, HeaderLabel::Formulation]
            .iter()
            .find_map(|l| self.header.get(l).map(|h| h.text.clone()))
            .or_else(|| self.heading.as_ref().map(|(t, _)| t.clone()))
            .and_then(|t| year_in_title(&t))
    }

    /// The offices the header's `Dependencias responsables` row names (read once).
    fn header_offices(&mut self) -> &[NamedOffice] {
        if self.named_offices.is_none() {
            let named = self
                .header
                .get(&HeaderLabel::Offices)
                .map(|h| {
                    let mut all = vec![h.text.clone()];
                    all.extend(h.continuation.iter().cloned());
                    parse_offices_text(&all.join(" ")).unwrap_or_default()
                })
                .unwrap_or_default();
            self.named_offices = Some(named);
        }
        self.named_offices.as_deref().unwrap_or_default()
    }

    fn activity_row(&mut self, row: &Row) {
        let Some(table) = self.table.take() else {
            return;
        };
        self.read_activity(row, &table);
        self.table = Some(table);
    }

    fn read_activity(&mut self, row: &Row, table: &Table) {
        let columns = &table.columns;
        let col = |c: Column| columns[&c];
        let year = self.year_hint();
        let mut failed = false;
        let mut details = ActivityDetails::default();
        // The number: its own column, or the start of the activity's text.
        let text = row.text(col(Column::Activity));
        let number_cell = table.number.map(|i| row.text(i)).unwrap_or_default();
        let placeholder = ActivityNumber::new(1).expect("1 is a valid number");
        let (number, description, numbering) = if !number_cell.is_empty() {
            match number_cell.trim_end_matches('.').parse::<u32>() {
                Ok(n) => match ActivityNumber::new(n) {
                    Ok(number) => (number, without_number(&text, n), Numbering::Given),
                    Err(e) => {
                        failed = true;
                        self.errors.push(err(
                            row.location_of(table.number.unwrap_or(0)),
                            Meaning::Number.label(),
                            e.to_string(),
                        ));
                        (placeholder, text.clone(), Numbering::Given)
                    }
                },
                Err(_) => {
                    details.label = number_cell.clone();
                    (placeholder, text.clone(), Numbering::Labelled)
                }
            }
        } else {
            match split_numbered(&text) {
                Ok((n, d)) => (n, d, Numbering::Given),
                Err(e) => (placeholder, text.clone(), Numbering::Missing(e)),
            }
        };
        let title = |c: Column| table.titles.get(&col(c)).map_or(c.title(), String::as_str);
        let mut fail = |errors: &mut ErrorList, c: Column, message: String| {
            failed = true;
            errors.push(err(row.location_of(col(c)), title(c), message));
        };
        // When: two columns, or one that may hold a range or a period.
        let start = cell_span(row.cell(col(Column::Start)), year);
        let end = if table.when {
            start.clone()
        } else {
            cell_span(row.cell(col(Column::End)), year)
        };
        let start = start
            .map_err(|e| fail(&mut self.errors, Column::Start, e))
            .ok();
        // One column read once: its error is told once.
        let end = match end {
            Err(_) if table.when => None,
            other => other
                .map_err(|e| fail(&mut self.errors, Column::End, e))
                .ok(),
        };
        // The dates as written, when either is more than a plain date: both sides, so
        // that neither reads as the whole.
        let as_written = [&start, &end]
            .iter()
            .any(|s| s.as_ref().is_some_and(|(_, _, w)| w.is_some()));
        if as_written {
            details.schedule = if table.when {
                row.text(col(Column::Start))
            } else {
                format!(
                    "{} – {}",
                    row.text(col(Column::Start)),
                    row.text(col(Column::End))
                )
            };
        }
        // Who: codes first (`OAPLA-ARCOM Oficina…`), else the header's offices by name.
        let responsible_cell = row.text(col(Column::Responsible));
        let responsible = match split_responsible(&responsible_cell) {
            Ok(found) => Ok(found),
            Err(by_code) => {
                let offices = self.header_offices();
                if offices.is_empty() {
                    Err(by_code)
                } else {
                    offices_named_in(&responsible_cell, offices)
                        .map(|codes| (codes, responsible_cell.trim().to_string()))
                }
            }
        };
        let deliverable = row.text(col(Column::Deliverable));
        let start = start.map(|(s, _, _)| s);
        let end = end.map(|(_, e, _)| e);
        let (responsible, responsible_text) = responsible
            .map_err(|e| fail(&mut self.errors, Column::Responsible, e))
            .unwrap_or_default();
        let optional = |i: Option<usize>| i.map(|i| row.text(i)).unwrap_or_default();
        // What Participa's own export gave back, as it was.
        if table.label.is_some() {
            details.label = optional(table.label);
        }
        if table.schedule.is_some() {
            details.schedule = optional(table.schedule);
        }
        details.external_id = optional(table.external_id);
        details.goal = optional(table.goal);
        details.indicator = optional(table.indicator);
        details.component = optional(table.component);
        // A blank component (a merged cell, or «same as above») is the previous row's.
        if details.component.is_empty() && table.component.is_some() {
            if let Some(previous) = self.activities.last() {
                details.component = previous.activity.details.component.clone();
            }
        }
        details.extra = table
            .extras
            .iter()
            .map(|(i, title)| (title.clone(), row.text(*i)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let tags = if table.tags.is_empty() {
            Default::default()
        } else {
            let cols = &table.tags;
            parse_tag_cells(
                |f| cols.get(&f).map(|c| row.text(*c)).unwrap_or_default(),
                &self.options.value_groups,
            )
            .unwrap_or_else(|problems| {
                for (f, message) in problems {
                    failed = true;
                    self.errors
                        .push(err(row.location_of(cols[&f]), f.title(), message));
                }
                Default::default()
            })
        };
        if failed {
            return;
        }
        let (Some(start), Some(end)) = (start, end) else {
            return;
        };
        self.activities.push(ParsedActivity {
            activity: Activity {
                number,
                description,
                start,
                end,
                responsible,
                responsible_text,
                deliverable,
                tags,
                details,
            },
            location: row.location.clone(),
            numbering,
        });
    }

    /// Numbers in order the activities of a table that numbers them its own way, or
    /// not at all; a table where some rows have a number and others none is an error
    /// at each row without one.
    fn number_activities(&mut self) {
        let labelled = self
            .activities
            .iter()
            .any(|p| matches!(p.numbering, Numbering::Labelled));
        let given = self
            .activities
            .iter()
            .filter(|p| matches!(p.numbering, Numbering::Given))
            .count();
        if labelled || given == 0 {
            for (i, p) in self.activities.iter_mut().enumerate() {
                if let Ok(n) = ActivityNumber::new(i as u32 + 1) {
                    p.activity.number = n;
                }
                if let Numbering::Given = p.numbering {
                    p.activity.details.label = p.activity.number.to_string();
                }
            }
            return;
        }
        let column = self
            .table
            .as_ref()
            .map_or(0, |t| t.columns[&Column::Activity]);
        for p in &self.activities {
            if let Numbering::Missing(e) = &p.numbering {
                self.errors.push(err(
                    p.location.cell_of_row(column),
                    Column::Activity.title(),
                    e.clone(),
                ));
            }
        }
    }

    /// Starts signature groups when the row holds labels; returns whether it did.
    fn signature_labels(&mut self, row: &Row) -> bool {
        // Only a row that opens with a label is a label row: an activity whose deliverable
        // reads "Revisó: …" stays an activity.
        let first = row
            .cells
            .iter()
            .map(CellValue::text)
            .find(|t| !t.is_empty());
        if first.is_none_or(|t| signature_label(&t).is_none()) {
            return false;
        }
        let labels: Vec<(usize, SignatureRole, String)> = row
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| signature_label(&c.text()).map(|(role, rest)| (i, role, rest)))
            .collect();
        if labels.is_empty() {
            return false;
        }
        self.open_groups.clear();
        for (column, role, rest) in labels {
            self.open_groups.push(self.groups.len());
            self.groups.push(SignatureGroup {
                role,
                column,
                location: row.location_of(column),
                lines: if rest.is_empty() { vec![] } else { vec![rest] },
            });
        }
        true
    }

    fn signature_line(&mut self, row: &Row) {
        if self.open_groups.is_empty() {
            self.errors.push(err(
                row.location.clone(),
                "Firmas",
                format!(
                    "fila no reconocida «{}»; tras la tabla se esperaban las firmas (Consolidó, Revisó, Aprobó) y la línea de versión",
                    excerpt(&row.value_after_label_with_first())
                ),
            ));
            return;
        }
        for (col, cell) in row.cells.iter().enumerate() {
            let text = cell.text();
            if text.is_empty() {
                continue;
            }
            // The group whose column is the nearest at or left of this cell.
            let target = self
                .open_groups
                .iter()
                .copied()
                .filter(|g| self.groups[*g].column <= col)
                .max_by_key(|g| self.groups[*g].column)
                .unwrap_or(self.open_groups[0]);
            self.groups[target].lines.push(text);
        }
    }

    fn version_line(&mut self, row: &Row) {
        match parse_version(row) {
            Ok(v) if self.version.is_none() => self.version = Some(v),
            Ok(_) => self.errors.push(err(
                row.location.clone(),
                "Versión",
                "hay dos líneas de versión; se esperaba una",
            )),
            Err(e) => self.errors.push(err(row.location.clone(), "Versión", e)),
        }
        self.open_groups.clear();
    }

    fn take(&mut self, label: HeaderLabel) -> Option<(String, Location, Vec<String>)> {
        self.header
            .remove(&label)
            .map(|h| (h.text, h.location, h.continuation))
    }

    /// A required header value with its continuation lines joined.
    fn required(&mut self, label: HeaderLabel) -> Option<(String, Location)> {
        match self.take(label) {
            Some((text, location, more)) => {
                let mut all = vec![text];
                all.extend(more);
                let joined = all
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                if joined.is_empty() {
                    self.errors.push(err(
                        location.clone(),
                        label.text().trim_end_matches(':'),
                        "falta el valor junto al título de la fila",
                    ));
                    None
                } else {
                    Some((joined, location))
                }
            }
            None => {
                self.errors.push(err(
                    Location::Document,
                    label.text().trim_end_matches(':'),
                    format!("falta la fila «{}» del encabezado", label.text()),
                ));
                None
            }
        }
    }

    fn coded(&mut self, label: HeaderLabel) -> Option<(CodedText, Location)> {
        let (text, location) = self.required(label)?;
        match CodedText::split(&text) {
            Some(c) => Some((c, location)),
            None => {
                self.errors.push(err(
                    location.at_column(1),
                    label.text(),
                    format!("se esperaba el código seguido del texto, como «5.5.1 Definición y ejecución…»; se encontró «{}»", excerpt(&text)),
                ));
                None
            }
        }
    }

    fn finish(mut self) -> Result<Plan, ErrorList> {
        self.number_activities();
        if self.table.is_some() {
            for e in std::mem::take(&mut self.table_like) {
                self.errors.push(e);
            }
        }
        let mut places: HashMap<PlanField, Location> = HashMap::new();
        let entity = self
            .take(HeaderLabel::Entity)
            .map(|(t, _, _)| t)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.options.entity.clone());
        let title = match (
            self.take(HeaderLabel::Formulation),
            self.take(HeaderLabel::Title),
        ) {
            (_, Some((t, loc, _))) => Some((t, loc)),
            (Some((t, loc, _)), None) => Some((without_stage(&t), loc)),
            (None, None) => self
                .heading
                .clone()
                .map(|(t, loc)| (without_stage(&t), loc)),
        };
        let year_row = self.take(HeaderLabel::Year);
        let year = self.year(title.as_ref(), year_row);
        if title.is_none() {
            self.errors.push(err(
                Location::Document,
                "Formulación",
                "falta el título del plan (fila «Formulación», p. ej. «Formulación Plan de Participación Ciudadana 2025»)",
            ));
        }
        if let Some((_, loc)) = &title {
            places.insert(PlanField::Title, loc.clone());
        }
        let policy = self.required(HeaderLabel::Policy);
        let strategic_objective = self.coded(HeaderLabel::StrategicObjective);
        let office_objective = self.coded(HeaderLabel::OfficeObjective);
        let strategic_initiative = self.coded(HeaderLabel::StrategicInitiative);
        let objectives = match self.take(HeaderLabel::Objectives) {
            Some((first, loc, more)) => {
                places.insert(PlanField::Objectives, loc);
                let mut all = vec![first];
                all.extend(more);
                all.retain(|o| !o.is_empty());
                all
            }
            None => Vec::new(),
        };
        let legal = self.required(HeaderLabel::LegalFramework);
        let offices_row = self.required(HeaderLabel::Offices);
        let named = offices_row.as_ref().and_then(|(text, loc)| {
            parse_offices_text(text)
                .map_err(|e| {
                    self.errors
                        .push(err(loc.at_column(1), "Dependencias responsables", e))
                })
                .ok()
        });
        if self.table.is_none() {
            let rows = self.table_like.len();
            let hint = match self.table_like.first() {
                Some(first) => format!(
                    " ({rows} filas de cuatro celdas o más, desde la {}, parecen de una tabla cuyos títulos no se reconocen: diga qué guarda cada columna)",
                    first.location
                ),
                None => String::new(),
            };
            self.table_like.clear();
            self.errors.push(err(
                Location::Document,
                "Actividades",
                format!("{NO_TITLE_ROW}{hint}"),
            ));
        } else if self.activities.is_empty() && self.errors.is_empty() {
            self.errors.push(err(
                Location::Document,
                "Actividades",
                "la tabla no tiene actividades",
            ));
        }
        let signatures = self.signatures();

        for (key, value) in [
            (PlanField::Policy, policy.as_ref().map(|p| &p.1)),
            (
                PlanField::StrategicObjective,
                strategic_objective.as_ref().map(|p| &p.1),
            ),
            (
                PlanField::OfficeObjective,
                office_objective.as_ref().map(|p| &p.1),
            ),
            (
                PlanField::StrategicInitiative,
                strategic_initiative.as_ref().map(|p| &p.1),
            ),
            (PlanField::Offices, offices_row.as_ref().map(|p| &p.1)),
        ] {
            if let Some(loc) = value {
                places.insert(key, loc.clone());
            }
        }

        // When the header is incomplete its errors are already listed; the activities and
        // signatures are still checked against placeholders so that every error of the
        // file is reported at once. Placeholders never reach a plan: errors exist.
        let header_complete = title.is_some()
            && year.is_some()
            && policy.is_some()
            && strategic_objective.is_some()
            && office_objective.is_some()
            && strategic_initiative.is_some()
            && legal.is_some()
            && named.is_some();
        let offices_known = named.is_some();
        let placeholder = |code: &str| CodedText {
            code: participa_domain::AlignmentCode::parse(code).expect("valid placeholder code"),
            text: "-".into(),
        };
        let title = title.map_or_else(|| "-".to_string(), |t| t.0);
        let year = year.unwrap_or(PlanYear::new(2000).expect("valid placeholder year"));
        let policy = policy.map_or_else(|| "-".to_string(), |p| p.0);
        let strategic_objective = strategic_objective.map_or_else(|| placeholder("1"), |c| c.0);
        let office_objective = office_objective.map_or_else(|| placeholder("1.1"), |c| c.0);
        let strategic_initiative =
            strategic_initiative.map_or_else(|| placeholder("1.1.1"), |c| c.0);
        let legal = legal.map_or_else(String::new, |l| l.0);
        let offices_text = offices_row.map_or_else(String::new, |o| o.0);
        let named = named.unwrap_or_default();
        let offices = named
            .into_iter()
            .map(|n| {
                // The table names each office in full where it is the only one responsible
                // ("ARVIV Área de Vivienda"); the header sentence abbreviates ("Vivienda").
                let from_table = self.activities.iter().find_map(|p| {
                    let a = &p.activity;
                    (a.responsible == [n.code.clone()] && !a.responsible_text.is_empty())
                        .then(|| a.responsible_text.clone())
                });
                Office {
                    name: from_table.unwrap_or_else(|| capitalize(&n.name)),
                    code: n.code,
                    role: n.role,
                }
            })
            .collect();
        let (activities, activity_places): (Vec<Activity>, Vec<Location>) = self
            .activities
            .into_iter()
            .map(|p| (p.activity, p.location))
            .unzip();
        let (signatures, signature_places): (Vec<Signature>, Vec<Location>) =
            signatures.into_iter().unzip();
        let draft = PlanDraft {
            entity,
            title,
            year,
            alignment: Alignment {
                policy,
                strategic_objective,
                office_objective,
                strategic_initiative,
            },
            objectives,
            legal_framework: LegalFramework::from_text(&legal),
            offices,
            offices_text,
            activities,
            signatures,
            version: self.version,
        };
        let columns = self.table.map(|t| t.columns).unwrap_or_default();
        match Plan::try_from_draft(draft) {
            Ok(plan) if self.errors.is_empty() && header_complete => Ok(plan),
            Ok(_) => Err(self.errors),
            Err(rules) => {
                for e in rules.0 {
                    let field = e.field();
                    let about_placeholder = match (&e, field) {
                        (participa_domain::PlanError::UnknownOffice { .. }, _)
                        | (participa_domain::PlanError::NoLeader, _) => !offices_known,
                        (_, PlanField::Activity(..) | PlanField::Signature(_)) => false,
                        _ => !header_complete,
                    };
                    if about_placeholder {
                        continue;
                    }
                    let (location, name) = match field {
                        PlanField::Activity(i, f) => {
                            let column = columns[&column_of(f)];
                            (
                                activity_places[i].cell_of_row(column),
                                column_of(f).title().to_string(),
                            )
                        }
                        PlanField::Signature(i) => {
                            (signature_places[i].clone(), "Firmas".to_string())
                        }
                        other => (
                            places.get(&other).cloned().unwrap_or(Location::Document),
                            header_label(other).to_string(),
                        ),
                    };
                    self.errors.push(err(location, &name, e.to_string()));
                }
                Err(self.errors)
            }
        }
    }

    fn year(
        &mut self,
        title: Option<&(String, Location)>,
        year_row: Option<(String, Location, Vec<String>)>,
    ) -> Option<PlanYear> {
        if let Some((text, loc, _)) = year_row {
            return match text
                .trim()
                .parse::<i32>()
                .map_err(|_| text.clone())
                .and_then(|y| PlanYear::new(y).map_err(|e| e.to_string()))
            {
                Ok(y) => Some(y),
                Err(e) => {
                    self.errors.push(err(
                        loc.at_column(1),
                        "Vigencia",
                        format!("se esperaba el año, como 2025 ({e})"),
                    ));
                    None
                }
            };
        }
        let (title, loc) = title?;
        match year_in_title(title).map(PlanYear::new) {
            Some(Ok(y)) => Some(y),
            Some(Err(e)) => {
                self.errors
                    .push(err(loc.at_column(1), "Formulación", e.to_string()));
                None
            }
            None => {
                self.errors.push(err(
                    loc.at_column(1),
                    "Formulación",
                    "el título no dice el año de la vigencia (p. ej. «… 2025»); agréguelo o añada una fila «Vigencia»",
                ));
                None
            }
        }
    }

    fn signatures(&mut self) -> Vec<(Signature, Location)> {
        let mut out = Vec::new();
        for g in std::mem::take(&mut self.groups) {
            let mut lines = g.lines.into_iter();
            match lines.next() {
                Some(name) => {
                    let position = lines.collect::<Vec<_>>().join(" ");
                    out.push((
                        Signature {
                            role: g.role,
                            name,
                            position,
                        },
                        g.location,
                    ));
                }
                None => self.errors.push(err(
                    g.location,
                    g.role.label(),
                    "falta el nombre de quien firma en las líneas siguientes",
                )),
            }
        }
        out
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn column_of(f: ActivityField) -> Column {
    match f {
        ActivityField::Number | ActivityField::Description => Column::Activity,
        ActivityField::Start => Column::Start,
        ActivityField::End => Column::End,
        ActivityField::Responsible => Column::Responsible,
        ActivityField::Deliverable => Column::Deliverable,
    }
}

/// How the document labels a header field a domain rule points at.
fn header_label(field: PlanField) -> &'static str {
    match field {
        PlanField::Entity => "Entidad",
        PlanField::Title => "Formulación",
        PlanField::Policy => "Política de Gestión y Desempeño Institucional",
        PlanField::StrategicObjective => "Objetivo estratégico",
        PlanField::OfficeObjective => "Objetivo dependencia",
        PlanField::StrategicInitiative => "Iniciativa estratégica",
        PlanField::Objectives => "Objetivos del plan",
        PlanField::Offices | PlanField::Activity(..) | PlanField::Signature(_) => {
            "Dependencias responsables"
        }
    }
}

impl Row {
    fn value_after_label_with_first(&self) -> String {
        self.cells
            .iter()
            .map(CellValue::text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}
