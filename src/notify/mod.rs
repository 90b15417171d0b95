//! Mail, through an outbox. A change that causes a mail writes it to `mail_outbox` in the same
//! transaction ([`enqueue`]); a background task delivers it over SMTP (or into `.eml` files in
//! development), retries with backoff, and leaves failures visible. With several instances on
//! PostgreSQL, a message is claimed with `FOR UPDATE SKIP LOCKED`, so none is sent twice.
//!
//! Privacy: mail never carries a narrative, a name or a place: only a link and a reference.

mod deliver;
pub mod model;
mod settings;

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::AdHoc;

pub use deliver::{Transport, TransportError};
pub use model::{enqueue, OutboxMessage};
pub use settings::{BodyKey, MailConfig, MailTransport, SmtpTls};

use crate::db::Db;

/// The kinds of mail a reporter's action causes: created on its day only (see
/// `audit::hold_reporter`), sent with a `Date:` of that day, and emptied once sent.
pub const REPORTER_KINDS: &[&str] = &["reporter-message"];

pub fn is_reporter_caused(kind: &str) -> bool {
    REPORTER_KINDS.contains(&kind)
}

/// Runs one delivery pass: claims up to 20 due messages (one short transaction) and tries each
/// once, recording each outcome in its own short write with a pause after it (`db::pace`), so
/// the pass never holds the write lock for long. Returns how many were delivered.
pub fn deliver_due(db: &Db, transport: &Transport, mail: &MailConfig) -> Result<usize, String> {
    deliver_due_counted(db, transport, mail, None)
}

/// [`deliver_due`], counting each try in `/metrics`.
pub fn deliver_due_counted(
    db: &Db,
    transport: &Transport,
    mail: &MailConfig,
    metrics: Option<&crate::metrics::Metrics>,
) -> Result<usize, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let batch = model::claim_due(&mut conn, 20).map_err(|e| e.to_string())?;
    let mut sent = 0;
    for mut msg in batch {
        let Some(body) = BodyKey::open(mail.body_key.as_ref(), &msg.body) else {
            let error = "its sealed body does not open (was the secret key changed?)";
            crate::logs::error("mail", &format!("mail {}: {error}", msg.id));
            model::mark_failed(&mut conn, msg.id, mail.max_attempts, mail.max_attempts, error)
                .map_err(|e| e.to_string())?;
            continue;
        };
        msg.body = body;
        let result = transport.send(&mail.from, &msg);
        if let Some(m) = metrics {
            m.mail_delivery(result.is_ok());
        }
        match result {
            Ok(()) => {
                model::mark_sent(&mut conn, msg.id).map_err(|e| e.to_string())?;
                if is_reporter_caused(&msg.kind) {
                    model::purge_sent(&mut conn, msg.id, msg.created_at).map_err(|e| e.to_string())?;
                }
                sent += 1;
            }
            Err(e) => {
                crate::logs::error(
                    "mail",
                    &format!("mail {}: delivery failed (attempt {}): {e}", msg.id, msg.attempts + 1),
                );
                model::mark_failed(&mut conn, msg.id, msg.attempts + 1, mail.max_attempts, &e.to_string())
                    .map_err(|e| e.to_string())?;
            }
        }
        crate::db::pace();
    }
    Ok(sent)
}

/// Starts the outbox worker when the server lifts off.
pub fn stage() -> AdHoc {
    AdHoc::on_liftoff("mail outbox worker", |rocket| {
        Box::pin(async move {
            let (Some(db), Some(mail)) =
                (rocket.state::<Db>().cloned(), rocket.state::<Arc<MailConfig>>().cloned())
            else {
                return;
            };
            let metrics = rocket.state::<Arc<crate::metrics::Metrics>>().cloned();
            if mail.transport == MailTransport::Disabled {
                return;
            }
            let transport = match Transport::from_config(&mail) {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    crate::logs::error("mail", &format!("mail: cannot set up the transport: {e}"));
                    return;
                }
            };
            let mut shutdown = rocket.shutdown();
            rocket::tokio::spawn(async move {
                loop {
                    let (db, transport, cfg) = (db.clone(), transport.clone(), mail.clone());
                    let metrics = metrics.clone();
                    let pass = rocket::tokio::task::spawn_blocking(move || {
                        deliver_due_counted(&db, &transport, &cfg, metrics.as_deref())
                    })
                    .await;
                    if let Ok(Err(e)) = pass {
                        crate::logs::error("mail", &format!("mail: outbox pass failed: {e}"));
                    }
                    rocket::tokio::select! {
                        _ = rocket::tokio::time::sleep(Duration::from_secs(mail.poll_seconds.max(1))) => {}
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}

/// The subject and body of a mail for `event`, in the recipient's language, from the Fluent
/// messages `mail-<event>-subject` and `mail-<event>-body` (locales/<lang>/mail.ftl).
/// Privacy: the arguments are links and references only.
pub fn compose(
    catalog: &crate::i18n::Catalog,
    lang: &str,
    event: &str,
    args: &[(&str, String)],
) -> (String, String) {
    let mut fa = fluent_bundle::FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, v.clone());
    }
    (
        catalog.message(lang, &format!("mail-{event}-subject"), Some(&fa)),
        catalog.message(lang, &format!("mail-{event}-body"), Some(&fa)),
    )
}
