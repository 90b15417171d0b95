//! What every JSON endpoint shares: the OpenAPI document they are served and tested against,
//! the body guard that turns malformed JSON into the documented 400, and the methods each
//! documented path answers (the catcher's 405).

use rocket::http::Status;
use rocket::serde::json::{json, Json, Value};

/// The API's contract, served at `/api/v1/openapi.json` and checked by Schemathesis in CI.
pub const OPENAPI: &str = include_str!("openapi.json");

/// A JSON body, or the documented 400 when it is not JSON (or not of the expected shape).
pub type JsonBody<'r, T> = Result<Json<T>, rocket::serde::json::Error<'r>>;

/// The documented 400 for a body that is not JSON of the operation's shape.
pub fn malformed() -> (Status, Value) {
    (Status::BadRequest, json!({ "error": "the body is not valid JSON of the documented shape" }))
}

/// The methods the OpenAPI document lists for an API path (`/api/v1/...`), if it lists the
/// path: the catcher answers 405 (with `Allow`) for any other method on it.
pub fn documented_methods(path: &str) -> Option<Vec<String>> {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| serde_json::from_str(OPENAPI).unwrap_or(Value::Null));
    let ops = doc.get("paths")?.get(path.strip_prefix("/api/v1")?)?.as_object()?;
    Some(ops.keys().map(|m| m.to_uppercase()).collect())
}
