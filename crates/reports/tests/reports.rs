//! The reports open in real readers: `pdftotext` (Debian's poppler-utils) for the PDFs,
//! calamine for the XLSX; the figures entered come back out, Spanish text intact.

use participa_reports::*;
use std::process::Command;

/// The text of a PDF as `pdftotext -layout` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    // To look at them: PARTICIPA_REPORTS_OUT=/tmp/informes cargo test -p participa-reports
    if let Ok(out) = std::env::var("PARTICIPA_REPORTS_OUT") {
        let name = format!("{}.pdf", pdf.len());
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(std::path::Path::new(&out).join(name), pdf).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("informe.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils; scripts/test.sh does)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn plan() -> PlanDocument {
    PlanDocument {
        entity: "Caja Honor".into(),
        title: "Plan de Participación Ciudadana 2025".into(),
        status: "Publicado · versión 2".into(),
        policy: "Participación ciudadana en la gestión pública".into(),
        strategic_objective: "5 Fortalecer la gestión".into(),
        office_objective: "5.5 Mejorar la relación con el ciudadano".into(),
        strategic_initiative: "5.5.1 Estrategia de participación".into(),
        objectives: vec!["Promover la participación de los afiliados".into()],
        legal: "Ley 1757 de 2015 artículos 2 y 50".into(),
        offices_text: "Oficina Asesora de Planeación (líder); Área de Comunicaciones (apoyo)"
            .into(),
        activities: (1..=60)
            .map(|n| ActivityLine {
                number: n,
                description: format!("Actividad número {n}: diálogo con afiliados y pensionados"),
                start: "5 feb 2025".into(),
                end: "28 nov 2025".into(),
                responsible: "ARCOM Área de Comunicaciones".into(),
                deliverable: "Informe de participación".into(),
            })
            .collect(),
        signatures: vec![
            SignatureLine {
                role: "Consolidó".into(),
                name: "Ana Pérez".into(),
                position: "Profesional de Planeación".into(),
                acta: String::new(),
            },
            SignatureLine {
                role: "Revisó".into(),
                name: "Jorge Núñez".into(),
                position: "Jefe de la Oficina Asesora de Planeación".into(),
                acta: String::new(),
            },
        ],
        version: Some("3 del 15 ene 2025".into()),
        generated: "27 nov 2026".into(),
    }
}

fn followup() -> FollowupReport {
    let by_office = vec![
        OfficeProgress {
            code: "ARCOM".into(),
            name: "Área de Comunicaciones".into(),
            expected: "79,2".into(),
            progress: "30".into(),
            expected_value: 79.2,
            progress_value: 30.0,
        },
        OfficeProgress {
            code: "OAPLA".into(),
            name: "Oficina Asesora de Planeación".into(),
            expected: "100".into(),
            progress: "0".into(),
            expected_value: 100.0,
            progress_value: 0.0,
        },
    ];
    FollowupReport {
        entity: "Caja Honor".into(),
        title: "Plan de Participación Ciudadana 2025".into(),
        period_name: "Cuatrimestre 2 (corte 31 ago 2025)".into(),
        cut_off: "31 ago 2025".into(),
        as_of: "30 sep 2025".into(),
        closed: "Sí, por Olga Control Interno".into(),
        plan_expected: "84,5".into(),
        plan_progress: "2".into(),
        values: participa_reports::ReportValues {
            cut_off: chrono::NaiveDate::from_ymd_opt(2025, 8, 31),
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 9, 30),
            plan_expected: Some(84.5),
            plan_progress: Some(2.0),
        },
        counts: vec![
            StatusCount {
                label: "Atrasada".into(),
                count: 10,
            },
            StatusCount {
                label: "Vencida".into(),
                count: 5,
            },
        ],
        chart_svg: office_chart(&by_office),
        by_office,
        rows: vec![FollowupRow {
            number: 13,
            description: "Generar estrategias de participación por redes sociales".into(),
            offices: "ARCOM".into(),
            start: "5 feb 2025".into(),
            end: "28 nov 2025".into(),
            expected: "79,2 %".into(),
            reported: "45 %".into(),
            verified: "30 %".into(),
            status: "Atrasada".into(),
            narrative: "TikTok live con afiliados; enlace publicado".into(),
            difficulties: "Baja conexión en regiones".into(),
            figures: vec!["Interacciones: 1.234 interacciones".into()],
            evidence: vec![EvidenceLine {
                name: "transmisión.pdf".into(),
                sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            }],
            sufficiency: "Parcial".into(),
            observations: "Falta la lista de asistencia".into(),
            recommendations: "Publicar la relatoría".into(),
            history: vec![],
            values: participa_reports::RowValues {
                start: chrono::NaiveDate::from_ymd_opt(2025, 2, 5),
                end: chrono::NaiveDate::from_ymd_opt(2025, 11, 28),
                expected: Some(79.2),
                reported: Some(45.0),
                verified: Some(30.0),
            },
        }],
        generated: "27 nov 2026".into(),
    }
}

