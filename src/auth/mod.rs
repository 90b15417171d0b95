//! Who is signed in, and what they may do: the session (`CurrentUser`, from the private
//! `session` cookie), the roles (`roles`), the role guards and the staff context with its one
//! audited write (`guards`), and the users and sessions they read (`model`).
//!
//! A low layer: it imports the database, the audit chain, the clock and i18n, never a domain,
//! `config` or `web` (both of which import it).

pub mod guards;
pub mod model;
mod roles;
pub mod shared;
pub mod throttle;

use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;

pub use model::User;
pub use roles::Role;

use crate::db::Db;

/// How long a session lives: idle and absolute limits (managed from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

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
    /// The account's private key, sealed in the session's row under this request's session
    /// token (None for a session opened without one).
    pub session_key: Option<crate::crypto::SessionKey>,
}

impl CurrentUser {
    /// This person's opened private key, to open what their groups hold (issue 15); None for
    /// a session without one, or one whose sealed key does not open (then nothing sealed
    /// opens either, and the pages say so).
    pub fn reader(&self) -> Option<crate::keyring::Reader> {
        let key = self.session_key.as_ref()?.open().ok()?;
        Some(crate::keyring::Reader { user_id: self.user.id, key })
    }

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

/// Who the `CurrentUser` guard found for this request, if it ran and found someone (the
/// catchers use it to send a session that still owes its second factor to the code prompt).
pub fn cached_user<'r>(req: &'r Request<'_>) -> Option<&'r CurrentUser> {
    req.local_cache(|| Ok::<Option<CurrentUser>, ()>(None)).as_ref().ok()?.as_ref()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        // Ok(None): no live session. Err: the database could not say, which must not look
        // like a sign-out (the person would lose what they were typing): 503.
        let cached: &Result<Option<CurrentUser>, ()> = req
            .local_cache_async(async {
                let Some(token) = req.cookies().get_private(SESSION_COOKIE).map(|c| c.value().to_string())
                else {
                    return Ok(None);
                };
                let r = req.rocket();
                let (Some(db), Some(limits), Some(clock)) =
                    (r.state::<Db>(), r.state::<SessionLimits>(), r.state::<crate::clock::Clock>())
                else {
                    return Err(());
                };
                let now = clock.naive();
                let idle = chrono::Duration::minutes(limits.idle_minutes);
                let absolute = chrono::Duration::hours(limits.absolute_hours);
                let hash = crate::crypto::sha256_hex(token.as_bytes());
                let found =
                    db.run(move |c| Ok(model::Session::find_live(c, &hash, now, idle, absolute)?)).await;
                let found = found.map_err(|e| {
                    // Logged: a staff member got a 503 (a dry pool, a held lock), not a sign-out.
                    crate::logs::error(
                        "session",
                        &format!("session check: the database could not say (503): {e}"),
                    );
                })?;
                let Some((session, user)) = found else { return Ok(None) };
                let Some(role) = Role::parse(&user.role) else { return Ok(None) };
                let second_factor = session.second_factor_at.is_some();
                let session_key = session.sealed_key.map(|s| crate::crypto::SessionKey::new(s, token));
                Ok(Some(CurrentUser { user, role, session_id: session.id, second_factor, session_key }))
            })
            .await;
        match cached {
            Ok(Some(u)) => Outcome::Success(u.clone()),
            Ok(None) => Outcome::Forward(rocket::http::Status::Unauthorized),
            Err(()) => Outcome::Error((rocket::http::Status::ServiceUnavailable, ())),
        }
    }
}
