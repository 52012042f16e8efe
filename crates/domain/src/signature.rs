//! The signature block: who consolidated, reviewed and approved the document.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureRole {
    /// Consolidó.
    Consolidated,
    /// Revisó.
    Reviewed,
    /// Aprobó (the CIGD or its secretary).
    Approved,
}

impl SignatureRole {
    pub const ALL: [SignatureRole; 3] = [
        SignatureRole::Consolidated,
        SignatureRole::Reviewed,
        SignatureRole::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignatureRole::Consolidated => "consolidated",
            SignatureRole::Reviewed => "reviewed",
            SignatureRole::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The word the document prints above the name.
    pub fn label(self) -> &'static str {
        match self {
            SignatureRole::Consolidated => "Consolidó",
            SignatureRole::Reviewed => "Revisó",
            SignatureRole::Approved => "Aprobó",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub role: SignatureRole,
    pub name: String,
    /// The signer's position (cargo), on one line even when the document breaks it.
    pub position: String,
}
