//! The audit log: append-only and hash-chained. Every entry carries the SHA-256 of the
//! previous entry and of its own content, so editing or deleting a row breaks the chain, which
//! `vigie audit verify` detects. Anyone may call [`record`]; it writes in the caller's
//! transaction so the entry commits or rolls back with the change it describes.
//!
//! Privacy: a public visitor's address is never recorded; staff addresses may be.

pub mod model;

pub use model::{record, verify, Actor, Entry, HeldMail, VerifyError};

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::QueryResult;
use rand::seq::SliceRandom;
use rand::Rng;
use rocket::fairing::AdHoc;

use crate::db::{Db, DbConn};

/// What separates an entry's details from what a person typed into it (a reason): the text
/// after it is shown to auditors only. Least privilege: an admin reads the log to oversee
/// accounts and settings, not case content, and a reason may name a person or a place.
pub const TYPED: &str = " \u{b6} ";

/// An entry's details followed by what a person typed ([`TYPED`]); nothing typed, the details
/// alone.
pub fn with_typed(details: &str, typed: &str) -> String {
    if typed.trim().is_empty() {
        return details.to_string();
    }
    format!("{details}{TYPED}{typed}")
}

/// Where entries of `action` written before [`TYPED`] (the eighteenth session) put what was
/// typed: after the first occurrence of this marker.
fn legacy_marker(action: &str) -> Option<&'static str> {
    match action {
        "report.admissibility" | "allegation.override" | "case.transition" | "training.remediation.move" => {
            Some(": ")
        }
        "training.session.plan" => Some("; go-ahead: "),
        "case.recommendation" => Some(" to="),
        _ => None,
    }
}

/// An entry's details without what a person typed, `hidden` said in its place (an admin's
/// view of the log); details with nothing typed come back as they are. Entries written before
/// the separator are cut where their action put the typed text.
pub fn without_typed(action: &str, details: &str, hidden: &str) -> String {
    // The first of the separator and the old marker: an old entry's reason may hold the
    // separator, and a new entry never holds the old marker before it.
    let at = [Some(TYPED), legacy_marker(action)].into_iter().flatten().filter_map(|m| details.find(m)).min();
    match at {
        Some(i) => format!("{}{TYPED}{hidden}", &details[..i]),
        None => details.to_string(),
    }
}

/// When a reporter's held action is written: at a random whole minute in this range (seconds)
/// after the end of its day (UTC), drawn for each action.
pub const REPORTER_DELAY_SECS: (i64, i64) = (5 * 60, 4 * 3600);

/// When a reporter's action of `day` is due to be written: a random whole minute between 00:05
/// and 04:00 of the next day. Privacy: it depends on the day only, so a copy of the database
/// taken while the action waits dates it no finer than the day (a delay counted from the
/// action would bound its moment within the delay).
pub fn reporter_due(day: NaiveDate, rng: &mut impl Rng) -> NaiveDateTime {
    let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
    next + Duration::minutes(rng.gen_range(REPORTER_DELAY_SECS.0 / 60..=REPORTER_DELAY_SECS.1 / 60))
}

/// How often, at random, the worker writes what is due (seconds).
pub const FLUSH_EVERY_SECS: (u64, u64) = (60, 15 * 60);

/// Privacy: holds a reporter's action (and the mail it causes) back, to be written by the
/// background worker in the first hours of the next day ([`reporter_due`]), in random order
/// among the others, dated to the day: neither the audit chain's order among staff entries,
/// nor the outbox, nor the waiting row then dates the action finer than its day. In the
/// caller's transaction.
pub fn hold_reporter(
    conn: &mut DbConn,
    day: NaiveDate,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
    mail: Option<&HeldMail>,
) -> QueryResult<()> {
    let due = reporter_due(day, &mut rand::thread_rng());
    model::hold_reporter_event(conn, day, action, object_type, object_id, details, mail, due)
}

/// How many held reporter actions one write transaction takes: the flush holds the write lock
/// only briefly, then pauses ([`crate::db::pace`]) so that intake and staff pages get it.
pub const FLUSH_BATCH: i64 = 50;

/// Writes every held reporter action due at `now`, in random order, each audit entry dated to
/// its day and each mail created on that day; returns how many. In batches of [`FLUSH_BATCH`]
/// (each one short transaction, the order random within it; the batches are taken in order of
/// their random due times), with a pause between batches.
pub fn flush_reporter_events(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        let n = flush_batch(conn, now, FLUSH_BATCH)?;
        total += n;
        if (n as i64) < FLUSH_BATCH {
            return Ok(total);
        }
        crate::db::pace();
    }
}

