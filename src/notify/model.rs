//! Queries on `mail_outbox`.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::mail_outbox;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMessage {
    pub id: i32,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Writes a message to the outbox, in the caller's transaction.
pub fn enqueue(conn: &mut DbConn, to: &str, subject: &str, body: &str, kind: &str) -> QueryResult<i32> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::to_addr.eq(to),
            mail_outbox::subject.eq(subject),
            mail_outbox::body.eq(body),
            mail_outbox::kind.eq(kind),
            mail_outbox::created_at.eq(now),
            mail_outbox::next_attempt_at.eq(now),
        ))
        .returning(mail_outbox::id)
        .get_result(conn)
}

/// Writes a message whose body carries a sign-in link: sealed under `key` (see
/// [`super::BodyKey`]; `None` only where no secret key was read, as in some tests).
pub fn enqueue_sealed(
    conn: &mut DbConn,
    key: Option<&super::BodyKey>,
    to: &str,
    subject: &str,
    body: &str,
    kind: &str,
) -> QueryResult<i32> {
    match key {
        Some(k) => enqueue(conn, to, subject, &k.seal(body), kind),
        None => enqueue(conn, to, subject, body, kind),
    }
}

/// Writes a message dated `created_at` (a reporter's action is dated to its day only), due now.
pub fn enqueue_dated(
    conn: &mut DbConn,
    to: &str,
    subject: &str,
    body: &str,
    kind: &str,
    created_at: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::to_addr.eq(to),
            mail_outbox::subject.eq(subject),
            mail_outbox::body.eq(body),
            mail_outbox::kind.eq(kind),
            mail_outbox::created_at.eq(created_at),
            mail_outbox::next_attempt_at.eq(Utc::now().naive_utc()),
        ))
        .returning(mail_outbox::id)
        .get_result(conn)
}

/// Once a mail caused by a reporter's action is sent, its body goes and its sending time is
/// kept to the day it was created on.
pub fn purge_sent(conn: &mut DbConn, id: i32, day: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(mail_outbox::table.find(id).filter(mail_outbox::sent_at.is_not_null()))
        .set((mail_outbox::body.eq(""), mail_outbox::sent_at.eq(Some(day))))
        .execute(conn)
}

/// How long a claimed message stays reserved for the instance that claimed it.
const LEASE: i64 = 120;

/// Claims up to `limit` due messages for this instance: they are leased for two minutes, so
/// another instance skips them. PostgreSQL uses `FOR UPDATE SKIP LOCKED`; SQLite has a
/// single writer, so the claim in one transaction is enough.
pub fn claim_due(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxMessage>> {
    let now = Utc::now().naive_utc();
    conn.transaction(|conn| {
        crate::db::begin_write(conn)?;
        let ids = crate::db::lock_due(conn, crate::db::Outbox::Mail, now, limit)?;
        diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
            .set(mail_outbox::locked_until.eq(Some(now + Duration::seconds(LEASE))))
            .execute(conn)?;
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(&ids))
            .order(mail_outbox::id)
            .select(OutboxMessage::as_select())
            .load(conn)
    })
}

/// A delivered mail keeps its address, subject and kind for the record, but not its body:
/// reset and welcome links (with their tokens) must not stay readable in the database.
pub fn mark_sent(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::body.eq(""),
            mail_outbox::sent_at.eq(Some(Utc::now().naive_utc())),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Retries with exponential backoff: 30 s, 1 min, 2 min… capped at 6 hours.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20).saturating_sub(1));
    Duration::seconds(secs.min(6 * 3600))
}

/// A failed try: retried later with backoff, until `max_attempts` tries, after which the mail
/// is given up (kept, with its last error, for the admin's mail page; no further tries).
pub fn mark_failed(
    conn: &mut DbConn,
    id: i32,
    attempts: i32,
    max_attempts: i32,
    error: &str,
) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let next =
        if attempts >= max_attempts { now + Duration::days(365 * 100) } else { now + backoff(attempts) };
    let error = if attempts >= max_attempts {
        format!("gave up after {attempts} attempts: {error}")
    } else {
        error.to_string()
    };
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::attempts.eq(attempts),
            mail_outbox::next_attempt_at.eq(next),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(Some(error.chars().take(500).collect::<String>())),
        ))
        .execute(conn)
}

/// Messages not yet delivered, oldest first, for the admins' view.
pub fn pending(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxMessage>> {
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .order(mail_outbox::id)
        .limit(limit)
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// The outbox as `/metrics` shows it: mail still to send, given up (`max_attempts` tries
/// failed), sent, and when the oldest still to send was queued.
pub fn outbox_figures(
    conn: &mut DbConn,
    max_attempts: i32,
) -> QueryResult<(i64, i64, i64, Option<NaiveDateTime>)> {
    let unsent = mail_outbox::table.filter(mail_outbox::sent_at.is_null());
    let queued = unsent.filter(mail_outbox::attempts.lt(max_attempts)).count().get_result(conn)?;
    let given_up = unsent.filter(mail_outbox::attempts.ge(max_attempts)).count().get_result(conn)?;
    let sent = mail_outbox::table.filter(mail_outbox::sent_at.is_not_null()).count().get_result(conn)?;
    let oldest = unsent
        .filter(mail_outbox::attempts.lt(max_attempts))
        .select(diesel::dsl::min(mail_outbox::created_at))
        .get_result(conn)?;
    Ok((queued, given_up, sent, oldest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(30), Duration::seconds(6 * 3600));
    }
}
