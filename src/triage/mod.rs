//! Triage, for intake officers: the queue of new reports, a report with its duplicate
//! candidates, admissibility, events (a report opens one or joins one; reports are never
//! changed), allegations, and routing them to the competent bodies, which opens their cases.

pub mod duplicates;
pub mod model;
mod routes;

pub use routes::routes;

use crate::accounts::{CurrentUser, Role};
use model::Scope;

/// Which reports a signed-in person may read, or None.
pub fn scope_of(user: &CurrentUser) -> Option<Scope> {
    match user.role {
        Role::Intake | Role::Auditor => Some(Scope::All),
        Role::Investigator | Role::Ombudsman => user.user.institution_id.map(Scope::Institution),
        _ => None,
    }
}
