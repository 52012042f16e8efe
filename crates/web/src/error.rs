//! The web layer's one error type: each case maps to a status and a Spanish page, and
//! internal causes are logged, never shown.

use crate::views::ErrorPage;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_store::{FollowupError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no encontrado")]
    NotFound,
    #[error("sin permiso")]
    Forbidden,
    /// Not signed in: go to the login page, then back to `0`.
    #[error("sin sesión")]
    SignIn(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("envío demasiado grande")]
    TooLarge,
    #[error("solicitud de otro origen")]
    CrossOrigin,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] askama::Error),
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = ErrorPage {
        title,
        message,
        status: status.as_u16(),
    }
    .render()
    .unwrap_or_else(|_| message.to_string());
    (status, Html(body)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound | AppError::Store(StoreError::NotFound { .. }) => page(
                StatusCode::NOT_FOUND,
                "Página no encontrada",
                "La página que busca no existe o no está publicada.",
            ),
            AppError::Forbidden => page(
                StatusCode::FORBIDDEN,
                "Sin permiso",
                "Su usuario no tiene permiso para esta acción.",
            ),
            AppError::SignIn(next) => {
                let to = format!("/ingresar?siguiente={}", encode_query(&next));
                Redirect::to(&to).into_response()
            }
            AppError::BadRequest(m) => page(StatusCode::BAD_REQUEST, "Solicitud no válida", &m),
            AppError::TooManyRequests(m) => {
                let mut r = page(StatusCode::TOO_MANY_REQUESTS, "Demasiados intentos", &m);
                r.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("900"));
                r
            }
            AppError::TooLarge => page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Envío demasiado grande",
                "Lo que envió supera el tamaño máximo que acepta este formulario (1 MB). Acórtelo e intente de nuevo.",
            ),
            AppError::CrossOrigin => page(
                StatusCode::FORBIDDEN,
                "Solicitud rechazada",
                "La solicitud no vino de una página de Participa (protección CSRF).",
            ),
            AppError::Store(
                e @ (StoreError::Locked(_)
                | StoreError::ReasonRequired
                | StoreError::ActaRequired
                | StoreError::Lifecycle(_)
                | StoreError::UsernameTaken(_)
                | StoreError::FindingsPending(_)
                | StoreError::InvalidParameter { .. }),
            ) => page(
                StatusCode::CONFLICT,
                "No se pudo hacer el cambio",
                &e.to_string(),
            ),
            // Follow-up writes the rules refused: handlers show most next to the form's
            // field; any that reaches here is still the user's to fix, never a 500.
            AppError::Store(StoreError::Followup(
                e @ (FollowupError::AlreadyClosed(_) | FollowupError::Review(_)),
            )) => page(
                StatusCode::CONFLICT,
                "No se pudo hacer el cambio",
                &e.to_string(),
            ),
            AppError::Store(StoreError::Followup(e)) => {
                page(StatusCode::BAD_REQUEST, "Solicitud no válida", &e.to_string())
            }
            other => {
                tracing::error!(error = ?other, "internal error");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Error interno",
                    "Ocurrió un error inesperado. Se registró para revisarlo; intente de nuevo.",
                )
            }
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
