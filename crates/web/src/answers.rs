//! Public answers kept for a moment, in front of every site: the same public page asked
//! again within [`KEEP_FOR`] by someone with no cookie is answered with the bytes
//! already drawn, without the session, CSRF, footer-date and routing layers, and
//! without a query. This is what lets the portal and the plan pages serve near what a
//! static file server does while citizens reload them by the thousand.
//!
//! What is kept: `GET` answers with status 200, to requests without a `Cookie` or an
//! `Authorization` header, that set no cookie, may be cached (no `no-store`), and whose
//! body is already whole in memory and small ([`MAX_BODY`]). A write this site answers
//! (its write counter moves) or a change of the entity's settings (its revision) makes
//! every kept answer of that site stale at once; a change made through another server
//! is seen within [`KEEP_FOR`] plus the pages' own check (a second).
//!
//! Bounded: at most [`MAX_BYTES`] in all; when full, the stale answers are dropped and,
//! if that is not enough, nothing more is kept until they expire.

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long an answer is kept.
pub const KEEP_FOR: Duration = Duration::from_millis(500);

/// The largest body kept.
pub const MAX_BODY: usize = 1 << 20;

/// The most bytes kept in all.
pub const MAX_BYTES: usize = 64 << 20;

/// A public address of an entity's site, as asked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    entity: i64,
    address: String,
}

struct Kept {
    status: StatusCode,
    headers: HeaderMap,
    extensions: Extensions,
    body: Bytes,
    at: Instant,
    /// The site's write count and settings revision when the page was drawn.
    writes: u64,
    revision: i64,
}

#[derive(Default)]
pub struct Answers {
    kept: RwLock<(HashMap<Key, Kept>, usize)>,
}

/// The key of a request that may be answered from what is kept, or None.
pub fn key_of(request: &Request, entity: i64) -> Option<Key> {
    let headers = request.headers();
    if request.method() != Method::GET
        || headers.contains_key(header::COOKIE)
        || headers.contains_key(header::AUTHORIZATION)
    {
        return None;
    }
    let address = request.uri().path_and_query()?.as_str();
    if address.len() > 512 {
        return None;
    }
    Some(Key {
        entity,
        address: address.to_string(),
    })
}

fn keepable(response: &Response) -> Option<usize> {
    let headers = response.headers();
    if response.status() != StatusCode::OK
        || headers.contains_key(header::SET_COOKIE)
        || headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"))
    {
        return None;
    }
    // Only a body already whole in memory (a page, a stylesheet): never a stream.
    let size = response.body().size_hint().exact()?;
    (size as usize <= MAX_BODY).then_some(size as usize)
}

impl Answers {
    /// The answer kept for `key`, when drawn less than [`KEEP_FOR`] ago at the site's
    /// current write count and revision: a new response, with an identifier of its own.
    pub fn fresh(&self, key: &Key, writes: u64, revision: i64) -> Option<Response> {
        let kept = self.kept.read().unwrap_or_else(|p| p.into_inner());
        let k = kept.0.get(key)?;
        if k.writes != writes || k.revision != revision || k.at.elapsed() >= KEEP_FOR {
            return None;
        }
        let mut response = Response::new(Body::from(k.body.clone()));
        *response.status_mut() = k.status;
        *response.headers_mut() = k.headers.clone();
        *response.extensions_mut() = k.extensions.clone();
        drop(kept);
        if let Ok(id) = HeaderValue::from_str(&crate::request_id::new_id()) {
            response.headers_mut().insert("x-request-id", id);
        }
        Some(response)
    }

    /// Keeps `response` for `key` when it may be kept, and gives it back.
    pub async fn keep(&self, key: Key, response: Response, writes: u64, revision: i64) -> Response {
        let Some(size) = keepable(&response) else {
            return response;
        };
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return crate::error::AppError::Internal("a page body was cut".into()).into_response();
        };
        let mut headers = parts.headers.clone();
        headers.remove("x-request-id");
        let kept = Kept {
            status: parts.status,
            headers,
            extensions: parts.extensions.clone(),
            body: bytes.clone(),
            at: Instant::now(),
            writes,
            revision,
        };
        {
            let mut all = self.kept.write().unwrap_or_else(|p| p.into_inner());
            let (map, total) = &mut *all;
            if *total + size > MAX_BYTES {
                map.retain(|_, k| k.at.elapsed() < KEEP_FOR);
                *total = map.values().map(|k| k.body.len()).sum();
            }
            if *total + size <= MAX_BYTES {
                if let Some(old) = map.insert(key, kept) {
                    *total -= old.body.len();
                }
                *total += size;
            }
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, cookie: bool) -> Request {
        let mut b = axum::http::Request::get(path);
        if cookie {
            b = b.header(header::COOKIE, "participa_sesion=x");
        }
        b.body(Body::empty()).unwrap()
    }

    fn page(text: &'static str) -> Response {
        Response::new(Body::from(text))
    }

    #[test]
    fn only_anonymous_gets_have_a_key() {
        assert!(key_of(&get("/planes/1", false), 1).is_some());
        assert!(key_of(&get("/planes/1", true), 1).is_none());
        let post = axum::http::Request::post("/sugerencias")
            .body(Body::empty())
            .unwrap();
        assert!(key_of(&post, 1).is_none());
        assert_ne!(key_of(&get("/", false), 1), key_of(&get("/", false), 2));
    }

    #[tokio::test]
    async fn a_kept_answer_serves_until_a_write_or_a_new_revision() {
        let answers = Answers::default();
        let key = key_of(&get("/", false), 1).unwrap();
        assert!(answers.fresh(&key, 0, 0).is_none());
        let first = answers.keep(key.clone(), page("portal"), 0, 0).await;
        assert_eq!(
            axum::body::to_bytes(first.into_body(), 100).await.unwrap(),
            "portal"
        );
        let again = answers.fresh(&key, 0, 0).expect("kept");
        assert_eq!(
            axum::body::to_bytes(again.into_body(), 100).await.unwrap(),
            "portal"
        );
        assert!(answers.fresh(&key, 1, 0).is_none(), "a write since");
        assert!(answers.fresh(&key, 0, 1).is_none(), "new settings");
        // Not kept: a session cookie set, an error, a page that must not be stored.
        let other = key_of(&get("/sugerencias", false), 1).unwrap();
        let mut with_cookie = page("x");
        with_cookie
            .headers_mut()
            .insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
        answers.keep(other.clone(), with_cookie, 0, 0).await;
        assert!(answers.fresh(&other, 0, 0).is_none());
        let mut missing = page("no");
        *missing.status_mut() = StatusCode::NOT_FOUND;
        answers.keep(other.clone(), missing, 0, 0).await;
        assert!(answers.fresh(&other, 0, 0).is_none());
        let mut private = page("x");
        private
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        answers.keep(other.clone(), private, 0, 0).await;
        assert!(answers.fresh(&other, 0, 0).is_none());
    }

    #[tokio::test]
    async fn an_answer_expires() {
        let answers = Answers::default();
        let key = key_of(&get("/", false), 1).unwrap();
        answers.keep(key.clone(), page("portal"), 0, 0).await;
        tokio::time::sleep(KEEP_FOR + Duration::from_millis(50)).await;
        assert!(answers.fresh(&key, 0, 0).is_none());
    }
}
