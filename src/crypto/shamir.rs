//! Shamir's secret sharing over GF(256) (the AES field, x⁸ + x⁴ + x³ + x + 1), byte by byte:
//! each byte of the secret is the constant term of its own random polynomial of degree
//! `threshold − 1`; share `x` holds every polynomial's value at `x` (1 ≤ x ≤ 255). Any
//! `threshold` shares give the secret back by Lagrange interpolation at 0; fewer give bytes
//! that say nothing about it (every secret is equally likely).
//!
//! Written here (about 100 lines) rather than taken from a crate: the crates for it are small,
//! rarely maintained (`sharks`' last release is from 2021) or large (`vsss-rs`, built on
//! elliptic-curve groups); the field arithmetic below has no table and no branch on secret
//! data, and the tests check it against the field's definition. Shares are text with their
//! index and a checksum, so a mistyped share is named, not silently combined.
//! Combining cannot tell a wrong secret from the right one: the caller checks the result
//! (the recovery key's public key must match, `keys::PrivateKey::from_bytes_of`).

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Refused;

/// Multiplication in GF(256), without branches or tables on the operands.
fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    for _ in 0..8 {
        p ^= a & 0u8.wrapping_sub(b & 1);
        let carry = 0u8.wrapping_sub(a >> 7);
        a = (a << 1) ^ (0x1b & carry);
        b >>= 1;
    }
    p
}

