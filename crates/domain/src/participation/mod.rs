//! Citizen participation on the platform: the suggestions campaign, consent to the
//! processing of personal data (Ley 1581 de 2012) and the rules of public statistics.

pub mod consent;
pub mod forum;
pub mod hearing;
pub mod identity;
pub mod suggestions;
pub mod survey;

pub use consent::{
    check_contact, public_count, Consent, ContactData, ContactError, MIN_PUBLIC_GROUP,
};
pub use suggestions::{Category, NewSuggestion, SuggestionError, SuggestionStatus, TrackingCode};
