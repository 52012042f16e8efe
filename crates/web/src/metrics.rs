//! Operators' metrics in the Prometheus text format, served only on the address the
//! operator gives (`--metricas 127.0.0.1:9464`), never on the public one: requests and
//! their latency by route, citizens' submissions by kind, the e-mail outbox's queue,
//! the database pool, and the group-commit writer's batches.
//!
//! Nothing is recorded unless metrics are configured: the layers are not installed, so
//! the public pages pay nothing for them.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use participa_store::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// The route a request matched, as registered (`/planes/{id}`), left on its response by
/// [`remember_route`] for [`record`] to read.
#[derive(Clone)]
struct RouteName(Arc<str>);

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// What the process measures, shared by every entity's site.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    submissions: Family<KindLabels, Counter>,
    outbox_pending: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    batches: Counter<u64, AtomicU64>,
    batch_answers: Counter<u64, AtomicU64>,
    largest_batch: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The kind of citizen's submission a public form's route receives, if it is one.
fn submission_kind(method: &Method, route: &str) -> Option<&'static str> {
    if method != Method::POST {
        return None;
    }
    Some(match route {
        // A survey's answers and a forum's comments share the form's address.
        "/consultas/{id}/respuestas" => "consulta",
        "/sugerencias" => "sugerencia",
        "/audiencias/{id}/inscripcion" => "inscripcion",
        "/audiencias/{id}/preguntas" => "pregunta_audiencia",
        _ => return None,
    })
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("participa");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Solicitudes HTTP atendidas, por método, ruta y estado",
            requests.clone(),
        );
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Tiempo de respuesta por ruta, en segundos",
            latency.clone(),
        );
        let submissions = Family::<KindLabels, Counter>::default();
        registry.register(
            "submissions",
            "Envíos ciudadanos aceptados (respuestas, comentarios, sugerencias, inscripciones, preguntas)",
            submissions.clone(),
        );
        let outbox_pending = Gauge::default();
        registry.register(
            "outbox_pending",
            "Correos en cola por enviar",
            outbox_pending.clone(),
        );
        let pool_connections = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Conexiones abiertas del grupo de la base de datos",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle",
            "Conexiones libres del grupo de la base de datos",
            pool_idle.clone(),
        );
        let batches = Counter::<u64, AtomicU64>::default();
        registry.register(
            "group_commit_batches",
            "Transacciones del escritor de respuestas (cada una confirma un lote)",
            batches.clone(),
        );
        let batch_answers = Counter::<u64, AtomicU64>::default();
        registry.register(
            "group_commit_answers",
            "Respuestas confirmadas por el escritor en lotes",
            batch_answers.clone(),
        );
        let largest_batch = Gauge::default();
        registry.register(
            "group_commit_largest_batch",
            "El lote más grande confirmado en una transacción",
            largest_batch.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            submissions,
            outbox_pending,
            pool_connections,
            pool_idle,
            batches,
            batch_answers,
            largest_batch,
        }
    }

    fn observe(&self, method: &Method, route: &str, status: StatusCode, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.as_str().to_string(),
                route: route.to_string(),
                status: status.as_u16(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
        if status == StatusCode::SEE_OTHER || status.is_success() {
            if let Some(kind) = submission_kind(method, route) {
                self.submissions.get_or_create(&KindLabels { kind }).inc();
            }
        }
    }

    /// The text a scrape receives, with the figures read now from the store.
    pub async fn render(&self, store: &Store) -> String {
        if let Ok(n) = store.outbox_pending().await {
            self.outbox_pending.set(n);
        }
        let (size, idle) = store.pool_stats();
        self.pool_connections.set(i64::from(size));
        self.pool_idle.set(idle as i64);
        let stats = store.batch_stats();
        let load = |a: &AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
        let (batches, answers) = (load(&stats.batches), load(&stats.answers));
        self.batches
            .inner()
            .fetch_max(batches, std::sync::atomic::Ordering::Relaxed);
        self.batch_answers
            .inner()
            .fetch_max(answers, std::sync::atomic::Ordering::Relaxed);
        self.largest_batch.set(load(&stats.largest) as i64);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode_registry(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Inside each site's router: leaves the matched route on the response.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| Arc::<str>::from(m.as_str()));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteName(route));
    }
    response
}

/// Around the whole application: counts and times every request by its route.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let began = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteName>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| Arc::from("(sin ruta)"));
    metrics.observe(
        &method,
        &route,
        response.status(),
        began.elapsed().as_secs_f64(),
    );
    response
}

/// The metrics listener's one page.
pub async fn scrape(State((metrics, store)): State<(Arc<Metrics>, Store)>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(&store).await,
    )
        .into_response()
}

/// Serves `/metrics` on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    store: Store,
) -> std::io::Result<()> {
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state((metrics, store));
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_forms_are_counted_as_submissions_by_kind() {
        assert_eq!(
            submission_kind(&Method::POST, "/consultas/{id}/respuestas"),
            Some("consulta")
        );
        assert_eq!(
            submission_kind(&Method::GET, "/consultas/{id}/respuestas"),
            None
        );
        assert_eq!(submission_kind(&Method::POST, "/admin/planes"), None);
    }

    #[test]
    fn a_request_shows_in_the_text_by_route_and_status() {
        let m = Metrics::new();
        m.observe(&Method::GET, "/planes/{id}", StatusCode::OK, 0.002);
        m.observe(&Method::POST, "/sugerencias", StatusCode::SEE_OTHER, 0.01);
        let mut out = String::new();
        prometheus_client::encoding::text::encode_registry(&mut out, &m.registry).unwrap();
        assert!(
            out.contains(
                "participa_http_requests_total{method=\"GET\",route=\"/planes/{id}\",status=\"200\"} 1"
            ),
            "{out}"
        );
        assert!(
            out.contains("participa_submissions_total{kind=\"sugerencia\"} 1"),
            "{out}"
        );
        assert!(out.contains("participa_http_request_duration_seconds_bucket{le=\"0.002\",route=\"/planes/{id}\"} 1"), "{out}");
    }
}
