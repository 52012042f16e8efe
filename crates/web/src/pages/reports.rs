//! Report downloads: the plan document (PDF) and the follow-up report of a period (PDF
//! or XLSX). Typst runs on the blocking pool; the public plan PDF is kept per version.

use super::routing::Routes;
use super::shared::{attachment, send_deliverable};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::FormData;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::response::{Html, IntoResponse, Redirect};
use participa_app::dates::today;
use participa_app::report_data::{followup_report, plan_document, Audience};
use participa_domain::{Action, PlanStatus};
use participa_store::{PlanId, PublishedReport};

const PDF: &str = "application/pdf";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> Routes {
    Routes::public()
        .get("/planes/{id}/documento.pdf", public_plan_pdf)
        .get("/planes/{id}/seguimiento/{file}", public_followup)
        .get("/informes", public_reports)
        .get("/informes/{kind}/{file}", public_deliverable)
        .get(
            "/consultas/{id}/informe/{file}",
            public_consultation_results,
        )
        .merge(
            Routes::staff()
                .get("/planes/{id}/informes/plan.pdf", plan_pdf)
                .get("/planes/{id}/informes/seguimiento/{file}", followup)
                .get("/informes/{kind}/{file}", deliverable)
                .get("/consultas/{id}/informe/{file}", consultation_results)
                .post("/informes/{kind}/publicacion", publish_deliverable)
                .post(
                    "/consultas/{id}/informe/publicacion",
                    publish_consultation_results,
                ),
        )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, participa_reports::ReportError> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The current version of a plan as the PDF document (staff).
pub async fn plan_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let s = state.store.plan_state(PlanId(id)).await?;
    let plan = state.store.plan(PlanId(id)).await?;
    let status = format!("{} · versión {} en Participa", s.status.label(), s.version);
    let approval = state
        .store
        .versions(PlanId(id))
        .await?
        .into_iter()
        .find(|v| v.version == s.version)
        .and_then(|v| v.approval);
    let doc = plan_document(&plan, approval.as_ref(), &status, today());
    let pdf = blocking(move || participa_reports::plan_pdf(&doc)).await?;
    let suffix = if s.status == PlanStatus::Published {
        String::new()
    } else {
        format!("-{}", s.status.as_str())
    };
    Ok(attachment(
        pdf.into(),
        PDF,
        &format!("plan-{}-v{}{suffix}.pdf", plan.year, s.version),
    ))
}

/// The published version as PDF, for the public page; drawn once per version.
pub async fn public_plan_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let Some(published) = state.store.published_plan(PlanId(id)).await? else {
        return Err(AppError::NotFound);
    };
    let key = (id, published.version);
    let cached = state
        .public_pdfs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    let name = format!("plan-{}-v{}.pdf", published.plan.year, published.version);
    if let Some(pdf) = cached {
        return Ok(attachment(pdf, PDF, &name));
    }
    let status = format!("Publicado · versión {}", published.version);
    let doc = plan_document(
        &published.plan,
        published.approval.as_ref(),
        &status,
        today(),
    );
    let pdf: Bytes = blocking(move || participa_reports::plan_pdf(&doc))
        .await?
        .into();
    state
        .public_pdfs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, pdf.clone());
    Ok(attachment(pdf, PDF, &name))
}

/// `/admin/planes/{id}/informes/seguimiento/{n}.pdf` or `.xlsx`.
pub async fn followup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let (period, pdf) = followup_file(&file)?;
    let plan = state.store.plan(PlanId(id)).await?;
    let f = state.store.followup(PlanId(id)).await?;
    let name = followup_name(&plan, period, pdf);
    let bytes = followup_bytes(&state, id, &plan, &f, period, pdf, Audience::Staff).await?;
    Ok(attachment(bytes, if pdf { PDF } else { XLSX }, &name))
}

/// The period and format a follow-up report's file name asks for (`2.pdf`, `2.xlsx`):
/// (period, PDF?).
fn followup_file(file: &str) -> AppResult<(u32, bool)> {
    let (period, format) = file.split_once('.').ok_or(AppError::NotFound)?;
    let period: u32 = period.parse().map_err(|_| AppError::NotFound)?;
    match format {
        "pdf" => Ok((period, true)),
        "xlsx" => Ok((period, false)),
        _ => Err(AppError::NotFound),
    }
}

fn followup_name(plan: &participa_domain::Plan, period: u32, pdf: bool) -> String {
    let ext = if pdf { "pdf" } else { "xlsx" };
    format!("seguimiento-{}-periodo-{period}.{ext}", plan.year)
}

