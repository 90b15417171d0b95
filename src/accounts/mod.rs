//! Staff accounts: passwords, sign-in with TOTP and password resets (`routes`), account
//! administration (`admin`), the audit log's page (`audit_page`). Who is signed in, roles
//! and the role guards are `crate::auth`'s.

mod account;
mod admin;
mod audit_page;
pub mod grant_model;
pub mod password;
pub mod reset;
pub mod routes;
pub mod secrets;
pub mod totp;

use crate::auth::throttle;

use crate::config::Config;
use crate::error::AppError;

/// What stands at the staff doors (sign-in, second factor, forgot-password): Argon2 work of
/// its own, apart from the reporters' (a sign-in flood must not delay a report), with a short
/// queue beyond which requests are answered 503 at once; and per-client counters: in memory on
/// SQLite (one instance), in the database on PostgreSQL (`auth::shared`: every instance counts
/// together, so a client cannot multiply its tries by the number of instances).
pub struct StaffDoors {
    pub hasher: crate::crypto::BoundedHasher,
    sign_in_per_client: throttle::Counter,
    forgot_per_client: throttle::Counter,
    /// Sign-in tries per email typed, known or not: the wait before a password is checked
    /// comes from this count alone, so it tells nothing of which emails are accounts.
    emails: throttle::Counter,
    shared: Option<crate::auth::shared::SharedCounts>,
    sign_in_limit: u32,
    forgot_limit: u32,
}

/// The sign-in throttle's window; the forgot-password one is the hour.
const SIGN_IN_WINDOW_SECS: u64 = 15 * 60;

impl StaffDoors {
    pub fn new(config: &Config, engine: crate::db::Engine, secret_key: &str) -> StaffDoors {
        StaffDoors {
            hasher: crate::crypto::BoundedHasher::new(
                config.staff_argon2_concurrency,
                config.staff_argon2_queue,
            ),
            sign_in_per_client: throttle::Counter::new(config.sign_in_tries_per_client, SIGN_IN_WINDOW_SECS),
            forgot_per_client: throttle::Counter::new(config.forgot_per_client, 3600),
            emails: throttle::Counter::new(u32::MAX, SIGN_IN_WINDOW_SECS),
            shared: (engine == crate::db::Engine::Postgres)
                .then(|| crate::auth::shared::SharedCounts::new(secret_key)),
            sign_in_limit: config.sign_in_tries_per_client,
            forgot_limit: config.forgot_per_client,
        }
    }

    /// Counts one sign-in try from `network`; false (not counted) past the limit of its
    /// 15 minutes.
    pub async fn sign_in_try(&self, db: &crate::db::Db, now: u64, network: &str) -> Result<bool, AppError> {
        match &self.shared {
            None => Ok(self.sign_in_per_client.hit(now, network)),
            Some(s) => {
                let subject = format!("{}|{network}", quarter(now));
                let limit = i64::from(self.sign_in_limit);
                Ok(s.add(db, now, &subject, "sign_in", 1, limit).await?.is_some())
            }
        }
    }

    /// Counts one forgot-password request from `network`; false past the hour's limit.
    pub async fn forgot_request(
        &self,
        db: &crate::db::Db,
        now: u64,
        network: &str,
    ) -> Result<bool, AppError> {
        match &self.shared {
            None => Ok(self.forgot_per_client.hit(now, network)),
            Some(s) => {
                let limit = i64::from(self.forgot_limit);
                Ok(s.add(db, now, network, "forgot", 1, limit).await?.is_some())
            }
        }
    }

    /// Counts a sign-in try with `email` (an account's or not) in its 15 minutes; how many
    /// came before. Security: the slowdown is taken from this count for every email, and a
    /// try that proves right is given back ([`StaffDoors::email_succeeded`]), so an account's
    /// wait is an unknown email's, locked or not, within a window or across its edge.
    pub async fn email_try(&self, db: &crate::db::Db, now: u64, email: &str) -> Result<u32, AppError> {
        match &self.shared {
            None => Ok(self.emails.add(now, email)),
            Some(s) => {
                let n =
                    s.add(db, now, &email_subject(now, email), EMAIL_TRIES, 1, i64::MAX).await?.unwrap_or(1);
                Ok(u32::try_from(n - 1).unwrap_or(u32::MAX))
            }
        }
    }

    /// A right password: its try is given back, so signing in often is never slowed down.
    pub async fn email_succeeded(&self, db: &crate::db::Db, now: u64, email: &str) -> Result<(), AppError> {
        match &self.shared {
            None => {
                self.emails.take_back(now, email);
                Ok(())
            }
            Some(s) => s.release(db, now, &email_subject(now, email), EMAIL_TRIES).await,
        }
    }
}

/// The kind of the shared counter of sign-in tries per email (its name from when only unknown
/// emails were counted there; `rate_counts`' check constraint lists it).
const EMAIL_TRIES: &str = "unknown_email";

/// The shared counter's subject for the tries with `email` in the 15 minutes of `now`.
fn email_subject(now: u64, email: &str) -> String {
    format!("{}|{email}", quarter(now))
}

/// Which 15 minutes of its hour `now` falls in (the shared counters live an hour).
fn quarter(now: u64) -> u64 {
    (now % crate::auth::shared::WINDOW_SECS) / SIGN_IN_WINDOW_SECS
}

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("accounts", |rocket| async {
        rocket
            .mount("/", routes::routes())
            .mount("/", admin::routes())
            .mount("/", audit_page::routes())
            .attach(rocket::fairing::AdHoc::on_liftoff("session keys sweep", |rocket| {
                Box::pin(async move {
                    let (Some(db), Some(limits)) = (
                        rocket.state::<crate::db::Db>().cloned(),
                        rocket.state::<crate::auth::SessionLimits>().copied(),
                    ) else {
                        return;
                    };
                    let mut shutdown = rocket.shutdown();
                    rocket::tokio::spawn(async move {
                        loop {
                            forget_expired_session_keys(&db, limits, chrono::Utc::now().naive_utc()).await;
                            rocket::tokio::select! {
                                _ = rocket::tokio::time::sleep(std::time::Duration::from_secs(300)) => {}
                                _ = &mut shutdown => break,
                            }
                        }
                    });
                })
            }))
    })
}

/// Empties the private key sealed in each session that timed out (every 5 minutes): the key
/// sealed under a token nobody can use any more is not kept either.
pub async fn forget_expired_session_keys(
    db: &crate::db::Db,
    limits: crate::auth::SessionLimits,
    now: chrono::NaiveDateTime,
) {
    let idle = chrono::Duration::minutes(limits.idle_minutes);
    let absolute = chrono::Duration::hours(limits.absolute_hours);
    let done =
        db.run(move |c| Ok(crate::auth::model::Session::forget_expired_keys(c, now, idle, absolute)?)).await;
    if let Err(e) = done {
        crate::logs::error("session", &format!("session keys: the sweep failed: {e}"));
    }
}
