//! The web shell shared by every page: the visitor's language, the page context templates
//! get, CSRF tokens, security headers, compression, caching rules and a request log that
//! never holds a client address or a query string.

pub mod api;
pub mod metrics;

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::sync::Arc;

use rocket::data::{Data, FromData};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, Header, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Response};
use serde::Serialize;

use crate::error::AppError;
use crate::i18n::Catalog;

pub use crate::i18n::{locale_of, Locale};

/// What every page template gets: the language, the language switch and the CSRF token.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub lang: String,
    pub langs: Vec<LangLink>,
    pub path: String,
    pub csrf: String,
    pub user: Option<crate::auth::UserView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangLink {
    pub code: String,
    pub name: String,
    pub current: bool,
}

/// Request guard building [`PageMeta`].
pub struct Page(pub PageMeta);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match req.guard::<Option<crate::auth::CurrentUser>>().await {
            Outcome::Success(u) => u.map(|u| u.view()),
            _ => None,
        };
        Outcome::Success(Page(page_meta(req, user)))
    }
}

pub fn page_meta(req: &Request<'_>, user: Option<crate::auth::UserView>) -> PageMeta {
    let lang = locale_of(req).0;
    let langs = req
        .rocket()
        .state::<Arc<Catalog>>()
        .map(|c| {
            c.languages()
                .iter()
                .map(|(code, name)| LangLink {
                    code: code.clone(),
                    name: name.clone(),
                    current: *code == lang,
                })
                .collect()
        })
        .unwrap_or_default();
    // The language links reload the page by GET: a page shown after a POST links to the page
    // the person would go back to.
    let path = match req.uri().path().as_str() {
        "/reports" => "/reports/new".to_string(),
        "/receipt/messages" | "/receipt/attachments" | "/receipt/listen" => "/receipt".to_string(),
        p => local_path(p),
    };
    PageMeta { lang, langs, path, csrf: csrf_token(req.cookies(), secure_cookies(req)), user }
}

/// A path to link back to on this site: `//evil.example/x` (asked as a path, answered 404)
/// would be read by the browser as another site, so leading slashes are made one and a
/// backslash (read as a slash by browsers) ends the path.
pub fn local_path(p: &str) -> String {
    let p = p.split('\\').next().unwrap_or("");
    format!("/{}", p.trim_start_matches('/'))
}

/// Cookies are `Secure` outside the debug profile (development over plain HTTP).
pub fn secure_cookies(req: &Request<'_>) -> bool {
    req.rocket().figment().profile() != "debug"
}

fn csrf_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new("csrf", token);
    c.set_same_site(SameSite::Strict);
    c.set_http_only(true);
    c.set_secure(secure);
    c.set_path("/");
    // Privacy: a session cookie (no Expires): it leaves a reporter's phone with the browser.
    c.set_expires(None::<rocket::time::OffsetDateTime>);
    c
}

/// The CSRF token of this browser (a random value in a private, `SameSite=Strict` cookie),
/// created on first use. Forms carry it in a hidden `csrf` field; [`Checked`] compares.
pub fn csrf_token(cookies: &CookieJar<'_>, secure: bool) -> String {
    if let Some(c) = cookies.get_private("csrf") {
        return c.value().to_string();
    }
    let token = crate::crypto::random_token(24);
    cookies.add_private(csrf_cookie(token.clone(), secure));
    token
}

/// Security: a fresh CSRF token when a session starts, so that a token known before signing
/// in (planted, or read over a shoulder) is worth nothing after. The page rendered next
/// carries the new one.
pub fn rotate_csrf(cookies: &CookieJar<'_>, secure: bool) {
    cookies.add_private(csrf_cookie(crate::crypto::random_token(24), secure));
}

