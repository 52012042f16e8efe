//! Participa's database access: one code path for SQLite (the embedded default) and
//! PostgreSQL (production).
//!
//! # Why an enum of two pools
//! [`Db`] holds either a `SqlitePool` or a `PgPool`, and [`on_db!`] runs the same query
//! text on whichever it is: the macro expands the body once per backend, so each
//! expansion is fully typed (native `DATE`, `BIGINT`, `TIMESTAMPTZ` on PostgreSQL; their
//! SQLite equivalents) and sqlx checks encoding and decoding per backend. `sqlx::Any` was
//! rejected: it cannot decode a PostgreSQL `DATE`, nor an uncast aggregate (`SUM` comes
//! back as a `NUMERIC` it cannot read), nor a SQLite `BOOLEAN`. Queries use `$n`
//! placeholders, which both backends accept. If a query ever has to differ, the
//! macro's two arms are the seam.
//!
//! # Transactions
//! A transaction is a `Tx`, the same enum over the two backends' typed transactions.
//! A write is one transaction with its audit entry: `Store::begin` → statements through
//! `on_tx!` and helper functions that take `&mut Tx` (`audit::record`,
//! `plans::insert_children`, `consultations::insert_question`, …) → `Tx::commit`; an
//! early return drops the transaction, which rolls it back. The reads that decide a
//! write (the state a change starts from, the audit entry's "before") run inside that
//! write's transaction. On SQLite every write transaction begins `IMMEDIATE`, so it
//! waits its turn for the write lock (within the busy timeout) instead of failing with
//! «database is locked» when it reads first and writes later; on PostgreSQL the writes
//! that read first lock the row they depend on (`Tx::lock`, `SELECT … FOR UPDATE`).
//! Reads of several tables that must agree use `Store::begin_read`.
//!
//! Migrations live in `migrations/sqlite/` and `migrations/postgres/` with the same file
//! names (a test checks it); both are embedded in the binary.

mod activity_choices;
mod audit;
mod calendar;
mod channels;
mod consultations;
mod entities;
mod events;
mod findings;
mod followup;
mod forums;
mod furag;
mod group_commit;
mod hearings;
mod identity;
mod imports;
mod inbox;
mod national;
mod notifications;
mod objects;
mod parameters;
mod plans;
mod published_reports;
mod recovery;
mod responses;
mod sessions;
mod suggestions;
mod texts;
mod throttle;
mod tx;
mod users;
mod value_groups;
mod versions;

pub use activity_choices::ActivityChoice;
pub use audit::{Actor, AuditAction, AuditEntry, AuditFilter, Change, RecordedAction};
pub use calendar::OverrideRecord;
pub use channels::ChannelFigure;
pub use consultations::{
    Consultation, ConsultationData, ConsultationEdit, Correction, Identification, Response,
};
pub use entities::{EntityData, EntityRecord, PLACEHOLDER_NAME};
pub use events::{Event, EventData};
pub use findings::{Acceptance, Coverage, CoverageItem};
pub use followup::{
    Closure, EvidenceRecord, FollowUp, FollowupError, FollowupSettings, IndicatorRow, ManualRecord,
    NewReport, ReportRecord, ReviewRecord,
};
pub use forums::{ForumComment, ForumTopic};
pub use furag::FuragReadiness;
pub use group_commit::{BatchStats, MAX_BATCH};
pub use hearings::{
    Hearing, HearingCounts, HearingData, NewRegistration, Question, Registration, RescheduleNotice,
};
pub use identity::{inner_digest as legacy_identity_digest, IdentitySecret, MIN_SECRET_BYTES};
pub use inbox::{OpenQuestion, OpenSuggestion, PlanStep, QueuedComment};
pub use national::PlatformGrant;
pub use notifications::{
    Notice, NoticeKind, NotificationRecord, OutgoingMail, Recipients, RetryPolicy,
};
pub use objects::{
    check_evidence, CheckedEvidence, EvidenceError, EvidenceKind, Objects, ObjectsError,
    DEFAULT_EVIDENCE_LIMIT, EVIDENCE_ACCEPT,
};
pub use parameters::{ParameterChange, ParameterValue};
pub use plans::{PlanId, PlanSummary};
pub use published_reports::PublishedReport;
pub use recovery::{Recovery, RecoveryAccount, RecoveryLink, RecoveryMail};
pub use responses::{AnswerCounts, NewResponse};
pub use sessions::{OpenSession, SessionMeta};
pub use suggestions::{SuggestionFilter, SuggestionRecord};
pub use texts::{TextSource, WrittenText};
pub use throttle::{Attempt, Quota};
pub use users::{User, UserData};
pub use value_groups::ValueGroup;
pub use versions::{
    Acta, PlanEdit, PlanReturn, PlanState, PublishedPlan, Saved, Step, StepRequest, StepRules,
    VersionInfo,
};

