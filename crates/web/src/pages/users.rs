//! Account management by the admin: create, edit role and offices, deactivate, reset
//! a password (shown once). A password generated here must be changed by its user at
//! the first sign-in. After a save the admin lands on the user list (a reload repeats
//! nothing), with the confirmation — and a generated password, shown once — taken from
//! the session as it is shown.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::views::{OfficeChoice, UserFormPage, UserRow, UsersPage};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::accounts::{hash_password, random_password};
use participa_domain::{Action, OfficeCode, PasswordOrigin, Role};
use participa_store::{Change, StoreError, User, UserData};
use tower_sessions::Session;

/// The session key of the user list's one-time notice (see [`Notice`]).
const NOTICE_KEY: &str = "usuarios_aviso";

/// What the user list says once after a save: what was done, and a generated password
/// (user name, password) when there is one. Kept in the server-side session between the
/// POST and the list's GET, and removed as it is shown.
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    message: String,
    password: Option<(String, String)>,
}

async fn leave_notice(session: &Session, notice: Notice) -> AppResult<Response> {
    session
        .insert(NOTICE_KEY, notice)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/admin/usuarios").into_response())
}

type Errors = FieldErrors;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/usuarios", list)
        .get("/usuarios/nuevo", new_form)
        .post("/usuarios/nuevo", create)
        .get("/usuarios/{id}", edit_form)
        .post("/usuarios/{id}", update)
        .post("/usuarios/{id}/clave", reset_password)
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> AppResult<Html<String>> {
    user.require(Action::ManageUsers)?;
    let notice: Option<Notice> = session
        .remove(NOTICE_KEY)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let users = state.store.users().await?;
    let (message, new_password) = match notice {
        Some(n) => (Some(n.message), n.password),
        None => (None, None),
    };
    let page = UsersPage {
        layout: user.layout("Usuarios", &state),
        users: users.iter().map(UserRow::new).collect(),
        message,
        new_password,
    };
    Ok(Html(page.render()?))
}

fn describe(u: &UserData) -> String {
    serde_json::json!({
        "usuario": u.username,
        "nombre": u.full_name,
        "rol": u.role.as_str(),
        "activo": u.active,
        "dependencias": u.offices.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        "correo": u.email,
        "cargo": u.position,
    })
    .to_string()
}

fn data_of(u: &User) -> UserData {
    UserData {
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        role: u.role,
        active: u.active,
        offices: u.offices.clone(),
        email: u.email.clone(),
        position: u.position.clone(),
    }
}

