//! `/staff/analytics`: the quarterly trend (allegations as bars, cases opened and closed as
//! lines), the allegations by force, unit and region, the median days to decision per
//! institution and the overdue counts, each table also as CSV (audited). The same readers and
//! the same scoping as the staff map (`MapReader`; a case worker sees their institution's
//! events and cases only); anyone else gets 404.

use std::sync::Arc;

use chrono::NaiveDate;
use rocket::http::ContentType;
use rocket::{Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::model;
use super::routes::{encode, resolve_from, Query, Resolved};
use super::trends::{self, CaseTimes, ChartWords};
use crate::accounts::routes::Auth;
use crate::auth::guards::MapReader;
use crate::cases::deadlines;
use crate::cases::workflow::Status;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::Locale;
use crate::taxonomy::Taxonomy;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![page, table_csv]
}

/// Units listed on the page (the CSV lists them all).
const LISTED_UNITS: usize = 20;

/// A row of a table: its code (in the CSV), its name and its values.
#[derive(Debug, Clone, Serialize)]
struct Row {
    code: String,
    name: String,
    values: Vec<String>,
}

/// One of the page's tables, as the page and its CSV show it.
#[derive(Debug, Clone, Serialize)]
struct Table {
    id: &'static str,
    /// The CSV's first columns: the code's, and the name's when it differs from the code.
    code_column: &'static str,
    name_column: Option<&'static str>,
    /// (CSV column, the page's heading key) of each value.
    columns: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
}

/// The page's figures.
struct Figures {
    r: Resolved,
    trend: Vec<trends::QuarterRow>,
    tables: Vec<Table>,
}

const TABLES: [&str; 6] = ["trend", "force", "unit", "region", "timing", "overdue"];

/// A median as the page and CSV write it: whole days, or one decimal for a half; empty when
/// no case reached the step.
fn days(v: Option<f64>) -> String {
    match v {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => String::new(),
    }
}

