//! The suggestions campaign: suggestions with their tracking code, optional contact data
//! kept only with consent, staff's triage and answer, and the statistics.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::participation::{
    Category, Consent, ContactData, NewSuggestion, SuggestionStatus, TrackingCode,
};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionRecord {
    pub id: i64,
    pub code: String,
    pub category: Category,
    pub text: String,
    pub status: SuggestionStatus,
    /// None when none was left, or after the citizen erased it.
    pub contact: Option<ContactData>,
    /// The purpose the citizen consented to, and when.
    pub consent: Option<(String, DateTime<Utc>)>,
    pub erased_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
}

const COLUMNS: &str =
    "s.id, s.code, s.category, s.text, s.status, s.contact_name, s.contact_email, \
     s.contact_phone, s.consent_purpose, s.consent_at, s.personal_data_erased_at, s.created_at, \
     s.due_on, s.answer, s.answered_at, u.full_name AS answered_name";

/// Decodes a suggestion row (selected with [`COLUMNS`]) of either backend.
fn suggestion_of<R: Row>(r: &R) -> Result<SuggestionRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<DateTime<Utc>>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> NaiveDate: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let category: String = r.try_get("category")?;
    let status: String = r.try_get("status")?;
    let id: i64 = r.try_get("id")?;
    let name: Option<String> = r.try_get("contact_name")?;
    let email: Option<String> = r.try_get("contact_email")?;
    let phone: Option<String> = r.try_get("contact_phone")?;
    let contact = (name.is_some() || email.is_some() || phone.is_some()).then(|| ContactData {
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
    });
    let purpose: Option<String> = r.try_get("consent_purpose")?;
    let consent_at: Option<DateTime<Utc>> = r.try_get("consent_at")?;
    Ok(SuggestionRecord {
        id,
        code: r.try_get("code")?,
        category: Category::parse(&category).ok_or_else(|| StoreError::CorruptValue {
            id,
            what: format!("categoría «{category}»"),
        })?,
        text: r.try_get("text")?,
        status: SuggestionStatus::parse(&status).ok_or_else(|| StoreError::CorruptValue {
            id,
            what: format!("estado «{status}»"),
        })?,
        contact,
        consent: purpose.zip(consent_at),
        erased_at: r.try_get("personal_data_erased_at")?,
        created_at: r.try_get("created_at")?,
        due_on: r.try_get("due_on")?,
        answer: r.try_get("answer")?,
        answered_at: r.try_get("answered_at")?,
        answered_by: r.try_get("answered_name")?,
    })
}

/// The suggestion `id`, read in transaction `tx`.
async fn read_suggestion(tx: &mut Tx, id: i64) -> Result<Option<SuggestionRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM suggestions s LEFT JOIN users u ON u.id = s.answered_by WHERE s.id = $1 AND s.entity_id = $2"
    );
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        match sqlx::query(&sql)
            .bind(id)
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?
        {
            Some(r) => Ok(Some(suggestion_of(&r)?)),
            None => Ok(None),
        }
    })
}

/// What a filtered list asks for.
#[derive(Debug, Clone, Default)]
pub struct SuggestionFilter {
    pub status: Option<SuggestionStatus>,
    pub category: Option<Category>,
}

