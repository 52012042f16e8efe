//! `kill -9` under load on every public write path: nothing acknowledged is lost.
//!
//! `cargo bench --bench crash` (optimised build). On one SQLite file (and, with
//! `CRASH_POSTGRES=postgres://…`, on a PostgreSQL database too):
//! 1. a survey, a forum with a topic and a hearing are created through the store;
//! 2. the release `participa serve` starts with the public forms' per-client limit off,
//!    and `CRASH_CLIENTS` clients (32) post, in turn, the five public submissions:
//!    survey answers, forum comments, suggestions, hearing registrations and hearing
//!    questions, each carrying a tag of its own;
//! 3. after a pause that changes from cycle to cycle (0.2 to 1.4 s) the server gets
//!    SIGKILL in the middle of the load, and starts again on the same database;
//! 4. after `CRASH_CYCLES` cycles (20), every submission acknowledged with its redirect
//!    (303) is looked for in the database through the store. Exits 1 if any is missing
//!    or if a restarted server does not answer.

#[path = "fixtures.rs"]
mod fixtures;

#[path = "server.rs"]
mod server;

use bytes::Bytes;
use fixtures::{create_public_forms, PublicForms};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use participa_store::{Store, SuggestionFilter};
use server::{setting, start_server, wait_healthy, Http};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The five public submissions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Answer,
    Comment,
    Suggestion,
    Registration,
    Question,
}

const KINDS: [Kind; 5] = [
    Kind::Answer,
    Kind::Comment,
    Kind::Suggestion,
    Kind::Registration,
    Kind::Question,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Answer => "survey answers",
            Kind::Comment => "forum comments",
            Kind::Suggestion => "suggestions",
            Kind::Registration => "hearing registrations",
            Kind::Question => "hearing questions",
        }
    }

    /// The form's path and body; `tag` is in the text the bench looks for afterwards
    /// (for a registration, the code in the redirect is looked for instead).
    fn request(self, forms: &PublicForms, tag: &str) -> (String, String) {
        match self {
            Kind::Answer => (
                format!("/consultas/{}/respuestas", forms.survey),
                format!("p1=4&p2={tag}"),
            ),
            Kind::Comment => (
                format!("/consultas/{}/respuestas", forms.forum),
                format!("tema={}&comentario=Comentario+{tag}", forms.topic),
            ),
            Kind::Suggestion => (
                "/sugerencias".into(),
                format!("categoria=atencion&texto=Sugerencia+de+prueba+{tag}"),
            ),
            Kind::Registration => (
                format!("/audiencias/{}/inscripcion", forms.hearing),
                format!(
                    "nombre=Persona+{tag}&correo=&telefono=&grupo={}&autorizacion=si",
                    forms.group
                ),
            ),
            Kind::Question => (
                format!("/audiencias/{}/preguntas", forms.hearing),
                format!("pregunta=Pregunta+de+prueba+{tag}&quien="),
            ),
        }
    }

    /// What the bench looks for: the tag, or the registration's code.
    fn evidence(self, tag: &str, location: &str) -> Option<String> {
        match self {
            Kind::Registration => location
                .split("inscrito=")
                .nth(1)
                .map(|c| c.split('#').next().unwrap_or(c).to_string()),
            _ => Some(tag.to_string()),
        }
    }
}

/// One submission: the Location of its 303, or Err when refused or cut off.
async fn submit(http: &Http, base: &str, path: &str, body: String) -> Result<String, String> {
    let req = hyper::Request::post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = http.request(req).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    if status == hyper::StatusCode::SEE_OTHER {
        Ok(location)
    } else {
        Err(format!("status {status}"))
    }
}

/// What the clients were told was kept: (kind, tag or code); and what was refused.
#[derive(Default)]
struct Acked {
    kept: Vec<(Kind, String)>,
    refused: usize,
}

/// `clients` tasks post the five submissions in turn until `stop` or a cut connection.
async fn load(
    http: &Http,
    base: &str,
    forms: &Arc<PublicForms>,
    clients: u64,
    stop: Arc<AtomicBool>,
    cycle: u64,
) -> Acked {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, forms, stop) =
            (http.clone(), base.to_string(), forms.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Acked::default();
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let kind = KINDS[((c + seq) % 5) as usize];
                let tag = format!("k{cycle}c{c}n{seq}");
                let (path, body) = kind.request(&forms, &tag);
                match submit(&http, &base, &path, body).await {
                    Ok(location) => match kind.evidence(&tag, &location) {
                        Some(e) => out.kept.push((kind, e)),
                        None => panic!("{} acknowledged without a code: {location}", kind.label()),
                    },
                    Err(e) if e.starts_with("status") => out.refused += 1,
                    Err(_) => break,
                }
                seq += 1;
            }
            out
        }));
    }
    let mut all = Acked::default();
    for t in tasks {
        let out = t.await.unwrap();
        all.kept.extend(out.kept);
        all.refused += out.refused;
    }
    all
}

