//! The triage screens and actions.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::duplicates::{Kind, Params, Reason};
use super::model::{self, QueueFilter, Scope, Thread};
use super::scope_of;
use crate::accounts::routes::Auth;
use crate::audit;
use crate::auth::guards::{EvidenceCustodian, IntakeOfficer, Staff, TriageReader};
use crate::cases::model as cases;
use crate::error::AppError;
use crate::events::Admissibility;
use crate::geo::Geo;
use crate::routing;
use crate::taxonomy::{Taxonomy, CONFIDENCES, INVOLVEMENTS};
use crate::web::Feedback;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        queue,
        report,
        attachment,
        attachment_original,
        attachment_thumb,
        admissibility,
        open_event,
        link_event,
        event,
        add_allegation,
        route_event,
        override_route
    ]
}

#[derive(Serialize)]
struct QueueView {
    id: i32,
    submitted_on: String,
    occurred_on: String,
    place: String,
    violations: Vec<String>,
    force: String,
    overdue: bool,
    children: bool,
    event_id: Option<i32>,
    admissibility: String,
    files: i64,
    unread: usize,
}

const PAGE: i64 = 50;
/// The queue counts its reports up to this many, then says "more than".
const COUNT_CAP: i64 = 10_000;

#[expect(clippy::too_many_arguments, reason = "one argument per filter of the page")]
#[rocket::get(
    "/staff/triage?<region>&<cercle>&<group>&<force>&<from>&<to>&<status>&<overdue>&<after>&<order>"
)]
async fn queue(
    page: Page,
    auth: Auth<'_>,
    staff: TriageReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    region: Option<String>,
    cercle: Option<String>,
    group: Option<String>,
    force: Option<String>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    overdue: Option<bool>,
    after: Option<i32>,
    order: Option<String>,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let date = |s: &Option<String>| s.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
    let today = auth.clock.now().date_naive();
    let status_f = status.clone().unwrap_or_else(|| "pending".into());
    let filter = QueueFilter {
        region: nonempty(&region),
        cercle: nonempty(&cercle),
        group_id: nonempty(&group)
            .and_then(|g| tax.groups.iter().find(|x| x.entry.code == g))
            .map(|g| g.entry.id),
        force_id: nonempty(&force).and_then(|f| tax.force(&f)).map(|f| f.id),
        from: date(&from),
        to: date(&to),
        admissibility: Admissibility::parse(&status_f),
        submitted_before: overdue.unwrap_or(false).then(|| today - Duration::days(auth.config.triage_days)),
    };
    let newest = order.as_deref() == Some("newest");
    let (uid, shared_only) = (staff.0.user.id, staff.0.role == crate::auth::Role::Intake);
    let rows = auth
        .db
        .run(move |c| {
            let rows = model::queue(c, &filter, after, newest, PAGE + 1)?;
            let total = model::queue_count(c, &filter, COUNT_CAP)?;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let vts = model::violations_of(c, &ids)?;
            let files = model::attachment_counts(c, &ids)?;
            let unread = cases::unread_per_report(c, uid, &ids, shared_only)?;
            Ok((rows, vts, total, files, unread))
        })
        .await?;
    let (rows, vts, total, files, unread) = rows;
    let more = rows.len() as i64 > PAGE;
    let views: Vec<QueueView> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| QueueView {
            id: r.id,
            submitted_on: r.submitted_on.to_string(),
            occurred_on: r.occurred_on.to_string(),
            place: place_name(geo, r.cercle_code.as_deref(), r.region_code.as_deref(), &lang),
            violations: vts
                .iter()
                .filter(|v| v.0 == r.id)
                .filter_map(|v| tax.violation_type_by_id(v.1).map(|(_, t)| t.label(&lang).to_string()))
                .collect(),
            force: tax.force_by_id(r.force_id).map(|f| f.label(&lang).to_string()).unwrap_or_default(),
            overdue: r.admissibility == "pending"
                && r.submitted_on + Duration::days(auth.config.triage_days) < today,
            children: r.children_involved,
            event_id: r.event_id,
            files: files.iter().find(|f| f.0 == r.id).map(|f| f.1).unwrap_or(0),
            unread: unread.get(&r.id).copied().unwrap_or(0),
            admissibility: r.admissibility,
        })
        .collect();
    let next = if more { views.last().map(|v| v.id) } else { None };
    let groups: Vec<(String, String)> =
        tax.groups.iter().map(|g| (g.entry.code.clone(), g.entry.label(&lang).to_string())).collect();
    let forces: Vec<(String, String)> =
        tax.forces.iter().map(|f| (f.code.clone(), f.label(&lang).to_string())).collect();
    let regions: Vec<(String, String)> = geo
        .boundaries
        .regions
        .iter()
        .map(|r| (r.code.clone(), geo.region_name(&r.code, &lang).unwrap_or_else(|| r.name.clone())))
        .collect();
    let cercles: Vec<(String, String)> =
        geo.boundaries.cercles.iter().map(|c| (c.code.clone(), c.name.clone())).collect();
    let f = context! {
        region: region.unwrap_or_default(), cercle: cercle.unwrap_or_default(), group: group.unwrap_or_default(),
        force: force.unwrap_or_default(), from: from.unwrap_or_default(), to: to.unwrap_or_default(),
        status: status_f, overdue: overdue.unwrap_or(false), order: if newest { "newest" } else { "oldest" },
    };
    Ok(Template::render(
        "triage/queue",
        context! { page: page.0, rows: views, next, f, groups, forces, regions, cercles, total: total.min(COUNT_CAP), more_than: total > COUNT_CAP },
    ))
}

