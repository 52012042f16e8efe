//! FURAG pre-filled from the platform's data: for each participation question of the
//! year's questionnaire, a proposed answer computed from the plan's activities (their
//! tags), what they produced (reports with evidence, hearings, consultations, events,
//! channel figures) and the counts FURAG asks for, with a justification in plain
//! Spanish, an evidence index and the gaps that would close it. The questionnaire's
//! wording is data ([`crate::tagging::furag_catalogue`]); what a question counts is the
//! rule below, by its code. A question whose wording is not verified is proposed as
//! «por confirmar» and says so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::tagging::{Channel, Component, CyclePhase, InfluenceLevel, MurcElement, Tag};
use crate::ActivityTags;

/// A file or report that supports an answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub date: NaiveDate,
    pub name: String,
    /// Where staff open it.
    pub link: String,
    /// SHA-256 of the file, hexadecimal.
    pub sha256: String,
}

/// One activity as the pre-fill reads it.
#[derive(Debug, Clone)]
pub struct ActivityFact {
    pub number: u32,
    pub description: String,
    pub tags: ActivityTags,
    /// The latest reported progress, in percent, if any.
    pub progress: Option<f64>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct HearingFact {
    pub title: String,
    pub held_on: NaiveDate,
    /// Streamed or held online as well.
    pub digital: bool,
    pub registrations: i64,
    pub questions: i64,
    pub answered: i64,
    /// Answers to its evaluation survey (None: no evaluation).
    pub evaluations: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ConsultationFact {
    pub title: String,
    pub forum: bool,
    pub participations: i64,
}

#[derive(Debug, Clone)]
pub struct EventFact {
    pub title: String,
    pub held_on: NaiveDate,
    /// presencial, virtual or mixto.
    pub modality: String,
    pub attendees: i64,
    /// Group-of-value codes with attendees.
    pub groups: Vec<String>,
    pub evaluated: bool,
}

/// Everything the pre-fill reads of one plan and its entity.
#[derive(Debug, Clone, Default)]
pub struct PlatformFacts {
    pub plan_title: String,
    /// The plan is approved (or published).
    pub approved: bool,
    pub published: bool,
    pub activities: Vec<ActivityFact>,
    pub hearings: Vec<HearingFact>,
    pub consultations: Vec<ConsultationFact>,
    pub events: Vec<EventFact>,
    /// Channels with figures loaded (their names).
    pub channels: Vec<String>,
    pub suggestions_received: i64,
    pub suggestions_answered: i64,
    /// Published reports (results, suggestions, events, channels, hearing).
    pub reports: Vec<Evidence>,
    /// Group-of-value code → (name, FURAG list entry).
    pub groups: BTreeMap<String, (String, String)>,
}

/// How ready a question's answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    /// A proposed answer with evidence.
    Ready,
    /// A proposed answer, but evidence or part of what it asks is missing.
    Partial,
    /// Nothing on the platform answers it yet.
    Missing,
    /// Its wording is not verified: read it in the year's form first.
    ToConfirm,
}

impl Readiness {
    pub fn label(self) -> &'static str {
        match self {
            Readiness::Ready => "Lista, con evidencias",
            Readiness::Partial => "Parcial",
            Readiness::Missing => "Sin datos en la plataforma",
            Readiness::ToConfirm => "Pregunta por confirmar",
        }
    }
}

/// The proposed answer to one question.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub code: String,
    pub question: String,
    pub answer: String,
    pub justification: String,
    pub evidence: Vec<Evidence>,
    /// What would close what is missing, in words.
    pub gaps: Vec<String>,
    pub readiness: Readiness,
    /// The activities that answer it (numbers).
    pub activities: Vec<u32>,
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} y {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn activities_sentence(numbers: &[u32]) -> String {
    match numbers.len() {
        0 => "ninguna actividad".into(),
        1 => format!("la actividad {}", numbers[0]),
        _ => format!(
            "las actividades {}",
            list(numbers.iter().map(|n| n.to_string()))
        ),
    }
}

struct Rule<'a> {
    facts: &'a PlatformFacts,
    code: &'a str,
}

