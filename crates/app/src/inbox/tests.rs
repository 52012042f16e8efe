use super::*;
use chrono::{DateTime, TimeZone, Utc};
use participa_domain::followup::{ProgressInput, Sufficiency};
use participa_domain::{
    Activity, ActivityNumber, Alignment, AlignmentCode, CodedText, LegalFramework, Office,
    OfficeCode, OfficeRole, PlanDraft, PlanYear, Role,
};
use participa_store::{Closure, PlanId, ReportRecord, ReviewRecord};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Noon in Colombia on that date.
fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 17, 0, 0).unwrap()
}

fn code(s: &str) -> OfficeCode {
    OfficeCode::parse(s).unwrap()
}

fn who(role: Role, offices: &[&str]) -> Actor {
    Actor {
        role,
        offices: offices.iter().map(|o| code(o)).collect(),
    }
}

fn activity(n: u32, start: NaiveDate, end: NaiveDate, offices: &[&str]) -> Activity {
    Activity {
        number: ActivityNumber::new(n).unwrap(),
        description: format!("Actividad número {n}"),
        start,
        end,
        responsible: offices.iter().map(|c| code(c)).collect(),
        responsible_text: "Oficina".into(),
        deliverable: "Informe".into(),
        tags: Default::default(),
        details: Default::default(),
    }
}

fn coded(c: &str, t: &str) -> CodedText {
    CodedText {
        code: AlignmentCode::parse(c).unwrap(),
        text: t.into(),
    }
}

/// A 2025 plan: 1 (OAPLA-ARCOM) Feb–Mar, 2 (ARCOM) Mar–Apr, 3 (ARCOM) the whole year,
/// 4 (OAPLA) Jan–Apr, 5 (OAPLA) Jan–Feb.
fn plan() -> Plan {
    Plan::try_from_draft(PlanDraft {
        entity: "Caja Honor".into(),
        title: "Plan 2025".into(),
        year: PlanYear::new(2025).unwrap(),
        alignment: Alignment {
            policy: "Participación ciudadana".into(),
            strategic_objective: coded("5", "Objetivo"),
            office_objective: coded("5.5", "Objetivo de la dependencia"),
            strategic_initiative: coded("5.5.1", "Iniciativa"),
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
            activity(1, d(2025, 2, 5), d(2025, 3, 14), &["OAPLA", "ARCOM"]),
            activity(2, d(2025, 3, 10), d(2025, 4, 4), &["ARCOM"]),
            activity(3, d(2025, 1, 1), d(2025, 12, 31), &["ARCOM"]),
            activity(4, d(2025, 1, 2), d(2025, 4, 30), &["OAPLA"]),
            activity(5, d(2025, 1, 2), d(2025, 2, 28), &["OAPLA"]),
        ],
        signatures: vec![],
        version: None,
    })
    .unwrap()
}

fn report(id: i64, activity: u32, period: u32, percent: f64, when: DateTime<Utc>) -> ReportRecord {
    ReportRecord {
        id,
        activity,
        period,
        input: ProgressInput {
            percent,
            narrative: "Lo hecho".into(),
            difficulties: String::new(),
            corrective_actions: String::new(),
            decrease_justification: String::new(),
        },
        correction: None,
        by: Some("Carlos".into()),
        at: when,
        figures: vec![],
        evidence: vec![],
        reviews: vec![],
    }
}

fn review(report_id: i64, decision: Decision, verified: f64, when: DateTime<Utc>) -> ReviewRecord {
    ReviewRecord {
        id: report_id * 10,
        report_id,
        decision,
        verified_percent: (decision == Decision::Accept).then_some(verified),
        sufficiency: Sufficiency::Partial,
        observations: "Falta el acta de la reunión".into(),
        recommendations: "Adjunte el acta firmada".into(),
        by: Some("Control interno".into()),
        at: when,
    }
}

