//! Configuration: read from `Rocket.toml`, `ROCKET_*` variables and `DATABASE_URL`, then
//! validated once at start-up with a message that names the bad key. Handlers get it from
//! Rocket's state; there is no global.

use std::path::PathBuf;

use rocket::figment::{providers::Env, Figment};
use serde::Deserialize;

fn default_database_url() -> String {
    "sqlite://data/vigie.db".into()
}

/// The mail settings are the outbox's own (`notify`); the configuration holds them as `mail`.
pub use crate::notify::{MailConfig, MailTransport, SmtpTls};

/// How the server's own log lines are written (`log_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// The parsed `metrics_allowed`, in Rocket's state.
#[derive(Debug, Clone, Default)]
pub struct MetricsAllowed(pub Vec<crate::auth::throttle::Net>);

impl MetricsAllowed {
    pub fn allows(&self, client: Option<std::net::IpAddr>) -> bool {
        client.is_some_and(|ip| self.0.iter().any(|n| n.contains(ip)))
    }
}

impl Config {
    /// `metrics_allowed`, parsed (checked by `validate`).
    pub fn metrics_allowed(&self) -> MetricsAllowed {
        MetricsAllowed(
            self.metrics_allowed.iter().filter_map(|p| crate::auth::throttle::Net::parse(p)).collect(),
        )
    }

    /// `trusted_proxies`, parsed (checked by `validate`).
    pub fn trusted_proxies(&self) -> crate::auth::throttle::TrustedProxies {
        crate::auth::throttle::TrustedProxies(
            self.trusted_proxies.iter().filter_map(|p| crate::auth::throttle::Net::parse(p)).collect(),
        )
    }
}

/// The trainers' rules (issue 12): what counts as a pattern, a duplicate offer, a warning.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TrainingConfig {
    /// Allegations of a unit × module at or over which a pattern is a gap.
    pub gap_min_count: usize,
    /// Days within which another partner's offer of the same module to the same unit is a
    /// duplicate.
    pub offer_window_days: i64,
    /// The threshold method: `threshold_count` allegations within `threshold_days` days.
    pub threshold_count: usize,
    pub threshold_days: i64,
    /// The statistical method's expected share of false flags among its flags (Bayesian false
    /// discovery rate): the most likely elevated units are flagged, as many as keep it at most
    /// this (0.1 by default).
    pub statistical_fdr: f64,
    /// The longest window, in whole months, before and after the month of a delivery over
    /// which its effect is measured (shortened to the months over since delivery and to the
    /// months since the first allegation on record, so that both windows stay equal).
    pub effect_window_months: i64,
    /// Below this many incidents before and after together, the verdict is "too few data".
    pub effect_min_events: u64,
    /// A remediation action is "reviewed" only once this many whole months are over after the
    /// month one of its sessions was delivered (and its review date has come): the effect it is
    /// judged on needs them.
    pub review_min_months: i64,
}

/// The expected share of false flags the trainers' statistical early warning tolerates by
/// default (`training::warning`; chosen on planted data: docs/PERFORMANCE.md, seventh pass).
pub const DEFAULT_STATISTICAL_FDR: f64 = 0.1;

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            gap_min_count: 3,
            offer_window_days: 180,
            threshold_count: 3,
            threshold_days: 90,
            statistical_fdr: DEFAULT_STATISTICAL_FDR,
            effect_window_months: 24,
            effect_min_events: 10,
            review_min_months: 6,
        }
    }
}

