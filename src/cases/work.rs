//! The work recorded on a case: notes, actions, findings, recommendations, responses, the
//! outcome and messages to the reporter.

use super::model::{self};
use super::routes::*;
use crate::accounts::routes::Auth;
use crate::auth::guards::CaseWorker;
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, Page};
use chrono::{NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket_dyn_templates::Template;
use std::sync::Arc;

#[derive(FromForm)]
pub struct TextForm {
    pub(super) body: Option<String>,
    pub(super) due_on: Option<String>,
    pub(super) report_id: Option<i32>,
}

/// The text of a field, trimmed; `None` when nothing was written.
pub(super) fn text(v: &Option<String>) -> Option<String> {
    let t = v.clone().unwrap_or_default().trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// What a case worker's form answers: the confirmation on the case page, or the page again.
pub(super) type Answer = Result<Either<Flash<Redirect>, (Status, Template)>, AppError>;

/// The tools to draw the case page again, gathered by one request guard.
pub struct Again<'r> {
    pub(super) page: Page,
    pub(super) tax: &'r Arc<Taxonomy>,
    pub(super) geo: &'r Arc<Geo>,
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Again<'r> {
    type Error = ();

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, ()> {
        let page = match req.guard::<Page>().await {
            rocket::request::Outcome::Success(p) => p,
            _ => return rocket::request::Outcome::Error((Status::InternalServerError, ())),
        };
        let r = req.rocket();
        match (r.state::<Arc<Taxonomy>>(), r.state::<Arc<Geo>>()) {
            (Some(tax), Some(geo)) => rocket::request::Outcome::Success(Again { page, tax, geo }),
            _ => rocket::request::Outcome::Error((Status::InternalServerError, ())),
        }
    }
}

/// A mistake the case worker can fix: the case page again (422), the form `form` with the
/// values as typed and the message in the worker's language next to `field`.
pub(super) async fn refused(
    again: Again<'_>,
    auth: &Auth<'_>,
    worker: &CaseWorker<'_>,
    id: i32,
    (form, field, key): (&str, &str, &str),
    values: &[(&str, &str)],
) -> Answer {
    let message = auth.catalog.message(&again.page.0.lang, key, None);
    let fb = Feedback::refused(form, &[(field, message)], values);
    // A case that is not there (or not this institution's): the form was wrong first, and the
    // refusal stays a bad request, as on the triage pages.
    let t = match render_case(again.page, auth, &worker.0, again.tax, again.geo, id, fb).await {
        Err(AppError::NotFound) | Err(AppError::Database(diesel::result::Error::NotFound)) => {
            return Err(AppError::BadRequest("refused form"))
        }
        other => other?,
    };
    Ok(Either::Right((Status::UnprocessableEntity, t)))
}

/// A due date as typed (YYYY-MM-DD), from the year 2000 to 2100: a year typed wrong (0001,
/// 9999) is refused as not a date rather than stored.
pub(super) fn date(v: &Option<String>) -> Option<NaiveDate> {
    use chrono::Datelike;
    v.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .filter(|d| (2000..=2100).contains(&d.year()))
}

#[rocket::post("/staff/cases/<id>/notes", data = "<form>")]
pub(super) async fn note(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    again: Again<'_>,
    id: i32,
    form: Checked<TextForm>,
) -> Answer {
    let Some(body) = text(&form.body) else {
        return refused(again, &auth, &worker, id, ("note", "body", "case-err-text"), &[]).await;
    };
    let uid = worker.0.user.id;
    act(&worker, id, "case.note", move |c, case| {
        let n = model::add_note(c, case.id, uid, &body)?;
        Ok(((), format!("note={n}")))
    })
    .await?;
    Ok(Either::Left(done(id, "cases-done-note", "")))
}

#[rocket::post("/staff/cases/<id>/actions", data = "<form>")]
pub(super) async fn action(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    again: Again<'_>,
    id: i32,
    form: Checked<TextForm>,
) -> Answer {
    let typed_due = form.due_on.clone().unwrap_or_default();
    let values = [("due_on", typed_due.as_str())];
    let Some(body) = text(&form.body) else {
        return refused(again, &auth, &worker, id, ("action", "body", "case-err-text"), &values).await;
    };
    let due = date(&form.due_on);
    if due.is_none() && !typed_due.trim().is_empty() {
        let values = [("due_on", typed_due.as_str()), ("body", body.as_str())];
        return refused(again, &auth, &worker, id, ("action", "due_on", "case-err-date"), &values).await;
    }
    let uid = worker.0.user.id;
    act(&worker, id, "case.action", move |c, case| {
        let a = model::add_action(c, case.id, uid, &body, due)?;
        Ok(((), format!("action={a} due={due:?}")))
    })
    .await?;
    Ok(Either::Left(done(id, "cases-done-action", "")))
}

#[rocket::post("/staff/cases/<id>/actions/<aid>/done", data = "<_form>")]
pub(super) async fn action_done(
    worker: CaseWorker<'_>,
    id: i32,
    aid: i32,
    _form: Checked<TextForm>,
) -> Result<Flash<Redirect>, AppError> {
    let done_now = act_or_refuse(&worker, id, "case.action_done", move |c, case| {
        match model::complete_action(c, case.id, aid)? {
            model::Completed::Done => Ok(Ok(((), format!("action={aid}")))),
            // Pressed twice: told so, nothing written (the first time stays).
            model::Completed::Already => Ok(Err(())),
            model::Completed::Missing => Err(AppError::NotFound),
        }
    })
    .await?;
    Ok(match done_now {
        Ok(()) => done(id, "cases-done-action-done", ""),
        Err(()) => done(id, "cases-done-action-already", ""),
    })
}

#[derive(FromForm)]
pub struct FindingForm {
    pub(super) allegation_id: Option<i32>,
    pub(super) disposition: Option<String>,
    pub(super) standard: Option<String>,
    pub(super) reasoning: Option<String>,
    /// The disposition the page showed (a hidden field, its code; empty: no finding yet). When
    /// sent, the finding holds only if nobody recorded another meanwhile.
    pub(super) shown_disposition: Option<String>,
}

/// The finding on one allegation of this case: disposition, standard of proof, reasoning.
#[rocket::post("/staff/cases/<id>/findings", data = "<form>")]
pub(super) async fn finding(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    again: Again<'_>,
    id: i32,
    form: Checked<FindingForm>,
) -> Answer {
    // A hidden field of the page: missing, it was not sent from the page.
    let aid = form.allegation_id.ok_or(AppError::BadRequest("allegation"))?;
    let code = form.disposition.clone().unwrap_or_default();
    let standard = form.standard.clone().unwrap_or_default();
    let typed_reasoning = form.reasoning.clone().unwrap_or_default();
    let form_id = format!("finding-{aid}");
    let values = [
        ("disposition", code.as_str()),
        ("standard", standard.as_str()),
        ("reasoning", typed_reasoning.as_str()),
    ];
    let Some(disp) = again.tax.dispositions.iter().find(|d| d.code == code).map(|d| d.id) else {
        let why = (form_id.as_str(), "disposition", "case-err-disposition");
        return refused(again, &auth, &worker, id, why, &values).await;
    };
    let Some(reasoning) = text(&form.reasoning) else {
        let why = (form_id.as_str(), "reasoning", "case-err-text");
        return refused(again, &auth, &worker, id, why, &values).await;
    };
    let shown = match form.shown_disposition.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(v) => Some(Some(
            again
                .tax
                .dispositions
                .iter()
                .find(|d| d.code == v)
                .map(|d| d.id)
                .ok_or(AppError::BadRequest("shown_disposition"))?,
        )),
    };
    let (logged, std_given) = (code.clone(), standard.clone());
    let recorded = act_or_refuse(&worker, id, "case.finding", move |c, case| {
        if !case.status().takes_work() {
            return Ok(Err("case-err-step"));
        }
        // Only an allegation routed to this case: another institution's is not found (the
        // query answers NotFound, 404); any other database error stays a server error.
        match shown {
            None => {
                model::record_finding(c, case.id, aid, disp, &std_given, &reasoning)?;
            }
            Some(shown) => {
                // Concurrency: only over the finding the page showed.
                if model::record_finding_if(c, case.id, aid, shown, disp, &std_given, &reasoning)? == 0 {
                    if !model::allegation_of_case(c, case.id, aid)? {
                        return Err(AppError::NotFound);
                    }
                    return Err(AppError::Moved);
                }
            }
        }
        Ok(Ok(((), format!("allegation={aid} disposition={logged}"))))
    })
    .await;
    let refusal = match recorded {
        Ok(Ok(())) => None,
        Ok(Err(key)) => Some(key),
        Err(AppError::Moved) => Some("case-err-moved"),
        Err(e) => return Err(e),
    };
    if let Some(key) = refusal {
        let why = (form_id.as_str(), "disposition", key);
        return refused(again, &auth, &worker, id, why, &values).await;
    }
    Ok(Either::Left(done(id, "cases-done-finding", "")))
}

