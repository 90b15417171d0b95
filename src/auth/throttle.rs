//! How hard the staff doors push back: the slowdown of failed sign-ins, the growing locks of
//! the second factor, and the per-client and per-email counters held in memory (SQLite; on
//! PostgreSQL the staff doors count in the database, `auth::shared`). Free of web and database
//! types.
//!
//! Counters are keyed by a salted SHA-256 of the client's network (an IPv4 address, or the
//! /64 of an IPv6 address, which one household or phone usually holds whole) or of an email
//! typed into the sign-in form. The salt is random and replaced with the window, and the
//! counters with it: nothing written anywhere, nothing linkable across windows.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The wait before a password is checked, after `failures` failed tries in a row: none for
/// the first three, then 0.5 s doubling up to 8 s. The same for an unknown email as for a
/// real account, so the delay does not tell which emails exist.
pub fn slowdown(failures: i32) -> Duration {
    if failures < 3 {
        return Duration::ZERO;
    }
    Duration::from_millis((500u64 << (failures - 3).min(4) as u32).min(8000))
}

/// How long `lockout_after` wrong passwords in a row lock an account (at the sign-in page and
/// at a password change alike).
pub fn password_lock() -> chrono::Duration {
    chrono::Duration::minutes(15)
}

/// How long the `n`-th wrong second-factor code locks an account (each `lockout_after`-th):
/// 15 minutes, doubling with each lock, up to a day. With 10 tries per lock, guessing one
/// valid code in ~333,000 takes years, not hours.
pub fn second_factor_lock(n: i32, lockout_after: i32) -> chrono::Duration {
    let locks = (n / lockout_after.max(1)).max(1) - 1;
    let minutes = 15i64 << locks.min(7);
    chrono::Duration::minutes(minutes.min(24 * 60))
}

/// The part of a client address one person is held to: the address for IPv4, its /64 for
/// IPv6 (a single device is handed a whole /64 and can use any address in it).
pub fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// One entry of `trusted_proxies`: an address, or a network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// `192.0.2.10`, `10.0.0.0/8`, `::1`, `2001:db8::/32`.
    pub fn parse(s: &str) -> Option<Net> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = s.parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The client a request comes from. Security: `X-Forwarded-For` is read only when the
/// connection comes from a trusted proxy (anyone else could write any address there); it is
/// then walked from the right (the hop the proxy added) past the trusted proxies, and the first
/// other address is the client. A header missing, empty or not an address leaves the peer.
/// Privacy: the result is used for the rate limiters' salted keys (and a staff member's audit
/// entry), never stored for a reporter.
pub fn client_of(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[Net]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.iter().any(|n| n.contains(peer)) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else { return Some(peer) };
    let mut client = peer;
    for hop in header.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { return Some(client) };
        client = ip;
        if !trusted.iter().any(|n| n.contains(ip)) {
            break;
        }
    }
    Some(client)
}

/// The parsed `trusted_proxies`, in Rocket's state.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<Net>);

struct Window<C> {
    start: u64,
    salt: [u8; 16],
    counts: HashMap<[u8; 32], C>,
}

/// Per-key counters of type `C` in fixed windows of `window_secs`, keyed by a salted SHA-256
/// of the key: the one in-memory counter of the staff doors ([`Counter`]) and of the public
/// side (`reports::limits::RateLimiter`). The salt is replaced with the window and every
/// counter forgotten with it. The time is given by the caller (from `clock::Clock`), so tests
/// pin it and nothing flakes at a window's edge.
pub struct Windowed<C> {
    window: Mutex<Window<C>>,
    window_secs: u64,
}

