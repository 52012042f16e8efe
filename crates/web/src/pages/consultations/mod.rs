//! Online consultations. A consultation is a survey (questions, answers, results) or a
//! forum (topics, threaded comments, moderation): [`ConsultationKind`] says which, and
//! the handlers here read the consultation once and dispatch on it to [`survey`] or
//! [`forum`]. The staff list, the creation form and the staff page are shared.

pub mod builder;
pub mod forum;
pub mod survey;

use super::participation::{activity_choices, chosen_activity, public_only, results};
use super::routing::Routes;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::form::{FieldErrors, FormData};
use crate::views::Layout;
use crate::{AppState, ClientAddress};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::{fecha, today};
use participa_domain::participation::builder::Stage;
use participa_domain::participation::forum::Moderation;
use participa_domain::participation::survey::{Question, QuestionKind, ScaleEnds};
use participa_domain::participation::ConsultationKind;
use participa_domain::Action;
use participa_store::{Consultation, ConsultationData};

pub fn routes() -> Routes {
    Routes::public()
        .get("/consultas/{id}", show)
        .post("/consultas/{id}/respuestas", answer)
        .get("/consultas/{id}/gracias", survey::thanks)
        .get("/consultas/{id}/resultados", survey::public_results)
        .post(
            "/consultas/{id}/comentarios/{comment}/reportar",
            forum::report,
        )
        .merge(
            Routes::staff()
                .get("/consultas", admin_list)
                .post("/consultas", create)
                .get("/consultas/{id}", admin_show)
                .get("/consultas/{id}/vista-previa", preview)
                .post("/consultas/{id}/abrir", builder::open_now)
                .post("/consultas/{id}/anunciar", builder::announce)
                .get("/consultas/{id}/editar", builder::edit_form)
                .post("/consultas/{id}/editar", builder::edit)
                .get("/consultas/{id}/preguntas/{number}", builder::question_form)
                .post("/consultas/{id}/preguntas/{number}", builder::edit_question)
                .post(
                    "/consultas/{id}/preguntas/{number}/mover",
                    builder::move_question,
                )
                .get(
                    "/consultas/{id}/preguntas/{number}/eliminar",
                    builder::confirm_delete,
                )
                .post(
                    "/consultas/{id}/preguntas/{number}/eliminar",
                    builder::delete_question,
                )
                .post("/consultas/{id}/preguntas", survey::add_question)
                .post("/consultas/{id}/resultados", survey::publish)
                .get("/consultas/{id}/respuestas.csv", survey::export)
                .get("/consultas/{id}/respuestas.xlsx", survey::export_xlsx)
                .post("/consultas/{id}/temas", forum::add_topic)
                .get("/consultas/{id}/comentarios.csv", forum::export)
                .get("/consultas/{id}/moderacion", forum::moderation)
                .post("/consultas/{id}/comentarios/{comment}", forum::moderate),
        )
}

/// The results report of consultation `id`, if staff published it: when (`3 dic 2026`)
/// and where its PDF and XLSX are (without `/informe.pdf`), for its public pages.
async fn published_results(state: &AppState, id: i64) -> AppResult<Option<(String, String)>> {
    Ok(state
        .store
        .published_report("consulta", id)
        .await?
        .map(|r| {
            (
                participa_app::dates::fecha_de(r.at),
                crate::report_publication::public_base(&r.kind, r.subject),
            )
        }))
}

/// The consultation `id`, or 404.
async fn consultation(state: &AppState, id: i64) -> AppResult<Consultation> {
    Ok(state.store.consultation(id).await?)
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    comentario: Option<String>,
    reporte: Option<String>,
    /// A forum's topic whose older comments are asked for, and which page of them.
    tema: Option<i64>,
    pagina: Option<i64>,
}

/// `GET /consultas/{id}`: the survey's form or the forum's topics.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let c = public_only(consultation(&state, id).await?, today())?;
    public_show(&state, c, &q, None).await
}

