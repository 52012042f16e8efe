//! The plan's place in the entity's strategy: MIPG policy → strategic objective →
//! office objective → strategic initiative.

use crate::values::AlignmentCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A coded element of the strategy, such as `5.5.1 Definición y ejecución de la estrategia…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodedText {
    pub code: AlignmentCode,
    pub text: String,
}

impl CodedText {
    /// Splits `5.5 Promover …` or `5. Promover …` into code and text.
    /// Returns `None` when the text does not start with a code.
    pub fn split(line: &str) -> Option<CodedText> {
        let line = line.trim();
        let (head, rest) = line.split_once(char::is_whitespace)?;
        let code = AlignmentCode::parse(head).ok()?;
        let text = rest.trim();
        if text.is_empty() {
            return None;
        }
        Some(CodedText {
            code,
            text: text.to_string(),
        })
    }
}

/// Writes the form the planning office uses: a one-level code keeps its trailing dot
/// (`5. Promover…`), deeper codes do not (`5.5 Promover…`).
impl fmt::Display for CodedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.depth() == 1 {
            write!(f, "{}. {}", self.code, self.text)
        } else {
            write!(f, "{} {}", self.code, self.text)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// Política de Gestión y Desempeño Institucional (MIPG).
    pub policy: String,
    pub strategic_objective: CodedText,
    pub office_objective: CodedText,
    pub strategic_initiative: CodedText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_writes_back() {
        for line in [
            "5. Promover la innovación",
            "5.5 Promover la participación",
            "5.5.1 Definición",
        ] {
            let c = CodedText::split(line).unwrap();
            assert_eq!(c.to_string(), line);
        }
        let c = CodedText::split("5. Promover").unwrap();
        assert_eq!((c.code.as_str(), c.text.as_str()), ("5", "Promover"));
        assert!(CodedText::split("Promover algo").is_none());
        assert!(CodedText::split("5.5").is_none());
    }
}
