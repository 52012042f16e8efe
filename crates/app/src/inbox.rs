//! "Mis pendientes": what waits for one staff member, newest first, each item with the
//! link to the place where it is done. What a person sees follows from what the domain
//! lets them do ([`participa_domain::allows`]), never from a list of roles kept here:
//!
//! - the planning office: coverage findings to settle before consolidating, plans
//!   returned to draft, consolidated plans to mark as reviewed, approved plans to
//!   publish, reports internal control accepted this week, suggestions and hearing
//!   questions near or past their legal deadline, forum comments to moderate;
//! - a responsible office: the reports its activities owe for the coming cut-off, the
//!   ones internal control returned (with its observations), activities late or overdue;
//! - internal control: reports waiting for review, periods whose reporting term ended;
//! - the approver: plans waiting for approval.
//!
//! The store is read in a fixed number of queries per plan (one plan a year) and a few
//! more in all, never one per report, suggestion or comment. The items themselves are
//! built by pure functions, tested without a database.

use crate::dates::{colombia_date, fecha};
use crate::followup::{dashboard, pct};
use chrono::{Duration, NaiveDate};
use participa_domain::followup::{periods, Decision, ReportState, ScheduleStatus};
use participa_domain::inbox::{closable, needs_attention, this_week, urgency, Urgency};
use participa_domain::participation::hearing::answer_deadline;
use participa_domain::{allows, Action, Actor, Calendar, Plan, PlanStatus, Transition};
use participa_store::{
    FollowUp, OpenQuestion, OpenSuggestion, PlanStep, PlanSummary, QueuedComment, Store, StoreError,
};

/// Business days before a legal deadline from which a suggestion or a question is listed.
pub use participa_domain::inbox::NEAR_BUSINESS_DAYS;

/// The part of the work an item belongs to, named as the navigation names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Formulation,
    FollowUp,
    Participation,
}

impl Area {
    pub fn label(self) -> &'static str {
        match self {
            Area::Formulation => "Formulación",
            Area::FollowUp => "Seguimiento",
            Area::Participation => "Participación",
        }
    }
}

/// One thing waiting for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub area: Area,
    /// Since when it waits: the list shows the newest first.
    pub since: NaiveDate,
    pub title: String,
    /// What to read before acting (internal control's observations, the question).
    pub detail: Option<String>,
    /// Its deadline, if it has one, and how it stands today.
    pub due: Option<(NaiveDate, Urgency)>,
    /// Where it is done, and the words of that link.
    pub link: String,
    pub action: &'static str,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", participa_domain::numbers::grouped(n as u64))
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

/// Newest first; items of the same day keep the order they were added in.
fn newest_first(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(|i| std::cmp::Reverse(i.since));
    items
}

/// What the plans' lifecycle asks of `who`. `pending_findings` gives, per draft plan,
/// the coverage findings nobody accepted; `steps` each plan's latest lifecycle step.
pub fn plan_items(
    who: &Actor,
    plans: &[PlanSummary],
    steps: &[PlanStep],
    pending_findings: &[(i64, usize)],
    today: NaiveDate,
) -> Vec<Item> {
    let can = |a| allows(Some(who), a);
    let mut items = Vec::new();
    for p in plans {
        let id = p.id.0;
        let step = steps.iter().find(|s| s.plan_id == id);
        let since = step.map_or(today, |s| colombia_date(s.at));
        let page = format!("/admin/planes/{id}");
        let title = &p.title;
        match p.status {
            PlanStatus::Draft => {
                if let Some(s) = step.filter(|s| s.transition == Transition::ReturnToDraft) {
                    if can(Action::Consolidate) {
                        items.push(Item {
                            area: Area::Formulation,
                            since,
                            title: format!(
                                "{title}: {} lo devolvió a borrador el {}",
                                s.by,
                                fecha(since)
                            ),
                            detail: Some(
                                "Corríjalo y vuelva a consolidarlo; el motivo está en el historial de versiones."
                                    .into(),
                            ),
                            due: None,
                            link: page.clone(),
                            action: "Corregir el plan",
                        });
                    }
                }
                let pending = pending_findings
                    .iter()
                    .find(|(p, _)| *p == id)
                    .map_or(0, |(_, n)| *n);
                if pending > 0 && can(Action::AcceptFinding) {
                    items.push(Item {
                        area: Area::Formulation,
                        since,
                        title: format!(
                            "{title}: {} por resolver antes de consolidar",
                            plural(
                                pending,
                                "hallazgo de la verificación de cobertura",
                                "hallazgos de la verificación de cobertura"
                            )
                        ),
                        detail: None,
                        due: None,
                        link: format!("{page}/cobertura"),
                        action: "Revisar los hallazgos",
                    });
                }
            }
            PlanStatus::Consolidated if can(Action::Review) => items.push(Item {
                area: Area::Formulation,
                since,
                title: format!("{title}: consolidado, falta marcarlo como revisado"),
                detail: None,
                due: None,
                link: format!("{page}#estado"),
                action: "Revisar el plan",
            }),
            PlanStatus::Reviewed if can(Action::Approve) => items.push(Item {
                area: Area::Formulation,
                since,
                title: format!("{title}: revisado, espera su aprobación"),
                detail: Some("Tenga a mano el número y la fecha del acta del comité.".into()),
                due: None,
                link: format!("{page}#estado"),
                action: "Aprobar el plan",
            }),
            PlanStatus::Approved if can(Action::Publish) => items.push(Item {
                area: Area::Formulation,
                since,
                title: format!("{title}: aprobado, falta publicarlo"),
                detail: None,
                due: None,
                link: format!("{page}#estado"),
                action: "Publicar el plan",
            }),
            _ => {}
        }
    }
    items
}

