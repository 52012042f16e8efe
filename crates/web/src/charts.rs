//! The follow-up charts of the staff pages, drawn from the application layer's
//! [`Dashboard`].

use participa_app::followup::Dashboard;

/// The plan's progress against the expected curve over the year, as an SVG line chart
/// readable in black and white (solid line: reported; dashed: expected).
pub fn progress_chart(d: &Dashboard, title: &str) -> String {
    let (w, h, left, top, bottom) = (720.0, 260.0, 48.0, 16.0, 36.0);
    let plot_w = w - left - 16.0;
    let plot_h = h - top - bottom;
    let x = |i: usize| left + plot_w * (i as f64 + 0.5) / 12.0;
    let y = |v: f64| top + plot_h * (1.0 - v / 100.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"curva-t curva-d\">\
         <title id=\"curva-t\">{}</title><desc id=\"curva-d\">Línea continua: avance reportado del plan al final de cada mes. Línea discontinua: avance esperado según los días hábiles transcurridos. La tabla siguiente da los mismos valores.</desc>",
        crate::gantt::escape(title)
    );
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        s += &format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#bbb\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#222\">{v:.0} %</text>",
            left + plot_w,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0
        );
    }
    for (i, m) in participa_app::dates::MONTHS.iter().enumerate() {
        s += &format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#222\">{m}</text>",
            x(i),
            h - 12.0
        );
    }
    let line = |points: Vec<(usize, f64)>| {
        points
            .iter()
            .map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let expected: Vec<(usize, f64)> = d.curve.iter().enumerate().map(|(i, c)| (i, c.1)).collect();
    let reported: Vec<(usize, f64)> = d
        .curve
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.2.map(|v| (i, v)))
        .collect();
    s += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
        line(expected)
    );
    s += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b3d91\" stroke-width=\"3\"/>",
        line(reported.clone())
    );
    for (i, v) in reported {
        s += &format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"#0b3d91\"/>",
            x(i) - 3.5,
            y(v) - 3.5
        );
    }
    s += "</svg>";
    s
}
