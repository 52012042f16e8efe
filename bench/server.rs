//! What the survey benches share: the binary they measure, their settings, and starting
//! a server and waiting for it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
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

/// The password [`login`] gives its user.
pub const PASSWORD: &str = "Mirador-Guatavita-71-Chingaza-páramo";

/// `n` sign-ins of `user` with [`PASSWORD`] at the same time: how many were let in.
#[allow(dead_code)]
pub async fn sign_ins_at_once(http: &Http, base: &str, user: &str, n: usize) -> usize {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (http, base) = (http.clone(), base.to_string());
        let body = format!("usuario={user}&clave={PASSWORD}");
        tasks.push(tokio::spawn(async move {
            let req = hyper::Request::post(format!("{base}/ingresar"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", &base)
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let response = http.request(req).await.unwrap();
            response.headers().contains_key("set-cookie") && response.status().is_redirection()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap() as usize;
    }
    ok
}

/// Creates the admin `user` with the CLI and signs in: the session cookie.
#[allow(dead_code)]
pub async fn login(http: &Http, base: &str, url: &str, user: &str) -> String {
    let out = Command::new(participa_bin())
        .args(["user", "create", user, "--role", "admin", "--name", "Bench"])
        .env("DATABASE_URL", url)
        .output()
        .expect("participa user create");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("contraseña: "))
        .unwrap_or_else(|| panic!("no password in: {stdout}"))
        .trim()
        .to_string();
    let body = format!("usuario={user}&clave={password}");
    let req = hyper::Request::post(format!("{base}/ingresar"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = http.request(req).await.unwrap();
    let session = |r: &hyper::Response<hyper::body::Incoming>| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("participa_sesion="))
            .and_then(|c| c.split(';').next())
            .map(str::to_string)
    };
    let cookie = session(&response).expect("a session cookie");
    // A password the command line printed is temporary: the first sign-in changes it.
    let new = PASSWORD;
    let body = format!(
        "actual={}&nueva={}&repetir={}",
        password,
        new.replace(' ', "+"),
        new.replace(' ', "+")
    );
    let req = hyper::Request::post(format!("{base}/admin/cuenta/clave"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .header("cookie", &cookie)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let changed = http.request(req).await.unwrap();
    let status = changed.status();
    let renewed = session(&changed);
    let page = changed.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8_lossy(&page);
    let said: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("class=\"error\""))
        .collect();
    assert!(
        (status.is_success() || status.is_redirection()) && said.is_empty(),
        "the password change answered {status}: {said:?}"
    );
    renewed.unwrap_or(cookie)
}
