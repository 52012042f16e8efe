//! Many entities on one deployment: each entity is served by a site of its own (its
//! [`AppState`], so its store scoped to it and its page caches, rate limits and session
//! cookie), reached by one of its host names (`participa.entidad.gov.co`) or under
//! `/e/{slug}/` on the shared domain. Everything else reaches the first entity, so a
//! deployment with one entity keeps today's addresses.
//!
//! A site reached under a prefix is the same site: the prefix is taken off before its
//! router sees the request, and put back on what its answer points to (redirects,
//! cookie paths and the links of its HTML pages), so no page has to know where it is
//! mounted. The pages are ours, so the links to rewrite are known: an attribute that
//! holds a path (`href="/…"`, `action="/…"`, `src="/…"`, htmx's `hx-*="/…"`); text a
//! person wrote is escaped and can never contain `="/`.

use crate::{AppState, Config, EntityContact};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use participa_store::{EntityRecord, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The largest HTML page whose links are rewritten (larger answers are not HTML pages).
const REWRITE_LIMIT: usize = 16 * 1024 * 1024;

/// How often the platform checks for new entities and changed settings (an entity
/// another server added is reachable here, and a change of its settings shows, within
/// this time): one small query, whatever the number of entities.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// The deployment: the entities it hosts and a site for each, built on first use.
#[derive(Clone)]
pub struct Platform(Arc<Inner>);

struct Inner {
    store: Store,
    config: Config,
    first: i64,
    sites: RwLock<HashMap<i64, Site>>,
    names: RwLock<Names>,
    /// Raised by a site whose pages changed an entity (see
    /// [`AppState::entities_changed`]).
    changed: Arc<std::sync::atomic::AtomicBool>,
    /// Public answers kept for a moment (see [`crate::answers`]).
    answers: crate::answers::Answers,
}

#[derive(Clone)]
struct Site {
    state: AppState,
    router: Router,
    /// The entity's settings revision the site was built with.
    revision: i64,
}

#[derive(Default)]
struct Names {
    by_slug: HashMap<String, i64>,
    by_host: HashMap<String, i64>,
    /// Each entity's settings revision: a site built at another one is rebuilt.
    revisions: HashMap<i64, i64>,
    /// What [`Store::entities_generation`] said when these were read.
    generation: (i64, i64, i64),
    /// When the generation was last confirmed.
    checked: Option<Instant>,
}

impl Platform {
    /// The platform over `store` (any entity's: the first is served at the root), with
    /// `config` for every site: the deployment's settings, and the first entity's
    /// name, contact and logo where its record has none.
    pub async fn new(store: Store, config: Config) -> Result<Platform, StoreError> {
        let names = read_names(&store).await?;
        let first = names
            .by_slug
            .values()
            .copied()
            .min()
            .unwrap_or_else(|| store.entity_id());
        Ok(Platform(Arc::new(Inner {
            store,
            config,
            first,
            sites: Default::default(),
            names: RwLock::new(names),
            changed: Default::default(),
            answers: Default::default(),
        })))
    }

    /// The operators' metrics, when the deployment was started with them.
    pub fn metrics(&self) -> Option<Arc<crate::metrics::Metrics>> {
        self.0.config.metrics.clone()
    }

    /// The deployment's store (working for the first entity).
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The router of the whole deployment.
    pub fn router(&self) -> Router {
        Router::new().fallback(dispatch).with_state(self.clone())
    }

    /// The first entity's site state (the one the root addresses reach).
    pub async fn first_site(&self) -> Result<AppState, StoreError> {
        Ok(self.site(self.0.first).await?.state)
    }

    /// Brings the names up to date when the entities changed since they were read:
    /// one small query (the generation), and the whole list only when it moved; the
    /// sites of entities whose settings changed are dropped, to be built again.
    async fn refresh(&self) -> Result<(), StoreError> {
        let generation = self.0.store.entities_generation().await?;
        let unchanged = {
            let names = self.0.names.read().unwrap_or_else(|p| p.into_inner());
            names.generation == generation
        };
        if !unchanged {
            let fresh = read_names(&self.0.store).await?;
            let mut sites = self.0.sites.write().unwrap_or_else(|p| p.into_inner());
            sites.retain(|id, site| fresh.revisions.get(id) == Some(&site.revision));
            drop(sites);
            *self.0.names.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        }
        Ok(())
    }

    /// Checks, at most once a second for the whole server (the first request after
    /// the second does it; the others go on), whether entities were added or their
    /// settings changed, as another server may have done.
    async fn keep_fresh(&self) {
        let changed_here = self
            .0
            .changed
            .swap(false, std::sync::atomic::Ordering::AcqRel);
        let stale = |names: &Names| names.checked.is_none_or(|t| t.elapsed() >= RELOAD_EVERY);
        // Most requests find the check not due under the read lock; the write lock is
        // taken only to claim a check (and the second look keeps it to one server-wide).
        let due = changed_here || stale(&self.0.names.read().unwrap_or_else(|p| p.into_inner()));
        let due = due && {
            let mut names = self.0.names.write().unwrap_or_else(|p| p.into_inner());
            let claim = changed_here || stale(&names);
            if claim {
                names.checked = Some(Instant::now());
            }
            claim
        };
        if due {
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "could not read the entities");
            }
        }
    }

    /// Looks a name up in the names as last checked.
    fn lookup(&self, find: impl Fn(&Names) -> Option<i64>) -> Option<i64> {
        let names = self.0.names.read().unwrap_or_else(|p| p.into_inner());
        find(&names)
    }

    /// The site of entity `id`, built the first time it is asked for, and again when
    /// it was built at another revision than the entities last read say (a site built
    /// from a record read just before a refresh is not kept past it).
    async fn site(&self, id: i64) -> Result<Site, StoreError> {
        let current = self
            .0
            .names
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .revisions
            .get(&id)
            .copied();
        if let Some(site) = self
            .0
            .sites
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .filter(|s| current.is_none_or(|r| r <= s.revision))
        {
            return Ok(site.clone());
        }
        let store = self.0.store.for_entity(id);
        let record = store.entity_record().await?;
        let logo = store.entity_logo().await?;
        let config = self.site_config(&record, logo);
        let state = AppState::new(store, config);
        let router = crate::router(state.clone());
        let site = Site {
            state,
            router,
            revision: record.revision,
        };
        let mut sites = self.0.sites.write().unwrap_or_else(|p| p.into_inner());
        let kept = sites.entry(id).or_insert_with(|| site.clone());
        if kept.revision < site.revision {
            *kept = site;
        }
        Ok(kept.clone())
    }

    /// The configuration of an entity's site: the deployment's, with the entity's own
    /// name, contact, policy, colour and logo. The first entity keeps what the server
    /// was started with where its record says nothing, until its admin first saves its
    /// settings on the web (today's one-entity deployments).
    fn site_config(&self, e: &EntityRecord, logo: Option<(Vec<u8>, String)>) -> Config {
        let mut config = self.0.config.clone();
        config.entities_changed = self.0.changed.clone();
        config.asset_version = e.revision;
        let d = &e.data;
        config.colour = d.colour.clone();
        let first = e.id == self.0.first && e.revision == 0;
        // The first entity is named as the server was started (today's one-entity
        // deployments keep the name they show); the others by their record.
        if !first {
            config.entity = d.name.clone();
        }
        let pick = |own: &str, started: &str| {
            if own.is_empty() && first {
                started.to_string()
            } else {
                own.to_string()
            }
        };
        config.contact = EntityContact {
            address: pick(&d.address, &self.0.config.contact.address),
            phone: pick(&d.phone, &self.0.config.contact.phone),
            email: pick(&d.contact_email, &self.0.config.contact.email),
            hours: pick(&d.hours, &self.0.config.contact.hours),
        };
        if d.privacy_policy_url.is_some() || !first {
            config.privacy_policy = d.privacy_policy_url.clone();
        }
        match logo.and_then(|(bytes, kind)| Some((bytes, known_image_type(&kind)?))) {
            Some((bytes, kind)) => config.logo = Some((bytes.into(), kind)),
            None if !first => config.logo = None,
            None => {}
        }
        if e.id != self.0.first {
            config.session_cookie = format!("participa_sesion_{}", d.slug.replace('-', "_"));
            config.public_url = config
                .public_url
                .map(|u| participa_app::outbox::site_address(&u, e));
        }
        config
    }
}

