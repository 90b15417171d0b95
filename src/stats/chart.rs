//! Bars by category for the public statistics page (allegations by kind of violation, by
//! disposition), drawn on the server as SVG: no script, nothing loaded from elsewhere. Each
//! bar has its label above it, so the chart reads at 360 px as it does on a desk; a withheld
//! figure gets no bar, only the word that says so. Free of web and database types.

use crate::training::chart::esc;

/// One horizontal bar per item: (code, label, count; None when withheld). `withheld`: the
/// word shown instead of a withheld figure.
pub fn category_bars(title: &str, items: &[(String, String, Option<u64>)], withheld: &str) -> String {
    let (w, row, left, right) = (360.0_f64, 38.0_f64, 2.0_f64, 56.0_f64);
    let max = items.iter().filter_map(|i| i.2).max().unwrap_or(0).max(1) as f64;
    let h = row * items.len().max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"bars\"><title>{}</title>",
        esc(title)
    );
    for (i, (code, label, count)) in items.iter().enumerate() {
        let y = i as f64 * row;
        s.push_str(&format!(
            "<text x=\"{left}\" y=\"{:.0}\" font-size=\"13\">{}</text>",
            y + 14.0,
            esc(label)
        ));
        match count {
            Some(n) => {
                let bw = (*n as f64 / max * (w - left - right)).max(if *n > 0 { 1.0 } else { 0.0 });
                s.push_str(&format!(
                    "<rect x=\"{left}\" y=\"{:.0}\" width=\"{bw:.1}\" height=\"13\" fill=\"#7a3b2e\" data-key=\"{}\" data-count=\"{n}\"><title>{} : {n}</title></rect>",
                    y + 19.0,
                    esc(code),
                    esc(label)
                ));
                s.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.0}\" font-size=\"12\">{n}</text>",
                    left + bw + 4.0,
                    y + 30.0
                ));
            }
            None => s.push_str(&format!(
                "<text x=\"{left}\" y=\"{:.0}\" font-size=\"12\" fill=\"#555\" data-key=\"{}\" data-withheld=\"true\">— {}</text>",
                y + 30.0,
                esc(code),
                esc(withheld)
            )),
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_a_withheld_figure_has_no_bar() {
        let svg = category_bars(
            "Par type",
            &[
                ("integrity".into(), "Torture <& coups>".into(), Some(40)),
                ("life".into(), "Vie".into(), Some(10)),
                ("liberty".into(), "Liberté".into(), None),
                ("other".into(), "Autre".into(), Some(0)),
            ],
            "masqué",
        );
        assert!(svg.contains("data-key=\"integrity\" data-count=\"40\""));
        assert!(svg.contains("width=\"302.0\""), "the largest spans the plot: {svg}");
        assert!(svg.contains("width=\"75.5\""), "a quarter of it");
        assert!(svg.contains("data-key=\"liberty\" data-withheld=\"true\">— masqué"));
        assert!(!svg.contains("data-key=\"liberty\" data-count"));
        assert!(svg.contains("data-key=\"other\" data-count=\"0\""));
        assert!(svg.contains("Torture &lt;&amp; coups&gt;") && !svg.contains("<&"));
    }
}
