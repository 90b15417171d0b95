//! Symmetric sealing with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`): a value in one
//! piece ([`seal`], [`open`]) and a file as a stream of 64 KiB chunks ([`seal_stream`],
//! [`open_stream`], the STREAM construction of `aead::stream`, big-endian 32-bit counter and a
//! last-chunk flag) so that a 25 MB evidence file is sealed and opened in constant memory.
//!
//! Every output starts with a version byte; a random 192-bit nonce follows (XChaCha's nonce is
//! large enough to pick at random for every value). The associated data (`aad`) binds a
//! ciphertext to where it belongs (a column, a row): moved elsewhere, it does not open.
//! Any change to the bytes, the key or the associated data is refused ([`Refused`]), never
//! returned as garbage.

use std::io::{Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::Refused;

const VERSION: u8 = 1;
const STREAM_VERSION: u8 = 0x81;
const NONCE: usize = 24;
/// STREAM's nonce prefix: the 24-byte nonce less the 4-byte counter and the last-chunk flag.
const STREAM_NONCE: usize = 19;
const TAG: usize = 16;
/// Plaintext bytes per chunk of a sealed stream.
pub const CHUNK: usize = 64 * 1024;

/// A 256-bit symmetric key (a report's data key, a key derived from a password or a session
/// token). Wiped from memory when dropped; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(****)")
    }
}

