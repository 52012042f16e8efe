//! The store suite: every test runs against SQLite and against PostgreSQL.

use participa_domain::{Plan, PlanYear};
use participa_formats::{import_plan, ReadOptions};
use participa_store::testing::{self, TestDatabase};
use participa_store::{on_db, Backend, PlanId, Store, StoreError};

const SEED: &[u8] = include_bytes!("../../../seed/plan-participacion-ciudadana-2025.txt");

fn seed() -> Plan {
    import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap()
}

async fn open(db: &TestDatabase) -> Store {
    Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("connect {}: {e}", db.url))
}

/// Runs each listed test once per backend.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $test() { super::$test(participa_store::testing::sqlite()).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test(participa_store::testing::postgres().await).await })*
        }
    };
}

on_both_backends!(
    seed_plan_reads_back_equal,
    plans_are_listed_newest_year_first_with_their_activity_counts,
    a_missing_plan_is_an_error,
    a_failed_insert_leaves_the_database_unchanged,
    reconnecting_keeps_data_and_schema,
    plans_without_optional_parts_read_back_equal,
);

async fn seed_plan_reads_back_equal(db: TestDatabase) {
    let store = open(&db).await;
    let plan = seed();
    let id = store.insert_plan(&plan, Some("seed.txt")).await.unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
    assert_eq!(store.counts().await.unwrap(), (1, 15));
}

async fn plans_are_listed_newest_year_first_with_their_activity_counts(db: TestDatabase) {
    let store = open(&db).await;
    let older = seed();
    let mut draft = seed().into_draft();
    draft.year = PlanYear::new(2026).unwrap();
    draft.title = "Plan de Participación Ciudadana 2026".into();
    draft.activities.truncate(4);
    let newer = Plan::try_from_draft(draft).unwrap();
    let a = store.insert_plan(&older, None).await.unwrap();
    let b = store.insert_plan(&newer, None).await.unwrap();
    let list = store.plans().await.unwrap();
    let got: Vec<(PlanId, i32, &str, i64, &str)> = list
        .iter()
        .map(|p| {
            (
                p.id,
                p.year,
                p.title.as_str(),
                p.activity_count,
                p.entity.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                b,
                2026,
                "Plan de Participación Ciudadana 2026",
                4,
                "Caja Honor"
            ),
            (
                a,
                2025,
                "Plan de Participación Ciudadana 2025",
                15,
                "Caja Honor"
            ),
        ]
    );
    assert_eq!(store.plan(b).await.unwrap(), newer);
}

async fn a_missing_plan_is_an_error(db: TestDatabase) {
    let store = open(&db).await;
    assert!(matches!(
        store.plan(PlanId(42)).await,
        Err(StoreError::PlanNotFound(42))
    ));
}

async fn a_failed_insert_leaves_the_database_unchanged(db: TestDatabase) {
    let store = open(&db).await;
    store.insert_plan(&seed(), None).await.unwrap();
    // Make the last statement of the insert fail: everything before it must roll back.
    on_db!(store.db(), |pool| {
        sqlx::query("DROP TABLE plan_signatures")
            .execute(pool)
            .await
            .unwrap();
    });
    let mut draft = seed().into_draft();
    draft.entity = "Otra entidad".into();
    let other = Plan::try_from_draft(draft).unwrap();
    assert!(store.insert_plan(&other, None).await.is_err());
    assert_eq!(store.counts().await.unwrap(), (1, 15));
    let entities: i64 = on_db!(store.db(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM entities")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(entities, 1);
}

async fn reconnecting_keeps_data_and_schema(db: TestDatabase) {
    let store = open(&db).await;
    let id = store.insert_plan(&seed(), None).await.unwrap();
    store.close().await;
    let again = open(&db).await;
    assert_eq!(again.plan(id).await.unwrap(), seed());
    let expected = if db.url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(again.backend(), expected);
}

async fn plans_without_optional_parts_read_back_equal(db: TestDatabase) {
    let store = open(&db).await;
    let mut draft = seed().into_draft();
    draft.signatures.clear();
    draft.version = None;
    draft
        .objectives
        .push("Segundo objetivo con «comillas» y acentos: ñ, ü".into());
    draft.legal_framework = participa_domain::LegalFramework::from_text("Sin normas citadas");
    let plan = Plan::try_from_draft(draft).unwrap();
    let id = store.insert_plan(&plan, None).await.unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
}

#[tokio::test]
async fn sqlite_file_is_created_with_a_wal_journal() {
    let db = testing::sqlite();
    let store = open(&db).await;
    let path = db.url.trim_start_matches("sqlite://");
    assert!(std::path::Path::new(path).exists());
    let mode: String = on_db!(store.db(), |pool| {
        sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    let err = Store::connect("mysql://x").await.unwrap_err();
    assert!(err.to_string().contains("no admitida"), "{err}");
}

#[test]
fn both_backends_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
        v.sort();
        v
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}
