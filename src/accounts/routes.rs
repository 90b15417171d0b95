//! Signing in and out and the second factor; the account page is in `account.rs`, password
//! resets in `reset.rs`.

use std::sync::Arc;

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::{Either, Request, Route};
use rocket_dyn_templates::{context, Template};

use super::secrets::AccountKeys;
use super::{totp, StaffDoors};
use crate::audit::{self, Actor};
use crate::auth::guards::Staff;
use crate::auth::model::{Attempt, Session, User};
use crate::auth::throttle;
use crate::auth::{CurrentUser, Role, SESSION_COOKIE};
use crate::config::Config;
use crate::crypto::{self, HashLimiter};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::{rotate_csrf, Checked, Page};

pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![
        dashboard,
        sign_in_page,
        sign_in,
        totp_prompt,
        totp_check,
        totp_enrol,
        totp_confirm,
        sign_out,
    ];
    routes.extend(super::account::routes());
    routes.extend(super::reset::routes());
    routes
}

pub(super) type Page2 = Either<Redirect, (Status, Template)>;

/// What the account handlers need besides the page.
pub struct Auth<'r> {
    pub db: &'r Db,
    pub config: &'r Arc<Config>,
    pub hasher: &'r HashLimiter,
    pub catalog: &'r Arc<Catalog>,
    pub doors: &'r StaffDoors,
    pub keys: &'r AccountKeys,
    pub clock: &'r crate::clock::Clock,
    pub ip: Option<String>,
    /// The client's network, for the staff doors' throttles only (never stored).
    pub network: String,
    pub secure_cookies: bool,
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Auth<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> rocket::request::Outcome<Self, ()> {
        let r = req.rocket();
        let found = (|| {
            Some(Auth {
                db: r.state::<Db>()?,
                config: r.state::<Arc<Config>>()?,
                hasher: r.state::<HashLimiter>()?,
                catalog: r.state::<Arc<Catalog>>()?,
                doors: r.state::<StaffDoors>()?,
                keys: r.state::<AccountKeys>()?,
                clock: r.state::<crate::clock::Clock>()?,
                // Staff addresses may be recorded in the audit log (never a reporter's).
                ip: crate::auth::guards::client_addr(req).map(|ip| ip.to_string()),
                network: crate::auth::guards::client_addr(req).map(throttle::network_of).unwrap_or_default(),
                secure_cookies: r.figment().profile() != "debug",
            })
        })();
        match found {
            Some(a) => rocket::request::Outcome::Success(a),
            None => rocket::request::Outcome::Error((Status::InternalServerError, ())),
        }
    }
}

impl Auth<'_> {
    pub fn actor(&self, u: &User) -> Actor {
        Actor::User { id: u.id, email: u.email.clone(), ip: self.ip.clone() }
    }

    fn totp_required(&self, role: Role) -> bool {
        self.config.totp_required_roles.contains(&role)
    }

    /// The TOTP secret of a user, opened with the key kept outside the database.
    fn totp_secret(&self, u: &User) -> Option<String> {
        self.keys.open(u.totp_secret.as_deref()?)
    }
}

/// Only local staff paths are followed after signing in (no open redirect, and nothing that
/// cannot be a header value): `/staff` followed by plain path and query characters, without
/// `..` or a backslash. Anything else goes to `/staff`.
fn safe_next(next: Option<&str>) -> String {
    let plain = |n: &str| {
        n.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b))
            && !n.contains("..")
            && !n.contains("//")
            && !n.contains("%2")
            && !n.contains("%5")
            && !n.contains("%0")
    };
    match next {
        Some(n) if (n == "/staff" || n.starts_with("/staff/") || n.starts_with("/staff?")) && plain(n) => {
            n.to_string()
        }
        _ => "/staff".to_string(),
    }
}

fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, token);
    c.set_same_site(SameSite::Strict);
    c.set_http_only(true);
    c.set_secure(secure);
    c.set_path("/");
    // A session cookie (no Expires): the server-side timeouts end it too.
    c.set_expires(None::<rocket::time::OffsetDateTime>);
    c
}

#[rocket::get("/staff")]
fn dashboard(page: Page, staff: Staff<'_>) -> Template {
    Template::render("accounts/dashboard", context! { page: page.0, role: staff.role.as_str() })
}

