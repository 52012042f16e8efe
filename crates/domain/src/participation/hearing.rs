//! The public accountability hearing (audiencia pública de rendición de cuentas, seed
//! activities 3 and 4): citizens register and ask questions before and during it; every
//! question gets a written answer within the legal term counted in business days after
//! the hearing (`audiencia.respuestas`); the accountability report is published ahead of
//! it (`audiencia.informe_previo`).

use crate::calendar::Calendar;
use crate::parameters::Term;
use crate::participation::survey::{Question, QuestionKind, ScaleEnds};
use chrono::NaiveDate;
use std::fmt;

/// Where a question stands against its legal term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QuestionStatus {
    /// Not answered, still within the term.
    Pending,
    Answered,
    /// Answered after the term.
    AnsweredLate,
    /// Not answered and the term has passed.
    Late,
}

impl QuestionStatus {
    pub fn label(self) -> &'static str {
        match self {
            QuestionStatus::Pending => "Pendiente",
            QuestionStatus::Answered => "Respondida",
            QuestionStatus::AnsweredLate => "Respondida fuera de término",
            QuestionStatus::Late => "Vencida sin respuesta",
        }
    }
}

/// The last day to answer the questions of a hearing held on `held_on`.
pub fn answer_deadline(calendar: &Calendar, term: Term, held_on: NaiveDate) -> NaiveDate {
    term.deadline(calendar, held_on).unwrap_or(held_on)
}

pub fn question_status(
    deadline: NaiveDate,
    answered_on: Option<NaiveDate>,
    today: NaiveDate,
) -> QuestionStatus {
    match answered_on {
        Some(d) if d <= deadline => QuestionStatus::Answered,
        Some(_) => QuestionStatus::AnsweredLate,
        None if today > deadline => QuestionStatus::Late,
        None => QuestionStatus::Pending,
    }
}

/// The latest day to publish the accountability report before a hearing.
pub fn report_due(term: Term, held_on: NaiveDate) -> NaiveDate {
    held_on
        .checked_sub_signed(chrono::Duration::days(term.value))
        .unwrap_or(NaiveDate::MIN)
}

pub const MIN_QUESTION: usize = 10;
pub const MAX_QUESTION: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HearingError {
    Title,
    Place,
    QuestionTooShort,
    QuestionTooLong(usize),
    Name,
}

impl HearingError {
    pub fn field(&self) -> &'static str {
        match self {
            HearingError::Title => "titulo",
            HearingError::Place => "lugar",
            HearingError::QuestionTooShort | HearingError::QuestionTooLong(_) => "pregunta",
            HearingError::Name => "nombre",
        }
    }
}

impl fmt::Display for HearingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HearingError::Title => write!(f, "escriba el nombre de la audiencia"),
            HearingError::Place => {
                write!(
                    f,
                    "indique el lugar o el enlace de la transmisión (al menos uno)"
                )
            }
            HearingError::QuestionTooShort => {
                write!(
                    f,
                    "escriba su pregunta o propuesta (al menos {MIN_QUESTION} caracteres)"
                )
            }
            HearingError::QuestionTooLong(n) => {
                write!(
                    f,
                    "su pregunta tiene {n} caracteres; el máximo es {MAX_QUESTION}"
                )
            }
            HearingError::Name => write!(f, "escriba su nombre para inscribirse"),
        }
    }
}

/// Checks a question's text.
pub fn check_question(text: &str) -> Result<String, HearingError> {
    let text = text.trim();
    let n = text.chars().count();
    if n < MIN_QUESTION {
        Err(HearingError::QuestionTooShort)
    } else if n > MAX_QUESTION {
        Err(HearingError::QuestionTooLong(n))
    } else {
        Ok(text.to_string())
    }
}

/// The evaluation survey citizens answer after the hearing: how they heard of it, how
/// clear and useful it was, whether it let them take part, and what to change. This is
/// the usual set of the DAFP evaluation format as recalled, a starting point staff can
/// extend from the consultation's page; it is not a legal text.
pub fn evaluation_questions() -> Vec<Question> {
    let choice = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let scale = || {
        QuestionKind::Scale(ScaleEnds {
            low: "Nada".into(),
            high: "Totalmente".into(),
        })
    };
    let q = |number: u32, text: &str, kind: QuestionKind, required: bool| Question {
        number,
        text: text.to_string(),
        kind,
        required,
        condition: None,
    };
    vec![
        q(
            1,
            "¿Cómo se enteró de la audiencia?",
            QuestionKind::Multiple(choice(&[
                "Invitación directa",
                "Página web",
                "Redes sociales",
                "Correo electrónico",
                "Medios de comunicación",
                "Otro",
            ])),
            true,
        ),
        q(
            2,
            "La información presentada fue clara (1 = nada, 5 = totalmente)",
            scale(),
            true,
        ),
        q(
            3,
            "Los temas tratados responden a sus intereses (1 = nada, 5 = totalmente)",
            scale(),
            true,
        ),
        q(
            4,
            "¿La audiencia le permitió participar y hacer preguntas?",
            QuestionKind::Single(choice(&["Sí", "No"])),
            true,
        ),
        q(
            5,
            "¿Considera necesario seguir haciendo estos espacios?",
            QuestionKind::Single(choice(&["Sí", "No"])),
            true,
        ),
        q(
            6,
            "¿Qué sugiere para la próxima audiencia?",
            QuestionKind::Text,
            false,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parameters::Unit;

    #[test]
    fn the_evaluation_survey_is_a_valid_survey() {
        let mut built: Vec<Question> = Vec::new();
        for q in evaluation_questions() {
            let checked = crate::participation::survey::check_question(
                &built,
                &q.text,
                q.kind.clone(),
                q.required,
                q.condition.clone(),
            )
            .unwrap();
            assert_eq!(checked, q);
            built.push(checked);
        }
        assert_eq!(built.len(), 6);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn questions_are_answered_within_business_days_after_the_hearing() {
        let cal = Calendar::new([]);
        let term = Term {
            value: 15,
            unit: Unit::BusinessDays,
        };
        // Wednesday 30 July 2025; 7 August is a holiday (Batalla de Boyacá) and 18 August
        // (Asunción, moved): 15 business days end on 22 August.
        let deadline = answer_deadline(&cal, term, d(2025, 7, 30));
        assert_eq!(deadline, d(2025, 8, 22));
        assert_eq!(
            question_status(deadline, None, d(2025, 8, 1)),
            QuestionStatus::Pending
        );
        assert_eq!(
            question_status(deadline, None, d(2025, 8, 25)),
            QuestionStatus::Late
        );
        assert_eq!(
            question_status(deadline, Some(d(2025, 8, 22)), d(2025, 9, 1)),
            QuestionStatus::Answered
        );
        assert_eq!(
            question_status(deadline, Some(d(2025, 8, 25)), d(2025, 9, 1)),
            QuestionStatus::AnsweredLate
        );
        let month = Term {
            value: 30,
            unit: Unit::CalendarDays,
        };
        assert_eq!(report_due(month, d(2025, 7, 30)), d(2025, 6, 30));
    }

    #[test]
    fn questions_have_a_length() {
        assert!(check_question("¿Cuándo habrá feria de vivienda en Cali?").is_ok());
        assert_eq!(
            check_question(" corta "),
            Err(HearingError::QuestionTooShort)
        );
        assert!(check_question(&"x".repeat(MAX_QUESTION + 1)).is_err());
    }
}
