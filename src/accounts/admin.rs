//! Account administration for admins: list, create (a link to set the password is mailed),
//! disable, enable, issue a password reset, change role; and the mail that failed to go.
//!
//! Security (four eyes): no admin changes their own role; a role that reads identities or
//! cases, or manages accounts ([`Role::needs_second_admin`]), is only requested by one admin
//! and takes effect when another approves it; auditors are told of each request and decision
//! by mail (a link to the audit log, nothing else) and see the grants on the audit page.

use chrono::Utc;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, Route};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use super::grant_model;
use super::reset::issue_reset;
use super::routes::Auth;
use crate::auth::guards::{Admin, Audit};
use crate::auth::model::{self, NewUser, User};
use crate::auth::Role;
use crate::crypto;
use crate::error::AppError;
use crate::web::{Checked, Page};

pub fn routes() -> Vec<Route> {
    rocket::routes![users, create, disable, enable, reset, set_role, approve_grant, refuse_grant, mail]
}

#[derive(Serialize)]
struct GrantRow {
    id: i32,
    user: String,
    role: String,
    institution: String,
    requested_by: String,
    requested_at: String,
    /// Whether the signed-in admin may decide it (they neither asked for it nor receive it).
    decidable: bool,
}

#[derive(Serialize)]
struct UserRow {
    id: i32,
    email: String,
    name: String,
    role: String,
    institution: String,
    active: bool,
    locked: bool,
    totp: bool,
}

async fn users_page(
    page: Page,
    auth: &Auth<'_>,
    error: Option<String>,
    status: Status,
) -> Result<(Status, Template), AppError> {
    let lang = page.0.lang.clone();
    let (users, institutions, grants) =
        auth.db.run(|c| Ok((User::list(c)?, model::institutions_list(c)?, grant_model::pending(c)?))).await?;
    let me = page.0.user.as_ref().map(|u| u.id).unwrap_or_default();
    let email_of = |id: i32| users.iter().find(|u| u.id == id).map(|u| u.email.clone()).unwrap_or_default();
    let inst_of = |id: Option<i32>| {
        id.and_then(|i| institutions.iter().find(|x| x.0 == i)).map(|x| x.1.clone()).unwrap_or_default()
    };
    let grants: Vec<GrantRow> = grants
        .into_iter()
        .map(|g| GrantRow {
            id: g.id,
            user: email_of(g.user_id),
            institution: inst_of(g.institution_id),
            role: g.role,
            requested_by: email_of(g.requested_by),
            requested_at: g.requested_at.format("%Y-%m-%d %H:%M").to_string(),
            decidable: g.requested_by != me && g.user_id != me,
        })
        .collect();
    let now = Utc::now().naive_utc();
    let rows: Vec<UserRow> = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            institution: u
                .institution_id
                .and_then(|i| institutions.iter().find(|x| x.0 == i))
                .map(|x| x.1.clone())
                .unwrap_or_default(),
            email: u.email,
            name: u.name,
            role: u.role,
            active: u.disabled_at.is_none(),
            locked: u.locked_until.is_some_and(|t| t > now),
            totp: u.totp_enabled_at.is_some(),
        })
        .collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let insts: Vec<(String, String)> = institutions
        .into_iter()
        .map(|(_, code, _, _)| {
            let name = auth.catalog.message_or(&lang, &crate::i18n::label_key("institution", &code), &code);
            (code, name)
        })
        .collect();
    Ok((
        status,
        Template::render(
            "accounts/admin_users",
            context! { page: page.0, users: rows, roles, institutions: insts, error, grants },
        ),
    ))
}

#[rocket::get("/staff/admin/users")]
async fn users(page: Page, auth: Auth<'_>, _admin: Admin<'_>) -> Result<(Status, Template), AppError> {
    users_page(page, &auth, None, Status::Ok).await
}

#[derive(FromForm)]
pub struct NewUserForm {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
    institution: Option<String>,
    locale: Option<String>,
}

