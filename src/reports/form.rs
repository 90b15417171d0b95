//! What the report form shows and keeps: the values as typed, the choices, the map and the
//! place in words.

use std::collections::BTreeMap;

use rocket::data::Capped;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::submit::{FieldErrors, RawLocation, RawReport};
use super::Intake;
use crate::geo::map::WIDTH_PX;
use crate::taxonomy::{DATE_PRECISIONS, REPORTER_RELATIONS};
use crate::web::Page;

#[derive(Debug, FromForm)]
pub struct MapClick {
    pub(super) x: f64,
    pub(super) y: f64,
}

/// The report form as posted. Every field is optional text so that nothing the person typed
/// is lost when the form comes back.
#[derive(FromForm)]
pub struct ReportForm<'r> {
    /// Honeypot: hidden from people, filled by bots.
    pub(super) website: Option<String>,
    pub(super) violations: Vec<String>,
    pub(super) narrative: Option<String>,
    pub(super) occurred_on: Option<String>,
    pub(super) date_precision: Option<String>,
    pub(super) occurred_time: Option<String>,
    pub(super) lat: Option<String>,
    pub(super) lon: Option<String>,
    pub(super) location_method: Option<String>,
    /// The one confirmed location kind: `point`, `place`, `admin` or empty (hidden field).
    pub(super) loc: Option<String>,
    /// The confirmed place and region/cercle (hidden fields).
    pub(super) chosen_place: Option<String>,
    pub(super) chosen_admin: Option<String>,
    /// A place picked in a result list (radio buttons): newer than the confirmed choice.
    pub(super) place_id: Option<String>,
    pub(super) place_query: Option<String>,
    /// The query whose results are on the page, so that Enter in the box searches once.
    pub(super) place_searched: Option<String>,
    /// `REGION` or `REGION|CERCLE`, from the region-and-cercle list.
    pub(super) admin: Option<String>,
    /// The one-time token of this form: a second post of it files nothing.
    pub(super) form_token: Option<String>,
    pub(super) force: Option<String>,
    pub(super) unit_description: Option<String>,
    pub(super) uniform_seen: Option<String>,
    pub(super) insignia_seen: Option<String>,
    pub(super) vehicle_seen: Option<String>,
    pub(super) victim_count: Option<String>,
    pub(super) children_involved: bool,
    pub(super) victim_details: Option<String>,
    pub(super) reporter_relation: Option<String>,
    pub(super) reporter_name: Option<String>,
    pub(super) reporter_contact: Option<String>,
    /// Monitors only: on whose behalf, and whether that person consented.
    pub(super) on_behalf_of: Option<String>,
    pub(super) consent: bool,
    /// Which button was pressed: `enter` (the Enter key, first in the form), `submit`,
    /// `search_place`, `clear_location`.
    pub(super) action: Option<String>,
    pub(super) map: Option<MapClick>,
    /// A click on the closer view, and the cell it shows (hidden field, `X,Y`).
    pub(super) zoom_map: Option<MapClick>,
    pub(super) zoom: Option<String>,
    pub(super) evidence: Vec<Capped<TempFile<'r>>>,
    /// The narrative told by voice: a recording from the phone's recorder or the form's.
    pub(super) voice: Option<Capped<TempFile<'r>>>,
    /// When, by picture: `today`, `yesterday`, `week`, or `date` (the date fields).
    pub(super) when: Option<String>,
}

