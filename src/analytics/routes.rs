//! `/staff/map`: the staff map (cercles shaded by events, events as dots, hotspots as rings),
//! its filters, and the events behind it as CSV and GeoJSON. For intake officers and auditors
//! (every event) and case workers (the events their institution has a case on); anyone else
//! gets 404.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use rocket::form::FromForm;
use rocket::http::ContentType;
use rocket::{Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::hotspots::{self, Hotspot, Params, Point};
use super::model::{self, MapEvent, MapFilter};
use crate::accounts::routes::Auth;
use crate::auth::guards::MapReader;
use crate::auth::Role;
use crate::error::AppError;
use crate::geo::map::{Area, Level, Ring};
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![map, events_csv, events_geojson]
}

/// Dots are drawn up to this many events; past it the page says to narrow the filters (the
/// cercles and hotspots still show everything).
pub const MAX_DOTS: usize = 2_000;
/// The hotspots listed under the map.
const LISTED: usize = 20;
/// The period shown when none is asked for: the last 90 days.
const DEFAULT_DAYS: i64 = 90;

/// The filters, as typed in the page's GET form (the map's and the analytics').
#[derive(Debug, Clone, Default, FromForm)]
pub struct Query {
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) group: Option<String>,
    pub(super) force: Option<String>,
    /// The staff map's shading: `region`, or cercles (anything else).
    pub(super) level: Option<String>,
}

/// The filters understood: dates that do not parse are dropped (and the form says so).
pub(super) struct Resolved {
    pub(super) filter: MapFilter,
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    pub(super) bad_date: bool,
}

fn resolve(q: &Query, tax: &Taxonomy, who: &MapReader<'_>, today: NaiveDate) -> Resolved {
    resolve_from(q, tax, who, today, |to| to - Duration::days(DEFAULT_DAYS))
}

/// The filters, with `default_from(to)` as the first day when none is given.
pub(super) fn resolve_from(
    q: &Query,
    tax: &Taxonomy,
    who: &MapReader<'_>,
    today: NaiveDate,
    default_from: fn(NaiveDate) -> NaiveDate,
) -> Resolved {
    let date = |s: &Option<String>| {
        let s = s.as_deref().filter(|s| !s.is_empty())?;
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    let (to, from) = (date(&q.to), date(&q.from));
    let bad_date = matches!(to, Some(None)) || matches!(from, Some(None));
    let to = to.flatten().unwrap_or(today);
    let from = from.flatten().unwrap_or_else(|| default_from(to));
    let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
    // Least privilege: a case worker's map holds the events of their institution's cases.
    let institution = match who.0.role {
        Role::Investigator | Role::Ombudsman => Some(who.0.institution.unwrap_or(-1)),
        _ => None,
    };
    Resolved {
        filter: MapFilter {
            from,
            to,
            group_id: nonempty(&q.group)
                .and_then(|g| tax.groups.iter().find(|x| x.entry.code == g))
                .map(|g| g.entry.id),
            force_id: nonempty(&q.force).and_then(|f| tax.force(&f)).map(|f| f.id),
            institution,
        },
        from,
        to,
        bad_date,
    }
}

/// The events of the filter and the hotspots among them (computed on the blocking pool).
async fn load(auth: &Auth<'_>, filter: MapFilter) -> Result<(Vec<MapEvent>, Vec<Hotspot>), AppError> {
    let params = Params {
        distance_km: auth.config.hotspot_distance_km,
        days: auth.config.hotspot_days,
        min_events: auth.config.hotspot_min_events,
    };
    auth.db
        .run(move |c| {
            let events = model::events_for_map(c, &filter)?;
            let points: Vec<Point> = events.iter().filter_map(point).collect();
            Ok((events, hotspots::hotspots(&points, params)))
        })
        .await
}

fn point(e: &MapEvent) -> Option<Point> {
    Some(Point { lat: e.lat?, lon: e.lon?, on: e.occurred_on })
}

/// The map's shading class of a cercle's count of events (staff see every count).
pub fn class_of(n: usize) -> &'static str {
    match n {
        0 => "zero",
        1..=19 => "c1",
        20..=99 => "c2",
        100..=499 => "c3",
        _ => "c4",
    }
}

/// Each event's hotspot number (1 = the largest), or None.
fn hotspot_of(events: &[MapEvent], spots: &[Hotspot]) -> Vec<Option<usize>> {
    // Hotspot members index the events that have a point, in order.
    let located: Vec<usize> = (0..events.len()).filter(|&i| point(&events[i]).is_some()).collect();
    let mut out = vec![None; events.len()];
    for (n, h) in spots.iter().enumerate() {
        for &m in &h.members {
            out[located[m]] = Some(n + 1);
        }
    }
    out
}

#[derive(Serialize)]
struct HotspotView {
    number: usize,
    events: usize,
    place: String,
    near: Option<String>,
    radius_km: String,
    first: String,
    last: String,
}

