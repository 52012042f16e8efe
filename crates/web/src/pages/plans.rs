//! Staff pages of a plan: list, page, header form, import, lifecycle, versions, exports.

use super::routing::Routes;
use super::shared::editable_plan;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::form::{require_reason, FieldErrors, FormData};
use crate::views::{
    transition_buttons, ConfirmList, ConfirmPage, DiffPage, PlanFormPage, PlanFormValues,
    PlanListItem, PlanPage, PlanView, PlansPage, VersionRow, VersionsPage,
};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::today;
use participa_domain::plan::{ActivityField, PlanField};
use participa_domain::{
    offices_sentence, Action, Alignment, AlignmentCode, CodedText, EditMode, LegalFramework,
    Office, OfficeCode, OfficeRole, Plan, PlanDraft, PlanStatus, PlanYear, Transition,
};
use participa_formats::ExportFormat;
use participa_store::{Acta, PlanEdit, PlanId, StoreError};
use serde::Deserialize;
use std::str::FromStr;

pub fn routes() -> Routes {
    Routes::staff()
        .get("/planes", list)
        .get("/planes/nuevo", new_form)
        .post("/planes/nuevo", create)
        .get("/planes/{id}", show)
        .get("/planes/{id}/editar", edit_form)
        .post("/planes/{id}/editar", update)
        .post("/planes/{id}/estado", transition)
        .get("/planes/{id}/versiones", versions)
        .get("/planes/{id}/versiones/diferencias", diff)
        .get("/planes/{id}/exportar/{format}", export)
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let plans = state
        .store
        .plans()
        .await?
        .into_iter()
        .map(|p| PlanListItem {
            id: p.id.0,
            title: p.title,
            year: p.year,
            activities: p.activity_count,
            version: p.version,
            status: p.status.label(),
        })
        .collect();
    let reminders = if user.user.offices.is_empty() {
        vec![]
    } else {
        participa_app::reminders::all_reminders(&state.store, today())
            .await?
            .into_iter()
            .filter(|r| user.user.offices.iter().any(|o| o.as_str() == r.office))
            .collect()
    };
    let page = PlansPage {
        layout: user.layout("Planes", &state),
        plans,
        can_create: user.can(Action::CreatePlan),
        reminders,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    dependencia: Option<String>,
    mensaje: Option<String>,
}

/// Fixed messages a redirect may ask the plan page to show.
fn message(code: &str) -> Option<String> {
    Some(
        match code {
            "guardado" => "Cambios guardados.",
            "nueva-version" => "Cambios guardados en una nueva versión del plan, en borrador.",
            "importado" => "Plan importado como versión 1, en borrador.",
            "creado" => "Plan creado como versión 1, en borrador.",
            "estado" => "El estado del plan cambió.",
            "eliminada" => "Actividad eliminada.",
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let id = PlanId(id);
    let plan_state = state.store.plan_state(id).await?;
    let plan = state.store.plan(id).await?;
    let coverage = state.store.coverage(id).await?;
    let pending_findings = coverage.pending().len();
    let mode = plan_state.status.edit_mode();
    let open = mode != EditMode::Locked;
    let filter = q
        .dependencia
        .filter(|d| plan.offices.iter().any(|o| o.code.as_str() == d))
        .unwrap_or_default();
    let versions = state.store.versions(id).await?;
    let this = versions.iter().find(|v| v.version == plan_state.version);
    let view = PlanView::new(
        &plan,
        today(),
        (!filter.is_empty()).then_some(filter.as_str()),
        |a| open && user.can(Action::EditActivity(&a.responsible)),
    )
    .approved(&plan, this.and_then(|v| v.approval.as_ref()));
    let returned = this
        .filter(|v| v.status == PlanStatus::Draft)
        .and_then(|v| v.returns.last())
        .map(crate::views::return_text);
    let page = PlanPage {
        layout: user.layout(plan.title.clone(), &state),
        id: id.0,
        version: plan_state.version,
        status: plan_state.status,
        plan: view,
        office_filter: filter,
        transitions: transition_buttons(plan_state.status, &user, pending_findings),
        can_edit_header: open && user.can(Action::EditPlanHeader),
        can_add: open && user.can(Action::CreateActivity),
        editable: mode == EditMode::InPlace,
        published_notice: mode == EditMode::NewVersion,
        message: q.mensaje.as_deref().and_then(message),
        findings: coverage.items.len(),
        pending_findings,
        returned,
    };
    Ok(Html(page.render()?))
}

fn values_of(plan: &Plan) -> PlanFormValues {
    let a = &plan.alignment;
    PlanFormValues {
        title: plan.title.clone(),
        year: plan.year.to_string(),
        policy: a.policy.clone(),
        so_code: a.strategic_objective.code.to_string(),
        so_text: a.strategic_objective.text.clone(),
        oo_code: a.office_objective.code.to_string(),
        oo_text: a.office_objective.text.clone(),
        si_code: a.strategic_initiative.code.to_string(),
        si_text: a.strategic_initiative.text.clone(),
        objectives: plan.objectives.join("\n"),
        legal: plan.legal_framework.text.clone(),
        offices: plan
            .offices
            .iter()
            .map(|o| {
                let role = match o.role {
                    OfficeRole::Leader => "líder",
                    OfficeRole::Support => "apoyo",
                };
                format!("{} | {} | {role}", o.code, o.name)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        reason: String::new(),
    }
}

fn values_from(form: &FormData) -> PlanFormValues {
    PlanFormValues {
        title: form.get("titulo").trim().into(),
        year: form.get("vigencia").trim().into(),
        policy: form.get("politica").trim().into(),
        so_code: form.get("oe_codigo").trim().into(),
        so_text: form.get("oe_texto").trim().into(),
        oo_code: form.get("od_codigo").trim().into(),
        oo_text: form.get("od_texto").trim().into(),
        si_code: form.get("ie_codigo").trim().into(),
        si_text: form.get("ie_texto").trim().into(),
        objectives: form.get("objetivos").into(),
        legal: form.get("marco_legal").into(),
        offices: form.get("dependencias").into(),
        reason: form.get("motivo").into(),
    }
}

fn parse_offices(text: &str) -> Result<Vec<Office>, String> {
    let mut offices = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [code, name, role] = parts.as_slice() else {
            return Err(format!(
                "Línea {}: escriba CÓDIGO | Nombre | líder o apoyo.",
                i + 1
            ));
        };
        let code = OfficeCode::parse(code).map_err(|e| format!("Línea {}: {e}", i + 1))?;
        let role = match role.to_lowercase().as_str() {
            "líder" | "lider" => OfficeRole::Leader,
            "apoyo" => OfficeRole::Support,
            other => {
                return Err(format!(
                    "Línea {}: el papel «{other}» no es «líder» ni «apoyo».",
                    i + 1
                ))
            }
        };
        if name.is_empty() {
            return Err(format!(
                "Línea {}: falta el nombre de la dependencia.",
                i + 1
            ));
        }
        offices.push(Office {
            code,
            name: name.to_string(),
            role,
        });
    }
    Ok(offices)
}

fn field_name(field: PlanField) -> &'static str {
    match field {
        PlanField::Entity | PlanField::Title => "titulo",
        PlanField::Policy => "politica",
        PlanField::StrategicObjective => "oe_texto",
        PlanField::OfficeObjective => "od_texto",
        PlanField::StrategicInitiative => "ie_texto",
        PlanField::Objectives => "objetivos",
        // An activity's dates far from a new vigencia: the year is what changed.
        PlanField::Activity(_, ActivityField::Start | ActivityField::End) => "vigencia",
        PlanField::Offices | PlanField::Activity(..) | PlanField::Signature(_) => "dependencias",
    }
}

/// Builds the plan the header form describes on top of `base` (its activities and
/// signatures stay), or the errors by field; `saved` is the plan being edited.
fn plan_from_form(
    v: &PlanFormValues,
    base: PlanDraft,
    saved: Option<&Plan>,
) -> Result<Plan, FieldErrors> {
    let mut errors = FieldErrors::new();
    let year = v
        .year
        .parse::<i32>()
        .map_err(|_| "Escriba el año con cuatro cifras, por ejemplo 2026.".to_string())
        .and_then(|y| PlanYear::new(y).map_err(|e| e.to_string()));
    let mut code = |name: &'static str, text: &str| match AlignmentCode::parse(text) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.insert(name, format!("{e}"));
            None
        }
    };
    let so = code("oe_codigo", &v.so_code);
    let oo = code("od_codigo", &v.oo_code);
    let si = code("ie_codigo", &v.si_code);
    let offices = parse_offices(&v.offices);
    if let Err(e) = &year {
        errors.insert("vigencia", e.clone());
    }
    if let Err(e) = &offices {
        errors.insert("dependencias", e.clone());
    }
    let (Ok(year), Ok(offices), Some(so), Some(oo), Some(si)) = (year, offices, so, oo, si) else {
        return Err(errors);
    };
    let offices_text = if offices == base.offices {
        base.offices_text.clone()
    } else {
        offices_sentence(&offices)
    };
    let draft = PlanDraft {
        title: v.title.clone(),
        year,
        alignment: Alignment {
            policy: v.policy.clone(),
            strategic_objective: CodedText {
                code: so,
                text: v.so_text.clone(),
            },
            office_objective: CodedText {
                code: oo,
                text: v.oo_text.clone(),
            },
            strategic_initiative: CodedText {
                code: si,
                text: v.si_text.clone(),
            },
        },
        objectives: v
            .objectives
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        legal_framework: LegalFramework::from_text(&v.legal),
        offices,
        offices_text,
        ..base
    };
    match saved {
        Some(saved) => Plan::try_edit(saved, draft),
        None => Plan::try_from_draft(draft),
    }
    .map_err(|e| {
        for err in e.0 {
            errors.add_first(field_name(err.field()), &err);
        }
        errors
    })
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::CreatePlan)?;
    let year = today().year_ce().1 as i32 + 1;
    let page = PlanFormPage {
        layout: user.layout("Nuevo plan", &state),
        plan_id: None,
        values: PlanFormValues {
            title: format!("Plan de Participación Ciudadana {year}"),
            year: year.to_string(),
            ..PlanFormValues::default()
        },
        errors: FieldErrors::new(),
        needs_reason: false,
    };
    Ok(Html(page.render()?))
}

