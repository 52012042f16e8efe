//! The national view: the figures a national observer (Función Pública, or a
//! department's planning office for its municipalities) reads for each entity it is
//! given, and their summary.

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One entity's figures for a year.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityFigures {
    pub entity_id: i64,
    pub slug: String,
    pub name: String,
    pub order: crate::EntityOrder,
    pub department_code: String,
    pub municipality_code: String,
    /// Its plan of the year, if it has one.
    pub plan: Option<PlanFigures>,
    pub participation: Participation,
}

/// The plan of the year of an entity: whether and when it was published, and how its
/// schedule goes.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFigures {
    pub plan_id: i64,
    /// The Colombian day its first version was published, if it was.
    pub published_on: Option<NaiveDate>,
    pub activities: i64,
    /// Activities whose end date has passed.
    pub due: i64,
    /// Of those, the ones whose latest report says 100 %.
    pub done_when_due: i64,
    /// Its FURAG readiness as last computed, if staff opened it.
    pub furag: Option<FuragFigures>,
}

/// How many FURAG questions of a plan stand ready, partial, without data or to
/// confirm, and the Colombian day that was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuragFigures {
    pub ready: i64,
    pub partial: i64,
    pub missing: i64,
    pub to_confirm: i64,
    pub computed_on: NaiveDate,
}

impl FuragFigures {
    /// «12 de 19 preguntas listas, 4 parciales».
    pub fn sentence(&self) -> String {
        let total = self.ready + self.partial + self.missing + self.to_confirm;
        format!(
            "{} de {total} listas, {} parciales",
            self.ready, self.partial
        )
    }
}

/// How many took part, by channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Participation {
    pub suggestions: i64,
    pub hearing_registrations: i64,
    pub survey_responses: i64,
    pub forum_comments: i64,
    pub events: i64,
    pub event_attendees: i64,
}

impl Participation {
    /// Every contribution counted once: suggestions, registrations, responses,
    /// comments and event attendees.
    pub fn total(&self) -> i64 {
        self.suggestions
            + self.hearing_registrations
            + self.survey_responses
            + self.forum_comments
            + self.event_attendees
    }

    fn add(&mut self, other: &Participation) {
        self.suggestions += other.suggestions;
        self.hearing_registrations += other.hearing_registrations;
        self.survey_responses += other.survey_responses;
        self.forum_comments += other.forum_comments;
        self.events += other.events;
        self.event_attendees += other.event_attendees;
    }
}

/// Where a plan stands against the publication deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Publication {
    OnTime,
    Late,
    NotYet,
    NoPlan,
}

impl Publication {
    pub fn label(self) -> &'static str {
        match self {
            Publication::OnTime => "Publicado a tiempo",
            Publication::Late => "Publicado tarde",
            Publication::NotYet => "Sin publicar",
            Publication::NoPlan => "Sin plan de la vigencia",
        }
    }
}

impl EntityFigures {
    /// Its plan's publication against `deadline` (31 January of the year, by default).
    pub fn publication(&self, deadline: NaiveDate) -> Publication {
        match &self.plan {
            None => Publication::NoPlan,
            Some(p) => match p.published_on {
                None => Publication::NotYet,
                Some(day) if day <= deadline => Publication::OnTime,
                Some(_) => Publication::Late,
            },
        }
    }

    /// Schedule compliance: the share of the activities already due whose latest
    /// report says they are done, in whole percent; None while nothing is due.
    pub fn compliance(&self) -> Option<u32> {
        let p = self.plan.as_ref()?;
        (p.due > 0).then(|| ((p.done_when_due as f64 / p.due as f64) * 100.0).round() as u32)
    }
}

/// The summary above the table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub entities: usize,
    pub by_publication: BTreeMap<Publication, usize>,
    /// The mean of the entities' compliance, over those with something due.
    pub mean_compliance: Option<u32>,
    pub participation: Participation,
    /// The coverage findings most plans have, with how many plans have each, most
    /// frequent first (ties by code), at most `top`.
    pub top_findings: Vec<(String, String, usize)>,
}

