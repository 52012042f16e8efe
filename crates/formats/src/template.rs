//! An empty plan to fill in: a workbook with the plan's header rows, the activities
//! table with the recommended columns (date cells, drop-down lists of the entity's
//! offices, its groups of value, the cycle phases and the MURC stages) and the
//! signature and version lines, laid out as the importer reads it.

use crate::labels::HeaderLabel;
use chrono::NaiveDate;
use participa_domain::tagging::{CyclePhase, MurcStage, Tag};
use participa_domain::{offices_sentence, Office};
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Formula, Workbook,
    XlsxError,
};

/// How many empty activity rows the template offers.
pub const ROWS: u32 = 100;

/// The table's columns: title, width.
const COLUMNS: [(&str, f64); 12] = [
    ("No.", 6.0),
    ("Actividades", 45.0),
    ("Fecha inicial", 13.0),
    ("Fecha Final", 13.0),
    ("Responsable", 30.0),
    ("Producto o entregable", 30.0),
    ("Meta", 16.0),
    ("Indicador", 24.0),
    ("Componente", 18.0),
    ("Grupos de valor", 24.0),
    ("Fases del ciclo", 20.0),
    ("Etapas MURC", 20.0),
];

/// What the template knows of the entity.
pub struct TemplateData<'a> {
    pub entity: &'a str,
    pub year: i32,
    /// The offices of its latest plan (none: the responsible column is free text).
    pub offices: &'a [Office],
    /// Its groups of value, by name, for the drop-down.
    pub group_names: &'a [String],
    pub today: NaiveDate,
}

