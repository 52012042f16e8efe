//! Online consultations as surveys (seed activities 2 and 5): questions of five kinds,
//! required or optional, some shown only for a given answer of an earlier one; the
//! checking of a citizen's answers; and the counting of results.

use std::collections::BTreeMap;
use std::fmt;

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    /// One of the options.
    Single(Vec<String>),
    /// Any of the options.
    Multiple(Vec<String>),
    /// 1 to 5, with the meaning of each end.
    Scale(ScaleEnds),
    Number,
    Text,
}

impl QuestionKind {
    pub fn code(&self) -> &'static str {
        match self {
            QuestionKind::Single(_) => "unica",
            QuestionKind::Multiple(_) => "multiple",
            QuestionKind::Scale(_) => "escala",
            QuestionKind::Number => "numero",
            QuestionKind::Text => "texto",
        }
    }

    pub fn label(code: &str) -> &'static str {
        match code {
            "unica" => "Selección única",
            "multiple" => "Selección múltiple",
            "escala" => "Escala de 1 a 5",
            "numero" => "Número",
            _ => "Texto abierto",
        }
    }

    pub const CODES: [&'static str; 5] = ["unica", "multiple", "escala", "numero", "texto"];

    /// Builds a kind from its code and, for choices, the options (one per line).
    pub fn from_code(code: &str, options: &str) -> Result<QuestionKind, SurveyError> {
        let opts: Vec<String> = options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let choice = |opts: Vec<String>| {
            if opts.len() < 2 {
                return Err(SurveyError::Options);
            }
            let mut seen = std::collections::BTreeSet::new();
            if !opts.iter().all(|o| seen.insert(o.to_lowercase())) {
                return Err(SurveyError::Options);
            }
            Ok(opts)
        };
        match code {
            "unica" => Ok(QuestionKind::Single(choice(opts)?)),
            "multiple" => Ok(QuestionKind::Multiple(choice(opts)?)),
            "escala" => Ok(QuestionKind::Scale(ScaleEnds::default())),
            "numero" => Ok(QuestionKind::Number),
            "texto" => Ok(QuestionKind::Text),
            _ => Err(SurveyError::Kind),
        }
    }

    pub fn options(&self) -> &[String] {
        match self {
            QuestionKind::Single(o) | QuestionKind::Multiple(o) => o,
            _ => &[],
        }
    }

    /// What the database keeps in the question's `options` column: the options of a
    /// choice, one per line, or a scale's two ends (low, then high).
    pub fn stored_options(&self) -> String {
        match self {
            QuestionKind::Scale(ends) if ends.is_labelled() => {
                format!("{}\n{}", ends.low, ends.high)
            }
            k => k.options().join("\n"),
        }
    }

    /// The kind as stored (see [`QuestionKind::stored_options`]): a scale stored before
    /// ends existed reads back unlabelled; an unknown code reads as open text.
    pub fn from_stored(code: &str, options: &str) -> QuestionKind {
        if code == "escala" {
            let mut lines = options.lines();
            return QuestionKind::Scale(match (lines.next(), lines.next()) {
                (Some(low), Some(high)) => ScaleEnds {
                    low: low.to_string(),
                    high: high.to_string(),
                },
                _ => ScaleEnds::unlabelled(),
            });
        }
        QuestionKind::from_code(code, options).unwrap_or(QuestionKind::Text)
    }

    /// The values a citizen may give to a choice or scale question, in order.
    pub fn values(&self) -> Vec<String> {
        match self {
            QuestionKind::Scale(_) => (1..=5).map(|n| n.to_string()).collect(),
            k => k.options().to_vec(),
        }
    }

    /// How a value reads to people: a scale's ends carry their meaning
    /// («1 = Muy en desacuerdo»); every other value reads as itself.
    pub fn value_label(&self, value: &str) -> String {
        match self {
            QuestionKind::Scale(ends) if ends.is_labelled() => match value {
                "1" => format!("1 = {}", ends.low),
                "5" => format!("5 = {}", ends.high),
                v => v.to_string(),
            },
            _ => value.to_string(),
        }
    }
}

/// What the two ends of a 1–5 scale mean, shown to citizens and in the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleEnds {
    pub low: String,
    pub high: String,
}

/// The longest label of a scale's end.
pub const MAX_SCALE_END: usize = 60;

impl Default for ScaleEnds {
    /// «1 = Muy en desacuerdo … 5 = Muy de acuerdo».
    fn default() -> Self {
        ScaleEnds {
            low: "Muy en desacuerdo".into(),
            high: "Muy de acuerdo".into(),
        }
    }
}

