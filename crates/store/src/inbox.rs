//! What the staff home page ("Mis pendientes") reads besides the plans and their
//! follow-up: each plan's latest lifecycle step, the suggestions and hearing questions
//! still unanswered, and the forum comments waiting for a moderator. One query each,
//! whatever the number of rows.

use crate::audit::AuditAction;
use crate::parameters::in_force;
use crate::{on_conn, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::parameters::Term;
use participa_domain::participation::{Category, SuggestionStatus};
use participa_domain::Transition;
use sqlx::Row;

/// A plan's latest lifecycle step, from the audit log (the versions table forgets the
/// steps a return to draft undoes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub plan_id: i64,
    pub transition: Transition,
    pub at: DateTime<Utc>,
    /// The name of who did it (the user name if the account is gone).
    pub by: String,
}

/// A suggestion still waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSuggestion {
    pub id: i64,
    pub code: String,
    pub category: Option<Category>,
    pub text: String,
    pub received: DateTime<Utc>,
    pub due_on: NaiveDate,
}

/// A question to a hearing not answered yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenQuestion {
    pub id: i64,
    pub hearing_id: i64,
    pub hearing_title: String,
    pub held_on: NaiveDate,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A forum comment waiting for a moderator: not yet published, or reported for abuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedComment {
    pub id: i64,
    pub consultation_id: i64,
    pub consultation_title: String,
    pub at: DateTime<Utc>,
}

fn lifecycle_codes() -> String {
    Transition::ALL
        .iter()
        .map(|t| format!("'{}'", AuditAction::PlanTransition(*t).code()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Every plan's latest lifecycle step (plans never moved have none): one query.
    pub async fn latest_plan_steps(&self) -> Result<Vec<PlanStep>> {
        let codes = lifecycle_codes();
        let sql = format!(
            "SELECT a.plan_id, a.action, a.at, a.username, u.full_name FROM audit_log a \
             LEFT JOIN users u ON u.id = a.user_id \
             WHERE a.entity_id = $1 AND a.action IN ({codes}) AND a.id = (SELECT MAX(b.id) FROM audit_log b \
             WHERE b.plan_id = a.plan_id AND b.action IN ({codes})) ORDER BY a.plan_id"
        );
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&sql)
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let code: String = r.try_get("action")?;
                let Some(transition) = Transition::ALL
                    .into_iter()
                    .find(|t| AuditAction::PlanTransition(*t).code() == code)
                else {
                    continue;
                };
                let Some(plan_id) = r.try_get::<Option<i64>, _>("plan_id")? else {
                    continue;
                };
                let name: Option<String> = r.try_get("full_name")?;
                let username: Option<String> = r.try_get("username")?;
                out.push(PlanStep {
                    plan_id,
                    transition,
                    at: r.try_get("at")?,
                    by: name.or(username).unwrap_or_default(),
                });
            }
            Ok(out)
        })
    }

    /// Suggestions received or in progress, oldest deadline first: one query.
    pub async fn open_suggestions(&self) -> Result<Vec<OpenSuggestion>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT id, code, category, text, created_at, due_on FROM suggestions \
                 WHERE status IN ($1, $2) AND entity_id = $3 ORDER BY due_on, id",
            )
            .bind(SuggestionStatus::Received.as_str())
            .bind(SuggestionStatus::InProgress.as_str())
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    let category: String = r.try_get("category")?;
                    Ok(OpenSuggestion {
                        id: r.try_get("id")?,
                        code: r.try_get("code")?,
                        category: Category::parse(&category),
                        text: r.try_get("text")?,
                        received: r.try_get("created_at")?,
                        due_on: r.try_get("due_on")?,
                    })
                })
                .collect()
        })
    }

    /// Hearing questions without an answer, with their hearing: one query.
    pub async fn unanswered_questions(&self) -> Result<Vec<OpenQuestion>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT q.id, q.hearing_id, h.title, h.held_on, q.text, q.created_at \
                 FROM hearing_questions q JOIN hearings h ON h.id = q.hearing_id \
                 WHERE q.answered_at IS NULL AND h.entity_id = $1 ORDER BY q.id",
            )
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(OpenQuestion {
                        id: r.try_get("id")?,
                        hearing_id: r.try_get("hearing_id")?,
                        hearing_title: r.try_get("title")?,
                        held_on: r.try_get("held_on")?,
                        text: r.try_get("text")?,
                        at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// Forum comments in a moderation queue (not yet published, or with an abuse report
    /// nobody resolved), with their consultation: one query.
    pub async fn moderation_queue(&self) -> Result<Vec<QueuedComment>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT c.id, c.created_at, t.consultation_id, k.title FROM forum_comments c \
                 JOIN forum_topics t ON t.id = c.topic_id JOIN consultations k ON k.id = t.consultation_id \
                 WHERE k.entity_id = $2 AND (c.status = $1 OR EXISTS (SELECT 1 FROM forum_abuse_reports a \
                 WHERE a.comment_id = c.id AND a.resolved_at IS NULL)) ORDER BY c.id",
            )
            .bind(participa_domain::participation::forum::CommentStatus::Pending.code())
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(QueuedComment {
                        id: r.try_get("id")?,
                        consultation_id: r.try_get("consultation_id")?,
                        consultation_title: r.try_get("title")?,
                        at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// The term of `key` in force on each of `dates`, in order: one query for all.
    pub async fn terms_on(&self, key: &str, dates: &[NaiveDate]) -> Result<Vec<Term>> {
        let history = self.parameter_history().await?;
        dates
            .iter()
            .map(|d| {
                in_force(&history, *d)
                    .into_iter()
                    .find(|p| p.definition.key == key)
                    .map(|p| p.term)
                    .ok_or_else(|| crate::StoreError::UnknownParameter(key.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lifecycle_step_is_looked_for() {
        let codes = lifecycle_codes();
        for t in Transition::ALL {
            assert!(codes.contains(AuditAction::PlanTransition(t).code()));
        }
    }
}
