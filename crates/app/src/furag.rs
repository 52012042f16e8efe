//! The FURAG pre-fill of one plan: the platform's facts read from the store (the plan's
//! activities with their latest progress and evidence, the hearings, consultations,
//! events and channel figures tied to it, the suggestions and the published reports),
//! the proposals of [`participa_domain::furag`], and the same as a report (readiness
//! page, XLSX and PDF with the evidence index).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use participa_domain::furag::{
    prefill, ActivityFact, ConsultationFact, EventFact, Evidence, HearingFact, PlatformFacts,
    Proposal, Readiness,
};
use participa_domain::lifecycle::PlanStatus;
use participa_domain::participation::ConsultationKind;
use participa_domain::tagging::furag_catalogue;
use participa_reports::{Cell, DeliverableReport, Section};
use participa_store::{FuragReadiness, PlanId, Store, StoreError, SuggestionFilter};
use sha2::{Digest, Sha256};

use crate::dates::{colombia_date, fecha};

/// The built-in questionnaire of the plan's year: (code, question).
pub fn builtin_questionnaire(year: i32) -> Vec<(String, String)> {
    furag_catalogue(year)
        .unwrap_or_default()
        .into_iter()
        .map(|q| (q.code.to_string(), q.topic.to_string()))
        .collect()
}

/// The questionnaire of `year`: the entity's corrected file if it loaded one (and
/// when), else the built-in one.
pub async fn questionnaire(
    store: &Store,
    year: i32,
) -> Result<(Vec<(String, String)>, Option<chrono::DateTime<chrono::Utc>>), StoreError> {
    if let Some((text, at)) = store.furag_questionnaire(year).await? {
        // Stored only after it was checked; a file that no longer reads falls back.
        if let Ok(q) = participa_domain::furag::parse_questionnaire(&text) {
            return Ok((q, Some(at)));
        }
    }
    Ok((builtin_questionnaire(year), None))
}

