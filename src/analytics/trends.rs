//! The staff analytics' figures, free of web and database types: the quarters of a range, the
//! quarterly trend (allegations, cases opened, cases closed), breakdowns sorted by count, the
//! median days to decision per institution, the overdue counts per institution, and the trend
//! chart (bars and lines) as SVG drawn on the server.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::stats::figures::{median, quarter_of, Period};

/// The most quarters a trend shows: a longer range keeps its latest quarters.
pub const MAX_QUARTERS: usize = 40;

/// The quarters from `from`'s to `to`'s, oldest first (the latest [`MAX_QUARTERS`] of them).
pub fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let (Period::Quarter(mut y, mut q), last) = (quarter_of(from), quarter_of(to)) else { return vec![] };
    let mut out = vec![];
    while Period::Quarter(y, q) <= last {
        out.push(Period::Quarter(y, q));
        (y, q) = if q == 4 { (y + 1, 1) } else { (y, q + 1) };
    }
    let skip = out.len().saturating_sub(MAX_QUARTERS);
    out.split_off(skip)
}

/// The first day of the range shown when none is asked for: the quarter of `to` and the seven
/// before it (two years).
pub fn default_from(to: NaiveDate) -> NaiveDate {
    let Period::Quarter(y, q) = quarter_of(to) else { return to };
    let back = (y * 4 + q as i32 - 1) - 7;
    let (y, q) = (back.div_euclid(4), back.rem_euclid(4) as u32 + 1);
    Period::Quarter(y, q).span().0
}

/// The whole months a range covers: the first day of `from`'s month to the last day of `to`'s
/// (the analytics count allegations by their event's month).
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let first = from.with_day(1).unwrap_or(from);
    let next = if to.month() == 12 {
        NaiveDate::from_ymd_opt(to.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(to.year(), to.month() + 1, 1)
    };
    (first, next.and_then(|d| d.pred_opt()).unwrap_or(to))
}

/// One quarter of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarterRow {
    pub quarter: String,
    pub allegations: u64,
    pub opened: u64,
    pub closed: u64,
}

/// Counts by quarter: allegations by their event's month, cases by the day they were opened
/// and closed. Days outside the quarters are not counted.
pub fn trend(
    quarters: &[Period],
    allegations: &[(NaiveDate, u64)],
    opened: &[NaiveDate],
    closed: &[NaiveDate],
) -> Vec<QuarterRow> {
    let mut rows: BTreeMap<Period, QuarterRow> = quarters
        .iter()
        .map(|p| (*p, QuarterRow { quarter: p.label(), allegations: 0, opened: 0, closed: 0 }))
        .collect();
    for (month, n) in allegations {
        if let Some(r) = rows.get_mut(&quarter_of(*month)) {
            r.allegations += n;
        }
    }
    for d in opened {
        if let Some(r) = rows.get_mut(&quarter_of(*d)) {
            r.opened += 1;
        }
    }
    for d in closed {
        if let Some(r) = rows.get_mut(&quarter_of(*d)) {
            r.closed += 1;
        }
    }
    rows.into_values().collect()
}

