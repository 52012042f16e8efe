//! Participa's web application: public pages for citizens, staff pages under `/admin/`.
//!
//! Server-rendered HTML (askama), no JavaScript needed. Sessions live in the database
//! (tower-sessions with [`session_store::DbSessionStore`]); every state-changing request
//! must come from one of our own pages ([`same_origin`]), and every action asks the
//! domain's [`participa_domain::allows`] on the server.

pub mod answers;
pub mod auth;
mod charts;
mod entity_form;
pub mod error;
pub mod extract;
pub mod flash;
pub mod form;
pub mod gantt;
pub mod metrics;
pub mod pages;
pub mod platform;
mod public_progress;
mod report_publication;
pub mod request_id;
pub mod session_store;
mod site_updated;
mod tag_form;
pub mod throttle;
pub mod views;

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use error::AppError;
use participa_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body accepted, except plan files.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest plan file (TSV or XLSX) accepted for import.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    /// The entity this installation serves (its name on the public pages).
    pub entity: String,
    pub throttle: throttle::Throttle,
    /// Set the session cookie's `Secure` flag (behind HTTPS).
    pub secure_cookies: bool,
    /// Rendered public plan pages by plan, with the published version and the day they
    /// were drawn for (the timeline marks today).
    pub public_pages: std::sync::Mutex<
        std::collections::HashMap<
            (i64, Option<participa_domain::followup::ScheduleStatus>),
            CachedPage,
        >,
    >,
    /// Requests that may have written (any method but GET and HEAD) this process
    /// answered: a cached public page that saw fewer asks the database again at once,
    /// so whoever made a change sees it on the next page (other processes within a second).
    pub writes: std::sync::atomic::AtomicU64,
    /// Each staff member's count of «Mis pendientes» lately made (see
    /// [`auth::PENDING_FRESH_FOR`]).
    pub pending_counts: std::sync::Mutex<std::collections::HashMap<i64, auth::PendingCount>>,
    /// The plans' follow-up dashboards lately computed (see
    /// [`pages::followup::DashboardView`]).
    pub dashboards: pages::followup::DashboardCache,
    /// The rendered portal with the day it was drawn for and the latest audit entry it
    /// saw: everything it shows is staff data, audited when it changes.
    pub home_page: std::sync::Mutex<Option<(chrono::NaiveDate, i64, axum::body::Bytes)>>,
    /// The open-data catalogue's datasets, kept like the home page (day, latest audit entry).
    pub open_data: std::sync::Mutex<Option<(chrono::NaiveDate, i64, pages::open_data::Catalogue)>>,
    /// The Menú Participa, its calendar (page and feed) and the public archives, by path,
    /// kept like the home page (day, latest audit entry); the keys are a fixed set.
    pub participa_pages: std::sync::Mutex<
        std::collections::HashMap<String, (chrono::NaiveDate, i64, axum::body::Bytes)>,
    >,
    /// Where evidence files go, and the largest one accepted.
    pub evidence: EvidenceConfig,
    /// Per-client limit on public forms; `None` only when the operator turned it off.
    pub public_forms: Option<governor::DefaultKeyedRateLimiter<String>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default: the
    /// header is then ignored, since anyone can send it).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address of the entity's data-processing policy (Ley 1581 de 2012), linked
    /// next to every consent checkbox and kept with each consent.
    pub privacy_policy: Option<String>,
    /// How many minutes a password-recovery link works.
    pub recovery_minutes: i64,
    /// How citizens reach the entity (the footer).
    pub contact: Arc<EntityContact>,
    /// The entity's logo and its media type.
    pub logo: Option<(axum::body::Bytes, &'static str)>,
    /// The entity's own colour (`#rrggbb`, checked for contrast), served as
    /// `/static/entidad.css`; None: the platform's.
    pub colour: Option<String>,
    /// The entity's settings revision (see [`views::Layout::asset_version`]).
    pub asset_version: i64,
    /// Set when a page changed an entity (its settings, a new one): the platform
    /// then checks the entities on the next request instead of within a second.
    pub entities_changed: Arc<std::sync::atomic::AtomicBool>,
    /// The public plan documents (PDF) by plan and published version.
    pub public_pdfs: std::sync::Mutex<std::collections::HashMap<(i64, i64), axum::body::Bytes>>,
    /// The public follow-up reports of closed periods: (plan, period, PDF?) → the latest
    /// audit entry they saw and the file.
    pub public_reports: std::sync::Mutex<PublicReports>,
    /// The platform's public address for links in e-mails (no trailing slash); None:
    /// taken from the request.
    pub public_url: Option<String>,
    /// Whether notifications also go out by e-mail.
    pub mail: bool,
    /// When the entity last changed what the site shows (the footer's date).
    pub site_updated: site_updated::SiteUpdated,
    /// The name of the session cookie.
    pub session_cookie: String,
    /// The public forms' burst and per-minute rate (see [`AppState::public_limit`]).
    pub public_rate: (u32, u32),
    /// The national dashboards computed lately, by scope and year.
    pub national: pages::national::Cache,
    /// Whether the operators' metrics are on: the site leaves its matched route on
    /// each response (see [`metrics::remember_route`]).
    pub records_routes: bool,
    /// The consultations citizens are answering, by id, each with the audit entry it
    /// was read at (see [`pages::consultations::to_answer`]).
    pub answering:
        std::sync::Mutex<std::collections::HashMap<i64, (i64, participa_store::Consultation)>>,
}

