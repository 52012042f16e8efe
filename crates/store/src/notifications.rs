//! Notifications and their outbox.
//!
//! A workflow step tells the people who must act next by calling [`notify`] inside its
//! own write transaction: one row per recipient, so the notice exists exactly when the
//! step does (a rolled-back step leaves none). Users read theirs in the app; rows whose
//! recipient has an address (and wants mail) wait with `mail_state = 'pending'` until
//! the delivery task of `participa serve` claims them ([`Store::claim_mail`]), sends them
//! and marks them sent ([`Store::mail_sent`]) or schedules a retry with backoff
//! ([`Store::mail_failed`]). A claim is a lease: a server that dies while sending leaves
//! the row to be claimed again when the lease ends, and two servers never hold the same
//! row at once, so after a restart nothing is sent twice except, at worst, the one
//! message whose sending was cut between the mail server's "accepted" and the mark.
//!
//! Personal data in the outbox is kept only as long as it is needed: once a message to
//! someone without an account (a hearing registrant) is sent or given up, its address
//! and text are cleared; a password-recovery message's text (it carries a link that
//! signs in) is cleared once sent.

use crate::tx::{on_tx, Scope, Tx};
use crate::{on_conn, Result, Store};
use chrono::{DateTime, Duration, Utc};
use participa_domain::{OfficeCode, Role};
use sqlx::Row;
use std::collections::BTreeMap;

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    /// One user (when active).
    User(i64),
    /// Every active user with this role.
    Role(Role),
    /// Every active reporter answering for any of these offices.
    Offices(Vec<OfficeCode>),
    /// Someone without an account: e-mail only.
    Address { email: String, name: String },
    /// The union of several (each user once).
    All(Vec<Recipients>),
}

/// What a notice is about: kept with it, to list and to tell the kinds apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    PlanConsolidated,
    PlanReviewed,
    PlanApproved,
    PlanReturned,
    PlanPublished,
    ReportSubmitted,
    ReportReturned,
    ReportAccepted,
    PeriodClosing,
    PeriodClosed,
    ReportOverdue,
    HearingChanged,
    PasswordRecovery,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 13] = [
        NoticeKind::PlanConsolidated,
        NoticeKind::PlanReviewed,
        NoticeKind::PlanApproved,
        NoticeKind::PlanReturned,
        NoticeKind::PlanPublished,
        NoticeKind::ReportSubmitted,
        NoticeKind::ReportReturned,
        NoticeKind::ReportAccepted,
        NoticeKind::PeriodClosing,
        NoticeKind::PeriodClosed,
        NoticeKind::ReportOverdue,
        NoticeKind::HearingChanged,
        NoticeKind::PasswordRecovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::PlanConsolidated => "plan_consolidado",
            NoticeKind::PlanReviewed => "plan_revisado",
            NoticeKind::PlanApproved => "plan_aprobado",
            NoticeKind::PlanReturned => "plan_devuelto",
            NoticeKind::PlanPublished => "plan_publicado",
            NoticeKind::ReportSubmitted => "reporte_enviado",
            NoticeKind::ReportReturned => "reporte_devuelto",
            NoticeKind::ReportAccepted => "reporte_aceptado",
            NoticeKind::PeriodClosing => "periodo_por_cerrar",
            NoticeKind::PeriodClosed => "periodo_cerrado",
            NoticeKind::ReportOverdue => "reporte_vencido",
            NoticeKind::HearingChanged => "audiencia_cambiada",
            NoticeKind::PasswordRecovery => "recuperar_clave",
        }
    }

    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind in words, for the list of notifications.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::PlanConsolidated => "Plan consolidado",
            NoticeKind::PlanReviewed => "Plan revisado",
            NoticeKind::PlanApproved => "Plan aprobado",
            NoticeKind::PlanReturned => "Plan devuelto",
            NoticeKind::PlanPublished => "Plan publicado",
            NoticeKind::ReportSubmitted => "Reporte enviado",
            NoticeKind::ReportReturned => "Reporte devuelto",
            NoticeKind::ReportAccepted => "Reporte aceptado",
            NoticeKind::PeriodClosing => "Corte próximo",
            NoticeKind::PeriodClosed => "Periodo cerrado",
            NoticeKind::ReportOverdue => "Reportes vencidos",
            NoticeKind::HearingChanged => "Audiencia modificada",
            NoticeKind::PasswordRecovery => "Recuperación de contraseña",
        }
    }

    /// The kind whose text is cleared once sent: it carries a link that signs in, which
    /// must not outlive its delivery.
    const SECRET: NoticeKind = NoticeKind::PasswordRecovery;
}

