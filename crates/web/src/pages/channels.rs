//! Channel figures (seed activities 9, 13, 14: contact center, social media, website): a
//! monthly CSV per channel, checked whole with line-and-column errors, whose totals reach
//! the linked activity's follow-up.

use super::participation::{activity_choices, chosen_activity, require_recorder};
use super::routing::Routes;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Multipart;
use crate::form::FieldErrors;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::channels::{channel_label, CHANNELS};
use participa_domain::Action;
use participa_formats::channel_figures::parse_channel_figures;

pub fn routes() -> Routes {
    Routes::staff()
        .get("/canales", form)
        .post("/canales", import)
}

#[derive(Template)]
#[template(path = "channels_admin.html")]
pub struct ChannelsPage {
    /// Today's report, its public copy and who may publish it.
    pub report: crate::report_publication::ReportPublication,
    pub layout: Layout,
    pub channels: Vec<(&'static str, &'static str)>,
    pub activities: Vec<(String, String)>,
    pub channel: String,
    pub activity: String,
    pub errors: FieldErrors,
    pub file_errors: Vec<String>,
    pub imported: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    channel: String,
    activity: String,
    errors: FieldErrors,
    file_errors: Vec<String>,
    imported: Option<String>,
) -> AppResult<Response> {
    let status = if errors.is_empty() && file_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ChannelsPage {
        report: crate::report_publication::ReportPublication::load(
            state,
            "canales",
            0,
            user.can(participa_domain::Action::ManageParticipation),
        )
        .await?,
        layout: user.layout("Cifras de los canales", state),
        channels: CHANNELS.to_vec(),
        activities: activity_choices(state).await?,
        channel,
        activity,
        errors,
        file_errors,
        imported,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize)]
pub struct FormQuery {
    importadas: Option<usize>,
    canal: Option<String>,
    actividad: Option<u32>,
}

pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::extract::Query(q): crate::extract::Query<FormQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let imported = match (q.importadas, q.canal.as_deref(), q.actividad) {
        (Some(n), Some(c), Some(a)) => Some(format!(
            "{n} cifras de {} importadas para la actividad {a}.",
            channel_label(c)
        )),
        _ => None,
    };
    page(
        &state,
        &user,
        String::new(),
        String::new(),
        FieldErrors::new(),
        vec![],
        imported,
    )
    .await
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let (mut channel, mut activity, mut file) = (String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await? {
        match field.name().unwrap_or_default() {
            "canal" => channel = crate::form::multipart_text(field).await?,
            "actividad" => activity = crate::form::multipart_text(field).await?,
            "archivo" => {
                let name = field
                    .file_name()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                    .unwrap_or_else(|| "archivo.csv".into());
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::BadRequest(
                        "No se pudo recibir el archivo completo: ¿supera 1 MB? Vuelva a la página anterior y elíjalo de nuevo."
                            .into(),
                    )
                })?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    if !CHANNELS.iter().any(|(c, _)| *c == channel) {
        errors.insert("canal", "Elija el canal.".into());
    }
    let activities = activity_choices(&state).await?;
    let chosen = chosen_activity(&activities, &activity, &mut errors);
    if chosen.is_none() && !errors.contains_key("actividad") {
        errors.insert(
            "actividad",
            "Elija la actividad del plan que miden estas cifras.".into(),
        );
    }
    require_recorder(&state, &user, chosen).await?;
    if file.is_none() {
        errors.insert(
            "archivo",
            "Adjunte el CSV con las columnas mes, indicador y valor.".into(),
        );
    }
    let (Some((plan, number)), Some((name, bytes)), true) = (chosen, file, errors.is_empty())
    else {
        return page(&state, &user, channel, activity, errors, vec![], None).await;
    };
    let rows = match parse_channel_figures(&name, &bytes) {
        Ok(rows) => rows,
        Err(e) => {
            let mut list: Vec<String> = e.errors.iter().map(|x| format!("{name}: {x}")).collect();
            list.extend(e.more());
            return page(&state, &user, channel, activity, errors, list, None).await;
        }
    };
    let tuples: Vec<_> = rows
        .iter()
        .map(|r| (r.year, r.month, r.metric.clone(), r.value, r.aggregation))
        .collect();
    state
        .store
        .import_channel_figures(plan, number, &channel, &tuples, &name, &user.actor())
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/canales?importadas={}&canal={channel}&actividad={number}",
        rows.len()
    ))
    .into_response())
}
