//! The audit log: who changed what, when, from where, with the before and after.
//! Append-only: the schema's triggers refuse UPDATE and DELETE on both backends.

use crate::tx::{on_tx, Tx};
use crate::{on_db, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{QueryBuilder, Row};

/// Who acts, and from which address; the part of every audit entry a request knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub address: Option<String>,
}

impl Actor {
    /// The platform itself (first start, command line).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            username: "sistema".into(),
            address: None,
        }
    }
}

/// One change to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'a> {
    pub actor: &'a Actor,
    /// What was done, as a short code (`activity.update`, `plan.publish`, `user.create`).
    pub action: &'a str,
    pub plan_id: Option<i64>,
    /// What it was done to, in words (`actividad 3`).
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub plan_id: Option<i64>,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which entries to list; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub limit: i64,
}

/// Writes `change` in transaction `tx` at `now`: an audit entry is committed with the
/// change it describes, or not at all.
pub(crate) async fn record(tx: &mut Tx, change: &Change<'_>, now: DateTime<Utc>) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, username, address, action, plan_id, subject, before_data, after_data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(now)
        .bind(change.actor.user_id)
        .bind(&change.actor.username)
        .bind(change.actor.address.as_deref())
        .bind(change.action)
        .bind(change.plan_id)
        .bind(&change.subject)
        .bind(change.before.as_deref())
        .bind(change.after.as_deref())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The id of the latest audit entry (0 when none). Every staff change is audited in
    /// the same transaction as the change itself, so a page built only from staff data
    /// can be cached until this moves.
    pub async fn last_change(&self) -> Result<i64> {
        on_db!(&self.db, |pool| {
            let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM audit_log")
                .fetch_one(pool)
                .await?
                .try_get("id")?;
            Ok(id)
        })
    }

    /// Records a change that touches nothing else (a login, a refused attempt).
    pub async fn record(&self, change: &Change<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        record(&mut tx, change, Utc::now()).await?;
        tx.commit().await
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let from = filter
            .from
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let to = filter
            .to
            .and_then(|d| d.succ_opt())
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let limit = if filter.limit > 0 { filter.limit } else { 500 };
        on_db!(&self.db, |pool| {
            let mut q = QueryBuilder::new(
                "SELECT id, at, user_id, username, address, action, plan_id, subject, before_data, after_data \
                 FROM audit_log WHERE 1 = 1",
            );
            if let Some(u) = filter.user_id {
                q.push(" AND user_id = ").push_bind(u);
            }
            if let Some(p) = filter.plan_id {
                q.push(" AND plan_id = ").push_bind(p);
            }
            if let Some(f) = from {
                q.push(" AND at >= ").push_bind(f);
            }
            if let Some(t) = to {
                q.push(" AND at < ").push_bind(t);
            }
            q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        id: r.try_get("id")?,
                        at: r.try_get("at")?,
                        user_id: r.try_get("user_id")?,
                        username: r.try_get("username")?,
                        address: r.try_get("address")?,
                        action: r.try_get("action")?,
                        plan_id: r.try_get("plan_id")?,
                        subject: r.try_get("subject")?,
                        before: r.try_get("before_data")?,
                        after: r.try_get("after_data")?,
                    })
                })
                .collect()
        })
    }
}
