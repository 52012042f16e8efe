//! The public entities a deployment hosts: how each is named in addresses (its slug and
//! host names) and where it sits in the State (order, sector, DIVIPOLA codes).

use std::fmt;
use thiserror::Error;

/// The name of an entity in the platform's addresses (`/e/{slug}/…`) and commands
/// (`--entity SLUG`): 2 to 40 lowercase letters, digits and hyphens, starting with a
/// letter and not ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntitySlug(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntityError {
    #[error("el identificador «{0}» no sirve: use de 2 a 40 letras minúsculas sin tildes, cifras o guiones, empezando por una letra (por ejemplo «alcaldia-tunja»)")]
    Slug(String),
    #[error("el nombre de la entidad está vacío o pasa de 200 caracteres")]
    Name,
    #[error("el nombre de servidor «{0}» no sirve: escriba solo el nombre, como participa.entidad.gov.co (sin https:// ni rutas)")]
    Host(String),
    #[error("el código DIVIPOLA «{0}» no sirve: el departamento tiene 2 cifras y el municipio 5, y el municipio empieza por las del departamento")]
    Divipola(String),
    #[error("el orden «{0}» no existe: use «nacional» o «territorial»")]
    Order(String),
    #[error("el NIT «{0}» no sirve: escriba solo cifras, con el dígito de verificación después de un guion si lo tiene (por ejemplo 899999035-7)")]
    Nit(String),
    #[error("el color «{0}» no sirve: escríbalo como #rrggbb, por ejemplo #0b4f8a")]
    Colour(String),
    #[error("el color {colour} es muy claro: el texto blanco sobre él y él sobre el blanco quedan con contraste {ratio} a 1, y se necesita al menos 4,5 a 1 (WCAG 2.1 AA); elija un tono más oscuro")]
    /// `ratio` as Spanish writes it, with a decimal comma («3,9»).
    Contrast { colour: String, ratio: String },
}

impl EntitySlug {
    pub fn parse(text: &str) -> Result<EntitySlug, EntityError> {
        let ok = (2..=40).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && !text.ends_with('-')
            && !text.contains("--")
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(EntitySlug(text.to_string()))
        } else {
            Err(EntityError::Slug(text.chars().take(60).collect()))
        }
    }

    /// A slug made from an entity's name: accents folded, words joined by hyphens,
    /// cut at 40 characters («Alcaldía de Tunja» → `alcaldia-de-tunja`).
    pub fn from_name(name: &str) -> EntitySlug {
        let mut slug = String::new();
        for c in name.chars().flat_map(fold) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        slug.truncate(40);
        let mut slug = slug.trim_end_matches('-').to_string();
        if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
            slug.insert_str(0, "e-");
        }
        if slug.len() < 2 {
            slug = "entidad".into();
        }
        slug.truncate(40);
        EntitySlug::parse(slug.trim_end_matches('-'))
            .unwrap_or_else(|_| EntitySlug("entidad".into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fold(c: char) -> impl Iterator<Item = char> {
    let folded = match c {
        'á' | 'à' | 'ä' | 'â' | 'Á' | 'À' | 'Ä' | 'Â' => 'a',
        'é' | 'è' | 'ë' | 'ê' | 'É' | 'È' | 'Ë' | 'Ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' | 'Í' | 'Ì' | 'Ï' | 'Î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'Ó' | 'Ò' | 'Ö' | 'Ô' => 'o',
        'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ù' | 'Ü' | 'Û' => 'u',
        'ñ' | 'Ñ' => 'n',
        other => other,
    };
    std::iter::once(folded)
}

impl fmt::Display for EntitySlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A host name an entity's own site answers on, lowercased, without port.
pub fn parse_host(text: &str) -> Result<String, EntityError> {
    let host = text.trim().to_ascii_lowercase();
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(host)
    } else {
        Err(EntityError::Host(text.chars().take(80).collect()))
    }
}

/// Whether an entity belongs to the national or the territorial order of the State.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EntityOrder {
    #[default]
    National,
    Territorial,
}

impl EntityOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityOrder::National => "nacional",
            EntityOrder::Territorial => "territorial",
        }
    }

    pub fn parse(text: &str) -> Result<EntityOrder, EntityError> {
        match text.trim() {
            "nacional" => Ok(EntityOrder::National),
            "territorial" => Ok(EntityOrder::Territorial),
            other => Err(EntityError::Order(other.chars().take(40).collect())),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntityOrder::National => "Nacional",
            EntityOrder::Territorial => "Territorial",
        }
    }
}

/// A department's and a municipality's DIVIPOLA codes (DANE), either may be empty: a
/// national entity has neither; a department's own entity has only the first.
pub fn check_divipola(department: &str, municipality: &str) -> Result<(), EntityError> {
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let department_ok = department.is_empty() || digits(department, 2);
    let municipality_ok = municipality.is_empty()
        || (digits(municipality, 5)
            && municipality.starts_with(department)
            && !department.is_empty());
    if department_ok && municipality_ok {
        Ok(())
    } else {
        Err(EntityError::Divipola(
            format!("{department} {municipality}").trim().to_string(),
        ))
    }
}

