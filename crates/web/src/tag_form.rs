//! The MIPG/MURC/FURAG tags of an activity in its form: one fieldset per kind of tag,
//! the values as typed (kept when the form is refused), and their parsing.

use crate::form::{FieldErrors, FormData};
use participa_domain::tagging::{
    ActivityTags, Channel, Component, CyclePhase, FuragQuestion, InfluenceLevel, MurcElement,
    MurcStage, Tag,
};
use participa_store::ValueGroup;
use std::collections::BTreeMap;

/// Field names of the multi-valued tags, in the order the form shows them.
const PHASES: &str = "fases";
const STAGES: &str = "etapas_murc";
const ELEMENTS: &str = "elementos_murc";
const GROUPS: &str = "grupos_valor";
const INFLUENCE: &str = "incidencia";
const CHANNEL: &str = "canal";
pub const MEDIUM: &str = "medio";
const FURAG: &str = "furag";
const COVERS: &str = "cubre";
const LIST_FIELDS: [&str; 8] = [
    PHASES, STAGES, ELEMENTS, GROUPS, INFLUENCE, CHANNEL, FURAG, COVERS,
];

/// The tags as the form holds them: the checked values per field, and the medium.
#[derive(Debug, Clone, Default)]
pub struct TagValues {
    checked: BTreeMap<&'static str, Vec<String>>,
    pub medium: String,
}

impl TagValues {
    pub fn of(tags: &ActivityTags) -> TagValues {
        fn codes<T: Tag>(list: &[T]) -> Vec<String> {
            list.iter().map(|t| t.code().to_string()).collect()
        }
        let mut checked = BTreeMap::new();
        checked.insert(PHASES, codes(&tags.phases));
        checked.insert(STAGES, codes(&tags.murc_stages));
        checked.insert(ELEMENTS, codes(&tags.murc_elements));
        checked.insert(GROUPS, tags.value_groups.clone());
        checked.insert(INFLUENCE, codes(&tags.influence));
        checked.insert(
            CHANNEL,
            tags.channel.map(|c| c.code().into()).into_iter().collect(),
        );
        checked.insert(FURAG, tags.furag.clone());
        checked.insert(COVERS, codes(&tags.covers));
        TagValues {
            checked,
            medium: tags.medium.clone(),
        }
    }

    pub fn from_form(form: &FormData) -> TagValues {
        let checked = LIST_FIELDS
            .iter()
            .map(|f| {
                let values = form
                    .all(f)
                    .into_iter()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect();
                (*f, values)
            })
            .collect();
        TagValues {
            checked,
            medium: form.get(MEDIUM).trim().into(),
        }
    }

    fn values(&self, field: &str) -> &[String] {
        self.checked.get(field).map_or(&[], Vec::as_slice)
    }

    /// The tags these values name, or an error per field that names an unknown value.
    pub fn parse(
        &self,
        groups: &[ValueGroup],
        furag: &[FuragQuestion],
        errors: &mut FieldErrors,
    ) -> ActivityTags {
        fn known<T: Tag>(v: &TagValues, field: &'static str, errors: &mut FieldErrors) -> Vec<T> {
            let mut out = Vec::new();
            for value in v.values(field) {
                match T::parse(value) {
                    Some(t) if !out.contains(&t) => out.push(t),
                    Some(_) => {}
                    None => {
                        errors.insert(
                            field,
                            format!("El valor «{value}» no es una opción válida."),
                        );
                    }
                }
            }
            out
        }
        let mut listed = |field: &'static str, allowed: &dyn Fn(&str) -> bool| {
            let mut out: Vec<String> = Vec::new();
            for value in self.values(field) {
                if !allowed(value) {
                    errors.insert(field, format!("«{value}» no está en el catálogo."));
                } else if !out.contains(value) {
                    out.push(value.clone());
                }
            }
            out
        };
        let value_groups = listed(GROUPS, &|v| groups.iter().any(|g| g.code == v));
        let furag_codes = listed(FURAG, &|v| furag.iter().any(|q| q.code == v));
        let channels: Vec<Channel> = known(self, CHANNEL, errors);
        if channels.len() > 1 {
            errors.insert(CHANNEL, "Elija un solo canal.".into());
        }
        ActivityTags {
            phases: known(self, PHASES, errors),
            murc_stages: known(self, STAGES, errors),
            murc_elements: known(self, ELEMENTS, errors),
            value_groups,
            influence: known(self, INFLUENCE, errors),
            channel: channels.first().copied(),
            medium: self.medium.clone(),
            furag: furag_codes,
            covers: known(self, COVERS, errors),
        }
    }
}

/// One choice of a tag fieldset.
pub struct TagChoice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A fieldset of the form: checkboxes, or radio buttons when only one value fits.
pub struct TagFieldset {
    pub name: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
    pub single: bool,
    pub choices: Vec<TagChoice>,
}

impl TagFieldset {
    pub fn none_checked(&self) -> bool {
        !self.choices.iter().any(|c| c.checked)
    }
}