/// A notice to write.
#[derive(Debug, Clone)]
pub struct Notice {
    pub to: Recipients,
    pub kind: NoticeKind,
    pub subject: String,
    /// Plain text; the e-mail adds the link (made absolute) below it.
    pub body: String,
    /// A path on this site (`/admin/…`), where the recipient acts.
    pub link: String,
    /// Written at most once per recipient with this key (reminders), whichever server
    /// or restart writes it again.
    pub once: Option<String>,
}

impl Notice {
    pub fn new(
        to: Recipients,
        kind: NoticeKind,
        subject: impl Into<String>,
        body: impl Into<String>,
        link: impl Into<String>,
    ) -> Notice {
        Notice {
            to,
            kind,
            subject: subject.into(),
            body: body.into(),
            link: link.into(),
            once: None,
        }
    }
}

/// One user's notification, as the app lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: i64,
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// none, pending, sent, failed or expired.
    pub mail_state: String,
}

/// An e-mail claimed for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMail {
    pub id: i64,
    pub token: String,
    pub to: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    /// The entity it is sent for (its name signs it, its address starts the link).
    pub entity: i64,
}

/// How the outbox retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each one, up to `max_wait`.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// After this many failed attempts the message is given up (`failed`).
    pub max_attempts: i64,
    /// How long a claim lasts: a server that stops while sending leaves the message to
    /// another after this.
    pub lease: Duration,
    /// A message still unsent this long after it was written is not sent any more
    /// (`expired`): a reminder of last month is noise.
    pub expire_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_wait: Duration::seconds(30),
            max_wait: Duration::hours(1),
            max_attempts: 12,
            lease: Duration::minutes(2),
            expire_after: Duration::days(7),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`, after `attempts` failures.
    pub fn wait_after(&self, attempts: i64) -> Duration {
        let doublings = (attempts.max(1) - 1).min(30) as u32;
        let wait = self
            .first_wait
            .checked_mul(2_i32.saturating_pow(doublings))
            .unwrap_or(self.max_wait);
        wait.min(self.max_wait)
    }
}

/// A recipient resolved: a user (maybe with an address) or an address alone.
struct Resolved {
    user_id: Option<i64>,
    mail: Option<(String, String)>,
}

struct UserRow {
    id: i64,
    full_name: String,
    role: String,
    email: Option<String>,
    wants_mail: bool,
}

async fn active_users(tx: &mut Tx) -> Result<(Vec<UserRow>, Vec<(i64, String)>)> {
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        let users = sqlx::query(
            "SELECT id, full_name, role, email, email_notifications FROM users \
             WHERE active AND entity_id = $1 ORDER BY id",
        )
        .bind(entity)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| -> Result<UserRow> {
            Ok(UserRow {
                id: r.try_get("id")?,
                full_name: r.try_get("full_name")?,
                role: r.try_get("role")?,
                email: r.try_get("email")?,
                wants_mail: r.try_get("email_notifications")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let offices = sqlx::query(
            "SELECT o.user_id, o.office_code FROM user_offices o JOIN users u ON u.id = o.user_id \
             WHERE u.entity_id = $1",
        )
        .bind(entity)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| -> Result<(i64, String)> {
            Ok((r.try_get("user_id")?, r.try_get("office_code")?))
        })
        .collect::<Result<Vec<_>>>()?;
        Ok((users, offices))
    })
}

fn collect(
    to: &Recipients,
    users: &[UserRow],
    offices: &[(i64, String)],
    into: &mut BTreeMap<i64, ()>,
    addresses: &mut Vec<(String, String)>,
) {
    match to {
        Recipients::User(id) => {
            if users.iter().any(|u| u.id == *id) {
                into.insert(*id, ());
            }
        }
        Recipients::Role(role) => {
            for u in users.iter().filter(|u| u.role == role.as_str()) {
                into.insert(u.id, ());
            }
        }
        Recipients::Offices(codes) => {
            for u in users.iter().filter(|u| u.role == Role::Reporter.as_str()) {
                let answers = offices
                    .iter()
                    .any(|(uid, code)| *uid == u.id && codes.iter().any(|c| c.as_str() == code));
                if answers {
                    into.insert(u.id, ());
                }
            }
        }
        Recipients::Address { email, name } => {
            let email = email.trim();
            if !email.is_empty() && !addresses.iter().any(|(e, _)| e == email) {
                addresses.push((email.to_string(), name.clone()));
            }
        }
        Recipients::All(all) => {
            for r in all {
                collect(r, users, offices, into, addresses);
            }
        }
    }
}

/// The name of who acts, for the text of a notice: the user's full name, else the
/// account's name («sistema» for the command line).
pub(crate) async fn actor_name(tx: &mut Tx, actor: &crate::Actor) -> Result<String> {
    let Some(id) = actor.user_id else {
        return Ok(actor.username.clone());
    };
    on_tx!(tx, |conn| {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT full_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_else(|| actor.username.clone()),
        )
    })
}

/// The plan's title, for the text of a notice about it.
pub(crate) async fn plan_title(tx: &mut Tx, pid: i64) -> Result<String> {
    on_tx!(tx, |conn| {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT title FROM plans WHERE id = $1")
                .bind(pid)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_else(|| format!("plan {pid}")),
        )
    })
}

/// The offices responsible for an activity of the plan (all the plan's offices when
/// `activity` is None).
pub(crate) async fn offices_of(
    tx: &mut Tx,
    pid: i64,
    activity: Option<u32>,
) -> Result<Vec<OfficeCode>> {
    let codes: Vec<String> = on_tx!(tx, |conn| match activity {
        Some(n) => {
            sqlx::query_scalar(
                "SELECT office_code FROM activity_offices WHERE plan_id = $1 AND activity_number = $2 ORDER BY position",
            )
            .bind(pid)
            .bind(i64::from(n))
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_scalar("SELECT code FROM plan_offices WHERE plan_id = $1 ORDER BY code")
                .bind(pid)
                .fetch_all(&mut *conn)
                .await?
        }
    });
    Ok(codes
        .iter()
        .filter_map(|c| OfficeCode::parse(c).ok())
        .collect())
}

/// Writes `notice` for each of its recipients, in the caller's transaction. Returns how
/// many rows were written (a recipient already holding the same `once` key gets none).
pub(crate) async fn notify(tx: &mut Tx, notice: &Notice, now: DateTime<Utc>) -> Result<usize> {
    let (users, offices) = active_users(tx).await?;
    let mut chosen = BTreeMap::new();
    let mut addresses = Vec::new();
    collect(&notice.to, &users, &offices, &mut chosen, &mut addresses);
    let mut resolved: Vec<Resolved> = chosen
        .keys()
        .filter_map(|id| users.iter().find(|u| u.id == *id))
        .map(|u| Resolved {
            user_id: Some(u.id),
            mail: u
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| u.wants_mail && !e.is_empty())
                .map(|e| (e.to_string(), u.full_name.clone())),
        })
        .collect();
    resolved.extend(addresses.into_iter().map(|a| Resolved {
        user_id: None,
        mail: Some(a),
    }));
    let mut written = 0;
    for r in resolved {
        let once = notice.once.as_ref().map(|k| match (&r.user_id, &r.mail) {
            (Some(id), _) => format!("{k}|u{id}"),
            (None, Some((email, _))) => format!("{k}|{email}"),
            (None, None) => k.clone(),
        });
        let (state, to, name, next) = match &r.mail {
            Some((email, name)) => (
                "pending",
                Some(email.clone()),
                Some(name.clone()),
                Some(now),
            ),
            None => ("none", None, None, None),
        };
        let entity = tx.entity;
        let n = on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, subject, body, link, created_at, mail_state, \
                 mail_to, mail_name, next_attempt_at, once_key, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (once_key) DO NOTHING",
            )
            .bind(r.user_id)
            .bind(notice.kind.as_str())
            .bind(&notice.subject)
            .bind(&notice.body)
            .bind(&notice.link)
            .bind(now)
            .bind(state)
            .bind(to)
            .bind(name)
            .bind(next)
            .bind(once)
            .bind(entity)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        written += n as usize;
    }
    Ok(written)
}

/// Decodes a notification row of either backend.
fn notification_of<R: Row>(r: &R) -> Result<NotificationRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<DateTime<Utc>>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get("kind")?;
    let id: i64 = r.try_get("id")?;
    Ok(NotificationRecord {
        id,
        kind: NoticeKind::parse(&kind).ok_or_else(|| crate::StoreError::CorruptValue {
            id,
            what: format!("tipo de notificación «{kind}»"),
        })?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        mail_state: r.try_get("mail_state")?,
    })
}

impl Store {
    /// Writes a notice in a transaction of its own (for work that is not a step of its
    /// own, such as the reminders). Returns how many rows were written.
    pub async fn notify(&self, notice: &Notice) -> Result<usize> {
        let mut tx = self.begin().await?;
        let n = notify(&mut tx, notice, Utc::now()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A user's notifications, newest first, at most `limit`.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRecord>> {
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT id, kind, subject, body, link, created_at, read_at, mail_state FROM notifications \
                 WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            )
            .bind(user_id)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(notification_of)
            .collect()
        })
    }

    /// How many of a user's notifications are unread.
    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64> {
        on_conn!(self.conn().await?, |conn| {
            Ok(sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// Marks one of the user's notifications read and returns its link; another
    /// user's is not found, like one that does not exist.
    pub async fn open_notification(&self, user_id: i64, id: i64) -> Result<String> {
        let now = Utc::now();
        let link = on_conn!(self.conn().await?, |conn| {
            sqlx::query_scalar::<_, String>(
                "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3 \
                 AND user_id IN (SELECT id FROM users WHERE entity_id = $4) RETURNING link",
            )
            .bind(now)
            .bind(id)
            .bind(user_id)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?
        });
        link.ok_or_else(|| crate::StoreError::NotFound {
            entity: crate::Entity::Notification,
            id: id.to_string(),
        })
    }

    /// Marks every notification of the user read; returns how many were unread.
    pub async fn read_all_notifications(&self, user_id: i64) -> Result<u64> {
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            Ok(sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected())
        })
    }

    /// Whether the user wants notifications by e-mail too.
    pub async fn wants_email(&self, user_id: i64) -> Result<bool> {
        on_conn!(self.conn().await?, |conn| {
            Ok(
                sqlx::query_scalar::<_, bool>(
                    "SELECT email_notifications FROM users WHERE id = $1",
                )
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or(false),
            )
        })
    }

    /// Turns the user's e-mail notifications on or off (what is already waiting to be
    /// sent is not sent either when turned off).
    pub async fn set_wants_email(&self, user_id: i64, on: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE users SET email_notifications = $1 WHERE id = $2")
                .bind(on)
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            if !on {
                sqlx::query(
                    "UPDATE notifications SET mail_state = 'none', mail_to = NULL, mail_name = NULL \
                     WHERE user_id = $1 AND mail_state = 'pending'",
                )
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            }
        });
        tx.commit().await
    }

    /// Claims up to `limit` e-mails due at `now` for `policy.lease`; messages older than
    /// `policy.expire_after` are given up instead.
    pub async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        policy: &RetryPolicy,
        limit: i64,
    ) -> Result<Vec<OutgoingMail>> {
        let token = crate::random_token()?;
        let until = now + policy.lease;
        let stale = now - policy.expire_after;
        // The outbox serves the whole deployment.
        let mut tx = self.begin_for(Scope::All).await?;
        let claimed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE notifications SET mail_state = 'expired', mail_to = CASE WHEN user_id IS NULL \
                 THEN NULL ELSE mail_to END, body = CASE WHEN user_id IS NULL THEN '' ELSE body END \
                 WHERE mail_state = 'pending' AND created_at < $1 \
                 AND (claimed_until IS NULL OR claimed_until < $2)",
            )
            .bind(stale)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            // The outer conditions repeat the inner ones: on PostgreSQL a row another
            // server claimed meanwhile is re-checked against them and skipped.
            sqlx::query(
                "UPDATE notifications SET claimed_until = $1, claim_token = $2 WHERE id IN ( \
                   SELECT id FROM notifications WHERE mail_state = 'pending' AND next_attempt_at <= $3 \
                   AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY id LIMIT $4) \
                 AND mail_state = 'pending' AND (claimed_until IS NULL OR claimed_until < $3)",
            )
            .bind(until)
            .bind(&token)
            .bind(now)
            .bind(limit)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "SELECT id, mail_to, mail_name, subject, body, link, created_at, attempts, entity_id FROM notifications \
                 WHERE claim_token = $1 AND claimed_until = $2 ORDER BY id",
            )
            .bind(&token)
            .bind(until)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| -> Result<OutgoingMail> {
                Ok(OutgoingMail {
                    id: r.try_get("id")?,
                    token: token.clone(),
                    to: r.try_get::<Option<String>, _>("mail_to")?.unwrap_or_default(),
                    name: r.try_get::<Option<String>, _>("mail_name")?.unwrap_or_default(),
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                    link: r.try_get("link")?,
                    created_at: r.try_get("created_at")?,
                    attempts: r.try_get("attempts")?,
                    entity: r.try_get("entity_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?
        });
        tx.commit().await?;
        Ok(claimed)
    }

    /// Marks a claimed e-mail sent (a claim that expired and passed to another server is
    /// left alone). Returns whether this claim still held it.
    pub async fn mail_sent(&self, mail: &OutgoingMail, now: DateTime<Utc>) -> Result<bool> {
        on_conn!(
            self.conn_for(Scope::Entities(&[mail.entity])).await?,
            |conn| {
                Ok(sqlx::query(
                "UPDATE notifications SET mail_state = 'sent', sent_at = $1, claimed_until = NULL, \
                 claim_token = NULL, last_error = NULL, \
                 mail_to = CASE WHEN user_id IS NULL THEN NULL ELSE mail_to END, \
                 mail_name = CASE WHEN user_id IS NULL THEN NULL ELSE mail_name END, \
                 body = CASE WHEN user_id IS NULL OR kind = $4 THEN '' ELSE body END \
                 WHERE id = $2 AND claim_token = $3 AND mail_state = 'pending'",
            )
            .bind(now)
            .bind(mail.id)
            .bind(&mail.token)
            .bind(NoticeKind::SECRET.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected()
                == 1)
            }
        )
    }

    /// Records a failed attempt: the message is retried after the policy's wait, or
    /// given up after its last attempt. Returns when it will be tried again.
    pub async fn mail_failed(
        &self,
        mail: &OutgoingMail,
        error: &str,
        now: DateTime<Utc>,
        policy: &RetryPolicy,
    ) -> Result<Option<DateTime<Utc>>> {
        let attempts = mail.attempts + 1;
        let give_up = attempts >= policy.max_attempts;
        let next = now + policy.wait_after(attempts);
        let error: String = error.chars().take(500).collect();
        on_conn!(
            self.conn_for(Scope::Entities(&[mail.entity])).await?,
            |conn| {
                sqlx::query(
                "UPDATE notifications SET attempts = $1, last_error = $2, claimed_until = NULL, claim_token = NULL, \
                 mail_state = CASE WHEN $3 THEN 'failed' ELSE 'pending' END, next_attempt_at = $4, \
                 mail_to = CASE WHEN $3 AND user_id IS NULL THEN NULL ELSE mail_to END, \
                 body = CASE WHEN $3 AND user_id IS NULL THEN '' ELSE body END \
                 WHERE id = $5 AND claim_token = $6 AND mail_state = 'pending'",
            )
            .bind(attempts)
            .bind(&error)
            .bind(give_up)
            .bind(next)
            .bind(mail.id)
            .bind(&mail.token)
            .execute(&mut *conn)
            .await?;
            }
        );
        Ok((!give_up).then_some(next))
    }

    /// The e-mail state of every notification, oldest first: (id, kind, mail state,
    /// attempts), for the outbox's tests and a health check.
    /// How many e-mails of every entity wait to be sent (the operators' metrics).
    pub async fn outbox_pending(&self) -> Result<i64> {
        on_conn!(self.conn_for(Scope::All).await?, |conn| {
            Ok(sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM notifications WHERE mail_state = 'pending'",
            )
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    pub async fn outbox_states(&self) -> Result<Vec<(i64, String, String, i64)>> {
        on_conn!(self.conn_for(Scope::All).await?, |conn| {
            sqlx::query("SELECT id, kind, mail_state, attempts FROM notifications ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| {
                    Ok((
                        r.try_get("id")?,
                        r.try_get("kind")?,
                        r.try_get("mail_state")?,
                        r.try_get("attempts")?,
                    ))
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_its_maximum() {
        let p = RetryPolicy {
            first_wait: Duration::seconds(30),
            max_wait: Duration::minutes(10),
            ..RetryPolicy::default()
        };
        assert_eq!(p.wait_after(1), Duration::seconds(30));
        assert_eq!(p.wait_after(2), Duration::seconds(60));
        assert_eq!(p.wait_after(3), Duration::seconds(120));
        assert_eq!(p.wait_after(6), Duration::minutes(10));
        assert_eq!(p.wait_after(500), Duration::minutes(10));
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(NoticeKind::parse("otro"), None);
    }
}
