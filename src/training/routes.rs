//! The gap analysis page (`/staff/training`) and what the trainers' pages share: the filters,
//! loading the analysis, the gap, group and matrix views. Units, partners and the unit
//! attachment: `setup.rs`; sessions: `sessions.rs`; remediation: `actions.rs`.
//!
//! Privacy: what a trainer gets is counts per unit, violation type and month; the period
//! filters are whole months (a day-level filter would let two queries be differenced into an
//! incident's day). No narrative, name, contact, point, cercle, report or case id is shown.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate, Utc};
use rocket::form::FromForm;
use rocket::request::FlashMessage;
use rocket::{Route, State};
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::analysis::{self, Delivered};
use super::model::{self, Evidence, Filter, SessionFull};
use crate::accounts::routes::Auth;
use crate::auth::guards::TrainingStaff;
use crate::config::TrainingConfig;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::Catalog;
use crate::taxonomy::Taxonomy;
use crate::web::Feedback;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![index]
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
    /// Grouping of the gaps and the allegations: by unit (default), `force` or `region`.
    pub by: Option<String>,
}

/// How the analysis is grouped: by unit (`None`), by force or by region.
pub fn grouping(q: &Query) -> Option<&'static str> {
    match q.by.as_deref() {
        Some("force") => Some("force"),
        Some("region") => Some("region"),
        _ => None,
    }
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

/// The longest period the trainers' pages read, in months.
pub const MAX_MONTHS: u32 = 240;

