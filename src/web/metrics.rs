//! `GET /metrics` (the Prometheus text format, `crate::metrics`) and the fairing that times
//! each request by its route's template.
//!
//! Security: `/metrics` answers only the clients of `metrics_allowed` (default loopback), the
//! client being the one `trusted_proxies` resolves; anyone else gets the ordinary 404 page, as
//! if there were no such page.

use std::sync::Arc;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Data, Request, Response};

use crate::config::MetricsAllowed;
use crate::metrics::{Metrics, Snapshot};

/// When the request arrived (`Timing` keeps it in the request's local cache).
struct Arrived(Option<Instant>);

/// How long ago the request arrived (`Timing` notes it).
pub fn since_arrival(req: &Request<'_>) -> Option<std::time::Duration> {
    req.local_cache(|| Arrived(None)).0.map(|t| t.elapsed())
}

/// Times every request and counts it under its method and route template (`unmatched` when
/// no route took it): never the concrete path, which may hold an id.
pub struct Timing;

#[rocket::async_trait]
impl Fairing for Timing {
    fn info(&self) -> Info {
        Info { name: "request timing by route", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Arrived(Some(Instant::now())));
        // Privacy: the public figures are published when the day turns, before this request
        // counts in the new day (`crate::metrics`).
        if let Some(metrics) = req.rocket().state::<Arc<Metrics>>() {
            metrics.roll();
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(metrics) = req.rocket().state::<Arc<Metrics>>() else { return };
        let Some(since) = req.local_cache(|| Arrived(None)).0 else { return };
        let route = req.route().map(|r| r.uri.path()).unwrap_or("unmatched");
        metrics.request(req.method().as_str(), route, res.status().code, since.elapsed());
    }
}

/// A client `metrics_allowed` lists; anyone else: 404.
pub struct MetricsReader;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsReader {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let allowed = req.rocket().state::<MetricsAllowed>();
        if allowed.is_some_and(|a| a.allows(crate::auth::guards::client_addr(req))) {
            Outcome::Success(MetricsReader)
        } else {
            Outcome::Error((Status::NotFound, ()))
        }
    }
}

#[rocket::get("/metrics")]
pub async fn metrics(
    _reader: MetricsReader,
    metrics: &rocket::State<Arc<Metrics>>,
    db: &rocket::State<crate::db::Db>,
    mail: &rocket::State<Arc<crate::notify::MailConfig>>,
) -> (ContentType, String) {
    let max_attempts = mail.max_attempts;
    let outbox = db.run(move |c| Ok(crate::notify::model::outbox_figures(c, max_attempts)?)).await;
    let state = db.pool.state();
    let mut snapshot = Snapshot {
        pool_max: db.pool.max_size(),
        pool_open: state.connections,
        pool_idle: state.idle_connections,
        ..Snapshot::default()
    };
    let up = outbox.is_ok();
    if let Ok((queued, given_up, sent, oldest)) = outbox {
        snapshot.mail_queued = queued;
        snapshot.mail_given_up = given_up;
        snapshot.mail_sent = sent;
        snapshot.mail_oldest_unsent_secs =
            oldest.map(|t| (chrono::Utc::now().naive_utc() - t).num_seconds().max(0)).unwrap_or(0);
    }
    let mut text = metrics.render(&snapshot);
    text.push_str(&format!(
        "# HELP vigie_database_up Whether the database answered this scrape.\n\
         # TYPE vigie_database_up gauge\nvigie_database_up {}\n",
        u8::from(up)
    ));
    (ContentType::new("text", "plain").with_params(("version", "0.0.4")), text)
}
