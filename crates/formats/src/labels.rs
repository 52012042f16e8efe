//! How the seed layout's labels are recognised: without case, accents or trailing colons.

/// `Objetivos del plan:` → `objetivos del plan`.
pub fn normalize(label: &str) -> String {
    let folded: String = label
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .collect();
    folded
        .trim_end_matches([':', '.'])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A row label of the plan's header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderLabel {
    /// `Formulación`: the value repeats the word before the title.
    Formulation,
    Title,
    Entity,
    Year,
    Policy,
    StrategicObjective,
    OfficeObjective,
    StrategicInitiative,
    Objectives,
    LegalFramework,
    Offices,
}

impl HeaderLabel {
    pub fn recognise(cell: &str) -> Option<HeaderLabel> {
        let n = normalize(cell);
        let label = match n.as_str() {
            "formulacion" => HeaderLabel::Formulation,
            "titulo" | "plan" | "nombre del plan" => HeaderLabel::Title,
            "entidad" => HeaderLabel::Entity,
            "vigencia" | "ano" => HeaderLabel::Year,
            "objetivo estrategico" => HeaderLabel::StrategicObjective,
            "objetivo dependencia" | "objetivo de la dependencia" => HeaderLabel::OfficeObjective,
            "iniciativa estrategica" => HeaderLabel::StrategicInitiative,
            "objetivos del plan" | "objetivo del plan" | "objetivos" => HeaderLabel::Objectives,
            "marco legal" | "marco normativo" => HeaderLabel::LegalFramework,
            "dependencias responsables" | "dependencia responsable" | "responsables" => {
                HeaderLabel::Offices
            }
            _ if n.starts_with("politica de gestion") || n == "politica" => HeaderLabel::Policy,
            _ => return None,
        };
        Some(label)
    }

    /// The label as the seed writes it, used in exports and in error messages.
    pub fn text(self) -> &'static str {
        match self {
            HeaderLabel::Formulation => "Formulación",
            HeaderLabel::Title => "Título",
            HeaderLabel::Entity => "Entidad",
            HeaderLabel::Year => "Vigencia",
            HeaderLabel::Policy => "Política de Gestión y Desempeño Institucional",
            HeaderLabel::StrategicObjective => "Objetivo estratégico",
            HeaderLabel::OfficeObjective => "Objetivo dependencia",
            HeaderLabel::StrategicInitiative => "Iniciativa estratégica",
            HeaderLabel::Objectives => "Objetivos del plan:",
            HeaderLabel::LegalFramework => "Marco legal:",
            HeaderLabel::Offices => "Dependencias responsables",
        }
    }
}

/// A column of the activities table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Activity,
    Start,
    End,
    Responsible,
    Deliverable,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::Activity,
        Column::Start,
        Column::End,
        Column::Responsible,
        Column::Deliverable,
    ];

    pub fn recognise(cell: &str) -> Option<Column> {
        let n = normalize(cell);
        if n.starts_with("actividad") {
            Some(Column::Activity)
        } else if n.starts_with("fecha") && (n.contains("inici") || n.contains("inicio")) {
            Some(Column::Start)
        } else if n.starts_with("fecha")
            && (n.contains("final") || n.contains("fin") || n.contains("termin"))
        {
            Some(Column::End)
        } else if n.starts_with("responsable") || n.starts_with("dependencia") {
            Some(Column::Responsible)
        } else if n.contains("entregable") || n.starts_with("producto") {
            Some(Column::Deliverable)
        } else {
            None
        }
    }

    /// The column title as the seed writes it.
    pub fn title(self) -> &'static str {
        match self {
            Column::Activity => "Actividades",
            Column::Start => "Fecha inicial",
            Column::End => "Fecha Final",
            Column::Responsible => "Responsable",
            Column::Deliverable => "PRODUCTO O ENTREGABLE",
        }
    }
}

/// The signature label of a cell (`Consolidó:`, `Revisó`, `Aprobó`), with any text that
/// follows it in the same cell.
pub fn signature_label(cell: &str) -> Option<(participa_domain::SignatureRole, String)> {
    use participa_domain::SignatureRole;
    let t = cell.trim();
    let (head, rest) = match t.split_once(':') {
        Some((h, r)) => (h, r.trim()),
        None => (t, ""),
    };
    // The labels are single short words; most cells (activity text) are not worth folding.
    if head.chars().count() > 12 {
        return None;
    }
    let role = match normalize(head).as_str() {
        "consolido" => SignatureRole::Consolidated,
        "reviso" => SignatureRole::Reviewed,
        "aprobo" => SignatureRole::Approved,
        _ => return None,
    };
    Some((role, rest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_ignore_case_accents_and_colons() {
        assert_eq!(normalize("  Objetivos del  plan: "), "objetivos del plan");
        assert_eq!(
            HeaderLabel::recognise("MARCO LEGAL:"),
            Some(HeaderLabel::LegalFramework)
        );
        assert_eq!(
            HeaderLabel::recognise("Política de Gestión y Desempeño Institucional"),
            Some(HeaderLabel::Policy)
        );
        assert_eq!(HeaderLabel::recognise("Actividades"), None);
        assert_eq!(
            Column::recognise("PRODUCTO O ENTREGABLE"),
            Some(Column::Deliverable)
        );
        assert_eq!(Column::recognise("Fecha Final"), Some(Column::End));
        assert_eq!(Column::recognise("Fecha inicial"), Some(Column::Start));
        assert!(signature_label("Consolidó:").is_some());
        assert_eq!(signature_label("Revisó").unwrap().1, "");
        assert_eq!(signature_label("Aprobó: Comité").unwrap().1, "Comité");
        assert!(signature_label("Carlos Arturo").is_none());
    }
}
