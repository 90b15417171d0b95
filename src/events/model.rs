//! Queries of the record as staff read it: a report (with who may read it), its files and
//! messages, an event and its allegations. Triage and cases both read through these; the
//! writes stay with the domain that makes them (`triage::model`, `cases::model`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::DbConn;
use crate::schema::{allegations, attachments, cases, events, messages, report_channels, reports, users};

/// Who may see which reports: intake officers and auditors all of them; case workers only
/// those whose event has a case at their institution.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    Institution(i32),
}

/// A report as staff with a case role see it. Privacy: this includes identity, contact and the
/// exact point; every read of it is audited by the handler.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct StaffReport {
    pub id: i32,
    pub status: String,
    pub channel: String,
    pub locale: String,
    pub submitted_on: NaiveDate,
    pub narrative: String,
    pub occurred_on: NaiveDate,
    pub date_precision: String,
    pub occurred_time: Option<String>,
    pub force_id: i32,
    pub unit_description: String,
    pub uniform_seen: String,
    pub insignia_seen: String,
    pub vehicle_seen: String,
    pub victim_count: Option<i32>,
    pub children_involved: bool,
    pub victim_details: String,
    pub reporter_relation: String,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place_id: Option<i32>,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
    pub location_method: String,
    pub monitor_id: Option<i32>,
    pub on_behalf_of: Option<String>,
    pub consent_obtained: bool,
    pub event_id: Option<i32>,
    pub admissibility: String,
    pub admissibility_reason: Option<String>,
    pub triaged_at: Option<NaiveDateTime>,
    /// The protected fields sealed under the report's data key (issue 15); None for a report
    /// filed before the keys were set up, whose clear columns hold them.
    pub sealed: Option<String>,
}

impl StaffReport {
    /// Puts the protected fields (narrative, victim details, identity) in place for `reader`,
    /// opened with their keys; says what was opened, with the data key for the report's thread
    /// and files ([`open_thread`]). A report they cannot open keeps them empty: the page says
    /// why (`Opened::NoKey`, `Opened::Refused`).
    pub fn unseal(
        &mut self,
        conn: &mut DbConn,
        reader: Option<&crate::keyring::Reader>,
    ) -> Result<(crate::keyring::Opened, Option<crate::crypto::SecretKey>), crate::error::AppError> {
        let (opened, key) =
            crate::keyring::model::open_report_key(conn, self.id, self.sealed.as_deref(), reader)?;
        match &opened {
            crate::keyring::Opened::Open(p) => {
                self.narrative = p.narrative.clone();
                self.victim_details = p.victim_details.clone();
                self.reporter_name = p.reporter_name.clone();
                self.reporter_contact = p.reporter_contact.clone();
                self.on_behalf_of = p.on_behalf_of.clone();
                if let Some(point) = p.point {
                    let (lat, lon) = crate::keyring::report::degrees(point);
                    (self.lat, self.lon) = (Some(lat), Some(lon));
                }
            }
            crate::keyring::Opened::Clear => {}
            // The column then holds the copy sealed to the monitor: nothing to show.
            _ => self.on_behalf_of = None,
        }
        Ok((opened, key))
    }
}

/// A report's messages and its recordings' transcriptions as a staff reader sees them: opened
/// with the report's data key when the report is sealed (`key` from [`StaffReport::unseal`]),
/// left empty when it did not open; as stored for a report kept in clear.
pub fn open_thread(
    sealed: bool,
    key: Option<&crate::crypto::SecretKey>,
    messages: &mut [StaffMessage],
    files: &mut [AttachmentMeta],
) {
    for m in messages {
        m.2 = crate::keyring::report::open_message(&m.2, sealed, key).unwrap_or_default();
    }
    for f in files {
        f.unseal_transcription(sealed, key);
    }
}

