//! Schedule compliance: the progress an activity should have at a date (the share of its
//! business days elapsed) and the traffic-light status that follows from its progress.

use crate::calendar::Calendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The traffic light of one activity, with a word (colour is never the only signal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    NotStarted,
    OnTrack,
    AtRisk,
    Late,
    /// Past its end date below 100 %.
    Overdue,
    Done,
    Rescheduled,
    Cancelled,
}

impl ScheduleStatus {
    pub const ALL: [ScheduleStatus; 8] = [
        ScheduleStatus::NotStarted,
        ScheduleStatus::OnTrack,
        ScheduleStatus::AtRisk,
        ScheduleStatus::Late,
        ScheduleStatus::Overdue,
        ScheduleStatus::Done,
        ScheduleStatus::Rescheduled,
        ScheduleStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleStatus::NotStarted => "no_iniciada",
            ScheduleStatus::OnTrack => "al_dia",
            ScheduleStatus::AtRisk => "en_riesgo",
            ScheduleStatus::Late => "atrasada",
            ScheduleStatus::Overdue => "vencida",
            ScheduleStatus::Done => "cumplida",
            ScheduleStatus::Rescheduled => "reprogramada",
            ScheduleStatus::Cancelled => "cancelada",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScheduleStatus::NotStarted => "No iniciada",
            ScheduleStatus::OnTrack => "Al día",
            ScheduleStatus::AtRisk => "En riesgo",
            ScheduleStatus::Late => "Atrasada",
            ScheduleStatus::Overdue => "Vencida",
            ScheduleStatus::Done => "Cumplida",
            ScheduleStatus::Rescheduled => "Reprogramada",
            ScheduleStatus::Cancelled => "Cancelada",
        }
    }

    /// The traffic-light colour name, for CSS and legends.
    pub fn colour(self) -> &'static str {
        match self {
            ScheduleStatus::NotStarted | ScheduleStatus::Cancelled => "gris",
            ScheduleStatus::OnTrack | ScheduleStatus::Done => "verde",
            ScheduleStatus::AtRisk | ScheduleStatus::Rescheduled => "amarillo",
            ScheduleStatus::Late | ScheduleStatus::Overdue => "rojo",
        }
    }
}

/// How far behind the expected progress an activity may fall, in percentage points,
/// before it is at risk or late. Configurable per plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub at_risk: f64,
    pub late: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            at_risk: 10.0,
            late: 25.0,
        }
    }
}

impl Thresholds {
    /// Valid when `0 <= at_risk <= late <= 100`.
    pub fn new(at_risk: f64, late: f64) -> Result<Thresholds, String> {
        if !(0.0..=100.0).contains(&at_risk) || !(0.0..=100.0).contains(&late) {
            return Err("los umbrales van de 0 a 100 puntos".into());
        }
        if at_risk > late {
            return Err(format!(
                "el umbral de riesgo ({at_risk}) no puede ser mayor que el de atraso ({late})"
            ));
        }
        Ok(Thresholds { at_risk, late })
    }
}

/// The progress (0–100) an activity running from `start` to `end` should have at the end
/// of `today`: the share of its business days already elapsed.
pub fn expected_progress(
    calendar: &Calendar,
    start: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
) -> f64 {
    if today < start {
        return 0.0;
    }
    if today >= end {
        return 100.0;
    }
    let before_start = start.pred_opt().unwrap_or(start);
    let total = calendar.business_days_between(before_start, end);
    if total <= 0 {
        return 100.0;
    }
    let elapsed = calendar.business_days_between(before_start, today);
    100.0 * elapsed as f64 / total as f64
}

/// A status set by hand, with its justification: rescheduled or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualStatus {
    Rescheduled,
    Cancelled,
}

/// The status of an activity at `today` given its progress (None: nothing reported yet).
pub fn status(
    expected: f64,
    progress: Option<f64>,
    end: NaiveDate,
    today: NaiveDate,
    manual: Option<ManualStatus>,
    thresholds: Thresholds,
) -> ScheduleStatus {
    match manual {
        Some(ManualStatus::Cancelled) => return ScheduleStatus::Cancelled,
        Some(ManualStatus::Rescheduled) => return ScheduleStatus::Rescheduled,
        None => {}
    }
    let p = progress.unwrap_or(0.0);
    if p >= 100.0 {
        return ScheduleStatus::Done;
    }
    if today > end {
        return ScheduleStatus::Overdue;
    }
    if p <= 0.0 && expected <= 0.0 {
        return ScheduleStatus::NotStarted;
    }
    let behind = expected - p;
    if behind > thresholds.late {
        ScheduleStatus::Late
    } else if behind > thresholds.at_risk {
        ScheduleStatus::AtRisk
    } else {
        ScheduleStatus::OnTrack
    }
}

