//! An event's attendee list as CSV (comma or semicolon separated, UTF-8 or Windows-1252):
//! one row per attendee. Participa keeps only what the plan's follow-up needs — how
//! many came, how many of each group of value, and the satisfaction they gave — never
//! the names: the list is read and dropped.

use crate::encoding::decode_text;
use crate::error::{ImportError, ImportErrors, Location};
use std::collections::BTreeMap;

/// What an attendee list adds up to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attendance {
    pub attendees: usize,
    /// Attendees per group-of-value code (those whose row names one).
    pub by_group: BTreeMap<String, usize>,
    /// Sum and count of the 1–5 satisfaction answers given.
    pub satisfaction_sum: u32,
    pub satisfaction_count: u32,
}

/// A small CSV file's text, UTF-8 or Windows-1252.
pub(crate) fn decoded(bytes: &[u8]) -> String {
    decode_text(bytes).0
}

/// A reader for a CSV people saved from a spreadsheet: `;` or `,` (whichever the header
/// uses more), rows of any length.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn normalise(h: &str) -> String {
    h.trim()
        .to_lowercase()
        .replace('á', "a")
        .replace('é', "e")
        .replace('í', "i")
        .replace('ó', "o")
        .replace('ú', "u")
        .replace(' ', "_")
}

/// Reads the list. Columns (any order, any case): `nombre` (required, so that blank rows
/// are not counted), `grupo_valor` (a code of `groups`, optional), `satisfaccion` (1 to
/// 5, optional). All-or-nothing: any bad row refuses the whole file, each error with its
/// line and column.
pub fn parse_attendance(
    file: &str,
    bytes: &[u8],
    groups: &[String],
) -> Result<Attendance, ImportErrors> {
    let text = decoded(bytes);
    let mut reader = csv_reader(&text);
    let fail = |errors: Vec<ImportError>| ImportErrors::new(file, errors);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(normalise).collect(),
        Err(e) => {
            return Err(fail(vec![ImportError {
                location: Location::Line(1),
                field: "encabezado".into(),
                message: format!("no se pudo leer: {e}"),
            }]))
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(name_col) = col("nombre") else {
        return Err(fail(vec![ImportError {
            location: Location::Line(1),
            field: "encabezado".into(),
            message: "falta la columna «nombre» (se cuentan las filas que la tienen llena)".into(),
        }]));
    };
    let group_col = col("grupo_valor").or_else(|| col("grupo"));
    let sat_col = col("satisfaccion");
    let mut out = Attendance::default();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(ImportError {
                    location: Location::Line(line),
                    field: "fila".into(),
                    message: format!("no se pudo leer: {e}"),
                });
                continue;
            }
        };
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").trim();
        if cell(Some(name_col)).is_empty() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            errors.push(ImportError {
                location: Location::Line(line),
                field: "nombre".into(),
                message: "la fila no tiene nombre".into(),
            });
            continue;
        }
        out.attendees += 1;
        let group = cell(group_col).to_lowercase();
        if !group.is_empty() {
            if groups.contains(&group) {
                *out.by_group.entry(group).or_default() += 1;
            } else {
                errors.push(ImportError {
                    location: Location::Line(line),
                    field: "grupo_valor".into(),
                    message: format!("«{group}» no está en el catálogo de grupos de valor"),
                });
            }
        }
        let sat = cell(sat_col);
        if !sat.is_empty() {
            match sat.parse::<u32>() {
                Ok(v @ 1..=5) => {
                    out.satisfaction_sum += v;
                    out.satisfaction_count += 1;
                }
                _ => errors.push(ImportError {
                    location: Location::Line(line),
                    field: "satisfaccion".into(),
                    message: format!("«{sat}» no es un valor de 1 a 5"),
                }),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(fail(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<String> {
        vec!["afiliados".into(), "pensionados".into()]
    }

    #[test]
    fn a_list_adds_up_without_keeping_names() {
        let csv =
            "Nombre;Grupo valor;Satisfacción\nAna;afiliados;5\nLuis;Pensionados;4\n;;\nMarta;;\n";
        let a = parse_attendance("lista.csv", csv.as_bytes(), &groups()).unwrap();
        assert_eq!(a.attendees, 3);
        assert_eq!(a.by_group["afiliados"], 1);
        assert_eq!(a.by_group["pensionados"], 1);
        assert_eq!((a.satisfaction_sum, a.satisfaction_count), (9, 2));
    }

    #[test]
    fn bad_rows_refuse_the_file_with_line_and_column() {
        let csv =
            "nombre,grupo_valor,satisfaccion\nAna,reservistas,5\nLuis,afiliados,9\n,afiliados,3\n";
        let e = parse_attendance("lista.csv", csv.as_bytes(), &groups()).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.errors.len(), 3, "{text}");
        assert!(
            text.contains("línea 2: grupo_valor: «reservistas»"),
            "{text}"
        );
        assert!(text.contains("línea 3: satisfaccion: «9»"), "{text}");
        assert!(text.contains("línea 4: nombre"), "{text}");
        let no_name = parse_attendance("x.csv", b"correo\nana@x.co\n", &groups()).unwrap_err();
        assert!(no_name.to_string().contains("falta la columna «nombre»"));
    }
}
