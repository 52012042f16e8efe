//! The coverage check: what a plan lacks against MIPG, the MURC and FURAG before it is
//! consolidated, each finding with the rule it comes from and a suggested activity,
//! plus legal references that look mistyped. A finding reads as a sentence (its code is
//! for accepting it), names the activities it is about, and, when an activity would
//! cover it, carries that activity's tags so it can be created in one step
//! ([`suggested_activity`]).

use crate::activity::Activity;
use crate::legal::Norm;
use crate::office::OfficeRole;
use crate::plan::Plan;
use crate::tagging::{
    ActivityTags, Component, CyclePhase, InfluenceLevel, MurcElement, MurcStage, Tag,
};
use crate::values::ActivityNumber;
use std::collections::BTreeSet;

/// One thing the plan lacks or gets wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, used to accept the finding (`FASE:diagnostico`, `NORMA:Ley 1750 de 2015`).
    pub code: String,
    /// What is wrong, as a sentence.
    pub message: String,
    /// The rule it comes from.
    pub source: &'static str,
    /// What would cover it.
    pub suggestion: String,
    /// The numbers of the activities the finding is about (to link to them).
    pub activities: Vec<u32>,
    /// When a new activity would cover the finding: its tags (the suggestion is its
    /// description).
    pub suggested: Option<ActivityTags>,
}

/// A norm on participation that plans cite, to catch mistyped references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownNorm {
    pub kind: &'static str,
    pub number: &'static str,
    pub year: i32,
    pub title: &'static str,
}

pub const PARTICIPATION_NORMS: &[KnownNorm] = &[
    KnownNorm {
        kind: "Ley",
        number: "1757",
        year: 2015,
        title: "promoción y protección del derecho a la participación democrática",
    },
    KnownNorm {
        kind: "Ley",
        number: "1755",
        year: 2015,
        title: "derecho fundamental de petición",
    },
    KnownNorm {
        kind: "Ley",
        number: "1712",
        year: 2014,
        title: "transparencia y acceso a la información pública",
    },
    KnownNorm {
        kind: "Ley",
        number: "1474",
        year: 2011,
        title: "Estatuto Anticorrupción",
    },
    KnownNorm {
        kind: "Ley",
        number: "1581",
        year: 2012,
        title: "protección de datos personales",
    },
    KnownNorm {
        kind: "Ley",
        number: "850",
        year: 2003,
        title: "veedurías ciudadanas",
    },
    KnownNorm {
        kind: "Ley",
        number: "489",
        year: 1998,
        title: "organización de la administración pública; democratización",
    },
    KnownNorm {
        kind: "Ley",
        number: "2195",
        year: 2022,
        title: "transparencia, prevención y lucha contra la corrupción",
    },
    KnownNorm {
        kind: "Ley",
        number: "1437",
        year: 2011,
        title: "Código de Procedimiento Administrativo",
    },
    KnownNorm {
        kind: "Decreto",
        number: "1499",
        year: 2017,
        title: "Modelo Integrado de Planeación y Gestión",
    },
    KnownNorm {
        kind: "Decreto",
        number: "1083",
        year: 2015,
        title: "Decreto Único Reglamentario del Sector de Función Pública",
    },
    KnownNorm {
        kind: "Decreto",
        number: "612",
        year: 2018,
        title: "integración de los planes institucionales al plan de acción",
    },
    KnownNorm {
        kind: "Decreto",
        number: "124",
        year: 2016,
        title: "Plan Anticorrupción y de Atención al Ciudadano",
    },
    KnownNorm {
        kind: "Decreto",
        number: "1122",
        year: 2024,
        title: "Programa de Transparencia y Ética Pública",
    },
    KnownNorm {
        kind: "Decreto",
        number: "230",
        year: 2021,
        title: "Sistema Nacional de Rendición de Cuentas",
    },
    KnownNorm {
        kind: "Decreto",
        number: "1377",
        year: 2013,
        title: "reglamentario de la protección de datos personales",
    },
    KnownNorm {
        kind: "Resolución",
        number: "1519",
        year: 2020,
        title: "estándares de publicación, accesibilidad web y datos abiertos (MinTIC)",
    },
];

