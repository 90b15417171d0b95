//! Hotspots: events clustered in space and time, by DBSCAN (Ester et al., 1996) over the events
//! of the period the staff map shows, with the space-time reach of ST-DBSCAN (Birant and Kut,
//! 2007): two events are *within reach* when they are at most `distance_km` apart and at most
//! `days` days apart. An event is a *core* event when at least `min_events` events (itself
//! included) lie within its reach; core events within reach of each other are in one hotspot,
//! and an event that is not core joins the hotspot of a core event within reach (a *border*
//! event). The rest is noise, in no hotspot. Five events in one village over two years are not
//! a hotspot at a 30-day reach; five in one week are.
//!
//! Computed on a grid of cells of side `distance_km / √2`, each cell's events sorted by day, so
//! that two events of one cell are always near enough in space and the events within `days` of
//! a day are one slice of each neighbouring cell: `min_events` events of a cell within `days`
//! of each other are all core without measuring a distance, a cell's core events following
//! each other within `days` are joined, and so are core events within reach across
//! neighbouring cells. Distances are measured on a local plane (longitude scaled by the
//! cosine of the latitude), which over a few kilometres differs from the great circle by far
//! less than a GPS fix. Free of web and database types; checked against a plain quadratic
//! DBSCAN in the tests.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

/// Kilometres per degree of latitude.
const KM_PER_DEG: f64 = 111.2;

/// An event as the clustering sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    pub on: NaiveDate,
}

/// The parameters: the reach in space and in time, and the events a core needs (itself
/// included).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub distance_km: f64,
    /// At least 1.
    pub days: i64,
    pub min_events: usize,
}

/// One hotspot: its events (indexes into the input), where and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub members: Vec<usize>,
    pub lat: f64,
    pub lon: f64,
    /// The largest distance from the centre to a member, in km.
    pub radius_km: f64,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

fn plane(p: &Point) -> (f64, f64) {
    (p.lon * KM_PER_DEG * p.lat.to_radians().cos(), p.lat * KM_PER_DEG)
}

/// An event where the clustering measures it: x and y on the local plane (km), and its day.
#[derive(Clone, Copy)]
struct At {
    x: f64,
    y: f64,
    day: i64,
}

fn at_of(p: &Point) -> At {
    let (x, y) = plane(p);
    At { x, y, day: i64::from(p.on.num_days_from_ce()) }
}

fn within(a: At, b: At, p: Params) -> bool {
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    dx * dx + dy * dy <= p.distance_km * p.distance_km && (a.day - b.day).abs() <= p.days
}

