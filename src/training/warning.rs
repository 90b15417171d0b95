//! Early warning: which units first. Two methods, side by side.
//!
//! - **threshold** (as police early-intervention systems do): a unit is flagged when some
//!   window of `days` days holds `n` allegations or more. Allegations are counted by month, so
//!   the window is whole calendar months: ⌈days / 31⌉ of them (90 days → 3 months, 365 → 12).
//! - **statistical** (a funnel plot): each unit's count against what comparable units would
//!   give. Within a force the rate per head is pooled; a unit's expected count is that rate
//!   times its strength (a unit without a known strength counts as the median strength of its
//!   force's units, or 1 when none is known). Counts are overdispersed: the variance is taken as
//!   `e + τ²·e²` (a negative binomial of size 1/τ²). A unit is flagged when its count is above
//!   the upper control limit: the `1 − alpha` quantile of that negative binomial (configurable,
//!   `training.statistical_alpha`, 0.03 by default).
//! - **Random-effects estimates.** A unit's rate varies around its force's by a factor of
//!   relative variance τ², so a large unit's count tells the force's rate hardly better than a
//!   medium one's: the force's rate is the precision-weighted mean of the units' rates (weights
//!   `x / (1 + τ²·λ·x)`, for exposure `x` and rate `λ`; plain Σo/Σx when τ² is 0), and τ² is
//!   the Paule–Mandel estimate: the value for which the units' squared standardised deviations
//!   `(o − e)² / (e + τ²e²)` add up to their degrees of freedom (units minus forces). The two are
//!   solved together. (The first pass pooled Σo/Σx and took τ² by moments weighted by e²: a
//!   handful of the largest units decided both, and τ² came out about a third too low on the
//!   planted data, so limits were too narrow.)
//! - **In control first** (as a Phase I control chart): the estimates are made from the units
//!   in control, so that the elevated units neither raise the rate everyone is held to nor widen
//!   their own limits. Start with every unit; estimate; leave out the units whose standardised
//!   count is beyond ±2.5 (both sides, so the estimate is not pulled down); estimate again from
//!   the rest; until the set stops changing (at most twenty passes). With units left out, the
//!   degrees of freedom are multiplied by κ = 0.911, the variance of a standard normal kept
//!   within ±2.5 (so that trimming the tails does not shrink τ²).
//!
//! Free of web and database types.

use chrono::{Datelike, NaiveDate};

/// One unit's allegations in the period.
#[derive(Debug, Clone)]
pub struct UnitCounts {
    pub unit_id: i32,
    pub force_id: i32,
    pub strength: Option<i64>,
    /// Its allegations in the period by month: (the month's first day, count), any order.
    pub months: Vec<(NaiveDate, usize)>,
}

