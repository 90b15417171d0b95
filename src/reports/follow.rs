//! The receipt follow-up pages (status, messages, files) and a monitor's own reports.

use rocket::data::Capped;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::evidence::EvidenceError;
use super::form::*;
use super::{Intake, LookupError};
use crate::auth::guards::Monitor;
use crate::error::AppError;
use crate::web::{Checked, Page};

/// The answer to a form sent a second time: it was filed once, and nothing more is written.
pub(super) fn already_sent(page: Page) -> (Status, Template) {
    (Status::Conflict, Template::render("reports/already_sent", context! { page: page.0 }))
}

/// `GET /receipt`: where a reporter types their receipt.
#[rocket::get("/receipt?<kept>")]
pub(super) fn follow(page: Page, kept: Option<bool>) -> Template {
    Template::render("reports/follow", context! { page: page.0, kept: kept.unwrap_or(false) })
}

#[derive(FromForm)]
pub struct ReceiptForm {
    pub(super) receipt: Option<String>,
    pub(super) body: Option<String>,
    /// The institution the reply is for (its code).
    pub(super) to: Option<String>,
}

/// The status page of the report a receipt opened. Security: the receipt was looked up (and
/// counted) once by the caller; it travels only in the page's own forms, never in a URL.
pub(super) async fn status_page(
    page: Page,
    intake: &Intake<'_>,
    report: &super::model::ReceiptReport,
    typed: &str,
    flash: Option<String>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    page_of(page, intake, report, Door::Receipt(typed), flash, error, status).await
}

/// How the person reached a report's page: with its receipt, or as the monitor who filed it
/// (no receipt to type again; the forms post to the monitor's own routes).
pub(super) enum Door<'a> {
    Receipt(&'a str),
    Monitor,
}

pub(super) async fn page_of(
    page: Page,
    intake: &Intake<'_>,
    report: &super::model::ReceiptReport,
    door: Door<'_>,
    flash: Option<String>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    page_with_draft(page, intake, report, door, flash, error, status, None).await
}

/// A message refused as typed: its text and the institution it was for, put back in the form.
pub(super) struct Draft<'a> {
    pub body: &'a str,
    pub to: Option<&'a str>,
}

/// [`page_of`], the message form holding `draft` (a refused message is not lost).
#[allow(clippy::too_many_arguments)]
pub(super) async fn page_with_draft(
    page: Page,
    intake: &Intake<'_>,
    report: &super::model::ReceiptReport,
    door: Door<'_>,
    flash: Option<String>,
    error: Option<String>,
    status: Status,
    draft: Option<Draft<'_>>,
) -> Result<(Status, Template), AppError> {
    let (typed, base, mine) = match door {
        Door::Receipt(t) => (t.trim().to_string(), "/receipt".to_string(), None),
        Door::Monitor => (String::new(), format!("/staff/my-reports/{}", report.id), Some(report.id)),
    };
    let view = intake.status_view(report).await?;
    // Dates in words in the reader's language (the API keeps ISO dates).
    let words = |iso: &str| {
        chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .map(|d| super::date_in_words(d, &intake.lang))
            .unwrap_or_else(|_| iso.to_string())
    };
    let mut view = serde_json::to_value(&view).map_err(AppError::internal)?;
    if let Some(iso) = view["submitted_on"].as_str().map(str::to_string) {
        view["submitted_on"] = words(&iso).into();
    }
    if let Some(messages) = view["messages"].as_array_mut() {
        for m in messages {
            if let Some(iso) = m["sent_on"].as_str().map(str::to_string) {
                m["sent_on"] = words(&iso).into();
            }
        }
    }
    let (draft_body, draft_to) = draft.map_or((None, None), |d| (Some(d.body), d.to));
    let ctx = context! {
        page: page.0, report: view, receipt: typed, base, mine, flash, error,
        max_mb: intake.config.upload_max_mb, draft_body, draft_to,
    };
    Ok((status, Template::render("reports/status", ctx)))
}

/// One neutral answer for a receipt that opens nothing.
pub(super) fn lookup_failed(page: Page, e: LookupError) -> Result<(Status, Template), AppError> {
    match e {
        LookupError::Unknown => {
            let ctx = context! { page: page.0, kept: false, unknown: true };
            Ok((Status::NotFound, Template::render("reports/follow", ctx)))
        }
        LookupError::Blocked => Err(AppError::TooManyRequests),
        LookupError::App(e) => Err(e),
    }
}