fn fieldset<T: Tag>(
    values: &TagValues,
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
) -> TagFieldset {
    let picked = values.values(name);
    TagFieldset {
        name,
        legend,
        hint,
        single: false,
        choices: T::ALL
            .iter()
            .map(|t| TagChoice {
                value: t.code().into(),
                label: t.label().into(),
                checked: picked.iter().any(|p| p == t.code()),
            })
            .collect(),
    }
}

/// The tag fieldsets, in the form's order, with the values as typed checked.
pub fn fieldsets(
    values: &TagValues,
    groups: &[ValueGroup],
    furag: &[FuragQuestion],
) -> Vec<TagFieldset> {
    let listed = |name: &'static str, items: Vec<(String, String)>| {
        let picked = values.values(name);
        items
            .into_iter()
            .map(|(value, label)| TagChoice {
                checked: picked.contains(&value),
                value,
                label,
            })
            .collect::<Vec<_>>()
    };
    vec![
        fieldset::<CyclePhase>(
            values,
            PHASES,
            "Fases del ciclo de la gestión",
            "MIPG: la participación debe cubrir todo el ciclo.",
        ),
        fieldset::<MurcStage>(
            values,
            STAGES,
            "Etapas de la rendición de cuentas (MURC)",
            "Solo para actividades de rendición de cuentas.",
        ),
        fieldset::<MurcElement>(
            values,
            ELEMENTS,
            "Elementos de la rendición de cuentas",
            "Ley 1757 de 2015 art. 49: información, diálogo y responsabilidad.",
        ),
        TagFieldset {
            name: GROUPS,
            legend: "Grupos de valor",
            hint: "Del catálogo de la entidad; entre paréntesis, la lista del FURAG.",
            single: false,
            choices: listed(
                GROUPS,
                groups
                    .iter()
                    .map(|g| (g.code.clone(), format!("{} ({})", g.name, g.furag_group)))
                    .collect(),
            ),
        },
        fieldset::<InfluenceLevel>(
            values,
            INFLUENCE,
            "Nivel de incidencia de la ciudadanía",
            "FURAG PCI216.",
        ),
        TagFieldset {
            single: true,
            ..fieldset::<Channel>(values, CHANNEL, "Canal", "Uno solo.")
        },
        TagFieldset {
            name: FURAG,
            legend: "Preguntas del FURAG que evidencia",
            hint: "Cuestionario de la vigencia del plan.",
            single: false,
            choices: listed(
                FURAG,
                furag
                    .iter()
                    .map(|q| (q.code.to_string(), format!("{} · {}", q.code, q.topic)))
                    .collect(),
            ),
        },
        fieldset::<Component>(
            values,
            COVERS,
            "Componentes de la estrategia que cubre",
            "Lo que la verificación de cobertura espera de alguna actividad.",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<ValueGroup> {
        vec![ValueGroup {
            code: "afiliados".into(),
            name: "Afiliados".into(),
            furag_group: "Ciudadanos / usuarios".into(),
        }]
    }

    #[test]
    fn form_values_round_trip_and_unknown_ones_are_named_by_field() {
        let form = FormData(vec![
            ("fases".into(), "diagnostico".into()),
            ("fases".into(), "formulacion".into()),
            ("grupos_valor".into(), "afiliados".into()),
            ("canal".into(), "virtual".into()),
            ("medio".into(), " Facebook Live ".into()),
            ("cubre".into(), "control_social".into()),
        ]);
        let mut errors = FieldErrors::new();
        let tags = TagValues::from_form(&form).parse(&groups(), &[], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            tags.phases,
            vec![CyclePhase::Diagnosis, CyclePhase::Formulation]
        );
        assert_eq!(tags.channel, Some(Channel::Virtual));
        assert_eq!(tags.medium, "Facebook Live");
        assert_eq!(tags.covers, vec![Component::SocialControl]);
        let again = TagValues::of(&tags).parse(&groups(), &[], &mut errors);
        assert_eq!(again, tags);

        let bad = FormData(vec![
            ("grupos_valor".into(), "reservistas".into()),
            ("incidencia".into(), "todo".into()),
            ("canal".into(), "virtual".into()),
            ("canal".into(), "mixto".into()),
        ]);
        let mut errors = FieldErrors::new();
        TagValues::from_form(&bad).parse(&groups(), &[], &mut errors);
        assert!(errors
            .error("grupos_valor")
            .unwrap()
            .contains("reservistas"));
        assert!(errors.error("incidencia").unwrap().contains("todo"));
        assert_eq!(errors.error("canal"), Some("Elija un solo canal."));
    }

    #[test]
    fn fieldsets_check_what_was_typed() {
        let values =
            TagValues::from_form(&FormData(vec![("incidencia".into(), "consulta".into())]));
        let sets = fieldsets(&values, &groups(), &[]);
        let influence = sets.iter().find(|s| s.name == "incidencia").unwrap();
        let checked: Vec<&str> = influence
            .choices
            .iter()
            .filter(|c| c.checked)
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(checked, ["consulta"]);
        assert!(sets.iter().find(|s| s.name == "canal").unwrap().single);
    }
}
