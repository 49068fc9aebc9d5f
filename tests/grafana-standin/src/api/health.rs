//! `GET|HEAD /api/health`, `GET /healthz` and `GET /metrics`, all without
//! authentication. `/api/health` answers in Grafana's shape with the version of
//! the Grafana release the stand-in follows (so clients that parse `version` work)
//! and `commit` `standin`, so that it never passes for a real build; `database` is
//! `failing` (503) while the state cannot be written to the data directory.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::metrics::GRAFANA_VERSION;

pub async fn api_health(State(state): State<AppState>) -> impl IntoResponse {
    let (code, database) = if state.database_ok() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "failing")
    };
    let body = if state.config.hide_version {
        json!({ "database": database })
    } else {
        json!({ "commit": "standin", "database": database, "version": GRAFANA_VERSION })
    };
    (code, [(header::CACHE_CONTROL, "no-store")], Json(body))
}

pub async fn healthz() -> &'static str {
    "Ok"
}

/// `GET /metrics` in the Prometheus text format, as Grafana serves it by default.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let total: usize = state
        .hooks
        .lock()
        .expect("hooks lock")
        .counts
        .values()
        .sum();
    let body = state.metrics.lock().expect("metrics lock").render(total);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
