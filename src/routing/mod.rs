//! Routing: which body receives each allegation (CNDH, Médiateur, public prosecutor, military
//! justice). The rules are data, ordered, editable by admins (`/staff/admin/routing`); the
//! decision records the rule that fired and why. The logic is in `rules.rs`.

pub mod model;
mod routes;
pub mod rules;

pub use routes::routes;
pub use rules::{decide, Condition, Decision, Facts, RoutingFact, Rule};