/// `GET /admin/consultas/{id}/vista-previa`: the public page as citizens will see it
/// while it is open, whatever the date (questions and topics, no buttons), so that
/// staff can check it before it opens: in the staff frame, under a «Vista previa»
/// banner with the way back to the builder. Drafts too.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let c = consultation(&state, id).await?;
    let layout = user.layout(format!("Vista previa · {}", c.data.title), &state);
    public_show(&state, c, &ShowQuery::default(), Some(layout)).await
}

/// The public page; with a staff layout, staff's preview of it.
async fn public_show(
    state: &AppState,
    c: Consultation,
    q: &ShowQuery,
    staff: Option<Layout>,
) -> AppResult<Response> {
    match c.data.kind {
        ConsultationKind::Survey => survey::show(state, c, staff).await,
        ConsultationKind::Forum(moderation) => {
            let notice = match (q.comentario.as_deref(), q.reporte.is_some()) {
                (Some("pendiente"), _) => {
                    "Recibimos su comentario: se publicará cuando el equipo lo revise."
                }
                (Some("publicado"), _) => "Su comentario quedó publicado.",
                (_, true) => "Recibimos su reporte: el equipo revisará el comentario.",
                _ => "",
            };
            let paged = q.tema.map(|t| (t, q.pagina.unwrap_or(1).clamp(1, 100_000)));
            forum::show(state, &c, moderation, notice.to_string(), staff, paged).await
        }
    }
}

/// `POST /consultas/{id}/respuestas`: a survey's answers or a forum comment.
pub async fn answer(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    let c = public_only(to_answer(&state, id).await?, today())?;
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to(&format!("/consultas/{id}/gracias")).into_response());
    }
    let noun = if c.data.kind.is_forum() {
        "el foro"
    } else {
        "la consulta"
    };
    if let Some(notice) = super::participation::not_open_notice(&c, today(), noun) {
        return Err(AppError::BadRequest(notice));
    }
    match c.data.kind {
        ConsultationKind::Survey => survey::answer(&state, c, &form).await,
        ConsultationKind::Forum(moderation) => forum::comment(&state, &c, moderation, &form).await,
    }
}

/// The most consultations kept for the answer path.
const ANSWERING_KEPT: usize = 1024;

