//! Keys kept outside the database for the second factor: TOTP secrets are sealed with
//! AES-256-GCM and recovery codes are stored as HMAC-SHA-256, both under keys derived from the
//! installation's secret key (`ROCKET_SECRET_KEY`, or `data/secret.key`). A copy of the
//! database alone yields neither a secret nor a code. Free of web and database types.
//!
//! Changing the secret key makes sealed TOTP secrets unreadable (those staff enrol again) and
//! recovery codes unusable: docs/SECURITY.md says so.

use hmac::{Hmac, Mac};
use sha2::Sha256;

const SEALED_PREFIX: &str = "v1:";
const RECOVERY_PREFIX: &str = "h1:";

#[derive(Clone)]
pub struct AccountKeys {
    totp: [u8; 32],
    recovery: [u8; 32],
}

pub use crate::crypto::text::{derive, open_with, seal_with};

impl AccountKeys {
    /// Keys for one installation, from its secret key.
    pub fn derive(secret_key: &str) -> AccountKeys {
        AccountKeys {
            totp: derive(secret_key, "totp-secrets"),
            recovery: derive(secret_key, "recovery-codes"),
        }
    }

    /// A TOTP secret as stored: `v1:` and base64 of a random nonce and the ciphertext.
    pub fn seal(&self, secret: &str) -> String {
        seal_with(&self.totp, secret)
    }

    /// The TOTP secret of a stored value. A value without the prefix is a secret stored in
    /// clear by an older version (returned as it is; the caller reseals it).
    pub fn open(&self, stored: &str) -> Option<String> {
        if !stored.starts_with(SEALED_PREFIX) {
            return Some(stored.to_string());
        }
        open_with(&self.totp, stored)
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }

    /// A recovery code as stored: a keyed hash of its normal form.
    pub fn recovery_hash(&self, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.recovery).expect("any key length");
        mac.update(normal_code(code).as_bytes());
        format!("{RECOVERY_PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// Every form a typed code may be stored under: the keyed hash, and the unsalted SHA-256
    /// of codes issued before keyed hashes (usable until they are spent).
    pub fn recovery_candidates(&self, code: &str) -> Vec<String> {
        vec![self.recovery_hash(code), crate::crypto::sha256_hex(normal_code(code).as_bytes())]
    }
}

fn normal_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let k = AccountKeys::derive("key one");
        let sealed = k.seal("JBSWY3DPEHPK3PXP");
        assert!(AccountKeys::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, k.seal("JBSWY3DPEHPK3PXP"), "a fresh nonce each time");
        assert_eq!(k.open(&sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(AccountKeys::derive("key two").open(&sealed), None);
        assert_eq!(k.open("JBSWY3DPEHPK3PXP").as_deref(), Some("JBSWY3DPEHPK3PXP"), "legacy clear");
    }

    #[test]
    fn recovery_hashes_are_keyed_and_normalised() {
        let (a, b) = (AccountKeys::derive("a"), AccountKeys::derive("b"));
        assert_eq!(a.recovery_hash("abcde-fghij"), a.recovery_hash("ABCDE FGHIJ"));
        assert_ne!(a.recovery_hash("abcde-fghij"), b.recovery_hash("abcde-fghij"));
        assert_ne!(a.recovery_hash("abcde-fghij"), crate::crypto::sha256_hex(b"abcdefghij"));
        assert!(a.recovery_candidates("abcde-fghij").contains(&crate::crypto::sha256_hex(b"abcdefghij")));
    }
}