/// Security: a state-changing request must echo the token of its browser's cookie. Private:
/// handlers get a form through [`Checked`] (or an API token through [`ApiToken`]) and never
/// compare tokens by hand, so a handler that forgets cannot exist.
fn check_csrf(cookies: &CookieJar<'_>, submitted: &str) -> Result<(), AppError> {
    match cookies.get_private("csrf") {
        Some(c) if !submitted.is_empty() && crate::crypto::constant_eq(c.value(), submitted) => Ok(()),
        _ => Err(AppError::BadRequest("csrf")),
    }
}

/// Security: whether a browser says this request was sent from another site. `Sec-Fetch-Site`
/// `same-origin` or `none` (typed in, a bookmark) or absent (older browsers, the test client)
/// passes; `same-site` and `cross-site` do not. An `Origin` header, when there is one, must
/// be this site: the host the request was sent to (so a mirror under another name, an onion
/// address, keeps working) or the configured `public_url` (behind a proxy that rewrites
/// `Host`). A page elsewhere cannot make a browser send our `Host` with its own `Origin`; by
/// DNS rebinding it could send its own name as both, but then the browser holds none of our
/// cookies and the token check refuses it. `Origin: null` says nothing: browsers send it for
/// our own forms, since every page has `Referrer-Policy: no-referrer`; those browsers also
/// send `Sec-Fetch-Site`, and the token is required anyway.
pub fn cross_site(req: &Request<'_>) -> bool {
    match req.headers().get_one("Sec-Fetch-Site") {
        None | Some("same-origin") | Some("none") => {}
        Some(_) => return true,
    }
    let Some(origin) = req.headers().get_one("Origin") else { return false };
    if origin.trim() == "null" {
        return false;
    }
    let origin = origin.trim().trim_end_matches('/');
    let authority = |url: &str| {
        let rest = url.split_once("://").map(|(_, r)| r)?;
        Some(rest.split('/').next().unwrap_or("").to_ascii_lowercase())
    };
    let Some(from) = authority(origin) else { return true };
    if from.is_empty() {
        return true;
    }
    // The host as Rocket read it (HTTP/2's authority) or the `Host` header as sent.
    let this_host =
        req.host().map(|h| h.to_string()).or_else(|| req.headers().get_one("Host").map(str::to_string));
    if this_host.is_some_and(|h| h.to_ascii_lowercase() == from) {
        return false;
    }
    let public =
        req.rocket().state::<Arc<crate::config::Config>>().map(|c| c.public_url.trim_end_matches('/'));
    !public.is_some_and(|p| p.eq_ignore_ascii_case(origin))
}

/// A form that passed the CSRF check: the only way a handler gets a posted form. It parses
/// the body as Rocket's `Form<T>` would (urlencoded or multipart, files included), takes the
/// `csrf` field out before `T` sees it, and refuses the request unless the field matches the
/// browser's token (400, the visitor's error page) and the request is not cross-site (403,
/// see [`cross_site`]). A forged request learns nothing of the form's own rules: the token is
/// checked before any field error is answered.
pub struct Checked<T>(T);

impl<T> Checked<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Checked<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// `T` with the `csrf` field set apart; `T`'s own parse errors wait for the token check.
struct Tokened<'r, T> {
    token: Option<String>,
    value: rocket::form::Result<'r, T>,
}

struct TokenedContext<'r, T: FromForm<'r>> {
    token: Option<String>,
    inner: T::Context,
}