/// The plan's progress: the weighted mean of its activities' progress. `weights` are
/// percentages summing to 100, or None for equal weights.
pub fn weighted_progress(progress: &[f64], weights: Option<&[f64]>) -> f64 {
    if progress.is_empty() {
        return 0.0;
    }
    match weights {
        Some(w) if w.len() == progress.len() => {
            progress.iter().zip(w).map(|(p, w)| p * w).sum::<f64>() / 100.0
        }
        _ => progress.iter().sum::<f64>() / progress.len() as f64,
    }
}

/// Checks activity weights: each between 0 and 100, together exactly 100.
pub fn check_weights(weights: &[f64]) -> Result<(), String> {
    if let Some(w) = weights.iter().find(|w| !(0.0..=100.0).contains(*w)) {
        return Err(format!("el peso {w} no está entre 0 y 100"));
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 100.0).abs() > 0.001 {
        return Err(format!("los pesos suman {sum}, no 100"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn expected_progress_counts_business_days_not_calendar_days() {
        let cal = Calendar::new([]);
        // Monday 9 to Friday 20 June 2025: 10 business days, none a holiday.
        let (s, e) = (d(2025, 6, 9), d(2025, 6, 20));
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 8)), 0.0);
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 9)), 10.0);
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 13)), 50.0);
        // The weekend adds nothing.
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 15)), 50.0);
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 20)), 100.0);
        assert_eq!(expected_progress(&cal, s, e, d(2025, 7, 1)), 100.0);
        // Monday 2 June 2025 is a holiday (Ascensión, moved): a week starting on it has 4.
        let (s, e) = (d(2025, 6, 2), d(2025, 6, 6));
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 2)), 0.0);
        assert_eq!(expected_progress(&cal, s, e, d(2025, 6, 3)), 25.0);
        // Holy week 2025: Thursday 17 and Friday 18 April are holidays.
        let (s, e) = (d(2025, 4, 14), d(2025, 4, 25));
        assert_eq!(
            expected_progress(&cal, s, e, d(2025, 4, 18)),
            100.0 * 3.0 / 8.0
        );
    }

    #[test]
    fn the_status_follows_the_thresholds_and_the_end_date() {
        let t = Thresholds::default();
        let end = d(2025, 12, 31);
        let today = d(2025, 6, 30);
        assert_eq!(
            status(0.0, None, end, d(2025, 1, 1), None, t),
            ScheduleStatus::NotStarted
        );
        assert_eq!(
            status(50.0, Some(45.0), end, today, None, t),
            ScheduleStatus::OnTrack
        );
        assert_eq!(
            status(50.0, Some(40.0), end, today, None, t),
            ScheduleStatus::OnTrack
        );
        assert_eq!(
            status(50.0, Some(39.0), end, today, None, t),
            ScheduleStatus::AtRisk
        );
        assert_eq!(
            status(50.0, Some(25.0), end, today, None, t),
            ScheduleStatus::AtRisk
        );
        assert_eq!(
            status(50.0, Some(24.0), end, today, None, t),
            ScheduleStatus::Late
        );
        assert_eq!(
            status(50.0, None, end, today, None, t),
            ScheduleStatus::Late
        );
        assert_eq!(
            status(100.0, Some(99.0), end, d(2026, 1, 2), None, t),
            ScheduleStatus::Overdue
        );
        assert_eq!(
            status(100.0, Some(100.0), end, d(2026, 1, 2), None, t),
            ScheduleStatus::Done
        );
        assert_eq!(
            status(
                50.0,
                Some(0.0),
                end,
                today,
                Some(ManualStatus::Cancelled),
                t
            ),
            ScheduleStatus::Cancelled
        );
        let strict = Thresholds::new(5.0, 10.0).unwrap();
        assert_eq!(
            status(50.0, Some(44.0), end, today, None, strict),
            ScheduleStatus::AtRisk
        );
        assert!(Thresholds::new(30.0, 20.0).is_err());
    }

    #[test]
    fn plan_progress_is_a_weighted_mean() {
        assert_eq!(weighted_progress(&[100.0, 0.0], None), 50.0);
        assert_eq!(weighted_progress(&[100.0, 0.0], Some(&[80.0, 20.0])), 80.0);
        assert_eq!(weighted_progress(&[], None), 0.0);
        assert!(check_weights(&[50.0, 50.0]).is_ok());
        assert_eq!(
            check_weights(&[50.0, 40.0]).unwrap_err(),
            "los pesos suman 90, no 100"
        );
        assert!(check_weights(&[150.0, -50.0]).is_err());
    }
}
