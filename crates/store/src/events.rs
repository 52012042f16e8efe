//! Participation events and their attendance (counts only; no attendee names).

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::{NaiveDate, Utc};
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    pub activity: Option<(i64, u32)>,
    pub title: String,
    pub held_on: NaiveDate,
    /// presencial, virtual or mixto.
    pub modality: String,
    pub place: String,
    /// Department or city.
    pub territory: String,
    pub attendees: i64,
    /// Attendees per group-of-value code.
    pub by_group: BTreeMap<String, i64>,
    pub satisfaction_sum: i64,
    pub satisfaction_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub data: EventData,
}

impl EventData {
    /// Average satisfaction 1–5, if anybody answered.
    pub fn satisfaction(&self) -> Option<f64> {
        (self.satisfaction_count > 0)
            .then(|| self.satisfaction_sum as f64 / self.satisfaction_count as f64)
    }
}

impl Store {
    pub async fn create_event(&self, e: &EventData, actor: &Actor) -> Result<i64> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::EventCreate,
            plan_id: e.activity.map(|(p, _)| p),
            subject: format!("evento «{}»", e.title),
            before: None,
            after: Some(format!("{} · {} asistentes", e.held_on, e.attendees)),
        };
        let by_group = serde_json::to_string(&e.by_group)?;
        let mut tx = self.begin().await?;
        if let Some((plan, _)) = e.activity {
            tx.owns(crate::entities::Owned::Plan, plan).await?;
        }
        let entity = tx.entity;
        let out = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO events (plan_id, activity_number, title, held_on, modality, place, territory, attendees, \
                 by_group, satisfaction_sum, satisfaction_count, created_by, created_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(e.activity.map(|(p, _)| p))
            .bind(e.activity.map(|(_, a)| i64::from(a)))
            .bind(&e.title)
            .bind(e.held_on)
            .bind(&e.modality)
            .bind(&e.place)
            .bind(&e.territory)
            .bind(e.attendees)
            .bind(&by_group)
            .bind(e.satisfaction_sum)
            .bind(e.satisfaction_count)
            .bind(actor.user_id)
            .bind(now)
            .bind(entity)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every event, the most recent first.
    pub async fn events(&self) -> Result<Vec<Event>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT id, plan_id, activity_number, title, held_on, modality, place, territory, attendees, by_group, \
                 satisfaction_sum, satisfaction_count FROM events WHERE entity_id = $1 ORDER BY held_on DESC, id DESC",
            )
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let by_group: String = r.try_get("by_group")?;
                out.push(Event {
                    id: r.try_get("id")?,
                    data: EventData {
                        activity: r
                            .try_get::<Option<i64>, _>("plan_id")?
                            .zip(r.try_get::<Option<i64>, _>("activity_number")?)
                            .map(|(p, a)| (p, a as u32)),
                        title: r.try_get("title")?,
                        held_on: r.try_get("held_on")?,
                        modality: r.try_get("modality")?,
                        place: r.try_get("place")?,
                        territory: r.try_get("territory")?,
                        attendees: r.try_get("attendees")?,
                        by_group: serde_json::from_str(&by_group)?,
                        satisfaction_sum: r.try_get("satisfaction_sum")?,
                        satisfaction_count: r.try_get("satisfaction_count")?,
                    },
                });
            }
            Ok(out)
        })
    }
}
