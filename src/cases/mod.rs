//! Cases: the unit of work of one institution (the allegations of an event routed to it), with
//! the workflow of DOMAIN.md (`workflow.rs`), deadlines and their reminders (`deadlines.rs`),
//! and the pages of investigators and ombudsman officers (`routes.rs`).

pub mod deadlines;
pub mod model;
mod routes;
pub mod views;
mod work;
pub mod workflow;

use std::collections::{BTreeMap, HashMap};
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

/// One entry of a digest: a case's deadline that is near or passed, or a case with messages
/// from its reporter that the person has not read.
enum DigestItem {
    Due { case_id: i32, due: deadlines::Due },
    Unread { case_id: i32, count: usize },
}

impl DigestItem {
    fn case_id(&self) -> i32 {
        match self {
            DigestItem::Due { case_id, .. } | DigestItem::Unread { case_id, .. } => *case_id,
        }
    }

    /// The order of a digest: deadlines passed (the oldest first), then near (the soonest
    /// first), then unread messages.
    fn urgency(&self) -> (u8, NaiveDate, i32) {
        match self {
            DigestItem::Due { case_id, due } => (u8::from(due.threshold != "overdue"), due.on, *case_id),
            DigestItem::Unread { case_id, .. } => (2, NaiveDate::MAX, *case_id),
        }
    }
}

/// The most entries a digest lists; the others are counted, with a link to the case list. A
/// person with thousands of cases due would otherwise get a mail of megabytes (13 MB at
/// 1,000,000 synthetic reports), which mail servers refuse and nobody reads, and whose
/// encoding kept a core busy for seconds a mail.
pub const DIGEST_LINES: usize = 50;

