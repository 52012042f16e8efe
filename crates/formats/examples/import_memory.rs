//! Peak memory of importing the review's bombs (issue 13, item 6).
//!
//! `import_memory write DIR` writes them: `titulo.xlsx` (the seed with a title of 150 MB,
//! one shared string), `filas.xlsx` (the seed and 3 million tiny rows) and `malo.txt`
//! (the seed and 4 000 stray lines); and the worst that passes the package checks:
//! `filas-15mb.xlsx` (600 000 tiny rows, a sheet just under the 16 MB a part may unzip
//! to, so it is read as a stream until the row limit) and `textos-8mb.xlsx` (1.6 million
//! unused empty shared strings, which calamine holds in memory, and a plan). Also
//! `estilos.xlsx` (1.6 million empty cell formats in 8 MB of styles) and `fuentes.xlsx`
//! (a font name of 5 000 characters, used by 200 000 cell formats: calamine copies it
//! into each), `cuenta.xlsx` (shared strings that announce four trillion) and
//! `lejos.xlsx` (one value in the last cell of a sheet, XFD1048576). `import_memory import FILE` imports one in this
//! process and prints the outcome, the size of the error report, the time taken and the
//! peak resident memory (`VmHWM`). One process per file, so each peak is its own.
//! `bench/import_memory.sh` runs it for this tree and a baseline commit.

#[path = "../tests/bombs/mod.rs"]
mod bombs;

#[path = "../../../bench/peak_memory.rs"]
mod peak_memory;

use participa_formats::{import_plan, ReadOptions};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", dir] => {
            let dir = std::path::Path::new(dir);
            std::fs::create_dir_all(dir).unwrap();
            let title = bombs::Workbook {
                title_padding: 150_000_000,
                ..bombs::Workbook::seed()
            };
            let rows = bombs::Workbook {
                extra_rows: 3_000_000,
                ..bombs::Workbook::seed()
            };
            let streamed = bombs::Workbook {
                extra_rows: 600_000,
                ..bombs::Workbook::seed()
            };
            let strings = bombs::Workbook {
                extra_strings: 1_600_000,
                unique_count: Some(1),
                ..bombs::Workbook::seed()
            };
            let styles = bombs::Workbook {
                styles: 1_600_000,
                ..bombs::Workbook::seed()
            };
            let fonts = bombs::Workbook {
                styles: 200_000,
                font_name: 5_000,
                ..bombs::Workbook::seed()
            };
            let count = bombs::Workbook {
                unique_count: Some(4_000_000_000_000),
                ..bombs::Workbook::seed()
            };
            let far = bombs::Workbook {
                far_cell: Some("XFD1048576"),
                ..bombs::Workbook::seed()
            };
            for (name, bytes) in [
                ("cuenta.xlsx", count.xlsx()),
                ("lejos.xlsx", far.xlsx()),
                ("estilos.xlsx", styles.xlsx()),
                ("fuentes.xlsx", fonts.xlsx()),
                ("titulo.xlsx", title.xlsx()),
                ("filas.xlsx", rows.xlsx()),
                ("filas-15mb.xlsx", streamed.xlsx()),
                ("textos-8mb.xlsx", strings.xlsx()),
                ("malo.txt", bombs::seed_text_with(4_000, "dato\tsuelto")),
            ] {
                std::fs::write(dir.join(name), &bytes).unwrap();
                println!("{name}: {} bytes", bytes.len());
            }
        }
        ["import", file] => {
            let bytes = std::fs::read(file).unwrap();
            let name = std::path::Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let start = Instant::now();
            let outcome = match import_plan(&name, &bytes, &ReadOptions::default()) {
                Ok(plan) => format!(
                    "imported: title of {} bytes, {} activities",
                    plan.title.len(),
                    plan.activities.len()
                ),
                Err(e) => {
                    let report = e.to_string();
                    format!(
                        "refused: {} errors listed, report of {} bytes: {}",
                        e.errors.len(),
                        report.len(),
                        e.errors
                            .first()
                            .map(|e| e.to_string().chars().take(100).collect::<String>())
                            .unwrap_or_default()
                    )
                }
            };
            let elapsed = start.elapsed();
            println!(
                "{name}\t{:.0} MiB\t{:.2} s\t{outcome}",
                peak_memory::peak_rss_kib("self") as f64 / 1024.0,
                elapsed.as_secs_f64()
            );
        }
        _ => {
            eprintln!("usage: import_memory write DIR | import_memory import FILE");
            std::process::exit(2);
        }
    }
}
