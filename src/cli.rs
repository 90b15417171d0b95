//! The command line, in the same binary as the server: `serve` (the default), `migrate`,
//! `check-config`, `user add|disable|enable|reset-password|list`, `audit verify`, `remind`,
//! `seed-synthetic`, `training-eval`, `backup`, `restore`, `locales`, `keys init|recover`.
//! Exit codes: 0 success, 1 the command failed, 2 bad usage or configuration.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::Connection;

use crate::accounts;
use crate::audit::{self, Actor};
use crate::auth::{model::NewUser, Role};
use crate::db::DbConn;

#[derive(Parser)]
#[command(
    name = "vigie",
    version,
    about = "Reporting and oversight of alleged abuses by Mali's Defence and Security Forces"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve,
    /// Apply pending database migrations and load the reference data, then exit.
    Migrate,
    /// Validate the configuration and the database connection, then exit.
    CheckConfig,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The keys of encryption at rest (docs/SECURITY.md): the recovery key and the group keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write a consistent copy of the database (reports, evidence, cases, the audit log) to
    /// FILE while the server runs: SQLite through `VACUUM INTO`, PostgreSQL through `pg_dump`
    /// in its custom format. FILE must not exist.
    Backup { file: std::path::PathBuf },
    /// Restore a backup made by `vigie backup` into the configured database, which must be
    /// empty; then verify the audit chain and every evidence file's SHA-256.
    Restore { file: std::path::PathBuf },
    /// The languages under `locales/`: complete or draft, and what a draft still lacks.
    Locales {
        /// List the French keys this language does not translate yet (shown in French).
        #[arg(long)]
        missing: Option<String>,
    },
    /// Queue the deadline reminders due today (the server also does it every hour).
    Remind,
    /// Fill an empty database with realistic, deterministic synthetic data (for benchmarks).
    SeedSynthetic {
        #[arg(long)]
        reports: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the real receipts of the first 20 reports here (one per line), for the
        /// receipt benchmark; the others have none.
        #[arg(long)]
        receipts_out: Option<std::path::PathBuf>,
        /// Also plant the trainers' data (units, partners, sessions, elevated units, effects,
        /// duplicate offers) and write what was planted here as JSON.
        #[arg(long)]
        truth_out: Option<std::path::PathBuf>,
        /// The planted elevation of the elevated units, the same for all (for measuring the
        /// early warning by effect size); without it, each gets 1.5 to 2.5 at random.
        #[arg(long)]
        elevation: Option<f64>,
        /// Elevate each elevated unit on every violation group (the first generator's truth)
        /// instead of on one to three groups.
        #[arg(long)]
        elevate_every_group: bool,
    },
    /// Measure the early-warning methods, the effect verdicts and the duplicate check against
    /// the truth written by `seed-synthetic --truth-out` (benchmarks).
    TrainingEval {
        #[arg(long)]
        truth: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from VIGIE_PASSWORD, or asked for.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, intake, investigator, ombudsman, trainer, monitor or auditor.
        #[arg(long)]
        role: String,
        /// Institution code: cndh, mediateur, prosecutor, military_justice.
        #[arg(long)]
        institution: Option<String>,
        /// Language of the account's pages and mail (fr or en).
        #[arg(long, default_value = "fr")]
        locale: String,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account, with the role it has: the operator's way back for an
    /// account whose role needs a second admin where no second admin can decide (audited).
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set a new password (from VIGIE_PASSWORD, or asked for) and end the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create the installation's recovery key and print its shares, once: any THRESHOLD of
    /// the SHARES recover it. Then create the intake desk's and each institution's key,
    /// sealed to the recovery key and to their members. Run once; run again, it only creates
    /// the group keys still missing (an institution added since) and prints no share.
    Init {
        #[arg(long, default_value_t = 5)]
        shares: u8,
        #[arg(long, default_value_t = 3)]
        threshold: u8,
    },
    /// Seal what was kept in clear before `keys init` (reports, their messages and files, case
    /// notes, findings), in batches of BATCH reports, each batch its own transaction: stopped,
    /// it goes on where it was when run again. `keys init` runs it too.
    Seal {
        #[arg(long, default_value_t = 200)]
        batch: i64,
    },
    /// Give every version of a group's key (`intake` or an institution's code) to a member's
    /// account with the recovery key, when no member who holds it remains. Reads the shares
    /// from standard input, one per line, as `keys init` printed them.
    Recover {
        #[arg(long)]
        group: String,
        /// The email of the account to give the key to (a member of the group who has signed
        /// in or set a password since issue 15, so that it has a key pair).
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 naming the first broken entry.
    Verify,
}

/// A failure with its exit code.
struct Failure(u8, String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(1, e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::CheckConfig => check_config(),
        Command::User(cmd) => user(cmd),
        Command::Audit(AuditCommand::Verify) => audit_verify(),
        Command::Keys(KeysCommand::Init { shares, threshold }) => keys_init(shares, threshold),
        Command::Keys(KeysCommand::Recover { group, to }) => keys_recover(&group, &to),
        Command::Keys(KeysCommand::Seal { batch }) => keys_seal(batch),
        Command::Remind => remind(),
        Command::Locales { missing } => locales(missing),
        Command::Backup { file } => backup(&file),
        Command::Restore { file } => restore(&file),
        Command::SeedSynthetic { reports, seed, receipts_out, truth_out, elevation, elevate_every_group } => {
            let plant = crate::synthetic::training::Planting { elevation, every_group: elevate_every_group };
            seed_synthetic(reports, seed, receipts_out, truth_out, plant)
        }
        Command::TrainingEval { truth } => training_eval(truth),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, msg)) => {
            eprintln!("vigie: {msg}");
            ExitCode::from(code)
        }
    }
}

