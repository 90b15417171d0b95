//! The password policy: at least 12 characters, not a common password, not containing the
//! email. Free of web and database types.

use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_LEN: usize = 12;

/// Why a password is refused; each is also a translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    Common,
    ContainsEmail,
}

impl Weakness {
    pub fn key(self) -> &'static str {
        match self {
            Weakness::TooShort => "password-too-short",
            Weakness::Common => "password-common",
            Weakness::ContainsEmail => "password-contains-email",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Weakness::TooShort => "the password must have at least 12 characters",
            Weakness::Common => "this password is too common; choose another",
            Weakness::ContainsEmail => "the password must not contain the email address",
        }
    }
}

fn common() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../resources/common-passwords.txt")
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

pub fn check(password: &str, email: &str) -> Result<(), Weakness> {
    if password.chars().count() < MIN_LEN {
        return Err(Weakness::TooShort);
    }
    let lower = password.to_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if common().contains(&lower) || common().contains(&compact) {
        return Err(Weakness::Common);
    }
    // A common password padded with digits or symbols ("password123456!") is still common.
    let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).to_string();
    if core.len() >= 6 && common().contains(&core) && core.len() * 2 >= lower.len() {
        return Err(Weakness::Common);
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if (!email.is_empty() && lower.contains(&email)) || (local.len() >= 4 && lower.contains(local)) {
        return Err(Weakness::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("short", "a@b.ml"), Err(Weakness::TooShort));
        assert_eq!(check("password1234", "a@b.ml"), Err(Weakness::Common));
        assert_eq!(check("qwertyuiop123", "a@b.ml"), Err(Weakness::Common));
        assert_eq!(check("aminata.traore-2026!", "aminata.traore@cndh.ml"), Err(Weakness::ContainsEmail));
        assert_eq!(check("Falaise rouge sur le fleuve", "a@b.ml"), Ok(()));
    }
}