fn is_token_field(name: &rocket::form::name::NameView<'_>) -> bool {
    name.source().as_str() == "csrf"
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromForm<'r> for Tokened<'r, T> {
    type Context = TokenedContext<'r, T>;

    fn init(opts: rocket::form::Options) -> Self::Context {
        TokenedContext { token: None, inner: T::init(opts) }
    }

    fn push_value(ctxt: &mut Self::Context, field: rocket::form::ValueField<'r>) {
        if is_token_field(&field.name) {
            // Two token fields: neither is trusted.
            ctxt.token =
                if ctxt.token.is_some() { Some(String::new()) } else { Some(field.value.to_string()) };
        } else {
            T::push_value(&mut ctxt.inner, field);
        }
    }

    async fn push_data(ctxt: &mut Self::Context, field: rocket::form::DataField<'r, '_>) {
        if is_token_field(&field.name) {
            // A token sent as a file is no token.
            ctxt.token = Some(String::new());
        } else {
            T::push_data(&mut ctxt.inner, field).await;
        }
    }

    fn push_error(ctxt: &mut Self::Context, error: rocket::form::Error<'r>) {
        T::push_error(&mut ctxt.inner, error);
    }

    fn finalize(ctxt: Self::Context) -> rocket::form::Result<'r, Self> {
        Ok(Tokened { token: ctxt.token, value: T::finalize(ctxt.inner) })
    }
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for Checked<T> {
    type Error = rocket::form::Errors<'r>;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> rocket::data::Outcome<'r, Self> {
        use rocket::outcome::Outcome;
        let refusal = |status: Status, why: &'static str| {
            let error = rocket::form::Error::validation(why);
            Outcome::Error((status, rocket::form::Errors::from(vec![error])))
        };
        if cross_site(req) {
            return refusal(Status::Forbidden, "cross-site");
        }
        let tokened = match Form::<Tokened<'r, T>>::from_data(req, data).await {
            Outcome::Success(form) => form.into_inner(),
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(f) => return Outcome::Forward(f),
        };
        if check_csrf(req.cookies(), tokened.token.as_deref().unwrap_or("")).is_err() {
            return refusal(Status::BadRequest, "csrf");
        }
        match tokened.value {
            Ok(value) => Outcome::Success(Checked(value)),
            Err(e) => Outcome::Error((e.status(), e)),
        }
    }
}

/// A form that carries nothing but its token (sign out, approve a grant): `Checked<NoFields>`.
pub struct NoFields;

#[rocket::async_trait]
impl<'r> FromForm<'r> for NoFields {
    type Context = ();

    fn init(_: rocket::form::Options) {}

    fn push_value(_: &mut (), _: rocket::form::ValueField<'r>) {}

    async fn push_data(_: &mut (), _: rocket::form::DataField<'r, '_>) {}

    fn finalize(_: ()) -> rocket::form::Result<'r, Self> {
        Ok(NoFields)
    }
}

/// For the JSON API: whether the call may go on. A browser holding our CSRF cookie (the report
/// form's script) must echo it in `X-CSRF-Token` and must not say it comes from another site;
/// gateways and apps without cookies need nothing.
pub struct ApiToken(bool);

impl ApiToken {
    pub fn passed(&self) -> bool {
        self.0
    }

    /// For the API calls anyone may make: a call that carries a staff session must echo the
    /// token, or another site could make a signed-in browser post to the API.
    pub fn with_session(req: &Request<'_>) -> ApiToken {
        if req.cookies().get_private(crate::auth::SESSION_COOKIE).is_none() {
            return ApiToken(true);
        }
        ApiToken::echoed(req)
    }

    fn echoed(req: &Request<'_>) -> ApiToken {
        let header = req.headers().get_one("X-CSRF-Token").unwrap_or("");
        ApiToken(!cross_site(req) && check_csrf(req.cookies(), header).is_ok())
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        if req.cookies().get_private("csrf").is_none() {
            return Outcome::Success(ApiToken(true));
        }
        Outcome::Success(ApiToken::echoed(req))
    }
}

/// Security headers on every response, and `Cache-Control: no-store` on everything but the
/// static files (anything else may be personal).
pub struct SecurityHeaders {
    pub hsts: bool,
}

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        // A response that set its own, stricter policy (an evidence download's sandbox) keeps it.
        if !res.headers().contains("Content-Security-Policy") {
            res.set_header(Header::new("Content-Security-Policy", CSP));
        }
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        res.set_header(Header::new("Cross-Origin-Resource-Policy", "same-origin"));
        // The microphone only where a witness may record the report by voice.
        let path = req.uri().path();
        let form = path == "/" || path == "/reports/new" || path == "/reports";
        res.set_header(Header::new(
            "Permissions-Policy",
            if form {
                "geolocation=(self), camera=(), microphone=(self), payment=(), usb=(), \
                 accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
            } else {
                "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), \
                 accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
            },
        ));
        if self.hsts {
            res.set_header(Header::new("Strict-Transport-Security", "max-age=31536000"));
        }
        let is_static = path.starts_with("/static/") || path.starts_with("/audio/") || path == "/map.svg";
        if is_static && res.status() == Status::Ok {
            res.set_header(Header::new("Cache-Control", "public, max-age=86400"));
        } else {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}

