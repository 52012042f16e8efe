//! What the survey benches share: the binary they measure, their settings, and starting
//! a server and waiting for it.

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub type Http = Client<HttpConnector, Full<Bytes>>;

/// The binary measured: this build's, or `PARTICIPA_BIN` (an earlier build, for a
/// before/after on the same machine).
pub fn participa_bin() -> String {
    std::env::var("PARTICIPA_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_participa").to_string())
}

/// The number in the environment variable `name`, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `participa serve` on `url` at `port`, with its evidence and key files under `work`,
/// and `extra` options; its output dropped.
pub fn start_server(url: &str, port: u16, work: &std::path::Path, extra: &[&str]) -> Child {
    Command::new(participa_bin())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(extra)
        .arg("--evidence")
        .arg(work.join("evidencias"))
        .current_dir(work)
        .env("DATABASE_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start participa")
}

/// Waits (up to a minute) until the server at `base` answers its health check.
pub async fn wait_healthy(http: &Http, base: &str) {
    for _ in 0..600 {
        let req = hyper::Request::get(format!("{base}/salud"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        if let Ok(r) = http.request(req).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not answer /salud");
}
