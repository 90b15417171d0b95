//! Cases: the unit of work of one institution (the allegations of an event routed to it), with
//! the workflow of DOMAIN.md (`workflow.rs`), deadlines and their reminders (`deadlines.rs`),
//! and the pages of investigators and ombudsman officers (`routes.rs`).

pub mod deadlines;
pub mod model;
mod routes;
pub mod workflow;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use diesel::Connection;
use rocket::fairing::AdHoc;

pub use routes::routes;

use crate::audit::{self, Actor};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Catalog;

/// Mails every deadline that became near or overdue, once per case, deadline and threshold:
/// to the assignee, or to every case worker of the institution when nobody is assigned.
/// Returns how many reminders were queued.
pub fn remind(db: &Db, catalog: &Catalog, config: &Config, today: NaiveDate) -> Result<usize, AppError> {
    let mut pooled = db.get()?;
    let conn: &mut crate::db::DbConn = &mut pooled;
    let open = model::with_deadlines(conn)?;
    let mut queued = 0;
    for case in open {
        let due =
            deadlines::due(case.status(), case.acknowledge_by, case.triage_by, case.response_due_on, today);
        for d in due {
            queued += conn.transaction(|c| {
                crate::db::begin_write(c)?;
                if !model::claim_reminder(c, case.id, d.kind, d.threshold)? {
                    return Ok::<usize, AppError>(0);
                }
                let recipients: Vec<(String, String)> = match case.assignee_id {
                    Some(uid) => vec![model::user_contact(c, uid)?],
                    None => {
                        model::workers_of(c, case.institution_id)?.into_iter().map(|w| (w.2, w.3)).collect()
                    }
                };
                let link = format!("{}/staff/cases/{}", config.public_url.trim_end_matches('/'), case.id);
                let event = format!("deadline-{}", d.threshold);
                for (email, lang) in &recipients {
                    let kind = catalog.message(lang, &format!("deadline-kind-{}", d.kind), None);
                    let args = [
                        ("link", link.clone()),
                        ("case", case.id.to_string()),
                        ("kind", kind),
                        ("on", d.on.to_string()),
                    ];
                    let (subject, body) = crate::notify::compose(catalog, lang, &event, &args);
                    crate::notify::enqueue(c, email, &subject, &body, &event)?;
                }
                let details =
                    format!("{} {} on {} to {} recipient(s)", d.kind, d.threshold, d.on, recipients.len());
                audit::record(
                    c,
                    &Actor::System("reminders"),
                    "case.reminder",
                    "case",
                    &case.id.to_string(),
                    &details,
                )?;
                Ok(1)
            })?;
        }
    }
    Ok(queued)
}

/// Runs the reminders every hour while the server is up.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("deadline reminders", |rocket| {
        Box::pin(async move {
            let (Some(db), Some(config), Some(catalog)) = (
                rocket.state::<Db>().cloned(),
                rocket.state::<Arc<Config>>().cloned(),
                rocket.state::<Arc<Catalog>>().cloned(),
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
                        eprintln!("reminders: {e}");
                    }
                    rocket::tokio::select! {
                        _ = rocket::tokio::time::sleep(Duration::from_secs(3600)) => {}
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}
