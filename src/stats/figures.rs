//! The public tables: periods (closed quarters and closed years), the counts of each table
//! from the rows `model.rs` reads, their disclosure control (`suppress`), the medians of days,
//! and the shading classes of the map. Free of web and database types.
//!
//! Which date puts a record in a period: the month the event occurred (`allegations.
//! occurred_month`, the first of the event's month; a case by its event's date), never the
//! report's submission. A year is the sum of its four quarters, cell by cell, so the year and
//! its quarters are protected together.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::suppress::{self, Relation, THRESHOLD};

/// A closed quarter or a closed year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
}

impl Period {
    /// `2026-Q3` or `2026`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once("-Q") {
            let (y, q) = (y.parse().ok()?, q.parse().ok()?);
            return ((1900..=9999).contains(&y) && (1..=4).contains(&q) && s.len() == 7)
                .then_some(Period::Quarter(y, q));
        }
        let y: i32 = s.parse().ok()?;
        ((1900..=9999).contains(&y) && s.len() == 4).then_some(Period::Year(y))
    }

    pub fn label(&self) -> String {
        match self {
            Period::Year(y) => format!("{y}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Period::Year(_) => "year",
            Period::Quarter(..) => "quarter",
        }
    }

    pub fn year(&self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) => *y,
        }
    }

    /// The first day and the day after the last.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        let d = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
        match *self {
            Period::Year(y) => (d(y, 1), d(y + 1, 1)),
            Period::Quarter(y, 4) => (d(y, 10), d(y + 1, 1)),
            Period::Quarter(y, q) => (d(y, 3 * q - 2), d(y, 3 * q + 1)),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        let (a, b) = self.span();
        a <= day && day < b
    }

    /// Closed: its last day is before `today`.
    pub fn closed(&self, today: NaiveDate) -> bool {
        self.span().1 <= today
    }
}

pub fn quarter_of(day: NaiveDate) -> Period {
    Period::Quarter(day.year(), day.month0() / 3 + 1)
}

/// The latest closed quarter on `today`.
pub fn last_closed_quarter(today: NaiveDate) -> Period {
    match quarter_of(today) {
        Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
        Period::Quarter(y, q) => Period::Quarter(y, q - 1),
        p => p,
    }
}

/// Every closed period from the quarter of `earliest` (at most the last closed quarter) to
/// the last closed quarter, newest first; a year right before its fourth quarter.
pub fn closed_periods(earliest: Option<NaiveDate>, today: NaiveDate) -> Vec<Period> {
    let last = last_closed_quarter(today);
    let first = earliest.map(quarter_of).filter(|q| *q < last).unwrap_or(last);
    let (Period::Quarter(fy, fq), Period::Quarter(ly, lq)) = (first, last) else { return vec![] };
    let mut out = vec![];
    let (mut y, mut q) = (ly, lq);
    loop {
        if q == 4 {
            out.push(Period::Year(y));
        }
        out.push(Period::Quarter(y, q));
        if (y, q) == (fy, fq) {
            break;
        }
        (y, q) = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    }
    out
}

/// A period in the list: published, or withheld whole because too few events occurred in it
/// (a quarter), or in one of its quarters (a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub period: Period,
    pub withheld: bool,
}

/// The periods listed on `today`, newest first: the closed periods from the quarter of
/// `earliest`, each quarter withheld whole when fewer than `floor` events (`events`: how many
/// began on each day, in practice each month) occurred in it, each year when one of its quarters
/// is (the year minus its other quarters would give that quarter back). The list starts at the
/// oldest published quarter, so that a withheld quarter before it, such as the one of a single
/// event reported years late, does not show even as withheld; with no quarter published, it is
/// the last closed quarter alone, withheld. `floor` 0 withholds nothing.
pub fn list_periods(
    earliest: Option<NaiveDate>,
    events: &[(NaiveDate, u64)],
    today: NaiveDate,
    floor: u64,
) -> Vec<Listed> {
    let mut per_quarter: HashMap<Period, u64> = HashMap::new();
    for &(on, n) in events {
        *per_quarter.entry(quarter_of(on)).or_default() += n;
    }
    let sparse = |y: i32, q: u32| per_quarter.get(&Period::Quarter(y, q)).copied().unwrap_or(0) < floor;
    let mut listed: Vec<Listed> = closed_periods(earliest, today)
        .into_iter()
        .map(|period| Listed {
            period,
            withheld: match period {
                Period::Quarter(y, q) => sparse(y, q),
                Period::Year(y) => (1..=4).any(|q| sparse(y, q)),
            },
        })
        .collect();
    let quarter = |l: &Listed| matches!(l.period, Period::Quarter(..));
    let keep = listed
        .iter()
        .rposition(|l| quarter(l) && !l.withheld)
        .or_else(|| listed.iter().position(quarter))
        .map_or(0, |i| i + 1);
    listed.truncate(keep);
    listed
}

