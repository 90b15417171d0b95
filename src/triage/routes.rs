//! The triage screens and actions.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::duplicates::{Kind, Params, Reason};
use super::model::{self, QueueFilter, Scope, Thread};
use super::scope_of;
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, IntakeOfficer, Staff, TriageReader};
use crate::cases::model as cases;
use crate::error::AppError;
use crate::events::views::{FileView, MessageView};
use crate::events::Admissibility;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, Page};

use super::attachments::*;
use super::event_pages::*;

pub fn routes() -> Vec<Route> {
    rocket::routes![
        queue,
        report,
        attachment,
        attachment_original,
        attachment_thumb,
        transcription,
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
pub(super) struct QueueView {
    pub(super) id: i32,
    pub(super) submitted_on: String,
    pub(super) occurred_on: String,
    pub(super) place: String,
    pub(super) violations: Vec<String>,
    pub(super) force: String,
    pub(super) overdue: bool,
    pub(super) children: bool,
    pub(super) event_id: Option<i32>,
    pub(super) admissibility: String,
    pub(super) files: i64,
    pub(super) unread: usize,
}

pub(super) const PAGE: i64 = 50;
/// The queue counts its reports up to this many, then says "more than".
pub(super) const COUNT_CAP: i64 = 10_000;

#[expect(clippy::too_many_arguments, reason = "one argument per filter of the page")]
#[rocket::get(
    "/staff/triage?<region>&<cercle>&<group>&<force>&<from>&<to>&<status>&<overdue>&<after>&<order>"
)]
pub(super) async fn queue(
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
pub(super) fn refused_page(page: Result<Template, AppError>) -> Result<Template, AppError> {
    match page {
        Err(AppError::NotFound) | Err(AppError::Database(diesel::result::Error::NotFound)) => {
            Err(AppError::BadRequest("refused form"))
        }
        other => other,
    }
}

/// The first `max` characters of a text, cut at a word, with an ellipsis when cut.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a.to_string()).unwrap_or(cut);
    format!("{cut}…")
}

pub fn place_name(geo: &Geo, cercle: Option<&str>, region: Option<&str>, lang: &str) -> String {
    let r = region.and_then(|r| geo.region_name(r, lang)).unwrap_or_default();
    match cercle.and_then(|c| geo.cercle_name(c)) {
        Some(c) if !r.is_empty() => format!("{c}, {r}"),
        Some(c) => c,
        None => r,
    }
}

#[derive(Serialize)]
pub(super) struct CandidateView {
    pub(super) kind: Kind,
    pub(super) id: i32,
    pub(super) excerpt: String,
    pub(super) score: f64,
    pub(super) reasons: Vec<String>,
    pub(super) event_id: Option<i32>,
}

