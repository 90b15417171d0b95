//! The pages of investigators and ombudsman officers: their cases, a case with everything on
//! it, and the actions of the workflow. Each institution sees only its own cases and the
//! allegations routed to it; anything else answers 404.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::deadlines;
use super::model::{self, Case};
use super::workflow::{self, Status as CaseStatus};
use crate::accounts::guards::{CaseReader, CaseWorker};
use crate::accounts::routes::Auth;
use crate::accounts::{CurrentUser, Role};
use crate::audit::{self, Actor};
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::triage::model as triage;
use crate::web::{check_csrf, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        index,
        show,
        transition,
        assign,
        note,
        action,
        action_done,
        finding,
        recommendation,
        response,
        outcome,
        message
    ]
}

/// The institution whose cases the person works (None for an auditor, who reads all).
fn institution(u: &CurrentUser) -> Result<Option<i32>, AppError> {
    match u.role {
        Role::Auditor => Ok(None),
        Role::Investigator | Role::Ombudsman => u.user.institution_id.map(Some).ok_or(AppError::NotFound),
        _ => Err(AppError::NotFound),
    }
}

fn actor(auth: &Auth<'_>, u: &CurrentUser) -> Actor {
    Actor::User { id: u.user.id, email: u.user.email.clone(), ip: auth.ip.clone() }
}

#[derive(Serialize)]
struct Row {
    id: i32,
    title: String,
    occurred_on: String,
    region: String,
    status: String,
    assignee: Option<i32>,
    due: Vec<String>,
    overdue: bool,
    unread: usize,
}

const PAGE: i64 = 50;

/// `GET /staff/cases?scope=mine|institution|closed`
#[rocket::get("/staff/cases?<scope>&<before>")]
async fn index(
    page: Page,
    auth: Auth<'_>,
    reader: CaseReader,
    geo: &State<Arc<Geo>>,
    scope: Option<String>,
    before: Option<i32>,
) -> Result<Template, AppError> {
    let inst = institution(&reader.0)?;
    let scope = scope.unwrap_or_else(|| {
        if reader.0.role == Role::Auditor {
            "institution".into()
        } else {
            "mine".into()
        }
    });
    let mine = (scope == "mine").then_some(reader.0.user.id);
    let open_only = scope != "all";
    let uid = reader.0.user.id;
    let (rows, unread) = auth
        .db
        .run(move |c| {
            let rows = model::list(c, inst, mine, open_only, before, PAGE + 1)?;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let unread = model::unread_per_case(c, uid, &ids)?;
            Ok((rows, unread))
        })
        .await?;
    let lang = page.0.lang.clone();
    let today = Utc::now().date_naive();
    let more = rows.len() as i64 > PAGE;
    let rows: Vec<Row> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| {
            let status = CaseStatus::parse(&r.status).unwrap_or(CaseStatus::Received);
            let due = deadlines::due(status, r.acknowledge_by, r.triage_by, r.response_due_on, today);
            Row {
                id: r.id,
                title: r.event_title,
                occurred_on: r.occurred_on.to_string(),
                region: r.region_code.and_then(|c| geo.region_name(&c, &lang)).unwrap_or_default(),
                status: auth.catalog.message(&lang, &format!("case-status-{}", r.status), None),
                assignee: r.assignee_id,
                unread: unread.get(&r.id).copied().unwrap_or(0),
                overdue: due.iter().any(|d| d.threshold == "overdue"),
                due: due
                    .iter()
                    .map(|d| {
                        let kind = auth.catalog.message(&lang, &format!("deadline-kind-{}", d.kind), None);
                        format!("{kind}: {}", d.on)
                    })
                    .collect(),
            }
        })
        .collect();
    let next = if more { rows.last().map(|r| r.id) } else { None };
    Ok(Template::render("cases/index", context! { page: page.0, rows, scope, next }))
}