use participa_domain::{LifecycleError, PlanErrors, PlanStatus};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

/// The default database: a SQLite file next to where the program runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://participa.db";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("dirección de base de datos no admitida «{0}»: use sqlite://ARCHIVO o postgres://usuario@servidor/base")]
    UnsupportedUrl(String),
    #[error("error de la base de datos: {0}")]
    Database(#[from] sqlx::Error),
    #[error("no se pudo migrar el esquema de la base de datos: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("el plan {id} guardado no cumple las reglas del dominio: {errors}")]
    Corrupt { id: i64, errors: PlanErrors },
    #[error("el plan {id} guardado tiene un valor inválido: {what}")]
    CorruptValue { id: i64, what: String },
    /// The one not-found case: what was looked for, and its identifier in words
    /// («el plan 7 no existe», «la versión 2 del plan 7 no existe»). The web layer
    /// answers it with 404 in one place.
    #[error("{} {id} no existe", .entity.name())]
    NotFound { entity: Entity, id: String },
    #[error("el nombre de usuario «{0}» ya existe")]
    UsernameTaken(String),
    #[error("el plan está «{}»: devuélvalo a borrador antes de cambiarlo", .0.label())]
    Locked(PlanStatus),
    #[error("el plan está publicado: indique el motivo del cambio, que abre una nueva versión")]
    ReasonRequired,
    #[error("la aprobación necesita el número y la fecha del acta del comité")]
    ActaRequired,
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A follow-up write the domain's rules refused (its message is the rule's).
    #[error(transparent)]
    Followup(#[from] FollowupError),
    #[error("el parámetro legal «{0}» no existe")]
    UnknownParameter(String),
    #[error("el valor {value} no es válido para el parámetro «{key}»")]
    InvalidParameter { key: String, value: i64 },
    #[error("escriba la justificación para aceptar el hallazgo")]
    JustificationRequired,
    #[error("la verificación de cobertura tiene hallazgos sin aceptar ({}): cúbralos con actividades o acéptelos con una justificación antes de consolidar", .0.join(", "))]
    FindingsPending(Vec<String>),
    #[error("almacenamiento de evidencias: {0}")]
    Objects(String),
    #[error("el código de seguimiento ya existe")]
    CodeTaken,
    #[error(
        "ya se registró una respuesta con ese documento: esta consulta admite una por persona"
    )]
    AlreadyAnswered,
    #[error("el registro de respuestas se detuvo: intente de nuevo en un momento")]
    WriterStopped,
    #[error("esta operación es solo para bases SQLite")]
    SqliteOnly,
    #[error("la clave de las huellas de identidad es demasiado corta ({0} bytes): use al menos 32, por ejemplo 64 cifras hexadecimales aleatorias")]
    WeakIdentitySecret(usize),
    #[error("la clave de las huellas de identidad no es la que usa esta base de datos: restaure el archivo de clave de la copia de seguridad, o dé a todos los servidores la misma clave (PARTICIPA_CLAVE_IDENTIDAD); si la clave se perdió, arranque una vez con --replace-identity-key (quien ya respondió no será reconocido)")]
    IdentitySecretMismatch,
    #[error("no se configuró la clave de las huellas de identidad: esta consulta no puede recibir respuestas con documento")]
    IdentitySecretMissing,
    /// A status change the rules do not allow, decided inside the write's transaction
    /// (another member of staff may have moved the suggestion meanwhile).
    #[error("una sugerencia «{}» no pasa a «{}»", .from.label(), .to.label())]
    SuggestionMove {
        from: participa_domain::participation::SuggestionStatus,
        to: participa_domain::participation::SuggestionStatus,
    },
    #[error("{0}")]
    Forum(#[from] participa_domain::participation::forum::ForumError),
    /// A builder's change the rules refused (its message is the rule's).
    #[error("{0}")]
    Builder(#[from] participa_domain::participation::builder::BuilderError),
    #[error("contenido de versión ilegible: {0}")]
    Snapshot(#[from] serde_json::Error),
    /// A confirmed step whose plan moved meanwhile (someone else took a step, or the
    /// same confirmation was sent twice): nothing was done.
    #[error("el plan cambió mientras confirmaba: ahora está en la versión {version}, «{}»; revise su estado antes de seguir", .status.label())]
    StepStale { version: i64, status: PlanStatus },
    #[error("escriba el motivo para devolver el plan a borrador: queda en el historial")]
    ReturnReasonRequired,
    #[error(transparent)]
    ActaDate(#[from] participa_domain::ActaDateError),
    /// An entity's identity or setting the rules refused (its message names the field).
    #[error(transparent)]
    EntityField(#[from] participa_domain::EntityError),
    #[error("ya existe una entidad con el identificador o el nombre de «{0}»")]
    EntityTaken(String),
    #[error("el nombre de servidor «{0}» ya es de otra entidad")]
    HostTaken(String),
}

impl StoreError {
    /// [`StoreError::NotFound`] for `entity` with identifier `id`.
    pub fn not_found(entity: Entity, id: impl std::fmt::Display) -> StoreError {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

/// What a [`StoreError::NotFound`] looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Plan,
    /// A version of a plan: its id reads «2 del plan 7».
    Version,
    User,
    Suggestion,
    Hearing,
    /// A hearing's question: its id reads «5 de la audiencia 4».
    Question,
    Consultation,
    Comment,
    /// A coverage finding of a plan's current version: its id is the code in «».
    Finding,
    Notification,
    /// An entity of the deployment (the public body itself).
    Tenant,
    /// A file uploaded to the import preview.
    Import,
}

impl Entity {
    /// Its name with the article, as a message starts: «el plan», «la audiencia».
    pub fn name(self) -> &'static str {
        match self {
            Entity::Plan => "el plan",
            Entity::Version => "la versión",
            Entity::User => "el usuario",
            Entity::Suggestion => "la sugerencia",
            Entity::Hearing => "la audiencia",
            Entity::Question => "la pregunta",
            Entity::Consultation => "la consulta",
            Entity::Comment => "el comentario",
            Entity::Finding => "el hallazgo",
            Entity::Notification => "la notificación",
            Entity::Import => "el archivo por importar",
            Entity::Tenant => "la entidad",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns a unique-constraint violation into [`StoreError::CodeTaken`] (the caller draws
/// another tracking code); any other error stays a database error. For the INSERT of
/// the row that carries the code: `.await.map_err(code_taken)?`.
pub(crate) fn code_taken(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::CodeTaken,
        _ => StoreError::Database(e),
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's typed pool.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// A connection taken from the pool for a few reads, already scoped to the store's
/// entity (on PostgreSQL, row-level security lets it see nothing else: migration
/// 0025). [`Store::conn`] hands one out; [`on_conn!`] runs the same SQL text on it.
pub enum Conn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the connection's typed form
/// (`&mut SqliteConnection` or `&mut PgConnection`), as [`on_db!`] does with a pool:
/// `on_conn!(self.conn().await?, |conn| sqlx::query(…).fetch_all(&mut *conn).await)`.
#[macro_export]
macro_rules! on_conn {
    ($held:expr, |$conn:ident| $body:expr) => {{
        // Held in a local, not as a temporary of the match: a temporary there makes
        // the future of an async fn fail to be `Send` for every lifetime.
        let mut held: $crate::Conn = $held;
        match &mut held {
            $crate::Conn::Sqlite(held) => {
                let $conn: &mut sqlx::SqliteConnection = &mut **held;
                $body
            }
            $crate::Conn::Postgres(held) => {
                let $conn: &mut sqlx::PgConnection = &mut **held;
                $body
            }
        }
    }};
}

/// Whether the database at `url` already holds Participa's tables (its migrations'
/// record), without creating or changing anything: a restore refuses a database in use.
pub async fn has_schema(url: &str) -> Result<bool> {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)?.create_if_missing(false);
        let Ok(mut conn) = sqlx::SqliteConnection::connect_with(&options).await else {
            return Ok(false);
        };
        let found: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&mut conn)
        .await?;
        return Ok(found.is_some());
    }
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let found: Option<String> =
        sqlx::query_scalar("SELECT CAST(to_regclass('_sqlx_migrations') AS TEXT)")
            .fetch_one(&mut conn)
            .await?;
    Ok(found.is_some())
}

/// The database behind Participa.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// SQLite takes one writer at a time; a second one waits in SQLite's busy handler,
    /// which sleeps in steps of up to 100 ms. Hot public writes (survey answers, forum
    /// comments) queue here instead, in order and without sleeping.
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The secret identity digests are keyed with, kept outside the database
    /// ([`Store::with_identity_secret`]); without it, answers that carry a document are
    /// refused.
    identity: Option<IdentitySecret>,
    /// The entity whose data this store reads and writes: every query on a tenant's
    /// data is filtered by it ([`Store::for_entity`]). A store from [`Store::connect`]
    /// serves the first entity.
    entity: i64,
    /// The group-commit writer of citizens' answers ([`Store::submit_response`]).
    writer: std::sync::Arc<group_commit::Writer>,
}

impl Store {
    /// Connects to `sqlite://FILE` (created when absent, WAL journal) or
    /// `postgres://…`, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // An answer is acknowledged only once it is on disk: every commit
                // waits for the WAL's fsync (group commit keeps that cheap).
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Whatever the server's default, a commit waits for its WAL flush.
            let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "on")]);
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let mut store = Store {
            db,
            sqlite_writer: Default::default(),
            identity: None,
            entity: 0,
            writer: Default::default(),
        };
        store.entity = store.first_entity().await?;
        Ok(store)
    }

    /// Held around a hot write transaction on SQLite; nothing on PostgreSQL, whose
    /// writers do not block each other on different rows.
    pub(crate) async fn sqlite_write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db {
            Db::Sqlite(_) => Some(self.sqlite_writer.lock().await),
            Db::Postgres(_) => None,
        }
    }

    /// A consistent copy of this SQLite database written to `path` (which must not exist
    /// yet), taken while writes go on: `VACUUM INTO` reads one snapshot, as any reader
    /// does in WAL mode, so the copy holds every transaction committed before it began
    /// and none after. For PostgreSQL, `pg_dump` is the way (see `participa backup`).
    pub async fn sqlite_snapshot(&self, path: &std::path::Path) -> Result<()> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::SqliteOnly);
        };
        // A file name cannot be bound here: it is written as an SQL string literal.
        let literal = path.display().to_string().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{literal}'"))
            .execute(pool)
            .await?;
        Ok(())
    }

    /// The connections the pool holds open, and how many of them are free now.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.db {
            Db::Sqlite(p) => (p.size(), p.num_idle()),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The typed pool, for queries outside this crate's repositories (tests, tools).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// A pooled connection scoped to this store's entity, for the reads that run
    /// outside a transaction (on PostgreSQL it costs one statement more: the scope).
    pub async fn conn(&self) -> Result<Conn> {
        self.conn_for(tx::Scope::Entities(&[self.entity])).await
    }

    /// A pooled connection that sees the entities of `scope` (the national figures
    /// read several; the outbox, every one).
    pub(crate) async fn conn_for(&self, scope: tx::Scope<'_>) -> Result<Conn> {
        Ok(match &self.db {
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => {
                let mut held = pool.acquire().await?;
                // One fixed text per kind of scope, the ids bound: the prepared
                // statements a connection caches stay the same whatever the entity.
                match scope.ids() {
                    Some(ids) => {
                        sqlx::query("SELECT set_config('participa.entities', $1, false)")
                            .bind(ids)
                            .execute(&mut *held)
                            .await?
                    }
                    None => sqlx::query(tx::ALL_ENTITIES).execute(&mut *held).await?,
                };
                Conn::Postgres(held)
            }
        })
    }

    /// Whether PostgreSQL's row-level security binds the role this store connects as
    /// (a superuser or a BYPASSRLS role skips it); always false on SQLite, which has
    /// none. `participa serve` warns when it does not.
    pub async fn row_security_applies(&self) -> Result<bool> {
        match &self.db {
            Db::Sqlite(_) => Ok(false),
            Db::Postgres(pool) => {
                let bypass: bool = sqlx::query(
                    "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles \
                     WHERE rolname = current_user",
                )
                .fetch_one(pool)
                .await?
                .try_get("bypass")?;
                Ok(!bypass)
            }
        }
    }

    pub async fn close(&self) {
        on_db!(&self.db, |pool| pool.close().await)
    }
}

