//! The pages of investigators and ombudsman officers: their cases, a case with everything on
//! it, and the actions of the workflow. Each institution sees only its own cases and the
//! allegations routed to it; anything else answers 404.

use std::sync::Arc;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::deadlines;
use super::model::{self, Case};
use super::views::*;
use super::workflow::{self, Status as CaseStatus};
use crate::accounts::routes::Auth;
use crate::auth::guards::{CaseReader, CaseWorker, Staff};
use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use crate::events::model as triage;
use crate::events::views::{FileView, Identity, MessageView};
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, Page};

use super::work::*;

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
        message,
        voice_message
    ]
}

/// The institution whose cases the person works (None for an auditor, who reads all).
pub(super) fn institution(u: &CurrentUser) -> Result<Option<i32>, AppError> {
    match u.role {
        Role::Auditor => Ok(None),
        Role::Investigator | Role::Ombudsman => u.user.institution_id.map(Some).ok_or(AppError::NotFound),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Serialize)]
pub(super) struct Row {
    pub(super) id: i32,
    pub(super) title: String,
    pub(super) occurred_on: String,
    pub(super) region: String,
    pub(super) status: String,
    pub(super) assignee: Option<i32>,
    pub(super) due: Vec<String>,
    pub(super) overdue: bool,
    pub(super) unread: usize,
}

pub(super) const PAGE: i64 = 50;

/// The list's query: which cases, from where on, and the narrowing as typed in a link (the
/// staff map's areas link here): codes and dates that are not understood are dropped.
#[derive(Debug, Default, FromForm)]
pub(super) struct ListQuery {
    scope: Option<String>,
    before: Option<i32>,
    region: Option<String>,
    cercle: Option<String>,
    from: Option<String>,
    to: Option<String>,
    group: Option<String>,
    force: Option<String>,
}

/// The narrowing understood, its query string (kept by the page's links) and its words.
fn narrowing(q: &ListQuery, geo: &Geo, tax: &Taxonomy, lang: &str) -> (model::Narrow, String, Vec<String>) {
    let given =
        |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let date =
        |s: &Option<String>| given(s).and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    let region = given(&q.region).filter(|r| geo.region_name(r, lang).is_some());
    let cercle = given(&q.cercle).filter(|c| geo.cercle_name(c).is_some());
    let group = given(&q.group).and_then(|g| tax.groups.iter().find(|x| x.entry.code == g));
    let force = given(&q.force).and_then(|f| tax.force(&f));
    let n = model::Narrow {
        region: region.clone(),
        cercle: cercle.clone(),
        from: date(&q.from),
        to: date(&q.to),
        group_id: group.map(|g| g.entry.id),
        force_id: force.map(|f| f.id),
    };
    let mut qs = String::new();
    let mut words = vec![];
    // Every value below is a known code or a parsed date: nothing typed reaches the link.
    if let Some(r) = &region {
        qs.push_str(&format!("&region={r}"));
        words.extend(geo.region_name(r, lang));
    }
    if let Some(c) = &cercle {
        qs.push_str(&format!("&cercle={c}"));
        words.extend(geo.cercle_name(c));
    }
    match (n.from, n.to) {
        (Some(f), Some(t)) => words.push(format!("{f} – {t}")),
        (Some(f), None) => words.push(format!("{f} –")),
        (None, Some(t)) => words.push(format!("– {t}")),
        (None, None) => {}
    }
    if let Some(f) = n.from {
        qs.push_str(&format!("&from={f}"));
    }
    if let Some(t) = n.to {
        qs.push_str(&format!("&to={t}"));
    }
    if let Some(g) = group {
        qs.push_str(&format!("&group={}", g.entry.code));
        words.push(g.entry.label(lang).to_string());
    }
    if let Some(f) = force {
        qs.push_str(&format!("&force={}", f.code));
        words.push(f.label(lang).to_string());
    }
    (n, qs, words)
}

