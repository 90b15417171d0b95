//! What `/metrics` counts, and the Prometheus text format it is served in (written by hand: a
//! few counters, gauges and histograms need no crate).
//!
//! Privacy: a label value is always one of a fixed set written in the code (a channel, a
//! result, a route's template such as `/staff/reports/<id>`, a method): never a user, a
//! receipt, an address, a report id or a concrete path. Nothing here is stored; the numbers
//! start again at zero with the process.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bounds (seconds) of the latency and wait histograms.
pub const SECONDS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// A cumulative histogram of durations, lock-free.
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = self.bounds.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The histogram's lines: `name_bucket{labels,le=…}`, `name_sum`, `name_count`.
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (b, n) in self.bounds.iter().zip(&self.buckets) {
            cumulative += n.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = |s: &str| if s.is_empty() { String::new() } else { format!("{{{s}}}") };
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// One Argon2 queue (the reporters' receipts, the staff doors' passwords): how many wait for a
/// permit, how many hash, how long the wait was, how many were refused (a full queue).
pub struct QueueStats {
    pub waiting: AtomicUsize,
    pub running: AtomicUsize,
    pub refused: AtomicU64,
    pub wait: Histogram,
}

impl Default for QueueStats {
    fn default() -> Self {
        QueueStats {
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
            wait: Histogram::new(SECONDS),
        }
    }
}

/// How a report came in (`reports.channel`).
pub const CHANNELS: &[&str] = &["web", "api", "monitor"];

/// Why an SMS or USSD callback was refused (`channels`): a wrong secret, a bad or missing
/// signature, a replay (timestamp outside the window, or seen before), a gateway address not
/// allowed, a body that is not the adapter's format.
pub const CHANNEL_REFUSALS: &[&str] = &["secret", "signature", "replay", "address", "malformed"];

/// What a receipt look-up gave: the report, nothing, or a refusal (the hour's tries spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Opened,
    Unknown,
    Refused,
}

impl Lookup {
    const ALL: [Lookup; 3] = [Lookup::Opened, Lookup::Unknown, Lookup::Refused];

    fn label(self) -> &'static str {
        match self {
            Lookup::Opened => "opened",
            Lookup::Unknown => "unknown",
            Lookup::Refused => "refused",
        }
    }
}

/// The counters of this process, in Rocket's state (`Arc<Metrics>`).
pub struct Metrics {
    reports: [AtomicU64; 3],
    reports_refused: AtomicU64,
    /// Phone-channel callbacks refused, by [`CHANNEL_REFUSALS`].
    channel_refused: [AtomicU64; 5],
    lookups: [AtomicU64; 3],
    mail_sent: AtomicU64,
    mail_failed: AtomicU64,
    /// (method, route template) → latency. Bounded: the routes are the mounted ones.
    requests: Mutex<BTreeMap<(&'static str, String), Arc<Histogram>>>,
    /// Responses by status class (1xx … 5xx).
    statuses: [AtomicU64; 5],
    argon2: Mutex<Vec<(&'static str, Arc<QueueStats>)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            reports: Default::default(),
            reports_refused: AtomicU64::new(0),
            channel_refused: Default::default(),
            lookups: Default::default(),
            mail_sent: AtomicU64::new(0),
            mail_failed: AtomicU64::new(0),
            requests: Mutex::new(BTreeMap::new()),
            statuses: Default::default(),
            argon2: Mutex::new(vec![]),
        }
    }
}

/// What is read from elsewhere at each scrape: the mail outbox (the database, so every
/// instance shows the same) and the database pool (this process).
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub mail_queued: i64,
    pub mail_given_up: i64,
    pub mail_sent: i64,
    /// Seconds since the oldest mail still to send was queued (0 when none).
    pub mail_oldest_unsent_secs: i64,
    pub pool_max: u32,
    pub pool_open: u32,
    pub pool_idle: u32,
}

