//! Participa's domain: the *Plan de Participación Ciudadana* as typed values and the
//! rules that keep it consistent. No IO, no async, no database, no HTTP.
//!
//! Values that carry a rule are newtypes with one validating constructor
//! ("parse, don't validate"): an [`ActivityNumber`], an [`OfficeCode`], a [`PlanYear`]
//! or an [`AlignmentCode`] that exists is valid. A [`Plan`] is built from a
//! [`PlanDraft`] by [`Plan::try_from_draft`], which reports every broken rule at once.

pub mod access;
pub mod account;
pub mod activity;
pub mod alignment;
pub mod calendar;
pub mod coverage;
pub mod dates;
pub mod diff;
pub mod entity;
pub mod followup;
pub mod furag;
pub mod inbox;
pub mod legal;
pub mod lifecycle;
pub mod menu_participa;
pub mod national;
pub mod numbers;
pub mod office;
pub mod open_data;
pub mod parameters;
pub mod participation;
pub mod plan;
pub mod reimport;
pub mod signature;
pub mod tagging;
pub mod values;

pub use access::{allows, Action, Actor, Role};
pub use account::{LinkState, PasswordOrigin};
pub use activity::{Activity, ActivityDetails};
pub use alignment::{Alignment, CodedText};
pub use calendar::{Calendar, Holiday, Override};
pub use diff::{diff, PlanDiff};
pub use entity::{EntityError, EntityOrder, EntitySlug};
pub use legal::{LegalFramework, Norm};
pub use lifecycle::{
    check_acta_date, ActaDateError, EditMode, LifecycleError, PlanStatus, Transition,
};
pub use office::{offices_sentence, Office, OfficeRole};
pub use plan::{DocumentVersion, Plan, PlanDraft, PlanError, PlanErrors};
pub use signature::{signature_block, Approval, Signature, SignatureRole, SignedLine};
pub use tagging::ActivityTags;
pub use values::{ActivityNumber, AlignmentCode, OfficeCode, PlanYear, ValueError};
