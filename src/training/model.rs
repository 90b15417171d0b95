//! Every query on the training tables: units, partners, sessions, the allegations the gap
//! analysis and the early warning count (at the chosen evidence threshold), remediation
//! actions and their key actions. Connection first, `QueryResult` out.
//!
//! Privacy: what leaves here for trainers is counts per unit, violation type and month
//! (`counted`, also for an effect's windows, which are whole months), never a day of an
//! allegation. No narrative, name, contact, point, cercle, report or case id is ever selected.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};

pub use super::analysis::Count;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{
    allegations, dispositions, events, partners, remediation_actions, remediation_key_actions,
    remediation_sessions, session_modules, session_units, training_modules, training_norms,
    training_sessions, units, users, violation_modules, violation_norms,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i32,
    pub force_id: i32,
    pub name: String,
    pub region_code: Option<String>,
    pub parent_id: Option<i32>,
    pub strength: Option<i32>,
    pub search_key: String,
}

pub struct UnitInput {
    pub force_id: i32,
    pub name: String,
    pub region_code: Option<String>,
    pub parent_id: Option<i32>,
    pub strength: Option<i32>,
}

pub fn units(c: &mut DbConn) -> QueryResult<Vec<Unit>> {
    units::table.order((units::force_id, units::name)).select(Unit::as_select()).load(c)
}

pub fn find_unit(c: &mut DbConn, id: i32) -> QueryResult<Unit> {
    units::table.find(id).select(Unit::as_select()).first(c)
}

/// Whether another unit of the force already has this search key.
pub fn unit_key_taken(c: &mut DbConn, force_id: i32, key: &str, except: Option<i32>) -> QueryResult<bool> {
    let mut q =
        units::table.filter(units::force_id.eq(force_id)).filter(units::search_key.eq(key)).into_boxed();
    if let Some(id) = except {
        q = q.filter(units::id.ne(id));
    }
    Ok(q.count().get_result::<i64>(c)? > 0)
}

/// Serialises the writes of the managed lists (units, partners) to the end of the
/// transaction, so that a name checked free inside it stays free until it is written (two
/// trainers adding "GTIA 9" and "gtia9" at once make one unit). PostgreSQL: an advisory lock;
/// SQLite: the write lock `db::begin_write` took already does it.
pub fn lock_lists(c: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7210013)").execute(pg)?;
    }
    Ok(())
}

/// What an update changes of a unit, for its audit entry: each field that changed, before and
/// after (the overwritten values are otherwise lost).
pub fn unit_changes(before: &Unit, after: &UnitInput) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let num = |v: Option<i32>| v.map_or("none".to_string(), |v| v.to_string());
    let mut parts = vec![after.name.clone()];
    if before.name != after.name {
        parts.push(format!("name {} → {}", before.name, after.name));
    }
    if before.force_id != after.force_id {
        parts.push(format!("force {} → {}", before.force_id, after.force_id));
    }
    if before.region_code != after.region_code {
        parts.push(format!("region {} → {}", opt(&before.region_code), opt(&after.region_code)));
    }
    if before.parent_id != after.parent_id {
        parts.push(format!("parent {} → {}", num(before.parent_id), num(after.parent_id)));
    }
    if before.strength != after.strength {
        parts.push(format!("strength {} → {}", num(before.strength), num(after.strength)));
    }
    parts.join("; ")
}

pub fn insert_unit(c: &mut DbConn, u: &UnitInput) -> QueryResult<i32> {
    diesel::insert_into(units::table)
        .values((
            units::force_id.eq(u.force_id),
            units::name.eq(&u.name),
            units::region_code.eq(&u.region_code),
            units::parent_id.eq(u.parent_id),
            units::strength.eq(u.strength),
            units::search_key.eq(super::units::search_key(&u.name)),
        ))
        .returning(units::id)
        .get_result(c)
}

pub fn update_unit(c: &mut DbConn, id: i32, u: &UnitInput) -> QueryResult<usize> {
    diesel::update(units::table.find(id))
        .set((
            units::force_id.eq(u.force_id),
            units::name.eq(&u.name),
            units::region_code.eq(&u.region_code),
            units::parent_id.eq(u.parent_id),
            units::strength.eq(u.strength),
            units::search_key.eq(super::units::search_key(&u.name)),
        ))
        .execute(c)
}

/// Ties an allegation to a unit of its own force (or unties it); 0 when the allegation is
/// missing or the unit is another force's (found in review, session 21: an army allegation
/// tied to a police unit was counted as the police's in gaps, flags and effects).
pub fn attach_unit(c: &mut DbConn, allegation_id: i32, unit_id: Option<i32>) -> QueryResult<usize> {
    let target = allegations::table.find(allegation_id);
    match unit_id {
        None => diesel::update(target).set(allegations::unit_id.eq(None::<i32>)).execute(c),
        Some(u) => diesel::update(
            target.filter(allegations::force_id.eq_any(units::table.find(u).select(units::force_id))),
        )
        .set(allegations::unit_id.eq(Some(u)))
        .execute(c),
    }
}

