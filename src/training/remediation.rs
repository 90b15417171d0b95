//! The remediation action's life as a state machine, like the case workflow:
//!
//! ```text
//! gap_identified → module_assigned → planned → delivered → evaluated → reviewed → closed
//! planned → module_assigned (the session fell through; reason required)
//! any open state → escalated (reason required)
//! ```
//! `closed` and `escalated` are final. Free of web and database types.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    GapIdentified,
    ModuleAssigned,
    Planned,
    Delivered,
    Evaluated,
    Reviewed,
    Closed,
    Escalated,
}

use Step::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    ReasonRequired,
}

impl Refusal {
    /// The translation key of the message shown next to the field at fault.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "remediation-err-move",
            Refusal::ReasonRequired => "remediation-err-reason",
        }
    }
}

impl Step {
    pub const ALL: [Step; 8] =
        [GapIdentified, ModuleAssigned, Planned, Delivered, Evaluated, Reviewed, Closed, Escalated];

    pub fn as_str(self) -> &'static str {
        match self {
            GapIdentified => "gap_identified",
            ModuleAssigned => "module_assigned",
            Planned => "planned",
            Delivered => "delivered",
            Evaluated => "evaluated",
            Reviewed => "reviewed",
            Closed => "closed",
            Escalated => "escalated",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Closed | Escalated)
    }

    /// The steps reachable from this one.
    pub fn next(self) -> Vec<Step> {
        let forward = match self {
            GapIdentified => Some(ModuleAssigned),
            ModuleAssigned => Some(Planned),
            Planned => Some(Delivered),
            Delivered => Some(Evaluated),
            Evaluated => Some(Reviewed),
            Reviewed => Some(Closed),
            Closed | Escalated => None,
        };
        let mut out: Vec<Step> = forward.into_iter().collect();
        if self == Planned {
            out.push(ModuleAssigned);
        }
        if !self.is_final() {
            out.push(Escalated);
        }
        out
    }

    /// Whether reaching `to` from here needs a written reason.
    pub fn needs_reason(self, to: Step) -> bool {
        to == Escalated || (self == Planned && to == ModuleAssigned)
    }
}

/// Checks a move: allowed, and with its reason when one is needed.
pub fn check(from: Step, to: Step, reason: &str) -> Result<(), Refusal> {
    if !from.next().contains(&to) {
        return Err(Refusal::NotAllowed);
    }
    if from.needs_reason(to) && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (from, to) pair: the allowed ones listed here, every other refused.
    #[test]
    fn every_allowed_and_refused_move() {
        let allowed: &[(Step, Step)] = &[
            (GapIdentified, ModuleAssigned),
            (ModuleAssigned, Planned),
            (Planned, Delivered),
            (Planned, ModuleAssigned),
            (Delivered, Evaluated),
            (Evaluated, Reviewed),
            (Reviewed, Closed),
            (GapIdentified, Escalated),
            (ModuleAssigned, Escalated),
            (Planned, Escalated),
            (Delivered, Escalated),
            (Evaluated, Escalated),
            (Reviewed, Escalated),
        ];
        let mut checked = 0;
        for from in Step::ALL {
            for to in Step::ALL {
                let ok = allowed.contains(&(from, to));
                let got = check(from, to, "un motif écrit");
                assert_eq!(got.is_ok(), ok, "{} → {}", from.as_str(), to.as_str());
                if !ok {
                    assert_eq!(got, Err(Refusal::NotAllowed));
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 64);
    }

    #[test]
    fn escalating_and_stepping_back_need_a_reason() {
        assert_eq!(check(Evaluated, Escalated, " "), Err(Refusal::ReasonRequired));
        assert_eq!(check(Planned, ModuleAssigned, ""), Err(Refusal::ReasonRequired));
        assert_eq!(check(Planned, Delivered, ""), Ok(()));
        assert_eq!(check(Reviewed, Closed, ""), Ok(()));
    }

    #[test]
    fn final_steps_go_nowhere_and_names_round_trip() {
        assert!(Closed.next().is_empty() && Escalated.next().is_empty());
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(Step::parse("done"), None);
    }
}