/// Wednesday 11 June 2025: period 1 (cut-off 30 April) has closed for reporting, period
/// 2 (cut-off 31 August) is due next.
fn today() -> NaiveDate {
    d(2025, 6, 11)
}

/// Activity 1's period-1 report returned; activity 3's accepted on Monday (this week);
/// activity 4's waiting for review; activity 5's accepted in May; activity 2 never
/// reported (overdue).
fn followup() -> FollowUp {
    let mut r1 = report(1, 1, 1, 50.0, at(2025, 4, 20));
    r1.reviews
        .push(review(1, Decision::Return, 0.0, at(2025, 5, 2)));
    let mut r3 = report(3, 3, 1, 40.0, at(2025, 5, 5));
    r3.reviews
        .push(review(3, Decision::Accept, 40.0, at(2025, 6, 9)));
    let r4 = report(4, 4, 1, 60.0, at(2025, 5, 8));
    let mut r5 = report(5, 5, 1, 100.0, at(2025, 3, 1));
    r5.reviews
        .push(review(5, Decision::Accept, 100.0, at(2025, 5, 20)));
    FollowUp {
        reports: vec![r5, r1, r3, r4],
        ..Default::default()
    }
}

fn items_for(actor: &Actor, f: &FollowUp) -> Vec<(String, String)> {
    followup_items(actor, 7, &plan(), f, &Calendar::new([]), 10, today())
        .into_iter()
        .map(|i| (i.title, i.link))
        .collect()
}

fn link(activity: u32, anchor: &str) -> String {
    format!("/admin/planes/7/seguimiento/actividades/{activity}{anchor}")
}

#[test]
fn a_responsible_office_sees_what_it_owes_what_was_returned_and_what_is_late() {
    let f = followup();
    let arcom = who(Role::Reporter, &["ARCOM"]);
    assert_eq!(
        items_for(&arcom, &f),
        vec![
            (
                "Actividad 3: reportar el avance del Cuatrimestre 2 (corte 31 ago 2025)".into(),
                link(3, "#reportar")
            ),
            (
                "Actividad 1: control interno devolvió el reporte del Cuatrimestre 1 (corte 30 abr 2025)"
                    .into(),
                link(1, "#reportar")
            ),
            ("Actividad 2: vencida".into(), link(2, "#reportar")),
        ]
    );
    let all = followup_items(&arcom, 7, &plan(), &f, &Calendar::new([]), 10, today());
    let returned = &all[1];
    assert_eq!(
        returned.detail.as_deref(),
        Some("Observaciones de control interno: Falta el acta de la reunión Recomendaciones: Adjunte el acta firmada")
    );
    let owed = &all[0];
    let (due, how) = owed.due.unwrap();
    assert!(due > d(2025, 8, 31), "{due}");
    assert_eq!(how, Urgency::OnTime);
    // Another office never sees ARCOM's activities, only its own.
    let oapla = items_for(&who(Role::Reporter, &["OAPLA"]), &f);
    assert!(oapla
        .iter()
        .all(|(_, l)| !l.contains("actividades/2") && !l.contains("actividades/3")));
    assert!(oapla.contains(&("Actividad 4: vencida".into(), link(4, "#reportar"))));
}

#[test]
fn internal_control_sees_reports_to_review_and_periods_to_close() {
    let f = followup();
    let oci = who(Role::Auditor, &[]);
    assert_eq!(
        items_for(&oci, &f),
        vec![
            (
                "Actividad 4 (OAPLA): reporte del Cuatrimestre 1 (corte 30 abr 2025) por revisar"
                    .into(),
                link(4, "#revisar")
            ),
            (
                "Plan 2025: Cuatrimestre 1 (corte 30 abr 2025) puede cerrarse".into(),
                "/admin/planes/7/seguimiento#periodos".into()
            ),
        ]
    );
    // Once the period is closed, nothing of it waits any more.
    let mut closed = f.clone();
    closed.closures.push(Closure {
        period: 1,
        by: None,
        at: at(2025, 6, 10),
    });
    assert!(items_for(&oci, &closed).is_empty());
    assert!(
        items_for(&who(Role::Reporter, &["ARCOM"]), &closed)
            .iter()
            .all(|(t, _)| !t.contains("devolvió")),
        "a returned report of a closed period is no longer asked for"
    );
}

