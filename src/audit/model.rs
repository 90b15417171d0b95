//! Queries on `audit_log`.

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{entry_hash, GENESIS};
use crate::db::DbConn;
use crate::schema::{audit_log, pending_reporter_events, settings};

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in staff member (id, email) and, optionally, their address.
    User { id: i32, email: String, ip: Option<String> },
    /// The anonymous reporter, through their receipt. Privacy: no address, ever.
    Reporter,
    /// The command line or a background task.
    System(&'static str),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor_id: Option<i32>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's content and of the entry before it (its own `id` and `hash` aside).
fn content_hash(e: &Entry) -> String {
    let at = e.at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let actor_id = e.actor_id.map(|i| i.to_string()).unwrap_or_default();
    entry_hash(&[
        &at,
        &actor_id,
        &e.actor,
        e.ip.as_deref().unwrap_or(""),
        &e.action,
        &e.object_type,
        &e.object_id,
        &e.details,
        &e.prev_hash,
    ])
}

/// Appends one entry, inside the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
) -> QueryResult<()> {
    // Two writers must not chain onto the same previous entry. On PostgreSQL a transaction
    // lock serialises appends; SQLite already has one writer at a time (see db::begin_write).
    if let DbConn::Pg(_) = conn {
        conn.batch_execute("SELECT pg_advisory_xact_lock(727274)")?;
    }
    // Whole seconds: both engines store them identically, so the hash verifies on either.
    let now = Utc::now().naive_utc();
    let at = match actor {
        // Privacy: a reporter's action keeps only its day, like the report itself.
        Actor::Reporter => now.date().and_hms_opt(0, 0, 0).unwrap_or(now),
        _ => now.with_nanosecond(0).unwrap_or(now),
    };
    append(conn, actor, at, action, object_type, object_id, details)
}

/// Appends a reporter's entry held back by [`hold_reporter_event`], dated to the day of the
/// action (written later, by `audit::flush_reporter_events`).
pub fn record_reporter_on(
    conn: &mut DbConn,
    day: chrono::NaiveDate,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
) -> QueryResult<()> {
    if let DbConn::Pg(_) = conn {
        conn.batch_execute("SELECT pg_advisory_xact_lock(727274)")?;
    }
    let at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    append(conn, &Actor::Reporter, at, action, object_type, object_id, details)
}

fn append(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
) -> QueryResult<()> {
    let prev: Option<String> =
        audit_log::table.order(audit_log::id.desc()).select(audit_log::hash).first(conn).optional()?;
    let prev = prev.unwrap_or_else(|| GENESIS.to_string());
    let (actor_id, actor_label, ip) = match actor {
        Actor::User { id, email, ip } => (Some(*id), email.clone(), ip.clone()),
        Actor::Reporter => (None, "reporter".to_string(), None),
        Actor::System(what) => (None, format!("system:{what}"), None),
    };
    let mut e = Entry {
        id: 0,
        at,
        actor_id,
        actor: actor_label,
        ip,
        action: action.to_string(),
        object_type: object_type.to_string(),
        object_id: object_id.to_string(),
        details: details.to_string(),
        prev_hash: prev,
        hash: String::new(),
    };
    e.hash = content_hash(&e);
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(e.at),
            audit_log::actor_id.eq(e.actor_id),
            audit_log::actor.eq(&e.actor),
            audit_log::ip.eq(&e.ip),
            audit_log::action.eq(&e.action),
            audit_log::object_type.eq(&e.object_type),
            audit_log::object_id.eq(&e.object_id),
            audit_log::details.eq(&e.details),
            audit_log::prev_hash.eq(&e.prev_hash),
            audit_log::hash.eq(&e.hash),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The entry's content no longer matches its hash: it was edited.
    Altered(i32),
    /// The entry does not follow the one before it: an entry was deleted or inserted.
    Broken(i32),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Altered(id) => {
                write!(f, "audit entry {id} was altered: its content does not match its hash")
            }
            VerifyError::Broken(id) => {
                write!(f, "audit chain broken at entry {id}: it does not follow the entry before it")
            }
        }
    }
}

