//! The plan aggregate and its consistency rules.

use crate::activity::Activity;
use crate::alignment::{Alignment, CodedText};
use crate::legal::LegalFramework;
use crate::office::{Office, OfficeRole};
use crate::signature::Signature;
use crate::values::{ActivityNumber, OfficeCode, PlanYear};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use thiserror::Error;

/// The version line of the document (`Versión1: 2023-11-27`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersion {
    pub number: u32,
    pub date: NaiveDate,
}

/// A plan as typed by someone or read from a file, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDraft {
    pub entity: String,
    pub title: String,
    pub year: PlanYear,
    pub alignment: Alignment,
    pub objectives: Vec<String>,
    pub legal_framework: LegalFramework,
    pub offices: Vec<Office>,
    /// The document's own sentence naming the offices (`Líder: … con el apoyo de …`).
    pub offices_text: String,
    pub activities: Vec<Activity>,
    pub signatures: Vec<Signature>,
    pub version: Option<DocumentVersion>,
}

/// A plan that satisfies every rule of [`Plan::try_from_draft`]; activities in number order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan(PlanDraft);

impl Deref for Plan {
    type Target = PlanDraft;
    fn deref(&self) -> &PlanDraft {
        &self.0
    }
}

/// The part of a plan an error is about, so that a file reader or a form can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanField {
    Entity,
    Title,
    Policy,
    StrategicObjective,
    OfficeObjective,
    StrategicInitiative,
    Objectives,
    Offices,
    /// An activity, by its index in the draft's list, and which of its fields.
    Activity(usize, ActivityField),
    /// A signature, by its index in the draft's list.
    Signature(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityField {
    Number,
    Description,
    Start,
    End,
    Responsible,
    Deliverable,
}

impl ActivityField {
    /// The column title the seed document uses.
    pub fn label(self) -> &'static str {
        match self {
            ActivityField::Number | ActivityField::Description => "Actividades",
            ActivityField::Start => "Fecha inicial",
            ActivityField::End => "Fecha Final",
            ActivityField::Responsible => "Responsable",
            ActivityField::Deliverable => "Producto o entregable",
        }
    }
}

/// One broken rule. Messages are Spanish: they reach the planning office.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    #[error("falta {0}")]
    Missing(&'static str, PlanField),
    #[error("la actividad {number} termina ({}) antes de empezar ({}): la fecha final debe ser igual o posterior a la inicial", crate::dates::fecha(*.end), crate::dates::fecha(*.start))]
    EndBeforeStart {
        index: usize,
        number: ActivityNumber,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error(
        "el número de actividad {number} está repetido: cada actividad necesita un número propio"
    )]
    DuplicateActivityNumber {
        index: usize,
        number: ActivityNumber,
    },
    #[error("la actividad {number} no tiene dependencia responsable")]
    NoResponsible {
        index: usize,
        number: ActivityNumber,
    },
    #[error("la actividad {number} nombra la dependencia {code}, que no está entre las dependencias responsables del plan ({known})")]
    UnknownOffice {
        index: usize,
        number: ActivityNumber,
        code: OfficeCode,
        known: String,
    },
    #[error("la dependencia {0} aparece dos veces")]
    DuplicateOffice(OfficeCode),
    #[error("el plan necesita una dependencia líder")]
    NoLeader,
    #[error("el código {child} no desciende de {parent}: la cadena de alineación debe ir de lo general a lo particular (5 → 5.5 → 5.5.1)")]
    AlignmentChain {
        field: PlanField,
        parent: String,
        child: String,
    },
    #[error("hay dos firmas de «{0}»")]
    DuplicateSignature(&'static str, usize),
    #[error("la {} de la actividad {number} ({}) está lejos de la vigencia {year}: las fechas de sus actividades van del {} al {}", .which.label().to_lowercase(), crate::dates::fecha(*.date), crate::dates::fecha(activity_window(*.year).0), crate::dates::fecha(activity_window(*.year).1))]
    OutsideYear {
        index: usize,
        number: ActivityNumber,
        /// [`ActivityField::Start`] or [`ActivityField::End`].
        which: ActivityField,
        date: NaiveDate,
        year: i32,
    },
}

/// The dates the activities of a plan for vigencia `year` may have: from 1 January of
/// the year before (preparation) to 31 December of the year after (a closing report, an
/// activity that runs into the next vigencia). Anything further is a typing mistake, and
/// would make the timeline and the business-day counts span centuries.
pub fn activity_window(year: i32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year.saturating_sub(1), 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year.saturating_add(1), 12, 31).unwrap_or(NaiveDate::MAX);
    (first, last)
}

