//! Abuse protection without tracking: per-client counters held in memory only, keyed by a
//! salted hash of the client's address (`auth::throttle::Windowed`, the staff doors' counter
//! too). The salt is random and replaced every hour, and the counters with it, so nothing can
//! link a key back to an address or across hours. The time is the caller's (`clock::Clock`, in
//! Rocket's state), so tests pin it at a window's edge.
//! Privacy: the address itself is never stored, logged or written anywhere.
//! Security: an IPv6 client is keyed by its /64 (one subscriber's network, whose 2^64 addresses
//! it can use freely), an IPv4-mapped address by its IPv4 address.
//! Free of web and database types.

use std::net::IpAddr;

use crate::auth::throttle::Windowed;

#[derive(Default, Clone, Copy)]
struct Counters {
    reports: u32,
    receipt_failures: u32,
    upload_bytes: u64,
}

/// The length of the public side's window: one hour.
pub const WINDOW_SECS: u64 = 3600;

pub struct RateLimiter {
    counts: Windowed<Counters>,
    reports_per_hour: u32,
    receipt_tries_per_hour: u32,
    upload_bytes_per_hour: u64,
}

impl RateLimiter {
    pub fn new(reports_per_hour: u32, receipt_tries_per_hour: u32) -> Self {
        RateLimiter {
            counts: Windowed::new(WINDOW_SECS),
            reports_per_hour,
            receipt_tries_per_hour,
            upload_bytes_per_hour: u64::MAX,
        }
    }

    /// Sets how many bytes of evidence one client may send per hour, all reports together.
    pub fn with_upload_budget(mut self, bytes_per_hour: u64) -> Self {
        self.upload_bytes_per_hour = bytes_per_hour;
        self
    }

    /// Reserves `bytes` of this client's hourly upload budget before the files are read; false
    /// (and nothing reserved) when they do not fit. Nothing is given back if the files are
    /// then refused.
    pub fn reserve_upload(&self, now: u64, client: Option<IpAddr>, bytes: u64) -> bool {
        let limit = self.upload_bytes_per_hour;
        self.with_counters(now, client, |c| {
            if c.upload_bytes.saturating_add(bytes) > limit {
                return false;
            }
            c.upload_bytes += bytes;
            true
        })
    }

    fn with_counters<T>(&self, now: u64, client: Option<IpAddr>, f: impl FnOnce(&mut Counters) -> T) -> T {
        self.counts.with(now, &client_key(client), f)
    }

    /// Counts one report from this client; false when over the hourly limit.
    pub fn allow_report(&self, now: u64, client: Option<IpAddr>) -> bool {
        let limit = self.reports_per_hour;
        self.with_counters(now, client, |c| {
            if c.reports >= limit {
                return false;
            }
            c.reports += 1;
            true
        })
    }

    /// Reserves one receipt try for this client, before any work is done on the receipt:
    /// the check and the count are one step under the lock, so parallel requests cannot all
    /// pass the check before any of them is counted. A wrong receipt keeps its try for the
    /// hour; a right one gives it back ([`RateLimiter::release_receipt_try`]), which cannot
    /// buy a guesser anything (a slot is held while the right receipt is checked, then freed),
    /// but keeps reporters behind one shared address (a mobile operator's NAT) from using up
    /// each other's hour. `Some(n)`: n tries are now held this hour; `None`: over the limit.
    pub fn reserve_receipt_try(&self, now: u64, client: Option<IpAddr>) -> Option<u32> {
        let limit = self.receipt_tries_per_hour;
        self.with_counters(now, client, |c| {
            if c.receipt_failures >= limit {
                return None;
            }
            c.receipt_failures += 1;
            Some(c.receipt_failures)
        })
    }

    /// Gives back the try of a receipt that opened a report.
    pub fn release_receipt_try(&self, now: u64, client: Option<IpAddr>) {
        self.with_counters(now, client, |c| c.receipt_failures = c.receipt_failures.saturating_sub(1));
    }

    /// How many receipt tries this client holds this hour.
    pub fn receipt_tries(&self, now: u64, client: Option<IpAddr>) -> u32 {
        self.with_counters(now, client, |c| c.receipt_failures)
    }

    /// The pause before answering a wrong receipt: it grows with the failures, so guessing is
    /// slow, while a person who mistyped once barely notices.
    pub fn failure_delay_ms(failures: u32) -> u64 {
        (u64::from(failures.saturating_sub(1)) * 250).min(3000)
    }
}

