//! The plan aggregate: saved in one transaction, read back with one query per table
//! (never one per activity).

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Tx};
use crate::versions::snapshot;
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{NaiveDate, Utc};
use participa_domain::followup::indicators::Indicator;
use participa_domain::{
    Activity, ActivityDetails, ActivityNumber, ActivityTags, Alignment, AlignmentCode, CodedText,
    DocumentVersion, LegalFramework, Norm, Office, OfficeCode, OfficeRole, Plan, PlanDraft,
    PlanStatus, PlanYear, Signature, SignatureRole,
};
use sqlx::Row;
use std::collections::HashMap;
use std::fmt;

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters for the widest table (6 columns).
pub(crate) const CHUNK: usize = 1000;

/// A stored plan's identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlanId(pub i64);

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One line of the plan list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    pub id: PlanId,
    pub entity: String,
    pub year: i32,
    pub title: String,
    pub activity_count: i64,
    pub version: i64,
    pub status: PlanStatus,
}

fn corrupt(id: i64, what: &str) -> StoreError {
    StoreError::CorruptValue {
        id,
        what: what.to_string(),
    }
}

/// Inserts a plan's child rows (objectives, norms, offices, activities, signatures) under
/// plan `id` inside transaction `tx`.
pub(crate) async fn insert_children(tx: &mut Tx, id: i64, plan: &Plan) -> Result<()> {
    on_tx!(tx, |conn| {
        for chunk in plan
            .objectives
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(CHUNK)
        {
            let mut q =
                sqlx::QueryBuilder::new("INSERT INTO plan_objectives (plan_id, position, text) ");
            q.push_values(chunk, |mut b, (i, text)| {
                b.push_bind(id)
                    .push_bind(*i as i64)
                    .push_bind(text.as_str());
            });
            q.build().execute(&mut *conn).await?;
        }
        let norms: Vec<(usize, &participa_domain::Norm)> =
            plan.legal_framework.norms.iter().enumerate().collect();
        for chunk in norms.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO plan_norms (plan_id, position, kind, number, year) ",
            );
            q.push_values(chunk, |mut b, (i, n)| {
                b.push_bind(id)
                    .push_bind(*i as i64)
                    .push_bind(n.kind.as_str())
                    .push_bind(n.number.as_deref())
                    .push_bind(n.year.map(i64::from));
            });
            q.build().execute(&mut *conn).await?;
        }
        let articles: Vec<(usize, usize, &str)> = norms
            .iter()
            .flat_map(|(i, n)| {
                n.articles
                    .iter()
                    .enumerate()
                    .map(move |(j, a)| (*i, j, a.as_str()))
            })
            .collect();
        for chunk in articles.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO plan_norm_articles (plan_id, norm_position, position, article) ",
            );
            q.push_values(chunk, |mut b, (i, j, article)| {
                b.push_bind(id)
                    .push_bind(*i as i64)
                    .push_bind(*j as i64)
                    .push_bind(*article);
            });
            q.build().execute(&mut *conn).await?;
        }
        for chunk in plan
            .offices
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(CHUNK)
        {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO plan_offices (plan_id, code, position, name, role) ",
            );
            q.push_values(chunk, |mut b, (i, o)| {
                b.push_bind(id)
                    .push_bind(o.code.as_str())
                    .push_bind(*i as i64)
                    .push_bind(o.name.as_str())
                    .push_bind(o.role.as_str());
            });
            q.build().execute(&mut *conn).await?;
        }
        for chunk in plan.activities.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO activities (plan_id, number, description, start_date, end_date, responsible_text, deliverable, details) ",
            );
            q.push_values(chunk, |mut b, a| {
                b.push_bind(id)
                    .push_bind(i64::from(a.number.get()))
                    .push_bind(a.description.as_str())
                    .push_bind(a.start)
                    .push_bind(a.end)
                    .push_bind(a.responsible_text.as_str())
                    .push_bind(a.deliverable.as_str())
                    .push_bind(details_json(&a.details));
            });
            q.build().execute(&mut *conn).await?;
        }
        let links: Vec<(u32, usize, &str)> = plan
            .activities
            .iter()
            .flat_map(|a| {
                a.responsible
                    .iter()
                    .enumerate()
                    .map(move |(i, c)| (a.number.get(), i, c.as_str()))
            })
            .collect();
        for chunk in links.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO activity_offices (plan_id, activity_number, position, office_code) ",
            );
            q.push_values(chunk, |mut b, (n, i, code)| {
                b.push_bind(id)
                    .push_bind(i64::from(*n))
                    .push_bind(*i as i64)
                    .push_bind(*code);
            });
            q.build().execute(&mut *conn).await?;
        }
        let tags: Vec<(u32, usize, &str, String)> = plan
            .activities
            .iter()
            .flat_map(|a| {
                a.tags
                    .to_pairs()
                    .into_iter()
                    .enumerate()
                    .map(move |(i, (kind, value))| (a.number.get(), i, kind, value))
            })
            .collect();
        for chunk in tags.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO activity_tags (plan_id, activity_number, kind, position, value) ",
            );
            q.push_values(chunk, |mut b, (n, i, kind, value)| {
                b.push_bind(id)
                    .push_bind(i64::from(*n))
                    .push_bind(*kind)
                    .push_bind(*i as i64)
                    .push_bind(value.as_str());
            });
            q.build().execute(&mut *conn).await?;
        }
        for chunk in plan
            .signatures
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(CHUNK)
        {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO plan_signatures (plan_id, position, role, name, signer_position) ",
            );
            q.push_values(chunk, |mut b, (i, s)| {
                b.push_bind(id)
                    .push_bind(*i as i64)
                    .push_bind(s.role.as_str())
                    .push_bind(s.name.as_str())
                    .push_bind(s.position.as_str());
            });
            q.build().execute(&mut *conn).await?;
        }
    });
    Ok(())
}

