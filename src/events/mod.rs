//! Events and their allegations as staff read them, beside the reports they gather: who may
//! read a report (`scope_of`), and why an allegation went where it did (`routing_basis`).
//! Triage (which writes them) and cases (which read them) both sit above this module, so
//! neither imports the other's reads.

pub mod model;
pub mod views;

use crate::auth::{CurrentUser, Role};
use model::Scope;

/// Where a report stands at the intake desk: not yet decided, or the decision taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Admissibility {
    Pending,
    Admissible,
    Inadmissible,
    OutOfScope,
}

impl Admissibility {
    /// The decisions an intake officer can take.
    pub const DECISIONS: [Admissibility; 3] =
        [Admissibility::Admissible, Admissibility::Inadmissible, Admissibility::OutOfScope];

    pub fn as_str(self) -> &'static str {
        match self {
            Admissibility::Pending => "pending",
            Admissibility::Admissible => "admissible",
            Admissibility::Inadmissible => "inadmissible",
            Admissibility::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(s: &str) -> Option<Admissibility> {
        [
            Admissibility::Pending,
            Admissibility::Admissible,
            Admissibility::Inadmissible,
            Admissibility::OutOfScope,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    /// A refusal (inadmissible, out of scope) is written with its reason, which the reporter
    /// receives.
    pub fn needs_reason(self) -> bool {
        matches!(self, Admissibility::Inadmissible | Admissibility::OutOfScope)
    }

    /// The reporter's public status after this decision.
    pub fn public_status(self) -> PublicStatus {
        match self {
            Admissibility::Pending => PublicStatus::Received,
            Admissibility::Admissible => PublicStatus::UnderReview,
            Admissibility::Inadmissible | Admissibility::OutOfScope => PublicStatus::Closed,
        }
    }
}

/// What a reporter is told of their report (`reports.status`): received, under review,
/// forwarded to an institution, under investigation, closed. Staff statuses never reach the
/// reporter; they are mapped onto these (`cases::workflow::Status::public`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicStatus {
    Received,
    UnderReview,
    Forwarded,
    Investigation,
    Closed,
}

impl PublicStatus {
    pub const ALL: [PublicStatus; 5] = [
        PublicStatus::Received,
        PublicStatus::UnderReview,
        PublicStatus::Forwarded,
        PublicStatus::Investigation,
        PublicStatus::Closed,
    ];

    /// The stored code (also the end of its Fluent key, `status-<code>`).
    pub fn as_str(self) -> &'static str {
        match self {
            PublicStatus::Received => "received",
            PublicStatus::UnderReview => "under_review",
            PublicStatus::Forwarded => "forwarded",
            PublicStatus::Investigation => "investigation",
            PublicStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<PublicStatus> {
        PublicStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

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
    let rule = a.routing_rule_id.and_then(|id| rules.iter().find(|r| r.id == id));
    let basis = rule.map(|r| r.legal_basis(lang).to_string()).unwrap_or_default();
    let fact = a.routing_fact.as_deref().and_then(crate::routing::RoutingFact::parse);
    if let Some(crate::routing::RoutingFact::Rule { position, name, conditions: Some(conditions), .. }) = fact
    {
        args.set("position", position);
        args.set("name", name);
        args.set("conditions", conditions_text(&conditions, catalog, lang));
        args.set("basis", basis);
        return catalog.message(lang, "triage-basis-rule-facts", Some(&args));
    }
    match rule {
        Some(rule) => {
            args.set("name", rule.name.clone());
            args.set("basis", basis);
            catalog.message(lang, "triage-basis-rule", Some(&args))
        }
        None => String::new(),
    }
}

/// The conditions of a rule that held, in words of `lang`: "groupe : Arrestations et
/// disparitions ; force : Police nationale", or "toute allégation" for a rule without any.
fn conditions_text(
    conditions: &[crate::routing::Condition],
    catalog: &crate::i18n::Catalog,
    lang: &str,
) -> String {
    use crate::i18n::label_key;
    if conditions.is_empty() {
        return catalog.message(lang, "routing-cond-any", None);
    }
    let parts: Vec<String> = conditions
        .iter()
        .map(|c| {
            let value = match c.on.as_str() {
                "group" => catalog.message_or(lang, &label_key("vg", &c.value), &c.value),
                "type" => catalog.message_or(lang, &label_key("vt", &c.value), &c.value),
                "force" => catalog.message_or(lang, &label_key("force", &c.value), &c.value),
                _ => catalog.message_or(lang, &label_key("routing-yes-no", &c.value), &c.value),
            };
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("value", value);
            catalog.message(lang, &label_key("routing-cond", &c.on), Some(&args))
        })
        .collect();
    parts.join(&catalog.message(lang, "routing-cond-separator", None))
}

#[cfg(test)]
mod tests {
    use super::{Admissibility, PublicStatus};

    #[test]
    fn admissibility_codes_round_trip_and_refusals_need_a_reason() {
        for a in [
            Admissibility::Pending,
            Admissibility::Admissible,
            Admissibility::Inadmissible,
            Admissibility::OutOfScope,
        ] {
            assert_eq!(Admissibility::parse(a.as_str()), Some(a));
        }
        assert_eq!(Admissibility::parse("AAA"), None);
        assert!(!Admissibility::DECISIONS.contains(&Admissibility::Pending));
        assert!(Admissibility::Inadmissible.needs_reason() && !Admissibility::Admissible.needs_reason());
        assert_eq!(Admissibility::OutOfScope.public_status(), PublicStatus::Closed);
        for p in PublicStatus::ALL {
            assert_eq!(PublicStatus::parse(p.as_str()), Some(p));
        }
        assert_eq!(PublicStatus::parse("triage"), None);
    }
}