#[rocket::get("/staff/sign-in?<next>&<msg>", rank = 2)]
fn sign_in_page(
    page: Page,
    user: Option<CurrentUser>,
    next: Option<&str>,
    msg: Option<&str>,
) -> Either<Redirect, Template> {
    if user.is_some_and(|u| u.second_factor) {
        return Either::Left(Redirect::to(safe_next(next)));
    }
    let msg = msg.filter(|m| ["signed-out", "password-changed", "password-reset"].contains(m));
    Either::Right(Template::render("accounts/sign_in", context! { page: page.0, next: safe_next(next), msg }))
}

#[derive(FromForm)]
pub struct SignInForm {
    email: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

#[rocket::post("/staff/sign-in", data = "<form>")]
async fn sign_in(
    page: Page,
    auth: Auth<'_>,
    cookies: &CookieJar<'_>,
    form: Checked<SignInForm>,
) -> Result<Page2, AppError> {
    let email = form.email.clone().unwrap_or_default().trim().to_lowercase();
    let password = form.password.clone().unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let refused = |page: Page, status: Status, email: String, next: String| {
        let throttled = status == Status::TooManyRequests;
        let ctx = context! { page: page.0, next, email, failed: !throttled, throttled };
        Ok(Either::Right((status, Template::render("accounts/sign_in", ctx))))
    };
    // Security: one client's flood of tries is cut off before any database or Argon2 work.
    if !auth.doors.sign_in_try(auth.db, auth.clock.unix(), &auth.network).await? {
        return refused(page, Status::TooManyRequests, email, next);
    }
    let lookup = email.clone();
    let user = auth.db.run(move |c| Ok(User::find_by_email(c, &lookup)?)).await?;
    let now = auth.clock.naive();
    let lockout = auth.config.lockout_after;
    // Security: the attempt is counted before the password is checked, atomically with the
    // lock check (see User::reserve_sign_in); that count only locks. The wait before the
    // check comes from the tries with this email in its 15 minutes, counted alike for an
    // unknown email (in memory, or salted in the database on PostgreSQL), an account and a
    // locked account, so the delay tells nothing of which emails exist or are locked.
    let before = auth.doors.email_try(auth.db, auth.clock.unix(), &email).await?;
    let attempt = match &user {
        Some(u) => {
            let id = u.id;
            auth.db.transaction(move |c| Ok(User::reserve_sign_in(c, id, lockout, now)?)).await?
        }
        None => Attempt::Refused,
    };
    rocket::tokio::time::sleep(throttle::slowdown(i32::try_from(before).unwrap_or(i32::MAX))).await;
    // An unknown email, or a refused attempt, costs the same Argon2id verification.
    let hash = match (&user, attempt) {
        (Some(u), Attempt::Counted(_)) => u.password_hash.clone(),
        _ => crypto::dummy_hash().to_string(),
    };
    // A right password also opens the account's private key (a second Argon2id, with the
    // key's own salt), or creates the key pair of an account that has none yet.
    let sealed = user.as_ref().map(|u| u.sealed_private_key.clone());
    let (ok, opened_key) = auth
        .doors
        .hasher
        .run(move || {
            if !crypto::verify_password(&password, &hash) {
                return (false, None);
            }
            let key = match sealed.flatten() {
                Some(sealed) => {
                    crypto::PrivateKey::open_with_password(&sealed, &password).ok().map(|k| (k, None))
                }
                None => {
                    let k = crypto::PrivateKey::generate();
                    let stored = k.stored_under(&password);
                    Some((k, Some(stored)))
                }
            };
            (true, key)
        })
        .await
        .ok_or(AppError::Unavailable)?;
    if ok && opened_key.is_none() && user.as_ref().is_some_and(|u| u.sealed_private_key.is_some()) {
        // The password verified but did not open the key sealed under it: the row was changed.
        crate::logs::error("sign-in", "a verified password did not open the account's private key");
    }
    let usable = user.as_ref().filter(|u| {
        ok && matches!(attempt, Attempt::Counted(_))
            && u.disabled_at.is_none()
            && Role::parse(&u.role).is_some()
    });
    if let Some(u) = usable {
        let u = u.clone();
        let role = Role::parse(&u.role).unwrap_or(Role::Monitor);
        let complete = u.totp_enabled_at.is_none() && !auth.totp_required(role);
        let token = crypto::random_token(32);
        let token_hash = crypto::sha256_hex(token.as_bytes());
        let actor = auth.actor(&u);
        let id = u.id;
        let token_for_key = token.clone();
        let opened = auth
            .db
            .transaction(move |c| {
                // Locked meanwhile (by an administrator): no session.
                if !User::password_succeeded(c, id, now)? {
                    return Ok(false);
                }
                // A key pair made here is kept only if the account still had none (two first
                // sign-ins at once: the other one's is stored, and this session holds none).
                let key = match &opened_key {
                    Some((k, Some(stored))) => (User::set_keys_if_none(c, id, stored)? == 1).then_some(k),
                    Some((k, None)) => Some(k),
                    None => None,
                };
                let mut grants = vec![];
                let mut shared = crate::keyring::model::Shared::default();
                let mut resealed = 0;
                if let Some(key) = key {
                    // Colleagues waiting for a group key this person holds get it now.
                    grants = crate::keyring::model::grant_pending(c, id, key, now)?;
                    // Institutions routed a report while the routing officer held no key get
                    // its data key now (a batch per sign-in).
                    let reader = crate::keyring::Reader { user_id: id, key: key.clone() };
                    shared = crate::keyring::model::share_wanted(c, &reader, 500, now)?;
                    // After a member left: data keys still sealed to the group's older version
                    // are sealed to the latest (a batch per sign-in).
                    resealed = crate::keyring::model::reseal_to_latest(c, &reader, 500)?;
                }
                let sealed_key = key.map(|k| k.seal_with_token(&token_for_key));
                let sid = Session::create(c, id, &token_hash, complete, sealed_key.as_deref(), now)?;
                for g in &grants {
                    let to = g.user_id.unwrap_or_default().to_string();
                    audit::record(c, &actor, g.action, "user", &to, &g.details())?;
                }
                if shared.sealed > 0 {
                    let details = format!("sealed={} at sign-in", shared.sealed);
                    audit::record(c, &actor, "report.keys_share", "user", &id.to_string(), &details)?;
                }
                if resealed > 0 {
                    let details = format!("resealed={resealed} to the latest group keys at sign-in");
                    audit::record(c, &actor, "report.keys_reseal", "user", &id.to_string(), &details)?;
                }
                audit::record(c, &actor, "auth.sign_in", "user", &id.to_string(), &format!("session={sid}"))?;
                Ok(true)
            })
            .await?;
        if opened {
            // Best effort: the session is open; a try not given back only slows a later one.
            if let Err(e) = auth.doors.email_succeeded(auth.db, auth.clock.unix(), &email).await {
                crate::logs::error("sign-in", &format!("a sign-in's try was not given back: {e}"));
            }
            cookies.add_private(session_cookie(token, auth.secure_cookies));
            // Security: a new CSRF token with each session (none planted before sign-in holds).
            rotate_csrf(cookies, auth.secure_cookies);
            // The account's language for the pages, unless one was chosen in this browser.
            if cookies.get("lang").is_none() && auth.catalog.has_lang(&u.locale) {
                cookies.add(crate::i18n::lang_cookie(&u.locale));
            }
            let to = if u.totp_enabled_at.is_some() {
                format!("/staff/sign-in/totp?next={}", next)
            } else if !complete {
                "/staff/totp".to_string()
            } else {
                next
            };
            return Ok(Either::Left(Redirect::to(to)));
        }
    }
    let (id, label) = match &user {
        Some(u) => (u.id.to_string(), u.email.clone()),
        None => ("-".to_string(), String::new()),
    };
    let lock = match (&user, attempt) {
        (Some(u), Attempt::Counted(n)) if n >= lockout && !ok => Some((u.id, n)),
        _ => None,
    };
    auth.db
        .transaction(move |c| {
            // Privacy: an unknown "email" may be a password typed in the wrong box: it
            // is not recorded.
            let details = if label.is_empty() { "unknown account".to_string() } else { label.clone() };
            // Lock order: the account's row before the audit chain, as on success.
            if let Some((uid, _)) = lock {
                User::lock(c, uid, now + throttle::password_lock())?;
            }
            audit::record(c, &Actor::System("sign-in"), "auth.failure", "user", &id, &details)?;
            if let Some((_, n)) = lock {
                audit::record(
                    c,
                    &Actor::System("sign-in"),
                    "auth.lock",
                    "user",
                    &id,
                    &format!("failures={n}"),
                )?;
            }
            Ok(())
        })
        .await?;
    refused(page, Status::Unauthorized, email, next)
}

#[rocket::get("/staff/sign-in/totp?<next>")]
fn totp_prompt(page: Page, user: CurrentUser, next: Option<&str>) -> Either<Redirect, Template> {
    if user.second_factor {
        return Either::Left(Redirect::to(safe_next(next)));
    }
    if user.user.totp_enabled_at.is_none() {
        return Either::Left(Redirect::to("/staff/totp"));
    }
    Either::Right(Template::render("accounts/totp_prompt", context! { page: page.0, next: safe_next(next) }))
}

#[derive(FromForm)]
pub struct CodeForm {
    code: Option<String>,
    recovery: Option<String>,
    next: Option<String>,
}

/// A session's next token, when its second factor is given: (token, its hash, the session's
/// private key sealed under it). See `Session::mark_second_factor`.
fn next_token(user: &CurrentUser) -> (String, String, Option<String>) {
    let token = crypto::random_token(32);
    let hash = crypto::sha256_hex(token.as_bytes());
    let sealed = user.session_key.as_ref().and_then(|k| k.open().ok()).map(|k| k.seal_with_token(&token));
    (token, hash, sealed)
}

/// The cookies of a session given its new token: the session's, and a new CSRF token.
fn renew_cookies(cookies: &CookieJar<'_>, token: String, secure: bool) {
    cookies.add_private(session_cookie(token, secure));
    rotate_csrf(cookies, secure);
}

#[rocket::post("/staff/sign-in/totp", data = "<form>")]
async fn totp_check(
    page: Page,
    auth: Auth<'_>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    form: Checked<CodeForm>,
) -> Result<Page2, AppError> {
    let next = safe_next(form.next.as_deref());
    let (Some(secret), Some(_)) = (auth.totp_secret(&user.user), user.user.totp_enabled_at) else {
        return Ok(Either::Left(Redirect::to("/staff/totp")));
    };
    let code = form.code.clone().unwrap_or_default();
    let recovery = form.recovery.clone().unwrap_or_default();
    let recovery_hashes = auth.keys.recovery_candidates(&recovery);
    let (uid, sid, actor) = (user.user.id, user.session_id, auth.actor(&user.user));
    let lockout = auth.config.lockout_after;
    let stored = user.user.totp_secret.clone().unwrap_or_default();
    let resealed = (!AccountKeys::is_sealed(&stored)).then(|| auth.keys.seal(&secret));
    let (now, unix_now) = (auth.clock.naive(), auth.clock.unix());
    let (token, token_hash, sealed_key) = next_token(&user);
    let accepted = auth
        .db
        .transaction(move |c| {
            // Security: the try is counted (and the lock checked) before the code is looked
            // at, on a count that a correct password does not reset; recovery codes share it.
            let n = match User::reserve_second_factor(c, uid, lockout, now)? {
                Attempt::Counted(n) => n,
                Attempt::Refused => {
                    // Locked: the session ends, in the transaction that found the lock.
                    Session::revoke_all(c, uid)?;
                    audit::record(c, &actor, "auth.second_factor_failure", "user", &uid.to_string(), "")?;
                    return Ok(false);
                }
            };
            // The step is accepted by a conditional update: one code, one session.
            let how = match totp::verify(&secret, &code, unix_now, None) {
                Some(step) if User::accept_totp_step(c, uid, step)? => Some("totp"),
                _ if !recovery.trim().is_empty() && User::use_recovery_code(c, uid, &recovery_hashes)? => {
                    Some("recovery_code")
                }
                _ => None,
            };
            let Some(how) = how else {
                // A wrong code: counted above; each `lockout`-th locked the account there, and
                // its sessions end here with the lock's audit entry, in the same transaction
                // (lock order: the account's row, the sessions' rows, the audit chain).
                let locked_now = n % lockout.max(1) == 0;
                if locked_now {
                    Session::revoke_all(c, uid)?;
                }
                audit::record(c, &actor, "auth.second_factor_failure", "user", &uid.to_string(), "")?;
                if locked_now {
                    let details = format!("second_factor_failures={n}");
                    audit::record(c, &actor, "auth.lock", "user", &uid.to_string(), &details)?;
                }
                return Ok(false);
            };
            Session::mark_second_factor(c, sid, &token_hash, sealed_key.as_deref())?;
            User::second_factor_succeeded(c, uid)?;
            if let Some(sealed) = &resealed {
                User::reseal_totp_secret(c, uid, &stored, sealed)?;
            }
            audit::record(c, &actor, "auth.second_factor", "user", &uid.to_string(), how)?;
            Ok(true)
        })
        .await?;
    if accepted {
        renew_cookies(cookies, token, auth.secure_cookies);
        return Ok(Either::Left(Redirect::to(next)));
    }
    let ctx = context! { page: page.0, next, failed: true };
    Ok(Either::Right((Status::Unauthorized, Template::render("accounts/totp_prompt", ctx))))
}

/// `GET /staff/totp`: enrol the second factor. Only reachable after the password, and only
/// while no factor is active (re-enrolling must not bypass an active one).
#[rocket::get("/staff/totp")]
async fn totp_enrol(
    page: Page,
    auth: Auth<'_>,
    user: CurrentUser,
) -> Result<Either<Redirect, Template>, AppError> {
    if user.user.totp_enabled_at.is_some() {
        return Ok(Either::Left(Redirect::to(if user.second_factor {
            "/staff/account"
        } else {
            "/staff/sign-in/totp"
        })));
    }
    let secret = match auth.totp_secret(&user.user) {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            let (uid, s2) = (user.user.id, auth.keys.seal(&s));
            auth.db.transaction(move |c| Ok(User::set_pending_totp(c, uid, &s2)?)).await?;
            s
        }
    };
    let qr = totp::qr_svg(&totp::otpauth_url(&secret, &user.user.email));
    let grouped: Vec<String> =
        secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).to_string()).collect();
    Ok(Either::Right(Template::render(
        "accounts/totp_enrol",
        context! { page: page.0, qr, secret: grouped.join(" "), failed: false },
    )))
}

