//! Key pairs (X25519, `x25519-dalek`) and what is sealed with them:
//!
//! - a **sealed box** ([`PublicKey::seal`], [`PrivateKey::open`]): a fresh ephemeral key pair per
//!   value, X25519 with the recipient's public key, HKDF-SHA256 over the shared secret and both
//!   public keys into an XChaCha20-Poly1305 key ([`super::seal`]); only the recipient's private
//!   key opens it (the construction of age's X25519 recipients and of libsodium's sealed boxes);
//! - a **private key under a password** ([`PrivateKey::seal_with_password`]): Argon2id (the
//!   installation's parameters, 19 MiB, 2 passes) with its own random salt gives the key that
//!   seals it; the salt is stored with it;
//! - a **private key under a session token** ([`PrivateKey::seal_with_token`]): the token is 32
//!   random bytes, so HKDF alone derives the key (no stretching needed).
//!
//! Stored values are text: a prefix naming the format, then base64.

use base64::Engine;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{EphemeralSecret, StaticSecret};
use zeroize::Zeroizing;

use super::seal::{self, SecretKey};
use super::Refused;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;
const BOX_PREFIX: &str = "box1:";

/// Whether `text` is a value [`PublicKey::seal`] made (by its prefix).
pub fn is_sealed_box(text: &str) -> bool {
    text.starts_with(BOX_PREFIX)
}
const PASSWORD_PREFIX: &str = "pwd1:";
const TOKEN_PREFIX: &str = "tok1:";
const SALT: usize = 16;

/// A public key, stored as base64 text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey([u8; 32]);

/// A private key; wiped from memory when dropped, never printed.
#[derive(Clone)]
pub struct PrivateKey(StaticSecret);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(****)")
    }
}

impl PublicKey {
    pub fn to_text(self) -> String {
        B64.encode(self.0)
    }

    pub fn from_text(text: &str) -> Result<PublicKey, Refused> {
        let raw = B64.decode(text.trim()).map_err(|_| Refused)?;
        Ok(PublicKey(raw.try_into().map_err(|_| Refused)?))
    }

    /// `plaintext` sealed so that only this key's private key opens it, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> String {
        let eph = EphemeralSecret::random_from_rng(rand::rngs::OsRng);
        let eph_pub = x25519_dalek::PublicKey::from(&eph);
        let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(self.0));
        let key = box_key(shared.as_bytes(), eph_pub.as_bytes(), &self.0);
        let mut out = eph_pub.as_bytes().to_vec();
        out.extend_from_slice(&seal::seal(&key, aad, plaintext));
        format!("{BOX_PREFIX}{}", B64.encode(out))
    }
}

fn box_key(shared: &[u8; 32], eph: &[u8; 32], recipient: &[u8; 32]) -> SecretKey {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph);
    salt[32..].copy_from_slice(recipient);
    derive(Some(&salt), shared, b"vigie sealed box v1")
}

/// HKDF-SHA256 of `ikm` into a 256-bit key.
pub fn derive(salt: Option<&[u8]>, ikm: &[u8], info: &[u8]) -> SecretKey {
    let mut out = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(salt, ikm).expand(info, out.as_mut()).expect("32 bytes is a valid HKDF length");
    SecretKey::from_bytes(*out)
}

/// The Argon2id key a password gives with `salt` (the installation's parameters).
pub fn password_key(password: &[u8], salt: &[u8]) -> SecretKey {
    let mut out = Zeroizing::new([0u8; 32]);
    super::argon2()
        .hash_password_into(password, salt, out.as_mut())
        .expect("argon2 with a 16-byte salt and a 32-byte output cannot fail");
    SecretKey::from_bytes(*out)
}

const PASSWORD_AAD: &[u8] = b"vigie private key under a password v1";
const TOKEN_AAD: &[u8] = b"vigie private key under a session token v1";

impl PrivateKey {
    /// A fresh key pair from the OS random source.
    pub fn generate() -> PrivateKey {
        PrivateKey(StaticSecret::random_from_rng(rand::rngs::OsRng))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(*x25519_dalek::PublicKey::from(&self.0).as_bytes())
    }

