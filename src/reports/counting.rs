//! The public side's hourly limits (reports per client, receipt tries, evidence bytes), counted
//! where every instance sees them (issue 14): on PostgreSQL, which several instances may
//! share, in the database (`rate_counts`), each check-and-count one conditional upsert; on
//! SQLite (one machine) in memory, `limits::RateLimiter`.
//!
//! Privacy: a client is counted under `SHA-256(pepper, salt of the hour, network)`
//! (`auth::shared::SharedCounts`, which the staff doors' throttles share). The address itself
//! is never stored.

use std::net::IpAddr;

use super::limits::RateLimiter;
use crate::auth::shared::SharedCounts;
use crate::db::{Db, Engine};
use crate::error::AppResult;

const REPORT: &str = "report";
const RECEIPT: &str = "receipt";
const UPLOAD: &str = "upload";

pub struct Limits {
    memory: RateLimiter,
    shared: Option<SharedCounts>,
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
        let shared = (engine == Engine::Postgres).then(|| SharedCounts::new(secret_key));
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

    async fn add(
        shared: &SharedCounts,
        db: &Db,
        now: u64,
        client: Option<IpAddr>,
        kind: &'static str,
        delta: i64,
        limit: i64,
    ) -> AppResult<Option<i64>> {
        shared.add(db, now, &subject(client), kind, delta, limit).await
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
            Some(s) => s.release(db, now, &subject(client), RECEIPT).await,
        }
    }
}

/// What a client is counted as: its network (an IPv4 address, an IPv6 /64); nothing when the
/// address is unknown (every such request shares one counter).
fn subject(client: Option<IpAddr>) -> String {
    client.map(crate::auth::throttle::network_of).unwrap_or_default()
}
