//! The trainers' part of `vigie seed-synthetic`, with a known truth: units with strengths over
//! two orders of magnitude (50 to 5,000), partners, delivered sessions, and allegations of the
//! forces with units spread over their units at random with weights
//! `strength × frailty × elevation × effect`:
//! - frailty: a gamma variable of mean 1 and shape 20 per unit (counts overdispersed, not
//!   plain Poisson);
//! - elevation: 1.5 to 2.5 for one unit in ten (the planted "elevated units"), on one to
//!   three violation groups drawn with the groups' own weights (a unit's problem is torture,
//!   or arrests, not everything at once: issue 12 asks for "an elevated rate of some violation
//!   groups"); or one given factor for all of them (`--elevation`), to measure the early
//!   warning by effect size; or on every group (`--elevate-every-group`, the first
//!   generator's truth, where a unit's total is all there is to know);
//! - effect: 0.6 on the violations a session's module teaches, after its delivery, for half of
//!   the sessions ("improved"); none for the other half;
//! - duplicate offers: for some sessions, another partner plans the same module for the same
//!   unit within 60 days.
//!
//! Deterministic for a seed. Used by benchmarks only.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::DbConn;
use crate::error::AppError;
use crate::taxonomy::Taxonomy;
use crate::training::model;

#[derive(Debug, Default, serde::Serialize)]
pub struct Truth {
    pub elevated_units: Vec<i32>,
    /// Each elevated unit's factor and the violation groups it applies to.
    pub elevations: Vec<Elevation>,
    /// Every unit's planted frailty (its rate per head against its force's, before any
    /// elevation or training effect), to see what the methods were up against.
    pub frailty: Vec<(i32, f64)>,
    pub sessions: Vec<SessionTruth>,
    pub duplicate_offers: Vec<[i32; 2]>,
}

#[derive(Debug, serde::Serialize)]
pub struct Elevation {
    pub unit_id: i32,
    pub factor: f64,
    pub groups: Vec<String>,
}

/// What `plant` plants beyond the seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Planting {
    /// One factor for every elevated unit, instead of 1.5 to 2.5 at random.
    pub elevation: Option<f64>,
    /// Elevate on every violation group instead of one to three.
    pub every_group: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct SessionTruth {
    pub id: i32,
    pub effect: &'static str,
}

const FORCES: [(&str, &str, usize); 5] = [
    ("fama_army", "GTIA", 30),
    ("gendarmerie", "Brigade", 20),
    ("national_guard", "Escadron", 15),
    ("police", "Commissariat", 20),
    ("auxiliaries", "Groupe", 10),
];
const REGIONS: [&str; 9] = ["ML-1", "ML-2", "ML-3", "ML-4", "ML-5", "ML-6", "ML-7", "ML-8", "ML-BKO"];

fn gamma_mean_one(r: &mut StdRng, shape: u32) -> f64 {
    let s: f64 = (0..shape).map(|_| -(1.0 - r.gen::<f64>()).ln()).sum();
    s / f64::from(shape)
}

struct PlantedUnit {
    id: i32,
    force: i32,
    /// strength × frailty.
    weight: f64,
    /// The planted factor and the violation group ids it applies to (none: not elevated).
    elevation: f64,
    groups: Vec<i32>,
}

/// One to three distinct violation groups, drawn with the synthetic reports' group weights.
fn draw_groups(r: &mut StdRng, tax: &Taxonomy) -> Vec<String> {
    let n = r.gen_range(1..=3);
    let mut left: Vec<(&str, u32)> = super::GROUP_WEIGHTS.to_vec();
    let mut out = vec![];
    while out.len() < n && !left.is_empty() {
        let g = super::pick(r, &left);
        left.retain(|w| w.0 != g);
        if tax.groups.iter().any(|x| x.entry.code == g) {
            out.push(g.to_string());
        }
    }
    out
}

