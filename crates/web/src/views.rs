//! Template structs and the read models they show. Templates live in `templates/`;
//! askama escapes every value unless a template marks it `|safe` (only our own SVG).

use crate::auth::CurrentUser;
use crate::form::FieldErrors;
use crate::AppState;
use askama::Template;
use chrono::NaiveDate;
use participa_app::dates::{fecha, momento};
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
    /// The confirmation of the previous action (see [`crate::flash`]).
    pub flash: Option<String>,
    /// How citizens reach the entity (the footer).
    pub contact: std::sync::Arc<crate::EntityContact>,
    /// The entity has a logo at `/static/logo`.
    pub logo: bool,
    /// The entity has its own colour at `/static/entidad.css`.
    pub colour: bool,
    /// Put on the logo's and the colour's addresses (`?v=`), so that a browser that
    /// kept the old ones asks again after the entity changed them.
    pub asset_version: i64,
    /// The day the entity last changed what the site shows: (`2026-12-03`, `3 dic 2026`).
    pub updated: Option<(String, String)>,
}

pub struct NavUser {
    pub name: String,
    pub role: &'static str,
    /// Unread notifications.
    pub unread: i64,
    /// How many items wait in "Mis pendientes" (None when it could not be counted).
    pub pending: Option<usize>,
    /// The staff navigation, grouped, with only what this user's role can use.
    pub groups: Vec<NavGroup>,
}