/// gzip for text responses when the browser accepts it: a 2G phone pays for every byte.
pub struct Compression;

fn compressible(res: &Response<'_>) -> bool {
    res.content_type().is_some_and(|ct| {
        let top = ct.top().as_str();
        let sub = ct.sub().as_str();
        top == "text" || matches!(sub, "json" | "javascript" | "svg+xml" | "xml")
    })
}

#[rocket::async_trait]
impl Fairing for Compression {
    fn info(&self) -> Info {
        Info { name: "gzip", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if req.method() == rocket::http::Method::Head
            || res.headers().contains("Content-Encoding")
            || !compressible(res)
        {
            return;
        }
        res.adjoin_header(Header::new("Vary", "Accept-Encoding"));
        let accepts = req
            .headers()
            .get("Accept-Encoding")
            .any(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
        if !accepts {
            return;
        }
        let Ok(body) = res.body_mut().to_bytes().await else { return };
        if body.len() < 256 {
            res.set_sized_body(body.len(), Cursor::new(body));
            return;
        }
        let mut enc =
            flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::best());
        let gz = enc.write_all(&body).and_then(|_| enc.finish());
        match gz {
            Ok(gz) => {
                res.set_header(Header::new("Content-Encoding", "gzip"));
                res.set_sized_body(gz.len(), Cursor::new(gz));
            }
            Err(_) => res.set_sized_body(body.len(), Cursor::new(body)),
        }
    }
}

/// Says where the server listens, since Rocket's own log is off (it would print queries).
pub fn launch_message() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("launch message", |rocket| {
        Box::pin(async move {
            let c = rocket.config();
            let message = format!("vigie: listening on http://{}:{}", c.address, c.port);
            if crate::logs::json() {
                println!("{}", serde_json::json!({ "level": "info", "kind": "start", "message": message }));
            } else {
                println!("{message}");
            }
        })
    })
}

