//! Coverage-check findings accepted for a plan version, with their justification.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::plans::read_plan;
use crate::tx::{on_tx, Locked, Tx};
use crate::versions::current_state;
use crate::{Entity, PlanId, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use participa_domain::coverage::{check, Finding};
use participa_domain::PlanStatus;
use sqlx::Row;

/// The coverage check of a plan's current version: each finding with its acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub version: i64,
    pub status: PlanStatus,
    pub items: Vec<CoverageItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageItem {
    pub finding: Finding,
    pub acceptance: Option<Acceptance>,
}

impl Coverage {
    /// The codes of the findings nobody accepted.
    pub fn pending(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.acceptance.is_none())
            .map(|i| i.finding.code.clone())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub code: String,
    pub justification: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// The acceptances of the plan's `version`.
    pub async fn acceptances(&self, id: PlanId, version: i64) -> Result<Vec<Acceptance>> {
        let mut tx = self.begin_read().await?;
        let list = read_acceptances(&mut tx, id, version).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Runs the coverage check on the current version and pairs each finding with its
    /// acceptance, if any.
    pub async fn coverage(&self, id: PlanId) -> Result<Coverage> {
        let mut tx = self.begin_read().await?;
        let coverage = read_coverage(&mut tx, id).await?;
        tx.commit().await?;
        Ok(coverage)
    }

    /// Accepts a finding of the current version, which must be a draft and must have
    /// that finding; returns the version. Accepting it again replaces the justification
    /// (the audit log keeps both).
    pub async fn accept_finding(
        &self,
        id: PlanId,
        code: &str,
        justification: &str,
        actor: &Actor,
    ) -> Result<i64> {
        self.accept_findings(id, &[code], justification, actor)
            .await
    }

    /// Accepts several findings of the current version together, with one
    /// justification, in one transaction (each with its audit entry): all of them or
    /// none. The version must be a draft and must have every finding; returns it.
    pub async fn accept_findings(
        &self,
        id: PlanId,
        codes: &[&str],
        justification: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, id.0).await?;
        let coverage = read_coverage(&mut tx, id).await?;
        if coverage.status != PlanStatus::Draft {
            return Err(StoreError::Locked(coverage.status));
        }
        if codes.is_empty() {
            return Err(StoreError::not_found(Entity::Finding, "ninguno elegido"));
        }
        for code in codes {
            if !coverage.items.iter().any(|i| i.finding.code == *code) {
                return Err(StoreError::not_found(Entity::Finding, format!("«{code}»")));
            }
        }
        if justification.trim().is_empty() {
            return Err(StoreError::JustificationRequired);
        }
        let version = coverage.version;
        let now = Utc::now();
        let mut done = std::collections::BTreeSet::new();
        for code in codes.iter().copied().filter(|c| done.insert(*c)) {
            tx.accept_finding(id, version, code, justification, actor, now)
                .await?;
        }
        tx.commit().await?;
        Ok(version)
    }
}

impl Tx {
    /// Records the acceptance of finding `code` of `version`, with its audit entry.
    async fn accept_finding(
        &mut self,
        id: PlanId,
        version: i64,
        code: &str,
        justification: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let change = Change {
            actor,
            action: AuditAction::CoverageAccept,
            plan_id: Some(id.0),
            subject: format!("hallazgo {code}, versión {version}"),
            before: None,
            after: Some(justification.to_string()),
        };
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO finding_acceptances (plan_id, version, code, justification, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id, version, code) \
                 DO UPDATE SET justification = excluded.justification, created_by = excluded.created_by, created_at = excluded.created_at",
            )
            .bind(id.0)
            .bind(version)
            .bind(code)
            .bind(justification)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(self, &change, now).await
    }
}

async fn read_acceptances(tx: &mut Tx, id: PlanId, version: i64) -> Result<Vec<Acceptance>> {
    tx.owns(crate::entities::Owned::Plan, id.0).await?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "SELECT f.code, f.justification, f.created_at, u.full_name FROM finding_acceptances f \
             LEFT JOIN users u ON u.id = f.created_by WHERE f.plan_id = $1 AND f.version = $2 ORDER BY f.code",
        )
        .bind(id.0)
        .bind(version)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Acceptance {
                code: r.try_get("code")?,
                justification: r.try_get("justification")?,
                by: r.try_get("full_name")?,
                at: r.try_get("created_at")?,
            })
        })
        .collect()
    })
}

/// Runs the coverage check on the plan's current version, read in transaction `tx`, and
/// pairs each finding with its acceptance, if any.
pub(crate) async fn read_coverage(tx: &mut Tx, id: PlanId) -> Result<Coverage> {
    let (version, status) = current_state(tx, id.0).await?;
    let plan = read_plan(tx, id).await?;
    let mut accepted = read_acceptances(tx, id, version).await?;
    let items = check(&plan)
        .into_iter()
        .map(|finding| {
            let acceptance = accepted
                .iter()
                .position(|a| a.code == finding.code)
                .map(|i| accepted.swap_remove(i));
            CoverageItem {
                finding,
                acceptance,
            }
        })
        .collect();
    Ok(Coverage {
        version,
        status,
        items,
    })
}
