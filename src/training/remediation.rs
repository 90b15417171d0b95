//! The remediation action's life as a state machine, like the case workflow:
//!
//! ```text
//! gap_identified → module_assigned → planned → delivered → evaluated → reviewed → closed
//! planned → module_assigned (the session fell through; reason required)
//! any open state → escalated (reason required)
//! ```
//! `closed` and `escalated` are final. A step forward needs what it stands for: a module from
//! "module assigned" on, a session from "planned" on, and that session delivered from
//! "delivered" on. Free of web and database types.

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
    ModuleRequired,
    SessionRequired,
    DeliveryRequired,
    /// "Reviewed" before the action's review date has come (or without one): the effect is
    /// judged at review, on the months after delivery (found in review, session 21: an action
    /// could be reviewed the day after delivery, when every verdict is "too few data").
    ReviewNotDue,
}

/// What the action holds when it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub module: bool,
    pub session: bool,
    /// Its session is delivered.
    pub delivered: bool,
    /// Its review date is set and has come.
    pub review_due: bool,
}

impl Held {
    /// A module, and a delivered session.
    /// A module, a delivered session, and a review date that has come.
    pub const ALL: Held = Held { module: true, session: true, delivered: true, review_due: true };
}

impl Refusal {
    /// The translation key of the message shown next to the field at fault.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "remediation-err-move",
            Refusal::ReasonRequired => "remediation-err-reason",
            Refusal::ModuleRequired => "remediation-err-module",
            Refusal::SessionRequired => "remediation-err-session",
            Refusal::DeliveryRequired => "remediation-err-delivery",
            Refusal::ReviewNotDue => "remediation-err-review-due",
        }
    }

    /// The form field the refusal is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::ReasonRequired => "reason",
            _ => "to",
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

/// Checks a move: allowed, with its reason when one is needed, and with what the step it
/// reaches stands for (stepping back, escalating and closing need nothing more).
pub fn check(from: Step, to: Step, reason: &str, held: Held) -> Result<(), Refusal> {
    if !from.next().contains(&to) {
        return Err(Refusal::NotAllowed);
    }
    if from.needs_reason(to) && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    let back_or_out = matches!(to, Closed | Escalated) || (from == Planned && to == ModuleAssigned);
    if !back_or_out {
        if !held.module {
            return Err(Refusal::ModuleRequired);
        }
        if matches!(to, Planned | Delivered | Evaluated | Reviewed) && !held.session {
            return Err(Refusal::SessionRequired);
        }
        if matches!(to, Delivered | Evaluated | Reviewed) && !held.delivered {
            return Err(Refusal::DeliveryRequired);
        }
        if to == Reviewed && !held.review_due {
            return Err(Refusal::ReviewNotDue);
        }
    }
    Ok(())
}

/// Why a change to an action's module or session (the lessons form), or a key action, is
/// refused at its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Closed or escalated: the action no longer changes.
    Final,
    Module,
    Session,
    Delivered,
}

impl Keep {
    pub fn key(self) -> &'static str {
        match self {
            Keep::Final => "remediation-err-final",
            Keep::Module => "remediation-err-keep-module",
            Keep::Session => "remediation-err-keep-session",
            Keep::Delivered => "remediation-err-keep-delivered",
        }
    }

    /// The form field the refusal is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            Keep::Final | Keep::Module => "module",
            Keep::Session | Keep::Delivered => "session",
        }
    }
}

