//! Queries on reports, their violations, messages and attachments.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::evidence::{Evidence, Usage};
use super::submit::Draft;
use super::ReceiptSalt;
use crate::crypto::SecretKey;
use crate::db::DbConn;
use crate::error::AppError;
use crate::schema::{
    attachments, cases, events, form_tokens, institutions, messages, report_violations, reports, settings,
};

/// Reads the receipt salt, creating it on first use.
pub fn receipt_salt(conn: &mut DbConn) -> QueryResult<ReceiptSalt> {
    // Read first: once the salt exists, a start writes nothing.
    let found: Option<String> =
        settings::table.find("receipt_salt").select(settings::value).first(conn).optional()?;
    if let Some(v) = found {
        return Ok(ReceiptSalt(hex::decode(v).unwrap_or_default()));
    }
    conn.transaction(|conn| {
        crate::db::begin_write(conn)?;
        let found: Option<String> =
            settings::table.find("receipt_salt").select(settings::value).first(conn).optional()?;
        let hexed = match found {
            Some(v) => v,
            None => {
                let mut salt = [0u8; 16];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
                let v = hex::encode(salt);
                diesel::insert_into(settings::table)
                    .values((settings::key.eq("receipt_salt"), settings::value.eq(&v)))
                    .execute(conn)?;
                v
            }
        };
        Ok(ReceiptSalt(hex::decode(hexed).unwrap_or_default()))
    })
}

/// Saves a report with its violations and evidence, inside the caller's transaction.
/// Privacy: only the day of submission is stored.
/// Everything saved with a new report.
pub struct NewReport<'a> {
    pub draft: &'a Draft,
    /// The receipt's Argon2id output: its look-up value is stored, and once the keys are set
    /// up its reporter key opens the reporter's copy of the data key.
    pub receipt: &'a crate::crypto::ReceiptDigest,
    /// The report's data key: drawn by the caller before its files were staged, or drawn here
    /// (a report without files: one round trip less).
    pub key: ReportKey<'a>,
    pub channel: &'a str,
    pub locale: &'a str,
    pub today: NaiveDate,
    pub monitor: Option<&'a super::submit::MonitorFiling>,
}

/// Where a new report's data key comes from (None inside: the keys are not set up, and the
/// report is kept in clear).
#[derive(Clone, Copy)]
pub enum ReportKey<'a> {
    Drawn(Option<&'a crate::keyring::model::NewReportKey>),
    DrawHere,
}

