//! The rules as the staff see and change them: legal parameters (with the deadlines they
//! give from a date), the holiday calendar and the catalogue of groups of value. Everyone
//! on staff reads them; only the admin changes them, each change with its reason and an
//! audit entry.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::form::{FieldErrors, FormData};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use participa_app::dates::{fecha, momento, today};
use participa_domain::dates;
use participa_domain::parameters::{definition, Certainty, Term, Unit, LEGAL_PARAMETERS};
use participa_domain::tagging::valid_group_code;
use participa_domain::{Action, Override};
use participa_store::ValueGroup;
use serde::Deserialize;

const WEEKDAYS: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];

fn status_of(errors: &FieldErrors) -> StatusCode {
    errors.status()
}

// ---------------------------------------------------------------- legal parameters

pub struct ParameterRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub source: &'static str,
    /// What to confirm and where, when the source was recalled and not checked.
    pub to_confirm: Option<&'static str>,
    pub applies_from: String,
    /// The deadline this term gives when it starts on the page's date.
    pub deadline: String,
}

pub struct ParameterHistoryRow {
    pub at: String,
    pub key: String,
    pub value: String,
    pub applies_from: String,
    pub reason: String,
    pub by: String,
}

#[derive(Default)]
pub struct ParameterFormValues {
    pub key: String,
    pub value: String,
    pub applies_from: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "parameters.html")]