impl Store {
    /// Stores a suggestion; a code already taken is [`StoreError::CodeTaken`] (draw another).
    pub async fn create_suggestion(
        &self,
        code: &TrackingCode,
        suggestion: &NewSuggestion,
        contact: Option<(&ContactData, &Consent)>,
        due_on: NaiveDate,
    ) -> Result<i64> {
        let now = Utc::now();
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let actor = Actor::citizen();
        let change = Change {
            actor: &actor,
            action: AuditAction::SuggestionCreate,
            plan_id: None,
            subject: format!("sugerencia {code}"),
            before: None,
            after: Some(format!(
                "{}{}",
                suggestion.category.as_str(),
                if contact.is_some() {
                    " (con datos de contacto autorizados)"
                } else {
                    ""
                }
            )),
        };
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        let id = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO suggestions (code, category, text, status, contact_name, contact_email, contact_phone, \
                 consent_purpose, consent_policy, consent_at, created_at, due_on, updated_at, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $13) RETURNING id",
            )
            .bind(code.as_str())
            .bind(suggestion.category.as_str())
            .bind(&suggestion.text)
            .bind(SuggestionStatus::Received.as_str())
            .bind(contact.and_then(|(c, _)| nonempty(&c.name)))
            .bind(contact.and_then(|(c, _)| nonempty(&c.email)))
            .bind(contact.and_then(|(c, _)| nonempty(&c.phone)))
            .bind(contact.map(|(_, k)| k.purpose.clone()))
            .bind(contact.map(|(_, k)| k.policy.clone()))
            .bind(contact.map(|_| now))
            .bind(now)
            .bind(due_on)
            .bind(entity)
            .fetch_one(&mut *conn)
            .await
            .map_err(crate::code_taken)?
            .try_get::<i64, _>("id")?
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn suggestion_by_code(
        &self,
        code: &TrackingCode,
    ) -> Result<Option<SuggestionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions s LEFT JOIN users u ON u.id = s.answered_by WHERE s.code = $1 AND s.entity_id = $2"
        );
        on_conn!(self.conn().await?, |conn| {
            match sqlx::query(&sql)
                .bind(code.as_str())
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
            {
                Some(r) => Ok(Some(suggestion_of(&r)?)),
                None => Ok(None),
            }
        })
    }

    pub async fn suggestion(&self, id: i64) -> Result<Option<SuggestionRecord>> {
        let mut tx = self.begin_read().await?;
        let found = read_suggestion(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Newest first.
    pub async fn suggestions(&self, filter: &SuggestionFilter) -> Result<Vec<SuggestionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions s LEFT JOIN users u ON u.id = s.answered_by \
             WHERE ($1 IS NULL OR s.status = $1) AND ($2 IS NULL OR s.category = $2) \
             AND s.entity_id = $3 ORDER BY s.id DESC"
        );
        on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&sql)
                .bind(filter.status.map(|s| s.as_str()))
                .bind(filter.category.map(|c| c.as_str()))
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(suggestion_of(r)?);
            }
            Ok(out)
        })
    }

    /// Staff's triage: the new status and the answer (kept when `answer` is None).
    pub async fn update_suggestion(
        &self,
        id: i64,
        status: SuggestionStatus,
        answer: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Suggestion, id).await?;
        let before = read_suggestion(&mut tx, id)
            .await?
            .ok_or(StoreError::not_found(Entity::Suggestion, id))?;
        if status != before.status
            && !participa_domain::participation::suggestions::can_move(before.status, status)
        {
            tx.rollback().await?;
            return Err(StoreError::SuggestionMove {
                from: before.status,
                to: status,
            });
        }
        let now = Utc::now();
        let answered = answer.is_some_and(|a| a != before.answer);
        let change = Change {
            actor,
            action: AuditAction::SuggestionUpdate,
            plan_id: None,
            subject: format!("sugerencia {}", before.code),
            before: Some(format!("{}: {}", before.status.as_str(), before.answer)),
            after: Some(format!(
                "{}: {}",
                status.as_str(),
                answer.unwrap_or(&before.answer)
            )),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE suggestions SET status = $1, answer = $2, updated_at = $3, \
                 answered_at = CASE WHEN $4 THEN $3 ELSE answered_at END, \
                 answered_by = CASE WHEN $4 THEN $5 ELSE answered_by END WHERE id = $6",
            )
            .bind(status.as_str())
            .bind(answer.unwrap_or(&before.answer))
            .bind(now)
            .bind(answered)
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }

    /// Erases the contact data of a suggestion, at the citizen's request (the suggestion
    /// itself stays, anonymous).
    pub async fn erase_suggestion_contact(&self, code: &TrackingCode) -> Result<bool> {
        let now = Utc::now();
        let actor = Actor::citizen();
        let change = Change {
            actor: &actor,
            action: AuditAction::SuggestionErasePersonalData,
            plan_id: None,
            subject: format!("sugerencia {code}"),
            before: None,
            after: Some("datos de contacto borrados a pedido del titular".into()),
        };
        let mut tx = self.begin().await?;
        let tx_entity = tx.entity;
        let out = on_tx!(&mut tx, |conn| {
            let done = sqlx::query(
                "UPDATE suggestions SET contact_name = NULL, contact_email = NULL, contact_phone = NULL, \
                 personal_data_erased_at = $1, updated_at = $1 WHERE code = $2 AND entity_id = $3",
            )
            .bind(now)
            .bind(code.as_str())
            .bind(tx_entity)
            .execute(&mut *conn)
            .await?;
            done.rows_affected() > 0
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }
}