/// Writes the held errors of public requests every hour (`logs::write_held`); `vigie serve`
/// writes the rest when the server stops.
pub fn held_errors_writer() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("held public errors", |rocket| {
        let mut shutdown = rocket.shutdown();
        Box::pin(async move {
            rocket::tokio::spawn(async move {
                loop {
                    rocket::tokio::select! {
                        _ = rocket::tokio::time::sleep(std::time::Duration::from_secs(3600)) => {
                            crate::logs::write_held()
                        }
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}

/// One line per staff request: method, path without its query string, status
/// (`crate::logs`: text, or JSON with the route's template, the time taken and the staff
/// member's id). Privacy: no client address, no user agent, no query (a place search would show
/// there); no public request, not even a failed one (its error is held, `logs::public_error`).
pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info { name: "request log without addresses", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        // Privacy: the log's own timestamp would date a public visitor's action, so only staff
        // requests are logged.
        let path = req.uri().path();
        if path.starts_with("/staff") {
            crate::logs::request(&crate::logs::RequestLine {
                method: req.method().as_str(),
                path: path.as_str(),
                route: req.route().map(|r| r.uri.path()),
                status: res.status().code,
                millis: metrics::since_arrival(req).map(|d| d.as_millis() as u64).unwrap_or(0),
                user: crate::auth::cached_user(req).map(|u| u.user.id),
            });
        }
    }
}

/// `GET /healthz`: 200 `ok`, or 503 naming what is wrong, for a monitor or a load balancer:
/// `database unreachable`, `database read-only`, `disk full` (less free space than one full
/// form of evidence and 64 MiB beside, where the SQLite file or the data folder lives), or
/// `database cannot write`. Privacy: it says nothing about reports or people.
#[rocket::get("/healthz")]
async fn healthz(
    db: &rocket::State<crate::db::Db>,
    config: &rocket::State<std::sync::Arc<crate::config::Config>>,
) -> (Status, String) {
    let unavailable = |why: &str| (Status::ServiceUnavailable, why.to_string());
    if let Err(e) = db.run(crate::db::ping).await {
        return match &e {
            AppError::Database(d) => {
                unavailable(crate::error::unavailable_reason(d).unwrap_or("database unreachable"))
            }
            _ => unavailable("database unreachable"),
        };
    }
    let need = (u64::from(config.upload_max_mb) * u64::from(config.upload_max_files) + 64) * 1024 * 1024;
    let mut places = vec![config.data_dir.clone()];
    if let Ok(url) = crate::db::DbUrl::parse(&config.database_url) {
        if url.engine == crate::db::Engine::Sqlite {
            let file = std::path::PathBuf::from(&url.target);
            places.push(
                file.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."))
                    .to_path_buf(),
            );
        }
    }
    for place in places {
        if let Ok(free) = crate::private_fs::free_bytes(&place) {
            if free < need {
                return unavailable(&format!("disk full: {} MiB free", free / (1024 * 1024)));
            }
        }
    }
    match db.run(|c| Ok(crate::db::write_probe(c)?)).await {
        Ok(()) => (Status::Ok, "ok".into()),
        Err(AppError::Database(d)) => {
            unavailable(crate::error::unavailable_reason(&d).unwrap_or("database cannot write"))
        }
        Err(_) => unavailable("database unreachable"),
    }
}

/// `GET /about`: what Vigie is, the data sources and their attribution.
#[rocket::get("/about")]
fn about(page: Page) -> rocket_dyn_templates::Template {
    rocket_dyn_templates::Template::render("about", rocket_dyn_templates::context! { page: page.0 })
}

/// `GET /audio/<lang>/<key>.ogg`: an operator's recorded prompt; only the prompts found at
/// start-up are served (nothing else in the folder), cacheable like the static files.
#[rocket::get("/audio/<lang>/<file>")]
async fn prompt(
    prompts: &rocket::State<std::sync::Arc<crate::i18n::AudioPrompts>>,
    lang: &str,
    file: &str,
) -> Result<(rocket::http::ContentType, Vec<u8>), crate::error::AppError> {
    let key = file.strip_suffix(".ogg").ok_or(crate::error::AppError::NotFound)?;
    let path = prompts.file(lang, key).ok_or(crate::error::AppError::NotFound)?;
    let bytes = rocket::tokio::fs::read(path).await.map_err(|_| crate::error::AppError::NotFound)?;
    Ok((rocket::http::ContentType::new("audio", "ogg"), bytes))
}

/// A CSV cell as a spreadsheet will not run it: text starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return (a formula to Excel or LibreOffice) gets a leading `'`; numbers, even
/// negative ones, stay as they are. Unit and partner names are typed by users.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod csv_tests {
    #[test]
    fn a_formula_is_defused_and_a_number_kept() {
        assert_eq!(super::csv_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(super::csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::csv_cell("+223 66"), "'+223 66");
        assert_eq!(super::csv_cell("-0.25"), "-0.25");
        assert_eq!(super::csv_cell("GTIA 8"), "GTIA 8");
        assert_eq!(super::csv_cell(""), "");
    }

    #[test]
    fn a_link_back_never_leaves_the_site() {
        assert_eq!(super::local_path("//evil.example/x"), "/evil.example/x");
        assert_eq!(super::local_path("///evil.example"), "/evil.example");
        assert_eq!(super::local_path("/\\evil.example"), "/");
        assert_eq!(super::local_path("/reports/new"), "/reports/new");
        assert_eq!(super::local_path(""), "/");
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![healthz, about, prompt, metrics::metrics]
}

#[derive(rocket::Responder)]
enum Caught {
    Page(rocket_dyn_templates::Template),
    Json(rocket::serde::json::Value),
    /// 405 on a documented API path: the JSON error and the `Allow` header.
    NotAllowed(rocket::serde::json::Value, Header<'static>),
    Redirect(rocket::response::Redirect),
}

/// Error pages, in the visitor's language; JSON for the API; the sign-in page (or the second
/// factor still owed) for a staff page asked without a session.
#[rocket::catch(default)]
fn default_catcher(status: Status, req: &Request<'_>) -> (Status, Caught) {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        // A documented path asked with a method it does not have: 405, with what it allows.
        if status == Status::NotFound {
            if let Some(methods) = api::documented_methods(path.as_str()) {
                if !methods.iter().any(|m| m == req.method().as_str()) {
                    let body = rocket::serde::json::json!({ "error": "Method Not Allowed", "status": 405 });
                    let allow = Header::new("Allow", methods.join(", "));
                    return (Status::MethodNotAllowed, Caught::NotAllowed(body, allow));
                }
            }
        }
        let body = rocket::serde::json::json!({ "error": status.reason().unwrap_or("error"), "status": status.code });
        return (status, Caught::Json(body));
    }
    if status == Status::Unauthorized && path.starts_with("/staff") {
        // The guard cached who is signed in, if anyone: a session still owing its second factor
        // goes to the code prompt (or to enrolment), anyone else to the sign-in page.
        let pending = crate::auth::cached_user(req);
        let to = match pending {
            Some(u) if u.user.totp_enabled_at.is_some() => "/staff/sign-in/totp".to_string(),
            Some(_) => "/staff/totp".to_string(),
            None => {
                let next: String = req.uri().to_string().chars().filter(|c| c.is_ascii_graphic()).collect();
                format!("/staff/sign-in?next={}", next.replace('&', "%26").replace('?', "%3F"))
            }
        };
        return (Status::SeeOther, Caught::Redirect(rocket::response::Redirect::to(to)));
    }
    let page = page_meta(req, None);
    let page = rocket_dyn_templates::Template::render(
        "error",
        rocket_dyn_templates::context! { page, code: status.code },
    );
    (status, Caught::Page(page))
}

pub fn catchers() -> Vec<rocket::Catcher> {
    rocket::catchers![default_catcher]
}

/// What a staff page says about the last action: a confirmation (`notice`, a translation key
/// carried by a flash cookie after a redirect) or a refusal, rendered on the page itself with
/// the values as typed and one message per field, in the user's language.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Feedback {
    pub notice: Option<String>,
    /// The notice says something was refused (a flash of kind "error"): shown as an alert.
    pub alert: bool,
    /// Which form the errors belong to.
    pub form: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub values: BTreeMap<String, String>,
}

impl Feedback {
    /// The confirmation of a flash cookie, translated.
    pub fn from_flash(
        flash: Option<rocket::request::FlashMessage<'_>>,
        catalog: &crate::i18n::Catalog,
        lang: &str,
    ) -> Feedback {
        Feedback {
            alert: flash.as_ref().is_some_and(|f| f.kind() == "error"),
            notice: flash.map(|f| {
                let (key, arg) = f.message().split_once('|').unwrap_or((f.message(), ""));
                let mut args = fluent_bundle::FluentArgs::new();
                match arg.parse::<i64>() {
                    Ok(n) => args.set("arg", n),
                    Err(_) => args.set("arg", arg.to_string()),
                }
                catalog.message(lang, key, Some(&args))
            }),
            ..Feedback::default()
        }
    }

    /// A refusal of `form`: field → message (already translated), and the values as typed.
    pub fn refused(form: &str, errors: &[(&str, String)], values: &[(&str, &str)]) -> Feedback {
        Feedback {
            notice: None,
            alert: false,
            form: Some(form.to_string()),
            errors: errors.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}