/// A refused form's page; when the record itself is missing the refusal stays a bad request
/// (the form was wrong first), as it was before the page came back with the form.
fn refused_page(page: Result<Template, AppError>) -> Result<Template, AppError> {
    match page {
        Err(AppError::NotFound) | Err(AppError::Database(diesel::result::Error::NotFound)) => {
            Err(AppError::BadRequest("refused form"))
        }
        other => other,
    }
}

/// The first `max` characters of a text, cut at a word, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a.to_string()).unwrap_or(cut);
    format!("{cut}…")
}

fn place_name(geo: &Geo, cercle: Option<&str>, region: Option<&str>, lang: &str) -> String {
    let r = region.and_then(|r| geo.region_name(r, lang)).unwrap_or_default();
    match cercle.and_then(|c| geo.cercle_name(c)) {
        Some(c) if !r.is_empty() => format!("{c}, {r}"),
        Some(c) => c,
        None => r,
    }
}

#[derive(Serialize)]
struct CandidateView {
    kind: Kind,
    id: i32,
    excerpt: String,
    score: f64,
    reasons: Vec<String>,
    event_id: Option<i32>,
}

fn reason_text(auth: &Auth<'_>, lang: &str, r: &Reason) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    let key = match r {
        Reason::Distance { km } => {
            args.set("km", *km);
            "dup-distance"
        }
        Reason::SameCercle => "dup-same-cercle",
        Reason::AdjacentCercle => "dup-adjacent-cercle",
        Reason::SameRegion => "dup-same-region",
        Reason::SameGroup => "dup-same-group",
        Reason::DaysApart { days } => {
            args.set("days", *days);
            "dup-days"
        }
        Reason::SharedViolations { count } => {
            args.set("count", *count);
            "dup-shared"
        }
        Reason::SameForce => "dup-same-force",
    };
    auth.catalog.message(lang, key, Some(&args))
}

/// `GET /staff/reports/<id>`: the report with identity, contact and exact place, for the roles
/// that need them; every view is audited.
#[rocket::get("/staff/reports/<id>")]
async fn report(
    page: Page,
    auth: Auth<'_>,
    staff: Staff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
    id: i32,
) -> Result<Template, AppError> {
    let fb = Feedback::from_flash(flash, auth.catalog, &page.0.lang);
    render_report(page, &auth, &staff, tax, geo, id, fb).await
}

