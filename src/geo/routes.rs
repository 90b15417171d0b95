//! The map image and the place search of the public API.

use std::sync::Arc;

use rocket::http::{ContentType, Status};
use rocket::serde::json::{json, Value};
use rocket::State;
use serde::{Deserialize, Serialize};

use super::Geo;
use crate::web::Locale;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![map_svg, map_zoom, places, places_wrong_type]
}

#[rocket::get("/map.svg")]
fn map_svg(geo: &State<Arc<Geo>>) -> (ContentType, String) {
    (ContentType::SVG, geo.map.svg.clone())
}

/// `GET /map/zoom/<x>/<y>`: the closer view of one cell of the map, with the names of the
/// bigger places in it, for a reporter without JavaScript. Privacy: the cell is coarse (about
/// 180 km), and nothing is logged or written.
#[rocket::get("/map/zoom/<x>/<y>")]
fn map_zoom(geo: &State<Arc<Geo>>, x: i32, y: i32) -> Option<(ContentType, String)> {
    if !(0..20).contains(&x) || !(0..40).contains(&y) {
        return None;
    }
    let places: Vec<(&str, f64, f64)> = geo
        .gazetteer
        .shipped()
        .iter()
        .filter(|p| p.population.is_some_and(|n| n >= 1000))
        .map(|p| (p.name.as_str(), p.lon, p.lat))
        .collect();
    Some((ContentType::SVG, geo.map.zoomed((x, y), &places)))
}

#[derive(Debug, Serialize)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct PlaceJson {
    pub id: i32,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub region: Option<CodeName>,
    pub cercle: Option<CodeName>,
    /// What tells it from another place of the same name in the same cercle, in the reader's
    /// language ("12 km NE de Bankass"); absent when there is no such twin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl PlaceJson {
    pub fn new(geo: &Geo, p: &super::Place, lang: &str) -> PlaceJson {
        PlaceJson {
            id: p.id,
            name: p.name.clone(),
            lat: p.lat,
            lon: p.lon,
            region: geo
                .region_name(&p.region_code, lang)
                .map(|name| CodeName { code: p.region_code.clone(), name }),
            cercle: geo
                .cercle_name(&p.cercle_code)
                .map(|name| CodeName { code: p.cercle_code.clone(), name }),
            hint: None,
        }
    }
}

/// The body of a place search.
#[derive(Debug, Deserialize)]
pub struct PlaceQuery {
    q: String,
    limit: Option<usize>,
}

/// `POST /api/v1/places` with `{"q": TEXT, "limit": N}`: public places are not sensitive, so no
/// account is needed. Privacy: what a person types may name where they live or where it
/// happened, so it travels in the body, never in a URL that a proxy or a browser history would
/// keep; it is never logged. Security: a browser holding Vigie's CSRF cookie (the report form's
/// script) must echo its token in `X-CSRF-Token`; gateways without cookies need none.
/// The documented 415 for a search whose body is not JSON.
#[rocket::post("/api/v1/places", rank = 2)]
pub fn places_wrong_type() -> (Status, Value) {
    (Status::UnsupportedMediaType, json!({ "error": "Unsupported Media Type" }))
}

#[rocket::post("/api/v1/places", format = "json", data = "<body>")]
fn places(
    geo: &State<Arc<Geo>>,
    catalog: &State<Arc<crate::i18n::Catalog>>,
    locale: Locale,
    token: crate::web::ApiToken,
    body: crate::web::api::JsonBody<'_, PlaceQuery>,
) -> (Status, Value) {
    let Ok(body) = body else { return crate::web::api::malformed() };
    if !token.passed() {
        return (Status::Forbidden, json!({ "error": "csrf" }));
    }
    let limit = body.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return (Status::UnprocessableEntity, json!({ "errors": { "limit": "between 1 and 50" } }));
    }
    let found: Vec<PlaceJson> = geo
        .search_with_hints(catalog, &locale.0, &body.q, limit)
        .into_iter()
        .map(|(p, hint)| PlaceJson { hint, ..PlaceJson::new(geo, &p, &locale.0) })
        .collect();
    (Status::Ok, json!(found))
}
