//! Reads the sentence that names a plan's offices:
//! `Líder: Oficina Asesora de Planeación (OAPLA) con el apoyo de las área de Comunicaciones (ARCOM), …`.

use participa_domain::{OfficeCode, OfficeRole};

/// An office as the sentence names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedOffice {
    pub code: OfficeCode,
    pub name: String,
    pub role: OfficeRole,
}

/// Words that join names and are not part of them.
const LEADING_NOISE: &[&str] = &[
    ",", ";", "y", "e", "las", "los", "la", "el", "del", "de", ":",
];

fn strip_noise(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let next = LEADING_NOISE.iter().find_map(|w| {
            let head = t.get(..w.len())?;
            let rest = &t[w.len()..];
            let matches = head.eq_ignore_ascii_case(w)
                && (w.len() == 1 && !w.chars().all(char::is_alphabetic)
                    || rest.starts_with(char::is_whitespace));
            matches.then_some(rest)
        });
        match next {
            Some(rest) => s = rest,
            None => return t.trim_end_matches([',', ';', ' ']).trim(),
        }
    }
}

/// Finds where support starts (`con el apoyo de`, `Apoyo:`), by byte offset.
fn support_start(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_lowercase();
    for marker in ["con el apoyo de", "con apoyo de", "apoyo:"] {
        if let Some(at) = lower.find(marker) {
            // Lower-casing Spanish text keeps byte lengths for the ASCII markers.
            return Some((at, at + marker.len()));
        }
    }
    None
}

/// Reads every `name (CODE)` of the sentence. Offices before the support marker lead.
pub fn parse_offices_text(text: &str) -> Result<Vec<NamedOffice>, String> {
    let support_at = support_start(text);
    let mut offices = Vec::new();
    let mut cursor = 0;
    let mut problems = Vec::new();
    while let Some(open_rel) = text[cursor..].find('(') {
        let open = cursor + open_rel;
        let Some(close_rel) = text[open..].find(')') else {
            problems.push("falta el paréntesis de cierre tras un código".to_string());
            break;
        };
        let close = open + close_rel;
        let code_text = &text[open + 1..close];
        let mut name_region = &text[cursor..open];
        let role = match support_at {
            Some((s, e)) if open > s => {
                if cursor < e {
                    name_region = &text[e..open];
                }
                OfficeRole::Support
            }
            _ => OfficeRole::Leader,
        };
        let before_label = name_region
            .rsplit_once("Líder:")
            .or_else(|| name_region.rsplit_once("Lider:"))
            .map_or(name_region, |(_, after)| after);
        let name = strip_noise(before_label).to_string();
        match OfficeCode::parse(code_text) {
            Ok(code) if !name.is_empty() => offices.push(NamedOffice { code, name, role }),
            Ok(code) => problems.push(format!("falta el nombre de la dependencia {code}")),
            Err(e) => problems.push(e.to_string()),
        }
        cursor = close + 1;
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if offices.is_empty() {
        return Err(format!(
            "no se encontró ninguna dependencia con su código entre paréntesis en «{}»; se esperaba, por ejemplo, «Líder: Oficina Asesora de Planeación (OAPLA) con el apoyo de Área de Comunicaciones (ARCOM)»",
            text.trim()
        ));
    }
    Ok(offices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_sentence() {
        let offices = parse_offices_text("Líder: Oficina Asesora de Planeación (OAPLA) con el apoyo de las área de Comunicaciones (ARCOM), Servicio al Afiliado (ASERA), Atención al Consumidor Financiero (ARACF), Vivienda (ARVIV)").unwrap();
        let got: Vec<(&str, &str, OfficeRole)> = offices
            .iter()
            .map(|o| (o.code.as_str(), o.name.as_str(), o.role))
            .collect();
        assert_eq!(
            got,
            vec![
                ("OAPLA", "Oficina Asesora de Planeación", OfficeRole::Leader),
                ("ARCOM", "área de Comunicaciones", OfficeRole::Support),
                ("ASERA", "Servicio al Afiliado", OfficeRole::Support),
                (
                    "ARACF",
                    "Atención al Consumidor Financiero",
                    OfficeRole::Support
                ),
                ("ARVIV", "Vivienda", OfficeRole::Support),
            ]
        );
    }

    #[test]
    fn reads_what_offices_sentence_writes() {
        let text = "Líder: Oficina de Planeación y Finanzas (OPF) con el apoyo de Área de Vivienda (ARVIV), Oficina TIC (OTIC)";
        let offices = parse_offices_text(text).unwrap();
        assert_eq!(offices[0].name, "Oficina de Planeación y Finanzas");
        assert_eq!(offices[2].name, "Oficina TIC");
        assert_eq!(offices[2].role, OfficeRole::Support);
    }

    #[test]
    fn explains_what_is_missing() {
        assert!(parse_offices_text("Oficina de Planeación")
            .unwrap_err()
            .contains("paréntesis"));
        assert!(parse_offices_text("Líder: Planeación (oapla)")
            .unwrap_err()
            .contains("código de dependencia"));
    }
}
