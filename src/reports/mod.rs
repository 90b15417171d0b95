//! The public side: a witness files a report without an account, gets a receipt, and follows
//! it up with that receipt; monitors' tools and gateways do the same through `/api/v1`.
//! Both doors share the flows below, so the rules are the same whichever way a report comes.

pub mod api;
pub mod counting;
pub mod evidence;
mod follow;
mod form;
pub mod limits;
pub mod model;
mod routes;
pub mod submit;
/// Reading the files of a multipart form where Rocket spooled them (the case pages use it too).
pub(crate) use routes::spooled;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;
use rocket::fairing::AdHoc;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;

use crate::audit::{self, Actor};
use crate::config::Config;
use crate::crypto::{HashLimiter, Receipt};
use crate::db::Db;
use crate::error::AppError;
use crate::geo::Geo;
use crate::i18n::Catalog;
use crate::taxonomy::Taxonomy;
use counting::Limits;
use evidence::{Caps, Evidence, EvidenceError, Source, Usage};
use limits::RateLimiter;
use submit::{FieldErrors, RawReport};

/// Evidence files are inspected (and photos decoded) one at a time in the whole server.
static REENCODE: rocket::tokio::sync::Semaphore = rocket::tokio::sync::Semaphore::const_new(1);

/// How many requests may write evidence bytes to the database at once, in this instance: a
/// quarter of the connection pool (at least one, at most four), so that a burst of uploads
/// never holds the connections staff pages need, and the bytes held in memory by the writes
/// are bounded by this count times the largest file. The uploads themselves are spooled to
/// disk by Rocket, never held whole in memory.
pub struct EvidenceWrites(rocket::tokio::sync::Semaphore);

impl EvidenceWrites {
    pub fn for_pool(pool_size: u32) -> EvidenceWrites {
        EvidenceWrites(rocket::tokio::sync::Semaphore::new((pool_size as usize / 4).clamp(1, 4)))
    }
}

/// The installation's salt for receipt hashes (random, stored in the database).
#[derive(Clone)]
pub struct ReceiptSalt(pub Vec<u8>);

/// What the intake handlers need, gathered by one request guard.
/// The receipt look-ups' own Argon2id permits and bounded queue (`receipt_argon2_*`), apart
/// from filing's [`HashLimiter`]: a right receipt gives its try back, so look-ups are not
/// bounded per client, and flooding them must not hold up anyone filing a report.
pub struct ReceiptLookups(pub crate::crypto::BoundedHasher);

pub struct Intake<'r> {
    pub db: &'r Db,
    pub config: &'r Config,
    pub taxonomy: &'r Taxonomy,
    pub geo: &'r Geo,
    pub catalog: &'r Catalog,
    catalog_arc: Arc<Catalog>,
    hasher: &'r HashLimiter,
    lookups: &'r ReceiptLookups,
    salt: &'r ReceiptSalt,
    limiter: &'r Limits,
    evidence_writes: &'r EvidenceWrites,
    /// The time of the rate-limit windows (pinned in tests).
    clock: &'r crate::clock::Clock,
    metrics: &'r Arc<crate::metrics::Metrics>,
    /// Privacy: used only to derive the in-memory rate-limit key; never stored or logged.
    client: Option<IpAddr>,
    pub lang: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Intake<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let r = req.rocket();
        // Security: a JSON call that carries a staff session cookie must echo the CSRF token in
        // a header, or another site could make a signed-in browser post to the API.
        if req.method() == rocket::http::Method::Post
            && req.uri().path().starts_with("/api/")
            && !crate::web::ApiToken::with_session(req).passed()
        {
            return Outcome::Error((rocket::http::Status::Forbidden, ()));
        }
        let parts = (|| {
            Some(Intake {
                db: r.state::<Db>()?,
                config: r.state::<Arc<Config>>()?,
                taxonomy: r.state::<Arc<Taxonomy>>()?,
                geo: r.state::<Arc<Geo>>()?,
                catalog: r.state::<Arc<Catalog>>()?,
                catalog_arc: r.state::<Arc<Catalog>>()?.clone(),
                hasher: r.state::<HashLimiter>()?,
                lookups: r.state::<ReceiptLookups>()?,
                salt: r.state::<ReceiptSalt>()?,
                limiter: r.state::<Limits>()?,
                evidence_writes: r.state::<EvidenceWrites>()?,
                clock: r.state::<crate::clock::Clock>()?,
                metrics: r.state::<std::sync::Arc<crate::metrics::Metrics>>()?,
                client: crate::auth::guards::client_addr(req),
                lang: crate::web::locale_of(req).0,
            })
        })();
        match parts {
            Some(i) => Outcome::Success(i),
            None => Outcome::Error((rocket::http::Status::InternalServerError, ())),
        }
    }
}

