//! An activity of the plan.

use crate::tagging::ActivityTags;
use crate::values::{ActivityNumber, OfficeCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub number: ActivityNumber,
    pub description: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// One or more responsible offices (`OAPLA-ARCOM` is two), in the order written.
    pub responsible: Vec<OfficeCode>,
    /// The office names as the document writes them after the codes
    /// (`Oficina Asesora de Planeación y Área de Comunicaciones`).
    pub responsible_text: String,
    /// Producto o entregable.
    pub deliverable: String,
    /// MIPG, MURC and FURAG tagging.
    #[serde(default, skip_serializing_if = "ActivityTags::is_empty")]
    pub tags: ActivityTags,
}