/// Binds a plan's head columns in the order both INSERT and UPDATE of `plans` list them:
/// title, year, policy, the alignment chain's codes and texts, legal framework, offices
/// text, version number and date.
pub(crate) fn bind_head<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, DB::Arguments<'q>>,
    plan: &'q Plan,
) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<NaiveDate>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let a = &plan.alignment;
    query
        .bind(plan.title.as_str())
        .bind(i64::from(plan.year.get()))
        .bind(a.policy.as_str())
        .bind(a.strategic_objective.code.as_str())
        .bind(a.strategic_objective.text.as_str())
        .bind(a.office_objective.code.as_str())
        .bind(a.office_objective.text.as_str())
        .bind(a.strategic_initiative.code.as_str())
        .bind(a.strategic_initiative.text.as_str())
        .bind(plan.legal_framework.text.as_str())
        .bind(plan.offices_text.as_str())
        .bind(plan.version.as_ref().map(|v| i64::from(v.number)))
        .bind(plan.version.as_ref().map(|v| v.date))
}

impl Store {
    /// Saves a new plan (all of it or nothing) and returns its id. `source` names the
    /// file it came from, if any.
    pub async fn insert_plan(&self, plan: &Plan, source: Option<&str>) -> Result<PlanId> {
        self.create_plan(plan, source, &Actor::system()).await
    }

