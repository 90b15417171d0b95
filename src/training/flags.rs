//! `GET /staff/training/flags`: the early-warning page, both methods side by side (the
//! statistical funnel and the threshold), each unit with its observed and expected counts and a
//! link to open a remediation action for it. The same filters as the gap analysis.

use std::sync::Arc;

use chrono::Utc;
use rocket::State;
use rocket_dyn_templates::{context, Template};
use serde_json::{json, Value};

use super::api::{flag_scores, group_views};
use super::routes::{choices, encode, load, month, resolve, Query, PAGE_ROWS};
use crate::accounts::routes::Auth;
use crate::auth::guards::TrainingStaff;
use crate::error::AppError;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use crate::web::Page;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![flags_page]
}

fn r2(x: f64) -> String {
    format!("{x:.2}")
}

#[rocket::get("/staff/training/flags?<q..>")]
async fn flags_page(
    page: Page,
    auth: Auth<'_>,
    _who: TrainingStaff<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let cfg = auth.config.training.clone();
    let r = resolve(&q, tax, &cfg, Utc::now().date_naive());
    let l = load(&auth, super::api::scoring(&r.filter), r.evidence).await?;
    let view = |method: &str| -> Vec<Value> {
        let mut s: Vec<_> =
            flag_scores(&l, &r.filter, method, &cfg, tax).into_iter().filter(|s| s.flagged).collect();
        s.sort_by(|a, b| b.evidence().total_cmp(&a.evidence()));
        s.iter()
            .map(|s| {
                let unit = l.unit(s.unit_id);
                json!({
                    "unit_id": s.unit_id, "unit": l.unit_name(s.unit_id),
                    "force": unit.and_then(|u| tax.force_by_id(u.force_id)).map(|f| f.label(&lang).to_string()),
                    "strength": unit.and_then(|u| u.strength),
                    "observed": s.observed, "expected": format!("{:.1}", s.expected), "ratio": r2(s.ratio),
                    "z": r2(s.z), "limit": s.limit, "max_in_window": s.max_in_window,
                    "posterior": s.posterior.map(|p| format!("{:.0} %", 100.0 * p)),
                    "total_out": s.observed as f64 > s.limit,
                    "groups": group_views(s, tax, Some(&lang)).into_iter().map(|mut g| {
                        g["expected"] = json!(format!("{:.0}", g["expected"].as_f64().unwrap_or(0.0)));
                        g
                    }).collect::<Vec<_>>(),
                })
            })
            .collect()
    };
    let (mut statistical, mut threshold) = (view("statistical"), view("threshold"));
    // The first rows of a long list (a fixed threshold flags every busy unit); all are in the
    // JSON.
    let totals = json!({"statistical": statistical.len(), "threshold": threshold.len(), "shown": PAGE_ROWS});
    statistical.truncate(PAGE_ROWS);
    threshold.truncate(PAGE_ROWS);
    let filters = json!({
        "from": month(r.from), "to": month(r.to), "force": q.force, "unit": r.filter.unit_id, "region": r.filter.region_code,
        "evidence": r.evidence.as_str(), "min": r.min,
    });
    let method = json!({
        "fdr": format!("{:.0}", 100.0 * cfg.statistical_fdr),
        "n": cfg.threshold_count, "days": cfg.threshold_days,
    });
    let qs = encode(&q);
    let choices = choices(&l, tax, geo, &lang);
    Ok(Template::render(
        "training/flags",
        context! { page: page.0, statistical, threshold, totals, filters, method, qs, choices },
    ))
}