/// How many allegations are tied to a unit.
pub fn unit_allegations(c: &mut DbConn, unit_id: i32) -> QueryResult<i64> {
    allegations::table.filter(allegations::unit_id.eq(unit_id)).count().get_result(c)
}

/// An allegation's force.
pub fn allegation_force(c: &mut DbConn, allegation_id: i32) -> QueryResult<i32> {
    allegations::table.find(allegation_id).select(allegations::force_id).first(c)
}

// Partners ------------------------------------------------------------------------------------

pub fn partners(c: &mut DbConn) -> QueryResult<Vec<(i32, String, String)>> {
    partners::table.order(partners::name).select((partners::id, partners::name, partners::kind)).load(c)
}

pub fn insert_partner(c: &mut DbConn, name: &str, kind: &str) -> QueryResult<i32> {
    diesel::insert_into(partners::table)
        .values((
            partners::name.eq(name),
            partners::kind.eq(kind),
            partners::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(partners::id)
        .get_result(c)
}

pub fn partner_name_taken(c: &mut DbConn, name: &str) -> QueryResult<bool> {
    Ok(partners::table.filter(partners::name.eq(name)).count().get_result::<i64>(c)? > 0)
}

/// The trainers (id, email, partner) for the admin's page.
pub fn trainers(c: &mut DbConn) -> QueryResult<Vec<(i32, String, Option<i32>)>> {
    users::table
        .filter(users::role.eq("trainer"))
        .filter(users::disabled_at.is_null())
        .order(users::email)
        .select((users::id, users::email, users::partner_id))
        .load(c)
}

/// Puts a trainer in a partner; only trainer accounts move.
pub fn set_partner(c: &mut DbConn, user_id: i32, partner_id: Option<i32>) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id).filter(users::role.eq("trainer")))
        .set(users::partner_id.eq(partner_id))
        .execute(c)
}

pub fn partner_of(c: &mut DbConn, user_id: i32) -> QueryResult<Option<i32>> {
    users::table.find(user_id).select(users::partner_id).first(c)
}

/// The active trainers of a partner, with their language: the addressees of its mail.
pub fn trainers_of(c: &mut DbConn, partner_id: i32) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::partner_id.eq(partner_id))
        .filter(users::role.eq("trainer"))
        .filter(users::disabled_at.is_null())
        .select((users::email, users::locale))
        .load(c)
}

// Modules, norms ------------------------------------------------------------------------------

/// (id, code): modules are labelled through Fluent (`module-<code>`).
pub fn modules(c: &mut DbConn) -> QueryResult<Vec<(i32, String)>> {
    training_modules::table
        .order(training_modules::id)
        .select((training_modules::id, training_modules::code))
        .load(c)
}

/// (violation type, module) pairs.
pub fn violation_modules(c: &mut DbConn) -> QueryResult<Vec<(i32, i32)>> {
    violation_modules::table
        .select((violation_modules::violation_type_id, violation_modules::module_id))
        .load(c)
}

/// (violation type, norm label fr, norm label en).
/// (violation type, norm code): the norms each violation breaks, labelled through Fluent.
pub fn violation_norms(c: &mut DbConn) -> QueryResult<Vec<(i32, String)>> {
    violation_norms::table
        .inner_join(training_norms::table.on(training_norms::id.eq(violation_norms::norm_id)))
        .order((violation_norms::violation_type_id, training_norms::id))
        .select((violation_norms::violation_type_id, training_norms::code))
        .load(c)
}

// Sessions ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = training_sessions)]
pub struct Session {
    pub id: i32,
    pub partner_id: i32,
    pub status: String,
    pub planned_from: NaiveDate,
    pub planned_to: NaiveDate,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    pub region_code: Option<String>,
    pub attendance: Option<i32>,
    pub pre_score: Option<f64>,
    pub post_score: Option<f64>,
    pub go_ahead_reason: Option<String>,
}

impl Session {
    /// The days it covers: as held once delivered, as planned before.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        (self.held_from.unwrap_or(self.planned_from), self.held_to.unwrap_or(self.planned_to))
    }
}

/// A session with its modules and units.
#[derive(Debug, Clone)]
pub struct SessionFull {
    pub session: Session,
    pub modules: Vec<i32>,
    pub units: Vec<i32>,
}

pub fn sessions(c: &mut DbConn) -> QueryResult<Vec<SessionFull>> {
    let rows: Vec<Session> = training_sessions::table
        .order(training_sessions::planned_from.desc())
        .select(Session::as_select())
        .load(c)?;
    let mods: Vec<(i32, i32)> =
        session_modules::table.select((session_modules::session_id, session_modules::module_id)).load(c)?;
    let us: Vec<(i32, i32)> =
        session_units::table.select((session_units::session_id, session_units::unit_id)).load(c)?;
    Ok(rows
        .into_iter()
        .map(|s| SessionFull {
            modules: mods.iter().filter(|m| m.0 == s.id).map(|m| m.1).collect(),
            units: us.iter().filter(|u| u.0 == s.id).map(|u| u.1).collect(),
            session: s,
        })
        .collect())
}

