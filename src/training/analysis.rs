//! Assembling the gap analysis, the warning inputs, the trend and the effect counts from rows
//! already loaded: counts per unit, violation type and month (`Count`), the violation → module
//! map, and the delivered sessions; for an effect, (unit, violation type, day) per allegation.
//! Free of web and database types.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::gaps::{self, Standing};

/// Allegations of one unit and violation type in one month, as the database counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub unit_id: i32,
    pub violation_type_id: i32,
    /// The first day of the month.
    pub month: NaiveDate,
    pub n: usize,
}

/// A delivered session, as the analysis needs it.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub session_id: i32,
    pub partner_id: i32,
    /// Its last day.
    pub on: NaiveDate,
    pub modules: Vec<i32>,
    pub units: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    pub unit_id: i32,
    pub module_id: i32,
    pub standing: Standing,
    pub count: usize,
    pub since_delivery: usize,
    pub last_delivery: Option<NaiveDate>,
    /// The partner of the last delivery.
    pub by_partner: Option<i32>,
}

/// Every unit × module with counted allegations, judged by the gap rule; gaps first, then by
/// count, most first.
pub fn gap_rows(
    rows: &[Count],
    violation_modules: &[(i32, i32)],
    delivered: &[Delivered],
    period_end: NaiveDate,
    min_count: usize,
) -> Vec<GapRow> {
    let mut incidents: BTreeMap<(i32, i32), Vec<(NaiveDate, usize)>> = BTreeMap::new();
    for c in rows {
        for (_, module) in violation_modules.iter().filter(|(v, _)| *v == c.violation_type_id) {
            incidents.entry((c.unit_id, *module)).or_default().push((c.month, c.n));
        }
    }
    let mut out: Vec<GapRow> = incidents
        .into_iter()
        .map(|((unit, module), dates)| {
            let ds: Vec<&Delivered> =
                delivered.iter().filter(|d| d.units.contains(&unit) && d.modules.contains(&module)).collect();
            let days: Vec<NaiveDate> = ds.iter().map(|d| d.on).collect();
            let j = gaps::judge(&dates, &days, period_end, min_count);
            let by_partner =
                j.last_delivery.and_then(|on| ds.iter().find(|d| d.on == on).map(|d| d.partner_id));
            GapRow {
                unit_id: unit,
                module_id: module,
                standing: j.standing,
                count: j.count,
                since_delivery: j.since_delivery,
                last_delivery: j.last_delivery,
                by_partner,
            }
        })
        .collect();
    out.sort_by(|a, b| b.standing.is_gap().cmp(&a.standing.is_gap()).then(b.count.cmp(&a.count)));
    out
}

/// The gaps of one group of units (a force, a region) for one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The group's key: the force's or region's code ("" for units without a region).
    pub group: String,
    pub module_id: i32,
    /// Units of the group with allegations the module teaches against.
    pub units: usize,
    pub never_trained: usize,
    pub trained_continuing: usize,
    pub trained: usize,
    /// Their allegations.
    pub count: usize,
}

/// The gap rows summed by group (`group_of` gives a unit's group): per group × module, how
/// many units stand where; the groups with most gaps first, then by count.
pub fn group_gaps(rows: &[GapRow], group_of: impl Fn(i32) -> String) -> Vec<GroupRow> {
    let mut by: BTreeMap<(String, i32), GroupRow> = BTreeMap::new();
    for r in rows {
        let g = group_of(r.unit_id);
        let e = by.entry((g.clone(), r.module_id)).or_insert(GroupRow {
            group: g,
            module_id: r.module_id,
            units: 0,
            never_trained: 0,
            trained_continuing: 0,
            trained: 0,
            count: 0,
        });
        e.units += 1;
        e.count += r.count;
        match r.standing {
            Standing::NeverTrained => e.never_trained += 1,
            Standing::TrainedContinuing => e.trained_continuing += 1,
            Standing::Trained => e.trained += 1,
            Standing::NoPattern => {}
        }
    }
    let mut out: Vec<GroupRow> = by.into_values().collect();
    out.sort_by(|a, b| {
        (b.never_trained + b.trained_continuing)
            .cmp(&(a.never_trained + a.trained_continuing))
            .then(b.count.cmp(&a.count))
    });
    out
}

