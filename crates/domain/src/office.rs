//! Offices (dependencias) responsible for the plan.

use crate::values::OfficeCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficeRole {
    /// Líder.
    Leader,
    /// Apoyo.
    Support,
}

impl OfficeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OfficeRole::Leader => "leader",
            OfficeRole::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "leader" => Some(OfficeRole::Leader),
            "support" => Some(OfficeRole::Support),
            _ => None,
        }
    }

    /// The Spanish word the UI shows.
    pub fn label(self) -> &'static str {
        match self {
            OfficeRole::Leader => "Líder",
            OfficeRole::Support => "Apoyo",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub code: OfficeCode,
    pub name: String,
    pub role: OfficeRole,
}

/// The sentence a plan uses to name its offices when no original wording exists:
/// `Líder: Oficina Asesora de Planeación (OAPLA) con el apoyo de Área de Vivienda (ARVIV)`.
pub fn offices_sentence(offices: &[Office]) -> String {
    let part = |o: &Office| format!("{} ({})", o.name, o.code);
    let leaders: Vec<String> = offices
        .iter()
        .filter(|o| o.role == OfficeRole::Leader)
        .map(part)
        .collect();
    let support: Vec<String> = offices
        .iter()
        .filter(|o| o.role == OfficeRole::Support)
        .map(part)
        .collect();
    let mut s = format!("Líder: {}", leaders.join(", "));
    if !support.is_empty() {
        s.push_str(" con el apoyo de ");
        s.push_str(&support.join(", "));
    }
    s
}