/// Evidence storage and its per-file size limit.
#[derive(Clone, Debug)]
pub struct EvidenceConfig {
    pub objects: participa_store::Objects,
    pub limit: usize,
}

impl Default for EvidenceConfig {
    /// In memory, 20 MB: for tests; the server is started with a disk or S3 store.
    fn default() -> Self {
        EvidenceConfig {
            objects: participa_store::Objects::memory(),
            limit: participa_store::DEFAULT_EVIDENCE_LIMIT,
        }
    }
}

/// (plan, period, PDF?) → (the latest audit entry seen, the file).
pub type PublicReports = std::collections::HashMap<(i64, u32, bool), (i64, axum::body::Bytes)>;

/// A rendered public page and what it was rendered from.
#[derive(Clone)]
pub struct CachedPage {
    /// When the database last confirmed `version` as the latest published one and
    /// `change` as the latest audited change.
    pub checked: std::time::Instant,
    pub version: i64,
    /// The latest audit entry the page saw: follow-up, reviews, published evidence and
    /// participation are all audited, so a newer entry means the page may be stale.
    pub change: i64,
    /// When the page was drawn.
    pub rendered: std::time::Instant,
    /// [`Inner::writes`] when the page was checked.
    pub writes: u64,
    pub day: chrono::NaiveDate,
    pub html: axum::body::Bytes,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Everything the application is configured with, complete before [`AppState::new`]
/// builds the state from it. The binary fills it from its command-line options;
/// `Config::default()` suits tests (evidence in memory, the default public limit).
#[derive(Clone, Debug)]
pub struct Config {
    /// The entity this installation serves (its name on the public pages).
    pub entity: String,
    /// Set the session cookie's `Secure` flag (behind HTTPS).
    pub secure_cookies: bool,
    /// Where evidence files go, and the largest one accepted.
    pub evidence: EvidenceConfig,
    /// Per-client limit on public forms.
    pub public_limit: PublicLimit,
    /// Reverse proxies whose `X-Forwarded-For` names the client. Without them, behind a
    /// proxy every citizen would share the proxy's quota.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The entity's data-processing policy (an `http(s)://` address), linked from the
    /// consent checkboxes; anything else is ignored.
    pub privacy_policy: Option<String>,
    /// The platform's public address (`https://participa.entidad.gov.co`), for links
    /// that leave the site (e-mails); None: taken from the request.
    pub public_url: Option<String>,
    /// Whether notifications also go out by e-mail (an SMTP server is configured).
    pub mail: bool,
    /// How many minutes a password-recovery link works (at least 1).
    pub recovery_minutes: i64,
    /// How citizens reach the entity, shown in every page's footer.
    pub contact: EntityContact,
    /// The entity's logo (the image and its media type), shown in the header.
    pub logo: Option<(axum::body::Bytes, &'static str)>,
    /// The name of the session cookie (each entity of a deployment has its own).
    pub session_cookie: String,
    /// The entity's own colour, `#rrggbb` (empty: the platform's); one that fails
    /// [`participa_domain::entity::parse_colour`] is not used.
    pub colour: String,
    /// Shared with the platform (see [`AppState::entities_changed`]).
    pub entities_changed: Arc<std::sync::atomic::AtomicBool>,
    /// The entity's settings revision, for the addresses of its logo and colour.
    pub asset_version: i64,
    /// The operators' metrics, when configured (see [`metrics`]): each site then leaves
    /// its matched route on every response for them.
    pub metrics: Option<Arc<metrics::Metrics>>,
}

/// How citizens reach the entity (the national guidelines for entity sites ask every
/// page's footer for them): each line shown only when set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntityContact {
    pub address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
}

/// The largest logo accepted, in bytes.
pub const LOGO_LIMIT: usize = 512 * 1024;

/// A logo file's media type by its extension (PNG, JPEG or WebP; SVG is refused, since
/// it may carry script), or None.
pub fn logo_media_type(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            entity: "Caja Honor".into(),
            secure_cookies: false,
            evidence: EvidenceConfig::default(),
            public_limit: PublicLimit::default(),
            trusted_proxies: Vec::new(),
            privacy_policy: None,
            public_url: None,
            mail: false,
            recovery_minutes: participa_domain::account::RECOVERY_LINK_MINUTES,
            contact: EntityContact::default(),
            logo: None,
            session_cookie: "participa_sesion".into(),
            colour: String::new(),
            entities_changed: Default::default(),
            asset_version: 0,
            metrics: None,
        }
    }
}

