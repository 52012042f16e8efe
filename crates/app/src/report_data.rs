//! What the reports show, built from the plan and its follow-up: the plan document and
//! the follow-up report of a period. The web pages and the command line share it.

use crate::dates::fecha;
use crate::followup::{dashboard, pct};
use participa_domain::followup::periods;
use participa_domain::numbers::count;
use participa_domain::{Calendar, OfficeRole, Plan};
use participa_reports::{
    office_chart, ActivityLine, EvidenceLine, FollowupReport, FollowupRow, OfficeProgress,
    PlanDocument, ReportValues, RowValues, SignatureLine, StatusCount,
};
use participa_store::FollowUp;

/// Participation the platform counts by itself, per activity of a plan (hearings that
/// carry out the activity: registrations, questions, answered questions).
pub async fn automatic_figures(
    store: &participa_store::Store,
    plan_id: i64,
) -> Result<std::collections::BTreeMap<u32, Vec<String>>, participa_store::StoreError> {
    let mut out: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for c in store.consultations().await? {
        if let Some((_, activity)) = c.data.activity.filter(|(p, _)| *p == plan_id) {
            out.entry(activity)
                .or_default()
                .push(if c.data.kind.is_forum() {
                    format!(
                        "{}: {}",
                        c.data.title,
                        count(
                            c.comments as u64,
                            "comentario publicado",
                            "comentarios publicados"
                        )
                    )
                } else {
                    format!("{}: {} participantes", c.data.title, c.responses)
                });
        }
    }
    let mut events: std::collections::BTreeMap<u32, (usize, i64, i64, i64)> = Default::default();
    for e in store.events().await? {
        if let Some((_, activity)) = e.data.activity.filter(|(p, _)| *p == plan_id) {
            let t = events.entry(activity).or_default();
            // Saturating: an event stored before counts were bounded must not wrap the
            // activity's total around (or panic in a debug build).
            t.0 += 1;
            t.1 = t.1.saturating_add(e.data.attendees);
            t.2 = t.2.saturating_add(e.data.satisfaction_sum);
            t.3 = t.3.saturating_add(e.data.satisfaction_count);
        }
    }
    for (activity, (n, people, sum, count)) in events {
        let satisfaction = if count > 0 {
            format!(
                ", satisfacción {} / 5",
                crate::followup::pct(sum as f64 / count as f64)
            )
        } else {
            String::new()
        };
        out.entry(activity).or_default().push(format!(
            "Eventos: {n}, con {people} asistentes{satisfaction}"
        ));
    }
    // Channel figures: each metric over the months imported, added up as the import
    // said (a sum for flows, the last month for stocks such as followers, or the maximum).
    use participa_domain::followup::indicators::Aggregation;
    type Months = (Aggregation, Vec<f64>, (i32, u32));
    let mut channels: std::collections::BTreeMap<(u32, String, String), Months> =
        Default::default();
    for f in store.channel_figures(plan_id).await? {
        let t = channels
            .entry((f.activity, f.channel, f.metric))
            .or_insert_with(|| (f.aggregation, vec![], (f.year, f.month)));
        t.1.push(f.value);
        t.2 = (f.year, f.month);
    }
    for ((activity, channel, metric), (aggregation, values, (year, month))) in channels {
        let total = crate::followup::pct(aggregation.total(&values));
        let months = values.len();
        let text = match aggregation {
            Aggregation::Sum => format!(
                "{total} {metric} en {}",
                count(months as u64, "mes", "meses")
            ),
            Aggregation::Last => format!(
                "{total} {metric} a {} de {year}",
                participa_domain::calendar::MONTH_NAMES[month as usize - 1]
            ),
            Aggregation::Max => format!(
                "{total} {metric} (máximo de {})",
                count(months as u64, "mes", "meses")
            ),
        };
        out.entry(activity).or_default().push(format!(
            "{}: {text}",
            crate::channels::channel_label(&channel)
        ));
    }
    for c in store.hearing_counts(plan_id).await? {
        out.entry(c.activity).or_default().push(format!(
            "{}: {}, {}, {}",
            c.title,
            count(c.registrations as u64, "inscrito", "inscritos"),
            count(
                c.questions as u64,
                "pregunta o propuesta",
                "preguntas y propuestas"
            ),
            count(c.answered as u64, "respondida", "respondidas")
        ));
    }
    Ok(out)
}

