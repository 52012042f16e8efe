//! Plan versions and their lifecycle. The normalized tables hold the current version's
//! content; `plan_versions.content` keeps every version's content as JSON, so that the
//! public page reads one row and any two versions can be compared.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::findings::read_coverage;
use crate::notifications::{Notice, NoticeKind, Recipients};
use crate::plans::{bind_head, insert_children};
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_db, Entity, PlanId, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::{EditMode, Plan, PlanDraft, PlanStatus, Role, Transition};
use sqlx::Row;

/// A plan's content as stored in `plan_versions.content`.
pub(crate) fn snapshot(plan: &Plan) -> Result<String> {
    Ok(serde_json::to_string(&**plan)?)
}

fn from_snapshot(id: i64, content: &str) -> Result<Plan> {
    let draft: PlanDraft = serde_json::from_str(content)?;
    Plan::from_saved(draft).map_err(|errors| StoreError::Corrupt { id, errors })
}

/// Who did a lifecycle step, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// One version of a plan, for the history page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub version: i64,
    pub status: PlanStatus,
    pub reason: String,
    pub created: Step,
    pub consolidated: Option<Step>,
    pub reviewed: Option<Step>,
    pub approved: Option<Step>,
    pub acta_number: Option<String>,
    pub acta_date: Option<NaiveDate>,
    pub published: Option<Step>,
}

/// The plan's current version and its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanState {
    pub id: PlanId,
    pub version: i64,
    pub status: PlanStatus,
}

/// A plan as the public sees it: its latest published version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPlan {
    pub id: PlanId,
    pub version: i64,
    pub published_at: DateTime<Utc>,
    pub plan: Plan,
}

/// The committee's act that approves a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acta {
    pub number: String,
    pub date: NaiveDate,
}

/// How a save went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub version: i64,
    pub new_version: bool,
}

fn status_of(id: i64, s: &str) -> Result<PlanStatus> {
    PlanStatus::parse(s).ok_or_else(|| StoreError::CorruptValue {
        id,
        what: format!("estado «{s}»"),
    })
}

const STATE_SQL: &str = "SELECT p.current_version, v.status FROM plans p \
     JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.current_version WHERE p.id = $1";

/// The plan's current version and its status, read in transaction `tx` (a change
/// reads it in its own transaction, so that it starts from the state it checked).
pub(crate) async fn current_state(tx: &mut Tx, pid: i64) -> Result<(i64, PlanStatus)> {
    let r = on_tx!(tx, |conn| {
        let r = sqlx::query(STATE_SQL)
            .bind(pid)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found(Entity::Plan, pid))?;
        let version: i64 = r.try_get("current_version")?;
        let status: String = r.try_get("status")?;
        (version, status)
    });
    Ok((r.0, status_of(pid, &r.1)?))
}

const VERSIONS_SQL: &str =
    "SELECT v.version, v.status, v.reason, v.created_at, v.consolidated_at, \
     v.reviewed_at, v.approved_at, v.published_at, v.acta_number, v.acta_date, \
     uc.full_name AS created_name, ucs.full_name AS consolidated_name, \
     ur.full_name AS reviewed_name, ua.full_name AS approved_name, up.full_name AS published_name \
     FROM plan_versions v \
     LEFT JOIN users uc ON uc.id = v.created_by \
     LEFT JOIN users ucs ON ucs.id = v.consolidated_by \
     LEFT JOIN users ur ON ur.id = v.reviewed_by \
     LEFT JOIN users ua ON ua.id = v.approved_by \
     LEFT JOIN users up ON up.id = v.published_by \
     WHERE v.plan_id = $1 ORDER BY v.version";

impl Store {
    /// The plan's current version and state.
    pub async fn plan_state(&self, id: PlanId) -> Result<PlanState> {
        let mut tx = self.begin_read().await?;
        let (version, status) = current_state(&mut tx, id.0).await?;
        tx.commit().await?;
        Ok(PlanState {
            id,
            version,
            status,
        })
    }

