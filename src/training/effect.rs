//! The effect of a delivered session: the unit's count of the targeted violations in equal
//! windows of whole months before and after the month of delivery, as a rate ratio (after / before) with a 95 % confidence
//! interval on the log scale (`exp(ln RR ± 1.96·√(1/a + 1/b))`, 0.5 added to both counts when
//! one is zero), and the same ratio for untrained comparable units over the same windows; the
//! ratio of the two ratios (`√(1/a + 1/b + 1/c + 1/d)`) takes out what changed for everyone.
//! The verdict reads the interval of the ratio of ratios when the comparison has data, else of
//! the unit's own ratio: wholly below 1 → improved, wholly above → worse, else no measurable
//! change; fewer than `min_events` incidents before and after together → too few data.
//!
//! Free of web and database types.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    NoChange,
    Worse,
    TooFewData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::NoChange => "no_change",
            Verdict::Worse => "worse",
            Verdict::TooFewData => "too_few_data",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Effect {
    pub verdict: Verdict,
    pub before: u64,
    pub after: u64,
    pub rate_ratio: f64,
    pub ci: [f64; 2],
    pub comparison_before: Option<u64>,
    pub comparison_after: Option<u64>,
    pub comparison_ratio: Option<f64>,
    pub ratio_of_ratios: Option<f64>,
    pub ratio_of_ratios_ci: Option<[f64; 2]>,
}

pub const DEFAULT_MIN_EVENTS: u64 = 10;