    /// Saves a new plan as version 1, a draft, with its audit entry; all of it or nothing.
    pub async fn create_plan(
        &self,
        plan: &Plan,
        source: Option<&str>,
        actor: &Actor,
    ) -> Result<PlanId> {
        let now = Utc::now();
        let content = snapshot(plan)?;
        let reason = match source {
            Some(file) => format!("Importado de {file}"),
            None => "Formulación inicial".to_string(),
        };
        let mut tx = self.begin().await?;
        let tx_entity = tx.entity;
        let id = on_tx!(&mut tx, |conn| {
            // A database's placeholder entity takes the name of its first plan's entity.
            sqlx::query(
                "UPDATE entities SET name = $1 WHERE id = $2 AND name = $3 \
                 AND NOT EXISTS (SELECT 1 FROM plans WHERE entity_id = $2) \
                 AND NOT EXISTS (SELECT 1 FROM entities WHERE name = $1)",
            )
            .bind(&plan.entity)
            .bind(tx_entity)
            .bind(crate::PLACEHOLDER_NAME)
            .execute(&mut *conn)
            .await?;
            let entity_id = tx_entity;
            let query = sqlx::query(
                "INSERT INTO plans (entity_id, title, year, policy, \
                 strategic_objective_code, strategic_objective_text, \
                 office_objective_code, office_objective_text, \
                 strategic_initiative_code, strategic_initiative_text, \
                 legal_framework_text, offices_text, version_number, version_date, source_file, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            )
            .bind(entity_id);
            let id: i64 = bind_head(query, plan)
                .bind(source)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
                .try_get("id")?;
            id
        });
        insert_children(&mut tx, id, plan).await?;
        // The indicators the entity's table declared (its «Meta» and «Indicador»).
        let declared: Vec<(u32, Indicator)> = plan
            .activities
            .iter()
            .filter_map(|a| {
                Indicator::from_goal(&a.details.goal, &a.details.indicator)
                    .map(|i| (a.number.get(), i))
            })
            .collect();
        on_tx!(&mut tx, |conn| {
            for chunk in declared.chunks(CHUNK) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO indicators (plan_id, activity_number, name, unit, target, aggregation, created_by, created_at) ",
                );
                q.push_values(chunk, |mut b, (n, i)| {
                    b.push_bind(id)
                        .push_bind(i64::from(*n))
                        .push_bind(&i.name)
                        .push_bind(&i.unit)
                        .push_bind(i.target)
                        .push_bind(i.aggregation.as_str())
                        .push_bind(actor.user_id)
                        .push_bind(now);
                });
                q.build().execute(&mut *conn).await?;
            }
        });
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO plan_versions (plan_id, version, status, reason, created_by, created_at, content) \
                 VALUES ($1, 1, 'draft', $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&reason)
            .bind(actor.user_id)
            .bind(now)
            .bind(&content)
            .execute(&mut *conn)
            .await?;
        });
        let change = Change {
            actor,
            action: AuditAction::PlanCreate,
            plan_id: Some(id),
            subject: format!("plan {id}: {}", plan.title),
            before: None,
            after: Some(reason.clone()),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(PlanId(id))
    }

    /// Every plan, newest year first: one query.
    pub async fn plans(&self) -> Result<Vec<PlanSummary>> {
        const SQL: &str = "SELECT p.id, e.name AS entity, p.year, p.title, \
             (SELECT COUNT(*) FROM activities a WHERE a.plan_id = p.id) AS activity_count, \
             p.current_version, v.status \
             FROM plans p JOIN entities e ON e.id = p.entity_id \
             JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.current_version \
             WHERE p.entity_id = $1 ORDER BY p.year DESC, p.id";
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(SQL)
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(PlanSummary {
                        id: PlanId(r.try_get("id")?),
                        entity: r.try_get("entity")?,
                        year: r.try_get::<i64, _>("year")? as i32,
                        title: r.try_get("title")?,
                        activity_count: r.try_get("activity_count")?,
                        version: r.try_get("current_version")?,
                        status: {
                            let s: String = r.try_get("status")?;
                            PlanStatus::parse(&s).ok_or_else(|| corrupt(0, &s))?
                        },
                    })
                })
                .collect()
        })
    }

    /// A stored plan, read with one query per table and checked by the domain's rules.
    pub async fn plan(&self, id: PlanId) -> Result<Plan> {
        let mut tx = self.begin_read().await?;
        let plan = read_plan(&mut tx, id).await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// How many plans and activities are stored: what an import that failed must leave as it was.
    pub async fn counts(&self) -> Result<(i64, i64)> {
        on_conn!(self.conn().await?, |conn| {
            let r = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM plans WHERE entity_id = $1) AS plans, \
                 (SELECT COUNT(*) FROM activities a JOIN plans p ON p.id = a.plan_id \
                  WHERE p.entity_id = $1) AS activities",
            )
            .bind(self.entity)
            .fetch_one(&mut *conn)
            .await?;
            Ok((r.try_get("plans")?, r.try_get("activities")?))
        })
    }
}

