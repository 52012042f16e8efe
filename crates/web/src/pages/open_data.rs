//! `/datos`: the open-data catalogue as datos.gov.co expects it — every public file of
//! the published plans with its licence, its data dictionary (page and CSV) and the
//! catalogue's DCAT description as JSON-LD (`/datos/catalogo.jsonld`, also embedded in
//! the page as a `application/ld+json` data block, which browsers never execute, so the
//! Content-Security-Policy's `script-src 'self'` does not apply to it). Download URLs are
//! relative IRIs, resolved against the catalogue's own address.

use super::routing::Routes;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use participa_domain::open_data::{Column, ColumnKind, DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL};
use participa_formats::csv_open::{recode, write_dictionary, CsvVariant};
use participa_store::PlanId;
use serde_json::json;

pub fn routes() -> Routes {
    Routes::public()
        .get("/datos", catalogue)
        .get("/datos/catalogo.jsonld", catalogue_json_ld)
        .get("/datos/diccionario/plan", dictionary)
        .get("/datos/diccionario/plan.csv", dictionary_csv)
        .get("/datos/planes/{id}/actividades-excel.csv", excel_csv)
}

/// The columns of a plan's activities CSV (`/planes/{id}/datos.csv`), in its order.
pub const PLAN_COLUMNS: [Column; 19] = [
    col("entidad", ColumnKind::Text, "Entidad que formula el plan"),
    col("vigencia", ColumnKind::Integer, "Año del plan"),
    col("plan", ColumnKind::Text, "Título del plan"),
    col(
        "numero",
        ColumnKind::Integer,
        "Número de la actividad en el plan",
    ),
    col("actividad", ColumnKind::Text, "Descripción de la actividad"),
    col(
        "fecha_inicial",
        ColumnKind::Date,
        "Fecha en que empieza la actividad",
    ),
    col(
        "fecha_final",
        ColumnKind::Date,
        "Fecha en que termina la actividad",
    ),
    col(
        "responsables",
        ColumnKind::Text,
        "Siglas de las dependencias responsables, separadas por guion",
    ),
    col(
        "dependencias_responsables",
        ColumnKind::Text,
        "Nombres de las dependencias responsables, separados por punto y coma",
    ),
    col(
        "producto_entregable",
        ColumnKind::Text,
        "Producto o entregable de la actividad",
    ),
    col(
        "fases_ciclo",
        ColumnKind::Text,
        "Fases del ciclo de la gestión pública (MIPG), separadas por punto y coma",
    ),
    col(
        "etapas_murc",
        ColumnKind::Text,
        "Etapas del MURC, separadas por punto y coma",
    ),
    col(
        "elementos_murc",
        ColumnKind::Text,
        "Elementos del MURC, separados por punto y coma",
    ),
    col(
        "grupos_valor",
        ColumnKind::Text,
        "Grupos de valor convocados, separados por punto y coma",
    ),
    col(
        "nivel_incidencia",
        ColumnKind::Text,
        "Nivel de incidencia de la ciudadanía",
    ),
    col(
        "canal",
        ColumnKind::Text,
        "Canal: presencial, virtual o mixto",
    ),
    col(
        "medio",
        ColumnKind::Text,
        "Medio por el que se hace la actividad",
    ),
    col(
        "preguntas_furag",
        ColumnKind::Text,
        "Preguntas del FURAG que atiende, separadas por punto y coma",
    ),
    col(
        "componentes_cubiertos",
        ColumnKind::Text,
        "Componentes de la estrategia que cubre, separados por punto y coma",
    ),
];

const fn col(name: &'static str, kind: ColumnKind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        description,
    }
}

/// The published datasets, as the page and the JSON-LD file show them.
#[derive(Clone, Default)]
pub struct Catalogue {
    pub datasets: std::sync::Arc<Vec<Dataset>>,
    pub json_ld: std::sync::Arc<String>,
}

pub struct FileLink {
    pub url: String,
    pub label: String,
    pub media_type: &'static str,
}

pub struct Dataset {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub issued: String,
    pub issued_iso: String,
    pub files: Vec<FileLink>,
}

#[derive(Template)]
#[template(path = "open_data.html")]
pub struct CataloguePage {
    pub layout: Layout,
    pub datasets: std::sync::Arc<Vec<Dataset>>,
    pub licence_url: &'static str,
    pub licence_name: &'static str,
    pub json_ld: String,
}

#[derive(Template)]
#[template(path = "open_data_dictionary.html")]
pub struct DictionaryPage {
    pub layout: Layout,
    pub columns: &'static [Column],
}

/// The catalogue, drawn again only when the day or the latest audit entry changes
/// (every publication writes one), as the home page is; otherwise from memory after one
/// indexed query.
async fn cached(state: &AppState) -> AppResult<Catalogue> {
    let today = participa_app::dates::today();
    let change = state.last_change().await?;
    if let Some((day, seen, c)) = state
        .open_data
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        if *day == today && *seen == change {
            return Ok(c.clone());
        }
    }
    let datasets = datasets(state).await?;
    let json_ld = json_ld(&state.entity, &datasets).to_string();
    let fresh = Catalogue {
        datasets: std::sync::Arc::new(datasets),
        json_ld: std::sync::Arc::new(json_ld),
    };
    *state.open_data.lock().unwrap_or_else(|p| p.into_inner()) =
        Some((today, change, fresh.clone()));
    Ok(fresh)
}

