//! The public accountability hearing on the web. Citizens: the hearing's page (date, place
//! or stream, the accountability report, the call), registration (personal data with
//! consent), questions and proposals with a tracking code, and the published answers.
//! Staff: create a hearing; see registrations and questions with the status each has
//! against the legal term; answer; the hearing report as PDF.

use super::participation::{activity_choices, chosen_activity, is_open, results};
use super::routing::Routes;
use super::shared::{attachment, store_with_fresh_code};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::form::{FieldErrors, FormData};
use crate::views::Layout;
use crate::{AppState, ClientAddress};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use participa_app::dates::{colombia_date, fecha, today};
use participa_domain::participation::consent::check_contact;
use participa_domain::participation::consent::masked;
use participa_domain::participation::hearing::{
    answer_deadline, check_question, question_status, QuestionStatus,
};
use participa_domain::participation::{public_count, ContactData, TrackingCode};
use participa_domain::{dates, Action};
use participa_store::{Hearing, HearingData, NewRegistration, Question};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::public()
        .get("/audiencias/{id}", show)
        .get("/audiencias/datos/{code}", data)
        .post("/audiencias/datos/{code}/borrar", erase)
        .post("/audiencias/{id}/inscripcion", register)
        .post("/audiencias/{id}/preguntas", ask)
        .merge(
            Routes::staff()
                .get("/audiencias", admin_list)
                .post("/audiencias", create)
                .get("/audiencias/{id}", admin_show)
                .get("/audiencias/{id}/editar", edit_form)
                .post("/audiencias/{id}/editar", edit)
                .get("/audiencias/{id}/informe.pdf", report)
                .post("/audiencias/{id}/evaluacion", create_evaluation)
                .post("/audiencias/{id}/preguntas/{question}", answer),
        )
}

fn purpose(entity: &str) -> String {
    format!(
        "Autorizo a {entity} a tratar mis datos con la única finalidad de gestionar mi inscripción \
         a esta audiencia pública y enviarme la información de acceso, conforme a la Ley 1581 de 2012."
    )
}

pub struct HearingView {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub place: String,
    pub stream_url: String,
    pub report_url: String,
    pub report_published: String,
    pub convocation: String,
    pub deadline: String,
}

async fn view(state: &AppState, h: &Hearing) -> AppResult<(HearingView, NaiveDate)> {
    let calendar = state.store.calendar().await?;
    let term = state
        .store
        .term("audiencia.respuestas", h.data.held_on)
        .await?;
    let deadline = answer_deadline(&calendar, term, h.data.held_on);
    let d = &h.data;
    Ok((
        HearingView {
            id: h.id,
            title: d.title.clone(),
            // A moment, as every page writes one: `30 abr 2025, 10:00`.
            when: format!("{}, {}", fecha(d.held_on), d.starts_at),
            place: d.place.clone(),
            stream_url: d.stream_url.clone(),
            report_url: d.report_url.clone(),
            report_published: d.report_published_on.map(fecha).unwrap_or_default(),
            convocation: d.convocation.clone(),
            deadline: fecha(deadline),
        },
        deadline,
    ))
}

pub struct QuestionView {
    pub id: i64,
    pub code: String,
    pub text: String,
    pub asker: String,
    pub asked: String,
    pub answer: String,
    pub answered: String,
    pub status: &'static str,
    pub late: bool,
}

fn question_view(q: &Question, deadline: NaiveDate, today: NaiveDate) -> QuestionView {
    let answered_on = q.answered_at.map(colombia_date);
    let status = question_status(deadline, answered_on, today);
    QuestionView {
        id: q.id,
        code: q.code.clone(),
        text: q.text.clone(),
        asker: q.asker.clone().unwrap_or_default(),
        asked: fecha(colombia_date(q.at)),
        answer: q.answer.clone(),
        answered: answered_on.map(fecha).unwrap_or_default(),
        status: status.label(),
        late: matches!(status, QuestionStatus::Late | QuestionStatus::AnsweredLate),
    }
}

