//! Signing in and out, the signed-in user, passwords and the throttle on failed logins.

use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::form::FormData;
use crate::views::{Layout, LoginPage, PasswordPage};
use crate::{client_address, AppState};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::accounts::{hash_password, password_problem};
pub use participa_app::accounts::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use participa_domain::{allows, Action, Actor as Permissions, PasswordOrigin};
use participa_store::{Actor, AuditAction, Change, User};
use tower_sessions::Session;

use crate::session_store::keys;

const USER_KEY: &str = keys::USER;
/// The user's `session_epoch` when the session was opened (see [`CurrentUser`]).
const EPOCH_KEY: &str = keys::EPOCH;

/// Where a user whose password must be changed is sent, whatever staff page they ask
/// for (see [`require_sign_in`]).
pub const PASSWORD_PAGE: &str = "/admin/cuenta/clave";

/// How often, at most, a session's «last seen» moment is written: each write is a
/// database write, and the account page needs no finer time.
const SEEN_EVERY_SECONDS: i64 = 300;

/// The longest `User-Agent` kept with a session.
const MAX_AGENT_CHARS: usize = 300;

/// The signed-in, active staff member.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub address: Option<String>,
    /// How many of the user's notifications are unread (shown in the navigation).
    pub unread: i64,
    /// How many items wait in the user's "Mis pendientes", counted by the sign-in guard
    /// for the pages it renders (GET); None otherwise.
    pub pending: Option<usize>,
    /// The user's session, where [`CurrentUser::flash`] keeps a message for the next page.
    pub session: Session,
    /// The confirmation message of the previous action, shown at the top of this page
    /// (see [`crate::flash`]).
    pub flash: Option<String>,
}

impl CurrentUser {
    pub fn permissions(&self) -> Permissions {
        Permissions {
            role: self.user.role,
            offices: self.user.offices.clone(),
        }
    }

    pub fn can(&self, action: Action<'_>) -> bool {
        allows(Some(&self.permissions()), action)
    }

    /// Refuses with 403 unless the user may do `action`.
    pub fn require(&self, action: Action<'_>) -> AppResult<()> {
        if self.can(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The audit log's view of this user.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
            address: self.address.clone(),
        }
    }

    pub fn layout(&self, title: impl Into<String>, state: &AppState) -> Layout {
        Layout::staff(title.into(), state, self)
    }

    /// Shows `message` at the top of the next page this user opens (after a redirect).
    pub async fn flash(&self, message: impl Into<String>) -> AppResult<()> {
        crate::flash::set(&self.session, message).await
    }
}

/// Sign-in (public) and the account's own password (staff).
pub fn routes() -> crate::pages::routing::Routes {
    use crate::pages::routing::Routes;
    Routes::public()
        .get("/ingresar", login_form)
        .post("/ingresar", login)
        .post("/salir", logout)
        .merge(
            Routes::staff()
                .get("/cuenta/clave", password_form)
                .post("/cuenta/clave", change_password),
        )
}

/// The guard every `/admin` route passes: an anonymous visitor (or a deactivated user)
/// is sent to the sign-in page before any handler runs, so a handler that forgot to ask
/// for a [`CurrentUser`] is still not public. A user whose password must be changed (it
/// was generated, and someone else saw it) is sent to the change form from every other
/// staff page, whatever the method. The user found is handed to the handler, and the
/// session's «last seen» moment is brought up to date every few minutes.
pub async fn require_sign_in(
    State(state): State<AppState>,
    mut user: CurrentUser,
    session: Session,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or(request.uri(), |o| &o.0)
        .clone();
    if user.user.must_change_password && !open_before_password_change(path.path()) {
        let back = path
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/admin".into());
        return Redirect::to(&password_page_then(&back)).into_response();
    }
    let now = chrono::Utc::now().timestamp();
    let seen: Option<i64> = session.get(keys::SEEN).await.ok().flatten();
    if seen.is_none_or(|s| now - s >= SEEN_EVERY_SECONDS || s > now) {
        // Also keeps an active session from expiring after 8 hours of use.
        if let Err(e) = session.insert(keys::SEEN, now).await {
            tracing::warn!("could not note when the session was seen: {e}");
        }
    }
    if request.method() == axum::http::Method::GET {
        user.pending = pending_count(&state, &user).await;
    }
    request.extensions_mut().insert(user);
    next.run(request).await
}