/// Allegations by (violation type, group of the unit).
pub fn matrix_by(rows: &[Count], group_of: impl Fn(i32) -> String) -> BTreeMap<(i32, String), usize> {
    let mut m = BTreeMap::new();
    for c in rows {
        *m.entry((c.violation_type_id, group_of(c.unit_id))).or_insert(0) += c.n;
    }
    m
}

/// Allegations by (violation type, unit).
pub fn matrix(rows: &[Count]) -> BTreeMap<(i32, i32), usize> {
    let mut m = BTreeMap::new();
    for c in rows {
        *m.entry((c.violation_type_id, c.unit_id)).or_insert(0) += c.n;
    }
    m
}

/// The quarters from `from` to `to`, with the allegations of `rows` in each.
pub fn quarters(rows: &[Count], from: NaiveDate, to: NaiveDate) -> Vec<((i32, u32), usize)> {
    let q = |d: NaiveDate| (d.year(), (d.month() - 1) / 3 + 1);
    let mut out = vec![];
    let (mut y, mut n) = q(from);
    let end = q(to);
    while (y, n) <= end {
        out.push(((y, n), rows.iter().filter(|c| q(c.month) == (y, n)).map(|c| c.n).sum()));
        if n == 4 {
            y += 1;
            n = 1;
        } else {
            n += 1;
        }
    }
    out
}

pub fn quarter_of(d: NaiveDate) -> (i32, u32) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

/// The before and after counts of the effect of a session delivered in month `delivered`
/// (`effect::month_index`), over `window` whole months on each side (the month of delivery in
/// neither), for the trained units and for the comparison units. `rows` hold the targeted
/// violations only.
pub fn effect_counts(
    rows: &[Count],
    trained: &BTreeSet<i32>,
    comparison: &BTreeSet<i32>,
    delivered: i64,
    window: i64,
) -> ((u64, u64), (u64, u64)) {
    let (mut t, mut c) = ((0, 0), (0, 0));
    for r in rows {
        let months = super::effect::month_index(r.month) - delivered;
        let n = r.n as u64;
        let target = if trained.contains(&r.unit_id) {
            &mut t
        } else if comparison.contains(&r.unit_id) {
            &mut c
        } else {
            continue;
        };
        if (-window..0).contains(&months) {
            target.0 += n;
        } else if (1..=window).contains(&months) {
            target.1 += n;
        }
    }
    (t, c)
}

