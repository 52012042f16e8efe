//! The coverage check: what a plan lacks against MIPG, the MURC and FURAG before it is
//! consolidated, each finding with the rule it comes from and a suggested activity,
//! plus legal references that look mistyped.

use crate::legal::Norm;
use crate::plan::Plan;
use crate::tagging::{Component, CyclePhase, MurcElement, MurcStage, Tag};
use std::collections::BTreeSet;

/// One thing the plan lacks or gets wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, used to accept the finding (`FASE:diagnostico`, `NORMA:Ley 1750 de 2015`).
    pub code: String,
    pub message: String,
    /// The rule it comes from.
    pub source: &'static str,
    /// What would cover it.
    pub suggestion: String,
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

fn list(numbers: &[u32]) -> String {
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
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
            message: format!("Actividades sin grupos de valor: {}.", list(&no_groups)),
            source: "FURAG PCI202, PCI212 y PCI217; Guía de caracterización de ciudadanía y grupos de valor",
            suggestion: "Indique en cada actividad los grupos de valor a los que se dirige.".into(),
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
                "Actividades sin nivel de incidencia de la ciudadanía: {}.",
                list(&no_influence)
            ),
            source: "FURAG PCI216: información, consulta, colaboración, decisión o control social",
            suggestion: "Indique en cada actividad el nivel de incidencia de la ciudadanía.".into(),
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
            message: format!("Ninguna actividad cubre: {}.", c.label().to_lowercase()),
            source,
            suggestion: suggestion.into(),
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
                });
            }
        }
    }
    if let Some(v) = &plan.version {
        use chrono::Datelike;
        if v.date.year() < plan.year.get() - 1 {
            out.push(Finding {
                code: "VERSION".into(),
                message: format!("La versión del documento ({}, del {}) es anterior a la formulación de la vigencia {}.", v.number, v.date, plan.year),
                source: "Decreto 612 de 2018: planes de la vigencia publicados a más tardar el 31 de enero",
                suggestion: "Actualizar el número y la fecha de la versión del plan de la vigencia.".into(),
            });
        }
    }
    out
}