pub(super) fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// What the form shows back: the values as typed.
#[derive(Debug, Default, Serialize)]
pub struct FormValues {
    pub(super) violations: Vec<String>,
    pub(super) narrative: String,
    pub(super) when: String,
    pub(super) occurred_on: String,
    pub(super) date_precision: String,
    pub(super) occurred_time: String,
    pub(super) lat: String,
    pub(super) lon: String,
    pub(super) location_method: String,
    /// `point`, `place`, `admin` or empty: the one location that will be sent.
    pub(super) loc: String,
    pub(super) place_id: String,
    pub(super) place_query: String,
    pub(super) place_searched: String,
    pub(super) admin: String,
    pub(super) form_token: String,
    pub(super) force: String,
    pub(super) unit_description: String,
    pub(super) uniform_seen: String,
    pub(super) insignia_seen: String,
    pub(super) vehicle_seen: String,
    pub(super) victim_count: String,
    pub(super) children_involved: bool,
    pub(super) victim_details: String,
    pub(super) reporter_relation: String,
    pub(super) reporter_name: String,
    pub(super) reporter_contact: String,
    pub(super) on_behalf_of: String,
    pub(super) consent: bool,
    /// The name of a refused file, to say which one (not from the form's fields).
    pub(super) refused_file: String,
    /// A voice narrative came with this post (files are never kept across round trips).
    pub(super) voice: bool,
}

impl FormValues {
    /// The values as posted, with the one location that wins (see
    /// [`super::submit::newest_location`]); a message key when two new ones were picked.
    pub(super) fn from_form(f: &ReportForm<'_>) -> (FormValues, Option<&'static str>) {
        let picked = s(&f.place_id);
        // A post without the `loc` field (an older page, a script): the point, else the place,
        // else the region/cercle, as before.
        let confirmed = match &f.loc {
            Some(l) => l.clone(),
            None if !s(&f.lat).trim().is_empty() || !s(&f.lon).trim().is_empty() => "point".into(),
            None if !picked.trim().is_empty() => "place".into(),
            None if !s(&f.admin).trim().is_empty() => "admin".into(),
            None => String::new(),
        };
        let (kind, error) = match f.loc {
            None => (confirmed, None),
            Some(_) => {
                match super::submit::newest_location(&confirmed, &picked, &s(&f.admin), &s(&f.chosen_admin)) {
                    Ok(k) => (k.to_string(), None),
                    Err(e) => (confirmed, Some(e)),
                }
            }
        };
        let mut v = FormValues {
            violations: f.violations.clone(),
            narrative: s(&f.narrative),
            when: s(&f.when),
            occurred_on: s(&f.occurred_on),
            date_precision: s(&f.date_precision),
            occurred_time: s(&f.occurred_time),
            lat: s(&f.lat),
            lon: s(&f.lon),
            location_method: s(&f.location_method),
            loc: kind,
            place_id: if picked.trim().is_empty() { s(&f.chosen_place) } else { picked },
            place_query: s(&f.place_query),
            place_searched: s(&f.place_searched),
            admin: s(&f.admin),
            form_token: s(&f.form_token),
            force: s(&f.force),
            unit_description: s(&f.unit_description),
            uniform_seen: s(&f.uniform_seen),
            insignia_seen: s(&f.insignia_seen),
            vehicle_seen: s(&f.vehicle_seen),
            victim_count: s(&f.victim_count),
            children_involved: f.children_involved,
            victim_details: s(&f.victim_details),
            reporter_relation: s(&f.reporter_relation),
            reporter_name: s(&f.reporter_name),
            reporter_contact: s(&f.reporter_contact),
            on_behalf_of: s(&f.on_behalf_of),
            consent: f.consent,
            refused_file: String::new(),
            voice: f.voice.as_ref().is_some_and(|v| !v.is_empty()),
        };
        if error.is_none() {
            v.keep_one_location();
        }
        (v, error)
    }

    /// Clears every location control but the one of `loc`.
    pub(super) fn keep_one_location(&mut self) {
        let kind = self.loc.clone();
        if kind != "point" {
            self.lat.clear();
            self.lon.clear();
            self.location_method.clear();
        }
        if kind != "place" {
            self.place_id.clear();
        }
        if kind != "admin" {
            self.admin.clear();
        }
    }

