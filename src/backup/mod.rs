//! `vigie backup FILE` and `vigie restore FILE` (issue 14).
//!
//! Everything a commission must keep lives in the database: reports, evidence bytes (rows of
//! `attachment_pieces`, never files in the data folder), cases, messages, the audit log and the
//! receipt salt. A backup is therefore one consistent copy of the database, taken while the
//! server runs:
//! - SQLite: `VACUUM INTO` a new file, in one read transaction (writers go on meanwhile); the
//!   copy is then checked (`PRAGMA integrity_check`, foreign keys, the whole audit chain) before
//!   it gets its final name.
//! - PostgreSQL: `pg_dump --format=custom` (one snapshot), checked with `pg_restore --list`.
//!
//! Both are written beside the target as `.NAME.partial` (mode 0600), synced, and renamed only
//! when whole: a backup cut short never looks like a good one. An existing FILE is never
//! overwritten.
//!
//! A restore goes into an empty database only (a restore over live data would mix two
//! histories and break the audit chain); afterwards the audit chain is walked and every
//! evidence file's SHA-256 is computed again and compared with the one recorded at upload.
//!
//! Security: the secret key (`ROCKET_SECRET_KEY` or `data/secret.key`), which seals the second
//! factors, is deliberately not in the backup; docs/OPERATIONS.md says where to keep it.

pub mod model;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::db::{Db, DbConn, DbUrl, Engine};

pub use model::Contents;

/// What `vigie backup` wrote.
#[derive(Debug)]
pub struct BackupDone {
    pub bytes: u64,
    /// SQLite: what the copy holds and how many audit entries were verified in it.
    pub contents: Option<Contents>,
}

/// What `vigie restore` restored and checked.
#[derive(Debug)]
pub struct RestoreDone {
    pub contents: Contents,
    pub audit_verified: usize,
    pub evidence_checked: usize,
}

/// The two formats a backup file can have, known by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sqlite,
    PgDump,
}

pub fn format_of(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"SQLite format 3\0") {
        Some(Format::Sqlite)
    } else if head.starts_with(b"PGDMP") {
        Some(Format::PgDump)
    } else {
        None
    }
}

