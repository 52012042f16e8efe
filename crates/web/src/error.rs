//! The web layer's one error type, and the error policy of the web and store crates.
//!
//! # The variants
//! - [`AppError::NotFound`] (404), [`AppError::Forbidden`] (403: signed in, not
//!   allowed), [`AppError::SignIn`] (a redirect to the login page, then back),
//!   [`AppError::CrossOrigin`] (403, the CSRF check), [`AppError::TooLarge`] (413) and
//!   [`AppError::TooManyRequests`] (429, with `Retry-After`).
//! - [`AppError::BadRequest`] (400) carries a message for the user.
//! - [`AppError::Store`] wraps a [`StoreError`]; [`AppError::Render`] and
//!   [`AppError::Internal`] are failures of ours.
//!
//! # Where each becomes a response
//! All in [`IntoResponse`] below, and nowhere else:
//! - **Not found is one variant.** The store says `StoreError::NotFound { entity, id }`
//!   for anything it was asked for and does not have; it is answered 404 here, like
//!   [`AppError::NotFound`]. Handlers do not map it themselves: `?` is enough. (A
//!   handler that knows better may still match it, as the coverage page does for a
//!   finding that vanished, to show the form again with a message.)
//! - Refusals by the rules (a locked plan, a missing reason or acta, a lifecycle step
//!   out of order, a taken user name, pending findings, an invalid parameter value, a
//!   follow-up write on a closed period or out of review order) are 409 with the
//!   store's message; other follow-up refusals are 400. Handlers usually catch these
//!   first to show them next to the form field, keeping what was typed; what reaches
//!   here is still the user's to fix, never a 500.
//! - Everything else (database, storage, templates, corrupt data) is a 500: it is
//!   logged with its cause chain (`tracing::error!` with the `Debug` form) and the page
//!   shows a fixed apology, never the cause, a query or a path.
//!
//! # Messages
//! A message that reaches a user is written ready to show at its source, in plain
//! Spanish (Colombia): the handlers' [`AppError::BadRequest`] and form errors are
//! capitalised sentences; the domain's and the store's errors are written as clauses
//! («el periodo 3 ya está cerrado») that the importer and the command line put after a
//! place («línea 4, columna 2: …», `error: …`). A page shows such a clause as a sentence
//! through one function, [`crate::form::sentence`], called by
//! [`crate::form::FieldErrors::add`] (next to a field) and [`AppError::bad_request`]
//! (a whole page); no handler capitalises by hand. `Result<Result<…>>` is not used: a
//! refusal is an `Err` variant.

use crate::form::sentence;
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
    /// Refused for now; `retry_after` is in seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
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

impl AppError {
    /// A 400 whose message is a domain error, shown as a sentence.
    pub fn bad_request(error: impl std::fmt::Display) -> AppError {
        AppError::BadRequest(sentence(&error.to_string()))
    }
}

impl From<participa_app::Error> for AppError {
    fn from(e: participa_app::Error) -> Self {
        match e {
            participa_app::Error::Store(e) => AppError::Store(e),
            participa_app::Error::Internal(e) => AppError::Internal(e),
        }
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = ErrorPage {
        title,
        message,
        status: status.as_u16(),
        request: crate::request_id::current().unwrap_or_default(),
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
            AppError::TooManyRequests {
                message,
                retry_after,
            } => {
                let mut r = page(StatusCode::TOO_MANY_REQUESTS, "Demasiados intentos", &message);
                r.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after));
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
                | StoreError::InvalidParameter { .. }
                | StoreError::SuggestionMove { .. }
                // A builder's change its rules refused (a reorder that would break a
                // condition, a change after the first answer, …).
                | StoreError::Builder(_)
                | StoreError::StepStale { .. }
                | StoreError::ReturnReasonRequired
                | StoreError::ActaDate(_)
                // A moderation step the forum's rules refused (a comment already
                // decided, …): the moderator's to see, not a server error.
                | StoreError::Forum(_)
                // Follow-up writes the rules refused: handlers show most next to the
                // form's field; any that reaches here is still the user's to fix.
                | StoreError::Followup(FollowupError::AlreadyClosed(_) | FollowupError::Review(_))),
            ) => page(
                StatusCode::CONFLICT,
                "No se pudo hacer el cambio",
                &sentence(&e.to_string()),
            ),
            AppError::Store(StoreError::Followup(e)) => page(
                StatusCode::BAD_REQUEST,
                "Solicitud no válida",
                &sentence(&e.to_string()),
            ),
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
