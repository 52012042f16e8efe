//! Activity tags in bulk: a tab-separated file with a header row naming its columns
//! (`numero` required; `fases`, `etapas_murc`, `elementos_murc`, `grupos_valor`,
//! `incidencia`, `canal`, `medio`, `furag`, `cubre` optional), values separated by `;`
//! as their codes. All of it applies, or nothing does.

use crate::encoding::decode_text;
use crate::error::{ImportError, ImportErrors, Location};
use participa_domain::tagging::{parse_codes, ActivityTags, Channel, Tag};
use participa_domain::{ActivityNumber, Plan, PlanErrors};

pub const COLUMNS: [&str; 10] = [
    "numero",
    "fases",
    "etapas_murc",
    "elementos_murc",
    "grupos_valor",
    "incidencia",
    "canal",
    "medio",
    "furag",
    "cubre",
];

fn split(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn expected<T: Tag>() -> String {
    T::ALL
        .iter()
        .map(|t| t.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `plan` with the file's tags on its activities (rows replace an activity's tags), or
/// every error with its line and column.
pub fn apply_tags(file: &str, bytes: &[u8], plan: &Plan) -> Result<Plan, ImportErrors> {
    let (text, _) = decode_text(bytes);
    let mut errors = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(ImportErrors {
            file: file.into(),
            errors: vec![ImportError {
                location: Location::Document,
                field: "encabezado".into(),
                message: format!(
                    "el archivo está vacío; se esperaba una fila de títulos: {}",
                    COLUMNS.join(", ")
                ),
            }],
        });
    };
    let titles: Vec<String> = header
        .split('\t')
        .map(|t| t.trim().to_lowercase())
        .collect();
    for t in &titles {
        if !COLUMNS.contains(&t.as_str()) {
            errors.push(ImportError {
                location: Location::Line(1),
                field: t.clone(),
                message: format!(
                    "columna desconocida; las columnas posibles son {}",
                    COLUMNS.join(", ")
                ),
            });
        }
    }
    let Some(number_col) = titles.iter().position(|t| t == "numero") else {
        errors.push(ImportError {
            location: Location::Line(1),
            field: "numero".into(),
            message: "falta la columna numero".into(),
        });
        return Err(ImportErrors {
            file: file.into(),
            errors,
        });
    };
    let mut draft = plan.clone().into_draft();
    for (i, line) in lines {
        let line_no = i + 1;
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |name: &str| {
            titles
                .iter()
                .position(|t| t == name)
                .and_then(|c| cells.get(c))
                .map_or("", |s| s.trim())
        };
        let mut err = |field: &str, message: String| {
            errors.push(ImportError {
                location: Location::Line(line_no),
                field: field.into(),
                message,
            })
        };
        let raw_number = cells.get(number_col).map_or("", |s| s.trim());
        let Some(index) = ActivityNumber::parse(raw_number)
            .ok()
            .and_then(|n| draft.activities.iter().position(|a| a.number == n))
        else {
            err(
                "numero",
                format!("«{raw_number}» no es el número de una actividad del plan"),
            );
            continue;
        };
        let mut tags = ActivityTags::default();
        macro_rules! codes {
            ($field:literal, $target:expr, $ty:ty) => {
                match parse_codes::<$ty>(cell($field)) {
                    Ok(v) => $target = v,
                    Err(bad) => err(
                        $field,
                        format!(
                            "«{bad}» no es válido; se esperaba uno de: {}",
                            expected::<$ty>()
                        ),
                    ),
                }
            };
        }
        codes!("fases", tags.phases, participa_domain::tagging::CyclePhase);
        codes!(
            "etapas_murc",
            tags.murc_stages,
            participa_domain::tagging::MurcStage
        );
        codes!(
            "elementos_murc",
            tags.murc_elements,
            participa_domain::tagging::MurcElement
        );
        codes!(
            "incidencia",
            tags.influence,
            participa_domain::tagging::InfluenceLevel
        );
        codes!("cubre", tags.covers, participa_domain::tagging::Component);
        tags.value_groups = split(cell("grupos_valor"));
        tags.furag = split(cell("furag"));
        for f in &tags.furag {
            let ok = f.len() == 6
                && f[..3].chars().all(|c| c.is_ascii_uppercase())
                && f[3..].chars().all(|c| c.is_ascii_digit());
            if !ok {
                err(
                    "furag",
                    format!("«{f}» no es un código de pregunta FURAG (como PCI208)"),
                );
            }
        }
        let channel = cell("canal");
        if !channel.is_empty() {
            match Channel::parse(channel) {
                Some(c) => tags.channel = Some(c),
                None => err(
                    "canal",
                    format!(
                        "«{channel}» no es válido; se esperaba uno de: {}",
                        expected::<Channel>()
                    ),
                ),
            }
        }
        tags.medium = cell("medio").to_string();
        draft.activities[index].tags = tags;
    }
    if !errors.is_empty() {
        return Err(ImportErrors {
            file: file.into(),
            errors,
        });
    }
    Plan::try_from_draft(draft).map_err(|PlanErrors(e)| ImportErrors {
        file: file.into(),
        errors: e
            .into_iter()
            .map(|e| ImportError {
                location: Location::Document,
                field: "plan".into(),
                message: e.to_string(),
            })
            .collect(),
    })
}