fn catalogued(n: &Norm) -> Option<bool> {
    let (number, year) = (n.number.as_deref()?, n.year?);
    Some(
        PARTICIPATION_NORMS
            .iter()
            .any(|k| k.kind == n.kind && k.number == number && k.year == year),
    )
}

/// A catalogued norm of the same kind and year whose number differs in one digit.
fn near_miss(n: &Norm) -> Option<&'static KnownNorm> {
    let (number, year) = (n.number.as_deref()?, n.year?);
    PARTICIPATION_NORMS.iter().find(|k| {
        k.kind == n.kind
            && k.year == year
            && k.number.len() == number.len()
            && k.number
                .chars()
                .zip(number.chars())
                .filter(|(a, b)| a != b)
                .count()
                == 1
    })
}

fn uncovered<T: Tag + Ord>(seen: &BTreeSet<T>) -> Vec<T> {
    T::ALL
        .iter()
        .copied()
        .filter(|t| !seen.contains(t))
        .collect()
}

/// `3`, `3 y 5`, `1, 2 y 5`.
fn list(numbers: &[u32]) -> String {
    match numbers.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!(
            "{} y {last}",
            rest.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `La actividad 3 no indica…` / `Las actividades 1, 2 y 5 no indican…`.
fn activities_sentence(numbers: &[u32], singular: &str, plural: &str) -> String {
    if numbers.len() == 1 {
        format!("La actividad {} {singular}", list(numbers))
    } else {
        format!("Las actividades {} {plural}", list(numbers))
    }
}

/// The FURAG questions a component's evidence answers.
fn component_furag(c: Component) -> &'static [&'static str] {
    match c {
        Component::Characterisation => &["PCI217"],
        Component::HearingAnswers => &[],
        Component::SpaceEvaluation | Component::ImprovementPlan => &["PCI213"],
        Component::MenuParticipa => &[],
        Component::SocialControl => &["PCI200", "PCI201"],
        Component::KnowledgeManagement => &["PCI215"],
    }
}

fn strings(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

/// Every finding for `plan`, in a stable order.
pub fn check(plan: &Plan) -> Vec<Finding> {
    let mut out = Vec::new();
    let acts = &plan.activities;
    let phases: BTreeSet<CyclePhase> = acts.iter().flat_map(|a| a.tags.phases.clone()).collect();
    for p in uncovered(&phases) {
        out.push(Finding {
            code: format!("FASE:{}", p.code()),
            message: format!("Ninguna actividad cubre la fase de {} del ciclo de la gestión.", p.label().to_lowercase()),
            source: "MIPG, política de participación ciudadana: participación en todo el ciclo de la gestión; FURAG PCI200",
            suggestion: format!("Una actividad de participación en la fase de {}.", p.label().to_lowercase()),
            activities: Vec::new(),
            suggested: Some(ActivityTags {
                phases: vec![p],
                furag: strings(&["PCI200"]),
                ..Default::default()
            }),
        });
    }
    let stages: BTreeSet<MurcStage> = acts
        .iter()
        .flat_map(|a| a.tags.murc_stages.clone())
        .collect();
    for s in uncovered(&stages) {
        out.push(Finding {
            code: format!("MURC_ETAPA:{}", s.code()),
            message: format!(
                "Ninguna actividad de rendición de cuentas cubre la etapa de {}.",
                s.label().to_lowercase()
            ),
            source: "Manual Único de Rendición de Cuentas: cinco etapas (Ley 1757 de 2015 art. 50)",
            suggestion: format!(
                "Una actividad de rendición de cuentas en la etapa de {}.",
                s.label().to_lowercase()
            ),
            activities: Vec::new(),
            suggested: Some(ActivityTags {
                murc_stages: vec![s],
                ..Default::default()
            }),
        });
    }
    let elements: BTreeSet<MurcElement> = acts
        .iter()
        .flat_map(|a| a.tags.murc_elements.clone())
        .collect();
    for e in uncovered(&elements) {
        out.push(Finding {
            code: format!("MURC_ELEMENTO:{}", e.code()),
            message: format!("Ninguna actividad de rendición de cuentas cubre el elemento de {}.", e.label().to_lowercase()),
            source: "Ley 1757 de 2015 art. 49 y Manual Único de Rendición de Cuentas: información, diálogo y responsabilidad",
            suggestion: format!("Una acción de {} en la estrategia de rendición de cuentas.", e.label().to_lowercase()),
            activities: Vec::new(),
            suggested: Some(ActivityTags {
                murc_elements: vec![e],
                furag: strings(&["PCI206"]),
                ..Default::default()
            }),
        });
    }
    let no_groups: Vec<u32> = acts
        .iter()
        .filter(|a| a.tags.value_groups.is_empty())
        .map(|a| a.number.get())
        .collect();
    if !no_groups.is_empty() {
        out.push(Finding {
            code: "GRUPOS_VALOR".into(),
            message: format!(
                "{}.",
                activities_sentence(
                    &no_groups,
                    "no indica a qué grupos de valor se dirige",
                    "no indican a qué grupos de valor se dirigen"
                )
            ),
            source: "FURAG PCI202, PCI212 y PCI217; Guía de caracterización de ciudadanía y grupos de valor",
            suggestion: "Indique en cada actividad los grupos de valor a los que se dirige.".into(),
            activities: no_groups,
            suggested: None,
        });
    }
    let no_influence: Vec<u32> = acts
        .iter()
        .filter(|a| a.tags.influence.is_empty())
        .map(|a| a.number.get())
        .collect();
    if !no_influence.is_empty() {
        out.push(Finding {
            code: "INCIDENCIA".into(),
            message: format!(
                "{}.",
                activities_sentence(
                    &no_influence,
                    "no indica el nivel de incidencia de la ciudadanía",
                    "no indican el nivel de incidencia de la ciudadanía"
                )
            ),
            source: "FURAG PCI216: información, consulta, colaboración, decisión o control social",
            suggestion: "Indique en cada actividad el nivel de incidencia de la ciudadanía.".into(),
            activities: no_influence,
            suggested: None,
        });
    }
    let covered: BTreeSet<Component> = acts.iter().flat_map(|a| a.tags.covers.clone()).collect();
    for c in uncovered(&covered) {
        let (source, suggestion) = match c {
            Component::Characterisation => ("FURAG PCI217; Guía de caracterización de ciudadanía y grupos de valor (Función Pública)", "Caracterizar los grupos de valor y hacer el diagnóstico (o autodiagnóstico) de la participación."),
            Component::HearingAnswers => ("Ley 1757 de 2015 art. 56; Manual Único de Rendición de Cuentas (término en los parámetros legales)", "Responder por escrito las preguntas de la audiencia dentro del término y publicar las respuestas."),
            Component::SpaceEvaluation => ("FURAG PCI213; Manual Único de Rendición de Cuentas", "Evaluar cada espacio (encuesta de satisfacción) y elaborar el informe anual de evaluación de la estrategia."),
            Component::ImprovementPlan => ("FURAG PCI213; Manual Único de Rendición de Cuentas (elemento de responsabilidad)", "Formular y publicar el plan de mejoramiento con los resultados de la participación."),
            Component::MenuParticipa => ("Resolución MinTIC 1519 de 2020, anexo 2: menú Participa", "Publicar la estrategia de participación y su calendario en el menú Participa del sitio web."),
            Component::SocialControl => ("FURAG PCI200 y PCI201; Ley 1757 de 2015 arts. 60 a 72 (control social)", "Un espacio de control social (veedurías, seguimiento ciudadano a la gestión)."),
            Component::KnowledgeManagement => ("FURAG PCI215", "Documentar buenas prácticas y lecciones aprendidas de la participación."),
        };
        out.push(Finding {
            code: format!("COMPONENTE:{}", c.code()),
            message: format!(
                "Ninguna actividad cubre este componente: {}.",
                c.label().to_lowercase()
            ),
            source,
            suggestion: suggestion.into(),
            activities: Vec::new(),
            suggested: Some(ActivityTags {
                covers: vec![c],
                influence: if c == Component::SocialControl {
                    vec![InfluenceLevel::SocialControl]
                } else {
                    Vec::new()
                },
                furag: strings(component_furag(c)),
                ..Default::default()
            }),
        });
    }
    for n in &plan.legal_framework.norms {
        if catalogued(n) == Some(false) {
            if let Some(k) = near_miss(n) {
                let cited = format!(
                    "{} {} de {}",
                    n.kind,
                    n.number.as_deref().unwrap_or(""),
                    n.year.unwrap_or_default()
                );
                out.push(Finding {
                    code: format!("NORMA:{cited}"),
                    message: format!("El marco legal cita la {cited}, que no es una norma de participación conocida; ¿quiso decir la {} {} de {} ({})?", k.kind, k.number, k.year, k.title),
                    source: "Catálogo de normas de participación de Participa",
                    suggestion: format!("Corregir la cita por {} {} de {}.", k.kind, k.number, k.year),
                    activities: Vec::new(),
                    suggested: None,
                });
            }
        }
    }
    if let Some(v) = &plan.version {
        use chrono::Datelike;
        if v.date.year() < plan.year.get() - 1 {
            out.push(Finding {
                code: "VERSION".into(),
                message: format!("La versión del documento ({}, del {}) es anterior a la formulación de la vigencia {}.", v.number, crate::dates::fecha(v.date), plan.year),
                source: "Decreto 612 de 2018: planes de la vigencia publicados a más tardar el 31 de enero",
                suggestion: "Actualizar el número y la fecha de la versión del plan de la vigencia.".into(),
                activities: Vec::new(),
                suggested: None,
            });
        }
    }
    out
}

/// The activity that would cover finding `code` of `plan`, ready to be added as a draft
/// to complete: the next free number, the suggestion as its description, the finding's
/// tags, the whole vigencia as its dates, and the plan's leading office as responsible
/// (whoever edits it then sets the real ones). None when the plan has no such finding,
/// or when no new activity covers it (a mistyped citation, activities lacking a tag).
pub fn suggested_activity(plan: &Plan, code: &str) -> Option<Activity> {
    let finding = check(plan).into_iter().find(|f| f.code == code)?;
    let tags = finding.suggested?;
    let office = plan
        .offices
        .iter()
        .find(|o| o.role == OfficeRole::Leader)
        .or_else(|| plan.offices.first())?;
    let next = plan
        .activities
        .iter()
        .map(|a| a.number.get())
        .max()
        .unwrap_or(0)
        + 1;
    let year = plan.year.get();
    Some(Activity {
        number: ActivityNumber::new(next).ok()?,
        description: finding.suggestion,
        start: chrono::NaiveDate::from_ymd_opt(year, 1, 1)?,
        end: chrono::NaiveDate::from_ymd_opt(year, 12, 31)?,
        responsible: vec![office.code.clone()],
        responsible_text: office.name.clone(),
        deliverable: "Por definir: el producto o entregable de la actividad".into(),
        tags,
        details: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanDraft, PlanErrors};

    /// A plan of three untagged activities that cites «Ley 1750 de 2015».
    fn seed() -> Plan {
        use crate::alignment::{Alignment, CodedText};
        use crate::legal::LegalFramework;
        use crate::office::Office;
        use crate::values::{AlignmentCode, OfficeCode, PlanYear};
        let code = |s: &str| OfficeCode::parse(s).unwrap();
        let coded = |c: &str, t: &str| CodedText {
            code: AlignmentCode::parse(c).unwrap(),
            text: t.into(),
        };
        let date = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        let activity = |n: u32| Activity {
            number: ActivityNumber::new(n).unwrap(),
            description: format!("Actividad {n}"),
            start: date(n, 1),
            end: date(n, 20),
            responsible: vec![code("ARCOM")],
            responsible_text: "Área de Comunicaciones".into(),
            deliverable: "Informe".into(),
            tags: Default::default(),
            details: Default::default(),
        };
        let draft = PlanDraft {
            entity: "Caja Honor".into(),
            title: "Plan de Participación Ciudadana 2025".into(),
            year: PlanYear::new(2025).unwrap(),
            alignment: Alignment {
                policy: "Política de participación ciudadana en la gestión pública".into(),
                strategic_objective: coded("5", "Promover la innovación"),
                office_objective: coded("5.5", "Promover la participación"),
                strategic_initiative: coded("5.5.1", "Definición de la estrategia"),
            },
            objectives: vec!["Promover escenarios".into()],
            legal_framework: LegalFramework::from_text("Ley 1750 de 2015 artículos 2 y 50"),
            offices: vec![
                Office {
                    code: code("ARCOM"),
                    name: "Área de Comunicaciones".into(),
                    role: crate::office::OfficeRole::Support,
                },
                Office {
                    code: code("OAPLA"),
                    name: "Oficina Asesora de Planeación".into(),
                    role: OfficeRole::Leader,
                },
            ],
            offices_text: "Líder: OAPLA".into(),
            activities: vec![activity(1), activity(2), activity(3)],
            signatures: Vec::new(),
            version: None,
        };
        Plan::try_from_draft(draft)
            .map_err(|PlanErrors(e)| e)
            .unwrap()
    }

    #[test]
    fn findings_read_as_sentences_and_name_their_activities() {
        assert_eq!(list(&[3]), "3");
        assert_eq!(list(&[3, 5]), "3 y 5");
        assert_eq!(list(&[1, 2, 5]), "1, 2 y 5");
        assert_eq!(
            activities_sentence(&[4], "no indica", "no indican"),
            "La actividad 4 no indica"
        );
        assert_eq!(
            activities_sentence(&[4, 6], "no indica", "no indican"),
            "Las actividades 4 y 6 no indican"
        );
        let plan = seed();
        let findings = check(&plan);
        assert!(!findings.is_empty());
        for f in &findings {
            // A sentence: a capital first letter, a full stop, no code inside it.
            assert!(
                f.message.ends_with('.') || f.message.ends_with('?'),
                "{}",
                f.message
            );
            assert!(
                f.message.chars().next().is_some_and(char::is_uppercase),
                "{}",
                f.message
            );
            assert!(!f.message.contains(&f.code), "{}", f.message);
        }
        let groups = findings.iter().find(|f| f.code == "GRUPOS_VALOR").unwrap();
        assert_eq!(groups.activities, vec![1, 2, 3]);
        assert_eq!(
            groups.message,
            "Las actividades 1, 2 y 3 no indican a qué grupos de valor se dirigen."
        );
        assert!(findings.iter().any(|f| f.code == "NORMA:Ley 1750 de 2015"));
        assert!(groups.suggested.is_none());
    }

    #[test]
    fn a_gap_suggests_an_activity_with_its_tags_that_covers_it() {
        let plan = seed();
        let code = "COMPONENTE:control_social";
        assert!(check(&plan).iter().any(|f| f.code == code));
        let a = suggested_activity(&plan, code).unwrap();
        assert_eq!(a.number.get(), 4);
        assert_eq!(a.responsible[0].as_str(), "OAPLA");
        assert_eq!(
            (a.start.to_string(), a.end.to_string()),
            ("2025-01-01".into(), "2025-12-31".into())
        );
        assert_eq!(a.tags.covers, vec![Component::SocialControl]);
        assert_eq!(a.tags.influence, vec![InfluenceLevel::SocialControl]);
        assert!(a.description.contains("control social"));
        // Added to the plan, it is a valid activity and the finding is gone.
        let mut draft: PlanDraft = plan.clone().into_draft();
        draft.activities.push(a);
        let covered = Plan::try_from_draft(draft)
            .map_err(|PlanErrors(e)| e)
            .unwrap();
        assert!(!check(&covered).iter().any(|f| f.code == code));
        let phase = suggested_activity(&plan, "FASE:diagnostico").unwrap();
        assert_eq!(phase.tags.phases, vec![CyclePhase::Diagnosis]);
        // No activity covers a mistyped citation, and an unknown code has none.
        assert!(suggested_activity(&plan, "NORMA:Ley 1750 de 2015").is_none());
        assert!(suggested_activity(&plan, "GRUPOS_VALOR").is_none());
        assert!(suggested_activity(&plan, "NADA").is_none());
    }
}
