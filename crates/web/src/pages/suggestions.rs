//! The suggestions campaign on the web. Citizens (no account, often on a phone): the form
//! with an optional contact section that needs consent, a honeypot and a rate limit per
//! client; the tracking page by code, where they can also erase their contact data.
//! Staff: the list with statistics by category, status and month, and each suggestion's
//! triage and answer within the Ley 1755 term (a legal parameter).

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::form::{FieldErrors, FormData};
use crate::views::Layout;
use crate::{AppState, ClientAddress};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use participa_app::dates::{colombia_date, fecha, today};
use participa_domain::participation::consent::check_contact;
use participa_domain::participation::suggestions::can_move;
use participa_domain::participation::{
    Category, Consent, ContactData, NewSuggestion, SuggestionStatus, TrackingCode,
};
use participa_domain::Action;
use participa_store::{SuggestionFilter, SuggestionRecord};
use serde::Deserialize;

/// The suggestions campaign (public) and its triage (staff).
pub fn routes() -> super::routing::Routes {
    super::routing::Routes::public()
        .get("/sugerencias", form)
        .post("/sugerencias", submit)
        .get("/sugerencias/gracias", thanks)
        .get("/sugerencias/consulta", lookup)
        .get("/sugerencias/{code}", status)
        .post("/sugerencias/{code}/borrar-datos", erase)
        .merge(
            super::routing::Routes::staff()
                .get("/sugerencias", admin_list)
                .get("/sugerencias/{id}", admin_show)
                .post("/sugerencias/{id}", admin_update),
        )
}

/// The purpose a citizen consents to, shown next to the checkbox and kept with the data.
fn purpose(entity: &str) -> String {
    format!(
        "Autorizo a {entity} a tratar los datos de contacto que dejo aquí con la única finalidad de \
         responder y hacer seguimiento a esta sugerencia, conforme a la Ley 1581 de 2012. Puedo \
         consultarlos o borrarlos con el código de seguimiento."
    )
}

#[derive(Default, Clone)]
pub struct SuggestionValues {
    pub category: String,
    pub text: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub consent: bool,
}

#[derive(Template)]
#[template(path = "suggestion_form.html")]
pub struct SuggestionFormPage {
    pub layout: Layout,
    pub categories: Vec<(&'static str, &'static str)>,
    pub values: SuggestionValues,
    pub purpose: String,
    pub errors: FieldErrors,
    pub max_text: usize,
    pub lookup_error: Option<String>,
    pub lookup: String,
}

