//! The legal parameters in force: the code's defaults (with their sources) overridden by
//! the values an admin set, each from a date, with their history.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Tx};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::parameters::{definition, ParameterDefinition, Term, LEGAL_PARAMETERS};
use sqlx::Row;

/// A parameter with the value in force at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterValue {
    pub definition: &'static ParameterDefinition,
    pub term: Term,
    /// None while the code's default applies.
    pub applies_from: Option<NaiveDate>,
}

/// One value an admin set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterChange {
    pub key: String,
    pub value: i64,
    pub applies_from: NaiveDate,
    pub reason: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Every change ever made, oldest first.
    pub async fn parameter_history(&self) -> Result<Vec<ParameterChange>> {
        let mut tx = self.begin_read().await?;
        let history = read_history(&mut tx).await?;
        tx.commit().await?;
        Ok(history)
    }

    /// Every parameter with the value in force on `date`: one query.
    pub async fn parameters(&self, date: NaiveDate) -> Result<Vec<ParameterValue>> {
        Ok(in_force(&self.parameter_history().await?, date))
    }

    /// The term of `key` in force on `date`.
    pub async fn term(&self, key: &str, date: NaiveDate) -> Result<Term> {
        self.parameters(date)
            .await?
            .into_iter()
            .find(|p| p.definition.key == key)
            .map(|p| p.term)
            .ok_or_else(|| StoreError::UnknownParameter(key.to_string()))
    }

    /// Sets a parameter's value from a date, with its reason and audit entry.
    /// Business days after a cut-off that offices have to report (the legal parameter
    /// `seguimiento.reporte_tras_corte` in force at `date`).
    pub async fn reporting_days(&self, date: NaiveDate) -> Result<u32> {
        let term = self.term("seguimiento.reporte_tras_corte", date).await?;
        u32::try_from(term.value).map_err(|_| StoreError::InvalidParameter {
            key: "seguimiento.reporte_tras_corte".into(),
            value: term.value,
        })
    }

    pub async fn set_parameter(
        &self,
        key: &str,
        value: i64,
        applies_from: NaiveDate,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let def = definition(key).ok_or_else(|| StoreError::UnknownParameter(key.to_string()))?;
        if !Term::valid(value, def.unit) {
            return Err(StoreError::InvalidParameter {
                key: key.to_string(),
                value,
            });
        }
        let mut tx = self.begin().await?;
        let before = in_force(&read_history(&mut tx).await?, applies_from)
            .into_iter()
            .find(|p| p.definition.key == key)
            .map(|p| p.term)
            .ok_or_else(|| StoreError::UnknownParameter(key.to_string()))?;
        let now = Utc::now();
        let after = Term {
            value,
            unit: def.unit,
        };
        let change = Change {
            actor,
            action: AuditAction::ParameterSet,
            plan_id: None,
            subject: format!("parámetro {key} ({})", def.label),
            before: Some(before.describe()),
            after: Some(format!(
                "{} desde {applies_from}: {reason}",
                after.describe()
            )),
        };
        let entity = tx.entity;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO legal_parameter_values (key, value, applies_from, reason, created_by, created_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key)
            .bind(value)
            .bind(applies_from)
            .bind(reason)
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

/// Every change ever made, oldest first, read in transaction `tx`.
async fn read_history(tx: &mut Tx) -> Result<Vec<ParameterChange>> {
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        sqlx::query(
            "SELECT p.key, p.value, p.applies_from, p.reason, p.created_at, u.full_name \
             FROM legal_parameter_values p LEFT JOIN users u ON u.id = p.created_by \
             WHERE p.entity_id = $1 ORDER BY p.id",
        )
        .bind(entity)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ParameterChange {
                key: r.try_get("key")?,
                value: r.try_get("value")?,
                applies_from: r.try_get("applies_from")?,
                reason: r.try_get("reason")?,
                by: r.try_get("full_name")?,
                at: r.try_get("created_at")?,
            })
        })
        .collect()
    })
}

/// Every parameter with the value in force on `date`, given the history of changes.
pub(crate) fn in_force(history: &[ParameterChange], date: NaiveDate) -> Vec<ParameterValue> {
    LEGAL_PARAMETERS
        .iter()
        .map(|def| {
            let latest = history
                .iter()
                .filter(|c| c.key == def.key && c.applies_from <= date)
                .max_by_key(|c| c.applies_from);
            ParameterValue {
                definition: def,
                term: Term {
                    value: latest.map_or(def.value, |c| c.value),
                    unit: def.unit,
                },
                applies_from: latest.map(|c| c.applies_from),
            }
        })
        .collect()
}