impl PlanError {
    /// Where in the plan the error is.
    pub fn field(&self) -> PlanField {
        match self {
            PlanError::Missing(_, f) => *f,
            PlanError::EndBeforeStart { index, .. } => {
                PlanField::Activity(*index, ActivityField::End)
            }
            PlanError::DuplicateActivityNumber { index, .. } => {
                PlanField::Activity(*index, ActivityField::Number)
            }
            PlanError::NoResponsible { index, .. } | PlanError::UnknownOffice { index, .. } => {
                PlanField::Activity(*index, ActivityField::Responsible)
            }
            PlanError::DuplicateOffice(_) | PlanError::NoLeader => PlanField::Offices,
            PlanError::AlignmentChain { field, .. } => *field,
            PlanError::DuplicateSignature(_, i) => PlanField::Signature(*i),
            PlanError::OutsideYear { index, which, .. } => PlanField::Activity(*index, *which),
        }
    }
}

/// Every rule a draft breaks, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanErrors(pub Vec<PlanError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}

impl Plan {
    /// Checks every rule and returns the plan, or all the broken rules at once.
    pub fn try_from_draft(draft: PlanDraft) -> Result<Plan, PlanErrors> {
        Plan::checked(draft, true)
    }

    /// A plan read back from the database: every rule of [`Plan::try_from_draft`] except
    /// the activity dates' window around the vigencia ([`activity_window`]), which came
    /// later — a plan saved before it stays readable, and its next edit is checked.
    pub fn from_saved(draft: PlanDraft) -> Result<Plan, PlanErrors> {
        Plan::checked(draft, false)
    }

    /// An edit of `saved`: every rule of [`Plan::try_from_draft`], with the window of
    /// activity dates ([`activity_window`]) checked on the activities the edit adds or
    /// whose dates it changes (all of them when the vigencia changes), so that a plan
    /// saved before that rule can still be edited and its other activities deleted.
    pub fn try_edit(saved: &Plan, draft: PlanDraft) -> Result<Plan, PlanErrors> {
        Plan::checked_against(draft, Some(saved))
    }

    fn checked(draft: PlanDraft, window: bool) -> Result<Plan, PlanErrors> {
        if window {
            Plan::checked_against(draft, None)
        } else {
            Plan::unwindowed(draft)
        }
    }

    fn unwindowed(draft: PlanDraft) -> Result<Plan, PlanErrors> {
        Plan::with_rules(draft, |_, _| false)
    }

    /// The rules, with the window checked on every activity (`saved` None) or on those
    /// not kept unchanged from `saved`.
    fn checked_against(draft: PlanDraft, saved: Option<&Plan>) -> Result<Plan, PlanErrors> {
        Plan::with_rules(draft, |d, a| match saved {
            None => true,
            Some(s) if s.year != d.year => true,
            Some(s) => !s
                .activities
                .iter()
                .any(|old| old.number == a.number && old.start == a.start && old.end == a.end),
        })
    }

    fn with_rules(
        mut draft: PlanDraft,
        windowed: impl Fn(&PlanDraft, &Activity) -> bool,
    ) -> Result<Plan, PlanErrors> {
        let mut errors = Vec::new();
        check_texts(&draft, &mut errors);
        check_alignment(&draft.alignment, &mut errors);
        check_offices(&draft.offices, &mut errors);
        check_activities(&draft, &mut errors);
        check_window(&draft, &windowed, &mut errors);
        check_signatures(&draft.signatures, &mut errors);
        if errors.is_empty() {
            draft.activities.sort_by_key(|a| a.number);
            Ok(Plan(draft))
        } else {
            Err(PlanErrors(errors))
        }
    }

    pub fn into_draft(self) -> PlanDraft {
        self.0
    }

    pub fn office(&self, code: &OfficeCode) -> Option<&Office> {
        self.offices.iter().find(|o| &o.code == code)
    }

