//! The site's "última actualización" date in every page's footer: the moment of the
//! latest audit entry that [updates the site](participa_store::AuditAction::updates_site)
//! (sign-ins and citizens' own submissions do not).
//!
//! Kept in memory and brought up to date before a page is drawn (by the layer that
//! counts writes, `track_changes`): at most once a second,
//! and at once after this process answered a request that may have written. Each check
//! reads only the audit entries written since the previous one, so it costs the same
//! however long the log grows; another process's change shows within a second.

use crate::AppState;
use chrono::{DateTime, Utc};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a check is trusted when nothing was written here.
const RECHECK: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct SiteUpdated(Mutex<Seen>);

#[derive(Default, Clone, Copy)]
struct Seen {
    /// The latest audit id read.
    id: i64,
    /// The latest site-updating moment read (None: none yet).
    at: Option<DateTime<Utc>>,
    /// When, and after how many writes of this process, it was last read.
    checked: Option<(Instant, u64)>,
}

impl SiteUpdated {
    /// The moment the site last changed, as last read.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.seen().at
    }

    fn seen(&self) -> Seen {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads what was audited since the last check, unless that check is fresh.
    pub(crate) async fn refresh(&self, state: &AppState) {
        let writes = state.writes.load(Ordering::Acquire);
        let seen = self.seen();
        if let Some((at, w)) = seen.checked {
            if w == writes && at.elapsed() < RECHECK {
                return;
            }
        }
        match state.store.site_updates_since(seen.id).await {
            Ok((id, at)) => {
                let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
                // Another request may have read further meanwhile: keep the furthest.
                if id >= s.id {
                    s.id = id;
                    s.at = at.max(s.at);
                    s.checked = Some((Instant::now(), writes));
                }
            }
            // The footer keeps the date it had; the page itself reports its own errors.
            Err(e) => tracing::warn!("reading the site's last update: {e}"),
        }
    }
}