#[test]
fn the_plan_pdf_has_header_activities_on_several_pages_and_signatures() {
    let pdf = plan_pdf(&plan()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for expected in [
        "Plan de Participación Ciudadana 2025",
        "Ley 1757 de 2015",
        "Actividad número 60: diálogo con afiliados y pensionados",
        "Jefe de la Oficina Asesora de Planeación",
        "Versión del documento: 3 del 15 ene 2025",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    // Sixty rows do not fit on one page: the header repeats on the next.
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert!(pages >= 2, "{pages} page(s)");
    assert!(
        text.matches("Producto o entregable").count() >= 2,
        "table header not repeated"
    );
}

#[test]
fn the_follow_up_pdf_and_xlsx_carry_the_figures_entered() {
    let report = followup();
    let text = pdf_text(&followup_pdf(&report).unwrap());
    for expected in [
        "Informe de seguimiento",
        "Cuatrimestre 2 (corte 31 ago 2025)",
        "79,2 %",
        "45 %",
        "30 %",
        "Atrasada",
        "TikTok live con afiliados",
        "Interacciones: 1.234 interacciones",
        "transmisión.pdf",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "Falta la lista de asistencia",
        "Área de Comunicaciones",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    use calamine::{Reader, Xlsx};
    let bytes = followup_xlsx(&report).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Seguimiento").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    for expected in ["Atrasada", "Falta la lista de asistencia", "Parcial"] {
        assert!(cells.iter().any(|c| c == expected), "missing {expected}");
    }
    assert!(cells
        .iter()
        .any(|c| c.contains("9f86d081884c7d659a2feaa0c55ad015")));
    // Numbers, percentages and dates are typed cells, never text.
    use calamine::{Data, DataType};
    let header = (0..sheet.height() as u32)
        .find(|r| sheet.get_value((*r, 0)) == Some(&Data::String("N.º".into())))
        .unwrap();
    let at = |r: u32, c: u32| sheet.get_value((r, c)).unwrap().clone();
    let row = header + 1;
    assert_eq!(at(row, 0), Data::Float(13.0));
    match at(row, 3) {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().unwrap().date(),
            chrono::NaiveDate::from_ymd_opt(2025, 2, 5).unwrap()
        ),
        other => panic!("start date as {other:?}"),
    }
    assert!(matches!(at(row, 4), Data::DateTime(_)));
    for (col, value) in [(5, 0.792), (6, 0.45), (7, 0.30)] {
        let got = at(row, col).as_f64().unwrap_or(f64::NAN);
        assert!(
            (got - value).abs() < 1e-9,
            "column {col}: {:?}",
            at(row, col)
        );
    }
    assert!(
        matches!(at(3, 1), Data::DateTime(_)),
        "cut-off {:?}",
        at(3, 1)
    );
    assert!((at(6, 1).as_f64().unwrap() - 0.845).abs() < 1e-9);
    let offices = book.worksheet_range("Por dependencia").unwrap();
    assert_eq!(offices.get_value((1, 0)).unwrap().to_string(), "ARCOM");
    assert_eq!(offices.get_value((1, 3)), Some(&Data::Float(0.3)));
    // Formatted as Colombia reads them: dd/mm/yyyy and a percent.
    let styles = xlsx_part(&followup_xlsx(&report).unwrap(), "xl/styles.xml");
    assert!(styles.contains("formatCode=\"dd/mm/yyyy\""), "{styles}");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
}

/// The text of one part of an XLSX package.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = zip.by_name(name).unwrap();
    let mut s = String::new();
    part.read_to_string(&mut s).unwrap();
    s
}
