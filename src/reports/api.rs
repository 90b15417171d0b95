//! `/api/v1`: the same intake for monitors' tools and gateways, as JSON. The same rules and
//! the same flows as the form (see `Intake`); `web/openapi.json` describes every
//! operation, and a test keeps it true.

use std::collections::BTreeMap;

use rocket::data::Capped;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Status};
use rocket::serde::json::{json, Value};
use rocket::Route;
use rocket::State;

use super::evidence::EvidenceError;
use super::submit::{FieldErrors, RawLocation, RawReport};
use super::{FileError, Intake, LookupError};
use crate::taxonomy::{Taxonomy, DATE_PRECISIONS, REPORTER_RELATIONS};
use crate::web::Locale;

use crate::web::api::{malformed, JsonBody, OPENAPI};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        taxonomy,
        create,
        status,
        message,
        attachment,
        openapi,
        wrong_type_reports,
        wrong_type_status,
        wrong_type_messages,
        wrong_type_attachments
    ]
}

/// The documented 415 for a POST whose content type is not the operation's (the JSON routes
/// match `application/json` only; these, ranked after them, catch the rest).
fn unsupported() -> ApiResult {
    (Status::UnsupportedMediaType, json!({ "error": "Unsupported Media Type" }))
}

#[rocket::post("/reports", rank = 2)]
fn wrong_type_reports() -> ApiResult {
    unsupported()
}

#[rocket::post("/receipts/status", rank = 2)]
fn wrong_type_status() -> ApiResult {
    unsupported()
}

#[rocket::post("/receipts/messages", rank = 2)]
fn wrong_type_messages() -> ApiResult {
    unsupported()
}

#[rocket::post("/receipts/attachments", rank = 2)]
fn wrong_type_attachments() -> ApiResult {
    unsupported()
}

type ApiResult = (Status, Value);

fn errors_json(intake: &Intake<'_>, errors: &FieldErrors) -> ApiResult {
    let map: BTreeMap<&str, String> = errors.iter().map(|(f, k)| (*f, intake.tr(k))).collect();
    (Status::UnprocessableEntity, json!({ "errors": map }))
}

fn app_error(e: crate::error::AppError) -> ApiResult {
    let status = e.status();
    if status.code >= 500 {
        // Privacy: held and written with the hour's others (the journal would date the visit).
        crate::logs::public_error("api", &format!("api error: {e}"));
    }
    (status, json!({ "error": status.reason().unwrap_or("error") }))
}

