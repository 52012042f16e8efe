//! The FURAG readiness of a plan (staff): each participation question of the year's
//! questionnaire with the answer the platform proposes, why, its evidence (name, date,
//! link, SHA-256) and what is missing; the same as XLSX and PDF.

use super::shared::send_deliverable;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use participa_app::dates::today;
use participa_app::furag::{furag_report, plan_prefill, readiness_counts};
use participa_domain::furag::{Proposal, Readiness};
use participa_domain::Action;
use participa_store::PlanId;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/planes/{id}/furag", show)
        .get("/planes/{id}/furag/{file}", download)
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
    let (year, plan_title, proposals) = plan_prefill(&state.store, PlanId(id)).await?;
    let page = FuragPage {
        layout: user.layout(format!("FURAG {year}: {plan_title}"), &state),
        id,
        year,
        counts: readiness_counts(&proposals)
            .into_iter()
            .map(|(r, n)| (r.label(), n))
            .collect(),
        plan_title,
        proposals,
    };
    Ok(Html(page.render()?))
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