/// The entities' slugs and host names, with the generation they were read at (read
/// first: an entity added meanwhile makes the next check read them again).
async fn read_names(store: &Store) -> Result<Names, StoreError> {
    let generation = store.entities_generation().await?;
    let mut names = Names {
        generation,
        checked: Some(Instant::now()),
        ..Default::default()
    };
    for e in store.entities().await? {
        for host in &e.data.hosts {
            names.by_host.insert(host.clone(), e.id);
        }
        names.revisions.insert(e.id, e.revision);
        names.by_slug.insert(e.data.slug, e.id);
    }
    Ok(names)
}

fn known_image_type(kind: &str) -> Option<&'static str> {
    ["image/png", "image/jpeg", "image/webp"]
        .into_iter()
        .find(|k| *k == kind)
}

/// Sends a request to its entity's site.
async fn dispatch(State(platform): State<Platform>, mut request: Request) -> Response {
    platform.keep_fresh().await;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            h.rsplit_once(':')
                .map_or(h, |(name, _)| name)
                .to_ascii_lowercase()
        });
    let by_host = match &host {
        Some(h) => platform.lookup(|n| n.by_host.get(h.as_str()).copied()),
        None => None,
    };
    let (entity, prefix) = match by_host {
        Some(id) => (id, None),
        None => match slug_of(request.uri().path()) {
            Some(slug) => {
                let slug = slug.to_string();
                match platform.lookup(|n| n.by_slug.get(&slug).copied()) {
                    Some(id) => (id, Some(format!("/e/{slug}"))),
                    // An unknown slug is the first entity's «not found» page.
                    None => (platform.0.first, None),
                }
            }
            None => (platform.0.first, None),
        },
    };
    // Found by the address as asked for (with its prefix), before it is stripped.
    let key = crate::answers::key_of(&request, entity);
    if let Some(prefix) = &prefix {
        if let Some(uri) = strip(request.uri(), prefix) {
            *request.uri_mut() = uri;
        }
        // The site's own router records the address it saw (sign-in's «come back to»).
        request
            .extensions_mut()
            .remove::<axum::extract::OriginalUri>();
    }
    let site = match platform.site(entity).await {
        Ok(site) => site,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    // The same public page asked again a moment later, with no cookie (nobody signed
    // in, nothing of a session): the answer already drawn, unless this site has
    // answered a write since.
    let writes = site.state.writes.load(std::sync::atomic::Ordering::Acquire);
    if let Some(key) = &key {
        if let Some(kept) = platform.0.answers.fresh(key, writes, site.revision) {
            return kept;
        }
    }
    let response = match site.router.oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let response = match prefix {
        Some(prefix) => under_prefix(response, &prefix).await,
        None => response,
    };
    match key {
        Some(key) => {
            platform
                .0
                .answers
                .keep(key, response, writes, site.revision)
                .await
        }
        None => response,
    }
}