impl ScaleEnds {
    /// A scale stored before ends existed: its text says what the numbers mean.
    pub fn unlabelled() -> Self {
        ScaleEnds {
            low: String::new(),
            high: String::new(),
        }
    }

    pub fn is_labelled(&self) -> bool {
        !self.low.is_empty() && !self.high.is_empty()
    }

    /// The ends staff typed: both empty take the defaults; one alone, the same text at
    /// both ends, or a label longer than [`MAX_SCALE_END`] is refused.
    pub fn new(low: &str, high: &str) -> Result<ScaleEnds, SurveyError> {
        let (low, high) = (low.trim(), high.trim());
        if low.is_empty() && high.is_empty() {
            return Ok(ScaleEnds::default());
        }
        let fits =
            |s: &str| !s.is_empty() && s.chars().count() <= MAX_SCALE_END && !s.contains('\n');
        if !fits(low) || !fits(high) || low.to_lowercase() == high.to_lowercase() {
            return Err(SurveyError::ScaleEnds);
        }
        Ok(ScaleEnds {
            low: low.to_string(),
            high: high.to_string(),
        })
    }

    /// «1 = Muy en desacuerdo … 5 = Muy de acuerdo», or empty when unlabelled.
    pub fn sentence(&self) -> String {
        if self.is_labelled() {
            format!("1 = {} … 5 = {}", self.low, self.high)
        } else {
            String::new()
        }
    }
}

/// Show a question only when an earlier one was answered with `answer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub question: u32,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// 1-based position.
    pub number: u32,
    pub text: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub condition: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyError {
    Text,
    Kind,
    Options,
    /// The condition must name an earlier choice question and one of its options.
    Condition,
    /// A scale's ends: both or none, distinct, short.
    ScaleEnds,
}

impl SurveyError {
    pub fn field(&self) -> &'static str {
        match self {
            SurveyError::Text => "texto",
            SurveyError::Kind => "tipo",
            SurveyError::Options => "opciones",
            SurveyError::Condition => "condicion",
            SurveyError::ScaleEnds => "extremo_bajo",
        }
    }
}

impl fmt::Display for SurveyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SurveyError::Text => write!(f, "escriba la pregunta"),
            SurveyError::Kind => write!(f, "elija el tipo de pregunta"),
            SurveyError::Options => {
                write!(f, "escriba al menos dos opciones distintas, una por línea")
            }
            SurveyError::Condition => write!(
                f,
                "la condición debe ser una pregunta anterior de selección y una de sus opciones"
            ),
            SurveyError::ScaleEnds => write!(
                f,
                "escriba qué significan el 1 y el 5 de la escala (dos textos distintos de hasta {MAX_SCALE_END} caracteres), o deje los dos vacíos para usar «Muy en desacuerdo» y «Muy de acuerdo»"
            ),
        }
    }
}

/// Checks a question about to be added after `earlier`.
pub fn check_question(
    earlier: &[Question],
    text: &str,
    kind: QuestionKind,
    required: bool,
    condition: Option<Condition>,
) -> Result<Question, SurveyError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(SurveyError::Text);
    }
    if let Some(c) = &condition {
        let ok = earlier
            .iter()
            .find(|q| q.number == c.question)
            .is_some_and(|q| q.kind.options().contains(&c.answer));
        if !ok {
            return Err(SurveyError::Condition);
        }
    }
    Ok(Question {
        number: earlier.len() as u32 + 1,
        text: text.to_string(),
        kind,
        required,
        condition,
    })
}

/// Whether a question is shown given the answers so far.
pub fn shown(q: &Question, answers: &BTreeMap<u32, Vec<String>>) -> bool {
    match &q.condition {
        None => true,
        Some(c) => answers
            .get(&c.question)
            .is_some_and(|a| a.contains(&c.answer)),
    }
}

pub const MAX_OPEN_TEXT: usize = 2000;

