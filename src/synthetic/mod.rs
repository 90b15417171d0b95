//! `vigie seed-synthetic`: realistic, deterministic data at national scale for benchmarks.
//! The same seed gives the same database. Reports cluster into incidents (events of one to
//! four reports at one place and date), weighted toward the centre and north as real patterns
//! are; triaged incidents get allegations routed to the CNDH or the Médiateur, and their cases
//! are spread over every workflow state.
//!
//! Synthetic reports carry no usable receipt (an Argon2id hash per report would take hours),
//! except the first ones, whose real receipts are written to a file for the receipt benchmark.

pub mod model;

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::cases::workflow::Status;
use crate::geo::Gazetteer;

/// Region weights: the centre and the north carry most reported incidents.
pub const REGION_WEIGHTS: [(&str, u32); 9] = [
    ("ML-1", 6),
    ("ML-2", 8),
    ("ML-3", 6),
    ("ML-4", 12),
    ("ML-5", 22),
    ("ML-6", 14),
    ("ML-7", 14),
    ("ML-8", 8),
    ("ML-BKO", 10),
];

pub const GROUP_WEIGHTS: [(&str, u32); 12] = [
    ("integrity", 25),
    ("liberty", 20),
    ("property", 15),
    ("life", 12),
    ("due_process", 8),
    ("sexual", 5),
    ("children", 3),
    ("movement", 3),
    ("expression", 3),
    ("obstruction", 2),
    ("discrimination", 2),
    ("maladministration", 2),
];

pub const FORCE_WEIGHTS: [(&str, u32); 12] = [
    ("fama_army", 30),
    ("fama_air", 3),
    ("gendarmerie", 15),
    ("national_guard", 12),
    ("police", 15),
    ("civil_protection", 1),
    ("intelligence", 2),
    ("other_state", 2),
    ("auxiliaries", 8),
    ("foreign_military", 5),
    ("unidentified_uniform", 5),
    ("unknown", 2),
];

pub fn pick<T: Copy>(rng: &mut StdRng, weights: &[(T, u32)]) -> T {
    let total: u32 = weights.iter().map(|w| w.1).sum();
    let mut x = rng.gen_range(0..total);
    for (v, w) in weights {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    weights[weights.len() - 1].0
}

/// A case state for a synthetic case: every state of the workflow appears.
pub fn case_status(rng: &mut StdRng) -> Status {
    Status::ALL[rng.gen_range(0..Status::ALL.len())]
}

/// The places of each region, for weighted picking.
pub fn places_by_region(g: &Gazetteer) -> Vec<(String, Vec<usize>)> {
    REGION_WEIGHTS
        .iter()
        .map(|(code, _)| {
            let idx: Vec<usize> = g
                .shipped()
                .iter()
                .enumerate()
                .filter(|(_, p)| p.region_code == *code)
                .map(|(i, _)| i)
                .collect();
            (code.to_string(), idx)
        })
        .collect()
}

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A date uniformly between `from` and `to`.
pub fn date_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    from + Duration::days(rng.gen_range(0..=(to - from).num_days()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let (mut a, mut b) = (rng(7), rng(7));
        let xs: Vec<&str> = (0..50).map(|_| pick(&mut a, &FORCE_WEIGHTS)).collect();
        let ys: Vec<&str> = (0..50).map(|_| pick(&mut b, &FORCE_WEIGHTS)).collect();
        assert_eq!(xs, ys);
        let mut c = rng(8);
        let zs: Vec<&str> = (0..50).map(|_| pick(&mut c, &FORCE_WEIGHTS)).collect();
        assert_ne!(xs, zs);
    }

    #[test]
    fn weights_shape_the_mix() {
        let mut r = rng(1);
        let n = 20_000;
        let mopti = (0..n).filter(|_| pick(&mut r, &REGION_WEIGHTS) == "ML-5").count();
        let share = mopti as f64 / n as f64;
        assert!((share - 0.22).abs() < 0.02, "{share}");
    }
}
