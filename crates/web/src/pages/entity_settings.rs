//! «Datos de la entidad»: the entity's admin sets how its site shows it — its name,
//! identity (NIT, order, sector, DIVIPOLA), the footer's contact data, the
//! data-processing policy and its contact (Ley 1581 de 2012), the sender of its
//! e-mails, its colour (checked for contrast, WCAG 2.1 AA) and its logo. The slug and
//! the host names are the platform's. A saved change is audited and shows on every
//! server of the deployment within a second (the entity's revision moves).

use crate::auth::CurrentUser;
use crate::entity_form::{order_choices, read_identity, read_settings};
use crate::error::AppResult;
use crate::extract::Multipart;
use crate::form::{FieldErrors, FormData};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_domain::Action;
use participa_store::{EntityData, StoreError};
use tower_sessions::Session;

const PATH: &str = "/admin/entidad";

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/entidad", form)
        .post("/entidad", save)
        .post_up_to("/entidad/logo", upload_logo, crate::LOGO_LIMIT + 64 * 1024)
        .post("/entidad/logo/quitar", remove_logo)
}

#[derive(Template)]
#[template(path = "entity_settings.html")]
pub struct SettingsPage {
    pub layout: crate::views::Layout,
    pub data: EntityData,
    pub orders: Vec<(&'static str, &'static str, bool)>,
    pub policy: String,
    pub has_logo: bool,
    pub errors: FieldErrors,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    data: EntityData,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let has_logo = state.logo.is_some() || state.store.entity_logo().await?.is_some();
    let page = SettingsPage {
        layout: user.layout("Datos de la entidad", state),
        orders: order_choices(data.order),
        policy: data.privacy_policy_url.clone().unwrap_or_default(),
        data,
        has_logo,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The entity's settings as its site shows them. They are its record's, except for
/// the first entity of a deployment before its first save here: its site shows what
/// `participa serve` was started with, and the form starts from that, so that a first
/// save keeps the name, contact and policy citizens see.
fn as_shown(state: &AppState, mut data: EntityData) -> EntityData {
    let fill = |own: &mut String, shown: &str| {
        if own.is_empty() {
            *own = shown.to_string();
        }
    };
    if data.name != state.entity && !state.entity.is_empty() {
        data.name = state.entity.clone();
    }
    fill(&mut data.address, &state.contact.address);
    fill(&mut data.phone, &state.contact.phone);
    fill(&mut data.contact_email, &state.contact.email);
    fill(&mut data.hours, &state.contact.hours);
    if data.privacy_policy_url.is_none() {
        data.privacy_policy_url = state.privacy_policy.clone();
    }
    data
}

/// The logo the site shows from the server's start when the record has none (the
/// first entity before its first save): kept in the record by that save.
async fn started_logo(state: &AppState) -> AppResult<Option<(Vec<u8>, &'static str)>> {
    if state.store.entity_logo().await?.is_some() {
        return Ok(None);
    }
    Ok(state.logo.as_ref().map(|(b, k)| (b.to_vec(), *k)))
}

pub async fn form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ManageEntity)?;
    let record = state.store.entity_record().await?;
    let data = as_shown(&state, record.data);
    page(&state, &user, data, FieldErrors::new()).await
}

/// Saved: the platform rebuilds this entity's site with its new settings (here at
/// once, on the other servers within a second).
async fn saved(state: &AppState, session: &Session, message: &str) -> AppResult<Response> {
    state
        .entities_changed
        .store(true, std::sync::atomic::Ordering::Release);
    crate::flash::set(session, message).await?;
    Ok(Redirect::to(PATH).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageEntity)?;
    let record = state.store.entity_record().await?;
    let mut data = record.data.clone();
    let mut errors = FieldErrors::new();
    read_identity(&form, &mut data, &mut errors);
    read_settings(&form, &mut data, &mut errors);
    if !errors.is_empty() {
        return page(&state, &user, data, errors).await;
    }
    let logo = started_logo(&state).await?;
    let logo = logo.as_ref().map(|(b, k)| Some((b.as_slice(), *k)));
    match state
        .store
        .update_entity(Some(&data), logo, &user.actor())
        .await
    {
        Ok(()) => saved(&state, &session, "Se guardaron los datos de la entidad.").await,
        Err(StoreError::EntityTaken(name)) => {
            errors.insert(
                "nombre",
                format!("Otra entidad de la plataforma ya se llama «{name}»."),
            );
            page(&state, &user, data, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The media type of an image by its first bytes (PNG, JPEG or WebP); anything else,
/// SVG included (it may carry script), is None.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

pub async fn upload_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Action::ManageEntity)?;
    let record = state.store.entity_record().await?;
    let mut errors = FieldErrors::new();
    let mut logo = None;
    while let Some(mut field) = multipart.next_field().await? {
        if field.name() != Some("logo") {
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        match crate::form::multipart_file_up_to(&mut field, crate::LOGO_LIMIT).await? {
            None => {
                errors.insert(
                    "logo",
                    format!(
                        "«{file_name}» pasa de {} kB: reduzca la imagen y envíela de nuevo.",
                        crate::LOGO_LIMIT / 1024
                    ),
                );
            }
            Some(bytes) if bytes.is_empty() => {
                errors.insert("logo", "Elija el archivo del logo.".into());
            }
            Some(bytes) => match image_type(&bytes) {
                Some(kind) => logo = Some((bytes, kind)),
                None => {
                    errors.insert(
                        "logo",
                        format!("«{file_name}» no es una imagen PNG, JPEG ni WebP (SVG no se admite, porque puede llevar código)."),
                    );
                }
            },
        }
    }
    let Some((bytes, kind)) = logo.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.insert("logo", "Elija el archivo del logo.".into());
        }
        return page(&state, &user, as_shown(&state, record.data), errors).await;
    };
    state
        .store
        .update_entity(None, Some(Some((&bytes, kind))), &user.actor())
        .await?;
    saved(&state, &session, "Se guardó el logo de la entidad.").await
}

pub async fn remove_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> AppResult<Response> {
    user.require(Action::ManageEntity)?;
    if state.logo.is_none() && state.store.entity_logo().await?.is_none() {
        crate::flash::set(&session, "La entidad no tenía logo: no se cambió nada.").await?;
        return Ok(Redirect::to(PATH).into_response());
    }
    state
        .store
        .update_entity(None, Some(None), &user.actor())
        .await?;
    saved(&state, &session, "Se quitó el logo de la entidad.").await
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn only_png_jpeg_and_webp_are_logos() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }
}
