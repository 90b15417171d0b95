//! Queries on users, sessions, recovery codes and password resets.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{institutions, password_resets, recovery_codes, sessions, users};

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
    pub totp_last_step: Option<i64>,
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

impl User {
    /// Counts a failed sign-in; locks the account for `lock_minutes` once `lockout_after`
    /// failures in a row are reached. Returns the new count and whether it is now locked.
    pub fn record_failure(
        conn: &mut DbConn,
        id: i32,
        lockout_after: i32,
        lock_minutes: i64,
    ) -> QueryResult<(i32, bool)> {
        let n: i32 = users::table.find(id).select(users::failed_logins).first(conn)?;
        let n = n + 1;
        let lock = n >= lockout_after;
        let until = lock.then(|| Utc::now().naive_utc() + chrono::Duration::minutes(lock_minutes));
        diesel::update(users::table.find(id))
            .set((users::failed_logins.eq(n), users::locked_until.eq(until)))
            .execute(conn)?;
        Ok((n, lock))
    }

    pub fn reset_failures(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((users::failed_logins.eq(0), users::locked_until.eq(None::<NaiveDateTime>)))
            .execute(conn)
    }

    /// Stores a secret being enrolled (not yet active).
    pub fn set_pending_totp(conn: &mut DbConn, id: i32, secret: &str) -> QueryResult<usize> {
        diesel::update(users::table.find(id).filter(users::totp_enabled_at.is_null()))
            .set(users::totp_secret.eq(Some(secret)))
            .execute(conn)
    }

    pub fn enable_totp(conn: &mut DbConn, id: i32, step: i64, recovery_hashes: &[String]) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::totp_enabled_at.eq(Some(Utc::now().naive_utc())),
                users::totp_last_step.eq(Some(step)),
            ))
            .execute(conn)?;
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(id))).execute(conn)?;
        for h in recovery_hashes {
            diesel::insert_into(recovery_codes::table)
                .values((recovery_codes::user_id.eq(id), recovery_codes::code_hash.eq(h)))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Records the time step of an accepted code, so it cannot be used again.
    pub fn set_totp_step(conn: &mut DbConn, id: i32, step: i64) -> QueryResult<usize> {
        diesel::update(users::table.find(id)).set(users::totp_last_step.eq(Some(step))).execute(conn)
    }

    /// Uses a recovery code once; false if it does not exist or was used.
    pub fn use_recovery_code(conn: &mut DbConn, id: i32, hash: &str) -> QueryResult<bool> {
        let n = diesel::update(
            recovery_codes::table
                .filter(recovery_codes::user_id.eq(id))
                .filter(recovery_codes::code_hash.eq(hash))
                .filter(recovery_codes::used_at.is_null()),
        )
        .set(recovery_codes::used_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
        Ok(n == 1)
    }

    pub fn set_role(
        conn: &mut DbConn,
        id: i32,
        role: &str,
        institution_id: Option<i32>,
    ) -> QueryResult<usize> {
        Session::revoke_all(conn, id)?;
        diesel::update(users::table.find(id))
            .set((users::role.eq(role), users::institution_id.eq(institution_id)))
            .execute(conn)
    }

    pub fn enable(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((
                users::disabled_at.eq(None::<NaiveDateTime>),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }
}

/// Creates a single-use reset token (stored hashed), valid until `expires_at`.
pub fn create_password_reset(
    conn: &mut DbConn,
    user_id: i32,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::expires_at.eq(expires_at),
        ))
        .returning(password_resets::id)
        .get_result(conn)
}

/// The user a live reset token belongs to, without using it.
pub fn find_password_reset(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<i32>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(Utc::now().naive_utc()))
        .select(password_resets::user_id)
        .first(conn)
        .optional()
}

/// Uses a reset token: returns its user if it was live, and marks it used.
pub fn use_password_reset(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<i32>> {
    let Some(user_id) = find_password_reset(conn, token_hash)? else { return Ok(None) };
    let n = diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(Utc::now().naive_utc())))
    .execute(conn)?;
    Ok((n == 1).then_some(user_id))
}

pub fn institutions_list(conn: &mut DbConn) -> QueryResult<Vec<(i32, String, String, String)>> {
    institutions::table
        .order(institutions::id)
        .select((institutions::id, institutions::code, institutions::name_fr, institutions::name_en))
        .load(conn)
}
