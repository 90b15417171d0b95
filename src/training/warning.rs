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
//!   `training.statistical_alpha`, 0.01 by default: see below).
//! - **Random-effects estimates.** A unit's rate varies around its force's by a factor of
//!   relative variance τ², so a large unit's count tells the force's rate hardly better than a
//!   medium one's: the force's rate is the precision-weighted mean of the units' rates (weights
//!   `x / (1 + τ²·λ·x)`, for exposure `x` and rate `λ`; plain Σo/Σx when τ² is 0), and τ² is
//!   the Paule–Mandel estimate: the value for which the units' squared standardised deviations
//!   `(o − e)² / (e + τ²e²)` add up to their degrees of freedom (units minus forces). The two are
//!   solved together. (The first pass pooled Σo/Σx and took τ² by moments weighted by e²: a
//!   handful of the largest units decided both, and τ² came out about a third too low on the
//!   planted data, so limits were too narrow.)
//! - **Which violations, not only how many** (the mix test). A unit whose every count is high
//!   may simply be busier than its strength says (more patrols, a harder sector): its total
//!   cannot tell that apart from a problem. A unit whose allegations of one violation group are
//!   out of line with its *own* other allegations can: for each group, the unit's count of it
//!   is a part of the unit's total, held against the force's share of that group (the same
//!   random-effects funnel, in control first, on shares: binomial, beta-binomial with an
//!   intra-unit correlation ρ estimated as τ² is when units spread more than that). Whatever
//!   makes a unit busy scales every group and cancels. (A first version held the count against
//!   the unit's *other* allegations as a Poisson exposure; that exposure is itself noisy, which
//!   the Poisson limits ignore, and on the planted data it flagged ordinary units.)
//!   The groups a session delivered to the unit taught, when they fell below the force's share,
//!   are set aside first: their rate is meant to fall, and a fall makes every other group's
//!   share rise. The others are held
//!   against the rest of the unit's allegations at the force's shares among the rest (on the
//!   planted data, units whose session worked were flagged for the groups it did not teach
//!   until this was done). A unit is
//!   flagged when its total is above its limit at `alpha / 2`, or one group's count above its
//!   limit at `alpha / (2·G)` for the G groups tested (Bonferroni), so that a unit in control
//!   is flagged with probability at most `alpha` whatever the number of groups.
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
    /// Its allegations in the period by violation group: (group id, count), any order, each
    /// group once. Empty: the mix test has nothing to read (the total is still tested).
    pub groups: Vec<(i32, usize)>,
    /// The violation groups a session delivered to the unit taught (by its modules): their
    /// rate is meant to change, so the mix test holds the other groups against the rest.
    pub trained_groups: Vec<i32>,
}

