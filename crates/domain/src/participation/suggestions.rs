//! The suggestions campaign (seed activity 11): a citizen leaves a suggestion with a
//! category, gets a tracking code and follows it; staff triage, answer and close it
//! within the Ley 1755 term (a legal parameter).

use std::fmt;

macro_rules! closed_list {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }
    };
}

closed_list! {
    /// What a suggestion is about.
    Category {
        Service => "atencion", "Atención y servicio al afiliado";
        Housing => "vivienda", "Vivienda y soluciones habitacionales";
        Savings => "ahorro", "Ahorro, cesantías y estados de cuenta";
        Procedures => "tramites", "Trámites y requisitos";
        Digital => "canales_digitales", "Sitio web, aplicaciones y redes sociales";
        Participation => "participacion", "Espacios de participación y rendición de cuentas";
        Other => "otro", "Otro tema";
    }
}

closed_list! {
    /// Where a suggestion stands.
    SuggestionStatus {
        Received => "recibida", "Recibida";
        InProgress => "en_tramite", "En trámite";
        Answered => "respondida", "Respondida";
        Closed => "cerrada", "Cerrada";
    }
}

/// Text limits: long enough to say something, short enough to read.
pub const MIN_TEXT: usize = 10;
pub const MAX_TEXT: usize = 3000;

/// The code a citizen follows a suggestion with: `SG-` and 8 characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

impl TrackingCode {
    /// A suggestion's code from 8 random bytes.
    pub fn from_random(bytes: [u8; 8]) -> TrackingCode {
        TrackingCode::with_prefix("SG", bytes)
    }

    /// A code with another two-letter prefix (`AP`: a question to the hearing).
    pub fn with_prefix(prefix: &str, bytes: [u8; 8]) -> TrackingCode {
        let s: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        TrackingCode(format!("{prefix}-{}-{}", &s[..4], &s[4..]))
    }

    /// Reads a suggestion's code as a person may type it: any case, with or without
    /// dashes or spaces.
    pub fn parse(text: &str) -> Option<TrackingCode> {
        TrackingCode::parse_with("SG", text)
    }

    /// Reads a code with the given prefix.
    pub fn parse_with(prefix: &str, text: &str) -> Option<TrackingCode> {
        let clean: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let body = clean.strip_prefix(prefix)?;
        (body.len() == 8 && body.bytes().all(|b| ALPHABET.contains(&b)))
            .then(|| TrackingCode(format!("{prefix}-{}-{}", &body[..4], &body[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuggestion {
    pub category: Category,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestionError {
    Category,
    TooShort,
    TooLong(usize),
}

impl SuggestionError {
    pub fn field(&self) -> &'static str {
        match self {
            SuggestionError::Category => "categoria",
            _ => "texto",
        }
    }
}

impl fmt::Display for SuggestionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuggestionError::Category => write!(f, "elija el tema de su sugerencia"),
            SuggestionError::TooShort => {
                write!(f, "escriba su sugerencia (al menos {MIN_TEXT} caracteres)")
            }
            SuggestionError::TooLong(n) => write!(
                f,
                "su sugerencia tiene {n} caracteres; el máximo es {MAX_TEXT}"
            ),
        }
    }
}

impl NewSuggestion {
    pub fn check(category: &str, text: &str) -> Result<NewSuggestion, Vec<SuggestionError>> {
        let mut errors = Vec::new();
        let category = Category::parse(category);
        if category.is_none() {
            errors.push(SuggestionError::Category);
        }
        let text = text.trim();
        let n = text.chars().count();
        if n < MIN_TEXT {
            errors.push(SuggestionError::TooShort);
        } else if n > MAX_TEXT {
            errors.push(SuggestionError::TooLong(n));
        }
        match category {
            Some(category) if errors.is_empty() => Ok(NewSuggestion {
                category,
                text: text.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// Which status changes staff may make.
pub fn can_move(from: SuggestionStatus, to: SuggestionStatus) -> bool {
    use SuggestionStatus::*;
    matches!(
        (from, to),
        (Received, InProgress)
            | (Received | InProgress, Answered)
            | (Answered, Closed)
            | (Closed, InProgress)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_read_back_as_typed() {
        let code = TrackingCode::from_random([0, 1, 2, 3, 250, 30, 31, 7]);
        assert_eq!(code.as_str().len(), 12);
        assert!(code.as_str().starts_with("SG-"));
        let typed = code.as_str().to_lowercase().replace('-', " ");
        assert_eq!(TrackingCode::parse(&typed), Some(code.clone()));
        assert_eq!(
            TrackingCode::parse("SG-0000-0000"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(TrackingCode::parse("<script>"), None);
    }

    #[test]
    fn a_suggestion_needs_a_topic_and_some_text() {
        assert!(NewSuggestion::check("vivienda", "Más ferias de vivienda en Cali").is_ok());
        let e = NewSuggestion::check("nada", "corto").unwrap_err();
        assert_eq!(
            e,
            vec![SuggestionError::Category, SuggestionError::TooShort]
        );
        let long = "a".repeat(MAX_TEXT + 1);
        assert_eq!(
            NewSuggestion::check("otro", &long).unwrap_err(),
            vec![SuggestionError::TooLong(MAX_TEXT + 1)]
        );
    }

    #[test]
    fn staff_move_a_suggestion_forward() {
        use SuggestionStatus::*;
        assert!(can_move(Received, InProgress));
        assert!(can_move(InProgress, Answered));
        assert!(can_move(Answered, Closed));
        assert!(!can_move(Received, Closed), "closing needs an answer first");
        assert!(!can_move(Closed, Received));
    }
}
