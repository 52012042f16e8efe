//! Surveys: citizens answer at `/consultas/{id}` (no account; rate limit, honeypot, the
//! answers checked against each question, conditional questions counted only when
//! shown) and, once staff publish them, read the results with counts, percentages and
//! bars. Staff add questions, see the results and export every response as CSV or XLSX,
//! streamed page by page.

use super::{admin_page, consultation, QuestionValues};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::pages::participation::{
    is_open, not_open_notice, public_only, results, stage, written_count, ResultView, Stage,
};
use crate::pages::shared::csv_line;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::{fecha, today};
use participa_domain::participation::identity::{check_document, DocumentType};
use participa_domain::participation::survey::{check_answers, check_question, QuestionKind};
use participa_domain::participation::ConsultationKind;
use participa_domain::Action;
use participa_store::{Consultation, NewResponse, StoreError};
use std::collections::BTreeMap;

/// The consultation `id` when it is a survey; a forum has no questions or responses.
pub(super) async fn survey(state: &AppState, id: i64) -> AppResult<Consultation> {
    let c = consultation(state, id).await?;
    match c.data.kind {
        ConsultationKind::Survey => Ok(c),
        ConsultationKind::Forum(_) => Err(AppError::BadRequest(
            "Un foro no tiene preguntas: agregue temas.".into(),
        )),
    }
}

/// A question as the public form shows it.
pub struct QuestionView {
    pub number: u32,
    pub text: String,
    pub kind: &'static str,
    pub required: bool,
    /// (value, label, checked): a scale's ends read «1 = Muy en desacuerdo».
    pub options: Vec<(String, String, bool)>,
    /// A scale's ends in one line, or empty.
    pub ends: String,
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
            QuestionView {
                number: q.number,
                text: q.text.clone(),
                kind: q.kind.code(),
                required: q.required,
                options: q
                    .kind
                    .values()
                    .into_iter()
                    .map(|o| {
                        let checked = given.contains(&o);
                        (o.clone(), q.kind.value_label(&o), checked)
                    })
                    .collect(),
                ends: match &q.kind {
                    QuestionKind::Scale(ends) => ends.sentence(),
                    _ => String::new(),
                },
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
    /// Why it takes no answers today (not yet open, or closed), said to the citizen.
    pub notice: Option<String>,
    /// Staff looking at the form before (or after) it is open: questions shown, no
    /// button.
    pub preview: bool,
    pub questions: Vec<QuestionView>,
    pub errors: FieldErrors,
    pub results_public: bool,
    /// When staff published the results report and where it is, if they did.
    pub report: Option<(String, String)>,
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
         solo una huella calculada con una clave secreta que se guarda aparte de la base de datos, \
         que sirve únicamente para reconocer una segunda respuesta en esta consulta y no se puede \
         cruzar con otras."
    )
}

