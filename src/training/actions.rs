//! The remediation actions' pages: open one (from a gap, with its unit and module), move it
//! through the state machine of `remediation.rs`, key actions with deadlines, lessons.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, State};
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::model::{self, Evidence, Filter};
use super::remediation;
use super::routes::{choices, flash_notice, load, session_view, with_keys, Loaded};
use crate::accounts::routes::Auth;
use crate::auth::guards::TrainingStaff;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::Catalog;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, NoFields, Page};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        remediation_index,
        create_remediation,
        remediation_show,
        remediation_move,
        remediation_key_action,
        remediation_key_done,
        remediation_lessons
    ]
}

// Remediation actions -------------------------------------------------------------------------

fn remediation_view(r: &model::Remediation, l: &Loaded, catalog: &Catalog, lang: &str) -> Value {
    json!({
        "id": r.id, "status": r.status, "status_label": catalog.message(lang, &format!("remediation-step-{}", r.status), None),
        "issue": r.issue, "lessons_unit": r.lessons_unit, "lessons_institution": r.lessons_institution,
        "module": r.module_id.map(|m| l.module_label(m, lang)), "unit": r.unit_id.map(|u| l.unit_name(u)),
        "session_id": r.session_id, "review_on": r.review_on.map(|d| d.to_string()).unwrap_or_default(),
        "from_case": r.case_id.is_some(),
    })
}

#[derive(Debug, FromForm, Default)]
pub struct NewRemediationQuery {
    unit: Option<i32>,
    module: Option<i32>,
}

async fn render_remediation_index(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let l = load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let rows = auth.db.run(|c| Ok(model::remediations(c)?)).await?;
    let rows: Vec<Value> = rows.iter().map(|r| remediation_view(r, &l, auth.catalog, &lang)).collect();
    let choices = choices(&l, tax, geo, &lang);
    let fb = with_keys(fb, &["issue", "unit", "module", "review_on"]);
    Ok(Template::render("training/remediation_index", context! { page: page.0, rows, choices, fb }))
}

/// `GET /staff/training/remediation`: the actions, and a new one (opened from a gap or a flag
/// with its unit and module filled in).
#[rocket::get("/staff/training/remediation?<q..>")]
async fn remediation_index(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
    q: NewRemediationQuery,
) -> Result<Template, AppError> {
    let mut fb = flash_notice(flash, auth.catalog, &page.0.lang);
    if let Some(u) = q.unit {
        fb.values.insert("unit".into(), u.to_string());
    }
    if let Some(m) = q.module {
        fb.values.insert("module".into(), m.to_string());
    }
    render_remediation_index(page, &auth, tax, geo, fb).await
}

#[derive(Debug, FromForm)]
pub struct RemediationForm {
    issue: Option<String>,
    unit: Option<String>,
    module: Option<String>,
    review_on: Option<String>,
}