#[derive(FromForm)]
pub struct RecommendationForm {
    pub(super) addressee: Option<String>,
    pub(super) content: Option<String>,
    pub(super) due_on: Option<String>,
    pub(super) rec_id: Option<i32>,
    pub(super) response: Option<String>,
}

#[rocket::post("/staff/cases/<id>/recommendations", data = "<form>")]
pub(super) async fn recommendation(
    auth: Auth<'_>,
    again: Again<'_>,
    worker: CaseWorker<'_>,
    id: i32,
    form: Checked<RecommendationForm>,
) -> Answer {
    let typed = |v: &Option<String>| v.clone().unwrap_or_default();
    let (t_to, t_content, t_due) = (typed(&form.addressee), typed(&form.content), typed(&form.due_on));
    let values = [("addressee", t_to.as_str()), ("content", t_content.as_str()), ("due_on", t_due.as_str())];
    let due = date(&form.due_on);
    let checked = match (text(&form.addressee), text(&form.content)) {
        (None, _) => Err("addressee"),
        (_, None) => Err("content"),
        _ if due.is_none() && !t_due.trim().is_empty() => Err("due_on"),
        (Some(to), Some(content)) => Ok((to, content)),
    };
    let (to, content) = match checked {
        Ok(v) => v,
        Err(field) => {
            let key = if field == "due_on" { "case-err-date" } else { "case-err-text" };
            return refused(again, &auth, &worker, id, ("recommend", field, key), &values).await;
        }
    };
    let uid = worker.0.user.id;
    let (days, at) = (auth.config.response_days, auth.clock.naive());
    let moved = act_or_refuse(&worker, id, "case.recommendation", move |c, case| {
        // From findings on, until the case is finished; the same one again (a double press)
        // is not recorded twice.
        if !case.status().takes_recommendations() {
            return Ok(Err("case-err-step"));
        }
        if model::recommendations_of(c, case.id)?.iter().any(|r| r.1 == to && r.2 == content) {
            return Ok(Err("case-err-already"));
        }
        let r = model::add_recommendation(c, case.id, uid, &to, &content, due)?;
        // Sending a recommendation is the step "recommendation sent" (and on, by itself).
        let moved = match case.status().on_recommendation() {
            Some(next) => Some(step(c, case, next, uid, "", days, at)?),
            None => None,
        };
        let details = format!("recommendation={r} step={:?}", moved.map(|m| m.as_str()));
        Ok(Ok((moved, crate::audit::with_typed(&details, &to))))
    })
    .await;
    let moved = match moved {
        // The case moved on meanwhile: nothing recorded, the form again with what was typed.
        Err(AppError::Moved) => {
            return refused(again, &auth, &worker, id, ("recommend", "content", "case-err-moved"), &values)
                .await
        }
        Ok(Err(key)) => {
            return refused(again, &auth, &worker, id, ("recommend", "content", key), &values).await
        }
        Ok(Ok(moved)) => moved,
        Err(e) => return Err(e),
    };
    Ok(Either::Left(moved_or(&auth, &again.page, id, "cases-done-recommendation", moved)))
}

