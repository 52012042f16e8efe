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
    /// What the entity's own table said beyond the fields above.
    #[serde(default, skip_serializing_if = "ActivityDetails::is_empty")]
    pub details: ActivityDetails,
}

/// What an entity's activity table says beyond the fields every plan has: its own
/// numbering (`2.3`), the dates as written (`22 al 28 de abril de 2026`), a goal and
/// its indicator, the component the activity belongs to, and every other column, so
/// that nothing the entity wrote is lost and an export gives it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityDetails {
    /// The entity's own identifier of the activity (an «Id» or «Código» column), by
    /// which a corrected file finds it again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub external_id: String,
    /// The number as the table writes it, when it is not the plain number (`1.1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The dates as written, when they were not plain dates.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub schedule: String,
    /// Meta.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub goal: String,
    /// Indicador.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub indicator: String,
    /// Componente or subcomponente.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub component: String,
    /// Columns with no field of their own, as (title, value), in the table's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
}

impl ActivityDetails {
    pub fn is_empty(&self) -> bool {
        *self == ActivityDetails::default()
    }
}
