//! Public statistics (issue 13): fixed tables per closed quarter and closed year, for anyone,
//! with disclosure control so that no published figure can single out a victim or a reporter.
//!
//! Logic, free of web and database types: `suppress.rs` (which counts are withheld, checked by
//! linear programming), `figures.rs` (periods, the tables, medians, the map's shading classes),
//! `chart.rs` (the page's bars by category).
//! Queries: `model.rs`. Pages, JSON and CSV: `routes.rs`.
//!
//! Kept, not recomputed per request: [`Stats`] holds each year's tables in memory, with the
//! data version they were checked against ([`model::version`]: the largest ids of the tables
//! that grow, and of `stats_changes`, which triggers append to when a counted row changes or
//! a case or allegation is deleted) and the last closed quarter. A request reads the version (five lookups of a
//! maximum on a primary key, in a refresh it starts or joins); only when it moved are the rows
//! read again, and a year's disclosure control (the costly part: linear programs) runs again
//! only when that year's own figures changed. A request waits for that refresh at most
//! `stats_refresh_wait_ms`, then answers the tables kept before.
//!
//! A period in which fewer than `stats_period_floor` events occurred is withheld whole
//! ([`figures::list_periods`]): listed as withheld, no figure of it published, its year too.

pub mod chart;
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

/// `wait`: how long a request waits for the tables to be brought up to date after the data
/// moved (`stats_refresh_wait_ms`); `floor`: the number of events below which a period is
/// withheld whole (`stats_period_floor`).
pub fn stage(wait: std::time::Duration, floor: u64) -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("public statistics", move |rocket| async move {
        rocket.manage(Stats::new(wait, floor)).mount("/", routes::routes()).attach(warm_up())
    })
}

/// At start, the kept tables of every year with closed periods, newest first, so that the
/// first visitors do not wait for the disclosure control. A request meanwhile waits at most
/// for the year being computed. A failure is logged; requests compute what they need.
fn warm_up() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("public statistics warm-up", |rocket| {
        Box::pin(async move {
            let (Some(db), Some(tax), Some(today)) = (
                rocket.state::<Db>().cloned(),
                rocket.state::<Arc<Taxonomy>>().cloned(),
                rocket.state::<crate::clock::Clock>().map(|c| c.now().date_naive()),
            ) else {
                return;
            };
            let Some(stats) = rocket.state::<Stats>().cloned() else { return };
            rocket::tokio::spawn(async move {
                let years: Vec<i32> = match stats.periods(&db, &tax, today).await {
                    Ok(p) => p.iter().filter(|l| !l.withheld).map(|l| l.period.year()).collect(),
                    Err(e) => return crate::logs::error("stats", &format!("stats: warm-up failed: {e}")),
                };
                let mut done = vec![];
                for y in years {
                    if !done.contains(&y) {
                        done.push(y);
                        if let Err(e) = stats.compute_year(&db, &tax, today, y).await {
                            return crate::logs::error("stats", &format!("stats: warm-up failed: {e}"));
                        }
                    }
                }
            });
        })
    })
}

/// What the tables are computed from, read again when the data version moves or a quarter
/// closes.
struct Inputs {
    version: model::Version,
    last_closed: figures::Period,
    periods: Vec<figures::Listed>,
    axes: Axes,
    records: Vec<Record>,
    timings: Vec<Timing>,
}

/// A year's kept tables: the fingerprint of their inputs, and the data version last checked.
struct Kept {
    fingerprint: u64,
    checked: model::Version,
    stats: Arc<Vec<PeriodStats>>,
}

type Refreshing = (rocket::tokio::time::Instant, rocket::tokio::sync::watch::Receiver<bool>);

#[derive(Default)]
struct Store {
    inputs: Option<Arc<Inputs>>,
    years: std::collections::HashMap<i32, Kept>,
}

