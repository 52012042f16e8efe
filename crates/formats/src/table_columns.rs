//! The activities table's columns, recognised by what they mean rather than by the exact
//! title the seed uses: each title is folded (no case, accents or trailing colons) and
//! looked up in a list of the names entities give their columns. A title that names
//! nothing known is kept as it is, with its values, so that nothing is lost.

use crate::labels::normalize;
use crate::tags_tsv::TagField;

/// What a column of the activities table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    /// `No.`, `Ítem`: the activity's number (`3`) or its own numbering (`2.3`).
    Number,
    Activity,
    Start,
    End,
    /// One column for when: `Fecha programada`, `Periodo`, `Cronograma`.
    When,
    Responsible,
    Deliverable,
    Goal,
    Indicator,
    Component,
    /// A tagging column (groups of value, cycle phase, MURC stage…).
    Tag(TagField),
    /// Participa's own export: the entity's numbering, kept as it was.
    Label,
    /// Participa's own export: the dates as the entity wrote them.
    Schedule,
    /// The entity's own identifier of each activity.
    ExternalId,
}

/// The titles each meaning is known by, folded. A title matches when it is one of
/// these, or starts with one followed by a space or `(` (`Responsable (dependencia)`).
pub const SYNONYMS: &[(Meaning, &[&str])] = &[
    (
        Meaning::Number,
        &[
            "no",
            "n",
            "nº",
            "n°",
            "no.",
            "num",
            "numero",
            "#",
            "item",
            "consecutivo",
            "id",
        ],
    ),
    (
        Meaning::Activity,
        &[
            "actividad",
            "actividades",
            "accion",
            "acciones",
            "descripcion de la actividad",
            "nombre de la actividad",
            "actividad a desarrollar",
            "tarea",
            "tareas",
        ],
    ),
    (
        Meaning::Start,
        &[
            "fecha inicial",
            "fecha inicio",
            "fecha de inicio",
            "fecha de iniciacion",
            "fecha de comienzo",
            "inicio",
            "desde",
        ],
    ),
    (
        Meaning::End,
        &[
            "fecha final",
            "fecha fin",
            "fecha de fin",
            "fecha de finalizacion",
            "fecha de terminacion",
            "fecha de termino",
            "fecha termino",
            "fecha limite",
            "fin",
            "hasta",
        ],
    ),
    (
        Meaning::When,
        &[
            "fecha",
            "fechas",
            "fecha programada",
            "fecha de ejecucion",
            "fecha de realizacion",
            "periodo",
            "periodo de ejecucion",
            "cronograma",
            "plazo",
            "tiempo de ejecucion",
        ],
    ),
    (
        Meaning::Responsible,
        &[
            "responsable",
            "responsables",
            "dependencia",
            "dependencias",
            "dependencia responsable",
            "dependencias responsables",
            "area responsable",
            "oficina responsable",
            "proceso responsable",
            "lider",
            "lider responsable",
        ],
    ),
    (
        Meaning::Deliverable,
        &[
            "producto o entregable",
            "producto",
            "productos",
            "entregable",
            "entregables",
            "meta o producto",
            "producto esperado",
            "evidencia",
            "evidencias",
            "soporte",
        ],
    ),
    (
        Meaning::Goal,
        &[
            "meta",
            "metas",
            "meta cuantitativa",
            "meta programada",
            "meta anual",
        ],
    ),
    (
        Meaning::Indicator,
        &[
            "indicador",
            "indicadores",
            "nombre del indicador",
            "indicador de cumplimiento",
        ],
    ),
    (
        Meaning::Component,
        &[
            "componente",
            "subcomponente",
            "componente o subcomponente",
            "eje",
            "eje tematico",
        ],
    ),
    (Meaning::Label, &["numeracion", "numeracion propia"]),
    (
        Meaning::ExternalId,
        &[
            "id externo",
            "identificador",
            "identificador de la actividad",
            "codigo de la actividad",
            "codigo actividad",
            "id de la actividad",
        ],
    ),
    (
        Meaning::Schedule,
        &["fechas como se escribieron", "fecha como se escribio"],
    ),
    (
        Meaning::Tag(TagField::ValueGroups),
        &[
            "grupo de valor",
            "grupos de valor",
            "grupo de interes",
            "grupos de interes",
            "grupo de valor o de interes",
            "publico objetivo",
            "poblacion objetivo",
        ],
    ),
    (
        Meaning::Tag(TagField::Phases),
        &["fase", "fases", "fase del ciclo", "fase de la gestion"],
    ),
    (
        Meaning::Tag(TagField::MurcStages),
        &[
            "etapa",
            "etapas",
            "etapa murc",
            "etapa de rendicion de cuentas",
        ],
    ),
];