/// A group of the staff navigation (`Formulación`, `Seguimiento`…).
pub struct NavGroup {
    pub label: &'static str,
    pub links: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// The staff navigation for `can` (the user's permissions): each link shows only when
/// the action behind it is allowed; a group left without links is left out.
pub fn staff_nav(can: impl Fn(Action<'_>) -> bool) -> Vec<NavGroup> {
    let link = |href, label| NavLink { href, label };
    let groups = [
        (
            "Formulación",
            vec![
                (Action::ViewInternal, link("/admin/planes", "Planes")),
                (
                    Action::CreatePlan,
                    link("/admin/planes/nuevo", "Nuevo plan"),
                ),
                (
                    Action::ImportPlan,
                    link("/admin/planes/importar", "Importar un plan"),
                ),
            ],
        ),
        (
            "Seguimiento",
            vec![(
                Action::ViewInternal,
                link("/admin/seguimiento", "Seguimiento del plan publicado"),
            )],
        ),
        (
            "Participación",
            vec![
                (
                    Action::ViewInternal,
                    link("/admin/sugerencias", "Sugerencias"),
                ),
                (Action::ViewInternal, link("/admin/consultas", "Consultas")),
                (
                    Action::ViewInternal,
                    link("/admin/audiencias", "Audiencias"),
                ),
                (Action::ViewInternal, link("/admin/eventos", "Eventos")),
                (Action::ViewInternal, link("/admin/canales", "Canales")),
                (
                    Action::ViewInternal,
                    link("/admin/analisis", "Análisis de textos"),
                ),
            ],
        ),
        (
            "Reglas",
            vec![
                (
                    Action::ViewInternal,
                    link("/admin/parametros", "Parámetros legales"),
                ),
                (Action::ViewInternal, link("/admin/festivos", "Festivos")),
                (
                    Action::ViewInternal,
                    link("/admin/grupos-valor", "Grupos de valor"),
                ),
            ],
        ),
        (
            "Administración",
            vec![
                (Action::ManageUsers, link("/admin/usuarios", "Usuarios")),
                (
                    Action::ManageEntity,
                    link("/admin/entidad", "Datos de la entidad"),
                ),
                (Action::ViewAuditLog, link("/admin/auditoria", "Auditoría")),
            ],
        ),
    ];
    groups
        .into_iter()
        .map(|(label, links)| NavGroup {
            label,
            links: links
                .into_iter()
                .filter(|(action, _)| can(*action))
                .map(|(_, l)| l)
                .collect(),
        })
        .filter(|g| !g.links.is_empty())
        .collect()
}

/// A moment's day in Colombia, for a `<time>` element and for people.
fn updated_day(at: chrono::DateTime<chrono::Utc>) -> (String, String) {
    let day = participa_app::dates::colombia_date(at);
    (day.to_string(), fecha(day))
}

impl Layout {
    pub fn public(title: String, state: &AppState) -> Layout {
        Layout {
            title,
            entity: state.entity.clone(),
            user: None,
            privacy_policy: state.privacy_policy.clone(),
            flash: None,
            contact: state.contact.clone(),
            logo: state.logo.is_some(),
            colour: state.colour.is_some(),
            asset_version: state.asset_version,
            updated: state.site_updated.at().map(updated_day),
        }
    }

    pub fn staff(title: String, state: &AppState, user: &CurrentUser) -> Layout {
        Layout {
            title,
            entity: state.entity.clone(),
            user: Some(NavUser {
                name: user.user.full_name.clone(),
                role: user.user.role.label(),
                unread: user.unread,
                pending: user.pending,
                groups: staff_nav(|a| user.can(a)),
            }),
            privacy_policy: state.privacy_policy.clone(),
            flash: user.flash.clone(),
            contact: state.contact.clone(),
            logo: state.logo.is_some(),
            colour: state.colour.is_some(),
            asset_version: state.asset_version,
            updated: state.site_updated.at().map(updated_day),
        }
    }
}

/// A number a template counts with: any of the integer types pages hold, by value or
/// by reference.
pub trait Countable {
    fn as_count(&self) -> u64;
}

macro_rules! countable {
    ($($t:ty),*) => {$(
        impl Countable for $t {
            fn as_count(&self) -> u64 {
                u64::try_from(*self).unwrap_or(0)
            }
        }
    )*};
}
countable!(usize, u32, u64, i32, i64);

impl<T: Countable + ?Sized> Countable for &T {
    fn as_count(&self) -> u64 {
        (**self).as_count()
    }
}

/// `1 hallazgo`, `3 hallazgos`: a count with its noun in the right number, for
/// templates (`{{ crate::views::count(n, "hallazgo", "hallazgos") }}`).
/// A file's size as people read it: `850 bytes`, `37,5 kB`, `2,1 MB`.
pub fn file_size(bytes: i64) -> String {
    use participa_app::followup::pct;
    if bytes >= 1024 * 1024 {
        format!("{} MB", pct(bytes as f64 / (1024.0 * 1024.0)))
    } else if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} kB", pct(bytes as f64 / 1024.0))
    }
}

pub fn count(n: impl Countable, singular: &str, plural: &str) -> String {
    participa_domain::numbers::count(n.as_count(), singular, plural)
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
    /// What the entity's own table said beyond these fields: (what, value).
    pub details: Vec<(String, String)>,
    /// The component this activity opens (the first of a run under it).
    pub component_starts: Option<String>,
    pub can_edit: bool,
}

/// What an activity's own table said beyond the common fields, as (what, value) for a
/// page: its numbering, component, dates as written, goal, indicator, other columns.
pub fn detail_lines(d: &participa_domain::ActivityDetails) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("Identificador de la entidad", &d.external_id),
        ("Numeración en el plan", &d.label),
        ("Componente", &d.component),
        ("Fechas según el plan", &d.schedule),
        ("Meta", &d.goal),
        ("Indicador", &d.indicator),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    out.extend(d.extra.iter().cloned());
    out
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
            details: detail_lines(&a.details),
            component_starts: None,
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
    /// The acta of the approval, on the «Aprobó» line of an approved version.
    pub acta: Option<String>,
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
            activities: {
                // A component heads the activities under it, where it changes.
                let mut last = String::new();
                shown
                    .iter()
                    .map(|a| {
                        let mut v = ActivityView::new(a, can_edit(a));
                        let c = &a.details.component;
                        if !c.is_empty() && *c != last {
                            v.component_starts = Some(c.clone());
                        }
                        last = c.clone();
                        v
                    })
                    .collect()
            },
            signatures: signature_views(plan, None),
            document_version: plan
                .version
                .as_ref()
                .map(|v| format!("Versión {}: {}", v.number, fecha(v.date))),
            gantt: crate::gantt::svg(plan.year.get(), &shown, today),
        }
    }
}