/// `POST /staff/admin/users`: the account starts with an unusable password; the new user sets
/// their own through the link mailed to them (valid 72 hours).
#[rocket::post("/staff/admin/users", data = "<form>")]
async fn create(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    form: Checked<NewUserForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let tr = |k: &str| auth.catalog.message(&lang, k, None);
    let email = form.email.clone().unwrap_or_default().trim().to_lowercase();
    let name = form.name.clone().unwrap_or_default().trim().to_string();
    let role = Role::parse(form.role.as_deref().unwrap_or(""));
    let locale = form.locale.clone().filter(|l| auth.catalog.has_lang(l)).unwrap_or_else(|| "fr".into());
    let institution = form.institution.clone().filter(|i| !i.is_empty());
    let error = if !email.contains('@') || email.contains(char::is_whitespace) {
        Some(tr("admin-error-email"))
    } else if name.is_empty() {
        Some(tr("admin-error-name"))
    } else if role.is_none() {
        Some(tr("admin-error-role"))
    } else {
        match (role.and_then(|r| r.required_institution()), institution.as_deref()) {
            (Some(req), Some(i)) if req != i => Some(tr("admin-error-institution")),
            _ => None,
        }
    };
    if let Some(error) = error {
        return users_page(page, &auth, Some(error), Status::UnprocessableEntity).await.map(Either::Right);
    }
    let role = role.unwrap_or(Role::Monitor);
    let institution = institution.or_else(|| role.required_institution().map(String::from));
    let (cat, config) = (auth.catalog.clone(), auth.config.clone());
    let unusable = crypto::hash_password(&crypto::random_token(32));
    let admin_id = admin.0.user.id;
    let base = auth.config.public_url.trim_end_matches('/').to_string();
    let duplicate = admin
        .0
        .write_all(move |c| {
            if User::find_by_email(c, &email)?.is_some() {
                return Ok((true, vec![]));
            }
            let institution_id = match &institution {
                Some(code) => model::institution_id_by_code(c, code)?,
                None => None,
            };
            // Four eyes: an account asked with a sensitive role is created as a trainer (who
            // reads no identity) and disabled; the role and the account come with approval.
            let held = role.needs_second_admin();
            let initial = if held { Role::Trainer } else { role };
            let id = User::insert(
                c,
                &NewUser {
                    email: &email,
                    name: &name,
                    role: initial.as_str(),
                    institution_id,
                    locale: &locale,
                    password_hash: &unusable,
                },
            )?;
            let user = User::find(c, id)?;
            issue_reset(c, &cat, &config, &user, "welcome", 72)?;
            let grant = if held {
                User::disable(c, id)?;
                let g = grant_model::request(c, id, role.as_str(), institution_id, true, admin_id)?;
                tell_auditors(c, &cat, &base, id, "requested")?;
                Some(g)
            } else {
                None
            };
            let details = format!("role={initial} institution={}", institution.as_deref().unwrap_or("-"));
            let mut entries = vec![Audit::new("user.create", "user", id, details)];
            if let Some(g) = grant {
                let details = format!("grant={g} role={role} with_account=true");
                entries.push(Audit::new("user.role_grant_requested", "user", id, details));
            }
            Ok((false, entries))
        })
        .await?;
    if duplicate {
        let error = tr("admin-error-duplicate");
        return users_page(page, &auth, Some(error), Status::UnprocessableEntity).await.map(Either::Right);
    }
    Ok(Either::Left(Redirect::to("/staff/admin/users")))
}

#[derive(FromForm)]
pub struct UserAction {
    role: Option<String>,
    institution: Option<String>,
}

/// Loads the user inside the transaction of [`Staff::write_all`], runs `f`, and records
/// `action` on the user with it; a group whose key a departing member held gets a new
/// version in the same transaction (`keyring::model::rotate_after_departures`), recorded too.
async fn act(
    admin: &Admin<'_>,
    id: i32,
    action: &'static str,
    mut f: impl FnMut(&mut crate::db::DbConn, &User) -> Result<String, AppError> + Send + 'static,
) -> Result<Redirect, AppError> {
    admin
        .0
        .write_all(move |c| {
            let user = User::find(c, id)?;
            let details = f(c, &user)?;
            let mut entries = vec![Audit::new(action, "user", id, details)];
            entries.extend(rotations(c)?);
            Ok(((), entries))
        })
        .await?;
    Ok(Redirect::to("/staff/admin/users"))
}

/// The group keys rotated because a holder left a group, as audit entries.
fn rotations(c: &mut crate::db::DbConn) -> Result<Vec<Audit>, AppError> {
    let now = chrono::Utc::now().naive_utc();
    Ok(crate::keyring::model::rotate_after_departures(c, now)?
        .into_iter()
        .map(|e| Audit::new(e.action, "group_key", format!("{}:{}", e.group, e.version), e.details()))
        .collect())
}

