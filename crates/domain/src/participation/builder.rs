//! Building a consultation that can be corrected: where it stands (a draft nobody
//! outside sees, announced, open, closed), opening it, and what staff may still change.
//!
//! Until the first answer (a survey response or a forum comment) everything can change:
//! questions are edited, deleted and reordered, conditions changed, and the
//! consultation's title, dates, description and activity. A condition always refers to
//! an EARLIER choice question and one of its options, so a reorder or a deletion that
//! would break one is refused with a message that names the questions. After the first
//! answer only wording can be fixed (a question's text, a scale's ends, the title and
//! description): the answers already given stay tied to what was asked.

use super::survey::{Condition, Question, QuestionKind, SurveyError};
use chrono::NaiveDate;
use std::fmt;

/// Where a consultation stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before its opening date and not announced: only staff see it (the public gets
    /// a 404 and the portal does not list it). It opens by itself on its opening date,
    /// or when staff open it now.
    Draft,
    /// Before its opening date, announced: its public page says when it opens and shows
    /// neither questions nor topics; answers are refused.
    Announced,
    Open,
    Closed,
}

impl Stage {
    pub fn of(draft: bool, opens_on: NaiveDate, closes_on: NaiveDate, today: NaiveDate) -> Stage {
        if today < opens_on {
            if draft {
                Stage::Draft
            } else {
                Stage::Announced
            }
        } else if today <= closes_on {
            Stage::Open
        } else {
            Stage::Closed
        }
    }

    /// What staff read next to the consultation's name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "Borrador",
            Stage::Announced => "Anunciada",
            Stage::Open => "Abierta",
            Stage::Closed => "Cerrada",
        }
    }

    /// Whether the public may reach its page at all.
    pub fn is_public(self) -> bool {
        self != Stage::Draft
    }
}

/// What may still change in a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nobody has answered (or commented) yet: everything can change.
    BeforeFirstAnswer,
    /// Someone answered: only wording fixes, each one recorded.
    Answered,
}

impl Phase {
    /// The phase of a consultation with `answers` responses or comments.
    pub fn of(answers: i64) -> Phase {
        if answers > 0 {
            Phase::Answered
        } else {
            Phase::BeforeFirstAnswer
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuilderError {
    Survey(SurveyError),
    NoSuchQuestion(u32),
    /// After the first answer, only the wording can change.
    OnlyWording,
    /// After the first answer, the dates and the activity stay.
    DataLocked,
    /// Question `question` is shown after an answer to question `depends_on`, which
    /// would no longer come before it (numbers as shown before the change).
    ConditionOrder {
        question: u32,
        depends_on: u32,
    },
    /// Question `by` depends on the question being deleted.
    DependedOn {
        by: u32,
    },
    /// Question `by` is shown for `option`, which the edit removes.
    OptionInUse {
        option: String,
        by: u32,
    },
    /// Opening needs something to answer.
    Empty {
        forum: bool,
    },
    /// Its closing date passed: it cannot open.
    ClosesInThePast(NaiveDate),
    /// It is already open or closed (or announced, for an announcement).
    NotADraft,
}

impl BuilderError {
    pub fn field(&self) -> &'static str {
        match self {
            BuilderError::Survey(e) => e.field(),
            BuilderError::OptionInUse { .. } => "opciones",
            BuilderError::ConditionOrder { .. } => "condicion",
            BuilderError::DataLocked => "abre",
            BuilderError::ClosesInThePast(_) => "cierra",
            _ => "consulta",
        }
    }
}

impl From<SurveyError> for BuilderError {
    fn from(e: SurveyError) -> Self {
        BuilderError::Survey(e)
    }
}

impl fmt::Display for BuilderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuilderError::Survey(e) => write!(f, "{e}"),
            BuilderError::NoSuchQuestion(n) => write!(f, "la consulta no tiene pregunta {n}"),
            BuilderError::OnlyWording => write!(
                f,
                "la consulta ya tiene respuestas: solo se puede corregir la redacción de la pregunta \
                 (y los textos de la escala); el tipo, las opciones, si es obligatoria y la condición \
                 se quedan como estaban"
            ),
            BuilderError::DataLocked => write!(
                f,
                "la consulta ya tiene respuestas: solo se pueden corregir el nombre y la presentación; \
                 las fechas y la actividad se quedan como estaban"
            ),
            BuilderError::ConditionOrder {
                question,
                depends_on,
            } => write!(
                f,
                "la pregunta {question} se muestra según la respuesta a la pregunta {depends_on}, \
                 que debe ir antes: cambie primero la condición de la pregunta {question}"
            ),
            BuilderError::DependedOn { by } => write!(
                f,
                "la pregunta {by} se muestra según la respuesta a esta: cambie primero la condición \
                 de la pregunta {by}"
            ),
            BuilderError::OptionInUse { option, by } => write!(
                f,
                "la pregunta {by} se muestra cuando se responde «{option}»: deje esa opción o cambie \
                 primero la condición de la pregunta {by}"
            ),
            BuilderError::Empty { forum: true } => {
                write!(f, "abra al menos un tema antes de abrir el foro")
            }
            BuilderError::Empty { forum: false } => {
                write!(f, "agregue al menos una pregunta antes de abrir la consulta")
            }
            BuilderError::ClosesInThePast(_) => write!(
                f,
                "la fecha de cierre ya pasó: cámbiela antes de abrir la consulta"
            ),
            BuilderError::NotADraft => write!(f, "la consulta ya no es un borrador"),
        }
    }
}

