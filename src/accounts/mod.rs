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

/// What stands at the staff doors (sign-in, second factor, forgot-password): Argon2 work of
/// its own, apart from the reporters' (a sign-in flood must not delay a report), with a short
/// queue beyond which requests are answered 503 at once; and per-client counters in memory.
pub struct StaffDoors {
    pub hasher: crate::crypto::BoundedHasher,
    pub sign_in_per_client: throttle::Counter,
    pub forgot_per_client: throttle::Counter,
    /// Failed sign-ins per unknown email, so that they are slowed down like real accounts.
    pub unknown_emails: throttle::Counter,
}

impl StaffDoors {
    pub fn new(config: &Config) -> StaffDoors {
        StaffDoors {
            hasher: crate::crypto::BoundedHasher::new(
                config.staff_argon2_concurrency,
                config.staff_argon2_queue,
            ),
            sign_in_per_client: throttle::Counter::new(config.sign_in_tries_per_client, 15 * 60),
            forgot_per_client: throttle::Counter::new(config.forgot_per_client, 3600),
            unknown_emails: throttle::Counter::new(u32::MAX, 15 * 60),
        }
    }
}

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("accounts", |rocket| async {
        rocket.mount("/", routes::routes()).mount("/", admin::routes()).mount("/", audit_page::routes())
    })
}
