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
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use participa_domain::participation::forum::{CommentStatus, Moderation};
use participa_domain::participation::identity::{check_document, DocumentType};
use participa_domain::participation::public_count;
use participa_domain::participation::survey::{
    average, check_answers, check_question, tally_counted, Condition, QuestionKind,
};
use participa_domain::Action;
use participa_store::{Consultation, ConsultationData, Identification, StoreError};
use std::collections::BTreeMap;

pub(crate) fn is_open(c: &Consultation, today: NaiveDate) -> bool {
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
    /// The identification section, when the survey takes one answer per person.
    pub identification: bool,
    pub document_types: Vec<(&'static str, &'static str)>,
    pub ident: IdentValues,
    pub purpose: String,
}

/// What a citizen typed in the identification section.
#[derive(Default, Clone)]
pub struct IdentValues {
    pub document_type: String,
    pub document: String,
    pub consent: bool,
}

fn identification_purpose(entity: &str) -> String {
    format!(
        "Autorizo a {entity} a usar mi documento con la única finalidad de contar una sola respuesta \
         por persona en esta consulta, conforme a la Ley 1581 de 2012. Participa no guarda el número: \
         solo una huella cifrada que no se puede cruzar con otras consultas."
    )
}

async fn public_page(
    state: &AppState,
    id: i64,
    typed: BTreeMap<u32, Vec<String>>,
    question_errors: BTreeMap<u32, String>,
    ident: IdentValues,
    mut errors: FieldErrors,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await?;
    if c.data.forum.is_some() {
        let open = is_open(&c, super::today());
        return super::forums::public_page(
            state,
            &c,
            open,
            Default::default(),
            errors,
            String::new(),
        )
        .await;
    }
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
        identification: c.data.identification,
        document_types: DocumentType::ALL
            .iter()
            .map(|t| (t.code(), t.label()))
            .collect(),
        ident,
        purpose: identification_purpose(&state.entity),
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    comentario: Option<String>,
    reporte: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await?;
    if c.data.forum.is_some() {
        let notice = match (q.comentario.as_deref(), q.reporte.is_some()) {
            (Some("pendiente"), _) => {
                "Recibimos su comentario: se publicará cuando el equipo lo revise."
            }
            (Some("publicado"), _) => "Su comentario quedó publicado.",
            (_, true) => "Recibimos su reporte: el equipo revisará el comentario.",
            _ => "",
        };
        let open = is_open(&c, super::today());
        return super::forums::public_page(
            &state,
            &c,
            open,
            Default::default(),
            FieldErrors::new(),
            notice.to_string(),
        )
        .await;
    }
    public_page(
        &state,
        id,
        BTreeMap::new(),
        BTreeMap::new(),
        IdentValues::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn answer(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref())?;
    let c = state.store.consultation_to_answer(id).await?;
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
    if c.data.forum.is_some() {
        return super::forums::comment(&state, &c, &form).await;
    }
    let mut raw: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (name, value) in &form.0 {
        if let Some(n) = name.strip_prefix('p').and_then(|n| n.parse().ok()) {
            raw.entry(n).or_default().push(value.clone());
        }
    }
    let ident = IdentValues {
        document_type: form.get("tipo_documento").into(),
        document: form.get("documento").into(),
        consent: form.get("autorizacion") == "si",
    };
    let mut errors = FieldErrors::new();
    let document = if c.data.identification {
        match check_document(&ident.document_type, &ident.document, ident.consent) {
            Ok(d) => Some(d),
            Err(list) => {
                for e in list {
                    errors
                        .entry(e.field())
                        .or_insert_with(|| super::plans::capitalize(&e.to_string()));
                }
                None
            }
        }
    } else {
        None
    };
    let kept = match check_answers(&c.questions, &raw) {
        Ok(kept) if errors.is_empty() => kept,
        Ok(_) => return public_page(&state, id, raw, BTreeMap::new(), ident, errors).await,
        Err(q) => return public_page(&state, id, raw, q, ident, errors).await,
    };
    let purpose = format!(
        "{} {}",
        identification_purpose(&state.entity),
        state.data_policy()
    );
    let identification = document.as_ref().map(|d| Identification {
        document: d,
        purpose: &purpose,
    });
    match state.store.add_response(id, &kept, identification).await {
        Ok(_) => Ok(Redirect::to(&format!("/consultas/{id}/gracias")).into_response()),
        Err(e @ StoreError::AlreadyAnswered) => {
            errors.insert("documento", super::plans::capitalize(&e.to_string()));
            public_page(&state, id, raw, BTreeMap::new(), ident, errors).await
        }
        Err(e) => Err(e.into()),
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
    let c = state.store.consultation(id).await?;
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

/// The newest open answers staff see on the results page; all are in the exports.
const OPEN_ANSWERS_SHOWN: i64 = 200;

/// Each question's results, counted by the database (two queries however many
/// responses, plus one per free-text question for staff).
pub(crate) async fn results(
    store: &participa_store::Store,
    c: &Consultation,
    with_open: bool,
) -> AppResult<Vec<ResultView>> {
    let open: Vec<u32> = c
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Text)
        .map(|q| q.number)
        .collect();
    let counts = store.answer_counts(c.id, &open).await?;
    let empty = (0, BTreeMap::new());
    let mut out = Vec::with_capacity(c.questions.len());
    for q in &c.questions {
        let (answered, values) = counts.get(&q.number).unwrap_or(&empty);
        let rows = match &q.kind {
            QuestionKind::Single(_) | QuestionKind::Multiple(_) | QuestionKind::Scale => {
                let (counted, n) = tally_counted(q, *answered, values);
                counted
                    .into_iter()
                    .map(|(o, k)| {
                        let p = if n == 0 {
                            0.0
                        } else {
                            100.0 * k as f64 / n as f64
                        };
                        (o, k, crate::followup_view::pct(p), p.round() as u32)
                    })
                    .collect()
            }
            _ => vec![],
        };
        let average = match &q.kind {
            QuestionKind::Scale | QuestionKind::Number => average(values)
                .map(crate::followup_view::pct)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let open = if with_open && q.kind == QuestionKind::Text {
            store
                .open_answers(c.id, q.number, OPEN_ANSWERS_SHOWN)
                .await?
        } else {
            vec![]
        };
        out.push(ResultView {
            number: q.number,
            text: q.text.clone(),
            answered: *answered,
            rows,
            open,
            average,
        });
    }
    Ok(out)
}

/// A count as public pages write it: fewer than 5 people (and more than none) is
/// «menos de 5» (Ley 1581 de 2012: no group small enough to point at someone).
fn written_count(n: usize) -> String {
    public_count(n).map_or_else(|| "menos de 5".to_string(), |n| n.to_string())
}

#[derive(Template)]
#[template(path = "consultation_results.html")]
pub struct ResultsPage {
    pub layout: Layout,
    pub title: String,
    pub responses: String,
    pub results: Vec<ResultView>,
    /// Counts under 5 are written «menos de 5», without percentage or bar.
    pub public: bool,
}

pub async fn public_results(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await?;
    if !c.results_public {
        return Err(AppError::NotFound);
    }
    let page = ResultsPage {
        layout: Layout::public(format!("Resultados · {}", c.data.title), &state),
        title: c.data.title.clone(),
        responses: written_count(c.responses as usize),
        results: results(&state.store, &c, false).await?,
        public: true,
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
    /// `encuesta` or `foro`.
    pub kind: String,
    pub moderation: String,
    pub identification: bool,
}

#[derive(Template)]
#[template(path = "consultations_admin.html")]
pub struct AdminListPage {
    pub layout: Layout,
    pub consultations: Vec<(i64, String, String, String)>,
    pub activities: Vec<(String, String)>,
    pub moderations: Vec<(&'static str, &'static str)>,
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
    let status = errors.status();
    let page = AdminListPage {
        layout: user.layout("Consultas en línea", state),
        consultations: state
            .store
            .consultations()
            .await?
            .into_iter()
            .map(|c| {
                let count = if c.data.forum.is_some() {
                    format!("foro · {} comentario(s) publicados", c.comments)
                } else {
                    format!("encuesta · {} respuesta(s)", c.responses)
                };
                (
                    c.id,
                    c.data.title,
                    format!("{} a {}", fecha(c.data.opens_on), fecha(c.data.closes_on)),
                    count,
                )
            })
            .collect(),
        activities: super::hearings::activity_choices(state).await?,
        moderations: [Moderation::Before, Moderation::After]
            .iter()
            .map(|m| (m.code(), m.label()))
            .collect(),
        can_manage: user.can(Action::ManageParticipation),
        values,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn admin_list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let values = ConsultationValues {
        kind: "encuesta".into(),
        moderation: "previa".into(),
        ..Default::default()
    };
    admin_list_page(&state, &user, values, FieldErrors::new()).await
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
        kind: form.get("tipo").into(),
        moderation: form.get("moderacion").into(),
        identification: form.get("identificacion") == "si",
    };
    let mut errors = FieldErrors::new();
    let forum = match v.kind.as_str() {
        "" | "encuesta" => None,
        "foro" => match Moderation::from_code(&v.moderation) {
            Some(m) => Some(m),
            None => {
                errors.insert(
                    "moderacion",
                    "Elija cuándo se moderan los comentarios.".into(),
                );
                None
            }
        },
        _ => {
            errors.insert("tipo", "Elija si es una encuesta o un foro.".into());
            None
        }
    };
    if forum.is_some() && v.identification {
        errors.insert(
            "identificacion",
            "La identificación con documento aplica solo a encuestas.".into(),
        );
    }
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
        forum,
        identification: v.identification,
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
    pub topic_title: String,
    pub topic_body: String,
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
    /// For a forum: its moderation, its topics (id, title, published, waiting) and how
    /// many comments wait in the moderation queue.
    pub forum: Option<&'static str>,
    pub topics: Vec<(i64, String, usize, usize)>,
    pub queue: usize,
    pub identification: bool,
    pub public: bool,
}

pub(crate) async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: QuestionValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = state.store.consultation(id).await?;
    let results = if c.data.forum.is_some() {
        vec![]
    } else {
        results(&state.store, &c, true).await?
    };
    let (topics, comments) = if c.data.forum.is_some() {
        state.store.forum(id).await?
    } else {
        (vec![], vec![])
    };
    let count = |t: i64, s: CommentStatus| {
        comments
            .iter()
            .filter(|x| x.topic_id == t && x.status == s)
            .count()
    };
    let topics = topics
        .iter()
        .map(|t| {
            (
                t.id,
                t.title.clone(),
                count(t.id, CommentStatus::Published),
                count(t.id, CommentStatus::Pending),
            )
        })
        .collect();
    let queue = comments
        .iter()
        .filter(|x| x.status == CommentStatus::Pending || !x.open_reports.is_empty())
        .count();
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
    let status = errors.status();
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
        results,
        kinds: QuestionKind::CODES
            .iter()
            .map(|k| (*k, QuestionKind::label(k)))
            .collect(),
        conditions,
        can_manage: user.can(Action::ManageParticipation),
        values,
        errors,
        forum: c.data.forum.map(Moderation::label),
        topics,
        queue,
        identification: c.data.identification,
        public: false,
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
    let c = state.store.consultation(id).await?;
    if c.data.forum.is_some() {
        return Err(AppError::BadRequest(
            "Un foro no tiene preguntas: agregue temas.".into(),
        ));
    }
    let v = QuestionValues {
        text: form.get("texto").trim().into(),
        kind: form.get("tipo").into(),
        options: form.get("opciones").into(),
        required: form.get("obligatoria") == "si",
        condition: form.get("condicion").into(),
        ..Default::default()
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
    state.store.consultation(id).await?;
    let public = form.get("publicos") == "si";
    state
        .store
        .publish_consultation_results(id, public, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}")).into_response())
}

pub(crate) fn csv_line(fields: &[String]) -> String {
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
    let c = state.store.consultation(id).await?;
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

/// Every response as XLSX. The sheet is written in constant-memory mode (rows go to a
/// temporary file as they are written), responses are read in pages of 500, and the
/// finished file is streamed from disk: memory stays flat however many responses there
/// are. Cells are written as text or numbers, never as formulas.
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let c = state.store.consultation(id).await?;
    let store = state.store.clone();
    let runtime = tokio::runtime::Handle::current();
    let file = tokio::task::spawn_blocking(move || -> Result<std::fs::File, String> {
        use rust_xlsxwriter::{Format, Workbook};
        use std::io::{Seek, SeekFrom};
        let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(err)?;
        sheet.set_name("Respuestas").map_err(err)?;
        sheet
            .write_string_with_format(0, 0, "Respuesta", &bold)
            .map_err(err)?;
        sheet
            .write_string_with_format(0, 1, "Fecha", &bold)
            .map_err(err)?;
        for (i, q) in c.questions.iter().enumerate() {
            sheet
                .write_string_with_format(
                    0,
                    2 + i as u16,
                    format!("{}. {}", q.number, q.text),
                    &bold,
                )
                .map_err(err)?;
        }
        let (mut row, mut after) = (1u32, 0i64);
        loop {
            let page = runtime
                .block_on(store.responses_after(id, after, 500))
                .map_err(|e| e.to_string())?;
            for r in &page {
                sheet.write_number(row, 0, r.id as f64).map_err(err)?;
                sheet
                    .write_string(row, 1, crate::views::hora(r.at))
                    .map_err(err)?;
                for (i, q) in c.questions.iter().enumerate() {
                    let col = 2 + i as u16;
                    let Some(values) = r.answers.get(&q.number) else {
                        continue;
                    };
                    let numeric = matches!(q.kind, QuestionKind::Scale | QuestionKind::Number);
                    match values
                        .first()
                        .and_then(|v| v.replace(',', ".").parse::<f64>().ok())
                    {
                        Some(n) if numeric => sheet.write_number(row, col, n).map_err(err)?,
                        _ => sheet
                            .write_string(row, col, values.join("; "))
                            .map_err(err)?,
                    };
                }
                row += 1;
            }
            match page.last() {
                Some(last) if page.len() == 500 => after = last.id,
                _ => break,
            }
        }
        let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
        workbook.save_to_writer(&mut file).map_err(err)?;
        file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        Ok(file)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"consulta-{id}.xlsx\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