async fn gather(
    auth: &Auth<'_>,
    who: &MapReader<'_>,
    tax: &Taxonomy,
    geo: &Geo,
    q: &Query,
    lang: &str,
) -> Result<Figures, AppError> {
    let today = auth.clock.now().date_naive();
    let mut r = resolve_from(q, tax, who, today, trends::default_from);
    // Whole months: the allegations are counted by their event's month.
    (r.from, r.to) = trends::whole_months(r.from, r.to);
    (r.filter.from, r.filter.to) = (r.from, r.to);
    let filter = r.filter.clone();
    let (counts, by_region, units, opened, closed, open) = auth
        .db
        .run(move |c| {
            Ok((
                model::allegation_counts(c, &filter)?,
                model::region_counts(c, &filter)?,
                model::unit_names(c)?,
                model::cases_opened(c, filter.from, filter.to, filter.institution)?,
                model::cases_closed(c, filter.from, filter.to, filter.institution)?,
                crate::cases::model::open_deadlines(c, filter.institution)?,
            ))
        })
        .await?;
    let tr = |k: &str| auth.catalog.message(lang, k, None);
    let count = |n: u64| vec![n.to_string()];

    let quarters = trends::quarters(r.from, r.to);
    let trend = trends::trend(
        &quarters,
        &counts.iter().map(|a| (a.month, a.n)).collect::<Vec<_>>(),
        &opened.iter().map(|c| c.opened_at.date()).collect::<Vec<_>>(),
        &closed,
    );
    let trend_table = Table {
        id: "trend",
        code_column: "quarter",
        name_column: None,
        columns: vec![
            ("allegations", "analytics-allegations"),
            ("cases_opened", "analytics-opened"),
            ("cases_closed", "analytics-closed"),
        ],
        rows: trend
            .iter()
            .map(|t| Row {
                code: t.quarter.clone(),
                name: t.quarter.clone(),
                values: vec![t.allegations.to_string(), t.opened.to_string(), t.closed.to_string()],
            })
            .collect(),
    };

    let force_code = |id: i32| tax.force_by_id(id).map(|f| f.code.clone()).unwrap_or_default();
    let force_name = |id: i32| tax.force_by_id(id).map(|f| f.label(lang).to_string()).unwrap_or_default();
    let forces = trends::tally(counts.iter().map(|a| (a.force_id, a.n)));
    let force_table = Table {
        id: "force",
        code_column: "force",
        name_column: Some("force_name"),
        columns: vec![("allegations", "analytics-allegations")],
        rows: forces
            .iter()
            .map(|(f, n)| Row { code: force_code(*f), name: force_name(*f), values: count(*n) })
            .collect(),
    };

    // A unit with its force: units of two forces may share a name.
    let by_unit = trends::tally(counts.iter().map(|a| ((a.unit_id, a.force_id), a.n)));
    let unit_table = Table {
        id: "unit",
        code_column: "unit_id",
        name_column: Some("unit"),
        columns: vec![("force", "analytics-force"), ("allegations", "analytics-allegations")],
        rows: by_unit
            .iter()
            .map(|((u, f), n)| Row {
                code: u.map(|u| u.to_string()).unwrap_or_default(),
                name: u.and_then(|u| units.get(&u).cloned()).unwrap_or_else(|| tr("analytics-no-unit")),
                values: vec![force_name(*f), n.to_string()],
            })
            .collect(),
    };

    let regions = trends::tally(by_region.into_iter().map(|(r, n)| (r.unwrap_or_default(), n)));
    let region_table = Table {
        id: "region",
        code_column: "region",
        name_column: Some("region_name"),
        columns: vec![("allegations", "analytics-allegations")],
        rows: regions
            .iter()
            .map(|(code, n)| Row {
                code: code.clone(),
                name: geo.region_name(code, lang).unwrap_or_else(|| tr("map-unknown-place")),
                values: count(*n),
            })
            .collect(),
    };

    let inst_code =
        |id: i32| tax.institutions.iter().find(|i| i.id == id).map(|i| i.code.clone()).unwrap_or_default();
    let inst_name = |code: &str| {
        if code == "*" {
            return tr("analytics-all-institutions");
        }
        tax.institutions
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.label(lang).to_string())
            .unwrap_or_default()
    };
    let institutions: Vec<String> = tax.institutions.iter().map(|i| i.code.clone()).collect();
    let times: Vec<CaseTimes> = opened
        .iter()
        .map(|c| CaseTimes {
            institution: inst_code(c.institution_id),
            reported_on: c.reported_on,
            opened_on: c.opened_at.date(),
            closed_on: c.closed_at.map(|t| t.date()),
        })
        .collect();
    let timing_table = Table {
        id: "timing",
        code_column: "institution",
        name_column: Some("institution_name"),
        columns: vec![
            ("cases_opened", "analytics-opened"),
            ("cases_closed", "analytics-closed-since"),
            ("median_days_report_to_routing", "analytics-report-to-routing"),
            ("median_days_routing_to_closure", "analytics-routing-to-closure"),
            ("median_days_report_to_closure", "analytics-report-to-closure"),
        ],
        rows: trends::timing(&times, &institutions, "*")
            .into_iter()
            .map(|t| Row {
                name: inst_name(&t.institution),
                code: t.institution,
                values: vec![
                    t.cases.to_string(),
                    t.closed.to_string(),
                    days(t.report_to_routing),
                    days(t.routing_to_closure),
                    days(t.report_to_closure),
                ],
            })
            .collect(),
    };

    // Overdue as the case list and the reminders judge it (`cases::deadlines`), today.
    let judged: Vec<(String, Vec<&str>, u64)> = open
        .iter()
        .map(|(inst, status, ack, tri, resp, n)| {
            let status = Status::parse(status).unwrap_or(Status::Received);
            let late = deadlines::live(status, *ack, *tri, *resp, today)
                .into_iter()
                .filter(|d| d.threshold == "overdue")
                .map(|d| d.kind)
                .collect();
            (inst_code(*inst), late, *n as u64)
        })
        .collect();
    let overdue_table = Table {
        id: "overdue",
        code_column: "institution",
        name_column: Some("institution_name"),
        columns: vec![
            ("open_cases", "analytics-open"),
            ("overdue_cases", "analytics-overdue"),
            ("acknowledge_overdue", "analytics-overdue-acknowledge"),
            ("triage_overdue", "analytics-overdue-triage"),
            ("response_overdue", "analytics-overdue-response"),
        ],
        rows: trends::overdue(&judged, &institutions)
            .into_iter()
            .map(|o| Row {
                name: inst_name(&o.institution),
                code: o.institution,
                values: [o.open, o.overdue, o.acknowledge, o.triage, o.response]
                    .iter()
                    .map(u64::to_string)
                    .collect(),
            })
            .collect(),
    };

    Ok(Figures {
        r,
        trend,
        tables: vec![trend_table, force_table, unit_table, region_table, timing_table, overdue_table],
    })
}

