//! Texts sealed with AES-256-GCM under a 32-byte key derived from the installation's secret
//! key: TOTP secrets (`accounts::secrets`), reporters' phone numbers and queued SMS texts
//! (`channels`), mail bodies carrying a link (`notify`). Free of web and database types.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

const SEALED_PREFIX: &str = "v1:";

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
