//! A submitted HTML form as its list of name/value pairs, so that repeated names
//! (checkboxes) and unknown fields are handled by the page that reads them.

use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use axum::Form;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(format!("Formulario ilegible: {e}"))
                }
            })?;
        Ok(FormData(pairs))
    }
}

/// A form's errors by field name (the field's `id`): the page shows each next to its
/// field, marks the field `aria-invalid`, and lists them all above the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(HashMap<&'static str, String>);

impl FieldErrors {
    pub fn new() -> Self {
        FieldErrors::default()
    }

    /// The status of a form page: 200, or 422 when it comes back with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.0.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// Puts a domain error next to `field`, written as a sentence (see [`sentence`]);
    /// replaces an earlier message of that field.
    pub fn add(&mut self, field: &'static str, error: impl std::fmt::Display) {
        self.0.insert(field, sentence(&error.to_string()));
    }

    /// Like [`FieldErrors::add`], but a field keeps the first message it got.
    pub fn add_first(&mut self, field: &'static str, error: impl std::fmt::Display) {
        self.0
            .entry(field)
            .or_insert_with(|| sentence(&error.to_string()));
    }

    /// The message for `field`, if it has one.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// The value of the field's `aria-invalid` attribute.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.0.contains_key(field) {
            "true"
        } else {
            "false"
        }
    }

    /// The errors in field-name order, for the summary above the form.
    pub fn sorted(&self) -> Vec<(&'static str, &str)> {
        let mut list: Vec<(&'static str, &str)> =
            self.0.iter().map(|(k, v)| (*k, v.as_str())).collect();
        list.sort();
        list
    }
}

impl Deref for FieldErrors {
    type Target = HashMap<&'static str, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for FieldErrors {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// A domain message as people read it on a page. Domain errors are written as clauses
/// ("falta el título") so that the importer and the command line can put them after a
/// place ("línea 3, columna 2: falta el título"); a page shows them as sentences, and
/// this is the one place that turns one into the other: first letter capitalised, one
/// final period.
pub fn sentence(clause: &str) -> String {
    let clause = clause.trim();
    let mut chars = clause.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Adds the "reason required" error when a published plan is changed without one.
pub fn require_reason<T>(
    result: Result<T, FieldErrors>,
    needs_reason: bool,
    reason: &str,
    field: &'static str,
) -> Result<T, FieldErrors> {
    if !needs_reason || !reason.trim().is_empty() {
        return result;
    }
    let mut errors = result.err().unwrap_or_default();
    errors.insert(
        field,
        "Escriba el motivo del cambio: el plan está publicado y se creará una nueva versión."
            .into(),
    );
    Err(errors)
}

#[cfg(test)]
mod sentence_tests {
    use super::{sentence, FieldErrors};

    #[test]
    fn clauses_become_sentences_once() {
        assert_eq!(sentence("falta el título"), "Falta el título.");
        assert_eq!(sentence("ésta ya termina."), "Ésta ya termina.");
        assert_eq!(sentence(""), "");
        let mut e = FieldErrors::new();
        e.add_first("a", "primero");
        e.add_first("a", "segundo");
        assert_eq!(e.error("a"), Some("Primero."));
        e.add("a", "tercero");
        assert_eq!(e.error("a"), Some("Tercero."));
    }
}
