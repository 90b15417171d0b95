//! The map image and the place search of the public API.

use std::sync::Arc;

use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::State;
use serde::Serialize;

use super::Geo;
use crate::web::Locale;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![map_svg, places]
}

#[rocket::get("/map.svg")]
fn map_svg(geo: &State<Arc<Geo>>) -> (ContentType, String) {
    (ContentType::SVG, geo.map.svg.clone())
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
        }
    }
}

/// `GET /api/v1/places?q=TEXT&limit=N`: public places are not sensitive, so no account is
/// needed. Privacy: the query is never logged.
#[rocket::get("/api/v1/places?<q>&<limit>")]
fn places(geo: &State<Arc<Geo>>, locale: Locale, q: &str, limit: Option<usize>) -> Json<Vec<PlaceJson>> {
    let limit = limit.unwrap_or(10).clamp(1, 50);
    Json(geo.gazetteer.search(q, limit).into_iter().map(|p| PlaceJson::new(geo, p, &locale.0)).collect())
}
