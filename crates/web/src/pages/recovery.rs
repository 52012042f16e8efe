//! A forgotten password (public pages under `/ingresar/recuperar`): a user with an
//! e-mail asks for a link from the sign-in page, and the link sets a new password once,
//! for a short time (`recovery_minutes`, 30 by default).
//!
//! - The answer to a request is the same whether or not the name or address belongs to
//!   anyone, and so is its status.
//! - Requests are counted by the asker's address only ([`crate::throttle`]); links sent
//!   to one account are capped per window, silently, and a new request never voids the
//!   links already sent, so a stranger asking for a staff member's link over and over
//!   neither locks that person out nor takes away the link in their mailbox. The
//!   sign-in counts are not touched.
//! - The token is 32 random bytes; the database keeps only its SHA-256. The e-mail goes
//!   through the outbox to the address alone, and the outbox erases its text (the only
//!   copy of the link) once it is sent or given up. Without a mail server (`mail`
//!   off) no link is issued, and the page says to ask the administrator.
//! - Using the link sets the password (the same strength rules as the change form),
//!   ends every session of the user, voids the user's other links and is audited.

use crate::error::AppResult;
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::views::{Layout, RecoveryRequestPage, RecoveryResetPage};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use participa_app::accounts::{hash_password, password_problem};
use participa_domain::account::{link_expiry, LinkState};
use participa_store::{Actor, AuditAction, Change, Recovery, RecoveryAccount};

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::public()
        .get("/ingresar/recuperar", request_form)
        .post("/ingresar/recuperar", request_link)
        .get("/ingresar/recuperar/{token}", reset_form)
        .post("/ingresar/recuperar/{token}", reset)
}

const TITLE: &str = "Recuperar la contraseña";

/// What a link that leads nowhere says.
const UNKNOWN_LINK: &str = "Este enlace para recuperar la contraseña no es válido: puede que esté incompleto (copie la dirección completa del correo) o que sea muy antiguo. Pida otro enlace desde la página de ingreso.";