/// The tables of every closed period, kept while their data do not change. A year (its
/// closed quarters and, once closed, the year itself) is protected as one, on first request;
/// when the data version moves, the rows are read again, and a year is protected again only
/// if its own figures changed (a new allegation in this quarter does not redo last year).
///
/// A request for tables already kept starts (or joins) one refresh in the background and waits
/// for it until `wait` after the refresh started: when the data moved and reading them again
/// takes longer, the tables kept before are answered, and the next requests get the new ones
/// once the refresh is done.
/// Staff work moves the version all day (a new allegation, a case step); a visitor does not wait
/// for each of those. Only a year never computed, or a quarter just closed, is waited for.
#[derive(Clone)]
pub struct Stats {
    /// The inputs and the kept years; held only to read or replace them, never while rows are
    /// read or a year is protected.
    store: Arc<rocket::tokio::sync::Mutex<Store>>,
    /// One lock per year being protected: a second request for it waits for the first rather
    /// than repeat it; requests for other years do not wait.
    computing:
        Arc<rocket::tokio::sync::Mutex<std::collections::HashMap<i32, Arc<rocket::tokio::sync::Mutex<()>>>>>,
    /// Held while the rows are read: one reading at a time.
    reading: Arc<rocket::tokio::sync::Mutex<()>>,
    /// The refresh running, if any: when it started, and a receiver that turns true when it
    /// ends.
    refreshing: Arc<std::sync::Mutex<Option<Refreshing>>>,
    wait: std::time::Duration,
    /// A period with fewer events than this is withheld whole (`stats_period_floor`).
    floor: u64,
}

impl Stats {
    pub fn new(wait: std::time::Duration, floor: u64) -> Stats {
        Stats {
            store: Default::default(),
            computing: Default::default(),
            reading: Default::default(),
            refreshing: Default::default(),
            wait,
            floor,
        }
    }

    /// The number of events below which a period is withheld whole.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// Reads the data version and, when it moved (or a quarter closed), the rows; one reader
    /// at a time, and the store is locked only to look and to replace, never while reading.
    async fn inputs(&self, db: &Db, tax: &Taxonomy, today: NaiveDate) -> Result<Arc<Inputs>, AppError> {
        let _one_reader = self.reading.lock().await;
        let version = db.run(|c| Ok(model::version(c)?)).await?;
        let last_closed = figures::last_closed_quarter(today);
        let kept = self.store.lock().await.inputs.clone();
        if let Some(i) = kept.filter(|i| i.version == version && i.last_closed == last_closed) {
            return Ok(i);
        }
        let before = last_closed.span().1;
        let (counts, cases, regions, events) = db
            .run(move |c| {
                Ok((
                    model::allegation_counts(c, before)?,
                    model::case_facts(c, before)?,
                    model::region_codes(c)?,
                    model::events_by_month(c, before)?,
                ))
            })
            .await?;
        let axes = axes(tax, regions);
        let statuses = tax.case_statuses.clone();
        let floor = self.floor;
        let inputs = rocket::tokio::task::spawn_blocking(move || {
            let (records, timings) = records(counts, cases, &statuses);
            let earliest = records.iter().map(|r| r.on).chain(timings.iter().map(|t| t.on)).min();
            let events: Vec<(NaiveDate, u64)> =
                events.into_iter().map(|(m, n)| (m, n.max(0) as u64)).collect();
            let periods = figures::list_periods(earliest, &events, today, floor);
            Inputs { version, last_closed, periods, axes, records, timings }
        })
        .await
        .map_err(AppError::internal)?;
        let inputs = Arc::new(inputs);
        self.store.lock().await.inputs = Some(inputs.clone());
        Ok(inputs)
    }

    /// The kept inputs, when they are of the quarter closed on `today`.
    async fn kept_inputs(&self, today: NaiveDate) -> Option<Arc<Inputs>> {
        let store = self.store.lock().await;
        store.inputs.clone().filter(|i| i.last_closed == figures::last_closed_quarter(today))
    }

    /// The kept tables of `year`, when the kept inputs are of the quarter closed on `today`.
    async fn kept_year(&self, today: NaiveDate, year: i32) -> Option<Arc<Vec<PeriodStats>>> {
        self.kept_inputs(today).await?;
        self.store.lock().await.years.get(&year).map(|k| k.stats.clone())
    }

