//! The HTTP API: shared state, the route table and small request helpers. Public
//! routes (`/api/health`, `/healthz`, `/metrics`) skip authentication; unknown
//! routes answer 404 `{"message":"Not found"}` as Grafana's router does.

mod accounts;
mod admin;
pub mod auth;
mod dashboards;
mod datasources;
mod ds_health;
mod folders;
mod health;
mod import;
mod library;
mod search;
mod user;
mod versions;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{middleware, Router};
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{ApiError, ApiResult};
use crate::faults::Hooks;
use crate::log::Logger;
use crate::store::{Role, Store};

/// Which shape `GET /api/dashboards/uid/:uid/versions` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionsList {
    /// Older Grafana: a bare JSON array of versions.
    Array,
    /// Newer Grafana: `{"continueToken": "", "versions": [...]}`.
    Paged,
}

/// Settings the handlers read; fixed for the life of the server.
#[derive(Debug, Clone)]
pub struct Config {
    pub anonymous: Option<Role>,
    pub hide_version: bool,
    pub datasource_timeout: Duration,
    pub versions_list: VersionsList,
    pub provisioning_dir: Option<PathBuf>,
    /// How long each dashboard save takes (see [`crate::Builder::save_delay`]).
    pub save_delay: Duration,
}

/// Everything shared between requests.
#[derive(Debug)]
pub struct Shared {
    pub store: Mutex<Store>,
    pub hooks: Mutex<Hooks>,
    /// The dashboard providers read at start or at the last reload.
    pub providers: Mutex<Vec<crate::provisioning::dashboards::Provider>>,
    pub config: Config,
    pub logger: Logger,
    /// Where the state is kept on disk; `None` keeps it in memory only.
    pub persist: Option<crate::persist::Persister>,
    pub metrics: Mutex<crate::metrics::Metrics>,
}

impl Shared {
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("store lock")
    }

    /// Writes the state to the data directory, if there is one; a failure is
    /// logged and reported by `/api/health` until a write succeeds again.
    pub fn persist(&self) {
        if let Some(p) = &self.persist {
            if let Err(e) = p.save(&self.store) {
                self.logger.error("cannot save the state", &[("error", &e)]);
            }
        }
    }

    /// Whether the "database" works: in memory always, on disk if the last write did.
    pub fn database_ok(&self) -> bool {
        self.persist.as_ref().is_none_or(|p| p.healthy())
    }
}

/// The state handed to every handler.
pub type AppState = Arc<Shared>;

/// Builds the full router.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/api/user", get(user::current_user))
        .route("/api/org", get(user::current_org))
        .route(
            "/api/datasources",
            get(datasources::list).post(datasources::create),
        )
        .route(
            "/api/datasources/uid/{uid}",
            get(datasources::get_by_uid)
                .put(datasources::update)
                .delete(datasources::delete_by_uid),
        )
        .route(
            "/api/datasources/name/{name}",
            get(datasources::get_by_name).delete(datasources::delete_by_name),
        )
        .route("/api/datasources/id/{name}", get(datasources::id_by_name))
        .route("/api/datasources/{id}", get(datasources::get_by_id))
        .route("/api/datasources/uid/{uid}/health", get(ds_health::by_uid))
        .route("/api/datasources/{id}/health", get(ds_health::by_id))
        .route("/api/folders", get(folders::list).post(folders::create))
        .route(
            "/api/folders/{uid}",
            get(folders::get)
                .put(folders::update)
                .delete(folders::delete),
        )
        .route("/api/folders/{uid}/move", post(folders::move_folder))
        .route(
            "/api/library-elements",
            get(library::search).post(library::create),
        )
        .route(
            "/api/library-elements/{uid}",
            get(library::get)
                .patch(library::patch)
                .delete(library::delete),
        )
        .route("/api/library-elements/name/{name}", get(library::by_name))
        .route("/api/dashboards/db", post(dashboards::save))
        .route("/api/dashboards/import", post(import::import))
        .route("/api/dashboards/tags", get(dashboards::tags))
        .route(
            "/api/dashboards/uid/{uid}",
            get(dashboards::get).delete(dashboards::delete),
        )
        .route("/api/dashboards/uid/{uid}/versions", get(versions::list))
        .route(
            "/api/dashboards/uid/{uid}/versions/{version}",
            get(versions::get),
        )
        .route("/api/dashboards/uid/{uid}/restore", post(versions::restore))
        .route("/api/search", get(search::search))
        .route("/api/serviceaccounts", post(accounts::create))
        .route("/api/serviceaccounts/search", get(accounts::search))
        .route(
            "/api/serviceaccounts/{id}",
            get(accounts::get).delete(accounts::delete),
        )
        .route(
            "/api/serviceaccounts/{id}/tokens",
            get(accounts::list_tokens).post(accounts::create_token),
        )
        .route(
            "/api/serviceaccounts/{id}/tokens/{token_id}",
            delete(accounts::delete_token),
        )
        .route("/api/admin/provisioning/{kind}/reload", post(admin::reload))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));

    Router::new()
        .route("/api/health", get(health::api_health))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .merge(protected)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::record,
        ))
        .with_state(state)
}

/// No route matched: an injected fault still applies, else 404.
async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    let method = req.method().as_str().to_string();
    match crate::faults::apply_fault(&state, &method, req.uri().path()).await {
        Some(r) => r,
        None => ApiError::message(404, "Not found").into_response(),
    }
}

/// Binds a JSON body like Grafana's `web.Bind`: an empty body gives the zero value,
/// anything that does not decode is 400 "bad request data".
pub fn parse_body<T: DeserializeOwned + Default>(body: &Bytes) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request_data())
}

/// The decoded query string, keeping repeated keys.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated key; comma-separated values are split too.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| {
                if v.is_empty() {
                    vec![String::new()]
                } else {
                    v.split(',').map(|s| s.trim().to_string()).collect()
                }
            })
            .collect()
    }

    /// Like Grafana's `QueryInt`: missing or unparsable is 0.
    pub fn int(&self, key: &str) -> i64 {
        self.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}
