//! Evidence files as staff download them: the safe copy, its thumbnail and, for custodians,
//! the original, each download audited.

use super::model::{self, Scope};
use super::scope_of;
use crate::auth::guards::{Audit, EvidenceCustodian, Staff};
use crate::error::AppError;
use crate::web::Checked;
use rocket::form::FromForm;
use rocket::http::{ContentType, Header};
use rocket::response::{Flash, Redirect};

/// The threads of reporters' messages this staff member reads (see `events::model::Thread`).
fn thread_of(staff: &Staff<'_>, scope: Scope) -> model::Thread {
    let all =
        if staff.role == crate::auth::Role::Auditor { model::Thread::All } else { model::Thread::Shared };
    model::Thread::of(scope, all)
}

/// An evidence file as downloaded: its bytes, its type, a neutral file name, always as an
/// attachment (never shown inline) and inside a CSP sandbox, so a PDF's JavaScript or an HTML
/// page hidden in a file cannot run in Vigie's origin even if a browser opens it.
#[derive(rocket::Responder)]
pub struct Download {
    pub(super) body: Vec<u8>,
    pub(super) content_type: ContentType,
    pub(super) disposition: Header<'static>,
    pub(super) csp: Header<'static>,
}

/// The CSP of a downloaded evidence file.
pub const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

pub(super) fn download(id: i32, content_type: &str, body: Vec<u8>, original: bool) -> Download {
    let ct = ContentType::parse_flexible(content_type).unwrap_or(ContentType::Binary);
    let ext = ct.extension().map(|e| e.to_string()).unwrap_or_else(|| "bin".into());
    let name =
        if original { format!("evidence-{id}-original.{ext}") } else { format!("evidence-{id}.{ext}") };
    Download {
        body,
        content_type: ct,
        disposition: Header::new("Content-Disposition", format!("attachment; filename=\"{name}\"")),
        csp: Header::new("Content-Security-Policy", DOWNLOAD_CSP),
    }
}

/// `GET /staff/attachments/<id>`: the copy case workers get: a photo re-encoded without its
/// metadata (GPS, device serial) or anything hidden in it; a sound, video or PDF as uploaded.
/// Every download is audited with the original's SHA-256.
#[rocket::get("/staff/attachments/<id>")]
pub(super) async fn attachment(staff: Staff<'_>, id: i32) -> Result<Download, AppError> {
    let scope = scope_of(&staff).ok_or(AppError::NotFound)?;
    let thread = thread_of(&staff, scope);
    let reader = staff.reader();
    let (meta, data) = staff
        .write_all(move |c| {
            let (meta, data) =
                model::attachment_data(c, id, scope, model::FileCopy::Staff, thread, reader.as_ref())?;
            let mut entries = vec![];
            if data.is_some() {
                let copy = if meta.kind == "image" { "safe" } else { "original" };
                let details = format!("sha256={} copy={copy}", meta.sha256);
                entries.push(Audit::new("attachment.download", "attachment", id, details));
            }
            Ok(((meta, data), entries))
        })
        .await?;
    // A photo that could not be re-encoded is readable by the auditor only.
    let (ct, body) = data.ok_or(AppError::NotFound)?;
    Ok(download(meta.id, &ct, body, false))
}

/// `GET /staff/attachments/<id>/thumb`: a small picture of a photo's staff copy (no metadata),
/// shown on the case and report pages; as scoped and audited as the copy itself.
#[rocket::get("/staff/attachments/<id>/thumb")]
pub(super) async fn attachment_thumb(staff: Staff<'_>, id: i32) -> Result<Download, AppError> {
    let scope = scope_of(&staff).ok_or(AppError::NotFound)?;
    let thread = thread_of(&staff, scope);
    let reader = staff.reader();
    let (meta, data) = staff
        .write_all(move |c| {
            let (meta, data) =
                model::attachment_data(c, id, scope, model::FileCopy::Staff, thread, reader.as_ref())?;
            let mut entries = vec![];
            if data.is_some() && meta.kind == "image" {
                let details = format!("sha256={} copy=thumbnail", meta.sha256);
                entries.push(Audit::new("attachment.thumbnail", "attachment", id, details));
            }
            Ok(((meta, data), entries))
        })
        .await?;
    let (_, body) = data.filter(|_| meta.kind == "image").ok_or(AppError::NotFound)?;
    let thumb = rocket::tokio::task::spawn_blocking(move || crate::reports::evidence::thumbnail(&body))
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    Ok(download(meta.id, "image/png", thumb, false))
}