/// A month as a number (`year × 12 + month − 1`), for counting whole months.
pub fn month_index(d: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// The months of each of the two equal windows around a delivery in month `delivered`
/// (`month_index`), the month of delivery in neither: at most `max_months`, only whole months
/// that are over (none of `today`'s month), and none before the month of the first allegation
/// on record (a "before" window reaching into months Vigie has no data for would count too
/// few). Whole months only, so that neither the window nor its counts move by the day: a
/// trainer who reads them every day, or records a delivery a day later, learns nothing finer
/// than a month.
pub fn window_months(max_months: i64, delivered: i64, today: i64, first: Option<i64>) -> i64 {
    let mut w = max_months.min(today - delivered - 1);
    if let Some(f) = first {
        w = w.min(delivered - f);
    }
    w.max(0)
}
/// The first day of the first month and the last day of the last month of the windows
/// around a delivery on `on`, `window` months each side.
pub fn window_span(on: chrono::NaiveDate, window: i64) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let w = u32::try_from(window).unwrap_or(0);
    let first_day = on.with_day(1).unwrap_or(on);
    let from = first_day.checked_sub_months(chrono::Months::new(w)).unwrap_or(first_day);
    let until = first_day
        .checked_add_months(chrono::Months::new(w + 1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first_day);
    (from, until)
}

const Z95: f64 = 1.959964;

/// After/before with the continuity correction; returns (ratio, variance of its log).
fn ratio(before: u64, after: u64) -> (f64, f64) {
    let (a, b) = if before == 0 || after == 0 {
        (before as f64 + 0.5, after as f64 + 0.5)
    } else {
        (before as f64, after as f64)
    };
    (b / a, 1.0 / a + 1.0 / b)
}

fn interval(r: f64, var: f64) -> [f64; 2] {
    let half = Z95 * var.sqrt();
    [(r.ln() - half).exp(), (r.ln() + half).exp()]
}

/// The effect of training: (before, after) of the unit, and of the comparison units if any.
pub fn effect(unit: (u64, u64), comparison: Option<(u64, u64)>, min_events: u64) -> Effect {
    let (rr, var) = ratio(unit.0, unit.1);
    let ci = interval(rr, var);
    let cmp = comparison.filter(|c| c.0 + c.1 > 0).map(|c| (c, ratio(c.0, c.1)));
    let ror = cmp.map(|(_, (rc, vc))| (rr / rc, interval(rr / rc, var + vc)));
    let judged = match (&cmp, ror) {
        (Some((c, _)), Some((_, ci2))) if c.0 + c.1 >= min_events => ci2,
        _ => ci,
    };
    let verdict = if unit.0 + unit.1 < min_events {
        Verdict::TooFewData
    } else if judged[1] < 1.0 {
        Verdict::Improved
    } else if judged[0] > 1.0 {
        Verdict::Worse
    } else {
        Verdict::NoChange
    };
    Effect {
        verdict,
        before: unit.0,
        after: unit.1,
        rate_ratio: rr,
        ci,
        comparison_before: comparison.map(|c| c.0),
        comparison_after: comparison.map(|c| c.1),
        comparison_ratio: cmp.map(|(_, (rc, _))| rc),
        ratio_of_ratios: ror.map(|r| r.0),
        ratio_of_ratios_ci: ror.map(|r| r.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn the_rate_ratio_and_its_interval_match_a_hand_computation() {
        // 40 before, 20 after: RR 0.5; SE of ln = √(1/40 + 1/20) = 0.27386;
        // CI = exp(ln 0.5 ± 1.96 × 0.27386) = [0.2923, 0.8552].
        let e = effect((40, 20), None, 10);
        assert!(close(e.rate_ratio, 0.5));
        assert!(close(e.ci[0], 0.2923) && close(e.ci[1], 0.8552), "{:?}", e.ci);
        assert_eq!(e.verdict, Verdict::Improved);
    }

    #[test]
    fn windows_are_whole_months_equal_and_within_the_data() {
        let d = |s: &str| month_index(s.parse::<chrono::NaiveDate>().unwrap());
        assert_eq!(d("2024-07-31") - d("2024-07-01"), 0);
        assert_eq!(d("2025-01-01") - d("2024-12-31"), 1);
        // Delivered in July 2024, today 29 Nov 2026, data from January 2023: 18 months before
        // (January 2023 to June 2024), 28 whole months over after it (August 2024 to October
        // 2026): 18, or the most allowed.
        assert_eq!(window_months(24, d("2024-07-20"), d("2026-11-29"), Some(d("2023-01-15"))), 18);
        assert_eq!(window_months(12, d("2024-07-20"), d("2026-11-29"), Some(d("2023-01-15"))), 12);
        // Delivered in August 2026: September and October are over, November is not.
        assert_eq!(window_months(24, d("2026-08-21"), d("2026-11-29"), None), 2);
        assert_eq!(window_months(24, d("2026-08-21"), d("2026-11-01"), None), 2);
        // Delivered this month or last: no whole month after it yet.
        assert_eq!(window_months(24, d("2026-10-02"), d("2026-11-29"), None), 0);
        assert_eq!(window_months(24, d("2026-12-01"), d("2026-11-29"), None), 0);
        // The first allegation in the month of delivery: nothing before.
        assert_eq!(window_months(24, d("2026-06-30"), d("2026-11-29"), Some(d("2026-06-01"))), 0);
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(window_span(day("2024-07-20"), 2), (day("2024-05-01"), day("2024-09-30")));
        assert_eq!(window_span(day("2024-12-31"), 0), (day("2024-12-01"), day("2024-12-31")));
    }

    #[test]
    fn a_zero_count_gets_the_continuity_correction() {
        // 12 before, 0 after → 0.5 / 12.5 = 0.04; SE √(1/12.5 + 1/0.5) = 1.4422.
        let e = effect((12, 0), None, 10);
        assert!(close(e.rate_ratio, 0.04));
        assert!(close(e.ci[1], 0.04 * (1.959964f64 * 1.4422).exp()), "{:?}", e.ci);
        assert_eq!(e.verdict, Verdict::Improved);
    }

    #[test]
    fn the_comparison_takes_out_a_fall_everyone_saw() {
        // The unit halves, but so do the untrained units: no measurable change of its own.
        let e = effect((40, 20), Some((400, 200)), 10);
        assert!(close(e.comparison_ratio.unwrap(), 0.5) && close(e.ratio_of_ratios.unwrap(), 1.0));
        assert_eq!(e.verdict, Verdict::NoChange);
        // The unit halves while the others stay level: improved, RoR 0.5,
        // SE √(1/40 + 1/20 + 1/400 + 1/400) = 0.28284 → [0.2872, 0.8704].
        let e = effect((40, 20), Some((400, 400)), 10);
        let ci = e.ratio_of_ratios_ci.unwrap();
        assert!(close(ci[0], 0.2872) && close(ci[1], 0.8704), "{ci:?}");
        assert_eq!(e.verdict, Verdict::Improved);
    }

    #[test]
    fn verdicts_worse_no_change_and_too_few_data() {
        assert_eq!(effect((20, 45), Some((300, 300)), 10).verdict, Verdict::Worse);
        assert_eq!(effect((30, 27), Some((300, 310)), 10).verdict, Verdict::NoChange);
        assert_eq!(effect((5, 1), Some((300, 300)), 10).verdict, Verdict::TooFewData);
        assert_eq!(effect((0, 0), None, 10).verdict, Verdict::TooFewData);
        // A comparison with too little data is not used; the unit's own interval decides.
        let e = effect((40, 20), Some((1, 2)), 10);
        assert_eq!(e.verdict, Verdict::Improved);
        assert!(e.ratio_of_ratios.is_some());
    }
}
