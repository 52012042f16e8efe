//! Request handlers, by area.

pub mod activities;
pub mod audit;
pub mod channels;
pub mod consultations;
pub mod coverage;
pub mod events;
pub mod followup;
pub mod forums;
pub mod hearings;
pub mod plans;
pub mod public;
pub mod reports;
pub mod rules;
pub mod suggestions;
pub mod users;

use crate::error::{AppError, AppResult};
use crate::{auth, AppState, BODY_LIMIT, IMPORT_LIMIT};
use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use participa_domain::participation::TrackingCode;
use participa_store::StoreError;

/// Stores a citizen's submission under a fresh random tracking code with `prefix`
/// (`SG`, `AP`, `IN`): a code already taken (one in a billion) draws another, up to 5
/// times. Returns the code it was stored under.
pub(crate) async fn store_with_fresh_code<T, Fut>(
    prefix: &str,
    mut store: impl FnMut(TrackingCode) -> Fut,
) -> AppResult<TrackingCode>
where
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    for _ in 0..5 {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        let code = TrackingCode::with_prefix(prefix, bytes);
        match store(code.clone()).await {
            Ok(_) => return Ok(code),
            Err(StoreError::CodeTaken) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal(format!("no free {prefix} code")))
}

/// How many evidence files of the largest size one progress report may carry.
pub const FILES_PER_REPORT: usize = 5;

/// Staff pages; every handler takes a [`auth::CurrentUser`], so an anonymous visitor is
/// sent to the login page. `evidence_limit` is the largest evidence file accepted.
pub fn admin_routes(evidence_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|_: auth::CurrentUser| async { Redirect::to("/admin/planes") }),
        )
        .route("/planes", get(plans::list))
        .route("/planes/nuevo", get(plans::new_form).post(plans::create))
        .route(
            "/planes/importar",
            get(plans::import_form)
                .post(plans::import)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/planes/{id}", get(plans::show))
        .route(
            "/planes/{id}/editar",
            get(plans::edit_form).post(plans::update),
        )
        .route("/planes/{id}/estado", post(plans::transition))
        .route("/planes/{id}/cobertura", get(coverage::show))
        .route("/planes/{id}/cobertura/aceptar", post(coverage::accept))
        .route("/planes/{id}/seguimiento", get(followup::show))
        .route(
            "/planes/{id}/seguimiento/configuracion",
            post(followup::settings),
        )
        .route("/planes/{id}/seguimiento/pesos", post(followup::weights))
        .route(
            "/planes/{id}/seguimiento/actividades/{number}/estado",
            post(followup::manual_status),
        )
        .route(
            "/planes/{id}/seguimiento/periodos/{period}/cerrar",
            post(followup::close_period),
        )
        .route(
            "/planes/{id}/seguimiento/actividades/{number}",
            get(followup::activity),
        )
        .route(
            "/planes/{id}/seguimiento/actividades/{number}/avance",
            post(followup::report).layer(DefaultBodyLimit::max(
                evidence_limit * FILES_PER_REPORT + BODY_LIMIT,
            )),
        )
        .route(
            "/planes/{id}/seguimiento/actividades/{number}/revision",
            post(followup::review),
        )
        .route(
            "/planes/{id}/seguimiento/actividades/{number}/indicadores",
            post(followup::add_indicator),
        )
        .route("/evidencias/{id}", get(followup::evidence))
        .route("/planes/{id}/informes/plan.pdf", get(reports::plan_pdf))
        .route(
            "/planes/{id}/informes/seguimiento/{file}",
            get(reports::followup),
        )
        .route("/planes/{id}/versiones", get(plans::versions))
        .route("/planes/{id}/versiones/diferencias", get(plans::diff))
        .route("/planes/{id}/exportar/{format}", get(plans::export))
        .route(
            "/planes/{id}/actividades/nueva",
            get(activities::new_form).post(activities::create),
        )
        .route(
            "/planes/{id}/actividades/{number}/editar",
            get(activities::edit_form).post(activities::update),
        )
        .route(
            "/planes/{id}/actividades/{number}/eliminar",
            post(activities::delete),
        )
        .route("/usuarios", get(users::list))
        .route("/usuarios/nuevo", get(users::new_form).post(users::create))
        .route("/usuarios/{id}", get(users::edit_form).post(users::update))
        .route("/usuarios/{id}/clave", post(users::reset_password))
        .route(
            "/cuenta/clave",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/auditoria", get(audit::list))
        .route(
            "/audiencias",
            get(hearings::admin_list).post(hearings::create),
        )
        .route("/audiencias/{id}", get(hearings::admin_show))
        .route("/audiencias/{id}/informe.pdf", get(hearings::report))
        .route(
            "/audiencias/{id}/evaluacion",
            post(hearings::create_evaluation),
        )
        .route(
            "/audiencias/{id}/preguntas/{question}",
            post(hearings::answer),
        )
        .route(
            "/consultas",
            get(consultations::admin_list).post(consultations::create),
        )
        .route("/consultas/{id}", get(consultations::admin_show))
        .route(
            "/consultas/{id}/preguntas",
            post(consultations::add_question),
        )
        .route("/consultas/{id}/resultados", post(consultations::publish))
        .route("/consultas/{id}/respuestas.csv", get(consultations::export))
        .route(
            "/consultas/{id}/respuestas.xlsx",
            get(consultations::export_xlsx),
        )
        .route("/consultas/{id}/temas", post(forums::add_topic))
        .route("/consultas/{id}/comentarios.csv", get(forums::export))
        .route("/consultas/{id}/moderacion", get(forums::moderation))
        .route(
            "/consultas/{id}/comentarios/{comment}",
            post(forums::moderate),
        )
        .route("/eventos", get(events::list).post(events::create))
        .route("/canales", get(channels::form).post(channels::import))
        .route("/sugerencias", get(suggestions::admin_list))
        .route(
            "/sugerencias/{id}",
            get(suggestions::admin_show).post(suggestions::admin_update),
        )
        .route(
            "/parametros",
            get(rules::parameters).post(rules::set_parameter),
        )
        .route(
            "/festivos",
            get(rules::holidays).post(rules::change_holiday),
        )
        .route(
            "/grupos-valor",
            get(rules::value_groups).post(rules::set_value_group),
        )
}
