//! The work that waits, done by `participa serve` itself: delivering the outbox's
//! e-mails through SMTP (with retries and backoff) and writing the follow-up reminders
//! on business days. No cron and no queue server: the outbox table is the queue, so
//! several app servers can run this task at once (claims are leases, reminders are
//! written at most once per person, plan, period and stage).

use crate::dates::{fecha, in_colombia};
use crate::mail::Mailer;
use crate::reminders::all_reminders;
use chrono::{DateTime, Datelike, Timelike, Utc};
use participa_domain::OfficeCode;
use participa_store::{
    Notice, NoticeKind, OutgoingMail, Recipients, RetryPolicy, Store, StoreError,
};
use std::time::Duration;

/// When reminders are written: on business days of the Colombian calendar, from
/// `hour` (Colombian time), for the period whose reporting deadline is at most
/// `days_before` business days away; overdue activities once a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSchedule {
    pub hour: u32,
    pub days_before: u32,
}

impl Default for ReminderSchedule {
    fn default() -> ReminderSchedule {
        ReminderSchedule {
            hour: 7,
            days_before: 3,
        }
    }
}

/// Everything the task needs.
pub struct OutboxSettings {
    /// None: notifications stay in the app.
    pub mailer: Option<Mailer>,
    /// The platform's public address (`https://participa.entidad.gov.co`), for links.
    pub base_url: String,
    /// The entity's name, for the signature of each message.
    pub entity: String,
    pub policy: RetryPolicy,
    /// How often the task looks for work.
    pub every: Duration,
    pub reminders: ReminderSchedule,
}

/// What one pass of delivery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    /// The last failure's reason, for the server's log.
    pub last_error: Option<String>,
}

/// The e-mail text of a notification: its text, the link where to act, and how to stop
/// receiving these messages.
pub fn mail_text(mail: &OutgoingMail, base_url: &str, entity: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let mut text = String::new();
    if !mail.name.trim().is_empty() {
        text += &format!("Hola, {}:\n\n", mail.name.trim());
    }
    text += mail.body.trim();
    text += "\n\n";
    if !mail.link.is_empty() {
        text += &format!("Para verlo: {base}{}\n\n", mail.link);
    }
    text += &format!(
        "—\nParticipa · {entity}. Este mensaje se envía automáticamente; no lo responda.\n"
    );
    if mail.link.starts_with("/admin") {
        text += &format!(
            "Puede dejar de recibir estos correos en {base}/admin/notificaciones (los avisos \
             siguen en la plataforma).\n"
        );
    }
    text
}

/// The message's identifier: the same for every attempt of one notification, so a mail
/// reader shows a message that was sent twice (a server stopped between the mail
/// server's answer and the mark) as one.
fn message_id(mail: &OutgoingMail, base_url: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("participa.localhost");
    format!(
        "notificacion-{}-{}@{host}",
        mail.id,
        mail.created_at.timestamp()
    )
}

/// Sends every e-mail due at `now`, batch after batch, until none is left.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    base_url: &str,
    entity: &str,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
) -> Result<Delivered, StoreError> {
    let mut done = Delivered::default();
    // Each mail is signed by its entity and links to its site; the first entity's are
    // as the server was started (its name and address).
    let entities = store.entities().await?;
    let first = entities.iter().map(|e| e.id).min();
    let site_of = |id: i64| -> (String, String) {
        match entities.iter().find(|e| e.id == id) {
            Some(e) if Some(e.id) != first => (site_address(base_url, e), e.data.name.clone()),
            _ => (base_url.to_string(), entity.to_string()),
        }
    };
    // The sender an entity set in its settings, under its name.
    let sender_of = |id: i64| {
        entities
            .iter()
            .find(|e| e.id == id && !e.data.mail_from.is_empty())
            .map(|e| (e.data.name.as_str(), e.data.mail_from.as_str()))
    };
    loop {
        let batch = store.claim_mail(now, policy, 20).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let mut failed_in_batch = 0;
        for mail in &batch {
            let (base_url, entity) = site_of(mail.entity);
            let text = mail_text(mail, &base_url, &entity);
            let id = Some(message_id(mail, &base_url));
            match mailer
                .send_message(
                    &mail.to,
                    &mail.name,
                    &mail.subject,
                    text,
                    id,
                    sender_of(mail.entity),
                )
                .await
            {
                Ok(()) => {
                    store.mail_sent(mail, Utc::now()).await?;
                    done.sent += 1;
                }
                Err(e) => {
                    store.mail_failed(mail, &e, Utc::now(), policy).await?;
                    done.last_error = Some(e);
                    done.failed += 1;
                    failed_in_batch += 1;
                }
            }
        }
        // The mail server refuses everything: leave the rest for the next pass.
        if failed_in_batch == batch.len() {
            return Ok(done);
        }
    }
}