/// `GET /staff/cases?scope=mine|institution|all`, narrowed by place, period, violation group
/// and force when asked.
#[rocket::get("/staff/cases?<q..>")]
pub(super) async fn index(
    page: Page,
    auth: Auth<'_>,
    reader: CaseReader<'_>,
    geo: &State<Arc<Geo>>,
    tax: &State<Arc<Taxonomy>>,
    q: ListQuery,
) -> Result<Template, AppError> {
    let inst = institution(&reader.0)?;
    let (narrow, narrow_qs, narrowed) = narrowing(&q, geo, tax, &page.0.lang);
    let before = q.before;
    let scope = q.scope.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| {
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
            let rows = model::list(c, inst, mine, open_only, before, &narrow, PAGE + 1)?;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let unread = model::unread_per_case(c, uid, &ids)?;
            Ok((rows, unread))
        })
        .await?;
    let lang = page.0.lang.clone();
    let today = auth.clock.now().date_naive();
    let more = rows.len() as i64 > PAGE;
    let rows: Vec<Row> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| {
            let status = CaseStatus::parse(&r.status).unwrap_or(CaseStatus::Received);
            let due = deadlines::live(status, r.acknowledge_by, r.triage_by, r.response_due_on, today);
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
                        let mut a = fluent_bundle::FluentArgs::new();
                        a.set(
                            "kind",
                            auth.catalog.message(&lang, &format!("deadline-kind-{}", d.kind), None),
                        );
                        a.set("on", d.on.to_string());
                        auth.catalog.message(&lang, "deadline-line", Some(&a))
                    })
                    .collect(),
            }
        })
        .collect();
    let next = if more { rows.last().map(|r| r.id) } else { None };
    Ok(Template::render(
        "cases/index",
        context! { page: page.0, rows, scope, next, narrow_qs, narrowed: narrowed.join(" · ") },
    ))
}

/// `GET /staff/cases/<id>`
#[rocket::get("/staff/cases/<id>")]
pub(super) async fn show(
    page: Page,
    auth: Auth<'_>,
    reader: CaseReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
    id: i32,
) -> Result<Template, AppError> {
    let fb = Feedback::from_flash(flash, auth.catalog, &page.0.lang);
    render_case(page, &auth, &reader.0, tax, geo, id, fb).await
}