/// Why a report was not filed.
pub enum FileError {
    Invalid(FieldErrors),
    RateLimited,
    App(AppError),
}

impl From<AppError> for FileError {
    fn from(e: AppError) -> Self {
        FileError::App(e)
    }
}

/// Why a receipt opened nothing.
pub enum LookupError {
    /// No report has this receipt (or it is not a receipt at all).
    Unknown,
    /// Too many wrong receipts from this client this hour.
    Blocked,
    App(AppError),
}

impl From<AppError> for LookupError {
    fn from(e: AppError) -> Self {
        LookupError::App(e)
    }
}

/// What the reporter sees through the receipt.
#[derive(Debug, Serialize)]
pub struct StatusView {
    pub status: String,
    /// The report's every case is closed: messages and files are no longer read, so none are
    /// taken.
    pub closed: bool,
    pub status_label: String,
    pub submitted_on: String,
    pub forwarded_to: Vec<String>,
    pub messages: Vec<MessageView>,
    pub attachments: i64,
    /// The institutions a reply may be addressed to: (code, label).
    pub reply_to: Vec<(String, String)>,
    /// The one chosen by default: the institution that wrote last.
    pub reply_default: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub from: String,
    pub body: String,
    pub sent_on: String,
    /// The institution that wrote a staff message, or that the reporter wrote to; None for
    /// the shared thread before routing.
    pub institution: Option<String>,
    /// A voice message: its recording (the reporter plays a staff recording through a POST
    /// with the receipt, see `follow::listen`).
    pub voice: Option<i32>,
}

/// The thread a reporter's message goes to: the institution they chose if it holds a case on
/// their event; else the institution that wrote to them last, if it still holds one; else the
/// only institution holding one; else none (the shared thread, before routing or when the
/// reporter chose no one among several).
pub fn reply_thread(chosen: Option<i32>, latest_staff: Option<i32>, cases: &[i32]) -> Option<i32> {
    chosen.filter(|i| cases.contains(i)).or_else(|| latest_staff.filter(|i| cases.contains(i))).or(
        match cases {
            [only] => Some(*only),
            _ => None,
        },
    )
}

