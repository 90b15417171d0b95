//! The gap rule: for one unit and one module, the allegations (at the chosen evidence
//! threshold) of the violation types the module teaches against, and the sessions that
//! delivered the module to the unit. A pattern is a count at or over `min_count`.
//! - never delivered (before the end of the period) and a pattern → **never trained** (a gap);
//! - delivered, and a pattern after the last delivery → **trained, continuing** (a gap);
//! - delivered, and no pattern since → **trained**;
//! - never delivered and no pattern → nothing to say.
//!
//! Allegations are counted by month (trainers never see a finer date): those of the month of
//! the last delivery count before it, since Vigie does not tell the trainers which came first.
//!
//! Free of web and database types.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    NeverTrained,
    TrainedContinuing,
    Trained,
    NoPattern,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NeverTrained => "never_trained",
            Standing::TrainedContinuing => "trained_continuing",
            Standing::Trained => "trained",
            Standing::NoPattern => "no_pattern",
        }
    }

    pub fn is_gap(self) -> bool {
        matches!(self, Standing::NeverTrained | Standing::TrainedContinuing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub standing: Standing,
    /// Allegations in the period.
    pub count: usize,
    /// Allegations after the last delivery (0 when never delivered).
    pub since_delivery: usize,
    /// The last delivery on or before the end of the period.
    pub last_delivery: Option<NaiveDate>,
}

/// Judges one unit × module. `incidents` are the allegations in the period by month (its
/// first day, count); `deliveries` the last days of the sessions that delivered the module to
/// the unit.
pub fn judge(
    incidents: &[(NaiveDate, usize)],
    deliveries: &[NaiveDate],
    period_end: NaiveDate,
    min_count: usize,
) -> Judgement {
    let min_count = min_count.max(1);
    let count = incidents.iter().map(|i| i.1).sum();
    let last_delivery = deliveries.iter().copied().filter(|d| *d <= period_end).max();
    let since_delivery = match last_delivery {
        Some(d) => {
            let month = (d.year(), d.month());
            incidents.iter().filter(|i| (i.0.year(), i.0.month()) > month).map(|i| i.1).sum()
        }
        None => 0,
    };
    let standing = match last_delivery {
        None if count >= min_count => Standing::NeverTrained,
        None => Standing::NoPattern,
        Some(_) if since_delivery >= min_count => Standing::TrainedContinuing,
        Some(_) => Standing::Trained,
    };
    Judgement { standing, count, since_delivery, last_delivery }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// One allegation in the month of each date.
    fn m(days: &[NaiveDate]) -> Vec<(NaiveDate, usize)> {
        days.iter().map(|x| (x.with_day(1).unwrap(), 1)).collect()
    }

    #[test]
    fn a_pattern_never_trained_is_a_gap() {
        let inc = [d("2026-01-10"), d("2026-02-03"), d("2026-03-20")];
        let j = judge(&m(&inc), &[], d("2026-06-30"), 3);
        assert_eq!(j.standing, Standing::NeverTrained);
        assert_eq!((j.count, j.since_delivery, j.last_delivery), (3, 0, None));
        assert!(j.standing.is_gap());
        // Under the count: nothing to say.
        assert_eq!(judge(&m(&inc[..2]), &[], d("2026-06-30"), 3).standing, Standing::NoPattern);
        // At or over: a count of exactly min_count is a pattern.
        assert_eq!(judge(&m(&inc), &[], d("2026-06-30"), 2).standing, Standing::NeverTrained);
    }

    #[test]
    fn a_delivery_turns_it_into_trained_and_later_incidents_into_trained_continuing() {
        let before = [d("2026-01-10"), d("2026-02-03"), d("2026-03-20")];
        let j = judge(&m(&before), &[d("2026-04-01")], d("2026-12-31"), 3);
        assert_eq!(j.standing, Standing::Trained);
        assert_eq!((j.count, j.since_delivery), (3, 0));
        assert!(!j.standing.is_gap());
        let mut after = before.to_vec();
        after.extend([d("2026-05-02"), d("2026-06-15")]);
        assert_eq!(
            judge(&m(&after), &[d("2026-04-01")], d("2026-12-31"), 3).standing,
            Standing::Trained,
            "2 since"
        );
        after.push(d("2026-07-01"));
        let j = judge(&m(&after), &[d("2026-04-01")], d("2026-12-31"), 3);
        assert_eq!(j.standing, Standing::TrainedContinuing);
        assert_eq!((j.count, j.since_delivery, j.last_delivery), (6, 3, Some(d("2026-04-01"))));
        // Allegations in the month of delivery count before it (months only).
        let same_month = [(d("2026-04-01"), 3)];
        assert_eq!(judge(&same_month, &[d("2026-04-20")], d("2026-12-31"), 3).standing, Standing::Trained);
        // Counts per month add up.
        let j = judge(&[(d("2026-01-01"), 2), (d("2026-05-01"), 4)], &[d("2026-04-20")], d("2026-12-31"), 3);
        assert_eq!((j.count, j.since_delivery, j.standing), (6, 4, Standing::TrainedContinuing));
    }

    #[test]
    fn the_last_delivery_counts_and_deliveries_after_the_period_do_not() {
        let inc = [d("2026-01-10"), d("2026-02-03"), d("2026-03-20")];
        let j = judge(&m(&inc), &[d("2025-06-01"), d("2026-02-10")], d("2026-06-30"), 1);
        assert_eq!(j.last_delivery, Some(d("2026-02-10")));
        assert_eq!((j.since_delivery, j.standing), (1, Standing::TrainedContinuing));
        let j = judge(&m(&inc), &[d("2026-09-01")], d("2026-06-30"), 3);
        assert_eq!(j.standing, Standing::NeverTrained, "a later delivery is outside the period");
    }
}