impl std::error::Error for BuilderError {}

/// "Abrir ahora": a draft or announced consultation with something to answer opens
/// `today`; returns its new opening date.
pub fn open_now(
    stage: Stage,
    closes_on: NaiveDate,
    today: NaiveDate,
    has_content: bool,
    forum: bool,
) -> Result<NaiveDate, BuilderError> {
    if !matches!(stage, Stage::Draft | Stage::Announced) {
        return Err(BuilderError::NotADraft);
    }
    if closes_on < today {
        return Err(BuilderError::ClosesInThePast(closes_on));
    }
    if !has_content {
        return Err(BuilderError::Empty { forum });
    }
    Ok(today)
}

/// Announcing a draft: its public page says from when it takes part; it opens by
/// itself on its date.
pub fn announce(stage: Stage) -> Result<(), BuilderError> {
    match stage {
        Stage::Draft => Ok(()),
        _ => Err(BuilderError::NotADraft),
    }
}

/// The consultation's data may change: everything before the first answer, only the
/// wording (title, description) after it.
pub fn check_data_change(
    phase: Phase,
    dates_or_activity_changed: bool,
) -> Result<(), BuilderError> {
    if phase == Phase::Answered && dates_or_activity_changed {
        return Err(BuilderError::DataLocked);
    }
    Ok(())
}

/// Every condition refers to an earlier choice question and one of its options.
fn condition_fits(earlier: &[Question], c: &Condition) -> bool {
    earlier
        .iter()
        .find(|q| q.number == c.question)
        .is_some_and(|q| q.kind.options().contains(&c.answer))
}

fn position(questions: &[Question], number: u32) -> Result<usize, BuilderError> {
    questions
        .iter()
        .position(|q| q.number == number)
        .ok_or(BuilderError::NoSuchQuestion(number))
}

/// What staff typed for a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionInput {
    pub text: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub condition: Option<Condition>,
}

