//! Coverage-check findings accepted for a plan version, with their justification.

use crate::audit::{record, Actor, Change};
use crate::{on_db, PlanId, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub code: String,
    pub justification: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// The acceptances of the plan's `version`.
    pub async fn acceptances(&self, id: PlanId, version: i64) -> Result<Vec<Acceptance>> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "SELECT f.code, f.justification, f.created_at, u.full_name FROM finding_acceptances f \
                 LEFT JOIN users u ON u.id = f.created_by WHERE f.plan_id = $1 AND f.version = $2 ORDER BY f.code",
            )
            .bind(id.0)
            .bind(version)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Acceptance {
                    code: r.try_get("code")?,
                    justification: r.try_get("justification")?,
                    by: r.try_get("full_name")?,
                    at: r.try_get("created_at")?,
                })
            })
            .collect()
        })
    }

    /// Accepts a finding for the plan's current version (again: the new justification
    /// replaces the old one; the audit log keeps both).
    pub async fn accept_finding(
        &self,
        id: PlanId,
        code: &str,
        justification: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let version = self.plan_state(id).await?.version;
        let now = Utc::now();
        let change = Change {
            actor,
            action: "coverage.accept",
            plan_id: Some(id.0),
            subject: format!("hallazgo {code}, versión {version}"),
            before: None,
            after: Some(justification.to_string()),
        };
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO finding_acceptances (plan_id, version, code, justification, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id, version, code) \
                 DO UPDATE SET justification = excluded.justification, created_by = excluded.created_by, created_at = excluded.created_at",
            )
            .bind(id.0)
            .bind(version)
            .bind(code)
            .bind(justification)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            record!(tx, &change, now);
            tx.commit().await?;
            Ok(version)
        })
    }
}
