//! The group keys of issue 15 (docs/SECURITY.md, "Encryption at rest"): the intake desk and
//! each institution hold a key pair whose private key is sealed to each member's public key
//! and to the installation's recovery key; a new version when a member leaves. This file says
//! who belongs to which group and how a sealed group key is bound to its place; the queries
//! and the sealing are in `model.rs`. Free of web and database types.

pub mod model;
pub mod report;

pub use report::{Opened, Protected, Reader};

/// The intake desk's group code (the institutions' groups are their codes).
pub const INTAKE: &str = "intake";

/// The groups whose key an account may hold, by its role and institution: the intake desk for
/// intake officers and auditors (who read every report, read-only), its institution for an
/// investigator or an ombudsman officer; none for a disabled account or any other role.
pub fn groups_of(role: &str, institution: Option<&str>, disabled: bool) -> Vec<String> {
    if disabled {
        return vec![];
    }
    match (role, institution) {
        ("intake" | "auditor", _) => vec![INTAKE.to_string()],
        ("investigator" | "ombudsman", Some(code)) => vec![code.to_string()],
        _ => vec![],
    }
}

/// The associated data of a group key's private key sealed to a member or to the recovery key:
/// a sealed key moved to another group or version does not open.
pub fn seal_aad(group: &str, version: i32) -> Vec<u8> {
    format!("vigie group key {group} v{version}").into_bytes()
}

/// Shares and threshold of `vigie keys init`: 2 ≤ threshold ≤ shares ≤ 20.
pub fn check_split(shares: u8, threshold: u8) -> Result<(), String> {
    if threshold < 2 {
        return Err("the threshold must be at least 2 (one person alone must not hold the key)".into());
    }
    if shares < threshold {
        return Err(format!("{shares} shares cannot reach a threshold of {threshold}"));
    }
    if shares > 20 {
        return Err("at most 20 shares".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_by_role_and_institution() {
        assert_eq!(groups_of("intake", None, false), vec!["intake"]);
        assert_eq!(groups_of("auditor", None, false), vec!["intake"]);
        assert_eq!(groups_of("investigator", Some("cndh"), false), vec!["cndh"]);
        assert_eq!(groups_of("ombudsman", Some("mediateur"), false), vec!["mediateur"]);
        assert!(groups_of("investigator", Some("cndh"), true).is_empty());
        for role in ["admin", "trainer", "monitor"] {
            assert!(groups_of(role, Some("cndh"), false).is_empty(), "{role}");
        }
        assert_ne!(seal_aad("cndh", 1), seal_aad("cndh", 2));
        assert!(check_split(5, 3).is_ok());
        assert!(check_split(5, 1).is_err() && check_split(2, 3).is_err() && check_split(21, 3).is_err());
    }
}