/// How many public-form submissions each client may send at once (`burst`; 0 turns the
/// limit off: only for load benchmarks, where every request comes from one address),
/// and how many a minute after that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicLimit {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for PublicLimit {
    fn default() -> Self {
        PublicLimit {
            burst: PUBLIC_BURST,
            per_minute: PUBLIC_PER_MINUTE,
        }
    }
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState(Arc::new(Inner {
            public_forms: public_forms_limiter(
                config.public_limit.burst,
                config.public_limit.per_minute,
            ),
            trusted_proxies: config.trusted_proxies,
            privacy_policy: config.privacy_policy.filter(|u| is_web_address(u)),
            recovery_minutes: config.recovery_minutes.max(1),
            contact: Arc::new(config.contact),
            logo: config.logo.filter(|(b, _)| b.len() <= LOGO_LIMIT),
            entities_changed: config.entities_changed,
            asset_version: config.asset_version,
            colour: participa_domain::entity::parse_colour(&config.colour)
                .ok()
                .filter(|c| !c.is_empty()),
            evidence: config.evidence,
            public_pdfs: Default::default(),
            public_reports: Default::default(),
            public_url: config
                .public_url
                .filter(|u| is_web_address(u))
                .map(|u| u.trim_end_matches('/').to_string()),
            mail: config.mail,
            store,
            entity: config.entity,
            throttle: throttle::Throttle::default(),
            secure_cookies: config.secure_cookies,
            public_pages: Default::default(),
            writes: Default::default(),
            pending_counts: Default::default(),
            dashboards: Default::default(),
            home_page: Default::default(),
            open_data: Default::default(),
            participa_pages: Default::default(),
            site_updated: Default::default(),
            session_cookie: config.session_cookie,
            public_rate: (config.public_limit.burst, config.public_limit.per_minute),
            national: Default::default(),
            records_routes: config.metrics.is_some(),
            answering: Default::default(),
        }))
    }
}