#[rocket::post("/staff/admin/users/<id>/disable", data = "<_form>")]
async fn disable(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    _form: Checked<UserAction>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    if id == admin.0.user.id {
        return refused(page, &auth, "admin-error-self").await;
    }
    act(&admin, id, "user.disable", |c, u| {
        User::disable(c, u.id)?;
        // A live reset link must not let the person leaving set a password for later.
        let revoked = crate::auth::model::revoke_password_resets(c, u.id)?;
        Ok(if revoked > 0 { format!("reset_links_revoked={revoked}") } else { String::new() })
    })
    .await
    .map(Either::Left)
}

/// An admin's mistake on the users page: the page again (422) with the message in their
/// language.
async fn refused(
    page: Page,
    auth: &Auth<'_>,
    key: &str,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let error = auth.catalog.message(&page.0.lang, key, None);
    users_page(page, auth, Some(error), Status::UnprocessableEntity).await.map(Either::Right)
}

#[rocket::post("/staff/admin/users/<id>/enable", data = "<_form>")]
async fn enable(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    _form: Checked<UserAction>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    // An account created with a role that needs a second admin opens on approval only.
    if auth.db.run(move |c| Ok(grant_model::awaits_approval(c, id)?)).await? {
        return refused(page, &auth, "admin-error-awaits").await;
    }
    // Four eyes: a disabled account whose role opens identities or accounts comes back only
    // when a second admin approves (a grant of its role, with the account), as when it was
    // given that role; enabling it alone would bring a dismissed member back on one word.
    let (cat, base, admin_id) =
        (auth.catalog.clone(), auth.config.public_url.trim_end_matches('/').to_string(), admin.0.user.id);
    admin
        .0
        .write_all(move |c| {
            let u = User::find(c, id)?;
            // Checked again in the transaction: approval and enabling cannot cross.
            if grant_model::awaits_approval(c, u.id)? {
                return Err(AppError::BadRequest("this account awaits a second admin's approval"));
            }
            let held =
                u.disabled_at.is_some() && Role::parse(&u.role).is_some_and(|r| r.needs_second_admin());
            let entry = if held {
                let g = grant_model::request(c, u.id, &u.role, u.institution_id, true, admin_id)?;
                tell_auditors(c, &cat, &base, u.id, "requested")?;
                let details = format!("grant={g} role={} with_account=true (to enable)", u.role);
                Audit::new("user.role_grant_requested", "user", id, details)
            } else {
                User::enable(c, u.id)?;
                Audit::new("user.enable", "user", id, String::new())
            };
            let mut entries = vec![entry];
            entries.extend(rotations(c)?);
            Ok(((), entries))
        })
        .await?;
    Ok(Either::Left(Redirect::to("/staff/admin/users")))
}

/// Issues a password reset: the user gets a single-use link valid one hour.
#[rocket::post("/staff/admin/users/<id>/reset", data = "<_form>")]
async fn reset(
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    _form: Checked<UserAction>,
) -> Result<Redirect, AppError> {
    let (cat, config) = (auth.catalog.clone(), auth.config.clone());
    act(&admin, id, "user.reset_issued", move |c, u| {
        issue_reset(c, &cat, &config, u, "password-reset", 1)?;
        Ok(String::new())
    })
    .await
}

#[rocket::post("/staff/admin/users/<id>/role", data = "<form>")]
async fn set_role(
    page: Page,
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    form: Checked<UserAction>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let Some(role) = Role::parse(form.role.as_deref().unwrap_or("")) else {
        return refused(page, &auth, "admin-error-role").await;
    };
    let institution = form
        .institution
        .clone()
        .filter(|i| !i.is_empty())
        .or_else(|| role.required_institution().map(String::from));
    if let (Some(req), Some(i)) = (role.required_institution(), institution.as_deref()) {
        if req != i {
            return refused(page, &auth, "admin-error-institution").await;
        }
    }
    // Security: no admin changes their own role (nor gives themselves one).
    if id == admin.0.user.id {
        return refused(page, &auth, "admin-error-self").await;
    }
    if role.needs_second_admin() {
        let (cat, base, admin_id) =
            (auth.catalog.clone(), auth.config.public_url.trim_end_matches('/').to_string(), admin.0.user.id);
        return act(&admin, id, "user.role_grant_requested", move |c, u| {
            let inst = institution_of(c, institution.as_deref())?;
            let g = grant_model::request(c, u.id, role.as_str(), inst, false, admin_id)?;
            tell_auditors(c, &cat, &base, u.id, "requested")?;
            Ok(format!(
                "grant={g} from={} to={role} institution={}",
                u.role,
                institution.as_deref().unwrap_or("-")
            ))
        })
        .await
        .map(Either::Left);
    }
    act(&admin, id, "user.role_change", move |c, u| {
        let inst = institution_of(c, institution.as_deref())?;
        User::set_role(c, u.id, role.as_str(), inst)?;
        Ok(format!("from={} to={role} institution={}", u.role, institution.as_deref().unwrap_or("-")))
    })
    .await
    .map(Either::Left)
}

