//! Vigie: reporting and oversight of alleged abuses by Mali's Defence and Security Forces.
//!
//! The map of the code (docs/ARCHITECTURE.md walks one report through it):
//! - [`reports`]: the public side: the report form, receipts, follow-up, evidence, `/api/v1`.
//! - [`triage`]: the intake officers' queue, duplicates, events, allegations, routing them.
//! - [`routing`]: the ordered routing rules (data) and the decision they give.
//! - [`cases`]: the institutions' cases, their workflow, deadlines and reminders.
//! - [`training`]: units, partners, sessions, gap analysis, early warning, remediation.
//! - [`accounts`]: staff accounts, roles, sessions, TOTP, the role guards.
//! - [`geo`]: regions and cercles by point-in-polygon, the gazetteer, the server-drawn map.
//! - [`taxonomy`]: violation types, forces and the other lists, as data.
//! - [`audit`]: the hash-chained audit log. [`notify`]: mail through the outbox.
//! - [`db`], [`schema`]: one database layer over SQLite and PostgreSQL; [`backup`]: backups
//!   and restores.
//! - [`web`]: language, page context, CSRF, security headers, compression.
//! - [`config`], [`error`], [`i18n`], [`crypto`], [`cli`]; [`metrics`]: what `/metrics` counts;
//!   [`logs`]: the server's log lines, text or JSON.
//!
//! [`build`] turns a configuration into a Rocket ready to launch.

pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cases;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod events;
pub mod geo;
pub mod i18n;
pub mod keyring;
pub mod logs;
pub mod metrics;
pub mod notify;
pub mod pieces;
pub mod private_fs;
pub mod reports;
pub mod routing;
pub mod schema;
pub mod stats;
pub mod synthetic;
pub mod taxonomy;
pub mod training;
pub mod triage;
pub mod web;

use std::path::Path;
use std::sync::Arc;

use rocket::figment::Figment;
use rocket::{Build, Rocket};
use rocket_dyn_templates::Template;

use config::Config;
use db::Db;

/// Everything prepared before the web server starts, shared with the command line.
pub struct Prepared {
    pub config: Arc<Config>,
    pub db: Db,
    pub geo: Arc<geo::Geo>,
    pub receipt_salt: reports::ReceiptSalt,
}

/// Reads and validates the configuration, connects, migrates and loads the reference data.
pub fn prepare(figment: &Figment) -> Result<Prepared, String> {
    let config = Config::from_figment(figment)?;
    // Security: the data folder is its owner's only (0700); see `private_fs`.
    private_fs::private_dir(&config.data_dir).map_err(|e| {
        format!("cannot create {} readable by its owner only: {e}", config.data_dir.display())
    })?;
    let geo = geo::Geo::load(&config.boundaries_dir)?;
    let timeouts = db::PgTimeouts {
        statement_secs: config.db_statement_timeout_secs,
        lock_secs: config.db_lock_timeout_secs,
    };
    let db =
        Db::connect_with(&config.database_url, config.db_pool_size, timeouts).map_err(|e| e.to_string())?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    // Migrations may build indexes on large tables: no statement limit while they run.
    db::set_timeouts(&mut conn, db::PgTimeouts { statement_secs: 0, lock_secs: 0 })
        .map_err(|e| e.to_string())?;
    // Instances starting together migrate and load the reference data one at a time; with
    // nothing to change, all of it only reads (see db::migrate, geo::model::sync_reference).
    let lock = db::StartLock::take(&mut conn, &config.database_url).map_err(|e| e.to_string())?;
    let loaded = (|| {
        db::migrate(&mut conn).map_err(|e| e.to_string())?;
        geo::model::sync_reference(&mut conn, &geo.boundaries, &geo.gazetteer)
            .map_err(|e| format!("cannot load the places into the database: {e}"))?;
        reports::model::receipt_salt(&mut conn).map_err(|e| e.to_string())
    })();
    lock.release(&mut conn).map_err(|e| e.to_string())?;
    db::set_timeouts(&mut conn, timeouts).map_err(|e| e.to_string())?;
    let receipt_salt = loaded?;
    // The places admins added, kept in the database, join the shipped ones in memory.
    let added = geo::model::staff_places(&mut conn)
        .map_err(|e| format!("cannot read the places added by admins: {e}"))?;
    geo.gazetteer.set_staff_places(added.iter().map(geo::model::StaffPlace::to_place).collect());
    drop(conn);
    Ok(Prepared { config: Arc::new(config), db, geo: Arc::new(geo), receipt_salt })
}