    /// Starts a refresh in the background, or joins the one running, and waits for it until
    /// `self.wait` after it started: the request that starts it waits at most that long, and a
    /// request that comes later, while a long refresh reads the rows, answers at once.
    async fn refresh(&self, db: &Db, tax: &Arc<Taxonomy>, today: NaiveDate) {
        let (started, mut done) = {
            let mut running = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
            match running.as_ref().filter(|(_, r)| !*r.borrow()) {
                Some((started, r)) => (*started, r.clone()),
                None => {
                    let (tx, rx) = rocket::tokio::sync::watch::channel(false);
                    let started = rocket::tokio::time::Instant::now();
                    *running = Some((started, rx.clone()));
                    let (me, db, tax) = (self.clone(), db.clone(), tax.clone());
                    rocket::tokio::spawn(async move {
                        if let Err(e) = me.refresh_now(&db, &tax, today).await {
                            crate::logs::error("stats", &format!("stats: refresh failed: {e}"));
                        }
                        let _ = tx.send(true);
                    });
                    (started, rx)
                }
            }
        };
        let _ = rocket::tokio::time::timeout_at(started + self.wait, done.wait_for(|ended| *ended)).await;
    }

    /// Reads the data version, the rows again when it moved, and protects again every kept
    /// year whose figures changed.
    async fn refresh_now(&self, db: &Db, tax: &Taxonomy, today: NaiveDate) -> Result<(), AppError> {
        let inputs = self.inputs(db, tax, today).await?;
        let stale: Vec<i32> = {
            let store = self.store.lock().await;
            store.years.iter().filter(|(_, k)| k.checked != inputs.version).map(|(y, _)| *y).collect()
        };
        for year in stale {
            self.compute_year(db, tax, today, year).await?;
        }
        Ok(())
    }

    /// The closed periods listed on `today`, newest first, each published or withheld whole.
    pub async fn periods(
        &self,
        db: &Db,
        tax: &Arc<Taxonomy>,
        today: NaiveDate,
    ) -> Result<Vec<figures::Listed>, AppError> {
        if self.kept_inputs(today).await.is_some() {
            self.refresh(db, tax, today).await;
            if let Some(i) = self.kept_inputs(today).await {
                return Ok(i.periods.clone());
            }
        }
        Ok(self.inputs(db, tax, today).await?.periods.clone())
    }

    /// The tables of the published closed periods of `year` (newest first); empty when it has
    /// none.
    pub async fn year(
        &self,
        db: &Db,
        tax: &Arc<Taxonomy>,
        today: NaiveDate,
        year: i32,
    ) -> Result<Arc<Vec<PeriodStats>>, AppError> {
        if self.kept_year(today, year).await.is_some() {
            self.refresh(db, tax, today).await;
            if let Some(kept) = self.kept_year(today, year).await {
                return Ok(kept);
            }
        }
        self.compute_year(db, tax, today, year).await
    }

    /// Brings `year`'s tables up to date with the data, waiting for it.
    async fn compute_year(
        &self,
        db: &Db,
        tax: &Taxonomy,
        today: NaiveDate,
        year: i32,
    ) -> Result<Arc<Vec<PeriodStats>>, AppError> {
        let this_year = self.computing.lock().await.entry(year).or_default().clone();
        let _one_at_a_time = this_year.lock().await;
        let inputs = self.inputs(db, tax, today).await?;
        let known = {
            let store = self.store.lock().await;
            if let Some(k) = store.years.get(&year).filter(|k| k.checked == inputs.version) {
                return Ok(k.stats.clone());
            }
            store.years.get(&year).map(|k| (k.fingerprint, k.stats.clone()))
        };
        let i = inputs.clone();
        let known_print = known.as_ref().map(|k| k.0);
        let (fingerprint, fresh) = rocket::tokio::task::spawn_blocking(move || {
            let group = figures::year_group(&i.periods, year);
            let fingerprint = figures::fingerprint(&i.records, &i.timings, &group);
            let fresh = (known_print != Some(fingerprint))
                .then(|| figures::protect_group(&i.axes, &i.records, &i.timings, &group));
            (fingerprint, fresh)
        })
        .await
        .map_err(AppError::internal)?;
        let stats = match (fresh, known) {
            (Some(f), _) => Arc::new(f),
            (None, Some((_, kept))) => kept,
            (None, None) => Arc::new(vec![]),
        };
        let kept = Kept { fingerprint, checked: inputs.version, stats: stats.clone() };
        self.store.lock().await.years.insert(year, kept);
        Ok(stats)
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
