//! Each user's notifications: what the workflow told them (newest first), opening one
//! goes where to act and marks it read, and whether they also come by e-mail.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::form::FormData;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::momento;
use serde::Deserialize;

/// How many notifications the page lists.
const SHOWN: i64 = 100;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/notificaciones", list)
        .get("/notificaciones/{id}", open)
        .post("/notificaciones/leidas", read_all)
        .post("/notificaciones/correo", email_setting)
}

pub struct NotificationRow {
    pub id: i64,
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub at: String,
    pub unread: bool,
    pub mail: &'static str,
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub layout: Layout,
    pub rows: Vec<NotificationRow>,
    pub unread: usize,
    pub wants_email: bool,
    pub has_email: bool,
    pub mail_on_server: bool,
    pub done: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    hecho: String,
}

fn mail_word(state: &str) -> &'static str {
    match state {
        "pending" => "Correo por enviar",
        "sent" => "Enviado por correo",
        "failed" => "El correo no se pudo enviar",
        "expired" => "Correo no enviado (venció)",
        _ => "",
    }
}

async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(done): Query<Done>,
) -> AppResult<Html<String>> {
    let id = current.user.id;
    let records = state.store.notifications(id, SHOWN).await?;
    let rows: Vec<NotificationRow> = records
        .into_iter()
        .map(|n| NotificationRow {
            id: n.id,
            kind: n.kind.label(),
            subject: n.subject,
            body: n.body,
            at: momento(n.created_at),
            unread: n.read_at.is_none(),
            mail: mail_word(&n.mail_state),
        })
        .collect();
    let page = NotificationsPage {
        layout: Layout::staff("Notificaciones".into(), &state, &current),
        unread: rows.iter().filter(|r| r.unread).count(),
        rows,
        wants_email: state.store.wants_email(id).await?,
        has_email: current
            .user
            .email
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty()),
        mail_on_server: state.mail,
        done: match done.hecho.as_str() {
            "leidas" => Some("Todas las notificaciones quedaron marcadas como leídas."),
            "correo-si" => Some("Desde ahora también recibirá las notificaciones por correo."),
            "correo-no" => {
                Some("Ya no recibirá las notificaciones por correo; seguirán apareciendo aquí.")
            }
            _ => None,
        },
    };
    Ok(Html(page.render()?))
}

/// Marks the notification read and goes where it points; another user's is not found.
async fn open(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let link = state.store.open_notification(current.user.id, id).await?;
    // Links are written by the platform; still, only a path on this site is followed,
    // by the rule sign-in follows.
    Ok(Redirect::to(&crate::auth::safe_next(Some(&link))).into_response())
}

async fn read_all(State(state): State<AppState>, current: CurrentUser) -> AppResult<Response> {
    state.store.read_all_notifications(current.user.id).await?;
    Ok(Redirect::to("/admin/notificaciones?hecho=leidas").into_response())
}

async fn email_setting(
    State(state): State<AppState>,
    current: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    let on = form.get("correo") == "si";
    state.store.set_wants_email(current.user.id, on).await?;
    Ok(Redirect::to(if on {
        "/admin/notificaciones?hecho=correo-si"
    } else {
        "/admin/notificaciones?hecho=correo-no"
    })
    .into_response())
}
