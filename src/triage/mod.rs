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

/// Why an allegation went where it did, in words for the officer (issue 10, item 16): the rule
/// and its legal basis in the page's language, or the intake officer's written reason for an
/// override; never the rule engine's trace.
pub fn routing_basis(
    rules: &[crate::routing::Rule],
    a: &model::Allegation,
    catalog: &crate::i18n::Catalog,
    lang: &str,
) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    if let Some(reason) = &a.override_reason {
        args.set("reason", reason.clone());
        return catalog.message(lang, "triage-basis-override", Some(&args));
    }
    match a.routing_rule_id.and_then(|id| rules.iter().find(|r| r.id == id)) {
        Some(rule) => {
            args.set("name", rule.name.clone());
            args.set(
                "basis",
                if lang == "en" { rule.legal_basis_en.clone() } else { rule.legal_basis_fr.clone() },
            );
            catalog.message(lang, "triage-basis-rule", Some(&args))
        }
        None => String::new(),
    }
}