/// A report institution `inst` holds: the report of an event its case holds an allegation
/// of, or one its case kept when an override took the allegations away (`case_kept_reports`).
/// The one rule for a case worker's reports: the report page (`find_report`) and the duplicate
/// candidates (`triage::model::report_candidates`) use it.
pub fn held_by(
    inst: i32,
) -> Box<dyn BoxableExpression<reports::table, <DbConn as Connection>::Backend, SqlType = Bool>> {
    use crate::schema::case_kept_reports;
    Box::new(
        exists(
            cases::table
                .filter(cases::event_id.nullable().eq(reports::event_id))
                .filter(cases::institution_id.eq(inst))
                .filter(exists(allegations::table.filter(allegations::case_id.eq(cases::id.nullable())))),
        )
        .or(exists(
            case_kept_reports::table
                .inner_join(cases::table)
                .filter(cases::institution_id.eq(inst))
                .filter(case_kept_reports::report_id.eq(reports::id)),
        )),
    )
}

/// A report the scope may see; `NotFound` otherwise. An institution sees the reports of an
/// event its case holds an allegation of; once an override has taken them all away (the case
/// kept, since it was worked on), only the reports the event had then (`case_kept_reports`):
/// nothing linked afterwards.
pub fn find_report(conn: &mut DbConn, id: i32, scope: Scope) -> QueryResult<StaffReport> {
    let mut q = reports::table.filter(reports::id.eq(id)).into_boxed();
    if let Scope::Institution(inst) = scope {
        q = q.filter(held_by(inst));
    }
    let mut r = q.select(StaffReport::as_select()).first(conn)?;
    // A report by SMS or USSD came through the machine door (`api`); staff see the phone channel.
    if let Some(phone) =
        report_channels::table.find(r.id).select(report_channels::channel).first::<String>(conn).optional()?
    {
        r.channel = phone;
    }
    Ok(r)
}

#[derive(Debug, Clone, Queryable)]
pub struct AttachmentMeta {
    pub id: i32,
    pub report_id: i32,
    pub kind: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub uploaded_on: NaiveDate,
    /// A photo's copy without metadata exists (staff download it instead of the original).
    pub safe: bool,
    /// `pdf-active` or `pdf-unchecked`, see `reports::evidence`.
    pub warning: Option<String>,
    /// `evidence`, or `narrative` for a report told by voice.
    pub purpose: String,
    /// A recording's transcription and French translation, with who wrote them and when.
    pub transcription: Option<String>,
    pub translation: Option<String>,
    pub transcribed_at: Option<NaiveDateTime>,
    pub transcriber: Option<String>,
}

impl AttachmentMeta {
    /// The transcription and translation of a sealed report's recording, opened with its data
    /// key (issue 15); left out when they do not open.
    pub fn unseal_transcription(&mut self, report_sealed: bool, key: Option<&crate::crypto::SecretKey>) {
        let open = |t: &Option<String>| {
            t.as_deref().and_then(|t| crate::keyring::report::open_message(t, report_sealed, key))
        };
        self.transcription = open(&self.transcription);
        self.translation = open(&self.translation);
    }
}

/// Records the transcription and French translation of a recording.
pub fn set_transcription(
    conn: &mut DbConn,
    id: i32,
    text: &str,
    translation: &str,
    by: i32,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    diesel::update(attachments::table.find(id))
        .set((
            attachments::transcription.eq(opt(text)),
            attachments::translation.eq(opt(translation)),
            attachments::transcribed_by.eq(Some(by)),
            attachments::transcribed_at.eq(Some(at)),
        ))
        .execute(conn)
}

/// The columns of [`AttachmentMeta`], over `attachments` left-joined to the transcriber.
macro_rules! attachment_meta_columns {
    () => {
        (
            attachments::id,
            attachments::report_id.assume_not_null(),
            attachments::kind,
            attachments::content_type,
            attachments::size_bytes,
            attachments::sha256,
            attachments::uploaded_on,
            attachments::safe_data.is_not_null(),
            attachments::warning,
            attachments::purpose,
            attachments::transcription,
            attachments::translation,
            attachments::transcribed_at,
            users::name.nullable(),
        )
    };
}
pub(crate) use attachment_meta_columns;