/// Which hotspot each event belongs to (`None`: noise), hotspots numbered from 0 in the order
/// of their first event.
pub fn labels(points: &[Point], p: Params) -> Vec<Option<usize>> {
    let n = points.len();
    if n == 0 || p.min_events == 0 || p.distance_km <= 0.0 || p.days < 1 {
        return vec![None; n];
    }
    let xy: Vec<At> = points.iter().map(at_of).collect();
    let side = p.distance_km / std::f64::consts::SQRT_2;
    let cell_of = |q: At| ((q.x / side).floor() as i64, (q.y / side).floor() as i64);
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, q) in xy.iter().enumerate() {
        cells.entry(cell_of(*q)).or_default().push(i);
    }
    // Each cell's events by day, so that those within `days` of a day are one slice.
    for members in cells.values_mut() {
        members.sort_by_key(|&i| (xy[i].day, i));
    }
    let in_days = |members: &'_ [usize], day: i64| -> std::ops::Range<usize> {
        let lo = members.partition_point(|&j| xy[j].day < day - p.days);
        let hi = members.partition_point(|&j| xy[j].day <= day + p.days);
        lo..hi
    };
    // A reach of distance_km spans at most two cells of side distance_km/√2 in each direction.
    const NEAR: [i64; 5] = [-2, -1, 0, 1, 2];
    let neighbours =
        |c: (i64, i64)| NEAR.iter().flat_map(move |dx| NEAR.iter().map(move |dy| (c.0 + dx, c.1 + dy)));
    // Core events. Two events of one cell are always near enough in space: `min_events` of a
    // cell within `days` of each other are all core without a distance; the others count.
    let mut core = vec![false; n];
    for members in cells.values() {
        for w in members.windows(p.min_events) {
            if xy[w[w.len() - 1]].day - xy[w[0]].day <= p.days {
                w.iter().for_each(|&i| core[i] = true);
            }
        }
    }
    for (c, members) in &cells {
        for &i in members {
            if core[i] {
                continue;
            }
            let mut count = 0;
            'count: for nc in neighbours(*c) {
                let Some(other) = cells.get(&nc) else { continue };
                for &j in &other[in_days(other, xy[i].day)] {
                    if within(xy[i], xy[j], p) {
                        count += 1;
                        if count >= p.min_events {
                            break 'count;
                        }
                    }
                }
            }
            core[i] = count >= p.min_events;
        }
    }
    // Core events joined: within a cell, those following each other by day within `days`
    // (near in space, so near); then pairs within reach across neighbouring cells.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn join(parent: &mut [usize], a: usize, b: usize) {
        let (a, b) = (find(parent, a), find(parent, b));
        parent[a] = b;
    }
    let mut keys: Vec<&(i64, i64)> = cells.keys().collect();
    keys.sort();
    for c in &keys {
        let cores: Vec<usize> = cells[c].iter().copied().filter(|&i| core[i]).collect();
        for w in cores.windows(2) {
            if xy[w[1]].day - xy[w[0]].day <= p.days {
                join(&mut parent, w[0], w[1]);
            }
        }
    }
    for c in &keys {
        for nc in neighbours(**c) {
            if nc <= **c {
                continue;
            }
            let Some(other) = cells.get(&nc) else { continue };
            for &i in cells[c].iter().filter(|&&i| core[i]) {
                for &j in &other[in_days(other, xy[i].day)] {
                    if core[j] && within(xy[i], xy[j], p) && find(&mut parent, i) != find(&mut parent, j) {
                        join(&mut parent, i, j);
                    }
                }
            }
        }
    }
    // Border events join the hotspot of the nearest core event within reach.
    let mut root_of = vec![None; n];
    for i in 0..n {
        if core[i] {
            root_of[i] = Some(find(&mut parent, i));
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for nc in neighbours(cell_of(xy[i])) {
            let Some(other) = cells.get(&nc) else { continue };
            for &j in &other[in_days(other, xy[i].day)] {
                if core[j] && within(xy[i], xy[j], p) {
                    let d = (xy[i].x - xy[j].x).powi(2) + (xy[i].y - xy[j].y).powi(2);
                    if best.is_none_or(|b| (d, j) < b) {
                        best = Some((d, j));
                    }
                }
            }
        }
        root_of[i] = best.map(|(_, j)| find(&mut parent, j));
    }
    // Numbered in the order of their first event.
    let mut number: HashMap<usize, usize> = HashMap::new();
    root_of
        .into_iter()
        .map(|r| {
            r.map(|r| {
                let next = number.len();
                *number.entry(r).or_insert(next)
            })
        })
        .collect()
}

