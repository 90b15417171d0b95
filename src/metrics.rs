//! What `/metrics` counts, and the Prometheus text format it is served in (written by hand: a
//! few counters, gauges and histograms need no crate).
//!
//! Privacy: a label value is always one of a fixed set written in the code (a channel, a
//! result, a route's template such as `/staff/reports/<id>`, a method): never a user, a
//! receipt, an address, a report id or a concrete path. Nothing here is stored; the numbers
//! start again at zero with the process.
//!
//! Privacy: what a public visitor moves (reports, receipt look-ups, phone callbacks, the
//! reporters' Argon2 queue, the public routes' latency and statuses) is published **once a
//! day**: a scrape shows those figures as they stood when the day (UTC) began, so a monitoring
//! system that keeps every scrape learns how many reports a day brought, never the minute one
//! came in. Staff routes and the mail and database figures are live.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;

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

    /// Its figures now, as plain numbers.
    fn figures(&self) -> Figures {
        Figures {
            bounds: self.bounds,
            buckets: self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect(),
            count: self.count(),
            sum_micros: self.sum_micros.load(Ordering::Relaxed),
        }
    }
}

/// A histogram's figures at one moment: what is published of it.
#[derive(Debug, Clone)]
struct Figures {
    bounds: &'static [f64],
    buckets: Vec<u64>,
    count: u64,
    sum_micros: u64,
}

