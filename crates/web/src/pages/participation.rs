//! What the participation pages share: the plan activity a hearing, consultation, event
//! or channel figure carries out (offered, chosen, and who may record for it), whether a
//! consultation is open, the survey results tally (consultations and the hearing's
//! evaluation), event modalities, and counts as public pages write them.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::form::FieldErrors;
use crate::AppState;
use chrono::NaiveDate;
use participa_app::dates::fecha;
use participa_domain::participation::public_count;
use participa_domain::participation::survey::{average, tally_counted, QuestionKind};
use participa_domain::Action;
use participa_store::{Consultation, Store};
use std::collections::BTreeMap;

/// The activities of every plan, as `PLAN:ACTIVITY` choices (one store query).
pub async fn activity_choices(state: &AppState) -> AppResult<Vec<(String, String)>> {
    Ok(state
        .store
        .activity_choices()
        .await?
        .into_iter()
        .map(|a| {
            let mut label: String = a.description.chars().take(80).collect();
            if a.description.chars().count() > 80 {
                label.push('…');
            }
            (
                format!("{}:{}", a.plan_id, a.number),
                format!("{} · {}. {label}", a.year, a.number),
            )
        })
        .collect())
}

/// The `PLAN:ACTIVITY` a form chose (None for «Ninguna»); a value not offered is an error
/// on the `actividad` field.
pub fn chosen_activity(
    choices: &[(String, String)],
    value: &str,
    errors: &mut FieldErrors,
) -> Option<(i64, u32)> {
    if value.is_empty() {
        return None;
    }
    if !choices.iter().any(|(v, _)| v == value) {
        errors.insert("actividad", "Elija una actividad de la lista.".into());
        return None;
    }
    value
        .split_once(':')
        .and_then(|(p, a)| Some((p.parse().ok()?, a.parse().ok()?)))
}

/// Who may record participation for an activity: the admin, or an office responsible
/// for it; with no activity, only the admin.
pub async fn require_recorder(
    state: &AppState,
    user: &CurrentUser,
    activity: Option<(i64, u32)>,
) -> AppResult<()> {
    if user.can(Action::ManageParticipation) {
        return Ok(());
    }
    let Some((plan, number)) = activity else {
        return user.require(Action::ManageParticipation);
    };
    let offices = state
        .store
        .activity_offices(plan, number)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(Action::ReportProgress(&offices))
}

/// Whether a consultation takes answers or comments on `today`.
pub fn is_open(c: &Consultation, today: NaiveDate) -> bool {
    stage(c, today) == Stage::Open
}

/// Where a consultation stands on a day (the domain's rule).
pub use participa_domain::participation::builder::Stage;

pub fn stage(c: &Consultation, today: NaiveDate) -> Stage {
    c.stage(today)
}

/// The consultation as the public may see it: a draft is not found (404).
pub fn public_only(c: Consultation, today: NaiveDate) -> AppResult<Consultation> {
    if c.stage(today).is_public() {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// What the public page says about a consultation that is not open on `today`
/// (`noun`: «la consulta», «el foro»), or `None` while it is open.
pub fn not_open_notice(c: &Consultation, today: NaiveDate, noun: &str) -> Option<String> {
    match stage(c, today) {
        Stage::Open => None,
        Stage::Draft | Stage::Announced => Some(format!(
            "{} abre el {}: podrá participar desde ese día y hasta el {}.",
            crate::form::sentence(noun).trim_end_matches('.'),
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        )),
        Stage::Closed => Some(format!(
            "{} cerró el {}: ya no recibe participaciones.",
            crate::form::sentence(noun).trim_end_matches('.'),
            fecha(c.data.closes_on)
        )),
    }
}

/// How an event takes place: (code, label).
pub const MODALITIES: [(&str, &str); 3] = [
    ("presencial", "Presencial"),
    ("virtual", "Virtual"),
    ("mixto", "Mixto"),
];

/// The label of an event modality (the code itself when unknown).
pub fn modality_label(code: &str) -> String {
    MODALITIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code.to_string(), |(_, label)| label.to_string())
}

/// A count as public pages write it: fewer than 5 people (and more than none) is
/// «menos de 5» (Ley 1581 de 2012: no group small enough to point at someone).
pub fn written_count(n: usize) -> String {
    public_count(n).map_or_else(
        || "menos de 5".to_string(),
        |n| participa_domain::numbers::grouped(n as u64),
    )
}

/// One question's results: counts, percentages and a bar width.
pub struct ResultView {
    pub number: u32,
    pub text: String,
    pub answered: usize,
    /// (option, count, percent written, bar width 0–100).
    pub rows: Vec<(String, usize, String, u32)>,
    /// Open answers (shown to staff only).
    pub open: Vec<String>,
    pub average: String,
}

/// The newest open answers staff see on the results page; all are in the exports.
const OPEN_ANSWERS_SHOWN: i64 = 200;

/// Each question's results, from the counts the responses keep (two queries however
/// many responses, plus one per free-text question when `with_open`, for staff).
pub async fn results(
    store: &Store,
    c: &Consultation,
    with_open: bool,
) -> AppResult<Vec<ResultView>> {
    let counts = store.answer_counts(c.id).await?;
    let empty = (0, BTreeMap::new());
    let mut out = Vec::with_capacity(c.questions.len());
    for q in &c.questions {
        let (answered, values) = counts.get(&q.number).unwrap_or(&empty);
        let rows = match &q.kind {
            QuestionKind::Single(_) | QuestionKind::Multiple(_) | QuestionKind::Scale(_) => {
                let (counted, n) = tally_counted(q, *answered, values);
                counted
                    .into_iter()
                    .map(|(o, k)| (q.kind.value_label(&o), k))
                    .map(|(o, k)| {
                        let p = if n == 0 {
                            0.0
                        } else {
                            100.0 * k as f64 / n as f64
                        };
                        (o, k, participa_app::followup::pct(p), p.round() as u32)
                    })
                    .collect()
            }
            _ => vec![],
        };
        let average = match &q.kind {
            QuestionKind::Scale(_) | QuestionKind::Number => average(values)
                .map(participa_app::followup::pct)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let open = if with_open && q.kind == QuestionKind::Text {
            store
                .open_answers(c.id, q.number, OPEN_ANSWERS_SHOWN)
                .await?
        } else {
            vec![]
        };
        out.push(ResultView {
            number: q.number,
            text: q.text.clone(),
            answered: *answered,
            rows,
            open,
            average,
        });
    }
    Ok(out)
}