async fn datasets(state: &AppState) -> AppResult<Vec<Dataset>> {
    let mut out = Vec::new();
    for p in state.store.published_plans().await? {
        let id = p.id.0;
        let files = vec![
            file(
                format!("/planes/{id}/datos.json"),
                "JSON",
                "application/json",
            ),
            file(
                format!("/planes/{id}/datos.csv"),
                "CSV (separado por comas)",
                "text/csv",
            ),
            file(
                format!("/datos/planes/{id}/actividades-excel.csv"),
                "CSV para Excel en español (separado por punto y coma)",
                "text/csv",
            ),
            file(
                format!("/planes/{id}/datos.xlsx"),
                "Excel (XLSX)",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            file(
                format!("/planes/{id}/datos.tsv"),
                "TSV (separado por tabuladores)",
                "text/tab-separated-values",
            ),
        ];
        out.push(Dataset {
            id,
            title: p.plan.title.clone(),
            description: format!(
                "Actividades del {} ({} actividades, versión {}).",
                p.plan.title,
                p.plan.activities.len(),
                p.version
            ),
            issued: participa_app::dates::fecha_de(p.published_at),
            issued_iso: p.published_at.date_naive().to_string(),
            files,
        });
    }
    Ok(out)
}

fn file(url: String, label: &str, media_type: &'static str) -> FileLink {
    FileLink {
        url,
        label: label.to_string(),
        media_type,
    }
}

/// The DCAT catalogue of `datasets` as JSON-LD.
pub fn json_ld(entity: &str, datasets: &[Dataset]) -> serde_json::Value {
    let publisher = json!({"@type": "foaf:Organization", "foaf:name": entity});
    let items: Vec<_> = datasets
        .iter()
        .map(|d| {
            json!({
                "@type": "dcat:Dataset",
                "@id": format!("/planes/{}", d.id),
                "dct:title": d.title,
                "dct:description": d.description,
                "dct:issued": d.issued_iso,
                "dct:modified": d.issued_iso,
                "dct:publisher": publisher,
                "dct:license": DEFAULT_LICENCE_URL,
                "dcat:distribution": d.files.iter().map(|f| json!({
                    "@type": "dcat:Distribution",
                    "dct:title": f.label,
                    "dcat:mediaType": f.media_type,
                    "dcat:downloadURL": f.url,
                    "dct:license": DEFAULT_LICENCE_URL,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Catalog",
        "@id": "/datos",
        "dct:title": format!("Datos abiertos de participación ciudadana · {entity}"),
        "dct:description": "Planes de participación ciudadana publicados y sus archivos de datos abiertos.",
        "dct:publisher": publisher,
        "dct:license": DEFAULT_LICENCE_URL,
        "dcat:dataset": items,
    })
}

/// `GET /datos`: the catalogue page.
pub async fn catalogue(State(state): State<AppState>) -> AppResult<Response> {
    let catalogue = cached(&state).await?;
    // Inside a data block only `</script` could end it early: `<` is written as its
    // JSON escape, which every JSON-LD reader reads back as the same character.
    let json_ld = embeddable(&catalogue.json_ld);
    let page = CataloguePage {
        layout: Layout::public("Datos abiertos".into(), &state),
        datasets: catalogue.datasets,
        licence_url: DEFAULT_LICENCE_URL,
        licence_name: DEFAULT_LICENCE_NAME,
        json_ld,
    };
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=60")],
        axum::response::Html(page.render()?),
    )
        .into_response())
}

/// JSON that may sit inside a `<script>` data block: `<` as its JSON escape `\u003c`, so
/// no text of a plan (a title with `</script>`) can close the block.
fn embeddable(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// `GET /datos/catalogo.jsonld`: the DCAT catalogue.
pub async fn catalogue_json_ld(State(state): State<AppState>) -> AppResult<Response> {
    let catalogue = cached(&state).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/ld+json; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        catalogue.json_ld.as_str().to_owned(),
    )
        .into_response())
}

/// `GET /datos/diccionario/plan`: the columns of the activities files.
pub async fn dictionary(State(state): State<AppState>) -> AppResult<Response> {
    let page = DictionaryPage {
        layout: Layout::public("Diccionario de datos".into(), &state),
        columns: &PLAN_COLUMNS,
    };
    Ok(axum::response::Html(page.render()?).into_response())
}

/// `GET /datos/diccionario/plan.csv`: the same dictionary as CSV.
pub async fn dictionary_csv() -> Response {
    csv_response(
        write_dictionary(&PLAN_COLUMNS, CsvVariant::Standard),
        "diccionario-actividades.csv",
    )
}

/// `GET /datos/planes/{id}/actividades-excel.csv`: the published activities as the CSV
/// Excel in Spanish (Colombia) opens in columns.
pub async fn excel_csv(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let published = state
        .store
        .published_plan(PlanId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let standard = participa_formats::csv_export::write_csv(&published.plan);
    Ok(csv_response(
        recode(&standard, &PLAN_COLUMNS, CsvVariant::ExcelCo),
        &format!(
            "plan-participacion-{}-v{}-excel.csv",
            published.plan.year, published.version
        ),
    ))
}

fn csv_response(body: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "public, max-age=60".to_string()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_close_the_embedded_data_block() {
        let d = Dataset {
            id: 1,
            title: "Plan </script><script>alert(1)</script>".into(),
            description: String::new(),
            issued: String::new(),
            issued_iso: "2025-01-31".into(),
            files: vec![],
        };
        let json = json_ld("Entidad <b>", &[d]).to_string();
        let embedded = embeddable(&json);
        assert!(!embedded.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&embedded).unwrap();
        assert_eq!(
            back["dcat:dataset"][0]["dct:title"],
            "Plan </script><script>alert(1)</script>"
        );
        assert_eq!(back["dct:publisher"]["foaf:name"], "Entidad <b>");
    }
}
