//! Across entities: the platform roles, and the national figures (a few grouped
//! queries for every entity at once, never one query per entity).

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Scope};
use crate::{on_conn, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::national::{
    EntityFigures, FuragFigures, Participation, PlanFigures, PlatformRole,
};
use participa_domain::PlanDraft;
use sqlx::Row;
use std::collections::HashMap;

/// A user's platform role and, for an observer, the entities it reads (empty: all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformGrant {
    pub role: PlatformRole,
    pub entities: Vec<i64>,
}

impl PlatformGrant {
    /// Whether the grant lets its holder read entity `id`.
    pub fn reads(&self, id: i64) -> bool {
        self.role == PlatformRole::Administrator
            || self.entities.is_empty()
            || self.entities.contains(&id)
    }
}

impl Store {
    /// The most recent year any entity has a plan for.
    pub async fn latest_plan_year(&self) -> Result<Option<i32>> {
        on_conn!(self.conn_for(Scope::All).await?, |conn| {
            let year: Option<i64> = sqlx::query("SELECT MAX(year) AS y FROM plans")
                .fetch_one(&mut *conn)
                .await?
                .try_get("y")?;
            Ok(year.map(|y| y as i32))
        })
    }

    /// The platform role of `user` (a user of this store's entity), if it has one.
    pub async fn platform_grant(&self, user: i64) -> Result<Option<PlatformGrant>> {
        on_conn!(self.conn().await?, |conn| {
            let Some(row) = sqlx::query(
                "SELECT g.role FROM platform_roles g JOIN users u ON u.id = g.user_id \
                 WHERE g.user_id = $1 AND u.entity_id = $2",
            )
            .bind(user)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            let role: String = row.try_get("role")?;
            let role = PlatformRole::parse(&role).ok_or_else(|| StoreError::CorruptValue {
                id: user,
                what: format!("rol de plataforma «{role}»"),
            })?;
            let entities = sqlx::query(
                "SELECT entity_id FROM observed_entities WHERE user_id = $1 ORDER BY entity_id",
            )
            .bind(user)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("entity_id"))
            .collect::<Result<Vec<i64>, _>>()?;
            Ok(Some(PlatformGrant { role, entities }))
        })
    }

    /// Gives `user` (of this store's entity) a platform role, replacing any it had;
    /// `None` takes it away. Audited in the entity's log.
    pub async fn set_platform_grant(
        &self,
        user: i64,
        grant: Option<&PlatformGrant>,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        tx.owns(crate::entities::Owned::User, user).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM observed_entities WHERE user_id = $1")
                .bind(user)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM platform_roles WHERE user_id = $1")
                .bind(user)
                .execute(&mut *conn)
                .await?;
            if let Some(g) = grant {
                sqlx::query(
                    "INSERT INTO platform_roles (user_id, role, granted_at) VALUES ($1, $2, $3)",
                )
                .bind(user)
                .bind(g.role.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?;
                for e in &g.entities {
                    sqlx::query(
                        "INSERT INTO observed_entities (user_id, entity_id) VALUES ($1, $2)",
                    )
                    .bind(user)
                    .bind(e)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        });
        let change = Change {
            actor,
            action: AuditAction::PlatformGrant,
            plan_id: None,
            subject: format!("rol de plataforma del usuario {user}"),
            before: None,
            after: Some(match grant {
                Some(g) if g.entities.is_empty() => g.role.label().to_string(),
                Some(g) => format!("{} ({} entidades)", g.role.label(), g.entities.len()),
                None => "sin rol de plataforma".into(),
            }),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// The figures of every entity in `only` (all when None) for plans of `year`, as of
    /// `today`: six grouped queries, whatever the number of entities. Each entity's
    /// plan of the year is its most recent one; its publication day is the Colombian
    /// day of its first published version.
    pub async fn national_figures(
        &self,
        year: i32,
        today: NaiveDate,
        only: Option<&[i64]>,
    ) -> Result<Vec<EntityFigures>> {
        let wanted = |id: i64| only.is_none_or(|o| o.contains(&id));
        let entities = self.entities().await?;
        let mut out: Vec<EntityFigures> = entities
            .into_iter()
            .filter(|e| wanted(e.id))
            .map(|e| EntityFigures {
                entity_id: e.id,
                slug: e.data.slug,
                name: e.data.name,
                order: e.data.order,
                department_code: e.data.department_code,
                municipality_code: e.data.municipality_code,
                plan: None,
                participation: Participation::default(),
            })
            .collect();
        let year = i64::from(year);
        let scope = match only {
            Some(ids) => Scope::Entities(ids),
            None => Scope::All,
        };
        let (plans, schedule, counts, furag) = on_conn!(self.conn_for(scope).await?, |conn| {
            let plans = sqlx::query(
                "SELECT p.entity_id, p.id, \
                 (SELECT COUNT(*) FROM activities a WHERE a.plan_id = p.id) AS activities, \
                 (SELECT MIN(v.published_at) FROM plan_versions v WHERE v.plan_id = p.id \
                  AND v.published_at IS NOT NULL) AS published_at \
                 FROM plans p WHERE p.year = $1 AND p.id = (SELECT MAX(q.id) FROM plans q \
                 WHERE q.entity_id = p.entity_id AND q.year = $1)",
            )
            .bind(year)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("entity_id")?,
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<i64, _>("activities")?,
                    r.try_get::<Option<DateTime<Utc>>, _>("published_at")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
            // The activities due and, of those, the ones whose latest report is 100 %.
            let schedule = sqlx::query(
                "SELECT a.plan_id, COUNT(*) AS due, \
                 SUM(CASE WHEN COALESCE((SELECT r.percent FROM progress_reports r \
                   WHERE r.plan_id = a.plan_id AND r.activity_number = a.number \
                   ORDER BY r.period DESC, r.id DESC LIMIT 1), 0) >= 100 THEN 1 ELSE 0 END) AS done \
                 FROM activities a JOIN plans p ON p.id = a.plan_id \
                 WHERE p.year = $1 AND a.end_date < $2 GROUP BY a.plan_id",
            )
            .bind(year)
            .bind(today)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("plan_id")?,
                    (r.try_get::<i64, _>("due")?, r.try_get::<i64, _>("done")?),
                ))
            })
            .collect::<Result<HashMap<i64, (i64, i64)>>>()?;
            let mut counts: HashMap<(i64, &'static str), i64> = HashMap::new();
            for (what, sql) in [
                (
                    "suggestions",
                    "SELECT entity_id, COUNT(*) AS n FROM suggestions GROUP BY entity_id",
                ),
                (
                    "registrations",
                    "SELECT h.entity_id, COUNT(*) AS n FROM hearing_registrations r \
                     JOIN hearings h ON h.id = r.hearing_id GROUP BY h.entity_id",
                ),
                (
                    "responses",
                    "SELECT c.entity_id, CAST(SUM(c.response_count) AS BIGINT) AS n FROM consultations c \
                     GROUP BY c.entity_id",
                ),
                (
                    "comments",
                    "SELECT c.entity_id, CAST(SUM(c.comment_count) AS BIGINT) AS n FROM consultations c \
                     GROUP BY c.entity_id",
                ),
                (
                    "events",
                    "SELECT entity_id, COUNT(*) AS n FROM events GROUP BY entity_id",
                ),
                (
                    "attendees",
                    "SELECT entity_id, CAST(COALESCE(SUM(attendees), 0) AS BIGINT) AS n \
                     FROM events GROUP BY entity_id",
                ),
            ] {
                for r in sqlx::query(sql).fetch_all(&mut *conn).await? {
                    counts.insert((r.try_get("entity_id")?, what), r.try_get("n")?);
                }
            }
            let furag = sqlx::query(
                "SELECT plan_id, ready, partial, missing, to_confirm, computed_at FROM furag_readiness",
            )
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let n = |c: &str| -> Result<i64> { Ok(i64::from(r.try_get::<i32, _>(c)?)) };
                Ok((
                    r.try_get::<i64, _>("plan_id")?,
                    (
                        n("ready")?,
                        n("partial")?,
                        n("missing")?,
                        n("to_confirm")?,
                        r.try_get::<DateTime<Utc>, _>("computed_at")?,
                    ),
                ))
            })
            .collect::<Result<HashMap<i64, _>>>()?;
            (plans, schedule, counts, furag)
        });
        for f in &mut out {
            let n = |what| counts.get(&(f.entity_id, what)).copied().unwrap_or(0);
            f.participation = Participation {
                suggestions: n("suggestions"),
                hearing_registrations: n("registrations"),
                survey_responses: n("responses"),
                forum_comments: n("comments"),
                events: n("events"),
                event_attendees: n("attendees"),
            };
            if let Some((_, plan, activities, published)) =
                plans.iter().find(|(e, ..)| *e == f.entity_id)
            {
                let (due, done) = schedule.get(plan).copied().unwrap_or((0, 0));
                f.plan = Some(PlanFigures {
                    plan_id: *plan,
                    published_on: published.map(colombian_day),
                    activities: *activities,
                    due,
                    done_when_due: done,
                    furag: furag
                        .get(plan)
                        .map(|&(ready, partial, missing, to_confirm, at)| FuragFigures {
                            ready,
                            partial,
                            missing,
                            to_confirm,
                            computed_on: colombian_day(at),
                        }),
                });
            }
        }
        Ok(out)
    }

    /// The coverage findings not accepted of each plan in `plans` (their current
    /// versions): one query for the versions and one for the acceptances.
    pub async fn pending_findings(&self, plans: &[i64]) -> Result<Vec<Vec<(String, String)>>> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        // The plans are the caller's (already within what its user may read).
        let (versions, accepted) = on_conn!(self.conn_for(Scope::All).await?, |conn| {
            let versions = of_plans(
                "SELECT v.plan_id, v.version, v.content FROM plan_versions v \
                 JOIN plans p ON p.id = v.plan_id AND v.version = p.current_version WHERE p.id IN (",
                plans,
            )
            .build()
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<i64, _>("plan_id")?,
                        r.try_get::<i64, _>("version")?,
                        r.try_get::<String, _>("content")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            let accepted = of_plans(
                "SELECT f.plan_id, f.code FROM finding_acceptances f \
                 JOIN plans p ON p.id = f.plan_id AND f.version = p.current_version WHERE p.id IN (",
                plans,
            )
            .build()
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<i64, _>("plan_id")?,
                        r.try_get::<String, _>("code")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            (versions, accepted)
        });
        let mut out = Vec::with_capacity(versions.len());
        for (plan, _, content) in versions {
            let draft: PlanDraft = serde_json::from_str(&content)?;
            let Ok(saved) = participa_domain::Plan::from_saved(draft) else {
                continue;
            };
            out.push(
                participa_domain::coverage::check(&saved)
                    .into_iter()
                    .filter(|f| !accepted.iter().any(|(p, c)| *p == plan && *c == f.code))
                    .map(|f| (f.code, f.message))
                    .collect(),
            );
        }
        Ok(out)
    }
}

/// `head` (ending in `IN (`) followed by `plans` as bound values and `)`.
fn of_plans<'a, DB: sqlx::Database>(head: &str, plans: &'a [i64]) -> sqlx::QueryBuilder<'a, DB>
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::new(head);
    let mut list = q.separated(", ");
    for p in plans {
        list.push_bind(*p);
    }
    q.push(")");
    q
}

fn colombian_day(at: DateTime<Utc>) -> NaiveDate {
    (at - chrono::Duration::hours(5)).date_naive()
}
