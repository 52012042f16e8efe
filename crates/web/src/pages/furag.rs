//! The FURAG readiness of a plan (staff): each participation question of the year's
//! questionnaire with the answer the platform proposes, why, its evidence (name, date,
//! link, SHA-256) and what is missing; the same as XLSX and PDF.

use super::shared::send_deliverable;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::FormData;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::today;
use participa_app::furag::{furag_report, plan_prefill, questionnaire, readiness_counts};
use participa_domain::furag::{parse_questionnaire, Proposal, Readiness};
use participa_domain::Action;
use participa_store::PlanId;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/planes/{id}/furag", show)
        .get("/planes/{id}/furag/{file}", download)
        .post("/planes/{id}/furag/cuestionario", load_questionnaire)
}

#[derive(Template)]
#[template(path = "furag.html")]
struct FuragPage {
    layout: Layout,
    id: i64,
    year: i32,
    plan_title: String,
    proposals: Vec<Proposal>,
    counts: Vec<(&'static str, usize)>,
    /// «el de la plataforma…» or «el corregido que cargó la entidad el …».
    source: String,
    can_load: bool,
    /// What was typed in the corrected questionnaire and why it was refused.
    typed: String,
    error: Option<String>,
}

fn css(r: Readiness) -> &'static str {
    match r {
        Readiness::Ready => "semaforo semaforo-verde",
        Readiness::Partial => "semaforo semaforo-amarillo",
        Readiness::Missing => "semaforo semaforo-rojo",
        Readiness::ToConfirm => "semaforo",
    }
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    Ok(Html(page(&state, &user, id, String::new(), None).await?))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    typed: String,
    error: Option<String>,
) -> AppResult<String> {
    let (year, plan_title, proposals) = plan_prefill(&state.store, PlanId(id)).await?;
    let (_, loaded) = questionnaire(&state.store, year).await?;
    let source = match loaded {
        Some(at) => format!(
            "el cuestionario corregido que cargó la entidad el {}",
            participa_app::dates::fecha_de(at)
        ),
        None => "la transcripción territorial del FURAG 2025 que trae la plataforma".to_string(),
    };
    let page = FuragPage {
        source,
        can_load: user.can(Action::ManageRules),
        typed,
        error,
        layout: user.layout(format!("FURAG {year}: {plan_title}"), state),
        id,
        year,
        counts: readiness_counts(&proposals)
            .into_iter()
            .map(|(r, n)| (r.label(), n))
            .collect(),
        plan_title,
        proposals,
    };
    Ok(page.render()?)
}

/// An admin loads the year's questionnaire as corrected (one question a line: code,
/// tab, wording); a file that does not read is refused with its line, and what was
/// pasted stays in the box.
async fn load_questionnaire(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageRules)?;
    let text = form.get("cuestionario").to_string();
    match parse_questionnaire(&text) {
        Err(e) => {
            let body = page(
                &state,
                &user,
                id,
                text,
                Some(format!("No se cargó el cuestionario: {e}.")),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
        }
        Ok(questions) => {
            let year = state.store.plan(PlanId(id)).await?.year.get();
            state
                .store
                .set_furag_questionnaire(year, &text, &user.actor())
                .await?;
            user.flash(format!(
                "Se cargó el cuestionario FURAG {year} corregido, con {} preguntas; las respuestas se calcularon con él.",
                questions.len()
            ))
            .await?;
            Ok(Redirect::to(&format!("/admin/planes/{id}/furag")).into_response())
        }
    }
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let format = match file.as_str() {
        "furag.xlsx" => "xlsx",
        "furag.pdf" => "pdf",
        _ => return Err(AppError::NotFound),
    };
    let (year, plan_title, proposals) = plan_prefill(&state.store, PlanId(id)).await?;
    let report = furag_report(&state.entity, year, &plan_title, &proposals, today());
    send_deliverable(report, &format!("furag-{year}"), format).await
}

impl FuragPage {
    fn status_class(&self, r: &Readiness) -> &'static str {
        css(*r)
    }

    fn day(&self, d: &chrono::NaiveDate) -> String {
        participa_app::dates::fecha(*d)
    }
}
