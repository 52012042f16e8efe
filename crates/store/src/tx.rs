//! A transaction on either backend, and the macro that runs one SQL text on it.

use crate::{Db, Result, Store};

/// An open transaction, typed per backend like [`Db`], and the entity it works for
/// (the store's): helpers that run inside a transaction are `async fn`s taking
/// `&mut Tx`, filter by `tx.entity`, and send their statements through [`on_tx!`].
/// Dropped without [`Tx::commit`], it rolls back.
pub(crate) struct Tx {
    pub(crate) conn: TxConn,
    pub(crate) entity: i64,
}

pub(crate) enum TxConn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's typed connection
/// (`&mut SqliteConnection` or `&mut PgConnection`): the body is expanded once per
/// backend, so one SQL text is checked and bound for each. Statements use
/// `.execute(&mut *$conn)`.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut ($tx).conn {
            $crate::tx::TxConn::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::tx::TxConn::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
    /// taken at the start, waiting for another writer within the busy timeout. A
    /// deferred transaction that reads first and writes later would instead fail at once
    /// with «database is locked» when another connection holds the lock (SQLite does not
    /// wait on a read-to-write upgrade), so reads that decide a write can safely run
    /// inside the write's own transaction.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        self.begin_for(Scope::Entities(&[self.entity])).await
    }

    /// [`Store::begin`] for a transaction whose rows on PostgreSQL may belong to the
    /// entities of `scope` (the scope is set in the `BEGIN`'s own round trip).
    pub(crate) async fn begin_for(&self, scope: Scope<'_>) -> Result<Tx> {
        let conn = match &self.db {
            Db::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => TxConn::Postgres(
                pool.begin_with(format!("BEGIN; {}", scope.local_statement()))
                    .await?,
            ),
        };
        Ok(Tx {
            conn,
            entity: self.entity,
        })
    }

    /// Begins a transaction that only reads: several queries see one snapshot, without
    /// taking SQLite's write lock (a deferred SQLite transaction reads one snapshot; on
    /// PostgreSQL that takes REPEATABLE READ, since READ COMMITTED gives each statement
    /// its own, and a read-only transaction there never fails to serialize).
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        let conn = match &self.db {
            Db::Sqlite(pool) => TxConn::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => TxConn::Postgres(
                pool.begin_with(format!(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
                    Scope::Entities(&[self.entity]).local_statement()
                ))
                .await?,
            ),
        };
        Ok(Tx {
            conn,
            entity: self.entity,
        })
    }
}

/// Sets a connection's scope to every entity of the deployment (migration 0025's '*').
pub(crate) const ALL_ENTITIES: &str = "SELECT set_config('participa.entities', '*', false)";
/// [`ALL_ENTITIES`] for a transaction only.
const ALL_ENTITIES_LOCAL: &str = "SELECT set_config('participa.entities', '*', true)";

/// The entities whose rows PostgreSQL's row-level security lets a connection or a
/// transaction see (migration 0025): the setting `participa.entities`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    Entities(&'a [i64]),
    /// Every entity of the deployment: the outbox and the platform's own figures.
    All,
}

impl Scope<'_> {
    /// The entities' ids as the setting holds them (`{3,7}`); None for every entity.
    pub(crate) fn ids(&self) -> Option<String> {
        match self {
            Scope::Entities(ids) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                Some(format!("{{{}}}", ids.join(",")))
            }
            Scope::All => None,
        }
    }

    /// The statement that sets the scope for the transaction, sent with its `BEGIN`
    /// as one simple query (never prepared). Ids are integers, so the text is built
    /// without binding.
    pub(crate) fn local_statement(&self) -> String {
        match self.ids() {
            Some(ids) => format!("SELECT set_config('participa.entities', '{ids}', true)"),
            None => ALL_ENTITIES_LOCAL.into(),
        }
    }
}

impl Tx {
    /// Moves the transaction to another entity (one just created), on PostgreSQL
    /// together with its row-level scope.
    pub(crate) async fn rescope(&mut self, entity: i64) -> Result<()> {
        self.entity = entity;
        if let TxConn::Postgres(t) = &mut self.conn {
            sqlx::query("SELECT set_config('participa.entities', $1, true)")
                .bind(Scope::Entities(&[entity]).ids())
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls back now, releasing SQLite's write lock at once rather than when the
    /// dropped transaction's rollback gets its turn on the connection.
    pub(crate) async fn rollback(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.rollback().await?,
            TxConn::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Locks the row `id` of `table` until the transaction ends, so that what the
    /// transaction reads next about it cannot change before it writes. On PostgreSQL it
    /// is `SELECT … FOR NO KEY UPDATE` (concurrent writers of the same row wait, while
    /// inserts of rows that refer to it — events, figures — go on); on SQLite
    /// nothing is needed, since [`Store::begin`] already holds the database's write lock.
    /// A missing row is not an error here.
    pub(crate) async fn lock(&mut self, table: Locked, id: i64) -> Result<()> {
        if let TxConn::Postgres(t) = &mut self.conn {
            let sql = format!(
                "SELECT id FROM {} WHERE id = $1 FOR NO KEY UPDATE",
                table.table()
            );
            sqlx::query(&sql).bind(id).fetch_optional(&mut **t).await?;
        }
        Ok(())
    }
}

/// The tables whose rows a write transaction locks before reading what decides it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Locked {
    Plan,
    Suggestion,
    Comment,
    Hearing,
    Consultation,
}

impl Locked {
    fn table(self) -> &'static str {
        match self {
            Locked::Plan => "plans",
            Locked::Suggestion => "suggestions",
            Locked::Comment => "forum_comments",
            Locked::Hearing => "hearings",
            Locked::Consultation => "consultations",
        }
    }
}
