//! Follow-up data: per-plan settings, indicators, progress reports with their figures
//! and evidence, internal control's reviews and period closures. Reports, reviews,
//! evidence and closures are only ever added; the current state is read from history.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::entities::Owned;
use crate::notifications::{Notice, NoticeKind, Recipients};
use crate::objects::{CheckedEvidence, Objects};
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_conn, PlanId, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use participa_domain::followup::review::{review, submit};
use participa_domain::followup::{
    Aggregation, Decision, Frequency, Indicator, ManualStatus, ProgressError, ProgressInput,
    ReportState, ReviewError, ReviewInput, Sufficiency, Thresholds,
};
use participa_domain::Role;
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FollowupSettings {
    pub frequency: Frequency,
    pub thresholds: Thresholds,
}

impl Default for FollowupSettings {
    fn default() -> Self {
        FollowupSettings {
            frequency: Frequency::FourMonthly,
            thresholds: Thresholds::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub id: i64,
    pub activity: u32,
    pub indicator: Indicator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    pub id: i64,
    pub report_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub object_key: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    /// When the file was published on the public plan page (private while `None`).
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRecord {
    pub id: i64,
    pub report_id: i64,
    pub decision: Decision,
    pub verified_percent: Option<f64>,
    pub sufficiency: Sufficiency,
    pub observations: String,
    pub recommendations: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// One submission of a progress report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRecord {
    pub id: i64,
    pub activity: u32,
    pub period: u32,
    pub input: ProgressInput,
    /// The reason, when the entry is a documented correction after the period closed.
    pub correction: Option<String>,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    /// (indicator id, value).
    pub figures: Vec<(i64, f64)>,
    pub evidence: Vec<EvidenceRecord>,
    pub reviews: Vec<ReviewRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub period: u32,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManualRecord {
    pub activity: u32,
    pub status: Option<ManualStatus>,
    pub justification: String,
}

/// Everything about a plan's follow-up, read in a fixed number of queries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FollowUp {
    pub settings: FollowupSettings,
    pub indicators: Vec<IndicatorRow>,
    /// Oldest first.
    pub reports: Vec<ReportRecord>,
    pub closures: Vec<Closure>,
    /// Activity number → weight (all or none).
    pub weights: BTreeMap<u32, f64>,
    /// The latest manual status per activity.
    pub manual: BTreeMap<u32, ManualRecord>,
}

impl FollowUp {
    pub fn is_closed(&self, period: u32) -> bool {
        self.closures.iter().any(|c| c.period == period)
    }

    /// The submissions for one activity and period, oldest first.
    pub fn submissions(&self, activity: u32, period: u32) -> Vec<&ReportRecord> {
        self.reports
            .iter()
            .filter(|r| r.activity == activity && r.period == period)
            .collect()
    }

    /// The latest submission of an activity in a period.
    pub fn latest(&self, activity: u32, period: u32) -> Option<&ReportRecord> {
        self.reports
            .iter()
            .rev()
            .find(|r| r.activity == activity && r.period == period)
    }

    /// Where the report of an activity in a period stands.
    pub fn state(&self, activity: u32, period: u32) -> Option<ReportState> {
        let latest = self.latest(activity, period)?;
        Some(match latest.reviews.last().map(|r| r.decision) {
            None => ReportState::Submitted,
            Some(Decision::Accept) => ReportState::Accepted,
            Some(Decision::Return) => ReportState::Returned,
        })
    }

    /// The latest reported percent of an activity, in any period.
    pub fn reported(&self, activity: u32) -> Option<f64> {
        self.reports
            .iter()
            .rev()
            .find(|r| r.activity == activity)
            .map(|r| r.input.percent)
    }

    /// The latest percent internal control verified for an activity.
    pub fn verified(&self, activity: u32) -> Option<f64> {
        self.reports
            .iter()
            .rev()
            .filter(|r| r.activity == activity)
            .flat_map(|r| r.reviews.iter().rev())
            .find_map(|r| r.verified_percent)
    }

    /// The progress the schedule status uses: verified when internal control accepted
    /// the activity's latest report, else the reported one.
    pub fn progress(&self, activity: u32) -> Option<f64> {
        let latest = self.reports.iter().rev().find(|r| r.activity == activity)?;
        match latest.reviews.last() {
            Some(r) if r.decision == Decision::Accept => {
                r.verified_percent.or(Some(latest.input.percent))
            }
            _ => Some(latest.input.percent),
        }
    }

    /// The submission whose text an activity shows to readers: the latest one internal
    /// control accepted, or a documented correction after the close (not reviewed again).
    pub fn accepted(&self, activity: u32) -> Option<&ReportRecord> {
        self.reports.iter().rev().find(|x| {
            x.activity == activity
                && (x.correction.is_some()
                    || x.reviews.last().map(|v| v.decision) == Some(Decision::Accept))
        })
    }

    /// Whether the progress [`FollowUp::progress`] gives was verified: internal control
    /// accepted the activity's latest report.
    pub fn progress_verified(&self, activity: u32) -> bool {
        self.reports
            .iter()
            .rev()
            .find(|r| r.activity == activity)
            .and_then(|r| r.reviews.last())
            .is_some_and(|r| r.decision == Decision::Accept)
    }

    /// Evidence files of an activity, in every report.
    pub fn evidence_count(&self, activity: u32) -> usize {
        self.reports
            .iter()
            .filter(|r| r.activity == activity)
            .map(|r| r.evidence.len())
            .sum()
    }

    /// The figures of one indicator, one per period (the latest submission of each).
    pub fn figures(&self, indicator: &IndicatorRow) -> Vec<f64> {
        let mut per_period: BTreeMap<u32, f64> = BTreeMap::new();
        for r in self
            .reports
            .iter()
            .filter(|r| r.activity == indicator.activity)
        {
            if let Some((_, v)) = r.figures.iter().find(|(id, _)| *id == indicator.id) {
                per_period.insert(r.period, *v);
            }
        }
        per_period.into_values().collect()
    }
}

/// A submission to store.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub plan_id: PlanId,
    pub activity: u32,
    pub period: u32,
    pub input: ProgressInput,
    pub figures: Vec<(i64, f64)>,
    pub evidence: Vec<CheckedEvidence>,
    /// Set for a documented correction of a closed period: its reason.
    pub correction: Option<String>,
}

/// Why a follow-up write was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FollowupError {
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Progress(Vec<ProgressError>),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Review(Vec<ReviewError>),
    #[error("el periodo {0} no existe en el plan")]
    NoSuchPeriod(u32),
    #[error("el periodo {0} ya está cerrado")]
    AlreadyClosed(u32),
    #[error("el reporte {0} no existe")]
    NoSuchReport(i64),
    #[error("el indicador {0} no es de esta actividad")]
    NoSuchIndicator(i64),
    #[error("{0}")]
    Invalid(String),
}

/// Where an evidence file goes in the object store: under its entity's own prefix
/// (files stored before entities had one keep the key recorded with them).
fn key_for(entity: i64, plan: i64, activity: u32, period: u32, sha256: &str, ext: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let stamp = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "entidad-{entity}/evidencias/plan-{plan}/actividad-{activity}/periodo-{period}/{stamp}-{}-{}.{ext}",
        NEXT.fetch_add(1, Ordering::Relaxed),
        &sha256[..16]
    )
}

