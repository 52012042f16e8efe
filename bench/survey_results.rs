//! The public results page of a survey as its answers grow: 20 000 responses, then
//! 1 000 000, all stored through the store's own write path (batches of the
//! group-commit writer's size), on SQLite.
//!
//! `cargo bench --bench survey_results` (optimised build). In one run:
//! 1. A survey with a scale question, a single choice, a multiple choice and a free-text
//!    question, its results public; `SMALL` responses stored (default 20 000).
//! 2. The release `participa serve` on that file; `GET /consultas/{id}/resultados`
//!    50 times in a row after 5 to warm up, each with an address of its own so that the
//!    page is drawn every time: p50 and p99 (and the p50 as served, the same address
//!    again, mostly from the answers kept for a moment). Beside it, what drawing the
//!    page cost before the counts were kept: the grouping of every answer the page used
//!    to run, timed in the same database (median of 5).
//! 3. The server stops; responses are added up to `LARGE` (default 1 000 000); the same
//!    measurements again. Prints the ratio of p50 at `LARGE` to p50 at `SMALL` (target:
//!    under 1.5) and the ratio of the old grouping to the page.
//!
//! 4. Memory, at each size: the server's resident memory idle (a second after it
//!    started, before any request) and after the results pages; then, signed in as
//!    staff, the peak resident memory while every response downloads as CSV and as
//!    XLSX (the peak counted from just before each download). Both exports are
//!    streamed, so their peak should not grow with the responses.
//!
//! `SURVEY_RESULTS_SMALL` and `SURVEY_RESULTS_LARGE` change the sizes.

// Only the consultation of the fixtures is used here.
#[path = "fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

#[path = "peak_memory.rs"]
mod peak_memory;

#[path = "server.rs"]
mod server;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use participa_domain::participation::survey::{check_question, QuestionKind};
use participa_store::{Actor, NewResponse, Store, MAX_BATCH};
use server::{login, setting, sign_ins_at_once, start_server, wait_healthy, Http};
use std::collections::BTreeMap;
use std::time::Instant;

/// The i-th citizen's answers, spread over the options by a fixed rule.
fn response(consultation: i64, i: u64) -> NewResponse {
    let mut answers = BTreeMap::new();
    answers.insert(1, vec![(1 + i % 5).to_string()]);
    let towns = ["Bogotá", "Medellín", "Cali", "Otra"];
    answers.insert(2, vec![towns[(i % 4) as usize].to_string()]);
    let channels = ["Sitio web", "Línea telefónica", "Sede"];
    let chosen: Vec<String> = channels
        .iter()
        .enumerate()
        .filter(|(k, _)| (i >> k) & 1 == 1)
        .map(|(_, c)| c.to_string())
        .collect();
    if !chosen.is_empty() {
        answers.insert(3, chosen);
    }
    if i.is_multiple_of(10) {
        answers.insert(4, vec![format!("Más horarios de atención ({i})")]);
    }
    NewResponse {
        consultation,
        answers,
        identification: None,
    }
}

/// Stores responses `from..to` in batches of the writer's size: the seconds it took.
async fn fill(store: &Store, id: i64, from: u64, to: u64) -> f64 {
    let start = Instant::now();
    let mut next = from;
    while next < to {
        let end = (next + MAX_BATCH as u64).min(to);
        let batch: Vec<NewResponse> = (next..end).map(|i| response(id, i)).collect();
        for r in store.add_responses(&batch).await {
            r.expect("a stored response");
        }
        next = end;
    }
    start.elapsed().as_secs_f64()
}

/// What the results page ran before the counts were kept: every answer joined to its
/// response and grouped, and the responses per question counted (median of 5, ms).
async fn old_grouping(url: &str, id: i64) -> f64 {
    use sqlx::ConnectOptions;
    let mut conn = url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        sqlx::query(
            "SELECT a.question, COUNT(DISTINCT a.response_id) AS n FROM consultation_answers a \
             JOIN consultation_responses r ON r.id = a.response_id \
             WHERE r.consultation_id = $1 GROUP BY a.question",
        )
        .bind(id)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        sqlx::query(
            "SELECT a.question, a.value, COUNT(*) AS n FROM consultation_answers a \
             JOIN consultation_responses r ON r.id = a.response_id \
             WHERE r.consultation_id = $1 AND a.question NOT IN (4) GROUP BY a.question, a.value",
        )
        .bind(id)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[2]
}

