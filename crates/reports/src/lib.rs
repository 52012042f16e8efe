//! Participa's reports: the plan document and the follow-up report as PDF (Typst used as
//! a library, templates in `templates/*.typ` that a non-programmer can edit, fonts
//! embedded) and the follow-up report as XLSX. The data arrive already computed and in
//! Spanish: this crate only lays them out.

mod chart;
mod deliverable;
mod xlsx;

pub use chart::{bar_chart, office_chart};
pub use deliverable::{deliverable_pdf, deliverable_xlsx, Bar, Cell, DeliverableReport, Section};
pub use xlsx::followup_xlsx;

use serde::Serialize;
use std::sync::LazyLock;
use typst::foundations::{Dict, IntoValue, Str};
use typst_as_lib::typst_kit_options::TypstKitFontOptions;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no se pudo componer el PDF: {0}")]
    Typst(String),
    #[error("no se pudo escribir el XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("datos del informe: {0}")]
    Data(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityLine {
    pub number: u32,
    pub description: String,
    pub start: String,
    pub end: String,
    pub responsible: String,
    pub deliverable: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureLine {
    pub role: String,
    pub name: String,
    pub position: String,
    /// The approval's acta on the «Aprobó» line (empty on the others).
    pub acta: String,
}

/// The plan as the planning office publishes it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDocument {
    pub entity: String,
    pub title: String,
    /// `Publicado · versión 3 del plan en Participa`.
    pub status: String,
    pub policy: String,
    pub strategic_objective: String,
    pub office_objective: String,
    pub strategic_initiative: String,
    pub objectives: Vec<String>,
    pub legal: String,
    pub offices_text: String,
    pub activities: Vec<ActivityLine>,
    pub signatures: Vec<SignatureLine>,
    pub version: Option<String>,
    pub generated: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLine {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowupRow {
    pub number: u32,
    pub description: String,
    pub offices: String,
    pub start: String,
    pub end: String,
    /// Percentages already written (`37,5 %`, `—`).
    pub expected: String,
    pub reported: String,
    pub verified: String,
    pub status: String,
    pub narrative: String,
    pub difficulties: String,
    /// `Participantes: 120 personas`.
    pub figures: Vec<String>,
    pub evidence: Vec<EvidenceLine>,
    pub sufficiency: String,
    pub observations: String,
    pub recommendations: String,
    /// Every submission and review of the activity up to the period, oldest first
    /// (`narrative` is the latest accepted one).
    pub history: Vec<String>,
    /// The same dates and percentages as values, for the workbook's typed cells.
    #[serde(skip)]
    pub values: RowValues,
}

/// A follow-up row's dates and percentages (0 to 100) as values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowValues {
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub expected: Option<f64>,
    pub reported: Option<f64>,
    pub verified: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficeProgress {
    pub code: String,
    pub name: String,
    pub expected: String,
    pub progress: String,
    #[serde(skip)]
    pub expected_value: f64,
    #[serde(skip)]
    pub progress_value: f64,
}

/// A follow-up report's dates and percentages (0 to 100) as values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportValues {
    pub cut_off: Option<chrono::NaiveDate>,
    pub as_of: Option<chrono::NaiveDate>,
    pub plan_expected: Option<f64>,
    pub plan_progress: Option<f64>,
}

/// The follow-up report of one period.
#[derive(Debug, Clone, Serialize)]
pub struct FollowupReport {
    pub entity: String,
    pub title: String,
    pub period_name: String,
    pub cut_off: String,
    /// The date the statuses are computed for.
    pub as_of: String,
    pub closed: String,
    pub plan_expected: String,
    pub plan_progress: String,
    /// The cut-off, the as-of date and the plan's percentages as values, for the
    /// workbook's typed cells.
    #[serde(skip)]
    pub values: ReportValues,
    pub counts: Vec<StatusCount>,
    pub by_office: Vec<OfficeProgress>,
    pub rows: Vec<FollowupRow>,
    pub generated: String,
    pub chart_svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupCount {
    pub group: String,
    /// Written: small groups may be shown as a range.
    pub count: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionLine {
    pub code: String,
    pub text: String,
    pub answer: String,
    pub status: String,
    pub answered: String,
}

/// The report of a public accountability hearing.
#[derive(Debug, Clone, Serialize)]
pub struct HearingReport {
    pub entity: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub convocation: String,
    pub report: String,
    pub registrations: usize,
    pub by_group: Vec<GroupCount>,
    pub deadline: String,
    pub answered_on_time: usize,
    pub questions: Vec<QuestionLine>,
    pub generated: String,
    /// Responses to the evaluation survey, and its results per question.
    pub evaluation_responses: usize,
    pub evaluation: Vec<EvaluationLine>,
}

/// One question of the hearing's evaluation survey.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationLine {
    pub question: String,
    pub answered: usize,
    /// (option, count, percent), both written.
    pub rows: Vec<(String, String, String)>,
    /// The average, for scales.
    pub average: String,
}

const COMMON: &str = include_str!("../templates/common.typ");
const HEARING: &str = include_str!("../templates/audiencia.typ");
const PLAN: &str = include_str!("../templates/plan.typ");
const FOLLOWUP: &str = include_str!("../templates/seguimiento.typ");
const DELIVERABLE: &str = include_str!("../templates/entregable.typ");

/// One engine for every report: the embedded fonts are loaded once.
static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .with_static_source_file_resolver([
            ("common.typ", COMMON),
            ("plan.typ", PLAN),
            ("seguimiento.typ", FOLLOWUP),
            ("audiencia.typ", HEARING),
            ("entregable.typ", DELIVERABLE),
        ])
        .search_fonts_with(
            TypstKitFontOptions::default()
                .include_system_fonts(false)
                .include_embedded_fonts(true),
        )
        .build()
});

fn render(template: &str, data: &impl Serialize) -> Result<Vec<u8>, ReportError> {
    let json = serde_json::to_string(data)?;
    let mut inputs = Dict::new();
    inputs.insert(Str::from("data"), json.as_str().into_value());
    let doc: PagedDocument = ENGINE
        .compile_with_input(template, inputs)
        .output
        .map_err(|e| ReportError::Typst(format!("{e:?}")))?;
    let pdf =
        typst_pdf::pdf(&doc, &Default::default()).map_err(|e| ReportError::Typst(format!("{e:?}")));
    drop(doc);
    // Typst keeps what each compilation computed, for the next one to reuse; a server
    // draws a report now and then, so it lets go of it at once instead of holding on
    // to a hundred megabytes between reports.
    typst::comemo::evict(0);
    pdf
}

/// The plan document as PDF.
pub fn plan_pdf(plan: &PlanDocument) -> Result<Vec<u8>, ReportError> {
    render("plan.typ", plan)
}

/// The follow-up report as PDF.
pub fn followup_pdf(report: &FollowupReport) -> Result<Vec<u8>, ReportError> {
    render("seguimiento.typ", report)
}

/// The hearing report as PDF.
pub fn hearing_pdf(report: &HearingReport) -> Result<Vec<u8>, ReportError> {
    render("audiencia.typ", report)
}
