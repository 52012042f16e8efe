//! Activity tags in bulk: a tab-separated file with a header row naming its columns
//! (`numero` required; `fases`, `etapas_murc`, `elementos_murc`, `grupos_valor`,
//! `incidencia`, `canal`, `medio`, `furag`, `cubre` optional), values separated by `;`
//! as their codes. All of it applies, or nothing does.
//!
//! The plan's spreadsheet writes the same columns with their labels instead
//! ([`TagField::label_cell`]: `Diagnóstico; Evaluación y seguimiento`, the groups of
//! value by name), and every reader takes a code or a label alike, so a workbook
//! exported and imported again keeps its tags.

use crate::encoding::decode_text;
use crate::error::{ImportError, ImportErrors, Location};
use participa_domain::tagging::{codes, ActivityTags, Channel, Tag, VALUE_GROUPS};
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

/// One tag column, in this file and in the plan layout's activities table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagField {
    Phases,
    MurcStages,
    MurcElements,
    ValueGroups,
    Influence,
    Channel,
    Medium,
    Furag,
    Covers,
}

impl TagField {
    pub const ALL: [TagField; 9] = [
        TagField::Phases,
        TagField::MurcStages,
        TagField::MurcElements,
        TagField::ValueGroups,
        TagField::Influence,
        TagField::Channel,
        TagField::Medium,
        TagField::Furag,
        TagField::Covers,
    ];

    /// The column name of the tags file.
    pub fn slug(self) -> &'static str {
        COLUMNS[1 + TagField::ALL
            .iter()
            .position(|f| *f == self)
            .expect("listed")]
    }

    /// The column title in the plan layout.
    pub fn title(self) -> &'static str {
        match self {
            TagField::Phases => "Fases del ciclo",
            TagField::MurcStages => "Etapas MURC",
            TagField::MurcElements => "Elementos MURC",
            TagField::ValueGroups => "Grupos de valor",
            TagField::Influence => "Nivel de incidencia",
            TagField::Channel => "Canal",
            TagField::Medium => "Medio",
            TagField::Furag => "Preguntas FURAG",
            TagField::Covers => "Componentes cubiertos",
        }
    }

    /// The column a title names, by slug or title, any case or accents.
    pub fn recognise(text: &str) -> Option<TagField> {
        let t = crate::labels::normalize(text);
        TagField::ALL
            .into_iter()
            .find(|f| t == f.slug() || t == crate::labels::normalize(f.title()))
    }

    /// Copies this column's value from `from` into `to`.
    pub fn copy(self, from: &ActivityTags, to: &mut ActivityTags) {
        match self {
            TagField::Phases => to.phases = from.phases.clone(),
            TagField::MurcStages => to.murc_stages = from.murc_stages.clone(),
            TagField::MurcElements => to.murc_elements = from.murc_elements.clone(),
            TagField::ValueGroups => to.value_groups = from.value_groups.clone(),
            TagField::Influence => to.influence = from.influence.clone(),
            TagField::Channel => to.channel = from.channel,
            TagField::Medium => to.medium = from.medium.clone(),
            TagField::Furag => to.furag = from.furag.clone(),
            TagField::Covers => to.covers = from.covers.clone(),
        }
    }

    /// This column's cell for `tags` as people read it: labels separated by `; `, the
    /// groups of value by their name in `groups` (code, name; a code it lacks is
    /// written as is), the FURAG questions by their official codes (`PCI208`).
    pub fn label_cell(self, tags: &ActivityTags, groups: &GroupNames) -> String {
        fn labels<T: Tag>(list: &[T]) -> String {
            list.iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join("; ")
        }
        match self {
            TagField::Phases => labels(&tags.phases),
            TagField::MurcStages => labels(&tags.murc_stages),
            TagField::MurcElements => labels(&tags.murc_elements),
            TagField::ValueGroups => tags
                .value_groups
                .iter()
                .map(|g| groups.name(g))
                .collect::<Vec<_>>()
                .join("; "),
            TagField::Influence => labels(&tags.influence),
            TagField::Channel => tags
                .channel
                .map_or(String::new(), |c| c.label().to_string()),
            TagField::Medium => tags.medium.clone(),
            TagField::Furag => tags.furag.join("; "),
            TagField::Covers => labels(&tags.covers),
        }
    }

    /// This column's cell for `tags`: codes separated by `;`.
    pub fn cell(self, tags: &ActivityTags) -> String {
        match self {
            TagField::Phases => codes(&tags.phases),
            TagField::MurcStages => codes(&tags.murc_stages),
            TagField::MurcElements => codes(&tags.murc_elements),
            TagField::ValueGroups => tags.value_groups.join(";"),
            TagField::Influence => codes(&tags.influence),
            TagField::Channel => tags.channel.map_or(String::new(), |c| c.code().to_string()),
            TagField::Medium => tags.medium.clone(),
            TagField::Furag => tags.furag.join(";"),
            TagField::Covers => codes(&tags.covers),
        }
    }
}

/// The names of the groups of value, to write and read them by name: the entity's
/// catalogue, or Participa's starting list ([`GroupNames::default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNames(Vec<(String, String)>);

impl GroupNames {
    /// From (code, name) pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        GroupNames(pairs.into_iter().collect())
    }

    /// The (code, name) pairs.
    pub fn name_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// The name of group `code`, or the code when the catalogue lacks it.
    pub fn name(&self, code: &str) -> String {
        self.0
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_string(), |(_, n)| n.clone())
    }

    /// The code a cell's item names: a name (any case or accents) or the code itself.
    fn code(&self, item: &str) -> String {
        let wanted = crate::labels::normalize(item);
        self.0
            .iter()
            .find(|(_, n)| crate::labels::normalize(n) == wanted)
            .map_or_else(|| item.to_string(), |(c, _)| c.clone())
    }

    /// Whether `text` is one group's whole name.
    fn is_name(&self, text: &str) -> bool {
        let wanted = crate::labels::normalize(text);
        self.0
            .iter()
            .any(|(_, n)| crate::labels::normalize(n) == wanted)
    }
}

