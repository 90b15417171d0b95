//! The database layer over two engines: SQLite (embedded default) and PostgreSQL, behind one
//! `DbConn` (diesel `MultiConnection`) and one r2d2 pool. The engine is chosen by the URL's
//! scheme, never by trying one and falling back to the other. Backend-specific SQL lives here.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A parsed database URL: the engine and what its driver takes.
#[derive(Debug, Clone)]
pub struct DbUrl {
    pub engine: Engine,
    /// For PostgreSQL the URL itself; for SQLite the file path.
    pub target: String,
}

impl DbUrl {
    /// `postgres://` and `postgresql://` select PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a
    /// plain path select SQLite. Anything else with a scheme is refused.
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("database_url is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl { engine: Engine::Postgres, target: url.to_string() });
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err("database_url names no SQLite file".into());
            }
            return Ok(DbUrl { engine: Engine::Sqlite, target: path.to_string() });
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "database_url has an unknown scheme `{scheme}` (use postgres:// or sqlite://)"
            ));
        }
        Ok(DbUrl { engine: Engine::Sqlite, target: url.to_string() })
    }

    /// The host of a PostgreSQL URL, for error messages (never the password).
    pub fn host(&self) -> String {
        let rest = self.target.split_once("://").map(|(_, r)| r).unwrap_or(&self.target);
        let after_auth = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
        after_auth.split(['/', '?']).next().unwrap_or("").to_string()
    }
}

/// How long a PostgreSQL statement may run, and wait for a lock, before the server cancels it
/// (0: no limit). A stalled holder of a lock (the audit chain's, a row's) then costs the others
/// a 503 after `lock_secs`, not a hang on every instance.
#[derive(Debug, Clone, Copy)]
pub struct PgTimeouts {
    pub statement_secs: u32,
    pub lock_secs: u32,
}

impl Default for PgTimeouts {
    fn default() -> Self {
        PgTimeouts { statement_secs: 60, lock_secs: 10 }
    }
}

/// Sets the timeouts of a PostgreSQL connection (nothing on SQLite, whose writers wait
/// `busy_timeout`).
pub fn set_timeouts(conn: &mut DbConn, t: PgTimeouts) -> QueryResult<()> {
    if let DbConn::Pg(pg) = conn {
        pg.batch_execute(&format!(
            "SET statement_timeout = '{}s'; SET lock_timeout = '{}s'",
            t.statement_secs, t.lock_secs
        ))?;
    }
    Ok(())
}

/// How much of a SQLite database file is read through a memory map (`PRAGMA mmap_size`).
pub const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Whether the last attempt to open a connection failed (the database stopped, unreachable,
/// refusing connections): set and cleared by [`Manager`] at each attempt, read by
/// [`Db::checkout`] so that a request does not wait the pool's whole timeout for a connection
/// that cannot come.
#[derive(Debug, Default)]
pub struct Health {
    failing: std::sync::atomic::AtomicBool,
}

impl Health {
    pub fn failing(&self) -> bool {
        self.failing.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn set(&self, failing: bool) {
        self.failing.store(failing, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Opens connections of the engine the URL names, and sets SQLite up for durability.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
    timeouts: PgTimeouts,
    health: std::sync::Arc<Health>,
}

impl Manager {
    pub fn new(url: DbUrl) -> Self {
        Manager::with_timeouts(url, PgTimeouts::default())
    }

    pub fn with_timeouts(url: DbUrl, timeouts: PgTimeouts) -> Self {
        Manager { url, timeouts, health: Default::default() }
    }

    pub fn establish(&self) -> Result<DbConn, diesel::ConnectionError> {
        match self.url.engine {
            Engine::Postgres => {
                let mut c = DbConn::Pg(diesel::PgConnection::establish(&self.url.target)?);
                set_timeouts(&mut c, self.timeouts)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(c)
            }
            Engine::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(&self.url.target)?;
                // Durability: an acknowledged report must survive power loss, so every commit
                // is synced (synchronous=FULL), with WAL so readers do not block the writer.
                // Privacy: deleted content (held reporter events, purged mail bodies) is
                // overwritten rather than left in free pages of a seized file (secure_delete).
                // Speed: every commit (a report filed, the audit entry of a page view) makes
                // each other connection drop its page cache at its next read; with the file
                // mapped, those pages are read from the OS cache without a copy. Measured at
                // 1,000,000 reports: the report page's p50 from 71-89 ms to 39-55 ms under load
                // (docs/PERFORMANCE.md). The mapped pages are the OS page cache, shared and
                // reclaimable; they show in the resident size as file-backed memory.
                let setup = format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; \
                     PRAGMA mmap_size = {SQLITE_MMAP_BYTES};"
                );
                // Two processes opening a new database at once (two instances started
                // together) both turn it to WAL, which takes the file's exclusive lock; SQLite
                // answers "database is locked" at once, without waiting the busy timeout, to
                // the one that would otherwise deadlock. The setup is idempotent: tried again
                // for up to the busy timeout.
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                loop {
                    match c.batch_execute(&setup) {
                        Ok(()) => break,
                        Err(e) if is_locked(&e) && std::time::Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(20))
                        }
                        Err(e) => return Err(diesel::ConnectionError::CouldntSetupConfiguration(e)),
                    }
                }
                Ok(DbConn::Sqlite(c))
            }
        }
    }
}