/// Summarises `figures`; `findings` holds, per plan, its pending coverage findings as
/// (code, message).
pub fn summarize(
    figures: &[EntityFigures],
    deadline: NaiveDate,
    findings: &[Vec<(String, String)>],
    top: usize,
) -> Summary {
    let mut s = Summary {
        entities: figures.len(),
        ..Default::default()
    };
    let mut compliance = Vec::new();
    for f in figures {
        *s.by_publication.entry(f.publication(deadline)).or_default() += 1;
        if let Some(c) = f.compliance() {
            compliance.push(c);
        }
        s.participation.add(&f.participation);
    }
    if !compliance.is_empty() {
        let sum: u32 = compliance.iter().sum();
        s.mean_compliance = Some((f64::from(sum) / compliance.len() as f64).round() as u32);
    }
    let mut counts: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for plan in findings {
        let mut seen = std::collections::BTreeSet::new();
        for (code, message) in plan {
            if seen.insert(code.as_str()) {
                counts.entry(code).or_insert((message, 0)).1 += 1;
            }
        }
    }
    let mut ranked: Vec<(String, String, usize)> = counts
        .into_iter()
        .map(|(code, (message, n))| (code.to_string(), message.to_string(), n))
        .collect();
    ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(top);
    s.top_findings = ranked;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: i64, plan: Option<PlanFigures>, suggestions: i64) -> EntityFigures {
        EntityFigures {
            entity_id: id,
            slug: format!("e{id}"),
            name: format!("Entidad {id}"),
            order: crate::EntityOrder::Territorial,
            department_code: "15".into(),
            municipality_code: String::new(),
            plan,
            participation: Participation {
                suggestions,
                event_attendees: 10,
                events: 1,
                ..Default::default()
            },
        }
    }

    fn plan(published: Option<&str>, due: i64, done: i64) -> Option<PlanFigures> {
        Some(PlanFigures {
            plan_id: 1,
            published_on: published.map(|d| d.parse().unwrap()),
            activities: 15,
            due,
            done_when_due: done,
            furag: None,
        })
    }

    #[test]
    fn publication_compliance_and_participation_are_summarised() {
        let deadline: NaiveDate = "2026-01-31".parse().unwrap();
        let figures = vec![
            entity(1, plan(Some("2026-01-31"), 10, 8), 3),
            entity(2, plan(Some("2026-02-01"), 4, 1), 0),
            entity(3, plan(None, 0, 0), 2),
            entity(4, None, 0),
        ];
        assert_eq!(figures[0].publication(deadline), Publication::OnTime);
        assert_eq!(figures[1].publication(deadline), Publication::Late);
        assert_eq!(figures[2].publication(deadline), Publication::NotYet);
        assert_eq!(figures[3].publication(deadline), Publication::NoPlan);
        assert_eq!(figures[0].compliance(), Some(80));
        assert_eq!(figures[1].compliance(), Some(25));
        assert_eq!(figures[2].compliance(), None, "nothing due yet");
        let findings = vec![
            vec![("FASE:diagnostico".into(), "Falta diagnóstico".into())],
            vec![
                ("FASE:diagnostico".into(), "Falta diagnóstico".into()),
                ("MURC:diseno".into(), "Falta diseño".into()),
                ("MURC:diseno".into(), "Falta diseño".into()),
            ],
        ];
        let s = summarize(&figures, deadline, &findings, 5);
        assert_eq!(s.entities, 4);
        assert_eq!(s.by_publication[&Publication::OnTime], 1);
        assert_eq!(s.by_publication[&Publication::NoPlan], 1);
        assert_eq!(s.mean_compliance, Some(53), "(80 + 25) / 2, rounded");
        assert_eq!(s.participation.suggestions, 5);
        assert_eq!(s.participation.total(), 5 + 40);
        assert_eq!(
            s.top_findings,
            vec![
                ("FASE:diagnostico".into(), "Falta diagnóstico".into(), 2),
                ("MURC:diseno".into(), "Falta diseño".into(), 1),
            ],
            "a finding counts once per plan"
        );
        assert_eq!(
            summarize(&figures, deadline, &findings, 1)
                .top_findings
                .len(),
            1
        );
    }
}

/// What a user may do across the deployment, beside its role in its own entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformRole {
    /// Adds entities and their first administrators; reads every entity's figures.
    Administrator,
    /// Reads the figures of the entities it is given (all, when none is listed).
    Observer,
}

impl PlatformRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformRole::Administrator => "administrador",
            PlatformRole::Observer => "observador",
        }
    }

    pub fn parse(text: &str) -> Option<PlatformRole> {
        match text.trim() {
            "administrador" => Some(PlatformRole::Administrator),
            "observador" => Some(PlatformRole::Observer),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlatformRole::Administrator => "Administración de la plataforma",
            PlatformRole::Observer => "Observación nacional",
        }
    }
}
