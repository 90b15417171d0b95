//! Triage, for intake officers: the queue of new reports, a report with its duplicate
//! candidates, admissibility, events (a report opens one or joins one; reports are never
//! changed), allegations, and routing them to the competent bodies, which opens their cases.

mod attachments;
mod correct;
pub mod duplicates;
mod event_pages;
pub mod model;
mod routes;

pub use routes::place_name;

/// The intake desk's pages: the queue, reports, events, allegations and their corrections.
pub fn routes() -> Vec<rocket::Route> {
    let mut all = routes::routes();
    all.extend(correct::routes());
    all
}

use chrono::Duration;
use diesel::QueryResult;

use crate::db::DbConn;
pub use crate::events::{routing_basis, scope_of};
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use duplicates::{BBox, Incident, Kind, Params, Scored};
use model::{Area, Scope};

/// A candidate report and its event, if any.
pub type ReportEvent = (i32, Option<i32>);

/// How many reports and events of the area, window and box are scored, at most (the newest).
pub const CANDIDATE_REPORTS: i64 = 2000;
pub const CANDIDATE_EVENTS: i64 = 500;

/// The duplicate candidates of a report, best first (at most `limit`), and the event of each
/// candidate report. Read only: the caller writes its audit entry in a short transaction of its
/// own, so the scoring never runs under the write lock.
///
/// Where: with a cercle or a point, the cercles of `Geo::candidate_cercles` (the configured
/// distance is honoured, however large) plus the reports and events of its region known only by
/// the region; with only a region, the whole region (scored lower, see `duplicates`).
#[expect(clippy::too_many_arguments, reason = "the report, what it is compared with, and the reader's scope")]
pub fn duplicate_candidates(
    conn: &mut DbConn,
    geo: &Geo,
    tax: &Taxonomy,
    r: &model::StaffReport,
    violation_types: &[i32],
    params: Params,
    scope: Scope,
    limit: usize,
) -> QueryResult<(Vec<Scored>, Vec<ReportEvent>)> {
    let from = r.occurred_on - Duration::days(params.window_days);
    let to = r.occurred_on + Duration::days(params.window_days);
    let point = r.lat.zip(r.lon);
    let near = point.map(|(lat, lon)| BBox::around(lat, lon, params.distance_km));
    let cercles = geo.candidate_cercles(r.cercle_code.as_deref(), point, params.distance_km);
    let mut all: Vec<Incident> = vec![];
    let mut areas: Vec<Area<'_>> = vec![];
    if !cercles.is_empty() {
        areas.push(Area::Cercles(&cercles));
        if let Some(region) = r.region_code.as_deref() {
            areas.push(Area::RegionOnly(region));
        }
    } else if let Some(region) = r.region_code.as_deref() {
        areas.push(Area::Region(region));
    }
    for area in areas {
        all.extend(model::report_candidates(conn, from, to, area, near, CANDIDATE_REPORTS, scope)?);
        all.extend(model::event_candidates(conn, from, to, area, near, CANDIDATE_EVENTS, scope)?);
    }
    // Reports already in this report's event are not candidates, nor is that event.
    all.retain(|c| !(c.kind == Kind::Event && Some(c.id) == r.event_id));
    for c in all.iter_mut() {
        c.groups = groups_of(tax, &c.violation_types);
    }
    let subject = Incident {
        kind: Kind::Report,
        id: r.id,
        lat: r.lat,
        lon: r.lon,
        cercle: r.cercle_code.clone(),
        region: r.region_code.clone(),
        occurred_on: r.occurred_on,
        violation_types: violation_types.to_vec(),
        groups: groups_of(tax, violation_types),
        forces: vec![r.force_id],
    };
    let ranked = duplicates::rank(&subject, &all, params, &|a, b| geo.adjacent(a, b), limit);
    let ids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Report).map(|s| s.id).collect();
    let events = model::events_of_reports(conn, &ids)?;
    Ok((ranked, events))
}

/// The violation groups of some violation types.
fn groups_of(tax: &Taxonomy, types: &[i32]) -> Vec<i32> {
    let mut g: Vec<i32> =
        types.iter().filter_map(|t| tax.violation_type_by_id(*t)).map(|(g, _)| g.entry.id).collect();
    g.sort_unstable();
    g.dedup();
    g
}
