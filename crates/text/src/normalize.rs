//! From a citizen's text to the words that carry its meaning: lower case, accents
//! folded, stop words left out, each word reduced to its Snowball stem, and a rare
//! misspelling of a frequent word counted as that word.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::decompose_canonical;
use unicode_normalization::char::is_combining_mark;

/// Words that say nothing of a text's subject in a message to a public entity,
/// beyond the general Spanish list: greetings, courtesy, the entity's own name,
/// chat abbreviations.
const HOUSE_STOP_WORDS: &[&str] = &[
    "caja",
    "honor",
    "favor",
    "porfavor",
    "xfa",
    "gracias",
    "agradezco",
    "agradecemos",
    "buenas",
    "buenos",
    "hola",
    "saludo",
    "saludos",
    "cordial",
    "atentamente",
    "senores",
    "senor",
    "senora",
    "q",
    "k",
    "xq",
    "pq",
    "porq",
    "tb",
    "tmb",
    "tambien",
    "usted",
    "ustedes",
    "quisiera",
    "gustaria",
    "solicito",
    "mas",
    "muy",
    "etc",
    "ok",
];

/// Folds one character: lower case without accents or diaeresis (`Á` → `a`, `ñ` → `n`).
/// Letters and digits come out; anything else comes out as a space.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(' ');
        }
        return;
    }
    if !c.is_alphanumeric() {
        out.push(' ');
        return;
    }
    let mut pushed = false;
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            out.extend(d.to_lowercase());
            pushed = true;
        }
    });
    if !pushed {
        out.push(' ');
    }
}

/// The text in lower case, accents folded, with one space between its words.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// The folded words of a text, in order.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

/// Interns words and stems: each distinct folded word is stemmed once.
pub struct Lexicon {
    stemmer: Stemmer,
    stop: std::collections::HashSet<String>,
    /// Folded word → its term (None for a stop word, a number or a word too short).
    words: HashMap<String, Option<u32>>,
    /// Term → its stem.
    stems: Vec<String>,
    stem_ids: HashMap<String, u32>,
    /// Term → how often each spelling of it was seen (folded word, count).
    spellings: Vec<HashMap<String, u32>>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Self::new()
    }
}

impl Lexicon {
    pub fn new() -> Lexicon {
        let mut stop: std::collections::HashSet<String> = stop_words::get("es")
            .iter()
            .map(|w| fold(w).trim().to_string())
            .collect();
        stop.extend(HOUSE_STOP_WORDS.iter().map(|w| w.to_string()));
        Lexicon {
            stemmer: Stemmer::create(Algorithm::Spanish),
            stop,
            words: HashMap::new(),
            stems: Vec::new(),
            stem_ids: HashMap::new(),
            spellings: Vec::new(),
        }
    }

    /// The stem of a folded word. A folded `-cion` / `-sion` ending gets its accent
    /// back first, the one case where Snowball's Spanish rules need it
    /// (`informacion` and `información` both become `inform`).
    fn stem(&self, word: &str) -> String {
        let accented;
        let input = if let Some(base) = word
            .strip_suffix("cion")
            .map(|b| (b, "ción"))
            .or_else(|| word.strip_suffix("sion").map(|b| (b, "sión")))
        {
            accented = format!("{}{}", base.0, base.1);
            accented.as_str()
        } else {
            word
        };
        fold(&self.stemmer.stem(input)).trim().to_string()
    }

    /// The term a folded word counts as, if it carries meaning.
    pub fn term(&mut self, word: &str) -> Option<u32> {
        if let Some(t) = self.words.get(word) {
            if let Some(t) = *t {
                *self.spellings[t as usize]
                    .entry(word.to_string())
                    .or_default() += 1;
            }
            return *t;
        }
        let meaningful = word.chars().count() >= 3
            && !word.chars().all(|c| c.is_ascii_digit())
            && !self.stop.contains(word);
        let term = meaningful.then(|| {
            let stem = self.stem(word);
            match self.stem_ids.get(&stem) {
                Some(&id) => id,
                None => {
                    let id = self.stems.len() as u32;
                    self.stem_ids.insert(stem.clone(), id);
                    self.stems.push(stem);
                    self.spellings.push(HashMap::new());
                    id
                }
            }
        });
        if let Some(t) = term {
            *self.spellings[t as usize]
                .entry(word.to_string())
                .or_default() += 1;
        }
        self.words.insert(word.to_string(), term);
        term
    }

    pub fn len(&self) -> usize {
        self.stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// The spelling of a term people used most (ties: the first in alphabetical order).
    pub fn display(&self, term: u32) -> &str {
        self.spellings[term as usize]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(w, _)| w.as_str())
            .unwrap_or(&self.stems[term as usize])
    }

