//! Disclosure control of the public statistics: which counts are withheld so that no published
//! figure, alone or with the others, gives away a count from 1 to 4. Free of web and database
//! types.
//!
//! The cells are numbered; a [`Relation`] says that one cell is the sum of others (a row total,
//! a column total, the grand total, a year cell as the sum of its quarters' cells), or at most
//! that sum (an institution's cases with a recommendation are at most its cases). A cell
//! shared by two tables (the total of a violation group in the region table and in the force
//! table) is one cell, so it is withheld in both or in neither.
//!
//! The method:
//! 1. **Primary suppression**: every count from 1 to [`THRESHOLD`] − 1 is withheld. A zero is
//!    published as 0 and never withheld: it says nothing about a person.
//! 2. **Pairing** (the hypercube rule along each relation): a relation with exactly one
//!    withheld cell would give it back by subtraction, so another published non-zero cell of
//!    that relation is withheld too (the smallest of at least the threshold, else the largest),
//!    until no relation has exactly one.
//! 3. **Verification by linear programming**: for every withheld cell, the smallest and largest
//!    value consistent with everything published (every relation, equality or inequality, every
//!    published value, every
//!    withheld cell ≥ 1, since a zero is always published and so a withheld cell is known not to
//!    be one) are computed with an LP solver. The largest must be at least [`THRESHOLD`] and
//!    the smallest must differ from it; when not, one more cell of one of its relations is
//!    withheld and the pairing runs again. Withholding more only widens every range, so a cell
//!    once verified stays so, and the loop ends (at worst with every non-zero cell withheld,
//!    which scaling all of them shows is always safe).

use microlp::{ComparisonOp, OptimizationDirection, Problem};

/// Counts below this, and above 0, are never published.
pub const THRESHOLD: u64 = 5;

/// `total` = the sum of `parts` (cell numbers), or with `at_most`, `total` ≤ that sum (an
/// institution's cases with a recommendation are at most its cases).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
    pub at_most: bool,
}