/// Sums counts by key, largest first (ties by key).
pub fn tally<K: Ord + Clone>(rows: impl IntoIterator<Item = (K, u64)>) -> Vec<(K, u64)> {
    let mut sums: BTreeMap<K, u64> = BTreeMap::new();
    for (k, n) in rows {
        *sums.entry(k).or_default() += n;
    }
    let mut out: Vec<(K, u64)> = sums.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// A case as its times to decision need it.
#[derive(Debug, Clone)]
pub struct CaseTimes {
    pub institution: String,
    /// The first report of the case's event (none for an event opened by staff alone).
    pub reported_on: Option<NaiveDate>,
    /// Routing: the day the case was opened.
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// The median days to decision of an institution's cases opened in the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimingRow {
    pub institution: String,
    pub cases: usize,
    pub closed: usize,
    pub report_to_routing: Option<f64>,
    pub routing_to_closure: Option<f64>,
    pub report_to_closure: Option<f64>,
}

/// One row per institution of `institutions` (in that order) with cases, and `*` for all: the
/// medians over the cases that reached the step (a negative span, a date typed wrong, counts
/// as 0 days).
pub fn timing(cases: &[CaseTimes], institutions: &[String], all: &str) -> Vec<TimingRow> {
    let row = |name: &str, of: &dyn Fn(&CaseTimes) -> bool| -> Option<TimingRow> {
        let mine: Vec<&CaseTimes> = cases.iter().filter(|c| of(c)).collect();
        if mine.is_empty() {
            return None;
        }
        let days = |a: NaiveDate, b: NaiveDate| (b - a).num_days().max(0);
        Some(TimingRow {
            institution: name.to_string(),
            cases: mine.len(),
            closed: mine.iter().filter(|c| c.closed_on.is_some()).count(),
            report_to_routing: median(
                mine.iter().filter_map(|c| Some(days(c.reported_on?, c.opened_on))).collect(),
            ),
            routing_to_closure: median(
                mine.iter().filter_map(|c| Some(days(c.opened_on, c.closed_on?))).collect(),
            ),
            report_to_closure: median(
                mine.iter().filter_map(|c| Some(days(c.reported_on?, c.closed_on?))).collect(),
            ),
        })
    };
    let mut out: Vec<TimingRow> =
        institutions.iter().filter_map(|i| row(i, &|c: &CaseTimes| &c.institution == i)).collect();
    if out.len() > 1 {
        out.extend(row(all, &|_: &CaseTimes| true));
    }
    out
}

/// An institution's open cases and how many have each deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueRow {
    pub institution: String,
    pub open: u64,
    /// Open cases with at least one deadline passed.
    pub overdue: u64,
    pub acknowledge: u64,
    pub triage: u64,
    pub response: u64,
}

/// `open`: open cases as (institution, the kinds of their deadlines that are passed:
/// `acknowledge`, `triage`, `response`, as `cases::deadlines` judges them, how many cases).
/// One row per institution of `institutions` with open cases, in that order.
pub fn overdue(open: &[(String, Vec<&str>, u64)], institutions: &[String]) -> Vec<OverdueRow> {
    institutions
        .iter()
        .filter_map(|inst| {
            let mine: Vec<(&Vec<&str>, u64)> =
                open.iter().filter(|o| &o.0 == inst).map(|o| (&o.1, o.2)).collect();
            if mine.is_empty() {
                return None;
            }
            let sum =
                |f: &dyn Fn(&Vec<&str>) -> bool| mine.iter().filter(|(ks, _)| f(ks)).map(|(_, n)| n).sum();
            Some(OverdueRow {
                institution: inst.clone(),
                open: sum(&|_| true),
                overdue: sum(&|ks| !ks.is_empty()),
                acknowledge: sum(&|ks| ks.contains(&"acknowledge")),
                triage: sum(&|ks| ks.contains(&"triage")),
                response: sum(&|ks| ks.contains(&"response")),
            })
        })
        .collect()
}

/// Escapes text for SVG/XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The words of the chart: its title and the three series' names.
pub struct ChartWords<'a> {
    pub title: &'a str,
    pub allegations: &'a str,
    pub opened: &'a str,
    pub closed: &'a str,
}

