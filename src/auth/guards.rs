//! Role guards: a handler's signature says who may call it. Not signed in (or the second
//! factor still owed) forwards with 401, which the catcher turns into the sign-in page; signed
//! in with another role answers 404, so a page's existence is never confirmed.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use super::throttle::{client_of, TrustedProxies};
use super::{CurrentUser, Role};
use crate::audit::{self, Actor};
use crate::db::{Db, DbConn};
use crate::error::AppError;

/// Any signed-in staff member who has given their second factor where one is required, with
/// what a staff handler needs: who (the user and role, through `Deref`), their institution,
/// their language, the database, and [`Staff::write`], the one way a staff action writes a
/// change with its audit entry.
#[derive(Clone)]
pub struct Staff<'r> {
    user: CurrentUser,
    pub institution: Option<i32>,
    pub lang: String,
    pub db: &'r Db,
    /// Staff addresses may be recorded in the audit log (never a reporter's).
    ip: Option<String>,
}

impl std::ops::Deref for Staff<'_> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl Staff<'_> {
    /// The audit log's name for this person.
    pub fn actor(&self) -> Actor {
        Actor::User { id: self.user.user.id, email: self.user.user.email.clone(), ip: self.ip.clone() }
    }

    /// One change and its audit entry, in one transaction: `f` makes the change and says
    /// what it did (the entry's details); `action` on `object` (type, id) is recorded with it,
    /// or nothing is written at all. The entry is the transaction's last write (lock order), and
    /// `f` may run twice: once more when PostgreSQL aborts the first try (see `Db::transaction`).
    pub async fn write<T, F>(
        &self,
        action: &'static str,
        object: (&'static str, String),
        f: F,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnMut(&mut DbConn) -> Result<(T, String), AppError> + Send + 'static,
    {
        let mut f = f;
        self.write_all(move |c| {
            let (out, details) = f(c)?;
            Ok((out, vec![Audit::new(action, object.0, object.1.clone(), details)]))
        })
        .await
    }

    /// A new record and its audit entry, in one transaction: `f` inserts it and returns its id
    /// and the entry's details; `action` is recorded on (`object_type`, the new id). Like
    /// `write`, `f` may run twice.
    pub async fn create<F>(
        &self,
        action: &'static str,
        object_type: &'static str,
        f: F,
    ) -> Result<i32, AppError>
    where
        F: FnMut(&mut DbConn) -> Result<(i32, String), AppError> + Send + 'static,
    {
        let mut f = f;
        self.write_all(move |c| {
            let (id, details) = f(c)?;
            Ok((id, vec![Audit::new(action, object_type, id.to_string(), details)]))
        })
        .await
    }

    /// The general form of [`Staff::write`]: `f` makes the change and returns the audit entries
    /// it produced, in order (none when it turned out to change nothing, as a download refused
    /// by scope); they are appended after `f`, as the transaction's last writes, or nothing is
    /// written at all. `f` may run twice.
    pub async fn write_all<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnMut(&mut DbConn) -> Result<(T, Vec<Audit>), AppError> + Send + 'static,
    {
        let who = self.actor();
        let mut f = f;
        self.db
            .transaction(move |c| {
                let (out, entries) = f(c)?;
                for e in entries {
                    audit::record(c, &who, e.action, e.object_type, &e.object_id, &e.details)?;
                }
                Ok(out)
            })
            .await
    }
}

/// An audit entry a staff action produced, recorded by [`Staff::write_all`] with the action's
/// author.
pub struct Audit {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub details: String,
}

impl Audit {
    pub fn new(
        action: &'static str,
        object_type: &'static str,
        object_id: impl ToString,
        details: impl Into<String>,
    ) -> Self {
        Audit { action, object_type, object_id: object_id.to_string(), details: details.into() }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let user = match req.guard::<CurrentUser>().await {
            Outcome::Success(u) if u.second_factor => u,
            // The database could not say who this is (503): not a sign-out.
            Outcome::Error(e) => return Outcome::Error(e),
            _ => return Outcome::Forward(Status::Unauthorized),
        };
        let Some(db) = req.rocket().state::<Db>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        Outcome::Success(Staff {
            institution: user.user.institution_id,
            lang: crate::i18n::locale_of(req).0,
            db,
            ip: client_addr(req).map(|ip| ip.to_string()),
            user,
        })
    }
}

async fn with_roles<'r>(req: &'r Request<'_>, roles: &[Role]) -> Outcome<Staff<'r>, ()> {
    match req.guard::<Staff<'r>>().await {
        Outcome::Success(s) if roles.contains(&s.role) => Outcome::Success(s),
        // Least privilege: the page does not exist for this role.
        Outcome::Success(_) => Outcome::Error((Status::NotFound, ())),
        Outcome::Error(e) => Outcome::Error(e),
        _ => Outcome::Forward(Status::Unauthorized),
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name<'r>(pub Staff<'r>);

        impl $name<'_> {
            pub const ROLES: &'static [Role] = &[$(Role::$role),+];
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name<'r> {
            type Error = ();

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                with_roles(req, Self::ROLES).await.map($name)
            }
        }
    };
}

role_guard!(
    /// System administrators: accounts, taxonomies, routing rules, mail.
    Admin,
    [Admin]
);
role_guard!(
    /// Those who may read the audit log.
    AuditReader,
    [Auditor, Admin]
);
role_guard!(
    /// Monitors who file reports for others.
    Monitor,
    [Monitor]
);
role_guard!(
    /// Intake officers: triage.
    IntakeOfficer,
    [Intake]
);
role_guard!(
    /// Case workers of either institution.
    CaseWorker,
    [Investigator, Ombudsman]
);
role_guard!(
    /// Trainers: aggregate patterns and remediation.
    Trainer,
    [Trainer]
);
role_guard!(
    /// The custodian of evidence originals (metadata included): auditors only.
    EvidenceCustodian,
    [Auditor]
);
role_guard!(
    /// Those who may read the triage queue and events: intake officers and auditors.
    TriageReader,
    [Intake, Auditor]
);
role_guard!(
    /// Those who work on training: trainers, and admins who manage units and partners.
    TrainingStaff,
    [Trainer, Admin]
);
role_guard!(
    /// Those who may read cases: case workers (their institution's) and auditors (all).
    CaseReader,
    [Investigator, Ombudsman, Auditor]
);

role_guard!(
    /// Those who may see events on the staff map (exact points): intake officers and auditors
    /// (every event), case workers (their institution's).
    MapReader,
    [Intake, Investigator, Ombudsman, Auditor]
);

/// The client's address: the connection's peer, or, when the peer is one of `trusted_proxies`,
/// the address the proxy put in `X-Forwarded-For` (`throttle::client_of`).
/// Several header lines are one list, in order (RFC 9110, 5.3): a proxy that adds its own line
/// after the client's is read from its line, not from the first one, which the client wrote.
pub fn client_addr(req: &Request<'_>) -> Option<std::net::IpAddr> {
    let trusted = req.rocket().state::<TrustedProxies>().map(|t| t.0.as_slice()).unwrap_or(&[]);
    let lines: Vec<&str> = req.headers().get("X-Forwarded-For").collect();
    let forwarded = (!lines.is_empty()).then(|| lines.join(","));
    client_of(req.remote().map(|a| a.ip()), forwarded.as_deref(), trusted)
}