/// The hotspots, largest first (then the earliest), each with its centre, radius and dates.
pub fn hotspots(points: &[Point], p: Params) -> Vec<Hotspot> {
    let labels = labels(points, p);
    let count = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<usize>> = vec![vec![]; count];
    for (i, l) in labels.iter().enumerate() {
        if let Some(l) = l {
            groups[*l].push(i);
        }
    }
    let mut out: Vec<Hotspot> = groups
        .into_iter()
        .map(|members| {
            let k = members.len() as f64;
            let lat = members.iter().map(|&i| points[i].lat).sum::<f64>() / k;
            let lon = members.iter().map(|&i| points[i].lon).sum::<f64>() / k;
            let centre = plane(&Point { lat, lon, on: points[members[0]].on });
            let radius_km = members
                .iter()
                .map(|&i| {
                    let q = plane(&points[i]);
                    ((q.0 - centre.0).powi(2) + (q.1 - centre.1).powi(2)).sqrt()
                })
                .fold(0.0, f64::max);
            let first = members.iter().map(|&i| points[i].on).min().unwrap_or_default();
            let last = members.iter().map(|&i| points[i].on).max().unwrap_or_default();
            Hotspot { members, lat, lon, radius_km, first, last }
        })
        .collect();
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.first.cmp(&b.first)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A point `dx`, `dy` km east and north of (12.65 N, 8.0 W), near Bamako.
    fn at(dx: f64, dy: f64) -> Point {
        let lat = 12.65 + dy / KM_PER_DEG;
        let lon = -8.0 + dx / (KM_PER_DEG * lat.to_radians().cos());
        Point { lat, lon, on: d("2026-05-01") }
    }

    /// DBSCAN as published, quadratic: the reference the grid must agree with.
    fn plain(points: &[Point], p: Params) -> (Vec<bool>, Vec<Vec<usize>>) {
        let n = points.len();
        let xy: Vec<_> = points.iter().map(at_of).collect();
        let near = |i: usize| (0..n).filter(|&j| within(xy[i], xy[j], p)).collect::<Vec<_>>();
        let core: Vec<bool> = (0..n).map(|i| near(i).len() >= p.min_events).collect();
        // Core components by breadth-first search.
        let mut comp = vec![usize::MAX; n];
        let mut comps = vec![];
        for s in 0..n {
            if !core[s] || comp[s] != usize::MAX {
                continue;
            }
            let id = comps.len();
            let mut queue = vec![s];
            comp[s] = id;
            let mut members = vec![];
            while let Some(i) = queue.pop() {
                members.push(i);
                for j in near(i) {
                    if core[j] && comp[j] == usize::MAX {
                        comp[j] = id;
                        queue.push(j);
                    }
                }
            }
            members.sort();
            comps.push(members);
        }
        (core, comps)
    }

    #[test]
    fn two_groups_and_noise() {
        let mut pts = vec![];
        for i in 0..6 {
            pts.push(at(i as f64 * 0.5, 0.0)); // a line of 6 events, 0.5 km apart
        }
        for i in 0..5 {
            pts.push(at(50.0 + i as f64 * 0.3, 20.0)); // 5 events 50 km away
        }
        pts.push(at(-30.0, -30.0)); // alone
        let p = Params { distance_km: 1.0, days: 30, min_events: 3 };
        let l = labels(&pts, p);
        assert!(l[..6].iter().all(|x| *x == Some(0)), "{l:?}");
        assert!(l[6..11].iter().all(|x| *x == Some(1)), "{l:?}");
        assert_eq!(l[11], None);
        let h = hotspots(&pts, p);
        assert_eq!(h.iter().map(|h| h.members.len()).collect::<Vec<_>>(), vec![6, 5]);
        assert!((h[0].radius_km - 1.25).abs() < 0.01, "{}", h[0].radius_km);
    }

    #[test]
    fn min_events_counts_the_event_itself_and_a_border_event_joins() {
        // Three events within 1 km of each other make three cores at min_events = 3, none at 4.
        let tri = [at(0.0, 0.0), at(0.6, 0.0), at(0.3, 0.5)];
        let p3 = Params { distance_km: 1.0, days: 30, min_events: 3 };
        assert_eq!(labels(&tri, p3), vec![Some(0); 3]);
        let p4 = Params { distance_km: 1.0, days: 30, min_events: 4 };
        assert_eq!(labels(&tri, p4), vec![None; 3]);
        // A fourth event within reach of one core only is a border event of the hotspot.
        let mut four = tri.to_vec();
        four.push(at(1.5, 0.0));
        let l = labels(&four, p3);
        assert_eq!(l, vec![Some(0); 4]);
        assert_eq!(plain(&four, p3).0, vec![true, true, true, false]);
    }

    #[test]
    fn the_dates_of_a_hotspot_are_its_first_and_last_events() {
        let mut pts: Vec<Point> = (0..4).map(|i| at(i as f64 * 0.1, 0.0)).collect();
        pts[2].on = d("2026-04-03");
        pts[3].on = d("2026-06-30");
        let h = hotspots(&pts, Params { distance_km: 1.0, days: 90, min_events: 2 });
        assert_eq!((h[0].first, h[0].last), (d("2026-04-03"), d("2026-06-30")));
    }

    #[test]
    fn events_far_apart_in_time_are_not_a_hotspot() {
        // Five events at one place, 20 days apart: at a 30-day reach each has at most three
        // events within reach (itself and the two beside it), none is core.
        let mut pts: Vec<Point> = (0..5).map(|i| at(i as f64 * 0.1, 0.0)).collect();
        for (i, q) in pts.iter_mut().enumerate() {
            q.on = d("2026-01-01") + chrono::Duration::days(20 * i as i64);
        }
        let p = Params { distance_km: 1.0, days: 30, min_events: 5 };
        assert_eq!(labels(&pts, p), vec![None; 5]);
        // At a 40-day reach the middle event reaches all five, and the others join it.
        let p = Params { days: 40, ..p };
        assert_eq!(labels(&pts, p), vec![Some(0); 5]);
        assert_eq!(plain(&pts, p).0, vec![false, false, true, false, false]);
        // The reach counts whole days, both ends included: 30 days apart is within 30.
        let two =
            [Point { on: d("2026-01-01"), ..at(0.0, 0.0) }, Point { on: d("2026-01-31"), ..at(0.0, 0.0) }];
        let p2 = Params { distance_km: 1.0, days: 30, min_events: 2 };
        assert_eq!(labels(&two, p2), vec![Some(0); 2]);
        assert_eq!(labels(&two, Params { days: 29, ..p2 }), vec![None; 2]);
    }

    #[test]
    fn the_grid_agrees_with_plain_dbscan_on_random_points() {
        // A small deterministic generator: clusters of various spreads, and scattered events.
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut r = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1_000_000) as f64 / 1_000_000.0
        };
        for round in 0..80 {
            let mut pts = vec![];
            for _ in 0..(3 + round % 5) {
                let (cx, cy, spread) = (r() * 200.0, r() * 200.0, 0.5 + r() * 6.0);
                for _ in 0..(2 + (r() * 25.0) as usize) {
                    pts.push(at(cx + (r() - 0.5) * spread, cy + (r() - 0.5) * spread));
                }
            }
            for _ in 0..40 {
                pts.push(at(r() * 200.0, r() * 200.0));
            }
            // Dates over a year, some rounds bunched in a few weeks.
            let span = if round % 3 == 0 { 20.0 } else { 365.0 };
            for q in &mut pts {
                q.on = d("2026-01-01") + chrono::Duration::days((r() * span) as i64);
            }
            let p = Params {
                distance_km: 0.5 + r() * 4.0,
                days: 1 + (r() * 90.0) as i64,
                min_events: 2 + round % 6,
            };
            let got = labels(&pts, p);
            let (core, comps) = plain(&pts, p);
            // Every core event is in the hotspot of its component, and components are hotspots.
            for comp in &comps {
                let l = got[comp[0]];
                assert!(l.is_some(), "round {round}: a core event left out");
                assert!(comp.iter().all(|&i| got[i] == l), "round {round}: a component split");
                let whole: Vec<usize> = (0..pts.len()).filter(|&i| core[i] && got[i] == l).collect();
                assert_eq!(&whole, comp, "round {round}: two components merged");
            }
            // A non-core event is in a hotspot exactly when a core event is within reach.
            let xy: Vec<_> = pts.iter().map(at_of).collect();
            for i in (0..pts.len()).filter(|&i| !core[i]) {
                let reach = (0..pts.len()).any(|j| core[j] && within(xy[i], xy[j], p));
                assert_eq!(got[i].is_some(), reach, "round {round}: border event {i}");
            }
        }
    }
}