impl Figures {
    /// The histogram's lines: `name_bucket{labels,le=…}`, `name_sum`, `name_count`.
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (b, n) in self.bounds.iter().zip(&self.buckets) {
            cumulative += n;
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        let count = self.count;
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micros as f64 / 1e6;
        let braces = |s: &str| if s.is_empty() { String::new() } else { format!("{{{s}}}") };
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// Whether a route (its template, or `unmatched`) serves the public, whose figures are
/// published once a day: everything but the staff pages, the trainers' API, `/metrics` and
/// `/healthz`.
pub fn is_public_route(route: &str) -> bool {
    let staff = route == "/staff"
        || route.starts_with("/staff/")
        || route.starts_with("/staff?")
        || route.starts_with("/api/v1/training/")
        || route == "/metrics"
        || route == "/healthz";
    !staff
}

/// The public figures as they stood when `day` began (UTC): what a scrape shows of them.
#[derive(Debug, Clone)]
struct Published {
    day: NaiveDate,
    reports: [u64; 3],
    reports_refused: u64,
    channel_refused: [u64; 5],
    lookups: [u64; 3],
    statuses: [u64; 5],
    /// (method, route template) of the public routes → latency.
    requests: BTreeMap<(&'static str, String), Figures>,
    /// The public Argon2 queues (the reporters'): name, refused, wait.
    queues: Vec<(&'static str, u64, Figures)>,
}

impl Published {
    fn empty(day: NaiveDate) -> Published {
        Published {
            day,
            reports: [0; 3],
            reports_refused: 0,
            channel_refused: [0; 5],
            lookups: [0; 3],
            statuses: [0; 5],
            requests: BTreeMap::new(),
            queues: vec![],
        }
    }
}

fn load<const N: usize>(counters: &[AtomicU64; N]) -> [u64; N] {
    std::array::from_fn(|i| counters[i].load(Ordering::Relaxed))
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

/// Which day it is (UTC), for the daily publication; a test gives its own.
pub type Clock = Box<dyn Fn() -> NaiveDate + Send + Sync>;

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
    /// Responses of the staff routes by status class (1xx … 5xx).
    statuses: [AtomicU64; 5],
    /// Responses of the public routes by status class.
    public_statuses: [AtomicU64; 5],
    /// The Argon2 queues: name, whether the public moves it, figures.
    argon2: Mutex<Vec<(&'static str, bool, Arc<QueueStats>)>>,
    published: Mutex<Published>,
    clock: Clock,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::with_clock(Box::new(|| chrono::Utc::now().date_naive()))
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
    /// Counters that publish the public figures when `clock` turns to a new day.
    pub fn with_clock(clock: Clock) -> Metrics {
        let today = clock();
        Metrics {
            reports: Default::default(),
            reports_refused: AtomicU64::new(0),
            channel_refused: Default::default(),
            lookups: Default::default(),
            mail_sent: AtomicU64::new(0),
            mail_failed: AtomicU64::new(0),
            requests: Mutex::new(BTreeMap::new()),
            statuses: Default::default(),
            public_statuses: Default::default(),
            argon2: Mutex::new(vec![]),
            published: Mutex::new(Published::empty(today)),
            clock,
        }
    }

    /// Publishes the public figures if the day has turned since they were last published: done
    /// when each request arrives and at each scrape, so that what the new day brings is counted
    /// after the publication.
    pub fn roll(&self) {
        let today = (self.clock)();
        let mut published = self.published.lock().unwrap_or_else(|p| p.into_inner());
        if published.day == today {
            return;
        }
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|((_, route), _)| is_public_route(route))
            .map(|(k, h)| (k.clone(), h.figures()))
            .collect();
        let queues = self
            .argon2
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, public, _)| *public)
            .map(|(name, _, st)| (*name, st.refused.load(Ordering::Relaxed), st.wait.figures()))
            .collect();
        *published = Published {
            day: today,
            reports: load(&self.reports),
            reports_refused: self.reports_refused.load(Ordering::Relaxed),
            channel_refused: load(&self.channel_refused),
            lookups: load(&self.lookups),
            statuses: load(&self.public_statuses),
            requests,
            queues,
        };
    }

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

    /// Counts an Argon2 queue under `name` (a fixed word: `reporters`, `staff`); `public`: the
    /// public moves it (its figures are published once a day, and it has no gauges).
    pub fn add_argon2_queue(&self, name: &'static str, public: bool, stats: Arc<QueueStats>) {
        if public {
            // Nothing published yet: its figures read zero until the day turns.
            let zero = Figures {
                bounds: stats.wait.bounds,
                buckets: vec![0; stats.wait.bounds.len()],
                count: 0,
                sum_micros: 0,
            };
            self.published.lock().unwrap_or_else(|p| p.into_inner()).queues.push((name, 0, zero));
        }
        self.argon2.lock().unwrap_or_else(|p| p.into_inner()).push((name, public, stats));
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
        let statuses = if is_public_route(route) { &self.public_statuses } else { &self.statuses };
        if (100..600).contains(&status) {
            statuses[usize::from(status / 100 - 1)].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text format (version 0.0.4): the public figures as published (see the
    /// module's note), the others live.
    pub fn render(&self, s: &Snapshot) -> String {
        self.roll();
        let p = self.published.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut out = String::with_capacity(16 * 1024);
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "vigie_reports_received_total",
            "counter",
            "Reports filed by this process before this day (UTC), by channel.",
        );
        for (c, n) in CHANNELS.iter().zip(&p.reports) {
            let _ = writeln!(out, "vigie_reports_received_total{{channel=\"{c}\"}} {n}");
        }
        head(
            &mut out,
            "vigie_reports_refused_total",
            "counter",
            "Reports refused by a client's hourly limit, before this day (UTC).",
        );
        let _ = writeln!(out, "vigie_reports_refused_total {}", p.reports_refused);
        head(
            &mut out,
            "vigie_channel_refused_total",
            "counter",
            "SMS and USSD callbacks refused before this day (UTC), by reason.",
        );
        for (reason, n) in CHANNEL_REFUSALS.iter().zip(&p.channel_refused) {
            let _ = writeln!(out, "vigie_channel_refused_total{{reason=\"{reason}\"}} {n}");
        }
        head(
            &mut out,
            "vigie_receipt_lookups_total",
            "counter",
            "Receipt look-ups before this day (UTC) by result (refused: the hour's tries spent).",
        );
        for (l, n) in Lookup::ALL.iter().zip(&p.lookups) {
            let _ = writeln!(out, "vigie_receipt_lookups_total{{result=\"{}\"}} {n}", l.label());
        }
        // The staff queues live; the public ones as published, without gauges (a gauge read at
        // a scrape would show a receipt being hashed at that moment).
        let staff_queues: Vec<_> = self
            .argon2
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, public, _)| !public)
            .map(|(q, _, st)| (*q, st.clone()))
            .collect();
        head(
            &mut out,
            "vigie_argon2_waiting",
            "gauge",
            "Argon2id computations waiting for a permit (staff queue).",
        );
        for (q, st) in &staff_queues {
            let _ =
                writeln!(out, "vigie_argon2_waiting{{queue=\"{q}\"}} {}", st.waiting.load(Ordering::Relaxed));
        }
        head(&mut out, "vigie_argon2_running", "gauge", "Argon2id computations running (staff queue).");
        for (q, st) in &staff_queues {
            let _ =
                writeln!(out, "vigie_argon2_running{{queue=\"{q}\"}} {}", st.running.load(Ordering::Relaxed));
        }
        let queues: Vec<(&str, u64, Figures)> = p
            .queues
            .iter()
            .cloned()
            .chain(
                staff_queues
                    .iter()
                    .map(|(q, st)| (*q, st.refused.load(Ordering::Relaxed), st.wait.figures())),
            )
            .collect();
        head(
            &mut out,
            "vigie_argon2_refused_total",
            "counter",
            "Argon2id computations refused because the queue was full (reporters: before this day).",
        );
        for (q, refused, _) in &queues {
            let _ = writeln!(out, "vigie_argon2_refused_total{{queue=\"{q}\"}} {refused}");
        }
        head(
            &mut out,
            "vigie_argon2_wait_seconds",
            "histogram",
            "Time waited for an Argon2id permit (reporters: before this day).",
        );
        for (q, _, wait) in &queues {
            wait.write(&mut out, "vigie_argon2_wait_seconds", &format!("queue=\"{q}\""));
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
        head(
            &mut out,
            "vigie_http_responses_total",
            "counter",
            "Responses by status class (public routes: before this day).",
        );
        for (i, (staff, public)) in self.statuses.iter().zip(&p.statuses).enumerate() {
            let n = staff.load(Ordering::Relaxed) + public;
            let _ = writeln!(out, "vigie_http_responses_total{{class=\"{}xx\"}} {n}", i + 1);
        }
        head(
            &mut out,
            "vigie_http_request_duration_seconds",
            "histogram",
            "Request latency by method and route template (public routes: before this day).",
        );
        let mut requests: BTreeMap<(&'static str, String), Figures> = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|((_, route), _)| !is_public_route(route))
            .map(|(k, h)| (k.clone(), h.figures()))
            .collect();
        requests.extend(p.requests);
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
        h.figures().write(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.01\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.1\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 3.055\n"), "{out}");
    }

    /// Counters on a clock the test turns: day 0 until `next_day`.
    fn on_a_clock() -> (Metrics, Arc<std::sync::atomic::AtomicI64>) {
        let day = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let d = day.clone();
        let start = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let m =
            Metrics::with_clock(Box::new(move || start + chrono::Days::new(d.load(Ordering::SeqCst) as u64)));
        (m, day)
    }

    #[test]
    fn counters_move_and_unknown_channels_are_not_labels() {
        let (m, day) = on_a_clock();
        m.report_filed("api");
        m.report_filed("../etc/passwd");
        m.receipt_lookup(Lookup::Refused);
        m.request("GET", "/staff/reports/<id>", 200, Duration::from_millis(3));
        day.store(1, Ordering::SeqCst);
        let text = m.render(&Snapshot::default());
        assert!(text.contains("vigie_reports_received_total{channel=\"api\"} 1\n"));
        assert!(!text.contains("passwd"));
        assert!(text.contains("vigie_receipt_lookups_total{result=\"refused\"} 1\n"));
        assert!(text.contains(
            "vigie_http_request_duration_seconds_count{method=\"GET\",route=\"/staff/reports/<id>\"} 1\n"
        ));
        assert!(text.contains("vigie_http_responses_total{class=\"2xx\"} 1\n"));
    }

    /// Privacy: what the public moves shows at the first scrape of the next day, all of the
    /// day at once; what staff do shows at once.
    #[test]
    fn the_public_figures_are_published_when_the_day_turns_and_the_staff_figures_at_once() {
        let (m, day) = on_a_clock();
        let reporters = Arc::new(QueueStats::default());
        m.add_argon2_queue("reporters", true, reporters.clone());
        m.add_argon2_queue("staff", false, Arc::new(QueueStats::default()));
        m.roll();
        m.report_filed("web");
        m.receipt_lookup(Lookup::Opened);
        m.channel_refused("replay");
        m.report_refused();
        reporters.wait.observe(Duration::from_millis(2));
        reporters.running.store(1, Ordering::Relaxed);
        m.request("POST", "/reports", 303, Duration::from_millis(40));
        m.request("GET", "unmatched", 404, Duration::from_millis(1));
        m.request("POST", "/staff/cases/<id>/assign", 303, Duration::from_millis(9));
        let line = |text: &str, name: &str| {
            text.lines().find(|l| l.starts_with(name)).map(|l| l.rsplit(' ').next().unwrap().to_string())
        };
        let same_day = m.render(&Snapshot::default());
        assert_eq!(line(&same_day, "vigie_reports_received_total{channel=\"web\"}").as_deref(), Some("0"));
        assert_eq!(line(&same_day, "vigie_receipt_lookups_total{result=\"opened\"}").as_deref(), Some("0"));
        assert_eq!(line(&same_day, "vigie_channel_refused_total{reason=\"replay\"}").as_deref(), Some("0"));
        assert_eq!(line(&same_day, "vigie_reports_refused_total").as_deref(), Some("0"));
        assert_eq!(line(&same_day, "vigie_http_responses_total{class=\"3xx\"}").as_deref(), Some("1"));
        assert_eq!(line(&same_day, "vigie_http_responses_total{class=\"4xx\"}").as_deref(), Some("0"));
        assert!(!same_day.contains("route=\"/reports\""), "{same_day}");
        assert!(!same_day.contains("route=\"unmatched\""), "{same_day}");
        assert!(same_day.contains("route=\"/staff/cases/<id>/assign\""), "{same_day}");
        assert!(!same_day.contains("vigie_argon2_running{queue=\"reporters\"}"), "{same_day}");
        assert!(same_day.contains("vigie_argon2_running{queue=\"staff\"} 0"), "{same_day}");
        assert!(same_day.contains("vigie_argon2_wait_seconds_count{queue=\"reporters\"} 0"), "{same_day}");

        day.store(1, Ordering::SeqCst);
        m.roll();
        // The new day's report is counted after the publication.
        m.report_filed("web");
        let next_day = m.render(&Snapshot::default());
        assert_eq!(line(&next_day, "vigie_reports_received_total{channel=\"web\"}").as_deref(), Some("1"));
        assert_eq!(line(&next_day, "vigie_receipt_lookups_total{result=\"opened\"}").as_deref(), Some("1"));
        assert_eq!(line(&next_day, "vigie_channel_refused_total{reason=\"replay\"}").as_deref(), Some("1"));
        assert_eq!(line(&next_day, "vigie_reports_refused_total").as_deref(), Some("1"));
        assert_eq!(line(&next_day, "vigie_http_responses_total{class=\"3xx\"}").as_deref(), Some("2"));
        assert_eq!(line(&next_day, "vigie_http_responses_total{class=\"4xx\"}").as_deref(), Some("1"));
        assert!(next_day
            .contains("vigie_http_request_duration_seconds_count{method=\"POST\",route=\"/reports\"} 1\n"));
        assert!(next_day.contains("vigie_argon2_wait_seconds_count{queue=\"reporters\"} 1\n"), "{next_day}");

        // Two days without a request: the next scrape publishes everything before it.
        day.store(3, Ordering::SeqCst);
        let later = m.render(&Snapshot::default());
        assert_eq!(line(&later, "vigie_reports_received_total{channel=\"web\"}").as_deref(), Some("2"));
    }

    #[test]
    fn staff_routes_are_told_from_public_ones() {
        for r in
            ["/staff", "/staff/cases/<id>", "/api/v1/training/flags?<method>&<q..>", "/metrics", "/healthz"]
        {
            assert!(!is_public_route(r), "{r}");
        }
        for r in [
            "/",
            "/reports",
            "/receipt",
            "/api/v1/reports",
            "/channels/sms",
            "unmatched",
            "/staffing",
            "/static/<path..>",
        ] {
            assert!(is_public_route(r), "{r}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
