//! The case workflow of DOMAIN.md as a state machine: which transitions are allowed, which
//! need a written reason, and which public status a reporter sees. Free of web and database
//! types.
//!
//! ```text
//! received → acknowledged → triage → assigned → investigation → findings
//!     │            │           │                                  │
//!     └────────────┴───────────┴→ inadmissible | duplicate | out_of_scope   findings → closed
//! findings → recommendation_sent → awaiting_response → response_received → follow_up → closed
//! any open state → suspended → reopened;  closed | inadmissible | duplicate | out_of_scope → reopened
//! reopened → triage | assigned | investigation
//! ```

pub use crate::events::PublicStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Received,
    Acknowledged,
    Triage,
    Inadmissible,
    Duplicate,
    OutOfScope,
    Assigned,
    Investigation,
    Findings,
    RecommendationSent,
    AwaitingResponse,
    ResponseReceived,
    FollowUp,
    Closed,
    Suspended,
    Reopened,
}

use Status::*;

impl Status {
    pub const ALL: [Status; 16] = [
        Received,
        Acknowledged,
        Triage,
        Inadmissible,
        Duplicate,
        OutOfScope,
        Assigned,
        Investigation,
        Findings,
        RecommendationSent,
        AwaitingResponse,
        ResponseReceived,
        FollowUp,
        Closed,
        Suspended,
        Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Received => "received",
            Acknowledged => "acknowledged",
            Triage => "triage",
            Inadmissible => "inadmissible",
            Duplicate => "duplicate",
            OutOfScope => "out_of_scope",
            Assigned => "assigned",
            Investigation => "investigation",
            Findings => "findings",
            RecommendationSent => "recommendation_sent",
            AwaitingResponse => "awaiting_response",
            ResponseReceived => "response_received",
            FollowUp => "follow_up",
            Closed => "closed",
            Suspended => "suspended",
            Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// States in which the case is finished (until reopened).
    pub fn is_terminal(self) -> bool {
        matches!(self, Closed | Inadmissible | Duplicate | OutOfScope)
    }

    /// Whether a case at this step, left without allegations by rerouting, is withdrawn (taken
    /// away, and its institution's access with it) when nothing was done on it beyond the
    /// routine steps: before any investigation.
    pub fn may_be_withdrawn(self) -> bool {
        matches!(self, Received | Acknowledged | Triage | Assigned)
    }

    /// What the reporter sees (the report's public status).
    pub fn public(self) -> PublicStatus {
        match self {
            Received | Acknowledged => PublicStatus::Forwarded,
            Triage => PublicStatus::UnderReview,
            Inadmissible | Duplicate | OutOfScope | Closed => PublicStatus::Closed,
            Assigned => PublicStatus::Forwarded,
            _ => PublicStatus::Investigation,
        }
    }

    /// The states this one may move to.
    pub fn next(self) -> &'static [Status] {
        match self {
            Received => &[Acknowledged, Inadmissible, Duplicate, OutOfScope],
            Acknowledged => &[Triage, Inadmissible, Duplicate, OutOfScope],
            Triage => &[Assigned, Inadmissible, Duplicate, OutOfScope, Suspended],
            Assigned => &[Investigation, Suspended],
            Investigation => &[Findings, Suspended],
            Findings => &[RecommendationSent, Closed, Suspended],
            RecommendationSent => &[AwaitingResponse],
            AwaitingResponse => &[ResponseReceived, Suspended],
            ResponseReceived => &[FollowUp, Closed],
            FollowUp => &[Closed],
            Suspended => &[Reopened],
            Closed | Inadmissible | Duplicate | OutOfScope => &[Reopened],
            Reopened => &[Triage, Assigned, Investigation],
        }
    }

    /// The step that follows this one by itself: the only way on, when it needs neither a
    /// reason nor a choice (a recommendation once sent awaits its response).
    pub fn automatic_next(self) -> Option<Status> {
        match self.next() {
            [only] if !only.needs_reason() && *only != Assigned => Some(*only),
            _ => None,
        }
    }

    /// The step a recorded recommendation moves the case to, from this one, if any.
    pub fn on_recommendation(self) -> Option<Status> {
        (self == Findings).then_some(RecommendationSent)
    }

    /// Whether a recommendation may be sent at this step: from findings on, until the case is
    /// finished (one was accepted on a closed case, or before any finding).
    pub fn takes_recommendations(self) -> bool {
        matches!(self, Findings | RecommendationSent | AwaitingResponse | ResponseReceived | FollowUp)
    }

    /// Whether findings and responses may still be recorded: not on a finished or suspended
    /// case.
    pub fn takes_work(self) -> bool {
        !self.is_terminal() && self != Suspended
    }

    /// The step a recorded authority's response moves the case to, from this one, if any.
    pub fn on_response(self) -> Option<Status> {
        matches!(self, RecommendationSent | AwaitingResponse).then_some(ResponseReceived)
    }

    /// Transitions into these states must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Inadmissible | Duplicate | OutOfScope | Closed | Suspended | Reopened)
    }
}

/// Why a transition was refused; each is also a translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    ReasonRequired,
    AssigneeRequired,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "case-err-transition",
            Refusal::ReasonRequired => "case-err-reason",
            Refusal::AssigneeRequired => "case-err-assignee",
        }
    }
}

