//! What MIPG, the MURC and FURAG ask to know of each activity: the phase of the
//! management cycle, the MURC stage and element (accountability activities), the groups
//! of value, the degree of influence, the channel and medium, the FURAG questions it
//! evidences, and which of the strategy's expected components it covers.

use serde::{Deserialize, Serialize};

/// A closed list of values with a stable code (stored and exported) and a Spanish label.
pub trait Tag: Sized + Copy + Eq + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.code() == code)
    }
}

macro_rules! tag_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl Tag for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }
    };
}

tag_enum! {
    /// Fase del ciclo de la gestión (MIPG, política de participación ciudadana).
    CyclePhase {
        Diagnosis => "diagnostico", "Diagnóstico";
        Formulation => "formulacion", "Formulación";
        Implementation => "implementacion", "Implementación";
        Evaluation => "evaluacion_seguimiento", "Evaluación y seguimiento";
    }
}

tag_enum! {
    /// Etapa de la rendición de cuentas (MURC).
    MurcStage {
        Readiness => "aprestamiento", "Aprestamiento";
        Design => "diseno", "Diseño";
        Preparation => "preparacion", "Preparación";
        Execution => "ejecucion", "Ejecución";
        FollowUp => "seguimiento_evaluacion", "Seguimiento y evaluación";
    }
}

tag_enum! {
    /// Elemento de la rendición de cuentas (Ley 1757 de 2015, MURC).
    MurcElement {
        Information => "informacion", "Información";
        Dialogue => "dialogo", "Diálogo";
        Responsibility => "responsabilidad", "Responsabilidad";
    }
}

tag_enum! {
    /// Nivel de incidencia de la ciudadanía (FURAG PCI216).
    InfluenceLevel {
        Information => "informacion", "Información";
        Consultation => "consulta", "Consulta";
        Collaboration => "colaboracion", "Colaboración";
        Decision => "decision", "Decisión";
        SocialControl => "control_social", "Control social";
    }
}

tag_enum! {
    /// Canal del espacio de participación.
    Channel {
        InPerson => "presencial", "Presencial";
        Virtual => "virtual", "Virtual";
        Mixed => "mixto", "Mixto";
    }
}

tag_enum! {
    /// Components of the strategy that MIPG, the MURC and FURAG expect some activity to
    /// cover; an activity says which it covers.
    Component {
        Characterisation => "caracterizacion", "Caracterización de grupos de valor y diagnóstico de la participación";
        HearingAnswers => "respuestas_audiencia", "Respuesta y publicación de las preguntas de la audiencia dentro del término";
        SpaceEvaluation => "evaluacion_espacios", "Evaluación de cada espacio e informe anual de evaluación de la estrategia";
        ImprovementPlan => "plan_mejoramiento", "Plan de mejoramiento derivado de la participación, publicado";
        MenuParticipa => "menu_participa", "Publicación de la estrategia y su calendario en el menú Participa";
        SocialControl => "control_social", "Espacio de control social";
        KnowledgeManagement => "gestion_conocimiento", "Gestión del conocimiento y lecciones aprendidas";
    }
}

/// The tags of one activity; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTags {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<CyclePhase>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub murc_stages: Vec<MurcStage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub murc_elements: Vec<MurcElement>,
    /// Codes from the groups-of-value catalogue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub influence: Vec<InfluenceLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The medium (`Facebook Live`, `TikTok`, `auditorio`…).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub medium: String,
    /// FURAG question codes the activity evidences (`PCI208`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub furag: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<Component>,
}

impl ActivityTags {
    pub fn is_empty(&self) -> bool {
        *self == ActivityTags::default()
    }

    /// The tags as (kind, value) pairs, in order: how a store keeps them.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        fn push<T: Tag>(out: &mut Vec<(&'static str, String)>, kind: &'static str, list: &[T]) {
            out.extend(list.iter().map(|t| (kind, t.code().to_string())));
        }
        let mut out = Vec::new();
        push(&mut out, "phase", &self.phases);
        push(&mut out, "murc_stage", &self.murc_stages);
        push(&mut out, "murc_element", &self.murc_elements);
        out.extend(self.value_groups.iter().map(|g| ("value_group", g.clone())));
        push(&mut out, "influence", &self.influence);
        if let Some(c) = self.channel {
            out.push(("channel", c.code().to_string()));
        }
        if !self.medium.is_empty() {
            out.push(("medium", self.medium.clone()));
        }
        out.extend(self.furag.iter().map(|f| ("furag", f.clone())));
        push(&mut out, "covers", &self.covers);
        out
    }

    /// Rebuilds tags from [`ActivityTags::to_pairs`]'s pairs, or names the bad one.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ActivityTags, String> {
        fn one<T: Tag>(kind: &str, value: &str) -> Result<T, String> {
            T::parse(value).ok_or_else(|| format!("{kind} «{value}»"))
        }
        let mut t = ActivityTags::default();
        for (kind, value) in pairs {
            match kind {
                "phase" => t.phases.push(one(kind, value)?),
                "murc_stage" => t.murc_stages.push(one(kind, value)?),
                "murc_element" => t.murc_elements.push(one(kind, value)?),
                "value_group" => t.value_groups.push(value.to_string()),
                "influence" => t.influence.push(one(kind, value)?),
                "channel" => t.channel = Some(one(kind, value)?),
                "medium" => t.medium = value.to_string(),
                "furag" => t.furag.push(value.to_string()),
                "covers" => t.covers.push(one(kind, value)?),
                other => return Err(format!("tipo de etiqueta «{other}»")),
            }
        }
        Ok(t)
    }
}

