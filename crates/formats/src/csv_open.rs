//! Open-data tables as CSV in the two variants the catalogue offers: the standard one
//! (UTF-8 with BOM, comma-separated, decimal point; RFC 4180) and the one Excel set to
//! Spanish (Colombia) opens in columns by a double click (UTF-8 with BOM, `;`-separated,
//! decimal comma in the numeric columns). Texts a spreadsheet would run as a formula are
//! neutralised in both ([`crate::formula_guard::neutralise`]).
//!
//! A table's columns are described by a data dictionary ([`Column`]), written itself as
//! CSV by [`write_dictionary`].

use crate::formula_guard::neutralise;
use participa_domain::open_data::{decimal_comma, Column};

/// Which CSV a table is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvVariant {
    /// Comma-separated, decimal point.
    Standard,
    /// `;`-separated, decimal comma: Excel in Spanish (Colombia).
    ExcelCo,
}

impl CsvVariant {
    fn delimiter(self) -> u8 {
        match self {
            CsvVariant::Standard => b',',
            CsvVariant::ExcelCo => b';',
        }
    }
}

/// Writes a table: the column names, then each row (a row shorter than the columns is
/// padded with empty cells, a longer one cut), in the chosen variant.
pub fn write_table<R, C>(columns: &[Column], rows: R, variant: CsvVariant) -> Vec<u8>
where
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(variant.delimiter())
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(columns.iter().map(|c| c.name))
            .expect("writing to memory cannot fail");
        for row in rows {
            let cells: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let value = row.get(i).map_or("", |v| v.as_ref());
                    if col.kind.is_number() && variant == CsvVariant::ExcelCo {
                        decimal_comma(value)
                    } else if col.kind.is_number() {
                        value.to_string()
                    } else {
                        neutralise(value).into_owned()
                    }
                })
                .collect();
            w.write_record(&cells)
                .expect("writing to memory cannot fail");
        }
        w.flush().expect("writing to memory cannot fail");
    }
    out
}

/// A standard CSV written by this crate (BOM, comma, header row first, formulas already
/// neutralised) written again in `variant`, numbers in the columns `columns` marks as
/// numeric given the variant's decimal separator. Cells are copied, never guarded twice.
pub fn recode(standard: &[u8], columns: &[Column], variant: CsvVariant) -> Vec<u8> {
    let body = standard
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(standard);
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut w = csv::WriterBuilder::new()
            .delimiter(variant.delimiter())
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut out);
        for (line, record) in r.records().enumerate() {
            let Ok(record) = record else { break };
            let cells: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let number = line > 0 && columns.get(i).is_some_and(|c| c.kind.is_number());
                    if number && variant == CsvVariant::ExcelCo {
                        decimal_comma(v)
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            w.write_record(&cells)
                .expect("writing to memory cannot fail");
        }
        w.flush().expect("writing to memory cannot fail");
    }
    out
}

/// A data dictionary as CSV (`columna`, `tipo`, `descripcion`): one row per column.
pub fn write_dictionary(columns: &[Column], variant: CsvVariant) -> Vec<u8> {
    use participa_domain::open_data::ColumnKind;
    const META: [Column; 3] = [
        Column {
            name: "columna",
            kind: ColumnKind::Text,
            description: "Nombre de la columna",
        },
        Column {
            name: "tipo",
            kind: ColumnKind::Text,
            description: "Tipo de dato",
        },
        Column {
            name: "descripcion",
            kind: ColumnKind::Text,
            description: "Qué contiene",
        },
    ];
    write_table(
        &META,
        columns
            .iter()
            .map(|c| vec![c.name, c.kind.label(), c.description]),
        variant,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use participa_domain::open_data::ColumnKind;

    const COLS: [Column; 3] = [
        Column {
            name: "canal",
            kind: ColumnKind::Text,
            description: "Canal",
        },
        Column {
            name: "satisfaccion",
            kind: ColumnKind::Decimal,
            description: "Promedio",
        },
        Column {
            name: "personas",
            kind: ColumnKind::Integer,
            description: "Cuántas",
        },
    ];

    fn text(bytes: &[u8]) -> &str {
        assert_eq!(&bytes[..3], [0xEF, 0xBB, 0xBF], "UTF-8 BOM first");
        std::str::from_utf8(&bytes[3..]).unwrap()
    }

    #[test]
    fn standard_variant_is_comma_separated_with_decimal_point() {
        let out = write_table(
            &COLS,
            vec![vec!["Sitio web, portal", "4.5", "12"]],
            CsvVariant::Standard,
        );
        assert_eq!(
            text(&out),
            "canal,satisfaccion,personas\r\n\"Sitio web, portal\",4.5,12\r\n"
        );
    }

    #[test]
    fn excel_variant_is_semicolon_separated_with_decimal_comma() {
        let out = write_table(
            &COLS,
            vec![vec!["Atención; presencial", "4.5", ""]],
            CsvVariant::ExcelCo,
        );
        assert_eq!(
            text(&out),
            "canal;satisfaccion;personas\r\n\"Atención; presencial\";4,5;\r\n"
        );
    }

    #[test]
    fn formulas_in_text_are_neutralised_and_short_rows_padded() {
        let out = write_table(&COLS, vec![vec!["=1+1"]], CsvVariant::ExcelCo);
        assert_eq!(text(&out), "canal;satisfaccion;personas\r\n'=1+1;;\r\n");
    }

    #[test]
    fn a_standard_file_recodes_for_excel_without_guarding_twice() {
        let standard = write_table(&COLS, vec![vec!["=x; y", "2.5", "7"]], CsvVariant::Standard);
        let excel = recode(&standard, &COLS, CsvVariant::ExcelCo);
        assert_eq!(
            text(&excel),
            "canal;satisfaccion;personas\r\n\"'=x; y\";2,5;7\r\n"
        );
        assert_eq!(recode(&standard, &COLS, CsvVariant::Standard), standard);
    }

    #[test]
    fn the_dictionary_lists_each_column_with_its_type() {
        let out = write_dictionary(&COLS, CsvVariant::Standard);
        let body = text(&out);
        assert!(body.starts_with("columna,tipo,descripcion\r\n"));
        assert!(body.contains("satisfaccion,número decimal,Promedio\r\n"));
        assert_eq!(body.lines().count(), 4);
    }
}