/// Checks a citizen's answers: only shown questions count (answers to hidden ones are
/// dropped), required ones need an answer, each answer fits its kind. Returns the answers
/// to keep, or a message per question number.
pub fn check_answers(
    questions: &[Question],
    raw: &BTreeMap<u32, Vec<String>>,
) -> Result<BTreeMap<u32, Vec<String>>, BTreeMap<u32, String>> {
    let mut kept: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for q in questions {
        if !shown(q, &kept) {
            continue;
        }
        let given: Vec<String> = raw
            .get(&q.number)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if given.is_empty() {
            if q.required {
                errors.insert(q.number, "Esta pregunta es obligatoria.".to_string());
            }
            continue;
        }
        let problem = match &q.kind {
            QuestionKind::Single(opts) => (given.len() != 1 || !opts.contains(&given[0]))
                .then_some("Elija una de las opciones."),
            QuestionKind::Multiple(opts) => {
                (!given.iter().all(|g| opts.contains(g))).then_some("Elija entre las opciones.")
            }
            QuestionKind::Scale(_) => (given.len() != 1
                || !matches!(given[0].as_str(), "1" | "2" | "3" | "4" | "5"))
            .then_some("Elija un valor de 1 a 5."),
            QuestionKind::Number => (given.len() != 1
                || given[0]
                    .replace(',', ".")
                    .parse::<f64>()
                    .map_or(true, |v| !v.is_finite()))
            .then_some("Escriba un número."),
            QuestionKind::Text => (given.len() != 1 || given[0].chars().count() > MAX_OPEN_TEXT)
                .then_some("El texto es demasiado largo (máximo 2000 caracteres)."),
        };
        match problem {
            Some(p) => {
                errors.insert(q.number, p.to_string());
            }
            None => {
                // An option sent many times counts once, wherever the repeats are.
                let mut unique: Vec<String> = Vec::with_capacity(given.len());
                for g in given {
                    if !unique.contains(&g) {
                        unique.push(g);
                    }
                }
                kept.insert(q.number, unique);
            }
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

/// The count of each option of a choice or scale question, in the order shown, with the
/// number of people who answered the question.
pub fn tally(q: &Question, answers: &[Vec<String>]) -> (Vec<(String, usize)>, usize) {
    let options = q.kind.values();
    let counts = options
        .iter()
        .map(|o| (o.clone(), answers.iter().filter(|a| a.contains(o)).count()))
        .collect();
    (counts, answers.len())
}

/// [`tally`] from counts already made (by the database): `answered` people answered the
/// question and `values` says how many chose each value.
pub fn tally_counted(
    q: &Question,
    answered: usize,
    values: &std::collections::BTreeMap<String, usize>,
) -> (Vec<(String, usize)>, usize) {
    let options = q.kind.values();
    let counts = options
        .iter()
        .map(|o| (o.clone(), values.get(o).copied().unwrap_or(0)))
        .collect();
    (counts, answered)
}

/// The average of the numeric values among `values` (value → how many gave it); `1,5`
/// reads as 1.5. None when no value is a number.
pub fn average(values: &std::collections::BTreeMap<String, usize>) -> Option<f64> {
    let (sum, n) = values
        .iter()
        .filter_map(|(v, k)| Some((v.replace(',', ".").parse::<f64>().ok()?, *k)))
        .fold((0.0, 0usize), |(s, n), (v, k)| (s + v * k as f64, n + k));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_made_by_the_database_tally_like_the_answers() {
        let q = survey().remove(0);
        let answers = vec![vec!["Sí".to_string()], vec!["No".into()], vec!["Sí".into()]];
        let mut values = std::collections::BTreeMap::new();
        values.insert("Sí".to_string(), 2);
        values.insert("No".to_string(), 1);
        assert_eq!(tally_counted(&q, 3, &values), tally(&q, &answers));
        let mut scale = std::collections::BTreeMap::new();
        scale.insert("4".to_string(), 2);
        scale.insert("5".to_string(), 1);
        scale.insert("x".to_string(), 7);
        assert_eq!(average(&scale), Some(13.0 / 3.0));
        assert_eq!(average(&std::collections::BTreeMap::new()), None);
    }

    fn survey() -> Vec<Question> {
        let mut qs = Vec::new();
        let yes_no = QuestionKind::from_code("unica", "Sí\nNo").unwrap();
        qs.push(
            check_question(
                &qs,
                "¿Ha usado el subsidio de vivienda?",
                yes_no,
                true,
                None,
            )
            .unwrap(),
        );
        let cond = Condition {
            question: 1,
            answer: "Sí".into(),
        };
        qs.push(
            check_question(
                &qs,
                "¿Cómo califica el trámite?",
                QuestionKind::Scale(ScaleEnds::default()),
                true,
                Some(cond),
            )
            .unwrap(),
        );
        let media = QuestionKind::from_code("multiple", "Web\nCorreo\nOficina").unwrap();
        qs.push(check_question(&qs, "¿Por dónde se entera?", media, false, None).unwrap());
        qs.push(
            check_question(
                &qs,
                "¿Cuántas personas viven en su hogar?",
                QuestionKind::Number,
                false,
                None,
            )
            .unwrap(),
        );
        qs.push(check_question(&qs, "¿Qué mejoraría?", QuestionKind::Text, false, None).unwrap());
        qs
    }

    fn answers(pairs: &[(u32, &[&str])]) -> BTreeMap<u32, Vec<String>> {
        pairs
            .iter()
            .map(|(n, v)| (*n, v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn a_conditional_question_counts_only_when_shown() {
        let qs = survey();
        // "No": question 2 is hidden, so it is neither required nor kept.
        let kept = check_answers(&qs, &answers(&[(1, &["No"]), (2, &["5"])])).unwrap();
        assert_eq!(kept.keys().copied().collect::<Vec<_>>(), [1]);
        // "Sí": question 2 is shown and required.
        let e = check_answers(&qs, &answers(&[(1, &["Sí"])])).unwrap_err();
        assert_eq!(e.keys().copied().collect::<Vec<_>>(), [2]);
        let ok = check_answers(
            &qs,
            &answers(&[
                (1, &["Sí"]),
                (2, &["4"]),
                (3, &["Web", "Oficina"]),
                (4, &["3"]),
            ]),
        )
        .unwrap();
        assert_eq!(ok[&3], ["Web", "Oficina"]);
        // Repeats count once, adjacent or not (issue 13, item 18).
        let mut many = vec!["Web"; 50_000];
        many.push("Oficina");
        many.push("Web");
        let ok = check_answers(&qs, &answers(&[(1, &["No"]), (3, &many)])).unwrap();
        assert_eq!(ok[&3], ["Web", "Oficina"]);
    }

    #[test]
    fn answers_fit_their_kind() {
        let qs = survey();
        let e = check_answers(
            &qs,
            &answers(&[(1, &["Quizás"]), (3, &["Fax"]), (4, &["muchas"])]),
        )
        .unwrap_err();
        assert_eq!(e.keys().copied().collect::<Vec<_>>(), [1, 3, 4]);
        let e = check_answers(&qs, &answers(&[(1, &["Sí"]), (2, &["9"])])).unwrap_err();
        assert!(e[&2].contains("1 a 5"));
    }

    #[test]
    fn conditions_and_options_are_checked_when_building() {
        let qs = survey();
        let bad = Condition {
            question: 4,
            answer: "3".into(),
        };
        assert_eq!(
            check_question(&qs, "x", QuestionKind::Text, false, Some(bad)),
            Err(SurveyError::Condition)
        );
        assert_eq!(
            QuestionKind::from_code("unica", "Sí"),
            Err(SurveyError::Options)
        );
        assert_eq!(
            QuestionKind::from_code("unica", "Sí\nsí"),
            Err(SurveyError::Options)
        );
    }

    #[test]
    fn scales_have_labelled_ends_that_read_back_from_the_database() {
        let ends = ScaleEnds::new("  ", "").unwrap();
        assert_eq!(
            ends.sentence(),
            "1 = Muy en desacuerdo … 5 = Muy de acuerdo"
        );
        let mine = ScaleEnds::new(" Nada ", "Totalmente").unwrap();
        let kind = QuestionKind::Scale(mine.clone());
        assert_eq!(kind.value_label("1"), "1 = Nada");
        assert_eq!(kind.value_label("3"), "3");
        assert_eq!(kind.value_label("5"), "5 = Totalmente");
        assert_eq!(
            QuestionKind::from_stored("escala", &kind.stored_options()),
            kind
        );
        // A scale stored before ends existed stays unlabelled.
        let old = QuestionKind::from_stored("escala", "");
        assert_eq!(old, QuestionKind::Scale(ScaleEnds::unlabelled()));
        assert_eq!(old.value_label("1"), "1");
        assert_eq!(old.stored_options(), "");
        for (low, high) in [("Nada", ""), ("Igual", "igual"), ("x", &*"y".repeat(61))] {
            assert_eq!(ScaleEnds::new(low, high), Err(SurveyError::ScaleEnds));
        }
        let choice = QuestionKind::from_code("unica", "Sí\nNo").unwrap();
        assert_eq!(
            QuestionKind::from_stored("unica", &choice.stored_options()),
            choice
        );
    }

    #[test]
    fn results_are_tallied_per_option() {
        let qs = survey();
        let a = vec![
            vec!["Sí".to_string()],
            vec!["No".to_string()],
            vec!["Sí".to_string()],
        ];
        let (counts, n) = tally(&qs[0], &a);
        assert_eq!(counts, vec![("Sí".to_string(), 2), ("No".to_string(), 1)]);
        assert_eq!(n, 3);
        assert_eq!(tally(&qs[1], &[]).0.len(), 5);
    }
}
