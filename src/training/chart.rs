//! The quarterly trend as an SVG drawn on the server (no script, nothing loaded from
//! elsewhere): one bar per quarter, and a marker on each quarter in which a session was
//! delivered. Free of web and database types.

/// Escapes text for SVG/XML (also the statistics page's bars).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `quarters`: (label such as "2026-T1", count); `sessions`: indexes of quarters with a delivery.
pub fn trend_svg(
    title: &str,
    quarters: &[(String, usize)],
    sessions: &[usize],
    session_label: &str,
) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 220.0_f64, 36.0_f64, 40.0_f64, 24.0_f64);
    let n = quarters.len().max(1) as f64;
    let max = quarters.iter().map(|q| q.1).max().unwrap_or(0).max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let plot_h = h - bottom - top;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"trend\"><title>{}</title>",
        esc(title)
    );
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>",
        h - bottom,
        w - 8.0,
        h - bottom
    ));
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        left - 4.0,
        top + 4.0,
        max as usize
    ));
    for (i, (label, count)) in quarters.iter().enumerate() {
        let x = left + i as f64 * slot;
        let bh = *count as f64 / max * plot_h;
        if sessions.contains(&i) {
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{plot_h:.1}\" fill=\"#cfe8d6\"><title>{}</title></rect>",
                slot,
                esc(session_label)
            ));
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">▲</text>",
                x + slot / 2.0,
                top - 6.0
            ));
        }
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#7a3b2e\"><title>{} : {count}</title></rect>",
            x + slot * 0.15,
            h - bottom - bh,
            slot * 0.7,
            esc(label)
        ));
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + slot / 2.0,
            h - bottom + 14.0,
            esc(label)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_markers_and_escaped_labels() {
        let q = vec![("2026-T1".to_string(), 4), ("2026-T2".to_string(), 2), ("2026-T3".to_string(), 0)];
        let svg = trend_svg("GTIA <8>", &q, &[1], "Session");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("GTIA &lt;8&gt;") && !svg.contains("<8>"));
        assert_eq!(svg.matches("fill=\"#7a3b2e\"").count(), 3, "one bar per quarter");
        assert_eq!(svg.matches('▲').count(), 1, "one session marker");
        assert!(svg.contains("height=\"156.0\""), "the tallest bar fills the plot: {svg}");
    }
}
