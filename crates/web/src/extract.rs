//! Axum's `Path` and `Query` extractors with this site's error policy: a path that does
//! not parse is a page that does not exist (404), and a query string that does not parse
//! is answered in Spanish (400) — never with axum's English plain text.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The typed parameters of the route's path.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|_| AppError::NotFound)
    }
}

/// The typed query string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|_| {
                AppError::BadRequest(
                    "La dirección trae un dato que no se entiende (por ejemplo, letras donde va un número). Vuelva a la página anterior y use sus enlaces y filtros."
                        .into(),
                )
            })
    }
}

/// A `multipart/form-data` body (file uploads). A body that is not one, a broken one,
/// or one with more than [`crate::form::MAX_FIELDS`] parts is answered in Spanish.
pub struct Multipart {
    inner: axum::extract::Multipart,
    fields: usize,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(|inner| Multipart { inner, fields: 0 })
            .map_err(|_| crate::form::unreadable())
    }
}

impl Multipart {
    /// The next part, or None at the end.
    pub async fn next_field(
        &mut self,
    ) -> Result<Option<axum::extract::multipart::Field<'_>>, AppError> {
        self.fields += 1;
        if self.fields > crate::form::MAX_FIELDS {
            return Err(AppError::BadRequest(format!(
                "El formulario trae más de {} campos.",
                crate::form::MAX_FIELDS
            )));
        }
        self.inner
            .next_field()
            .await
            .map_err(|_| crate::form::unreadable())
    }
}
