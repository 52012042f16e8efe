//! Online consultations (surveys): the consultation, its questions, and the responses.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Tx};
use crate::{on_db, Entity, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::participation::identity::Document;
use participa_domain::participation::survey::{Condition, Question, QuestionKind};
use participa_domain::participation::ConsultationKind;
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationData {
    pub title: String,
    pub description: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// The plan activity it carries out: (plan id, activity number).
    pub activity: Option<(i64, u32)>,
    /// A survey, or a forum with its moderation.
    pub kind: ConsultationKind,
    /// A survey that asks for an identity document: one answer per person.
    pub identification: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub id: i64,
    pub data: ConsultationData,
    pub results_public: bool,
    pub questions: Vec<Question>,
    pub responses: i64,
    /// Published forum comments (0 for a survey).
    pub comments: i64,
}

impl Consultation {
    /// People or contributions counted for the linked activity: responses to a survey,
    /// published comments in a forum.
    pub fn participations(&self) -> i64 {
        match self.data.kind {
            ConsultationKind::Forum(_) => self.comments,
            ConsultationKind::Survey => self.responses,
        }
    }
}

/// Inserts a consultation in transaction `tx`, with a fresh random key for the digests
/// of identity documents (keyed with the secret from the start: see [`crate::identity`]),
/// and returns its id.
pub(crate) async fn insert_consultation(
    tx: &mut Tx,
    c: &ConsultationData,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i64> {
    let key = crate::random_token()?;
    let id = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO consultations (title, description, opens_on, closes_on, plan_id, activity_number, \
             kind, moderation, identification, identity_key, identity_rekeyed, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11, $12) RETURNING id",
        )
        .bind(&c.title)
        .bind(&c.description)
        .bind(c.opens_on)
        .bind(c.closes_on)
        .bind(c.activity.map(|(p, _)| p))
        .bind(c.activity.map(|(_, a)| i64::from(a)))
        .bind(c.kind.code())
        .bind(c.kind.moderation().unwrap_or(participa_domain::participation::forum::Moderation::Before).code())
        .bind(c.identification)
        .bind(&key)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<i64, _>("id")?
    });
    Ok(id)
}

/// Inserts question `q` of consultation `id` in transaction `tx`.
pub(crate) async fn insert_question(tx: &mut Tx, id: i64, q: &Question) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO consultation_questions (consultation_id, number, text, kind, options, required, cond_question, cond_answer) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i64::from(q.number))
        .bind(&q.text)
        .bind(q.kind.code())
        .bind(q.kind.options().join("\n"))
        .bind(q.required)
        .bind(q.condition.as_ref().map(|c| i64::from(c.question)))
        .bind(q.condition.as_ref().map(|c| c.answer.clone()))
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// The identification given with a response, and the purpose the citizen consented to.
pub struct Identification<'a> {
    pub document: &'a Document,
    pub purpose: &'a str,
}

/// Per question number: how many responses answered it, and how many gave each value.
pub type AnswerCounts = BTreeMap<u32, (usize, BTreeMap<String, usize>)>;

/// One response: when, and the values per question number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub answers: BTreeMap<u32, Vec<String>>,
}

fn kind_of(code: &str, options: &str) -> QuestionKind {
    QuestionKind::from_code(code, options).unwrap_or(QuestionKind::Text)
}

