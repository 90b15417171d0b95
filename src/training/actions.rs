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

use super::limits;
use super::model::{self, Evidence, Filter};
use super::remediation::{self, Step};
use super::routes::{choices, flash_notice, load, session_view, with_keys, Loaded};
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, Trainer, TrainingStaff};
use crate::db::DbConn;
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

/// The action's issue: one proposed from a case is worded from its violation in the reader's
/// language (the text stored is the case worker's, kept for older actions).
fn issue_text(r: &model::Remediation, tax: &Taxonomy, catalog: &Catalog, lang: &str) -> String {
    let label = r.violation_type_id.and_then(|v| tax.violation_type_by_id(v)).map(|(_, t)| t.label(lang));
    match (r.case_id, label) {
        (Some(_), Some(label)) => from_case_issue(catalog, lang, label),
        _ => r.issue.clone(),
    }
}

/// The issue of an action proposed from a case, worded from its violation's label.
pub(super) fn from_case_issue(catalog: &Catalog, lang: &str, violation: &str) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("violation", violation.to_string());
    catalog.message(lang, "training-from-case-issue", Some(&args))
}

fn remediation_view(
    r: &model::Remediation,
    l: &Loaded,
    tax: &Taxonomy,
    catalog: &Catalog,
    lang: &str,
) -> Value {
    json!({
        "partner": r.partner_id.map(|p| l.partner_name(p)),
        "id": r.id, "status": r.status, "status_label": catalog.message(lang, &format!("remediation-step-{}", r.status), None),
        "issue": issue_text(r, tax, catalog, lang), "lessons_unit": r.lessons_unit, "lessons_institution": r.lessons_institution,
        "module": r.module_id.map(|m| l.module_label(m, lang)), "unit": r.unit_id.map(|u| l.unit_name(u)),
        "review_on": r.review_on.map(|d| d.to_string()).unwrap_or_default(),
        "from_case": r.case_id.is_some(),
    })
}

#[derive(Debug, FromForm, Default)]
pub struct NewRemediationQuery {
    /// The new action's unit and module, when opened from a gap or a flag.
    unit: Option<i32>,
    module: Option<i32>,
    /// The list: `open` (default: not closed or escalated), `all`, or one step.
    status: Option<String>,
    /// The list: only my partner's actions and those no partner carries yet.
    mine: Option<bool>,
    /// The list's page, from 1.
    page: Option<i64>,
}

/// Remediation actions on one page of the list.
const PER_PAGE: i64 = 50;

/// The list's filter as the query gives it: (the steps shown, or all; the status kept).
fn list_statuses(status: Option<&str>) -> (Option<Vec<&'static str>>, &'static str) {
    match status.and_then(Step::parse) {
        Some(step) => (Some(vec![step.as_str()]), step.as_str()),
        None if status == Some("all") => (None, "all"),
        None => (Some(Step::ALL.iter().filter(|s| !s.is_final()).map(|s| s.as_str()).collect()), "open"),
    }
}

async fn render_remediation_index(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    fb: Feedback,
    q: &NewRemediationQuery,
    uid: i32,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let l = load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let (statuses, status) = list_statuses(q.status.as_deref());
    let mine = q.mine.unwrap_or(false);
    // Any page number is read (a huge one is past the end), never an overflowing offset.
    let number = q.page.unwrap_or(1).clamp(1, i64::MAX / PER_PAGE);
    let (total, rows) = auth
        .db
        .run(move |c| {
            // An admin has no partner: "mine" is then the actions no partner carries yet.
            let partner = if mine { Some(model::partner_of(c, uid)?.unwrap_or(-1)) } else { None };
            Ok(model::remediations(c, statuses.as_deref(), partner, PER_PAGE, (number - 1) * PER_PAGE)?)
        })
        .await?;
    let rows: Vec<Value> = rows.iter().map(|r| remediation_view(r, &l, tax, auth.catalog, &lang)).collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let list = json!({
        "status": status, "mine": mine, "total": total, "page": number, "pages": pages,
        "prev": (number > 1).then(|| number - 1), "next": (number < pages).then(|| number + 1),
        "steps": Step::ALL.iter().map(|s| json!({
            "code": s.as_str(),
            "label": auth.catalog.message(&lang, &format!("remediation-step-{}", s.as_str()), None),
        })).collect::<Vec<_>>(),
    });
    let choices = choices(&l, tax, geo, &lang);
    let fb = with_keys(fb, &["issue", "unit", "module", "review_on"]);
    Ok(Template::render("training/remediation_index", context! { page: page.0, rows, list, choices, fb }))
}

