//! The import preview's waiting room: an uploaded plan file kept, for the person who
//! sent it, until they press «Importar» (a day at most), and the columns the entity
//! chose last time, offered again.

use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{Duration, Utc};
use sqlx::Row;

/// How long an uploaded file waits for its import.
pub const PENDING_FOR: Duration = Duration::days(1);

impl Store {
    /// Keeps an uploaded file for `user`'s preview: its id. Files of this entity older
    /// than [`PENDING_FOR`] go at the same time.
    pub async fn stash_import(&self, user: i64, file_name: &str, content: &[u8]) -> Result<i64> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        let id = crate::tx::on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM pending_imports WHERE entity_id = $1 AND created_at < $2")
                .bind(entity)
                .bind(now - PENDING_FOR)
                .execute(&mut *conn)
                .await?;
            let id: i64 = sqlx::query(
                "INSERT INTO pending_imports (entity_id, user_id, file_name, content, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(entity)
            .bind(user)
            .bind(file_name)
            .bind(content)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            id
        });
        tx.commit().await?;
        Ok(id)
    }

    /// The file `user` uploaded as `id`: (name, bytes). Another person's, another
    /// entity's or an expired one is not found.
    pub async fn pending_import(&self, id: i64, user: i64) -> Result<(String, Vec<u8>)> {
        let since = Utc::now() - PENDING_FOR;
        let found = on_conn!(self.conn().await?, |conn| {
            match sqlx::query(
                "SELECT file_name, content FROM pending_imports \
                 WHERE id = $1 AND user_id = $2 AND entity_id = $3 AND created_at >= $4",
            )
            .bind(id)
            .bind(user)
            .bind(self.entity)
            .bind(since)
            .fetch_optional(&mut *conn)
            .await?
            {
                Some(r) => Some((r.try_get("file_name")?, r.try_get("content")?)),
                None => None,
            }
        });
        found.ok_or_else(|| StoreError::not_found(Entity::Import, id))
    }

    /// Forgets an uploaded file (after its import).
    pub async fn drop_pending_import(&self, id: i64) -> Result<()> {
        on_conn!(self.conn().await?, |conn| {
            sqlx::query("DELETE FROM pending_imports WHERE id = $1 AND entity_id = $2")
                .bind(id)
                .bind(self.entity)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// The columns the entity chose last time, as a mapping file's text ('' if none).
    pub async fn import_mapping(&self) -> Result<String> {
        let text: Option<String> = on_conn!(self.conn().await?, |conn| {
            sqlx::query_scalar("SELECT content FROM import_mappings WHERE entity_id = $1")
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
        });
        Ok(text.unwrap_or_default())
    }

    /// Keeps the columns the entity chose, to offer them with its next file.
    pub async fn save_import_mapping(&self, content: &str) -> Result<()> {
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "INSERT INTO import_mappings (entity_id, content, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (entity_id) DO UPDATE SET content = EXCLUDED.content, updated_at = EXCLUDED.updated_at",
            )
            .bind(self.entity)
            .bind(content)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