pub fn attachments_of(conn: &mut DbConn, report_id: i32) -> QueryResult<Vec<AttachmentMeta>> {
    attachments::table
        .left_join(users::table.on(users::id.nullable().eq(attachments::transcribed_by)))
        .filter(attachments::report_id.eq(report_id))
        // A voice message shows in its thread, to those who read that thread.
        .filter(attachments::purpose.ne("message"))
        .order(attachments::id)
        .select(attachment_meta_columns!())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i32,
    pub title: String,
    pub occurred_on: NaiveDate,
    pub date_precision: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
    pub summary: String,
    pub prior_approach: bool,
    pub court_pending: bool,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn find_event(conn: &mut DbConn, id: i32) -> QueryResult<Event> {
    events::table.find(id).select(Event::as_select()).first(conn)
}

/// Which threads of a report's messages a staff member reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    /// Every thread (the auditor).
    All,
    /// The shared thread before routing only (intake officers: their part ends at routing).
    Shared,
    /// One institution's thread and the shared one before routing (its case workers).
    Institution(i32),
}

impl Thread {
    /// The threads a report scope reads: case workers their institution's, intake and
    /// auditors as `all_scope` says.
    pub fn of(scope: Scope, all_scope: Thread) -> Thread {
        match scope {
            Scope::All => all_scope,
            Scope::Institution(i) => Thread::Institution(i),
        }
    }
}

/// A message as staff read it: (id, author, body, sent on, institution of its thread, name of
/// the staff member who wrote it).
/// id, author, body, day, institution, staff name, recording (a voice message's attachment).
pub type StaffMessage = (i32, String, String, NaiveDate, Option<i32>, Option<String>, Option<i32>);

/// A report's messages in the threads given.
pub fn messages_of(conn: &mut DbConn, report_id: i32, thread: Thread) -> QueryResult<Vec<StaffMessage>> {
    let mut q = messages::table
        .left_join(crate::schema::users::table.on(crate::schema::users::id.nullable().eq(messages::user_id)))
        .filter(messages::report_id.eq(report_id))
        .into_boxed();
    match thread {
        Thread::All => {}
        Thread::Shared => q = q.filter(messages::institution_id.is_null()),
        Thread::Institution(i) => {
            q = q.filter(messages::institution_id.is_null().or(messages::institution_id.eq(i)))
        }
    }
    q.order(messages::id)
        .select((
            messages::id,
            messages::author,
            messages::body,
            messages::sent_on,
            messages::institution_id,
            crate::schema::users::name.nullable(),
            messages::attachment_id,
        ))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = allegations)]
pub struct Allegation {
    pub id: i32,
    pub event_id: i32,
    pub violation_type_id: i32,
    pub force_id: i32,
    pub unit_description: String,
    pub identifiers_seen: String,
    pub involvement: String,
    pub confidence: String,
    pub victim_count: Option<i32>,
    pub children_involved: bool,
    pub destination_id: Option<i32>,
    pub routing_rule_id: Option<i32>,
    /// Why it went there, as facts (JSON of `routing::RoutingFact`).
    pub routing_fact: Option<String>,
    pub override_reason: Option<String>,
    pub case_id: Option<i32>,
    pub disposition_id: Option<i32>,
    pub standard_of_proof: Option<String>,
    pub finding_reasoning: Option<String>,
}

pub fn allegations_of_event(conn: &mut DbConn, event_id: i32) -> QueryResult<Vec<Allegation>> {
    allegations::table
        .filter(allegations::event_id.eq(event_id))
        .order(allegations::id)
        .select(Allegation::as_select())
        .load(conn)
}

pub fn find_allegation(conn: &mut DbConn, id: i32) -> QueryResult<Allegation> {
    allegations::table.find(id).select(Allegation::as_select()).first(conn)
}

/// The cases opened on an event: (case id, institution id, status).
pub fn cases_of_event(conn: &mut DbConn, event_id: i32) -> QueryResult<Vec<(i32, i32, String)>> {
    cases::table
        .filter(cases::event_id.eq(event_id))
        .order(cases::id)
        .select((cases::id, cases::institution_id, cases::status))
        .load(conn)
}
