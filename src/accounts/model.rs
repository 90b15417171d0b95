//! Queries on users, sessions, recovery codes and password resets.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{institutions, sessions, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: String,
    pub institution_id: Option<i32>,
    pub locale: String,
    pub password_hash: String,
    pub password_changed_at: NaiveDateTime,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<NaiveDateTime>,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub institution_id: Option<i32>,
    pub locale: &'a str,
    pub password_hash: &'a str,
}

impl User {
    pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<User> {
        users::table.find(id).select(User::as_select()).first(conn)
    }

    pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut DbConn, new: &NewUser) -> QueryResult<i32> {
        let now = Utc::now().naive_utc();
        diesel::insert_into(users::table)
            .values((
                users::email.eq(new.email.trim().to_lowercase()),
                users::name.eq(new.name),
                users::role.eq(new.role),
                users::institution_id.eq(new.institution_id),
                users::locale.eq(new.locale),
                users::password_hash.eq(new.password_hash),
                users::password_changed_at.eq(now),
                users::created_at.eq(now),
            ))
            .returning(users::id)
            .get_result(conn)
    }

    pub fn list(conn: &mut DbConn) -> QueryResult<Vec<User>> {
        users::table.order(users::email).select(User::as_select()).load(conn)
    }

    /// Disables an account and ends its sessions.
    pub fn disable(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        let now = Utc::now().naive_utc();
        Session::revoke_all(conn, id)?;
        diesel::update(users::table.find(id)).set(users::disabled_at.eq(Some(now))).execute(conn)
    }

    pub fn set_password(conn: &mut DbConn, id: i32, hash: &str) -> QueryResult<usize> {
        let now = Utc::now().naive_utc();
        Session::revoke_all(conn, id)?;
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(hash),
                users::password_changed_at.eq(now),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }
}

pub fn institution_id_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<i32>> {
    institutions::table.filter(institutions::code.eq(code)).select(institutions::id).first(conn).optional()
}

pub fn institution_code(conn: &mut DbConn, id: i32) -> QueryResult<String> {
    institutions::table.find(id).select(institutions::code).first(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i32,
    pub user_id: i32,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub second_factor_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl Session {
    pub fn create(
        conn: &mut DbConn,
        user_id: i32,
        token_hash: &str,
        second_factor: bool,
    ) -> QueryResult<i32> {
        let now = Utc::now().naive_utc();
        diesel::insert_into(sessions::table)
            .values((
                sessions::token_hash.eq(token_hash),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(now),
                sessions::last_seen_at.eq(now),
                sessions::second_factor_at.eq(second_factor.then_some(now)),
            ))
            .returning(sessions::id)
            .get_result(conn)
    }

    /// The live session for a token and its user, if neither is revoked, disabled or timed out.
    pub fn find_live(
        conn: &mut DbConn,
        token_hash: &str,
        idle: chrono::Duration,
        absolute: chrono::Duration,
    ) -> QueryResult<Option<(Session, User)>> {
        let now = Utc::now().naive_utc();
        let found: Option<(Session, User)> = sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(token_hash))
            .filter(sessions::revoked_at.is_null())
            .filter(users::disabled_at.is_null())
            .filter(sessions::last_seen_at.gt(now - idle))
            .filter(sessions::created_at.gt(now - absolute))
            .select((Session::as_select(), User::as_select()))
            .first(conn)
            .optional()?;
        if let Some((s, _)) = &found {
            // Touch at most once a minute: fewer writes, same idle timeout.
            if now - s.last_seen_at > chrono::Duration::minutes(1) {
                diesel::update(sessions::table.find(s.id))
                    .set(sessions::last_seen_at.eq(now))
                    .execute(conn)?;
            }
        }
        Ok(found)
    }

    pub fn mark_second_factor(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(sessions::table.find(id))
            .set(sessions::second_factor_at.eq(Some(Utc::now().naive_utc())))
            .execute(conn)
    }

    pub fn revoke(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(sessions::table.find(id))
            .set(sessions::revoked_at.eq(Some(Utc::now().naive_utc())))
            .execute(conn)
    }

    pub fn revoke_all(conn: &mut DbConn, user_id: i32) -> QueryResult<usize> {
        diesel::update(
            sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)
    }
}
