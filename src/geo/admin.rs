//! `/staff/admin/places`: admins add places the shipped gazetteer lacks (villages such as
//! Ogossagou), correct them, and disable or enable them again. Shipped places stay read-only.
//! Each change is audited in its transaction; the in-memory gazetteer takes the new list as
//! soon as it is committed, so the public search finds the place at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::model::{self, StaffPlace};
use super::place_form::{self, PlaceFields};
use super::Geo;
use crate::accounts::routes::Auth;
use crate::audit;
use crate::auth::guards::Admin;
use crate::db::Db;
use crate::error::AppError;
use crate::web::Feedback;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![index, edit, create, update, disable, enable]
}

const HOME: &str = "/staff/admin/places";

#[derive(Serialize)]
struct Row {
    id: i32,
    name: String,
    alt_names: String,
    lat: String,
    lon: String,
    cercle: String,
    region: String,
    active: bool,
    added_by: String,
    added_at: String,
}

/// Reads the places admins added from the database into the in-memory gazetteer.
pub async fn reload(db: &Db, geo: &Geo) -> Result<(), AppError> {
    let list = db.run(|c| Ok(model::staff_places(c)?)).await?;
    geo.gazetteer.set_staff_places(list.iter().map(StaffPlace::to_place).collect());
    Ok(())
}

/// The page: the places admins added, and a form (a new place, or the one being edited).
async fn render(
    page: Page,
    auth: &Auth<'_>,
    geo: &Geo,
    editing: Option<i32>,
    values: PlaceFields,
    feedback: Feedback,
    status: Status,
) -> Result<(Status, Template), AppError> {
    let lang = page.0.lang.clone();
    let list = auth.db.run(|c| Ok(model::staff_places(c)?)).await?;
    let rows: Vec<Row> = list
        .iter()
        .map(|p| Row {
            id: p.id,
            name: p.name.clone(),
            alt_names: p.alt_names.replace('|', ", "),
            lat: format!("{:.5}", p.lat),
            lon: format!("{:.5}", p.lon),
            cercle: p.cercle_code.as_deref().and_then(|c| geo.cercle_name(c)).unwrap_or_default(),
            region: p.region_code.as_deref().and_then(|r| geo.region_name(r, &lang)).unwrap_or_default(),
            active: p.active,
            added_by: p.added_by.clone(),
            added_at: p.added_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        })
        .collect();
    let mut cercles: Vec<(String, String)> = geo
        .boundaries
        .cercles
        .iter()
        .map(|c| {
            let region = geo.region_name(&c.region_code, &lang).unwrap_or_default();
            (c.code.clone(), format!("{} ({region})", c.name))
        })
        .collect();
    cercles.sort_by_key(|c| super::normalize(&c.1));
    Ok((
        status,
        Template::render(
            "geo/places",
            context! {
                page: page.0, places: rows, cercles, values, editing: editing.unwrap_or(0),
                errors: feedback.errors, notice: feedback.notice,
            },
        ),
    ))
}

#[rocket::get("/staff/admin/places")]
async fn index(
    page: Page,
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    _admin: Admin<'_>,
    flash: Option<FlashMessage<'_>>,
) -> Result<(Status, Template), AppError> {
    let feedback = Feedback::from_flash(flash, auth.catalog, &page.0.lang);
    render(page, &auth, geo, None, PlaceFields::default(), feedback, Status::Ok).await
}

/// The edit form of one place an admin added (a shipped place, or none, is 404).
#[rocket::get("/staff/admin/places/<id>")]
async fn edit(
    page: Page,
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    _admin: Admin<'_>,
    id: i32,
) -> Result<(Status, Template), AppError> {
    let p = auth.db.run(move |c| Ok(model::staff_place(c, id)?)).await?;
    let values = PlaceFields {
        name: p.name,
        alt_names: p.alt_names.replace('|', ", "),
        lat: format!("{}", p.lat),
        lon: format!("{}", p.lon),
        cercle: p.cercle_code.unwrap_or_default(),
    };
    render(page, &auth, geo, Some(id), values, Feedback::default(), Status::Ok).await
}

#[derive(FromForm)]
pub struct PlaceForm {
    name: Option<String>,
    alt_names: Option<String>,
    lat: Option<String>,
    lon: Option<String>,
    cercle: Option<String>,
}

impl PlaceForm {
    fn fields(&self) -> PlaceFields {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        PlaceFields {
            name: s(&self.name),
            alt_names: s(&self.alt_names),
            lat: s(&self.lat),
            lon: s(&self.lon),
            cercle: s(&self.cercle),
        }
    }
}

