//! The coverage check of a plan: what it lacks against MIPG, the MURC and FURAG, each
//! finding as a sentence with its source, the activities it names and a suggested
//! activity; findings accepted together with one justification (kept with the plan
//! version), and a suggested activity created from its finding in one step. A plan with
//! pending findings is not consolidated.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::form::FormData;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::momento;
use participa_domain::coverage::suggested_activity;
use participa_domain::{Action, Plan, PlanStatus};
use participa_store::{AuditAction, Coverage, Entity, PlanEdit, PlanId, StoreError};
use serde::Deserialize;

pub struct FindingView {
    pub index: usize,
    pub code: String,
    /// What is wrong, as a sentence: the finding's heading.
    pub message: String,
    pub source: String,
    pub suggestion: String,
    /// The activities the finding names, to link to.
    pub activities: Vec<u32>,
    /// Whether a new activity would cover it (the "create" button).
    pub suggestible: bool,
    /// `justification, by, at` when accepted.
    pub accepted: Option<(String, String, String)>,
    /// Chosen in the acceptance form that was refused.
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "coverage.html")]
pub struct CoveragePage {
    pub layout: Layout,
    pub plan_id: i64,
    pub plan_title: String,
    pub version: i64,
    pub status: &'static str,
    pub pending: usize,
    pub findings: Vec<FindingView>,
    pub can_accept: bool,
    pub can_create: bool,
    pub message: Option<&'static str>,
    /// The justification typed when the acceptance was refused.
    pub typed: String,
    /// Why the acceptance was refused: no finding chosen (`codigo`), or no
    /// justification (`justificacion`).
    pub choose_error: Option<String>,
    pub justification_error: Option<String>,
}

#[derive(Deserialize)]
pub struct CoverageQuery {
    mensaje: Option<String>,
}

fn message(code: &str) -> Option<&'static str> {
    match code {
        "aceptado" => Some("Hallazgo aceptado con su justificación."),
        "aceptados" => Some("Hallazgos aceptados con una misma justificación."),
        "pendientes" => Some(
            "El plan no se consolidó: tiene hallazgos pendientes. Cúbralos con actividades \
             (sus etiquetas) o acéptelos con una justificación.",
        ),
        _ => None,
    }
}

/// An acceptance the page shows again, with what was chosen and typed.
struct Refused {
    codes: Vec<String>,
    justification: String,
    choose_error: Option<String>,
    justification_error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    refused: Option<Refused>,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let coverage: Coverage = state.store.coverage(PlanId(id)).await?;
    let plan = state.store.plan(PlanId(id)).await?;
    let findings = coverage
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let f = &item.finding;
            FindingView {
                index,
                code: f.code.clone(),
                message: f.message.clone(),
                source: f.source.to_string(),
                suggestion: f.suggestion.clone(),
                activities: f.activities.clone(),
                suggestible: f.suggested.is_some(),
                accepted: item.acceptance.as_ref().map(|a| {
                    (
                        a.justification.clone(),
                        a.by.clone().unwrap_or_else(|| "sistema".into()),
                        momento(a.at),
                    )
                }),
                selected: refused.as_ref().is_some_and(|r| r.codes.contains(&f.code)),
            }
        })
        .collect();
    let draft = coverage.status == PlanStatus::Draft;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (typed, choose_error, justification_error) = match refused {
        Some(r) => (r.justification, r.choose_error, r.justification_error),
        None => (String::new(), None, None),
    };
    let page = CoveragePage {
        layout: user.layout("Verificación de cobertura", state),
        plan_id: id,
        plan_title: plan.title.clone(),
        version: coverage.version,
        status: coverage.status.label(),
        pending: coverage.pending().len(),
        findings,
        can_accept: draft && user.can(Action::AcceptFinding),
        can_create: draft && user.can(Action::CreateActivity),
        message,
        typed,
        choose_error,
        justification_error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/planes/{id}/cobertura", show)
        .post("/planes/{id}/cobertura/aceptar", accept)
        .post("/planes/{id}/cobertura/actividad", create_activity)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CoverageQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    page(
        &state,
        &user,
        id,
        None,
        q.mensaje.as_deref().and_then(message),
    )
    .await
}

/// Accepts the chosen findings (one or several `codigo`) with one justification.
pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::AcceptFinding)?;
    let mut codes: Vec<String> = form
        .all("codigo")
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    codes.dedup();
    let justification = form.get("justificacion");
    let refuse = |choose_error: Option<&str>, justification_error: Option<&str>| Refused {
        codes: codes.clone(),
        justification: justification.to_string(),
        choose_error: choose_error.map(String::from),
        justification_error: justification_error.map(String::from),
    };
    let blank = justification.trim().is_empty();
    let why_blank = "Escriba por qué se aceptan los hallazgos elegidos sin cubrirlos.";
    if codes.is_empty() {
        let refused = refuse(
            Some("Elija al menos un hallazgo pendiente para aceptarlo."),
            blank.then_some(why_blank),
        );
        return page(&state, &user, id, Some(refused), None).await;
    }
    let chosen: Vec<&str> = codes.iter().map(String::as_str).collect();
    match state
        .store
        .accept_findings(PlanId(id), &chosen, justification.trim(), &user.actor())
        .await
    {
        Ok(_) => {
            let done = if codes.len() == 1 {
                "aceptado"
            } else {
                "aceptados"
            };
            Ok(Redirect::to(&format!(
                "/admin/planes/{id}/cobertura?mensaje={done}#hallazgos"
            ))
            .into_response())
        }
        Err(StoreError::JustificationRequired) => {
            let refused = refuse(None, Some(why_blank));
            page(&state, &user, id, Some(refused), None).await
        }
        Err(StoreError::NotFound {
            entity: Entity::Finding,
            ..
        }) => Err(AppError::BadRequest(
            "El plan ya no tiene alguno de los hallazgos elegidos: vuelva a la verificación de \
             cobertura."
                .into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Creates the activity a finding suggests, as a draft of the plan with the finding's
/// tags, and opens its edit form to complete it.
pub async fn create_activity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::CreateActivity)?;
    let code = form.get("codigo").trim().to_string();
    let actor = user.actor();
    // The finding is looked for in the plan as read inside the write's transaction.
    let (_, number) = state
        .store
        .edit_plan(PlanId(id), &actor, |current, needs_reason| {
            if needs_reason {
                return Err(AppError::BadRequest(
                    "La actividad sugerida se crea desde la verificación de un plan en \
                     borrador; en un plan publicado, agréguela desde el formulario de \
                     actividades con el motivo del cambio."
                        .into(),
                ));
            }
            let activity = suggested_activity(current, &code).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "El plan ya no tiene el hallazgo «{code}», o no se cubre con una actividad \
                     nueva: vuelva a la verificación de cobertura."
                ))
            })?;
            let mut draft = current.clone().into_draft();
            draft.activities.push(activity.clone());
            let plan = Plan::try_edit(current, draft).map_err(|e| {
                AppError::bad_request(format!("no se pudo crear la actividad sugerida: {e}"))
            })?;
            let edit = PlanEdit {
                plan,
                reason: None,
                action: AuditAction::ActivityCreate,
                subject: format!(
                    "actividad {} del plan {id}, sugerida por el hallazgo {code}",
                    activity.number
                ),
                before: None,
                after: Some(serde_json::to_string(&activity).unwrap_or_default()),
            };
            Ok::<_, AppError>((edit, activity.number))
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/planes/{id}/actividades/{number}/editar?mensaje=sugerida"
    ))
    .into_response())
}