fn parse_manual(kind: &str) -> Option<ManualStatus> {
    match kind {
        "rescheduled" => Some(ManualStatus::Rescheduled),
        "cancelled" => Some(ManualStatus::Cancelled),
        _ => None,
    }
}

/// The plan's follow-up, read in transaction `tx`.
async fn read_followup(tx: &mut Tx, id: PlanId) -> Result<FollowUp> {
    let pid = id.0;
    tx.owns(Owned::Plan, pid).await?;
    on_tx!(tx, |conn| {
        let settings = sqlx::query(
            "SELECT frequency, at_risk, late FROM followup_settings WHERE plan_id = $1",
        )
        .bind(pid)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| -> Result<FollowupSettings> {
            let f: String = r.try_get("frequency")?;
            Ok(FollowupSettings {
                frequency: Frequency::parse(&f).ok_or_else(|| StoreError::CorruptValue {
                    id: pid,
                    what: format!("frecuencia «{f}»"),
                })?,
                thresholds: Thresholds {
                    at_risk: r.try_get("at_risk")?,
                    late: r.try_get("late")?,
                },
            })
        })
        .transpose()?
        .unwrap_or_default();
        let indicators = sqlx::query(
            "SELECT id, activity_number, name, unit, target, aggregation FROM indicators \
             WHERE plan_id = $1 AND NOT retired ORDER BY activity_number, id",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| -> Result<IndicatorRow> {
            let agg: String = r.try_get("aggregation")?;
            Ok(IndicatorRow {
                id: r.try_get("id")?,
                activity: r.try_get::<i64, _>("activity_number")? as u32,
                indicator: Indicator {
                    name: r.try_get("name")?,
                    unit: r.try_get("unit")?,
                    target: r.try_get("target")?,
                    aggregation: Aggregation::parse(&agg).unwrap_or(Aggregation::Sum),
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let mut reports = sqlx::query(
            "SELECT r.id, r.activity_number, r.period, r.percent, r.narrative, r.difficulties, \
             r.corrective_actions, r.decrease_justification, r.correction, r.correction_reason, r.created_at, u.full_name \
             FROM progress_reports r LEFT JOIN users u ON u.id = r.created_by \
             WHERE r.plan_id = $1 ORDER BY r.id",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| -> Result<ReportRecord> {
            Ok(ReportRecord {
                id: r.try_get("id")?,
                activity: r.try_get::<i64, _>("activity_number")? as u32,
                period: r.try_get::<i64, _>("period")? as u32,
                input: ProgressInput {
                    percent: r.try_get("percent")?,
                    narrative: r.try_get("narrative")?,
                    difficulties: r.try_get("difficulties")?,
                    corrective_actions: r.try_get("corrective_actions")?,
                    decrease_justification: r.try_get("decrease_justification")?,
                },
                correction: r
                    .try_get::<bool, _>("correction")?
                    .then(|| r.try_get::<String, _>("correction_reason"))
                    .transpose()?,
                by: r.try_get("full_name")?,
                at: r.try_get("created_at")?,
                figures: vec![],
                evidence: vec![],
                reviews: vec![],
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let index: BTreeMap<i64, usize> =
            reports.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        for r in sqlx::query(
            "SELECT f.report_id, f.indicator_id, f.value FROM indicator_figures f \
             JOIN progress_reports r ON r.id = f.report_id WHERE r.plan_id = $1",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        {
            let report: i64 = r.try_get("report_id")?;
            if let Some(i) = index.get(&report) {
                reports[*i]
                    .figures
                    .push((r.try_get("indicator_id")?, r.try_get("value")?));
            }
        }
        for r in sqlx::query(
            "SELECT e.id, e.report_id, e.file_name, e.media_type, e.size, e.sha256, e.object_key, \
             e.created_at, u.full_name, (SELECT CASE WHEN v.public THEN v.changed_at END FROM evidence_visibility v \
             WHERE v.evidence_id = e.id ORDER BY v.id DESC LIMIT 1) AS published_at \
             FROM evidence e JOIN progress_reports r ON r.id = e.report_id \
             LEFT JOIN users u ON u.id = e.created_by WHERE r.plan_id = $1 ORDER BY e.id",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        {
            let e = EvidenceRecord {
                id: r.try_get("id")?,
                report_id: r.try_get("report_id")?,
                file_name: r.try_get("file_name")?,
                media_type: r.try_get("media_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                object_key: r.try_get("object_key")?,
                by: r.try_get("full_name")?,
                at: r.try_get("created_at")?,
                published_at: r.try_get("published_at")?,
            };
            if let Some(i) = index.get(&e.report_id) {
                reports[*i].evidence.push(e);
            }
        }
        for r in sqlx::query(
            "SELECT v.id, v.report_id, v.decision, v.verified_percent, v.sufficiency, v.observations, \
             v.recommendations, v.created_at, u.full_name FROM report_reviews v \
             JOIN progress_reports r ON r.id = v.report_id LEFT JOIN users u ON u.id = v.created_by \
             WHERE r.plan_id = $1 ORDER BY v.id",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        {
            let decision: String = r.try_get("decision")?;
            let sufficiency: String = r.try_get("sufficiency")?;
            let v = ReviewRecord {
                id: r.try_get("id")?,
                report_id: r.try_get("report_id")?,
                decision: Decision::parse(&decision).unwrap_or(Decision::Return),
                verified_percent: r.try_get("verified_percent")?,
                sufficiency: Sufficiency::parse(&sufficiency).unwrap_or(Sufficiency::No),
                observations: r.try_get("observations")?,
                recommendations: r.try_get("recommendations")?,
                by: r.try_get("full_name")?,
                at: r.try_get("created_at")?,
            };
            if let Some(i) = index.get(&v.report_id) {
                reports[*i].reviews.push(v);
            }
        }
        let closures = sqlx::query(
            "SELECT c.period, c.closed_at, u.full_name FROM period_closures c \
             LEFT JOIN users u ON u.id = c.closed_by WHERE c.plan_id = $1 ORDER BY c.period",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| -> Result<Closure> {
            Ok(Closure {
                period: r.try_get::<i64, _>("period")? as u32,
                by: r.try_get("full_name")?,
                at: r.try_get("closed_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let weights =
            sqlx::query("SELECT activity_number, weight FROM activity_weights WHERE plan_id = $1")
                .bind(pid)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| -> Result<(u32, f64)> {
                    Ok((
                        r.try_get::<i64, _>("activity_number")? as u32,
                        r.try_get("weight")?,
                    ))
                })
                .collect::<Result<BTreeMap<_, _>>>()?;
        let mut manual = BTreeMap::new();
        for r in sqlx::query(
            "SELECT activity_number, kind, justification FROM activity_status_changes \
             WHERE plan_id = $1 ORDER BY id",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?
        {
            let activity = r.try_get::<i64, _>("activity_number")? as u32;
            let kind: String = r.try_get("kind")?;
            manual.insert(
                activity,
                ManualRecord {
                    activity,
                    status: parse_manual(&kind),
                    justification: r.try_get("justification")?,
                },
            );
        }
        Ok(FollowUp {
            settings,
            indicators,
            reports,
            closures,
            weights,
            manual,
        })
    })
}

impl Store {
    /// The plan's follow-up: settings, indicators, every report with its figures,
    /// evidence and reviews, closures, weights and manual statuses.
    pub async fn followup(&self, id: PlanId) -> Result<FollowUp> {
        let mut tx = self.begin_read().await?;
        let f = read_followup(&mut tx, id).await?;
        tx.commit().await?;
        Ok(f)
    }

    pub async fn set_followup_settings(
        &self,
        id: PlanId,
        settings: FollowupSettings,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, id.0).await?;
        let before = read_followup(&mut tx, id).await?.settings;
        let describe = |s: &FollowupSettings| {
            format!(
                "{}, riesgo > {} puntos, atraso > {} puntos",
                s.frequency.as_str(),
                s.thresholds.at_risk,
                s.thresholds.late
            )
        };
        let change = Change {
            actor,
            action: AuditAction::FollowupSettings,
            plan_id: Some(id.0),
            subject: format!("seguimiento del plan {}", id.0),
            before: Some(describe(&before)),
            after: Some(describe(&settings)),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO followup_settings (plan_id, frequency, at_risk, late, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id) DO UPDATE SET \
                 frequency = excluded.frequency, at_risk = excluded.at_risk, late = excluded.late, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(id.0)
            .bind(settings.frequency.as_str())
            .bind(settings.thresholds.at_risk)
            .bind(settings.thresholds.late)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    pub async fn add_indicator(
        &self,
        id: PlanId,
        activity: u32,
        indicator: &Indicator,
        actor: &Actor,
    ) -> Result<i64> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::IndicatorCreate,
            plan_id: Some(id.0),
            subject: format!("indicador de la actividad {activity}"),
            before: None,
            after: Some(format!(
                "{}: meta {} {} ({})",
                indicator.name,
                indicator.target,
                indicator.unit,
                indicator.aggregation.as_str()
            )),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Plan, id.0).await?;
        let out = on_tx!(&mut tx, |conn| {
            let new_id: i64 = sqlx::query(
                "INSERT INTO indicators (plan_id, activity_number, name, unit, target, aggregation, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(id.0)
            .bind(i64::from(activity))
            .bind(&indicator.name)
            .bind(&indicator.unit)
            .bind(indicator.target)
            .bind(indicator.aggregation.as_str())
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            new_id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Stores a submission with its figures and evidence, after the domain's checks,
    /// which read the follow-up in the submission's own transaction. Evidence bytes go
    /// to `objects` first (no database lock is held while they upload); if the
    /// submission is refused or its write fails they are removed again, so a refused or
    /// failed submission leaves nothing behind.
    pub async fn submit_report(
        &self,
        report: NewReport,
        objects: &Objects,
        actor: &Actor,
    ) -> Result<i64> {
        self.submit_report_at(report, objects, actor, Utc::now())
            .await
    }

    /// [`Store::submit_report`], recorded (report and audit entry) as sent at `at`: for
    /// the demo's half-year of history, so that its progress curve has a past. Pages
    /// never call it; what people send is stamped when it arrives.
    pub async fn submit_report_at(
        &self,
        report: NewReport,
        objects: &Objects,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        // Refused at once, before any file is uploaded, when the follow-up as it stands
        // refuses it; the same check inside the write's transaction decides.
        check_submission(&self.followup(report.plan_id).await?, &report)?;
        let mut stored: Vec<String> = Vec::new();
        for e in &report.evidence {
            let ext = e
                .file_name
                .rsplit_once('.')
                .map_or("bin", |(_, x)| x)
                .to_lowercase();
            let key = key_for(
                self.entity,
                report.plan_id.0,
                report.activity,
                report.period,
                &e.sha256,
                &ext,
            );
            if let Err(err) = objects.put(&key, e.bytes.clone()).await {
                for k in &stored {
                    let _ = objects.delete(k).await;
                }
                return Err(StoreError::Objects(err.to_string()));
            }
            stored.push(key);
        }
        let written = self.write_report(&report, &stored, actor, at).await;
        if written.is_err() {
            for k in &stored {
                let _ = objects.delete(k).await;
            }
        }
        written
    }

    /// Checks a submission against the follow-up as it stands and writes it, in one
    /// transaction.
    async fn write_report(
        &self,
        report: &NewReport,
        keys: &[String],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, report.plan_id.0).await?;
        let f = read_followup(&mut tx, report.plan_id).await?;
        check_submission(&f, report)?;
        let i = &report.input;
        let change = Change {
            actor,
            action: if report.correction.is_some() {
                AuditAction::ProgressCorrection
            } else {
                AuditAction::ProgressSubmit
            },
            plan_id: Some(report.plan_id.0),
            subject: format!(
                "avance de la actividad {} en el periodo {}",
                report.activity, report.period
            ),
            before: None,
            after: Some(format!(
                "{} %: {} ({} evidencia(s))",
                i.percent,
                i.narrative,
                report.evidence.len()
            )),
        };
        let out = on_tx!(&mut tx, |conn| {
            let rid: i64 = sqlx::query(
                "INSERT INTO progress_reports (plan_id, activity_number, period, percent, narrative, difficulties, \
                 corrective_actions, decrease_justification, correction, correction_reason, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(report.plan_id.0)
            .bind(i64::from(report.activity))
            .bind(i64::from(report.period))
            .bind(i.percent)
            .bind(&i.narrative)
            .bind(&i.difficulties)
            .bind(&i.corrective_actions)
            .bind(&i.decrease_justification)
            .bind(report.correction.is_some())
            .bind(report.correction.as_deref().unwrap_or("").trim())
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            for (indicator, value) in &report.figures {
                sqlx::query(
                    "INSERT INTO indicator_figures (report_id, indicator_id, value) VALUES ($1, $2, $3)",
                )
                .bind(rid)
                .bind(indicator)
                .bind(value)
                .execute(&mut *conn)
                .await?;
            }
            for (e, key) in report.evidence.iter().zip(keys) {
                sqlx::query(
                    "INSERT INTO evidence (report_id, file_name, media_type, size, sha256, object_key, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(rid)
                .bind(&e.file_name)
                .bind(e.kind.media_type())
                .bind(e.bytes.len() as i64)
                .bind(&e.sha256)
                .bind(key)
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            rid
        });
        record(&mut tx, &change, now).await?;
        let pid = report.plan_id.0;
        let title = crate::notifications::plan_title(&mut tx, pid).await?;
        let who = crate::notifications::actor_name(&mut tx, actor).await?;
        let period = period_name(&mut tx, pid, &f, report.period).await?;
        let notice = Notice::new(
            Recipients::Role(Role::Auditor),
            NoticeKind::ReportSubmitted,
            format!(
                "Reporte para revisar: actividad {} de {title}",
                report.activity
            ),
            format!(
                "{who} reportó {} % de avance de la actividad {} de «{title}» para {period}. \
                 Control interno lo revisa.",
                i.percent, report.activity
            ),
            activity_link(pid, report.activity, report.period),
        );
        crate::notifications::notify(&mut tx, &notice, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Internal control's review of the latest submission of an activity in a period.
    pub async fn review_report(
        &self,
        id: PlanId,
        activity: u32,
        period: u32,
        input: &ReviewInput,
        actor: &Actor,
    ) -> Result<ReportState> {
        self.review_report_at(id, activity, period, input, actor, Utc::now())
            .await
    }

    /// [`Store::review_report`], recorded as made at `at` (for the demo, as
    /// [`Store::submit_report_at`]).
    pub async fn review_report_at(
        &self,
        id: PlanId,
        activity: u32,
        period: u32,
        input: &ReviewInput,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ReportState> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, id.0).await?;
        let f = read_followup(&mut tx, id).await?;
        let next = match review(f.state(activity, period), f.is_closed(period), input) {
            Ok(s) => s,
            Err(e) => return Err(FollowupError::Review(e).into()),
        };
        let Some(report) = f.latest(activity, period) else {
            return Err(FollowupError::Review(vec![ReviewError::NothingToReview]).into());
        };
        let change = Change {
            actor,
            action: AuditAction::ProgressReview,
            plan_id: Some(id.0),
            subject: format!("avance de la actividad {activity} en el periodo {period}"),
            before: Some(format!("{} % reportado", report.input.percent)),
            after: Some(format!(
                "{}: verificado {}, evidencia suficiente: {}; {}",
                input.decision.as_str(),
                input
                    .verified_percent
                    .map_or_else(|| "—".to_string(), |p| format!("{p} %")),
                input.sufficiency.label(),
                input.observations
            )),
        };
        let rid = report.id;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO report_reviews (report_id, decision, verified_percent, sufficiency, observations, \
                 recommendations, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(rid)
            .bind(input.decision.as_str())
            .bind(input.verified_percent)
            .bind(input.sufficiency.as_str())
            .bind(&input.observations)
            .bind(&input.recommendations)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        let title = crate::notifications::plan_title(&mut tx, id.0).await?;
        let period_text = period_name(&mut tx, id.0, &f, period).await?;
        let offices = crate::notifications::offices_of(&mut tx, id.0, Some(activity)).await?;
        let (kind, subject, body) = match input.decision {
            Decision::Accept => (
                NoticeKind::ReportAccepted,
                format!("Reporte aceptado: actividad {activity} de {title}"),
                format!(
                    "Control interno aceptó el reporte de la actividad {activity} de «{title}» para \
                     {period_text}{}.",
                    input
                        .verified_percent
                        .map_or_else(String::new, |p| format!(", con {p} % verificado"))
                ),
            ),
            Decision::Return => (
                NoticeKind::ReportReturned,
                format!("Reporte devuelto: actividad {activity} de {title}"),
                format!(
                    "Control interno devolvió el reporte de la actividad {activity} de «{title}» \
                     para {period_text}. Observaciones: {}",
                    if input.observations.trim().is_empty() {
                        "(sin observaciones)"
                    } else {
                        input.observations.trim()
                    }
                ),
            ),
        };
        let notice = Notice::new(
            Recipients::Offices(offices),
            kind,
            subject,
            body,
            activity_link(id.0, activity, period),
        );
        crate::notifications::notify(&mut tx, &notice, now).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Closes a period: its reports are locked from now on.
    pub async fn close_period(&self, id: PlanId, period: u32, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Plan, id.0).await?;
        let f = read_followup(&mut tx, id).await?;
        if f.is_closed(period) {
            return Err(FollowupError::AlreadyClosed(period).into());
        }
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::PeriodClose,
            plan_id: Some(id.0),
            subject: format!("periodo {period} del plan {}", id.0),
            before: None,
            after: Some("cerrado".into()),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO period_closures (plan_id, period, closed_by, closed_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(i64::from(period))
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        let title = crate::notifications::plan_title(&mut tx, id.0).await?;
        let period_text = period_name(&mut tx, id.0, &f, period).await?;
        let offices = crate::notifications::offices_of(&mut tx, id.0, None).await?;
        let notice = Notice::new(
            Recipients::Offices(offices),
            NoticeKind::PeriodClosed,
            format!("Periodo cerrado: {period_text} de {title}"),
            format!(
                "Control interno cerró {period_text} de «{title}». Sus reportes ya no cambian; una \
                 corrección posterior queda documentada con su motivo."
            ),
            format!("/admin/planes/{}/seguimiento", id.0),
        );
        crate::notifications::notify(&mut tx, &notice, now).await?;
        tx.commit().await
    }

    /// Marks an activity rescheduled or cancelled (None: back to its computed status),
    /// with the justification; the history is kept.
    pub async fn set_manual_status(
        &self,
        id: PlanId,
        activity: u32,
        status: Option<ManualStatus>,
        justification: &str,
        actor: &Actor,
    ) -> Result<()> {
        if justification.trim().is_empty() {
            return Err(FollowupError::Invalid(
                "escriba la justificación del cambio de estado".into(),
            )
            .into());
        }
        let kind = match status {
            Some(ManualStatus::Rescheduled) => "rescheduled",
            Some(ManualStatus::Cancelled) => "cancelled",
            None => "clear",
        };
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ActivityStatus,
            plan_id: Some(id.0),
            subject: format!("estado de la actividad {activity}"),
            before: None,
            after: Some(format!("{kind}: {justification}")),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Plan, id.0).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO activity_status_changes (plan_id, activity_number, kind, justification, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(i64::from(activity))
            .bind(kind)
            .bind(justification.trim())
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Sets the weights of the plan's activities in its progress: all of them, summing to
    /// 100, or none (equal weights).
    pub async fn set_weights(
        &self,
        id: PlanId,
        weights: &[(u32, f64)],
        actor: &Actor,
    ) -> Result<()> {
        if !weights.is_empty() {
            let values: Vec<f64> = weights.iter().map(|(_, w)| *w).collect();
            if let Err(e) = participa_domain::followup::schedule::check_weights(&values) {
                return Err(FollowupError::Invalid(e).into());
            }
        }
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::FollowupWeights,
            plan_id: Some(id.0),
            subject: format!("pesos de las actividades del plan {}", id.0),
            before: None,
            after: Some(if weights.is_empty() {
                "pesos iguales".into()
            } else {
                weights
                    .iter()
                    .map(|(a, w)| format!("{a}: {w}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Plan, id.0).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM activity_weights WHERE plan_id = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            for (activity, weight) in weights {
                sqlx::query(
                    "INSERT INTO activity_weights (plan_id, activity_number, weight) VALUES ($1, $2, $3)",
                )
                .bind(id.0)
                .bind(i64::from(*activity))
                .bind(weight)
                .execute(&mut *conn)
                .await?;
            }
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Shows an evidence file on the public plan page, or withdraws it (`public`). The
    /// caller has checked who may and that the office confirmed it holds no personal
    /// data; the change is audited. `false` when there is no such file.
    pub async fn set_evidence_public(
        &self,
        evidence_id: i64,
        public: bool,
        actor: &Actor,
    ) -> Result<bool> {
        let Some((plan_id, activity, e)) = self.evidence(evidence_id).await? else {
            return Ok(false);
        };
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::EvidencePublish,
            plan_id: Some(plan_id.0),
            subject: format!("evidencia «{}» de la actividad {activity}", e.file_name),
            before: Some(
                if e.published_at.is_some() {
                    "pública"
                } else {
                    "privada"
                }
                .into(),
            ),
            after: Some(if public { "pública" } else { "privada" }.into()),
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_visibility (evidence_id, public, changed_by, changed_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(evidence_id)
            .bind(public)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An evidence file's record and the plan and activity it belongs to.
    pub async fn evidence(
        &self,
        evidence_id: i64,
    ) -> Result<Option<(PlanId, u32, EvidenceRecord)>> {
        on_conn!(self.conn().await?, |conn| {
            let Some(r) = sqlx::query(
                "SELECT e.id, e.report_id, e.file_name, e.media_type, e.size, e.sha256, e.object_key, \
                 e.created_at, u.full_name, r.plan_id, r.activity_number, (SELECT CASE WHEN v.public THEN v.changed_at END FROM evidence_visibility v \
             WHERE v.evidence_id = e.id ORDER BY v.id DESC LIMIT 1) AS published_at FROM evidence e \
                 JOIN progress_reports r ON r.id = e.report_id LEFT JOIN users u ON u.id = e.created_by \
                 JOIN plans p ON p.id = r.plan_id WHERE e.id = $1 AND p.entity_id = $2",
            )
            .bind(evidence_id)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            Ok(Some((
                PlanId(r.try_get("plan_id")?),
                r.try_get::<i64, _>("activity_number")? as u32,
                EvidenceRecord {
                    id: r.try_get("id")?,
                    report_id: r.try_get("report_id")?,
                    file_name: r.try_get("file_name")?,
                    media_type: r.try_get("media_type")?,
                    size: r.try_get("size")?,
                    sha256: r.try_get("sha256")?,
                    object_key: r.try_get("object_key")?,
                    by: r.try_get("full_name")?,
                    at: r.try_get("created_at")?,
                    published_at: r.try_get("published_at")?,
                },
            )))
        })
    }
}

/// Whether the follow-up `f` takes `report`: the review state of its period (or, for a
/// correction, a closed period and a reason), indicators of its own activity, and the
/// progress rules (a decrease needs a justification, 100 % needs evidence).
fn check_submission(f: &FollowUp, report: &NewReport) -> std::result::Result<(), FollowupError> {
    let (activity, period) = (report.activity, report.period);
    match &report.correction {
        None => {
            if let Err(e) = submit(f.state(activity, period), f.is_closed(period)) {
                return Err(FollowupError::Review(vec![e]));
            }
        }
        Some(_) if !f.is_closed(period) => {
            return Err(FollowupError::Invalid(format!(
                "el periodo {period} está abierto: envíe un reporte, no una corrección"
            )))
        }
        Some(reason) if reason.trim().is_empty() => {
            return Err(FollowupError::Invalid(
                "una corrección de un periodo cerrado necesita su motivo".into(),
            ))
        }
        Some(_) => {}
    }
    if let Some((bad, _)) = report.figures.iter().find(|(i, _)| {
        !f.indicators
            .iter()
            .any(|r| r.id == *i && r.activity == activity)
    }) {
        return Err(FollowupError::NoSuchIndicator(*bad));
    }
    let previous = f.reported(activity);
    let evidence = f.evidence_count(activity) + report.evidence.len();
    report
        .input
        .check(previous, evidence)
        .map_err(FollowupError::Progress)
}

/// Where an office reports (and internal control reviews) an activity for a period.
fn activity_link(pid: i64, activity: u32, period: u32) -> String {
    format!("/admin/planes/{pid}/seguimiento/actividades/{activity}?periodo={period}")
}

/// A period in words («Cuatrimestre 1 (corte 2025-04-30)»), for the text of a notice.
async fn period_name(tx: &mut Tx, pid: i64, f: &FollowUp, period: u32) -> Result<String> {
    let year: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT year FROM plans WHERE id = $1")
            .bind(pid)
            .fetch_one(&mut *conn)
            .await?
    });
    Ok(
        participa_domain::followup::periods(year as i32, f.settings.frequency)
            .into_iter()
            .find(|p| p.number == period)
            .map_or_else(
                || format!("el periodo {period}"),
                |p| p.name(f.settings.frequency),
            ),
    )
}
