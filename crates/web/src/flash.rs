//! The confirmation message shown once at the top of the page a member of staff lands
//! on after an action ("Versión 2 aprobada…"): a handler calls [`set`] before it
//! redirects, and the next full page the user opens shows it in `base.html` with
//! `role="status"`, then forgets it.
//!
//! The message lives in the user's server-side session (never in the URL, so it cannot
//! be forged into a link, and it can say exactly what happened). It is taken by the
//! sign-in guard on the next GET of a page (not on htmx fragments), so it is shown once.

use crate::error::{AppError, AppResult};
use axum::http::request::Parts;
use tower_sessions::Session;

const FLASH_KEY: &str = "aviso";

/// Keeps `message` for the next page this user opens.
pub async fn set(session: &Session, message: impl Into<String>) -> AppResult<()> {
    session
        .insert(FLASH_KEY, message.into())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The message waiting for this request's page, taken out of the session: only for a
/// GET of a full page (an htmx fragment or another method leaves it for the page).
pub(crate) async fn take(parts: &Parts, session: &Session) -> AppResult<Option<String>> {
    if parts.method != axum::http::Method::GET || parts.headers.contains_key("hx-request") {
        return Ok(None);
    }
    session
        .remove::<String>(FLASH_KEY)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}
