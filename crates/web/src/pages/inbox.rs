//! The staff home, "Mis pendientes" (`/admin`, where sign-in lands), and the
//! navigation's way into the follow-up of the plan in force (`/admin/seguimiento`).
//! What waits for whom is decided by the application layer ([`participa_app::inbox`]).

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};
use participa_app::dates::{fecha, today};
use participa_app::inbox::{inbox, Item};
use participa_domain::Action;

pub fn routes() -> super::routing::Routes {
    super::routing::Routes::staff()
        .get("/", home)
        .get("/seguimiento", followup)
}

/// One item as the page shows it.
pub struct ItemView {
    pub area: &'static str,
    pub since: String,
    pub title: String,
    pub detail: String,
    /// (date, the word saying how it stands, its style).
    pub due: Option<(String, &'static str, &'static str)>,
    pub link: String,
    pub action: &'static str,
}

impl ItemView {
    fn new(i: &Item) -> ItemView {
        ItemView {
            area: i.area.label(),
            since: fecha(i.since),
            title: i.title.clone(),
            detail: i.detail.clone().unwrap_or_default(),
            due: i.due.map(|(d, u)| (fecha(d), u.label(), u.css())),
            link: i.link.clone(),
            action: i.action,
        }
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub layout: crate::views::Layout,
    pub items: Vec<ItemView>,
    pub summary: String,
    /// Whether the user has a platform role (the national dashboard is for it).
    pub national: bool,
    /// A platform administrator: the page links the list of entities.
    pub administrator: bool,
}

pub async fn home(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require(Action::ViewInternal)?;
    // Read before counting: a change made meanwhile makes the next page count again.
    let writes = state.writes.load(std::sync::atomic::Ordering::Acquire);
    let change = state.last_change().await?;
    let today = today();
    let items = inbox(&state.store, &user.permissions(), today).await?;
    // The other pages show this count until something changes.
    crate::auth::keep_pending_count(&state, &user, change, writes, today, items.len());
    let summary = match items.len() {
        1 => "1 asunto espera por usted".to_string(),
        n => format!(
            "{} asuntos esperan por usted",
            participa_domain::numbers::grouped(n as u64)
        ),
    };
    let mut layout = user.layout("Mis pendientes", &state);
    if let Some(u) = layout.user.as_mut() {
        // The count the page itself found, so that the navigation agrees with it.
        u.pending = Some(items.len());
    }
    let grant = state.store.platform_grant(user.user.id).await?;
    let national = grant.is_some();
    let administrator =
        grant.is_some_and(|g| g.role == participa_domain::national::PlatformRole::Administrator);
    let page = InboxPage {
        layout,
        items: items.iter().map(ItemView::new).collect(),
        summary,
        national,
        administrator,
    };
    Ok(Html(page.render()?))
}

/// The follow-up of the newest published plan (a responsible office's own activities
/// when it answers for one office); the plan list when none is published yet.
pub async fn followup(State(state): State<AppState>, user: CurrentUser) -> AppResult<Redirect> {
    user.require(Action::ViewInternal)?;
    let plans = state.store.published_plans().await?;
    let Some(p) = plans.first() else {
        return Ok(Redirect::to("/admin/planes"));
    };
    let office = match user.user.offices.as_slice() {
        [one] if p.plan.office(one).is_some() => format!("?dependencia={}", one.as_str()),
        _ => String::new(),
    };
    Ok(Redirect::to(&format!(
        "/admin/planes/{}/seguimiento{office}",
        p.id.0
    )))
}