pub fn find_session(c: &mut DbConn, id: i32) -> QueryResult<SessionFull> {
    let s: Session = training_sessions::table.find(id).select(Session::as_select()).first(c)?;
    let modules = session_modules::table
        .filter(session_modules::session_id.eq(id))
        .select(session_modules::module_id)
        .load(c)?;
    let units = session_units::table
        .filter(session_units::session_id.eq(id))
        .select(session_units::unit_id)
        .load(c)?;
    Ok(SessionFull { session: s, modules, units })
}

pub struct NewSession<'a> {
    pub partner_id: i32,
    pub planned_from: NaiveDate,
    pub planned_to: NaiveDate,
    pub region_code: Option<&'a str>,
    pub go_ahead_reason: Option<&'a str>,
    pub modules: &'a [i32],
    pub units: &'a [i32],
    pub created_by: Option<i32>,
}

pub fn insert_session(c: &mut DbConn, s: &NewSession) -> QueryResult<i32> {
    let id: i32 = diesel::insert_into(training_sessions::table)
        .values((
            training_sessions::partner_id.eq(s.partner_id),
            training_sessions::status.eq("planned"),
            training_sessions::planned_from.eq(s.planned_from),
            training_sessions::planned_to.eq(s.planned_to),
            training_sessions::region_code.eq(s.region_code),
            training_sessions::go_ahead_reason.eq(s.go_ahead_reason),
            training_sessions::created_by.eq(s.created_by),
            training_sessions::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(training_sessions::id)
        .get_result(c)?;
    for m in s.modules {
        diesel::insert_into(session_modules::table)
            .values((session_modules::session_id.eq(id), session_modules::module_id.eq(m)))
            .execute(c)?;
    }
    for u in s.units {
        diesel::insert_into(session_units::table)
            .values((session_units::session_id.eq(id), session_units::unit_id.eq(u)))
            .execute(c)?;
    }
    Ok(id)
}

/// A status move of one partner's session, conditional on the status it had (a parallel move
/// changes nothing). Returns whether it moved.
pub fn move_session(c: &mut DbConn, id: i32, partner_id: i32, from: &str, to: &str) -> QueryResult<bool> {
    let n = diesel::update(
        training_sessions::table
            .find(id)
            .filter(training_sessions::partner_id.eq(partner_id))
            .filter(training_sessions::status.eq(from)),
    )
    .set(training_sessions::status.eq(to))
    .execute(c)?;
    Ok(n == 1)
}

pub struct Delivery {
    pub held_from: NaiveDate,
    pub held_to: NaiveDate,
    pub attendance: Option<i32>,
    pub pre_score: Option<f64>,
    pub post_score: Option<f64>,
}

pub fn record_delivery(c: &mut DbConn, id: i32, d: &Delivery) -> QueryResult<usize> {
    diesel::update(training_sessions::table.find(id))
        .set((
            training_sessions::held_from.eq(d.held_from),
            training_sessions::held_to.eq(d.held_to),
            training_sessions::attendance.eq(d.attendance),
            training_sessions::pre_score.eq(d.pre_score),
            training_sessions::post_score.eq(d.post_score),
        ))
        .execute(c)
}

// The allegations counted ---------------------------------------------------------------------

/// Which allegations count: substantiated findings only, or also those still under
/// investigation (routed, no disposition yet) with confidence confirmed or probable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Substantiated,
    Credible,
}

impl Evidence {
    pub fn parse(s: Option<&str>) -> Evidence {
        match s {
            Some("credible") => Evidence::Credible,
            _ => Evidence::Substantiated,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Substantiated => "substantiated",
            Evidence::Credible => "credible",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub force_id: Option<i32>,
    pub unit_id: Option<i32>,
    /// Only these units (a session's trained and comparison units: the kept table is then
    /// read by its key for each unit).
    pub unit_ids: Option<Vec<i32>>,
    pub region_code: Option<String>,
    pub violation_types: Option<Vec<i32>>,
}

/// The substantiated disposition's id (`None` when the list lacks it: nothing is counted).
fn substantiated_id(c: &mut DbConn) -> QueryResult<Option<i32>> {
    dispositions::table
        .filter(dispositions::code.eq("substantiated"))
        .select(dispositions::id)
        .first(c)
        .optional()
}

/// The first day of the month of `d`.
fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The allegations tied to a unit at the evidence threshold, counted per unit, violation type
/// and month. The period is read as whole months: from the month of `from` to the month of `to`.
///
/// Without a region filter the counts are read from `training_counts`, which triggers keep per
/// unit × violation type × month (migration 2026-11-29-000018): about 94,000 rows at 1,000,000
/// reports, read as they are. A region filter also takes the allegations whose *event* is in
/// the region: those of units based elsewhere come from `training_counts_by_region`, the same
/// counts per region of the event (migration 2026-11-29-000025).
pub fn counted(c: &mut DbConn, evidence: Evidence, f: &Filter) -> QueryResult<Vec<Count>> {
    use crate::schema::{training_counts as tc, training_counts_by_region as tr};
    if substantiated_id(c)?.is_none() {
        return Ok(vec![]);
    }
    /// The filters other than the region, on either kept table (the same columns).
    macro_rules! filtered {
        ($t:ident, $q:expr) => {{
            let mut q = $q;
            if let Some(d) = f.from {
                q = q.filter($t::month.ge(month_of(d)));
            }
            if let Some(d) = f.to {
                q = q.filter($t::month.le(month_of(d)));
            }
            if let Some(fid) = f.force_id {
                q = q.filter(
                    $t::unit_id.eq_any(units::table.filter(units::force_id.eq(fid)).select(units::id)),
                );
            }
            if let Some(uid) = f.unit_id {
                q = q.filter($t::unit_id.eq(uid));
            }
            if let Some(ids) = &f.unit_ids {
                q = q.filter($t::unit_id.eq_any(ids.clone()));
            }
            if let Some(types) = &f.violation_types {
                q = q.filter($t::violation_type_id.eq_any(types.clone()));
            }
            let rows: Vec<(i32, i32, NaiveDate, i32)> = match evidence {
                Evidence::Substantiated => q
                    .filter($t::substantiated.gt(0))
                    .select(($t::unit_id, $t::violation_type_id, $t::month, $t::substantiated))
                    .load(c)?,
                Evidence::Credible => q
                    .select(($t::unit_id, $t::violation_type_id, $t::month, $t::substantiated + $t::pending))
                    .load(c)?,
            };
            rows
        }};
    }
    let rows = match &f.region_code {
        None => filtered!(tc, tc::table.into_boxed()),
        // "In the region": the unit is based there, or the event took place there. The units
        // based there from `training_counts`; the others from the counts per event region.
        // Each allegation is counted once, as `counted_from_allegations` counts it.
        Some(region) => {
            let based: Vec<i32> =
                units::table.filter(units::region_code.eq(region)).select(units::id).load(c)?;
            let mut rows = filtered!(tc, tc::table.filter(tc::unit_id.eq_any(&based)).into_boxed());
            let elsewhere = filtered!(
                tr,
                tr::table.filter(tr::region_code.eq(region)).filter(tr::unit_id.ne_all(&based)).into_boxed()
            );
            // Merged by (unit, type, month): a unit based elsewhere has rows only in the second.
            let mut merged: std::collections::BTreeMap<(i32, i32, NaiveDate), i32> =
                rows.drain(..).map(|(u, v, m, n)| ((u, v, m), n)).collect();
            for (u, v, m, n) in elsewhere {
                *merged.entry((u, v, m)).or_default() += n;
            }
            merged.into_iter().map(|((u, v, m), n)| (u, v, m, n)).collect()
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|(unit_id, violation_type_id, month, n)| {
            Some(Count { unit_id, violation_type_id, month, n: usize::try_from(n).ok().filter(|n| *n > 0)? })
        })
        .collect())
}

/// What `counted` gives, grouped from the allegations themselves over the covering index
/// `allegations_training` (migration 2026-11-29-000012; the month kept on each allegation by
/// triggers). Tests use it to check the kept tables against the allegations, with and without
/// a region filter (the unit's region or the event's).
pub fn counted_from_allegations(c: &mut DbConn, evidence: Evidence, f: &Filter) -> QueryResult<Vec<Count>> {
    let Some(substantiated) = substantiated_id(c)? else { return Ok(vec![]) };
    let mut q = allegations::table
        .group_by((allegations::unit_id, allegations::violation_type_id, allegations::occurred_month))
        .select((
            allegations::unit_id,
            allegations::violation_type_id,
            allegations::occurred_month,
            diesel::dsl::count_star(),
        ))
        .filter(allegations::unit_id.is_not_null())
        .into_boxed();
    q = match evidence {
        Evidence::Substantiated => q.filter(allegations::disposition_id.eq(substantiated)),
        Evidence::Credible => q.filter(
            allegations::disposition_id.eq(substantiated).or(allegations::disposition_id
                .is_null()
                .and(allegations::case_id.is_not_null())
                .and(allegations::confidence.eq_any(["confirmed", "probable"]))),
        ),
    };
    if let Some(d) = f.from {
        q = q.filter(allegations::occurred_month.ge(month_of(d)));
    }
    if let Some(d) = f.to {
        q = q.filter(allegations::occurred_month.le(month_of(d)));
    }
    if let Some(fid) = f.force_id {
        q = q.filter(
            allegations::unit_id
                .eq_any(units::table.filter(units::force_id.eq(fid)).select(units::id.nullable())),
        );
    }
    if let Some(uid) = f.unit_id {
        q = q.filter(allegations::unit_id.eq(uid));
    }
    if let Some(ids) = &f.unit_ids {
        q = q.filter(allegations::unit_id.eq_any(ids.clone()));
    }
    if let Some(r) = &f.region_code {
        q = q.filter(
            allegations::unit_id
                .eq_any(units::table.filter(units::region_code.eq(r.clone())).select(units::id.nullable()))
                .or(allegations::event_id
                    .eq_any(events::table.filter(events::region_code.eq(r.clone())).select(events::id))),
        );
    }
    if let Some(types) = &f.violation_types {
        q = q.filter(allegations::violation_type_id.eq_any(types.clone()));
    }
    let rows: Vec<(Option<i32>, i32, Option<NaiveDate>, i64)> = q.load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(u, vt, m, n)| {
            Some(Count { unit_id: u?, violation_type_id: vt, month: m?, n: usize::try_from(n).ok()? })
        })
        .collect())
}

/// The month (its first day) of the first allegation tied to a unit on record (any evidence):
/// before it, Vigie has no data, so an effect's "before" window must not reach past it.
pub fn first_on_record(c: &mut DbConn) -> QueryResult<Option<NaiveDate>> {
    #[derive(QueryableByName)]
    struct First {
        #[diesel(sql_type = diesel::sql_types::Date)]
        m: NaiveDate,
    }
    match c {
        // SQLite would read the whole of `allegations_training` for the minimum (60 ms at a
        // million reports); `+unit_id` keeps it off that index, so the month index is read in
        // order and the first entry with a unit ends the search (2 ms).
        DbConn::Sqlite(s) => Ok(diesel::sql_query(
            "SELECT occurred_month AS m FROM allegations WHERE +unit_id IS NOT NULL \
             AND occurred_month IS NOT NULL ORDER BY occurred_month LIMIT 1",
        )
        .load::<First>(s)?
        .into_iter()
        .next()
        .map(|f| f.m)),
        _ => allegations::table
            .filter(allegations::unit_id.is_not_null())
            .select(diesel::dsl::min(allegations::occurred_month))
            .first::<Option<NaiveDate>>(c),
    }
}

// Remediation actions -------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = remediation_actions)]
pub struct Remediation {
    pub id: i32,
    pub status: String,
    pub issue: String,
    pub lessons_unit: String,
    pub lessons_institution: String,
    pub module_id: Option<i32>,
    pub unit_id: Option<i32>,
    pub partner_id: Option<i32>,
    pub review_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    /// The case whose recommendation it came from: never shown to trainers (only that it came
    /// from one).
    pub case_id: Option<i32>,
    /// For one proposed from a case: the violation it is about (its issue is worded from it in
    /// the reader's language).
    pub violation_type_id: Option<i32>,
}

pub struct NewRemediation<'a> {
    pub issue: &'a str,
    pub module_id: Option<i32>,
    pub unit_id: Option<i32>,
    pub review_on: Option<NaiveDate>,
    pub created_by: i32,
    pub case_id: Option<i32>,
    /// The partner that carries the action (none for one proposed from a case: the first
    /// partner's trainer to act on it takes it).
    pub partner_id: Option<i32>,
    pub violation_type_id: Option<i32>,
}

