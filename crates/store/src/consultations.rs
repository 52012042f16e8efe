//! Online consultations (surveys): the consultation, its questions, and the responses.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::entities::Owned;
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::participation::builder::{self, BuilderError, Phase, QuestionInput, Stage};
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
    /// Created as a draft: hidden from the public until it opens (or is announced).
    pub draft: bool,
    /// Someone answered it (a response, or a forum comment in any status): from then on
    /// only wording can be fixed. False when read without counts.
    pub answered: bool,
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

    /// Where it stands on `today`.
    pub fn stage(&self, today: NaiveDate) -> Stage {
        Stage::of(self.draft, self.data.opens_on, self.data.closes_on, today)
    }

    /// What may still change (read with counts).
    pub fn phase(&self) -> Phase {
        Phase::of(i64::from(self.answered))
    }
}

/// A wording fix made after the first answer, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// What was corrected: «Nombre», «Presentación», «Pregunta 2».
    pub subject: String,
    pub before: String,
    pub after: String,
    /// The full name of who corrected it.
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// The consultation's data staff may edit (kind, moderation and identification stay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationEdit {
    pub title: String,
    pub description: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub activity: Option<(i64, u32)>,
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
    if let Some((plan, _)) = c.activity {
        tx.owns(Owned::Plan, plan).await?;
    }
    let entity = tx.entity;
    // Every consultation starts as a draft (see [`Stage::Draft`]).
    let id = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO consultations (title, description, opens_on, closes_on, plan_id, activity_number, \
             kind, moderation, identification, identity_key, identity_rekeyed, created_by, created_at, draft, entity_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11, $12, TRUE, $13) RETURNING id",
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
        .bind(entity)
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
        .bind(q.kind.stored_options())
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

/// One response: when, and the values per question number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub answers: BTreeMap<u32, Vec<String>>,
}

fn kind_of(code: &str, options: &str) -> QuestionKind {
    QuestionKind::from_stored(code, options)
}

const QUESTION_COLUMNS: &str =
    "SELECT consultation_id, number, text, kind, options, required, cond_question, cond_answer \
     FROM consultation_questions";

fn question_of<R: sqlx::Row>(q: &R) -> Result<(i64, Question)>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = q.try_get("kind")?;
    let options: String = q.try_get("options")?;
    let cond_q: Option<i64> = q.try_get("cond_question")?;
    let cond_a: Option<String> = q.try_get("cond_answer")?;
    Ok((
        q.try_get("consultation_id")?,
        Question {
            number: q.try_get::<i64, _>("number")? as u32,
            text: q.try_get("text")?,
            kind: kind_of(&kind, &options),
            required: q.try_get("required")?,
            condition: cond_q.zip(cond_a).map(|(n, a)| Condition {
                question: n as u32,
                answer: a,
            }),
        },
    ))
}

/// What decides a builder's write, read inside it after locking the consultation.
struct Current {
    title: String,
    description: String,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    activity: Option<(i64, u32)>,
    forum: bool,
    draft: bool,
    questions: Vec<Question>,
    /// Responses plus forum comments in any status.
    answers: i64,
    topics: i64,
}

impl Current {
    fn phase(&self) -> Phase {
        Phase::of(self.answers)
    }

    fn stage(&self, today: NaiveDate) -> Stage {
        Stage::of(self.draft, self.opens_on, self.closes_on, today)
    }
}

async fn read_current(tx: &mut Tx, id: i64) -> Result<Current> {
    tx.lock(Locked::Consultation, id).await?;
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        let r = sqlx::query(
            "SELECT c.title, c.description, c.opens_on, c.closes_on, c.plan_id, c.activity_number, c.kind, c.draft, \
             c.response_count + c.comment_count AS answers, \
             (SELECT COUNT(*) FROM forum_topics t WHERE t.consultation_id = c.id) AS topics \
             FROM consultations c WHERE c.id = $1 AND c.entity_id = $2",
        )
        .bind(id)
        .bind(entity)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found(Entity::Consultation, id))?;
        let questions = sqlx::query(&format!(
            "{QUESTION_COLUMNS} WHERE consultation_id = $1 ORDER BY number"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|q| question_of(q).map(|(_, q)| q))
        .collect::<Result<Vec<_>>>()?;
        Ok(Current {
            title: r.try_get("title")?,
            description: r.try_get("description")?,
            opens_on: r.try_get("opens_on")?,
            closes_on: r.try_get("closes_on")?,
            activity: r
                .try_get::<Option<i64>, _>("plan_id")?
                .zip(r.try_get::<Option<i64>, _>("activity_number")?)
                .map(|(p, a)| (p, a as u32)),
            forum: r.try_get::<String, _>("kind")? == "foro",
            draft: r.try_get("draft")?,
            questions,
            answers: r.try_get("answers")?,
            topics: r.try_get("topics")?,
        })
    })
}

