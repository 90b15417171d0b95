//! The time where time decides (TOTP steps, session timeouts, locks, throttle windows): one
//! clock in Rocket's state, the system's by default. Tests pin it, so nothing flakes at a
//! 30-second step or an hour's edge. Free of web and database types.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

/// The system clock, unless pinned to a moment (tests only). A clone is the same clock (the
/// daily publication of `/metrics` reads it too), pinned together.
#[derive(Debug, Default, Clone)]
pub struct Clock {
    /// Unix seconds of the pinned moment; 0 means the system clock.
    pinned: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.pinned.load(Ordering::SeqCst) {
            0 => Utc::now(),
            secs => DateTime::from_timestamp(secs, 0).unwrap_or_else(Utc::now),
        }
    }

    pub fn naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    pub fn unix(&self) -> u64 {
        u64::try_from(self.now().timestamp()).unwrap_or(0)
    }

    /// Pins the clock to a moment (`None`: back to the system clock).
    pub fn pin(&self, at: Option<DateTime<Utc>>) {
        self.pinned.store(at.map_or(0, |t| t.timestamp()), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_stays_put_and_unpins() {
        let c = Clock::system();
        let t = DateTime::from_timestamp(1_800_000_015, 0).unwrap();
        c.pin(Some(t));
        assert_eq!(c.now(), t);
        assert_eq!(c.unix(), 1_800_000_015);
        c.pin(None);
        assert!((Utc::now() - c.now()).num_seconds().abs() < 5);
    }
}