/// The units' counts from the counted rows (unit × violation type × month), each violation
/// type in its group (`group_of`; a type without one is left out of the groups, not of the
/// total). `units`: (id, force, strength); `trained`: each unit's trained groups
/// (`trained_groups`).
pub fn unit_counts(
    units: impl IntoIterator<Item = (i32, i32, Option<i64>)>,
    rows: &[super::analysis::Count],
    group_of: impl Fn(i32) -> Option<i32>,
    trained: &std::collections::HashMap<i32, Vec<i32>>,
) -> Vec<UnitCounts> {
    use std::collections::{BTreeMap, HashMap};
    /// A unit's counts by month and by group.
    type Tally = (BTreeMap<NaiveDate, usize>, BTreeMap<i32, usize>);
    let mut by: HashMap<i32, Tally> = HashMap::new();
    for r in rows {
        let (months, groups) = by.entry(r.unit_id).or_default();
        *months.entry(r.month).or_default() += r.n;
        if let Some(g) = group_of(r.violation_type_id) {
            *groups.entry(g).or_default() += r.n;
        }
    }
    units
        .into_iter()
        .map(|(unit_id, force_id, strength)| {
            let (months, groups) = by.remove(&unit_id).unwrap_or_default();
            UnitCounts {
                unit_id,
                force_id,
                strength,
                months: months.into_iter().collect(),
                groups: groups.into_iter().collect(),
                trained_groups: trained.get(&unit_id).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// The violation groups each unit was trained on: for every session delivered (units,
/// modules), the groups of the violation types its modules teach (`vmods`: violation type,
/// module).
pub fn trained_groups<'a>(
    delivered: impl IntoIterator<Item = (&'a [i32], &'a [i32])>,
    vmods: &[(i32, i32)],
    group_of: impl Fn(i32) -> Option<i32>,
) -> std::collections::HashMap<i32, Vec<i32>> {
    let mut out: std::collections::HashMap<i32, std::collections::BTreeSet<i32>> = Default::default();
    for (units, modules) in delivered {
        let groups: Vec<i32> =
            vmods.iter().filter(|(_, m)| modules.contains(m)).filter_map(|(v, _)| group_of(*v)).collect();
        for u in units {
            out.entry(*u).or_default().extend(groups.iter().copied());
        }
    }
    out.into_iter().map(|(u, g)| (u, g.into_iter().collect())).collect()
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
    /// The violation groups whose count is out of line with the unit's other allegations
    /// (statistical method only), most out of line first.
    pub groups: Vec<GroupScore>,
    pub flagged: bool,
}

impl Score {
    /// How far out of line the unit is, for ordering: the larger of its total's z and its
    /// groups' (the mix test's).
    pub fn evidence(&self) -> f64 {
        self.groups.iter().map(|g| g.z).fold(self.z, f64::max)
    }
}

/// One violation group of a unit, held against the unit's other allegations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupScore {
    pub group_id: i32,
    pub observed: usize,
    /// What the force's pooled odds give for the unit's other allegations.
    pub expected: f64,
    pub ratio: f64,
    pub z: f64,
    pub limit: f64,
}

/// The upper tail probability the statistical method tolerates by default: about one false
/// flag per hundred units in control. (0.03 until the mix test came: with about a tenth of
/// ~95 units elevated, precision 0.8 allows about two false flags, so α × the ~85 ordinary
/// units must stay under 2; at 0.03 it was 2.6. The measurements behind it, at every α:
/// docs/PERFORMANCE.md.)
pub const DEFAULT_ALPHA: f64 = crate::config::DEFAULT_STATISTICAL_ALPHA;
/// The standardised count beyond which a unit is left out of the in-control estimates.
pub const TRIM_Z: f64 = 2.5;
/// The variance of a standard normal truncated to ±2.5: 1 − 2·2.5·φ(2.5)/(2Φ(2.5) − 1).
const TRIM_KAPPA: f64 = 0.911_25;

/// A count held against an exposure within a force: what the funnel estimates from. For the
/// totals the exposure is the unit's strength; for the mix test it is the unit's total, of
/// which the count is a part.
#[derive(Debug, Clone, Copy)]
struct Cell {
    force: i32,
    observed: usize,
    exposure: f64,
}

/// How a cell's count varies around its expectation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    /// A count per head: negative binomial, variance `e + d·e²` (d = τ²).
    Counts,
    /// A part of the unit's total: beta-binomial, variance `n·p·(1 − p)·(1 + (n − 1)·d)` for a
    /// total n and share p (d = ρ, the intra-unit correlation; binomial when 0).
    Shares,
}

impl Model {
    fn variance(self, e: f64, x: f64, d: f64) -> f64 {
        match self {
            Model::Counts => e + d * e * e,
            Model::Shares if x > 0.0 => {
                let p = e / x;
                x * p * (1.0 - p) * (1.0 + (x - 1.0).max(0.0) * d)
            }
            Model::Shares => 0.0,
        }
    }

    /// A cell's weight in the force's random-effects rate or share (`rate` the current one).
    fn weight(self, x: f64, rate: f64, d: f64) -> f64 {
        match self {
            Model::Counts => x / (1.0 + d * rate * x),
            Model::Shares => x / (1.0 + (x - 1.0).max(0.0) * d),
        }
    }

    /// The largest dispersion searched.
    fn d_max(self) -> f64 {
        match self {
            Model::Counts => 1e6,
            Model::Shares => 1.0,
        }
    }
}

/// Expected counts per unit: the force's pooled rate per head (τ² = 0: Σo/Σx) times the
/// unit's exposure.
pub fn expected(units: &[UnitCounts]) -> Vec<f64> {
    expected_from(&total_cells(units), &vec![true; units.len()], 0.0, Model::Counts)
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

/// The units' totals against their strengths.
fn total_cells(units: &[UnitCounts]) -> Vec<Cell> {
    units
        .iter()
        .zip(exposures(units))
        .map(|(u, exposure)| Cell { force: u.force_id, observed: u.total(), exposure })
        .collect()
}

/// The units' counts of one violation group, each out of the unit's allegations of every group.
fn group_cells(units: &[UnitCounts], group: i32) -> Vec<Cell> {
    units
        .iter()
        .map(|u| {
            let all: usize = u.groups.iter().map(|g| g.1).sum();
            let here = u.groups.iter().find(|g| g.0 == group).map_or(0, |g| g.1);
            Cell { force: u.force_id, observed: here, exposure: all as f64 }
        })
        .collect()
}

/// The random-effects rate of (count, exposure) pairs: λ = Σ w·(o/x) / Σ w with the model's
/// weights (counts: `x/(1 + τ²λx)`, solved by iteration from Σo/Σx; shares: `x/(1 + (x − 1)ρ)`).
fn pooled_rate(pairs: &[(f64, f64)], d: f64, model: Model) -> f64 {
    let (o, x) = pairs.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    if x <= 0.0 {
        return 0.0;
    }
    let mut rate = o / x;
    if d <= 0.0 {
        return rate;
    }
    for _ in 0..100 {
        let (num, den) = pairs.iter().filter(|p| p.1 > 0.0).fold((0.0, 0.0), |a, (o, x)| {
            let w = model.weight(*x, rate, d);
            (a.0 + w * o / x, a.1 + w)
        });
        let next = if den > 0.0 { num / den } else { rate };
        if model == Model::Shares || (next - rate).abs() <= 1e-12 * rate.max(1e-300) {
            return next;
        }
        rate = next;
    }
    rate
}

/// Expected counts with the force's rate pooled (random effects, dispersion `d`) over the
/// cells marked `kept` only (over all of the force's cells when none of them is kept).
fn expected_from(cells: &[Cell], kept: &[bool], d: f64, model: Model) -> Vec<f64> {
    use std::collections::HashMap;
    let mut all: HashMap<i32, Vec<(f64, f64)>> = HashMap::new();
    let mut inc: HashMap<i32, Vec<(f64, f64)>> = HashMap::new();
    for (c, k) in cells.iter().zip(kept) {
        let pair = (c.observed as f64, c.exposure);
        all.entry(c.force).or_default().push(pair);
        if *k {
            inc.entry(c.force).or_default().push(pair);
        }
    }
    let rates: HashMap<i32, f64> = all
        .iter()
        .map(|(f, pairs)| (*f, pooled_rate(inc.get(f).filter(|p| !p.is_empty()).unwrap_or(pairs), d, model)))
        .collect();
    cells.iter().map(|c| rates[&c.force] * c.exposure).collect()
}

/// τ², the relative overdispersion (Paule–Mandel): the value at which
/// Σ (o − e)² / (e + τ²e²) over the units marked `kept` equals `dof`; 0 when the counts spread
/// no more than Poisson.
pub fn overdispersion(observed: &[usize], expected: &[f64], kept: &[bool], dof: f64) -> f64 {
    let x = vec![0.0; expected.len()];
    dispersion(Model::Counts, observed, expected, &x, kept, dof)
}

/// The model's dispersion (Paule–Mandel): the value at which Σ (o − e)² / variance over the
/// cells marked `kept` equals `dof`; 0 when they spread no more than the model without it.
fn dispersion(
    model: Model,
    observed: &[usize],
    expected: &[f64],
    exposure: &[f64],
    kept: &[bool],
    dof: f64,
) -> f64 {
    let q = |d: f64| -> f64 {
        observed
            .iter()
            .zip(expected.iter().zip(exposure))
            .zip(kept)
            .filter(|((_, (e, _)), k)| **k && **e > 0.0)
            .map(|((o, (e, x)), _)| {
                let v = model.variance(*e, *x, d);
                if v > 0.0 {
                    (*o as f64 - e).powi(2) / v
                } else {
                    0.0
                }
            })
            .sum()
    };
    if dof <= 0.0 || q(0.0) <= dof {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0_f64.min(model.d_max()));
    while q(hi) > dof && hi < model.d_max() {
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

/// The in-control estimates of the units' totals: (expected counts, τ²), see the module doc.
pub fn in_control(units: &[UnitCounts]) -> (Vec<f64>, f64) {
    in_control_cells(&total_cells(units), Model::Counts)
}

/// The in-control estimates over any cells: (expected counts, dispersion).
fn in_control_cells(cells: &[Cell], model: Model) -> (Vec<f64>, f64) {
    let obs: Vec<usize> = cells.iter().map(|c| c.observed).collect();
    let exposure: Vec<f64> = cells.iter().map(|c| c.exposure).collect();
    let mut kept = vec![true; cells.len()];
    let mut tau2 = 0.0;
    let mut exp = expected_from(cells, &kept, tau2, model);
    for _ in 0..20 {
        // The rate and τ² depend on each other: solved together for this set of cells.
        let forces: std::collections::BTreeSet<i32> =
            cells.iter().zip(&kept).filter(|(_, k)| **k).map(|(c, _)| c.force).collect();
        let n = kept.iter().filter(|k| **k).count();
        let kappa = if n == cells.len() { 1.0 } else { TRIM_KAPPA };
        let dof = kappa * (n as f64 - forces.len() as f64);
        for _ in 0..50 {
            exp = expected_from(cells, &kept, tau2, model);
            let next = dispersion(model, &obs, &exp, &exposure, &kept, dof);
            let done = (next - tau2).abs() <= 1e-9;
            tau2 = next;
            if done {
                break;
            }
        }
        exp = expected_from(cells, &kept, tau2, model);
        let next: Vec<bool> = obs
            .iter()
            .zip(exp.iter().zip(&exposure))
            .map(|(o, (e, x))| {
                let sd = model.variance(*e, *x, tau2).sqrt();
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

/// The smallest count q with P(X ≤ q) ≥ 1 − alpha, X beta-binomial of `n` trials, mean share
/// `p` and intra-unit correlation `rho` (binomial when rho is 0).
pub fn share_limit(n: usize, p: f64, rho: f64, alpha: f64) -> usize {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let nf = n as f64;
    // log P(X = 0) and the ratio P(X = k + 1) / P(X = k).
    let (mut lp, step): (f64, Box<dyn Fn(f64) -> f64>) = if rho > 1e-12 {
        let r = rho.min(1.0 - 1e-9);
        let (a, b) = (p * (1.0 - r) / r, (1.0 - p) * (1.0 - r) / r);
        let l0: f64 = (0..n).map(|i| ((b + i as f64) / (a + b + i as f64)).ln()).sum();
        (l0, Box::new(move |k: f64| ((nf - k) / (k + 1.0) * (a + k) / (b + nf - k - 1.0)).ln()))
    } else {
        (nf * (1.0 - p).ln(), Box::new(move |k: f64| ((nf - k) / (k + 1.0) * p / (1.0 - p)).ln()))
    };
    let mut cdf = 0.0;
    for k in 0..n {
        cdf += lp.exp();
        if cdf >= 1.0 - alpha {
            return k;
        }
        lp += step(k as f64);
    }
    n
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

/// (observed − expected) / √(e + τ²e²), 0 when nothing is expected.
fn z_score(o: usize, e: f64, tau2: f64) -> f64 {
    z_in(Model::Counts, o, e, 0.0, tau2)
}

/// (observed − expected) / the model's standard deviation, 0 when it is 0.
fn z_in(model: Model, o: usize, e: f64, x: f64, d: f64) -> f64 {
    let sd = model.variance(e, x, d).sqrt();
    if sd > 0.0 {
        (o as f64 - e) / sd
    } else {
        0.0
    }
}

/// The statistical method: every unit scored, flagged when its total is above its control
/// limit at `alpha / 2` or one violation group's count above its limit at `alpha / (2·G)`
/// (the mix test, see the module doc).
pub fn statistical(units: &[UnitCounts], alpha: f64) -> Vec<Score> {
    let (exp, tau2) = in_control(units);
    let obs: Vec<usize> = units.iter().map(UnitCounts::total).collect();
    let tested: std::collections::BTreeSet<i32> =
        units.iter().flat_map(|u| u.groups.iter().filter(|g| g.1 > 0).map(|g| g.0)).collect();
    let group_alpha = alpha / 2.0 / tested.len().max(1) as f64;
    // Each group's fit: the cells, each cell's share of the force (in control) and ρ.
    let fits: Vec<(i32, Vec<Cell>, Vec<f64>, f64)> = tested
        .iter()
        .map(|g| {
            let cells = group_cells(units, *g);
            let (ge, rho) = in_control_cells(&cells, Model::Shares);
            let shares = cells
                .iter()
                .zip(&ge)
                .map(|(c, e)| if c.exposure > 0.0 { e / c.exposure } else { 0.0 })
                .collect();
            (*g, cells, shares, rho)
        })
        .collect();
    // A unit's trained groups that fell below the force's share (as a session that worked
    // makes them) are set aside: every other group is held against the rest of the unit's
    // allegations, at the force's shares among the rest; a trained group itself against the
    // rest without the other ones set aside. Per unit: (group, its count, the force's share).
    let mut trained: Vec<Vec<(i32, usize, f64)>> = vec![vec![]; units.len()];
    for (g, cells, shares, _) in &fits {
        for (i, (c, p)) in cells.iter().zip(shares).enumerate() {
            if units[i].trained_groups.contains(g) && (c.observed as f64) < p * c.exposure {
                trained[i].push((*g, c.observed, *p));
            }
        }
    }
    let mut out_of_line: Vec<Vec<GroupScore>> = vec![vec![]; units.len()];
    for (g, cells, shares, rho) in &fits {
        for (i, (c, p)) in cells.iter().zip(shares).enumerate() {
            let (low_n, low_p) =
                trained[i].iter().filter(|t| t.0 != *g).fold((0usize, 0.0f64), |a, t| (a.0 + t.1, a.1 + t.2));
            let n = c.exposure as usize - low_n.min(c.exposure as usize);
            if *p <= 0.0 || low_p >= 1.0 || n == 0 {
                continue;
            }
            let share = (p / (1.0 - low_p)).min(1.0);
            let e = n as f64 * share;
            if (c.observed as f64) <= e {
                continue;
            }
            let limit = share_limit(n, share, *rho, group_alpha) as f64;
            if c.observed as f64 > limit {
                out_of_line[i].push(GroupScore {
                    group_id: *g,
                    observed: c.observed,
                    expected: e,
                    ratio: c.observed as f64 / e,
                    z: z_in(Model::Shares, c.observed, e, n as f64, *rho),
                    limit,
                });
            }
        }
    }
    units
        .iter()
        .zip(exp.iter().zip(&obs))
        .zip(out_of_line)
        .map(|((u, (e, o)), mut groups)| {
            let limit = upper_limit(*e, tau2, alpha / 2.0) as f64;
            groups.sort_by(|a, b| b.z.total_cmp(&a.z));
            let total_out = *e > 0.0 && (*o as f64) > limit;
            Score {
                unit_id: u.unit_id,
                observed: *o,
                expected: *e,
                ratio: if *e > 0.0 { *o as f64 / e } else { 0.0 },
                z: z_score(*o, *e, tau2),
                limit,
                max_in_window: None,
                flagged: total_out || !groups.is_empty(),
                groups,
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
            Score {
                unit_id: u.unit_id,
                observed: *o,
                expected: *e,
                ratio: if *e > 0.0 { *o as f64 / e } else { 0.0 },
                z: z_score(*o, *e, tau2),
                limit: n as f64,
                max_in_window: Some(m),
                groups: vec![],
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
        UnitCounts {
            unit_id: id,
            force_id: force,
            strength,
            months: vec![(d("2026-01-01"), n)],
            groups: vec![],
            trained_groups: vec![],
        }
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
    fn binomial_and_beta_binomial_limits_match_known_quantiles() {
        // Binomial(130, 0.3): P(X ≤ 51) = 0.99043, P(X ≤ 52) = 0.99422.
        assert_eq!(share_limit(130, 0.3, 0.0, 0.0075), 52);
        // Binomial(10, 0.5): P(X ≤ 7) = 0.9453, P(X ≤ 8) = 0.9893.
        assert_eq!(share_limit(10, 0.5, 0.0, 0.05), 8);
        // Beta-binomial of 10 trials, p = 0.5, ρ = 1/3: a = b = 1, uniform on 0..=10, so
        // P(X ≤ k) = (k + 1)/11: the 90 % limit is 9, the 80 % limit 8.
        assert_eq!(share_limit(10, 0.5, 1.0 / 3.0, 0.1), 9);
        assert_eq!(share_limit(10, 0.5, 1.0 / 3.0, 0.2), 8);
        // Nothing to share, or everything.
        assert_eq!((share_limit(0, 0.3, 0.0, 0.01), share_limit(5, 1.0, 0.0, 0.01)), (0, 5));
        // Many trials do not underflow: Binomial(20,000, 0.25), mean 5,000, sd 61.2; the 99 %
        // limit is about 5,000 + 2.326·61.2 ≈ 5,143.
        let big = share_limit(20_000, 0.25, 0.0, 0.01);
        assert!((5_140..=5_146).contains(&big), "{big}");
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
        assert!((pooled_rate(&pairs, 0.0, Model::Counts) - 1020.0 / 10_100.0).abs() < 1e-12);
        // With τ² = 0.05 the large unit's count says its own rate, not much more about the
        // force's: weights x/(1 + τ²λx) are about 67 and 196 at λ ≈ 0.126, so
        // λ = (20·w1/100 + 1000·w2/10000)/(w1 + w2) solves to about 0.1255.
        let r = pooled_rate(&pairs, 0.05, Model::Counts);
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
        // The total is tested at alpha / 2 (the other half is the mix test's).
        let s = statistical(&units, 0.02);
        // Poisson(10): P(X ≤ 17) = 0.98572, P(X ≤ 18) = 0.99281 → the 99 % limit is 18.
        assert!(s.iter().all(|x| x.limit == 18.0), "{s:?}");
        // P(X ≤ 16) = 0.97296, P(X ≤ 17) = 0.98572 → the 98.5 % limit (0.03, halved) is 17.
        let s = statistical(&units, 0.03);
        assert!(s.iter().all(|x| x.limit == 17.0), "{s:?}");
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
        let s = statistical(&units, 0.03);
        // The threshold (3 in 90 days) flags every unit with 3 incidents: all of them here.
        let t = threshold(&units, 3, 90);
        assert_eq!(t.iter().filter(|x| x.flagged).count(), 12);
        let big = s.iter().find(|x| x.unit_id == 11).unwrap();
        // In control (unit 12 left out of the pooled rate), the big unit is exactly at par;
        // pooled over all twelve it would have looked below (100 of 103.2 expected).
        assert!((big.ratio - 1.0).abs() < 1e-9 && big.z.abs() < 1e-9, "{big:?}");
        assert!((big.expected - 100.0).abs() < 1e-9);
    }

    /// A unit of force 1 with `a` allegations of group 1 and `b` of group 2.
    fn mixed(id: i32, strength: i64, a: usize, b: usize) -> UnitCounts {
        UnitCounts {
            unit_id: id,
            force_id: 1,
            strength: Some(strength),
            months: vec![(d("2026-01-01"), a + b)],
            groups: vec![(1, a), (2, b)],
            trained_groups: vec![],
        }
    }

    #[test]
    fn the_mix_test_flags_a_unit_out_of_line_in_one_group_and_spares_a_busy_one() {
        // Twenty units of 100 heads, each with 30 allegations of group 1 and 70 of group 2
        // (a share of 3 in 10), give or take a few; unit 21 is busy (twice the count of everything, same
        // mix); unit 22 has its usual 70 of group 2 but 60 of group 1 instead of 30.
        let mut units: Vec<UnitCounts> = (1..=20)
            .map(|i| if i % 2 == 0 { mixed(i, 100, 27, 73) } else { mixed(i, 100, 33, 67) })
            .collect();
        units.push(mixed(21, 100, 60, 140));
        units.push(mixed(22, 100, 60, 70));
        let s = statistical(&units, 0.03);
        let by = |id: i32| s.iter().find(|x| x.unit_id == id).unwrap();
        // Unit 22: its 130 allegations at the force's share of group 1 (3 in 10: 660 of 2,200
        // once unit 22 is left out as out of control) expect 39. The spread of the twenty
        // (±3 around 30 of 100) is below binomial, so ρ = 0 and the limit is the Binomial(130,
        // 0.3) quantile at 0.03 / 2 / 2 = 0.0075: P(X ≤ 51) = 0.99043, P(X ≤ 52) = 0.99422
        // → 52. 60 > 52.
        let g = &by(22).groups;
        assert_eq!(g.len(), 1, "{s:?}");
        assert_eq!((g[0].group_id, g[0].observed, g[0].limit), (1, 60, 52.0));
        assert!((g[0].expected - 39.0).abs() < 1e-9 && (g[0].ratio - 60.0 / 39.0).abs() < 1e-9, "{g:?}");
        assert!(by(22).flagged);
        // Unit 21 is busy: its total (200) is far above its peers' (100 at 100 heads), so the
        // total test flags it, but its mix is theirs: no group is out of line.
        assert!(by(21).flagged && by(21).groups.is_empty(), "{:?}", by(21));
        // Nobody else is flagged.
        let flagged: Vec<i32> = s.iter().filter(|x| x.flagged).map(|x| x.unit_id).collect();
        assert_eq!(flagged, vec![21, 22]);
        // The threshold method reads no groups.
        assert!(threshold(&units, 3, 90).iter().all(|x| x.groups.is_empty()));
    }

    #[test]
    fn the_groups_a_unit_was_trained_on_are_set_aside_from_the_mix_test() {
        // Twenty units of 1,000 heads with 300, 400 and 300 allegations of groups 1 to 3 (give
        // or take 10). Units 21 and 22 have 300, 160, 300: group 2 fell to 0.4 of its usual.
        // Unit 21 was trained on group 2: groups 1 and 3 are held against its 600 allegations
        // of groups 1 and 3 at the force's 300 : 300, so 300 each are expected: in line. Unit
        // 22 was not: at the force's shares of its 760, 228 of group 1 and of group 3 are
        // expected, and 300 is far above (Binomial(760, 0.3): sd 12.6).
        let three = |id: i32, a: usize, b: usize, c: usize, trained: Vec<i32>| UnitCounts {
            unit_id: id,
            force_id: 1,
            strength: Some(1000),
            months: vec![(d("2026-01-01"), a + b + c)],
            groups: vec![(1, a), (2, b), (3, c)],
            trained_groups: trained,
        };
        let mut units: Vec<UnitCounts> =
            (1..=20)
                .map(|i| {
                    if i % 2 == 0 {
                        three(i, 290, 410, 300, vec![])
                    } else {
                        three(i, 310, 390, 300, vec![])
                    }
                })
                .collect();
        units.push(three(21, 300, 160, 300, vec![2]));
        units.push(three(22, 300, 160, 300, vec![]));
        let s = statistical(&units, 0.03);
        let by = |id: i32| s.iter().find(|x| x.unit_id == id).unwrap();
        assert!(!by(21).flagged, "{:?}", by(21));
        let groups: Vec<i32> = by(22).groups.iter().map(|g| g.group_id).collect();
        assert!(groups.contains(&1) && groups.contains(&3) && groups.len() == 2, "{:?}", by(22));
        assert_eq!(s.iter().filter(|x| x.flagged).count(), 1, "{s:?}");
        // The trained groups of each unit, from the sessions delivered and their modules.
        let vmods = [(10, 100), (11, 100), (20, 200)];
        let group_of = |v: i32| Some(v / 10);
        let t = trained_groups([(&[5, 6][..], &[100][..]), (&[6][..], &[200][..])], &vmods, group_of);
        assert_eq!((t[&5].clone(), t[&6].clone()), (vec![1], vec![1, 2]));
    }

    #[test]
    fn a_group_too_rare_to_tell_is_not_flagged_and_groups_are_tested_within_each_force() {
        // Force 1: group 1 is 1 in 10; force 2 (the same units, other force): 1 in 2. A unit of
        // force 2 at 1 in 2 is ordinary for its force though it would be five times force 1's.
        let mut units: Vec<UnitCounts> = (1..=10).map(|i| mixed(i, 100, 10, 90)).collect();
        units.extend((11..=20).map(|i| UnitCounts { force_id: 2, ..mixed(i, 100, 50, 50) }));
        // A unit of force 1 with 3 of group 1 in 10: 3 where about 1 is expected is within
        // Binomial(10, 103/1010)'s limit at 0.0075 (P(X ≤ 3) = 0.9863, P(X ≤ 4) = 0.9982 → 4).
        units.push(mixed(21, 100, 3, 7));
        let s = statistical(&units, 0.03);
        assert!(s.iter().all(|x| x.groups.is_empty()), "{s:?}");
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
            groups: vec![],
            trained_groups: vec![],
        };
        let t = threshold(&[unit(&months)], 3, 90);
        assert!(t[0].flagged && t[0].max_in_window == Some(3));
        assert!(!threshold(&[unit(&months)], 3, 31)[0].flagged);
    }
}
