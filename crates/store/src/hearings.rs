//! Public accountability hearings: the hearing, registrations and questions with answers.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::consultations::{insert_consultation, insert_question, ConsultationData};
use crate::entities::Owned;
use crate::notifications::{Notice, NoticeKind, Recipients};
use crate::tx::on_tx;
use crate::tx::{Locked, Tx};
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingData {
    pub title: String,
    pub held_on: NaiveDate,
    /// `10:00`.
    pub starts_at: String,
    pub place: String,
    pub stream_url: String,
    pub report_url: String,
    pub report_published_on: Option<NaiveDate>,
    /// The media the call went out through.
    pub convocation: String,
    /// The plan activity it carries out: (plan id, activity number).
    pub activity: Option<(i64, u32)>,
}

/// What a hearing counted, for the activity it carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingCounts {
    pub activity: u32,
    pub hearing: i64,
    pub title: String,
    pub registrations: i64,
    pub questions: i64,
    pub answered: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hearing {
    pub id: i64,
    pub data: HearingData,
    /// The survey citizens answer to evaluate the hearing, once staff create it.
    pub evaluation: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub value_group: String,
    pub at: DateTime<Utc>,
    /// The citizen's code to see and erase these data (none for registrations made
    /// before codes existed).
    pub code: Option<String>,
    /// When the citizen erased the name and contact.
    pub erased_at: Option<DateTime<Utc>>,
    pub hearing_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub code: String,
    pub text: String,
    /// The name the citizen chose to give (with consent), if any.
    pub asker: Option<String>,
    pub at: DateTime<Utc>,
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
}

/// A citizen's registration, checked, with its code and the purpose consented to.
#[derive(Debug, Clone, Copy)]
pub struct NewRegistration<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub value_group: &'a str,
    pub consent_purpose: &'a str,
}

const REGISTRATION_COLUMNS: &str =
    "SELECT id, hearing_id, code, name, email, phone, value_group, created_at, erased_at";

fn registration_of<R: sqlx::Row>(r: &R) -> Result<Registration>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<DateTime<Utc>>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Registration {
        id: r.try_get("id")?,
        hearing_id: r.try_get("hearing_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        value_group: r.try_get("value_group")?,
        at: r.try_get("created_at")?,
        erased_at: r.try_get("erased_at")?,
    })
}

