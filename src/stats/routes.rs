//! `/stats` (the page, for anyone, no script), `/api/v1/stats` and `/api/v1/stats/periods`
//! (JSON, documented in `web/openapi.json`) and `/stats/<period>/<table>.csv`. Everything is
//! read from the kept tables ([`super::Stats`]); the page, the JSON and the CSV are three
//! renderings of the same cells.

use std::sync::Arc;

use rocket::http::ContentType;
use rocket::request::{FromRequest, Outcome};
use rocket::serde::json::Json;
use rocket::{Request, Route, State};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::figures::{self, Cell, Listed, Period, PeriodStats, Table, ALL, MEDIANS};
use super::Stats;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::{label_key, Catalog, Locale};
use crate::taxonomy::Taxonomy;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![page, api, api_periods, api_regions, csv, api_csv]
}

/// What every handler needs to read the kept tables (a request guard over the managed state).
struct Source<'a> {
    stats: &'a Stats,
    db: &'a Db,
    tax: &'a Arc<Taxonomy>,
    clock: &'a Clock,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Source<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let r = req.rocket();
        match (r.state::<Stats>(), r.state::<Db>(), r.state::<Arc<Taxonomy>>(), r.state::<Clock>()) {
            (Some(stats), Some(db), Some(tax), Some(clock)) => {
                Outcome::Success(Source { stats, db, tax, clock })
            }
            _ => Outcome::Error((rocket::http::Status::InternalServerError, ())),
        }
    }
}

impl Source<'_> {
    fn today(&self) -> chrono::NaiveDate {
        self.clock.now().date_naive()
    }

    async fn periods(&self) -> Result<Vec<Listed>, AppError> {
        self.stats.periods(self.db, self.tax, self.today()).await
    }

    /// The period asked for (default: the latest published quarter, else the latest listed)
    /// with its year's kept tables (none for a period withheld whole: nothing of it is
    /// computed); 404 for one that is not listed or not a period.
    async fn chosen(
        &self,
        period: Option<&str>,
    ) -> Result<(Vec<Listed>, Arc<Vec<PeriodStats>>, Listed), AppError> {
        let periods = self.periods().await?;
        let quarter = |l: &&Listed| matches!(l.period, Period::Quarter(..));
        let l = match period {
            None => {
                periods.iter().filter(quarter).find(|l| !l.withheld).or_else(|| periods.iter().find(quarter))
            }
            Some(s) => Period::parse(s).and_then(|p| periods.iter().find(|l| l.period == p)),
        }
        .copied()
        .ok_or(AppError::NotFound)?;
        let year = match l.withheld {
            true => Arc::new(vec![]),
            false => self.stats.year(self.db, self.tax, self.today(), l.period.year()).await?,
        };
        Ok((periods, year, l))
    }
}

/// Why a period is withheld whole, in the reader's language.
fn withheld_note(catalog: &Catalog, lang: &str, source: &Source<'_>, p: Period) -> String {
    let mut a = fluent_bundle::FluentArgs::new();
    a.set("floor", source.stats.floor());
    a.set("kind", p.kind());
    catalog.message(lang, "stats-period-withheld", Some(&a))
}

fn find(year: &[PeriodStats], p: Period) -> Result<&PeriodStats, AppError> {
    year.iter().find(|s| s.period == p).ok_or(AppError::NotFound)
}

/// The words of a dimension's value.
pub fn value_label(catalog: &Catalog, lang: &str, dim: &str, code: &str) -> String {
    let key = match (dim, code) {
        (_, ALL) => "stats-total".to_string(),
        ("region", "unknown") => "stats-region-unknown".into(),
        ("disposition", "pending") => "stats-disposition-pending".into(),
        ("region", c) => label_key("region", c),
        ("violation_group", c) => label_key("vg", c),
        ("force", c) => label_key("force", c),
        ("disposition", c) => label_key("disposition", c),
        ("institution", c) => label_key("institution", c),
        ("public_status", c) => format!("status-{c}"),
        (d, c) => format!("stats-{d}-{c}"),
    };
    catalog.message_or(lang, &key, code)
}

fn title(catalog: &Catalog, lang: &str, id: &str) -> String {
    catalog.message(lang, &format!("stats-table-{id}"), None)
}

