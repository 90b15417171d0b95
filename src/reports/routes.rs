//! The report form and the receipt follow-up pages. They work without JavaScript: the map is
//! an image button whose click the server turns into a point, the place search is a button
//! that brings the form back with the matches, and every refused form comes back filled in.

use rocket::data::Capped;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::tokio::io::AsyncReadExt;
use rocket::Route;
use rocket_dyn_templates::{context, Template};

use super::evidence::{self, EvidenceError, Source, Usage};
use super::follow::*;
use super::form::*;
use super::submit::{FieldErrors, FormToken, MonitorFiling};
use super::Intake;
use crate::auth::guards::Staff;
use crate::error::AppError;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        index,
        new,
        create,
        locate,
        follow,
        lookup,
        reply,
        attach,
        listen,
        mine,
        mine_one,
        mine_reply,
        mine_attach
    ]
}

#[rocket::get("/")]
fn index(page: Page, intake: Intake<'_>) -> Template {
    new(page, intake)
}

/// A new one-time token for a form page.
fn fresh_form_token() -> String {
    super::submit::new_form_token(chrono::Utc::now().date_naive(), &crate::crypto::random_token(16))
}

#[rocket::get("/reports/new")]
fn new(page: Page, intake: Intake<'_>) -> Template {
    let values = FormValues { form_token: fresh_form_token(), ..FormValues::default() };
    let ctx = form_context(&intake, &values, &FieldErrors::new(), vec![], None);
    render_form(page, ctx)
}

/// The uploads of a form as Rocket spooled them to disk, with their sizes; nothing is read yet.
/// A refused form keeps no file: the recording and the other files, if any were sent, must be
/// given again (unless a file already has its own message).
fn files_again(errors: &mut FieldErrors, has_voice: bool, other_files: bool) {
    if has_voice {
        // The recording is not kept either: the narrative must be given again.
        errors.entry("voice").or_insert("err-voice-again");
    }
    if other_files && !errors.contains_key("evidence") {
        errors.insert("evidence", "err-files-again");
    }
}

