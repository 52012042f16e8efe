//! The identification section of a survey that allows one answer per person: the
//! citizen gives an identity document, which is checked, normalised and, with consent,
//! kept only as a keyed digest (the store's job) to refuse a second answer. The number
//! itself is never stored: only what the rule needs (Ley 1581 de 2012, principle of
//! purpose and of restricted circulation).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    /// Cédula de ciudadanía.
    Cc,
    /// Tarjeta de identidad.
    Ti,
    /// Cédula de extranjería.
    Ce,
    /// Pasaporte.
    Pa,
    /// Permiso por protección temporal.
    Ppt,
}

impl DocumentType {
    pub const ALL: [DocumentType; 5] = [
        DocumentType::Cc,
        DocumentType::Ti,
        DocumentType::Ce,
        DocumentType::Pa,
        DocumentType::Ppt,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Cc => "CC",
            DocumentType::Ti => "TI",
            DocumentType::Ce => "CE",
            DocumentType::Pa => "PA",
            DocumentType::Ppt => "PPT",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentType::Cc => "Cédula de ciudadanía",
            DocumentType::Ti => "Tarjeta de identidad",
            DocumentType::Ce => "Cédula de extranjería",
            DocumentType::Pa => "Pasaporte",
            DocumentType::Ppt => "Permiso por protección temporal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Colombian cédulas and tarjetas de identidad are numbers only.
    fn digits_only(self) -> bool {
        matches!(self, DocumentType::Cc | DocumentType::Ti)
    }
}

/// A checked document: its type and the number as written without separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentType,
    pub number: String,
}

impl Document {
    /// The canonical text the store digests: the same person writes `1.020.304` or
    /// `1020304` and gets the same key.
    pub fn canonical(&self) -> String {
        format!("{}:{}", self.kind.code(), self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityError {
    TypeRequired,
    NumberRequired,
    NumberInvalid(String),
    ConsentRequired,
}

impl IdentityError {
    pub fn field(&self) -> &'static str {
        match self {
            IdentityError::TypeRequired => "tipo_documento",
            IdentityError::NumberRequired | IdentityError::NumberInvalid(_) => "documento",
            IdentityError::ConsentRequired => "autorizacion",
        }
    }
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityError::TypeRequired => write!(f, "elija el tipo de documento"),
            IdentityError::NumberRequired => write!(f, "escriba el número de su documento"),
            IdentityError::NumberInvalid(n) => {
                write!(f, "«{n}» no parece un número de documento de ese tipo")
            }
            IdentityError::ConsentRequired => write!(
                f,
                "esta consulta admite una respuesta por persona: marque la autorización de tratamiento de datos para responder"
            ),
        }
    }
}

/// Checks the identification section. Consent is required: without it the answer
/// cannot be counted once per person.
pub fn check_document(
    kind: &str,
    number: &str,
    consented: bool,
) -> Result<Document, Vec<IdentityError>> {
    let mut errors = Vec::new();
    let kind = DocumentType::from_code(kind.trim());
    if kind.is_none() {
        errors.push(IdentityError::TypeRequired);
    }
    let written = number.trim();
    let compact: String = written
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() {
        errors.push(IdentityError::NumberRequired);
    } else if let Some(k) = kind {
        let valid = (3..=20).contains(&compact.len())
            && if k.digits_only() {
                compact.chars().all(|c| c.is_ascii_digit()) && compact.len() <= 11
            } else {
                compact.chars().all(|c| c.is_ascii_alphanumeric())
            };
        if !valid {
            errors.push(IdentityError::NumberInvalid(written.to_string()));
        }
    }
    if !consented {
        errors.push(IdentityError::ConsentRequired);
    }
    match (kind, errors.is_empty()) {
        (Some(kind), true) => Ok(Document {
            kind,
            number: compact,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_document_written_two_ways_is_one_person() {
        let a = check_document("CC", "1.020.304.050", true).unwrap();
        let b = check_document("CC", " 1020304050 ", true).unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.canonical(), "CC:1020304050");
        let p = check_document("PA", "ab-12345", true).unwrap();
        assert_eq!(p.canonical(), "PA:AB12345");
    }

    #[test]
    fn bad_documents_and_missing_consent_are_named() {
        assert_eq!(
            check_document("", "", false).unwrap_err(),
            vec![
                IdentityError::TypeRequired,
                IdentityError::NumberRequired,
                IdentityError::ConsentRequired
            ]
        );
        assert_eq!(
            check_document("CC", "12AB", true).unwrap_err(),
            vec![IdentityError::NumberInvalid("12AB".into())]
        );
        assert_eq!(
            check_document("CC", "12", true).unwrap_err()[0].field(),
            "documento"
        );
        assert!(check_document("XX", "123", true).is_err());
    }
}
