//! Password resets: the forgotten-password form, the mailed single-use link, the new password.

use std::time::Duration;

use chrono::Utc;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, Route};
use rocket_dyn_templates::{context, Template};

use crate::audit::{self, Actor};
use crate::auth::model::{self, User};
use crate::config::Config;
use crate::crypto::{self};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::notify;
use crate::web::{Checked, Page};

use super::account::{new_password_error, PasswordForm};
use super::routes::Auth;

pub fn routes() -> Vec<Route> {
    rocket::routes![forgot_page, forgot, reset_page, reset]
}

#[rocket::get("/staff/password/forgot")]
fn forgot_page(page: Page) -> Template {
    Template::render("accounts/forgot", context! { page: page.0, sent: false })
}

#[derive(FromForm)]
pub struct ForgotForm {
    email: Option<String>,
}

/// Issues a reset token for a user and queues the mail with the link, in the caller's
/// transaction. The token is valid for `hours` and stored only as its SHA-256.
pub fn issue_reset(
    c: &mut crate::db::DbConn,
    catalog: &Catalog,
    config: &Config,
    user: &User,
    event: &str,
    hours: i64,
) -> Result<(), AppError> {
    let token = crypto::random_token(32);
    let expires = Utc::now().naive_utc() + chrono::Duration::hours(hours);
    model::create_password_reset(c, user.id, &crypto::sha256_hex(token.as_bytes()), expires)?;
    let link = format!("{}/staff/password/reset?token={token}", config.public_url.trim_end_matches('/'));
    let (subject, body) =
        notify::compose(catalog, &user.locale, event, &[("link", link), ("hours", hours.to_string())]);
    notify::model::enqueue_sealed(c, config.mail.body_key.as_ref(), &user.email, &subject, &body, event)?;
    Ok(())
}

/// Every answer of forgot-password takes at least this long, whether a link was issued, the
/// email is unknown or the request was throttled: the time tells nothing.
const FORGOT_FLOOR: Duration = Duration::from_millis(400);

/// Live links one account may hold at once; further requests issue nothing.
const LIVE_LINKS_PER_ACCOUNT: i64 = 3;

#[rocket::post("/staff/password/forgot", data = "<form>")]
async fn forgot(
    page: Page,
    auth: Auth<'_>,
    form: Checked<ForgotForm>,
) -> Result<(Status, Template), AppError> {
    let started = std::time::Instant::now();
    let email = form.email.clone().unwrap_or_default();
    // Security: per client (across instances on PostgreSQL), per account in the database.
    let allowed = auth.doors.forgot_request(auth.db, auth.clock.unix(), &auth.network).await?;
    if allowed {
        let (cat, config) = (auth.catalog.clone(), auth.config.clone());
        auth.db
            .transaction(move |c| {
                let Some(u) = User::find_by_email(c, &email)?.filter(|u| u.disabled_at.is_none()) else {
                    return Ok(());
                };
                if model::live_resets(c, u.id, Utc::now().naive_utc())? >= LIVE_LINKS_PER_ACCOUNT {
                    return Ok(());
                }
                issue_reset(c, &cat, &config, &u, "password-reset", 1)?;
                audit::record(
                    c,
                    &Actor::System("password-reset"),
                    "user.reset_requested",
                    "user",
                    &u.id.to_string(),
                    "",
                )?;
                Ok(())
            })
            .await?;
    }
    if let Some(rest) = FORGOT_FLOOR.checked_sub(started.elapsed()) {
        rocket::tokio::time::sleep(rest).await;
    }
    // The same answer whether or not the account exists; only a flooding client is told.
    let status = if allowed { Status::Ok } else { Status::TooManyRequests };
    Ok((
        status,
        Template::render("accounts/forgot", context! { page: page.0, sent: allowed, throttled: !allowed }),
    ))
}

#[rocket::get("/staff/password/reset?<token>")]
async fn reset_page(page: Page, auth: Auth<'_>, token: Option<&str>) -> Result<Template, AppError> {
    let token = token.unwrap_or_default().to_string();
    let hash = crypto::sha256_hex(token.as_bytes());
    let live = auth.db.run(move |c| Ok(model::find_password_reset(c, &hash)?)).await?.is_some();
    Ok(Template::render("accounts/reset", context! { page: page.0, token, live, error: None::<String> }))
}

#[rocket::post("/staff/password/reset", data = "<form>")]
async fn reset(
    page: Page,
    auth: Auth<'_>,
    form: Checked<PasswordForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let token = form.token.clone().unwrap_or_default();
    let hash = crypto::sha256_hex(token.as_bytes());
    let h2 = hash.clone();
    let user_id = auth.db.run(move |c| Ok(model::find_password_reset(c, &h2)?)).await?;
    let Some(user_id) = user_id else {
        let ctx = context! { page: page.0, token, live: false, error: None::<String> };
        return Ok(Either::Right((Status::NotFound, Template::render("accounts/reset", ctx))));
    };
    let user = auth.db.run(move |c| Ok(User::find(c, user_id)?)).await?;
    let lang = page.0.lang.clone();
    if let Some(error) = new_password_error(&auth, &lang, &form, &user.email) {
        let ctx = context! { page: page.0, token, live: true, error };
        return Ok(Either::Right((Status::UnprocessableEntity, Template::render("accounts/reset", ctx))));
    }
    let pw = form.password.clone().unwrap_or_default();
    // A new key pair: the old private key is lost with the old password, and with it the
    // group keys sealed to it (`User::set_password` forgets them; a colleague or the
    // recovery key gives them again).
    let (new_hash, keys) = auth
        .doors
        .hasher
        .run(move || (crypto::hash_password(&pw), crypto::PrivateKey::generate().stored_under(&pw)))
        .await
        .ok_or(AppError::Unavailable)?;
    let used = auth
        .db
        .transaction(move |c| {
            // Single use: the token is spent in the same transaction as the change.
            if model::use_password_reset(c, &hash)? != Some(user_id) {
                return Ok(false);
            }
            User::set_password(c, user_id, &new_hash, &keys)?;
            audit::record(
                c,
                &Actor::System("password-reset"),
                "user.password_reset",
                "user",
                &user_id.to_string(),
                "",
            )?;
            Ok(true)
        })
        .await?;
    if !used {
        let ctx = context! { page: page.0, token: "", live: false, error: None::<String> };
        return Ok(Either::Right((Status::NotFound, Template::render("accounts/reset", ctx))));
    }
    Ok(Either::Left(Redirect::to("/staff/sign-in?msg=password-reset")))
}
