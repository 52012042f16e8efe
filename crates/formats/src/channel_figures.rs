//! Monthly figures of a service channel (contact center, social media, website) as CSV:
//! `mes` (2025-03, 03/2025 or «marzo 2025»), `indicador` (interacciones, publicaciones,
//! visitas…) and `valor` (a whole or decimal number; `.` or `,` as thousands separators
//! are refused when ambiguous); optionally `agregacion`: how the months add up for the
//! indicator — `suma` (flows: interactions, visits; the default), `ultimo` (stocks:
//! followers) or `maximo`. All-or-nothing, each error with its line and column.

use crate::error::{ImportError, ImportErrors, Location};
use participa_domain::followup::indicators::Aggregation;
use participa_domain::participation::counts::{thousands, MAX_FIGURE};

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRow {
    pub year: i32,
    pub month: u32,
    pub metric: String,
    pub value: f64,
    pub aggregation: Aggregation,
}

/// `suma`, `ultimo`/`último`, `maximo`/`máximo`, any case; empty is `suma`.
fn aggregation_of(text: &str) -> Option<Aggregation> {
    let t = text
        .trim()
        .to_lowercase()
        .replace('ú', "u")
        .replace('á', "a");
    if t.is_empty() {
        return Some(Aggregation::Sum);
    }
    Aggregation::parse(&t)
}

fn month_of(text: &str) -> Option<(i32, u32)> {
    let t = text.trim().to_lowercase();
    let valid =
        |y: i32, m: u32| ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m));
    if let Some((a, b)) = t.split_once(['-', '/']) {
        let (a, b) = (a.trim(), b.trim());
        if a.len() == 4 {
            return valid(a.parse().ok()?, b.parse().ok()?);
        }
        return valid(b.parse().ok()?, a.parse().ok()?);
    }
    let (name, year) = t.split_once(' ')?;
    let m = participa_domain::calendar::MONTH_NAMES
        .iter()
        .position(|n| *n == name.trim())? as u32
        + 1;
    valid(year.trim().parse().ok()?, m)
}

