//! The plan activities that participation (hearings, consultations, events, channel
//! figures) can be linked to, read in one query for the forms that offer them.

use crate::{on_conn, Result, Store, StoreError};
use participa_domain::OfficeCode;
use sqlx::Row;

/// One activity of a stored plan (its current version), as a form offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityChoice {
    pub plan_id: i64,
    pub year: i32,
    pub number: u32,
    pub description: String,
}

impl Store {
    /// Every activity of every plan, newest year first, then by plan and number: one
    /// query, however many plans there are.
    pub async fn activity_choices(&self) -> Result<Vec<ActivityChoice>> {
        const SQL: &str = "SELECT a.plan_id, p.year, a.number, a.description \
             FROM activities a JOIN plans p ON p.id = a.plan_id \
             WHERE p.entity_id = $1 ORDER BY p.year DESC, p.id, a.number";
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(SQL)
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ActivityChoice {
                        plan_id: r.try_get("plan_id")?,
                        year: r.try_get::<i64, _>("year")? as i32,
                        number: r.try_get::<i64, _>("number")? as u32,
                        description: r.try_get("description")?,
                    })
                })
                .collect()
        })
    }

    /// The offices responsible for activity `number` of plan `plan_id`, in the plan's
    /// order; `None` when the plan has no such activity.
    pub async fn activity_offices(
        &self,
        plan_id: i64,
        number: u32,
    ) -> Result<Option<Vec<OfficeCode>>> {
        const SQL: &str = "SELECT ao.office_code FROM activities a \
             LEFT JOIN activity_offices ao \
               ON ao.plan_id = a.plan_id AND ao.activity_number = a.number \
             JOIN plans p ON p.id = a.plan_id \
             WHERE a.plan_id = $1 AND a.number = $2 AND p.entity_id = $3 ORDER BY ao.position";
        let rows: Vec<Option<String>> = on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(SQL)
                .bind(plan_id)
                .bind(i64::from(number))
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|r| r.try_get::<Option<String>, _>("office_code"))
                .collect::<std::result::Result<Vec<_>, _>>()
        })?;
        if rows.is_empty() {
            return Ok(None);
        }
        rows.into_iter()
            .flatten()
            .map(|code| {
                OfficeCode::parse(&code).map_err(|_| StoreError::CorruptValue {
                    id: plan_id,
                    what: code.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}
