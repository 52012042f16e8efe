//! Plan versions and their lifecycle. The normalized tables hold the current version's
//! content; `plan_versions.content` keeps every version's content as JSON, so that the
//! public page reads one row and any two versions can be compared.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::entities::Owned;
use crate::findings::read_coverage;
use crate::notifications::{Notice, NoticeKind, Recipients};
use crate::plans::{bind_head, insert_children};
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_conn, Entity, PlanId, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::{Approval, EditMode, Plan, PlanDraft, PlanStatus, Role, Transition};
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
    /// The «Aprobó» signature the approval recorded (name and position then, acta).
    pub approval: Option<Approval>,
    /// Every return of this version to draft, oldest first.
    pub returns: Vec<PlanReturn>,
}

/// A `plan_returns` row: version, from status, reason, who, when.
type ReturnRow = (i64, String, String, Option<String>, DateTime<Utc>);

/// A return of a version to draft, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanReturn {
    /// The state it was returned from.
    pub from: PlanStatus,
    pub reason: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// A lifecycle step as a person confirms it on the pages (see [`Store::step`]).
#[derive(Debug, Clone, Copy)]
pub struct StepRequest<'a> {
    pub transition: Transition,
    /// The committee's acta, for an approval.
    pub acta: Option<&'a Acta>,
    /// Why, for a return to draft (the approver's observations, or the planning
    /// office's reason): kept in the history and the audit log.
    pub reason: Option<&'a str>,
    /// The version and state the person saw when confirming: the step is refused when
    /// the plan is no longer there ([`StoreError::StepStale`]), so a confirmation sent
    /// twice, or after someone else moved the plan, does nothing.
    pub seen: Option<(i64, PlanStatus)>,
    /// The rules of a person's step: a return needs its reason, and the acta date lies
    /// between the consolidation and today. None for the system's own steps (seeding,
    /// tests), which keep the lifecycle's order only.
    pub rules: Option<StepRules>,
}

/// What the store needs to apply the date rules of a step: today's date and the local
/// date of a moment (the application layer knows the time zone).
#[derive(Debug, Clone, Copy)]
pub struct StepRules {
    pub today: NaiveDate,
    pub date_of: fn(DateTime<Utc>) -> NaiveDate,
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
    /// The «Aprobó» signature of the published version.
    pub approval: Option<Approval>,
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

/// The approval a `plan_versions` row recorded (columns `acta_number`, `acta_date`,
/// `approval_name`, `approval_position`), if it has one with a signer.
fn approval_of<R: Row>(r: &R) -> Result<Option<Approval>>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<NaiveDate>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let name: Option<String> = r.try_get("approval_name")?;
    let position: Option<String> = r.try_get("approval_position")?;
    let number: Option<String> = r.try_get("acta_number")?;
    let date: Option<NaiveDate> = r.try_get("acta_date")?;
    Ok(match (name, number, date) {
        (Some(name), Some(acta_number), Some(acta_date)) => Some(Approval {
            name,
            position: position.unwrap_or_default(),
            acta_number,
            acta_date,
        }),
        _ => None,
    })
}

const STATE_SQL: &str = "SELECT p.current_version, v.status FROM plans p \
     JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.current_version WHERE p.id = $1 AND p.entity_id = $2";

