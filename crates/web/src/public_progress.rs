//! What the public plan page tells a citizen about each activity: its schedule status,
//! its progress (verified by internal control, or reported and marked as not yet
//! verified), the latest accepted narrative, indicator figures against their targets,
//! participation counted on the platform, and the evidence its office published.

use participa_app::dates::{colombia_date, fecha};
use participa_app::followup::{pct, Dashboard};
use participa_domain::followup::ScheduleStatus;
use participa_domain::Plan;
use participa_store::FollowUp;
use std::collections::BTreeMap;

pub struct PublicActivity {
    pub number: u32,
    pub description: String,
    pub start: String,
    pub start_iso: String,
    pub end: String,
    pub end_iso: String,
    pub responsible: String,
    pub deliverable: String,
    /// What the entity's own table said beyond these fields: (what, value).
    pub details: Vec<(String, String)>,
    pub status: ScheduleStatus,
    /// Percent shown, 0–100 (0 when nothing was reported).
    pub progress: f64,
    pub progress_text: Option<String>,
    /// Internal control accepted the latest report (its percent is verified).
    pub verified: bool,
    pub expected: String,
    /// The latest narrative internal control accepted, with its period and date.
    pub narrative: Option<(String, String)>,
    /// (indicator, figure so far, target, unit).
    pub indicators: Vec<(String, String, String, String)>,
    /// Participation the platform counted for the activity (forums, events, channels…).
    pub figures: Vec<String>,
    /// (evidence id, file name, size).
    pub evidence: Vec<(i64, String, String)>,
}

impl PublicActivity {
    pub fn status_key(&self) -> &'static str {
        self.status.as_str()
    }
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn colour(&self) -> &'static str {
        self.status.colour()
    }
    /// The percent as the `value` of a `<progress>` bar.
    pub fn bar(&self) -> String {
        format!("{:.0}", self.progress.clamp(0.0, 100.0))
    }
}

/// A status chip above the activity cards: a link that shows only that status.
pub struct Chip {
    /// `None`: every activity.
    pub key: Option<&'static str>,
    pub label: &'static str,
    pub colour: &'static str,
    pub count: usize,
    pub current: bool,
}

pub struct PublicProgress {
    pub activities: Vec<PublicActivity>,
}

impl PublicProgress {
    /// `automatic` is the participation the platform counted per activity; it is taken.
    pub fn new(
        plan: &Plan,
        f: &FollowUp,
        d: &Dashboard,
        automatic: &mut BTreeMap<u32, Vec<String>>,
    ) -> PublicProgress {
        let frequency = f.settings.frequency;
        let names: BTreeMap<u32, String> =
            participa_domain::followup::periods(plan.year.get(), frequency)
                .into_iter()
                .map(|p| (p.number, p.name(frequency)))
                .collect();
        let activities = d
            .rows
            .iter()
            .filter_map(|r| {
                let a = plan
                    .activities
                    .iter()
                    .find(|a| a.number.get() == r.number)?;
                let progress = f.progress(r.number);
                let verified = f.progress_verified(r.number);
                let narrative = f.accepted(r.number).map(|x| {
                    let when = names.get(&x.period).cloned().unwrap_or_default();
                    (
                        x.input.narrative.clone(),
                        format!("{when} · aceptado el {}", fecha(colombia_date(x.at))),
                    )
                });
                let indicators = f
                    .indicators
                    .iter()
                    .filter(|i| i.activity == r.number)
                    .map(|i| {
                        let total = i.indicator.aggregation.total(&f.figures(i));
                        (
                            i.indicator.name.clone(),
                            pct(total),
                            pct(i.indicator.target),
                            i.indicator.unit.clone(),
                        )
                    })
                    .collect();
                let evidence = f
                    .reports
                    .iter()
                    .filter(|x| x.activity == r.number)
                    .flat_map(|x| x.evidence.iter())
                    .filter(|e| e.published_at.is_some())
                    .map(|e| (e.id, e.file_name.clone(), crate::views::file_size(e.size)))
                    .collect();
                Some(PublicActivity {
                    number: r.number,
                    description: a.description.clone(),
                    start: fecha(a.start),
                    start_iso: a.start.to_string(),
                    end: fecha(a.end),
                    end_iso: a.end.to_string(),
                    responsible: if a.responsible_text.is_empty() {
                        r.codes.clone()
                    } else {
                        a.responsible_text.clone()
                    },
                    deliverable: a.deliverable.clone(),
                    details: crate::views::detail_lines(&a.details),
                    status: r.status,
                    progress: progress.unwrap_or(0.0),
                    progress_text: progress.map(|p| format!("{} %", pct(p))),
                    verified,
                    expected: format!("{} %", pct(r.expected)),
                    narrative,
                    indicators,
                    figures: automatic.remove(&r.number).unwrap_or_default(),
                    evidence,
                })
            })
            .collect();
        PublicProgress { activities }
    }

    /// "Todas" and one chip per status some activity has, with its count.
    pub fn chips(&self, current: Option<ScheduleStatus>) -> Vec<Chip> {
        let mut chips = vec![Chip {
            key: None,
            label: "Todas",
            colour: "todas",
            count: self.activities.len(),
            current: current.is_none(),
        }];
        for s in ScheduleStatus::ALL {
            let count = self.activities.iter().filter(|a| a.status == s).count();
            if count > 0 {
                chips.push(Chip {
                    key: Some(s.as_str()),
                    label: s.label(),
                    colour: s.colour(),
                    count,
                    current: current == Some(s),
                });
            }
        }
        chips
    }
}
