//! Template structs and the read models they show. Templates live in `templates/`;
//! askama escapes every value unless a template marks it `|safe` (only our own SVG).

use crate::auth::CurrentUser;
use crate::form::FieldErrors;
use crate::AppState;
use askama::Template;
use chrono::NaiveDate;
use participa_app::dates::{fecha, in_colombia};
use participa_domain::diff::PlanDiff;
use participa_domain::{Action, Activity, Plan, PlanStatus, Role, Transition};
use participa_store::{AuditEntry, User, VersionInfo};

/// What every page's frame needs.
pub struct Layout {
    pub title: String,
    pub entity: String,
    pub user: Option<NavUser>,
    /// The entity's data-processing policy, linked next to consent checkboxes.
    pub privacy_policy: Option<String>,
}

pub struct NavUser {
    pub name: String,
    pub role: &'static str,
    pub sees_audit: bool,
    pub manages_users: bool,
    /// Unread notifications.
    pub unread: i64,
}

impl Layout {
    pub fn public(title: String, state: &AppState) -> Layout {
        Layout {
            title,
            entity: state.entity.clone(),
            user: None,
            privacy_policy: state.privacy_policy.clone(),
        }
    }

    pub fn staff(title: String, state: &AppState, user: &CurrentUser) -> Layout {
        Layout {
            title,
            entity: state.entity.clone(),
            user: Some(NavUser {
                name: user.user.full_name.clone(),
                role: user.user.role.label(),
                sees_audit: user.can(Action::ViewAuditLog),
                manages_users: user.can(Action::ManageUsers),
                unread: user.unread,
            }),
            privacy_policy: state.privacy_policy.clone(),
        }
    }
}

/// A moment in Colombian time (UTC−5 all year): `2026-11-27 08:46 (hora de Colombia)`.
pub fn hora(at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{} (hora de Colombia)",
        in_colombia(at).format("%Y-%m-%d %H:%M")
    )
}

pub struct ActivityView {
    pub number: u32,
    pub description: String,
    pub start: String,
    pub start_iso: String,
    pub end: String,
    pub end_iso: String,
    pub codes: String,
    pub responsible_text: String,
    pub deliverable: String,
    pub can_edit: bool,
}

impl ActivityView {
    pub fn new(a: &Activity, can_edit: bool) -> Self {
        ActivityView {
            number: a.number.get(),
            description: a.description.clone(),
            start: fecha(a.start),
            start_iso: a.start.to_string(),
            end: fecha(a.end),
            end_iso: a.end.to_string(),
            codes: a
                .responsible
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("-"),
            responsible_text: a.responsible_text.clone(),
            deliverable: a.deliverable.clone(),
            can_edit,
        }
    }
}

pub struct OfficeView {
    pub code: String,
    pub name: String,
    pub role: &'static str,
}

pub struct SignatureView {
    pub role: &'static str,
    pub name: String,
    pub position: String,
}

/// A plan as both the public and the staff pages show it.
pub struct PlanView {
    pub title: String,
    pub year: i32,
    pub entity: String,
    pub policy: String,
    pub strategic_objective: String,
    pub office_objective: String,
    pub strategic_initiative: String,
    pub objectives: Vec<String>,
    pub legal_text: String,
    pub offices: Vec<OfficeView>,
    pub offices_text: String,
    pub activities: Vec<ActivityView>,
    pub signatures: Vec<SignatureView>,
    pub document_version: Option<String>,
    /// The Gantt chart, our own escaped SVG.
    pub gantt: String,
}

