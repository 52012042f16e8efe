//! Import throughput for a generated plan of 10,000 activities, on SQLite and on
//! PostgreSQL (when `TEST_DATABASE_URL` is set; `bench/run.sh` starts a server).
//!
//! Figures are ratios to a baseline measured in the same run: reading and checking the
//! file without any database (`parse`). Each step runs several times; the median counts.

use chrono::{Days, NaiveDate};
use participa_domain::{
    offices_sentence, Activity, ActivityNumber, Office, OfficeCode, OfficeRole, Plan,
};
use participa_formats::{export_plan, import_plan, ExportFormat, Limits, ReadOptions};
use participa_store::{testing, Store};
use std::time::{Duration, Instant};

const ACTIVITIES: u32 = 10_000;
const RUNS: usize = 5;

/// The import's limits with room for this plan: twice the activities of the 5 000 rows a
/// real document may have (see `participa_formats::limits`).
fn options() -> ReadOptions {
    ReadOptions {
        limits: Limits {
            rows: 2 * ACTIVITIES as usize,
            ..Limits::STANDARD
        },
        ..ReadOptions::default()
    }
}

fn generated_plan() -> Plan {
    let seed = import_plan(
        "seed",
        include_bytes!("../seed/plan-participacion-ciudadana-2025.txt"),
        &ReadOptions::default(),
    )
    .expect("the seed imports");
    let mut draft = seed.into_draft();
    let extra = ["OTIC", "ARJUR", "ARFIN", "ARTHU", "ARCIN"];
    for (i, code) in extra.iter().enumerate() {
        draft.offices.push(Office {
            code: OfficeCode::parse(code).unwrap(),
            name: format!("Área de apoyo número {}", i + 1),
            role: OfficeRole::Support,
        });
    }
    draft.offices_text = offices_sentence(&draft.offices);
    let template = draft.activities.clone();
    let start = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
    draft.activities = (0..ACTIVITIES)
        .map(|i| {
            let t = &template[i as usize % template.len()];
            let mut responsible =
                vec![draft.offices[i as usize % draft.offices.len()].code.clone()];
            if i % 7 == 0 {
                responsible.push(
                    draft.offices[(i as usize + 1) % draft.offices.len()]
                        .code
                        .clone(),
                );
            }
            let names: Vec<String> = responsible
                .iter()
                .map(|c| {
                    draft
                        .offices
                        .iter()
                        .find(|o| &o.code == c)
                        .unwrap()
                        .name
                        .clone()
                })
                .collect();
            let begin = start + Days::new(u64::from(i % 300));
            Activity {
                number: ActivityNumber::new(i + 1).unwrap(),
                description: format!("{} (réplica {i})", t.description),
                start: begin,
                end: begin + Days::new(u64::from(i % 60)),
                responsible,
                responsible_text: names.join(" y "),
                deliverable: t.deliverable.clone(),
                tags: Default::default(),
                details: Default::default(),
            }
        })
        .collect();
    // Office names as the table writes them (see the layout reader's naming rule).
    for o in &mut draft.offices {
        if let Some(a) = draft
            .activities
            .iter()
            .find(|a| a.responsible == [o.code.clone()])
        {
            o.name = a.responsible_text.clone();
        }
    }
    Plan::try_from_draft(draft).expect("the generated plan is valid")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Figures {
    name: &'static str,
    import: Duration,
    load: Duration,
}

async fn on_database(name: &'static str, tsv: &[u8]) -> Figures {
    let mut imports = Vec::new();
    let mut loads = Vec::new();
    for _ in 0..RUNS {
        let db = if name == "SQLite" {
            testing::sqlite()
        } else {
            testing::postgres().await
        };
        let store = Store::connect(&db.url).await.expect("connect");
        let t = Instant::now();
        let plan = import_plan("bench.tsv", tsv, &options()).expect("imports");
        let id = store.insert_plan(&plan, None).await.expect("stores");
        imports.push(t.elapsed());
        let t = Instant::now();
        let back = store.plan(id).await.expect("loads");
        loads.push(t.elapsed());
        assert_eq!(back.activities.len(), ACTIVITIES as usize);
        store.close().await;
    }
    Figures {
        name,
        import: median(imports),
        load: median(loads),
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plan = generated_plan();
    let tsv = export_plan(&plan, ExportFormat::Tsv);
    println!(
        "plan: {} activities, {} offices, TSV {:.1} MiB; median of {RUNS} runs",
        plan.activities.len(),
        plan.offices.len(),
        tsv.len() as f64 / (1024.0 * 1024.0)
    );

    let parse = median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let p = import_plan("bench.tsv", &tsv, &options()).expect("imports");
                assert_eq!(p.activities.len(), ACTIVITIES as usize);
                t.elapsed()
            })
            .collect(),
    );
    let report = |label: &str, d: Duration| {
        let ratio = d.as_secs_f64() / parse.as_secs_f64();
        println!(
            "{label:<34} {:>9.1} ms {:>10.0} activities/s   ratio {ratio:.2}",
            d.as_secs_f64() * 1e3,
            f64::from(ACTIVITIES) / d.as_secs_f64(),
        );
    };
    report("parse + check (no database)", parse);

    let mut results = vec![rt.block_on(on_database("SQLite", &tsv))];
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        results.push(rt.block_on(on_database("PostgreSQL", &tsv)));
    } else {
        println!("PostgreSQL: skipped (TEST_DATABASE_URL not set; bench/run.sh starts a server)");
    }
    for f in results {
        report(&format!("{}: parse + check + store", f.name), f.import);
        report(&format!("{}: load whole plan", f.name), f.load);
    }
}
