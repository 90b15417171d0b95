//! Queries on cases: opening them when allegations are routed, the lists, the workflow's
//! transitions, notes, follow-up actions, recommendations, findings, and reminders.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::workflow::Status;
use crate::db::DbConn;
use crate::schema::{
    allegations, attachments, case_actions, case_notes, case_transitions, cases, digests_sent, events,
    institutions, messages, read_marks, recommendations, remediation_actions, report_keys,
    report_keys_wanted, reports, users, violation_types,
};

/// (from, to, who, why, when)
pub type TransitionRow = (Option<String>, String, Option<String>, String, NaiveDateTime);
/// (id, description, due_on, done_at)
pub type ActionRow = (i32, String, Option<NaiveDate>, Option<NaiveDateTime>);
/// (id, addressee, content, due_on, response)
pub type RecommendationRow = (i32, String, String, Option<NaiveDate>, Option<String>);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: i32,
    pub event_id: i32,
    pub institution_id: i32,
    pub status: String,
    pub assignee_id: Option<i32>,
    pub opened_at: NaiveDateTime,
    pub acknowledge_by: Option<NaiveDate>,
    pub triage_by: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub recommended_outcome: Option<String>,
    pub authority_response: Option<String>,
    pub final_outcome: Option<String>,
    pub disciplined: Option<bool>,
    pub closed_at: Option<NaiveDateTime>,
    pub close_reason: Option<String>,
}

impl Case {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Received)
    }
}

/// What [`open_case`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A new case.
    New,
    /// The institution's case of the event was finished (closed, inadmissible, duplicate,
    /// out of scope, suspended): a new allegation reopens it (from that status), with a triage
    /// deadline from `now`, rather than lie unseen in a finished case.
    Reopened(String),
    /// The case was open already.
    Open,
}

/// The case of an event at an institution, opened at `now` (status `received`, with its
/// acknowledge and triage deadlines counted from that day; `now` comes from `clock::Clock`) if
/// it does not exist yet, reopened if it was finished. Returns (id, what was done).
pub fn open_case(
    conn: &mut DbConn,
    event_id: i32,
    institution_id: i32,
    acknowledge_days: i64,
    triage_days: i64,
    now: NaiveDateTime,
) -> QueryResult<(i32, Opened)> {
    let found: Option<(i32, String)> = cases::table
        .filter(cases::event_id.eq(event_id))
        .filter(cases::institution_id.eq(institution_id))
        .select((cases::id, cases::status))
        .first(conn)
        .optional()?;
    if let Some((id, status)) = found {
        let from = Status::parse(&status).unwrap_or(Status::Received);
        if !from.next().contains(&Status::Reopened) {
            return Ok((id, Opened::Open));
        }
        // Conditional on the status read: a step taken meanwhile by someone else wins.
        let n = diesel::update(cases::table.find(id).filter(cases::status.eq(&status)))
            .set((
                cases::status.eq(Status::Reopened.as_str()),
                cases::closed_at.eq(None::<NaiveDateTime>),
                cases::close_reason.eq(None::<String>),
                cases::triage_by.eq(Some(now.date() + Duration::days(triage_days))),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok((id, Opened::Open));
        }
        let why = "a new allegation routed to this institution";
        history(conn, id, Some(&status), Status::Reopened.as_str(), None, why, now)?;
        return Ok((id, Opened::Reopened(status)));
    }
    let id = diesel::insert_into(cases::table)
        .values((
            cases::event_id.eq(event_id),
            cases::institution_id.eq(institution_id),
            cases::status.eq(Status::Received.as_str()),
            cases::opened_at.eq(now),
            cases::acknowledge_by.eq(Some(now.date() + Duration::days(acknowledge_days))),
            cases::triage_by.eq(Some(now.date() + Duration::days(triage_days))),
        ))
        .returning(cases::id)
        .get_result(conn)?;
    history(conn, id, None, Status::Received.as_str(), None, "routed", now)?;
    Ok((id, Opened::New))
}

/// What [`after_rerouting`] did to a case whose last allegation was sent elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emptied {
    /// It still has allegations: nothing.
    No,
    /// Nothing had been done on it (a routine step at most, before any investigation, no note,
    /// action, message, file or remediation): it is deleted with its history, and its
    /// institution's shares of the event's data keys; its institution no longer sees the
    /// event. Holds the step it was at.
    Withdrawn(String),
    /// Work had been done: it is finished as out of scope before its investigation, suspended
    /// after (from the first step, to the second), so it leaves the open lists and its
    /// deadlines, and its institution keeps what it worked on.
    Moved(String, Status),
    /// Finished or suspended already, or at a step that can be neither finished nor suspended
    /// (reopened; after a recommendation, whose findings keep their allegations here): left as
    /// it is (the audit log says why it has no allegation left).
    Kept(String),
}

