//! Survey answers under concurrent load, and what survives `kill -9`.
//!
//! `cargo bench --bench survey_load` (optimised build). In one run, on this machine:
//! 1. **Baseline**: the raw SQLite durable-insert rate: one row per committed
//!    transaction, sequentially, on a fresh file with the pragmas the store uses (WAL,
//!    `synchronous=FULL`: a commit returns once on disk); for context also with
//!    `synchronous=NORMAL`, which the store used before (an acknowledged answer could be
//!    lost in a power cut).
//! 2. **Load**: the release `participa serve` on its own SQLite file, with the public
//!    forms' per-client limit off (every request comes from 127.0.0.1), and `CLIENTS`
//!    concurrent clients posting complete answers to `POST /consultas/{id}/respuestas`
//!    over loopback for `SECONDS`. Reports accepted answers per second, p50 and p99
//!    latency, and the ratio of accepted answers per second to the baseline. Answers
//!    reach the database through the group-commit writer: one durable commit for all
//!    the answers that arrived while the previous one was being written.
//! 3. **Crash**: the same load again; after a moment the server gets SIGKILL mid-load.
//!    It is restarted on the same file, and every answer acknowledged (303) before the
//!    kill, in both phases, must be in the database. Exits 1 if any is missing.
//!
//! 4. **Results**: the public results page, 10 times in a row: median time and the
//!    server's peak memory.
//! 5. **Exports**: on the restarted server, staff download every response as CSV and as
//!    XLSX; reports the time, the size, and the server's peak resident memory before and
//!    after each (both are streamed: memory should not grow with the responses).
//!
//! 6. With `SURVEY_LOAD_POSTGRES=postgres://…`, the load again on PostgreSQL, against a
//!    raw one-client loop of single-row transactions on the same server.
//!
//! `SURVEY_LOAD_CLIENTS` and `SURVEY_LOAD_SECONDS` change the defaults (64 clients, 5 s).

#[path = "peak_memory.rs"]
mod peak_memory;

// Only the survey of the fixtures is used here.
#[path = "fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

#[path = "server.rs"]
mod server;