/// The authority's response to a recommendation.
#[rocket::post("/staff/cases/<id>/responses", data = "<form>")]
pub(super) async fn response(
    auth: Auth<'_>,
    again: Again<'_>,
    worker: CaseWorker<'_>,
    id: i32,
    form: Checked<RecommendationForm>,
) -> Answer {
    // A hidden field of the page: missing, it was not sent from the page.
    let rid = form.rec_id.ok_or(AppError::BadRequest("recommendation"))?;
    let Some(resp) = text(&form.response) else {
        let form_id = format!("response-{rid}");
        return refused(again, &auth, &worker, id, (form_id.as_str(), "response", "case-err-text"), &[])
            .await;
    };
    let uid = worker.0.user.id;
    let (days, at) = (auth.config.response_days, auth.clock.naive());
    let moved = act_or_refuse(&worker, id, "case.response", move |c, case| {
        if !case.status().takes_work() {
            return Ok(Err("case-err-step"));
        }
        // Only a recommendation without a response yet: one recorded meanwhile (a double press,
        // a stale page) is not overwritten.
        if model::record_response(c, case.id, rid, &resp)? == 0 {
            return match model::recommendations_of(c, case.id)?.iter().any(|r| r.0 == rid) {
                true => Err(AppError::Moved),
                false => Err(AppError::NotFound),
            };
        }
        // Recording the response is the step "response received".
        let moved = match case.status().on_response() {
            Some(next) => Some(step(c, case, next, uid, "", days, at)?),
            None => None,
        };
        Ok(Ok((moved, format!("recommendation={rid} step={:?}", moved.map(|m| m.as_str())))))
    })
    .await;
    let form_id = format!("response-{rid}");
    let moved = match moved {
        Err(AppError::Moved) => {
            return refused(again, &auth, &worker, id, (form_id.as_str(), "response", "case-err-moved"), &[])
                .await;
        }
        Ok(Err(key)) => {
            return refused(again, &auth, &worker, id, (form_id.as_str(), "response", key), &[]).await
        }
        Ok(Ok(moved)) => moved,
        Err(e) => return Err(e),
    };
    Ok(Either::Left(moved_or(&auth, &again.page, id, "cases-done-response", moved)))
}