    fn from_bytes(bytes: &[u8]) -> Result<PrivateKey, Refused> {
        let raw: [u8; 32] = bytes.try_into().map_err(|_| Refused)?;
        Ok(PrivateKey(StaticSecret::from(raw)))
    }

    /// The raw 32 bytes (to split into recovery shares); wiped when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The key of these raw bytes, if it is the private key of `expected` (recovery shares
    /// combined: fewer than the threshold give other bytes, refused here).
    pub fn from_bytes_of(bytes: &[u8], expected: &PublicKey) -> Result<PrivateKey, Refused> {
        let k = PrivateKey::from_bytes(bytes)?;
        if k.public_key() == *expected {
            Ok(k)
        } else {
            Err(Refused)
        }
    }

    /// Opens a value [`PublicKey::seal`] sealed to this key's public key with the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &str) -> Result<Vec<u8>, Refused> {
        let raw = B64.decode(sealed.strip_prefix(BOX_PREFIX).ok_or(Refused)?).map_err(|_| Refused)?;
        if raw.len() < 32 {
            return Err(Refused);
        }
        let (eph, rest) = raw.split_at(32);
        let eph: [u8; 32] = eph.try_into().expect("32 bytes");
        let shared = self.0.diffie_hellman(&x25519_dalek::PublicKey::from(eph));
        if !shared.was_contributory() {
            return Err(Refused);
        }
        let key = box_key(shared.as_bytes(), &eph, &self.public_key().0);
        seal::open(&key, aad, rest)
    }

    /// This key sealed under `password` (Argon2id with a fresh salt): `pwd1:` and base64 of the
    /// salt and the sealed key. Costs one Argon2id.
    pub fn seal_with_password(&self, password: &str) -> String {
        let mut salt = [0u8; SALT];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let key = password_key(password.as_bytes(), &salt);
        let mut out = salt.to_vec();
        out.extend_from_slice(&seal::seal(&key, PASSWORD_AAD, self.to_bytes().as_ref()));
        format!("{PASSWORD_PREFIX}{}", B64.encode(out))
    }

    /// The private key sealed under `password`; a wrong password is refused (the cipher's tag
    /// does not verify), never a wrong key. Costs one Argon2id.
    pub fn open_with_password(sealed: &str, password: &str) -> Result<PrivateKey, Refused> {
        let raw = B64.decode(sealed.strip_prefix(PASSWORD_PREFIX).ok_or(Refused)?).map_err(|_| Refused)?;
        if raw.len() < SALT {
            return Err(Refused);
        }
        let (salt, rest) = raw.split_at(SALT);
        let key = password_key(password.as_bytes(), salt);
        let bytes = Zeroizing::new(seal::open(&key, PASSWORD_AAD, rest)?);
        PrivateKey::from_bytes(&bytes)
    }

    /// This key sealed under a session token (HKDF of the token; the token itself is stored
    /// nowhere but in the person's cookie).
    pub fn seal_with_token(&self, token: &str) -> String {
        let key = derive(None, token.as_bytes(), b"vigie session key v1");
        format!("{TOKEN_PREFIX}{}", B64.encode(seal::seal(&key, TOKEN_AAD, self.to_bytes().as_ref())))
    }

    pub fn open_with_token(sealed: &str, token: &str) -> Result<PrivateKey, Refused> {
        let raw = B64.decode(sealed.strip_prefix(TOKEN_PREFIX).ok_or(Refused)?).map_err(|_| Refused)?;
        let key = derive(None, token.as_bytes(), b"vigie session key v1");
        let bytes = Zeroizing::new(seal::open(&key, TOKEN_AAD, &raw)?);
        PrivateKey::from_bytes(&bytes)
    }
}

/// A staff account's key pair as stored: the public key, and the private key sealed under the
/// account's password.
#[derive(Clone, Debug)]
pub struct StoredKeyPair {
    pub public_key: String,
    pub sealed_private_key: String,
}