/// Whether an action at `step` may hold `held` after a change: what reaching the step needed
/// stays (a module from "module assigned" on, a session from "planned" on, a delivered one
/// from "delivered" on; a session that falls through is a step back, with its reason), and a
/// closed or escalated action changes no more.
pub fn keeps(step: Step, held: Held) -> Result<(), Keep> {
    if step.is_final() {
        return Err(Keep::Final);
    }
    if step != GapIdentified && !held.module {
        return Err(Keep::Module);
    }
    if matches!(step, Planned | Delivered | Evaluated | Reviewed) && !held.session {
        return Err(Keep::Session);
    }
    if matches!(step, Delivered | Evaluated | Reviewed) && !held.delivered {
        return Err(Keep::Delivered);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_keeps_what_the_step_needs_and_final_actions_do_not_change() {
        let none = Held { module: false, session: false, delivered: false, review_due: false };
        let module = Held { module: true, ..none };
        let planned = Held { session: true, ..module };
        assert_eq!(keeps(GapIdentified, none), Ok(()));
        assert_eq!(keeps(ModuleAssigned, none), Err(Keep::Module));
        assert_eq!(keeps(ModuleAssigned, module), Ok(()));
        assert_eq!(keeps(Planned, module), Err(Keep::Session));
        assert_eq!(keeps(Planned, planned), Ok(()));
        for step in [Delivered, Evaluated, Reviewed] {
            assert_eq!(keeps(step, planned), Err(Keep::Delivered));
            assert_eq!(keeps(step, Held::ALL), Ok(()));
            assert_eq!(keeps(step, none), Err(Keep::Module));
        }
        for step in [Closed, Escalated] {
            assert_eq!(keeps(step, Held::ALL), Err(Keep::Final));
        }
        // Every step a move can reach with what it needs is kept with the same.
        for from in Step::ALL {
            for to in from.next() {
                if check(from, to, "motif", Held::ALL).is_ok() && !to.is_final() {
                    assert_eq!(keeps(to, Held::ALL), Ok(()), "{}", to.as_str());
                }
            }
        }
    }

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
                let got = check(from, to, "un motif écrit", Held::ALL);
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
        assert_eq!(check(Evaluated, Escalated, " ", Held::ALL), Err(Refusal::ReasonRequired));
        assert_eq!(check(Planned, ModuleAssigned, "", Held::ALL), Err(Refusal::ReasonRequired));
        assert_eq!(check(Planned, Delivered, "", Held::ALL), Ok(()));
        assert_eq!(check(Reviewed, Closed, "", Held::ALL), Ok(()));
    }

    #[test]
    fn a_step_forward_needs_its_module_session_and_delivery() {
        let none = Held { module: false, session: false, delivered: false, review_due: false };
        let module = Held { module: true, ..none };
        let planned = Held { session: true, ..module };
        assert_eq!(check(GapIdentified, ModuleAssigned, "", none), Err(Refusal::ModuleRequired));
        assert_eq!(check(GapIdentified, ModuleAssigned, "", module), Ok(()));
        assert_eq!(check(ModuleAssigned, Planned, "", none), Err(Refusal::ModuleRequired));
        assert_eq!(check(ModuleAssigned, Planned, "", module), Err(Refusal::SessionRequired));
        assert_eq!(check(ModuleAssigned, Planned, "", planned), Ok(()));
        assert_eq!(check(Planned, Delivered, "", planned), Err(Refusal::DeliveryRequired));
        assert_eq!(check(Delivered, Evaluated, "", planned), Err(Refusal::DeliveryRequired));
        assert_eq!(check(Evaluated, Reviewed, "", module), Err(Refusal::SessionRequired));
        let delivered = Held { delivered: true, ..planned };
        assert_eq!(check(Delivered, Evaluated, "", delivered), Ok(()), "evaluated before the review date");
        assert_eq!(check(Evaluated, Reviewed, "", delivered), Err(Refusal::ReviewNotDue));
        assert_eq!(check(Evaluated, Reviewed, "", Held { review_due: true, ..delivered }), Ok(()));
        assert_eq!(check(Evaluated, Escalated, "sans effet", delivered), Ok(()), "escalated at any time");
        // Stepping back, escalating and closing need none of it.
        assert_eq!(check(Planned, ModuleAssigned, "la session est annulée", none), Ok(()));
        assert_eq!(check(GapIdentified, Escalated, "aucun partenaire", none), Ok(()));
        assert_eq!(check(Reviewed, Closed, "", none), Ok(()));
        // A move not allowed is refused as such, whatever is held.
        assert_eq!(check(GapIdentified, Planned, "", none), Err(Refusal::NotAllowed));
        for r in [
            Refusal::ModuleRequired,
            Refusal::SessionRequired,
            Refusal::DeliveryRequired,
            Refusal::ReviewNotDue,
        ] {
            assert_eq!(r.field(), "to");
        }
        assert_eq!(Refusal::ReasonRequired.field(), "reason");
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