/// The bytes a client is counted by: an IPv4 address; the /64 network of an IPv6 address.
fn client_key(client: Option<IpAddr>) -> Vec<u8> {
    client.map(|ip| crate::auth::throttle::network_of(ip).into_bytes()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A moment inside a window (tests never read the system clock).
    const NOW: u64 = 1_800_000_000;

    #[test]
    fn limits_per_client() {
        let l = RateLimiter::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.allow_report(NOW, Some(a)));
        assert!(l.allow_report(NOW, Some(a)));
        assert!(!l.allow_report(NOW, Some(a)));
        assert!(l.allow_report(NOW, Some(b)));
        for n in 1..=3 {
            assert_eq!(l.reserve_receipt_try(NOW, Some(a)), Some(n));
        }
        assert_eq!(l.reserve_receipt_try(NOW, Some(a)), None);
        assert_eq!(l.receipt_tries(NOW, Some(a)), 3, "a refused try is not counted again");
        assert_eq!(l.reserve_receipt_try(NOW, Some(b)), Some(1));
        // A right receipt gives its try back; the wrong ones stay counted.
        l.release_receipt_try(NOW, Some(b));
        assert_eq!(l.receipt_tries(NOW, Some(b)), 0);
        l.release_receipt_try(NOW, Some(b));
        assert_eq!(l.receipt_tries(NOW, Some(b)), 0);
        let l = RateLimiter::new(2, 3).with_upload_budget(100);
        assert!(l.reserve_upload(NOW, Some(a), 60));
        assert!(!l.reserve_upload(NOW, Some(a), 41));
        assert!(l.reserve_upload(NOW, Some(a), 40));
        assert!(l.reserve_upload(NOW, Some(b), 100));
        assert_eq!(RateLimiter::failure_delay_ms(1), 0);
        assert_eq!(RateLimiter::failure_delay_ms(100), 3000);
    }

    #[test]
    fn one_ipv6_network_of_64_is_one_client() {
        let l = RateLimiter::new(2, 3);
        let first: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:fffe".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(l.reserve_receipt_try(NOW, Some(first)), Some(1));
        assert_eq!(l.reserve_receipt_try(NOW, Some(same_64)), Some(2));
        assert_eq!(l.reserve_receipt_try(NOW, Some(same_64)), Some(3));
        assert_eq!(l.reserve_receipt_try(NOW, Some(first)), None, "the whole /64 is blocked");
        assert_eq!(l.reserve_receipt_try(NOW, Some(other_64)), Some(1));
        assert!(l.allow_report(NOW, Some(first)));
        assert!(l.allow_report(NOW, Some(same_64)));
        assert!(!l.allow_report(NOW, Some(first)));
        // An IPv4-mapped IPv6 address is the IPv4 client, not a /64 of its own.
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(l.reserve_receipt_try(NOW, Some(v4)), Some(1));
        assert_eq!(l.reserve_receipt_try(NOW, Some(mapped)), Some(2));
    }

    #[test]
    fn parallel_tries_never_pass_the_limit() {
        let l = std::sync::Arc::new(RateLimiter::new(2, 30));
        let a: IpAddr = "10.0.0.9".parse().unwrap();
        let handles: Vec<_> = (0..300)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || l.reserve_receipt_try(NOW, Some(a)).is_some())
            })
            .collect();
        let passed = handles.into_iter().filter_map(|h| h.join().ok()).filter(|ok| *ok).count();
        assert_eq!(passed, 30);
    }

    #[test]
    fn the_hour_ends_at_its_edge_not_a_second_before_or_after() {
        let l = RateLimiter::new(1, 1);
        let a: IpAddr = "10.0.0.3".parse().unwrap();
        let edge = 1_800_003_600; // a multiple of 3600
        assert!(l.allow_report(edge - 3600, Some(a)));
        assert!(!l.allow_report(edge - 1, Some(a)), "the last second of the hour");
        assert!(l.allow_report(edge, Some(a)), "the first second of the next");
        assert_eq!(l.reserve_receipt_try(edge, Some(a)), Some(1));
        assert_eq!(l.reserve_receipt_try(edge + 3599, Some(a)), None);
        assert_eq!(l.reserve_receipt_try(edge + 3600, Some(a)), Some(1));
    }
}
