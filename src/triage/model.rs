//! Queries of triage: the queue, a report as staff see it, events, allegations, candidates
//! for duplicates.

use chrono::{NaiveDate, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;

use super::duplicates::{BBox, Incident, Kind};
use crate::db::DbConn;
use crate::events::Admissibility;
use crate::schema::{
    allegations, attachments, cases, events, report_channels, report_violations, reports, users,
    violation_types,
};

/// The record as staff read it lives in `events::model`; triage uses it as its own.
pub use crate::events::model::{
    allegations_of_event, attachments_of, cases_of_event, find_allegation, find_event, find_report,
    messages_of, Allegation, AttachmentMeta, Event, Scope, StaffMessage, StaffReport, Thread,
};

/// (id, lat, lon, cercle, occurred on)
type PlaceTuple = (i32, Option<f64>, Option<f64>, Option<String>, NaiveDate);

#[derive(Debug, Default, Clone)]
pub struct QueueFilter {
    pub region: Option<String>,
    pub cercle: Option<String>,
    pub group_id: Option<i32>,
    pub force_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Pending (the default queue), a decision, or None for all.
    pub admissibility: Option<Admissibility>,
    /// Only reports submitted before this day (the overdue ones).
    pub submitted_before: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub id: i32,
    pub submitted_on: NaiveDate,
    pub occurred_on: NaiveDate,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
    pub force_id: i32,
    pub admissibility: String,
    pub event_id: Option<i32>,
    pub channel: String,
    pub children_involved: bool,
}

/// A page of the queue, oldest first, after report `after` (keyset pagination on the primary
/// key, so a deep page costs the same as the first).
pub fn queue(
    conn: &mut DbConn,
    f: &QueueFilter,
    after: Option<i32>,
    newest_first: bool,
    limit: i64,
) -> QueryResult<Vec<QueueRow>> {
    let mut q = filtered(f);
    if let Some(after) = after {
        q = if newest_first { q.filter(reports::id.lt(after)) } else { q.filter(reports::id.gt(after)) };
    }
    let q = if newest_first { q.order(reports::id.desc()) } else { q.order(reports::id.asc()) };
    q.limit(limit)
        .select((
            reports::id,
            reports::submitted_on,
            reports::occurred_on,
            reports::region_code,
            reports::cercle_code,
            reports::force_id,
            reports::admissibility,
            reports::event_id,
            reports::channel,
            reports::children_involved,
        ))
        .load(conn)
}

/// How many reports the queue's filters match, counted up to `cap` (the queue says its count;
/// past the cap it says "more than"). An unbounded `COUNT(*)` over a filtered queue of hundreds
/// of thousands of reports cost 200 ms a view at 1,000,000 reports; this stops at the cap.
pub fn queue_count(conn: &mut DbConn, f: &QueueFilter, cap: i64) -> QueryResult<i64> {
    let ids: Vec<i32> = filtered(f).select(reports::id).limit(cap + 1).load(conn)?;
    Ok(ids.len() as i64)
}

fn filtered<'a>(f: &QueueFilter) -> reports::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend> {
    let mut q = reports::table.into_boxed();
    if let Some(a) = f.admissibility {
        q = q.filter(reports::admissibility.eq(a.as_str()));
    }
    if let Some(r) = &f.region {
        q = q.filter(reports::region_code.eq(r.clone()));
    }
    if let Some(c) = &f.cercle {
        q = q.filter(reports::cercle_code.eq(c.clone()));
    }
    if let Some(force) = f.force_id {
        q = q.filter(reports::force_id.eq(force));
    }
    if let Some(d) = f.from {
        q = q.filter(reports::occurred_on.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(reports::occurred_on.le(d));
    }
    if let Some(d) = f.submitted_before {
        q = q.filter(reports::submitted_on.lt(d));
    }
    if let Some(g) = f.group_id {
        q = q.filter(exists(
            report_violations::table
                .inner_join(violation_types::table)
                .filter(report_violations::report_id.eq(reports::id))
                .filter(violation_types::group_id.eq(g)),
        ));
    }
    q
}

/// The violation type ids of some reports.
pub fn violations_of(conn: &mut DbConn, report_ids: &[i32]) -> QueryResult<Vec<(i32, i32)>> {
    report_violations::table
        .filter(report_violations::report_id.eq_any(report_ids))
        .select((report_violations::report_id, report_violations::violation_type_id))
        .load(conn)
}

/// Which bytes of an evidence file are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileCopy {
    /// What case workers get: a photo's re-encoded copy; other files as uploaded.
    Staff,
    /// The file as uploaded, metadata and all (the auditor only).
    Original,
}

