//! The report form and the receipt follow-up pages. They work without JavaScript: the map is
//! an image button whose click the server turns into a point, the place search is a button
//! that brings the form back with the matches, and every refused form comes back filled in.

use std::collections::BTreeMap;

use rocket::data::Capped;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::tokio::io::AsyncReadExt;
use rocket::Route;
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::evidence::{self, EvidenceError, Source, Usage};
use super::submit::{FieldErrors, FormToken, MonitorFiling, RawLocation, RawReport};
use super::{Intake, LookupError};
use crate::auth::guards::{Monitor, Staff};
use crate::error::AppError;
use crate::geo::map::WIDTH_PX;
use crate::taxonomy::{DATE_PRECISIONS, REPORTER_RELATIONS};
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        index,
        new,
        create,
        locate,
        follow,
        lookup,
        reply,
        attach,
        mine,
        mine_one,
        mine_reply,
        mine_attach
    ]
}

#[derive(Debug, FromForm)]
pub struct MapClick {
    x: f64,
    y: f64,
}

/// The report form as posted. Every field is optional text so that nothing the person typed
/// is lost when the form comes back.
#[derive(FromForm)]
pub struct ReportForm<'r> {
    /// Honeypot: hidden from people, filled by bots.
    website: Option<String>,
    violations: Vec<String>,
    narrative: Option<String>,
    occurred_on: Option<String>,
    date_precision: Option<String>,
    occurred_time: Option<String>,
    lat: Option<String>,
    lon: Option<String>,
    location_method: Option<String>,
    /// The one confirmed location kind: `point`, `place`, `admin` or empty (hidden field).
    loc: Option<String>,
    /// The confirmed place and region/cercle (hidden fields).
    chosen_place: Option<String>,
    chosen_admin: Option<String>,
    /// A place picked in a result list (radio buttons): newer than the confirmed choice.
    place_id: Option<String>,
    place_query: Option<String>,
    /// The query whose results are on the page, so that Enter in the box searches once.
    place_searched: Option<String>,
    /// `REGION` or `REGION|CERCLE`, from the region-and-cercle list.
    admin: Option<String>,
    /// The one-time token of this form: a second post of it files nothing.
    form_token: Option<String>,
    force: Option<String>,
    unit_description: Option<String>,
    uniform_seen: Option<String>,
    insignia_seen: Option<String>,
    vehicle_seen: Option<String>,
    victim_count: Option<String>,
    children_involved: bool,
    victim_details: Option<String>,
    reporter_relation: Option<String>,
    reporter_name: Option<String>,
    reporter_contact: Option<String>,
    /// Monitors only: on whose behalf, and whether that person consented.
    on_behalf_of: Option<String>,
    consent: bool,
    /// Which button was pressed: `enter` (the Enter key, first in the form), `submit`,
    /// `search_place`, `clear_location`.
    action: Option<String>,
    map: Option<MapClick>,
    /// A click on the closer view, and the cell it shows (hidden field, `X,Y`).
    zoom_map: Option<MapClick>,
    zoom: Option<String>,
    evidence: Vec<Capped<TempFile<'r>>>,
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// What the form shows back: the values as typed.
#[derive(Debug, Default, Serialize)]
pub struct FormValues {
    violations: Vec<String>,
    narrative: String,
    occurred_on: String,
    date_precision: String,
    occurred_time: String,
    lat: String,
    lon: String,
    location_method: String,
    /// `point`, `place`, `admin` or empty: the one location that will be sent.
    loc: String,
    place_id: String,
    place_query: String,
    place_searched: String,
    admin: String,
    form_token: String,
    force: String,
    unit_description: String,
    uniform_seen: String,
    insignia_seen: String,
    vehicle_seen: String,
    victim_count: String,
    children_involved: bool,
    victim_details: String,
    reporter_relation: String,
    reporter_name: String,
    reporter_contact: String,
    on_behalf_of: String,
    consent: bool,
    /// The name of a refused file, to say which one (not from the form's fields).
    refused_file: String,
}

