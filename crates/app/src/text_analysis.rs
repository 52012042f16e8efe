//! Reading what citizens wrote in one source (a survey's open answers, a forum, a
//! hearing's questions, the suggestions): the newest texts, analysed off the async
//! threads one analysis at a time, and shown as themes and campaigns in plain Spanish.
//! The web page and the reports both use it.

use crate::dates::{colombia_date, fecha};
use crate::Error;
use participa_store::{Store, TextSource};
use participa_text::{analyse, Analysis, Input, Options};

/// The most texts read for one analysis: the newest ones (100 000 take a few seconds).
pub const MAX_TEXTS: i64 = 100_000;
/// The most themes staff may ask for.
pub const MAX_THEMES: usize = 12;

/// One theme as people read it.
#[derive(Debug, Clone)]
pub struct ThemeView {
    /// «subsidio, vivienda, asignación»: its first words.
    pub title: String,
    pub keywords: Vec<String>,
    pub size: usize,
    /// Share of the texts read, «12 %».
    pub share: String,
    pub copies: usize,
    /// Quotes without identities.
    pub quotes: Vec<String>,
    pub by_month: Vec<usize>,
}

/// A group of near-identical texts.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub size: usize,
    pub quote: String,
    pub theme: String,
    /// «del 3 de marzo de 2025 al 9 de marzo de 2025», or one day.
    pub span: String,
}

/// An analysis ready to show.
#[derive(Debug, Clone)]
pub struct TextReport {
    pub texts: usize,
    /// Whether more texts exist than were read.
    pub capped: bool,
    pub themes: Vec<ThemeView>,
    pub without_theme: usize,
    pub campaigns: Vec<CampaignView>,
    /// Month labels, oldest first («mar. 2025»).
    pub months: Vec<String>,
    /// Whether the number of themes was chosen by the analysis.
    pub automatic: bool,
}

fn month_label((y, m): (i32, u32)) -> String {
    const NAMES: [&str; 12] = [
        "ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.", "nov.",
        "dic.",
    ];
    format!("{} {y}", NAMES[(m as usize).saturating_sub(1) % 12])
}

/// Turns an analysis of `texts` into what people read.
pub fn report(texts: &[String], a: &Analysis, capped: bool, automatic: bool) -> TextReport {
    let themes: Vec<ThemeView> = a
        .themes
        .iter()
        .map(|t| ThemeView {
            title: t
                .keywords
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            keywords: t.keywords.clone(),
            size: t.size,
            share: format!("{:.0} %", 100.0 * t.size as f64 / a.texts.max(1) as f64),
            copies: t.copies,
            quotes: t
                .quotes
                .iter()
                .map(|q| participa_text::quote(&texts[*q]))
                .collect(),
            by_month: t.by_month.clone(),
        })
        .collect();
    let campaigns = a
        .duplicates
        .iter()
        .map(|d| CampaignView {
            size: d.members.len(),
            quote: participa_text::quote(&texts[d.members[0]]),
            theme: d
                .theme
                .and_then(|t| themes.get(t))
                .map_or_else(|| "Sin tema".to_string(), |t| t.title.clone()),
            span: match (d.first, d.last) {
                (Some(a), Some(b)) if a == b => format!("el {}", fecha(a)),
                (Some(a), Some(b)) => format!("del {} al {}", fecha(a), fecha(b)),
                _ => String::new(),
            },
        })
        .collect();
    TextReport {
        texts: a.texts,
        capped,
        themes,
        without_theme: a.without_theme,
        campaigns,
        months: a.months.iter().copied().map(month_label).collect(),
        automatic,
    }
}

/// One analysis at a time on the machine: each takes a core for up to seconds.
fn turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| tokio::sync::Semaphore::new(1))
}

/// Reads and analyses a source's newest texts; `themes` is the number staff asked
/// for, if any (kept between 2 and [`MAX_THEMES`]).
pub async fn analyse_source(
    store: &Store,
    source: TextSource,
    themes: Option<usize>,
) -> Result<TextReport, Error> {
    let rows = store.written_texts(source, MAX_TEXTS + 1).await?;
    let capped = rows.len() as i64 > MAX_TEXTS;
    let mut rows = rows;
    rows.truncate(MAX_TEXTS as usize);
    rows.reverse(); // oldest first: the order texts came in
    let days: Vec<_> = rows.iter().map(|r| colombia_date(r.at)).collect();
    let texts: Vec<String> = rows.into_iter().map(|r| r.text).collect();
    let options = Options {
        themes: themes.map(|k| k.clamp(2, MAX_THEMES)),
    };
    let _turn = turns()
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let inputs: Vec<Input> = texts
            .iter()
            .zip(&days)
            .map(|(t, d)| Input {
                text: t,
                on: Some(*d),
            })
            .collect();
        let a = analyse(&inputs, &options);
        report(&texts, &a, capped, options.themes.is_none())
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))
}

/// Fewer texts than this give no themes worth a report's space.
pub const MIN_TEXTS_FOR_THEMES: usize = 30;

/// The themes of texts for a report (number of themes chosen by the analysis), or
/// None when there are too few texts.
pub async fn themes_for_report(texts: Vec<(String, chrono::NaiveDate)>) -> Option<TextReport> {
    if texts.len() < MIN_TEXTS_FOR_THEMES {
        return None;
    }
    let _turn = turns().acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let inputs: Vec<Input> = texts
            .iter()
            .map(|(t, d)| Input {
                text: t,
                on: Some(*d),
            })
            .collect();
        let a = analyse(&inputs, &Options::default());
        let owned: Vec<String> = texts.iter().map(|(t, _)| t.clone()).collect();
        report(&owned, &a, false, true)
    })
    .await
    .ok()
}
