//! Creating and editing one activity, with errors next to each field and the typed
//! values kept.

use super::routing::Routes;
use super::shared::editable_plan;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{require_reason, FieldErrors, FormData};
use crate::tag_form::{fieldsets, TagValues};
use crate::views::{ActivityFormPage, ActivityFormValues, OfficeChoice};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_domain::plan::{ActivityField, PlanField};
use participa_domain::tagging::{furag_catalogue, FuragQuestion};
use participa_domain::{Action, Activity, ActivityNumber, OfficeCode, Plan};
use participa_formats::spanish_date::{in_range, read_date};
use participa_store::{PlanEdit, PlanId, ValueGroup};

type Errors = FieldErrors;

fn values_of(a: &Activity) -> ActivityFormValues {
    ActivityFormValues {
        number: a.number.to_string(),
        description: a.description.clone(),
        start: a.start.to_string(),
        end: a.end.to_string(),
        offices: a.responsible.iter().map(|c| c.to_string()).collect(),
        responsible_text: a.responsible_text.clone(),
        deliverable: a.deliverable.clone(),
        tags: TagValues::of(&a.tags),
        reason: String::new(),
    }
}

fn values_from(form: &FormData) -> ActivityFormValues {
    ActivityFormValues {
        number: form.get("numero").trim().into(),
        description: form.get("descripcion").trim().into(),
        start: form.get("inicio").trim().into(),
        end: form.get("fin").trim().into(),
        offices: form
            .all("responsables")
            .iter()
            .map(|s| s.to_string())
            .collect(),
        responsible_text: form.get("responsable_texto").trim().into(),
        deliverable: form.get("entregable").trim().into(),
        tags: TagValues::from_form(form),
        reason: form.get("motivo").into(),
    }
}

fn choices(plan: &Plan, checked: &[String]) -> Vec<OfficeChoice> {
    plan.offices
        .iter()
        .map(|o| OfficeChoice {
            code: o.code.to_string(),
            name: o.name.clone(),
            checked: checked.iter().any(|c| c == o.code.as_str()),
        })
        .collect()
}

/// Office names joined as a sentence: `A`, `A y B`, `A, B y C`.
fn names_sentence(plan: &Plan, codes: &[OfficeCode]) -> String {
    let names: Vec<&str> = codes
        .iter()
        .filter_map(|c| plan.office(c).map(|o| o.name.as_str()))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} y {last}", rest.join(", ")),
    }
}

fn field_name(f: ActivityField) -> &'static str {
    match f {
        ActivityField::Number => "numero",
        ActivityField::Description => "descripcion",
        ActivityField::Start => "inicio",
        ActivityField::End => "fin",
        ActivityField::Responsible => "responsables",
        ActivityField::Deliverable => "entregable",
    }
}