/// SQLite's "database is locked" (SQLITE_BUSY).
fn is_locked(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info) if info.message().contains("database is locked"))
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let conn = self.establish();
        self.health.set(conn.is_err());
        conn.map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type DbPool = Pool<Manager>;

/// The pool in Rocket's state. Queries run on the blocking thread pool, never on the async
/// workers.
#[derive(Clone)]
pub struct Db {
    pub pool: DbPool,
    pub engine: Engine,
    health: std::sync::Arc<Health>,
}

/// How long a caller waits for a free connection while the database answers (a busy pool).
pub const POOL_WAIT: Duration = Duration::from_secs(15);
/// How long it waits once opening a connection has failed: the database is down, and the
/// request gets its 503 within about this instead of [`POOL_WAIT`].
pub const FAILING_WAIT: Duration = Duration::from_secs(1);

impl Db {
    /// Connects (creating the SQLite file and its folder if needed) and checks the first
    /// connection, so a bad URL fails at start with a message naming its host or path.
    pub fn connect(url: &str, pool_size: u32) -> AppResult<Db> {
        Db::connect_with(url, pool_size, PgTimeouts::default())
    }

    /// [`Db::connect`] with the PostgreSQL statement and lock timeouts of the configuration.
    pub fn connect_with(url: &str, pool_size: u32, timeouts: PgTimeouts) -> AppResult<Db> {
        let url = DbUrl::parse(url).map_err(AppError::Config)?;
        let sqlite_file = (url.engine == Engine::Sqlite && url.target != ":memory:")
            .then(|| std::path::PathBuf::from(&url.target));
        if let Some(file) = &sqlite_file {
            if let Some(dir) = file.parent() {
                if !dir.as_os_str().is_empty() && !dir.exists() {
                    // A folder made for the database is its owner's only.
                    crate::private_fs::private_dir(dir).map_err(|e| {
                        AppError::Config(format!("cannot create the folder {}: {e}", dir.display()))
                    })?;
                }
            }
            // Security: the database is created 0600 before SQLite opens it, so its -wal and
            // -shm files (which SQLite creates with the database's permissions) are too. Only a
            // missing file is opened here: closing a descriptor of a database this process
            // already has open (a second pool, as tests build) drops every POSIX lock SQLite
            // holds on it, and another process (`vigie keys init`) could then take itself for
            // the last connection and remove the WAL under ours. An existing file is tightened
            // by its path below.
            if !file.exists() {
                crate::private_fs::private_file(file)
                    .map_err(|e| AppError::Config(format!("cannot create {}: {e}", file.display())))?;
            }
        }
        let manager = Manager::with_timeouts(url.clone(), timeouts);
        // Fail fast with a clear message rather than r2d2's generic timeout.
        manager.establish().map_err(|e| match url.engine {
            Engine::Postgres => {
                AppError::Config(format!("cannot connect to PostgreSQL at {}: {e}", url.host()))
            }
            Engine::Sqlite => AppError::Config(format!("cannot open SQLite database {}: {e}", url.target)),
        })?;
        if let Some(file) = &sqlite_file {
            // Files an older installation left readable by others.
            for f in crate::private_fs::sqlite_files(file) {
                crate::private_fs::tighten_file(&f)
                    .map_err(|e| AppError::Config(format!("cannot protect {}: {e}", f.display())))?;
            }
        }
        let health = manager.health.clone();
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(POOL_WAIT)
            .build(manager)
            .map_err(|e| AppError::Pool(e.to_string()))?;
        Ok(Db { pool, engine: url.engine, health })
    }

