//! The holiday overrides behind the business-day calendar, with their history.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::{Calendar, Override};
use sqlx::Row;

/// One recorded change to the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRecord {
    pub change: Override,
    pub reason: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Every override ever recorded, oldest first.
    pub async fn holiday_overrides(&self) -> Result<Vec<OverrideRecord>> {
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT o.day, o.kind, o.name, o.reason, o.created_at, u.full_name \
                 FROM holiday_overrides o LEFT JOIN users u ON u.id = o.created_by \
                 WHERE o.entity_id = $1 ORDER BY o.id",
            )
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let day: NaiveDate = r.try_get("day")?;
                let kind: String = r.try_get("kind")?;
                let change = if kind == "add" {
                    Override::Add {
                        date: day,
                        name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                    }
                } else {
                    Override::Remove { date: day }
                };
                Ok(OverrideRecord {
                    change,
                    reason: r.try_get("reason")?,
                    by: r.try_get("full_name")?,
                    at: r.try_get("created_at")?,
                })
            })
            .collect()
        })
    }

    /// The business-day calendar in force: national holidays plus every override.
    pub async fn calendar(&self) -> Result<Calendar> {
        Ok(Calendar::new(
            self.holiday_overrides()
                .await?
                .into_iter()
                .map(|o| o.change),
        ))
    }

    /// Records an override with its reason and audit entry.
    pub async fn override_holiday(
        &self,
        change: &Override,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let (day, kind, name) = match change {
            Override::Add { date, name } => (*date, "add", Some(name.as_str())),
            Override::Remove { date } => (*date, "remove", None),
        };
        let audit = Change {
            actor,
            action: if kind == "add" {
                AuditAction::HolidayAdd
            } else {
                AuditAction::HolidayRemove
            },
            plan_id: None,
            subject: format!("festivo {day}"),
            before: None,
            after: Some(match name {
                Some(n) => format!("festivo «{n}»: {reason}"),
                None => format!("día hábil: {reason}"),
            }),
        };
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO holiday_overrides (day, kind, name, reason, created_by, created_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(day)
            .bind(kind)
            .bind(name)
            .bind(reason)
            .bind(actor.user_id)
            .bind(now)
            .bind(entity)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &audit, now).await?;
        tx.commit().await
    }
}
