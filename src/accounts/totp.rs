//! The second factor: TOTP (RFC 6238, SHA-1, 6 digits, 30 s, one step of clock drift either
//! way), the QR code drawn as SVG by the server (no external service), and recovery codes.
//! Free of web and database types.

use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

pub const STEP: u64 = 30;

/// A new random secret (160 bits, as RFC 4226 recommends), base32 for authenticator apps.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in data {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = vec![];
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xFF) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

fn totp(secret: &str) -> Option<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP, base32_decode(secret)?).ok()
}

/// The code for a moment (for tests and for the enrolment check).
pub fn code_at(secret: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix_time))
}

/// Checks a code at `unix_time`; returns the time step it matched, which must be greater than
/// the last one accepted so that a code cannot be replayed.
pub fn verify(secret: &str, code: &str, unix_time: u64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    if code.len() != 6 {
        return None;
    }
    let t = totp(secret)?;
    let now_step = unix_time / STEP;
    for step in [now_step.saturating_sub(1), now_step, now_step + 1] {
        let step_i = i64::try_from(step).ok()?;
        if last_step.is_some_and(|last| step_i <= last) {
            continue;
        }
        if crate::crypto::constant_eq(&t.generate(step * STEP), &code) {
            return Some(step_i);
        }
    }
    None
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &str, email: &str) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/Vigie:{}?secret={secret}&issuer=Vigie&algorithm=SHA1&digits=6&period=30",
        enc(email)
    )
}

/// The QR code of `text` as an SVG drawn here.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build()
        }
        Err(_) => String::new(),
    }
}

/// Ten single-use recovery codes, `xxxxx-xxxxx` (about 50 bits each).
pub fn recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let mut b = [0u8; 7];
            rand::rngs::OsRng.fill_bytes(&mut b);
            let s = base32_encode(&b).to_lowercase();
            format!("{}-{}", &s[..5], &s[5..10])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1111111109).unwrap(), "081804");
    }

    #[test]
    fn codes_verify_once_and_within_one_step() {
        let s = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&s, t).unwrap();
        let step = verify(&s, &code, t, None).unwrap();
        assert_eq!(verify(&s, &code, t + 30, None), Some(step), "one step of drift");
        assert_eq!(verify(&s, &code, t + 90, None), None, "too late");
        assert_eq!(verify(&s, &code, t, Some(step)), None, "no replay");
        assert_eq!(verify(&s, "12345", t, None), None);
    }

    #[test]
    fn base32_round_trip_and_qr() {
        assert_eq!(base32_decode(&base32_encode(b"hello world")).unwrap(), b"hello world");
        let svg = qr_svg(&otpauth_url("JBSWY3DPEHPK3PXP", "a@b.ml"));
        assert!(svg.contains("<svg"));
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_ne!(codes[0], codes[1]);
    }
}