#[derive(Serialize)]
struct AreaCount {
    name: String,
    count: usize,
    href: Option<String>,
}

/// The query string of the filters, for links and exports.
pub(super) fn encode(r: &Resolved, q: &Query) -> String {
    let mut s = format!("from={}&to={}", r.from, r.to);
    for (k, v) in [("group", &q.group), ("force", &q.force)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.push_str(&format!("&{k}={}", urlencoding_lite(v)));
        }
    }
    s
}

/// Codes are ASCII letters, digits, `-` and `_`; anything else is dropped from a link.
fn urlencoding_lite(v: &str) -> String {
    v.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// `GET /staff/map`: the map, the hotspots and the counts by region and cercle.
#[rocket::get("/staff/map?<q..>")]
async fn map(
    page: Page,
    auth: Auth<'_>,
    who: MapReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let today = auth.clock.now().date_naive();
    let r = resolve(&q, tax, &who, today);
    let (events, spots) = load(&auth, r.filter.clone()).await?;
    let qs = encode(&r, &q);
    // The list behind an area: the triage queue for intake officers and auditors, the case list
    // for case workers (their institution's cases of those events).
    let mut by_cercle: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        *by_cercle.entry(e.cercle_code.clone().unwrap_or_default()).or_default() += 1;
        *by_region.entry(e.region_code.clone().unwrap_or_default()).or_default() += 1;
    }
    let link = |kind: &str, code: &str| match who.0.role {
        _ if code.is_empty() => None,
        Role::Intake | Role::Auditor => Some(format!("/staff/triage?{kind}={code}&status=all&{qs}")),
        Role::Investigator | Role::Ombudsman => Some(format!("/staff/cases?scope=all&{kind}={code}&{qs}")),
        _ => None,
    };
    let level = if q.level.as_deref() == Some("region") { Level::Region } else { Level::Cercle };
    let area = |kind: &str, code: &str, name: String, n: usize| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("place", name);
        args.set("count", n);
        Area {
            code: code.to_string(),
            class: class_of(n),
            title: auth.catalog.message(&lang, "map-area-title", Some(&args)),
            href: link(kind, code).filter(|_| n > 0),
        }
    };
    let areas: Vec<Area> = match level {
        Level::Cercle => geo
            .boundaries
            .cercles
            .iter()
            .map(|c| area("cercle", &c.code, c.name.clone(), by_cercle.get(&c.code).copied().unwrap_or(0)))
            .collect(),
        Level::Region => geo
            .boundaries
            .regions
            .iter()
            .map(|r| {
                let name = geo.region_name(&r.code, &lang).unwrap_or_else(|| r.name.clone());
                area("region", &r.code, name, by_region.get(&r.code).copied().unwrap_or(0))
            })
            .collect(),
    };
    let dots: Vec<(f64, f64)> = if events.len() <= MAX_DOTS {
        events.iter().filter_map(|e| Some((e.lat?, e.lon?))).collect()
    } else {
        vec![]
    };
    let place = |lat: f64, lon: f64| {
        let a = geo.boundaries.locate(lat, lon);
        a.map(|a| crate::triage::place_name(geo, Some(&a.cercle_code), Some(&a.region_code), &lang))
            .unwrap_or_default()
    };
    let views: Vec<HotspotView> = spots
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, h)| HotspotView {
            number: i + 1,
            events: h.members.len(),
            place: place(h.lat, h.lon),
            near: geo.gazetteer.nearest(h.lat, h.lon, 15.0).map(|p| p.name),
            radius_km: format!("{:.1}", h.radius_km),
            first: h.first.to_string(),
            last: h.last.to_string(),
        })
        .collect();
    let rings: Vec<Ring> = spots
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, h)| Ring {
            lat: h.lat,
            lon: h.lon,
            radius_km: h.radius_km,
            label: format!("{} · {} · {}–{}", i + 1, h.members.len(), h.first, h.last),
        })
        .collect();
    let legend: Vec<(&str, String)> =
        [("zero", "0"), ("c1", "1–19"), ("c2", "20–99"), ("c3", "100–499"), ("c4", "500+")]
            .into_iter()
            .map(|(c, w)| (c, w.to_string()))
            .collect();
    let layer = match level {
        Level::Cercle => geo.cercle_layer(),
        Level::Region => geo.region_layer(),
    };
    let svg = geo.map.staff_map(level, layer, &areas, &dots, &rings, &legend, &tr("map-title"));
    let regions: Vec<AreaCount> = by_region
        .iter()
        .map(|(code, n)| AreaCount {
            name: geo.region_name(code, &lang).unwrap_or_else(|| tr("map-unknown-place")),
            count: *n,
            href: link("region", code),
        })
        .collect();
    let mut cercles: Vec<AreaCount> = by_cercle
        .iter()
        .map(|(code, n)| AreaCount {
            name: geo.cercle_name(code).unwrap_or_else(|| tr("map-unknown-place")),
            count: *n,
            href: link("cercle", code),
        })
        .collect();
    cercles.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    cercles.truncate(15);
    let groups: Vec<(String, String)> =
        tax.groups.iter().map(|g| (g.entry.code.clone(), g.entry.label(&lang).to_string())).collect();
    let forces: Vec<(String, String)> =
        tax.forces.iter().map(|f| (f.code.clone(), f.label(&lang).to_string())).collect();
    let filters = context! {
        from: r.from.to_string(), to: r.to.to_string(), group: q.group.clone().unwrap_or_default(),
        force: q.force.clone().unwrap_or_default(), bad_date: r.bad_date,
        level: if level == Level::Region { "region" } else { "cercle" },
    };
    Ok(Template::render(
        "analytics/map",
        context! {
            page: page.0, map: svg, hotspots: views, regions, cercles, groups, forces, filters, qs,
            total: events.len(), located: events.iter().filter(|e| e.lat.is_some()).count(),
            dots_hidden: events.len() > MAX_DOTS, max_dots: MAX_DOTS,
            distance_km: auth.config.hotspot_distance_km, min_events: auth.config.hotspot_min_events,
            days: auth.config.hotspot_days,
            scoped: r.filter.institution.is_some(),
        },
    ))
}

