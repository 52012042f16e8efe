//! FURAG: an entity's corrected questionnaire for a year (audited), and each plan's
//! readiness as last computed, which the national dashboard reads.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::audit::{record, Actor, AuditAction, Change};
use crate::entities::Owned;
use crate::tx::on_tx;
use crate::{on_conn, PlanId, Result, Store};

/// How many questions of a plan stand at each readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FuragReadiness {
    pub ready: i64,
    pub partial: i64,
    pub missing: i64,
    pub to_confirm: i64,
}

impl Store {
    /// The entity's corrected questionnaire for `year` (its file's text) and when it
    /// was loaded, if it loaded one.
    pub async fn furag_questionnaire(&self, year: i32) -> Result<Option<(String, DateTime<Utc>)>> {
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(
                "SELECT content, loaded_at FROM furag_questionnaires WHERE entity_id = $1 AND year = $2",
            )
            .bind(self.entity)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
            row.map(|r| Ok((r.try_get("content")?, r.try_get("loaded_at")?)))
                .transpose()
        })
    }

    /// Replaces the questionnaire of `year` with a corrected file's text (already
    /// checked), in the audit log with the file's size.
    pub async fn set_furag_questionnaire(
        &self,
        year: i32,
        content: &str,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let change = Change {
            actor,
            action: AuditAction::FuragQuestionnaire,
            plan_id: None,
            subject: format!("cuestionario FURAG {year}"),
            before: None,
            after: Some(format!("{} líneas", content.lines().count())),
        };
        let entity = self.entity;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO furag_questionnaires (entity_id, year, content, loaded_by, loaded_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (entity_id, year) DO UPDATE SET \
                 content = excluded.content, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at",
            )
            .bind(entity)
            .bind(year)
            .bind(content)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Keeps a plan's readiness as just computed.
    pub async fn save_furag_readiness(&self, plan: PlanId, r: FuragReadiness) -> Result<()> {
        self.owns(Owned::Plan, plan.0).await?;
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "INSERT INTO furag_readiness (plan_id, entity_id, ready, partial, missing, to_confirm, computed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (plan_id) DO UPDATE SET \
                 ready = excluded.ready, partial = excluded.partial, missing = excluded.missing, \
                 to_confirm = excluded.to_confirm, computed_at = excluded.computed_at",
            )
            .bind(plan.0)
            .bind(self.entity)
            .bind(r.ready as i32)
            .bind(r.partial as i32)
            .bind(r.missing as i32)
            .bind(r.to_confirm as i32)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
