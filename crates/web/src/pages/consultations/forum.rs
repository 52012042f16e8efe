//! Forums: a consultation of kind `foro`. Staff open topics; citizens comment and reply
//! without an account at `/consultas/{id}` (rate limit, honeypot, a name published only
//! with consent); comments wait for moderation or show at once, as the forum says;
//! anyone can report a comment; staff publish, hide with a reason, or restore from the
//! moderation queue.

use super::{admin_page, consultation, QuestionValues};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::form::{FieldErrors, FormData};
use crate::pages::participation::{is_open, not_open_notice, public_only, stage, Stage};
use crate::pages::shared::{attachment, csv_line};
use crate::views::Layout;
use crate::{AppState, ClientAddress};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use participa_app::dates::{colombia_date, fecha, today};
use participa_domain::participation::forum::{
    check_comment, check_reason, check_title, thread, CommentStatus, Moderation,
};
use participa_domain::participation::ConsultationKind;
use participa_domain::Action;
use participa_store::{Consultation, ForumComment, StoreError};

fn when(c: &ForumComment) -> String {
    fecha(colombia_date(c.at))
}

/// What a citizen typed in one comment form, kept when it is refused.
#[derive(Default, Clone)]
pub struct Typed {
    /// `t{topic}` for a new comment, `r{comment}` for a reply.
    pub form: String,
    pub body: String,
    pub name: String,
    pub consent: bool,
}

/// One comment form: ids are plain (`comentario`) on the form that failed, so the error
/// summary links to them, and suffixed elsewhere.
pub struct CommentForm {
    pub topic: i64,
    pub parent: Option<i64>,
    pub suffix: String,
    pub failed: bool,
    pub body: String,
    pub name: String,
    pub consent: bool,
}

impl CommentForm {
    fn new(topic: i64, parent: Option<i64>, typed: &Typed) -> Self {
        let key = match parent {
            Some(p) => format!("r{p}"),
            None => format!("t{topic}"),
        };
        let failed = typed.form == key;
        CommentForm {
            topic,
            parent,
            suffix: if failed {
                String::new()
            } else {
                format!("-{key}")
            },
            failed,
            body: if failed {
                typed.body.clone()
            } else {
                String::new()
            },
            name: if failed {
                typed.name.clone()
            } else {
                String::new()
            },
            consent: failed && typed.consent,
        }
    }
}

pub struct CommentView {
    pub id: i64,
    pub depth: usize,
    pub author: String,
    pub when: String,
    pub body: String,
    pub hidden_reason: Option<String>,
    pub reply: Option<CommentForm>,
    pub report_failed: bool,
}

pub struct TopicView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub comments: Vec<CommentView>,
    pub form: CommentForm,
    /// The page of older and of more recent conversations, when there are.
    pub older: Option<i64>,
    pub newer: Option<i64>,
    /// Which conversations are shown, counted from the most recent.
    pub shown_from: i64,
    pub shown_to: i64,
}

#[derive(Template)]
#[template(path = "forum.html")]
pub struct ForumPage {
    pub layout: Layout,
    pub id: i64,
    pub title: String,
    pub description: String,
    pub dates: String,
    pub open: bool,
    /// Why it takes no comments today (not yet open, or closed), said to the citizen.
    pub notice_dates: Option<String>,
    /// Staff looking at the forum before it opens: topics shown, no forms.
    pub preview: bool,
    pub moderation: &'static str,
    pub topics: Vec<TopicView>,
    pub notice: String,
    pub errors: FieldErrors,
    pub purpose: String,
    /// When staff published the results report and where it is, if they did.
    pub report: Option<(String, String)>,
}

fn purpose(entity: &str) -> String {
    format!(
        "Autorizo a {entity} a publicar el nombre que escribo junto con mi comentario en este foro, \
         conforme a la Ley 1581 de 2012. Si dejo el nombre vacío, el comentario se publica sin nombre."
    )
}

/// The forum's public page, with `notice` (a comment or report received) on top; with
/// `preview`, staff's view of it whatever the date.
pub(super) async fn show(
    state: &AppState,
    c: &Consultation,
    moderation: Moderation,
    notice: String,
    staff: Option<Layout>,
    paged: Option<(i64, i64)>,
) -> AppResult<Response> {
    let preview = staff.is_some();
    let open = is_open(c, today()) && !preview;
    let view = ForumView {
        open,
        typed: Typed::default(),
        errors: FieldErrors::new(),
        notice,
        preview,
        staff,
        paged,
    };
    public_page(state, c, moderation, view).await
}