#[test]
fn the_planning_office_sees_the_reports_accepted_this_week_only() {
    let f = followup();
    let admin = who(Role::Admin, &[]);
    assert_eq!(
        items_for(&admin, &f),
        vec![(
            "Actividad 3: control interno aceptó el reporte del Cuatrimestre 1 (corte 30 abr 2025)"
                .into(),
            link(3, "")
        )]
    );
    assert!(items_for(&who(Role::Approver, &[]), &f).is_empty());
}

fn summary(id: i64, status: PlanStatus) -> PlanSummary {
    PlanSummary {
        id: PlanId(id),
        entity: "Caja Honor".into(),
        year: 2025,
        title: format!("Plan {id}"),
        activity_count: 3,
        version: 1,
        status,
    }
}

fn step(plan_id: i64, transition: Transition) -> PlanStep {
    PlanStep {
        plan_id,
        transition,
        at: at(2025, 1, 20),
        by: "Ana Aprobadora".into(),
    }
}

#[test]
fn each_role_sees_the_plans_waiting_for_it() {
    let plans = [
        summary(1, PlanStatus::Draft),
        summary(2, PlanStatus::Draft),
        summary(3, PlanStatus::Consolidated),
        summary(4, PlanStatus::Reviewed),
        summary(5, PlanStatus::Approved),
        summary(6, PlanStatus::Published),
    ];
    let steps = [
        step(1, Transition::ReturnToDraft),
        step(3, Transition::Consolidate),
        step(4, Transition::Review),
        step(5, Transition::Approve),
        step(6, Transition::Publish),
    ];
    let pending = [(1, 0), (2, 2)];
    let titles = |actor: &Actor| -> Vec<(String, String)> {
        plan_items(actor, &plans, &steps, &pending, today())
            .into_iter()
            .map(|i| (i.title, i.link))
            .collect()
    };
    assert_eq!(
        titles(&who(Role::Admin, &[])),
        vec![
            (
                "Plan 1: Ana Aprobadora lo devolvió a borrador el 20 ene 2025".into(),
                "/admin/planes/1".into()
            ),
            (
                "Plan 2: 2 hallazgos de la verificación de cobertura por resolver antes de consolidar"
                    .into(),
                "/admin/planes/2/cobertura".into()
            ),
            (
                "Plan 3: consolidado, falta marcarlo como revisado".into(),
                "/admin/planes/3#estado".into()
            ),
            (
                "Plan 5: aprobado, falta publicarlo".into(),
                "/admin/planes/5#estado".into()
            ),
        ]
    );
    assert_eq!(
        titles(&who(Role::Approver, &[])),
        vec![(
            "Plan 4: revisado, espera su aprobación".into(),
            "/admin/planes/4#estado".into()
        )]
    );
    assert!(titles(&who(Role::Auditor, &[])).is_empty());
    assert!(titles(&who(Role::Reporter, &["ARCOM"])).is_empty());
    // One finding reads in the singular.
    let one = plan_items(
        &who(Role::Admin, &[]),
        &plans[1..2],
        &[],
        &[(2, 1)],
        today(),
    );
    assert!(one[0]
        .title
        .contains(": 1 hallazgo de la verificación de cobertura por"));
}

