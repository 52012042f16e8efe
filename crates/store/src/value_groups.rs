//! The entity's catalogue of groups of value: the shipped defaults plus its own entries.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Tx};
use crate::{Result, Store};
use chrono::Utc;
use participa_domain::tagging::VALUE_GROUPS;
use sqlx::Row;
use std::collections::BTreeMap;

/// A group of value and the FURAG list entry it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueGroup {
    pub code: String,
    pub name: String,
    pub furag_group: String,
}

impl Store {
    /// The catalogue: defaults, replaced or extended by the entity's rows; by code.
    pub async fn value_groups(&self) -> Result<Vec<ValueGroup>> {
        let mut tx = self.begin_read().await?;
        let all = read_value_groups(&mut tx).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Adds a group of value or changes one's name or FURAG mapping (audited).
    pub async fn set_value_group(&self, group: &ValueGroup, actor: &Actor) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let before = read_value_groups(&mut tx)
            .await?
            .into_iter()
            .find(|g| g.code == group.code)
            .map(|g| format!("{} → {}", g.name, g.furag_group));
        let change = Change {
            actor,
            action: AuditAction::ValueGroupSet,
            plan_id: None,
            subject: format!("grupo de valor {}", group.code),
            before,
            after: Some(format!("{} → {}", group.name, group.furag_group)),
        };
        let entity = tx.entity;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO value_groups (code, name, furag_group, updated_by, updated_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (entity_id, code) DO UPDATE SET name = excluded.name, furag_group = excluded.furag_group, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(&group.code)
            .bind(&group.name)
            .bind(&group.furag_group)
            .bind(actor.user_id)
            .bind(now)
            .bind(entity)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }
}

/// The catalogue, read in transaction `tx`.
async fn read_value_groups(tx: &mut Tx) -> Result<Vec<ValueGroup>> {
    let mut all: BTreeMap<String, ValueGroup> = VALUE_GROUPS
        .iter()
        .map(|g| {
            (
                g.code.to_string(),
                ValueGroup {
                    code: g.code.into(),
                    name: g.name.into(),
                    furag_group: g.furag.into(),
                },
            )
        })
        .collect();
    let entity = tx.entity;
    let rows: Vec<ValueGroup> = on_tx!(tx, |conn| {
        sqlx::query("SELECT code, name, furag_group FROM value_groups WHERE entity_id = $1")
            .bind(entity)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(ValueGroup {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    furag_group: r.try_get("furag_group")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    for g in rows {
        all.insert(g.code.clone(), g);
    }
    Ok(all.into_values().collect())
}
