//! Hostile files, built in memory as a test needs them (never committed): the seed plan
//! as a workbook, with a title padded to any length, any number of tiny rows after it,
//! a shared-strings count that lies, or a value in a far cell. Shared by the formats
//! and web tests and by `examples/import_memory.rs`.

#![allow(dead_code)]

use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

pub const SEED: &[u8] = include_bytes!("../../../../seed/plan-participacion-ciudadana-2025.txt");

/// The seed as a workbook, and how to spoil it.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    /// Characters added to the plan's title (cell B9, a shared string).
    pub title_padding: usize,
    /// Rows after the seed's, each one number in column A.
    pub extra_rows: usize,
    /// The `uniqueCount` the shared strings announce, instead of the true one.
    pub unique_count: Option<u64>,
    /// A number in this cell too (`XFD1048576`).
    pub far_cell: Option<&'static str>,
    /// Shared strings no cell uses, each empty (`<si/>`, the fewest bytes a string takes).
    pub extra_strings: usize,
    /// A styles part with this many cell formats, none used: empty (`<xf/>`), or using
    /// a font whose name has `font_name` characters.
    pub styles: usize,
    pub font_name: usize,
    /// Empty parts added to the package.
    pub extra_parts: usize,
}

/// The seed's title row and column (0-based), the cell the padding goes to.
pub const TITLE_CELL: (usize, usize) = (8, 1);

fn column_name(mut col: usize) -> String {
    let mut name = String::new();
    col += 1;
    while col > 0 {
        name.insert(0, (b'A' + ((col - 1) % 26) as u8) as char);
        col = (col - 1) / 26;
    }
    name
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Workbook {
    pub fn seed() -> Self {
        Workbook::default()
    }

    pub fn xlsx(&self) -> Vec<u8> {
        let text = String::from_utf8(SEED.to_vec()).unwrap();
        // Every non-empty cell of the seed is a shared string.
        let mut strings: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<(usize, usize)>> = Vec::new();
        for line in text.lines() {
            let mut cells = Vec::new();
            for (c, cell) in line.split('\t').enumerate() {
                if !cell.is_empty() {
                    cells.push((c, strings.len()));
                    strings.push(cell.to_string());
                }
            }
            rows.push(cells);
        }
        let title_index = rows[TITLE_CELL.0]
            .iter()
            .find(|(c, _)| *c == TITLE_CELL.1)
            .map(|(_, i)| *i)
            .expect("the seed has its title in B9");

        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let part = |zip: &mut ZipWriter<_>, name: &str, body: &str| {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        };
        part(
            &mut zip,
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        );
        part(
            &mut zip,
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        part(
            &mut zip,
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        part(
            &mut zip,
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        );

        // The sheet, streamed: millions of rows never sit in memory.
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut zip);
        w.write_all(
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        )
        .unwrap();
        for (r, cells) in rows.iter().enumerate() {
            let n = r + 1;
            write!(w, r#"<row r="{n}">"#).unwrap();
            for (c, i) in cells {
                write!(w, r#"<c r="{}{n}" t="s"><v>{i}</v></c>"#, column_name(*c)).unwrap();
            }
            w.write_all(b"</row>").unwrap();
        }
        // Rows without their reference (which the format allows) are all alike, so
        // millions of them zip to a few hundred KB, as in the review's file.
        for _ in 0..self.extra_rows {
            w.write_all(b"<row><c><v>1</v></c></row>").unwrap();
        }
        if let Some(cell) = self.far_cell {
            let row: String = cell.chars().filter(char::is_ascii_digit).collect();
            write!(w, r#"<row r="{row}"><c r="{cell}"><v>1</v></c></row>"#).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
        drop(w);

        // The shared strings, the title streamed in pieces.
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut zip);
        let count = self.unique_count.unwrap_or(strings.len() as u64);
        write!(
            w,
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{}" uniqueCount="{count}">"#,
            strings.len()
        )
        .unwrap();
        for (i, s) in strings.iter().enumerate() {
            write!(w, "<si><t xml:space=\"preserve\">").unwrap();
            if i == title_index && self.title_padding > 0 {
                // "Formulación Plan de Participación Ciudadana xxxx… 2025": the year stays last.
                let (head, year) = s.rsplit_once(' ').unwrap();
                write!(w, "{} ", escape(head)).unwrap();
                let chunk = [b'x'; 1 << 16];
                let mut left = self.title_padding;
                while left > 0 {
                    let n = left.min(chunk.len());
                    w.write_all(&chunk[..n]).unwrap();
                    left -= n;
                }
                write!(w, " {year}").unwrap();
            } else {
                w.write_all(escape(s).as_bytes()).unwrap();
            }
            w.write_all(b"</t></si>").unwrap();
        }
        for _ in 0..self.extra_strings {
            w.write_all(b"<si/>").unwrap();
        }
        w.write_all(b"</sst>").unwrap();
        drop(w);
        if self.styles > 0 {
            zip.start_file("xl/styles.xml", options).unwrap();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut zip);
            w.write_all(
                br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
            )
            .unwrap();
            let xf: &[u8] = if self.font_name > 0 {
                write!(
                    w,
                    r#"<fonts count="1"><font><name val="{}"/></font></fonts>"#,
                    "F".repeat(self.font_name)
                )
                .unwrap();
                br#"<xf fontId="0"/>"#
            } else {
                b"<xf/>"
            };
            w.write_all(b"<cellXfs>").unwrap();
            for _ in 0..self.styles {
                w.write_all(xf).unwrap();
            }
            w.write_all(b"</cellXfs></styleSheet>").unwrap();
            drop(w);
        }
        for i in 0..self.extra_parts {
            zip.start_file(format!("docProps/parte{i}.xml"), options)
                .unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}

/// The seed as text (46 lines) with `extra` lines appended (each `line`), from line 47.
pub fn seed_text_with(extra: usize, line: &str) -> Vec<u8> {
    let mut out = SEED.to_vec();
    out.reserve(extra * (line.len() + 1) + 1);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    for _ in 0..extra {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}