/// Reads what the pre-fill needs of plan `id`.
pub async fn load_facts(store: &Store, id: PlanId) -> Result<(i32, PlatformFacts), StoreError> {
    let plan = store.plan(id).await?;
    let summary = store.plans().await?.into_iter().find(|p| p.id == id);
    let status = summary.as_ref().map(|s| s.status);
    let followup = store.followup(id).await?;
    let mut evidence: BTreeMap<u32, Vec<Evidence>> = BTreeMap::new();
    let mut progress: BTreeMap<u32, f64> = BTreeMap::new();
    for r in &followup.reports {
        progress.insert(r.activity, r.input.percent);
        for e in &r.evidence {
            evidence.entry(r.activity).or_default().push(Evidence {
                date: colombia_date(e.at),
                name: e.file_name.clone(),
                link: format!("/admin/evidencias/{}", e.id),
                sha256: e.sha256.clone(),
            });
        }
    }
    let activities = plan
        .activities
        .iter()
        .map(|a| {
            let n = a.number.get();
            ActivityFact {
                number: n,
                description: a.description.clone(),
                tags: a.tags.clone(),
                progress: progress.get(&n).copied(),
                evidence: evidence.remove(&n).unwrap_or_default(),
            }
        })
        .collect();
    let pid = id.0;
    let counts = store.hearing_counts(pid).await?;
    let mut hearings = Vec::new();
    for h in store.hearings().await? {
        let Some(c) = counts.iter().find(|c| c.hearing == h.id) else {
            continue;
        };
        let evaluations = match h.evaluation {
            Some(e) => Some(store.consultation(e).await?.responses),
            None => None,
        };
        hearings.push(HearingFact {
            title: h.data.title.clone(),
            held_on: h.data.held_on,
            digital: !h.data.stream_url.trim().is_empty(),
            registrations: c.registrations,
            questions: c.questions,
            answered: c.answered,
            evaluations,
        });
    }
    let consultations = store
        .consultations()
        .await?
        .into_iter()
        .filter(|c| c.data.activity.is_some_and(|(p, _)| p == pid))
        .map(|c| ConsultationFact {
            title: c.data.title.clone(),
            forum: matches!(c.data.kind, ConsultationKind::Forum(_)),
            participations: c.participations(),
        })
        .collect();
    let events = store
        .events()
        .await?
        .into_iter()
        .filter(|e| e.data.activity.is_some_and(|(p, _)| p == pid))
        .map(|e| EventFact {
            title: e.data.title.clone(),
            held_on: e.data.held_on,
            modality: e.data.modality.clone(),
            attendees: e.data.attendees,
            groups: e
                .data
                .by_group
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(g, _)| g.clone())
                .collect(),
            evaluated: e.data.satisfaction_count > 0,
        })
        .collect();
    let mut channels: Vec<String> = store
        .channel_figures(pid)
        .await?
        .into_iter()
        .map(|f| f.channel)
        .collect();
    channels.sort();
    channels.dedup();
    let suggestions = store.suggestions(&SuggestionFilter::default()).await?;
    let mut reports = Vec::new();
    for r in store.published_reports().await? {
        if let Some((pdf, at)) = store
            .published_report_file(&r.kind, r.subject, false)
            .await?
        {
            let link = if r.kind == "consulta" {
                format!("/consultas/{}/informe/informe.pdf", r.subject)
            } else {
                format!("/informes/{}/informe.pdf", r.kind)
            };
            reports.push(Evidence {
                date: colombia_date(at),
                name: r.title.clone(),
                link,
                sha256: hex(&Sha256::digest(&pdf)),
            });
        }
    }
    let groups = store
        .value_groups()
        .await?
        .into_iter()
        .map(|g| (g.code, (g.name, g.furag_group)))
        .collect();
    Ok((
        plan.year.get(),
        PlatformFacts {
            plan_title: plan.title.clone(),
            approved: matches!(status, Some(PlanStatus::Approved | PlanStatus::Published)),
            published: matches!(status, Some(PlanStatus::Published)),
            activities,
            hearings,
            consultations,
            events,
            channels,
            suggestions_received: suggestions.len() as i64,
            suggestions_answered: suggestions
                .iter()
                .filter(|s| s.answered_at.is_some())
                .count() as i64,
            reports,
            groups,
        },
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The proposals for plan `id` and the plan's year.
pub async fn plan_prefill(
    store: &Store,
    id: PlanId,
) -> Result<(i32, String, Vec<Proposal>), StoreError> {
    let (year, facts) = load_facts(store, id).await?;
    let title = facts.plan_title.clone();
    let (questions, _) = questionnaire(store, year).await?;
    let proposals = prefill(&questions, &facts);
    let n = |r| proposals.iter().filter(|p| p.readiness == r).count() as i64;
    // Kept for the national dashboard.
    store
        .save_furag_readiness(
            id,
            FuragReadiness {
                ready: n(Readiness::Ready),
                partial: n(Readiness::Partial),
                missing: n(Readiness::Missing),
                to_confirm: n(Readiness::ToConfirm),
            },
        )
        .await?;
    Ok((year, title, proposals))
}

/// How many questions stand at each readiness, in order.
pub fn readiness_counts(proposals: &[Proposal]) -> Vec<(Readiness, usize)> {
    [
        Readiness::Ready,
        Readiness::Partial,
        Readiness::Missing,
        Readiness::ToConfirm,
    ]
    .into_iter()
    .map(|r| (r, proposals.iter().filter(|p| p.readiness == r).count()))
    .collect()
}

/// The pre-fill as a report: one row per question, then the evidence index.
pub fn furag_report(
    entity: &str,
    year: i32,
    plan_title: &str,
    proposals: &[Proposal],
    today: NaiveDate,
) -> DeliverableReport {
    let mut questions = Section::new(
        "Respuestas propuestas",
        "Preguntas",
        &[
            "Código",
            "Pregunta",
            "Estado",
            "Respuesta propuesta",
            "Justificación",
            "Evidencias",
            "Qué falta",
        ],
    );
    questions.intro = "Cada respuesta se calcula con los datos de la plataforma; revísela antes de llevarla al formulario FURAG.".into();
    let mut index = Section::new(
        "Índice de evidencias",
        "Evidencias",
        &["Código", "Evidencia", "Fecha", "Enlace", "SHA-256"],
    );
    index.intro =
        "Cada archivo con su huella SHA-256: quien lo reciba puede comprobar que es el mismo."
            .into();
    for p in proposals {
        questions.rows.push(vec![
            Cell::text(&p.code),
            Cell::text(&p.question),
            Cell::text(p.readiness.label()),
            Cell::text(&p.answer),
            Cell::text(&p.justification),
            Cell::count(p.evidence.len()),
            Cell::text(p.gaps.join(" ")),
        ]);
        for e in &p.evidence {
            index.rows.push(vec![
                Cell::text(&p.code),
                Cell::text(&e.name),
                Cell::date(e.date, fecha(e.date)),
                Cell::text(&e.link),
                Cell::text(&e.sha256),
            ]);
        }
    }
    let counts = readiness_counts(proposals);
    let mut header = vec![
        ("Plan".to_string(), Cell::text(plan_title)),
        (
            "Vigencia".to_string(),
            Cell::number(f64::from(year), year.to_string()),
        ),
    ];
    for (r, n) in counts {
        header.push((r.label().to_string(), Cell::count(n)));
    }
    DeliverableReport {
        entity: entity.into(),
        title: format!("FURAG {year}: participación ciudadana, respuestas propuestas"),
        subtitle: format!("{plan_title}, al {}", fecha(today)),
        header,
        sections: vec![questions, index],
        note: "Transcripción territorial del FURAG 2025: el enunciado de las preguntas marcadas «por confirmar» debe leerse en el formulario de la vigencia publicado por Función Pública.".into(),
        generated: fecha(today),
    }
}