#[test]
fn citizens_items_are_listed_near_or_past_their_deadline_for_the_planning_office() {
    let suggestion = |id: i64, due: NaiveDate| OpenSuggestion {
        id,
        code: format!("SG-AAAA-000{id}"),
        category: Some(participa_domain::participation::Category::Housing),
        text: "Más ferias de vivienda en Cali".into(),
        received: at(2025, 5, 20),
        due_on: due,
    };
    // 11 June: 13 June is two business days ahead, 30 June far.
    let suggestions = [
        suggestion(1, d(2025, 6, 30)),
        suggestion(2, d(2025, 6, 13)),
        suggestion(3, d(2025, 6, 10)),
    ];
    let question = |id: i64| OpenQuestion {
        id,
        hearing_id: 9,
        hearing_title: "Rendición de cuentas".into(),
        held_on: d(2025, 5, 20),
        text: "¿Habrá feria?".into(),
        at: at(2025, 5, 19),
    };
    let questions = [question(1), question(2)];
    let deadlines = [d(2025, 6, 11), d(2025, 7, 1)];
    let comment = |id: i64, forum: i64, day: u32| QueuedComment {
        id,
        consultation_id: forum,
        consultation_title: format!("Foro {forum}"),
        at: at(2025, 6, day),
    };
    let queue = [comment(1, 2, 1), comment(2, 2, 3), comment(3, 4, 2)];
    let cal = Calendar::new([]);
    let admin = who(Role::Admin, &[]);
    let items = participation_items(
        &admin,
        &suggestions,
        &questions,
        &deadlines,
        &queue,
        &cal,
        today(),
    );
    let got: Vec<(&str, Option<Urgency>, &str)> = items
        .iter()
        .map(|i| (i.title.as_str(), i.due.map(|d| d.1), i.link.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Sugerencia SG-AAAA-0002 (vivienda y soluciones habitacionales): responderla a más tardar el 13 jun 2025",
                Some(Urgency::Near),
                "/admin/sugerencias/2"
            ),
            (
                "Sugerencia SG-AAAA-0003 (vivienda y soluciones habitacionales): responderla a más tardar el 10 jun 2025",
                Some(Urgency::Past),
                "/admin/sugerencias/3"
            ),
            (
                "Pregunta para la audiencia «Rendición de cuentas»: responderla a más tardar el 11 jun 2025",
                Some(Urgency::Near),
                "/admin/audiencias/9#pregunta-1"
            ),
            (
                "Foro «Foro 2»: 2 comentarios esperan moderación",
                None,
                "/admin/consultas/2/moderacion"
            ),
            (
                "Foro «Foro 4»: 1 comentario espera moderación",
                None,
                "/admin/consultas/4/moderacion"
            ),
        ]
    );
    assert_eq!(items[3].since, d(2025, 6, 3), "the latest comment");
    for role in [Role::Reporter, Role::Auditor, Role::Approver] {
        assert!(participation_items(
            &who(role, &["ARCOM"]),
            &suggestions,
            &questions,
            &deadlines,
            &queue,
            &cal,
            today()
        )
        .is_empty());
    }
}

#[test]
fn the_list_shows_the_newest_first() {
    let item = |title: &str, since: NaiveDate| Item {
        area: Area::FollowUp,
        since,
        title: title.into(),
        detail: None,
        due: None,
        link: "/admin".into(),
        action: "Ver",
    };
    let sorted = newest_first(vec![
        item("old", d(2025, 1, 1)),
        item("new", d(2025, 6, 1)),
        item("new too", d(2025, 6, 1)),
        item("middle", d(2025, 3, 1)),
    ]);
    let titles: Vec<&str> = sorted.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["new", "new too", "middle", "old"]);
}

#[test]
fn long_texts_are_cut_with_an_ellipsis() {
    assert_eq!(excerpt("  corto  ", 10), "corto");
    assert_eq!(excerpt("una frase más larga", 9), "una frase…");
    assert_eq!(plural(1, "hallazgo", "hallazgos"), "1 hallazgo");
    assert_eq!(
        plural(1200, "hallazgo", "hallazgos"),
        "1\u{a0}200 hallazgos"
    );
}