/// Bytes as lowercase hex digits (digests, random keys and tokens).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes from the operating system, as 64 hex digits: a key or a token no
/// one can guess.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Objects(format!("getrandom: {e}")))?;
    Ok(hex(&bytes))
}

pub mod testing {
    //! Fresh, isolated databases for tests: a SQLite file in the temporary directory, or
    //! a new schema in the PostgreSQL server named by `TEST_DATABASE_URL`.

    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A database URL that nothing else uses; the SQLite file is removed on drop.
    pub struct TestDatabase {
        pub url: String,
        file: Option<PathBuf>,
    }

    impl TestDatabase {
        /// A database a test made itself at `url`, which it also removes.
        pub fn at(url: &str) -> TestDatabase {
            TestDatabase {
                url: url.into(),
                file: None,
            }
        }
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            if let Some(file) = &self.file {
                // The key file `participa serve` keeps next to a SQLite database too.
                for suffix in ["", "-wal", "-shm", ".clave-identidad"] {
                    let mut p = file.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }

    fn unique_name() -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        format!(
            "t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        )
    }

    pub fn sqlite() -> TestDatabase {
        let file = std::env::temp_dir().join(format!("participa-{}.db", unique_name()));
        TestDatabase {
            url: format!("sqlite://{}", file.display()),
            file: Some(file),
        }
    }

    /// The PostgreSQL server the test suite runs against. Its absence is a failure, not a
    /// skip: `scripts/test.sh` starts a throwaway server and sets the variable.
    pub fn postgres_server_url() -> String {
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
            panic!(
                "TEST_DATABASE_URL is not set: run the suite with scripts/test.sh, which starts a \
                 throwaway PostgreSQL server, or point TEST_DATABASE_URL at postgres://…"
            )
        })
    }

