//! The account page: the daily digest switch and changing one's password.

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, Status};
use rocket::response::Redirect;
use rocket::{Either, Route};
use rocket_dyn_templates::{context, Template};

use super::password;
use crate::auth::guards::{Audit, Staff};
use crate::auth::model::{Attempt, Session, User};
use crate::auth::SESSION_COOKIE;
use crate::crypto::{self};
use crate::error::AppError;
use crate::web::{Checked, Page};

use super::routes::Auth;

pub fn routes() -> Vec<Route> {
    rocket::routes![account, set_digest, change_password]
}

/// The label keys of the groups whose latest key this person holds, and of those they belong
/// to without holding it yet (issue 15): `keys-group-intake` or `institution-<code>`.
pub(super) async fn key_status(staff: &Staff<'_>) -> Result<(Vec<String>, Vec<String>), AppError> {
    let uid = staff.user.id;
    let crate::keyring::model::Holdings { held, waiting } =
        staff.db.run(move |c| crate::keyring::model::holdings(c, uid)).await?;
    let label = |g: &str| {
        if g == crate::keyring::INTAKE {
            "keys-group-intake".to_string()
        } else {
            format!("institution-{g}")
        }
    };
    let mut held: Vec<String> = held.iter().map(|(g, _)| label(g)).collect();
    held.dedup();
    held.retain(|h| !waiting.iter().any(|w| label(w) == *h));
    Ok((held, waiting.iter().map(|g| label(g)).collect()))
}

#[rocket::get("/staff/account?<msg>")]
async fn account(page: Page, staff: Staff<'_>, msg: Option<&str>) -> Result<Template, AppError> {
    let u = &staff.user;
    let msg = msg.filter(|m| *m == "digest-saved");
    let (keys_held, keys_waiting) = key_status(&staff).await?;
    Ok(Template::render(
        "accounts/account",
        context! {
            page: page.0, totp: u.totp_enabled_at.is_some(), role: staff.role.as_str(),
            digest: u.digest_enabled, error: None::<String>, msg, keys_held, keys_waiting,
            has_key: u.public_key.is_some(),
        },
    ))
}

#[derive(FromForm)]
pub struct DigestForm {
    enabled: Option<bool>,
}

/// Switches the daily digest on or off for oneself.
#[rocket::post("/staff/account/digest", data = "<form>")]
async fn set_digest(staff: Staff<'_>, form: Checked<DigestForm>) -> Result<Redirect, AppError> {
    let enabled = form.enabled.unwrap_or(false);
    let uid = staff.user.id;
    staff
        .write("user.digest", ("user", uid.to_string()), move |c| {
            User::set_digest(c, uid, enabled)?;
            Ok(((), if enabled { "on" } else { "off" }.to_string()))
        })
        .await?;
    Ok(Redirect::to("/staff/account?msg=digest-saved"))
}

#[derive(FromForm)]
pub struct PasswordForm {
    pub(super) current: Option<String>,
    pub(super) password: Option<String>,
    pub(super) confirm: Option<String>,
    pub(super) token: Option<String>,
}

/// The policy's message for a refused new password, or None.
pub(super) fn new_password_error(
    auth: &Auth<'_>,
    lang: &str,
    form: &PasswordForm,
    email: &str,
) -> Option<String> {
    let pw = form.password.clone().unwrap_or_default();
    if Some(&pw) != form.confirm.as_ref() {
        return Some(auth.catalog.message(lang, "password-mismatch", None));
    }
    password::check(&pw, email).err().map(|w| auth.catalog.message(lang, w.key(), None))
}

/// The account page again (422) with `error` above the password form.
async fn account_refused(
    page: Page,
    staff: &Staff<'_>,
    error: String,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let u = &staff.user;
    let (keys_held, keys_waiting) = key_status(staff).await?;
    let ctx = context! {
        page: page.0, totp: u.totp_enabled_at.is_some(), role: staff.role.as_str(),
        digest: u.digest_enabled, error, keys_held, keys_waiting, has_key: u.public_key.is_some(),
    };
    Ok(Either::Right((Status::UnprocessableEntity, Template::render("accounts/account", ctx))))
}