pub struct ParametersPage {
    pub layout: Layout,
    pub date: String,
    pub date_text: String,
    pub rows: Vec<ParameterRow>,
    pub history: Vec<ParameterHistoryRow>,
    pub can_edit: bool,
    pub options: Vec<(&'static str, &'static str, bool)>,
    pub values: ParameterFormValues,
    pub errors: FieldErrors,
    pub message: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ParametersQuery {
    fecha: Option<String>,
    mensaje: Option<String>,
}

async fn parameters_page(
    state: &AppState,
    user: &CurrentUser,
    date: NaiveDate,
    values: ParameterFormValues,
    errors: FieldErrors,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let calendar = state.store.calendar().await?;
    let rows = state
        .store
        .parameters(date)
        .await?
        .into_iter()
        .map(|p| {
            let d = p.definition;
            ParameterRow {
                key: d.key,
                label: d.label,
                value: p.term.describe(),
                source: d.source,
                to_confirm: (d.certainty == Certainty::Recalled).then_some(d.to_confirm),
                applies_from: p.applies_from.map_or_else(|| "valor inicial".into(), fecha),
                deadline: p
                    .term
                    .deadline(&calendar, date)
                    .map(|day| {
                        format!(
                            "{} {}",
                            WEEKDAYS[day.weekday().num_days_from_monday() as usize],
                            fecha(day)
                        )
                    })
                    .unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    let history = state
        .store
        .parameter_history()
        .await?
        .into_iter()
        .rev()
        .map(|c| {
            let value = definition(&c.key).map_or_else(
                || c.value.to_string(),
                |d| {
                    Term {
                        value: c.value,
                        unit: d.unit,
                    }
                    .describe()
                },
            );
            ParameterHistoryRow {
                at: momento(c.at),
                key: c.key,
                value,
                applies_from: fecha(c.applies_from),
                reason: c.reason,
                by: c.by.unwrap_or_else(|| "sistema".into()),
            }
        })
        .collect();
    let options = LEGAL_PARAMETERS
        .iter()
        .map(|p| (p.key, p.label, p.key == values.key))
        .collect();
    let page = ParametersPage {
        layout: user.layout("Parámetros legales", state),
        date: date.to_string(),
        date_text: fecha(date),
        rows,
        history,
        can_edit: user.can(Action::ManageRules),
        options,
        values,
        errors,
        message,
    };
    Ok((status_of(&page.errors), Html(page.render()?)).into_response())
}

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/parametros", parameters)
        .post("/parametros", set_parameter)
        .get("/festivos", holidays)
        .post("/festivos", change_holiday)
        .get("/grupos-valor", value_groups)
        .post("/grupos-valor", set_value_group)
}

pub async fn parameters(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ParametersQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let today = today();
    let date = dates::parse_optional("la fecha de consulta", q.fecha.as_deref())
        .map_err(AppError::bad_request)?
        .unwrap_or(today);
    let values = ParameterFormValues {
        applies_from: today.to_string(),
        ..Default::default()
    };
    let message = (q.mensaje.as_deref() == Some("guardado")).then_some("Parámetro cambiado.");
    parameters_page(&state, &user, date, values, FieldErrors::new(), message).await
}

/// Reads a value as the unit writes it: a number, or `DD/MM` / `MM-DD` for a date of the year.
fn parse_value(text: &str, unit: Unit) -> Option<i64> {
    let text = text.trim();
    if unit == Unit::MonthDay {
        if let Some((a, b)) = text.split_once(['/', '-']) {
            // Day and month are small numbers: anything longer is refused before it
            // is combined, so nothing can overflow.
            let (a, b): (u8, u8) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            let (a, b) = (i64::from(a), i64::from(b));
            let value = if text.contains('/') {
                b * 100 + a
            } else {
                a * 100 + b
            };
            return Term::valid(value, unit).then_some(value);
        }
    }
    let value: i64 = text.parse().ok()?;
    Term::valid(value, unit).then_some(value)
}

pub async fn set_parameter(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageRules)?;
    let values = ParameterFormValues {
        key: form.get("parametro").trim().into(),
        value: form.get("valor").trim().into(),
        applies_from: form.get("desde").trim().into(),
        reason: form.get("motivo").trim().into(),
    };
    let mut errors = FieldErrors::new();
    let def = definition(&values.key);
    if def.is_none() {
        errors.insert("parametro", "Elija el parámetro que cambia.".into());
    }
    let value = def.and_then(|d| parse_value(&values.value, d.unit));
    if let (Some(d), None) = (def, value) {
        let expected = match d.unit {
            Unit::BusinessDays | Unit::CalendarDays => "un número de días entre 0 y 3650",
            Unit::Times => "un número de veces entre 1 y 10",
            Unit::MonthDay => "una fecha del año como 31/01",
        };
        errors.insert(
            "valor",
            format!("«{}» no es válido: escriba {expected}.", values.value),
        );
    }
    let from = match dates::parse_field(
        "la fecha desde la que aplica el valor",
        &values.applies_from,
    ) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("desde", e);
            None
        }
    };
    if values.reason.is_empty() {
        errors.insert(
            "motivo",
            "Escriba el motivo del cambio (por ejemplo, la norma que lo cambió).".into(),
        );
    }
    match (def, value, from) {
        (Some(d), Some(value), Some(from)) if errors.is_empty() => {
            state
                .store
                .set_parameter(d.key, value, from, &values.reason, &user.actor())
                .await?;
            Ok(
                Redirect::to(&format!("/admin/parametros?fecha={from}&mensaje=guardado"))
                    .into_response(),
            )
        }
        _ => parameters_page(&state, &user, today(), values, errors, None).await,
    }
}

// ---------------------------------------------------------------- holidays

pub struct HolidayRow {
    pub date: String,
    pub weekday: &'static str,
    pub name: String,
}

pub struct OverrideRow {
    pub at: String,
    pub date: String,
    pub change: String,
    pub reason: String,
    pub by: String,
}

#[derive(Default)]
pub struct HolidayFormValues {
    pub action: String,
    pub date: String,
    pub name: String,
    pub reason: String,
}

/// The years the holidays page shows: the holiday rules start with Ley 51 de 1983;
/// typed dates end in 2200.
const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 1984..=dates::LAST_YEAR;

