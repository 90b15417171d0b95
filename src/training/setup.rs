//! The trainers' reference lists and the intake officer's link to them: units (admins and
//! trainers), partners and their trainers (admins), and tying an allegation to a unit (intake
//! officers, with suggestions from the reporter's words). Every change goes through
//! `Staff::write` or `Staff::create`: CSRF-checked form, change and audit entry in one
//! transaction.

use std::sync::Arc;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::model;
use super::routes::{flash_notice, with_keys};
use super::units as unitkeys;
use crate::accounts::routes::Auth;
use crate::auth::guards::{Admin, IntakeOfficer, TrainingStaff};
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        units_page,
        save_unit,
        partners_page,
        create_partner,
        set_member,
        allegation_unit_page,
        allegation_unit_save,
    ]
}

// Units ---------------------------------------------------------------------------------------

#[derive(Debug, FromForm)]
pub struct UnitForm {
    id: Option<i32>,
    force: Option<String>,
    name: Option<String>,
    region: Option<String>,
    parent: Option<String>,
    strength: Option<String>,
}

async fn render_units(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    fb: Feedback,
    edit: Option<i32>,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let units = auth.db.run(|c| Ok(model::units(c)?)).await?;
    let rows: Vec<Value> = units
        .iter()
        .map(|u| {
            json!({"id": u.id, "sid": u.id.to_string(), "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(&lang).to_string()),
                "region": u.region_code.as_deref().and_then(|r| geo.region_name(r, &lang)),
                "parent": u.parent_id.and_then(|p| units.iter().find(|x| x.id == p)).map(|p| p.name.clone()),
                "strength": u.strength})
        })
        .collect();
    let mut fb = fb;
    if let Some(u) = edit.and_then(|id| units.iter().find(|u| u.id == id)) {
        if fb.values.is_empty() {
            let vals = [
                ("id", u.id.to_string()),
                ("force", tax.force_by_id(u.force_id).map(|f| f.code.clone()).unwrap_or_default()),
                ("name", u.name.clone()),
                ("region", u.region_code.clone().unwrap_or_default()),
                ("parent", u.parent_id.map(|p| p.to_string()).unwrap_or_default()),
                ("strength", u.strength.map(|s| s.to_string()).unwrap_or_default()),
            ];
            fb.values = vals.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        }
    }
    let fb = with_keys(fb, &["id", "force", "name", "region", "parent", "strength"]);
    let forces: Vec<(String, String)> =
        tax.forces.iter().map(|f| (f.code.clone(), f.label(&lang).to_string())).collect();
    let regions: Vec<(String, String)> = geo
        .boundaries
        .regions
        .iter()
        .map(|r| (r.code.clone(), geo.region_name(&r.code, &lang).unwrap_or_else(|| r.name.clone())))
        .collect();
    Ok(Template::render("training/units", context! { page: page.0, rows, forces, regions, fb }))
}

/// `GET /staff/training/units`: the managed list, for trainers and admins.
#[rocket::get("/staff/training/units?<edit>")]
async fn units_page(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    flash: Option<FlashMessage<'_>>,
    edit: Option<i32>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_units(page, &auth, tax, geo, fb, edit).await
}