pub fn insert_report(conn: &mut DbConn, new: &NewReport) -> Result<i32, crate::error::AppError> {
    let NewReport { draft, receipt, key, channel, locale, today, monitor } = *new;
    let drawn;
    let key = match key {
        ReportKey::Drawn(k) => k,
        ReportKey::DrawHere => {
            drawn = crate::keyring::model::new_report_key(conn)?;
            drawn.as_ref()
        }
    };
    let loc = &draft.location;
    let on_behalf_of = monitor.map(|m| m.on_behalf_of.trim().to_string()).filter(|s| !s.is_empty());
    // Encryption at rest (issue 15): once the keys are set up, the protected fields are sealed
    // under the report's own data key and the clear columns stay empty.
    let protected = crate::keyring::Protected {
        narrative: draft.narrative.clone(),
        victim_details: draft.victim_details.clone(),
        reporter_name: draft.reporter_name.clone(),
        reporter_contact: draft.reporter_contact.clone(),
        on_behalf_of,
        point: loc.lat.zip(loc.lon).map(|(lat, lon)| crate::keyring::report::micro(lat, lon)),
    };
    let sealed = key.map(|k| protected.seal(&k.data_key));
    // Sealed: the columns keep the point's ~1 km cell only (duplicates, hotspots, maps).
    let in_clear = |x: Option<f64>| if sealed.is_some() { x.map(crate::keyring::report::cell) } else { x };
    let monitor_key = match (&sealed, monitor) {
        (Some(_), Some(m)) => crate::keyring::model::public_key_of(conn, m.monitor_id)?,
        _ => None,
    };
    let clear = match (&sealed, &monitor_key) {
        (None, _) => protected,
        // The monitor's "my reports" lists the person filed for, sealed to the monitor alone.
        (Some(_), Some(public)) => crate::keyring::Protected {
            on_behalf_of: protected
                .on_behalf_of
                .as_deref()
                .map(|name| crate::keyring::report::seal_for_monitor(name, public)),
            ..Default::default()
        },
        (Some(_), None) => crate::keyring::Protected::default(),
    };
    let id: i32 = diesel::insert_into(reports::table)
        .values((
            // Sealed: the look-up value, which does not give the reporter's key. Kept in clear
            // (before `vigie keys init`): the Argon2id output itself, from which `keys seal`
            // later makes both the look-up value and the reporter's copy of the data key.
            reports::receipt_hash.eq(if key.is_some() { receipt.lookup() } else { receipt.legacy() }),
            reports::channel.eq(channel),
            reports::locale.eq(locale),
            reports::submitted_on.eq(today),
            reports::narrative.eq(&clear.narrative),
            reports::occurred_on.eq(draft.occurred_on),
            reports::date_precision.eq(draft.date_precision),
            reports::occurred_time.eq(&draft.occurred_time),
            reports::force_id.eq(draft.force_id),
            reports::unit_description.eq(&draft.unit_description),
            reports::uniform_seen.eq(&draft.uniform_seen),
            reports::insignia_seen.eq(&draft.insignia_seen),
            reports::vehicle_seen.eq(&draft.vehicle_seen),
            reports::victim_count.eq(draft.victim_count),
            reports::children_involved.eq(draft.children_involved),
            reports::victim_details.eq(&clear.victim_details),
            reports::reporter_relation.eq(draft.reporter_relation),
            reports::reporter_name.eq(&clear.reporter_name),
            reports::reporter_contact.eq(&clear.reporter_contact),
            reports::sealed.eq(&sealed),
            (
                reports::lat.eq(in_clear(loc.lat)),
                reports::lon.eq(in_clear(loc.lon)),
                reports::place_id.eq(loc.place_id),
                reports::region_code.eq(&loc.region_code),
                reports::cercle_code.eq(&loc.cercle_code),
                reports::location_method.eq(loc.method),
            ),
            (
                reports::monitor_id.eq(monitor.map(|m| m.monitor_id)),
                reports::on_behalf_of.eq(&clear.on_behalf_of),
                reports::consent_obtained.eq(monitor.is_some_and(|m| m.consent)),
            ),
        ))
        .returning(reports::id)
        .get_result(conn)?;
    if let Some(k) = key {
        crate::keyring::model::store_new_report_key(
            conn,
            id,
            k,
            &receipt.reporter_key(),
            monitor_key.as_ref(),
        )?;
    }
    for vt in &draft.violation_type_ids {
        diesel::insert_into(report_violations::table)
            .values((report_violations::report_id.eq(id), report_violations::violation_type_id.eq(vt)))
            .execute(conn)?;
    }
    Ok(id)
}

/// Stores one evidence file, not yet linked to a report (`link_attachments` does that in the
/// short audited transaction that files it): the original read from where it was spooled and
/// written in pieces ([`crate::pieces::store`]; sealed under the report's data key when it has one), its
/// SHA-256, and for a photo the copy staff see (sealed too). Memory: one piece and one sealing
/// chunk, whatever the file's size (the photo's copy is bounded by its pixels).
pub fn stage_attachment(
    conn: &mut DbConn,
    e: &Evidence,
    today: NaiveDate,
    uploaded_by: Option<i32>,
    key: Option<&SecretKey>,
) -> Result<i32, AppError> {
    use crate::keyring::report::{seal_file, FilePart};
    let safe = e.safe.as_ref().map(|s| match key {
        Some(k) => seal_file(k, FilePart::StaffCopy, &s.data),
        None => s.data.clone(),
    });
    let id: i32 = diesel::insert_into(attachments::table)
        .values((
            attachments::report_id.eq(None::<i32>),
            attachments::kind.eq(e.kind),
            attachments::content_type.eq(&e.content_type),
            // The original's size, as staff are shown it and the limits count it.
            attachments::size_bytes.eq(i32::try_from(e.size).unwrap_or(i32::MAX)),
            attachments::sha256.eq(&e.sha256),
            attachments::uploaded_on.eq(today),
            attachments::uploaded_by.eq(uploaded_by),
            attachments::safe_data.eq(safe.as_deref()),
            attachments::safe_content_type.eq(e.safe.as_ref().map(|s| s.content_type)),
            attachments::warning.eq(e.warning),
            attachments::purpose.eq(e.purpose),
        ))
        .returning(attachments::id)
        .get_result(conn)?;
    let source = e.source.open().map_err(AppError::internal)?;
    let stored = crate::pieces::store(conn, id, source, key.map(|k| (k, FilePart::Original.aad())))?;
    if key.is_some() {
        // The SHA-256 of the sealed bytes lets a restore check them without a key.
        diesel::update(attachments::table.find(id))
            .set(attachments::stored_sha256.eq(Some(stored.sha256)))
            .execute(conn)?;
    }
    Ok(id)
}

