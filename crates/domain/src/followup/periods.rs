//! Follow-up periods (cortes): how often a plan is followed up, the cut-off dates that
//! gives in the plan's year, and when reporting for each period is open.

use crate::calendar::Calendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How often a plan's follow-up is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    /// Cuatrimestral: 30 April, 31 August, 31 December (the PAAC follow-up).
    FourMonthly,
    SixMonthly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::FourMonthly,
        Frequency::SixMonthly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "mensual",
            Frequency::Quarterly => "trimestral",
            Frequency::FourMonthly => "cuatrimestral",
            Frequency::SixMonthly => "semestral",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::Monthly => "Mensual (12 cortes)",
            Frequency::Quarterly => "Trimestral (31 mar, 30 jun, 30 sep, 31 dic)",
            Frequency::FourMonthly => "Cuatrimestral (30 abr, 31 ago, 31 dic)",
            Frequency::SixMonthly => "Semestral (30 jun, 31 dic)",
        }
    }

    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::FourMonthly => 4,
            Frequency::SixMonthly => 6,
        }
    }
}

/// One follow-up period of a plan's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// 1-based, in the year's order.
    pub number: u32,
    pub start: NaiveDate,
    pub cut_off: NaiveDate,
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid month")
}

/// The periods of `year` at `frequency`, in order; together they cover the whole year.
pub fn periods(year: i32, frequency: Frequency) -> Vec<Period> {
    let step = frequency.months();
    (0..12 / step)
        .map(|i| {
            let first_month = i * step + 1;
            Period {
                number: i + 1,
                start: NaiveDate::from_ymd_opt(year, first_month, 1).expect("valid date"),
                cut_off: last_day_of_month(year, first_month + step - 1),
            }
        })
        .collect()
}

/// When a period takes reports: from its first day until `close_after` business days
/// after its cut-off (the legal parameter `seguimiento.reporte_tras_corte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportingWindow {
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

impl Period {
    pub fn window(&self, calendar: &Calendar, close_after: u32) -> ReportingWindow {
        ReportingWindow {
            opens: self.start,
            closes: calendar.add_business_days(self.cut_off, close_after),
        }
    }

    /// `Cuatrimestre 1 (corte 30 abr 2025)`-style name.
    pub fn name(&self, frequency: Frequency) -> String {
        let unit = match frequency {
            Frequency::Monthly => "Mes",
            Frequency::Quarterly => "Trimestre",
            Frequency::FourMonthly => "Cuatrimestre",
            Frequency::SixMonthly => "Semestre",
        };
        format!(
            "{unit} {} (corte {})",
            self.number,
            crate::dates::fecha(self.cut_off)
        )
    }
}

impl ReportingWindow {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens <= today && today <= self.closes
    }
}

/// The period whose reporting is due next at `today`: the first whose window has not
/// closed yet.
pub fn next_due(
    periods: &[Period],
    calendar: &Calendar,
    close_after: u32,
    today: NaiveDate,
) -> Option<Period> {
    periods
        .iter()
        .copied()
        .find(|p| p.window(calendar, close_after).closes >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn each_frequency_cuts_the_year_where_the_norms_do() {
        let cut = |f| {
            periods(2025, f)
                .iter()
                .map(|p| p.cut_off)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cut(Frequency::FourMonthly),
            [d(2025, 4, 30), d(2025, 8, 31), d(2025, 12, 31)]
        );
        assert_eq!(
            cut(Frequency::SixMonthly),
            [d(2025, 6, 30), d(2025, 12, 31)]
        );
        assert_eq!(
            cut(Frequency::Quarterly),
            [
                d(2025, 3, 31),
                d(2025, 6, 30),
                d(2025, 9, 30),
                d(2025, 12, 31)
            ]
        );
        let monthly = cut(Frequency::Monthly);
        assert_eq!(monthly.len(), 12);
        assert_eq!(monthly[1], d(2025, 2, 28));
        assert_eq!(periods(2024, Frequency::Monthly)[1].cut_off, d(2024, 2, 29));
    }

    #[test]
    fn periods_cover_the_year_without_gaps() {
        for f in Frequency::ALL {
            let ps = periods(2026, f);
            assert_eq!(ps[0].start, d(2026, 1, 1));
            assert_eq!(ps.last().unwrap().cut_off, d(2026, 12, 31));
            for pair in ps.windows(2) {
                assert_eq!(pair[0].cut_off.succ_opt().unwrap(), pair[1].start, "{f:?}");
            }
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn reporting_closes_business_days_after_the_cut_off() {
        let cal = Calendar::new([]);
        let first = periods(2025, Frequency::FourMonthly)[0];
        // 30 April 2025 is a Wednesday; 1 May is a holiday: 10 business days end 15 May.
        let w = first.window(&cal, 10);
        assert_eq!(w.closes, d(2025, 5, 15));
        assert!(w.is_open(d(2025, 4, 30)));
        assert!(w.is_open(d(2025, 5, 15)));
        assert!(!w.is_open(d(2025, 5, 16)));
        let ps = periods(2025, Frequency::FourMonthly);
        assert_eq!(next_due(&ps, &cal, 10, d(2025, 5, 10)).unwrap().number, 1);
        assert_eq!(next_due(&ps, &cal, 10, d(2025, 5, 16)).unwrap().number, 2);
        assert_eq!(next_due(&ps, &cal, 10, d(2026, 2, 1)), None);
        assert_eq!(
            first.name(Frequency::FourMonthly),
            "Cuatrimestre 1 (corte 30 abr 2025)"
        );
    }
}