/// The offices the form sends: the ticked choices and any codes written in «otras»
/// (each value may hold several, separated by commas), in that order.
fn office_texts(form: &FormData) -> Vec<String> {
    form.all("dependencias")
        .into_iter()
        .chain(std::iter::once(form.get("otras_dependencias")))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The form's account, or errors by field; with the offices as sent, to show again.
fn parse(form: &FormData, username: &str) -> (Result<UserData, Errors>, Vec<String>) {
    let mut errors = Errors::new();
    let offices_text = office_texts(form);
    let username = crate::form::username_of(username, &mut errors);
    let full_name = form.get("nombre").trim().to_string();
    if full_name.is_empty() {
        errors.insert("nombre", "Escriba el nombre completo.".into());
    }
    let role = Role::parse(form.get("rol")).unwrap_or(Role::Reporter);
    let mut offices = Vec::new();
    for part in &offices_text {
        match OfficeCode::parse(part) {
            // An office written twice ("ARCOM, ARCOM") counts once.
            Ok(c) if offices.contains(&c) => {}
            Ok(c) => offices.push(c),
            Err(e) => {
                errors.insert("dependencias", format!("«{part}»: {e}"));
            }
        }
    }
    if role == Role::Reporter && offices.is_empty() && !errors.contains_key("dependencias") {
        errors.insert(
            "dependencias",
            "Un responsable de dependencia necesita al menos una dependencia: marque la suya en la lista."
                .into(),
        );
    }
    if role != Role::Reporter {
        offices.clear();
    }
    let email = crate::form::email_of(form.get("correo"), "correo", &mut errors);
    let data = UserData {
        username,
        full_name,
        role,
        active: form.get("activo") == "si",
        offices,
        email,
        position: form.get("cargo").trim().to_string(),
    };
    (
        if errors.is_empty() {
            Ok(data)
        } else {
            Err(errors)
        },
        offices_text,
    )
}

/// The plans' offices as choices, ticked when in `chosen`; a chosen code no plan names
/// is offered too (ticked), and codes that are not codes at all go back to «otras».
async fn office_choices(
    state: &AppState,
    chosen: &[String],
) -> AppResult<(Vec<OfficeChoice>, String)> {
    let mut choices: Vec<OfficeChoice> = state
        .store
        .office_choices()
        .await?
        .into_iter()
        .map(|(code, name)| OfficeChoice {
            checked: chosen.iter().any(|c| c.eq_ignore_ascii_case(code.as_str())),
            code: code.as_str().to_string(),
            name,
        })
        .collect();
    let mut others = Vec::new();
    for c in chosen {
        if choices.iter().any(|o| o.code.eq_ignore_ascii_case(c)) {
            continue;
        }
        match OfficeCode::parse(c) {
            Ok(code) => choices.push(OfficeChoice {
                code: code.as_str().to_string(),
                name: "no figura en ningún plan".into(),
                checked: true,
            }),
            Err(_) => others.push(c.clone()),
        }
    }
    Ok((choices, others.join(", ")))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    user_id: Option<i64>,
    data: &UserData,
    offices: Vec<String>,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let (offices, other_offices) = office_choices(state, &offices).await?;
    let page = UserFormPage {
        layout: user.layout(
            if user_id.is_some() {
                "Editar usuario"
            } else {
                "Nuevo usuario"
            },
            state,
        ),
        user_id,
        username: data.username.clone(),
        full_name: data.full_name.clone(),
        roles: UserFormPage::role_choices(Some(data.role)),
        offices,
        other_offices,
        email: data.email.clone().unwrap_or_default(),
        position: data.position.clone(),
        active: data.active,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ManageUsers)?;
    let data = UserData {
        username: String::new(),
        full_name: String::new(),
        role: Role::Reporter,
        active: true,
        offices: vec![],
        email: None,
        position: String::new(),
    };
    form_page(&state, &user, None, &data, Vec::new(), Errors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageUsers)?;
    let (parsed, offices) = parse(&form, form.get("usuario"));
    let data = match parsed {
        Ok(d) => d,
        Err(errors) => {
            let typed = UserData {
                username: form.get("usuario").into(),
                full_name: form.get("nombre").into(),
                role: Role::parse(form.get("rol")).unwrap_or(Role::Reporter),
                active: form.get("activo") == "si",
                offices: vec![],
                email: Some(form.get("correo").to_string()),
                position: form.get("cargo").trim().to_string(),
            };
            return form_page(&state, &user, None, &typed, offices, errors).await;
        }
    };
    let password = random_password();
    let hash = hash_password(password.clone()).await?;
    let actor = user.actor();
    let created = state
        .store
        .create_user(
            &data,
            &hash,
            PasswordOrigin::Temporary,
            &Change {
                actor: &actor,
                action: participa_store::AuditAction::UserCreate,
                plan_id: None,
                subject: format!("usuario {}", data.username),
                before: None,
                after: Some(describe(&data)),
            },
        )
        .await;
    match created {
        Ok(_) => {
            leave_notice(
                &session,
                Notice {
                    message: format!("Se creó el usuario «{}».", data.username),
                    password: Some((data.username, password)),
                },
            )
            .await
        }
        Err(StoreError::UsernameTaken(name)) => {
            let mut errors = Errors::new();
            errors.insert("usuario", format!("El usuario «{name}» ya existe."));
            form_page(&state, &user, None, &data, offices, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageUsers)?;
    let target = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let offices = target
        .offices
        .iter()
        .map(|o| o.as_str().to_string())
        .collect();
    form_page(
        &state,
        &user,
        Some(id),
        &data_of(&target),
        offices,
        Errors::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageUsers)?;
    let target = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let (parsed, offices) = parse(&form, &target.username);
    let mut data = match parsed {
        Ok(d) => d,
        Err(errors) => {
            let typed = UserData {
                full_name: form.get("nombre").into(),
                role: Role::parse(form.get("rol")).unwrap_or(target.role),
                active: form.get("activo") == "si",
                email: Some(form.get("correo").to_string()),
                position: form.get("cargo").trim().to_string(),
                ..data_of(&target)
            };
            return form_page(&state, &user, Some(id), &typed, offices, errors).await;
        }
    };
    if id == user.user.id && (!data.active || data.role != Role::Admin) {
        let mut errors = Errors::new();
        errors.insert(
            "nombre",
            "No puede quitarse a sí mismo el rol de administrador ni desactivarse: pídalo a otro administrador."
                .into(),
        );
        data.username = target.username.clone();
        return form_page(&state, &user, Some(id), &data, offices, errors).await;
    }
    let actor = user.actor();
    state
        .store
        .update_user(
            id,
            &data,
            &Change {
                actor: &actor,
                action: participa_store::AuditAction::UserUpdate,
                plan_id: None,
                subject: format!("usuario {}", target.username),
                before: Some(describe(&data_of(&target))),
                after: Some(describe(&data)),
            },
        )
        .await?;
    leave_notice(
        &session,
        Notice {
            message: format!(
                "Se guardaron los cambios del usuario «{}».",
                target.username
            ),
            password: None,
        },
    )
    .await
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageUsers)?;
    let target = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let password = random_password();
    let hash = hash_password(password.clone()).await?;
    let actor = user.actor();
    state
        .store
        .set_password(
            id,
            &hash,
            PasswordOrigin::Temporary,
            &Change {
                actor: &actor,
                action: participa_store::AuditAction::UserPasswordReset,
                plan_id: None,
                subject: format!("usuario {}", target.username),
                before: None,
                after: None,
            },
        )
        .await?;
    leave_notice(
        &session,
        Notice {
            message: format!(
                "Se restableció la contraseña de «{}»: sus sesiones abiertas se cerraron.",
                target.username
            ),
            password: Some((target.username, password)),
        },
    )
    .await
}