/// The report page, with the confirmation or the refusal of the last action.
async fn render_report(
    page: Page,
    auth: &Auth<'_>,
    user: &Staff<'_>,
    tax: &Arc<Taxonomy>,
    geo: &Arc<Geo>,
    id: i32,
    fb: Feedback,
) -> Result<Template, AppError> {
    let scope = scope_of(user).ok_or(AppError::NotFound)?;
    let lang = page.0.lang.clone();
    let params = Params {
        distance_km: auth.config.duplicate_distance_km,
        window_days: auth.config.duplicate_window_days,
    };
    let who = user.actor();
    let role = user.role;
    let uid = user.user.id;
    let (geo2, tax2) = (Arc::clone(geo), Arc::clone(tax));
    // Everything is read first, without the write lock (on SQLite, scoring the candidates under
    // it held every writer behind this page); the view's audit entry and the read mark are then
    // written in a short transaction of their own, before anything is shown.
    let (r, vts, files, msgs, seen, ranked, events_of_cands, rtexts, etexts) = auth
        .db
        .run(move |c| {
            let r = model::find_report(c, id, scope)?;
            let vts: Vec<i32> = model::violations_of(c, &[id])?.into_iter().map(|v| v.1).collect();
            let files = model::attachments_of(c, id)?;
            // Security: a case worker reads their institution's thread; an intake officer the
            // shared one before routing; the auditor every thread.
            let all = if role == crate::auth::Role::Auditor { Thread::All } else { Thread::Shared };
            let msgs = model::messages_of(c, id, Thread::of(scope, all))?;
            // Unread markers (issue 10, item 9): what was seen before, then all of it.
            let seen = cases::read_marks_of(c, &[uid], &[id])?.first().map(|m| m.2).unwrap_or(0);
            let (ranked, evs) = super::duplicate_candidates(c, &geo2, &tax2, &r, &vts, params, scope, 10)?;
            // A short excerpt of each candidate (issue 10, item 14): a report's first words, an
            // event's title.
            let rids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Report).map(|s| s.id).collect();
            let eids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Event).map(|s| s.id).collect();
            let (rtexts, etexts) = (model::report_excerpts(c, &rids)?, model::event_titles(c, &eids)?);
            Ok((r, vts, files, msgs, seen, ranked, evs, rtexts, etexts))
        })
        .await?;
    // Privacy: reading identifying data is recorded.
    let last = msgs.iter().map(|m| m.0).max();
    auth.db
        .transaction(move |c| {
            if let Some(last) = last {
                cases::mark_read(c, uid, id, last)?;
            }
            // Lock order: the audit chain last (docs/ARCHITECTURE.md, "Concurrency").
            audit::record(c, &who, "report.view", "report", &id.to_string(), "")?;
            Ok(())
        })
        .await?;
    let candidates: Vec<CandidateView> = ranked
        .into_iter()
        .map(|s| {
            let text = match s.kind {
                Kind::Report => rtexts.iter().find(|t| t.0 == s.id).map(|t| t.1.clone()),
                Kind::Event => etexts.iter().find(|t| t.0 == s.id).map(|t| t.1.clone()),
            };
            CandidateView {
                kind: s.kind,
                id: s.id,
                score: s.score,
                excerpt: excerpt(&text.unwrap_or_default(), 140),
                reasons: s.reasons.iter().map(|x| reason_text(auth, &lang, x)).collect(),
                event_id: match s.kind {
                    Kind::Event => Some(s.id),
                    Kind::Report => events_of_cands.iter().find(|e| e.0 == s.id).and_then(|e| e.1),
                },
            }
        })
        .collect();
    let map = match (r.lat, r.lon) {
        (Some(lat), Some(lon)) => Some(geo.map_with_marker(lat, lon)),
        _ => None,
    };
    let labels = crate::events::views::Labels {
        force: tax.force_by_id(r.force_id).map(|f| f.label(&lang).to_string()),
        place: r.place_id.and_then(|p| geo.gazetteer.get_any(p)).map(|p| p.name.clone()),
        r#where: place_name(geo, r.cercle_code.as_deref(), r.region_code.as_deref(), &lang),
        violations: vts
            .iter()
            .filter_map(|v| tax.violation_type_by_id(*v).map(|(_, t)| t.label(&lang).to_string()))
            .collect(),
    };
    // Privacy: the type says what this reader may see (the identity is the case's institution's).
    let view = crate::events::views::ReportView::new(r, scope, labels);
    let files: Vec<serde_json::Value> = files
        .into_iter()
        .map(|f| serde_json::json!({"id": f.id, "kind": f.kind, "type": f.content_type, "size": f.size_bytes, "size_text": crate::i18n::size_text(auth.catalog, &lang, f.size_bytes as i64), "sha256": f.sha256, "on": f.uploaded_on.to_string(), "safe": f.safe, "warning": f.warning}))
        .collect();
    let msgs: Vec<serde_json::Value> = msgs
        .into_iter()
        .map(|m| {
            let inst =
                m.4.and_then(|i| tax.institutions.iter().find(|x| x.id == i))
                    .map(|x| x.label(&lang).to_string());
            let who = if m.1 == "reporter" {
                auth.catalog.message(&lang, "thread-reporter", None)
            } else {
                let inst = inst.clone().unwrap_or_else(|| auth.catalog.message(&lang, "thread-intake", None));
                match &m.5 {
                    Some(name) => format!("{name} · {inst}"),
                    None => inst,
                }
            };
            serde_json::json!({"author": m.1, "body": m.2, "on": m.3.to_string(), "institution": inst, "who": who,
                "new": m.1 == "reporter" && m.0 > seen})
        })
        .collect();
    let can_triage = user.role == crate::auth::Role::Intake;
    let custodian = user.role == crate::auth::Role::Auditor;
    Ok(Template::render(
        "triage/report",
        context! { page: page.0, r: view, files, msgs, candidates, map, can_triage, custodian, fb },
    ))
}