/// File `id`'s original as uploaded: its stored pieces, opened with the report's data key when
/// sealed (changed, cut or reordered bytes are refused).
pub fn original_bytes(conn: &mut DbConn, id: i32, key: Option<&SecretKey>) -> Result<Vec<u8>, AppError> {
    use crate::keyring::report::FilePart;
    crate::pieces::read(conn, id, key.map(|k| (k, FilePart::Original.aad())))
}

/// Links staged files to their report; how many were linked (a file already linked, or swept,
/// is not).
pub fn link_attachments(conn: &mut DbConn, report_id: i32, ids: &[i32]) -> QueryResult<usize> {
    diesel::update(attachments::table)
        .filter(attachments::id.eq_any(ids))
        .filter(attachments::report_id.is_null())
        .set(attachments::report_id.eq(report_id))
        .execute(conn)
}

/// How many staged files were stored before `before` (the sweep reads first, so that a start
/// with nothing to sweep writes nothing).
pub fn count_staged(conn: &mut DbConn, before: NaiveDate) -> QueryResult<i64> {
    attachments::table
        .filter(attachments::report_id.is_null())
        .filter(attachments::uploaded_on.lt(before))
        .count()
        .get_result(conn)
}

/// Deletes staged files that were never linked: `ids` (a request that failed after storing
/// them), or every one stored before `before` (the sweep) when `ids` is None.
pub fn delete_staged(conn: &mut DbConn, ids: Option<&[i32]>, before: NaiveDate) -> QueryResult<usize> {
    let q = diesel::delete(attachments::table).filter(attachments::report_id.is_null());
    match ids {
        Some(ids) => q.filter(attachments::id.eq_any(ids)).execute(conn),
        None => q.filter(attachments::uploaded_on.lt(before)).execute(conn),
    }
}

/// Locks an event's row to the end of the transaction: the first lock of every write about an
/// event (routing, overrides, case workers, a reporter's message), so that two of them act one
/// after the other and each sees what the other did, always in one order (the event, then a
/// case). PostgreSQL: `SELECT … FOR UPDATE`; SQLite: the write lock `db::begin_write` took
/// already does it.
pub fn lock_event(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    if let DbConn::Pg(pg) = conn {
        events::table.find(id).select(events::id).for_update().first::<i32>(pg)?;
    }
    Ok(())
}

/// Holds the row of the report's event (if it has one) until the transaction ends
/// ([`lock_event`]): a reporter's message then commits before an override reads whether the
/// institution has a thread with the event's reporters (and keeps its case), or after it.
pub fn lock_event_of_report(conn: &mut DbConn, report_id: i32) -> QueryResult<()> {
    if !matches!(conn, DbConn::Pg(_)) {
        return Ok(());
    }
    let event: Option<Option<i32>> =
        reports::table.find(report_id).select(reports::event_id).first(conn).optional()?;
    match event.flatten() {
        Some(event) => lock_event(conn, event),
        None => Ok(()),
    }
}

/// Holds the report's row until the transaction ends, so two uploads to one report are counted
/// one after the other. SQLite: the write lock taken by `begin_write` already does it.
pub fn lock_report(conn: &mut DbConn, report_id: i32) -> QueryResult<()> {
    crate::db::begin_write(conn)?;
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT id FROM reports WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Integer, _>(report_id)
            .execute(pg)?;
    }
    Ok(())
}

