//! What citizens wrote, read in Spanish, without a network or a downloaded model:
//! the themes of a set of texts (each with the words behind it, its size, quotes that
//! stand for it and its course month by month) and the groups of near-identical texts
//! that show a copy-and-paste campaign.
//!
//! The same texts always give the same themes: every choice is seeded and ties are
//! broken by position. How it works, in order:
//! 1. [`normalize`]: lower case, accents folded, Spanish stop words out, Snowball stems,
//!    a rare misspelling of a frequent word counted as that word.
//! 2. [`duplicates`]: near-copies found by MinHash over three-word runs; a campaign
//!    counts once when themes are sought, so a thousand copies do not make a theme.
//! 3. [`themes`]: TF-IDF and spherical k-means; the number of themes chosen by the
//!    silhouette unless staff set it.

pub mod duplicates;
pub mod evaluation;
pub mod lsa;
pub mod normalize;
pub mod redact;
pub mod themes;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// One text to read, with the day it was written, if known.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub text: &'a str,
    pub on: Option<NaiveDate>,
}

/// What staff may set.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The number of themes wanted; None lets the analysis choose it.
    pub themes: Option<usize>,
}

/// Words shown for a theme.
pub const KEYWORDS: usize = 8;
/// Quotes shown for a theme.
pub const QUOTES: usize = 3;
/// The longest quote, in characters.
pub const QUOTE_CHARS: usize = 280;

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    /// The words that set the theme apart, best first, as people spelled them most.
    pub keywords: Vec<String>,
    /// Texts in the theme, campaign copies included.
    pub size: usize,
    /// Of those, texts that are copies in a near-duplicate group.
    pub copies: usize,
    /// Indices of the texts that stand for the theme best (one per campaign at most).
    pub quotes: Vec<usize>,
    /// Texts per month, aligned with [`Analysis::months`].
    pub by_month: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    /// Indices of the texts, ascending; the first is the one shown.
    pub members: Vec<usize>,
    /// The theme its texts fall in (index into [`Analysis::themes`]).
    pub theme: Option<usize>,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub texts: usize,
    /// Largest first.
    pub themes: Vec<Theme>,
    /// Texts with no word that carries meaning («ok», «ninguna»).
    pub without_theme: usize,
    /// Largest first.
    pub duplicates: Vec<DuplicateGroup>,
    /// The months the texts were written in, oldest first (year, month).
    pub months: Vec<(i32, u32)>,
    /// Each text's theme.
    pub theme_of: Vec<Option<usize>>,
}

/// Reads the texts.
pub fn analyse(inputs: &[Input<'_>], options: &Options) -> Analysis {
    let mut lexicon = normalize::Lexicon::new();
    let mut sets = Vec::with_capacity(inputs.len());
    let mut docs: Vec<Vec<u32>> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let folded = normalize::fold(input.text);
        let words: Vec<&str> = normalize::words(&folded).collect();
        sets.push(duplicates::shingles(&words));
        docs.push(words.iter().filter_map(|w| lexicon.term(w)).collect());
    }
    let groups = duplicates::groups(&sets);
    drop(sets);
    // A campaign is read once: by its first text.
    let mut copy_of: Vec<Option<usize>> = vec![None; inputs.len()];
    for g in &groups {
        for &m in &g[1..] {
            copy_of[m] = Some(g[0]);
        }
    }
    let reps: Vec<usize> = (0..inputs.len())
        .filter(|i| copy_of[*i].is_none())
        .collect();

    // Misspellings folded into the word they miss, then terms renumbered densely.
    let mut df = vec![0u32; lexicon.len()];
    for &r in &reps {
        let mut seen = docs[r].clone();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().for_each(|t| df[t as usize] += 1);
    }
    let merged = lexicon.spelling_merges(&df);
    let mut dense = vec![u32::MAX; lexicon.len()];
    let mut original: Vec<u32> = Vec::new();
    let rep_docs: Vec<Vec<u32>> = reps
        .iter()
        .map(|&r| {
            docs[r]
                .iter()
                .map(|&t| {
                    let m = merged[t as usize];
                    if dense[m as usize] == u32::MAX {
                        dense[m as usize] = original.len() as u32;
                        original.push(m);
                    }
                    dense[m as usize]
                })
                .collect()
        })
        .collect();
    drop(docs);
    let min_df = if reps.len() >= 20 { 2 } else { 1 };
    let vectors = themes::vectors(&rep_docs, original.len(), min_df);
    let clusters = themes::cluster(&vectors, original.len(), options.themes);
    let rep_theme = &clusters.assign;
    let centroids = &clusters.terms;

    let mut theme_of: Vec<Option<usize>> = vec![None; inputs.len()];
    for (j, &r) in reps.iter().enumerate() {
        theme_of[r] = rep_theme[j];
    }
    for i in 0..inputs.len() {
        if let Some(first) = copy_of[i] {
            theme_of[i] = theme_of[first];
        }
    }

    // Themes largest first.
    let mut sizes = vec![0usize; centroids.len()];
    theme_of.iter().flatten().for_each(|k| sizes[*k] += 1);
    let mut order: Vec<usize> = (0..centroids.len()).collect();
    order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
    let mut rank = vec![0usize; centroids.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old] = new;
    }
    for t in theme_of.iter_mut().flatten() {
        *t = rank[*t];
    }

    let mut months: Vec<(i32, u32)> = inputs
        .iter()
        .filter_map(|i| i.on.map(|d| (d.year(), d.month())))
        .collect();
    months.sort_unstable();
    months.dedup();

    let themes_out: Vec<Theme> = order
        .iter()
        .enumerate()
        .map(|(new, &old)| {
            let members: Vec<usize> = (0..inputs.len())
                .filter(|&i| theme_of[i] == Some(new))
                .collect();
            let mut near: Vec<(usize, f32)> = reps
                .iter()
                .enumerate()
                .filter(|(j, _)| rep_theme[*j] == Some(old))
                .map(|(j, &r)| (r, clusters.closeness[j]))
                .collect();
            near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut by_month = vec![0usize; months.len()];
            for &m in &members {
                if let Some(d) = inputs[m].on {
                    if let Ok(p) = months.binary_search(&(d.year(), d.month())) {
                        by_month[p] += 1;
                    }
                }
            }
            Theme {
                keywords: themes::keywords(centroids, old, KEYWORDS)
                    .into_iter()
                    .map(|(t, _)| lexicon.display(original[t as usize]).to_string())
                    .collect(),
                size: members.len(),
                copies: members.iter().filter(|m| copy_of[**m].is_some()).count(),
                quotes: near.into_iter().take(QUOTES).map(|(r, _)| r).collect(),
                by_month,
            }
        })
        .collect();

    let mut duplicates_out: Vec<DuplicateGroup> = groups
        .into_iter()
        .map(|members| {
            let days = members.iter().filter_map(|m| inputs[*m].on);
            DuplicateGroup {
                theme: theme_of[members[0]],
                first: days.clone().min(),
                last: days.max(),
                members,
            }
        })
        .collect();
    duplicates_out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members[0].cmp(&b.members[0]))
    });

    Analysis {
        texts: inputs.len(),
        without_theme: theme_of.iter().filter(|t| t.is_none()).count(),
        themes: themes_out,
        duplicates: duplicates_out,
        months,
        theme_of,
    }
}

/// A text as shown in a quote: identities masked, cut to [`QUOTE_CHARS`].
pub fn quote(text: &str) -> String {
    redact::quote(text, QUOTE_CHARS)
}
