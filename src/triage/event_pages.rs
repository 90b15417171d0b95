//! Events from the intake desk: opening one from a report, linking a report to one, the event
//! page, its allegations, routing them (which opens the cases) and overriding a route.

use super::model::{self, Scope};
use super::routes::*;
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, IntakeOfficer, Staff, TriageReader};
use crate::cases::model as cases;
use crate::error::AppError;
use crate::events::views::{EventAllegationView, EventCaseView, EventReportView, EventView};
use crate::geo::Geo;
use crate::routing;
use crate::taxonomy::{Taxonomy, CONFIDENCES, INVOLVEMENTS};
use crate::web::Feedback;
use crate::web::{Checked, Page};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, State};
use rocket_dyn_templates::{context, Template};
use std::sync::Arc;

#[derive(FromForm)]
pub struct EventForm {
    pub(super) title: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) prior_approach: bool,
    pub(super) court_pending: bool,
    pub(super) event_id: Option<i32>,
    /// A report-only duplicate candidate taken into the new event in the same action.
    pub(super) with_report: Option<i32>,
}

/// Opens a new event from a report.
#[rocket::post("/staff/reports/<id>/events", data = "<form>")]
pub(super) async fn open_event(
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
    let uid = officer.0.user.id;
    let with_report = form.with_report.filter(|w| *w != id);
    let typed_title = title.clone();
    let event_id = officer
        .0
        .write_all(move |c| {
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
            let mut entries = vec![Audit::new("event.create", "event", e, format!("from report {id}"))];
            if let Some(w) = with_report {
                entries.push(Audit::new("report.link", "report", w, format!("event={e}")));
            }
            Ok((e, entries))
        })
        .await;
    let event_id = match event_id {
        // Someone else put the report into an event first: its page again, saying so.
        Err(AppError::Moved) => {
            let typed = (typed_title.as_str(), form.summary.as_deref().unwrap_or(""));
            return already_linked(page, &auth, &officer, tax, geo, id, typed).await.map(Either::Right);
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
pub(super) async fn link_event(
    page: Page,
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<EventForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let event_id = form.event_id.ok_or(AppError::BadRequest("event"))?;
    let (reader, now) = (officer.0.reader(), auth.clock.naive());
    let linked = officer
        .0
        .write("report.link", ("report", id.to_string()), move |c| {
            model::find_report(c, id, Scope::All)?;
            model::find_event(c, event_id)?;
            // Concurrency: only a report in no event yet is linked (a conditional update on
            // its row), so two officers linking it to two events at once cannot both succeed,
            // the second silently moving it; the loser is told.
            if model::link_free_report(c, id, event_id)? == 0 {
                return Err(AppError::Moved);
            }
            // The report takes the status of the event's cases, if any.
            cases::refresh_public_status(c, event_id)?;
            if model::cases_of_event(c, event_id)?.is_empty() {
                model::mark_under_review(c, id)?;
            }
            // Encryption at rest: the event's institutions get this report's data key.
            let shared = crate::keyring::model::share_event(c, event_id, reader.as_ref(), now)?;
            // The audit entry follows (lock order: the case's step takes the case, then the
            // event's reports, then the chain; taking the chain first here deadlocked).
            Ok((
                (),
                format!("event={event_id} keys_shared={} keys_waiting={}", shared.sealed, shared.waiting),
            ))
        })
        .await;
    match linked {
        Err(AppError::Moved) => {
            already_linked(page, &auth, &officer, tax, geo, id, ("", "")).await.map(Either::Right)
        }
        other => {
            other?;
            Ok(Either::Left(Flash::success(
                Redirect::to(format!("/staff/events/{event_id}")),
                format!("triage-done-linked|{id}"),
            )))
        }
    }
}

/// The report page again (422) when someone else put the report into an event first, with the
/// new event's title and summary as typed (`typed`).
async fn already_linked(
    page: Page,
    auth: &Auth<'_>,
    officer: &IntakeOfficer<'_>,
    tax: &Arc<Taxonomy>,
    geo: &Arc<Geo>,
    id: i32,
    typed: (&str, &str),
) -> Result<(Status, Template), AppError> {
    let fb = Feedback::refused(
        "open-event",
        &[("title", auth.catalog.message(&page.0.lang, "triage-err-already-linked", None))],
        &[("title", typed.0), ("summary", typed.1)],
    );
    let t = refused_page(render_report(page, auth, &officer.0, tax, geo, id, fb).await)?;
    Ok((Status::UnprocessableEntity, t))
}

#[rocket::get("/staff/events/<id>")]
pub(super) async fn event(
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
pub(super) async fn render_event(
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
    let allegations: Vec<EventAllegationView> = alleg
        .iter()
        .map(|a| EventAllegationView {
            id: a.id,
            violation: tax.violation_type_by_id(a.violation_type_id).map(|(_, t)| t.label(&lang).to_string()),
            force: tax.force_by_id(a.force_id).map(|f| f.label(&lang).to_string()),
            unit: a.unit_description.clone(),
            involvement: a.involvement.clone(),
            confidence: a.confidence.clone(),
            victims: a.victim_count,
            children: a.children_involved,
            destination: a.destination_id.map(inst_name),
            reason: super::routing_basis(&rules, a, auth.catalog, &lang),
            r#override: a.override_reason.clone(),
            case_id: a.case_id,
            correctable: a.disposition_id.is_none(),
            rules_now: rules_now(tax, &rules, a, &e).map(inst_name),
        })
        .collect();
    let cases: Vec<EventCaseView> = case_rows
        .iter()
        .map(|(cid, iid, st)| EventCaseView { id: *cid, institution: inst_name(*iid), status: st.clone() })
        .collect();
    let (types, forces) = choices(tax, &lang);
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
    let view = EventView {
        id: e.id,
        r#where: place_name(geo, e.cercle_code.as_deref(), e.region_code.as_deref(), &lang),
        title: e.title,
        occurred_on: e.occurred_on.to_string(),
        summary: e.summary,
        prior_approach: e.prior_approach,
        court_pending: e.court_pending,
    };
    let reports: Vec<EventReportView> = reports
        .into_iter()
        .map(|r| EventReportView {
            id: r.0,
            submitted_on: r.1.to_string(),
            channel: auth.catalog.message(&lang, &format!("channel-{}", r.2), None),
        })
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

/// Where the rules would send an allegation today, when that is not where it is: its facts
/// were corrected (or the rules changed) since it was routed by a rule. An allegation sent by
/// an officer's override, or with a finding, is not second-guessed.
fn rules_now(
    tax: &Taxonomy,
    rules: &[routing::Rule],
    a: &crate::events::model::Allegation,
    e: &crate::events::model::Event,
) -> Option<i32> {
    let at = a.destination_id?;
    if a.routing_rule_id.is_none() || a.disposition_id.is_some() {
        return None;
    }
    let decision = routing::decide(rules, &routing_facts(tax, &model::AllegationFields::of(a), e)?)?;
    let to = tax.institutions.iter().find(|i| i.code == decision.destination)?.id;
    (to != at).then_some(to)
}

#[derive(FromForm)]
pub struct AllegationForm {
    pub(super) violation_type: Option<String>,
    pub(super) force: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) identifiers: Option<String>,
    pub(super) involvement: Option<String>,
    pub(super) confidence: Option<String>,
    /// Read as text: a value that is no count (letters, negative, past 100,000) is refused
    /// with a message, not stored as "unknown".
    pub(super) victim_count: Option<String>,
    pub(super) children: bool,
    /// A correction only: why (required), and the fingerprint of the allegation as the form
    /// showed it (`correct::seen`), so that a correction made meanwhile is not overwritten.
    pub(super) reason: Option<String>,
    pub(super) seen: Option<String>,
}

impl AllegationForm {
    /// The fields as recorded, or the refused ones (field, message key).
    pub(super) fn read(
        &self,
        tax: &Taxonomy,
    ) -> Result<model::AllegationFields, Vec<(&'static str, &'static str)>> {
        let vt = tax.violation_type(self.violation_type.as_deref().unwrap_or_default()).map(|v| v.1.id);
        let force = tax.force(self.force.as_deref().unwrap_or_default()).map(|f| f.id);
        let victims: Result<Option<i32>, ()> = match self.victims_typed().as_str() {
            "" => Ok(None),
            v => v
                .parse::<i32>()
                .ok()
                .filter(|n| (0..=crate::reports::submit::VICTIMS_MAX).contains(n))
                .map(Some)
                .ok_or(()),
        };
        let (Some(vt), Some(force), Ok(victims)) = (vt, force, victims) else {
            let mut errors = vec![];
            if vt.is_none() {
                errors.push(("violation_type", "triage-err-violation"));
            }
            if force.is_none() {
                errors.push(("force", "triage-err-force"));
            }
            if victims.is_err() {
                errors.push(("victim_count", "triage-err-victims"));
            }
            return Err(errors);
        };
        let known = |v: &Option<String>, list: &[&str]| {
            v.clone().filter(|i| list.contains(&i.as_str())).unwrap_or_else(|| "unknown".into())
        };
        Ok(model::AllegationFields {
            violation_type_id: vt,
            force_id: force,
            unit_description: self.unit.clone().unwrap_or_default().trim().to_string(),
            identifiers_seen: self.identifiers.clone().unwrap_or_default().trim().to_string(),
            involvement: known(&self.involvement, &INVOLVEMENTS),
            confidence: known(&self.confidence, &CONFIDENCES),
            victim_count: victims,
            children_involved: self.children,
        })
    }

    pub(super) fn victims_typed(&self) -> String {
        self.victim_count.clone().unwrap_or_default().trim().to_string()
    }

    /// The values as typed, for a refused form.
    pub(super) fn typed(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("violation_type", v(&self.violation_type)),
            ("force", v(&self.force)),
            ("unit", v(&self.unit)),
            ("identifiers", v(&self.identifiers)),
            ("involvement", v(&self.involvement)),
            ("confidence", v(&self.confidence)),
            ("victim_count", self.victims_typed()),
            ("children", if self.children { "true".into() } else { String::new() }),
            ("reason", v(&self.reason).trim().to_string()),
        ]
    }
}

/// A refused allegation form: each field's message in the reader's language, and the values
/// as typed.
pub(super) fn refused_allegation(
    auth: &Auth<'_>,
    lang: &str,
    form_name: &str,
    errors: &[(&'static str, &'static str)],
    form: &AllegationForm,
) -> Feedback {
    let errors: Vec<(&str, String)> =
        errors.iter().map(|(f, k)| (*f, auth.catalog.message(lang, k, None))).collect();
    let typed = form.typed();
    let values: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Feedback::refused(form_name, &errors, &values)
}

#[rocket::post("/staff/events/<id>/allegations", data = "<form>")]
pub(super) async fn add_allegation(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    page: Page,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<AllegationForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let fields = match form.read(tax) {
        Ok(f) => f,
        Err(errors) => {
            let fb = refused_allegation(&auth, &page.0.lang, "allegation", &errors, &form);
            let t = refused_page(render_event(page, &auth, &officer.0, tax, geo, id, fb).await)?;
            return Ok(Either::Right((Status::UnprocessableEntity, t)));
        }
    };
    let aid = officer
        .0
        .create("allegation.create", "allegation", move |c| {
            model::find_event(c, id)?;
            let aid = model::insert_allegation(c, id, &fields)?;
            Ok((aid, format!("event={id}")))
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/events/{id}")),
        format!("triage-done-allegation|{}", aid),
    )))
}

/// The allegation form's lists: every violation type under its group, and the forces, as
/// (code, label in `lang`).
pub(super) type Choices = Vec<(String, String)>;
pub(super) fn choices(tax: &Taxonomy, lang: &str) -> (Choices, Choices) {
    let types = tax
        .groups
        .iter()
        .flat_map(|g| {
            g.types
                .iter()
                .map(move |t| (t.code.clone(), format!("{} — {}", g.entry.label(lang), t.label(lang))))
        })
        .collect();
    let forces = tax.forces.iter().map(|f| (f.code.clone(), f.label(lang).to_string())).collect();
    (types, forces)
}

/// What the routing rules read of an allegation and its event.
pub(super) fn routing_facts(
    tax: &Taxonomy,
    a: &model::AllegationFields,
    e: &crate::events::model::Event,
) -> Option<routing::Facts> {
    let (group, vt) = tax.violation_type_by_id(a.violation_type_id)?;
    Some(routing::Facts {
        violation_group: group.entry.code.clone(),
        violation_type: vt.code.clone(),
        force: tax.force_by_id(a.force_id).map(|f| f.code.clone()).unwrap_or_default(),
        prior_approach: e.prior_approach,
        court_pending: e.court_pending,
        children_involved: a.children_involved,
    })
}

/// Routes every allegation of the event that has no destination yet, by the rules; opens the
/// case at each destination. Each decision records the rule that fired and why.
#[rocket::post("/staff/events/<id>/route", data = "<_form>")]
pub(super) async fn route_event(
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    _form: Checked<EventForm>,
) -> Result<Flash<Redirect>, AppError> {
    let tax = Arc::clone(tax);
    let (ack, tri, now) = (auth.config.acknowledge_days, auth.config.triage_days, auth.clock.naive());
    let reader = officer.0.reader();
    let routed = officer
        .0
        .write_all(move |c| {
            let mut routed = 0;
            // The audit entries, appended last (lock order).
            let mut entries = vec![];
            // Concurrency: two officers routing one event act one after the other; the second
            // finds nothing left to route (no duplicate case, no unique-key error).
            crate::reports::model::lock_event(c, id)?;
            let e = model::find_event(c, id)?;
            let rules = routing::model::load(c)?;
            let pending: Vec<_> = model::allegations_of_event(c, id)?
                .into_iter()
                .filter(|a| a.destination_id.is_none())
                .collect();
            if pending.is_empty() {
                return Ok((None, entries));
            }
            for a in pending {
                let facts =
                    routing_facts(&tax, &model::AllegationFields::of(&a), &e).ok_or(AppError::NotFound)?;
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
                entries.push(Audit::new(
                    "allegation.route",
                    "allegation",
                    a.id,
                    format!("{} → case {case_id}: {}", decision.destination, decision.reason.to_json()),
                ));
                entries.extend(case_audit(case_id, &opened, id, &decision.destination));
            }
            cases::refresh_public_status(c, id)?;
            // Encryption at rest: the new cases' institutions get the reports' data keys.
            let shared = crate::keyring::model::share_event(c, id, reader.as_ref(), now)?;
            entries.extend(share_audit(id, shared));
            Ok((Some(routed), entries))
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
    pub(super) destination: Option<String>,
    pub(super) reason: Option<String>,
}

/// An intake officer sends an allegation elsewhere than the rules did, with a written reason.
#[rocket::post("/staff/allegations/<id>/override", data = "<form>")]
pub(super) async fn override_route(
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
    let (ack, tri, now) = (auth.config.acknowledge_days, auth.config.triage_days, auth.clock.naive());
    let reader = officer.0.reader();
    let officer_id = officer.0.user.id;
    let event_id = officer
        .0
        .write_all(move |c| {
            let a = model::find_allegation(c, id)?;
            // The same order as routing: the event's row first (see `route_event`).
            crate::reports::model::lock_event(c, a.event_id)?;
            let a = model::find_allegation(c, id)?;
            if a.disposition_id.is_some() {
                return Err(AppError::BadRequest("a finding was already recorded"));
            }
            let (case_id, opened) = cases::open_case(c, a.event_id, inst, ack, tri, now)?;
            let why = routing::RoutingFact::Override.to_json();
            model::set_destination(c, id, inst, None, &why, Some(&reason), case_id)?;
            // Least privilege: the case the allegation left, if it has none left, does not keep
            // its institution on the event (withdrawn; finished or suspended once worked on).
            let emptied = match a.case_id.filter(|old| *old != case_id) {
                Some(old) => Some((old, cases::after_rerouting(c, old, &code, &reason, officer_id, now)?)),
                None => None,
            };
            cases::refresh_public_status(c, a.event_id)?;
            let shared = crate::keyring::model::share_event(c, a.event_id, reader.as_ref(), now)?;
            let details = format!("from={:?} to={code} case={case_id}", a.destination_id);
            let details = crate::audit::with_typed(&details, &reason);
            let mut entries = vec![Audit::new("allegation.override", "allegation", id, details)];
            entries.extend(share_audit(a.event_id, shared));
            entries.extend(case_audit(case_id, &opened, a.event_id, &code));
            entries.extend(emptied.and_then(|(old, e)| emptied_audit(old, &e, &code)));
            Ok((a.event_id, entries))
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/events/{event_id}")),
        format!("triage-done-override|{id}"),
    )))
}

/// The audit entry of the data keys shared after a routing (none when nothing was sealed).
fn share_audit(event_id: i32, shared: crate::keyring::model::Shared) -> Option<Audit> {
    (shared.sealed + shared.waiting > 0).then(|| {
        Audit::new(
            "report.keys_share",
            "event",
            event_id,
            format!("sealed={} waiting={}", shared.sealed, shared.waiting),
        )
    })
}

/// The audit entry of a case left without allegations by an override (none when it has some).
fn emptied_audit(case_id: i32, emptied: &cases::Emptied, to: &str) -> Option<Audit> {
    let (action, details) = match emptied {
        cases::Emptied::No => return None,
        cases::Emptied::Withdrawn(from) => {
            ("case.withdraw", format!("{from}; no allegation left, all routed to {to}"))
        }
        cases::Emptied::Moved(from, next) => {
            ("case.transition", format!("{from} → {}; no allegation left, all routed to {to}", next.as_str()))
        }
        cases::Emptied::Kept(at) => ("case.emptied", format!("{at}; no allegation left, all routed to {to}")),
    };
    Some(Audit::new(action, "case", case_id, details))
}

/// The audit entry of a case opened or reopened by routing (none when it was open already).
fn case_audit(case_id: i32, opened: &cases::Opened, event: i32, institution: &str) -> Option<Audit> {
    match opened {
        cases::Opened::New => {
            Some(Audit::new("case.open", "case", case_id, format!("event={event} institution={institution}")))
        }
        cases::Opened::Reopened(from) => Some(Audit::new(
            "case.transition",
            "case",
            case_id,
            format!("{from} → reopened; a new allegation routed to this institution"),
        )),
        cases::Opened::Open => None,
    }
}