/// For the commands that only read (`vigie audit verify`): the configuration and the database,
/// without migrations or reference data, so they never write.
pub fn open_for_reading(figment: &Figment) -> Result<(Config, Db), String> {
    let config = Config::from_figment(figment)?;
    let db = Db::connect(&config.database_url, 1).map_err(|e| e.to_string())?;
    Ok((config, db))
}

/// When no secret key is configured, the first start generates one into the data folder
/// (readable by its owner only) and later starts reuse it. Deployments set
/// `ROCKET_SECRET_KEY`.
fn with_secret_key(figment: Figment, data_dir: &Path) -> Result<Figment, String> {
    // Rocket's defaults carry a zero key; only a key from Rocket.toml or the environment counts.
    let configured = figment.find_metadata("secret_key").is_some_and(|m| !m.name.contains("default"));
    if configured {
        return Ok(figment);
    }
    let path = data_dir.join("secret.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(k) => k.trim().to_string(),
        Err(_) => {
            private_fs::private_dir(data_dir)
                .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
            let mut bytes = [0u8; 64];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
            write_private(&path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "vigie: generated a secret key in {} (set ROCKET_SECRET_KEY in deployments)",
                path.display()
            );
            key
        }
    };
    Ok(figment.merge(("secret_key", key)))
}