/// Plants the units, partners and sessions and ties the allegations to units. Returns the truth.
pub fn plant(conn: &mut DbConn, tax: &Taxonomy, seed: u64, planting: Planting) -> Result<Truth, AppError> {
    let mut r = StdRng::seed_from_u64(seed.wrapping_mul(7919).wrapping_add(12));
    let mut truth = Truth::default();
    let mut units: Vec<PlantedUnit> = vec![];
    for (code, prefix, n) in FORCES {
        let Some(force) = tax.force(code).map(|f| f.id) else { continue };
        for k in 1..=n {
            let strength = 10f64.powf(r.gen_range(1.7..3.7)).round() as i32;
            let id = model::insert_unit(
                conn,
                &model::UnitInput {
                    force_id: force,
                    name: format!("{prefix} {k}"),
                    region_code: Some(REGIONS[r.gen_range(0..REGIONS.len())].to_string()),
                    parent_id: None,
                    strength: Some(strength),
                },
            )?;
            let frailty = gamma_mean_one(&mut r, 20);
            truth.frailty.push((id, (frailty * 1000.0).round() / 1000.0));
            let weight = f64::from(strength) * frailty;
            let (mut elevation, mut groups) = (1.0, vec![]);
            if r.gen_bool(0.1) {
                // Drawn either way, so that a given elevation or every group changes nothing
                // else.
                let drawn = r.gen_range(1.5..2.5);
                let codes = draw_groups(&mut r, tax);
                let codes: Vec<String> = if planting.every_group {
                    tax.groups.iter().map(|g| g.entry.code.clone()).collect()
                } else {
                    codes
                };
                elevation = planting.elevation.unwrap_or(drawn);
                groups =
                    tax.groups.iter().filter(|g| codes.contains(&g.entry.code)).map(|g| g.entry.id).collect();
                truth.elevated_units.push(id);
                truth.elevations.push(Elevation { unit_id: id, factor: elevation, groups: codes });
            }
            units.push(PlantedUnit { id, force, weight, elevation, groups });
        }
    }
    let partners: Vec<i32> = (1..=4)
        .map(|k| {
            let kind = if k <= 2 { "national_school" } else { "international" };
            model::insert_partner(conn, &format!("Partenaire synthétique {k}"), kind)
        })
        .collect::<Result<_, _>>()?;
    let modules: Vec<i32> = model::modules(conn)?.into_iter().map(|m| m.0).collect();
    let vmods = model::violation_modules(conn)?;
    // Sessions for the larger units (training goes to units with enough people), one module
    // each, delivered between July 2024 and June 2025; distinct unit × module.
    let big: Vec<usize> = (0..units.len()).filter(|i| units[*i].weight > 1500.0).collect();
    let mut used = std::collections::HashSet::new();
    let mut effects: Vec<(usize, Vec<i32>, NaiveDate, f64)> = vec![];
    let start = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or_default();
    let mut k = 0;
    while effects.len() < 24 && k < 1000 && !big.is_empty() {
        k += 1;
        let u = big[r.gen_range(0..big.len())];
        let m = modules[r.gen_range(0..modules.len())];
        if !used.insert((u, m)) {
            continue;
        }
        let partner = partners[r.gen_range(0..partners.len())];
        let from = start + Duration::days(r.gen_range(0..365));
        let id = model::insert_session(
            conn,
            &model::NewSession {
                partner_id: partner,
                planned_from: from,
                planned_to: from + Duration::days(4),
                region_code: None,
                go_ahead_reason: None,
                modules: &[m],
                units: &[units[u].id],
                created_by: None,
            },
        )?;
        model::deliver_as_planned(conn, id)?;
        let improved = effects.len() % 2 == 0;
        truth.sessions.push(SessionTruth { id, effect: if improved { "improved" } else { "none" } });
        let types: Vec<i32> = vmods.iter().filter(|(_, mm)| *mm == m).map(|(v, _)| *v).collect();
        effects.push((u, types, from + Duration::days(4), if improved { 0.6 } else { 1.0 }));
        // One in four: another partner plans the same module for the same unit soon after.
        if effects.len() % 4 == 1 {
            let other = partners.iter().copied().find(|p| *p != partner).unwrap_or(partner);
            let later = from + Duration::days(r.gen_range(20..60));
            let dup = model::insert_session(
                conn,
                &model::NewSession {
                    partner_id: other,
                    planned_from: later,
                    planned_to: later + Duration::days(3),
                    region_code: None,
                    go_ahead_reason: None,
                    modules: &[m],
                    units: &[units[u].id],
                    created_by: None,
                },
            )?;
            truth.duplicate_offers.push([id, dup]);
        }
    }
    // The allegations of these forces, spread over their units.
    let forces: Vec<i32> = FORCES.iter().filter_map(|(c, _, _)| tax.force(c).map(|f| f.id)).collect();
    let rows = model::allegations_of_forces(conn, &forces)?;
    let group_of: std::collections::HashMap<i32, i32> =
        tax.groups.iter().flat_map(|g| g.types.iter().map(move |t| (t.id, g.entry.id))).collect();
    let mut per_unit: std::collections::HashMap<i32, Vec<i32>> = std::collections::HashMap::new();
    for (id, force, vt, on) in rows {
        let cands: Vec<(usize, f64)> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.force == force)
            .map(|(i, u)| {
                let mut w = u.weight;
                if group_of.get(&vt).is_some_and(|g| u.groups.contains(g)) {
                    w *= u.elevation;
                }
                for (eu, types, day, factor) in &effects {
                    if *eu == i && on > *day && types.contains(&vt) {
                        w *= factor;
                    }
                }
                (i, w)
            })
            .collect();
        let total: f64 = cands.iter().map(|c| c.1).sum();
        if total <= 0.0 {
            continue;
        }
        let mut x = r.gen::<f64>() * total;
        let mut pick = cands[cands.len() - 1].0;
        for (i, w) in &cands {
            if x < *w {
                pick = *i;
                break;
            }
            x -= w;
        }
        per_unit.entry(units[pick].id).or_default().push(id);
    }
    let mut ids: Vec<i32> = per_unit.keys().copied().collect();
    ids.sort_unstable();
    for u in ids {
        model::assign_unit(conn, u, &per_unit[&u])?;
    }
    // The allegations now name units: PostgreSQL's planner statistics must know it. Not on
    // SQLite, whose files Vigie keeps without statistics (docs/OPERATIONS.md): with them,
    // SQLite 3.50 skip-scans `cases_institution_open` and the case list and the analytics'
    // deadlines took 0.3 to 0.7 s at 1,000,000 reports instead of 3 and 120 ms.
    if matches!(conn, DbConn::Pg(_)) {
        crate::db::analyze(conn)?;
    }
    Ok(truth)
}

