//! Server-side session records (the web layer's session store writes through these),
//! and a user's own view of them: the sessions open in their name, and ending the others.

use crate::audit::{record, Change};
use crate::tx::on_tx;
use crate::{on_conn, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// What a session record says about itself besides its data, copied from the data each
/// time it is saved: whose it is, under which session epoch, and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionMeta {
    pub user_id: Option<i64>,
    pub epoch: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// A session open in a user's name, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    pub id: String,
    pub started_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl Store {
    /// The session's data, unless it is absent or expired.
    pub async fn session_load(&self, id: &str) -> Result<Option<String>> {
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(
                "SELECT data FROM sessions WHERE id = $1 AND expires_at > $2 AND entity_id = $3",
            )
            .bind(id)
            .bind(now)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row.map(|r| r.try_get("data")).transpose()?)
        })
    }

    /// Creates or replaces a session.
    pub async fn session_save(
        &self,
        id: &str,
        data: &str,
        expires_at: DateTime<Utc>,
        meta: &SessionMeta,
    ) -> Result<()> {
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "INSERT INTO sessions (id, data, expires_at, user_id, epoch, started_at, last_seen_at, address, user_agent, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
                 user_id = excluded.user_id, epoch = excluded.epoch, started_at = excluded.started_at, \
                 last_seen_at = excluded.last_seen_at, address = excluded.address, user_agent = excluded.user_agent \
                 WHERE sessions.entity_id = excluded.entity_id",
            )
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .bind(meta.user_id)
            .bind(meta.epoch)
            .bind(meta.started_at)
            .bind(meta.last_seen_at)
            .bind(&meta.address)
            .bind(&meta.user_agent)
            .bind(self.entity)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// Creates a session only if the id is free; false when it was taken.
    pub async fn session_create(
        &self,
        id: &str,
        data: &str,
        expires_at: DateTime<Utc>,
        meta: &SessionMeta,
    ) -> Result<bool> {
        on_conn!(self.conn().await?, |conn| {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at, user_id, epoch, started_at, last_seen_at, address, user_agent, entity_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .bind(meta.user_id)
            .bind(meta.epoch)
            .bind(meta.started_at)
            .bind(meta.last_seen_at)
            .bind(&meta.address)
            .bind(&meta.user_agent)
            .bind(self.entity)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The sessions open in `user`'s name and still valid (not expired, opened under
    /// the user's current session epoch), the most recently seen first.
    pub async fn user_sessions(&self, user: i64) -> Result<Vec<OpenSession>> {
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT s.id, s.started_at, s.last_seen_at, s.address, s.user_agent \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.user_id = $1 AND s.expires_at > $2 AND COALESCE(s.epoch, 0) = u.session_epoch \
                 AND u.entity_id = $3 \
                 ORDER BY s.last_seen_at DESC, s.started_at DESC, s.id",
            )
            .bind(user)
            .bind(now)
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(OpenSession {
                    id: r.try_get("id")?,
                    started_at: r.try_get("started_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    address: r.try_get("address")?,
                    user_agent: r.try_get("user_agent")?,
                })
            })
            .collect()
        })
    }

    /// Ends every session of `user` but `keep` (the one asking), with its audit entry, in
    /// one transaction: the session epoch is raised (so a session whose record comes back
    /// from a request still in flight is refused all the same) and the other records are
    /// deleted. Returns the new epoch, which `keep` must take to go on, and how many
    /// sessions ended.
    pub async fn end_other_sessions(
        &self,
        user: i64,
        keep: &str,
        change: &Change<'_>,
    ) -> Result<(i64, u64)> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        tx.owns(crate::entities::Owned::User, user).await?;
        let (epoch, ended) = on_tx!(&mut tx, |conn| {
            let epoch: i64 = sqlx::query(
                "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch",
            )
            .bind(user)
            .fetch_one(&mut *conn)
            .await?
            .try_get("session_epoch")?;
            let ended = sqlx::query(
                "DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND expires_at > $3",
            )
            .bind(user)
            .bind(keep)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            // The one that goes on takes the new epoch in its data when its request
            // ends; its column says so already, for the listing.
            sqlx::query("UPDATE sessions SET epoch = $1 WHERE id = $2 AND user_id = $3")
                .bind(epoch)
                .bind(keep)
                .bind(user)
                .execute(&mut *conn)
                .await?;
            (epoch, ended)
        });
        record(&mut tx, change, now).await?;
        tx.commit().await?;
        Ok((epoch, ended))
    }

    pub async fn session_delete(&self, id: &str) -> Result<()> {
        on_conn!(self.conn().await?, |conn| {
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND entity_id = $2")
                .bind(id)
                .bind(self.entity)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Removes every expired session of every entity (housekeeping of the whole
    /// deployment); returns how many.
    pub async fn sessions_purge_expired(&self) -> Result<u64> {
        let now = Utc::now();
        on_conn!(self.conn_for(crate::tx::Scope::All).await?, |conn| {
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected())
        })
    }
}
