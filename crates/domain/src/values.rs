//! Newtypes whose only constructor enforces their rule.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Why a text could not become a domain value. Messages are in Spanish: they reach users.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("se esperaba un número de actividad entero mayor que cero, se encontró «{0}»")]
    ActivityNumber(String),
    #[error("se esperaba un código de dependencia de 2 a 12 letras mayúsculas o dígitos (p. ej. OAPLA), se encontró «{0}»")]
    OfficeCode(String),
    #[error("se esperaba un año de vigencia entre {min} y {max}, se encontró «{found}»", min = PlanYear::MIN, max = PlanYear::MAX)]
    PlanYear { found: String },
    #[error("se esperaba un código de alineación como 5, 5.5 o 5.5.1, se encontró «{0}»")]
    AlignmentCode(String),
}

/// The number of an activity inside its plan (1, 2, …). Stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct ActivityNumber(u32);

impl ActivityNumber {
    pub fn new(n: u32) -> Result<Self, ValueError> {
        if n == 0 {
            Err(ValueError::ActivityNumber(n.to_string()))
        } else {
            Ok(Self(n))
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let t = text.trim();
        t.parse::<u32>()
            .ok()
            .and_then(|n| Self::new(n).ok())
            .ok_or_else(|| ValueError::ActivityNumber(t.to_string()))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for ActivityNumber {
    type Error = ValueError;
    fn try_from(n: u32) -> Result<Self, ValueError> {
        Self::new(n)
    }
}

impl From<ActivityNumber> for u32 {
    fn from(n: ActivityNumber) -> u32 {
        n.0
    }
}

impl fmt::Display for ActivityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The short code of an office (dependencia), such as `OAPLA` or `ARCOM`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeCode(String);

impl OfficeCode {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let t = text.trim();
        let ok = (2..=12).contains(&t.chars().count())
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && t.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if ok {
            Ok(Self(t.to_string()))
        } else {
            Err(ValueError::OfficeCode(t.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OfficeCode {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<OfficeCode> for String {
    fn from(c: OfficeCode) -> String {
        c.0
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The year (vigencia) a plan covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct PlanYear(i32);

impl PlanYear {
    pub const MIN: i32 = 2000;
    pub const MAX: i32 = 2100;

    pub fn new(year: i32) -> Result<Self, ValueError> {
        if (Self::MIN..=Self::MAX).contains(&year) {
            Ok(Self(year))
        } else {
            Err(ValueError::PlanYear {
                found: year.to_string(),
            })
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for PlanYear {
    type Error = ValueError;
    fn try_from(y: i32) -> Result<Self, ValueError> {
        Self::new(y)
    }
}

impl From<PlanYear> for i32 {
    fn from(y: PlanYear) -> i32 {
        y.0
    }
}

impl fmt::Display for PlanYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A code in the strategic alignment chain: `5` (strategic objective), `5.5` (office
/// objective), `5.5.1` (strategic initiative). Dot-separated positive integers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AlignmentCode(String);

impl AlignmentCode {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let t = text.trim().trim_end_matches('.');
        let ok = !t.is_empty()
            && t.split('.').all(|part| {
                !part.is_empty() && part.len() <= 4 && part.chars().all(|c| c.is_ascii_digit())
            });
        if ok {
            Ok(Self(t.to_string()))
        } else {
            Err(ValueError::AlignmentCode(text.trim().to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many levels deep the code is: `5` is 1, `5.5.1` is 3.
    pub fn depth(&self) -> usize {
        self.0.split('.').count()
    }

    /// Whether `self` is the direct parent of `child` (`5.5` of `5.5.1`).
    pub fn is_parent_of(&self, child: &AlignmentCode) -> bool {
        child.depth() == self.depth() + 1
            && child
                .0
                .strip_prefix(&self.0)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

impl TryFrom<String> for AlignmentCode {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<AlignmentCode> for String {
    fn from(c: AlignmentCode) -> String {
        c.0
    }
}

impl fmt::Display for AlignmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_number_rejects_zero_and_text() {
        assert_eq!(ActivityNumber::parse(" 15 ").unwrap().get(), 15);
        assert!(ActivityNumber::parse("0").is_err());
        assert!(ActivityNumber::parse("x1").is_err());
        assert!(ActivityNumber::parse("-3").is_err());
    }

    #[test]
    fn office_code_is_upper_ascii() {
        assert_eq!(OfficeCode::parse("OAPLA").unwrap().as_str(), "OAPLA");
        assert!(OfficeCode::parse("oapla").is_err());
        assert!(OfficeCode::parse("A").is_err());
        assert!(OfficeCode::parse("OAPLA-ARCOM").is_err());
        assert!(OfficeCode::parse("1ABC").is_err());
    }

    #[test]
    fn plan_year_range() {
        assert!(PlanYear::new(2025).is_ok());
        assert!(PlanYear::new(1999).is_err());
        assert!(PlanYear::new(2101).is_err());
    }

    #[test]
    fn alignment_code_levels() {
        let o = AlignmentCode::parse("5.").unwrap();
        let oo = AlignmentCode::parse("5.5").unwrap();
        let i = AlignmentCode::parse("5.5.1").unwrap();
        assert_eq!(o.as_str(), "5");
        assert_eq!((o.depth(), oo.depth(), i.depth()), (1, 2, 3));
        assert!(o.is_parent_of(&oo));
        assert!(oo.is_parent_of(&i));
        assert!(!o.is_parent_of(&i));
        assert!(!AlignmentCode::parse("55")
            .unwrap()
            .is_parent_of(&AlignmentCode::parse("5.5.1").unwrap()));
        assert!(AlignmentCode::parse("5..1").is_err());
        assert!(AlignmentCode::parse("a.1").is_err());
        assert!(AlignmentCode::parse("").is_err());
    }
}