    pub(super) fn raw(&self) -> RawReport {
        // One location at a time: only the confirmed kind is sent.
        let location = match self.loc.as_str() {
            "point" => RawLocation::Point {
                lat: self.lat.clone(),
                lon: self.lon.clone(),
                method: self.location_method.clone(),
            },
            "place" => RawLocation::Place { id: self.place_id.clone() },
            "admin" => {
                let (region, cercle) = self.admin.split_once('|').unwrap_or((&self.admin, ""));
                RawLocation::Admin { region: region.to_string(), cercle: cercle.to_string() }
            }
            _ => RawLocation::None,
        };
        RawReport {
            violations: self.violations.clone(),
            narrative: self.narrative.clone(),
            when: self.when.clone(),
            occurred_on: self.occurred_on.clone(),
            date_precision: self.date_precision.clone(),
            occurred_time: self.occurred_time.clone(),
            location,
            force: self.force.clone(),
            unit_description: self.unit_description.clone(),
            uniform_seen: self.uniform_seen.clone(),
            insignia_seen: self.insignia_seen.clone(),
            vehicle_seen: self.vehicle_seen.clone(),
            victim_count: self.victim_count.clone(),
            children_involved: self.children_involved,
            victim_details: self.victim_details.clone(),
            reporter_relation: self.reporter_relation.clone(),
            reporter_name: self.reporter_name.clone(),
            reporter_contact: self.reporter_contact.clone(),
            voice: self.voice,
        }
    }
}

