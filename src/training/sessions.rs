//! The sessions page: a partner's own sessions (plan, confirm, deliver, cancel) and every
//! other partner's plans; a plan that duplicates another partner's offer is stopped unless a
//! written reason is given, and then both partners are told by mail.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, State};
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::model::{self, Evidence, Filter, SessionFull};
use super::routes::{choices, flash_notice, load, session_view, with_keys, Loaded};
use super::{limits, offers};
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, Trainer, TrainingStaff};
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![sessions_page, plan_session, move_session]
}

// Sessions ------------------------------------------------------------------------------------

fn offer_of(x: &SessionFull) -> offers::Offer {
    offers::Offer {
        id: x.session.id,
        partner_id: x.session.partner_id,
        status: x.session.status.clone(),
        modules: x.modules.clone(),
        units: x.units.clone(),
        from: x.session.span().0,
        to: x.session.span().1,
    }
}

/// The duplicates of each of a partner's live sessions, among the other partners' offers.
fn duplicates_of(all: &[SessionFull], s: &SessionFull, window: i64) -> Vec<i32> {
    let others: Vec<offers::Offer> = all.iter().map(offer_of).collect();
    offers::duplicates(&offer_of(s), &others, window).into_iter().map(|(o, _)| o.id).collect()
}

async fn render_sessions(
    page: Page,
    auth: &Auth<'_>,
    who: &TrainingStaff<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    fb: Feedback,
    warning: Vec<Value>,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let uid = who.0.user.id;
    let (partner, l) = {
        let p = auth.db.run(move |c| Ok(model::partner_of(c, uid)?)).await?;
        (
            p,
            load(auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
                .await?,
        )
    };
    let window = auth.config.training.offer_window_days;
    let mine: Vec<Value> = l
        .sessions
        .iter()
        .filter(|s| Some(s.session.partner_id) == partner)
        .map(|s| {
            let mut v = session_view(&l, s, &lang);
            let live = s.session.status != "cancelled";
            let dups: Vec<Value> = if live {
                duplicates_of(&l.sessions, s, window)
                    .into_iter()
                    .filter_map(|id| l.sessions.iter().find(|x| x.session.id == id))
                    .map(|x| session_view(&l, x, &lang))
                    .collect()
            } else {
                vec![]
            };
            v["duplicates"] = json!(dups);
            v["next"] = json!(["confirmed", "delivered", "cancelled"]
                .iter()
                .filter(|to| offers::session_move_allowed(&s.session.status, to))
                .collect::<Vec<_>>());
            v
        })
        .collect();
    let others: Vec<Value> = l
        .sessions
        .iter()
        .filter(|s| Some(s.session.partner_id) != partner && s.session.status != "cancelled")
        .map(|s| session_view(&l, s, &lang))
        .collect();
    let choices = choices(&l, tax, geo, &lang);
    let partner_name = partner.map(|p| l.partner_name(p));
    let picked = |k: &str| -> Vec<i32> {
        fb.values.get(k).map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
    };
    let (chosen_modules, chosen_units) = (picked("modules"), picked("units"));
    let fb = with_keys(fb, &["planned_from", "planned_to", "region", "go_ahead_reason", "modules", "units"]);
    Ok(Template::render(
        "training/sessions",
        context! { page: page.0, mine, others, choices, fb, warning, window, partner: partner_name, chosen_modules, chosen_units },
    ))
}

/// `GET /staff/training/sessions`: the partner's sessions, every other partner's plans.
#[rocket::get("/staff/training/sessions")]
async fn sessions_page(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_sessions(page, &auth, &who, tax, geo, fb, vec![]).await
}

#[derive(Debug, FromForm)]
pub struct PlanForm {
    modules: Vec<String>,
    units: Vec<String>,
    planned_from: Option<String>,
    planned_to: Option<String>,
    region: Option<String>,
    go_ahead_reason: Option<String>,
}

/// `POST /staff/training/sessions`: a trainer plans a session for their partner. Another
/// partner's offer of a module to a unit within the window stops it, shown on the page with
/// the other's plan; a written reason lets it go ahead, and then both partners' trainers are
/// told by mail (partner, module, unit, dates: nothing about cases).
#[rocket::post("/staff/training/sessions", data = "<form>")]
async fn plan_session(
    page: Page,
    auth: Auth<'_>,
    trainer: Trainer<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    form: Checked<PlanForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let who = TrainingStaff(trainer.0.clone());
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let uid = trainer.0.user.id;
    let partner = auth.db.run(move |c| Ok(model::partner_of(c, uid)?)).await?;
    let from_raw = form.planned_from.clone().unwrap_or_default();
    let to_raw = form.planned_to.clone().unwrap_or_default();
    let from = NaiveDate::parse_from_str(from_raw.trim(), "%Y-%m-%d").ok();
    let to = NaiveDate::parse_from_str(to_raw.trim(), "%Y-%m-%d").ok();
    let region = form.region.clone().unwrap_or_default();
    let reason = form.go_ahead_reason.clone().unwrap_or_default().trim().to_string();
    let mut errors: Vec<(&str, String)> = vec![];
    if partner.is_none() {
        errors.push(("partner", tr("training-err-no-partner")));
    }
    // The lists as chosen, each id once; a value not in the lists is refused beside its field.
    let l = load(&auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    let picked = |raw: &[String], known: &dyn Fn(i32) -> bool| -> Result<Vec<i32>, ()> {
        let mut ids = raw
            .iter()
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse::<i32>().ok().filter(|id| known(*id)).ok_or(()))
            .collect::<Result<Vec<i32>, ()>>()?;
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    };
    let modules = picked(&form.modules, &|m| l.modules.iter().any(|x| x.0 == m));
    let units = picked(&form.units, &|u| l.unit(u).is_some());
    match &modules {
        Err(()) => errors.push(("modules", tr("remediation-err-module-choice"))),
        Ok(m) if m.is_empty() => errors.push(("modules", tr("training-err-modules"))),
        Ok(_) => {}
    }
    match &units {
        Err(()) => errors.push(("units", tr("remediation-err-unit-choice"))),
        Ok(u) if u.is_empty() => errors.push(("units", tr("training-err-units"))),
        Ok(_) => {}
    }
    let today = Utc::now().date_naive();
    match (from, to) {
        (Some(f), _) if !limits::plausible(f, today) => {
            errors.push(("planned_from", tr("training-err-date-range")))
        }
        (_, Some(t)) if !limits::plausible(t, today) => {
            errors.push(("planned_to", tr("training-err-date-range")))
        }
        (Some(f), Some(t)) if f <= t && limits::session_span_ok(f, t) => {}
        (Some(f), Some(t)) if f <= t => errors.push(("planned_to", tr("training-err-span"))),
        (Some(_), Some(_)) => errors.push(("planned_to", tr("training-err-dates-order"))),
        (None, _) => errors.push(("planned_from", tr("training-err-date"))),
        (_, None) => errors.push(("planned_to", tr("training-err-date"))),
    }
    if !limits::text_ok(&reason) {
        errors.push(("go_ahead_reason", tr("training-err-text-long")));
    }
    if !region.is_empty() && geo.boundaries.region(&region).is_none() {
        errors.push(("region", tr("training-err-region")));
    }
    let modules = modules.unwrap_or_default();
    let units = units.unwrap_or_default();
    let values_owned: Vec<(&str, String)> = vec![
        ("planned_from", from_raw.clone()),
        ("planned_to", to_raw.clone()),
        ("region", region.clone()),
        ("go_ahead_reason", reason.clone()),
        // As chosen, so that a refused form keeps every valid pick.
        ("modules", form.modules.iter().map(|m| m.trim()).collect::<Vec<_>>().join(",")),
        ("units", form.units.iter().map(|m| m.trim()).collect::<Vec<_>>().join(",")),
    ];
    let values: Vec<(&str, &str)> = values_owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if !errors.is_empty() {
        let fb = Feedback::refused("plan", &errors, &values);
        let t = render_sessions(page, &auth, &who, tax, geo, fb, vec![]).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let (partner, from, to) = (partner.unwrap_or_default(), from.unwrap_or_default(), to.unwrap_or_default());
    let plan = offers::Offer {
        id: 0,
        partner_id: partner,
        status: "planned".into(),
        modules: modules.clone(),
        units: units.clone(),
        from,
        to,
    };
    let window = auth.config.training.offer_window_days;
    let others: Vec<offers::Offer> = l.sessions.iter().map(offer_of).collect();
    let dups: Vec<i32> = offers::duplicates(&plan, &others, window).iter().map(|(o, _)| o.id).collect();
    if !dups.is_empty() && reason.is_empty() {
        return duplicate_warning(page, &auth, &who, tax, geo, &l, &values, &dups).await;
    }
    let catalog = auth.catalog.clone();
    let link = format!("{}/staff/training/sessions", auth.config.public_url);
    let region = Some(region).filter(|r| !r.is_empty());
    let reason_opt = Some(reason.clone()).filter(|r| !r.is_empty());
    let plan_again = plan.clone();
    // The duplicates are read again under the planning lock: another partner's plan saved
    // since the page was read stops this one the same way (its partner told, or this one).
    let planned = trainer
        .0
        .write_all(move |c| {
            model::lock_planning(c)?;
            let now = model::sessions(c)?;
            // The same plan again (a form sent twice, a page reloaded): nothing is added.
            if let Some(same) = now.iter().find(|s| same_plan(s, &plan)) {
                return Ok((Planned::Already(same.session.id), vec![]));
            }
            let others: Vec<offers::Offer> = now.iter().map(offer_of).collect();
            let dups: Vec<&SessionFull> = offers::duplicates(&plan, &others, window)
                .iter()
                .filter_map(|(o, _)| now.iter().find(|s| s.session.id == o.id))
                .collect();
            if !dups.is_empty() && reason_opt.is_none() {
                return Err(AppError::Moved);
            }
            // A reason is kept only when there was something to go ahead of.
            let reason_opt = reason_opt.clone().filter(|_| !dups.is_empty());
            let id = model::insert_session(
                c,
                &model::NewSession {
                    partner_id: partner,
                    planned_from: from,
                    planned_to: to,
                    region_code: region.as_deref(),
                    go_ahead_reason: reason_opt.as_deref(),
                    modules: &modules,
                    units: &units,
                    created_by: Some(uid),
                },
            )?;
            let details = match &reason_opt {
                Some(r) => crate::audit::with_typed(
                    &format!(
                        "duplicates {:?}; go-ahead",
                        dups.iter().map(|d| d.session.id).collect::<Vec<_>>()
                    ),
                    r,
                ),
                None => String::new(),
            };
            let this = Plan { partner, modules: &modules, units: &units, from, to };
            tell_duplicates(c, &catalog, &link, &l, &this, &dups)?;
            Ok((Planned::New(id), vec![Audit::new("training.session.plan", "training_session", id, details)]))
        })
        .await;
    let id = match planned {
        Ok(Planned::Already(id)) => {
            return Ok(Either::Left(Flash::success(
                Redirect::to("/staff/training/sessions"),
                format!("training-done-planned-already|{id}"),
            )))
        }
        Ok(Planned::New(id)) => id,
        Err(AppError::Moved) => {
            // Planned meanwhile by another partner: the warning, from what is there now.
            let l = load(
                &auth,
                Filter { from: Some(NaiveDate::MAX), ..Filter::default() },
                Evidence::Substantiated,
            )
            .await?;
            let others: Vec<offers::Offer> = l.sessions.iter().map(offer_of).collect();
            let dups: Vec<i32> =
                offers::duplicates(&plan_again, &others, window).iter().map(|(o, _)| o.id).collect();
            return duplicate_warning(page, &auth, &who, tax, geo, &l, &values, &dups).await;
        }
        Err(e) => return Err(e),
    };
    Ok(Either::Left(Flash::success(
        Redirect::to("/staff/training/sessions"),
        format!("training-done-planned|{id}"),
    )))
}

/// What a duplicate mail says of a plan.
struct Plan<'a> {
    partner: i32,
    modules: &'a [i32],
    units: &'a [i32],
    from: NaiveDate,
    to: NaiveDate,
}

/// Tells every trainer of the partners concerned (this plan's and the duplicates') by mail,
/// through the outbox, in their language: who plans what, and the other partners' plans
/// (partner, modules, units, dates; nothing about cases).
fn tell_duplicates(
    c: &mut crate::db::DbConn,
    catalog: &crate::i18n::Catalog,
    link: &str,
    l: &Loaded,
    this: &Plan<'_>,
    dups: &[&SessionFull],
) -> Result<(), AppError> {
    if dups.is_empty() {
        return Ok(());
    }
    let describe = |lang: &str, p: &Plan<'_>| {
        let mods: Vec<String> = p.modules.iter().map(|m| l.module_label(*m, lang)).collect();
        let us: Vec<String> = p.units.iter().map(|u| l.unit_name(*u)).collect();
        format!(
            "{} — {} — {} — {} → {}",
            l.partner_name(p.partner),
            mods.join(", "),
            us.join(", "),
            p.from,
            p.to
        )
    };
    let mut partners: Vec<i32> = dups.iter().map(|d| d.session.partner_id).collect();
    partners.push(this.partner);
    partners.sort_unstable();
    partners.dedup();
    for p in partners {
        for (email, lang) in model::trainers_of(c, p)? {
            let theirs: Vec<String> = dups
                .iter()
                .map(|s| {
                    let (from, to) = s.session.span();
                    let plan = Plan {
                        partner: s.session.partner_id,
                        modules: &s.modules,
                        units: &s.units,
                        from,
                        to,
                    };
                    describe(&lang, &plan)
                })
                .collect();
            let (subject, body) = crate::notify::compose(
                catalog,
                &lang,
                "training-duplicate",
                &[("plan", describe(&lang, this)), ("others", theirs.join("\n")), ("link", link.to_string())],
            );
            crate::notify::enqueue(c, &email, &subject, &body, "training-duplicate")?;
        }
    }
    Ok(())
}

