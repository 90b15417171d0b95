//! The trainers' pages: the gap analysis (`/staff/training`), units, partners (admins),
//! sessions with the duplicate-offer check, remediation actions, and the intake officer's
//! unit attachment. Every change checks the CSRF token and is audited in its transaction.
//!
//! Privacy: what a trainer gets is counts per unit, violation type and month; the period
//! filters are whole months (a day-level filter would let two queries be differenced into an
//! incident's day). No narrative, name, contact, point, cercle, report or case id is shown.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::analysis::{self, Delivered};
use super::model::{self, Evidence, Filter, SessionFull};
use super::{offers, remediation, units as unitkeys};
use crate::accounts::guards::{Admin, IntakeOfficer, Trainer, TrainingStaff};
use crate::accounts::routes::Auth;
use crate::audit;
use crate::cases::Feedback;
use crate::config::TrainingConfig;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::Catalog;
use crate::taxonomy::Taxonomy;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![
        index,
        units_page,
        save_unit,
        partners_page,
        create_partner,
        set_member,
        sessions_page,
        plan_session,
        move_session,
        remediation_index,
        create_remediation,
        remediation_show,
        remediation_move,
        remediation_key_action,
        remediation_key_done,
        remediation_lessons,
        allegation_unit_page,
        allegation_unit_save,
    ]
}

// Filters -------------------------------------------------------------------------------------

/// The filters of the analysis, as typed in the query string.
#[derive(Debug, Clone, Default, FromForm, serde::Serialize)]
pub struct Query {
    pub from: Option<String>,
    pub to: Option<String>,
    pub force: Option<String>,
    pub unit: Option<i32>,
    pub region: Option<String>,
    pub evidence: Option<String>,
    pub min: Option<usize>,
    pub group: Option<String>,
}

/// The filters resolved: whole months, ids, the evidence threshold, the gap count.
pub struct Resolved {
    pub filter: Filter,
    pub evidence: Evidence,
    pub min: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The first day of the month of "YYYY-MM" (a day, if given, is dropped: months only).
pub fn month_start(s: &str) -> Option<NaiveDate> {
    let ym = s.trim().get(0..7)?;
    NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d").ok()
}

pub fn month_end(start: NaiveDate) -> NaiveDate {
    start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start)
}

pub fn month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub fn resolve(q: &Query, tax: &Taxonomy, cfg: &TrainingConfig, today: NaiveDate) -> Resolved {
    let this_month = today.with_day(1).unwrap_or(today);
    let to = month_end(q.to.as_deref().and_then(month_start).unwrap_or(this_month));
    let from = q
        .from
        .as_deref()
        .and_then(month_start)
        .unwrap_or_else(|| this_month.checked_sub_months(Months::new(23)).unwrap_or(this_month));
    let violation_types = q.group.as_deref().filter(|g| !g.is_empty()).and_then(|g| {
        tax.groups.iter().find(|x| x.entry.code == g).map(|x| x.types.iter().map(|t| t.id).collect())
    });
    Resolved {
        filter: Filter {
            from: Some(from),
            to: Some(to),
            force_id: q.force.as_deref().and_then(|f| tax.force(f)).map(|f| f.id),
            unit_id: q.unit,
            region_code: q.region.clone().filter(|r| !r.is_empty()),
            violation_types,
        },
        evidence: Evidence::parse(q.evidence.as_deref()),
        min: q.min.filter(|m| *m > 0).unwrap_or(cfg.gap_min_count),
        from,
        to,
    }
}

/// Everything the analysis reads, in one go.
pub struct Loaded {
    pub units: Vec<model::Unit>,
    pub rows: Vec<(i32, i32, NaiveDate)>,
    pub vmods: Vec<(i32, i32)>,
    pub sessions: Vec<SessionFull>,
    pub partners: Vec<(i32, String, String)>,
    pub modules: Vec<(i32, String, String, String)>,
    pub norms: Vec<(i32, String, String)>,
}

