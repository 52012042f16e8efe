//! Participation events (seed activities 6, 7, 8, 10, 12): each with its date, modality,
//! place and territory, and its attendance — a count, or an attendee list (CSV) read for
//! its counts by group of value and its satisfaction answers, names not kept. Events roll
//! up into the linked activity's follow-up. The admin records any event; a responsible
//! office records the events of its own activities.

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
use participa_app::dates::fecha;
use participa_domain::participation::counts;
use participa_domain::{dates, Action};
use participa_formats::attendance::parse_attendance;
use participa_store::EventData;

use super::participation::{activity_choices, chosen_activity, require_recorder, MODALITIES};
use super::routing::Routes;

pub fn routes() -> Routes {
    Routes::staff()
        .get("/eventos", list)
        .post("/eventos", create)
}

#[derive(Default, Clone)]
pub struct EventValues {
    pub title: String,
    pub held_on: String,
    pub modality: String,
    pub place: String,
    pub territory: String,
    pub activity: String,
    pub attendees: String,
    pub satisfaction: String,
    pub satisfaction_count: String,
}

pub struct EventRow {
    pub title: String,
    pub date: String,
    pub modality: String,
    pub place: String,
    pub attendees: i64,
    pub satisfaction: String,
    pub activity: String,
}

#[derive(Template)]
#[template(path = "events_admin.html")]
pub struct EventsPage {
    /// Today's report, its public copy and who may publish it.
    pub report: crate::report_publication::ReportPublication,
    pub layout: Layout,
    pub events: Vec<EventRow>,
    pub activities: Vec<(String, String)>,
    pub modalities: Vec<(&'static str, &'static str)>,
    pub values: EventValues,
    pub errors: FieldErrors,
    pub list_errors: Vec<String>,
    pub can_record: bool,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    values: EventValues,
    errors: FieldErrors,
    list_errors: Vec<String>,
) -> AppResult<Response> {
    let events = state
        .store
        .events()
        .await?
        .into_iter()
        .map(|e| EventRow {
            title: e.data.title.clone(),
            date: fecha(e.data.held_on),
            modality: e.data.modality.clone(),
            place: [e.data.place.as_str(), e.data.territory.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            attendees: e.data.attendees,
            satisfaction: e
                .data
                .satisfaction()
                .map(|s| format!("{} / 5", participa_app::followup::pct(s)))
                .unwrap_or_else(|| "—".into()),
            activity: e
                .data
                .activity
                .map(|(p, a)| format!("plan {p}, actividad {a}"))
                .unwrap_or_default(),
        })
        .collect();
    let status = if errors.is_empty() && list_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EventsPage {
        report: crate::report_publication::ReportPublication::load(
            state,
            "eventos",
            0,
            user.can(participa_domain::Action::ManageParticipation),
        )
        .await?,
        layout: user.layout("Eventos de participación", state),
        events,
        activities: activity_choices(state).await?,
        modalities: MODALITIES.to_vec(),
        values,
        errors,
        list_errors,
        can_record: user.can(Action::ManageParticipation) || !user.user.offices.is_empty(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let values = EventValues {
        modality: "presencial".into(),
        ..Default::default()
    };
    page(&state, &user, values, FieldErrors::new(), vec![]).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let mut v = EventValues::default();
    let mut list: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "lista" {
            let file = field.file_name().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| {
                    AppError::BadRequest(
                        "No se pudo recibir la lista completa: ¿supera 1 MB? Vuelva a la página anterior y elíjala de nuevo."
                            .into(),
                    )
                })?;
            if !bytes.is_empty() {
                list = Some((file, bytes.to_vec()));
            }
            continue;
        }
        let text = crate::form::multipart_text(field).await?.trim().to_string();
        match name.as_str() {
            "titulo" => v.title = text,
            "fecha" => v.held_on = text,
            "modalidad" => v.modality = text,
            "lugar" => v.place = text,
            "territorio" => v.territory = text,
            "actividad" => v.activity = text,
            "asistentes" => v.attendees = text,
            "satisfaccion" => v.satisfaction = text,
            "respuestas_satisfaccion" => v.satisfaction_count = text,
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    let activities = activity_choices(&state).await?;
    let activity = chosen_activity(&activities, &v.activity, &mut errors);
    require_recorder(&state, &user, activity).await?;
    if v.title.is_empty() {
        errors.insert("titulo", "Escriba el nombre del evento.".into());
    }
    let held_on = match dates::parse_field("la fecha del evento", &v.held_on) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("fecha", e);
            None
        }
    };
    if !MODALITIES.iter().any(|(m, _)| *m == v.modality) {
        errors.insert("modalidad", "Elija la modalidad.".into());
    }
    let groups: Vec<String> = state
        .store
        .value_groups()
        .await?
        .into_iter()
        .map(|g| g.code)
        .collect();
    let mut list_errors = Vec::new();
    let (attendees, by_group, sat_sum, sat_count) = match &list {
        Some((file, bytes)) => match parse_attendance(file, bytes, &groups) {
            Ok(a) => (
                a.attendees as i64,
                a.by_group.into_iter().map(|(k, n)| (k, n as i64)).collect(),
                i64::from(a.satisfaction_sum),
                i64::from(a.satisfaction_count),
            ),
            Err(e) => {
                list_errors = e.errors.iter().map(|x| format!("{file}: {x}")).collect();
                list_errors.extend(e.more());
                (0, Default::default(), 0, 0)
            }
        },
        None => {
            let attendees =
                match counts::parse_people("cuántas personas asistieron", &v.attendees, 0) {
                    Ok(n) => Some(n),
                    Err(counts::CountError::Missing { .. }) => {
                        errors.insert(
                        "asistentes",
                        "Escriba cuántas personas asistieron, o adjunte la lista de asistencia."
                            .into(),
                    );
                        None
                    }
                    Err(e) => {
                        errors.add("asistentes", e);
                        None
                    }
                };
            let (sum, count) = if v.satisfaction.is_empty() {
                (0, 0)
            } else {
                let avg = v.satisfaction.replace(',', ".").parse::<f64>().ok();
                let n = counts::parse_people(
                    "cuántas personas respondieron la satisfacción",
                    &v.satisfaction_count,
                    1,
                );
                match (avg, n) {
                    (_, Ok(n)) if attendees.is_some_and(|a| n > a) => {
                        errors.insert(
                            "satisfaccion",
                            "Respondieron la satisfacción más personas de las que asistieron: revise las dos cifras.".into(),
                        );
                        (0, 0)
                    }
                    (Some(a), Ok(n)) if (1.0..=5.0).contains(&a) => {
                        ((a * n as f64).round() as i64, n)
                    }
                    (Some(a), Err(e @ counts::CountError::OutOfRange { .. }))
                        if (1.0..=5.0).contains(&a) =>
                    {
                        errors.add("satisfaccion", e);
                        (0, 0)
                    }
                    _ => {
                        errors.insert(
                            "satisfaccion",
                            "Escriba el promedio de satisfacción (1 a 5) y cuántas personas respondieron.".into(),
                        );
                        (0, 0)
                    }
                }
            };
            (attendees.unwrap_or(0), Default::default(), sum, count)
        }
    };
    let Some(held_on) = held_on.filter(|_| errors.is_empty() && list_errors.is_empty()) else {
        return page(&state, &user, v, errors, list_errors).await;
    };
    let data = EventData {
        activity,
        title: v.title,
        held_on,
        modality: v.modality,
        place: v.place,
        territory: v.territory,
        attendees,
        by_group,
        satisfaction_sum: sat_sum,
        satisfaction_count: sat_count,
    };
    state.store.create_event(&data, &user.actor()).await?;
    Ok(Redirect::to("/admin/eventos").into_response())
}
