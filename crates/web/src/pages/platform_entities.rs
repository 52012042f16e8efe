//! The platform administrator's page: every entity of the deployment, and a form that
//! adds one together with its first administrator (one transaction: both or neither).
//! The administrator's generated password is shown once, on the page the form leads
//! to, and must be changed at its first sign-in. For anyone without the platform
//! administration the page does not exist (404).

use crate::auth::CurrentUser;
use crate::entity_form::{order_choices, read_identity};
use crate::error::{AppError, AppResult};
use crate::form::{sentence, FieldErrors, FormData};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::accounts::{hash_password, random_password};
use participa_domain::entity::parse_host;
use participa_domain::national::PlatformRole;
use participa_domain::{EntitySlug, Role};
use participa_store::{EntityData, EntityRecord, StoreError, UserData};
use tower_sessions::Session;

const NOTICE_KEY: &str = "entidades_aviso";
const PATH: &str = "/admin/plataforma/entidades";

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/plataforma/entidades", list)
        .post("/plataforma/entidades", create)
}

/// What the list says once after an entity was added: its name, where its first
/// administrator signs in, with which user name and password.
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    entity: String,
    sign_in: String,
    username: String,
    password: String,
}

/// What the form holds, as typed.
#[derive(Default)]
pub struct Typed {
    pub slug: String,
    pub host: String,
    pub username: String,
    pub admin_name: String,
    pub admin_email: String,
}

pub struct EntityRow {
    pub name: String,
    pub slug: String,
    pub order: &'static str,
    pub place: String,
    pub hosts: Vec<String>,
}

#[derive(Template)]
#[template(path = "platform_entities.html")]
pub struct EntitiesPage {
    pub layout: crate::views::Layout,
    pub entities: Vec<EntityRow>,
    pub count: String,
    pub notice: Option<(String, String, String, String)>,
    pub data: EntityData,
    pub typed: Typed,
    pub orders: Vec<(&'static str, &'static str, bool)>,
    pub errors: FieldErrors,
}

/// 404 unless `user` holds the platform administration.
async fn require_administrator(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    match state.store.platform_grant(user.user.id).await? {
        Some(g) if g.role == PlatformRole::Administrator => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

fn row(e: &EntityRecord) -> EntityRow {
    let d = &e.data;
    EntityRow {
        name: d.name.clone(),
        slug: d.slug.clone(),
        order: d.order.label(),
        place: [d.department_code.as_str(), d.municipality_code.as_str()]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        hosts: d.hosts.clone(),
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<Notice>,
    data: EntityData,
    typed: Typed,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let entities = state.store.entities().await?;
    let page = EntitiesPage {
        layout: user.layout("Entidades de la plataforma", state),
        count: match entities.len() {
            1 => "1 entidad".into(),
            n => format!("{} entidades", participa_domain::numbers::grouped(n as u64)),
        },
        entities: entities.iter().map(row).collect(),
        notice: notice.map(|n| (n.entity, n.sign_in, n.username, n.password)),
        orders: order_choices(data.order),
        data,
        typed,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> AppResult<Response> {
    require_administrator(&state, &user).await?;
    let notice: Option<Notice> = session
        .remove(NOTICE_KEY)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    page(
        &state,
        &user,
        notice,
        EntityData::default(),
        Typed::default(),
        FieldErrors::new(),
    )
    .await
}

/// The new entity and its first administrator as the form sends them, or the errors
/// by field (with everything as typed, to show again).
fn parse(form: &FormData) -> (EntityData, Typed, Option<UserData>, FieldErrors) {
    let mut errors = FieldErrors::new();
    let mut data = EntityData::default();
    read_identity(form, &mut data, &mut errors);
    let typed = Typed {
        slug: form.get("identificador").trim().to_string(),
        host: form.get("servidor").trim().to_string(),
        username: form.get("usuario").trim().to_lowercase(),
        admin_name: form.get("nombre_admin").trim().to_string(),
        admin_email: form.get("correo_admin").trim().to_string(),
    };
    data.slug = if typed.slug.is_empty() {
        EntitySlug::from_name(&data.name).to_string()
    } else {
        match EntitySlug::parse(&typed.slug) {
            Ok(s) => s.to_string(),
            Err(e) => {
                errors.insert("identificador", sentence(&e.to_string()));
                typed.slug.clone()
            }
        }
    };
    if !typed.host.is_empty() {
        match parse_host(&typed.host) {
            Ok(h) => data.hosts = vec![h],
            Err(e) => {
                errors.insert("servidor", sentence(&e.to_string()));
            }
        }
    }
    crate::form::username_of(&typed.username, &mut errors);
    if typed.admin_name.is_empty() {
        errors.insert(
            "nombre_admin",
            "Escriba el nombre completo del administrador.".into(),
        );
    }
    let email = crate::form::email_of(&typed.admin_email, "correo_admin", &mut errors);
    let admin = errors.is_empty().then(|| UserData {
        username: typed.username.clone(),
        full_name: typed.admin_name.clone(),
        role: Role::Admin,
        active: true,
        offices: Vec::new(),
        email,
        position: "Administrador de Participa".into(),
    });
    (data, typed, admin, errors)
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    form: FormData,
) -> AppResult<Response> {
    require_administrator(&state, &user).await?;
    let (data, typed, admin, errors) = parse(&form);
    let Some(admin) = admin else {
        return page(&state, &user, None, data, typed, errors).await;
    };
    let password = random_password();
    let hash = hash_password(password.clone()).await?;
    let added = state
        .store
        .add_entity_with_admin(&data, &admin, &hash, &user.actor())
        .await;
    let mut errors = FieldErrors::new();
    match added {
        Ok(_) => {
            state
                .entities_changed
                .store(true, std::sync::atomic::Ordering::Release);
            let notice = Notice {
                entity: data.name.clone(),
                sign_in: format!("/e/{}/ingresar", data.slug),
                username: admin.username.clone(),
                password,
            };
            session
                .insert(NOTICE_KEY, notice)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(Redirect::to(PATH).into_response());
        }
        Err(StoreError::EntityTaken(_)) => {
            errors.insert(
                "identificador",
                format!(
                    "Ya existe una entidad con el identificador «{}» o con el nombre «{}»: cambie el que se repite.",
                    data.slug, data.name
                ),
            );
        }
        Err(StoreError::HostTaken(host)) => {
            errors.insert(
                "servidor",
                format!("El servidor «{host}» ya es de otra entidad."),
            );
        }
        Err(StoreError::UsernameTaken(name)) => {
            errors.insert(
                "usuario",
                format!(
                    "El usuario «{name}» ya existe en la plataforma (los usuarios no se repiten entre entidades): elija otro, por ejemplo «{}-{name}».",
                    data.slug
                ),
            );
        }
        Err(StoreError::EntityField(e)) => {
            errors.insert("identificador", sentence(&e.to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    page(&state, &user, None, data, typed, errors).await
}
