//! `GET /staff/audit`: auditors and admins browse and filter the log, newest first.

use rocket::Route;
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::audit::model::{self, Filter};
use crate::auth::guards::AuditReader;
use crate::db::Db;
use crate::error::AppError;
use crate::web::Page;

pub fn routes() -> Vec<Route> {
    rocket::routes![index]
}

/// A role grant as the auditors see it: who, which role, its state, by whom (account numbers
/// only), and a link to the entries of the account.
#[derive(Serialize)]
struct GrantRow {
    id: i32,
    user_id: i32,
    role: String,
    state: String,
    requested_by: i32,
    requested_at: String,
    decided_by: Option<i32>,
}

#[derive(Serialize)]
struct Row {
    id: i32,
    at: String,
    actor: String,
    ip: String,
    action: String,
    object: String,
    details: String,
}

const PAGE: i64 = 100;

#[expect(clippy::too_many_arguments, reason = "one argument per filter of the page")]
#[rocket::get("/staff/audit?<actor>&<action>&<object_type>&<object_id>&<from>&<to>&<before>")]
async fn index(
    page: Page,
    db: &rocket::State<Db>,
    reader: AuditReader<'_>,
    catalog: &rocket::State<std::sync::Arc<crate::i18n::Catalog>>,
    actor: Option<String>,
    action: Option<String>,
    object_type: Option<String>,
    object_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i32>,
) -> Result<Template, AppError> {
    let date =
        |s: &Option<String>| s.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let filter = Filter {
        actor: actor.unwrap_or_default().trim().to_string(),
        action: action.unwrap_or_default().trim().to_string(),
        object_type: object_type.unwrap_or_default().trim().to_string(),
        object_id: object_id.unwrap_or_default().trim().to_string(),
        from: date(&from),
        to: date(&to),
    };
    let f = filter.clone();
    let (entries, intact, grants) = db
        .run(move |c| {
            let e = model::browse(c, &f, before, PAGE + 1)?;
            // Four eyes: the auditors see every role grant, pending or decided.
            let g = crate::accounts::grant_model::recent(c, 20)?;
            // The chain's state is shown on the first page only, verified from the last
            // checkpoint: the cost is what was appended since, not the whole log.
            let intact = if before.is_none() {
                let from = model::checkpoint(c)?;
                Some((model::verify_since(c, from.clone())?, from))
            } else {
                None
            };
            Ok((e, intact, g))
        })
        .await?;
    // The checkpoint moves only when something new was verified (no write on a quiet log).
    if let Some((Ok(cp), from)) = &intact {
        if from.as_ref() != Some(cp) {
            let cp = cp.clone();
            db.transaction(move |c| Ok(model::store_checkpoint(c, &cp)?)).await?;
        }
    }
    let intact = intact.map(|(r, _)| r.map(|cp| cp.count).map_err(|e| e.to_string()));
    let grants: Vec<GrantRow> = grants
        .into_iter()
        .map(|g| GrantRow {
            id: g.id,
            user_id: g.user_id,
            role: g.role,
            state: g.state,
            requested_by: g.requested_by,
            requested_at: g.requested_at.format("%Y-%m-%d %H:%M").to_string(),
            decided_by: g.decided_by,
        })
        .collect();
    // Least privilege: what a person typed into an entry (a reason) is for the auditors; an
    // admin reads no case content (`crate::audit::TYPED`).
    let typed_shown = reader.0.role == crate::auth::Role::Auditor;
    let hidden = catalog.message(&page.0.lang, "audit-typed-hidden", None);
    let more = entries.len() as i64 > PAGE;
    let rows: Vec<Row> = entries
        .into_iter()
        .take(PAGE as usize)
        .map(|e| Row {
            details: if typed_shown {
                e.details
            } else {
                crate::audit::without_typed(&e.action, &e.details, &hidden)
            },
            id: e.id,
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: e.actor,
            ip: e.ip.unwrap_or_default(),
            action: e.action,
            object: format!("{} {}", e.object_type, e.object_id),
        })
        .collect();
    let next = if more { rows.last().map(|r| r.id) } else { None };
    let chain = intact.map(|r| match r {
        Ok(n) => (true, n.to_string()),
        Err(e) => (false, e),
    });
    Ok(Template::render(
        "audit/index",
        context! {
            page: page.0, rows, next, chain, grants,
            f: context! {
                actor: filter.actor, action: filter.action, object_type: filter.object_type,
                object_id: filter.object_id, from: from.unwrap_or_default(), to: to.unwrap_or_default(),
            },
        },
    ))
}