impl Relation {
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// Which cells to withhold (`true`), given every cell's value and the relations between them.
pub fn protect(values: &[u64], relations: &[Relation]) -> Vec<bool> {
    let mut withheld: Vec<bool> = values.iter().map(|&v| v > 0 && v < THRESHOLD).collect();
    let mut by_cell: Vec<Vec<usize>> = vec![vec![]; values.len()];
    for (i, r) in relations.iter().enumerate() {
        for c in r.cells() {
            by_cell[c].push(i);
        }
    }
    let mut verified = vec![false; values.len()];
    // The smallest and largest value of each cell seen in a consistent solution: the true
    // values first, then every solution a linear program returns. Withholding more only widens
    // what is consistent, so a solution stays one; two seen values that [`safe`] accepts as a
    // range prove the cell safe without solving its own programs (the true range is wider).
    let mut seen: Vec<(f64, f64)> = values.iter().map(|&v| (v as f64, v as f64)).collect();
    loop {
        pair(values, relations, &mut withheld);
        let next = (0..values.len()).find(|&c| withheld[c] && !verified[c]);
        let Some(cell) = next else { return withheld };
        if safe(Some((seen[cell].0, Some(seen[cell].1)))) {
            verified[cell] = true;
            continue;
        }
        if verified_safe(values, &withheld, relations, &by_cell, cell, &mut seen) {
            verified[cell] = true;
            continue;
        }
        match widen(values, relations, &by_cell, &withheld, cell) {
            Some(more) => withheld[more] = true,
            // Nothing left to withhold: every non-zero cell already is, which is safe; a cell
            // still judged unsafe then is a solver failure, and it stays withheld.
            None => verified[cell] = true,
        }
    }
}

/// Step 2: no relation keeps exactly one withheld cell.
fn pair(values: &[u64], relations: &[Relation], withheld: &mut [bool]) {
    loop {
        let mut changed = false;
        // An inequality gives nothing back by subtraction: the check below weighs it.
        for r in relations.iter().filter(|r| !r.at_most) {
            if r.cells().filter(|&c| withheld[c]).count() != 1 {
                continue;
            }
            // The smallest cell that reaches the threshold: a small partner would leave both
            // narrowed to a few values, and the check below would have to add more.
            let open = || r.cells().filter(|&c| !withheld[c] && values[c] > 0);
            let partner = open()
                .filter(|&c| values[c] >= THRESHOLD)
                .min_by_key(|&c| (values[c], c))
                .or_else(|| open().max_by_key(|&c| (values[c], usize::MAX - c)));
            if let Some(p) = partner {
                withheld[p] = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The cell to withhold next when `cell` is not yet protected: among the published non-zero
/// cells of its relations, the smallest that reaches the threshold (it widens the range most
/// cheaply), else the largest; failing those, the smallest published non-zero cell anywhere.
fn widen(
    values: &[u64],
    relations: &[Relation],
    by_cell: &[Vec<usize>],
    withheld: &[bool],
    cell: usize,
) -> Option<usize> {
    let near: Vec<usize> = by_cell[cell]
        .iter()
        .flat_map(|&r| relations[r].cells())
        .filter(|&c| !withheld[c] && values[c] > 0)
        .collect();
    let big = near.iter().copied().filter(|&c| values[c] >= THRESHOLD).min_by_key(|&c| (values[c], c));
    big.or_else(|| near.iter().copied().max_by_key(|&c| (values[c], usize::MAX - c))).or_else(|| {
        (0..values.len()).filter(|&c| !withheld[c] && values[c] > 0).min_by_key(|&c| (values[c], c))
    })
}

/// Whether a range (smallest, largest; `None`: no upper bound) protects a withheld cell:
/// the largest at least the threshold, the smallest different from it. Integers, so the LP's
/// bounds are rounded inwards.
pub fn safe(range: Option<(f64, Option<f64>)>) -> bool {
    let Some((min, max)) = range else { return false };
    let Some(max) = max else { return true };
    let (lo, hi) = ((min - 1e-6).ceil(), (max + 1e-6).floor());
    hi >= THRESHOLD as f64 && lo < hi
}

/// The smallest and largest value of `cell` consistent with the published cells and the
/// relations (`None` for the largest: unbounded); `None` when the solver fails.
pub fn range(
    values: &[u64],
    withheld: &[bool],
    relations: &[Relation],
    cell: usize,
) -> Option<(f64, Option<f64>)> {
    let all: Vec<&Relation> = relations.iter().collect();
    let min = solve(values, withheld, &all, cell, OptimizationDirection::Minimize, &mut [])?;
    let max = solve(values, withheld, &all, cell, OptimizationDirection::Maximize, &mut [])?;
    Some((min?, max))
}

/// Whether `cell` is protected, as [`safe`] over [`range`] would say, solving less: only over
/// the relations that reach it through withheld cells (the others cannot move it), and the
/// smallest value only when needed: the true value is feasible, so when the largest exceeds
/// it the smallest differs from the largest. Every solution found widens `seen`.
fn verified_safe(
    values: &[u64],
    withheld: &[bool],
    relations: &[Relation],
    by_cell: &[Vec<usize>],
    cell: usize,
    seen: &mut [(f64, f64)],
) -> bool {
    let mut seen_rel = vec![false; relations.len()];
    let mut seen_cell = std::collections::HashSet::from([cell]);
    let mut todo = vec![cell];
    let mut reach: Vec<&Relation> = vec![];
    while let Some(c) = todo.pop() {
        for &r in &by_cell[c] {
            if seen_rel[r] {
                continue;
            }
            seen_rel[r] = true;
            reach.push(&relations[r]);
            for other in relations[r].cells().filter(|&o| withheld[o]) {
                if seen_cell.insert(other) {
                    todo.push(other);
                }
            }
        }
    }
    let max = match solve(values, withheld, &reach, cell, OptimizationDirection::Maximize, seen) {
        None => return false,
        Some(None) => return true,
        Some(Some(m)) => (m + 1e-6).floor(),
    };
    if max < THRESHOLD as f64 {
        return false;
    }
    if max > values[cell] as f64 {
        return true;
    }
    match solve(values, withheld, &reach, cell, OptimizationDirection::Minimize, seen) {
        Some(Some(min)) => (min - 1e-6).ceil() < max,
        _ => false,
    }
}

/// One LP over the withheld cells of `relations`: `Some(Some(v))` the optimum, `Some(None)`
/// unbounded, `None` a solver failure. The optimum's value of every cell widens `seen` (when
/// it is not empty): the cells outside these relations keep their true values, and the
/// relations outside them hold no cell of these, so the whole is consistent.
fn solve(
    values: &[u64],
    withheld: &[bool],
    relations: &[&Relation],
    cell: usize,
    direction: OptimizationDirection,
    seen: &mut [(f64, f64)],
) -> Option<Option<f64>> {
    let mut p = Problem::new(direction);
    let mut var = std::collections::HashMap::new();
    for r in relations {
        for c in r.cells().filter(|&c| withheld[c]) {
            var.entry(c)
                .or_insert_with(|| p.add_var(if c == cell { 1.0 } else { 0.0 }, (1.0, f64::INFINITY)));
        }
    }
    var.entry(cell).or_insert_with(|| p.add_var(1.0, (1.0, f64::INFINITY)));
    for r in relations {
        if !r.cells().any(|c| withheld[c]) {
            continue;
        }
        // total - Σ parts = 0 (≤ 0 for an inequality), the published values moved to the
        // right-hand side.
        let mut terms = vec![];
        let mut rhs = 0.0;
        for (c, coef) in std::iter::once((r.total, 1.0)).chain(r.parts.iter().map(|&c| (c, -1.0))) {
            match var.get(&c) {
                Some(v) => terms.push((*v, coef)),
                None => rhs -= coef * values[c] as f64,
            }
        }
        let op = if r.at_most { ComparisonOp::Le } else { ComparisonOp::Eq };
        p.add_constraint(&terms[..], op, rhs);
    }
    match p.solve() {
        Ok(outcome) => outcome.into_solution().ok().map(|s| {
            if !seen.is_empty() {
                for (&c, &v) in &var {
                    let x = s.var_value(v);
                    seen[c] = (seen[c].0.min(x), seen[c].1.max(x));
                }
            }
            Some(s.objective())
        }),
        Err(microlp::Error::Unbounded) => Some(None),
        Err(_) => None,
    }
}

/// The relations of a two-way table with its margins, cells numbered from `first`:
/// `rows` × `cols` inner cells row by row, then the row totals, the column totals and the grand
/// total. Returns the relations and the number of cells used.
pub fn grid_relations(first: usize, rows: usize, cols: usize) -> (Vec<Relation>, usize) {
    let inner = |r: usize, c: usize| first + r * cols + c;
    let row_total = |r: usize| first + rows * cols + r;
    let col_total = |c: usize| first + rows * cols + rows + c;
    let grand = first + rows * cols + rows + cols;
    let mut out = vec![];
    for r in 0..rows {
        out.push(Relation {
            total: row_total(r),
            parts: (0..cols).map(|c| inner(r, c)).collect(),
            at_most: false,
        });
    }
    for c in 0..cols {
        out.push(Relation {
            total: col_total(c),
            parts: (0..rows).map(|r| inner(r, c)).collect(),
            at_most: false,
        });
    }
    out.push(Relation { total: grand, parts: (0..rows).map(row_total).collect(), at_most: false });
    out.push(Relation { total: grand, parts: (0..cols).map(col_total).collect(), at_most: false });
    (out, rows * cols + rows + cols + 1)
}

#[cfg(test)]
mod tests {
    //! The attacker: written apart from the protection above, from the published tables only
    //! (rows, columns, totals, zeros), it solves for every withheld cell the smallest and
    //! largest value consistent with what is published, with the same LP crate but its own
    //! formulation.
    use super::*;

    /// A published two-way table: `None` is withheld. Inner cells, row totals, column totals,
    /// grand total.
    struct Published {
        inner: Vec<Vec<Option<u64>>>,
        rows: Vec<Option<u64>>,
        cols: Vec<Option<u64>>,
        grand: Option<u64>,
    }

    /// Builds, from the true table and `protect`'s verdict over it, what the public sees.
    fn publish(table: &[Vec<u64>], withheld: &[bool], first: usize) -> Published {
        let (r, c) = (table.len(), table[0].len());
        let show = |i: usize, v: u64| if withheld[first + i] { None } else { Some(v) };
        let rows: Vec<u64> = table.iter().map(|row| row.iter().sum()).collect();
        let cols: Vec<u64> = (0..c).map(|j| table.iter().map(|row| row[j]).sum()).collect();
        Published {
            inner: (0..r).map(|i| (0..c).map(|j| show(i * c + j, table[i][j])).collect()).collect(),
            rows: (0..r).map(|i| show(r * c + i, rows[i])).collect(),
            cols: (0..c).map(|j| show(r * c + r + j, cols[j])).collect(),
            grand: show(r * c + r + c, rows.iter().sum()),
        }
    }

    fn values(table: &[Vec<u64>]) -> Vec<u64> {
        let c = table[0].len();
        let mut v: Vec<u64> = table.iter().flatten().copied().collect();
        v.extend(table.iter().map(|row| row.iter().sum::<u64>()));
        v.extend((0..c).map(|j| table.iter().map(|row| row[j]).sum::<u64>()));
        v.push(table.iter().flatten().sum());
        v
    }

    /// What the attacker knows: several published tables and, optionally, that the first is
    /// the cell-by-cell sum of the others (a year and its quarters).
    /// Returns, for every withheld number, (where, min, max).
    fn attack(tables: &[&Published], year_is_sum: bool) -> Vec<(String, f64, Option<f64>)> {
        let all: Vec<usize> = (0..tables.len()).collect();
        let sums = if year_is_sum { vec![all] } else { vec![] };
        attack_linked(tables, &sums, &[], &[])
    }

    /// A number of a published table that another table publishes too.
    #[derive(Clone, Copy, Debug)]
    enum Pos {
        Row(usize),
        Col(usize),
        Grand,
        Inner(usize, usize),
    }

    /// A term of what the attacker knows beyond the tables: a number of a published table
    /// (table, position), or a number never published (the cases behind a median), by index.
    #[derive(Clone, Copy, Debug)]
    enum Term {
        At(usize, Pos),
        Hidden(usize),
    }

    /// A linear fact: Σ coef·term (op) rhs.
    type Fact<T> = (Vec<(T, f64)>, ComparisonOp, f64);

    /// Numbers never published that the attacker reasons about (each at least 0), and linear
    /// facts over them and the tables.
    #[derive(Default)]
    struct Hidden {
        count: usize,
        facts: Vec<Fact<Term>>,
    }

    /// The attacker with more knowledge: `sums` lists groups of tables whose first is the
    /// cell-by-cell sum of the others (a year and its quarters), and `links` says that two
    /// tables publish the same number (table, position) = (table, position): the totals that
    /// tables of the same allegations share; `at_most` says that a number is at most another
    /// (the cases with a recommendation of an institution are some of its cases).
    fn attack_linked(
        tables: &[&Published],
        sums: &[Vec<usize>],
        links: &[(usize, Pos, usize, Pos)],
        at_most: &[(usize, Pos, usize, Pos)],
    ) -> Vec<(String, f64, Option<f64>)> {
        attack_with(tables, sums, links, at_most, &Hidden::default())
    }

    /// [`attack_linked`], knowing `hidden` too: numbers never published and facts linking them
    /// to the tables. Returns the ranges of the tables' withheld numbers only.
    fn attack_with(
        tables: &[&Published],
        sums: &[Vec<usize>],
        links: &[(usize, Pos, usize, Pos)],
        at_most: &[(usize, Pos, usize, Pos)],
        hidden: &Hidden,
    ) -> Vec<(String, f64, Option<f64>)> {
        // Unknowns: every withheld number of every table. Knowns stay numbers.
        #[derive(Clone, Copy)]
        enum N {
            K(f64),
            U(usize),
        }
        let mut n_unknown = 0;
        let mut names = vec![];
        let mut num = |v: Option<u64>, name: String| match v {
            Some(x) => N::K(x as f64),
            None => {
                n_unknown += 1;
                names.push(name);
                N::U(n_unknown - 1)
            }
        };
        struct T {
            inner: Vec<Vec<N>>,
            rows: Vec<N>,
            cols: Vec<N>,
            grand: N,
        }
        let ts: Vec<T> = tables
            .iter()
            .enumerate()
            .map(|(t, p)| T {
                inner: p
                    .inner
                    .iter()
                    .enumerate()
                    .map(|(i, row)| {
                        row.iter().enumerate().map(|(j, v)| num(*v, format!("t{t} [{i},{j}]"))).collect()
                    })
                    .collect(),
                rows: p.rows.iter().enumerate().map(|(i, v)| num(*v, format!("t{t} row {i}"))).collect(),
                cols: p.cols.iter().enumerate().map(|(j, v)| num(*v, format!("t{t} col {j}"))).collect(),
                grand: num(p.grand, format!("t{t} grand")),
            })
            .collect();
        // Each equation: Σ coef·N = 0.
        let mut eqs: Vec<Vec<(N, f64)>> = vec![];
        for t in &ts {
            for (i, row) in t.inner.iter().enumerate() {
                let mut e: Vec<(N, f64)> = row.iter().map(|n| (*n, 1.0)).collect();
                e.push((t.rows[i], -1.0));
                eqs.push(e);
            }
            for (j, col) in t.cols.iter().enumerate() {
                let mut e: Vec<(N, f64)> = t.inner.iter().map(|row| (row[j], 1.0)).collect();
                e.push((*col, -1.0));
                eqs.push(e);
            }
            let mut e: Vec<(N, f64)> = t.rows.iter().map(|n| (*n, 1.0)).collect();
            e.push((t.grand, -1.0));
            eqs.push(e);
            let mut e: Vec<(N, f64)> = t.cols.iter().map(|n| (*n, 1.0)).collect();
            e.push((t.grand, -1.0));
            eqs.push(e);
        }
        let at = |t: usize, p: Pos| match p {
            Pos::Row(i) => ts[t].rows[i],
            Pos::Col(j) => ts[t].cols[j],
            Pos::Grand => ts[t].grand,
            Pos::Inner(i, j) => ts[t].inner[i][j],
        };
        for (a, pa, b, pb) in links {
            eqs.push(vec![(at(*a, *pa), 1.0), (at(*b, *pb), -1.0)]);
        }
        // Each inequality: Σ coef·N ≤ 0.
        let les: Vec<Vec<(N, f64)>> =
            at_most.iter().map(|(a, pa, b, pb)| vec![(at(*a, *pa), 1.0), (at(*b, *pb), -1.0)]).collect();
        for group in sums {
            let members: Vec<&T> = group.iter().map(|&i| &ts[i]).collect();
            let (y, qs) = members.split_first().unwrap();
            let every = |f: &dyn Fn(&T) -> Vec<N>| {
                let yv = f(y);
                (0..yv.len())
                    .map(|k| {
                        let mut e = vec![(yv[k], -1.0)];
                        e.extend(qs.iter().map(|q| (f(q)[k], 1.0)));
                        e
                    })
                    .collect::<Vec<_>>()
            };
            eqs.extend(every(&|t| t.inner.iter().flatten().copied().collect()));
            eqs.extend(every(&|t| t.rows.clone()));
            eqs.extend(every(&|t| t.cols.clone()));
            eqs.extend(every(&|t| vec![t.grand]));
        }
        // The hidden numbers come after the tables' unknowns.
        let facts: Vec<Fact<N>> = hidden
            .facts
            .iter()
            .map(|(e, op, rhs)| {
                let e = e
                    .iter()
                    .map(|(t, coef)| match t {
                        Term::At(table, pos) => (at(*table, *pos), *coef),
                        Term::Hidden(h) => (N::U(n_unknown + h), *coef),
                    })
                    .collect();
                (e, *op, *rhs)
            })
            .collect();
        let bound = |target: usize, dir: OptimizationDirection| -> Option<f64> {
            let mut p = Problem::new(dir);
            let vars: Vec<_> = (0..n_unknown + hidden.count)
                // A zero is always published: every withheld number is known to be at least 1.
                // A hidden number may be 0.
                .map(|u| {
                    let low = if u < n_unknown { 1.0 } else { 0.0 };
                    p.add_var(if u == target { 1.0 } else { 0.0 }, (low, f64::INFINITY))
                })
                .collect();
            let ops = eqs
                .iter()
                .map(|e| (e, ComparisonOp::Eq, 0.0))
                .chain(les.iter().map(|e| (e, ComparisonOp::Le, 0.0)))
                .chain(facts.iter().map(|(e, op, rhs)| (e, *op, *rhs)));
            for (e, op, given) in ops {
                let mut rhs = given;
                let mut terms = vec![];
                for (n, coef) in e {
                    match n {
                        N::K(x) => rhs -= coef * x,
                        N::U(u) => terms.push((vars[*u], *coef)),
                    }
                }
                if terms.is_empty() {
                    let holds = match op {
                        ComparisonOp::Le => rhs > -1e-9,
                        ComparisonOp::Ge => rhs < 1e-9,
                        _ => rhs.abs() < 1e-9,
                    };
                    assert!(holds, "the published figures contradict each other");
                    continue;
                }
                p.add_constraint(&terms[..], op, rhs);
            }
            match p.solve() {
                Ok(s) => Some(s.into_solution().unwrap().objective()),
                Err(microlp::Error::Unbounded) => None,
                Err(e) => panic!("the attacker's LP failed: {e:?}"),
            }
        };
        (0..n_unknown)
            .map(|u| {
                let min = bound(u, OptimizationDirection::Minimize).expect("min is bounded by 1");
                (names[u].clone(), min, bound(u, OptimizationDirection::Maximize))
            })
            .collect()
    }

    /// Every withheld number's range: largest ≥ 5, smallest ≠ largest.
    fn assert_holds(found: &[(String, f64, Option<f64>)], what: &str) {
        for (name, min, max) in found {
            let (lo, hi) = ((min - 1e-6).ceil(), max.map(|m| (m + 1e-6).floor()));
            match hi {
                None => {}
                Some(hi) => {
                    assert!(hi >= 5.0, "{what}: {name} is at most {hi}");
                    assert!(lo < hi, "{what}: {name} is exactly {hi}");
                }
            }
        }
    }

    /// Protects one table, publishes it, attacks it; returns how many numbers were withheld.
    fn check_table(table: Vec<Vec<u64>>, what: &str) -> usize {
        let v = values(&table);
        let (rel, n) = grid_relations(0, table.len(), table[0].len());
        assert_eq!(n, v.len());
        let w = protect(&v, &rel);
        for (i, x) in v.iter().enumerate() {
            if (1..5).contains(x) {
                assert!(w[i], "{what}: the count {x} (cell {i}) is published");
            }
            if *x == 0 {
                assert!(!w[i], "{what}: a zero is published as 0");
            }
        }
        let p = publish(&table, &w, 0);
        let found = attack(&[&p], false);
        assert_holds(&found, what);
        found.len()
    }

    #[test]
    fn a_row_with_a_single_small_cell() {
        let n = check_table(vec![vec![20, 30, 40], vec![0, 3, 0], vec![15, 25, 35]], "single small cell");
        assert!(n >= 4, "the 3, its row total (3) and their partners: {n}");
    }

    #[test]
    fn a_withheld_cell_is_known_not_to_be_zero() {
        // Zeros are published, so the attacker knows the 1 and the 4 are at least 1: withheld
        // with only their two partners below them, each would be narrowed to 1..4.
        let n = check_table(vec![vec![1, 4, 0], vec![10, 10, 10]], "a small pair beside a zero");
        assert!(n >= 5, "more than the 1, the 4 and two partners: {n}");
        check_table(vec![vec![2, 0, 0], vec![0, 3, 0], vec![7, 7, 7]], "small cells alone in their rows");
    }

    #[test]
    fn a_row_and_a_column_each_with_one_small_cell() {
        check_table(vec![vec![2, 30, 40, 12], vec![18, 22, 9, 60], vec![15, 25, 35, 1]], "row and column");
        check_table(vec![vec![50, 50, 1], vec![50, 50, 50], vec![2, 50, 50]], "corners");
    }

    #[test]
    fn a_table_of_many_small_cells() {
        check_table(
            vec![vec![1, 2, 1, 4, 3], vec![2, 1, 1, 1, 2], vec![4, 3, 2, 1, 1], vec![1, 1, 1, 1, 1]],
            "many small cells",
        );
        check_table(vec![vec![1, 1], vec![1, 1]], "all ones");
        check_table(vec![vec![6, 1, 0], vec![0, 7, 2], vec![1, 0, 9]], "diagonal");
    }

    #[test]
    fn a_single_non_zero_cell_in_the_whole_table() {
        let n = check_table(vec![vec![0, 0, 0], vec![0, 2, 0], vec![0, 0, 0]], "one cell");
        assert_eq!(n, 4, "the cell, its row and column totals and the grand total");
        check_table(vec![vec![0, 0], vec![0, 7]], "one large cell");
    }

    #[test]
    fn small_cells_whose_partners_are_small_get_enough_cover() {
        // Pairing alone would withhold the 1s and their 1-valued partners; the largest value of
        // each would then be 2: the LP check must add cover.
        check_table(vec![vec![1, 1, 40], vec![1, 1, 40], vec![30, 30, 30]], "small rectangle");
        check_table(vec![vec![1, 1, 0], vec![1, 1, 0], vec![0, 0, 0]], "small square alone");
    }

    #[test]
    fn pseudo_random_tables_hold() {
        // A fixed linear congruential sequence: many shapes, many small cells.
        let mut s: u64 = 12345;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        for k in 0..40 {
            let (r, c) = (2 + next() as usize % 4, 2 + next() as usize % 5);
            let table: Vec<Vec<u64>> = (0..r)
                .map(|_| {
                    (0..c)
                        .map(|_| match next() % 6 {
                            0 => 0,
                            1 | 2 => 1 + next() % 4,
                            _ => next() % 40,
                        })
                        .collect()
                })
                .collect();
            check_table(table, &format!("random table {k}"));
        }
    }

    /// A year and its four quarters, protected together; the attacker knows that the year is
    /// the sum of the quarters, cell by cell.
    fn check_year(quarters: Vec<Vec<Vec<u64>>>, what: &str) {
        let (r, c) = (quarters[0].len(), quarters[0][0].len());
        let year: Vec<Vec<u64>> =
            (0..r).map(|i| (0..c).map(|j| quarters.iter().map(|q| q[i][j]).sum()).collect()).collect();
        let tables: Vec<&Vec<Vec<u64>>> = std::iter::once(&year).chain(quarters.iter()).collect();
        let mut v = vec![];
        let mut rel = vec![];
        let mut firsts = vec![];
        for t in &tables {
            let first = v.len();
            firsts.push(first);
            let (rs, n) = grid_relations(first, r, c);
            rel.extend(rs);
            v.extend(values(t));
            assert_eq!(v.len(), first + n);
        }
        let per = v.len() / tables.len();
        for k in 0..per {
            rel.push(Relation {
                total: firsts[0] + k,
                parts: firsts[1..].iter().map(|f| f + k).collect(),
                at_most: false,
            });
        }
        let w = protect(&v, &rel);
        let published: Vec<Published> = tables.iter().zip(&firsts).map(|(t, f)| publish(t, &w, *f)).collect();
        let refs: Vec<&Published> = published.iter().collect();
        assert_holds(&attack(&refs, true), what);
        // And each table alone, as someone who reads only it.
        for p in &published {
            assert_holds(&attack(&[p], false), what);
        }
    }

    #[test]
    fn the_year_minus_its_quarters_gives_nothing_away() {
        // The 1 of Q3 hides in Q3 but the year's 21 and the other quarters' 20 would tell it.
        let q = |x: u64| vec![vec![x, 10, 12], vec![9, 8, 30]];
        check_year(vec![q(5), q(5), q(1), q(10)], "one small quarter cell");
        check_year(
            vec![
                vec![vec![1, 0, 7], vec![0, 2, 9]],
                vec![vec![0, 0, 6], vec![3, 0, 0]],
                vec![vec![0, 1, 0], vec![0, 0, 8]],
                vec![vec![12, 0, 0], vec![0, 0, 1]],
            ],
            "sparse year",
        );
        check_year(
            vec![
                vec![vec![0, 0], vec![0, 0]],
                vec![vec![0, 2], vec![0, 0]],
                vec![vec![0; 2]; 2],
                vec![vec![0; 2]; 2],
            ],
            "a single event in the year",
        );
    }

    #[test]
    fn the_attacker_sees_through_a_pattern_that_only_pairs_cells() {
        // The four 1s withheld and nothing else: every row and column has two withheld cells,
        // yet each 1 is at most 2, and since a withheld cell is not zero, exactly 1. The
        // attacker must say so, and `protect` must do better.
        let table = vec![vec![1, 1, 40], vec![1, 1, 40], vec![30, 30, 30]];
        let mut w = vec![false; values(&table).len()];
        for i in [0, 1, 3, 4] {
            w[i] = true;
        }
        let found = attack(&[&publish(&table, &w, 0)], false);
        let one = |x: f64| (x - 1.0).abs() < 1e-6;
        assert!(found.iter().all(|(_, min, max)| one(*min) && max.is_some_and(one)), "{found:?}");
        let r = std::panic::catch_unwind(|| assert_holds(&found, "pairing only"));
        assert!(r.is_err(), "the attacker's verdict fails a weak pattern");
        let (rel, _) = grid_relations(0, 3, 3);
        assert!(!safe(range(&values(&table), &w, &rel, 0)));
    }

    // ---- Across tables: the region and force tables (and the disposition table) count the
    // same allegations, so they share the violation groups' totals and the grand total. ------

    use crate::stats::figures::{self, Axes, Period, Record, Table, Timing};
    use std::collections::HashMap;

    /// What the public sees of a two-way table of `figures` (dimensions `xs` × `ys`).
    fn published_of(t: &Table, xs: &[String], ys: &[String]) -> Published {
        let get = |a: &str, b: &str| t.cell(&[a, b]).unwrap_or_else(|| panic!("{} [{a},{b}]", t.id)).count;
        Published {
            inner: xs.iter().map(|x| ys.iter().map(|y| get(x, y)).collect()).collect(),
            rows: xs.iter().map(|x| get(x, "*")).collect(),
            cols: ys.iter().map(|y| get("*", y)).collect(),
            grand: get("*", "*"),
        }
    }

    /// A one-way table as a one-column table: each row's total is its one cell.
    fn published_of_1d(t: &Table, xs: &[String]) -> Published {
        let get = |a: &str| t.cell(&[a]).unwrap().count;
        Published {
            inner: xs.iter().map(|x| vec![get(x)]).collect(),
            rows: xs.iter().map(|x| get(x)).collect(),
            cols: vec![get("*")],
            grand: get("*"),
        }
    }

    /// Allegations as (region, group, force, disposition, count), protected by `figures` for
    /// the periods of `group` (the quarters of `year`, and the year when it is in `group`); then
    /// the region, force and disposition tables of every period attacked together, the shared
    /// totals linked, each year the sum of its quarters. Returns the numbers withheld.
    fn check_shared(rows: &[(usize, usize, usize, usize, u64)], group: &[Period], what: &str) -> usize {
        let names = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let (regions, groups, forces, dispositions) =
            (names("r", 5), names("g", 4), names("f", 4), names("d", 3));
        let axes = Axes(vec![
            ("region", regions.clone()),
            ("violation_group", groups.clone()),
            ("force", forces.clone()),
            ("disposition", dispositions.clone()),
            ("institution", vec![]),
            ("public_status", vec![]),
            ("outcome", vec![]),
        ]);
        // Each row lands in one quarter of the group (by its position), so the year is their sum.
        let quarters: Vec<Period> =
            group.iter().copied().filter(|p| matches!(p, Period::Quarter(..))).collect();
        let records: Vec<Record> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.4 > 0)
            .map(|(k, &(r, g, f, d, n))| Record {
                population: "allegations",
                attrs: vec![
                    ("region", regions[r].clone()),
                    ("violation_group", groups[g].clone()),
                    ("force", forces[f].clone()),
                    ("disposition", dispositions[d].clone()),
                ],
                on: quarters[k % quarters.len()].span().0,
                n,
            })
            .collect();
        let stats = figures::protect_group(&axes, &records, &[], group);
        let mut published = vec![];
        for ps in &stats {
            published.push(published_of(ps.table("allegations_by_region").unwrap(), &regions, &groups));
            published.push(published_of(ps.table("allegations_by_force").unwrap(), &forces, &groups));
            published.push(published_of_1d(ps.table("allegations_by_disposition").unwrap(), &dispositions));
        }
        // Within each period (tables 3p, 3p+1, 3p+2): the same group totals and grand total.
        let mut links = vec![];
        for p in 0..stats.len() {
            let (reg, force, disp) = (3 * p, 3 * p + 1, 3 * p + 2);
            for j in 0..groups.len() {
                links.push((reg, Pos::Col(j), force, Pos::Col(j)));
            }
            links.push((reg, Pos::Grand, force, Pos::Grand));
            links.push((reg, Pos::Grand, disp, Pos::Grand));
        }
        // A year's tables are the sums of its quarters' tables, kind by kind.
        let sums = year_sums(&stats, 3);
        let refs: Vec<&Published> = published.iter().collect();
        let found = attack_linked(&refs, &sums, &links, &[]);
        assert_holds(&found, what);
        found.len()
    }

    /// The published tables numbered `kinds` per period, period by period: for the year among
    /// `stats`, each kind of its tables is the sum of the same kind of its quarters' tables.
    fn year_sums(stats: &[figures::PeriodStats], kinds: usize) -> Vec<Vec<usize>> {
        let Some(y) = stats.iter().position(|ps| matches!(ps.period, Period::Year(_))) else { return vec![] };
        let qs: Vec<usize> = (0..stats.len()).filter(|&p| p != y).collect();
        (0..kinds)
            .map(|kind| {
                std::iter::once(kinds * y + kind).chain(qs.iter().map(|q| kinds * q + kind)).collect()
            })
            .collect()
    }

    /// A fixed pseudo-random set of allegations: many small counts spread over the dimensions.
    fn sparse_allegations(seed: u64, n: usize) -> Vec<(usize, usize, usize, usize, u64)> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) as usize
        };
        (0..n)
            .map(|_| {
                let count = match next() % 5 {
                    0 | 1 => 1 + next() as u64 % 3,
                    2 => 0,
                    _ => next() as u64 % 25,
                };
                (next() % 5, next() % 4, next() % 4, next() % 3, count)
            })
            .collect()
    }

    #[test]
    fn the_region_and_force_tables_attacked_together_with_their_shared_totals_give_nothing_away() {
        let q = [Period::Quarter(2025, 1)];
        // Built to be hard: one allegation of group 0 in the whole quarter, alone in its region
        // row and in its force row, while every other count is large. Each table alone hides
        // it by pairing within itself; together the group's total is one number in both.
        let mut rows = vec![(0, 0, 0, 0, 1)];
        for r in 1..5 {
            for g in 1..4 {
                rows.push((r, g, (r + g) % 4, g % 3, 20 + (r * g) as u64));
            }
        }
        check_shared(&rows, &q, "one small cell shared through its group's total");
        // A small group total: both its cells small in each table, the total 3.
        check_shared(
            &[(0, 2, 1, 0, 1), (3, 2, 2, 1, 2), (1, 0, 0, 0, 30), (2, 1, 3, 2, 40), (4, 3, 1, 1, 25)],
            &q,
            "a small group total",
        );
        for seed in 0..12 {
            check_shared(&sparse_allegations(seed, 30), &q, &format!("sparse quarter {seed}"));
        }
    }

    #[test]
    fn a_sparse_year_and_its_quarters_attacked_across_tables_give_nothing_away() {
        let group = [
            Period::Year(2025),
            Period::Quarter(2025, 1),
            Period::Quarter(2025, 2),
            Period::Quarter(2025, 3),
            Period::Quarter(2025, 4),
        ];
        for seed in [3, 7] {
            let n = check_shared(&sparse_allegations(seed, 40), &group, &format!("sparse year {seed}"));
            assert!(n > 0, "something is withheld");
        }
    }

    #[test]
    fn the_linked_attacker_breaks_tables_protected_apart() {
        // The same allegations in a region table and a force table, each protected alone (its
        // group totals its own cells): one publishes a group total the other withheld as
        // cover, and the attacker who links them narrows a withheld count to 1-4 in some of
        // these tables. Sharing the totals (one cell, `figures`) is what the test above checks.
        let mut broken = 0;
        for seed in 0..12 {
            let rows = sparse_allegations(seed, 30);
            let mut by_region = vec![vec![0u64; 4]; 5];
            let mut by_force = vec![vec![0u64; 4]; 4];
            for &(r, g, f, _, n) in &rows {
                by_region[r][g] += n;
                by_force[f][g] += n;
            }
            let apart = |t: &Vec<Vec<u64>>| {
                let (rel, _) = grid_relations(0, t.len(), t[0].len());
                publish(t, &protect(&values(t), &rel), 0)
            };
            let (a, b) = (apart(&by_region), apart(&by_force));
            let mut links: Vec<(usize, Pos, usize, Pos)> =
                (0..4).map(|j| (0, Pos::Col(j), 1, Pos::Col(j))).collect();
            links.push((0, Pos::Grand, 1, Pos::Grand));
            let found = attack_linked(&[&a, &b], &[], &links, &[]);
            let holds = std::panic::catch_unwind(|| assert_holds(&found, "apart")).is_ok();
            broken += usize::from(!holds);
        }
        assert!(broken > 0, "tables protected apart leak through their shared totals");
    }

    /// Cases as (period index, institution, public status, count) and cases with a
    /// recommendation as (period index, institution, outcome, count), protected by `figures`
    /// for `group`, every case measured by the medians (routed; closed when its status is
    /// `closed`; acknowledged unless `received`, and some of the received ones); then every
    /// period's `cases_by_status`, `accountability` and `median_days` attacked together,
    /// knowing that an institution's recommended cases are some of its cases (a row of the
    /// second is at most the same row of the first), each year the sum of its quarters, and
    /// what each median's presence says of the cases it measures (below).
    fn check_cases(
        cases: &[(usize, usize, usize, u64)],
        rec: &[(usize, usize, usize, u64)],
        group: &[Period],
        what: &str,
    ) {
        let names = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let (insts, outcomes) = (names("i", 3), names("o", 4));
        let statuses: Vec<String> = ["received", "under_review", "investigation", figures::CLOSED]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let axes = Axes(vec![
            ("region", vec![]),
            ("violation_group", vec![]),
            ("force", vec![]),
            ("disposition", vec![]),
            ("institution", insts.clone()),
            ("public_status", statuses.clone()),
            ("outcome", outcomes.clone()),
        ]);
        let quarters: Vec<Period> =
            group.iter().copied().filter(|p| matches!(p, Period::Quarter(..))).collect();
        let record = |population: &'static str,
                      dim: &'static str,
                      values: &[String],
                      &(q, i, v, n): &(usize, usize, usize, u64)| Record {
            population,
            attrs: vec![("institution", insts[i].clone()), (dim, values[v].clone())],
            on: quarters[q].span().0,
            n,
        };
        let records: Vec<Record> = cases
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| record("cases", "public_status", &statuses, c))
            .chain(rec.iter().filter(|r| r.3 > 0).map(|r| record("recommended", "outcome", &outcomes, r)))
            .collect();
        // Every case measured. Of an institution's received cases in a quarter, some were
        // acknowledged (the step's public status is still `received`), at least as many as
        // make its acknowledged cases cover its recommended ones.
        let mut timings = vec![];
        for (q, &on) in quarters.iter().map(|p| p.span().0).collect::<Vec<_>>().iter().enumerate() {
            for (i, inst) in insts.iter().enumerate() {
                let n = |st: Option<usize>| -> u64 {
                    cases
                        .iter()
                        .filter(|c| c.0 == q && c.1 == i && st.is_none_or(|s| c.2 == s))
                        .map(|c| c.3)
                        .sum()
                };
                let (received, row) = (n(Some(0)), n(None));
                let recommended: u64 = rec.iter().filter(|r| r.0 == q && r.1 == i).map(|r| r.3).sum();
                let mut acked_received =
                    ((q * 7 + i * 3) as u64 % (received + 1)).max(recommended.saturating_sub(row - received));
                for c in cases.iter().filter(|c| c.0 == q && c.1 == i) {
                    for k in 0..c.3 {
                        let mut days = vec![("routing", (k % 9) as i64)];
                        let acked = c.2 != 0 || acked_received > 0;
                        if c.2 == 0 && acked {
                            acked_received -= 1;
                        }
                        if acked {
                            days.push(("acknowledgement", (k % 4) as i64));
                        }
                        if statuses[c.2] == figures::CLOSED {
                            days.push(("closure", 30 + (k % 50) as i64));
                        }
                        timings.push(Timing { on, institution: inst.clone(), days });
                    }
                }
            }
        }
        let stats = figures::protect_group(&axes, &records, &timings, group);
        let mut published = vec![];
        let mut at_most = vec![];
        for (p, ps) in stats.iter().enumerate() {
            published.push(published_of(ps.table("cases_by_status").unwrap(), &insts, &statuses));
            published.push(published_of(ps.table("accountability").unwrap(), &insts, &outcomes));
            for i in 0..insts.len() {
                at_most.push((2 * p + 1, Pos::Row(i), 2 * p, Pos::Row(i)));
            }
            at_most.push((2 * p + 1, Pos::Grand, 2 * p, Pos::Grand));
        }
        // The medians. The attacker knows the cases each measures: an institution's routing
        // its row total, closure its closed cases, acknowledgement between the cases beyond
        // `received` (and its recommended ones) and its row total; those of all institutions,
        // the sum of theirs; a year's, the sum of its quarters'. And the rule: a median shown
        // measures at least 5 cases; a median withheld though the rule would show it with
        // enough cases (`figures::median_shown`, given what the attacker sees of its counts)
        // measures at most 4.
        let mut hidden = Hidden::default();
        let closed = statuses.len() - 1;
        let mut m = HashMap::new();
        for p in 0..stats.len() {
            for i in 0..=insts.len() {
                for step in figures::STEPS {
                    m.insert((p, i, step), hidden.count);
                    hidden.count += 1;
                }
            }
        }
        let h = |p: usize, i: usize, step: &str| Term::Hidden(m[&(p, i, step)]);
        use ComparisonOp::{Eq, Ge, Le};
        for (p, ps) in stats.iter().enumerate() {
            let (c, a) = (2 * p, 2 * p + 1);
            let medians = ps.table(figures::MEDIANS).unwrap();
            for i in 0..=insts.len() {
                let all = i == insts.len();
                let row = |t: usize| Term::At(t, if all { Pos::Grand } else { Pos::Row(i) });
                let cell = |j: usize| Term::At(c, if all { Pos::Col(j) } else { Pos::Inner(i, j) });
                let facts = &mut hidden.facts;
                facts.push((vec![(h(p, i, "routing"), 1.0), (row(c), -1.0)], Eq, 0.0));
                facts.push((vec![(h(p, i, "closure"), 1.0), (cell(closed), -1.0)], Eq, 0.0));
                let ack = h(p, i, "acknowledgement");
                facts.push((vec![(ack, 1.0), (row(c), -1.0)], Le, 0.0));
                facts.push((vec![(ack, 1.0), (row(c), -1.0), (cell(0), 1.0)], Ge, 0.0));
                facts.push((vec![(ack, 1.0), (row(a), -1.0)], Ge, 0.0));
                for step in figures::STEPS {
                    // Whether the counts the rule weighs for this median are published: as
                    // `figures` names them, read here on the published tables.
                    let pairs: Vec<(&'static str, &str)> =
                        if all { vec![] } else { vec![("institution", insts[i].as_str())] };
                    let counts = figures::median_counts(step, &axes, &pairs);
                    let counts_seen = !counts.is_empty()
                        && counts.iter().all(|k| {
                            let (t, pos) = position_of(k, &insts, &statuses, &outcomes);
                            published_at(&published[2 * p + t], pos)
                        });
                    let coord = if all { "*" } else { insts[i].as_str() };
                    let shown = !medians.cell(&[coord, step]).unwrap().suppressed;
                    if shown {
                        facts.push((vec![(h(p, i, step), 1.0)], Ge, THRESHOLD as f64));
                    } else if figures::median_shown(usize::MAX, counts_seen) {
                        facts.push((vec![(h(p, i, step), 1.0)], Le, (THRESHOLD - 1) as f64));
                    }
                }
            }
            for step in figures::STEPS {
                let mut e = vec![(h(p, insts.len(), step), 1.0)];
                e.extend((0..insts.len()).map(|i| (h(p, i, step), -1.0)));
                hidden.facts.push((e, Eq, 0.0));
            }
        }
        if let Some(y) = stats.iter().position(|ps| matches!(ps.period, Period::Year(_))) {
            for i in 0..=insts.len() {
                for step in figures::STEPS {
                    let mut e = vec![(h(y, i, step), 1.0)];
                    e.extend((0..stats.len()).filter(|&q| q != y).map(|q| (h(q, i, step), -1.0)));
                    hidden.facts.push((e, Eq, 0.0));
                }
            }
        }
        let sums = year_sums(&stats, 2);
        let refs: Vec<&Published> = published.iter().collect();
        assert_holds(&attack_with(&refs, &sums, &[], &at_most, &hidden), what);
    }

    /// Where a count named by `figures` (`population|dim=value|…`) is: 0 the status table, 1 the
    /// accountability table, and its position.
    fn position_of(key: &str, insts: &[String], statuses: &[String], outcomes: &[String]) -> (usize, Pos) {
        let mut parts = key.split('|');
        let table = match parts.next() {
            Some("cases") => 0,
            Some("recommended") => 1,
            other => panic!("no table for {other:?}"),
        };
        let (mut row, mut col) = (None, None);
        for p in parts.filter(|p| !p.is_empty()) {
            let (dim, value) = p.split_once('=').unwrap();
            let find = |xs: &[String]| xs.iter().position(|x| x == value).unwrap();
            match dim {
                "institution" => row = Some(find(insts)),
                "public_status" => col = Some(find(statuses)),
                "outcome" => col = Some(find(outcomes)),
                _ => panic!("{key}"),
            }
        }
        let pos = match (row, col) {
            (Some(i), Some(j)) => Pos::Inner(i, j),
            (Some(i), None) => Pos::Row(i),
            (None, Some(j)) => Pos::Col(j),
            (None, None) => Pos::Grand,
        };
        (table, pos)
    }

    /// Whether the number at `pos` of a published table is published.
    fn published_at(p: &Published, pos: Pos) -> bool {
        match pos {
            Pos::Row(i) => p.rows[i].is_some(),
            Pos::Col(j) => p.cols[j].is_some(),
            Pos::Grand => p.grand.is_some(),
            Pos::Inner(i, j) => p.inner[i][j].is_some(),
        }
    }

    #[test]
    fn the_case_tables_attacked_together_give_nothing_away() {
        let q = [Period::Quarter(2025, 1)];
        // Built to be hard: the first institution has five cases, all closed, three with a
        // recommendation followed by discipline and two without. The accountability table
        // alone hides the 3 and the 2 by withholding their row's total; but that total is at
        // most the five cases the status table publishes, so each would be 1 to 4.
        let cases = [(0, 0, 3, 5), (0, 1, 2, 40), (0, 1, 3, 20), (0, 2, 0, 12), (0, 2, 2, 30)];
        let rec = [
            (0, 0, 0, 3),
            (0, 0, 1, 2),
            (0, 1, 0, 10),
            (0, 1, 1, 8),
            (0, 1, 3, 12),
            (0, 2, 2, 6),
            (0, 2, 3, 9),
        ];
        check_cases(&cases, &rec, &q, "five cases, all with a recommendation");
        // The second institution has two cases, both received: its row total is withheld, and
        // its other cells are published zeros. Were its routing median withheld for measuring
        // fewer than 5 cases, that would say its row, so its received cell, is 1 to 4.
        let cases = [(0, 0, 0, 40), (0, 0, 3, 20), (0, 1, 0, 2), (0, 2, 1, 30), (0, 2, 3, 12)];
        check_cases(&cases, &[(0, 0, 2, 10), (0, 2, 3, 5)], &q, "two received cases");
        // A row total withheld as another's partner, at least 5: a median shown beside it
        // would say so, and the partner's column would narrow the small cell.
        let cases = [(0, 0, 0, 3), (0, 1, 0, 6), (0, 2, 0, 30), (0, 2, 3, 30)];
        check_cases(&cases, &[], &q, "a partner row total of 6");
        // Three cases in triage beside twenty received, never acknowledged: the row total 23
        // is published, the 3 and the 20 withheld. The acknowledgement median measures the
        // three; withheld beside the row total alone, it would say that the cases beyond
        // `received` (every one acknowledged in the usual course) are at most 4.
        let cases = [(0, 0, 0, 20), (0, 0, 1, 3), (0, 1, 0, 30), (0, 1, 3, 25), (0, 2, 2, 40)];
        check_cases(&cases, &[], &q, "three in triage beside twenty received");
        // Pseudo-random quarters and a year: per institution, some of its cases recommended.
        let mut s: u64 = 17;
        let mut next = move |m: u64| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        let year = [
            Period::Year(2025),
            Period::Quarter(2025, 1),
            Period::Quarter(2025, 2),
            Period::Quarter(2025, 3),
            Period::Quarter(2025, 4),
        ];
        for round in 0..8 {
            let (group, nq): (&[Period], usize) = if round % 2 == 0 { (&q, 1) } else { (&year, 4) };
            let (mut cases, mut rec) = (vec![], vec![]);
            for quarter in 0..nq {
                for i in 0..3 {
                    let mut total = 0;
                    for st in 0..4 {
                        let n = if next(3) == 0 { 1 + next(4) } else { next(12) };
                        total += n;
                        cases.push((quarter, i, st, n));
                    }
                    // Recommended: at most the institution's cases, often all of them.
                    let mut left = total;
                    for o in 0..4 {
                        let n = next(left + 1).min(if next(2) == 0 { 4 } else { left });
                        left -= n;
                        rec.push((quarter, i, o, n));
                    }
                }
            }
            check_cases(&cases, &rec, group, &format!("case tables {round}"));
        }
    }

    #[test]
    fn ranges_are_read_as_integers() {
        assert!(safe(Some((0.0, Some(5.0)))));
        assert!(safe(Some((1.0, None))));
        assert!(!safe(Some((3.0, Some(3.0)))), "determined");
        assert!(!safe(Some((0.0, Some(4.0)))), "narrowed to at most 4");
        assert!(!safe(Some((4.9999999, Some(5.0000001)))), "5 exactly, within rounding");
        assert!(!safe(None), "a solver failure is not safety");
    }
}
