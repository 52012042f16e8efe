//! Deliverable reports published for the public: the PDF and XLSX as staff published
//! them, so a public download reads bytes and draws nothing. Publishing again replaces
//! the files; withdrawing deletes them. Both are audited in their own transaction.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A published report, without its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedReport {
    /// `sugerencias`, `eventos`, `canales` or `consulta`.
    pub kind: String,
    /// The consultation of a `consulta` report; 0 otherwise.
    pub subject: i64,
    pub title: String,
    pub at: DateTime<Utc>,
}

/// The columns [`report_of`] reads.
const COLUMNS: &str = "kind, subject_id, title, published_at";

/// Decodes a published report's row (selected with [`COLUMNS`]) of either backend.
fn report_of<R: Row>(r: &R) -> Result<PublishedReport>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PublishedReport {
        kind: r.try_get("kind")?,
        subject: r.try_get("subject_id")?,
        title: r.try_get("title")?,
        at: r.try_get("published_at")?,
    })
}

impl Store {
    /// Publishes (or publishes again, replacing) report `kind` of `subject` with its two
    /// files.
    pub async fn publish_report(
        &self,
        report: &PublishedReport,
        pdf: &[u8],
        xlsx: &[u8],
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ReportPublish,
            plan_id: None,
            subject: format!("informe «{}»", report.title),
            before: None,
            after: Some("publicado".into()),
        };
        let mut tx = self.begin().await?;
        if report.kind == "consulta" {
            tx.owns(crate::entities::Owned::Consultation, report.subject)
                .await?;
        }
        let entity = tx.entity;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM published_reports WHERE kind = $1 AND subject_id = $2 AND entity_id = $3")
                .bind(&report.kind)
                .bind(report.subject)
                .bind(entity)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO published_reports (kind, subject_id, title, pdf, xlsx, published_by, published_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&report.kind)
            .bind(report.subject)
            .bind(&report.title)
            .bind(pdf)
            .bind(xlsx)
            .bind(actor.user_id)
            .bind(now)
            .bind(entity)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Withdraws report `kind` of `subject` from the public; false when it was not
    /// published (nothing is recorded then).
    pub async fn withdraw_report(&self, kind: &str, subject: i64, actor: &Actor) -> Result<bool> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        let title: Option<String> = on_tx!(&mut tx, |conn| {
            let title = sqlx::query(
                "SELECT title FROM published_reports WHERE kind = $1 AND subject_id = $2 AND entity_id = $3",
            )
            .bind(kind)
            .bind(subject)
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("title"))
            .transpose()?;
            sqlx::query("DELETE FROM published_reports WHERE kind = $1 AND subject_id = $2 AND entity_id = $3")
                .bind(kind)
                .bind(subject)
                .bind(entity)
                .execute(&mut *conn)
                .await?;
            title
        });
        let Some(title) = title else {
            return Ok(false);
        };
        let change = Change {
            actor,
            action: AuditAction::ReportPublish,
            plan_id: None,
            subject: format!("informe «{title}»"),
            before: Some("publicado".into()),
            after: Some("retirado".into()),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every published report (without the files), newest first.
    pub async fn published_reports(&self) -> Result<Vec<PublishedReport>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM published_reports WHERE entity_id = $1 \
                 ORDER BY published_at DESC, id DESC"
            ))
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter().map(report_of).collect()
        })
    }

    /// Report `kind` of `subject` as published (without its files); None when it is not.
    pub async fn published_report(
        &self,
        kind: &str,
        subject: i64,
    ) -> Result<Option<PublishedReport>> {
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM published_reports WHERE kind = $1 AND subject_id = $2 AND entity_id = $3"
            ))
            .bind(kind)
            .bind(subject)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?;
            row.as_ref().map(report_of).transpose()
        })
    }

    /// The published PDF (or, with `xlsx`, the workbook) of report `kind` of `subject`,
    /// and when it was published; None when it is not published.
    pub async fn published_report_file(
        &self,
        kind: &str,
        subject: i64,
        xlsx: bool,
    ) -> Result<Option<(Vec<u8>, DateTime<Utc>)>> {
        // The column name is one of two constants, never input.
        let column = if xlsx { "xlsx" } else { "pdf" };
        let query = format!(
            "SELECT {column} AS file, published_at FROM published_reports WHERE kind = $1 AND subject_id = $2 AND entity_id = $3"
        );
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(&query)
                .bind(kind)
                .bind(subject)
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|r| Ok((r.try_get("file")?, r.try_get("published_at")?)))
                .transpose()
        })
    }
}