/// How long a count of «Mis pendientes» is shown before it is made again, unless the
/// entity's audit log moved or this server answered a write meanwhile (then at once,
/// so whoever acted sees the number move on the next page, and a change made through
/// another server shows too). What is not audited (a citizen's forum comment waiting
/// for moderation) shows within this time. Counting reads every plan's follow-up: most
/// of a staff page's cost, paid at most once in this time per user rather than on
/// every page.
pub const PENDING_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// The most users whose counts are kept; past it the kept counts start over.
const PENDING_KEPT: usize = 10_000;

/// A count of «Mis pendientes» and what it was made under.
#[derive(Clone)]
pub struct PendingCount {
    made: std::time::Instant,
    /// Claimed by the one request that counts again once the count is only old: the
    /// user's other requests meanwhile show this one.
    refreshing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    change: i64,
    writes: u64,
    day: chrono::NaiveDate,
    permissions: Permissions,
    count: usize,
}

/// The number shown next to "Mis pendientes" in the navigation (the page itself always
/// counts afresh). A failure to count is logged and shows no number: the page itself
/// still answers.
async fn pending_count(state: &AppState, user: &CurrentUser) -> Option<usize> {
    use std::sync::atomic::Ordering;
    let today = participa_app::dates::today();
    let writes = state.writes.load(Ordering::Acquire);
    let change = match state.last_change().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("reading the latest change: {e}");
            return None;
        }
    };
    let permissions = user.permissions();
    let kept = state
        .pending_counts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&user.user.id)
        .cloned();
    if let Some(k) = kept.filter(|k| {
        k.writes == writes && k.change == change && k.day == today && k.permissions == permissions
    }) {
        let old = k.made.elapsed() >= PENDING_FRESH_FOR;
        if !old || k.refreshing.swap(true, Ordering::AcqRel) {
            return Some(k.count);
        }
    }
    match participa_app::inbox::inbox(&state.store, &permissions, today).await {
        Ok(items) => {
            keep_pending_count(state, user, change, writes, today, items.len());
            Some(items.len())
        }
        Err(e) => {
            tracing::warn!("counting the pending items of {}: {e}", user.user.username);
            None
        }
    }
}

/// Keeps `count` as `user`'s «Mis pendientes», made under `change` and `writes` on
/// `today` (the home page, which counts afresh, keeps its count for the other pages).
pub(crate) fn keep_pending_count(
    state: &AppState,
    user: &CurrentUser,
    change: i64,
    writes: u64,
    today: chrono::NaiveDate,
    count: usize,
) {
    let mut counts = state
        .pending_counts
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if counts.len() >= PENDING_KEPT {
        counts.clear();
    }
    counts.insert(
        user.user.id,
        PendingCount {
            made: std::time::Instant::now(),
            refreshing: Default::default(),
            change,
            writes,
            day: today,
            permissions: user.permissions(),
            count,
        },
    );
}

/// The staff pages a user whose password must be changed may open: the change form.
fn open_before_password_change(path: &str) -> bool {
    path.trim_end_matches('/') == PASSWORD_PAGE
}