/// (content type, bytes) of an evidence file, or None when there is no such copy.
pub type FileBytes = Option<(String, Vec<u8>)>;

/// An evidence file's description (not its bytes), if the scope may see its report.
/// A voice message's recording is read only by those who read its thread (`thread`).
pub fn attachment_meta(
    conn: &mut DbConn,
    id: i32,
    scope: Scope,
    thread: Thread,
) -> QueryResult<AttachmentMeta> {
    // A staged file (stored, not yet linked to its report) is nobody's to read.
    let meta: AttachmentMeta = attachments::table
        .left_join(users::table.on(users::id.nullable().eq(attachments::transcribed_by)))
        .filter(attachments::id.eq(id))
        .filter(attachments::report_id.is_not_null())
        .select(crate::events::model::attachment_meta_columns!())
        .first(conn)?;
    find_report(conn, meta.report_id, scope)?;
    if meta.purpose == "message" {
        let inst: Option<i32> = crate::schema::messages::table
            .filter(crate::schema::messages::attachment_id.eq(id))
            .select(crate::schema::messages::institution_id)
            .first(conn)?;
        let readable = match (thread, inst) {
            (Thread::All, _) | (_, None) => true,
            (Thread::Institution(mine), Some(i)) => mine == i,
            (Thread::Shared, Some(_)) => false,
        };
        if !readable {
            return Err(diesel::result::Error::NotFound);
        }
    }
    Ok(meta)
}

/// An evidence file's bytes (content type, data), if the scope may see its report; None when
/// the staff copy of a photo could not be made.
/// A sealed file (issue 15) is opened with `reader`'s keys; None when they hold none.
pub fn attachment_data(
    conn: &mut DbConn,
    id: i32,
    scope: Scope,
    copy: FileCopy,
    thread: Thread,
    reader: Option<&crate::keyring::Reader>,
) -> Result<(AttachmentMeta, FileBytes), crate::error::AppError> {
    use crate::keyring::report::{open_file, FilePart};
    // A staged file (stored, not yet linked to its report) is nobody's to read.
    let meta = attachment_meta(conn, id, scope, thread)?;
    let sealed: Option<String> =
        attachments::table.find(id).select(attachments::stored_sha256).first(conn)?;
    let key = match sealed {
        Some(_) => match crate::keyring::model::reading_key(conn, meta.report_id, reader)? {
            Some(k) => Some(k),
            None => return Ok((meta, None)),
        },
        None => None,
    };
    let open = |part: FilePart, data: Vec<u8>| -> Result<Vec<u8>, crate::error::AppError> {
        Ok(match &key {
            Some(k) => open_file(k, part, &data)?,
            None => data,
        })
    };
    let bytes = if copy == FileCopy::Staff && meta.kind == "image" {
        let safe: (Option<String>, Option<Vec<u8>>) = attachments::table
            .find(id)
            .select((attachments::safe_content_type, attachments::safe_data))
            .first(conn)?;
        match safe {
            (Some(ct), Some(data)) => Some((ct, open(FilePart::StaffCopy, data)?)),
            _ => None,
        }
    } else {
        Some((meta.content_type.clone(), crate::reports::model::original_bytes(conn, id, key.as_ref())?))
    };
    Ok((meta, bytes))
}