/// What one published plan's follow-up asks of `who` on `today`.
pub fn followup_items(
    who: &Actor,
    plan_id: i64,
    plan: &Plan,
    f: &FollowUp,
    calendar: &Calendar,
    close_after: u32,
    today: NaiveDate,
) -> Vec<Item> {
    let can = |a| allows(Some(who), a);
    let mut items = Vec::new();
    let ps = periods(plan.year.get(), f.settings.frequency);
    let period_name = |n: u32| {
        ps.iter()
            .find(|p| p.number == n)
            .map(|p| p.name(f.settings.frequency))
            .unwrap_or_else(|| format!("periodo {n}"))
    };
    let activity_page = |n: u32| format!("/admin/planes/{plan_id}/seguimiento/actividades/{n}");
    let description = |n: u32| {
        plan.activities
            .iter()
            .find(|a| a.number.get() == n)
            .map(|a| excerpt(&a.description, 90))
            .unwrap_or_default()
    };
    // Activities the user reports for: those of its offices.
    let mine = |n: u32| {
        plan.activities
            .iter()
            .find(|a| a.number.get() == n)
            .is_some_and(|a| {
                a.responsible.iter().any(|o| who.offices.contains(o))
                    && can(Action::ReportProgress(&a.responsible))
            })
    };

    if !who.offices.is_empty() {
        let d = dashboard(plan, f, calendar, close_after, today, None);
        let mut owed: Vec<u32> = d
            .owed
            .iter()
            .filter(|o| who.offices.iter().any(|w| w.as_str() == o.office))
            .flat_map(|o| o.activities.iter().copied())
            .filter(|n| mine(*n))
            .collect();
        owed.sort_unstable();
        owed.dedup();
        let late: Vec<(u32, ScheduleStatus)> = d
            .rows
            .iter()
            .filter(|r| matches!(r.status, ScheduleStatus::Overdue | ScheduleStatus::Late))
            .filter(|r| mine(r.number))
            .map(|r| (r.number, r.status))
            .collect();
        let status_of = |n: u32| late.iter().find(|(m, _)| *m == n).map(|(_, s)| *s);
        if let Some(p) = d.due {
            let closes = p.window(calendar, close_after).closes;
            for n in &owed {
                if f.state(*n, p.number) == Some(ReportState::Returned) {
                    continue; // listed below, with internal control's observations
                }
                items.push(Item {
                    area: Area::FollowUp,
                    since: p.cut_off.min(today),
                    title: format!(
                        "Actividad {n}: reportar el avance del {}",
                        period_name(p.number)
                    ),
                    detail: Some(match status_of(*n) {
                        Some(s) => format!("{} · {}", description(*n), s.label()),
                        None => description(*n),
                    }),
                    due: Some((closes, urgency(calendar, closes, today, NEAR_BUSINESS_DAYS))),
                    link: format!("{}#reportar", activity_page(*n)),
                    action: "Reportar el avance",
                });
            }
        }
        let mut returned: Vec<u32> = Vec::new();
        for a in plan.activities.iter().filter(|a| mine(a.number.get())) {
            let n = a.number.get();
            for p in ps.iter().filter(|p| !f.is_closed(p.number)) {
                if f.state(n, p.number) != Some(ReportState::Returned) {
                    continue;
                }
                let Some(review) = f.latest(n, p.number).and_then(|r| r.reviews.last()) else {
                    continue;
                };
                let mut detail =
                    format!("Observaciones de control interno: {}", review.observations);
                if !review.recommendations.trim().is_empty() {
                    detail += &format!(" Recomendaciones: {}", review.recommendations);
                }
                returned.push(n);
                items.push(Item {
                    area: Area::FollowUp,
                    since: colombia_date(review.at),
                    title: format!(
                        "Actividad {n}: control interno devolvió el reporte del {}",
                        period_name(p.number)
                    ),
                    detail: Some(detail),
                    due: None,
                    link: format!("{}#reportar", activity_page(n)),
                    action: "Corregir y volver a enviar",
                });
            }
        }
        // An activity already listed (owed, or returned) is not listed again as late.
        for (n, status) in late
            .iter()
            .filter(|(n, _)| !owed.contains(n) && !returned.contains(n))
        {
            let end = plan
                .activities
                .iter()
                .find(|a| a.number.get() == *n)
                .map(|a| a.end);
            items.push(Item {
                area: Area::FollowUp,
                since: match (status, end) {
                    (ScheduleStatus::Overdue, Some(end)) => end,
                    _ => today,
                },
                title: format!("Actividad {n}: {}", status.label().to_lowercase()),
                detail: Some(description(*n)),
                due: end.map(|e| (e, urgency(calendar, e, today, 0))),
                link: format!("{}#reportar", activity_page(*n)),
                action: "Reportar el avance",
            });
        }
    }

    if can(Action::ReviewProgress) {
        for a in &plan.activities {
            let n = a.number.get();
            for p in ps.iter().filter(|p| !f.is_closed(p.number)) {
                if f.state(n, p.number) != Some(ReportState::Submitted) {
                    continue;
                }
                let Some(r) = f.latest(n, p.number) else {
                    continue;
                };
                let codes: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
                items.push(Item {
                    area: Area::FollowUp,
                    since: colombia_date(r.at),
                    title: format!(
                        "Actividad {n} ({}): reporte del {} por revisar",
                        codes.join("-"),
                        period_name(p.number)
                    ),
                    detail: Some(format!(
                        "{} % reportado por {} el {}",
                        pct(r.input.percent),
                        r.by.clone().unwrap_or_else(|| "la dependencia".into()),
                        fecha(colombia_date(r.at))
                    )),
                    due: None,
                    link: format!("{}#revisar", activity_page(n)),
                    action: "Revisar el reporte",
                });
            }
        }
    }

    if can(Action::ClosePeriod) {
        for p in &ps {
            let window = p.window(calendar, close_after);
            if !closable(window, f.is_closed(p.number), today) {
                continue;
            }
            items.push(Item {
                area: Area::FollowUp,
                since: window.closes + Duration::days(1),
                title: format!("{}: {} puede cerrarse", plan.title, period_name(p.number)),
                detail: Some(format!(
                    "El plazo para reportar venció el {}.",
                    fecha(window.closes)
                )),
                due: None,
                link: format!("/admin/planes/{plan_id}/seguimiento#periodos"),
                action: "Cerrar el periodo",
            });
        }
    }

    if can(Action::ManageFollowup) {
        for r in &f.reports {
            let Some(v) = r.reviews.last() else { continue };
            if v.decision != Decision::Accept || !this_week(colombia_date(v.at), today) {
                continue;
            }
            if f.latest(r.activity, r.period).map(|l| l.id) != Some(r.id) {
                continue;
            }
            items.push(Item {
                area: Area::FollowUp,
                since: colombia_date(v.at),
                title: format!(
                    "Actividad {}: control interno aceptó el reporte del {}",
                    r.activity,
                    period_name(r.period)
                ),
                detail: Some(format!(
                    "{} % verificado",
                    pct(v.verified_percent.unwrap_or(r.input.percent))
                )),
                due: None,
                link: activity_page(r.activity),
                action: "Ver el reporte",
            });
        }
    }
    items
}