/// An evidence file as downloaded: its bytes, its type, a neutral file name, always as an
/// attachment (never shown inline) and inside a CSP sandbox, so a PDF's JavaScript or an HTML
/// page hidden in a file cannot run in Vigie's origin even if a browser opens it.
#[derive(rocket::Responder)]
pub struct Download {
    body: Vec<u8>,
    content_type: ContentType,
    disposition: Header<'static>,
    csp: Header<'static>,
}

/// The CSP of a downloaded evidence file.
pub const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

fn download(id: i32, content_type: &str, body: Vec<u8>, original: bool) -> Download {
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
async fn attachment(auth: Auth<'_>, staff: Staff<'_>, id: i32) -> Result<Download, AppError> {
    let scope = scope_of(&staff).ok_or(AppError::NotFound)?;
    let who = staff.actor();
    let (meta, data) = auth
        .db
        .transaction(move |c| {
            let (meta, data) = model::attachment_data(c, id, scope, model::FileCopy::Staff)?;
            if data.is_some() {
                let copy = if meta.kind == "image" { "safe" } else { "original" };
                audit::record(
                    c,
                    &who,
                    "attachment.download",
                    "attachment",
                    &id.to_string(),
                    &format!("sha256={} copy={copy}", meta.sha256),
                )?;
            }
            Ok((meta, data))
        })
        .await?;
    // A photo that could not be re-encoded is readable by the auditor only.
    let (ct, body) = data.ok_or(AppError::NotFound)?;
    Ok(download(meta.id, &ct, body, false))
}

/// `GET /staff/attachments/<id>/thumb`: a small picture of a photo's staff copy (no metadata),
/// shown on the case and report pages; as scoped and audited as the copy itself.
#[rocket::get("/staff/attachments/<id>/thumb")]
async fn attachment_thumb(auth: Auth<'_>, staff: Staff<'_>, id: i32) -> Result<Download, AppError> {
    let scope = scope_of(&staff).ok_or(AppError::NotFound)?;
    let who = staff.actor();
    let (meta, data) = auth
        .db
        .transaction(move |c| {
            let (meta, data) = model::attachment_data(c, id, scope, model::FileCopy::Staff)?;
            if data.is_some() && meta.kind == "image" {
                let details = format!("sha256={} copy=thumbnail", meta.sha256);
                audit::record(c, &who, "attachment.thumbnail", "attachment", &id.to_string(), &details)?;
            }
            Ok((meta, data))
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
async fn attachment_original(
    auth: Auth<'_>,
    staff: EvidenceCustodian<'_>,
    id: i32,
) -> Result<Download, AppError> {
    let who = staff.0.actor();
    let (meta, data) = auth
        .db
        .transaction(move |c| {
            let (meta, data) = model::attachment_data(c, id, Scope::All, model::FileCopy::Original)?;
            audit::record(
                c,
                &who,
                "attachment.original",
                "attachment",
                &id.to_string(),
                &format!("sha256={}", meta.sha256),
            )?;
            Ok((meta, data))
        })
        .await?;
    let (ct, body) = data.ok_or(AppError::NotFound)?;
    Ok(download(meta.id, &ct, body, true))
}

#[derive(FromForm)]
pub struct AdmissibilityForm {
    decision: Option<String>,
    reason: Option<String>,
}

/// Admissible, inadmissible (with a reason) or out of scope (with the referral). The reporter
/// gets the plain status and a message in their language.
#[rocket::post("/staff/reports/<id>/admissibility", data = "<form>")]
async fn admissibility(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<AdmissibilityForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let typed = form.decision.clone().unwrap_or_default();
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    let lang = page.0.lang.clone();
    let decision = Admissibility::parse(&typed).filter(|d| Admissibility::DECISIONS.contains(d));
    let field_error = match decision {
        None => Some(("decision", "triage-err-decision")),
        Some(d) if d.needs_reason() && reason.is_empty() => Some(("reason", "triage-err-reason")),
        Some(_) => None,
    };
    if let Some((field, key)) = field_error {
        let fb = Feedback::refused(
            "admissibility",
            &[(field, auth.catalog.message(&lang, key, None))],
            &[("decision", typed.as_str()), ("reason", reason.as_str())],
        );
        let t = refused_page(render_report(page, &auth, &officer.0, tax, geo, id, fb).await)?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let Some(decision) = decision else { return Err(AppError::BadRequest("decision")) };
    let label = auth.catalog.message(&lang, &format!("admissibility-{}", decision.as_str()), None);
    let (who, uid, catalog) = (officer.0.actor(), officer.0.user.id, auth.catalog.clone());
    auth.db
        .transaction(move |c| {
            let r = model::find_report(c, id, Scope::All)?;
            model::set_admissibility(c, id, decision, (!reason.is_empty()).then_some(reason.as_str()))?;
            if decision.needs_reason() {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("reason", reason.clone());
                let body =
                    catalog.message(&r.locale, &format!("reporter-msg-{}", decision.as_str()), Some(&args));
                crate::reports::model::add_message(
                    c,
                    id,
                    "staff",
                    Some(uid),
                    &body,
                    Utc::now().date_naive(),
                    None,
                )?;
            }
            // Lock order: the audit chain last.
            audit::record(
                c,
                &who,
                "report.admissibility",
                "report",
                &id.to_string(),
                &format!("{}: {reason}", decision.as_str()),
            )?;
            Ok(())
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/reports/{id}")),
        format!("triage-done-admissibility|{label}"),
    )))
}

#[derive(FromForm)]
pub struct EventForm {
    title: Option<String>,
    summary: Option<String>,
    prior_approach: bool,
    court_pending: bool,
    event_id: Option<i32>,
    /// A report-only duplicate candidate taken into the new event in the same action.
    with_report: Option<i32>,
}

/// Opens a new event from a report.
#[rocket::post("/staff/reports/<id>/events", data = "<form>")]
async fn open_event(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<EventForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let title = form.title.clone().unwrap_or_default().trim().to_string();
    let summary = form.summary.clone().unwrap_or_default();
    if title.is_empty() {
        let fb = Feedback::refused(
            "open-event",
            &[("title", auth.catalog.message(&page.0.lang, "triage-err-title", None))],
            &[("title", ""), ("summary", summary.as_str())],
        );
        let t = refused_page(render_report(page, &auth, &officer.0, tax, geo, id, fb).await)?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let (pa, cp) = (form.prior_approach, form.court_pending);
    let (who, uid) = (officer.0.actor(), officer.0.user.id);
    let with_report = form.with_report.filter(|w| *w != id);
    let typed_title = title.clone();
    let event_id = auth
        .db
        .transaction(move |c| {
            let r = model::find_report(c, id, Scope::All)?;
            if r.event_id.is_some() {
                return Err(AppError::Moved);
            }
            // Concurrency: the report is linked only if still free (a conditional update); the
            // loser of two officers at once rolls its event back.
            let e = model::create_event_from(c, &r, &title, &summary, pa, cp, uid)?.ok_or(AppError::Moved)?;
            model::mark_under_review(c, id)?;
            // One action for two duplicates: the candidate joins the new event too.
            if let Some(w) = with_report {
                if model::find_report(c, w, Scope::All)?.event_id.is_some() {
                    return Err(AppError::BadRequest("the other report already belongs to an event"));
                }
                if model::link_free_report(c, w, e)? == 0 {
                    return Err(AppError::BadRequest("the other report already belongs to an event"));
                }
                model::mark_under_review(c, w)?;
            }
            // Lock order: the audit chain last.
            audit::record(c, &who, "event.create", "event", &e.to_string(), &format!("from report {id}"))?;
            if let Some(w) = with_report {
                audit::record(c, &who, "report.link", "report", &w.to_string(), &format!("event={e}"))?;
            }
            Ok(e)
        })
        .await;
    let event_id = match event_id {
        // Someone else put the report into an event first: its page again, saying so.
        Err(AppError::Moved) => {
            let fb = Feedback::refused(
                "open-event",
                &[("title", auth.catalog.message(&page.0.lang, "triage-err-already-linked", None))],
                &[("title", typed_title.as_str()), ("summary", form.summary.as_deref().unwrap_or(""))],
            );
            let t = refused_page(render_report(page, &auth, &officer.0, tax, geo, id, fb).await)?;
            return Ok(Either::Right((Status::UnprocessableEntity, t)));
        }
        other => other?,
    };
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/events/{event_id}")),
        format!("triage-done-event|{event_id}"),
    )))
}

/// Links a report to an existing event (merging duplicates; the report itself is unchanged).
#[rocket::post("/staff/reports/<id>/link", data = "<form>")]
async fn link_event(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    id: i32,
    form: Checked<EventForm>,
) -> Result<Flash<Redirect>, AppError> {
    let event_id = form.event_id.ok_or(AppError::BadRequest("event"))?;
    let who = officer.0.actor();
    auth.db
        .transaction(move |c| {
            model::find_report(c, id, Scope::All)?;
            model::find_event(c, event_id)?;
            model::link_report(c, id, event_id)?;
            // The report takes the status of the event's cases, if any.
            cases::refresh_public_status(c, event_id)?;
            if model::cases_of_event(c, event_id)?.is_empty() {
                model::mark_under_review(c, id)?;
            }
            // Lock order: the audit chain last (the case's step takes the case, then the
            // event's reports, then the chain; taking the chain first here deadlocked).
            audit::record(c, &who, "report.link", "report", &id.to_string(), &format!("event={event_id}"))?;
            Ok(())
        })
        .await?;
    Ok(Flash::success(Redirect::to(format!("/staff/events/{event_id}")), format!("triage-done-linked|{id}")))
}

#[rocket::get("/staff/events/<id>")]
async fn event(
    page: Page,
    auth: Auth<'_>,
    staff: TriageReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
    id: i32,
) -> Result<Template, AppError> {
    let fb = Feedback::from_flash(flash, auth.catalog, &page.0.lang);
    render_event(page, &auth, &staff.0, tax, geo, id, fb).await
}

/// The event page, with the confirmation or the refusal of the last action. Who may see it is
/// said by the callers' guards (`TriageReader`, `IntakeOfficer`).
async fn render_event(
    page: Page,
    auth: &Auth<'_>,
    user: &Staff<'_>,
    tax: &Arc<Taxonomy>,
    geo: &Arc<Geo>,
    id: i32,
    fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let (e, reports, alleg, case_rows, reported, report_forces, rules) = auth
        .db
        .run(move |c| {
            let e = model::find_event(c, id)?;
            let reports = model::reports_of_event(c, id)?;
            let alleg = model::allegations_of_event(c, id)?;
            // What the reports themselves say: their violations and force start the form.
            let rids: Vec<i32> = reports.iter().map(|r| r.0).collect();
            let reported: Vec<i32> = model::violations_of(c, &rids)?.into_iter().map(|v| v.1).collect();
            let mut forces = vec![];
            for rid in &rids {
                forces.push(model::find_report(c, *rid, Scope::All)?.force_id);
            }
            let case_rows = model::cases_of_event(c, id)?;
            let rules = routing::model::load(c)?;
            Ok((e, reports, alleg, case_rows, reported, forces, rules))
        })
        .await?;
    let inst_name = |iid: i32| {
        tax.institutions.iter().find(|i| i.id == iid).map(|i| i.label(&lang).to_string()).unwrap_or_default()
    };
    let allegations: Vec<serde_json::Value> = alleg
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id,
                "violation": tax.violation_type_by_id(a.violation_type_id).map(|(_, t)| t.label(&lang).to_string()),
                "force": tax.force_by_id(a.force_id).map(|f| f.label(&lang).to_string()),
                "unit": a.unit_description, "involvement": a.involvement, "confidence": a.confidence,
                "victims": a.victim_count, "children": a.children_involved,
                "destination": a.destination_id.map(inst_name), "reason": super::routing_basis(&rules, a, auth.catalog, &lang),
                "override": a.override_reason, "case_id": a.case_id,
            })
        })
        .collect();
    let cases: Vec<serde_json::Value> = case_rows
        .iter()
        .map(|(cid, iid, st)| serde_json::json!({"id": cid, "institution": inst_name(*iid), "status": st}))
        .collect();
    let types: Vec<(String, String)> = tax
        .groups
        .iter()
        .flat_map(|g| {
            let l = lang.as_str();
            g.types.iter().map(move |t| (t.code.clone(), format!("{} — {}", g.entry.label(l), t.label(l))))
        })
        .collect();
    let forces: Vec<(String, String)> =
        tax.forces.iter().map(|f| (f.code.clone(), f.label(&lang).to_string())).collect();
    // Issue 10, item 11: no silent default for grave fields. The form offers the reports' own
    // violations first and starts on the first one not alleged yet; the force starts on the
    // reports' force; involvement and confidence start on "unknown".
    let mut suggested: Vec<(String, String)> = vec![];
    for v in &reported {
        if let Some((g, t)) = tax.violation_type_by_id(*v) {
            if !suggested.iter().any(|s| s.0 == t.code) {
                suggested.push((t.code.clone(), format!("{} — {}", g.entry.label(&lang), t.label(&lang))));
            }
        }
    }
    let alleged: Vec<String> = alleg
        .iter()
        .filter_map(|a| tax.violation_type_by_id(a.violation_type_id).map(|(_, t)| t.code.clone()))
        .collect();
    let start_type = suggested.iter().map(|s| s.0.clone()).find(|c| !alleged.contains(c)).unwrap_or_default();
    let start_force =
        report_forces.first().and_then(|f| tax.force_by_id(*f)).map(|f| f.code.clone()).unwrap_or_default();
    // A refused allegation comes back with the values as chosen.
    let (start_type, start_force) = if fb.form.as_deref() == Some("allegation") {
        (
            fb.values.get("violation_type").cloned().unwrap_or_default(),
            fb.values.get("force").cloned().unwrap_or_default(),
        )
    } else {
        (start_type, start_force)
    };
    let institutions: Vec<(String, String)> =
        tax.institutions.iter().map(|i| (i.code.clone(), i.label(&lang).to_string())).collect();
    let view = serde_json::json!({
        "id": e.id, "title": e.title, "occurred_on": e.occurred_on.to_string(), "summary": e.summary,
        "where": place_name(geo, e.cercle_code.as_deref(), e.region_code.as_deref(), &lang),
        "prior_approach": e.prior_approach, "court_pending": e.court_pending,
    });
    let reports: Vec<serde_json::Value> = reports
        .into_iter()
        .map(|r| serde_json::json!({"id": r.0, "submitted_on": r.1.to_string(), "channel": auth.catalog.message(&lang, &format!("channel-{}", r.2), None)}))
        .collect();
    let can_triage = user.role == crate::auth::Role::Intake;
    let unrouted = alleg.iter().any(|a| a.destination_id.is_none());
    Ok(Template::render(
        "triage/event",
        context! {
            page: page.0, e: view, reports, allegations, cases, types, forces, institutions, can_triage, unrouted,
            involvements: INVOLVEMENTS, confidences: CONFIDENCES, suggested, start_type, start_force, fb,
        },
    ))
}