/// Whether the report is in an event that was routed (a case exists for it): its admissibility
/// is then the cases' business, no longer triage's.
pub fn in_routed_event(conn: &mut DbConn, id: i32) -> QueryResult<bool> {
    use crate::schema::cases;
    let event: Option<i32> = reports::table.find(id).select(reports::event_id).first(conn)?;
    let Some(event) = event else { return Ok(false) };
    let n: i64 = cases::table.filter(cases::event_id.eq(event)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Sets the report's admissibility, unless it has that decision already (a second press, or
/// two officers at once: the second changes nothing and sends nothing). Returns the rows
/// changed.
pub fn set_admissibility(
    conn: &mut DbConn,
    id: i32,
    decision: Admissibility,
    reason: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(reports::table.find(id).filter(reports::admissibility.ne(decision.as_str())))
        .set((
            reports::admissibility.eq(decision.as_str()),
            reports::admissibility_reason.eq(reason),
            reports::status.eq(decision.public_status().as_str()),
            reports::triaged_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(conn)
}

/// Opens an event from a report (its date and place) and links the report to it.
pub fn create_event_from(
    conn: &mut DbConn,
    r: &StaffReport,
    title: &str,
    summary: &str,
    prior_approach: bool,
    court_pending: bool,
    user_id: i32,
) -> QueryResult<Option<i32>> {
    // An event keeps a sealed report's cell, never the exact point its reader opened.
    let place = |x: Option<f64>| if r.sealed.is_some() { x.map(crate::keyring::report::cell) } else { x };
    let id: i32 = diesel::insert_into(events::table)
        .values((
            events::title.eq(title),
            events::occurred_on.eq(r.occurred_on),
            events::date_precision.eq(&r.date_precision),
            events::lat.eq(place(r.lat)),
            events::lon.eq(place(r.lon)),
            events::region_code.eq(&r.region_code),
            events::cercle_code.eq(&r.cercle_code),
            events::summary.eq(summary),
            events::prior_approach.eq(prior_approach),
            events::court_pending.eq(court_pending),
            events::created_by.eq(Some(user_id)),
            events::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(events::id)
        .get_result(conn)?;
    if link_free_report(conn, r.id, id)? == 0 {
        return Ok(None);
    }
    Ok(Some(id))
}

/// Links a report to an event only if it belongs to none yet. Concurrency: a conditional update
/// on the report row (`WHERE id = ? AND event_id IS NULL`), so of two officers opening an event
/// from one report at once only one links it; the other gets 0 and rolls back.
pub fn link_free_report(conn: &mut DbConn, report_id: i32, event_id: i32) -> QueryResult<usize> {
    diesel::update(reports::table.find(report_id).filter(reports::event_id.is_null()))
        .set((
            reports::event_id.eq(Some(event_id)),
            reports::admissibility.eq("admissible"),
            reports::triaged_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(conn)
}

/// The reports linked to an event: (id, submitted_on, channel).
pub fn reports_of_event(conn: &mut DbConn, event_id: i32) -> QueryResult<Vec<(i32, NaiveDate, String)>> {
    let rows: Vec<(i32, NaiveDate, String, Option<String>)> = reports::table
        .left_join(report_channels::table)
        .filter(reports::event_id.eq(event_id))
        .order(reports::id)
        .select((reports::id, reports::submitted_on, reports::channel, report_channels::channel.nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, on, door, phone)| (id, on, phone.unwrap_or(door))).collect())
}

/// What an intake officer records of an allegation, added or corrected (the same form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllegationFields {
    pub violation_type_id: i32,
    pub force_id: i32,
    pub unit_description: String,
    pub identifiers_seen: String,
    pub involvement: String,
    pub confidence: String,
    pub victim_count: Option<i32>,
    pub children_involved: bool,
}

impl AllegationFields {
    /// The fields of an allegation as recorded.
    pub fn of(a: &crate::events::model::Allegation) -> AllegationFields {
        AllegationFields {
            violation_type_id: a.violation_type_id,
            force_id: a.force_id,
            unit_description: a.unit_description.clone(),
            identifiers_seen: a.identifiers_seen.clone(),
            involvement: a.involvement.clone(),
            confidence: a.confidence.clone(),
            victim_count: a.victim_count,
            children_involved: a.children_involved,
        }
    }
}

pub fn insert_allegation(conn: &mut DbConn, event_id: i32, a: &AllegationFields) -> QueryResult<i32> {
    diesel::insert_into(allegations::table)
        .values((
            allegations::event_id.eq(event_id),
            allegations::violation_type_id.eq(a.violation_type_id),
            allegations::force_id.eq(a.force_id),
            allegations::unit_description.eq(&a.unit_description),
            allegations::identifiers_seen.eq(&a.identifiers_seen),
            allegations::involvement.eq(&a.involvement),
            allegations::confidence.eq(&a.confidence),
            allegations::victim_count.eq(a.victim_count),
            allegations::children_involved.eq(a.children_involved),
            allegations::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(allegations::id)
        .get_result(conn)
}

/// Corrects an allegation that has no finding yet (0 when it has one, or is gone); `untie`
/// also takes it off its unit (a unit of the force it no longer names). The counts kept by
/// triggers (training, public statistics' data version) follow the update.
pub fn correct_allegation(
    conn: &mut DbConn,
    id: i32,
    a: &AllegationFields,
    untie: bool,
) -> QueryResult<usize> {
    let target = allegations::table.find(id).filter(allegations::disposition_id.is_null());
    let fields = (
        allegations::violation_type_id.eq(a.violation_type_id),
        allegations::force_id.eq(a.force_id),
        allegations::unit_description.eq(&a.unit_description),
        allegations::identifiers_seen.eq(&a.identifiers_seen),
        allegations::involvement.eq(&a.involvement),
        allegations::confidence.eq(&a.confidence),
        allegations::victim_count.eq(a.victim_count),
        allegations::children_involved.eq(a.children_involved),
    );
    match untie {
        true => diesel::update(target).set((fields, allegations::unit_id.eq(None::<i32>))).execute(conn),
        false => diesel::update(target).set(fields).execute(conn),
    }
}

/// The unit an allegation is tied to, if any: its name and force.
pub fn tied_unit(conn: &mut DbConn, id: i32) -> QueryResult<Option<(String, i32)>> {
    use crate::schema::units;
    allegations::table
        .inner_join(units::table.on(allegations::unit_id.eq(units::id.nullable())))
        .filter(allegations::id.eq(id))
        .select((units::name, units::force_id))
        .first(conn)
        .optional()
}

/// Records where an allegation goes and why (`fact`: the JSON of a `routing::RoutingFact`),
/// and the case it joins.
pub fn set_destination(
    conn: &mut DbConn,
    id: i32,
    destination_id: i32,
    rule_id: Option<i32>,
    fact: &str,
    override_reason: Option<&str>,
    case_id: i32,
) -> QueryResult<usize> {
    diesel::update(allegations::table.find(id))
        .set((
            allegations::destination_id.eq(Some(destination_id)),
            allegations::routing_rule_id.eq(rule_id),
            allegations::routing_fact.eq(Some(fact)),
            allegations::override_reason.eq(override_reason),
            allegations::case_id.eq(Some(case_id)),
        ))
        .execute(conn)
}

/// Where duplicate candidates are looked for.
#[derive(Debug, Clone, Copy)]
pub enum Area<'a> {
    /// In these cercles (`geo::Geo::candidate_cercles`: the subject's, its neighbours' and
    /// every cercle within the configured distance of its point).
    Cercles(&'a [String]),
    /// In this region, known by the region only (no cercle): the region-only candidates of a
    /// subject with a cercle.
    RegionOnly(&'a str),
    /// Anywhere in this region: the candidates of a subject known only by its region.
    Region(&'a str),
}

/// Reports in the date window and the area, with their points, region, violation types and
/// force (`groups` left empty: the caller fills them from the taxonomy). Served by the
/// `(cercle_code, occurred_on)` and `(region_code, occurred_on)` indexes.
pub fn report_candidates(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    area: Area<'_>,
    near: Option<BBox>,
    limit: i64,
    scope: Scope,
) -> QueryResult<Vec<Incident>> {
    let mut q = reports::table.filter(reports::occurred_on.between(from, to)).into_boxed();
    // A point outside the box is too far to be scored; one without a point is judged by place.
    if let Some(b) = near {
        q =
            q.filter(reports::lat.is_null().or(
                reports::lat.between(b.min_lat, b.max_lat).and(reports::lon.between(b.min_lon, b.max_lon)),
            ));
    }
    q = match area {
        Area::Cercles(cercles) => q.filter(reports::cercle_code.eq_any(cercles.to_vec())),
        Area::RegionOnly(region) => {
            q.filter(reports::region_code.eq(region.to_string())).filter(reports::cercle_code.is_null())
        }
        Area::Region(region) => q.filter(reports::region_code.eq(region.to_string())),
    };
    // Security: a case worker is offered only reports their institution holds a case on, the
    // same rule as `events::model::find_report`; another institution's reports are not even
    // listed.
    if let Scope::Institution(inst) = scope {
        q = q.filter(crate::events::model::held_by(inst));
    }
    // Ordered by day, not by id: an `ORDER BY id DESC LIMIT` lets PostgreSQL walk the primary
    // key backwards through the whole table, filtering as it goes, when it guesses the area
    // holds more than `limit` rows; by day, either index it picks is bounded by the window.
    let rows: Vec<(PlaceTuple, Option<String>, i32)> = q
        .order((reports::occurred_on.desc(), reports::id.desc()))
        .limit(limit)
        .select((
            (reports::id, reports::lat, reports::lon, reports::cercle_code, reports::occurred_on),
            reports::region_code,
            reports::force_id,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0 .0).collect();
    let mut vts: std::collections::HashMap<i32, Vec<i32>> = std::collections::HashMap::new();
    for (report, vt) in violations_of(conn, &ids)? {
        vts.entry(report).or_default().push(vt);
    }
    Ok(rows
        .into_iter()
        .map(|((id, lat, lon, cercle, occurred_on), region, force)| Incident {
            kind: Kind::Report,
            id,
            lat,
            lon,
            cercle,
            region,
            occurred_on,
            violation_types: vts.remove(&id).unwrap_or_default(),
            groups: vec![],
            forces: vec![force],
        })
        .collect())
}

/// Events in the date window and the area, with the violation types and forces of their
/// allegations and of the reports they hold. Served by `(cercle_code, occurred_on)` and
/// `(region_code, occurred_on)` on events.
pub fn event_candidates(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    area: Area<'_>,
    near: Option<BBox>,
    limit: i64,
    scope: Scope,
) -> QueryResult<Vec<Incident>> {
    let mut q = events::table.filter(events::occurred_on.between(from, to)).into_boxed();
    // A point outside the box is too far to be scored; one without a point is judged by place.
    if let Some(b) = near {
        q =
            q.filter(events::lat.is_null().or(
                events::lat.between(b.min_lat, b.max_lat).and(events::lon.between(b.min_lon, b.max_lon)),
            ));
    }
    q = match area {
        Area::Cercles(cercles) => q.filter(events::cercle_code.eq_any(cercles.to_vec())),
        Area::RegionOnly(region) => {
            q.filter(events::region_code.eq(region.to_string())).filter(events::cercle_code.is_null())
        }
        Area::Region(region) => q.filter(events::region_code.eq(region.to_string())),
    };
    // Security: a case worker is offered only events with a case at their institution.
    if let Scope::Institution(inst) = scope {
        q = q.filter(exists(
            cases::table.filter(cases::event_id.eq(events::id)).filter(cases::institution_id.eq(inst)),
        ));
    }
    let rows: Vec<(PlaceTuple, Option<String>)> = q
        .order((events::occurred_on.desc(), events::id.desc()))
        .limit(limit)
        .select((
            (events::id, events::lat, events::lon, events::cercle_code, events::occurred_on),
            events::region_code,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0 .0).collect();
    let alle: Vec<(i32, i32, i32)> = allegations::table
        .filter(allegations::event_id.eq_any(&ids))
        .select((allegations::event_id, allegations::violation_type_id, allegations::force_id))
        .load(conn)?;
    let reps: Vec<(Option<i32>, i32, i32)> = reports::table
        .inner_join(report_violations::table)
        .filter(reports::event_id.eq_any(ids.iter().map(|i| Some(*i)).collect::<Vec<_>>()))
        .select((reports::event_id, report_violations::violation_type_id, reports::force_id))
        .load(conn)?;
    // (violation types, forces) of each event, from its allegations and its reports.
    let mut of_event: std::collections::HashMap<i32, (Vec<i32>, Vec<i32>)> = std::collections::HashMap::new();
    for (event, vt, force) in
        alle.into_iter().chain(reps.into_iter().filter_map(|(e, vt, f)| e.map(|e| (e, vt, f))))
    {
        let entry = of_event.entry(event).or_default();
        entry.0.push(vt);
        entry.1.push(force);
    }
    Ok(rows
        .into_iter()
        .map(|((id, lat, lon, cercle, occurred_on), region)| {
            let (mut violation_types, mut forces) = of_event.remove(&id).unwrap_or_default();
            violation_types.sort_unstable();
            violation_types.dedup();
            forces.sort_unstable();
            forces.dedup();
            Incident {
                kind: Kind::Event,
                id,
                lat,
                lon,
                cercle,
                region,
                occurred_on,
                violation_types,
                groups: vec![],
                forces,
            }
        })
        .collect())
}

/// The event of each of some reports: (report id, event id).
pub fn events_of_reports(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(i32, Option<i32>)>> {
    reports::table
        .filter(reports::id.eq_any(ids.to_vec()))
        .select((reports::id, reports::event_id))
        .load(conn)
}

/// The narratives of some reports, for the excerpts of duplicate candidates: (id, narrative),
/// a sealed one opened with `reader`'s keys (empty when they cannot open it).
pub fn report_excerpts(
    conn: &mut DbConn,
    ids: &[i32],
    reader: Option<&crate::keyring::Reader>,
) -> Result<Vec<(i32, String)>, crate::error::AppError> {
    let rows: Vec<(i32, String, Option<String>)> = reports::table
        .filter(reports::id.eq_any(ids.to_vec()))
        .select((reports::id, reports::narrative, reports::sealed))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, narrative, sealed) in rows {
        let text = match crate::keyring::model::open_report(conn, id, sealed.as_deref(), reader)? {
            crate::keyring::Opened::Open(p) => p.narrative,
            _ => narrative,
        };
        out.push((id, text));
    }
    Ok(out)
}

/// The titles of some events: (id, title).
pub fn event_titles(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    events::table.filter(events::id.eq_any(ids.to_vec())).select((events::id, events::title)).load(conn)
}

/// How many attachments each of some reports has: (report id, count).
pub fn attachment_counts(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(i32, i64)>> {
    attachments::table
        .filter(attachments::report_id.eq_any(ids.to_vec()))
        .group_by(attachments::report_id)
        .select((attachments::report_id.assume_not_null(), diesel::dsl::count_star()))
        .load(conn)
}

/// A report taken into an event: its public status becomes "under review".
pub fn mark_under_review(conn: &mut DbConn, report_id: i32) -> QueryResult<usize> {
    diesel::update(reports::table.find(report_id))
        .set(reports::status.eq(crate::events::PublicStatus::UnderReview.as_str()))
        .execute(conn)
}
