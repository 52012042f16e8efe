//! The consultation builder's corrections: opening a draft now or announcing it, editing
//! the consultation's data, and editing, reordering and deleting questions (deleting
//! asks first, on its own page). The rules are the domain's
//! ([`participa_domain::participation::builder`]), decided by the store inside each
//! write; a refused change comes back to its form with the rule's message.

use super::{
    admin_question, check_title_and_dates, condition_choices, consultation, survey::survey,
    AdminQuestion, ConsultationValues, QuestionValues,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::pages::participation::{activity_choices, chosen_activity};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::{fecha, today};
use participa_domain::participation::builder::{self, BuilderError, QuestionInput};
use participa_domain::participation::survey::QuestionKind;
use participa_domain::Action;
use participa_store::{ConsultationEdit, StoreError};

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/admin/consultas/{id}?hecho={what}")).into_response()
}

/// A builder's refusal, said on the consultation's page (409) in plain Spanish.
fn refused(e: BuilderError) -> AppError {
    AppError::Store(StoreError::Builder(e))
}

/// `POST /admin/consultas/{id}/abrir`: "Abrir ahora".
pub async fn open_now(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    state
        .store
        .open_consultation_now(id, today(), &user.actor())
        .await?;
    Ok(done(id, "abierta"))
}

/// `POST /admin/consultas/{id}/anunciar`: a draft's public page says when it opens.
pub async fn announce(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    state
        .store
        .announce_consultation(id, today(), &user.actor())
        .await?;
    Ok(done(id, "anunciada"))
}

#[derive(Template)]
#[template(path = "consultation_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub id: i64,
    pub values: ConsultationValues,
    pub activities: Vec<(String, String)>,
    pub errors: FieldErrors,
    /// Someone answered: the dates and the activity stay (shown, not editable).
    pub answered: bool,
    pub dates: String,
    pub activity_label: String,
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: ConsultationValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = consultation(state, id).await?;
    let activities = activity_choices(state).await?;
    let current = c
        .data
        .activity
        .map(|(p, a)| format!("{p}:{a}"))
        .unwrap_or_default();
    let page = EditPage {
        layout: user.layout(format!("Editar · {}", c.data.title), state),
        id,
        answered: c.answered,
        dates: format!(
            "Del {} al {}",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        ),
        activity_label: activities
            .iter()
            .find(|(v, _)| *v == current)
            .map_or("Ninguna".to_string(), |(_, l)| l.clone()),
        activities,
        values,
        errors,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /admin/consultas/{id}/editar`: the consultation's data.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = consultation(&state, id).await?;
    let values = ConsultationValues {
        title: c.data.title.clone(),
        description: c.data.description.clone(),
        opens_on: c.data.opens_on.to_string(),
        closes_on: c.data.closes_on.to_string(),
        activity: c
            .data
            .activity
            .map(|(p, a)| format!("{p}:{a}"))
            .unwrap_or_default(),
        ..Default::default()
    };
    edit_page(&state, &user, id, values, FieldErrors::new()).await
}

/// `POST /admin/consultas/{id}/editar`. After the first answer the form has no dates
/// nor activity: the stored ones are kept, and a changed one sent anyway is refused.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = consultation(&state, id).await?;
    let kept = |field: &str, stored: String| {
        if form.0.iter().any(|(k, _)| k == field) {
            form.get(field).trim().to_string()
        } else {
            stored
        }
    };
    let v = ConsultationValues {
        title: form.get("titulo").trim().into(),
        description: form.get("descripcion").trim().into(),
        opens_on: kept("abre", c.data.opens_on.to_string()),
        closes_on: kept("cierra", c.data.closes_on.to_string()),
        activity: kept(
            "actividad",
            c.data
                .activity
                .map(|(p, a)| format!("{p}:{a}"))
                .unwrap_or_default(),
        ),
        ..Default::default()
    };
    let mut errors = FieldErrors::new();
    let (opens, closes) = check_title_and_dates(&v, &mut errors);
    let activities = activity_choices(&state).await?;
    let activity = chosen_activity(&activities, &v.activity, &mut errors);
    let (Some(opens_on), Some(closes_on), true) = (opens, closes, errors.is_empty()) else {
        return edit_page(&state, &user, id, v, errors).await;
    };
    let edit = ConsultationEdit {
        title: v.title.clone(),
        description: v.description.clone(),
        opens_on,
        closes_on,
        activity,
    };
    match state
        .store
        .edit_consultation(id, &edit, &user.actor())
        .await
    {
        Ok(()) => Ok(done(id, "datos")),
        Err(StoreError::Builder(e)) => {
            errors.add(e.field(), &e);
            edit_page(&state, &user, id, v, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "consultation_question.html")]
pub struct QuestionPage {
    pub layout: Layout,
    pub id: i64,
    pub number: u32,
    pub values: QuestionValues,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub conditions: Vec<(String, String)>,
    pub errors: FieldErrors,
    /// Someone answered: only the wording (and a scale's ends) can change.
    pub answered: bool,
    pub current: AdminQuestion,
}

async fn question_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    number: u32,
    values: Option<QuestionValues>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = survey(state, id).await?;
    let at = c
        .questions
        .iter()
        .position(|q| q.number == number)
        .ok_or(AppError::NotFound)?;
    let q = &c.questions[at];
    let page = QuestionPage {
        layout: user.layout(format!("Pregunta {number} · {}", c.data.title), state),
        id,
        number,
        values: values.unwrap_or_else(|| QuestionValues::of(q)),
        kinds: QuestionKind::CODES
            .iter()
            .map(|k| (*k, QuestionKind::label(k)))
            .collect(),
        conditions: condition_choices(&c.questions[..at]),
        errors,
        answered: c.answered,
        current: admin_question(q),
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /admin/consultas/{id}/preguntas/{number}`: the question's edit form.
pub async fn question_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    question_page(&state, &user, id, number, None, FieldErrors::new()).await
}