    /// The identity secret tests give a store (the server reads its own from a key file
    /// or an environment variable).
    pub fn identity_secret() -> crate::IdentitySecret {
        crate::IdentitySecret::new("la clave de identidad de las pruebas, de 32 bytes o más")
            .expect("a long enough secret")
    }

    /// Creates an active account for a test, recorded as made by the system.
    pub async fn create_user(
        store: &crate::Store,
        username: &str,
        full_name: &str,
        role: participa_domain::Role,
        offices: &[&str],
        password_hash: &str,
    ) -> i64 {
        let data = crate::UserData {
            username: username.into(),
            full_name: full_name.into(),
            role,
            active: true,
            offices: offices
                .iter()
                .map(|o| participa_domain::OfficeCode::parse(o).expect("office code"))
                .collect(),
            email: Some(format!("{username}@participa.test")),
            position: format!("Cargo de {full_name}"),
        };
        let system = crate::Actor::system();
        let change = crate::Change {
            actor: &system,
            action: crate::AuditAction::UserCreate,
            plan_id: None,
            subject: format!("usuario {username}"),
            before: None,
            after: None,
        };
        store
            .create_user(
                &data,
                password_hash,
                participa_domain::PasswordOrigin::Chosen,
                &change,
            )
            .await
            .expect("create test user")
    }