fn value_of(text: &str) -> Option<f64> {
    let t = text.trim().replace(' ', "");
    // 12.345 or 12,345 with three digits after the only separator is a thousands
    // separator; 12,5 or 12.5 is a decimal.
    let normal = match (t.matches('.').count(), t.matches(',').count()) {
        (0, 0) => t,
        (1, 0) | (0, 1) => {
            let sep = if t.contains('.') { '.' } else { ',' };
            let (_, after) = t.split_once(sep)?;
            if after.len() == 3 {
                t.replace(sep, "")
            } else {
                t.replace(',', ".")
            }
        }
        (_, 0) => t.replace('.', ""),
        (0, _) => t.replace(',', ""),
        _ => return None,
    };
    normal
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

pub fn parse_channel_figures(file: &str, bytes: &[u8]) -> Result<Vec<ChannelRow>, ImportErrors> {
    let text = crate::attendance::decoded(bytes);
    let fail = |errors: Vec<ImportError>| ImportErrors::new(file, errors);
    let mut reader = crate::attendance::csv_reader(&text);
    let headers: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(|x| x.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(month_col), Some(metric_col), Some(value_col)) =
        (col("mes"), col("indicador"), col("valor"))
    else {
        return Err(fail(vec![ImportError {
            location: Location::Line(1),
            field: "encabezado".into(),
            message: "se esperan las columnas mes, indicador y valor".into(),
        }]));
    };
    let aggregation_col = col("agregacion").or_else(|| col("agregación"));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let Ok(record) = record else {
            errors.push(ImportError {
                location: Location::Line(line),
                field: "fila".into(),
                message: "no se pudo leer".into(),
            });
            continue;
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let month = month_of(cell(month_col));
        if month.is_none() {
            errors.push(ImportError {
                location: Location::Line(line),
                field: "mes".into(),
                message: format!(
                    "«{}» no es un mes (escriba 2025-03 o marzo 2025)",
                    cell(month_col)
                ),
            });
        }
        let metric = cell(metric_col).to_lowercase();
        if metric.is_empty() {
            errors.push(ImportError {
                location: Location::Line(line),
                field: "indicador".into(),
                message: "falta el nombre del indicador".into(),
            });
        }
        let value = value_of(cell(value_col));
        match value {
            None => errors.push(ImportError {
                location: Location::Line(line),
                field: "valor".into(),
                message: format!("«{}» no es una cifra válida", cell(value_col)),
            }),
            Some(v) if v > MAX_FIGURE => errors.push(ImportError {
                location: Location::Line(line),
                field: "valor".into(),
                message: format!(
                    "«{}» es demasiado grande: una cifra mensual va de 0 a {}",
                    cell(value_col),
                    thousands(MAX_FIGURE as i64)
                ),
            }),
            Some(_) => {}
        }
        let written = aggregation_col.map(cell).unwrap_or("");
        let aggregation = aggregation_of(written);
        if aggregation.is_none() {
            errors.push(ImportError {
                location: Location::Line(line),
                field: "agregacion".into(),
                message: format!("«{written}» no es suma, ultimo ni maximo"),
            });
        }
        if let (Some(a), Some(other)) = (
            aggregation,
            rows.iter()
                .find(|r: &&ChannelRow| r.metric == metric && Some(r.aggregation) != aggregation),
        ) {
            errors.push(ImportError {
                location: Location::Line(line),
                field: "agregacion".into(),
                message: format!(
                    "{metric} se agrega como «{}» en otra fila; aquí dice «{}»",
                    other.aggregation.as_str(),
                    a.as_str()
                ),
            });
        }
        if let (Some((year, month)), Some(value), Some(aggregation), false) =
            (month, value, aggregation, metric.is_empty())
        {
            if rows
                .iter()
                .any(|r: &ChannelRow| r.year == year && r.month == month && r.metric == metric)
            {
                errors.push(ImportError {
                    location: Location::Line(line),
                    field: "mes".into(),
                    message: format!("{metric} de {year}-{month:02} ya está en otra fila"),
                });
            } else {
                rows.push(ChannelRow {
                    year,
                    month,
                    metric,
                    value,
                    aggregation,
                });
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(ImportError {
            location: Location::Document,
            field: "filas".into(),
            message: "el archivo no tiene cifras".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(fail(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stocks_are_marked_to_take_the_last_month() {
        let csv = "mes,indicador,valor,agregacion\n2025-01,seguidores,1200,último\n2025-02,seguidores,1300,ultimo\n2025-02,publicaciones,40,\n";
        let rows = parse_channel_figures("redes.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].aggregation, Aggregation::Last);
        assert_eq!(rows[2].aggregation, Aggregation::Sum);
        let mixed = "mes,indicador,valor,agregacion\n2025-01,seguidores,1200,ultimo\n2025-02,seguidores,1300,suma\n2025-03,seguidores,1,promedio\n";
        let e = parse_channel_figures("redes.csv", mixed.as_bytes()).unwrap_err();
        let text: Vec<String> = e.errors.iter().map(|x| x.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].contains("línea 3") && text[0].contains("«ultimo» en otra fila"),
            "{text:?}"
        );
        assert!(
            text[1].contains("línea 4") && text[1].contains("«promedio»"),
            "{text:?}"
        );
    }

    #[test]
    fn months_and_numbers_are_read_as_people_write_them() {
        let csv = "mes;indicador;valor\n2025-01;Interacciones;12.345\nfebrero 2025;interacciones;9876\n03/2025;interacciones;1,5\n";
        let rows = parse_channel_figures("ccc.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[0].year, rows[0].month, rows[0].value),
            (2025, 1, 12345.0)
        );
        assert_eq!((rows[1].month, rows[1].value), (2, 9876.0));
        assert_eq!(rows[2].value, 1.5);
        assert_eq!(rows[0].metric, "interacciones");
    }

    #[test]
    fn errors_name_line_and_column_and_refuse_the_file() {
        let csv = "mes,indicador,valor\n2025-13,visitas,10\n2025-01,,5\n2025-02,visitas,muchas\n2025-03,visitas,1\n2025-03,visitas,2\n";
        let e = parse_channel_figures("web.csv", csv.as_bytes()).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.errors.len(), 4, "{text}");
        assert!(text.contains("línea 2: mes: «2025-13»"));
        assert!(text.contains("línea 3: indicador"));
        assert!(text.contains("línea 4: valor: «muchas»"));
        assert!(text.contains("línea 6: mes: visitas de 2025-03 ya está"));
        assert!(parse_channel_figures("x.csv", b"fecha,total\n").is_err());
        // Figures are bounded, so that their totals stay meaningful.
        let huge = "mes,indicador,valor\n2025-01,visitas,9223372036854775807\n2025-02,visitas,1000000000\n";
        let e = parse_channel_figures("web.csv", huge.as_bytes()).unwrap_err();
        assert_eq!(e.errors.len(), 1, "{e}");
        assert!(e
            .to_string()
            .contains("línea 2: valor: «9223372036854775807» es demasiado grande: una cifra mensual va de 0 a 1\u{a0}000\u{a0}000\u{a0}000"));
    }
}
