//! Keys kept outside the database for the second factor: TOTP secrets are sealed with
//! AES-256-GCM and recovery codes are stored as HMAC-SHA-256, both under keys derived from the
//! installation's secret key (`ROCKET_SECRET_KEY`, or `data/secret.key`). A copy of the
//! database alone yields neither a secret nor a code. Free of web and database types.
//!
//! Changing the secret key makes sealed TOTP secrets unreadable (those staff enrol again) and
//! recovery codes unusable: docs/SECURITY.md says so.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

const SEALED_PREFIX: &str = "v1:";
const RECOVERY_PREFIX: &str = "h1:";

#[derive(Clone)]
pub struct AccountKeys {
    totp: [u8; 32],
    recovery: [u8; 32],
}

/// A text sealed with AES-256-GCM under `key`: `v1:` and base64 of a random nonce and the
/// ciphertext (TOTP secrets here; reporters' phone numbers in `channels`).
pub fn seal_with(key: &[u8; 32], text: &str) -> String {
    let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher.encrypt(Nonce::from_slice(&nonce), text.as_bytes()).expect("in-memory encryption");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    format!("{SEALED_PREFIX}{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(out))
}

/// The text of a value sealed by [`seal_with`] under `key`; None for anything else.
pub fn open_with(key: &[u8; 32], stored: &str) -> Option<String> {
    let b64 = stored.strip_prefix(SEALED_PREFIX)?;
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64).ok()?;
    if raw.len() < 12 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let plain = cipher.decrypt(Nonce::from_slice(&raw[..12]), &raw[12..]).ok()?;
    String::from_utf8(plain).ok()
}

/// A 32-byte key for `label`, derived from the installation's secret key.
pub fn derive(secret: &str, label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"vigie/");
    h.update(label.as_bytes());
    h.update(b"/");
    h.update(secret.as_bytes());
    h.finalize().into()
}

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