/// The consultation a citizen answers, with its questions: read again only when the
/// entity's audit log moved (every staff change of a consultation writes an entry;
/// citizens' answers do not), so that taking answers under load costs no read.
pub(crate) async fn to_answer(state: &AppState, id: i64) -> AppResult<Consultation> {
    let change = state.last_change().await?;
    let kept = state
        .answering
        .lock()
        .map_err(|_| AppError::Internal("answering cache poisoned".into()))?
        .get(&id)
        .filter(|(seen, _)| *seen == change)
        .map(|(_, c)| c.clone());
    if let Some(c) = kept {
        return Ok(c);
    }
    let c = state.store.consultation_to_answer(id).await?;
    let mut kept = state
        .answering
        .lock()
        .map_err(|_| AppError::Internal("answering cache poisoned".into()))?;
    if kept.len() >= ANSWERING_KEPT {
        kept.clear();
    }
    kept.insert(id, (change, c.clone()));
    Ok(c)
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
    /// (id, title, dates, count, stage).
    pub consultations: Vec<(i64, String, String, String, &'static str)>,
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
    let today = today();
    let page = AdminListPage {
        layout: user.layout("Consultas en línea", state),
        consultations: state
            .store
            .consultations()
            .await?
            .into_iter()
            .map(|c| {
                let count = match c.data.kind {
                    ConsultationKind::Forum(_) => {
                        format!(
                            "foro · {}",
                            crate::views::count(
                                c.comments,
                                "comentario publicado",
                                "comentarios publicados"
                            )
                        )
                    }
                    ConsultationKind::Survey => format!(
                        "encuesta · {}",
                        crate::views::count(c.responses, "respuesta", "respuestas")
                    ),
                };
                let stage = c.stage(today).label();
                (
                    c.id,
                    c.data.title,
                    format!("{} a {}", fecha(c.data.opens_on), fecha(c.data.closes_on)),
                    count,
                    stage,
                )
            })
            .collect(),
        activities: activity_choices(state).await?,
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
    let kind = match v.kind.as_str() {
        "" | "encuesta" => ConsultationKind::Survey,
        "foro" => match Moderation::from_code(&v.moderation) {
            Some(m) => ConsultationKind::Forum(m),
            None => {
                errors.insert(
                    "moderacion",
                    "Elija cuándo se moderan los comentarios.".into(),
                );
                // Not stored: the form comes back with the error.
                ConsultationKind::Survey
            }
        },
        _ => {
            errors.insert("tipo", "Elija si es una encuesta o un foro.".into());
            ConsultationKind::Survey
        }
    };
    if kind.is_forum() && v.identification {
        errors.insert(
            "identificacion",
            "La identificación con documento aplica solo a encuestas.".into(),
        );
    }
    let (opens, closes) = check_title_and_dates(&v, &mut errors);
    let activities = activity_choices(&state).await?;
    let activity = chosen_activity(&activities, &v.activity, &mut errors);
    let (Some(opens_on), Some(closes_on), true) = (opens, closes, errors.is_empty()) else {
        return admin_list_page(&state, &user, v, errors).await;
    };
    let data = ConsultationData {
        title: v.title,
        description: v.description,
        opens_on,
        closes_on,
        activity,
        kind,
        identification: v.identification,
    };
    let id = state
        .store
        .create_consultation(&data, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}")).into_response())
}

/// Checks the name and the dates typed (shared by creating and editing): the dates
/// read, or None with the error next to its field.
pub(crate) fn check_title_and_dates(
    v: &ConsultationValues,
    errors: &mut FieldErrors,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    if v.title.is_empty() {
        errors.insert("titulo", "Escriba el nombre de la consulta.".into());
    }
    let mut day = |field: &'static str, label: &'static str, text: &str| {
        match participa_domain::dates::parse_field(label, text) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add(field, e);
                None
            }
        }
    };
    let opens = day("abre", "la fecha en que abre", &v.opens_on);
    let closes = day("cierra", "la fecha en que cierra", &v.closes_on);
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            errors.insert(
                "cierra",
                "La consulta no puede cerrar antes de abrir.".into(),
            );
        }
    }
    (opens, closes)
}

/// What staff typed in the question form (a survey) or the topic form (a forum).
#[derive(Default, Clone)]
pub struct QuestionValues {
    pub text: String,
    pub kind: String,
    pub options: String,
    pub required: bool,
    pub condition: String,
    /// A scale's ends: what 1 and 5 mean.
    pub low: String,
    pub high: String,
    pub topic_title: String,
    pub topic_body: String,
}

impl QuestionValues {
    /// The empty forms: a required single-choice question; a scale's default ends.
    pub fn blank() -> QuestionValues {
        let ends = ScaleEnds::default();
        QuestionValues {
            kind: "unica".into(),
            required: true,
            low: ends.low,
            high: ends.high,
            ..Default::default()
        }
    }

    /// What the question form sent.
    pub fn from_form(form: &FormData) -> QuestionValues {
        QuestionValues {
            text: form.get("texto").trim().into(),
            kind: form.get("tipo").into(),
            options: form.get("opciones").into(),
            required: form.get("obligatoria") == "si",
            condition: form.get("condicion").into(),
            low: form.get("extremo_bajo").trim().into(),
            high: form.get("extremo_alto").trim().into(),
            ..Default::default()
        }
    }