/// The evidence a report holds: in all, and received on `today`.
pub fn evidence_usage(conn: &mut DbConn, report_id: i32, today: NaiveDate) -> QueryResult<Usage> {
    let all: (i64, Option<i64>) = attachments::table
        .filter(attachments::report_id.eq(report_id))
        .select((diesel::dsl::count_star(), diesel::dsl::sum(attachments::size_bytes)))
        .first(conn)?;
    let day: (i64, Option<i64>) = attachments::table
        .filter(attachments::report_id.eq(report_id))
        .filter(attachments::uploaded_on.eq(today))
        .select((diesel::dsl::count_star(), diesel::dsl::sum(attachments::size_bytes)))
        .first(conn)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(Usage {
        files: n(all.0),
        bytes: n(all.1.unwrap_or(0)),
        files_today: n(day.0),
        bytes_today: n(day.1.unwrap_or(0)),
    })
}

/// What a reporter may see of their own report.
/// A report as its receipt (or its monitor) opens it.
#[derive(Debug, Clone)]
pub struct ReceiptReport {
    pub id: i32,
    pub status: String,
    pub submitted_on: NaiveDate,
    pub event_id: Option<i32>,
    /// The report is sealed (issue 15): its messages are, under `data_key`.
    pub sealed: bool,
    /// The report's data key, opened with the receipt (or the monitor's key); None for a
    /// report kept in clear.
    pub data_key: Option<crate::crypto::SecretKey>,
}

type ReceiptRow = (i32, String, NaiveDate, Option<i32>, Option<String>);

fn receipt_report((id, status, submitted_on, event_id, sealed): ReceiptRow) -> ReceiptReport {
    ReceiptReport { id, status, submitted_on, event_id, sealed: sealed.is_some(), data_key: None }
}

/// The report a receipt opens (by the look-up value of reports filed since issue 15, or the
/// older form), with its data key opened by the reporter's key.
pub fn find_by_receipt(
    conn: &mut DbConn,
    receipt: &crate::crypto::ReceiptDigest,
) -> Result<Option<ReceiptReport>, crate::error::AppError> {
    let row: Option<ReceiptRow> = reports::table
        .filter(reports::receipt_hash.eq_any([receipt.lookup(), receipt.legacy()]))
        .select((reports::id, reports::status, reports::submitted_on, reports::event_id, reports::sealed))
        .first(conn)
        .optional()?;
    let Some(mut r) = row.map(receipt_report) else { return Ok(None) };
    if r.sealed {
        r.data_key = crate::keyring::model::open_for_reporter(conn, r.id, &receipt.reporter_key())?;
    }
    Ok(Some(r))
}

/// A report filed by this monitor, as its receipt would open it (its data key opened with the
/// monitor's key, when given); None for anyone else's.
pub fn filed_report(
    conn: &mut DbConn,
    id: i32,
    monitor_id: i32,
    key: Option<&crate::crypto::PrivateKey>,
) -> Result<Option<ReceiptReport>, crate::error::AppError> {
    let row: Option<ReceiptRow> = reports::table
        .filter(reports::id.eq(id))
        .filter(reports::monitor_id.eq(monitor_id))
        .select((reports::id, reports::status, reports::submitted_on, reports::event_id, reports::sealed))
        .first(conn)
        .optional()?;
    let Some(mut r) = row.map(receipt_report) else { return Ok(None) };
    if let (true, Some(key)) = (r.sealed, key) {
        r.data_key = crate::keyring::model::open_for_monitor(conn, r.id, key)?;
    }
    Ok(Some(r))
}

#[derive(Debug, Clone, Queryable)]
pub struct MessageRow {
    pub id: i32,
    pub author: String,
    pub body: String,
    pub sent_on: NaiveDate,
    /// The thread: the institution that wrote a staff message, or that a reporter's message
    /// is addressed to; None for the shared thread before routing.
    pub institution_id: Option<i32>,
    /// A voice message: its recording.
    pub attachment_id: Option<i32>,
}