    pub fn get(&self) -> AppResult<r2d2::PooledConnection<Manager>> {
        Db::checkout(&self.pool, &self.health)
    }

    /// Whether the last attempt to open a connection failed.
    pub fn failing(&self) -> bool {
        self.health.failing()
    }

    /// A connection from the pool: waited for up to [`POOL_WAIT`] while the database answers
    /// (every connection busy), but given up after [`FAILING_WAIT`] once opening one has
    /// failed, so that during an outage a request gets its 503 in about a second. The wait
    /// is taken in short slices so that a failure noticed meanwhile (by the pool's own attempt
    /// to replace a dead connection) ends it.
    fn checkout(pool: &DbPool, health: &Health) -> AppResult<r2d2::PooledConnection<Manager>> {
        let start = std::time::Instant::now();
        loop {
            let slice = if health.failing() { FAILING_WAIT } else { Duration::from_millis(250) };
            let left = POOL_WAIT.saturating_sub(start.elapsed());
            match pool.get_timeout(slice.min(left).max(Duration::from_millis(1))) {
                Ok(c) => return Ok(c),
                Err(e) if health.failing() || start.elapsed() >= POOL_WAIT => {
                    return Err(AppError::Pool(e.to_string()))
                }
                Err(_) => {}
            }
        }
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<F, T>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, health) = (self.pool.clone(), self.health.clone());
        rocket::tokio::task::spawn_blocking(move || {
            let mut conn = Db::checkout(&pool, &health)?;
            f(&mut conn)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Runs `f` in one transaction: everything it writes commits together or not at all.
    ///
    /// PostgreSQL may abort a transaction that lost a race for locks (deadlock, SQLSTATE 40P01)
    /// or for a serializable snapshot (40001): the whole transaction runs once more, from the
    /// start, after a short random pause, before the error is given up to the caller.
    pub async fn transaction<F, T>(&self, mut f: F) -> AppResult<T>
    where
        F: FnMut(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |c| {
            let first = c.transaction(|c| {
                begin_write(c)?;
                f(c)
            });
            match first {
                Err(AppError::Database(e)) if is_retryable(&e) => {
                    // Held: a public request may be what met it (the journal would date it).
                    crate::logs::public_error(
                        "database",
                        &format!("database: {} (retried once)", retry_reason(&e)),
                    );
                    // A short pause, random so that two losers do not meet again: the winner
                    // commits first (trying at once could take a row back before it does).
                    let pause = 20 + rand::Rng::gen_range(&mut rand::thread_rng(), 0..80);
                    std::thread::sleep(Duration::from_millis(pause));
                    c.transaction(|c| {
                        begin_write(c)?;
                        f(c)
                    })
                }
                other => other,
            }
        })
        .await
    }
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Whether some embedded migration is not applied yet, found by reading only (diesel's own
/// check first creates its table, a write).
fn has_pending_migrations(conn: &mut DbConn) -> bool {
    use diesel::migration::MigrationSource;
    let applied: Vec<VersionRow> =
        match diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn) {
            Ok(v) => v,
            Err(_) => return true,
        };
    let applied: std::collections::HashSet<String> = applied.into_iter().map(|v| v.version).collect();
    let versions: Vec<String> = match conn {
        DbConn::Pg(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|m| m.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default(),
        DbConn::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map(|m| m.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default(),
    };
    versions.is_empty() || versions.iter().any(|v| !applied.contains(v))
}

/// A transaction PostgreSQL aborted for losing a race (a deadlock, 40P01, or a serialization
/// failure, 40001): running it again from the start is safe.
pub fn is_retryable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // diesel has no kind for 40P01; PostgreSQL's message names it.
        Error::DatabaseError(_, info) => info.message().starts_with("deadlock detected"),
        _ => false,
    }
}

pub use crate::error::is_timeout;

fn retry_reason(e: &diesel::result::Error) -> &'static str {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::SerializationFailure, _) => {
            "serialization failure"
        }
        _ => "deadlock",
    }
}