/// Security: a file cut by Rocket's `file` limit is refused here, before any byte is looked at.
pub(crate) async fn spooled(files: &mut [Capped<TempFile<'_>>]) -> Result<Vec<(Source, u64)>, EvidenceError> {
    let mut out = vec![];
    for f in files.iter_mut() {
        // A file input left empty still sends an empty part.
        if f.is_empty() && f.name().is_none_or(str::is_empty) {
            continue;
        }
        if !f.is_complete() {
            return Err(EvidenceError::TooLarge);
        }
        let size = f.len();
        let source = match f.path() {
            Some(p) => Source::File(p.to_path_buf()),
            None => {
                // A part sent as a plain value: held by Rocket already, bounded by `string`.
                let mut data = Vec::new();
                let mut reader = f.open().await.map_err(|_| EvidenceError::Unreadable)?;
                reader.read_to_end(&mut data).await.map_err(|_| EvidenceError::Unreadable)?;
                Source::Bytes(data)
            }
        };
        out.push((source, size));
    }
    Ok(out)
}

/// `POST /reports`: the form, or one of its helper buttons (map click, place search).
#[rocket::post("/reports", data = "<form>")]
async fn create(
    page: Page,
    intake: Intake<'_>,
    staff: Option<Staff<'_>>,
    mut form: Checked<ReportForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let (mut values, location_error) = FormValues::from_form(&form);
    // A voice narrative is checked and stored as the first file, marked as the narrative.
    let has_voice = values.voice;
    let other_files = form.evidence.iter().any(|f| !f.is_empty());
    if let Some(voice) = form.voice.take().filter(|_| has_voice) {
        form.evidence.insert(0, voice);
    }
    let no_errors = FieldErrors::new();
    let token_state = super::submit::form_token_state(&values.form_token, chrono::Utc::now().date_naive());
    let token_hash = (token_state == FormToken::Fresh)
        .then(|| crate::crypto::sha256_hex(values.form_token.trim().as_bytes()));
    if token_state != FormToken::Fresh {
        // Every page drawn again carries a token, so that its Send files one report at most.
        values.form_token = fresh_form_token();
    }

    // The map or its closer view was clicked (without JavaScript): the newest choice, a point;
    // come back to the place section with a marker and a closer view of where the tap landed.
    let zoom_cell = s(&form.zoom)
        .split_once(',')
        .and_then(|(x, y)| Some((x.trim().parse::<i32>().ok()?, y.trim().parse::<i32>().ok()?)));
    let clicked = match (&form.map, &form.zoom_map, zoom_cell) {
        (Some(c), _, _) => Some((c.x, c.y)),
        (None, Some(c), Some(cell)) => Some(crate::geo::map::from_zoom(cell, c.x, c.y)),
        _ => None,
    };
    if let Some((x, y)) = clicked {
        let (lat, lon) = intake.geo.map.projection.to_lat_lon(x, y);
        values.lat = format!("{lat:.5}");
        values.lon = format!("{lon:.5}");
        values.location_method = "map".into();
        values.loc = "point".into();
        values.keep_one_location();
        let mut notice = intake.tr("notice-map-chosen");
        if form.evidence.iter().any(|f| !f.is_empty()) {
            // Files are not kept across these round trips: say so rather than drop them quietly.
            notice = format!("{notice} {}", intake.tr("notice-files-dropped"));
        }
        let ctx = form_context(&intake, &values, &no_errors, vec![], Some(notice));
        return Ok((Status::Ok, render_form(page, ctx)));
    }
    // The Enter key presses the form's first button, `enter`: in the place search box with a
    // new query it searches; otherwise it sends, as the Send button does.
    let action = match form.action.as_deref() {
        Some("enter")
            if !values.place_query.trim().is_empty()
                && crate::geo::normalize(&values.place_query)
                    != crate::geo::normalize(&values.place_searched) =>
        {
            "search_place"
        }
        Some(a) => a,
        None => "submit",
    };
    match action {
        "search_place" => {
            let places: Vec<PlaceView> = intake
                .geo
                .search_with_hints(intake.catalog, &intake.lang, &values.place_query, 8)
                .into_iter()
                .map(|(p, hint)| PlaceView { id: p.id, label: place_label(&intake, &p, hint) })
                .collect();
            values.place_searched = values.place_query.clone();
            let mut notice = places.is_empty().then(|| intake.tr("notice-no-place"));
            if form.evidence.iter().any(|f| !f.is_empty()) {
                let dropped = intake.tr("notice-files-dropped");
                notice = Some(notice.map_or(dropped.clone(), |n| format!("{n} {dropped}")));
            }
            let mut errors = FieldErrors::new();
            if let Some(e) = location_error {
                errors.insert("location", e);
            }
            let ctx = form_context(&intake, &values, &errors, places, notice);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        "switch_lang" => {
            // The page comes back in the chosen language with everything typed.
            let notice =
                form.evidence.iter().any(|f| !f.is_empty()).then(|| intake.tr("notice-files-dropped"));
            let ctx = form_context(&intake, &values, &no_errors, vec![], notice);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        "clear_location" => {
            values.loc.clear();
            values.keep_one_location();
            let ctx = form_context(&intake, &values, &no_errors, vec![], None);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        _ => {}
    }
    // Sent once: a reload of the receipt page or a second tap on Send posts the same token.
    if let Some(hash) = &token_hash {
        if intake.form_token_used(hash.clone()).await? {
            return Ok(already_sent(page));
        }
    }
    if token_state == FormToken::Expired {
        let ctx = form_context(&intake, &values, &no_errors, vec![], Some(intake.tr("notice-form-expired")));
        return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
    }

    if form.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        // Security: a bot filled the hidden field. Nothing is saved; a person never sees this.
        let mut errors = FieldErrors::new();
        errors.insert("website", "err-honeypot");
        let ctx = form_context(&intake, &values, &errors, vec![], None);
        return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
    }

    // The names of the files as `spooled` keeps them (empty parts left out), to name a refused one.
    let names: Vec<String> = form
        .evidence
        .iter()
        .filter(|f| !(f.is_empty() && f.name().is_none_or(str::is_empty)))
        .map(|f| {
            f.raw_name()
                .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
                .unwrap_or_default()
        })
        .collect();
    let max_bytes = intake.caps().file_bytes;
    let monitor = staff.as_ref().filter(|s| s.role == crate::auth::Role::Monitor).map(|s| MonitorFiling {
        monitor_id: s.user.id,
        email: s.user.email.clone(),
        on_behalf_of: values.on_behalf_of.clone(),
        consent: values.consent,
    });
    // Security: the fields, the number and sizes of the files and the hourly limit are all
    // checked before a single byte of a file is read.
    let mut draft = intake.check_report(&values.raw(), monitor.as_ref());
    if let Some(e) = location_error {
        let mut errors = draft.err().unwrap_or_default();
        errors.insert("location", e);
        draft = Err(errors);
    }
    let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
    let files = spooled(&mut form.evidence).await.and_then(|files| {
        let sizes: Vec<u64> = files.iter().map(|f| f.1).collect();
        if let Err(e) = evidence::check_caps(&intake.caps(), &Usage::default(), &sizes) {
            if let Some(i) = sizes.iter().position(|&b| b > max_bytes) {
                values.refused_file = names.get(i).cloned().unwrap_or_default();
            }
            return Err(e);
        }
        Ok(files)
    });
    if let Err(e) = &files {
        errors.insert("evidence", e.key());
    }
    let (draft, files) = match (draft, files) {
        (Ok(draft), Ok(files)) => (draft, files),
        (_, files) => {
            if let (false, Ok(files)) = (errors.contains_key("evidence"), files) {
                // Other mistakes: tell about a wrong kind of file now too, from its first bytes.
                for (i, (source, _)) in files.into_iter().enumerate() {
                    if let Err(e) = intake.sniff_files(vec![source]).await {
                        errors.insert("evidence", e.key());
                        values.refused_file = names.get(i).cloned().unwrap_or_default();
                        break;
                    }
                }
            }
            files_again(&mut errors, has_voice, other_files);
            let ctx = form_context(&intake, &values, &errors, vec![], Some(intake.tr("notice-fix-errors")));
            return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
        }
    };
    if !intake.allow_report().await? || !intake.allow_upload(files.iter().map(|f| f.1).sum()).await? {
        // Nothing lost: the form comes back with what was typed (a 429 page would lose it);
        // the files and the recording must be given again, as after any refusal.
        let mut errors = FieldErrors::new();
        files_again(&mut errors, has_voice, other_files);
        let ctx = form_context(&intake, &values, &errors, vec![], Some(intake.tr("notice-too-many")));
        return Ok((Status::TooManyRequests, render_form(page, ctx)));
    }
    // One file at a time, so that a refused one can be named.
    let mut evidence = Vec::with_capacity(files.len());
    let mut refused = None;
    for (i, (source, _)) in files.into_iter().enumerate() {
        let inspected = intake.inspect_files(vec![source]).await;
        let inspected = match inspected {
            Ok(e) if has_voice && i == 0 => {
                e.into_iter().map(|e| evidence::as_voice(e, "narrative")).collect()
            }
            other => other,
        };
        match inspected {
            Ok(mut e) => evidence.append(&mut e),
            Err(e) => {
                refused = Some((i, e));
                break;
            }
        }
    }
    match refused {
        None => {}
        Some((i, e)) => {
            values.refused_file = names.get(i).cloned().unwrap_or_default();
            let mut errors = FieldErrors::new();
            errors.insert(if has_voice && i == 0 { "voice" } else { "evidence" }, e.key());
            let ctx = form_context(&intake, &values, &errors, vec![], Some(intake.tr("notice-fix-errors")));
            return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
        }
    }
    let saved = match intake.save_report(draft, evidence, "web", monitor, token_hash).await {
        Ok(saved) => saved,
        // Two sends of one form at the same instant: the second meets the first's token.
        Err(AppError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => None,
        Err(e) => return Err(e),
    };
    let Some((receipt, _)) = saved else {
        return Ok(already_sent(page));
    };
    let grouped = receipt.grouped();
    let ctx = context! { page: page.0, receipt_spoken: spoken(&grouped), receipt: grouped };
    Ok((Status::Created, Template::render("reports/receipt", ctx)))
}

/// The receipt as the browser's voice reads it: digit by digit, a pause between groups.
fn spoken(grouped: &str) -> String {
    grouped
        .split(' ')
        .map(|g| g.chars().map(String::from).collect::<Vec<_>>().join(", "))
        .collect::<Vec<_>>()
        .join(". ")
}

#[derive(FromForm)]
pub struct LocateForm {
    lat: Option<String>,
    lon: Option<String>,
}

/// `POST /reports/locate`: the form's script asks for a tapped or GPS point in words (nearest
/// place, cercle, region). Privacy: the point travels in the body, is never logged and nothing
/// is written.
#[rocket::post("/reports/locate", data = "<form>")]
fn locate(intake: Intake<'_>, form: Checked<LocateForm>) -> Result<rocket::serde::json::Value, AppError> {
    let lat = super::submit::parse_coordinate(&s(&form.lat)).ok_or(AppError::BadRequest("lat"))?;
    let lon = super::submit::parse_coordinate(&s(&form.lon)).ok_or(AppError::BadRequest("lon"))?;
    let inside = intake.geo.boundaries.locate(lat, lon).is_some();
    Ok(rocket::serde::json::json!({ "text": point_words(&intake, lat, lon), "inside": inside }))
}
