//! The follow-up dashboard of a plan as the pages, the reports and the reminders show
//! it: each activity's expected and reported progress and its status at a date, the
//! counts by status, the plan's progress against the expected curve, the periods and
//! what each office owes. (Its SVG chart is drawn by the web crate, its only user.)

use crate::dates::fecha;
use chrono::{Datelike, NaiveDate};
use participa_domain::followup::schedule::weighted_progress;
use participa_domain::followup::{
    expected_progress, periods, status, Period, ReportState, ScheduleStatus,
};
use participa_domain::{Calendar, Plan};
use participa_store::FollowUp;

#[derive(Clone)]
pub struct PeriodRow {
    pub number: u32,
    pub name: String,
    pub cut_off: String,
    pub closes: String,
    pub open: bool,
    pub closed: bool,
    pub closed_by: String,
}

#[derive(Clone)]
pub struct ActivityRow {
    pub number: u32,
    pub description: String,
    pub codes: String,
    pub start: String,
    pub end: String,
    /// The same dates as values (for typed spreadsheet cells).
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub expected: f64,
    pub reported: Option<f64>,
    pub verified: Option<f64>,
    pub status: ScheduleStatus,
    /// The state of its report for the period due next.
    pub report_state: Option<ReportState>,
}

impl ActivityRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn colour(&self) -> &'static str {
        self.status.colour()
    }
    /// The status's own key (`al_dia`, `vencida`…): each status has its own class, so
    /// no two look alike even where they share a traffic-light colour.
    pub fn status_key(&self) -> &'static str {
        self.status.as_str()
    }
    pub fn expected_text(&self) -> String {
        format!("{} %", pct(self.expected))
    }
    pub fn reported_text(&self) -> String {
        self.reported
            .map_or_else(|| "—".into(), |p| format!("{} %", pct(p)))
    }
    pub fn verified_text(&self) -> String {
        self.verified
            .map_or_else(|| "—".into(), |p| format!("{} %", pct(p)))
    }
    pub fn state_label(&self) -> &'static str {
        self.report_state.map_or("Sin reporte", |s| s.label())
    }
}

#[derive(Clone)]
pub struct Owed {
    pub office: String,
    pub name: String,
    pub activities: Vec<u32>,
}

#[derive(Clone)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub periods: Vec<PeriodRow>,
    pub due: Option<Period>,
    pub rows: Vec<ActivityRow>,
    pub counts: Vec<(ScheduleStatus, usize)>,
    pub plan_expected: f64,
    pub plan_progress: f64,
    pub owed: Vec<Owed>,
    /// (month end, expected, reported at that date if past), for the chart and its table.
    pub curve: Vec<(NaiveDate, f64, Option<f64>)>,
}

/// One decimal, Spanish style: `37,5`.
pub fn pct(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}").replace('.', ",")
    }
}

fn weights(plan: &Plan, f: &FollowUp) -> Option<Vec<f64>> {
    let w: Vec<f64> = plan
        .activities
        .iter()
        .filter_map(|a| f.weights.get(&a.number.get()).copied())
        .collect();
    (w.len() == plan.activities.len() && !w.is_empty()).then_some(w)
}

/// An activity's progress as known at `date`: its latest report in a period whose
/// start is not after `date`, verified when accepted.
fn progress_at(f: &FollowUp, activity: u32, date: NaiveDate, ps: &[Period]) -> f64 {
    f.reports
        .iter()
        .rev()
        .filter(|r| r.activity == activity && crate::dates::colombia_date(r.at) <= date)
        .find(|r| ps.iter().any(|p| p.number == r.period && p.start <= date))
        .map_or(0.0, |r| match r.reviews.last() {
            Some(v) if v.decision == participa_domain::followup::Decision::Accept => {
                v.verified_percent.unwrap_or(r.input.percent)
            }
            _ => r.input.percent,
        })
}