/// The public address of an entity's site other than the first: its own host name when
/// the platform is served over HTTPS and it has one, else `/e/{slug}` on the
/// platform's address `base`.
pub fn site_address(base: &str, e: &participa_store::EntityRecord) -> String {
    match e.data.hosts.first() {
        Some(host) if base.starts_with("https://") => format!("https://{host}"),
        _ => format!("{}/e/{}", base.trim_end_matches('/'), e.data.slug),
    }
}

/// Writes the reminders due at `now`: nothing on a day off or before the hour; for the
/// period due next, once per office, person, plan and period when its deadline is at
/// most `days_before` business days away; for overdue or late activities, once a week.
/// Returns how many notifications were written.
pub async fn write_reminders(
    store: &Store,
    now: DateTime<Utc>,
    schedule: &ReminderSchedule,
) -> Result<usize, StoreError> {
    let local = in_colombia(now);
    let today = local.date_naive();
    let calendar = store.calendar().await?;
    if !calendar.is_business_day(today) || local.hour() < schedule.hour {
        return Ok(0);
    }
    let mut written = 0;
    for r in all_reminders(store, today).await? {
        let Ok(office) = OfficeCode::parse(&r.office) else {
            continue;
        };
        let link = format!(
            "/admin/planes/{}/seguimiento?dependencia={}",
            r.plan_id, r.office
        );
        if let (Some((number, closes)), Some((name, _))) = (r.due_period, &r.period) {
            let left = calendar.business_days_between(today, closes);
            if !r.due.is_empty() && (0..=i64::from(schedule.days_before)).contains(&left) {
                let list: Vec<String> = r.due.iter().map(|(n, d)| format!("  {n}. {d}")).collect();
                let mut notice = Notice::new(
                    Recipients::Offices(vec![office.clone()]),
                    NoticeKind::PeriodClosing,
                    format!(
                        "Reporte de seguimiento: vence el {} ({})",
                        fecha(closes),
                        r.office_name
                    ),
                    format!(
                        "{} debe reportar el avance de {name} de «{}» a más tardar el {} \
                         ({}). Actividades por reportar:\n{}",
                        r.office_name,
                        r.plan_title,
                        fecha(closes),
                        days_left(left),
                        list.join("\n")
                    ),
                    link.clone(),
                );
                notice.once = Some(format!(
                    "recordatorio|{}|{}|{number}|antes",
                    r.plan_id, r.office
                ));
                written += store.notify(&notice).await?;
            }
        }
        if !r.overdue.is_empty() {
            let week = today.iso_week();
            let list: Vec<String> = r
                .overdue
                .iter()
                .map(|(n, d, status)| format!("  {n}. {d} ({})", status.to_lowercase()))
                .collect();
            let count = r.overdue.len();
            let mut notice = Notice::new(
                Recipients::Offices(vec![office]),
                NoticeKind::ReportOverdue,
                format!(
                    "{} con atraso: {}",
                    if count == 1 {
                        "1 actividad".to_string()
                    } else {
                        format!("{count} actividades")
                    },
                    r.office_name
                ),
                format!(
                    "En «{}», {} de {} {} vencida o atrasada al {}:\n{}",
                    r.plan_title,
                    if count == 1 {
                        "esta actividad".to_string()
                    } else {
                        format!("estas {count} actividades")
                    },
                    r.office_name,
                    if count == 1 { "está" } else { "están" },
                    fecha(today),
                    list.join("\n")
                ),
                link,
            );
            notice.once = Some(format!(
                "vencidas|{}|{}|{}-{:02}",
                r.plan_id,
                r.office,
                week.year(),
                week.week()
            ));
            written += store.notify(&notice).await?;
        }
    }
    Ok(written)
}

fn days_left(n: i64) -> String {
    match n {
        0 => "hoy es el último día".into(),
        1 => "queda 1 día hábil".into(),
        n => format!("quedan {n} días hábiles"),
    }
}

/// The pause between two entities' reminders in the daily pass.
const REMINDER_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