impl Intake<'_> {
    /// The same intake for a subject other than the request's client: the phone channels count
    /// a reporter's limits under their number's keyed hash (`channels::numbers`), not under
    /// the gateway's address that every reporter shares. Privacy: the subject is hashed again
    /// by the limiters, never stored.
    pub fn for_subject(mut self, subject: IpAddr, lang: &str) -> Self {
        self.client = Some(subject);
        self.lang = lang.to_string();
        self
    }

    pub fn tr(&self, key: &str) -> String {
        self.catalog.message(&self.lang, key, None)
    }

    /// Whether this form token (its SHA-256) has filed a report already.
    pub async fn form_token_used(&self, hash: String) -> Result<bool, AppError> {
        self.db.run(move |c| Ok(model::form_token_used(c, &hash)?)).await
    }

    /// A message with named text arguments.
    pub fn tr_with(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let mut fargs = fluent_bundle::FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        self.catalog.message(&self.lang, key, Some(&fargs))
    }

    /// Validates a report's fields, and a monitor's consent, without writing anything.
    pub fn check_report(
        &self,
        raw: &RawReport,
        monitor: Option<&submit::MonitorFiling>,
    ) -> Result<submit::Draft, FieldErrors> {
        let today = Utc::now().date_naive();
        let checked = submit::validate(raw, self.taxonomy, self.geo, today);
        let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
        if let Some(m) = monitor {
            // A monitor files for someone else only with that person's consent.
            if !m.consent {
                errors.insert("consent", "err-consent-required");
            }
            if m.on_behalf_of.trim().chars().count() > submit::SHORT_TEXT_MAX {
                errors.insert("on_behalf_of", "err-text-too-long");
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        checked
    }

    /// Counts one report against this client's hourly limit; false when over it.
    pub async fn allow_report(&self) -> Result<bool, AppError> {
        let allowed = self.limiter.allow_report(self.db, self.clock.unix(), self.client).await?;
        if !allowed {
            self.metrics.report_refused();
        }
        Ok(allowed)
    }

    /// Reserves the spooled size of the files about to be read in this client's hourly upload
    /// budget; false when it is spent.
    pub async fn allow_upload(&self, bytes: u64) -> Result<bool, AppError> {
        if bytes == 0 {
            return Ok(true);
        }
        self.limiter.reserve_upload(self.db, self.clock.unix(), self.client, bytes).await
    }

    /// The evidence limits of this installation.
    pub fn caps(&self) -> Caps {
        let c = self.config;
        let mib = |v: u32| u64::from(v) * 1024 * 1024;
        Caps {
            per_form_files: u64::from(c.upload_max_files),
            file_bytes: mib(c.upload_max_mb),
            report_files: u64::from(c.report_max_files),
            report_bytes: mib(c.report_max_mb),
            daily_files: u64::from(c.report_daily_files),
            daily_bytes: mib(c.report_daily_mb),
        }
    }

    /// What a report already holds, for checking an upload's sizes before reading it.
    pub async fn evidence_usage(&self, report_id: i32) -> Result<Usage, AppError> {
        let today = Utc::now().date_naive();
        self.db.run(move |c| Ok(model::evidence_usage(c, report_id, today)?)).await
    }

    /// Reads, hashes and checks spooled uploads one after the other, off the async threads.
    /// Files are inspected one at a time in the whole server (a photo's decoding takes up to
    /// 128 MiB), so memory stays bounded whatever the number of uploads at once.
    pub async fn inspect_files(&self, sources: Vec<Source>) -> Result<Vec<Evidence>, EvidenceError> {
        let max = self.caps().file_bytes;
        let mut out = Vec::with_capacity(sources.len());
        for source in sources {
            let _permit = REENCODE.acquire().await.map_err(|_| EvidenceError::Unreadable)?;
            let e = rocket::tokio::task::spawn_blocking(move || evidence::inspect(source, max))
                .await
                .map_err(|_| EvidenceError::Unreadable)??;
            out.push(e);
        }
        Ok(out)
    }

    /// Checks only the kind of each file from its first bytes (off the async threads), to tell
    /// a person whose form has other mistakes everything in one answer.
    pub async fn sniff_files(&self, sources: Vec<Source>) -> Result<(), EvidenceError> {
        rocket::tokio::task::spawn_blocking(move || sources.iter().try_for_each(evidence::sniff))
            .await
            .map_err(|_| EvidenceError::Unreadable)?
    }

    /// Validates and files a report without files (the API): checks, then the hourly limit,
    /// then [`Intake::save_report`].
    pub async fn file_report(
        &self,
        raw: RawReport,
        channel: &'static str,
        monitor: Option<submit::MonitorFiling>,
    ) -> Result<(Receipt, submit::Location), FileError> {
        let draft = self.check_report(&raw, monitor.as_ref()).map_err(FileError::Invalid)?;
        if !self.allow_report().await? {
            return Err(FileError::RateLimited);
        }
        let saved = self.save_report(draft, vec![], channel, monitor, None).await?;
        Ok(saved.ok_or_else(|| AppError::internal("a report without a form token was refused as sent"))?)
    }

    /// Saves a checked report, its violations, evidence and audit entry in one durable
    /// transaction, and only then returns the receipt to show. The caller has validated the
    /// report and counted it against the client's limit. With a form token (its SHA-256), the
    /// token is consumed in the same transaction: `None` when it had filed a report already,
    /// and nothing is written.
    pub async fn save_report(
        &self,
        draft: submit::Draft,
        evidence: Vec<Evidence>,
        channel: &'static str,
        monitor: Option<submit::MonitorFiling>,
        form_token: Option<String>,
    ) -> Result<Option<(Receipt, submit::Location)>, AppError> {
        self.save_report_with(draft, evidence, channel, monitor, form_token, |_, _| Ok(String::new())).await
    }

    /// [`Intake::save_report`], with `also` run in the report's transaction once the report
    /// is written (given its id): the phone channels record the channel and a sealed number
    /// there, so that they commit or roll back with the report. What `also` returns is added to
    /// the audit entry's details.
    pub async fn save_report_with(
        &self,
        draft: submit::Draft,
        evidence: Vec<Evidence>,
        channel: &'static str,
        monitor: Option<submit::MonitorFiling>,
        form_token: Option<String>,
        mut also: impl FnMut(&mut crate::db::DbConn, i32) -> Result<String, AppError> + Send + 'static,
    ) -> Result<Option<(Receipt, submit::Location)>, AppError> {
        let today = Utc::now().date_naive();
        let channel = if monitor.is_some() { "monitor" } else { channel };
        let receipt = Receipt::generate();
        let salt = self.salt.0.clone();
        let r2 = receipt.clone();
        let digest = self.hasher.hash_receipt(r2, salt).await;
        let location = draft.location.clone();
        let lang = self.lang.clone();
        let monitor_actor =
            monitor.as_ref().map(|m| Actor::User { id: m.monitor_id, email: m.email.clone(), ip: None });
        let files = evidence.len();
        // Encryption at rest: the report's data key is drawn before its files are staged, so
        // that they are stored sealed under it (None before `vigie keys init`).
        let report_key = match evidence.is_empty() {
            true => None,
            false => Some(self.db.run(crate::keyring::model::new_report_key).await?),
        };
        let file_key = report_key.as_ref().and_then(|k| k.as_ref()).map(|k| k.data_key.clone());
        let staged = self.stage_evidence(evidence, today, file_key).await?;
        let linked = staged.clone();
        let filed = self
            .db
            .transaction(move |c| {
                if let Some(hash) = &form_token {
                    let forget = today - chrono::Days::new(submit::FORM_TOKEN_KEEP_DAYS as u64);
                    if !model::consume_form_token(c, hash, today, forget)? {
                        return Ok(false);
                    }
                }
                let id = model::insert_report(
                    c,
                    &model::NewReport {
                        draft: &draft,
                        receipt: &digest,
                        key: match &report_key {
                            Some(k) => model::ReportKey::Drawn(k.as_ref()),
                            None => model::ReportKey::DrawHere,
                        },
                        channel,
                        locale: &lang,
                        today,
                        monitor: monitor.as_ref(),
                    },
                )?;
                if model::link_attachments(c, id, &linked)? != linked.len() {
                    return Err(AppError::internal(
                        "a staged evidence file was gone before its report was filed",
                    ));
                }
                let more = also(c, id)?;
                let details = format!("channel={channel} files={files}{more}");
                match &monitor_actor {
                    Some(a) => audit::record(c, a, "report.create", "report", &id.to_string(), &details)?,
                    // Privacy: an anonymous reporter's entry is written later, at random.
                    None => audit::hold_reporter(
                        c,
                        today,
                        "report.create",
                        "report",
                        &id.to_string(),
                        &details,
                        None,
                    )?,
                }
                Ok(true)
            })
            .await;
        if matches!(filed, Ok(true)) {
            self.metrics.report_filed(channel);
        } else {
            self.unstage(staged).await;
        }
        Ok(filed?.then_some((receipt, location)))
    }

    /// Stores the bytes of some inspected files, each in a short transaction of its own, before
    /// the audited transaction that links them to their report: the report's transaction (and
    /// SQLite's write lock) is then as short as one without files. At most `EvidenceWrites`
    /// requests store files at once; one original is in memory at a time per request. The ids
    /// of the staged files; on an error, what was staged is deleted.
    async fn stage_evidence(
        &self,
        evidence: Vec<Evidence>,
        today: chrono::NaiveDate,
        key: Option<crate::crypto::SecretKey>,
    ) -> Result<Vec<i32>, AppError> {
        if evidence.is_empty() {
            return Ok(vec![]);
        }
        let _permit = self.evidence_writes.0.acquire().await.map_err(AppError::internal)?;
        let mut staged = Vec::with_capacity(evidence.len());
        for e in evidence {
            let key = key.clone();
            let stored =
                self.db.transaction(move |c| model::stage_attachment(c, &e, today, None, key.as_ref())).await;
            match stored {
                Ok(id) => staged.push(id),
                Err(err) => {
                    self.unstage(staged).await;
                    return Err(err);
                }
            }
        }
        Ok(staged)
    }

    /// A recording staff answer with (a voice message to the reporter): checked as evidence and
    /// against the report's limits, then stored unlinked; the caller links it with its message
    /// in the case's audited transaction, or calls [`Intake::discard_staged`].
    pub async fn stage_recording(
        &self,
        report_id: i32,
        source: Source,
        size: u64,
        key: Option<crate::crypto::SecretKey>,
    ) -> Result<Result<i32, EvidenceError>, AppError> {
        let e = match self.checked_recording(report_id, source, size).await? {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        let today = Utc::now().date_naive();
        Ok(Ok(self.stage_evidence(vec![e], today, key).await?[0]))
    }

    /// A recording for a voice message: within the report's evidence limits, checked as
    /// evidence, and a sound. `Ok(Err(_))` when refused.
    async fn checked_recording(
        &self,
        report_id: i32,
        source: Source,
        size: u64,
    ) -> Result<Result<Evidence, EvidenceError>, AppError> {
        let usage = self.evidence_usage(report_id).await?;
        if let Err(e) = evidence::check_caps(&self.caps(), &usage, &[size]) {
            return Ok(Err(e));
        }
        Ok(match self.inspect_files(vec![source]).await.map(|mut f| f.pop()) {
            Ok(Some(e)) => evidence::as_voice(e, "message"),
            Ok(None) => Err(EvidenceError::Empty),
            Err(e) => Err(e),
        })
    }

    /// Deletes a staged file its request did not link.
    pub async fn discard_staged(&self, id: i32) {
        self.unstage(vec![id]).await
    }

    /// Deletes staged files a failed request left (best effort: the daily sweep deletes any
    /// this misses).
    async fn unstage(&self, ids: Vec<i32>) {
        if ids.is_empty() {
            return;
        }
        let today = Utc::now().date_naive();
        if let Err(e) = self.db.transaction(move |c| Ok(model::delete_staged(c, Some(&ids), today)?)).await {
            crate::logs::public_error(
                "evidence",
                &format!("evidence: a staged file was left for the sweep: {e}"),
            );
        }
    }

    /// Finds the report a receipt opens. Security: the try is reserved before the receipt is
    /// hashed or looked up (one atomic step in the limiter), so parallel guesses cannot slip
    /// past the hourly limit; a wrong receipt keeps its try and is answered more and more slowly,
    /// a right one gives its try back.
    pub async fn lookup(&self, typed: &str) -> Result<model::ReceiptReport, LookupError> {
        let Some(tries) = self.limiter.reserve_receipt_try(self.db, self.clock.unix(), self.client).await?
        else {
            self.metrics.receipt_lookup(crate::metrics::Lookup::Refused);
            return Err(LookupError::Blocked);
        };
        let found = match Receipt::parse(typed) {
            Some(receipt) => {
                let salt = self.salt.0.clone();
                let Some(digest) = self.lookups.0.hash_receipt(receipt, salt).await else {
                    // Too many look-ups at once: 503, and the try is given back.
                    self.limiter.release_receipt_try(self.db, self.clock.unix(), self.client).await?;
                    return Err(LookupError::App(AppError::Unavailable));
                };
                self.db.run(move |c| model::find_by_receipt(c, &digest)).await?
            }
            None => None,
        };
        match found {
            Some(r) => {
                self.metrics.receipt_lookup(crate::metrics::Lookup::Opened);
                self.limiter.release_receipt_try(self.db, self.clock.unix(), self.client).await?;
                Ok(r)
            }
            None => {
                self.metrics.receipt_lookup(crate::metrics::Lookup::Unknown);
                let pause = RateLimiter::failure_delay_ms(tries);
                if pause > 0 {
                    rocket::tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(LookupError::Unknown)
            }
        }
    }

    pub async fn status_view(&self, report: &model::ReceiptReport) -> Result<StatusView, AppError> {
        let (id, event_id) = (report.id, report.event_id);
        let (messages, forwarded, attachments, latest, cases) = self
            .db
            .run(move |c| {
                let m = model::messages_of(c, id)?;
                let latest = model::latest_staff_institution(c, id)?;
                let cases = model::case_institutions_of_report(c, id)?;
                let f = match event_id {
                    Some(e) => model::forwarded_to(c, e)?,
                    None => vec![],
                };
                let a = model::attachment_count(c, id)?;
                Ok((m, f, a, latest, cases))
            })
            .await?;
        let label = |i: i32| self.taxonomy.institutions.iter().find(|x| x.id == i);
        let mut reply_to: Vec<(String, String)> = vec![];
        for i in &cases {
            if let Some(e) = label(*i) {
                if !reply_to.iter().any(|r| r.0 == e.code) {
                    reply_to.push((e.code.clone(), e.label(&self.lang).to_string()));
                }
            }
        }
        let reply_default = reply_thread(None, latest, &cases).and_then(label).map(|e| e.code.clone());
        Ok(StatusView {
            status: report.status.clone(),
            closed: report.status == "closed",
            status_label: self.tr(&format!("status-{}", report.status)),
            submitted_on: report.submitted_on.to_string(),
            forwarded_to: forwarded
                .into_iter()
                .map(|code| {
                    let i = self.taxonomy.institutions.iter().find(|i| i.code == code);
                    i.map(|i| i.label(&self.lang).to_string()).unwrap_or(code)
                })
                .collect(),
            messages: messages
                .into_iter()
                .map(|m| MessageView {
                    from: m.author,
                    // A sealed report's messages open with the key the receipt gave.
                    body: crate::keyring::report::open_message(
                        &m.body,
                        report.sealed,
                        report.data_key.as_ref(),
                    )
                    .unwrap_or_default(),
                    sent_on: m.sent_on.to_string(),
                    institution: m.institution_id.and_then(label).map(|e| e.label(&self.lang).to_string()),
                    voice: m.attachment_id,
                })
                .collect(),
            attachments,
            reply_to,
            reply_default,
        })
    }

    /// A message from the reporter into one institution's thread of their report (see
    /// [`reply_thread`]; `to` is the code of the institution they chose); that case's assignee
    /// is told by mail (a link, never the message).
    pub async fn add_message(
        &self,
        report: &model::ReceiptReport,
        body: String,
        to: Option<&str>,
    ) -> Result<(), AppError> {
        self.add_message_with(report, body, to, None).await
    }

    /// A reporter's message, told by voice when `recording` names its attachment.
    pub async fn add_message_with(
        &self,
        report: &model::ReceiptReport,
        body: String,
        to: Option<&str>,
        recording: Option<i32>,
    ) -> Result<(), AppError> {
        let today = Utc::now().date_naive();
        let report_id = report.id;
        // A sealed report's message is sealed under its data key (opened by the receipt).
        if report.sealed && report.data_key.is_none() {
            return Err(AppError::internal("a sealed report's key did not open with its receipt"));
        }
        let message = self.reporter_message(report, body, to, today);
        self.db
            .transaction(move |c| {
                model::lock_event_of_report(c, report_id)?;
                message.write(c, recording)
            })
            .await
    }

    /// What a reporter's message needs to be written in a transaction.
    fn reporter_message(
        &self,
        report: &model::ReceiptReport,
        body: String,
        to: Option<&str>,
        today: chrono::NaiveDate,
    ) -> ReporterMessage {
        ReporterMessage {
            report_id: report.id,
            today,
            body,
            chosen: to
                .and_then(|code| self.taxonomy.institutions.iter().find(|i| i.code == code))
                .map(|i| i.id),
            key: report.data_key.clone(),
            catalog: self.catalog_arc.clone(),
            base: self.config.public_url.trim_end_matches('/').to_string(),
        }
    }

    /// One file added through a receipt (form or API): the report's limits are checked on the
    /// spooled size before the file is read, then it is read, hashed and saved.
    /// `Ok(Ok((sha256, size)))` when saved, `Ok(Err(_))` when refused.
    pub async fn attach_file(
        &self,
        report: &model::ReceiptReport,
        source: Source,
        size: u64,
    ) -> Result<Result<(String, u64), EvidenceError>, AppError> {
        let report_id = report.id;
        let usage = self.evidence_usage(report_id).await?;
        if let Err(e) = evidence::check_caps(&self.caps(), &usage, &[size]) {
            return Ok(Err(e));
        }
        if !self.allow_upload(size).await? {
            return Err(AppError::TooManyRequests);
        }
        let mut files = match self.inspect_files(vec![source]).await {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        let Some(e) = files.pop() else { return Ok(Err(EvidenceError::Empty)) };
        let done = (e.sha256.clone(), e.size);
        Ok(self.add_attachment(report, e).await?.map(|_| done))
    }

    /// A voice message through a receipt: the recording is checked and saved as a file of the
    /// report (purpose `message`), then the message that carries it. `Ok(Err(_))` when refused.
    pub async fn add_voice_message(
        &self,
        report: &model::ReceiptReport,
        source: Source,
        size: u64,
        to: Option<&str>,
    ) -> Result<Result<(), EvidenceError>, AppError> {
        // The public side's hourly upload budget first, as for any file sent with a receipt.
        if !self.allow_upload(size).await? {
            return Err(AppError::TooManyRequests);
        }
        let e = match self.checked_recording(report.id, source, size).await? {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        // The recording and its message in one transaction: never a linked file without its
        // message (it would count against the report's limits, seen by nobody).
        let message = self.reporter_message(report, String::new(), to, Utc::now().date_naive());
        Ok(self.add_attachment_with(report, e, Some(message)).await?.map(|_| ()))
    }

    /// A file added later by the reporter; it lands with the report (and so in its case). The
    /// report's evidence limits are checked again with the report's row held, so parallel
    /// uploads cannot pass them together; `Ok(Err(_))` when a limit refused the file.
    pub async fn add_attachment(
        &self,
        report: &model::ReceiptReport,
        e: Evidence,
    ) -> Result<Result<i32, EvidenceError>, AppError> {
        self.add_attachment_with(report, e, None).await
    }

    /// [`Intake::add_attachment`], and with `message` the voice message it is the recording of,
    /// in the same transaction.
    async fn add_attachment_with(
        &self,
        report: &model::ReceiptReport,
        e: Evidence,
        message: Option<ReporterMessage>,
    ) -> Result<Result<i32, EvidenceError>, AppError> {
        let report_id = report.id;
        if report.sealed && report.data_key.is_none() {
            return Err(AppError::internal("a sealed report's key did not open"));
        }
        let today = Utc::now().date_naive();
        let caps = self.caps();
        let (size, sha256) = (e.size, e.sha256.clone());
        let staged = self.stage_evidence(vec![e], today, report.data_key.clone()).await?;
        let linked = staged.clone();
        let done = self
            .db
            .transaction(move |c| {
                if message.is_some() {
                    // A message takes the report's event first, as every write on it does.
                    model::lock_event_of_report(c, report_id)?;
                }
                model::lock_report(c, report_id)?;
                let usage = model::evidence_usage(c, report_id, today)?;
                if let Err(refused) = evidence::check_caps(&caps, &usage, &[size]) {
                    return Ok(Err(refused));
                }
                if model::link_attachments(c, report_id, &linked)? != 1 {
                    return Err(AppError::internal("a staged evidence file was gone before it was linked"));
                }
                let id = linked[0];
                audit::hold_reporter(
                    c,
                    today,
                    "report.attachment",
                    "report",
                    &report_id.to_string(),
                    &format!("attachment={id} sha256={sha256}"),
                    None,
                )?;
                if let Some(m) = &message {
                    m.write(c, Some(id))?;
                }
                Ok(Ok(id))
            })
            .await;
        if !matches!(done, Ok(Ok(_))) {
            self.unstage(staged).await;
        }
        done
    }
}

/// A reporter's message, written in the caller's transaction (which has taken the report's
/// event first, `model::lock_event_of_report`), with its recording when it is a voice message.
struct ReporterMessage {
    report_id: i32,
    today: chrono::NaiveDate,
    body: String,
    chosen: Option<i32>,
    key: Option<crate::crypto::SecretKey>,
    catalog: Arc<Catalog>,
    base: String,
}

impl ReporterMessage {
    fn write(&self, c: &mut crate::db::DbConn, recording: Option<i32>) -> Result<(), AppError> {
        let (report_id, today) = (self.report_id, self.today);
        let cases = model::case_institutions_of_report(c, report_id)?;
        let latest = model::latest_staff_institution(c, report_id)?;
        let thread = reply_thread(self.chosen, latest, &cases);
        let id =
            model::add_message(c, report_id, "reporter", None, &self.body, today, thread, self.key.as_ref())?;
        if let Some(a) = recording {
            model::set_message_attachment(c, id, a)?;
        }
        let details = match recording {
            Some(a) => format!("message={id} voice attachment={a}"),
            None => format!("message={id}"),
        };
        // Privacy: the audit entry and the mail to the assignees are held back and written
        // later at random (see `audit::hold_reporter`), so that neither dates the reporter's
        // message finer than its day.
        let mut mails = vec![];
        for (case_id, email, lang) in model::assignees_of_report(c, report_id, thread)? {
            let link = format!("{}/staff/cases/{case_id}", self.base);
            let args = [("link", link), ("case", case_id.to_string())];
            let (subject, body) = crate::notify::compose(&self.catalog, &lang, "reporter-message", &args);
            mails.push(audit::HeldMail { to: email, subject, body, kind: "reporter-message".into() });
        }
        let rid = report_id.to_string();
        audit::hold_reporter(c, today, "report.message", "report", &rid, &details, mails.first())?;
        // Further mails are held on their own (no audit entry of their own).
        for m in mails.iter().skip(1) {
            audit::hold_reporter(c, today, "", "report", &rid, "", Some(m))?;
        }
        Ok(())
    }
}

/// Message bodies from reporters: not empty, not a book.
/// A day in words in the reader's language: "1er mars 2026", "15 January 2026".
pub fn date_in_words(d: chrono::NaiveDate, lang: &str) -> String {
    use chrono::Datelike;
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = d.month0() as usize;
    match lang {
        "en" => format!("{} {} {}", d.day(), EN[m], d.year()),
        _ if d.day() == 1 => format!("1er {} {}", FR[m], d.year()),
        _ => format!("{} {} {}", d.day(), FR[m], d.year()),
    }
}

pub fn check_message(body: &str) -> Result<String, &'static str> {
    let b = submit::plain(body);
    let b = b.trim();
    if b.is_empty() {
        Err("err-message-empty")
    } else if b.chars().count() > submit::NARRATIVE_MAX {
        Err("err-text-too-long")
    } else {
        Ok(b.to_string())
    }
}

/// Makes the staff copy of the photos saved before copies existed, one at a time, in the
/// background; until then those photos are readable by the auditor only.
async fn backfill_safe_copies(db: Db) {
    let mut after = 0;
    loop {
        let next = db.run(move |c| model::next_image_without_copy(c, after)).await;
        let (id, data) = match next {
            Ok(Some(row)) => row,
            Ok(None) => return,
            Err(e) => {
                crate::logs::error("evidence", &format!("evidence: safe copies: {e}"));
                return;
            }
        };
        after = id;
        let Ok(_permit) = REENCODE.acquire().await else { return };
        let copy = rocket::tokio::task::spawn_blocking(move || evidence::safe_image(&Source::Bytes(data)))
            .await
            .ok()
            .flatten();
        if let Some(copy) = copy {
            let saved =
                db.run(move |c| Ok(model::set_safe_copy(c, id, copy.content_type, &copy.data)?)).await;
            if let Err(e) = saved {
                crate::logs::error("evidence", &format!("evidence: safe copies: {e}"));
                return;
            }
        }
    }
}

pub fn stage() -> AdHoc {
    AdHoc::on_ignite("reports", |rocket| async {
        let writes = EvidenceWrites::for_pool(rocket.state::<Arc<Config>>().map_or(8, |c| c.db_pool_size));
        rocket
            .manage(writes)
            .mount("/", routes::routes())
            .mount("/api/v1", api::routes())
            .attach(AdHoc::on_liftoff("evidence safe copies", |rocket| {
                Box::pin(async move {
                    if let Some(db) = rocket.state::<Db>().cloned() {
                        rocket::tokio::spawn(backfill_safe_copies(db));
                    }
                })
            }))
            .attach(AdHoc::on_liftoff("staged evidence sweep", |rocket| {
                Box::pin(async move {
                    let Some(db) = rocket.state::<Db>().cloned() else { return };
                    let mut shutdown = rocket.shutdown();
                    rocket::tokio::spawn(async move {
                        loop {
                            sweep_staged(&db).await;
                            rocket::tokio::select! {
                                _ = rocket::tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                                _ = &mut shutdown => break,
                            }
                        }
                    });
                })
            }))
    })
}

/// Deletes the evidence files stored but never linked to a report (a request that failed
/// between the two steps), once they are more than a day old.
pub async fn sweep_staged(db: &Db) {
    let before = Utc::now().date_naive() - chrono::Days::new(1);
    // Read first: start-up writes nothing when there is nothing to sweep.
    match db.run(move |c| Ok(model::count_staged(c, before)?)).await {
        Ok(0) => return,
        Ok(_) => {}
        Err(e) => {
            return crate::logs::error(
                "evidence",
                &format!("evidence: the sweep of staged files failed: {e}"),
            )
        }
    }
    match db.transaction(move |c| Ok(model::delete_staged(c, None, before)?)).await {
        Ok(0) => {}
        Ok(n) => crate::logs::notice(
            "evidence",
            &format!("evidence: {n} staged file(s) never linked to a report deleted"),
        ),
        Err(e) => crate::logs::error("evidence", &format!("evidence: the sweep of staged files failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::reply_thread;

    #[test]
    fn dates_are_said_in_words_in_each_language() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        use super::date_in_words;
        assert_eq!(date_in_words(d(2026, 1, 15), "fr"), "15 janvier 2026");
        assert_eq!(date_in_words(d(2026, 3, 1), "fr"), "1er mars 2026");
        assert_eq!(date_in_words(d(2026, 8, 2), "en"), "2 August 2026");
    }

    #[test]
    fn a_reply_goes_to_the_chosen_thread_else_the_last_writer_else_the_only_case() {
        assert_eq!(reply_thread(Some(2), Some(1), &[1, 2]), Some(2));
        // A choice outside the event's cases is ignored.
        assert_eq!(reply_thread(Some(3), Some(1), &[1, 2]), Some(1));
        assert_eq!(reply_thread(None, None, &[2]), Some(2));
        assert_eq!(reply_thread(None, None, &[1, 2]), None);
        assert_eq!(reply_thread(None, None, &[]), None);
        // A staff message of an institution whose case is gone does not decide.
        assert_eq!(reply_thread(None, Some(3), &[1, 2]), None);
    }
}