/// Reports by SMS and USSD (issue 16, `src/channels/`; docs/CHANNELS.md). Each endpoint is off
/// (404) while its secret is empty.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ChannelsConfig {
    /// The last part of `POST /channels/ussd/<secret>` (at least 24 characters).
    pub ussd_secret: String,
    /// The last part of `POST /channels/sms/<adapter>/<secret>` (at least 24 characters).
    pub sms_secret: String,
    /// When set, the SMS callbacks must carry `X-Timestamp` (Unix seconds) and `X-Signature`
    /// (hex HMAC-SHA-256 of the body followed by the timestamp, under this key).
    pub sms_signing_key: String,
    /// The same for the USSD callback (aggregators that sign).
    pub ussd_signing_key: String,
    /// How far a signed callback's timestamp may be from now, in seconds.
    pub signature_window_secs: u64,
    /// Gateways (addresses or CIDR networks) allowed to call; empty: any (the secret decides).
    pub allowed_gateways: Vec<String>,
    /// The gateway's send API (`POST`, JSON `{"message": …, "phoneNumbers": […]}`); empty:
    /// no SMS is sent (replies wait in the outbox).
    pub gateway_url: String,
    /// HTTP basic credentials of the send API, `user:password` (empty: none).
    pub gateway_credentials: String,
    /// Messages one number may send per hour (SMS and USSD steps together).
    pub number_messages_per_hour: u32,
    /// Callbacks one gateway address may make per minute.
    pub gateway_calls_per_minute: u32,
    /// Tries of one SMS before it is given up.
    pub sms_max_attempts: i32,
    /// How often the SMS outbox is looked at, in seconds.
    pub sms_poll_seconds: u64,
    /// The USSD code reporters dial, shown in SMS replies (e.g. `*123*45#`).
    pub ussd_code: String,
}

impl Default for ChannelsConfig {
    fn default() -> Self {
        ChannelsConfig {
            ussd_secret: String::new(),
            sms_secret: String::new(),
            sms_signing_key: String::new(),
            ussd_signing_key: String::new(),
            signature_window_secs: 300,
            allowed_gateways: vec![],
            gateway_url: String::new(),
            gateway_credentials: String::new(),
            number_messages_per_hour: 60,
            gateway_calls_per_minute: 600,
            sms_max_attempts: 8,
            sms_poll_seconds: 10,
            ussd_code: String::new(),
        }
    }
}