async fn public_page(
    state: &AppState,
    c: Consultation,
    typed: BTreeMap<u32, Vec<String>>,
    question_errors: BTreeMap<u32, String>,
    ident: IdentValues,
    mut errors: FieldErrors,
    staff: Option<Layout>,
) -> AppResult<Response> {
    let id = c.id;
    let today = today();
    let preview = staff.is_some();
    let open = is_open(&c, today) && !preview;
    if !question_errors.is_empty() {
        errors.insert(
            "preguntas",
            match question_errors.len() {
                1 => "Revise 1 pregunta: el mensaje está junto a ella.".to_string(),
                n => format!(
                    "Revise {}: el mensaje está junto a cada una.",
                    participa_domain::numbers::count(n as u64, "pregunta", "preguntas")
                ),
            },
        );
    }
    let page = ConsultationPage {
        layout: staff.unwrap_or_else(|| Layout::public(c.data.title.clone(), state)),
        id,
        title: c.data.title.clone(),
        description: c.data.description.clone(),
        dates: format!(
            "Del {} al {}",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        ),
        open,
        notice: not_open_notice(&c, today, "la consulta"),
        preview,
        // Before it opens the questions are staff's draft: citizens see them from the
        // opening day (and after closing they are not asked any more).
        questions: if open || preview {
            views(&c, &typed, &question_errors)
        } else {
            Vec::new()
        },
        errors,
        results_public: c.results_public,
        report: super::published_results(state, id).await?,
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

/// The survey's public form; with a staff layout, staff's preview of it whatever the
/// date (in the staff frame, with a way back to the builder).
pub(super) async fn show(
    state: &AppState,
    c: Consultation,
    staff: Option<Layout>,
) -> AppResult<Response> {
    public_page(
        state,
        c,
        BTreeMap::new(),
        BTreeMap::new(),
        IdentValues::default(),
        FieldErrors::new(),
        staff,
    )
    .await
}

/// A citizen's answers to an open survey (the caller checked the limit, the honeypot
/// and the dates).
pub(super) async fn answer(
    state: &AppState,
    c: Consultation,
    form: &FormData,
) -> AppResult<Response> {
    let id = c.id;
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
                    errors.add_first(e.field(), &e);
                }
                None
            }
        }
    } else {
        None
    };
    let kept = match check_answers(&c.questions, &raw) {
        Ok(kept) if errors.is_empty() => kept,
        Ok(_) => return public_page(state, c, raw, BTreeMap::new(), ident, errors, None).await,
        Err(q) => return public_page(state, c, raw, q, ident, errors, None).await,
    };
    let purpose = format!(
        "{} {}",
        identification_purpose(&state.entity),
        state.data_policy()
    );
    // Acknowledged (the redirect) only once durable: through the group-commit writer,
    // whose one commit covers every answer that arrived meanwhile.
    let response = NewResponse {
        consultation: id,
        answers: kept,
        identification: document.map(|d| (d, purpose)),
    };
    match state.store.submit_response(response).await {
        Ok(_) => Ok(Redirect::to(&format!("/consultas/{id}/gracias")).into_response()),
        Err(e @ StoreError::AlreadyAnswered) => {
            errors.add("documento", &e);
            public_page(state, c, raw, BTreeMap::new(), ident, errors, None).await
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
    let c = public_only(consultation(&state, id).await?, today())?;
    let page = ThanksPage {
        layout: Layout::public("Gracias por participar".into(), &state),
        id,
        results_public: c.results_public,
    };
    Ok(Html(page.render()?).into_response())
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
    /// When staff published the results report and where it is, if they did.
    pub report: Option<(String, String)>,
}

pub async fn public_results(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = consultation(&state, id).await?;
    // Before it opens, nothing of it but its announcement is public, even when its
    // results were marked public ahead of time.
    let upcoming = matches!(stage(&c, today()), Stage::Draft | Stage::Announced);
    if !c.results_public || upcoming {
        return Err(AppError::NotFound);
    }
    let page = ResultsPage {
        layout: Layout::public(format!("Resultados · {}", c.data.title), &state),
        title: c.data.title.clone(),
        responses: written_count(c.responses as usize),
        results: results(&state.store, &c, false).await?,
        public: true,
        report: super::published_results(&state, id).await?,
    };
    Ok(Html(page.render()?).into_response())
}

// ------------------------------------------------------------------ staff

pub async fn add_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = survey(&state, id).await?;
    let v = QuestionValues::from_form(&form);
    let built = v.kind_and_condition().and_then(|(kind, condition)| {
        check_question(&c.questions, &v.text, kind, v.required, condition)
    });
    let stored = match built {
        Ok(q) => state
            .store
            .add_consultation_question(id, &q, &user.actor())
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::Store(StoreError::Builder(e.into()))),
    };
    match stored {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/consultas/{id}?hecho=pregunta#preguntas"))
                .into_response(),
        ),
        Err(AppError::Store(StoreError::Builder(e))) => {
            let mut errors = FieldErrors::new();
            errors.add(e.field(), &e);
            admin_page(&state, &user, id, v, errors).await
        }
        Err(e) => Err(e),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    consultation(&state, id).await?;
    let public = form.get("publicos") == "si";
    state
        .store
        .publish_consultation_results(id, public, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}")).into_response())
}

/// Every response as CSV, read and sent in pages of 500: memory stays flat however many
/// responses there are.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let c = consultation(&state, id).await?;
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
/// are. Cells are written as text, numbers or dates, never as formulas: the response
/// number and numeric answers as numbers, the moment as an Excel date-time in Colombian
/// time (`30/04/2025 17:47`).
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let c = consultation(&state, id).await?;
    let store = state.store.clone();
    let runtime = tokio::runtime::Handle::current();
    let file = tokio::task::spawn_blocking(move || -> Result<std::fs::File, String> {
        use rust_xlsxwriter::{Format, Workbook};
        use std::io::{Seek, SeekFrom};
        let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let moment = Format::new().set_num_format("dd/mm/yyyy hh:mm");
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
                    .write_datetime_with_format(
                        row,
                        1,
                        participa_app::dates::in_colombia(r.at).naive_local(),
                        &moment,
                    )
                    .map_err(err)?;
                for (i, q) in c.questions.iter().enumerate() {
                    let col = 2 + i as u16;
                    let Some(values) = r.answers.get(&q.number) else {
                        continue;
                    };
                    let numeric = matches!(q.kind, QuestionKind::Scale(_) | QuestionKind::Number);
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