impl FormValues {
    /// The values as posted, with the one location that wins (see
    /// [`super::submit::newest_location`]); a message key when two new ones were picked.
    fn from_form(f: &ReportForm<'_>) -> (FormValues, Option<&'static str>) {
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
        };
        if error.is_none() {
            v.keep_one_location();
        }
        (v, error)
    }

    /// Clears every location control but the one of `loc`.
    fn keep_one_location(&mut self) {
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

    fn raw(&self) -> RawReport {
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
        }
    }
}

#[derive(Serialize)]
struct Choice {
    code: String,
    label: String,
}

#[derive(Serialize)]
struct TypeView {
    code: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct GroupView {
    code: String,
    icon: String,
    label: String,
    types: Vec<TypeView>,
    open: bool,
}

#[derive(Serialize)]
struct RegionView {
    code: String,
    name: String,
    cercles: Vec<Choice>,
}

#[derive(Serialize)]
struct PlaceView {
    id: i32,
    label: String,
}

/// Everything the form template needs besides the page frame.
fn form_context(
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
    const ANCHORS: [(&str, &str); 11] = [
        ("violations", "what"),
        ("narrative", "narrative"),
        ("occurred_on", "occurred_on"),
        ("occurred_time", "occurred_time"),
        ("location", "where"),
        ("force", "force"),
        ("victim_count", "victim_count"),
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
        "map_width": WIDTH_PX,
        "map_height": intake.geo.map.projection.height_px,
        "map_params": map_params,
        "today": chrono::Utc::now().date_naive().to_string(),
    })
}

/// The confirmed point of the form, if the location is one.
fn marker_point(v: &FormValues) -> Option<(f64, f64)> {
    if v.loc != "point" {
        return None;
    }
    Some((super::submit::parse_coordinate(&v.lat)?, super::submit::parse_coordinate(&v.lon)?))
}

/// "cercle of Mopti, region of Mopti": names told apart by what they name.
fn admin_words(intake: &Intake<'_>, region: &str, cercle: &str) -> String {
    let lang = intake.lang.as_str();
    let r = intake.geo.region_name(region, lang).unwrap_or_default();
    match intake.geo.cercle_name(cercle) {
        Some(c) => intake.tr_with("location-cercle-region", &[("cercle", c), ("region", r)]),
        None => intake.tr_with("location-region", &[("region", r)]),
    }
}

/// A search result in words: "Ogossagou — cercle of Bankass, region of Mopti", and for a twin
/// of the same name in the same cercle, what tells it apart ("(12 km NE of Bankass)").
fn place_label(intake: &Intake<'_>, p: &crate::geo::Place, hint: Option<String>) -> String {
    let admin = admin_words(intake, &p.region_code, &p.cercle_code);
    match hint {
        Some(h) => format!("{} — {admin} ({h})", p.name),
        None => format!("{} — {admin}", p.name),
    }
}