/// Checks a transition; `assigned` says whether the case has an assignee.
pub fn check(from: Status, to: Status, reason: &str, assigned: bool) -> Result<(), Refusal> {
    if !from.next().contains(&to) {
        return Err(Refusal::NotAllowed);
    }
    if to.needs_reason() && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    if to == Assigned && !assigned {
        return Err(Refusal::AssigneeRequired);
    }
    Ok(())
}

/// The public status of a report from the statuses of its event's cases: closed when every
/// case is finished, under investigation when any is, forwarded otherwise.
pub fn public_of(cases: &[Status]) -> Option<PublicStatus> {
    if cases.is_empty() {
        return None;
    }
    if cases.iter().all(|c| c.is_terminal()) {
        return Some(PublicStatus::Closed);
    }
    if cases.iter().any(|c| c.public() == PublicStatus::Investigation) {
        return Some(PublicStatus::Investigation);
    }
    if cases.iter().all(|c| c.public() == PublicStatus::UnderReview || c.is_terminal()) {
        return Some(PublicStatus::UnderReview);
    }
    Some(PublicStatus::Forwarded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_from_findings_on_and_no_work_on_a_finished_case() {
        for st in Status::ALL {
            let rec =
                matches!(st, Findings | RecommendationSent | AwaitingResponse | ResponseReceived | FollowUp);
            assert_eq!(st.takes_recommendations(), rec, "{}", st.as_str());
            assert_eq!(
                st.takes_work(),
                !matches!(st, Closed | Inadmissible | Duplicate | OutOfScope | Suspended)
            );
        }
    }

    #[test]
    fn every_allowed_transition_passes() {
        for from in Status::ALL {
            for &to in from.next() {
                assert_eq!(check(from, to, "parce que", true), Ok(()), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn every_other_transition_is_refused_with_a_clear_reason() {
        let mut refused = 0;
        for from in Status::ALL {
            for to in Status::ALL {
                if !from.next().contains(&to) {
                    assert_eq!(check(from, to, "x", true), Err(Refusal::NotAllowed), "{from:?} → {to:?}");
                    refused += 1;
                }
            }
        }
        assert!(refused > 200);
        assert_eq!(check(Received, Closed, "x", true), Err(Refusal::NotAllowed));
        assert_eq!(check(Closed, Investigation, "x", true), Err(Refusal::NotAllowed));
    }

    #[test]
    fn reasons_and_assignees_are_required_where_it_matters() {
        assert_eq!(check(Findings, Closed, " ", true), Err(Refusal::ReasonRequired));
        assert_eq!(check(Received, Inadmissible, "", true), Err(Refusal::ReasonRequired));
        assert_eq!(check(Closed, Reopened, "", true), Err(Refusal::ReasonRequired));
        assert_eq!(check(Triage, Assigned, "", false), Err(Refusal::AssigneeRequired));
        assert_eq!(check(Triage, Assigned, "", true), Ok(()));
        assert_eq!(check(Assigned, Investigation, "", true), Ok(()));
    }

    #[test]
    fn the_full_path_reaches_closure_and_can_reopen() {
        let path = [
            Received,
            Acknowledged,
            Triage,
            Assigned,
            Investigation,
            Findings,
            RecommendationSent,
            AwaitingResponse,
            ResponseReceived,
            FollowUp,
            Closed,
            Reopened,
            Investigation,
        ];
        for w in path.windows(2) {
            assert_eq!(check(w[0], w[1], "r", true), Ok(()), "{:?} → {:?}", w[0], w[1]);
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn only_one_option_steps_happen_by_themselves() {
        let auto: Vec<(Status, Status)> =
            Status::ALL.into_iter().filter_map(|s| s.automatic_next().map(|n| (s, n))).collect();
        assert_eq!(auto, vec![(RecommendationSent, AwaitingResponse)]);
        assert_eq!(Findings.on_recommendation(), Some(RecommendationSent));
        assert_eq!(Investigation.on_recommendation(), None);
        assert_eq!(AwaitingResponse.on_response(), Some(ResponseReceived));
        assert!(AwaitingResponse.next().contains(&ResponseReceived));
        assert_eq!(Closed.on_response(), None);
    }

    #[test]
    fn public_status_follows_the_cases() {
        assert_eq!(public_of(&[]), None);
        assert_eq!(public_of(&[Received, Acknowledged]), Some(PublicStatus::Forwarded));
        assert_eq!(public_of(&[Received, Investigation]), Some(PublicStatus::Investigation));
        assert_eq!(public_of(&[Closed, Inadmissible]), Some(PublicStatus::Closed));
        assert_eq!(public_of(&[Closed, FollowUp]), Some(PublicStatus::Investigation));
        assert_eq!(public_of(&[Triage]), Some(PublicStatus::UnderReview));
    }

    #[test]
    fn an_emptied_case_is_withdrawn_only_before_its_investigation_and_can_always_be_finished_then() {
        let withdrawable: Vec<Status> = Status::ALL.into_iter().filter(|s| s.may_be_withdrawn()).collect();
        assert_eq!(withdrawable, vec![Received, Acknowledged, Triage, Assigned]);
        // A worked case at a withdrawable step can be finished or suspended.
        for s in withdrawable {
            assert!(s.next().contains(&OutOfScope) || s.next().contains(&Suspended), "{s:?}");
        }
    }
}
