//! The queries behind the staff map: the events of a period, where they happened, narrowed by
//! violation group, force and, for a case worker, their institution's cases. Ids stay on the
//! server side of the page except in the staff exports.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{allegations, cases, events, violation_types};

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
    let alleged = allegations::table.inner_join(violation_types::table).filter(months);
    q = match (f.group_id, f.force_id) {
        (Some(g), Some(force)) => q.filter(
            events::id.eq_any(
                alleged
                    .filter(violation_types::group_id.eq(g))
                    .filter(allegations::force_id.eq(force))
                    .select(allegations::event_id),
            ),
        ),
        (Some(g), None) => q.filter(
            events::id.eq_any(alleged.filter(violation_types::group_id.eq(g)).select(allegations::event_id)),
        ),
        (None, Some(force)) => q.filter(
            events::id.eq_any(alleged.filter(allegations::force_id.eq(force)).select(allegations::event_id)),
        ),
        (None, None) => q,
    };
    if let Some(inst) = f.institution {
        q = q.filter(
            events::id.eq_any(cases::table.select(cases::event_id).filter(cases::institution_id.eq(inst))),
        );
    }
    q.order((events::occurred_on, events::id)).load(c)
}
