//! Duplicate candidates: other reports and events that may describe the same incident, scored
//! and explained. Near in space (within the configured distance when both have a point, else
//! the same or an adjacent cercle, else, when one of them is known only by its region, the
//! same region), near in time (within the window), and sharing a violation type or the force
//! (a region-only match must share a violation type or group: the force alone is too weak
//! over a whole region). Free of web and database types.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Report,
    Event,
}

/// What is compared: the report under triage, or a candidate.
#[derive(Debug, Clone)]
pub struct Incident {
    pub kind: Kind,
    pub id: i32,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub cercle: Option<String>,
    pub region: Option<String>,
    pub occurred_on: NaiveDate,
    pub violation_types: Vec<i32>,
    /// The groups of `violation_types` (for region-only matches).
    pub groups: Vec<i32>,
    pub forces: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    Distance {
        km: f64,
    },
    SameCercle,
    AdjacentCercle,
    /// One of the two is known only by its region, and the region is the same.
    SameRegion,
    DaysApart {
        days: i64,
    },
    SharedViolations {
        count: usize,
    },
    /// No violation type in common, but one of the same group.
    SameGroup,
    SameForce,
}

/// The place part of a score: a point match is worth 0.2 to 1 (by distance), the same cercle 0.6, an
/// adjacent cercle 0.3, the same region (when one side has no cercle) 0.1, so a region-only
/// match always ranks below a point or cercle match that is otherwise alike.
pub const POINT_MIN: f64 = 0.2;
pub const SAME_CERCLE: f64 = 0.6;
pub const ADJACENT_CERCLE: f64 = 0.3;
pub const SAME_REGION: f64 = 0.1;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Scored {
    pub kind: Kind,
    pub id: i32,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub distance_km: f64,
    pub window_days: i64,
}

/// A latitude and longitude box holding every point within `km` of a centre (a little more,
/// never less): the candidates' points are filtered by it in the query, so a crowded week
/// elsewhere in the same cercles fills neither the candidate limit nor the scoring. Only a
/// prefilter: `score` still measures each distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl BBox {
    pub fn around(lat: f64, lon: f64, km: f64) -> BBox {
        // One degree of latitude is 111.19 km on the sphere `haversine_km` uses; a degree of
        // longitude shrinks with the cosine of the latitude, taken at the box's edge farthest
        // from the equator (where it is smallest), with a 1 % margin for the curvature.
        let km_per_degree = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
        let dlat = km / km_per_degree * 1.01;
        let far = (lat.abs() + dlat).min(89.0).to_radians();
        let dlon = (dlat / far.cos()).min(180.0);
        BBox { min_lat: lat - dlat, max_lat: lat + dlat, min_lon: lon - dlon, max_lon: lon + dlon }
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    EARTH_RADIUS_KM * 2.0 * a.sqrt().asin()
}

/// Scores one candidate, or None when it is not a plausible duplicate.
pub fn score(
    subject: &Incident,
    c: &Incident,
    p: Params,
    adjacent: &dyn Fn(&str, &str) -> bool,
) -> Option<Scored> {
    if c.kind == subject.kind && c.id == subject.id {
        return None;
    }
    let days = (c.occurred_on - subject.occurred_on).num_days().abs();
    if days > p.window_days {
        return None;
    }
    let mut reasons = vec![];
    let place = match (subject.lat, subject.lon, c.lat, c.lon) {
        (Some(a), Some(b), Some(x), Some(y)) => {
            let km = haversine_km(a, b, x, y);
            if km > p.distance_km {
                return None;
            }
            reasons.push(Reason::Distance { km: (km * 10.0).round() / 10.0 });
            POINT_MIN + (1.0 - POINT_MIN) * (1.0 - km / p.distance_km)
        }
        _ => match (&subject.cercle, &c.cercle) {
            (Some(a), Some(b)) if a == b => {
                reasons.push(Reason::SameCercle);
                SAME_CERCLE
            }
            (Some(a), Some(b)) if adjacent(a, b) => {
                reasons.push(Reason::AdjacentCercle);
                ADJACENT_CERCLE
            }
            (Some(_), Some(_)) => return None,
            // One side is known only by its region.
            _ => match (&subject.region, &c.region) {
                (Some(a), Some(b)) if a == b => {
                    reasons.push(Reason::SameRegion);
                    SAME_REGION
                }
                _ => return None,
            },
        },
    };
    let shared = c.violation_types.iter().filter(|v| subject.violation_types.contains(v)).count();
    let same_group = shared == 0 && c.groups.iter().any(|g| subject.groups.contains(g));
    let same_force = c.forces.iter().any(|f| subject.forces.contains(f));
    let region_only = reasons.first() == Some(&Reason::SameRegion);
    if region_only && shared == 0 && !same_group {
        return None;
    }
    if shared == 0 && !same_group && !same_force {
        return None;
    }
    reasons.push(Reason::DaysApart { days });
    let time = 1.0 - days as f64 / (p.window_days as f64 + 1.0);
    let union = subject.violation_types.len() + c.violation_types.len() - shared;
    let overlap = if union == 0 {
        0.0
    } else if same_group {
        0.2 / union as f64
    } else {
        shared as f64 / union as f64
    };
    if shared > 0 {
        reasons.push(Reason::SharedViolations { count: shared });
    }
    if same_group {
        reasons.push(Reason::SameGroup);
    }
    if same_force {
        reasons.push(Reason::SameForce);
    }
    let score = place + time + overlap + if same_force { 0.5 } else { 0.0 };
    Some(Scored { kind: c.kind, id: c.id, score: (score * 100.0).round() / 100.0, reasons })
}

