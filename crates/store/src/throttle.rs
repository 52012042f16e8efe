//! Counted attempts to sign in (or to confirm a password), shared by every app server,
//! and the browsers a user has signed in from.
//!
//! An attempt is counted *before* the password is checked and given back when it was
//! right, in one statement per key inside one write transaction: however many requests
//! arrive at once, no more than the limit of a key is ever checked in its window.

use crate::tx::on_tx;
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// Longest key kept: keys carry what a stranger typed (a user name), so they are cut.
const MAX_KEY_BYTES: usize = 160;

/// How many browsers per user are remembered; older ones are forgotten.
const DEVICES_PER_USER: i64 = 20;

/// A throttle key with its limit of attempts per window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub key: String,
    pub limit: i64,
}

impl Quota {
    pub fn new(key: impl Into<String>, limit: i64) -> Quota {
        Quota {
            key: bounded(key.into()),
            limit,
        }
    }
}

/// `key`, cut at a character boundary to [`MAX_KEY_BYTES`].
fn bounded(mut key: String) -> String {
    if key.len() > MAX_KEY_BYTES {
        let mut end = MAX_KEY_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

/// What [`Store::take_attempt`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted: go on and check the password. `last` when this attempt used the last
    /// one a key had in its window.
    Allowed { last: bool },
    /// Refused without counting: a key used its limit; its window ends in this long.
    Refused { retry_after: Duration },
}

impl Store {
    /// A quota's key as stored: within this store's entity (a user name or an address
    /// counted at one entity's sign-in is not counted at another's).
    fn throttle_key(&self, key: &str) -> String {
        format!("{}:{key}", self.entity)
    }

    /// Counts one attempt against every quota at once, or none of them: when a key has
    /// already used its limit in the current window, nothing is counted and the attempt
    /// is refused. A key's window starts with its first attempt and lasts `window`.
    pub async fn take_attempt(&self, quotas: &[Quota], window: Duration) -> Result<Attempt> {
        let now = Utc::now();
        let cutoff = now - window;
        let quotas = in_lock_order(quotas);
        // A key that already used its limit is refused by a read, with no write at all:
        // a flood of refused attempts does not take the database's writer. (Counts only
        // go down by a refund or a reset, so a refusal read here stays right.)
        for quota in &quotas {
            // The throttle is the deployment's (its keys carry the entity), so it reads
            // straight from the pool: no row-level scope to set.
            let count: Option<(i64, DateTime<Utc>)> = crate::on_db!(&self.db, |pool| {
                let row =
                    sqlx::query("SELECT attempts, window_start FROM login_throttle WHERE key = $1")
                        .bind(self.throttle_key(&quota.key))
                        .fetch_optional(pool)
                        .await?;
                row.map(|r| -> Result<(i64, DateTime<Utc>)> {
                    Ok((r.try_get("attempts")?, r.try_get("window_start")?))
                })
                .transpose()
            })?;
            if let Some((attempts, started)) = count {
                if started > cutoff && attempts >= quota.limit {
                    let retry_after = (started + window - now).max(Duration::seconds(1));
                    return Ok(Attempt::Refused { retry_after });
                }
            }
        }
        // SQLite: in the queue of public writes, so a flood of sign-ins does not keep
        // staff saves waiting in the busy handler.
        let _turn = self.sqlite_write_turn().await;
        self.sweep_attempts(cutoff).await;
        let mut last = false;
        let mut tx = self.begin().await?;
        for quota in quotas {
            let (attempts, started): (i64, DateTime<Utc>) = on_tx!(&mut tx, |conn| {
                let row = sqlx::query(
                    "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 \
                                ELSE login_throttle.attempts + 1 END, \
                     window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 \
                                    ELSE login_throttle.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(self.throttle_key(&quota.key))
                .bind(now)
                .bind(cutoff)
                .fetch_one(&mut *conn)
                .await?;
                (row.try_get("attempts")?, row.try_get("window_start")?)
            });
            if attempts > quota.limit {
                tx.rollback().await?;
                let retry_after = (started + window - now).max(Duration::seconds(1));
                return Ok(Attempt::Refused { retry_after });
            }
            last |= attempts == quota.limit;
        }
        tx.commit().await?;
        Ok(Attempt::Allowed { last })
    }

    /// Now and then, forgets windows that ended before `cutoff` (an ended window already
    /// counts as empty; this only keeps the table small). Housekeeping: a failure here is
    /// not the caller's, so it is ignored.
    async fn sweep_attempts(&self, cutoff: DateTime<Utc>) {
        let mut byte = [0u8; 1];
        if getrandom::fill(&mut byte).is_err() || byte[0] >= 4 {
            return;
        }
        // On PostgreSQL the rows another transaction holds are skipped, never waited
        // for, so the sweep cannot deadlock with an attempt being counted.
        let _ = match &self.db {
            crate::Db::Sqlite(pool) => {
                sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
                    .bind(cutoff)
                    .execute(pool)
                    .await
                    .map(|_| ())
            }
            crate::Db::Postgres(pool) => sqlx::query(
                "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle \
                     WHERE window_start <= $1 FOR UPDATE SKIP LOCKED)",
            )
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|_| ()),
        };
    }

    /// After a right password: the keys in `forget` start over, and the attempt just
    /// counted is given back to each key in `refund` (an office's shared address is not
    /// used up by its staff signing in).
    pub async fn attempt_succeeded(&self, forget: &[Quota], refund: &[Quota]) -> Result<()> {
        let _turn = self.sqlite_write_turn().await;
        let mut tx = self.begin().await?;
        // The keys in the order `take_attempt` locks them, so the two never deadlock.
        let all: Vec<Quota> = forget.iter().chain(refund).cloned().collect();
        for q in in_lock_order(&all) {
            let gone = forget.iter().any(|f| f.key == q.key);
            on_tx!(&mut tx, |conn| {
                if gone {
                    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                        .bind(self.throttle_key(&q.key))
                        .execute(&mut *conn)
                        .await?;
                } else {
                    sqlx::query(
                        "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
                    )
                    .bind(self.throttle_key(&q.key))
                    .execute(&mut *conn)
                    .await?;
                }
            });
        }
        tx.commit().await
    }

    /// Clears the attempts counted against `keys` (an operator unlocking a user name),
    /// with its audit entry, in one transaction; returns how many counts there were.
    pub async fn clear_attempts(&self, keys: &[Quota], change: &crate::Change<'_>) -> Result<u64> {
        let _turn = self.sqlite_write_turn().await;
        let mut tx = self.begin().await?;
        let mut cleared = 0;
        for q in in_lock_order(keys) {
            cleared += on_tx!(&mut tx, |conn| {
                sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                    .bind(self.throttle_key(&q.key))
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
            });
        }
        crate::audit::record(&mut tx, change, Utc::now()).await?;
        tx.commit().await?;
        Ok(cleared)
    }

    /// Remembers a browser where `user` signed in, by the SHA-256 of its random token;
    /// only the newest few per user are kept.
    /// A browser already remembered counts as used now: the least recently used are
    /// the ones forgotten.
    pub async fn trust_device(&self, user: i64, token: &str) -> Result<()> {
        let now = Utc::now();
        let token_digest = digest(token);
        let _turn = self.sqlite_write_turn().await;
        let mut tx = self.begin().await?;
        tx.owns(crate::entities::Owned::User, user).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO trusted_devices (token_digest, user_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (token_digest) DO UPDATE SET created_at = excluded.created_at",
            )
            .bind(&token_digest)
            .bind(user)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "DELETE FROM trusted_devices WHERE user_id = $1 AND token_digest <> $2 \
                 AND token_digest NOT IN (SELECT token_digest FROM trusted_devices \
                 WHERE user_id = $1 AND token_digest <> $2 ORDER BY created_at DESC LIMIT $3)",
            )
            .bind(user)
            .bind(&token_digest)
            .bind(DEVICES_PER_USER - 1)
            .execute(&mut *conn)
            .await?;
        });
        tx.commit().await
    }

    /// The user (id and user name) a remembered browser belongs to, if it is remembered.
    pub async fn trusted_device_user(&self, token: &str) -> Result<Option<(i64, String)>> {
        let token_digest = digest(token);
        crate::on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query(
                "SELECT d.user_id, u.username FROM trusted_devices d \
                 JOIN users u ON u.id = d.user_id WHERE d.token_digest = $1 AND u.entity_id = $2",
            )
            .bind(&token_digest)
            .bind(self.entity)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row
                .map(|r| -> Result<(i64, String)> {
                    Ok((r.try_get("user_id")?, r.try_get("username")?))
                })
                .transpose()?)
        })
    }

    /// Forgets a remembered browser: it used up its attempts, so it is treated as a
    /// stranger's from now on.
    pub async fn forget_device(&self, token: &str) -> Result<()> {
        let token_digest = digest(token);
        let _turn = self.sqlite_write_turn().await;
        crate::on_conn!(self.conn().await?, |conn| {
            sqlx::query("DELETE FROM trusted_devices WHERE token_digest = $1")
                .bind(&token_digest)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}

/// The quotas sorted by key without repeats: the one order in which every transaction
/// here locks throttle rows.
fn in_lock_order(quotas: &[Quota]) -> Vec<&Quota> {
    let mut sorted: Vec<&Quota> = quotas.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted.dedup_by(|a, b| a.key == b.key);
    sorted
}

/// SHA-256 of a device token, as hex: the token is random and long, so its digest
/// cannot be reversed, and a copy of the database gives no working cookie.
fn digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_cut_at_a_character_boundary() {
        let q = Quota::new(format!("u:{}", "ñ".repeat(300)), 5);
        assert!(q.key.len() <= MAX_KEY_BYTES);
        assert!(q.key.starts_with("u:ñ"));
    }
}