fn request_page(
    state: &AppState,
    who: String,
    sent: bool,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = RecoveryRequestPage {
        layout: Layout::public(TITLE.into(), state),
        who,
        sent,
        minutes: state.recovery_minutes,
        available: state.mail,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn request_form(State(state): State<AppState>) -> AppResult<Response> {
    request_page(&state, String::new(), false, FieldErrors::new())
}

pub async fn request_link(
    State(state): State<AppState>,
    address: crate::ClientAddress,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    let who = form.get("usuario").trim().to_string();
    if who.is_empty() {
        let mut errors = FieldErrors::new();
        errors.insert(
            "usuario",
            "Escriba su usuario o el correo electrónico registrado en su cuenta.".into(),
        );
        return request_page(&state, who, false, errors);
    }
    // Without a mail server no link can reach anyone: nothing is issued (the page says
    // so, whoever is named).
    if !state.mail {
        return request_page(&state, who, false, FieldErrors::new());
    }
    // Counted before anything is looked up: a refusal says nothing about the name.
    state
        .throttle
        .take_recovery_request(&state, address.0.as_deref())
        .await?;
    let base = public_base(&state, &headers);
    for account in state.store.recovery_accounts(&who).await? {
        send_link(&state, &account, &base, address.0.clone()).await?;
    }
    request_page(&state, who, true, FieldErrors::new())
}

/// Sends `account` a new link, unless it was sent its share of links in this window
/// (then nothing is sent and nothing said: the answer is the same either way).
async fn send_link(
    state: &AppState,
    account: &RecoveryAccount,
    base: &str,
    address: Option<String>,
) -> AppResult<()> {
    let quota = state.throttle.recovery_link_quota(account.id);
    if let participa_store::Attempt::Refused { .. } = state
        .store
        .take_attempt(std::slice::from_ref(&quota), state.throttle.window)
        .await?
    {
        tracing::info!(
            user = account.id,
            "recovery link not sent: enough were sent in this window"
        );
        return Ok(());
    }
    let token = participa_store::random_token()?;
    let now = Utc::now();
    let expires = link_expiry(now, state.recovery_minutes);
    let link = format!("{base}/ingresar/recuperar/{token}");
    let mail = recovery_mail(&state.entity, account, &link, expires);
    let actor = Actor {
        user_id: Some(account.id),
        username: account.username.clone(),
        address,
    };
    state
        .store
        .issue_recovery(
            account.id,
            &token,
            now,
            expires,
            &mail,
            &Change {
                actor: &actor,
                action: AuditAction::PasswordRecoveryRequest,
                plan_id: None,
                subject: format!("usuario {}", account.username),
                before: None,
                after: Some(format!("enlace enviado a {}", account.email)),
            },
        )
        .await?;
    Ok(())
}

/// The e-mail with the link: who asked for what, until when, and what to do if it was
/// not them.
pub fn recovery_mail(
    entity: &str,
    account: &RecoveryAccount,
    link: &str,
    expires: chrono::DateTime<Utc>,
) -> participa_store::RecoveryMail {
    let until = participa_app::dates::in_colombia(expires).format("%H:%M");
    participa_store::RecoveryMail {
        to: account.email.clone(),
        name: account.full_name.clone(),
        subject: format!("Participa · {entity}: recuperar su contraseña"),
        body: format!(
            "Se pidió recuperar la contraseña del usuario «{user}» en Participa ({entity}).\n\n\
             Para elegir una contraseña nueva, abra este enlace antes de las {until} (hora de Colombia). Sirve una sola vez:\n\n\
             {link}\n\n\
             Al cambiarla se cierran todas las sesiones abiertas con su usuario.\n\n\
             Si usted no lo pidió, ignore este correo: su contraseña no cambia.\n",
            user = account.username,
        ),
    }
}

/// Where the links in e-mails point: the configured public address of the platform, or
/// else this request's own host (with `https` behind secure cookies).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:8080");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A token as we make them (64 hex digits); anything else is no link of ours.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn reset_page(
    state: &AppState,
    status: StatusCode,
    username: String,
    problem: Option<&str>,
    done: bool,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = RecoveryResetPage {
        layout: Layout::public(TITLE.into(), state),
        username,
        problem: problem.map(String::from),
        done,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The page of a link that cannot be used, saying why.
fn refused(state: &AppState, problem: &str, status: StatusCode) -> AppResult<Response> {
    reset_page(
        state,
        status,
        String::new(),
        Some(problem),
        false,
        FieldErrors::new(),
    )
}

pub async fn reset_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let link = match well_formed(&token) {
        true => state.store.recovery_link(&token, Utc::now()).await?,
        false => None,
    };
    match link {
        None => refused(&state, UNKNOWN_LINK, StatusCode::NOT_FOUND),
        Some(l) => match l.state.problem() {
            Some(p) => refused(&state, p, StatusCode::GONE),
            None => reset_page(
                &state,
                StatusCode::OK,
                l.username,
                None,
                false,
                FieldErrors::new(),
            ),
        },
    }
}

pub async fn reset(
    State(state): State<AppState>,
    address: crate::ClientAddress,
    Path(token): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let now = Utc::now();
    let link = match well_formed(&token) {
        true => state.store.recovery_link(&token, now).await?,
        false => None,
    };
    let Some(link) = link else {
        return refused(&state, UNKNOWN_LINK, StatusCode::NOT_FOUND);
    };
    if let Some(p) = link.state.problem() {
        return refused(&state, p, StatusCode::GONE);
    }
    let new = form.get("nueva").to_string();
    let repeat = form.get("repetir").to_string();
    let mut errors = FieldErrors::new();
    if let Some(p) = password_problem(&new, &link.username, &state.entity) {
        errors.insert("nueva", p);
    } else if new != repeat {
        errors.insert(
            "repetir",
            "Las dos contraseñas nuevas no coinciden.".to_string(),
        );
    } else if let Some((_, hash)) = state.store.user_for_login(&link.username).await? {
        if crate::auth::verify_password(new.clone(), hash).await {
            errors.insert(
                "nueva",
                "La contraseña nueva debe ser distinta de la anterior.".to_string(),
            );
        }
    }
    if !errors.is_empty() {
        return reset_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            link.username,
            None,
            false,
            errors,
        );
    }
    let hash = hash_password(new).await?;
    match state
        .store
        .recover_password(&token, &hash, now, address.0)
        .await?
    {
        Recovery::Done { username, .. } => reset_page(
            &state,
            StatusCode::OK,
            username,
            None,
            true,
            FieldErrors::new(),
        ),
        Recovery::Refused(s) => refused(
            &state,
            s.problem()
                .unwrap_or(LinkState::Used.problem().unwrap_or_default()),
            StatusCode::GONE,
        ),
        Recovery::Unknown => refused(&state, UNKNOWN_LINK, StatusCode::NOT_FOUND),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_tokens_are_looked_up() {
        assert!(well_formed(&"a1".repeat(32)));
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"zz".repeat(32)));
        assert!(!well_formed(&"a1".repeat(33)));
    }

    #[test]
    fn the_mail_names_the_user_the_link_and_its_end() {
        let account = RecoveryAccount {
            id: 1,
            username: "ana".into(),
            full_name: "Ana Pérez".into(),
            email: "ana@entidad.gov.co".into(),
        };
        let expires = chrono::DateTime::parse_from_rfc3339("2025-04-30T22:47:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mail = recovery_mail(
            "Caja Honor",
            &account,
            "http://x/ingresar/recuperar/t",
            expires,
        );
        assert_eq!(mail.to, "ana@entidad.gov.co");
        assert!(mail.body.contains("«ana»"));
        assert!(mail.body.contains("http://x/ingresar/recuperar/t"));
        assert!(mail.body.contains("antes de las 17:47 (hora de Colombia)"));
        assert!(mail.body.contains("Si usted no lo pidió"));
    }
}