/// The case page, with the confirmation or the refusal of the last action.
pub(super) async fn render_case(
    page: Page,
    auth: &Auth<'_>,
    user: &Staff<'_>,
    tax: &Arc<Taxonomy>,
    geo: &Arc<Geo>,
    id: i32,
    fb: Feedback,
) -> Result<Template, AppError> {
    let inst = institution(user)?;
    // Privacy: the reporter's identity is shown to the case's institution only, not to auditors.
    let scope = crate::events::scope_of(user).ok_or(AppError::NotFound)?;
    let uid = user.user.id;
    let reader = user.reader();
    // Read first, outside any write lock; then the read marks and the audit entry in one short
    // write (on SQLite, the writer lock is held for those two writes only).
    let data = auth
        .db
        .run(move |c| {
            let case = model::find_case(c, id, inst)?;
            let event = triage::find_event(c, case.event_id)?;
            let alleg: Vec<triage::Allegation> = triage::allegations_of_event(c, case.event_id)?
                .into_iter()
                .filter(|a| a.case_id == Some(case.id))
                .collect();
            let mut reports = vec![];
            let rids: Vec<i32> = model::reports_of(c, &case)?.into_iter().map(|r| r.0).collect();
            let marks = model::read_marks_of(c, &[uid], &rids)?;
            for rid in rids {
                let mut r = triage::find_report(c, rid, crate::events::model::Scope::All)?;
                let (opened, key) = r.unseal(c, reader.as_ref())?;
                let mut files = triage::attachments_of(c, rid)?;
                // Security: the case shows its own institution's thread (and the shared one before
                // routing), never the other institution's exchange with the reporter.
                let mut msgs = triage::messages_of(c, rid, triage::Thread::Institution(case.institution_id))?;
                crate::events::model::open_thread(r.sealed.is_some(), key.as_ref(), &mut msgs, &mut files);
                // What this person had seen before this view; the view marks the rest as read.
                let seen = marks.iter().find(|m| m.1 == rid).map(|m| m.2).unwrap_or(0);
                let sms = crate::channels::model::has_contact(c, rid)?;
                reports.push((r, files, msgs, (seen, sms, opened)));
            }
            let transitions = model::transitions_of(c, id)?;
            let mut notes = model::notes_of(c, id)?;
            // Sealed notes and findings open with the reader's group keys (issue 15).
            for n in &mut notes {
                n.1 = crate::keyring::model::open_case_text(c, &n.1, &model::note_what(id), reader.as_ref())?
                    .unwrap_or_default();
            }
            let mut alleg = alleg;
            for a in &mut alleg {
                if let Some(text) = &a.finding_reasoning {
                    let what = model::finding_what(a.id);
                    a.finding_reasoning = Some(
                        crate::keyring::model::open_case_text(c, text, &what, reader.as_ref())?
                            .unwrap_or_default(),
                    );
                }
            }
            let actions = model::actions_of(c, id)?;
            let recs = model::recommendations_of(c, id)?;
            let workers = model::workers_of(c, case.institution_id)?;
            let rules = crate::routing::model::load(c)?;
            Ok((case, event, alleg, reports, transitions, notes, actions, recs, workers, rules))
        })
        .await?;
    // Privacy: the case page shows the reports' identifying data; the read is recorded, with
    // what this person has now seen of each thread.
    let last_seen: Vec<(i32, i32)> = data
        .3
        .iter()
        .filter_map(|(r, _, msgs, _)| msgs.iter().map(|m| m.0).max().map(|last| (r.id, last)))
        .collect();
    user.write("case.view", ("case", id.to_string()), move |c| {
        for (rid, last) in &last_seen {
            model::mark_read(c, uid, *rid, *last)?;
        }
        Ok(((), String::new()))
    })
    .await?;
    let (case, event, alleg, reports, transitions, notes, actions, recs, workers, rules) = data;
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let status = case.status();
    let can_act = user.role != Role::Auditor;
    // Each step says whether it needs a written reason.
    let next: Vec<(String, String)> = status
        .next()
        .iter()
        .map(|s| {
            let label = tr(&format!("case-status-{}", s.as_str()));
            let label = if s.needs_reason() {
                let mut a = fluent_bundle::FluentArgs::new();
                a.set("step", label);
                auth.catalog.message(&lang, "cases-step-needs-reason", Some(&a))
            } else {
                label
            };
            (s.as_str().to_string(), label)
        })
        .collect();
    let needs_reason: Vec<String> = status
        .next()
        .iter()
        .filter(|s| s.needs_reason())
        .map(|s| tr(&format!("case-status-{}", s.as_str())))
        .collect();
    let disposition_of =
        |a: &triage::Allegation| a.disposition_id.and_then(|d| tax.dispositions.iter().find(|x| x.id == d));
    let allegations: Vec<AllegationView> = alleg
        .iter()
        .map(|a| AllegationView {
            id: a.id,
            violation: tax.violation_type_by_id(a.violation_type_id).map(|(_, t)| t.label(&lang).to_string()),
            force: tax.force_by_id(a.force_id).map(|f| f.label(&lang).to_string()),
            unit: a.unit_description.clone(),
            involvement: tr(&format!("involvement-{}", a.involvement)),
            confidence: tr(&format!("confidence-{}", a.confidence)),
            victims: a.victim_count,
            reason: crate::events::routing_basis(&rules, a, auth.catalog, &lang),
            disposition_code: disposition_of(a).map(|d| d.code.clone()).unwrap_or_default(),
            disposition: disposition_of(a).map(|d| d.label(&lang).to_string()),
            standard: a.standard_of_proof.clone(),
            reasoning: a.finding_reasoning.clone(),
        })
        .collect();
    let (reporter, intake) = (tr("thread-reporter"), tr("thread-intake"));
    let reports: Vec<CaseReportView> = reports
        .into_iter()
        .map(|(r, files, msgs, (seen, sms_reply, opened))| {
            let files = files
                .into_iter()
                .map(|f| {
                    let size = crate::i18n::size_text(auth.catalog, &lang, f.size_bytes as i64);
                    FileView::new(f, size)
                })
                .collect();
            let messages: Vec<MessageView> = msgs
                .into_iter()
                .map(|m| {
                    let inst =
                        m.4.and_then(|i| tax.institutions.iter().find(|x| x.id == i))
                            .map(|i| i.label(&lang).to_string());
                    MessageView::new(m, inst, &reporter, &intake, seen)
                })
                .collect();
            // Privacy: the type says what this reader may see (the identity is the institution's).
            CaseReportView {
                id: r.id,
                submitted_on: r.submitted_on.to_string(),
                identity: Identity::for_reader(&r, scope),
                identity_withheld: Identity::withheld(&r, scope),
                relation: tr(&format!("relation-{}", r.reporter_relation)),
                narrative: r.narrative,
                lat: r.lat,
                lon: r.lon,
                victims: r.victim_count,
                children: r.children_involved,
                files,
                unread: messages.iter().filter(|m| m.new).count(),
                messages,
                channel: tr(&format!("channel-{}", r.channel)),
                sms_reply,
                sealed_note: crate::events::views::sealed_note(&opened),
            }
        })
        .collect();
    let map = match (event.lat, event.lon) {
        (Some(lat), Some(lon)) => Some(geo.map_with_marker(lat, lon)),
        _ => None,
    };
    let today = auth.clock.now().date_naive();
    // Every deadline that applies, from the day the case opens.
    let due: Vec<DeadlineView> =
        deadlines::live(status, case.acknowledge_by, case.triage_by, case.response_due_on, today)
            .iter()
            .map(|d| DeadlineView {
                kind: tr(&format!("deadline-kind-{}", d.kind)),
                on: d.on.to_string(),
                threshold: d.threshold,
                label: tr(&format!("deadline-{}", d.threshold)),
            })
            .collect();
    let view = CaseView {
        id: case.id,
        status: status.as_str().to_string(),
        status_label: tr(&format!("case-status-{}", status.as_str())),
        assignee: case.assignee_id,
        opened_at: case.opened_at.format("%Y-%m-%d").to_string(),
        acknowledge_by: case.acknowledge_by.map(|d| d.to_string()),
        triage_by: case.triage_by.map(|d| d.to_string()),
        response_due_on: case.response_due_on.map(|d| d.to_string()),
        recommended_outcome: case.recommended_outcome,
        authority_response: case.authority_response,
        final_outcome: case.final_outcome,
        disciplined: case.disciplined,
        close_reason: case.close_reason,
        institution: tax
            .institutions
            .iter()
            .find(|i| i.id == case.institution_id)
            .map(|i| i.label(&lang).to_string()),
    };
    let place = [
        event.cercle_code.as_deref().and_then(|c| geo.cercle_name(c)),
        event.region_code.as_deref().and_then(|r| geo.region_name(r, &lang)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let event = CaseEventView {
        title: event.title,
        occurred_on: event.occurred_on.to_string(),
        summary: event.summary,
        r#where: place,
        lat: event.lat,
        lon: event.lon,
    };
    let transitions: Vec<TransitionView> = transitions
        .into_iter()
        .map(|t| {
            // An assignment stays on its step; the case's first row is its opening by routing.
            let what = if t.0.is_none() {
                tr("cases-history-opened")
            } else if t.0.as_deref() == Some(t.1.as_str()) {
                let mut a = fluent_bundle::FluentArgs::new();
                a.set("name", t.3.clone());
                if t.3.is_empty() {
                    tr("cases-history-unassigned")
                } else {
                    auth.catalog.message(&lang, "cases-history-assigned", Some(&a))
                }
            } else {
                format!(
                    "{} → {}",
                    tr(&format!("case-status-{}", t.0.clone().unwrap_or_default())),
                    tr(&format!("case-status-{}", t.1))
                )
            };
            let why = if t.0.is_none() || t.0.as_deref() == Some(t.1.as_str()) { String::new() } else { t.3 };
            TransitionView { what, who: t.2, why, at: t.4.format("%Y-%m-%d %H:%M").to_string() }
        })
        .collect();
    let notes: Vec<NoteView> = notes
        .into_iter()
        .map(|n| NoteView { who: n.0, body: n.1, at: n.2.format("%Y-%m-%d %H:%M").to_string() })
        .collect();
    let actions: Vec<ActionView> = actions
        .into_iter()
        .map(|a| ActionView {
            id: a.0,
            description: a.1,
            due_on: a.2.map(|d| d.to_string()),
            done: a.3.is_some(),
            late: a.3.is_none() && a.2.is_some_and(|d| d < today),
        })
        .collect();
    let recs: Vec<RecommendationView> = recs
        .into_iter()
        .map(|r| RecommendationView {
            id: r.0,
            addressee: r.1,
            content: r.2,
            due_on: r.3.map(|d| d.to_string()),
            response: r.4,
        })
        .collect();
    let workers: Vec<(i32, String)> = workers.into_iter().map(|w| (w.0, w.1)).collect();
    let workers_has_me = workers.iter().any(|w| w.0 == uid);
    let dispositions: Vec<(String, String)> =
        tax.dispositions.iter().map(|d| (d.code.clone(), d.label(&lang).to_string())).collect();
    Ok(Template::render(
        "cases/show",
        context! {
            page: page.0, case: view, event, allegations, reports, transitions, notes, actions, recs, workers,
            next, can_act, map, due, dispositions, fb, me: uid, needs_reason,
            worker_me: workers_has_me,
        },
    ))
}

/// Loads a case of the worker's institution inside the transaction of [`Staff::write`], its
/// event and row locked first ([`model::lock_case`]), runs `f`, and records `action` on the
/// case with it.
pub(super) async fn act<T: Send + 'static>(
    worker: &CaseWorker<'_>,
    id: i32,
    action: &'static str,
    mut f: impl FnMut(&mut crate::db::DbConn, &Case) -> Result<(T, String), AppError> + Send + 'static,
) -> Result<T, AppError> {
    let inst = institution(&worker.0)?;
    worker
        .0
        .write(action, ("case", id.to_string()), move |c| {
            model::lock_case(c, id)?;
            let case = model::find_case(c, id, inst)?;
            f(c, &case)
        })
        .await
}

/// [`act`] for a change that may be refused on the case as it is in the transaction: `f`
/// returns the refusal (`Err`) before writing anything, and then no audit entry is written
/// either (a refused step is not in the log).
pub(super) async fn act_or_refuse<T: Send + 'static, R: Send + 'static>(
    worker: &CaseWorker<'_>,
    id: i32,
    action: &'static str,
    mut f: impl FnMut(&mut crate::db::DbConn, &Case) -> Result<Result<(T, String), R>, AppError> + Send + 'static,
) -> Result<Result<T, R>, AppError> {
    let inst = institution(&worker.0)?;
    worker
        .0
        .write_all(move |c| {
            model::lock_case(c, id)?;
            let case = model::find_case(c, id, inst)?;
            Ok(match f(c, &case)? {
                Ok((t, details)) => {
                    (Ok(t), vec![crate::auth::guards::Audit::new(action, "case", id, details)])
                }
                Err(refusal) => (Err(refusal), vec![]),
            })
        })
        .await
}

/// The confirmation of an action that may have moved the case on: the step reached, or `key`.
pub(super) fn moved_or(
    auth: &Auth<'_>,
    page: &Page,
    id: i32,
    key: &str,
    moved: Option<CaseStatus>,
) -> Flash<Redirect> {
    match moved {
        Some(m) => {
            let label = auth.catalog.message(&page.0.lang, &format!("case-status-{}", m.as_str()), None);
            done(id, "cases-done-step", &label)
        }
        None => done(id, key, ""),
    }
}

pub(super) fn back(id: i32) -> Redirect {
    Redirect::to(format!("/staff/cases/{id}"))
}

#[derive(FromForm)]
pub struct TransitionForm {
    pub(super) to: Option<String>,
    pub(super) reason: Option<String>,
    /// The step the page showed (a hidden field): a case moved since is not moved again.
    pub(super) shown_status: Option<String>,
}

/// Moves a case to `to`, then on through the steps that follow by themselves; returns the
/// step reached. The caller has checked the transition.
pub(super) fn step(
    c: &mut crate::db::DbConn,
    case: &Case,
    to: CaseStatus,
    uid: i32,
    reason: &str,
    days: i64,
    at: chrono::NaiveDateTime,
) -> Result<CaseStatus, AppError> {
    // Concurrency: the move is conditional on the step read; moved meanwhile, nothing is written.
    if !model::transition(c, case, to, uid, reason, days, at)? {
        return Err(AppError::Moved);
    }
    let mut now = model::find_case(c, case.id, None)?;
    while let Some(next) = now.status().automatic_next() {
        if !model::transition(c, &now, next, uid, "", days, at)? {
            return Err(AppError::Moved);
        }
        now = model::find_case(c, case.id, None)?;
    }
    model::refresh_public_status(c, case.event_id)?;
    Ok(now.status())
}

/// A confirmation carried to the next page: a translation key and one argument.
pub(super) fn done(id: i32, key: &str, arg: &str) -> Flash<Redirect> {
    Flash::success(back(id), format!("{key}|{arg}"))
}

/// A step of the workflow; a refused one comes back on the case page with the state
/// machine's message next to the field at fault and the values as typed.
#[rocket::post("/staff/cases/<id>/transition", data = "<form>")]
pub(super) async fn transition(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    page: Page,
    form: Checked<TransitionForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let raw_to = form.to.clone().unwrap_or_default();
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    let lang = page.0.lang.clone();
    let refuse = |field: &str, key: &str| {
        Feedback::refused(
            "transition",
            &[(field, auth.catalog.message(&lang, key, None))],
            &[("to", raw_to.as_str()), ("reason", reason.as_str())],
        )
    };
    let Some(to) = CaseStatus::parse(&raw_to) else {
        let fb = refuse("to", "case-err-transition");
        let t = render_case(page, &auth, &worker.0, tax, geo, id, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    };
    let (uid, days, at) = (worker.0.user.id, auth.config.response_days, auth.clock.naive());
    let why = reason.clone();
    let shown = form.shown_status.clone().filter(|s| !s.is_empty());
    let result = act_or_refuse(&worker, id, "case.transition", move |c, case| {
        let from = case.status();
        if shown.as_deref().is_some_and(|s| s != case.status) {
            return Err(AppError::Moved);
        }
        if let Err(refusal) = workflow::check(from, to, &why, case.assignee_id.is_some()) {
            return Ok(Err(refusal));
        }
        let reached = step(c, case, to, uid, &why, days, at)?;
        let details = format!("{} → {}", from.as_str(), reached.as_str());
        Ok(Ok((reached, crate::audit::with_typed(&details, &why))))
    })
    .await;
    // Another person moved the case first: the page again, as it is now, saying so.
    let result = match result {
        Err(AppError::Moved) => Err(("to", "case-err-moved")),
        other => other?.map_err(|refusal| {
            let field = match refusal {
                workflow::Refusal::ReasonRequired => "reason",
                workflow::Refusal::AssigneeRequired => "user_id",
                workflow::Refusal::NotAllowed => "to",
            };
            (field, refusal.key())
        }),
    };
    match result {
        Ok(reached) => {
            let label = auth.catalog.message(&lang, &format!("case-status-{}", reached.as_str()), None);
            Ok(Either::Left(done(id, "cases-done-step", &label)))
        }
        Err((field, key)) => {
            let fb = refuse(field, key);
            let t = render_case(page, &auth, &worker.0, tax, geo, id, fb).await?;
            Ok(Either::Right((Status::UnprocessableEntity, t)))
        }
    }
}

#[derive(FromForm)]
pub struct AssignForm {
    /// Empty: nobody. Read as text: a value that is no number (a tampered form) is refused
    /// rather than read as "nobody", which unassigned the case.
    pub(super) user_id: Option<String>,
    /// The assignee the page showed (a hidden field; empty: nobody). When sent, the change holds
    /// only if nobody changed the assignee meanwhile.
    pub(super) shown_assignee: Option<String>,
}

/// Sets the assignee: only if it is still the one the page showed, when the page said
/// (`shown`: `None` not said, `Some(None)` nobody). Moved meanwhile: `AppError::Moved`.
pub(super) fn set_assignee(
    c: &mut crate::db::DbConn,
    case: &Case,
    shown: Option<Option<i32>>,
    to: Option<i32>,
) -> Result<(), AppError> {
    match shown {
        None => {
            model::assign(c, case.id, to)?;
        }
        Some(shown) => {
            if model::assign_if(c, case.id, shown, to)? == 0 {
                return Err(AppError::Moved);
            }
        }
    }
    Ok(())
}

/// Assigns the case to a case worker of the same institution (who is told by mail), or to
/// nobody; the change enters the case's history and the page confirms it. An assignment changed
/// since the page was drawn is not overwritten: the page comes back saying so.
#[rocket::post("/staff/cases/<id>/assign", data = "<form>")]
pub(super) async fn assign(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    again: Again<'_>,
    id: i32,
    form: Checked<AssignForm>,
) -> Answer {
    let to = match form.user_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(v.parse::<i32>().map_err(|_| AppError::BadRequest("user_id"))?),
    };
    let shown = match form.shown_assignee.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(v) => Some(Some(v.parse::<i32>().map_err(|_| AppError::BadRequest("shown_assignee"))?)),
    };
    let (catalog, config, uid) = (auth.catalog.clone(), auth.config.clone(), worker.0.user.id);
    let name = act_or_refuse(&worker, id, "case.assign", move |c, case| {
        let Some(to) = to else {
            // At the step "assigned" someone holds the case: it is handed to another person,
            // not to nobody (it stayed "assigned" to nobody).
            if case.status() == CaseStatus::Assigned {
                return Ok(Err("case-err-unassign"));
            }
            set_assignee(c, case, shown, None)?;
            model::record_assignment(c, case, uid, "")?;
            return Ok(Ok((String::new(), "assignee=none".to_string())));
        };
        let workers = model::workers_of(c, case.institution_id)?;
        let Some(w) = workers.into_iter().find(|w| w.0 == to) else {
            return Err(AppError::NotFound);
        };
        set_assignee(c, case, shown, Some(w.0))?;
        model::record_assignment(c, case, uid, &w.1)?;
        let link = format!("{}/staff/cases/{}", config.public_url.trim_end_matches('/'), case.id);
        let (subject, body) = crate::notify::compose(
            &catalog,
            &w.3,
            "case-assigned",
            &[("link", link), ("case", case.id.to_string())],
        );
        crate::notify::enqueue(c, &w.2, &subject, &body, "case-assigned")?;
        Ok(Ok((w.1.clone(), format!("assignee={}", w.0))))
    })
    .await;
    let typed = to.map(|t| t.to_string()).unwrap_or_default();
    let name = match name {
        Ok(Ok(name)) => name,
        Ok(Err(key)) => {
            let why = ("assign", "user_id", key);
            return refused(again, &auth, &worker, id, why, &[("user_id", typed.as_str())]).await;
        }
        Err(AppError::Moved) => {
            let why = ("assign", "user_id", "case-err-moved");
            return refused(again, &auth, &worker, id, why, &[("user_id", typed.as_str())]).await;
        }
        Err(e) => return Err(e),
    };
    Ok(Either::Left(if name.is_empty() {
        done(id, "cases-done-unassigned", "")
    } else {
        done(id, "cases-done-assigned", &name)
    }))
}