impl Meaning {
    /// Every meaning a person may choose for a column, in the order offered.
    pub const ALL: [Meaning; 18] = [
        Meaning::Number,
        Meaning::Activity,
        Meaning::Start,
        Meaning::End,
        Meaning::When,
        Meaning::Responsible,
        Meaning::Deliverable,
        Meaning::Goal,
        Meaning::Indicator,
        Meaning::Component,
        Meaning::Tag(TagField::ValueGroups),
        Meaning::Tag(TagField::Phases),
        Meaning::Tag(TagField::MurcStages),
        Meaning::Tag(TagField::MurcElements),
        Meaning::Tag(TagField::Influence),
        Meaning::Label,
        Meaning::Schedule,
        Meaning::ExternalId,
    ];

    /// A meaning by its [`Meaning::label`] (case and accents ignored); `Some(None)` for
    /// [`OTHER`], a column kept as it is.
    pub fn from_label(text: &str) -> Option<Option<Meaning>> {
        let t = normalize(text);
        if t == normalize(OTHER) {
            return Some(None);
        }
        Meaning::ALL
            .into_iter()
            .find(|m| normalize(m.label()) == t)
            .map(Some)
    }

    /// What the column is known by, for people: in the mapping shown and in errors.
    pub fn label(self) -> &'static str {
        match self {
            Meaning::Number => "Número",
            Meaning::Activity => "Actividad",
            Meaning::Start => "Fecha inicial",
            Meaning::End => "Fecha final",
            Meaning::When => "Fecha o periodo",
            Meaning::Responsible => "Responsable",
            Meaning::Deliverable => "Producto o entregable",
            Meaning::Goal => "Meta",
            Meaning::Indicator => "Indicador",
            Meaning::Component => "Componente",
            Meaning::Tag(f) => f.title(),
            Meaning::Label => "Numeración propia",
            Meaning::Schedule => "Fechas como se escribieron",
            Meaning::ExternalId => "Identificador de la entidad",
        }
    }

    /// The meaning of a column title, if it is one of the known names.
    pub fn recognise(title: &str) -> Option<Meaning> {
        let t = normalize(title);
        if t.is_empty() {
            return None;
        }
        // Tagging columns as Participa's own export names them.
        if let Some(f) = TagField::recognise(title) {
            return Some(Meaning::Tag(f));
        }
        let mut best: Option<(usize, Meaning)> = None;
        for (meaning, names) in SYNONYMS {
            for name in *names {
                let matches = t == *name
                    || (t.len() > name.len()
                        && t.starts_with(name)
                        && t[name.len()..].starts_with([' ', '(']));
                // The longest name that matches wins: «fecha de inicio» over «fecha».
                if matches && best.is_none_or(|(len, _)| name.len() > len) {
                    best = Some((name.len(), *meaning));
                }
            }
        }
        best.map(|(_, m)| m)
    }
}

/// What a column that holds none of the fields is called when choosing: it is kept,
/// with its title, beside each activity.
pub const OTHER: &str = "Otra columna (se conserva)";

/// The most column choices a mapping keeps (a table has at most 60 columns; an entity's
/// files over the years, a few times that).
pub const MAX_CHOICES: usize = 200;

/// The first characters of a folded title that tell it apart: a title cell may hold up
/// to 10 000 characters, a choice keeps these.
const TITLE_KEY: usize = 200;

fn key(title: &str) -> String {
    normalize(title).chars().take(TITLE_KEY).collect()
}

/// The meaning a person gave each title, over what the names say: from a mapping file
/// (`participa import --mapping`) or the import preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// (title folded, meaning; None: kept as another column).
    chosen: Vec<(String, Option<Meaning>)>,
}