impl ChannelsConfig {
    /// `allowed_gateways`, parsed (checked by `validate`).
    pub fn allowed(&self) -> Vec<crate::auth::throttle::Net> {
        self.allowed_gateways.iter().filter_map(|p| crate::auth::throttle::Net::parse(p)).collect()
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Config {
    pub database_url: String,
    pub db_pool_size: u32,
    /// PostgreSQL: how long a statement may run, and wait for a lock, in seconds (0: no limit).
    pub db_statement_timeout_secs: u32,
    pub db_lock_timeout_secs: u32,
    /// Where the generated secret key, the SQLite file and development mail live.
    pub data_dir: PathBuf,
    /// Folder holding `regions.geojson`, `cercles.geojson`, `regions_display.geojson` and
    /// `places.csv`; a newer official file with the same properties can replace them.
    pub boundaries_dir: PathBuf,
    pub locales_dir: PathBuf,
    /// Recorded prompts, `<lang>/<key>.ogg` (a form's question read aloud): a text whose
    /// recording exists gets a "listen" button. Optional; see docs/LANGUAGES.md.
    pub audio_dir: PathBuf,
    pub static_dir: PathBuf,
    /// The address staff use, for links in mail.
    pub public_url: String,
    pub upload_max_mb: u32,
    pub upload_max_files: u32,
    /// Evidence one report may hold in all (files, MiB), whoever adds it and whenever.
    pub report_max_files: u32,
    pub report_max_mb: u32,
    /// Evidence one report may receive in one day (files, MiB), the first filing included.
    pub report_daily_files: u32,
    pub report_daily_mb: u32,
    /// Evidence one client may send per hour, all reports together (MiB; in memory on SQLite,
    /// in the database on PostgreSQL, where the instances count together).
    pub client_upload_mb_per_hour: u32,
    /// Reports one client may file per hour (counted like `client_upload_mb_per_hour`).
    pub reports_per_hour: u32,
    /// Receipt look-ups one client may try per hour before being slowed down.
    pub receipt_tries_per_hour: u32,
    /// How many Argon2id computations may run at once.
    pub argon2_concurrency: usize,
    /// Receipt look-ups hash apart from filing, with their own permits: a flood of look-ups
    /// (a right receipt gives its try back) never delays a report.
    pub receipt_argon2_concurrency: usize,
    /// Look-ups waiting for or running Argon2id beyond which the next is answered 503.
    pub receipt_argon2_queue: usize,
    /// How many 19 MiB Argon2id work buffers stay allocated between receipts (at most
    /// `argon2_concurrency`): more is faster under load, fewer is less resident memory.
    pub argon2_kept_buffers: usize,
    pub acknowledge_days: i64,
    pub triage_days: i64,
    pub response_days: i64,
    pub duplicate_distance_km: f64,
    pub duplicate_window_days: i64,
    /// The staff map's hotspots: events within this distance of each other (km)…
    pub hotspot_distance_km: f64,
    /// …and at most this many days apart…
    pub hotspot_days: i64,
    /// …and at least this many events around a core event, itself included (DBSCAN).
    pub hotspot_min_events: usize,
    /// How long a public statistics request waits for the tables to be brought up to date
    /// after the data moved; past it, the tables kept before are answered while the refresh
    /// goes on in the background (milliseconds).
    pub stats_refresh_wait_ms: u64,
    /// A closed quarter in which fewer events (with an allegation) occurred is not published
    /// at all, nor its year: so few figures would point at the events behind them. 0: none.
    pub stats_period_floor: u64,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub lockout_after: i32,
    /// Argon2id computations the staff doors may run at once, apart from the reporters'.
    pub staff_argon2_concurrency: usize,
    /// Sign-ins waiting for or running Argon2id beyond which the next is answered 503.
    pub staff_argon2_queue: usize,
    /// Sign-in tries one client (IPv4 address or IPv6 /64) may make per 15 minutes.
    pub sign_in_tries_per_client: u32,
    /// Forgot-password requests one client may make per hour.
    pub forgot_per_client: u32,
    pub totp_required_roles: Vec<crate::auth::Role>,
    /// The reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the
    /// client; from any other peer the header is ignored. Empty (the default): never read.
    pub trusted_proxies: Vec<String>,
    /// The clients (addresses or CIDR networks) `/metrics` answers; anyone else gets 404. The
    /// client is the one `trusted_proxies` resolves, so a proxy on loopback does not open it to
    /// the world. Empty: `/metrics` answers nobody.
    pub metrics_allowed: Vec<String>,
    /// `text` (the default): one plain line per staff request or error; `json`: JSON lines.
    pub log_format: LogFormat,
    pub mail: MailConfig,
    pub training: TrainingConfig,
    pub channels: ChannelsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: default_database_url(),
            db_pool_size: 8,
            db_statement_timeout_secs: 60,
            db_lock_timeout_secs: 10,
            data_dir: PathBuf::from("data"),
            boundaries_dir: PathBuf::from("resources/mali"),
            locales_dir: PathBuf::from("locales"),
            audio_dir: PathBuf::from("resources/audio"),
            static_dir: PathBuf::from("static"),
            public_url: "http://127.0.0.1:8000".into(),
            upload_max_mb: 25,
            upload_max_files: 5,
            report_max_files: 20,
            report_max_mb: 250,
            report_daily_files: 10,
            report_daily_mb: 125,
            client_upload_mb_per_hour: 250,
            reports_per_hour: 20,
            receipt_tries_per_hour: 30,
            argon2_concurrency: 2,
            receipt_argon2_concurrency: 1,
            receipt_argon2_queue: 16,
            argon2_kept_buffers: 1,
            acknowledge_days: 7,
            triage_days: 14,
            response_days: 90,
            duplicate_distance_km: 25.0,
            duplicate_window_days: 3,
            hotspot_distance_km: 5.0,
            hotspot_days: 30,
            hotspot_min_events: 5,
            stats_refresh_wait_ms: 100,
            stats_period_floor: 20,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_after: 10,
            staff_argon2_concurrency: 1,
            staff_argon2_queue: 8,
            sign_in_tries_per_client: 30,
            forgot_per_client: 5,
            // Every role: monitors keep the names of those they filed for, trainers see patterns.
            totp_required_roles: crate::auth::Role::ALL.to_vec(),
            trusted_proxies: vec![],
            metrics_allowed: vec!["127.0.0.1".into(), "::1".into()],
            log_format: LogFormat::Text,
            mail: MailConfig::default(),
            training: TrainingConfig::default(),
            channels: ChannelsConfig::default(),
        }
    }
}

