//! The audit log: append-only and hash-chained. Every entry carries the SHA-256 of the
//! previous entry and of its own content, so editing or deleting a row breaks the chain, which
//! `vigie audit verify` detects. Anyone may call [`record`]; it writes in the caller's
//! transaction so the entry commits or rolls back with the change it describes.
//!
//! Privacy: a public visitor's address is never recorded; staff addresses may be.

pub mod model;
mod routes;

pub use routes::routes;

pub use model::{record, verify, Actor, Entry, VerifyError};

/// The content hash of an entry: SHA-256 over its fields and the previous hash, each field
/// length-prefixed so that no two different entries hash the same.
pub fn entry_hash(fields: &[&str]) -> String {
    let mut buf = Vec::new();
    for f in fields {
        buf.extend_from_slice(f.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(f.as_bytes());
        buf.push(b'|');
    }
    crate::crypto::sha256_hex(&buf)
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field_and_on_boundaries() {
        let a = entry_hash(&["ab", "c"]);
        assert_ne!(a, entry_hash(&["a", "bc"]));
        assert_ne!(a, entry_hash(&["ab", "d"]));
        assert_eq!(a, entry_hash(&["ab", "c"]));
    }
}
