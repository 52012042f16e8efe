//! The national dashboard: for a platform administrator or a national observer, the
//! figures of every entity it reads (plans published by the deadline, schedule
//! compliance, participation, the most frequent coverage findings), and the same
//! figures as open data.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use participa_app::dates::{fecha, today};
use participa_domain::national::{summarize, EntityFigures, Publication, Summary};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a computed dashboard is served before it is computed again.
const FRESH_FOR: Duration = Duration::from_secs(30);

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/nacional", page)
        .get("/nacional/datos.csv", staff_csv)
        .merge(super::routing::Routes::public().get("/datos/entidades.csv", public_csv))
}

#[derive(Deserialize)]
pub struct YearQuery {
    vigencia: Option<String>,
}

/// The dashboard's figures for one scope and year.
pub struct View {
    pub year: i32,
    pub deadline: NaiveDate,
    pub figures: Vec<EntityFigures>,
    pub summary: Summary,
    pub computed: Instant,
}

/// Cached dashboards by (scope, year).
pub type Cache = std::sync::Mutex<std::collections::HashMap<(Option<Vec<i64>>, i32), Arc<View>>>;

async fn view(
    state: &AppState,
    scope: Option<Vec<i64>>,
    year: Option<i32>,
) -> AppResult<Arc<View>> {
    let year = match year {
        Some(y) => y,
        None => state
            .store
            .latest_plan_year()
            .await?
            .unwrap_or_else(|| today().year()),
    };
    let key = (scope.clone(), year);
    if let Some(v) = state
        .national
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
    {
        if v.computed.elapsed() < FRESH_FOR {
            return Ok(v.clone());
        }
    }
    let figures = state
        .store
        .national_figures(year, today(), scope.as_deref())
        .await?;
    let plans: Vec<i64> = figures
        .iter()
        .filter_map(|f| f.plan.as_ref().map(|p| p.plan_id))
        .collect();
    let findings = state.store.pending_findings(&plans).await?;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let calendar = state.store.calendar().await?;
    let deadline = state
        .store
        .term("plan.publicacion", start)
        .await?
        .deadline(&calendar, start)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 1, 31).unwrap_or(start));
    let summary = summarize(&figures, deadline, &findings, 5);
    let v = Arc::new(View {
        year,
        deadline,
        figures,
        summary,
        computed: Instant::now(),
    });
    state
        .national
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, v.clone());
    Ok(v)
}

/// The entities `user` reads, or 404 for a user without a platform role (the page
/// does not exist for them).
async fn scope(state: &AppState, user: &CurrentUser) -> AppResult<Option<Vec<i64>>> {
    let grant = state
        .store
        .platform_grant(user.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(match grant.role {
        participa_domain::national::PlatformRole::Administrator => None,
        _ if grant.entities.is_empty() => None,
        _ => Some(grant.entities),
    })
}

fn year_of(q: &YearQuery) -> AppResult<Option<i32>> {
    match q
        .vigencia
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "la vigencia «{}» no es un año entre 2000 y 2100",
                    text.chars().take(20).collect::<String>()
                ))
            }),
    }
}

pub struct Row {
    pub name: String,
    pub slug: String,
    pub order: &'static str,
    pub place: String,
    pub publication: &'static str,
    pub published_on: String,
    pub compliance: String,
    pub participation: String,
    /// The plan's FURAG readiness, as last computed.
    pub furag: String,
}