/// The whole thread of a report, as its reporter sees it (every institution's messages, each
/// labelled by the caller).
pub fn messages_of(conn: &mut DbConn, report_id: i32) -> QueryResult<Vec<MessageRow>> {
    messages::table
        .filter(messages::report_id.eq(report_id))
        .order(messages::id)
        .select((
            messages::id,
            messages::author,
            messages::body,
            messages::sent_on,
            messages::institution_id,
            messages::attachment_id,
        ))
        .load(conn)
}

/// A message of a report's thread; `seal_with` is the report's data key when the report is
/// sealed (the body is then stored sealed under it).
#[allow(clippy::too_many_arguments)]
pub fn add_message(
    conn: &mut DbConn,
    report_id: i32,
    author: &str,
    user_id: Option<i32>,
    body: &str,
    today: NaiveDate,
    institution_id: Option<i32>,
    seal_with: Option<&crate::crypto::SecretKey>,
) -> QueryResult<i32> {
    let stored = match seal_with {
        Some(key) => crate::keyring::report::seal_message(key, body),
        None => body.to_string(),
    };
    diesel::insert_into(messages::table)
        .values((
            messages::report_id.eq(report_id),
            messages::author.eq(author),
            messages::user_id.eq(user_id),
            messages::body.eq(stored),
            messages::sent_on.eq(today),
            messages::institution_id.eq(institution_id),
        ))
        .returning(messages::id)
        .get_result(conn)
}

/// The recording of a voice message of a report's thread (content type, bytes), if `attachment`
/// is one: what the reporter may play back through the receipt (a sealed one opened with the
/// report's data key, which the receipt opened).
pub fn thread_recording(
    conn: &mut DbConn,
    report_id: i32,
    attachment: i32,
    key: Option<&crate::crypto::SecretKey>,
) -> Result<Option<(String, Vec<u8>)>, crate::error::AppError> {
    let found: Option<(String, Option<String>)> = attachments::table
        .inner_join(messages::table.on(messages::attachment_id.eq(attachments::id.nullable())))
        .filter(messages::report_id.eq(report_id))
        .filter(attachments::report_id.eq(report_id))
        .filter(attachments::id.eq(attachment))
        .filter(attachments::purpose.eq("message"))
        .select((attachments::content_type, attachments::stored_sha256))
        .first(conn)
        .optional()?;
    let Some((ct, sealed)) = found else { return Ok(None) };
    let key = match sealed {
        Some(_) => Some(key.ok_or(AppError::NotFound)?),
        None => None,
    };
    Ok(Some((ct, original_bytes(conn, attachment, key)?)))
}

/// Marks a message as told by voice: its recording.
pub fn set_message_attachment(conn: &mut DbConn, message_id: i32, attachment_id: i32) -> QueryResult<usize> {
    diesel::update(messages::table.find(message_id))
        .set(messages::attachment_id.eq(Some(attachment_id)))
        .execute(conn)
}

/// The institutions that hold a case on a report's event (ids), in order.
pub fn case_institutions_of_report(conn: &mut DbConn, report_id: i32) -> QueryResult<Vec<i32>> {
    let event: Option<i32> = reports::table.find(report_id).select(reports::event_id).first(conn)?;
    let Some(event) = event else { return Ok(vec![]) };
    cases::table
        .filter(cases::event_id.eq(event))
        .order(cases::institution_id)
        .select(cases::institution_id)
        .load(conn)
}

/// The institution of the latest staff message of a report that belongs to a thread.
pub fn latest_staff_institution(conn: &mut DbConn, report_id: i32) -> QueryResult<Option<i32>> {
    messages::table
        .filter(messages::report_id.eq(report_id))
        .filter(messages::author.eq("staff"))
        .filter(messages::institution_id.is_not_null())
        .order(messages::id.desc())
        .select(messages::institution_id)
        .first::<Option<i32>>(conn)
        .optional()
        .map(Option::flatten)
}

/// The institutions a report's event was forwarded to, for the public status.
pub fn forwarded_to(conn: &mut DbConn, event_id: i32) -> QueryResult<Vec<String>> {
    cases::table
        .inner_join(institutions::table)
        .filter(cases::event_id.eq(event_id))
        .order(institutions::id)
        .select(institutions::code)
        .load(conn)
}

