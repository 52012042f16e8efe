//! The site's "última actualización" date in every page's footer: the moment of the
//! latest audit entry that [updates the site](participa_store::AuditAction::updates_site)
//! (sign-ins and citizens' own submissions and erasures do not).
//!
//! Kept in memory and brought up to date before a page is drawn, by the layer that
//! counts writes (`track_changes`): at most once a second, and at once after this
//! process answered a request that may have written. A page cached until the latest
//! audit entry moves asks [`AppState::last_change`], which also brings the date up to
//! that entry before the page is drawn, so no cached page keeps an older date. Each check
//! reads only the entries written since the previous one (and a few before, see
//! [`OVERLAP`]), so it costs the same however long the log grows.

use crate::error::AppResult;
use crate::AppState;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a check is trusted when nothing was written here (and how long a failed
/// one waits before the next try).
const RECHECK: Duration = Duration::from_secs(1);

/// Audit ids below the latest seen that each check reads again. PostgreSQL hands out ids
/// when rows are inserted, not when their transactions commit, so an entry can become
/// visible after a later one was already read; the latest moment is a maximum, so
/// reading an entry twice changes nothing.
const OVERLAP: i64 = 64;

pub struct SiteUpdated {
    /// The latest site-updating moment read (None: none yet).
    at: Mutex<Option<DateTime<Utc>>>,
    /// The latest audit id read: an atomic, since every request for a page cached by
    /// the audit log compares its entry with it.
    id: AtomicI64,
    /// A periodic check is under way: other requests keep the date they have.
    checking: AtomicBool,
    /// When the last check ended, in milliseconds after `start` (0: never), and this
    /// process's writes then. Atomics, so that the check every request makes first (is
    /// the last one fresh?) takes no lock: cached pages are served tens of thousands of
    /// times a second.
    checked_ms: AtomicU64,
    checked_writes: AtomicU64,
    start: Instant,
}

impl Default for SiteUpdated {
    fn default() -> Self {
        SiteUpdated {
            at: Mutex::default(),
            id: AtomicI64::new(0),
            checking: AtomicBool::new(false),
            checked_ms: AtomicU64::new(0),
            checked_writes: AtomicU64::new(0),
            start: Instant::now(),
        }
    }
}

impl SiteUpdated {
    /// The moment the site last changed, as last read.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        *self.at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the last check was made after this process's `writes`-th write and less
    /// than [`RECHECK`] ago.
    fn fresh(&self, writes: u64) -> bool {
        let checked = self.checked_ms.load(Ordering::Acquire);
        checked != 0
            && self.checked_writes.load(Ordering::Acquire) == writes
            && self.now_ms().saturating_sub(checked) < RECHECK.as_millis() as u64
    }

    /// The periodic check before a page: skipped while the last one is fresh, or while
    /// another request is making it.
    pub(crate) async fn refresh(&self, state: &AppState) {
        let writes = state.writes.load(Ordering::Acquire);
        if self.fresh(writes) {
            return;
        }
        if self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Err(e) = self.read(state, writes).await {
            // The footer keeps the date it had; the next try waits a second.
            tracing::warn!("reading the site's last update: {e}");
            self.mark_checked(writes);
        }
        self.checking.store(false, Ordering::Release);
    }

    /// Milliseconds since `start`, at least 1 (0 means never checked).
    fn now_ms(&self) -> u64 {
        (self.start.elapsed().as_millis() as u64).max(1)
    }

    fn mark_checked(&self, writes: u64) {
        self.checked_writes.store(writes, Ordering::Release);
        self.checked_ms.store(self.now_ms(), Ordering::Release);
    }

    /// Reads up to audit entry `change` at least, when not read yet.
    pub(crate) async fn catch_up(&self, state: &AppState, change: i64) -> AppResult<()> {
        if self.id.load(Ordering::Acquire) < change {
            self.read(state, state.writes.load(Ordering::Acquire))
                .await?;
        }
        Ok(())
    }

    async fn read(&self, state: &AppState, writes: u64) -> AppResult<()> {
        let from = self.id.load(Ordering::Acquire);
        let (id, at) = state
            .store
            .site_updates_since((from - OVERLAP).max(0))
            .await?;
        {
            let mut seen = self.at.lock().unwrap_or_else(|p| p.into_inner());
            *seen = (*seen).max(at);
        }
        // After the moment, so whoever sees the id also sees the date it brought.
        self.id.fetch_max(id, Ordering::AcqRel);
        self.mark_checked(writes);
        Ok(())
    }
}

impl AppState {
    /// The latest audit entry, for pages cached until it moves; the footer's date is
    /// brought up to it first, so the page drawn for it shows the right date.
    ///
    /// Asks the database only when the last check is older than [`RECHECK`] or this
    /// process answered a write since: a page served from memory then costs no query.
    /// Another server's change is seen within [`RECHECK`]; this server's own at once.
    pub async fn last_change(&self) -> AppResult<i64> {
        let writes = self.writes.load(Ordering::Acquire);
        if self.site_updated.fresh(writes) {
            return Ok(self.site_updated.id.load(Ordering::Acquire));
        }
        let change = self.store.last_change().await?;
        self.site_updated.catch_up(self, change).await?;
        self.site_updated.mark_checked(writes);
        Ok(change)
    }
}
