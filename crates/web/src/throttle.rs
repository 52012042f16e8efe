//! How many passwords are checked: per user name, per address, per remembered browser,
//! and per user on the change-password form. The counts live in the store, shared by
//! every app server, and an attempt is counted before its password is checked (see
//! [`participa_store::Store::take_attempt`]), so parallel requests cannot get past the
//! limit.
//!
//! A stranger's failures must not lock staff out: a browser where the user signed in
//! with the right password gets a cookie with a random token (only its digest is kept),
//! and that user's attempts from that browser are counted on their own, apart from the
//! user name's and the address's counts that strangers fill.

use crate::error::AppError;
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::Duration;
use participa_store::{Attempt, Quota};

/// The cookie that marks a browser where the user signed in before.
pub const DEVICE_COOKIE: &str = "participa_equipo";

/// The limits of password checks; the window starts with the first counted attempt.
#[derive(Debug, Clone)]
pub struct Throttle {
    pub window: Duration,
    /// Per user name, from browsers not remembered for that user.
    pub per_user: i64,
    /// Per client address, from browsers not remembered for the user named.
    pub per_address: i64,
    /// Per remembered browser of a user.
    pub per_device: i64,
    /// Per user, wrong current passwords on the change-password form.
    pub per_password_check: i64,
    /// Per user, right passwords that give their address its attempt back.
    pub refunds_per_user: i64,
    /// Per client address, requests for a password-recovery link (whatever they name).
    pub recovery_per_address: i64,
    /// Per account, recovery links sent: past it, a request is answered as always and
    /// nothing is sent (the links already sent keep working).
    pub recovery_per_user: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            window: Duration::minutes(15),
            per_user: 5,
            per_address: 20,
            per_device: 5,
            per_password_check: 5,
            refunds_per_user: 5,
            recovery_per_address: 5,
            recovery_per_user: 3,
        }
    }
}

/// What a sign-in attempt is counted against.
pub struct SignInQuotas {
    /// Counted now, forgotten after a right password.
    pub forget: Vec<Quota>,
    /// Counted now, given back after a right password.
    pub refund: Vec<Quota>,
}

impl SignInQuotas {
    pub fn all(&self) -> Vec<Quota> {
        self.forget.iter().chain(&self.refund).cloned().collect()
    }
}

impl Throttle {
    /// The quotas of a sign-in as `username` from `address`; `device` is the user id
    /// and token of a remembered browser that belongs to the user named.
    pub fn sign_in_quotas(
        &self,
        username: &str,
        address: Option<&str>,
        device: Option<(i64, &str)>,
    ) -> SignInQuotas {
        match device {
            Some((user, token)) => SignInQuotas {
                forget: vec![Quota::new(
                    format!("d:{user}:{}", token_prefix(token)),
                    self.per_device,
                )],
                refund: Vec::new(),
            },
            None => SignInQuotas {
                forget: vec![self.user_quota(username)],
                refund: vec![Quota::new(
                    format!("a:{}", client_key(address)),
                    self.per_address,
                )],
            },
        }
    }

    /// The quota of strangers' sign-ins as `username` (what an operator's unlock clears).
    pub fn user_quota(&self, username: &str) -> Quota {
        Quota::new(
            format!("u:{}", username.trim().to_lowercase()),
            self.per_user,
        )
    }

    /// How many times per window a user's right password gives the address its attempt
    /// back.
    pub fn refund_quota(&self, user: i64) -> Quota {
        Quota::new(format!("r:{user}"), self.refunds_per_user)
    }

    /// The quota of current-password checks of `user` on the change-password form.
    pub fn password_check_quota(&self, user: i64) -> Quota {
        Quota::new(format!("c:{user}"), self.per_password_check)
    }

    /// Counts one attempt, or refuses it (429, saying how long to wait); `what` names
    /// the attempts in the message ("de ingreso").
    /// `Ok(true)` when the attempt was the last one a key had in its window.
    pub async fn take(
        &self,
        state: &AppState,
        quotas: &[Quota],
        what: &str,
    ) -> Result<bool, AppError> {
        self.take_or(state, quotas, |wait| {
            format!("Hubo demasiados intentos fallidos {what}. Espere {wait} e intente de nuevo.")
        })
        .await
    }