    pub fn leader(&self) -> Option<&Office> {
        self.offices.iter().find(|o| o.role == OfficeRole::Leader)
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn check_texts(d: &PlanDraft, errors: &mut Vec<PlanError>) {
    let required = [
        (&d.entity, "la entidad", PlanField::Entity),
        (&d.title, "el título del plan", PlanField::Title),
        (
            &d.alignment.policy,
            "la política de gestión y desempeño",
            PlanField::Policy,
        ),
        (
            &d.alignment.strategic_objective.text,
            "el texto del objetivo estratégico",
            PlanField::StrategicObjective,
        ),
        (
            &d.alignment.office_objective.text,
            "el texto del objetivo de la dependencia",
            PlanField::OfficeObjective,
        ),
        (
            &d.alignment.strategic_initiative.text,
            "el texto de la iniciativa estratégica",
            PlanField::StrategicInitiative,
        ),
    ];
    for (value, what, field) in required {
        if blank(value) {
            errors.push(PlanError::Missing(what, field));
        }
    }
    if d.objectives.iter().all(|o| blank(o)) {
        errors.push(PlanError::Missing(
            "al menos un objetivo del plan",
            PlanField::Objectives,
        ));
    }
}

fn check_alignment(a: &Alignment, errors: &mut Vec<PlanError>) {
    let mut link = |parent: &CodedText, child: &CodedText, field| {
        if !parent.code.is_parent_of(&child.code) {
            errors.push(PlanError::AlignmentChain {
                field,
                parent: parent.code.to_string(),
                child: child.code.to_string(),
            });
        }
    };
    link(
        &a.strategic_objective,
        &a.office_objective,
        PlanField::OfficeObjective,
    );
    link(
        &a.office_objective,
        &a.strategic_initiative,
        PlanField::StrategicInitiative,
    );
}

fn check_offices(offices: &[Office], errors: &mut Vec<PlanError>) {
    let mut seen = HashSet::new();
    for o in offices {
        if !seen.insert(&o.code) {
            errors.push(PlanError::DuplicateOffice(o.code.clone()));
        }
    }
    if !offices.iter().any(|o| o.role == OfficeRole::Leader) {
        errors.push(PlanError::NoLeader);
    }
}

fn check_activities(d: &PlanDraft, errors: &mut Vec<PlanError>) {
    let known: HashSet<&OfficeCode> = d.offices.iter().map(|o| &o.code).collect();
    let known_list = || {
        d.offices
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut numbers = HashSet::new();
    for (index, a) in d.activities.iter().enumerate() {
        let number = a.number;
        if !numbers.insert(number) {
            errors.push(PlanError::DuplicateActivityNumber { index, number });
        }
        if blank(&a.description) {
            errors.push(PlanError::Missing(
                "la descripción de la actividad",
                PlanField::Activity(index, ActivityField::Description),
            ));
        }
        if a.end < a.start {
            errors.push(PlanError::EndBeforeStart {
                index,
                number,
                start: a.start,
                end: a.end,
            });
        }
        if a.responsible.is_empty() {
            errors.push(PlanError::NoResponsible { index, number });
        }
        for code in &a.responsible {
            if !known.contains(code) {
                errors.push(PlanError::UnknownOffice {
                    index,
                    number,
                    code: code.clone(),
                    known: known_list(),
                });
            }
        }
        if blank(&a.deliverable) {
            errors.push(PlanError::Missing(
                "el producto o entregable",
                PlanField::Activity(index, ActivityField::Deliverable),
            ));
        }
    }
}

fn check_window(
    d: &PlanDraft,
    windowed: impl Fn(&PlanDraft, &Activity) -> bool,
    errors: &mut Vec<PlanError>,
) {
    let year = d.year.get();
    let (first, last) = activity_window(year);
    for (index, a) in d.activities.iter().enumerate() {
        if !windowed(d, a) {
            continue;
        }
        for (which, date) in [(ActivityField::Start, a.start), (ActivityField::End, a.end)] {
            if date < first || date > last {
                errors.push(PlanError::OutsideYear {
                    index,
                    number: a.number,
                    which,
                    date,
                    year,
                });
            }
        }
    }
}

fn check_signatures(signatures: &[Signature], errors: &mut Vec<PlanError>) {
    let mut seen = HashSet::new();
    for (i, s) in signatures.iter().enumerate() {
        if !seen.insert(s.role) {
            errors.push(PlanError::DuplicateSignature(s.role.label(), i));
        }
        if blank(&s.name) {
            errors.push(PlanError::Missing(
                "el nombre de quien firma",
                PlanField::Signature(i),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
