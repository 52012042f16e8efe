//! The analysis measured on a labelled set written for the test
//! (`tests/data/corpus.tsv`): Spanish texts of five known themes, with misspellings,
//! missing accents and copy-and-paste campaigns.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use participa_text::evaluation::adjusted_rand_index;
use participa_text::{analyse, Input, Options};

struct Labelled {
    theme: String,
    campaign: Option<String>,
    text: String,
}

fn corpus() -> Vec<Labelled> {
    let text = include_str!("data/corpus.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "line {}: {l}", n + 1);
            Labelled {
                theme: f[0].to_string(),
                campaign: (!f[1].is_empty()).then(|| f[1].to_string()),
                text: f[2].to_string(),
            }
        })
        .collect()
}

fn inputs(c: &[Labelled]) -> Vec<Input<'_>> {
    let start = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    c.iter()
        .enumerate()
        .map(|(i, l)| Input {
            text: &l.text,
            on: Some(start + chrono::Days::new((i * 7 % 120) as u64)),
        })
        .collect()
}

#[test]
fn the_set_is_what_the_measure_needs() {
    let c = corpus();
    assert!(c.len() >= 300, "{} texts", c.len());
    let themes: HashSet<&str> = c.iter().map(|l| l.theme.as_str()).collect();
    assert_eq!(themes.len(), 5);
    let campaigns: HashSet<&str> = c.iter().filter_map(|l| l.campaign.as_deref()).collect();
    assert!(campaigns.len() >= 10);
}

/// With the number of themes set to the five the set was written on.
#[test]
fn themes_found_agree_with_the_labels() {
    let c = corpus();
    let a = analyse(&inputs(&c), &Options { themes: Some(5) });
    let found: Vec<String> = a
        .theme_of
        .iter()
        .map(|t| t.map_or("ninguno".to_string(), |t| t.to_string()))
        .collect();
    let labels: Vec<&str> = c.iter().map(|l| l.theme.as_str()).collect();
    let ari = adjusted_rand_index(&found, &labels);
    for (k, t) in a.themes.iter().enumerate() {
        eprintln!("tema {k}: {} textos, {:?}", t.size, t.keywords);
    }
    eprintln!("{} temas, índice de Rand ajustado {ari:.3}", a.themes.len());
    assert!(ari >= 0.6, "adjusted Rand index {ari:.3}");

    // Explainable: each theme has its words and quotes from its own texts.
    for (k, t) in a.themes.iter().enumerate() {
        assert!(!t.keywords.is_empty(), "theme {k}");
        assert!(!t.quotes.is_empty(), "theme {k}");
        assert!(t.quotes.iter().all(|q| a.theme_of[*q] == Some(k)));
        assert_eq!(t.by_month.iter().sum::<usize>(), t.size);
    }
    let sizes: usize = a.themes.iter().map(|t| t.size).sum();
    assert_eq!(sizes + a.without_theme, c.len());
    assert!(a.months.len() >= 3);
}

#[test]
fn campaigns_are_found_and_no_group_is_false() {
    let c = corpus();
    let a = analyse(&inputs(&c), &Options::default());
    let mut labelled_pairs = 0usize;
    let mut found_pairs = 0usize;
    let group_of: HashMap<usize, usize> = a
        .duplicates
        .iter()
        .enumerate()
        .flat_map(|(g, d)| d.members.iter().map(move |m| (*m, g)))
        .collect();
    for i in 0..c.len() {
        for j in i + 1..c.len() {
            if c[i].campaign.is_some() && c[i].campaign == c[j].campaign {
                labelled_pairs += 1;
                if group_of.contains_key(&i) && group_of.get(&i) == group_of.get(&j) {
                    found_pairs += 1;
                }
            }
        }
    }
    let recall = found_pairs as f64 / labelled_pairs as f64;
    eprintln!(
        "{} grupos; {found_pairs} de {labelled_pairs} pares ({:.1} %)",
        a.duplicates.len(),
        recall * 100.0
    );
    assert!(recall >= 0.95, "near-duplicate recall {recall:.3}");
    for d in &a.duplicates {
        let labels: HashSet<Option<&str>> = d
            .members
            .iter()
            .map(|m| c[*m].campaign.as_deref())
            .collect();
        assert!(
            labels.len() == 1 && !labels.contains(&None),
            "false group: {:?}",
            d.members.iter().map(|m| &c[*m].text).collect::<Vec<_>>()
        );
        assert_eq!(d.theme, a.theme_of[d.members[0]]);
    }
}

#[test]
fn the_same_texts_give_the_same_themes() {
    let c = corpus();
    let one = analyse(&inputs(&c), &Options::default());
    let two = analyse(&inputs(&c), &Options::default());
    assert_eq!(one.theme_of, two.theme_of);
    let words = |a: &participa_text::Analysis| {
        a.themes
            .iter()
            .map(|t| t.keywords.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&one), words(&two));
    let three = analyse(&inputs(&c), &Options { themes: Some(3) });
    assert_eq!(three.themes.len(), 3);
}

#[test]
fn a_handful_of_texts_or_none_does_not_fail() {
    let none = analyse(&[], &Options::default());
    assert!(none.themes.is_empty() && none.duplicates.is_empty());
    let few = ["Ninguna", "ok", "La tasa del crédito es alta", "¡¡¡!!!"];
    let inputs: Vec<Input> = few.iter().map(|t| Input { text: t, on: None }).collect();
    let a = analyse(&inputs, &Options::default());
    assert_eq!(a.without_theme, 3);
    assert_eq!(a.themes.len(), 1);
    assert_eq!(a.theme_of[2], Some(0));
    let asked = analyse(&inputs, &Options { themes: Some(12) });
    assert_eq!(asked.themes.len(), 1);
}

/// With the number of themes left to the analysis: it chooses by the gap between the
/// texts' silhouette and that of the same words shuffled among them. On this set it
/// chooses fewer themes than were written (two pairs of neighbouring themes merge),
/// which costs agreement; the bound guards against getting worse.
#[test]
fn the_number_of_themes_chosen_is_near_the_labels() {
    let c = corpus();
    let a = analyse(&inputs(&c), &Options::default());
    let found: Vec<String> = a.theme_of.iter().map(|t| format!("{t:?}")).collect();
    let labels: Vec<&str> = c.iter().map(|l| l.theme.as_str()).collect();
    let ari = adjusted_rand_index(&found, &labels);
    eprintln!(
        "elegidos {} temas, índice de Rand ajustado {ari:.3}",
        a.themes.len()
    );
    assert!(
        (3..=8).contains(&a.themes.len()),
        "{} themes",
        a.themes.len()
    );
    assert!(ari >= 0.5, "adjusted Rand index {ari:.3}");
}