/// A NIT as people write it (`899999035-7`, `899.999.035-7`), kept as digits with the
/// check digit after a hyphen; empty stays empty.
pub fn parse_nit(text: &str) -> Result<String, EntityError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if compact.is_empty() {
        return Ok(compact);
    }
    let (body, check) = match compact.split_once('-') {
        Some((b, c)) => (b, Some(c)),
        None => (compact.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let ok = digits(body) && body.len() <= 15 && check.is_none_or(|c| c.len() == 1 && digits(c));
    if ok {
        Ok(compact)
    } else {
        Err(EntityError::Nit(text.chars().take(40).collect()))
    }
}

/// The contrast a text colour reaches against white text or a white page that WCAG
/// 2.1 AA asks of normal text (success criterion 1.4.3).
pub const MIN_CONTRAST: f64 = 4.5;

/// An entity's own colour, as `#rrggbb` in lowercase (empty stays empty: the
/// platform's). It is the colour of the header band under white text and of links on
/// white, so it must contrast [`MIN_CONTRAST`] to 1 with white.
pub fn parse_colour(text: &str) -> Result<String, EntityError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let hex = text.strip_prefix('#').unwrap_or(text);
    let channels: Option<Vec<u8>> = (hex.len() == 6 && hex.is_ascii())
        .then(|| {
            (0..3)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let Some(channels) = channels else {
        return Err(EntityError::Colour(text.chars().take(20).collect()));
    };
    let colour = format!("#{}", hex.to_ascii_lowercase());
    let ratio = contrast_with_white(&channels);
    if ratio < MIN_CONTRAST {
        let ratio = format!("{:.1}", (ratio * 10.0).floor() / 10.0).replace('.', ",");
        return Err(EntityError::Contrast { colour, ratio });
    }
    Ok(colour)
}

/// WCAG's contrast ratio between an sRGB colour and white: (1 + 0.05) / (L + 0.05),
/// with L its relative luminance.
fn contrast_with_white(rgb: &[u8]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    1.05 / (l + 0.05)
}

/// An entity's name: trimmed, 1 to 200 characters.
pub fn parse_entity_name(text: &str) -> Result<String, EntityError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 200 {
        Err(EntityError::Name)
    } else {
        Ok(name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_words() {
        assert!(EntitySlug::parse("alcaldia-tunja").is_ok());
        assert!(EntitySlug::parse("cajahonor").is_ok());
        for bad in [
            "",
            "a",
            "Alcaldia",
            "1alcaldia",
            "alcaldía",
            "a--b",
            "ab-",
            "a b",
            &"a".repeat(41),
        ] {
            assert!(EntitySlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_slug_is_made_from_a_name() {
        assert_eq!(
            EntitySlug::from_name("Alcaldía de Tunja").as_str(),
            "alcaldia-de-tunja"
        );
        assert_eq!(
            EntitySlug::from_name("  Caja Honor  ").as_str(),
            "caja-honor"
        );
        assert_eq!(
            EntitySlug::from_name("123 Entidad").as_str(),
            "e-123-entidad"
        );
        assert_eq!(EntitySlug::from_name("¡!").as_str(), "entidad");
        let long = EntitySlug::from_name(
            "Caja Promotora de Vivienda Militar y de Policía de la República",
        );
        assert!(long.as_str().len() <= 40 && !long.as_str().ends_with('-'));
    }

    #[test]
    fn a_colour_must_be_dark_enough_for_white_text() {
        assert_eq!(parse_colour(" #0B4F8A ").unwrap(), "#0b4f8a");
        assert_eq!(parse_colour("3366cc").unwrap(), "#3366cc");
        assert_eq!(parse_colour("").unwrap(), "");
        // Black on white is 21:1; white on white 1:1.
        assert!((contrast_with_white(&[0, 0, 0]) - 21.0).abs() < 1e-9);
        assert!((contrast_with_white(&[255, 255, 255]) - 1.0).abs() < 1e-9);
        // #767676 is the lightest grey that passes; #777777 does not.
        assert!(parse_colour("#767676").is_ok());
        let e = parse_colour("#777777").unwrap_err();
        assert!(matches!(e, EntityError::Contrast { .. }), "{e}");
        assert!(e.to_string().contains("4,5 a 1"), "{e}");
        for bad in ["#12345", "#ggghhh", "azul", "#0b4f8a0", "#ñññ"] {
            assert!(
                matches!(parse_colour(bad), Err(EntityError::Colour(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn hosts_divipola_and_nit_are_checked() {
        assert_eq!(
            parse_host("Participa.Tunja.gov.co").unwrap(),
            "participa.tunja.gov.co"
        );
        assert!(parse_host("https://tunja.gov.co").is_err());
        assert!(parse_host("tunja.gov.co/x").is_err());
        assert!(check_divipola("15", "15001").is_ok());
        assert!(check_divipola("", "").is_ok());
        assert!(check_divipola("15", "").is_ok());
        assert!(check_divipola("15", "25001").is_err());
        assert!(check_divipola("", "15001").is_err());
        assert!(check_divipola("1", "").is_err());
        assert_eq!(parse_nit("899.999.035-7").unwrap(), "899999035-7");
        assert!(parse_nit("89A").is_err());
        assert!(parse_nit("899-77").is_err());
        assert_eq!(
            EntityOrder::parse("territorial").unwrap(),
            EntityOrder::Territorial
        );
        assert!(EntityOrder::parse("municipal").is_err());
    }
}