pub fn insert_remediation(c: &mut DbConn, r: &NewRemediation) -> QueryResult<i32> {
    let force: Option<i32> = match r.unit_id {
        Some(u) => Some(units::table.find(u).select(units::force_id).first(c)?),
        None => None,
    };
    diesel::insert_into(remediation_actions::table)
        .values((
            remediation_actions::status.eq(if r.module_id.is_some() {
                "module_assigned"
            } else {
                "gap_identified"
            }),
            remediation_actions::issue.eq(r.issue),
            remediation_actions::module_id.eq(r.module_id),
            remediation_actions::unit_id.eq(r.unit_id),
            remediation_actions::force_id.eq(force),
            remediation_actions::review_on.eq(r.review_on),
            remediation_actions::created_by.eq(r.created_by),
            remediation_actions::created_at.eq(Utc::now().naive_utc()),
            remediation_actions::case_id.eq(r.case_id),
            remediation_actions::partner_id.eq(r.partner_id),
            remediation_actions::violation_type_id.eq(r.violation_type_id),
        ))
        .returning(remediation_actions::id)
        .get_result(c)
}

/// One page of the remediation actions, newest first, and how many there are in all: those at
/// one of `statuses` (every one when `None`), and with `partner`, that partner's and the ones
/// no partner carries yet.
pub fn remediations(
    c: &mut DbConn,
    statuses: Option<&[&str]>,
    partner: Option<i32>,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<Remediation>)> {
    let filtered = || {
        let mut q = remediation_actions::table.into_boxed();
        if let Some(s) = statuses {
            q = q.filter(
                remediation_actions::status.eq_any(s.iter().map(|x| x.to_string()).collect::<Vec<_>>()),
            );
        }
        if let Some(p) = partner {
            q = q.filter(remediation_actions::partner_id.eq(p).or(remediation_actions::partner_id.is_null()));
        }
        q
    };
    let total = filtered().count().get_result(c)?;
    let rows = filtered()
        .order(remediation_actions::id.desc())
        .limit(limit)
        .offset(offset)
        .select(Remediation::as_select())
        .load(c)?;
    Ok((total, rows))
}