    /// Saves a changed plan in one transaction with its audit entry. A draft is changed
    /// in place; a published plan gets a new draft version, which needs `reason`; a plan
    /// under review or approval is locked.
    pub async fn save_plan(
        &self,
        id: PlanId,
        plan: &Plan,
        reason: Option<&str>,
        change: &Change<'_>,
    ) -> Result<Saved> {
        let pid = id.0;
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, pid).await?;
        let (current, status) = current_state(&mut tx, pid).await?;
        let saved = write_plan(&mut tx, pid, (current, status), plan, reason, change).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Edits plan `id` as it stands *inside* one write transaction, so that two people
    /// saving different parts at the same moment both land (the second edit is applied
    /// to what the first saved, never to a copy read before it). `edit` gets the current
    /// content and whether a reason is needed (the plan is published: the save opens a
    /// new version), and returns the changed plan with its audit details and a value for
    /// the caller, or its own refusal (a form's errors), handed back with nothing
    /// written; the caller's error type also carries the store's own errors. A plan
    /// under review or approval is locked.
    pub async fn edit_plan<T, E: From<StoreError>>(
        &self,
        id: PlanId,
        actor: &Actor,
        edit: impl FnOnce(&Plan, bool) -> std::result::Result<(PlanEdit, T), E>,
    ) -> std::result::Result<(Saved, T), E> {
        let pid = id.0;
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, pid).await?;
        let (current, status) = current_state(&mut tx, pid).await?;
        let mode = status.edit_mode();
        if mode == EditMode::Locked {
            return Err(StoreError::Locked(status).into());
        }
        let plan = crate::plans::read_plan(&mut tx, id).await?;
        let (change, value) = match edit(&plan, mode == EditMode::NewVersion) {
            Ok(ok) => ok,
            Err(refusal) => {
                tx.rollback().await?;
                return Err(refusal);
            }
        };
        let saved = write_plan(
            &mut tx,
            pid,
            (current, status),
            &change.plan,
            change.reason.as_deref(),
            &Change {
                actor,
                action: change.action,
                plan_id: Some(pid),
                subject: change.subject,
                before: change.before,
                after: change.after,
            },
        )
        .await?;
        tx.commit().await?;
        Ok((saved, value))
    }

    /// Moves the current version one step along its lifecycle, recording who and when.
    pub async fn transition(
        &self,
        id: PlanId,
        transition: Transition,
        acta: Option<&Acta>,
        actor: &Actor,
    ) -> Result<PlanStatus> {
        let now = Utc::now();
        let pid = id.0;
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, pid).await?;
        if transition == Transition::Consolidate {
            let pending = read_coverage(&mut tx, id).await?.pending();
            if !pending.is_empty() {
                return Err(StoreError::FindingsPending(pending));
            }
        }
        let (version, status) = current_state(&mut tx, pid).await?;
        let next = status.after(transition)?;
        on_tx!(&mut tx, |conn| {
            let set = match transition {
                Transition::Consolidate => "consolidated_by = $4, consolidated_at = $5",
                Transition::Review => "reviewed_by = $4, reviewed_at = $5",
                Transition::Approve => "approved_by = $4, approved_at = $5, acta_number = $6, acta_date = $7",
                Transition::Publish => "published_by = $4, published_at = $5",
                Transition::ReturnToDraft => "consolidated_by = NULL, consolidated_at = NULL, \
                     reviewed_by = NULL, reviewed_at = NULL, approved_by = NULL, approved_at = NULL, \
                     acta_number = NULL, acta_date = NULL",
            };
            let sql = format!(
                "UPDATE plan_versions SET status = $1, {set} WHERE plan_id = $2 AND version = $3"
            );
            let mut q = sqlx::query(&sql)
                .bind(next.as_str())
                .bind(pid)
                .bind(version);
            if transition != Transition::ReturnToDraft {
                q = q.bind(actor.user_id).bind(now);
            }
            if transition == Transition::Approve {
                let acta = acta.ok_or(StoreError::ActaRequired)?;
                q = q.bind(&acta.number).bind(acta.date);
            }
            q.execute(&mut *conn).await?;
        });
        let after = match acta {
            Some(a) if transition == Transition::Approve => {
                format!("{} (acta {} del {})", next.label(), a.number, a.date)
            }
            _ => next.label().to_string(),
        };
        let change = Change {
            actor,
            action: AuditAction::PlanTransition(transition),
            plan_id: Some(pid),
            subject: format!("plan {pid}, versión {version}"),
            before: Some(status.label().to_string()),
            after: Some(after),
        };
        record(&mut tx, &change, now).await?;
        let notice = transition_notice(&mut tx, pid, version, transition, actor).await?;
        crate::notifications::notify(&mut tx, &notice, now).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Every version of the plan, oldest first, with who did each step.
    pub async fn versions(&self, id: PlanId) -> Result<Vec<VersionInfo>> {
        on_db!(&self.db, |pool| {
            let rows = sqlx::query(VERSIONS_SQL).bind(id.0).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let step = |by: &str, at: &str| -> Result<Option<Step>> {
                        let at: Option<DateTime<Utc>> = r.try_get(at)?;
                        Ok(match at {
                            Some(at) => Some(Step {
                                by: r.try_get(by)?,
                                at,
                            }),
                            None => None,
                        })
                    };
                    let status: String = r.try_get("status")?;
                    Ok(VersionInfo {
                        version: r.try_get("version")?,
                        status: status_of(id.0, &status)?,
                        reason: r.try_get("reason")?,
                        created: Step {
                            by: r.try_get("created_name")?,
                            at: r.try_get("created_at")?,
                        },
                        consolidated: step("consolidated_name", "consolidated_at")?,
                        reviewed: step("reviewed_name", "reviewed_at")?,
                        approved: step("approved_name", "approved_at")?,
                        acta_number: r.try_get("acta_number")?,
                        acta_date: r.try_get("acta_date")?,
                        published: step("published_name", "published_at")?,
                    })
                })
                .collect()
        })
    }

    /// The content of one version.
    pub async fn version_plan(&self, id: PlanId, version: i64) -> Result<Plan> {
        let content: Option<String> = on_db!(&self.db, |pool| {
            sqlx::query("SELECT content FROM plan_versions WHERE plan_id = $1 AND version = $2")
                .bind(id.0)
                .bind(version)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get("content"))
                .transpose()?
        });
        let content = content.ok_or_else(|| {
            StoreError::not_found(Entity::Version, format!("{version} del plan {id}"))
        })?;
        from_snapshot(id.0, &content)
    }

    /// The plan's latest published version, if any: one query.
    pub async fn published_plan(&self, id: PlanId) -> Result<Option<PublishedPlan>> {
        let row: Option<(i64, DateTime<Utc>, String)> = on_db!(&self.db, |pool| {
            match sqlx::query(
                "SELECT version, published_at, content FROM plan_versions \
                 WHERE plan_id = $1 AND status = 'published' ORDER BY version DESC LIMIT 1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some((
                    r.try_get("version")?,
                    r.try_get("published_at")?,
                    r.try_get("content")?,
                )),
                None => None,
            }
        });
        row.map(|(version, published_at, content)| {
            Ok(PublishedPlan {
                id,
                version,
                published_at,
                plan: from_snapshot(id.0, &content)?,
            })
        })
        .transpose()
    }

    /// The number of the plan's latest published version, if any: one indexed lookup,
    /// for caches keyed by version.
    pub async fn published_version(&self, id: PlanId) -> Result<Option<i64>> {
        on_db!(&self.db, |pool| {
            let row = sqlx::query(
                "SELECT MAX(version) AS v FROM plan_versions WHERE plan_id = $1 AND status = 'published'",
            )
            .bind(id.0)
            .fetch_one(pool)
            .await?;
            Ok(row.try_get("v")?)
        })
    }

    /// Every plan's latest published version, newest year first: one query.
    pub async fn published_plans(&self) -> Result<Vec<PublishedPlan>> {
        let rows: Vec<(i64, i64, DateTime<Utc>, String)> = on_db!(&self.db, |pool| {
            sqlx::query(
                "SELECT v.plan_id, v.version, v.published_at, v.content FROM plan_versions v \
                 WHERE v.status = 'published' AND v.version = \
                 (SELECT MAX(w.version) FROM plan_versions w WHERE w.plan_id = v.plan_id AND w.status = 'published')",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("plan_id")?, r.try_get("version")?, r.try_get("published_at")?, r.try_get("content")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let mut list = rows
            .into_iter()
            .map(|(id, version, published_at, content)| {
                Ok(PublishedPlan {
                    id: PlanId(id),
                    version,
                    published_at,
                    plan: from_snapshot(id, &content)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        list.sort_by_key(|p| (std::cmp::Reverse(p.plan.year), p.id));
        Ok(list)
    }
}

/// What [`Store::edit_plan`]'s edit returns: the changed plan, the reason of the change
/// (needed when the save opens a new version) and what the audit log says of it.
#[derive(Debug, Clone)]
pub struct PlanEdit {
    pub plan: Plan,
    pub reason: Option<String>,
    pub action: AuditAction,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Writes `plan` as plan `pid`'s content in transaction `tx`, which holds the plan's lock
/// and read `state` (its current version and status): a draft in place, a published
/// plan as a new draft version (which needs `reason`); a locked one is refused.
async fn write_plan(
    tx: &mut Tx,
    pid: i64,
    state: (i64, PlanStatus),
    plan: &Plan,
    reason: Option<&str>,
    change: &Change<'_>,
) -> Result<Saved> {
    let (current, status) = state;
    let now = Utc::now();
    let content = snapshot(plan)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let saved = on_tx!(tx, |conn| {
        let saved = match status.edit_mode() {
            EditMode::Locked => return Err(StoreError::Locked(status)),
            EditMode::InPlace => {
                sqlx::query(
                    "UPDATE plan_versions SET content = $1 WHERE plan_id = $2 AND version = $3",
                )
                .bind(&content)
                .bind(pid)
                .bind(current)
                .execute(&mut *conn)
                .await?;
                Saved {
                    version: current,
                    new_version: false,
                }
            }
            EditMode::NewVersion => {
                let reason = reason.ok_or(StoreError::ReasonRequired)?;
                let next = current + 1;
                sqlx::query(
                        "INSERT INTO plan_versions (plan_id, version, status, reason, created_by, created_at, content) \
                         VALUES ($1, $2, 'draft', $3, $4, $5, $6)",
                    )
                    .bind(pid)
                    .bind(next)
                    .bind(reason)
                    .bind(change.actor.user_id)
                    .bind(now)
                    .bind(&content)
                    .execute(&mut *conn)
                    .await?;
                // Accepted findings stay accepted in the new version, with their
                // justification; the check runs again on the new content anyway.
                sqlx::query(
                        "INSERT INTO finding_acceptances (plan_id, version, code, justification, created_by, created_at) \
                         SELECT plan_id, $1, code, justification, created_by, created_at \
                         FROM finding_acceptances WHERE plan_id = $2 AND version = $3",
                    )
                    .bind(next)
                    .bind(pid)
                    .bind(current)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("UPDATE plans SET current_version = $1 WHERE id = $2")
                    .bind(next)
                    .bind(pid)
                    .execute(&mut *conn)
                    .await?;
                Saved {
                    version: next,
                    new_version: true,
                }
            }
        };
        let query = sqlx::query(
                "UPDATE plans SET title = $1, year = $2, policy = $3, \
                 strategic_objective_code = $4, strategic_objective_text = $5, \
                 office_objective_code = $6, office_objective_text = $7, \
                 strategic_initiative_code = $8, strategic_initiative_text = $9, \
                 legal_framework_text = $10, offices_text = $11, version_number = $12, version_date = $13 \
                 WHERE id = $14",
            );
        bind_head(query, plan).bind(pid).execute(&mut *conn).await?;
        for table in [
            "activity_tags",
            "activity_offices",
            "activities",
            "plan_norm_articles",
            "plan_norms",
            "plan_objectives",
            "plan_offices",
            "plan_signatures",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1"))
                .bind(pid)
                .execute(&mut *conn)
                .await?;
        }
        saved
    });
    insert_children(tx, pid, plan).await?;
    record(tx, change, now).await?;
    Ok(saved)
}

/// Who must act after a plan's step, and what they are told.
async fn transition_notice(
    tx: &mut Tx,
    pid: i64,
    version: i64,
    transition: Transition,
    actor: &Actor,
) -> Result<Notice> {
    let title = crate::notifications::plan_title(tx, pid).await?;
    let who = crate::notifications::actor_name(tx, actor).await?;
    let link = format!("/admin/planes/{pid}");
    let (to, kind, subject, body) = match transition {
        Transition::Consolidate => (
            Recipients::Role(Role::Approver),
            NoticeKind::PlanConsolidated,
            format!("Plan consolidado: {title}"),
            format!(
                "{who} consolidó la versión {version} de «{title}». La oficina de planeación la \
                 revisará y después pasará a su aprobación."
            ),
        ),
        Transition::Review => (
            Recipients::Role(Role::Approver),
            NoticeKind::PlanReviewed,
            format!("Plan para aprobar: {title}"),
            format!(
                "{who} revisó la versión {version} de «{title}». Está lista para que el comité la \
                 apruebe con el número y la fecha del acta."
            ),
        ),
        Transition::Approve => (
            Recipients::Role(Role::Admin),
            NoticeKind::PlanApproved,
            format!("Plan aprobado: {title}"),
            format!(
                "{who} aprobó la versión {version} de «{title}». Ya puede publicarla para la \
                 ciudadanía."
            ),
        ),
        Transition::Publish => (
            Recipients::All(vec![
                Recipients::Role(Role::Admin),
                Recipients::Offices(crate::notifications::offices_of(tx, pid, None).await?),
            ]),
            NoticeKind::PlanPublished,
            format!("Plan publicado: {title}"),
            format!(
                "{who} publicó la versión {version} de «{title}». Las dependencias responsables \
                 reportan su avance en el seguimiento del plan."
            ),
        ),
        Transition::ReturnToDraft => (
            Recipients::Role(Role::Admin),
            NoticeKind::PlanReturned,
            format!("Plan devuelto a borrador: {title}"),
            format!("{who} devolvió a borrador la versión {version} de «{title}»."),
        ),
    };
    Ok(Notice::new(to, kind, subject, body, link))
}
