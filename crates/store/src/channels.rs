//! Monthly channel figures (contact center, social media, website), imported from CSV.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::Utc;
use participa_domain::followup::indicators::Aggregation;
use sqlx::Row;

/// One month's figure of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelFigure {
    pub activity: u32,
    pub channel: String,
    pub year: i32,
    pub month: u32,
    pub metric: String,
    pub value: f64,
    /// How the metric's months add up.
    pub aggregation: Aggregation,
}

impl Store {
    /// Stores an import in one transaction: the months it carries replace what the channel
    /// had for them; other months stay, and take the aggregation the import gives each
    /// metric.
    pub async fn import_channel_figures(
        &self,
        plan: i64,
        activity: u32,
        channel: &str,
        rows: &[(i32, u32, String, f64, Aggregation)],
        file: &str,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ChannelImport,
            plan_id: Some(plan),
            subject: format!("cifras del canal {channel}, actividad {activity}"),
            before: None,
            after: Some(format!("{file}: {} cifras", rows.len())),
        };
        let mut tx = self.begin().await?;
        tx.owns(crate::entities::Owned::Plan, plan).await?;
        on_tx!(&mut tx, |conn| {
            for (year, month, metric, value, aggregation) in rows {
                sqlx::query(
                    "INSERT INTO channel_figures (plan_id, activity_number, channel, year, month, metric, value, imported_by, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (plan_id, activity_number, channel, year, month, metric) DO UPDATE SET \
                     value = excluded.value, imported_by = excluded.imported_by, imported_at = excluded.imported_at",
                )
                .bind(plan)
                .bind(i64::from(activity))
                .bind(channel)
                .bind(i64::from(*year))
                .bind(i64::from(*month))
                .bind(metric)
                .bind(value)
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "UPDATE channel_figures SET aggregation = $1 \
                     WHERE plan_id = $2 AND activity_number = $3 AND channel = $4 AND metric = $5",
                )
                .bind(aggregation.as_str())
                .bind(plan)
                .bind(i64::from(activity))
                .bind(channel)
                .bind(metric)
                .execute(&mut *conn)
                .await?;
            }
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// A plan's channel figures in month order.
    pub async fn channel_figures(&self, plan: i64) -> Result<Vec<ChannelFigure>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT activity_number, channel, year, month, metric, value, aggregation FROM channel_figures \
                 WHERE plan_id = $1 AND plan_id IN (SELECT id FROM plans WHERE entity_id = $2) \
                 ORDER BY activity_number, channel, metric, year, month",
            )
            .bind(plan)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ChannelFigure {
                        activity: r.try_get::<i64, _>("activity_number")? as u32,
                        channel: r.try_get("channel")?,
                        year: r.try_get::<i64, _>("year")? as i32,
                        month: r.try_get::<i64, _>("month")? as u32,
                        metric: r.try_get("metric")?,
                        value: r.try_get("value")?,
                        aggregation: Aggregation::parse(&r.try_get::<String, _>("aggregation")?)
                            .unwrap_or(Aggregation::Sum),
                    })
                })
                .collect()
        })
    }
}
