//! Pieces several page modules share: file downloads, CSV lines safe for spreadsheets,
//! storing a citizen's submission under a fresh tracking code, and the plan a form edits.

use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use participa_domain::participation::TrackingCode;
use participa_domain::{EditMode, Plan};
use participa_formats::formula_guard::neutralise;
use participa_formats::tags_tsv::GroupNames;
use participa_formats::{export_plan_with, ExportFormat};
use participa_store::{PlanId, StoreError};

/// `bytes` as a download named `file_name`.
pub fn attachment(bytes: Bytes, media_type: &'static str, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The entity's groups of value by name, as spreadsheets write and read them.
pub async fn group_names(state: &crate::AppState) -> crate::error::AppResult<GroupNames> {
    Ok(GroupNames::new(
        state
            .store
            .value_groups()
            .await?
            .into_iter()
            .map(|g| (g.code, g.name)),
    ))
}

/// A plan file as an attachment; a spreadsheet names the groups of value from `groups`.
pub fn download(
    plan: &participa_domain::Plan,
    format: ExportFormat,
    stem: &str,
    groups: &GroupNames,
) -> Response {
    let bytes = export_plan_with(plan, format, groups);
    (
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// One CSV line (quoted fields, CRLF). A field a spreadsheet would run as a formula is
/// prefixed with `'` ([`participa_formats::formula_guard`], as the open-data files).
pub fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| {
            let safe = neutralise(f);
            format!("\"{}\"", safe.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Stores a citizen's submission under a fresh random tracking code with `prefix`
/// (`SG`, `AP`, `IN`): a code already taken (one in a billion) draws another, up to 5
/// times. Returns the code it was stored under.
pub async fn store_with_fresh_code<T, Fut>(
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

/// The plan to edit and whether a change opens a new version (it is published); a plan
/// under review is locked.
pub async fn editable_plan(state: &crate::AppState, id: PlanId) -> AppResult<(Plan, bool)> {
    let plan_state = state.store.plan_state(id).await?;
    match plan_state.status.edit_mode() {
        EditMode::Locked => Err(AppError::Store(StoreError::Locked(plan_state.status))),
        mode => Ok((state.store.plan(id).await?, mode == EditMode::NewVersion)),
    }
}

/// An evidence file as a download under its own name and media type.
pub async fn evidence_file(
    state: &crate::AppState,
    e: &participa_store::EvidenceRecord,
) -> crate::error::AppResult<Response> {
    let bytes = state
        .evidence
        .objects
        .get(&e.object_key)
        .await
        .map_err(|err| crate::error::AppError::Internal(err.to_string()))?;
    let ascii: String = e
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&e.media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}

/// Sends a deliverable report as PDF or XLSX (drawn off the async threads), named
/// `{stem}-{date}.{format}`.
pub async fn send_deliverable(
    report: participa_reports::DeliverableReport,
    stem: &str,
    format: &str,
) -> AppResult<Response> {
    let name = format!(
        "{stem}-{}.{format}",
        participa_app::dates::today().format("%Y-%m-%d")
    );
    let pdf = format == "pdf";
    let bytes = tokio::task::spawn_blocking(move || {
        if pdf {
            participa_reports::deliverable_pdf(&report)
        } else {
            participa_reports::deliverable_xlsx(&report)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let media = if pdf {
        "application/pdf"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    Ok(attachment(bytes.into(), media, &name))
}

#[cfg(test)]
mod tests {
    use super::csv_line;

    #[test]
    fn csv_cells_never_run_as_formulas() {
        let line = csv_line(&[
            "=1+1".into(),
            "di \"hola\"".into(),
            "-3".into(),
            "\t@SUM(A1)".into(),
        ]);
        assert_eq!(
            line,
            "\"'=1+1\",\"di \"\"hola\"\"\",\"'-3\",\"'\t@SUM(A1)\"\r\n"
        );
    }
}
