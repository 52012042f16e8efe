//! Survey responses: written in batches (one transaction for many citizens' answers,
//! what the group-commit writer hands in), with the counts the results pages read kept
//! up to date in the same transaction, so that reading results never grows with the
//! answers.

use crate::entities::Owned;
use crate::tx::{on_tx, Tx};
use crate::{on_conn, Result, Store, StoreError};
use chrono::Utc;
use participa_domain::participation::identity::Document;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// One citizen's checked answers to a survey, owned, so that it can wait in the
/// group-commit queue: the values per question number, and the identity document with
/// the consent's purpose when the survey asks for one.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub consultation: i64,
    pub answers: BTreeMap<u32, Vec<String>>,
    pub identification: Option<(Document, String)>,
}

/// Per question number: how many responses answered it, and how many gave each value.
pub type AnswerCounts = BTreeMap<u32, (usize, BTreeMap<String, usize>)>;

/// Rows per multi-row statement: 3 or 4 bound values each, well inside both databases'
/// limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

/// What a batch needs to know of each consultation it answers, read once per batch.
struct Answering {
    /// Free-text questions: answered, but their values are not tallied.
    open: BTreeSet<u32>,
    /// The consultation's identity key, when a response in the batch carries a document.
    key: Option<String>,
}

/// What one batch adds to the counts.
#[derive(Default)]
struct Tallies {
    responses: BTreeMap<i64, i64>,
    answered: BTreeMap<(i64, u32), i64>,
    values: BTreeMap<(i64, u32, String), i64>,
}

impl Tallies {
    fn add(&mut self, r: &NewResponse, open: &BTreeSet<u32>) {
        *self.responses.entry(r.consultation).or_default() += 1;
        for (q, values) in &r.answers {
            if values.is_empty() {
                continue;
            }
            *self.answered.entry((r.consultation, *q)).or_default() += 1;
            if open.contains(q) {
                continue;
            }
            for v in values {
                *self
                    .values
                    .entry((r.consultation, *q, v.clone()))
                    .or_default() += 1;
            }
        }
    }
}

impl Store {
    /// Stores one checked response (see [`Store::add_responses`]). With an
    /// identification, a second response of the same person is refused with
    /// [`StoreError::AlreadyAnswered`].
    pub async fn add_response(
        &self,
        consultation: i64,
        answers: &BTreeMap<u32, Vec<String>>,
        identification: Option<crate::Identification<'_>>,
    ) -> Result<i64> {
        let one = NewResponse {
            consultation,
            answers: answers.clone(),
            identification: identification.map(|i| (i.document.clone(), i.purpose.to_string())),
        };
        self.add_one(&one).await
    }

    /// One response in a transaction of its own.
    async fn add_one(&self, one: &NewResponse) -> Result<i64> {
        self.try_add_responses(std::slice::from_ref(one))
            .await?
            .pop()
            .unwrap_or_else(|| {
                Err(StoreError::not_found(
                    crate::Entity::Consultation,
                    one.consultation,
                ))
            })
    }

    /// Stores checked responses of this store's entity in one transaction, with the
    /// counts they add, and answers for each one in order: its id, or why it was
    /// refused (the consultation is not this entity's; the person already answered; no
    /// identity key). No audit entry per citizen answer: the response itself is the
    /// record. When the transaction as a whole fails, each response is tried again on
    /// its own, so that one cannot make the others fail.
    pub async fn add_responses(&self, batch: &[NewResponse]) -> Vec<Result<i64>> {
        match self.try_add_responses(batch).await {
            Ok(out) => out,
            Err(e) if batch.len() == 1 => vec![Err(e)],
            Err(_) => {
                let mut out = Vec::with_capacity(batch.len());
                for one in batch {
                    out.push(self.add_one(one).await);
                }
                out
            }
        }
    }