#[derive(FromForm)]
pub struct AllegationForm {
    violation_type: Option<String>,
    force: Option<String>,
    unit: Option<String>,
    identifiers: Option<String>,
    involvement: Option<String>,
    confidence: Option<String>,
    victim_count: Option<i32>,
    children: bool,
}

#[rocket::post("/staff/events/<id>/allegations", data = "<form>")]
async fn add_allegation(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<AllegationForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let raw_vt = form.violation_type.clone().unwrap_or_default();
    let raw_force = form.force.clone().unwrap_or_default();
    let vt = tax.violation_type(&raw_vt).map(|v| v.1.id);
    let force = tax.force(&raw_force).map(|f| f.id);
    let (Some(vt), Some(force)) = (vt, force) else {
        let lang = page.0.lang.clone();
        let mut errors = vec![];
        if vt.is_none() {
            errors.push(("violation_type", auth.catalog.message(&lang, "triage-err-violation", None)));
        }
        if force.is_none() {
            errors.push(("force", auth.catalog.message(&lang, "triage-err-force", None)));
        }
        let fb = Feedback::refused(
            "allegation",
            &errors,
            &[("violation_type", raw_vt.as_str()), ("force", raw_force.as_str())],
        );
        let t = refused_page(render_event(page, &auth, &officer.0, tax, geo, id, fb).await)?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    };
    let involvement = form
        .involvement
        .clone()
        .filter(|i| INVOLVEMENTS.contains(&i.as_str()))
        .unwrap_or_else(|| "unknown".into());
    let confidence = form
        .confidence
        .clone()
        .filter(|i| CONFIDENCES.contains(&i.as_str()))
        .unwrap_or_else(|| "unknown".into());
    let unit = form.unit.clone().unwrap_or_default();
    let identifiers = form.identifiers.clone().unwrap_or_default();
    let (victims, children) = (form.victim_count.filter(|v| *v >= 0), form.children);
    let who = officer.0.actor();
    let aid = auth
        .db
        .transaction(move |c| {
            model::find_event(c, id)?;
            let aid = model::insert_allegation(
                c,
                &model::NewAllegation {
                    event_id: id,
                    violation_type_id: vt,
                    force_id: force,
                    unit_description: &unit,
                    identifiers_seen: &identifiers,
                    involvement: &involvement,
                    confidence: &confidence,
                    victim_count: victims,
                    children_involved: children,
                },
            )?;
            audit::record(
                c,
                &who,
                "allegation.create",
                "allegation",
                &aid.to_string(),
                &format!("event={id}"),
            )?;
            Ok(aid)
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/events/{id}")),
        format!("triage-done-allegation|{}", aid),
    )))
}