/// `GET /staff/training/remediation`: the actions, and a new one (opened from a gap or a flag
/// with its unit and module filled in).
#[rocket::get("/staff/training/remediation?<q..>")]
async fn remediation_index(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
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
    render_remediation_index(page, &auth, tax, geo, fb, &q, who.0.user.id).await
}

#[derive(Debug, FromForm)]
pub struct RemediationForm {
    issue: Option<String>,
    unit: Option<String>,
    module: Option<String>,
    review_on: Option<String>,
}

/// A list choice from a form: none when empty, `Err` when it is not one of `known`.
fn choice(raw: Option<&str>, known: impl Fn(i32) -> bool) -> Result<Option<i32>, ()> {
    match raw.map(str::trim).unwrap_or("") {
        "" => Ok(None),
        v => v.parse().ok().filter(|id| known(*id)).map(Some).ok_or(()),
    }
}

#[rocket::post("/staff/training/remediation", data = "<form>")]
async fn create_remediation(
    page: Page,
    auth: Auth<'_>,
    who: Trainer<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    form: Checked<RemediationForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let uid = who.0.user.id;
    let (partner, units, modules) = auth
        .db
        .run(move |c| {
            Ok((
                model::partner_of(c, uid)?,
                model::units(c)?.into_iter().map(|u| u.id).collect::<Vec<i32>>(),
                model::modules(c)?.into_iter().map(|m| m.0).collect::<Vec<i32>>(),
            ))
        })
        .await?;
    let issue = form.issue.clone().unwrap_or_default().trim().to_string();
    let unit = choice(form.unit.as_deref(), |u| units.contains(&u));
    let module = choice(form.module.as_deref(), |m| modules.contains(&m));
    let review_raw = form.review_on.clone().unwrap_or_default();
    let review_on = NaiveDate::parse_from_str(review_raw.trim(), "%Y-%m-%d").ok();
    let mut errors: Vec<(&str, String)> = vec![];
    if partner.is_none() {
        errors.push(("issue", tr("training-err-no-partner")));
    }
    if issue.is_empty() {
        errors.push(("issue", tr("remediation-err-issue")));
    }
    if unit.is_err() {
        errors.push(("unit", tr("remediation-err-unit-choice")));
    }
    if module.is_err() {
        errors.push(("module", tr("remediation-err-module-choice")));
    }
    if !review_raw.trim().is_empty() && review_on.is_none() {
        errors.push(("review_on", tr("training-err-date")));
    }
    if review_on.is_some_and(|d| !limits::plausible(d, Utc::now().date_naive())) {
        errors.push(("review_on", tr("training-err-date-range")));
    }
    if !limits::text_ok(&issue) {
        errors.push(("issue", tr("training-err-text-long")));
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
        let t = render_remediation_index(
            page,
            &auth,
            tax,
            geo,
            fb,
            &<NewRemediationQuery as Default>::default(),
            uid,
        )
        .await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let (unit, module) = (unit.ok().flatten(), module.ok().flatten());
    let opened = who
        .0
        .write_all(move |c| {
            // The same action again (a form sent twice): nothing is added. The planning lock
            // makes two at once go one after the other on PostgreSQL.
            model::lock_planning(c)?;
            if let Some(p) = partner {
                if let Some(same) = model::same_remediation(c, p, &issue, unit, module)? {
                    return Ok((Err(same), vec![]));
                }
            }
            let id = model::insert_remediation(
                c,
                &model::NewRemediation {
                    issue: &issue,
                    module_id: module,
                    unit_id: unit,
                    review_on,
                    created_by: uid,
                    case_id: None,
                    partner_id: partner,
                    violation_type_id: None,
                },
            )?;
            Ok((Ok(id), vec![Audit::new("training.remediation.open", "remediation_action", id, "")]))
        })
        .await?;
    Ok(Either::Left(match opened {
        Ok(id) => Flash::success(
            Redirect::to(format!("/staff/training/remediation/{id}")),
            "remediation-done-open|",
        ),
        Err(id) => Flash::success(
            Redirect::to(format!("/staff/training/remediation/{id}")),
            format!("remediation-done-already|{id}"),
        ),
    }))
}

/// A trainer's write to an action: it must be their partner's, or no partner's yet (then it
/// becomes theirs, in the same transaction). Anything else answers 404, as a record they may
/// not change; admins, who have no partner, change none.
fn hold(c: &mut DbConn, id: i32, uid: i32) -> Result<i32, AppError> {
    let partner = model::partner_of(c, uid)?.ok_or(AppError::NotFound)?;
    if !model::hold_remediation(c, id, partner)? {
        return Err(AppError::NotFound);
    }
    Ok(partner)
}

/// Whether the action is closed or escalated: it changes no more.
fn is_final(r: &model::Remediation) -> bool {
    Step::parse(&r.status).is_some_and(Step::is_final)
}

/// Whether this user may change the action (the same rule as `hold`, read before writing).
fn may_change(r: &model::Remediation, partner: Option<i32>) -> bool {
    partner.is_some() && (r.partner_id.is_none() || r.partner_id == partner)
}

async fn render_remediation(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    id: i32,
    uid: i32,
    mut fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let l = load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let (r, named, keys, partner) = auth
        .db
        .run(move |c| {
            Ok((
                model::find_remediation(c, id)?,
                model::remediation_sessions(c, id)?,
                model::key_actions(c, id)?,
                model::partner_of(c, uid)?,
            ))
        })
        .await?;
    // A closed or escalated action is shown without its forms: it changes no more.
    let mine = may_change(&r, partner) && !is_final(&r);
    let theirs = r.partner_id.is_some() && r.partner_id != partner;
    let today = Utc::now().date_naive();
    let view = remediation_view(&r, &l, tax, auth.catalog, &lang);
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
    // The sessions the action may name: its carrier's (or this trainer's), not cancelled, for
    // its unit, teaching its module; and those it names.
    let carrier = r.partner_id.or(partner);
    let sessions: Vec<Value> = l
        .sessions
        .iter()
        .filter(|s| named.contains(&s.session.id) || session_fits(s, r.unit_id, carrier, r.module_id))
        .map(|s| session_view(&l, s, &lang))
        .collect();
    let modules: Vec<Value> = l
        .modules
        .iter()
        .map(|m| json!({"sid": m.0.to_string(), "label": l.label("module", &m.1, &lang)}))
        .collect();
    // The measured effect of each of the action's sessions, shown on the page (the JSON has
    // the same).
    let mut effects = vec![];
    for s in named.iter().filter_map(|id| l.sessions.iter().find(|s| s.session.id == *id)) {
        let e = effect_today(auth, &l, s, today).await?;
        let label = auth.catalog.message(
            &lang,
            &format!("effect-verdict-{}", e["verdict"].as_str().unwrap_or("")),
            None,
        );
        effects.push(json!({"e": e, "label": label, "session": session_view(&l, s, &lang)}));
    }
    // The details form shows what is stored, unless it comes back refused with what was typed.
    let stored = [
        ("lessons_unit", r.lessons_unit.clone()),
        ("lessons_institution", r.lessons_institution.clone()),
        ("module", r.module_id.map(|m| m.to_string()).unwrap_or_default()),
        ("session", named.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")),
        ("review_on", r.review_on.map(|d| d.to_string()).unwrap_or_default()),
    ];
    for (k, v) in stored {
        fb.values.entry(k.to_string()).or_insert(v);
    }
    let fb = with_keys(fb, &["to", "reason", "description", "due_on"]);
    // The sessions ticked: those stored, or those sent back with a refused form.
    let chosen: Vec<String> = fb
        .values
        .get("session")
        .map(|v| v.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Template::render(
        "training/remediation_show",
        context! { page: page.0, r: view, keys, next, sessions, chosen, modules, effects, mine, theirs, fb },
    ))
}

/// A session's effect as the action's page and its review measure it: the default evidence
/// threshold and the configured windows.
async fn effect_today(
    auth: &Auth<'_>,
    l: &Loaded,
    s: &model::SessionFull,
    today: NaiveDate,
) -> Result<Value, AppError> {
    let cfg = &auth.config.training;
    super::api::measure(
        auth,
        l,
        s,
        Evidence::parse(None),
        cfg.effect_window_months,
        cfg.effect_min_events,
        today,
    )
    .await
}

/// The effect of each of an action's sessions that teach its module (those a move counts) as
/// measured today, in one line for the audit log ("no session" without one), with their ids:
/// the move checks, in its transaction, that they are still the ones it counts.
async fn effect_at_review(
    auth: &Auth<'_>,
    id: i32,
    today: NaiveDate,
) -> Result<(Vec<i32>, String), AppError> {
    let (r, named) = auth
        .db
        .run(move |c| Ok((model::find_remediation(c, id)?, model::remediation_sessions(c, id)?)))
        .await?;
    let l = load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let mut said = vec![];
    let mut ids = vec![];
    for s in named
        .iter()
        .filter_map(|id| l.sessions.iter().find(|s| s.session.id == *id))
        .filter(|s| teaches(s, r.module_id))
    {
        ids.push(s.session.id);
        let e = effect_today(auth, &l, s, today).await?;
        said.push(format!(
            "effect of session {}: {} rate_ratio {} ci {} comparison_ratio {}",
            s.session.id,
            e["verdict"].as_str().unwrap_or("?"),
            e["rate_ratio"],
            e["ci"],
            e["comparison_ratio"]
        ));
    }
    Ok((ids, if said.is_empty() { "no session".to_string() } else { said.join("; ") }))
}

/// A session an action may name: not cancelled, the carrier partner's, for the action's unit,
/// teaching the action's module.
fn session_fits(
    s: &model::SessionFull,
    unit: Option<i32>,
    carrier: Option<i32>,
    module: Option<i32>,
) -> bool {
    s.session.status != "cancelled"
        && Some(s.session.partner_id) == carrier
        && unit.is_none_or(|u| s.units.contains(&u))
        && teaches(s, module)
}

/// Whether a session teaches an action's module (any session, when the action has none yet).
/// Found in review (session 21): an action could be delivered, evaluated and closed on a session
/// of another module, and its measured effect was then about other violations.
fn teaches(s: &model::SessionFull, module: Option<i32>) -> bool {
    module.is_none_or(|m| s.modules.contains(&m))
}

#[rocket::get("/staff/training/remediation/<id>")]
async fn remediation_show(
    page: Page,
    auth: Auth<'_>,
    tax: &State<Arc<Taxonomy>>,
    who: TrainingStaff<'_>,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_remediation(page, &auth, tax, id, who.0.user.id, fb).await
}

#[derive(Debug, FromForm)]
pub struct StepForm {
    to: Option<String>,
    reason: Option<String>,
}

/// `POST /staff/training/remediation/<id>/move`: one step of the state machine, audited; a
/// refused one comes back on the page with the message beside the field. Only the carrier
/// partner's trainers move an action (404 for others).
#[rocket::post("/staff/training/remediation/<id>/move", data = "<form>")]
async fn remediation_move(
    page: Page,
    auth: Auth<'_>,
    tax: &State<Arc<Taxonomy>>,
    who: Trainer<'_>,
    id: i32,
    form: Checked<StepForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let uid = who.0.user.id;
    let raw = form.to.clone().unwrap_or_default();
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    // Refused moves are answered from the action as read; the move itself is conditional on
    // its step (another trainer moved it meanwhile: refused the same way, nothing written).
    let partner = auth.db.run(move |c| Ok(model::partner_of(c, uid)?)).await?;
    let r = auth.db.run(move |c| Ok(model::find_remediation(c, id)?)).await?;
    if !may_change(&r, partner) {
        return Err(AppError::NotFound);
    }
    if !limits::text_ok(&reason) {
        let message = auth.catalog.message(&lang, "training-err-text-long", None);
        let fb = Feedback::refused(
            "move",
            &[("reason", message)],
            &[("to", raw.as_str()), ("reason", reason.as_str())],
        );
        let t = render_remediation(page, &auth, tax, id, uid, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    // The move is checked inside its transaction, on the action as it is then (its step, its
    // module and session, that session's status): a lessons form saved or a session cancelled
    // meanwhile is seen. A refused move writes nothing, audit included.
    let why = reason.clone();
    let to = remediation::Step::parse(&raw);
    let today = Utc::now().date_naive();
    let review_min = auth.config.training.review_min_months;
    // The effect measured at review is kept in the move's audit entry: the page shows it as it
    // is on the day it is read, the entry as it was when the action was reviewed.
    let measured = match to {
        Some(remediation::Step::Reviewed) => Some(effect_at_review(&auth, id, today).await?),
        _ => None,
    };
    let result: Result<remediation::Step, remediation::Refusal> = who
        .0
        .write_all(move |c| {
            // Locked, read, checked, and only then taken (`hold`): a refused move writes
            // nothing, and a lessons form saved meanwhile is seen.
            model::lock_remediation(c, id)?;
            let r = model::find_remediation(c, id)?;
            if !may_change(&r, model::partner_of(c, uid)?) {
                return Err(AppError::NotFound);
            }
            // A session that does not teach the action's module (named before that was
            // checked) is not one the action holds; one delivered of those it names is enough.
            let mut fits = vec![];
            for sid in model::remediation_sessions(c, id)? {
                let s = model::find_session(c, sid)?;
                if teaches(&s, r.module_id) {
                    fits.push(s);
                }
            }
            let from =
                remediation::Step::parse(&r.status).ok_or(AppError::internal("unknown remediation step"))?;
            // Reviewed: its review date has come, and enough whole months are over since one
            // of its sessions was delivered for the effect to be judged (found in review,
            // session 21: a review date set to today let an action be reviewed at once).
            let months_over = |s: &model::SessionFull| {
                super::effect::month_index(today) - super::effect::month_index(s.session.span().1) - 1
            };
            let delivered: Vec<&model::SessionFull> =
                fits.iter().filter(|s| s.session.status == "delivered").collect();
            let held = remediation::Held {
                module: r.module_id.is_some(),
                session: !fits.is_empty(),
                delivered: !delivered.is_empty(),
                review_due: r.review_on.is_some_and(|d| d <= today)
                    && delivered.iter().any(|s| months_over(s) >= review_min),
            };
            // The effect written to the audit entry is of the sessions the move counts.
            let counted: Vec<i32> = fits.iter().map(|s| s.session.id).collect();
            if measured.as_ref().is_some_and(|(ids, _)| *ids != counted) {
                return Err(AppError::Moved);
            }
            let checked = to
                .ok_or(remediation::Refusal::NotAllowed)
                .and_then(|to| remediation::check(from, to, &why, held).map(|()| to));
            let to = match checked {
                Ok(to) => to,
                Err(refusal) => return Ok((Err(refusal), vec![])),
            };
            hold(c, id, uid)?;
            if !model::move_remediation(c, id, from.as_str(), to.as_str())? {
                return Ok((Err(remediation::Refusal::NotAllowed), vec![]));
            }
            let measured = measured.as_ref().filter(|_| to == remediation::Step::Reviewed).map(|(_, m)| m);
            let said = format!(
                "{} → {}{}",
                from.as_str(),
                to.as_str(),
                measured.map_or(String::new(), |m| format!("; {m}"))
            );
            let entry = Audit::new(
                "training.remediation.move",
                "remediation_action",
                id,
                crate::audit::with_typed(&said, &why),
            );
            Ok((Ok(to), vec![entry]))
        })
        .await?;
    match result {
        Ok(to) => {
            let label = auth.catalog.message(&lang, &format!("remediation-step-{}", to.as_str()), None);
            Ok(Either::Left(Flash::success(
                Redirect::to(format!("/staff/training/remediation/{id}")),
                format!("remediation-done-step|{label}"),
            )))
        }
        Err(refusal) => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("months", auth.config.training.review_min_months);
            let fb = Feedback::refused(
                "move",
                &[(refusal.field(), auth.catalog.message(&lang, refusal.key(), Some(&args)))],
                &[("to", raw.as_str()), ("reason", reason.as_str())],
            );
            let t = render_remediation(page, &auth, tax, id, uid, fb).await?;
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
    tax: &State<Arc<Taxonomy>>,
    who: Trainer<'_>,
    id: i32,
    form: Checked<KeyActionForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let uid = who.0.user.id;
    let (r, partner) =
        auth.db.run(move |c| Ok((model::find_remediation(c, id)?, model::partner_of(c, uid)?))).await?;
    if !may_change(&r, partner) {
        return Err(AppError::NotFound);
    }
    let description = form.description.clone().unwrap_or_default().trim().to_string();
    let due_raw = form.due_on.clone().unwrap_or_default();
    let due = NaiveDate::parse_from_str(due_raw.trim(), "%Y-%m-%d").ok();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let today = chrono::Utc::now().date_naive();
    let mut errors: Vec<(&str, String)> = vec![];
    if is_final(&r) {
        errors.push(("description", tr(remediation::Keep::Final.key())));
    }
    if description.is_empty() {
        errors.push(("description", tr("remediation-err-description")));
    } else if !limits::text_ok(&description) {
        errors.push(("description", tr("training-err-text-long")));
    }
    match due {
        None => errors.push(("due_on", tr("training-err-date"))),
        Some(d) if !limits::plausible(d, today) => errors.push(("due_on", tr("training-err-date-range"))),
        Some(_) => {}
    }
    if !errors.is_empty() {
        let fb = Feedback::refused(
            "key",
            &errors,
            &[("description", description.as_str()), ("due_on", due_raw.as_str())],
        );
        let t = render_remediation(page, &auth, tax, id, uid, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let due = due.unwrap_or_default();
    who.0
        .write("training.remediation.key_action", ("remediation_action", id.to_string()), move |c| {
            hold(c, id, uid)?;
            if is_final(&model::find_remediation(c, id)?) {
                return Err(AppError::Moved);
            }
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
    who: Trainer<'_>,
    id: i32,
    kid: i32,
    _checked: Checked<NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    let uid = who.0.user.id;
    let back = Redirect::to(format!("/staff/training/remediation/{id}"));
    // Checked before anything is written: a second press (the first one did it) is told so,
    // and a closed action is not changed.
    let done = who
        .0
        .write_all(move |c| {
            model::lock_remediation(c, id)?;
            let r = model::find_remediation(c, id)?;
            if !may_change(&r, model::partner_of(c, uid)?) {
                return Err(AppError::NotFound);
            }
            if is_final(&r) {
                return Ok((Err("remediation-err-final|"), vec![]));
            }
            if model::finish_key_action(c, id, kid)? == 0 {
                return match model::key_action_done(c, id, kid)? {
                    true => Ok((Ok("remediation-done-key-already|"), vec![])),
                    false => Err(AppError::NotFound),
                };
            }
            hold(c, id, uid)?;
            let entry = Audit::new(
                "training.remediation.key_done",
                "remediation_action",
                id,
                format!("key action {kid}"),
            );
            Ok((Ok("remediation-done-key|"), vec![entry]))
        })
        .await?;
    Ok(match done {
        Ok(key) => Flash::success(back, key),
        Err(key) => Flash::error(back, key),
    })
}

#[derive(Debug, FromForm)]
pub struct LessonsForm {
    lessons_unit: Option<String>,
    lessons_institution: Option<String>,
    module: Option<String>,
    /// The sessions ticked. The form always sends one empty `session` beside its boxes, so that
    /// none ticked (clear them) is told apart from a form without the field (keep them).
    session: Vec<String>,
    review_on: Option<String>,
}

/// `POST /staff/training/remediation/<id>/lessons`: the action's module, sessions, review date
/// and lessons. Each session must be the carrier partner's, for the action's unit, teaching its
/// module, not cancelled; a refused form comes back with what was typed and the message beside
/// the field.
#[rocket::post("/staff/training/remediation/<id>/lessons", data = "<form>")]
async fn remediation_lessons(
    page: Page,
    auth: Auth<'_>,
    tax: &State<Arc<Taxonomy>>,
    who: Trainer<'_>,
    id: i32,
    form: Checked<LessonsForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let uid = who.0.user.id;
    let l = load(&auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let (r, stored, partner) = auth
        .db
        .run(move |c| {
            Ok((
                model::find_remediation(c, id)?,
                model::remediation_sessions(c, id)?,
                model::partner_of(c, uid)?,
            ))
        })
        .await?;
    if !may_change(&r, partner) {
        return Err(AppError::NotFound);
    }
    let carrier = r.partner_id.or(partner);
    let text = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_string();
    // A field the form does not send keeps what is stored; an empty one clears it.
    let kept =
        |v: &Option<String>, stored: &str| v.as_deref().map_or(stored.to_string(), |x| x.trim().to_string());
    let (unit_lessons, inst_lessons) =
        (kept(&form.lessons_unit, &r.lessons_unit), kept(&form.lessons_institution, &r.lessons_institution));
    let module = match form.module.as_deref() {
        None => Ok(r.module_id),
        raw => choice(raw, |m| l.modules.iter().any(|x| x.0 == m)),
    };
    let ticked: Vec<&str> = form.session.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    let sessions: Result<Vec<i32>, ()> = if form.session.is_empty() {
        Ok(stored.clone())
    } else {
        // A session it names already stays, even if it no longer fits (cancelled since).
        ticked
            .iter()
            .map(|raw| {
                choice(Some(raw), |sid| {
                    stored.contains(&sid)
                        || l.sessions.iter().any(|s| {
                            s.session.id == sid
                                && session_fits(s, r.unit_id, carrier, *module.as_ref().unwrap_or(&None))
                        })
                })
                .and_then(|id| id.ok_or(()))
            })
            .collect::<Result<Vec<i32>, ()>>()
            .map(|mut ids| {
                ids.sort_unstable();
                ids.dedup();
                ids
            })
    };
    // Every session named, kept or chosen, teaches the module named, kept or chosen; but a
    // session stored before that was checked may stay as it is (the form could not be saved
    // at all otherwise), though a move does not count it.
    let changed = |ids: &[i32]| ids != stored.as_slice() || module.as_ref().is_ok_and(|m| *m != r.module_id);
    let mismatched = match (&module, &sessions) {
        (Ok(m), Ok(ids)) if changed(ids) => {
            l.sessions.iter().any(|s| ids.contains(&s.session.id) && !teaches(s, *m))
        }
        _ => false,
    };
    let review_raw = match &form.review_on {
        None => r.review_on.map(|d| d.to_string()).unwrap_or_default(),
        Some(v) => v.trim().to_string(),
    };
    let review = NaiveDate::parse_from_str(&review_raw, "%Y-%m-%d").ok();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let today = Utc::now().date_naive();
    let mut errors: Vec<(&str, String)> = vec![];
    if module.is_err() {
        errors.push(("module", tr("remediation-err-module-choice")));
    }
    if sessions.is_err() {
        errors.push(("session", tr("remediation-err-session-choice")));
    } else if mismatched {
        errors.push(("session", tr("remediation-err-session-module")));
    }
    if !review_raw.is_empty() && review.is_none() {
        errors.push(("review_on", tr("training-err-date")));
    }
    if review.is_some_and(|d| !limits::plausible(d, today)) {
        errors.push(("review_on", tr("training-err-date-range")));
    }
    if !limits::text_ok(&unit_lessons) {
        errors.push(("lessons_unit", tr("training-err-text-long")));
    }
    if !limits::text_ok(&inst_lessons) {
        errors.push(("lessons_institution", tr("training-err-text-long")));
    }
    // What the action's step needs stays (checked again in the transaction below, on the
    // action as it is then).
    if let (Ok(m), Ok(ids)) = (&module, &sessions) {
        let delivered =
            l.sessions.iter().any(|x| ids.contains(&x.session.id) && x.session.status == "delivered");
        let held =
            remediation::Held { module: m.is_some(), session: !ids.is_empty(), delivered, review_due: false };
        if let Some(Err(keep)) = Step::parse(&r.status).map(|step| remediation::keeps(step, held)) {
            errors.push((keep.field(), tr(keep.key())));
        }
    }
    if !errors.is_empty() {
        let (m, s) = (text(&form.module), ticked.join(","));
        let fb = Feedback::refused(
            "lessons",
            &errors,
            &[
                ("lessons_unit", unit_lessons.as_str()),
                ("lessons_institution", inst_lessons.as_str()),
                ("module", m.as_str()),
                ("session", s.as_str()),
                ("review_on", review_raw.as_str()),
            ],
        );
        let t = render_remediation(page, &auth, tax, id, uid, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let (module, sessions) = (module.ok().flatten(), sessions.unwrap_or_default());
    who.0
        .write("training.remediation.lessons", ("remediation_action", id.to_string()), move |c| {
            hold(c, id, uid)?;
            let now = model::find_remediation(c, id)?;
            let mut delivered = false;
            let kept = model::remediation_sessions(c, id)? == sessions && now.module_id == module;
            for sid in &sessions {
                let s = model::find_session(c, *sid)?;
                if !kept && !teaches(&s, module) {
                    return Err(AppError::Moved);
                }
                delivered |= s.session.status == "delivered";
            }
            let held = remediation::Held {
                module: module.is_some(),
                session: !sessions.is_empty(),
                delivered,
                review_due: false,
            };
            if Step::parse(&now.status).is_none_or(|step| remediation::keeps(step, held).is_err()) {
                // Moved meanwhile to a step this change does not fit: nothing is written.
                return Err(AppError::Moved);
            }
            let lessons = model::Lessons {
                unit: &unit_lessons,
                institution: &inst_lessons,
                module_id: module,
                session_ids: &sessions,
                review_on: review,
            };
            model::update_lessons(c, id, &lessons)?;
            let module = module.map_or("none".to_string(), |v| v.to_string());
            let named = if sessions.is_empty() {
                "none".to_string()
            } else {
                sessions.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")
            };
            let review = review.map_or("none".to_string(), |d| d.to_string());
            Ok(((), format!("module {module} sessions {named} review {review}")))
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/training/remediation/{id}")),
        "remediation-done-lessons|",
    )))
}
