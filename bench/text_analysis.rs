//! Reading what citizens wrote, at national size: `TEXTS` (100 000) open texts made
//! from the labelled set of `crates/text/tests/data/corpus.tsv` (each a corpus text
//! with words left out and words of another text of its theme put in, one in fifty a
//! campaign copy), dated over a year.
//!
//! `cargo bench --bench text_analysis` (optimised build). Times, best of 3:
//! - the baseline of the same run: what the reports did before, grouping answers that
//!   say exactly the same (`group_open_answers`);
//! - the analysis with the number of themes chosen by it, and set to five.
//!
//! Prints each time, the ratio to the baseline, and, on the generated texts, the
//! adjusted Rand index against the themes they were made from (target: 100 000 texts
//! in under 10 s on 2 cores).
//!
//! `TEXT_ANALYSIS_TEXTS` changes the number of texts.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use participa_domain::participation::deliverables::group_open_answers;
use participa_text::evaluation::adjusted_rand_index;
use participa_text::{analyse, Input, Options};

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn best_of_3(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let n: usize = std::env::var("TEXT_ANALYSIS_TEXTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let corpus: Vec<(String, String, String)> =
        include_str!("../crates/text/tests/data/corpus.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].to_string(), f[1].to_string(), f[2].to_string())
            })
            .collect();
    let ordinary: Vec<&(String, String, String)> =
        corpus.iter().filter(|c| c.1.is_empty()).collect();
    let campaigns: Vec<&(String, String, String)> =
        corpus.iter().filter(|c| !c.1.is_empty()).collect();
    let mut texts = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let h = mix(i);
        if h.is_multiple_of(50) {
            let c = campaigns[(h >> 8) as usize % campaigns.len()];
            texts.push(c.2.clone());
            labels.push(c.0.clone());
            continue;
        }
        let base = ordinary[(h >> 8) as usize % ordinary.len()];
        let same: Vec<&&(String, String, String)> =
            ordinary.iter().filter(|o| o.0 == base.0).collect();
        let other = same[(h >> 24) as usize % same.len()];
        let other_words: Vec<&str> = other.2.split_whitespace().collect();
        let mut out: Vec<&str> = Vec::new();
        for (j, w) in base.2.split_whitespace().enumerate() {
            let r = mix(h ^ j as u64) % 10;
            if r == 0 {
                continue; // left out
            }
            out.push(w);
            if r == 1 {
                out.push(other_words[(mix(h + j as u64) as usize) % other_words.len()]);
            }
        }
        texts.push(out.join(" "));
        labels.push(base.0.clone());
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let inputs: Vec<Input> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Input {
            text: t,
            on: Some(start + Days::new((i * 365 / n.max(1)) as u64)),
        })
        .collect();

    let baseline = best_of_3(|| {
        std::hint::black_box(group_open_answers(texts.iter().map(String::as_str)));
    });
    let mut auto = None;
    let automatic = best_of_3(|| auto = Some(analyse(&inputs, &Options::default())));
    let mut five = None;
    let set = best_of_3(|| five = Some(analyse(&inputs, &Options { themes: Some(5) })));
    let (auto, five) = (auto.unwrap(), five.unwrap());
    let ari = |a: &participa_text::Analysis| {
        let found: Vec<String> = a.theme_of.iter().map(|t| format!("{t:?}")).collect();
        adjusted_rand_index(&found, &labels)
    };
    println!(
        "{n} textos, {} núcleos",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    println!("baseline (grouping identical answers): {:.3} s", baseline);
    println!(
        "analysis, themes chosen ({}): {:.3} s = {:.1}× baseline; ARI {:.3}; {} near-duplicate groups",
        auto.themes.len(),
        automatic,
        automatic / baseline,
        ari(&auto),
        auto.duplicates.len()
    );
    println!(
        "analysis, five themes: {:.3} s = {:.1}× baseline; ARI {:.3}",
        set,
        set / baseline,
        ari(&five)
    );
}