impl PlanView {
    /// The signature block with the «Aprobó» line the version's approval filled.
    pub fn approved(mut self, plan: &Plan, approval: Option<&participa_domain::Approval>) -> Self {
        self.signatures = signature_views(plan, approval);
        self
    }
}

fn signature_views(
    plan: &Plan,
    approval: Option<&participa_domain::Approval>,
) -> Vec<SignatureView> {
    participa_domain::signature_block(&plan.signatures, approval)
        .into_iter()
        .map(|l| SignatureView {
            role: l.signature.role.label(),
            name: l.signature.name,
            position: l.signature.position,
            acta: l.acta,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub message: &'a str,
    pub status: u16,
    /// The request's identifier (see [`crate::request_id`]), empty outside a request.
    pub request: String,
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
    /// The date the statuses are drawn at.
    pub today: String,
    pub plan: PlanView,
    /// The status the list is filtered to, by its label.
    pub filter: Option<&'static str>,
    pub chips: Vec<crate::public_progress::Chip>,
    pub activities: Vec<crate::public_progress::PublicActivity>,
    pub plan_progress: String,
    pub plan_expected: String,
    /// The progress curve as SVG (our own, escaped) and as a table: (month, expected, reported).
    pub chart: String,
    pub curve: Vec<(String, String, String)>,
    /// (office, activities, expected, progress, progress as a bar's value).
    pub offices: Vec<(String, usize, String, String, String)>,
    /// Closed periods with a public follow-up report: (number, name).
    pub closed: Vec<(u32, String)>,
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
    /// The latest return of this version to draft (who, when; the reason), while it
    /// is a draft again: the approver's observations for the planning office.
    pub returned: Option<(String, String)>,
}

impl PlanPage {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    /// Why a plan under review or approval cannot be edited, said for its exact state.
    pub fn lock_notice(&self) -> &'static str {
        match self.status {
            PlanStatus::Consolidated => "El plan está consolidado y bloqueado: falta marcarlo como revisado. Para cambiarlo, devuélvalo a borrador con su motivo.",
            PlanStatus::Reviewed => "El plan está revisado y espera la aprobación del CIGD; está bloqueado: para cambiarlo, devuélvalo a borrador con su motivo.",
            PlanStatus::Approved => "El plan está aprobado por el CIGD y listo para publicar; está bloqueado: para cambiarlo, devuélvalo a borrador con su motivo.",
            PlanStatus::Draft | PlanStatus::Published => "",
        }
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
        .filter(|t| t.allowed(status, |a| user.can(a)))
        .filter(|t| *t != Transition::Consolidate || pending_findings == 0)
        .map(|t| TransitionButton {
            value: t.as_str(),
            // The approver sends back what it does not approve, with observations.
            label: if t == Transition::ReturnToDraft && !user.can(t.action()) {
                "Devolver con observaciones"
            } else {
                t.label()
            },
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
    /// What the step that led here did.
    pub message: Option<&'static str>,
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
    /// Each return to draft: who, when, from which state, and its reason.
    pub returns: Vec<(String, String)>,
}

/// A return to draft as the pages say it: who and when, and the reason.
pub fn return_text(r: &participa_store::PlanReturn) -> (String, String) {
    (
        format!(
            "Devuelto a borrador desde «{}» por {} el {}",
            r.from.label(),
            r.by.clone().unwrap_or_else(|| "el sistema".into()),
            participa_app::dates::momento(r.at)
        ),
        r.reason.clone(),
    )
}

impl VersionRow {
    pub fn new(v: &VersionInfo) -> VersionRow {
        let who = |s: &participa_store::Step| {
            format!(
                "{} el {}",
                s.by.clone().unwrap_or_else(|| "el sistema".into()),
                momento(s.at)
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
            let cargo = v
                .approval
                .as_ref()
                .filter(|a| !a.position.is_empty())
                .map(|a| format!(", {}", a.position))
                .unwrap_or_default();
            steps.push(format!("Aprobó {}{cargo}{acta}", who(s)));
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
            returns: v.returns.iter().map(return_text).collect(),
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
    /// An added or removed activity's fields, those it has.
    pub fn fields(a: &Activity) -> Vec<(&'static str, String)> {
        participa_domain::diff::activity_fields(a)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect()
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
    /// The position (cargo) printed under the name when the user signs.
    pub position: String,
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
            at: momento(e.at),
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
    /// (code, Spanish label, chosen) of every action, for the filter.
    pub actions: Vec<(&'static str, &'static str, bool)>,
    pub entries: Vec<AuditRow>,
    pub users: Vec<(i64, String, bool)>,
    pub plans: Vec<(i64, String, bool)>,
    pub from: String,
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav_for(role: Role) -> Vec<(&'static str, Vec<&'static str>)> {
        let who = participa_domain::Actor {
            role,
            offices: vec![],
        };
        staff_nav(|a| participa_domain::allows(Some(&who), a))
            .into_iter()
            .map(|g| (g.label, g.links.iter().map(|l| l.href).collect()))
            .collect()
    }

    #[test]
    fn the_navigation_shows_each_role_only_what_it_can_use() {
        let admin = nav_for(Role::Admin);
        let groups: Vec<&str> = admin.iter().map(|g| g.0).collect();
        assert_eq!(
            groups,
            [
                "Formulación",
                "Seguimiento",
                "Participación",
                "Reglas",
                "Administración"
            ]
        );
        assert!(admin[0].1.contains(&"/admin/planes/importar"));
        assert_eq!(
            admin[4].1,
            ["/admin/usuarios", "/admin/entidad", "/admin/auditoria"]
        );
        let auditor = nav_for(Role::Auditor);
        assert_eq!(auditor.last().unwrap().1, ["/admin/auditoria"]);
        assert_eq!(auditor[0].1, ["/admin/planes"]);
        for role in [Role::Reporter, Role::Approver] {
            let nav = nav_for(role);
            assert!(nav.iter().all(|g| g.0 != "Administración"), "{role:?}");
            assert_eq!(nav[0].1, ["/admin/planes"], "{role:?}");
        }
    }

    #[test]
    fn times_are_shown_in_colombia_and_dates_in_spanish() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-27T01:46:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(momento(at), "26 nov 2026, 20:46");
        assert_eq!(
            fecha(NaiveDate::from_ymd_opt(2025, 2, 5).unwrap()),
            "5 feb 2025"
        );
    }
}

/// A list on a confirmation page (what is missing, where something goes).
pub struct ConfirmList {
    pub title: String,
    /// Said when the list is empty.
    pub empty: String,
    /// Each item's text and, when it has one, the link to where it is fixed.
    pub items: Vec<(String, Option<String>)>,
}

/// The page a destructive or final action shows before it is carried out: what will
/// happen, what is missing, the fields the action needs, and the confirming button.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub back_href: String,
    pub back_text: String,
    pub consequences: Vec<String>,
    pub lists: Vec<ConfirmList>,
    /// Where the confirmed form goes, with its hidden fields.
    pub action: String,
    pub hidden: Vec<(String, String)>,
    /// The acta's number and date, as typed, for an approval.
    pub acta: Option<(String, String)>,
    /// The reason field's label and what was typed, when the action needs one.
    pub reason: Option<(String, String)>,
    /// A checkbox that must be ticked (its label); without it a hidden field confirms.
    pub checkbox: Option<String>,
    pub button: String,
    pub errors: FieldErrors,
}