impl Rule<'_> {
    /// Activities tagged with this question's code, or matching `pick`.
    fn activities(&self, pick: impl Fn(&ActivityFact) -> bool) -> Vec<&ActivityFact> {
        self.facts
            .activities
            .iter()
            .filter(|a| a.tags.furag.iter().any(|c| c == self.code) || pick(a))
            .collect()
    }
}

fn is_rdc(a: &ActivityFact) -> bool {
    !a.tags.murc_elements.is_empty() || !a.tags.murc_stages.is_empty()
}

fn digital(a: &ActivityFact) -> bool {
    matches!(a.tags.channel, Some(Channel::Virtual | Channel::Mixed))
}

/// Proposes an answer to each question.
pub fn prefill(questions: &[(String, String)], facts: &PlatformFacts) -> Vec<Proposal> {
    questions
        .iter()
        .map(|(code, question)| propose(code, question, facts))
        .collect()
}

fn propose(code: &str, question: &str, facts: &PlatformFacts) -> Proposal {
    let rule = Rule { facts, code };
    let mut gaps: Vec<String> = Vec::new();
    let mut reports: Vec<Evidence> = Vec::new();
    let (answer, justification, chosen): (String, String, Vec<&ActivityFact>) = match code {
        "PCI200" => {
            let chosen = rule.activities(|a| !a.tags.phases.is_empty() || is_rdc(a));
            let phases: Vec<CyclePhase> = CyclePhase::ALL
                .iter()
                .copied()
                .filter(|p| chosen.iter().any(|a| a.tags.phases.contains(p)))
                .collect();
            for p in CyclePhase::ALL.iter().filter(|p| !phases.contains(p)) {
                gaps.push(format!("Ninguna actividad promueve la participación en la fase «{}»: agregue una o etiquete la que lo haga.", p.label()));
            }
            let rdc = chosen.iter().any(|a| is_rdc(a));
            let social = chosen.iter().any(|a| {
                a.tags.influence.contains(&InfluenceLevel::SocialControl)
                    || a.tags.covers.contains(&Component::SocialControl)
            });
            if !rdc {
                gaps.push(
                    "Ninguna actividad es de rendición de cuentas (etapa o elemento del MURC)."
                        .into(),
                );
            }
            if !social {
                gaps.push("Ninguna actividad es un espacio de control social.".into());
            }
            let mut parts = vec![format!(
                "Estrategia de participación con actividades en las fases {}",
                list(phases.iter().map(|p| format!("«{}»", p.label())))
            )];
            if rdc {
                parts.push("estrategia de rendición de cuentas".into());
            }
            if social {
                parts.push("espacios de control social".into());
            }
            (
                format!("Sí. {}.", list(parts)),
                format!(
                    "El plan «{}» {}; lo dicen las etiquetas de fase, MURC y nivel de incidencia de {}.",
                    facts.plan_title,
                    if facts.approved { "está aprobado" } else { "aún no está aprobado" },
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                ),
                chosen,
            )
        }
        "PCI201" | "PCI203" => {
            let chosen = rule.activities(|a| {
                !a.tags.phases.is_empty() || is_rdc(a) || !a.tags.influence.is_empty()
            });
            let mut spaces: BTreeSet<&str> = BTreeSet::new();
            for a in &chosen {
                if a.tags.phases.contains(&CyclePhase::Diagnosis) {
                    spaces.insert("Diagnóstico participativo");
                }
                if a.tags.phases.contains(&CyclePhase::Formulation) {
                    spaces.insert("Formulación participativa");
                }
                if a.tags.influence.contains(&InfluenceLevel::Collaboration) {
                    spaces.insert("Colaboración e innovación abierta");
                }
                if is_rdc(a) {
                    spaces.insert("Rendición de cuentas");
                }
                if a.tags.influence.contains(&InfluenceLevel::SocialControl)
                    || a.tags.covers.contains(&Component::SocialControl)
                {
                    spaces.insert("Control social");
                }
            }
            if !facts.consultations.is_empty() {
                spaces.insert("Consulta ciudadana");
            }
            if spaces.is_empty() {
                gaps.push(
                    "Etiquete en cada actividad su fase del ciclo y su nivel de incidencia.".into(),
                );
            }
            (
                if spaces.is_empty() {
                    String::new()
                } else {
                    format!("{}.", list(spaces.iter().map(|s| s.to_string())))
                },
                format!(
                    "Según las etiquetas de {} y {} consultas o foros en la plataforma.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>()),
                    facts.consultations.len()
                ),
                chosen,
            )
        }
        "PCI202" | "PCI212" => {
            let rdc_only = code == "PCI212";
            let chosen =
                rule.activities(|a| !a.tags.value_groups.is_empty() && (!rdc_only || is_rdc(a)));
            let mut codes: BTreeSet<&str> = chosen
                .iter()
                .flat_map(|a| a.tags.value_groups.iter().map(String::as_str))
                .collect();
            if !rdc_only {
                codes.extend(
                    facts
                        .events
                        .iter()
                        .flat_map(|e| e.groups.iter().map(String::as_str)),
                );
            }
            let furag: BTreeSet<String> = codes
                .iter()
                .map(|c| {
                    facts
                        .groups
                        .get(*c)
                        .map_or_else(|| c.to_string(), |(_, f)| f.clone())
                })
                .collect();
            if furag.is_empty() {
                gaps.push(if rdc_only {
                    "Ninguna actividad de rendición de cuentas dice qué grupos de valor convoca."
                        .into()
                } else {
                    "Ninguna actividad ni evento dice qué grupos de valor participaron.".into()
                });
            }
            (
                if furag.is_empty() { String::new() } else { format!("{}.", list(furag.into_iter())) },
                format!(
                    "Grupos de valor de {}{}, traducidos a la lista del FURAG con el catálogo de la entidad.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>()),
                    if rdc_only { "" } else { " y la asistencia registrada en los eventos" }
                ),
                chosen,
            )
        }
        "PCI205" => {
            let chosen = rule.activities(|a| a.tags.murc_elements.contains(&MurcElement::Dialogue));
            let dialogue = chosen.len() + facts.hearings.len();
            let online = chosen.iter().filter(|a| digital(a)).count()
                + facts.hearings.iter().filter(|h| h.digital).count();
            if dialogue == 0 {
                gaps.push("Registre la audiencia pública o etiquete las actividades de diálogo (elemento «Diálogo» del MURC).".into());
            }
            (
                format!("{dialogue} ejercicios de diálogo de rendición de cuentas; {online} con medios digitales."),
                format!(
                    "{} con elemento «Diálogo» del MURC y {} audiencias registradas en la plataforma; digitales: canal virtual o mixto, o audiencia transmitida.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>()),
                    facts.hearings.len()
                ),
                chosen,
            )
        }
        "PCI206" => {
            let chosen = rule.activities(is_rdc);
            let mut kinds: Vec<String> = MurcElement::ALL
                .iter()
                .filter(|e| chosen.iter().any(|a| a.tags.murc_elements.contains(e)))
                .map(|e| e.label().to_string())
                .collect();
            for e in MurcElement::ALL
                .iter()
                .filter(|e| !chosen.iter().any(|a| a.tags.murc_elements.contains(e)))
            {
                gaps.push(format!(
                    "Ninguna actividad cubre el elemento «{}» de la rendición de cuentas.",
                    e.label()
                ));
            }
            let evaluated = facts.hearings.iter().any(|h| h.evaluations.is_some());
            if evaluated {
                kinds.push("Evaluación de la satisfacción".into());
            } else {
                gaps.push("Cree la encuesta de evaluación de la audiencia.".into());
            }
            (
                if kinds.is_empty() {
                    String::new()
                } else {
                    format!("{}.", list(kinds))
                },
                format!(
                    "Elementos del MURC de {}{}.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>()),
                    if evaluated {
                        " y la encuesta de evaluación de la audiencia"
                    } else {
                        ""
                    }
                ),
                chosen,
            )
        }
        "PCI208" => {
            let chosen = rule.activities(|a| !a.tags.medium.is_empty());
            let mut media: BTreeSet<String> =
                chosen.iter().map(|a| a.tags.medium.clone()).collect();
            media.extend(facts.channels.iter().cloned());
            if media.is_empty() {
                gaps.push("Escriba en cada actividad el medio de convocatoria, o cargue las cifras de los canales.".into());
            }
            (
                if media.is_empty() {
                    String::new()
                } else {
                    format!("{}.", list(media))
                },
                format!(
                    "Medios de {} y canales con cifras cargadas en la plataforma.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                ),
                chosen,
            )
        }
        "PCI210" | "PCI218" => {
            let other = code == "PCI218";
            let chosen = rule.activities(|a| {
                a.tags.murc_elements.contains(&MurcElement::Dialogue) && (!other || digital(a))
            });
            let forums = facts.consultations.iter().filter(|c| c.forum).count();
            let virtual_events = facts
                .events
                .iter()
                .filter(|e| e.modality != "presencial")
                .count();
            let mut parts = Vec::new();
            if forums > 0 {
                parts.push(format!("{forums} foros virtuales"));
            }
            let events = if other {
                virtual_events
            } else {
                facts.events.len()
            };
            if events > 0 {
                parts.push(format!(
                    "{events} eventos{}",
                    if other { " virtuales o mixtos" } else { "" }
                ));
            }
            if !other && !facts.hearings.is_empty() {
                parts.push(format!("{} audiencias públicas", facts.hearings.len()));
            }
            if !chosen.is_empty() {
                parts.push(format!("{} actividades de diálogo del plan", chosen.len()));
            }
            if parts.is_empty() {
                gaps.push(
                    "Registre foros, eventos o actividades de diálogo en la plataforma.".into(),
                );
            }
            (
                if parts.is_empty() { String::new() } else { format!("{}.", list(parts)) },
                "Foros, eventos y audiencias registrados en la plataforma, y actividades con elemento «Diálogo».".into(),
                chosen,
            )
        }
        "PCI211" => {
            let chosen =
                rule.activities(|a| a.tags.murc_elements.contains(&MurcElement::Responsibility));
            let evaluations: i64 = facts.hearings.iter().filter_map(|h| h.evaluations).sum();
            let answered: i64 = facts.hearings.iter().map(|h| h.answered).sum();
            let questions: i64 = facts.hearings.iter().map(|h| h.questions).sum();
            let mut parts = Vec::new();
            if evaluations > 0 {
                parts.push(format!(
                    "evaluación ciudadana ({evaluations} respuestas a la encuesta de evaluación)"
                ));
            }
            if questions > 0 {
                parts.push(format!(
                    "{answered} de {questions} preguntas de la ciudadanía respondidas"
                ));
            }
            if !chosen.is_empty() {
                parts.push("compromisos de responsabilidad".into());
            }
            if parts.is_empty() {
                gaps.push(
                    "Registre la evaluación de la audiencia y las respuestas a las preguntas."
                        .into(),
                );
            }
            (
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("{}.", list(parts))
                },
                format!(
                    "Audiencias registradas y {} con elemento «Responsabilidad».",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                ),
                chosen,
            )
        }
        "PCI213" => {
            let chosen = rule.activities(|a| {
                a.tags.covers.contains(&Component::SpaceEvaluation)
                    || a.tags.covers.contains(&Component::ImprovementPlan)
            });
            let mut parts = Vec::new();
            for (c, what) in [
                (
                    Component::SpaceEvaluation,
                    "evaluación de los espacios e informe de la estrategia",
                ),
                (Component::ImprovementPlan, "plan de mejoramiento"),
            ] {
                if chosen.iter().any(|a| a.tags.covers.contains(&c)) {
                    parts.push(what.to_string());
                } else {
                    gaps.push(format!("Ninguna actividad cubre «{}».", c.label()));
                }
            }
            reports.extend(facts.reports.iter().cloned());
            (
                if parts.is_empty() { String::new() } else { format!("Sí: {}.", list(parts)) },
                format!(
                    "{} dicen cubrir la evaluación o el plan de mejoramiento; sus evidencias y los informes publicados van en el índice.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                ),
                chosen,
            )
        }
        "PCI215" => {
            let chosen =
                rule.activities(|a| a.tags.covers.contains(&Component::KnowledgeManagement));
            if chosen.is_empty() {
                gaps.push(format!(
                    "Ninguna actividad cubre «{}».",
                    Component::KnowledgeManagement.label()
                ));
            }
            (
                if chosen.is_empty() {
                    String::new()
                } else {
                    "Sí: gestión del conocimiento y lecciones aprendidas.".into()
                },
                format!(
                    "Según {}.",
                    activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                ),
                chosen,
            )
        }
        "PCI216" => {
            let chosen = rule.activities(|a| !a.tags.influence.is_empty());
            let levels: Vec<String> = InfluenceLevel::ALL
                .iter()
                .map(|l| {
                    (
                        l,
                        chosen
                            .iter()
                            .filter(|a| a.tags.influence.contains(l))
                            .count(),
                    )
                })
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| format!("{} ({n})", l.label()))
                .collect();
            if levels.is_empty() {
                gaps.push("Etiquete el nivel de incidencia de cada actividad.".into());
            }
            (
                if levels.is_empty() {
                    String::new()
                } else {
                    format!("{}.", list(levels))
                },
                "Niveles de incidencia de las actividades del plan (actividades por nivel).".into(),
                chosen,
            )
        }
        "PCI217" => {
            let total = facts.activities.len();
            let complete = facts
                .activities
                .iter()
                .filter(|a| {
                    !a.tags.phases.is_empty()
                        && !a.tags.value_groups.is_empty()
                        && !a.tags.influence.is_empty()
                })
                .count();
            if complete < total {
                gaps.push(format!("{} de {total} actividades no dicen su fase, sus grupos de valor o su nivel de incidencia.", total - complete));
            }
            if !facts.published {
                gaps.push("Publique el plan aprobado.".into());
            }
            (
                format!(
                    "Sí. Plan {}; {complete} de {total} actividades con fase del ciclo, grupos de valor y nivel de incidencia.",
                    if facts.published { "aprobado y publicado" } else if facts.approved { "aprobado" } else { "en formulación" }
                ),
                "Estado del plan y etiquetas de sus actividades (PCI217: temas, grupos, incidencia, fases y métodos).".into(),
                rule.activities(|_| false),
            )
        }
        _ => {
            let chosen = rule.activities(|_| false);
            (
                if chosen.is_empty() {
                    String::new()
                } else {
                    format!(
                        "Lo responden {}.",
                        list(chosen.iter().map(|a| format!("«{}»", a.description)))
                    )
                },
                if chosen.is_empty() {
                    "Ninguna actividad está etiquetada con esta pregunta.".into()
                } else {
                    format!(
                        "Etiquetada en {}.",
                        activities_sentence(&chosen.iter().map(|a| a.number).collect::<Vec<_>>())
                    )
                },
                chosen,
            )
        }
    };
    let mut evidence: Vec<Evidence> = chosen
        .iter()
        .flat_map(|a| a.evidence.iter().cloned())
        .collect();
    evidence.extend(reports);
    evidence.sort();
    evidence.dedup();
    let to_confirm = question.contains("por confirmar");
    let readiness = if to_confirm {
        Readiness::ToConfirm
    } else if answer.is_empty() {
        Readiness::Missing
    } else if evidence.is_empty() || !gaps.is_empty() {
        Readiness::Partial
    } else {
        Readiness::Ready
    };
    if !answer.is_empty() && evidence.is_empty() {
        gaps.push(
            "Adjunte evidencias en el seguimiento de las actividades que la responden.".into(),
        );
    }
    if to_confirm {
        gaps.insert(0, "Lea el enunciado en el formulario FURAG de la vigencia y confírmelo antes de responder.".into());
    }
    Proposal {
        code: code.to_string(),
        question: question.to_string(),
        answer: if answer.is_empty() {
            "Sin respuesta propuesta.".into()
        } else {
            answer
        },
        justification,
        evidence,
        gaps,
        readiness,
        activities: chosen.iter().map(|a| a.number).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagging::MurcStage;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
    }

    fn facts() -> PlatformFacts {
        let evidence = Evidence {
            date: day(10),
            name: "acta-audiencia.pdf".into(),
            link: "/admin/evidencias/1".into(),
            sha256: "ab".repeat(32),
        };
        PlatformFacts {
            plan_title: "Plan 2025".into(),
            approved: true,
            published: true,
            activities: vec![
                ActivityFact {
                    number: 1,
                    description: "Caracterizar grupos".into(),
                    tags: ActivityTags {
                        phases: vec![CyclePhase::Diagnosis],
                        value_groups: vec!["afiliados".into()],
                        influence: vec![InfluenceLevel::Consultation],
                        ..Default::default()
                    },
                    progress: Some(100.0),
                    evidence: vec![],
                },
                ActivityFact {
                    number: 2,
                    description: "Audiencia pública".into(),
                    tags: ActivityTags {
                        phases: vec![CyclePhase::Evaluation],
                        murc_stages: vec![MurcStage::Execution],
                        murc_elements: vec![MurcElement::Dialogue, MurcElement::Information],
                        value_groups: vec!["veedurias".into()],
                        influence: vec![InfluenceLevel::SocialControl],
                        channel: Some(Channel::Mixed),
                        medium: "Facebook Live".into(),
                        ..Default::default()
                    },
                    progress: Some(100.0),
                    evidence: vec![evidence],
                },
            ],
            hearings: vec![HearingFact {
                title: "Audiencia 2025".into(),
                held_on: day(20),
                digital: true,
                registrations: 40,
                questions: 12,
                answered: 10,
                evaluations: Some(25),
            }],
            groups: [
                (
                    "afiliados".to_string(),
                    ("Afiliados".to_string(), "Ciudadanos / usuarios".to_string()),
                ),
                (
                    "veedurias".to_string(),
                    (
                        "Veedurías".to_string(),
                        "Veedurías y organizaciones de control social".to_string(),
                    ),
                ),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        }
    }

    fn one(code: &str, topic: &str, f: &PlatformFacts) -> Proposal {
        prefill(&[(code.into(), topic.into())], f).remove(0)
    }

    #[test]
    fn dialogue_exercises_are_counted_with_the_digital_ones() {
        let p = one("PCI205", "Ejercicios de diálogo", &facts());
        assert_eq!(
            p.answer,
            "2 ejercicios de diálogo de rendición de cuentas; 2 con medios digitales."
        );
        assert_eq!(p.activities, vec![2]);
        assert_eq!(p.evidence.len(), 1);
        assert_eq!(p.readiness, Readiness::Ready);
    }

    #[test]
    fn groups_are_named_as_furag_lists_them() {
        let p = one("PCI202", "Grupos", &facts());
        assert_eq!(
            p.answer,
            "Ciudadanos / usuarios y Veedurías y organizaciones de control social."
        );
        // Activity 1 has no evidence but activity 2 has.
        assert_eq!(p.readiness, Readiness::Ready);
    }

    #[test]
    fn missing_phases_and_elements_are_gaps_that_say_what_to_do() {
        let p = one("PCI200", "Estrategias", &facts());
        assert_eq!(p.readiness, Readiness::Partial);
        assert!(
            p.gaps.iter().any(|g| g.contains("«Formulación»")),
            "{:?}",
            p.gaps
        );
        assert!(p.gaps.iter().any(|g| g.contains("«Implementación»")));
        let p = one("PCI206", "Acciones", &facts());
        assert!(p.answer.contains("Evaluación de la satisfacción"));
        assert!(p.gaps.iter().any(|g| g.contains("«Responsabilidad»")));
    }

    #[test]
    fn nothing_on_the_platform_is_missing_and_unverified_wording_is_to_confirm() {
        let empty = PlatformFacts::default();
        let p = one("PCI215", "Gestión del conocimiento", &empty);
        assert_eq!(p.readiness, Readiness::Missing);
        assert_eq!(p.answer, "Sin respuesta propuesta.");
        assert!(!p.gaps.is_empty());
        let p = one("PCI204", "Tema por confirmar: lea su enunciado", &facts());
        assert_eq!(p.readiness, Readiness::ToConfirm);
        assert!(p.gaps[0].contains("formulario FURAG"));
    }

    #[test]
    fn an_activity_tagged_with_a_question_answers_it_with_its_evidence() {
        let mut f = facts();
        f.activities[0].tags.furag.push("PCI209".into());
        f.activities[0].evidence.push(Evidence {
            date: day(2),
            name: "temas.pdf".into(),
            link: "/admin/evidencias/2".into(),
            sha256: "cd".repeat(32),
        });
        let p = one("PCI209", "Temas publicados", &f);
        assert_eq!(p.activities, vec![1]);
        assert_eq!(p.evidence[0].name, "temas.pdf");
        assert!(p.justification.contains("actividad 1"));
    }
}

/// The most bytes a questionnaire file may have.
pub const MAX_QUESTIONNAIRE_BYTES: usize = 64 * 1024;
/// The most questions a questionnaire file may list.
pub const MAX_QUESTIONS: usize = 300;

/// Why a questionnaire file was refused: the line (from 1) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("línea {line}: {message}")]
pub struct QuestionnaireError {
    pub line: usize,
    pub message: String,
}

/// Reads a questionnaire file: one question a line, `CÓDIGO<TAB>enunciado`, lines that
/// start with `#` and empty lines left out (the format of the built-in files). A code
/// is three capital letters and three digits (`PCI205`); a code may appear only once.
pub fn parse_questionnaire(text: &str) -> Result<Vec<(String, String)>, QuestionnaireError> {
    let refuse = |line: usize, message: String| Err(QuestionnaireError { line, message });
    if text.len() > MAX_QUESTIONNAIRE_BYTES {
        return refuse(
            0,
            format!("el archivo pasa de {} KB", MAX_QUESTIONNAIRE_BYTES / 1024),
        );
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let Some((code, question)) = l.split_once('\t') else {
            return refuse(
                line,
                "falta el tabulador entre el código y el enunciado".into(),
            );
        };
        let code = code.trim();
        let valid = code.len() == 6
            && code[..3].chars().all(|c| c.is_ascii_uppercase())
            && code[3..].chars().all(|c| c.is_ascii_digit());
        if !valid {
            return refuse(
                line,
                format!("«{code}» no es un código de pregunta como PCI205"),
            );
        }
        let question = question.trim();
        if question.is_empty() {
            return refuse(line, format!("la pregunta {code} no tiene enunciado"));
        }
        if question.chars().count() > 2000 {
            return refuse(
                line,
                format!("el enunciado de {code} pasa de 2000 caracteres"),
            );
        }
        if out.iter().any(|(c, _)| c == code) {
            return refuse(
                line,
                format!("la pregunta {code} ya está en una línea anterior"),
            );
        }
        if out.len() == MAX_QUESTIONS {
            return refuse(
                line,
                format!("el archivo pasa de {MAX_QUESTIONS} preguntas"),
            );
        }
        out.push((code.to_string(), question.to_string()));
    }
    if out.is_empty() {
        return refuse(0, "el archivo no tiene ninguna pregunta".into());
    }
    Ok(out)
}

#[cfg(test)]
mod questionnaire_tests {
    use super::*;

    #[test]
    fn a_corrected_questionnaire_is_read_or_refused_with_its_line() {
        let q = parse_questionnaire(
            "# FURAG 2026\nPCI200\tEstrategias\r\n\nPCI204\tPregunta ya confirmada\n",
        )
        .unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(
            q[1],
            ("PCI204".to_string(), "Pregunta ya confirmada".to_string())
        );
        let e = parse_questionnaire("PCI200\tA\nPCI200\tB\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "línea 2: la pregunta PCI200 ya está en una línea anterior"
        );
        assert_eq!(parse_questionnaire("PCI2\tA").unwrap_err().line, 1);
        assert_eq!(parse_questionnaire("PCI200 sin tab").unwrap_err().line, 1);
        assert_eq!(parse_questionnaire("PCI200\t  ").unwrap_err().line, 1);
        assert!(parse_questionnaire("# nada\n").is_err());
        assert!(parse_questionnaire(&"x".repeat(MAX_QUESTIONNAIRE_BYTES + 1)).is_err());
    }
}