/// `GET /api/v1/taxonomy?lang=fr|en`
#[rocket::get("/taxonomy")]
fn taxonomy(tax: &State<std::sync::Arc<Taxonomy>>, locale: Locale, intake: Intake<'_>) -> Value {
    let lang = locale.0.as_str();
    let groups: Vec<Value> = tax
        .groups
        .iter()
        .map(|g| {
            json!({
                "code": g.entry.code, "label": g.entry.label(lang), "icon": g.icon,
                "types": g.types.iter().map(|t| json!({"code": t.code, "label": t.label(lang)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let forces: Vec<Value> =
        tax.forces.iter().map(|f| json!({"code": f.code, "label": f.label(lang)})).collect();
    let relations: Vec<Value> = REPORTER_RELATIONS
        .iter()
        .map(|r| json!({"code": r, "label": intake.tr(&format!("relation-{r}"))}))
        .collect();
    let precisions: Vec<Value> = DATE_PRECISIONS
        .iter()
        .map(|p| json!({"code": p, "label": intake.tr(&format!("precision-{p}"))}))
        .collect();
    json!({
        "lang": lang,
        "violation_groups": groups,
        "forces": forces,
        "reporter_relations": relations,
        "date_precisions": precisions,
    })
}

/// Reads the JSON body field by field, so a wrong type is a message on that field.
fn raw_from_json(v: &Value, errors: &mut FieldErrors) -> RawReport {
    let mut text = |name: &'static str, required: bool| -> String {
        match v.get(name) {
            None | Some(Value::Null) => {
                if required {
                    errors.insert(name, "err-required");
                }
                String::new()
            }
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                errors.insert(name, "err-type-text");
                String::new()
            }
        }
    };
    let narrative = text("narrative", true);
    let occurred_on = text("occurred_on", true);
    let force = text("force", true);
    let date_precision = text("date_precision", false);
    let occurred_time = text("occurred_time", false);
    let unit_description = text("unit_description", false);
    let reporter_relation = text("reporter_relation", false);
    let reporter_name = text("reporter_name", false);
    let reporter_contact = text("reporter_contact", false);
    let victim_details = text("victim_details", false);
    let violations = match v.get("violations") {
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(|x| x.as_str().map(String::from)).collect()
        }
        None | Some(Value::Null) => {
            errors.insert("violations", "err-violations-empty");
            vec![]
        }
        Some(_) => {
            errors.insert("violations", "err-type-codes");
            vec![]
        }
    };
    let victim_count = match v.get("victim_count") {
        None | Some(Value::Null) => String::new(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            errors.insert("victim_count", "err-victims-invalid");
            String::new()
        }
    };
    let children_involved = match v.get("children_involved") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.insert("children_involved", "err-type-bool");
            false
        }
    };
    let number = |x: &Value| match x {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let location = match v.get("location") {
        Some(Value::Object(o)) if o.contains_key("lat") || o.contains_key("lon") => RawLocation::Point {
            lat: o.get("lat").map(number).unwrap_or_default(),
            lon: o.get("lon").map(number).unwrap_or_default(),
            method: "gps".into(),
        },
        Some(Value::Object(o)) if o.contains_key("place_id") => {
            RawLocation::Place { id: o.get("place_id").map(number).unwrap_or_default() }
        }
        Some(Value::Object(o)) if o.contains_key("region") => RawLocation::Admin {
            region: o.get("region").and_then(Value::as_str).unwrap_or_default().to_string(),
            cercle: o.get("cercle").and_then(Value::as_str).unwrap_or_default().to_string(),
        },
        None | Some(Value::Null) => RawLocation::None,
        Some(_) => {
            errors.insert("location", "err-location-invalid");
            RawLocation::None
        }
    };
    RawReport {
        violations,
        narrative,
        when: String::new(),
        occurred_on,
        date_precision,
        occurred_time,
        location,
        force,
        unit_description,
        uniform_seen: String::new(),
        insignia_seen: String::new(),
        vehicle_seen: String::new(),
        victim_count,
        children_involved,
        victim_details,
        reporter_relation,
        reporter_name,
        reporter_contact,
        voice: false,
    }
}

/// `POST /api/v1/reports`
#[rocket::post("/reports", format = "json", data = "<body>")]
async fn create(intake: Intake<'_>, body: JsonBody<'_, Value>) -> ApiResult {
    let Ok(body) = body else { return malformed() };
    let mut type_errors = FieldErrors::new();
    let raw = raw_from_json(&body, &mut type_errors);
    if !type_errors.is_empty() {
        // Also report the rule errors of the fields that were readable.
        let today = chrono::Utc::now().date_naive();
        let mut all =
            super::submit::validate(&raw, intake.taxonomy, intake.geo, today).err().unwrap_or_default();
        all.extend(type_errors);
        return errors_json(&intake, &all);
    }
    match intake.file_report(raw, "api", None).await {
        Ok((receipt, loc)) => {
            // Region and cercle as assigned, so a gateway can confirm the place to the person.
            let lang = intake.lang.as_str();
            let region = loc
                .region_code
                .as_ref()
                .map(|code| json!({"code": code, "name": intake.geo.region_name(code, lang)}));
            let cercle = loc
                .cercle_code
                .as_ref()
                .map(|code| json!({"code": code, "name": intake.geo.cercle_name(code)}));
            (Status::Created, json!({ "receipt": receipt.grouped(), "region": region, "cercle": cercle }))
        }
        Err(FileError::Invalid(errors)) => errors_json(&intake, &errors),
        Err(FileError::RateLimited) => (Status::TooManyRequests, json!({ "error": "Too Many Requests" })),
        Err(FileError::App(e)) => app_error(e),
    }
}

fn lookup_error(e: LookupError) -> ApiResult {
    match e {
        LookupError::Unknown => (Status::NotFound, json!({ "error": "unknown receipt" })),
        LookupError::Blocked => (Status::TooManyRequests, json!({ "error": "too many tries, wait an hour" })),
        LookupError::App(e) => app_error(e),
    }
}

/// A closed report takes no more messages or files, as on the receipt page: nobody reads its
/// thread any more.
fn closed(intake: &Intake<'_>) -> ApiResult {
    (Status::Conflict, json!({ "error": intake.tr("status-closed-no-messages") }))
}

fn receipt_of(v: &Value) -> String {
    v.get("receipt").and_then(Value::as_str).unwrap_or_default().to_string()
}

/// `POST /api/v1/receipts/status`: the receipt is in the body, never in a URL.
#[rocket::post("/receipts/status", format = "json", data = "<body>")]
async fn status(intake: Intake<'_>, body: JsonBody<'_, Value>) -> ApiResult {
    let Ok(body) = body else { return malformed() };
    match intake.lookup(&receipt_of(&body)).await {
        Ok(report) => match intake.status_view(&report).await {
            Ok(v) => (
                Status::Ok,
                json!({
                    "status": v.status, "status_label": v.status_label, "submitted_on": v.submitted_on,
                    "forwarded_to": v.forwarded_to, "messages": v.messages,
                }),
            ),
            Err(e) => app_error(e),
        },
        Err(e) => lookup_error(e),
    }
}

/// `POST /api/v1/receipts/messages`
#[rocket::post("/receipts/messages", format = "json", data = "<body>")]
async fn message(intake: Intake<'_>, body: JsonBody<'_, Value>) -> ApiResult {
    let Ok(body) = body else { return malformed() };
    let report = match intake.lookup(&receipt_of(&body)).await {
        Ok(r) => r,
        Err(e) => return lookup_error(e),
    };
    if report.status == "closed" {
        return closed(&intake);
    }
    let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
    match super::check_message(text) {
        Ok(text) => {
            match intake.add_message(&report, text, body.get("institution").and_then(Value::as_str)).await {
                Ok(()) => (Status::Created, json!({ "ok": true })),
                Err(e) => app_error(e),
            }
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.insert("body", key);
            errors_json(&intake, &errors)
        }
    }
}

#[derive(FromForm)]
pub struct ApiAttachment<'r> {
    receipt: Option<String>,
    file: Option<Capped<TempFile<'r>>>,
}

/// `POST /api/v1/receipts/attachments` (multipart: `receipt`, `file`)
#[rocket::post("/receipts/attachments", data = "<form>")]
async fn attachment(
    intake: Intake<'_>,
    form: Result<Form<ApiAttachment<'_>>, rocket::form::Errors<'_>>,
) -> ApiResult {
    let Ok(mut form) = form else {
        return (Status::BadRequest, json!({ "error": "the body is not a valid multipart form" }));
    };
    let report = match intake.lookup(form.receipt.as_deref().unwrap_or_default()).await {
        Ok(r) => r,
        Err(e) => return lookup_error(e),
    };
    if report.status == "closed" {
        return closed(&intake);
    }
    let mut errors = FieldErrors::new();
    let Some(file) = form.file.as_mut() else {
        errors.insert("file", "err-file-empty");
        return errors_json(&intake, &errors);
    };
    let added = match super::routes::spooled(std::slice::from_mut(file)).await {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            match intake.attach_file(&report, source, size).await {
                Ok(r) => r,
                Err(e) => return app_error(e),
            }
        }
        Ok(_) => Err(EvidenceError::Empty),
        Err(e) => Err(e),
    };
    match added {
        Ok((sha256, size)) => (Status::Created, json!({ "sha256": sha256, "size": size })),
        Err(e) => {
            errors.insert("file", e.key());
            errors_json(&intake, &errors)
        }
    }
}

/// `GET /api/v1/openapi.json`
#[rocket::get("/openapi.json")]
fn openapi() -> (ContentType, &'static str) {
    (ContentType::JSON, OPENAPI)
}
