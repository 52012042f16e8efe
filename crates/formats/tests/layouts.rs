//! Activity tables as entities really write them: besides the seed's, a table with
//! goal, indicator and budget columns and dates in numbers; one numbered by component
//! with a single «fecha programada»; one with dates in words and ranges and tagging
//! columns; and a workbook with merged cells. Written after the action plans Colombian
//! municipalities and agencies publish (the header block is the seed's, for another
//! entity).

use chrono::NaiveDate;
use participa_domain::tagging::{CyclePhase, MurcStage};
use participa_domain::Plan;
use participa_formats::{import_plan, ImportErrors, ReadOptions};
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn read(name: &str, bytes: &[u8]) -> Result<Plan, ImportErrors> {
    import_plan(name, bytes, &ReadOptions::default())
}

fn layout(name: &str) -> Plan {
    let path = format!("{}/tests/layouts/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    read(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn codes(plan: &Plan, i: usize) -> Vec<&str> {
    plan.activities[i]
        .responsible
        .iter()
        .map(|c| c.as_str())
        .collect()
}

#[test]
fn a_table_with_goal_indicator_and_budget_and_dates_in_numbers() {
    let plan = layout("meta-indicador.tsv");
    assert_eq!(plan.entity, "Alcaldía de Tunja");
    assert_eq!(plan.activities.len(), 4);
    let a = &plan.activities[1];
    assert_eq!(a.number.get(), 2);
    assert_eq!(
        a.description,
        "Realizar la audiencia pública de rendición de cuentas"
    );
    assert_eq!((a.start, a.end), (date(2026, 4, 1), date(2026, 6, 30)));
    assert_eq!(codes(&plan, 1), ["SEPLA", "OFCOM"]);
    assert_eq!(
        a.responsible_text,
        "Secretaría de Planeación y Oficina de Comunicaciones"
    );
    assert_eq!(a.details.goal, "1 audiencia");
    assert_eq!(a.details.indicator, "Audiencias realizadas");
    // The column Participa has no field for is kept with its title.
    assert_eq!(
        a.details.extra,
        [("Presupuesto".to_string(), "$15.000.000".to_string())]
    );
    // Plain dates and plain numbers leave nothing more to keep.
    assert!(a.details.schedule.is_empty() && a.details.label.is_empty());
    // «01/02/2026» is the first of February, as Colombia writes dates.
    assert_eq!(plan.activities[0].start, date(2026, 2, 1));
    // Offices by their short names, separated by a comma.
    assert_eq!(codes(&plan, 3), ["SEGOB", "SEPLA"]);
    assert!(plan.activities[3].details.extra.is_empty());
}

#[test]
fn a_table_numbered_by_component_with_one_date_column() {
    let plan = layout("componentes-fecha-programada.tsv");
    let numbers: Vec<u32> = plan.activities.iter().map(|a| a.number.get()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    let labels: Vec<&str> = plan
        .activities
        .iter()
        .map(|a| a.details.label.as_str())
        .collect();
    assert_eq!(labels, ["1.1", "1.2", "2.1", "2.2", "3.1"]);
    let components: Vec<&str> = plan
        .activities
        .iter()
        .map(|a| a.details.component.as_str())
        .collect();
    assert_eq!(
        components,
        [
            "Información",
            "Información",
            "Diálogo",
            "Diálogo",
            "Responsabilidad"
        ]
    );
    let spans: Vec<(NaiveDate, NaiveDate, &str)> = plan
        .activities
        .iter()
        .map(|a| (a.start, a.end, a.details.schedule.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            (date(2026, 4, 1), date(2026, 4, 30), "abril de 2026"),
            (date(2026, 5, 15), date(2026, 5, 15), ""),
            (
                date(2026, 1, 1),
                date(2026, 6, 30),
                "primer semestre de 2026"
            ),
            (
                date(2026, 6, 19),
                date(2026, 6, 20),
                "19 y 20 de junio de 2026"
            ),
            (date(2026, 1, 1), date(2026, 12, 31), "durante la vigencia"),
        ]
    );
    // «Meta o producto» is the deliverable.
    assert_eq!(plan.activities[0].deliverable, "Informe publicado");
    assert_eq!(codes(&plan, 3), ["SEPLA", "OFCOM"]);
}

#[test]
fn a_table_with_dates_in_words_ranges_and_tagging_columns() {
    let plan = layout("fechas-en-palabras.tsv");
    let a = &plan.activities[0];
    // The start of «15 abril de 2026» and the end of «22 al 28 de abril de 2026».
    assert_eq!((a.start, a.end), (date(2026, 4, 15), date(2026, 4, 28)));
    assert_eq!(
        a.details.schedule,
        "15 abril de 2026 – 22 al 28 de abril de 2026"
    );
    assert_eq!(a.tags.phases, [CyclePhase::Diagnosis]);
    assert_eq!(a.tags.murc_stages, [MurcStage::Preparation]);
    assert_eq!(a.tags.value_groups.len(), 1);
    let b = &plan.activities[1];
    assert_eq!((b.start, b.end), (date(2026, 5, 1), date(2026, 6, 30)));
    let c = &plan.activities[2];
    assert_eq!((c.start, c.end), (date(2026, 1, 1), date(2026, 12, 31)));
    assert_eq!(codes(&plan, 2), ["SEGOB", "OFCOM"]);
    assert_eq!(plan.activities[3].tags.murc_stages, [MurcStage::FollowUp]);
}

/// The component layout as a planning office lays it out in a workbook: the title merged
/// across the table, each header value merged over the columns after its label, typed
/// date cells, and each component merged down over its activities.
fn merged_workbook() -> Vec<u8> {
    let path = format!(
        "{}/tests/layouts/componentes-fecha-programada.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    let day = Format::new().set_num_format("d \"de\" mmmm \"de\" yyyy");
    let mut last_component: Option<(u32, String)> = None;
    for (r, line) in text.lines().enumerate() {
        let r = r as u32;
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() == 1 && !cells[0].is_empty() && r == 0 {
            sheet.merge_range(r, 0, r, 5, cells[0], &plain).unwrap();
            continue;
        }
        if cells.len() == 2 {
            sheet.write_string(r, 0, cells[0]).unwrap();
            sheet.merge_range(r, 1, r, 5, cells[1], &plain).unwrap();
            continue;
        }
        let is_activity = cells.len() == 6 && cells[1].contains('.');
        for (c, cell) in cells.iter().enumerate() {
            if is_activity && c == 0 {
                continue;
            }
            if is_activity && c == 3 && *cell == "15 de mayo de 2026" {
                sheet
                    .write_date_with_format(r, 3, date(2026, 5, 15), &day)
                    .unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c as u16, *cell).unwrap();
            }
        }
        if is_activity {
            match &last_component {
                Some((_, name)) if name == cells[0] => {}
                _ => {
                    if let Some((from, name)) = last_component.take() {
                        write_component(sheet, from, r - 1, &name);
                    }
                    last_component = Some((r, cells[0].to_string()));
                }
            }
        } else if let Some((from, name)) = last_component.take() {
            write_component(sheet, from, r - 1, &name);
        }
    }
    book.save_to_buffer().unwrap()
}

fn write_component(sheet: &mut rust_xlsxwriter::Worksheet, from: u32, to: u32, name: &str) {
    if from == to {
        sheet.write_string(from, 0, name).unwrap();
    } else {
        sheet
            .merge_range(from, 0, to, 0, name, &Format::new())
            .unwrap();
    }
}

#[test]
fn a_workbook_with_merged_cells_reads_as_its_text() {
    let from_xlsx = read("plan.xlsx", &merged_workbook()).unwrap_or_else(|e| panic!("{e}"));
    let from_tsv = layout("componentes-fecha-programada.tsv");
    let strip = |p: &Plan| -> Vec<_> {
        p.activities
            .iter()
            .map(|a| {
                (
                    a.number,
                    a.description.clone(),
                    a.start,
                    a.end,
                    a.responsible.clone(),
                    a.details.component.clone(),
                    a.details.label.clone(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&from_xlsx), strip(&from_tsv));
    // The typed date cell is a plain date: nothing «as written» to keep.
    assert_eq!(from_xlsx.activities[1].details.schedule, "");
}

#[test]
fn an_unreadable_date_fails_the_whole_file_naming_line_column_and_text() {
    let path = format!(
        "{}/tests/layouts/componentes-fecha-programada.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("primer semestre de 2026", "cuando haya recursos")
        .replace("19 y 20 de junio de 2026", "31 de junio de 2026");
    let e = read("plan.tsv", text.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("«cuando haya recursos» no se reconoce"), "{e}");
    assert!(e.contains("Fecha programada"), "{e}");
    assert!(
        e.contains("línea 15: Fecha programada: «cuando haya recursos»"),
        "{e}"
    );
    assert!(
        e.contains("«31 de junio de 2026» nombra un día que el mes no tiene"),
        "{e}"
    );
    assert!(
        e.contains("línea 16: Fecha programada: «31 de junio"),
        "{e}"
    );
    assert!(e.contains("2 errores"), "{e}");
}

#[test]
fn an_office_the_header_does_not_name_is_an_error_that_lists_them() {
    let path = format!(
        "{}/tests/layouts/meta-indicador.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("Gobierno, Planeación", "Gobierno, Hacienda");
    let e = read("plan.tsv", text.as_bytes()).unwrap_err().to_string();
    assert!(
        e.contains("no se reconoce la dependencia «hacienda»"),
        "{e}"
    );
    assert!(e.contains("Secretaría de Gobierno (SEGOB)"), "{e}");
}

/// The four fields a table needs beyond the activity, each with the names entities use.
const TITLES: [(&str, &[&str]); 5] = [
    (
        "activity",
        &[
            "Actividad",
            "Actividades",
            "ACCIONES",
            "Descripción de la actividad",
        ],
    ),
    (
        "start",
        &["Fecha inicial", "Fecha de inicio", "FECHA INICIO", "Inicio"],
    ),
    (
        "end",
        &[
            "Fecha final",
            "Fecha de término",
            "Fecha fin",
            "Fecha de finalización",
        ],
    ),
    (
        "who",
        &[
            "Responsable",
            "Dependencia responsable",
            "Área responsable",
            "Líder",
        ],
    ),
    (
        "what",
        &[
            "Producto o entregable",
            "Entregable",
            "Producto",
            "Evidencia",
        ],
    ),
];

fn header_block() -> String {
    let path = format!(
        "{}/tests/layouts/meta-indicador.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .take_while(|l| !l.starts_with("No."))
        .map(|l| format!("{l}\n"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any order of the columns, any of their usual names, an unknown column anywhere:
    /// the same activities come out, and the unknown column's values are kept.
    #[test]
    fn any_column_order_and_synonyms_read_the_same_activities(
        order in Just(vec![0usize, 1, 2, 3, 4, 5]).prop_shuffle(),
        names in proptest::collection::vec(0usize..4, 5),
        days in proptest::collection::vec((1u32..=12, 1u32..=28, 0u32..30), 1..6),
    ) {
        let offices = ["Secretaría de Planeación", "Oficina de Comunicaciones", "Secretaría de Gobierno"];
        let codes = ["SEPLA", "OFCOM", "SEGOB"];
        let title = |field: usize| if field == 5 { "Observaciones".to_string() } else { TITLES[field].1[names[field]].to_string() };
        let mut text = header_block();
        text.push_str(&order.iter().map(|f| title(*f)).collect::<Vec<_>>().join("\t"));
        text.push('\n');
        let mut expected = Vec::new();
        for (i, (month, day, length)) in days.iter().enumerate() {
            let start = date(2026, *month, *day);
            let end = start + chrono::Duration::days(i64::from(*length));
            let end = end.min(date(2026, 12, 31));
            let values = [
                format!("{}. Actividad número {}", i + 1, i + 1),
                start.format("%d/%m/%Y").to_string(),
                end.format("%d/%m/%Y").to_string(),
                offices[i % 3].to_string(),
                format!("Entregable {}", i + 1),
                format!("nota {i}"),
            ];
            text.push_str(&order.iter().map(|f| values[*f].clone()).collect::<Vec<_>>().join("\t"));
            text.push('\n');
            expected.push((i as u32 + 1, start, end, codes[i % 3], format!("nota {i}")));
        }
        let plan = read("plan.tsv", text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<_> = plan.activities.iter().map(|a| (
            a.number.get(),
            a.start,
            a.end,
            a.responsible[0].as_str(),
            a.details.extra.first().map(|(_, v)| v.clone()).unwrap_or_default(),
        )).collect();
        let want: Vec<_> = expected.iter().map(|(n, s, e, c, x)| (*n, *s, *e, *c, x.clone())).collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn what_an_import_kept_is_exported_and_reads_back_the_same() {
    use participa_formats::{export_plan, ExportFormat};
    for name in [
        "meta-indicador.tsv",
        "componentes-fecha-programada.tsv",
        "fechas-en-palabras.tsv",
    ] {
        let plan = layout(name);
        // The open-data JSON carries them too.
        let json: participa_formats::json::PlanJson =
            serde_json::from_slice(&export_plan(&plan, ExportFormat::Json)).unwrap();
        assert_eq!(
            json.into_plan().unwrap().activities,
            plan.activities,
            "{name} as json"
        );
        for format in [ExportFormat::Tsv, ExportFormat::Xlsx] {
            let bytes = export_plan(&plan, format);
            let back = read(&format!("plan.{format}"), &bytes)
                .unwrap_or_else(|e| panic!("{name} as {format}: {e}"));
            assert_eq!(back.activities, plan.activities, "{name} as {format}");
        }
    }
}

#[test]
fn the_empty_template_is_read_as_a_plan_to_fill_in() {
    use participa_domain::{Office, OfficeCode, OfficeRole};
    use participa_formats::table_columns::Meaning;
    use participa_formats::template::{template_xlsx, TemplateData};
    let offices = vec![
        Office {
            code: OfficeCode::parse("SEPLA").unwrap(),
            name: "Secretaría de Planeación".into(),
            role: OfficeRole::Leader,
        },
        Office {
            code: OfficeCode::parse("OFCOM").unwrap(),
            name: "Oficina de Comunicaciones".into(),
            role: OfficeRole::Support,
        },
    ];
    let groups = vec!["Afiliados".to_string(), "Veedurías ciudadanas".to_string()];
    let bytes = template_xlsx(&TemplateData {
        entity: "Alcaldía de Tunja",
        year: 2026,
        offices: &offices,
        group_names: &groups,
        today: date(2026, 1, 15),
    })
    .unwrap();
    // The table is found, each column with its field.
    let (columns, found) =
        participa_formats::detect_columns("plantilla.xlsx", &bytes, &ReadOptions::default())
            .unwrap();
    assert!(found);
    let meanings: Vec<Option<Meaning>> = columns.iter().map(|c| c.meaning).collect();
    assert_eq!(
        meanings[..6],
        [
            Some(Meaning::Number),
            Some(Meaning::Activity),
            Some(Meaning::Start),
            Some(Meaning::End),
            Some(Meaning::Responsible),
            Some(Meaning::Deliverable),
        ]
    );
    assert!(columns.iter().all(|c| c.meaning.is_some()), "{columns:?}");
    // Empty, it is refused only for what is still to fill in: no row is unrecognised.
    let e = read("plantilla.xlsx", &bytes).unwrap_err().to_string();
    assert!(!e.contains("fila no reconocida"), "{e}");
    assert!(
        e.contains("Objetivo estratégico: falta el valor junto al título de la fila"),
        "{e}"
    );
    // Date cells and the drop-down lists are in the workbook.
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("type=\"date\""), "date validation");
    assert!(sheet.contains("Listas!$A$2:$A$3"), "offices list");
    assert!(sheet.contains("Listas!$B$2:$B$3"), "groups list");
    let lists = zip_part(&bytes, "xl/sharedStrings.xml");
    assert!(lists.contains("SEPLA Secretaría de Planeación"));
    assert!(lists.contains("Seguimiento y evaluación"));
}

/// A part of an XLSX package, as text.
fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = zip.by_name(name).unwrap();
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_entitys_own_identifier_is_kept_and_given_back() {
    use participa_formats::{export_plan, ExportFormat};
    let path = format!(
        "{}/tests/layouts/meta-indicador.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (i, line) in lines.iter_mut().enumerate() {
        if line.starts_with("No.\t") {
            *line = line.replace("\tPresupuesto", "\tCódigo de la actividad");
        } else if line.chars().next().is_some_and(|c| c.is_ascii_digit()) && line.contains('\t') {
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() == 9 {
                *line = format!("{}\tTUN-{i}", cells[..8].join("\t"));
            }
        }
    }
    let plan = read("plan.tsv", lines.join("\n").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = plan
        .activities
        .iter()
        .map(|a| a.details.external_id.as_str())
        .collect();
    assert!(ids.iter().all(|i| i.starts_with("TUN-")), "{ids:?}");
    assert!(plan.activities.iter().all(|a| a.details.extra.is_empty()));
    let back = read("plan.tsv", &export_plan(&plan, ExportFormat::Tsv)).unwrap();
    assert_eq!(back.activities, plan.activities);
}