/// `POST /receipt`: opens the report the receipt belongs to.
#[rocket::post("/receipt", data = "<form>")]
pub(super) async fn lookup(
    page: Page,
    intake: Intake<'_>,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    match intake.lookup(&typed).await {
        Ok(report) => status_page(page, &intake, &report, &typed, None, None, Status::Ok).await,
        Err(e) => lookup_failed(page, e),
    }
}

/// `POST /receipt/messages`: the reporter answers the investigators.
#[rocket::post("/receipt/messages", data = "<form>")]
pub(super) async fn reply(
    page: Page,
    intake: Intake<'_>,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    let report = match intake.lookup(&typed).await {
        Ok(r) => r,
        // Too many tries from this connection: the message is not lost, it comes back in a
        // form to send again later (someone behind the same carrier address can spend the
        // hour's tries).
        Err(LookupError::Blocked) => {
            let ctx = context! { page: page.0, kept: false, unknown: false, blocked: true,
            receipt: typed, draft: s(&form.body), to: form.to.clone() };
            return Ok((Status::TooManyRequests, Template::render("reports/follow", ctx)));
        }
        Err(e) => return lookup_failed(page, e),
    };
    if report.status == "closed" {
        // Nobody reads the thread of a closed case: say so rather than take the message.
        let error = Some(intake.tr("status-closed-no-messages"));
        return status_page(page, &intake, &report, &typed, None, error, Status::Conflict).await;
    }
    match super::check_message(&s(&form.body)) {
        Ok(body) => {
            intake.add_message(&report, body, form.to.as_deref()).await?;
            let flash = Some(intake.tr("notice-message-sent"));
            status_page(page, &intake, &report, &typed, flash, None, Status::Created).await
        }
        Err(key) => {
            let error = Some(intake.tr(key));
            let draft = Draft { body: &s(&form.body), to: form.to.as_deref() };
            let status = Status::UnprocessableEntity;
            page_with_draft(page, &intake, &report, Door::Receipt(&typed), None, error, status, Some(draft))
                .await
        }
    }
}

#[derive(FromForm)]
pub struct ListenForm {
    pub(super) receipt: Option<String>,
    pub(super) attachment: Option<i32>,
}

/// `POST /receipt/listen`: the reporter plays a voice message of their thread (the receipt in
/// the body, never in an address). The phone's browser plays the answer as it would a file.
#[rocket::post("/receipt/listen", data = "<form>")]
pub(super) async fn listen(
    page: Page,
    intake: Intake<'_>,
    form: Checked<ListenForm>,
) -> Result<rocket::Either<(rocket::http::ContentType, Vec<u8>), (Status, Template)>, AppError> {
    let typed = s(&form.receipt);
    let report = match intake.lookup(&typed).await {
        Ok(r) => r,
        Err(e) => return lookup_failed(page, e).map(rocket::Either::Right),
    };
    let (rid, aid) = (report.id, form.attachment.ok_or(AppError::NotFound)?);
    let key = report.data_key.clone();
    let found = intake.db.run(move |c| super::model::thread_recording(c, rid, aid, key.as_ref())).await?;
    let (ct, data) = found.ok_or(AppError::NotFound)?;
    let ct = rocket::http::ContentType::parse_flexible(&ct).unwrap_or(rocket::http::ContentType::Binary);
    Ok(rocket::Either::Left((ct, data)))
}

#[derive(FromForm)]
pub struct AttachForm<'r> {
    pub(super) receipt: Option<String>,
    pub(super) file: Capped<TempFile<'r>>,
    /// The file is a voice message for the thread, not a proof.
    pub(super) voice: bool,
}

/// `POST /receipt/attachments`: the reporter adds a photo, a voice note, a video or a PDF.
#[rocket::post("/receipt/attachments", data = "<form>")]
pub(super) async fn attach(
    page: Page,
    intake: Intake<'_>,
    mut form: Checked<AttachForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    let report = match intake.lookup(&typed).await {
        Ok(r) => r,
        Err(e) => return lookup_failed(page, e),
    };
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return status_page(page, &intake, &report, &typed, None, error, Status::Conflict).await;
    }
    let added = match super::routes::spooled(std::slice::from_mut(&mut form.file)).await {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            if form.voice {
                intake.add_voice_message(&report, source, size, None).await?.map(|()| (String::new(), 0))
            } else {
                intake.attach_file(&report, source, size).await?
            }
        }
        Ok(_) => Err(EvidenceError::Empty),
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => {
            let flash = Some(intake.tr(if form.voice { "notice-message-sent" } else { "notice-file-added" }));
            status_page(page, &intake, &report, &typed, flash, None, Status::Created).await
        }
        Err(e) => {
            let error = Some(intake.tr(e.key()));
            status_page(page, &intake, &report, &typed, None, error, Status::UnprocessableEntity).await
        }
    }
}

