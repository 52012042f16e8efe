//! Citizen participation on the platform: the suggestions campaign, consent to the
//! processing of personal data (Ley 1581 de 2012) and the rules of public statistics.

pub mod builder;
pub mod consent;
pub mod counts;
pub mod deliverables;
pub mod forum;
pub mod hearing;
pub mod identity;
pub mod suggestions;
pub mod survey;

pub use consent::{
    check_contact, public_count, Consent, ContactData, ContactError, MIN_PUBLIC_GROUP,
};
pub use suggestions::{Category, NewSuggestion, SuggestionError, SuggestionStatus, TrackingCode};

/// What kind of online consultation a consultation is: a survey with questions, or a
/// forum with topics and moderated comments. Pages dispatch on it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultationKind {
    Survey,
    Forum(forum::Moderation),
}

impl ConsultationKind {
    /// The stored code of the kind: `encuesta` or `foro`.
    pub fn code(self) -> &'static str {
        match self {
            ConsultationKind::Survey => "encuesta",
            ConsultationKind::Forum(_) => "foro",
        }
    }

    /// The kind from its stored code and, for a forum, the code of its moderation
    /// (a forum with an unknown moderation moderates before publication).
    pub fn from_codes(kind: &str, moderation: &str) -> Option<Self> {
        match kind {
            "encuesta" => Some(ConsultationKind::Survey),
            "foro" => Some(ConsultationKind::Forum(
                forum::Moderation::from_code(moderation).unwrap_or(forum::Moderation::Before),
            )),
            _ => None,
        }
    }

    /// The forum's moderation; `None` for a survey.
    pub fn moderation(self) -> Option<forum::Moderation> {
        match self {
            ConsultationKind::Survey => None,
            ConsultationKind::Forum(m) => Some(m),
        }
    }

    pub fn is_forum(self) -> bool {
        matches!(self, ConsultationKind::Forum(_))
    }
}

#[cfg(test)]
mod kind_tests {
    use super::forum::Moderation;
    use super::ConsultationKind;

    #[test]
    fn kinds_read_back_from_their_codes() {
        for kind in [
            ConsultationKind::Survey,
            ConsultationKind::Forum(Moderation::Before),
            ConsultationKind::Forum(Moderation::After),
        ] {
            let moderation = kind.moderation().map_or("previa", Moderation::code);
            assert_eq!(
                ConsultationKind::from_codes(kind.code(), moderation),
                Some(kind)
            );
        }
        assert_eq!(ConsultationKind::from_codes("votacion", "previa"), None);
    }
}