/// Queues the day's digest of each person with deadlines near or passed or reporters' messages
/// unread (issue 10, item 9): one mail a day at
/// most per person, whatever the number of cases (to the assignee of each case, or to every
/// case worker of the institution when nobody is assigned), links only. A person who switched
/// the digest off on their account page gets none; the deadlines stay on their case list.
/// Returns how many digests were queued.
///
/// The cases are read without the write lock; each digest is then written in a short
/// transaction of its own (claim, mail, audit), with a pause after each (`db::pace`), so
/// intake and staff pages are never held behind the whole pass.
pub fn remind(db: &Db, catalog: &Catalog, config: &Config, today: NaiveDate) -> Result<usize, AppError> {
    let mut pooled = db.get()?;
    let conn: &mut crate::db::DbConn = &mut pooled;
    let open = model::with_deadlines(conn)?;
    let mut workers: HashMap<i32, Vec<i32>> = HashMap::new();
    let mut per_person: BTreeMap<i32, Vec<DigestItem>> = BTreeMap::new();
    for case in open {
        let due =
            deadlines::due(case.status(), case.acknowledge_by, case.triage_by, case.response_due_on, today);
        if due.is_empty() {
            continue;
        }
        let people = match case.assignee_id {
            Some(uid) => vec![uid],
            None => match workers.get(&case.institution_id) {
                Some(w) => w.clone(),
                None => {
                    let w: Vec<i32> =
                        model::workers_of(conn, case.institution_id)?.into_iter().map(|w| w.0).collect();
                    workers.insert(case.institution_id, w.clone());
                    w
                }
            },
        };
        for uid in people {
            let items = per_person.entry(uid).or_default();
            items.extend(due.iter().map(|d| DigestItem::Due { case_id: case.id, due: d.clone() }));
        }
    }
    // Messages from reporters not read yet: to the assignee (who was also mailed when the
    // message came), or, when nobody is assigned, to each case worker of the institution who
    // has not read them.
    let msgs = model::reporter_messages(conn, None)?;
    if !msgs.is_empty() {
        let mut people_of: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        for m in &msgs {
            if people_of.contains_key(&m.0) {
                continue;
            }
            let people = match m.2 {
                Some(uid) => vec![uid],
                None => match workers.get(&m.1) {
                    Some(w) => w.clone(),
                    None => {
                        let w: Vec<i32> = model::workers_of(conn, m.1)?.into_iter().map(|w| w.0).collect();
                        workers.insert(m.1, w.clone());
                        w
                    }
                },
            };
            people_of.insert(m.0, people);
        }
        let all_people: Vec<i32> = {
            let mut v: Vec<i32> = people_of.values().flatten().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let report_ids: Vec<i32> = {
            let mut v: Vec<i32> = msgs.iter().map(|m| m.3).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut marks: HashMap<(i32, i32), i32> = HashMap::new();
        for chunk in report_ids.chunks(5000) {
            for (u, r, last) in model::read_marks_of(conn, &all_people, chunk)? {
                marks.insert((u, r), last);
            }
        }
        let mut unread: BTreeMap<(i32, i32), usize> = BTreeMap::new();
        for m in &msgs {
            for &uid in &people_of[&m.0] {
                if m.4 > marks.get(&(uid, m.3)).copied().unwrap_or(0) {
                    *unread.entry((uid, m.0)).or_default() += 1;
                }
            }
        }
        for ((uid, case_id), count) in unread {
            per_person.entry(uid).or_default().push(DigestItem::Unread { case_id, count });
        }
    }
    let ids: Vec<i32> = per_person.keys().copied().collect();
    let recipients = model::digest_recipients(conn, &ids)?;
    let base = config.public_url.trim_end_matches('/').to_string();
    let mut queued = 0;
    for (uid, email, lang) in recipients {
        let Some(items) = per_person.get_mut(&uid) else { continue };
        items.sort_by_key(DigestItem::urgency);
        let items = &*items;
        let mut lines: Vec<String> = items
            .iter()
            .take(DIGEST_LINES)
            .map(|i| {
                let mut fa = fluent_bundle::FluentArgs::new();
                match i {
                    DigestItem::Due { case_id, due } => {
                        fa.set("case", case_id.to_string());
                        fa.set("kind", catalog.message(&lang, &format!("deadline-kind-{}", due.kind), None));
                        fa.set("on", due.on.to_string());
                        fa.set("link", format!("{base}/staff/cases/{case_id}"));
                        catalog.message(&lang, &format!("digest-line-{}", due.threshold), Some(&fa))
                    }
                    DigestItem::Unread { case_id, count } => {
                        fa.set("case", case_id.to_string());
                        fa.set("count", *count);
                        fa.set("link", format!("{base}/staff/cases/{case_id}"));
                        catalog.message(&lang, "digest-line-unread", Some(&fa))
                    }
                }
            })
            .collect();
        let shown: std::collections::BTreeSet<i32> =
            items.iter().take(DIGEST_LINES).map(DigestItem::case_id).collect();
        let more: std::collections::BTreeSet<i32> =
            items.iter().skip(DIGEST_LINES).map(DigestItem::case_id).filter(|c| !shown.contains(c)).collect();
        if !more.is_empty() {
            let mut fa = fluent_bundle::FluentArgs::new();
            fa.set("more", more.len());
            fa.set("link", format!("{base}/staff/cases?scope=institution"));
            lines.push(catalog.message(&lang, "digest-more", Some(&fa)));
        }
        let count = items.len() as i32;
        let unread = items.iter().filter(|i| matches!(i, DigestItem::Unread { .. })).count();
        let args = [
            ("count", count.to_string()),
            ("items", lines.join("\n")),
            ("account", format!("{base}/staff/account")),
        ];
        let (subject, body) = crate::notify::compose(catalog, &lang, "digest", &args);
        queued += conn.transaction(|c| {
            crate::db::begin_write(c)?;
            if !model::claim_digest(c, uid, today, count)? {
                return Ok::<usize, AppError>(0);
            }
            crate::notify::enqueue(c, &email, &subject, &body, "digest")?;
            audit::record(
                c,
                &Actor::System("reminders"),
                "staff.digest",
                "user",
                &uid.to_string(),
                &format!("{} deadline(s), {unread} case(s) with unread messages", count as usize - unread),
            )?;
            Ok(1)
        })?;
        crate::db::pace();
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
                        let today = chrono::Utc::now().date_naive();
                        remind(&db, &catalog, &config, today)
                    })
                    .await;
                    if let Ok(Err(e)) = pass {
                        crate::logs::error("reminders", &format!("reminders: {e}"));
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