/// The slug of an address under `/e/{slug}`.
fn slug_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/e/")?;
    let slug = rest.split('/').next()?;
    (!slug.is_empty()).then_some(slug)
}

/// `uri` without `prefix` (`/e/x/admin?a=1` → `/admin?a=1`, `/e/x` → `/`).
fn strip(uri: &Uri, prefix: &str) -> Option<Uri> {
    let path = uri.path().strip_prefix(prefix)?;
    let path = if path.is_empty() { "/" } else { path };
    let pq = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    pq.parse().ok()
}

/// An answer of a site reached under `prefix`, pointing under it again.
async fn under_prefix(response: Response, prefix: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(location) = parts
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| prefixed_path(l, prefix))
        .and_then(|l| HeaderValue::from_str(&l).ok())
    {
        parts.headers.insert(header::LOCATION, location);
    }
    let cookies: Vec<HeaderValue> = parts
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| {
            v.to_str()
                .ok()
                .map(|c| cookie_under(c, prefix))
                .and_then(|c| HeaderValue::from_str(&c).ok())
                .unwrap_or_else(|| v.clone())
        })
        .collect();
    if !cookies.is_empty() {
        parts.headers.remove(header::SET_COOKIE);
        for c in cookies {
            parts.headers.append(header::SET_COOKIE, c);
        }
    }
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, REWRITE_LIMIT).await {
        Ok(b) => b,
        Err(_) => return crate::error::AppError::NotFound.into_response(),
    };
    let page = match std::str::from_utf8(&bytes) {
        Ok(text) => prefix_links(text, prefix).into_bytes(),
        Err(_) => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// A site path (`/…`, not `//…`) under `prefix`; None for anything else.
fn prefixed_path(location: &str, prefix: &str) -> Option<String> {
    (location.starts_with('/') && !location.starts_with("//"))
        .then(|| format!("{prefix}{location}"))
}

/// A `Set-Cookie` value whose `Path=/…` is put under `prefix`.
fn cookie_under(cookie: &str, prefix: &str) -> String {
    cookie
        .split(';')
        .map(|attr| {
            let trimmed = attr.trim_start();
            match trimmed.strip_prefix("Path=") {
                Some("/") => format!(" Path={prefix}"),
                Some(p) if p.starts_with('/') => format!(" Path={prefix}{p}"),
                _ => attr.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The attributes of our pages that hold a site path.
const LINK_ATTRIBUTES: [&str; 9] = [
    "href",
    "action",
    "src",
    "formaction",
    "hx-get",
    "hx-post",
    "hx-put",
    "hx-delete",
    "hx-patch",
];

/// `html` with every site path in a link attribute (`href="/x"`) put under `prefix`.
pub(crate) fn prefix_links(html: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(at) = rest.find("=\"/") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let attribute = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default();
        let is_link = LINK_ATTRIBUTES.contains(&attribute);
        // `after` is `="/…`; a `//` is another site's address, and `/e/…` already
        // names an entity's site of the platform (the platform's list of entities).
        let is_site_path = !after[3..].starts_with('/') && !after[3..].starts_with("e/");
        out.push_str("=\"");
        if is_link && is_site_path {
            out.push_str(prefix);
        }
        rest = &after[2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_redirects_and_cookies_are_put_under_the_prefix() {
        let page = r#"<a href="/planes/1">x</a><form action="/admin/x" method="post"><img src="/static/logo" alt=""><a href="//otro.gov.co/">y</a><a href="https://a.gov.co/">z</a><div data-note="/no"><a href="/e/boyaca/">w</a>"#;
        assert_eq!(
            prefix_links(page, "/e/tunja"),
            r#"<a href="/e/tunja/planes/1">x</a><form action="/e/tunja/admin/x" method="post"><img src="/e/tunja/static/logo" alt=""><a href="//otro.gov.co/">y</a><a href="https://a.gov.co/">z</a><div data-note="/no"><a href="/e/boyaca/">w</a>"#
        );
        assert_eq!(
            prefixed_path("/admin?a=1", "/e/t").as_deref(),
            Some("/e/t/admin?a=1")
        );
        assert_eq!(prefixed_path("//x.gov.co/", "/e/t"), None);
        assert_eq!(prefixed_path("https://x/", "/e/t"), None);
        assert_eq!(
            cookie_under("s=1; Path=/; HttpOnly", "/e/t"),
            "s=1; Path=/e/t; HttpOnly"
        );
        assert_eq!(
            cookie_under("d=2; Path=/ingresar; Max-Age=3", "/e/t"),
            "d=2; Path=/e/t/ingresar; Max-Age=3"
        );
    }

    #[test]
    fn the_prefix_is_taken_off_the_address() {
        let uri: Uri = "/e/tunja/admin/planes?x=1".parse().unwrap();
        assert_eq!(slug_of(uri.path()), Some("tunja"));
        assert_eq!(strip(&uri, "/e/tunja").unwrap(), "/admin/planes?x=1");
        let root: Uri = "/e/tunja".parse().unwrap();
        assert_eq!(strip(&root, "/e/tunja").unwrap(), "/");
        assert_eq!(slug_of("/e/"), None);
        assert_eq!(slug_of("/planes"), None);
    }
}