/// The best `limit` candidates, best first.
pub fn rank(
    subject: &Incident,
    candidates: &[Incident],
    p: Params,
    adjacent: &dyn Fn(&str, &str) -> bool,
    limit: usize,
) -> Vec<Scored> {
    let mut out: Vec<Scored> = candidates.iter().filter_map(|c| score(subject, c, p, adjacent)).collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn inc(
        id: i32,
        lat: Option<f64>,
        lon: Option<f64>,
        cercle: &str,
        on: &str,
        v: &[i32],
        f: &[i32],
    ) -> Incident {
        Incident {
            kind: Kind::Report,
            id,
            lat,
            lon,
            cercle: Some(cercle.into()),
            region: Some(cercle[..5].into()),
            occurred_on: d(on),
            groups: v.iter().map(|t| t / 10).collect(),
            violation_types: v.to_vec(),
            forces: f.to_vec(),
        }
    }

    const P: Params = Params { distance_km: 25.0, window_days: 3 };

    #[test]
    fn the_box_holds_every_point_within_the_distance() {
        // Points at exactly the distance in every direction, from centres across Mali's
        // latitudes and a few beyond, for short and long distances.
        let mut outside = 0;
        for lat in [-30.0, 0.0, 10.2, 14.5, 17.0, 25.0, 45.0] {
            for km in [0.5, 5.0, 25.0, 100.0, 500.0] {
                let b = BBox::around(lat, -4.0, km);
                for step in 0..360 {
                    let bearing = (step as f64).to_radians();
                    let d = km / EARTH_RADIUS_KM;
                    let (p1, l1) = (lat.to_radians(), (-4.0f64).to_radians());
                    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * bearing.cos()).asin();
                    let l2 = l1 + (bearing.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
                    let (lat2, lon2) = (p2.to_degrees(), l2.to_degrees());
                    assert!((haversine_km(lat, -4.0, lat2, lon2) - km).abs() < 1e-6 * km.max(1.0));
                    if !b.contains(lat2, lon2) {
                        outside += 1;
                    }
                }
                // Not much bigger than needed: a point twice as far due east or north is out.
                assert!(!b.contains(lat + 2.0 * km / 111.19, -4.0));
                assert!(!b.contains(lat, -4.0 + 2.0 * km / (111.19 * lat.to_radians().cos())));
            }
        }
        assert_eq!(outside, 0);
    }

    fn adj(a: &str, b: &str) -> bool {
        matches!((a, b), ("ML.MO.MP", "ML.MO.BD") | ("ML.MO.BD", "ML.MO.MP"))
    }

    #[test]
    fn near_in_space_and_time_with_shared_violation_ranks_first_with_reasons() {
        let s = inc(1, Some(14.4843), Some(-4.1830), "ML.MO.MP", "2026-05-10", &[10, 11], &[3]);
        let close = inc(2, Some(14.50), Some(-4.20), "ML.MO.MP", "2026-05-11", &[10], &[3]);
        let farther = inc(3, Some(14.60), Some(-4.25), "ML.MO.MP", "2026-05-12", &[11], &[4]);
        let ranked = rank(&s, &[farther.clone(), close.clone()], P, &adj, 10);
        assert_eq!(ranked.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2, 3]);
        let r = &ranked[0];
        assert!(matches!(r.reasons[0], Reason::Distance { km } if km < 3.0), "{:?}", r.reasons);
        assert!(r.reasons.contains(&Reason::SameForce));
        assert!(r.reasons.contains(&Reason::SharedViolations { count: 1 }));
    }

    #[test]
    fn too_far_too_late_or_unrelated_is_no_candidate() {
        let s = inc(1, Some(14.4843), Some(-4.1830), "ML.MO.MP", "2026-05-10", &[10], &[3]);
        let far = inc(2, Some(16.27), Some(-0.04), "ML.GA.GA", "2026-05-10", &[10], &[3]);
        let late = inc(3, Some(14.49), Some(-4.18), "ML.MO.MP", "2026-05-20", &[10], &[3]);
        let unrelated = inc(4, Some(14.49), Some(-4.18), "ML.MO.MP", "2026-05-10", &[99], &[9]);
        assert!(rank(&s, &[far, late, unrelated, s.clone()], P, &adj, 10).is_empty());
    }

    #[test]
    fn without_points_the_same_or_an_adjacent_cercle_counts() {
        let s = inc(1, None, None, "ML.MO.MP", "2026-05-10", &[10], &[3]);
        let same = inc(2, None, None, "ML.MO.MP", "2026-05-10", &[10], &[]);
        let next_door = inc(3, None, None, "ML.MO.BD", "2026-05-10", &[10], &[]);
        let elsewhere = inc(4, None, None, "ML.KY.KY", "2026-05-10", &[10], &[3]);
        let r = rank(&s, &[elsewhere, next_door, same], P, &adj, 10);
        assert_eq!(r.iter().map(|x| x.id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(r[0].reasons[0], Reason::SameCercle);
        assert_eq!(r[1].reasons[0], Reason::AdjacentCercle);
        assert!((haversine_km(12.6392, -8.0029, 16.2717, -0.0447) - 950.0).abs() < 30.0);
    }

    /// A report known only by its region ("ML.MO").
    fn region_only(id: i32, region: &str, on: &str, v: &[i32], f: &[i32]) -> Incident {
        Incident { cercle: None, region: Some(region.into()), ..inc(id, None, None, "ML.XX.XX", on, v, f) }
    }

    #[test]
    fn a_region_only_report_gets_candidates_of_its_region_sharing_a_type_or_group() {
        let s = region_only(1, "ML.MO", "2026-05-10", &[10], &[3]);
        let point = inc(2, Some(14.5), Some(-4.2), "ML.MO.MP", "2026-05-11", &[10], &[3]);
        let other_region_only = region_only(3, "ML.MO", "2026-05-10", &[11], &[]);
        let force_only = inc(4, None, None, "ML.MO.BD", "2026-05-10", &[20], &[3]);
        let other_region = inc(5, None, None, "ML.KY.KY", "2026-05-10", &[10], &[3]);
        let too_late = inc(6, None, None, "ML.MO.MP", "2026-05-20", &[10], &[3]);
        let r = rank(&s, &[point, other_region_only, force_only, other_region, too_late], P, &adj, 10);
        // 2: region 0.1 + time 1 - 1/4 + overlap 1 + force 0.5 = 2.35;
        // 3: region 0.1 + time 1 + overlap 0.2/2 (same group 1, no shared type) = 1.2.
        assert_eq!(r.iter().map(|x| (x.id, x.score)).collect::<Vec<_>>(), vec![(2, 2.35), (3, 1.2)]);
        assert_eq!(r[0].reasons[0], Reason::SameRegion);
        assert!(r[1].reasons.contains(&Reason::SameGroup), "{:?}", r[1].reasons);
    }

    #[test]
    fn a_region_only_match_ranks_below_a_point_match_otherwise_alike() {
        let s = inc(1, Some(14.4843), Some(-4.1830), "ML.MO.MP", "2026-05-10", &[10], &[3]);
        // 24 km away: the weakest point match within 25 km.
        let point = inc(2, Some(14.70), Some(-4.18), "ML.MO.MP", "2026-05-10", &[10], &[3]);
        let region = region_only(3, "ML.MO", "2026-05-10", &[10], &[3]);
        let r = rank(&s, &[region, point], P, &adj, 10);
        assert_eq!(r.iter().map(|x| x.id).collect::<Vec<_>>(), vec![2, 3]);
        assert!(r[0].score > r[1].score);
    }

    #[test]
    fn the_configured_distance_is_honoured_beyond_25_km() {
        let s = inc(1, Some(14.4843), Some(-4.1830), "ML.MO.MP", "2026-05-10", &[10], &[3]);
        // About 78 km north, in a cercle that is not a neighbour.
        let far = inc(2, Some(15.19), Some(-4.18), "ML.TB.NI", "2026-05-10", &[10], &[3]);
        assert!(rank(&s, std::slice::from_ref(&far), P, &adj, 10).is_empty());
        let wide = Params { distance_km: 100.0, window_days: 3 };
        let r = rank(&s, &[far], wide, &adj, 10);
        assert!(matches!(r[0].reasons[0], Reason::Distance { km } if (km - 78.5).abs() < 1.0), "{:?}", r);
    }
}