impl Store {
    pub async fn create_consultation(&self, c: &ConsultationData, actor: &Actor) -> Result<i64> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ConsultationCreate,
            plan_id: c.activity.map(|(p, _)| p),
            subject: format!("consulta «{}»", c.title),
            before: None,
            after: Some(format!("{} a {}", c.opens_on, c.closes_on)),
        };
        let mut tx = self.begin().await?;
        let out = insert_consultation(&mut tx, c, actor, now).await?;
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every consultation with its questions and response count (three queries).
    pub async fn consultations(&self) -> Result<Vec<Consultation>> {
        self.consultations_where(None, true).await
    }

    /// Every consultation with its questions, without the counts (`responses` and
    /// `comments` read 0): for public lists, at a cost that does not grow with answers.
    pub async fn consultations_uncounted(&self) -> Result<Vec<Consultation>> {
        self.consultations_where(None, false).await
    }

    /// All consultations, or only `only`: a citizen's answer reads one, not every one.
    /// With `counts` false, `responses` and `comments` read 0: counting costs a scan that
    /// grows with the responses, which a citizen's answer does not need.
    async fn consultations_where(
        &self,
        only: Option<i64>,
        counts: bool,
    ) -> Result<Vec<Consultation>> {
        let counted = "(SELECT COUNT(*) FROM consultation_responses r WHERE r.consultation_id = c.id) AS responses, \
             (SELECT COUNT(*) FROM forum_comments fc JOIN forum_topics ft ON ft.id = fc.topic_id \
              WHERE ft.consultation_id = c.id AND fc.status = 'publicado') AS comments";
        let sql = format!(
            "SELECT c.id, c.title, c.description, c.opens_on, c.closes_on, c.results_public, c.plan_id, c.activity_number, \
             c.kind, c.moderation, c.identification, {} \
             FROM consultations c WHERE ($1 IS NULL OR c.id = $1) ORDER BY c.opens_on DESC, c.id DESC",
            if counts { counted } else { "CAST(0 AS BIGINT) AS responses, CAST(0 AS BIGINT) AS comments" }
        );
        on_db!(&self.db, |pool| {
            let rows = sqlx::query(&sql).bind(only).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(Consultation {
                    id: r.try_get("id")?,
                    data: ConsultationData {
                        title: r.try_get("title")?,
                        description: r.try_get("description")?,
                        opens_on: r.try_get("opens_on")?,
                        closes_on: r.try_get("closes_on")?,
                        activity: r
                            .try_get::<Option<i64>, _>("plan_id")?
                            .zip(r.try_get::<Option<i64>, _>("activity_number")?)
                            .map(|(p, a)| (p, a as u32)),
                        kind: {
                            let kind: String = r.try_get("kind")?;
                            let moderation: String = r.try_get("moderation")?;
                            ConsultationKind::from_codes(&kind, &moderation).ok_or_else(|| {
                                StoreError::CorruptValue {
                                    id: r.try_get("id").unwrap_or_default(),
                                    what: format!("tipo de consulta «{kind}»"),
                                }
                            })?
                        },
                        identification: r.try_get("identification")?,
                    },
                    results_public: r.try_get("results_public")?,
                    questions: vec![],
                    responses: r.try_get("responses")?,
                    comments: r.try_get("comments")?,
                });
            }
            let qs = sqlx::query(
                "SELECT consultation_id, number, text, kind, options, required, cond_question, cond_answer \
                 FROM consultation_questions WHERE ($1 IS NULL OR consultation_id = $1) \
                 ORDER BY consultation_id, number",
            )
            .bind(only)
            .fetch_all(pool)
            .await?;
            for q in &qs {
                let cid: i64 = q.try_get("consultation_id")?;
                let kind: String = q.try_get("kind")?;
                let options: String = q.try_get("options")?;
                let cond_q: Option<i64> = q.try_get("cond_question")?;
                let cond_a: Option<String> = q.try_get("cond_answer")?;
                if let Some(c) = out.iter_mut().find(|c| c.id == cid) {
                    c.questions.push(Question {
                        number: q.try_get::<i64, _>("number")? as u32,
                        text: q.try_get("text")?,
                        kind: kind_of(&kind, &options),
                        required: q.try_get("required")?,
                        condition: cond_q.zip(cond_a).map(|(n, a)| Condition {
                            question: n as u32,
                            answer: a,
                        }),
                    });
                }
            }
            Ok(out)
        })
    }

    pub async fn consultation(&self, id: i64) -> Result<Consultation> {
        self.consultations_where(Some(id), true)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::not_found(Entity::Consultation, id))
    }

    /// The consultation and its questions, without the counts (`responses` and
    /// `comments` read 0): what answering it needs, at a cost that does not grow with
    /// the responses already stored.
    pub async fn consultation_to_answer(&self, id: i64) -> Result<Consultation> {
        self.consultations_where(Some(id), false)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::not_found(Entity::Consultation, id))
    }

    pub async fn add_consultation_question(
        &self,
        consultation: i64,
        q: &Question,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ConsultationQuestion,
            plan_id: None,
            subject: format!("pregunta {} de la consulta {consultation}", q.number),
            before: None,
            after: Some(q.text.clone()),
        };
        let mut tx = self.begin().await?;
        insert_question(&mut tx, consultation, q).await?;
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    pub async fn publish_consultation_results(
        &self,
        consultation: i64,
        public: bool,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ConsultationResults,
            plan_id: None,
            subject: format!("resultados de la consulta {consultation}"),
            before: None,
            after: Some(if public { "públicos" } else { "reservados" }.into()),
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE consultations SET results_public = $1 WHERE id = $2")
                .bind(public)
                .bind(consultation)
                .execute(&mut *conn)
                .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Stores a checked response in one transaction (no audit entry per citizen answer;
    /// the response itself is the record). With an identification, a second response of
    /// the same person is refused with [`StoreError::AlreadyAnswered`].
    pub async fn add_response(
        &self,
        consultation: i64,
        answers: &BTreeMap<u32, Vec<String>>,
        identification: Option<Identification<'_>>,
    ) -> Result<i64> {
        let _turn = self.sqlite_write_turn().await;
        let now = Utc::now();
        // The consultation's key is read inside the write transaction, which on SQLite
        // begins IMMEDIATE (see `Store::begin`): a deferred one that read first could not
        // wait for another writer and would fail at once with «database is locked».
        let mut tx = self.begin().await?;
        let (identity, purpose) = match &identification {
            Some(i) => {
                let secret = self.identity_secret()?;
                // Normally done at startup; a consultation still in the old scheme is
                // re-keyed here first, so that its digests can be compared.
                crate::identity::rekey_consultation(&mut tx, secret, consultation).await?;
                let key: String = on_tx!(&mut tx, |conn| {
                    sqlx::query("SELECT identity_key FROM consultations WHERE id = $1")
                        .bind(consultation)
                        .fetch_one(&mut *conn)
                        .await?
                        .try_get::<String, _>("identity_key")?
                });
                (
                    Some(secret.digest(&key, i.document)),
                    Some(i.purpose.to_string()),
                )
            }
            None => (None, None),
        };
        let inserted = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO consultation_responses (consultation_id, created_at, identity, consent_purpose, consent_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(consultation)
            .bind(now)
            .bind(&identity)
            .bind(&purpose)
            .bind(purpose.as_ref().map(|_| now))
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| r.try_get::<i64, _>("id"))
        });
        let id = match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                // Release the write lock now, not when the dropped transaction's
                // rollback gets its turn on the connection.
                tx.rollback().await?;
                return Err(StoreError::AlreadyAnswered);
            }
            other => other?,
        };
        on_tx!(&mut tx, |conn| {
            for (q, values) in answers {
                for v in values {
                    sqlx::query(
                        "INSERT INTO consultation_answers (response_id, question, value) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(i64::from(*q))
                    .bind(v)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        });
        tx.commit().await?;
        Ok(id)
    }

    /// The counts of a consultation's answers, made by the database (two queries, however
    /// many responses): per question, how many responses answered it and how many gave
    /// each value. Values of the questions in `open` (free text) are not grouped.
    pub async fn answer_counts(&self, consultation: i64, open: &[u32]) -> Result<AnswerCounts> {
        // Question numbers are integers: written into the query, they cannot inject.
        let skip = if open.is_empty() {
            String::new()
        } else {
            format!(
                "AND a.question NOT IN ({})",
                open.iter()
                    .map(|q| q.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        let grouped = format!(
            "SELECT a.question, a.value, COUNT(*) AS n FROM consultation_answers a \
             JOIN consultation_responses r ON r.id = a.response_id \
             WHERE r.consultation_id = $1 {skip} GROUP BY a.question, a.value"
        );
        on_db!(&self.db, |pool| {
            let mut out = AnswerCounts::new();
            let answered = sqlx::query(
                "SELECT a.question, COUNT(DISTINCT a.response_id) AS n FROM consultation_answers a \
                 JOIN consultation_responses r ON r.id = a.response_id \
                 WHERE r.consultation_id = $1 GROUP BY a.question",
            )
            .bind(consultation)
            .fetch_all(pool)
            .await?;
            for r in &answered {
                let q = r.try_get::<i64, _>("question")? as u32;
                out.entry(q).or_default().0 = r.try_get::<i64, _>("n")? as usize;
            }
            let values = sqlx::query(&grouped)
                .bind(consultation)
                .fetch_all(pool)
                .await?;
            for r in &values {
                let q = r.try_get::<i64, _>("question")? as u32;
                out.entry(q)
                    .or_default()
                    .1
                    .insert(r.try_get("value")?, r.try_get::<i64, _>("n")? as usize);
            }
            Ok(out)
        })
    }

    /// The newest `limit` answers to a free-text question, newest first.
    pub async fn open_answers(
        &self,
        consultation: i64,
        question: u32,
        limit: i64,
    ) -> Result<Vec<String>> {
        on_db!(&self.db, |pool| {
            let rows = sqlx::query(
                "SELECT a.value FROM consultation_answers a \
                 JOIN consultation_responses r ON r.id = a.response_id \
                 WHERE r.consultation_id = $1 AND a.question = $2 ORDER BY a.response_id DESC LIMIT $3",
            )
            .bind(consultation)
            .bind(i64::from(question))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(r.try_get("value")?)).collect()
        })
    }

    /// Every response of a consultation with its answers (one query, ordered).
    pub async fn responses(&self, consultation: i64) -> Result<Vec<Response>> {
        self.responses_after(consultation, 0, i64::MAX).await
    }

    /// Up to `limit` responses with an id above `after`, with their answers: pages for
    /// exports that must not hold every response in memory.
    pub async fn responses_after(
        &self,
        consultation: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Response>> {
        on_db!(&self.db, |pool| {
            let rows = sqlx::query(
                "SELECT r.id, r.created_at, a.question, a.value FROM \
                 (SELECT id, created_at FROM consultation_responses WHERE consultation_id = $1 AND id > $2 \
                  ORDER BY id LIMIT $3) r \
                 LEFT JOIN consultation_answers a ON a.response_id = r.id ORDER BY r.id, a.question",
            )
            .bind(consultation)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out: Vec<Response> = Vec::new();
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                if out.last().map(|x| x.id) != Some(id) {
                    out.push(Response {
                        id,
                        at: r.try_get("created_at")?,
                        answers: BTreeMap::new(),
                    });
                }
                if let (Some(q), Some(v)) = (
                    r.try_get::<Option<i64>, _>("question")?,
                    r.try_get::<Option<String>, _>("value")?,
                ) {
                    if let Some(last) = out.last_mut() {
                        last.answers.entry(q as u32).or_default().push(v);
                    }
                }
            }
            Ok(out)
        })
    }
}
