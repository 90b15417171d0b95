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

/// Which rule fired, where the allegation goes, and why (in words a person can check).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub rule_id: i32,
    pub destination: String,
    pub reason: String,
}

impl Rule {
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
    fn why(&self, f: &Facts) -> String {
        let mut parts = vec![];
        if let Some(g) = &self.violation_group {
            parts.push(format!("group={g}"));
        }
        if let Some(t) = &self.violation_type {
            parts.push(format!("type={t}"));
        }
        if let Some(x) = &self.force {
            parts.push(format!("force={x}"));
        }
        if let Some(b) = self.prior_approach {
            parts.push(format!("prior_approach={b}"));
        }
        if let Some(b) = self.court_pending {
            parts.push(format!("court_pending={b}"));
        }
        if let Some(b) = self.children_involved {
            parts.push(format!("children={b}"));
        }
        let conditions = if parts.is_empty() { "any allegation".to_string() } else { parts.join(", ") };
        format!(
            "rule {} \"{}\" ({conditions}) for {} by {}",
            self.position, self.name, f.violation_type, f.force
        )
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
        assert!(dec.reason.contains("force=fama_army"));
        // Moved after the general rule, it never fires.
        let rules = vec![base.clone(), Rule { position: 30, ..specific.clone() }];
        assert_eq!(decide(&rules, &f).unwrap().rule_id, 1);
        // Deactivated, likewise.
        let rules = vec![base.clone(), Rule { active: false, ..specific }];
        assert_eq!(decide(&rules, &f).unwrap().rule_id, 1);
        assert_eq!(decide(&[], &f), None);
    }
}
