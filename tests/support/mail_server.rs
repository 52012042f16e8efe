//! A real SMTP server for the tests: Python's `aiosmtpd` (Debian's `python3-aiosmtpd`,
//! which scripts/test.sh installs), run as a process on a loopback port and keeping each
//! message it accepts as a file in a Maildir, which the tests read back.
//!
//! Included by several test crates, each using part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python that has aiosmtpd: Debian's, unless `AIOSMTPD_PYTHON` says otherwise.
fn python() -> String {
    std::env::var("AIOSMTPD_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running aiosmtpd; stopped when dropped. The Maildir outlives a stop, so a server
/// stopped and started again on the same folder keeps what it received.
pub struct MailServer {
    child: Child,
    dir: PathBuf,
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    /// The From header, encoded words decoded.
    pub from: String,
    pub subject: String,
    pub message_id: String,
    /// The text, quoted-printable decoded.
    pub body: String,
}

impl MailServer {
    /// Starts aiosmtpd on `port`, keeping messages in `dir` (a Maildir).
    pub fn start(port: u16, dir: &Path) -> MailServer {
        // A Maildir's three folders (aiosmtpd makes them only for a folder that does
        // not exist yet).
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start aiosmtpd with {}: {e} (apt-get install python3-aiosmtpd; scripts/test.sh does)", python())
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        MailServer {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// Every message received so far, in the order received.
    pub fn messages(&self) -> Vec<Mail> {
        read_maildir(&self.dir)
    }

    /// Waits (up to a minute) until at least `n` messages arrived; all of them.
    pub fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl MailServer {
    /// Waits (up to a minute, without blocking the runtime) for a message `pick`
    /// accepts; the first such.
    pub async fn wait_for_one(&self, what: &str, pick: impl Fn(&Mail) -> bool) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.messages();
            if let Some(m) = got.iter().find(|m| pick(m)) {
                return m.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no message {what} among {} received: {:#?}",
                got.len(),
                got.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Mail {
    /// The link a notification points to ("Para verlo: URL").
    pub fn link(&self) -> Option<String> {
        self.body
            .lines()
            .find_map(|l| l.trim().strip_prefix("Para verlo: "))
            .map(|u| u.trim().to_string())
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages of a Maildir, oldest first.
pub fn read_maildir(dir: &Path) -> Vec<Mail> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .flatten()
        .map(|e| {
            (
                e.metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                e.path(),
            )
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, p)| std::fs::read(p).ok())
        .map(|bytes| parse(&String::from_utf8_lossy(&bytes)))
        .collect()
}

fn parse(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    // Unfold continued header lines.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| -> String {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let qp = header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable");
    let body = if qp {
        let decoded =
            quoted_printable::decode(body.as_bytes(), quoted_printable::ParseMode::Robust)
                .unwrap_or_else(|_| body.as_bytes().to_vec());
        String::from_utf8_lossy(&decoded).into_owned()
    } else {
        body.to_string()
    };
    Mail {
        to: header("To"),
        from: decode_words(&header("From")),
        subject: decode_words(&header("Subject")),
        message_id: header("Message-ID"),
        body,
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`), as lettre writes
/// a subject with accents.
fn decode_words(text: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut after_plain = false;
    for word in text.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        if parts.len() == 5 && parts[0] == "=" && parts[4] == "=" {
            // Spaces between encoded words are not part of the text.
            if after_plain {
                out.push(' ');
            }
            after_plain = false;
            let bytes = match parts[2] {
                "b" | "B" => base64::engine::general_purpose::STANDARD
                    .decode(parts[3])
                    .unwrap_or_default(),
                _ => quoted_printable::decode(
                    parts[3].replace('_', " ").as_bytes(),
                    quoted_printable::ParseMode::Robust,
                )
                .unwrap_or_default(),
            };
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            after_plain = true;
        }
    }
    out
}