pub fn find_remediation(c: &mut DbConn, id: i32) -> QueryResult<Remediation> {
    remediation_actions::table.find(id).select(Remediation::as_select()).first(c)
}

/// The substantiated findings of a case that name a unit: (unit, violation type), each once.
pub fn substantiated_units_of_case(c: &mut DbConn, case_id: i32) -> QueryResult<Vec<(i32, i32)>> {
    let Some(substantiated) = substantiated_id(c)? else { return Ok(vec![]) };
    let rows: Vec<(Option<i32>, i32)> = allegations::table
        .filter(allegations::case_id.eq(case_id))
        .filter(allegations::disposition_id.eq(substantiated))
        .filter(allegations::unit_id.is_not_null())
        .select((allegations::unit_id, allegations::violation_type_id))
        .distinct()
        .order((allegations::unit_id, allegations::violation_type_id))
        .load(c)?;
    Ok(rows.into_iter().filter_map(|(u, v)| Some((u?, v))).collect())
}

/// Takes the planning lock to the end of the transaction, so that two partners planning at
/// once go one after the other and the second sees the first's plan among the duplicates.
/// PostgreSQL: a transaction-scoped advisory lock; SQLite: the write lock `db::begin_write`
/// took already does it.
pub fn lock_planning(c: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7210012)").execute(pg)?;
    }
    Ok(())
}