/// Applies the embedded migrations of the connection's engine; returns how many ran. A database
/// already up to date is only read.
pub fn migrate(conn: &mut DbConn) -> AppResult<usize> {
    if !has_pending_migrations(conn) {
        return Ok(0);
    }
    let applied = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    // No ANALYZE here: sampled statistics (`analysis_limit = 1000`) taken after a migration
    // turned the staff map's group filter at 1M reports from the month index to the
    // violation-type index (p99 570 ms); the case list's fix is its index (000051), which the
    // planner takes without statistics.
    applied.map_err(|e| AppError::Internal(format!("migration failed: {e}")))
}

/// The start-up lock: instances (and commands) starting together on one database migrate and
/// load the reference data one after the other, so none fails on a half-made schema.
/// PostgreSQL: a session advisory lock on the connection doing it (released by [`StartLock::
/// release`], or by the server when the process dies). SQLite: an exclusive `flock` on the
/// database's folder (never on the database file itself: closing another descriptor of that
/// file would drop SQLite's own POSIX locks), released when the value is dropped.
pub struct StartLock {
    _folder: Option<std::fs::File>,
    pg: bool,
}

/// The key of the start-up advisory lock (the audit chain's is 727274).
const START_LOCK_KEY: i64 = 727_275;

impl StartLock {
    pub fn take(conn: &mut DbConn, url: &str) -> AppResult<StartLock> {
        match conn {
            DbConn::Pg(pg) => {
                pg.batch_execute(&format!("SELECT pg_advisory_lock({START_LOCK_KEY})"))?;
                Ok(StartLock { _folder: None, pg: true })
            }
            DbConn::Sqlite(_) => {
                let target = DbUrl::parse(url).map_err(AppError::Config)?.target;
                if target == ":memory:" {
                    return Ok(StartLock { _folder: None, pg: false });
                }
                let folder = std::path::Path::new(&target)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."))
                    .to_path_buf();
                let f = std::fs::File::open(&folder)
                    .map_err(|e| AppError::Config(format!("cannot open {}: {e}", folder.display())))?;
                // SAFETY: flock on a descriptor this value owns; it blocks until the lock is ours.
                let rc = unsafe { libc::flock(std::os::unix::io::AsRawFd::as_raw_fd(&f), libc::LOCK_EX) };
                if rc != 0 {
                    return Err(AppError::Internal(format!(
                        "cannot lock {}: {}",
                        folder.display(),
                        std::io::Error::last_os_error()
                    )));
                }
                Ok(StartLock { _folder: Some(f), pg: false })
            }
        }
    }

    /// Lets the next instance start.
    pub fn release(self, conn: &mut DbConn) -> AppResult<()> {
        if let (true, DbConn::Pg(pg)) = (self.pg, conn) {
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({START_LOCK_KEY})"))?;
        }
        Ok(())
    }
}

/// Call first in a write transaction. SQLite: takes the write lock before anything is read, so
/// the transaction reads the latest state and cannot fail later on a stale snapshot (WAL).
/// PostgreSQL: nothing, row locks do that work.
pub fn begin_write(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Sqlite(c) = conn {
        c.batch_execute("UPDATE settings SET value = value WHERE key = 'write-lock'")?;
    }
    Ok(())
}

/// How long a background pass (the reporter-event flush, the outbox, the digest) pauses between
/// two short write transactions. On SQLite a writer waiting on the lock sleeps and retries
/// (busy_timeout); a pass that took the lock again at once would keep it from getting it.
pub const PACE: Duration = Duration::from_millis(20);

/// The pause between two write transactions of a background pass (see [`PACE`]).
pub fn pace() {
    std::thread::sleep(PACE);
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}