#[derive(Default, Clone)]
pub struct PublicValues {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub group: String,
    pub consent: bool,
    pub question: String,
    pub asker: String,
    pub asker_consent: bool,
}

#[derive(Template)]
#[template(path = "hearing.html")]
pub struct HearingPage {
    pub layout: Layout,
    pub h: HearingView,
    pub groups: Vec<(String, String)>,
    pub answered: Vec<QuestionView>,
    pub registrations: String,
    pub values: PublicValues,
    pub purpose: String,
    pub errors: FieldErrors,
    /// Registered: the registration's code when the page has it.
    pub registered: Option<String>,
    pub asked: Option<String>,
    /// The evaluation survey while it takes answers, and whether its results are public.
    pub evaluation: Option<(i64, bool, bool)>,
}

#[derive(Deserialize)]
pub struct PublicQuery {
    inscrito: Option<String>,
    pregunta: Option<String>,
}

async fn public_page(
    state: &AppState,
    id: i64,
    values: PublicValues,
    errors: FieldErrors,
    registered: Option<String>,
    asked: Option<String>,
) -> AppResult<Response> {
    let h = state.store.hearing(id).await?;
    let (view, deadline) = view(state, &h).await?;
    let today = today();
    let answered = state
        .store
        .questions(id)
        .await?
        .iter()
        .filter(|q| !q.answer.is_empty())
        .map(|q| question_view(q, deadline, today))
        .collect();
    let count = state.store.registration_count(id).await? as usize;
    let evaluation = match h.evaluation {
        Some(e) => {
            let c = state.store.consultation(e).await?;
            Some((e, is_open(&c, today), c.results_public))
        }
        None => None,
    };
    let page = HearingPage {
        evaluation,
        layout: Layout::public(h.data.title.clone(), state),
        h: view,
        groups: state
            .store
            .value_groups()
            .await?
            .into_iter()
            .map(|g| (g.code, g.name))
            .collect(),
        answered,
        registrations: public_count(count)
            .map(|n| n.to_string())
            .unwrap_or_else(|| "menos de 5".into()),
        values,
        purpose: purpose(&state.entity),
        errors,
        registered,
        asked,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PublicQuery>,
) -> AppResult<Response> {
    let asked = q
        .pregunta
        .as_deref()
        .and_then(|c| TrackingCode::parse_with("AP", c))
        .map(|c| c.to_string());
    public_page(
        &state,
        id,
        PublicValues::default(),
        FieldErrors::new(),
        q.inscrito.map(|c| {
            TrackingCode::parse_with("IN", &c)
                .map(|c| c.to_string())
                .unwrap_or_default()
        }),
        asked,
    )
    .await
}

pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    state.store.hearing(id).await?;
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to(&format!("/audiencias/{id}?inscrito=1")).into_response());
    }
    let values = PublicValues {
        name: form.get("nombre").trim().into(),
        email: form.get("correo").trim().into(),
        phone: form.get("telefono").trim().into(),
        group: form.get("grupo").into(),
        consent: form.get("autorizacion") == "si",
        ..Default::default()
    };
    let mut errors = FieldErrors::new();
    if values.name.chars().count() < 2 {
        errors.insert("nombre", "Escriba su nombre para inscribirse.".into());
    }
    let groups = state.store.value_groups().await?;
    if !groups.iter().any(|g| g.code == values.group) {
        errors.insert("grupo", "Elija el grupo al que pertenece.".into());
    }
    if !values.consent {
        errors.insert(
            "autorizacion",
            "Para inscribirse marque la autorización de tratamiento de sus datos.".into(),
        );
    }
    let contact = ContactData {
        name: values.name.clone(),
        email: values.email.clone(),
        phone: values.phone.clone(),
    };
    if let Err(list) = check_contact(contact, values.consent) {
        for e in list {
            errors.add_first(e.field(), &e);
        }
    }
    if !errors.is_empty() {
        return public_page(&state, id, values, errors, None, None).await;
    }
    fn optional(s: &str) -> Option<&str> {
        (!s.is_empty()).then_some(s)
    }
    let purpose_kept = format!("{} {}", purpose(&state.entity), state.data_policy());
    let (store, values, purpose_kept) = (&state.store, &values, &purpose_kept);
    let code = store_with_fresh_code("IN", move |code| async move {
        let registration = NewRegistration {
            code: code.as_str(),
            name: &values.name,
            email: optional(&values.email),
            phone: optional(&values.phone),
            value_group: &values.group,
            consent_purpose: purpose_kept,
        };
        store.register_for_hearing(id, &registration).await
    })
    .await?;
    Ok(Redirect::to(&format!(
        "/audiencias/{id}?inscrito={}#inscripcion-recibida",
        code.as_str()
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "hearing_data.html")]
pub struct DataPage {
    pub layout: Layout,
    pub code: String,
    pub hearing_id: i64,
    pub hearing: String,
    /// (what, value partly hidden).
    pub kept: Vec<(&'static str, String)>,
    pub group: String,
    pub consented: String,
    pub erased: String,
    pub erased_now: bool,
}

#[derive(Deserialize)]
pub struct DataQuery {
    borrados: Option<String>,
}

/// `GET /audiencias/datos/{code}`: what a registration keeps about the citizen, partly
/// hidden, and the button to erase it.
pub async fn data(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DataQuery>,
) -> AppResult<Response> {
    let code = TrackingCode::parse_with("IN", &code).ok_or(AppError::NotFound)?;
    let r = state
        .store
        .registration_by_code(code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let h = state.store.hearing(r.hearing_id).await?;
    let groups = state.store.value_groups().await?;
    let mut kept = Vec::new();
    if r.erased_at.is_none() {
        kept.push(("Nombre", masked(&r.name)));
        if let Some(e) = &r.email {
            kept.push(("Correo electrónico", masked(e)));
        }
        if let Some(p) = &r.phone {
            kept.push(("Teléfono", masked(p)));
        }
    }
    let page = DataPage {
        layout: Layout::public("Sus datos de inscripción".into(), &state),
        code: code.to_string(),
        hearing_id: h.id,
        hearing: format!("{} ({})", h.data.title, fecha(h.data.held_on)),
        kept,
        group: group_name(&groups, &r.value_group),
        consented: fecha(colombia_date(r.at)),
        erased: r
            .erased_at
            .map(|d| fecha(colombia_date(d)))
            .unwrap_or_default(),
        erased_now: q.borrados.is_some(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /audiencias/datos/{code}/borrar`: the citizen erases the name and contact.
pub async fn erase(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(code): Path<String>,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    let code = TrackingCode::parse_with("IN", &code).ok_or(AppError::NotFound)?;
    if !state.store.erase_registration(code.as_str()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/audiencias/datos/{}?borrados=1", code.as_str())).into_response())
}

pub async fn ask(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    state.public_limit(address.as_deref()).await?;
    state.store.hearing(id).await?;
    if !form.get("sitio_web").is_empty() {
        return Ok(Redirect::to(&format!("/audiencias/{id}")).into_response());
    }
    let values = PublicValues {
        question: form.get("pregunta").into(),
        asker: form.get("quien").trim().into(),
        asker_consent: form.get("autorizacion_pregunta") == "si",
        ..Default::default()
    };
    let mut errors = FieldErrors::new();
    let text = check_question(&values.question).map_err(|e| {
        errors.add(e.field(), &e);
    });
    if !values.asker.is_empty() && !values.asker_consent {
        errors.insert(
            "autorizacion_pregunta",
            "Para publicar su nombre con la pregunta marque la autorización, o deje el nombre vacío."
                .into(),
        );
    }
    let Ok(text) = text
        .map_err(|_| ())
        .and_then(|t| if errors.is_empty() { Ok(t) } else { Err(()) })
    else {
        return public_page(&state, id, values, errors, None, None).await;
    };
    let asker = (!values.asker.is_empty()).then_some(values.asker.as_str());
    let (store, text) = (&state.store, &text);
    let code = store_with_fresh_code("AP", move |code| async move {
        store.ask_question(id, code.as_str(), text, asker).await
    })
    .await?;
    Ok(Redirect::to(&format!(
        "/audiencias/{id}?pregunta={}#pregunta-recibida",
        code.as_str()
    ))
    .into_response())
}

// ------------------------------------------------------------------ staff

#[derive(Default, Clone)]
pub struct HearingValues {
    pub title: String,
    pub held_on: String,
    pub starts_at: String,
    pub place: String,
    pub stream_url: String,
    pub report_url: String,
    pub report_published_on: String,
    pub convocation: String,
    /// `PLAN:ACTIVITY`, or empty.
    pub activity: String,
}

#[derive(Template)]
#[template(path = "hearings_admin.html")]
pub struct AdminListPage {
    pub layout: Layout,
    pub hearings: Vec<(i64, String, String)>,
    /// (value, label) of every plan activity a hearing can carry out.
    pub activities: Vec<(String, String)>,
    pub can_manage: bool,
    pub values: HearingValues,
    pub errors: FieldErrors,
}

fn admin_list_page(
    state: &AppState,
    user: &CurrentUser,
    hearings: Vec<Hearing>,
    activities: Vec<(String, String)>,
    values: HearingValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = AdminListPage {
        layout: user.layout("Audiencias públicas", state),
        hearings: hearings
            .into_iter()
            .map(|h| (h.id, h.data.title, fecha(h.data.held_on)))
            .collect(),
        activities,
        can_manage: user.can(Action::ManageParticipation),
        values,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn admin_list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let hearings = state.store.hearings().await?;
    let values = HearingValues {
        starts_at: "10:00".into(),
        convocation: "Sitio web, redes sociales y correo a los afiliados".into(),
        ..Default::default()
    };
    let activities = activity_choices(&state).await?;
    admin_list_page(
        &state,
        &user,
        hearings,
        activities,
        values,
        FieldErrors::new(),
    )
}

/// Reads and checks the hearing form (creating and editing share it): the data, or
/// the values typed with an error next to each field.
fn parse_hearing(
    form: &FormData,
    activities: &[(String, String)],
) -> Result<HearingData, Box<(HearingValues, FieldErrors)>> {
    let v = HearingValues {
        title: form.get("titulo").trim().into(),
        held_on: form.get("fecha").trim().into(),
        starts_at: form.get("hora").trim().into(),
        place: form.get("lugar").trim().into(),
        stream_url: form.get("transmision").trim().into(),
        report_url: form.get("informe").trim().into(),
        report_published_on: form.get("informe_fecha").trim().into(),
        convocation: form.get("convocatoria").trim().into(),
        activity: form.get("actividad").into(),
    };
    let mut errors = FieldErrors::new();
    let activity = chosen_activity(activities, &v.activity, &mut errors);
    if v.title.is_empty() {
        errors.insert("titulo", "Escriba el nombre de la audiencia.".into());
    }
    let mut day = |field: &'static str, label: &'static str, text: &str| match dates::parse_field(
        label, text,
    ) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add(field, e);
            None
        }
    };
    let held_on = day("fecha", "la fecha de la audiencia", &v.held_on);
    let report_on = if v.report_published_on.is_empty() {
        None
    } else {
        day(
            "informe_fecha",
            "la fecha de publicación del informe",
            &v.report_published_on,
        )
    };
    if chrono::NaiveTime::parse_from_str(&v.starts_at, "%H:%M").is_err() {
        errors.insert("hora", "Escriba la hora como 10:00.".into());
    }
    if v.place.is_empty() && v.stream_url.is_empty() {
        errors.insert(
            "lugar",
            "Indique el lugar o el enlace de la transmisión (al menos uno).".into(),
        );
    }
    for (field, url) in [("transmision", &v.stream_url), ("informe", &v.report_url)] {
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            errors.insert(
                field,
                "Escriba un enlace completo que empiece por https://.".into(),
            );
        }
    }
    let Some(held_on) = held_on.filter(|_| errors.is_empty()) else {
        return Err(Box::new((v, errors)));
    };
    Ok(HearingData {
        title: v.title,
        held_on,
        starts_at: v.starts_at,
        place: v.place,
        stream_url: v.stream_url,
        report_url: v.report_url,
        report_published_on: report_on,
        convocation: v.convocation,
        activity,
    })
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let activities = activity_choices(&state).await?;
    let data = match parse_hearing(&form, &activities) {
        Ok(data) => data,
        Err(refused) => {
            let (v, errors) = *refused;
            let hearings = state.store.hearings().await?;
            return admin_list_page(&state, &user, hearings, activities, v, errors);
        }
    };
    let id = state.store.create_hearing(&data, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/audiencias/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "hearing_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub id: i64,
    pub values: HearingValues,
    pub activities: Vec<(String, String)>,
    pub errors: FieldErrors,
    /// Registrants who left an e-mail: they are told of a new date.
    pub reachable: usize,
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    h: &Hearing,
    values: HearingValues,
    errors: FieldErrors,
) -> AppResult<Response> {
    let reachable = state
        .store
        .registrations(h.id)
        .await?
        .iter()
        .filter(|r| r.erased_at.is_none() && r.email.as_deref().is_some_and(|e| !e.is_empty()))
        .count();
    let page = EditPage {
        layout: user.layout(format!("Editar · {}", h.data.title), state),
        id: h.id,
        values,
        activities: activity_choices(state).await?,
        errors,
        reachable,
    };
    let status = page.errors.status();
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /admin/audiencias/{id}/editar`: the hearing's data in its form.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let h = state.store.hearing(id).await?;
    let d = &h.data;
    let values = HearingValues {
        title: d.title.clone(),
        held_on: d.held_on.to_string(),
        starts_at: d.starts_at.clone(),
        place: d.place.clone(),
        stream_url: d.stream_url.clone(),
        report_url: d.report_url.clone(),
        report_published_on: d
            .report_published_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        convocation: d.convocation.clone(),
        activity: d
            .activity
            .map(|(p, a)| format!("{p}:{a}"))
            .unwrap_or_default(),
    };
    edit_page(&state, &user, &h, values, FieldErrors::new()).await
}

/// `POST /admin/audiencias/{id}/editar`: saves the change (audited); a new day or time
/// is told to the registrants who left an e-mail, in the same transaction.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let h = state.store.hearing(id).await?;
    let activities = activity_choices(&state).await?;
    let data = match parse_hearing(&form, &activities) {
        Ok(data) => data,
        Err(refused) => {
            let (v, errors) = *refused;
            return edit_page(&state, &user, &h, v, errors).await;
        }
    };
    let notice = reschedule_notice(&state, id, &data);
    let told = state
        .store
        .edit_hearing(id, &data, &notice, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/audiencias/{id}?cambiada={told}")).into_response())
}

/// What registrants read when their hearing changes day or time.
fn reschedule_notice(
    state: &AppState,
    id: i64,
    h: &HearingData,
) -> participa_store::RescheduleNotice {
    let place = [h.place.as_str(), h.stream_url.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    participa_store::RescheduleNotice {
        subject: format!("Nueva fecha: {}", h.title),
        body: format!(
            "La audiencia pública «{}» de {} cambió de fecha. Ahora será el {} a las {} (hora de Colombia), en {}. \
             Recibe este aviso porque se inscribió y dejó su correo.",
            h.title,
            state.entity,
            fecha(h.held_on),
            h.starts_at,
            place
        ),
        link: format!("/audiencias/{id}"),
    }
}

#[derive(Template)]
#[template(path = "hearing_admin.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub h: HearingView,
    pub questions: Vec<QuestionView>,
    pub registrations: Vec<(String, String, String)>,
    pub by_group: Vec<(String, usize)>,
    pub sees_personal_data: bool,
    pub can_manage: bool,
    pub report_warning: Option<String>,
    /// The evaluation survey (id, responses), or the default closing day to create it.
    pub evaluation: Option<(i64, i64)>,
    pub evaluation_closes: String,
    /// What the last edit did, said at the top of the page.
    pub notice: String,
}

#[derive(Deserialize)]
pub struct AdminQuery {
    /// After an edit: how many registrants were told of a new date.
    cambiada: Option<usize>,
}

pub async fn admin_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AdminQuery>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let notice = match q.cambiada {
        None => String::new(),
        Some(0) => "Se guardaron los cambios de la audiencia.".to_string(),
        Some(1) => "Se guardaron los cambios; se avisó de la nueva fecha a 1 inscrito.".to_string(),
        Some(n) => format!("Se guardaron los cambios; se avisó de la nueva fecha a {n} inscritos."),
    };
    let h = state.store.hearing(id).await?;
    let (view, deadline) = view(&state, &h).await?;
    let today = today();
    let questions = state
        .store
        .questions(id)
        .await?
        .iter()
        .map(|q| question_view(q, deadline, today))
        .collect();
    let regs = state.store.registrations(id).await?;
    let groups = state.store.value_groups().await?;
    let by_group = by_group(&regs, &groups);
    let sees = user.can(Action::ViewPersonalData);
    let report_term = state
        .store
        .term("audiencia.informe_previo", h.data.held_on)
        .await?;
    let due = participa_domain::participation::hearing::report_due(report_term, h.data.held_on);
    let report_warning = match h.data.report_published_on {
        None => Some(format!(
            "El informe de rendición de cuentas debe publicarse a más tardar el {}.",
            fecha(due)
        )),
        Some(d) if d > due => Some(format!(
            "El informe se publicó el {}, después del {} que pide el término.",
            fecha(d),
            fecha(due)
        )),
        Some(_) => None,
    };
    let page = AdminPage {
        layout: user.layout(h.data.title.clone(), &state),
        h: view,
        questions,
        registrations: if sees {
            regs.iter()
                .map(|r| {
                    (
                        if r.erased_at.is_some() {
                            "(datos borrados por el ciudadano)".to_string()
                        } else {
                            r.name.clone()
                        },
                        [r.email.as_deref(), r.phone.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · "),
                        group_name(&groups, &r.value_group),
                    )
                })
                .collect()
        } else {
            vec![]
        },
        by_group,
        sees_personal_data: sees,
        can_manage: user.can(Action::ManageParticipation),
        report_warning,
        evaluation: match h.evaluation {
            Some(e) => Some((e, state.store.consultation(e).await?.responses)),
            None => None,
        },
        evaluation_closes: h
            .data
            .held_on
            .checked_add_signed(chrono::Duration::days(15))
            .unwrap_or(h.data.held_on)
            .to_string(),
        notice,
    };
    Ok(Html(page.render()?).into_response())
}

fn group_name(groups: &[participa_store::ValueGroup], code: &str) -> String {
    groups
        .iter()
        .find(|g| g.code == code)
        .map_or_else(|| code.to_string(), |g| g.name.clone())
}

fn by_group(
    regs: &[participa_store::Registration],
    groups: &[participa_store::ValueGroup],
) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for r in regs {
        let name = group_name(groups, &r.value_group);
        match out.iter_mut().find(|(g, _)| *g == name) {
            Some((_, n)) => *n += 1,
            None => out.push((name, 1)),
        }
    }
    out
}

pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, question)): Path<(i64, i64)>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let text = form.get("respuesta").trim();
    if text.is_empty() {
        return Err(AppError::BadRequest(
            "Escriba la respuesta antes de guardarla.".into(),
        ));
    }
    state
        .store
        .answer_question(id, question, text, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/audiencias/{id}#pregunta-{question}")).into_response())
}

/// Creates the hearing's evaluation survey with the standard questions, open from the
/// hearing day to the day chosen.
pub async fn create_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: FormData,
) -> AppResult<Response> {
    user.require(Action::ManageParticipation)?;
    let h = state.store.hearing(id).await?;
    if let Some(e) = h.evaluation {
        return Ok(Redirect::to(&format!("/admin/consultas/{e}")).into_response());
    }
    let closes = match dates::parse_field("el día en que cierra la evaluación", form.get("cierra"))
    {
        Err(e @ dates::DateError::OutOfRange { .. }) => return Err(AppError::bad_request(e)),
        other => other.ok(),
    }
    .filter(|d| *d >= h.data.held_on)
    .ok_or_else(|| {
        AppError::BadRequest(format!(
            "Escriba el día en que cierra la evaluación: el {} o después.",
            fecha(h.data.held_on)
        ))
    })?;
    let e = state
        .store
        .create_hearing_evaluation(id, closes, &user.actor())
        .await?;
    Ok(Redirect::to(&format!("/admin/consultas/{e}")).into_response())
}

/// The evaluation results for the hearing report: each closed question's counts and
/// percentages, the average of scales, and how many open answers there are.
async fn evaluation_lines(
    state: &AppState,
    h: &participa_store::Hearing,
) -> AppResult<(usize, Vec<participa_reports::EvaluationLine>)> {
    let Some(e) = h.evaluation else {
        return Ok((0, vec![]));
    };
    let c = state.store.consultation(e).await?;
    let lines = results(&state.store, &c, false)
        .await?
        .into_iter()
        .map(|r| participa_reports::EvaluationLine {
            question: format!("{}. {}", r.number, r.text),
            answered: r.answered,
            rows: r
                .rows
                .into_iter()
                .map(|(option, n, pct, _)| (option, n.to_string(), pct))
                .collect(),
            average: r.average,
        })
        .collect();
    Ok((c.responses as usize, lines))
}

/// The hearing report as PDF.
pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ViewInternal)?;
    let h = state.store.hearing(id).await?;
    let (view, deadline) = view(&state, &h).await?;
    let today = today();
    let questions = state.store.questions(id).await?;
    let regs = state.store.registrations(id).await?;
    let groups = state.store.value_groups().await?;
    let lines: Vec<QuestionView> = questions
        .iter()
        .map(|q| question_view(q, deadline, today))
        .collect();
    let (evaluation_responses, evaluation) = evaluation_lines(&state, &h).await?;
    let report = participa_reports::HearingReport {
        entity: state.entity.clone(),
        title: view.title.clone(),
        when: view.when.clone(),
        place: [view.place.as_str(), view.stream_url.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        convocation: view.convocation.clone(),
        report: if view.report_url.is_empty() {
            "Sin publicar".into()
        } else {
            format!(
                "{} (publicado el {})",
                view.report_url, view.report_published
            )
        },
        registrations: regs.len(),
        by_group: by_group(&regs, &groups)
            .into_iter()
            .map(|(group, n)| participa_reports::GroupCount {
                group,
                count: n.to_string(),
            })
            .collect(),
        deadline: view.deadline.clone(),
        answered_on_time: questions
            .iter()
            .filter(|q| {
                question_status(deadline, q.answered_at.map(colombia_date), today)
                    == QuestionStatus::Answered
            })
            .count(),
        questions: lines
            .into_iter()
            .map(|q| participa_reports::QuestionLine {
                code: q.code,
                text: q.text,
                answer: q.answer,
                status: q.status.into(),
                answered: q.answered,
            })
            .collect(),
        generated: fecha(today),
        evaluation_responses,
        evaluation,
    };
    let pdf = tokio::task::spawn_blocking(move || participa_reports::hearing_pdf(&report))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(
        pdf.into(),
        "application/pdf",
        &format!("audiencia-{id}.pdf"),
    ))
}