    async fn try_add_responses(&self, batch: &[NewResponse]) -> Result<Vec<Result<i64>>> {
        let _turn = self.sqlite_write_turn().await;
        let now = Utc::now();
        // Read inside the write transaction, which on SQLite begins IMMEDIATE (see
        // `Store::begin`).
        let mut tx = self.begin().await?;
        let mut known: BTreeMap<i64, Option<Answering>> = BTreeMap::new();
        for r in batch {
            let identified = r.identification.is_some();
            match known.get(&r.consultation) {
                Some(Some(a)) if a.key.is_some() || !identified => continue,
                Some(None) => continue,
                _ => {}
            }
            let answering = answering(&mut tx, self, r.consultation, identified).await?;
            known.insert(r.consultation, answering);
        }
        let secret = self.identity.as_ref();
        // Each response's outcome: decided now (refused), or the row it will be.
        let mut out: Vec<Option<Result<i64>>> = Vec::with_capacity(batch.len());
        let mut rows: Vec<(usize, Option<String>, Option<&str>)> = Vec::with_capacity(batch.len());
        for (i, r) in batch.iter().enumerate() {
            let Some(Some(answering)) = known.get(&r.consultation) else {
                out.push(Some(Err(StoreError::not_found(
                    crate::Entity::Consultation,
                    r.consultation,
                ))));
                continue;
            };
            let (identity, purpose) = match (&r.identification, secret, &answering.key) {
                (None, _, _) => (None, None),
                (Some(_), None, _) => {
                    out.push(Some(Err(StoreError::IdentitySecretMissing)));
                    continue;
                }
                (Some((document, purpose)), Some(secret), Some(key)) => {
                    (Some(secret.digest(key, document)), Some(purpose.as_str()))
                }
                (Some(_), Some(_), None) => {
                    return Err(StoreError::CorruptValue {
                        id: r.consultation,
                        what: "clave de identidad no leída".into(),
                    })
                }
            };
            out.push(None);
            rows.push((i, identity, purpose));
        }
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(out.into_iter().flatten().collect());
        }
        // The rows' ids, taken before they are written, so that the whole batch goes in
        // one statement whatever the database returns first.
        let ids = allocate_ids(&mut tx, rows.len()).await?;
        // A second response of the same person conflicts with the unique index and is
        // skipped, without aborting the transaction: its id is not returned.
        let mut inserted: std::collections::HashSet<i64> = std::collections::HashSet::new();
        for chunk in rows
            .iter()
            .zip(&ids)
            .collect::<Vec<_>>()
            .chunks(ROWS_PER_STATEMENT / 2)
        {
            let returned: Vec<i64> = on_tx!(&mut tx, |conn| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO consultation_responses (id, consultation_id, created_at, identity, consent_purpose, consent_at) ",
                );
                q.push_values(chunk, |mut b, ((i, identity, purpose), id)| {
                    b.push_bind(**id)
                        .push_bind(batch[*i].consultation)
                        .push_bind(now)
                        .push_bind(identity.clone())
                        .push_bind(purpose.map(str::to_string))
                        .push_bind(purpose.map(|_| now));
                });
                q.push(" ON CONFLICT DO NOTHING RETURNING id");
                q.build()
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|row| row.try_get::<i64, _>("id"))
                    .collect::<std::result::Result<_, _>>()?
            });
            inserted.extend(returned);
        }
        let mut stored: Vec<(i64, &NewResponse)> = Vec::with_capacity(rows.len());
        let mut tallies = Tallies::default();
        for ((i, _, _), id) in rows.iter().zip(&ids) {
            let r = &batch[*i];
            out[*i] = Some(if inserted.contains(id) {
                if let Some(Some(answering)) = known.get(&r.consultation) {
                    tallies.add(r, &answering.open);
                }
                stored.push((*id, r));
                Ok(*id)
            } else {
                Err(StoreError::AlreadyAnswered)
            });
        }
        let out: Vec<Result<i64>> = out.into_iter().flatten().collect();
        if stored.is_empty() {
            tx.rollback().await?;
            return Ok(out);
        }
        insert_answers(&mut tx, &stored).await?;
        add_tallies(&mut tx, &tallies).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The counts of a consultation's answers, read from the tallies its responses keep
    /// (two queries whose size is the questions and their options, however many
    /// responses): per question, how many responses answered it and how many gave each
    /// value. Free-text questions have only their count.
    pub async fn answer_counts(&self, consultation: i64) -> Result<AnswerCounts> {
        self.owns(Owned::Consultation, consultation).await?;
        on_conn!(self.conn().await?, |conn| {
            let mut out = AnswerCounts::new();
            let answered = sqlx::query(
                "SELECT question, n FROM consultation_answered WHERE consultation_id = $1",
            )
            .bind(consultation)
            .fetch_all(&mut *conn)
            .await?;
            for r in &answered {
                let q = r.try_get::<i64, _>("question")? as u32;
                out.entry(q).or_default().0 = r.try_get::<i64, _>("n")? as usize;
            }
            let values = sqlx::query(
                "SELECT question, value, n FROM consultation_tallies WHERE consultation_id = $1",
            )
            .bind(consultation)
            .fetch_all(&mut *conn)
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
}

/// Whether `consultation` is the store's entity's (None when not), its free-text
/// questions, and with `identified` its identity key (re-keyed first if it is still in
/// the old scheme, so that digests compare).
async fn answering(
    tx: &mut Tx,
    store: &Store,
    consultation: i64,
    identified: bool,
) -> Result<Option<Answering>> {
    match tx.owns(Owned::Consultation, consultation).await {
        Ok(()) => {}
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    let open: BTreeSet<u32> = on_tx!(tx, |conn| {
        sqlx::query(
            "SELECT number FROM consultation_questions WHERE consultation_id = $1 AND kind = 'texto'",
        )
        .bind(consultation)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("number").map(|n| n as u32))
        .collect::<std::result::Result<_, _>>()?
    });
    let key = match (identified, store.identity.as_ref()) {
        (true, Some(secret)) => {
            crate::identity::rekey_consultation(tx, secret, consultation).await?;
            Some(on_tx!(tx, |conn| {
                sqlx::query("SELECT identity_key FROM consultations WHERE id = $1")
                    .bind(consultation)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get::<String, _>("identity_key")?
            }))
        }
        _ => None,
    };
    Ok(Some(Answering { open, key }))
}

/// `n` new ids for consultation responses, in one statement: past the largest on
/// SQLite (whose one writer is this transaction), from the column's sequence on
/// PostgreSQL.
async fn allocate_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>> {
    Ok(match &mut tx.conn {
        crate::tx::TxConn::Sqlite(t) => {
            let max: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM consultation_responses")
                    .fetch_one(&mut **t)
                    .await?;
            (1..=n as i64).map(|k| max + k).collect()
        }
        crate::tx::TxConn::Postgres(t) => {
            sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('consultation_responses', 'id')) \
                 FROM generate_series(1, $1)",
            )
            .bind(n as i64)
            .fetch_all(&mut **t)
            .await?
        }
    })
}