/// The units that already have a remediation action opened from this case.
pub fn units_remediated_for_case(c: &mut DbConn, case_id: i32) -> QueryResult<Vec<i32>> {
    let rows: Vec<Option<i32>> = remediation_actions::table
        .filter(remediation_actions::case_id.eq(case_id))
        .select(remediation_actions::unit_id)
        .load(c)?;
    Ok(rows.into_iter().flatten().collect())
}

/// How many recommendations a case has.
pub fn recommendation_count(c: &mut DbConn, case_id: i32) -> QueryResult<i64> {
    use crate::schema::recommendations;
    recommendations::table.filter(recommendations::case_id.eq(case_id)).count().get_result(c)
}

/// Locks an action's row to the end of the transaction, before it is read for a change that
/// depends on what it holds (a step move, a key action done): a lessons form saved meanwhile
/// (which changes its module or session) commits first and is seen, or waits. PostgreSQL:
/// `SELECT … FOR UPDATE`; SQLite: the write lock `db::begin_write` took already does it.
pub fn lock_remediation(c: &mut DbConn, id: i32) -> QueryResult<()> {
    if let DbConn::Pg(pg) = c {
        remediation_actions::table.find(id).select(remediation_actions::id).for_update().first::<i32>(pg)?;
    }
    Ok(())
}

/// Takes the action for `partner` when no partner carries it yet. Returns whether `partner`
/// carries it now (false: another partner does, or there is no such action). One statement,
/// so two partners taking it at once cannot both win.
pub fn hold_remediation(c: &mut DbConn, id: i32, partner: i32) -> QueryResult<bool> {
    let n =
        diesel::update(remediation_actions::table.find(id).filter(
            remediation_actions::partner_id.is_null().or(remediation_actions::partner_id.eq(partner)),
        ))
        .set(remediation_actions::partner_id.eq(partner))
        .execute(c)?;
    Ok(n == 1)
}

/// Moves the action, conditional on the step it had. Returns whether it moved.
pub fn move_remediation(c: &mut DbConn, id: i32, from: &str, to: &str) -> QueryResult<bool> {
    let n = diesel::update(remediation_actions::table.find(id).filter(remediation_actions::status.eq(from)))
        .set(remediation_actions::status.eq(to))
        .execute(c)?;
    Ok(n == 1)
}

pub struct Lessons<'a> {
    pub unit: &'a str,
    pub institution: &'a str,
    pub module_id: Option<i32>,
    pub session_ids: &'a [i32],
    pub review_on: Option<NaiveDate>,
}

/// The sessions an action names, by id.
pub fn remediation_sessions(c: &mut DbConn, action_id: i32) -> QueryResult<Vec<i32>> {
    remediation_sessions::table
        .filter(remediation_sessions::action_id.eq(action_id))
        .order(remediation_sessions::session_id)
        .select(remediation_sessions::session_id)
        .load(c)
}