/// The comparison units of a delivery: units of the trained units' forces, not trained, and
/// never given one of these modules by a session delivered up to `until`. `units` are
/// (id, force).
pub fn comparable(
    units: &[(i32, i32)],
    delivered: &[Delivered],
    trained: &BTreeSet<i32>,
    modules: &[i32],
    until: NaiveDate,
) -> BTreeSet<i32> {
    let forces: BTreeSet<i32> = units.iter().filter(|u| trained.contains(&u.0)).map(|u| u.1).collect();
    let touched: BTreeSet<i32> = delivered
        .iter()
        .filter(|d| d.on <= until && d.modules.iter().any(|m| modules.contains(m)))
        .flat_map(|d| d.units.iter().copied())
        .collect();
    units
        .iter()
        .filter(|u| forces.contains(&u.1) && !trained.contains(&u.0) && !touched.contains(&u.0))
        .map(|u| u.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn count(unit_id: i32, violation_type_id: i32, month: &str, n: usize) -> Count {
        Count { unit_id, violation_type_id, month: d(month), n }
    }

    #[test]
    fn gaps_follow_the_violation_to_module_map_and_the_deliveries() {
        // Violation 7 is taught by modules 1 and 2; violation 8 by module 3.
        let vm = [(7, 1), (7, 2), (8, 3)];
        let rows = [
            count(100, 7, "2026-01-01", 1),
            count(100, 7, "2026-02-01", 1),
            count(100, 7, "2026-05-01", 1),
            count(100, 8, "2026-01-01", 1),
            count(200, 7, "2026-03-01", 1),
        ];
        let delivered = [Delivered {
            session_id: 9,
            partner_id: 4,
            on: d("2026-03-01"),
            modules: vec![2],
            units: vec![100],
        }];
        let g = gap_rows(&rows, &vm, &delivered, d("2026-12-31"), 3);
        let find = |u, m| g.iter().find(|r| r.unit_id == u && r.module_id == m).unwrap();
        assert_eq!(find(100, 1).standing, Standing::NeverTrained);
        assert_eq!(find(100, 2).standing, Standing::Trained);
        assert_eq!(find(100, 2).by_partner, Some(4));
        assert_eq!(find(100, 3).standing, Standing::NoPattern);
        assert_eq!(find(200, 1).standing, Standing::NoPattern);
        assert_eq!(g.len(), 5);
        assert!(g[0].standing.is_gap(), "gaps first");
        assert_eq!(matrix(&rows)[&(7, 100)], 3);
    }

    #[test]
    fn gaps_and_allegations_add_up_by_force_or_region() {
        let vm = [(7, 1)];
        // Units 100 and 200 in region A, 300 in region B; delivered to 200 in February.
        let rows = [
            count(100, 7, "2026-01-01", 3),
            count(200, 7, "2026-01-01", 3),
            count(200, 7, "2026-05-01", 3),
            count(300, 7, "2026-01-01", 1),
        ];
        let delivered = [Delivered {
            session_id: 1,
            partner_id: 1,
            on: d("2026-02-10"),
            modules: vec![1],
            units: vec![200],
        }];
        let gaps = gap_rows(&rows, &vm, &delivered, d("2026-12-31"), 3);
        let region = |u: i32| if u == 300 { "B".to_string() } else { "A".to_string() };
        let g = group_gaps(&gaps, region);
        assert_eq!(
            g,
            vec![
                GroupRow {
                    group: "A".into(),
                    module_id: 1,
                    units: 2,
                    never_trained: 1,
                    trained_continuing: 1,
                    trained: 0,
                    count: 9
                },
                GroupRow {
                    group: "B".into(),
                    module_id: 1,
                    units: 1,
                    never_trained: 0,
                    trained_continuing: 0,
                    trained: 0,
                    count: 1
                },
            ]
        );
        let m = matrix_by(&rows, region);
        assert_eq!((m[&(7, "A".to_string())], m[&(7, "B".to_string())]), (9, 1));
    }

    #[test]
    fn comparison_units_are_untrained_units_of_the_same_force() {
        let units = [(1, 10), (2, 10), (3, 10), (4, 20)];
        let delivered = [
            Delivered { session_id: 1, partner_id: 1, on: d("2026-01-01"), modules: vec![5], units: vec![1] },
            Delivered { session_id: 2, partner_id: 1, on: d("2026-02-01"), modules: vec![5], units: vec![2] },
            Delivered { session_id: 3, partner_id: 1, on: d("2027-01-01"), modules: vec![5], units: vec![3] },
        ];
        let c = comparable(&units, &delivered, &BTreeSet::from([1]), &[5], d("2026-12-31"));
        assert_eq!(c, BTreeSet::from([3]), "unit 2 had the module; unit 3 only later; unit 4 another force");
    }

    #[test]
    fn quarters_cover_the_period() {
        let rows = [count(1, 7, "2026-01-01", 1), count(1, 8, "2026-03-01", 4), count(2, 7, "2026-04-01", 1)];
        let q = quarters(&rows, d("2025-12-01"), d("2026-05-01"));
        assert_eq!(q, vec![((2025, 4), 0), ((2026, 1), 5), ((2026, 2), 1)]);
    }

    #[test]
    fn effect_windows_are_whole_months_without_the_month_of_delivery() {
        let row = |unit, month: &str, n| Count { unit_id: unit, violation_type_id: 7, month: d(month), n };
        let rows = [
            row(1, "2026-03-01", 5), // the month of delivery: neither
            row(1, "2026-02-01", 2), // before
            row(1, "2026-04-01", 3), // after
            row(1, "2025-03-01", 4), // 12 months before: in
            row(1, "2025-02-01", 9), // 13: out
            row(1, "2027-04-01", 9), // 13 after: out
            row(2, "2026-06-01", 6), // comparison, after
            row(3, "2026-06-01", 1), // neither group
        ];
        let on = crate::training::effect::month_index(d("2026-03-20"));
        let (t, c) = effect_counts(&rows, &BTreeSet::from([1]), &BTreeSet::from([2]), on, 12);
        assert_eq!(t, (6, 3));
        assert_eq!(c, (0, 6));
    }
}