#[derive(Template)]
#[template(path = "holidays.html")]
pub struct HolidaysPage {
    pub layout: Layout,
    pub year: i32,
    /// The years before and after, when the page shows them.
    pub previous: Option<i32>,
    pub next: Option<i32>,
    pub holidays: Vec<HolidayRow>,
    pub business_days: i64,
    pub overrides: Vec<OverrideRow>,
    pub can_edit: bool,
    pub values: HolidayFormValues,
    pub errors: FieldErrors,
    pub message: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct HolidaysQuery {
    anio: Option<String>,
    mensaje: Option<String>,
}

async fn holidays_page(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    values: HolidayFormValues,
    errors: FieldErrors,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let calendar = state.store.calendar().await?;
    let holidays = calendar
        .holidays(year)
        .into_iter()
        .map(|h| HolidayRow {
            date: fecha(h.date),
            weekday: WEEKDAYS[h.date.weekday().num_days_from_monday() as usize],
            name: h.name,
        })
        .collect();
    let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid date");
    let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
    let business_days =
        calendar.business_days_between(first, last) + i64::from(calendar.is_business_day(first));
    let overrides = state
        .store
        .holiday_overrides()
        .await?
        .into_iter()
        .rev()
        .map(|o| {
            let (date, change) = match o.change {
                Override::Add { date, name } => (date, format!("festivo: {name}")),
                Override::Remove { date } => (date, "día hábil (festivo quitado)".into()),
            };
            OverrideRow {
                at: momento(o.at),
                date: fecha(date),
                change,
                reason: o.reason,
                by: o.by.unwrap_or_else(|| "sistema".into()),
            }
        })
        .collect();
    let page = HolidaysPage {
        layout: user.layout(format!("Festivos de {year}"), state),
        year,
        previous: Some(year - 1).filter(|y| HOLIDAY_YEARS.contains(y)),
        next: Some(year + 1).filter(|y| HOLIDAY_YEARS.contains(y)),
        holidays,
        business_days,
        overrides,
        can_edit: user.can(Action::ManageRules),
        values,
        errors,
        message,
    };
    Ok((status_of(&page.errors), Html(page.render()?)).into_response())
}

pub async fn holidays(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HolidaysQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let years = HOLIDAY_YEARS;
    let year = match q.anio.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => today().year(),
        Some(typed) => typed
            .parse::<i32>()
            .ok()
            .filter(|y| years.contains(y))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "El año «{}» no es válido: escriba un año entre {} y {}.",
                    typed.chars().take(20).collect::<String>(),
                    years.start(),
                    years.end()
                ))
            })?,
    };
    let message = (q.mensaje.as_deref() == Some("guardado")).then_some("Calendario cambiado.");
    let values = HolidayFormValues {
        action: "agregar".into(),
        ..Default::default()
    };
    holidays_page(&state, &user, year, values, FieldErrors::new(), message).await
}

pub async fn change_holiday(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageRules)?;
    let values = HolidayFormValues {
        action: form.get("accion").trim().into(),
        date: form.get("fecha").trim().into(),
        name: form.get("nombre").trim().into(),
        reason: form.get("motivo").trim().into(),
    };
    let calendar = state.store.calendar().await?;
    let mut errors = FieldErrors::new();
    let date = dates::parse_field("la fecha del festivo", &values.date);
    if let Err(e) = &date {
        errors.add("fecha", e);
    }
    let date = date.ok();
    match date {
        None => {}
        Some(d) if values.action == "quitar" && !calendar.is_holiday(d) => {
            errors.insert("fecha", format!("El {} no es festivo.", fecha(d)));
        }
        Some(d) if values.action == "agregar" && calendar.is_holiday(d) => {
            errors.insert("fecha", format!("El {} ya es festivo.", fecha(d)));
        }
        Some(_) => {}
    }
    if values.action == "agregar" && values.name.is_empty() {
        errors.insert("nombre", "Escriba el nombre del festivo.".into());
    }
    if values.reason.is_empty() {
        errors.insert(
            "motivo",
            "Escriba el motivo (por ejemplo, la ley que creó o trasladó el festivo).".into(),
        );
    }
    let change = match (values.action.as_str(), date) {
        ("agregar", Some(date)) => Some(Override::Add {
            date,
            name: values.name.clone(),
        }),
        ("quitar", Some(date)) => Some(Override::Remove { date }),
        (_, Some(_)) => {
            errors.insert("accion", "Elija si agrega o quita un festivo.".into());
            None
        }
        _ => None,
    };
    match change {
        Some(change) if errors.is_empty() => {
            state
                .store
                .override_holiday(&change, &values.reason, &user.actor())
                .await?;
            let year = date.map_or(0, |d| d.year());
            Ok(
                Redirect::to(&format!("/admin/festivos?anio={year}&mensaje=guardado"))
                    .into_response(),
            )
        }
        _ => {
            let year = date.map_or_else(|| today().year(), |d| d.year());
            holidays_page(&state, &user, year, values, errors, None).await
        }
    }
}