    /// The values of a stored question, for its edit form.
    pub fn of(q: &Question) -> QuestionValues {
        let ends = match &q.kind {
            QuestionKind::Scale(ends) if ends.is_labelled() => ends.clone(),
            _ => ScaleEnds::default(),
        };
        QuestionValues {
            text: q.text.clone(),
            kind: q.kind.code().into(),
            options: q.kind.options().join("\n"),
            required: q.required,
            condition: q
                .condition
                .as_ref()
                .map(|c| format!("{}:{}", c.question, c.answer))
                .unwrap_or_default(),
            low: ends.low,
            high: ends.high,
            ..Default::default()
        }
    }

    /// The kind and condition typed, checked as far as they go alone.
    pub fn kind_and_condition(
        &self,
    ) -> Result<
        (
            QuestionKind,
            Option<participa_domain::participation::survey::Condition>,
        ),
        participa_domain::participation::survey::SurveyError,
    > {
        let condition = self.condition.split_once(':').and_then(|(n, a)| {
            Some(participa_domain::participation::survey::Condition {
                question: n.parse().ok()?,
                answer: a.to_string(),
            })
        });
        let kind = if self.kind == "escala" {
            QuestionKind::Scale(ScaleEnds::new(&self.low, &self.high)?)
        } else {
            QuestionKind::from_code(&self.kind, &self.options)?
        };
        Ok((kind, condition))
    }
}

/// A question as the staff page lists it.
pub struct AdminQuestion {
    pub number: u32,
    pub text: String,
    pub kind: &'static str,
    pub required: bool,
    pub condition: String,
    /// A scale's ends in one line, or empty.
    pub ends: String,
    pub options: String,
}

/// A wording fix as the history shows it.
pub struct CorrectionView {
    pub subject: String,
    pub before: String,
    pub after: String,
    pub by: String,
    pub at: String,
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
    pub questions: Vec<AdminQuestion>,
    pub results: Vec<super::participation::ResultView>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// `N:option` choices for a condition.
    pub conditions: Vec<(String, String)>,
    pub can_manage: bool,
    /// The results report, its public copy and who may publish it.
    pub report: crate::report_publication::ReportPublication,
    pub values: QuestionValues,
    pub errors: FieldErrors,
    /// For a forum: its moderation, its topics (id, title, published, waiting) and how
    /// many comments wait in the moderation queue.
    pub forum: Option<&'static str>,
    pub topics: Vec<(i64, String, usize, usize)>,
    pub queue: usize,
    pub identification: bool,
    pub public: bool,
    /// A survey with a free-text question: its answers can be analysed.
    pub has_open_questions: bool,
    /// Where it stands («Borrador», «Anunciada», …) and what that means.
    pub stage: &'static str,
    pub stage_note: String,
    pub draft: bool,
    pub can_open_now: bool,
    pub can_announce: bool,
    /// Someone answered: only wording can be fixed.
    pub answered: bool,
    /// What the last action did, said at the top of the page.
    pub notice: String,
    pub corrections: Vec<CorrectionView>,
}

/// What the staff page says about where a consultation stands.
pub(crate) fn stage_note(c: &Consultation, stage: Stage) -> String {
    match stage {
        Stage::Draft => format!(
            "Borrador: solo el equipo la ve; la ciudadanía no la encuentra. Se abrirá sola el {}, o ahora si la abre desde aquí.",
            fecha(c.data.opens_on)
        ),
        Stage::Announced => format!(
            "Anunciada: su página pública dice que abre el {}; ese día se abre sola.",
            fecha(c.data.opens_on)
        ),
        Stage::Open => format!("Abierta hasta el {}.", fecha(c.data.closes_on)),
        Stage::Closed => format!("Cerrada desde el {}.", fecha(c.data.closes_on)),
    }
}