/// `GET /staff/attachments/<id>/original`: the file exactly as uploaded, metadata included, for
/// the chain of custody. Privacy: the auditor (the custodian of originals) only; anyone else
/// gets 404. Every download is audited.
#[rocket::get("/staff/attachments/<id>/original")]
pub(super) async fn attachment_original(staff: EvidenceCustodian<'_>, id: i32) -> Result<Download, AppError> {
    let reader = staff.0.reader();
    let (meta, data) = staff
        .0
        .write("attachment.original", ("attachment", id.to_string()), move |c| {
            let (meta, data) = model::attachment_data(
                c,
                id,
                Scope::All,
                model::FileCopy::Original,
                model::Thread::All,
                reader.as_ref(),
            )?;
            let details = format!("sha256={}", meta.sha256);
            Ok(((meta, data), details))
        })
        .await?;
    let (ct, body) = data.ok_or(AppError::NotFound)?;
    Ok(download(meta.id, &ct, body, true))
}

#[derive(FromForm)]
pub struct TranscriptionForm {
    transcription: Option<String>,
    translation: Option<String>,
    /// The page to come back to: the report page or a case page.
    back: Option<String>,
}

/// The longest transcription or translation kept.
const TRANSCRIPTION_MAX: usize = 20_000;

/// `POST /staff/attachments/<id>/transcription`: what a recording says, and its French
/// translation, written by a staff member who may listen to it; the latest is shown with who
/// wrote it and when, and each save is audited (the text itself stays out of the log).
#[rocket::post("/staff/attachments/<id>/transcription", data = "<form>")]
pub(super) async fn transcription(
    staff: Staff<'_>,
    id: i32,
    form: Checked<TranscriptionForm>,
) -> Result<Flash<Redirect>, AppError> {
    // The auditor reads everything and writes nothing: a transcription is a write.
    if staff.role == crate::auth::Role::Auditor {
        return Err(AppError::NotFound);
    }
    let scope = scope_of(&staff).ok_or(AppError::NotFound)?;
    let thread = thread_of(&staff, scope);
    let text = form.transcription.clone().unwrap_or_default().trim().to_string();
    let translation = form.translation.clone().unwrap_or_default().trim().to_string();
    if text.chars().count() > TRANSCRIPTION_MAX || translation.chars().count() > TRANSCRIPTION_MAX {
        return Err(AppError::BadRequest("transcription"));
    }
    let uid = staff.user.id;
    let now = chrono::Utc::now().naive_utc();
    let reader = staff.reader();
    let report_id = staff
        .write("attachment.transcribe", ("attachment", id.to_string()), move |c| {
            let meta = model::attachment_meta(c, id, scope, thread)?;
            if meta.kind != "audio" {
                return Err(AppError::NotFound);
            }
            // A sealed report's transcription is sealed under its data key, as its messages.
            let key = crate::keyring::model::writing_key(c, meta.report_id, reader.as_ref())?;
            let seal = |t: &str| match &key {
                Some(k) if !t.is_empty() => crate::keyring::report::seal_message(k, t),
                _ => t.to_string(),
            };
            crate::events::model::set_transcription(c, id, &seal(&text), &seal(&translation), uid, now)?;
            let details = format!(
                "report={} sha256={} transcription_chars={} translation_chars={}",
                meta.report_id,
                meta.sha256,
                text.chars().count(),
                translation.chars().count()
            );
            Ok((meta.report_id, details))
        })
        .await?;
    // Only a page of Vigie's own staff side, else the report page.
    let back = form
        .back
        .clone()
        .filter(|b| {
            let rest = b.strip_prefix("/staff/cases/").or_else(|| b.strip_prefix("/staff/reports/"));
            rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
        })
        .unwrap_or_else(|| format!("/staff/reports/{report_id}"));
    Ok(Flash::success(Redirect::to(back), "transcription-saved"))
}