impl Store {
    pub async fn create_hearing(&self, h: &HearingData, actor: &Actor) -> Result<i64> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::HearingCreate,
            plan_id: None,
            subject: format!("audiencia «{}»", h.title),
            before: None,
            after: Some(format!("{} {} · {}", h.held_on, h.starts_at, h.place)),
        };
        let mut tx = self.begin().await?;
        if let Some((plan, _)) = h.activity {
            tx.owns(Owned::Plan, plan).await?;
        }
        let entity = tx.entity;
        let out = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO hearings (title, held_on, starts_at, place, stream_url, report_url, report_published_on, \
                 convocation, created_by, created_at, plan_id, activity_number, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&h.title)
            .bind(h.held_on)
            .bind(&h.starts_at)
            .bind(&h.place)
            .bind(&h.stream_url)
            .bind(&h.report_url)
            .bind(h.report_published_on)
            .bind(&h.convocation)
            .bind(actor.user_id)
            .bind(now)
            .bind(h.activity.map(|(p, _)| p))
            .bind(h.activity.map(|(_, a)| i64::from(a)))
            .bind(entity)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Edits a hearing (date, time, place, stream, report, call, activity) with the
    /// change in the audit log. When the day or the time changes, `rescheduled` (the
    /// notice's subject and body, written for the new date) goes to every registrant
    /// who left an e-mail and has not erased it, in the same transaction. Returns
    /// how many registrants were told.
    pub async fn edit_hearing(
        &self,
        id: i64,
        h: &HearingData,
        rescheduled: &RescheduleNotice,
        actor: &Actor,
    ) -> Result<usize> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Hearing, id).await?;
        let before = read_hearing(&mut tx, id).await?.data;
        if let Some((plan, _)) = h.activity {
            tx.owns(Owned::Plan, plan).await?;
        }
        let now = Utc::now();
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE hearings SET title = $1, held_on = $2, starts_at = $3, place = $4, stream_url = $5, \
                 report_url = $6, report_published_on = $7, convocation = $8, plan_id = $9, activity_number = $10 \
                 WHERE id = $11",
            )
            .bind(&h.title)
            .bind(h.held_on)
            .bind(&h.starts_at)
            .bind(&h.place)
            .bind(&h.stream_url)
            .bind(&h.report_url)
            .bind(h.report_published_on)
            .bind(&h.convocation)
            .bind(h.activity.map(|(p, _)| p))
            .bind(h.activity.map(|(_, a)| i64::from(a)))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        let moved = (before.held_on, &before.starts_at) != (h.held_on, &h.starts_at);
        let told = if moved {
            notify_registrants(&mut tx, id, rescheduled, now).await?
        } else {
            0
        };
        let line = |d: &HearingData| {
            format!(
                "«{}» · {} {} · lugar: {} · transmisión: {} · informe: {} ({}) · convocatoria: {}",
                d.title,
                d.held_on,
                d.starts_at,
                d.place,
                d.stream_url,
                d.report_url,
                d.report_published_on
                    .map_or("sin fecha".to_string(), |d| d.to_string()),
                d.convocation
            )
        };
        let change = Change {
            actor,
            action: AuditAction::HearingEdit,
            plan_id: h.activity.or(before.activity).map(|(p, _)| p),
            subject: format!("audiencia «{}»", h.title),
            before: Some(line(&before)),
            after: Some(if moved {
                format!("{} · nueva fecha avisada a {told} inscrito(s)", line(h))
            } else {
                line(h)
            }),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(told)
    }

    /// The counts of the hearings that carry out activities of a plan: registrations,
    /// questions and answered questions, in one query of the counts each hearing keeps
    /// (migration 0029).
    pub async fn hearing_counts(&self, plan: i64) -> Result<Vec<HearingCounts>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT h.id, h.title, h.activity_number, \
                 h.registration_count AS registrations, h.question_count AS questions, \
                 h.answered_count AS answered \
                 FROM hearings h WHERE h.plan_id = $1 AND h.activity_number IS NOT NULL \
                 AND h.entity_id = $2 ORDER BY h.id",
            )
            .bind(plan)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(HearingCounts {
                        activity: r.try_get::<i64, _>("activity_number")? as u32,
                        hearing: r.try_get("id")?,
                        title: r.try_get("title")?,
                        registrations: r.try_get("registrations")?,
                        questions: r.try_get("questions")?,
                        answered: r.try_get("answered")?,
                    })
                })
                .collect()
        })
    }

    /// How many registered for hearing `id`: the count it keeps (migration 0029), not a
    /// read of the registrations.
    pub async fn registration_count(&self, id: i64) -> Result<i64> {
        let n: Option<i64> = on_conn!(self.conn().await?, |conn| {
            sqlx::query_scalar(
                "SELECT registration_count FROM hearings WHERE id = $1 AND entity_id = $2",
            )
            .bind(id)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?
        });
        n.ok_or_else(|| StoreError::not_found(Entity::Hearing, id))
    }

    /// Every hearing, the most recent first.
    pub async fn hearings(&self) -> Result<Vec<Hearing>> {
        let mut tx = self.begin_read().await?;
        let list = read_hearings(&mut tx, None).await?;
        tx.commit().await?;
        Ok(list)
    }

    pub async fn hearing(&self, id: i64) -> Result<Hearing> {
        let mut tx = self.begin_read().await?;
        let hearing = read_hearing(&mut tx, id).await?;
        tx.commit().await?;
        Ok(hearing)
    }

    /// Creates the hearing's evaluation survey (the standard questions, open from the
    /// hearing day to `closes_on`, linked to the hearing's activity) and links it, in one
    /// transaction.
    pub async fn create_hearing_evaluation(
        &self,
        hearing: i64,
        closes_on: NaiveDate,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Hearing, hearing).await?;
        let h = read_hearing(&mut tx, hearing).await?;
        // Decided inside the write: two staff members asking at once get one survey.
        if let Some(existing) = h.evaluation {
            tx.rollback().await?;
            return Ok(existing);
        }
        let data = ConsultationData {
            title: format!("Evaluación: {}", h.data.title),
            description: "Cuéntenos cómo le pareció la audiencia: sus respuestas son anónimas y sirven para mejorar la próxima.".into(),
            opens_on: h.data.held_on,
            closes_on,
            activity: h.data.activity,
            kind: participa_domain::participation::ConsultationKind::Survey,
            identification: false,
        };
        let questions = participa_domain::participation::hearing::evaluation_questions();
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::HearingEvaluation,
            plan_id: h.data.activity.map(|(p, _)| p),
            subject: format!("evaluación de la audiencia «{}»", h.data.title),
            before: None,
            after: Some(format!("{} a {}", h.data.held_on, closes_on)),
        };
        let id = insert_consultation(&mut tx, &data, actor, now).await?;
        for q in &questions {
            insert_question(&mut tx, id, q).await?;
        }
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE hearings SET evaluation_id = $1 WHERE id = $2")
                .bind(id)
                .bind(hearing)
                .execute(&mut *conn)
                .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A registration; the name and contact are personal data given with consent. A
    /// taken code is [`StoreError::CodeTaken`].
    pub async fn register_for_hearing(&self, hearing: i64, r: &NewRegistration<'_>) -> Result<i64> {
        let NewRegistration {
            code,
            name,
            email,
            phone,
            value_group,
            consent_purpose,
        } = *r;
        let now = Utc::now();
        let actor = Actor::citizen();
        let change = Change {
            actor: &actor,
            action: AuditAction::HearingRegister,
            plan_id: None,
            subject: format!("inscripción a la audiencia {hearing}"),
            before: None,
            after: Some(format!("grupo de valor {value_group}")),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Hearing, hearing).await?;
        let out = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO hearing_registrations (hearing_id, code, name, email, phone, value_group, consent_purpose, consent_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(hearing)
            .bind(code)
            .bind(name)
            .bind(email)
            .bind(phone)
            .bind(value_group)
            .bind(consent_purpose)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(crate::code_taken)?
            .try_get("id")?;
            sqlx::query(
                "UPDATE hearings SET registration_count = registration_count + 1 WHERE id = $1",
            )
            .bind(hearing)
            .execute(&mut *conn)
            .await?;
            id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The hearing a citizen's question (code `AP-…`) was sent to, if the code is known.
    pub async fn hearing_of_question(&self, code: &str) -> Result<Option<i64>> {
        on_conn!(self.conn().await?, |conn| {
            let row: Option<(i64,)> =
                sqlx::query_as(
                    "SELECT q.hearing_id FROM hearing_questions q JOIN hearings h ON h.id = q.hearing_id \
                     WHERE q.code = $1 AND h.entity_id = $2",
                )
                .bind(code)
                .bind(self.entity)
                    .fetch_optional(&mut *conn)
                    .await?;
            Ok(row.map(|r| r.0))
        })
    }

    /// The registration with this code, erased or not.
    pub async fn registration_by_code(&self, code: &str) -> Result<Option<Registration>> {
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(&format!(
                "{REGISTRATION_COLUMNS} FROM hearing_registrations WHERE code = $1 \
                 AND hearing_id IN (SELECT id FROM hearings WHERE entity_id = $2)"
            ))
            .bind(code)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?;
            row.as_ref().map(registration_of).transpose()
        })
    }

    /// The citizen erases the name and contact of a registration (Ley 1581 de 2012);
    /// the group of value stays for the statistics. False when the code is unknown.
    pub async fn erase_registration(&self, code: &str) -> Result<bool> {
        let now = Utc::now();
        let actor = Actor::citizen();
        let change = Change {
            actor: &actor,
            action: AuditAction::HearingEraseRegistration,
            plan_id: None,
            subject: format!("datos de la inscripción {code}"),
            before: None,
            after: Some("borrados por el ciudadano".into()),
        };
        let mut tx = self.begin().await?;
        let tx_entity = tx.entity;
        let out = on_tx!(&mut tx, |conn| {
            let done = sqlx::query(
                "UPDATE hearing_registrations SET name = '', email = NULL, phone = NULL, \
                 erased_at = COALESCE(erased_at, $1) WHERE code = $2 \
                 AND hearing_id IN (SELECT id FROM hearings WHERE entity_id = $3)",
            )
            .bind(now)
            .bind(code)
            .bind(tx_entity)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            done > 0
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn registrations(&self, hearing: i64) -> Result<Vec<Registration>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&format!(
                "{REGISTRATION_COLUMNS} FROM hearing_registrations WHERE hearing_id = $1 \
                 AND hearing_id IN (SELECT id FROM hearings WHERE entity_id = $2) ORDER BY id"
            ))
            .bind(hearing)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter().map(registration_of).collect()
        })
    }

    /// A question; `asker` only with consent. A taken code is [`StoreError::CodeTaken`].
    pub async fn ask_question(
        &self,
        hearing: i64,
        code: &str,
        text: &str,
        asker: Option<&str>,
    ) -> Result<i64> {
        let now = Utc::now();
        let actor = Actor::citizen();
        let change = Change {
            actor: &actor,
            action: AuditAction::HearingQuestion,
            plan_id: None,
            subject: format!("pregunta {code} de la audiencia {hearing}"),
            before: None,
            after: None,
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Hearing, hearing).await?;
        let out = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO hearing_questions (hearing_id, code, text, asker, consent_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(hearing)
            .bind(code)
            .bind(text)
            .bind(asker)
            .bind(asker.map(|_| now))
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(crate::code_taken)?
            .try_get("id")?;
            sqlx::query("UPDATE hearings SET question_count = question_count + 1 WHERE id = $1")
                .bind(hearing)
                .execute(&mut *conn)
                .await?;
            id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The questions of a hearing, oldest first.
    pub async fn questions(&self, hearing: i64) -> Result<Vec<Question>> {
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(
                "SELECT q.id, q.code, q.text, q.asker, q.created_at, q.answer, q.answered_at, u.full_name \
                 FROM hearing_questions q LEFT JOIN users u ON u.id = q.answered_by \
                 WHERE q.hearing_id = $1 AND q.hearing_id IN (SELECT id FROM hearings WHERE entity_id = $2) \
                 ORDER BY q.id",
            )
            .bind(hearing)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Question {
                        id: r.try_get("id")?,
                        code: r.try_get("code")?,
                        text: r.try_get("text")?,
                        asker: r.try_get("asker")?,
                        at: r.try_get("created_at")?,
                        answer: r.try_get("answer")?,
                        answered_at: r.try_get("answered_at")?,
                        answered_by: r.try_get("full_name")?,
                    })
                })
                .collect()
        })
    }

    /// Writes (or corrects) the answer to a question; the first answer's date counts for
    /// the legal term.
    pub async fn answer_question(
        &self,
        hearing: i64,
        question: i64,
        answer: &str,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::HearingAnswer,
            plan_id: None,
            subject: format!("pregunta {question} de la audiencia {hearing}"),
            before: None,
            after: Some(answer.to_string()),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Hearing, hearing).await?;
        on_tx!(&mut tx, |conn| {
            // Whether this is its first answer: the hearing's answered count moves then.
            let first: bool = sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM hearing_questions \
                 WHERE id = $1 AND hearing_id = $2 AND answered_at IS NULL",
            )
            .bind(question)
            .bind(hearing)
            .fetch_one(&mut *conn)
            .await?;
            let done = sqlx::query(
                "UPDATE hearing_questions SET answer = $1, answered_by = $2, \
                 answered_at = COALESCE(answered_at, $3) WHERE id = $4 AND hearing_id = $5",
            )
            .bind(answer)
            .bind(actor.user_id)
            .bind(now)
            .bind(question)
            .bind(hearing)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::not_found(
                    Entity::Question,
                    format!("{question} de la audiencia {hearing}"),
                ));
            }
            if first {
                sqlx::query(
                    "UPDATE hearings SET answered_count = answered_count + 1 WHERE id = $1",
                )
                .bind(hearing)
                .execute(&mut *conn)
                .await?;
            }
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }
}

