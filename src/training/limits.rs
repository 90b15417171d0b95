//! What the trainers' forms accept beyond the type of a field: dates a trainer can mean, a
//! session's length, a unit's strength, the attendance of a session and the length of a text.
//! A year typed wrong (0001, 9999) would otherwise keep a plan in the way of every other
//! partner's for centuries, or count a unit as trained since the year 1; a text of 30,000
//! characters would make a page wider than any screen. Free of web and database types.

use chrono::{Datelike, NaiveDate};

/// The first year a date may be in.
pub const FIRST_YEAR: i32 = 2000;
/// How many years ahead a date may be.
pub const YEARS_AHEAD: i32 = 10;
/// The longest session, in days from its first to its last (a year's course).
pub const MAX_SESSION_DAYS: i64 = 366;
/// The largest strength of a unit (Mali's forces number some tens of thousands in all).
pub const MAX_STRENGTH: i64 = 100_000;
/// The longest text of a remediation action's issue, key action, lessons or a go-ahead
/// reason, in characters.
pub const MAX_TEXT: usize = 2_000;

/// Whether `d` is a date a trainer can mean: from [`FIRST_YEAR`] to [`YEARS_AHEAD`] years
/// after `today`.
pub fn plausible(d: NaiveDate, today: NaiveDate) -> bool {
    d.year() >= FIRST_YEAR && d.year() <= today.year() + YEARS_AHEAD
}

/// Whether a session from `from` to `to` (in order) is no longer than [`MAX_SESSION_DAYS`].
pub fn session_span_ok(from: NaiveDate, to: NaiveDate) -> bool {
    (to - from).num_days() <= MAX_SESSION_DAYS
}

/// The most participants a session for units of these strengths can have: their total, when
/// every unit's strength is known; none otherwise.
pub fn max_attendance(strengths: &[Option<i64>]) -> Option<i64> {
    strengths.iter().try_fold(0i64, |sum, s| s.map(|s| sum.saturating_add(s)))
}

/// Whether a text is short enough (counted in characters, not bytes).
pub fn text_ok(s: &str) -> bool {
    s.chars().count() <= MAX_TEXT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_from_2000_to_ten_years_ahead() {
        let today = d("2026-12-01");
        assert!(plausible(d("2000-01-01"), today));
        assert!(plausible(d("2036-12-31"), today));
        assert!(!plausible(d("1999-12-31"), today));
        assert!(!plausible(d("2037-01-01"), today));
        assert!(!plausible(NaiveDate::MIN, today) && !plausible(d("0001-01-01"), today));
        assert!(!plausible(d("9999-12-31"), today));
    }

    #[test]
    fn a_session_lasts_a_year_at_most() {
        assert!(session_span_ok(d("2027-01-01"), d("2027-01-01")));
        assert!(session_span_ok(d("2028-01-01"), d("2029-01-01")));
        assert!(!session_span_ok(d("2027-01-01"), d("2028-01-03")));
    }

    #[test]
    fn attendance_is_bounded_by_the_known_strengths() {
        assert_eq!(max_attendance(&[Some(120), Some(80)]), Some(200));
        assert_eq!(max_attendance(&[Some(120), None]), None);
        assert_eq!(max_attendance(&[]), Some(0));
        assert_eq!(max_attendance(&[Some(i64::MAX), Some(1)]), Some(i64::MAX));
    }

    #[test]
    fn texts_are_counted_in_characters() {
        assert!(text_ok(&"é".repeat(MAX_TEXT)));
        assert!(!text_ok(&"a".repeat(MAX_TEXT + 1)));
    }
}