/// Codes joined by `;`, for CSV and text cells.
pub fn codes<T: Tag>(tags: &[T]) -> String {
    tags.iter().map(|t| t.code()).collect::<Vec<_>>().join(";")
}

/// Parses `a;b` (or `,`-separated) codes, or names the first unknown one.
pub fn parse_codes<T: Tag>(text: &str) -> Result<Vec<T>, String> {
    text.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| T::parse(s).ok_or_else(|| s.to_string()))
        .collect()
}

/// A group of value of the catalogue (editable per entity; this is the starting list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueGroupDefinition {
    pub code: &'static str,
    pub name: &'static str,
    /// The FURAG list entry it maps to.
    pub furag: &'static str,
}

pub const VALUE_GROUPS: &[ValueGroupDefinition] = &[
    ValueGroupDefinition {
        code: "afiliados",
        name: "Afiliados",
        furag: "Ciudadanos / usuarios",
    },
    ValueGroupDefinition {
        code: "consumidores_financieros",
        name: "Consumidores financieros",
        furag: "Ciudadanos / usuarios",
    },
    ValueGroupDefinition {
        code: "pensionados",
        name: "Pensionados y retirados",
        furag: "Ciudadanos / usuarios",
    },
    ValueGroupDefinition {
        code: "beneficiarios",
        name: "Beneficiarios",
        furag: "Ciudadanos / usuarios",
    },
    ValueGroupDefinition {
        code: "sector_inmobiliario",
        name: "Sector inmobiliario y constructoras",
        furag: "Sector privado",
    },
    ValueGroupDefinition {
        code: "academia",
        name: "Academia",
        furag: "Academia",
    },
    ValueGroupDefinition {
        code: "veedurias",
        name: "Veedurías ciudadanas",
        furag: "Veedurías y organizaciones de control social",
    },
    ValueGroupDefinition {
        code: "entes_control",
        name: "Entes de control",
        furag: "Entidades públicas",
    },
    ValueGroupDefinition {
        code: "servidores",
        name: "Servidores públicos de la entidad",
        furag: "Servidores públicos",
    },
    ValueGroupDefinition {
        code: "ciudadania",
        name: "Ciudadanía en general",
        furag: "Ciudadanía en general",
    },
];

/// Whether `code` can name a group of value: lowercase ASCII letters, digits and `_`.
pub fn valid_group_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The FURAG questionnaires Participa knows, as data files (one per year).
const FURAG_FILES: &[(i32, &str)] = &[(2025, include_str!("../data/furag-2025.tsv"))];

/// A FURAG question: its code and what it asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuragQuestion {
    pub code: &'static str,
    pub topic: &'static str,
}

fn parse_furag(text: &'static str) -> Vec<FuragQuestion> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(code, topic)| FuragQuestion {
            code: code.trim(),
            topic: topic.trim(),
        })
        .collect()
}

/// The participation questions of the FURAG that applies to `year` (the latest
/// questionnaire not newer than the year), if Participa has one.
pub fn furag_catalogue(year: i32) -> Option<Vec<FuragQuestion>> {
    FURAG_FILES
        .iter()
        .filter(|(y, _)| *y <= year)
        .max_by_key(|(y, _)| *y)
        .map(|(_, text)| parse_furag(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_codes_are_plain_slugs() {
        assert!(valid_group_code("sector_inmobiliario"));
        assert!(valid_group_code("grupo2"));
        for bad in ["", "Afiliados", "niños", "a b", "a-b"] {
            assert!(!valid_group_code(bad), "{bad}");
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_are_named() {
        let phases: Vec<CyclePhase> = parse_codes("diagnostico; evaluacion_seguimiento").unwrap();
        assert_eq!(phases, vec![CyclePhase::Diagnosis, CyclePhase::Evaluation]);
        assert_eq!(codes(&phases), "diagnostico;evaluacion_seguimiento");
        assert_eq!(
            parse_codes::<MurcStage>("diseno,nada"),
            Err("nada".to_string())
        );
        for s in MurcStage::ALL {
            assert_eq!(MurcStage::parse(s.code()), Some(*s));
        }
    }

    #[test]
    fn tags_serialize_with_their_codes_and_empty_parts_are_left_out() {
        let t = ActivityTags {
            phases: vec![CyclePhase::Implementation],
            channel: Some(Channel::Virtual),
            furag: vec!["PCI208".into()],
            ..Default::default()
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"phases":["implementacion"],"channel":"virtual","furag":["PCI208"]}"#
        );
        assert_eq!(serde_json::from_str::<ActivityTags>(&json).unwrap(), t);
        assert_eq!(
            serde_json::from_str::<ActivityTags>("{}").unwrap(),
            ActivityTags::default()
        );
        let furag = furag_catalogue(2026).unwrap();
        assert_eq!(furag.len(), 19);
        assert_eq!(furag[8].code, "PCI208");
        assert!(furag_catalogue(2024).is_none());
        // A topic still to confirm says where to read the question, in words.
        for q in furag.iter().filter(|q| q.topic.contains("por confirmar")) {
            assert!(!q.topic.starts_with('('), "{}", q.code);
            assert!(q.topic.contains("funcionpublica.gov.co"), "{}", q.code);
        }
        let full = ActivityTags {
            phases: vec![CyclePhase::Evaluation, CyclePhase::Diagnosis],
            murc_stages: vec![MurcStage::Execution],
            murc_elements: vec![MurcElement::Dialogue],
            value_groups: vec!["afiliados".into()],
            influence: vec![InfluenceLevel::Consultation],
            channel: Some(Channel::Mixed),
            medium: "TikTok".into(),
            furag: vec!["PCI205".into()],
            covers: vec![Component::SocialControl],
        };
        let pairs = full.to_pairs();
        let back = ActivityTags::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(back, full);
    }
}