/// Replaces every question of consultation `id` by `questions` (before the first
/// answer, when no answer refers to their numbers).
async fn rewrite_questions(tx: &mut Tx, id: i64, questions: &[Question]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM consultation_questions WHERE consultation_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    for q in questions {
        insert_question(tx, id, q).await?;
    }
    Ok(())
}

/// Keeps a wording fix made after the first answer in the visible history.
async fn record_correction(
    tx: &mut Tx,
    id: i64,
    subject: &str,
    before: &str,
    after: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO consultation_corrections (consultation_id, subject, before_text, after_text, corrected_by, corrected_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(subject)
        .bind(before)
        .bind(after)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// A question in one line for the audit log and the history.
fn summary(q: &Question) -> String {
    let mut s = format!(
        "{}. {} ({})",
        q.number,
        q.text,
        QuestionKind::label(q.kind.code())
    );
    if let QuestionKind::Scale(ends) = &q.kind {
        if ends.is_labelled() {
            s.push_str(&format!(" · {}", ends.sentence()));
        }
    }
    if !q.kind.options().is_empty() {
        s.push_str(&format!(" · {}", q.kind.options().join(" / ")));
    }
    if let Some(c) = &q.condition {
        s.push_str(&format!(
            " · si la pregunta {} = «{}»",
            c.question, c.answer
        ));
    }
    s
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
    /// With `counts` false, `responses` and `comments` read 0. The counts are kept with
    /// each consultation (migrations 0027 and 0028), so reading them costs no scan.
    async fn consultations_where(
        &self,
        only: Option<i64>,
        counts: bool,
    ) -> Result<Vec<Consultation>> {
        let counted = "c.response_count AS responses, c.published_comment_count AS comments, \
             c.comment_count AS all_comments";
        let sql = format!(
            "SELECT c.id, c.title, c.description, c.opens_on, c.closes_on, c.results_public, c.plan_id, c.activity_number, \
             c.kind, c.moderation, c.identification, c.draft, {} \
             FROM consultations c WHERE ($1 IS NULL OR c.id = $1) AND c.entity_id = $2 \
             ORDER BY c.opens_on DESC, c.id DESC",
            if counts { counted } else { "CAST(0 AS BIGINT) AS responses, CAST(0 AS BIGINT) AS comments, CAST(0 AS BIGINT) AS all_comments" }
        );
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&sql)
                .bind(only)
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
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
                    draft: r.try_get("draft")?,
                    answered: r.try_get::<i64, _>("responses")?
                        + r.try_get::<i64, _>("all_comments")?
                        > 0,
                });
            }
            let qs = sqlx::query(&format!(
                "{QUESTION_COLUMNS} WHERE ($1 IS NULL OR consultation_id = $1) \
                 AND consultation_id IN (SELECT id FROM consultations WHERE entity_id = $2) \
                 ORDER BY consultation_id, number"
            ))
            .bind(only)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            for q in &qs {
                let (cid, question) = question_of(q)?;
                if let Some(c) = out.iter_mut().find(|c| c.id == cid) {
                    c.questions.push(question);
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
        let current = read_current(&mut tx, consultation).await?;
        // Decided inside the write: after the first answer the questions stay, and a
        // question added meanwhile by someone else takes this number first.
        if current.phase() == Phase::Answered {
            return Err(BuilderError::OnlyWording.into());
        }
        let q = Question {
            number: current.questions.len() as u32 + 1,
            ..q.clone()
        };
        if let Some(c) = &q.condition {
            let fits = current
                .questions
                .iter()
                .find(|e| e.number == c.question)
                .is_some_and(|e| e.kind.options().contains(&c.answer));
            if !fits {
                return Err(BuilderError::Survey(
                    participa_domain::participation::survey::SurveyError::Condition,
                )
                .into());
            }
        }
        insert_question(&mut tx, consultation, &q).await?;
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
        tx.owns(Owned::Consultation, consultation).await?;
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

    /// The newest `limit` answers to a free-text question, newest first.
    pub async fn open_answers(
        &self,
        consultation: i64,
        question: u32,
        limit: i64,
    ) -> Result<Vec<String>> {
        self.owns(Owned::Consultation, consultation).await?;
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT a.value FROM consultation_answers a \
                 JOIN consultation_responses r ON r.id = a.response_id \
                 WHERE r.consultation_id = $1 AND a.question = $2 ORDER BY a.response_id DESC LIMIT $3",
            )
            .bind(consultation)
            .bind(i64::from(question))
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter().map(|r| Ok(r.try_get("value")?)).collect()
        })
    }

    /// When each response of a consultation came in, oldest first (one query; the
    /// participation by day of the results report).
    pub async fn response_times(&self, consultation: i64) -> Result<Vec<DateTime<Utc>>> {
        self.owns(Owned::Consultation, consultation).await?;
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT created_at FROM consultation_responses WHERE consultation_id = $1 ORDER BY id",
            )
            .bind(consultation)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter().map(|r| Ok(r.try_get("created_at")?)).collect()
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
        self.owns(Owned::Consultation, consultation).await?;
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT r.id, r.created_at, a.question, a.value FROM \
                 (SELECT id, created_at FROM consultation_responses WHERE consultation_id = $1 AND id > $2 \
                  ORDER BY id LIMIT $3) r \
                 LEFT JOIN consultation_answers a ON a.response_id = r.id ORDER BY r.id, a.question",
            )
            .bind(consultation)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *conn)
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