/// `GET /staff/cases/<id>`
#[rocket::get("/staff/cases/<id>")]
async fn show(
    page: Page,
    auth: Auth<'_>,
    reader: CaseReader,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
) -> Result<Template, AppError> {
    let inst = institution(&reader.0)?;
    let who = actor(&auth, &reader.0);
    let uid = reader.0.user.id;
    let data = auth
        .db
        .transaction(move |c| {
            let case = model::find_case(c, id, inst)?;
            // Privacy: the case page shows the reports' identifying data; the read is recorded.
            audit::record(c, &who, "case.view", "case", &id.to_string(), "")?;
            let event = triage::find_event(c, case.event_id)?;
            let alleg: Vec<triage::Allegation> = triage::allegations_of_event(c, case.event_id)?
                .into_iter()
                .filter(|a| a.case_id == Some(case.id))
                .collect();
            let mut reports = vec![];
            let rids: Vec<i32> = model::reports_of(c, case.event_id)?.into_iter().map(|r| r.0).collect();
            let marks = model::read_marks_of(c, &[uid], &rids)?;
            for rid in rids {
                let r = triage::find_report(c, rid, crate::triage::model::Scope::All)?;
                let files = triage::attachments_of(c, rid)?;
                // Security: the case shows its own institution's thread (and the shared one before
                // routing), never the other institution's exchange with the reporter.
                let msgs = triage::messages_of(c, rid, triage::Thread::Institution(case.institution_id))?;
                // What this person had seen before this view; the view marks the rest as read.
                let seen = marks.iter().find(|m| m.1 == rid).map(|m| m.2).unwrap_or(0);
                if let Some(last) = msgs.iter().map(|m| m.0).max() {
                    model::mark_read(c, uid, rid, last)?;
                }
                reports.push((r, files, msgs, seen));
            }
            let transitions = model::transitions_of(c, id)?;
            let notes = model::notes_of(c, id)?;
            let actions = model::actions_of(c, id)?;
            let recs = model::recommendations_of(c, id)?;
            let workers = model::workers_of(c, case.institution_id)?;
            Ok((case, event, alleg, reports, transitions, notes, actions, recs, workers))
        })
        .await?;
    let (case, event, alleg, reports, transitions, notes, actions, recs, workers) = data;
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let status = case.status();
    let can_act = reader.0.role != Role::Auditor;
    let next: Vec<(String, String)> = status
        .next()
        .iter()
        .map(|s| (s.as_str().to_string(), tr(&format!("case-status-{}", s.as_str()))))
        .collect();
    let allegations: Vec<serde_json::Value> = alleg
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id,
                "violation": tax.violation_type_by_id(a.violation_type_id).map(|(_, t)| t.label(&lang).to_string()),
                "force": tax.force_by_id(a.force_id).map(|f| f.label(&lang).to_string()),
                "unit": a.unit_description, "involvement": tr(&format!("involvement-{}", a.involvement)),
                "confidence": tr(&format!("confidence-{}", a.confidence)), "victims": a.victim_count,
                "reason": a.routing_reason,
                "disposition": a.disposition_id.and_then(|d| tax.dispositions.iter().find(|x| x.id == d)).map(|d| d.label(&lang).to_string()),
                "standard": a.standard_of_proof, "reasoning": a.finding_reasoning,
            })
        })
        .collect();
    let reports: Vec<serde_json::Value> = reports
        .into_iter()
        .map(|(r, files, msgs, seen)| {
            serde_json::json!({
                "id": r.id, "submitted_on": r.submitted_on.to_string(), "narrative": r.narrative,
                "name": r.reporter_name, "contact": r.reporter_contact, "relation": tr(&format!("relation-{}", r.reporter_relation)),
                "lat": r.lat, "lon": r.lon, "victims": r.victim_count, "children": r.children_involved,
                "files": files.iter().map(|f| serde_json::json!({"id": f.id, "kind": f.kind, "size": f.size_bytes, "sha256": f.sha256, "safe": f.safe, "warning": f.warning})).collect::<Vec<_>>(),
                "messages": msgs.iter().map(|m| serde_json::json!({"author": m.1, "body": m.2, "on": m.3.to_string(),
                    "who": if m.1 == "reporter" { tr("thread-reporter") } else { m.4.and_then(|i| tax.institutions.iter().find(|x| x.id == i)).map(|i| i.label(&lang).to_string()).unwrap_or_else(|| tr("thread-intake")) },
                    "new": m.1 == "reporter" && m.0 > seen})).collect::<Vec<_>>(),
                "unread": msgs.iter().filter(|m| m.1 == "reporter" && m.0 > seen).count(),
            })
        })
        .collect();
    let map = match (event.lat, event.lon) {
        (Some(lat), Some(lon)) => Some(geo.map_with_marker(lat, lon)),
        _ => None,
    };
    let today = Utc::now().date_naive();
    let due: Vec<String> =
        deadlines::due(status, case.acknowledge_by, case.triage_by, case.response_due_on, today)
            .iter()
            .map(|d| {
                format!(
                    "{}: {} ({})",
                    tr(&format!("deadline-kind-{}", d.kind)),
                    d.on,
                    tr(&format!("deadline-{}", d.threshold))
                )
            })
            .collect();
    let view = serde_json::json!({
        "id": case.id, "status": status.as_str(), "status_label": tr(&format!("case-status-{}", status.as_str())),
        "assignee": case.assignee_id, "opened_at": case.opened_at.format("%Y-%m-%d").to_string(),
        "acknowledge_by": case.acknowledge_by.map(|d| d.to_string()), "triage_by": case.triage_by.map(|d| d.to_string()),
        "response_due_on": case.response_due_on.map(|d| d.to_string()),
        "recommended_outcome": case.recommended_outcome, "authority_response": case.authority_response,
        "final_outcome": case.final_outcome, "disciplined": case.disciplined, "close_reason": case.close_reason,
        "institution": tax.institutions.iter().find(|i| i.id == case.institution_id).map(|i| i.label(&lang).to_string()),
    });
    let place = [
        event.cercle_code.as_deref().and_then(|c| geo.cercle_name(c)),
        event.region_code.as_deref().and_then(|r| geo.region_name(r, &lang)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let event = serde_json::json!({
        "title": event.title, "occurred_on": event.occurred_on.to_string(), "summary": event.summary,
        "where": place, "lat": event.lat, "lon": event.lon,
    });
    let transitions: Vec<serde_json::Value> = transitions
        .into_iter()
        .map(|t| {
            serde_json::json!({"from": t.0.map(|f| tr(&format!("case-status-{f}"))), "to": tr(&format!("case-status-{}", t.1)),
            "who": t.2, "why": t.3, "at": t.4.format("%Y-%m-%d %H:%M").to_string()})
        })
        .collect();
    let notes: Vec<serde_json::Value> = notes
        .into_iter()
        .map(|n| serde_json::json!({"who": n.0, "body": n.1, "at": n.2.format("%Y-%m-%d %H:%M").to_string()}))
        .collect();
    let actions: Vec<serde_json::Value> = actions
        .into_iter()
        .map(|a| serde_json::json!({"id": a.0, "description": a.1, "due_on": a.2.map(|d| d.to_string()), "done": a.3.is_some(),
            "late": a.3.is_none() && a.2.is_some_and(|d| d < today)}))
        .collect();
    let recs: Vec<serde_json::Value> = recs
        .into_iter()
        .map(|r| serde_json::json!({"id": r.0, "addressee": r.1, "content": r.2, "due_on": r.3.map(|d| d.to_string()), "response": r.4}))
        .collect();
    let workers: Vec<(i32, String)> = workers.into_iter().map(|w| (w.0, w.1)).collect();
    let dispositions: Vec<(String, String)> =
        tax.dispositions.iter().map(|d| (d.code.clone(), d.label(&lang).to_string())).collect();
    Ok(Template::render(
        "cases/show",
        context! {
            page: page.0, case: view, event, allegations, reports, transitions, notes, actions, recs, workers,
            next, can_act, map, due, dispositions,
        },
    ))
}

/// Loads a case of the worker's institution inside a transaction, runs `f`, records `action`.
async fn act<T: Send + 'static>(
    auth: &Auth<'_>,
    worker: &CaseWorker,
    id: i32,
    action: &'static str,
    f: impl FnOnce(&mut crate::db::DbConn, &Case) -> Result<(T, String), AppError> + Send + 'static,
) -> Result<T, AppError> {
    let inst = institution(&worker.0)?;
    let who = actor(auth, &worker.0);
    auth.db
        .transaction(move |c| {
            let case = model::find_case(c, id, inst)?;
            let (out, details) = f(c, &case)?;
            audit::record(c, &who, action, "case", &id.to_string(), &details)?;
            Ok(out)
        })
        .await
}

