//! What changed between two versions of a plan: header fields, and activities added,
//! removed and changed field by field (activities are matched by number).

use crate::activity::Activity;
use crate::plan::PlanDraft;
use crate::values::ActivityNumber;
use std::collections::BTreeMap;

/// One field whose text differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityChange {
    pub number: ActivityNumber,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanDiff {
    pub header: Vec<FieldChange>,
    pub added: Vec<Activity>,
    pub removed: Vec<Activity>,
    pub changed: Vec<ActivityChange>,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.header.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }
}

fn header_fields(p: &PlanDraft) -> Vec<(&'static str, String)> {
    let a = &p.alignment;
    vec![
        ("Título", p.title.clone()),
        ("Vigencia", p.year.to_string()),
        ("Política de gestión y desempeño", a.policy.clone()),
        ("Objetivo estratégico", a.strategic_objective.to_string()),
        ("Objetivo de la dependencia", a.office_objective.to_string()),
        ("Iniciativa estratégica", a.strategic_initiative.to_string()),
        ("Objetivos", p.objectives.join("\n")),
        ("Marco legal", p.legal_framework.text.clone()),
        (
            "Dependencias",
            p.offices
                .iter()
                .map(|o| format!("{} {} ({})", o.code, o.name, o.role.label()))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "Firmas",
            p.signatures
                .iter()
                .map(|s| format!("{}: {} — {}", s.role.label(), s.name, s.position))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ]
}

/// The fields of an activity as the UI names them, as text.
pub fn activity_fields(a: &Activity) -> Vec<(&'static str, String)> {
    vec![
        ("Descripción", a.description.clone()),
        ("Fecha inicial", a.start.to_string()),
        ("Fecha final", a.end.to_string()),
        (
            "Dependencias responsables",
            a.responsible
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("-"),
        ),
        ("Responsable (texto)", a.responsible_text.clone()),
        ("Producto o entregable", a.deliverable.clone()),
        ("Identificador de la entidad", a.details.external_id.clone()),
        ("Numeración en el plan", a.details.label.clone()),
        ("Fechas según el plan", a.details.schedule.clone()),
        ("Meta", a.details.goal.clone()),
        ("Indicador", a.details.indicator.clone()),
        ("Componente", a.details.component.clone()),
        (
            "Otras columnas",
            a.details
                .extra
                .iter()
                .map(|(t, v)| format!("{t}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

fn changes(
    before: Vec<(&'static str, String)>,
    after: Vec<(&'static str, String)>,
) -> Vec<FieldChange> {
    before
        .into_iter()
        .zip(after)
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, before), (_, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

/// The difference from `old` to `new`.
pub fn diff(old: &PlanDraft, new: &PlanDraft) -> PlanDiff {
    let olds: BTreeMap<ActivityNumber, &Activity> =
        old.activities.iter().map(|a| (a.number, a)).collect();
    let news: BTreeMap<ActivityNumber, &Activity> =
        new.activities.iter().map(|a| (a.number, a)).collect();
    let mut d = PlanDiff {
        header: changes(header_fields(old), header_fields(new)),
        ..PlanDiff::default()
    };
    for (n, a) in &news {
        match olds.get(n) {
            None => d.added.push((*a).clone()),
            Some(o) => {
                let c = changes(activity_fields(o), activity_fields(a));
                if !c.is_empty() {
                    d.changed.push(ActivityChange {
                        number: *n,
                        changes: c,
                    });
                }
            }
        }
    }
    d.removed = olds
        .iter()
        .filter(|(n, _)| !news.contains_key(n))
        .map(|(_, a)| (*a).clone())
        .collect();
    d
}
