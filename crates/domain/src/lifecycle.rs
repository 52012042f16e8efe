//! A plan version's life: borrador → consolidado → revisado → aprobado → publicado.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    Draft,
    Consolidated,
    Reviewed,
    Approved,
    Published,
}

/// A step of the lifecycle, as a button press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    Consolidate,
    Review,
    Approve,
    Publish,
    /// Back to draft from consolidated, reviewed or approved (to correct it).
    ReturnToDraft,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("no se puede {} un plan en estado «{}»", .transition.verb(), .from.label())]
pub struct LifecycleError {
    pub from: PlanStatus,
    pub transition: Transition,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::Draft,
        PlanStatus::Consolidated,
        PlanStatus::Reviewed,
        PlanStatus::Approved,
        PlanStatus::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Consolidated => "consolidated",
            PlanStatus::Reviewed => "reviewed",
            PlanStatus::Approved => "approved",
            PlanStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Borrador",
            PlanStatus::Consolidated => "Consolidado",
            PlanStatus::Reviewed => "Revisado",
            PlanStatus::Approved => "Aprobado",
            PlanStatus::Published => "Publicado",
        }
    }

    /// The state after `transition`, or why it cannot happen.
    pub fn after(self, transition: Transition) -> Result<PlanStatus, LifecycleError> {
        use PlanStatus::*;
        use Transition::*;
        let next = match (self, transition) {
            (Draft, Consolidate) => Some(Consolidated),
            (Consolidated, Review) => Some(Reviewed),
            (Reviewed, Approve) => Some(Approved),
            (Approved, Publish) => Some(Published),
            (Consolidated | Reviewed | Approved, ReturnToDraft) => Some(Draft),
            _ => None,
        };
        next.ok_or(LifecycleError {
            from: self,
            transition,
        })
    }

    /// How a change to the plan's content is made in this state.
    pub fn edit_mode(self) -> EditMode {
        match self {
            PlanStatus::Draft => EditMode::InPlace,
            PlanStatus::Published => EditMode::NewVersion,
            _ => EditMode::Locked,
        }
    }

    /// The transitions available from here, in the order the UI offers them.
    pub fn transitions(self) -> Vec<Transition> {
        [
            Transition::Consolidate,
            Transition::Review,
            Transition::Approve,
            Transition::Publish,
            Transition::ReturnToDraft,
        ]
        .into_iter()
        .filter(|t| self.after(*t).is_ok())
        .collect()
    }
}

/// What editing a plan's content does in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditMode {
    /// A draft is edited where it is.
    InPlace,
    /// A published plan is changed by opening its next version, with a reason.
    NewVersion,
    /// Under review or approval: return it to draft first.
    Locked,
}

impl Transition {
    pub const ALL: [Transition; 5] = [
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
        Transition::ReturnToDraft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Consolidate => "consolidar",
            Transition::Review => "revisar",
            Transition::Approve => "aprobar",
            Transition::Publish => "publicar",
            Transition::ReturnToDraft => "devolver",
        }
    }

    pub fn parse(s: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The infinitive used in messages.
    pub fn verb(self) -> &'static str {
        match self {
            Transition::Consolidate => "consolidar",
            Transition::Review => "marcar como revisado",
            Transition::Approve => "aprobar",
            Transition::Publish => "publicar",
            Transition::ReturnToDraft => "devolver a borrador",
        }
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Transition::Consolidate => "Consolidar",
            Transition::Review => "Marcar como revisado",
            Transition::Approve => "Aprobar (CIGD)",
            Transition::Publish => "Publicar",
            Transition::ReturnToDraft => "Devolver a borrador",
        }
    }

    /// The permission this step needs.
    pub fn action(self) -> crate::access::Action<'static> {
        use crate::access::Action;
        match self {
            Transition::Consolidate => Action::Consolidate,
            Transition::Review => Action::Review,
            Transition::Approve => Action::Approve,
            Transition::Publish => Action::Publish,
            Transition::ReturnToDraft => Action::ReturnToDraft,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlanStatus::*;
    use Transition::*;

    #[test]
    fn the_happy_path_goes_from_draft_to_published() {
        let mut s = Draft;
        for t in [Consolidate, Review, Approve, Publish] {
            s = s.after(t).unwrap();
        }
        assert_eq!(s, Published);
    }

    #[test]
    fn no_step_can_be_skipped() {
        assert!(Draft.after(Approve).is_err());
        assert!(Draft.after(Publish).is_err());
        assert!(Consolidated.after(Approve).is_err());
        assert!(Reviewed.after(Publish).is_err());
        let e = Published.after(ReturnToDraft).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no se puede devolver a borrador un plan en estado «Publicado»"
        );
    }

    #[test]
    fn only_drafts_are_edited_in_place_and_published_plans_get_a_new_version() {
        assert_eq!(Draft.edit_mode(), EditMode::InPlace);
        assert_eq!(Published.edit_mode(), EditMode::NewVersion);
        for s in [Consolidated, Reviewed, Approved] {
            assert_eq!(s.edit_mode(), EditMode::Locked);
            assert_eq!(s.after(ReturnToDraft), Ok(Draft));
        }
    }

    #[test]
    fn names_round_trip() {
        for s in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(s.as_str()), Some(s));
        }
        for t in Transition::ALL {
            assert_eq!(Transition::parse(t.as_str()), Some(t));
        }
        assert_eq!(Draft.transitions(), vec![Consolidate]);
        assert_eq!(Published.transitions(), vec![]);
    }
}