    /// Accepts every pending coverage finding of the plan's current version, so a test
    /// about something else can consolidate it.
    pub async fn accept_all_findings(store: &crate::Store, id: crate::PlanId) {
        let system = crate::Actor::system();
        for code in store.coverage(id).await.expect("coverage").pending() {
            store
                .accept_finding(id, &code, "Aceptado para la prueba", &system)
                .await
                .expect("accept finding");
        }
    }

    /// Takes plan `id` through the whole cycle to published (findings accepted; acta
    /// n.º 1 of 28 January 2025), as recorded by the system.
    pub async fn publish_plan(store: &crate::Store, id: crate::PlanId) {
        use participa_domain::Transition;
        accept_all_findings(store, id).await;
        let acta = crate::Acta {
            number: "1".into(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 1, 28).expect("a date"),
        };
        for t in [
            Transition::Consolidate,
            Transition::Review,
            Transition::Approve,
            Transition::Publish,
        ] {
            store
                .transition(id, t, Some(&acta), &crate::Actor::system())
                .await
                .expect("publish the test plan");
        }
    }

    /// A URL whose connections use a schema created for this test alone.
    /// Evidence storage on the S3-compatible test server at `TEST_S3_ENDPOINT` (which
    /// `scripts/test.sh` starts), under a prefix of its own in the bucket
    /// «participa-pruebas»: an empty store for each call.
    pub fn s3() -> crate::Objects {
        s3_at(&format!("s3://participa-pruebas/{}", unique_name()))
    }