/// The change form, going back to `back` (a local path) once the password is changed.
fn password_page_then(back: &str) -> String {
    let back = safe_next(Some(back));
    if open_before_password_change(&back) {
        return PASSWORD_PAGE.to_string();
    }
    format!(
        "{PASSWORD_PAGE}?siguiente={}",
        crate::error::encode_query(&back)
    )
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        // Already looked up by the sign-in guard of this request.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(&parts.uri, |o| &o.0);
        let next = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/admin".into());
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| AppError::Internal(m.to_string()))?;
        let uid: Option<i64> = session
            .get(USER_KEY)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let Some(uid) = uid else {
            return Err(AppError::SignIn(next));
        };
        // A session opened before the user's password last changed has ended.
        let epoch: i64 = session
            .get(EPOCH_KEY)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .unwrap_or(0);
        match state.store.user(uid).await? {
            Some(user) if user.active && user.session_epoch == epoch => Ok(CurrentUser {
                unread: state.store.unread_notifications(user.id).await?,
                user,
                address: client_address(parts, state),
                pending: None,
                flash: crate::flash::take(parts, &session).await?,
                session,
            }),
            _ => {
                session
                    .flush()
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                Err(AppError::SignIn(next))
            }
        }
    }
}

/// A hash to verify against when a user name does not exist: one for the process, made
/// at the first such sign-in. (Made with every entity's site, it cost each one an
/// Argon2 computation and its 19 MiB before anyone signed in.)
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            participa_app::accounts::hash_password(participa_app::accounts::random_password())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

/// See [`participa_app::accounts::verify_password`]: at most a few at once.
pub async fn verify_password(password: String, hash: String) -> bool {
    participa_app::accounts::verify_password(password, hash).await
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    siguiente: Option<String>,
}

/// Where a staff member lands after signing in when no page asked for it: "Mis
/// pendientes".
pub const STAFF_HOME: &str = "/admin";

/// Only a local path is a valid place to go back to.
/// Where to go after signing in: a path on this site, or the staff home. Browsers drop
/// tabs and newlines inside a URL and read `\\` as `/`, so `/\t/other-host` would leave
/// the site: a path with any control character, space, backslash or `//` is refused, as
/// is one too long to be a page of ours.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && n.len() <= 2000
                && !n.contains("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.into()
        }
        _ => STAFF_HOME.into(),
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> AppResult<Html<String>> {
    let page = LoginPage {
        layout: Layout::public("Ingresar".into(), &state),
        next: safe_next(q.siguiente.as_deref()),
        username: String::new(),
        error: None,
    };
    Ok(Html(page.render()?))
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    parts: crate::ClientAddress,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    let username = form.get("usuario").trim().to_string();
    let password = form.get("clave").to_string();
    let next = safe_next(Some(form.get("siguiente")));
    let address = parts.0;
    let refuse = |message: &str| -> AppResult<Response> {
        let page = LoginPage {
            layout: Layout::public("Ingresar".into(), &state),
            next: next.clone(),
            username: username.clone(),
            error: Some(message.to_string()),
        };
        Ok((axum::http::StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response())
    };
    // A browser where this user signed in before is counted apart from strangers. The
    // quotas are chosen, and the attempt counted, before the account is looked up: a
    // refused attempt costs the same whether the name exists or not.
    let token = crate::throttle::device_token(&headers);
    let device = match &token {
        Some(t) => state.store.trusted_device_user(t).await?,
        None => None,
    };
    let remembered = match (device, &token) {
        (Some((owner, name)), Some(t)) if name.to_lowercase() == username.to_lowercase() => {
            Some((owner, t.as_str()))
        }
        _ => None,
    };
    let quotas = state
        .throttle
        .sign_in_quotas(&username, address.as_deref(), remembered);
    let last_try = state
        .throttle
        .take(&state, &quotas.all(), "de ingreso")
        .await?;
    let found = state.store.user_for_login(&username).await?;
    let ok = match &found {
        Some((user, hash)) => verify_password(password, hash.clone()).await && user.active,
        None => {
            // Same work as a real check, so timing does not tell which names exist.
            verify_password(password, dummy_hash().await).await;
            false
        }
    };
    let actor = Actor {
        user_id: found.as_ref().map(|(u, _)| u.id),
        username: username.clone(),
        address: address.clone(),
    };
    if !ok {
        if let (true, Some((_, t))) = (last_try, remembered) {
            // A remembered browser that used up its attempts is a stranger's from now
            // on: a stolen cookie gives a few guesses in all, not a few per window.
            state.store.forget_device(t).await?;
        }
        state
            .store
            .record(&Change {
                actor: &actor,
                action: AuditAction::LoginFailed,
                plan_id: None,
                subject: format!("usuario {username}"),
                before: None,
                after: None,
            })
            .await?;
        return refuse("Usuario o contraseña incorrectos, o usuario inactivo.");
    }
    let (user, _) = found.expect("checked above");
    // The address gets its attempt back, a few times per window per user: an insider
    // alternating their own sign-ins with guesses at other names cannot keep the
    // address's count from filling.
    let refunds = state.throttle.refund_quota(user.id);
    let refund = match state
        .store
        .take_attempt(&[refunds], state.throttle.window)
        .await?
    {
        participa_store::Attempt::Allowed { .. } => quotas.refund.as_slice(),
        participa_store::Attempt::Refused { .. } => &[],
    };
    state
        .store
        .attempt_succeeded(&quotas.forget, refund)
        .await?;
    session
        .cycle_id()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    session
        .insert(EPOCH_KEY, user.session_epoch)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    note_origin(&session, address.as_deref(), &headers).await?;
    state
        .store
        .record(&Change {
            actor: &actor,
            action: AuditAction::Login,
            plan_id: None,
            subject: format!("usuario {}", user.username),
            before: None,
            after: None,
        })
        .await?;
    // A generated password is changed before anything else.
    let to = if user.must_change_password {
        password_page_then(&next)
    } else {
        next.clone()
    };
    let mut response = Redirect::to(&to).into_response();
    match remembered {
        // Used now: the least recently used browsers are the ones forgotten.
        Some((owner, t)) => state.store.trust_device(owner, t).await?,
        None => remember_browser(&state, user.id, &mut response).await?,
    }
    Ok(response)
}

/// Notes in the session when and where it started (the account page lists them).
async fn note_origin(
    session: &Session,
    address: Option<&str>,
    headers: &axum::http::HeaderMap,
) -> AppResult<()> {
    let now = chrono::Utc::now().timestamp();
    let agent: String = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(MAX_AGENT_CHARS)
        .collect();
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    session.insert(keys::STARTED, now).await.map_err(internal)?;
    session.insert(keys::SEEN, now).await.map_err(internal)?;
    session
        .insert(keys::ADDRESS, address.unwrap_or(""))
        .await
        .map_err(internal)?;
    session.insert(keys::AGENT, agent).await.map_err(internal)?;
    Ok(())
}

/// Remembers this browser for `user` (a new token in the `participa_equipo` cookie).
async fn remember_browser(state: &AppState, user: i64, response: &mut Response) -> AppResult<()> {
    let token = crate::throttle::new_device_token()?;
    state.store.trust_device(user, &token).await?;
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        crate::throttle::device_cookie(&token, state.secure_cookies),
    );
    Ok(())
}

