//! Pages anyone can read without signing in: only published versions.

use super::routing::Routes;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::views::{HomePage, Layout, PlanView, PublicPlanPage, PublishedItem};
use crate::{AppState, CachedPage};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use participa_app::dates::{fecha, today};
use participa_app::followup::{dashboard, pct};
use participa_domain::followup::ScheduleStatus;
use participa_formats::ExportFormat;
use participa_store::PlanId;
use std::str::FromStr;

pub fn routes() -> Routes {
    Routes::public()
        .get("/", home)
        .get("/planes/{id}", plan)
        .get("/planes/{id}/evidencias/{evidence}", evidence)
        .get("/planes/{id}/{file}", open_data)
}

/// The portal. It shows only staff data (published plans and their follow-up, hearings,
/// consultations, events), and every staff change writes an audit entry in the same
/// transaction; so the page is drawn again only when the day or the latest audit entry
/// changes, and otherwise served from memory after one indexed query.
pub async fn home(State(state): State<AppState>) -> AppResult<Html<axum::body::Bytes>> {
    let today = today();
    let change = state.last_change().await?;
    if let Some((day, seen, html)) = state
        .home_page
        .lock()
        .map_err(|_| AppError::Internal("home cache poisoned".into()))?
        .as_ref()
    {
        if *day == today && *seen == change {
            return Ok(Html(html.clone()));
        }
    }
    let calendar = state.store.calendar().await?;
    let close_after = state.store.reporting_days(today).await?;
    let mut plans = Vec::new();
    for p in state.store.published_plans().await? {
        let f = state.store.followup(p.id).await?;
        let d = dashboard(&p.plan, &f, &calendar, close_after, today, None);
        plans.push(PublishedItem {
            id: p.id.0,
            title: p.plan.title.clone(),
            year: p.plan.year.get(),
            activities: p.plan.activities.len(),
            version: p.version,
            published: participa_app::dates::fecha_de(p.published_at),
            progress: pct(d.plan_progress),
            expected: pct(d.plan_expected),
            done: d
                .rows
                .iter()
                .filter(|r| r.status == participa_domain::followup::ScheduleStatus::Done)
                .count(),
        });
    }
    let hearings = state
        .store
        .hearings()
        .await?
        .into_iter()
        .filter(|h| h.data.held_on >= today)
        .map(|h| (h.id, h.data.title, fecha(h.data.held_on)))
        .collect();
    let consultations = state
        .store
        .consultations_uncounted()
        .await?
        .into_iter()
        .filter(|c| c.data.opens_on <= today && today <= c.data.closes_on)
        .map(|c| (c.id, c.data.title, fecha(c.data.closes_on)))
        .collect();
    let mut events: Vec<_> = state
        .store
        .events()
        .await?
        .into_iter()
        .filter(|e| e.data.held_on >= today)
        .collect();
    events.sort_by_key(|e| e.data.held_on);
    let events = events
        .into_iter()
        .take(10)
        .map(|e| {
            let modality = super::participation::modality_label(&e.data.modality);
            let place = [e.data.place.as_str(), e.data.territory.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            (e.data.title, fecha(e.data.held_on), modality, place)
        })
        .collect();
    let page = HomePage {
        events,
        layout: Layout::public("Inicio".into(), &state),
        plans,
        hearings,
        consultations,
    };
    let html = axum::body::Bytes::from(page.render()?);
    *state
        .home_page
        .lock()
        .map_err(|_| AppError::Internal("home cache poisoned".into()))? =
        Some((today, change, html.clone()));
    Ok(Html(html))
}

/// How long a cached public page is served without asking the database whether a newer
/// version was published or anything changed (another server process may have done it).
const RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a rendered plan page is served at most. Citizens' answers and registrations
/// are not audit entries, so the participation counts the page shows are drawn again
/// at least this often rather than on every answer.
const REDRAW: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(serde::Deserialize)]
pub struct PlanQuery {
    estado: Option<String>,
}

