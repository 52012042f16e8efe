//! The coverage check of a plan: what it lacks against MIPG, the MURC and FURAG, each
//! finding with its source and a suggested activity, and the acceptance of a finding with
//! a justification (kept with the plan version). A plan with pending findings is not
//! consolidated.

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
use participa_domain::{Action, PlanStatus};
use participa_store::{Coverage, Entity, PlanId, StoreError};
use serde::Deserialize;

pub struct FindingView {
    pub index: usize,
    pub code: String,
    pub message: String,
    pub source: String,
    pub suggestion: String,
    /// `justification, by, at` when accepted.
    pub accepted: Option<(String, String, String)>,
    /// The justification typed when the acceptance was refused.
    pub typed: String,
    pub error: Option<String>,
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
    pub message: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct CoverageQuery {
    mensaje: Option<String>,
}

fn message(code: &str) -> Option<&'static str> {
    match code {
        "aceptado" => Some("Hallazgo aceptado con su justificación."),
        "pendientes" => Some(
            "El plan no se consolidó: tiene hallazgos pendientes. Cúbralos con actividades \
             (sus etiquetas) o acéptelos con una justificación.",
        ),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    refused: Option<(&str, &str, String)>,
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
            let (typed, error) = match &refused {
                Some((code, typed, error)) if *code == f.code => {
                    (typed.to_string(), Some(error.clone()))
                }
                _ => (String::new(), None),
            };
            FindingView {
                index,
                code: f.code.clone(),
                message: f.message.clone(),
                source: f.source.to_string(),
                suggestion: f.suggestion.clone(),
                accepted: item.acceptance.as_ref().map(|a| {
                    (
                        a.justification.clone(),
                        a.by.clone().unwrap_or_else(|| "sistema".into()),
                        momento(a.at),
                    )
                }),
                typed,
                error,
            }
        })
        .collect();
    let page = CoveragePage {
        layout: user.layout("Verificación de cobertura", state),
        plan_id: id,
        plan_title: plan.title.clone(),
        version: coverage.version,
        status: coverage.status.label(),
        pending: coverage.pending().len(),
        findings,
        can_accept: coverage.status == PlanStatus::Draft && user.can(Action::AcceptFinding),
        message,
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/planes/{id}/cobertura", show)
        .post("/planes/{id}/cobertura/aceptar", accept)
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

pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::AcceptFinding)?;
    let code = form.get("codigo").trim();
    let justification = form.get("justificacion");
    match state
        .store
        .accept_finding(PlanId(id), code, justification.trim(), &user.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/planes/{id}/cobertura?mensaje=aceptado#hallazgos"
        ))
        .into_response()),
        Err(StoreError::JustificationRequired) => {
            let error = "Escriba por qué se acepta el hallazgo sin cubrirlo.".to_string();
            page(&state, &user, id, Some((code, justification, error)), None).await
        }
        Err(StoreError::NotFound {
            entity: Entity::Finding,
            ..
        }) => Err(AppError::BadRequest(format!(
            "El plan ya no tiene el hallazgo «{code}»: vuelva a la verificación de cobertura."
        ))),
        Err(e) => Err(e.into()),
    }
}