/// Locks a case's event and then the case's row to the end of the transaction, so that two
/// writes to one case go one after the other and each reads the case as the other left it (two
/// steps, a step and an assignment, a step and an override that withdraws the case, two
/// proposals of remediation). The event first ([`crate::reports::model::lock_event`], as
/// routing and overrides take it) and then the case: one order, no deadlock. PostgreSQL:
/// `SELECT … FOR UPDATE` (no case: nothing to lock, the caller's read says 404); SQLite: the
/// write lock `db::begin_write` took already does it.
pub fn lock_case(c: &mut DbConn, case_id: i32) -> QueryResult<()> {
    if !matches!(c, DbConn::Pg(_)) {
        return Ok(());
    }
    let Some(event) = cases::table.find(case_id).select(cases::event_id).first::<i32>(c).optional()? else {
        return Ok(());
    };
    crate::reports::model::lock_event(c, event)?;
    if let DbConn::Pg(pg) = c {
        cases::table.find(case_id).select(cases::id).for_update().first::<i32>(pg).optional()?;
    }
    Ok(())
}

/// Records the reports a case emptied by an override keeps: those its event has now.
fn keep_reports(conn: &mut DbConn, case: &Case) -> QueryResult<()> {
    use crate::schema::case_kept_reports as k;
    let ids: Vec<i32> =
        reports::table.filter(reports::event_id.eq(case.event_id)).select(reports::id).load(conn)?;
    for r in ids {
        let row = (k::case_id.eq(case.id), k::report_id.eq(r));
        match conn {
            DbConn::Pg(pg) => {
                diesel::insert_into(k::table).values(row).on_conflict_do_nothing().execute(pg)?
            }
            DbConn::Sqlite(lite) => {
                diesel::insert_into(k::table).values(row).on_conflict_do_nothing().execute(lite)?
            }
        };
    }
    Ok(())
}

/// A case that an allegation has just left, by rerouting to `to` (an institution's code) for
/// `reason`: withdrawn, finished or suspended when it has no allegation left ([`Emptied`]). In
/// the caller's transaction, after the event's row is locked (no routing of the event runs
/// meanwhile).
pub fn after_rerouting(
    conn: &mut DbConn,
    case_id: i32,
    to: &str,
    reason: &str,
    user_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Emptied> {
    let left: i64 = allegations::table.filter(allegations::case_id.eq(case_id)).count().get_result(conn)?;
    if left > 0 {
        return Ok(Emptied::No);
    }
    // Concurrency: a case worker's step, note or assignment commits before this reads the case,
    // or waits for this transaction (and then finds the case gone or moved).
    lock_case(conn, case_id)?;
    let case: Case = cases::table.find(case_id).select(Case::as_select()).first(conn)?;
    let status = case.status();
    let why = format!("no allegation left: all routed to {to}: {reason}");
    if status.may_be_withdrawn() && !has_work(conn, &case)? {
        let holder: String =
            institutions::table.find(case.institution_id).select(institutions::code).first(conn)?;
        let event_reports = reports::table.filter(reports::event_id.eq(case.event_id)).select(reports::id);
        diesel::delete(
            report_keys::table
                .filter(report_keys::holder.eq(&holder))
                .filter(report_keys::report_id.eq_any(event_reports)),
        )
        .execute(conn)?;
        let event_reports = reports::table.filter(reports::event_id.eq(case.event_id)).select(reports::id);
        diesel::delete(
            report_keys_wanted::table
                .filter(report_keys_wanted::holder.eq(&holder))
                .filter(report_keys_wanted::report_id.eq_any(event_reports)),
        )
        .execute(conn)?;
        diesel::delete(case_transitions::table.filter(case_transitions::case_id.eq(case_id)))
            .execute(conn)?;
        diesel::delete(cases::table.find(case_id)).execute(conn)?;
        return Ok(Emptied::Withdrawn(case.status));
    }
    // Kept, since it was worked on: its people keep the reports its event has now, and nothing
    // linked to the event later reaches them (`events::model::find_report`).
    keep_reports(conn, &case)?;
    for to in [Status::OutOfScope, Status::Suspended] {
        if status.next().contains(&to) && transition(conn, &case, to, user_id, &why, 0, now)? {
            return Ok(Emptied::Moved(case.status, to));
        }
    }
    Ok(Emptied::Kept(case.status))
}

/// Whether anything was done on a case beyond its steps: an outcome typed or chosen, a note, an action,
/// a recommendation, a file, a remediation, or a message between its institution and a
/// reporter of its event (a reporter who wrote to the institution is answered by it: the case
/// is not deleted under the thread).
fn has_work(conn: &mut DbConn, case: &Case) -> QueryResult<bool> {
    use diesel::dsl::exists;
    let typed = [&case.recommended_outcome, &case.authority_response, &case.final_outcome];
    if case.disciplined.is_some() || typed.iter().any(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()))
    {
        return Ok(true);
    }
    let id = case.id;
    let event_reports = reports::table.filter(reports::event_id.eq(case.event_id)).select(reports::id);
    diesel::select(
        exists(case_notes::table.filter(case_notes::case_id.eq(id)))
            .or(exists(case_actions::table.filter(case_actions::case_id.eq(id))))
            .or(exists(recommendations::table.filter(recommendations::case_id.eq(id))))
            .or(exists(attachments::table.filter(attachments::case_id.eq(id))))
            .or(exists(remediation_actions::table.filter(remediation_actions::case_id.eq(id))))
            .or(exists(
                messages::table
                    .filter(messages::institution_id.eq(case.institution_id))
                    .filter(messages::report_id.eq_any(event_reports)),
            )),
    )
    .get_result(conn)
}