fn institution_of(c: &mut crate::db::DbConn, code: Option<&str>) -> Result<Option<i32>, AppError> {
    match code {
        Some(code) => Ok(Some(
            model::institution_id_by_code(c, code)?.ok_or(AppError::BadRequest("unknown institution"))?,
        )),
        None => Ok(None),
    }
}

/// Tells every active auditor that a grant was requested or decided: a link to the user's
/// entries in the audit log, no name and nothing of any report.
fn tell_auditors(
    c: &mut crate::db::DbConn,
    catalog: &crate::i18n::Catalog,
    base: &str,
    user_id: i32,
    what: &str,
) -> Result<(), AppError> {
    let link = format!("{base}/staff/audit?object_type=user&object_id={user_id}");
    for (email, lang) in grant_model::active_auditors(c)? {
        let args = [("link", link.clone()), ("user", user_id.to_string()), ("what", what.to_string())];
        let (subject, body) = crate::notify::compose(catalog, &lang, "role-grant", &args);
        crate::notify::enqueue(c, &email, &subject, &body, "role-grant")?;
    }
    Ok(())
}

/// Decides a pending grant; the admin who asked for it, and the one who would receive it,
/// may not.
async fn decide(auth: &Auth<'_>, admin: &Admin<'_>, id: i32, approve: bool) -> Result<Redirect, AppError> {
    let (me, cat, base) =
        (admin.0.user.id, auth.catalog.clone(), auth.config.public_url.trim_end_matches('/').to_string());
    admin
        .0
        .write_all(move |c| {
            let g = grant_model::find(c, id)?;
            if g.requested_by == me || g.user_id == me {
                return Err(AppError::BadRequest("a second admin must decide this grant"));
            }
            if !grant_model::decide(c, id, me, approve)? {
                return Err(AppError::BadRequest("this grant was already decided"));
            }
            let user = User::find(c, g.user_id)?;
            let action = if approve {
                User::set_role(c, g.user_id, &g.role, g.institution_id)?;
                if g.with_account {
                    User::enable(c, g.user_id)?;
                }
                "user.role_grant_approved"
            } else {
                "user.role_grant_refused"
            };
            let details =
                format!("grant={id} from={} to={} requested_by={}", user.role, g.role, g.requested_by);
            tell_auditors(c, &cat, &base, g.user_id, if approve { "approved" } else { "refused" })?;
            let mut entries = vec![Audit::new(action, "user", g.user_id, details)];
            entries.extend(rotations(c)?);
            Ok(((), entries))
        })
        .await?;
    Ok(Redirect::to("/staff/admin/users"))
}

#[rocket::post("/staff/admin/grants/<id>/approve", data = "<_checked>")]
async fn approve_grant(
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Redirect, AppError> {
    decide(&auth, &admin, id, true).await
}

#[rocket::post("/staff/admin/grants/<id>/refuse", data = "<_checked>")]
async fn refuse_grant(
    auth: Auth<'_>,
    admin: Admin<'_>,
    id: i32,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Redirect, AppError> {
    decide(&auth, &admin, id, false).await
}

#[derive(Serialize)]
struct MailRow {
    id: i32,
    to: String,
    kind: String,
    created_at: String,
    attempts: i32,
    next_attempt_at: String,
    last_error: String,
}

/// `GET /staff/admin/mail`: what is waiting in the outbox, with the last error of each.
#[rocket::get("/staff/admin/mail")]
async fn mail(page: Page, auth: Auth<'_>, _admin: Admin<'_>) -> Result<Template, AppError> {
    let pending = auth.db.run(|c| Ok(crate::notify::model::pending(c, 200)?)).await?;
    let rows: Vec<MailRow> = pending
        .into_iter()
        .map(|m| MailRow {
            id: m.id,
            to: m.to_addr,
            kind: m.kind,
            created_at: m.created_at.format("%Y-%m-%d %H:%M").to_string(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.format("%Y-%m-%d %H:%M").to_string(),
            last_error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(Template::render("accounts/admin_mail", context! { page: page.0, mails: rows }))
}