impl Metrics {
    /// A report filed (committed) through `channel` (one of [`CHANNELS`]).
    pub fn report_filed(&self, channel: &str) {
        if let Some(i) = CHANNELS.iter().position(|c| *c == channel) {
            self.reports[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A phone-channel callback refused, for `reason` (one of [`CHANNEL_REFUSALS`]).
    pub fn channel_refused(&self, reason: &str) {
        if let Some(i) = CHANNEL_REFUSALS.iter().position(|c| *c == reason) {
            self.channel_refused[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A report refused by the client's hourly limit.
    pub fn report_refused(&self) {
        self.reports_refused.fetch_add(1, Ordering::Relaxed);
    }

    pub fn receipt_lookup(&self, result: Lookup) {
        let i = Lookup::ALL.iter().position(|l| *l == result).unwrap_or(0);
        self.lookups[i].fetch_add(1, Ordering::Relaxed);
    }

    /// One delivery try of this process's outbox worker.
    pub fn mail_delivery(&self, sent: bool) {
        let c = if sent { &self.mail_sent } else { &self.mail_failed };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an Argon2 queue under `name` (a fixed word: `reporters`, `staff`).
    pub fn add_argon2_queue(&self, name: &'static str, stats: Arc<QueueStats>) {
        self.argon2.lock().unwrap_or_else(|p| p.into_inner()).push((name, stats));
    }

    /// A request answered: `route` is the template of the route that handled it (or
    /// `unmatched`), never the concrete path.
    pub fn request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let hist = {
            let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(&(method, route.to_string())) {
                Some(h) => h.clone(),
                None => map
                    .entry((method, route.to_string()))
                    .or_insert_with(|| Arc::new(Histogram::new(SECONDS)))
                    .clone(),
            }
        };
        hist.observe(took);
        if (100..600).contains(&status) {
            self.statuses[usize::from(status / 100 - 1)].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text format (version 0.0.4).
    pub fn render(&self, s: &Snapshot) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "vigie_reports_received_total",
            "counter",
            "Reports filed by this process, by channel.",
        );
        for (c, n) in CHANNELS.iter().zip(&self.reports) {
            let _ = writeln!(
                out,
                "vigie_reports_received_total{{channel=\"{c}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        head(
            &mut out,
            "vigie_reports_refused_total",
            "counter",
            "Reports refused by a client's hourly limit.",
        );
        let _ = writeln!(out, "vigie_reports_refused_total {}", self.reports_refused.load(Ordering::Relaxed));
        head(
            &mut out,
            "vigie_channel_refused_total",
            "counter",
            "SMS and USSD callbacks refused, by reason.",
        );
        for (reason, n) in CHANNEL_REFUSALS.iter().zip(&self.channel_refused) {
            let _ = writeln!(
                out,
                "vigie_channel_refused_total{{reason=\"{reason}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        head(
            &mut out,
            "vigie_receipt_lookups_total",
            "counter",
            "Receipt look-ups by result (refused: the hour's tries spent).",
        );
        for (l, n) in Lookup::ALL.iter().zip(&self.lookups) {
            let _ = writeln!(
                out,
                "vigie_receipt_lookups_total{{result=\"{}\"}} {}",
                l.label(),
                n.load(Ordering::Relaxed)
            );
        }
        let queues = self.argon2.lock().unwrap_or_else(|p| p.into_inner()).clone();
        head(&mut out, "vigie_argon2_waiting", "gauge", "Argon2id computations waiting for a permit.");
        for (q, st) in &queues {
            let _ =
                writeln!(out, "vigie_argon2_waiting{{queue=\"{q}\"}} {}", st.waiting.load(Ordering::Relaxed));
        }
        head(&mut out, "vigie_argon2_running", "gauge", "Argon2id computations running.");
        for (q, st) in &queues {
            let _ =
                writeln!(out, "vigie_argon2_running{{queue=\"{q}\"}} {}", st.running.load(Ordering::Relaxed));
        }
        head(
            &mut out,
            "vigie_argon2_refused_total",
            "counter",
            "Argon2id computations refused because the queue was full.",
        );
        for (q, st) in &queues {
            let _ = writeln!(
                out,
                "vigie_argon2_refused_total{{queue=\"{q}\"}} {}",
                st.refused.load(Ordering::Relaxed)
            );
        }
        head(&mut out, "vigie_argon2_wait_seconds", "histogram", "Time waited for an Argon2id permit.");
        for (q, st) in &queues {
            st.wait.write(&mut out, "vigie_argon2_wait_seconds", &format!("queue=\"{q}\""));
        }
        head(&mut out, "vigie_mail_outbox", "gauge", "Mail in the outbox (all instances) by state.");
        for (state, n) in [("queued", s.mail_queued), ("given_up", s.mail_given_up), ("sent", s.mail_sent)] {
            let _ = writeln!(out, "vigie_mail_outbox{{state=\"{state}\"}} {n}");
        }
        head(
            &mut out,
            "vigie_mail_oldest_unsent_age_seconds",
            "gauge",
            "Age of the oldest mail still to send (0: none).",
        );
        let _ = writeln!(out, "vigie_mail_oldest_unsent_age_seconds {}", s.mail_oldest_unsent_secs);
        head(
            &mut out,
            "vigie_mail_deliveries_total",
            "counter",
            "Delivery tries of this process's outbox worker, by result.",
        );
        let _ = writeln!(
            out,
            "vigie_mail_deliveries_total{{result=\"sent\"}} {}",
            self.mail_sent.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "vigie_mail_deliveries_total{{result=\"failed\"}} {}",
            self.mail_failed.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "vigie_db_pool_connections",
            "gauge",
            "Database pool of this process: max, open, idle, in use.",
        );
        for (state, n) in [
            ("max", s.pool_max),
            ("open", s.pool_open),
            ("idle", s.pool_idle),
            ("in_use", s.pool_open.saturating_sub(s.pool_idle)),
        ] {
            let _ = writeln!(out, "vigie_db_pool_connections{{state=\"{state}\"}} {n}");
        }
        head(&mut out, "vigie_http_responses_total", "counter", "Responses by status class.");
        for (i, n) in self.statuses.iter().enumerate() {
            let _ = writeln!(
                out,
                "vigie_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                n.load(Ordering::Relaxed)
            );
        }
        head(
            &mut out,
            "vigie_http_request_duration_seconds",
            "histogram",
            "Request latency by method and route template.",
        );
        let requests: Vec<_> = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, h)| (k.clone(), h.clone()))
            .collect();
        for ((method, route), h) in requests {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(&route));
            h.write(&mut out, "vigie_http_request_duration_seconds", &labels);
        }
        out
    }
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_count_everything() {
        let h = Histogram::new(&[0.01, 0.1]);
        h.observe(Duration::from_millis(5));
        h.observe(Duration::from_millis(50));
        h.observe(Duration::from_secs(3));
        let mut out = String::new();
        h.write(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.01\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.1\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 3.055\n"), "{out}");
    }

    #[test]
    fn counters_move_and_unknown_channels_are_not_labels() {
        let m = Metrics::default();
        m.report_filed("api");
        m.report_filed("../etc/passwd");
        m.receipt_lookup(Lookup::Refused);
        m.request("GET", "/staff/reports/<id>", 200, Duration::from_millis(3));
        let text = m.render(&Snapshot::default());
        assert!(text.contains("vigie_reports_received_total{channel=\"api\"} 1\n"));
        assert!(!text.contains("passwd"));
        assert!(text.contains("vigie_receipt_lookups_total{result=\"refused\"} 1\n"));
        assert!(text.contains(
            "vigie_http_request_duration_seconds_count{method=\"GET\",route=\"/staff/reports/<id>\"} 1\n"
        ));
        assert!(text.contains("vigie_http_responses_total{class=\"2xx\"} 1\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