/// What one rendering of the forum page shows besides the forum itself.
struct ForumView {
    open: bool,
    typed: Typed,
    errors: FieldErrors,
    notice: String,
    preview: bool,
    /// Staff's frame for a preview; citizens get the public one.
    staff: Option<Layout>,
    /// (topic, page) when older comments of a topic are asked for.
    paged: Option<(i64, i64)>,
}

/// How many threads (a comment and its replies) of each topic the page shows at once:
/// the page costs the same however many comments the forum gathers.
pub const THREADS_PER_PAGE: i64 = 30;

/// The public forum page. Published comments show; hidden ones show their reason in
/// their place (so replies keep their context); pending ones do not show.
async fn public_page(
    state: &AppState,
    c: &Consultation,
    moderation: Moderation,
    view: ForumView,
) -> AppResult<Response> {
    let ForumView {
        open,
        typed,
        errors,
        notice,
        preview,
        staff,
        paged,
    } = view;
    let today = today();
    let (mut topics, comments, threads) = state
        .store
        .forum_page(c.id, THREADS_PER_PAGE, paged)
        .await?;
    // Before it opens the topics are staff's draft: citizens see them from the opening
    // day.
    if matches!(stage(c, today), Stage::Draft | Stage::Announced) && !preview {
        topics.clear();
    }
    let visible: Vec<ForumComment> = comments
        .into_iter()
        .filter(|x| x.status != CommentStatus::Pending)
        .collect();
    let topics = topics
        .into_iter()
        .map(|t| {
            let mine: Vec<ForumComment> = visible
                .iter()
                .filter(|x| x.topic_id == t.id)
                .cloned()
                .collect();
            let comments = thread(&mine)
                .into_iter()
                .map(|(depth, x)| {
                    let hidden = x.status == CommentStatus::Hidden;
                    CommentView {
                        id: x.id,
                        depth,
                        author: x
                            .author
                            .clone()
                            .unwrap_or_else(|| "Participante".to_string()),
                        when: when(x),
                        body: if hidden {
                            String::new()
                        } else {
                            x.body.clone()
                        },
                        hidden_reason: hidden.then(|| x.hidden_reason.clone()),
                        reply: (!hidden && open)
                            .then(|| CommentForm::new(t.id, Some(x.id), &typed)),
                        report_failed: typed.form == format!("a{}", x.id),
                    }
                })
                .collect();
            let read = threads.get(&t.id).copied().unwrap_or(0);
            let page = paged.filter(|(p, _)| *p == t.id).map_or(1, |(_, n)| n);
            let before = (page - 1) * THREADS_PER_PAGE;
            TopicView {
                id: t.id,
                older: (read > THREADS_PER_PAGE).then_some(page + 1),
                newer: (page > 1).then_some(page - 1),
                shown_from: before + 1,
                shown_to: before + read.min(THREADS_PER_PAGE),
                form: CommentForm::new(t.id, None, &typed),
                title: t.title,
                body: t.body,
                comments,
            }
        })
        .collect();
    let status = errors.status();
    let page = ForumPage {
        layout: staff.unwrap_or_else(|| Layout::public(c.data.title.clone(), state)),
        id: c.id,
        title: c.data.title.clone(),
        description: c.data.description.clone(),
        dates: format!(
            "Del {} al {}",
            fecha(c.data.opens_on),
            fecha(c.data.closes_on)
        ),
        open,
        notice_dates: not_open_notice(c, today, "el foro"),
        report: super::published_results(state, c.id).await?,
        preview,
        moderation: match moderation {
            Moderation::Before => {
                "Los comentarios se publican después de que el equipo los revisa."
            }
            Moderation::After => {
                "Los comentarios se publican de inmediato; el equipo oculta, indicando el motivo, los que incumplan las reglas del foro."
            }
        },
        topics,
        notice,
        errors,
        purpose: purpose(&state.entity),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /consultas/{id}/respuestas` on an open forum: a comment or a reply.
pub(super) async fn comment(
    state: &AppState,
    c: &Consultation,
    moderation: Moderation,
    form: &FormData,
) -> AppResult<Response> {
    let id = c.id;
    let topic: i64 = form.get("tema").parse().unwrap_or(0);
    let parent: Option<i64> = form.get("padre").parse().ok();
    let typed = Typed {
        form: match parent {
            Some(p) => format!("r{p}"),
            None => format!("t{topic}"),
        },
        body: form.get("comentario").to_string(),
        name: form.get("nombre").to_string(),
        consent: form.get("autorizacion") == "si",
    };
    let (topic_ok, parent_ok) = state.store.comment_target(id, topic, parent).await?;
    if !topic_ok {
        return Err(AppError::BadRequest(
            "El tema al que quiere comentar no existe en este foro.".into(),
        ));
    }
    // The one comment a reply may answer, when it is published in this topic.
    let published: Vec<i64> = parent.filter(|_| parent_ok).into_iter().collect();
    match check_comment(&typed.body, &typed.name, typed.consent, parent, &published) {
        Ok(new) => {
            let status = moderation.initial_status();
            let cid = state.store.add_forum_comment(topic, &new, status).await?;
            let anchor = if status == CommentStatus::Published {
                format!("c{cid}")
            } else {
                "aviso".to_string()
            };
            Ok(Redirect::to(&format!(
                "/consultas/{id}?comentario={}#{anchor}",
                status.code()
            ))
            .into_response())
        }
        Err(list) => {
            let mut errors = FieldErrors::new();
            for e in list {
                errors.add_first(e.field(), &e);
            }
            // A refused reply is shown again on the page of its conversation.
            let paged = match parent {
                Some(p) => Some((
                    topic,
                    state.store.comment_page(topic, p, THREADS_PER_PAGE).await?,
                )),
                None => None,
            };
            let view = ForumView {
                open: true,
                typed,
                errors,
                notice: String::new(),
                preview: false,
                staff: None,
                paged,
            };
            public_page(state, c, moderation, view).await
        }
    }
}

/// `POST /consultas/{id}/comentarios/{comment}/reportar`: anyone reports a comment.
pub async fn report(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path((id, comment)): Path<(i64, i64)>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    let c = public_only(consultation(&state, id).await?, today())?;
    let ConsultationKind::Forum(moderation) = c.data.kind else {
        return Err(AppError::NotFound);
    };
    let (forum, status) = state.store.forum_comment_place(comment).await?;
    if forum != id || status != CommentStatus::Published {
        return Err(AppError::NotFound);
    }
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to(&format!("/consultas/{id}?reporte=1#aviso")).into_response());
    }
    match check_reason(form.get("motivo")) {
        Ok(reason) => {
            state.store.report_forum_comment(comment, &reason).await?;
            Ok(Redirect::to(&format!("/consultas/{id}?reporte=1#aviso")).into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add("motivo", &e);
            let typed = Typed {
                form: format!("a{comment}"),
                ..Default::default()
            };
            let view = ForumView {
                open: is_open(&c, today()),
                typed,
                errors,
                notice: String::new(),
                preview: false,
                staff: None,
                paged: None,
            };
            public_page(&state, &c, moderation, view).await
        }
    }
}

// ------------------------------------------------------------------ staff

pub async fn add_topic(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let c = consultation(&state, id).await?;
    if c.data.kind == ConsultationKind::Survey {
        return Err(AppError::BadRequest(
            "Esta consulta es una encuesta, no un foro.".into(),
        ));
    }
    let title = form.get("titulo").to_string();
    let body = form.get("texto").trim().to_string();
    match check_title(&title) {
        Ok(t) => {
            state
                .store
                .add_forum_topic(id, &t, &body, &user.actor())
                .await?;
            Ok(Redirect::to(&format!("/admin/consultas/{id}#temas")).into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add("titulo", &e);
            let values = QuestionValues {
                topic_title: title,
                topic_body: body,
                ..QuestionValues::blank()
            };
            admin_page(&state, &user, id, values, errors).await
        }
    }
}

/// A forum's topics for the staff page, as (id, title, published, waiting), and how
/// many comments wait in the moderation queue (pending or reported).
pub(super) async fn staff_summary(
    state: &AppState,
    id: i64,
) -> AppResult<(Vec<(i64, String, usize, usize)>, usize)> {
    let (topics, comments) = state.store.forum(id).await?;
    let count = |t: i64, s: CommentStatus| {
        comments
            .iter()
            .filter(|x| x.topic_id == t && x.status == s)
            .count()
    };
    let topics = topics
        .iter()
        .map(|t| {
            (
                t.id,
                t.title.clone(),
                count(t.id, CommentStatus::Published),
                count(t.id, CommentStatus::Pending),
            )
        })
        .collect();
    let queue = comments
        .iter()
        .filter(|x| x.status == CommentStatus::Pending || !x.open_reports.is_empty())
        .count();
    Ok((topics, queue))
}

pub struct QueueItem {
    pub id: i64,
    pub topic: String,
    pub author: String,
    pub when: String,
    pub body: String,
    pub status: &'static str,
    pub published: bool,
    pub hidden: bool,
    pub reports: Vec<String>,
    pub failed: bool,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "forum_moderation.html")]
pub struct ModerationPage {
    pub layout: Layout,
    pub id: i64,
    pub title: String,
    pub queue: Vec<QueueItem>,
    pub hidden: Vec<QueueItem>,
    pub can_manage: bool,
    pub errors: FieldErrors,
}

async fn moderation_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    failed: Option<(i64, String)>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = consultation(state, id).await?;
    let (topics, comments) = state.store.forum(id).await?;
    let item = |x: &ForumComment| {
        let is_failed = failed.as_ref().is_some_and(|(f, _)| *f == x.id);
        QueueItem {
            id: x.id,
            topic: topics
                .iter()
                .find(|t| t.id == x.topic_id)
                .map(|t| t.title.clone())
                .unwrap_or_default(),
            author: x.author.clone().unwrap_or_else(|| "Participante".into()),
            when: when(x),
            body: x.body.clone(),
            status: x.status.label(),
            published: x.status == CommentStatus::Published,
            hidden: x.status == CommentStatus::Hidden,
            reports: x.open_reports.clone(),
            failed: is_failed,
            reason: if is_failed {
                failed.as_ref().map(|(_, r)| r.clone()).unwrap_or_default()
            } else {
                x.hidden_reason.clone()
            },
        }
    };
    let queue = comments
        .iter()
        .filter(|x| x.status == CommentStatus::Pending || !x.open_reports.is_empty())
        .map(item)
        .collect();
    let hidden = comments
        .iter()
        .filter(|x| x.status == CommentStatus::Hidden)
        .map(item)
        .collect();
    let status = errors.status();
    let page = ModerationPage {
        layout: user.layout(format!("Moderación · {}", c.data.title), state),
        id,
        title: c.data.title.clone(),
        queue,
        hidden,
        can_manage: user.can(Action::ManageParticipation),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn moderation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    moderation_page(&state, &user, id, None, FieldErrors::new()).await
}

/// Publish (`publicar`), hide with a reason (`ocultar`), restore (`restaurar`) or keep a
/// reported comment (`mantener`, which resolves its reports).
pub async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, comment)): Path<(i64, i64)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let (forum, _) = state.store.forum_comment_place(comment).await?;
    if forum != id {
        return Err(AppError::NotFound);
    }
    let reason = form.get("motivo").to_string();
    let to = match form.get("accion") {
        "publicar" | "restaurar" | "mantener" => CommentStatus::Published,
        "ocultar" => {
            if let Err(e) = check_reason(&reason) {
                let mut errors = FieldErrors::new();
                errors.add("motivo", &e);
                return moderation_page(&state, &user, id, Some((comment, reason)), errors).await;
            }
            CommentStatus::Hidden
        }
        _ => {
            return Err(AppError::BadRequest(
                "Acción de moderación desconocida.".into(),
            ))
        }
    };
    match state
        .store
        .moderate_forum_comment(comment, to, &reason, &user.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/consultas/{id}/moderacion")).into_response()),
        Err(StoreError::Forum(e)) => {
            let mut errors = FieldErrors::new();
            errors.add(e.field(), &e);
            moderation_page(&state, &user, id, Some((comment, reason)), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Every comment of a forum as CSV (topic, thread, status and moderation), for the
/// activity's evidence and reports. Forums are moderated by hand, so they stay small
/// enough to write in one piece.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    consultation(&state, id).await?;
    let (topics, comments) = state.store.forum(id).await?;
    let line = csv_line;
    let mut out = String::from("\u{feff}");
    out.push_str(&line(
        &[
            "tema",
            "comentario",
            "responde_a",
            "fecha",
            "nombre",
            "estado",
            "motivo_oculto",
            "reportes_abiertos",
            "texto",
        ]
        .map(String::from),
    ));
    for c in &comments {
        let topic = topics
            .iter()
            .find(|t| t.id == c.topic_id)
            .map(|t| t.title.clone())
            .unwrap_or_default();
        out.push_str(&line(&[
            topic,
            c.id.to_string(),
            c.parent.map(|p| p.to_string()).unwrap_or_default(),
            participa_app::dates::momento(c.at),
            c.author.clone().unwrap_or_default(),
            c.status.label().to_string(),
            c.hidden_reason.clone(),
            c.open_reports.len().to_string(),
            c.body.clone(),
        ]));
    }
    Ok(attachment(
        out.into(),
        "text/csv; charset=utf-8",
        &format!("foro-{id}.csv"),
    ))
}
