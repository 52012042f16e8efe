//! A responsible cell that names offices without their codes (`Oficina Asesora de
//! Planeación`, `Planeación y Comunicaciones`, `ARCOM / Vivienda`): each office is found
//! by its code or its name as the plan's header gives them, wherever it is in the cell.
//! Whatever is left that names no office is an error that says it.

use crate::error::excerpt;
use crate::labels::normalize;
use crate::offices_text::NamedOffice;
use participa_domain::OfficeCode;

/// Words that join or introduce office names and name no office by themselves.
const JOINING: &[&str] = &[
    "y",
    "e",
    "de",
    "del",
    "la",
    "el",
    "las",
    "los",
    "con",
    "apoyo",
    "en",
    "lider",
    "area",
    "oficina",
    "asesora",
    "grupo",
    "direccion",
    "subdireccion",
    "secretaria",
    "dependencia",
    "todas",
    "todos",
    "coordinacion",
    "equipo",
    "proceso",
];

/// Generic words an office's name may start with, so that `Planeación` finds the
/// `Oficina Asesora de Planeación`.
const GENERIC_START: &[&str] = &[
    "oficina asesora de ",
    "oficina de ",
    "area de ",
    "grupo de ",
    "direccion de ",
    "subdireccion de ",
    "secretaria de ",
    "coordinacion de ",
];

fn core(name: &str) -> &str {
    GENERIC_START
        .iter()
        .find_map(|g| name.strip_prefix(g))
        .unwrap_or(name)
}

/// Byte positions in `hay` where `needle` starts as whole words.
fn find_words(hay: &str, needle: &str) -> Vec<usize> {
    if needle.is_empty() {
        return vec![];
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    hay.match_indices(needle)
        .map(|(i, _)| i)
        .filter(|&i| {
            boundary(hay[..i].chars().next_back())
                && boundary(hay[i + needle.len()..].chars().next())
        })
        .collect()
}

/// The codes of the offices `cell` names, in the order written.
pub fn offices_named_in(cell: &str, offices: &[NamedOffice]) -> Result<Vec<OfficeCode>, String> {
    let text = normalize(&cell.replace(
        ['/', '\\', ',', ';', ':', '.', '-', '–', '(', ')', '\n'],
        " ",
    ));
    if text.is_empty() {
        return Err("falta la dependencia responsable".into());
    }
    // Each office's names, longest first, so that a full name wins over its core.
    let mut names: Vec<(String, usize)> = Vec::new();
    for (i, o) in offices.iter().enumerate() {
        let full = normalize(&o.name);
        names.push((normalize(o.code.as_str()), i));
        names.push((core(&full).to_string(), i));
        names.push((full, i));
    }
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let mut covered = vec![false; text.len()];
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (name, office) in &names {
        for at in find_words(&text, name) {
            if covered[at..at + name.len()].iter().any(|c| *c) {
                continue;
            }
            covered[at..at + name.len()]
                .iter_mut()
                .for_each(|c| *c = true);
            found.push((at, *office));
        }
    }
    let rest: String = text
        .char_indices()
        .map(|(i, c)| if covered[i] { ' ' } else { c })
        .collect();
    let left: Vec<&str> = rest
        .split_whitespace()
        .filter(|w| !JOINING.contains(w))
        .collect();
    if !left.is_empty() || found.is_empty() {
        let known = offices
            .iter()
            .map(|o| format!("{} ({})", o.name, o.code.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let unknown = if left.is_empty() {
            cell.trim().to_string()
        } else {
            left.join(" ")
        };
        return Err(format!(
            "no se reconoce la dependencia «{}» en «{}»; las dependencias del encabezado son: {known}",
            excerpt(&unknown),
            excerpt(cell.trim())
        ));
    }
    found.sort();
    let mut codes: Vec<OfficeCode> = Vec::new();
    for (_, office) in found {
        let code = offices[office].code.clone();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use participa_domain::OfficeRole;

    fn offices() -> Vec<NamedOffice> {
        [
            ("OAPLA", "Oficina Asesora de Planeación"),
            ("ARCOM", "Comunicaciones"),
            ("ASERA", "Servicio al Afiliado"),
            ("ARVIV", "Vivienda"),
        ]
        .iter()
        .map(|(c, n)| NamedOffice {
            code: OfficeCode::parse(c).unwrap(),
            name: n.to_string(),
            role: OfficeRole::Support,
        })
        .collect()
    }

    fn codes(cell: &str) -> Vec<String> {
        offices_named_in(cell, &offices())
            .unwrap_or_else(|e| panic!("{cell}: {e}"))
            .iter()
            .map(|c| c.as_str().to_string())
            .collect()
    }

    #[test]
    fn offices_are_found_by_name_or_code_in_the_order_written() {
        assert_eq!(codes("Oficina Asesora de Planeación"), ["OAPLA"]);
        assert_eq!(codes("oficina asesora de planeacion"), ["OAPLA"]);
        assert_eq!(codes("Planeación"), ["OAPLA"]);
        assert_eq!(
            codes("Área de Comunicaciones y Oficina Asesora de Planeación"),
            ["ARCOM", "OAPLA"]
        );
        assert_eq!(codes("Vivienda, Servicio al Afiliado"), ["ARVIV", "ASERA"]);
        assert_eq!(codes("ARCOM / Vivienda"), ["ARCOM", "ARVIV"]);
        assert_eq!(
            codes("Líder: Planeación con apoyo de Comunicaciones"),
            ["OAPLA", "ARCOM"]
        );
    }

    #[test]
    fn a_name_that_is_no_office_is_named_in_the_error() {
        let e = offices_named_in("Planeación y Talento Humano", &offices()).unwrap_err();
        assert!(e.contains("«talento humano»"), "{e}");
        assert!(e.contains("Vivienda (ARVIV)"), "{e}");
        assert!(offices_named_in("", &offices()).is_err());
    }
}