pub async fn logout(session: Session) -> AppResult<Redirect> {
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/"))
}

pub async fn password_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ChangeOwnPassword)?;
    let page = PasswordPage {
        layout: user.layout("Cambiar mi contraseña", &state),
        errors: crate::form::FieldErrors::new(),
        done: false,
        forced: user.user.must_change_password,
        next: safe_next(q.siguiente.as_deref()),
    };
    Ok(Html(page.render()?))
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ChangeOwnPassword)?;
    let current = form.get("actual").to_string();
    let current_typed = current.clone();
    let new = form.get("nueva").to_string();
    let repeat = form.get("repetir").to_string();
    let next = safe_next(Some(form.get("siguiente")));
    let mut errors = crate::form::FieldErrors::new();
    let (_, hash) = state
        .store
        .user_for_login(&user.user.username)
        .await?
        .ok_or(AppError::Forbidden)?;
    // Someone at an unattended session must not get unlimited guesses at the password.
    let quota = state.throttle.password_check_quota(user.user.id);
    state
        .throttle
        .take(
            &state,
            std::slice::from_ref(&quota),
            "con la contraseña actual",
        )
        .await?;
    if verify_password(current, hash).await {
        state.store.attempt_succeeded(&[quota], &[]).await?;
    } else {
        errors.insert("actual", "La contraseña actual no es correcta.".to_string());
    }
    if let Some(p) = password_problem(&new, &user.user.username, &state.entity) {
        errors.insert("nueva", p);
    } else if new == current_typed {
        errors.insert(
            "nueva",
            "La contraseña nueva debe ser distinta de la actual.".to_string(),
        );
    } else if new != repeat {
        errors.insert(
            "repetir",
            "Las dos contraseñas nuevas no coinciden.".to_string(),
        );
    }
    if errors.is_empty() {
        let hash = hash_password(new).await?;
        let actor = user.actor();
        let epoch = state
            .store
            .set_password(
                user.user.id,
                &hash,
                PasswordOrigin::Chosen,
                &Change {
                    actor: &actor,
                    action: AuditAction::UserPasswordChange,
                    plan_id: None,
                    subject: format!("usuario {}", user.user.username),
                    before: None,
                    after: None,
                },
            )
            .await?;
        // Every other session of this user has ended; this one goes on, under a new id.
        session
            .cycle_id()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        session
            .insert(EPOCH_KEY, epoch)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let done = errors.is_empty();
    let status = if done {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PasswordPage {
        layout: user.layout("Cambiar mi contraseña", &state),
        errors,
        done,
        forced: user.user.must_change_password,
        next,
    };
    let mut response = (status, Html(page.render()?)).into_response();
    if done {
        // The change forgot every remembered browser; this one is remembered again.
        remember_browser(&state, user.user.id, &mut response).await?;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use participa_app::accounts::random_password;

    #[test]
    fn random_passwords_are_long_and_differ() {
        let a = random_password();
        assert_eq!(a.len(), 16);
        assert_ne!(a, random_password());
        assert!(password_problem(&a, "admin", "Caja Honor").is_none());
        assert!(password_problem("corta", "admin", "Caja Honor").is_some());
        assert!(password_problem("xxadminxxxxxxx", "admin", "Caja Honor").is_some());
    }

    #[test]
    fn a_pending_password_change_opens_only_its_form_and_comes_back() {
        assert!(open_before_password_change("/admin/cuenta/clave"));
        assert!(open_before_password_change("/admin/cuenta/clave/"));
        for closed in [
            "/admin",
            "/admin/cuenta",
            "/admin/cuenta/sesiones",
            "/admin/planes",
        ] {
            assert!(!open_before_password_change(closed), "{closed}");
        }
        assert_eq!(
            password_page_then("/admin/planes/1?fecha=2025-09-30"),
            "/admin/cuenta/clave?siguiente=%2Fadmin%2Fplanes%2F1%3Ffecha%3D2025-09-30"
        );
        assert_eq!(
            password_page_then("/admin/cuenta/clave"),
            "/admin/cuenta/clave"
        );
        // Never another site, however the page asked for was written.
        assert_eq!(
            password_page_then("//evil.example"),
            "/admin/cuenta/clave?siguiente=%2Fadmin"
        );
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/admin/planes/1")), "/admin/planes/1");
        assert_eq!(safe_next(Some("https://evil.example")), STAFF_HOME);
        assert_eq!(safe_next(Some("//evil.example")), STAFF_HOME);
        assert_eq!(safe_next(None), STAFF_HOME);
    }

    #[test]
    fn no_next_page_leaves_the_site_however_it_is_written() {
        for bad in [
            "/\t/other-host/x",
            "/\n/other-host/x",
            "/\r\n/x",
            "/ /other-host",
            "/\\other-host",
            "/admin//other-host",
            "/\u{7f}/x",
            "/\u{2028}/x",
        ] {
            assert_eq!(safe_next(Some(bad)), STAFF_HOME, "{bad:?}");
        }
        let long = format!("/admin/{}", "a".repeat(3000));
        assert_eq!(safe_next(Some(&long)), STAFF_HOME);
        assert_eq!(
            safe_next(Some("/admin/planes/1/seguimiento?fecha=2025-09-30")),
            "/admin/planes/1/seguimiento?fecha=2025-09-30"
        );
    }
}