/// `GET /staff/map/events.csv`: the events behind the map, one row each, with their hotspot.
/// The export is audited (it carries exact points).
#[rocket::get("/staff/map/events.csv?<q..>")]
async fn events_csv(
    auth: Auth<'_>,
    who: MapReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let (r, events, of) = exported(&auth, &who, tax, &q).await?;
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(["event_id", "occurred_on", "region", "cercle", "lat", "lon", "hotspot"])
        .map_err(AppError::internal)?;
    for (e, h) in events.iter().zip(&of) {
        let opt = |v: Option<f64>| v.map(|v| format!("{v:.5}")).unwrap_or_default();
        w.write_record([
            e.id.to_string(),
            e.occurred_on.to_string(),
            e.region_code.clone().unwrap_or_default(),
            e.cercle_code.clone().unwrap_or_default(),
            opt(e.lat),
            opt(e.lon),
            h.map(|h| h.to_string()).unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    let body = String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)?;
    audit_export(&who, "map.export_csv", &r, events.len()).await?;
    Ok((ContentType::CSV, body))
}

/// `GET /staff/map/events.geojson`: the same events as GeoJSON points (events without a point
/// are left out). Audited.
#[rocket::get("/staff/map/events.geojson?<q..>")]
async fn events_geojson(
    auth: Auth<'_>,
    who: MapReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let (r, events, of) = exported(&auth, &who, tax, &q).await?;
    let features: Vec<serde_json::Value> = events
        .iter()
        .zip(&of)
        .filter_map(|(e, h)| {
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [e.lon?, e.lat?]},
                "properties": {"event_id": e.id, "occurred_on": e.occurred_on.to_string(),
                    "region": e.region_code, "cercle": e.cercle_code, "hotspot": h},
            }))
        })
        .collect();
    let body = serde_json::json!({"type": "FeatureCollection", "features": features}).to_string();
    audit_export(&who, "map.export_geojson", &r, features.len()).await?;
    Ok((ContentType::new("application", "geo+json"), body))
}

/// What both exports carry: the filters understood, the events, and each event's hotspot.
async fn exported(
    auth: &Auth<'_>,
    who: &MapReader<'_>,
    tax: &Taxonomy,
    q: &Query,
) -> Result<(Resolved, Vec<MapEvent>, Vec<Option<usize>>), AppError> {
    let r = resolve(q, tax, who, auth.clock.now().date_naive());
    let (events, spots) = load(auth, r.filter.clone()).await?;
    let of = hotspot_of(&events, &spots);
    Ok((r, events, of))
}

async fn audit_export(
    who: &MapReader<'_>,
    action: &'static str,
    r: &Resolved,
    n: usize,
) -> Result<(), AppError> {
    let details = format!("from={} to={} events={n}", r.from, r.to);
    who.0.write(action, ("map", String::new()), move |_| Ok(((), details.clone()))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_have_fixed_bounds() {
        let got: Vec<_> = [0, 1, 19, 20, 99, 100, 499, 500, 10_000].into_iter().map(class_of).collect();
        assert_eq!(got, ["zero", "c1", "c1", "c2", "c2", "c3", "c3", "c4", "c4"]);
    }

    #[test]
    fn codes_in_links_keep_only_safe_characters() {
        assert_eq!(urlencoding_lite("integrity"), "integrity");
        assert_eq!(urlencoding_lite("a&b=<c>"), "abc");
    }
}
