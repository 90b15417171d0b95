//! Role guards: a handler's signature says who may call it. Not signed in (or the second
//! factor still owed) forwards with 401, which the catcher turns into the sign-in page; signed
//! in with another role answers 404, so a page's existence is never confirmed.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use super::{CurrentUser, Role};

/// Any signed-in staff member who has given their second factor where one is required.
pub struct Staff(pub CurrentUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match req.guard::<CurrentUser>().await {
            Outcome::Success(u) if u.second_factor => Outcome::Success(Staff(u)),
            // The database could not say who this is (503): not a sign-out.
            Outcome::Error(e) => Outcome::Error(e),
            _ => Outcome::Forward(Status::Unauthorized),
        }
    }
}

async fn with_roles(req: &Request<'_>, roles: &[Role]) -> Outcome<CurrentUser, ()> {
    match req.guard::<Staff>().await {
        Outcome::Success(Staff(u)) if roles.contains(&u.role) => Outcome::Success(u),
        // Least privilege: the page does not exist for this role.
        Outcome::Success(_) => Outcome::Error((Status::NotFound, ())),
        Outcome::Error(e) => Outcome::Error(e),
        _ => Outcome::Forward(Status::Unauthorized),
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name(pub CurrentUser);

        impl $name {
            pub const ROLES: &'static [Role] = &[$(Role::$role),+];
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
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
    /// Those who work on training: trainers, and admins who manage units and partners.
    TrainingStaff,
    [Trainer, Admin]
);
role_guard!(
    /// Those who may read cases: case workers (their institution's) and auditors (all).
    CaseReader,
    [Investigator, Ombudsman, Auditor]
);