/// Routes every allegation of the event that has no destination yet, by the rules; opens the
/// case at each destination. Each decision records the rule that fired and why.
#[rocket::post("/staff/events/<id>/route", data = "<_form>")]
async fn route_event(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    _form: Checked<EventForm>,
) -> Result<Flash<Redirect>, AppError> {
    let tax = Arc::clone(tax);
    let who = officer.0.actor();
    let (ack, tri, now) = (auth.config.acknowledge_days, auth.config.triage_days, auth.clock.naive());
    let routed = auth
        .db
        .transaction(move |c| {
            let mut routed = 0;
            // The audit entries, appended last (lock order).
            let mut entries: Vec<(&'static str, &'static str, String, String)> = vec![];
            // Concurrency: two officers routing one event act one after the other; the second
            // finds nothing left to route (no duplicate case, no unique-key error).
            model::lock_event(c, id)?;
            let e = model::find_event(c, id)?;
            let rules = routing::model::load(c)?;
            let pending: Vec<_> = model::allegations_of_event(c, id)?
                .into_iter()
                .filter(|a| a.destination_id.is_none())
                .collect();
            if pending.is_empty() {
                return Ok(None);
            }
            for a in pending {
                let (group, vt) = tax.violation_type_by_id(a.violation_type_id).ok_or(AppError::NotFound)?;
                let facts = routing::Facts {
                    violation_group: group.entry.code.clone(),
                    violation_type: vt.code.clone(),
                    force: tax.force_by_id(a.force_id).map(|f| f.code.clone()).unwrap_or_default(),
                    prior_approach: e.prior_approach,
                    court_pending: e.court_pending,
                    children_involved: a.children_involved,
                };
                // No rule fits: the allegation waits for the officer's decision (override).
                let Some(decision) = routing::decide(&rules, &facts) else { continue };
                routed += 1;
                let inst = tax
                    .institutions
                    .iter()
                    .find(|i| i.code == decision.destination)
                    .ok_or(AppError::NotFound)?
                    .id;
                let (case_id, opened) = cases::open_case(c, id, inst, ack, tri, now)?;
                model::set_destination(
                    c,
                    a.id,
                    inst,
                    Some(decision.rule_id),
                    &decision.reason.to_json(),
                    None,
                    case_id,
                )?;
                entries.push((
                    "allegation.route",
                    "allegation",
                    a.id.to_string(),
                    format!("{} → case {case_id}: {}", decision.destination, decision.reason.to_json()),
                ));
                if opened {
                    entries.push((
                        "case.open",
                        "case",
                        case_id.to_string(),
                        format!("event={id} institution={}", decision.destination),
                    ));
                }
            }
            cases::refresh_public_status(c, id)?;
            for (action, kind, object, details) in entries {
                audit::record(c, &who, action, kind, &object, &details)?;
            }
            Ok(Some(routed))
        })
        .await?;
    let said = match routed {
        Some(n) => format!("triage-done-routed|{n}"),
        None => "triage-done-routed-none|".to_string(),
    };
    Ok(Flash::success(Redirect::to(format!("/staff/events/{id}")), said))
}

