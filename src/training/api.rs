//! The trainers' JSON under `/api/v1/training/` (flags, gaps, a session's effect), the CSV
//! exports and the trend chart. All need a signed-in trainer or admin (the session cookie);
//! the JSON is documented in `web/openapi.json` (401 without a session, 404 for other roles).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::{Route, State};
use serde_json::{json, Value};

use super::model::{Evidence, Filter};
use super::routes::{
    gap_views, grouped_views, grouping, load, matrix_views, month, quarter_label, resolve, Query,
};
use super::{analysis, chart, effect, warning};
use crate::accounts::routes::Auth;
use crate::auth::guards::TrainingStaff;
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![
        flags,
        gaps,
        session_effect,
        gaps_csv,
        matrix_csv,
        trend,
        flags_csv,
        delivered_csv,
        trend_csv
    ]
}

/// `GET /api/v1/training/flags?from=&to=&method=statistical|threshold`: the units flagged,
/// most elevated first.
#[rocket::get("/api/v1/training/flags?<method>&<q..>")]
async fn flags(
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    method: Option<String>,
    q: Query,
) -> Result<Json<Value>, AppError> {
    let method = method_of(method.as_deref())?;
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, scoring(&r.filter), r.evidence).await?;
    let flags = flag_views(&l, &r.filter, method, &auth.config.training, tax);
    Ok(Json(json!({
        "method": method, "from": month(r.from), "to": month(r.to), "evidence": r.evidence.as_str(), "flags": flags,
    })))
}

fn method_of(raw: Option<&str>) -> Result<&'static str, AppError> {
    match raw {
        None | Some("statistical") => Ok("statistical"),
        Some("threshold") => Ok("threshold"),
        Some(_) => Err(AppError::BadRequest("method")),
    }
}

/// The flagged units as the JSON and `flags.csv` give them, most elevated first.
fn flag_views(
    l: &super::routes::Loaded,
    filter: &Filter,
    method: &str,
    cfg: &crate::config::TrainingConfig,
    tax: &Taxonomy,
) -> Vec<Value> {
    let scores = flag_scores(l, filter, method, cfg, tax);
    let mut flags: Vec<Value> = scores
        .iter()
        .filter(|s| s.flagged)
        .map(|s| {
            let unit = l.unit(s.unit_id);
            json!({
                "unit_id": s.unit_id, "unit": l.unit_name(s.unit_id),
                "force": unit.and_then(|u| tax.force_by_id(u.force_id)).map(|f| f.code.clone()),
                "region": unit.and_then(|u| u.region_code.clone()),
                "strength": unit.and_then(|u| u.strength),
                "observed": s.observed, "expected": round(s.expected), "ratio": round(s.ratio), "z": round(s.z),
                "evidence": round(s.evidence()), "limit": s.limit, "max_in_window": s.max_in_window,
                "posterior": s.posterior.map(round),
                "groups": group_views(s, tax, None),
            })
        })
        .collect();
    flags.sort_by(|a, b| {
        b["evidence"].as_f64().partial_cmp(&a["evidence"].as_f64()).unwrap_or(std::cmp::Ordering::Equal)
    });
    flags
}

/// `GET /staff/training/flags.csv?method=statistical|threshold`: every unit one method flags,
/// as the JSON lists them (the page shows the first hundred); `groups` as "code observed/expected".
#[rocket::get("/staff/training/flags.csv?<method>&<q..>")]
async fn flags_csv(
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    method: Option<String>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let method = method_of(method.as_deref())?;
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, scoring(&r.filter), r.evidence).await?;
    let mut flags = flag_views(&l, &r.filter, method, &auth.config.training, tax);
    for f in &mut flags {
        let groups: Vec<String> = f["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| format!("{} {}/{}", s(&g["group"]), g["observed"], g["expected"]))
            .collect();
        f["groups"] = json!(groups);
    }
    csv_response(
        &[
            "unit_id",
            "unit",
            "force",
            "region",
            "strength",
            "observed",
            "expected",
            "ratio",
            "z",
            "evidence",
            "limit",
            "max_in_window",
            "posterior",
            "groups",
        ],
        &flags,
    )
}