/// The plan with the form's activity in place of `number` (or added), or the errors by
/// field. Parsing errors come first; the domain's rules then speak for the rest.
fn apply(
    plan: &Plan,
    number: Option<ActivityNumber>,
    v: &ActivityFormValues,
    catalogues: &Catalogues,
) -> Result<(Plan, Activity), Errors> {
    let mut errors = Errors::new();
    let tags = v
        .tags
        .parse(&catalogues.groups, &catalogues.furag, &mut errors);
    let num = match number {
        Some(n) => Some(n),
        None => match ActivityNumber::parse(&v.number) {
            Ok(n) if plan.activities.iter().any(|a| a.number == n) => {
                errors.insert(
                    "numero",
                    format!("Ya existe la actividad {n}: elija otro número."),
                );
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                errors.add("numero", &e);
                None
            }
        },
    };
    let mut date = |name: &'static str, label: &str, text: &str| {
        if text.is_empty() {
            errors.insert(name, format!("Escriba la {}.", label.to_lowercase()));
            return None;
        }
        match read_date(text) {
            Ok(d) => match in_range(d) {
                Ok(d) => Some(d),
                Err(e) => {
                    // The range rule's reason quotes the date already.
                    errors.insert(name, crate::form::sentence(&format!("{label}: {e}")));
                    None
                }
            },
            Err(e) => {
                errors.insert(
                    name,
                    format!(
                        "La {} «{text}» no es una fecha válida: {e}",
                        label.to_lowercase()
                    ),
                );
                None
            }
        }
    };
    let start = date("inicio", "Fecha inicial", &v.start);
    let end = date("fin", "Fecha final", &v.end);
    let mut codes = Vec::new();
    for c in &v.offices {
        match OfficeCode::parse(c) {
            // A repeated office counts once, however many times it was sent.
            Ok(code) if plan.office(&code).is_some() => {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            _ => {
                errors.insert(
                    "responsables",
                    format!("La dependencia «{c}» no es del plan."),
                );
            }
        }
    }
    if codes.is_empty() && !errors.contains_key("responsables") {
        errors.insert(
            "responsables",
            "Marque al menos una dependencia responsable.".into(),
        );
    }
    let (Some(number), Some(start), Some(end)) = (num, start, end) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let responsible_text = if v.responsible_text.is_empty() {
        names_sentence(plan, &codes)
    } else {
        v.responsible_text.clone()
    };
    let activity = Activity {
        number,
        description: v.description.clone(),
        start,
        end,
        responsible: codes,
        responsible_text,
        deliverable: v.deliverable.clone(),
        tags,
        // What the entity's own table said beyond these fields stays; the dates as
        // written go once the dates are changed here.
        details: plan
            .activities
            .iter()
            .find(|a| a.number == number)
            .map(|a| {
                let mut d = a.details.clone();
                if (a.start, a.end) != (start, end) {
                    d.schedule.clear();
                }
                d
            })
            .unwrap_or_default(),
    };
    let mut draft = plan.clone().into_draft();
    let index = match draft.activities.iter().position(|a| a.number == number) {
        Some(i) => {
            draft.activities[i] = activity.clone();
            i
        }
        None => {
            draft.activities.push(activity.clone());
            draft.activities.len() - 1
        }
    };
    Plan::try_edit(plan, draft)
        .map(|p| (p, activity))
        .map_err(|e| {
            for err in e.0 {
                let name = match err.field() {
                    PlanField::Activity(i, f) if i == index => field_name(f),
                    _ => "descripcion",
                };
                errors.add_first(name, &err);
            }
            errors
        })
}

/// The lists the tag fields choose from: the entity's groups of value and the FURAG
/// questions of the plan's year.
pub struct Catalogues {
    groups: Vec<ValueGroup>,
    furag: Vec<FuragQuestion>,
}

