//! Public statistics (issue 13): fixed tables per closed quarter and closed year, for anyone,
//! with disclosure control so that no published figure can single out a victim or a reporter.
//!
//! Logic, free of web and database types: `suppress.rs` (which counts are withheld, checked by
//! linear programming), `figures.rs` (periods, the tables, medians, the map's shading classes).
//! Queries: `model.rs`. Pages, JSON and CSV: `routes.rs`.
//!
//! Kept, not recomputed per request: [`Stats`] holds every closed period's tables in memory,
//! with the data version they were computed from ([`model::version`]: the largest ids of the
//! tables that only grow, and of `stats_changes`, which triggers append to when a counted row
//! changes) and the last closed quarter. A request reads the version (five lookups of a
//! maximum on a primary key) and recomputes only when it moved or a quarter closed.

pub mod figures;
pub mod model;
mod routes;
pub mod suppress;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::db::Db;
use crate::error::AppError;
use crate::taxonomy::Taxonomy;
use figures::{Axes, PeriodStats, Record, Timing, OUTCOMES};

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("public statistics", |rocket| async {
        rocket.manage(Stats::default()).mount("/", routes::routes())
    })
}

struct Cached {
    version: model::Version,
    last_closed: figures::Period,
    periods: Arc<Vec<PeriodStats>>,
}

/// The tables of every closed period, kept while the data do not change.
#[derive(Default)]
pub struct Stats {
    cache: rocket::tokio::sync::Mutex<Option<Cached>>,
}

impl Stats {
    /// Every closed period's tables on `today`, newest first.
    pub async fn periods(
        &self,
        db: &Db,
        tax: &Taxonomy,
        today: NaiveDate,
    ) -> Result<Arc<Vec<PeriodStats>>, AppError> {
        let version = db.run(|c| Ok(model::version(c)?)).await?;
        let last_closed = figures::last_closed_quarter(today);
        // One computation at a time: the others wait for it rather than repeat it.
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref().filter(|c| c.version == version && c.last_closed == last_closed) {
            return Ok(c.periods.clone());
        }
        let before = last_closed.span().1;
        let (counts, cases, regions) = db
            .run(move |c| {
                Ok((
                    model::allegation_counts(c, before)?,
                    model::case_facts(c, before)?,
                    model::region_codes(c)?,
                ))
            })
            .await?;
        let axes = axes(tax, regions);
        let statuses = tax.case_statuses.clone();
        let periods = rocket::tokio::task::spawn_blocking(move || {
            let (records, timings) = records(counts, cases, &statuses);
            figures::compute(&axes, &records, &timings, today)
        })
        .await
        .map_err(AppError::internal)?;
        let periods = Arc::new(periods);
        *cache = Some(Cached { version, last_closed, periods: periods.clone() });
        Ok(periods)
    }
}

/// The values of each dimension, in the lists' order; regions by code, then `unknown` (an
/// event placed nowhere).
pub fn axes(tax: &Taxonomy, mut regions: Vec<String>) -> Axes {
    let codes = |v: &[crate::taxonomy::Entry]| v.iter().map(|e| e.code.clone()).collect::<Vec<_>>();
    regions.push("unknown".into());
    let mut statuses: Vec<String> = vec![];
    for (_, public) in &tax.case_statuses {
        if !statuses.contains(public) {
            statuses.push(public.clone());
        }
    }
    let mut dispositions = codes(&tax.dispositions);
    dispositions.push("pending".into());
    Axes(vec![
        ("region", regions),
        ("violation_group", tax.groups.iter().map(|g| g.entry.code.clone()).collect()),
        ("force", codes(&tax.forces)),
        ("disposition", dispositions),
        ("institution", codes(&tax.institutions)),
        ("public_status", statuses),
        ("outcome", OUTCOMES.iter().map(|s| s.to_string()).collect()),
    ])
}

/// The rows read, as counted records and timings.
fn records(
    counts: Vec<model::AllegationCount>,
    cases: Vec<model::CaseFacts>,
    statuses: &[(String, String)],
) -> (Vec<Record>, Vec<Timing>) {
    let mut records: Vec<Record> = counts
        .into_iter()
        .map(|(month, region, group, force, disposition, n)| Record {
            population: "allegations",
            attrs: vec![
                ("region", region.unwrap_or_else(|| "unknown".into())),
                ("violation_group", group),
                ("force", force),
                ("disposition", disposition.unwrap_or_else(|| "pending".into())),
            ],
            on: month,
            n: n.max(0) as u64,
        })
        .collect();
    let mut timings = vec![];
    for c in cases {
        let public =
            statuses.iter().find(|(s, _)| *s == c.status).map(|(_, p)| p.clone()).unwrap_or(c.status.clone());
        records.push(Record {
            population: "cases",
            attrs: vec![("institution", c.institution.clone()), ("public_status", public)],
            on: c.occurred_on,
            n: 1,
        });
        if c.recommended {
            let outcome = match (c.disciplined, c.final_outcome) {
                (Some(true), _) => "outcome_disciplined",
                (Some(false), _) => "outcome_not_disciplined",
                (None, true) => "outcome_discipline_unknown",
                (None, false) => "no_final_outcome",
            };
            records.push(Record {
                population: "recommended",
                attrs: vec![("institution", c.institution.clone()), ("outcome", outcome.into())],
                on: c.occurred_on,
                n: 1,
            });
        }
        if let Some(reported) = c.reported_on {
            let mut days = vec![("routing", (c.opened_on - reported).num_days())];
            if let Some(a) = c.acknowledged_on {
                days.push(("acknowledgement", (a - reported).num_days()));
            }
            if let Some(cl) = c.closed_on {
                days.push(("closure", (cl - reported).num_days()));
            }
            timings.push(Timing { on: c.occurred_on, institution: c.institution, days });
        }
    }
    (records, timings)
}
