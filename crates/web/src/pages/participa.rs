//! The Menú Participa (Resolución 1519 de 2020, anexo 2): `/participa` with its six parts,
//! `/participa/{part}` with the activities of the published plans tagged for the part and
//! what came of each (consultations, forums, hearings, events), the calendar of the
//! annual strategy as a page and as an iCalendar feed, and the public archives
//! `/consultas`, `/audiencias` and `/eventos`.
//!
//! Everything here is staff data (published plans, follow-up, hearings, consultations,
//! events) and every staff change writes an audit entry, so each page is drawn once per
//! day and latest audit entry, like the portal, and otherwise served from memory.

use super::participation::{modality_label, written_count, Stage};
use super::routing::Routes;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use participa_app::dates::{fecha, today};
use participa_app::followup::{dashboard, pct, ActivityRow};
use participa_domain::menu_participa::ParticipaPart;
use participa_domain::participation::ConsultationKind;
use participa_store::{Consultation, Event, Hearing, PublishedPlan};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::public()
        .get("/participa", menu)
        .get("/participa/calendario", calendar)
        .get("/participa/calendario.ics", calendar_feed)
        .get("/participa/{part}", part)
        .get("/consultas", consultations)
        .get("/audiencias", hearings)
        .get("/eventos", events)
}

// ------------------------------------------------------------------ cache

/// The page cached under `key` for `today` and the latest audit entry, or a fresh one
/// drawn by `draw` (then kept). `key` is one of a fixed set of paths.
async fn cached<F, Fut>(state: &AppState, key: String, draw: F) -> AppResult<Bytes>
where
    F: FnOnce(AppState, NaiveDate) -> Fut,
    Fut: std::future::Future<Output = AppResult<String>>,
{
    let today = today();
    let change = state.last_change().await?;
    let hit = state
        .participa_pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .filter(|(day, seen, _)| *day == today && *seen == change)
        .map(|(_, _, html)| html.clone());
    if let Some(html) = hit {
        return Ok(html);
    }
    let html = Bytes::from(draw(state.clone(), today).await?);
    state
        .participa_pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, (today, change, html.clone()));
    Ok(html)
}

fn html(body: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response()
}

// ------------------------------------------------------------------ what the pages read

/// One published plan with its follow-up as of today.
struct PlanWithProgress {
    published: PublishedPlan,
    rows: Vec<ActivityRow>,
}

async fn published_with_progress(
    state: &AppState,
    today: NaiveDate,
) -> AppResult<Vec<PlanWithProgress>> {
    let calendar = state.store.calendar().await?;
    let close_after = state.store.reporting_days(today).await?;
    let mut out = Vec::new();
    for p in state.store.published_plans().await? {
        let f = state.store.followup(p.id).await?;
        let d = dashboard(&p.plan, &f, &calendar, close_after, today, None);
        out.push(PlanWithProgress {
            published: p,
            rows: d.rows,
        });
    }
    out.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.published.plan.year.get()),
            p.published.id.0,
        )
    });
    Ok(out)
}

/// The consultations and forums citizens may see (announced, open or closed), newest first.
async fn public_consultations(state: &AppState, today: NaiveDate) -> AppResult<Vec<Consultation>> {
    let mut list: Vec<Consultation> = state
        .store
        .consultations_uncounted()
        .await?
        .into_iter()
        .filter(|c| c.stage(today).is_public())
        .collect();
    list.sort_by_key(|c| (std::cmp::Reverse(c.data.opens_on), std::cmp::Reverse(c.id)));
    Ok(list)
}

async fn hearings_newest_first(state: &AppState) -> AppResult<Vec<Hearing>> {
    let mut h = state.store.hearings().await?;
    h.sort_by_key(|h| (std::cmp::Reverse(h.data.held_on), std::cmp::Reverse(h.id)));
    Ok(h)
}

async fn events_newest_first(state: &AppState) -> AppResult<Vec<Event>> {
    let mut e = state.store.events().await?;
    e.sort_by_key(|e| (std::cmp::Reverse(e.data.held_on), std::cmp::Reverse(e.id)));
    Ok(e)
}

