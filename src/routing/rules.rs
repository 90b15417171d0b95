//! Routing: ordered rules, stored as data, decide which body receives an allegation. The first
//! active rule whose conditions all hold wins; a missing condition means "any". Free of web
//! and database types.

/// A rule as stored (see the `routing_rules` table).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: i32,
    pub position: i32,
    pub name: String,
    pub violation_group: Option<String>,
    pub violation_type: Option<String>,
    pub force: Option<String>,
    pub prior_approach: Option<bool>,
    pub court_pending: Option<bool>,
    pub children_involved: Option<bool>,
    pub destination: String,
    pub legal_basis_fr: String,
    pub legal_basis_en: String,
    pub active: bool,
}

/// What is known of an allegation when it is routed.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub violation_group: String,
    pub violation_type: String,
    pub force: String,
    pub prior_approach: bool,
    pub court_pending: bool,
    pub children_involved: bool,
}

/// Which rule fired, where the allegation goes, and why (as facts, put in words in the
/// reader's language when shown).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub rule_id: i32,
    pub destination: String,
    pub reason: RoutingFact,
}

/// One condition of a rule that held: what it is on (`group`, `type`, `force`,
/// `prior_approach`, `court_pending`, `children`) and its value (a code, or `yes`/`no`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    pub on: String,
    pub value: String,
}

/// Why an allegation went where it did, stored as JSON in `allegations.routing_fact` and
/// rendered through Fluent in the reader's language: never a sentence in one language.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoutingFact {
    /// A rule fired. `conditions` is absent for decisions recorded before facts were kept
    /// (migrated from the old sentences: the rule is known, not which conditions it had then).
    Rule {
        rule: i32,
        position: i32,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conditions: Option<Vec<Condition>>,
        violation_type: String,
        force: String,
        destination: String,
    },
    /// The intake officer decided (their reason is in `override_reason`).
    Override,
}

impl RoutingFact {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn parse(s: &str) -> Option<RoutingFact> {
        serde_json::from_str(s).ok()
    }
}

impl Rule {
    /// The legal basis admins wrote in each language (the `routing_rules` columns).
    pub fn legal_bases(&self) -> [(&'static str, &str); 2] {
        [("fr", &self.legal_basis_fr), ("en", &self.legal_basis_en)]
    }

    /// The legal basis in `lang`, or in French when none was written in it.
    pub fn legal_basis(&self, lang: &str) -> &str {
        let bases = self.legal_bases();
        bases.iter().find(|(l, _)| *l == lang).or_else(|| bases.first()).map(|(_, b)| *b).unwrap_or_default()
    }

    pub fn matches(&self, f: &Facts) -> bool {
        fn eq(cond: &Option<String>, v: &str) -> bool {
            cond.as_deref().is_none_or(|c| c == v)
        }
        fn is(cond: Option<bool>, v: bool) -> bool {
            cond.is_none_or(|c| c == v)
        }
        self.active
            && eq(&self.violation_group, &f.violation_group)
            && eq(&self.violation_type, &f.violation_type)
            && eq(&self.force, &f.force)
            && is(self.prior_approach, f.prior_approach)
            && is(self.court_pending, f.court_pending)
            && is(self.children_involved, f.children_involved)
    }

    /// The conditions that held, for the record of the decision.
    fn why(&self, f: &Facts) -> RoutingFact {
        let mut conditions = vec![];
        let mut push = |on: &str, value: String| conditions.push(Condition { on: on.into(), value });
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        if let Some(g) = &self.violation_group {
            push("group", g.clone());
        }
        if let Some(t) = &self.violation_type {
            push("type", t.clone());
        }
        if let Some(x) = &self.force {
            push("force", x.clone());
        }
        if let Some(b) = self.prior_approach {
            push("prior_approach", yes_no(b));
        }
        if let Some(b) = self.court_pending {
            push("court_pending", yes_no(b));
        }
        if let Some(b) = self.children_involved {
            push("children", yes_no(b));
        }
        RoutingFact::Rule {
            rule: self.id,
            position: self.position,
            name: self.name.clone(),
            conditions: Some(conditions),
            violation_type: f.violation_type.clone(),
            force: f.force.clone(),
            destination: self.destination.clone(),
        }
    }
}

/// The first matching rule in position order, or None (the intake officer then decides).
pub fn decide(rules: &[Rule], facts: &Facts) -> Option<Decision> {
    let mut ordered: Vec<&Rule> = rules.iter().collect();
    ordered.sort_by_key(|r| (r.position, r.id));
    ordered.into_iter().find(|r| r.matches(facts)).map(|r| Decision {
        rule_id: r.id,
        destination: r.destination.clone(),
        reason: r.why(facts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(group: &str, t: &str) -> Facts {
        Facts {
            violation_group: group.into(),
            violation_type: t.into(),
            force: "police".into(),
            prior_approach: false,
            court_pending: false,
            children_involved: false,
        }
    }

    #[test]
    fn rule_order_decides_and_inactive_rules_are_skipped() {
        let base = Rule {
            id: 1,
            position: 20,
            name: "general".into(),
            violation_group: None,
            violation_type: None,
            force: None,
            prior_approach: None,
            court_pending: None,
            children_involved: None,
            destination: "cndh".into(),
            legal_basis_fr: String::new(),
            legal_basis_en: String::new(),
            active: true,
        };
        let specific = Rule {
            id: 2,
            position: 10,
            name: "army to military justice".into(),
            force: Some("fama_army".into()),
            destination: "military_justice".into(),
            ..base.clone()
        };
        let mut f = facts("life", "life.extrajudicial_execution");
        f.force = "fama_army".into();
        let rules = vec![base.clone(), specific.clone()];
        let dec = decide(&rules, &f).unwrap();
        assert_eq!((dec.rule_id, dec.destination.as_str()), (2, "military_justice"));
        match &dec.reason {
            RoutingFact::Rule { rule, conditions, force, .. } => {
                assert_eq!((*rule, force.as_str()), (2, "fama_army"));
                let held = vec![Condition { on: "force".into(), value: "fama_army".into() }];
                assert_eq!(conditions.as_ref(), Some(&held));
            }
            other => panic!("{other:?}"),
        }
        // Stored as JSON and read back the same; the old sentences are not facts.
        assert_eq!(RoutingFact::parse(&dec.reason.to_json()), Some(dec.reason.clone()));
        assert_eq!(RoutingFact::parse(r#"{"kind":"override"}"#), Some(RoutingFact::Override));
        assert_eq!(RoutingFact::parse("rule 10 \"x\" (any allegation) for a by b"), None);
        // Moved after the general rule, it never fires.
        let rules = vec![base.clone(), Rule { position: 30, ..specific.clone() }];
        assert_eq!(decide(&rules, &f).unwrap().rule_id, 1);
        // Deactivated, likewise.
        let rules = vec![base.clone(), Rule { active: false, ..specific }];
        assert_eq!(decide(&rules, &f).unwrap().rule_id, 1);
        assert_eq!(decide(&[], &f), None);
    }
}
