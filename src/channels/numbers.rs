//! Phone numbers, never stored in clear (issue 16). Free of web and database types.
//!
//! - **Looked up** by a keyed hash: HMAC-SHA-256 under a key derived from the installation's
//!   secret key (never written anywhere) and the day's random salt (`channel_salts`, deleted
//!   two days later). The key therefore rotates every day: a conversation is looked up under
//!   today's key and yesterday's (conversations expire after 24 hours of silence, so no older
//!   key is ever needed), and moved to today's when found under yesterday's. A copy of the
//!   database holds no number and no key; with the secret key as well, only the last two
//!   days' hashes can be tested against guessed numbers, and they point to conversations in
//!   progress only.
//! - **Kept** for replies only when the reporter says yes, sealed (AES-256-GCM, the helper that
//!   seals TOTP secrets, `accounts::secrets::seal_with`, under its own derived key), and
//!   erased when the report's cases are all closed.
//! - **Texts waiting in the SMS outbox** (a receipt, a confirmation naming the type, day and
//!   village, a staff message) are sealed the same way under a third derived key, so that a
//!   copy of the database, or a backup, taken while a gateway is down holds no receipt in
//!   clear (a receipt with the settings' salt opens its report's data key).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::accounts::secrets::{derive, open_with, seal_with};

#[derive(Clone)]
pub struct NumberKeys {
    hash: [u8; 32],
    seal: [u8; 32],
    text: [u8; 32],
}

/// A number in one form whatever the gateway sends: digits only, with Mali's country code
/// (`+223 76 12 34 56`, `0022376123456`, `76123456` are one number). None for something that
/// is not a phone number.
pub fn normal(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("00").unwrap_or(&digits).to_string();
    let full = if digits.len() == 8 { format!("223{digits}") } else { digits };
    (8..=15).contains(&full.len()).then_some(full)
}

impl NumberKeys {
    pub fn derive(secret_key: &str) -> NumberKeys {
        NumberKeys {
            hash: derive(secret_key, "channel-number-hash"),
            seal: derive(secret_key, "channel-number-seal"),
            text: derive(secret_key, "channel-sms-text"),
        }
    }

    /// The keyed hash of a (normal) number under one day's salt, in hex.
    pub fn hash(&self, number: &str, day_salt: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash).expect("any key length");
        mac.update(day_salt.as_bytes());
        mac.update(b"/");
        mac.update(number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A subject for the rate limits (`reports::counting`): the first half of the number's hash
    /// under the hour's salt of the limits, given as a private IPv6 /64 (`fd…`), which the
    /// limits key by its network. Privacy: the limiters hash it again under their own salt.
    pub fn limit_subject(&self, number: &str) -> std::net::IpAddr {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash).expect("any key length");
        mac.update(b"limits/");
        mac.update(number.as_bytes());
        let h = mac.finalize().into_bytes();
        let mut b = [0u8; 16];
        b[0] = 0xfd;
        b[1..8].copy_from_slice(&h[..7]);
        std::net::IpAddr::V6(std::net::Ipv6Addr::from(b))
    }

    pub fn seal(&self, number: &str) -> String {
        seal_with(&self.seal, number)
    }

    pub fn open(&self, sealed: &str) -> Option<String> {
        open_with(&self.seal, sealed)
    }

    /// An SMS text as it waits in the outbox.
    pub fn seal_text(&self, text: &str) -> String {
        seal_with(&self.text, text)
    }

    /// The text of an SMS sealed by [`NumberKeys::seal_text`]; None for anything else.
    pub fn open_text(&self, sealed: &str) -> Option<String> {
        open_with(&self.text, sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_one_form_hashed_per_day_and_sealed() {
        assert_eq!(normal("+223 76 12 34 56").as_deref(), Some("22376123456"));
        assert_eq!(normal("0022376123456"), normal("76123456"));
        assert_eq!(normal("12"), None);
        let k = NumberKeys::derive("key");
        let n = "22376123456";
        assert_eq!(k.hash(n, "a"), k.hash(n, "a"));
        assert_ne!(k.hash(n, "a"), k.hash(n, "b"), "another day, another hash");
        assert_ne!(k.hash(n, "a"), NumberKeys::derive("other").hash(n, "a"));
        assert!(!k.hash(n, "a").contains(n));
        let sealed = k.seal(n);
        assert!(!sealed.contains(n) && !sealed.contains("76123456"));
        assert_eq!(k.open(&sealed).as_deref(), Some(n));
        assert_eq!(NumberKeys::derive("other").open(&sealed), None);
        assert_ne!(k.limit_subject(n), k.limit_subject("22376123457"));
        let text = k.seal_text("Recu: 4821-7730-1195");
        assert!(!text.contains("4821") && k.open(&text).is_none(), "its own key");
        assert_eq!(k.open_text(&text).as_deref(), Some("Recu: 4821-7730-1195"));
    }
}
