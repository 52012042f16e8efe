//! Follow-up reminders: per office, what it must report before the next cut-off and what
//! is overdue or late. Shown on the office's pages always; sent by e-mail when SMTP is
//! configured (`participa recordatorios`).

use crate::dates::fecha;
use crate::followup::dashboard;
use chrono::NaiveDate;
use participa_domain::followup::ScheduleStatus;
use participa_domain::{Calendar, OfficeCode, Plan};
use participa_store::{FollowUp, Store, StoreError};

/// What one office owes on one plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub office: String,
    pub office_name: String,
    pub plan_id: i64,
    pub plan_title: String,
    /// The period due next and the last day to report it, in words.
    pub period: Option<(String, String)>,
    /// The same period's number and last day to report it.
    pub due_period: Option<(u32, NaiveDate)>,
    /// Activities to report for that period: (number, description).
    pub due: Vec<(u32, String)>,
    /// Activities overdue or late at `today`, with their status.
    pub overdue: Vec<(u32, String, &'static str)>,
}

pub fn reminders(
    plan_id: i64,
    plan: &Plan,
    f: &FollowUp,
    calendar: &Calendar,
    close_after: u32,
    today: NaiveDate,
) -> Vec<Reminder> {
    let d = dashboard(plan, f, calendar, close_after, today, None);
    let due_period = d
        .due
        .map(|p| (p.number, p.window(calendar, close_after).closes));
    let period = d.due.map(|p| {
        (
            p.name(f.settings.frequency),
            fecha(p.window(calendar, close_after).closes),
        )
    });
    let description = |n: u32| {
        plan.activities
            .iter()
            .find(|a| a.number.get() == n)
            .map(|a| a.description.clone())
            .unwrap_or_default()
    };
    plan.offices
        .iter()
        .filter_map(|o| {
            let due: Vec<(u32, String)> = d
                .owed
                .iter()
                .find(|w| w.office == o.code.as_str())
                .map(|w| w.activities.iter().map(|n| (*n, description(*n))).collect())
                .unwrap_or_default();
            let overdue: Vec<(u32, String, &'static str)> = d
                .rows
                .iter()
                .filter(|r| matches!(r.status, ScheduleStatus::Overdue | ScheduleStatus::Late))
                .filter(|r| r.codes.split('-').any(|c| c == o.code.as_str()))
                .map(|r| (r.number, r.description.clone(), r.status.label()))
                .collect();
            (!due.is_empty() || !overdue.is_empty()).then(|| Reminder {
                office: o.code.to_string(),
                office_name: o.name.clone(),
                plan_id,
                plan_title: plan.title.clone(),
                period: period.clone(),
                due_period,
                due,
                overdue,
            })
        })
        .collect()
}

/// The reminders of every published plan at `today`.
pub async fn all_reminders(store: &Store, today: NaiveDate) -> Result<Vec<Reminder>, StoreError> {
    let calendar = store.calendar().await?;
    let close_after = store.reporting_days(today).await?;
    let mut out = Vec::new();
    for p in store.published_plans().await? {
        let f = store.followup(p.id).await?;
        out.extend(reminders(
            p.id.0,
            &p.plan,
            &f,
            &calendar,
            close_after,
            today,
        ));
    }
    Ok(out)
}

/// The e-mail text of one person's reminders.
pub fn message_text(name: &str, items: &[&Reminder], base_url: &str) -> String {
    let mut s = format!("Hola, {name}:\n\nEste es el recordatorio de seguimiento de Participa.\n");
    for r in items {
        s += &format!("\n{} · {} ({})\n", r.plan_title, r.office_name, r.office);
        if let Some((period, closes)) = &r.period {
            if !r.due.is_empty() {
                s += &format!("  Reportar para {period}, a más tardar el {closes}:\n");
                for (n, d) in &r.due {
                    s += &format!("    {n}. {d}\n");
                }
            }
        }
        if !r.overdue.is_empty() {
            s += "  Vencidas o atrasadas:\n";
            for (n, d, status) in &r.overdue {
                s += &format!("    {n}. {d} ({status})\n");
            }
        }
        s += &format!(
            "  Reportar en: {}/admin/planes/{}/seguimiento?dependencia={}\n",
            base_url.trim_end_matches('/'),
            r.plan_id,
            r.office
        );
    }
    s += "\nEste mensaje se envía automáticamente; no lo responda.\n";
    s
}

pub use crate::mail::Mailer;

/// Sends each active reporter with an e-mail address the reminders of its offices;
/// returns the addresses written to.
pub async fn send_reminders(
    store: &Store,
    mailer: &Mailer,
    today: NaiveDate,
    base_url: &str,
) -> Result<Vec<String>, String> {
    let all = all_reminders(store, today)
        .await
        .map_err(|e| e.to_string())?;
    let users = store.users().await.map_err(|e| e.to_string())?;
    let mut sent = Vec::new();
    for u in users.iter().filter(|u| u.active) {
        let Some(email) = u.email.as_deref() else {
            continue;
        };
        let mine: Vec<&Reminder> = all
            .iter()
            .filter(|r| {
                u.offices
                    .iter()
                    .any(|o: &OfficeCode| o.as_str() == r.office)
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let subject = format!("Participa: seguimiento pendiente ({})", fecha(today));
        mailer
            .send(email, &subject, message_text(&u.full_name, &mine, base_url))
            .await?;
        sent.push(email.to_string());
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_lists_what_is_due_and_what_is_late() {
        let r = Reminder {
            office: "ARCOM".into(),
            office_name: "Área de Comunicaciones".into(),
            plan_id: 1,
            plan_title: "Plan de Participación Ciudadana 2025".into(),
            period: Some((
                "Cuatrimestre 1 (corte 2025-04-30)".into(),
                "15 may 2025".into(),
            )),
            due_period: NaiveDate::from_ymd_opt(2025, 5, 15).map(|d| (1, d)),
            due: vec![(13, "Redes sociales".into())],
            overdue: vec![(3, "Convocatoria".into(), "Vencida")],
        };
        let text = message_text("Carlos", &[&r], "https://participa.example/");
        assert!(text.contains("a más tardar el 15 may 2025"));
        assert!(text.contains("13. Redes sociales"));
        assert!(text.contains("3. Convocatoria (Vencida)"));
        assert!(
            text.contains("https://participa.example/admin/planes/1/seguimiento?dependencia=ARCOM")
        );
    }
}