/// Every value of the stored responses, in multi-row statements.
async fn insert_answers(tx: &mut Tx, stored: &[(i64, &NewResponse)]) -> Result<()> {
    let rows: Vec<(i64, i64, &str)> = stored
        .iter()
        .flat_map(|(id, r)| {
            r.answers.iter().flat_map(move |(q, values)| {
                values.iter().map(move |v| (*id, i64::from(*q), v.as_str()))
            })
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO consultation_answers (response_id, question, value) ",
            );
            q.push_values(chunk, |mut b, (id, question, value)| {
                b.push_bind(*id).push_bind(*question).push_bind(*value);
            });
            q.build().execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// Adds a batch's counts to the stored ones: one upsert per table and chunk, each key
/// once (the batch's counts are summed first).
async fn add_tallies(tx: &mut Tx, t: &Tallies) -> Result<()> {
    for (id, n) in &t.responses {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE consultations SET response_count = response_count + $1 WHERE id = $2",
            )
            .bind(*n)
            .bind(*id)
            .execute(&mut *conn)
            .await?;
        });
    }
    let answered: Vec<_> = t.answered.iter().collect();
    for chunk in answered.chunks(ROWS_PER_STATEMENT) {
        on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO consultation_answered (consultation_id, question, n) ",
            );
            q.push_values(chunk, |mut b, ((id, question), n)| {
                b.push_bind(*id)
                    .push_bind(i64::from(*question))
                    .push_bind(**n);
            });
            q.push(
                " ON CONFLICT (consultation_id, question) \
                 DO UPDATE SET n = consultation_answered.n + excluded.n",
            );
            q.build().execute(&mut *conn).await?;
        });
    }
    let values: Vec<_> = t.values.iter().collect();
    for chunk in values.chunks(ROWS_PER_STATEMENT) {
        on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO consultation_tallies (consultation_id, question, value, n) ",
            );
            q.push_values(chunk, |mut b, ((id, question, value), n)| {
                b.push_bind(*id)
                    .push_bind(i64::from(*question))
                    .push_bind(value.as_str())
                    .push_bind(**n);
            });
            q.push(
                " ON CONFLICT (consultation_id, question, value) \
                 DO UPDATE SET n = consultation_tallies.n + excluded.n",
            );
            q.build().execute(&mut *conn).await?;
        });
    }
    Ok(())
}
