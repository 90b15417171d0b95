//! Queries on users, sessions, recovery codes and password resets.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::crypto::StoredKeyPair;
use crate::db::DbConn;
use crate::schema::{group_key_seals, institutions, password_resets, recovery_codes, sessions, users};

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
    /// Wrong second-factor codes since the last accepted one; a correct password does not
    /// reset it.
    pub totp_failures: i32,
    /// Whether the person gets the daily digest of deadlines.
    pub digest_enabled: bool,
    /// The account's public key (issue 15); None until its password is first set or used.
    pub public_key: Option<String>,
    /// The account's private key sealed under its password (`crypto::keys`).
    pub sealed_private_key: Option<String>,
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

    /// A new password and the key pair stored under it. When the key pair is a new one (a
    /// reset: the old private key is lost with the old password), the group keys sealed to
    /// the old one are forgotten: a remaining member or the recovery key must give them again.
    pub fn set_password(conn: &mut DbConn, id: i32, hash: &str, keys: &StoredKeyPair) -> QueryResult<usize> {
        let now = Utc::now().naive_utc();
        Session::revoke_all(conn, id)?;
        revoke_password_resets(conn, id)?;
        let old: Option<String> = users::table.find(id).select(users::public_key).first(conn)?;
        if old.as_deref() != Some(keys.public_key.as_str()) {
            diesel::delete(group_key_seals::table.filter(group_key_seals::user_id.eq(id))).execute(conn)?;
        }
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(hash),
                users::password_changed_at.eq(now),
                users::failed_logins.eq(0),
                users::public_key.eq(&keys.public_key),
                users::sealed_private_key.eq(&keys.sealed_private_key),
            ))
            .execute(conn)?;
        // A lock earned by wrong second-factor codes outlives a new password (else a reset
        // link would reopen the brute force); one earned by passwords ends with it.
        diesel::update(users::table.find(id).filter(users::totp_failures.eq(0)))
            .set(users::locked_until.eq(None::<NaiveDateTime>))
            .execute(conn)
    }
}