/// Runs until the process ends: every `settings.every` delivers the e-mails due, and
/// once a day, at the reminders' hour of Colombian time or at the first pass after it,
/// writes the reminders due for every entity (each is written once per stage anyway;
/// one pass a day spares recomputing every plan's dashboard of every entity each hour).
/// The pass pauses briefly between entities, so that at national scale it takes a
/// little of one core for a while instead of all of it at once, and says when it is
/// done. A failing pass is logged and tried again on the next one. It writes only
/// through the log (standard error, whose write errors the log ignores): a `println!`
/// here would panic, and stop the mail, once whoever started the server stopped
/// reading its standard output.
pub async fn run(store: Store, settings: OutboxSettings) {
    let mut reminded: Option<chrono::NaiveDate> = None;
    loop {
        let now = Utc::now();
        let local = in_colombia(now);
        let day = local.date_naive();
        if reminded != Some(day) && local.hour() >= settings.reminders.hour {
            let began = std::time::Instant::now();
            // Every entity's, each in its own scope.
            let mut all = Ok(());
            let mut count = 0;
            match store.entities().await {
                Ok(entities) => {
                    count = entities.len();
                    for e in entities {
                        let scoped = store.for_entity(e.id);
                        if let Err(err) = write_reminders(&scoped, now, &settings.reminders).await {
                            all = Err(err);
                        }
                        if count > 1 {
                            tokio::time::sleep(REMINDER_PAUSE).await;
                        }
                    }
                }
                Err(err) => all = Err(err),
            }
            match all {
                Ok(()) => {
                    reminded = Some(day);
                    tracing::info!(
                        "Recordatorios del día revisados: {} en {} s.",
                        match count {
                            1 => "1 entidad".to_string(),
                            n => format!("{n} entidades"),
                        },
                        began.elapsed().as_secs()
                    );
                }
                Err(e) => tracing::warn!("recordatorios: {e}"),
            }
        }
        if let Some(mailer) = &settings.mailer {
            match deliver_due(
                &store,
                mailer,
                &settings.base_url,
                &settings.entity,
                &settings.policy,
                now,
            )
            .await
            {
                Ok(d) if d.failed > 0 => tracing::warn!(
                    "correo: {} enviados, {} fallaron (se reintentan): {}",
                    d.sent,
                    d.failed,
                    d.last_error.unwrap_or_default()
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("correo: {e}"),
            }
        }
        tokio::time::sleep(settings.every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(link: &str) -> OutgoingMail {
        OutgoingMail {
            id: 7,
            token: "t".into(),
            to: "ana@example.org".into(),
            name: "Ana Gómez".into(),
            subject: "Reporte devuelto".into(),
            body: "Control interno devolvió el reporte.".into(),
            link: link.into(),
            created_at: DateTime::parse_from_rfc3339("2025-05-02T15:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            attempts: 0,
            entity: 1,
        }
    }

    #[test]
    fn the_mail_greets_links_where_to_act_and_says_how_to_stop() {
        let text = mail_text(
            &mail("/admin/planes/1/seguimiento/actividades/3?periodo=1"),
            "https://participa.example.gov.co/",
            "Caja Honor",
        );
        assert!(text.starts_with("Hola, Ana Gómez:\n\nControl interno devolvió el reporte."));
        assert!(text.contains(
            "Para verlo: https://participa.example.gov.co/admin/planes/1/seguimiento/actividades/3?periodo=1"
        ));
        assert!(text.contains("https://participa.example.gov.co/admin/notificaciones"));
        assert!(text.contains("Participa · Caja Honor"));
    }

    #[test]
    fn a_citizen_is_not_sent_to_staff_settings() {
        let text = mail_text(&mail("/audiencias/2"), "https://p.example", "Caja Honor");
        assert!(!text.contains("/admin/notificaciones"));
    }

    #[test]
    fn every_attempt_of_a_notification_carries_one_message_id() {
        let m = mail("/admin");
        assert_eq!(
            message_id(&m, "https://participa.example.gov.co:8443/base"),
            "notificacion-7-1746198000@participa.example.gov.co"
        );
        assert_eq!(message_id(&m, "nada"), "notificacion-7-1746198000@nada");
    }

    #[test]
    fn days_left_read_as_words() {
        assert_eq!(days_left(0), "hoy es el último día");
        assert_eq!(days_left(1), "queda 1 día hábil");
        assert_eq!(days_left(3), "quedan 3 días hábiles");
    }
}