pub fn dashboard(
    plan: &Plan,
    f: &FollowUp,
    calendar: &Calendar,
    close_after: u32,
    today: NaiveDate,
    office: Option<&str>,
) -> Dashboard {
    let ps = periods(plan.year.get(), f.settings.frequency);
    let due = participa_domain::followup::periods::next_due(&ps, calendar, close_after, today);
    let period_rows = ps
        .iter()
        .map(|p| {
            let w = p.window(calendar, close_after);
            let closure = f.closures.iter().find(|c| c.period == p.number);
            PeriodRow {
                number: p.number,
                name: p.name(f.settings.frequency),
                cut_off: fecha(p.cut_off),
                closes: fecha(w.closes),
                open: w.is_open(today) && closure.is_none(),
                closed: closure.is_some(),
                closed_by: closure
                    .map(|c| {
                        format!(
                            "{} · {}",
                            c.by.clone().unwrap_or_default(),
                            crate::dates::fecha_de(c.at)
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut rows = Vec::new();
    let mut expected_all = Vec::new();
    let mut progress_all = Vec::new();
    for a in &plan.activities {
        let n = a.number.get();
        let expected = expected_progress(calendar, a.start, a.end, today);
        let progress = f.progress(n);
        let manual = f.manual.get(&n).and_then(|m| m.status);
        expected_all.push(expected);
        progress_all.push(progress.unwrap_or(0.0));
        let codes: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
        if office.is_some_and(|o| !codes.contains(&o)) {
            continue;
        }
        rows.push(ActivityRow {
            number: n,
            description: a.description.clone(),
            codes: codes.join("-"),
            start: fecha(a.start),
            end: fecha(a.end),
            start_date: a.start,
            end_date: a.end,
            expected,
            reported: f.reported(n),
            verified: f.verified(n),
            status: status(
                expected,
                progress,
                a.end,
                today,
                manual,
                f.settings.thresholds,
            ),
            report_state: due.and_then(|p| f.state(n, p.number)),
        });
    }
    let counts = ScheduleStatus::ALL
        .iter()
        .map(|s| (*s, rows.iter().filter(|r| r.status == *s).count()))
        .collect();
    let w = weights(plan, f);
    let mut owed: Vec<Owed> = Vec::new();
    if let Some(p) = due {
        for a in &plan.activities {
            let n = a.number.get();
            let active = a.start <= p.cut_off && a.end >= p.start;
            let pending = matches!(f.state(n, p.number), None | Some(ReportState::Returned));
            let settled = f.manual.get(&n).is_some_and(|m| m.status.is_some())
                || f.progress(n).is_some_and(|x| x >= 100.0);
            if !(active && pending && !settled) {
                continue;
            }
            for code in &a.responsible {
                if office.is_some_and(|o| o != code.as_str()) {
                    continue;
                }
                match owed.iter_mut().find(|o| o.office == code.as_str()) {
                    Some(o) => o.activities.push(n),
                    None => owed.push(Owed {
                        office: code.to_string(),
                        name: plan
                            .office(code)
                            .map(|o| o.name.clone())
                            .unwrap_or_default(),
                        activities: vec![n],
                    }),
                }
            }
        }
    }
    let year = plan.year.get();
    let curve = (1..=12)
        .map(|m| {
            let end = if m == 12 {
                NaiveDate::from_ymd_opt(year, 12, 31)
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1).and_then(|d| d.pred_opt())
            }
            .expect("valid month end");
            let exp: Vec<f64> = plan
                .activities
                .iter()
                .map(|a| expected_progress(calendar, a.start, a.end, end))
                .collect();
            let reported = (end <= today
                || end.month() == today.month() && end.year() == today.year())
            .then(|| {
                let at = end.min(today);
                let prog: Vec<f64> = plan
                    .activities
                    .iter()
                    .map(|a| progress_at(f, a.number.get(), at, &ps))
                    .collect();
                weighted_progress(&prog, w.as_deref())
            });
            (end, weighted_progress(&exp, w.as_deref()), reported)
        })
        .collect();
    Dashboard {
        today,
        periods: period_rows,
        due,
        rows,
        counts,
        plan_expected: weighted_progress(&expected_all, w.as_deref()),
        plan_progress: weighted_progress(&progress_all, w.as_deref()),
        owed,
        curve,
    }
}

/// One office's share of the plan: the mean expected and current progress of the
/// activities it leads or supports.
pub struct OfficeShare {
    pub code: String,
    pub name: String,
    pub activities: usize,
    pub expected: f64,
    pub progress: f64,
}

/// The progress of each office of the plan that has activities in `d`, in the plan's
/// order of offices.
pub fn by_office(plan: &Plan, f: &FollowUp, d: &Dashboard) -> Vec<OfficeShare> {
    plan.offices
        .iter()
        .filter_map(|o| {
            let mine: Vec<_> = d
                .rows
                .iter()
                .filter(|r| r.codes.split('-').any(|c| c == o.code.as_str()))
                .collect();
            if mine.is_empty() {
                return None;
            }
            let n = mine.len() as f64;
            Some(OfficeShare {
                code: o.code.to_string(),
                name: o.name.clone(),
                activities: mine.len(),
                expected: mine.iter().map(|r| r.expected).sum::<f64>() / n,
                progress: mine
                    .iter()
                    .map(|r| f.progress(r.number).unwrap_or(0.0))
                    .sum::<f64>()
                    / n,
            })
        })
        .collect()
}

/// What is missing in `period` before it is closed: the activities that run in it
/// (cancelled ones aside) without a report, with a report not yet reviewed, or with
/// one returned and not sent again.
pub fn closing_gaps(
    plan: &Plan,
    f: &FollowUp,
    period: &Period,
) -> participa_domain::followup::ClosingGaps {
    participa_domain::followup::ClosingGaps::of(
        plan.activities
            .iter()
            .filter(|a| a.start <= period.cut_off && a.end >= period.start)
            .filter(|a| {
                f.manual.get(&a.number.get()).and_then(|m| m.status)
                    != Some(participa_domain::followup::ManualStatus::Cancelled)
            })
            .map(|a| (a.number.get(), f.state(a.number.get(), period.number))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_the_colombian_way() {
        assert_eq!(pct(37.54), "37,5");
        assert_eq!(pct(40.0), "40");
        assert_eq!(pct(99.96), "100");
    }
}