/// A point in words: the nearest named place of the same cercle, the cercle and the region.
fn point_words(intake: &Intake<'_>, lat: f64, lon: f64) -> String {
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
fn location_text(intake: &Intake<'_>, v: &FormValues) -> Option<String> {
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

fn render_form(page: Page, ctx: serde_json::Value) -> Template {
    let mut ctx = ctx;
    ctx["page"] = serde_json::to_value(&page.0).unwrap_or_default();
    Template::render("reports/new", ctx)
}

#[rocket::get("/")]
fn index(page: Page, intake: Intake<'_>) -> Template {
    new(page, intake)
}

/// A new one-time token for a form page.
fn fresh_form_token() -> String {
    super::submit::new_form_token(chrono::Utc::now().date_naive(), &crate::crypto::random_token(16))
}

#[rocket::get("/reports/new")]
fn new(page: Page, intake: Intake<'_>) -> Template {
    let values = FormValues { form_token: fresh_form_token(), ..FormValues::default() };
    let ctx = form_context(&intake, &values, &FieldErrors::new(), vec![], None);
    render_form(page, ctx)
}

/// The uploads of a form as Rocket spooled them to disk, with their sizes; nothing is read yet.
/// Security: a file cut by Rocket's `file` limit is refused here, before any byte is looked at.
pub(crate) async fn spooled(files: &mut [Capped<TempFile<'_>>]) -> Result<Vec<(Source, u64)>, EvidenceError> {
    let mut out = vec![];
    for f in files.iter_mut() {
        // A file input left empty still sends an empty part.
        if f.is_empty() && f.name().is_none_or(str::is_empty) {
            continue;
        }
        if !f.is_complete() {
            return Err(EvidenceError::TooLarge);
        }
        let size = f.len();
        let source = match f.path() {
            Some(p) => Source::File(p.to_path_buf()),
            None => {
                // A part sent as a plain value: held by Rocket already, bounded by `string`.
                let mut data = Vec::new();
                let mut reader = f.open().await.map_err(|_| EvidenceError::Unreadable)?;
                reader.read_to_end(&mut data).await.map_err(|_| EvidenceError::Unreadable)?;
                Source::Bytes(data)
            }
        };
        out.push((source, size));
    }
    Ok(out)
}

/// `POST /reports`: the form, or one of its helper buttons (map click, place search).
#[rocket::post("/reports", data = "<form>")]
async fn create(
    page: Page,
    intake: Intake<'_>,
    staff: Option<Staff<'_>>,
    mut form: Checked<ReportForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let (mut values, location_error) = FormValues::from_form(&form);
    let no_errors = FieldErrors::new();
    let token_state = super::submit::form_token_state(&values.form_token, chrono::Utc::now().date_naive());
    let token_hash = (token_state == FormToken::Fresh)
        .then(|| crate::crypto::sha256_hex(values.form_token.trim().as_bytes()));
    if token_state != FormToken::Fresh {
        // Every page drawn again carries a token, so that its Send files one report at most.
        values.form_token = fresh_form_token();
    }

    // The map or its closer view was clicked (without JavaScript): the newest choice, a point;
    // come back to the place section with a marker and a closer view of where the tap landed.
    let zoom_cell = s(&form.zoom)
        .split_once(',')
        .and_then(|(x, y)| Some((x.trim().parse::<i32>().ok()?, y.trim().parse::<i32>().ok()?)));
    let clicked = match (&form.map, &form.zoom_map, zoom_cell) {
        (Some(c), _, _) => Some((c.x, c.y)),
        (None, Some(c), Some(cell)) => Some(crate::geo::map::from_zoom(cell, c.x, c.y)),
        _ => None,
    };
    if let Some((x, y)) = clicked {
        let (lat, lon) = intake.geo.map.projection.to_lat_lon(x, y);
        values.lat = format!("{lat:.5}");
        values.lon = format!("{lon:.5}");
        values.location_method = "map".into();
        values.loc = "point".into();
        values.keep_one_location();
        let mut notice = intake.tr("notice-map-chosen");
        if form.evidence.iter().any(|f| !f.is_empty()) {
            // Files are not kept across these round trips: say so rather than drop them quietly.
            notice = format!("{notice} {}", intake.tr("notice-files-dropped"));
        }
        let ctx = form_context(&intake, &values, &no_errors, vec![], Some(notice));
        return Ok((Status::Ok, render_form(page, ctx)));
    }
    // The Enter key presses the form's first button, `enter`: in the place search box with a
    // new query it searches; otherwise it sends, as the Send button does.
    let action = match form.action.as_deref() {
        Some("enter")
            if !values.place_query.trim().is_empty()
                && crate::geo::normalize(&values.place_query)
                    != crate::geo::normalize(&values.place_searched) =>
        {
            "search_place"
        }
        Some(a) => a,
        None => "submit",
    };
    match action {
        "search_place" => {
            let places: Vec<PlaceView> = intake
                .geo
                .search_with_hints(intake.catalog, &intake.lang, &values.place_query, 8)
                .into_iter()
                .map(|(p, hint)| PlaceView { id: p.id, label: place_label(&intake, &p, hint) })
                .collect();
            values.place_searched = values.place_query.clone();
            let mut notice = places.is_empty().then(|| intake.tr("notice-no-place"));
            if form.evidence.iter().any(|f| !f.is_empty()) {
                let dropped = intake.tr("notice-files-dropped");
                notice = Some(notice.map_or(dropped.clone(), |n| format!("{n} {dropped}")));
            }
            let mut errors = FieldErrors::new();
            if let Some(e) = location_error {
                errors.insert("location", e);
            }
            let ctx = form_context(&intake, &values, &errors, places, notice);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        "switch_lang" => {
            // The page comes back in the chosen language with everything typed.
            let notice =
                form.evidence.iter().any(|f| !f.is_empty()).then(|| intake.tr("notice-files-dropped"));
            let ctx = form_context(&intake, &values, &no_errors, vec![], notice);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        "clear_location" => {
            values.loc.clear();
            values.keep_one_location();
            let ctx = form_context(&intake, &values, &no_errors, vec![], None);
            return Ok((Status::Ok, render_form(page, ctx)));
        }
        _ => {}
    }
    // Sent once: a reload of the receipt page or a second tap on Send posts the same token.
    if let Some(hash) = &token_hash {
        if intake.form_token_used(hash.clone()).await? {
            return Ok(already_sent(page));
        }
    }
    if token_state == FormToken::Expired {
        let ctx = form_context(&intake, &values, &no_errors, vec![], Some(intake.tr("notice-form-expired")));
        return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
    }

    if form.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        // Security: a bot filled the hidden field. Nothing is saved; a person never sees this.
        let mut errors = FieldErrors::new();
        errors.insert("website", "err-honeypot");
        let ctx = form_context(&intake, &values, &errors, vec![], None);
        return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
    }

    let had_files = form.evidence.iter().any(|f| !f.is_empty());
    // The names of the files as `spooled` keeps them (empty parts left out), to name a refused one.
    let names: Vec<String> = form
        .evidence
        .iter()
        .filter(|f| !(f.is_empty() && f.name().is_none_or(str::is_empty)))
        .map(|f| {
            f.raw_name()
                .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
                .unwrap_or_default()
        })
        .collect();
    let max_bytes = intake.caps().file_bytes;
    let monitor = staff.as_ref().filter(|s| s.role == crate::auth::Role::Monitor).map(|s| MonitorFiling {
        monitor_id: s.user.id,
        email: s.user.email.clone(),
        on_behalf_of: values.on_behalf_of.clone(),
        consent: values.consent,
    });
    // Security: the fields, the number and sizes of the files and the hourly limit are all
    // checked before a single byte of a file is read.
    let mut draft = intake.check_report(&values.raw(), monitor.as_ref());
    if let Some(e) = location_error {
        let mut errors = draft.err().unwrap_or_default();
        errors.insert("location", e);
        draft = Err(errors);
    }
    let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
    let files = spooled(&mut form.evidence).await.and_then(|files| {
        let sizes: Vec<u64> = files.iter().map(|f| f.1).collect();
        if let Err(e) = evidence::check_caps(&intake.caps(), &Usage::default(), &sizes) {
            if let Some(i) = sizes.iter().position(|&b| b > max_bytes) {
                values.refused_file = names.get(i).cloned().unwrap_or_default();
            }
            return Err(e);
        }
        Ok(files)
    });
    if let Err(e) = &files {
        errors.insert("evidence", e.key());
    }
    let (draft, files) = match (draft, files) {
        (Ok(draft), Ok(files)) => (draft, files),
        (_, files) => {
            if let (false, Ok(files)) = (errors.contains_key("evidence"), files) {
                // Other mistakes: tell about a wrong kind of file now too, from its first bytes.
                for (i, (source, _)) in files.into_iter().enumerate() {
                    if let Err(e) = intake.sniff_files(vec![source]).await {
                        errors.insert("evidence", e.key());
                        values.refused_file = names.get(i).cloned().unwrap_or_default();
                        break;
                    }
                }
            }
            if had_files && !errors.contains_key("evidence") {
                errors.insert("evidence", "err-files-again");
            }
            let ctx = form_context(&intake, &values, &errors, vec![], Some(intake.tr("notice-fix-errors")));
            return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
        }
    };
    if !intake.allow_report() || !intake.allow_upload(files.iter().map(|f| f.1).sum()) {
        return Err(AppError::TooManyRequests);
    }
    // One file at a time, so that a refused one can be named.
    let mut evidence = Vec::with_capacity(files.len());
    let mut refused = None;
    for (i, (source, _)) in files.into_iter().enumerate() {
        match intake.inspect_files(vec![source]).await {
            Ok(mut e) => evidence.append(&mut e),
            Err(e) => {
                refused = Some((i, e));
                break;
            }
        }
    }
    match refused {
        None => {}
        Some((i, e)) => {
            values.refused_file = names.get(i).cloned().unwrap_or_default();
            let mut errors = FieldErrors::new();
            errors.insert("evidence", e.key());
            let ctx = form_context(&intake, &values, &errors, vec![], Some(intake.tr("notice-fix-errors")));
            return Ok((Status::UnprocessableEntity, render_form(page, ctx)));
        }
    }
    let saved = match intake.save_report(draft, evidence, "web", monitor, token_hash).await {
        Ok(saved) => saved,
        // Two sends of one form at the same instant: the second meets the first's token.
        Err(AppError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => None,
        Err(e) => return Err(e),
    };
    let Some((receipt, _)) = saved else {
        return Ok(already_sent(page));
    };
    let ctx = context! { page: page.0, receipt: receipt.grouped() };
    Ok((Status::Created, Template::render("reports/receipt", ctx)))
}

#[derive(FromForm)]
pub struct LocateForm {
    lat: Option<String>,
    lon: Option<String>,
}

/// `POST /reports/locate`: the form's script asks for a tapped or GPS point in words (nearest
/// place, cercle, region). Privacy: the point travels in the body, is never logged and nothing
/// is written.
#[rocket::post("/reports/locate", data = "<form>")]
fn locate(intake: Intake<'_>, form: Checked<LocateForm>) -> Result<rocket::serde::json::Value, AppError> {
    let lat = super::submit::parse_coordinate(&s(&form.lat)).ok_or(AppError::BadRequest("lat"))?;
    let lon = super::submit::parse_coordinate(&s(&form.lon)).ok_or(AppError::BadRequest("lon"))?;
    let inside = intake.geo.boundaries.locate(lat, lon).is_some();
    Ok(rocket::serde::json::json!({ "text": point_words(&intake, lat, lon), "inside": inside }))
}

/// The answer to a form sent a second time: it was filed once, and nothing more is written.
fn already_sent(page: Page) -> (Status, Template) {
    (Status::Conflict, Template::render("reports/already_sent", context! { page: page.0 }))
}

/// `GET /receipt`: where a reporter types their receipt.
#[rocket::get("/receipt?<kept>")]
fn follow(page: Page, kept: Option<bool>) -> Template {
    Template::render("reports/follow", context! { page: page.0, kept: kept.unwrap_or(false) })
}

#[derive(FromForm)]
pub struct ReceiptForm {
    receipt: Option<String>,
    body: Option<String>,
    /// The institution the reply is for (its code).
    to: Option<String>,
}

/// The status page of the report a receipt opened. Security: the receipt was looked up (and
/// counted) once by the caller; it travels only in the page's own forms, never in a URL.
async fn status_page(
    page: Page,
    intake: &Intake<'_>,
    report: &super::model::ReceiptReport,
    typed: &str,
    flash: Option<String>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    page_of(page, intake, report, Door::Receipt(typed), flash, error, status).await
}

/// How the person reached a report's page: with its receipt, or as the monitor who filed it
/// (no receipt to type again; the forms post to the monitor's own routes).
enum Door<'a> {
    Receipt(&'a str),
    Monitor,
}

async fn page_of(
    page: Page,
    intake: &Intake<'_>,
    report: &super::model::ReceiptReport,
    door: Door<'_>,
    flash: Option<String>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    let (typed, base, mine) = match door {
        Door::Receipt(t) => (t.trim().to_string(), "/receipt".to_string(), None),
        Door::Monitor => (String::new(), format!("/staff/my-reports/{}", report.id), Some(report.id)),
    };
    let view = intake.status_view(report).await?;
    // Dates in words in the reader's language (the API keeps ISO dates).
    let words = |iso: &str| {
        chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .map(|d| super::date_in_words(d, &intake.lang))
            .unwrap_or_else(|_| iso.to_string())
    };
    let mut view = serde_json::to_value(&view).map_err(AppError::internal)?;
    if let Some(iso) = view["submitted_on"].as_str().map(str::to_string) {
        view["submitted_on"] = words(&iso).into();
    }
    if let Some(messages) = view["messages"].as_array_mut() {
        for m in messages {
            if let Some(iso) = m["sent_on"].as_str().map(str::to_string) {
                m["sent_on"] = words(&iso).into();
            }
        }
    }
    let ctx = context! {
        page: page.0, report: view, receipt: typed, base, mine, flash, error,
        max_mb: intake.config.upload_max_mb,
    };
    Ok((status, Template::render("reports/status", ctx)))
}

/// One neutral answer for a receipt that opens nothing.
fn lookup_failed(page: Page, e: LookupError) -> Result<(Status, Template), AppError> {
    match e {
        LookupError::Unknown => {
            let ctx = context! { page: page.0, kept: false, unknown: true };
            Ok((Status::NotFound, Template::render("reports/follow", ctx)))
        }
        LookupError::Blocked => Err(AppError::TooManyRequests),
        LookupError::App(e) => Err(e),
    }
}

/// `POST /receipt`: opens the report the receipt belongs to.
#[rocket::post("/receipt", data = "<form>")]
async fn lookup(
    page: Page,
    intake: Intake<'_>,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    match intake.lookup(&typed).await {
        Ok(report) => status_page(page, &intake, &report, &typed, None, None, Status::Ok).await,
        Err(e) => lookup_failed(page, e),
    }
}

/// `POST /receipt/messages`: the reporter answers the investigators.
#[rocket::post("/receipt/messages", data = "<form>")]
async fn reply(
    page: Page,
    intake: Intake<'_>,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    let report = match intake.lookup(&typed).await {
        Ok(r) => r,
        Err(e) => return lookup_failed(page, e),
    };
    if report.status == "closed" {
        // Nobody reads the thread of a closed case: say so rather than take the message.
        let error = Some(intake.tr("status-closed-no-messages"));
        return status_page(page, &intake, &report, &typed, None, error, Status::Conflict).await;
    }
    match super::check_message(&s(&form.body)) {
        Ok(body) => {
            intake.add_message(report.id, body, form.to.as_deref()).await?;
            let flash = Some(intake.tr("notice-message-sent"));
            status_page(page, &intake, &report, &typed, flash, None, Status::Created).await
        }
        Err(key) => {
            let error = Some(intake.tr(key));
            status_page(page, &intake, &report, &typed, None, error, Status::UnprocessableEntity).await
        }
    }
}

#[derive(FromForm)]
pub struct AttachForm<'r> {
    receipt: Option<String>,
    file: Capped<TempFile<'r>>,
}

/// `POST /receipt/attachments`: the reporter adds a photo, a voice note, a video or a PDF.
#[rocket::post("/receipt/attachments", data = "<form>")]
async fn attach(
    page: Page,
    intake: Intake<'_>,
    mut form: Checked<AttachForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let typed = s(&form.receipt);
    let report = match intake.lookup(&typed).await {
        Ok(r) => r,
        Err(e) => return lookup_failed(page, e),
    };
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return status_page(page, &intake, &report, &typed, None, error, Status::Conflict).await;
    }
    let added = match spooled(std::slice::from_mut(&mut form.file)).await {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            intake.attach_file(report.id, source, size).await?
        }
        Ok(_) => Err(EvidenceError::Empty),
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => {
            let flash = Some(intake.tr("notice-file-added"));
            status_page(page, &intake, &report, &typed, flash, None, Status::Created).await
        }
        Err(e) => {
            let error = Some(intake.tr(e.key()));
            status_page(page, &intake, &report, &typed, None, error, Status::UnprocessableEntity).await
        }
    }
}

