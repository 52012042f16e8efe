//! Password-recovery links: a random token sent by e-mail, of which only the SHA-256 is
//! kept, that sets a new password once and for a short time.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::notifications::{notify, Notice, NoticeKind, Recipients};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::{DateTime, Duration, Utc};
use participa_domain::account::{link_state, LinkState};
use participa_domain::PasswordOrigin;
use sqlx::Row;

/// An active account with an e-mail, that a recovery link can be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAccount {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
}

/// The e-mail that carries a recovery link (its `body` holds the link, absolute). It
/// goes through the outbox to the address alone, never to the user's in-app
/// notifications, and as a [`NoticeKind::PasswordRecovery`], whose text the outbox
/// erases once it is sent (or given up): the link does not outlive its delivery in the
/// database, and the notice's own link field stays empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryMail {
    pub to: String,
    pub name: String,
    pub subject: String,
    pub body: String,
}

/// What a recovery link is, looked up by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryLink {
    pub user_id: i64,
    pub username: String,
    pub state: LinkState,
}

/// What using a recovery link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The new password is set (for this user id and name); every session ended.
    Done { user_id: i64, username: String },
    /// The link was used already, or its time ran out: nothing changed.
    Refused(LinkState),
    /// No link has this token (never issued, or forgotten long after it expired).
    Unknown,
}

/// How long a spent link is kept, to say «ya se usó» or «venció» rather than «no es
/// válido» to someone who clicks it again.
const KEPT_AFTER_EXPIRY: i64 = 7;

/// SHA-256 of a recovery token, as hex: what the database keeps instead of the token.
fn digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::hex(&Sha256::digest(token.as_bytes()))
}

impl Store {
    /// The active accounts with an e-mail that `who` names: the user name, or the
    /// e-mail address, in any case (an address several accounts share names them all).
    pub async fn recovery_accounts(&self, who: &str) -> Result<Vec<RecoveryAccount>> {
        let who = who.trim().to_lowercase();
        if who.is_empty() {
            return Ok(Vec::new());
        }
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT id, username, full_name, email FROM users \
                 WHERE active AND email IS NOT NULL AND email <> '' \
                 AND (username = $1 OR LOWER(email) = $1) AND entity_id = $2 ORDER BY id",
            )
            .bind(&who)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(RecoveryAccount {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    full_name: r.try_get("full_name")?,
                    email: r.try_get("email")?,
                })
            })
            .collect()
        })
    }

    /// Keeps a new recovery link for `user` (by its token's digest), working until
    /// `expires_at`, and queues `mail` (which carries the link), with its audit entry, in
    /// one transaction; links that expired long ago are forgotten. Earlier links of the
    /// user keep working until they expire, so a stranger asking again and again cannot
    /// take away the one the user is about to use.
    pub async fn issue_recovery(
        &self,
        user: i64,
        token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        mail: &RecoveryMail,
        change: &Change<'_>,
    ) -> Result<()> {
        let token_digest = digest(token);
        let forget_before = now - Duration::days(KEPT_AFTER_EXPIRY);
        let mut tx = self.begin().await?;
        tx.owns(crate::entities::Owned::User, user).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM password_recoveries WHERE expires_at < $1")
                .bind(forget_before)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO password_recoveries (token_digest, user_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&token_digest)
            .bind(user)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        let notice = Notice::new(
            Recipients::Address {
                email: mail.to.clone(),
                name: mail.name.clone(),
            },
            NoticeKind::PasswordRecovery,
            mail.subject.clone(),
            mail.body.clone(),
            "",
        );
        notify(&mut tx, &notice, now).await?;
        record(&mut tx, change, now).await?;
        tx.commit().await
    }

    /// The link `token` opens, and what it is worth at `now`.
    pub async fn recovery_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RecoveryLink>> {
        let token_digest = digest(token);
        on_conn!(self.conn().await?, |conn| {
            let Some(r) = sqlx::query(
                "SELECT r.user_id, u.username, u.active, r.expires_at, r.used_at \
                 FROM password_recoveries r JOIN users u ON u.id = r.user_id \
                 WHERE r.token_digest = $1 AND u.entity_id = $2",
            )
            .bind(&token_digest)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            let active: bool = r.try_get("active")?;
            let used: Option<DateTime<Utc>> = r.try_get("used_at")?;
            let state = if active {
                link_state(r.try_get("expires_at")?, used, now)
            } else {
                // Deactivation voids the links (see `update_user`); an account switched
                // off meanwhile is refused as a used link is.
                LinkState::Used
            };
            Ok(Some(RecoveryLink {
                user_id: r.try_get("user_id")?,
                username: r.try_get("username")?,
                state,
            }))
        })
    }

    /// Uses the link `token` at `now` to set the password hash `password_hash`, in one
    /// transaction: the link is spent by the same statement that checks it (so two
    /// requests with one link cannot both succeed), the password is set as the user's
    /// own choice, every session of the user ends, the user's other links stop working,
    /// and the audit entry names the user and `address`.
    pub async fn recover_password(
        &self,
        token: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        address: Option<String>,
    ) -> Result<Recovery> {
        let token_digest = digest(token);
        let mut tx = self.begin().await?;
        let tx_entity = tx.entity;
        let spent: Option<(i64, String)> = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE password_recoveries SET used_at = $2 \
                 WHERE token_digest = $1 AND used_at IS NULL AND expires_at >= $2 \
                 AND user_id IN (SELECT id FROM users WHERE active AND entity_id = $3) \
                 RETURNING user_id, (SELECT username FROM users WHERE id = password_recoveries.user_id) AS username",
            )
            .bind(&token_digest)
            .bind(now)
            .bind(tx_entity)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| -> Result<(i64, String)> {
                Ok((r.try_get("user_id")?, r.try_get("username")?))
            })
            .transpose()?
        });
        let Some((user_id, username)) = spent else {
            tx.rollback().await?;
            return Ok(match self.recovery_link(token, now).await? {
                Some(link) => Recovery::Refused(match link.state {
                    // Spent between the look-up and this statement.
                    LinkState::Usable => LinkState::Used,
                    other => other,
                }),
                None => Recovery::Unknown,
            });
        };
        crate::users::set_password(&mut tx, user_id, password_hash, PasswordOrigin::Chosen, now)
            .await?;
        let actor = Actor {
            user_id: Some(user_id),
            username: username.clone(),
            address,
        };
        record(
            &mut tx,
            &Change {
                actor: &actor,
                action: AuditAction::PasswordRecover,
                plan_id: None,
                subject: format!("usuario {username}"),
                before: None,
                after: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Recovery::Done { user_id, username })
    }
}