/// The message for `?hecho=…` after a builder's action.
fn done_notice(code: &str) -> &'static str {
    match code {
        "abierta" => "La consulta quedó abierta: la ciudadanía ya puede participar.",
        "anunciada" => "La consulta quedó anunciada: su página pública dice cuándo abre.",
        "datos" => "Se guardaron los datos de la consulta.",
        "pregunta" => "Se guardó la pregunta.",
        "eliminada" => "Se eliminó la pregunta; las siguientes subieron un lugar.",
        "movida" => "Se cambió el orden de las preguntas.",
        _ => "",
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AdminQuery {
    hecho: Option<String>,
}

/// The condition choices for a question placed after `before` (the questions before it).
pub(crate) fn condition_choices(before: &[Question]) -> Vec<(String, String)> {
    before
        .iter()
        .flat_map(|q| {
            q.kind.options().iter().map(move |o| {
                (
                    format!("{}:{o}", q.number),
                    format!("Pregunta {} = «{o}»", q.number),
                )
            })
        })
        .collect()
}

/// The staff page of a consultation: a survey's questions and results, or a forum's
/// topics and moderation queue; the forms keep what was typed in `values`.
pub(crate) async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: QuestionValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    admin_page_with(state, user, id, values, errors, "").await
}

async fn admin_page_with(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: QuestionValues,
    errors: FieldErrors,
    notice: &str,
) -> AppResult<Response> {
    let c = consultation(state, id).await?;
    let (results, topics, queue) = match c.data.kind {
        ConsultationKind::Survey => (results(&state.store, &c, true).await?, vec![], 0),
        ConsultationKind::Forum(_) => {
            let (topics, queue) = forum::staff_summary(state, id).await?;
            (vec![], topics, queue)
        }
    };
    let today = today();
    let stage = c.stage(today);
    let has_content = if c.data.kind.is_forum() {
        !topics.is_empty()
    } else {
        !c.questions.is_empty()
    };
    let corrections = state
        .store
        .consultation_corrections(id)
        .await?
        .into_iter()
        .map(|k| CorrectionView {
            subject: k.subject,
            before: k.before,
            after: k.after,
            by: k.by.unwrap_or_default(),
            at: participa_app::dates::momento(k.at),
        })
        .collect();
    let status = errors.status();
    let page = AdminPage {
        has_open_questions: c
            .questions
            .iter()
            .any(|q| q.kind == participa_domain::participation::survey::QuestionKind::Text),
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
        questions: c.questions.iter().map(admin_question).collect(),
        results,
        kinds: QuestionKind::CODES
            .iter()
            .map(|k| (*k, QuestionKind::label(k)))
            .collect(),
        conditions: condition_choices(&c.questions),
        can_manage: user.can(Action::ManageParticipation),
        report: crate::report_publication::ReportPublication::load(
            state,
            "consulta",
            id,
            user.can(Action::ManageParticipation),
        )
        .await?,
        values,
        errors,
        forum: c.data.kind.moderation().map(Moderation::label),
        topics,
        queue,
        identification: c.data.identification,
        public: false,
        stage: stage.label(),
        stage_note: stage_note(&c, stage),
        draft: stage == Stage::Draft,
        can_open_now: matches!(stage, Stage::Draft | Stage::Announced)
            && has_content
            && c.data.closes_on >= today,
        can_announce: stage == Stage::Draft,
        answered: c.answered,
        notice: notice.to_string(),
        corrections,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) fn admin_question(q: &Question) -> AdminQuestion {
    AdminQuestion {
        number: q.number,
        text: q.text.clone(),
        kind: QuestionKind::label(q.kind.code()),
        required: q.required,
        condition: q
            .condition
            .as_ref()
            .map(|c| format!("si la pregunta {} = «{}»", c.question, c.answer))
            .unwrap_or_default(),
        ends: match &q.kind {
            QuestionKind::Scale(ends) => ends.sentence(),
            _ => String::new(),
        },
        options: q.kind.options().join(" / "),
    }
}

pub async fn admin_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AdminQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    admin_page_with(
        &state,
        &user,
        id,
        QuestionValues::blank(),
        FieldErrors::new(),
        done_notice(q.hecho.as_deref().unwrap_or("")),
    )
    .await
}