/// The trend as SVG: one bar per quarter for the allegations (left scale), and two lines for
/// the cases opened and closed (right scale); each bar and point carries its value as a title,
/// and the legend names the series. Scales start at 0 and end at the largest value.
pub fn trend_svg(rows: &[QuarterRow], w: &ChartWords<'_>) -> String {
    // Narrow, with large type: drawn at 330 px on a phone, the words stay readable.
    let (width, height, left, right, bottom, top) = (480.0_f64, 330.0_f64, 40.0, 40.0, 92.0, 30.0);
    let n = rows.len().max(1) as f64;
    let slot = (width - left - right) / n;
    let plot = height - bottom - top;
    let base = height - bottom;
    let bar_max = rows.iter().map(|r| r.allegations).max().unwrap_or(0).max(1) as f64;
    let case_max = rows.iter().map(|r| r.opened.max(r.closed)).max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" class=\"trend\" font-family=\"sans-serif\"><title>{}</title>",
        esc(w.title)
    );
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#555\"/>",
        width - right
    ));
    // The two scales' ends, above the plot at either side.
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"17\" text-anchor=\"start\" fill=\"#7a3b2e\">{}</text>",
        2.0,
        top - 10.0,
        bar_max as u64
    ));
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"17\" text-anchor=\"end\" fill=\"#0b5a43\">{}</text>",
        width - 2.0,
        top - 10.0,
        case_max as u64
    ));
    // Label every quarter while they fit, else every k-th.
    let every = ((n * 72.0 / (width - left - right)).ceil() as usize).max(1);
    let centre = |i: usize| left + (i as f64 + 0.5) * slot;
    for (i, r) in rows.iter().enumerate() {
        let bh = r.allegations as f64 / bar_max * plot;
        s.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#7a3b2e\"><title>{} · {} : {}</title></rect>",
            left + i as f64 * slot + slot * 0.2,
            base - bh,
            slot * 0.6,
            esc(&r.quarter),
            esc(w.allegations),
            r.allegations
        ));
        if i % every == 0 {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"17\" text-anchor=\"middle\">{}</text>",
                centre(i),
                base + 21.0,
                esc(&r.quarter)
            ));
        }
    }
    let y = |v: u64| base - v as f64 / case_max * plot;
    for (series, colour, dash, of) in [
        (w.opened, "#0b5a43", "", (|r: &QuarterRow| r.opened) as fn(&QuarterRow) -> u64),
        (w.closed, "#1f4e9c", " stroke-dasharray=\"6 4\"", |r: &QuarterRow| r.closed),
    ] {
        let points: Vec<String> =
            rows.iter().enumerate().map(|(i, r)| format!("{:.1},{:.1}", centre(i), y(of(r)))).collect();
        s.push_str(&format!(
            "<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
            points.join(" ")
        ));
        for (i, r) in rows.iter().enumerate() {
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\"><title>{} · {} : {}</title></circle>",
                centre(i),
                y(of(r)),
                esc(&r.quarter),
                esc(series),
                of(r)
            ));
        }
    }
    // The legend, under the axis: two items a row.
    let (row1, row2) = (height - 38.0, height - 10.0);
    s.push_str(&format!(
        "<rect x=\"4\" y=\"{}\" width=\"16\" height=\"16\" fill=\"#7a3b2e\"/><text x=\"26\" y=\"{row1}\" font-size=\"16\">{}</text>",
        row1 - 14.0,
        esc(w.allegations)
    ));
    for (x, y, colour, dash, words) in [
        (width / 2.0, row1, "#0b5a43", "", w.opened),
        (4.0, row2, "#1f4e9c", " stroke-dasharray=\"6 4\"", w.closed),
    ] {
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{:.1}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/><text x=\"{:.1}\" y=\"{y}\" font-size=\"16\">{}</text>",
            y - 6.0,
            x + 18.0,
            y - 6.0,
            x + 22.0,
            esc(words)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_run_from_the_first_to_the_last_and_keep_the_latest_forty() {
        let q: Vec<String> = quarters(d("2025-11-20"), d("2026-04-01")).iter().map(|p| p.label()).collect();
        assert_eq!(q, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert!(quarters(d("2026-04-01"), d("2026-01-01")).is_empty());
        let long = quarters(d("1990-01-01"), d("2026-09-30"));
        assert_eq!(long.len(), MAX_QUARTERS);
        assert_eq!(long.last().unwrap().label(), "2026-Q3");
        assert_eq!(long[0].label(), "2016-Q4");
    }

    #[test]
    fn ranges_widen_to_whole_months() {
        assert_eq!(whole_months(d("2026-01-15"), d("2026-02-03")), (d("2026-01-01"), d("2026-02-28")));
        assert_eq!(whole_months(d("2025-12-01"), d("2025-12-31")), (d("2025-12-01"), d("2025-12-31")));
        assert_eq!(whole_months(d("2024-02-10"), d("2024-02-10")), (d("2024-02-01"), d("2024-02-29")));
    }

    #[test]
    fn the_default_range_is_eight_quarters() {
        assert_eq!(default_from(d("2026-11-30")), d("2025-01-01"));
        assert_eq!(default_from(d("2026-01-01")), d("2024-04-01"));
    }

    #[test]
    fn the_trend_counts_each_quarter_and_ignores_days_outside() {
        let qs = quarters(d("2026-01-01"), d("2026-06-30"));
        let rows = trend(
            &qs,
            &[(d("2026-01-01"), 3), (d("2026-03-01"), 2), (d("2026-05-01"), 7), (d("2025-12-01"), 9)],
            &[d("2026-01-15"), d("2026-04-02"), d("2026-04-03")],
            &[d("2026-06-30"), d("2026-07-01")],
        );
        let got: Vec<(u64, u64, u64)> = rows.iter().map(|r| (r.allegations, r.opened, r.closed)).collect();
        assert_eq!(got, [(5, 1, 0), (7, 2, 1)]);
        assert_eq!(rows[1].quarter, "2026-Q2");
    }

    #[test]
    fn tallies_sum_by_key_largest_first() {
        let t = tally([("b", 2), ("a", 2), ("c", 5), ("b", 1)]);
        assert_eq!(t, [("c", 5), ("b", 3), ("a", 2)]);
    }

    #[test]
    fn medians_per_institution_over_the_cases_that_reached_each_step() {
        let c = |inst: &str, rep: Option<&str>, open: &str, close: Option<&str>| CaseTimes {
            institution: inst.into(),
            reported_on: rep.map(d),
            opened_on: d(open),
            closed_on: close.map(d),
        };
        let cases = [
            c("cndh", Some("2026-01-01"), "2026-01-03", Some("2026-01-13")),
            c("cndh", Some("2026-01-01"), "2026-01-05", None),
            c("cndh", None, "2026-01-05", Some("2026-02-04")),
            c("mediateur", Some("2026-02-10"), "2026-02-09", None),
        ];
        let inst = vec!["cndh".to_string(), "mediateur".to_string(), "other".to_string()];
        let rows = timing(&cases, &inst, "*");
        assert_eq!(rows.len(), 3, "no row for an institution without cases; one for all");
        assert_eq!(rows[0].institution, "cndh");
        assert_eq!((rows[0].cases, rows[0].closed), (3, 2));
        assert_eq!(rows[0].report_to_routing, Some(3.0)); // 2 and 4
        assert_eq!(rows[0].routing_to_closure, Some(20.0)); // 10 and 30
        assert_eq!(rows[0].report_to_closure, Some(12.0)); // only the first
        assert_eq!(rows[1].report_to_routing, Some(0.0), "a negative span counts as 0");
        assert_eq!(rows[1].routing_to_closure, None);
        assert_eq!(rows[2].institution, "*");
        assert_eq!(rows[2].cases, 4);
        assert_eq!(rows[2].report_to_routing, Some(2.0)); // 0, 2, 4
                                                          // One institution only: no row for all.
        assert_eq!(timing(&cases[..1], &inst, "*").len(), 1);
    }

    #[test]
    fn overdue_counts_each_kind_and_each_case_once() {
        let open = vec![
            ("cndh".to_string(), vec!["acknowledge", "triage"], 1),
            ("cndh".to_string(), vec![], 1),
            ("cndh".to_string(), vec!["response"], 1),
            ("mediateur".to_string(), vec![], 1),
        ];
        let rows = overdue(&open, &["cndh".to_string(), "mediateur".to_string(), "x".to_string()]);
        assert_eq!(
            rows[0],
            OverdueRow {
                institution: "cndh".into(),
                open: 3,
                overdue: 2,
                acknowledge: 1,
                triage: 1,
                response: 1
            }
        );
        assert_eq!((rows[1].open, rows[1].overdue), (1, 0));
        assert_eq!(rows.len(), 2);
        // Cases counted together weigh their number.
        let grouped = overdue(&[("cndh".to_string(), vec!["triage"], 7)], &["cndh".to_string()]);
        assert_eq!((grouped[0].open, grouped[0].overdue, grouped[0].triage), (7, 7, 7));
    }

    #[test]
    fn the_chart_has_a_bar_per_quarter_two_lines_and_escaped_words() {
        let rows = vec![
            QuarterRow { quarter: "2026-Q1".into(), allegations: 10, opened: 2, closed: 0 },
            QuarterRow { quarter: "2026-Q2".into(), allegations: 5, opened: 4, closed: 3 },
        ];
        let w = ChartWords { title: "T <x>", allegations: "Allégations", opened: "Ouverts", closed: "Clos" };
        let svg = trend_svg(&rows, &w);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("T &lt;x&gt;") && !svg.contains("<x>"));
        assert!(svg.contains("2026-Q2 · Allégations : 5") && svg.contains("2026-Q2 · Clos : 3"));
        // The tallest bar fills the plot; an empty chart draws without dividing by zero.
        assert!(svg.contains("height=\"208.0\""));
        assert!(!trend_svg(&[], &w).contains("NaN"));
    }
}
