//! The mail transports: SMTP (plain, STARTTLS or TLS) and `.eml` files for development.

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use super::OutboxMessage;
use super::{MailConfig, MailTransport, SmtpTls};

pub enum Transport {
    Smtp(SmtpTransport),
    File(FileTransport, std::path::PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("bad address: {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("smtp: {0}")]
    Smtp(String),
    #[error("file: {0}")]
    File(String),
}

impl Transport {
    pub fn from_config(mail: &MailConfig) -> Result<Transport, String> {
        match mail.transport {
            MailTransport::File => {
                // Security: the mail folder is its owner's only; each file is made 0600.
                crate::private_fs::private_dir(&mail.file_dir)
                    .map_err(|e| format!("cannot create {}: {e}", mail.file_dir.display()))?;
                Ok(Transport::File(FileTransport::new(&mail.file_dir), mail.file_dir.clone()))
            }
            MailTransport::Smtp => {
                let builder = match mail.smtp_tls {
                    SmtpTls::Tls => SmtpTransport::relay(&mail.smtp_host).map_err(|e| e.to_string())?,
                    SmtpTls::Starttls => {
                        SmtpTransport::starttls_relay(&mail.smtp_host).map_err(|e| e.to_string())?
                    }
                    SmtpTls::None => SmtpTransport::builder_dangerous(&mail.smtp_host),
                };
                let mut builder =
                    builder.port(mail.smtp_port).timeout(Some(std::time::Duration::from_secs(20)));
                if let (Some(user), Some(pass)) = (&mail.smtp_user, &mail.smtp_password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                Ok(Transport::Smtp(builder.build()))
            }
            MailTransport::Disabled => Err("mail.transport `disabled` cannot deliver".into()),
        }
    }

    pub fn send(&self, from: &str, msg: &OutboxMessage) -> Result<(), TransportError> {
        let from: Mailbox = from.parse().map_err(|e| TransportError::Address(format!("{e}")))?;
        let to: Mailbox = msg.to_addr.parse().map_err(|e| TransportError::Address(format!("{e}")))?;
        let mut builder = Message::builder();
        if super::is_reporter_caused(&msg.kind) {
            // Privacy: the `Date:` of a mail a reporter's action caused is its day, not the
            // moment it was sent.
            let secs = u64::try_from(msg.created_at.and_utc().timestamp()).unwrap_or(0);
            builder = builder.date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        }
        let email = builder
            .from(from)
            .to(to)
            .subject(&msg.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone())
            .map_err(|e| TransportError::Build(e.to_string()))?;
        match self {
            Transport::Smtp(t) => t.send(&email).map(|_| ()).map_err(|e| TransportError::Smtp(e.to_string())),
            Transport::File(t, dir) => {
                let id = t.send(&email).map_err(|e| TransportError::File(e.to_string()))?;
                crate::private_fs::tighten_file(&dir.join(format!("{id}.eml")))
                    .map_err(|e| TransportError::File(e.to_string()))
            }
        }
    }
}