#[derive(FromForm)]
pub struct OutcomeForm {
    pub(super) recommended: Option<String>,
    pub(super) response: Option<String>,
    pub(super) final_outcome: Option<String>,
    /// `yes`, `no` or empty (not known yet).
    pub(super) disciplined: Option<String>,
}

/// Recommended versus final outcome, and whether anyone was disciplined: the headline
/// accountability figure.
#[rocket::post("/staff/cases/<id>/outcome", data = "<form>")]
pub(super) async fn outcome(
    worker: CaseWorker<'_>,
    id: i32,
    form: Checked<OutcomeForm>,
) -> Result<Flash<Redirect>, AppError> {
    let f = form.into_inner();
    let disciplined = match f.disciplined.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    act(&worker, id, "case.outcome", move |c, case| {
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
    Ok(done(id, "cases-done-outcome", ""))
}

#[derive(FromForm)]
pub struct VoiceForm<'r> {
    pub(super) report_id: Option<i32>,
    pub(super) file: rocket::data::Capped<rocket::fs::TempFile<'r>>,
}

/// A voice answer to a reporter of this case: the recording is checked as evidence, stored,
/// then linked to a staff message of the thread in the case's audited transaction. The
/// reporter plays it from the follow-up page.
#[rocket::post("/staff/cases/<id>/voice-messages", data = "<form>")]
pub(super) async fn voice_message(
    worker: CaseWorker<'_>,
    intake: crate::reports::Intake<'_>,
    id: i32,
    mut form: Checked<VoiceForm<'_>>,
) -> Result<Flash<Redirect>, AppError> {
    let rid = form.report_id.ok_or(AppError::BadRequest("report"))?;
    // A sealed report's recording is stored sealed under its data key: the case and the report
    // are checked first (404 for anyone else's).
    let (reader, inst) = (worker.0.reader(), worker.0.institution);
    let key = intake
        .db
        .run(move |c| {
            let case = model::find_case(c, id, inst)?;
            if !model::reports_of(c, &case)?.iter().any(|r| r.0 == rid) {
                return Err(AppError::NotFound);
            }
            crate::keyring::model::writing_key(c, rid, reader.as_ref())
        })
        .await?;
    let spooled = crate::reports::spooled(std::slice::from_mut(&mut form.file)).await;
    let staged = match spooled {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            intake.stage_recording(rid, source, size, key).await?
        }
        Ok(_) => Err(crate::reports::evidence::EvidenceError::Empty),
        Err(e) => Err(e),
    };
    let staged = match staged {
        Ok(a) => a,
        Err(e) => return Ok(Flash::error(Redirect::to(format!("/staff/cases/{id}")), e.key())),
    };
    let uid = worker.0.user.id;
    let reader = worker.0.reader();
    let linked = act(&worker, id, "case.voice_message", move |c, case| {
        if !model::reports_of(c, case)?.iter().any(|r| r.0 == rid) {
            return Err(AppError::NotFound);
        }
        if crate::reports::model::link_attachments(c, rid, &[staged])? != 1 {
            return Err(AppError::internal("a staged recording was gone before it was linked"));
        }
        let today = Utc::now().date_naive();
        let inst = Some(case.institution_id);
        let key = crate::keyring::model::writing_key(c, rid, reader.as_ref())?;
        let m =
            crate::reports::model::add_message(c, rid, "staff", Some(uid), "", today, inst, key.as_ref())?;
        crate::reports::model::set_message_attachment(c, m, staged)?;
        Ok(((), format!("report={rid} message={m} attachment={staged}")))
    })
    .await;
    if linked.is_err() {
        intake.discard_staged(staged).await;
    }
    linked?;
    Ok(done(id, "cases-done-message", ""))
}