    /// For each term, the term it is a misspelling of, or itself. A term is taken as a
    /// misspelling of another when both stems have at least five letters, they differ
    /// by one letter added, dropped or changed, and the other is used in at least three
    /// texts and three times as many as it (`subcidio` → `subsidio`, `bivienda` →
    /// `vivienda`). `df` is each term's number of texts.
    pub fn spelling_merges(&self, df: &[u32]) -> Vec<u32> {
        let mut target: Vec<u32> = (0..self.stems.len() as u32).collect();
        // Frequent stems by each one-letter deletion of them (and themselves).
        let mut order: Vec<u32> = (0..self.stems.len() as u32).collect();
        order.sort_by(|a, b| df[*b as usize].cmp(&df[*a as usize]).then(a.cmp(b)));
        let mut by_deletion: HashMap<String, Vec<u32>> = HashMap::new();
        for &t in order.iter().filter(|t| df[**t as usize] >= 3) {
            let stem = &self.stems[t as usize];
            if stem.chars().count() < 5 {
                continue;
            }
            for variant in deletions(stem).chain(std::iter::once(stem.clone())) {
                by_deletion.entry(variant).or_default().push(t);
            }
        }
        for t in 0..self.stems.len() as u32 {
            let stem = &self.stems[t as usize];
            if stem.chars().count() < 5 {
                continue;
            }
            let mine = df[t as usize];
            let best = deletions(stem)
                .chain(std::iter::once(stem.clone()))
                .filter_map(|v| by_deletion.get(&v))
                .flatten()
                .copied()
                .filter(|&o| o != t && df[o as usize] >= 3 && df[o as usize] >= 3 * mine)
                .filter(|&o| within_one_edit(stem, &self.stems[o as usize]))
                .min_by(|a, b| df[*b as usize].cmp(&df[*a as usize]).then(a.cmp(b)));
            if let Some(o) = best {
                target[t as usize] = o;
            }
        }
        target
    }
}

/// The word with each one of its letters left out in turn.
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len()).map(move |i| {
        chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| *c)
            .collect()
    })
}

/// Whether one letter added, dropped or changed turns `a` into `b`.
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            short
                .iter()
                .zip(long.iter())
                .filter(|(x, y)| x != y)
                .count()
                <= 1
        }
        1 => {
            let i = short
                .iter()
                .zip(long.iter())
                .take_while(|(x, y)| x == y)
                .count();
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(
            fold("¡Información, AÑO Crédito!"),
            " informacion  ano credito "
        );
        assert_eq!(
            words(&fold("Hola,  señor")).collect::<Vec<_>>(),
            ["hola", "senor"]
        );
    }

    #[test]
    fn a_word_with_or_without_its_accents_is_one_term() {
        let mut lex = Lexicon::new();
        let a = lex.term(fold("información").trim());
        assert_eq!(a, lex.term("informacion"));
        assert_eq!(lex.term("informaciones"), a);
        assert_eq!(lex.term("cesantias"), lex.term(fold("cesantías").trim()));
        assert_eq!(lex.term("creditos"), lex.term("credito"));
        assert_eq!(lex.term("para"), None);
        assert_eq!(lex.term("gracias"), None);
        assert_eq!(lex.term("2025"), None);
        assert_eq!(lex.display(a.unwrap()), "informacion");
    }

    #[test]
    fn a_rare_misspelling_counts_as_the_frequent_word() {
        let mut lex = Lexicon::new();
        let right = lex.term("subsidio").unwrap();
        let wrong = lex.term("subcidio").unwrap();
        let b = lex.term("bivienda").unwrap();
        let v = lex.term("vivienda").unwrap();
        let other = lex.term("subsidiaria").unwrap();
        let mut df = vec![0; lex.len()];
        df[right as usize] = 30;
        df[wrong as usize] = 2;
        df[b as usize] = 1;
        df[v as usize] = 40;
        df[other as usize] = 1;
        let merged = lex.spelling_merges(&df);
        assert_eq!(merged[wrong as usize], right);
        assert_eq!(merged[b as usize], v);
        assert_eq!(merged[right as usize], right);
        assert_eq!(
            merged[other as usize], other,
            "two letters apart stays apart"
        );
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("subsidi", "subcidi"));
        assert!(within_one_edit("viviend", "biviend"));
        assert!(within_one_edit("hipotecari", "hipotecai"));
        assert!(within_one_edit("aplic", "aplica"));
        assert!(!within_one_edit("subsidi", "subsi"));
        assert!(!within_one_edit("credit", "cesant"));
    }
}