/// One counted record: its population (`allegations`, `cases`, `recommended`), the values of
/// its dimensions, the day that places it, and how many it stands for.
#[derive(Debug, Clone)]
pub struct Record {
    pub population: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub on: NaiveDate,
    pub n: u64,
}

/// A case as the medians need it: days from the first report to each step.
#[derive(Debug, Clone)]
pub struct Timing {
    pub on: NaiveDate,
    pub institution: String,
    /// (step, days), for the steps reached.
    pub days: Vec<(&'static str, i64)>,
}

/// The values of each dimension, in display order.
#[derive(Debug, Clone, Default)]
pub struct Axes(pub Vec<(&'static str, Vec<String>)>);

impl Axes {
    fn of(&self, dim: &str) -> &[String] {
        self.0.iter().find(|(d, _)| *d == dim).map(|(_, v)| v.as_slice()).unwrap_or(&[])
    }
}

/// A count table: its id, population and dimensions (one or two).
pub struct Spec {
    pub id: &'static str,
    pub population: &'static str,
    pub dimensions: &'static [&'static str],
}

pub const COUNT_TABLES: [Spec; 5] = [
    Spec {
        id: "allegations_by_region",
        population: "allegations",
        dimensions: &["region", "violation_group"],
    },
    Spec { id: "allegations_by_force", population: "allegations", dimensions: &["force", "violation_group"] },
    Spec { id: "allegations_by_disposition", population: "allegations", dimensions: &["disposition"] },
    Spec { id: "cases_by_status", population: "cases", dimensions: &["institution", "public_status"] },
    Spec { id: "accountability", population: "recommended", dimensions: &["institution", "outcome"] },
];

/// The medians table.
pub const MEDIANS: &str = "median_days";
pub const STEPS: [&str; 3] = ["acknowledgement", "routing", "closure"];
/// The public status of a closed case: the one whose cases carry a closure date.
pub const CLOSED: &str = "closed";
/// The outcomes of a case that received a recommendation.
pub const OUTCOMES: [&str; 4] =
    ["no_final_outcome", "outcome_disciplined", "outcome_not_disciplined", "outcome_discipline_unknown"];

/// The total of a dimension.
pub const ALL: &str = "*";

/// A published cell: its coordinates (one per dimension, `*` for a total), and the count or
/// median; both `None` when withheld.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub coords: Vec<String>,
    pub count: Option<u64>,
    pub median_days: Option<f64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: &'static str,
    pub dimensions: Vec<&'static str>,
    pub cells: Vec<Cell>,
}

impl Table {
    pub fn cell(&self, coords: &[&str]) -> Option<&Cell> {
        self.cells.iter().find(|c| c.coords.iter().map(String::as_str).eq(coords.iter().copied()))
    }
}

#[derive(Debug, Clone)]
pub struct PeriodStats {
    pub period: Period,
    pub tables: Vec<Table>,
}

impl PeriodStats {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// The key of a count: its population and its non-total coordinates by dimension name, so
/// that the same count in two tables (a violation group's total) is one cell.
fn key(population: &str, pairs: &[(&str, &str)]) -> String {
    let mut p: Vec<String> =
        pairs.iter().filter(|(_, v)| *v != ALL).map(|(d, v)| format!("{d}={v}")).collect();
    p.sort();
    format!("{population}|{}", p.join("|"))
}

/// Every cell of a table: the inner cells row by row, then the totals.
fn coords_of(spec: &Spec, axes: &Axes) -> Vec<Vec<String>> {
    let with_all =
        |d: &str| axes.of(d).iter().cloned().chain(std::iter::once(ALL.to_string())).collect::<Vec<_>>();
    match spec.dimensions {
        [a] => with_all(a).into_iter().map(|x| vec![x]).collect(),
        [a, b] => {
            let mut out = vec![];
            for x in with_all(a) {
                for y in with_all(b) {
                    out.push(vec![x.clone(), y]);
                }
            }
            out
        }
        _ => vec![],
    }
}

/// The additive relations of a table, as keys.
fn relations_of(spec: &Spec, axes: &Axes) -> Vec<(String, Vec<String>)> {
    let p = spec.population;
    let mut out = vec![];
    match spec.dimensions {
        [a] => out.push((key(p, &[]), axes.of(a).iter().map(|x| key(p, &[(a, x)])).collect())),
        [a, b] => {
            let (xs, ys) = (axes.of(a), axes.of(b));
            for x in xs {
                out.push((key(p, &[(a, x)]), ys.iter().map(|y| key(p, &[(a, x), (b, y)])).collect()));
            }
            for y in ys {
                out.push((key(p, &[(b, y)]), xs.iter().map(|x| key(p, &[(a, x), (b, y)])).collect()));
            }
            out.push((key(p, &[]), xs.iter().map(|x| key(p, &[(a, x)])).collect()));
            out.push((key(p, &[]), ys.iter().map(|y| key(p, &[(b, y)])).collect()));
        }
        _ => {}
    }
    out
}

/// The counts of every key of every table in `period`.
fn counts(records: &[Record], period: Period) -> HashMap<String, u64> {
    let mut out: HashMap<String, u64> = HashMap::new();
    for r in records.iter().filter(|r| period.contains(r.on)) {
        let value =
            |d: &str| r.attrs.iter().find(|(k, _)| *k == d).map(|(_, v)| v.as_str()).unwrap_or("unknown");
        // The inner cell and every total of every table of the population, each key once
        // (a violation group's total is in two tables).
        let mut keys = BTreeSet::new();
        for spec in COUNT_TABLES.iter().filter(|s| s.population == r.population) {
            let dims: Vec<(&str, &str)> = spec.dimensions.iter().map(|d| (*d, value(d))).collect();
            for mask in 0..(1u32 << dims.len()) {
                let sel: Vec<(&str, &str)> =
                    dims.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, p)| *p).collect();
                keys.insert(key(r.population, &sel));
            }
        }
        for k in keys {
            *out.entry(k).or_default() += r.n;
        }
    }
    out
}

