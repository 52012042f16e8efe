//! The plan's timeline as SVG: one row per activity across the year's months, a
//! marker for today, the responsible offices next to each bar. Drawn with black
//! outlines and hatching so it reads printed in black and white; the same dates are
//! in the activities table, which the chart points to as its text alternative.

use chrono::{Datelike, NaiveDate};
use participa_domain::Activity;
use std::fmt::Write;

const LABEL_W: f64 = 300.0;
const CHART_W: f64 = 720.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 34.0;
const MONTHS: [&str; 12] = [
    "Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic",
];

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The chart for `activities` of a plan whose vigencia is `year`. The range is the
/// calendar year, widened to any activity outside it.
///
/// The range never goes beyond the dates a plan's activities may have
/// ([`participa_domain::plan::activity_window`]: the year before to the year after):
/// a bar of a plan saved before that rule, running to 9999, is cut at the edge instead
/// of drawing a month grid of eighty centuries.
pub fn svg(year: i32, activities: &[&Activity], today: NaiveDate) -> String {
    let (window_start, window_end) = participa_domain::plan::activity_window(year);
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(window_start);
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(window_end);
    let clamp = |d: NaiveDate| d.clamp(window_start, window_end);
    let first = activities
        .iter()
        .map(|a| clamp(a.start))
        .min()
        .unwrap_or(jan1)
        .min(jan1);
    let last = activities
        .iter()
        .map(|a| clamp(a.end))
        .max()
        .unwrap_or(dec31)
        .max(dec31);
    let start = first.with_day(1).unwrap_or(first);
    let end = last.succ_opt().unwrap_or(last);
    let days = (end - start).num_days().max(1) as f64;
    let x = |d: NaiveDate| LABEL_W + CHART_W * ((d - start).num_days() as f64 / days);
    let height = TOP + ROW_H * activities.len().max(1) as f64 + 24.0;
    let width = LABEL_W + CHART_W + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="gantt-title gantt-desc" class="gantt-chart"><title id="gantt-title">Cronograma {year}</title><desc id="gantt-desc">{activities} entre {from} y {to}. Las fechas exactas están en la lista de actividades.</desc><defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d6e4f0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1d4f7a" stroke-width="2"/></pattern></defs>"##,
        activities = crate::views::count(activities.len(), "actividad", "actividades"),
        from = participa_app::dates::fecha(start),
        to = participa_app::dates::fecha(last),
    );
    // Month grid and names.
    let mut m = start;
    while m < end {
        let Some(next) = (if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
        }) else {
            break;
        };
        let (x0, x1) = (x(m), x(next.min(end)));
        let label = if m.year() == year {
            MONTHS[m.month0() as usize].to_string()
        } else {
            format!("{} {}", MONTHS[m.month0() as usize], m.year() % 100)
        };
        let _ = write!(
            s,
            r##"<line x1="{x0:.1}" y1="{top:.1}" x2="{x0:.1}" y2="{bottom:.1}" stroke="#767676" stroke-width="0.5"/><text x="{cx:.1}" y="22" font-size="12" text-anchor="middle" fill="#1a1a1a">{label}</text>"##,
            top = TOP - 6.0,
            bottom = height - 20.0,
            cx = (x0 + x1) / 2.0,
        );
        m = next;
    }
    for (i, a) in activities.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let codes: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
        let codes = codes.join("-");
        let label = format!("{}. {}", a.number, shorten(&a.description, 40));
        let (x0, x1) = (
            x(clamp(a.start)),
            x(clamp(a.end).succ_opt().unwrap_or(end).min(end)),
        );
        let _ = write!(
            s,
            r##"<g><title>Actividad {n}: {desc}. Del {start} al {end}. Responsable: {codes}.</title><text x="4" y="{ty:.1}" font-size="12" fill="#1a1a1a">{label}</text><rect x="{x0:.1}" y="{by:.1}" width="{w:.1}" height="{bh:.1}" fill="url(#hatch)" stroke="#1a1a1a" stroke-width="1"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" fill="#1a1a1a"{anchor}>{codes}</text></g>"##,
            n = a.number,
            desc = escape(&a.description),
            start = participa_app::dates::fecha(a.start),
            end = participa_app::dates::fecha(a.end),
            codes = escape(&codes),
            label = escape(&label),
            ty = y + ROW_H * 0.65,
            by = y + 5.0,
            w = (x1 - x0).max(2.0),
            bh = ROW_H - 10.0,
            tx = if x1 + 110.0 < LABEL_W + CHART_W {
                x1 + 4.0
            } else {
                x0 - 4.0
            },
            anchor = if x1 + 110.0 < LABEL_W + CHART_W {
                ""
            } else {
                r#" text-anchor="end""#
            },
        );
    }
    if today >= start && today < end {
        let tx = x(today);
        let _ = write!(
            s,
            r##"<line x1="{tx:.1}" y1="{top:.1}" x2="{tx:.1}" y2="{bottom:.1}" stroke="#b00020" stroke-width="2" stroke-dasharray="4 2"/><text x="{tx:.1}" y="{ly:.1}" font-size="12" text-anchor="middle" fill="#b00020" font-weight="bold">Hoy {today}</text>"##,
            top = TOP - 6.0,
            bottom = height - 20.0,
            ly = height - 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use participa_domain::{ActivityNumber, OfficeCode};

    fn activity(n: u32, start: (u32, u32), end: (u32, u32), desc: &str) -> Activity {
        Activity {
            number: ActivityNumber::new(n).unwrap(),
            description: desc.into(),
            start: NaiveDate::from_ymd_opt(2025, start.0, start.1).unwrap(),
            end: NaiveDate::from_ymd_opt(2025, end.0, end.1).unwrap(),
            responsible: vec![
                OfficeCode::parse("OAPLA").unwrap(),
                OfficeCode::parse("ARCOM").unwrap(),
            ],
            responsible_text: String::new(),
            deliverable: "x".into(),
            tags: Default::default(),
            details: Default::default(),
        }
    }

    #[test]
    fn one_bar_per_activity_with_offices_and_a_today_marker_inside_the_year() {
        let a = activity(
            1,
            (2, 5),
            (3, 14),
            "Formular el plan <borrador> & publicarlo",
        );
        let b = activity(2, (12, 1), (12, 31), "Cierre");
        let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
        let svg = svg(2025, &[&a, &b], today);
        assert_eq!(
            svg.matches("<rect x=").count(),
            2,
            "one bar per activity: {svg}"
        );
        assert!(svg.contains("OAPLA-ARCOM"));
        assert!(svg.contains("Hoy 2025-06-15"));
        assert!(
            svg.contains("&lt;borrador&gt; &amp; publicarlo"),
            "text is escaped"
        );
        assert!(!svg.contains("<borrador>"));
        assert!(svg.contains(">Ene<") && svg.contains(">Dic<"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<desc"));
    }

    #[test]
    fn a_bar_far_from_the_vigencia_is_cut_at_the_window() {
        // A plan saved before activity dates were kept near the vigencia: one ending
        // 9999-12-31 drew a month grid of eighty centuries (16 MB of SVG).
        let mut far = activity(1, (2, 5), (3, 14), "Lejos");
        far.end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        far.start = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        let svg = svg(2025, &[&far], NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
        assert!(svg.len() < 20_000, "{} bytes", svg.len());
        assert!(svg.contains("entre 1 ene 2024 y 31 dic 2026"));
        // The tooltip still says the dates as saved.
        assert!(svg.contains("al 31 dic 9999"));
    }

    #[test]
    fn no_today_marker_outside_the_range() {
        let a = activity(1, (2, 5), (3, 14), "A");
        let svg = svg(2025, &[&a], NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        assert!(!svg.contains("Hoy"));
    }

    #[test]
    fn bars_are_placed_in_proportion_to_their_dates() {
        let whole = activity(1, (1, 1), (12, 31), "Todo el año");
        let svg = svg(
            2025,
            &[&whole],
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        );
        let expected = format!(
            r#"<rect x="{LABEL_W:.1}" y="{:.1}" width="{CHART_W:.1}""#,
            TOP + 5.0
        );
        assert!(svg.contains(&expected), "{svg}");
    }
}