#[derive(Template)]
#[template(path = "national.html")]
pub struct NationalPage {
    pub layout: crate::views::Layout,
    pub year: i32,
    pub deadline: String,
    pub entities: String,
    pub publication: Vec<(&'static str, usize)>,
    pub compliance: String,
    pub participation: Vec<(&'static str, String)>,
    pub findings: Vec<(String, String, usize)>,
    pub rows: Vec<Row>,
}

fn grouped(n: i64) -> String {
    participa_domain::numbers::grouped(n.max(0) as u64)
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Html<String>> {
    let scope = scope(&state, &user).await?;
    let v = view(&state, scope, year_of(&q)?).await?;
    let s = &v.summary;
    let publication = [
        Publication::OnTime,
        Publication::Late,
        Publication::NotYet,
        Publication::NoPlan,
    ]
    .into_iter()
    .map(|p| (p.label(), s.by_publication.get(&p).copied().unwrap_or(0)))
    .collect();
    let p = &s.participation;
    let page = NationalPage {
        layout: user.layout("Tablero nacional", &state),
        year: v.year,
        deadline: fecha(v.deadline),
        entities: match s.entities {
            1 => "1 entidad".to_string(),
            n => format!("{} entidades", grouped(n as i64)),
        },
        publication,
        compliance: s
            .mean_compliance
            .map_or("sin actividades vencidas aún".into(), |c| format!("{c} %")),
        participation: vec![
            ("Sugerencias", grouped(p.suggestions)),
            (
                "Inscripciones a audiencias",
                grouped(p.hearing_registrations),
            ),
            ("Respuestas a encuestas", grouped(p.survey_responses)),
            ("Comentarios en foros", grouped(p.forum_comments)),
            ("Asistentes a eventos", grouped(p.event_attendees)),
        ],
        findings: s.top_findings.clone(),
        rows: v
            .figures
            .iter()
            .map(|f| Row {
                name: f.name.clone(),
                slug: f.slug.clone(),
                order: f.order.label(),
                place: [f.department_code.as_str(), f.municipality_code.as_str()]
                    .into_iter()
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                publication: f.publication(v.deadline).label(),
                published_on: f
                    .plan
                    .as_ref()
                    .and_then(|p| p.published_on)
                    .map(fecha)
                    .unwrap_or_default(),
                compliance: f.compliance().map_or("—".into(), |c| format!("{c} %")),
                participation: grouped(f.participation.total()),
                furag: f
                    .plan
                    .as_ref()
                    .and_then(|p| p.furag)
                    .map_or("Sin calcular".into(), |r| {
                        format!("{} (al {})", r.sentence(), fecha(r.computed_on))
                    }),
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// The figures as CSV (UTF-8 with BOM, so spreadsheets read the accents): one row per
/// entity. `public` leaves out the compliance of plans not published.
fn figures_csv(v: &View, public: bool) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record([
        "entidad",
        "identificador",
        "orden",
        "departamento",
        "municipio",
        "vigencia",
        "publicacion",
        "fecha_publicacion",
        "cumplimiento_cronograma",
        "sugerencias",
        "inscripciones_audiencias",
        "respuestas_encuestas",
        "comentarios_foros",
        "eventos",
        "asistentes_eventos",
    ])
    .map_err(fail)?;
    for f in &v.figures {
        let publication = f.publication(v.deadline);
        let published = f.plan.as_ref().and_then(|p| p.published_on);
        let compliance = match (public, published) {
            (true, None) => String::new(),
            _ => f.compliance().map(|c| c.to_string()).unwrap_or_default(),
        };
        let p = &f.participation;
        w.write_record([
            f.name.clone(),
            f.slug.clone(),
            f.order.as_str().to_string(),
            f.department_code.clone(),
            f.municipality_code.clone(),
            v.year.to_string(),
            publication.label().to_string(),
            published.map(|d| d.to_string()).unwrap_or_default(),
            compliance,
            p.suggestions.to_string(),
            p.hearing_registrations.to_string(),
            p.survey_responses.to_string(),
            p.forum_comments.to_string(),
            p.events.to_string(),
            p.event_attendees.to_string(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn download(body: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn staff_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let scope = scope(&state, &user).await?;
    let v = view(&state, scope, year_of(&q)?).await?;
    Ok(download(
        figures_csv(&v, false)?,
        &format!("entidades-{}.csv", v.year),
    ))
}

/// Every entity of the deployment, as open data.
pub async fn public_csv(
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let v = view(&state, None, year_of(&q)?).await?;
    Ok(download(
        figures_csv(&v, true)?,
        &format!("entidades-{}.csv", v.year),
    ))
}
