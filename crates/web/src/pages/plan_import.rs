//! Importing a plan from the entity's own document, with a preview: the upload is kept
//! for the person who sent it; the preview shows the columns found and the field each
//! goes to (changeable there), the first activities as they will be stored and every
//! problem with its line and column; one click imports it all, or nothing. The columns
//! chosen are kept for the entity and offered with its next file.

use super::routing::Routes;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Multipart, Path, Query};
use crate::form::FormData;
use crate::views::{detail_lines, ImportPage, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::fecha;
use participa_domain::reimport::reimport;
use participa_domain::{Action, Plan};
use participa_formats::table_columns::{Mapping, Meaning, TableColumn, OTHER};
use participa_formats::{import_plan, ImportErrors, ReadOptions};
use participa_store::PlanId;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::staff()
        .get("/planes/importar", form)
        .get("/planes/plantilla.xlsx", template)
        .post_up_to("/planes/importar", upload, crate::IMPORT_LIMIT)
        .get("/planes/importar/{id}", preview)
        .post("/planes/importar/{id}/columnas", choose_columns)
        .post("/planes/importar/{id}", import)
        .post("/planes/importar/{id}/version", import_over)
}

/// How many activities the preview shows as they will be stored.
const SHOWN: usize = 5;

pub async fn form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::ImportPlan)?;
    let page = ImportPage {
        layout: user.layout("Importar un plan", &state),
        file: String::new(),
        errors: vec![],
        count: String::new(),
        more: None,
        summary: None,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/planes/plantilla.xlsx`: an empty plan to fill in, with the offices of the
/// entity's latest plan and its groups of value in the drop-downs, for the vigencia
/// being formulated (the next one from October on, when plans are drawn up).
pub async fn template(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    use chrono::Datelike;
    user.require(Action::ImportPlan)?;
    let today = participa_app::dates::today();
    let year = if today.month() >= 10 {
        today.year() + 1
    } else {
        today.year()
    };
    let latest = state
        .store
        .plans()
        .await?
        .into_iter()
        .max_by_key(|p| (p.year, p.id.0));
    let offices = match latest {
        Some(p) => state.store.plan(p.id).await?.offices.clone(),
        None => vec![],
    };
    let group_names: Vec<String> = state
        .store
        .value_groups()
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    let entity = state.entity.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        participa_formats::template::template_xlsx(&participa_formats::template::TemplateData {
            entity: &entity,
            year,
            offices: &offices,
            group_names: &group_names,
            today,
        })
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plantilla-plan-participacion-{year}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /admin/planes/importar`: keeps the file and shows its preview.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Action::ImportPlan)?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("archivo") {
            let name = field
                .file_name()
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                .unwrap_or_else(|| "archivo".into());
            let bytes = field.bytes().await.map_err(|_| {
                AppError::BadRequest(
                    "No se pudo recibir el archivo completo: ¿supera 10 MB? Vuelva a la página anterior y elíjalo de nuevo."
                        .into(),
                )
            })?;
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let page = ImportPage {
            layout: user.layout("Importar un plan", &state),
            file: String::new(),
            errors: vec!["Elija un archivo con el plan.".into()],
            count: "1 error".into(),
            more: None,
            summary: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let (options, remembered) = options(&state).await?;
    let (columns, plan) = read(&name, bytes.to_vec(), options).await?;
    match (&columns, &plan) {
        // Nothing in it reads as a table (a damaged or oversized workbook, a file that
        // is no plan): nothing to preview or keep.
        (Err(_), Err(e)) => {
            let page = ImportPage {
                layout: user.layout("Importar un plan", &state),
                file: name.clone(),
                errors: e.errors.iter().map(|e| e.to_string()).collect(),
                count: e.counted(),
                more: e.more(),
                summary: None,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        (_, Ok(_)) => {
            let id = state
                .store
                .stash_import(user.user.id, &name, &bytes)
                .await?;
            Ok(Redirect::to(&format!("/admin/planes/importar/{id}")).into_response())
        }
        // Its problems at once, with the columns to correct.
        (Ok(_), Err(_)) => {
            let id = state
                .store
                .stash_import(user.user.id, &name, &bytes)
                .await?;
            let read = Read {
                name,
                columns,
                plan,
                remembered,
                plans: vec![],
                over: None,
            };
            render(
                &state,
                &user,
                id,
                read,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
        }
    }
}

/// A file as the preview shows it.
struct Read {
    name: String,
    columns: Result<(Vec<TableColumn>, bool), ImportErrors>,
    plan: Result<Plan, ImportErrors>,
    remembered: bool,
    plans: Vec<(i64, String, bool)>,
    over: Option<Comparison>,
}

/// One column in the preview: its title and the choices, the one in force selected.
pub struct ColumnChoice {
    pub index: usize,
    pub title: String,
    /// (value, label, selected).
    pub options: Vec<(String, &'static str, bool)>,
}

/// An activity as it will be stored.
pub struct PreviewActivity {
    pub number: u32,
    pub description: String,
    pub dates: String,
    pub responsible: String,
    pub deliverable: String,
    pub details: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
pub struct PreviewPage {
    pub layout: Layout,
    pub id: i64,
    pub file: String,
    /// Whether a row was read as the table's title row.
    pub found: bool,
    pub columns: Vec<ColumnChoice>,
    /// The plan's title, year and number of activities, when it reads whole.
    pub summary: Option<String>,
    pub activities: Vec<PreviewActivity>,
    pub errors: Vec<String>,
    pub count: String,
    pub more: Option<String>,
    /// The columns were taken from the entity's last choice.
    pub remembered: bool,
    /// The entity's plans of the file's year, that it could update: (id, name, chosen).
    pub plans: Vec<(i64, String, bool)>,
    /// What importing it over the chosen plan would change.
    pub over: Option<Comparison>,
    /// The import over a published plan was sent without its reason.
    pub reason_missing: bool,
}

/// (field, before, after).
pub type Change = (String, String, String);

/// The file against a plan it would update.
pub struct Comparison {
    pub plan_id: i64,
    pub title: String,
    /// The plan is published: the import opens a new version, with its reason.
    pub needs_reason: bool,
    /// (field, before, after) of the header.
    pub header: Vec<Change>,
    /// (number, description, its changes).
    pub changed: Vec<(u32, String, Vec<Change>)>,
    /// (number it takes, description).
    pub added: Vec<(u32, String)>,
    /// The plan's activities the file does not have: (number, description).
    pub missing: Vec<(u32, String)>,
    /// Why it cannot be imported over this plan.
    pub refused: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PreviewQuery {
    /// The plan to compare the file with.
    #[serde(default)]
    pub sobre: Option<i64>,
}

/// The value of a meaning in the page's drop-downs.
fn key(m: Option<Meaning>) -> String {
    match m {
        Some(m) => Meaning::ALL
            .iter()
            .position(|x| *x == m)
            .map_or("otra".into(), |i| i.to_string()),
        None => "otra".into(),
    }
}

fn from_key(k: &str) -> Option<Option<Meaning>> {
    if k == "otra" {
        return Some(None);
    }
    k.parse::<usize>()
        .ok()
        .and_then(|i| Meaning::ALL.get(i).copied())
        .map(Some)
}

fn choices(columns: &[TableColumn]) -> Vec<ColumnChoice> {
    columns
        .iter()
        .map(|c| {
            let mut options: Vec<(String, &'static str, bool)> = Meaning::ALL
                .iter()
                .map(|m| (key(Some(*m)), m.label(), c.meaning == Some(*m)))
                .collect();
            options.push(("otra".into(), OTHER, c.meaning.is_none()));
            ColumnChoice {
                index: c.index,
                title: c.title.clone(),
                options,
            }
        })
        .collect()
}

async fn options(state: &AppState) -> AppResult<(ReadOptions, bool)> {
    let saved = state.store.import_mapping().await?;
    // A saved mapping that no longer reads is offered as none.
    let mapping = Mapping::parse(&saved).unwrap_or_default();
    Ok((
        ReadOptions {
            entity: state.entity.clone(),
            value_groups: super::shared::group_names(state).await?,
            mapping: mapping.clone(),
            ..Default::default()
        },
        !mapping.is_empty(),
    ))
}

/// Reads the file as it will be imported: its columns, and the plan or its errors.
async fn read(
    name: &str,
    bytes: Vec<u8>,
    options: ReadOptions,
) -> AppResult<(
    Result<(Vec<TableColumn>, bool), ImportErrors>,
    Result<Plan, ImportErrors>,
)> {
    let name = name.to_string();
    tokio::task::spawn_blocking(move || participa_formats::preview(&name, &bytes, &options))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The file `user` uploaded as `id`, read with the entity's columns: its name, and the
/// plan or its errors.
async fn pending_plan(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(String, Result<Plan, ImportErrors>)> {
    let (name, bytes) = state.store.pending_import(id, user.user.id).await?;
    let (options, _) = options(state).await?;
    let file = name.clone();
    let parsed = tokio::task::spawn_blocking(move || import_plan(&file, &bytes, &options))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((name, parsed))
}

/// `GET /admin/planes/importar/{id}`: the preview.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PreviewQuery>,
) -> AppResult<Response> {
    user.require(Action::ImportPlan)?;
    preview_page(&state, &user, id, q.sobre, StatusCode::OK, false).await
}

async fn preview_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    over: Option<i64>,
    status: StatusCode,
    reason_missing: bool,
) -> AppResult<Response> {
    let (name, bytes) = state.store.pending_import(id, user.user.id).await?;
    let (options, remembered) = options(state).await?;
    let (columns, plan) = read(&name, bytes, options).await?;
    let (plans, over) = match &plan {
        Ok(p) => updatable(state, p, over).await?,
        Err(_) => (vec![], None),
    };
    let read = Read {
        name,
        columns,
        plan,
        remembered,
        plans,
        over,
    };
    render(state, user, id, read, status, reason_missing)
}

/// The entity's plans of `incoming`'s year, and the comparison with the one chosen.
async fn updatable(
    state: &AppState,
    incoming: &Plan,
    chosen: Option<i64>,
) -> AppResult<(Vec<(i64, String, bool)>, Option<Comparison>)> {
    let plans: Vec<(i64, String, bool)> = state
        .store
        .plans()
        .await?
        .into_iter()
        .filter(|p| p.year == incoming.year.get())
        .map(|p| {
            (
                p.id.0,
                format!("{} (versión {}, {})", p.title, p.version, p.status.label()),
                Some(p.id.0) == chosen,
            )
        })
        .collect();
    let Some(plan_id) = chosen.filter(|c| plans.iter().any(|(p, _, _)| p == c)) else {
        return Ok((plans, None));
    };
    let title = plans
        .iter()
        .find(|(p, _, _)| *p == plan_id)
        .map(|(_, t, _)| t.clone())
        .unwrap_or_default();
    let (current, needs_reason) = match super::shared::editable_plan(state, PlanId(plan_id)).await {
        Ok(found) => found,
        Err(AppError::Store(participa_store::StoreError::Locked(status))) => {
            let refused = format!(
                "El plan está «{}»: mientras lo revisan o aprueban no se cambia; espere a que lo devuelvan o lo aprueben.",
                status.label()
            );
            return Ok((
                plans,
                Some(Comparison {
                    plan_id,
                    title,
                    needs_reason: false,
                    header: vec![],
                    changed: vec![],
                    added: vec![],
                    missing: vec![],
                    refused: Some(refused),
                }),
            ));
        }
        Err(e) => return Err(e),
    };
    let triple = |c: &participa_domain::diff::FieldChange| {
        (c.field.to_string(), c.before.clone(), c.after.clone())
    };
    let comparison = match reimport(&current, incoming, false) {
        Err(e) => Comparison {
            plan_id,
            title,
            needs_reason,
            header: vec![],
            changed: vec![],
            added: vec![],
            missing: vec![],
            refused: Some(e.to_string()),
        },
        Ok(r) => {
            let d = participa_domain::diff(&current.clone().into_draft(), &r.draft);
            let described = |n: participa_domain::ActivityNumber| {
                r.draft
                    .activities
                    .iter()
                    .find(|a| a.number == n)
                    .map(|a| a.description.clone())
                    .unwrap_or_default()
            };
            Comparison {
                plan_id,
                title,
                needs_reason,
                header: d.header.iter().map(triple).collect(),
                changed: d
                    .changed
                    .iter()
                    .map(|c| {
                        (
                            c.number.get(),
                            described(c.number),
                            c.changes.iter().map(triple).collect(),
                        )
                    })
                    .collect(),
                added: r.added.iter().map(|n| (n.get(), described(*n))).collect(),
                missing: r
                    .missing
                    .iter()
                    .map(|a| (a.number.get(), a.description.clone()))
                    .collect(),
                refused: None,
            }
        }
    };
    Ok((plans, Some(comparison)))
}

fn render(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    read: Read,
    status: StatusCode,
    reason_missing: bool,
) -> AppResult<Response> {
    let Read {
        name,
        columns,
        plan,
        remembered,
        plans,
        over,
    } = read;
    let (columns, found) = columns.unwrap_or_default();
    let (summary, activities, errors, count, more) = match plan {
        Ok(plan) => (
            Some(format!(
                "{} (vigencia {}, {}): {}.",
                plan.title,
                plan.year,
                plan.entity,
                crate::views::count(plan.activities.len(), "actividad", "actividades")
            )),
            plan.activities
                .iter()
                .take(SHOWN)
                .map(|a| PreviewActivity {
                    number: a.number.get(),
                    description: a.description.clone(),
                    dates: if a.start == a.end {
                        fecha(a.start)
                    } else {
                        format!("{} a {}", fecha(a.start), fecha(a.end))
                    },
                    responsible: a
                        .responsible
                        .iter()
                        .map(|c| plan.office(c).map_or(c.as_str(), |o| o.name.as_str()))
                        .collect::<Vec<_>>()
                        .join("; "),
                    deliverable: a.deliverable.clone(),
                    details: detail_lines(&a.details),
                })
                .collect(),
            vec![],
            String::new(),
            None,
        ),
        Err(e) => (
            None,
            vec![],
            e.errors.iter().map(|e| e.to_string()).collect(),
            e.counted(),
            e.more(),
        ),
    };
    let page = PreviewPage {
        layout: user.layout("Revisar el plan antes de importarlo", state),
        id,
        file: name,
        found,
        columns: choices(&columns),
        summary,
        activities,
        errors,
        count,
        more,
        remembered,
        plans,
        over,
        reason_missing,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /admin/planes/importar/{id}/columnas`: the columns as chosen in the page, kept
/// for the entity; the preview again.
pub async fn choose_columns(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ImportPlan)?;
    // The file must still be there (and be this person's) before anything is kept.
    state.store.pending_import(id, user.user.id).await?;
    let (options, _) = options(&state).await?;
    let mut mapping = options.mapping;
    for (name, value) in &form.0 {
        let Some(n) = name.strip_prefix("campo_") else {
            continue;
        };
        let title = form.get(&format!("titulo_{n}"));
        if title.trim().is_empty() {
            continue;
        }
        let chosen = from_key(value).ok_or_else(|| {
            AppError::BadRequest(format!(
                "El campo elegido para la columna «{title}» no existe; vuelva a la vista previa y elija uno de la lista."
            ))
        })?;
        mapping.set(title, chosen);
    }
    state.store.save_import_mapping(&mapping.to_text()).await?;
    Ok(Redirect::to(&format!("/admin/planes/importar/{id}")).into_response())
}

/// `POST /admin/planes/importar/{id}`: imports the file whole, or nothing.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ImportPlan)?;
    let (name, parsed) = pending_plan(&state, &user, id).await?;
    match parsed {
        Ok(plan) => {
            let plan_id = state
                .store
                .create_plan(&plan, Some(&name), &user.actor())
                .await?;
            state.store.drop_pending_import(id).await?;
            Ok(
                Redirect::to(&format!("/admin/planes/{}?mensaje=importado", plan_id.0))
                    .into_response(),
            )
        }
        Err(_) => {
            preview_page(
                &state,
                &user,
                id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await
        }
    }
}

/// `POST /admin/planes/importar/{id}/version`: the file over one of the entity's plans,
/// as the preview compared them: its activities matched by the entity's numbering or
/// by number (their follow-up stays linked), the plan's activities the file lacks
/// kept unless `quitar` says to remove them; a published plan gets a new version with
/// the reason given.
pub async fn import_over(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ImportPlan)?;
    let plan_id: i64 = form
        .get("plan")
        .parse()
        .map_err(|_| AppError::BadRequest("Elija el plan que el archivo actualiza.".into()))?;
    let (name, parsed) = pending_plan(&state, &user, id).await?;
    let Ok(incoming) = parsed else {
        return preview_page(
            &state,
            &user,
            id,
            Some(plan_id),
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
        )
        .await;
    };
    // The plan must be this entity's (another's is not found).
    state.store.plan_state(PlanId(plan_id)).await?;
    let remove = form.get("quitar") == "si";
    let reason = form.get("motivo").trim().to_string();
    let actor = user.actor();
    let outcome = state
        .store
        .edit_plan(PlanId(plan_id), &actor, |current, needs_reason| {
            use participa_app::reimport::{reimport_edit, Refused};
            match reimport_edit(
                plan_id,
                current,
                &incoming,
                &name,
                remove,
                &reason,
                needs_reason,
            ) {
                Ok((edit, _)) => Ok((edit, ())),
                Err(Refused::ReasonRequired) => {
                    Err(AppError::Store(participa_store::StoreError::ReasonRequired))
                }
                Err(Refused::Refused(why)) => Err(AppError::BadRequest(why)),
            }
        })
        .await;
    let saved = match outcome {
        Ok((saved, ())) => saved,
        Err(AppError::Store(participa_store::StoreError::ReasonRequired)) => {
            return preview_page(
                &state,
                &user,
                id,
                Some(plan_id),
                StatusCode::UNPROCESSABLE_ENTITY,
                true,
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    state.store.drop_pending_import(id).await?;
    let msg = if saved.new_version {
        "nueva-version"
    } else {
        "guardado"
    };
    Ok(Redirect::to(&format!("/admin/planes/{plan_id}?mensaje={msg}")).into_response())
}
