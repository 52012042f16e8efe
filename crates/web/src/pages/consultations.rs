//! Online consultations as surveys. Citizens answer at `/consultas/{id}` (no account;
//! rate limit, honeypot, the answers checked against each question, conditional questions
//! counted only when shown) and, once staff publish them, read the results with counts,
//! percentages and bars. Staff create a consultation linked to a plan activity, add its
//! questions, see the results and export every response as CSV, streamed page by page.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::form::{FieldErrors, FormData};
use crate::views::{fecha, Layout};
use crate::{AppState, ClientAddress};
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use participa_domain::participation::survey::{
    check_answers, check_question, tally, Condition, QuestionKind,
};
use participa_domain::Action;
use participa_store::{Consultation, ConsultationData, StoreError};
use std::collections::BTreeMap;

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::ConsultationNotFound(_) => AppError::NotFound,
        other => other.into(),
    }
}

fn is_open(c: &Consultation, today: NaiveDate) -> bool {
    c.data.opens_on <= today && today <= c.data.closes_on
}

/// A question as the public form shows it.
pub struct QuestionView {
    pub number: u32,
    pub text: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<(String, bool)>,
    pub typed: String,
    pub condition: String,
    pub error: Option<String>,
}

fn views(
    c: &Consultation,
    typed: &BTreeMap<u32, Vec<String>>,
    errors: &BTreeMap<u32, String>,
) -> Vec<QuestionView> {
    c.questions
        .iter()
        .map(|q| {
            let given = typed.get(&q.number).cloned().unwrap_or_default();
            let options: Vec<String> = match &q.kind {
                QuestionKind::Scale => (1..=5).map(|n| n.to_string()).collect(),
                k => k.options().to_vec(),
            };
            QuestionView {
                number: q.number,
                text: q.text.clone(),
                kind: q.kind.code(),
                required: q.required,
                options: options
                    .into_iter()
                    .map(|o| {
                        let checked = given.contains(&o);
                        (o, checked)
                    })
                    .collect(),
                typed: given.first().cloned().unwrap_or_default(),
                condition: q
                    .condition
                    .as_ref()
                    .map(|c| {
                        format!(
                            "Responda solo si en la pregunta {} respondió «{}».",
                            c.question, c.answer
                        )
                    })
                    .unwrap_or_default(),
                error: errors.get(&q.number).cloned(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    pub layout: Layout,
    pub id: i64,
    pub title: String,
    pub description: String,
    pub dates: String,
    pub open: bool,
    pub questions: Vec<QuestionView>,
    pub errors: FieldErrors,
    pub results_public: bool,
}

async fn public_page(
    state: &AppState,
    id: i64,
    typed: BTreeMap<u32, Vec<String>>,
    question_errors: BTreeMap<u32, String>,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await.map_err(not_found)?;
    let mut errors = FieldErrors::new();
    if !question_errors.is_empty() {
        errors.insert(
            "preguntas",
            format!(
                "Revise {} pregunta(s): el mensaje está junto a cada una.",
                question_errors.len()
            ),
        );
    }
    let page = ConsultationPage {
        layout: Layout::public(c.data.title.clone(), state),
        id,
        title: c.data.title.clone(),
        description: c.data.description.clone(),
        dates: format!(
            "Del {} al {}",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        ),
        open: is_open(&c, super::today()),
        questions: views(&c, &typed, &question_errors),
        errors,
        results_public: c.results_public,
    };
    let status = if question_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn show(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    public_page(&state, id, BTreeMap::new(), BTreeMap::new()).await
}

pub async fn answer(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref())?;
    let c = state.store.consultation(id).await.map_err(not_found)?;
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to(&format!("/consultas/{id}/gracias")).into_response());
    }
    if !is_open(&c, super::today()) {
        return Err(AppError::BadRequest(format!(
            "La consulta recibe respuestas del {} al {}.",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        )));
    }
    let mut raw: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (name, value) in &form.0 {
        if let Some(n) = name.strip_prefix('p').and_then(|n| n.parse().ok()) {
            raw.entry(n).or_default().push(value.clone());
        }
    }
    match check_answers(&c.questions, &raw) {
        Ok(kept) => {
            state.store.add_response(id, &kept).await?;
            Ok(Redirect::to(&format!("/consultas/{id}/gracias")).into_response())
        }
        Err(errors) => public_page(&state, id, raw, errors).await,
    }
}

#[derive(Template)]
#[template(path = "consultation_thanks.html")]
pub struct ThanksPage {
    pub layout: Layout,
    pub id: i64,
    pub results_public: bool,
}

pub async fn thanks(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let c = state.store.consultation(id).await.map_err(not_found)?;
    let page = ThanksPage {
        layout: Layout::public("Gracias por participar".into(), &state),
        id,
        results_public: c.results_public,
    };
    Ok(Html(page.render()?).into_response())
}

/// One question's results: counts, percentages and a bar width.
pub struct ResultView {
    pub number: u32,
    pub text: String,
    pub answered: usize,
    /// (option, count, percent written, bar width 0–100).
    pub rows: Vec<(String, usize, String, u32)>,
    /// Open answers (shown to staff only).
    pub open: Vec<String>,
    pub average: String,
}

fn results(
    c: &Consultation,
    responses: &[participa_store::Response],
    with_open: bool,
) -> Vec<ResultView> {
    c.questions
        .iter()
        .map(|q| {
            let answers: Vec<Vec<String>> = responses
                .iter()
                .filter_map(|r| r.answers.get(&q.number).cloned())
                .collect();
            let (rows, n) = match &q.kind {
                QuestionKind::Single(_) | QuestionKind::Multiple(_) | QuestionKind::Scale => {
                    let (counts, n) = tally(q, &answers);
                    let rows = counts
                        .into_iter()
                        .map(|(o, k)| {
                            let p = if n == 0 {
                                0.0
                            } else {
                                100.0 * k as f64 / n as f64
                            };
                            (o, k, crate::followup_view::pct(p), p.round() as u32)
                        })
                        .collect();
                    (rows, n)
                }
                _ => (vec![], answers.len()),
            };
            let numbers: Vec<f64> = answers
                .iter()
                .filter_map(|a| a.first()?.replace(',', ".").parse().ok())
                .collect();
            let average = match &q.kind {
                QuestionKind::Scale | QuestionKind::Number if !numbers.is_empty() => {
                    crate::followup_view::pct(numbers.iter().sum::<f64>() / numbers.len() as f64)
                }
                _ => String::new(),
            };
            ResultView {
                number: q.number,
                text: q.text.clone(),
                answered: n,
                rows,
                open: if with_open && q.kind == QuestionKind::Text {
                    answers
                        .into_iter()
                        .filter_map(|a| a.into_iter().next())
                        .collect()
                } else {
                    vec![]
                },
                average,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "consultation_results.html")]
pub struct ResultsPage {
    pub layout: Layout,
    pub title: String,
    pub responses: i64,
    pub results: Vec<ResultView>,
}

pub async fn public_results(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await.map_err(not_found)?;
    if !c.results_public {
        return Err(AppError::NotFound);
    }
    let responses = state.store.responses(id).await?;
    let page = ResultsPage {
        layout: Layout::public(format!("Resultados · {}", c.data.title), &state),
        title: c.data.title.clone(),
        responses: c.responses,
        results: results(&c, &responses, false),
    };
    Ok(Html(page.render()?).into_response())
}

// ------------------------------------------------------------------ staff

#[derive(Default, Clone)]
pub struct ConsultationValues {
    pub title: String,
    pub description: String,
    pub opens_on: String,
    pub closes_on: String,
    pub activity: String,
}

#[derive(Template)]
#[template(path = "consultations_admin.html")]
pub struct AdminListPage {
    pub layout: Layout,
    pub consultations: Vec<(i64, String, String, i64)>,
    pub activities: Vec<(String, String)>,
    pub can_manage: bool,
    pub values: ConsultationValues,
    pub errors: FieldErrors,
}

async fn admin_list_page(
    state: &AppState,
    user: &CurrentUser,
    values: ConsultationValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AdminListPage {
        layout: user.layout("Consultas en línea", state),
        consultations: state
            .store
            .consultations()
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    c.data.title,
                    format!("{} a {}", fecha(c.data.opens_on), fecha(c.data.closes_on)),
                    c.responses,
                )
            })
            .collect(),
        activities: super::hearings::activity_choices(state).await?,
        can_manage: user.can(Action::ManageParticipation),
        values,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn admin_list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    admin_list_page(
        &state,
        &user,
        ConsultationValues::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let v = ConsultationValues {
        title: form.get("titulo").trim().into(),
        description: form.get("descripcion").trim().into(),
        opens_on: form.get("abre").trim().into(),
        closes_on: form.get("cierra").trim().into(),
        activity: form.get("actividad").into(),
    };
    let mut errors = FieldErrors::new();
    if v.title.is_empty() {
        errors.insert("titulo", "Escriba el nombre de la consulta.".into());
    }
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (opens, closes) = (day(&v.opens_on), day(&v.closes_on));
    if opens.is_none() {
        errors.insert("abre", "Escriba la fecha en que abre.".into());
    }
    if closes.is_none() {
        errors.insert("cierra", "Escriba la fecha en que cierra.".into());
    }
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            errors.insert(
                "cierra",
                "La consulta no puede cerrar antes de abrir.".into(),
            );
        }
    }
    let activities = super::hearings::activity_choices(&state).await?;
    let activity = super::hearings::chosen_activity(&activities, &v.activity, &mut errors);
    let (Some(opens_on), Some(closes_on), true) = (opens, closes, errors.is_empty()) else {
        return admin_list_page(&state, &user, v, errors).await;
    };
    let data = ConsultationData {
        title: v.title,
        description: v.description,
        opens_on,
        closes_on,
        activity,
    };
    let id = state
        .store
        .create_consultation(&data, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}")).into_response())
}

#[derive(Default, Clone)]
pub struct QuestionValues {
    pub text: String,
    pub kind: String,
    pub options: String,
    pub required: bool,
    pub condition: String,
}

#[derive(Template)]
#[template(path = "consultation_admin.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub id: i64,
    pub title: String,
    pub dates: String,
    pub results_public: bool,
    pub responses: i64,
    pub questions: Vec<(u32, String, &'static str, bool, String)>,
    pub results: Vec<ResultView>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// `N:option` choices for a condition.
    pub conditions: Vec<(String, String)>,
    pub can_manage: bool,
    pub values: QuestionValues,
    pub errors: FieldErrors,
}

async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: QuestionValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await.map_err(not_found)?;
    let responses = state.store.responses(id).await?;
    let conditions = c
        .questions
        .iter()
        .flat_map(|q| {
            q.kind.options().iter().map(move |o| {
                (
                    format!("{}:{o}", q.number),
                    format!("Pregunta {} = «{o}»", q.number),
                )
            })
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AdminPage {
        layout: user.layout(c.data.title.clone(), state),
        id,
        title: c.data.title.clone(),
        dates: format!(
            "Del {} al {}",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        ),
        results_public: c.results_public,
        responses: c.responses,
        questions: c
            .questions
            .iter()
            .map(|q| {
                (
                    q.number,
                    q.text.clone(),
                    QuestionKind::label(q.kind.code()),
                    q.required,
                    q.condition
                        .as_ref()
                        .map(|c| format!("si la pregunta {} = «{}»", c.question, c.answer))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        results: results(&c, &responses, true),
        kinds: QuestionKind::CODES
            .iter()
            .map(|k| (*k, QuestionKind::label(k)))
            .collect(),
        conditions,
        can_manage: user.can(Action::ManageParticipation),
        values,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn admin_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let values = QuestionValues {
        kind: "unica".into(),
        required: true,
        ..Default::default()
    };
    admin_page(&state, &user, id, values, FieldErrors::new()).await
}

pub async fn add_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = state.store.consultation(id).await.map_err(not_found)?;
    let v = QuestionValues {
        text: form.get("texto").trim().into(),
        kind: form.get("tipo").into(),
        options: form.get("opciones").into(),
        required: form.get("obligatoria") == "si",
        condition: form.get("condicion").into(),
    };
    let condition = v.condition.split_once(':').and_then(|(n, a)| {
        Some(Condition {
            question: n.parse().ok()?,
            answer: a.to_string(),
        })
    });
    let built = QuestionKind::from_code(&v.kind, &v.options)
        .and_then(|kind| check_question(&c.questions, &v.text, kind, v.required, condition));
    match built {
        Ok(q) => {
            state
                .store
                .add_consultation_question(id, &q, &user.actor())
                .await?;
            Ok(Redirect::to(&format!("/admin/consultas/{id}#preguntas")).into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.insert(e.field(), super::plans::capitalize(&e.to_string()));
            admin_page(&state, &user, id, v, errors).await
        }
    }
}

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    state.store.consultation(id).await.map_err(not_found)?;
    let public = form.get("publicos") == "si";
    state
        .store
        .publish_consultation_results(id, public, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}")).into_response())
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| {
            // A leading =, +, - or @ would make spreadsheets run the cell as a formula.
            let safe = if f.starts_with(['=', '+', '-', '@']) {
                format!("'{f}")
            } else {
                f.clone()
            };
            format!("\"{}\"", safe.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Every response as CSV, read and sent in pages of 500: memory stays flat however many
/// responses there are.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let c = state.store.consultation(id).await.map_err(not_found)?;
    let mut header_fields = vec!["respuesta".to_string(), "fecha".to_string()];
    header_fields.extend(
        c.questions
            .iter()
            .map(|q| format!("{}. {}", q.number, q.text)),
    );
    let numbers: Vec<u32> = c.questions.iter().map(|q| q.number).collect();
    let first = format!("\u{feff}{}", csv_line(&header_fields));
    let store = state.store.clone();
    let stream =
        futures_util::stream::unfold((Some(first), 0i64, false), move |(head, after, done)| {
            let store = store.clone();
            let numbers = numbers.clone();
            async move {
                if let Some(h) = head {
                    return Some((
                        Ok::<Bytes, std::io::Error>(Bytes::from(h)),
                        (None, after, done),
                    ));
                }
                if done {
                    return None;
                }
                let page = match store.responses_after(id, after, 500).await {
                    Ok(p) => p,
                    Err(e) => {
                        return Some((
                            Err(std::io::Error::other(e.to_string())),
                            (None, after, true),
                        ))
                    }
                };
                let last = page.last().map(|r| r.id)?;
                let mut chunk = String::new();
                for r in &page {
                    let mut fields = vec![r.id.to_string(), r.at.to_rfc3339()];
                    fields.extend(
                        numbers
                            .iter()
                            .map(|n| r.answers.get(n).map(|v| v.join("; ")).unwrap_or_default()),
                    );
                    chunk.push_str(&csv_line(&fields));
                }
                Some((Ok(Bytes::from(chunk)), (None, last, page.len() < 500)))
            }
        });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"consulta-{id}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
