//! One lookup for every code a citizen receives: `SG-` (a suggestion), `AP-` (a question
//! to the accountability hearing) and `IN-` (a registration to a hearing). A known code
//! leads to its own status page; anything else is answered on the same page, repeating
//! what was typed and saying what to do.

use super::routing::Routes;
use crate::error::AppResult;
use crate::extract::Query;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_domain::participation::suggestions::TrackingCode;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::public().get("/consulta-codigo", lookup)
}

#[derive(Deserialize)]
pub struct LookupQuery {
    codigo: Option<String>,
}

#[derive(Template)]
#[template(path = "code_lookup.html")]
pub struct LookupPage {
    pub layout: Layout,
    pub typed: String,
    pub error: Option<String>,
}

/// Longest text repeated back in the error: a code is 12 characters.
const MAX_TYPED: usize = 40;

/// `GET /consulta-codigo[?codigo=…]`.
pub async fn lookup(
    State(state): State<AppState>,
    Query(q): Query<LookupQuery>,
) -> AppResult<Response> {
    let typed: String = q
        .codigo
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_TYPED)
        .collect();
    if typed.is_empty() {
        return page(&state, typed, None, StatusCode::OK);
    }
    if let Some(code) = TrackingCode::parse_with("SG", &typed) {
        if state.store.suggestion_by_code(&code).await?.is_some() {
            return Ok(Redirect::to(&format!("/sugerencias/{}", code.as_str())).into_response());
        }
        return unknown(&state, typed, "una sugerencia");
    }
    if let Some(code) = TrackingCode::parse_with("AP", &typed) {
        if let Some(h) = state.store.hearing_of_question(code.as_str()).await? {
            return Ok(
                Redirect::to(&format!("/audiencias/{h}?pregunta={}", code.as_str()))
                    .into_response(),
            );
        }
        return unknown(&state, typed, "una pregunta a la audiencia");
    }
    if let Some(code) = TrackingCode::parse_with("IN", &typed) {
        if state
            .store
            .registration_by_code(code.as_str())
            .await?
            .is_some()
        {
            return Ok(
                Redirect::to(&format!("/audiencias/datos/{}", code.as_str())).into_response(),
            );
        }
        return unknown(&state, typed, "una inscripción a la audiencia");
    }
    let error = format!(
        "«{typed}» no es un código de la entidad. Los códigos tienen la forma SG-XXXX-XXXX \
         (sugerencias), AP-XXXX-XXXX (preguntas a la audiencia) o IN-XXXX-XXXX (inscripciones): \
         revise las letras y números del mensaje que recibió."
    );
    page(&state, typed, Some(error), StatusCode::UNPROCESSABLE_ENTITY)
}

fn unknown(state: &AppState, typed: String, what: &str) -> AppResult<Response> {
    let error = format!(
        "No encontramos {what} con el código «{typed}». Revise que lo escribió igual que en \
         el mensaje que recibió; si el problema sigue, escríbanos desde Sugerencias."
    );
    page(state, typed, Some(error), StatusCode::NOT_FOUND)
}

fn page(
    state: &AppState,
    typed: String,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let p = LookupPage {
        layout: Layout::public("Consultar un código".into(), state),
        typed,
        error,
    };
    Ok((status, Html(p.render()?)).into_response())
}
