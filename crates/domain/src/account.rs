//! Staff accounts' rules: who must change a password at the next sign-in, what a
//! password-recovery link is worth at a given moment, and how a signed-in browser is
//! named on the account page.

use chrono::{DateTime, Duration, Utc};

/// Who chose an account's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOrigin {
    /// Generated for the user and handed over by someone else: printed on the first
    /// start, shown to the admin who created the account or reset its password, or
    /// printed by `participa user`. Someone else has seen it, so it must be changed at
    /// the first sign-in.
    Temporary,
    /// Typed by the user: on the change form, or with a recovery link.
    Chosen,
}

impl PasswordOrigin {
    /// Whether the user must choose a new password before using the platform.
    pub fn must_change(self) -> bool {
        matches!(self, PasswordOrigin::Temporary)
    }
}

/// How long a password-recovery link works, unless configured otherwise.
pub const RECOVERY_LINK_MINUTES: i64 = 30;

/// What a password-recovery link is worth at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It still sets a new password.
    Usable,
    /// It set a password already, or a later recovery or change made it void.
    Used,
    /// Its time ran out.
    Expired,
}

impl LinkState {
    /// Why a link that is not usable fails, in Spanish, for the page it leads to.
    pub fn problem(self) -> Option<&'static str> {
        match self {
            LinkState::Usable => None,
            LinkState::Used => Some(
                "Este enlace para recuperar la contraseña ya se usó y no sirve otra vez. Si necesita cambiarla de nuevo, pida otro enlace.",
            ),
            LinkState::Expired => Some(
                "Este enlace para recuperar la contraseña venció. Pida otro enlace desde la página de ingreso.",
            ),
        }
    }
}

/// The moment a recovery link issued at `issued` with a lifetime of `minutes` stops
/// working.
pub fn link_expiry(issued: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    issued + Duration::minutes(minutes.max(1))
}

/// A recovery link that works until `expires_at`, used at `used_at` (if ever), as it
/// stands at `now`. A used link stays used even after its time ran out; the link's last
/// instant is still usable.
pub fn link_state(
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> LinkState {
    if used_at.is_some() {
        LinkState::Used
    } else if now > expires_at {
        LinkState::Expired
    } else {
        LinkState::Usable
    }
}

/// The browser and system a `User-Agent` names, in words a person recognises
/// ("Chrome en Windows", "Safari en iPhone"), or "Navegador desconocido".
pub fn browser_label(user_agent: &str) -> String {
    let ua = user_agent;
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    let browser = if ua.contains("Edg/") || ua.contains("Edge/") {
        Some("Edge")
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        Some("Opera")
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        Some("Chrome")
    } else if ua.contains("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} en {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("Navegador en {s}"),
        (None, None) => "Navegador desconocido".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_a_password_someone_else_saw_must_be_changed() {
        assert!(PasswordOrigin::Temporary.must_change());
        assert!(!PasswordOrigin::Chosen.must_change());
    }

    #[test]
    fn a_link_is_usable_until_its_last_instant_and_only_once() {
        let issued = Utc.with_ymd_and_hms(2025, 4, 30, 15, 0, 0).unwrap();
        let end = link_expiry(issued, RECOVERY_LINK_MINUTES);
        assert_eq!(end, issued + Duration::minutes(30));
        // A lifetime of zero or less would make a link that never works.
        assert_eq!(link_expiry(issued, 0), issued + Duration::minutes(1));
        assert_eq!(link_state(end, None, issued), LinkState::Usable);
        assert_eq!(link_state(end, None, end), LinkState::Usable);
        assert_eq!(
            link_state(end, None, end + Duration::seconds(1)),
            LinkState::Expired
        );
        let used = Some(issued + Duration::minutes(5));
        assert_eq!(
            link_state(end, used, issued + Duration::minutes(6)),
            LinkState::Used
        );
        // Used and later past its time: still said to be used, the more useful news.
        assert_eq!(
            link_state(end, used, issued + Duration::days(2)),
            LinkState::Used
        );
        assert!(LinkState::Usable.problem().is_none());
        assert!(LinkState::Used.problem().unwrap().contains("ya se usó"));
        assert!(LinkState::Expired.problem().unwrap().contains("venció"));
    }

    #[test]
    fn browsers_are_named_as_people_know_them() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
                "Chrome en Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0",
                "Edge en Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                "Firefox en Linux",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                "Safari en iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
                "Chrome en Android",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Safari en macOS",
            ),
            ("curl/8.5.0", "Navegador desconocido"),
            ("", "Navegador desconocido"),
        ];
        for (ua, label) in cases {
            assert_eq!(browser_label(ua), label, "{ua}");
        }
    }
}