/// The template as an XLSX file.
pub fn template_xlsx(data: &TemplateData<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // The lists the drop-downs offer, on a sheet of their own.
    let offices: Vec<String> = data
        .offices
        .iter()
        .map(|o| format!("{} {}", o.code, o.name))
        .collect();
    let phases: Vec<&str> = CyclePhase::ALL.iter().map(|p| p.label()).collect();
    let stages: Vec<&str> = MurcStage::ALL.iter().map(|s| s.label()).collect();
    let lists: [(&str, Vec<&str>); 4] = [
        ("Dependencias", offices.iter().map(String::as_str).collect()),
        (
            "Grupos de valor",
            data.group_names.iter().map(String::as_str).collect(),
        ),
        ("Fases del ciclo", phases),
        ("Etapas MURC", stages),
    ];

    let sheet = book.add_worksheet();
    sheet.set_name("Plan")?;
    let title = Format::new().set_bold().set_font_size(14);
    let label = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let value = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#D9D9D9")
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let date = Format::new()
        .set_num_format("d-mmm-yy")
        .set_border(FormatBorder::Thin);
    for (c, (_, width)) in COLUMNS.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    let last = (COLUMNS.len() - 1) as u16;
    let heading = format!("Formulación Plan de Participación Ciudadana {}", data.year);
    sheet.merge_range(0, 0, 0, last, &heading, &title)?;
    let policy = "Política de participación ciudadana en la gestión pública".to_string();
    let offices_text = if data.offices.is_empty() {
        String::new()
    } else {
        offices_sentence(data.offices)
    };
    let header_rows: [(HeaderLabel, String); 10] = [
        (HeaderLabel::Formulation, heading.clone()),
        (HeaderLabel::Entity, data.entity.to_string()),
        (HeaderLabel::Year, data.year.to_string()),
        (HeaderLabel::Policy, policy),
        (HeaderLabel::StrategicObjective, String::new()),
        (HeaderLabel::OfficeObjective, String::new()),
        (HeaderLabel::StrategicInitiative, String::new()),
        (HeaderLabel::Objectives, String::new()),
        (HeaderLabel::LegalFramework, String::new()),
        (HeaderLabel::Offices, offices_text),
    ];
    let mut r = 3u32;
    for (l, v) in &header_rows {
        sheet.write_string_with_format(r, 0, l.text(), &label)?;
        sheet.merge_range(r, 1, r, last, v, &value)?;
        r += 1;
    }
    r += 1;
    let table = r;
    for (c, (t, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(table, c as u16, *t, &header)?;
    }
    let (first, last_row) = (table + 1, table + ROWS);
    for row in first..=last_row {
        for c in 0..COLUMNS.len() as u16 {
            let f = if c == 2 || c == 3 { &date } else { &cell };
            sheet.write_blank(row, c, f)?;
        }
    }
    sheet.set_freeze_panes(first, 0)?;
    // Dates within the vigencia and the year around it.
    let (from, to) = (
        NaiveDate::from_ymd_opt(data.year - 1, 1, 1).unwrap_or(data.today),
        NaiveDate::from_ymd_opt(data.year + 1, 12, 31).unwrap_or(data.today),
    );
    let dates = DataValidation::new()
        .allow_date(DataValidationRule::Between(from, to))
        .set_error_title("Fecha")?
        .set_error_message(format!(
            "Escriba una fecha entre {} y {}.",
            from.format("%d/%m/%Y"),
            to.format("%d/%m/%Y")
        ))?;
    sheet.add_data_validation(first, 2, last_row, 3, &dates)?;
    // The drop-downs: each a list on the sheet «Listas».
    for (i, (list, items)) in lists.iter().enumerate() {
        let column = match *list {
            "Dependencias" => 4,
            "Grupos de valor" => 9,
            "Fases del ciclo" => 10,
            _ => 11,
        };
        if items.is_empty() {
            continue;
        }
        let letter = (b'A' + i as u8) as char;
        let range = format!("=Listas!${letter}$2:${letter}${}", items.len() + 1);
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            // A cell may name several (`;`): the list only suggests.
            .ignore_blank(true)
            .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Information)
            .set_error_title(*list)?
            .set_error_message("El valor no está en la lista; sepárelos con «;» si son varios.")?;
        sheet.add_data_validation(first, column, last_row, column, &v)?;
    }
    let mut r = last_row + 2;
    let bold = Format::new().set_bold();
    for (c, l) in [(0u16, "Consolidó:"), (2, "Revisó:"), (4, "Aprobó:")] {
        sheet.write_string_with_format(r, c, l, &bold)?;
    }
    r += 4;
    sheet.write_string_with_format(r, 0, "Versión 1:", &bold)?;
    sheet.write_date_with_format(r, 1, data.today, &Format::new().set_num_format("d-mmm-yy"))?;

    // How to fill it, on a sheet of its own (the importer reads the first sheet only).
    let help = book.add_worksheet();
    help.set_name("Cómo llenarla")?;
    help.set_column_width(0, 110)?;
    for (i, line) in [
        "Cómo llenar la plantilla del plan",
        "1. En la hoja «Plan», complete cada fila del encabezado: objetivos, marco legal y dependencias.",
        "2. Objetivo estratégico, objetivo de la dependencia e iniciativa: el código y el texto, como «5.5.1 Definición y ejecución de la estrategia…».",
        "3. Dependencias responsables: «Líder: Oficina Asesora de Planeación (OAPLA) con el apoyo de Comunicaciones (ARCOM), …», cada una con su código.",
        "4. Una fila por actividad: las fechas como fecha (o «abril de 2026», «durante la vigencia»), el responsable de la lista, el producto o entregable.",
        "5. Meta con una cifra («4 talleres») e indicador declaran el indicador de la actividad. Grupos de valor, fases y etapas: de la lista; varios, separados por «;».",
        "6. Firmas: el nombre y el cargo bajo Consolidó, Revisó y Aprobó. Después impórtelo en Participa: Formulación › Importar un plan.",
    ]
    .iter()
    .enumerate()
    {
        let f = if i == 0 { Format::new().set_bold() } else { Format::new().set_text_wrap() };
        help.write_string_with_format(i as u32, 0, *line, &f)?;
    }

    let listas = book.add_worksheet();
    listas.set_name("Listas")?;
    for (c, (list, items)) in lists.iter().enumerate() {
        let c = c as u16;
        listas.set_column_width(c, 40)?;
        listas.write_string_with_format(0, c, *list, &Format::new().set_bold())?;
        for (i, item) in items.iter().enumerate() {
            listas.write_string(1 + i as u32, c, *item)?;
        }
    }
    book.save_to_buffer()
}
