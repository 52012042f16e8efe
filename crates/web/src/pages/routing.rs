//! How page modules declare their routes: each exposes `routes() -> Routes`, listing its
//! public paths and its staff paths (under `/admin`) with their methods. The router
//! merges them; the staff ones pass the sign-in guard. The same list is the route table
//! the role × route test checks against, so a route added without a row fails it.

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

/// Where a route lives: on the public site, or under `/admin` behind the sign-in guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Public,
    Staff,
}

/// One registered route: its method, its full path (staff paths with `/admin`) and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: String,
    pub scope: Scope,
}

/// The routes of one or more page modules, with their table.
pub struct Routes {
    scope: Scope,
    pub(crate) public: Router<AppState>,
    pub(crate) staff: Router<AppState>,
    pub(crate) table: Vec<RouteEntry>,
}

impl Routes {
    /// Routes citizens reach without an account.
    pub fn public() -> Routes {
        Routes::new(Scope::Public)
    }

    /// Staff routes, written without their `/admin` prefix.
    pub fn staff() -> Routes {
        Routes::new(Scope::Staff)
    }

    fn new(scope: Scope) -> Routes {
        Routes {
            scope,
            public: Router::new(),
            staff: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, post(handler))
    }

    /// A POST whose body may be up to `limit` bytes (file uploads).
    pub fn post_up_to<H, T>(self, path: &'static str, handler: H, limit: usize) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(
            "POST",
            path,
            post(handler).layer(DefaultBodyLimit::max(limit)),
        )
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Routes {
        let full = match self.scope {
            Scope::Public => path.to_string(),
            Scope::Staff if path == "/" => "/admin".to_string(),
            Scope::Staff => format!("/admin{path}"),
        };
        self.table.push(RouteEntry {
            method,
            path: full,
            scope: self.scope,
        });
        match self.scope {
            Scope::Public => self.public = self.public.route(path, route),
            Scope::Staff => self.staff = self.staff.route(path, route),
        }
        self
    }

    /// These routes and `other`'s together.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.public = self.public.merge(other.public);
        self.staff = self.staff.merge(other.staff);
        self.table.extend(other.table);
        self
    }

    pub fn table(&self) -> &[RouteEntry] {
        &self.table
    }
}