/// The plan document of a version; `approval` fills its «Aprobó» signature (name,
/// position, acta) when the version was approved.
pub fn plan_document(
    plan: &Plan,
    approval: Option<&participa_domain::Approval>,
    status: &str,
    today: chrono::NaiveDate,
) -> PlanDocument {
    let a = &plan.alignment;
    PlanDocument {
        entity: plan.entity.clone(),
        title: plan.title.clone(),
        status: status.to_string(),
        policy: a.policy.clone(),
        strategic_objective: format!(
            "{} {}",
            a.strategic_objective.code, a.strategic_objective.text
        ),
        office_objective: format!("{} {}", a.office_objective.code, a.office_objective.text),
        strategic_initiative: format!(
            "{} {}",
            a.strategic_initiative.code, a.strategic_initiative.text
        ),
        objectives: plan.objectives.clone(),
        legal: plan.legal_framework.text.clone(),
        offices_text: if plan.offices_text.is_empty() {
            plan.offices
                .iter()
                .map(|o| {
                    let role = match o.role {
                        OfficeRole::Leader => "líder",
                        OfficeRole::Support => "apoyo",
                    };
                    format!("{} {} ({role})", o.code, o.name)
                })
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            plan.offices_text.clone()
        },
        activities: plan
            .activities
            .iter()
            .map(|x| ActivityLine {
                number: x.number.get(),
                description: x.description.clone(),
                start: fecha(x.start),
                end: fecha(x.end),
                responsible: x.responsible_text.clone(),
                deliverable: x.deliverable.clone(),
            })
            .collect(),
        signatures: participa_domain::signature_block(&plan.signatures, approval)
            .into_iter()
            .map(|l| SignatureLine {
                role: l.signature.role.label().into(),
                name: l.signature.name,
                position: l.signature.position,
                acta: l.acta.unwrap_or_default(),
            })
            .collect(),
        version: plan
            .version
            .as_ref()
            .map(|v| format!("{} del {}", v.number, fecha(v.date))),
        generated: fecha(today),
    }
}

/// Every submission of an activity in `f` and internal control's reviews of each, oldest
/// first, one line each: the history behind the text the report shows.
fn report_history(f: &FollowUp, activity: u32) -> Vec<String> {
    let mut lines = Vec::new();
    for x in f.reports.iter().filter(|x| x.activity == activity) {
        lines.push(format!(
            "Periodo {}, enviado el {} por {}: {} %. {}",
            x.period,
            fecha(crate::dates::colombia_date(x.at)),
            x.by.clone().unwrap_or_default(),
            pct(x.input.percent),
            x.input.narrative
        ));
        for v in &x.reviews {
            let decision = match v.decision {
                participa_domain::followup::Decision::Accept => "aceptado",
                participa_domain::followup::Decision::Return => "devuelto",
            };
            let mut line = format!(
                "Control interno: {decision} el {} por {}",
                fecha(crate::dates::colombia_date(v.at)),
                v.by.clone().unwrap_or_default()
            );
            if !v.observations.is_empty() {
                line.push_str(&format!(". Observaciones: {}", v.observations));
            }
            lines.push(line);
        }
    }
    lines
}

/// Who a report is drawn for. The public copy (a closed period's report on the public
/// plan page) lists only the evidence the offices published, leaves out the history of
/// submissions and returns (drafts internal control did not accept, with the names of
/// who sent and reviewed them) and names nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