/// The follow-up report of `period` for `audience`, drawn as PDF or XLSX.
async fn followup_bytes(
    state: &AppState,
    id: i64,
    plan: &participa_domain::Plan,
    f: &participa_store::FollowUp,
    period: u32,
    pdf: bool,
    audience: Audience,
) -> AppResult<Bytes> {
    let calendar = state.store.calendar().await?;
    let today = today();
    let close_after = state.store.reporting_days(today).await?;
    let automatic = participa_app::report_data::automatic_figures(&state.store, id).await?;
    let report = followup_report(
        plan,
        f,
        &calendar,
        close_after,
        period,
        today,
        &automatic,
        audience,
    )
    .ok_or(AppError::NotFound)?;
    Ok(if pdf {
        blocking(move || participa_reports::followup_pdf(&report)).await?
    } else {
        blocking(move || participa_reports::followup_xlsx(&report)).await?
    }
    .into())
}

/// The format a deliverable's file name asks for (`informe.pdf`, `informe.xlsx`).
fn deliverable_format(file: &str) -> AppResult<&'static str> {
    match file {
        "informe.pdf" => Ok("pdf"),
        "informe.xlsx" => Ok("xlsx"),
        _ => Err(AppError::NotFound),
    }
}

/// `/admin/informes/{sugerencias|eventos|canales}/informe.pdf` or `.xlsx`: the
/// deliverable reports of the suggestions campaign, the events and the channel figures.
pub async fn deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, file)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let format = deliverable_format(&file)?;
    let report = load_deliverable(&state, &kind).await?;
    send_deliverable(report, &format!("informe-{kind}"), format).await
}

/// The report of kind `kind` (`sugerencias`, `eventos`, `canales`) as of today.
async fn load_deliverable(
    state: &AppState,
    kind: &str,
) -> AppResult<participa_reports::DeliverableReport> {
    use participa_app::deliverables as d;
    let (store, entity) = (&state.store, &state.entity);
    Ok(match kind {
        "sugerencias" => d::load_suggestions_report(store, entity, today()).await?,
        "eventos" => d::load_events_report(store, entity, today()).await?,
        "canales" => d::load_channels_report(store, entity, today()).await?,
        _ => return Err(AppError::NotFound),
    })
}

/// `/admin/consultas/{id}/informe/informe.pdf` or `.xlsx`: the results report of a
/// consultation or forum.
pub async fn consultation_results(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let format = deliverable_format(&file)?;
    let report =
        participa_app::deliverables::load_results_report(&state.store, &state.entity, id, today())
            .await?;
    send_deliverable(report, &format!("informe-resultados-consulta-{id}"), format).await
}

/// `/planes/{id}/seguimiento/{n}.pdf` or `.xlsx`: the public follow-up report of a
/// closed period of a published plan, with only the evidence the offices published and
/// no names or history of submissions. Drawn again only after an audited change.
pub async fn public_followup(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    let (period, pdf) = followup_file(&file)?;
    let Some(published) = state.store.published_plan(PlanId(id)).await? else {
        return Err(AppError::NotFound);
    };
    let f = state.store.followup(PlanId(id)).await?;
    if !f.is_closed(period) {
        return Err(AppError::NotFound);
    }
    let name = followup_name(&published.plan, period, pdf);
    let media = if pdf { PDF } else { XLSX };
    let change = state.last_change().await?;
    let key = (id, period, pdf);
    let cached = state
        .public_reports
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .filter(|(seen, _)| *seen == change)
        .map(|(_, bytes)| bytes.clone());
    if let Some(bytes) = cached {
        return Ok(attachment(bytes, media, &name));
    }
    let bytes = followup_bytes(
        &state,
        id,
        &published.plan,
        &f,
        period,
        pdf,
        Audience::Public,
    )
    .await?;
    state
        .public_reports
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, (change, bytes.clone()));
    Ok(attachment(bytes, media, &name))
}

// ------------------------------------------------------------ published reports

/// Where the staff page of each kind of report is (the publish buttons send back there).
fn staff_page(kind: &str, subject: i64) -> String {
    match kind {
        "sugerencias" => "/admin/sugerencias".into(),
        "eventos" => "/admin/eventos".into(),
        "canales" => "/admin/canales".into(),
        _ => format!("/admin/consultas/{subject}"),
    }
}