use chrono::Datelike;

fn empty_draft(entity: &str) -> PlanDraft {
    PlanDraft {
        entity: entity.to_string(),
        title: String::new(),
        year: PlanYear::new(2025).expect("valid year"),
        alignment: Alignment {
            policy: String::new(),
            strategic_objective: CodedText::split("1 x").expect("code"),
            office_objective: CodedText::split("1.1 x").expect("code"),
            strategic_initiative: CodedText::split("1.1.1 x").expect("code"),
        },
        objectives: vec![],
        legal_framework: LegalFramework::from_text(""),
        offices: vec![],
        offices_text: String::new(),
        activities: vec![],
        signatures: vec![],
        version: None,
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::CreatePlan)?;
    let values = values_from(&form);
    match plan_from_form(&values, empty_draft(&state.entity), None) {
        Ok(plan) => {
            let id = state.store.create_plan(&plan, None, &user.actor()).await?;
            Ok(Redirect::to(&format!("/admin/planes/{}?mensaje=creado", id.0)).into_response())
        }
        Err(errors) => {
            let page = PlanFormPage {
                layout: user.layout("Nuevo plan", &state),
                plan_id: None,
                values,
                errors,
                needs_reason: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

/// The plan and whether a change opens a new version; refuses while under review.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    user.require(Action::EditPlanHeader)?;
    let (plan, needs_reason) = editable_plan(&state, PlanId(id)).await?;
    let page = PlanFormPage {
        layout: user.layout("Editar el encabezado del plan", &state),
        plan_id: Some(id),
        values: values_of(&plan),
        errors: FieldErrors::new(),
        needs_reason,
    };
    Ok(Html(page.render()?))
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::EditPlanHeader)?;
    editable_plan(&state, PlanId(id)).await?;
    let values = values_from(&form);
    let actor = user.actor();
    // Read, changed and written in one transaction: an activity saved meanwhile is kept.
    let outcome = state
        .store
        .edit_plan(PlanId(id), &actor, |old, needs_reason| {
            let plan = require_reason(
                plan_from_form(&values, old.clone().into_draft(), Some(old)),
                needs_reason,
                &values.reason,
                "motivo",
            )
            .map_err(|errors| HeaderRefusal::Form {
                errors,
                needs_reason,
            })?;
            let edit = PlanEdit {
                reason: needs_reason.then(|| values.reason.clone()),
                action: participa_store::AuditAction::PlanUpdateHeader,
                subject: format!("encabezado del plan {id}"),
                before: Some(header_json(old)),
                after: Some(header_json(&plan)),
                plan,
            };
            Ok((edit, ()))
        })
        .await;
    match outcome {
        Err(HeaderRefusal::Store(e)) => Err(e.into()),
        Ok((saved, ())) => {
            let msg = if saved.new_version {
                "nueva-version"
            } else {
                "guardado"
            };
            Ok(Redirect::to(&format!("/admin/planes/{id}?mensaje={msg}")).into_response())
        }
        Err(HeaderRefusal::Form {
            errors,
            needs_reason,
        }) => {
            let page = PlanFormPage {
                layout: user.layout("Editar el encabezado del plan", &state),
                plan_id: Some(id),
                values,
                errors,
                needs_reason,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

/// Why a header edit was not saved.
enum HeaderRefusal {
    /// The form comes back with these errors.
    Form {
        errors: FieldErrors,
        needs_reason: bool,
    },
    Store(StoreError),
}

impl From<StoreError> for HeaderRefusal {
    fn from(e: StoreError) -> Self {
        HeaderRefusal::Store(e)
    }
}

/// The header of a plan (everything but activities and signatures) as JSON, for the audit log.
fn header_json(plan: &Plan) -> String {
    serde_json::json!({
        "titulo": plan.title,
        "vigencia": plan.year.get(),
        "alineacion": plan.alignment,
        "objetivos": plan.objectives,
        "marco_legal": plan.legal_framework.text,
        "dependencias": plan.offices,
    })
    .to_string()
}

/// The confirmation page of a plan step: what it will do, and the fields it needs.
#[allow(clippy::too_many_arguments)]
fn step_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    plan_title: &str,
    t: Transition,
    seen: (i64, PlanStatus),
    typed: &StepTyped,
    errors: FieldErrors,
) -> AppResult<Response> {
    let (version, status) = seen;
    let mut lists = vec![];
    if t == Transition::ReturnToDraft {
        lists.push(ConfirmList {
            title: "Dónde queda el motivo".into(),
            empty: String::new(),
            items: vec![(
                "En el historial de versiones, en la página del plan y en el registro de auditoría."
                    .into(),
                None,
            )],
        });
    }
    let page = ConfirmPage {
        layout: user.layout(format!("{} el plan", t.label()), state),
        heading: format!(
            "¿{} la versión {version} de «{plan_title}»?",
            capitalized(t.verb())
        ),
        back_href: format!("/admin/planes/{id}"),
        back_text: "Volver al plan sin hacer nada".into(),
        consequences: std::iter::once(format!(
            "Ahora está en estado «{}».",
            status.label()
        ))
        .chain(t.consequences(status).iter().map(|c| c.to_string()))
        .collect(),
        lists,
        action: format!("/admin/planes/{id}/estado"),
        hidden: vec![
            ("accion".into(), t.as_str().into()),
            ("version".into(), version.to_string()),
            ("estado".into(), status.as_str().into()),
        ],
        acta: (t == Transition::Approve).then(|| (typed.acta_number.clone(), typed.acta_date.clone())),
        reason: t.needs_reason().then(|| {
            (
                if status == PlanStatus::Reviewed && !user.can(Action::ReturnToDraft) {
                    "Observaciones para la Oficina de Planeación (por qué no se aprueba; obligatorio)"
                } else {
                    "Motivo de la devolución (obligatorio; queda en el historial)"
                }
                .to_string(),
                typed.reason.clone(),
            )
        }),
        checkbox: None,
        button: format!("Sí, {}", t.verb()),
        errors,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the step's confirmation form holds.
struct StepTyped {
    acta_number: String,
    acta_date: String,
    reason: String,
}

/// A plan step. Without `confirmar=si` nothing changes: the answer is the confirmation
/// page, which says what the step does; the confirmed request carries the version and
/// state that page showed, and is refused when the plan moved meanwhile.
pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    let t = Transition::parse(form.get("accion"))
        .ok_or_else(|| AppError::BadRequest("Acción de estado desconocida.".into()))?;
    let current = state.store.plan_state(PlanId(id)).await?;
    if !t.allowed(current.status, |a| user.can(a)) {
        return Err(AppError::Forbidden);
    }
    let typed = StepTyped {
        acta_number: form.get("acta_numero").trim().to_string(),
        acta_date: form.get("acta_fecha").trim().to_string(),
        reason: form.get("motivo").trim().to_string(),
    };
    let seen = match (
        form.get("version").parse::<i64>().ok(),
        PlanStatus::parse(form.get("estado")),
    ) {
        (Some(v), Some(s)) => (v, s),
        _ => (current.version, current.status),
    };
    if form.get("confirmar") != "si" {
        current.status.after(t).map_err(StoreError::from)?;
        if t == Transition::Consolidate
            && !state.store.coverage(PlanId(id)).await?.pending().is_empty()
        {
            return Ok(
                Redirect::to(&format!("/admin/planes/{id}/cobertura?mensaje=pendientes"))
                    .into_response(),
            );
        }
        let plan = state.store.plan(PlanId(id)).await?;
        return step_page(
            &state,
            &user,
            id,
            &plan.title,
            t,
            seen,
            &typed,
            FieldErrors::new(),
        );
    }
    let mut errors = FieldErrors::new();
    let acta = if t == Transition::Approve {
        if typed.acta_number.is_empty() {
            errors.insert(
                "acta_numero",
                "Escriba el número del acta del CIGD que aprueba el plan.".into(),
            );
        }
        match participa_domain::dates::parse_field("la fecha del acta", &typed.acta_date) {
            Ok(date) => Some(Acta {
                number: typed.acta_number.clone(),
                date,
            }),
            Err(e) => {
                errors.add("acta_fecha", &e);
                None
            }
        }
    } else {
        None
    };
    if t.needs_reason() && typed.reason.is_empty() {
        errors.add("motivo", StoreError::ReturnReasonRequired);
    }
    let request = participa_store::StepRequest {
        transition: t,
        acta: acta.as_ref(),
        reason: Some(typed.reason.as_str()),
        seen: Some(seen),
        rules: Some(participa_store::StepRules {
            today: today(),
            date_of: participa_app::dates::colombia_date,
        }),
    };
    let outcome = if errors.is_empty() {
        state.store.step(PlanId(id), &request, &user.actor()).await
    } else {
        Err(StoreError::ReturnReasonRequired)
    };
    match outcome {
        Ok(_) => {}
        Err(StoreError::FindingsPending(_)) => {
            return Ok(
                Redirect::to(&format!("/admin/planes/{id}/cobertura?mensaje=pendientes"))
                    .into_response(),
            )
        }
        Err(e @ StoreError::StepStale { .. }) => {
            user.flash(crate::form::sentence(&e.to_string())).await?;
            return Ok(Redirect::to(&format!("/admin/planes/{id}")).into_response());
        }
        Err(e @ (StoreError::ActaDate(_) | StoreError::ReturnReasonRequired)) => {
            match e {
                StoreError::ActaDate(e) => errors.add("acta_fecha", e),
                _ if errors.is_empty() => errors.add("motivo", &e),
                _ => {}
            }
            let plan = state.store.plan(PlanId(id)).await?;
            return step_page(&state, &user, id, &plan.title, t, seen, &typed, errors);
        }
        Err(e) => return Err(e.into()),
    };
    // This process's public page shows the new version at once (others within a second).
    state
        .public_pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(plan, _), _| *plan != id);
    let message = match &acta {
        Some(a) => format!(
            "Versión {} aprobada por el CIGD con el acta n.º {} del {}: ya se puede publicar.",
            seen.0,
            a.number,
            participa_app::dates::fecha(a.date)
        ),
        None => t.done(seen.0),
    };
    user.flash(message).await?;
    Ok(Redirect::to(&format!("/admin/planes/{id}")).into_response())
}

pub async fn versions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let plan = state.store.plan(PlanId(id)).await?;
    let versions = state.store.versions(PlanId(id)).await?;
    let last = versions.last().map_or(1, |v| v.version);
    let page = VersionsPage {
        layout: user.layout("Historial de versiones", &state),
        plan_id: id,
        plan_title: plan.title.clone(),
        versions: versions.iter().map(VersionRow::new).collect(),
        from: (last - 1).max(1),
        to: last,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct DiffQuery {
    desde: i64,
    hasta: i64,
}

pub async fn diff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let old = state.store.version_plan(PlanId(id), q.desde).await?;
    let new = state.store.version_plan(PlanId(id), q.hasta).await?;
    let page = DiffPage {
        layout: user.layout(
            format!("Diferencias entre las versiones {} y {}", q.desde, q.hasta),
            &state,
        ),
        plan_id: id,
        from: q.desde,
        to: q.hasta,
        diff: participa_domain::diff(&old, &new),
    };
    Ok(Html(page.render()?))
}

pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, format)): Path<(i64, String)>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let format = ExportFormat::from_str(&format).map_err(|_| AppError::NotFound)?;
    let plan_state = state.store.plan_state(PlanId(id)).await?;
    let plan = state.store.plan(PlanId(id)).await?;
    let status = if plan_state.status == PlanStatus::Published {
        String::new()
    } else {
        format!("-{}", plan_state.status.as_str())
    };
    Ok(super::shared::download(
        &plan,
        format,
        &format!("plan-{}-v{}{status}", plan.year, plan_state.version),
        &super::shared::group_names(&state).await?,
    ))
}