pub fn attachment_count(conn: &mut DbConn, report_id: i32) -> QueryResult<i64> {
    attachments::table.filter(attachments::report_id.eq(report_id)).count().get_result(conn)
}

/// A report as its monitor sees it in "my reports": no narrative, only what they need.
#[derive(Debug, Clone, Queryable)]
pub struct MonitorReportRow {
    pub id: i32,
    pub submitted_on: NaiveDate,
    pub status: String,
    pub region_code: Option<String>,
    pub on_behalf_of: Option<String>,
}

pub fn filed_by_monitor(
    conn: &mut DbConn,
    monitor_id: i32,
    limit: i64,
) -> QueryResult<Vec<MonitorReportRow>> {
    reports::table
        .filter(reports::monitor_id.eq(monitor_id))
        .order(reports::id.desc())
        .limit(limit)
        .select((
            reports::id,
            reports::submitted_on,
            reports::status,
            reports::region_code,
            reports::on_behalf_of,
        ))
        .load(conn)
}

/// The assignees of the cases of a report's event: (case id, email, language); only those of
/// one institution's case when `institution` is given.
pub fn assignees_of_report(
    conn: &mut DbConn,
    report_id: i32,
    institution: Option<i32>,
) -> QueryResult<Vec<(i32, String, String)>> {
    use crate::schema::users;
    let event: Option<i32> = reports::table.find(report_id).select(reports::event_id).first(conn)?;
    let Some(event) = event else { return Ok(vec![]) };
    let mut q = cases::table
        .inner_join(users::table.on(users::id.nullable().eq(cases::assignee_id)))
        .filter(cases::event_id.eq(event))
        .filter(users::disabled_at.is_null())
        .into_boxed();
    if let Some(inst) = institution {
        q = q.filter(cases::institution_id.eq(inst));
    }
    q.select((cases::id, users::email, users::locale)).load(conn)
}

/// The next photo after `after_id` that has no staff copy yet (saved before copies were made),
/// with its original bytes.
pub fn next_image_without_copy(conn: &mut DbConn, after_id: i32) -> Result<Option<(i32, Vec<u8>)>, AppError> {
    let found: Option<i32> = attachments::table
        .filter(attachments::id.gt(after_id))
        .filter(attachments::kind.eq("image"))
        .filter(attachments::safe_data.is_null())
        // A sealed file's copy was made (and sealed) when it was saved.
        .filter(attachments::stored_sha256.is_null())
        .order(attachments::id)
        .select(attachments::id)
        .first(conn)
        .optional()?;
    let Some(id) = found else { return Ok(None) };
    Ok(Some((id, original_bytes(conn, id, None)?)))
}

pub fn set_safe_copy(conn: &mut DbConn, id: i32, content_type: &str, data: &[u8]) -> QueryResult<usize> {
    diesel::update(attachments::table.find(id).filter(attachments::safe_data.is_null()))
        .set((attachments::safe_content_type.eq(content_type), attachments::safe_data.eq(data)))
        .execute(conn)
}

/// Whether a form token (its SHA-256) already filed a report.
pub fn form_token_used(conn: &mut DbConn, hash: &str) -> QueryResult<bool> {
    let found: Option<String> =
        form_tokens::table.find(hash).select(form_tokens::token_hash).first(conn).optional()?;
    Ok(found.is_some())
}

/// Marks a form token as used, inside the transaction that files its report, and forgets the
/// tokens used before `forget_before`. `false` when it was used already: nothing is filed. Two
/// sends racing past this check meet the primary key instead, and the second fails.
pub fn consume_form_token(
    conn: &mut DbConn,
    hash: &str,
    today: NaiveDate,
    forget_before: NaiveDate,
) -> QueryResult<bool> {
    diesel::delete(form_tokens::table.filter(form_tokens::used_on.lt(forget_before))).execute(conn)?;
    if form_token_used(conn, hash)? {
        return Ok(false);
    }
    diesel::insert_into(form_tokens::table)
        .values((form_tokens::token_hash.eq(hash), form_tokens::used_on.eq(today)))
        .execute(conn)?;
    Ok(true)
}