#[derive(FromForm)]
pub struct OverrideForm {
    destination: Option<String>,
    reason: Option<String>,
}

/// An intake officer sends an allegation elsewhere than the rules did, with a written reason.
#[rocket::post("/staff/allegations/<id>/override", data = "<form>")]
async fn override_route(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<OverrideForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    let code = form.destination.clone().unwrap_or_default();
    let inst = match tax.institutions.iter().find(|i| i.code == code) {
        Some(i) if !reason.is_empty() => i.id,
        known => {
            let (field, key) = match known {
                None => ("destination", "routing-err-destination"),
                Some(_) => ("reason", "triage-err-override"),
            };
            let a = auth.db.run(move |c| Ok(model::find_allegation(c, id)?)).await?;
            let fb = Feedback::refused(
                &format!("override-{id}"),
                &[(field, auth.catalog.message(&page.0.lang, key, None))],
                &[("destination", code.as_str()), ("reason", reason.as_str())],
            );
            let t = render_event(page, &auth, &officer.0, tax, geo, a.event_id, fb).await?;
            return Ok(Either::Right((Status::UnprocessableEntity, t)));
        }
    };
    let who = officer.0.actor();
    let (ack, tri, now) = (auth.config.acknowledge_days, auth.config.triage_days, auth.clock.naive());
    let event_id = auth
        .db
        .transaction(move |c| {
            let a = model::find_allegation(c, id)?;
            // The same order as routing: the event's row first (see `route_event`).
            model::lock_event(c, a.event_id)?;
            let a = model::find_allegation(c, id)?;
            if a.disposition_id.is_some() {
                return Err(AppError::BadRequest("a finding was already recorded"));
            }
            let (case_id, opened) = cases::open_case(c, a.event_id, inst, ack, tri, now)?;
            let why = routing::RoutingFact::Override.to_json();
            model::set_destination(c, id, inst, None, &why, Some(&reason), case_id)?;
            cases::refresh_public_status(c, a.event_id)?;
            // Lock order: the audit chain last.
            let details = format!("from={:?} to={code} case={case_id}: {reason}", a.destination_id);
            audit::record(c, &who, "allegation.override", "allegation", &id.to_string(), &details)?;
            if opened {
                audit::record(
                    c,
                    &who,
                    "case.open",
                    "case",
                    &case_id.to_string(),
                    &format!("event={} institution={code}", a.event_id),
                )?;
            }
            Ok(a.event_id)
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/events/{event_id}")),
        format!("triage-done-override|{id}"),
    )))
}