/// A report of this monitor's, or 404 (another monitor's, or anyone's).
async fn filed(
    intake: &Intake<'_>,
    monitor: &Monitor<'_>,
    id: i32,
) -> Result<super::model::ReceiptReport, AppError> {
    let uid = monitor.0.user.id;
    intake.db.run(move |c| Ok(super::model::filed_report(c, id, uid)?)).await?.ok_or(AppError::NotFound)
}

/// `GET /staff/my-reports/<id>`: a monitor opens a report they filed: status, thread, reply and
/// files, as its receipt would, without typing the receipt again.
#[rocket::get("/staff/my-reports/<id>")]
async fn mine_one(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    page_of(page, &intake, &report, Door::Monitor, None, None, Status::Ok).await
}

/// `POST /staff/my-reports/<id>/messages`: the monitor answers for the person they filed for.
#[rocket::post("/staff/my-reports/<id>/messages", data = "<form>")]
async fn mine_reply(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
    form: Checked<ReceiptForm>,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return page_of(page, &intake, &report, Door::Monitor, None, error, Status::Conflict).await;
    }
    match super::check_message(&s(&form.body)) {
        Ok(body) => {
            intake.add_message(report.id, body, form.to.as_deref()).await?;
            let flash = Some(intake.tr("notice-message-sent"));
            page_of(page, &intake, &report, Door::Monitor, flash, None, Status::Created).await
        }
        Err(key) => {
            let error = Some(intake.tr(key));
            page_of(page, &intake, &report, Door::Monitor, None, error, Status::UnprocessableEntity).await
        }
    }
}