impl PrivateKey {
    /// This key pair as stored for an account whose password is `password` (one Argon2id).
    pub fn stored_under(&self, password: &str) -> StoredKeyPair {
        StoredKeyPair {
            public_key: self.public_key().to_text(),
            sealed_private_key: self.seal_with_password(password),
        }
    }
}

/// A session's private key: sealed in the session's row under the session token, which this
/// request's cookie gave. Opened only when a request needs it; never printed.
#[derive(Clone)]
pub struct SessionKey {
    sealed: String,
    token: Zeroizing<String>,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(****)")
    }
}

impl SessionKey {
    pub fn new(sealed: String, token: String) -> SessionKey {
        SessionKey { sealed, token: Zeroizing::new(token) }
    }

    pub fn open(&self) -> Result<PrivateKey, Refused> {
        PrivateKey::open_with_token(&self.sealed, &self.token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_box_opens_with_its_private_key_only() {
        let alice = PrivateKey::generate();
        let bob = PrivateKey::generate();
        let s = alice.public_key().seal(b"group:intake:1", b"group key bytes");
        assert_eq!(alice.open(b"group:intake:1", &s).unwrap(), b"group key bytes");
        assert_eq!(bob.open(b"group:intake:1", &s), Err(Refused));
        assert_eq!(alice.open(b"group:cndh:1", &s), Err(Refused), "bound to its place");
        let mut raw = B64.decode(s.strip_prefix(BOX_PREFIX).unwrap()).unwrap();
        for i in [0, 31, 32, 40, raw.len() - 1] {
            raw[i] ^= 1;
            let t = format!("{BOX_PREFIX}{}", B64.encode(&raw));
            assert_eq!(alice.open(b"group:intake:1", &t), Err(Refused), "byte {i}");
            raw[i] ^= 1;
        }
        // A low-order ephemeral point (all zeros) gives no shared secret: refused.
        let mut zero = vec![0u8; 32];
        zero.extend_from_slice(&raw[32..]);
        assert_eq!(alice.open(b"group:intake:1", &format!("{BOX_PREFIX}{}", B64.encode(zero))), Err(Refused));
        assert_eq!(PublicKey::from_text(&alice.public_key().to_text()).unwrap(), alice.public_key());
    }

    #[test]
    fn a_wrong_password_never_opens_a_private_key() {
        let k = PrivateKey::generate();
        let sealed = k.seal_with_password("correct horse battery staple");
        assert!(!sealed.contains("correct"));
        let opened = PrivateKey::open_with_password(&sealed, "correct horse battery staple").unwrap();
        assert_eq!(opened.public_key(), k.public_key());
        for wrong in ["correct horse battery stapl", "Correct horse battery staple", "", "x"] {
            assert!(PrivateKey::open_with_password(&sealed, wrong).is_err(), "{wrong:?}");
        }
        // Same key and password, a fresh salt: another value.
        assert_ne!(sealed, k.seal_with_password("correct horse battery staple"));
        assert!(PrivateKey::open_with_password("garbage", "x").is_err());
    }

    #[test]
    fn a_session_token_opens_the_key_it_sealed_only() {
        let k = PrivateKey::generate();
        let s = k.seal_with_token("token-a");
        assert_eq!(PrivateKey::open_with_token(&s, "token-a").unwrap().public_key(), k.public_key());
        assert!(PrivateKey::open_with_token(&s, "token-b").is_err());
        assert!(PrivateKey::open_with_password(&s, "token-a").is_err(), "formats are not mixed");
    }

    #[test]
    fn raw_bytes_are_accepted_only_for_the_expected_public_key() {
        let k = PrivateKey::generate();
        let bytes = k.to_bytes();
        assert!(PrivateKey::from_bytes_of(bytes.as_ref(), &k.public_key()).is_ok());
        let mut other = *bytes;
        other[5] ^= 1;
        assert!(PrivateKey::from_bytes_of(&other, &k.public_key()).is_err());
    }
}
