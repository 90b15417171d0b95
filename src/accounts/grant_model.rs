//! Queries on `role_grants`: a role that opens identities or accounts (see
//! [`crate::auth::Role::needs_second_admin`]) is requested by one admin and takes effect only when
//! another admin approves it (four eyes).

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{role_grants, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = role_grants)]
pub struct Grant {
    pub id: i32,
    pub user_id: i32,
    pub role: String,
    pub institution_id: Option<i32>,
    pub state: String,
    pub with_account: bool,
    pub requested_by: i32,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<i32>,
    pub decided_at: Option<NaiveDateTime>,
}

/// Records a pending grant; an earlier pending grant of the same user is refused by this one
/// (the latest request is the one to decide), and an account still waiting for its first grant
/// keeps waiting for this one.
pub fn request(
    conn: &mut DbConn,
    user_id: i32,
    role: &str,
    institution_id: Option<i32>,
    with_account: bool,
    by: i32,
) -> QueryResult<i32> {
    let now = Utc::now().naive_utc();
    let with_account = with_account || awaits_approval(conn, user_id)?;
    diesel::update(
        role_grants::table.filter(role_grants::user_id.eq(user_id)).filter(role_grants::state.eq("pending")),
    )
    .set((
        role_grants::state.eq("refused"),
        role_grants::decided_by.eq(Some(by)),
        role_grants::decided_at.eq(Some(now)),
    ))
    .execute(conn)?;
    diesel::insert_into(role_grants::table)
        .values((
            role_grants::user_id.eq(user_id),
            role_grants::role.eq(role),
            role_grants::institution_id.eq(institution_id),
            role_grants::state.eq("pending"),
            role_grants::with_account.eq(with_account),
            role_grants::requested_by.eq(by),
            role_grants::requested_at.eq(now),
        ))
        .returning(role_grants::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Grant> {
    role_grants::table.find(id).select(Grant::as_select()).first(conn)
}

/// The latest grants, newest first (pending and decided).
pub fn recent(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Grant>> {
    role_grants::table.order(role_grants::id.desc()).limit(limit).select(Grant::as_select()).load(conn)
}

pub fn pending(conn: &mut DbConn) -> QueryResult<Vec<Grant>> {
    role_grants::table
        .filter(role_grants::state.eq("pending"))
        .order(role_grants::id)
        .select(Grant::as_select())
        .load(conn)
}

/// Whether an account waits for the approval of the grant it was created with.
pub fn awaits_approval(conn: &mut DbConn, user_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .filter(role_grants::state.eq("pending"))
            .filter(role_grants::with_account.eq(true)),
    ))
    .get_result(conn)
}

/// Decides a pending grant, once: true if this call decided it (a conditional update, so two
/// admins deciding at once cannot both succeed).
pub fn decide(conn: &mut DbConn, id: i32, by: i32, approve: bool) -> QueryResult<bool> {
    let n = diesel::update(role_grants::table.find(id).filter(role_grants::state.eq("pending")))
        .set((
            role_grants::state.eq(if approve { "approved" } else { "refused" }),
            role_grants::decided_by.eq(Some(by)),
            role_grants::decided_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The auditors to tell: (email, language) of the active ones.
pub fn active_auditors(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::role.eq("auditor"))
        .filter(users::disabled_at.is_null())
        .order(users::id)
        .select((users::email, users::locale))
        .load(conn)
}