// ---------------------------------------------------------------- groups of value

#[derive(Default)]
pub struct GroupFormValues {
    pub code: String,
    pub name: String,
    pub furag: String,
}

#[derive(Template)]
#[template(path = "value_groups.html")]
pub struct ValueGroupsPage {
    pub layout: Layout,
    pub groups: Vec<ValueGroup>,
    pub can_edit: bool,
    pub values: GroupFormValues,
    pub errors: FieldErrors,
    pub message: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct GroupsQuery {
    mensaje: Option<String>,
}

async fn groups_page(
    state: &AppState,
    user: &CurrentUser,
    values: GroupFormValues,
    errors: FieldErrors,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let page = ValueGroupsPage {
        layout: user.layout("Grupos de valor", state),
        groups: state.store.value_groups().await?,
        can_edit: user.can(Action::ManageRules),
        values,
        errors,
        message,
    };
    Ok((status_of(&page.errors), Html(page.render()?)).into_response())
}

pub async fn value_groups(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<GroupsQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let message = (q.mensaje.as_deref() == Some("guardado")).then_some("Grupo de valor guardado.");
    groups_page(
        &state,
        &user,
        GroupFormValues::default(),
        FieldErrors::new(),
        message,
    )
    .await
}

pub async fn set_value_group(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageRules)?;
    let values = GroupFormValues {
        code: form.get("codigo").trim().to_lowercase(),
        name: form.get("nombre").trim().into(),
        furag: form.get("grupo_furag").trim().into(),
    };
    let mut errors = FieldErrors::new();
    if !valid_group_code(&values.code) {
        errors.insert(
            "codigo",
            "Escriba un código con letras sin tilde, números y guion bajo, por ejemplo «gremios»."
                .into(),
        );
    }
    if values.name.is_empty() {
        errors.insert("nombre", "Escriba el nombre del grupo.".into());
    }
    if values.furag.is_empty() {
        errors.insert(
            "grupo_furag",
            "Escriba el grupo de la lista del FURAG al que corresponde.".into(),
        );
    }
    if !errors.is_empty() {
        return groups_page(&state, &user, values, errors, None).await;
    }
    let group = ValueGroup {
        code: values.code,
        name: values.name,
        furag_group: values.furag,
    };
    state.store.set_value_group(&group, &user.actor()).await?;
    Ok(Redirect::to("/admin/grupos-valor?mensaje=guardado").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_their_unit_writes_them() {
        assert_eq!(parse_value("15", Unit::BusinessDays), Some(15));
        assert_eq!(parse_value("-1", Unit::BusinessDays), None);
        assert_eq!(parse_value("31/01", Unit::MonthDay), Some(131));
        assert_eq!(parse_value("01-31", Unit::MonthDay), Some(131));
        assert_eq!(parse_value("131", Unit::MonthDay), Some(131));
        assert_eq!(parse_value("31/02", Unit::MonthDay), None);
        // Large numbers are refused, never combined into an overflow (a panic in a
        // debug build) or a wrapped value.
        assert_eq!(parse_value("92233720368547758/1", Unit::MonthDay), None);
        assert_eq!(parse_value("1/4294967297", Unit::MonthDay), None);
        assert_eq!(parse_value("9223372036854775807", Unit::MonthDay), None);
        assert_eq!(parse_value("2", Unit::Times), Some(2));
        assert_eq!(parse_value("dos", Unit::Times), None);
    }
}