/// p50 and p99 of the results page over 50 requests in a row, after 5 to warm up (ms),
/// and the body of the last one. With `drawn`, each request has an address of its own
/// (an unused query), so that none is answered from the public answers kept for a
/// moment: the page is drawn from the database every time.
async fn results_page(http: &Http, base: &str, id: i64, drawn: bool) -> (f64, f64, String) {
    let mut times = Vec::new();
    let mut body = String::new();
    for i in 0..55 {
        let start = Instant::now();
        let query = if drawn {
            format!("?vez={i}")
        } else {
            String::new()
        };
        let req = hyper::Request::get(format!("{base}/consultas/{id}/resultados{query}"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = http.request(req).await.unwrap();
        assert_eq!(response.status(), hyper::StatusCode::OK, "results page");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        if i >= 5 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        body = String::from_utf8_lossy(&bytes).into_owned();
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99), body)
}

/// Downloads every response as `format` as staff: (seconds, MiB downloaded, the server's
/// peak resident memory during the download in MiB).
async fn export(
    http: &Http,
    base: &str,
    cookie: &str,
    id: i64,
    format: &str,
    pid: &str,
) -> (f64, f64, f64) {
    peak_memory::reset_peak(pid);
    let start = Instant::now();
    let req = hyper::Request::get(format!("{base}/admin/consultas/{id}/respuestas.{format}"))
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = http.request(req).await.unwrap();
    assert_eq!(response.status(), hyper::StatusCode::OK, "export {format}");
    let mut body = response.into_body();
    let mut bytes = 0usize;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            bytes += data.len();
        }
    }
    (
        start.elapsed().as_secs_f64(),
        bytes as f64 / 1048576.0,
        peak_memory::peak_rss_kib(pid) as f64 / 1024.0,
    )
}

