//! Staff accounts: roles, passwords, sessions and the guard that says who is signed in.
//! Guards by role (`guards`), sign-in with TOTP and password resets (`routes`), account
//! administration (`admin`).

mod admin;
pub mod grant_model;
pub mod guards;
pub mod model;
pub mod password;
mod roles;
pub mod routes;
pub mod totp;

use std::sync::Arc;

use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;

pub use model::User;
pub use roles::Role;

use crate::config::Config;
use crate::db::Db;

/// What templates may show about the signed-in user.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// The signed-in staff member, from the private `session` cookie. A request without a live
/// session does not get one; handlers that need a role use the role guards.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub role: Role,
    pub session_id: i32,
    /// True once the second factor was given in this session (or none is required).
    pub second_factor: bool,
}

impl CurrentUser {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.user.id,
            name: self.user.name.clone(),
            email: self.user.email.clone(),
            role: self.role.as_str().to_string(),
        }
    }
}

pub const SESSION_COOKIE: &str = "session";

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let cached = req
            .local_cache_async(async {
                let token = req.cookies().get_private(SESSION_COOKIE)?.value().to_string();
                let db = req.rocket().state::<Db>()?;
                let config = req.rocket().state::<Arc<Config>>()?;
                let idle = chrono::Duration::minutes(config.session_idle_minutes);
                let absolute = chrono::Duration::hours(config.session_absolute_hours);
                let hash = crate::crypto::sha256_hex(token.as_bytes());
                let found = db
                    .run(move |c| Ok(model::Session::find_live(c, &hash, idle, absolute)?))
                    .await
                    .ok()??;
                let (session, user) = found;
                let role = Role::parse(&user.role)?;
                let second_factor = session.second_factor_at.is_some();
                Some(CurrentUser { user, role, session_id: session.id, second_factor })
            })
            .await;
        match cached {
            Some(u) => Outcome::Success(u.clone()),
            None => Outcome::Forward(rocket::http::Status::Unauthorized),
        }
    }
}

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("accounts", |rocket| async {
        rocket.mount("/", routes::routes()).mount("/", admin::routes()).mount("/", crate::audit::routes())
    })
}
