//! The parts of the Menú Participa (Resolución 1519 de 2020, anexo 2) and which
//! activities each part lists, decided from the activity's MIPG/MURC/FURAG tags.

use crate::tagging::{ActivityTags, Component, CyclePhase, InfluenceLevel, MurcElement};

/// One part of the Menú Participa, in the annex's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParticipaPart {
    Diagnosis,
    Planning,
    Consultation,
    Collaboration,
    Accountability,
    SocialControl,
}

impl ParticipaPart {
    pub const ALL: [ParticipaPart; 6] = [
        ParticipaPart::Diagnosis,
        ParticipaPart::Planning,
        ParticipaPart::Consultation,
        ParticipaPart::Collaboration,
        ParticipaPart::Accountability,
        ParticipaPart::SocialControl,
    ];

    /// The part's address under `/participa/`.
    pub fn slug(self) -> &'static str {
        match self {
            ParticipaPart::Diagnosis => "diagnostico",
            ParticipaPart::Planning => "planeacion",
            ParticipaPart::Consultation => "consulta",
            ParticipaPart::Collaboration => "colaboracion-innovacion",
            ParticipaPart::Accountability => "rendicion-de-cuentas",
            ParticipaPart::SocialControl => "control-social",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ParticipaPart::Diagnosis => "Participación en el diagnóstico",
            ParticipaPart::Planning => "Participación en la planeación",
            ParticipaPart::Consultation => "Consulta ciudadana",
            ParticipaPart::Collaboration => "Colaboración e innovación abierta",
            ParticipaPart::Accountability => "Rendición de cuentas",
            ParticipaPart::SocialControl => "Control social",
        }
    }

    /// What the part is about, in plain words for citizens.
    pub fn explanation(self) -> &'static str {
        match self {
            ParticipaPart::Diagnosis => {
                "La entidad pregunta a la ciudadanía por sus necesidades y problemas \
                 antes de decidir qué hacer."
            }
            ParticipaPart::Planning => {
                "La ciudadanía ayuda a formular planes, programas y proyectos, y toma \
                 parte en decisiones de la entidad."
            }
            ParticipaPart::Consultation => {
                "La entidad pide la opinión de la ciudadanía sobre un tema, con \
                 encuestas, foros y otros medios."
            }
            ParticipaPart::Collaboration => {
                "La ciudadanía propone ideas y soluciones y las trabaja junto con la \
                 entidad."
            }
            ParticipaPart::Accountability => {
                "La entidad cuenta lo que hizo, conversa con la ciudadanía y responde sus \
                 preguntas, por ejemplo en la audiencia pública."
            }
            ParticipaPart::SocialControl => {
                "La ciudadanía vigila y evalúa la gestión de la entidad y sus resultados."
            }
        }
    }

    pub fn from_slug(slug: &str) -> Option<ParticipaPart> {
        ParticipaPart::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// Whether an activity with these tags belongs to this part.
    pub fn includes(self, tags: &ActivityTags) -> bool {
        match self {
            ParticipaPart::Diagnosis => {
                tags.phases.contains(&CyclePhase::Diagnosis)
                    || tags.covers.contains(&Component::Characterisation)
            }
            ParticipaPart::Planning => {
                tags.phases.contains(&CyclePhase::Formulation)
                    || tags.influence.contains(&InfluenceLevel::Decision)
            }
            ParticipaPart::Consultation => tags.influence.contains(&InfluenceLevel::Consultation),
            ParticipaPart::Collaboration => {
                tags.influence.contains(&InfluenceLevel::Collaboration)
                    || tags.covers.contains(&Component::KnowledgeManagement)
            }
            ParticipaPart::Accountability => {
                !tags.murc_stages.is_empty()
                    || !tags.murc_elements.is_empty()
                    || tags.covers.contains(&Component::HearingAnswers)
            }
            ParticipaPart::SocialControl => {
                tags.influence.contains(&InfluenceLevel::SocialControl)
                    || tags.covers.contains(&Component::SocialControl)
                    || (tags.phases.contains(&CyclePhase::Evaluation)
                        && tags.murc_elements.contains(&MurcElement::Responsibility))
            }
        }
    }
}

/// The parts an activity with these tags is listed in (possibly none, possibly several).
pub fn parts_of(tags: &ActivityTags) -> Vec<ParticipaPart> {
    ParticipaPart::ALL
        .into_iter()
        .filter(|p| p.includes(tags))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagging::MurcStage;

    #[test]
    fn tags_map_to_the_annex_parts() {
        assert!(parts_of(&ActivityTags::default()).is_empty());
        let diagnosis = ActivityTags {
            phases: vec![CyclePhase::Diagnosis],
            ..Default::default()
        };
        assert_eq!(parts_of(&diagnosis), vec![ParticipaPart::Diagnosis]);
        let hearing = ActivityTags {
            murc_stages: vec![MurcStage::Execution],
            murc_elements: vec![MurcElement::Dialogue],
            influence: vec![InfluenceLevel::Consultation],
            ..Default::default()
        };
        assert_eq!(
            parts_of(&hearing),
            vec![ParticipaPart::Consultation, ParticipaPart::Accountability]
        );
        let control = ActivityTags {
            phases: vec![CyclePhase::Evaluation],
            murc_elements: vec![MurcElement::Responsibility],
            ..Default::default()
        };
        assert_eq!(
            parts_of(&control),
            vec![ParticipaPart::Accountability, ParticipaPart::SocialControl]
        );
        let planning = ActivityTags {
            phases: vec![CyclePhase::Formulation],
            influence: vec![InfluenceLevel::Collaboration],
            ..Default::default()
        };
        assert_eq!(
            parts_of(&planning),
            vec![ParticipaPart::Planning, ParticipaPart::Collaboration]
        );
    }

    #[test]
    fn each_part_is_explained_in_its_own_words() {
        let mut seen = std::collections::HashSet::new();
        for p in ParticipaPart::ALL {
            let text = p.explanation();
            assert!(text.ends_with('.') && !text.contains("  "), "{p:?}: {text}");
            assert!(
                seen.insert(text),
                "{p:?} repeats another part's explanation"
            );
        }
    }

    #[test]
    fn slugs_round_trip_and_are_distinct() {
        for p in ParticipaPart::ALL {
            assert_eq!(ParticipaPart::from_slug(p.slug()), Some(p));
        }
        assert_eq!(ParticipaPart::from_slug("otra"), None);
    }
}
