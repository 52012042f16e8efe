//! The files of the outside world: the seed's tab-separated layout and the same layout
//! as XLSX (read and written), the open-data JSON contract and a CSV of activities.
//!
//! Reading goes bytes → rows ([`sheet::Row`]) → [`layout_read::read_plan`], so TSV and
//! XLSX share one layout reader and one set of error messages. Each step reads within
//! [`Limits`] and stops at the first value past them; a refused file lists at most
//! [`error::LISTED_ERRORS`] errors and counts the rest.

pub mod attendance;
pub mod channel_figures;
pub mod csv_export;
pub mod csv_open;
pub mod date_span;
pub mod encoding;
pub mod error;
pub mod formula_guard;
pub mod json;
pub mod labels;
pub mod layout_read;
pub mod limits;
pub mod offices_text;
pub mod responsible;
pub mod sheet;
pub mod spanish_date;
pub mod table_columns;
pub mod tags_tsv;
pub mod template;
pub mod tsv;
pub mod xlsx;
mod xlsx_package;

pub use error::{ImportError, ImportErrors, Location};
pub use layout_read::ReadOptions;
pub use limits::Limits;

use participa_domain::Plan;
use std::fmt;
use std::str::FromStr;

/// Reads a plan from a file's bytes: XLSX when the bytes are a zip container, text in
/// the seed's layout otherwise. `file` names the file in error messages. More than
/// `options.limits.file_bytes` is refused unread, so a caller reading a file may stop
/// one byte past that.
pub fn import_plan(file: &str, bytes: &[u8], options: &ReadOptions) -> Result<Plan, ImportErrors> {
    let rows = rows_of(file, bytes, &options.limits)?;
    layout_read::read_plan(&rows, options).map_err(|list| ImportErrors::from_list(file, list))
}

/// A file's rows: XLSX when the bytes are a zip container, text otherwise; within
/// `limits`, more than `limits.file_bytes` refused unread.
fn rows_of(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<sheet::Row>, ImportErrors> {
    let fail = |error| ImportErrors::new(file, vec![error]);
    if bytes.len() > limits.file_bytes {
        return Err(fail(ImportError {
            location: Location::Document,
            field: "Archivo".into(),
            message: format!(
                "el archivo pasa de {}, el máximo que se lee; un plan ocupa unos cientos de KB",
                limits::size(limits.file_bytes as u64)
            ),
        }));
    }
    if xlsx::looks_like_xlsx(bytes) {
        xlsx::rows_from_xlsx(bytes, limits)
    } else {
        tsv::rows_from_bytes(bytes, limits)
    }
    .map_err(fail)
}

/// The activities table's columns of a file as `options` read them: its title row as the
/// import finds it (true), or the likeliest row when none reads as one (false; see
/// [`layout_read::table_columns`]); an error when the file has neither.
pub fn detect_columns(file: &str, bytes: &[u8], options: &ReadOptions) -> Columns {
    let rows = rows_of(file, bytes, &options.limits)?;
    columns_of(file, &rows, options)
}

/// A file's activity-table columns, and whether a row read as its title row (false:
/// the likeliest row's), or why none could be found.
pub type Columns = Result<(Vec<table_columns::TableColumn>, bool), ImportErrors>;

/// What an import preview shows, from one reading of the file: its columns (as
/// [`detect_columns`]) and the plan or its errors (as [`import_plan`]).
pub fn preview(
    file: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> (Columns, Result<Plan, ImportErrors>) {
    match rows_of(file, bytes, &options.limits) {
        Err(e) => (Err(e.clone()), Err(e)),
        Ok(rows) => (
            columns_of(file, &rows, options),
            layout_read::read_plan(&rows, options)
                .map_err(|list| ImportErrors::from_list(file, list)),
        ),
    }
}

fn columns_of(file: &str, rows: &[sheet::Row], options: &ReadOptions) -> Columns {
    layout_read::table_columns(rows, options).ok_or_else(|| {
        ImportErrors::new(
            file,
            vec![ImportError {
                location: Location::Document,
                field: "Actividades".into(),
                message: layout_read::NO_TITLE_ROW.into(),
            }],
        )
    })
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Xlsx,
    Tsv,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Json,
        ExportFormat::Csv,
        ExportFormat::Xlsx,
        ExportFormat::Tsv,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Tsv => "tsv",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Tsv => "text/tab-separated-values; charset=utf-8",
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("formato desconocido «{s}»; se esperaba json, csv, xlsx o tsv"))
    }
}

/// Writes a plan in the given format, naming groups of value as Participa's starting
/// catalogue does.
pub fn export_plan(plan: &Plan, format: ExportFormat) -> Vec<u8> {
    export_plan_with(plan, format, &tags_tsv::GroupNames::default())
}

/// Writes a plan in the given format; a spreadsheet names the groups of value from
/// `groups` (the entity's catalogue).
pub fn export_plan_with(
    plan: &Plan,
    format: ExportFormat,
    groups: &tags_tsv::GroupNames,
) -> Vec<u8> {
    match format {
        ExportFormat::Json => json::write_json(plan),
        ExportFormat::Csv => csv_export::write_csv(plan),
        ExportFormat::Xlsx => xlsx::write_xlsx(plan, groups)
            .expect("an in-memory workbook of valid values is always written"),
        ExportFormat::Tsv => tsv::write_tsv(plan),
    }
}
