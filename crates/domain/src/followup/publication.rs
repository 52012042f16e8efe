//! Which evidence citizens see. Evidence is private by default: attendance lists,
//! photographs and minutes often carry personal data (Ley 1581 de 2012). An office shows
//! a file on the public plan page only after confirming, each time, that it holds none;
//! withdrawing it needs no confirmation.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidencePublishError {
    /// The office did not confirm that the file holds no personal data.
    PersonalDataNotConfirmed,
}

impl fmt::Display for EvidencePublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidencePublishError::PersonalDataNotConfirmed => f.write_str(
                "Para publicar el archivo confirme que no contiene datos personales \
                 (nombres, documentos, firmas, teléfonos, correos o fotografías de personas \
                 identificables).",
            ),
        }
    }
}

impl std::error::Error for EvidencePublishError {}

/// Whether a change of an evidence file's visibility may go ahead: making it public
/// needs `no_personal_data` confirmed; making it private is always allowed.
pub fn check_visibility(public: bool, no_personal_data: bool) -> Result<(), EvidencePublishError> {
    if public && !no_personal_data {
        return Err(EvidencePublishError::PersonalDataNotConfirmed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_needs_the_confirmation_withdrawing_does_not() {
        assert_eq!(
            check_visibility(true, false),
            Err(EvidencePublishError::PersonalDataNotConfirmed)
        );
        assert_eq!(check_visibility(true, true), Ok(()));
        assert_eq!(check_visibility(false, false), Ok(()));
        assert!(EvidencePublishError::PersonalDataNotConfirmed
            .to_string()
            .contains("datos personales"));
    }
}