/// What registrants are told when their hearing changes day or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescheduleNotice {
    pub subject: String,
    pub body: String,
    /// The hearing's public page.
    pub link: String,
}

/// Tells every registrant of hearing `id` with an e-mail (given with consent, not
/// erased) about its new date, through the outbox in transaction `tx` (delivered by
/// `participa serve`); returns how many.
async fn notify_registrants(
    tx: &mut Tx,
    id: i64,
    notice: &RescheduleNotice,
    now: DateTime<Utc>,
) -> Result<usize> {
    let to: Vec<(String, String)> = on_tx!(tx, |conn| {
        sqlx::query(
            "SELECT name, email FROM hearing_registrations \
             WHERE hearing_id = $1 AND email IS NOT NULL AND email <> '' AND erased_at IS NULL \
             AND consent_at IS NOT NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
        .collect::<Result<Vec<_>>>()?
    });
    if to.is_empty() {
        return Ok(0);
    }
    let told = to.len();
    let notice = Notice::new(
        Recipients::All(
            to.into_iter()
                .map(|(name, email)| Recipients::Address { email, name })
                .collect(),
        ),
        NoticeKind::HearingChanged,
        notice.subject.clone(),
        notice.body.clone(),
        notice.link.clone(),
    );
    crate::notifications::notify(tx, &notice, now).await?;
    Ok(told)
}

/// All hearings, or only `only`, read in transaction `tx`.
async fn read_hearings(tx: &mut Tx, only: Option<i64>) -> Result<Vec<Hearing>> {
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        let rows = sqlx::query(
            "SELECT id, title, held_on, starts_at, place, stream_url, report_url, report_published_on, convocation, \
             plan_id, activity_number, evaluation_id FROM hearings WHERE ($1 IS NULL OR id = $1) \
             AND entity_id = $2 ORDER BY held_on DESC, id DESC",
        )
        .bind(only)
        .bind(entity)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Hearing {
                    id: r.try_get("id")?,
                    data: HearingData {
                        title: r.try_get("title")?,
                        held_on: r.try_get("held_on")?,
                        starts_at: r.try_get("starts_at")?,
                        place: r.try_get("place")?,
                        stream_url: r.try_get("stream_url")?,
                        report_url: r.try_get("report_url")?,
                        report_published_on: r.try_get("report_published_on")?,
                        convocation: r.try_get("convocation")?,
                        activity: r
                            .try_get::<Option<i64>, _>("plan_id")?
                            .zip(r.try_get::<Option<i64>, _>("activity_number")?)
                            .map(|(p, a)| (p, a as u32)),
                    },
                    evaluation: r.try_get("evaluation_id")?,
                })
            })
            .collect()
    })
}

/// One hearing, read in transaction `tx`.
async fn read_hearing(tx: &mut Tx, id: i64) -> Result<Hearing> {
    read_hearings(tx, Some(id))
        .await?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| StoreError::not_found(Entity::Hearing, id))
}
