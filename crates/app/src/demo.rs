//! A demo anyone can open: the seed plan moved to the year of a date, approved and
//! published, with the activity of that year up to the date — progress reports with
//! evidence (some published), internal control's reviews and one return, closed periods,
//! a hearing with registrations, questions and answers, a survey with a few hundred
//! answers, a forum, events with attendance, channel figures and suggestions.
//!
//! Everything is written through the store's own functions, as the web pages write it,
//! so every page shows what real use would. The same date gives the same demo: the
//! variety comes from a small seeded generator, never from the clock or the system's
//! randomness (timestamps are the moment it runs).

use crate::Error;
use chrono::{Datelike, NaiveDate};
use participa_domain::account::PasswordOrigin;
use participa_domain::followup::{
    expected_progress, periods, Aggregation, Decision, Indicator, ProgressInput, ReviewInput,
    Sufficiency,
};
use participa_domain::participation::forum::{CommentStatus, Moderation, NewComment};
use participa_domain::participation::suggestions::{
    Category, NewSuggestion, SuggestionStatus, TrackingCode,
};
use participa_domain::participation::survey::{check_question, QuestionKind};
use participa_domain::participation::ConsultationKind;
use participa_domain::{Plan, PlanYear, Role, Transition};
use participa_store::{
    Acta, Actor, AuditAction, Change, ConsultationData, EventData, HearingData, NewRegistration,
    NewReport, Objects, Store, UserData,
};
use std::collections::BTreeMap;

/// The password of every demo account (the demo is for looking around, never for use).
pub const DEMO_PASSWORD: &str = "demostración participa 2026";

/// What the demo holds: its accounts and a few counts, for the command line to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    pub plan_id: i64,
    /// (user name, full name, role in words).
    pub accounts: Vec<(String, String, &'static str)>,
    pub reports: usize,
    pub survey_answers: usize,
    pub suggestions: usize,
}

/// A tiny deterministic generator (a linear congruential one): the demo varies its
/// figures without depending on the system's randomness.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self) -> [u8; 8] {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.next() as u8;
        }
        b
    }
}

fn shift_year(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28))
        .unwrap_or(d)
}

/// `plan` moved to `year`: the vigencia, the title's year and every activity date.
fn moved_to(plan: Plan, year: i32) -> Result<Plan, Error> {
    let from = plan.year.get();
    let years = year - from;
    let mut draft = plan.into_draft();
    draft.year = PlanYear::new(year).map_err(|e| Error::Internal(e.to_string()))?;
    draft.title = draft.title.replace(&from.to_string(), &year.to_string());
    for a in &mut draft.activities {
        a.start = shift_year(a.start, years);
        a.end = shift_year(a.end, years);
    }
    Plan::try_from_draft(draft).map_err(|e| Error::Internal(format!("{e:?}")))
}

