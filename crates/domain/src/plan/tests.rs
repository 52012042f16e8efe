use super::*;
use crate::values::AlignmentCode;

fn code(s: &str) -> OfficeCode {
    OfficeCode::parse(s).unwrap()
}

fn coded(c: &str, t: &str) -> CodedText {
    CodedText {
        code: AlignmentCode::parse(c).unwrap(),
        text: t.into(),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn activity(n: u32, start: NaiveDate, end: NaiveDate, offices: &[&str]) -> Activity {
    Activity {
        number: ActivityNumber::new(n).unwrap(),
        description: format!("Actividad {n}"),
        start,
        end,
        responsible: offices.iter().map(|c| code(c)).collect(),
        responsible_text: "Oficina".into(),
        deliverable: "Informe".into(),
        tags: Default::default(),
        details: Default::default(),
    }
}

fn draft() -> PlanDraft {
    PlanDraft {
        entity: "Caja Honor".into(),
        title: "Plan de Participación Ciudadana 2025".into(),
        year: PlanYear::new(2025).unwrap(),
        alignment: Alignment {
            policy: "Política de participación ciudadana en la gestión pública".into(),
            strategic_objective: coded("5", "Promover la innovación"),
            office_objective: coded("5.5", "Promover la participación"),
            strategic_initiative: coded("5.5.1", "Definición de la estrategia"),
        },
        objectives: vec!["Promover escenarios".into()],
        legal_framework: LegalFramework::from_text("Ley 1757 de 2015"),
        offices: vec![
            Office {
                code: code("OAPLA"),
                name: "Oficina Asesora de Planeación".into(),
                role: OfficeRole::Leader,
            },
            Office {
                code: code("ARCOM"),
                name: "Área de Comunicaciones".into(),
                role: OfficeRole::Support,
            },
        ],
        offices_text: "Líder: OAPLA".into(),
        activities: vec![
            activity(2, date(2025, 3, 10), date(2025, 4, 4), &["OAPLA"]),
            activity(1, date(2025, 2, 5), date(2025, 3, 14), &["OAPLA", "ARCOM"]),
        ],
        signatures: vec![Signature {
            role: crate::SignatureRole::Consolidated,
            name: "Carlos Arturo Contreras".into(),
            position: "Profesional Especializado".into(),
        }],
        version: Some(DocumentVersion {
            number: 1,
            date: date(2023, 11, 27),
        }),
    }
}

#[test]
fn a_valid_draft_becomes_a_plan_with_activities_in_number_order() {
    let plan = Plan::try_from_draft(draft()).unwrap();
    let numbers: Vec<u32> = plan.activities.iter().map(|a| a.number.get()).collect();
    assert_eq!(numbers, vec![1, 2]);
    assert_eq!(plan.leader().unwrap().code.as_str(), "OAPLA");
    assert_eq!(
        plan.office(&code("ARCOM")).unwrap().role,
        OfficeRole::Support
    );
}

#[test]
fn same_day_start_and_end_is_allowed() {
    let mut d = draft();
    d.activities[0].end = d.activities[0].start;
    assert!(Plan::try_from_draft(d).is_ok());
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let mut d = draft();
    d.activities[0].end = date(2025, 3, 1); // before its start, 10 March
    d.activities[1].number = ActivityNumber::new(2).unwrap(); // duplicate of the first
    d.activities[1].responsible.push(code("ASERA")); // unknown office
    let errors = Plan::try_from_draft(d).unwrap_err().0;
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(matches!(
        errors[0],
        PlanError::EndBeforeStart { index: 0, .. }
    ));
    assert_eq!(
        errors[0].field(),
        PlanField::Activity(0, ActivityField::End)
    );
    assert!(matches!(
        errors[1],
        PlanError::DuplicateActivityNumber { index: 1, .. }
    ));
    match &errors[2] {
        PlanError::UnknownOffice {
            index: 1,
            code,
            known,
            ..
        } => {
            assert_eq!(code.as_str(), "ASERA");
            assert_eq!(known, "OAPLA, ARCOM");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(errors[2].to_string().contains("ASERA"));
}

#[test]
fn activity_without_office_and_plan_without_leader() {
    let mut d = draft();
    d.activities[0].responsible.clear();
    d.offices.retain(|o| o.role == OfficeRole::Support);
    d.activities[1].responsible = vec![code("ARCOM")];
    let errors = Plan::try_from_draft(d).unwrap_err().0;
    assert_eq!(
        errors,
        vec![
            PlanError::NoLeader,
            PlanError::NoResponsible {
                index: 0,
                number: ActivityNumber::new(2).unwrap()
            }
        ]
    );
}

#[test]
fn duplicate_office_and_signature_and_blank_texts() {
    let mut d = draft();
    d.offices.push(d.offices[1].clone());
    d.signatures.push(d.signatures[0].clone());
    d.title = "  ".into();
    d.activities[0].deliverable = String::new();
    let errors = Plan::try_from_draft(d).unwrap_err().0;
    assert!(errors.contains(&PlanError::DuplicateOffice(code("ARCOM"))));
    assert!(errors.contains(&PlanError::DuplicateSignature("Consolidó", 1)));
    assert!(errors.contains(&PlanError::Missing("el título del plan", PlanField::Title)));
    assert!(errors
        .iter()
        .any(|e| e.field() == PlanField::Activity(0, ActivityField::Deliverable)));
}

#[test]
fn alignment_chain_must_descend() {
    let mut d = draft();
    d.alignment.strategic_initiative = coded("4.1.1", "Otra");
    let errors = Plan::try_from_draft(d).unwrap_err().0;
    assert_eq!(
        errors,
        vec![PlanError::AlignmentChain {
            field: PlanField::StrategicInitiative,
            parent: "5.5".into(),
            child: "4.1.1".into()
        }]
    );
}

#[test]
fn diff_lists_added_removed_and_changed_activities_field_by_field() {
    let old = draft();
    let mut new = draft();
    new.title = "Plan 2025, versión corregida".into();
    new.activities.retain(|a| a.number.get() != 1);
    new.activities[0].end = date(2025, 12, 31);
    new.activities[0].deliverable = "Informe final".into();
    let mut extra = activity(9, date(2025, 3, 1), date(2025, 3, 31), &["OAPLA"]);
    extra.description = "Nueva actividad".into();
    new.activities.push(extra);

    let d = crate::diff::diff(&old, &new);
    assert_eq!(d.header.len(), 1);
    assert_eq!(d.header[0].field, "Título");
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.added[0].number.get(), 9);
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.removed[0].number.get(), 1);
    assert_eq!(d.changed.len(), 1);
    let fields: Vec<&str> = d.changed[0].changes.iter().map(|c| c.field).collect();
    assert_eq!(fields, vec!["Fecha final", "Producto o entregable"]);
    assert_eq!(d.changed[0].changes[0].after, "2025-12-31");
    assert!(crate::diff::diff(&old, &old).is_empty());
}

#[test]
fn activity_dates_far_from_the_vigencia_are_refused() {
    // The year before and the year after are fine: preparation, a closing report.
    let mut d = draft();
    d.activities[0].start = date(2024, 1, 1);
    d.activities[0].end = date(2026, 12, 31);
    assert!(Plan::try_from_draft(d).is_ok());

    // An activity ending 9999-12-31 made the follow-up page cost seconds and the plan
    // page megabytes.
    let mut d = draft();
    d.activities[0].end = date(9999, 12, 31);
    d.activities[1].start = date(2023, 12, 31);
    let errors = Plan::try_from_draft(d.clone()).unwrap_err().0;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0].field(),
        PlanField::Activity(0, ActivityField::End)
    );
    assert_eq!(
        errors[0].to_string(),
        "la fecha final de la actividad 2 (31 dic 9999) está lejos de la vigencia 2025: las fechas de sus actividades van del 1 ene 2024 al 31 dic 2026"
    );
    assert_eq!(
        errors[1].field(),
        PlanField::Activity(1, ActivityField::Start)
    );
    assert!(errors[1]
        .to_string()
        .starts_with("la fecha inicial de la actividad 1"));

    // A plan saved before the rule existed still reads back from the database.
    let saved = Plan::from_saved(d.clone()).unwrap();
    assert_eq!(
        activity_window(2025),
        (date(2024, 1, 1), date(2026, 12, 31))
    );

    // Editing it: what the edit leaves untouched is not refused, what it adds or moves
    // is checked, and a new vigencia checks everything.
    let mut kept = d.clone();
    kept.activities[1].start = date(2025, 2, 1);
    kept.activities[1].description = "Otra descripción".into();
    assert!(
        Plan::try_edit(&saved, kept.clone()).is_ok(),
        "the 9999 activity is left alone"
    );
    let mut removed = d.clone();
    removed.activities.remove(1);
    assert!(Plan::try_edit(&saved, removed).is_ok());
    let mut moved = kept.clone();
    moved.activities[0].end = date(9998, 1, 1);
    assert_eq!(Plan::try_edit(&saved, moved).unwrap_err().0.len(), 1);
    let mut other_year = kept;
    other_year.year = crate::PlanYear::new(2026).unwrap();
    assert!(Plan::try_edit(&saved, other_year).is_err());
}

/// A valid plan of the test draft's header whose activities have `numbers`, each in
/// its own month of 2025 (for other modules' tests).
pub(crate) fn plan_with(numbers: &[u32]) -> Plan {
    let mut d = draft();
    d.activities = numbers
        .iter()
        .map(|n| activity(*n, date(2025, *n, 1), date(2025, *n, 20), &["OAPLA"]))
        .collect();
    Plan::try_from_draft(d).unwrap()
}