/// A report of this monitor's, or 404 (another monitor's, or anyone's).
pub(super) async fn filed(
    intake: &Intake<'_>,
    monitor: &Monitor<'_>,
    id: i32,
) -> Result<super::model::ReceiptReport, AppError> {
    let uid = monitor.0.user.id;
    let key = monitor.0.reader().map(|r| r.key);
    intake
        .db
        .run(move |c| super::model::filed_report(c, id, uid, key.as_ref()))
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /staff/my-reports/<id>`: a monitor opens a report they filed: status, thread, reply and
/// files, as its receipt would, without typing the receipt again.
#[rocket::get("/staff/my-reports/<id>")]
pub(super) async fn mine_one(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    page_of(page, &intake, &report, Door::Monitor, None, None, Status::Ok).await
}

/// `POST /staff/my-reports/<id>/messages`: the monitor answers for the person they filed for.
#[rocket::post("/staff/my-reports/<id>/messages", data = "<form>")]
pub(super) async fn mine_reply(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return page_of(page, &intake, &report, Door::Monitor, None, error, Status::Conflict).await;
    }
    match super::check_message(&s(&form.body)) {
        Ok(body) => {
            intake.add_message(&report, body, form.to.as_deref()).await?;
            let flash = Some(intake.tr("notice-message-sent"));
            page_of(page, &intake, &report, Door::Monitor, flash, None, Status::Created).await
        }
        Err(key) => {
            let error = Some(intake.tr(key));
            let draft = Draft { body: &s(&form.body), to: form.to.as_deref() };
            let status = Status::UnprocessableEntity;
            page_with_draft(page, &intake, &report, Door::Monitor, None, error, status, Some(draft)).await
        }
    }
}

#[derive(FromForm)]
pub struct MonitorAttachForm<'r> {
    pub(super) file: Capped<TempFile<'r>>,
}

/// `POST /staff/my-reports/<id>/attachments`: the monitor adds a file to a report they filed.
#[rocket::post("/staff/my-reports/<id>/attachments", data = "<form>")]
pub(super) async fn mine_attach(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
    mut form: Checked<MonitorAttachForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return page_of(page, &intake, &report, Door::Monitor, None, error, Status::Conflict).await;
    }
    let added = match super::routes::spooled(std::slice::from_mut(&mut form.file)).await {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            intake.attach_file(&report, source, size).await?
        }
        Ok(_) => Err(EvidenceError::Empty),
        Err(e) => Err(e),
    };
    let (flash, error, status) = match added {
        Ok(_) => (Some(intake.tr("notice-file-added")), None, Status::Created),
        Err(e) => (None, Some(intake.tr(e.key())), Status::UnprocessableEntity),
    };
    page_of(page, &intake, &report, Door::Monitor, flash, error, status).await
}

#[derive(Serialize)]
pub(super) struct MineRow {
    pub(super) id: i32,
    pub(super) submitted_on: String,
    pub(super) status: String,
    pub(super) region: String,
    pub(super) on_behalf_of: String,
}

/// `GET /staff/my-reports`: the reports a monitor filed and their public status, nothing else.
#[rocket::get("/staff/my-reports")]
pub(super) async fn mine(page: Page, intake: Intake<'_>, monitor: Monitor<'_>) -> Result<Template, AppError> {
    let uid = monitor.0.user.id;
    let key = monitor.0.reader().map(|r| r.key);
    let rows = intake.db.run(move |c| Ok(super::model::filed_by_monitor(c, uid, 500)?)).await?;
    let lang = intake.lang.clone();
    let rows: Vec<MineRow> = rows
        .into_iter()
        .map(|r| MineRow {
            id: r.id,
            submitted_on: super::date_in_words(r.submitted_on, &lang),
            status: intake.tr(&format!("status-{}", r.status)),
            region: r.region_code.and_then(|c| intake.geo.region_name(&c, &lang)).unwrap_or_default(),
            on_behalf_of: crate::keyring::report::on_behalf_of_for_monitor(
                r.on_behalf_of.as_deref().unwrap_or_default(),
                key.as_ref(),
            ),
        })
        .collect();
    Ok(Template::render("reports/mine", context! { page: page.0, rows }))
}
