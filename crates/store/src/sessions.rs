//! Server-side session records (the web layer's session store writes through these).

use crate::{on_db, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;

impl Store {
    /// The session's data, unless it is absent or expired.
    pub async fn session_load(&self, id: &str) -> Result<Option<String>> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let row = sqlx::query("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id)
                .bind(now)
                .fetch_optional(pool)
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
    ) -> Result<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
            )
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .execute(pool)
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
    ) -> Result<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn session_delete(&self, id: &str) -> Result<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Removes every expired session; returns how many.
    pub async fn sessions_purge_expired(&self) -> Result<u64> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}
