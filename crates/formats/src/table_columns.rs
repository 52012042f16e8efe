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

/// One column of the table's title row: where it is, its title, and what it holds
/// (None: kept as an extra column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    pub index: usize,
    pub title: String,
    pub meaning: Option<Meaning>,
}

/// The columns of a row, when it is the activities table's title row: it names an
/// activity column and at least one date column, and most of its titles are known.
pub fn title_row(cells: &[String]) -> Option<Vec<TableColumn>> {
    let columns: Vec<TableColumn> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(index, c)| TableColumn {
            index,
            title: c.trim().to_string(),
            meaning: Meaning::recognise(c),
        })
        .collect();
    let has = |m: Meaning| columns.iter().any(|c| c.meaning == Some(m));
    let known = columns.iter().filter(|c| c.meaning.is_some()).count();
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
        assert_eq!(title_row(&seed).unwrap().len(), 5);
        let other = titles("No. | Actividad | Meta | Indicador | Responsable | Fecha inicio | Fecha fin | Producto o entregable | Presupuesto");
        let cols = title_row(&other).unwrap();
        assert_eq!(cols[8].meaning, None);
        assert_eq!(cols[8].title, "Presupuesto");
        // A header row of the plan, or an activity, is not the table's title row.
        assert!(title_row(&titles(
            "Dependencias responsables | Líder: Oficina Asesora de Planeación (OAPLA)"
        ))
        .is_none());
        assert!(title_row(&titles(
            "1. Alistamiento | 5-feb-25 | 14-mar-25 | OAPLA | Instructivo"
        ))
        .is_none());
    }
}
