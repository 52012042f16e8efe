//! The signed-in user's own account (`/admin/cuenta`): who they are on the platform,
//! the sessions open in their name (when each started, when it was last seen, from
//! which address and browser, this one marked), ending the others, and the password
//! form (which posts to `/admin/cuenta/clave`, see [`crate::auth`]).

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::form::FieldErrors;
use crate::views::{AccountPage, SessionRow};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use participa_app::dates::{colombia_date, fecha, in_colombia};
use participa_domain::account::browser_label;
use participa_domain::Action;
use participa_store::{AuditAction, Change};
use tower_sessions::Session;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/cuenta", account)
        .post("/cuenta/sesiones", end_other_sessions)
}

/// `30 abr 2025, 17:47` in Colombian time.
fn moment(at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) => format!(
            "{}, {}",
            fecha(colombia_date(at)),
            in_colombia(at).format("%H:%M")
        ),
        None => "sin dato".into(),
    }
}

#[derive(serde::Deserialize)]
pub struct AccountQuery {
    /// How many sessions were just ended (the confirmation after the POST).
    cerradas: Option<u64>,
}

pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Query(q): Query<AccountQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ManageOwnAccount)?;
    let current = session.id().map(|id| id.to_string());
    let sessions: Vec<SessionRow> = state
        .store
        .user_sessions(user.user.id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: current.as_deref() == Some(s.id.as_str()),
            started: moment(s.started_at),
            seen: moment(s.last_seen_at),
            address: s
                .address
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "sin dato".into()),
            browser: browser_label(s.user_agent.as_deref().unwrap_or("")),
        })
        .collect();
    let others = sessions.iter().filter(|s| !s.current).count();
    let page = AccountPage {
        layout: user.layout("Mi cuenta", &state),
        username: user.user.username.clone(),
        full_name: user.user.full_name.clone(),
        role: user.user.role.label(),
        offices: user
            .user
            .offices
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        email: user.user.email.clone().unwrap_or_default(),
        sessions,
        others,
        ended: q.cerradas,
        errors: FieldErrors::new(),
        next: "/admin/cuenta".into(),
    };
    Ok(Html(page.render()?))
}

/// «Cerrar las otras sesiones»: every session of this user but the one asking ends
/// (audited); this one goes on under the new session epoch.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> AppResult<Response> {
    user.require(Action::ManageOwnAccount)?;
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    let Some(current) = session.id() else {
        // A signed-in user always has a stored session; without one there is nothing
        // to keep.
        return Err(AppError::SignIn("/admin/cuenta".into()));
    };
    let actor = user.actor();
    let (epoch, ended) = state
        .store
        .end_other_sessions(
            user.user.id,
            &current.to_string(),
            &Change {
                actor: &actor,
                action: AuditAction::SessionsEndOthers,
                plan_id: None,
                subject: format!("usuario {}", user.user.username),
                before: None,
                after: None,
            },
        )
        .await?;
    session
        .insert(crate::session_store::keys::EPOCH, epoch)
        .await
        .map_err(internal)?;
    Ok(Redirect::to(&format!("/admin/cuenta?cerradas={ended}")).into_response())
}