fn fresh_salt() -> [u8; 16] {
    let mut s = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

impl<C: Default> Windowed<C> {
    pub fn new(window_secs: u64) -> Windowed<C> {
        Windowed {
            window: Mutex::new(Window { start: u64::MAX, salt: fresh_salt(), counts: HashMap::new() }),
            window_secs: window_secs.max(1),
        }
    }

    /// Runs `f` on the counters of `key` in the window of `now_secs`, under the lock: a check
    /// and a count made in `f` are one step.
    pub fn with<T>(&self, now_secs: u64, key: &[u8], f: impl FnOnce(&mut C) -> T) -> T {
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let start = now_secs - now_secs % self.window_secs;
        if w.start != start {
            // New window: new salt, every counter forgotten.
            w.start = start;
            w.salt = fresh_salt();
            w.counts.clear();
        }
        let mut h = Sha256::new();
        h.update(w.salt);
        h.update(key);
        let k: [u8; 32] = h.finalize().into();
        f(w.counts.entry(k).or_default())
    }
}

/// Counts events per key within fixed windows of `window_secs`; at most `limit` are allowed
/// per key and window. The check and the count are one step under a lock, so parallel
/// requests cannot all pass a check made before any of them is counted.
pub struct Counter {
    counts: Windowed<u32>,
    limit: u32,
}

impl Counter {
    pub fn new(limit: u32, window_secs: u64) -> Counter {
        Counter { counts: Windowed::new(window_secs), limit }
    }

    /// Counts one event for `key`; false (and not counted) when the limit is reached.
    pub fn hit(&self, now_secs: u64, key: &str) -> bool {
        let limit = self.limit;
        self.counts.with(now_secs, key.as_bytes(), |n| {
            if *n >= limit {
                return false;
            }
            *n += 1;
            true
        })
    }

    /// Takes one event of `key` back (in the current window; nothing below zero).
    pub fn take_back(&self, now_secs: u64, key: &str) {
        self.counts.with(now_secs, key.as_bytes(), |n| *n = n.saturating_sub(1));
    }

    /// Counts one event for `key` whatever the limit, and returns how many came before it.
    pub fn add(&self, now_secs: u64, key: &str) -> u32 {
        self.counts.with(now_secs, key.as_bytes(), |n| {
            *n += 1;
            *n - 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowdown_grows_and_is_capped() {
        assert_eq!(slowdown(0), Duration::ZERO);
        assert_eq!(slowdown(2), Duration::ZERO);
        assert_eq!(slowdown(3), Duration::from_millis(500));
        assert_eq!(slowdown(4), Duration::from_millis(1000));
        assert_eq!(slowdown(50), Duration::from_millis(8000));
    }

    #[test]
    fn second_factor_locks_grow_to_a_day() {
        assert_eq!(second_factor_lock(10, 10), chrono::Duration::minutes(15));
        assert_eq!(second_factor_lock(20, 10), chrono::Duration::minutes(30));
        assert_eq!(second_factor_lock(30, 10), chrono::Duration::minutes(60));
        assert_eq!(second_factor_lock(10_000, 10), chrono::Duration::minutes(24 * 60));
    }

    #[test]
    fn the_client_is_read_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusted = vec![Net::parse("10.0.0.0/8").unwrap(), Net::parse("::1").unwrap()];
        let xff = Some("198.51.100.9, 203.0.113.5, 10.1.2.3");
        // From a trusted proxy: the first untrusted hop from the right.
        assert_eq!(client_of(Some(ip("10.0.0.2")), xff, &trusted), Some(ip("203.0.113.5")));
        assert_eq!(client_of(Some(ip("::1")), Some("203.0.113.7"), &trusted), Some(ip("203.0.113.7")));
        // From anyone else: the header is ignored.
        assert_eq!(client_of(Some(ip("192.0.2.1")), xff, &trusted), Some(ip("192.0.2.1")));
        assert_eq!(client_of(Some(ip("10.0.0.2")), xff, &[]), Some(ip("10.0.0.2")));
        // Missing or malformed: the proxy itself (never an address made up).
        assert_eq!(client_of(Some(ip("10.0.0.2")), None, &trusted), Some(ip("10.0.0.2")));
        assert_eq!(client_of(Some(ip("10.0.0.2")), Some("unknown"), &trusted), Some(ip("10.0.0.2")));
        // Every hop trusted: the leftmost.
        assert_eq!(client_of(Some(ip("10.0.0.2")), Some("10.9.9.9"), &trusted), Some(ip("10.9.9.9")));
    }

    #[test]
    fn networks_parse_and_contain() {
        let n = Net::parse("192.168.0.0/16").unwrap();
        assert!(n.contains("192.168.44.1".parse().unwrap()));
        assert!(n.contains("::ffff:192.168.44.1".parse().unwrap()));
        assert!(!n.contains("192.169.0.1".parse().unwrap()));
        assert!(Net::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(Net::parse("2001:db8::/32").unwrap().contains("2001:db8:5::1".parse().unwrap()));
        assert_eq!(Net::parse("10.0.0.0/33"), None);
        assert_eq!(Net::parse("proxy.local"), None);
    }

    #[test]
    fn ipv6_addresses_of_one_64_are_one_client() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        assert_ne!(network_of(a), network_of(c));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(network_of(v4), network_of(mapped));
    }

    #[test]
    fn counters_hold_their_limit_under_threads_and_forget_with_the_window() {
        let c = std::sync::Arc::new(Counter::new(30, 3600));
        let allowed: usize = (0..8)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || (0..100).filter(|_| c.hit(7200, "k")).count())
            })
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(allowed, 30);
        assert!(c.hit(7200, "other"));
        assert!(c.hit(7200 + 3600, "k"), "a new window starts afresh");
        assert_eq!(c.add(7200 + 3600, "x"), 0);
        assert_eq!(c.add(7200 + 3600, "x"), 1);
    }

    #[test]
    fn a_window_ends_exactly_at_its_edge_and_time_zero_is_a_window_too() {
        let c = Counter::new(1, 3600);
        assert!(c.hit(0, "k"), "the first window starts at 0");
        assert!(!c.hit(3599, "k"), "the last second of the window");
        assert!(c.hit(3600, "k"), "the first second of the next");
        let w: Windowed<(u32, u64)> = Windowed::new(60);
        w.with(120, b"a", |c| c.1 += 5);
        assert_eq!(w.with(179, b"a", |c| c.1), 5);
        assert_eq!(w.with(180, b"a", |c| c.1), 0);
    }
}