/// A piece of evidence named `file`, checked as an upload is.
fn demo_evidence(file: &str) -> Result<participa_store::CheckedEvidence, Error> {
    participa_store::check_evidence(
        file,
        evidence_pdf(file),
        participa_store::DEFAULT_EVIDENCE_LIMIT,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}

/// A small, valid PDF standing for a piece of evidence.
fn evidence_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
         3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n\
         % {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

/// What an office writes about an activity in a period, by the activity's kind of work.
fn narrative(description: &str, period: &str, percent: f64) -> String {
    let d = description.to_lowercase();
    let what = if d.contains("feria") {
        "Se realizaron las ferias programadas con afiliados y sus familias; se registró la asistencia y la satisfacción."
    } else if d.contains("capacitac") || d.contains("educación") || d.contains("educacion") {
        "Se dictaron las sesiones previstas con los grupos de valor y se aplicó la encuesta de satisfacción al cierre."
    } else if d.contains("foro") || d.contains("encuesta") || d.contains("consulta") {
        "Se publicó la consulta en el sitio web, se divulgó por redes sociales y correo, y se consolidaron las respuestas."
    } else if d.contains("audiencia") || d.contains("rendición") || d.contains("rendicion") {
        "Se avanzó en la preparación de la audiencia: convocatoria, informe previo y logística de la transmisión."
    } else if d.contains("redes") || d.contains("web") || d.contains("canales") {
        "Se publicaron las piezas del periodo en los canales digitales y se midió la interacción de los afiliados."
    } else {
        "Se ejecutaron las acciones del cronograma con el apoyo de las dependencias responsables."
    };
    format!(
        "{period}: {what} Avance acumulado del {}.",
        crate::followup::pct(percent) + " %"
    )
}

/// Fills an empty database with the demo as it stands on `date`. `plan` is the seed plan
/// (with its tags), as the entity's document imports.
pub async fn build(
    store: &Store,
    objects: &Objects,
    plan: Plan,
    date: NaiveDate,
) -> Result<Demo, Error> {
    build_as(store, objects, plan, date, "").await
}

/// [`build`] for one more entity of a deployment: its user names start with `prefix`
/// (user names are unique in the deployment).
pub async fn build_as(
    store: &Store,
    objects: &Objects,
    plan: Plan,
    date: NaiveDate,
    prefix: &str,
) -> Result<Demo, Error> {
    // Another entity's demo draws other citizens' codes (they are unique in the
    // deployment): the prefix moves the seed.
    let salt = prefix
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)));
    let mut dice =
        Dice((u64::from(date.num_days_from_ce().unsigned_abs()) * 7919 + 17).wrapping_add(salt));
    let year = date.year().clamp(PlanYear::MIN, PlanYear::MAX);
    let plan = moved_to(plan, year)?;
    let system = Actor::system();
    let pid = store
        .insert_plan(&plan, Some("plan-participacion-ciudadana-demo.txt"))
        .await?;
    let id = pid.0;

    // Staff: planning, one office per responsible office, internal control, the CIGD.
    let hash = crate::accounts::hash_password(DEMO_PASSWORD.into()).await?;
    let names = [
        "María Fernanda Rojas",
        "Juan Camilo Pérez",
        "Diana Marcela Gómez",
        "Andrés Felipe Castro",
        "Luisa Fernanda Ortiz",
        "Carlos Eduardo Ramírez",
        "Paola Andrea Salazar",
        "Jorge Iván Moreno",
    ];
    let mut accounts = Vec::new();
    let mut actors: BTreeMap<String, Actor> = BTreeMap::new();
    let mut people: Vec<(String, String, Role, Vec<participa_domain::OfficeCode>)> = vec![
        ("planeacion".into(), names[0].into(), Role::Admin, vec![]),
        ("control".into(), names[1].into(), Role::Auditor, vec![]),
        ("cigd".into(), names[2].into(), Role::Approver, vec![]),
    ];
    for (i, o) in plan.offices.iter().enumerate() {
        people.push((
            o.code.as_str().to_lowercase(),
            names[(3 + i) % names.len()].into(),
            Role::Reporter,
            vec![o.code.clone()],
        ));
    }
    for (base, full_name, role, offices) in people {
        let username = format!("{prefix}{base}");
        let data = UserData {
            username: username.clone(),
            full_name: full_name.clone(),
            role,
            active: true,
            offices: offices.clone(),
            email: None,
            position: String::new(),
        };
        let user_id = store
            .create_user(
                &data,
                &hash,
                PasswordOrigin::Chosen,
                &Change {
                    actor: &system,
                    action: AuditAction::UserCreate,
                    plan_id: None,
                    subject: format!("usuario {username}"),
                    before: None,
                    after: Some(format!("rol {} (demostración)", role.label())),
                },
            )
            .await?;
        let actor = Actor {
            user_id: Some(user_id),
            username: username.clone(),
            address: None,
        };
        let key = offices
            .first()
            .map(|o| o.as_str().to_string())
            .unwrap_or_else(|| base.clone());
        actors.insert(key, actor);
        accounts.push((username, full_name, role.label()));
    }
    let admin = actors["planeacion"].clone();
    let auditor = actors["control"].clone();
    let approver = actors["cigd"].clone();

    // Formulation: the coverage findings accepted with a reason, then the cycle.
    for code in store.coverage(pid).await?.pending() {
        store
            .accept_finding(
                pid,
                &code,
                "Se acepta para la vigencia: la entidad lo atiende con otros instrumentos del MIPG.",
                &admin,
            )
            .await?;
    }
    let acta = Acta {
        number: format!("CIGD-{year}-01"),
        date: NaiveDate::from_ymd_opt(year, 1, 20).unwrap_or(date),
    };
    for (t, who) in [
        (Transition::Consolidate, &admin),
        (Transition::Review, &admin),
        (Transition::Approve, &approver),
        (Transition::Publish, &admin),
    ] {
        store.transition(pid, t, Some(&acta), who).await?;
    }

    // Indicators on a few activities.
    let mut indicators: BTreeMap<u32, (i64, f64)> = BTreeMap::new();
    for (activity, name, unit, target) in [
        (6, "Afiliados atendidos en ferias", "personas", 1200.0),
        (8, "Personas capacitadas", "personas", 400.0),
        (
            13,
            "Interacciones en redes sociales",
            "interacciones",
            5000.0,
        ),
    ] {
        if plan.activities.iter().any(|a| a.number.get() == activity) {
            let i = Indicator::new(name, unit, target, Aggregation::Sum)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let iid = store.add_indicator(pid, activity, &i, &admin).await?;
            indicators.insert(activity, (iid, target));
        }
    }

    // Follow-up: each period begun by `date`, each activity running in it.
    let f = store.followup(pid).await?;
    let frequency = f.settings.frequency;
    let calendar = store.calendar().await?;
    let close_after = store.reporting_days(date).await?;
    let mut reports = 0;
    let mut last: BTreeMap<u32, f64> = BTreeMap::new();
    for p in periods(year, frequency) {
        if p.start > date {
            break;
        }
        let window = p.window(&calendar, close_after);
        let finished = window.closes < date;
        let name = p.name(frequency);
        for a in plan
            .activities
            .iter()
            .filter(|a| a.start <= p.cut_off && a.end >= p.start)
        {
            let n = a.number.get();
            let Some(office) = a.responsible.first() else {
                continue;
            };
            let Some(reporter) = actors.get(office.as_str()).cloned() else {
                continue;
            };
            let at = p.cut_off.min(date);
            // Offices report at the cut-off (today in the open period) and internal
            // control reviews three business days later, never before the report nor
            // after now: the progress curve then has a past.
            let sent = moment(at, 16);
            let reviewed = moment(calendar.add_business_days(at, 3).min(date), 11).max(sent);
            let expected = expected_progress(&calendar, a.start, a.end, at);
            // Most activities keep pace; some fall behind (a plan's real life).
            let pace = [1.0, 1.0, 0.95, 0.9, 0.75, 0.6][dice.below(6) as usize];
            let percent = ((expected * pace).round())
                .clamp(0.0, 100.0)
                .max(*last.get(&n).unwrap_or(&0.0));
            if percent <= 0.0 {
                continue;
            }
            last.insert(n, percent);
            let evidence =
                demo_evidence(&format!("evidencia-actividad-{n}-periodo-{}.pdf", p.number))?;
            let figures = indicators
                .get(&n)
                .map(|(iid, target)| {
                    vec![(
                        *iid,
                        (target / 3.0 * pace * (0.8 + dice.below(40) as f64 / 100.0)).round(),
                    )]
                })
                .unwrap_or_default();
            let input = ProgressInput {
                percent,
                narrative: narrative(&a.description, &name, percent),
                difficulties: if pace < 0.8 {
                    "La agenda de los grupos de valor obligó a reprogramar algunas sesiones.".into()
                } else {
                    String::new()
                },
                corrective_actions: if pace < 0.8 {
                    "Se programaron jornadas adicionales en el siguiente periodo.".into()
                } else {
                    String::new()
                },
                decrease_justification: String::new(),
            };
            store
                .submit_report_at(
                    NewReport {
                        plan_id: pid,
                        activity: n,
                        period: p.number,
                        input: input.clone(),
                        figures: figures.clone(),
                        evidence: vec![evidence],
                        correction: None,
                    },
                    objects,
                    &reporter,
                    sent,
                )
                .await?;
            reports += 1;
            // Internal control reviews what is due; in the open period it has reviewed
            // about half. The first period's report of the social-media activity is
            // returned once for a missing link, then sent again and accepted.
            let review_now = finished || dice.below(2) == 0;
            if !review_now {
                continue;
            }
            if p.number == 1 && n == 13 {
                store
                    .review_report_at(
                        pid,
                        n,
                        p.number,
                        &ReviewInput {
                            decision: Decision::Return,
                            verified_percent: None,
                            sufficiency: Sufficiency::Partial,
                            observations: "Falta el enlace a las publicaciones del periodo.".into(),
                            recommendations: "Adjunte el reporte de la red social con las fechas."
                                .into(),
                        },
                        &auditor,
                        reviewed,
                    )
                    .await?;
                let mut again = input.clone();
                again.narrative += " Enlace: https://www.tiktok.com/@entidad (reporte adjunto).";
                let evidence = demo_evidence(&format!("reporte-redes-periodo-{}.pdf", p.number))?;
                store
                    .submit_report_at(
                        NewReport {
                            plan_id: pid,
                            activity: n,
                            period: p.number,
                            input: again,
                            figures: figures.clone(),
                            evidence: vec![evidence],
                            correction: None,
                        },
                        objects,
                        &reporter,
                        later(reviewed, 2),
                    )
                    .await?;
                reports += 1;
            }
            let verified = if dice.below(4) == 0 {
                (percent - 5.0).max(0.0)
            } else {
                percent
            };
            store
                .review_report_at(
                    pid,
                    n,
                    p.number,
                    &ReviewInput {
                        decision: Decision::Accept,
                        verified_percent: Some(verified),
                        sufficiency: Sufficiency::Yes,
                        observations: "Evidencia suficiente y coherente con el avance.".into(),
                        recommendations: String::new(),
                    },
                    &auditor,
                    later(reviewed, 4),
                )
                .await?;
        }
        if finished {
            store.close_period(pid, p.number, &auditor).await?;
        }
    }
    // The offices publish the evidence of their even-numbered activities (none of these
    // files holds personal data).
    let f = store.followup(pid).await?;
    for r in f.reports.iter().filter(|r| r.activity % 2 == 0) {
        for e in &r.evidence {
            store.set_evidence_public(e.id, true, &admin).await?;
        }
    }

    let groups: Vec<String> = store
        .value_groups()
        .await?
        .into_iter()
        .map(|g| g.code)
        .collect();
    let group = |i: u64| {
        groups
            .get(i as usize % groups.len().max(1))
            .cloned()
            .unwrap_or_default()
    };
    let activity_date = |n: u32, fallback: NaiveDate| {
        plan.activities
            .iter()
            .find(|a| a.number.get() == n)
            .map(|a| a.start)
            .unwrap_or(fallback)
    };

    // The accountability hearing (activity 4), with registrations, questions, answers.
    let held_on = activity_date(4, date) + chrono::Duration::days(14);
    let hearing = store
        .create_hearing(
            &HearingData {
                title: format!("Audiencia pública de rendición de cuentas {year}"),
                held_on,
                starts_at: "09:00".into(),
                place: "Auditorio de la sede principal, Bogotá D.C.".into(),
                stream_url: "https://www.youtube.com/@entidad/live".into(),
                report_url: "https://www.entidad.gov.co/transparencia/informe-rendicion".into(),
                report_published_on: Some(held_on - chrono::Duration::days(30)),
                convocation: "Sitio web, redes sociales, correo a afiliados y carteleras".into(),
                activity: Some((id, 4)),
            },
            &admin,
        )
        .await?;
    let first_names = [
        "Ana", "Luis", "Marta", "Pedro", "Sofía", "Jaime", "Rosa", "Iván",
    ];
    let last_names = [
        "García",
        "Rodríguez",
        "Martínez",
        "López",
        "Hernández",
        "Díaz",
    ];
    for i in 0..28u64 {
        let name = format!(
            "{} {}",
            first_names[dice.below(8) as usize],
            last_names[dice.below(6) as usize]
        );
        let code = TrackingCode::with_prefix("IN", dice.bytes());
        store
            .register_for_hearing(
                hearing,
                &NewRegistration {
                    code: code.as_str(),
                    name: &name,
                    email: None,
                    phone: None,
                    value_group: &group(i),
                    consent_purpose: "Inscripción a la audiencia pública de rendición de cuentas",
                },
            )
            .await?;
    }
    let questions = [
        (
            "¿Cuántos subsidios de vivienda se entregaron en el año y en qué regiones?",
            true,
        ),
        (
            "¿Qué se hará para reducir el tiempo de respuesta de los trámites?",
            true,
        ),
        (
            "Propongo ferias de vivienda en los municipios con bases militares pequeñas.",
            true,
        ),
        (
            "¿Cómo se usaron los resultados de la encuesta previa a la audiencia?",
            true,
        ),
        (
            "¿Habrá atención presencial los sábados en las regionales?",
            false,
        ),
        ("¿Cuándo se publica el informe de gestión completo?", false),
    ];
    for (text, answered) in questions {
        let code = TrackingCode::with_prefix("AP", dice.bytes());
        let q = store
            .ask_question(hearing, code.as_str(), text, None)
            .await?;
        if answered {
            store
                .answer_question(
                    hearing,
                    q,
                    "Gracias por su pregunta. La respuesta quedó en el acta de la audiencia y en el informe publicado en el sitio web.",
                    &admin,
                )
                .await?;
        }
    }

    // The survey before the hearing (activity 2), with a few hundred answers.
    let survey_opens = activity_date(2, date);
    let survey = store
        .create_consultation(
            &ConsultationData {
                title: format!("Encuesta de temas para la rendición de cuentas {year}"),
                description:
                    "Cuéntenos qué temas quiere que la entidad explique en la audiencia pública."
                        .into(),
                opens_on: survey_opens,
                closes_on: survey_opens + chrono::Duration::days(20),
                activity: Some((id, 2)),
                kind: ConsultationKind::Survey,
                identification: false,
            },
            &admin,
        )
        .await?;
    let topics = [
        "Vivienda y subsidios",
        "Trámites y tiempos de respuesta",
        "Ahorro y cesantías",
        "Atención en regiones",
    ];
    let mut qs = Vec::new();
    for (text, kind) in [
        (
            "¿Qué tema quiere oír en la audiencia?",
            QuestionKind::from_code("unica", &topics.join("\n")),
        ),
        (
            "¿Cómo califica la información que publica la entidad?",
            QuestionKind::from_code("escala", ""),
        ),
        (
            "¿Qué pregunta le haría a la entidad?",
            QuestionKind::from_code("texto", ""),
        ),
    ] {
        let kind = kind.map_err(|e| Error::Internal(e.to_string()))?;
        let q = check_question(&qs, text, kind, false, None)
            .map_err(|e| Error::Internal(e.to_string()))?;
        store.add_consultation_question(survey, &q, &admin).await?;
        qs.push(q);
    }
    let open_texts = [
        "¿Cuándo se abre la próxima convocatoria de vivienda?",
        "Quisiera saber cómo consultar mis cesantías en línea.",
        "¿Por qué demora tanto la respuesta de los trámites?",
        "Pido más ferias en las regiones apartadas.",
    ];
    let survey_answers = 300;
    let mut responses = Vec::with_capacity(survey_answers);
    for _ in 0..survey_answers {
        let mut answers: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        let t = [0, 0, 0, 1, 1, 2, 3][dice.below(7) as usize];
        answers.insert(1, vec![topics[t].to_string()]);
        answers.insert(2, vec![(2 + dice.below(4)).to_string()]);
        if dice.below(3) == 0 {
            answers.insert(3, vec![open_texts[dice.below(4) as usize].to_string()]);
        }
        responses.push(participa_store::NewResponse {
            consultation: survey,
            answers,
            identification: None,
        });
    }
    // In one transaction, as the group-commit writer would under load.
    for stored in store.add_responses(&responses).await {
        stored?;
    }
    if survey_opens + chrono::Duration::days(20) < date {
        store
            .publish_consultation_results(survey, true, &admin)
            .await?;
    }

    // A forum on the next year's plan (activity 5), moderated after publication.
    let forum = store
        .create_consultation(
            &ConsultationData {
                title: format!(
                    "Foro: ¿qué debe incluir el plan de participación {}?",
                    year + 1
                ),
                description: "Proponga espacios de participación para el próximo año.".into(),
                opens_on: activity_date(5, date),
                closes_on: activity_date(5, date) + chrono::Duration::days(30),
                activity: Some((id, 5)),
                kind: ConsultationKind::Forum(Moderation::After),
                identification: false,
            },
            &admin,
        )
        .await?;
    let topic = store
        .add_forum_topic(
            forum,
            "Espacios de participación en las regiones",
            "¿Qué espacios le gustaría tener en su región?",
            &admin,
        )
        .await?;
    for (body, author) in [
        (
            "Ferias de servicio en Tolemaida y en Larandia, con atención de vivienda.",
            Some("Sofía Díaz"),
        ),
        (
            "Transmitir la audiencia con intérprete de lengua de señas.",
            None,
        ),
        (
            "Encuestas cortas por WhatsApp después de cada trámite.",
            Some("Pedro López"),
        ),
        (
            "Charlas de educación financiera para familias de soldados profesionales.",
            None,
        ),
        (
            "Un chat en el sitio web para resolver dudas de cesantías.",
            None,
        ),
        (
            "Reuniones con los pensionados en las ciudades intermedias.",
            Some("Rosa García"),
        ),
    ] {
        store
            .add_forum_comment(
                topic,
                &NewComment {
                    body: body.into(),
                    author: author.map(String::from),
                    parent: None,
                },
                CommentStatus::Published,
            )
            .await?;
    }

    // Events with attendance (fairs, pre-retirement, trainings, financial education,
    // housing fairs), those held by `date` with their figures.
    for (activity, title, offset, modality, place, territory) in [
        (
            6,
            "Feria de servicios en Tolemaida",
            20,
            "presencial",
            "Fuerte Militar de Tolemaida",
            "Tolima",
        ),
        (
            6,
            "Feria de servicios en Cali",
            80,
            "presencial",
            "Batallón Pichincha",
            "Valle del Cauca",
        ),
        (
            7,
            "Taller de preparación para el retiro",
            40,
            "virtual",
            "Transmisión por Teams",
            "",
        ),
        (
            8,
            "Capacitación en la Escuela de Suboficiales",
            30,
            "presencial",
            "Escuela Militar de Suboficiales",
            "Cundinamarca",
        ),
        (
            10,
            "Educación financiera para el hogar",
            50,
            "virtual",
            "Transmisión en vivo",
            "",
        ),
        (
            12,
            "Feria inmobiliaria virtual",
            60,
            "virtual",
            "Sitio web de la entidad",
            "",
        ),
    ] {
        let held = activity_date(activity, date) + chrono::Duration::days(offset);
        let done = held <= date;
        let attendees = if done { 40 + dice.below(160) as i64 } else { 0 };
        let mut by_group = BTreeMap::new();
        if done {
            by_group.insert(group(0), attendees * 2 / 3);
            by_group.insert(group(1), attendees - attendees * 2 / 3);
        }
        let answered = if done { attendees / 2 } else { 0 };
        store
            .create_event(
                &EventData {
                    activity: Some((id, activity)),
                    title: title.into(),
                    held_on: held,
                    modality: modality.into(),
                    place: place.into(),
                    territory: territory.into(),
                    attendees,
                    by_group,
                    satisfaction_sum: answered * 4 + answered / 3,
                    satisfaction_count: answered,
                },
                &admin,
            )
            .await?;
    }

    // Channel figures, month by month up to `date`.
    for (activity, channel, metric, base, aggregation) in [
        (
            9,
            "centro_contacto",
            "llamadas atendidas",
            5200.0,
            Aggregation::Sum,
        ),
        (
            13,
            "redes_sociales",
            "seguidores",
            48000.0,
            Aggregation::Last,
        ),
        (14, "sitio_web", "visitas", 61000.0, Aggregation::Sum),
    ] {
        let rows: Vec<(i32, u32, String, f64, Aggregation)> = (1..=date.month())
            .map(|m| {
                let value = if aggregation == Aggregation::Last {
                    base + f64::from(m) * 650.0
                } else {
                    base + dice.below(1500) as f64
                };
                (year, m, metric.to_string(), value, aggregation)
            })
            .collect();
        if plan.activities.iter().any(|a| a.number.get() == activity) {
            store
                .import_channel_figures(
                    id,
                    activity,
                    channel,
                    &rows,
                    "cifras-canales-demo.csv",
                    &admin,
                )
                .await?;
        }
    }

    // Suggestions: answered within the term, in progress, one overdue, some received.
    let term = store.term("peticion.general", date).await?;
    let due = term.deadline(&calendar, date).unwrap_or(date);
    let suggestions = [
        (Category::Housing, "Solicito más información sobre los requisitos del subsidio de vivienda para suboficiales.", SuggestionStatus::Answered),
        (Category::Digital, "El sitio web no carga bien el estado de cuenta desde el celular.", SuggestionStatus::Answered),
        (Category::Service, "La atención en la regional de Medellín fue muy amable y rápida, gracias.", SuggestionStatus::Closed),
        (Category::Procedures, "Propongo que el trámite de retiro de cesantías se pueda hacer en línea.", SuggestionStatus::InProgress),
        (Category::Savings, "No entiendo cómo se calculan los intereses de mi ahorro; pido una explicación sencilla.", SuggestionStatus::Received),
        (Category::Participation, "Me gustaría que la audiencia de rendición de cuentas tenga traducción a lengua de señas.", SuggestionStatus::Received),
        (Category::Housing, "¿Hay proyectos de vivienda en Villavicencio para el próximo año?", SuggestionStatus::Received),
    ];
    let mut overdue_set = false;
    for (category, text, status) in suggestions {
        let s = NewSuggestion::check(category.as_str(), text)
            .map_err(|e| Error::Internal(format!("{e:?}")))?;
        // One suggestion still waiting is already past its term.
        let due_on = if status == SuggestionStatus::Received && !overdue_set {
            overdue_set = true;
            date - chrono::Duration::days(3)
        } else {
            due
        };
        let code = TrackingCode::with_prefix("SG", dice.bytes());
        let sid = store.create_suggestion(&code, &s, None, due_on).await?;
        let answer = match status {
            SuggestionStatus::Answered | SuggestionStatus::Closed => Some(
                "Gracias por escribirnos. Revisamos su caso y le compartimos la información en el sitio web de la entidad.",
            ),
            _ => None,
        };
        if status == SuggestionStatus::Closed {
            store
                .update_suggestion(sid, SuggestionStatus::Answered, answer, &admin)
                .await?;
        }
        if status != SuggestionStatus::Received {
            store.update_suggestion(sid, status, answer, &admin).await?;
        }
    }

    Ok(Demo {
        plan_id: id,
        accounts,
        reports,
        survey_answers,
        suggestions: suggestions.len(),
    })
}

/// `hours` after `at`, and never later than now.
fn later(at: chrono::DateTime<chrono::Utc>, hours: i64) -> chrono::DateTime<chrono::Utc> {
    (at + chrono::Duration::hours(hours)).min(chrono::Utc::now())
}

/// `hour` o'clock in Colombia on `day`, and never later than now (a demo built for
/// today has nothing in the future).
fn moment(day: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    crate::dates::colombia_hour(day, hour).min(chrono::Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dice_repeat_for_the_same_seed() {
        let (mut a, mut b) = (Dice(42), Dice(42));
        let x: Vec<u64> = (0..5).map(|_| a.below(100)).collect();
        let y: Vec<u64> = (0..5).map(|_| b.below(100)).collect();
        assert_eq!(x, y);
        assert!(x.iter().all(|v| *v < 100));
    }

    #[test]
    fn a_leap_day_moves_to_the_28th() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            shift_year(d, 1),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        assert_eq!(
            shift_year(NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(), 1),
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
        );
    }
}