#[derive(Debug, serde::Deserialize)]
pub struct TruthIn {
    pub elevated_units: Vec<i32>,
    pub sessions: Vec<SessionIn>,
    pub duplicate_offers: Vec<[i32; 2]>,
    /// Absent from truth files written before they were added: then no oracle is computed.
    #[serde(default)]
    pub elevations: Vec<ElevationIn>,
    #[serde(default)]
    pub frailty: Vec<(i32, f64)>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ElevationIn {
    pub unit_id: i32,
    pub factor: f64,
    pub groups: Vec<String>,
}

/// The oracle's score of each unit: the Bayes factor (as its logarithm) of "elevated" against
/// "ordinary" given the unit's counts by violation group, computed with everything the
/// generator planted except whether this unit is elevated: every unit's strength, every other
/// unit's frailty and elevation, this unit's frailty (`frailty_known`) or only the gamma it is
/// drawn from (shape 20: integrated out), and the prior the generator draws an elevation from
/// (a factor of 1.5 to 2.5 on one to three groups drawn with the reports' weights; `draws`
/// samples of it). The counts of a force's group are shared among its units in proportion to
/// strength × frailty × elevation (how `plant` spreads them), read as Poisson. Sessions'
/// effects are left out. A method sees the counts and the strengths only, so it cannot rank
/// units better than this score (up to those approximations): where even this ranking cannot
/// reach a precision and recall, no method can.
#[allow(clippy::too_many_arguments)]
pub fn oracle_scores(
    units: &[(i32, i32, f64)],
    counts: &[(i32, Vec<(i32, usize)>)],
    frailty: &std::collections::HashMap<i32, f64>,
    elevation: &std::collections::HashMap<i32, (f64, Vec<i32>)>,
    group_ids: &std::collections::HashMap<String, i32>,
    frailty_known: bool,
    draws: usize,
    seed: u64,
) -> Vec<(i32, f64)> {
    /// The gamma shape `plant` draws frailties with.
    const SHAPE: f64 = 20.0;
    use std::collections::HashMap;
    let mut r = StdRng::seed_from_u64(seed);
    // The prior, sampled as `plant` draws it.
    let prior: Vec<(f64, Vec<i32>)> = (0..draws)
        .map(|_| {
            let n = r.gen_range(1..=3);
            let mut left: Vec<(&str, u32)> = super::GROUP_WEIGHTS.to_vec();
            let mut gs = vec![];
            while gs.len() < n && !left.is_empty() {
                let g = super::pick(&mut r, &left);
                left.retain(|w| w.0 != g);
                gs.extend(group_ids.get(g).copied());
            }
            (r.gen_range(1.5..2.5), gs)
        })
        .collect();
    let of: HashMap<i32, &Vec<(i32, usize)>> = counts.iter().map(|(u, c)| (*u, c)).collect();
    let count =
        |u: i32, g: i32| of.get(&u).and_then(|c| c.iter().find(|x| x.0 == g)).map_or(0, |x| x.1) as f64;
    let weight = |u: i32, strength: f64| strength * frailty.get(&u).copied().unwrap_or(1.0);
    let elev = |u: i32, g: i32| elevation.get(&u).filter(|(_, gs)| gs.contains(&g)).map_or(1.0, |(f, _)| *f);
    let groups: Vec<i32> = group_ids.values().copied().collect();
    // Each force's count and total weight by group.
    let mut force_n: HashMap<(i32, i32), f64> = HashMap::new();
    let mut force_w: HashMap<(i32, i32), f64> = HashMap::new();
    for &(u, f, s) in units {
        for &g in &groups {
            *force_n.entry((f, g)).or_default() += count(u, g);
            *force_w.entry((f, g)).or_default() += weight(u, s) * elev(u, g);
        }
    }
    units
        .iter()
        .map(|&(u, f, s)| {
            // Unknown, this unit's frailty is taken as 1 in its expected counts, and its gamma
            // integrated out below.
            let w = if frailty_known { weight(u, s) } else { s };
            // (group, count, expected if ordinary, and the share's other weight).
            let per: Vec<(i32, f64, f64, f64)> = groups
                .iter()
                .map(|&g| {
                    let n = count(u, g);
                    let others = force_w[&(f, g)] - weight(u, s) * elev(u, g);
                    let total = force_n[&(f, g)];
                    (g, n, total * w / (others + w), others)
                })
                .collect();
            let n_all: f64 = per.iter().map(|p| p.1).sum();
            let lambda0: f64 = per.iter().map(|p| p.2).sum();
            let logs: Vec<f64> = prior
                .iter()
                .map(|(factor, gs)| {
                    // Σ n log(λ1/λ0) over the elevated groups, and how much λ grows.
                    let (mut log_ratio, mut more) = (0.0, 0.0);
                    for &(g, n, l0, others) in per.iter().filter(|(g, ..)| gs.contains(g)) {
                        let l1 = force_n[&(f, g)] * w * factor / (others + w * factor);
                        if l0 > 0.0 && l1 > 0.0 {
                            log_ratio += n * (l1 / l0).ln();
                            more += l1 - l0;
                        }
                    }
                    if frailty_known {
                        log_ratio - more
                    } else {
                        // ∫ Π Poisson(n_g; φ λ_g) Gamma(φ; k, k) dφ ∝ Π λ_g^n_g / (Λ + k)^(N + k).
                        log_ratio - (n_all + SHAPE) * ((lambda0 + more + SHAPE) / (lambda0 + SHAPE)).ln()
                    }
                })
                .collect();
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = logs.iter().map(|l| (l - top).exp()).sum::<f64>() / logs.len().max(1) as f64;
            (u, top + mean.ln())
        })
        .collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct SessionIn {
    pub id: i32,
    pub effect: String,
}

/// Where a ranking of units first reaches recall 0.8, where it last keeps precision 0.8, and
/// the best the two reach together (the largest of min(precision, recall) over every cut).
fn ranking_line(label: &str, ranked: &[i32], truth: &[i32]) -> String {
    let at = |k: usize| precision_recall(&ranked[..k], truth);
    let best = (1..=ranked.len())
        .map(|k| (at(k).0.min(at(k).1), k))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, k)| {
            format!("; best together at {k} flags: precision {:.2}, recall {:.2}", at(k).0, at(k).1)
        })
        .unwrap_or_default();
    match (
        (1..=ranked.len()).find(|k| at(*k).1 >= 0.8),
        (1..=ranked.len()).filter(|k| at(*k).0 >= 0.8).max(),
    ) {
        (Some(kr), Some(kp)) => format!(
            "ranking by {label}: recall 0.8 first at {kr} flags (precision {:.2}); precision 0.8 at most {kp} flags (recall {:.2}){best}",
            at(kr).0,
            at(kp).1
        ),
        _ => format!("ranking by {label}: recall 0.8 and precision 0.8 not both reached{best}"),
    }
}