/// One row of a case's history (`case_transitions`): from a step (none when the case opens)
/// to a step, by a person (none: the system), why, when.
fn history(
    conn: &mut DbConn,
    case_id: i32,
    from: Option<&str>,
    to: &str,
    user_id: Option<i32>,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(case_transitions::table)
        .values((
            case_transitions::case_id.eq(case_id),
            case_transitions::from_status.eq(from),
            case_transitions::to_status.eq(to),
            case_transitions::user_id.eq(user_id),
            case_transitions::reason.eq(reason),
            case_transitions::at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A case the user's institution owns (or any case for an auditor); `NotFound` otherwise.
pub fn find_case(conn: &mut DbConn, id: i32, institution: Option<i32>) -> QueryResult<Case> {
    let mut q = cases::table.filter(cases::id.eq(id)).into_boxed();
    if let Some(inst) = institution {
        q = q.filter(cases::institution_id.eq(inst));
    }
    q.select(Case::as_select()).first(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct CaseRow {
    pub id: i32,
    pub status: String,
    pub assignee_id: Option<i32>,
    pub opened_at: NaiveDateTime,
    pub acknowledge_by: Option<NaiveDate>,
    pub triage_by: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub event_title: String,
    pub occurred_on: NaiveDate,
    pub region_code: Option<String>,
}

/// The cases of some events only: where and when they occurred, and what was alleged (the
/// staff map's area links to the list behind it). Empty narrows nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Narrow {
    pub region: Option<String>,
    pub cercle: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Events with an allegation of this violation group…
    pub group_id: Option<i32>,
    /// …and of this force (the same allegation when both are given).
    pub force_id: Option<i32>,
}

impl Narrow {
    pub fn is_empty(&self) -> bool {
        *self == Narrow::default()
    }
}

/// A page of an institution's cases (or one person's), newest first, before case `before`,
/// of the events `narrow` keeps.
pub fn list(
    conn: &mut DbConn,
    institution: Option<i32>,
    assignee: Option<i32>,
    open_only: bool,
    before: Option<i32>,
    narrow: &Narrow,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    let mut q = cases::table.inner_join(events::table).into_boxed();
    if let Some(r) = &narrow.region {
        q = q.filter(events::region_code.eq(r.clone()));
    }
    if let Some(c) = &narrow.cercle {
        q = q.filter(events::cercle_code.eq(c.clone()));
    }
    if let Some(d) = narrow.from {
        q = q.filter(events::occurred_on.ge(d));
    }
    if let Some(d) = narrow.to {
        q = q.filter(events::occurred_on.le(d));
    }
    let of_group = |g: i32| {
        allegations::violation_type_id.eq_any(
            violation_types::table.filter(violation_types::group_id.eq(g)).select(violation_types::id),
        )
    };
    // The case's own allegations: another institution's on the same event do not make a case
    // match (found in review, session 19).
    let alleged = allegations::table.select(allegations::case_id);
    let case_id = cases::id.nullable();
    q = match (narrow.group_id, narrow.force_id) {
        (Some(g), Some(f)) => {
            q.filter(case_id.eq_any(alleged.filter(of_group(g)).filter(allegations::force_id.eq(f))))
        }
        (Some(g), None) => q.filter(case_id.eq_any(alleged.filter(of_group(g)))),
        (None, Some(f)) => q.filter(case_id.eq_any(alleged.filter(allegations::force_id.eq(f)))),
        (None, None) => q,
    };
    if let Some(i) = institution {
        q = q.filter(cases::institution_id.eq(i));
    }
    if let Some(a) = assignee {
        q = q.filter(cases::assignee_id.eq(a));
    }
    if open_only {
        let sqlite = matches!(conn, DbConn::Sqlite(_));
        q = if sqlite && institution.is_none() && assignee.is_none() {
            // Every institution's open cases on SQLite: written so that no index is taken for
            // it. Once the file has statistics (`ANALYZE`; Vigie runs none, docs/OPERATIONS.md),
            // SQLite 3.50 skip-scans `cases_institution_open` for `closed_at IS NULL` and sorts
            // every open case by id (0.3 to 0.5 s at 1,000,000 reports); read newest first by
            // id instead, most cases are open and the page stops at its 51st (0.2 ms).
            // PostgreSQL plans by its own statistics and keeps the index.
            q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "coalesce(cases.closed_at, cases.closed_at) IS NULL",
            ))
        } else {
            q.filter(cases::closed_at.is_null())
        };
        q = q.filter(cases::status.ne_all(["inadmissible", "duplicate", "out_of_scope"]));
    }
    if let Some(b) = before {
        q = q.filter(cases::id.lt(b));
    }
    q.order(cases::id.desc())
        .limit(limit)
        .select((
            cases::id,
            cases::status,
            cases::assignee_id,
            cases::opened_at,
            cases::acknowledge_by,
            cases::triage_by,
            cases::response_due_on,
            events::title,
            events::occurred_on,
            events::region_code,
        ))
        .load(conn)
}

/// Moves a case to `to` at `now` (from `clock::Clock`), recording who, when and why; closing
/// records the reason, sending a recommendation starts the response deadline from that day.
///
/// Concurrency: the move is conditional on the step `case` was read at (`WHERE id = ? AND
/// status = ?`). Another move committed since (by another request or instance) leaves no row
/// to update: nothing is written and the answer is `false`; the caller refuses the step.
pub fn transition(
    conn: &mut DbConn,
    case: &Case,
    to: Status,
    user_id: i32,
    reason: &str,
    response_days: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let closing = to.is_terminal();
    let response_due = match to {
        Status::RecommendationSent | Status::AwaitingResponse => {
            Some(case.response_due_on.unwrap_or(now.date() + Duration::days(response_days)))
        }
        _ => case.response_due_on,
    };
    let moved = diesel::update(cases::table.find(case.id).filter(cases::status.eq(&case.status)))
        .set((
            cases::status.eq(to.as_str()),
            cases::closed_at.eq(if closing { Some(now) } else { None }),
            cases::close_reason.eq(if closing { Some(reason.to_string()) } else { None }),
            cases::response_due_on.eq(response_due),
        ))
        .execute(conn)?;
    if moved == 0 {
        return Ok(false);
    }
    history(conn, case.id, Some(&case.status), to.as_str(), Some(user_id), reason, now)?;
    Ok(true)
}

/// An assignment in the case's history: a row that stays on the same step, whose reason is the
/// assignee's name (empty: assigned to nobody).
pub fn record_assignment(conn: &mut DbConn, case: &Case, by: i32, assignee_name: &str) -> QueryResult<()> {
    history(conn, case.id, Some(&case.status), &case.status, Some(by), assignee_name, Utc::now().naive_utc())
}

pub fn assign(conn: &mut DbConn, case_id: i32, user_id: Option<i32>) -> QueryResult<usize> {
    diesel::update(cases::table.find(case_id)).set(cases::assignee_id.eq(user_id)).execute(conn)
}

/// Assigns the case only if its assignee is still `shown` (the one the page showed; `None`:
/// nobody). Concurrency: a conditional update, so of two assignments made from the same page
/// at once only one holds; the other updates no row (0) and is refused.
pub fn assign_if(
    conn: &mut DbConn,
    case_id: i32,
    shown: Option<i32>,
    user_id: Option<i32>,
) -> QueryResult<usize> {
    let target = cases::table.find(case_id);
    match shown {
        Some(s) => diesel::update(target.filter(cases::assignee_id.eq(s)))
            .set(cases::assignee_id.eq(user_id))
            .execute(conn),
        None => diesel::update(target.filter(cases::assignee_id.is_null()))
            .set(cases::assignee_id.eq(user_id))
            .execute(conn),
    }
}

/// (from, to, who, why, when)
pub fn transitions_of(conn: &mut DbConn, case_id: i32) -> QueryResult<Vec<TransitionRow>> {
    case_transitions::table
        .left_join(users::table.on(users::id.nullable().eq(case_transitions::user_id)))
        .filter(case_transitions::case_id.eq(case_id))
        .order(case_transitions::id)
        .select((
            case_transitions::from_status,
            case_transitions::to_status,
            users::name.nullable(),
            case_transitions::reason,
            case_transitions::at,
        ))
        .load(conn)
}

/// A note on a case, sealed to the case's institution and the intake desk once the keys are
/// set up (bound to the case: `note_what`).
pub fn add_note(
    conn: &mut DbConn,
    case_id: i32,
    user_id: i32,
    body: &str,
) -> Result<i32, crate::error::AppError> {
    let now = Utc::now().naive_utc();
    let stored = crate::keyring::model::seal_case_text(conn, case_id, &note_what(case_id), body, now)?;
    Ok(diesel::insert_into(case_notes::table)
        .values((
            case_notes::case_id.eq(case_id),
            case_notes::user_id.eq(user_id),
            case_notes::body.eq(stored),
            case_notes::created_at.eq(now),
        ))
        .returning(case_notes::id)
        .get_result(conn)?)
}

pub use crate::keyring::report::{finding_what, note_what};

/// (who, body, when)
pub fn notes_of(conn: &mut DbConn, case_id: i32) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    case_notes::table
        .inner_join(users::table.on(users::id.eq(case_notes::user_id)))
        .filter(case_notes::case_id.eq(case_id))
        .order(case_notes::id)
        .select((users::name, case_notes::body, case_notes::created_at))
        .load(conn)
}

pub fn add_action(
    conn: &mut DbConn,
    case_id: i32,
    user_id: i32,
    description: &str,
    due_on: Option<NaiveDate>,
) -> QueryResult<i32> {
    diesel::insert_into(case_actions::table)
        .values((
            case_actions::case_id.eq(case_id),
            case_actions::description.eq(description),
            case_actions::due_on.eq(due_on),
            case_actions::created_by.eq(user_id),
            case_actions::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(case_actions::id)
        .get_result(conn)
}

pub fn complete_action(conn: &mut DbConn, case_id: i32, action_id: i32) -> QueryResult<Completed> {
    let of_case = || {
        case_actions::table.filter(case_actions::id.eq(action_id)).filter(case_actions::case_id.eq(case_id))
    };
    // Once: a second "done" keeps the first one's time.
    let n = diesel::update(of_case().filter(case_actions::done_at.is_null()))
        .set(case_actions::done_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
    if n > 0 {
        return Ok(Completed::Done);
    }
    let exists: i64 = of_case().count().get_result(conn)?;
    Ok(if exists > 0 { Completed::Already } else { Completed::Missing })
}

/// What [`complete_action`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completed {
    Done,
    /// Done before: nothing changed.
    Already,
    /// No such action on this case.
    Missing,
}

/// (id, description, due_on, done_at)
pub fn actions_of(conn: &mut DbConn, case_id: i32) -> QueryResult<Vec<ActionRow>> {
    case_actions::table
        .filter(case_actions::case_id.eq(case_id))
        .order(case_actions::id)
        .select((case_actions::id, case_actions::description, case_actions::due_on, case_actions::done_at))
        .load(conn)
}

pub fn add_recommendation(
    conn: &mut DbConn,
    case_id: i32,
    user_id: i32,
    addressee: &str,
    content: &str,
    due_on: Option<NaiveDate>,
) -> QueryResult<i32> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(recommendations::table)
        .values((
            recommendations::case_id.eq(case_id),
            recommendations::addressee.eq(addressee),
            recommendations::content.eq(content),
            recommendations::due_on.eq(due_on),
            recommendations::sent_at.eq(Some(now)),
            recommendations::created_by.eq(user_id),
            recommendations::created_at.eq(now),
        ))
        .returning(recommendations::id)
        .get_result(conn)
}

/// Records the authority's response to a recommendation that has none yet (a response once
/// recorded is not overwritten by a stale form or a second press). Returns the rows changed.
pub fn record_response(conn: &mut DbConn, case_id: i32, rec_id: i32, response: &str) -> QueryResult<usize> {
    diesel::update(
        recommendations::table
            .filter(recommendations::id.eq(rec_id))
            .filter(recommendations::case_id.eq(case_id))
            .filter(recommendations::response.is_null()),
    )
    .set((
        recommendations::response.eq(Some(response)),
        recommendations::response_at.eq(Some(Utc::now().naive_utc())),
    ))
    .execute(conn)
}

/// (id, addressee, content, due_on, response)
pub fn recommendations_of(conn: &mut DbConn, case_id: i32) -> QueryResult<Vec<RecommendationRow>> {
    recommendations::table
        .filter(recommendations::case_id.eq(case_id))
        .order(recommendations::id)
        .select((
            recommendations::id,
            recommendations::addressee,
            recommendations::content,
            recommendations::due_on,
            recommendations::response,
        ))
        .load(conn)
}

/// Records the finding on one allegation of this case.
pub fn record_finding(
    conn: &mut DbConn,
    case_id: i32,
    allegation_id: i32,
    disposition_id: i32,
    standard: &str,
    reasoning: &str,
) -> Result<usize, crate::error::AppError> {
    let now = Utc::now().naive_utc();
    let reasoning =
        crate::keyring::model::seal_case_text(conn, case_id, &finding_what(allegation_id), reasoning, now)?;
    let reasoning = reasoning.as_str();
    let n = diesel::update(
        allegations::table.filter(allegations::id.eq(allegation_id)).filter(allegations::case_id.eq(case_id)),
    )
    .set((
        allegations::disposition_id.eq(Some(disposition_id)),
        allegations::standard_of_proof.eq(Some(standard)),
        allegations::finding_reasoning.eq(Some(reasoning)),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound.into());
    }
    Ok(n)
}

/// Records the finding only if the allegation's disposition is still `shown` (the one the page
/// showed; `None`: no finding yet). Concurrency: a conditional update; 0 when it moved meanwhile
/// or the allegation is not this case's (the caller tells them apart with
/// [`allegation_of_case`]).
pub fn record_finding_if(
    conn: &mut DbConn,
    case_id: i32,
    allegation_id: i32,
    shown: Option<i32>,
    disposition_id: i32,
    standard: &str,
    reasoning: &str,
) -> Result<usize, crate::error::AppError> {
    let now = Utc::now().naive_utc();
    let reasoning =
        crate::keyring::model::seal_case_text(conn, case_id, &finding_what(allegation_id), reasoning, now)?;
    let reasoning = reasoning.as_str();
    let target =
        allegations::table.filter(allegations::id.eq(allegation_id)).filter(allegations::case_id.eq(case_id));
    let values = (
        allegations::disposition_id.eq(Some(disposition_id)),
        allegations::standard_of_proof.eq(Some(standard)),
        allegations::finding_reasoning.eq(Some(reasoning)),
    );
    Ok(match shown {
        Some(s) => {
            diesel::update(target.filter(allegations::disposition_id.eq(s))).set(values).execute(conn)?
        }
        None => {
            diesel::update(target.filter(allegations::disposition_id.is_null())).set(values).execute(conn)?
        }
    })
}

/// Whether an allegation is routed to this case.
pub fn allegation_of_case(conn: &mut DbConn, case_id: i32, allegation_id: i32) -> QueryResult<bool> {
    let n: i64 = allegations::table
        .filter(allegations::id.eq(allegation_id))
        .filter(allegations::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn set_outcome(
    conn: &mut DbConn,
    case_id: i32,
    recommended: &str,
    response: &str,
    final_outcome: &str,
    disciplined: Option<bool>,
) -> QueryResult<usize> {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    diesel::update(cases::table.find(case_id))
        .set((
            cases::recommended_outcome.eq(opt(recommended)),
            cases::authority_response.eq(opt(response)),
            cases::final_outcome.eq(opt(final_outcome)),
            cases::disciplined.eq(disciplined),
        ))
        .execute(conn)
}

/// Sets the public status of every report of an event from its cases' statuses.
pub fn refresh_public_status(conn: &mut DbConn, event_id: i32) -> QueryResult<()> {
    let statuses: Vec<String> =
        cases::table.filter(cases::event_id.eq(event_id)).select(cases::status).load(conn)?;
    let statuses: Vec<Status> = statuses.iter().filter_map(|s| Status::parse(s)).collect();
    if let Some(public) = super::workflow::public_of(&statuses) {
        diesel::update(
            reports::table
                .filter(reports::event_id.eq(event_id))
                .filter(reports::admissibility.eq("admissible")),
        )
        .set(reports::status.eq(public.as_str()))
        .execute(conn)?;
    }
    // Privacy: a number kept for replies by SMS goes when the event's cases are all closed.
    crate::channels::model::erase_contacts_if_closed(conn, event_id)?;
    Ok(())
}

/// The reports of an event, for the messages a case worker sends: (id, locale).
pub fn reports_of(conn: &mut DbConn, case: &Case) -> QueryResult<Vec<(i32, String)>> {
    use crate::schema::case_kept_reports;
    let holds: i64 = allegations::table.filter(allegations::case_id.eq(case.id)).count().get_result(conn)?;
    let q = reports::table.filter(reports::event_id.eq(case.event_id)).into_boxed();
    // A case an override emptied keeps the reports its event had then, nothing linked later
    // (the rule of `events::model::find_report`).
    let q = if holds > 0 {
        q
    } else {
        q.filter(diesel::dsl::exists(
            case_kept_reports::table
                .filter(case_kept_reports::case_id.eq(case.id))
                .filter(case_kept_reports::report_id.eq(reports::id)),
        ))
    };
    q.order(reports::id).select((reports::id, reports::locale)).load(conn)
}

/// The case workers of an institution who can act on its cases: (id, name, email, locale).
pub fn workers_of(conn: &mut DbConn, institution_id: i32) -> QueryResult<Vec<(i32, String, String, String)>> {
    users::table
        .filter(users::institution_id.eq(institution_id))
        .filter(users::role.eq_any(["investigator", "ombudsman"]))
        .filter(users::disabled_at.is_null())
        .order(users::name)
        .select((users::id, users::name, users::email, users::locale))
        .load(conn)
}

/// The statuses in which no deadline runs (besides a closed case).
const NO_DEADLINE: [&str; 5] = ["inadmissible", "duplicate", "out_of_scope", "closed", "suspended"];

/// Open cases with a deadline, for the reminders.
pub fn with_deadlines(conn: &mut DbConn) -> QueryResult<Vec<Case>> {
    cases::table
        .filter(cases::closed_at.is_null())
        .filter(cases::status.ne_all(NO_DEADLINE))
        .select(Case::as_select())
        .load(conn)
}

/// What judging a case's deadlines needs: (institution, status, acknowledge by, triage by,
/// response due on), and how many open cases share them.
pub type Deadlines = (i32, String, Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>, i64);

/// The same open cases as [`with_deadlines`] (of the institution when given), counted by
/// [`Deadlines`] (many cases share their dates), for the staff analytics' overdue counts.
/// Reads the open cases on `cases_closed` (closed_at NULL), not the whole table.
pub fn open_deadlines(conn: &mut DbConn, institution: Option<i32>) -> QueryResult<Vec<Deadlines>> {
    let mut q = cases::table
        .filter(cases::closed_at.is_null())
        .filter(cases::status.ne_all(NO_DEADLINE))
        .group_by((
            cases::institution_id,
            cases::status,
            cases::acknowledge_by,
            cases::triage_by,
            cases::response_due_on,
        ))
        .select((
            cases::institution_id,
            cases::status,
            cases::acknowledge_by,
            cases::triage_by,
            cases::response_due_on,
            diesel::dsl::count_star(),
        ))
        .into_boxed();
    if let Some(inst) = institution {
        q = q.filter(cases::institution_id.eq(inst));
    }
    q.load(conn)
}

pub fn user_contact(conn: &mut DbConn, id: i32) -> QueryResult<(String, String)> {
    users::table.find(id).select((users::email, users::locale)).first(conn)
}

/// Who may get a digest: (id, email, locale) of live accounts that did not switch it off.
pub fn digest_recipients(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(i32, String, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .filter(users::disabled_at.is_null())
        .filter(users::digest_enabled.eq(true))
        .select((users::id, users::email, users::locale))
        .load(conn)
}

/// Marks a person's digest of `day` as sent; false if it already was (one a day at most, also
/// with several instances: the key is (user, day)). Concurrency: one insert with `ON CONFLICT DO
/// NOTHING`, so of two passes at once one claims and the other goes on to the next person.
pub fn claim_digest(conn: &mut DbConn, user_id: i32, day: NaiveDate, items: i32) -> QueryResult<bool> {
    let row =
        (digests_sent::user_id.eq(user_id), digests_sent::sent_on.eq(day), digests_sent::items.eq(items));
    let inserted = match conn {
        DbConn::Pg(pg) => {
            diesel::insert_into(digests_sent::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConn::Sqlite(lite) => {
            diesel::insert_into(digests_sent::table).values(row).on_conflict_do_nothing().execute(lite)?
        }
    };
    Ok(inserted > 0)
}

/// A reporter's message in a case's threads: (case id, institution, assignee, report id, message id).
pub type ReporterMessage = (i32, i32, Option<i32>, i32, i32);

/// The reporter's messages of some cases (or of every open case when `case_ids` is None) in
/// the threads each case's institution reads: its own and the shared one before routing.
pub fn reporter_messages(conn: &mut DbConn, case_ids: Option<&[i32]>) -> QueryResult<Vec<ReporterMessage>> {
    let mut q = messages::table
        .inner_join(reports::table.on(reports::id.eq(messages::report_id)))
        .inner_join(cases::table.on(reports::event_id.eq(cases::event_id.nullable())))
        .filter(messages::author.eq("reporter"))
        .filter(
            messages::institution_id
                .is_null()
                .or(messages::institution_id.eq(cases::institution_id.nullable())),
        )
        .into_boxed();
    match case_ids {
        Some(ids) => q = q.filter(cases::id.eq_any(ids.to_vec())),
        None => {
            q = q.filter(cases::closed_at.is_null()).filter(cases::status.ne_all([
                "inadmissible",
                "duplicate",
                "out_of_scope",
                "closed",
            ]))
        }
    }
    q.select((cases::id, cases::institution_id, cases::assignee_id, messages::report_id, messages::id))
        .load(conn)
}

/// The read marks of some people on some reports: (user, report, last message seen).
pub fn read_marks_of(
    conn: &mut DbConn,
    user_ids: &[i32],
    report_ids: &[i32],
) -> QueryResult<Vec<(i32, i32, i32)>> {
    read_marks::table
        .filter(read_marks::user_id.eq_any(user_ids.to_vec()))
        .filter(read_marks::report_id.eq_any(report_ids.to_vec()))
        .select((read_marks::user_id, read_marks::report_id, read_marks::last_message_id))
        .load(conn)
}

/// Records that `user_id` has seen a report's messages up to `last_message_id` (never moves back).
pub fn mark_read(conn: &mut DbConn, user_id: i32, report_id: i32, last_message_id: i32) -> QueryResult<()> {
    let current: Option<i32> = read_marks::table
        .find((user_id, report_id))
        .select(read_marks::last_message_id)
        .first(conn)
        .optional()?;
    match current {
        Some(c) if c >= last_message_id => {}
        Some(_) => {
            diesel::update(read_marks::table.find((user_id, report_id)))
                .set(read_marks::last_message_id.eq(last_message_id))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(read_marks::table)
                .values((
                    read_marks::user_id.eq(user_id),
                    read_marks::report_id.eq(report_id),
                    read_marks::last_message_id.eq(last_message_id),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// How many of the reporters' messages of each case `user_id` has not seen: (case id → count).
pub fn unread_per_case(
    conn: &mut DbConn,
    user_id: i32,
    case_ids: &[i32],
) -> QueryResult<std::collections::HashMap<i32, usize>> {
    let msgs = reporter_messages(conn, Some(case_ids))?;
    let reports: Vec<i32> = msgs.iter().map(|m| m.3).collect();
    let marks = read_marks_of(conn, &[user_id], &reports)?;
    let mut out = std::collections::HashMap::new();
    for m in msgs {
        let seen = marks.iter().find(|k| k.1 == m.3).map(|k| k.2).unwrap_or(0);
        if m.4 > seen {
            *out.entry(m.0).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// How many reporter messages of each report, in the threads `thread` reads, `user_id` has
/// not seen: (report id → count).
pub fn unread_per_report(
    conn: &mut DbConn,
    user_id: i32,
    report_ids: &[i32],
    shared_only: bool,
) -> QueryResult<std::collections::HashMap<i32, usize>> {
    let mut q = messages::table
        .filter(messages::author.eq("reporter"))
        .filter(messages::report_id.eq_any(report_ids.to_vec()))
        .into_boxed();
    if shared_only {
        q = q.filter(messages::institution_id.is_null());
    }
    let msgs: Vec<(i32, i32)> = q.select((messages::report_id, messages::id)).load(conn)?;
    let marks = read_marks_of(conn, &[user_id], report_ids)?;
    let mut out = std::collections::HashMap::new();
    for (rid, mid) in msgs {
        let seen = marks.iter().find(|k| k.1 == rid).map(|k| k.2).unwrap_or(0);
        if mid > seen {
            *out.entry(rid).or_insert(0) += 1;
        }
    }
    Ok(out)
}
