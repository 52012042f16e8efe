//! An XLSX package checked before calamine opens it, so that what calamine then reads is
//! bounded. Calamine streams a worksheet's XML but reads the shared strings, the styles,
//! the workbook and the relationships whole, and it trusts what they announce:
//!
//! - each part's unzipped size, from the central directory: the zip reader fails a part
//!   that inflates past its declared size, so the declared sizes bound what is read;
//! - the shared strings' `uniqueCount`, for which calamine reserves room before reading a
//!   string (a count of trillions aborts the process);
//! - the styles' records, about 150 bytes each, with a font's name and a number format's
//!   code copied into every cell format that uses them.

use crate::limits::{grouped, size, Limits, STYLE_TEXT_BYTES};
use std::io::Cursor;

/// The checks on the package, before calamine reads any of it; the message when one fails.
pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    // What the zip reader cannot open, calamine reports in its own words.
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    if zip.len() > limits.zip_entries {
        return Err(format!(
            "el libro tiene {} partes; un libro de hoja de cálculo tiene unas decenas y se leen hasta {}",
            grouped(zip.len() as u64),
            grouped(limits.zip_entries as u64)
        ));
    }
    let mut total = 0u64;
    let mut shared_strings = Vec::new();
    let mut styles = Vec::new();
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| format!("no es un libro XLSX legible: {e}"))?;
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        let lower = name.to_ascii_lowercase();
        let limit = if lower.contains("worksheets/") {
            limits.sheet_bytes
        } else {
            limits.part_bytes
        };
        let unzipped = part.size();
        if unzipped > limit {
            return Err(format!(
                "la parte «{name}» del libro ocupa {} al descomprimirla, y se leen hasta {}; {}",
                size(unzipped),
                size(limit),
                what_it_holds(&lower)
            ));
        }
        total = total.saturating_add(unzipped);
        if total > limits.unzipped_bytes {
            return Err(format!(
                "el libro ocupa más de {} al descomprimirlo, el máximo que se lee; un plan ocupa unos cientos de KB",
                size(limits.unzipped_bytes)
            ));
        }
        if lower.ends_with("sharedstrings.xml") {
            shared_strings.push(i);
        }
        if lower.ends_with("styles.xml") {
            styles.push((i, name));
        }
    }
    let unreadable = |e: zip::result::ZipError| format!("no es un libro XLSX legible: {e}");
    // Calamine makes room for the count the part announces before it reads a string.
    let most = limits.rows.saturating_mul(limits.columns);
    for i in shared_strings {
        if let Some(count) = announced_strings(zip.by_index(i).map_err(unreadable)?) {
            if count.is_none_or(|n| n > most) {
                return Err(format!(
                    "el libro anuncia más de {} textos distintos (uniqueCount de xl/sharedStrings.xml), el máximo que se lee",
                    grouped(most as u64)
                ));
            }
        }
    }
    for (i, name) in styles {
        check_styles(zip.by_index(i).map_err(unreadable)?, &name, limits)?;
    }
    Ok(())
}

/// A reader of a part's XML configured as calamine configures its own.
fn xml_reader<R: std::io::Read>(part: R) -> quick_xml::Reader<std::io::BufReader<R>> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// The styles part's records counted and its copied texts measured (see
/// [`Limits::styles`]). What does not parse is left to calamine to report.
fn check_styles(part: impl std::io::Read, name: &str, limits: &Limits) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut xml = xml_reader(part);
    let mut buf = Vec::new();
    let mut records = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let local = e.local_name();
                let local = local.as_ref();
                if matches!(local, "xf" | "font" | "fill" | "border" | "numFmt") {
                    records += 1;
                    if records > limits.styles {
                        return Err(format!(
                            "los estilos del libro («{name}») tienen más de {} formatos, fuentes, rellenos y bordes, el máximo que se lee; copie la hoja del plan a un libro nuevo",
                            grouped(limits.styles as u64)
                        ));
                    }
                }
                if matches!(local, "name" | "numFmt") && buf.len() > STYLE_TEXT_BYTES {
                    return Err(format!(
                        "los estilos del libro («{name}») tienen un nombre de fuente o un formato de número de más de {STYLE_TEXT_BYTES} caracteres; copie la hoja del plan a un libro nuevo"
                    ));
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {}
        }
    }
}

/// What a part too large to read usually is, for the message; `part` in lower case.
fn what_it_holds(part: &str) -> &'static str {
    if part.ends_with("sharedstrings.xml") {
        "son los textos de las celdas: revise si alguna tiene un texto enorme pegado por error"
    } else if part.contains("worksheets/") {
        "es una hoja: revise si tiene filas o columnas de más, llenas hasta el final"
    } else {
        "un plan ocupa unos cientos de KB"
    }
}

/// The `uniqueCount` of the shared strings' root element, read as calamine reads it:
/// `None` when the part has none (or cannot be read, which calamine then reports);
/// `Some(None)` when it is there but is not a count this reader accepts.
fn announced_strings(part: impl std::io::Read) -> Option<Option<usize>> {
    use quick_xml::events::Event;
    let mut xml = xml_reader(part);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                return count_attribute(e.attributes_raw().as_bytes());
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The value of every `uniqueCount` in an element's attributes, as one count: the
/// largest, or `Some(None)` when one is not a plain number (calamine's reading of it
/// could differ from ours).
fn count_attribute(attributes: &[u8]) -> Option<Option<usize>> {
    const NAME: &[u8] = b"uniqueCount";
    let mut found = None;
    let mut rest = attributes;
    while let Some(i) = rest.windows(NAME.len()).position(|w| w == NAME) {
        rest = &rest[i + NAME.len()..];
        let value = rest
            .iter()
            .position(|b| *b == b'"' || *b == b'\'')
            .map(|q| &rest[q + 1..])
            .map(|v| {
                &v[..v
                    .iter()
                    .position(|b| *b == b'"' || *b == b'\'')
                    .unwrap_or(v.len())]
            });
        let n = value
            .filter(|v| !v.is_empty() && v.len() <= 12 && v.iter().all(u8::is_ascii_digit))
            .and_then(|v| std::str::from_utf8(v).ok()?.parse::<usize>().ok());
        found = Some(match (found, n) {
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some(usize::max(a, b)),
            (None, Some(b)) => Some(b),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::count_attribute;

    #[test]
    fn the_announced_count_is_read_as_calamine_would_and_doubt_refuses() {
        let count = |a: &str| count_attribute(a.as_bytes());
        assert_eq!(
            count(r#"xmlns="x" count="3" uniqueCount="2""#),
            Some(Some(2))
        );
        assert_eq!(count(r#"uniqueCount = '7'"#), Some(Some(7)));
        assert_eq!(count(r#"count="3""#), None);
        assert_eq!(count(r#"uniqueCount="+5""#), Some(None));
        assert_eq!(count(r#"uniqueCount="1e9""#), Some(None));
        assert_eq!(count(r#"uniqueCount="9999999999999""#), Some(None));
        assert_eq!(
            count(r#"uniqueCount="2" x:uniqueCount="900""#),
            Some(Some(900))
        );
    }
}
