//! Follow-up pages: the plan's dashboard (status of each activity at a date, counts,
//! progress against expected, periods, what each office owes), each activity's reports
//! with evidence and internal control's reviews, closing a period, and the settings.

use crate::auth::CurrentUser;
use crate::charts::progress_chart;
use crate::error::{AppError, AppResult};
use crate::extract::Multipart;
use crate::extract::{Path, Query};
use crate::form::{sentence, FieldErrors, FormData};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use std::sync::Arc;

use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use participa_app::dates::{fecha, momento, today};
use participa_app::followup::{dashboard, pct, ActivityRow, Dashboard, Owed, PeriodRow};
use participa_domain::followup::{
    periods, Aggregation, Decision, Frequency, Indicator, ManualStatus, ProgressInput, ReportState,
    ReviewInput, ScheduleStatus, Sufficiency, Thresholds,
};
use participa_domain::{Action, Activity, Plan};
use participa_store::{
    check_evidence, FollowUp, FollowupError, FollowupSettings, NewReport, PlanId, ReportRecord,
    StoreError,
};
use serde::Deserialize;

/// How many evidence files of the largest size one progress report may carry.
pub const FILES_PER_REPORT: usize = 5;

/// The follow-up routes; `evidence_limit` is the largest evidence file accepted.
pub fn routes(evidence_limit: usize) -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/planes/{id}/seguimiento", show)
        .post("/planes/{id}/seguimiento/configuracion", settings)
        .post("/planes/{id}/seguimiento/pesos", weights)
        .post(
            "/planes/{id}/seguimiento/actividades/{number}/estado",
            manual_status,
        )
        .get(
            "/planes/{id}/seguimiento/periodos/{period}/cerrar",
            close_form,
        )
        .post(
            "/planes/{id}/seguimiento/periodos/{period}/cerrar",
            close_period,
        )
        .get("/planes/{id}/seguimiento/actividades/{number}", activity)
        .post_up_to(
            "/planes/{id}/seguimiento/actividades/{number}/avance",
            report,
            evidence_limit * FILES_PER_REPORT + crate::BODY_LIMIT,
        )
        .post(
            "/planes/{id}/seguimiento/actividades/{number}/revision",
            review,
        )
        .post(
            "/planes/{id}/seguimiento/actividades/{number}/indicadores",
            add_indicator,
        )
        .get("/evidencias/{id}", evidence)
        .post("/evidencias/{id}/visibilidad", evidence_visibility)
}

async fn close_after(state: &AppState, today: NaiveDate) -> AppResult<u32> {
    Ok(state.store.reporting_days(today).await?)
}

/// Parses `37,5` or `37.5`.
fn decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

// ------------------------------------------------------------------ dashboard

#[derive(Template)]
#[template(path = "followup.html")]
pub struct FollowupPage {
    pub layout: Layout,
    pub plan_id: i64,
    pub plan_title: String,
    pub today: String,
    pub today_text: String,
    pub office: String,
    pub offices: Vec<(String, String)>,
    pub frequency: Frequency,
    pub frequencies: Vec<(&'static str, &'static str, bool)>,
    pub at_risk: String,
    pub late: String,
    pub periods: Vec<PeriodRow>,
    pub due: String,
    pub rows: Vec<ActivityRow>,
    pub counts: Vec<(ScheduleStatus, usize)>,
    pub plan_expected: String,
    pub plan_progress: String,
    pub owed: Vec<Owed>,
    pub curve: Vec<(String, String, String)>,
    pub chart: String,
    pub can_manage: bool,
    pub can_close: bool,
    /// Activity number and its weight as shown in the form.
    pub weights: Vec<(u32, String)>,
    pub errors: FieldErrors,
    pub message: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct FollowupQuery {
    fecha: Option<String>,
    dependencia: Option<String>,
    mensaje: Option<String>,
}

fn message(code: &str) -> Option<&'static str> {
    Some(match code {
        "configuracion" => "Configuración del seguimiento guardada.",
        "cerrado" => "Periodo cerrado: sus reportes quedan bloqueados.",
        "reporte" => "Avance enviado a control interno.",
        "revision" => "Revisión registrada.",
        "indicador" => "Indicador agregado.",
        "estado" => "Estado de la actividad cambiado.",
        "pesos" => "Pesos de las actividades guardados.",
        "evidencia_publica" => "Evidencia publicada en la página pública del plan.",
        "evidencia_privada" => "Evidencia retirada de la página pública del plan.",
        _ => return None,
    })
}

/// What the dashboard's forms hold when one was refused.
#[derive(Default)]
struct Typed {
    /// Frequency, at-risk and late thresholds.
    settings: Option<(String, String, String)>,
    /// Weight per activity.
    weights: Option<Vec<(u32, String)>>,
}

/// A plan's follow-up dashboard as last computed, with what it was computed from:
/// shared by every staff member of the entity who opens it, and computed again when
/// the entity's audit log moves (every report, review, setting, holiday and parameter
/// change is audited), on another day, or for another office.
pub struct DashboardView {
    change: i64,
    /// [`AppState::writes`] when computed, and when: a write this server answered
    /// meanwhile, or [`DASHBOARD_FRESH_FOR`], makes it computed again (an audit entry
    /// committed late by another transaction cannot keep it stale).
    writes: u64,
    made: std::time::Instant,
    /// Claimed by the one request that computes it again once it is only old: the
    /// others meanwhile show this one, instead of all computing it at once.
    refreshing: std::sync::atomic::AtomicBool,
    plan: participa_domain::Plan,
    f: participa_store::FollowUp,
    office: Option<String>,
    d: Dashboard,
    chart: String,
}

