//! The entity's catalogue of groups of value: the shipped defaults plus its own entries.

use crate::audit::{audited, Actor, Change};
use crate::{on_db, Result, Store};
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
        let rows: Vec<ValueGroup> = on_db!(&self.db, |pool| {
            sqlx::query("SELECT code, name, furag_group FROM value_groups")
                .fetch_all(pool)
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

    /// Adds a group of value or changes one's name or FURAG mapping (audited).
    pub async fn set_value_group(&self, group: &ValueGroup, actor: &Actor) -> Result<()> {
        let now = Utc::now();
        let before = self
            .value_groups()
            .await?
            .into_iter()
            .find(|g| g.code == group.code)
            .map(|g| format!("{} → {}", g.name, g.furag_group));
        let change = Change {
            actor,
            action: "value_group.set",
            plan_id: None,
            subject: format!("grupo de valor {}", group.code),
            before,
            after: Some(format!("{} → {}", group.name, group.furag_group)),
        };
        audited!(&self.db, &change, now, |tx| {
            sqlx::query(
                "INSERT INTO value_groups (code, name, furag_group, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, furag_group = excluded.furag_group, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(&group.code)
            .bind(&group.name)
            .bind(&group.furag_group)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        })
    }
}