/// The plan's current version and its status, read in transaction `tx` (a change
/// reads it in its own transaction, so that it starts from the state it checked).
pub(crate) async fn current_state(tx: &mut Tx, pid: i64) -> Result<(i64, PlanStatus)> {
    let entity = tx.entity;
    let r = on_tx!(tx, |conn| {
        let r = sqlx::query(STATE_SQL)
            .bind(pid)
            .bind(entity)
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
     v.approved_name AS approval_name, v.approved_position AS approval_position, \
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

    /// Moves the current version one step along its lifecycle, recording who and when:
    /// the system's own steps (seeding, the command line, tests), with the lifecycle's
    /// order and no more; a person's step goes through [`Store::step`].
    pub async fn transition(
        &self,
        id: PlanId,
        transition: Transition,
        acta: Option<&Acta>,
        actor: &Actor,
    ) -> Result<PlanStatus> {
        let request = StepRequest {
            transition,
            acta,
            reason: None,
            seen: None,
            rules: None,
        };
        self.step(id, &request, actor).await
    }

    /// Moves the current version one step along its lifecycle, recording who and when,
    /// after the checks of `request` made inside the step's transaction: the state the
    /// person confirmed, the reason of a return, the acta date window. An approval
    /// records the approver's name and position as the version's «Aprobó» signature; a
    /// return to draft clears the steps and keeps its reason in `plan_returns`.
    pub async fn step(
        &self,
        id: PlanId,
        request: &StepRequest<'_>,
        actor: &Actor,
    ) -> Result<PlanStatus> {
        let transition = request.transition;
        let acta = request.acta;
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
        if let Some(seen) = request.seen {
            if seen != (version, status) {
                return Err(StoreError::StepStale { version, status });
            }
        }
        let next = status.after(transition)?;
        let reason = request.reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(rules) = request.rules {
            if transition.needs_reason() && reason.is_none() {
                return Err(StoreError::ReturnReasonRequired);
            }
            if let (Transition::Approve, Some(acta)) = (transition, acta) {
                let consolidated: Option<DateTime<Utc>> = on_tx!(&mut tx, |conn| {
                    sqlx::query(
                        "SELECT consolidated_at FROM plan_versions WHERE plan_id = $1 AND version = $2",
                    )
                    .bind(pid)
                    .bind(version)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("consolidated_at")?
                });
                participa_domain::check_acta_date(
                    acta.date,
                    consolidated.map(rules.date_of),
                    rules.today,
                )?;
            }
        }
        let signer: (Option<String>, Option<String>) = match actor.user_id {
            Some(uid) if transition == Transition::Approve => on_tx!(&mut tx, |conn| {
                match sqlx::query("SELECT full_name, position FROM users WHERE id = $1")
                    .bind(uid)
                    .fetch_optional(&mut *conn)
                    .await?
                {
                    Some(r) => (Some(r.try_get("full_name")?), Some(r.try_get("position")?)),
                    None => (None, None),
                }
            }),
            _ => (None, None),
        };
        on_tx!(&mut tx, |conn| {
            let set = match transition {
                Transition::Consolidate => "consolidated_by = $4, consolidated_at = $5",
                Transition::Review => "reviewed_by = $4, reviewed_at = $5",
                Transition::Approve => "approved_by = $4, approved_at = $5, acta_number = $6, acta_date = $7, \
                     approved_name = $8, approved_position = $9",
                Transition::Publish => "published_by = $4, published_at = $5",
                Transition::ReturnToDraft => "consolidated_by = NULL, consolidated_at = NULL, \
                     reviewed_by = NULL, reviewed_at = NULL, approved_by = NULL, approved_at = NULL, \
                     acta_number = NULL, acta_date = NULL, approved_name = NULL, approved_position = NULL",
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
                q = q
                    .bind(&acta.number)
                    .bind(acta.date)
                    .bind(&signer.0)
                    .bind(&signer.1);
            }
            q.execute(&mut *conn).await?;
            if transition == Transition::ReturnToDraft {
                sqlx::query(
                    "INSERT INTO plan_returns (plan_id, version, from_status, reason, returned_by, returned_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(pid)
                .bind(version)
                .bind(status.as_str())
                .bind(reason.unwrap_or(""))
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        });
        let after = match (acta, reason) {
            (Some(a), _) if transition == Transition::Approve => {
                format!("{} (acta {} del {})", next.label(), a.number, a.date)
            }
            (_, Some(why)) if transition == Transition::ReturnToDraft => {
                format!("{}; motivo: {why}", next.label())
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
        let notice = transition_notice(&mut tx, pid, version, transition, reason, actor).await?;
        crate::notifications::notify(&mut tx, &notice, now).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Every version of the plan, oldest first, with who did each step.
    pub async fn versions(&self, id: PlanId) -> Result<Vec<VersionInfo>> {
        self.owns(Owned::Plan, id.0).await?;
        let returns: Vec<ReturnRow> = on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT r.version, r.from_status, r.reason, u.full_name, r.returned_at \
                     FROM plan_returns r LEFT JOIN users u ON u.id = r.returned_by \
                     WHERE r.plan_id = $1 ORDER BY r.id",
            )
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("version")?,
                    r.try_get("from_status")?,
                    r.try_get("reason")?,
                    r.try_get("full_name")?,
                    r.try_get("returned_at")?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let mut list: Vec<VersionInfo> = on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(VERSIONS_SQL)
                .bind(id.0)
                .fetch_all(&mut *conn)
                .await?;
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
                        approval: approval_of(r)?,
                        returns: vec![],
                    })
                })
                .collect::<Result<Vec<_>>>()?
        });
        for (version, from, reason, by, at) in returns {
            if let Some(v) = list.iter_mut().find(|v| v.version == version) {
                v.returns.push(PlanReturn {
                    from: status_of(id.0, &from)?,
                    reason,
                    by,
                    at,
                });
            }
        }
        Ok(list)
    }

    /// The content of one version.
    pub async fn version_plan(&self, id: PlanId, version: i64) -> Result<Plan> {
        let content: Option<String> = on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT v.content FROM plan_versions v JOIN plans p ON p.id = v.plan_id \
                 WHERE v.plan_id = $1 AND v.version = $2 AND p.entity_id = $3",
            )
            .bind(id.0)
            .bind(version)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
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
        let row: Option<(i64, DateTime<Utc>, String, Option<Approval>)> =
            on_conn!(self.conn().await?, |conn| {
                match sqlx::query(
                    "SELECT v.version, v.published_at, v.content, v.acta_number, v.acta_date, \
                     v.approved_name AS approval_name, v.approved_position AS approval_position \
                     FROM plan_versions v JOIN plans p ON p.id = v.plan_id \
                     WHERE v.plan_id = $1 AND v.status = 'published' AND p.entity_id = $2 \
                     ORDER BY v.version DESC LIMIT 1",
                )
                .bind(id.0)
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
                {
                    Some(r) => Some((
                        r.try_get("version")?,
                        r.try_get("published_at")?,
                        r.try_get("content")?,
                        approval_of(&r)?,
                    )),
                    None => None,
                }
            });
        row.map(|(version, published_at, content, approval)| {
            Ok(PublishedPlan {
                id,
                version,
                published_at,
                plan: from_snapshot(id.0, &content)?,
                approval,
            })
        })
        .transpose()
    }

    /// The number of the plan's latest published version, if any: one indexed lookup,
    /// for caches keyed by version.
    pub async fn published_version(&self, id: PlanId) -> Result<Option<i64>> {
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(
                "SELECT MAX(v.version) AS v FROM plan_versions v JOIN plans p ON p.id = v.plan_id \
                 WHERE v.plan_id = $1 AND v.status = 'published' AND p.entity_id = $2",
            )
            .bind(id.0)
            .bind(self.entity)
            .fetch_one(&mut *conn)
            .await?;
            Ok(row.try_get("v")?)
        })
    }

    /// Every plan's latest published version, newest year first: one query.
    pub async fn published_plans(&self) -> Result<Vec<PublishedPlan>> {
        let rows: Vec<(i64, i64, DateTime<Utc>, String)> = on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT v.plan_id, v.version, v.published_at, v.content FROM plan_versions v \
                 JOIN plans p ON p.id = v.plan_id \
                 WHERE p.entity_id = $1 AND v.status = 'published' AND v.version = \
                 (SELECT MAX(w.version) FROM plan_versions w WHERE w.plan_id = v.plan_id AND w.status = 'published')",
            )
            .bind(self.entity)
            .fetch_all(&mut *conn)
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
                    // The portal's list shows no signatures.
                    approval: None,
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
    reason: Option<&str>,
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
            match reason {
                Some(why) => format!(
                    "{who} devolvió a borrador la versión {version} de «{title}». Motivo: {why}"
                ),
                None => format!("{who} devolvió a borrador la versión {version} de «{title}»."),
            },
        ),
    };
    Ok(Notice::new(to, kind, subject, body, link))
}