/// The action's lessons, module, sessions and review date (the caller holds the action's row:
/// `hold_remediation`). A new review date is reminded afresh.
pub fn update_lessons(c: &mut DbConn, id: i32, l: &Lessons) -> QueryResult<usize> {
    let before: Option<NaiveDate> =
        remediation_actions::table.find(id).select(remediation_actions::review_on).first(c)?;
    if before != l.review_on {
        diesel::update(remediation_actions::table.find(id))
            .set(remediation_actions::review_reminded_on.eq(None::<NaiveDate>))
            .execute(c)?;
    }
    let n = diesel::update(remediation_actions::table.find(id))
        .set((
            remediation_actions::lessons_unit.eq(l.unit),
            remediation_actions::lessons_institution.eq(l.institution),
            remediation_actions::module_id.eq(l.module_id),
            remediation_actions::review_on.eq(l.review_on),
        ))
        .execute(c)?;
    diesel::delete(remediation_sessions::table.filter(remediation_sessions::action_id.eq(id))).execute(c)?;
    for s in l.session_ids {
        diesel::insert_into(remediation_sessions::table)
            .values((remediation_sessions::action_id.eq(id), remediation_sessions::session_id.eq(*s)))
            .execute(c)?;
    }
    Ok(n)
}

/// A key action: (id, description, due on, done at).
pub type KeyAction = (i32, String, NaiveDate, Option<NaiveDateTime>);

pub fn key_actions(c: &mut DbConn, action_id: i32) -> QueryResult<Vec<KeyAction>> {
    remediation_key_actions::table
        .filter(remediation_key_actions::action_id.eq(action_id))
        .order(remediation_key_actions::due_on)
        .select((
            remediation_key_actions::id,
            remediation_key_actions::description,
            remediation_key_actions::due_on,
            remediation_key_actions::done_at,
        ))
        .load(c)
}

pub fn add_key_action(
    c: &mut DbConn,
    action_id: i32,
    description: &str,
    due_on: NaiveDate,
) -> QueryResult<i32> {
    diesel::insert_into(remediation_key_actions::table)
        .values((
            remediation_key_actions::action_id.eq(action_id),
            remediation_key_actions::description.eq(description),
            remediation_key_actions::due_on.eq(due_on),
        ))
        .returning(remediation_key_actions::id)
        .get_result(c)
}

pub fn finish_key_action(c: &mut DbConn, action_id: i32, id: i32) -> QueryResult<usize> {
    diesel::update(
        remediation_key_actions::table
            .find(id)
            .filter(remediation_key_actions::action_id.eq(action_id))
            .filter(remediation_key_actions::done_at.is_null()),
    )
    .set(remediation_key_actions::done_at.eq(Utc::now().naive_utc()))
    .execute(c)
}

