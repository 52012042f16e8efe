//! A corrected plan file over one of the entity's plans, as the web preview and
//! `participa import --sobre` do it: the domain's matching ([`reimport`]), the rules of
//! an edited plan, and the audited edit the store writes.

use participa_domain::reimport::reimport;
use participa_domain::Plan;
use participa_store::{AuditAction, PlanEdit};

/// Why the file cannot go over the plan.
#[derive(Debug)]
pub enum Refused {
    /// The plan is published: the change opens a new version, which needs its reason.
    ReasonRequired,
    /// Another year's file, or a plan that would break its rules; said in Spanish.
    Refused(String),
}

/// The edit that puts `incoming` (read from `file`) over `current`; `remove` drops the
/// plan's activities the file lacks. `needs_reason` is the store's word that the plan is
/// published. Returns the edit and a summary: matched, new, and lacking activities.
pub fn reimport_edit(
    plan_id: i64,
    current: &Plan,
    incoming: &Plan,
    file: &str,
    remove: bool,
    reason: &str,
    needs_reason: bool,
) -> Result<(PlanEdit, String), Refused> {
    let reason = reason.trim();
    if needs_reason && reason.is_empty() {
        return Err(Refused::ReasonRequired);
    }
    let r = reimport(current, incoming, remove).map_err(|e| Refused::Refused(e.to_string()))?;
    let summary = format!(
        "{} actividades coinciden, {} nuevas, {} que el archivo no tiene ({})",
        r.matched.len(),
        r.added.len(),
        r.missing.len(),
        if remove { "quitadas" } else { "conservadas" }
    );
    let plan = Plan::try_edit(current, r.draft).map_err(|e| {
        Refused::Refused(format!(
            "El plan no quedaría válido con este archivo: {e}. Corrija el archivo o el plan y vuelva a intentarlo."
        ))
    })?;
    let edit = PlanEdit {
        plan,
        reason: needs_reason.then(|| reason.to_string()),
        action: AuditAction::PlanReimport,
        subject: format!("plan {plan_id}"),
        before: None,
        after: Some(format!("{file}: {summary}")),
    };
    Ok((edit, summary))
}
