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

/// Who approved a version, as the approval recorded it: the approver's name and position
/// at that moment and the committee's acta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub name: String,
    pub position: String,
    pub acta_number: String,
    pub acta_date: chrono::NaiveDate,
}

impl Approval {
    /// `Acta n.º 12 del 3 mar 2026`.
    pub fn acta_text(&self) -> String {
        format!(
            "Acta del CIGD n.º {} del {}",
            self.acta_number,
            crate::dates::fecha(self.acta_date)
        )
    }
}

/// One line of a version's signature block, with the acta for the approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLine {
    pub signature: Signature,
    /// The approval's acta, on the «Aprobó» line of an approved version.
    pub acta: Option<String>,
}

/// The signature block of a version: the document's own signatures, with the «Aprobó»
/// line filled by the approval when the version was approved (it replaces the line the
/// document brought, or is added at the end).
pub fn signature_block(signatures: &[Signature], approval: Option<&Approval>) -> Vec<SignedLine> {
    let mut lines: Vec<SignedLine> = signatures
        .iter()
        .map(|s| SignedLine {
            signature: s.clone(),
            acta: None,
        })
        .collect();
    let Some(a) = approval else {
        return lines;
    };
    let approved = SignedLine {
        signature: Signature {
            role: SignatureRole::Approved,
            name: a.name.clone(),
            position: a.position.clone(),
        },
        acta: Some(a.acta_text()),
    };
    match lines
        .iter_mut()
        .find(|l| l.signature.role == SignatureRole::Approved)
    {
        Some(line) => *line = approved,
        None => lines.push(approved),
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(role: SignatureRole, name: &str) -> Signature {
        Signature {
            role,
            name: name.into(),
            position: "Jefe".into(),
        }
    }

    #[test]
    fn the_approval_fills_the_approved_line() {
        let approval = Approval {
            name: "Marta Ruiz".into(),
            position: "Secretaria técnica del CIGD".into(),
            acta_number: "12".into(),
            acta_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
        };
        let doc = [
            sig(SignatureRole::Consolidated, "Ana"),
            sig(SignatureRole::Approved, "Comité"),
        ];
        let block = signature_block(&doc, Some(&approval));
        assert_eq!(block.len(), 2);
        assert_eq!(block[0].signature.name, "Ana");
        assert_eq!(block[1].signature.name, "Marta Ruiz");
        assert_eq!(block[1].signature.position, "Secretaria técnica del CIGD");
        assert_eq!(
            block[1].acta.as_deref(),
            Some("Acta del CIGD n.º 12 del 3 mar 2026")
        );
        let added = signature_block(&doc[..1], Some(&approval));
        assert_eq!(added.len(), 2);
        assert_eq!(added[1].signature.role, SignatureRole::Approved);
        let unapproved = signature_block(&doc, None);
        assert_eq!(unapproved[1].signature.name, "Comité");
        assert_eq!(unapproved[1].acta, None);
    }
}