pub async fn load(auth: &Auth<'_>, filter: Filter, evidence: Evidence) -> Result<Loaded, AppError> {
    auth.db
        .run(move |c| {
            Ok(Loaded {
                units: model::units(c)?,
                rows: model::counted(c, evidence, &filter)?,
                vmods: model::violation_modules(c)?,
                sessions: model::sessions(c)?,
                partners: model::partners(c)?,
                modules: model::modules(c)?,
                norms: model::violation_norms(c)?,
            })
        })
        .await
}

impl Loaded {
    pub fn delivered(&self) -> Vec<Delivered> {
        self.sessions
            .iter()
            .filter(|s| s.session.status == "delivered")
            .map(|s| Delivered {
                session_id: s.session.id,
                partner_id: s.session.partner_id,
                on: s.session.span().1,
                modules: s.modules.clone(),
                units: s.units.clone(),
            })
            .collect()
    }

    pub fn unit_name(&self, id: i32) -> String {
        self.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
    }

    pub fn unit(&self, id: i32) -> Option<&model::Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    pub fn module_label(&self, id: i32, lang: &str) -> String {
        self.modules
            .iter()
            .find(|m| m.0 == id)
            .map(|m| if lang == "en" { m.3.clone() } else { m.2.clone() })
            .unwrap_or_default()
    }

    pub fn partner_name(&self, id: i32) -> String {
        self.partners.iter().find(|p| p.0 == id).map(|p| p.1.clone()).unwrap_or_default()
    }
}

/// The gap rows as the page, the CSV and the JSON show them.
pub fn gap_views(l: &Loaded, r: &Resolved, tax: &Taxonomy, catalog: &Catalog, lang: &str) -> Vec<Value> {
    let units_in_scope: BTreeSet<i32> = l
        .units
        .iter()
        .filter(|u| r.filter.force_id.is_none_or(|f| f == u.force_id))
        .filter(|u| r.filter.unit_id.is_none_or(|x| x == u.id))
        .map(|u| u.id)
        .collect();
    let rows: Vec<_> = l.rows.iter().copied().filter(|x| units_in_scope.contains(&x.0)).collect();
    analysis::gap_rows(&rows, &l.vmods, &l.delivered(), r.to, r.min)
        .into_iter()
        .map(|g| {
            let unit = l.unit(g.unit_id);
            json!({
                "unit_id": g.unit_id,
                "unit": l.unit_name(g.unit_id),
                "force": unit.and_then(|u| tax.force_by_id(u.force_id)).map(|f| f.label(lang).to_string()),
                "module_id": g.module_id,
                "module": l.module_label(g.module_id, lang),
                "standing": g.standing.as_str(),
                "standing_label": catalog.message(lang, &format!("training-standing-{}", g.standing.as_str()), None),
                "gap": g.standing.is_gap(),
                "count": g.count,
                "since_delivery": g.since_delivery,
                "last_delivery": g.last_delivery.map(month),
                "delivered_by": g.by_partner.map(|p| l.partner_name(p)),
            })
        })
        .collect()
}

/// Allegations by violation type × unit, with the norms each type breaks and the modules
/// that teach them.
pub fn matrix_views(l: &Loaded, tax: &Taxonomy, lang: &str) -> Vec<Value> {
    let mut out: Vec<Value> = analysis::matrix(&l.rows)
        .into_iter()
        .map(|((vt, unit), n)| {
            let norms: Vec<String> = l
                .norms
                .iter()
                .filter(|x| x.0 == vt)
                .map(|x| if lang == "en" { x.2.clone() } else { x.1.clone() })
                .collect();
            let modules: Vec<String> =
                l.vmods.iter().filter(|x| x.0 == vt).map(|x| l.module_label(x.1, lang)).collect();
            json!({
                "violation": tax.violation_type_by_id(vt).map(|(_, t)| t.label(lang).to_string()),
                "unit": l.unit_name(unit), "unit_id": unit, "count": n, "norms": norms, "modules": modules,
            })
        })
        .collect();
    out.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
    out
}