/// Public forms per client: ten submissions at once, then one a minute.
pub const PUBLIC_BURST: u32 = 10;
pub const PUBLIC_PER_MINUTE: u32 = 1;

/// A keyed limiter letting `burst` submissions at once and then `per_minute`; none when
/// `burst` is 0.
fn public_forms_limiter(
    burst: u32,
    per_minute: u32,
) -> Option<governor::DefaultKeyedRateLimiter<String>> {
    let burst = std::num::NonZeroU32::new(burst)?;
    let rate = std::num::NonZeroU32::new(per_minute.max(1)).expect("at least one");
    Some(governor::RateLimiter::keyed(
        governor::Quota::per_minute(rate).allow_burst(burst),
    ))
}

impl AppState {
    /// The policy a consent refers to, as kept with it.
    pub fn data_policy(&self) -> String {
        match &self.privacy_policy {
            Some(url) => format!(
                "Política de tratamiento de datos personales de {}: {url}",
                self.entity
            ),
            None => format!(
                "Política de tratamiento de datos personales de {} (dirección no configurada)",
                self.entity
            ),
        }
    }

    /// Refuses a public form's submission past the client's quota (429, with a message
    /// people understand); other clients keep being served. Two counts apply: this
    /// process's (a burst, then so many a minute: a flood is refused without touching
    /// the database) and the deployment's, kept in the database so that several app
    /// servers behind one proxy give a client one quota, not one each: at most the
    /// burst in the time the per-minute rate takes to refill it.
    pub async fn public_limit(&self, address: Option<&str>) -> Result<(), AppError> {
        let Some(limiter) = &self.public_forms else {
            return Ok(());
        };
        let key = throttle::client_key(address);
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        let too_many = |retry_after: u64| {
            AppError::TooManyRequests {
            message: "Se recibieron demasiados envíos desde su conexión en poco tiempo. Espere un minuto e intente de nuevo; lo que ya envió quedó guardado."
                .into(),
            retry_after: retry_after.max(1),
        }
        };
        limiter.check_key(&key).map_err(|not_until| {
            use governor::clock::Clock;
            // The quota refills one submission at a time: say when the next one is free.
            let wait = not_until.wait_time_from(limiter.clock().now());
            too_many(wait.as_secs_f64().ceil() as u64)
        })?;
        let (burst, per_minute) = self.public_rate;
        let window =
            chrono::Duration::seconds(i64::from(burst) * 60 / i64::from(per_minute.max(1)));
        let quota = participa_store::Quota::new(format!("publico:{key}"), i64::from(burst));
        match self.store.take_attempt(&[quota], window).await? {
            participa_store::Attempt::Allowed { .. } => Ok(()),
            participa_store::Attempt::Refused { retry_after } => {
                Err(too_many(retry_after.num_seconds().max(1) as u64))
            }
        }
    }
}

/// An `http://` or `https://` address with a host: what may go in a link's `href`.
pub fn is_web_address(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// The client's address, when the server knows it.
pub fn client_address(parts: &Parts, state: &AppState) -> Option<String> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    Some(effective_client(peer, forwarded, &state.trusted_proxies).to_string())
}

/// The client behind `peer`: when the peer is a trusted proxy, the right-most address
/// of `X-Forwarded-For` that is not itself a trusted proxy (proxies append the address
/// they received from, so addresses to its left may be forged); otherwise the peer.
pub fn effective_client(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // An unreadable hop: stop at the last address a trusted proxy vouched for.
            Err(_) => return client,
        }
    }
    client
}

/// Extractor for [`client_address`]: worked out only by the handlers that need it
/// (public forms, sign-in), not on every request.
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts, state)))
    }
}