/// The median of whole days (the mean of the two middle ones for an even count).
pub fn median(mut days: Vec<i64>) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    Some(if n % 2 == 1 { days[n / 2] as f64 } else { (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0 })
}

/// The counts a median of `step` for `pairs` (an institution, or none for all) stands beside:
/// its count, were every case measured, is one of them or follows from them, so the median is
/// published only when they all are (see [`median_shown`]).
/// - routing: every case is routed, so its cases are the institution's row total;
/// - closure: a case carries a closure date exactly while its public status is `closed`;
/// - acknowledgement: no published cell counts the cases ever acknowledged (an acknowledged
///   case shows as `received`, a case closed as inadmissible may never have been), yet in the
///   usual course every case beyond `received` and every case with a recommendation was; so the
///   whole row (each status and the total) and the row total of `accountability`.
pub fn median_counts(step: &str, axes: &Axes, pairs: &[(&'static str, &str)]) -> Vec<String> {
    let with = |d: &'static str, v: &str| {
        let mut p = pairs.to_vec();
        p.push((d, v));
        key("cases", &p)
    };
    match step {
        "routing" => vec![key("cases", pairs)],
        "closure" if axes.of("public_status").iter().any(|s| s == CLOSED) => {
            vec![with("public_status", CLOSED)]
        }
        "acknowledgement" => std::iter::once(key("cases", pairs))
            .chain(axes.of("public_status").iter().map(|s| with("public_status", s)))
            .chain(std::iter::once(key("recommended", pairs)))
            .collect(),
        _ => vec![],
    }
}

/// Whether a median over `measured` cases is published, `counts_published` saying whether the
/// counts it stands beside ([`median_counts`]) are. At least [`THRESHOLD`] cases, none
/// included (a median absent for none and withheld for 1 to 4 would tell which), and its counts
/// published: whether a median shows then depends on no withheld count, so it cannot tell one
/// below 5 ("withheld, so at most 4") or at least 5 ("shown, so at least 5").
pub fn median_shown(measured: usize, counts_published: bool) -> bool {
    measured as u64 >= THRESHOLD && counts_published
}

/// The medians of days per institution (and all, `*`) × step, each published as
/// [`median_shown`] says: `published` tells whether a count (by key) is. The number measured is
/// never published.
fn medians(timings: &[Timing], period: Period, axes: &Axes, published: &dyn Fn(&str) -> bool) -> Table {
    let mut cells = vec![];
    for inst in axes.of("institution").iter().map(String::as_str).chain(std::iter::once(ALL)) {
        let pairs: Vec<(&'static str, &str)> = if inst == ALL { vec![] } else { vec![("institution", inst)] };
        for step in STEPS {
            let days: Vec<i64> = timings
                .iter()
                .filter(|t| period.contains(t.on) && (inst == ALL || t.institution == inst))
                .filter_map(|t| t.days.iter().find(|(s, _)| *s == step).map(|(_, d)| (*d).max(0)))
                .collect();
            let counts = median_counts(step, axes, &pairs);
            let shown = median_shown(days.len(), !counts.is_empty() && counts.iter().all(|k| published(k)));
            cells.push(Cell {
                coords: vec![inst.to_string(), step.to_string()],
                count: None,
                median_days: if shown { median(days) } else { None },
                suppressed: !shown,
            });
        }
    }
    Table { id: MEDIANS, dimensions: vec!["institution", "step"], cells }
}

/// Every published closed period's tables on `today` (periods with fewer than `floor` events
/// withheld whole, as [`list_periods`] says), each year protected together with its published
/// closed quarters.
pub fn compute(
    axes: &Axes,
    records: &[Record],
    timings: &[Timing],
    events: &[(NaiveDate, u64)],
    today: NaiveDate,
    floor: u64,
) -> Vec<PeriodStats> {
    let earliest = records.iter().map(|r| r.on).chain(timings.iter().map(|t| t.on)).min();
    let periods = list_periods(earliest, events, today, floor);
    let years: BTreeSet<i32> = periods.iter().map(|l| l.period.year()).collect();
    let mut out = vec![];
    for y in years.into_iter().rev() {
        out.extend(protect_group(axes, records, timings, &year_group(&periods, y)));
    }
    out
}

/// The published periods of `year` among `periods`: protected together. A withheld period is
/// in no relation: none of its figures is published.
pub fn year_group(periods: &[Listed], year: i32) -> Vec<Period> {
    periods.iter().filter(|l| !l.withheld && l.period.year() == year).map(|l| l.period).collect()
}

/// A fingerprint of everything the tables of `group` are computed from: when it has not
/// changed, neither have they (the kept tables are reused without solving anything).
pub fn fingerprint(records: &[Record], timings: &[Timing], group: &[Period]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for &p in group {
        p.hash(&mut h);
        let c: std::collections::BTreeMap<String, u64> = counts(records, p).into_iter().collect();
        c.hash(&mut h);
        let mut t: Vec<(&str, &[(&str, i64)])> = timings
            .iter()
            .filter(|t| p.contains(t.on))
            .map(|t| (t.institution.as_str(), t.days.as_slice()))
            .collect();
        t.sort();
        t.hash(&mut h);
    }
    h.finish()
}

/// One year's closed periods, protected together.
pub fn protect_group(
    axes: &Axes,
    records: &[Record],
    timings: &[Timing],
    group: &[Period],
) -> Vec<PeriodStats> {
    let mut values: Vec<u64> = vec![];
    let mut index: HashMap<(Period, String), usize> = HashMap::new();
    let mut relations = vec![];
    for &p in group {
        let c = counts(records, p);
        let mut cell = |k: &String, values: &mut Vec<u64>| -> usize {
            *index.entry((p, k.clone())).or_insert_with(|| {
                values.push(c.get(k).copied().unwrap_or(0));
                values.len() - 1
            })
        };
        for spec in &COUNT_TABLES {
            for (total, parts) in relations_of(spec, axes) {
                let t = cell(&total, &mut values);
                let parts = parts.iter().map(|k| cell(k, &mut values)).collect();
                relations.push(Relation { total: t, parts, at_most: false });
            }
        }
        // What anyone knows beside the sums: an institution's cases with a recommendation are
        // some of its cases, and so for all institutions.
        let institutions = axes.of("institution").iter().map(|i| vec![("institution", i.as_str())]);
        for pairs in institutions.chain(std::iter::once(vec![])) {
            let recommended = cell(&key("recommended", &pairs), &mut values);
            let cases = cell(&key("cases", &pairs), &mut values);
            relations.push(Relation { total: recommended, parts: vec![cases], at_most: true });
        }
    }
    // A year is the sum of its four quarters, cell by cell.
    if let Some(&Period::Year(y)) = group.iter().find(|p| matches!(p, Period::Year(_))) {
        let keys: Vec<String> =
            index.keys().filter(|(p, _)| *p == Period::Year(y)).map(|(_, k)| k.clone()).collect();
        for k in keys {
            let parts: Vec<usize> =
                (1..=4).filter_map(|q| index.get(&(Period::Quarter(y, q), k.clone())).copied()).collect();
            relations.push(Relation { total: index[&(Period::Year(y), k)], parts, at_most: false });
        }
    }
    relations.sort();
    relations.dedup();
    let withheld = suppress::protect(&values, &relations);
    group
        .iter()
        .map(|&p| {
            let mut tables: Vec<Table> = COUNT_TABLES
                .iter()
                .map(|spec| Table {
                    id: spec.id,
                    dimensions: spec.dimensions.to_vec(),
                    cells: coords_of(spec, axes)
                        .into_iter()
                        .map(|coords| {
                            let pairs: Vec<(&str, &str)> = spec
                                .dimensions
                                .iter()
                                .copied()
                                .zip(coords.iter().map(String::as_str))
                                .collect();
                            let i = index[&(p, key(spec.population, &pairs))];
                            Cell {
                                coords,
                                count: (!withheld[i]).then_some(values[i]),
                                median_days: None,
                                suppressed: withheld[i],
                            }
                        })
                        .collect(),
                })
                .collect();
            let published = |k: &str| index.get(&(p, k.to_string())).is_some_and(|&i| !withheld[i]);
            tables.push(medians(timings, p, axes, &published));
            PeriodStats { period: p, tables }
        })
        .collect()
}

/// The map's shading class of a region's count: `suppressed`, `zero`, then four classes with
/// fixed bounds (so a class means the same in every period): 5–19, 20–99, 100–499, 500 and more.
pub fn shade_class(count: Option<u64>) -> &'static str {
    match count {
        None => "suppressed",
        Some(0) => "zero",
        Some(n) if n < 20 => "c1",
        Some(n) if n < 100 => "c2",
        Some(n) if n < 500 => "c3",
        Some(_) => "c4",
    }
}

/// The classes in the legend's order, with their lower and upper bounds (for the legend).
pub const SHADES: [(&str, u64, Option<u64>); 4] =
    [("c1", 5, Some(19)), ("c2", 20, Some(99)), ("c3", 100, Some(499)), ("c4", 500, None)];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_parse_label_and_close() {
        assert_eq!(Period::parse("2026-Q3"), Some(Period::Quarter(2026, 3)));
        assert_eq!(Period::parse("2026"), Some(Period::Year(2026)));
        for bad in ["2026-Q5", "2026-Q0", "26", "2026-Q3x", "", "2026-3", "x"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::Quarter(2026, 4).span(), (d("2026-10-01"), d("2027-01-01")));
        assert!(Period::Quarter(2026, 3).closed(d("2026-10-01")));
        assert!(!Period::Quarter(2026, 4).closed(d("2026-12-31")));
        assert_eq!(last_closed_quarter(d("2026-11-29")), Period::Quarter(2026, 3));
        assert_eq!(last_closed_quarter(d("2027-01-01")), Period::Quarter(2026, 4));
        let ps: Vec<String> =
            closed_periods(Some(d("2025-08-03")), d("2026-11-29")).iter().map(Period::label).collect();
        assert_eq!(ps, ["2026-Q3", "2026-Q2", "2026-Q1", "2025", "2025-Q4", "2025-Q3"]);
        let none: Vec<String> = closed_periods(None, d("2026-11-29")).iter().map(Period::label).collect();
        assert_eq!(none, ["2026-Q3"], "with nothing recorded, the last closed quarter, empty");
        let future = closed_periods(Some(d("2027-03-01")), d("2026-11-29"));
        assert_eq!(future, [Period::Quarter(2026, 3)]);
    }

    fn axes() -> Axes {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Axes(vec![
            ("region", v(&["ML-1", "ML-2", "unknown"])),
            ("violation_group", v(&["life", "integrity"])),
            ("force", v(&["police", "army"])),
            ("disposition", v(&["substantiated", "pending"])),
            ("institution", v(&["cndh", "mediateur"])),
            ("public_status", v(&["received", "closed"])),
            ("outcome", v(&OUTCOMES)),
        ])
    }

    fn allegation(on: &str, region: &str, group: &str, force: &str, disp: &str, n: u64) -> Record {
        Record {
            population: "allegations",
            attrs: vec![
                ("region", region.into()),
                ("violation_group", group.into()),
                ("force", force.into()),
                ("disposition", disp.into()),
            ],
            on: d(on),
            n,
        }
    }

    #[test]
    fn counts_totals_shared_cells_and_the_open_quarter_left_out() {
        let recs = vec![
            allegation("2026-07-01", "ML-1", "life", "police", "pending", 10),
            allegation("2026-08-01", "ML-1", "integrity", "army", "substantiated", 7),
            allegation("2026-09-01", "ML-2", "integrity", "army", "pending", 2),
            allegation("2026-10-01", "ML-2", "integrity", "army", "pending", 50),
        ];
        let all = compute(&axes(), &recs, &[], &[], d("2026-11-29"), 0);
        assert_eq!(all.len(), 1, "only 2026-Q3 is closed");
        let q3 = &all[0];
        assert_eq!(q3.period, Period::Quarter(2026, 3));
        // A published figure is the true one; a withheld one says nothing.
        let is = |t: &Table, c: &[&str], v: u64| {
            let cell = t.cell(c).unwrap();
            assert!(cell.suppressed || cell.count == Some(v), "{c:?}: {cell:?}, expected {v}");
            assert_eq!(cell.suppressed, cell.count.is_none());
            !cell.suppressed
        };
        let t = q3.table("allegations_by_region").unwrap();
        assert!(is(t, &["ML-1", "life"], 10), "10 has no reason to be withheld");
        is(t, &["ML-1", "*"], 17);
        let small = t.cell(&["ML-2", "integrity"]).unwrap();
        assert!(small.suppressed && small.count.is_none(), "2 is withheld");
        assert!(is(t, &["unknown", "life"], 0), "zeros are published");
        is(t, &["*", "*"], 19);
        assert!(t.cells.iter().all(|c| c.count.is_none_or(|n| n == 0 || n >= 5)));
        let f = q3.table("allegations_by_force").unwrap();
        let g = |t: &Table, c: &[&str]| t.cell(c).unwrap().suppressed;
        assert_eq!(
            g(t, &["*", "integrity"]),
            g(f, &["*", "integrity"]),
            "a shared total is withheld in both or neither"
        );
        assert_eq!(g(t, &["*", "*"]), g(f, &["*", "*"]));
        assert!(is(f, &["police", "life"], 10));
        let disp = q3.table("allegations_by_disposition").unwrap();
        assert!(is(disp, &["substantiated"], 7));
        assert!(is(disp, &["pending"], 12));
        is(disp, &["*"], 19);
    }

    #[test]
    fn medians_need_five_cases_and_never_show_how_many() {
        let t = |inst: &str, days: i64| Timing {
            on: d("2026-02-10"),
            institution: inst.into(),
            days: vec![("routing", days)],
        };
        let timings: Vec<Timing> = (1..=6).map(|k| t("cndh", k)).chain([t("mediateur", 3)]).collect();
        let all = compute(&axes(), &[], &timings, &[], d("2026-05-01"), 0);
        let m = all[0].table(MEDIANS).unwrap();
        assert_eq!(m.cell(&["cndh", "routing"]).unwrap().median_days, Some(3.5));
        assert!(m.cell(&["mediateur", "routing"]).unwrap().suppressed);
        // None measured looks as 1 to 4 do: withheld, not absent.
        let none = m.cell(&["mediateur", "closure"]).unwrap();
        assert!(none.suppressed && none.median_days.is_none());
        assert_eq!(m.cell(&["*", "routing"]).unwrap().median_days, Some(3.0));
        assert!(m.cells.iter().all(|c| c.count.is_none()));
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
    }

    /// `n` cases of `inst` at `status` in 2026-Q1, each measured: routed, and acknowledged
    /// and closed as `steps` says.
    fn cases(inst: &str, status: &str, n: u64, steps: &[&'static str]) -> (Record, Vec<Timing>) {
        let on = d("2026-02-10");
        let record = Record {
            population: "cases",
            attrs: vec![("institution", inst.into()), ("public_status", status.into())],
            on,
            n,
        };
        let days = std::iter::once(("routing", 2)).chain(steps.iter().map(|s| (*s, 9))).collect::<Vec<_>>();
        (record, (0..n).map(|_| Timing { on, institution: inst.into(), days: days.clone() }).collect())
    }

    fn medians_of(rows: Vec<(Record, Vec<Timing>)>) -> PeriodStats {
        let (records, timings): (Vec<Record>, Vec<Vec<Timing>>) = rows.into_iter().unzip();
        let timings: Vec<Timing> = timings.into_iter().flatten().collect();
        compute(&axes(), &records, &timings, &[], d("2026-05-01"), 0).remove(0)
    }

    #[test]
    fn a_median_shows_only_beside_its_published_counts() {
        // The Médiateur's two received cases: its row total is withheld, and the CNDH's six
        // with it (the row totals' relation needs a second withheld cell). Six cases measured
        // would show the CNDH's routing median, and say that its withheld total is at least 5.
        let s = medians_of(vec![cases("mediateur", "received", 2, &[]), cases("cndh", "received", 6, &[])]);
        let (t, m) = (s.table("cases_by_status").unwrap(), s.table(MEDIANS).unwrap());
        assert!(
            t.cell(&["mediateur", "*"]).unwrap().suppressed && t.cell(&["cndh", "*"]).unwrap().suppressed
        );
        for inst in ["mediateur", "cndh"] {
            assert!(m.cell(&[inst, "routing"]).unwrap().suppressed, "{inst}: beside a withheld total");
        }
        assert_eq!(
            m.cell(&["*", "routing"]).unwrap().median_days,
            Some(2.0),
            "the grand total 8 is published"
        );
        // Published counts: each median beside its own.
        let cndh = || {
            vec![
                cases("cndh", "received", 30, &["acknowledgement"]),
                cases("cndh", "closed", 10, &["acknowledgement", "closure"]),
            ]
        };
        let s = medians_of(cndh());
        let m = s.table(MEDIANS).unwrap();
        for inst in ["cndh", "*"] {
            for step in STEPS {
                assert!(!m.cell(&[inst, step]).unwrap().suppressed, "{inst} {step}");
            }
        }
        let mut rows = cndh();
        rows.extend([cases("mediateur", "received", 8, &[]), cases("mediateur", "closed", 3, &["closure"])]);
        let s = medians_of(rows);
        let (t, m) = (s.table("cases_by_status").unwrap(), s.table(MEDIANS).unwrap());
        // The Médiateur's 3 closed are withheld, so are its closure median (three measured)
        // and its acknowledgement median (its row is not published whole); its routing median
        // stands beside its published total of 11.
        assert!(t.cell(&["mediateur", "closed"]).unwrap().suppressed);
        assert_eq!(t.cell(&["mediateur", "*"]).unwrap().count, Some(11));
        assert_eq!(m.cell(&["mediateur", "routing"]).unwrap().median_days, Some(2.0));
        assert!(m.cell(&["mediateur", "closure"]).unwrap().suppressed);
        assert!(m.cell(&["mediateur", "acknowledgement"]).unwrap().suppressed);
        // And in general: a median shown has every count it stands beside published.
        for s in [&s] {
            let published = |k: &str| {
                s.tables
                    .iter()
                    .filter(|t| t.id != MEDIANS)
                    .flat_map(|t| {
                        let spec = COUNT_TABLES.iter().find(|c| c.id == t.id).unwrap();
                        t.cells.iter().map(move |c| {
                            let pairs: Vec<(&str, &str)> = spec
                                .dimensions
                                .iter()
                                .copied()
                                .zip(c.coords.iter().map(String::as_str))
                                .collect();
                            (key(spec.population, &pairs), !c.suppressed)
                        })
                    })
                    .any(|(key, shown)| key == k && shown)
            };
            for c in s.table(MEDIANS).unwrap().cells.iter().filter(|c| !c.suppressed) {
                let pairs: Vec<(&'static str, &str)> =
                    if c.coords[0] == ALL { vec![] } else { vec![("institution", c.coords[0].as_str())] };
                let counts = median_counts(&c.coords[1], &axes(), &pairs);
                assert!(!counts.is_empty() && counts.iter().all(|k| published(k)), "{c:?}");
            }
        }
    }

    #[test]
    fn a_sparse_period_is_withheld_whole_and_the_list_starts_at_the_oldest_published_quarter() {
        let events = [
            (d("2015-08-01"), 1),
            (d("2026-01-01"), 12),
            (d("2026-02-01"), 13),
            (d("2026-04-01"), 30),
            (d("2026-07-01"), 3),
            (d("2026-10-01"), 25),
        ];
        let labels = |l: Vec<Listed>| l.iter().map(|l| (l.period.label(), l.withheld)).collect::<Vec<_>>();
        let s = |x: &str, w: bool| (x.to_string(), w);
        // A killing of 2015 reported late: its quarter does not start the list, not even as
        // withheld; 2026-Q3's three events are withheld, in the list.
        let listed = list_periods(Some(d("2015-08-01")), &events, d("2026-11-29"), 20);
        assert_eq!(labels(listed), [s("2026-Q3", true), s("2026-Q2", false), s("2026-Q1", false)]);
        // A year with a quarter withheld is withheld: the year minus the others would give it.
        let listed = list_periods(Some(d("2015-08-01")), &events, d("2027-01-15"), 20);
        assert_eq!(
            labels(listed),
            [
                s("2026", true),
                s("2026-Q4", false),
                s("2026-Q3", true),
                s("2026-Q2", false),
                s("2026-Q1", false)
            ]
        );
        assert_eq!(labels(list_periods(None, &events, d("2027-01-15"), 3))[0], s("2026", false));
        // Nothing published: the last closed quarter alone, withheld.
        let listed = list_periods(Some(d("2015-08-01")), &events[..1], d("2026-11-29"), 20);
        assert_eq!(labels(listed), [s("2026-Q3", true)]);
        // A floor of 0 withholds nothing: every closed period from the earliest.
        let listed = list_periods(Some(d("2025-08-03")), &[], d("2026-11-29"), 0);
        assert_eq!(listed.len(), 6);
        assert!(listed.iter().all(|l| !l.withheld));
        // A withheld period has no tables, and is in no relation of its year's protection.
        let recs: Vec<Record> = events
            .iter()
            .map(|(on, n)| allegation(&on.to_string(), "ML-1", "life", "police", "pending", *n))
            .collect();
        let all = compute(&axes(), &recs, &[], &events, d("2027-01-15"), 20);
        let periods: Vec<String> = all.iter().map(|p| p.period.label()).collect();
        assert_eq!(periods, ["2026-Q4", "2026-Q2", "2026-Q1"]);
    }

    #[test]
    fn shading_classes() {
        assert_eq!(shade_class(None), "suppressed");
        assert_eq!(shade_class(Some(0)), "zero");
        assert_eq!(shade_class(Some(5)), "c1");
        assert_eq!(shade_class(Some(19)), "c1");
        assert_eq!(shade_class(Some(20)), "c2");
        assert_eq!(shade_class(Some(499)), "c3");
        assert_eq!(shade_class(Some(500)), "c4");
    }
}