fn back(id: i32) -> Redirect {
    Redirect::to(format!("/staff/cases/{id}"))
}

#[derive(FromForm)]
pub struct TransitionForm {
    csrf: Option<String>,
    to: Option<String>,
    reason: Option<String>,
}

/// A step of the workflow; a refused one comes back with the state machine's message.
#[rocket::post("/staff/cases/<id>/transition", data = "<form>")]
async fn transition(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    page: Page,
    form: Form<TransitionForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let to = CaseStatus::parse(form.to.as_deref().unwrap_or("")).ok_or(AppError::BadRequest("status"))?;
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    let (uid, days) = (worker.0.user.id, auth.config.response_days);
    let result = act(&auth, &worker, id, "case.transition", move |c, case| {
        let from = case.status();
        if let Err(refusal) = workflow::check(from, to, &reason, case.assignee_id.is_some()) {
            return Ok((Err(refusal), String::new()));
        }
        model::transition(c, case, to, uid, &reason, days)?;
        model::refresh_public_status(c, case.event_id)?;
        Ok((Ok(()), format!("{} → {}: {reason}", from.as_str(), to.as_str())))
    })
    .await?;
    match result {
        Ok(()) => Ok(Either::Left(back(id))),
        Err(refusal) => {
            let msg = auth.catalog.message(&page.0.lang, refusal.key(), None);
            Ok(Either::Right((
                Status::UnprocessableEntity,
                Template::render("cases/refused", context! { page: page.0, id, msg }),
            )))
        }
    }
}