/// CSRF protection: a request that changes state must come from a page of this site.
/// Browsers send `Sec-Fetch-Site` (current ones) or `Origin` on every POST; a request
/// with neither, or from another site, is refused. The session cookie is also
/// `SameSite=Lax`.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok());
    let origin_matches = match (origin, host) {
        (Some(o), Some(h)) => o
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(h)),
        _ => false,
    };
    // Browsers set Sec-Fetch-Site themselves and a page cannot forge it, so it decides
    // when present (it also survives a proxy that rewrites Host); older browsers send
    // Origin, which must name this host.
    let allowed = match fetch_site {
        Some("same-origin") | Some("none") => true,
        Some(_) => false,
        None => origin_matches,
    };
    if allowed {
        next.run(request).await
    } else {
        AppError::CrossOrigin.into_response()
    }
}

/// Headers every response carries: no framing, no sniffing, only our own scripts/styles;
/// behind HTTPS (secure cookies on), `Strict-Transport-Security` too, so a browser never
/// comes back over plain HTTP.
async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

const STYLE: &str = include_str!("../static/style.css");

/// The entity's logo, when one was configured.
async fn logo(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match &state.logo {
        Some((bytes, media)) => (
            [
                (header::CONTENT_TYPE, *media),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The entity's colour as the stylesheet's brand colour (after the platform's sheet).
async fn entity_style(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match &state.colour {
        Some(colour) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            format!(":root {{ --brand: {colour}; }}\n"),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// Work Sans (SIL Open Font License, kept next to it in `static/fonts/OFL.txt`), the
/// GOV.CO typeface, vendored from `@fontsource/work-sans` and served from our own origin.
const WORK_SANS_400: &[u8] = include_bytes!("../static/fonts/work-sans-latin-400-normal.woff2");
const WORK_SANS_700: &[u8] = include_bytes!("../static/fonts/work-sans-latin-700-normal.woff2");
const FONT_LICENCE: &str = include_str!("../static/fonts/OFL.txt");

fn font(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/woff2"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Counts the requests that may have written (see [`Inner::writes`]), once answered,
/// and brings the footer's date up to date before a page is drawn (see
/// [`site_updated`]). One layer for both: each `from_fn` layer costs every request,
/// the cached public pages most (see bench/README.md).
async fn track_changes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    // Files and the health check draw no footer, and must not wait on the database.
    let path = request.uri().path();
    let page = !path.starts_with("/static/") && path != "/salud";
    if !writes && page {
        state.site_updated.refresh(&state).await;
    }
    let response = next.run(request).await;
    if writes {
        state
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }
    response
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    site(pages::routes(state.evidence.limit), state)
}

/// The site made of `routes`: staff routes under `/admin` behind the sign-in guard, the
/// stylesheet and health check, CSRF, sessions, body limits and security headers.
fn site(routes: pages::routing::Routes, state: AppState) -> Router {
    let sessions =
        SessionManagerLayer::new(session_store::DbSessionStore::new(state.store.clone()))
            .with_name(state.session_cookie.clone())
            .with_same_site(SameSite::Lax)
            .with_http_only(true)
            .with_secure(state.secure_cookies)
            .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let admin = routes
        .staff
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_sign_in,
        ))
        .layer(middleware::from_fn(no_store));
    let pages = routes
        .public
        .route("/static/estilo.css", get(style))
        .route("/static/logo", get(logo))
        .route("/static/entidad.css", get(entity_style))
        .route(
            "/static/fonts/work-sans-400.woff2",
            get(|| async { font(WORK_SANS_400) }),
        )
        .route(
            "/static/fonts/work-sans-700.woff2",
            get(|| async { font(WORK_SANS_700) }),
        )
        .route(
            "/static/fonts/OFL.txt",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    FONT_LICENCE,
                )
            }),
        )
        .route("/salud", get(|| async { StatusCode::NO_CONTENT }))
        .nest("/admin", admin);
    // A path with a trailing slash is the same page as without it (`/admin/` is
    // `/admin`): a path no route matches is tried once more with its trailing slashes
    // trimmed, and only then is a 404. Requests that match go through one routing pass.
    let pages = if state.records_routes {
        pages.route_layer(middleware::from_fn(metrics::remember_route))
    } else {
        pages
    };
    let retry = tower::ServiceExt::map_request(
        pages.clone().fallback(not_found).with_state(state.clone()),
        trim_trailing_slash,
    );
    pages
        .fallback_service(retry)
        .layer(middleware::from_fn(same_origin))
        .layer(middleware::from_fn_with_state(state.clone(), track_changes))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.secure_cookies,
            security_headers,
        ))
        .layer(middleware::from_fn(request_id::tag))
        .with_state(state)
}

