//! Counters kept in the database, where every instance on one PostgreSQL sees them (issue 14):
//! the public side's hourly limits (`reports::counting`) and the staff doors' throttles
//! (`accounts::StaffDoors`). Each check-and-count is one conditional upsert in `rate_counts`.
//!
//! Privacy: a subject (a client's network, an email typed at the sign-in form) is counted under
//! `SHA-256(pepper, salt of the hour, subject)`. The salt is random, shared through the database
//! (`rate_salts`) and deleted with its counters when the hour ends; the pepper is derived from
//! the installation's secret key and never written. A copy of the database taken during the
//! hour therefore cannot be turned back into addresses or emails by trying them all, and after
//! the hour nothing links a key to anyone.

use std::sync::Mutex;

use super::model;
use crate::db::Db;
use crate::error::AppResult;

/// The windows of the shared counters: one hour (their salt's life). A shorter window (the
/// sign-in throttle's 15 minutes) is a part of the hour written into the subject.
pub const WINDOW_SECS: u64 = 3600;

pub struct SharedCounts {
    pepper: [u8; 32],
    /// The salt of the current hour, once read: (window start, salt).
    salt: Mutex<Option<(i64, String)>>,
}

impl SharedCounts {
    pub fn new(secret_key: &str) -> SharedCounts {
        let mut pepper = [0u8; 32];
        let derived = crate::crypto::sha256_hex(format!("vigie/rate-limits/{secret_key}").as_bytes());
        pepper.copy_from_slice(&hex::decode(derived).unwrap_or_default()[..32]);
        SharedCounts { pepper, salt: Mutex::new(None) }
    }

    /// The hour's window and the key of `subject` in it.
    pub async fn key(&self, db: &Db, now: u64, subject: &str) -> AppResult<(i64, String)> {
        let window = i64::try_from(now - now % WINDOW_SECS).unwrap_or(i64::MAX);
        let cached = self.salt.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let salt = match cached {
            Some((w, s)) if w == window => s,
            _ => {
                let fresh = crate::crypto::random_token(16);
                let s = db.run(move |c| Ok(model::rate_salt(c, window, &fresh)?)).await?;
                *self.salt.lock().unwrap_or_else(|p| p.into_inner()) = Some((window, s.clone()));
                s
            }
        };
        let mut buf = Vec::with_capacity(96);
        buf.extend_from_slice(&self.pepper);
        buf.extend_from_slice(salt.as_bytes());
        buf.push(b'|');
        buf.extend_from_slice(subject.as_bytes());
        Ok((window, crate::crypto::sha256_hex(&buf)))
    }

    /// Adds `delta` to the counter of (`subject`, `kind`) this hour unless that takes it past
    /// `limit`: the new count, or `None` (nothing added).
    pub async fn add(
        &self,
        db: &Db,
        now: u64,
        subject: &str,
        kind: &'static str,
        delta: i64,
        limit: i64,
    ) -> AppResult<Option<i64>> {
        let (window, key) = self.key(db, now, subject).await?;
        db.run(move |c| Ok(model::rate_add(c, window, &key, kind, delta, limit)?)).await
    }

    /// Takes one back from the counter of (`subject`, `kind`) this hour.
    pub async fn release(&self, db: &Db, now: u64, subject: &str, kind: &'static str) -> AppResult<()> {
        let (window, key) = self.key(db, now, subject).await?;
        db.run(move |c| Ok(model::rate_release(c, window, &key, kind)?)).await
    }
}