#[derive(FromForm)]
pub struct AssignForm {
    csrf: Option<String>,
    user_id: Option<i32>,
}

/// Assigns the case to a case worker of the same institution, who is told by mail.
#[rocket::post("/staff/cases/<id>/assign", data = "<form>")]
async fn assign(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<AssignForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let to = form.user_id.ok_or(AppError::BadRequest("user"))?;
    let (catalog, config) = (auth.catalog.clone(), auth.config.clone());
    act(&auth, &worker, id, "case.assign", move |c, case| {
        let workers = model::workers_of(c, case.institution_id)?;
        let Some(w) = workers.into_iter().find(|w| w.0 == to) else {
            return Err(AppError::BadRequest("not a case worker of this institution"));
        };
        model::assign(c, case.id, Some(w.0))?;
        let link = format!("{}/staff/cases/{}", config.public_url.trim_end_matches('/'), case.id);
        let (subject, body) = crate::notify::compose(
            &catalog,
            &w.3,
            "case-assigned",
            &[("link", link), ("case", case.id.to_string())],
        );
        crate::notify::enqueue(c, &w.2, &subject, &body, "case-assigned")?;
        Ok(((), format!("assignee={}", w.0)))
    })
    .await?;
    Ok(back(id))
}

#[derive(FromForm)]
pub struct TextForm {
    csrf: Option<String>,
    body: Option<String>,
    due_on: Option<String>,
    report_id: Option<i32>,
}

fn text(v: &Option<String>) -> Result<String, AppError> {
    let t = v.clone().unwrap_or_default().trim().to_string();
    if t.is_empty() {
        return Err(AppError::BadRequest("empty text"));
    }
    Ok(t)
}