fn serve() -> Result<(), Failure> {
    let rocket = crate::build(crate::config::figment()).map_err(|e| Failure(2, e))?;
    let served = rocket::execute(rocket.launch());
    // What public requests met since the last hourly summary.
    crate::logs::write_held();
    served.map(|_| ()).map_err(|e| Failure(1, e.to_string()))
}

fn prepared() -> Result<crate::Prepared, Failure> {
    crate::prepare(&crate::config::figment()).map_err(|e| Failure(2, e))
}

fn migrate() -> Result<(), Failure> {
    let p = prepared()?;
    println!("database ready ({})", p.db.engine.name());
    Ok(())
}

fn check_config() -> Result<(), Failure> {
    crate::check_secret_key(&crate::config::figment()).map_err(|e| Failure(2, e))?;
    let p = prepared()?;
    crate::i18n::Catalog::load(&p.config.locales_dir).map_err(|e| Failure(2, e))?;
    if p.config.mail.transport == crate::config::MailTransport::Smtp {
        crate::notify::Transport::from_config(&p.config.mail).map_err(|e| Failure(2, e))?;
    }
    println!(
        "configuration is valid: {} database, {} regions, {} cercles, {} places, mail: {}",
        p.db.engine.name(),
        p.geo.boundaries.regions.len(),
        p.geo.boundaries.cercles.len(),
        p.geo.gazetteer.shipped().len(),
        p.config.mail.transport.as_str()
    );
    Ok(())
}

fn locales(missing: Option<String>) -> Result<(), Failure> {
    let config = crate::config::Config::from_figment(&crate::config::figment()).map_err(|e| Failure(2, e))?;
    let catalog = crate::i18n::Catalog::load(&config.locales_dir).map_err(|e| Failure(2, e))?;
    match missing {
        Some(lang) if !catalog.has_lang(&lang) => Err(Failure(2, format!("no folder locales/{lang}"))),
        Some(lang) => {
            for key in catalog.missing(&lang) {
                println!("{key}");
            }
            Ok(())
        }
        None => {
            for (lang, name) in catalog.languages() {
                let state = if catalog.is_draft(lang) { "draft" } else { "complete" };
                println!("{lang}\t{name}\t{state}\t{} keys missing", catalog.missing(lang).len());
            }
            Ok(())
        }
    }
}