impl PlanView {
    /// `can_edit` says, per activity, whether the viewer may edit it; `only` keeps the
    /// activities of one office.
    pub fn new(
        plan: &Plan,
        today: NaiveDate,
        only: Option<&str>,
        can_edit: impl Fn(&Activity) -> bool,
    ) -> PlanView {
        let shown: Vec<&Activity> = plan
            .activities
            .iter()
            .filter(|a| only.is_none_or(|o| a.responsible.iter().any(|c| c.as_str() == o)))
            .collect();
        PlanView {
            title: plan.title.clone(),
            year: plan.year.get(),
            entity: plan.entity.clone(),
            policy: plan.alignment.policy.clone(),
            strategic_objective: plan.alignment.strategic_objective.to_string(),
            office_objective: plan.alignment.office_objective.to_string(),
            strategic_initiative: plan.alignment.strategic_initiative.to_string(),
            objectives: plan.objectives.clone(),
            legal_text: plan.legal_framework.text.clone(),
            offices: plan
                .offices
                .iter()
                .map(|o| OfficeView {
                    code: o.code.to_string(),
                    name: o.name.clone(),
                    role: o.role.label(),
                })
                .collect(),
            offices_text: plan.offices_text.clone(),
            activities: shown
                .iter()
                .map(|a| ActivityView::new(a, can_edit(a)))
                .collect(),
            signatures: plan
                .signatures
                .iter()
                .map(|s| SignatureView {
                    role: s.role.label(),
                    name: s.name.clone(),
                    position: s.position.clone(),
                })
                .collect(),
            document_version: plan
                .version
                .as_ref()
                .map(|v| format!("Versión {}: {}", v.number, fecha(v.date))),
            gantt: crate::gantt::svg(plan.year.get(), &shown, today),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub message: &'a str,
    pub status: u16,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub layout: Layout,
    pub errors: FieldErrors,
    pub done: bool,
    /// The password was generated for the user: it must be changed before going on.
    pub forced: bool,
    /// Where to go once it is changed (a local path).
    pub next: String,
}

#[derive(Template)]
#[template(path = "recovery_request.html")]
pub struct RecoveryRequestPage {
    pub layout: Layout,
    /// The user name or e-mail typed.
    pub who: String,
    /// The request was taken (the answer says the same whoever it named).
    pub sent: bool,
    /// How long a link works.
    pub minutes: i64,
    /// Whether e-mail can be sent at all (an SMTP server is configured).
    pub available: bool,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "recovery_reset.html")]
pub struct RecoveryResetPage {
    pub layout: Layout,
    pub username: String,
    /// Why the link cannot be used, when it cannot.
    pub problem: Option<String>,
    /// The new password is set.
    pub done: bool,
    pub errors: FieldErrors,
}

/// A session open in the user's name, as the account page lists it.
pub struct SessionRow {
    pub started: String,
    pub seen: String,
    pub address: String,
    pub browser: String,
    /// The session this page was asked for from.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub offices: String,
    pub email: String,
    pub sessions: Vec<SessionRow>,
    /// How many of them are not this one.
    pub others: usize,
    /// How many sessions were just ended.
    pub ended: Option<u64>,
    /// The password form's errors (it posts to its own page).
    pub errors: FieldErrors,
    pub next: String,
}

pub struct PublishedItem {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub activities: usize,
    pub version: i64,
    pub published: String,
    /// The plan's progress and what the calendar expects, in percent, written.
    pub progress: String,
    pub expected: String,
    pub done: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub plans: Vec<PublishedItem>,
    /// Hearings from today on: (id, title, date).
    pub hearings: Vec<(i64, String, String)>,
    /// Consultations open today: (id, title, closing date).
    pub consultations: Vec<(i64, String, String)>,
    /// Upcoming events: (title, date, modality, where).
    pub events: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "public_plan.html")]
pub struct PublicPlanPage {
    pub layout: Layout,
    pub id: i64,
    pub version: i64,
    pub published: String,
    pub plan: PlanView,
}

pub struct PlanListItem {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub activities: i64,
    pub version: i64,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "plans.html")]
pub struct PlansPage {
    pub layout: Layout,
    pub plans: Vec<PlanListItem>,
    pub can_create: bool,
    /// A reporter's pending follow-up: what its offices owe on the published plans.
    pub reminders: Vec<participa_app::reminders::Reminder>,
}

pub struct TransitionButton {
    pub value: &'static str,
    pub label: &'static str,
    pub needs_acta: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub struct PlanPage {
    pub layout: Layout,
    pub id: i64,
    pub version: i64,
    pub status: PlanStatus,
    pub plan: PlanView,
    pub office_filter: String,
    pub transitions: Vec<TransitionButton>,
    pub can_edit_header: bool,
    pub can_add: bool,
    pub editable: bool,
    pub published_notice: bool,
    pub message: Option<String>,
    /// Findings of the coverage check: how many, and how many nobody accepted.
    pub findings: usize,
    pub pending_findings: usize,
}

impl PlanPage {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
}

/// The lifecycle buttons `user` may press; no "Consolidar" while findings are pending.
pub fn transition_buttons(
    status: PlanStatus,
    user: &CurrentUser,
    pending_findings: usize,
) -> Vec<TransitionButton> {
    status
        .transitions()
        .into_iter()
        .filter(|t| user.can(t.action()))
        .filter(|t| *t != Transition::Consolidate || pending_findings == 0)
        .map(|t| TransitionButton {
            value: t.as_str(),
            label: t.label(),
            needs_acta: t == Transition::Approve,
        })
        .collect()
}

/// An activity form's values as typed, and its errors by field name.
#[derive(Default, Clone)]
pub struct ActivityFormValues {
    pub number: String,
    pub description: String,
    pub start: String,
    pub end: String,
    pub offices: Vec<String>,
    pub responsible_text: String,
    pub deliverable: String,
    pub tags: crate::tag_form::TagValues,
    pub reason: String,
}

pub struct OfficeChoice {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "activity_form.html")]
pub struct ActivityFormPage {
    pub layout: Layout,
    pub plan_id: i64,
    pub plan_title: String,
    /// None for a new activity.
    pub number: Option<u32>,
    pub values: ActivityFormValues,
    pub offices: Vec<OfficeChoice>,
    pub tag_fieldsets: Vec<crate::tag_form::TagFieldset>,
    pub errors: FieldErrors,
    pub needs_reason: bool,
    pub can_delete: bool,
    /// Whether the responsible offices can be changed here (the planning office).
    pub can_assign: bool,
    /// The reason typed in the delete form, kept when it is refused.
    pub delete_reason: String,
}

