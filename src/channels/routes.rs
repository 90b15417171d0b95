//! The callbacks: `POST /channels/ussd/<secret>` and `POST /channels/sms/<adapter>/<secret>`.
//! Each is checked in this order, and refused with nothing written: the secret in the path
//! (404, as an unknown page), the gateway's address when an allow-list is set (404), the
//! gateway's rate (429), the body's size, the signature and its timestamp when a signing key
//! is set (403), the body's format (400). Every refusal is counted in `/metrics`.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;
use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Route, State};

use super::adapters::{self, Adapter, SignatureError};
use super::conversation::{self, Answers, Sms, Ussd};
use super::menus::Lists;
use super::{model, numbers, Channels};
use crate::clock::Clock;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::reports::{Intake, LookupError};

pub fn routes() -> Vec<Route> {
    rocket::routes![ussd, sms]
}

/// What a callback carries besides its body. Privacy: the address is used for the allow-list
/// and the gateway's rate limit only, never stored or logged.
pub struct Caller {
    addr: Option<IpAddr>,
    timestamp: Option<String>,
    signature: Option<String>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Caller {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(Caller {
            addr: crate::auth::guards::client_addr(req),
            timestamp: req.headers().get_one("X-Timestamp").map(String::from),
            signature: req.headers().get_one("X-Signature").map(String::from),
        })
    }
}

/// Everything a handler needs from the state.
struct Ctx<'a> {
    ch: &'a Channels,
    db: &'a crate::db::Db,
    metrics: &'a Metrics,
    now: u64,
}

impl Ctx<'_> {
    fn refuse(&self, reason: &str, status: Status) -> Status {
        self.metrics.channel_refused(reason);
        status
    }

    /// The checks before the body is parsed; returns the body.
    async fn gate(
        &self,
        configured: &str,
        given: &str,
        signing_key: &str,
        window: u64,
        caller: &Caller,
        body: Data<'_>,
    ) -> Result<Vec<u8>, Status> {
        if !adapters::secret_matches(configured, given) {
            return Err(self.refuse("secret", Status::NotFound));
        }
        if !self.ch.allowed.is_empty()
            && !caller.addr.is_some_and(|a| self.ch.allowed.iter().any(|n| n.contains(a)))
        {
            return Err(self.refuse("address", Status::NotFound));
        }
        let gateway = caller.addr.map(crate::auth::throttle::network_of).unwrap_or_default();
        if !self.ch.gateways.hit(self.now, &gateway) {
            return Err(Status::TooManyRequests);
        }
        let body =
            body.open(adapters::BODY_MAX.bytes()).into_bytes().await.map_err(|_| Status::BadRequest)?;
        if !body.is_complete() {
            return Err(self.refuse("malformed", Status::PayloadTooLarge));
        }
        let body = body.into_inner();
        if !signing_key.is_empty() {
            let checked = adapters::check_signature(
                signing_key,
                &body,
                caller.timestamp.as_deref(),
                caller.signature.as_deref(),
                self.now,
                window,
            );
            match checked {
                Ok(()) => {}
                Err(SignatureError::Bad) => return Err(self.refuse("signature", Status::Forbidden)),
                Err(SignatureError::Stale) => return Err(self.refuse("replay", Status::Forbidden)),
            }
            let sig = caller.signature.as_deref().unwrap_or_default().trim().to_lowercase();
            // In the database: a replay is refused by every instance, not only this one.
            // Privacy: kept at the next ten minutes, not the second (it dates a reporter's SMS);
            // later, so kept a little longer, never shorter than the replay window needs.
            let (now, forget) =
                ((self.now as i64 + 599) / 600 * 600, self.now.saturating_sub(2 * window) as i64);
            let first = self
                .db
                .run(move |c| Ok(super::model::first_sight(c, &sig, now, forget)?))
                .await
                .map_err(|_| Status::ServiceUnavailable)?;
            if !first {
                return Err(self.refuse("replay", Status::Forbidden));
            }
        }
        Ok(body)
    }
}