/// `POST /admin/consultas/{id}/preguntas/{number}`. After the first answer the form
/// sends only the wording: the rest is kept as stored.
pub async fn edit_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = survey(&state, id).await?;
    let stored = c
        .questions
        .iter()
        .find(|q| q.number == number)
        .ok_or(AppError::NotFound)?;
    let mut v = QuestionValues::from_form(&form);
    if c.answered {
        let kept = QuestionValues::of(stored);
        v = QuestionValues {
            text: v.text,
            low: v.low,
            high: v.high,
            ..kept
        };
    }
    let input = v
        .kind_and_condition()
        .map(|(kind, condition)| QuestionInput {
            text: v.text.clone(),
            kind,
            required: v.required,
            condition,
        })
        .map_err(BuilderError::from);
    let saved = match input {
        Ok(input) => match state
            .store
            .edit_consultation_question(id, number, input, &user.actor())
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Builder(e)) => Err(e),
            Err(e) => return Err(e.into()),
        },
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(done(id, "pregunta")),
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add(e.field(), &e);
            question_page(&state, &user, id, number, Some(v), errors).await
        }
    }
}

/// `POST /admin/consultas/{id}/preguntas/{number}/mover` with `a` = the new place.
pub async fn move_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    survey(&state, id).await?;
    let to: u32 = form
        .get("a")
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Indique a qué lugar mover la pregunta.".into()))?;
    state
        .store
        .move_consultation_question(id, number, to, &user.actor())
        .await
        .map_err(|e| match e {
            StoreError::Builder(e) => refused(e),
            e => e.into(),
        })?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}?hecho=movida#preguntas")).into_response())
}

#[derive(Template)]
#[template(path = "consultation_question_delete.html")]
pub struct DeletePage {
    pub layout: Layout,
    pub id: i64,
    pub number: u32,
    pub question: AdminQuestion,
    /// Why it cannot be deleted now, or None: then the button shows.
    pub refused: Option<String>,
    pub later: usize,
}

/// `GET /admin/consultas/{id}/preguntas/{number}/eliminar`: says what deleting does
/// (or why it cannot be done) before doing it.
pub async fn confirm_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = survey(&state, id).await?;
    let q = c
        .questions
        .iter()
        .find(|q| q.number == number)
        .ok_or(AppError::NotFound)?;
    let refused = builder::delete_question(&c.questions, number, c.phase())
        .err()
        .map(|e| crate::form::sentence(&e.to_string()));
    let page = DeletePage {
        layout: user.layout(format!("Eliminar la pregunta {number}"), &state),
        id,
        number,
        question: admin_question(q),
        refused,
        later: c.questions.iter().filter(|o| o.number > number).count(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /admin/consultas/{id}/preguntas/{number}/eliminar`.
pub async fn delete_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    survey(&state, id).await?;
    state
        .store
        .delete_consultation_question(id, number, &user.actor())
        .await
        .map_err(|e| match e {
            StoreError::Builder(e) => refused(e),
            e => e.into(),
        })?;
    Ok(Redirect::to(&format!("/admin/consultas/{id}?hecho=eliminada#preguntas")).into_response())
}