fn form_page(
    state: &AppState,
    values: SuggestionValues,
    errors: FieldErrors,
    lookup: (String, Option<String>),
    status: StatusCode,
) -> AppResult<Response> {
    let page = SuggestionFormPage {
        layout: Layout::public("Sugerencias".into(), state),
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        values,
        purpose: purpose(&state.entity),
        errors,
        max_text: participa_domain::participation::suggestions::MAX_TEXT,
        lookup_error: lookup.1,
        lookup: lookup.0,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn form(State(state): State<AppState>) -> AppResult<Response> {
    form_page(
        &state,
        SuggestionValues::default(),
        FieldErrors::new(),
        (String::new(), None),
        StatusCode::OK,
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    // A field people do not see: only robots fill it. They get the same answer as people
    // and nothing is stored.
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to("/sugerencias/gracias").into_response());
    }
    let values = SuggestionValues {
        category: form.get("categoria").into(),
        text: form.get("texto").into(),
        name: form.get("nombre").into(),
        email: form.get("correo").into(),
        phone: form.get("telefono").into(),
        consent: form.get("autorizacion") == "si",
    };
    let mut errors = FieldErrors::new();
    let suggestion = match NewSuggestion::check(&values.category, &values.text) {
        Ok(s) => Some(s),
        Err(list) => {
            for e in list {
                errors.add(e.field(), &e);
            }
            None
        }
    };
    let typed_contact = ContactData {
        name: values.name.clone(),
        email: values.email.clone(),
        phone: values.phone.clone(),
    };
    let contact = match check_contact(typed_contact, values.consent) {
        Ok(c) => c,
        Err(list) => {
            for e in list {
                errors.add(e.field(), &e);
            }
            None
        }
    };
    let Some(suggestion) = suggestion.filter(|_| errors.is_empty()) else {
        return form_page(
            &state,
            values,
            errors,
            (String::new(), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let today = today();
    let calendar = state.store.calendar().await?;
    let due = state
        .store
        .term("peticion.general", today)
        .await?
        .deadline(&calendar, today)
        .unwrap_or(today);
    let consent = Consent {
        purpose: purpose(&state.entity),
        policy: state.data_policy(),
    };
    let store = &state.store;
    let (suggestion, contact, consent) = (&suggestion, contact.as_ref(), &consent);
    let code = super::shared::store_with_fresh_code("SG", move |code| async move {
        store
            .create_suggestion(&code, suggestion, contact.map(|c| (c, consent)), due)
            .await
    })
    .await?;
    Ok(Redirect::to(&format!("/sugerencias/{}?nueva=1", code.as_str())).into_response())
}

#[derive(Template)]
#[template(path = "suggestion_thanks.html")]
pub struct ThanksPage {
    pub layout: Layout,
}

pub async fn thanks(State(state): State<AppState>) -> AppResult<Html<String>> {
    let page = ThanksPage {
        layout: Layout::public("Sugerencia recibida".into(), &state),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct LookupQuery {
    codigo: Option<String>,
}

/// `GET /sugerencias/consulta?codigo=…`: the lookup form's target.
pub async fn lookup(
    State(state): State<AppState>,
    Query(q): Query<LookupQuery>,
) -> AppResult<Response> {
    let typed = q.codigo.unwrap_or_default();
    match TrackingCode::parse(&typed) {
        Some(code) => Ok(Redirect::to(&format!("/sugerencias/{}", code.as_str())).into_response()),
        None => form_page(
            &state,
            SuggestionValues::default(),
            FieldErrors::new(),
            (
                typed.clone(),
                Some(format!(
                    "«{typed}» no es un código de seguimiento: tiene la forma SG-XXXX-XXXX."
                )),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

#[derive(Template)]
#[template(path = "suggestion_status.html")]
pub struct StatusPage {
    pub layout: Layout,
    pub s: SuggestionView,
    pub new: bool,
    pub erased_now: bool,
}

pub struct SuggestionView {
    pub id: i64,
    pub code: String,
    pub category: &'static str,
    pub text: String,
    pub status: &'static str,
    pub received: String,
    pub due: String,
    pub overdue: bool,
    pub answer: String,
    pub answered: String,
    pub has_contact: bool,
    pub contact: String,
    pub consent: String,
    pub erased: String,
}

impl SuggestionView {
    fn new(s: &SuggestionRecord, today: NaiveDate, show_contact: bool) -> SuggestionView {
        let open = matches!(
            s.status,
            SuggestionStatus::Received | SuggestionStatus::InProgress
        );
        SuggestionView {
            id: s.id,
            code: s.code.clone(),
            category: s.category.label(),
            text: s.text.clone(),
            status: s.status.label(),
            received: fecha(colombia_date(s.created_at)),
            due: fecha(s.due_on),
            overdue: open && today > s.due_on,
            answer: s.answer.clone(),
            answered: s
                .answered_at
                .map(|a| fecha(colombia_date(a)))
                .unwrap_or_default(),
            has_contact: s.contact.is_some(),
            contact: match (&s.contact, show_contact) {
                (Some(c), true) => [c.name.as_str(), c.email.as_str(), c.phone.as_str()]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" · "),
                (Some(_), false) => "Reservados (solo los ve quien responde)".into(),
                (None, _) => String::new(),
            },
            consent: s
                .consent
                .as_ref()
                .map(|(_, at)| fecha(colombia_date(*at)))
                .unwrap_or_default(),
            erased: s
                .erased_at
                .map(|a| fecha(colombia_date(a)))
                .unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct StatusQuery {
    nueva: Option<String>,
    borrados: Option<String>,
}

pub async fn status(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<StatusQuery>,
) -> AppResult<Response> {
    let code = TrackingCode::parse(&code).ok_or(AppError::NotFound)?;
    let s = state
        .store
        .suggestion_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = StatusPage {
        layout: Layout::public(format!("Sugerencia {}", s.code), &state),
        // The citizen holding the code sees that data are kept, not the data themselves:
        // a code seen over a shoulder should not reveal an e-mail address.
        s: SuggestionView::new(&s, today(), false),
        new: q.nueva.is_some(),
        erased_now: q.borrados.is_some(),
    };
    Ok(Html(page.render()?).into_response())
}

/// The citizen erases the contact data left with a suggestion.
pub async fn erase(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(code): Path<String>,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    let code = TrackingCode::parse(&code).ok_or(AppError::NotFound)?;
    if !state.store.erase_suggestion_contact(&code).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/sugerencias/{}?borrados=1", code.as_str())).into_response())
}

// ------------------------------------------------------------------ staff

#[derive(Template)]
#[template(path = "suggestions_admin.html")]
pub struct AdminListPage {
    /// Today's report, its public copy and who may publish it.
    pub report: crate::report_publication::ReportPublication,
    pub layout: Layout,
    pub rows: Vec<SuggestionView>,
    pub statuses: Vec<(&'static str, &'static str, bool)>,
    pub categories: Vec<(&'static str, &'static str, bool)>,
    pub by_category: Vec<(&'static str, usize)>,
    pub by_status: Vec<(&'static str, usize)>,
    pub by_month: Vec<(String, usize)>,
    pub overdue: usize,
    pub total: usize,
}

#[derive(Deserialize)]
pub struct AdminQuery {
    estado: Option<String>,
    categoria: Option<String>,
}

pub async fn admin_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AdminQuery>,
) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    let status = q.estado.as_deref().and_then(SuggestionStatus::parse);
    let category = q.categoria.as_deref().and_then(Category::parse);
    let all = state
        .store
        .suggestions(&SuggestionFilter::default())
        .await?;
    let today = today();
    let shown: Vec<&SuggestionRecord> = all
        .iter()
        .filter(|s| status.is_none_or(|x| s.status == x))
        .filter(|s| category.is_none_or(|x| s.category == x))
        .collect();
    let mut months: std::collections::BTreeMap<(i32, u32), usize> = Default::default();
    for s in &all {
        let d = colombia_date(s.created_at);
        *months.entry((d.year(), d.month())).or_default() += 1;
    }
    let see_data = user.can(Action::ViewPersonalData);
    let rows: Vec<SuggestionView> = shown
        .iter()
        .map(|s| SuggestionView::new(s, today, see_data))
        .collect();
    let page = AdminListPage {
        report: crate::report_publication::ReportPublication::load(
            &state,
            "sugerencias",
            0,
            user.can(participa_domain::Action::ManageParticipation),
        )
        .await?,
        layout: user.layout("Sugerencias recibidas", &state),
        overdue: all
            .iter()
            .filter(|s| SuggestionView::new(s, today, false).overdue)
            .count(),
        total: all.len(),
        rows,
        statuses: SuggestionStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), Some(*s) == status))
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label(), Some(*c) == category))
            .collect(),
        by_category: Category::ALL
            .iter()
            .map(|c| (c.label(), all.iter().filter(|s| s.category == *c).count()))
            .collect(),
        by_status: SuggestionStatus::ALL
            .iter()
            .map(|x| (x.label(), all.iter().filter(|s| s.status == *x).count()))
            .collect(),
        by_month: months
            .into_iter()
            .rev()
            .map(|((y, m), n)| (format!("{y}-{m:02}"), n))
            .collect(),
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "suggestion_admin.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub s: SuggestionView,
    pub can_manage: bool,
    pub next: Vec<(&'static str, &'static str, bool)>,
    pub answer: String,
    pub errors: FieldErrors,
}

fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    s: &SuggestionRecord,
    answer: String,
    chosen: Option<SuggestionStatus>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let next = SuggestionStatus::ALL
        .iter()
        .filter(|x| **x == s.status || can_move(s.status, **x))
        .map(|x| {
            (
                x.as_str(),
                x.label(),
                Some(*x) == chosen || (chosen.is_none() && *x == s.status),
            )
        })
        .collect();
    let status = errors.status();
    let page = AdminPage {
        layout: user.layout(format!("Sugerencia {}", s.code), state),
        s: SuggestionView::new(s, today(), user.can(Action::ViewPersonalData)),
        can_manage: user.can(Action::ManageParticipation),
        next,
        answer,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn admin_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let s = state
        .store
        .suggestion(id)
        .await?
        .ok_or(AppError::NotFound)?;
    admin_page(
        &state,
        &user,
        &s,
        s.answer.clone(),
        None,
        FieldErrors::new(),
    )
}

pub async fn admin_update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let s = state
        .store
        .suggestion(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answer = form.get("respuesta").trim().to_string();
    let chosen = SuggestionStatus::parse(form.get("estado"));
    let mut errors = FieldErrors::new();
    match chosen {
        None => {
            errors.insert("estado", "Elija el estado.".into());
        }
        Some(to) if to != s.status && !can_move(s.status, to) => {
            errors.insert(
                "estado",
                format!(
                    "Una sugerencia «{}» no pasa a «{}».",
                    s.status.label(),
                    to.label()
                ),
            );
        }
        Some(SuggestionStatus::Answered | SuggestionStatus::Closed) if answer.is_empty() => {
            errors.insert(
                "respuesta",
                "Escriba la respuesta para el ciudadano antes de darla por respondida.".into(),
            );
        }
        Some(_) => {}
    }
    let Some(to) = chosen.filter(|_| errors.is_empty()) else {
        return admin_page(&state, &user, &s, answer, chosen, errors);
    };
    match state
        .store
        .update_suggestion(id, to, Some(&answer), &user.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/sugerencias/{id}")).into_response()),
        // Moved by someone else since the page was drawn: the store's check decides.
        Err(e @ participa_store::StoreError::SuggestionMove { .. }) => {
            errors.add("estado", &e);
            let s = state
                .store
                .suggestion(id)
                .await?
                .ok_or(AppError::NotFound)?;
            admin_page(&state, &user, &s, answer, chosen, errors)
        }
        Err(e) => Err(e.into()),
    }
}