/// `GET /staff/training/delivered.csv`: the delivered sessions of the page (partner, modules,
/// units, dates, attendance, scores).
#[rocket::get("/staff/training/delivered.csv?<q..>")]
async fn delivered_csv(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, Filter { from: Some(NaiveDate::MAX), ..r.filter.clone() }, r.evidence).await?;
    csv_response(
        &["id", "partner", "modules", "units", "from", "to", "attendance", "pre_score", "post_score"],
        &super::routes::delivered_views(&l, &r.filter, &page.0.lang),
    )
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What the early warning loads for a filter: every unit's counts, whatever unit is asked
/// for. A unit is scored against the units it is compared with, so they are counted too;
/// [`flag_scores`] then keeps the unit asked for (found in review, session 21: with `unit=`
/// the other units were scored as having no allegation, and the unit was compared with itself).
pub fn scoring(filter: &Filter) -> Filter {
    Filter { unit_id: None, ..filter.clone() }
}

/// The scores of the units in scope (force and region filters) by one method, from counts
/// loaded with [`scoring`]; with a unit filter, that unit's score only.
pub fn flag_scores(
    l: &super::routes::Loaded,
    filter: &Filter,
    method: &str,
    cfg: &crate::config::TrainingConfig,
    tax: &Taxonomy,
) -> Vec<warning::Score> {
    let units = l
        .units
        .iter()
        .filter(|u| filter.force_id.is_none_or(|f| f == u.force_id))
        .filter(|u| filter.region_code.as_ref().is_none_or(|r| u.region_code.as_ref() == Some(r)))
        .map(|u| (u.id, u.force_id, u.strength.map(i64::from)));
    let group_of = |t: i32| tax.violation_type_by_id(t).map(|(g, _)| g.entry.id);
    // Sessions delivered by the end of the period.
    let delivered = l
        .sessions
        .iter()
        .filter(|s| s.session.status == "delivered" && filter.to.is_none_or(|to| s.session.span().1 <= to))
        .map(|s| (&s.units[..], &s.modules[..]));
    let trained = warning::trained_groups(delivered, &l.vmods, group_of);
    let counts = warning::unit_counts(units, &l.rows, group_of, &trained);
    let mut scores = match method {
        "threshold" => warning::threshold(&counts, cfg.threshold_count, cfg.threshold_days),
        _ => warning::statistical(&counts, cfg.statistical_fdr),
    };
    scores.retain(|s| filter.unit_id.is_none_or(|u| s.unit_id == u));
    scores
}

/// The violation groups a unit is flagged for, as the page and the API show them: code,
/// label (in `lang`, when given), observed, expected, ratio.
pub fn group_views(s: &warning::Score, tax: &Taxonomy, lang: Option<&str>) -> Vec<Value> {
    s.groups
        .iter()
        .filter_map(|g| {
            let group = tax.groups.iter().find(|x| x.entry.id == g.group_id)?;
            let mut v = json!({
                "group": group.entry.code, "observed": g.observed,
                "expected": round(g.expected), "ratio": round(g.ratio),
            });
            if let Some(lang) = lang {
                v["label"] = json!(group.entry.label(lang));
            }
            Some(v)
        })
        .collect()
}

/// `GET /api/v1/training/gaps`: the gap rows of the analysis page; with `by=force|region`,
/// also the gaps summed by force or region (`groups`).
#[rocket::get("/api/v1/training/gaps?<q..>")]
async fn gaps(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<Json<Value>, AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, r.filter.clone(), r.evidence).await?;
    let lang = &page.0.lang;
    let gaps = gap_views(&l, &r, tax, auth.catalog, lang);
    let mut out = json!({"from": month(r.from), "to": month(r.to), "evidence": r.evidence.as_str(), "min": r.min, "gaps": gaps});
    if let Some(by) = grouping(&q) {
        out["by"] = json!(by);
        out["groups"] = json!(grouped_views(&l, &r, tax, geo, lang, by));
    }
    Ok(Json(out))
}