/// `/admin/planes/` → `/admin/planes` (the query kept); `/` stays.
fn trim_trailing_slash(mut request: Request) -> Request {
    let uri = request.uri();
    let path = uri.path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let new = match uri.query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(pq) = new.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(u) = axum::http::Uri::from_parts(parts) {
                *request.uri_mut() = u;
            }
        }
    }
    request
}

/// Every route the site registers (method, full path, public or staff): what the
/// role × route test checks its rows against.
pub fn route_table() -> Vec<pages::routing::RouteEntry> {
    pages::routes(BODY_LIMIT).table().to_vec()
}

/// Staff pages and downloads (contact data, evidence, exports) are never kept by a
/// browser or proxy cache (ASVS 8.2.1).
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves until `shutdown` resolves, finishing the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    serve_router(listener, router(state), store, shutdown).await
}

/// Serves every entity of the deployment (see [`platform`]) until `shutdown` resolves.
pub async fn serve_platform(
    listener: tokio::net::TcpListener,
    platform: platform::Platform,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = platform.store().clone();
    let router = match platform.metrics() {
        Some(m) => platform
            .router()
            .layer(middleware::from_fn_with_state(m, metrics::record)),
        None => platform.router(),
    };
    serve_router(listener, router, store, shutdown).await
}

async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    purge: Store,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = purge.sessions_purge_expired().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod guard_tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_staff_route_that_forgets_the_user_is_still_not_public() {
        let db = participa_store::testing::sqlite();
        let store = Store::connect(&db.url).await.unwrap();
        let state = AppState::new(store, Config::default());
        for path in ["/admin/olvido", "/admin/olvido/"] {
            let request = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            // A handler that asks for no CurrentUser.
            let routes = pages::routing::Routes::staff().get("/olvido", || async { "secreto" });
            let response = site(routes, state.clone()).oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            let back = format!("/ingresar?siguiente={}", error::encode_query(path));
            assert_eq!(response.headers()[header::LOCATION], back.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{effective_client, is_web_address};

    #[test]
    fn only_web_addresses_go_in_a_link() {
        assert!(is_web_address("https://www.cajahonor.gov.co/politica"));
        assert!(is_web_address("http://intranet/politica"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "ftp://x",
            "https://a b",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }

    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.2")];
        // Not behind the proxy: the header is anyone's to forge.
        assert_eq!(
            effective_client(ip("198.51.100.7"), Some("203.0.113.5"), &proxy),
            ip("198.51.100.7")
        );
        // Behind it: the address the proxy appended.
        assert_eq!(
            effective_client(ip("10.0.0.2"), Some("203.0.113.5"), &proxy),
            ip("203.0.113.5")
        );
        // A forged left part does not help: the right-most untrusted hop counts.
        assert_eq!(
            effective_client(ip("10.0.0.2"), Some("1.2.3.4, 203.0.113.5"), &proxy),
            ip("203.0.113.5")
        );
        // Two trusted proxies in a row.
        let two = [ip("10.0.0.2"), ip("10.0.0.3")];
        assert_eq!(
            effective_client(ip("10.0.0.2"), Some("203.0.113.5, 10.0.0.3"), &two),
            ip("203.0.113.5")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(
            effective_client(ip("10.0.0.2"), None, &proxy),
            ip("10.0.0.2")
        );
        assert_eq!(
            effective_client(ip("10.0.0.2"), Some("not-an-ip"), &proxy),
            ip("10.0.0.2")
        );
    }
}