fn choices(l: &Loaded, tax: &Taxonomy, geo: &Geo, lang: &str) -> Value {
    json!({
        "forces": tax.forces.iter().map(|f| json!({"code": f.code, "id": f.id, "label": f.label(lang)})).collect::<Vec<_>>(),
        "units": l.units.iter().map(|u| json!({"id": u.id, "sid": u.id.to_string(), "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(lang).to_string())})).collect::<Vec<_>>(),
        "regions": geo.boundaries.regions.iter().map(|r| json!({"code": r.code, "name": if lang == "en" { &r.name_en } else { &r.name }})).collect::<Vec<_>>(),
        "groups": tax.groups.iter().map(|g| json!({"code": g.entry.code, "label": g.entry.label(lang)})).collect::<Vec<_>>(),
        "modules": l.modules.iter().map(|m| json!({"id": m.0, "sid": m.0.to_string(), "label": if lang == "en" { &m.3 } else { &m.2 }})).collect::<Vec<_>>(),
        "partners": l.partners.iter().map(|p| json!({"id": p.0, "name": p.1})).collect::<Vec<_>>(),
    })
}

fn encode(q: &Query) -> String {
    let mut parts = vec![];
    let enc = |s: &str| percent_encode(s);
    if let Some(v) = &q.from {
        parts.push(format!("from={}", enc(v)));
    }
    if let Some(v) = &q.to {
        parts.push(format!("to={}", enc(v)));
    }
    if let Some(v) = &q.force {
        parts.push(format!("force={}", enc(v)));
    }
    if let Some(v) = q.unit {
        parts.push(format!("unit={v}"));
    }
    if let Some(v) = &q.region {
        parts.push(format!("region={}", enc(v)));
    }
    if let Some(v) = &q.evidence {
        parts.push(format!("evidence={}", enc(v)));
    }
    if let Some(v) = q.min {
        parts.push(format!("min={v}"));
    }
    if let Some(v) = &q.group {
        parts.push(format!("group={}", enc(v)));
    }
    parts.join("&")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /staff/training`: the gap analysis.
#[rocket::get("/staff/training?<q..>")]
async fn index(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, r.filter.clone(), r.evidence).await?;
    let gaps = gap_views(&l, &r, tax, auth.catalog, &lang);
    let matrix = matrix_views(&l, tax, &lang);
    let delivered: Vec<Value> = l
        .sessions
        .iter()
        .filter(|s| s.session.status == "delivered")
        .filter(|s| r.filter.unit_id.is_none_or(|u| s.units.contains(&u)))
        .map(|s| session_view(&l, s, &lang))
        .collect();
    // Trend charts: the unit filtered on, or the units with the most gaps.
    let mut trend_units: Vec<i32> = match r.filter.unit_id {
        Some(u) => vec![u],
        None => gaps
            .iter()
            .filter(|g| g["gap"] == true)
            .filter_map(|g| g["unit_id"].as_i64())
            .map(|u| u as i32)
            .collect(),
    };
    trend_units.dedup();
    trend_units.truncate(3);
    let trends: Vec<Value> = trend_units.iter().map(|u| json!({"unit": l.unit_name(*u), "id": u})).collect();
    let filters = json!({
        "from": month(r.from), "to": month(r.to), "force": q.force, "unit": r.filter.unit_id, "region": r.filter.region_code,
        "evidence": r.evidence.as_str(), "min": r.min, "group": q.group,
    });
    let qs = encode(&q);
    let choices = choices(&l, tax, geo, &lang);
    Ok(Template::render(
        "training/index",
        context! { page: page.0, gaps, matrix, delivered, trends, filters, qs, choices },
    ))
}

/// What anyone may see of a session: partner, modules, units, dates, status. Never a case.
pub fn session_view(l: &Loaded, s: &SessionFull, lang: &str) -> Value {
    let (from, to) = s.session.span();
    json!({
        "id": s.session.id, "partner": l.partner_name(s.session.partner_id), "partner_id": s.session.partner_id,
        "status": s.session.status,
        "modules": s.modules.iter().map(|m| l.module_label(*m, lang)).collect::<Vec<_>>(),
        "units": s.units.iter().map(|u| l.unit_name(*u)).collect::<Vec<_>>(),
        "from": from.to_string(), "to": to.to_string(),
        "attendance": s.session.attendance, "pre_score": s.session.pre_score, "post_score": s.session.post_score,
        "go_ahead_reason": s.session.go_ahead_reason,
    })
}

fn flash_notice(flash: Option<FlashMessage<'_>>, catalog: &Catalog, lang: &str) -> Feedback {
    Feedback::from_flash(flash, catalog, lang)
}

/// Every field of a form present in the values (empty when not typed), so that templates
/// compare them without an undefined variable.
fn with_keys(mut fb: Feedback, keys: &[&str]) -> Feedback {
    for k in keys {
        fb.values.entry(k.to_string()).or_default();
    }
    fb
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
        .map(|r| (r.code.clone(), if lang == "en" { r.name_en.clone() } else { r.name.clone() }))
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
    }
    if !parent_raw.trim().is_empty() && (parent.is_none() || parent == form.id) {
        errors.push(("parent", tr("training-err-parent")));
    }
    let id = form.id;
    if errors.is_empty() {
        let (fid, key) = (force.unwrap_or_default(), unitkeys::search_key(&name));
        let taken = auth.db.run(move |c| Ok(model::unit_key_taken(c, fid, &key, id)?)).await?;
        let parent_exists = match parent {
            Some(p) => auth.db.run(move |c| Ok(model::find_unit(c, p)?)).await.is_ok(),
            None => true,
        };
        if taken {
            errors.push(("name", tr("training-err-unit-taken")));
        }
        if !parent_exists {
            errors.push(("parent", tr("training-err-parent")));
        }
    }
    if !errors.is_empty() {
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
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let input = model::UnitInput {
        force_id: force.unwrap_or_default(),
        name: name.clone(),
        region_code: Some(region).filter(|r| !r.is_empty()),
        parent_id: parent,
        strength,
    };
    let actor = who.0.actor();
    auth.db
        .transaction(move |c| {
            let uid = match id {
                Some(id) => {
                    if model::update_unit(c, id, &input)? == 0 {
                        return Err(AppError::NotFound);
                    }
                    id
                }
                None => model::insert_unit(c, &input)?,
            };
            let action = if id.is_some() { "training.unit.update" } else { "training.unit.create" };
            audit::record(c, &actor, action, "unit", &uid.to_string(), &input.name)?;
            Ok(())
        })
        .await?;
    Ok(Either::Left(Flash::success(Redirect::to("/staff/training/units"), "training-done-unit|")))
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
    let actor = admin.0.actor();
    auth.db
        .transaction(move |c| {
            let id = model::insert_partner(c, &name, &kind)?;
            audit::record(c, &actor, "training.partner.create", "partner", &id.to_string(), &name)?;
            Ok(())
        })
        .await?;
    Ok(Either::Left(Flash::success(Redirect::to("/staff/training/partners"), "training-done-partner|")))
}

#[derive(Debug, FromForm)]
pub struct MemberForm {
    user_id: Option<i32>,
    partner_id: Option<String>,
}

/// `POST /staff/training/partners/members`: puts a trainer in a partner (or in none).
#[rocket::post("/staff/training/partners/members", data = "<form>")]
async fn set_member(
    auth: Auth<'_>,
    admin: Admin<'_>,
    form: Checked<MemberForm>,
) -> Result<Flash<Redirect>, AppError> {
    let uid = form.user_id.ok_or(AppError::BadRequest("user_id"))?;
    let pid: Option<i32> = form.partner_id.as_deref().and_then(|p| p.parse().ok());
    let actor = admin.0.actor();
    auth.db
        .transaction(move |c| {
            if model::set_partner(c, uid, pid)? == 0 {
                return Err(AppError::NotFound);
            }
            let details = pid.map(|p| p.to_string()).unwrap_or_default();
            audit::record(c, &actor, "training.partner.member", "user", &uid.to_string(), &details)?;
            Ok(())
        })
        .await?;
    Ok(Flash::success(Redirect::to("/staff/training/partners"), "training-done-member|"))
}

// Sessions ------------------------------------------------------------------------------------

/// The duplicates of each of a partner's live sessions, among the other partners' offers.
fn duplicates_of(all: &[SessionFull], s: &SessionFull, window: i64) -> Vec<i32> {
    let offer = |x: &SessionFull| offers::Offer {
        id: x.session.id,
        partner_id: x.session.partner_id,
        status: x.session.status.clone(),
        modules: x.modules.clone(),
        units: x.units.clone(),
        from: x.session.span().0,
        to: x.session.span().1,
    };
    let others: Vec<offers::Offer> = all.iter().map(offer).collect();
    offers::duplicates(&offer(s), &others, window).into_iter().map(|(o, _)| o.id).collect()
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
        context! { page: page.0, mine, others, choices, fb, warning, partner: partner_name, chosen_modules, chosen_units },
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
    modules: Vec<i32>,
    units: Vec<i32>,
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
    if form.modules.is_empty() {
        errors.push(("modules", tr("training-err-modules")));
    }
    if form.units.is_empty() {
        errors.push(("units", tr("training-err-units")));
    }
    match (from, to) {
        (Some(f), Some(t)) if f <= t => {}
        (Some(_), Some(_)) => errors.push(("planned_to", tr("training-err-dates-order"))),
        (None, _) => errors.push(("planned_from", tr("training-err-date"))),
        (_, None) => errors.push(("planned_to", tr("training-err-date"))),
    }
    if !region.is_empty() && geo.boundaries.region(&region).is_none() {
        errors.push(("region", tr("training-err-region")));
    }
    let modules = form.modules.clone();
    let units = form.units.clone();
    let values_owned: Vec<(&str, String)> = vec![
        ("planned_from", from_raw.clone()),
        ("planned_to", to_raw.clone()),
        ("region", region.clone()),
        ("go_ahead_reason", reason.clone()),
        ("modules", modules.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(",")),
        ("units", units.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(",")),
    ];
    let values: Vec<(&str, &str)> = values_owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if !errors.is_empty() {
        let fb = Feedback::refused("plan", &errors, &values);
        let t = render_sessions(page, &auth, &who, tax, geo, fb, vec![]).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    let (partner, from, to) = (partner.unwrap_or_default(), from.unwrap_or_default(), to.unwrap_or_default());
    let l = load(&auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, Evidence::Substantiated)
        .await?;
    if modules.iter().any(|m| !l.modules.iter().any(|x| x.0 == *m))
        || units.iter().any(|u| l.unit(*u).is_none())
    {
        return Err(AppError::BadRequest("unknown module or unit"));
    }
    let plan = offers::Offer {
        id: 0,
        partner_id: partner,
        status: "planned".into(),
        modules: modules.clone(),
        units: units.clone(),
        from,
        to,
    };
    let others: Vec<offers::Offer> = l
        .sessions
        .iter()
        .map(|x| offers::Offer {
            id: x.session.id,
            partner_id: x.session.partner_id,
            status: x.session.status.clone(),
            modules: x.modules.clone(),
            units: x.units.clone(),
            from: x.session.span().0,
            to: x.session.span().1,
        })
        .collect();
    let dups: Vec<(i32, i32)> = offers::duplicates(&plan, &others, auth.config.training.offer_window_days)
        .iter()
        .map(|(o, _)| (o.id, o.partner_id))
        .collect();
    if !dups.is_empty() && reason.is_empty() {
        let warning: Vec<Value> = dups
            .iter()
            .filter_map(|(id, _)| l.sessions.iter().find(|s| s.session.id == *id))
            .map(|s| session_view(&l, s, &lang))
            .collect();
        let fb = Feedback::refused("plan", &[("go_ahead_reason", tr("training-err-duplicate"))], &values);
        let t = render_sessions(page, &auth, &who, tax, geo, fb, warning).await?;
        return Ok(Either::Right((Status::UnprocessableEntity, t)));
    }
    // The mail: who plans what, and the other partners' plans, in each recipient's language.
    let catalog = auth.catalog.clone();
    let link = format!("{}/staff/training/sessions", auth.config.public_url);
    let describe = move |lang: &str,
                         l: &Loaded,
                         partner: i32,
                         modules: &[i32],
                         units: &[i32],
                         from: NaiveDate,
                         to: NaiveDate| {
        let mods: Vec<String> = modules.iter().map(|m| l.module_label(*m, lang)).collect();
        let us: Vec<String> = units.iter().map(|u| l.unit_name(*u)).collect();
        format!("{} — {} — {} — {from} → {to}", l.partner_name(partner), mods.join(", "), us.join(", "))
    };
    let actor = trainer.0.actor();
    let region = Some(region).filter(|r| !r.is_empty());
    let reason_opt = Some(reason.clone()).filter(|r| !r.is_empty());
    let id = auth
        .db
        .transaction(move |c| {
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
                    created_by: uid,
                },
            )?;
            let details = match &reason_opt {
                Some(r) => {
                    format!("duplicates {:?}; go-ahead: {r}", dups.iter().map(|d| d.0).collect::<Vec<_>>())
                }
                None => String::new(),
            };
            audit::record(c, &actor, "training.session.plan", "training_session", &id.to_string(), &details)?;
            if !dups.is_empty() {
                let mut partners: Vec<i32> = dups.iter().map(|d| d.1).collect();
                partners.push(partner);
                partners.sort_unstable();
                partners.dedup();
                for p in partners {
                    for (email, lang) in model::trainers_of(c, p)? {
                        let this = describe(&lang, &l, partner, &modules, &units, from, to);
                        let theirs: Vec<String> = dups
                            .iter()
                            .filter_map(|(sid, _)| l.sessions.iter().find(|s| s.session.id == *sid))
                            .map(|s| {
                                describe(
                                    &lang,
                                    &l,
                                    s.session.partner_id,
                                    &s.modules,
                                    &s.units,
                                    s.session.span().0,
                                    s.session.span().1,
                                )
                            })
                            .collect();
                        let (subject, body) = crate::notify::compose(
                            &catalog,
                            &lang,
                            "training-duplicate",
                            &[("plan", this), ("others", theirs.join("\n")), ("link", link.clone())],
                        );
                        crate::notify::enqueue(c, &email, &subject, &body, "training-duplicate")?;
                    }
                }
            }
            Ok(id)
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to("/staff/training/sessions"),
        format!("training-done-planned|{id}"),
    )))
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
/// scores) or cancel one of the partner's own sessions; another partner's answers 404.
#[rocket::post("/staff/training/sessions/<id>/status", data = "<form>")]
async fn move_session(
    page: Page,
    auth: Auth<'_>,
    trainer: Trainer<'_>,
    id: i32,
    form: Checked<MoveSessionForm>,
) -> Result<Flash<Redirect>, AppError> {
    let uid = trainer.0.user.id;
    let to = form.to.clone().unwrap_or_default();
    let back = Redirect::to("/staff/training/sessions");
    let date =
        |s: &Option<String>| s.as_deref().and_then(|x| NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d").ok());
    let num = |s: &Option<String>| {
        s.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(|x| x.replace(',', "."))
    };
    let delivery = if to == "delivered" {
        let (Some(f), Some(t)) = (date(&form.held_from), date(&form.held_to)) else {
            return Ok(Flash::error(back, "training-err-held-dates|"));
        };
        let attendance = match num(&form.attendance) {
            Some(a) => match a.parse::<i32>() {
                Ok(v) if v >= 0 => Some(v),
                _ => return Ok(Flash::error(back, "training-err-attendance|")),
            },
            None => None,
        };
        let score = |s: Option<String>| -> Result<Option<f64>, ()> {
            match s {
                Some(v) => v.parse::<f64>().ok().filter(|x| (0.0..=100.0).contains(x)).map(Some).ok_or(()),
                None => Ok(None),
            }
        };
        let (Ok(pre), Ok(post)) = (score(num(&form.pre_score)), score(num(&form.post_score))) else {
            return Ok(Flash::error(back, "training-err-score|"));
        };
        if f > t {
            return Ok(Flash::error(back, "training-err-held-dates|"));
        }
        Some(model::Delivery { held_from: f, held_to: t, attendance, pre_score: pre, post_score: post })
    } else {
        None
    };
    let actor = trainer.0.actor();
    let _ = page;
    let moved = auth
        .db
        .transaction(move |c| {
            let partner = model::partner_of(c, uid)?.ok_or(AppError::NotFound)?;
            let s = model::find_session(c, id)?;
            if s.session.partner_id != partner {
                return Err(AppError::NotFound);
            }
            if !offers::session_move_allowed(&s.session.status, &to) {
                return Ok(false);
            }
            if !model::move_session(c, id, partner, &s.session.status, &to)? {
                return Ok(false);
            }
            if let Some(d) = &delivery {
                model::record_delivery(c, id, d)?;
            }
            audit::record(
                c,
                &actor,
                "training.session.move",
                "training_session",
                &id.to_string(),
                &format!("{} → {to}", s.session.status),
            )?;
            Ok(true)
        })
        .await?;
    Ok(if moved {
        Flash::success(back, "training-done-session|")
    } else {
        Flash::error(back, "training-err-session-move|")
    })
}

// Remediation actions -------------------------------------------------------------------------

fn remediation_view(r: &model::Remediation, l: &Loaded, catalog: &Catalog, lang: &str) -> Value {
    json!({
        "id": r.id, "status": r.status, "status_label": catalog.message(lang, &format!("remediation-step-{}", r.status), None),
        "issue": r.issue, "lessons_unit": r.lessons_unit, "lessons_institution": r.lessons_institution,
        "module": r.module_id.map(|m| l.module_label(m, lang)), "unit": r.unit_id.map(|u| l.unit_name(u)),
        "session_id": r.session_id, "review_on": r.review_on.map(|d| d.to_string()).unwrap_or_default(),
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
    let actor = who.0.actor();
    let uid = who.0.user.id;
    let id = auth
        .db
        .transaction(move |c| {
            let id = model::insert_remediation(
                c,
                &model::NewRemediation {
                    issue: &issue,
                    module_id: module,
                    unit_id: unit,
                    review_on,
                    created_by: uid,
                },
            )?;
            audit::record(c, &actor, "training.remediation.open", "remediation_action", &id.to_string(), "")?;
            Ok(id)
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
    let fb = with_keys(fb, &["to", "reason", "description", "due_on"]);
    Ok(Template::render(
        "training/remediation_show",
        context! { page: page.0, r: view, keys, next, sessions, fb },
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
    let actor = who.0.actor();
    let why = reason.clone();
    let to_raw = raw.clone();
    let result = auth
        .db
        .transaction(move |c| {
            let r = model::find_remediation(c, id)?;
            let from =
                remediation::Step::parse(&r.status).ok_or(AppError::internal("unknown remediation step"))?;
            let Some(to) = remediation::Step::parse(&to_raw) else {
                return Ok(Err(remediation::Refusal::NotAllowed));
            };
            if let Err(e) = remediation::check(from, to, &why) {
                return Ok(Err(e));
            }
            if !model::move_remediation(c, id, from.as_str(), to.as_str())? {
                return Ok(Err(remediation::Refusal::NotAllowed));
            }
            audit::record(
                c,
                &actor,
                "training.remediation.move",
                "remediation_action",
                &id.to_string(),
                &format!("{} → {}: {why}", from.as_str(), to.as_str()),
            )?;
            Ok(Ok(to))
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
    let actor = who.0.actor();
    let due = due.unwrap_or_default();
    auth.db
        .transaction(move |c| {
            model::find_remediation(c, id)?;
            let kid = model::add_key_action(c, id, &description, due)?;
            audit::record(
                c,
                &actor,
                "training.remediation.key_action",
                "remediation_action",
                &id.to_string(),
                &format!("key action {kid} due {due}"),
            )?;
            Ok(())
        })
        .await?;
    Ok(Either::Left(Flash::success(
        Redirect::to(format!("/staff/training/remediation/{id}")),
        "remediation-done-key|",
    )))
}

#[rocket::post("/staff/training/remediation/<id>/key-actions/<kid>/done", data = "<_checked>")]
async fn remediation_key_done(
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    id: i32,
    kid: i32,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    let actor = who.0.actor();
    auth.db
        .transaction(move |c| {
            if model::finish_key_action(c, id, kid)? == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(
                c,
                &actor,
                "training.remediation.key_done",
                "remediation_action",
                &id.to_string(),
                &format!("key action {kid}"),
            )?;
            Ok(())
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
    auth: Auth<'_>,
    who: TrainingStaff<'_>,
    id: i32,
    form: Checked<LessonsForm>,
) -> Result<Flash<Redirect>, AppError> {
    let unit = form.lessons_unit.clone().unwrap_or_default();
    let inst = form.lessons_institution.clone().unwrap_or_default();
    let session: Option<i32> = form.session.as_deref().and_then(|s| s.parse().ok());
    let review = form.review_on.as_deref().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
    let actor = who.0.actor();
    auth.db
        .transaction(move |c| {
            model::find_remediation(c, id)?;
            if let Some(s) = session {
                model::find_session(c, s)?;
            }
            model::update_lessons(c, id, &unit, &inst, session, review)?;
            audit::record(
                c,
                &actor,
                "training.remediation.lessons",
                "remediation_action",
                &id.to_string(),
                "",
            )?;
            Ok(())
        })
        .await?;
    Ok(Flash::success(Redirect::to(format!("/staff/training/remediation/{id}")), "remediation-done-lessons|"))
}

// The intake officer ties an allegation to a unit --------------------------------------------

async fn render_allegation_unit(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    id: i32,
    fb: Feedback,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let ((force, vt, typed, current, narratives), units) =
        auth.db.run(move |c| Ok((model::allegation_for_unit(c, id)?, model::units(c)?))).await?;
    let keys: Vec<(i32, String)> = units.iter().map(|u| (u.id, u.search_key.clone())).collect();
    let text = format!("{typed}\n{}", narratives.join("\n"));
    let suggested: Vec<Value> = unitkeys::suggest(&text, &keys, 5)
        .into_iter()
        .filter_map(|i| units.iter().find(|u| u.id == i))
        .map(|u| json!({"id": u.id, "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(&lang).to_string())}))
        .collect();
    let mut list: Vec<&model::Unit> = units.iter().collect();
    list.sort_by_key(|u| (u.force_id != force, u.force_id, u.name.clone()));
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
    _who: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let fb = flash_notice(flash, auth.catalog, &page.0.lang);
    render_allegation_unit(page, &auth, tax, id, fb).await
}

#[derive(Debug, FromForm)]
pub struct AttachForm {
    unit: Option<String>,
}

#[rocket::post("/staff/allegations/<id>/unit", data = "<form>")]
async fn allegation_unit_save(
    auth: Auth<'_>,
    who: IntakeOfficer<'_>,
    id: i32,
    form: Checked<AttachForm>,
) -> Result<Flash<Redirect>, AppError> {
    let unit: Option<i32> = form.unit.as_deref().and_then(|u| u.parse().ok());
    let actor = who.0.actor();
    auth.db
        .transaction(move |c| {
            if let Some(u) = unit {
                model::find_unit(c, u)?;
            }
            if model::attach_unit(c, id, unit)? == 0 {
                return Err(AppError::NotFound);
            }
            let details = unit.map(|u| u.to_string()).unwrap_or_default();
            audit::record(c, &actor, "allegation.unit", "allegation", &id.to_string(), &details)?;
            Ok(())
        })
        .await?;
    Ok(Flash::success(Redirect::to(format!("/staff/allegations/{id}/unit")), "training-done-attached|"))
}

/// Quarter labels in the page's language ("2026-T1" / "2026-Q1").
pub fn quarter_label(catalog: &Catalog, lang: &str, (y, q): (i32, u32)) -> String {
    let mut a = fluent_bundle::FluentArgs::new();
    a.set("year", y.to_string());
    a.set("q", q.to_string());
    catalog.message(lang, "training-quarter", Some(&a))
}
