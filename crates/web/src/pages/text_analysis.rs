//! What citizens wrote, read for staff: the themes of a source's open texts (the words
//! behind each, its size, quotes without identities, its course by month) and the
//! groups of near-identical texts that show a copy-and-paste campaign. Sources: a
//! survey's open answers (all its free-text questions, or one), a forum, a hearing's
//! questions, the suggestions.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use participa_app::text_analysis::{analyse_source, TextReport, MAX_TEXTS, MAX_THEMES};
use participa_domain::participation::survey::QuestionKind;
use participa_domain::participation::ConsultationKind;
use participa_domain::Action;
use participa_store::TextSource;
use serde::Deserialize;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/analisis", index)
        .get("/analisis/sugerencias", suggestions)
        .get("/analisis/consultas/{id}", consultation)
        .get("/analisis/audiencias/{id}", hearing)
}

#[derive(Debug, Default, Deserialize)]
pub struct AnalysisQuery {
    /// The number of themes wanted; empty or out of range: chosen by the analysis.
    pub temas: Option<String>,
    /// A survey's question number; empty: all its free-text questions.
    pub pregunta: Option<String>,
}

impl AnalysisQuery {
    fn themes(&self) -> Option<usize> {
        self.temas
            .as_deref()
            .and_then(|t| t.trim().parse::<usize>().ok())
            .filter(|k| (2..=MAX_THEMES).contains(k))
    }
}

#[derive(Template)]
#[template(path = "text_analysis_index.html")]
struct IndexPage {
    layout: Layout,
    /// (link, title, what it holds)
    sources: Vec<(String, String, String)>,
}

async fn index(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let mut sources = vec![(
        "/admin/analisis/sugerencias".to_string(),
        "Sugerencias recibidas".to_string(),
        "Campaña de sugerencias".to_string(),
    )];
    for c in state.store.consultations().await? {
        let (what, n) = match c.data.kind {
            ConsultationKind::Forum(_) => ("Foro", c.comments),
            ConsultationKind::Survey => {
                if !c.questions.iter().any(|q| q.kind == QuestionKind::Text) {
                    continue;
                }
                ("Consulta con preguntas abiertas", c.responses)
            }
        };
        sources.push((
            format!("/admin/analisis/consultas/{}", c.id),
            c.data.title.clone(),
            format!("{what}; {n} participaciones"),
        ));
    }
    for h in state.store.hearings().await? {
        sources.push((
            format!("/admin/analisis/audiencias/{}", h.id),
            h.data.title.clone(),
            "Preguntas de la audiencia de rendición de cuentas".to_string(),
        ));
    }
    let page = IndexPage {
        layout: user.layout("Análisis de lo que escribió la ciudadanía", &state),
        sources,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "text_analysis.html")]
struct AnalysisPage {
    layout: Layout,
    source: String,
    action: String,
    report: TextReport,
    max_texts: i64,
    theme_choices: Vec<(usize, bool)>,
    /// A survey's free-text questions: (number, text, chosen).
    questions: Vec<(u32, String, bool)>,
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    source: TextSource,
    title: String,
    action: String,
    q: &AnalysisQuery,
    questions: Vec<(u32, String, bool)>,
) -> AppResult<Html<String>> {
    let themes = q.themes();
    let report = analyse_source(&state.store, source, themes).await?;
    let page = AnalysisPage {
        layout: user.layout(format!("Análisis: {title}"), state),
        source: title,
        action,
        report,
        max_texts: MAX_TEXTS,
        theme_choices: (2..=MAX_THEMES).map(|k| (k, Some(k) == themes)).collect(),
        questions,
    };
    Ok(Html(page.render()?))
}

async fn suggestions(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AnalysisQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    show(
        &state,
        &user,
        TextSource::Suggestions,
        "sugerencias recibidas".into(),
        "/admin/analisis/sugerencias".into(),
        &q,
        vec![],
    )
    .await
}

async fn consultation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AnalysisQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let c = state.store.consultation(id).await?;
    let action = format!("/admin/analisis/consultas/{id}");
    match c.data.kind {
        ConsultationKind::Forum(_) => {
            show(
                &state,
                &user,
                TextSource::Forum(id),
                c.data.title.clone(),
                action,
                &q,
                vec![],
            )
            .await
        }
        ConsultationKind::Survey => {
            let question = q
                .pregunta
                .as_deref()
                .and_then(|p| p.trim().parse::<u32>().ok())
                .filter(|n| {
                    c.questions
                        .iter()
                        .any(|x| x.number == *n && x.kind == QuestionKind::Text)
                });
            let questions = c
                .questions
                .iter()
                .filter(|x| x.kind == QuestionKind::Text)
                .map(|x| (x.number, x.text.clone(), Some(x.number) == question))
                .collect();
            let source = TextSource::Survey {
                consultation: id,
                question,
            };
            show(
                &state,
                &user,
                source,
                c.data.title.clone(),
                action,
                &q,
                questions,
            )
            .await
        }
    }
}

async fn hearing(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AnalysisQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let h = state.store.hearing(id).await?;
    show(
        &state,
        &user,
        TextSource::Hearing(id),
        format!("preguntas de «{}»", h.data.title),
        format!("/admin/analisis/audiencias/{id}"),
        &q,
        vec![],
    )
    .await
}
