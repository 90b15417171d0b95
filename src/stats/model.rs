//! The queries behind the public statistics: counts only, never a narrative, a name, a
//! contact, a point, a cercle or an id that leaves this file (the case and event ids read here
//! join timings together and are dropped before the tables are built).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, max, min};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{
    allegations, case_transitions, cases, dispositions, events, forces, institutions, recommendations,
    stats_changes, violation_groups, violation_types,
};

/// What the tables were computed from: the largest ids of the tables that grow, and of
/// `stats_changes`, which triggers append to when a counted row changes or is deleted (a
/// withdrawn case).
pub type Version = [Option<i32>; 5];

pub fn version(c: &mut DbConn) -> QueryResult<Version> {
    Ok([
        allegations::table.select(max(allegations::id)).first(c)?,
        cases::table.select(max(cases::id)).first(c)?,
        case_transitions::table.select(max(case_transitions::id)).first(c)?,
        recommendations::table.select(max(recommendations::id)).first(c)?,
        stats_changes::table.select(max(stats_changes::id)).first(c)?,
    ])
}

/// Allegations counted by (event month, region, violation group, force, disposition), events
/// before `before` only.
pub type AllegationCount = (NaiveDate, Option<String>, String, String, Option<String>, i64);

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    allegations::occurred_month,
    allegations::disposition_id,
    events::region_code,
    violation_groups::code,
    forces::code,
);

type CountRow = (Option<NaiveDate>, Option<String>, String, String, Option<i32>, i64);

pub fn allegation_counts(c: &mut DbConn, before: NaiveDate) -> QueryResult<Vec<AllegationCount>> {
    let dispositions: HashMap<i32, String> = dispositions::table
        .select((dispositions::id, dispositions::code))
        .load::<(i32, String)>(c)?
        .into_iter()
        .collect();
    let rows: Vec<CountRow> = allegations::table
        .inner_join(events::table.on(events::id.eq(allegations::event_id)))
        .inner_join(violation_types::table.inner_join(violation_groups::table))
        .inner_join(forces::table)
        .filter(allegations::occurred_month.lt(before))
        .group_by((
            allegations::occurred_month,
            events::region_code,
            violation_groups::code,
            forces::code,
            allegations::disposition_id,
        ))
        .select((
            allegations::occurred_month,
            events::region_code,
            violation_groups::code,
            forces::code,
            allegations::disposition_id,
            count_star(),
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, r, g, f, d, n)| {
            Some((m?, r, g, f, d.and_then(|d| dispositions.get(&d).cloned()), n))
        })
        .collect())
}

/// How many events with an allegation occurred in each month, events before `before` only:
/// what decides whether a period is published whole (`stats_period_floor`). An event with a
/// case and no allegation is not counted: fewer counted, more withheld.
pub fn events_by_month(c: &mut DbConn, before: NaiveDate) -> QueryResult<Vec<(NaiveDate, i64)>> {
    let rows: Vec<(Option<NaiveDate>, i64)> = allegations::table
        .filter(allegations::occurred_month.lt(before))
        .group_by(allegations::occurred_month)
        .select((allegations::occurred_month, count(allegations::event_id).aggregate_distinct()))
        .load(c)?;
    Ok(rows.into_iter().filter_map(|(m, n)| Some((m?, n))).collect())
}

/// A case as the tables need it.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub occurred_on: NaiveDate,
    pub institution: String,
    pub status: String,
    pub recommended: bool,
    pub final_outcome: bool,
    pub disciplined: Option<bool>,
    pub reported_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

type CaseRow = (
    i32,
    Option<NaiveDate>,
    NaiveDate,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    bool,
    bool,
    Option<bool>,
);

/// The cases whose event occurred before `before`, with the day of their event's first report
/// (kept on the case, migration 000055) and of their acknowledgement.
pub fn case_facts(c: &mut DbConn, before: NaiveDate) -> QueryResult<Vec<CaseFacts>> {
    let rows: Vec<CaseRow> = cases::table
        .inner_join(events::table)
        .inner_join(institutions::table)
        .filter(events::occurred_on.lt(before))
        .select((
            cases::id,
            cases::reported_on,
            events::occurred_on,
            institutions::code,
            cases::status,
            cases::opened_at,
            cases::closed_at,
            cases::recommended_outcome.is_not_null(),
            cases::final_outcome.is_not_null(),
            cases::disciplined,
        ))
        .load(c)?;
    let with_recommendation: std::collections::HashSet<i32> = recommendations::table
        .select(recommendations::case_id)
        .distinct()
        .load::<i32>(c)?
        .into_iter()
        .collect();
    let acknowledged: HashMap<i32, NaiveDateTime> = case_transitions::table
        .filter(case_transitions::to_status.eq("acknowledged"))
        .group_by(case_transitions::case_id)
        .select((case_transitions::case_id, min(case_transitions::at)))
        .load::<(i32, Option<NaiveDateTime>)>(c)?
        .into_iter()
        .filter_map(|(id, at)| Some((id, at?)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, reported_on, on, inst, status, opened, closed, rec, fin, disc)| CaseFacts {
            occurred_on: on,
            institution: inst,
            status,
            recommended: rec || with_recommendation.contains(&id),
            final_outcome: fin,
            disciplined: disc,
            reported_on,
            acknowledged_on: acknowledged.get(&id).map(|t| t.date()),
            opened_on: opened.date(),
            closed_on: closed.map(|t| t.date()),
        })
        .collect())
}

/// The region codes, in code order.
pub fn region_codes(c: &mut DbConn) -> QueryResult<Vec<String>> {
    crate::schema::regions::table
        .order(crate::schema::regions::code)
        .select(crate::schema::regions::code)
        .load(c)
}