fn date(v: &Option<String>) -> Option<NaiveDate> {
    v.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

#[rocket::post("/staff/cases/<id>/notes", data = "<form>")]
async fn note(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<TextForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let (body, uid) = (text(&form.body)?, worker.0.user.id);
    act(&auth, &worker, id, "case.note", move |c, case| {
        let n = model::add_note(c, case.id, uid, &body)?;
        Ok(((), format!("note={n}")))
    })
    .await?;
    Ok(back(id))
}

#[rocket::post("/staff/cases/<id>/actions", data = "<form>")]
async fn action(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<TextForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let (body, due, uid) = (text(&form.body)?, date(&form.due_on), worker.0.user.id);
    act(&auth, &worker, id, "case.action", move |c, case| {
        let a = model::add_action(c, case.id, uid, &body, due)?;
        Ok(((), format!("action={a} due={due:?}")))
    })
    .await?;
    Ok(back(id))
}

#[rocket::post("/staff/cases/<id>/actions/<aid>/done", data = "<form>")]
async fn action_done(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    aid: i32,
    cookies: &CookieJar<'_>,
    form: Form<TextForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    act(&auth, &worker, id, "case.action_done", move |c, case| {
        if model::complete_action(c, case.id, aid)? == 0 {
            return Err(AppError::NotFound);
        }
        Ok(((), format!("action={aid}")))
    })
    .await?;
    Ok(back(id))
}

#[derive(FromForm)]
pub struct FindingForm {
    csrf: Option<String>,
    allegation_id: Option<i32>,
    disposition: Option<String>,
    standard: Option<String>,
    reasoning: Option<String>,
}

/// The finding on one allegation of this case: disposition, standard of proof, reasoning.
#[rocket::post("/staff/cases/<id>/findings", data = "<form>")]
async fn finding(
    auth: Auth<'_>,
    worker: CaseWorker,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<FindingForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let aid = form.allegation_id.ok_or(AppError::BadRequest("allegation"))?;
    let code = form.disposition.clone().unwrap_or_default();
    let disp =
        tax.dispositions.iter().find(|d| d.code == code).ok_or(AppError::BadRequest("disposition"))?.id;
    let standard = form.standard.clone().unwrap_or_default();
    let reasoning = text(&form.reasoning)?;
    act(&auth, &worker, id, "case.finding", move |c, case| {
        // Only an allegation routed to this case: another institution's is not found.
        model::record_finding(c, case.id, aid, disp, &standard, &reasoning)
            .map_err(|_| AppError::NotFound)?;
        Ok(((), format!("allegation={aid} disposition={code}")))
    })
    .await?;
    Ok(back(id))
}

#[derive(FromForm)]
pub struct RecommendationForm {
    csrf: Option<String>,
    addressee: Option<String>,
    content: Option<String>,
    due_on: Option<String>,
    rec_id: Option<i32>,
    response: Option<String>,
}

#[rocket::post("/staff/cases/<id>/recommendations", data = "<form>")]
async fn recommendation(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<RecommendationForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let (to, content, due, uid) =
        (text(&form.addressee)?, text(&form.content)?, date(&form.due_on), worker.0.user.id);
    act(&auth, &worker, id, "case.recommendation", move |c, case| {
        let r = model::add_recommendation(c, case.id, uid, &to, &content, due)?;
        Ok(((), format!("recommendation={r} to={to}")))
    })
    .await?;
    Ok(back(id))
}

/// The authority's response to a recommendation.
#[rocket::post("/staff/cases/<id>/responses", data = "<form>")]
async fn response(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<RecommendationForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let (rid, resp) = (form.rec_id.ok_or(AppError::BadRequest("recommendation"))?, text(&form.response)?);
    act(&auth, &worker, id, "case.response", move |c, case| {
        if model::record_response(c, case.id, rid, &resp)? == 0 {
            return Err(AppError::NotFound);
        }
        Ok(((), format!("recommendation={rid}")))
    })
    .await?;
    Ok(back(id))
}

#[derive(FromForm)]
pub struct OutcomeForm {
    csrf: Option<String>,
    recommended: Option<String>,
    response: Option<String>,
    final_outcome: Option<String>,
    /// `yes`, `no` or empty (not known yet).
    disciplined: Option<String>,
}

/// Recommended versus final outcome, and whether anyone was disciplined: the headline
/// accountability figure.
#[rocket::post("/staff/cases/<id>/outcome", data = "<form>")]
async fn outcome(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<OutcomeForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let f = form.into_inner();
    let disciplined = match f.disciplined.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    act(&auth, &worker, id, "case.outcome", move |c, case| {
        model::set_outcome(
            c,
            case.id,
            f.recommended.as_deref().unwrap_or(""),
            f.response.as_deref().unwrap_or(""),
            f.final_outcome.as_deref().unwrap_or(""),
            disciplined,
        )?;
        Ok(((), format!("disciplined={disciplined:?}")))
    })
    .await?;
    Ok(back(id))
}

/// A message to a reporter of this case, through their receipt thread.
#[rocket::post("/staff/cases/<id>/messages", data = "<form>")]
async fn message(
    auth: Auth<'_>,
    worker: CaseWorker,
    id: i32,
    cookies: &CookieJar<'_>,
    form: Form<TextForm>,
) -> Result<Redirect, AppError> {
    check_csrf(cookies, form.csrf.as_deref().unwrap_or(""))?;
    let (body, rid, uid) =
        (text(&form.body)?, form.report_id.ok_or(AppError::BadRequest("report"))?, worker.0.user.id);
    act(&auth, &worker, id, "case.message", move |c, case| {
        if !model::reports_of(c, case.event_id)?.iter().any(|r| r.0 == rid) {
            return Err(AppError::NotFound);
        }
        let m = crate::reports::model::add_message(
            c,
            rid,
            "staff",
            Some(uid),
            &body,
            Utc::now().date_naive(),
            Some(case.institution_id),
        )?;
        Ok(((), format!("report={rid} message={m}")))
    })
    .await?;
    Ok(back(id))
}