fn read_password(email: &str) -> Result<String, Failure> {
    let password = match std::env::var("VIGIE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let p = rpassword::prompt_password(format!("Password for {email}: "))?;
            let again = rpassword::prompt_password("Again: ")?;
            if p != again {
                return Err(Failure(2, "the two passwords differ".into()));
            }
            p
        }
    };
    accounts::password::check(&password, email)
        .map_err(|w| Failure(2, format!("password refused: {}", w.english())))?;
    Ok(password)
}

fn valid_email(email: &str) -> bool {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn user(cmd: UserCommand) -> Result<(), Failure> {
    match cmd {
        UserCommand::Add { email, name, role, institution, locale } => {
            let email = email.trim().to_lowercase();
            if !valid_email(&email) {
                return Err(Failure(2, format!("`{email}` is not an email address")));
            }
            if name.trim().is_empty() {
                return Err(Failure(2, "the name is empty".into()));
            }
            let role = Role::parse(&role).ok_or_else(|| {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                Failure(2, format!("unknown role `{role}`; use one of: {}", all.join(", ")))
            })?;
            if !matches!(locale.as_str(), "fr" | "en")
                && !std::path::Path::new("locales").join(&locale).is_dir()
            {
                return Err(Failure(2, format!("unknown language `{locale}`")));
            }
            let p = prepared()?;
            let mut pooled = p.db.get()?;
            let conn: &mut DbConn = &mut pooled;
            if crate::auth::User::find_by_email(conn, &email)?.is_some() {
                return Err(Failure(2, format!("a user with the email {email} already exists")));
            }
            let institution = match (institution.as_deref(), role.required_institution()) {
                (Some(i), Some(req)) if i != req => {
                    return Err(Failure(
                        2,
                        format!("the role {role} belongs to the institution `{req}`, not `{i}`"),
                    ))
                }
                (Some(i), _) => Some(i.to_string()),
                (None, req) => req.map(String::from),
            };
            let institution_id = match &institution {
                Some(code) => Some(
                    crate::auth::model::institution_id_by_code(conn, code)?
                        .ok_or_else(|| Failure(2, format!("unknown institution `{code}`")))?,
                ),
                None => None,
            };
            let password = read_password(&email)?;
            let hash = crate::crypto::hash_password(&password);
            let keys = crate::crypto::PrivateKey::generate().stored_under(&password);
            let id = conn.transaction(|c: &mut DbConn| {
                crate::db::begin_write(c)?;
                let id = crate::auth::User::insert(
                    c,
                    &NewUser {
                        email: &email,
                        name: name.trim(),
                        role: role.as_str(),
                        institution_id,
                        locale: &locale,
                        password_hash: &hash,
                    },
                )?;
                crate::auth::User::set_keys_if_none(c, id, &keys)?;
                let details = format!("role={role} institution={}", institution.as_deref().unwrap_or("-"));
                audit::record(c, &Actor::System("cli"), "user.create", "user", &id.to_string(), &details)?;
                Ok::<_, diesel::result::Error>(id)
            })?;
            println!("created user {id}: {email} ({role})");
            Ok(())
        }
        UserCommand::Disable { email } => {
            let p = prepared()?;
            let mut pooled = p.db.get()?;
            let conn: &mut DbConn = &mut pooled;
            let user = user_by_email(conn, &email)?;
            conn.transaction(|c: &mut DbConn| {
                crate::db::begin_write(c)?;
                crate::auth::User::disable(c, user.id)?;
                crate::auth::model::revoke_password_resets(c, user.id)?;
                let rotated =
                    crate::keyring::model::rotate_after_departures(c, chrono::Utc::now().naive_utc())?;
                audit::record(c, &Actor::System("cli"), "user.disable", "user", &user.id.to_string(), "")?;
                for e in rotated {
                    let object = format!("{}:{}", e.group, e.version);
                    audit::record(c, &Actor::System("cli"), e.action, "group_key", &object, &e.details())?;
                }
                Ok::<_, crate::error::AppError>(())
            })?;
            println!("disabled {email}");
            Ok(())
        }
        UserCommand::Enable { email } => {
            let p = prepared()?;
            let mut pooled = p.db.get()?;
            let conn: &mut DbConn = &mut pooled;
            let user = user_by_email(conn, &email)?;
            conn.transaction(|c: &mut DbConn| {
                crate::db::begin_write(c)?;
                crate::auth::User::enable(c, user.id)?;
                let details = format!("role={} by the operator", user.role);
                audit::record(c, &Actor::System("cli"), "user.enable", "user", &user.id.to_string(), &details)
            })?;
            println!("enabled {email} ({})", user.role);
            Ok(())
        }
        UserCommand::ResetPassword { email } => {
            let p = prepared()?;
            let mut pooled = p.db.get()?;
            let conn: &mut DbConn = &mut pooled;
            let user = user_by_email(conn, &email)?;
            let password = read_password(&email)?;
            let hash = crate::crypto::hash_password(&password);
            let keys = crate::crypto::PrivateKey::generate().stored_under(&password);
            conn.transaction(|c: &mut DbConn| {
                crate::db::begin_write(c)?;
                crate::auth::User::set_password(c, user.id, &hash, &keys)?;
                audit::record(
                    c,
                    &Actor::System("cli"),
                    "user.password_reset",
                    "user",
                    &user.id.to_string(),
                    "",
                )
            })?;
            println!("password changed for {email}; their sessions are ended");
            Ok(())
        }
        UserCommand::List => {
            let p = prepared()?;
            let mut pooled = p.db.get()?;
            let conn: &mut DbConn = &mut pooled;
            for u in crate::auth::User::list(conn)? {
                let state = if u.disabled_at.is_some() { "disabled" } else { "active" };
                let totp = if u.totp_enabled_at.is_some() { "2fa" } else { "-" };
                println!("{}\t{}\t{}\t{}\t{}\t{}", u.id, u.email, u.role, state, totp, u.name);
            }
            Ok(())
        }
    }
}

fn keys_init(shares: u8, threshold: u8) -> Result<(), Failure> {
    use crate::keyring::model;
    crate::keyring::check_split(shares, threshold).map_err(|e| Failure(2, e))?;
    let p = prepared()?;
    let mut pooled = p.db.get()?;
    let conn: &mut DbConn = &mut pooled;
    let now = chrono::Utc::now().naive_utc();
    let record = |c: &mut DbConn, events: &[model::KeyEvent]| -> Result<(), crate::error::AppError> {
        for e in events {
            let object = format!("{}:{}", e.group, e.version);
            audit::record(c, &Actor::System("cli"), e.action, "group_key", &object, &e.details())?;
        }
        Ok(())
    };
    if let Some(existing) = model::recovery_public_key(conn)? {
        let created = conn.transaction(|c: &mut DbConn| {
            crate::db::begin_write(c)?;
            let events = model::ensure_group_keys(c, &existing, now)?;
            record(c, &events)?;
            Ok::<_, crate::error::AppError>(events)
        })?;
        if created.is_empty() {
            return Err(Failure(1, "the keys are already initialised; no share is printed again".into()));
        }
        for e in &created {
            println!("created the key of group {}", e.group);
        }
        println!("the recovery key existed already; no share is printed again");
        drop(pooled);
        return keys_seal(200);
    }
    let recovery = crate::crypto::PrivateKey::generate();
    let split = crate::crypto::shamir::split(recovery.to_bytes().as_ref(), shares, threshold)
        .map_err(|_| Failure(2, "cannot split the key so".into()))?;
    let public = recovery.public_key();
    drop(recovery);
    // Nothing lost: the shares are written out (and flushed) inside the transaction that stores
    // the recovery key, so a failed write (a full disk, a closed pipe) stores nothing and the
    // command can be run again; a commit that fails after them makes the printed shares void.
    let stored = conn.transaction(|c: &mut DbConn| {
        crate::db::begin_write(c)?;
        model::store_recovery_key(c, &public, shares, threshold, now)?;
        let events = model::ensure_group_keys(c, &public, now)?;
        audit::record(
            c,
            &Actor::System("cli"),
            "keys.init",
            "recovery_key",
            "1",
            &format!("shares={shares} threshold={threshold}"),
        )?;
        record(c, &events)?;
        print_shares(&events, &split, shares, threshold).map_err(|e| {
            crate::error::AppError::Internal(format!("cannot write the shares out ({e}); nothing was stored"))
        })?;
        Ok::<_, crate::error::AppError>(())
    });
    if let Err(e) = stored {
        eprintln!(
            "the recovery key was not stored: any share printed above is void; run `vigie keys init` again"
        );
        return Err(e.into());
    }
    drop(pooled);
    keys_seal(200)
}

/// The account of `email`, or the command fails (1) naming it.
fn user_by_email(conn: &mut DbConn, email: &str) -> Result<crate::auth::User, Failure> {
    crate::auth::User::find_by_email(conn, email)?
        .ok_or_else(|| Failure(1, format!("no user with the email {email}")))
}

/// The created groups and the recovery key's shares, on the standard output, flushed: an
/// error is returned rather than a panic, so that the caller can undo the keys' creation.
fn print_shares(
    created: &[crate::keyring::model::KeyEvent],
    split: &[crate::crypto::shamir::Share],
    shares: u8,
    threshold: u8,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    for e in created {
        writeln!(out, "created the key of group {}", e.group)?;
    }
    writeln!(out)?;
    writeln!(out, "The installation's recovery key. Its {shares} shares are printed now and never again:")?;
    writeln!(out, "give each to a different person, to keep offline (on paper, in a safe).")?;
    writeln!(out, "Any {threshold} of them recover the key (`vigie keys recover`); fewer tell nothing.")?;
    writeln!(out)?;
    for s in split {
        writeln!(out, "share {}: {}", s.x, s.to_text())?;
    }
    writeln!(out)?;
    out.flush()
}

/// `vigie keys seal`: what was kept in clear, sealed batch by batch (resumable).
fn keys_seal(batch: i64) -> Result<(), Failure> {
    if batch < 1 {
        return Err(Failure(2, "--batch must be at least 1".into()));
    }
    let p = prepared()?;
    let mut pooled = p.db.get()?;
    let conn: &mut DbConn = &mut pooled;
    let mut total = crate::keyring::model::SealedBatch::default();
    loop {
        let now = chrono::Utc::now().naive_utc();
        let done = conn.transaction(|c: &mut DbConn| {
            crate::db::begin_write(c)?;
            let done = crate::keyring::model::seal_existing(c, batch, now)?;
            if !done.is_empty() {
                let details = format!(
                    "reports={} files={} notes={} findings={}",
                    done.reports, done.files, done.notes, done.findings
                );
                audit::record(c, &Actor::System("cli"), "keys.seal", "batch", "-", &details)?;
            }
            Ok::<_, crate::error::AppError>(done)
        })?;
        if done.is_empty() {
            break;
        }
        total.reports += done.reports;
        total.files += done.files;
        total.notes += done.notes;
        total.findings += done.findings;
        println!(
            "sealed so far: {} reports, {} files, {} notes, {} findings",
            total.reports, total.files, total.notes, total.findings
        );
    }
    // SQLite: the clear rows were overwritten in place (secure_delete), but earlier frames of
    // the write-ahead log may still hold them: checkpoint it and cut it to nothing.
    if let DbConn::Sqlite(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(crate::error::AppError::from)?;
    }
    println!("nothing left in clear to seal");
    Ok(())
}

fn keys_recover(group: &str, to: &str) -> Result<(), Failure> {
    use crate::keyring::model;
    let p = prepared()?;
    let mut pooled = p.db.get()?;
    let conn: &mut DbConn = &mut pooled;
    let Some(public) = model::recovery_public_key(conn)? else {
        return Err(Failure(1, "no recovery key: run `vigie keys init` first".into()));
    };
    if !model::all_groups(conn)?.iter().any(|g| g == group) {
        return Err(Failure(2, format!("unknown group `{group}`: use intake or an institution's code")));
    }
    let user = crate::auth::User::find_by_email(conn, to)?
        .ok_or_else(|| Failure(1, format!("no user with the email {to}")))?;
    let member = model::members(conn)?.get(group).is_some_and(|m| m.iter().any(|(id, _)| *id == user.id));
    if !member {
        return Err(Failure(1, format!("{to} is not an enabled member of the group {group}")));
    }
    let Some(user_key) = user.public_key.as_deref() else {
        return Err(Failure(
            1,
            format!("{to} has no key pair yet: they sign in once (or set their password) first"),
        ));
    };
    let user_key = crate::crypto::PublicKey::from_text(user_key)?;
    let mut shares = vec![];
    for (i, line) in std::io::stdin().lines().enumerate() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        // Accept the line as printed (`share 2: vigie-share-…`) or the share alone.
        let text = line.rsplit(' ').next().unwrap_or(line);
        let share = crate::crypto::shamir::Share::from_text(text)
            .map_err(|_| Failure(1, format!("line {} is not a share (mistyped?)", i + 1)))?;
        shares.push(share);
    }
    let bytes = zeroize::Zeroizing::new(
        crate::crypto::shamir::combine(&shares)
            .map_err(|_| Failure(1, "no shares, or a share given twice".into()))?,
    );
    let recovery = crate::crypto::PrivateKey::from_bytes_of(&bytes, &public).map_err(|_| {
        Failure(
            1,
            format!(
                "these {} share(s) do not give the recovery key (too few, or not its shares)",
                shares.len()
            ),
        )
    })?;
    let now = chrono::Utc::now().naive_utc();
    let given = conn.transaction(|c: &mut DbConn| {
        crate::db::begin_write(c)?;
        let events = model::recover_to(c, group, user.id, &user_key, &recovery, now)?;
        for e in &events {
            audit::record(c, &Actor::System("cli"), e.action, "user", &user.id.to_string(), &e.details())?;
        }
        Ok::<_, crate::error::AppError>(events)
    })?;
    println!("gave {} version(s) of the key of group {group} to {to}", given.len());
    Ok(())
}