/// Where a walk of the chain ended: the last entry verified and how many were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub last_id: i32,
    pub last_hash: String,
    pub count: usize,
}

/// Walks the chain in pages from `from` (exclusive); returns where it ended, or the first break.
fn walk(conn: &mut DbConn, from: Checkpoint) -> QueryResult<Result<Checkpoint, VerifyError>> {
    let Checkpoint { mut last_id, last_hash: mut prev, mut count } = from;
    loop {
        let page: Vec<Entry> = audit_log::table
            .filter(audit_log::id.gt(last_id))
            .order(audit_log::id)
            .limit(5000)
            .select(Entry::as_select())
            .load(conn)?;
        if page.is_empty() {
            return Ok(Ok(Checkpoint { last_id, last_hash: prev, count }));
        }
        for e in page {
            if e.prev_hash != prev {
                return Ok(Err(VerifyError::Broken(e.id)));
            }
            let h = content_hash(&e);
            if h != e.hash {
                return Ok(Err(VerifyError::Altered(e.id)));
            }
            prev = e.hash;
            last_id = e.id;
            count += 1;
        }
    }
}

/// Walks the whole chain; returns how many entries verified, or the first break.
pub fn verify(conn: &mut DbConn) -> QueryResult<Result<usize, VerifyError>> {
    let genesis = Checkpoint { last_id: 0, last_hash: GENESIS.to_string(), count: 0 };
    Ok(walk(conn, genesis)?.map(|c| c.count))
}

const CHECKPOINT_KEY: &str = "audit_checkpoint";

/// The last checkpoint stored by [`verify_since`], if any.
pub fn checkpoint(conn: &mut DbConn) -> QueryResult<Option<Checkpoint>> {
    let v: Option<String> =
        settings::table.find(CHECKPOINT_KEY).select(settings::value).first(conn).optional()?;
    Ok(v.and_then(|v| {
        let mut parts = v.splitn(3, '|');
        Some(Checkpoint {
            last_id: parts.next()?.parse().ok()?,
            last_hash: parts.next()?.to_string(),
            count: parts.next()?.parse().ok()?,
        })
    }))
}

/// Stores the checkpoint. Concurrency: one upsert, because two audit pages (or two instances)
/// store theirs at once; the earlier delete-then-insert made the second fail on the key (a 500
/// seen in the soak run on two instances). Either checkpoint is a verified prefix of the chain,
/// so the last writer may keep the older one: the next view verifies a little more.
pub fn store_checkpoint(conn: &mut DbConn, c: &Checkpoint) -> QueryResult<()> {
    let value = format!("{}|{}|{}", c.last_id, c.last_hash, c.count);
    let row = (settings::key.eq(CHECKPOINT_KEY), settings::value.eq(&value));
    match conn {
        DbConn::Pg(pg) => diesel::insert_into(settings::table)
            .values(row)
            .on_conflict(settings::key)
            .do_update()
            .set(settings::value.eq(&value))
            .execute(pg)?,
        DbConn::Sqlite(lite) => diesel::insert_into(settings::table)
            .values(row)
            .on_conflict(settings::key)
            .do_update()
            .set(settings::value.eq(&value))
            .execute(lite)?,
    };
    Ok(())
}

/// Verifies only what was appended since `from` (the audit page's view: O(new entries), not
/// O(log)). The checkpoint's own entry is checked to still be there, unchanged; a change
/// further back is found by the full walk of `vigie audit verify`.
pub fn verify_since(
    conn: &mut DbConn,
    from: Option<Checkpoint>,
) -> QueryResult<Result<Checkpoint, VerifyError>> {
    let Some(from) = from else {
        return walk(conn, Checkpoint { last_id: 0, last_hash: GENESIS.to_string(), count: 0 });
    };
    let at: Option<Entry> =
        audit_log::table.find(from.last_id).select(Entry::as_select()).first(conn).optional()?;
    match at {
        Some(e) if e.hash == from.last_hash && content_hash(&e) == e.hash => walk(conn, from),
        _ => Ok(Err(VerifyError::Altered(from.last_id))),
    }
}