impl Mapping {
    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }

    /// Gives `title` the meaning `meaning` (None: another column, kept). At most
    /// [`MAX_CHOICES`] are kept, the oldest choice going first.
    pub fn set(&mut self, title: &str, meaning: Option<Meaning>) {
        let t = key(title);
        self.chosen.retain(|(x, _)| *x != t);
        self.chosen.push((t, meaning));
        if self.chosen.len() > MAX_CHOICES {
            self.chosen.remove(0);
        }
    }

    /// What each of `columns` holds, as chosen.
    pub fn from_columns(columns: &[TableColumn]) -> Mapping {
        let mut m = Mapping::default();
        for c in columns {
            m.set(&c.title, c.meaning);
        }
        m
    }

    /// The mapping as a mapping file's text ([`Mapping::parse`] reads it back).
    pub fn to_text(&self) -> String {
        self.chosen
            .iter()
            .map(|(title, m)| format!("{title} = {}\n", m.map_or(OTHER, Meaning::label)))
            .collect()
    }

    /// The meaning chosen for `title`, if one was.
    pub fn get(&self, title: &str) -> Option<Option<Meaning>> {
        let t = key(title);
        self.chosen.iter().find(|(x, _)| *x == t).map(|(_, m)| *m)
    }

    /// Reads a mapping file: one `Título de la columna = campo` a line (`#` starts a
    /// comment), the field by its name as [`write_mapping`] prints it. Errors name their
    /// line.
    pub fn parse(text: &str) -> Result<Mapping, Vec<String>> {
        let mut mapping = Mapping::default();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((title, field)) = line.rsplit_once('=') else {
                errors.push(format!(
                    "línea {}: se esperaba «Título de la columna = campo»; se encontró «{}»",
                    i + 1,
                    crate::error::excerpt(line)
                ));
                continue;
            };
            match Meaning::from_label(field) {
                Some(m) if !title.trim().is_empty() => mapping.set(title.trim(), m),
                _ => errors.push(format!(
                    "línea {}: «{}» no es un campo; los campos son: {}, {OTHER}",
                    i + 1,
                    field.trim(),
                    Meaning::ALL
                        .iter()
                        .map(|m| m.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        if errors.is_empty() {
            Ok(mapping)
        } else {
            Err(errors)
        }
    }
}

/// The columns as a mapping file: what was detected, to correct and give back.
pub fn write_mapping(columns: &[TableColumn]) -> String {
    let mut out = String::from(
        "# Columnas de la tabla de actividades y el campo de cada una.\n# Corrija el campo después de «=» y use el archivo con --mapping.\n",
    );
    for c in columns {
        let field = c.meaning.map_or(OTHER, Meaning::label);
        out.push_str(&format!("{} = {field}\n", c.title.replace('=', "-")));
    }
    out
}

/// One column of the table's title row: where it is, its title, and what it holds
/// (None: kept as an extra column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    pub index: usize,
    pub title: String,
    pub meaning: Option<Meaning>,
}

/// The columns of a row, when it is the activities table's title row: it names an
/// activity column and at least one date column, and most of its titles are known (by
/// `mapping`, or by their names).
pub fn title_row(cells: &[String], mapping: &Mapping) -> Option<Vec<TableColumn>> {
    let mut chosen = 0;
    let columns: Vec<TableColumn> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(index, c)| TableColumn {
            index,
            title: c.trim().to_string(),
            meaning: match mapping.get(c) {
                // A column a person chose to keep as it is counts as known.
                Some(None) => {
                    chosen += 1;
                    None
                }
                Some(m) => m,
                None => Meaning::recognise(c),
            },
        })
        .collect();
    let has = |m: Meaning| columns.iter().any(|c| c.meaning == Some(m));
    let known = columns.iter().filter(|c| c.meaning.is_some()).count() + chosen;
    let dated = has(Meaning::Start) || has(Meaning::End) || has(Meaning::When);
    (has(Meaning::Activity) && dated && known >= 3 && known * 2 >= columns.len()).then_some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(row: &str) -> Vec<String> {
        row.split('|').map(|s| s.trim().to_string()).collect()
    }

    #[test]
    fn titles_are_recognised_by_meaning() {
        for (title, meaning) in [
            ("Actividades", Meaning::Activity),
            ("ACTIVIDAD", Meaning::Activity),
            ("Fecha inicial", Meaning::Start),
            ("Fecha de inicio", Meaning::Start),
            ("Fecha Final", Meaning::End),
            ("Fecha de término", Meaning::End),
            ("Fecha fin", Meaning::End),
            ("Fecha programada", Meaning::When),
            ("Fecha", Meaning::When),
            ("Responsable", Meaning::Responsible),
            ("Dependencia responsable", Meaning::Responsible),
            ("PRODUCTO O ENTREGABLE", Meaning::Deliverable),
            ("Meta o producto", Meaning::Deliverable),
            ("Meta", Meaning::Goal),
            ("Indicador", Meaning::Indicator),
            ("No.", Meaning::Number),
            ("Nº", Meaning::Number),
            ("Componente", Meaning::Component),
            ("Grupo de valor", Meaning::Tag(TagField::ValueGroups)),
            ("Fase", Meaning::Tag(TagField::Phases)),
            ("Etapa", Meaning::Tag(TagField::MurcStages)),
            ("Responsable (dependencia)", Meaning::Responsible),
        ] {
            assert_eq!(Meaning::recognise(title), Some(meaning), "{title}");
        }
        for unknown in ["Presupuesto", "Recursos", "Observaciones", ""] {
            assert_eq!(Meaning::recognise(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn the_title_row_is_told_from_other_rows() {
        let seed = titles(
            "Actividades | Fecha inicial | Fecha Final | Responsable | PRODUCTO O ENTREGABLE",
        );
        assert_eq!(title_row(&seed, &Mapping::default()).unwrap().len(), 5);
        let other = titles("No. | Actividad | Meta | Indicador | Responsable | Fecha inicio | Fecha fin | Producto o entregable | Presupuesto");
        let cols = title_row(&other, &Mapping::default()).unwrap();
        assert_eq!(cols[8].meaning, None);
        assert_eq!(cols[8].title, "Presupuesto");
        // A header row of the plan, or an activity, is not the table's title row.
        let none = Mapping::default();
        assert!(title_row(
            &titles("Dependencias responsables | Líder: Oficina Asesora de Planeación (OAPLA)"),
            &none
        )
        .is_none());
        assert!(title_row(
            &titles("1. Alistamiento | 5-feb-25 | 14-mar-25 | OAPLA | Instructivo"),
            &none
        )
        .is_none());
    }

    #[test]
    fn a_mapping_gives_titles_their_meaning_and_reads_back_from_its_file() {
        let row = titles("Qué haremos | Cuándo | Quién | Resultado | Costo");
        assert!(title_row(&row, &Mapping::default()).is_none());
        let file = "# comentario\nQué haremos = Actividad\nCuándo = fecha o periodo\nQuién = Responsable\nResultado = Producto o entregable\nCosto = Otra columna (se conserva)\n";
        let mapping = Mapping::parse(file).unwrap();
        let cols = title_row(&row, &mapping).unwrap();
        let meanings: Vec<Option<Meaning>> = cols.iter().map(|c| c.meaning).collect();
        assert_eq!(
            meanings,
            [
                Some(Meaning::Activity),
                Some(Meaning::When),
                Some(Meaning::Responsible),
                Some(Meaning::Deliverable),
                None
            ]
        );
        assert_eq!(Mapping::parse(&write_mapping(&cols)).unwrap(), mapping);
        // Bounded: the oldest choices go past the limit.
        let mut many = Mapping::default();
        for i in 0..MAX_CHOICES + 5 {
            many.set(&format!("Columna {i}"), None);
        }
        assert_eq!(many.get("Columna 0"), None);
        assert_eq!(
            many.get(&format!("Columna {}", MAX_CHOICES + 4)),
            Some(None)
        );
        let e = Mapping::parse("Costo = presupuesto\nsin igual\n").unwrap_err();
        assert!(
            e[0].starts_with("línea 1: «presupuesto» no es un campo"),
            "{e:?}"
        );
        assert!(e[1].starts_with("línea 2: se esperaba"), "{e:?}");
    }
}