#[derive(FromForm)]
pub struct MonitorAttachForm<'r> {
    file: Capped<TempFile<'r>>,
}

/// `POST /staff/my-reports/<id>/attachments`: the monitor adds a file to a report they filed.
#[rocket::post("/staff/my-reports/<id>/attachments", data = "<form>")]
async fn mine_attach(
    page: Page,
    intake: Intake<'_>,
    monitor: Monitor<'_>,
    id: i32,
    mut form: Checked<MonitorAttachForm<'_>>,
) -> Result<(Status, Template), AppError> {
    let report = filed(&intake, &monitor, id).await?;
    if report.status == "closed" {
        let error = Some(intake.tr("status-closed-no-messages"));
        return page_of(page, &intake, &report, Door::Monitor, None, error, Status::Conflict).await;
    }
    let added = match spooled(std::slice::from_mut(&mut form.file)).await {
        Ok(mut files) if files.len() == 1 => {
            let (source, size) = files.remove(0);
            intake.attach_file(report.id, source, size).await?
        }
        Ok(_) => Err(EvidenceError::Empty),
        Err(e) => Err(e),
    };
    let (flash, error, status) = match added {
        Ok(_) => (Some(intake.tr("notice-file-added")), None, Status::Created),
        Err(e) => (None, Some(intake.tr(e.key())), Status::UnprocessableEntity),
    };
    page_of(page, &intake, &report, Door::Monitor, flash, error, status).await
}

#[derive(Serialize)]
struct MineRow {
    id: i32,
    submitted_on: String,
    status: String,
    region: String,
    on_behalf_of: String,
}

/// `GET /staff/my-reports`: the reports a monitor filed and their public status, nothing else.
#[rocket::get("/staff/my-reports")]
async fn mine(page: Page, intake: Intake<'_>, monitor: Monitor<'_>) -> Result<Template, AppError> {
    let uid = monitor.0.user.id;
    let rows = intake.db.run(move |c| Ok(super::model::filed_by_monitor(c, uid, 500)?)).await?;
    let lang = intake.lang.clone();
    let rows: Vec<MineRow> = rows
        .into_iter()
        .map(|r| MineRow {
            id: r.id,
            submitted_on: super::date_in_words(r.submitted_on, &lang),
            status: intake.tr(&format!("status-{}", r.status)),
            region: r.region_code.and_then(|c| intake.geo.region_name(&c, &lang)).unwrap_or_default(),
            on_behalf_of: r.on_behalf_of.unwrap_or_default(),
        })
        .collect();
    Ok(Template::render("reports/mine", context! { page: page.0, rows }))
}
