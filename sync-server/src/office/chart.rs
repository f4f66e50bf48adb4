//! Charts drawn on the server as SVG: no script, no remote library, and
//! a text alternative for screen readers.

use std::fmt::Write;

use maud::{Markup, PreEscaped, html};

/// Text made safe inside SVG markup.
fn esc(text: &str) -> String {
    html! { (text) }.into_string()
}

/// A bar chart of `(label, value)` pairs, values in the same unit.
pub fn bars(title: &str, bars: &[(String, f64)], unit: &str) -> Markup {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 200.0;
    const BASE: f64 = 170.0;
    let most = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let step = WIDTH / bars.len().max(1) as f64;
    let mut svg = String::new();
    let summary: Vec<String> = bars.iter().map(|(label, value)| format!("{label}: {value:.2} {unit}")).collect();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(&summary.join("; ")),
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let height = if most > 0.0 { value.max(0.0) / most * (BASE - 10.0) } else { 0.0 };
        let x = i as f64 * step;
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{height:.1}"><title>{}: {value:.2} {unit}</title></rect><text x="{:.1}" y="190" text-anchor="middle">{}</text>"#,
            x + step * 0.15,
            BASE - height,
            step * 0.7,
            esc(label),
            x + step / 2.0,
            esc(label.trim_end_matches(":00")),
        );
    }
    svg.push_str("</svg>");
    html! { (PreEscaped(svg)) }
}