#[derive(Serialize)]
pub(super) struct Choice {
    pub(super) code: String,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct TypeView {
    pub(super) code: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

#[derive(Serialize)]
pub(super) struct GroupView {
    pub(super) code: String,
    pub(super) icon: String,
    pub(super) label: String,
    pub(super) types: Vec<TypeView>,
    pub(super) open: bool,
}

#[derive(Serialize)]
pub(super) struct RegionView {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) cercles: Vec<Choice>,
}

#[derive(Serialize)]
pub(super) struct PlaceView {
    pub(super) id: i32,
    pub(super) label: String,
}

/// Everything the form template needs besides the page frame.
pub(super) fn form_context(
    intake: &Intake<'_>,
    values: &FormValues,
    errors: &FieldErrors,
    places: Vec<PlaceView>,
    notice: Option<String>,
) -> serde_json::Value {
    let lang = intake.lang.as_str();
    let groups: Vec<GroupView> = intake
        .taxonomy
        .groups
        .iter()
        .map(|g| {
            let types: Vec<TypeView> = g
                .types
                .iter()
                .map(|t| TypeView {
                    code: t.code.clone(),
                    label: t.label(lang).to_string(),
                    checked: values.violations.contains(&t.code),
                })
                .collect();
            GroupView {
                code: g.entry.code.clone(),
                icon: g.icon.clone(),
                label: g.entry.label(lang).to_string(),
                open: types.iter().any(|t| t.checked),
                types,
            }
        })
        .collect();
    let forces: Vec<Choice> = intake
        .taxonomy
        .forces
        .iter()
        .map(|f| Choice { code: f.code.clone(), label: f.label(lang).to_string() })
        .collect();
    let mut regions: Vec<RegionView> = intake
        .geo
        .boundaries
        .regions
        .iter()
        .map(|r| RegionView {
            code: r.code.clone(),
            name: intake.geo.region_name(&r.code, lang).unwrap_or_else(|| r.name.clone()),
            cercles: {
                let mut c: Vec<Choice> = intake
                    .geo
                    .boundaries
                    .cercles
                    .iter()
                    .filter(|c| c.region_code == r.code)
                    .map(|c| Choice { code: c.code.clone(), label: c.name.clone() })
                    .collect();
                c.sort_by_key(|c| crate::geo::normalize(&c.label));
                c
            },
        })
        .collect();
    regions.sort_by_key(|r| crate::geo::normalize(&r.name));
    let relations: Vec<Choice> = REPORTER_RELATIONS
        .iter()
        .map(|r| Choice { code: r.to_string(), label: intake.tr(&format!("relation-{r}")) })
        .collect();
    let precisions: Vec<Choice> = DATE_PRECISIONS
        .iter()
        .map(|p| Choice { code: p.to_string(), label: intake.tr(&format!("precision-{p}")) })
        .collect();
    // The banner lists the errors in the order of the page, each a link to its field.
    // Every field `submit::validate` can refuse, in the form's order: each refusal is listed
    // and links to its field (a refusal left out showed "fix the points in red" and nothing red).
    const ANCHORS: &[(&str, &str)] = &[
        ("violations", "what"),
        ("narrative", "narrative"),
        ("voice", "voice"),
        ("occurred_on", "occurred_on"),
        ("date_precision", "date_precision"),
        ("occurred_time", "occurred_time"),
        ("location", "where"),
        ("force", "who"),
        ("unit_description", "unit_description"),
        ("uniform_seen", "uniform_seen"),
        ("insignia_seen", "insignia_seen"),
        ("vehicle_seen", "vehicle_seen"),
        ("victim_count", "victim_count"),
        ("children_involved", "victims"),
        ("victim_details", "victim_details"),
        ("reporter_relation", "you"),
        ("reporter_name", "reporter_name"),
        ("reporter_contact", "reporter_contact"),
        ("on_behalf_of", "on_behalf_of"),
        ("consent", "consent"),
        ("evidence", "evidence"),
        ("website", "website"),
    ];
    let error_list: Vec<serde_json::Value> = ANCHORS
        .iter()
        .filter_map(|(field, id)| {
            let key = errors.get(field)?;
            let mut message = intake.tr(key);
            if *field == "evidence" && !values.refused_file.is_empty() {
                message = format!(
                    "{} {message}",
                    intake.tr_with("report-file-refused", &[("name", values.refused_file.clone())])
                );
            }
            Some(serde_json::json!({ "id": id, "message": message }))
        })
        .collect();
    let errors: BTreeMap<&str, String> = errors.iter().map(|(f, k)| (*f, intake.tr(k))).collect();
    let location_text = location_text(intake, values);
    // Without JavaScript, the marker shows where the tap (or the position) landed.
    // The closer view of the tapped cell, and the marker in it.
    let zoom = marker_point(values).map(|(lat, lon)| {
        let (x, y) = intake.geo.map.projection.to_px(lon, lat);
        let cell = crate::geo::map::zoom_cell(x, y);
        let (x0, y0) = crate::geo::map::zoom_origin(cell);
        let z = crate::geo::map::ZOOM;
        serde_json::json!({
            "cell": format!("{},{}", cell.0, cell.1),
            "cx": cell.0,
            "cy": cell.1,
            "x": ((x - x0) * z).round() as i64,
            "y": ((y - y0) * z).round() as i64,
        })
    });
    let outside =
        marker_point(values).is_some_and(|(lat, lon)| intake.geo.boundaries.locate(lat, lon).is_none());
    let marker = (values.loc == "point")
        .then(|| {
            let lat = super::submit::parse_coordinate(&values.lat)?;
            let lon = super::submit::parse_coordinate(&values.lon)?;
            let (x, y) = intake.geo.map.projection.to_px(lon, lat);
            Some((x.round() as i64, y.round() as i64))
        })
        .flatten();
    let (min_lon, max_lat, scale, kx, margin) = intake.geo.map.projection.params();
    let map_params = format!("{min_lon} {max_lat} {scale} {kx} {margin}");
    serde_json::json!({
        "form": values,
        "errors": errors,
        "error_list": error_list,
        "groups": groups,
        "forces": forces,
        "regions": regions,
        "relations": relations,
        "precisions": precisions,
        "places": places,
        "notice": notice,
        "location_text": location_text,
        "marker": marker,
        "location_outside": outside,
        "zoom": zoom,
        "max_mb": intake.config.upload_max_mb,
        "max_files": intake.config.upload_max_files,
        "voice_minutes": VOICE_MINUTES,
        "map_width": WIDTH_PX,
        "map_height": intake.geo.map.projection.height_px,
        "map_params": map_params,
        "today": chrono::Utc::now().date_naive().to_string(),
    })
}

/// How long a voice narrative may be: the recorder stops there, and the form says so. The
/// size limit is the file limit (`upload_max_mb`); Opus at 32 kbit/s is about 1.2 MB for this.
pub const VOICE_MINUTES: u32 = 5;

/// The confirmed point of the form, if the location is one.
pub(super) fn marker_point(v: &FormValues) -> Option<(f64, f64)> {
    if v.loc != "point" {
        return None;
    }
    Some((super::submit::parse_coordinate(&v.lat)?, super::submit::parse_coordinate(&v.lon)?))
}

/// "cercle of Mopti, region of Mopti": names told apart by what they name.
pub(super) fn admin_words(intake: &Intake<'_>, region: &str, cercle: &str) -> String {
    let lang = intake.lang.as_str();
    let r = intake.geo.region_name(region, lang).unwrap_or_default();
    match intake.geo.cercle_name(cercle) {
        Some(c) => intake.tr_with("location-cercle-region", &[("cercle", c), ("region", r)]),
        None => intake.tr_with("location-region", &[("region", r)]),
    }
}

/// A search result in words: "Ogossagou — cercle of Bankass, region of Mopti", and for a twin
/// of the same name in the same cercle, what tells it apart ("(12 km NE of Bankass)").
pub(super) fn place_label(intake: &Intake<'_>, p: &crate::geo::Place, hint: Option<String>) -> String {
    let admin = admin_words(intake, &p.region_code, &p.cercle_code);
    match hint {
        Some(h) => format!("{} — {admin} ({h})", p.name),
        None => format!("{} — {admin}", p.name),
    }
}

/// A point in words: the nearest named place of the same cercle, the cercle and the region.
pub(super) fn point_words(intake: &Intake<'_>, lat: f64, lon: f64) -> String {
    match intake.geo.boundaries.locate(lat, lon) {
        Some(a) => {
            let admin = admin_words(intake, &a.region_code, &a.cercle_code);
            match intake.geo.gazetteer.nearest(lat, lon, 15.0).filter(|p| p.cercle_code == a.cercle_code) {
                Some(p) => {
                    intake.tr_with("location-point-near", &[("place", p.name.clone()), ("admin", admin)])
                }
                None => intake.tr_with("location-point-in", &[("admin", admin)]),
            }
        }
        None => intake.tr("err-location-outside"),
    }
}

/// A plain sentence saying which one place will be sent, if any: always in words (cercle and
/// place name), never bare coordinates.
pub(super) fn location_text(intake: &Intake<'_>, v: &FormValues) -> Option<String> {
    match v.loc.as_str() {
        "point" => {
            let lat = super::submit::parse_coordinate(&v.lat)?;
            let lon = super::submit::parse_coordinate(&v.lon)?;
            Some(point_words(intake, lat, lon))
        }
        "place" => {
            let p = v.place_id.trim().parse().ok().and_then(|id| intake.geo.gazetteer.get_any(id))?;
            let admin = admin_words(intake, &p.region_code, &p.cercle_code);
            Some(intake.tr_with("location-place", &[("place", p.name.clone()), ("admin", admin)]))
        }
        "admin" => {
            let (region, cercle) = v.admin.split_once('|').unwrap_or((&v.admin, ""));
            Some(intake.tr_with("location-admin", &[("admin", admin_words(intake, region, cercle))]))
        }
        _ => None,
    }
}

pub(super) fn render_form(page: Page, ctx: serde_json::Value) -> Template {
    let mut ctx = ctx;
    ctx["page"] = serde_json::to_value(&page.0).unwrap_or_default();
    Template::render("reports/new", ctx)
}