/// Keys that were renamed, with what replaced them: refused at start rather than ignored, so
/// that what the operator set is not silently dropped (or read in the wrong unit).
const RENAMED: [(&str, &str); 2] = [
    (
        "training.statistical_alpha",
        "`training.statistical_fdr`, the expected share of false flags among the early warning's \
         flags (0.1 by default; docs/PERFORMANCE.md, seventh pass)",
    ),
    (
        "training.effect_window_days",
        "`training.effect_window_months`, the longest window in whole months (24 by default): an \
         effect is counted by month, never by day",
    ),
];

/// The figment Vigie reads: Rocket's own (Rocket.toml, `ROCKET_*`), then `DATABASE_URL`.
pub fn figment() -> Figment {
    rocket::Config::figment().merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()))
}

impl Config {
    /// Extracts and validates; the error names the key at fault.
    pub fn from_figment(figment: &Figment) -> Result<Config, String> {
        // A key that was renamed: say so rather than drop what the operator set.
        for (old, new) in RENAMED {
            if figment.contains(old) {
                return Err(format!("invalid configuration: `{old}` was replaced by {new}"));
            }
        }
        let config: Config = figment.extract().map_err(|e| {
            let e = e.into_iter().next().map(|e| {
                let key = e.path.join(".");
                if key.is_empty() {
                    e.to_string()
                } else {
                    format!("`{key}`: {}", e.kind)
                }
            });
            format!("invalid configuration: {}", e.unwrap_or_default())
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        fn bad(key: &str, why: &str) -> Result<(), String> {
            Err(format!("invalid configuration: `{key}` {why}"))
        }
        if let Err(e) = crate::db::DbUrl::parse(&self.database_url) {
            return bad("database_url", &format!("is not usable: {e}"));
        }
        for (key, v) in [
            ("channels.ussd_secret", &self.channels.ussd_secret),
            ("channels.sms_secret", &self.channels.sms_secret),
        ] {
            if !v.is_empty()
                && (v.len() < 24 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            {
                return bad(key, "must be empty (off) or at least 24 letters, digits, - or _");
            }
        }
        if !self.channels.sms_secret.is_empty() && self.channels.gateway_url.is_empty() {
            // SMS reporters' receipts and replies would wait in the outbox, never sent.
            return bad("channels.gateway_url", "must be set when channels.sms_secret is");
        }
        if self.channels.allowed_gateways.iter().any(|p| crate::auth::throttle::Net::parse(p).is_none()) {
            return bad("channels.allowed_gateways", "must list addresses or CIDR networks");
        }
        if self.channels.number_messages_per_hour == 0 || self.channels.gateway_calls_per_minute == 0 {
            return bad("channels", "rate limits must be at least 1");
        }
        if self.db_pool_size == 0 || self.db_pool_size > 256 {
            return bad("db_pool_size", "must be between 1 and 256");
        }
        if !(1..=200).contains(&self.upload_max_mb) {
            return bad("upload_max_mb", "must be between 1 and 200");
        }
        if !(1..=20).contains(&self.upload_max_files) {
            return bad("upload_max_files", "must be between 1 and 20");
        }
        for (key, v) in [
            ("report_max_files", self.report_max_files),
            ("report_max_mb", self.report_max_mb),
            ("report_daily_files", self.report_daily_files),
            ("report_daily_mb", self.report_daily_mb),
            ("client_upload_mb_per_hour", self.client_upload_mb_per_hour),
        ] {
            if !(1..=10_000).contains(&v) {
                return bad(key, "must be between 1 and 10000");
            }
        }
        if self.reports_per_hour == 0 {
            return bad("reports_per_hour", "must be at least 1");
        }
        if self.receipt_tries_per_hour == 0 {
            return bad("receipt_tries_per_hour", "must be at least 1");
        }
        if self.argon2_concurrency == 0 {
            return bad("argon2_concurrency", "must be at least 1");
        }
        if self.receipt_argon2_concurrency == 0 {
            return bad("receipt_argon2_concurrency", "must be at least 1");
        }
        for (key, v) in [
            ("acknowledge_days", self.acknowledge_days),
            ("triage_days", self.triage_days),
            ("response_days", self.response_days),
            ("duplicate_window_days", self.duplicate_window_days),
            ("session_idle_minutes", self.session_idle_minutes),
            ("session_absolute_hours", self.session_absolute_hours),
        ] {
            if v <= 0 {
                return bad(key, "must be a positive number");
            }
        }
        if !(self.duplicate_distance_km > 0.0 && self.duplicate_distance_km <= 500.0) {
            return bad("duplicate_distance_km", "must be between 0 and 500");
        }
        if !(self.hotspot_distance_km > 0.0 && self.hotspot_distance_km <= 100.0) {
            return bad("hotspot_distance_km", "must be between 0 and 100");
        }
        if !(1..=3650).contains(&self.hotspot_days) {
            return bad("hotspot_days", "must be between 1 and 3650");
        }
        if self.stats_refresh_wait_ms > 600_000 {
            return bad("stats_refresh_wait_ms", "must be at most 600000");
        }
        if !(2..=1000).contains(&self.hotspot_min_events) {
            return bad("hotspot_min_events", "must be between 2 and 1000");
        }
        if self.lockout_after < 1 {
            return bad("lockout_after", "must be at least 1");
        }
        if self.staff_argon2_concurrency == 0 {
            return bad("staff_argon2_concurrency", "must be at least 1");
        }
        if self.staff_argon2_queue < self.staff_argon2_concurrency {
            return bad("staff_argon2_queue", "must be at least staff_argon2_concurrency");
        }
        if self.sign_in_tries_per_client == 0 {
            return bad("sign_in_tries_per_client", "must be at least 1");
        }
        if self.forgot_per_client == 0 {
            return bad("forgot_per_client", "must be at least 1");
        }
        if let Some(bad_entry) =
            self.trusted_proxies.iter().find(|p| crate::auth::throttle::Net::parse(p).is_none())
        {
            return bad(
                "trusted_proxies",
                &format!("holds `{bad_entry}`, which is neither an address nor a network like 10.0.0.0/8"),
            );
        }
        if let Some(bad_entry) =
            self.metrics_allowed.iter().find(|p| crate::auth::throttle::Net::parse(p).is_none())
        {
            return bad(
                "metrics_allowed",
                &format!("holds `{bad_entry}`, which is neither an address nor a network like 10.0.0.0/8"),
            );
        }
        if !self.public_url.starts_with("http://") && !self.public_url.starts_with("https://") {
            return bad("public_url", "must start with http:// or https://");
        }
        if self.mail.transport == MailTransport::Smtp && self.mail.smtp_host.trim().is_empty() {
            return bad("mail.smtp_host", "is required with the smtp transport");
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad("mail.from", "is not a valid address (e.g. `Vigie <vigie@example.org>`)");
        }
        for (key, v) in [
            ("training.gap_min_count", self.training.gap_min_count as i64),
            ("training.offer_window_days", self.training.offer_window_days),
            ("training.threshold_count", self.training.threshold_count as i64),
            ("training.threshold_days", self.training.threshold_days),
            ("training.effect_window_months", self.training.effect_window_months),
            ("training.effect_min_events", self.training.effect_min_events as i64),
            ("training.review_min_months", self.training.review_min_months),
        ] {
            if v <= 0 {
                return bad(key, "must be a positive number");
            }
        }
        if !(self.training.statistical_fdr > 0.0 && self.training.statistical_fdr < 0.5) {
            return bad("training.statistical_fdr", "must be between 0 and 0.5 (e.g. 0.1)");
        }
        if self.mail.max_attempts < 1 {
            return bad("mail.max_attempts", "must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::Serialized;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn metrics_answer_loopback_by_default_and_nobody_else() {
        let allowed = Config::default().metrics_allowed();
        assert!(allowed.allows(Some("127.0.0.1".parse().unwrap())));
        assert!(allowed.allows(Some("::1".parse().unwrap())));
        assert!(!allowed.allows(Some("192.0.2.1".parse().unwrap())));
        assert!(!allowed.allows(None));
    }

    #[test]
    fn channel_secrets_are_off_or_long_and_gateways_are_networks() {
        let mut c = Config::default();
        c.validate().unwrap();
        c.channels.ussd_secret = "short".into();
        assert!(c.validate().unwrap_err().contains("channels.ussd_secret"));
        c.channels.ussd_secret = "a".repeat(24);
        c.validate().unwrap();
        c.channels.sms_secret = format!("{}/x", "a".repeat(24));
        assert!(c.validate().unwrap_err().contains("channels.sms_secret"), "no slash in a path segment");
        c.channels.sms_secret = "b".repeat(24);
        assert!(c.validate().unwrap_err().contains("channels.gateway_url"), "SMS in, none out");
        c.channels.gateway_url = "http://192.168.1.50:8080/message".into();
        c.validate().unwrap();
        c.channels.sms_secret = String::new();
        c.channels.allowed_gateways = vec!["gateway.local".into()];
        assert!(c.validate().unwrap_err().contains("channels.allowed_gateways"));
    }

    #[test]
    fn a_bad_key_is_named() {
        let f = Figment::from(Serialized::defaults(Config::default())).merge(("upload_max_mb", 0));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("upload_max_mb"), "{err}");
        let f = Figment::new().merge((
            "mail",
            rocket::figment::value::Dict::from_iter([("smtp_port".to_string(), "many".into())]),
        ));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("mail.smtp_port"), "{err}");
        for (key, bad) in [("mail.transport", "carrier-pigeon"), ("mail.smtp_tls", "maybe")] {
            let (section, field) = key.split_once('.').unwrap();
            let f = Figment::new()
                .merge((section, rocket::figment::value::Dict::from_iter([(field.to_string(), bad.into())])));
            let err = Config::from_figment(&f).unwrap_err();
            assert!(err.contains(key), "{err}");
        }
        let f = Figment::new().merge(("trusted_proxies", vec!["10.0.0.0/8", "proxy.local"]));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("trusted_proxies") && err.contains("proxy.local"), "{err}");
        let f = Figment::new().merge(("metrics_allowed", vec!["127.0.0.1", "localhost"]));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("metrics_allowed") && err.contains("localhost"), "{err}");
        let f = Figment::new().merge(("log_format", "xml"));
        assert!(Config::from_figment(&f).unwrap_err().contains("log_format"));
        let f = Figment::new().merge(("totp_required_roles", vec!["admin", "janitor"]));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("totp_required_roles") && err.contains("janitor"), "{err}");
        let f = Figment::new().merge(("database_url", "mysql://h/db"));
        assert!(Config::from_figment(&f).unwrap_err().contains("database_url"));
        let f = Figment::from(Serialized::defaults(Config::default())).merge((
            "training",
            rocket::figment::value::Dict::from_iter([("statistical_alpha".to_string(), 0.01.into())]),
        ));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("training.statistical_fdr"), "{err}");
        let f = Figment::from(Serialized::defaults(Config::default())).merge((
            "training",
            rocket::figment::value::Dict::from_iter([("effect_window_days".to_string(), 730.into())]),
        ));
        let err = Config::from_figment(&f).unwrap_err();
        assert!(err.contains("training.effect_window_months"), "{err}");
        let f = Figment::from(Serialized::defaults(Config::default())).merge((
            "training",
            rocket::figment::value::Dict::from_iter([("statistical_fdr".to_string(), 0.6.into())]),
        ));
        assert!(Config::from_figment(&f).unwrap_err().contains("training.statistical_fdr"));
    }
}
