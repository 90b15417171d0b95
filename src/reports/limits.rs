//! Abuse protection without tracking: per-client counters held in memory only, keyed by a
//! salted hash of the client's address. The salt is random and replaced every hour, and the
//! counters with it, so nothing can link a key back to an address or across hours.
//! Privacy: the address itself is never stored, logged or written anywhere.
//! Free of web and database types.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Default, Clone, Copy)]
struct Counters {
    reports: u32,
    receipt_failures: u32,
}

struct Window {
    hour: u64,
    salt: [u8; 16],
    counts: HashMap<[u8; 32], Counters>,
}

pub struct RateLimiter {
    window: Mutex<Window>,
    reports_per_hour: u32,
    receipt_tries_per_hour: u32,
}

fn current_hour() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() / 3600).unwrap_or(0)
}

fn fresh_salt() -> [u8; 16] {
    let mut s = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

impl RateLimiter {
    pub fn new(reports_per_hour: u32, receipt_tries_per_hour: u32) -> Self {
        RateLimiter {
            window: Mutex::new(Window { hour: current_hour(), salt: fresh_salt(), counts: HashMap::new() }),
            reports_per_hour,
            receipt_tries_per_hour,
        }
    }

    fn with_counters<T>(&self, client: Option<IpAddr>, f: impl FnOnce(&mut Counters) -> T) -> T {
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let hour = current_hour();
        if w.hour != hour {
            // New hour: new salt, and every counter forgotten.
            w.hour = hour;
            w.salt = fresh_salt();
            w.counts.clear();
        }
        let mut h = Sha256::new();
        h.update(w.salt);
        h.update(client.map(|ip| ip.to_string()).unwrap_or_default().as_bytes());
        let key: [u8; 32] = h.finalize().into();
        f(w.counts.entry(key).or_default())
    }

    /// Counts one report from this client; false when over the hourly limit.
    pub fn allow_report(&self, client: Option<IpAddr>) -> bool {
        let limit = self.reports_per_hour;
        self.with_counters(client, |c| {
            if c.reports >= limit {
                return false;
            }
            c.reports += 1;
            true
        })
    }

    /// How many wrong receipts this client typed this hour.
    pub fn receipt_failures(&self, client: Option<IpAddr>) -> u32 {
        self.with_counters(client, |c| c.receipt_failures)
    }

    pub fn receipt_blocked(&self, client: Option<IpAddr>) -> bool {
        self.receipt_failures(client) >= self.receipt_tries_per_hour
    }

    pub fn record_receipt_failure(&self, client: Option<IpAddr>) -> u32 {
        self.with_counters(client, |c| {
            c.receipt_failures += 1;
            c.receipt_failures
        })
    }

    /// The pause before answering a wrong receipt: it grows with the failures, so guessing is
    /// slow, while a person who mistyped once barely notices.
    pub fn failure_delay_ms(failures: u32) -> u64 {
        (u64::from(failures.saturating_sub(1)) * 250).min(3000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client() {
        let l = RateLimiter::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.allow_report(Some(a)));
        assert!(l.allow_report(Some(a)));
        assert!(!l.allow_report(Some(a)));
        assert!(l.allow_report(Some(b)));
        for _ in 0..3 {
            assert!(!l.receipt_blocked(Some(a)));
            l.record_receipt_failure(Some(a));
        }
        assert!(l.receipt_blocked(Some(a)));
        assert!(!l.receipt_blocked(Some(b)));
        assert_eq!(RateLimiter::failure_delay_ms(1), 0);
        assert_eq!(RateLimiter::failure_delay_ms(100), 3000);
    }
}