/// The dashboards lately computed, by (plan, day, office asked for).
pub type DashboardCache = std::sync::Mutex<
    std::collections::HashMap<(i64, NaiveDate, Option<String>), Arc<DashboardView>>,
>;

/// The most dashboards kept; past it the kept ones start over.
const DASHBOARDS_KEPT: usize = 256;

/// How long a computed dashboard is shown at most.
const DASHBOARD_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10);

async fn dashboard_view(
    state: &AppState,
    id: i64,
    today: NaiveDate,
    office: Option<String>,
) -> AppResult<Arc<DashboardView>> {
    let writes = state.writes.load(std::sync::atomic::Ordering::Acquire);
    let change = state.last_change().await?;
    let key = (id, today, office.clone());
    let kept = state
        .dashboards
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    if let Some(v) = kept.filter(|v| v.change == change && v.writes == writes) {
        let old = v.made.elapsed() >= DASHBOARD_FRESH_FOR;
        if !old || v.refreshing.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return Ok(v);
        }
    }
    let plan = state.store.plan(PlanId(id)).await?;
    let f = state.store.followup(PlanId(id)).await?;
    let calendar = state.store.calendar().await?;
    let office = office.filter(|o| plan.offices.iter().any(|x| x.code.as_str() == o));
    let d: Dashboard = dashboard(
        &plan,
        &f,
        &calendar,
        close_after(state, today).await?,
        today,
        office.as_deref(),
    );
    let chart = progress_chart(
        &d,
        &format!("Avance del plan {} frente al esperado", plan.year),
    );
    // An office the plan does not have is shown as the whole plan, and not kept
    // under what was typed.
    let key = (id, today, office.clone());
    let view = Arc::new(DashboardView {
        change,
        writes,
        made: std::time::Instant::now(),
        refreshing: Default::default(),
        plan,
        f,
        office,
        d,
        chart,
    });
    let mut kept = state.dashboards.lock().unwrap_or_else(|p| p.into_inner());
    if kept.len() >= DASHBOARDS_KEPT {
        kept.clear();
    }
    kept.insert(key, view.clone());
    Ok(view)
}

#[allow(clippy::too_many_arguments)]
async fn followup_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    today: NaiveDate,
    office: Option<String>,
    errors: FieldErrors,
    typed: Typed,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let view = dashboard_view(state, id, today, office).await?;
    let (plan, f, office) = (&view.plan, &view.f, &view.office);
    let d = view.d.clone();
    let weights = typed.weights.unwrap_or_else(|| {
        plan.activities
            .iter()
            .map(|a| {
                let n = a.number.get();
                (n, f.weights.get(&n).map(|w| pct(*w)).unwrap_or_default())
            })
            .collect()
    });
    let (freq, at_risk, late) = typed.settings.unwrap_or_else(|| {
        (
            f.settings.frequency.as_str().into(),
            pct(f.settings.thresholds.at_risk),
            pct(f.settings.thresholds.late),
        )
    });
    let chart = view.chart.clone();
    let page = FollowupPage {
        layout: user.layout(format!("Seguimiento · {}", plan.title), state),
        plan_id: id,
        plan_title: plan.title.clone(),
        today: today.to_string(),
        today_text: fecha(today),
        office: office.clone().unwrap_or_default(),
        offices: plan
            .offices
            .iter()
            .map(|o| (o.code.to_string(), o.name.clone()))
            .collect(),
        frequency: f.settings.frequency,
        frequencies: Frequency::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(), x.as_str() == freq))
            .collect(),
        at_risk,
        late,
        due: d
            .due
            .map(|p| p.name(f.settings.frequency))
            .unwrap_or_else(|| "ninguno: el año terminó".into()),
        periods: d.periods,
        counts: d.counts,
        plan_expected: pct(d.plan_expected),
        plan_progress: pct(d.plan_progress),
        owed: d.owed,
        curve: d
            .curve
            .iter()
            .map(|(m, e, r)| (fecha(*m), pct(*e), r.map(pct).unwrap_or_else(|| "—".into())))
            .collect(),
        chart,
        rows: d.rows,
        can_manage: user.can(Action::ManageFollowup),
        can_close: user.can(Action::ClosePeriod),
        weights,
        errors,
        message,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FollowupQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let today =
        participa_domain::dates::parse_optional("la fecha del seguimiento", q.fecha.as_deref())
            .map_err(AppError::bad_request)?
            .unwrap_or_else(today);
    let office = q.dependencia.filter(|d| !d.is_empty());
    let message = q.mensaje.as_deref().and_then(message);
    followup_page(
        &state,
        &user,
        id,
        today,
        office,
        FieldErrors::new(),
        Typed::default(),
        message,
    )
    .await
}

pub async fn settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageFollowup)?;
    let typed = (
        form.get("frecuencia").to_string(),
        form.get("riesgo").trim().to_string(),
        form.get("atraso").trim().to_string(),
    );
    let mut errors = FieldErrors::new();
    let frequency = Frequency::parse(&typed.0);
    if frequency.is_none() {
        errors.insert("frecuencia", "Elija la frecuencia del seguimiento.".into());
    }
    let (risk, late) = (decimal(&typed.1), decimal(&typed.2));
    if risk.is_none() {
        errors.insert(
            "riesgo",
            format!("«{}» no es un número de puntos.", typed.1),
        );
    }
    if late.is_none() {
        errors.insert(
            "atraso",
            format!("«{}» no es un número de puntos.", typed.2),
        );
    }
    let thresholds = match (risk, late) {
        (Some(r), Some(l)) => Thresholds::new(r, l).map_err(|e| {
            errors.add("riesgo", &e);
        }),
        _ => Err(()),
    };
    match (frequency, thresholds) {
        (Some(frequency), Ok(thresholds)) if errors.is_empty() => {
            state
                .store
                .set_followup_settings(
                    PlanId(id),
                    FollowupSettings {
                        frequency,
                        thresholds,
                    },
                    &user.actor(),
                )
                .await?;
            Ok(Redirect::to(&format!(
                "/admin/planes/{id}/seguimiento?mensaje=configuracion"
            ))
            .into_response())
        }
        _ => {
            followup_page(
                &state,
                &user,
                id,
                today(),
                None,
                errors,
                Typed {
                    settings: Some(typed),
                    ..Default::default()
                },
                None,
            )
            .await
        }
    }
}

