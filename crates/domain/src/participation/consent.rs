//! Personal data only with consent (Ley 1581 de 2012, Decreto 1377 de 2013): a form that
//! asks for contact data states the purpose, asks for consent, and keeps the proof; a
//! citizen can leave no data at all.

use std::fmt;

/// The smallest group public statistics may show: fewer people could be identified.
pub const MIN_PUBLIC_GROUP: usize = 5;

/// What a form asks, and why: shown next to the checkbox and kept with the consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The purpose as the citizen read it.
    pub purpose: String,
    /// The version of the entity's data-processing policy it refers to.
    pub policy: String,
}

/// Contact data a citizen chose to leave, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactData {
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl ContactData {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.email.is_empty() && self.phone.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactError {
    /// Contact data without consent is refused (the data would be lost otherwise).
    ConsentRequired,
    Email(String),
    Phone(String),
    TooLong(&'static str),
}

impl ContactError {
    pub fn field(&self) -> &'static str {
        match self {
            ContactError::ConsentRequired => "autorizacion",
            ContactError::Email(_) => "correo",
            ContactError::Phone(_) => "telefono",
            ContactError::TooLong(f) => f,
        }
    }
}

impl fmt::Display for ContactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactError::ConsentRequired => write!(
                f,
                "para guardar sus datos de contacto marque la autorización de tratamiento de datos, o deje esos campos vacíos"
            ),
            ContactError::Email(e) => write!(f, "«{e}» no parece un correo electrónico"),
            ContactError::Phone(p) => write!(f, "«{p}» no parece un número de teléfono"),
            ContactError::TooLong(field) => write!(f, "el campo {field} es demasiado largo"),
        }
    }
}

/// Checks contact data: each field optional; any of them requires consent.
pub fn check_contact(
    data: ContactData,
    consented: bool,
) -> Result<Option<ContactData>, Vec<ContactError>> {
    let data = ContactData {
        name: data.name.trim().to_string(),
        email: data.email.trim().to_string(),
        phone: data.phone.trim().to_string(),
    };
    if data.is_empty() {
        return Ok(None);
    }
    let mut errors = Vec::new();
    if !consented {
        errors.push(ContactError::ConsentRequired);
    }
    if data.name.chars().count() > 120 {
        errors.push(ContactError::TooLong("nombre"));
    }
    if !data.email.is_empty() {
        let plausible = data.email.len() <= 254
            && !data.email.contains(char::is_whitespace)
            && data
                .email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
        if !plausible {
            errors.push(ContactError::Email(data.email.clone()));
        }
    }
    if !data.phone.is_empty() {
        let digits = data.phone.chars().filter(char::is_ascii_digit).count();
        let allowed = data
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !(allowed && (7..=15).contains(&digits)) {
            errors.push(ContactError::Phone(data.phone.clone()));
        }
    }
    if errors.is_empty() {
        Ok(Some(data))
    } else {
        Err(errors)
    }
}

/// Personal data shown back to whoever holds a tracking code, partly hidden: enough for
/// the citizen to recognise them, not enough to learn them from the code alone.
/// `Ana Pérez` → `A** P****`; `ana@correo.co` → `a**@correo.co`; `3001234567` →
/// `*******567`.
pub fn masked(value: &str) -> String {
    if let Some((local, domain)) = value.split_once('@') {
        return format!("{}@{domain}", masked_word(local));
    }
    if value.chars().any(|c| c.is_ascii_digit()) && !value.chars().any(char::is_alphabetic) {
        let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
        let keep = digits.len().saturating_sub(3);
        return digits
            .iter()
            .enumerate()
            .map(|(i, c)| if i < keep { '*' } else { *c })
            .collect();
    }
    value
        .split_whitespace()
        .map(masked_word)
        .collect::<Vec<_>>()
        .join(" ")
}

fn masked_word(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// A count safe to publish: None when the group is smaller than [`MIN_PUBLIC_GROUP`]
/// (and not zero, which identifies nobody).
pub fn public_count(n: usize) -> Option<usize> {
    (n == 0 || n >= MIN_PUBLIC_GROUP).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_shown_back_by_code_are_partly_hidden() {
        assert_eq!(masked("Ana Pérez"), "A** P****");
        assert_eq!(masked("ana@correo.co"), "a**@correo.co");
        assert_eq!(masked("300 123 4567"), "*******567");
        assert_eq!(masked(""), "");
    }

    #[test]
    fn contact_data_needs_consent_and_plausible_values() {
        assert_eq!(check_contact(ContactData::default(), false), Ok(None));
        let ana = ContactData {
            name: " Ana ".into(),
            email: "ana@correo.co".into(),
            phone: "+57 300 123 4567".into(),
        };
        assert_eq!(
            check_contact(ana.clone(), false),
            Err(vec![ContactError::ConsentRequired])
        );
        assert_eq!(check_contact(ana, true).unwrap().unwrap().name, "Ana");
        let bad = ContactData {
            email: "ana@".into(),
            phone: "abc".into(),
            ..Default::default()
        };
        let e = check_contact(bad, true).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field()).collect::<Vec<_>>(),
            ["correo", "telefono"]
        );
    }

    #[test]
    fn small_groups_are_not_published() {
        assert_eq!(public_count(0), Some(0));
        assert_eq!(public_count(4), None);
        assert_eq!(public_count(5), Some(5));
    }
}
