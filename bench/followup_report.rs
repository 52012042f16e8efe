//! The follow-up report of a large plan: 500 activities, quarterly follow-up, each
//! activity with a report in each of the 4 periods (narrative, an indicator figure, one
//! evidence file) accepted by internal control. Measures, median of 3 runs, the time to
//! read the follow-up from SQLite, to build the report's data, and to write it as XLSX
//! and as PDF (Typst), each as a ratio to the first; and the peak resident memory of the
//! PDF step (the kernel's high-water mark, reset before it).

#[path = "peak_memory.rs"]
mod peak_memory;

use chrono::{Days, NaiveDate};
use participa_domain::followup::{
    Aggregation, Decision, Frequency, Indicator, ProgressInput, ReviewInput, Sufficiency,
    Thresholds,
};
use participa_domain::{Activity, ActivityNumber, Plan};
use participa_formats::{import_plan, ReadOptions};
use participa_store::{
    check_evidence, testing, Actor, FollowupSettings, NewReport, Objects, Store,
};
use std::time::{Duration, Instant};

const ACTIVITIES: u32 = 500;
const PERIODS: u32 = 4;
const RUNS: usize = 3;
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

fn generated_plan() -> Plan {
    let seed = import_plan(
        "seed",
        include_bytes!("../seed/plan-participacion-ciudadana-2025.txt"),
        &ReadOptions::default(),
    )
    .expect("the seed imports");
    let mut draft = seed.into_draft();
    let template = draft.activities.clone();
    let start = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
    draft.activities = (0..ACTIVITIES)
        .map(|i| {
            let t = &template[i as usize % template.len()];
            let begin = start + Days::new(u64::from(i % 90));
            Activity {
                number: ActivityNumber::new(i + 1).unwrap(),
                description: format!("{} (réplica {i})", t.description),
                start: begin,
                end: begin + Days::new(200 + u64::from(i % 60)),
                responsible: t.responsible.clone(),
                responsible_text: t.responsible_text.clone(),
                deliverable: t.deliverable.clone(),
                tags: Default::default(),
                details: Default::default(),
            }
        })
        .collect();
    Plan::try_from_draft(draft).expect("a valid generated plan")
}

fn reset_peak() {
    // "5" resets the peak resident set size (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let db = testing::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let plan = generated_plan();
    let system = Actor::system();
    let id = store.create_plan(&plan, None, &system).await.unwrap();
    store
        .set_followup_settings(
            id,
            FollowupSettings {
                frequency: Frequency::Quarterly,
                thresholds: Thresholds::default(),
            },
            &system,
        )
        .await
        .unwrap();
    let objects = Objects::memory();
    let setup = Instant::now();
    for a in 1..=ACTIVITIES {
        let participants =
            Indicator::new("Participantes", "personas", 400.0, Aggregation::Sum).unwrap();
        let ind = store
            .add_indicator(id, a, &participants, &system)
            .await
            .unwrap();
        for p in 1..=PERIODS {
            let report = NewReport {
                plan_id: id,
                activity: a,
                period: p,
                input: ProgressInput {
                    percent: f64::from(p * 25),
                    narrative: format!(
                        "Periodo {p}: se realizaron los encuentros previstos con afiliados, \
                         pensionados y beneficiarios; la actividad {a} avanza según lo planeado."
                    ),
                    difficulties: "Baja conexión en algunas regiones".into(),
                    ..Default::default()
                },
                figures: vec![(ind, f64::from(90 + p))],
                evidence: vec![
                    check_evidence(&format!("acta-{a}-{p}.pdf"), PDF.to_vec(), 1 << 20).unwrap(),
                ],
                correction: None,
            };
            store
                .submit_report(report, &objects, &system)
                .await
                .unwrap();
            let review = ReviewInput {
                decision: Decision::Accept,
                verified_percent: Some(f64::from(p * 25) - 5.0),
                sufficiency: Sufficiency::Yes,
                observations: "Evidencia verificada contra el acta".into(),
                recommendations: String::new(),
            };
            store
                .review_report(id, a, p, &review, &system)
                .await
                .unwrap();
        }
    }
    let calendar = store.calendar().await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    println!(
        "plan: {ACTIVITIES} activities × {PERIODS} periods = {} reports with evidence and review (setup {:.1} s); median of {RUNS} runs",
        ACTIVITIES * PERIODS,
        setup.elapsed().as_secs_f64()
    );
    let (mut load, mut build, mut xlsx, mut pdf) = (vec![], vec![], vec![], vec![]);
    let (mut pdf_bytes, mut xlsx_bytes, mut pages_peak) = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let f = store.followup(id).await.unwrap();
        load.push(t.elapsed());
        let t = Instant::now();
        let report = participa_app::report_data::followup_report(
            &plan,
            &f,
            &calendar,
            10,
            PERIODS,
            today,
            &Default::default(),
            participa_app::report_data::Audience::Staff,
        )
        .unwrap();
        build.push(t.elapsed());
        let t = Instant::now();
        xlsx_bytes = participa_reports::followup_xlsx(&report).unwrap().len();
        xlsx.push(t.elapsed());
        reset_peak();
        let t = Instant::now();
        pdf_bytes = participa_reports::followup_pdf(&report).unwrap().len();
        pdf.push(t.elapsed());
        pages_peak = pages_peak.max(peak_memory::peak_rss_kib("self"));
    }
    let base = median(load.clone());
    let line = |name: &str, d: Duration| {
        println!(
            "{name:<40} {:>9.1} ms   ratio {:>6.2}",
            d.as_secs_f64() * 1000.0,
            d.as_secs_f64() / base.as_secs_f64()
        )
    };
    line("read the follow-up (baseline)", base);
    line("build the report data", median(build));
    line(
        &format!("write XLSX ({} KiB)", xlsx_bytes / 1024),
        median(xlsx),
    );
    line(
        &format!("write PDF ({} KiB)", pdf_bytes / 1024),
        median(pdf),
    );
    println!(
        "peak resident memory during the PDF step: {:.1} MiB",
        pages_peak as f64 / 1024.0
    );
    store.close().await;
}