/// The form back (422) with the values as typed and one message per field.
async fn refused(
    page: Page,
    auth: &Auth<'_>,
    geo: &Geo,
    editing: Option<i32>,
    values: PlaceFields,
    refusal: place_form::Refusal,
) -> Result<(Status, Template), AppError> {
    let lang = page.0.lang.clone();
    let mut errors = BTreeMap::new();
    for (field, key) in &refusal.fields {
        let mut args = fluent_bundle::FluentArgs::new();
        if let Some(c) = &refusal.point_cercle {
            args.set("cercle", geo.cercle_name(c).unwrap_or_else(|| c.clone()));
        }
        errors.insert(field.to_string(), auth.catalog.message(&lang, key, Some(&args)));
    }
    let feedback = Feedback { errors, ..Feedback::default() };
    render(page, auth, geo, editing, values, feedback, Status::UnprocessableEntity).await
}

/// `POST /staff/admin/places`: adds a place; its region and cercle come from the point.
#[rocket::post("/staff/admin/places", data = "<form>")]
async fn create(
    page: Page,
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    admin: Admin<'_>,
    form: Checked<PlaceForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let values = form.fields();
    let place = match place_form::check(&values, &geo.boundaries) {
        Ok(p) => p,
        Err(r) => return refused(page, &auth, geo, None, values, r).await.map(Either::Right),
    };
    let actor = admin.0.actor();
    let (by, at) = (admin.0.user.id, auth.clock.naive());
    let name = place.name.clone();
    auth.db
        .transaction(move |c| {
            let id = model::insert_staff_place(c, &place, by, at)?;
            let details = format!(
                "name={:?} alt_names={:?} lat={} lon={} region={} cercle={}",
                place.name, place.alt_names, place.lat, place.lon, place.region_code, place.cercle_code
            );
            audit::record(c, &actor, "place.create", "place", &id.to_string(), &details)?;
            Ok(())
        })
        .await?;
    reload(auth.db, geo).await?;
    Ok(Either::Left(Flash::success(Redirect::to(HOME), format!("place-added|{name}"))))
}

/// `POST /staff/admin/places/<id>`: corrects a place an admin added (shipped ones are 404).
#[rocket::post("/staff/admin/places/<id>", data = "<form>")]
async fn update(
    page: Page,
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    admin: Admin<'_>,
    id: i32,
    form: Checked<PlaceForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    auth.db.run(move |c| Ok(model::staff_place(c, id)?)).await?;
    let values = form.fields();
    let place = match place_form::check(&values, &geo.boundaries) {
        Ok(p) => p,
        Err(r) => return refused(page, &auth, geo, Some(id), values, r).await.map(Either::Right),
    };
    let actor = admin.0.actor();
    let name = place.name.clone();
    auth.db
        .transaction(move |c| {
            let before = model::staff_place(c, id)?;
            model::update_staff_place(c, id, &place)?;
            let details = format!(
                "before: name={:?} alt_names={:?} lat={} lon={} cercle={}; after: name={:?} alt_names={:?} lat={} lon={} cercle={}",
                before.name,
                before.alt_names,
                before.lat,
                before.lon,
                before.cercle_code.unwrap_or_default(),
                place.name,
                place.alt_names,
                place.lat,
                place.lon,
                place.cercle_code
            );
            audit::record(c, &actor, "place.update", "place", &id.to_string(), &details)?;
            Ok(())
        })
        .await?;
    reload(auth.db, geo).await?;
    Ok(Either::Left(Flash::success(Redirect::to(HOME), format!("place-updated|{name}"))))
}

async fn set_active(
    auth: &Auth<'_>,
    geo: &Geo,
    admin: &Admin<'_>,
    id: i32,
    active: bool,
) -> Result<Flash<Redirect>, AppError> {
    let actor = admin.0.actor();
    let name = auth
        .db
        .transaction(move |c| {
            let p = model::staff_place(c, id)?;
            model::set_staff_place_active(c, id, active)?;
            let action = if active { "place.enable" } else { "place.disable" };
            audit::record(c, &actor, action, "place", &id.to_string(), &format!("name={:?}", p.name))?;
            Ok(p.name)
        })
        .await?;
    reload(auth.db, geo).await?;
    let key = if active { "place-enabled" } else { "place-disabled" };
    Ok(Flash::success(Redirect::to(HOME), format!("{key}|{name}")))
}

/// Disabled: no longer found nor offered; reports that already point at it keep its name.
#[rocket::post("/staff/admin/places/<id>/disable", data = "<_checked>")]
async fn disable(
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    admin: Admin<'_>,
    id: i32,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    set_active(&auth, geo, &admin, id, false).await
}

#[rocket::post("/staff/admin/places/<id>/enable", data = "<_checked>")]
async fn enable(
    auth: Auth<'_>,
    geo: &State<Arc<Geo>>,
    admin: Admin<'_>,
    id: i32,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    set_active(&auth, geo, &admin, id, true).await
}