impl Catalogues {
    async fn load(state: &AppState, plan: &Plan) -> AppResult<Catalogues> {
        Ok(Catalogues {
            groups: state.store.value_groups().await?,
            furag: furag_catalogue(plan.year.get()).unwrap_or_default(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    plan_id: i64,
    plan: &Plan,
    number: Option<u32>,
    values: ActivityFormValues,
    errors: Errors,
    needs_reason: bool,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let catalogues = Catalogues::load(state, plan).await?;
    let title = match number {
        Some(n) => format!("Editar la actividad {n}"),
        None => "Nueva actividad".into(),
    };
    let status = errors.status();
    let page = ActivityFormPage {
        layout: user.layout(title, state),
        plan_id,
        plan_title: plan.title.clone(),
        number,
        offices: choices(plan, &values.offices),
        tag_fieldsets: fieldsets(&values.tags, &catalogues.groups, &catalogues.furag),
        values,
        errors,
        needs_reason,
        can_delete: number.is_some() && user.can(Action::DeleteActivity),
        can_assign: number.is_none() || user.can(Action::AssignResponsibles),
        delete_reason: String::new(),
        message,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub fn routes() -> Routes {
    Routes::staff()
        .get("/planes/{id}/actividades/nueva", new_form)
        .post("/planes/{id}/actividades/nueva", create)
        .get("/planes/{id}/actividades/{number}/editar", edit_form)
        .post("/planes/{id}/actividades/{number}/editar", update)
        .post("/planes/{id}/actividades/{number}/eliminar", delete)
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::CreateActivity)?;
    let (plan, needs_reason) = editable_plan(&state, PlanId(id)).await?;
    let next = plan
        .activities
        .iter()
        .map(|a| a.number.get())
        .max()
        .unwrap_or(0)
        + 1;
    let values = ActivityFormValues {
        number: next.to_string(),
        ..Default::default()
    };
    form_page(
        &state,
        &user,
        id,
        &plan,
        None,
        values,
        Errors::new(),
        needs_reason,
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::CreateActivity)?;
    let (plan, _) = editable_plan(&state, PlanId(id)).await?;
    let values = values_from(&form);
    save(&state, &user, id, plan, None, values).await
}

fn find(plan: &Plan, number: u32) -> AppResult<(ActivityNumber, &Activity)> {
    let n = ActivityNumber::new(number).map_err(|_| AppError::NotFound)?;
    let a = plan
        .activities
        .iter()
        .find(|a| a.number == n)
        .ok_or(AppError::NotFound)?;
    Ok((n, a))
}

/// The edit form's `?mensaje=`: `sugerida` after the coverage check created the
/// activity from a finding.
#[derive(serde::Deserialize)]
pub struct EditQuery {
    mensaje: Option<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    crate::extract::Query(q): crate::extract::Query<EditQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let (plan, needs_reason) = editable_plan(&state, PlanId(id)).await?;
    let (_, activity) = find(&plan, number)?;
    user.require(Action::EditActivity(&activity.responsible))?;
    let values = values_of(activity);
    form_page(
        &state,
        &user,
        id,
        &plan,
        Some(number),
        values,
        Errors::new(),
        needs_reason,
        match q.mensaje.as_deref() {
            Some("sugerida") => Some(
                "Se creó la actividad sugerida por el hallazgo, con sus etiquetas. Complete                  sus fechas, dependencias responsables y producto o entregable, y guárdela.",
            ),
            _ => None,
        },
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let (plan, _) = editable_plan(&state, PlanId(id)).await?;
    let (n, activity) = find(&plan, number)?;
    user.require(Action::EditActivity(&activity.responsible))?;
    let values = values_from(&form);
    save(&state, &user, id, plan.clone(), Some(n), values).await
}

/// Why an edit made inside the store's transaction was not saved.
enum Refusal {
    /// The form comes back with these errors.
    Form { errors: Errors, needs_reason: bool },
    /// Refused as a whole (not found, not allowed).
    App(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::App(e)
    }
}

impl From<participa_store::StoreError> for Refusal {
    fn from(e: participa_store::StoreError) -> Self {
        Refusal::App(AppError::Store(e))
    }
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    plan: Plan,
    number: Option<ActivityNumber>,
    values: ActivityFormValues,
) -> AppResult<Response> {
    let catalogues = Catalogues::load(state, &plan).await?;
    let actor = user.actor();
    // Read, changed and written in one transaction: another activity saved meanwhile
    // is kept.
    let outcome = state
        .store
        .edit_plan(PlanId(id), &actor, |current, needs_reason| {
            let mut values = values.clone();
            let before = match number {
                Some(n) => {
                    let (_, old) = find(current, n.get())?;
                    user.require(Action::EditActivity(&old.responsible))?;
                    // Only the planning office changes who is responsible: a form
                    // without offices (a responsible office's) keeps them, and another
                    // set of offices is refused.
                    if !user.can(Action::AssignResponsibles) {
                        let stored: Vec<String> =
                            old.responsible.iter().map(|c| c.to_string()).collect();
                        let mut sent = values.offices.clone();
                        sent.sort();
                        sent.dedup();
                        let mut same = stored.clone();
                        same.sort();
                        if !sent.is_empty() && sent != same {
                            return Err(Refusal::App(AppError::Forbidden));
                        }
                        values.offices = stored;
                    }
                    Some(serde_json::to_string(old).unwrap_or_default())
                }
                None => None,
            };
            let (new_plan, activity) = require_reason(
                apply(current, number, &values, &catalogues),
                needs_reason,
                &values.reason,
                "motivo",
            )
            .map_err(|errors| Refusal::Form {
                errors,
                needs_reason,
            })?;
            // A reporter may neither take an activity out of its offices nor hand it over.
            user.require(Action::EditActivity(&activity.responsible))?;
            let edit = PlanEdit {
                plan: new_plan,
                reason: needs_reason.then(|| values.reason.clone()),
                action: if number.is_some() {
                    participa_store::AuditAction::ActivityUpdate
                } else {
                    participa_store::AuditAction::ActivityCreate
                },
                subject: format!("actividad {} del plan {id}", activity.number),
                before,
                after: Some(serde_json::to_string(&activity).unwrap_or_default()),
            };
            Ok::<_, Refusal>((edit, activity.number))
        })
        .await;
    let (saved, shown) = match outcome {
        Ok(ok) => ok,
        Err(Refusal::App(e)) => return Err(e),
        Err(Refusal::Form {
            errors,
            needs_reason,
        }) => {
            let shown = number.map(|n| n.get());
            return form_page(
                state,
                user,
                id,
                &plan,
                shown,
                values,
                errors,
                needs_reason,
                None,
            )
            .await;
        }
    };
    let msg = if saved.new_version {
        "nueva-version"
    } else {
        "guardado"
    };
    Ok(Redirect::to(&format!(
        "/admin/planes/{id}?mensaje={msg}#actividad-{shown}"
    ))
    .into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(i64, u32)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::DeleteActivity)?;
    let (plan, needs_reason) = editable_plan(&state, PlanId(id)).await?;
    let (n, activity) = find(&plan, number)?;
    let activity = activity.clone();
    let reason = form.get("motivo").trim().to_string();
    if let Err(errors) = require_reason(Ok(()), needs_reason, &reason, "motivo_eliminar") {
        let catalogues = Catalogues::load(&state, &plan).await?;
        let values = values_of(&activity);
        let page = ActivityFormPage {
            layout: user.layout(format!("Editar la actividad {number}"), &state),
            plan_id: id,
            plan_title: plan.title.clone(),
            number: Some(number),
            offices: choices(&plan, &values.offices),
            tag_fieldsets: fieldsets(&values.tags, &catalogues.groups, &catalogues.furag),
            values,
            errors,
            needs_reason,
            can_delete: true,
            can_assign: true,
            delete_reason: reason,
            message: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    let actor = user.actor();
    let saved = state
        .store
        .edit_plan(PlanId(id), &actor, |current, needs_reason| {
            if needs_reason && reason.is_empty() {
                // Published meanwhile: the next try asks for the reason.
                return Err(AppError::Store(participa_store::StoreError::ReasonRequired));
            }
            let (_, old) = find(current, n.get())?;
            let before = serde_json::to_string(old).unwrap_or_default();
            let mut draft = current.clone().into_draft();
            draft.activities.retain(|a| a.number != n);
            // Removing an activity leaves the others as they were saved, so no rule
            // that held before can break now.
            let new_plan = Plan::try_edit(current, draft).map_err(|e| {
                AppError::Internal(format!("removing an activity broke a rule: {e}"))
            })?;
            let edit = PlanEdit {
                plan: new_plan,
                reason: needs_reason.then(|| reason.clone()),
                action: participa_store::AuditAction::ActivityDelete,
                subject: format!("actividad {n} del plan {id}"),
                before: Some(before),
                after: None,
            };
            Ok::<_, AppError>((edit, ()))
        })
        .await?
        .0;
    let msg = if saved.new_version {
        "nueva-version"
    } else {
        "eliminada"
    };
    Ok(Redirect::to(&format!("/admin/planes/{id}?mensaje={msg}")).into_response())
}
