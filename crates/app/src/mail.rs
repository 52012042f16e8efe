//! E-mail through SMTP: one connection setting, plain-text messages in Spanish.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// An SMTP connection: `smtp://host:port` (plain, for a local relay), `smtp://…?tls=required`
/// (STARTTLS) or `smtps://user:password@host` (TLS).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Whether `address` is one this mailer can send from or to.
pub fn sendable(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("servidor de correo «{url}»: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("remitente «{from}»: {e}"))?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        self.send_message(to, "", subject, body, None, None).await
    }

    /// Sends one message to `to` (shown with `name` when given); `message_id` (without
    /// angle brackets) lets mail readers recognise a message sent twice as one. `sender`
    /// (name, address) is the entity's own sender, when it set one; otherwise the
    /// deployment's.
    pub async fn send_message(
        &self,
        to: &str,
        name: &str,
        subject: &str,
        body: String,
        message_id: Option<String>,
        sender: Option<(&str, &str)>,
    ) -> Result<(), String> {
        // An entity's sender that is not a sendable address (checked when saved, with
        // [`sendable`]) falls back to the deployment's rather than stopping its mail.
        let from = match sender.and_then(|(name, address)| Some((name, address.parse().ok()?))) {
            Some((name, address)) => Mailbox::new(Some(name.to_string()), address),
            None => self.from.clone(),
        };
        let address = to
            .parse()
            .map_err(|e| format!("destinatario «{to}»: {e}"))?;
        let name = name.trim();
        let to = Mailbox::new((!name.is_empty()).then(|| name.to_string()), address);
        // Quoted-printable keeps the Spanish text readable in any mail reader.
        let body = Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
            .map_err(|_| "el texto del correo no se pudo codificar".to_string())?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(message_id.map(|id| format!("<{id}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("envío: {e}"))
    }
}
