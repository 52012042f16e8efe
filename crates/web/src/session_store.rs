//! tower-sessions' store backed by Participa's database (SQLite or PostgreSQL), so that
//! sessions survive a restart and live where the rest of the data lives.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use participa_store::{SessionMeta, Store};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        DbSessionStore { store }
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| Error::Encode("fecha de expiración fuera de rango".into()))
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))
}

/// The keys of a session's data that the account page lists (see [`meta`]).
pub mod keys {
    /// The signed-in user's id.
    pub const USER: &str = "uid";
    /// The user's `session_epoch` when the session was opened.
    pub const EPOCH: &str = "epoch";
    /// When the user signed in, in seconds since 1970 (UTC).
    pub const STARTED: &str = "started";
    /// When the session was last seen (refreshed every few minutes), likewise.
    pub const SEEN: &str = "seen";
    /// The client's address at sign-in.
    pub const ADDRESS: &str = "addr";
    /// The browser's `User-Agent` at sign-in, cut short.
    pub const AGENT: &str = "ua";
}

/// What the session's data says about whose it is and where it came from, copied to
/// the record's columns so that a user's sessions can be listed and ended.
fn meta(record: &Record) -> SessionMeta {
    let int = |k: &str| record.data.get(k).and_then(|v| v.as_i64());
    let text = |k: &str| {
        record
            .data
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let moment = |k: &str| int(k).and_then(|t| DateTime::from_timestamp(t, 0));
    SessionMeta {
        user_id: int(keys::USER),
        epoch: int(keys::EPOCH),
        started_at: moment(keys::STARTED),
        last_seen_at: moment(keys::SEEN).or_else(|| moment(keys::STARTED)),
        address: text(keys::ADDRESS),
        user_agent: text(keys::AGENT),
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let data = encode(record)?;
            if self
                .store
                .session_create(
                    &record.id.to_string(),
                    &data,
                    expiry(record)?,
                    &meta(record),
                )
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.store
            .session_save(
                &record.id.to_string(),
                &encode(record)?,
                expiry(record)?,
                &meta(record),
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(data) = self
            .store
            .session_load(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        serde_json::from_str(&data)
            .map(Some)
            .map_err(|e| Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