    /// Evidence storage at `location` (`s3://participa-pruebas[/folder]`) on the
    /// S3-compatible test server at `TEST_S3_ENDPOINT`.
    pub fn s3_at(location: &str) -> crate::Objects {
        let endpoint = std::env::var("TEST_S3_ENDPOINT").unwrap_or_else(|_| {
            panic!(
                "TEST_S3_ENDPOINT is not set: run scripts/test.sh, or source scripts/s3-temp.sh first"
            )
        });
        crate::Objects::open_with(
            location,
            &[
                ("aws_endpoint", &endpoint),
                ("aws_allow_http", "true"),
                ("aws_access_key_id", "pruebas"),
                ("aws_secret_access_key", "pruebas"),
                ("aws_region", "us-east-1"),
            ],
        )
        .expect("the S3 test store")
    }

    pub async fn postgres() -> TestDatabase {
        let server = postgres_server_url();
        let schema = unique_name();
        let pool = sqlx::PgPool::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("cannot reach TEST_DATABASE_URL {server}: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .expect("create test schema");
        pool.close().await;
        let sep = if server.contains('?') { '&' } else { '?' };
        TestDatabase {
            url: format!("{server}{sep}options=-c%20search_path%3D{schema}"),
            file: None,
        }
    }
}

#[cfg(test)]
mod send_check {
    fn assert_send<T: Send>(_: T) {}
    #[allow(dead_code)]
    fn futures_are_send(s: &crate::Store) {
        assert_send(s.conn());
    }
}