/// The consultation builder: opening, editing, and the questions' corrections. Each
/// write locks the consultation and reads what decides it (its stage, whether anyone
/// answered, its questions) inside its own transaction, with its audit entry.
impl Store {
    /// "Abrir ahora": a draft or announced consultation opens today.
    pub async fn open_consultation_now(
        &self,
        id: i64,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        let has_content = if current.forum {
            current.topics > 0
        } else {
            !current.questions.is_empty()
        };
        let opens = builder::open_now(
            current.stage(today),
            current.closes_on,
            today,
            has_content,
            current.forum,
        )?;
        let now = Utc::now();
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE consultations SET opens_on = $1, draft = FALSE WHERE id = $2")
                .bind(opens)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        });
        let change = Change {
            actor,
            action: AuditAction::ConsultationOpen,
            plan_id: current.activity.map(|(p, _)| p),
            subject: format!("consulta «{}»", current.title),
            before: Some(format!(
                "{}, abría el {}",
                current.stage(today).label(),
                current.opens_on
            )),
            after: Some(format!("Abierta desde el {opens}")),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Announces a draft: its public page says when it opens; it opens on its date.
    pub async fn announce_consultation(
        &self,
        id: i64,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        builder::announce(current.stage(today))?;
        let now = Utc::now();
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE consultations SET draft = FALSE WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        });
        let change = Change {
            actor,
            action: AuditAction::ConsultationAnnounce,
            plan_id: current.activity.map(|(p, _)| p),
            subject: format!("consulta «{}»", current.title),
            before: Some(Stage::Draft.label().to_string()),
            after: Some(format!("Anunciada: abre el {}", current.opens_on)),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Edits the consultation's data: everything before the first answer; after it only
    /// the title and description, each fix kept in the history.
    pub async fn edit_consultation(
        &self,
        id: i64,
        edit: &ConsultationEdit,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        if let Some((plan, _)) = edit.activity {
            tx.owns(Owned::Plan, plan).await?;
        }
        let phase = current.phase();
        let dates_or_activity = (current.opens_on, current.closes_on, current.activity)
            != (edit.opens_on, edit.closes_on, edit.activity);
        builder::check_data_change(phase, dates_or_activity)?;
        let now = Utc::now();
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE consultations SET title = $1, description = $2, opens_on = $3, closes_on = $4, \
                 plan_id = $5, activity_number = $6 WHERE id = $7",
            )
            .bind(&edit.title)
            .bind(&edit.description)
            .bind(edit.opens_on)
            .bind(edit.closes_on)
            .bind(edit.activity.map(|(p, _)| p))
            .bind(edit.activity.map(|(_, a)| i64::from(a)))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        if phase == Phase::Answered {
            for (subject, before, after) in [
                ("Nombre", &current.title, &edit.title),
                ("Presentación", &current.description, &edit.description),
            ] {
                if before != after {
                    record_correction(&mut tx, id, subject, before, after, actor, now).await?;
                }
            }
        }
        let line =
            |title: &str, description: &str, o: NaiveDate, c: NaiveDate, a: Option<(i64, u32)>| {
                format!(
                    "«{title}» · {o} a {c} · actividad {} · {description}",
                    a.map_or("ninguna".to_string(), |(_, n)| n.to_string())
                )
            };
        let change = Change {
            actor,
            action: AuditAction::ConsultationEdit,
            plan_id: edit.activity.or(current.activity).map(|(p, _)| p),
            subject: format!("consulta {id}"),
            before: Some(line(
                &current.title,
                &current.description,
                current.opens_on,
                current.closes_on,
                current.activity,
            )),
            after: Some(line(
                &edit.title,
                &edit.description,
                edit.opens_on,
                edit.closes_on,
                edit.activity,
            )),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Replaces question `number` (see [`builder::edit_question`]); a fix made after the
    /// first answer is kept in the history.
    pub async fn edit_consultation_question(
        &self,
        id: i64,
        number: u32,
        input: QuestionInput,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        let phase = current.phase();
        let q = builder::edit_question(&current.questions, number, input, phase)?;
        let before = current
            .questions
            .iter()
            .find(|o| o.number == number)
            .map(summary)
            .unwrap_or_default();
        let after = summary(&q);
        if before == after {
            tx.rollback().await?;
            return Ok(());
        }
        let now = Utc::now();
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE consultation_questions SET text = $1, kind = $2, options = $3, required = $4, \
                 cond_question = $5, cond_answer = $6 WHERE consultation_id = $7 AND number = $8",
            )
            .bind(&q.text)
            .bind(q.kind.code())
            .bind(q.kind.stored_options())
            .bind(q.required)
            .bind(q.condition.as_ref().map(|c| i64::from(c.question)))
            .bind(q.condition.as_ref().map(|c| c.answer.clone()))
            .bind(id)
            .bind(i64::from(number))
            .execute(&mut *conn)
            .await?;
        });
        if phase == Phase::Answered {
            let subject = format!("Pregunta {number}");
            record_correction(&mut tx, id, &subject, &before, &after, actor, now).await?;
        }
        let change = Change {
            actor,
            action: AuditAction::ConsultationQuestionEdit,
            plan_id: current.activity.map(|(p, _)| p),
            subject: format!("pregunta {number} de la consulta {id}"),
            before: Some(before),
            after: Some(after),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Deletes question `number` before the first answer; the rest are numbered again.
    pub async fn delete_consultation_question(
        &self,
        id: i64,
        number: u32,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        let left = builder::delete_question(&current.questions, number, current.phase())?;
        let before = current
            .questions
            .iter()
            .find(|o| o.number == number)
            .map(summary)
            .unwrap_or_default();
        rewrite_questions(&mut tx, id, &left).await?;
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ConsultationQuestionDelete,
            plan_id: current.activity.map(|(p, _)| p),
            subject: format!("pregunta {number} de la consulta {id}"),
            before: Some(before),
            after: None,
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Moves question `number` to position `to` before the first answer.
    pub async fn move_consultation_question(
        &self,
        id: i64,
        number: u32,
        to: u32,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = read_current(&mut tx, id).await?;
        let moved = builder::move_question(&current.questions, number, to, current.phase())?;
        if moved == current.questions {
            tx.rollback().await?;
            return Ok(());
        }
        rewrite_questions(&mut tx, id, &moved).await?;
        let now = Utc::now();
        let order = |qs: &[Question]| {
            qs.iter()
                .map(|q| q.text.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let change = Change {
            actor,
            action: AuditAction::ConsultationQuestionMove,
            plan_id: current.activity.map(|(p, _)| p),
            subject: format!("pregunta {number} de la consulta {id}, al lugar {to}"),
            before: Some(order(&current.questions)),
            after: Some(order(&moved)),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// The wording fixes made after the first answer, oldest first.
    pub async fn consultation_corrections(&self, id: i64) -> Result<Vec<Correction>> {
        self.owns(Owned::Consultation, id).await?;
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT k.subject, k.before_text, k.after_text, k.corrected_at, u.full_name \
                 FROM consultation_corrections k LEFT JOIN users u ON u.id = k.corrected_by \
                 WHERE k.consultation_id = $1 ORDER BY k.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Correction {
                        subject: r.try_get("subject")?,
                        before: r.try_get("before_text")?,
                        after: r.try_get("after_text")?,
                        by: r.try_get("full_name")?,
                        at: r.try_get("corrected_at")?,
                    })
                })
                .collect()
        })
    }
}