fn cell_json(dimensions: &[&str], c: &Cell, median: bool) -> Value {
    let mut m = Map::new();
    for (d, v) in dimensions.iter().zip(&c.coords) {
        m.insert((*d).into(), json!(v));
    }
    if median {
        m.insert("median_days".into(), json!(c.median_days));
    } else {
        m.insert("count".into(), json!(c.count));
    }
    if c.suppressed {
        m.insert("suppressed".into(), json!(true));
    }
    Value::Object(m)
}

/// A period: `suppressed: true` when it is withheld whole.
fn period_json(l: Listed) -> Value {
    let mut v = json!({"kind": l.period.kind(), "label": l.period.label()});
    if l.withheld {
        v["suppressed"] = json!(true);
    }
    v
}

fn stats_json(s: &PeriodStats, catalog: &Catalog, lang: &str) -> Value {
    json!({
        "period": period_json(Listed { period: s.period, withheld: false }),
        "tables": s.tables.iter().map(|t| json!({
            "id": t.id,
            "title": title(catalog, lang, t.id),
            "dimensions": t.dimensions,
            "cells": t.cells.iter().map(|c| cell_json(&t.dimensions, c, t.id == MEDIANS)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/stats?period=2026-Q3|2026`: one closed period's tables (default: the latest
/// closed quarter).
#[rocket::get("/api/v1/stats?<period>")]
async fn api(
    period: Option<String>,
    source: Source<'_>,
    catalog: &State<Arc<Catalog>>,
    locale: Locale,
) -> Result<Json<Value>, AppError> {
    let (_, year, l) = source.chosen(period.as_deref()).await?;
    if l.withheld {
        // Withheld whole: said so, and no table.
        let note = withheld_note(catalog, &locale.0, &source, l.period);
        return Ok(Json(json!({"period": period_json(l), "note": note, "tables": []})));
    }
    Ok(Json(stats_json(find(&year, l.period)?, catalog, &locale.0)))
}

/// `GET /api/v1/stats/periods`: the closed periods listed, newest first, a period withheld
/// whole with `suppressed: true`.
#[rocket::get("/api/v1/stats/periods")]
async fn api_periods(source: Source<'_>) -> Result<Json<Value>, AppError> {
    let periods = source.periods().await?;
    Ok(Json(json!({"periods": periods.iter().map(|l| period_json(*l)).collect::<Vec<_>>()})))
}

/// `GET /api/v1/stats/regions?period=`: the regions as GeoJSON features, each with its
/// allegations in the period: the row totals of `allegations_by_region`, withheld exactly as
/// there (`count` null, `suppressed` true). Region is the finest place the public ever sees.
#[rocket::get("/api/v1/stats/regions?<period>")]
async fn api_regions(
    period: Option<String>,
    source: Source<'_>,
    geo: &State<Arc<Geo>>,
    catalog: &State<Arc<Catalog>>,
    locale: Locale,
) -> Result<(ContentType, String), AppError> {
    let (_, year, l) = source.chosen(period.as_deref()).await?;
    let p = l.period;
    let t = find(&year, p)?.table("allegations_by_region").ok_or(AppError::NotFound)?;
    let features: Vec<Value> = geo
        .region_geometries()
        .iter()
        .map(|(code, g)| {
            let c = t.cell(&[code, ALL]);
            // A region with no allegation has no row: zero, published as zeros are.
            let (count, suppressed) = match c {
                Some(c) => (c.count, c.suppressed),
                None => (Some(0), false),
            };
            json!({
                "type": "Feature",
                "geometry": g,
                "properties": {"region": code, "name": value_label(catalog, &locale.0, "region", code),
                               "count": count, "suppressed": suppressed},
            })
        })
        .collect();
    let body = json!({"type": "FeatureCollection", "period": period_json(l), "features": features});
    Ok((ContentType::new("application", "geo+json"), body.to_string()))
}

/// The CSV of a table: one column per dimension, then `count` (or `median_days`) and
/// `suppressed`; a withheld value is empty.
pub fn table_csv(t: &Table) -> Result<String, AppError> {
    let median = t.id == MEDIANS;
    let mut w = ::csv::Writer::from_writer(vec![]);
    let mut header: Vec<&str> = t.dimensions.clone();
    header.push(if median { "median_days" } else { "count" });
    header.push("suppressed");
    w.write_record(&header).map_err(AppError::internal)?;
    for c in &t.cells {
        let mut row = c.coords.clone();
        row.push(match (median, c.count, c.median_days) {
            (true, _, Some(m)) => m.to_string(),
            (false, Some(n), _) => n.to_string(),
            _ => String::new(),
        });
        row.push(c.suppressed.to_string());
        w.write_record(&row).map_err(AppError::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}

/// `GET /stats/<period>/<table>.csv`: the link on the page.
#[rocket::get("/stats/<period>/<file>")]
async fn csv(period: &str, file: &str, source: Source<'_>) -> Result<(ContentType, String), AppError> {
    csv_of(period, file, &source).await
}

/// `GET /api/v1/stats/<period>/<table>.csv`: the same file under the API's prefix, where the
/// OpenAPI document describes it.
#[rocket::get("/api/v1/stats/<period>/<file>")]
async fn api_csv(period: &str, file: &str, source: Source<'_>) -> Result<(ContentType, String), AppError> {
    csv_of(period, file, &source).await
}

async fn csv_of(period: &str, file: &str, source: &Source<'_>) -> Result<(ContentType, String), AppError> {
    let id = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let (_, year, l) = source.chosen(Some(period)).await?;
    let t = find(&year, l.period)?.table(id).ok_or(AppError::NotFound)?;
    Ok((ContentType::CSV, table_csv(t)?))
}

#[derive(Serialize)]
struct PeriodLink {
    label: String,
    current: bool,
    withheld: bool,
}

#[derive(Serialize)]
struct Row {
    label: String,
    total: bool,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct TableView {
    id: &'static str,
    title: String,
    csv: String,
    corner: String,
    columns: Vec<String>,
    rows: Vec<Row>,
}

/// A figure as the page shows it: the count, a median in days, or a dash when withheld.
fn shown(c: &Cell) -> String {
    match (c.suppressed, c.count, c.median_days) {
        (true, _, _) => "—".into(),
        (_, Some(n), _) => n.to_string(),
        (_, _, Some(m)) if m.fract() == 0.0 => format!("{m:.0}"),
        (_, _, Some(m)) => format!("{m:.1}"),
        _ => "—".into(),
    }
}

/// A table as rows and columns (a one-way table has one column).
fn view(t: &Table, period: &str, catalog: &Catalog, lang: &str) -> TableView {
    let mut row_codes: Vec<&str> = vec![];
    let mut col_codes: Vec<&str> = vec![];
    for c in &t.cells {
        if !row_codes.contains(&c.coords[0].as_str()) {
            row_codes.push(&c.coords[0]);
        }
        if let Some(y) = c.coords.get(1) {
            if !col_codes.contains(&y.as_str()) {
                col_codes.push(y);
            }
        }
    }
    let columns = if t.dimensions.len() == 2 {
        col_codes.iter().map(|y| value_label(catalog, lang, t.dimensions[1], y)).collect()
    } else {
        vec![catalog.message(lang, "stats-count", None)]
    };
    let rows = row_codes
        .iter()
        .map(|x| Row {
            label: value_label(catalog, lang, t.dimensions[0], x),
            total: *x == ALL,
            cells: if t.dimensions.len() == 2 {
                col_codes.iter().map(|y| t.cell(&[x, y]).map(shown).unwrap_or_default()).collect()
            } else {
                vec![t.cell(&[x]).map(shown).unwrap_or_default()]
            },
        })
        .collect();
    TableView {
        id: t.id,
        title: title(catalog, lang, t.id),
        csv: format!("/stats/{period}/{}.csv", t.id),
        corner: catalog.message(lang, &format!("stats-dim-{}", t.dimensions[0]), None),
        columns,
        rows,
    }
}

#[derive(Serialize)]
struct LegendView {
    class: &'static str,
    label: String,
}

/// `GET /stats?period=`: the page.
#[rocket::get("/stats?<period>")]
async fn page(
    page: Page,
    period: Option<String>,
    source: Source<'_>,
    catalog: &State<Arc<Catalog>>,
    geo: &State<Arc<Geo>>,
) -> Result<rocket_dyn_templates::Template, AppError> {
    let (all, year, l) = source.chosen(period.as_deref()).await?;
    let p = l.period;
    let lang = page.0.lang.clone();
    let periods: Vec<PeriodLink> = all
        .iter()
        .map(|x| PeriodLink { label: x.period.label(), current: x.period == p, withheld: x.withheld })
        .collect();
    if l.withheld {
        // Withheld whole: the list of periods and why, nothing else of it.
        return Ok(rocket_dyn_templates::Template::render(
            "stats/index",
            rocket_dyn_templates::context! {
                page: page.0,
                period: p.label(),
                kind: p.kind(),
                periods,
                withheld: withheld_note(catalog, &lang, &source, p),
                floor: source.stats.floor(),
                json: format!("/api/v1/stats?period={}", p.label()),
            },
        ));
    }
    let s = find(&year, p)?;
    let label = s.period.label();
    let tables: Vec<TableView> = s.tables.iter().map(|t| view(t, &label, catalog, &lang)).collect();
    // The map: each region's allegations (its row total).
    let by_region = s.table("allegations_by_region").ok_or(AppError::NotFound)?;
    let mut shades = vec![];
    for c in by_region.cells.iter().filter(|c| c.coords[1] == ALL && c.coords[0] != ALL) {
        let name = value_label(catalog, &lang, "region", &c.coords[0]);
        shades.push((c.coords[0].clone(), figures::shade_class(c.count), format!("{name} : {}", shown(c))));
    }
    let mut legend = vec![
        LegendView { class: "zero", label: "0".into() },
        LegendView { class: "suppressed", label: catalog.message(&lang, "stats-legend-suppressed", None) },
    ];
    for (class, lo, hi) in figures::SHADES {
        let label = match hi {
            Some(hi) => format!("{lo}–{hi}"),
            None => format!("≥ {lo}"),
        };
        legend.push(LegendView { class, label });
    }
    let legend_pairs: Vec<(&str, String)> = legend.iter().map(|l| (l.class, l.label.clone())).collect();
    let map = geo.map.shaded(&shades, &legend_pairs, &catalog.message(&lang, "stats-map-title", None));
    // The bars: allegations in each listed quarter of the year up to this period (a year's
    // tables are kept together; another year's would cost its own disclosure control); a
    // quarter withheld whole has no tables, so its bar is withheld too.
    let quarters: Vec<Period> = all
        .iter()
        .map(|x| x.period)
        .filter(|x| matches!(x, Period::Quarter(..)) && x.year() == p.year() && x.span().1 <= p.span().1)
        .collect();
    let bars: Vec<(String, usize)> = quarters
        .iter()
        .rev()
        .map(|q| {
            let kept = year.iter().find(|x| x.period == *q);
            let total = kept.and_then(|x| x.table("allegations_by_region")).and_then(|t| t.cell(&[ALL, ALL]));
            match total.and_then(|c| c.count) {
                Some(n) => (q.label(), n as usize),
                None => (format!("{} —", q.label()), 0),
            }
        })
        .collect();
    let chart =
        crate::training::chart::trend_svg(&catalog.message(&lang, "stats-chart-title", None), &bars, &[], "");
    // Bars by kind of violation (the region table's column totals) and by disposition, as
    // published: a withheld figure gets no bar.
    let withheld = catalog.message(&lang, "stats-bar-withheld", None);
    let groups: Vec<(String, String, Option<u64>)> = by_region
        .cells
        .iter()
        .filter(|c| c.coords[0] == ALL && c.coords[1] != ALL)
        .map(|c| (c.coords[1].clone(), value_label(catalog, &lang, "violation_group", &c.coords[1]), c.count))
        .collect();
    let by_disposition = s.table("allegations_by_disposition").ok_or(AppError::NotFound)?;
    let dispositions: Vec<(String, String, Option<u64>)> = by_disposition
        .cells
        .iter()
        .filter(|c| c.coords[0] != ALL)
        .map(|c| (c.coords[0].clone(), value_label(catalog, &lang, "disposition", &c.coords[0]), c.count))
        .collect();
    let chart_groups =
        super::chart::category_bars(&catalog.message(&lang, "stats-chart-groups", None), &groups, &withheld);
    let chart_dispositions = super::chart::category_bars(
        &catalog.message(&lang, "stats-chart-dispositions", None),
        &dispositions,
        &withheld,
    );
    Ok(rocket_dyn_templates::Template::render(
        "stats/index",
        rocket_dyn_templates::context! {
            page: page.0,
            period: label,
            kind: s.period.kind(),
            periods,
            tables,
            map,
            chart,
            chart_groups,
            chart_dispositions,
            legend,
            floor: source.stats.floor(),
            json: format!("/api/v1/stats?period={}", s.period.label()),
        },
    ))
}
