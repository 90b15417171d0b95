//! Duplicate candidates: other reports and events that may describe the same incident, scored
//! and explained. Near in space (within the configured distance when both have a point, else
//! the same or an adjacent cercle), near in time (within the window), and sharing a violation
//! type or the force. Free of web and database types.

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
    pub occurred_on: NaiveDate,
    pub violation_types: Vec<i32>,
    pub forces: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    Distance { km: f64 },
    SameCercle,
    AdjacentCercle,
    DaysApart { days: i64 },
    SharedViolations { count: usize },
    SameForce,
}

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

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
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
            1.0 - km / p.distance_km
        }
        _ => match (&subject.cercle, &c.cercle) {
            (Some(a), Some(b)) if a == b => {
                reasons.push(Reason::SameCercle);
                0.6
            }
            (Some(a), Some(b)) if adjacent(a, b) => {
                reasons.push(Reason::AdjacentCercle);
                0.3
            }
            _ => return None,
        },
    };
    let shared = c.violation_types.iter().filter(|v| subject.violation_types.contains(v)).count();
    let same_force = c.forces.iter().any(|f| subject.forces.contains(f));
    if shared == 0 && !same_force {
        return None;
    }
    reasons.push(Reason::DaysApart { days });
    let time = 1.0 - days as f64 / (p.window_days as f64 + 1.0);
    let union = subject.violation_types.len() + c.violation_types.len() - shared;
    let overlap = if union == 0 { 0.0 } else { shared as f64 / union as f64 };
    if shared > 0 {
        reasons.push(Reason::SharedViolations { count: shared });
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
            occurred_on: d(on),
            violation_types: v.to_vec(),
            forces: f.to_vec(),
        }
    }

    const P: Params = Params { distance_km: 25.0, window_days: 3 };

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
}
