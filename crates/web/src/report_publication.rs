//! The block each staff page of a deliverable report shows (suggestions, events, channel
//! figures, a consultation's results): today's report to download, whether the public
//! site offers a copy and from when, and the buttons to publish it (again) or withdraw
//! it. One builder and one template (`report_publication.html`) for the four pages.

use crate::error::AppResult;
use crate::AppState;

/// What the block shows.
pub struct ReportPublication {
    /// The staff downloads of today's report, without `/informe.pdf`.
    pub staff: String,
    /// Where the publish and withdraw buttons send.
    pub action: String,
    /// The viewer may publish and withdraw.
    pub can_publish: bool,
    /// The public copy, when there is one.
    pub published: Option<PublishedCopy>,
}

pub struct PublishedCopy {
    /// When it was published, as people read it (`3 dic 2026, 10:15`).
    pub at: String,
    /// The public downloads, without `/informe.pdf`.
    pub public: String,
}

/// Where the public downloads report `kind` of `subject` (add `/informe.pdf` or
/// `/informe.xlsx`).
pub fn public_base(kind: &str, subject: i64) -> String {
    if kind == "consulta" {
        format!("/consultas/{subject}/informe")
    } else {
        format!("/informes/{kind}")
    }
}

impl ReportPublication {
    /// The block of report `kind` (`sugerencias`, `eventos`, `canales`, or `consulta`
    /// with `subject` the consultation).
    pub async fn load(
        state: &AppState,
        kind: &str,
        subject: i64,
        can_publish: bool,
    ) -> AppResult<ReportPublication> {
        // Staff download today's report under /admin, at the public address.
        let public = public_base(kind, subject);
        let staff = format!("/admin{public}");
        let published = state
            .store
            .published_report(kind, subject)
            .await?
            .map(|r| PublishedCopy {
                at: participa_app::dates::momento(r.at),
                public,
            });
        Ok(ReportPublication {
            action: format!("{staff}/publicacion"),
            staff,
            can_publish,
            published,
        })
    }
}