pub fn resolve(q: &Query, tax: &Taxonomy, cfg: &TrainingConfig, today: NaiveDate) -> Resolved {
    let this_month = today.with_day(1).unwrap_or(today);
    let to = month_end(q.to.as_deref().and_then(month_start).unwrap_or(this_month));
    let from = q
        .from
        .as_deref()
        .and_then(month_start)
        .unwrap_or_else(|| this_month.checked_sub_months(Months::new(23)).unwrap_or(this_month));
    // Months given the wrong way round (from after to) are read as the period between them,
    // and the form shows them in order.
    let (from, to) = if from > to { (to.with_day(1).unwrap_or(to), month_end(from)) } else { (from, to) };
    // At most twenty years back from `to`: a chart has one bar per quarter, and a period
    // from year 1 would draw tens of thousands.
    let earliest = to.with_day(1).and_then(|m| m.checked_sub_months(Months::new(MAX_MONTHS - 1)));
    let from = earliest.map_or(from, |e| from.max(e));
    let violation_types = q.group.as_deref().filter(|g| !g.is_empty()).and_then(|g| {
        tax.groups.iter().find(|x| x.entry.code == g).map(|x| x.types.iter().map(|t| t.id).collect())
    });
    Resolved {
        filter: Filter {
            from: Some(from),
            to: Some(to),
            force_id: q.force.as_deref().and_then(|f| tax.force(f)).map(|f| f.id),
            unit_id: q.unit,
            unit_ids: None,
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
    pub rows: Vec<model::Count>,
    pub vmods: Vec<(i32, i32)>,
    pub sessions: Vec<SessionFull>,
    pub partners: Vec<(i32, String, String)>,
    pub modules: Vec<(i32, String)>,
    pub norms: Vec<(i32, String)>,
    /// Module and norm labels come from the Fluent files (`module-<code>`, `norm-<code>`).
    pub catalog: Arc<crate::i18n::Catalog>,
}

pub async fn load(auth: &Auth<'_>, filter: Filter, evidence: Evidence) -> Result<Loaded, AppError> {
    let catalog = auth.catalog.clone();
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
                catalog,
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
        self.modules.iter().find(|m| m.0 == id).map(|m| self.label("module", &m.1, lang)).unwrap_or_default()
    }

    /// A module's or norm's label in `lang` (the code when a language lacks it).
    pub fn label(&self, list: &str, code: &str, lang: &str) -> String {
        self.catalog.message_or(lang, &crate::i18n::label_key(list, code), code)
    }

    pub fn partner_name(&self, id: i32) -> String {
        self.partners.iter().find(|p| p.0 == id).map(|p| p.1.clone()).unwrap_or_default()
    }
}

/// The gap rows as the page, the CSV and the JSON show them.
/// The gap rows of the units in scope (force and unit filters).
fn gap_rows_in_scope(l: &Loaded, r: &Resolved) -> Vec<analysis::GapRow> {
    let units_in_scope: BTreeSet<i32> = l
        .units
        .iter()
        .filter(|u| r.filter.force_id.is_none_or(|f| f == u.force_id))
        .filter(|u| r.filter.unit_id.is_none_or(|x| x == u.id))
        .map(|u| u.id)
        .collect();
    let rows: Vec<_> = l.rows.iter().copied().filter(|x| units_in_scope.contains(&x.unit_id)).collect();
    analysis::gap_rows(&rows, &l.vmods, &l.delivered(), r.to, r.min)
}

pub fn gap_views(l: &Loaded, r: &Resolved, tax: &Taxonomy, catalog: &Catalog, lang: &str) -> Vec<Value> {
    gap_rows_in_scope(l, r)
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

/// A unit's group: its force's code or its region's code ("" when it has none).
fn group_key(l: &Loaded, tax: &Taxonomy, by: &str, unit: i32) -> String {
    let u = l.unit(unit);
    match by {
        "force" => u.and_then(|u| tax.force_by_id(u.force_id)).map(|f| f.code.clone()),
        _ => u.and_then(|u| u.region_code.clone()),
    }
    .unwrap_or_default()
}

fn group_label(tax: &Taxonomy, geo: &Geo, by: &str, key: &str, lang: &str) -> String {
    match by {
        "force" => tax.force(key).map(|f| f.label(lang).to_string()),
        _ => geo.region_name(key, lang),
    }
    .unwrap_or_else(|| "—".to_string())
}

/// The gaps summed by force or region: per group × module, the units with allegations the
/// module teaches against and how many stand "never trained", "trained, continuing", "trained".
pub fn grouped_views(
    l: &Loaded,
    r: &Resolved,
    tax: &Taxonomy,
    geo: &Geo,
    lang: &str,
    by: &str,
) -> Vec<Value> {
    analysis::group_gaps(&gap_rows_in_scope(l, r), |u| group_key(l, tax, by, u))
        .into_iter()
        .map(|g| {
            json!({
                "group": g.group, by: group_label(tax, geo, by, &g.group, lang), "module_id": g.module_id,
                "module": l.module_label(g.module_id, lang), "units": g.units, "never_trained": g.never_trained,
                "trained_continuing": g.trained_continuing, "trained": g.trained, "count": g.count,
                "gaps": g.never_trained + g.trained_continuing,
            })
        })
        .collect()
}

/// Allegations by violation type × unit (or force, or region: `by`), with the norms each type
/// breaks and the modules that teach them. The unit's, force's or region's name is under the
/// key `unit`, `force` or `region`.
pub fn matrix_views(l: &Loaded, tax: &Taxonomy, geo: &Geo, lang: &str, by: Option<&str>) -> Vec<Value> {
    let cells: Vec<((i32, String), usize, Option<i32>)> = match by {
        None => analysis::matrix(&l.rows)
            .into_iter()
            .map(|((vt, unit), n)| ((vt, l.unit_name(unit)), n, Some(unit)))
            .collect(),
        Some(by) => analysis::matrix_by(&l.rows, |u| group_key(l, tax, by, u))
            .into_iter()
            .map(|((vt, g), n)| ((vt, group_label(tax, geo, by, &g, lang)), n, None))
            .collect(),
    };
    let key = by.unwrap_or("unit");
    let mut out: Vec<Value> = cells
        .into_iter()
        .map(|((vt, name), n, unit)| {
            let norms: Vec<String> =
                l.norms.iter().filter(|x| x.0 == vt).map(|x| l.label("norm", &x.1, lang)).collect();
            let modules: Vec<String> =
                l.vmods.iter().filter(|x| x.0 == vt).map(|x| l.module_label(x.1, lang)).collect();
            json!({
                "violation": tax.violation_type_by_id(vt).map(|(_, t)| t.label(lang).to_string()),
                key: name, "name": name, "unit_id": unit, "count": n, "norms": norms, "modules": modules,
            })
        })
        .collect();
    out.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
    out
}

/// The rows of a long table the analysis page shows (all of them are in the CSV and the JSON).
pub(super) const PAGE_ROWS: usize = 100;

/// Each violation type of the matrix rows once, with the norms it breaks and the modules that
/// teach them (on the page they are not repeated on every row).
fn legend(matrix: &[Value]) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<Value> = matrix
        .iter()
        .filter(|m| seen.insert(m["violation"].as_str().unwrap_or_default().to_string()))
        .map(|m| json!({"violation": m["violation"], "norms": m["norms"], "modules": m["modules"]}))
        .collect();
    out.sort_by(|a, b| a["violation"].as_str().cmp(&b["violation"].as_str()));
    out
}

pub(super) fn choices(l: &Loaded, tax: &Taxonomy, geo: &Geo, lang: &str) -> Value {
    json!({
        "forces": tax.forces.iter().map(|f| json!({"code": f.code, "id": f.id, "label": f.label(lang)})).collect::<Vec<_>>(),
        "units": l.units.iter().map(|u| json!({"id": u.id, "sid": u.id.to_string(), "name": u.name, "force": tax.force_by_id(u.force_id).map(|f| f.label(lang).to_string())})).collect::<Vec<_>>(),
        "regions": geo.boundaries.regions.iter().map(|r| json!({"code": r.code, "name": geo.region_name(&r.code, lang).unwrap_or_else(|| r.name.clone())})).collect::<Vec<_>>(),
        "groups": tax.groups.iter().map(|g| json!({"code": g.entry.code, "label": g.entry.label(lang)})).collect::<Vec<_>>(),
        "modules": l.modules.iter().map(|m| json!({"id": m.0, "sid": m.0.to_string(), "label": l.label("module", &m.1, lang)})).collect::<Vec<_>>(),
        "partners": l.partners.iter().map(|p| json!({"id": p.0, "name": p.1})).collect::<Vec<_>>(),
    })
}

pub fn encode(q: &Query) -> String {
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
    if let Some(v) = &q.by {
        parts.push(format!("by={}", enc(v)));
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
    let mut gaps = gap_views(&l, &r, tax, auth.catalog, &lang);
    let by = grouping(&q);
    let groups = by.map(|b| grouped_views(&l, &r, tax, geo, &lang, b)).unwrap_or_default();
    let mut matrix = matrix_views(&l, tax, geo, &lang, by);
    // The page shows the first rows of each long table (gaps first, then the largest counts);
    // every row is in its CSV and the JSON. A thousand rows are megabytes on a slow line.
    let totals = json!({"gaps": gaps.len(), "matrix": matrix.len(), "shown": PAGE_ROWS});
    matrix.truncate(PAGE_ROWS);
    let legend = legend(&matrix);
    let delivered = delivered_views(&l, &r.filter, &lang);
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
    // A unit once, whatever the order of its gap rows (`dedup` removed neighbours only).
    let mut seen = std::collections::HashSet::new();
    trend_units.retain(|u| seen.insert(*u));
    trend_units.truncate(3);
    gaps.truncate(PAGE_ROWS);
    let trends: Vec<Value> = trend_units.iter().map(|u| json!({"unit": l.unit_name(*u), "id": u})).collect();
    let filters = json!({
        "from": month(r.from), "to": month(r.to), "force": q.force, "unit": r.filter.unit_id, "region": r.filter.region_code,
        "evidence": r.evidence.as_str(), "min": r.min, "group": q.group, "by": by.unwrap_or("unit"),
    });
    let qs = encode(&q);
    let choices = choices(&l, tax, geo, &lang);
    Ok(Template::render(
        "training/index",
        context! { page: page.0, gaps, groups, matrix, legend, totals, delivered, trends, filters, qs, choices },
    ))
}

/// The delivered sessions of the page (of the unit filtered on, when one is), as the page's
/// table and `delivered.csv` show them.
pub fn delivered_views(l: &Loaded, filter: &Filter, lang: &str) -> Vec<Value> {
    l.sessions
        .iter()
        .filter(|s| s.session.status == "delivered")
        .filter(|s| filter.unit_id.is_none_or(|u| s.units.contains(&u)))
        .map(|s| session_view(l, s, lang))
        .collect()
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

pub(super) fn flash_notice(flash: Option<FlashMessage<'_>>, catalog: &Catalog, lang: &str) -> Feedback {
    Feedback::from_flash(flash, catalog, lang)
}

/// Every field of a form present in the values (empty when not typed), so that templates
/// compare them without an undefined variable.
pub(super) fn with_keys(mut fb: Feedback, keys: &[&str]) -> Feedback {
    for k in keys {
        fb.values.entry(k.to_string()).or_default();
    }
    fb
}

/// Quarter labels in the page's language ("2026-T1" / "2026-Q1").
pub fn quarter_label(catalog: &Catalog, lang: &str, (y, q): (i32, u32)) -> String {
    let mut a = fluent_bundle::FluentArgs::new();
    a.set("year", y.to_string());
    a.set("q", q.to_string());
    catalog.message(lang, "training-quarter", Some(&a))
}