impl UnitCounts {
    pub fn total(&self) -> usize {
        self.months.iter().map(|m| m.1).sum()
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Score {
    pub unit_id: i32,
    pub observed: usize,
    pub expected: f64,
    /// observed / expected (0 when nothing is expected).
    pub ratio: f64,
    /// (observed − expected) / √(e + τ²e²).
    pub z: f64,
    /// The upper control limit (statistical) or the threshold count (threshold).
    pub limit: f64,
    /// The largest count in any window of the threshold's months (threshold method only).
    pub max_in_window: Option<usize>,
    pub flagged: bool,
}

/// The upper tail probability the statistical method tolerates by default: about three
/// false flags per hundred units in control.
pub const DEFAULT_ALPHA: f64 = crate::config::DEFAULT_STATISTICAL_ALPHA;
/// The standardised count beyond which a unit is left out of the in-control estimates.
pub const TRIM_Z: f64 = 2.5;
/// The variance of a standard normal truncated to ±2.5: 1 − 2·2.5·φ(2.5)/(2Φ(2.5) − 1).
const TRIM_KAPPA: f64 = 0.911_25;

/// Expected counts per unit: the force's pooled rate per head (τ² = 0: Σo/Σx) times the
/// unit's exposure.
pub fn expected(units: &[UnitCounts]) -> Vec<f64> {
    expected_from(units, &vec![true; units.len()], 0.0)
}

/// Each unit's exposure: its strength, else its force's median strength, else 1.
fn exposures(units: &[UnitCounts]) -> Vec<f64> {
    use std::collections::HashMap;
    let mut strengths: HashMap<i32, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(s) = u.strength.filter(|s| *s > 0) {
            strengths.entry(u.force_id).or_default().push(s);
        }
    }
    let median: HashMap<i32, f64> = strengths
        .into_iter()
        .map(|(f, mut v)| {
            v.sort_unstable();
            (f, v[v.len() / 2] as f64)
        })
        .collect();
    units
        .iter()
        .map(|u| match u.strength.filter(|s| *s > 0) {
            Some(s) => s as f64,
            None => median.get(&u.force_id).copied().unwrap_or(1.0),
        })
        .collect()
}

/// The random-effects rate of (count, exposure) pairs: λ = Σ o/(1 + τ²λx) / Σ x/(1 + τ²λx),
/// solved by iteration from Σo/Σx.
fn pooled_rate(pairs: &[(f64, f64)], tau2: f64) -> f64 {
    let (o, x) = pairs.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    if x <= 0.0 {
        return 0.0;
    }
    let mut rate = o / x;
    if tau2 <= 0.0 {
        return rate;
    }
    for _ in 0..100 {
        let (num, den) = pairs.iter().fold((0.0, 0.0), |a, (o, x)| {
            let w = 1.0 / (1.0 + tau2 * rate * x);
            (a.0 + o * w, a.1 + x * w)
        });
        let next = if den > 0.0 { num / den } else { rate };
        if (next - rate).abs() <= 1e-12 * rate.max(1e-300) {
            return next;
        }
        rate = next;
    }
    rate
}

/// Expected counts with the force's rate pooled (random effects, `tau2`) over the units marked
/// `kept` only (over all of the force's units when none of them is kept).
pub fn expected_from(units: &[UnitCounts], kept: &[bool], tau2: f64) -> Vec<f64> {
    use std::collections::HashMap;
    let exposure = exposures(units);
    let mut all: HashMap<i32, Vec<(f64, f64)>> = HashMap::new();
    let mut inc: HashMap<i32, Vec<(f64, f64)>> = HashMap::new();
    for ((u, e), k) in units.iter().zip(&exposure).zip(kept) {
        let pair = (u.total() as f64, *e);
        all.entry(u.force_id).or_default().push(pair);
        if *k {
            inc.entry(u.force_id).or_default().push(pair);
        }
    }
    let rates: HashMap<i32, f64> = all
        .iter()
        .map(|(f, pairs)| (*f, pooled_rate(inc.get(f).filter(|p| !p.is_empty()).unwrap_or(pairs), tau2)))
        .collect();
    units.iter().zip(&exposure).map(|(u, e)| rates[&u.force_id] * e).collect()
}

/// τ², the relative overdispersion (Paule–Mandel): the value at which
/// Σ (o − e)² / (e + τ²e²) over the units marked `kept` equals `dof`; 0 when the counts spread
/// no more than Poisson.
pub fn overdispersion(observed: &[usize], expected: &[f64], kept: &[bool], dof: f64) -> f64 {
    let q = |t: f64| -> f64 {
        observed
            .iter()
            .zip(expected)
            .zip(kept)
            .filter(|((_, e), k)| **k && **e > 0.0)
            .map(|((o, e), _)| (*o as f64 - e).powi(2) / (e + t * e * e))
            .sum()
    };
    if dof <= 0.0 || q(0.0) <= dof {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while q(hi) > dof && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if q(mid) > dof {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The in-control estimates: (expected counts, τ²), see the module doc.
pub fn in_control(units: &[UnitCounts]) -> (Vec<f64>, f64) {
    let obs: Vec<usize> = units.iter().map(UnitCounts::total).collect();
    let mut kept = vec![true; units.len()];
    let mut tau2 = 0.0;
    let mut exp = expected_from(units, &kept, tau2);
    for _ in 0..20 {
        // The rate and τ² depend on each other: solved together for this set of units.
        let forces: std::collections::BTreeSet<i32> =
            units.iter().zip(&kept).filter(|(_, k)| **k).map(|(u, _)| u.force_id).collect();
        let n = kept.iter().filter(|k| **k).count();
        let kappa = if n == units.len() { 1.0 } else { TRIM_KAPPA };
        let dof = kappa * (n as f64 - forces.len() as f64);
        for _ in 0..50 {
            exp = expected_from(units, &kept, tau2);
            let next = overdispersion(&obs, &exp, &kept, dof);
            let done = (next - tau2).abs() <= 1e-9;
            tau2 = next;
            if done {
                break;
            }
        }
        exp = expected_from(units, &kept, tau2);
        let next: Vec<bool> = obs
            .iter()
            .zip(&exp)
            .map(|(o, e)| {
                let sd = (e + tau2 * e * e).sqrt();
                sd <= 0.0 || ((*o as f64 - e) / sd).abs() <= TRIM_Z
            })
            .collect();
        if next == kept {
            break;
        }
        kept = next;
    }
    (exp, tau2)
}

/// The smallest count q with P(X ≤ q) ≥ 1 − alpha, X negative binomial of mean `mean` and
/// variance `mean + tau2·mean²` (Poisson when tau2 is 0).
pub fn upper_limit(mean: f64, tau2: f64, alpha: f64) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    // Log-space recurrence on the probabilities, so that large means do not underflow.
    let (mut lp, step): (f64, Box<dyn Fn(f64) -> f64>) = if tau2 > 1e-9 {
        let k = 1.0 / tau2;
        let q = mean / (k + mean);
        (k * (k / (k + mean)).ln(), Box::new(move |x: f64| ((x + k) / (x + 1.0)).ln() + q.ln()))
    } else {
        (-mean, Box::new(move |x: f64| (mean / (x + 1.0)).ln()))
    };
    let mut cdf = 0.0;
    let mut x = 0usize;
    loop {
        cdf += lp.exp();
        if cdf >= 1.0 - alpha || x > 10_000_000 {
            return x;
        }
        lp += step(x as f64);
        x += 1;
    }
}

/// The statistical method: every unit scored, flagged above its control limit (upper tail
/// probability `alpha`).
pub fn statistical(units: &[UnitCounts], alpha: f64) -> Vec<Score> {
    let (exp, tau2) = in_control(units);
    let obs: Vec<usize> = units.iter().map(UnitCounts::total).collect();
    units
        .iter()
        .zip(exp.iter().zip(&obs))
        .map(|(u, (e, o))| {
            let limit = upper_limit(*e, tau2, alpha) as f64;
            let sd = (e + tau2 * e * e).sqrt();
            Score {
                unit_id: u.unit_id,
                observed: *o,
                expected: *e,
                ratio: if *e > 0.0 { *o as f64 / e } else { 0.0 },
                z: if sd > 0.0 { (*o as f64 - e) / sd } else { 0.0 },
                limit,
                max_in_window: None,
                flagged: *e > 0.0 && (*o as f64) > limit,
            }
        })
        .collect()
}

/// The number of whole calendar months a window of `days` days is read as: ⌈days / 31⌉, at
/// least one.
pub fn window_months(days: i64) -> u32 {
    u32::try_from(((days + 30) / 31).max(1)).unwrap_or(u32::MAX)
}

/// The largest count within any window of `months` consecutive calendar months.
pub fn max_in_window(counts: &[(NaiveDate, usize)], months: u32) -> usize {
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let mut c: Vec<(i64, usize)> = counts.iter().map(|(d, n)| (index(*d), *n)).collect();
    c.sort_unstable();
    let (mut best, mut start, mut sum) = (0, 0, 0);
    for end in 0..c.len() {
        sum += c[end].1;
        while c[end].0 - c[start].0 >= i64::from(months) {
            sum -= c[start].1;
            start += 1;
        }
        best = best.max(sum);
    }
    best
}

/// The threshold method: flagged when `n` or more allegations fall within `days` days, read as
/// whole months (`window_months`).
pub fn threshold(units: &[UnitCounts], n: usize, days: i64) -> Vec<Score> {
    let (exp, tau2) = in_control(units);
    let obs: Vec<usize> = units.iter().map(UnitCounts::total).collect();
    units
        .iter()
        .zip(exp.iter().zip(&obs))
        .map(|(u, (e, o))| {
            let m = max_in_window(&u.months, window_months(days));
            let sd = (e + tau2 * e * e).sqrt();
            Score {
                unit_id: u.unit_id,
                observed: *o,
                expected: *e,
                ratio: if *e > 0.0 { *o as f64 / e } else { 0.0 },
                z: if sd > 0.0 { (*o as f64 - e) / sd } else { 0.0 },
                limit: n as f64,
                max_in_window: Some(m),
                flagged: m >= n.max(1),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn unit(id: i32, force: i32, strength: Option<i64>, n: usize) -> UnitCounts {
        UnitCounts { unit_id: id, force_id: force, strength, months: vec![(d("2026-01-01"), n)] }
    }

    #[test]
    fn expected_counts_pool_the_force_per_head() {
        // Force 1: 30 allegations over 3,000 heads → 0.01 per head.
        let units = vec![
            unit(1, 1, Some(1000), 10),
            unit(2, 1, Some(2000), 20),
            unit(3, 2, None, 4),
            unit(4, 2, None, 0),
        ];
        let e = expected(&units);
        assert!((e[0] - 10.0).abs() < 1e-9 && (e[1] - 20.0).abs() < 1e-9, "{e:?}");
        // Force 2 has no strengths: each unit counts the same, 2 each.
        assert!((e[2] - 2.0).abs() < 1e-9 && (e[3] - 2.0).abs() < 1e-9, "{e:?}");
        // A unit without a strength counts as its force's median (2000 of 1000, 2000, 3000).
        let units = vec![
            unit(1, 1, Some(1000), 1),
            unit(2, 1, Some(2000), 2),
            unit(3, 1, Some(3000), 3),
            unit(4, 1, None, 2),
        ];
        let e = expected(&units);
        assert!((e[3] - 2.0 * 8.0 / 8.0).abs() < 1e-9, "{e:?}");
    }

    #[test]
    fn poisson_and_negative_binomial_limits_match_known_quantiles() {
        // Poisson(10): P(X ≤ 20) = 0.99841, P(X ≤ 21) = 0.99919 → the 99.9 % limit is 21.
        assert_eq!(upper_limit(10.0, 0.0, 0.001), 21);
        // Poisson(10) at 99 %: P(X ≤ 17) = 0.98572, P(X ≤ 18) = 0.99281 → 18.
        assert_eq!(upper_limit(10.0, 0.0, 0.01), 18);
        // Poisson(1): P(X ≤ 4) = 0.99634, P(X ≤ 5) = 0.99941 → 5.
        assert_eq!(upper_limit(1.0, 0.0, 0.001), 5);
        // Negative binomial, mean 10, size 2 (τ² = 0.5): variance 60. P(X ≤ 49) = 0.99897,
        // P(X ≤ 50) = 0.99913, so the limit is 50 (summed by hand from p = 1/6).
        assert_eq!(upper_limit(10.0, 0.5, 0.001), 50);
        // A large mean does not underflow: Poisson(1000) 99.9 % ≈ 1000 + 3.09·31.6 ≈ 1098.
        let big = upper_limit(1000.0, 0.0, 0.001);
        assert!((1095..=1101).contains(&big), "{big}");
        assert_eq!(upper_limit(0.0, 0.3, 0.001), 0);
    }

    #[test]
    fn overdispersion_is_zero_for_poisson_like_counts_and_found_when_spread() {
        // Counts exactly at expectation: less spread than Poisson → 0.
        assert_eq!(overdispersion(&[10, 10, 10], &[10.0, 10.0, 10.0], &[true; 3], 2.0), 0.0);
        // Deviations of ±5 around 10, 4 units, 3 degrees of freedom: 4·25/(10 + 100τ²) = 3
        // → τ² = (100/3 − 10)/100 = 0.2333.
        let t = overdispersion(&[5, 15, 5, 15], &[10.0; 4], &[true; 4], 3.0);
        assert!((t - 0.23333).abs() < 1e-4, "{t}");
        // A unit not kept does not count.
        let t = overdispersion(&[5, 15, 5, 15, 90], &[10.0; 5], &[true, true, true, true, false], 3.0);
        assert!((t - 0.23333).abs() < 1e-4, "{t}");
    }

    #[test]
    fn the_pooled_rate_weighs_units_by_precision_once_they_spread() {
        // Two units: 100 heads with 20 (0.2 per head) and 10,000 heads with 1,000 (0.1).
        let pairs = [(20.0, 100.0), (1000.0, 10_000.0)];
        // Without spread between units, heads decide: 1,020 / 10,100.
        assert!((pooled_rate(&pairs, 0.0) - 1020.0 / 10_100.0).abs() < 1e-12);
        // With τ² = 0.05 the large unit's count says its own rate, not much more about the
        // force's: weights x/(1 + τ²λx) are about 67 and 196 at λ ≈ 0.126, so
        // λ = (20·w1/100 + 1000·w2/10000)/(w1 + w2) solves to about 0.1255.
        let r = pooled_rate(&pairs, 0.05);
        let w = |x: f64| x / (1.0 + 0.05 * r * x);
        let check = (20.0 / 100.0 * w(100.0) + 1000.0 / 10_000.0 * w(10_000.0)) / (w(100.0) + w(10_000.0));
        assert!((r - check).abs() < 1e-9 && (0.12..0.13).contains(&r), "{r}");
    }

    #[test]
    fn an_elevated_unit_neither_raises_the_rate_nor_widens_the_limits() {
        // Twenty units of 100 heads with 8 or 12 allegations (10 per 100 heads), one with 60.
        // Pooled over all, the rate would be 260/2100 and τ² about 0.6; in control, the unit of
        // 60 is left out (z ≈ 4.6 at the first pass): the rate is 10 per 100 heads and the
        // spread of ±2 around 10 is less than Poisson, so τ² = 0.
        let mut units: Vec<UnitCounts> =
            (1..=20).map(|i| unit(i, 1, Some(100), if i % 2 == 0 { 8 } else { 12 })).collect();
        units.push(unit(21, 1, Some(100), 60));
        let (e, tau2) = in_control(&units);
        assert!(e.iter().all(|x| (x - 10.0).abs() < 1e-9), "{e:?}");
        assert_eq!(tau2, 0.0);
        let s = statistical(&units, 0.01);
        // Poisson(10): P(X ≤ 17) = 0.98572, P(X ≤ 18) = 0.99281 → the 99 % limit is 18.
        assert!(s.iter().all(|x| x.limit == 18.0), "{s:?}");
        // P(X ≤ 15) = 0.95126, P(X ≤ 16) = 0.97296 → the 97 % limit (the default) is 16.
        let s = statistical(&units, DEFAULT_ALPHA);
        assert!(s.iter().all(|x| x.limit == 16.0), "{s:?}");
        let flagged: Vec<i32> = s.iter().filter(|x| x.flagged).map(|x| x.unit_id).collect();
        assert_eq!(flagged, vec![21]);
    }

    #[test]
    fn the_statistical_method_flags_a_small_elevated_unit_and_spares_a_big_busy_one() {
        // Twelve units of one force; a big one at its expected rate and a small one at 4×.
        let mut units: Vec<UnitCounts> = (1..=10).map(|i| unit(i, 1, Some(500), 5)).collect();
        units.push(unit(11, 1, Some(10_000), 100)); // 0.01 per head, as the small ones
        units.push(unit(12, 1, Some(500), 20));
        for alpha in [0.001, DEFAULT_ALPHA] {
            let s = statistical(&units, alpha);
            let flagged: Vec<i32> = s.iter().filter(|x| x.flagged).map(|x| x.unit_id).collect();
            assert_eq!(flagged, vec![12], "{s:?}");
        }
        let s = statistical(&units, DEFAULT_ALPHA);
        // The threshold (3 in 90 days) flags every unit with 3 incidents: all of them here.
        let t = threshold(&units, 3, 90);
        assert_eq!(t.iter().filter(|x| x.flagged).count(), 12);
        let big = s.iter().find(|x| x.unit_id == 11).unwrap();
        // In control (unit 12 left out of the pooled rate), the big unit is exactly at par;
        // pooled over all twelve it would have looked below (100 of 103.2 expected).
        assert!((big.ratio - 1.0).abs() < 1e-9 && big.z.abs() < 1e-9, "{big:?}");
        assert!((big.expected - 100.0).abs() < 1e-9);
    }

    #[test]
    fn windows_are_whole_months() {
        assert_eq!(
            (window_months(90), window_months(365), window_months(30), window_months(0)),
            (3, 12, 1, 1)
        );
        let months = [(d("2026-01-01"), 1), (d("2026-03-01"), 1), (d("2026-04-01"), 2), (d("2025-12-01"), 1)];
        // January to March holds 2; February to April 3; December to February 2.
        assert_eq!(max_in_window(&months, 3), 3);
        assert_eq!(max_in_window(&months, 2), 3, "March and April");
        assert_eq!(max_in_window(&months, 1), 2);
        assert_eq!(max_in_window(&months, 12), 5);
        // December and January are consecutive months across the year.
        assert_eq!(max_in_window(&[(d("2025-12-01"), 2), (d("2026-01-01"), 2)], 2), 4);
        assert_eq!(max_in_window(&[], 3), 0);
        let unit = |months: &[(NaiveDate, usize)]| UnitCounts {
            unit_id: 1,
            force_id: 1,
            strength: None,
            months: months.to_vec(),
        };
        let t = threshold(&[unit(&months)], 3, 90);
        assert!(t[0].flagged && t[0].max_in_window == Some(3));
        assert!(!threshold(&[unit(&months)], 3, 31)[0].flagged);
    }
}
