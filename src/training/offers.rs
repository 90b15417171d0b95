//! Duplicate training offers: a session planned by one partner for a module and a unit, when
//! another partner has one planned, confirmed or delivered for the same module and unit within
//! `window_days` (default 180) of it. Free of web and database types.

use chrono::NaiveDate;

/// What the check needs of a session.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: i32,
    pub partner_id: i32,
    /// planned, confirmed, delivered or cancelled.
    pub status: String,
    pub modules: Vec<i32>,
    pub units: Vec<i32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

pub const DEFAULT_WINDOW_DAYS: i64 = 180;

/// Days between two date ranges (0 when they overlap).
fn days_apart(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> i64 {
    if a.1 < b.0 {
        (b.0 - a.1).num_days()
    } else if b.1 < a.0 {
        (a.0 - b.1).num_days()
    } else {
        0
    }
}

/// The other partners' live offers that duplicate `plan`, with the shared (module, unit)
/// pairs, in the order given.
pub fn duplicates<'a>(
    plan: &Offer,
    others: &'a [Offer],
    window_days: i64,
) -> Vec<(&'a Offer, Vec<(i32, i32)>)> {
    others
        .iter()
        .filter(|o| o.id != plan.id && o.partner_id != plan.partner_id)
        .filter(|o| matches!(o.status.as_str(), "planned" | "confirmed" | "delivered"))
        .filter(|o| days_apart((plan.from, plan.to), (o.from, o.to)) <= window_days)
        .filter_map(|o| {
            let shared: Vec<(i32, i32)> = plan
                .modules
                .iter()
                .filter(|m| o.modules.contains(m))
                .flat_map(|m| plan.units.iter().filter(|u| o.units.contains(u)).map(move |u| (*m, *u)))
                .collect();
            (!shared.is_empty()).then_some((o, shared))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn offer(id: i32, partner: i32, status: &str, m: &[i32], u: &[i32], from: &str, to: &str) -> Offer {
        Offer {
            id,
            partner_id: partner,
            status: status.into(),
            modules: m.to_vec(),
            units: u.to_vec(),
            from: d(from),
            to: d(to),
        }
    }

    #[test]
    fn another_partners_offer_for_the_same_module_and_unit_within_the_window_is_a_duplicate() {
        let plan = offer(0, 1, "planned", &[10, 11], &[5, 6], "2026-06-01", "2026-06-05");
        let others = vec![
            offer(1, 2, "confirmed", &[11], &[6], "2026-09-01", "2026-09-03"), // 88 days after: yes
            offer(2, 2, "planned", &[10], &[7], "2026-06-01", "2026-06-05"),   // other unit: no
            offer(3, 2, "planned", &[12], &[5], "2026-06-01", "2026-06-05"),   // other module: no
            offer(4, 1, "planned", &[10], &[5], "2026-06-01", "2026-06-05"),   // same partner: no
            offer(5, 3, "cancelled", &[10], &[5], "2026-06-01", "2026-06-05"), // cancelled: no
            offer(6, 3, "delivered", &[10, 11], &[5, 6], "2025-12-03", "2025-12-03"), // 180 days before: yes
            offer(7, 3, "delivered", &[10], &[5], "2025-12-02", "2025-12-02"), // 181 days: no
        ];
        let found = duplicates(&plan, &others, DEFAULT_WINDOW_DAYS);
        let ids: Vec<i32> = found.iter().map(|f| f.0.id).collect();
        assert_eq!(ids, vec![1, 6]);
        assert_eq!(found[0].1, vec![(11, 6)]);
        assert_eq!(found[1].1, vec![(10, 5), (10, 6), (11, 5), (11, 6)]);
        // A narrower window keeps only the overlapping-in-time ones.
        let found = duplicates(&plan, &others, 30);
        assert!(found.is_empty(), "{:?}", found.iter().map(|f| f.0.id).collect::<Vec<_>>());
    }

    #[test]
    fn ranges_apart_count_from_the_nearest_ends() {
        assert_eq!(days_apart((d("2026-01-01"), d("2026-01-10")), (d("2026-01-05"), d("2026-02-01"))), 0);
        assert_eq!(days_apart((d("2026-01-01"), d("2026-01-10")), (d("2026-01-20"), d("2026-02-01"))), 10);
        assert_eq!(days_apart((d("2026-01-20"), d("2026-02-01")), (d("2026-01-01"), d("2026-01-10"))), 10);
    }
}

/// The moves of a session: planned → confirmed → delivered, and cancelled from either open
/// state.
pub fn session_move_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("planned", "confirmed")
            | ("confirmed", "delivered")
            | ("planned", "cancelled")
            | ("confirmed", "cancelled")
    )
}

#[cfg(test)]
mod moves {
    use super::session_move_allowed;

    #[test]
    fn every_allowed_and_refused_session_move() {
        let all = ["planned", "confirmed", "delivered", "cancelled"];
        let allowed = [
            ("planned", "confirmed"),
            ("confirmed", "delivered"),
            ("planned", "cancelled"),
            ("confirmed", "cancelled"),
        ];
        for from in all {
            for to in all {
                assert_eq!(session_move_allowed(from, to), allowed.contains(&(from, to)), "{from} → {to}");
            }
        }
    }
}