/// The confirmation page of closing a period: what closing does, and what is missing
/// (activities without a report, reports not reviewed or returned), each linked to the
/// activity; the close needs its checkbox ticked.
async fn close_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    period: u32,
    errors: FieldErrors,
) -> AppResult<Response> {
    let plan = state.store.plan(PlanId(id)).await?;
    let f = state.store.followup(PlanId(id)).await?;
    let Some(p) = periods(plan.year.get(), f.settings.frequency)
        .into_iter()
        .find(|p| p.number == period)
    else {
        return Err(AppError::NotFound);
    };
    if f.is_closed(period) {
        return Err(StoreError::Followup(FollowupError::AlreadyClosed(period)).into());
    }
    let gaps = participa_app::followup::closing_gaps(&plan, &f, &p);
    let name = p.name(f.settings.frequency);
    let item = |n: &u32| {
        let text = plan
            .activities
            .iter()
            .find(|a| a.number.get() == *n)
            .map(|a| format!("Actividad {n}: {} ({})", a.description, a.responsible_text))
            .unwrap_or_else(|| format!("Actividad {n}"));
        (
            text,
            Some(format!("/admin/planes/{id}/seguimiento/actividades/{n}")),
        )
    };
    let list = |title: String, empty: &str, items: &[u32]| crate::views::ConfirmList {
        title,
        empty: empty.to_string(),
        items: items.iter().map(item).collect(),
    };
    let page = crate::views::ConfirmPage {
        layout: user.layout(format!("Cerrar el periodo {period}"), state),
        heading: format!("¿Cerrar el periodo «{name}» de «{}»?", plan.title),
        back_href: format!("/admin/planes/{id}/seguimiento"),
        back_text: "Volver al seguimiento sin cerrar".into(),
        consequences: vec![
            "Los reportes del periodo quedan bloqueados: ya no se envían ni se revisan.".into(),
            "Después solo se admiten correcciones documentadas, con su motivo, como entradas nuevas.".into(),
            "El cierre no se puede deshacer y queda en el registro de auditoría.".into(),
            if gaps.is_empty() {
                "Todas las actividades del periodo tienen su reporte aceptado.".into()
            } else {
                "Faltan cosas en el periodo (abajo): si lo cierra así, quedan como están.".into()
            },
        ],
        lists: vec![
            list(
                format!("Actividades sin reporte ({})", gaps.without_report.len()),
                "Ninguna: todas reportaron.",
                &gaps.without_report,
            ),
            list(
                format!(
                    "Reportes sin revisar por control interno ({})",
                    gaps.not_reviewed.len()
                ),
                "Ninguno: todos los reportes enviados están revisados.",
                &gaps.not_reviewed,
            ),
            list(
                format!(
                    "Reportes devueltos que la dependencia no ha vuelto a enviar ({})",
                    gaps.returned.len()
                ),
                "Ninguno.",
                &gaps.returned,
            ),
        ],
        action: format!("/admin/planes/{id}/seguimiento/periodos/{period}/cerrar"),
        hidden: vec![],
        acta: None,
        reason: None,
        checkbox: Some(format!(
            "Entiendo que al cerrar el periodo {period} sus reportes quedan bloqueados"
        )),
        button: format!("Cerrar el periodo {period} definitivamente"),
        errors,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET …/periodos/{period}/cerrar`: what closing does and what is missing.
pub async fn close_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, period)): Path<(i64, u32)>,
) -> AppResult<Response> {
    user.require(Action::ClosePeriod)?;
    close_page(&state, &user, id, period, FieldErrors::new()).await
}

/// Closes a period, only with the confirmation page's checkbox ticked; without it the
/// page comes back with the message next to the checkbox and nothing is closed.
pub async fn close_period(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, period)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ClosePeriod)?;
    let plan = state.store.plan(PlanId(id)).await?;
    let f = state.store.followup(PlanId(id)).await?;
    let Some(p) = periods(plan.year.get(), f.settings.frequency)
        .into_iter()
        .find(|p| p.number == period)
    else {
        return Err(AppError::NotFound);
    };
    if let Err(refusal) = participa_domain::followup::check_close(form.get("confirmar") == "si") {
        let mut errors = FieldErrors::new();
        errors.add("confirmar", refusal);
        return close_page(&state, &user, id, period, errors).await;
    }
    match state
        .store
        .close_period(PlanId(id), period, &user.actor())
        .await
    {
        Ok(()) => {
            user.flash(format!(
                "Periodo «{}» cerrado: sus reportes quedaron bloqueados.",
                p.name(f.settings.frequency)
            ))
            .await?;
            Ok(Redirect::to(&format!("/admin/planes/{id}/seguimiento")).into_response())
        }
        Err(StoreError::Followup(e)) => Err(AppError::bad_request(e)),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ one activity

pub struct EvidenceView {
    pub id: i64,
    pub file_name: String,
    pub size: String,
    pub sha256: String,
    /// Shown on the public plan page.
    pub public: bool,
}

pub struct ReviewView {
    pub decision: &'static str,
    pub verified: String,
    pub sufficiency: &'static str,
    pub observations: String,
    pub recommendations: String,
    pub by: String,
    pub at: String,
}

pub struct SubmissionView {
    pub percent: String,
    pub narrative: String,
    pub difficulties: String,
    pub corrective_actions: String,
    pub decrease_justification: String,
    pub figures: Vec<(String, String)>,
    pub evidence: Vec<EvidenceView>,
    pub reviews: Vec<ReviewView>,
    pub by: String,
    pub at: String,
    /// Sent after the period's reporting window closed.
    pub late: bool,
    /// The reason of a documented correction after the period closed.
    pub correction: Option<String>,
}

pub struct PeriodHistory {
    pub number: u32,
    pub name: String,
    pub state: &'static str,
    pub closed: bool,
    pub submissions: Vec<SubmissionView>,
}

pub struct IndicatorView {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub target: String,
    pub aggregation: &'static str,
    pub total: String,
    pub progress: String,
    /// What the report form holds for it.
    pub typed: String,
}

#[derive(Default, Clone)]
pub struct ReportValues {
    pub period: String,
    pub percent: String,
    pub narrative: String,
    pub difficulties: String,
    pub corrective_actions: String,
    pub decrease_justification: String,
    pub figures: Vec<(i64, String)>,
    /// Why a closed period is corrected.
    pub correction: String,
}

#[derive(Default, Clone)]
pub struct ReviewValues {
    pub decision: String,
    pub verified: String,
    pub sufficiency: String,
    pub observations: String,
    pub recommendations: String,
}

#[derive(Default, Clone)]
pub struct IndicatorValues {
    pub name: String,
    pub unit: String,
    pub target: String,
    pub aggregation: String,
}

#[derive(Template)]
#[template(path = "followup_activity.html")]
pub struct ActivityFollowupPage {
    pub layout: Layout,
    /// Internal control's observations on the returned report the form corrects.
    pub returned: Option<ReturnedView>,
    pub plan_id: i64,
    pub plan_title: String,
    pub number: u32,
    pub description: String,
    pub codes: String,
    pub start: String,
    pub end: String,
    pub deliverable: String,
    pub reported: String,
    pub verified: String,
    pub indicators: Vec<IndicatorView>,
    /// Participation counted on the platform for this activity, with no manual entry.
    pub automatic: Vec<String>,
    pub history: Vec<PeriodHistory>,
    /// Periods the office can report for now: (number, name, selected).
    pub open_periods: Vec<(u32, String, bool)>,
    pub can_report: bool,
    /// Some period offered is closed: the form asks for the correction's reason.
    pub any_closed: bool,
    /// The period whose latest report awaits internal control, if the viewer reviews.
    pub review_period: Option<(u32, String)>,
    pub can_manage: bool,
    /// The status set by hand and its justification, if any.
    pub manual: Option<(&'static str, String)>,
    pub manual_typed: (String, String),
    pub report: ReportValues,
    pub review: ReviewValues,
    pub indicator: IndicatorValues,
    pub aggregations: Vec<(&'static str, &'static str)>,
    pub sufficiencies: Vec<(&'static str, &'static str)>,
    pub limit_mb: usize,
    /// The viewer may show the activity's evidence on the public page or withdraw it.
    pub can_publish: bool,
    /// The evidence file whose publication was refused (its confirmation was missing).
    pub publish_refused: Option<i64>,
    pub errors: FieldErrors,
    pub message: Option<&'static str>,
}

fn find(plan: &Plan, number: u32) -> AppResult<Activity> {
    plan.activities
        .iter()
        .find(|a| a.number.get() == number)
        .cloned()
        .ok_or(AppError::NotFound)
}

fn submission_view(r: &ReportRecord, f: &FollowUp, closes: NaiveDate) -> SubmissionView {
    SubmissionView {
        late: participa_app::dates::colombia_date(r.at) > closes,
        correction: r.correction.clone(),
        percent: pct(r.input.percent),
        narrative: r.input.narrative.clone(),
        difficulties: r.input.difficulties.clone(),
        corrective_actions: r.input.corrective_actions.clone(),
        decrease_justification: r.input.decrease_justification.clone(),
        figures: r
            .figures
            .iter()
            .filter_map(|(id, v)| {
                f.indicators.iter().find(|i| i.id == *id).map(|i| {
                    (
                        i.indicator.name.clone(),
                        format!("{} {}", pct(*v), i.indicator.unit),
                    )
                })
            })
            .collect(),
        evidence: r
            .evidence
            .iter()
            .map(|e| EvidenceView {
                id: e.id,
                file_name: e.file_name.clone(),
                size: crate::views::file_size(e.size),
                sha256: e.sha256.clone(),
                public: e.published_at.is_some(),
            })
            .collect(),
        reviews: r
            .reviews
            .iter()
            .map(|v| ReviewView {
                decision: match v.decision {
                    Decision::Accept => "Aceptado",
                    Decision::Return => "Devuelto",
                },
                verified: v
                    .verified_percent
                    .map(|p| format!("{} %", pct(p)))
                    .unwrap_or_else(|| "—".into()),
                sufficiency: v.sufficiency.label(),
                observations: v.observations.clone(),
                recommendations: v.recommendations.clone(),
                by: v.by.clone().unwrap_or_default(),
                at: momento(v.at),
            })
            .collect(),
        by: r.by.clone().unwrap_or_default(),
        at: momento(r.at),
    }
}

struct Forms {
    report: ReportValues,
    review: ReviewValues,
    indicator: IndicatorValues,
    /// (kind, justification) typed in the manual-status form.
    manual: (String, String),
    /// The evidence file whose publication was refused.
    publish_refused: Option<i64>,
    errors: FieldErrors,
}

async fn activity_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    number: u32,
    forms: Option<Forms>,
    message: Option<&'static str>,
) -> AppResult<Response> {
    activity_page_for(state, user, id, number, forms, message, None).await
}

/// Internal control's review that returned a report, shown above the report form.
pub struct ReturnedView {
    pub period_name: String,
    pub observations: String,
    pub recommendations: String,
    pub by: String,
    pub at: String,
}

/// The activity's follow-up page; `wanted` is the period the office came to correct (a
/// returned report's link), when there is one.
async fn activity_page_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    number: u32,
    forms: Option<Forms>,
    message: Option<&'static str>,
    wanted: Option<u32>,
) -> AppResult<Response> {
    let plan = state.store.plan(PlanId(id)).await?;
    let a = find(&plan, number)?;
    let f = state.store.followup(PlanId(id)).await?;
    let calendar = state.store.calendar().await?;
    let today = today();
    let close_after = close_after(state, today).await?;
    let ps = periods(plan.year.get(), f.settings.frequency);
    let can_report = user.can(Action::ReportProgress(&a.responsible));
    let open_periods: Vec<(u32, String)> = ps
        .iter()
        .filter(|p| a.start <= p.cut_off && a.end >= p.start)
        .filter(|p| p.window(&calendar, close_after).opens <= today)
        .filter(|p| {
            f.is_closed(p.number) || f.state(number, p.number) != Some(ReportState::Accepted)
        })
        .map(|p| {
            let mut name = p.name(f.settings.frequency);
            if f.is_closed(p.number) {
                name += " · cerrado: corrección documentada";
            } else if p.window(&calendar, close_after).closes < today {
                name += " · fuera de término";
            }
            (p.number, name)
        })
        .collect();
    let any_closed = open_periods.iter().any(|(n, _)| f.is_closed(*n));
    let review_period = ps
        .iter()
        .find(|p| {
            !f.is_closed(p.number) && f.state(number, p.number) == Some(ReportState::Submitted)
        })
        .map(|p| (p.number, p.name(f.settings.frequency)))
        .filter(|_| user.can(Action::ReviewProgress));
    // A returned report: the period the office came for, else the first one returned.
    let returned_period = wanted
        .into_iter()
        .chain(open_periods.iter().map(|(n, _)| *n))
        .find(|n| {
            !f.is_closed(*n)
                && open_periods.iter().any(|(o, _)| o == n)
                && f.state(number, *n) == Some(ReportState::Returned)
        })
        .filter(|_| can_report);
    let fresh = forms.is_none();
    let forms = forms.unwrap_or_else(|| Forms {
        report: ReportValues {
            // The period due now when it is offered, else the latest offered.
            period: participa_domain::followup::periods::next_due(
                &ps,
                &calendar,
                close_after,
                today,
            )
            .map(|p| p.number)
            .filter(|n| open_periods.iter().any(|(o, _)| o == n))
            .or_else(|| open_periods.last().map(|p| p.0))
            .map(|n| n.to_string())
            .unwrap_or_default(),
            percent: f.reported(number).map(pct).unwrap_or_default(),
            ..Default::default()
        },
        // No decision is pre-selected: internal control chooses to accept or return.
        review: ReviewValues {
            sufficiency: "si".into(),
            ..Default::default()
        },
        indicator: IndicatorValues {
            aggregation: "suma".into(),
            ..Default::default()
        },
        manual: Default::default(),
        publish_refused: None,
        errors: FieldErrors::new(),
    });
    // Landing on a returned report: the form holds what the office sent, to correct it.
    let mut forms = forms;
    if let (true, Some(n)) = (fresh, returned_period) {
        if let Some(sent) = f.latest(number, n) {
            forms.report = ReportValues {
                period: n.to_string(),
                percent: pct(sent.input.percent),
                narrative: sent.input.narrative.clone(),
                difficulties: sent.input.difficulties.clone(),
                corrective_actions: sent.input.corrective_actions.clone(),
                decrease_justification: sent.input.decrease_justification.clone(),
                figures: sent.figures.iter().map(|(i, v)| (*i, pct(*v))).collect(),
                correction: String::new(),
            };
        }
    }
    let returned = forms
        .report
        .period
        .parse::<u32>()
        .ok()
        .filter(|n| {
            can_report && !f.is_closed(*n) && f.state(number, *n) == Some(ReportState::Returned)
        })
        .and_then(|n| {
            let review = f.latest(number, n)?.reviews.last()?;
            let p = ps.iter().find(|p| p.number == n)?;
            Some(ReturnedView {
                period_name: p.name(f.settings.frequency),
                observations: review.observations.clone(),
                recommendations: review.recommendations.clone(),
                by: review.by.clone().unwrap_or_default(),
                at: participa_app::dates::momento(review.at),
            })
        });
    let indicators = f
        .indicators
        .iter()
        .filter(|i| i.activity == number)
        .map(|i| {
            let figures = f.figures(i);
            IndicatorView {
                id: i.id,
                name: i.indicator.name.clone(),
                unit: i.indicator.unit.clone(),
                target: pct(i.indicator.target),
                aggregation: i.indicator.aggregation.label(),
                total: pct(i.indicator.aggregation.total(&figures)),
                progress: pct(i.indicator.progress(&figures)),
                typed: forms
                    .report
                    .figures
                    .iter()
                    .find(|(x, _)| *x == i.id)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let history = ps
        .iter()
        .filter(|p| !f.submissions(number, p.number).is_empty())
        .map(|p| PeriodHistory {
            number: p.number,
            name: p.name(f.settings.frequency),
            state: f
                .state(number, p.number)
                .map_or("Sin reporte", |s| s.label()),
            closed: f.is_closed(p.number),
            submissions: f
                .submissions(number, p.number)
                .into_iter()
                .map(|r| submission_view(r, &f, p.window(&calendar, close_after).closes))
                .collect(),
        })
        .collect();
    let automatic = participa_app::report_data::automatic_figures(&state.store, id)
        .await?
        .remove(&number)
        .unwrap_or_default();
    let selected = forms.report.period.clone();
    let page = ActivityFollowupPage {
        returned,
        automatic,
        layout: user.layout(format!("Seguimiento de la actividad {number}"), state),
        plan_id: id,
        plan_title: plan.title.clone(),
        number,
        description: a.description.clone(),
        codes: a
            .responsible
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("-"),
        start: fecha(a.start),
        end: fecha(a.end),
        deliverable: a.deliverable.clone(),
        reported: f
            .reported(number)
            .map(|p| format!("{} %", pct(p)))
            .unwrap_or_else(|| "sin reporte".into()),
        verified: f
            .verified(number)
            .map(|p| format!("{} %", pct(p)))
            .unwrap_or_else(|| "sin verificar".into()),
        indicators,
        history,
        can_report: can_report && !open_periods.is_empty(),
        any_closed,
        open_periods: open_periods
            .into_iter()
            .map(|(n, name)| (n, name, n.to_string() == selected))
            .collect(),
        review_period,
        can_manage: user.can(Action::ManageFollowup),
        manual: f.manual.get(&number).and_then(|m| {
            m.status.map(|s| {
                let label = match s {
                    ManualStatus::Rescheduled => "Reprogramada",
                    ManualStatus::Cancelled => "Cancelada",
                };
                (label, m.justification.clone())
            })
        }),
        manual_typed: forms.manual.clone(),
        report: forms.report,
        review: forms.review,
        indicator: forms.indicator,
        aggregations: Aggregation::ALL
            .iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        sufficiencies: Sufficiency::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        limit_mb: state.evidence.limit / (1024 * 1024),
        can_publish: user.can(Action::ReportProgress(&a.responsible)),
        publish_refused: forms.publish_refused,
        errors: forms.errors,
        message,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct ActivityQuery {
    mensaje: Option<String>,
    /// The period the office came to correct (the link of a returned report).
    periodo: Option<u32>,
}

pub async fn activity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let message = q.mensaje.as_deref().and_then(message);
    activity_page_for(&state, &user, id, number, None, message, q.periodo).await
}

fn empty_forms(report: ReportValues, errors: FieldErrors) -> Forms {
    Forms {
        report,
        // No decision is pre-selected: internal control chooses to accept or return.
        review: ReviewValues {
            sufficiency: "si".into(),
            ..Default::default()
        },
        indicator: IndicatorValues {
            aggregation: "suma".into(),
            ..Default::default()
        },
        manual: Default::default(),
        publish_refused: None,
        errors,
    }
}

/// A progress report with its evidence files (multipart).
pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let plan = state.store.plan(PlanId(id)).await?;
    let a = find(&plan, number)?;
    user.require(Action::ReportProgress(&a.responsible))?;
    let mut values = ReportValues::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut errors = FieldErrors::new();
    let limit = state.evidence.limit;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                errors.insert(
                    "evidencias",
                    format!(
                        "No se pudo recibir el envío completo (¿supera {} MB por archivo?). No se guardó nada.",
                        limit / (1024 * 1024)
                    ),
                );
                files.clear();
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "evidencias" {
            let mut field = field;
            let file_name = field.file_name().unwrap_or_default().to_string();
            // Read while it arrives: past the size limit, or past the number of files,
            // nothing more of the request is read.
            if files.len() == FILES_PER_REPORT {
                // One file too many: refused at its first bytes, not after reading it.
                match crate::form::multipart_file_is_empty(&mut field).await {
                    Ok(true) => continue,
                    _ => {
                        errors.insert(
                            "evidencias",
                            format!(
                                "Se admiten hasta {FILES_PER_REPORT} archivos por envío y llegaron más. No se guardó nada: elija de nuevo hasta {FILES_PER_REPORT} archivos y envíe."
                            ),
                        );
                        files.clear();
                        break;
                    }
                }
            }
            match crate::form::multipart_file_up_to(&mut field, limit).await {
                Ok(Some(bytes)) if file_name.is_empty() && bytes.is_empty() => {}
                Ok(Some(bytes)) => files.push((file_name, bytes)),
                Ok(None) => {
                    let refused = participa_store::EvidenceError::TooLargeWhileReceived {
                        name: file_name.clone(),
                        limit,
                    };
                    errors.insert(
                        "evidencias",
                        format!("{} No se guardó nada.", sentence(&refused.to_string())),
                    );
                    files.clear();
                    break;
                }
                Err(_) => {
                    errors.insert(
                        "evidencias",
                        format!(
                            "No se pudo recibir «{file_name}» completo (¿supera {} MB?). No se guardó nada.",
                            limit / (1024 * 1024)
                        ),
                    );
                    files.clear();
                    break;
                }
            }
            continue;
        }
        let text = crate::form::multipart_text(field).await?;
        match name.as_str() {
            "periodo" => values.period = text,
            "avance" => values.percent = text.trim().into(),
            "descripcion" => values.narrative = text.trim().into(),
            "dificultades" => values.difficulties = text.trim().into(),
            "acciones" => values.corrective_actions = text.trim().into(),
            "justificacion_disminucion" => values.decrease_justification = text.trim().into(),
            "motivo_correccion" => values.correction = text.trim().into(),
            other => {
                if let Some(i) = other
                    .strip_prefix("indicador_")
                    .and_then(|i| i.parse().ok())
                {
                    // A figure sent twice: the last one counts, as for any field.
                    values.figures.retain(|(seen, _)| *seen != i);
                    values.figures.push((i, text.trim().to_string()));
                }
            }
        }
    }
    let mut checked = Vec::new();
    for (name, bytes) in files {
        match check_evidence(&name, bytes, limit) {
            Ok(e) => checked.push(e),
            Err(e) => {
                errors.insert(
                    "evidencias",
                    format!("{} No se guardó nada.", sentence(&e.to_string())),
                );
            }
        }
    }
    let period: Option<u32> = values.period.trim().parse().ok();
    if period.is_none() {
        errors.insert("periodo", "Elija el periodo que reporta.".into());
    }
    let percent = decimal(&values.percent);
    if percent.is_none() {
        errors.insert(
            "avance",
            format!(
                "Escriba el avance acumulado en porcentaje (0 a 100); «{}» no es un número.",
                values.percent
            ),
        );
    }
    let mut figures = Vec::new();
    for (i, text) in &values.figures {
        if text.is_empty() {
            continue;
        }
        match decimal(text) {
            Some(v) if v > participa_domain::participation::counts::MAX_FIGURE => {
                errors.insert(
                    "indicadores",
                    format!(
                        "«{text}» es demasiado grande para el indicador: escriba una cifra hasta {}.",
                        participa_domain::participation::counts::thousands(
                            participa_domain::participation::counts::MAX_FIGURE as i64
                        )
                    ),
                );
            }
            Some(v) if v >= 0.0 => figures.push((*i, v)),
            _ => {
                errors.insert(
                    "indicadores",
                    format!("«{text}» no es una cifra válida para el indicador."),
                );
            }
        }
    }
    if !errors.is_empty() {
        return activity_page(
            &state,
            &user,
            id,
            number,
            Some(empty_forms(values, errors)),
            None,
        )
        .await;
    }
    let (Some(period), Some(percent)) = (period, percent) else {
        unreachable!("checked above");
    };
    let f = state.store.followup(PlanId(id)).await?;
    if !periods(plan.year.get(), f.settings.frequency)
        .iter()
        .any(|p| p.number == period)
    {
        errors.insert("periodo", "Ese periodo no existe en el plan.".into());
        return activity_page(
            &state,
            &user,
            id,
            number,
            Some(empty_forms(values, errors)),
            None,
        )
        .await;
    }
    // A closed period takes only a documented correction, with its reason.
    let correction = f.is_closed(period).then(|| values.correction.clone());
    let new = NewReport {
        correction,
        plan_id: PlanId(id),
        activity: number,
        period,
        input: ProgressInput {
            percent,
            narrative: values.narrative.clone(),
            difficulties: values.difficulties.clone(),
            corrective_actions: values.corrective_actions.clone(),
            decrease_justification: values.decrease_justification.clone(),
        },
        figures,
        evidence: checked,
    };
    match state
        .store
        .submit_report(new, &state.evidence.objects, &user.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/planes/{id}/seguimiento/actividades/{number}?mensaje=reporte"
        ))
        .into_response()),
        Err(StoreError::Followup(e)) => {
            match e {
                FollowupError::Progress(list) => {
                    for p in list {
                        errors.add(p.field(), &p);
                    }
                }
                FollowupError::Review(list) => {
                    for r in list {
                        errors.add("periodo", &r);
                    }
                }
                FollowupError::Invalid(message) => {
                    errors.add("motivo_correccion", &message);
                }
                other => {
                    errors.add("indicadores", &other);
                }
            }
            activity_page(
                &state,
                &user,
                id,
                number,
                Some(empty_forms(values, errors)),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ReviewProgress)?;
    let plan = state.store.plan(PlanId(id)).await?;
    find(&plan, number)?;
    let values = ReviewValues {
        decision: form.get("decision").into(),
        verified: form.get("avance_verificado").trim().into(),
        sufficiency: form.get("suficiencia").into(),
        observations: form.get("observaciones").trim().into(),
        recommendations: form.get("recomendaciones").trim().into(),
    };
    let mut errors = FieldErrors::new();
    let period: Option<u32> = form.get("periodo").parse().ok();
    let decision = Decision::parse(&values.decision);
    if decision.is_none() {
        errors.insert("decision", "Elija si acepta o devuelve el reporte.".into());
    }
    let sufficiency = Sufficiency::parse(&values.sufficiency);
    if sufficiency.is_none() {
        errors.insert(
            "suficiencia",
            "Indique si la evidencia es suficiente.".into(),
        );
    }
    let verified = if values.verified.is_empty() {
        None
    } else {
        match decimal(&values.verified) {
            Some(v) => Some(v),
            None => {
                errors.insert(
                    "avance_verificado",
                    format!("«{}» no es un porcentaje.", values.verified),
                );
                None
            }
        }
    };
    let (Some(period), Some(decision), Some(sufficiency), true) =
        (period, decision, sufficiency, errors.is_empty())
    else {
        if period.is_none() {
            return Err(AppError::BadRequest("Falta el periodo del reporte.".into()));
        }
        let forms = Forms {
            review: values,
            ..empty_forms(ReportValues::default(), errors)
        };
        return activity_page(&state, &user, id, number, Some(forms), None).await;
    };
    let input = ReviewInput {
        decision,
        verified_percent: verified,
        sufficiency,
        observations: values.observations.clone(),
        recommendations: values.recommendations.clone(),
    };
    match state
        .store
        .review_report(PlanId(id), number, period, &input, &user.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/planes/{id}/seguimiento/actividades/{number}?mensaje=revision"
        ))
        .into_response()),
        Err(StoreError::Followup(FollowupError::Review(list))) => {
            for r in list {
                errors.add(r.field(), &r);
            }
            let forms = Forms {
                review: values,
                ..empty_forms(ReportValues::default(), errors)
            };
            activity_page(&state, &user, id, number, Some(forms), None).await
        }
        Err(StoreError::Followup(other)) => Err(AppError::bad_request(other)),
        Err(e) => Err(e.into()),
    }
}

pub async fn add_indicator(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageFollowup)?;
    let plan = state.store.plan(PlanId(id)).await?;
    find(&plan, number)?;
    let values = IndicatorValues {
        name: form.get("nombre").trim().into(),
        unit: form.get("unidad").trim().into(),
        target: form.get("meta").trim().into(),
        aggregation: form.get("agregacion").into(),
    };
    let aggregation = Aggregation::parse(&values.aggregation).unwrap_or(Aggregation::Sum);
    let result = Indicator::new(
        &values.name,
        &values.unit,
        number_or_nan(&values.target),
        aggregation,
    );
    match result {
        Ok(indicator) => {
            state
                .store
                .add_indicator(PlanId(id), number, &indicator, &user.actor())
                .await?;
            Ok(Redirect::to(&format!(
                "/admin/planes/{id}/seguimiento/actividades/{number}?mensaje=indicador"
            ))
            .into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add("nombre_indicador", &e);
            let forms = Forms {
                indicator: values,
                ..empty_forms(ReportValues::default(), errors)
            };
            activity_page(&state, &user, id, number, Some(forms), None).await
        }
    }
}

/// Reschedules or cancels an activity (or returns it to its computed status).
pub async fn manual_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageFollowup)?;
    let plan = state.store.plan(PlanId(id)).await?;
    find(&plan, number)?;
    let kind = form.get("estado_manual").to_string();
    let justification = form.get("justificacion_estado").trim().to_string();
    let status = match kind.as_str() {
        "reprogramada" => Some(ManualStatus::Rescheduled),
        "cancelada" => Some(ManualStatus::Cancelled),
        _ => None,
    };
    match state
        .store
        .set_manual_status(PlanId(id), number, status, &justification, &user.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/admin/planes/{id}/seguimiento/actividades/{number}?mensaje=estado"
        ))
        .into_response()),
        Err(StoreError::Followup(e)) => {
            let mut errors = FieldErrors::new();
            errors.add("justificacion_estado", &e);
            let forms = Forms {
                manual: (kind, justification),
                ..empty_forms(ReportValues::default(), errors)
            };
            activity_page(&state, &user, id, number, Some(forms), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The weights of the activities in the plan's progress (all empty: equal weights).
pub async fn weights(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageFollowup)?;
    let plan = state.store.plan(PlanId(id)).await?;
    let mut errors = FieldErrors::new();
    let mut weights = Vec::new();
    let mut typed = Vec::new();
    for a in &plan.activities {
        let n = a.number.get();
        let text = form.get(&format!("peso_{n}")).trim().to_string();
        if !text.is_empty() {
            match decimal(&text) {
                Some(w) => weights.push((n, w)),
                None => {
                    errors.insert(
                        "pesos",
                        format!("El peso «{text}» de la actividad {n} no es un número."),
                    );
                }
            }
        }
        typed.push((n, text));
    }
    if errors.is_empty() && !weights.is_empty() && weights.len() != plan.activities.len() {
        errors.insert(
            "pesos",
            "Dé un peso a cada actividad, o deje todos vacíos para pesos iguales.".into(),
        );
    }
    if errors.is_empty() {
        match state
            .store
            .set_weights(PlanId(id), &weights, &user.actor())
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/admin/planes/{id}/seguimiento?mensaje=pesos"))
                        .into_response(),
                )
            }
            Err(StoreError::Followup(e)) => {
                errors.add("pesos", &e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let typed = Typed {
        weights: Some(typed),
        ..Default::default()
    };
    followup_page(&state, &user, id, today(), None, errors, typed, None).await
}

fn number_or_nan(text: &str) -> f64 {
    decimal(text).unwrap_or(f64::NAN)
}

/// Downloads an evidence file (staff only), as an attachment.
pub async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(evidence_id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let Some((plan_id, activity, e)) = state.store.evidence(evidence_id).await? else {
        return Err(AppError::NotFound);
    };
    // Evidence may carry personal data (attendance lists): an office sees its own
    // activities' files; planning, internal control and the approver see all.
    if user.user.role == participa_domain::Role::Reporter {
        let plan = state.store.plan(plan_id).await?;
        let a = find(&plan, activity)?;
        user.require(Action::ReportProgress(&a.responsible))?;
    }
    super::shared::evidence_file(&state, &e).await
}

/// Shows an evidence file on the public plan page (`publica=si`, with the office's
/// confirmation that it holds no personal data) or withdraws it. Only the activity's
/// office and the planning office may.
pub async fn evidence_visibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(evidence_id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let Some((plan_id, number, _)) = state.store.evidence(evidence_id).await? else {
        return Err(AppError::NotFound);
    };
    let plan = state.store.plan(plan_id).await?;
    let a = find(&plan, number)?;
    user.require(Action::ReportProgress(&a.responsible))?;
    let public = form.get("publica") == "si";
    let confirmed = form.get("sin_datos_personales") == "si";
    if let Err(e) = participa_domain::followup::check_visibility(public, confirmed) {
        let mut errors = FieldErrors::new();
        errors.add("sin_datos_personales", e);
        let forms = Forms {
            publish_refused: Some(evidence_id),
            ..empty_forms(ReportValues::default(), errors)
        };
        return activity_page(&state, &user, plan_id.0, number, Some(forms), None).await;
    }
    if !state
        .store
        .set_evidence_public(evidence_id, public, &user.actor())
        .await?
    {
        return Err(AppError::NotFound);
    }
    let code = if public {
        "evidencia_publica"
    } else {
        "evidencia_privada"
    };
    Ok(Redirect::to(&format!(
        "/admin/planes/{}/seguimiento/actividades/{number}?mensaje={code}#evidencia-{evidence_id}",
        plan_id.0
    ))
    .into_response())
}
