//! Who may do what: the roles of the platform and the one function that decides.
//!
//! Every handler asks [`allows`] before acting; the web layer never decides on its own.

use crate::values::OfficeCode;
use serde::{Deserialize, Serialize};

/// A staff role. The anonymous public has no role (see [`allows`] with `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Planning office: everything but approving its own plan.
    Admin,
    /// A responsible office: edits only the activities of its offices.
    Reporter,
    /// Internal control: reads everything, changes nothing of the plan.
    Auditor,
    /// The CIGD's secretary: approves plans.
    Approver,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Reporter, Role::Auditor, Role::Approver];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reporter => "reporter",
            Role::Auditor => "auditor",
            Role::Approver => "approver",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Spanish name the UI shows.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrador (Oficina de Planeación)",
            Role::Reporter => "Responsable de dependencia",
            Role::Auditor => "Control interno",
            Role::Approver => "Secretaría técnica del CIGD (aprueba)",
        }
    }
}

/// A signed-in staff member, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// The offices a reporter answers for (empty for other roles).
    pub offices: Vec<OfficeCode>,
}

/// Everything the platform lets someone do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read a published plan and its open data.
    ViewPublished,
    /// Read the staff pages: every plan in any state, its versions and exports.
    ViewInternal,
    CreatePlan,
    ImportPlan,
    EditPlanHeader,
    CreateActivity,
    DeleteActivity,
    /// Edit an activity whose responsible offices are these.
    EditActivity(&'a [OfficeCode]),
    /// Change which offices are responsible for an existing activity (the planning
    /// office's decision; a responsible office edits the rest of its activity).
    AssignResponsibles,
    Consolidate,
    Review,
    Approve,
    Publish,
    ReturnToDraft,
    ViewAuditLog,
    ManageUsers,
    /// Change the entity's own settings: its name as citizens see it, footer data,
    /// data-policy address, e-mail sender, colour and logo.
    ManageEntity,
    ChangeOwnPassword,
    /// Change the rules: legal parameters, holidays, the groups-of-value catalogue.
    ManageRules,
    /// Accept a coverage finding with a justification.
    AcceptFinding,
    /// Report progress (with evidence) on an activity whose responsible offices are these.
    ReportProgress(&'a [OfficeCode]),
    /// Internal control's review of a progress report: verified percent, observations,
    /// accept or return.
    ReviewProgress,
    /// Close a follow-up period, locking its reports.
    ClosePeriod,
    /// Follow-up settings of a plan: frequency, thresholds, indicators, weights, and
    /// rescheduling or cancelling an activity.
    ManageFollowup,
    /// Triage and answer what citizens send (suggestions).
    ManageParticipation,
    /// See citizens' personal data (contact data left with consent).
    ViewPersonalData,
    /// See one's own account and the sessions open in one's name, and end the others.
    ManageOwnAccount,
}

/// Whether `actor` (None: the anonymous public) may perform `action`.
pub fn allows(actor: Option<&Actor>, action: Action<'_>) -> bool {
    let Some(actor) = actor else {
        return matches!(action, Action::ViewPublished);
    };
    use Action::*;
    match (actor.role, action) {
        (_, ViewPublished | ViewInternal | ChangeOwnPassword | ManageOwnAccount) => true,
        (Role::Admin, Approve | ReviewProgress | ClosePeriod) => false,
        (Role::Admin, _) => true,
        (Role::Reporter, EditActivity(offices) | ReportProgress(offices)) => {
            offices.iter().any(|o| actor.offices.contains(o))
        }
        (Role::Auditor, ViewAuditLog | ReviewProgress | ClosePeriod) => true,
        (Role::Approver, Approve) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> OfficeCode {
        OfficeCode::parse(s).unwrap()
    }

    fn actor(role: Role, offices: &[&str]) -> Actor {
        Actor {
            role,
            offices: offices.iter().map(|o| code(o)).collect(),
        }
    }

    #[test]
    fn the_public_only_reads_what_is_published() {
        assert!(allows(None, Action::ViewPublished));
        assert!(!allows(None, Action::ViewInternal));
        assert!(!allows(None, Action::EditActivity(&[code("OAPLA")])));
        assert!(!allows(None, Action::ChangeOwnPassword));
        assert!(!allows(None, Action::ManageOwnAccount));
    }

    #[test]
    fn every_staff_member_manages_their_own_account() {
        for role in Role::ALL {
            let a = actor(role, &[]);
            assert!(allows(Some(&a), Action::ChangeOwnPassword), "{role:?}");
            assert!(allows(Some(&a), Action::ManageOwnAccount), "{role:?}");
        }
    }

    #[test]
    fn a_reporter_edits_only_activities_of_its_offices() {
        let r = actor(Role::Reporter, &["ARCOM"]);
        assert!(allows(Some(&r), Action::EditActivity(&[code("ARCOM")])));
        assert!(allows(
            Some(&r),
            Action::EditActivity(&[code("OAPLA"), code("ARCOM")])
        ));
        assert!(!allows(Some(&r), Action::EditActivity(&[code("OAPLA")])));
        assert!(!allows(Some(&r), Action::EditActivity(&[])));
        for a in [
            Action::CreateActivity,
            Action::DeleteActivity,
            Action::EditPlanHeader,
            Action::Consolidate,
            Action::Approve,
            Action::Publish,
            Action::ViewAuditLog,
            Action::ManageUsers,
            Action::ManageEntity,
            Action::ManageRules,
            Action::AcceptFinding,
        ] {
            assert!(!allows(Some(&r), a), "{a:?}");
        }
    }

    #[test]
    fn the_auditor_reads_everything_and_changes_nothing() {
        let a = actor(Role::Auditor, &[]);
        assert!(allows(Some(&a), Action::ViewInternal));
        assert!(allows(Some(&a), Action::ViewAuditLog));
        for act in [
            Action::CreatePlan,
            Action::ImportPlan,
            Action::EditActivity(&[code("OAPLA")]),
            Action::Consolidate,
            Action::Review,
            Action::Approve,
            Action::Publish,
            Action::ManageUsers,
            Action::ManageEntity,
            Action::ManageRules,
            Action::AcceptFinding,
        ] {
            assert!(!allows(Some(&a), act), "{act:?}");
        }
    }

    #[test]
    fn only_the_approver_approves() {
        assert!(allows(Some(&actor(Role::Approver, &[])), Action::Approve));
        assert!(!allows(Some(&actor(Role::Admin, &[])), Action::Approve));
        assert!(!allows(Some(&actor(Role::Approver, &[])), Action::Publish));
        assert!(allows(Some(&actor(Role::Admin, &[])), Action::Publish));
    }

    #[test]
    fn offices_report_and_internal_control_reviews() {
        let arcom = [code("ARCOM")];
        let r = actor(Role::Reporter, &["ARCOM"]);
        assert!(allows(Some(&r), Action::ReportProgress(&arcom)));
        assert!(!allows(Some(&r), Action::ReportProgress(&[code("ARVIV")])));
        assert!(!allows(Some(&r), Action::ReviewProgress));
        let admin = actor(Role::Admin, &[]);
        assert!(allows(Some(&admin), Action::ReportProgress(&arcom)));
        assert!(allows(Some(&admin), Action::ManageFollowup));
        // The planning office does not review or close what it reports.
        assert!(!allows(Some(&admin), Action::ReviewProgress));
        assert!(!allows(Some(&admin), Action::ClosePeriod));
        let oci = actor(Role::Auditor, &[]);
        assert!(allows(Some(&oci), Action::ReviewProgress));
        assert!(allows(Some(&oci), Action::ClosePeriod));
        assert!(!allows(Some(&oci), Action::ReportProgress(&arcom)));
        assert!(!allows(Some(&oci), Action::ManageFollowup));
    }

    #[test]
    fn only_the_admin_answers_citizens_and_sees_their_data() {
        for role in Role::ALL {
            let who = actor(role, &["ARACF"]);
            assert_eq!(
                allows(Some(&who), Action::ManageParticipation),
                role == Role::Admin
            );
            assert_eq!(
                allows(Some(&who), Action::ViewPersonalData),
                role == Role::Admin
            );
        }
        assert!(!allows(None, Action::ViewPersonalData));
    }

    #[test]
    fn only_the_admin_changes_the_rules_and_accepts_findings() {
        for role in Role::ALL {
            let who = actor(role, &[]);
            assert_eq!(allows(Some(&who), Action::ManageRules), role == Role::Admin);
            assert_eq!(
                allows(Some(&who), Action::AcceptFinding),
                role == Role::Admin
            );
        }
        assert!(!allows(None, Action::ManageRules));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
