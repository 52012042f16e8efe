//! A short identifier for every request: in the `X-Request-Id` header of its answer, in
//! every log line written while it is served (a `solicitud` span), and on its error page,
//! so that a citizen who reports «Código de la solicitud 5f3a…» leads an operator to the
//! log lines of that very request.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use tracing::Instrument;

tokio::task_local! {
    static CURRENT: String;
}

/// The identifier of the request being served by this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A new identifier: a random prefix per process (so that several app servers do not
/// repeat each other's) and a counter, in 16 hexadecimal digits.
pub(crate) fn new_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        u32::from_le_bytes(bytes)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) as u32;
    format!("{prefix:08x}{n:08x}")
}

/// The layer: names the request, serves it inside its span and its task-local name, and
/// puts the name on the answer.
pub async fn tag(request: Request, next: Next) -> Response {
    let id = new_id();
    let span = tracing::info_span!("solicitud", id = %id);
    let mut response = CURRENT
        .scope(id.clone(), next.run(request).instrument(span))
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (super::new_id(), super::new_id());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(a[..8], b[..8], "one prefix per process");
    }
}
