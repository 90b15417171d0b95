//! The one error type of the application. Every failure that reaches a handler becomes an
//! `AppError`, which maps to an HTTP status; the catchers render the page in the user's
//! language. A mistake the user can fix is not an error: forms come back with messages.

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::Request;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The record does not exist, or the user may not see it: both answer 404.
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("too many requests")]
    TooManyRequests,
    /// Too much work is already queued (a flood of sign-ins): answered early with 503.
    #[error("busy")]
    Unavailable,
    /// The record moved since the page the form came from was drawn (another person, or another
    /// instance, changed it first): the form comes back with the state as it is now.
    #[error("changed meanwhile")]
    Moved,
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// A stored key or sealed value that does not open with the key that should open it: the
/// database was changed or damaged (a wrong password or receipt is a form message, not this).
impl From<crate::crypto::Refused> for AppError {
    fn from(_: crate::crypto::Refused) -> Self {
        AppError::Internal("a sealed value or stored key did not open".into())
    }
}

/// PostgreSQL refused a text holding a NUL byte (SQLSTATE 22021, "invalid byte sequence for
/// encoding \"UTF8\": 0x00").
pub fn is_nul_refused(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => info.message().contains(": 0x00"),
        _ => false,
    }
}

/// A statement PostgreSQL cancelled after `lock_timeout` (55P03) or `statement_timeout`
/// (57014), or SQLite's write lock still held after `busy_timeout`: the database is busy, the
/// request may be sent again.
pub fn is_timeout(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            let m = info.message();
            m.starts_with("canceling statement due to lock timeout")
                || m.starts_with("canceling statement due to statement timeout")
                || m.starts_with("could not obtain lock")
                // SQLite: the write lock still held after busy_timeout.
                || m == "database is locked"
        }
        _ => false,
    }
}

/// What keeps the database from taking a write or answering at all (issue 14): the connection
/// lost (PostgreSQL stopped, restarted or unreachable), a read-only database (a replica after a
/// fail-over, a file or disk mounted read-only), a full disk. Nothing was written; the request
/// may be sent again once it is fixed, so it is a 503, not a 500.
pub fn unavailable_reason(e: &diesel::result::Error) -> Option<&'static str> {
    use diesel::result::{DatabaseErrorKind, Error};
    let Error::DatabaseError(kind, info) = e else { return None };
    let m = info.message();
    match kind {
        DatabaseErrorKind::ReadOnlyTransaction => return Some("database read-only"),
        DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
            return Some("database unreachable")
        }
        _ => {}
    }
    if m.contains("readonly database") || m.contains("read-only transaction") {
        Some("database read-only")
    } else if m.contains("disk is full")
        || m.contains("No space left on device")
        || m.contains("could not extend file")
    {
        Some("disk full")
    } else if m.contains("terminating connection")
        || m.contains("server closed the connection")
        || m.contains("connection to server")
        || m.contains("no connection to the server")
        || m.contains("disk I/O error")
    {
        Some("database unreachable")
    } else {
        None
    }
}

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Database(diesel::result::Error::NotFound) => Status::NotFound,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::TooManyRequests => Status::TooManyRequests,
            AppError::Moved => Status::Conflict,
            AppError::Pool(_) | AppError::Unavailable => Status::ServiceUnavailable,
            // PostgreSQL gave up waiting (lock_timeout, statement_timeout): busy, not broken.
            AppError::Database(e) if is_timeout(e) => Status::ServiceUnavailable,
            // The database lost, read-only or its disk full: nothing written, try again later.
            AppError::Database(e) if unavailable_reason(e).is_some() => Status::ServiceUnavailable,
            // A text with a NUL, which PostgreSQL refuses (the public forms take them out,
            // `reports::submit::plain`): the request's fault, answered 400 and not logged.
            AppError::Database(e) if is_nul_refused(e) => Status::BadRequest,
            _ => Status::InternalServerError,
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        if status.code >= 500 && !matches!(self, AppError::Unavailable) {
            // Log the kind only: error texts from the database never carry report contents,
            // but they may carry a query shape, which is enough to debug. Privacy: a public
            // visitor's error is held and written with the hour's (`logs::public_error`).
            if req.uri().path().starts_with("/staff") {
                crate::logs::error("app", &format!("error: {self}"));
            } else {
                crate::logs::public_error("app", &format!("error: {self}"));
            }
        }
        // The catcher for this status renders the page in the visitor's language.
        Err(status)
    }
}