/// What planning did: a new session, or none because the partner has this very plan already.
enum Planned {
    New(i32),
    Already(i32),
}

/// Whether `s` is the same plan as `plan` by the same partner: modules, units and dates, not
/// cancelled.
fn same_plan(s: &SessionFull, plan: &offers::Offer) -> bool {
    let sorted = |v: &[i32]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v
    };
    s.session.partner_id == plan.partner_id
        && s.session.status != "cancelled"
        && s.session.planned_from == plan.from
        && s.session.planned_to == plan.to
        && sorted(&s.modules) == sorted(&plan.modules)
        && sorted(&s.units) == sorted(&plan.units)
}

/// The plan comes back stopped, with the other partners' offers it duplicates (from `l`, as
/// read for the check).
#[allow(clippy::too_many_arguments)]
async fn duplicate_warning(
    page: Page,
    auth: &Auth<'_>,
    who: &TrainingStaff<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    l: &Loaded,
    values: &[(&str, &str)],
    dups: &[i32],
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let warning: Vec<Value> = dups
        .iter()
        .filter_map(|id| l.sessions.iter().find(|s| s.session.id == *id))
        .map(|s| session_view(l, s, &lang))
        .collect();
    let message = auth.catalog.message(&lang, "training-err-duplicate", None);
    let fb = Feedback::refused("plan", &[("go_ahead_reason", message)], values);
    let t = render_sessions(page, auth, who, tax, geo, fb, warning).await?;
    Ok(Either::Right((Status::UnprocessableEntity, t)))
}