pub(super) fn reason_text(auth: &Auth<'_>, lang: &str, r: &Reason) -> String {
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
pub(super) async fn report(
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
pub(super) async fn render_report(
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
    let role = user.role;
    let uid = user.user.id;
    let (geo2, tax2) = (Arc::clone(geo), Arc::clone(tax));
    // Everything is read first, without the write lock (on SQLite, scoring the candidates under
    // it held every writer behind this page); the view's audit entry and the read mark are then
    // written in a short transaction of their own, before anything is shown.
    let reader = user.reader();
    let (r, opened, vts, files, msgs, seen, ranked, events_of_cands, rtexts, etexts) = auth
        .db
        .run(move |c| {
            let mut r = model::find_report(c, id, scope)?;
            let (opened, key) = r.unseal(c, reader.as_ref())?;
            let vts: Vec<i32> = model::violations_of(c, &[id])?.into_iter().map(|v| v.1).collect();
            let mut files = model::attachments_of(c, id)?;
            // Security: a case worker reads their institution's thread; an intake officer the
            // shared one before routing; the auditor every thread.
            let all = if role == crate::auth::Role::Auditor { Thread::All } else { Thread::Shared };
            let mut msgs = model::messages_of(c, id, Thread::of(scope, all))?;
            // A sealed report's messages and transcriptions open with its data key.
            crate::events::model::open_thread(r.sealed.is_some(), key.as_ref(), &mut msgs, &mut files);
            // Unread markers (issue 10, item 9): what was seen before, then all of it.
            let seen = cases::read_marks_of(c, &[uid], &[id])?.first().map(|m| m.2).unwrap_or(0);
            let (ranked, evs) = super::duplicate_candidates(c, &geo2, &tax2, &r, &vts, params, scope, 10)?;
            // A short excerpt of each candidate (issue 10, item 14): a report's first words, an
            // event's title.
            let rids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Report).map(|s| s.id).collect();
            let eids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Event).map(|s| s.id).collect();
            let rtexts = model::report_excerpts(c, &rids, reader.as_ref())?;
            let etexts = model::event_titles(c, &eids)?;
            Ok((r, opened, vts, files, msgs, seen, ranked, evs, rtexts, etexts))
        })
        .await?;
    // Privacy: reading identifying data is recorded.
    let last = msgs.iter().map(|m| m.0).max();
    user.write("report.view", ("report", id.to_string()), move |c| {
        if let Some(last) = last {
            cases::mark_read(c, uid, id, last)?;
        }
        Ok(((), String::new()))
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
    let mut view = crate::events::views::ReportView::new(r, scope, labels);
    view.sealed_note = crate::events::views::sealed_note(&opened);
    let files: Vec<FileView> = files
        .into_iter()
        .map(|f| {
            let size = crate::i18n::size_text(auth.catalog, &lang, f.size_bytes as i64);
            FileView::new(f, size)
        })
        .collect();
    let (reporter, intake) = (
        auth.catalog.message(&lang, "thread-reporter", None),
        auth.catalog.message(&lang, "thread-intake", None),
    );
    let msgs: Vec<MessageView> = msgs
        .into_iter()
        .map(|m| {
            let inst =
                m.4.and_then(|i| tax.institutions.iter().find(|x| x.id == i))
                    .map(|x| x.label(&lang).to_string());
            MessageView::new(m, inst, &reporter, &intake, seen)
        })
        .collect();
    let can_triage = user.role == crate::auth::Role::Intake;
    let custodian = user.role == crate::auth::Role::Auditor;
    Ok(Template::render(
        "triage/report",
        context! { page: page.0, r: view, files, msgs, candidates, map, can_triage, custodian, fb },
    ))
}

#[derive(FromForm)]
pub struct AdmissibilityForm {
    pub(super) decision: Option<String>,
    pub(super) reason: Option<String>,
}

/// Admissible, inadmissible (with a reason) or out of scope (with the referral). The reporter
/// gets the plain status and a message in their language.
#[rocket::post("/staff/reports/<id>/admissibility", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub(super) async fn admissibility(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    channels: &State<Arc<crate::channels::Channels>>,
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
    let (uid, catalog) = (officer.0.user.id, auth.catalog.clone());
    let details = crate::audit::with_typed(decision.as_str(), &reason);
    let reader = officer.0.reader();
    let channels = channels.inner().clone();
    let done = officer
        .0
        .write_all(move |c| {
            let r = model::find_report(c, id, Scope::All)?;
            // Once its event is routed, the cases decide (a report closed at triage under open
            // cases, its reporter told it was inadmissible while they are investigated).
            if model::in_routed_event(c, id)? {
                return Ok((Err("triage-err-routed"), vec![]));
            }
            if model::set_admissibility(c, id, decision, (!reason.is_empty()).then_some(reason.as_str()))?
                == 0
            {
                return Ok((Ok("triage-done-admissibility-already"), vec![]));
            }
            if decision.needs_reason() {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("reason", reason.clone());
                let body =
                    catalog.message(&r.locale, &format!("reporter-msg-{}", decision.as_str()), Some(&args));
                let key = crate::keyring::model::writing_key(c, id, reader.as_ref())?;
                crate::reports::model::add_message(
                    c,
                    id,
                    "staff",
                    Some(uid),
                    &body,
                    Utc::now().date_naive(),
                    None,
                    key.as_ref(),
                )?;
                // A reporter who came by SMS or USSD and said yes to replies gets it by SMS.
                crate::channels::forward_staff_message(c, &channels.keys, id, &body)?;
            }
            if decision.public_status() == crate::events::PublicStatus::Closed {
                // Closed at triage, with no case to end later: the number kept goes now.
                crate::channels::model::erase_contact(c, id)?;
            }
            let entry = Audit::new("report.admissibility", "report", id, details.clone());
            Ok((Ok("triage-done-admissibility"), vec![entry]))
        })
        .await?;
    let back = Redirect::to(format!("/staff/reports/{id}"));
    Ok(Either::Left(match done {
        Ok(key) => Flash::success(back, format!("{key}|{label}")),
        Err(key) => Flash::error(back, format!("{key}|")),
    }))
}