fn flush_batch(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<usize> {
    use diesel::Connection;
    conn.transaction(|c| {
        crate::db::begin_write(c)?;
        let mut due = model::take_due_reporter_events(c, now, limit)?;
        due.shuffle(&mut rand::thread_rng());
        for e in &due {
            // An empty action holds a further mail of the same action, without an entry.
            if !e.action.is_empty() {
                model::record_reporter_on(c, e.day, &e.action, &e.object_type, &e.object_id, &e.details)?;
            }
            if let (Some(to), Some(subject), Some(body), Some(kind)) =
                (&e.mail_to, &e.mail_subject, &e.mail_body, &e.mail_kind)
            {
                let on = e.day.and_hms_opt(0, 0, 0).unwrap_or(now);
                crate::notify::model::enqueue_dated(c, to, subject, body, kind, on)?;
            }
        }
        Ok(due.len())
    })
}

/// Starts the worker that writes held reporter actions, at random moments.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("reporter events worker", |rocket| {
        Box::pin(async move {
            let Some(db) = rocket.state::<Db>().cloned() else { return };
            let mut shutdown = rocket.shutdown();
            rocket::tokio::spawn(async move {
                loop {
                    let wait = rand::thread_rng().gen_range(FLUSH_EVERY_SECS.0..=FLUSH_EVERY_SECS.1);
                    rocket::tokio::select! {
                        _ = rocket::tokio::time::sleep(StdDuration::from_secs(wait)) => {}
                        _ = &mut shutdown => break,
                    }
                    let db = db.clone();
                    let pass = rocket::tokio::task::spawn_blocking(move || {
                        let mut c = db.get().map_err(|e| e.to_string())?;
                        flush_reporter_events(&mut c, Utc::now().naive_utc()).map_err(|e| e.to_string())
                    })
                    .await;
                    if let Ok(Err(e)) = pass {
                        crate::logs::error(
                            "audit",
                            &format!("audit: writing held reporter events failed: {e}"),
                        );
                    }
                }
            });
        })
    })
}

/// The content hash of an entry: SHA-256 over its fields and the previous hash, each field
/// length-prefixed so that no two different entries hash the same.
pub fn entry_hash(fields: &[&str]) -> String {
    let mut buf = Vec::new();
    for f in fields {
        buf.extend_from_slice(f.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(f.as_bytes());
        buf.push(b'|');
    }
    crate::crypto::sha256_hex(&buf)
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field_and_on_boundaries() {
        let a = entry_hash(&["ab", "c"]);
        assert_ne!(a, entry_hash(&["a", "bc"]));
        assert_ne!(a, entry_hash(&["ab", "d"]));
        assert_eq!(a, entry_hash(&["ab", "c"]));
    }

    #[test]
    fn what_a_person_typed_is_cut_from_an_admins_view_only() {
        let d = with_typed("from=Some(1) to=mediateur case=2", "Le fils de M. Traoré, à Sévaré");
        assert_eq!(
            without_typed("allegation.override", &d, "(masqué)"),
            "from=Some(1) to=mediateur case=2 \u{b6} (masqué)"
        );
        assert!(d.ends_with("Le fils de M. Traoré, à Sévaré"));
        assert_eq!(without_typed("case.assign", "assignee=3", "(masqué)"), "assignee=3");
        // Nothing typed: no separator, nothing said hidden.
        assert_eq!(with_typed("triage → assigned", "  "), "triage → assigned");
        assert_eq!(without_typed("case.transition", "triage → assigned", "-"), "triage → assigned");
        // A typed text holding the separator is cut at the first one, the system's.
        let d = with_typed("a", "x \u{b6} y");
        assert_eq!(without_typed("case.note", &d, "-"), "a \u{b6} -");
        // Entries written before the separator are cut where their action put the text.
        let cases = [
            ("report.admissibility", "inadmissible: Le voisin, M. Diallo", "inadmissible \u{b6} -"),
            ("allegation.override", "from=None to=cndh case=3: Sévaré", "from=None to=cndh case=3 \u{b6} -"),
            ("case.transition", "triage → suspended: Témoin menacé", "triage → suspended \u{b6} -"),
            ("training.session.plan", "duplicates [4]; go-ahead: autre public", "duplicates [4] \u{b6} -"),
            (
                "case.recommendation",
                "recommendation=2 to=Capitaine K. step=None",
                "recommendation=2 \u{b6} -",
            ),
            // An old reason holding the separator is cut at the old marker, before it.
            ("report.admissibility", "inadmissible: M. X \u{b6} Gao", "inadmissible \u{b6} -"),
        ];
        for (action, old, shown) in cases {
            assert_eq!(without_typed(action, old, "-"), shown, "{action}");
        }
    }

    /// Privacy: a held action's due time is a whole minute in the first hours of the next day,
    /// whatever the moment of the action; every minute of the window can be drawn.
    #[test]
    fn a_held_action_is_due_early_the_next_day_at_a_whole_minute() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let next = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let mut rng = rand::thread_rng();
        let mut minutes = std::collections::BTreeSet::new();
        for _ in 0..20_000 {
            let due = reporter_due(day, &mut rng);
            assert_eq!(due.date(), next);
            let since = due - next.and_hms_opt(0, 0, 0).unwrap();
            assert_eq!(since.num_seconds() % 60, 0, "{due}");
            assert!((5..=240).contains(&since.num_minutes()), "{due}");
            minutes.insert(since.num_minutes());
        }
        assert_eq!(minutes.len(), 236, "every minute from 00:05 to 04:00");
    }
}