/// Publishes the report as it is today (its PDF and XLSX are kept, the public downloads
/// exactly those), or withdraws it: `accion` = `publicar` or `retirar`.
async fn set_published(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    subject: i64,
    report: participa_reports::DeliverableReport,
    form: &FormData,
) -> AppResult<Response> {
    let back = staff_page(kind, subject);
    match form.get("accion") {
        "publicar" => {
            let title = if kind == "consulta" {
                format!("{} · {}", report.title, report.header_text("Consulta"))
            } else {
                report.title.clone()
            };
            let r = report.clone();
            let pdf = blocking(move || participa_reports::deliverable_pdf(&r)).await?;
            let xlsx = blocking(move || participa_reports::deliverable_xlsx(&report)).await?;
            let published = PublishedReport {
                kind: kind.into(),
                subject,
                title,
                at: chrono::Utc::now(),
            };
            state
                .store
                .publish_report(&published, &pdf, &xlsx, &user.actor())
                .await?;
            user.flash(
                "Informe publicado: el sitio público ofrece desde ahora esta versión en Informes de participación.",
            )
            .await?;
            Ok(Redirect::to(&back).into_response())
        }
        "retirar" => {
            let withdrawn = state
                .store
                .withdraw_report(kind, subject, &user.actor())
                .await?;
            user.flash(if withdrawn {
                "Informe retirado del sitio público."
            } else {
                "Ese informe no estaba publicado."
            })
            .await?;
            Ok(Redirect::to(&back).into_response())
        }
        _ => Err(AppError::BadRequest(
            "Elija si publica o retira el informe.".into(),
        )),
    }
}

/// `POST /admin/informes/{kind}/publicacion`.
pub async fn publish_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let report = load_deliverable(&state, &kind).await?;
    set_published(&state, &user, &kind, 0, report, &form).await
}

/// `POST /admin/consultas/{id}/informe/publicacion`.
pub async fn publish_consultation_results(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let report =
        participa_app::deliverables::load_results_report(&state.store, &state.entity, id, today())
            .await?;
    set_published(&state, &user, "consulta", id, report, &form).await
}

/// A published report's file, as it was published; not found otherwise.
async fn send_published(
    state: &AppState,
    kind: &str,
    subject: i64,
    file: &str,
) -> AppResult<Response> {
    let format = deliverable_format(file)?;
    let xlsx = format == "xlsx";
    let (bytes, at) = state
        .store
        .published_report_file(kind, subject, xlsx)
        .await?
        .ok_or(AppError::NotFound)?;
    let stem = if kind == "consulta" {
        format!("informe-resultados-consulta-{subject}")
    } else {
        format!("informe-{kind}")
    };
    let name = format!(
        "{stem}-{}.{format}",
        participa_app::dates::colombia_date(at).format("%Y-%m-%d")
    );
    Ok(attachment(
        bytes.into(),
        if xlsx { XLSX } else { PDF },
        &name,
    ))
}

/// `/informes/{kind}/informe.pdf` or `.xlsx`, when staff published it.
pub async fn public_deliverable(
    State(state): State<AppState>,
    Path((kind, file)): Path<(String, String)>,
) -> AppResult<Response> {
    if !matches!(kind.as_str(), "sugerencias" | "eventos" | "canales") {
        return Err(AppError::NotFound);
    }
    send_published(&state, &kind, 0, &file).await
}

/// `/consultas/{id}/informe/informe.pdf` or `.xlsx`, when staff published it.
pub async fn public_consultation_results(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    send_published(&state, "consulta", id, &file).await
}

/// One published report in the public list.
pub struct PublishedView {
    pub title: String,
    pub date: String,
    pub pdf: String,
    pub xlsx: String,
}

#[derive(Template)]
#[template(path = "public_reports.html")]
pub struct PublicReportsPage {
    pub layout: Layout,
    pub reports: Vec<PublishedView>,
}

/// `/informes`: the reports staff published, newest first (one query, no file read).
pub async fn public_reports(State(state): State<AppState>) -> AppResult<Response> {
    let reports = state
        .store
        .published_reports()
        .await?
        .into_iter()
        .map(|r| {
            let base = crate::report_publication::public_base(&r.kind, r.subject);
            PublishedView {
                title: r.title,
                date: participa_app::dates::fecha_de(r.at),
                pdf: format!("{base}/informe.pdf"),
                xlsx: format!("{base}/informe.xlsx"),
            }
        })
        .collect();
    let page = PublicReportsPage {
        layout: Layout::public("Informes de participación".into(), &state),
        reports,
    };
    Ok(Html(page.render()?).into_response())
}