/// A stored plan, read in transaction `tx` with one query per table and checked by the
/// domain's rules.
pub(crate) async fn read_plan(tx: &mut Tx, id: PlanId) -> Result<Plan> {
    let rows = on_tx!(tx, |conn| {
        let head = sqlx::query(
            "SELECT e.name AS entity, p.title, p.year, p.policy, \
             p.strategic_objective_code, p.strategic_objective_text, \
             p.office_objective_code, p.office_objective_text, \
             p.strategic_initiative_code, p.strategic_initiative_text, \
             p.legal_framework_text, p.offices_text, p.version_number, p.version_date \
             FROM plans p JOIN entities e ON e.id = p.entity_id WHERE p.id = $1 AND p.entity_id = $2",
        )
        .bind(id.0)
        .bind(tx.entity)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(h) = head else {
            return Err(StoreError::not_found(Entity::Plan, id));
        };
        let head = Head {
            entity: h.try_get("entity")?,
            title: h.try_get("title")?,
            year: h.try_get("year")?,
            policy: h.try_get("policy")?,
            coded: [
                (
                    h.try_get("strategic_objective_code")?,
                    h.try_get("strategic_objective_text")?,
                ),
                (
                    h.try_get("office_objective_code")?,
                    h.try_get("office_objective_text")?,
                ),
                (
                    h.try_get("strategic_initiative_code")?,
                    h.try_get("strategic_initiative_text")?,
                ),
            ],
            legal: h.try_get("legal_framework_text")?,
            offices_text: h.try_get("offices_text")?,
            version_number: h.try_get("version_number")?,
            version_date: h.try_get("version_date")?,
        };
        let objectives =
            sqlx::query("SELECT text FROM plan_objectives WHERE plan_id = $1 ORDER BY position")
                .bind(id.0)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get("text"))
                .collect::<Result<Vec<String>, _>>()?;
        let norms = sqlx::query("SELECT position, kind, number, year FROM plan_norms WHERE plan_id = $1 ORDER BY position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("position")?, r.try_get("kind")?, r.try_get("number")?, r.try_get("year")?)))
            .collect::<Result<Vec<(i64, String, Option<String>, Option<i64>)>, sqlx::Error>>()?;
        let articles = sqlx::query("SELECT norm_position, article FROM plan_norm_articles WHERE plan_id = $1 ORDER BY norm_position, position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("norm_position")?, r.try_get("article")?)))
            .collect::<Result<Vec<(i64, String)>, sqlx::Error>>()?;
        let offices = sqlx::query(
            "SELECT code, name, role FROM plan_offices WHERE plan_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("name")?, r.try_get("role")?)))
        .collect::<Result<Vec<(String, String, String)>, sqlx::Error>>()?;
        let activities = sqlx::query(
            "SELECT number, description, start_date, end_date, responsible_text, deliverable, details \
             FROM activities WHERE plan_id = $1 ORDER BY number",
        )
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ActivityRow {
                number: r.try_get("number")?,
                description: r.try_get("description")?,
                start: r.try_get("start_date")?,
                end: r.try_get("end_date")?,
                responsible_text: r.try_get("responsible_text")?,
                deliverable: r.try_get("deliverable")?,
                details: r.try_get("details")?,
            })
        })
        .collect::<Result<Vec<ActivityRow>, sqlx::Error>>()?;
        let links = sqlx::query("SELECT activity_number, office_code FROM activity_offices WHERE plan_id = $1 ORDER BY activity_number, position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("activity_number")?, r.try_get("office_code")?)))
            .collect::<Result<Vec<(i64, String)>, sqlx::Error>>()?;
        let tags = sqlx::query("SELECT activity_number, kind, value FROM activity_tags WHERE plan_id = $1 ORDER BY activity_number, position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("activity_number")?, r.try_get("kind")?, r.try_get("value")?)))
            .collect::<Result<Vec<(i64, String, String)>, sqlx::Error>>()?;
        let signatures = sqlx::query("SELECT role, name, signer_position FROM plan_signatures WHERE plan_id = $1 ORDER BY position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("role")?, r.try_get("name")?, r.try_get("signer_position")?)))
            .collect::<Result<Vec<(String, String, String)>, sqlx::Error>>()?;
        Ok::<_, StoreError>(PlanRows {
            head,
            objectives,
            norms,
            articles,
            offices,
            activities,
            links,
            tags,
            signatures,
        })
    })?;
    rows.into_plan(id.0)
}

struct Head {
    entity: String,
    title: String,
    year: i64,
    policy: String,
    coded: [(String, String); 3],
    legal: String,
    offices_text: String,
    version_number: Option<i64>,
    version_date: Option<NaiveDate>,
}

struct ActivityRow {
    number: i64,
    description: String,
    start: NaiveDate,
    end: NaiveDate,
    responsible_text: String,
    deliverable: String,
    /// [`ActivityDetails`] as JSON, '' when empty.
    details: String,
}

/// An activity's details as stored: JSON, or '' when there are none.
fn details_json(d: &ActivityDetails) -> String {
    if d.is_empty() {
        String::new()
    } else {
        serde_json::to_string(d).expect("details are plain strings")
    }
}

struct PlanRows {
    head: Head,
    objectives: Vec<String>,
    norms: Vec<(i64, String, Option<String>, Option<i64>)>,
    articles: Vec<(i64, String)>,
    offices: Vec<(String, String, String)>,
    activities: Vec<ActivityRow>,
    links: Vec<(i64, String)>,
    tags: Vec<(i64, String, String)>,
    signatures: Vec<(String, String, String)>,
}

impl PlanRows {
    /// Assembles the rows into a plan through the domain's constructors.
    fn into_plan(self, id: i64) -> Result<Plan> {
        let bad = |what: &str| corrupt(id, what);
        let h = self.head;
        let coded = |(code, text): (String, String)| -> Result<CodedText> {
            Ok(CodedText {
                code: AlignmentCode::parse(&code).map_err(|e| bad(&e.to_string()))?,
                text,
            })
        };
        let [so, oo, si] = h.coded;
        let mut articles: HashMap<i64, Vec<String>> = HashMap::new();
        for (norm, article) in self.articles {
            articles.entry(norm).or_default().push(article);
        }
        let mut links: HashMap<i64, Vec<OfficeCode>> = HashMap::new();
        for (number, code) in self.links {
            links
                .entry(number)
                .or_default()
                .push(OfficeCode::parse(&code).map_err(|e| bad(&e.to_string()))?);
        }
        let mut tag_pairs: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        for (number, kind, value) in self.tags {
            tag_pairs.entry(number).or_default().push((kind, value));
        }
        let offices = self
            .offices
            .into_iter()
            .map(|(code, name, role)| {
                Ok(Office {
                    code: OfficeCode::parse(&code).map_err(|e| bad(&e.to_string()))?,
                    name,
                    role: OfficeRole::parse(&role).ok_or_else(|| bad("rol de dependencia"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let activities = self
            .activities
            .into_iter()
            .map(|a| {
                Ok(Activity {
                    number: u32::try_from(a.number)
                        .ok()
                        .and_then(|n| ActivityNumber::new(n).ok())
                        .ok_or_else(|| bad("número de actividad"))?,
                    description: a.description,
                    start: a.start,
                    end: a.end,
                    responsible: links.remove(&a.number).unwrap_or_default(),
                    responsible_text: a.responsible_text,
                    deliverable: a.deliverable,
                    tags: ActivityTags::from_pairs(
                        tag_pairs
                            .remove(&a.number)
                            .unwrap_or_default()
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str())),
                    )
                    .map_err(|e| bad(&format!("etiqueta {e}")))?,
                    details: if a.details.is_empty() {
                        ActivityDetails::default()
                    } else {
                        serde_json::from_str(&a.details)
                            .map_err(|_| bad("detalles de la actividad"))?
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let signatures = self
            .signatures
            .into_iter()
            .map(|(role, name, position)| {
                Ok(Signature {
                    role: SignatureRole::parse(&role).ok_or_else(|| bad("rol de firma"))?,
                    name,
                    position,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let version = match (h.version_number, h.version_date) {
            (Some(n), Some(date)) => Some(DocumentVersion {
                number: u32::try_from(n).map_err(|_| bad("número de versión"))?,
                date,
            }),
            _ => None,
        };
        let draft = PlanDraft {
            entity: h.entity,
            title: h.title,
            year: i32::try_from(h.year)
                .ok()
                .and_then(|y| PlanYear::new(y).ok())
                .ok_or_else(|| bad("vigencia"))?,
            alignment: Alignment {
                policy: h.policy,
                strategic_objective: coded(so)?,
                office_objective: coded(oo)?,
                strategic_initiative: coded(si)?,
            },
            objectives: self.objectives,
            legal_framework: LegalFramework {
                text: h.legal,
                norms: self
                    .norms
                    .into_iter()
                    .map(|(position, kind, number, year)| Norm {
                        kind,
                        number,
                        year: year.map(|y| y as i32),
                        articles: articles.remove(&position).unwrap_or_default(),
                    })
                    .collect(),
            },
            offices,
            offices_text: h.offices_text,
            activities,
            signatures,
            version,
        };
        Plan::from_saved(draft).map_err(|errors| StoreError::Corrupt { id, errors })
    }
}
