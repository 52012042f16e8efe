//! The audit log page: admin and internal control, filterable by user, plan and date.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::views::{AuditPage, AuditRow};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::NaiveDate;
use participa_domain::Action;
use participa_store::{AuditAction, AuditFilter};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AuditQuery {
    usuario: Option<String>,
    plan: Option<String>,
    accion: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
}

fn date(field: &'static str, s: &Option<String>) -> AppResult<Option<NaiveDate>> {
    participa_domain::dates::parse_optional(field, s.as_deref()).map_err(AppError::bad_request)
}

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff().get("/auditoria", list)
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewAuditLog)?;
    let filter = AuditFilter {
        user_id: q.usuario.as_deref().and_then(|u| u.parse().ok()),
        plan_id: q.plan.as_deref().and_then(|p| p.parse().ok()),
        from: date("la fecha «desde»", &q.desde)?,
        to: date("la fecha «hasta»", &q.hasta)?,
        action: q.accion.as_deref().and_then(AuditAction::from_code),
        limit: 500,
    };
    let entries = state.store.audit_entries(&filter).await?;
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.username, Some(u.id) == filter.user_id))
        .collect();
    let plans = state
        .store
        .plans()
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id.0,
                format!("{} ({})", p.title, p.id.0),
                Some(p.id.0) == filter.plan_id,
            )
        })
        .collect();
    // The actions by their Spanish label, in alphabetical order.
    let mut actions: Vec<(&'static str, &'static str, bool)> = AuditAction::ALL
        .iter()
        .map(|a| (a.code(), a.label(), Some(*a) == filter.action))
        .collect();
    actions.sort_by_key(|(_, label, _)| *label);
    let page = AuditPage {
        actions,
        layout: user.layout("Registro de auditoría", &state),
        entries: entries.iter().map(AuditRow::new).collect(),
        users,
        plans,
        from: filter.from.map(|d| d.to_string()).unwrap_or_default(),
        to: filter.to.map(|d| d.to_string()).unwrap_or_default(),
    };
    Ok(Html(page.render()?))
}
