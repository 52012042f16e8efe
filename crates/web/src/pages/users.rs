//! Account management by the admin: create, edit role and offices, deactivate, reset
//! a password (shown once).

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::views::{UserFormPage, UserRow, UsersPage};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::accounts::{hash_password, random_password};
use participa_domain::{Action, OfficeCode, Role};
use participa_store::{Change, StoreError, User, UserData};

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

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::ManageUsers)?;
    let users = state.store.users().await?;
    let page = UsersPage {
        layout: user.layout("Usuarios", &state),
        users: users.iter().map(UserRow::new).collect(),
        new_password: None,
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

/// A plausible e-mail address (one `@`, something on each side, no spaces), or None
/// for an empty field.
fn email_of(text: &str, errors: &mut Errors) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let plausible = text.len() <= 254
        && !text.contains(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if !plausible {
        errors.insert(
            "correo",
            format!(
                "«{text}» no parece un correo electrónico (por ejemplo nombre@entidad.gov.co)."
            ),
        );
    }
    Some(text.to_string())
}

/// The form's account, or errors by field.
fn parse(form: &FormData, username: &str) -> (Result<UserData, Errors>, String) {
    let mut errors = Errors::new();
    let offices_text = form.get("dependencias").trim().to_string();
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        errors.insert(
            "usuario",
            "El usuario lleva letras sin tilde, números, punto, guion o guion bajo (hasta 64)."
                .into(),
        );
    }
    let full_name = form.get("nombre").trim().to_string();
    if full_name.is_empty() {
        errors.insert("nombre", "Escriba el nombre completo.".into());
    }
    let role = Role::parse(form.get("rol")).unwrap_or(Role::Reporter);
    let mut offices = Vec::new();
    for part in offices_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
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
            "Un responsable de dependencia necesita al menos una dependencia (por ejemplo ARCOM)."
                .into(),
        );
    }
    if role != Role::Reporter {
        offices.clear();
    }
    let email = email_of(form.get("correo"), &mut errors);
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

fn form_page(
    state: &AppState,
    user: &CurrentUser,
    user_id: Option<i64>,
    data: &UserData,
    offices: String,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
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
    form_page(&state, &user, None, &data, String::new(), Errors::new())
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
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
            return form_page(&state, &user, None, &typed, offices, errors);
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
        Ok(_) => show_password(&state, &user, data.username, password).await,
        Err(StoreError::UsernameTaken(name)) => {
            let mut errors = Errors::new();
            errors.insert("usuario", format!("El usuario «{name}» ya existe."));
            form_page(&state, &user, None, &data, offices, errors)
        }
        Err(e) => Err(e.into()),
    }
}

/// The user list with a generated password shown once, in the answer to the POST (never
/// in a URL, never stored in clear).
async fn show_password(
    state: &AppState,
    user: &CurrentUser,
    username: String,
    password: String,
) -> AppResult<Response> {
    let users = state.store.users().await?;
    let page = UsersPage {
        layout: user.layout("Usuarios", state),
        users: users.iter().map(UserRow::new).collect(),
        new_password: Some((username, password)),
    };
    Ok(Html(page.render()?).into_response())
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
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    form_page(
        &state,
        &user,
        Some(id),
        &data_of(&target),
        offices,
        Errors::new(),
    )
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
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
            return form_page(&state, &user, Some(id), &typed, offices, errors);
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
        return form_page(&state, &user, Some(id), &data, offices, errors);
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
    Ok(Redirect::to("/admin/usuarios").into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
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
    show_password(&state, &user, target.username, password).await
}