fn precision_recall(flagged: &[i32], truth: &[i32]) -> (f64, f64) {
    let hits = flagged.iter().filter(|u| truth.contains(u)).count() as f64;
    let p = if flagged.is_empty() { 0.0 } else { hits / flagged.len() as f64 };
    let r = if truth.is_empty() { 0.0 } else { hits / truth.len() as f64 };
    (p, r)
}

/// `vigie training-eval`: the methods measured against the planted truth. Counts allegations
/// at the "credible" threshold (substantiated, or under investigation with confidence
/// confirmed or probable) over the whole period. Returns the report as text.
pub fn evaluate(
    conn: &mut DbConn,
    truth: &TruthIn,
    cfg: &crate::config::TrainingConfig,
    today: NaiveDate,
) -> Result<String, AppError> {
    use crate::training::{analysis, effect, offers, warning};
    use std::collections::{BTreeSet, HashMap};
    let t = std::time::Instant::now();
    let units = model::units(conn)?;
    let sessions = model::sessions(conn)?;
    let vmods = model::violation_modules(conn)?;
    let lists_ms = t.elapsed().as_secs_f64() * 1000.0;
    let filter = model::Filter { to: Some(today), ..model::Filter::default() };
    let started = std::time::Instant::now();
    let rows = model::counted(conn, model::Evidence::Credible, &filter)?;
    let query_ms = started.elapsed().as_secs_f64() * 1000.0;
    let first = model::first_on_record(conn)?;
    let tax = crate::taxonomy::Taxonomy::load(conn)?;
    let group_of = |t: i32| tax.violation_type_by_id(t).map(|(g, _)| g.entry.id);
    let delivered = sessions
        .iter()
        .filter(|s| s.session.status == "delivered" && s.session.span().1 <= today)
        .map(|s| (&s.units[..], &s.modules[..]));
    let trained_groups = warning::trained_groups(delivered, &vmods, group_of);
    let counts = warning::unit_counts(
        units.iter().map(|u| (u.id, u.force_id, u.strength.map(i64::from))),
        &rows,
        group_of,
        &trained_groups,
    );
    let t = std::time::Instant::now();
    let stat = warning::statistical(&counts, cfg.statistical_fdr);
    let stat_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = std::time::Instant::now();
    let mut thr = warning::threshold(&counts, cfg.threshold_count, cfg.threshold_days);
    let thr_ms = t.elapsed().as_secs_f64() * 1000.0;
    let thr_flagged_n = thr.iter().filter(|s| s.flagged).count();
    let thr_all: Vec<i32> = thr.iter().filter(|s| s.flagged).map(|s| s.unit_id).collect();
    thr.sort_by(|a, b| b.max_in_window.cmp(&a.max_in_window).then(b.observed.cmp(&a.observed)));
    let (ap, ar) = precision_recall(&thr_all, &truth.elevated_units);
    // The statistical method at the configured false-flag share, then at others for comparison;
    // each against the threshold's top units at the same number of flags.
    let mut lines = vec![];
    let others = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3].into_iter().filter(|a| *a != cfg.statistical_fdr);
    for (i, fdr) in std::iter::once(cfg.statistical_fdr).chain(others).enumerate() {
        // The same scores, cut at another level.
        let mut st = stat.clone();
        warning::flag_by_posterior(&mut st, fdr);
        let flagged: Vec<i32> = st.iter().filter(|s| s.flagged).map(|s| s.unit_id).collect();
        let k = flagged.len();
        let thr_top: Vec<i32> = thr.iter().take(k).map(|s| s.unit_id).collect();
        let (sp, sr) = precision_recall(&flagged, &truth.elevated_units);
        let (tp, tr) = precision_recall(&thr_top, &truth.elevated_units);
        lines.push(format!(
            "{label}statistical fdr {fdr}: {k} flags, precision {sp:.2}, recall {sr:.2} · threshold (top {k} by count in {days} days): precision {tp:.2}, recall {tr:.2}",
            label = if i == 0 { "" } else { "  also " },
            days = cfg.threshold_days,
        ));
    }
    // Rankings by one score, at every number of flags: the fewest flags reaching recall 0.8,
    // and the most keeping precision 0.8. By the unit's total against its strength (all that
    // counts say when an elevation scales every group, as in the first generator's truth), and
    // by the method's evidence (its Bayes factor).
    let ceiling = |label: &str, key: &dyn Fn(&warning::Score) -> f64| -> String {
        let mut ranked: Vec<&warning::Score> = stat.iter().collect();
        ranked.sort_by(|a, b| key(b).total_cmp(&key(a)));
        let ranked: Vec<i32> = ranked.iter().map(|s| s.unit_id).collect();
        ranking_line(label, &ranked, &truth.elevated_units)
    };
    lines.push(ceiling("the total's observed/expected", &|s| s.ratio));
    let mix_only = stat.iter().filter(|s| s.flagged && s.observed as f64 <= s.limit).count();
    lines.push(format!("of the statistical flags, {mix_only} with the total within its limit"));
    let post: Vec<f64> = stat.iter().map(|s| s.posterior.unwrap_or(0.0)).collect();
    let planted_post: f64 = stat
        .iter()
        .zip(&post)
        .filter(|(s, _)| truth.elevated_units.contains(&s.unit_id))
        .map(|(_, p)| p)
        .sum();
    for level in [0.5, 0.7, 0.9] {
        let flagged: Vec<i32> =
            stat.iter().filter(|s| s.posterior.unwrap_or(0.0) >= level).map(|s| s.unit_id).collect();
        let (p, r) = precision_recall(&flagged, &truth.elevated_units);
        lines.push(format!(
            "  by posterior ≥ {level}: {} flags, precision {p:.2}, recall {r:.2}",
            flagged.len()
        ));
    }
    lines.push(format!(
        "share of units elevated: estimated {:.3}, planted {:.3}; the posteriors add up to {:.1} over all units, {planted_post:.1} over the planted ones",
        post.iter().sum::<f64>() / post.len().max(1) as f64,
        truth.elevated_units.len() as f64 / stat.len().max(1) as f64,
        post.iter().sum::<f64>(),
    ));
    // The first twenty units by posterior, planted ones marked, to see where a cut could fall.
    let mut by_post: Vec<&warning::Score> = stat.iter().collect();
    by_post.sort_by(|a, b| b.posterior.unwrap_or(0.0).total_cmp(&a.posterior.unwrap_or(0.0)));
    let top: Vec<String> = by_post
        .iter()
        .take(20)
        .map(|s| {
            let mark = if truth.elevated_units.contains(&s.unit_id) { "+" } else { "-" };
            format!("{:.3}{mark}", s.posterior.unwrap_or(0.0))
        })
        .collect();
    lines.push(format!("  posteriors, highest first (+ planted): {}", top.join(" ")));
    // Each flag and each missed unit, to see why.
    let trained: BTreeSet<i32> = sessions.iter().flat_map(|s| s.units.iter().copied()).collect();
    for sc in &stat {
        let planted = truth.elevated_units.contains(&sc.unit_id);
        if !(sc.flagged || planted) {
            continue;
        }
        let groups: Vec<String> = sc
            .groups
            .iter()
            .map(|g| format!("{} {}/{:.1} (p {:.2})", g.group_id, g.observed, g.expected, g.inclusion))
            .collect();
        lines.push(format!(
            "  {} unit {}: log10 BF {:.2}, total {}/{:.1} (limit {}){}; groups [{}]",
            match (sc.flagged, planted) {
                (true, true) => "hit",
                (true, false) => "false flag",
                _ => "missed",
            },
            sc.unit_id,
            sc.evidence(),
            sc.observed,
            sc.expected,
            sc.limit,
            if trained.contains(&sc.unit_id) { ", trained" } else { "" },
            groups.join(", ")
        ));
    }
    let ceiling = ceiling("the method's evidence (Bayes factor)", &|s| s.evidence());
    lines.push(ceiling);
    // The oracle's ranking, when the truth file carries what it needs.
    if !truth.frailty.is_empty() {
        let group_ids: HashMap<String, i32> =
            tax.groups.iter().map(|g| (g.entry.code.clone(), g.entry.id)).collect();
        let elevation: HashMap<i32, (f64, Vec<i32>)> = truth
            .elevations
            .iter()
            .map(|e| {
                (e.unit_id, (e.factor, e.groups.iter().filter_map(|c| group_ids.get(c).copied()).collect()))
            })
            .collect();
        let frailty: HashMap<i32, f64> = truth.frailty.iter().copied().collect();
        let planted: Vec<(i32, i32, f64)> =
            units.iter().map(|u| (u.id, u.force_id, u.strength.map_or(1.0, f64::from))).collect();
        let by_group: Vec<(i32, Vec<(i32, usize)>)> =
            counts.iter().map(|c| (c.unit_id, c.groups.clone())).collect();
        for (known, label) in [
            (false, "the oracle (Bayes factor: strengths, the prior, frailties' distribution)"),
            (true, "the oracle knowing every frailty too"),
        ] {
            let mut scores =
                oracle_scores(&planted, &by_group, &frailty, &elevation, &group_ids, known, 2000, 7);
            scores.sort_by(|a, b| b.1.total_cmp(&a.1));
            let ranked: Vec<i32> = scores.iter().map(|s| s.0).collect();
            lines.push(ranking_line(label, &ranked, &truth.elevated_units));
        }
    }
    let delivered: Vec<analysis::Delivered> = sessions
        .iter()
        .filter(|s| s.session.status == "delivered")
        .map(|s| analysis::Delivered {
            session_id: s.session.id,
            partner_id: s.session.partner_id,
            on: s.session.span().1,
            modules: s.modules.clone(),
            units: s.units.clone(),
        })
        .collect();
    let t = std::time::Instant::now();
    let gaps = analysis::gap_rows(&rows, &vmods, &delivered, today, cfg.gap_min_count);
    let gap_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Verdicts: the effect's windows are whole months, counted from the same rows.
    let pairs: Vec<(i32, i32)> = units.iter().map(|u| (u.id, u.force_id)).collect();
    let (mut right, mut tally) = (0, std::collections::BTreeMap::<String, usize>::new());
    let mut oracle_right = 0;
    let first = first.map(effect::month_index);
    for st in &truth.sessions {
        let Some(s) = sessions.iter().find(|s| s.session.id == st.id) else { continue };
        let on = s.session.span().1;
        let month = effect::month_index(on);
        let window =
            effect::window_months(cfg.effect_window_months, month, effect::month_index(today), first);
        let types: BTreeSet<i32> =
            vmods.iter().filter(|(_, m)| s.modules.contains(m)).map(|(v, _)| *v).collect();
        let targeted: Vec<analysis::Count> =
            rows.iter().filter(|r| types.contains(&r.violation_type_id)).cloned().collect();
        let trained: BTreeSet<i32> = s.units.iter().copied().collect();
        let (_, until) = effect::window_span(on, window);
        let cmp = analysis::comparable(&pairs, &delivered, &trained, &s.modules, until);
        let (a, c) = analysis::effect_counts(&targeted, &trained, &cmp, month, window);
        let e = effect::effect(a, (!cmp.is_empty()).then_some(c), cfg.effect_min_events);
        let ok = matches!(
            (st.effect.as_str(), e.verdict),
            ("improved", effect::Verdict::Improved) | ("none", effect::Verdict::NoChange)
        );
        right += usize::from(ok);
        *tally.entry(format!("{} → {}", st.effect, e.verdict.as_str())).or_default() += 1;
        // The ceiling of any verdict on these counts: knowing that a session either cuts the
        // taught violations to 0.6 of their rate or does nothing, equally often (the planted
        // truth), the likelier of the two given the unit's count after among its count before
        // and after (binomial, the comparison's after / before as the windows' own ratio).
        let r = match (e.comparison_before, e.comparison_after) {
            (Some(b), Some(a)) if a > 0 && b > 0 => a as f64 / b as f64,
            _ => 1.0,
        };
        let ll = |theta: f64| {
            let q = theta * r / (1.0 + theta * r);
            e.after as f64 * q.ln() + e.before as f64 * (1.0 - q).ln()
        };
        let says_improved = ll(0.6) > ll(1.0);
        oracle_right += usize::from((st.effect == "improved") == says_improved);
    }
    // Duplicate offers found by the planning check.
    let offer = |x: &model::SessionFull| offers::Offer {
        id: x.session.id,
        partner_id: x.session.partner_id,
        status: x.session.status.clone(),
        modules: x.modules.clone(),
        units: x.units.clone(),
        from: x.session.span().0,
        to: x.session.span().1,
    };
    let all: Vec<offers::Offer> = sessions.iter().map(offer).collect();
    let found = truth
        .duplicate_offers
        .iter()
        .filter(|[a, b]| {
            all.iter().find(|o| o.id == *b).is_some_and(|plan| {
                offers::duplicates(plan, &all, cfg.offer_window_days).iter().any(|(o, _)| o.id == *a)
            })
        })
        .count();
    // A region filter (the unit's region or the event's) counts from the allegations: timed
    // for the capital and two regions of the centre.
    let mut by_region = vec![];
    for region in ["ML-BKO", "ML-4", "ML-5"] {
        let f = model::Filter { region_code: Some(region.to_string()), ..filter.clone() };
        let t = std::time::Instant::now();
        let rows = model::counted(conn, model::Evidence::Credible, &f)?;
        by_region.push(format!(
            "{region} {:.0} ms ({} rows)",
            t.elapsed().as_secs_f64() * 1000.0,
            rows.len()
        ));
    }
    let n = truth.sessions.len().max(1);
    Ok(format!(
        "units {units} · elevated {elev} · allegations counted {counted} ({rows} unit × type × month rows)\n\
         {lines}\n\
         threshold as configured ({n_thr}+ in {days} days): {thr_flagged_n} flags, precision {ap:.2}, recall {ar:.2}\n\
         verdicts: {right}/{n} right ({acc:.2}) {tally:?}\n\
         verdicts' ceiling (knowing each session either cuts to 0.6 or does nothing): {oracle_right}/{n} right ({oacc:.2})\n\
         duplicate offers found: {found}/{dups}\n\
         time: counting query {query_ms:.0} ms, statistical {stat_ms:.1} ms, threshold {thr_ms:.1} ms, gap rule {gap_ms:.1} ms ({gaps} rows), units, sessions and modules {lists_ms:.1} ms\n\
         time with a region filter, counting: {by_region}",
        units = units.len(),
        elev = truth.elevated_units.len(),
        rows = rows.len(),
        counted = rows.iter().map(|c| c.n).sum::<usize>(),
        days = cfg.threshold_days,
        n_thr = cfg.threshold_count,
        acc = right as f64 / n as f64,
        oacc = oracle_right as f64 / n as f64,
        lines = lines.join("\n"),
        dups = truth.duplicate_offers.len(),
        gaps = gaps.len(),
        by_region = by_region.join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Ten units of one force, equal strength and frailty, with the counts each group's share
    /// gives; unit 1 has twice its share of torture and beatings ("integrity", 25 % of all).
    #[test]
    fn the_oracle_ranks_an_elevated_unit_first_and_calls_ordinary_units_ordinary() {
        let group_ids: HashMap<String, i32> = super::super::GROUP_WEIGHTS
            .iter()
            .enumerate()
            .map(|(i, (g, _))| (g.to_string(), i as i32))
            .collect();
        let units: Vec<(i32, i32, f64)> = (1..=10).map(|u| (u, 1, 500.0)).collect();
        let counts: Vec<(i32, Vec<(i32, usize)>)> = (1..=10)
            .map(|u| {
                let per = super::super::GROUP_WEIGHTS
                    .iter()
                    .enumerate()
                    .map(|(i, (_, w))| (i as i32, *w as usize * if u == 1 && i == 0 { 8 } else { 4 }))
                    .collect();
                (u, per)
            })
            .collect();
        let frailty: HashMap<i32, f64> = (1..=10).map(|u| (u, 1.0)).collect();
        let elevation = HashMap::from([(1, (2.0, vec![0]))]);
        for known in [false, true] {
            let scores = oracle_scores(&units, &counts, &frailty, &elevation, &group_ids, known, 500, 1);
            let best = scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            assert_eq!(best.0, 1, "{scores:?}");
            assert!(best.1 > 5.0, "strong evidence: {scores:?}");
            assert!(
                scores.iter().filter(|s| s.0 != 1).all(|s| s.1 < 0.0),
                "the others look ordinary: {scores:?}"
            );
        }
    }

    #[test]
    fn a_ranking_line_gives_where_precision_and_recall_reach_0_8() {
        let line = ranking_line("x", &[1, 2, 9, 3, 4], &[1, 2, 3, 4]);
        assert!(line.contains("recall 0.8 first at 5 flags (precision 0.80)"), "{line}");
        assert!(line.contains("precision 0.8 at most 5 flags (recall 1.00)"), "{line}");
        assert!(line.contains("best together at 5 flags: precision 0.80, recall 1.00"), "{line}");
    }
}
