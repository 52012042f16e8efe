//! The progress-by-office chart as SVG, the same in the HTML dashboard and the PDF:
//! for each office a solid bar (reported or verified progress) over a hatched one
//! (expected), readable in black and white, with the figures written beside them.

use crate::OfficeProgress;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn office_chart(offices: &[OfficeProgress]) -> String {
    let row = 34.0;
    let (left, width) = (90.0, 560.0);
    let plot = width - left - 90.0;
    let height = 30.0 + row * offices.len() as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"Libertinus Serif, serif\" font-size=\"12\">\
         <title>Avance por dependencia</title>\
         <defs><pattern id=\"rayas\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#000\" stroke-width=\"1.5\"/></pattern></defs>"
    );
    for p in [0.0, 50.0, 100.0] {
        let x = left + plot * p / 100.0;
        s += &format!(
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"8\" y2=\"{:.1}\" stroke=\"#999\" stroke-dasharray=\"2 2\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{p:.0} %</text>",
            height - 18.0,
            height - 4.0
        );
    }
    for (i, o) in offices.iter().enumerate() {
        let y = 10.0 + row * i as f64;
        let e = plot * o.expected_value.clamp(0.0, 100.0) / 100.0;
        let r = plot * o.progress_value.clamp(0.0, 100.0) / 100.0;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{e:.1}\" height=\"10\" fill=\"url(#rayas)\" stroke=\"#000\" stroke-width=\"0.8\"/>\
             <rect x=\"{left}\" y=\"{:.1}\" width=\"{r:.1}\" height=\"10\" fill=\"#1f3a68\" stroke=\"#000\" stroke-width=\"0.8\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{} % / {} %</text>",
            left - 8.0,
            y + 15.0,
            escape(&o.code),
            y + 11.0,
            left + plot + 6.0,
            y + 15.0,
            escape(&o.progress),
            escape(&o.expected),
        );
    }
    s += "</svg>";
    s
}

/// A horizontal bar chart (one bar per label, the value written beside it), the same
/// in black and white; a bar without a value (suppressed) is drawn as its text only.
pub fn bar_chart(title: &str, bars: &[crate::Bar]) -> String {
    let row = 24.0;
    let (left, width) = (230.0, 640.0);
    let plot = width - left - 110.0;
    let height = 16.0 + row * bars.len() as f64;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"Libertinus Serif, serif\" font-size=\"12\"><title>{}</title>",
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 8.0 + row * i as f64;
        let w = b.value.map_or(0.0, |v| plot * v.max(0.0) / max);
        let label: String = b.label.chars().take(38).collect();
        let label = if label.len() < b.label.len() {
            format!("{label}…")
        } else {
            label
        };
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"12\" fill=\"#1f3a68\" stroke=\"#000\" stroke-width=\"0.8\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left - 8.0,
            y + 10.5,
            escape(&label),
            left + w + 6.0,
            y + 10.5,
            escape(&b.text),
        );
    }
    s += "</svg>";
    s
}
