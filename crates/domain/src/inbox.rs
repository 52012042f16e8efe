//! "Mis pendientes": the rules that decide whether something waiting for a staff member
//! is near its deadline or past it, whether a date falls in this week, and whether a
//! follow-up period can be closed. The application layer gathers the items; these rules
//! say how each one reads.

use crate::calendar::Calendar;
use crate::followup::ReportingWindow;
use chrono::{Datelike, Duration, NaiveDate};

/// Business days before a legal deadline from which an item is shown as near it,
/// unless the caller asks for another number.
pub const NEAR_BUSINESS_DAYS: u32 = 3;

/// How an item with a deadline stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// The deadline is further than the warning term.
    OnTime,
    /// The deadline is today or within the warning term (in business days).
    Near,
    /// The deadline passed.
    Past,
}

impl Urgency {
    /// The word the page shows next to the deadline (never colour alone).
    pub fn label(self) -> &'static str {
        match self {
            Urgency::OnTime => "A tiempo",
            Urgency::Near => "Vence pronto",
            Urgency::Past => "Vencido",
        }
    }

    /// A class name for the page's style.
    pub fn css(self) -> &'static str {
        match self {
            Urgency::OnTime => "a-tiempo",
            Urgency::Near => "pronto",
            Urgency::Past => "vencido",
        }
    }
}

/// Where `due` stands on `today`: past it, within `near` business days of it (the
/// deadline day itself counts as near), or further away.
pub fn urgency(calendar: &Calendar, due: NaiveDate, today: NaiveDate, near: u32) -> Urgency {
    if today > due {
        Urgency::Past
    } else if due <= calendar.add_business_days(today, near) {
        Urgency::Near
    } else {
        Urgency::OnTime
    }
}

/// Whether an item with this deadline belongs in the list: near or past it.
pub fn needs_attention(calendar: &Calendar, due: NaiveDate, today: NaiveDate, near: u32) -> bool {
    urgency(calendar, due, today, near) != Urgency::OnTime
}

/// The Monday of `date`'s week (Colombian weeks start on Monday).
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Whether `date` falls in the same Monday-to-Sunday week as `today`, not after it.
pub fn this_week(date: NaiveDate, today: NaiveDate) -> bool {
    week_start(today) <= date && date <= today
}

/// Whether a period can be closed on `today`: its reporting window has ended and it was
/// not closed yet.
pub fn closable(window: ReportingWindow, closed: bool, today: NaiveDate) -> bool {
    !closed && today > window.closes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn near_counts_business_days_and_skips_holidays() {
        let cal = Calendar::new([]);
        // Friday 5 Dec 2025: three business days ahead is Thursday 11 Dec (Monday
        // 8 Dec is the Immaculate Conception, a holiday).
        let today = d(2025, 12, 5);
        assert_eq!(urgency(&cal, d(2025, 12, 12), today, 3), Urgency::OnTime);
        assert_eq!(urgency(&cal, d(2025, 12, 11), today, 3), Urgency::Near);
        assert_eq!(urgency(&cal, d(2025, 12, 9), today, 3), Urgency::Near);
        assert_eq!(urgency(&cal, today, today, 3), Urgency::Near, "due today");
        assert_eq!(urgency(&cal, d(2025, 12, 4), today, 3), Urgency::Past);
        // With no warning term only the deadline day itself is near.
        assert_eq!(urgency(&cal, d(2025, 12, 9), today, 0), Urgency::OnTime);
        assert_eq!(urgency(&cal, today, today, 0), Urgency::Near);
    }

    #[test]
    fn only_near_or_past_items_need_attention() {
        let cal = Calendar::new([]);
        let today = d(2025, 3, 3);
        assert!(!needs_attention(&cal, d(2025, 3, 20), today, 3));
        assert!(needs_attention(&cal, d(2025, 3, 5), today, 3));
        assert!(needs_attention(&cal, d(2025, 2, 28), today, 3));
    }

    #[test]
    fn urgency_reads_as_a_word() {
        assert_eq!(Urgency::Past.label(), "Vencido");
        assert_eq!(Urgency::Near.label(), "Vence pronto");
        assert!(Urgency::Past > Urgency::Near && Urgency::Near > Urgency::OnTime);
    }

    #[test]
    fn a_week_runs_from_monday_to_today() {
        // Wednesday 3 Dec 2025.
        let today = d(2025, 12, 3);
        assert_eq!(week_start(today), d(2025, 12, 1));
        assert_eq!(week_start(d(2025, 12, 7)), d(2025, 12, 1), "Sunday");
        assert_eq!(week_start(d(2025, 12, 1)), d(2025, 12, 1), "Monday");
        assert!(this_week(d(2025, 12, 1), today));
        assert!(this_week(today, today));
        assert!(!this_week(d(2025, 11, 30), today), "last Sunday");
        assert!(!this_week(d(2025, 12, 4), today), "tomorrow");
    }

    #[test]
    fn a_period_closes_after_its_window_and_once() {
        let window = ReportingWindow {
            opens: d(2025, 1, 1),
            closes: d(2025, 5, 15),
        };
        assert!(
            !closable(window, false, d(2025, 5, 15)),
            "last reporting day"
        );
        assert!(closable(window, false, d(2025, 5, 16)));
        assert!(!closable(window, true, d(2025, 5, 16)), "already closed");
    }
}