/// The inverse of a non-zero element: a²⁵⁴.
fn inv(a: u8) -> u8 {
    let mut result = 1u8;
    let mut base = a;
    let mut e = 254u8;
    while e > 0 {
        if e & 1 == 1 {
            result = mul(result, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    result
}

/// One share: its point `x` and the polynomials' values there.
#[derive(Clone, PartialEq, Eq)]
pub struct Share {
    pub x: u8,
    pub y: Vec<u8>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Share({}, ****)", self.x)
    }
}

const PREFIX: &str = "vigie-share-1";

impl Share {
    /// `vigie-share-1-<x>-<hex of y>-<4 hex digits of checksum>`.
    pub fn to_text(&self) -> String {
        let body = format!("{PREFIX}-{}-{}", self.x, hex::encode(&self.y));
        let check = &hex::encode(Sha256::digest(body.as_bytes()))[..4];
        format!("{body}-{check}")
    }

    /// A share as printed by [`Share::to_text`]; spaces ignored; a wrong checksum is refused.
    pub fn from_text(text: &str) -> Result<Share, Refused> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (body, check) = text.rsplit_once('-').ok_or(Refused)?;
        if hex::encode(Sha256::digest(body.as_bytes()))[..4] != check.to_ascii_lowercase() {
            return Err(Refused);
        }
        let rest = body.strip_prefix(PREFIX).and_then(|r| r.strip_prefix('-')).ok_or(Refused)?;
        let (x, y) = rest.split_once('-').ok_or(Refused)?;
        let x: u8 = x.parse().map_err(|_| Refused)?;
        let y = hex::decode(y).map_err(|_| Refused)?;
        if x == 0 || y.is_empty() {
            return Err(Refused);
        }
        Ok(Share { x, y })
    }
}

/// `secret` split into `shares` shares of which any `threshold` recover it
/// (2 ≤ threshold ≤ shares ≤ 255).
pub fn split(secret: &[u8], shares: u8, threshold: u8) -> Result<Vec<Share>, Refused> {
    if threshold < 2 || shares < threshold || secret.is_empty() {
        return Err(Refused);
    }
    let mut out: Vec<Share> =
        (1..=shares).map(|x| Share { x, y: Vec::with_capacity(secret.len()) }).collect();
    let mut coefficients = vec![0u8; usize::from(threshold)];
    for &byte in secret {
        coefficients[0] = byte;
        rand::rngs::OsRng.fill_bytes(&mut coefficients[1..]);
        for share in &mut out {
            // Horner's rule from the highest coefficient.
            let y = coefficients.iter().rev().fold(0u8, |acc, &c| mul(acc, share.x) ^ c);
            share.y.push(y);
        }
    }
    zeroize::Zeroize::zeroize(&mut coefficients);
    Ok(out)
}

/// The secret at 0 of the polynomials through `shares` (all distinct points, same length).
/// With fewer shares than the threshold this returns other bytes: the caller checks.
pub fn combine(shares: &[Share]) -> Result<Vec<u8>, Refused> {
    let len = shares.first().ok_or(Refused)?.y.len();
    for (i, s) in shares.iter().enumerate() {
        if s.x == 0 || s.y.len() != len || shares[..i].iter().any(|t| t.x == s.x) {
            return Err(Refused);
        }
    }
    let mut secret = vec![0u8; len];
    for (i, si) in shares.iter().enumerate() {
        // Lagrange basis at 0: Π x_j / (x_j − x_i); subtraction is XOR in GF(2⁸).
        let mut basis = 1u8;
        for (j, sj) in shares.iter().enumerate() {
            if i != j {
                basis = mul(basis, mul(sj.x, inv(sj.x ^ si.x)));
            }
        }
        for (b, &y) in secret.iter_mut().zip(&si.y) {
            *b ^= mul(basis, y);
        }
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Multiplication by the schoolbook definition: carry-less product reduced by the field's
    /// polynomial.
    fn slow_mul(a: u8, b: u8) -> u8 {
        let mut p: u16 = 0;
        for i in 0..8 {
            if b >> i & 1 == 1 {
                p ^= u16::from(a) << i;
            }
        }
        for i in (8..16).rev() {
            if p >> i & 1 == 1 {
                p ^= 0x11b << (i - 8);
            }
        }
        p as u8
    }

    #[test]
    fn the_field_is_the_aes_field() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(mul(a, b), slow_mul(a, b), "{a} * {b}");
            }
            if a != 0 {
                assert_eq!(mul(a, inv(a)), 1, "{a}");
            }
        }
        assert_eq!(mul(0x57, 0x83), 0xc1, "FIPS-197's example");
    }

    /// Every subset of `shares` of size `k`.
    fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
        (0u32..1 << n)
            .filter(|m| m.count_ones() as usize == k)
            .map(|m| (0..n).filter(|i| m >> i & 1 == 1).collect())
            .collect()
    }

    #[test]
    fn any_threshold_shares_recover_and_fewer_do_not() {
        let secret: Vec<u8> = (0..32).map(|i| (i * 37 + 11) as u8).collect();
        let shares = split(&secret, 5, 3).unwrap();
        assert_eq!(shares.len(), 5);
        for subset in subsets(5, 3).into_iter().chain(subsets(5, 4)).chain(subsets(5, 5)) {
            let picked: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
            assert_eq!(combine(&picked).unwrap(), secret, "{subset:?}");
        }
        for subset in subsets(5, 2).into_iter().chain(subsets(5, 1)) {
            let picked: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
            assert_ne!(combine(&picked).unwrap(), secret, "{subset:?} is below the threshold");
        }
        let dup = vec![shares[0].clone(), shares[0].clone(), shares[1].clone()];
        assert!(combine(&dup).is_err(), "a share given twice");
        assert!(split(&secret, 2, 3).is_err() && split(&secret, 5, 1).is_err());
    }

    #[test]
    fn shares_print_and_parse_and_a_typo_is_caught() {
        let shares = split(b"secret bytes", 3, 2).unwrap();
        for s in &shares {
            let t = s.to_text();
            assert_eq!(Share::from_text(&t).unwrap(), *s);
            assert_eq!(Share::from_text(&format!("  {} \n", t.replace('-', " -"))).unwrap(), *s);
            let mut typo = t.clone().into_bytes();
            let i = PREFIX.len() + 4;
            typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
            assert!(Share::from_text(std::str::from_utf8(&typo).unwrap()).is_err());
        }
        assert!(format!("{:?}", shares[0]).contains("****"));
    }
}