/// The follow-up report of `period`: statuses at its cut-off (or at `today` when the
/// cut-off is still ahead), counting only reports of that period and earlier ones.
#[allow(clippy::too_many_arguments)]
pub fn followup_report(
    plan: &Plan,
    followup: &FollowUp,
    calendar: &Calendar,
    close_after: u32,
    period: u32,
    today: chrono::NaiveDate,
    automatic: &std::collections::BTreeMap<u32, Vec<String>>,
    audience: Audience,
) -> Option<FollowupReport> {
    let public = audience == Audience::Public;
    let p = periods(plan.year.get(), followup.settings.frequency)
        .into_iter()
        .find(|p| p.number == period)?;
    let as_of = p.cut_off.min(today);
    let mut f = followup.clone();
    f.reports.retain(|r| r.period <= period);
    let d = dashboard(plan, &f, calendar, close_after, as_of, None);
    let rows: Vec<FollowupRow> = d
        .rows
        .iter()
        .map(|r| {
            let latest = f.reports.iter().rev().find(|x| x.activity == r.number);
            let review = latest.and_then(|x| x.reviews.last());
            // The text the report shows is the latest one internal control accepted, or
            // a documented correction after the close (which is not reviewed again);
            // until there is one, the latest sent, saying so.
            let accepted = f.accepted(r.number);
            let shown = accepted.or(latest);
            let pending = accepted.is_none() && latest.is_some();
            FollowupRow {
                number: r.number,
                description: r.description.clone(),
                offices: r.codes.clone(),
                start: r.start.clone(),
                end: r.end.clone(),
                expected: r.expected_text(),
                reported: r.reported_text(),
                verified: r.verified_text(),
                status: r.status_label().to_string(),
                narrative: shown
                    .map(|x| {
                        let text = match &x.correction {
                            Some(why) => {
                                format!("{} (corrección documentada: {why})", x.input.narrative)
                            }
                            None => x.input.narrative.clone(),
                        };
                        if pending {
                            format!("{text} (sin aceptar aún por control interno)")
                        } else {
                            text
                        }
                    })
                    .unwrap_or_default(),
                history: if public {
                    Vec::new()
                } else {
                    report_history(&f, r.number)
                },
                difficulties: latest
                    .map(|x| x.input.difficulties.clone())
                    .unwrap_or_default(),
                figures: latest
                    .map(|x| {
                        x.figures
                            .iter()
                            .filter_map(|(id, v)| {
                                f.indicators.iter().find(|i| i.id == *id).map(|i| {
                                    format!(
                                        "{}: {} {}",
                                        i.indicator.name,
                                        pct(*v),
                                        i.indicator.unit
                                    )
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .chain(automatic.get(&r.number).cloned().unwrap_or_default())
                    .collect(),
                evidence: f
                    .reports
                    .iter()
                    .filter(|x| x.activity == r.number)
                    .flat_map(|x| x.evidence.iter())
                    .filter(|e| !public || e.published_at.is_some())
                    .map(|e| EvidenceLine {
                        name: e.file_name.clone(),
                        sha256: e.sha256.clone(),
                    })
                    .collect(),
                sufficiency: review
                    .map(|v| v.sufficiency.label().to_string())
                    .unwrap_or_default(),
                observations: review.map(|v| v.observations.clone()).unwrap_or_default(),
                recommendations: review
                    .map(|v| v.recommendations.clone())
                    .unwrap_or_default(),
                values: RowValues {
                    start: Some(r.start_date),
                    end: Some(r.end_date),
                    expected: Some(r.expected),
                    reported: r.reported,
                    verified: r.verified,
                },
            }
        })
        .collect();
    let by_office: Vec<OfficeProgress> = crate::followup::by_office(plan, &f, &d)
        .into_iter()
        .map(|o| OfficeProgress {
            code: o.code,
            name: o.name,
            expected: pct(o.expected),
            progress: pct(o.progress),
            expected_value: o.expected,
            progress_value: o.progress,
        })
        .collect();
    let closed = followup
        .closures
        .iter()
        .find(|c| c.period == period)
        .map(|c| {
            let on = fecha(crate::dates::colombia_date(c.at));
            match &c.by {
                Some(by) if !public => format!("Sí, el {on} por {by}"),
                _ => format!("Sí, el {on}"),
            }
        })
        .unwrap_or_else(|| "No".into());
    Some(FollowupReport {
        entity: plan.entity.clone(),
        title: plan.title.clone(),
        period_name: p.name(followup.settings.frequency),
        cut_off: fecha(p.cut_off),
        as_of: fecha(as_of),
        closed,
        plan_expected: pct(d.plan_expected),
        plan_progress: pct(d.plan_progress),
        values: ReportValues {
            cut_off: Some(p.cut_off),
            as_of: Some(as_of),
            plan_expected: Some(d.plan_expected),
            plan_progress: Some(d.plan_progress),
        },
        counts: d
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| StatusCount {
                label: s.label().into(),
                count: *n,
            })
            .collect(),
        chart_svg: office_chart(&by_office),
        by_office,
        rows,
        generated: fecha(today),
    })
}
