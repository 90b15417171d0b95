//! The queries behind the staff map and the staff analytics: the events of a period, where
//! they happened, narrowed by violation group, force and, for a case worker, their
//! institution's cases; the allegations of a period counted by month, region, force, unit and
//! violation group; the cases opened and closed in a period. Ids stay on the server side of
//! the pages except in the map's exports.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{allegations, cases, events, units};

/// What the staff map shows: events that occurred from `from` to `to` (both included), with
/// an allegation of the group and of the force when given, and a case at the institution when
/// given (a case worker sees their institution's events only).
#[derive(Debug, Clone)]
pub struct MapFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_id: Option<i32>,
    pub force_id: Option<i32>,
    pub institution: Option<i32>,
}

/// An event as the staff map places it.
#[derive(Debug, Clone, Queryable)]
pub struct MapEvent {
    pub id: i32,
    pub occurred_on: NaiveDate,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
}

/// `allegations.violation_type_id` among group `g`'s types, written `+violation_type_id` so
/// that SQLite, which keeps no statistics, reads the period's allegations through the index
/// `allegations_month` instead of every allegation of the group through `allegations_type`
/// (at 1M reports: 0.02 s instead of 0.22 s for the map's 90 days; docs/PERFORMANCE.md).
/// PostgreSQL plans by its statistics either way. `g` is an integer: nothing typed reaches the
/// text.
fn of_group(g: i32) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(&format!(
        "+allegations.violation_type_id IN (SELECT violation_types.id FROM violation_types WHERE violation_types.group_id = {g})"
    ))
}

/// An allegation routed to institution `inst`: its `destination_id`, set in the same update as
/// its case at that institution (`triage::model::set_destination`; a case is opened for its
/// destination), so it is the condition "its case is one of the institution's" read from the
/// month indexes alone (migration 000061; through the institution's cases, SQLite read the
/// allegations case by case: 0.46 s at 1M reports, docs/PERFORMANCE.md).
fn routed_to(inst: i32) -> diesel::dsl::Eq<allegations::destination_id, Option<i32>> {
    allegations::destination_id.eq(Some(inst))
}

/// The events of the filter, oldest first.
pub fn events_for_map(c: &mut DbConn, f: &MapFilter) -> QueryResult<Vec<MapEvent>> {
    let mut q = events::table
        .select((
            events::id,
            events::occurred_on,
            events::lat,
            events::lon,
            events::region_code,
            events::cercle_code,
        ))
        .into_boxed();
    q = q.filter(events::occurred_on.ge(f.from)).filter(events::occurred_on.le(f.to));
    // The allegations of the period's months only (an allegation's month is its event's).
    let months = allegations::occurred_month
        .ge(f.from.with_day(1).unwrap_or(f.from))
        .and(allegations::occurred_month.le(f.to));
    let alleged = allegations::table.filter(months);
    q = match (f.group_id, f.force_id) {
        (Some(g), Some(force)) => q.filter(events::id.eq_any(
            alleged.filter(of_group(g)).filter(allegations::force_id.eq(force)).select(allegations::event_id),
        )),
        (Some(g), None) => {
            q.filter(events::id.eq_any(alleged.filter(of_group(g)).select(allegations::event_id)))
        }
        (None, Some(force)) => q.filter(
            events::id.eq_any(alleged.filter(allegations::force_id.eq(force)).select(allegations::event_id)),
        ),
        (None, None) => q,
    };
    if let Some(inst) = f.institution {
        q = q.filter(
            events::id.eq_any(cases::table.select(cases::event_id).filter(cases::institution_id.eq(inst))),
        );
        // A case worker's group and force match their institution's allegations only, not
        // another institution's on the same event (found in review, session 19).
        let theirs = allegations::table.filter(months).filter(routed_to(inst));
        q = match (f.group_id, f.force_id) {
            (Some(g), Some(force)) => q.filter(
                events::id.eq_any(
                    theirs
                        .filter(of_group(g))
                        .filter(allegations::force_id.eq(force))
                        .select(allegations::event_id),
                ),
            ),
            (Some(g), None) => {
                q.filter(events::id.eq_any(theirs.filter(of_group(g)).select(allegations::event_id)))
            }
            (None, Some(force)) => q.filter(
                events::id
                    .eq_any(theirs.filter(allegations::force_id.eq(force)).select(allegations::event_id)),
            ),
            (None, None) => q,
        };
    }
    q.order((events::occurred_on, events::id)).load(c)
}

/// Allegations counted by (event month, force, unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllegationCount {
    pub month: NaiveDate,
    pub force_id: i32,
    pub unit_id: Option<i32>,
    pub n: u64,
}