#[derive(Serialize)]
struct TableView {
    id: &'static str,
    title: String,
    caption: Option<String>,
    /// The first column's heading.
    first: String,
    headings: Vec<String>,
    rows: Vec<Row>,
    /// Rows the page leaves to the CSV.
    more: usize,
}

/// `GET /staff/analytics`: the trend, the breakdowns, the times to decision and the overdue
/// counts of the filters' period.
#[rocket::get("/staff/analytics?<q..>")]
async fn page(
    page: Page,
    auth: Auth<'_>,
    who: MapReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    q: Query,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let figs = gather(&auth, &who, tax, geo, &q, &lang).await?;
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let chart = trends::trend_svg(
        &figs.trend,
        &ChartWords {
            title: &tr("analytics-trend"),
            allegations: &tr("analytics-allegations"),
            opened: &tr("analytics-opened"),
            closed: &tr("analytics-closed"),
        },
    );
    let tables: Vec<TableView> = figs
        .tables
        .iter()
        .map(|t| {
            let listed = if t.id == "unit" { LISTED_UNITS } else { usize::MAX };
            let (title, caption, first) = match t.id {
                "trend" => ("analytics-trend", None, "analytics-quarter"),
                "force" => ("analytics-by-force", None, "analytics-force"),
                "unit" => ("analytics-by-unit", None, "analytics-unit"),
                "region" => ("analytics-by-region", None, "analytics-region"),
                "timing" => ("analytics-timing", Some("analytics-timing-caption"), "analytics-institution"),
                _ => ("analytics-overdue-title", Some("analytics-overdue-caption"), "analytics-institution"),
            };
            TableView {
                id: t.id,
                title: tr(title),
                caption: caption.map(tr),
                first: tr(first),
                headings: t.columns.iter().map(|(_, k)| tr(k)).collect(),
                rows: t.rows.iter().take(listed).cloned().collect(),
                more: t.rows.len().saturating_sub(listed),
            }
        })
        .collect();
    let groups: Vec<(String, String)> =
        tax.groups.iter().map(|g| (g.entry.code.clone(), g.entry.label(&lang).to_string())).collect();
    let forces: Vec<(String, String)> =
        tax.forces.iter().map(|f| (f.code.clone(), f.label(&lang).to_string())).collect();
    let filters = context! {
        from: figs.r.from.to_string(), to: figs.r.to.to_string(), group: q.group.clone().unwrap_or_default(),
        force: q.force.clone().unwrap_or_default(), bad_date: figs.r.bad_date,
    };
    let today: NaiveDate = auth.clock.now().date_naive();
    Ok(Template::render(
        "analytics/trends",
        context! {
            page: page.0, chart, tables, groups, forces, filters, qs: encode(&figs.r, &q),
            scoped: figs.r.filter.institution.is_some(), today: today.to_string(),
        },
    ))
}

/// `GET /staff/analytics/<table>.csv`: one of the page's tables, with the codes beside the
/// names. Audited (the table, the period and the number of rows).
#[rocket::get("/staff/analytics/<file>?<q..>")]
async fn table_csv(
    file: &str,
    auth: Auth<'_>,
    who: MapReader<'_>,
    tax: &State<Arc<Taxonomy>>,
    geo: &State<Arc<Geo>>,
    locale: Locale,
    q: Query,
) -> Result<(ContentType, String), AppError> {
    let id = file.strip_suffix(".csv").filter(|id| TABLES.contains(id)).ok_or(AppError::NotFound)?;
    let figs = gather(&auth, &who, tax, geo, &q, &locale.0).await?;
    let t = figs.tables.iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
    let mut w = csv::Writer::from_writer(vec![]);
    let mut head = vec![t.code_column];
    head.extend(t.name_column);
    head.extend(t.columns.iter().map(|c| c.0));
    w.write_record(&head).map_err(AppError::internal)?;
    for r in &t.rows {
        let mut rec = vec![r.code.clone()];
        if t.name_column.is_some() {
            rec.push(r.name.clone());
        }
        rec.extend(r.values.iter().cloned());
        w.write_record(rec.iter().map(|c| crate::web::csv_cell(c).into_owned()))
            .map_err(AppError::internal)?;
    }
    let body = String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)?;
    let details = format!("table={id} from={} to={} rows={}", figs.r.from, figs.r.to, t.rows.len());
    who.0
        .write("analytics.export_csv", ("analytics", id.to_string()), move |_| Ok(((), details.clone())))
        .await?;
    Ok((ContentType::CSV, body))
}
