//! The trainers' side (issue 12): units, partners and training sessions; the gap analysis
//! (which violations substantiated against which units, the modules that teach the norms they
//! break, whether those were delivered); early warning (a fixed threshold beside a funnel plot
//! with overdispersion); remediation actions and the measured effect of training; duplicate
//! offers between partners flagged at planning time.
//!
//! Logic, free of web and database types and unit-tested where it stands: `units.rs` (search
//! keys and suggestions), `gaps.rs` (the gap rule), `offers.rs` (duplicate offers, session
//! moves), `warning.rs` (both early-warning methods), `effect.rs` (rate ratios, intervals,
//! verdicts), `remediation.rs` (the state machine), `analysis.rs` (assembling them from rows),
//! `chart.rs` (the SVG trend), `limits.rs` (the dates, numbers and texts the forms accept). Queries: `model.rs`. Pages: `routes.rs` (the gap analysis and the shared views), `setup.rs` (units, partners, unit attachment), `sessions.rs`, `actions.rs`
//! (remediation), `flags.rs` (the early-warning page), `from_case.rs` (a case's recommendation
//! proposed as remediation, by the case worker); JSON, CSV, SVG:
//! `api.rs`. Reminders of review dates and overdue key actions: [`remind`].

mod actions;
pub mod analysis;
mod api;
pub mod chart;
pub mod effect;
mod flags;
mod from_case;
pub mod gaps;
pub mod limits;
pub mod model;
pub mod offers;
pub mod remediation;
mod routes;
mod sessions;
mod setup;
pub mod units;
pub mod warning;

use chrono::NaiveDate;
use diesel::Connection;

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Catalog;

pub fn routes() -> Vec<rocket::Route> {
    let mut r = routes::routes();
    r.extend(sessions::routes());
    r.extend(setup::routes());
    r.extend(from_case::routes());
    r.extend(actions::routes());
    r.extend(api::routes());
    r.extend(flags::routes());
    r
}

/// Queues, once each, the reminders of remediation actions whose review date has come and of
/// key actions past their deadline, to every trainer: a link only. Called by the daily pass of
/// `cases::remind`'s worker. Returns how many mails were queued.
pub fn remind(db: &Db, catalog: &Catalog, config: &Config, today: NaiveDate) -> Result<usize, AppError> {
    let mut conn = db.get()?;
    let due = model::due_reminders(&mut conn, today)?;
    let base = config.public_url.trim_end_matches('/').to_string();
    let mut queued = 0;
    for (id, kind) in due {
        let link = format!("{base}/staff/training/remediation/{id}");
        queued += conn.transaction(|c| {
            crate::db::begin_write(c)?;
            if !model::mark_reminded(c, id, kind, today)? {
                return Ok::<usize, AppError>(0);
            }
            crate::audit::record(
                c,
                &crate::audit::Actor::System("reminders"),
                "training.remediation.reminder",
                "remediation_action",
                &id.to_string(),
                kind,
            )?;
            let mut n = 0;
            for (email, lang) in model::trainers_of_action(c, id)? {
                let (subject, body) = crate::notify::compose(
                    catalog,
                    &lang,
                    &format!("remediation-{kind}"),
                    &[("link", link.clone())],
                );
                crate::notify::enqueue(c, &email, &subject, &body, "remediation-reminder")?;
                n += 1;
            }
            Ok(n)
        })?;
    }
    Ok(queued)
}

/// Runs the trainers' reminders (reviews due, actions overdue) every hour while the server is
/// up, each reminder sent once (`remind` claims it).
pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("training reminders", |rocket| {
        Box::pin(async move {
            let (Some(db), Some(config), Some(catalog)) = (
                rocket.state::<Db>().cloned(),
                rocket.state::<std::sync::Arc<Config>>().cloned(),
                rocket.state::<std::sync::Arc<Catalog>>().cloned(),
            ) else {
                return;
            };
            let mut shutdown = rocket.shutdown();
            rocket::tokio::spawn(async move {
                loop {
                    let (db, config, catalog) = (db.clone(), config.clone(), catalog.clone());
                    let pass = rocket::tokio::task::spawn_blocking(move || {
                        remind(&db, &catalog, &config, chrono::Utc::now().date_naive())
                    })
                    .await;
                    if let Ok(Err(e)) = pass {
                        crate::logs::error("training", &format!("training reminders: {e}"));
                    }
                    rocket::tokio::select! {
                        _ = rocket::tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}