/// Everything of each kind the database holds, as the bench tagged it.
async fn stored(url: &str, forms: &PublicForms) -> HashSet<(Kind, String)> {
    let store = Store::connect(url).await.unwrap();
    let tag_in = |text: &str| text.rsplit(' ').next().unwrap_or("").to_string();
    let mut found = HashSet::new();
    for r in store.responses(forms.survey).await.unwrap() {
        if let Some(v) = r.answers.get(&2).and_then(|v| v.first()) {
            found.insert((Kind::Answer, v.clone()));
        }
    }
    let (_, comments) = store.forum(forms.forum).await.unwrap();
    for c in comments {
        found.insert((Kind::Comment, tag_in(&c.body)));
    }
    for s in store
        .suggestions(&SuggestionFilter::default())
        .await
        .unwrap()
    {
        found.insert((Kind::Suggestion, tag_in(&s.text)));
    }
    for r in store.registrations(forms.hearing).await.unwrap() {
        if let Some(code) = r.code {
            found.insert((Kind::Registration, code));
        }
    }
    for q in store.questions(forms.hearing).await.unwrap() {
        found.insert((Kind::Question, tag_in(&q.text)));
    }
    store.close().await;
    found
}

/// `cycles` rounds of load and SIGKILL on the database at `url`: false if anything
/// acknowledged is missing or a restart failed.
async fn crash_cycles(
    name: &str,
    url: &str,
    work: &std::path::Path,
    clients: u64,
    cycles: u64,
) -> bool {
    let forms = Arc::new(create_public_forms(url).await);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let mut acked = Acked::default();
    let mut restarts = Vec::new();
    let started = Instant::now();
    for cycle in 0..cycles {
        let mut server = start_server(url, port, work, &["--public-burst", "0"]);
        let up = Instant::now();
        wait_healthy(&http, &base).await;
        restarts.push(up.elapsed());
        let stop = Arc::new(AtomicBool::new(false));
        let loader = {
            let (http, base, forms, stop) =
                (http.clone(), base.clone(), forms.clone(), stop.clone());
            tokio::spawn(async move { load(&http, &base, &forms, clients, stop, cycle).await })
        };
        // A pause that differs from cycle to cycle, so the kill lands at different points
        // of a group commit: 200 ms to 1.4 s.
        let pause = 200 + (cycle * 7919) % 1200;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill().expect("SIGKILL the server");
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let round = loader.await.unwrap();
        acked.kept.extend(round.kept);
        acked.refused += round.refused;
    }
    // One last start: the database opens after the last kill.
    let mut server = start_server(url, port, work, &["--public-burst", "0"]);
    wait_healthy(&http, &base).await;
    let page = http
        .request(
            hyper::Request::get(format!("{base}/audiencias/{}", forms.hearing))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap()
        .status();
    server.kill().ok();
    server.wait().ok();
    let elapsed = started.elapsed();

    let found = stored(url, &forms).await;
    restarts.sort();
    println!(
        "{name}: {cycles} cycles of {clients} clients and kill -9 in {:.1} s; restart to healthy: median {:.0} ms, slowest {:.0} ms; public page after the last: {page}",
        elapsed.as_secs_f64(),
        restarts[restarts.len() / 2].as_secs_f64() * 1000.0,
        restarts.last().unwrap().as_secs_f64() * 1000.0,
    );
    let mut lost_any = false;
    for kind in KINDS {
        let mine: Vec<&String> = acked
            .kept
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t)
            .collect();
        let lost = mine
            .iter()
            .filter(|t| !found.contains(&(kind, t.to_string())))
            .count();
        let stored = found.iter().filter(|(k, _)| *k == kind).count();
        lost_any |= lost > 0;
        println!(
            "  {:<22} acknowledged {:>7}   stored {:>7}   acknowledged but lost {lost}",
            kind.label(),
            mine.len(),
            stored
        );
    }
    println!("  refused (not 303): {}", acked.refused);
    !lost_any && page == hyper::StatusCode::OK
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let clients = setting("CRASH_CLIENTS", 32);
    let cycles = setting("CRASH_CYCLES", 20);
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("participa.db").display());
    let mut ok = crash_cycles(
        "SQLite (WAL, synchronous=FULL)",
        &url,
        work.path(),
        clients,
        cycles,
    )
    .await;
    if let Ok(pg) = std::env::var("CRASH_POSTGRES") {
        ok &= crash_cycles(
            "PostgreSQL (synchronous_commit=on)",
            &pg,
            work.path(),
            clients,
            cycles,
        )
        .await;
    }
    if !ok {
        std::process::exit(1);
    }
}
