//! The public forum page as its comments grow: a forum with one topic and `SMALL`
//! comments (300), then `LARGE` (20 000), all stored through the store's own write
//! path, on SQLite.
//!
//! `cargo bench --bench forum_page` (optimised build). At each size, the release
//! `participa serve` answers `GET /consultas/{id}` 30 times in a row after 5, each with
//! an address of its own so that the page is drawn every time: p50 and the page's size.
//! Beside it, as the baseline of the same run, staff's moderation page of the same
//! forum, which lists every comment by design. Prints the ratio of the public page's
//! p50 at `LARGE` to its p50 at `SMALL` (target: about 1; the moderation page's own
//! ratio shows what listing everything costs).
//!
//! `FORUM_PAGE_SMALL` and `FORUM_PAGE_LARGE` change the sizes.

#[path = "fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

#[path = "server.rs"]
mod server;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use participa_domain::participation::forum::{CommentStatus, NewComment};
use participa_store::Store;
use server::{login, setting, start_server, wait_healthy, Http};
use std::time::Instant;

/// p50 over 30 requests after 5 (ms), and the body size of the last (KiB).
async fn page(http: &Http, base: &str, path: &str, cookie: Option<&str>) -> (f64, f64) {
    let mut times = Vec::new();
    let mut size = 0;
    for i in 0..35 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut req = hyper::Request::get(format!("{base}{path}{sep}vez={i}"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let start = Instant::now();
        let response = http
            .request(req.body(Full::new(Bytes::new())).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), hyper::StatusCode::OK, "{path}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        if i >= 5 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        size = body.len();
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], size as f64 / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let small = setting("FORUM_PAGE_SMALL", 300);
    let large = setting("FORUM_PAGE_LARGE", 20_000);
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("participa.db").display());
    let forms = fixtures::create_public_forms(&url).await;
    let store = Store::connect(&url).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let mut stored = 0;
    let mut rows = Vec::new();
    for (round, size) in [small, large].into_iter().enumerate() {
        // One reply in ten, to the comment before it.
        let mut last = None;
        for n in stored..size {
            let parent = if n % 10 == 9 { last } else { None };
            let id = store
                .add_forum_comment(
                    forms.topic,
                    &NewComment {
                        body: format!(
                            "Comentario {n} sobre el trámite de vivienda y sus requisitos"
                        ),
                        author: None,
                        parent,
                    },
                    CommentStatus::Published,
                )
                .await
                .unwrap();
            last = Some(id);
        }
        stored = size;
        let mut server = start_server(&url, port, work.path(), &[]);
        wait_healthy(&http, &base).await;
        let public = page(&http, &base, &format!("/consultas/{}", forms.forum), None).await;
        let cookie = login(&http, &base, &url, &format!("bench{round}")).await;
        let staff = page(
            &http,
            &base,
            &format!("/admin/consultas/{}/moderacion", forms.forum),
            Some(&cookie),
        )
        .await;
        server.kill().ok();
        server.wait().ok();
        rows.push((size, public, staff));
    }
    println!("forum pages, release build, SQLite, 30 requests in a row after 5, each drawn");
    for (size, (p50, kib), (s50, skib)) in &rows {
        println!(
            "{size:>7} comments: public page p50 {p50:.2} ms ({kib:.0} KiB); staff moderation page (lists every comment) p50 {s50:.2} ms ({skib:.0} KiB)"
        );
    }
    let public = rows[1].1 .0 / rows[0].1 .0;
    let staff = rows[1].2 .0 / rows[0].2 .0;
    println!(
        "p50 at {} over p50 at {}: public page {public:.2} (target about 1), moderation page {staff:.2}",
        rows[1].0, rows[0].0
    );
}