/// Filters of the audit browser; empty means any.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// A filter's text as a LIKE pattern matching it literally: `%`, `_` and `\` escaped (with
/// `\`), and no longer than 200 characters (a 51,000-character filter was a 500: "LIKE or
/// GLOB pattern too complex").
pub fn like_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(200) {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of entries, newest first, before the entry `before` (keyset pagination).
pub fn browse(conn: &mut DbConn, f: &Filter, before: Option<i32>, limit: i64) -> QueryResult<Vec<Entry>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(b) = before {
        q = q.filter(audit_log::id.lt(b));
    }
    if !f.actor.is_empty() {
        q = q.filter(audit_log::actor.like(format!("%{}%", like_text(&f.actor))).escape('\\'));
    }
    if !f.action.is_empty() {
        q = q.filter(audit_log::action.like(format!("{}%", like_text(&f.action))).escape('\\'));
    }
    if !f.object_type.is_empty() {
        q = q.filter(audit_log::object_type.eq(f.object_type.clone()));
    }
    if !f.object_id.is_empty() {
        q = q.filter(audit_log::object_id.eq(f.object_id.clone()));
    }
    if let Some(d) = f.from {
        q = q.filter(audit_log::at.ge(d.and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    if let Some(d) = f.to {
        q = q.filter(audit_log::at.lt(d.succ_opt().unwrap_or(d).and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    q.order(audit_log::id.desc()).limit(limit).select(Entry::as_select()).load(conn)
}

/// A reporter's action waiting to be written to the audit log (and the mail it causes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pending_reporter_events)]
pub struct PendingReporterEvent {
    pub id: i32,
    pub day: chrono::NaiveDate,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub details: String,
    pub mail_to: Option<String>,
    pub mail_subject: Option<String>,
    pub mail_body: Option<String>,
    pub mail_kind: Option<String>,
    pub due_at: NaiveDateTime,
}

/// A mail a reporter's action causes, held back with its audit entry.
#[derive(Debug, Clone)]
pub struct HeldMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
}

/// Holds a reporter's action back until `due_at` (in the caller's transaction).
#[expect(clippy::too_many_arguments, reason = "one argument per column of the held entry")]
pub fn hold_reporter_event(
    conn: &mut DbConn,
    day: chrono::NaiveDate,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
    mail: Option<&HeldMail>,
    due_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(pending_reporter_events::table)
        .values((
            pending_reporter_events::day.eq(day),
            pending_reporter_events::action.eq(action),
            pending_reporter_events::object_type.eq(object_type),
            pending_reporter_events::object_id.eq(object_id),
            pending_reporter_events::details.eq(details),
            pending_reporter_events::mail_to.eq(mail.map(|m| m.to.as_str())),
            pending_reporter_events::mail_subject.eq(mail.map(|m| m.subject.as_str())),
            pending_reporter_events::mail_body.eq(mail.map(|m| m.body.as_str())),
            pending_reporter_events::mail_kind.eq(mail.map(|m| m.kind.as_str())),
            pending_reporter_events::due_at.eq(due_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes up to `limit` held actions due at `now` (the earliest due first) out of the table (in
/// the caller's transaction). On
/// PostgreSQL the audit chain's lock is taken first, so two instances flushing at once cannot
/// both take the same rows (the second sees them gone).
pub fn take_due_reporter_events(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<PendingReporterEvent>> {
    if let DbConn::Pg(_) = conn {
        conn.batch_execute("SELECT pg_advisory_xact_lock(727274)")?;
    }
    let due: Vec<PendingReporterEvent> = pending_reporter_events::table
        .filter(pending_reporter_events::due_at.le(now))
        .order((pending_reporter_events::due_at, pending_reporter_events::id))
        .limit(limit)
        .select(PendingReporterEvent::as_select())
        .load(conn)?;
    let ids: Vec<i32> = due.iter().map(|e| e.id).collect();
    diesel::delete(pending_reporter_events::table.filter(pending_reporter_events::id.eq_any(&ids)))
        .execute(conn)?;
    Ok(due)
}
