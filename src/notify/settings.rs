//! How mail leaves, as configured under `[mail]`: the transport, SMTP and its protection, the
//! outbox worker's pace. Part of `notify` so that the outbox needs nothing of `config`.

use std::path::PathBuf;

use serde::Deserialize;

/// How mail leaves: `smtp` (production), `file` (writes .eml files, for development) or
/// `disabled`. A value outside these is refused with the key named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    Smtp,
    File,
    Disabled,
}

impl MailTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            MailTransport::Smtp => "smtp",
            MailTransport::File => "file",
            MailTransport::Disabled => "disabled",
        }
    }
}

/// How the SMTP connection is protected: `none`, `starttls` or `tls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    pub file_dir: PathBuf,
    /// The release profile refuses the `file` transport unless this is set.
    pub allow_file_transport_in_release: bool,
    /// Seconds between two passes of the outbox worker.
    pub poll_seconds: u64,
    pub max_attempts: i32,
    /// The key that mail carrying a sign-in link waits under in the outbox; derived from the
    /// installation's secret key at start (`crate::build`), never configured or written.
    #[serde(skip)]
    pub body_key: Option<BodyKey>,
}

/// Security: a welcome or reset mail holds a live link that sets an account's password, so its
/// body waits in `mail_outbox` sealed (AES-256-GCM) under a key derived from the secret key,
/// and is opened only to be handed to the transport: a copy of the database or a backup taken
/// while mail cannot leave opens no account. Free of web and database types.
#[derive(Clone)]
pub struct BodyKey([u8; 32]);

/// What a sealed body starts with in the outbox (no plain body starts so: they are texts of
/// the Fluent files, beginning with a greeting).
const SEALED_BODY: &str = "sealed-body:";

impl BodyKey {
    pub fn derive(secret_key: &str) -> BodyKey {
        BodyKey(crate::crypto::text::derive(secret_key, "mail-bodies"))
    }

    pub fn seal(&self, body: &str) -> String {
        format!("{SEALED_BODY}{}", crate::crypto::text::seal_with(&self.0, body))
    }

    /// The body as it is to be sent: a plain body as it is, a sealed one opened; `None` when a
    /// sealed body does not open (the secret key was changed since it was written).
    pub fn open(key: Option<&BodyKey>, stored: &str) -> Option<String> {
        match stored.strip_prefix(SEALED_BODY) {
            None => Some(stored.to_string()),
            Some(sealed) => crate::crypto::text::open_with(&key?.0, sealed),
        }
    }
}

impl std::fmt::Debug for BodyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyKey(…)")
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: MailTransport::File,
            from: "Vigie <vigie@localhost>".into(),
            smtp_host: "localhost".into(),
            smtp_port: 25,
            smtp_tls: SmtpTls::Starttls,
            smtp_user: None,
            smtp_password: None,
            file_dir: PathBuf::from("data/mail"),
            allow_file_transport_in_release: false,
            poll_seconds: 5,
            max_attempts: 12,
            body_key: None,
        }
    }
}
