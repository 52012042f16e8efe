//! How much of a file an import reads before it refuses the file.
//!
//! A plan is imported from the entity's own document, and a document is outside input: a
//! few hundred kilobytes of XLSX can unzip to gigabytes, and a grid of millions of rows
//! would be read, checked and listed as millions of errors. Every reader stops at the
//! first limit it passes, with one error that names the place, and imports nothing.
//!
//! The values are far above any real plan (15–200 activities, a header of a dozen rows,
//! a few signatures: under 300 rows, 5–15 columns, cells of a few hundred characters,
//! well under 1 MB of text) and far below what would strain the server: an import holds
//! at most `rows × columns` cells and `text_bytes` of their text, plus what calamine
//! makes of an XLSX's parts, which `part_bytes` and `styles` bound (the costliest
//! workbook these limits accept, 8 MB of empty shared strings, peaks at 43 MiB; see
//! `bench/import_memory.sh`).

/// The bounds of one import. [`Limits::STANDARD`] is what the web and the CLI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The file as received. Equal to the web's upload limit, so the CLI accepts what
    /// the web accepts.
    pub file_bytes: usize,
    /// Rows of the sheet, or lines of a text file, that may hold a value: 25 times the
    /// largest real plan, with room for long multi-line cells in a text file.
    pub rows: usize,
    /// Columns that may hold a value: the layout has 5, plus 10 tag columns when tagged;
    /// 60 leaves room for notes and helper columns, which the reader ignores.
    pub columns: usize,
    /// Characters of one cell: activity descriptions and the legal framework run to a
    /// few hundred, rarely a couple of thousand; 10 000 is about four printed pages
    /// (a spreadsheet cell holds at most 32 767).
    pub cell_chars: usize,
    /// Bytes of text of all cells together: 4 MiB is about twenty times a long plan of
    /// 200 activities.
    pub text_bytes: usize,
    /// Entries of an XLSX package: a workbook has a dozen or two.
    pub zip_entries: usize,
    /// Unzipped bytes of a worksheet (`…/worksheets/…`), which is read as a stream: a
    /// 200-row sheet is about 150 KB of XML, so 16 MiB is a hundred times that.
    pub sheet_bytes: u64,
    /// Unzipped bytes of any other part. Calamine reads the shared strings, the styles,
    /// the workbook and the relationships whole, at up to about five times their size in
    /// memory (3.3 million empty strings in 16 MB cost 81 MB, 1.6 million in 8 MB 43 MB);
    /// a plan's shared strings are a few hundred KB.
    pub part_bytes: u64,
    /// Unzipped bytes of the whole package.
    pub unzipped_bytes: u64,
    /// Records of the styles part (cell formats, fonts, fills, borders, number formats):
    /// calamine builds about 150 bytes for each and copies a font's name and a number
    /// format's code into every cell format that uses them (so those are held to
    /// [`STYLE_TEXT_BYTES`]). Excel itself allows 64 000 cell formats; a plan's
    /// workbook has a few dozen, a workbook copied for years a few thousand.
    pub styles: usize,
}

/// Bytes of an element of the styles part whose text calamine copies into each cell
/// format (a font's `name`, a `numFmt`): names and codes are a few dozen characters.
pub const STYLE_TEXT_BYTES: usize = 512;

impl Limits {
    pub const STANDARD: Limits = Limits {
        file_bytes: 10 * 1024 * 1024,
        rows: 5_000,
        columns: 60,
        cell_chars: 10_000,
        text_bytes: 4 * 1024 * 1024,
        zip_entries: 1_000,
        sheet_bytes: 16 * 1024 * 1024,
        part_bytes: 8 * 1024 * 1024,
        unzipped_bytes: 64 * 1024 * 1024,
        styles: 50_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::STANDARD
    }
}

/// The messages of a file past a limit, shared by the text and spreadsheet readers;
/// `unit` is how the reader counts rows (`línea`, `fila`).
pub(crate) fn past_rows(limits: &Limits, unit: &str) -> String {
    format!(
        "hay datos más allá de la {unit} {}, la última que se lee; un plan ocupa unos cientos: revise que el archivo tenga solo el plan",
        grouped(limits.rows as u64)
    )
}

pub(crate) fn past_columns(limits: &Limits) -> String {
    format!(
        "hay datos más allá de la columna {}, la última que se lee; el plan usa 5 columnas (15 con las etiquetas)",
        grouped(limits.columns as u64)
    )
}

pub(crate) fn long_cell(limits: &Limits) -> String {
    format!(
        "la celda pasa de {} caracteres, el máximo por celda; revise si se pegó en ella un texto de más",
        grouped(limits.cell_chars as u64)
    )
}

pub(crate) fn much_text(limits: &Limits) -> String {
    format!(
        "el texto del archivo pasa de {}, el máximo que se lee; un plan ocupa unos cientos de KB",
        size(limits.text_bytes as u64)
    )
}

/// A size in bytes as people read it: `16 MB`, `532 KB`, `900 bytes` (1 MB = 1 MiB here,
/// as file managers show it).
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MIB => format!("{} MB", grouped(b.div_ceil(MIB))),
        b if b >= KIB => format!("{} KB", b.div_ceil(KIB)),
        b => format!("{b} bytes"),
    }
}

/// A whole number with its thousands set apart by a no-break space: `2 345`, `150 000`.
pub fn grouped(n: u64) -> String {
    participa_domain::numbers::grouped(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sizes_read_as_in_spanish() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(2_345), "2\u{a0}345");
        assert_eq!(grouped(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(size(900), "900 bytes");
        assert_eq!(size(467 * 1024), "467 KB");
        assert_eq!(size(16 * 1024 * 1024), "16 MB");
        assert_eq!(size(150_000_001), "144 MB");
    }
}