struct Measured {
    responses: u64,
    idle_mib: f64,
    after_pages_mib: f64,
    /// (format, seconds, MiB, peak MiB).
    exports: Vec<(&'static str, f64, f64, f64)>,
    /// 32 sign-ins at once: (let in, MiB before, peak MiB, MiB after).
    sign_ins: (usize, f64, f64, f64),
    served_p50: f64,
    fill_seconds: f64,
    p50: f64,
    p99: f64,
    old: f64,
    db_mib: f64,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let small = setting("SURVEY_RESULTS_SMALL", 20_000);
    let large = setting("SURVEY_RESULTS_LARGE", 1_000_000);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("participa.db");
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await.unwrap();
    let id = fixtures::open_consultation(
        &store,
        "Encuesta de satisfacción con la atención",
        participa_domain::participation::ConsultationKind::Survey,
    )
    .await;
    let mut qs = Vec::new();
    for (text, kind, required) in [
        (
            "¿Cómo califica la atención?",
            QuestionKind::Scale(Default::default()),
            true,
        ),
        (
            "¿Desde qué ciudad nos escribe?",
            QuestionKind::from_code("unica", "Bogotá\nMedellín\nCali\nOtra").unwrap(),
            true,
        ),
        (
            "¿Qué canales usa?",
            QuestionKind::from_code("multiple", "Sitio web\nLínea telefónica\nSede").unwrap(),
            false,
        ),
        ("¿Qué mejoraría?", QuestionKind::Text, false),
    ] {
        let q = check_question(&qs, text, kind, required, None).unwrap();
        qs.push(q);
    }
    for q in &qs {
        store
            .add_consultation_question(id, q, &Actor::system())
            .await
            .unwrap();
    }
    store
        .publish_consultation_results(id, true, &Actor::system())
        .await
        .unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let mut stored = 0;
    let mut rows = Vec::new();
    for size in [small, large] {
        let fill_seconds = fill(&store, id, stored, size).await;
        stored = size;
        let mut server = start_server(&url, port, work.path(), &[]);
        let pid = server.id().to_string();
        wait_healthy(&http, &base).await;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let idle_mib = peak_memory::rss_kib(&pid) as f64 / 1024.0;
        let (p50, p99, body) = results_page(&http, &base, id, true).await;
        let (served_p50, _, _) = results_page(&http, &base, id, false).await;
        let after_pages_mib = peak_memory::rss_kib(&pid) as f64 / 1024.0;
        let cookie = login(&http, &base, &url, &format!("bench{size}")).await;
        let mut exports = Vec::new();
        for format in ["csv", "xlsx"] {
            let (seconds, mib, peak) = export(&http, &base, &cookie, id, format, &pid).await;
            exports.push((format, seconds, mib, peak));
        }
        peak_memory::reset_peak(&pid);
        let before_mib = peak_memory::rss_kib(&pid) as f64 / 1024.0;
        let let_in = sign_ins_at_once(&http, &base, &format!("bench{size}"), 32).await;
        let sign_ins = (
            let_in,
            before_mib,
            peak_memory::peak_rss_kib(&pid) as f64 / 1024.0,
            peak_memory::rss_kib(&pid) as f64 / 1024.0,
        );
        server.kill().ok();
        server.wait().ok();
        let shown = format!("{} participantes", participa_domain::numbers::grouped(size));
        assert!(
            body.contains(&shown),
            "the page shows {shown}: {}",
            &body[..body.len().min(2000)]
        );
        let old = old_grouping(&url, id).await;
        let db_mib = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0
            + std::fs::metadata(work.path().join("participa.db-wal"))
                .map(|m| m.len())
                .unwrap_or(0) as f64
                / 1048576.0;
        rows.push(Measured {
            responses: size,
            idle_mib,
            after_pages_mib,
            exports,
            sign_ins,
            served_p50,
            fill_seconds,
            p50,
            p99,
            old,
            db_mib,
        });
    }
    println!("public survey results page, release build, SQLite (WAL, synchronous=FULL), 50 requests in a row after 5");
    for m in &rows {
        println!(
            "{:>9} responses: page drawn p50 {:.2} ms, p99 {:.2} ms (as served, kept for a moment: p50 {:.2} ms); the old grouping of every answer {:.0} ms ({:.0}× the page); stored through the store in {:.1} s ({:.0} responses/s); database {:.0} MiB",
            m.responses,
            m.p50,
            m.p99,
            m.served_p50,
            m.old,
            m.old / m.p50,
            m.fill_seconds,
            (m.responses as f64 - if m.responses == rows[0].responses { 0.0 } else { rows[0].responses as f64 }) / m.fill_seconds,
            m.db_mib
        );
    }
    for m in &rows {
        println!(
            "{:>9} responses: server resident memory idle {:.1} MiB, after the results pages {:.1} MiB",
            m.responses, m.idle_mib, m.after_pages_mib
        );
        for (format, seconds, mib, peak) in &m.exports {
            println!(
                "{:>9} responses: export {format:<4} {mib:>7.1} MiB in {seconds:>6.1} s; server peak resident memory during it {peak:.1} MiB",
                m.responses
            );
        }
    }
    for m in &rows {
        let (let_in, before, peak, after) = m.sign_ins;
        println!(
            "{:>9} responses: 32 sign-ins at once ({let_in} let in): resident memory {before:.1} MiB before, peak {peak:.1} MiB, {after:.1} MiB after (Argon2 needs 19 MiB a hash; hashes wait their turn, one per core)",
            m.responses
        );
    }
    for (i, (format, ..)) in rows[0].exports.iter().enumerate() {
        println!(
            "export {format} peak memory at {} over at {}: {:.2} (target: constant, about 1)",
            rows[1].responses,
            rows[0].responses,
            rows[1].exports[i].3 / rows[0].exports[i].3
        );
    }
    let ratio = rows[1].p50 / rows[0].p50;
    println!(
        "p50 at {} over p50 at {}: {ratio:.2} (target under 1.5; p50 target under 50 ms)",
        rows[1].responses, rows[0].responses
    );
    if ratio > 1.5 || rows[1].p50 > 50.0 {
        std::process::exit(1);
    }
}
