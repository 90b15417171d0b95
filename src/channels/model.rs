//! Queries of the phone channels: the day's salts of number hashes, SMS conversations, the
//! channel of a report, the sealed numbers kept for replies, and the SMS outbox.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{
    channel_contacts, channel_salts, channel_sessions, report_channels, reports, sms_outbox,
};

/// The salt of `day`, made (random) the first time it is asked for; salts older than the day
/// before are deleted with it, so older hashes can never be recomputed.
/// Remembers a callback's signature at `now` (Unix seconds) and forgets those seen before
/// `forget_before`; false when it was already seen (a replay), by this instance or another.
pub fn first_sight(conn: &mut DbConn, signature: &str, now: i64, forget_before: i64) -> QueryResult<bool> {
    use crate::schema::channel_signatures as s;
    diesel::delete(s::table.filter(s::seen_at.lt(forget_before))).execute(conn)?;
    let row = (s::signature.eq(signature), s::seen_at.eq(now));
    let made = match conn {
        DbConn::Pg(pg) => diesel::insert_into(s::table).values(row).on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => {
            diesel::insert_into(s::table).values(row).on_conflict_do_nothing().execute(lite)?
        }
    };
    Ok(made == 1)
}

pub fn day_salt(conn: &mut DbConn, day: NaiveDate) -> QueryResult<String> {
    if let Some(s) =
        channel_salts::table.find(day).select(channel_salts::salt).first::<String>(conn).optional()?
    {
        return Ok(s);
    }
    let fresh = crate::crypto::random_token(24);
    let row = (channel_salts::day.eq(day), channel_salts::salt.eq(&fresh));
    match conn {
        DbConn::Pg(pg) => {
            diesel::insert_into(channel_salts::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConn::Sqlite(lite) => {
            diesel::insert_into(channel_salts::table).values(row).on_conflict_do_nothing().execute(lite)?
        }
    };
    diesel::delete(channel_salts::table.filter(channel_salts::day.lt(day - chrono::Days::new(1))))
        .execute(conn)?;
    channel_salts::table.find(day).select(channel_salts::salt).first(conn)
}

/// The salt of `day` if it exists (yesterday's, for a conversation started then).
pub fn existing_salt(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Option<String>> {
    channel_salts::table.find(day).select(channel_salts::salt).first(conn).optional()
}

/// The first conversation found under one of `hashes` (today's, then yesterday's) still alive
/// since `since`: (hash, state).
pub fn find_session(
    conn: &mut DbConn,
    hashes: &[String],
    since: NaiveDateTime,
) -> QueryResult<Option<(String, String)>> {
    for h in hashes {
        let found = channel_sessions::table
            .find(h)
            .filter(channel_sessions::updated_at.ge(since))
            .select((channel_sessions::number_hash, channel_sessions::state))
            .first::<(String, String)>(conn)
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Keeps a conversation's state under `hash` (today's), dropping it under `old` (yesterday's).
pub fn save_session(conn: &mut DbConn, hash: &str, old: Option<&str>, state: &str) -> QueryResult<()> {
    let now = Utc::now().naive_utc();
    if let Some(old) = old.filter(|o| *o != hash) {
        diesel::delete(channel_sessions::table.find(old)).execute(conn)?;
    }
    let row = (
        channel_sessions::number_hash.eq(hash),
        channel_sessions::state.eq(state),
        channel_sessions::updated_at.eq(now),
    );
    let set = (channel_sessions::state.eq(state), channel_sessions::updated_at.eq(now));
    match conn {
        DbConn::Pg(pg) => diesel::insert_into(channel_sessions::table)
            .values(row)
            .on_conflict(channel_sessions::number_hash)
            .do_update()
            .set(set)
            .execute(pg)?,
        DbConn::Sqlite(lite) => diesel::insert_into(channel_sessions::table)
            .values(row)
            .on_conflict(channel_sessions::number_hash)
            .do_update()
            .set(set)
            .execute(lite)?,
    };
    Ok(())
}

/// Forgets the conversations under these hashes (STOP, a report filed).
pub fn delete_sessions(conn: &mut DbConn, hashes: &[String]) -> QueryResult<usize> {
    diesel::delete(channel_sessions::table.filter(channel_sessions::number_hash.eq_any(hashes))).execute(conn)
}

/// Forgets conversations silent since before `before` (24 hours).
pub fn expire_sessions(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(channel_sessions::table.filter(channel_sessions::updated_at.lt(before))).execute(conn)
}

/// How many conversations are in progress (tests, metrics).
pub fn session_count(conn: &mut DbConn) -> QueryResult<i64> {
    channel_sessions::table.count().get_result(conn)
}

/// Records the phone channel of a report just filed, and the sealed number when the reporter
/// said yes to replies; in the report's transaction.
pub fn record_channel(
    conn: &mut DbConn,
    report_id: i32,
    channel: &str,
    sealed: Option<&str>,
    lang: &str,
) -> QueryResult<()> {
    diesel::insert_into(report_channels::table)
        .values((report_channels::report_id.eq(report_id), report_channels::channel.eq(channel)))
        .execute(conn)?;
    if let Some(sealed) = sealed {
        diesel::insert_into(channel_contacts::table)
            .values((
                channel_contacts::report_id.eq(report_id),
                channel_contacts::number_sealed.eq(sealed),
                channel_contacts::lang.eq(lang),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The phone channel of a report (`sms`, `ussd`), if it came by one.
pub fn channel_of(conn: &mut DbConn, report_id: i32) -> QueryResult<Option<String>> {
    report_channels::table.find(report_id).select(report_channels::channel).first(conn).optional()
}

/// Whether the reporter can be answered by SMS (a sealed number is kept).
pub fn has_contact(conn: &mut DbConn, report_id: i32) -> QueryResult<bool> {
    Ok(channel_contacts::table.find(report_id).count().get_result::<i64>(conn)? > 0)
}

/// The sealed number and language kept for a report.
pub fn contact_of(conn: &mut DbConn, report_id: i32) -> QueryResult<Option<(String, String)>> {
    channel_contacts::table
        .find(report_id)
        .select((channel_contacts::number_sealed, channel_contacts::lang))
        .first(conn)
        .optional()
}

/// Erases the numbers kept for the reports of an event whose public status is now closed
/// (every case ended: closed, inadmissible, duplicate or out of scope). Called after each
/// refresh of the public status, in the step's transaction.
pub fn erase_contacts_if_closed(conn: &mut DbConn, event_id: i32) -> QueryResult<usize> {
    let ids = reports::table
        .filter(reports::event_id.eq(event_id))
        .filter(reports::status.eq("closed"))
        .select(reports::id);
    diesel::delete(channel_contacts::table.filter(channel_contacts::report_id.eq_any(ids))).execute(conn)
}

/// Erases the number kept for one report (its triage closed it: inadmissible or out of scope,
/// with no case to end later). An SMS already queued keeps its own sealed copy until sent.
pub fn erase_contact(conn: &mut DbConn, report_id: i32) -> QueryResult<usize> {
    diesel::delete(channel_contacts::table.find(report_id)).execute(conn)
}

/// An SMS to send, in the caller's transaction: its number and its text both sealed
/// (`NumberKeys::seal`, `NumberKeys::seal_text`), dated to the day (the next try is the only
/// finer time, and the row goes when it is sent).
pub fn enqueue_sms(conn: &mut DbConn, sealed: &str, sealed_text: &str) -> QueryResult<i32> {
    let now = Utc::now().naive_utc();
    let day = now.date().and_hms_opt(0, 0, 0).unwrap_or(now);
    diesel::insert_into(sms_outbox::table)
        .values((
            sms_outbox::number_sealed.eq(sealed),
            sms_outbox::body.eq(sealed_text),
            sms_outbox::created_at.eq(day),
            sms_outbox::next_attempt_at.eq(now),
        ))
        .returning(sms_outbox::id)
        .get_result(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sms_outbox)]
pub struct OutboxSms {
    pub id: i32,
    pub number_sealed: String,
    pub body: String,
    pub attempts: i32,
}

/// Seals the texts an older version left in clear in the outbox (at start). Returns how many.
pub fn seal_clear_texts(conn: &mut DbConn, seal: impl Fn(&str) -> String) -> QueryResult<usize> {
    let clear: Vec<(i32, String)> = sms_outbox::table
        .filter(sms_outbox::body.ne(""))
        .filter(sms_outbox::body.not_like("v1:%"))
        .select((sms_outbox::id, sms_outbox::body))
        .load(conn)?;
    for (id, body) in &clear {
        diesel::update(sms_outbox::table.find(id).filter(sms_outbox::body.eq(body)))
            .set(sms_outbox::body.eq(seal(body)))
            .execute(conn)?;
    }
    Ok(clear.len())
}

/// Claims up to `limit` due SMS for this instance for two minutes (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL, as the mail outbox does).
pub fn claim_due_sms(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxSms>> {
    let now = Utc::now().naive_utc();
    conn.transaction(|conn| {
        crate::db::begin_write(conn)?;
        let ids = crate::db::lock_due(conn, crate::db::Outbox::Sms, now, limit)?;
        diesel::update(sms_outbox::table.filter(sms_outbox::id.eq_any(&ids)))
            .set(sms_outbox::locked_until.eq(Some(now + Duration::seconds(120))))
            .execute(conn)?;
        sms_outbox::table
            .filter(sms_outbox::id.eq_any(&ids))
            .order(sms_outbox::id)
            .select(OutboxSms::as_select())
            .load(conn)
    })
}

/// Sent: the row goes. Privacy: a row kept with its times would date the reporter's messages
/// (and so their report) to the second.
pub fn mark_sms_sent(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    diesel::delete(sms_outbox::table.find(id)).execute(conn)
}

/// A failed try: again later with the mail outbox's backoff, until `max_attempts`; then given
/// up: the number and the text erased, the row dated to the day.
pub fn mark_sms_failed(
    conn: &mut DbConn,
    id: i32,
    attempts: i32,
    max_attempts: i32,
    error: &str,
) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let error: String = error.chars().take(300).collect();
    if attempts >= max_attempts {
        // Given up: kept for the operator with its error, without number or text, dated to the day.
        let day = now.date().and_hms_opt(0, 0, 0).unwrap_or(now);
        return diesel::update(sms_outbox::table.find(id))
            .set((
                sms_outbox::attempts.eq(attempts),
                sms_outbox::number_sealed.eq(""),
                sms_outbox::body.eq(""),
                sms_outbox::created_at.eq(day),
                sms_outbox::next_attempt_at.eq(now + Duration::days(365 * 100)),
                sms_outbox::locked_until.eq(None::<NaiveDateTime>),
                sms_outbox::last_error.eq(Some(format!("gave up after {attempts} attempts: {error}"))),
            ))
            .execute(conn);
    }
    diesel::update(sms_outbox::table.find(id))
        .set((
            sms_outbox::attempts.eq(attempts),
            sms_outbox::next_attempt_at.eq(now + crate::notify::model::backoff(attempts)),
            sms_outbox::locked_until.eq(None::<NaiveDateTime>),
            sms_outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
}
