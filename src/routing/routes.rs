//! `/staff/admin/routing`: admins list, edit, reorder, deactivate and add routing rules.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use std::sync::Arc;

use super::model;
use super::rules::Rule;
use crate::accounts::routes::Auth;
use crate::audit;
use crate::auth::guards::Admin;
use crate::error::AppError;
use crate::taxonomy::Taxonomy;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![index, save]
}

#[rocket::get("/staff/admin/routing")]
async fn index(page: Page, auth: Auth<'_>, _admin: Admin<'_>) -> Result<Template, AppError> {
    render(page, &auth, None, Status::Ok).await.map(|(_, t)| t)
}

async fn render(
    page: Page,
    auth: &Auth<'_>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    let rules = auth.db.run(|c| Ok(model::load(c)?)).await?;
    let rows: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "position": r.position, "name": r.name,
                "group": r.violation_group, "type": r.violation_type, "force": r.force,
                "prior_approach": r.prior_approach, "court_pending": r.court_pending, "children": r.children_involved,
                "destination": r.destination, "basis_fr": r.legal_basis_fr, "basis_en": r.legal_basis_en, "active": r.active,
            })
        })
        .collect();
    Ok((status, Template::render("routing/index", context! { page: page.0, rules: rows, error })))
}

#[derive(FromForm)]
pub struct RuleForm {
    id: Option<i32>,
    position: Option<i32>,
    name: Option<String>,
    group: Option<String>,
    violation_type: Option<String>,
    force: Option<String>,
    /// `any`, `yes` or `no`.
    prior_approach: Option<String>,
    court_pending: Option<String>,
    children: Option<String>,
    destination: Option<String>,
    basis_fr: Option<String>,
    basis_en: Option<String>,
    active: bool,
}

fn tri(v: &Option<String>) -> Option<bool> {
    match v.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

fn opt(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// `POST /staff/admin/routing`: creates (no id) or updates a rule; audited with both versions.
#[rocket::post("/staff/admin/routing", data = "<form>")]
async fn save(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    tax: &State<Arc<Taxonomy>>,
    form: Checked<RuleForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let rule = Rule {
        id: form.id.unwrap_or(0),
        position: form.position.unwrap_or(1000),
        name: opt(&form.name).unwrap_or_default(),
        violation_group: opt(&form.group),
        violation_type: opt(&form.violation_type),
        force: opt(&form.force),
        prior_approach: tri(&form.prior_approach),
        court_pending: tri(&form.court_pending),
        children_involved: tri(&form.children),
        destination: opt(&form.destination).unwrap_or_default(),
        legal_basis_fr: opt(&form.basis_fr).unwrap_or_default(),
        legal_basis_en: opt(&form.basis_en).unwrap_or_default(),
        active: form.active,
    };
    let lang = page.0.lang.clone();
    if rule.name.is_empty() || rule.legal_basis_fr.is_empty() || rule.legal_basis_en.is_empty() {
        let msg = auth.catalog.message(&lang, "routing-err-fields", None);
        return render(page, &auth, Some(msg), Status::UnprocessableEntity).await.map(Either::Right);
    }
    // A condition on a code that is in no list would never hold: refused, naming the code.
    if let Some(code) = unknown_code(tax, &rule) {
        let mut a = fluent_bundle::FluentArgs::new();
        a.set("code", code);
        let msg = auth.catalog.message(&lang, "routing-err-code", Some(&a));
        return render(page, &auth, Some(msg), Status::UnprocessableEntity).await.map(Either::Right);
    }
    let actor = admin.0.actor();
    let saved = auth
        .db
        .transaction(move |c| {
            let before =
                if rule.id == 0 { None } else { model::load(c)?.into_iter().find(|r| r.id == rule.id) };
            if rule.id != 0 && before.is_none() {
                return Err(AppError::NotFound);
            }
            let id = match model::save(c, &rule) {
                Ok(id) => id,
                // An unknown destination is a mistake the admin can fix.
                Err(diesel::result::Error::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let details = format!("before={before:?} after={rule:?}");
            audit::record(
                c,
                &actor,
                if before.is_some() { "routing.update" } else { "routing.create" },
                "routing_rule",
                &id.to_string(),
                &details,
            )?;
            Ok(Some(id))
        })
        .await?;
    match saved {
        Some(_) => Ok(Either::Left(Redirect::to("/staff/admin/routing"))),
        None => {
            let msg = auth.catalog.message(&lang, "routing-err-destination", None);
            render(page, &auth, Some(msg), Status::UnprocessableEntity).await.map(Either::Right)
        }
    }
}

/// The first of a rule's codes that the lists do not hold (a violation type must also be of
/// the rule's group, when both are given), if any.
fn unknown_code(tax: &Taxonomy, rule: &Rule) -> Option<String> {
    let group = rule.violation_group.as_deref();
    if let Some(g) = group {
        if !tax.groups.iter().any(|x| x.entry.code == g) {
            return Some(g.to_string());
        }
    }
    if let Some(t) = rule.violation_type.as_deref() {
        let known = tax
            .groups
            .iter()
            .filter(|x| group.is_none_or(|g| x.entry.code == g))
            .any(|x| x.types.iter().any(|vt| vt.code == t));
        if !known {
            return Some(t.to_string());
        }
    }
    if let Some(f) = rule.force.as_deref() {
        if !tax.forces.iter().any(|x| x.code == f) {
            return Some(f.to_string());
        }
    }
    None
}