/// «Encuesta» or «Foro».
fn kind_label(c: &Consultation) -> &'static str {
    match c.data.kind {
        ConsultationKind::Forum(_) => "Foro",
        ConsultationKind::Survey => "Consulta",
    }
}

/// Where a public consultation stands, in a sentence.
fn stage_text(c: &Consultation, today: NaiveDate) -> String {
    match c.stage(today) {
        Stage::Draft | Stage::Announced => format!("Abre el {}", fecha(c.data.opens_on)),
        Stage::Open => format!("Abierta hasta el {}", fecha(c.data.closes_on)),
        Stage::Closed => format!("Cerró el {}", fecha(c.data.closes_on)),
    }
}

/// The results page of a consultation, when its results are public and it has opened.
fn results_link(c: &Consultation, today: NaiveDate) -> Option<String> {
    (c.results_public && matches!(c.stage(today), Stage::Open | Stage::Closed))
        .then(|| format!("/consultas/{}/resultados", c.id))
}

/// Whether an event took place: an earlier day, or today once its attendance is in.
fn held(e: &Event, today: NaiveDate) -> bool {
    e.data.held_on < today || (e.data.held_on == today && e.data.attendees > 0)
}

fn place_of(e: &Event) -> String {
    [e.data.place.as_str(), e.data.territory.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan's title, with its year when the title does not say it.
fn plan_name(p: &PublishedPlan) -> String {
    let year = p.plan.year.get().to_string();
    if p.plan.title.contains(&year) {
        p.plan.title.clone()
    } else {
        format!("{} ({year})", p.plan.title)
    }
}

/// «del 5 feb 2025 al 28 nov 2025», or one date.
fn span(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        format!("el {}", fecha(start))
    } else {
        format!("del {} al {}", fecha(start), fecha(end))
    }
}

// ------------------------------------------------------------------ /participa

pub struct PartSummary {
    pub slug: &'static str,
    pub label: &'static str,
    pub explanation: &'static str,
    pub activities: usize,
}

#[derive(Template)]
#[template(path = "participa.html")]
pub struct MenuPage {
    pub layout: Layout,
    pub parts: Vec<PartSummary>,
    pub has_plans: bool,
}

/// `GET /participa`: the six parts, each with how many published activities it lists.
pub async fn menu(State(state): State<AppState>) -> AppResult<Response> {
    let body = cached(&state, "/participa".into(), |state, _today| async move {
        let plans = state.store.published_plans().await?;
        let parts = ParticipaPart::ALL
            .into_iter()
            .map(|p| PartSummary {
                slug: p.slug(),
                label: p.label(),
                explanation: p.explanation(),
                activities: plans
                    .iter()
                    .flat_map(|pl| &pl.plan.activities)
                    .filter(|a| p.includes(&a.tags))
                    .count(),
            })
            .collect();
        let page = MenuPage {
            layout: Layout::public("Participa".into(), &state),
            parts,
            has_plans: !plans.is_empty(),
        };
        Ok(page.render()?)
    })
    .await?;
    Ok(html(body))
}

// ------------------------------------------------------------------ /participa/{part}

/// Something that came of an activity: a consultation, forum, hearing or event.
pub struct OutcomeView {
    pub kind: &'static str,
    pub title: String,
    pub href: Option<String>,
    pub when: String,
    pub results: Option<String>,
    pub results_label: &'static str,
}

pub struct PartActivity {
    pub plan: String,
    pub number: u32,
    pub description: String,
    pub dates: String,
    pub offices: String,
    pub deliverable: String,
    pub status_label: &'static str,
    pub status_colour: &'static str,
    pub status_key: &'static str,
    pub progress: String,
    pub verified: bool,
    pub outcomes: Vec<OutcomeView>,
}

#[derive(Template)]
#[template(path = "participa_part.html")]
pub struct PartPage {
    pub layout: Layout,
    pub label: &'static str,
    pub explanation: &'static str,
    pub activities: Vec<PartActivity>,
}

/// `GET /participa/{part}`: the part's activities and what came of them.
pub async fn part(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let part = ParticipaPart::from_slug(&slug).ok_or(AppError::NotFound)?;
    let body = cached(
        &state,
        format!("/participa/{}", part.slug()),
        |state, today| async move { render_part(&state, part, today).await },
    )
    .await?;
    Ok(html(body))
}

async fn render_part(state: &AppState, part: ParticipaPart, today: NaiveDate) -> AppResult<String> {
    let plans = published_with_progress(state, today).await?;
    let consultations = public_consultations(state, today).await?;
    let hearings = hearings_newest_first(state).await?;
    let events = events_newest_first(state).await?;
    let mut activities = Vec::new();
    for p in &plans {
        let plan_id = p.published.id.0;
        for a in &p.published.plan.activities {
            if !part.includes(&a.tags) {
                continue;
            }
            let number = a.number.get();
            let key = Some((plan_id, number));
            let row = p.rows.iter().find(|r| r.number == number);
            let (progress, verified) = match row {
                Some(r) => match (r.verified, r.reported) {
                    (Some(v), _) => (format!("{} %", pct(v)), true),
                    (None, Some(v)) => (format!("{} %", pct(v)), false),
                    (None, None) => ("0 %".to_string(), false),
                },
                None => ("0 %".to_string(), false),
            };
            let mut outcomes = Vec::new();
            for c in consultations.iter().filter(|c| c.data.activity == key) {
                outcomes.push(OutcomeView {
                    kind: kind_label(c),
                    title: c.data.title.clone(),
                    href: Some(format!("/consultas/{}", c.id)),
                    when: stage_text(c, today),
                    results: results_link(c, today),
                    results_label: "Ver resultados",
                });
            }
            for h in hearings.iter().filter(|h| h.data.activity == key) {
                outcomes.push(OutcomeView {
                    kind: "Audiencia pública",
                    title: h.data.title.clone(),
                    href: Some(format!("/audiencias/{}", h.id)),
                    when: fecha(h.data.held_on),
                    results: (!h.data.report_url.is_empty()).then(|| h.data.report_url.clone()),
                    results_label: "Informe de la audiencia",
                });
            }
            for e in events.iter().filter(|e| e.data.activity == key) {
                let mut when = format!(
                    "{} · {}",
                    fecha(e.data.held_on),
                    modality_label(&e.data.modality)
                );
                if held(e, today) {
                    when.push_str(&format!(
                        " · asistentes: {}",
                        written_count(e.data.attendees.max(0) as usize)
                    ));
                }
                outcomes.push(OutcomeView {
                    kind: "Evento",
                    title: e.data.title.clone(),
                    href: None,
                    when,
                    results: None,
                    results_label: "",
                });
            }
            activities.push(PartActivity {
                plan: plan_name(&p.published),
                number,
                description: a.description.clone(),
                dates: span(a.start, a.end),
                offices: a.responsible_text.clone(),
                deliverable: a.deliverable.clone(),
                status_label: row.map_or("No iniciada", |r| r.status_label()),
                status_colour: row.map_or("gris", |r| r.colour()),
                status_key: row.map_or("no_iniciada", |r| r.status_key()),
                progress,
                verified,
                outcomes,
            });
        }
    }
    let page = PartPage {
        layout: Layout::public(part.label().into(), state),
        label: part.label(),
        explanation: part.explanation(),
        activities,
    };
    Ok(page.render()?)
}

// ------------------------------------------------------------------ calendar

/// One dated entry of the annual strategy's calendar.
struct Dated {
    /// Stable identifier, also the feed's UID.
    uid: String,
    kind: &'static str,
    title: String,
    start: NaiveDate,
    end: NaiveDate,
    href: Option<String>,
    /// Where it takes place (hearings and events), the feed's LOCATION.
    place: String,
    /// More about it: who is responsible for a plan activity, how an event takes place.
    detail: String,
}

async fn dated_entries(state: &AppState, today: NaiveDate) -> AppResult<Vec<Dated>> {
    let mut out = Vec::new();
    for p in state.store.published_plans().await? {
        for a in &p.plan.activities {
            out.push(Dated {
                uid: format!("actividad-{}-{}@participa", p.id.0, a.number.get()),
                kind: ACTIVITY,
                title: a.description.clone(),
                start: a.start,
                end: a.end,
                href: Some(format!("/planes/{}", p.id.0)),
                place: String::new(),
                detail: format!("Responsables: {}", a.responsible_text),
            });
        }
    }
    for h in state.store.hearings().await? {
        out.push(Dated {
            uid: format!("audiencia-{}@participa", h.id),
            kind: "Audiencia pública",
            title: h.data.title.clone(),
            start: h.data.held_on,
            end: h.data.held_on,
            href: Some(format!("/audiencias/{}", h.id)),
            place: h.data.place.clone(),
            detail: String::new(),
        });
    }
    for c in public_consultations(state, today).await? {
        out.push(Dated {
            uid: format!("consulta-{}@participa", c.id),
            kind: kind_label(&c),
            title: c.data.title.clone(),
            start: c.data.opens_on,
            end: c.data.closes_on,
            href: Some(format!("/consultas/{}", c.id)),
            place: String::new(),
            detail: String::new(),
        });
    }
    for e in state.store.events().await? {
        out.push(Dated {
            uid: format!("evento-{}@participa", e.id),
            kind: "Evento",
            title: e.data.title.clone(),
            start: e.data.held_on,
            end: e.data.held_on,
            href: None,
            place: place_of(&e),
            detail: modality_label(&e.data.modality),
        });
    }
    out.sort_by(|a, b| (a.start, a.end, &a.uid).cmp(&(b.start, b.end, &b.uid)));
    Ok(out)
}

pub struct CalendarEntry {
    pub kind: &'static str,
    pub title: String,
    pub dates: String,
    pub href: Option<String>,
    pub place: String,
}

pub struct CalendarMonth {
    pub id: String,
    pub label: String,
    /// What starts, happens, opens or closes in the month.
    pub entries: Vec<CalendarEntry>,
    /// Plan activities that started in an earlier month and still run.
    pub ongoing: Vec<CalendarEntry>,
}

/// The kind of a plan activity in the calendar.
const ACTIVITY: &str = "Actividad del plan";

/// The longest a plan activity is listed as running on (its vigencia and a margin).
const MAX_RUNNING_MONTHS: usize = 24;

/// The first day of each month after `start`'s, up to `end`'s (at most
/// [`MAX_RUNNING_MONTHS`]).
fn later_months(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut month = start.with_day(1);
    while out.len() < MAX_RUNNING_MONTHS {
        month = month.and_then(|m| m.checked_add_months(chrono::Months::new(1)));
        match month {
            Some(m) if m <= end => out.push(m),
            _ => break,
        }
    }
    out
}

#[derive(Template)]
#[template(path = "participa_calendar.html")]
pub struct CalendarPage {
    pub layout: Layout,
    pub months: Vec<CalendarMonth>,
}

const MONTH_NAMES: [&str; 12] = [
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
];

/// `GET /participa/calendario`: every dated entry by the month it starts in, and each
/// plan activity again under the later months it still runs in. A consultation is
/// listed when it opens and again when it closes.
pub async fn calendar(State(state): State<AppState>) -> AppResult<Response> {
    let body = cached(
        &state,
        "/participa/calendario".into(),
        |state, today| async move {
            // (day, still running from an earlier month, entry)
            let mut items: Vec<(NaiveDate, bool, CalendarEntry)> = Vec::new();
            for d in dated_entries(&state, today).await? {
                if d.kind == ACTIVITY {
                    for month in later_months(d.start, d.end) {
                        items.push((
                            month,
                            true,
                            CalendarEntry {
                                kind: d.kind,
                                title: d.title.clone(),
                                dates: format!("Hasta el {}", fecha(d.end)),
                                href: d.href.clone(),
                                place: String::new(),
                            },
                        ));
                    }
                }
                let consultation = d.kind == "Consulta" || d.kind == "Foro";
                if consultation && d.start != d.end {
                    let noun = if d.kind == "Foro" {
                        "el foro"
                    } else {
                        "la consulta"
                    };
                    items.push((
                        d.start,
                        false,
                        CalendarEntry {
                            kind: d.kind,
                            title: d.title.clone(),
                            dates: format!("Abre {noun} el {}", fecha(d.start)),
                            href: d.href.clone(),
                            place: String::new(),
                        },
                    ));
                    items.push((
                        d.end,
                        false,
                        CalendarEntry {
                            kind: d.kind,
                            title: d.title,
                            dates: format!("Cierra {noun} el {}", fecha(d.end)),
                            href: d.href,
                            place: String::new(),
                        },
                    ));
                } else {
                    let mut dates = span(d.start, d.end);
                    if let Some(first) = dates.get(..1) {
                        dates = first.to_uppercase() + &dates[1..];
                    }
                    items.push((
                        d.start,
                        false,
                        CalendarEntry {
                            kind: d.kind,
                            title: d.title,
                            dates,
                            href: d.href,
                            place: [d.detail, d.place]
                                .into_iter()
                                .filter(|s| !s.is_empty())
                                .collect::<Vec<_>>()
                                .join(" · "),
                        },
                    ));
                }
            }
            items.sort_by_key(|(day, _, _)| *day);
            let mut months: Vec<CalendarMonth> = Vec::new();
            for (day, ongoing, entry) in items {
                let id = format!("mes-{}-{:02}", day.year(), day.month());
                if months.last().is_none_or(|m| m.id != id) {
                    months.push(CalendarMonth {
                        id,
                        label: format!("{} de {}", MONTH_NAMES[day.month0() as usize], day.year()),
                        entries: Vec::new(),
                        ongoing: Vec::new(),
                    });
                }
                if let Some(m) = months.last_mut() {
                    if ongoing {
                        m.ongoing.push(entry);
                    } else {
                        m.entries.push(entry);
                    }
                }
            }
            let page = CalendarPage {
                layout: Layout::public("Calendario de la participación".into(), &state),
                months,
            };
            Ok(page.render()?)
        },
    )
    .await?;
    Ok(html(body))
}

/// `GET /participa/calendario.ics`: the same calendar as an iCalendar feed of all-day
/// events with stable UIDs (DTEND is the day after the last one, as RFC 5545 reads it).
pub async fn calendar_feed(State(state): State<AppState>) -> AppResult<Response> {
    let body = cached(&state, "/participa/calendario.ics".into(), |state, today| async move {
        use icalendar::{Component, EventLike};
        let mut cal = icalendar::Calendar::new();
        cal.name(&format!("Participación ciudadana · {}", state.entity));
        cal.description(&format!(
            "Calendario del Plan de Participación Ciudadana de {}: actividades, audiencias, consultas y eventos.",
            state.entity
        ));
        let stamp = chrono::Utc::now();
        for d in dated_entries(&state, today).await? {
            let mut e = icalendar::Event::new();
            e.uid(&d.uid)
                .timestamp(stamp)
                .summary(&format!("{}: {}", d.kind, d.title))
                .starts(d.start)
                .ends(d.end.succ_opt().unwrap_or(d.end));
            let mut description = d.title.clone();
            if !d.detail.is_empty() {
                description.push_str(&format!("\n{}", d.detail));
            }
            if let (Some(base), Some(href)) = (&state.public_url, &d.href) {
                let link = format!("{}{href}", base.trim_end_matches('/'));
                description.push_str(&format!("\n{link}"));
                e.url(&link);
            }
            e.description(&description);
            if !d.place.is_empty() {
                e.location(&d.place);
            }
            cal.push(e.done());
        }
        Ok(cal.done().to_string())
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"calendario-participacion.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}

// ------------------------------------------------------------------ archives

/// Items per archive page.
const PER_PAGE: usize = 50;

/// Archive pages kept in memory per archive: later pages are drawn on each visit.
const CACHED_PAGES: usize = 5;

#[derive(Deserialize)]
pub struct PageQuery {
    pagina: Option<String>,
}

/// The page asked for (1 by default); one that is not a whole number from 1 on does
/// not exist (checked against the last page once the list is read).
fn page_asked(q: &PageQuery) -> AppResult<usize> {
    match q.pagina.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(raw) if raw.len() <= 6 => match raw.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(AppError::NotFound),
        },
        Some(_) => Err(AppError::NotFound),
    }
}

/// The items of page `page` of `all`, and how many pages there are; a page past the
/// last one does not exist (an empty list has one, empty, page).
fn page_of<T>(all: &[T], page: usize) -> AppResult<(&[T], Pager)> {
    let pages = all.len().div_ceil(PER_PAGE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let start = (page - 1) * PER_PAGE;
    let end = (start + PER_PAGE).min(all.len());
    Ok((
        &all[start..end],
        Pager {
            base: "",
            page,
            pages,
        },
    ))
}

/// Draws an archive page through the cache when it is one of the first pages.
async fn archive_page<F, Fut>(
    state: &AppState,
    base: &'static str,
    page: usize,
    draw: F,
) -> AppResult<Response>
where
    F: FnOnce(AppState, NaiveDate) -> Fut,
    Fut: std::future::Future<Output = AppResult<String>>,
{
    let body = if page <= CACHED_PAGES {
        cached(state, format!("{base}?pagina={page}"), draw).await?
    } else {
        Bytes::from(draw(state.clone(), today()).await?)
    };
    Ok(html(body))
}

pub struct Pager {
    pub base: &'static str,
    pub page: usize,
    pub pages: usize,
}

pub struct ConsultationItem {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    pub dates: String,
    pub stage: String,
    pub results: Option<String>,
    /// The results report staff published (its PDF), if they did.
    pub report: Option<String>,
}

#[derive(Template)]
#[template(path = "archive_consultations.html")]
pub struct ConsultationsArchive {
    pub layout: Layout,
    pub items: Vec<ConsultationItem>,
    pub pager: Pager,
}

/// `GET /consultas`: every consultation and forum citizens may see, newest first.
pub async fn consultations(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = page_asked(&q)?;
    archive_page(&state, "/consultas", page, |state, today| async move {
        let all = public_consultations(&state, today).await?;
        let (shown, pager) = page_of(&all, page)?;
        let reports: std::collections::HashSet<i64> = state
            .store
            .published_reports()
            .await?
            .into_iter()
            .filter(|r| r.kind == "consulta")
            .map(|r| r.subject)
            .collect();
        let items = shown
            .iter()
            .map(|c| ConsultationItem {
                kind: kind_label(c),
                title: c.data.title.clone(),
                href: format!("/consultas/{}", c.id),
                dates: span(c.data.opens_on, c.data.closes_on),
                stage: stage_text(c, today),
                results: results_link(c, today),
                report: reports.contains(&c.id).then(|| {
                    crate::report_publication::public_base("consulta", c.id) + "/informe.pdf"
                }),
            })
            .collect();
        let p = ConsultationsArchive {
            layout: Layout::public("Consultas y foros".into(), &state),
            items,
            pager: Pager {
                base: "/consultas",
                ..pager
            },
        };
        Ok(p.render()?)
    })
    .await
}

pub struct HearingItem {
    pub title: String,
    pub href: String,
    pub date: String,
    pub place: String,
    pub past: bool,
    pub report: Option<String>,
    pub evaluation: Option<String>,
}

#[derive(Template)]
#[template(path = "archive_hearings.html")]
pub struct HearingsArchive {
    pub layout: Layout,
    pub items: Vec<HearingItem>,
    pub pager: Pager,
}

/// `GET /audiencias`: every hearing, newest first; a past one links its questions and
/// answers, its report and the results of its evaluation when they are public.
pub async fn hearings(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = page_asked(&q)?;
    archive_page(&state, "/audiencias", page, |state, today| async move {
        let all = hearings_newest_first(&state).await?;
        let (shown, pager) = page_of(&all, page)?;
        let evaluations: std::collections::HashMap<i64, String> =
            public_consultations(&state, today)
                .await?
                .iter()
                .filter_map(|c| results_link(c, today).map(|link| (c.id, link)))
                .collect();
        let items = shown
            .iter()
            .map(|h| HearingItem {
                title: h.data.title.clone(),
                href: format!("/audiencias/{}", h.id),
                date: format!("{}, {}", fecha(h.data.held_on), h.data.starts_at),
                place: h.data.place.clone(),
                past: h.data.held_on < today,
                report: (!h.data.report_url.is_empty()).then(|| h.data.report_url.clone()),
                evaluation: h.evaluation.and_then(|id| evaluations.get(&id).cloned()),
            })
            .collect();
        let p = HearingsArchive {
            layout: Layout::public("Audiencias públicas".into(), &state),
            items,
            pager: Pager {
                base: "/audiencias",
                ..pager
            },
        };
        Ok(p.render()?)
    })
    .await
}

pub struct EventItem {
    pub title: String,
    pub date: String,
    pub modality: String,
    pub place: String,
    /// Attendance total of a held event, written as public pages write counts.
    pub attendance: Option<String>,
}

#[derive(Template)]
#[template(path = "archive_events.html")]
pub struct EventsArchive {
    pub layout: Layout,
    pub items: Vec<EventItem>,
    pub pager: Pager,
}

/// `GET /eventos`: every event held or planned, newest first, with the attendance total
/// of the held ones.
pub async fn events(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = page_asked(&q)?;
    archive_page(&state, "/eventos", page, |state, today| async move {
        let all = events_newest_first(&state).await?;
        let (shown, pager) = page_of(&all, page)?;
        let items = shown
            .iter()
            .map(|e| EventItem {
                title: e.data.title.clone(),
                date: fecha(e.data.held_on),
                modality: modality_label(&e.data.modality),
                place: place_of(e),
                attendance: held(e, today).then(|| written_count(e.data.attendees.max(0) as usize)),
            })
            .collect();
        let p = EventsArchive {
            layout: Layout::public("Eventos".into(), &state),
            items,
            pager: Pager {
                base: "/eventos",
                ..pager
            },
        };
        Ok(p.render()?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(raw: Option<&str>) -> Option<usize> {
        page_asked(&PageQuery {
            pagina: raw.map(String::from),
        })
        .ok()
    }

    #[test]
    fn an_activity_runs_on_in_the_months_after_its_start() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            later_months(d(2025, 2, 5), d(2025, 4, 30)),
            [d(2025, 3, 1), d(2025, 4, 1)]
        );
        assert!(later_months(d(2025, 3, 10), d(2025, 3, 31)).is_empty());
        assert_eq!(
            later_months(d(2025, 12, 20), d(2026, 1, 1)),
            [d(2026, 1, 1)]
        );
        assert_eq!(
            later_months(d(2025, 1, 1), d(2099, 1, 1)).len(),
            MAX_RUNNING_MONTHS
        );
    }

    #[test]
    fn archive_pages_are_whole_numbers_up_to_the_last() {
        assert_eq!(asked(None), Some(1));
        assert_eq!(asked(Some("")), Some(1));
        assert_eq!(asked(Some("3")), Some(3));
        for bad in ["0", "-1", "dos", "1.5", "99999999999999999999"] {
            assert_eq!(asked(Some(bad)), None, "{bad}");
        }
        let items: Vec<usize> = (0..PER_PAGE + 1).collect();
        let (first, pager) = page_of(&items, 1).unwrap();
        assert_eq!((first.len(), pager.pages), (PER_PAGE, 2));
        let (second, _) = page_of(&items, 2).unwrap();
        assert_eq!(second, &[PER_PAGE]);
        assert!(page_of(&items, 3).is_err());
        let none: [u8; 0] = [];
        assert_eq!(page_of(&none, 1).unwrap().1.pages, 1);
        assert!(page_of(&none, 2).is_err());
    }
}