/// `POST /staff/training/units`: creates a unit, or updates one when `id` is given.
#[rocket::post("/staff/training/units", data = "<form>")]
async fn save_unit(
    page: Page,
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    form: Checked<UnitForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let name = form.name.clone().unwrap_or_default().trim().to_string();
    let force = form.force.as_deref().and_then(|f| tax.force(f)).map(|f| f.id);
    let region = form.region.clone().unwrap_or_default();
    let region_ok = region.is_empty() || geo.boundaries.region(&region).is_some();
    let parent_raw = form.parent.clone().unwrap_or_default();
    let parent: Option<i32> = parent_raw.trim().parse().ok();
    let strength_raw = form.strength.clone().unwrap_or_default();
    let strength: Option<i32> = strength_raw.trim().parse().ok();
    let mut errors: Vec<(&str, String)> = vec![];
    if name.is_empty() || name.chars().count() > 120 || unitkeys::search_key(&name).is_empty() {
        errors.push(("name", tr("training-err-unit-name")));
    }
    if force.is_none() {
        errors.push(("force", tr("training-err-force")));
    }
    if !region_ok {
        errors.push(("region", tr("training-err-region")));
    }
    if !strength_raw.trim().is_empty() && strength.is_none_or(|s| s <= 0) {
        errors.push(("strength", tr("training-err-strength")));
    } else if strength.is_some_and(|s| i64::from(s) > super::limits::MAX_STRENGTH) {
        errors.push(("strength", tr("training-err-strength-max")));
    }
    if !parent_raw.trim().is_empty() && (parent.is_none() || parent == form.id) {
        errors.push(("parent", tr("training-err-parent")));
    }
    let id = form.id;
    if errors.is_empty() {
        let (fid, key) = (force.unwrap_or_default(), unitkeys::search_key(&name));
        let taken = auth.db.run(move |c| Ok(model::unit_key_taken(c, fid, &key, id)?)).await?;
        let all = auth.db.run(move |c| Ok(model::units(c)?)).await?;
        if taken {
            errors.push(("name", tr("training-err-unit-taken")));
        }
        if let Some(p) = parent {
            let parent_of: std::collections::HashMap<i32, Option<i32>> =
                all.iter().map(|u| (u.id, u.parent_id)).collect();
            match all.iter().find(|u| u.id == p) {
                None => errors.push(("parent", tr("training-err-parent"))),
                Some(u) if Some(u.force_id) != force => {
                    errors.push(("parent", tr("training-err-parent-force")))
                }
                Some(_) if id.is_some_and(|id| unitkeys::makes_loop(id, p, &parent_of)) => {
                    errors.push(("parent", tr("training-err-parent-loop")))
                }
                Some(_) => {}
            }
        }
        // A unit with allegations tied to it keeps its force: they are that force's (found in
        // review, session 21). Checked again in the write.
        if let (Some(id), Some(f)) = (id, force) {
            let moved = all.iter().any(|u| u.id == id && u.force_id != f);
            if moved && auth.db.run(move |c| Ok(model::unit_allegations(c, id)?)).await? > 0 {
                errors.push(("force", tr("training-err-unit-force-tied")));
            }
        }
    }
    if errors.is_empty() {
        let input = model::UnitInput {
            force_id: force.unwrap_or_default(),
            name: name.clone(),
            region_code: Some(region.clone()).filter(|r| !r.is_empty()),
            parent_id: parent,
            strength,
        };
        // The name is checked again under the lists' lock, inside the write: two trainers
        // adding the same unit at once make one, and the other is told it exists.
        let key = unitkeys::search_key(&name);
        let written = match id {
            Some(id) => {
                who.0
                    .write("training.unit.update", ("unit", id.to_string()), move |c| {
                        model::lock_lists(c)?;
                        if model::unit_key_taken(c, input.force_id, &key, Some(id))? {
                            return Err(AppError::Moved);
                        }
                        let before = model::find_unit(c, id).map_err(|_| AppError::NotFound)?;
                        if before.force_id != input.force_id && model::unit_allegations(c, id)? > 0 {
                            return Err(AppError::BadRequest("a unit with allegations keeps its force"));
                        }
                        if model::update_unit(c, id, &input)? == 0 {
                            return Err(AppError::NotFound);
                        }
                        Ok(((), model::unit_changes(&before, &input)))
                    })
                    .await
            }
            None => who
                .0
                .create("training.unit.create", "unit", move |c| {
                    model::lock_lists(c)?;
                    if model::unit_key_taken(c, input.force_id, &key, None)? {
                        return Err(AppError::Moved);
                    }
                    Ok((model::insert_unit(c, &input)?, input.name.clone()))
                })
                .await
                .map(|_| ()),
        };
        match written {
            Err(AppError::Moved) => errors.push(("name", tr("training-err-unit-taken"))),
            written => {
                written?;
                let done = Flash::success(Redirect::to("/staff/training/units"), "training-done-unit|");
                return Ok(Either::Left(done));
            }
        }
    }
    let idv = id.map(|i| i.to_string()).unwrap_or_default();
    let fb = Feedback::refused(
        "unit",
        &errors,
        &[
            ("id", idv.as_str()),
            ("force", form.force.as_deref().unwrap_or("")),
            ("name", name.as_str()),
            ("region", region.as_str()),
            ("parent", parent_raw.as_str()),
            ("strength", strength_raw.as_str()),
        ],
    );
    let t = render_units(page, &auth, tax, geo, fb, None).await?;
    Ok(Either::Right((Status::UnprocessableEntity, t)))
}

// Partners (admins) ---------------------------------------------------------------------------

