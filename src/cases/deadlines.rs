//! Deadlines: which are near or passed for a case, so that each threshold is shown and
//! mailed once. Free of web and database types.

use chrono::NaiveDate;

use super::workflow::Status;

/// A deadline that needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `acknowledge`, `triage` or `response`.
    pub kind: &'static str,
    pub on: NaiveDate,
    /// `ahead`, `near` (within `NEAR_DAYS`) or `overdue`.
    pub threshold: &'static str,
}

pub const NEAR_DAYS: i64 = 2;

/// The deadlines of a case in `status` that are near or passed on `today`.
pub fn due(
    status: Status,
    acknowledge_by: Option<NaiveDate>,
    triage_by: Option<NaiveDate>,
    response_due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Due> {
    live(status, acknowledge_by, triage_by, response_due_on, today)
        .into_iter()
        .filter(|d| d.threshold != "ahead")
        .collect()
}

/// Every deadline that applies to a case in `status`, from the day it opens: `ahead`, `near`
/// or `overdue` (shown on the lists and the case page; only near and overdue ones are mailed).
pub fn live(
    status: Status,
    acknowledge_by: Option<NaiveDate>,
    triage_by: Option<NaiveDate>,
    response_due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Due> {
    let mut out = vec![];
    let mut check = |kind: &'static str, on: Option<NaiveDate>, live: bool| {
        let Some(on) = on else { return };
        if !live {
            return;
        }
        let left = (on - today).num_days();
        if left < 0 {
            out.push(Due { kind, on, threshold: "overdue" });
        } else if left <= NEAR_DAYS {
            out.push(Due { kind, on, threshold: "near" });
        } else {
            out.push(Due { kind, on, threshold: "ahead" });
        }
    };
    check("acknowledge", acknowledge_by, status == Status::Received);
    check("triage", triage_by, matches!(status, Status::Received | Status::Acknowledged | Status::Triage));
    check(
        "response",
        response_due_on,
        matches!(status, Status::RecommendationSent | Status::AwaitingResponse),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deadlines_are_near_then_overdue_and_only_while_they_apply() {
        let (ack, tri) = (Some(d("2026-06-08")), Some(d("2026-06-15")));
        assert!(due(Status::Received, ack, tri, None, d("2026-06-01")).is_empty());
        assert_eq!(due(Status::Received, ack, tri, None, d("2026-06-06"))[0].threshold, "near");
        let late = due(Status::Received, ack, tri, None, d("2026-06-14"));
        assert_eq!(late[0], Due { kind: "acknowledge", on: d("2026-06-08"), threshold: "overdue" });
        assert_eq!(late[1].threshold, "near");
        // Acknowledged: that deadline no longer applies.
        assert!(due(Status::Acknowledged, ack, tri, None, d("2026-06-10")).is_empty());
        let resp = Some(d("2026-09-01"));
        assert_eq!(due(Status::AwaitingResponse, ack, tri, resp, d("2026-09-02"))[0].kind, "response");
        assert!(due(Status::Closed, ack, tri, resp, d("2026-09-02")).is_empty());
        // From day one, every deadline that applies is shown.
        let all = live(Status::Received, ack, tri, None, d("2026-06-01"));
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|x| x.threshold == "ahead"));
    }
}