use bytes::Bytes;
use fixtures::create_survey;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use participa_store::Store;
use server::{login, setting, start_server, wait_healthy, Http};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sequential single-row transactions on a fresh SQLite file: rows per second.
async fn raw_insert_rate(path: &std::path::Path, full: bool, seconds: u64) -> f64 {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::ConnectOptions;
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if full {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        })
        .connect()
        .await
        .expect("open the baseline file");
    sqlx::query("CREATE TABLE answers (id INTEGER PRIMARY KEY, response INTEGER NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO answers (response, value, at) VALUES ($1, $2, $3)")
            .bind(n as i64)
            .bind(format!("baseline-{n}"))
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Sequential single-row transactions from one client on a PostgreSQL server, with
/// `synchronous_commit=on`: rows per second.
async fn raw_pg_insert_rate(url: &str, seconds: u64) -> f64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("the PostgreSQL baseline");
    sqlx::query("SET synchronous_commit = on")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("CREATE TEMPORARY TABLE answers (id BIGSERIAL PRIMARY KEY, response BIGINT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("INSERT INTO answers (response, value, at) VALUES ($1, $2, $3)")
            .bind(n as i64)
            .bind(format!("baseline-{n}"))
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// One answer: Ok(latency) when acknowledged with 303, Err when refused or cut.
async fn post_answer(
    http: &Http,
    base: &str,
    path: &str,
    tag: &str,
    scale: u64,
) -> Result<Duration, String> {
    let body = format!("p1={scale}&p2={tag}");
    let req = hyper::Request::post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let start = Instant::now();
    let response = http.request(req).await.map_err(|e| e.to_string())?;
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    if status == hyper::StatusCode::SEE_OTHER {
        Ok(start.elapsed())
    } else {
        Err(format!("status {status}"))
    }
}

struct Outcome {
    acked: Vec<String>,
    latencies: Vec<Duration>,
    refused: usize,
    elapsed: Duration,
}

/// `clients` tasks post answers until `stop` is set or their connection fails.
async fn load(
    http: &Http,
    base: &str,
    path: &str,
    clients: u64,
    stop: Arc<AtomicBool>,
    phase: &str,
) -> Outcome {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, path, stop) = (
            http.clone(),
            base.to_string(),
            path.to_string(),
            stop.clone(),
        );
        let phase = phase.to_string();
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut latencies, mut refused) = (Vec::new(), Vec::new(), 0usize);
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let tag = format!("{phase}-{c}-{seq}");
                match post_answer(&http, &base, &path, &tag, seq % 5 + 1).await {
                    Ok(l) => {
                        acked.push(tag);
                        latencies.push(l);
                    }
                    Err(e) if e.starts_with("status") => refused += 1,
                    Err(_) => break,
                }
                seq += 1;
            }
            (acked, latencies, refused)
        }));
    }
    let mut out = Outcome {
        acked: vec![],
        latencies: vec![],
        refused: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (a, l, r) = t.await.unwrap();
        out.acked.extend(a);
        out.latencies.extend(l);
        out.refused += r;
    }
    out.elapsed = start.elapsed();
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let clients = setting("SURVEY_LOAD_CLIENTS", 64);
    let seconds = setting("SURVEY_LOAD_SECONDS", 5);
    let work = tempfile::tempdir().unwrap();

    // 1. Baseline.
    let normal = raw_insert_rate(&work.path().join("baseline-normal.db"), false, seconds).await;
    let full = raw_insert_rate(&work.path().join("baseline-full.db"), true, seconds).await;

    // 2. A survey like the seed's activity 5, created in the server's database.
    let url = format!("sqlite://{}", work.path().join("participa.db").display());
    let id = create_survey(&url).await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let path = format!("/consultas/{id}/respuestas");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let mut server = start_server(&url, port, work.path(), &["--public-burst", "0"]);
    wait_healthy(&http, &base).await;

    // Warm up, then load.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let timer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        flag.store(true, Ordering::Relaxed);
    });
    let warm = load(&http, &base, &path, clients, stop, "warm").await;
    timer.await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let timer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        flag.store(true, Ordering::Relaxed);
    });
    let mut measured = load(&http, &base, &path, clients, stop, "load").await;
    timer.await.unwrap();
    measured.latencies.sort();
    let rate = measured.acked.len() as f64 / measured.elapsed.as_secs_f64();

    // 3. The same load, and SIGKILL in the middle of it.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let loader = {
        let (http, base, path) = (http.clone(), base.clone(), path.clone());
        tokio::spawn(async move { load(&http, &base, &path, clients, flag, "kill").await })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL the server");
    server.wait().unwrap();
    let killed = loader.await.unwrap();
    stop.store(true, Ordering::Relaxed);

    let mut restarted = start_server(&url, port, work.path(), &["--public-burst", "0"]);
    let restart = Instant::now();
    wait_healthy(&http, &base).await;
    let restart_time = restart.elapsed();
    let page = http
        .request(
            hyper::Request::get(format!("{base}/consultas/{id}"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap()
        .status();

    // 4. The public results page, drawn from every response: 10 requests in a row.
    let mut results_times = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        let req = hyper::Request::get(format!("{base}/consultas/{id}/resultados"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = http.request(req).await.unwrap();
        assert_eq!(response.status(), hyper::StatusCode::OK, "results page");
        response.into_body().collect().await.unwrap();
        results_times.push(start.elapsed());
    }
    results_times.sort();
    let results_rss = peak_memory::peak_rss_kib(&restarted.id().to_string());

    // 5. Exports, as staff.
    let cookie = login(&http, &base, &url, "bench").await;
    let mut exports = Vec::new();
    for format in ["csv", "xlsx"] {
        let before = peak_memory::peak_rss_kib(&restarted.id().to_string());
        let start = Instant::now();
        let req = hyper::Request::get(format!("{base}/admin/consultas/{id}/respuestas.{format}"))
            .header("cookie", &cookie)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = http.request(req).await.unwrap();
        assert_eq!(response.status(), hyper::StatusCode::OK, "export {format}");
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .len();
        exports.push((
            format,
            start.elapsed(),
            bytes,
            before,
            peak_memory::peak_rss_kib(&restarted.id().to_string()),
        ));
    }
    restarted.kill().ok();
    restarted.wait().ok();

    let store = Store::connect(&url).await.unwrap();
    let stored: HashSet<String> = store
        .responses(id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| r.answers.get(&2).and_then(|v| v.first().cloned()))
        .collect();
    let acked: Vec<&String> = warm
        .acked
        .iter()
        .chain(&measured.acked)
        .chain(&killed.acked)
        .collect();
    let missing = acked
        .iter()
        .filter(|t| !stored.contains(t.as_str()))
        .count();

    println!("survey answers over loopback: {clients} clients, {seconds} s, release build, SQLite (WAL, synchronous=FULL, group commit)");
    println!(
        "raw SQLite durable insert, synchronous=FULL (baseline)    {full:>9.0} rows/s   ratio 1.00"
    );
    println!("raw SQLite insert, synchronous=NORMAL (not durable)       {normal:>9.0} rows/s   ratio {:.2}", normal / full);
    println!(
        "accepted answers (POST → 303, 1 response + 2 answers)     {rate:>9.0} answers/s ratio {:.2}   p50 {:.1} ms   p99 {:.1} ms   refused {}",
        rate / full,
        percentile(&measured.latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&measured.latencies, 0.99).as_secs_f64() * 1000.0,
        measured.refused
    );
    println!(
        "kill -9 after 1.5 s of load: {} answers acknowledged before the kill; restart in {:.0} ms; public page {page}",
        killed.acked.len(),
        restart_time.as_secs_f64() * 1000.0
    );
    println!(
        "acknowledged in all phases: {}; stored: {}; acknowledged but missing: {missing}",
        acked.len(),
        stored.len()
    );
    println!(
        "public results page over {} responses: median {:.1} ms of 10; server peak memory {:.1} MiB after",
        stored.len(),
        results_times[5].as_secs_f64() * 1000.0,
        results_rss as f64 / 1024.0
    );
    for (format, time, bytes, before, after) in &exports {
        println!(
            "export {format:<4} of {} responses: {:>6.0} ms, {:>6.1} MiB; server peak memory {:.1} MiB before, {:.1} MiB after",
            stored.len(),
            time.as_secs_f64() * 1000.0,
            *bytes as f64 / 1048576.0,
            *before as f64 / 1024.0,
            *after as f64 / 1024.0
        );
    }
    // 6. PostgreSQL, when SURVEY_LOAD_POSTGRES names a database: the same load, against
    //    a raw one-client insert loop on the same server as the baseline.
    if let Ok(pg) = std::env::var("SURVEY_LOAD_POSTGRES") {
        let raw = raw_pg_insert_rate(&pg, seconds).await;
        let id = create_survey(&pg).await;
        let path = format!("/consultas/{id}/respuestas");
        let mut server = start_server(&pg, port, work.path(), &["--public-burst", "0"]);
        wait_healthy(&http, &base).await;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let timer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            flag.store(true, Ordering::Relaxed);
        });
        load(&http, &base, &path, clients, stop, "pg-warm").await;
        timer.await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let timer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            flag.store(true, Ordering::Relaxed);
        });
        let mut on_pg = load(&http, &base, &path, clients, stop, "pg").await;
        timer.await.unwrap();
        server.kill().ok();
        server.wait().ok();
        on_pg.latencies.sort();
        let rate = on_pg.acked.len() as f64 / on_pg.elapsed.as_secs_f64();
        println!("PostgreSQL: raw single-client insert, synchronous_commit=on (baseline) {raw:>9.0} rows/s   ratio 1.00");
        println!(
            "PostgreSQL: accepted answers (group commit)                 {rate:>9.0} answers/s ratio {:.2}   p50 {:.1} ms   p99 {:.1} ms   refused {}",
            rate / raw,
            percentile(&on_pg.latencies, 0.50).as_secs_f64() * 1000.0,
            percentile(&on_pg.latencies, 0.99).as_secs_f64() * 1000.0,
            on_pg.refused
        );
    }
    if missing > 0 || page != hyper::StatusCode::OK {
        std::process::exit(1);
    }
}