/// The plan header form's values as typed.
#[derive(Default)]
pub struct PlanFormValues {
    pub title: String,
    pub year: String,
    pub policy: String,
    pub so_code: String,
    pub so_text: String,
    pub oo_code: String,
    pub oo_text: String,
    pub si_code: String,
    pub si_text: String,
    pub objectives: String,
    pub legal: String,
    pub offices: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "plan_form.html")]
pub struct PlanFormPage {
    pub layout: Layout,
    /// None when creating.
    pub plan_id: Option<i64>,
    pub values: PlanFormValues,
    pub errors: FieldErrors,
    pub needs_reason: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub file: String,
    /// The errors listed (at most 100), how many there are in all (`4 000 errores`) and
    /// the line that counts those not listed.
    pub errors: Vec<String>,
    pub count: String,
    pub more: Option<String>,
    pub summary: Option<String>,
}

pub struct VersionRow {
    pub version: i64,
    pub status: &'static str,
    pub reason: String,
    pub created: String,
    pub steps: Vec<String>,
}

impl VersionRow {
    pub fn new(v: &VersionInfo) -> VersionRow {
        let who = |s: &participa_store::Step| {
            format!(
                "{} el {}",
                s.by.clone().unwrap_or_else(|| "el sistema".into()),
                hora(s.at)
            )
        };
        let mut steps = Vec::new();
        if let Some(s) = &v.consolidated {
            steps.push(format!("Consolidó {}", who(s)));
        }
        if let Some(s) = &v.reviewed {
            steps.push(format!("Revisó {}", who(s)));
        }
        if let Some(s) = &v.approved {
            let acta = match (&v.acta_number, v.acta_date) {
                (Some(n), Some(d)) => format!(" (acta del CIGD n.º {n} del {})", fecha(d)),
                _ => String::new(),
            };
            steps.push(format!("Aprobó {}{acta}", who(s)));
        }
        if let Some(s) = &v.published {
            steps.push(format!("Publicó {}", who(s)));
        }
        VersionRow {
            version: v.version,
            status: v.status.label(),
            reason: v.reason.clone(),
            created: who(&v.created),
            steps,
        }
    }
}

#[derive(Template)]
#[template(path = "versions.html")]
pub struct VersionsPage {
    pub layout: Layout,
    pub plan_id: i64,
    pub plan_title: String,
    pub versions: Vec<VersionRow>,
    pub from: i64,
    pub to: i64,
}

#[derive(Template)]
#[template(path = "diff.html")]
pub struct DiffPage {
    pub layout: Layout,
    pub plan_id: i64,
    pub from: i64,
    pub to: i64,
    pub diff: PlanDiff,
}

impl DiffPage {
    pub fn fields(a: &Activity) -> Vec<(&'static str, String)> {
        participa_domain::diff::activity_fields(a)
    }
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub offices: String,
    pub active: bool,
}

impl UserRow {
    pub fn new(u: &User) -> Self {
        UserRow {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            role: u.role.label(),
            offices: u
                .offices
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            active: u.active,
        }
    }
}

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    /// What the last save did, shown once.
    pub message: Option<String>,
    /// A password just generated, shown once: (user name, password).
    pub new_password: Option<(String, String)>,
}

pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "user_form.html")]
pub struct UserFormPage {
    pub layout: Layout,
    /// None when creating.
    pub user_id: Option<i64>,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<RoleChoice>,
    /// The plans' offices, ticked when the account has them.
    pub offices: Vec<OfficeChoice>,
    /// Codes typed in «otras» that are not codes, shown again with their error.
    pub other_offices: String,
    pub email: String,
    pub active: bool,
    pub errors: FieldErrors,
}

impl UserFormPage {
    pub fn role_choices(selected: Option<Role>) -> Vec<RoleChoice> {
        Role::ALL
            .into_iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: r.label(),
                selected: Some(r) == selected,
            })
            .collect()
    }
}

pub struct AuditRow {
    pub at: String,
    pub username: String,
    pub address: String,
    /// What was done, in words.
    pub action: String,
    /// The action's stored code, kept in the page for whoever searches the log by it.
    pub code: String,
    pub plan: String,
    pub subject: String,
    pub before: String,
    pub after: String,
}

impl AuditRow {
    pub fn new(e: &AuditEntry) -> Self {
        AuditRow {
            at: hora(e.at),
            username: e.username.clone().unwrap_or_default(),
            address: e.address.clone().unwrap_or_default(),
            action: e.action.label().to_string(),
            code: e.action.code().to_string(),
            plan: e.plan_id.map(|p| p.to_string()).unwrap_or_default(),
            subject: e.subject.clone(),
            before: e.before.clone().unwrap_or_default(),
            after: e.after.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub entries: Vec<AuditRow>,
    pub users: Vec<(i64, String, bool)>,
    pub plans: Vec<(i64, String, bool)>,
    pub from: String,
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_colombia_and_dates_in_spanish() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-27T01:46:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(hora(at), "2026-11-26 20:46 (hora de Colombia)");
        assert_eq!(
            fecha(NaiveDate::from_ymd_opt(2025, 2, 5).unwrap()),
            "5 feb 2025"
        );
    }
}