/// `.NAME.partial` beside `path`.
fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Makes the copy of the database at `url` into `out`.
pub fn backup(url: &str, out: &Path) -> Result<BackupDone, String> {
    let parsed = DbUrl::parse(url)?;
    if out.exists() {
        return Err(format!("{} already exists: a backup never overwrites a file", out.display()));
    }
    if out.file_name().is_none() {
        return Err(format!("{} names no file", out.display()));
    }
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    crate::private_fs::private_file(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let made = match parsed.engine {
        Engine::Sqlite => backup_sqlite(&parsed, &partial),
        Engine::Postgres => backup_postgres(&parsed, &partial),
    };
    let contents = match made {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    sync_and_rename(&partial, out)?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BackupDone { bytes, contents })
}

fn backup_sqlite(url: &DbUrl, partial: &Path) -> Result<Option<Contents>, String> {
    if !Path::new(&url.target).is_file() {
        return Err(format!("there is no SQLite database at {}", url.target));
    }
    let db = Db::connect(&format!("sqlite://{}", url.target), 1).map_err(|e| e.to_string())?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let target = partial.to_str().ok_or("the backup path is not valid UTF-8")?;
    model::sqlite_vacuum_into(&mut conn, target).map_err(|e| format!("the copy failed: {e}"))?;
    drop(conn);
    let mut copy = crate::db::open_sqlite_file(partial).map_err(|e| e.to_string())?;
    let (contents, _) = check(&mut copy, false)?;
    Ok(Some(contents))
}

fn backup_postgres(url: &DbUrl, partial: &Path) -> Result<Option<Contents>, String> {
    let (conninfo, password) = split_password(&url.target);
    let mut dump = pg_tool("pg_dump", password.as_deref());
    dump.arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        // Privacy: the hour's rate-limit keys and salt stay out of copies (issue 14).
        .arg("--exclude-table-data=rate_counts")
        .arg("--exclude-table-data=rate_salts")
        .arg(format!("--file={}", partial.display()))
        .arg(format!("--dbname={conninfo}"));
    run(dump, "pg_dump")?;
    let mut list = pg_tool("pg_restore", None);
    list.arg("--list").arg(partial);
    run(list, "pg_restore --list").map_err(|e| format!("the dump cannot be read back: {e}"))?;
    Ok(None)
}

/// Restores `file` into the empty database at `url`, then checks it.
pub fn restore(url: &str, file: &Path) -> Result<RestoreDone, String> {
    let parsed = DbUrl::parse(url)?;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let format = format_of(&head[..n])
        .ok_or_else(|| format!("{} is not a Vigie backup (neither SQLite nor pg_dump)", file.display()))?;
    match (parsed.engine, format) {
        (Engine::Sqlite, Format::Sqlite) | (Engine::Postgres, Format::PgDump) => {}
        (engine, format) => {
            return Err(format!(
                "{} is a {} backup; the configured database is {}",
                file.display(),
                if format == Format::Sqlite { "SQLite" } else { "PostgreSQL" },
                engine.name()
            ))
        }
    }
    match parsed.engine {
        Engine::Sqlite => restore_sqlite(&parsed, file),
        Engine::Postgres => restore_postgres(&parsed, file),
    }
}

fn not_empty(what: &str, tables: i64) -> String {
    format!(
        "{what} is not empty ({tables} tables): a backup is restored into an empty database only; \
         move the database away (or create a new one) and run the restore again"
    )
}

fn restore_sqlite(url: &DbUrl, file: &Path) -> Result<RestoreDone, String> {
    let target = PathBuf::from(&url.target);
    if target.exists() {
        let mut existing = crate::db::open_sqlite_file(&target).map_err(|e| e.to_string())?;
        let tables = model::count_tables(&mut existing).map_err(|e| e.to_string())?;
        if tables > 0 {
            return Err(not_empty(&target.display().to_string(), tables));
        }
        drop(existing);
        // An empty file (or one a server never migrated): nothing is lost by replacing it.
        for f in crate::private_fs::sqlite_files(&target) {
            let _ = std::fs::remove_file(f);
        }
    }
    // Check the backup itself before anything is written.
    let mut source = crate::db::open_sqlite_file(file).map_err(|e| e.to_string())?;
    check(&mut source, false).map_err(|e| format!("{} is damaged: {e}", file.display()))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        crate::private_fs::private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let partial = partial_path(&target);
    let _ = std::fs::remove_file(&partial);
    crate::private_fs::private_file(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let into = partial.to_str().ok_or("the database path is not valid UTF-8")?;
    if let Err(e) = model::sqlite_vacuum_into(&mut source, into) {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("the copy failed: {e}"));
    }
    drop(source);
    sync_and_rename(&partial, &target)?;
    let db = Db::connect(&format!("sqlite://{}", url.target), 1).map_err(|e| e.to_string())?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let (contents, (audit_verified, evidence_checked)) = check(&mut conn, true)?;
    Ok(RestoreDone { contents, audit_verified, evidence_checked })
}

fn restore_postgres(url: &DbUrl, file: &Path) -> Result<RestoreDone, String> {
    let db = Db::connect(&url.target, 1).map_err(|e| e.to_string())?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let tables = model::count_tables(&mut conn).map_err(|e| e.to_string())?;
    if tables > 0 {
        return Err(not_empty(&format!("the database at {}", url.host()), tables));
    }
    let (conninfo, password) = split_password(&url.target);
    let mut cmd = pg_tool("pg_restore", password.as_deref());
    // One transaction: a restore that fails leaves the database empty, as it was.
    cmd.arg("--exit-on-error")
        .arg("--single-transaction")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(format!("--dbname={conninfo}"))
        .arg(file);
    run(cmd, "pg_restore")?;
    let (contents, (audit_verified, evidence_checked)) = check(&mut conn, true)?;
    Ok(RestoreDone { contents, audit_verified, evidence_checked })
}

/// Checks a copy: SQLite's own checks, the whole audit chain and, when `evidence` is set,
/// every evidence file's SHA-256 against the one recorded at upload. Returns what it holds and
/// (audit entries verified, evidence files checked).
fn check(conn: &mut DbConn, evidence: bool) -> Result<(Contents, (usize, usize)), String> {
    let problems = model::sqlite_problems(conn).map_err(|e| e.to_string())?;
    if !problems.is_empty() {
        return Err(format!("the copy is not sound: {}", problems.join("; ")));
    }
    let verified = match crate::audit::verify(conn).map_err(|e| e.to_string())? {
        Ok(n) => n,
        Err(e) => return Err(format!("the copy's audit chain is broken: {e}")),
    };
    let mut checked = 0;
    if evidence {
        let mut wrong = vec![];
        for id in model::evidence_ids(conn).map_err(|e| e.to_string())? {
            let (recorded, now) = model::evidence_digests(conn, id).map_err(|e| e.to_string())?;
            if now != recorded {
                wrong.push(id.to_string());
            }
            checked += 1;
        }
        if !wrong.is_empty() {
            return Err(format!("evidence whose SHA-256 does not match: ids {}", wrong.join(", ")));
        }
    }
    let contents = model::contents(conn).map_err(|e| e.to_string())?;
    Ok((contents, (verified, checked)))
}

/// Syncs `partial`, renames it to `to` and syncs the folder, so the name appears only over a
/// whole file that is on disk.
fn sync_and_rename(partial: &Path, to: &Path) -> Result<(), String> {
    let synced = std::fs::File::open(partial).and_then(|f| f.sync_all());
    if let Err(e) = synced {
        let _ = std::fs::remove_file(partial);
        return Err(format!("cannot sync {}: {e}", partial.display()));
    }
    std::fs::rename(partial, to).map_err(|e| format!("cannot rename to {}: {e}", to.display()))?;
    let dir = to.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", dir.display()))
}

/// A PostgreSQL client program, with the password (if any) in its environment rather than on
/// its command line, where every user of the machine could read it.
fn pg_tool(program: &str, password: Option<&str>) -> Command {
    let mut cmd = Command::new(program);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.stdin(std::process::Stdio::null());
    cmd
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{what}: not found on PATH; install the PostgreSQL client of the server's major \
                 version (Debian: apt install postgresql-client-15)"
            )
        } else {
            format!("{what}: {e}")
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Splits a PostgreSQL URL into the URL without its password and the password, decoded.
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let (auth_end, rest_end) = match rest.find(['/', '?']) {
        Some(i) => (i, i),
        None => (rest.len(), rest.len()),
    };
    let authority = &rest[..auth_end];
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    let decoded = percent_encoding::percent_decode_str(password).decode_utf8_lossy().to_string();
    (format!("{scheme}://{user}@{host}{}", &rest[rest_end..]), Some(decoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_decoded() {
        assert_eq!(
            split_password("postgres://vigie:s%40cr%3At@db:5432/vigie?sslmode=require"),
            ("postgres://vigie@db:5432/vigie?sslmode=require".into(), Some("s@cr:t".into()))
        );
        assert_eq!(split_password("postgres://vigie@db/vigie"), ("postgres://vigie@db/vigie".into(), None));
        assert_eq!(split_password("postgres://db/vigie"), ("postgres://db/vigie".into(), None));
    }

    #[test]
    fn formats_are_known_by_their_first_bytes() {
        assert_eq!(format_of(b"SQLite format 3\0xyz"), Some(Format::Sqlite));
        assert_eq!(format_of(b"PGDMP\x01\x0e"), Some(Format::PgDump));
        assert_eq!(format_of(b"PK\x03\x04"), None);
    }

    #[test]
    fn the_partial_file_sits_beside_the_target() {
        assert_eq!(partial_path(Path::new("/b/vigie.db")), PathBuf::from("/b/.vigie.db.partial"));
    }
}