impl User {
    /// Stores a key pair for an account that had none (created before issue 15, or whose
    /// password was never set), opened at sign-in; never replaces one.
    pub fn set_keys_if_none(conn: &mut DbConn, id: i32, keys: &StoredKeyPair) -> QueryResult<usize> {
        diesel::update(users::table.find(id).filter(users::public_key.is_null()))
            .set((
                users::public_key.eq(&keys.public_key),
                users::sealed_private_key.eq(&keys.sealed_private_key),
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
    /// The account's private key sealed under the session token (`crypto::SessionKey`).
    pub sealed_key: Option<String>,
}

impl Session {
    /// Opens a session at `now` (from `clock::Clock`: its timeouts are checked on the same clock).
    pub fn create(
        conn: &mut DbConn,
        user_id: i32,
        token_hash: &str,
        second_factor: bool,
        sealed_key: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<i32> {
        diesel::insert_into(sessions::table)
            .values((
                sessions::sealed_key.eq(sealed_key),
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
        now: NaiveDateTime,
        idle: chrono::Duration,
        absolute: chrono::Duration,
    ) -> QueryResult<Option<(Session, User)>> {
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

    /// The second factor given: the session is marked, under a new token whose hash is
    /// `token_hash`, with its private key sealed again under that token. Security: the token a
    /// password-only cookie carried stops working, so a cookie planted in someone's browser
    /// before they give their code (session fixation) is not raised to a full session.
    pub fn mark_second_factor(
        conn: &mut DbConn,
        id: i32,
        token_hash: &str,
        sealed_key: Option<&str>,
    ) -> QueryResult<usize> {
        diesel::update(sessions::table.find(id))
            .set((
                sessions::second_factor_at.eq(Some(Utc::now().naive_utc())),
                sessions::token_hash.eq(token_hash),
                sessions::sealed_key.eq(sealed_key),
            ))
            .execute(conn)
    }

    /// Ends a session; its sealed private key goes with it.
    pub fn revoke(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(sessions::table.find(id))
            .set((
                sessions::revoked_at.eq(Some(Utc::now().naive_utc())),
                sessions::sealed_key.eq(None::<String>),
            ))
            .execute(conn)
    }

    pub fn revoke_all(conn: &mut DbConn, user_id: i32) -> QueryResult<usize> {
        diesel::update(
            sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::sealed_key.is_not_null()),
        )
        .set(sessions::sealed_key.eq(None::<String>))
        .execute(conn)?;
        diesel::update(
            sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)
    }

    /// Empties the sealed private key of every session that timed out (idle or absolute) or
    /// was revoked; run hourly. Returns how many were emptied.
    pub fn forget_expired_keys(
        conn: &mut DbConn,
        now: NaiveDateTime,
        idle: chrono::Duration,
        absolute: chrono::Duration,
    ) -> QueryResult<usize> {
        diesel::update(
            sessions::table.filter(sessions::sealed_key.is_not_null()).filter(
                sessions::revoked_at
                    .is_not_null()
                    .or(sessions::last_seen_at.le(now - idle))
                    .or(sessions::created_at.le(now - absolute)),
            ),
        )
        .set(sessions::sealed_key.eq(None::<String>))
        .execute(conn)
    }
}

/// Whether an account may try a password now, and the attempt's place in the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt is counted (as a failure until it proves right): the n-th in a row.
    Counted(i32),
    /// The account is locked, or its allowance of tries is spent by attempts in flight.
    Refused,
}

impl User {
    /// Security: "check the lock, count the attempt" as one conditional update, so parallel
    /// requests cannot all pass a check made before any of them is counted. At most
    /// `lockout_after` attempts are ever verified between two locks: an attempt is reserved
    /// (counted as a failure) before its password is verified, and one beyond the allowance
    /// is refused without verifying. A lock that has run out restarts the count.
    pub fn reserve_sign_in(
        conn: &mut DbConn,
        id: i32,
        lockout_after: i32,
        now: NaiveDateTime,
    ) -> QueryResult<Attempt> {
        diesel::update(users::table.find(id).filter(users::locked_until.le(now)))
            .set((users::failed_logins.eq(0), users::locked_until.eq(None::<NaiveDateTime>)))
            .execute(conn)?;
        let n: Option<i32> = diesel::update(
            users::table
                .find(id)
                .filter(users::locked_until.is_null())
                .filter(users::failed_logins.lt(lockout_after)),
        )
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .returning(users::failed_logins)
        .get_result(conn)
        .optional()?;
        Ok(n.map_or(Attempt::Refused, Attempt::Counted))
    }

    /// Locks the account until `until` (its count of failures reached the allowance).
    pub fn lock(conn: &mut DbConn, id: i32, until: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(users::table.find(id)).set(users::locked_until.eq(Some(until))).execute(conn)
    }

    /// A verified password: the count restarts, unless the account was locked meanwhile (by
    /// an administrator or a lock that this attempt did not see), in which case nothing
    /// changes and the caller refuses. True when the sign-in may go on.
    pub fn password_succeeded(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
        let n = diesel::update(
            users::table
                .find(id)
                .filter(users::disabled_at.is_null())
                .filter(users::locked_until.is_null().or(users::locked_until.le(now))),
        )
        .set((users::failed_logins.eq(0), users::locked_until.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Security: reserves one second-factor try atomically, as [`User::reserve_sign_in`] does
    /// for passwords, on a count that a correct password never resets. Each `lockout_after`-th
    /// try locks the account at once, for longer each time (see [`second_factor_lock`]), so
    /// no number of parallel requests verifies more than `lockout_after` codes per lock.
    pub fn reserve_second_factor(
        conn: &mut DbConn,
        id: i32,
        lockout_after: i32,
        now: NaiveDateTime,
    ) -> QueryResult<Attempt> {
        let n: Option<i32> = diesel::update(
            users::table
                .find(id)
                .filter(users::disabled_at.is_null())
                .filter(users::locked_until.is_null().or(users::locked_until.le(now))),
        )
        .set(users::totp_failures.eq(users::totp_failures + 1))
        .returning(users::totp_failures)
        .get_result(conn)
        .optional()?;
        let Some(n) = n else { return Ok(Attempt::Refused) };
        if n % lockout_after.max(1) == 0 {
            Self::lock(conn, id, now + super::throttle::second_factor_lock(n, lockout_after))?;
        }
        Ok(Attempt::Counted(n))
    }

    /// A correct code or recovery code: the second-factor count and any lock end.
    pub fn second_factor_succeeded(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((
                users::totp_failures.eq(0),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
            ))
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

    /// Security: accepts a code's time step through one conditional update, which succeeds
    /// once: the same code sent in parallel opens one session, and an older step never again.
    pub fn accept_totp_step(conn: &mut DbConn, id: i32, step: i64) -> QueryResult<bool> {
        let n = diesel::update(
            users::table.find(id).filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
        )
        .set(users::totp_last_step.eq(Some(step)))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Replaces a legacy stored secret by its sealed form (done once, on next use).
    pub fn reseal_totp_secret(conn: &mut DbConn, id: i32, old: &str, sealed: &str) -> QueryResult<usize> {
        diesel::update(users::table.find(id).filter(users::totp_secret.eq(old)))
            .set(users::totp_secret.eq(Some(sealed)))
            .execute(conn)
    }

    /// Uses a recovery code once; false if it does not exist or was used.
    /// `hashes` are the forms the code may be stored under (keyed hash, and the legacy one).
    pub fn use_recovery_code(conn: &mut DbConn, id: i32, hashes: &[String]) -> QueryResult<bool> {
        let n = diesel::update(
            recovery_codes::table
                .filter(recovery_codes::user_id.eq(id))
                .filter(recovery_codes::code_hash.eq_any(hashes))
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

    pub fn set_digest(conn: &mut DbConn, id: i32, enabled: bool) -> QueryResult<usize> {
        diesel::update(users::table.find(id)).set(users::digest_enabled.eq(enabled)).execute(conn)
    }

    pub fn enable(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((
                users::disabled_at.eq(None::<NaiveDateTime>),
                users::failed_logins.eq(0),
                users::totp_failures.eq(0),
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
    if n != 1 {
        return Ok(None);
    }
    revoke_password_resets(conn, user_id)?;
    Ok(Some(user_id))
}

/// Security: once one link of a user is used (or their password changes), every other live
/// link of theirs stops working.
pub fn revoke_password_resets(conn: &mut DbConn, user_id: i32) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(Utc::now().naive_utc())))
    .execute(conn)
}

/// How many unused links of a user are still live (the per-account throttle of
/// forgot-password, which holds across instances).
pub fn live_resets(conn: &mut DbConn, user_id: i32, now: NaiveDateTime) -> QueryResult<i64> {
    password_resets::table
        .filter(password_resets::user_id.eq(user_id))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .count()
        .get_result(conn)
}
pub fn institutions_list(conn: &mut DbConn) -> QueryResult<Vec<(i32, String, String, String)>> {
    institutions::table
        .order(institutions::id)
        .select((institutions::id, institutions::code, institutions::name_fr, institutions::name_en))
        .load(conn)
}

/// The salt of the shared rate-limit keys for the hour starting at `window_start`: the first
/// instance to ask makes it (random), the others read the same; the salts and counters of
/// earlier hours are deleted at that moment (issue 14, PostgreSQL).
pub fn rate_salt(conn: &mut DbConn, window_start: i64, fresh: &str) -> QueryResult<String> {
    use crate::schema::{rate_counts, rate_salts};
    let row = (rate_salts::window_start.eq(window_start), rate_salts::salt.eq(fresh));
    let made = match conn {
        DbConn::Pg(pg) => {
            diesel::insert_into(rate_salts::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConn::Sqlite(lite) => {
            diesel::insert_into(rate_salts::table).values(row).on_conflict_do_nothing().execute(lite)?
        }
    };
    if made == 1 {
        // Privacy: the hour that ended is forgotten, its salt first.
        diesel::delete(rate_salts::table.filter(rate_salts::window_start.lt(window_start))).execute(conn)?;
        diesel::delete(rate_counts::table.filter(rate_counts::window_start.lt(window_start)))
            .execute(conn)?;
    }
    rate_salts::table.find(window_start).select(rate_salts::salt).first(conn)
}

#[derive(QueryableByName)]
struct RateCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Adds `delta` to a shared counter unless that takes it past `limit`, in one statement (a
/// conditional upsert), so instances counting at once cannot pass the limit together. The new
/// count, or `None` (nothing added) when over the limit. PostgreSQL only.
pub fn rate_add(
    conn: &mut DbConn,
    window_start: i64,
    key: &str,
    kind: &str,
    delta: i64,
    limit: i64,
) -> QueryResult<Option<i64>> {
    use diesel::sql_types::{BigInt, Text};
    if delta > limit {
        return Ok(None);
    }
    let upsert = |p: [&str; 5]| {
        format!(
            "INSERT INTO rate_counts (window_start, client_key, kind, n) VALUES ({}, {}, {}, {}) \
             ON CONFLICT (window_start, client_key, kind) DO UPDATE SET n = rate_counts.n + excluded.n \
             WHERE rate_counts.n + excluded.n <= {} RETURNING n",
            p[0], p[1], p[2], p[3], p[4]
        )
    };
    let row = match conn {
        DbConn::Pg(pg) => diesel::sql_query(upsert(["$1", "$2", "$3", "$4", "$5"]))
            .bind::<BigInt, _>(window_start)
            .bind::<Text, _>(key)
            .bind::<Text, _>(kind)
            .bind::<BigInt, _>(delta)
            .bind::<BigInt, _>(limit)
            .get_result::<RateCount>(pg)
            .optional()?,
        DbConn::Sqlite(lite) => diesel::sql_query(upsert(["?1", "?2", "?3", "?4", "?5"]))
            .bind::<BigInt, _>(window_start)
            .bind::<Text, _>(key)
            .bind::<Text, _>(kind)
            .bind::<BigInt, _>(delta)
            .bind::<BigInt, _>(limit)
            .get_result::<RateCount>(lite)
            .optional()?,
    };
    Ok(row.map(|r| r.n))
}

/// Gives one back to a shared counter (a receipt that opened its report), never below zero.
pub fn rate_release(conn: &mut DbConn, window_start: i64, key: &str, kind: &str) -> QueryResult<()> {
    use crate::schema::rate_counts;
    diesel::update(
        rate_counts::table
            .filter(rate_counts::window_start.eq(window_start))
            .filter(rate_counts::client_key.eq(key))
            .filter(rate_counts::kind.eq(kind))
            .filter(rate_counts::n.gt(0)),
    )
    .set(rate_counts::n.eq(rate_counts::n - 1))
    .execute(conn)
    .map(|_| ())
}