fn lists<'a>(intake: &'a Intake<'_>) -> Lists<'a> {
    Lists { taxonomy: intake.taxonomy, geo: intake.geo, catalog: intake.catalog }
}

/// Files the confirmed answers through the web form's intake; the words to answer with.
async fn file(
    intake: Intake<'_>,
    ch: &Channels,
    a: &Answers,
    number: &str,
    channel: &'static str,
) -> Result<String, AppError> {
    let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
    let intake = intake.for_subject(ch.keys.limit_subject(number), &lang);
    let raw = conversation::raw_report(a, &intake.tr("ch-no-description"));
    let draft = match intake.check_report(&raw, None) {
        Ok(d) => d,
        Err(errors) => {
            // The fields only (never the values): a menu that offered something the checks refuse.
            let fields: Vec<&str> = errors.keys().copied().collect();
            // Privacy: held and written with the hour's others (the journal would date it).
            crate::logs::public_error(
                "channels",
                &format!("{channel}: answers refused by the checks: {fields:?}"),
            );
            return Ok(intake.tr("ch-failed"));
        }
    };
    if !intake.allow_report().await? {
        return Ok(intake.tr("ch-limited"));
    }
    let sealed = (a.keep_number == Some(true)).then(|| ch.keys.seal(number));
    let l2 = lang.clone();
    let saved = intake
        .save_report_with(draft, vec![], "api", None, None, move |c, id| {
            model::record_channel(c, id, channel, sealed.as_deref(), &l2)?;
            let replies = if sealed.is_some() { "sms" } else { "none" };
            Ok(format!(" phone={channel} replies={replies}"))
        })
        .await?;
    Ok(match saved {
        Some((receipt, _)) => intake.tr_with("ch-done", &[("receipt", receipt.grouped())]),
        None => intake.tr("ch-failed"),
    })
}

/// The status a receipt opens, in words.
async fn status(
    intake: Intake<'_>,
    ch: &Channels,
    lang: &str,
    number: &str,
    receipt: &str,
) -> Result<String, AppError> {
    let intake = intake.for_subject(ch.keys.limit_subject(number), lang);
    Ok(match intake.lookup(receipt).await {
        Ok(r) => {
            let label = intake.tr(&format!("status-{}", r.status));
            intake.tr_with("ch-status", &[("status", label)])
        }
        Err(LookupError::Unknown) => intake.tr("ch-status-unknown"),
        Err(LookupError::Blocked) => intake.tr("ch-limited"),
        Err(LookupError::App(e)) => return Err(e),
    })
}

fn plain(text: String) -> (ContentType, String) {
    (ContentType::Plain, text)
}

#[rocket::post("/channels/ussd/<secret>", data = "<body>")]
async fn ussd(
    secret: &str,
    body: Data<'_>,
    caller: Caller,
    intake: Intake<'_>,
    ch: &State<Arc<Channels>>,
    metrics: &State<Arc<Metrics>>,
    clock: &State<Clock>,
) -> Result<(ContentType, String), Status> {
    let ctx = Ctx { ch, db: intake.db, metrics, now: clock.unix() };
    let cfg = &intake.config.channels;
    let body = ctx
        .gate(&cfg.ussd_secret, secret, &cfg.ussd_signing_key, cfg.signature_window_secs, &caller, body)
        .await?;
    let Some(call) = adapters::parse_ussd(&body) else {
        return Err(ctx.refuse("malformed", Status::BadRequest));
    };
    let Some(number) = numbers::normal(&call.phone_number) else {
        return Err(ctx.refuse("malformed", Status::BadRequest));
    };
    let end = |key: &str| plain(adapters::ussd_answer(false, &intake.tr(key)));
    if !ch.numbers.hit(ctx.now, &number) {
        return Ok(end("ch-limited"));
    }
    let today = Utc::now().date_naive();
    let step = conversation::ussd(&call.text, today, &lists(&intake));
    let answer = match step {
        Ussd::Ask(text) => adapters::ussd_answer(true, &text),
        Ussd::End(text) => adapters::ussd_answer(false, &text),
        Ussd::File(a) => {
            adapters::ussd_answer(false, &file(intake, ch, &a, &number, "ussd").await.map_err(fail)?)
        }
        Ussd::Status { lang, receipt } => {
            adapters::ussd_answer(false, &status(intake, ch, &lang, &number, &receipt).await.map_err(fail)?)
        }
    };
    Ok(plain(answer))
}

