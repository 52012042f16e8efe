//! Request handlers, by area. Each page module exposes `routes()` next to its handlers
//! and never imports a sibling page module: what several share lives in a module made
//! for it — [`shared`] (downloads, CSV lines, tracking codes), [`participation`] (what
//! consultations, hearings, events and channel figures share) and [`routing`].

pub mod account;
pub mod activities;
pub mod audit;
pub mod channels;
pub mod code_lookup;
pub mod consultations;
pub mod coverage;
pub mod entity_settings;
pub mod events;
pub mod followup;
pub mod furag;
pub mod hearings;
pub mod inbox;
pub mod national;
pub mod notifications;
pub mod open_data;
pub mod participa;
pub mod participation;
pub mod plan_import;
pub mod plans;
pub mod platform_entities;
pub mod public;
pub mod recovery;
pub mod reports;
pub mod routing;
pub mod rules;
pub mod shared;
pub mod suggestions;
pub mod text_analysis;
pub mod users;

use routing::Routes;

/// Every route of the site, public and staff; `evidence_limit` is the largest evidence
/// file accepted (the report form's body limit follows from it).
pub fn routes(evidence_limit: usize) -> Routes {
    inbox::routes()
        .merge(crate::auth::routes())
        .merge(public::routes())
        .merge(plans::routes())
        .merge(plan_import::routes())
        .merge(activities::routes())
        .merge(coverage::routes())
        .merge(followup::routes(evidence_limit))
        .merge(furag::routes())
        .merge(reports::routes())
        .merge(users::routes())
        .merge(account::routes())
        .merge(recovery::routes())
        .merge(audit::routes())
        .merge(rules::routes())
        .merge(suggestions::routes())
        .merge(text_analysis::routes())
        .merge(code_lookup::routes())
        .merge(consultations::routes())
        .merge(hearings::routes())
        .merge(events::routes())
        .merge(channels::routes())
        .merge(notifications::routes())
        .merge(open_data::routes())
        .merge(participa::routes())
        .merge(national::routes())
        .merge(platform_entities::routes())
        .merge(entity_settings::routes())
}