/// `GET /api/v1/training/sessions/<id>/effect`: the rate ratio of the targeted violations in
/// equal windows before and after delivery, against untrained units of the same forces.
#[rocket::get("/api/v1/training/sessions/<id>/effect?<evidence>")]
async fn session_effect(
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    id: i32,
    evidence: Option<String>,
) -> Result<Json<Value>, AppError> {
    let evidence = Evidence::parse(evidence.as_deref());
    let cfg = auth.config.training.clone();
    let today = Utc::now().date_naive();
    let l = load(&auth, Filter { from: Some(NaiveDate::MAX), ..Filter::default() }, evidence).await?;
    let s = l.sessions.iter().find(|s| s.session.id == id).ok_or(AppError::NotFound)?.clone();
    let out =
        measure(&auth, &l, &s, evidence, cfg.effect_window_months, cfg.effect_min_events, today).await?;
    Ok(Json(out))
}

/// The effect of one session as JSON (shared with the remediation page and the measuring
/// command).
pub async fn measure(
    auth: &Auth<'_>,
    l: &super::routes::Loaded,
    s: &super::model::SessionFull,
    evidence: Evidence,
    max_window: i64,
    min_events: u64,
    today: NaiveDate,
) -> Result<Value, AppError> {
    if s.session.status != "delivered" {
        return Ok(json!({"session_id": s.session.id, "verdict": "too_few_data", "reason": "not_delivered",
            "rate_ratio": null, "ci": null, "comparison_ratio": null}));
    }
    let on = s.session.span().1;
    let first = auth.db.run(|c| Ok(super::model::first_on_record(c)?)).await?;
    let delivered = effect::month_index(on);
    let window = effect::window_months(
        max_window,
        delivered,
        effect::month_index(today),
        first.map(effect::month_index),
    );
    let types: Vec<i32> = l.vmods.iter().filter(|(_, m)| s.modules.contains(m)).map(|(v, _)| *v).collect();
    let (from, to) = effect::window_span(on, window);
    let trained: BTreeSet<i32> = s.units.iter().copied().collect();
    let pairs: Vec<(i32, i32)> = l.units.iter().map(|u| (u.id, u.force_id)).collect();
    let comparison = analysis::comparable(&pairs, &l.delivered(), &trained, &s.modules, to);
    let filter = Filter {
        from: Some(from),
        to: Some(to),
        unit_ids: Some(trained.iter().chain(&comparison).copied().collect()),
        violation_types: Some(types),
        ..Filter::default()
    };
    let rows = auth.db.run(move |c| Ok(super::model::counted(c, evidence, &filter)?)).await?;
    let (t, c) = analysis::effect_counts(&rows, &trained, &comparison, delivered, window);
    let e = effect::effect(t, (!comparison.is_empty()).then_some(c), min_events);
    Ok(json!({
        "session_id": s.session.id, "verdict": e.verdict.as_str(), "rate_ratio": round(e.rate_ratio),
        "ci": [round(e.ci[0]), round(e.ci[1])], "comparison_ratio": e.comparison_ratio.map(round),
        "ratio_of_ratios": e.ratio_of_ratios.map(round), "ratio_of_ratios_ci": e.ratio_of_ratios_ci.map(|c| [round(c[0]), round(c[1])]),
        "before": e.before, "after": e.after, "comparison_before": e.comparison_before, "comparison_after": e.comparison_after,
        "comparison_units": comparison.len(), "window_months": window, "delivered": month(on), "evidence": evidence.as_str(),
    }))
}

