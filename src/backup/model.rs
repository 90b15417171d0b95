//! The queries of a backup and a restore: whether a database is empty, a SQLite copy taken in
//! one read transaction (`VACUUM INTO`), and what a restored database holds (counts, evidence
//! hashes, SQLite's own checks). Nothing here writes to the database it reads.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConn;
use crate::schema::{attachments, audit_log, cases, reports};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many tables the database holds (the application's and diesel's own): 0 is empty.
pub fn count_tables(conn: &mut DbConn) -> QueryResult<i64> {
    let q = match conn {
        DbConn::Pg(_) => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        }
        DbConn::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
    };
    Ok(diesel::sql_query(q).get_result::<Count>(conn)?.n)
}

/// SQLite: writes a consistent copy of the whole database into `path` (which must not exist
/// or be empty), in one read transaction: writers go on meanwhile (WAL), and the copy is the
/// database as it was when the transaction began.
pub fn sqlite_vacuum_into(conn: &mut DbConn, path: &str) -> QueryResult<()> {
    diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(path).execute(conn).map(|_| ())
}

#[derive(QueryableByName)]
struct CheckLine {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct FkViolation {
    #[diesel(sql_type = Text)]
    table: String,
}

/// SQLite: what `PRAGMA integrity_check` and `PRAGMA foreign_key_check` find wrong (empty when
/// the file is sound). Nothing on PostgreSQL, whose restore checks every constraint itself.
pub fn sqlite_problems(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    if let DbConn::Pg(_) = conn {
        return Ok(vec![]);
    }
    let mut out: Vec<String> = diesel::sql_query("PRAGMA integrity_check")
        .load::<CheckLine>(conn)?
        .into_iter()
        .map(|l| l.integrity_check)
        .filter(|l| l != "ok")
        .collect();
    for v in diesel::sql_query("PRAGMA foreign_key_check").load::<FkViolation>(conn)? {
        out.push(format!("a row of {} points to a missing row", v.table));
    }
    Ok(out)
}

/// What a database holds, said after a backup or a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contents {
    pub reports: i64,
    pub cases: i64,
    pub evidence: i64,
    pub audit_entries: i64,
}

pub fn contents(conn: &mut DbConn) -> QueryResult<Contents> {
    Ok(Contents {
        reports: reports::table.count().get_result(conn)?,
        cases: cases::table.count().get_result(conn)?,
        evidence: attachments::table.count().get_result(conn)?,
        audit_entries: audit_log::table.count().get_result(conn)?,
    })
}

/// The ids of every evidence file, in order.
pub fn evidence_ids(conn: &mut DbConn) -> QueryResult<Vec<i32>> {
    attachments::table.order(attachments::id).select(attachments::id).load(conn)
}

/// One evidence file's recorded SHA-256 of its stored bytes and the SHA-256 of those bytes as
/// they are now (read one piece at a time): the original's for a file kept in clear, the sealed
/// bytes' for a sealed one (issue 15), which a restore checks without any key.
pub fn evidence_digests(conn: &mut DbConn, id: i32) -> Result<(String, String), crate::error::AppError> {
    let (original, stored): (String, Option<String>) =
        attachments::table.find(id).select((attachments::sha256, attachments::stored_sha256)).first(conn)?;
    let now = crate::pieces::sha256(conn, id)?;
    Ok((stored.unwrap_or(original), now))
}