async fn render_partners(page: Page, auth: &Auth<'_>, fb: Feedback) -> Result<Template, AppError> {
    let (partners, trainers) = auth.db.run(|c| Ok((model::partners(c)?, model::trainers(c)?))).await?;
    let partners: Vec<Value> = partners
        .iter()
        .map(|p| {
            json!({"id": p.0, "name": p.1, "kind": p.2,
                "members": trainers.iter().filter(|t| t.2 == Some(p.0)).map(|t| t.1.clone()).collect::<Vec<_>>()})
        })
        .collect();
    let trainers: Vec<Value> =
        trainers.iter().map(|t| json!({"id": t.0, "email": t.1, "partner": t.2})).collect();
    let fb = with_keys(fb, &["name", "kind"]);
    Ok(Template::render("training/partners", context! { page: page.0, partners, trainers, fb }))
}

/// `GET /staff/training/partners`: admins manage the partners and who belongs to which.
#[rocket::get("/staff/training/partners")]
async fn partners_page(
    page: Page,
    auth: Auth<'_>,
    _a: Admin<'_>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_partners(page, &auth, fb).await
}

#[derive(Debug, FromForm)]
pub struct PartnerForm {
    name: Option<String>,
    kind: Option<String>,
}

#[rocket::post("/staff/training/partners", data = "<form>")]
async fn create_partner(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    form: Checked<PartnerForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let name = form.name.clone().unwrap_or_default().trim().to_string();
    let kind = form.kind.clone().unwrap_or_default();
    let mut errors: Vec<(&str, String)> = vec![];
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(("name", auth.catalog.message(&lang, "training-err-partner-name", None)));
    } else {
        let n = name.clone();
        if auth.db.run(move |c| Ok(model::partner_name_taken(c, &n)?)).await? {
            errors.push(("name", auth.catalog.message(&lang, "training-err-partner-taken", None)));
        }
    }
    if !["national_school", "international"].contains(&kind.as_str()) {
        errors.push(("kind", auth.catalog.message(&lang, "training-err-partner-kind", None)));
    }
    if !errors.is_empty() {
        let fb = Feedback::refused("partner", &errors, &[("name", name.as_str()), ("kind", kind.as_str())]);
        let t = render_partners(page, &auth, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    // Checked again under the lists' lock: two admins adding the same partner at once make
    // one, and the other is told it exists (not a 500 from the unique index).
    let (n, k) = (name.clone(), kind.clone());
    let created = admin
        .0
        .create("training.partner.create", "partner", move |c| {
            model::lock_lists(c)?;
            if model::partner_name_taken(c, &n)? {
                return Err(AppError::Moved);
            }
            Ok((model::insert_partner(c, &n, &k)?, n.clone()))
        })
        .await;
    if let Err(AppError::Moved) = created {
        let message = auth.catalog.message(&lang, "training-err-partner-taken", None);
        let fb = Feedback::refused(
            "partner",
            &[("name", message)],
            &[("name", name.as_str()), ("kind", kind.as_str())],
        );
        let t = render_partners(page, &auth, fb).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    created?;
    Ok(Either::Left(Flash::success(Redirect::to("/staff/training/partners"), "training-done-partner|")))
}

#[derive(Debug, FromForm)]
pub struct MemberForm {
    user_id: Option<i32>,
    partner_id: Option<String>,
}

/// `POST /staff/training/partners/members`: puts a trainer in a partner (or in none).
#[rocket::post("/staff/training/partners/members", data = "<form>")]
async fn set_member(admin: Admin<'_>, form: Checked<MemberForm>) -> Result<Flash<Redirect>, AppError> {
    let uid = form.user_id.ok_or(AppError::BadRequest("user_id"))?;
    let back = Redirect::to("/staff/training/partners");
    // Empty: the trainer leaves their partner. Anything else must be a partner of the list.
    let raw = form.partner_id.as_deref().map(str::trim).unwrap_or("").to_string();
    let pid: Option<i32> = match raw.as_str() {
        "" => None,
        p => match p.parse::<i32>() {
            Ok(p) => Some(p),
            Err(_) => return Ok(Flash::error(back, "training-err-partner-choice|")),
        },
    };
    let known = match pid {
        Some(p) => admin.0.db.run(move |c| Ok(model::partners(c)?.iter().any(|x| x.0 == p))).await?,
        None => true,
    };
    if !known {
        return Ok(Flash::error(back, "training-err-partner-choice|"));
    }
    admin
        .0
        .write("training.partner.member", ("user", uid.to_string()), move |c| {
            if model::set_partner(c, uid, pid)? == 0 {
                return Err(AppError::NotFound);
            }
            Ok(((), pid.map(|p| p.to_string()).unwrap_or_default()))
        })
        .await?;
    Ok(Flash::success(Redirect::to("/staff/training/partners"), "training-done-member|"))
}

// The intake officer ties an allegation to a unit --------------------------------------------

async fn render_allegation_unit(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    id: i32,
    reader: Option<crate::keyring::Reader>,
    fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let ((force, vt, typed, current, narratives), units) = auth
        .db
        .run(move |c| Ok((model::allegation_for_unit(c, id, reader.as_ref())?, model::units(c)?)))
        .await?;
    // The allegation's force's units only: a unit of another force cannot be chosen.
    let units: Vec<model::Unit> = units.into_iter().filter(|u| u.force_id == force).collect();
    let keys: Vec<(i32, String)> = units.iter().map(|u| (u.id, u.search_key.clone())).collect();
    let text = format!("{typed}\n{}", narratives.join("\n"));
    let suggested: Vec<Value> = unitkeys::suggest(&text, &keys, 5)
        .into_iter()
        .filter_map(|i| units.iter().find(|u| u.id == i))
        .map(|u| json!({"id": u.id, "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(&lang).to_string())}))
        .collect();
    let mut list: Vec<&model::Unit> = units.iter().collect();
    list.sort_by_key(|u| u.name.clone());
    let list: Vec<Value> = list
        .iter()
        .map(|u| json!({"id": u.id, "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(&lang).to_string())}))
        .collect();
    let a = json!({
        "id": id, "typed": typed, "current": current,
        "violation": tax.violation_type_by_id(vt).map(|(_, t)| t.label(&lang).to_string()),
        "force": tax.force_by_id(force).map(|f| f.label(&lang).to_string()),
    });
    Ok(Template::render("training/allegation_unit", context! { page: page.0, a, suggested, units: list, fb }))
}

/// `GET /staff/allegations/<id>/unit`: suggestions from the reporter's words and the unit as
/// typed, then the whole list.
#[rocket::get("/staff/allegations/<id>/unit")]
async fn allegation_unit_page(
    page: Page,
    auth: Auth<'_>,
    who: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    let t = render_allegation_unit(page, &auth, tax, id, who.0.reader(), fb).await?;
    // The suggestions read the reports' narratives (opened with the officer's keys when
    // sealed): recorded, as every read of a report's words is, though none is shown here.
    who.0.write("allegation.unit_view", ("allegation", id.to_string()), |_| Ok(((), String::new()))).await?;
    Ok(t)
}

#[derive(Debug, FromForm)]
pub struct AttachForm {
    unit: Option<String>,
}

/// `POST /staff/allegations/<id>/unit`: ties the allegation to a unit of the list (an empty
/// choice unties it); anything else comes back on the page with a message, nothing changed.
#[rocket::post("/staff/allegations/<id>/unit", data = "<form>")]
async fn allegation_unit_save(
    page: Page,
    auth: Auth<'_>,
    who: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    form: Checked<AttachForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let raw = form.unit.clone().unwrap_or_default().trim().to_string();
    let (known, force) =
        auth.db.run(move |c| Ok((model::units(c)?, model::allegation_force(c, id)?))).await?;
    let unit: Result<Option<i32>, &str> = match raw.as_str() {
        "" => Ok(None),
        v => match v.parse::<i32>().ok().and_then(|u| known.iter().find(|k| k.id == u)) {
            None => Err("remediation-err-unit-choice"),
            Some(k) if k.force_id != force => Err("training-err-unit-force"),
            Some(k) => Ok(Some(k.id)),
        },
    };
    let unit = match unit {
        Ok(unit) => unit,
        Err(key) => {
            let message = auth.catalog.message(&page.0.lang, key, None);
            let fb = Feedback::refused("attach", &[("unit", message)], &[("unit", raw.as_str())]);
            let t = render_allegation_unit(page, &auth, tax, id, who.0.reader(), fb).await?;
            who.0
                .write("allegation.unit_view", ("allegation", id.to_string()), |_| Ok(((), String::new())))
                .await?;
            return Ok(Either::Right((Status::UnprocessableEntity, t)));
        }
    };
    who.0
        .write("allegation.unit", ("allegation", id.to_string()), move |c| {
            // After a unit's edit, or before it: a unit's force does not change under a tie.
            model::lock_lists(c)?;
            if model::attach_unit(c, id, unit)? == 0 {
                // Gone, or the unit's force changed meanwhile.
                model::allegation_force(c, id)?;
                return Err(AppError::Moved);
            }
            Ok(((), unit.map(|u| u.to_string()).unwrap_or_default()))
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/allegations/{id}/unit")),
        "training-done-attached|",
    )))
}