#[rocket::post("/staff/training/remediation", data = "<form>")]
async fn create_remediation(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    form: Checked<RemediationForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let issue = form.issue.clone().unwrap_or_default().trim().to_string();
    let unit: Option<i32> = form.unit.as_deref().and_then(|u| u.parse().ok());
    let module: Option<i32> = form.module.as_deref().and_then(|u| u.parse().ok());
    let review_raw = form.review_on.clone().unwrap_or_default();
    let review_on = NaiveDate::parse_from_str(review_raw.trim(), "%Y-%m-%d").ok();
    let mut errors: Vec<(&str, String)> = vec![];
    if issue.is_empty() {
        errors.push(("issue", auth.catalog.message(&lang, "remediation-err-issue", None)));
    }
    if !review_raw.trim().is_empty() && review_on.is_none() {
        errors.push(("review_on", auth.catalog.message(&lang, "training-err-date", None)));
    }
    if !errors.is_empty() {
        let (u, m) = (form.unit.clone().unwrap_or_default(), form.module.clone().unwrap_or_default());
        let fb = Feedback::refused(
            "remediation",
            &errors,
            &[
                ("issue", issue.as_str()),
                ("unit", u.as_str()),
                ("module", m.as_str()),
                ("review_on", review_raw.as_str()),
            ],
        );
        let t = render_remediation_index(page, &auth, tax, geo, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let uid = who.0.user.id;
    let id = who
        .0
        .create("training.remediation.open", "remediation_action", move |c| {
            let id = model::insert_remediation(
                c,
                &model::NewRemediation {
                    issue: &issue,
                    module_id: module,
                    unit_id: unit,
                    review_on,
                    created_by: uid,
                    case_id: None,
                },
            )?;
            Ok((id, String::new()))
        })
        .await?;
    Ok(Either::Left(Redirect::to(format!("/staff/training/remediation/{id}"))))
}

async fn render_remediation(
    page: Page,
    auth: &Auth<'_>,
    id: i32,
    fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let l = load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let (r, keys) =
        auth.db.run(move |c| Ok((model::find_remediation(c, id)?, model::key_actions(c, id)?))).await?;
    let today = Utc::now().date_naive();
    let view = remediation_view(&r, &l, auth.catalog, &lang);
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| json!({"id": k.0, "description": k.1, "due_on": k.2.to_string(), "done": k.3.is_some(), "late": k.3.is_none() && k.2 < today}))
        .collect();
    let step = remediation::Step::parse(&r.status).unwrap_or(remediation::Step::GapIdentified);
    let next: Vec<Value> = step
        .next()
        .iter()
        .map(|s| json!({"code": s.as_str(), "label": auth.catalog.message(&lang, &format!("remediation-step-{}", s.as_str()), None), "reason": step.needs_reason(*s)}))
        .collect();
    let sessions: Vec<Value> = l
        .sessions
        .iter()
        .filter(|s| r.unit_id.is_none_or(|u| s.units.contains(&u)))
        .map(|s| session_view(&l, s, &lang))
        .collect();
    // The measured effect of the action's session, shown on the page (the JSON has the same).
    let effect = match r.session_id.and_then(|sid| l.sessions.iter().find(|s| s.session.id == sid)) {
        Some(s) => {
            let cfg = &auth.config.training;
            let e = super::api::measure(
                auth,
                &l,
                s,
                Evidence::parse(None),
                cfg.effect_window_days,
                cfg.effect_min_events,
                today,
            )
            .await?;
            let label = auth.catalog.message(
                &lang,
                &format!("effect-verdict-{}", e["verdict"].as_str().unwrap_or("")),
                None,
            );
            Some(json!({"e": e, "label": label}))
        }
        None => None,
    };
    let fb = with_keys(fb, &["to", "reason", "description", "due_on"]);
    Ok(Template::render(
        "training/remediation_show",
        context! { page: page.0, r: view, keys, next, sessions, effect, fb },
    ))
}

#[rocket::get("/staff/training/remediation/<id>")]
async fn remediation_show(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_remediation(page, &auth, id, fb).await
}

#[derive(Debug, FromForm)]
pub struct StepForm {
    to: Option<String>,
    reason: Option<String>,
}

/// `POST /staff/training/remediation/<id>/move`: one step of the state machine, audited; a
/// refused one comes back on the page with the message beside the field.
#[rocket::post("/staff/training/remediation/<id>/move", data = "<form>")]
async fn remediation_move(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    id: i32,
    form: Checked<StepForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let raw = form.to.clone().unwrap_or_default();
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    // Refused moves are answered from the step as read; the move itself is conditional on that
    // step (another trainer moved it meanwhile: refused the same way, nothing written).
    let current = auth.db.run(move |c| Ok(model::find_remediation(c, id)?.status)).await?;
    let from = remediation::Step::parse(&current).ok_or(AppError::internal("unknown remediation step"))?;
    let checked = remediation::Step::parse(&raw)
        .ok_or(remediation::Refusal::NotAllowed)
        .and_then(|to| remediation::check(from, to, &reason).map(|()| to));
    let result = match checked {
        Err(refusal) => Err(refusal),
        Ok(to) => {
            let why = reason.clone();
            let moved = who
                .0
                .write("training.remediation.move", ("remediation_action", id.to_string()), move |c| {
                    if !model::move_remediation(c, id, from.as_str(), to.as_str())? {
                        return Err(AppError::Moved);
                    }
                    Ok((to, format!("{} → {}: {why}", from.as_str(), to.as_str())))
                })
                .await;
            match moved {
                Err(AppError::Moved) => Err(remediation::Refusal::NotAllowed),
                other => Ok(other?),
            }
        }
    };
    match result {
        Ok(to) => {
            let label = auth.catalog.message(&lang, &format!("remediation-step-{}", to.as_str()), None);
            Ok(Either::Left(Flash::success(
                Redirect::to(format!("/staff/training/remediation/{id}")),
                format!("remediation-done-step|{label}"),
            )))
        }
        Err(refusal) => {
            let field = if refusal == remediation::Refusal::ReasonRequired { "reason" } else { "to" };
            let fb = Feedback::refused(
                "move",
                &[(field, auth.catalog.message(&lang, refusal.key(), None))],
                &[("to", raw.as_str()), ("reason", reason.as_str())],
            );
            let t = render_remediation(page, &auth, id, fb).await?;
            Ok(Either::Right((Status::UnprocessableEntity, t)))
        }
    }
}

#[derive(Debug, FromForm)]
pub struct KeyActionForm {
    description: Option<String>,
    due_on: Option<String>,
}

#[rocket::post("/staff/training/remediation/<id>/key-actions", data = "<form>")]
async fn remediation_key_action(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    id: i32,
    form: Checked<KeyActionForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let description = form.description.clone().unwrap_or_default().trim().to_string();
    let due_raw = form.due_on.clone().unwrap_or_default();
    let due = NaiveDate::parse_from_str(due_raw.trim(), "%Y-%m-%d").ok();
    let mut errors: Vec<(&str, String)> = vec![];
    if description.is_empty() {
        errors.push(("description", auth.catalog.message(&lang, "remediation-err-description", None)));
    }
    if due.is_none() {
        errors.push(("due_on", auth.catalog.message(&lang, "training-err-date", None)));
    }
    if !errors.is_empty() {
        let fb = Feedback::refused(
            "key",
            &errors,
            &[("description", description.as_str()), ("due_on", due_raw.as_str())],
        );
        let t = render_remediation(page, &auth, id, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let due = due.unwrap_or_default();
    who.0
        .write("training.remediation.key_action", ("remediation_action", id.to_string()), move |c| {
            model::find_remediation(c, id)?;
            let kid = model::add_key_action(c, id, &description, due)?;
            Ok(((), format!("key action {kid} due {due}")))
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/training/remediation/{id}")),
        "remediation-done-key|",
    )))
}

#[rocket::post("/staff/training/remediation/<id>/key-actions/<kid>/done", data = "<_checked>")]
async fn remediation_key_done(
    who: TrainingStaff<'_>,
    id: i32,
    kid: i32,
    _checked: Checked<NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    who.0
        .write("training.remediation.key_done", ("remediation_action", id.to_string()), move |c| {
            if model::finish_key_action(c, id, kid)? == 0 {
                return Err(AppError::NotFound);
            }
            Ok(((), format!("key action {kid}")))
        })
        .await?;
    Ok(Flash::success(Redirect::to(format!("/staff/training/remediation/{id}")), "remediation-done-key|"))
}

#[derive(Debug, FromForm)]
pub struct LessonsForm {
    lessons_unit: Option<String>,
    lessons_institution: Option<String>,
    session: Option<String>,
    review_on: Option<String>,
}

#[rocket::post("/staff/training/remediation/<id>/lessons", data = "<form>")]
async fn remediation_lessons(
    who: TrainingStaff<'_>,
    id: i32,
    form: Checked<LessonsForm>,
) -> Result<Flash<Redirect>, AppError> {
    let unit = form.lessons_unit.clone().unwrap_or_default();
    let inst = form.lessons_institution.clone().unwrap_or_default();
    let session: Option<i32> = form.session.as_deref().and_then(|s| s.parse().ok());
    let review = form.review_on.as_deref().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
    who.0
        .write("training.remediation.lessons", ("remediation_action", id.to_string()), move |c| {
            model::find_remediation(c, id)?;
            if let Some(s) = session {
                model::find_session(c, s)?;
            }
            model::update_lessons(c, id, &unit, &inst, session, review)?;
            Ok(((), String::new()))
        })
        .await?;
    Ok(Flash::success(Redirect::to(format!("/staff/training/remediation/{id}")), "remediation-done-lessons|"))
}