/// What citizens sent that `who` must answer or moderate: suggestions and hearing
/// questions near or past their deadline (`question_deadlines` gives each question's,
/// in order), and the forums' moderation queues.
pub fn participation_items(
    who: &Actor,
    suggestions: &[OpenSuggestion],
    questions: &[OpenQuestion],
    question_deadlines: &[NaiveDate],
    queue: &[QueuedComment],
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<Item> {
    if !allows(Some(who), Action::ManageParticipation) {
        return Vec::new();
    }
    let mut items = Vec::new();
    for s in suggestions {
        if !needs_attention(calendar, s.due_on, today, NEAR_BUSINESS_DAYS) {
            continue;
        }
        items.push(Item {
            area: Area::Participation,
            since: colombia_date(s.received),
            title: format!(
                "Sugerencia {}{}: responderla a más tardar el {}",
                s.code,
                s.category
                    .map(|c| format!(" ({})", c.label().to_lowercase()))
                    .unwrap_or_default(),
                fecha(s.due_on)
            ),
            detail: Some(excerpt(&s.text, 140)),
            due: Some((
                s.due_on,
                urgency(calendar, s.due_on, today, NEAR_BUSINESS_DAYS),
            )),
            link: format!("/admin/sugerencias/{}", s.id),
            action: "Responder la sugerencia",
        });
    }
    for (q, due) in questions.iter().zip(question_deadlines) {
        if !needs_attention(calendar, *due, today, NEAR_BUSINESS_DAYS) {
            continue;
        }
        items.push(Item {
            area: Area::Participation,
            since: colombia_date(q.at),
            title: format!(
                "Pregunta para la audiencia «{}»: responderla a más tardar el {}",
                q.hearing_title,
                fecha(*due)
            ),
            detail: Some(excerpt(&q.text, 140)),
            due: Some((*due, urgency(calendar, *due, today, NEAR_BUSINESS_DAYS))),
            link: format!("/admin/audiencias/{}#pregunta-{}", q.hearing_id, q.id),
            action: "Responder la pregunta",
        });
    }
    let mut forums: Vec<(i64, &str, usize, NaiveDate)> = Vec::new();
    for c in queue {
        let at = colombia_date(c.at);
        match forums.iter_mut().find(|f| f.0 == c.consultation_id) {
            Some(f) => {
                f.2 += 1;
                f.3 = f.3.max(at);
            }
            None => forums.push((c.consultation_id, &c.consultation_title, 1, at)),
        }
    }
    for (id, title, n, latest) in forums {
        items.push(Item {
            area: Area::Participation,
            since: latest,
            title: format!(
                "Foro «{title}»: {} moderación",
                if n == 1 {
                    "1 comentario espera".to_string()
                } else {
                    format!(
                        "{} comentarios esperan",
                        participa_domain::numbers::grouped(n as u64)
                    )
                }
            ),
            detail: None,
            due: None,
            link: format!("/admin/consultas/{id}/moderacion"),
            action: "Moderar los comentarios",
        });
    }
    items
}

/// Everything waiting for `who` on `today`, newest first.
pub async fn inbox(store: &Store, who: &Actor, today: NaiveDate) -> Result<Vec<Item>, StoreError> {
    let can = |a| allows(Some(who), a);
    let mut items = Vec::new();
    let follows_up = !who.offices.is_empty()
        || can(Action::ReviewProgress)
        || can(Action::ClosePeriod)
        || can(Action::ManageFollowup);
    let calendar = if follows_up || can(Action::ManageParticipation) {
        store.calendar().await?
    } else {
        Calendar::default()
    };
    if [
        Action::AcceptFinding,
        Action::Consolidate,
        Action::Review,
        Action::Approve,
        Action::Publish,
    ]
    .into_iter()
    .any(can)
    {
        let plans = store.plans().await?;
        let steps = store.latest_plan_steps().await?;
        let mut pending = Vec::new();
        if can(Action::AcceptFinding) {
            for p in plans.iter().filter(|p| p.status == PlanStatus::Draft) {
                pending.push((p.id.0, store.coverage(p.id).await?.pending().len()));
            }
        }
        items.extend(plan_items(who, &plans, &steps, &pending, today));
    }
    if follows_up {
        let close_after = store.reporting_days(today).await?;
        for p in store.published_plans().await? {
            let f = store.followup(p.id).await?;
            items.extend(followup_items(
                who,
                p.id.0,
                &p.plan,
                &f,
                &calendar,
                close_after,
                today,
            ));
        }
    }
    if can(Action::ManageParticipation) {
        let suggestions = store.open_suggestions().await?;
        let questions = store.unanswered_questions().await?;
        let held: Vec<NaiveDate> = questions.iter().map(|q| q.held_on).collect();
        let terms = store.terms_on("audiencia.respuestas", &held).await?;
        let deadlines: Vec<NaiveDate> = questions
            .iter()
            .zip(&terms)
            .map(|(q, t)| answer_deadline(&calendar, *t, q.held_on))
            .collect();
        let queue = store.moderation_queue().await?;
        items.extend(participation_items(
            who,
            &suggestions,
            &questions,
            &deadlines,
            &queue,
            &calendar,
            today,
        ));
    }
    Ok(newest_first(items))
}

#[cfg(test)]
mod tests;
