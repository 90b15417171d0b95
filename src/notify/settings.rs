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
        }
    }
}
