//! Participa's application layer: what the web pages and the command line both do, so
//! that neither imports the other. The report data (plan document, follow-up report),
//! the follow-up dashboard, the reminders (and their e-mail through SMTP), the staff
//! accounts (first admin, passwords) and Colombia's date.
//!
//! It reads and writes through `participa-store` and builds `participa-domain` and
//! `participa-reports` values; it knows nothing of HTTP or of the command line.

pub mod accounts;
pub mod backup;
pub mod channels;
pub mod dates;
pub mod deliverables;
pub mod demo;
pub mod followup;
pub mod furag;
pub mod identity_key;
pub mod inbox;
pub mod mail;
pub mod outbox;
pub mod reimport;
pub mod reminders;
pub mod report_data;
pub mod text_analysis;

use participa_store::StoreError;

/// The application layer's one error type: a store error as the store wrote it, or an
/// internal failure (a worker thread that died) whose text is for the logs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}
