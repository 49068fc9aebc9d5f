//! `GET|HEAD /api/health` and `GET /healthz`, both without authentication. The
//! version and commit fields say `standin`, never a Grafana release.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;

pub async fn api_health(State(state): State<AppState>) -> impl IntoResponse {
    let body = if state.config.hide_version {
        json!({ "database": "ok" })
    } else {
        json!({ "commit": "standin", "database": "ok", "version": "standin" })
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(body))
}

pub async fn healthz() -> &'static str {
    "Ok"
}
