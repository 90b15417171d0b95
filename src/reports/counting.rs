//! The public side's hourly limits (reports per client, receipt tries, evidence bytes), counted
//! where every instance sees them (issue 14): on PostgreSQL, which several instances may
//! share, in the database (`rate_counts`), each check-and-count one conditional upsert; on
//! SQLite (one machine) in memory, `limits::RateLimiter`.
//!
//! Privacy: a client is counted under `SHA-256(pepper, salt of the hour, network)`. The salt is
//! random, shared through the database (`rate_salts`) and deleted with its counters when the
//! hour ends; the pepper is derived from the installation's secret key and never written. A
//! copy of the database taken during the hour therefore cannot be turned back into addresses
//! by trying every IPv4 address, and after the hour nothing links a key to anyone. The address
//! itself is never stored.

use std::net::IpAddr;
use std::sync::Mutex;

use super::limits::{RateLimiter, WINDOW_SECS};
use super::model;
use crate::db::{Db, Engine};
use crate::error::AppResult;

const REPORT: &str = "report";
const RECEIPT: &str = "receipt";
const UPLOAD: &str = "upload";

struct Shared {
    pepper: [u8; 32],
    /// The salt of the current hour, once read: (window start, salt).
    salt: Mutex<Option<(i64, String)>>,
}

pub struct Limits {
    memory: RateLimiter,
    shared: Option<Shared>,
    reports_per_hour: i64,
    receipt_tries_per_hour: i64,
    upload_bytes_per_hour: i64,
}

impl Limits {
    /// Counts in the database on PostgreSQL, in memory on SQLite.
    pub fn new(
        engine: Engine,
        secret_key: &str,
        reports_per_hour: u32,
        receipt_tries_per_hour: u32,
        upload_bytes_per_hour: u64,
    ) -> Limits {
        let shared = (engine == Engine::Postgres).then(|| {
            let mut pepper = [0u8; 32];
            let derived = crate::crypto::sha256_hex(format!("vigie/rate-limits/{secret_key}").as_bytes());
            pepper.copy_from_slice(&hex::decode(derived).unwrap_or_default()[..32]);
            Shared { pepper, salt: Mutex::new(None) }
        });
        Limits {
            memory: RateLimiter::new(reports_per_hour, receipt_tries_per_hour)
                .with_upload_budget(upload_bytes_per_hour),
            shared,
            reports_per_hour: i64::from(reports_per_hour),
            receipt_tries_per_hour: i64::from(receipt_tries_per_hour),
            upload_bytes_per_hour: i64::try_from(upload_bytes_per_hour).unwrap_or(i64::MAX),
        }
    }

    /// Whether the counters are the database's (several instances) or this process's.
    pub fn shared(&self) -> bool {
        self.shared.is_some()
    }

    /// The hour's window and this client's key in it.
    async fn key(shared: &Shared, db: &Db, now: u64, client: Option<IpAddr>) -> AppResult<(i64, String)> {
        let window = i64::try_from(now - now % WINDOW_SECS).unwrap_or(i64::MAX);
        let cached = shared.salt.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let salt = match cached {
            Some((w, s)) if w == window => s,
            _ => {
                let fresh = crate::crypto::random_token(16);
                let s = db.run(move |c| Ok(model::rate_salt(c, window, &fresh)?)).await?;
                *shared.salt.lock().unwrap_or_else(|p| p.into_inner()) = Some((window, s.clone()));
                s
            }
        };
        let mut buf = Vec::with_capacity(96);
        buf.extend_from_slice(&shared.pepper);
        buf.extend_from_slice(salt.as_bytes());
        buf.push(b'|');
        if let Some(ip) = client {
            buf.extend_from_slice(crate::auth::throttle::network_of(ip).as_bytes());
        }
        Ok((window, crate::crypto::sha256_hex(&buf)))
    }

    async fn add(
        shared: &Shared,
        db: &Db,
        now: u64,
        client: Option<IpAddr>,
        kind: &'static str,
        delta: i64,
        limit: i64,
    ) -> AppResult<Option<i64>> {
        let (window, key) = Self::key(shared, db, now, client).await?;
        db.run(move |c| Ok(model::rate_add(c, window, &key, kind, delta, limit)?)).await
    }

    /// Counts one report from this client; false when over the hourly limit.
    pub async fn allow_report(&self, db: &Db, now: u64, client: Option<IpAddr>) -> AppResult<bool> {
        match &self.shared {
            None => Ok(self.memory.allow_report(now, client)),
            Some(s) => Ok(Self::add(s, db, now, client, REPORT, 1, self.reports_per_hour).await?.is_some()),
        }
    }

    /// Reserves `bytes` of this client's hourly evidence budget; false when they do not fit.
    pub async fn reserve_upload(
        &self,
        db: &Db,
        now: u64,
        client: Option<IpAddr>,
        bytes: u64,
    ) -> AppResult<bool> {
        match &self.shared {
            None => Ok(self.memory.reserve_upload(now, client, bytes)),
            Some(s) => {
                let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
                Ok(Self::add(s, db, now, client, UPLOAD, bytes, self.upload_bytes_per_hour).await?.is_some())
            }
        }
    }

    /// Reserves one receipt try (see `RateLimiter::reserve_receipt_try`): `Some(n)` tries held
    /// this hour, over every instance; `None` past the limit.
    pub async fn reserve_receipt_try(
        &self,
        db: &Db,
        now: u64,
        client: Option<IpAddr>,
    ) -> AppResult<Option<u32>> {
        match &self.shared {
            None => Ok(self.memory.reserve_receipt_try(now, client)),
            Some(s) => Ok(Self::add(s, db, now, client, RECEIPT, 1, self.receipt_tries_per_hour)
                .await?
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX))),
        }
    }

    /// Gives back the try of a receipt that opened a report.
    pub async fn release_receipt_try(&self, db: &Db, now: u64, client: Option<IpAddr>) -> AppResult<()> {
        match &self.shared {
            None => {
                self.memory.release_receipt_try(now, client);
                Ok(())
            }
            Some(s) => {
                let (window, key) = Self::key(s, db, now, client).await?;
                db.run(move |c| Ok(model::rate_release(c, window, &key, RECEIPT)?)).await
            }
        }
    }
}
