//! The legal framework (marco legal): the original wording and the norms read from it.

use serde::{Deserialize, Serialize};

/// One norm cited by the plan: `Ley 1757 de 2015 artículos 2 y 50`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Norm {
    /// `Constitución Política`, `Ley`, `Decreto`, `Resolución`…
    pub kind: String,
    /// The norm's number as written (`1757`, `019`); none for the Constitution.
    pub number: Option<String>,
    pub year: Option<i32>,
    /// Articles cited, as written (`20`, `2.2.1.1`).
    pub articles: Vec<String>,
}

/// The framework as the document states it plus the norms parsed from that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalFramework {
    pub text: String,
    pub norms: Vec<Norm>,
}

impl LegalFramework {
    pub fn from_text(text: &str) -> Self {
        let text = text.trim().to_string();
        let norms = parse_norms(&text);
        Self { text, norms }
    }
}

/// Kinds of norm recognised in running text, longest first so `Decreto Ley` wins over
/// `Decreto`. The first element is how the kind is written in the result.
const KINDS: &[&str] = &[
    "Constitución Política",
    "Decreto Ley",
    "Decreto",
    "Ley",
    "Resolución",
    "Acuerdo",
    "Circular",
    "Directiva",
    "Conpes",
    "Sentencia",
    "Ordenanza",
];

const ARTICLE_WORDS: &[&str] = &[
    "artículos",
    "artículo",
    "articulos",
    "articulo",
    "arts",
    "art",
];
const CONNECTORS: &[&str] = &["y", "e", ",", "al", "a"];

/// Reads the norms cited in a legal-framework text. Unrecognised words are ignored;
/// a `Ley`/`Decreto`… without a number is not a citation (it is prose: "la ley
/// organizará…"), except the Constitution, which has none.
pub fn parse_norms(text: &str) -> Vec<Norm> {
    let tokens = tokenize(text);
    let mut starts: Vec<(usize, usize, &str)> = Vec::new(); // (token index, token len, kind)
    let mut i = 0;
    while i < tokens.len() {
        if let Some((len, kind)) = kind_at(&tokens, i) {
            starts.push((i, len, kind));
            i += len;
        } else {
            i += 1;
        }
    }
    let mut norms = Vec::new();
    for (n, &(at, len, kind)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(tokens.len(), |s| s.0);
        let segment = &tokens[at + len..end];
        let norm = read_segment(kind, segment);
        if norm.number.is_some() || kind == "Constitución Política" {
            norms.push(norm);
        }
    }
    norms
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for word in text.split_whitespace() {
        let mut w = word;
        let mut trailing = Vec::new();
        while let Some(c) = w
            .chars()
            .last()
            .filter(|c| matches!(c, ',' | ';' | ':' | '.' | ')'))
        {
            trailing.push(c);
            w = &w[..w.len() - c.len_utf8()];
        }
        let w = w.trim_start_matches('(');
        if !w.is_empty() {
            tokens.push(w.to_string());
        }
        if trailing.contains(&',') || trailing.contains(&';') {
            tokens.push(",".to_string());
        } else if trailing.contains(&'.') {
            tokens.push(".".to_string());
        }
    }
    tokens
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

fn kind_at(tokens: &[String], i: usize) -> Option<(usize, &'static str)> {
    KINDS.iter().find_map(|kind| {
        let words: Vec<&str> = kind.split(' ').collect();
        let fits = words.len() <= tokens.len() - i
            && words.iter().zip(&tokens[i..]).all(|(w, t)| eq_ci(w, t));
        fits.then_some((words.len(), *kind))
    })
}

fn is_number_like(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
}

fn read_segment(kind: &str, segment: &[String]) -> Norm {
    let mut number = None;
    let mut year = None;
    let mut articles = Vec::new();
    let mut i = 0;
    while i < segment.len() {
        let t = segment[i].as_str();
        let lower = t.to_lowercase();
        if ARTICLE_WORDS.contains(&lower.as_str()) {
            i += 1;
            // `arts.` is an abbreviation, not the end of a sentence.
            if segment.get(i).is_some_and(|t| t == ".") {
                i += 1;
            }
            while i < segment.len() {
                let a = segment[i].as_str();
                if is_number_like(a) {
                    articles.push(a.to_string());
                } else if !CONNECTORS.contains(&a.to_lowercase().as_str()) {
                    break;
                }
                i += 1;
            }
            continue;
        }
        if number.is_none() && is_number_like(t) && articles.is_empty() {
            number = Some(t.to_string());
            if segment.get(i + 1).is_some_and(|d| eq_ci(d, "de")) {
                if let Some(y) = segment.get(i + 2).and_then(|y| y.parse::<i32>().ok()) {
                    year = Some(y);
                    i += 3;
                    continue;
                }
            }
        }
        i += 1;
    }
    Norm {
        kind: kind.to_string(),
        number,
        year,
        articles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(kind: &str, number: Option<&str>, year: Option<i32>, articles: &[&str]) -> Norm {
        Norm {
            kind: kind.into(),
            number: number.map(Into::into),
            year,
            articles: articles.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn parses_the_seed_framework() {
        let f = LegalFramework::from_text(
            "Constitución Política Artículo 20 y 270. Ley 1750 de 2015 artículos 2 y 50. Ley 1757 de 2015 y Decreto 1499 de 2017.",
        );
        assert_eq!(
            f.norms,
            vec![
                norm("Constitución Política", None, None, &["20", "270"]),
                norm("Ley", Some("1750"), Some(2015), &["2", "50"]),
                norm("Ley", Some("1757"), Some(2015), &[]),
                norm("Decreto", Some("1499"), Some(2017), &[]),
            ]
        );
    }

    #[test]
    fn ignores_prose_and_reads_lists_and_compound_kinds() {
        let f = LegalFramework::from_text(
            "La ley organizará la participación. Decreto Ley 019 de 2012, arts. 2.2.1, 4 y 7; Resolución 1519 de 2020 (Anexo 2).",
        );
        assert_eq!(
            f.norms,
            vec![
                norm("Decreto Ley", Some("019"), Some(2012), &["2.2.1", "4", "7"]),
                norm("Resolución", Some("1519"), Some(2020), &[]),
            ]
        );
    }

    #[test]
    fn empty_text_has_no_norms() {
        assert!(LegalFramework::from_text("  ").norms.is_empty());
    }
}