/// Whether the key action `id` of the action is done (false when it is open or not the
/// action's).
pub fn key_action_done(c: &mut DbConn, action_id: i32, id: i32) -> QueryResult<bool> {
    let n: i64 = remediation_key_actions::table
        .find(id)
        .filter(remediation_key_actions::action_id.eq(action_id))
        .filter(remediation_key_actions::done_at.is_not_null())
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// An open action of this partner with the same issue, unit and module (a form sent twice).
pub fn same_remediation(
    c: &mut DbConn,
    partner: i32,
    issue: &str,
    unit: Option<i32>,
    module: Option<i32>,
) -> QueryResult<Option<i32>> {
    let mut q = remediation_actions::table
        .filter(remediation_actions::partner_id.eq(partner))
        .filter(remediation_actions::issue.eq(issue))
        .filter(remediation_actions::status.ne_all(["closed", "escalated"]))
        .select(remediation_actions::id)
        .order(remediation_actions::id)
        .into_boxed();
    q = match unit {
        Some(u) => q.filter(remediation_actions::unit_id.eq(u)),
        None => q.filter(remediation_actions::unit_id.is_null()),
    };
    q = match module {
        Some(m) => q.filter(remediation_actions::module_id.eq(m)),
        None => q.filter(remediation_actions::module_id.is_null()),
    };
    q.first(c).optional()
}

/// Reminders due today: remediation actions whose review date has come (not yet reminded),
/// and open key actions past their deadline (not yet reminded). Returns (action id, kind).
pub fn due_reminders(c: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<(i32, &'static str)>> {
    let reviews: Vec<i32> = remediation_actions::table
        .filter(remediation_actions::review_on.le(today))
        .filter(remediation_actions::review_reminded_on.is_null())
        .filter(remediation_actions::status.ne_all(["closed", "escalated", "reviewed"]))
        .select(remediation_actions::id)
        .load(c)?;
    let overdue: Vec<i32> = remediation_key_actions::table
        .filter(remediation_key_actions::due_on.lt(today))
        .filter(remediation_key_actions::done_at.is_null())
        .filter(remediation_key_actions::reminded_on.is_null())
        .filter(
            remediation_key_actions::action_id.eq_any(
                remediation_actions::table
                    .filter(remediation_actions::status.ne_all(["closed", "escalated"]))
                    .select(remediation_actions::id),
            ),
        )
        .select(remediation_key_actions::action_id)
        .distinct()
        .load(c)?;
    Ok(reviews
        .into_iter()
        .map(|i| (i, "review"))
        .chain(overdue.into_iter().map(|i| (i, "overdue")))
        .collect())
}

/// Marks today's reminders sent: returns false when another pass already did.
pub fn mark_reminded(c: &mut DbConn, action_id: i32, kind: &str, today: NaiveDate) -> QueryResult<bool> {
    let n = if kind == "review" {
        // The review date read again: one moved meanwhile is reminded on its own day.
        diesel::update(
            remediation_actions::table
                .find(action_id)
                .filter(remediation_actions::review_on.le(today))
                .filter(remediation_actions::review_reminded_on.is_null()),
        )
        .set(remediation_actions::review_reminded_on.eq(today))
        .execute(c)?
    } else {
        diesel::update(
            remediation_key_actions::table
                .filter(remediation_key_actions::action_id.eq(action_id))
                .filter(remediation_key_actions::due_on.lt(today))
                .filter(remediation_key_actions::done_at.is_null())
                .filter(remediation_key_actions::reminded_on.is_null()),
        )
        .set(remediation_key_actions::reminded_on.eq(today))
        .execute(c)?
    };
    Ok(n > 0)
}

/// The active trainers a remediation action's reminders go to, with their language: its
/// partner's, or every trainer while no partner has taken it.
pub fn trainers_of_action(c: &mut DbConn, action_id: i32) -> QueryResult<Vec<(String, String)>> {
    let partner: Option<i32> =
        remediation_actions::table.find(action_id).select(remediation_actions::partner_id).first(c)?;
    let mut q = users::table
        .filter(users::role.eq("trainer"))
        .filter(users::disabled_at.is_null())
        .select((users::email, users::locale))
        .into_boxed();
    if let Some(p) = partner {
        q = q.filter(users::partner_id.eq(p));
    }
    q.load(c)
}

/// (force, violation type, unit as typed, unit attached, the event's narratives).
pub type ForUnit = (i32, i32, String, Option<i32>, Vec<String>);

/// What an intake officer sees to attach an allegation to a unit: (force, violation type,
/// the unit as typed, unit attached), and the narratives of the event's reports, whose words
/// the suggestions come from. Intake officers read these on the report page already.
pub fn allegation_for_unit(
    c: &mut DbConn,
    allegation_id: i32,
    reader: Option<&crate::keyring::Reader>,
) -> Result<ForUnit, crate::error::AppError> {
    use crate::schema::reports;
    let (event_id, force, vt, typed, unit): (i32, i32, i32, String, Option<i32>) = allegations::table
        .find(allegation_id)
        .select((
            allegations::event_id,
            allegations::force_id,
            allegations::violation_type_id,
            allegations::unit_description,
            allegations::unit_id,
        ))
        .first(c)?;
    let rows: Vec<(i32, String, Option<String>)> = reports::table
        .filter(reports::event_id.eq(event_id))
        .select((reports::id, reports::narrative, reports::sealed))
        .load(c)?;
    // A sealed narrative is opened with the officer's keys (issue 15), in this request only.
    let mut narratives = Vec::with_capacity(rows.len());
    for (id, clear, sealed) in rows {
        narratives.push(match crate::keyring::model::open_report(c, id, sealed.as_deref(), reader)? {
            crate::keyring::Opened::Open(p) => p.narrative,
            _ => clear,
        });
    }
    Ok((force, vt, typed, unit, narratives))
}

// Synthetic data (benchmarks only) ------------------------------------------------------------

/// (id, force, violation type, day) of every allegation of these forces.
pub fn allegations_of_forces(c: &mut DbConn, forces: &[i32]) -> QueryResult<Vec<(i32, i32, i32, NaiveDate)>> {
    allegations::table
        .inner_join(events::table.on(events::id.eq(allegations::event_id)))
        .filter(allegations::force_id.eq_any(forces))
        .order(allegations::id)
        .select((allegations::id, allegations::force_id, allegations::violation_type_id, events::occurred_on))
        .load(c)
}

/// Ties many allegations to one unit.
pub fn assign_unit(c: &mut DbConn, unit_id: i32, ids: &[i32]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(allegations::table.filter(allegations::id.eq_any(chunk)))
            .set(allegations::unit_id.eq(unit_id))
            .execute(c)?;
    }
    Ok(n)
}

/// Marks a session delivered on its planned dates (synthetic data).
pub fn deliver_as_planned(c: &mut DbConn, id: i32) -> QueryResult<usize> {
    diesel::update(training_sessions::table.find(id))
        .set((
            training_sessions::status.eq("delivered"),
            training_sessions::held_from.eq(training_sessions::planned_from.nullable()),
            training_sessions::held_to.eq(training_sessions::planned_to.nullable()),
        ))
        .execute(c)
}