/// A message to a reporter of this case, through their receipt thread.
#[rocket::post("/staff/cases/<id>/messages", data = "<form>")]
pub(super) async fn message(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    again: Again<'_>,
    channels: &rocket::State<Arc<crate::channels::Channels>>,
    id: i32,
    form: Checked<TextForm>,
) -> Answer {
    // A hidden field of the page: missing, it was not sent from the page.
    let rid = form.report_id.ok_or(AppError::BadRequest("report"))?;
    let Some(body) = text(&form.body) else {
        let form_id = format!("message-{rid}");
        return refused(again, &auth, &worker, id, (form_id.as_str(), "body", "case-err-text"), &[]).await;
    };
    let uid = worker.0.user.id;
    let reader = worker.0.reader();
    let channels = channels.inner().clone();
    act(&worker, id, "case.message", move |c, case| {
        if !model::reports_of(c, case)?.iter().any(|r| r.0 == rid) {
            return Err(AppError::NotFound);
        }
        // A sealed report's message is sealed under its data key.
        let key = crate::keyring::model::writing_key(c, rid, reader.as_ref())?;
        let m = crate::reports::model::add_message(
            c,
            rid,
            "staff",
            Some(uid),
            &body,
            Utc::now().date_naive(),
            Some(case.institution_id),
            key.as_ref(),
        )?;
        // A reporter who came by SMS or USSD and said yes to replies gets it by SMS.
        let sms = crate::channels::forward_staff_message(c, &channels.keys, rid, &body)?;
        let by = if sms { " sms=queued" } else { "" };
        Ok(((), format!("report={rid} message={m}{by}")))
    })
    .await?;
    Ok(Either::Left(done(id, "cases-done-message", "")))
}