/// A configured secret key must be one Rocket accepts; the error names the setting (Rocket's
/// own would only say "failed to extract configuration").
pub fn check_secret_key(figment: &Figment) -> Result<(), String> {
    if figment.find_value("secret_key").is_err() {
        return Ok(());
    }
    figment.extract_inner::<rocket::config::SecretKey>("secret_key").map(|_| ()).map_err(|_| {
        "invalid configuration: `secret_key` must be 32 or 64 random bytes in base64 (44 or 88 \
         characters) or 32 in hex (64 characters), e.g. `openssl rand -base64 64`"
            .to_string()
    })
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

/// The whole application, ready to launch or to test with `rocket::local`.
pub fn build(figment: Figment) -> Result<Rocket<Build>, String> {
    let mut prepared = prepare(&figment)?;
    check_secret_key(&figment)?;
    let figment = with_secret_key(figment, &prepared.config.data_dir)?;
    // Upload limits follow the configuration: each file, and a whole form of several files.
    let (mb, files) = (u64::from(prepared.config.upload_max_mb), u64::from(prepared.config.upload_max_files));
    // Privacy: Rocket's own log would print every request with its query string, so it stays
    // off whatever the configuration says (Vigie's own lines are `logs`').
    let figment = figment
        .merge(("log_level", rocket::config::LogLevel::Off))
        .merge(("limits.file", format!("{mb}MiB")))
        .merge(("limits.data-form", format!("{}MiB", mb * files + 2)));
    if figment.profile() == "release"
        && prepared.config.mail.transport == config::MailTransport::File
        && !prepared.config.mail.allow_file_transport_in_release
    {
        return Err("invalid configuration: `mail.transport` is `file` in the release profile; \
                    use smtp, or set mail.allow_file_transport_in_release = true"
            .into());
    }
    crate::logs::set_json(prepared.config.log_format == config::LogFormat::Json);
    let config_argon2 = (prepared.config.argon2_concurrency, prepared.config.argon2_kept_buffers);
    let catalog = Arc::new(i18n::Catalog::load(&prepared.config.locales_dir)?);
    let taxonomy = {
        let mut conn = prepared.db.get().map_err(|e| e.to_string())?;
        let tax =
            taxonomy::Taxonomy::load(&mut conn).map_err(|e| format!("cannot read the taxonomies: {e}"))?;
        Arc::new(tax.localize(&catalog))
    };
    // Region names come from the Fluent files too (`region-<code>`).
    prepared.geo.set_catalog(catalog.clone());
    let tera_catalog = catalog.clone();
    let prompts = Arc::new(i18n::AudioPrompts::load(&prepared.config.audio_dir));
    let tera_prompts = prompts.clone();
    let templates = Template::custom(move |engines| {
        engines.tera.register_function("t", i18n::tera_function(tera_catalog.clone()));
        engines
            .tera
            .register_function("listen", i18n::tera_listen(tera_prompts.clone(), tera_catalog.clone()));
    });
    let hsts = prepared.config.public_url.starts_with("https://");
    let secret_key: String = figment
        .extract_inner("secret_key")
        .map_err(|e| format!("invalid configuration: `secret_key`: {e}"))?;
    let account_keys = accounts::secrets::AccountKeys::derive(&secret_key);
    Arc::make_mut(&mut prepared.config).mail.body_key = Some(notify::BodyKey::derive(&secret_key));
    let staff_doors = accounts::StaffDoors::new(&prepared.config, prepared.db.engine, &secret_key);
    let hasher = crypto::HashLimiter::with_kept_memory(config_argon2.0, config_argon2.1);
    let clock = clock::Clock::system();
    let metrics_clock = clock.clone();
    let metrics = Arc::new(metrics::Metrics::with_clock(Box::new(move || metrics_clock.now().date_naive())));
    metrics.add_argon2_queue("reporters", true, hasher.stats());
    let lookups = reports::ReceiptLookups(crypto::BoundedHasher::new(
        prepared.config.receipt_argon2_concurrency,
        prepared.config.receipt_argon2_queue,
    ));
    metrics.add_argon2_queue("receipts", true, lookups.0.stats());
    metrics.add_argon2_queue("staff", false, staff_doors.hasher.stats());
    let static_dir = prepared.config.static_dir.clone();
    let config = prepared.config.clone();
    // The public side's hourly limits: in the database on PostgreSQL, shared by the instances.
    let limits = reports::counting::Limits::new(
        prepared.db.engine,
        &secret_key,
        config.reports_per_hour,
        config.receipt_tries_per_hour,
        u64::from(config.client_upload_mb_per_hour) * 1024 * 1024,
    );
    Ok(rocket::custom(figment)
        .manage(prepared.db)
        .manage(prepared.config)
        .manage(prepared.geo)
        .manage(prepared.receipt_salt)
        .manage(hasher)
        .manage(lookups)
        .manage(metrics)
        .manage(config.metrics_allowed())
        .manage(catalog)
        .manage(prompts)
        .manage(taxonomy)
        .manage(account_keys)
        .manage(clock)
        .manage(staff_doors)
        .manage(limits)
        .manage(config.trusted_proxies())
        .manage(Arc::new(config.mail.clone()))
        .manage(auth::SessionLimits {
            idle_minutes: config.session_idle_minutes,
            absolute_hours: config.session_absolute_hours,
        })
        .attach(templates)
        .attach(web::SecurityHeaders { hsts })
        .attach(web::Compression)
        .attach(web::RequestLog)
        .attach(web::held_errors_writer())
        .attach(web::metrics::Timing)
        .attach(web::launch_message())
        .attach(reports::stage())
        .attach(channels::stage())
        .attach(accounts::stage())
        .attach(notify::stage())
        .attach(cases::stage())
        .attach(training::stage())
        .attach(stats::stage(
            std::time::Duration::from_millis(config.stats_refresh_wait_ms),
            config.stats_period_floor,
        ))
        .attach(analytics::stage())
        .attach(audit::stage())
        .mount("/", geo::routes())
        .mount("/", geo::admin_routes())
        .mount("/", triage::routes())
        .mount("/", cases::routes())
        .mount("/", routing::routes())
        .mount("/", training::routes())
        .mount("/", web::routes())
        .mount("/static", rocket::fs::FileServer::from(static_dir))
        .register("/", web::catchers()))
}
