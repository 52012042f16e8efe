//! Rules shared by the deliverable reports (consultation results, events, the
//! suggestions campaign, channel figures): how a small count is shown, how open answers
//! are grouped without identities, and whether an answer came within its legal term.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::consent::public_count;
use crate::Calendar;

/// What a report shows instead of a count smaller than the public minimum.
pub const SUPPRESSED_LABEL: &str = "menos de 5";

/// A count as a report may show it: the figure, or suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownCount {
    Figure(usize),
    Suppressed,
}

impl ShownCount {
    /// Applies the small-cell rule ([`public_count`]) to a raw count.
    pub fn of(n: usize) -> ShownCount {
        match public_count(n) {
            Some(n) => ShownCount::Figure(n),
            None => ShownCount::Suppressed,
        }
    }

    /// The text a report prints: the figure or «menos de 5».
    pub fn label(self) -> String {
        match self {
            ShownCount::Figure(n) => n.to_string(),
            ShownCount::Suppressed => SUPPRESSED_LABEL.to_string(),
        }
    }

    /// The figure, when it may be shown (a spreadsheet writes it as a number).
    pub fn figure(self) -> Option<usize> {
        match self {
            ShownCount::Figure(n) => Some(n),
            ShownCount::Suppressed => None,
        }
    }
}

/// One group of open answers: a representative wording quoted as written (trimmed)
/// and how many answers said the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerGroup {
    pub quote: String,
    pub count: ShownCount,
}

/// The key two answers share when they say the same thing: lowercase, accents and
/// punctuation dropped, whitespace collapsed.
fn answer_key(text: &str) -> String {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            c if c.is_alphanumeric() || c == 'ñ' => c,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Groups open answers (texts only: identities never reach this function), the most
/// frequent first and then alphabetically, each quoted by its first wording. Empty
/// answers are left out; each group's count follows the small-cell rule.
pub fn group_open_answers<'a>(answers: impl IntoIterator<Item = &'a str>) -> Vec<AnswerGroup> {
    let mut groups: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for answer in answers {
        let key = answer_key(answer);
        if key.is_empty() {
            continue;
        }
        groups
            .entry(key)
            .or_insert_with(|| (answer.trim().to_string(), 0))
            .1 += 1;
    }
    let mut out: Vec<(String, String, usize)> =
        groups.into_iter().map(|(k, (q, n))| (k, q, n)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    out.into_iter()
        .map(|(_, quote, n)| AnswerGroup {
            quote,
            count: ShownCount::of(n),
        })
        .collect()
}

/// Whether a petition was answered within its term (Ley 1755 de 2015), counted in
/// business days on the calendar from the day it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermCompliance {
    /// Answered after `days` business days, within the term.
    OnTime { days: i64 },
    /// Answered after `days` business days, past the term.
    Late { days: i64 },
    /// Not answered yet and the term has not run out at `today`.
    Pending,
    /// Not answered and the term ran out before `today`.
    Overdue,
}

/// Classifies one petition against a term of `term_days` business days (a legal
/// parameter, never a constant here).
pub fn term_compliance(
    calendar: &Calendar,
    received: NaiveDate,
    answered: Option<NaiveDate>,
    term_days: u32,
    today: NaiveDate,
) -> TermCompliance {
    match answered {
        Some(answered) => {
            let days = calendar.business_days_between(received, answered).max(0);
            if days <= i64::from(term_days) {
                TermCompliance::OnTime { days }
            } else {
                TermCompliance::Late { days }
            }
        }
        None if today > calendar.add_business_days(received, term_days) => TermCompliance::Overdue,
        None => TermCompliance::Pending,
    }
}

/// The question of a survey that asks the group of value: the first single or multiple
/// choice question whose wording speaks of a «grupo de valor», or at least two of whose
/// options are names of the catalogue's groups (`group_names`), compared without case
/// or accents. Its counts are the participation by group of value.
pub fn value_group_question(
    questions: &[super::survey::Question],
    group_names: &[&str],
) -> Option<u32> {
    use super::survey::QuestionKind;
    let names: Vec<String> = group_names.iter().map(|n| answer_key(n)).collect();
    questions
        .iter()
        .find(|q| match &q.kind {
            QuestionKind::Single(options) | QuestionKind::Multiple(options) => {
                answer_key(&q.text).contains("grupo de valor")
                    || options
                        .iter()
                        .filter(|o| names.contains(&answer_key(o)))
                        .count()
                        >= 2
            }
            _ => false,
        })
        .map(|q| q.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn counts_under_five_are_suppressed_but_zero_is_shown() {
        assert_eq!(ShownCount::of(0).label(), "0");
        assert_eq!(ShownCount::of(1).label(), "menos de 5");
        assert_eq!(ShownCount::of(4), ShownCount::Suppressed);
        assert_eq!(ShownCount::of(4).figure(), None);
        assert_eq!(ShownCount::of(5).figure(), Some(5));
    }

    #[test]
    fn open_answers_are_grouped_by_meaning_most_frequent_first() {
        let mut answers = vec!["Más horarios"; 3];
        answers.extend(["más  horarios!", "MAS HORARIOS", "  ", "Atención virtual"]);
        let groups = group_open_answers(answers);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].quote, "Más horarios");
        assert_eq!(groups[0].count, ShownCount::Figure(5));
        assert_eq!(groups[1].quote, "Atención virtual");
        assert_eq!(groups[1].count, ShownCount::Suppressed);
    }

    #[test]
    fn answers_are_judged_against_the_term_in_business_days() {
        let cal = Calendar::new([]);
        // Thursday 2026-12-03 plus 15 business days: 8 December (holiday) is skipped.
        let received = d(2026, 12, 3);
        let due = cal.add_business_days(received, 15);
        assert_eq!(
            term_compliance(&cal, received, Some(due), 15, due),
            TermCompliance::OnTime { days: 15 }
        );
        let late = cal.add_business_days(due, 1);
        assert_eq!(
            term_compliance(&cal, received, Some(late), 15, late),
            TermCompliance::Late { days: 16 }
        );
        assert_eq!(
            term_compliance(&cal, received, None, 15, due),
            TermCompliance::Pending
        );
        assert_eq!(
            term_compliance(&cal, received, None, 15, late),
            TermCompliance::Overdue
        );
    }

    #[test]
    fn the_group_of_value_question_is_found_by_wording_or_options() {
        use crate::participation::survey::{Question, QuestionKind};
        let q = |number, text: &str, kind| Question {
            number,
            text: text.into(),
            kind,
            required: false,
            condition: None,
        };
        let names = ["Afiliados", "Pensionados y retirados", "Academia"];
        let opts = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let questions = vec![
            q(1, "¿Qué opina?", QuestionKind::Text),
            q(2, "¿Le sirvió?", QuestionKind::Single(opts(&["Sí", "No"]))),
            q(
                3,
                "¿Quién es usted?",
                QuestionKind::Single(opts(&["AFILIADOS", "pensionados y retirados", "Otro"])),
            ),
        ];
        assert_eq!(value_group_question(&questions, &names), Some(3));
        let worded = vec![q(
            4,
            "¿A qué grupo de valor pertenece?",
            QuestionKind::Multiple(opts(&["Uno", "Otro"])),
        )];
        assert_eq!(value_group_question(&worded, &names), Some(4));
        assert_eq!(value_group_question(&questions[..2], &names), None);
    }
}
