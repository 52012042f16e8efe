//! A plan version's life: borrador → consolidado → revisado → aprobado → publicado.

use chrono::NaiveDate;
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

/// Why an acta date is refused: the committee cannot approve in the future, nor approve
/// a plan before it was consolidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ActaDateError {
    #[error("la fecha del acta ({}) no puede ser posterior a hoy ({})", crate::dates::fecha(*.acta), crate::dates::fecha(*.today))]
    Future { acta: NaiveDate, today: NaiveDate },
    #[error("la fecha del acta ({}) no puede ser anterior a la consolidación del plan ({})", crate::dates::fecha(*.acta), crate::dates::fecha(*.consolidated))]
    BeforeConsolidation {
        acta: NaiveDate,
        consolidated: NaiveDate,
    },
}

/// Accepts the date of the committee's acta when it lies between the day the plan was
/// consolidated (when known) and `today`, both included.
pub fn check_acta_date(
    acta: NaiveDate,
    consolidated: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ActaDateError> {
    if acta > today {
        return Err(ActaDateError::Future { acta, today });
    }
    match consolidated {
        Some(consolidated) if acta < consolidated => {
            Err(ActaDateError::BeforeConsolidation { acta, consolidated })
        }
        _ => Ok(()),
    }
}

impl Transition {
    /// Whether the step needs a written reason: returning a plan to draft undoes the
    /// steps taken, so the history says why.
    pub fn needs_reason(self) -> bool {
        self == Transition::ReturnToDraft
    }

    /// Whether someone with these permissions (`can`) may take this step from `from`.
    /// Besides the step's own permission, whoever approves may send a plan waiting for
    /// approval (reviewed) back to draft, with observations, instead of approving it.
    pub fn allowed(self, from: PlanStatus, can: impl Fn(crate::access::Action) -> bool) -> bool {
        can(self.action())
            || (self == Transition::ReturnToDraft
                && from == PlanStatus::Reviewed
                && can(crate::access::Action::Approve))
    }

    /// What the step does, said before it is taken (the confirmation page).
    pub fn consequences(self, from: PlanStatus) -> Vec<&'static str> {
        match self {
            Transition::Consolidate => vec![
                "El plan pasa de borrador a consolidado y queda bloqueado: nadie podrá cambiar sus actividades ni su encabezado.",
                "Queda listo para que la Oficina de Planeación lo marque como revisado.",
            ],
            Transition::Review => vec![
                "El plan pasa a revisado y queda esperando la aprobación del CIGD.",
                "Sigue bloqueado: para cambiarlo habrá que devolverlo a borrador.",
            ],
            Transition::Approve => vec![
                "El plan queda aprobado con el acta del CIGD que escriba; su nombre y cargo quedan en la firma «Aprobó» de esta versión.",
                "La aprobación no se puede deshacer: solo devolver el plan a borrador, con su motivo.",
            ],
            Transition::Publish => vec![
                "Esta versión queda publicada: la ciudadanía la verá en el portal, con sus datos abiertos.",
                "No se puede despublicar: un cambio posterior abre una nueva versión, con su motivo, y la ciudadanía sigue viendo esta hasta publicar la nueva.",
            ],
            Transition::ReturnToDraft => match from {
                PlanStatus::Approved => vec![
                    "El plan vuelve a borrador y se borra su aprobación (acta y firma «Aprobó»), su revisión y su consolidación.",
                    "Habrá que consolidarlo, revisarlo y aprobarlo de nuevo.",
                ],
                PlanStatus::Reviewed => vec![
                    "El plan vuelve a borrador sin aprobarse; se borran su revisión y su consolidación.",
                    "La Oficina de Planeación verá el motivo en la página del plan y en el historial.",
                ],
                _ => vec![
                    "El plan vuelve a borrador y se borra su consolidación.",
                    "Habrá que consolidarlo y revisarlo de nuevo.",
                ],
            },
        }
    }

    /// The confirmation message after the step, saying exactly what happened.
    pub fn done(self, version: i64) -> String {
        match self {
            Transition::Consolidate => {
                format!("Versión {version} consolidada: quedó bloqueada y lista para revisión.")
            }
            Transition::Review => {
                format!("Versión {version} marcada como revisada: espera la aprobación del CIGD.")
            }
            Transition::Approve => {
                format!("Versión {version} aprobada por el CIGD: ya se puede publicar.")
            }
            Transition::Publish => {
                format!("Versión {version} publicada: la ciudadanía ya la ve en el portal.")
            }
            Transition::ReturnToDraft => {
                format!("Versión {version} devuelta a borrador, con su motivo en el historial.")
            }
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

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_acta_date_lies_between_consolidation_and_today() {
        let today = d(2026, 3, 10);
        assert_eq!(check_acta_date(today, Some(d(2026, 3, 1)), today), Ok(()));
        assert_eq!(
            check_acta_date(d(2026, 3, 1), Some(d(2026, 3, 1)), today),
            Ok(())
        );
        assert_eq!(check_acta_date(d(2026, 1, 5), None, today), Ok(()));
        let future = check_acta_date(d(2026, 3, 11), Some(d(2026, 3, 1)), today).unwrap_err();
        assert!(matches!(future, ActaDateError::Future { .. }));
        assert_eq!(
            future.to_string(),
            "la fecha del acta (11 mar 2026) no puede ser posterior a hoy (10 mar 2026)"
        );
        let early = check_acta_date(d(2026, 2, 27), Some(d(2026, 3, 1)), today).unwrap_err();
        assert_eq!(
            early.to_string(),
            "la fecha del acta (27 feb 2026) no puede ser anterior a la consolidación del plan (1 mar 2026)"
        );
    }

    #[test]
    fn returning_needs_a_reason_and_the_approver_may_return_what_waits_for_it() {
        use crate::access::{allows, Action, Actor, Role};
        assert!(ReturnToDraft.needs_reason());
        assert!(Transition::ALL.iter().filter(|t| t.needs_reason()).count() == 1);
        let approver = Actor {
            role: Role::Approver,
            offices: vec![],
        };
        let can = |a: Action| allows(Some(&approver), a);
        assert!(ReturnToDraft.allowed(Reviewed, can));
        assert!(!ReturnToDraft.allowed(Approved, can));
        assert!(!ReturnToDraft.allowed(Consolidated, can));
        assert!(Approve.allowed(Reviewed, can));
        let auditor = Actor {
            role: Role::Auditor,
            offices: vec![],
        };
        assert!(!ReturnToDraft.allowed(Reviewed, |a| allows(Some(&auditor), a)));
        let admin = Actor {
            role: Role::Admin,
            offices: vec![],
        };
        assert!(ReturnToDraft.allowed(Approved, |a| allows(Some(&admin), a)));
    }

    #[test]
    fn every_step_says_what_it_does_before_and_after() {
        for t in Transition::ALL {
            for from in PlanStatus::ALL {
                if from.after(t).is_ok() {
                    assert!(!t.consequences(from).is_empty(), "{t:?} from {from:?}");
                }
            }
            assert!(t.done(3).contains("Versión 3"));
        }
        assert!(Approve.done(2).contains("aprobada"));
        assert!(!Approve.done(2).contains("revisión"));
    }
}