/// Replaces question `number` by `input`: returns the checked question. Before the
/// first answer its condition must fit the questions before it, and the options that
/// later questions depend on must stay; after it, only the text and a scale's ends
/// may differ.
pub fn edit_question(
    questions: &[Question],
    number: u32,
    input: QuestionInput,
    phase: Phase,
) -> Result<Question, BuilderError> {
    let at = position(questions, number)?;
    let old = &questions[at];
    let checked = super::survey::check_question(
        &questions[..at],
        &input.text,
        input.kind,
        input.required,
        input.condition,
    )?;
    let question = Question { number, ..checked };
    if phase == Phase::Answered {
        let same_shape = match (&old.kind, &question.kind) {
            (QuestionKind::Scale(_), QuestionKind::Scale(_)) => true,
            (a, b) => a == b,
        };
        if !same_shape || old.required != question.required || old.condition != question.condition {
            return Err(BuilderError::OnlyWording);
        }
        return Ok(question);
    }
    for later in &questions[at + 1..] {
        if let Some(c) = later.condition.as_ref().filter(|c| c.question == number) {
            if !question.kind.options().contains(&c.answer) {
                return Err(BuilderError::OptionInUse {
                    option: c.answer.clone(),
                    by: later.number,
                });
            }
        }
    }
    Ok(question)
}

fn before_first_answer(phase: Phase) -> Result<(), BuilderError> {
    match phase {
        Phase::BeforeFirstAnswer => Ok(()),
        Phase::Answered => Err(BuilderError::OnlyWording),
    }
}

/// The questions without question `number`, numbered again, conditions following
/// their question; refused when another question depends on it.
pub fn delete_question(
    questions: &[Question],
    number: u32,
    phase: Phase,
) -> Result<Vec<Question>, BuilderError> {
    before_first_answer(phase)?;
    let at = position(questions, number)?;
    if let Some(by) = questions
        .iter()
        .find(|q| q.condition.as_ref().is_some_and(|c| c.question == number))
    {
        return Err(BuilderError::DependedOn { by: by.number });
    }
    let order: Vec<u32> = questions
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, q)| q.number)
        .collect();
    renumber(questions, &order)
}

/// The questions with question `number` moved to position `to` (1-based), numbered
/// again; refused when a condition would then refer to a later question.
pub fn move_question(
    questions: &[Question],
    number: u32,
    to: u32,
    phase: Phase,
) -> Result<Vec<Question>, BuilderError> {
    before_first_answer(phase)?;
    let at = position(questions, number)?;
    let to = (to.max(1) as usize - 1).min(questions.len() - 1);
    let mut order: Vec<u32> = questions.iter().map(|q| q.number).collect();
    let moved = order.remove(at);
    order.insert(to, moved);
    renumber(questions, &order)
}