impl SecretKey {
    /// A fresh key from the OS random source.
    pub fn generate() -> SecretKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        SecretKey(k)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<SecretKey, Refused> {
        Ok(SecretKey(bytes.try_into().map_err(|_| Refused)?))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

/// `plaintext` sealed under `key`, bound to `aad`: version, nonce, ciphertext and tag.
pub fn seal(key: &SecretKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = key
        .cipher()
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        .expect("in-memory encryption of a value below 256 GiB cannot fail");
    let mut out = Vec::with_capacity(1 + NONCE + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// The plaintext of a value [`seal`] made under `key` with the same `aad`; anything else
/// (another key, other associated data, a changed byte, a cut value) is refused.
pub fn open(key: &SecretKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Refused> {
    if sealed.len() < 1 + NONCE + TAG || sealed[0] != VERSION {
        return Err(Refused);
    }
    let (nonce, ct) = sealed[1..].split_at(NONCE);
    key.cipher().decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).map_err(|_| Refused)
}

/// The size of a stream of `len` plaintext bytes once sealed.
pub fn sealed_stream_len(len: u64) -> u64 {
    // Whole chunks, the last one possibly short; an empty stream is one empty chunk.
    let chunks = len.div_ceil(CHUNK as u64).max(1);
    1 + STREAM_NONCE as u64 + len + chunks * TAG as u64
}

/// Reads until `buf` is full or the reader ends; the number of bytes read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What went wrong in a stream: the reader or writer failed, or the sealed bytes were refused.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("input/output: {0}")]
    Io(#[from] std::io::Error),
    #[error("refused: {0}")]
    Refused(#[from] Refused),
}

/// Seals everything `reader` gives into `writer`, [`CHUNK`] bytes at a time (memory: two
/// chunks, whatever the size). Returns the plaintext's length.
pub fn seal_stream(
    key: &SecretKey,
    aad: &[u8],
    mut reader: impl Read,
    mut writer: impl Write,
) -> Result<u64, StreamError> {
    let mut nonce = [0u8; STREAM_NONCE];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    writer.write_all(&[STREAM_VERSION])?;
    writer.write_all(&nonce)?;
    let mut enc = EncryptorBE32::from_aead(key.cipher(), (&nonce).into());
    // One chunk plus one byte: a chunk is the last one when nothing follows it.
    let mut buf = vec![0u8; CHUNK + 1];
    let mut have = fill(&mut reader, &mut buf)?;
    let mut total = 0u64;
    loop {
        if have <= CHUNK {
            let ct = enc.encrypt_last(Payload { msg: &buf[..have], aad }).map_err(|_| Refused)?;
            writer.write_all(&ct)?;
            total += have as u64;
            break;
        }
        let ct = enc.encrypt_next(Payload { msg: &buf[..CHUNK], aad }).map_err(|_| Refused)?;
        writer.write_all(&ct)?;
        total += CHUNK as u64;
        buf[0] = buf[CHUNK];
        have = 1 + fill(&mut reader, &mut buf[1..])?;
    }
    buf.zeroize();
    writer.flush()?;
    Ok(total)
}

/// Opens a stream [`seal_stream`] made, chunk by chunk, into `writer`. A chunk is written only
/// once it is authenticated; a stream cut short, reordered or changed is refused (the writer
/// may then hold the chunks before the fault, which the caller discards). Returns the
/// plaintext's length.
pub fn open_stream(
    key: &SecretKey,
    aad: &[u8],
    mut reader: impl Read,
    mut writer: impl Write,
) -> Result<u64, StreamError> {
    let mut head = [0u8; 1 + STREAM_NONCE];
    if fill(&mut reader, &mut head)? != head.len() || head[0] != STREAM_VERSION {
        return Err(Refused.into());
    }
    let nonce: [u8; STREAM_NONCE] = head[1..].try_into().expect("19 bytes");
    let mut dec = DecryptorBE32::from_aead(key.cipher(), (&nonce).into());
    let sealed_chunk = CHUNK + TAG;
    let mut buf = vec![0u8; sealed_chunk + 1];
    let mut have = fill(&mut reader, &mut buf)?;
    let mut total = 0u64;
    loop {
        if have <= sealed_chunk {
            let pt = dec.decrypt_last(Payload { msg: &buf[..have], aad }).map_err(|_| Refused)?;
            writer.write_all(&pt)?;
            total += pt.len() as u64;
            break;
        }
        let mut pt = dec.decrypt_next(Payload { msg: &buf[..sealed_chunk], aad }).map_err(|_| Refused)?;
        writer.write_all(&pt)?;
        pt.zeroize();
        total += CHUNK as u64;
        buf[0] = buf[sealed_chunk];
        have = 1 + fill(&mut reader, &mut buf[1..])?;
    }
    writer.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_with_its_key_and_aad_only() {
        let k = SecretKey::generate();
        let s = seal(&k, b"reports.narrative:7", b"the words");
        assert_eq!(open(&k, b"reports.narrative:7", &s).unwrap(), b"the words");
        assert!(!s.windows(9).any(|w| w == b"the words"));
        assert_eq!(open(&k, b"reports.narrative:8", &s), Err(Refused), "moved to another row");
        assert_eq!(open(&SecretKey::generate(), b"reports.narrative:7", &s), Err(Refused));
        assert_ne!(seal(&k, b"", b"x"), seal(&k, b"", b"x"), "a fresh nonce every time");
        assert_eq!(open(&k, b"", &seal(&k, b"", b"")).unwrap(), b"");
    }

    #[test]
    fn every_tampered_byte_is_refused_not_returned() {
        let k = SecretKey::generate();
        let s = seal(&k, b"a", b"seventeen bytes!!");
        for i in 0..s.len() {
            let mut t = s.clone();
            t[i] ^= 0x01;
            assert_eq!(open(&k, b"a", &t), Err(Refused), "byte {i} flipped");
        }
        for cut in 0..s.len() {
            assert_eq!(open(&k, b"a", &s[..cut]), Err(Refused), "cut at {cut}");
        }
    }

    /// A reader that gives a generated stream of `len` bytes in pieces of odd sizes, and
    /// counts the largest piece the sealer asked for at once.
    struct Generated {
        left: usize,
        pos: usize,
        largest_ask: usize,
    }

    impl Read for Generated {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.largest_ask = self.largest_ask.max(buf.len());
            let n = buf.len().min(self.left).min(7919);
            for b in &mut buf[..n] {
                *b = (self.pos.wrapping_mul(31) >> 3) as u8;
                self.pos += 1;
            }
            self.left -= n;
            Ok(n)
        }
    }

    /// A writer that checks each write against the generated stream without keeping it, and
    /// counts the largest write.
    struct Checked {
        pos: usize,
        largest_write: usize,
        writes: usize,
    }

    impl Write for Checked {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.largest_write = self.largest_write.max(buf.len());
            self.writes += 1;
            for b in buf {
                assert_eq!(*b, (self.pos.wrapping_mul(31) >> 3) as u8, "byte {}", self.pos);
                self.pos += 1;
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_25_mb_stream_is_sealed_and_opened_in_bounded_chunks() {
        let len = 25 * 1024 * 1024 + 12345;
        let k = SecretKey::generate();
        let mut src = Generated { left: len, pos: 0, largest_ask: 0 };
        let mut sealed = Vec::new();
        assert_eq!(seal_stream(&k, b"attachment:3", &mut src, &mut sealed).unwrap(), len as u64);
        assert!(src.largest_ask <= CHUNK + 1, "the sealer read at most a chunk at a time");
        assert_eq!(sealed.len() as u64, sealed_stream_len(len as u64));
        let mut out = Checked { pos: 0, largest_write: 0, writes: 0 };
        assert_eq!(open_stream(&k, b"attachment:3", &sealed[..], &mut out).unwrap(), len as u64);
        assert_eq!(out.pos, len);
        assert!(out.largest_write <= CHUNK, "opened a chunk at a time");
        assert_eq!(out.writes, len / CHUNK + 1);
    }

    #[test]
    fn streams_of_every_edge_length_round_trip() {
        let k = SecretKey::generate();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 5] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut sealed = Vec::new();
            seal_stream(&k, b"", &data[..], &mut sealed).unwrap();
            assert_eq!(sealed.len() as u64, sealed_stream_len(len as u64), "{len}");
            let mut back = Vec::new();
            open_stream(&k, b"", &sealed[..], &mut back).unwrap();
            assert_eq!(back, data, "{len}");
        }
    }

    #[test]
    fn a_tampered_cut_or_reordered_stream_is_refused() {
        let k = SecretKey::generate();
        let data = vec![7u8; 3 * CHUNK + 100];
        let mut sealed = Vec::new();
        seal_stream(&k, b"f", &data[..], &mut sealed).unwrap();
        let refused = |bytes: &[u8]| {
            matches!(open_stream(&k, b"f", bytes, std::io::sink()), Err(StreamError::Refused(_)))
        };
        for i in [0, 5, 20, 100, CHUNK + 40, sealed.len() - 1] {
            let mut t = sealed.clone();
            t[i] ^= 0x80;
            assert!(refused(&t), "byte {i} flipped");
        }
        // Cut at a chunk boundary: the last whole chunk was not sealed as the last one.
        let head = 1 + STREAM_NONCE;
        assert!(refused(&sealed[..head + 2 * (CHUNK + TAG)]));
        assert!(refused(&sealed[..sealed.len() - 1]));
        // Two chunks swapped.
        let mut swapped = sealed[..head].to_vec();
        swapped.extend_from_slice(&sealed[head + CHUNK + TAG..head + 2 * (CHUNK + TAG)]);
        swapped.extend_from_slice(&sealed[head..head + CHUNK + TAG]);
        swapped.extend_from_slice(&sealed[head + 2 * (CHUNK + TAG)..]);
        assert!(refused(&swapped));
        assert!(matches!(
            open_stream(&k, b"other", &sealed[..], std::io::sink()),
            Err(StreamError::Refused(_))
        ));
    }
}
