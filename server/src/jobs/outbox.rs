//! Sends the email outbox over SMTP (lettre): every few seconds, each due message is
//! claimed, sent and marked sent; a failure waits longer each time. Orders never wait for
//! email, and a message is sent once however often the store restarts.

use crate::config::{ConfigError, MailConfig};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tradewind_domain::entity::email_outbox;
use tradewind_domain::outbox;

/// Messages sent per pass at most.
const BATCH: u64 = 20;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer the settings describe, or `None` when no SMTP host is set (email off).
    pub fn from_config(cfg: &MailConfig) -> Result<Option<Self>, ConfigError> {
        let Some(host) = cfg.smtp_host.as_deref().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let builder = match cfg.smtp_tls.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
            other => return Err(ConfigError::SmtpTls(other.to_owned())),
        }
        .map_err(|e| ConfigError::SmtpHost(e.to_string()))?;
        let port = cfg.smtp_port.unwrap_or(match cfg.smtp_tls.as_str() {
            "tls" => 465,
            "none" => 25,
            _ => 587,
        });
        let mut builder = builder.port(port).timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&cfg.smtp_user, &cfg.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from = cfg
            .mail_from
            .parse()
            .map_err(|_| ConfigError::MailFrom(cfg.mail_from.clone()))?;
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }

    async fn send(&self, m: &email_outbox::Model) -> Result<(), String> {
        let to: Mailbox = m
            .to_address
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                m.text_body.clone(),
                m.html_body.clone(),
            ))
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("smtp: {e}"))
    }
}

/// One pass over the due messages (at most `BATCH`); how many were sent. Each is claimed just
/// before it is sent, so a slow SMTP server never lets another sender's claim lapse onto a
/// message still waiting here.
pub async fn send_due(db: &DatabaseConnection, mailer: &Mailer) -> usize {
    let mut sent = 0;
    for _ in 0..BATCH {
        let m = match outbox::claim_due(db, 1).await {
            Ok(mut due) => match due.pop() {
                Some(m) => m,
                None => break,
            },
            Err(e) => {
                tracing::warn!(error = %e, "outbox unreadable");
                break;
            }
        };
        let result = match mailer.send(&m).await {
            Ok(()) => {
                sent += 1;
                tracing::info!(id = m.id, kind = %m.kind, "email sent");
                outbox::mark_sent(db, m.id).await
            }
            Err(e) => {
                tracing::warn!(id = m.id, kind = %m.kind, attempt = m.attempts + 1, error = %e, "email not sent; will retry");
                outbox::mark_failed(db, &m, &e).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(id = m.id, error = %e, "outbox not updated");
        }
    }
    sent
}

/// Sends due messages every `every` for as long as the store runs; without a mailer, says
/// once that email is off.
pub fn spawn(db: DatabaseConnection, mailer: Option<Mailer>, every: Duration) {
    let Some(mailer) = mailer else {
        tracing::warn!(
            "email is off (no TRADEWIND_SMTP_HOST): order email waits in the outbox until it is set"
        );
        return;
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            send_due(&db, &mailer).await;
        }
    });
}