    /// Like [`Throttle::take`], with the refusal's message made from the wait.
    async fn take_or(
        &self,
        state: &AppState,
        quotas: &[Quota],
        message: impl Fn(&str) -> String,
    ) -> Result<bool, AppError> {
        match state.store.take_attempt(quotas, self.window).await? {
            Attempt::Allowed { last } => Ok(last),
            Attempt::Refused { retry_after } => {
                let seconds = u64::try_from(retry_after.num_seconds()).unwrap_or(1).max(1);
                let minutes = seconds.div_ceil(60);
                let wait = if minutes == 1 {
                    "1 minuto".to_string()
                } else {
                    format!("{minutes} minutos")
                };
                Err(AppError::TooManyRequests {
                    message: message(&wait),
                    retry_after: seconds,
                })
            }
        }
    }

    /// Counts a request for a recovery link from `address`, or refuses it (429). Only
    /// the asker's own address is counted here, never the account named: a stranger
    /// asking for staff's links uses up only their own requests, and the sign-in counts
    /// are not touched.
    pub async fn take_recovery_request(
        &self,
        state: &AppState,
        address: Option<&str>,
    ) -> Result<(), AppError> {
        let quota = Quota::new(
            format!("p:a:{}", client_key(address)),
            self.recovery_per_address,
        );
        self.take_or(state, &[quota], |wait| {
            format!("Se pidieron demasiados enlaces de recuperación desde su conexión. Espere {wait} e intente de nuevo; si ya pidió uno, revise su correo.")
        })
        .await
        .map(|_| ())
    }

    /// The quota of recovery links sent to account `user` per window.
    pub fn recovery_link_quota(&self, user: i64) -> Quota {
        Quota::new(format!("p:u:{user}"), self.recovery_per_user)
    }
}

/// What a client's limits are counted by: its IPv4 address, or the /64 network of an
/// IPv6 one (a single connection usually holds a whole /64, so counting each address
/// would give it endless fresh quotas).
pub fn client_key(address: Option<&str>) -> String {
    match address.map(|a| a.parse::<std::net::IpAddr>()) {
        Some(Ok(std::net::IpAddr::V6(v6))) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(Ok(ip)) => ip.to_string(),
        Some(Err(_)) => address.unwrap_or("-").to_string(),
        None => "-".to_string(),
    }
}

/// The start of a device token, enough to tell a user's browsers apart in a throttle
/// key without keeping the token itself.
fn token_prefix(token: &str) -> &str {
    token.get(..12).unwrap_or(token)
}

/// The device token the browser sent, if it looks like one of ours.
pub fn device_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == DEVICE_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A fresh device token: 32 random bytes as hex.
pub fn new_device_token() -> Result<String, AppError> {
    Ok(participa_store::random_token()?)
}

/// The `Set-Cookie` value that remembers this browser for a year, sent only to the
/// sign-in page.
pub fn device_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={token}; Path=/ingresar; Max-Age=31536000; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("hex token and fixed attributes are a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_browser_is_counted_apart_from_strangers() {
        let t = Throttle::default();
        let stranger = t.sign_in_quotas("Admin ", Some("1.2.3.4"), None);
        assert_eq!(stranger.forget[0].key, "u:admin");
        assert_eq!(stranger.refund[0].key, "a:1.2.3.4");
        let token = "ab".repeat(32);
        let mine = t.sign_in_quotas("admin", Some("1.2.3.4"), Some((7, &token)));
        assert_eq!(mine.all().len(), 1);
        assert_eq!(mine.forget[0].key, format!("d:7:{}", &token[..12]));
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        assert_eq!(
            client_key(Some("2001:db8:1:2:aaaa::1")),
            client_key(Some("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            client_key(Some("2001:db8:1:2::1")),
            client_key(Some("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(Some("10.0.0.1")), "10.0.0.1");
        assert_eq!(client_key(None), "-");
    }

    #[test]
    fn only_a_well_formed_device_cookie_is_read() {
        let token = "0f".repeat(32);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("id=x; {DEVICE_COOKIE}={token}")).unwrap(),
        );
        assert_eq!(device_token(&h), Some(token));
        let mut bad = HeaderMap::new();
        bad.insert(
            header::COOKIE,
            HeaderValue::from_static("participa_equipo=zz"),
        );
        assert_eq!(device_token(&bad), None);
        assert_eq!(device_token(&HeaderMap::new()), None);
    }
}
