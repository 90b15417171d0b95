//! The roles of DOMAIN.md and what each may do, as plain data. Free of web and database types.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Intake,
    Investigator,
    Ombudsman,
    Trainer,
    Monitor,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Intake,
        Role::Investigator,
        Role::Ombudsman,
        Role::Trainer,
        Role::Monitor,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Intake => "intake",
            Role::Investigator => "investigator",
            Role::Ombudsman => "ombudsman",
            Role::Trainer => "trainer",
            Role::Monitor => "monitor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether granting this role takes a second admin's approval (four eyes): the roles that
    /// read identities or cases, or that manage accounts.
    pub fn needs_second_admin(self) -> bool {
        matches!(self, Role::Admin | Role::Intake | Role::Investigator | Role::Ombudsman | Role::Auditor)
    }

    /// The institution a role's members must belong to, if any.
    pub fn required_institution(self) -> Option<&'static str> {
        match self {
            Role::Investigator => Some("cndh"),
            Role::Ombudsman => Some("mediateur"),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn roles_that_read_identities_need_a_second_admin() {
        for r in [Role::Admin, Role::Intake, Role::Investigator, Role::Ombudsman, Role::Auditor] {
            assert!(r.needs_second_admin(), "{r}");
        }
        assert!(!Role::Trainer.needs_second_admin() && !Role::Monitor.needs_second_admin());
    }
}