/// The questions in `order` (their current numbers), numbered 1, 2, … with each
/// condition following the question it names. Every condition must still refer to an
/// earlier question.
fn renumber(questions: &[Question], order: &[u32]) -> Result<Vec<Question>, BuilderError> {
    let new_number = |old: u32| order.iter().position(|n| *n == old).map(|i| i as u32 + 1);
    let mut out: Vec<Question> = Vec::with_capacity(order.len());
    for (i, old) in order.iter().enumerate() {
        let q = &questions[position(questions, *old)?];
        let condition = match &q.condition {
            None => None,
            Some(c) => {
                let moved = Condition {
                    question: new_number(c.question).unwrap_or(0),
                    answer: c.answer.clone(),
                };
                if !condition_fits(&out, &moved) {
                    return Err(BuilderError::ConditionOrder {
                        question: q.number,
                        depends_on: c.question,
                    });
                }
                Some(moved)
            }
        };
        out.push(Question {
            number: i as u32 + 1,
            condition,
            ..q.clone()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participation::survey::{check_question, ScaleEnds};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    /// 1 single (Sí/No); 2 scale shown if 1 = Sí; 3 text; 4 single (A/B); 5 text if 4 = B.
    fn survey() -> Vec<Question> {
        let mut qs: Vec<Question> = Vec::new();
        let mut add = |text: &str, kind: QuestionKind, condition: Option<(u32, &str)>| {
            let c = condition.map(|(question, answer)| Condition {
                question,
                answer: answer.into(),
            });
            let q = check_question(&qs, text, kind, false, c).unwrap();
            qs.push(q);
        };
        add(
            "¿Usó el subsidio?",
            QuestionKind::from_code("unica", "Sí\nNo").unwrap(),
            None,
        );
        add(
            "¿Qué tan fácil fue?",
            QuestionKind::Scale(ScaleEnds::default()),
            Some((1, "Sí")),
        );
        add("¿Qué mejoraría?", QuestionKind::Text, None);
        add(
            "¿Cuál prefiere?",
            QuestionKind::from_code("unica", "A\nB").unwrap(),
            None,
        );
        add("¿Por qué B?", QuestionKind::Text, Some((4, "B")));
        qs
    }

    fn texts(qs: &[Question]) -> Vec<(u32, &str, Option<u32>)> {
        qs.iter()
            .map(|q| {
                (
                    q.number,
                    q.text.as_str(),
                    q.condition.as_ref().map(|c| c.question),
                )
            })
            .collect()
    }

    #[test]
    fn a_draft_is_hidden_until_its_date_and_an_announced_one_is_not() {
        let (opens, closes) = (d(5, 10), d(5, 20));
        assert_eq!(Stage::of(true, opens, closes, d(5, 1)), Stage::Draft);
        assert!(!Stage::Draft.is_public());
        assert_eq!(Stage::of(false, opens, closes, d(5, 1)), Stage::Announced);
        // A draft opens by itself on its opening date.
        assert_eq!(Stage::of(true, opens, closes, d(5, 10)), Stage::Open);
        assert_eq!(Stage::of(true, opens, closes, d(5, 21)), Stage::Closed);
        assert_eq!(announce(Stage::Draft), Ok(()));
        assert_eq!(announce(Stage::Open), Err(BuilderError::NotADraft));
    }

    #[test]
    fn opening_now_needs_something_to_answer_and_a_closing_day_ahead() {
        let today = d(5, 1);
        assert_eq!(
            open_now(Stage::Draft, d(5, 20), today, true, false),
            Ok(today)
        );
        assert_eq!(
            open_now(Stage::Announced, today, today, true, true),
            Ok(today)
        );
        assert_eq!(
            open_now(Stage::Draft, d(5, 20), today, false, false),
            Err(BuilderError::Empty { forum: false })
        );
        assert_eq!(
            open_now(Stage::Draft, d(4, 30), today, true, false),
            Err(BuilderError::ClosesInThePast(d(4, 30)))
        );
        assert_eq!(
            open_now(Stage::Open, d(5, 20), today, true, false),
            Err(BuilderError::NotADraft)
        );
    }

    #[test]
    fn reordering_keeps_conditions_pointing_back() {
        let qs = survey();
        let phase = Phase::BeforeFirstAnswer;
        // Question 3 to the top: 1 → 2 and 2 → 3, the condition follows.
        let moved = move_question(&qs, 3, 1, phase).unwrap();
        assert_eq!(
            texts(&moved)[..3],
            [
                (1, "¿Qué mejoraría?", None),
                (2, "¿Usó el subsidio?", None),
                (3, "¿Qué tan fácil fue?", Some(2))
            ]
        );
        // Question 2 above question 1, which it depends on: refused.
        assert_eq!(
            move_question(&qs, 2, 1, phase),
            Err(BuilderError::ConditionOrder {
                question: 2,
                depends_on: 1
            })
        );
        // Question 4 below question 5, which depends on it: refused.
        assert_eq!(
            move_question(&qs, 4, 5, phase),
            Err(BuilderError::ConditionOrder {
                question: 5,
                depends_on: 4
            })
        );
        let err = move_question(&qs, 4, 5, phase).unwrap_err().to_string();
        assert!(err.contains("la pregunta 5 se muestra según la respuesta a la pregunta 4"));
        assert_eq!(
            move_question(&qs, 9, 1, phase),
            Err(BuilderError::NoSuchQuestion(9))
        );
        // Past the end means last.
        assert_eq!(
            move_question(&qs, 3, 99, phase).unwrap()[4].text,
            "¿Qué mejoraría?"
        );
    }

    #[test]
    fn deleting_renumbers_and_refuses_a_question_others_depend_on() {
        let qs = survey();
        let phase = Phase::BeforeFirstAnswer;
        assert_eq!(
            delete_question(&qs, 1, phase),
            Err(BuilderError::DependedOn { by: 2 })
        );
        let left = delete_question(&qs, 3, phase).unwrap();
        assert_eq!(
            texts(&left)[2..],
            [(3, "¿Cuál prefiere?", None), (4, "¿Por qué B?", Some(3))]
        );
        assert_eq!(
            delete_question(&qs, 5, Phase::Answered),
            Err(BuilderError::OnlyWording)
        );
    }

    #[test]
    fn before_the_first_answer_a_question_can_change_entirely() {
        let qs = survey();
        let phase = Phase::BeforeFirstAnswer;
        let input = |text: &str, kind, condition: Option<(u32, &str)>| QuestionInput {
            text: text.into(),
            kind,
            required: true,
            condition: condition.map(|(question, answer)| Condition {
                question,
                answer: answer.into(),
            }),
        };
        let q = edit_question(
            &qs,
            3,
            input(
                "¿Cuántos viven en su hogar?",
                QuestionKind::Number,
                Some((1, "No")),
            ),
            phase,
        )
        .unwrap();
        assert_eq!(
            (q.number, q.kind, q.required),
            (3, QuestionKind::Number, true)
        );
        // A condition on a later question (or itself) is refused.
        assert_eq!(
            edit_question(
                &qs,
                3,
                input("x", QuestionKind::Text, Some((4, "A"))),
                phase
            ),
            Err(BuilderError::Survey(SurveyError::Condition))
        );
        // Question 5 depends on option B of question 4: it must stay.
        let without_b = QuestionKind::from_code("unica", "A\nC").unwrap();
        assert_eq!(
            edit_question(&qs, 4, input("¿Cuál?", without_b, None), phase),
            Err(BuilderError::OptionInUse {
                option: "B".into(),
                by: 5
            })
        );
        let with_b = QuestionKind::from_code("unica", "B\nA\nC").unwrap();
        assert!(edit_question(&qs, 4, input("¿Cuál?", with_b, None), phase).is_ok());
    }

    #[test]
    fn after_the_first_answer_only_wording_changes() {
        let qs = survey();
        let phase = Phase::Answered;
        let same = |q: &Question, text: &str| QuestionInput {
            text: text.into(),
            kind: q.kind.clone(),
            required: q.required,
            condition: q.condition.clone(),
        };
        let fixed = edit_question(&qs, 1, same(&qs[0], "¿Ha usado el subsidio?"), phase).unwrap();
        assert_eq!(fixed.text, "¿Ha usado el subsidio?");
        // A scale's ends are wording too.
        let mut relabelled = same(&qs[1], "¿Qué tan fácil fue el trámite?");
        relabelled.kind = QuestionKind::Scale(ScaleEnds::new("Muy difícil", "Muy fácil").unwrap());
        assert!(edit_question(&qs, 2, relabelled, phase).is_ok());
        for change in 0..3 {
            let mut input = same(&qs[0], "¿Usó el subsidio?");
            match change {
                0 => input.kind = QuestionKind::from_code("unica", "Sí\nNo\nNo sabe").unwrap(),
                1 => input.required = true,
                _ => input.kind = QuestionKind::Text,
            }
            assert_eq!(
                edit_question(&qs, 1, input, phase),
                Err(BuilderError::OnlyWording)
            );
        }
        assert_eq!(check_data_change(phase, false), Ok(()));
        assert_eq!(
            check_data_change(phase, true),
            Err(BuilderError::DataLocked)
        );
        assert_eq!(check_data_change(Phase::BeforeFirstAnswer, true), Ok(()));
        assert_eq!(Phase::of(0), Phase::BeforeFirstAnswer);
        assert_eq!(Phase::of(1), Phase::Answered);
    }
}