fn csv_of(header: &[&str], rows: Vec<Vec<String>>) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(header).map_err(AppError::internal)?;
    for r in rows {
        w.write_record(r.iter().map(|c| crate::web::csv_cell(c).into_owned())).map_err(AppError::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(x) => x.clone(),
        Value::Array(a) => a.iter().map(s).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// A CSV of `views`: one column per key of `cols`, lists joined by "; ".
fn csv_response(cols: &[&str], views: &[Value]) -> Result<(ContentType, String), AppError> {
    let rows = views.iter().map(|v| cols.iter().map(|c| s(&v[*c])).collect()).collect();
    Ok((ContentType::CSV, csv_of(cols, rows)?))
}

/// `GET /staff/training/gaps.csv`: the gap rows, or with `by=force|region` the gaps summed by
/// force or region.
#[rocket::get("/staff/training/gaps.csv?<q..>")]
async fn gaps_csv(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, r.filter.clone(), r.evidence).await?;
    let lang = &page.0.lang;
    match grouping(&q) {
        None => csv_response(
            &[
                "unit",
                "force",
                "module",
                "standing",
                "count",
                "since_delivery",
                "last_delivery",
                "delivered_by",
            ],
            &gap_views(&l, &r, tax, auth.catalog, lang),
        ),
        Some(by) => csv_response(
            &[by, "module", "units", "never_trained", "trained_continuing", "trained", "count"],
            &grouped_views(&l, &r, tax, geo, lang, by),
        ),
    }
}

/// `GET /staff/training/matrix.csv`: allegations by violation type × unit (or force, region).
#[rocket::get("/staff/training/matrix.csv?<q..>")]
async fn matrix_csv(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, r.filter.clone(), r.evidence).await?;
    let by = grouping(&q);
    csv_response(
        &["violation", by.unwrap_or("unit"), "count", "norms", "modules"],
        &matrix_views(&l, tax, geo, &page.0.lang, by),
    )
}

/// `GET /staff/training/units/<id>/trend.svg`: the unit's allegations per quarter (the
/// filters of the page), with each delivered session marked.
#[rocket::get("/staff/training/units/<id>/trend.svg?<q..>")]
async fn trend(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let mut filter = r.filter.clone();
    filter.unit_id = Some(id);
    let l = load(&auth, filter, r.evidence).await?;
    let unit = l.unit(id).ok_or(AppError::NotFound)?;
    let lang = page.0.lang.clone();
    let qs = analysis::quarters(&l.rows, r.from, r.to);
    let marks: Vec<usize> = l
        .sessions
        .iter()
        .filter(|s| s.session.status == "delivered" && s.units.contains(&id))
        .filter_map(|s| qs.iter().position(|(q, _)| *q == analysis::quarter_of(s.session.span().1)))
        .collect();
    let bars: Vec<(String, usize)> =
        qs.iter().map(|(q, n)| (quarter_label(auth.catalog, &lang, *q), *n)).collect();
    let svg = chart::trend_svg(
        &unit.name,
        &bars,
        &marks,
        &auth.catalog.message(&lang, "training-session-delivered", None),
    );
    Ok((ContentType::SVG, svg))
}

/// `GET /staff/training/units/<id>/trend.csv`: the chart's numbers, a quarter a row, with the
/// sessions delivered to the unit in it.
#[rocket::get("/staff/training/units/<id>/trend.csv?<q..>")]
async fn trend_csv(
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let r = resolve(&q, tax, &auth.config.training, Utc::now().date_naive());
    let l = load(&auth, Filter { unit_id: Some(id), ..r.filter.clone() }, r.evidence).await?;
    let unit = l.unit(id).ok_or(AppError::NotFound)?;
    let rows: Vec<Value> = analysis::quarters(&l.rows, r.from, r.to)
        .into_iter()
        .map(|(q, n)| {
            let delivered: Vec<i32> = l
                .sessions
                .iter()
                .filter(|s| s.session.status == "delivered" && s.units.contains(&id))
                .filter(|s| analysis::quarter_of(s.session.span().1) == q)
                .map(|s| s.session.id)
                .collect();
            json!({"unit": unit.name, "quarter": quarter_code(q), "allegations": n, "sessions_delivered": delivered})
        })
        .collect();
    csv_response(&["unit", "quarter", "allegations", "sessions_delivered"], &rows)
}

/// A quarter as the CSV writes it: "2026-Q3".
fn quarter_code((y, q): (i32, u32)) -> String {
    format!("{y}-Q{q}")
}