#[rocket::post("/staff/totp", data = "<form>")]
async fn totp_confirm(
    page: Page,
    auth: Auth<'_>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    form: Checked<CodeForm>,
) -> Result<Either<Redirect, (Status, Template)>, AppError> {
    if user.user.totp_enabled_at.is_some() {
        return Ok(Either::Left(Redirect::to("/staff/account")));
    }
    let Some(secret) = auth.totp_secret(&user.user) else {
        return Ok(Either::Left(Redirect::to("/staff/totp")));
    };
    let code = form.code.clone().unwrap_or_default();
    match totp::verify(&secret, &code, auth.clock.unix(), None) {
        Some(step) => {
            let codes = totp::recovery_codes();
            let hashes: Vec<String> = codes.iter().map(|c| auth.keys.recovery_hash(c)).collect();
            let (uid, sid, actor) = (user.user.id, user.session_id, auth.actor(&user.user));
            // A session held to enrol moves to a new token; one already complete (a role that
            // may go without the factor, enrolling by choice) keeps its token, and the forms
            // open in its other tabs keep working.
            let renewed = (!user.second_factor).then(|| next_token(&user));
            let marked = renewed.as_ref().map(|(_, hash, sealed)| (hash.clone(), sealed.clone()));
            auth.db
                .transaction(move |c| {
                    User::enable_totp(c, uid, step, &hashes)?;
                    if let Some((hash, sealed)) = &marked {
                        Session::mark_second_factor(c, sid, hash, sealed.as_deref())?;
                    }
                    audit::record(c, &actor, "auth.totp_enrolled", "user", &uid.to_string(), "")?;
                    Ok(())
                })
                .await?;
            if let Some((token, _, _)) = renewed {
                renew_cookies(cookies, token, auth.secure_cookies);
            }
            Ok(Either::Right((
                Status::Ok,
                Template::render("accounts/recovery_codes", context! { page: page.0, codes }),
            )))
        }
        None => {
            let qr = totp::qr_svg(&totp::otpauth_url(&secret, &user.user.email));
            let grouped: Vec<String> =
                secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).to_string()).collect();
            let ctx = context! { page: page.0, qr, secret: grouped.join(" "), failed: true };
            Ok(Either::Right((Status::UnprocessableEntity, Template::render("accounts/totp_enrol", ctx))))
        }
    }
}

#[rocket::post("/staff/sign-out", data = "<_checked>")]
async fn sign_out(
    auth: Auth<'_>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    _checked: Checked<crate::web::NoFields>,
) -> Result<Redirect, AppError> {
    let (sid, uid, actor) = (user.session_id, user.user.id, auth.actor(&user.user));
    auth.db
        .transaction(move |c| {
            Session::revoke(c, sid)?;
            audit::record(c, &actor, "auth.sign_out", "user", &uid.to_string(), "")?;
            Ok(())
        })
        .await?;
    cookies.remove_private(Cookie::from(SESSION_COOKIE));
    rotate_csrf(cookies, auth.secure_cookies);
    Ok(Redirect::to("/staff/sign-in?msg=signed-out"))
}
