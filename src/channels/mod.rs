//! Reports by SMS and USSD (issue 16), for witnesses with a basic phone.
//!
//! - `POST /channels/ussd/<secret>`: an aggregator's USSD callback; the menu is a function of
//!   the session's `text` ([`conversation::ussd`]), so nothing of a USSD session is kept.
//! - `POST /channels/sms/<adapter>/<secret>`: inbound SMS from a gateway ([`adapters`]); the
//!   conversation is kept between messages under the number's keyed hash ([`numbers`]) and
//!   replies leave through the SMS outbox ([`deliver_due_sms`], retried like mail).
//!
//! Reports are filed by the same intake as the web form (`reports::Intake`: the same checks,
//! the same transaction, the same Argon2id receipt, the same held audit entry). Staff answers
//! reach the phone through the outbox when the reporter said yes ([`forward_staff_message`]);
//! the number is erased when the report's cases are all closed.
//!
//! Privacy: no number is stored or logged in clear; the gateway's address is used for the
//! allow-list and its rate limit, never stored.

pub mod adapters;
pub mod conversation;
pub mod gateway;
mod menus;
pub mod model;
pub mod numbers;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::AdHoc;

use crate::auth::throttle::{Counter, Net};
use crate::config::{ChannelsConfig, Config};
use crate::db::{Db, DbConn};
use numbers::NumberKeys;

/// What the channel routes share, in Rocket's state.
pub struct Channels {
    pub keys: NumberKeys,
    /// Messages per number per hour (in memory, under the throttle's salted keys).
    numbers: Counter,
    /// Callbacks per gateway address per minute.
    gateways: Counter,
    allowed: Vec<Net>,
}

impl Channels {
    pub fn new(config: &ChannelsConfig, secret_key: &str) -> Channels {
        Channels {
            keys: NumberKeys::derive(secret_key),
            numbers: Counter::new(config.number_messages_per_hour, 3600),
            gateways: Counter::new(config.gateway_calls_per_minute, 60),
            allowed: config.allowed(),
        }
    }
}

/// A staff message to a reporter who came by SMS or USSD and said yes to replies: queued for
/// the gateway in the message's transaction. True when queued.
pub fn forward_staff_message(
    conn: &mut DbConn,
    keys: &NumberKeys,
    report_id: i32,
    body: &str,
) -> diesel::QueryResult<bool> {
    match model::contact_of(conn, report_id)? {
        Some((sealed, _lang)) => {
            model::enqueue_sms(conn, &sealed, &keys.seal_text(&conversation::for_phone(body)))?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// One pass of the SMS outbox: claims up to 20 due messages and posts each to the gateway.
/// Returns how many were sent.
pub fn deliver_due_sms(db: &Db, config: &ChannelsConfig, keys: &NumberKeys) -> Result<usize, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let batch = model::claim_due_sms(&mut conn, 20).map_err(|e| e.to_string())?;
    let mut sent = 0;
    for sms in batch {
        let result = match (keys.open(&sms.number_sealed), keys.open_text(&sms.body)) {
            (Some(number), Some(text)) => {
                gateway::send(&config.gateway_url, &config.gateway_credentials, &number, &text)
            }
            _ => Err("the number or the text cannot be opened (secret key changed?)".into()),
        };
        match result {
            Ok(()) => {
                model::mark_sms_sent(&mut conn, sms.id).map_err(|e| e.to_string())?;
                sent += 1;
            }
            Err(e) => {
                // Privacy: the id and the reason only, never the number or the text.
                crate::logs::error(
                    "sms",
                    &format!("sms {}: delivery failed (attempt {}): {e}", sms.id, sms.attempts + 1),
                );
                model::mark_sms_failed(&mut conn, sms.id, sms.attempts + 1, config.sms_max_attempts, &e)
                    .map_err(|e| e.to_string())?;
            }
        }
        crate::db::pace();
    }
    Ok(sent)
}

/// Forgets conversations silent for 24 hours.
pub async fn expire_sessions(db: &Db) -> crate::error::AppResult<usize> {
    let before = chrono::Utc::now().naive_utc() - chrono::Duration::hours(24);
    let n = db.run(move |c| Ok(model::session_count(c)?)).await?;
    if n == 0 {
        return Ok(0);
    }
    db.transaction(move |c| Ok(model::expire_sessions(c, before)?)).await
}

pub fn stage() -> AdHoc {
    AdHoc::on_ignite("channels", |rocket| async {
        let Some(config) = rocket.state::<Arc<Config>>().cloned() else { return rocket };
        let secret: Option<String> = rocket.figment().extract_inner("secret_key").ok();
        let channels = Arc::new(Channels::new(&config.channels, secret.as_deref().unwrap_or_default()));
        rocket.manage(channels).mount("/", routes::routes()).attach(AdHoc::on_liftoff("sms outbox and expiry", |rocket| {
            Box::pin(async move {
                let (Some(db), Some(config), Some(ch)) = (
                    rocket.state::<Db>().cloned(),
                    rocket.state::<Arc<Config>>().cloned(),
                    rocket.state::<Arc<Channels>>().cloned(),
                ) else {
                    return;
                };
                let mut shutdown = rocket.shutdown();
                rocket::tokio::spawn(async move {
                    // Texts an older version queued in clear are sealed before anything else.
                    let keys = ch.clone();
                    match db.transaction(move |c| Ok(model::seal_clear_texts(c, |t| keys.keys.seal_text(t))?)).await {
                        Ok(0) => {}
                        Ok(n) => crate::logs::notice("sms", &format!("sms: {n} queued texts sealed")),
                        Err(e) => crate::logs::error("sms", &format!("sms: sealing queued texts failed: {e}")),
                    }
                    let mut last_sweep = std::time::Instant::now() - Duration::from_secs(7200);
                    loop {
                        if last_sweep.elapsed() >= Duration::from_secs(3600) {
                            last_sweep = std::time::Instant::now();
                            if let Err(e) = expire_sessions(&db).await {
                                crate::logs::error("sms", &format!("sms: expiring conversations failed: {e}"));
                            }
                        }
                        if !config.channels.gateway_url.is_empty() {
                            let (db, config, ch) = (db.clone(), config.clone(), ch.clone());
                            let pass = rocket::tokio::task::spawn_blocking(move || {
                                deliver_due_sms(&db, &config.channels, &ch.keys)
                            })
                            .await;
                            if let Ok(Err(e)) = pass {
                                crate::logs::error("sms", &format!("sms: outbox pass failed: {e}"));
                            }
                        }
                        rocket::tokio::select! {
                            _ = rocket::tokio::time::sleep(Duration::from_secs(config.channels.sms_poll_seconds.max(1))) => {}
                            _ = &mut shutdown => break,
                        }
                    }
                });
            })
        }))
    })
}