/// The allegations of the months from `f.from`'s to `f.to`'s (the analytics count whole
/// months), narrowed by group, force and institution as the map's events are, counted by
/// month, force and unit. From the index `allegations_month` alone (no event is read).
pub fn allegation_counts(c: &mut DbConn, f: &MapFilter) -> QueryResult<Vec<AllegationCount>> {
    let mut q = allegations::table
        .filter(allegations::occurred_month.ge(f.from.with_day(1).unwrap_or(f.from)))
        .filter(allegations::occurred_month.le(f.to))
        .group_by((allegations::occurred_month, allegations::force_id, allegations::unit_id))
        .select((allegations::occurred_month, allegations::force_id, allegations::unit_id, count_star()))
        .into_boxed();
    if let Some(g) = f.group_id {
        q = q.filter(of_group(g));
    }
    if let Some(force) = f.force_id {
        q = q.filter(allegations::force_id.eq(force));
    }
    // A case worker counts the allegations routed to their institution, not another
    // institution's on the same event (found in review, session 19).
    if let Some(inst) = f.institution {
        q = q.filter(routed_to(inst));
    }
    let rows: Vec<(Option<NaiveDate>, i32, Option<i32>, i64)> = q.load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, force_id, unit_id, n)| {
            Some(AllegationCount { month: m?, force_id, unit_id, n: n as u64 })
        })
        .collect())
}

/// The same allegations (whole months, as `allegation_counts`) counted by their event's region
/// (None: no region), from `allegations.occurred_region` (kept by triggers, migration 000025)
/// on the index `allegations_month_region` alone: no event is read.
pub fn region_counts(c: &mut DbConn, f: &MapFilter) -> QueryResult<Vec<(Option<String>, u64)>> {
    let mut q = allegations::table
        .filter(allegations::occurred_month.ge(f.from.with_day(1).unwrap_or(f.from)))
        .filter(allegations::occurred_month.le(f.to))
        .group_by(allegations::occurred_region)
        .select((allegations::occurred_region, count_star()))
        .into_boxed();
    if let Some(g) = f.group_id {
        q = q.filter(of_group(g));
    }
    if let Some(force) = f.force_id {
        q = q.filter(allegations::force_id.eq(force));
    }
    // A case worker counts the allegations routed to their institution, not another
    // institution's on the same event (found in review, session 19).
    if let Some(inst) = f.institution {
        q = q.filter(routed_to(inst));
    }
    let rows: Vec<(Option<String>, i64)> = q.load(c)?;
    Ok(rows.into_iter().map(|(r, n)| (r, n as u64)).collect())
}

/// Every unit: (id, name).
pub fn unit_names(c: &mut DbConn) -> QueryResult<HashMap<i32, String>> {
    Ok(units::table.select((units::id, units::name)).load::<(i32, String)>(c)?.into_iter().collect())
}

/// A case opened in a period: its institution, when it was opened and closed, and the day of
/// its event's first report.
#[derive(Debug, Clone)]
pub struct OpenedCase {
    pub institution_id: i32,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub reported_on: Option<NaiveDate>,
}

fn day_start(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// The cases opened from `from` to `to` (both days included), of the institution when given,
/// from `cases_opened` alone (the first report's day is kept on the case, migration 000055).
pub fn cases_opened(
    c: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    institution: Option<i32>,
) -> QueryResult<Vec<OpenedCase>> {
    let (start, end) = (day_start(from), day_start(to + chrono::Duration::days(1)));
    let mut q = cases::table
        .filter(cases::opened_at.ge(start))
        .filter(cases::opened_at.lt(end))
        .select((cases::institution_id, cases::opened_at, cases::closed_at, cases::reported_on))
        .into_boxed();
    if let Some(inst) = institution {
        q = q.filter(cases::institution_id.eq(inst));
    }
    let rows: Vec<(i32, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDate>)> = q.load(c)?;
    Ok(rows
        .into_iter()
        .map(|(institution_id, opened_at, closed_at, reported_on)| OpenedCase {
            institution_id,
            opened_at,
            closed_at,
            reported_on,
        })
        .collect())
}

/// The days the cases closed from `from` to `to` were closed (of the institution when given),
/// on `cases_closed`.
pub fn cases_closed(
    c: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    institution: Option<i32>,
) -> QueryResult<Vec<NaiveDate>> {
    let mut q = cases::table
        .filter(cases::closed_at.ge(day_start(from)))
        .filter(cases::closed_at.lt(day_start(to + chrono::Duration::days(1))))
        .select(cases::closed_at)
        .into_boxed();
    if let Some(inst) = institution {
        q = q.filter(cases::institution_id.eq(inst));
    }
    Ok(q.load::<Option<NaiveDateTime>>(c)?.into_iter().flatten().map(|t| t.date()).collect())
}