/// An outbox whose rows are claimed by [`lock_due`]: same columns (`sent_at`,
/// `next_attempt_at`, `locked_until`), its own table.
#[derive(Debug, Clone, Copy)]
pub enum Outbox {
    Mail,
    Sms,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Outbox::Mail => "mail_outbox",
            Outbox::Sms => "sms_outbox",
        }
    }
}

/// The ids of up to `limit` undelivered rows of `outbox` that are due and not leased by another
/// instance, locked for the current transaction. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two
/// instances never claim the same message. SQLite: one writer at a time already (see
/// [`begin_write`]).
pub fn lock_due(
    conn: &mut DbConn,
    outbox: Outbox,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i32>> {
    use diesel::sql_types::{BigInt, Timestamp};
    let table = outbox.table();
    let rows: Vec<IdRow> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(format!(
            "SELECT id FROM {table} WHERE sent_at IS NULL AND next_attempt_at <= $1 \
             AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"
        ))
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(pg)?,
        DbConn::Sqlite(lite) => diesel::sql_query(format!(
            "SELECT id FROM {table} WHERE sent_at IS NULL AND next_attempt_at <= ?1 \
             AND (locked_until IS NULL OR locked_until < ?1) ORDER BY id LIMIT ?2"
        ))
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(lite)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// After rows were inserted with explicit ids: PostgreSQL's sequences move past them (SQLite
/// needs nothing, its ids follow the largest).
pub fn reset_sequences(conn: &mut DbConn, tables: &[&str]) -> QueryResult<()> {
    if let DbConn::Pg(pg) = conn {
        for t in tables {
            pg.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load (both engines use them to choose
/// indexes; PostgreSQL would otherwise wait for autovacuum).
pub fn analyze(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("ANALYZE")
}

/// A SQLite file opened as it is (no pragma changed, nothing written), for checking a backup
/// or a restore target: `vigie backup` and `vigie restore`.
pub fn open_sqlite_file(path: &std::path::Path) -> AppResult<DbConn> {
    let target =
        path.to_str().ok_or_else(|| AppError::Config(format!("{} is not valid UTF-8", path.display())))?;
    let c = diesel::SqliteConnection::establish(target)
        .map_err(|e| AppError::Config(format!("cannot open {}: {e}", path.display())))?;
    Ok(DbConn::Sqlite(c))
}

/// A write that is always rolled back, for `/healthz`: it fails when the database is
/// read-only (a replica after a fail-over, a read-only file) or cannot extend its file.
pub fn write_probe(conn: &mut DbConn) -> QueryResult<()> {
    let tried = conn.transaction(|c| {
        c.batch_execute("UPDATE settings SET value = value WHERE key = 'write-lock'")?;
        Err::<(), _>(diesel::result::Error::RollbackTransaction)
    });
    match tried {
        Err(diesel::result::Error::RollbackTransaction) => Ok(()),
        Err(e) => Err(e),
        Ok(()) => Ok(()),
    }
}

/// A cheap round trip, for `/healthz`.
pub fn ping(conn: &mut DbConn) -> AppResult<()> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

pub fn engine_of(conn: &DbConn) -> Engine {
    match conn {
        DbConn::Pg(_) => Engine::Postgres,
        DbConn::Sqlite(_) => Engine::Sqlite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_selects_the_engine() {
        assert_eq!(DbUrl::parse("postgres://u:p@db.example:5432/v").unwrap().engine, Engine::Postgres);
        assert_eq!(DbUrl::parse("postgresql://h/v").unwrap().engine, Engine::Postgres);
        let s = DbUrl::parse("sqlite://data/vigie.db").unwrap();
        assert_eq!((s.engine, s.target.as_str()), (Engine::Sqlite, "data/vigie.db"));
        assert_eq!(DbUrl::parse("data/vigie.db").unwrap().engine, Engine::Sqlite);
        assert!(DbUrl::parse("mysql://h/v").unwrap_err().contains("mysql"));
        assert!(DbUrl::parse("").is_err());
    }

    #[test]
    fn host_never_shows_the_password() {
        let u = DbUrl::parse("postgres://vigie:s3cret@db.internal:5433/vigie?sslmode=require").unwrap();
        assert_eq!(u.host(), "db.internal:5433");
    }
}