#[derive(Debug, FromForm)]
pub struct MoveSessionForm {
    to: Option<String>,
    held_from: Option<String>,
    held_to: Option<String>,
    attendance: Option<String>,
    pre_score: Option<String>,
    post_score: Option<String>,
}

/// `POST /staff/training/sessions/<id>/status`: confirm, deliver (held dates, attendance,
/// scores) or cancel one of the partner's own sessions; another partner's answers 404. A
/// refused delivery comes back on the page with what was typed and the message beside it.
#[rocket::post("/staff/training/sessions/<id>/status", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn move_session(
    page: Page,
    auth: Auth<'_>,
    trainer: Trainer<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    id: i32,
    form: Checked<MoveSessionForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let uid = trainer.0.user.id;
    let to = form.to.clone().unwrap_or_default();
    let back = Redirect::to("/staff/training/sessions");
    let text = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_string();
    let date = |s: &Option<String>| NaiveDate::parse_from_str(&text(s), "%Y-%m-%d").ok();
    let num = |s: &Option<String>| Some(text(s)).filter(|x| !x.is_empty()).map(|x| x.replace(',', "."));
    // Another partner's session answers 404; a move the status does not allow is refused as
    // read, and the move itself is conditional on that status and partner (moved meanwhile:
    // refused the same way, nothing written).
    let (partner, from, most) = auth
        .db
        .run(move |c| {
            let partner = model::partner_of(c, uid)?.ok_or(AppError::NotFound)?;
            let s = model::find_session(c, id)?;
            if s.session.partner_id != partner {
                return Err(AppError::NotFound);
            }
            let strengths: Vec<Option<i64>> = s
                .units
                .iter()
                .map(|u| Ok(model::find_unit(c, *u)?.strength.map(i64::from)))
                .collect::<Result<_, AppError>>()?;
            Ok((partner, s.session.status, limits::max_attendance(&strengths)))
        })
        .await?;
    let today = Utc::now().date_naive();
    let delivery = if to == "delivered" {
        let checked = (|| {
            let (Some(f), Some(t)) = (date(&form.held_from), date(&form.held_to)) else {
                return Err("training-err-held-dates");
            };
            if f > t {
                return Err("training-err-held-dates");
            }
            if t > today {
                return Err("training-err-held-future");
            }
            if !limits::plausible(f, today) {
                return Err("training-err-date-range");
            }
            if !limits::session_span_ok(f, t) {
                return Err("training-err-span");
            }
            let attendance = match num(&form.attendance) {
                Some(a) => match a.parse::<i32>() {
                    Ok(v) if most.is_some_and(|m| i64::from(v) > m) => {
                        return Err("training-err-attendance-max")
                    }
                    Ok(v) if v >= 0 => Some(v),
                    _ => return Err("training-err-attendance"),
                },
                None => None,
            };
            let score = |s: Option<String>| -> Result<Option<f64>, &'static str> {
                match s {
                    Some(v) => v
                        .parse::<f64>()
                        .ok()
                        .filter(|x| (0.0..=100.0).contains(x))
                        .map(Some)
                        .ok_or("training-err-score"),
                    None => Ok(None),
                }
            };
            let (pre, post) = (score(num(&form.pre_score))?, score(num(&form.post_score))?);
            Ok(model::Delivery { held_from: f, held_to: t, attendance, pre_score: pre, post_score: post })
        })();
        match checked {
            Ok(d) => Some(d),
            Err(key) => {
                let lang = page.0.lang.clone();
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("max", most.unwrap_or_default());
                let message = auth.catalog.message(&lang, key, Some(&args));
                let sid = id.to_string();
                let values = [
                    ("move_id", sid.as_str()),
                    ("held_from", &text(&form.held_from)),
                    ("held_to", &text(&form.held_to)),
                    ("attendance", &text(&form.attendance)),
                    ("pre_score", &text(&form.pre_score)),
                    ("post_score", &text(&form.post_score)),
                ]
                .map(|(k, v)| (k, v.to_string()));
                let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let fb = Feedback::refused("move", &[("delivery", message)], &values);
                let who = TrainingStaff(trainer.0.clone());
                let t = render_sessions(page, &auth, &who, tax, geo, fb, vec![]).await?;
                return Ok(Either::Right((Status::UnprocessableEntity, t)));
            }
        }
    } else {
        None
    };
    if !offers::session_move_allowed(&from, &to) {
        return Ok(Either::Left(Flash::error(back, "training-err-session-move|")));
    }
    // A delivery's held dates may differ from the planned ones: the partners whose offers they
    // now duplicate (and did not at the planned dates) are told, as at planning. A delivery is
    // a fact and is not stopped; the audit entry names those offers.
    let told = match delivery {
        Some(_) => Some((
            load(&auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
                .await?,
            auth.catalog.clone(),
            format!("{}/staff/training/sessions", auth.config.public_url),
            auth.config.training.offer_window_days,
        )),
        None => None,
    };
    let moved = trainer
        .0
        .write("training.session.move", ("training_session", id.to_string()), move |c| {
            if delivery.is_some() {
                model::lock_planning(c)?;
            }
            if !model::move_session(c, id, partner, &from, &to)? {
                return Err(AppError::Moved);
            }
            let mut details = format!("{from} → {to}");
            if let (Some(d), Some((l, catalog, link, window))) = (&delivery, &told) {
                let dups_of = |all: &[SessionFull]| -> Vec<i32> {
                    all.iter().find(|s| s.session.id == id).map_or(vec![], |s| duplicates_of(all, s, *window))
                };
                let at_planned = dups_of(&model::sessions(c)?);
                model::record_delivery(c, id, d)?;
                let now = model::sessions(c)?;
                let new: Vec<&SessionFull> = dups_of(&now)
                    .into_iter()
                    .filter(|o| !at_planned.contains(o))
                    .filter_map(|o| now.iter().find(|s| s.session.id == o))
                    .collect();
                if let Some(this) = now.iter().find(|s| s.session.id == id) {
                    let (from, to) = this.session.span();
                    let plan = Plan { partner, modules: &this.modules, units: &this.units, from, to };
                    tell_duplicates(c, catalog, link, l, &plan, &new)?;
                }
                if !new.is_empty() {
                    let ids: Vec<i32> = new.iter().map(|s| s.session.id).collect();
                    details.push_str(&format!("; duplicates {ids:?} at the held dates"));
                }
            }
            Ok(((), details))
        })
        .await;
    let moved = match moved {
        Err(AppError::Moved) => false,
        other => other.map(|()| true)?,
    };
    Ok(Either::Left(if moved {
        Flash::success(back, "training-done-session|")
    } else {
        Flash::error(back, "training-err-session-move|")
    }))
}