#[rocket::post("/staff/account/password", data = "<form>")]
async fn change_password(
    page: Page,
    auth: Auth<'_>,
    staff: Staff<'_>,
    cookies: &CookieJar<'_>,
    form: Checked<PasswordForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    let u = staff.user.clone();
    // Security: a wrong current password counts as a failed sign-in (a stolen session must not
    // guess the password at Argon2 speed, unseen): reserved before it is checked, as at the
    // door; the lockout ends every session, this one included.
    let (uid, lockout, now) = (u.id, auth.config.lockout_after, auth.clock.naive());
    let attempt = auth.db.transaction(move |c| Ok(User::reserve_sign_in(c, uid, lockout, now)?)).await?;
    let Attempt::Counted(n) = attempt else {
        // Locked (by tries at the sign-in page, perhaps someone else's): nothing is checked, and
        // the sessions are left alone; the page says to try again later.
        staff
            .write("auth.failure", ("user", uid.to_string()), move |_| {
                Ok(((), "password change refused: the account is locked".to_string()))
            })
            .await?;
        let error = auth.catalog.message(&page.0.lang, "password-change-locked", None);
        return account_refused(page, &staff, error).await;
    };
    let current = form.current.clone().unwrap_or_default();
    let hash = u.password_hash.clone();
    let current_ok = auth
        .doors
        .hasher
        .run(move || crypto::verify_password(&current, &hash))
        .await
        .ok_or(AppError::Unavailable)?;
    if current_ok {
        // The try reserved above was right: the count restarts (a weak new password is no
        // failed sign-in).
        auth.db.transaction(move |c| Ok(User::password_succeeded(c, uid, now)?)).await?;
    } else {
        let locked = n >= lockout;
        staff
            .write_all(move |c| {
                let mut entries = vec![Audit::new(
                    "auth.failure",
                    "user",
                    uid,
                    "current password wrong at password change",
                )];
                if locked {
                    User::lock(c, uid, now + crate::auth::throttle::password_lock())?;
                    Session::revoke_all(c, uid)?;
                    entries.push(Audit::new("auth.lock", "user", uid, format!("failed_logins={n}")));
                }
                Ok(((), entries))
            })
            .await?;
        if locked {
            cookies.remove_private(Cookie::from(SESSION_COOKIE));
            return Ok(Either::Left(Redirect::to("/staff/sign-in")));
        }
    }
    let lang = page.0.lang.clone();
    let error = if current_ok {
        new_password_error(&auth, &lang, &form, &u.email)
    } else {
        Some(auth.catalog.message(&lang, "password-current-wrong", None))
    };
    if let Some(error) = error {
        return account_refused(page, &staff, error).await;
    }
    let pw = form.password.clone().unwrap_or_default();
    // The same private key, sealed again under the new password: from this session, or opened
    // with the current password (a session begun without it); a new key pair only for an
    // account that has none.
    let in_session = staff
        .session_key
        .as_ref()
        .and_then(|k| k.open().ok())
        .filter(|k| u.public_key.as_deref() == Some(k.public_key().to_text().as_str()));
    let sealed = u.sealed_private_key.clone();
    let current = form.current.clone().unwrap_or_default();
    let (new_hash, keys) = auth
        .doors
        .hasher
        .run(move || {
            let key = in_session
                .or_else(|| crypto::PrivateKey::open_with_password(sealed.as_deref()?, &current).ok())
                .unwrap_or_else(crypto::PrivateKey::generate);
            (crypto::hash_password(&pw), key.stored_under(&pw))
        })
        .await
        .ok_or(AppError::Unavailable)?;
    staff
        .write("user.password_change", ("user", u.id.to_string()), move |c| {
            // Every session ends, this one included.
            User::set_password(c, u.id, &new_hash, &keys)?;
            Ok(((), String::new()))
        })
        .await?;
    cookies.remove_private(Cookie::from(SESSION_COOKIE));
    Ok(Either::Left(Redirect::to("/staff/sign-in?msg=password-changed")))
}
