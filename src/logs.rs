//! The server's own log lines: staff requests (standard output) and errors (standard error), as
//! plain text or, with `log_format = "json"`, as one JSON object per line.
//!
//! Privacy: callers pass what may be logged and nothing else: never a client address, a user
//! agent or a query string. No line carries a timestamp of its own, but the journal stamps each
//! line as it is written, so nothing a public visitor causes is written at once: a public
//! request is not logged, and an error met while serving one is held and written with the
//! others of the hour, as a count ([`public_error`], [`write_held`]); `/metrics` counts the
//! public answers by status, per day.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static JSON: AtomicBool = AtomicBool::new(false);

/// Chooses the format for the whole process (at start, from `log_format`).
pub fn set_json(json: bool) {
    JSON.store(json, Ordering::Relaxed);
}

pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// A request line: `method path status` in text.
pub struct RequestLine<'a> {
    pub method: &'a str,
    /// The path without its query string.
    pub path: &'a str,
    /// The route's template, when a route took the request.
    pub route: Option<&'a str>,
    pub status: u16,
    pub millis: u64,
    /// The signed-in staff member's id.
    pub user: Option<i32>,
}

/// A staff request, or any request that failed on our side.
pub fn request(r: &RequestLine<'_>) {
    if json() {
        let line = serde_json::json!({
            "level": if r.status >= 500 { "error" } else { "info" },
            "kind": "request",
            "method": r.method,
            "path": r.path,
            "route": r.route,
            "status": r.status,
            "ms": r.millis,
            "user": r.user,
        });
        println!("{line}");
    } else {
        println!("{} {} {}", r.method, r.path, r.status);
    }
}

/// An error from `source` (`app`, `api`, `mail`, `database`, `evidence`, …); in text, `message`
/// as it is (it names its source itself).
pub fn error(source: &str, message: &str) {
    if json() {
        let line =
            serde_json::json!({ "level": "error", "kind": "error", "source": source, "message": message });
        eprintln!("{line}");
    } else {
        eprintln!("{message}");
    }
}

/// Errors met while serving public visitors, by (source, message), until [`write_held`].
static HELD: Mutex<BTreeMap<(&'static str, String), u64>> = Mutex::new(BTreeMap::new());

/// An error met while serving a public visitor: held, to be written with the others of the
/// hour (the journal's stamp on a line written now would date the visit).
pub fn public_error(source: &'static str, message: &str) {
    let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    *held.entry((source, message.to_string())).or_default() += 1;
}

/// Writes the held errors of public requests, one line per distinct error with its count, and
/// forgets them: every hour, and when the server stops.
pub fn write_held() {
    let held = std::mem::take(&mut *HELD.lock().unwrap_or_else(|p| p.into_inner()));
    for ((source, message), n) in held {
        error(source, &format!("{message} ({n}× since the last summary, held so as not to date a visit)"));
    }
}

/// Something worth knowing that is not an error (a sweep's count, a retried deadlock).
pub fn notice(source: &str, message: &str) {
    if json() {
        let line =
            serde_json::json!({ "level": "info", "kind": "notice", "source": source, "message": message });
        eprintln!("{line}");
    } else {
        eprintln!("{message}");
    }
}