fn remind() -> Result<(), Failure> {
    let p = prepared()?;
    let catalog = crate::i18n::Catalog::load(&p.config.locales_dir).map_err(|e| Failure(2, e))?;
    let n = crate::cases::remind(&p.db, &catalog, &p.config, chrono::Utc::now().date_naive())?;
    println!("{n} digest(s) queued");
    Ok(())
}

fn seed_synthetic(
    n: usize,
    seed: u64,
    receipts_out: Option<std::path::PathBuf>,
    truth_out: Option<std::path::PathBuf>,
    planting: crate::synthetic::training::Planting,
) -> Result<(), Failure> {
    if planting.elevation.is_some_and(|e| !(1.0..=20.0).contains(&e)) {
        return Err(Failure(2, "--elevation must be between 1 and 20".into()));
    }
    let p = prepared()?;
    let mut pooled = p.db.get()?;
    let conn: &mut DbConn = &mut pooled;
    // A bulk load: no statement limit.
    crate::db::set_timeouts(conn, crate::db::PgTimeouts { statement_secs: 0, lock_secs: 0 })?;
    let tax = crate::taxonomy::Taxonomy::load(conn)?;
    // Real receipts for the first reports, so that receipt look-ups can be measured.
    let mut real = vec![];
    let mut lines = String::new();
    for i in 1..=n.min(20) {
        let r = crate::crypto::Receipt::generate();
        real.push((i, r.hash(&p.receipt_salt.0)));
        lines.push_str(&r.grouped());
        lines.push('\n');
    }
    if let Some(path) = &receipts_out {
        std::fs::write(path, lines)
            .map_err(|e| Failure(1, format!("cannot write {}: {e}", path.display())))?;
    }
    let started = std::time::Instant::now();
    let mut last = 0;
    let mut progress = |done: usize| {
        let pct = done * 100 / n.max(1);
        if pct != last || done == n {
            last = pct;
            let secs = started.elapsed().as_secs_f64();
            let bar = "#".repeat(pct / 4) + &" ".repeat(25 - pct / 4);
            eprint!("\r[{bar}] {pct:3}% {done}/{n} reports, {secs:.0} s");
        }
    };
    let counts = crate::synthetic::model::seed(conn, &p.geo, &tax, n, seed, &real, &mut progress)?;
    eprintln!();
    for (table, count) in counts {
        println!("{table}: {count}");
    }
    if let Some(path) = &truth_out {
        let truth = crate::synthetic::training::plant(conn, &tax, seed, planting)?;
        let json = serde_json::to_string_pretty(&truth).map_err(|e| Failure(1, e.to_string()))?;
        std::fs::write(path, json)
            .map_err(|e| Failure(1, format!("cannot write {}: {e}", path.display())))?;
        println!(
            "training: {} elevated units, {} sessions, {} duplicate offers planted",
            truth.elevated_units.len(),
            truth.sessions.len(),
            truth.duplicate_offers.len()
        );
    }
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn training_eval(truth: std::path::PathBuf) -> Result<(), Failure> {
    let p = prepared()?;
    let mut pooled = p.db.get()?;
    let conn: &mut DbConn = &mut pooled;
    crate::db::set_timeouts(conn, crate::db::PgTimeouts { statement_secs: 0, lock_secs: 0 })?;
    let text = std::fs::read_to_string(&truth)
        .map_err(|e| Failure(1, format!("cannot read {}: {e}", truth.display())))?;
    let truth: crate::synthetic::training::TruthIn =
        serde_json::from_str(&text).map_err(|e| Failure(1, format!("{}: {e}", truth.display())))?;
    let today = chrono::Utc::now().date_naive();
    let report = crate::synthetic::training::evaluate(conn, &truth, &p.config.training, today)?;
    println!("{report}");
    Ok(())
}

fn database_url() -> Result<String, Failure> {
    let config = crate::config::Config::from_figment(&crate::config::figment()).map_err(|e| Failure(2, e))?;
    Ok(config.database_url)
}

fn backup(file: &std::path::Path) -> Result<(), Failure> {
    let done = crate::backup::backup(&database_url()?, file).map_err(|e| Failure(1, e))?;
    match done.contents {
        Some(c) => println!(
            "backup written to {} ({} bytes): {} reports, {} cases, {} evidence files, {} audit \
             entries; copy checked, audit chain intact",
            file.display(),
            done.bytes,
            c.reports,
            c.cases,
            c.evidence,
            c.audit_entries
        ),
        None => {
            println!("backup written to {} ({} bytes, pg_dump custom format)", file.display(), done.bytes)
        }
    }
    Ok(())
}

fn restore(file: &std::path::Path) -> Result<(), Failure> {
    let done = crate::backup::restore(&database_url()?, file).map_err(|e| Failure(1, e))?;
    let c = done.contents;
    println!(
        "restored from {}: {} reports, {} cases, {} evidence files (every SHA-256 matches), \
         audit log intact: {} entries verified",
        file.display(),
        c.reports,
        c.cases,
        done.evidence_checked,
        done.audit_verified
    );
    Ok(())
}

fn audit_verify() -> Result<(), Failure> {
    // Read-only: no migrations, no reference data, nothing written.
    let (_, db) = crate::open_for_reading(&crate::config::figment()).map_err(|e| Failure(2, e))?;
    let mut pooled = db.get()?;
    let conn: &mut DbConn = &mut pooled;
    match audit::verify(conn)? {
        Ok(n) => {
            println!("audit log intact: {n} entries verified");
            Ok(())
        }
        Err(e) => Err(Failure(1, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        assert!(valid_email("a.b@cndh.ml"));
        assert!(!valid_email("a.b"));
        assert!(!valid_email("@cndh.ml"));
        assert!(!valid_email("a b@cndh.ml"));
    }
}