/// `GET /planes/{id}`: the latest published version with its follow-up, optionally only
/// the activities in one status (`?estado=atrasada`). The page is rendered once per
/// published version, day, status filter and latest audited change and served from
/// memory; the database is asked whether either changed at most once a second.
pub async fn plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let today = today();
    // Only the known statuses make keys, so the cache cannot be grown from outside.
    let filter = q
        .estado
        .as_deref()
        .and_then(|k| ScheduleStatus::ALL.into_iter().find(|s| s.as_str() == k));
    let key = (id, filter);
    let writes = state.writes.load(std::sync::atomic::Ordering::Acquire);
    let cached = state
        .public_pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .filter(|c| c.day == today)
        .cloned();
    let html = match cached {
        Some(c) if c.checked.elapsed() < RECHECK && c.writes == writes => c.html,
        cached => {
            let version = state
                .store
                .published_version(PlanId(id))
                .await?
                .ok_or(AppError::NotFound)?;
            let change = state.last_change().await?;
            let (html, rendered) = match cached {
                Some(c)
                    if c.version == version
                        && c.change == change
                        && c.rendered.elapsed() < REDRAW =>
                {
                    (c.html, c.rendered)
                }
                _ => (
                    axum::body::Bytes::from(render_plan(&state, id, today, filter).await?),
                    std::time::Instant::now(),
                ),
            };
            let fresh = CachedPage {
                checked: std::time::Instant::now(),
                rendered,
                version,
                change,
                writes,
                day: today,
                html: html.clone(),
            };
            state
                .public_pages
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, fresh);
            html
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        html,
    )
        .into_response())
}

async fn render_plan(
    state: &AppState,
    id: i64,
    today: chrono::NaiveDate,
    filter: Option<ScheduleStatus>,
) -> AppResult<String> {
    let published = state
        .store
        .published_plan(PlanId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let f = state.store.followup(PlanId(id)).await?;
    let calendar = state.store.calendar().await?;
    let close_after = state.store.reporting_days(today).await?;
    let mut automatic = participa_app::report_data::automatic_figures(&state.store, id).await?;
    let d = dashboard(&published.plan, &f, &calendar, close_after, today, None);
    let progress =
        crate::public_progress::PublicProgress::new(&published.plan, &f, &d, &mut automatic);
    let plan = PlanView::new(&published.plan, today, None, |_| false)
        .approved(&published.plan, published.approval.as_ref());
    let chart = crate::charts::progress_chart(
        &d,
        &format!("Avance del plan {} frente al esperado", published.plan.year),
    );
    let page = PublicPlanPage {
        layout: Layout::public(published.plan.title.clone(), state),
        id,
        version: published.version,
        published: participa_app::dates::fecha_de(published.published_at),
        today: fecha(today),
        plan,
        filter: filter.map(ScheduleStatus::label),
        chips: progress.chips(filter),
        activities: progress
            .activities
            .into_iter()
            .filter(|a| filter.is_none_or(|s| a.status == s))
            .collect(),
        plan_progress: pct(d.plan_progress),
        plan_expected: pct(d.plan_expected),
        chart,
        curve: d
            .curve
            .iter()
            .map(|(m, e, r)| (fecha(*m), pct(*e), r.map(pct).unwrap_or_else(|| "—".into())))
            .collect(),
        offices: participa_app::followup::by_office(&published.plan, &f, &d)
            .into_iter()
            .map(|o| {
                let bar = format!("{:.0}", o.progress.clamp(0.0, 100.0));
                (o.name, o.activities, pct(o.expected), pct(o.progress), bar)
            })
            .collect(),
        closed: participa_domain::followup::periods(
            published.plan.year.get(),
            f.settings.frequency,
        )
        .into_iter()
        .filter(|p| f.is_closed(p.number))
        .map(|p| (p.number, p.name(f.settings.frequency)))
        .collect(),
    };
    Ok(page.render()?)
}

/// `GET /planes/{id}/datos.{json,csv,xlsx,tsv}`: the published version as open data.
pub async fn open_data(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    let format = file
        .strip_prefix("datos.")
        .and_then(|ext| ExportFormat::from_str(ext).ok())
        .ok_or(AppError::NotFound)?;
    let published = state
        .store
        .published_plan(PlanId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::shared::download(
        &published.plan,
        format,
        &format!(
            "plan-participacion-{}-v{}",
            published.plan.year, published.version
        ),
        &super::shared::group_names(&state).await?,
    ))
}

/// `GET /planes/{id}/evidencias/{evidence}`: an evidence file its office published, of
/// the plan's published follow-up. Any other file (private, withdrawn, of another plan,
/// or of a plan not published) is not found.
pub async fn evidence(
    State(state): State<AppState>,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    if state.store.published_version(PlanId(id)).await?.is_none() {
        return Err(AppError::NotFound);
    }
    match state.store.evidence(evidence_id).await? {
        Some((plan, _, e)) if plan == PlanId(id) && e.published_at.is_some() => {
            super::shared::evidence_file(&state, &e).await
        }
        _ => Err(AppError::NotFound),
    }
}