impl Default for GroupNames {
    fn default() -> Self {
        GroupNames::new(
            VALUE_GROUPS
                .iter()
                .map(|g| (g.code.to_string(), g.name.to_string())),
        )
    }
}

/// The items of a cell: separated by `;` when it has one (a label may hold a comma),
/// else by `,` — unless the whole cell is one label (`whole`).
fn items(cell: &str, whole: impl Fn(&str) -> bool) -> Vec<String> {
    let t = cell.trim();
    let parts: Vec<&str> = if t.contains(';') {
        t.split(';').collect()
    } else if whole(t) {
        vec![t]
    } else {
        t.split(',').collect()
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn split(cell: &str) -> Vec<String> {
    items(cell, |_| false)
}

/// A tag named by its code or by its label (any case or accents).
fn by_code_or_label<T: Tag>(item: &str) -> Option<T> {
    T::parse(item).or_else(|| {
        let wanted = crate::labels::normalize(item);
        T::ALL
            .iter()
            .copied()
            .find(|t| crate::labels::normalize(t.label()) == wanted)
    })
}

fn expected<T: Tag>() -> String {
    T::ALL
        .iter()
        .map(|t| t.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn listed<T: Tag>(text: &str) -> Result<Vec<T>, String> {
    items(text, |t| by_code_or_label::<T>(t).is_some())
        .iter()
        .map(|item| {
            by_code_or_label::<T>(item).ok_or_else(|| {
                format!(
                    "«{item}» no es válido; se esperaba uno de: {}",
                    expected::<T>()
                )
            })
        })
        .collect()
}

/// Tags from the cells of one row (`cell` gives a column's text, "" when absent), each
/// value by its code or its label (groups of value by their name in `groups`), or the
/// problems by column.
pub fn parse_tag_cells(
    cell: impl Fn(TagField) -> String,
    groups: &GroupNames,
) -> Result<ActivityTags, Vec<(TagField, String)>> {
    let mut errors = Vec::new();
    let mut tags = ActivityTags::default();
    let mut take = |field: TagField, result: Result<(), String>| {
        if let Err(e) = result {
            errors.push((field, e));
        }
    };
    take(
        TagField::Phases,
        listed(&cell(TagField::Phases)).map(|v| tags.phases = v),
    );
    take(
        TagField::MurcStages,
        listed(&cell(TagField::MurcStages)).map(|v| tags.murc_stages = v),
    );
    take(
        TagField::MurcElements,
        listed(&cell(TagField::MurcElements)).map(|v| tags.murc_elements = v),
    );
    take(
        TagField::Influence,
        listed(&cell(TagField::Influence)).map(|v| tags.influence = v),
    );
    take(
        TagField::Covers,
        listed(&cell(TagField::Covers)).map(|v| tags.covers = v),
    );
    tags.value_groups = items(&cell(TagField::ValueGroups), |t| groups.is_name(t))
        .iter()
        .map(|g| groups.code(g))
        .collect();
    tags.furag = split(&cell(TagField::Furag));
    for f in &tags.furag {
        let ok = f.len() == 6
            && f[..3].chars().all(|c| c.is_ascii_uppercase())
            && f[3..].chars().all(|c| c.is_ascii_digit());
        if !ok {
            errors.push((
                TagField::Furag,
                format!("«{f}» no es un código de pregunta FURAG (como PCI208)"),
            ));
        }
    }
    let channel = cell(TagField::Channel);
    let channel = channel.trim();
    if !channel.is_empty() {
        match by_code_or_label::<Channel>(channel) {
            Some(c) => tags.channel = Some(c),
            None => errors.push((
                TagField::Channel,
                format!(
                    "«{channel}» no es válido; se esperaba uno de: {}",
                    expected::<Channel>()
                ),
            )),
        }
    }
    tags.medium = cell(TagField::Medium).trim().to_string();
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(errors)
    }
}

/// `plan` with the file's tags on its activities (each column present replaces that tag
/// of the row's activity; absent columns keep theirs), or
/// every error with its line and column.
pub fn apply_tags(file: &str, bytes: &[u8], plan: &Plan) -> Result<Plan, ImportErrors> {
    let (text, _) = decode_text(bytes);
    let mut errors = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(ImportErrors::new(
            file,
            vec![ImportError {
                location: Location::Document,
                field: "encabezado".into(),
                message: format!(
                    "el archivo está vacío; se esperaba una fila de títulos: {}",
                    COLUMNS.join(", ")
                ),
            }],
        ));
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
        return Err(ImportErrors::new(file, errors));
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
        match parse_tag_cells(|f| cell(f.slug()).to_string(), &GroupNames::default()) {
            Ok(mut tags) => {
                // A column the file does not have keeps the activity's value.
                let old = &draft.activities[index].tags;
                for f in TagField::ALL {
                    if !titles.iter().any(|t| t == f.slug()) {
                        f.copy(old, &mut tags);
                    }
                }
                draft.activities[index].tags = tags;
            }
            Err(problems) => {
                for (f, message) in problems {
                    err(f.slug(), message);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportErrors::new(file, errors));
    }
    Plan::try_from_draft(draft).map_err(|PlanErrors(e)| {
        let errors = e
            .into_iter()
            .map(|e| ImportError {
                location: Location::Document,
                field: "plan".into(),
                message: e.to_string(),
            })
            .collect();
        ImportErrors::new(file, errors)
    })
}