fn fail(e: AppError) -> Status {
    let s = e.status();
    if s.code >= 500 {
        crate::logs::public_error("channels", &format!("channels: {e}"));
    }
    s
}

#[rocket::post("/channels/sms/<adapter>/<secret>", data = "<body>")]
#[expect(clippy::too_many_arguments, reason = "a handler's guards")]
async fn sms(
    adapter: &str,
    secret: &str,
    body: Data<'_>,
    caller: Caller,
    intake: Intake<'_>,
    ch: &State<Arc<Channels>>,
    metrics: &State<Arc<Metrics>>,
    clock: &State<Clock>,
) -> Result<(ContentType, String), Status> {
    let ctx = Ctx { ch, db: intake.db, metrics, now: clock.unix() };
    let cfg = &intake.config.channels;
    let Some(adapter) = Adapter::parse(adapter) else { return Err(ctx.refuse("secret", Status::NotFound)) };
    let body = ctx
        .gate(&cfg.sms_secret, secret, &cfg.sms_signing_key, cfg.signature_window_secs, &caller, body)
        .await?;
    let ok = || Ok((ContentType::JSON, "{}".to_string()));
    let inbound = match adapters::parse_sms(adapter, &body) {
        Ok(Some(m)) => m,
        Ok(None) => return ok(),
        Err(adapters::Malformed) => return Err(ctx.refuse("malformed", Status::BadRequest)),
    };
    let Some(number) = numbers::normal(&inbound.from) else {
        return Err(ctx.refuse("malformed", Status::BadRequest));
    };
    // Security: over its hour's messages a number gets no answer (a flood must not make Vigie
    // send SMS), and nothing is written.
    if !ch.numbers.hit(ctx.now, &number) {
        return ok();
    }
    let today = Utc::now().date_naive();
    let keys = ch.keys.clone();
    let n2 = number.clone();
    let since = Utc::now().naive_utc() - chrono::Duration::hours(24);
    let (hashes, found) = intake
        .db
        .transaction(move |c| {
            let salt = model::day_salt(c, today)?;
            let mut hashes = vec![keys.hash(&n2, &salt)];
            if let Some(old) = model::existing_salt(c, today - chrono::Days::new(1))? {
                hashes.push(keys.hash(&n2, &old));
            }
            let found = model::find_session(c, &hashes, since)?;
            Ok((hashes, found))
        })
        .await
        .map_err(fail)?;
    let (old_hash, state) = match found {
        Some((h, s)) => (Some(h), serde_json::from_str::<Answers>(&s).ok()),
        None => (None, None),
    };
    let step = conversation::sms(state, &inbound.text, today, &lists(&intake));
    let sealed = ch.keys.seal(&number);
    let db = intake.db.clone();
    // The reply, and what becomes of the conversation.
    let (reply, keep) = match step {
        Sms::Reply(a, text) => (text, Some(a)),
        Sms::End(text) | Sms::Stop(text) => (text, None),
        Sms::File(a) => (file(intake, ch, &a, &number, "sms").await.map_err(fail)?, None),
        Sms::Status { lang, receipt } => {
            (status(intake, ch, &lang, &number, &receipt).await.map_err(fail)?, None)
        }
    };
    let state = keep.map(|a| serde_json::to_string(&a).unwrap_or_default());
    let text = ch.keys.seal_text(&conversation::for_phone(&reply));
    db.transaction(move |c| {
        match &state {
            Some(s) => model::save_session(c, &hashes[0], old_hash.as_deref(), s)?,
            None => {
                model::delete_sessions(c, &hashes)?;
            }
        }
        model::enqueue_sms(c, &sealed, &text)?;
        Ok(())
    })
    .await
    .map_err(fail)?;
    ok()
}
